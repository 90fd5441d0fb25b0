/*-------------------------------------------------------------------------
 *
 * relay.c
 *	  pgtls impostor --mode relay: a client's TLS handed to a canary
 *	  server already on the new CA, its records watched, never decrypted.
 *
 * IDENTIFICATION
 *	  lib/impostor/relay.c
 *
 * NOTES
 *	  For managed servers whose new CA key nobody holds.  After the
 *	  client's SSLRequest the relay asks the canary, passes its answer on,
 *	  then copies bytes both ways.  From the record headers alone (RFC
 *	  8446 5.1, RFC 5246 6.2) it tells whether the client went on:
 *	  TLS 1.2: an alert in clear before the client's ChangeCipherSpec is a
 *	  refusal; application data after it is the startup.
 *	  TLS 1.3: every client record after the ServerHello is encrypted; the
 *	  first is the client's Finished (4 + 32 or 48 bytes + type + 16-byte
 *	  tag, at least 53) or an alert (2 + 1 + 16 = 19); a later record
 *	  longer than an alert is its startup (a StartupMessage is at least 17
 *	  bytes before encryption).  A client certificate flight would count as
 *	  a startup: rehearsals of clientcert servers say so.
 *	  Who the client was (user, database, application_name) is read from
 *	  the canary's pg_stat_activity by the port the relay connected from,
 *	  while the canary's first replies after the startup are held back:
 *	  the session cannot have ended then.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libpq-fe.h>
#include <openssl/x509v3.h>

#include "impostor/impostor_int.h"

#define REC_CCS 20
#define REC_ALERT 21
#define REC_HANDSHAKE 22
#define REC_APPDATA 23
#define REC_MAX (16384 + 2048)
#define SMALL_RECORD 24 /* an encrypted alert is 19 bytes */
#define TLS12 0x0303
#define TLS13 0x0304
#define MAX_IDENT_TRIES 8
#define IDENT_QUERY                                                                                                    \
	"SELECT usename, datname, coalesce(application_name, '') FROM pg_catalog.pg_stat_activity "                        \
	"WHERE client_port = $1::int AND host(client_addr) = $2 AND usename IS NOT NULL"

static const char *const alert_names[][2] = {{"\x0a", "unexpected_message"},  {"\x28", "handshake_failure"},
                                             {"\x2a", "bad_certificate"},     {"\x2b", "unsupported_certificate"},
                                             {"\x2c", "certificate_revoked"}, {"\x2d", "certificate_expired"},
                                             {"\x2e", "certificate_unknown"}, {"\x2f", "illegal_parameter"},
                                             {"\x30", "unknown_ca"},          {"\x32", "decode_error"},
                                             {"\x33", "decrypt_error"},       {"\x46", "protocol_version"},
                                             {"\x50", "internal_error"},      {"\x5a", "user_canceled"},
                                             {"\x00", "close_notify"}};

static const char *
alert_name(uint8_t d)
{
	for (size_t i = 0; i < sizeof(alert_names) / sizeof(alert_names[0]); i++)
		if ((uint8_t)alert_names[i][0][0] == d)
			return alert_names[i][1];
	return "another alert";
}

/* ---- reading the hellos (bounded: P[N] only) ---- */

typedef struct rd
{
	const uint8_t *p;
	size_t n, at;
	bool bad;
} rd;

static unsigned
rd_num(rd *r, int bytes)
{
	unsigned v = 0;

	if (r->bad || r->n - r->at < (size_t)bytes)
	{
		r->bad = true;
		return 0;
	}
	for (int i = 0; i < bytes; i++)
		v = (v << 8) | r->p[r->at++];
	return v;
}

static void
rd_skip(rd *r, size_t k)
{
	if (r->bad || r->n - r->at < k)
		r->bad = true;
	else
		r->at += k;
}

