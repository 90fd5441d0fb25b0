/*-------------------------------------------------------------------------
 *
 * probe.c
 *	  The probe object: options, name resolution, connection set-up.
 *
 * IDENTIFICATION
 *	  lib/probe/probe.c
 *
 * NOTES
 *	  A probe drives up to three connections at once: SSLRequest + TLS +
 *	  startup, direct TLS (PG17) + startup, and a plaintext startup.  The
 *	  TLS context mirrors libpq's defaults (TLS 1.2 minimum, no
 *	  compression, SNI for host names) but does not verify: verification
 *	  is done offline per rootcert setting in verdict.c.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <netdb.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <libpq-fe.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "probe/probe_int.h"

pgtls_probe *
pgtls_probe_new(void)
{
	pgtls_probe *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->timeout_ms = 10000;
	p->warn_days = 30;
	p->neg_postgres = true;
	p->sslsni = true;
	p->libpq_version = PQlibVersion();
	p->libpq_version_source = "linked";
	p->driver = PGTLS_DRIVER_LIBPQ;
	return p;
}

void
pgtls_probe_free(pgtls_probe *p)
{
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nconns; i++)
		pgtls__conn_free(p->conns[i]);
	if (p->addrs)
		freeaddrinfo(p->addrs);
	SSL_CTX_free(p->ctx);
	for (i = 0; i < p->nchain; i++)
		pgtls__cert_free(p->chain[i]);
	free(p->chain);
	free(p->findings);
	free(p->target);
	free(p->host);
	free(p->hostaddr);
	free(p->port);
	free(p->cinfo_user);
	free(p->cinfo_dbname);
	free(p->cinfo_rootcert);
	free(p->cinfo_sslmode);
	free(p->sslcrl);
	free(p->sslcrldir);
	free(p->sslcert);
	free(p->sslkey);
	free(p->ssl_min);
	free(p->ssl_max);
	free(p->cinfo_negotiation);
	if (p->sslpassword)
		OPENSSL_cleanse(p->sslpassword, strlen(p->sslpassword));
	free(p->sslpassword);
	free(p->opt_rootcert);
	free(p->servername);
	free(p->user);
	free(p->dbname);
	free(p->home);
	if (p->rootcert_password)
		OPENSSL_cleanse(p->rootcert_password, strlen(p->rootcert_password));
	free(p->rootcert_password);
	free(p);
}

static pgtls_err
parse_int(pgtls_probe *p, const char *what, const char *value, int min, int max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || end == value || *end != '\0' || v < min || v > max)
		return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "invalid %s \"%s\": expected a whole number from %d to %d", what,
		                     value, min, max);
	*out = (int)v;
	return PGTLS_OK;
}

static pgtls_err
dup_opt(pgtls_probe *p, char **dst, const char *value)
{
	char *copy = strdup(value);

	if (copy == NULL)
		return pgtls__seterr(&p->err, PGTLS_ERR_OOM, "out of memory");
	free(*dst);
	*dst = copy;
	return PGTLS_OK;
}

pgtls_err
pgtls_probe_set_option(pgtls_probe *p, pgtls_probe_opt opt, const char *value)
{
	if (p == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&p->err);
	if (value == NULL)
		return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "option value missing");
	if (strlen(value) > 1000)
		return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "option value longer than 1000 bytes");
	switch (opt)
	{
		case PGTLS_PROBE_ROOTCERT:
			p->opt_rootcert_set = true;
			return dup_opt(p, &p->opt_rootcert, value);
		case PGTLS_PROBE_SERVERNAME:
			if (value[0] == '\0')
				return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "empty server name");
			return dup_opt(p, &p->servername, value);
		case PGTLS_PROBE_USER:
		case PGTLS_PROBE_DBNAME:
			if (value[0] == '\0')
				return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "empty %s name",
				                     opt == PGTLS_PROBE_USER ? "user" : "database");
			/* the StartupMessage must fit its buffer; PostgreSQL names are at most 63 bytes anyway */
			if (strlen(value) > PROBE_MAX_NAME)
				return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "%s name longer than %d bytes",
				                     opt == PGTLS_PROBE_USER ? "user" : "database", PROBE_MAX_NAME);
			return dup_opt(p, opt == PGTLS_PROBE_USER ? &p->user : &p->dbname, value);
		case PGTLS_PROBE_HOME:
			return dup_opt(p, &p->home, value);
		case PGTLS_PROBE_ROOTCERT_PASSWORD:
			return dup_opt(p, &p->rootcert_password, value);
		case PGTLS_PROBE_NEGOTIATION:
			p->neg_option = true;
			if (strcmp(value, "postgres") == 0)
				p->neg_postgres = true, p->neg_direct = false;
			else if (strcmp(value, "direct") == 0)
				p->neg_postgres = false, p->neg_direct = true;
			else if (strcmp(value, "both") == 0)
				p->neg_postgres = true, p->neg_direct = true;
			else
				return pgtls__seterr(&p->err, PGTLS_ERR_USAGE,
				                     "invalid negotiation \"%s\": expected postgres, direct or both", value);
			return PGTLS_OK;
		case PGTLS_PROBE_TIMEOUT_MS:
			return parse_int(p, "timeout", value, 1, 3600 * 1000, &p->timeout_ms);
		case PGTLS_PROBE_WARN_DAYS:
			return parse_int(p, "warning horizon (days)", value, 0, 36500, &p->warn_days);
		case PGTLS_PROBE_LIBPQ_VERSION:
			return pgtls__probe_set_libpq_version(p, value);
		case PGTLS_PROBE_DRIVER:
			p->nonvalidating = strcmp(value, "pgjdbc-nonvalidating") == 0;
			if (p->nonvalidating)
				p->driver = PGTLS_DRIVER_PGJDBC;
			if (p->nonvalidating || pgtls__driver_parse(value, &p->driver))
				return PGTLS_OK;
			return pgtls__seterr(&p->err, PGTLS_ERR_USAGE,
			                     "invalid driver \"%s\": expected a row of docs/drivers.md (libpq, pgjdbc, "
			                     "pgjdbc-nonvalidating, lib/pq, pgx, ...)",
			                     value);
	}
	return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "unknown option %d", (int)opt);
}

