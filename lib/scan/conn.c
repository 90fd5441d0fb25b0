/*-------------------------------------------------------------------------
 *
 * conn.c
 *	  Non-blocking connection state machine: connect, SSLRequest or direct
 *	  TLS, TLS handshake, StartupMessage, first server reply.
 *
 * IDENTIFICATION
 *	  lib/scan/conn.c
 *
 * NOTES
 *	  The caller owns the event loop (poll/epoll/libuv...): it calls
 *	  pgtls_conn_step() when the fd is ready and pgtls_conn_expire() when
 *	  pgtls_conn_deadline() has passed.  States and transitions are listed
 *	  in docs/STATE-MACHINE.md; dispatch is a table, not nested ifs.
 *
 *	  The TLS handshake deliberately does not verify: we capture the chain
 *	  and verify it offline once per rootcert setting (probe.c), which is
 *	  how one handshake can answer for all six sslmodes.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "pgtls_int.h"
#include "proto/protocol.h"
#include "scan/conn_int.h"

static const char *const state_names[ST__COUNT] = {"connecting",
                                                   "connecting",
                                                   "sending SSLRequest",
                                                   "waiting for the SSL response",
                                                   "during the TLS handshake",
                                                   "sending the startup message",
                                                   "waiting for the server's reply to the startup message",
                                                   "done"};

static void trace(pgtls_conn *c, const char *fmt, ...) PGTLS_PRINTF(2, 3);

static void
trace(pgtls_conn *c, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (c->trace.len)
		pgtls__sb_append_mem(&c->trace, ", ", 2);
	pgtls__sb_append_mem(&c->trace, tmp, strlen(tmp));
}

/*
 * One deadline per address tried, as libpq's connect_timeout: a server that
 * answers each step just in time ("staircase") cannot stretch an attempt.
 */
static void
set_deadline(pgtls_conn *c)
{
	c->deadline = pgtls_now_ms() + c->p.timeout_ms;
}

static bool
in_tls_startup(const pgtls_conn *c)
{
	return c->p.kind != PGTLS_CONN_PLAIN && c->tls_done;
}

/* Ends the exchange.  Failures in the startup phase over TLS do not undo the TLS result. */
static pgtls_step
finish(pgtls_conn *c)
{
	c->state = ST_DONE;
	if (c->ssl)
	{
		/* quiet close: a failed shutdown changes nothing we report */
		ERR_clear_error();
		if (c->tls_done && !c->ssl_fatal)
			(void)SSL_shutdown(c->ssl);
		ERR_clear_error();
	}
	pgtls__sock_close(&c->ssl, &c->biometh, &c->fd);
	return PGTLS_STEP_DONE;
}

static pgtls_step fail(pgtls_conn *c, pgtls_err code, const char *fmt, ...) PGTLS_PRINTF(3, 4);