/* to the extensions of a hello (CLIENT: ClientHello, else ServerHello); false when not one */
static bool
to_extensions(rd *r, bool client)
{
	if (rd_num(r, 1) != (client ? 1u : 2u))
		return false;
	rd_skip(r, 3 + 2 + 32);   /* length, legacy_version, random */
	rd_skip(r, rd_num(r, 1)); /* session id */
	if (client)
	{
		rd_skip(r, rd_num(r, 2)); /* cipher suites */
		rd_skip(r, rd_num(r, 1)); /* compression methods */
	}
	else
		rd_skip(r, 3); /* cipher suite, compression method */
	return !r->bad;
}

/* The version a ServerHello chose: its supported_versions, else its legacy_version. */
static int
server_hello_version(const uint8_t *p, size_t n)
{
	rd r = {p, n, 0, false};
	int legacy = n >= 6 ? (p[4] << 8) | p[5] : 0;
	size_t end;

	if (!to_extensions(&r, false))
		return 0;
	end = r.at + rd_num(&r, 2);
	while (!r.bad && r.at + 4 <= end && end <= n)
	{
		unsigned type = rd_num(&r, 2), len = rd_num(&r, 2);

		if (type == 0x002b && len == 2)
			return (int)rd_num(&r, 2);
		rd_skip(&r, len);
	}
	return legacy;
}

/* The host name of a ClientHello's server_name extension into OUT ("" when none). */
static void
client_hello_sni(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	rd r = {p, n, 0, false};
	size_t end;

	out[0] = '\0';
	if (!to_extensions(&r, true))
		return;
	end = r.at + rd_num(&r, 2);
	while (!r.bad && r.at + 4 <= end && end <= n)
	{
		unsigned type = rd_num(&r, 2), len = rd_num(&r, 2);

		if (type == 0 && len >= 5)
		{
			rd_skip(&r, 2); /* list length */
			if (rd_num(&r, 1) == 0)
			{
				size_t k = rd_num(&r, 2);

				if (!r.bad && k <= n - r.at)
					pgtls__sanitize((const char *)p + r.at, k, out, outlen);
			}
			return;
		}
		rd_skip(&r, len);
	}
}

/* ---- watching the records ---- */

static void
client_record(decoy_conn *c, const relay_watch *w)
{
	relay_obs *o = &c->obs;

	if (w->records == 1 && w->type == REC_HANDSHAKE)
	{
		c->rec.client_hello = true;
		client_hello_sni(w->cap, w->caplen, c->rec.sni, sizeof(c->rec.sni));
	}
	if (!o->server_hello || o->aborted || o->went_on)
		return;
	if (w->type == REC_ALERT && !o->client_ccs && o->client_enc == 0)
	{
		o->aborted = true;
		snprintf(c->rec.client_alert, sizeof(c->rec.client_alert), "%s (alert in clear)",
		         w->alertlen == 2 ? alert_name(w->alert[1]) : "an alert");
		/* OpenSSL sends unknown_ca, JSSE certificate_unknown when the chain fails; Go's bad_certificate may be the name */
		c->rec.refused_chain = w->alertlen == 2 && (w->alert[1] == 0x30 || w->alert[1] == 0x2e);
	}
	else if (w->type == REC_CCS && o->version != TLS13)
		o->client_ccs = true;
	else if (w->type == REC_HANDSHAKE && o->client_ccs)
		c->rec.handshake_done = true; /* TLS 1.2: its Finished */
	else if (w->type == REC_APPDATA && o->version == TLS12)
		o->went_on = o->client_ccs;
	else if (w->type == REC_APPDATA && ++o->client_enc == 1)
	{
		c->rec.handshake_done = w->reclen > SMALL_RECORD;
		if (!c->rec.handshake_done)
		{
			o->aborted = true;
			snprintf(c->rec.client_alert, sizeof(c->rec.client_alert),
			         "an encrypted alert right after the canary's certificate (TLS 1.3)");
		}
	}
	else if (w->type == REC_APPDATA && w->reclen > SMALL_RECORD && c->rec.handshake_done)
		o->went_on = true;
}

