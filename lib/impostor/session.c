/*-------------------------------------------------------------------------
 *
 * session.c
 *	  One client connection to the decoy: a non-blocking state machine
 *	  that answers as a PostgreSQL server would up to the password, then
 *	  refuses the session with a FATAL error.
 *
 * IDENTIFICATION
 *	  lib/impostor/session.c
 *
 * NOTES
 *	  Reads exactly the bytes of each message (never past an SSLRequest:
 *	  what follows belongs to the handshake).  Every length is bounded
 *	  before it is trusted.  The password message is cleansed as soon as
 *	  its length is known; TLS plaintext is cleansed by OpenSSL
 *	  (SSL_OP_CLEANSE_PLAINTEXT, forge.c).
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "impostor/impostor_int.h"

#define GSSENC_REQUEST_CODE 80877104
#define CANCEL_REQUEST_CODE 80877102
#define TLS_HANDSHAKE_RECORD 0x16

static const char decoy_message[] = "pgtls impostor: this server is a decoy that tests which clients verify it; "
                                    "no session is possible";

void
pgtls__utc_now(char *out, size_t outlen)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
pgtls__decoy_conn_init(decoy_conn *c, int fd, int id, const char *peer, const char *peer_host, int64_t now,
                       int timeout_ms)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->up_fd = -1;
	c->st = DS_FIRST;
	c->deadline = now + timeout_ms;
	c->rec.id = id;
	c->rec.started_ms = now;
	snprintf(c->rec.peer, sizeof(c->rec.peer), "%s", peer);
	snprintf(c->rec.peer_host, sizeof(c->rec.peer_host), "%s", peer_host);
	pgtls__utc_now(c->rec.started, sizeof(c->rec.started));
}

void
pgtls__decoy_finish(decoy_conn *c, const char *fmt, const char *arg)
{
	if (c->rec.end[0] == '\0')
		snprintf(c->rec.end, sizeof(c->rec.end), fmt, arg ? arg : "");
	OPENSSL_cleanse(c->in, sizeof(c->in));
	pgtls__sock_close(&c->ssl, &c->biometh, &c->fd);
	if (c->up_fd >= 0)
		close(c->up_fd);
	c->up_fd = -1;
	if (c->rec.relayed)
		pgtls__relay_conclude(c);
	c->st = DS_DONE;
	c->rec.ended_ms = pgtls_now_ms();
}

void
pgtls__decoy_conn_abort(decoy_conn *c, const char *why)
{
	pgtls__decoy_finish(c, "%s", why);
}

void
pgtls__decoy_conn_free(decoy_conn *c)
{
	free(c->c2s);
	free(c->s2c);
	free(c->wc.cap);
	free(c->ws.cap);
	free(c);
}

void
pgtls__decoy_conn_events(const decoy_conn *c, short *client, short *up)
{
	*up = 0;
	switch (c->st)
	{
		case DS_UP_CONNECT:
			*client = 0;
			*up = POLLOUT;
			break;
		case DS_UP_ANSWER:
			*client = 0;
			*up = POLLIN;
			break;
		case DS_RELAY:
			*client = (short)((c->c2s_pos == c->c2s_len && !c->client_eof ? POLLIN : 0) |
			                  (c->s2c_pos < c->s2c_len ? POLLOUT : 0));
			*up = (short)((c->s2c_pos == c->s2c_len && !c->up_eof ? POLLIN : 0) |
			              (c->c2s_pos < c->c2s_len ? POLLOUT : 0));
			break;
		default:
			*client = c->want_write ? POLLOUT : POLLIN;
	}
}

/* where the client left us, for "closed ..." */
static const char *
state_words(const decoy_conn *c)
{
	switch (c->st)
	{
		case DS_FIRST:
			return c->rec.answer == 'N' && c->rec.ssl_request ? "after the decoy refused TLS" : "before its startup";
		case DS_HANDSHAKE:
			return "during the TLS handshake";
		case DS_STARTUP:
			return "after the TLS handshake, before its startup";
		case DS_PASSWORD:
			return "when asked for its password";
		default:
			return "";
	}
}