static pgtls_step
fail(pgtls_conn *c, pgtls_err code, const char *fmt, ...)
{
	char tmp[PGTLS_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (in_tls_startup(c))
		pgtls__seterr(&c->reply_err, code, "%s", tmp);
	else
		pgtls__seterr(&c->err, code, "%s", tmp);
	trace(c, "error");
	return finish(c);
}

/* Collects OpenSSL's error queue into one line, libpq style ("SSL error: ..."). */
static void
ssl_errstr(int sslerr, int ret, char *out, size_t outlen)
{
	unsigned long e = ERR_get_error();

	if (sslerr == SSL_ERROR_SYSCALL && e == 0)
	{
		if (ret == 0 || errno == 0)
			snprintf(out, outlen, "SSL SYSCALL error: EOF detected");
		else
			snprintf(out, outlen, "SSL SYSCALL error: %s", strerror(errno));
	}
	else if (e != 0)
	{
		const char *reason = ERR_reason_error_string(e);

		if (reason)
			snprintf(out, outlen, "SSL error: %s", reason);
		else
			snprintf(out, outlen, "SSL error code %lu", e);
	}
	else
		snprintf(out, outlen, "SSL error: unrecognized SSL error code: %d", sslerr);
	ERR_clear_error();
}

pgtls_conn *
pgtls__conn_new(const pgtls_conn_params *params)
{
	pgtls_conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->p = *params;
	c->fd = -1;
	c->ai = params->addrs;
	c->state = ST_CONNECT_START;
	pgtls__sb_init(&c->trace);
	set_deadline(c);
	return c;
}

void
pgtls__conn_free(pgtls_conn *c)
{
	if (c == NULL)
		return;
	(void)finish(c);
	if (c->chain)
		sk_X509_pop_free(c->chain, X509_free);
	free(c->rbuf);
	pgtls__sb_free(&c->trace);
	free(c);
}

/* ---- I/O helpers: plain socket or TLS ---- */

typedef enum io_res
{
	IO_OK,
	IO_AGAIN_READ,
	IO_AGAIN_WRITE,
	IO_EOF,
	IO_ERR
} io_res;

static io_res
do_write(pgtls_conn *c, char *errbuf, size_t errlen)
{
	while (c->wpos < c->wbuf.len)
	{
		ssize_t n;

		if (c->ssl)
		{
			int r, e;

			ERR_clear_error();
			r = SSL_write(c->ssl, c->wbuf.data + c->wpos, (int)(c->wbuf.len - c->wpos));
			if (r > 0)
			{
				c->wpos += (size_t)r;
				continue;
			}
			e = SSL_get_error(c->ssl, r);
			if (e == SSL_ERROR_WANT_READ)
				return IO_AGAIN_READ;
			if (e == SSL_ERROR_WANT_WRITE)
				return IO_AGAIN_WRITE;
			c->ssl_fatal = e == SSL_ERROR_SYSCALL || e == SSL_ERROR_SSL;
			ssl_errstr(e, r, errbuf, errlen);
			return IO_ERR;
		}
		n = send(c->fd, c->wbuf.data + c->wpos, c->wbuf.len - c->wpos, MSG_NOSIGNAL);
		if (n > 0)
		{
			c->wpos += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return IO_AGAIN_WRITE;
		snprintf(errbuf, errlen, "could not send data to server: %s", strerror(errno));
		return IO_ERR;
	}
	return IO_OK;
}

/* Reads what is available (at most up to the reply bound). */
static io_res
do_read(pgtls_conn *c, char *errbuf, size_t errlen)
{
	size_t want = 4096;
	ssize_t n;

	if (c->rcap - c->rlen < want)
	{
		size_t ncap = c->rlen + want;
		uint8_t *nb;

		if (ncap > PGTLS_MAX_STARTUP_REPLY + 4096)
		{
			snprintf(errbuf, errlen, "server sent more than %d bytes before authentication", PGTLS_MAX_STARTUP_REPLY);
			return IO_ERR;
		}
		nb = realloc(c->rbuf, ncap);
		if (nb == NULL)
		{
			snprintf(errbuf, errlen, "out of memory");
			return IO_ERR;
		}
		c->rbuf = nb;
		c->rcap = ncap;
	}
	if (c->ssl)
	{
		int r, e;

		ERR_clear_error();
		r = SSL_read(c->ssl, c->rbuf + c->rlen, (int)want);
		if (r > 0)
		{
			c->rlen += (size_t)r;
			return IO_OK;
		}
		e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_READ)
			return IO_AGAIN_READ;
		if (e == SSL_ERROR_WANT_WRITE)
			return IO_AGAIN_WRITE;
		if (e == SSL_ERROR_ZERO_RETURN)
			return IO_EOF;
		c->ssl_fatal = e == SSL_ERROR_SYSCALL || e == SSL_ERROR_SSL;
		ssl_errstr(e, r, errbuf, errlen);
		return IO_ERR;
	}
	n = recv(c->fd, c->rbuf + c->rlen, want, 0);
	if (n > 0)
	{
		c->rlen += (size_t)n;
		return IO_OK;
	}
	if (n == 0)
		return IO_EOF;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return IO_AGAIN_READ;
	snprintf(errbuf, errlen, "could not receive data from server: %s", strerror(errno));
	return IO_ERR;
}

/* ---- state handlers: each returns the next step or calls fail()/finish() ---- */

static pgtls_step
st_connect_start(pgtls_conn *c)
{
	for (; c->ai != NULL; c->ai = c->ai->ai_next)
	{
		int one = 1;

		getnameinfo(c->ai->ai_addr, c->ai->ai_addrlen, c->address, sizeof(c->address), c->port, sizeof(c->port),
		            NI_NUMERICHOST | NI_NUMERICSERV);
		c->fd = socket(c->ai->ai_family, c->ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, c->ai->ai_protocol);
		if (c->fd < 0)
		{
			snprintf(c->lasterr, sizeof(c->lasterr), "could not create socket: %s", strerror(errno));
			continue;
		}
		(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		trace(c, "connect %s:%s", c->address, c->port);
		set_deadline(c);
		if (connect(c->fd, c->ai->ai_addr, c->ai->ai_addrlen) == 0)
		{
			c->state = (c->p.kind == PGTLS_CONN_SSLREQUEST) ? ST_SEND_SSLREQ
			           : (c->p.kind == PGTLS_CONN_DIRECT)   ? ST_TLS_HANDSHAKE
			                                                : ST_SEND_STARTUP;
			return PGTLS_STEP_WANT_WRITE;
		}
		if (errno == EINPROGRESS)
		{
			c->state = ST_CONNECT_WAIT;
			return PGTLS_STEP_WANT_WRITE;
		}
		snprintf(c->lasterr, sizeof(c->lasterr), "%s", strerror(errno));
		close(c->fd);
		c->fd = -1;
	}
	return fail(c, PGTLS_ERR_IO, "connection to server at %s, port %s failed: %s",
	            c->address[0] ? c->address : "(no address)", c->port, c->lasterr[0] ? c->lasterr : "no usable address");
}

static pgtls_step
st_connect_wait(pgtls_conn *c)
{
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		soerr = errno;
	if (soerr != 0)
	{
		snprintf(c->lasterr, sizeof(c->lasterr), "%s", strerror(soerr));
		trace(c, "refused");
		close(c->fd);
		c->fd = -1;
		c->ai = c->ai->ai_next;
		c->state = ST_CONNECT_START;
		return st_connect_start(c);
	}
	switch (c->p.kind)
	{
		case PGTLS_CONN_SSLREQUEST:
			c->state = ST_SEND_SSLREQ;
			break;
		case PGTLS_CONN_DIRECT:
			c->state = ST_TLS_HANDSHAKE;
			break;
		case PGTLS_CONN_PLAIN:
			c->state = ST_SEND_STARTUP;
			break;
	}
	return PGTLS_STEP_WANT_WRITE;
}

static pgtls_step
st_send_sslreq(pgtls_conn *c)
{
	char eb[256];
	io_res r;

	if (c->wbuf.len == 0)
	{
		(void)pgtls__build_sslrequest(&c->wbuf);
		c->wpos = 0;
		trace(c, "sslrequest");
	}
	r = do_write(c, eb, sizeof(eb));
	if (r == IO_AGAIN_WRITE)
		return PGTLS_STEP_WANT_WRITE;
	if (r != IO_OK)
		return fail(c, PGTLS_ERR_IO, "%s", eb);
	c->state = ST_READ_SSLRESP;
	return PGTLS_STEP_WANT_READ;
}

static pgtls_step
st_read_sslresp(pgtls_conn *c)
{
	uint8_t buf[64];
	ssize_t n;
	size_t have;
	char eb[256];
	char r;

	n = recv(c->fd, buf, 1, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return PGTLS_STEP_WANT_READ;
	if (n < 0)
		return fail(c, PGTLS_ERR_IO, "could not receive data from server: %s", strerror(errno));
	have = (size_t)n;
	if (have == 1)
	{
		/* anything already queued behind the answer byte was not asked for */
		ssize_t extra = recv(c->fd, buf + 1, sizeof(buf) - 1, MSG_PEEK | MSG_DONTWAIT);

		if (extra > 0)
			have += (size_t)extra;
	}
	r = pgtls__check_ssl_response(buf, have, eb, sizeof(eb));
	if (r == 0)
	{
		trace(c, "%s", n == 0 ? "eof" : "bad-sslresp");
		return fail(c, PGTLS_ERR_PROTOCOL, "%s", eb);
	}
	c->sslresp = r;
	trace(c, "%c", r);
	if (r == PG_SSL_NO)
		return finish(c);
	c->state = ST_TLS_HANDSHAKE;
	return PGTLS_STEP_WANT_WRITE;
}

static pgtls_step
capture_tls(pgtls_conn *c)
{
	const unsigned char *alpn = NULL;
	unsigned int alpnlen = 0;
	STACK_OF(X509) * peer;
	int nid;

	snprintf(c->tls_version, sizeof(c->tls_version), "%s", SSL_get_version(c->ssl));
	snprintf(c->cipher, sizeof(c->cipher), "%s", SSL_get_cipher_name(c->ssl));
	nid = SSL_get_negotiated_group(c->ssl);
	if (nid > 0)
	{
		const char *g = SSL_group_to_name(c->ssl, nid);

		snprintf(c->group, sizeof(c->group), "%s", g ? g : OBJ_nid2sn(nid));
	}
	SSL_get0_alpn_selected(c->ssl, &alpn, &alpnlen);
	if (alpn && alpnlen)
		snprintf(c->alpn, sizeof(c->alpn), "%.*s", (int)alpnlen, alpn);
	peer = SSL_get_peer_cert_chain(c->ssl);
	if (peer)
	{
		int i;

		c->chain = sk_X509_new_null();
		if (c->chain == NULL)
			return fail(c, PGTLS_ERR_OOM, "out of memory");
		for (i = 0; i < sk_X509_num(peer); i++)
		{
			X509 *x = sk_X509_value(peer, i);

			if (X509_up_ref(x) != 1 || !sk_X509_push(c->chain, x))
				return fail(c, PGTLS_ERR_OOM, "out of memory");
		}
	}
	trace(c, "handshake %s", c->tls_version);
	/* libpq 17 refuses a direct TLS server that did not agree on ALPN */
	if (c->p.kind == PGTLS_CONN_DIRECT && c->alpn[0] == '\0')
		return fail(c, PGTLS_ERR_PROTOCOL,
		            "direct SSL connection was established without ALPN protocol negotiation extension");
	c->tls_done = true;
	c->state = ST_SEND_STARTUP;
	return PGTLS_STEP_WANT_WRITE;
}

static pgtls_step
st_tls_handshake(pgtls_conn *c)
{
	int r, e;
	char eb[256];

	if (c->ssl == NULL)
	{
		BIO *bio;

		c->ssl = SSL_new(c->p.ctx);
		if (c->ssl == NULL || (bio = pgtls__sock_bio(c->fd, &c->biometh)) == NULL)
			return fail(c, PGTLS_ERR_OOM, "could not create SSL object");
		SSL_set_bio(c->ssl, bio, bio);
		if (c->p.sni && SSL_set_tlsext_host_name(c->ssl, c->p.sni) != 1)
			return fail(c, PGTLS_ERR_TLS, "could not set SSL Server Name Indication (SNI)");
		if (c->p.kind == PGTLS_CONN_DIRECT)
		{
			static const unsigned char alpn[] = "\x0a" PG_ALPN_PROTOCOL;

			/* SSL_set_alpn_protos returns 0 on success */
			if (SSL_set_alpn_protos(c->ssl, alpn, sizeof(alpn) - 1) != 0)
				return fail(c, PGTLS_ERR_TLS, "could not set SSL ALPN extension");
			trace(c, "direct-tls");
		}
	}
	ERR_clear_error();
	r = SSL_connect(c->ssl);
	if (r == 1)
		return capture_tls(c);
	e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ)
		return PGTLS_STEP_WANT_READ;
	if (e == SSL_ERROR_WANT_WRITE)
		return PGTLS_STEP_WANT_WRITE;
	c->ssl_fatal = e == SSL_ERROR_SYSCALL || e == SSL_ERROR_SSL;
	if (e == SSL_ERROR_SSL)
		c->handshake_reason = ERR_GET_REASON(ERR_peek_error());
	ssl_errstr(e, r, eb, sizeof(eb));
	return fail(c, PGTLS_ERR_TLS, "%s", eb);
}

static pgtls_step
st_send_startup(pgtls_conn *c)
{
	char eb[256];
	io_res r;

	if (!c->startup_built)
	{
		c->startup_built = true;
		if (!pgtls__build_startup(&c->wbuf, c->p.user, c->p.dbname, "pgtls"))
			return fail(c, PGTLS_ERR_USAGE, "user or database name too long");
		c->wpos = 0;
		trace(c, "startup");
	}
	r = do_write(c, eb, sizeof(eb));
	if (r == IO_AGAIN_WRITE)
		return PGTLS_STEP_WANT_WRITE;
	if (r == IO_AGAIN_READ)
		return PGTLS_STEP_WANT_READ;
	if (r != IO_OK && c->ssl)
	{
		/*
		 * libpq pqSendSome(): a failed write is not reported at once; it reads
		 * first, and a TLS alert already received (TLS 1.3: the server refused
		 * the client certificate after the client's Finished) is the error
		 * libpq shows ("write_err_msg should be reported only when we are
		 * unable to obtain a server error first").  Without this the reset
		 * that follows the alert would decide, depending on timing.
		 */
		char rb[256];
		io_res rr = do_read(c, rb, sizeof(rb));

		if (rr == IO_OK)
		{
			c->state = ST_READ_REPLY; /* the server's message decides, as in libpq */
			return PGTLS_STEP_WANT_READ;
		}
		if (rr == IO_ERR)
			snprintf(eb, sizeof(eb), "%s", rb);
	}
	if (r != IO_OK)
		return fail(c, c->ssl ? PGTLS_ERR_TLS : PGTLS_ERR_IO, "%s", eb);
	c->state = ST_READ_REPLY;
	return PGTLS_STEP_WANT_READ;
}

static pgtls_step
st_read_reply(pgtls_conn *c)
{
	char eb[256];

	for (;;)
	{
		size_t used = 0;
		int rc;
		io_res r;

		rc = pgtls__parse_backend_msg(c->rbuf, c->rlen, &used, &c->reply, eb, sizeof(eb));
		if (rc < 0)
			return fail(c, PGTLS_ERR_PROTOCOL, "%s", eb);
		if (rc > 0)
		{
			memmove(c->rbuf, c->rbuf + used, c->rlen - used);
			c->rlen -= used;
			if (++c->nmsgs > 1000)
				return fail(c, PGTLS_ERR_PROTOCOL, "server sent more than 1000 messages before ReadyForQuery");
			if (c->reply.kind == PGTLS_REPLY_SKIP)
				continue;
			if (c->reply.kind == PGTLS_REPLY_AUTH)
			{
				trace(c, "auth-%s", pgtls__auth_name(c->reply.auth_code));
				if (c->reply.auth_code != 0)
					return finish(c); /* a password would be next: stop here */
				/*
				 * AuthenticationOk (trust): the backend may still refuse
				 * (unknown role or database, too many connections), so read
				 * on until ReadyForQuery or an error.
				 */
				c->trust_ok = true;
				continue;
			}
			if (c->reply.kind == PGTLS_REPLY_READY && !c->trust_ok)
				return fail(c, PGTLS_ERR_PROTOCOL, "server sent ReadyForQuery before authentication");
			if (c->reply.kind == PGTLS_REPLY_READY)
			{
				/* keep what the server accepted: AuthenticationOk */
				c->reply.kind = PGTLS_REPLY_AUTH;
				c->reply.auth_code = 0;
				trace(c, "ready");
				c->wbuf.len = 0;
				c->wbuf.overflow = false;
				pgtls__wbuf_u8(&c->wbuf, PqMsg_Terminate);
				pgtls__wbuf_u32be(&c->wbuf, 4);
				c->wpos = 0;
				(void)do_write(c, eb, sizeof(eb));
				return finish(c);
			}
			if (c->reply.kind == PGTLS_REPLY_ERROR && c->trust_ok && c->p.kind == PGTLS_CONN_PLAIN)
			{
				/*
				 * Authenticated (trust), then refused for the role or the
				 * database (pgtls's plaintext check asks for "pgtls"): the
				 * server accepted the unencrypted connection.
				 */
				trace(c, "accepted, then: %s", c->reply.message);
				c->reply.kind = PGTLS_REPLY_AUTH;
				c->reply.auth_code = 0;
				return finish(c);
			}
			if (c->reply.kind == PGTLS_REPLY_ERROR)
				trace(c, "rejected");
			return finish(c);
		}
		r = do_read(c, eb, sizeof(eb));
		if (r == IO_AGAIN_READ)
			return PGTLS_STEP_WANT_READ;
		if (r == IO_AGAIN_WRITE)
			return PGTLS_STEP_WANT_WRITE;
		if (r == IO_EOF)
			return fail(c, PGTLS_ERR_PROTOCOL,
			            "server closed the connection unexpectedly before answering the startup message");
		if (r == IO_ERR)
			return fail(c, c->ssl ? PGTLS_ERR_TLS : PGTLS_ERR_IO, "%s", eb);
	}
}

typedef pgtls_step (*state_fn)(pgtls_conn *c);

static const state_fn state_machine[ST__COUNT] = {
    [ST_CONNECT_START] = st_connect_start, [ST_CONNECT_WAIT] = st_connect_wait,
    [ST_SEND_SSLREQ] = st_send_sslreq,     [ST_READ_SSLRESP] = st_read_sslresp,
    [ST_TLS_HANDSHAKE] = st_tls_handshake, [ST_SEND_STARTUP] = st_send_startup,
    [ST_READ_REPLY] = st_read_reply,       [ST_DONE] = NULL,
};

pgtls_step
pgtls_conn_step(pgtls_conn *c)
{
	if (c == NULL || c->state == ST_DONE)
		return PGTLS_STEP_DONE;
	return state_machine[c->state](c);
}

pgtls_step
pgtls_conn_expire(pgtls_conn *c)
{
	if (c == NULL || c->state == ST_DONE)
		return PGTLS_STEP_DONE;
	trace(c, "timeout");
	/* as libpq: an address that does not answer in time is given up for the next one */
	if (c->state == ST_CONNECT_WAIT && c->ai && c->ai->ai_next)
	{
		snprintf(c->lasterr, sizeof(c->lasterr), "timeout expired (after %d ms)", c->p.timeout_ms);
		close(c->fd);
		c->fd = -1;
		c->ai = c->ai->ai_next;
		c->state = ST_CONNECT_START;
		return st_connect_start(c);
	}
	return fail(c, PGTLS_ERR_TIMEOUT, "timeout expired %s (after %d ms)", state_names[c->state], c->p.timeout_ms);
}