static void
server_record(decoy_conn *c, const relay_watch *w)
{
	relay_obs *o = &c->obs;

	if (w->records == 1 && w->type == REC_HANDSHAKE)
	{
		o->server_hello = true;
		o->version = server_hello_version(w->cap, w->caplen);
		if (o->version != TLS12 && o->version != TLS13)
			o->version = 0;
	}
	else if (o->server_hello && o->version == 0 && w->type != REC_CCS)
		o->version = w->type == REC_APPDATA ? TLS13 : TLS12;
	if (o->went_on)
		o->server_after_on++;
}

static void
record_done(decoy_conn *c, bool from_client)
{
	if (from_client)
		client_record(c, &c->wc);
	else
		server_record(c, &c->ws);
}

void
pgtls__relay_watch(decoy_conn *c, bool from_client, const uint8_t *p, size_t n)
{
	relay_watch *w = from_client ? &c->wc : &c->ws;

	while (n > 0 && !w->not_tls)
	{
		size_t take;

		if (w->left == 0)
		{
			take = 5 - w->hdrlen < n ? 5 - w->hdrlen : n;
			memcpy(w->hdr + w->hdrlen, p, take);
			w->hdrlen += take;
			p += take;
			n -= take;
			if (w->hdrlen < 5)
				return;
			w->type = w->hdr[0];
			w->reclen = ((size_t)w->hdr[3] << 8) | w->hdr[4];
			w->hdrlen = 0;
			w->alertlen = 0;
			if (w->type < REC_CCS || w->type > REC_APPDATA || w->hdr[1] != 3 || w->reclen > REC_MAX)
			{
				w->not_tls = true;
				return;
			}
			w->records++;
			w->left = w->reclen;
			if (w->left == 0)
				record_done(c, from_client);
			continue;
		}
		take = w->left < n ? w->left : n;
		if (w->records == 1 && w->cap && w->caplen < RELAY_CAPTURE)
		{
			size_t k = RELAY_CAPTURE - w->caplen < take ? RELAY_CAPTURE - w->caplen : take;

			memcpy(w->cap + w->caplen, p, k);
			w->caplen += k;
		}
		for (size_t i = 0; w->type == REC_ALERT && i < take && w->alertlen < 2; i++)
			w->alert[w->alertlen++] = p[i];
		w->left -= take;
		p += take;
		n -= take;
		if (w->left == 0)
			record_done(c, from_client);
	}
}

/* ---- the connection ---- */

void
pgtls__relay_start(decoy_conn *c, const decoy_relay *relay)
{
	c->rec.relayed = true;
	c->c2s = malloc(RELAY_BUF);
	c->s2c = malloc(RELAY_BUF);
	c->wc.cap = malloc(RELAY_CAPTURE);
	c->ws.cap = malloc(RELAY_CAPTURE);
	if (c->c2s == NULL || c->s2c == NULL || c->wc.cap == NULL || c->ws.cap == NULL)
	{
		pgtls__decoy_finish(c, "cannot relay (out of memory)%s", "");
		return;
	}
	c->up_fd = socket(relay->to.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->up_fd < 0 ||
	    (connect(c->up_fd, (const struct sockaddr *)&relay->to, relay->to_len) != 0 && errno != EINPROGRESS))
	{
		char why[200];

		snprintf(why, sizeof(why), "cannot reach the canary %s: %s", relay->to_text, strerror(errno));
		pgtls__decoy_finish(c, "%s", why);
		return;
	}
	c->st = DS_UP_CONNECT;
}

/* the canary connected: its SSLRequest (none for a direct TLS client) */
static void
up_connected(decoy_conn *c, const decoy_relay *relay)
{
	static const uint8_t sslrequest[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f};
	int err = 0;
	socklen_t el = sizeof(err);
	char why[200];

	if (getsockopt(c->up_fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0)
		err = errno;
	if (err == EINPROGRESS)
		return;
	if (err == 0 && (c->rec.direct || send(c->up_fd, sslrequest, 8, MSG_NOSIGNAL) == 8))
	{
		c->st = c->rec.direct ? DS_RELAY : DS_UP_ANSWER;
		return;
	}
	snprintf(why, sizeof(why), "cannot reach the canary %s: %s", relay->to_text,
	         strerror(err     ? err
	                  : errno ? errno
	                          : EIO));
	pgtls__decoy_finish(c, "%s", why);
}

static void
up_answer(decoy_conn *c)
{
	uint8_t b;
	ssize_t n = recv(c->up_fd, &b, 1, 0);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n != 1 || b != 'S')
	{
		pgtls__decoy_finish(c, "%s",
		                    n == 1 && b == 'N' ? "the canary answered N: it serves no TLS"
		                                       : "the canary did not answer the SSLRequest");
		return;
	}
	c->rec.answer = 'S';
	pgtls__decoy_queue(c, &c->rec.answer, 1, DS_RELAY);
}