/* Reads until IN holds WANT bytes: 1 done, 0 wait, -1 ended. */
static int
fill(decoy_conn *c, size_t want)
{
	while (c->inlen < want)
	{
		if (c->ssl)
		{
			int r = SSL_read(c->ssl, c->in + c->inlen, (int)(want - c->inlen));
			int e;

			if (r > 0)
			{
				c->inlen += (size_t)r;
				continue;
			}
			e = SSL_get_error(c->ssl, r);
			c->want_write = e == SSL_ERROR_WANT_WRITE;
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
				return 0;
			ERR_clear_error();
			pgtls__decoy_finish(c, "the client closed the connection %s", state_words(c));
			return -1;
		}
		else
		{
			ssize_t r = recv(c->fd, c->in + c->inlen, want - c->inlen, 0);

			if (r > 0)
			{
				c->inlen += (size_t)r;
				continue;
			}
			if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				return 0;
			pgtls__decoy_finish(c, "the client closed the connection %s", state_words(c));
			return -1;
		}
	}
	return 1;
}

static uint32_t
be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* OUT gets MSG; DS_FLUSH writes it, then AFTER */
void
pgtls__decoy_queue(decoy_conn *c, const void *msg, size_t n, decoy_state after)
{
	memcpy(c->out, msg, n);
	c->outlen = n;
	c->outpos = 0;
	c->st = DS_FLUSH;
	c->after = after;
}

static void
queue_fatal(decoy_conn *c)
{
	uint8_t m[sizeof(decoy_message) + 64];
	size_t n = 5;

	m[0] = 'E';
	memcpy(m + n, "SFATAL\0VFATAL\0C28000\0M", 22);
	n += 22;
	memcpy(m + n, decoy_message, sizeof(decoy_message));
	n += sizeof(decoy_message);
	m[n++] = '\0';
	put32(m + 1, (uint32_t)(n - 1));
	pgtls__decoy_queue(c, m, n, DS_DONE);
}

bool
pgtls__decoy_parse_startup(const uint8_t *body, size_t len, decoy_session *rec)
{
	pgtls_cursor cur;

	pgtls__cursor_init(&cur, body, len);
	for (;;)
	{
		const char *k, *v;
		size_t kn, vn;

		if (!pgtls__cursor_cstr(&cur, &k, &kn))
			return false;
		if (kn == 0)
			return pgtls__cursor_left(&cur) == 0;
		if (!pgtls__cursor_cstr(&cur, &v, &vn))
			return false;
		if (strcmp(k, "user") == 0)
			pgtls__sanitize(v, vn, rec->user, sizeof(rec->user));
		else if (strcmp(k, "database") == 0)
			pgtls__sanitize(v, vn, rec->database, sizeof(rec->database));
		else if (strcmp(k, "application_name") == 0)
			pgtls__sanitize(v, vn, rec->appname, sizeof(rec->appname));
	}
}

static void
on_startup(decoy_conn *c, size_t len)
{
	static const uint8_t ask_password[] = {'R', 0, 0, 0, 8, 0, 0, 0, 3};

	if (!pgtls__decoy_parse_startup(c->in + 8, len - 8, &c->rec))
	{
		pgtls__decoy_finish(c, "malformed StartupMessage%s", "");
		return;
	}
	c->rec.said_anything = true;
	c->rec.startup = true;
	c->rec.startup_tls = c->ssl != NULL;
	if (c->rec.database[0] == '\0')
		snprintf(c->rec.database, sizeof(c->rec.database), "%s", c->rec.user);
	c->rec.password_asked = true;
	c->inlen = 0;
	pgtls__decoy_queue(c, ask_password, sizeof(ask_password), DS_PASSWORD);
}

static bool
start_tls(decoy_conn *c, SSL_CTX *ctx)
{
	BIO *bio = NULL;

	c->ssl = ctx ? SSL_new(ctx) : NULL;
	/* a BIO that never raises SIGPIPE when the client has gone (sockbio.c) */
	if (c->ssl)
		bio = pgtls__sock_bio(c->fd, &c->biometh);
	if (bio)
		SSL_set_bio(c->ssl, bio, bio);
	if (c->ssl == NULL || bio == NULL)
	{
		pgtls__decoy_finish(
		    c, "%s", ctx ? "cannot start TLS (out of memory)" : "the client wants direct TLS; this mode serves none");
		return false;
	}
	c->st = DS_HANDSHAKE;
	c->inlen = 0;
	return true;
}

