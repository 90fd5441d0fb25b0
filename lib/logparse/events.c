/*-------------------------------------------------------------------------
 *
 * events.c
 *	  What a log record means for a client: the client table (host, user,
 *	  database, application), the pid -> host map, and the messages that
 *	  count: connections authorized with or without TLS or GSS, pg_hba
 *	  rejections, failed TLS handshakes with their reason, Unix-socket
 *	  sessions; the fallback signature (TLS, then plaintext); filters.
 *
 * IDENTIFICATION
 *	  lib/logparse/events.c
 *
 * NOTES
 *	  Server texts followed (PostgreSQL 13-18): postmaster.c
 *	  "connection received: host=%s port=%s", "connection authorized:
 *	  user=%s database=%s application_name=%s SSL enabled (protocol=%s,
 *	  ...)", hba.c "no pg_hba.conf entry for host ..." / "pg_hba.conf
 *	  rejects connection for host ...", be-secure-openssl.c
 *	  be_tls_open_server() "could not accept SSL connection: %s" (the
 *	  OpenSSL reason, "EOF detected" or strerror).  A failed handshake
 *	  comes before the user is known: it is joined to the client address
 *	  through the pid's "connection received" line.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logparse/pglog_int.h"

/* ---- small helpers ---- */

static uint64_t
hash_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h ^ 0xff;
}

