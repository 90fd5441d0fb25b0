/*-------------------------------------------------------------------------
 *
 * settings.c
 *	  The connection settings as libpq completes them before it connects:
 *	  service file, PG* environment variables, compiled defaults, the
 *	  default user; and the libpq version whose rules the verdicts follow.
 *
 * IDENTIFICATION
 *	  lib/probe/settings.c
 *
 * NOTES
 *	  Follows libpq 15 fe-connect.c conninfo_add_defaults(): a value set
 *	  in the connection string wins; then the service's value
 *	  (parseServiceInfo: service=, else PGSERVICE; the file PGSERVICEFILE
 *	  or ~/.pg_service.conf, then PGSYSCONFDIR/pg_service.conf); then the
 *	  option's environment variable (PQconninfoOption.envvar, and the
 *	  deprecated PGREQUIRESSL=1 for sslmode); then the compiled default;
 *	  user defaults to the operating-system user (pg_fe_getauthname) and
 *	  dbname to the user.  parseServiceFile() reads lines of at most 255
 *	  bytes, does not trim around "=", and refuses unknown keywords and a
 *	  nested service; its error texts are kept word for word.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <openssl/crypto.h>

#include "conninfo/conninfo.h"
#include "probe/probe_int.h"

#ifndef PGTLS_PG_SYSCONFDIR
#define PGTLS_PG_SYSCONFDIR "/etc/postgresql-common"
#endif

#define SERVICE_MAX_LINES (1000 * 1000) /* bound: libpq has none */

/* The settings shown in the report (and what decides a TLS outcome). */
static const char *const shown[] = {"service",
                                    "host",
                                    "hostaddr",
                                    "port",
                                    "user",
                                    "dbname",
                                    "sslmode",
                                    "sslrootcert",
                                    "sslcrl",
                                    "sslcrldir",
                                    "sslcert",
                                    "sslkey",
                                    "sslpassword",
                                    "sslsni",
                                    "ssl_min_protocol_version",
                                    "ssl_max_protocol_version",
                                    "gssencmode"};

static int
find_opt(const PQconninfoOption *opts, const char *keyword)
{
	for (int i = 0; opts[i].keyword; i++)
		if (strcmp(opts[i].keyword, keyword) == 0)
			return i;
	return -1;
}

/* One value and where it came from; VALS/ORIGINS are indexed like OPTS. */
typedef struct resolved
{
	const PQconninfoOption *opts;
	char **vals;
	const char **origins;
	int n;
} resolved;

static pgtls_err
take(pgtls_probe *p, resolved *r, int i, const char *val, const char *origin)
{
	char *copy = strdup(val);

	if (copy == NULL)
		return pgtls__seterr(&p->err, PGTLS_ERR_OOM, "out of memory");
	r->vals[i] = copy;
	r->origins[i] = origin;
	return PGTLS_OK;
}

/*
 * One line of group SERVICE of FILE (KIND, KEY, VAL as conninfo/service.c
 * split it) as parseServiceFile() takes it: the linked libpq's keywords
 * are known; a value already set is kept.
 */
static pgtls_err
service_setting(pgtls_probe *p, resolved *r, pgtls_service_line kind, const char *key, const char *val,
                const char *file, int linenr)
{
	int i = kind == PGTLS_SVC_SETTING ? find_opt(r->opts, key) : -1;
	char why[1400];

	if (pgtls__service_refuses(kind, key, i >= 0, file, linenr, why, sizeof(why)))
		return pgtls__seterr(&p->err, PGTLS_ERR_PARSE, "%s", why);
	if (kind == PGTLS_SVC_SETTING && r->vals[i] == NULL)
		return take(p, r, i, val, "service");
	return PGTLS_OK;
}

/* parseServiceFile(): fills unset values from group SERVICE of FILE; *FOUND when the group is there. */
static pgtls_err
service_file(pgtls_probe *p, resolved *r, const char *file, const char *service, bool *found)
{
	char buf[PGTLS_SERVICE_LINE_MAX];
	int linenr = 0;
	FILE *f = fopen(file, "r");
	pgtls_err rc = PGTLS_OK;

	*found = false;
	if (f == NULL)
		return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "service file \"%s\" not found", file);
	while (rc == PGTLS_OK && fgets(buf, sizeof(buf), f) != NULL)
	{
		char *key, *val;
		pgtls_service_line kind;

		if (++linenr > SERVICE_MAX_LINES)
			rc = pgtls__seterr(&p->err, PGTLS_ERR_PARSE, "service file \"%s\" has more than %d lines", file,
			                   SERVICE_MAX_LINES);
		else if (strlen(buf) >= sizeof(buf) - 1)
			rc = pgtls__seterr(&p->err, PGTLS_ERR_PARSE, "line %d too long in service file \"%s\"", linenr, file);
		if (rc != PGTLS_OK)
			break;
		kind = pgtls__service_line(buf, &key, &val);
		if (kind == PGTLS_SVC_GROUP)
		{
			if (*found)
				break; /* end of the group */
			*found = pgtls__service_group_is(key, service);
		}
		else if (*found && kind != PGTLS_SVC_SKIP)
			rc = service_setting(p, r, kind, key, val, file, linenr);
	}
	fclose(f);
	return rc;
}