/* An SSLRequest, GSSENCRequest, cancel or startup of LEN bytes is in IN (before TLS). */
static void
on_first(decoy_conn *c, size_t len, pgtls_decoy_mode mode, const decoy_relay *relay)
{
	uint32_t code = be32(c->in + 4);

	if (code == PGTLS_SSLREQUEST_CODE && len == 8 && !c->rec.ssl_request && mode == PGTLS_DECOY_RELAY && relay)
	{
		c->rec.said_anything = c->rec.ssl_request = true;
		c->inlen = 0;
		pgtls__relay_start(c, relay);
	}
	else if (code == PGTLS_SSLREQUEST_CODE && len == 8 && !c->rec.ssl_request)
	{
		c->rec.said_anything = c->rec.ssl_request = true;
		c->rec.answer = mode == PGTLS_DECOY_NO_TLS ? 'N' : 'S';
		c->inlen = 0;
		pgtls__decoy_queue(c, &c->rec.answer, 1, mode == PGTLS_DECOY_NO_TLS ? DS_FIRST : DS_HANDSHAKE);
	}
	else if (code == GSSENC_REQUEST_CODE && len == 8 && !c->rec.gss_request && !c->rec.ssl_request)
	{
		c->rec.gss_request = true;
		c->inlen = 0;
		pgtls__decoy_queue(c, "N", 1, DS_FIRST);
	}
	else if (code == CANCEL_REQUEST_CODE && len == 16)
		pgtls__decoy_finish(c, "a cancel request%s", "");
	else if ((code >> 16) == 3)
		on_startup(c, len);
	else
	{
		char what[32];

		snprintf(what, sizeof(what), "%u.%u", code >> 16, code & 0xffff);
		pgtls__decoy_finish(c, "unsupported request or protocol version %s", what);
	}
}

/* A message (length + code + body) in IN: 1 complete, 0 wait, -1 ended */
static int
read_message(decoy_conn *c)
{
	int r = fill(c, 8);
	uint32_t len;

	if (r <= 0)
		return r;
	len = be32(c->in);
	if (len < 8 || len > DECOY_MAX_STARTUP)
	{
		pgtls__decoy_finish(c, "protocol violation: a first message of %s bytes",
		                    len < 8 ? "fewer than 8" : "more than 10000");
		return -1;
	}
	return fill(c, len);
}

static void
step_first(decoy_conn *c, SSL_CTX *ctx, pgtls_decoy_mode mode, const decoy_relay *relay)
{
	int r;

	if (c->inlen == 0)
	{
		uint8_t b;
		ssize_t n = recv(c->fd, &b, 1, MSG_PEEK);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
		{
			pgtls__decoy_finish(c, "the client closed the connection %s", state_words(c));
			return;
		}
		if (n < 0)
			return;
		if (b == TLS_HANDSHAKE_RECORD && !c->rec.ssl_request && mode == PGTLS_DECOY_RELAY && relay)
		{
			/* direct TLS: the ClientHello stays in the socket for the canary */
			c->rec.said_anything = c->rec.direct = true;
			pgtls__relay_start(c, relay);
			return;
		}
		if (b == TLS_HANDSHAKE_RECORD && !c->rec.ssl_request)
		{
			c->rec.said_anything = c->rec.direct = true;
			if (mode == PGTLS_DECOY_NO_TLS)
				c->rec.answer = 'N';
			start_tls(c, mode == PGTLS_DECOY_NO_TLS ? NULL : ctx);
			return;
		}
	}
	r = read_message(c);
	if (r == 1)
		on_first(c, be32(c->in), mode, relay);
}

static void
tls_details(decoy_conn *c)
{
	const char *sni = SSL_get_servername(c->ssl, TLSEXT_NAMETYPE_host_name);
	const unsigned char *alpn = NULL;
	unsigned alpnlen = 0;

	if (sni)
		pgtls__sanitize(sni, strlen(sni), c->rec.sni, sizeof(c->rec.sni));
	SSL_get0_alpn_selected(c->ssl, &alpn, &alpnlen);
	if (alpn)
		pgtls__sanitize((const char *)alpn, alpnlen, c->rec.alpn, sizeof(c->rec.alpn));
}

static void
step_handshake(decoy_conn *c)
{
	int r = SSL_accept(c->ssl);
	int e;

	if (r == 1)
	{
		c->rec.handshake_done = c->rec.client_hello = true;
		snprintf(c->rec.tls_version, sizeof(c->rec.tls_version), "%s", SSL_get_version(c->ssl));
		tls_details(c);
		c->st = DS_STARTUP;
		c->inlen = 0;
		return;
	}
	e = SSL_get_error(c->ssl, r);
	c->want_write = e == SSL_ERROR_WANT_WRITE;
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return;
	tls_details(c);
	c->rec.client_hello = !SSL_in_before(c->ssl);
	pgtls__ossl_reason(c->rec.client_alert, sizeof(c->rec.client_alert), "the client closed the connection", true);
	pgtls__decoy_finish(c, "the handshake failed: %s", c->rec.client_alert);
}