void
pgtls__log_copy_n(char *dst, size_t dstlen, const char *src, size_t n)
{
	size_t i;

	if (n >= dstlen)
		n = dstlen - 1;
	for (i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	dst[n] = '\0';
}

static bool
grow_clients(pgtls_logscan *s)
{
	size_t ncap = s->cap * 2;
	client *nc = calloc(ncap, sizeof(client));
	size_t i;

	if (nc == NULL)
		return false;
	for (i = 0; i < s->cap; i++)
	{
		client *c = &s->clients[i];
		size_t h;

		if (!c->used)
			continue;
		h = (size_t)hash_str(hash_str(hash_str(hash_str(14695981039346656037ULL, c->host), c->user), c->db), c->app);
		while (nc[h & (ncap - 1)].used)
			h++;
		nc[h & (ncap - 1)] = *c;
	}
	free(s->clients);
	s->clients = nc;
	s->cap = ncap;
	return true;
}

/* the client if it is tabulated, else NULL (never creates one) */
client *
pgtls__log_find_client(pgtls_logscan *s, const char *host, const char *user, const char *db, const char *app)
{
	size_t h = (size_t)hash_str(hash_str(hash_str(hash_str(14695981039346656037ULL, host), user), db), app);

	for (;; h++)
	{
		client *c = &s->clients[h & (s->cap - 1)];

		if (!c->used)
			return NULL;
		if (strcmp(c->host, host) == 0 && strcmp(c->user, user) == 0 && strcmp(c->db, db) == 0 &&
		    strcmp(c->app, app) == 0)
			return c;
	}
}

client *
pgtls__log_get_client(pgtls_logscan *s, const char *host, const char *user, const char *db, const char *app)
{
	size_t h = (size_t)hash_str(hash_str(hash_str(hash_str(14695981039346656037ULL, host), user), db), app);
	client *c;

	/* a known client is always counted, whatever the table holds */
	for (;; h++)
	{
		c = &s->clients[h & (s->cap - 1)];
		if (!c->used)
			break;
		if (strcmp(c->host, host) == 0 && strcmp(c->user, user) == 0 && strcmp(c->db, db) == 0 &&
		    strcmp(c->app, app) == 0)
			return c;
	}
	/* a new one only while fewer than MAX_CLIENTS are tabulated (the rest is counted as untabulated) */
	if (s->nclients >= MAX_CLIENTS)
		goto full;
	if ((s->nclients + 1) * 2 > s->cap)
	{
		if (!grow_clients(s))
			goto full;
		return pgtls__log_get_client(s, host, user, db, app);
	}
	c->used = true;
	snprintf(c->host, sizeof(c->host), "%s", host);
	snprintf(c->user, sizeof(c->user), "%s", user);
	snprintf(c->db, sizeof(c->db), "%s", db);
	snprintf(c->app, sizeof(c->app), "%s", app);
	s->nclients++;
	return c;
full:
	s->overflow++;
	return NULL;
}

static void
stamp(pgtls_logscan *s, client *c, const char *ts)
{
	if (ts[0] == '\0')
		return;
	if (c->first[0] == '\0' || strcmp(ts, c->first) < 0)
		snprintf(c->first, sizeof(c->first), "%s", ts);
	if (strcmp(ts, c->last) > 0)
		snprintf(c->last, sizeof(c->last), "%s", ts);
	if (s->first[0] == '\0' || strcmp(ts, s->first) < 0)
		snprintf(s->first, sizeof(s->first), "%s", ts);
	if (strcmp(ts, s->last) > 0)
		snprintf(s->last, sizeof(s->last), "%s", ts);
}

static bool
starts(const char *p, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n >= l && memcmp(p, lit, l) == 0;
}

/* value of KEY= up to STOP (NULL: a space; "": the end) inside [p, p+n); false if absent */
static bool
kv(const char *p, size_t n, const char *key, const char *stop, char *out, size_t outlen)
{
	const char *k = memmem(p, n, key, strlen(key));
	const char *v, *e;

	out[0] = '\0';
	if (k == NULL)
		return false;
	v = k + strlen(key);
	e = NULL;
	if (stop && stop[0] == '\0')
		e = p + n; /* "": to the end */
	else if (stop)
		e = memmem(v, (size_t)(p + n - v), stop, strlen(stop));
	if (e == NULL)
	{
		e = memchr(v, ' ', (size_t)(p + n - v));
		if (e == NULL)
			e = p + n;
	}
	pgtls__log_copy_n(out, outlen, v, (size_t)(e - v));
	return true;
}

/* "..." after KEY in a FATAL pg_hba message */
static void
quoted_after(const char *p, size_t n, const char *key, char *out, size_t outlen)
{
	const char *k = memmem(p, n, key, strlen(key));
	const char *v, *e;

	out[0] = '\0';
	if (k == NULL)
		return;
	v = k + strlen(key);
	e = memchr(v, '"', (size_t)(p + n - v));
	if (e)
		pgtls__log_copy_n(out, outlen, v, (size_t)(e - v));
}

static int
tls_version_index(const char *v)
{
	int i;

	for (i = 0; i < V_TLS_OTHER; i++)
		if (strcmp(v, pgtls__log_vnames[i]) == 0)
			return i;
	return V_TLS_OTHER;
}

/* ---- failed TLS handshakes ---- */

const char *const pgtls__log_fail_names[F_NREASONS] = {"unknown_ca",          "certificate_unknown", "bad_certificate",
                                                       "certificate_expired", "protocol_version",    "no_shared_cipher",
                                                       "client_certificate",  "connection_closed",   "other"};

/* be_tls_open_server()'s reason -> the stable code */
static int
fail_reason(const char *r, size_t n)
{
	static const struct
	{
		const char *text;
		int reason;
	} map[] = {
	    {"alert unknown ca", F_UNKNOWN_CA},
	    {"alert certificate unknown", F_CERT_UNKNOWN},
	    {"alert bad certificate", F_BAD_CERT},
	    {"alert decrypt error", F_BAD_CERT},
	    {"alert certificate expired", F_CERT_EXPIRED},
	    {"alert certificate revoked", F_BAD_CERT},
	    {"unsupported protocol", F_PROTOCOL},
	    {"alert protocol version", F_PROTOCOL},
	    {"wrong version number", F_PROTOCOL},
	    {"no protocols available", F_PROTOCOL},
	    {"version too low", F_PROTOCOL},
	    {"version too high", F_PROTOCOL},
	    {"no shared cipher", F_CIPHER},
	    {"alert handshake failure", F_CIPHER},
	    {"peer did not return a certificate", F_CLIENT_CERT},
	    {"certificate verify failed", F_CLIENT_CERT},
	    {"EOF detected", F_EOF},
	    {"Connection reset by peer", F_EOF},
	    {"Broken pipe", F_EOF},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (memmem(r, n, map[i].text, strlen(map[i].text)))
			return map[i].reason;
	return F_OTHER;
}

/* ---- filters ---- */

static bool
listed(char *const *list, int n, const char *v)
{
	for (int i = 0; i < n; i++)
		if (strcmp(list[i], v) == 0)
			return true;
	return false;
}

/* --since/--until: time stamps compared as written ("YYYY-MM-DD HH:MM:SS"), on the given precision */
bool
pgtls__log_in_window(const pgtls_logscan *s, const char *ts)
{
	if (ts[0] == '\0')
		return true;
	if (s->since[0] && strncmp(ts, s->since, strlen(s->since)) < 0)
		return false;
	if (s->until[0] && strncmp(ts, s->until, strlen(s->until)) >= 0)
		return false;
	return true;
}

bool
pgtls__log_is_local(const char *host)
{
	return strcmp(host, "[local]") == 0;
}

static void
flag_fallback(client *c, int kind, const char *ts)
{
	c->fallback = true;
	c->fb_kind = (uint8_t)kind;
	snprintf(c->fallback_since, sizeof(c->fallback_since), "%s", ts[0] ? ts : "?");
}

/* ---- the events ---- */

void
pgtls__log_notify(pgtls_logscan *s, pgtls_log_event_kind kind, const client *c, const char *ts, const char *detail,
                  const char *family, const pidslot *conn)
{
	pgtls_log_event e;

	if (s->event_cb == NULL)
		return;
	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.family = family;
	e.pid = conn ? conn->pid : 0;
	e.port = conn ? conn->port : "";
	e.host = c->host;
	e.user = c->user;
	e.database = c->db;
	e.application_name = c->app;
	e.when = ts;
	e.detail = detail;
	s->event_cb(s->event_arg, &e);
}

void
pgtls_logscan_set_event_cb(pgtls_logscan *s, pgtls_log_event_cb cb, void *arg)
{
	if (s == NULL)
		return;
	s->event_cb = cb;
	s->event_arg = arg;
}

static void
authorized(pgtls_logscan *s, event *ev, const char *m, size_t n)
{
	char user[FIELD_MAX], db[FIELD_MAX], app[FIELD_MAX], proto[32];
	const char *ssl = memmem(m, n, " SSL enabled (", 14);
	const char *gss = memmem(m, n, " GSS (", 6);
	const char *appstop = ssl ? " SSL enabled (" : gss ? " GSS (" : NULL;
	bool gss_enc = gss && memmem(gss, (size_t)(m + n - gss), "encrypted=yes", 13);
	const char *host;
	pidslot *conn = pgtls__conn_of(s, ev->pid);
	client *c;
	bool own;

	kv(m, n, "user=", NULL, user, sizeof(user));
	/* Azure writes "user=postgresdatabase=postgres" (no space) */
	if (strstr(user, "database=") && strstr(user, "database=") > user)
		*strstr(user, "database=") = '\0';
	if (!kv(m, n, "database=", NULL, db, sizeof(db)))
		snprintf(db, sizeof(db), "%s", starts(m, n, "replication") ? "[replication]" : "");
	/* application_name is the last field: up to the SSL/GSS clause, else to the end (it may hold spaces) */
	if (!kv(m, n, "application_name=", appstop ? appstop : "", app, sizeof(app)))
		app[0] = '\0';
	for (size_t k = strlen(app); k > 0 && app[k - 1] == ' '; k--)
		app[k - 1] = '\0';
	s->matched++;
	/* pgtls's own probe sessions (application_name=pgtls), and what the user left out */
	own = strcmp(app, "pgtls") == 0;
	if (conn)
		conn->outcome = own ? OUT_OWN : ssl || gss_enc ? OUT_ENCRYPTED : OUT_UNKNOWN;
	if (own && !s->include_own)
	{
		s->excluded_own++;
		return;
	}
	if (listed(s->excl_users, s->nexcl_users, user) || listed(s->excl_apps, s->nexcl_apps, app))
	{
		s->excluded_filter++;
		return;
	}
	host = ev->host[0] ? ev->host : conn ? conn->host : NULL;
	c = pgtls__log_get_client(s, host ? host : "unknown", user, db, app);
	if (c == NULL)
		return;
	if (ssl)
	{
		kv(ssl, (size_t)(m + n - ssl), "protocol=", ",", proto, sizeof(proto));
		c->tls[tls_version_index(proto)]++;
	}
	else if (gss_enc)
		c->gss++;
	else if (pgtls__log_is_local(c->host))
		c->local++; /* a Unix-domain socket: TLS does not apply */
	else
	{
		uint64_t unsure = c->fb_cannot_tell;
		int kind;

		c->plaintext++;
		/*
		 * The fallback: plaintext after TLS from the same client; or the
		 * retry of a failed handshake, which is the next connection from
		 * the address (conns.c).
		 */
		kind = pgtls__conn_plaintext(s, c, conn, ev->ms);
		if (!c->fallback && pgtls__log_tls_total(c) > 0)
			kind = FB_AFTER_TLS;
		if (!c->fallback && kind != FB_NONE)
			flag_fallback(c, kind, ev->ts);
		pgtls__log_notify(s, PGTLS_LOGEV_PLAINTEXT, c, ev->ts,
		                  c->fallback                   ? "fallback"
		                  : c->fb_cannot_tell != unsure ? "cannot_tell"
		                                                : "",
		                  "", conn);
	}
	stamp(s, c, ev->ts);
}

static void
rejected(pgtls_logscan *s, event *ev, const char *m, size_t n)
{
	char h[64], user[FIELD_MAX], db[FIELD_MAX];
	client *c;
	bool plain = memmem(m, n, "no encryption", 13) || memmem(m, n, "SSL off", 7);
	pidslot *conn = pgtls__conn_of(s, ev->pid);
	bool own;

	quoted_after(m, n, "host \"", h, sizeof(h));
	quoted_after(m, n, "user \"", user, sizeof(user));
	quoted_after(m, n, "database \"", db, sizeof(db));
	s->matched++;
	/* pgtls's own plaintext check asks for the database "pgtls" (docs/json-schema.md, pgtls logs) */
	own = strcmp(db, "pgtls") == 0;
	if (own && conn)
		conn->outcome = OUT_OWN;
	if (own && !s->include_own)
	{
		s->excluded_own++;
		return;
	}
	if (listed(s->excl_users, s->nexcl_users, user))
	{
		s->excluded_filter++;
		return;
	}
	c = pgtls__log_get_client(s, h[0] ? h : "unknown", user, db, "");
	if (c == NULL)
		return;
	if (pgtls__log_is_local(c->host))
		c->rejected_local++;
	else if (plain)
	{
		c->rejected_plain++;
		pgtls__log_notify(s, PGTLS_LOGEV_REJECTED, c, ev->ts, "", "", conn);
	}
	else
		c->rejected_ssl++;
	stamp(s, c, ev->ts);
}

/* "could not accept SSL connection: REASON": the client is its address (no user yet) */
static void
handshake_failed(pgtls_logscan *s, event *ev, const char *m, size_t n)
{
	static const char prefix[] = "could not accept SSL connection: ";
	const char *reason = m + sizeof(prefix) - 1;
	pidslot *conn = pgtls__conn_of(s, ev->pid);
	const char *host = ev->host[0] ? ev->host : conn ? conn->host : NULL;
	int r = fail_reason(reason, n - (sizeof(prefix) - 1));
	client *c;

	s->matched++;
	c = pgtls__log_get_client(s, host ? host : "unknown", "", "", "");
	if (c == NULL)
		return;
	c->tls_failed[r]++;
	c->tls_failed_total++;
	if (conn)
		conn->outcome = OUT_FAILED;
	pgtls__conn_failed(c, conn, r, ev->ms);
	pgtls__log_notify(s, PGTLS_LOGEV_TLS_FAILED, c, ev->ts, pgtls__log_fail_names[r], pgtls__log_family(r), conn);
	stamp(s, c, ev->ts);
}

void
pgtls__log_event(pgtls_logscan *s, event *ev)
{
	const char *m = ev->msg;
	size_t n = ev->msglen;
	char host[64], port[8];
	pidslot *conn;

	ev->ms = pgtls__log_ms(ev->ts);
	if (ev->ms > s->newest_ms)
		s->newest_ms = ev->ms;
	if (starts(m, n, "connection received: "))
	{
		if (kv(m, n, "host=", NULL, host, sizeof(host)))
		{
			kv(m, n, "port=", NULL, port, sizeof(port));
			pgtls__conn_received(s, ev, host, port);
		}
		s->matched++;
		return;
	}
	/* anything else logged by the backend: its connection did not close unseen */
	if ((conn = pgtls__conn_of(s, ev->pid)) != NULL && conn->state == CONN_PENDING)
		conn->state = CONN_SEEN;
	if (!pgtls__log_in_window(s, ev->ts))
	{
		if (starts(m, n, "connection authorized: ") || starts(m, n, "replication connection authorized: ") ||
		    starts(m, n, "could not accept SSL connection: ") || starts(m, n, "no pg_hba.conf entry for host \"") ||
		    starts(m, n, "pg_hba.conf rejects connection for host \""))
		{
			s->matched++;
			s->excluded_time++;
		}
		return;
	}
	if (starts(m, n, "connection authorized: ") || starts(m, n, "replication connection authorized: "))
		authorized(s, ev, m, n);
	else if (starts(m, n, "could not accept SSL connection: "))
		handshake_failed(s, ev, m, n);
	else if (starts(m, n, "no pg_hba.conf entry for host \"") ||
	         starts(m, n, "pg_hba.conf rejects connection for host \""))
		rejected(s, ev, m, n);
}