/* The name libpq checks (and sends as SNI): host, never hostaddr. */
const char *
pgtls__probe_checked_name(const pgtls_probe *p)
{
	if (p->servername)
		return p->servername;
	return p->host ? p->host : "";
}

static SSL_CTX *
new_ctx(pgtls_probe *p)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	int lo = pgtls__tls_version_number(p->ssl_min), hi = pgtls__tls_version_number(p->ssl_max);

	if (ctx == NULL)
		return NULL;
	/* libpq: ssl_min_protocol_version (default TLSv1.2) and ssl_max_protocol_version, no compression */
	if (SSL_CTX_set_min_proto_version(ctx, lo > 0 ? lo : TLS1_2_VERSION) != 1 ||
	    (hi > 0 && SSL_CTX_set_max_proto_version(ctx, hi) != 1))
	{
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	return ctx;
}

/* The TLS context: libpq's protocol range, and the client certificate libpq would present. */
static pgtls_err
make_ctx(pgtls_probe *p)
{
	ERR_clear_error();
	p->ctx = new_ctx(p);
	if (p->ctx == NULL)
		return pgtls__seterr(&p->err, PGTLS_ERR_TLS, "could not create SSL context");
	pgtls__probe_load_client_cert(p, p->ctx);
	if (p->cc.cert_exists && !p->cc.presented)
	{
		/* libpq fails each TLS attempt; the probe's handshake goes on without the certificate */
		SSL_CTX_free(p->ctx);
		p->ctx = new_ctx(p);
		if (p->ctx == NULL)
			return pgtls__seterr(&p->err, PGTLS_ERR_TLS, "could not create SSL context");
	}
	ERR_clear_error();
	return PGTLS_OK;
}