static void
step_password(decoy_conn *c)
{
	int r = fill(c, 5);
	uint32_t len;
	size_t pwlen;

	if (r <= 0)
		return;
	len = be32(c->in + 1);
	if (c->in[0] != 'p' || len < 5 || len > DECOY_MAX_PASSWORD)
	{
		bool terminate = c->in[0] == 'X';

		OPENSSL_cleanse(c->in, sizeof(c->in));
		pgtls__decoy_finish(c, "%s",
		                    terminate ? "the client ended the session when asked for its password (it has none)"
		                              : "the client answered the password request with another message");
		return;
	}
	if (fill(c, 1 + len) <= 0)
		return;
	/* only the length class is kept: the bytes are wiped at once */
	pwlen = strnlen((const char *)c->in + 5, len - 4);
	OPENSSL_cleanse(c->in, sizeof(c->in));
	c->inlen = 0;
	c->rec.password_sent = true;
	c->rec.password_length = pwlen == 0   ? "empty"
	                         : pwlen < 8  ? "1-7"
	                         : pwlen < 16 ? "8-15"
	                         : pwlen < 32 ? "16-31"
	                                      : "32+";
	queue_fatal(c);
}

/* Writes OUT: true when all of it is written (or the connection ended). */
static bool
flush(decoy_conn *c)
{
	while (c->outpos < c->outlen)
	{
		if (c->ssl)
		{
			int r = SSL_write(c->ssl, c->out + c->outpos, (int)(c->outlen - c->outpos));
			int e;

			if (r > 0)
			{
				c->outpos += (size_t)r;
				continue;
			}
			e = SSL_get_error(c->ssl, r);
			c->want_write = e == SSL_ERROR_WANT_WRITE;
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
				return false;
			ERR_clear_error();
		}
		else
		{
			ssize_t r = send(c->fd, c->out + c->outpos, c->outlen - c->outpos, MSG_NOSIGNAL);

			if (r > 0)
			{
				c->outpos += (size_t)r;
				continue;
			}
			c->want_write = true;
			if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				return false;
		}
		pgtls__decoy_finish(c, "the client closed the connection %s", "before reading the decoy's answer");
		return true;
	}
	c->want_write = false;
	return true;
}

bool
pgtls__decoy_conn_step(decoy_conn *c, SSL_CTX *ctx, pgtls_decoy_mode mode, decoy_relay *relay)
{
	decoy_state before;

	do
	{
		before = c->st;
		switch (c->st)
		{
			case DS_FIRST:
				step_first(c, ctx, mode, relay);
				break;
			case DS_UP_CONNECT:
			case DS_UP_ANSWER:
			case DS_RELAY:
				pgtls__relay_step(c, relay);
				break;
			case DS_HANDSHAKE:
				step_handshake(c);
				break;
			case DS_STARTUP:
				if (read_message(c) == 1)
				{
					if ((be32(c->in + 4) >> 16) == 3)
						on_startup(c, be32(c->in));
					else
						pgtls__decoy_finish(c, "protocol violation: a request inside TLS%s", "");
				}
				break;
			case DS_PASSWORD:
				step_password(c);
				break;
			case DS_FLUSH:
				if (flush(c) && c->st == DS_FLUSH)
				{
					c->st = c->after;
					if (c->st == DS_HANDSHAKE && !start_tls(c, ctx))
						break;
					if (c->st == DS_DONE)
						pgtls__decoy_finish(c, "the decoy refused the session with a FATAL error%s", "");
				}
				break;
			case DS_DONE:
				break;
		}
	} while (c->st != before && c->st != DS_DONE);
	return c->st == DS_DONE;
}

void
pgtls__decoy_facts_of(const decoy_session *rec, pgtls_decoy_mode mode, pgtls_decoy_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->mode = mode;
	f->said_anything = rec->said_anything || rec->gss_request;
	f->asked_tls = rec->ssl_request || rec->direct;
	f->answered_no = rec->answer == 'N';
	f->client_hello = rec->client_hello || rec->handshake_done;
	f->handshake_done = rec->handshake_done;
	f->startup = rec->startup;
	f->startup_tls = rec->startup_tls;
	f->password_sent = rec->password_sent;
	f->earlier_tls = rec->earlier_tls;
	f->name_tested = rec->name_tested;
	f->refused_chain = rec->refused_chain;
}