/* parseServiceInfo() */
static pgtls_err
apply_service(pgtls_probe *p, resolved *r, const char *home)
{
	int si = find_opt(r->opts, "service");
	const char *service = si >= 0 && r->vals[si] ? r->vals[si] : getenv("PGSERVICE");
	const char *env = getenv("PGSERVICEFILE");
	const char *sysdir = getenv("PGSYSCONFDIR");
	char file[1100];
	struct stat st;
	bool found = false;

	if (service == NULL)
		return PGTLS_OK;
	if (si >= 0 && r->vals[si] == NULL && take(p, r, si, service, "env") != PGTLS_OK)
		return p->err.code;
	file[0] = '\0';
	if (env)
		snprintf(file, sizeof(file), "%s", env);
	else if (home[0])
		snprintf(file, sizeof(file), "%s/.pg_service.conf", home);
	if (file[0] && stat(file, &st) == 0)
	{
		if (service_file(p, r, file, service, &found) != PGTLS_OK)
			return p->err.code;
		if (found)
			goto done;
	}
	snprintf(file, sizeof(file), "%s/pg_service.conf", sysdir ? sysdir : PGTLS_PG_SYSCONFDIR);
	if (stat(file, &st) == 0 && service_file(p, r, file, service, &found) != PGTLS_OK)
		return p->err.code;
	if (!found)
		return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "definition of service \"%s\" not found", service);
done:
	snprintf(p->service_file, sizeof(p->service_file), "%s", file);
	return PGTLS_OK;
}

/* Environment variables, PGREQUIRESSL, compiled defaults, the OS user; in conninfo_add_defaults() order. */
static pgtls_err
apply_defaults(pgtls_probe *p, resolved *r)
{
	for (int i = 0; i < r->n; i++)
	{
		const PQconninfoOption *o = &r->opts[i];
		const char *env = o->envvar ? getenv(o->envvar) : NULL;

		if (r->vals[i])
			continue;
		if (env && take(p, r, i, env, "env") != PGTLS_OK)
			return p->err.code;
		if (env)
			continue;
		if (strcmp(o->keyword, "sslmode") == 0 && (env = getenv("PGREQUIRESSL")) != NULL && env[0] == '1')
		{
			if (take(p, r, i, "require", "env") != PGTLS_OK)
				return p->err.code;
			continue;
		}
		if (o->compiled && take(p, r, i, o->compiled, "default") != PGTLS_OK)
			return p->err.code;
	}
	return PGTLS_OK;
}

/* pg_fe_getauthname(): the user when none is set, or an empty one (connectOptions2) */
static pgtls_err
default_user(pgtls_probe *p, resolved *r)
{
	int i = find_opt(r->opts, "user");

	if (i >= 0 && (r->vals[i] == NULL || r->vals[i][0] == '\0'))
	{
		struct passwd pw, *res = NULL;
		char buf[4096];

		free(r->vals[i]);
		r->vals[i] = NULL;
		if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) == 0 && res)
			return take(p, r, i, res->pw_name, "os_user");
	}
	return PGTLS_OK;
}

static pgtls_err
set_field(pgtls_probe *p, char **dst, const char *val)
{
	free(*dst);
	*dst = NULL;
	if (val && (*dst = strdup(val)) == NULL)
		return pgtls__seterr(&p->err, PGTLS_ERR_OOM, "out of memory");
	return PGTLS_OK;
}

static const char *
val_of(const resolved *r, const char *keyword, const char **origin)
{
	int i = find_opt(r->opts, keyword);

	if (origin)
		*origin = i >= 0 ? r->origins[i] : NULL;
	return i >= 0 ? r->vals[i] : NULL;
}