/* the first line of the canary connection's last error, for the report */
static void
keep_error(decoy_relay *relay)
{
	const char *m = PQerrorMessage(relay->pq);

	pgtls__sanitize(m, strcspn(m, "\n"), relay->ident_error, sizeof(relay->ident_error));
}

/* (re)connects to the canary for pg_stat_activity: bounded (connect_timeout 5, statement_timeout 2s) unless the
 * conninfo says otherwise; false with relay->ident_error set */
bool
pgtls__relay_connect(decoy_relay *relay)
{
	static const char *const keys[] = {"connect_timeout", "options", "application_name", "dbname", NULL};
	const char *vals[] = {"5", "-c statement_timeout=2000", "pgtls", relay->conninfo, NULL};

	if (relay->pq && PQstatus(relay->pq) == CONNECTION_OK)
		return true;
	PQfinish(relay->pq);
	relay->pq = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(relay->pq) == CONNECTION_OK)
		return true;
	relay->ident_failures++;
	keep_error(relay);
	return false;
}

/* who the relayed client is, from the canary's pg_stat_activity (the canary's reply is held meanwhile) */
static void
identify(decoy_conn *c, decoy_relay *relay)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[NI_MAXHOST], port[NI_MAXSERV];
	const char *vals[2] = {port, host};
	PGresult *res;

	if (relay->conninfo == NULL || c->rec.identified || !c->obs.went_on || c->obs.server_after_on == 0 ||
	    c->obs.server_after_on > MAX_IDENT_TRIES || relay->ident_failures >= 3)
		return;
	if (getsockname(c->up_fd, (struct sockaddr *)&ss, &sl) != 0 ||
	    getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), port, sizeof(port),
	                NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return;
	/* the same bounded connection as at start-up, made again if the canary dropped it */
	if (!pgtls__relay_connect(relay))
		return;
	res = PQexecParams(relay->pq, IDENT_QUERY, 2, NULL, vals, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
	{
		pgtls__sanitize(PQgetvalue(res, 0, 0), strlen(PQgetvalue(res, 0, 0)), c->rec.user, sizeof(c->rec.user));
		pgtls__sanitize(PQgetvalue(res, 0, 1), strlen(PQgetvalue(res, 0, 1)), c->rec.database, sizeof(c->rec.database));
		pgtls__sanitize(PQgetvalue(res, 0, 2), strlen(PQgetvalue(res, 0, 2)), c->rec.appname, sizeof(c->rec.appname));
		c->rec.identified = true;
	}
	else if (PQresultStatus(res) != PGRES_TUPLES_OK)
		keep_error(relay);
	PQclear(res);
}