static pgtls_err
add_conn(pgtls_probe *p, pgtls_conn_kind kind, const char *sni, const char *user, const char *dbname)
{
	pgtls_conn_params cp;

	memset(&cp, 0, sizeof(cp));
	cp.kind = kind;
	cp.addrs = p->addrs;
	cp.sni = kind == PGTLS_CONN_PLAIN ? NULL : sni;
	cp.user = user;
	cp.dbname = dbname;
	cp.timeout_ms = p->timeout_ms;
	cp.ctx = p->ctx;
	p->conns[p->nconns] = pgtls__conn_new(&cp);
	if (p->conns[p->nconns] == NULL)
		return pgtls__seterr(&p->err, PGTLS_ERR_OOM, "out of memory");
	p->kinds[p->nconns] = kind;
	p->nconns++;
	return PGTLS_OK;
}

const char *
pgtls__probe_user(const pgtls_probe *p)
{
	if (p->user)
		return p->user;
	if (p->cinfo_user && p->cinfo_user[0])
		return p->cinfo_user; /* conninfo, service, PGUSER or the operating-system user */
	return "postgres";
}

/* the database set (--dbname, the conninfo, a service, PGDATABASE), or NULL */
static const char *
dbname_set(const pgtls_probe *p)
{
	if (p->dbname)
		return p->dbname;
	return p->cinfo_dbname && p->cinfo_dbname[0] ? p->cinfo_dbname : NULL;
}

const char *
pgtls__probe_dbname(const pgtls_probe *p)
{
	return dbname_set(p) ? dbname_set(p) : pgtls__probe_user(p);
}

/*
 * The database of the plaintext check: the one set, else "pgtls".  A
 * server that refuses plaintext logs the user and database of each
 * attempt (an application_name it does not log), so `pgtls logs` can
 * leave pgtls's own checks out.
 */
const char *
pgtls__probe_plain_dbname(const pgtls_probe *p)
{
	return dbname_set(p) ? dbname_set(p) : "pgtls";
}

/*
 * getaddrinfo() under the probe's deadline: a resolver that does not answer
 * must not hang the probe.  glibc's getaddrinfo_a() runs the lookup in its
 * own thread.  The request lives on the heap with copies of its inputs:
 * when the lookup cannot be cancelled and has not finished after a grace
 * period, it is left to its thread (a few hundred bytes, only when the
 * resolver hangs), never freed under it.
 */
typedef struct lookup
{
	struct gaicb cb;
	struct addrinfo hints;
	char *host;
	char *port;
} lookup;

static int
resolve(const char *host, const char *port, const struct addrinfo *hints, int timeout_ms, struct addrinfo **res)
{
	lookup *lk = calloc(1, sizeof(*lk));
	struct gaicb *list[1];
	struct timespec ts = {.tv_sec = timeout_ms / 1000, .tv_nsec = (long)(timeout_ms % 1000) * 1000000L};
	int rc;

	*res = NULL;
	if (lk == NULL || (lk->host = strdup(host)) == NULL || (lk->port = strdup(port)) == NULL)
		rc = EAI_MEMORY;
	else
	{
		lk->hints = *hints;
		lk->cb = (struct gaicb){.ar_name = lk->host, .ar_service = lk->port, .ar_request = &lk->hints};
		list[0] = &lk->cb;
		rc = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL);
	}
	if (rc != 0)
		goto done;
	(void)gai_suspend((const struct gaicb *const *)list, 1, &ts);
	rc = gai_error(&lk->cb);
	if (rc != EAI_INPROGRESS)
	{
		*res = lk->cb.ar_result;
		goto done;
	}
	/* timed out */
	if (gai_cancel(&lk->cb) != EAI_CANCELED)
	{
		struct timespec grace = {.tv_sec = 5};

		(void)gai_suspend((const struct gaicb *const *)list, 1, &grace);
		if (gai_error(&lk->cb) == EAI_INPROGRESS)
			return EAI_AGAIN; /* still running: LK belongs to the resolver thread now */
		if (gai_error(&lk->cb) == 0)
			freeaddrinfo(lk->cb.ar_result);
	}
	rc = EAI_AGAIN;
done:
	if (lk)
	{
		free(lk->host);
		free(lk->port);
		free(lk);
	}
	return rc;
}

/*
 * sslnegotiation from the connection string or PGSSLNEGOTIATION (libpq 17):
 * older libpq refuses the keyword and ignores the variable; --negotiation
 * wins over both.
 */