/* The probe's fields from the resolved values; the settings list for the report. */
static pgtls_err
store(pgtls_probe *p, const resolved *r)
{
	static const struct
	{
		const char *keyword;
		size_t off;
	} fields[] = {
	    {"host", offsetof(pgtls_probe, host)},
	    {"hostaddr", offsetof(pgtls_probe, hostaddr)},
	    {"port", offsetof(pgtls_probe, port)},
	    {"user", offsetof(pgtls_probe, cinfo_user)},
	    {"dbname", offsetof(pgtls_probe, cinfo_dbname)},
	    {"sslrootcert", offsetof(pgtls_probe, cinfo_rootcert)},
	    {"sslcrl", offsetof(pgtls_probe, sslcrl)},
	    {"sslcrldir", offsetof(pgtls_probe, sslcrldir)},
	    {"sslmode", offsetof(pgtls_probe, cinfo_sslmode)},
	    {"sslcert", offsetof(pgtls_probe, sslcert)},
	    {"sslkey", offsetof(pgtls_probe, sslkey)},
	    {"sslpassword", offsetof(pgtls_probe, sslpassword)},
	    {"ssl_min_protocol_version", offsetof(pgtls_probe, ssl_min)},
	    {"ssl_max_protocol_version", offsetof(pgtls_probe, ssl_max)},
	};
	const char *v, *origin;

	for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
		if (set_field(p, (char **)((char *)p + fields[k].off), val_of(r, fields[k].keyword, NULL)) != PGTLS_OK)
			return p->err.code;
	v = val_of(r, "sslsni", NULL);
	p->sslsni = v == NULL || strcmp(v, "0") != 0;
	(void)val_of(r, "sslrootcert", &origin);
	p->rootcert_origin = origin;
	(void)val_of(r, "sslmode", &origin);
	p->sslmode_origin = origin;
	p->nsettings = 0;
	for (size_t k = 0; k < sizeof(shown) / sizeof(shown[0]); k++)
	{
		probe_setting *s = &p->settings[p->nsettings];

		v = val_of(r, shown[k], &origin);
		if (v == NULL)
			continue;
		s->keyword = shown[k];
		s->origin = origin;
		s->secret = strcmp(shown[k], "sslpassword") == 0;
		snprintf(s->value, sizeof(s->value), "%s", s->secret ? "" : v);
		p->nsettings++;
	}
	return PGTLS_OK;
}

pgtls_err
pgtls__probe_resolve(pgtls_probe *p, const PQconninfoOption *opts)
{
	resolved r = {opts, NULL, NULL, 0};
	char home[1024];
	pgtls_err rc;

	while (opts[r.n].keyword)
		r.n++;
	r.vals = calloc((size_t)r.n + 1, sizeof(*r.vals));
	r.origins = calloc((size_t)r.n + 1, sizeof(*r.origins));
	if (r.vals == NULL || r.origins == NULL)
		rc = pgtls__seterr(&p->err, PGTLS_ERR_OOM, "out of memory");
	else
	{
		rc = PGTLS_OK;
		for (int i = 0; rc == PGTLS_OK && i < r.n; i++)
			if (opts[i].val)
				rc = take(p, &r, i, opts[i].val, "conninfo");
		pgtls__home_dir(p->home, home, sizeof(home));
		if (rc == PGTLS_OK)
			rc = apply_service(p, &r, home);
		if (rc == PGTLS_OK)
			rc = apply_defaults(p, &r);
		if (rc == PGTLS_OK)
			rc = default_user(p, &r);
		if (rc == PGTLS_OK)
			rc = store(p, &r);
	}
	for (int i = 0; r.vals && i < r.n; i++)
		if (r.vals[i])
		{
			OPENSSL_cleanse(r.vals[i], strlen(r.vals[i])); /* may be a password */
			free(r.vals[i]);
		}
	free(r.vals);
	free(r.origins);
	return rc;
}

/* ---- the libpq version the verdicts are for ---- */

pgtls_err
pgtls__probe_set_libpq_version(pgtls_probe *p, const char *value)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || end == value || *end != '\0' || v < 0)
		v = -1;
	else if (v >= 10 && v <= 99)
		v *= 10000; /* "16" -> 160000 */
	if (v < 120000 || v > 999999)
		return pgtls__seterr(&p->err, PGTLS_ERR_USAGE,
		                     "invalid libpq version \"%s\": expected a major version such as 15, 16 or 17", value);
	p->libpq_version = (int)v;
	p->libpq_version_source = "option";
	return PGTLS_OK;
}

/* ---- ssl_min_protocol_version / ssl_max_protocol_version (connectOptions2) ---- */

/* OpenSSL's number for a libpq protocol name; 0 for "" (no limit); -1 if libpq refuses it */
int
pgtls__tls_version_number(const char *name)
{
	static const struct
	{
		const char *name;
		int v;
	} names[] = {{"TLSv1", 0x0301}, {"TLSv1.1", 0x0302}, {"TLSv1.2", 0x0303}, {"TLSv1.3", 0x0304}};

	if (name == NULL || name[0] == '\0')
		return 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(name, names[i].name) == 0)
			return names[i].v;
	return -1;
}

pgtls_err
pgtls__probe_check_protocols(pgtls_probe *p)
{
	int lo = pgtls__tls_version_number(p->ssl_min), hi = pgtls__tls_version_number(p->ssl_max);

	if (lo < 0)
		return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "invalid %s value: \"%s\"", "ssl_min_protocol_version",
		                     p->ssl_min);
	if (hi < 0)
		return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "invalid %s value: \"%s\"", "ssl_max_protocol_version",
		                     p->ssl_max);
	if (lo > 0 && hi > 0 && lo > hi)
		return pgtls__seterr(&p->err, PGTLS_ERR_USAGE, "invalid SSL protocol version range");
	return PGTLS_OK;
}