static bool
again(void)
{
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

/* one pass of copying: true when a byte moved or a side ended */
static bool
pump(decoy_conn *c, decoy_relay *relay)
{
	bool moved = false;
	ssize_t r;

	if (c->c2s_pos == c->c2s_len && !c->client_eof)
	{
		r = recv(c->fd, c->c2s, RELAY_BUF, 0);
		if (r > 0)
		{
			pgtls__relay_watch(c, true, c->c2s, (size_t)r);
			c->c2s_len = (size_t)r;
			c->c2s_pos = 0;
		}
		c->client_eof = r == 0 || (r < 0 && !again());
		moved |= r >= 0 || c->client_eof;
	}
	if (c->c2s_pos < c->c2s_len && !c->up_eof)
	{
		r = send(c->up_fd, c->c2s + c->c2s_pos, c->c2s_len - c->c2s_pos, MSG_NOSIGNAL);
		if (r > 0)
			c->c2s_pos += (size_t)r;
		c->up_eof = r < 0 && !again();
		moved |= r > 0 || c->up_eof;
	}
	if (c->s2c_pos == c->s2c_len && !c->up_eof)
	{
		r = recv(c->up_fd, c->s2c, RELAY_BUF, 0);
		if (r > 0)
		{
			pgtls__relay_watch(c, false, c->s2c, (size_t)r);
			c->s2c_len = (size_t)r;
			c->s2c_pos = 0;
			identify(c, relay);
		}
		c->up_eof = r == 0 || (r < 0 && !again());
		moved |= r >= 0 || c->up_eof;
	}
	if (c->s2c_pos < c->s2c_len && !c->client_eof)
	{
		r = send(c->fd, c->s2c + c->s2c_pos, c->s2c_len - c->s2c_pos, MSG_NOSIGNAL);
		if (r > 0)
			c->s2c_pos += (size_t)r;
		c->client_eof = r < 0 && !again();
		moved |= r > 0 || c->client_eof;
	}
	return moved;
}

static const char *
end_words(const decoy_conn *c)
{
	if (c->obs.went_on)
		return "relayed: it went on with its session over the canary's TLS";
	if (c->obs.aborted)
		return "it refused the canary's certificate";
	if (c->rec.handshake_done)
		return "it finished the handshake with the canary, then closed before its startup";
	if (c->obs.server_hello)
		return "it closed after the canary's certificate, before finishing the handshake";
	if (c->wc.not_tls || c->ws.not_tls)
		return "not TLS: a record header no TLS peer sends";
	return "it closed before the canary answered its handshake";
}

void
pgtls__relay_step(decoy_conn *c, decoy_relay *relay)
{
	switch (c->st)
	{
		case DS_UP_CONNECT:
			up_connected(c, relay);
			return;
		case DS_UP_ANSWER:
			up_answer(c);
			return;
		default:
			break;
	}
	for (int round = 0; round < 16 && pump(c, relay); round++)
		if (c->client_eof || (c->up_eof && c->s2c_pos == c->s2c_len))
			break;
	if (c->client_eof)
		pgtls__decoy_finish(c, "%s", end_words(c));
	else if (c->up_eof && c->s2c_pos == c->s2c_len)
		pgtls__decoy_finish(c, "the canary closed the connection; %s", end_words(c));
}

void
pgtls__relay_conclude(decoy_conn *c)
{
	const char *v = c->obs.version == TLS13 ? "TLSv1.3" : c->obs.version == TLS12 ? "TLSv1.2" : "";

	snprintf(c->rec.tls_version, sizeof(c->rec.tls_version), "%s", v);
	c->rec.startup = c->rec.startup_tls = c->obs.went_on;
	if (c->obs.went_on)
		c->rec.handshake_done = true;
	if (!c->obs.went_on && !c->obs.aborted && c->rec.client_alert[0] == '\0' && c->obs.server_hello)
		snprintf(c->rec.client_alert, sizeof(c->rec.client_alert), "%s",
		         c->rec.handshake_done ? "closed after the handshake, before its startup"
		                               : "closed during the handshake");
}

void
pgtls__relay_name_check(decoy_conn *c, const decoy_relay *relay)
{
	if (relay->leaf == NULL)
		return;
	if (c->rec.sni[0])
		c->rec.name_tested = X509_check_host(relay->leaf, c->rec.sni, strlen(c->rec.sni), 0, NULL) == 1;
	else if (relay->listen_ip[0])
		c->rec.name_tested = X509_check_ip_asc(relay->leaf, relay->listen_ip, 0) == 1;
}

void
pgtls__relay_clear(decoy_relay *relay)
{
	PQfinish(relay->pq);
	X509_free(relay->leaf);
	free(relay->conninfo);
	memset(relay, 0, sizeof(*relay));
}