static pgtls_err
apply_sslnegotiation(pgtls_probe *p)
{
	const char *v = p->cinfo_negotiation;

	if (v == NULL)
		return PGTLS_OK;
	if (!PROBE_LIBPQ_AT_LEAST(p, 17))
	{
		if (strcmp(p->negotiation_origin, "env") == 0)
			return PGTLS_OK;
		return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "invalid connection option \"%s\"", "sslnegotiation");
	}
	if (strcmp(v, "postgres") != 0 && strcmp(v, "direct") != 0)
		return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "invalid %s value: \"%s\"", "sslnegotiation", v);
	if (!p->neg_option)
	{
		p->neg_direct = strcmp(v, "direct") == 0;
		p->neg_postgres = !p->neg_direct;
	}
	return PGTLS_OK;
}

pgtls_err
pgtls_probe_start(pgtls_probe *p)
{
	struct addrinfo hints;
	const char *connect_to;
	const char *sni = NULL;
	const char *name;
	int rc;

	if (p == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&p->err);
	if (p->started)
		return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "probe already started");
	if (p->target == NULL)
		return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "no target set");
	if (apply_sslnegotiation(p) != PGTLS_OK)
		return p->err.code;
	if (p->neg_direct && !PROBE_LIBPQ_AT_LEAST(p, 17))
		return pgtls__seterr(&p->err, PGTLS_ERR_USAGE,
		                     "direct TLS (sslnegotiation=direct) needs libpq 17 or later; the verdicts are for libpq "
		                     "%d (the verdicts of libpq 17 are asked with the libpq version option)",
		                     p->libpq_version / 10000);
	p->started = true;

	connect_to = (p->hostaddr && p->hostaddr[0]) ? p->hostaddr : p->host;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	if (connect_to == p->hostaddr)
		hints.ai_flags = AI_NUMERICHOST;
	rc = resolve(connect_to, p->port, &hints, p->timeout_ms, &p->addrs);
	if (rc != 0)
		return pgtls__seterr(&p->err, PGTLS_ERR_IO, "could not translate host name \"%s\" to address: %s", connect_to,
		                     gai_strerror(rc));
	if (make_ctx(p) != PGTLS_OK)
		return p->err.code;

	/* libpq (sslsni=1) sends SNI for host names, never for IP literals */
	name = pgtls__probe_checked_name(p);
	if (p->sslsni && name[0] && !pgtls__is_ip_address(name))
		sni = name;
	if (p->neg_postgres && add_conn(p, PGTLS_CONN_SSLREQUEST, sni, pgtls__probe_user(p), pgtls__probe_dbname(p)))
		return p->err.code;
	if (p->neg_direct && add_conn(p, PGTLS_CONN_DIRECT, sni, pgtls__probe_user(p), pgtls__probe_dbname(p)))
		return p->err.code;
	if (add_conn(p, PGTLS_CONN_PLAIN, NULL, pgtls__probe_user(p), pgtls__probe_plain_dbname(p)))
		return p->err.code;
	return PGTLS_OK;
}

int
pgtls_probe_nconns(const pgtls_probe *p)
{
	return p ? p->nconns : 0;
}

pgtls_conn *
pgtls_probe_conn(pgtls_probe *p, int i)
{
	if (p == NULL || i < 0 || i >= p->nconns)
		return NULL;
	return p->conns[i];
}

pgtls_err
pgtls_probe_finish(pgtls_probe *p)
{
	int i;

	if (p == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&p->err);
	if (!p->started)
		return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "probe not started");
	if (p->evaluated || p->chain || p->nverdicts)
		return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "probe already finished");
	for (i = 0; i < p->nconns; i++)
		if (!pgtls__conn_done(p->conns[i]))
			return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "connection %d has not finished", i);
	return pgtls__probe_evaluate(p);
}

int
pgtls_probe_status(const pgtls_probe *p)
{
	return (p && p->evaluated) ? (int)p->status : 3;
}

pgtls_err
pgtls_probe_errcode(const pgtls_probe *p)
{
	return p ? p->err.code : PGTLS_ERR_USAGE;
}

const char *
pgtls_probe_errmsg(const pgtls_probe *p)
{
	return p ? p->err.msg : "no probe";
}
