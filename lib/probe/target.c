/*-------------------------------------------------------------------------
 *
 * target.c
 *	  Turn host[:port], postgresql:// URIs and conninfo strings into the
 *	  connection parameters a probe needs.
 *
 * IDENTIFICATION
 *	  lib/probe/target.c
 *
 * NOTES
 *	  URIs and conninfo strings are parsed by libpq's own PQconninfoParse,
 *	  so pgtls accepts exactly what libpq accepts.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <openssl/crypto.h>

#include "conninfo/conninfo.h"
#include "probe/probe_int.h"

#define MAX_TARGET_LEN 4096

static bool
valid_port(const char *s)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0' || strlen(s) > 5)
		return false;
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	v = strtol(s, &end, 10);
	return *end == '\0' && v >= 1 && v <= 65535;
}

static pgtls_err
set_str(pgtls_probe *p, char **dst, const char *src)
{
	free(*dst);
	*dst = NULL;
	if (src == NULL)
		return PGTLS_OK;
	*dst = strdup(src);
	if (*dst == NULL)
		return pgtls__seterr(&p->err, PGTLS_ERR_OOM, "out of memory");
	return PGTLS_OK;
}

static pgtls_err parse_conninfo(pgtls_probe *p, const char *spec, bool secret);

static void
append_quoted(pgtls_strbuf *sb, const char *key, const char *val)
{
	pgtls__sb_appendf(sb, "%s%s='", sb->len ? " " : "", key);
	for (const char *c = val; *c; c++)
		pgtls__sb_appendf(sb, "%s%c", (*c == '\'' || *c == '\\') ? "\\" : "", *c);
	pgtls__sb_appendf(sb, "'");
}

/*
 * sslnegotiation (libpq 17) is not a keyword of the linked libpq 15: it is
 * taken out of SPEC here (into p->cinfo_negotiation, judged by the emulated
 * version when the probe starts) and *REBUILT gets the rest as a conninfo
 * string for PQconninfoParse.  Anything else the lenient parser cannot
 * place is left to PQconninfoParse, which reports it as libpq does.
 */
static pgtls_err
take_newer_keywords(pgtls_probe *p, const char *spec, char **rebuilt)
{
	pgtls_settings *extra, *o;
	const char *key, *val;
	char err[256];
	pgtls_strbuf sb;

	*rebuilt = NULL;
	if (strstr(spec, "sslnegotiation") == NULL || (extra = pgtls__settings_new()) == NULL)
		return PGTLS_OK;
	o = pgtls__conninfo_parse_ex(spec, extra, err, sizeof(err));
	if (o == NULL || extra->sslnegotiation == NULL || pgtls__settings_count(extra) != 1)
	{
		pgtls__settings_free(o);
		pgtls__settings_free(extra);
		return PGTLS_OK;
	}
	free(p->cinfo_negotiation);
	p->cinfo_negotiation = strdup(extra->sslnegotiation);
	p->negotiation_origin = "conninfo";
	pgtls__sb_init(&sb);
	for (size_t i = 0; pgtls__settings_nth(o, i, &key, &val); i++)
		append_quoted(&sb, key, val);
	pgtls__settings_free(o);
	pgtls__settings_free(extra);
	if (p->cinfo_negotiation == NULL || sb.oom)
	{
		pgtls__sb_free(&sb);
		return pgtls__seterr(&p->err, PGTLS_ERR_OOM, "out of memory");
	}
	*rebuilt = sb.data; /* owned by the caller now */
	return *rebuilt ? PGTLS_OK : pgtls__seterr(&p->err, PGTLS_ERR_OOM, "out of memory");
}

static pgtls_err
parse_hostport(pgtls_probe *p, const char *spec)
{
	char host[1024];
	const char *port = NULL;
	size_t hlen;

	/* "user:password@host" is not a host: refuse it without echoing what may be a password */
	if (strchr(spec, '@'))
		return pgtls__seterr(&p->err, PGTLS_ERR_PARSE,
		                     "invalid target: host[:port] holds no user or password (use a postgresql:// URI)");
	if (spec[0] == '[')
	{
		const char *close = strchr(spec, ']');

		if (close == NULL)
			return pgtls__seterr(&p->err, PGTLS_ERR_PARSE, "invalid target \"%s\": missing \"]\"", spec);
		hlen = (size_t)(close - spec - 1);
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			return pgtls__seterr(&p->err, PGTLS_ERR_PARSE, "invalid target \"%s\": junk after \"]\"", spec);
		spec++;
	}
	else
	{
		const char *colon = strchr(spec, ':');

		if (colon && strchr(colon + 1, ':'))
			return pgtls__seterr(&p->err, PGTLS_ERR_PARSE, "invalid target \"%s\": write IPv6 addresses as [addr]:port",
			                     spec);
		hlen = colon ? (size_t)(colon - spec) : strlen(spec);
		if (colon)
			port = colon + 1;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return pgtls__seterr(&p->err, PGTLS_ERR_PARSE, "invalid target: empty or overlong host name");
	memcpy(host, spec, hlen);
	host[hlen] = '\0';
	for (size_t i = 0; i < hlen; i++)
		if (isspace((unsigned char)host[i]) || iscntrl((unsigned char)host[i]))
			return pgtls__seterr(&p->err, PGTLS_ERR_PARSE,
			                     "invalid target: host name contains white space or control characters");
	if (port && !valid_port(port))
		return pgtls__seterr(&p->err, PGTLS_ERR_PARSE, "invalid port number: \"%s\"", port);
	/* as psql -h HOST [-p PORT]: the other settings come from the environment and defaults */
	{
		char ci[2200];
		size_t n = 0;

		n += (size_t)snprintf(ci, sizeof(ci), "host='");
		for (const char *h = host; *h && n < sizeof(ci) - 64; h++)
		{
			if (*h == '\'' || *h == '\\')
				ci[n++] = '\\';
			ci[n++] = *h;
		}
		snprintf(ci + n, sizeof(ci) - n, "'%s%s", port ? " port=" : "", port ? port : "");
		return parse_conninfo(p, ci, false);
	}
}

static pgtls_err
parse_conninfo(pgtls_probe *p, const char *spec, bool secret)
{
	char *errmsg = NULL;
	char *rebuilt = NULL;
	PQconninfoOption *opts;
	pgtls_err rc = PGTLS_OK;

	if (take_newer_keywords(p, spec, &rebuilt) != PGTLS_OK)
		return p->err.code;
	opts = PQconninfoParse(rebuilt ? rebuilt : spec, &errmsg);
	if (rebuilt)
	{
		OPENSSL_cleanse(rebuilt, strlen(rebuilt)); /* may hold a password */
		free(rebuilt);
	}

	if (opts == NULL)
	{
		if (errmsg)
		{
			size_t n = strlen(errmsg);

			while (n > 0 && (errmsg[n - 1] == '\n' || errmsg[n - 1] == ' '))
				errmsg[--n] = '\0';
			/* libpq's message may quote part of a password: then only the masked input is shown */
			if (secret)
				rc = pgtls__seterr(&p->err, PGTLS_ERR_PARSE,
				                   "invalid connection string \"%s\" (libpq's detail withheld: the string holds a "
				                   "password)",
				                   p->target);
			else
				rc = pgtls__seterr(&p->err, PGTLS_ERR_PARSE, "invalid connection string: %s", errmsg);
			PQfreemem(errmsg);
		}
		else
			rc = pgtls__seterr(&p->err, PGTLS_ERR_OOM, "out of memory");
		return rc;
	}
	/* service file, PG* variables and defaults, as libpq completes the settings before connecting */
	rc = pgtls__probe_resolve(p, opts);
	PQconninfoFree(opts);
	if (rc != PGTLS_OK || pgtls__probe_check_protocols(p) != PGTLS_OK)
		return p->err.code;
	if (p->cinfo_negotiation == NULL && getenv("PGSSLNEGOTIATION"))
	{
		/* libpq 17's variable (the linked libpq's option list does not have it) */
		if ((p->cinfo_negotiation = strdup(getenv("PGSSLNEGOTIATION"))) == NULL)
			return pgtls__seterr(&p->err, PGTLS_ERR_OOM, "out of memory");
		p->negotiation_origin = "env";
	}

	if ((p->cinfo_user && strlen(p->cinfo_user) > PROBE_MAX_NAME) ||
	    (p->cinfo_dbname && strlen(p->cinfo_dbname) > PROBE_MAX_NAME))
		return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "user or database name longer than %d bytes", PROBE_MAX_NAME);
	if ((p->host && strchr(p->host, ',')) || (p->hostaddr && strchr(p->hostaddr, ',')) ||
	    (p->port && strchr(p->port, ',')))
		return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "multiple hosts are not supported: probe each host separately");
	if (p->host && p->host[0] == '/')
		return pgtls__seterr(&p->err, PGTLS_ERR_USAGE,
		                     "\"%s\" is a Unix-domain socket directory: TLS is only used over TCP; give a host name",
		                     p->host);
	if ((p->host == NULL || p->host[0] == '\0') && (p->hostaddr == NULL || p->hostaddr[0] == '\0'))
		return pgtls__seterr(&p->err, PGTLS_ERR_USAGE,
		                     "no host in the connection string: TLS is only used over TCP; set host=");
	if (p->port == NULL || p->port[0] == '\0')
		rc = set_str(p, &p->port, "5432");
	else if (!valid_port(p->port))
		return pgtls__seterr(&p->err, PGTLS_ERR_PARSE, "invalid port number: \"%s\"", p->port);
	return rc;
}

pgtls_err
pgtls_probe_set_target(pgtls_probe *p, const char *spec)
{
	if (p == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&p->err);
	if (spec == NULL || spec[0] == '\0')
		return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "empty target");
	if (strlen(spec) > MAX_TARGET_LEN)
		return pgtls__seterr(&p->err, PGTLS_ERR_PARSE, "target longer than %d bytes", MAX_TARGET_LEN);
	{
		/* what is kept and shown is the target with its password masked */
		char *masked = pgtls__mask_secrets(spec, strlen(spec));
		bool secret;

		if (masked == NULL)
			return pgtls__seterr(&p->err, PGTLS_ERR_OOM, "out of memory");
		secret = strcmp(masked, spec) != 0;
		free(p->target);
		p->target = masked;
		if (strncmp(spec, "postgresql://", 13) == 0 || strncmp(spec, "postgres://", 11) == 0 ||
		    strchr(spec, '=') != NULL)
			return parse_conninfo(p, spec, secret);
	}
	return parse_hostport(p, spec);
}
