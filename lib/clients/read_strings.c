/*-------------------------------------------------------------------------
 *
 * read_strings.c
 *	  Connection strings on one line of any file: libpq conninfo strings
 *	  (keywords in any order), postgresql:// URIs (SQLAlchemy's
 *	  postgresql+driver:// too), pgjdbc URLs and Npgsql strings.
 *
 * IDENTIFICATION
 *	  lib/clients/read_strings.c
 *
 * NOTES
 *	  A string is a candidate when it looks like PostgreSQL settings: a
 *	  URI or JDBC scheme, or a quoted (or line-long) run of "key=value"
 *	  starting with a libpq keyword and holding two of them.  A candidate
 *	  that cannot be parsed goes to the unparsed list with the reason;
 *	  other strings (MySQL DSNs, prose) are left alone.  Placeholders with
 *	  a default (Spring ${NAME:default}, shell ${NAME:-default}) take the
 *	  default and say so; others leave the setting unknown.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "clients/clients_int.h"

/* case-insensitive memmem */
const char *
pgtls__strcasestr_n(const char *hay, size_t n, const char *needle)
{
	size_t l = strlen(needle);
	int first = tolower((unsigned char)needle[0]);

	for (size_t i = 0; l > 0 && i + l <= n; i++)
		if (tolower((unsigned char)hay[i]) == first && strncasecmp(hay + i, needle, l) == 0)
			return hay + i;
	return NULL;
}

int
pgtls__line_of(const char *buf, const char *at)
{
	int line = 1;

	for (const char *q = buf; q < at; q++)
		line += *q == '\n';
	return line;
}

/* URIs can contain ',' (host lists) and ';' ends JDBC in some configs: scan to a real delimiter */
static size_t
uri_end(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && !isspace((unsigned char)*q) && *q != '"' && *q != '\'' && *q != '`' && *q != '<' && *q != '>')
	{
		/* a ${NAME:default} placeholder may hold anything but '}' */
		if (*q == '$' && q + 1 < end && q[1] == '{')
		{
			const char *close = memchr(q, '}', (size_t)(end - q));

			if (close)
			{
				q = close + 1;
				continue;
			}
		}
		q++;
	}
	return (size_t)(q - p);
}

/* ---- placeholders ---- */

bool
pgtls__has_placeholder(const char *v)
{
	return v && (strstr(v, "${") || strstr(v, "%(") || strstr(v, "%s") || v[0] == '$' ||
	             (strchr(v, '{') && strchr(v, '}')) || strstr(v, "<%"));
}

/*
 * S (N bytes) with ${NAME:default} and ${NAME:-default} replaced by the
 * default (the value the application gets when NAME is not set); NOTE
 * says which.  Returns a malloc'd string, NULL when out of memory.
 */
static char *
take_defaults(const char *s, size_t n, char *note, size_t notelen)
{
	pgtls_strbuf out;
	size_t i = 0;

	pgtls__sb_init(&out);
	while (i < n)
	{
		const char *close = s[i] == '$' && i + 1 < n && s[i + 1] == '{' ? memchr(s + i, '}', n - i) : NULL;
		const char *colon = close ? memchr(s + i, ':', (size_t)(close - (s + i))) : NULL;

		if (colon)
		{
			const char *d = colon + 1 + (colon[1] == '-');
			size_t used = strlen(note);

			snprintf(note + used, notelen - used, "%s${%.*s} not set here: its default \"%.*s\" is used",
			         used ? "; " : "", (int)(colon - (s + i + 2)), s + i + 2, (int)(close - d), d);
			pgtls__sb_append_mem(&out, d, (size_t)(close - d));
			i = (size_t)(close - s) + 1;
			continue;
		}
		pgtls__sb_append_mem(&out, s + i, 1);
		i++;
	}
	{
		char *r = out.oom ? NULL : strdup(pgtls__sb_str(&out));

		pgtls__sb_free(&out);
		return r;
	}
}

/* a setting that decides the outcome but comes from somewhere not seen: why, or NULL */
static void
unresolved_why(const pgtls_settings *params, char *why, size_t whylen)
{
	static const char *const keys[] = {"sslmode", "sslrootcert", "ssl", "sslfactory", "requiressl"};

	why[0] = '\0';
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]) && why[0] == '\0'; k++)
	{
		const char *v = pgtls__settings_value(params, keys[k]);

		if (pgtls__has_placeholder(v))
			snprintf(why, whylen, "%s comes from a placeholder not set here (%.60s)", keys[k], v);
	}
}

/* ---- Npgsql "Key=Value;..." ---- */

static void
npgsql_mode(pgtls_settings *o, const char *v)
{
	char norm[32];
	size_t k = 0;

	/* Npgsql spells modes VerifyFull / verify-full: normalise to libpq's */
	for (const char *q = v; *q && k + 2 < sizeof(norm); q++)
	{
		if (isupper((unsigned char)*q) && k > 0 && norm[k - 1] != '-')
			norm[k++] = '-';
		if (*q != ' ')
			norm[k++] = (char)tolower((unsigned char)*q);
	}
	norm[k] = '\0';
	pgtls__settings_set(o, "sslmode", norm);
}

/* Npgsql "Key=Value;..." -> libpq-style keys (host, port, dbname, user, sslmode, sslrootcert, trust) */
static pgtls_settings *
npgsql_parse(const char *s)
{
	static const char *const map[][2] = {{"host", "host"},
	                                     {"server", "host"},
	                                     {"port", "port"},
	                                     {"database", "dbname"},
	                                     {"username", "user"},
	                                     {"user id", "user"},
	                                     {"ssl mode", "sslmode"},
	                                     {"sslmode", "sslmode"},
	                                     {"root certificate", "sslrootcert"},
	                                     {"dbname", "dbname"},
	                                     {"sslrootcert", "sslrootcert"},
	                                     {"trust server certificate", "trustservercertificate"}};
	pgtls_settings *o = pgtls__settings_new();
	const char *p = s;

	while (o && *p)
	{
		const char *semi = strchr(p, ';');
		const char *end = semi ? semi : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		char key[64];
		size_t kl = 0;

		for (const char *q = p; eq && q < eq && kl + 1 < sizeof(key); q++)
			if (!(kl == 0 && isspace((unsigned char)*q)))
				key[kl++] = (char)tolower((unsigned char)*q);
		while (kl > 0 && isspace((unsigned char)key[kl - 1]))
			kl--;
		key[kl] = '\0';
		for (size_t i = 0; eq && i < sizeof(map) / sizeof(map[0]); i++)
			if (strcmp(key, map[i][0]) == 0)
			{
				char *v = strndup(eq + 1, (size_t)(end - eq - 1));

				if (v && strcmp(map[i][1], "sslmode") == 0)
					npgsql_mode(o, v);
				else if (v)
					pgtls__settings_set(o, map[i][1], v);
				free(v);
				break;
			}
		p = semi ? semi + 1 : end;
	}
	return o;
}

/* Npgsql: Host=...;Port=...;SSL Mode=...; (case-insensitive keys, ';' separated); true when it was one */
static bool
scan_npgsql(pgtls_clients *c, const char *path, int lineno, const char *line, size_t n, const pgtls_settings *envobj)
{
	const char *end = line + n;
	const char *h, *b, *e;
	char *spec;
	pgtls_settings *params;
	bool pdo;

	if (!memchr(line, ';', n) || (h = pgtls__strcasestr_n(line, n, "host=")) == NULL ||
	    !(pgtls__strcasestr_n(line, n, "database=") || pgtls__strcasestr_n(line, n, "ssl mode=") ||
	      pgtls__strcasestr_n(line, n, "sslmode=")))
		return false;
	b = e = h;
	while (b > line && b[-1] != '"' && b[-1] != '\'' && b[-1] != '`' && b[-1] != '=' && b[-1] != ':')
		b--;
	pdo = b > line && b[-1] == ':' && b - line >= 6 && strncasecmp(b - 6, "pgsql:", 6) == 0;
	if (b > line && b[-1] == ':' && !pdo)
		return true; /* mysql:host=...;dbname=... (PDO): not PostgreSQL */
	while (e < end && *e != '"' && *e != '\'' && *e != '`')
		e++;
	spec = strndup(b, (size_t)(e - b));
	params = spec ? npgsql_parse(spec) : NULL;
	/* PHP PDO "pgsql:host=...;dbname=...;sslmode=..." is handed to libpq */
	if (params && pgtls__settings_count(params) >= 2)
		pgtls__clients_add(c, path, lineno, pdo ? "pdo" : "npgsql", pdo ? PGTLS_DRIVER_LIBPQ : PGTLS_DRIVER_NPGSQL,
		                   spec, strlen(spec), params, envobj);
	pgtls__settings_free(params);
	free(spec);
	return true;
}

/* ---- pgjdbc URLs ---- */

/* JDBC URLs on the line; true when one was found */
static bool
scan_jdbc(pgtls_clients *c, const char *path, int lineno, const char *line, const char *end)
{
	char err[256], note[600], why[300];
	bool had = false;

	for (const char *p = line; (p = memmem(p, (size_t)(end - p), "jdbc:postgresql:", 16)) != NULL; p += 16)
	{
		size_t len = uri_end(p, end);
		char *raw = strndup(p, len);
		char *s;
		pgtls_settings *params;

		len = raw ? strlen(raw) : 0; /* a NUL byte in the file ends the string */
		note[0] = '\0';
		s = raw ? take_defaults(raw, len, note, sizeof(note)) : NULL;
		params = s ? pgtls__jdbc_parse(s, err, sizeof(err)) : NULL;
		if (params)
		{
			unresolved_why(params, why, sizeof(why));
			pgtls__clients_add_ex(c, path, lineno, "jdbc-url", PGTLS_DRIVER_PGJDBC, raw, len, params, NULL, NULL, note,
			                      why[0] ? why : NULL);
		}
		else
			pgtls__clients_unparsed(c, path, lineno, "pgjdbc URL not understood: %s", s ? err : "out of memory");
		had = true;
		pgtls__settings_free(params);
		free(s);
		free(raw);
	}
	return had;
}

/* ---- URIs ---- */

/* SQLAlchemy dialects: postgresql+psycopg2://, +psycopg, +asyncpg, +pg8000 -> the driver, and the scheme's length */
static size_t
uri_scheme(const char *p, const char *end, pgtls_driver *driver, char *dialect, size_t dlen)
{
	static const char *const schemes[] = {"postgresql", "postgres"};

	dialect[0] = '\0';
	for (int k = 0; k < 2; k++)
	{
		size_t l = strlen(schemes[k]);
		const char *q = p + l;

		if ((size_t)(end - p) < l + 3 || strncasecmp(p, schemes[k], l) != 0)
			continue;
		if (*q == '+')
		{
			const char *d = ++q;

			while (q < end && (isalnum((unsigned char)*q) || *q == '_'))
				q++;
			snprintf(dialect, dlen, "%.*s", (int)(q - d), d);
			if (strncmp(dialect, "psycopg", 7) == 0)
				*driver = PGTLS_DRIVER_PSYCOPG;
			else if (strcmp(dialect, "asyncpg") == 0)
				*driver = PGTLS_DRIVER_ASYNCPG;
		}
		if ((size_t)(end - q) >= 3 && memcmp(q, "://", 3) == 0)
			return (size_t)(q + 3 - p);
	}
	return 0;
}

/* the parameters libpq does not know, for people */
static void
note_extra(const pgtls_settings *extra, char *note, size_t notelen)
{
	const char *k, *v;
	size_t used = strlen(note);
	bool first = true;

	for (size_t i = 0; pgtls__settings_nth(extra, i, &k, &v); i++)
	{
		snprintf(note + used, notelen - used, "%s%s",
		         first ? (used ? "; parameters libpq does not know: " : "parameters libpq does not know: ") : ", ", k);
		used = strlen(note);
		first = false;
	}
	if (!first)
		snprintf(note + used, notelen - used, " (libpq refuses them; the application's driver may read them)");
}

/*
 * The parameters libpq does not know (EXTRA, from a lenient parse) after
 * a URI's PARAMS: asyncpg's ?ssl=<sslmode> becomes its sslmode; the rest
 * are noted and kept beside (ssl, sslaccept, uselibpqcompat: drivers' own).
 */
static void
take_extra(pgtls_settings *params, pgtls_settings *extra, pgtls_observed *seen, pgtls_driver driver,
           const char *dialect, char *note, size_t notelen)
{
	/* SQLAlchemy's asyncpg dialect hands URL query keys to asyncpg.connect() as keyword arguments */
	if (driver == PGTLS_DRIVER_ASYNCPG && strcmp(dialect, "asyncpg") == 0 && pgtls__settings_extra(extra, "ssl") &&
	    params->sslmode == NULL)
	{
		pgtls__settings_set(params, "sslmode", pgtls__settings_extra(extra, "ssl"));
		pgtls__settings_unset(extra, "ssl");
	}
	/*
	 * asyncpg's own DSN parser (connect_utils.py) reads sslmode, not ssl: an
	 * unknown query key becomes a server setting, and the server refuses
	 * "ssl" ("parameter \"ssl\" cannot be changed now"; seen with asyncpg 0.27)
	 */
	else if (driver == PGTLS_DRIVER_ASYNCPG && pgtls__settings_extra(extra, "ssl"))
		snprintf(seen->bad_setting, sizeof(seen->bad_setting),
		         "asyncpg sends the DSN's ssl= as a server setting, which the server refuses (parameter \"ssl\" "
		         "cannot be changed now): use sslmode=");
	if (driver != PGTLS_DRIVER_PRISMA)
		note_extra(extra, note, notelen);
	pgtls__settings_merge(params, extra, false, NULL);
}

/* a URI whose query sets sslmode: node-postgres reads it only with pg-connection-string 2.4.0+ (node.c) */
static void
mark_url_sslmode(pgtls_observed *seen, const char *uri)
{
	const char *q = strchr(uri, '?');

	if (q && (strstr(q, "?sslmode=") || strstr(q, "&sslmode=")))
		seen->url_sslmode = true;
}

/*
 * node-postgres: pg-connection-string 2.4.0+ makes a URL's sslmode,
 * sslrootcert, sslcert or sslkey a new ssl object that replaces the
 * config's (pg ConnectionParameters: Object.assign(config, parse(url))).
 */
static bool
url_ssl_wins(const pgtls_clients *c, pgtls_driver driver, const pgtls_settings *params, const pgtls_observed *seen)
{
	bool pg7 = c->node_here.pg[0] >= 0 && c->node_here.pg[0] < 8;
	bool old =
	    c->node_here.pcs[0] >= 0 && (c->node_here.pcs[0] < 2 || (c->node_here.pcs[0] == 2 && c->node_here.pcs[1] < 4));

	return driver == PGTLS_DRIVER_NODE_POSTGRES && !pg7 && !old &&
	       (seen->url_sslmode || params->sslrootcert || params->sslcert || params->sslkey);
}

/* one URI at P (LEN bytes, scheme SCHEMELEN) */
static void
read_uri(pgtls_clients *c, const char *path, int lineno, const char *p, size_t len, size_t schemelen,
         pgtls_driver driver, const char *dialect, const pgtls_settings *envobj)
{
	char err[256] = "", note[800] = "", why[300];
	pgtls_observed seen = {0};
	char *raw = strndup(p, len);
	char *s = raw ? take_defaults(raw, strlen(raw), note, sizeof(note)) : NULL;
	char *canon = s ? malloc(strlen(s) + 16) : NULL;

	len = raw ? strlen(raw) : 0; /* a NUL byte in the file ends the string */
	pgtls_settings *extra = pgtls__settings_new();
	pgtls_settings *params = NULL;

	if (canon && extra && strlen(s) >= schemelen)
	{
		/* parse as postgresql://...; the SQLAlchemy dialect only chose the driver */
		snprintf(canon, strlen(s) + 16, "postgresql://%s", s + schemelen);
		params = pgtls__conninfo_parse_ex(canon, extra, err, sizeof(err));
	}
	if (params)
	{
		if (driver == PGTLS_DRIVER_LIBPQ && pgtls__prisma_params(extra))
			driver = PGTLS_DRIVER_PRISMA; /* sslaccept, schema, pgbouncer, ...: only Prisma reads them */
		mark_url_sslmode(&seen, canon);
		take_extra(params, extra, &seen, driver, dialect, note, sizeof(note));
		unresolved_why(params, why, sizeof(why));
		pgtls__clients_add_ex(c, path, lineno, "uri", driver, raw, len, params, &seen, envobj, note,
		                      why[0] ? why : NULL);
	}
	else
		pgtls__clients_unparsed(c, path, lineno, "URI not understood: %s",
		                        !canon   ? "out of memory"
		                        : err[0] ? err
		                                 : "cut short by a NUL byte");
	pgtls__settings_free(params);
	pgtls__settings_free(extra);
	free(canon);
	free(s);
	free(raw);
}

/* postgresql:// URIs on the line (not inside a JDBC URL); true when one was found */
static bool
scan_uris(pgtls_clients *c, const char *path, int lineno, const char *line, const char *end, pgtls_driver driver,
          const pgtls_settings *envobj)
{
	bool had = false;

	if (memmem(line, (size_t)(end - line), "://", 3) == NULL)
		return false;
	for (const char *p = line; p < end; p++)
	{
		pgtls_driver d = driver;
		char dialect[32];
		size_t sl;

		if ((*p != 'p' && *p != 'P') || (p > line && (isalnum((unsigned char)p[-1]) || p[-1] == ':')))
			continue; /* inside a word, or jdbc:postgresql:// */
		sl = uri_scheme(p, end, &d, dialect, sizeof(dialect));
		if (sl == 0)
			continue;
		read_uri(c, path, lineno, p, uri_end(p, end), sl, d, dialect, envobj);
		had = true;
		p += sl - 1;
	}
	return had;
}

/* ---- libpq conninfo: keywords in any order ---- */

static bool
keyword_at(const char *p, const char *end, bool *strong)
{
	static const char *const keys[] = {"host",
	                                   "hostaddr",
	                                   "port",
	                                   "dbname",
	                                   "user",
	                                   "sslmode",
	                                   "sslrootcert",
	                                   "service",
	                                   "password",
	                                   "connect_timeout",
	                                   "application_name",
	                                   "sslcert",
	                                   "sslkey",
	                                   "options",
	                                   "target_session_attrs"};

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
	{
		size_t l = strlen(keys[k]);
		const char *q = p + l;

		if ((size_t)(end - p) <= l || strncmp(p, keys[k], l) != 0)
			continue;
		while (q < end && *q == ' ')
			q++;
		if (q < end && *q == '=')
		{
			*strong = k <= 1 || k == 3 || k == 5 || k == 7; /* host, hostaddr, dbname, sslmode, service */
			return true;
		}
	}
	return false;
}

/* does [B, E) look like a conninfo: starts with a keyword, holds two, one of them strong? */
static bool
looks_conninfo(const char *b, const char *e)
{
	int keys = 0;
	bool strong = false, any = false, st;

	while (b < e && isspace((unsigned char)*b))
		b++;
	if (!keyword_at(b, e, &st))
		return false;
	for (const char *q = b; q < e; q++)
		if ((q == b || isspace((unsigned char)q[-1])) && keyword_at(q, e, &st))
		{
			keys++;
			strong = strong || st;
			any = true;
		}
	return any && keys >= 2 && strong;
}

static void
read_conninfo(pgtls_clients *c, const char *path, int lineno, const char *b, const char *e, pgtls_driver driver,
              const pgtls_settings *envobj)
{
	char err[256], note[600] = "", why[300];
	char *raw = strndup(b, (size_t)(e - b));
	char *s = raw ? take_defaults(raw, strlen(raw), note, sizeof(note)) : NULL;
	pgtls_settings *params = s ? pgtls__conninfo_parse(s, err, sizeof(err)) : NULL;

	if (params)
	{
		unresolved_why(params, why, sizeof(why));
		pgtls__clients_add_ex(c, path, lineno, "conninfo", driver, raw, strlen(raw), params, NULL, envobj, note,
		                      why[0] ? why : NULL);
	}
	else
		pgtls__clients_unparsed(c, path, lineno, "connection string not understood: %s", s ? err : "out of memory");
	pgtls__settings_free(params);
	free(s);
	free(raw);
}

/* conninfo strings: each quoted string that looks like one; else the line after an optional NAME= */
static void
scan_conninfo(pgtls_clients *c, const char *path, int lineno, const char *line, size_t n, pgtls_driver driver,
              const pgtls_settings *envobj)
{
	const char *end = line + n, *p = line;
	bool quoted = false;

	while (p < end)
	{
		const char *q = p;
		char quote;

		while (q < end && *q != '"' && *q != '\'' && *q != '`')
			q++;
		if (q >= end)
			break;
		quote = *q;
		p = q + 1;
		while (p < end && *p != quote)
			p += (*p == '\\' && p + 1 < end) ? 2 : 1;
		quoted = true;
		if (looks_conninfo(q + 1, p))
			read_conninfo(c, path, lineno, q + 1, p, driver, envobj);
		p++;
	}
	if (!quoted)
	{
		/* DSN=host=... dbname=... (a .conf or .env line) or a bare line */
		const char *b = line, *eq;

		while (b < end && isspace((unsigned char)*b))
			b++;
		eq = memchr(b, '=', (size_t)(end - b));
		if (eq && !looks_conninfo(b, end) && looks_conninfo(eq + 1, end))
			b = eq + 1;
		if (looks_conninfo(b, end))
			read_conninfo(c, path, lineno, b, end, driver, envobj);
	}
}

/*
 * A driver call read from code (read_python.c): DSN (a conninfo or URL
 * string, or NULL) combined with the keyword arguments KW, which win, as
 * psycopg2.connect(dsn, **kwargs) and SQLAlchemy connect_args do.  A record
 * the line reader made from the same DSN string is replaced.
 */
void
pgtls__clients_add_call(pgtls_clients *c, const char *path, int line, pgtls_driver driver, const char *raw,
                        size_t rawlen, const char *dsn, const pgtls_settings *kw, const char *kwnote, const char *why)
{
	pgtls__clients_add_cmd(c, path, line, "driver-call", driver, raw, rawlen, dsn, kw, NULL, NULL, kwnote, why);
}

/* a key of a config object that an URL's ssl settings replace whole (node-postgres: Object.assign) */
static bool
ssl_key(const char *key)
{
	return strncmp(key, "ssl", 3) == 0;
}

/* the same for any KIND, with ENV: PG* variables in force (lowest precedence, as libpq reads them) */
void
pgtls__clients_add_cmd(pgtls_clients *c, const char *path, int line, const char *kind, pgtls_driver driver,
                       const char *raw, size_t rawlen, const char *dsn, const pgtls_settings *kw,
                       const pgtls_observed *kwseen, const pgtls_settings *env, const char *kwnote, const char *why)
{
	char err[256], note[800], whybuf[300], dialect[32] = "";
	pgtls_settings *params = NULL, *extra = pgtls__settings_new();
	pgtls_observed seen = {0};
	char *s;

	snprintf(note, sizeof(note), "%s", kwnote ? kwnote : "");
	s = dsn ? take_defaults(dsn, strlen(dsn), note, sizeof(note)) : NULL;
	if (dsn && s && extra)
	{
		size_t sl = uri_scheme(s, s + strlen(s), &driver, dialect, sizeof(dialect));
		char *canon = malloc(strlen(s) + 16);

		if (canon)
		{
			snprintf(canon, strlen(s) + 16, "%s%s", sl ? "postgresql://" : "", s + sl);
			params = pgtls__conninfo_parse_ex(canon, extra, err, sizeof(err));
			if (params)
				mark_url_sslmode(&seen, canon);
		}
		free(canon);
		if (params == NULL)
			pgtls__clients_unparsed(c, path, line, "connection string in a driver call not understood: %s",
			                        canon ? err : "out of memory");
		else
			pgtls__clients_drop_spec(c, path, dsn);
	}
	else if (dsn == NULL)
		params = pgtls__settings_new();
	if (params)
	{
		take_extra(params, extra, &seen, driver, dialect, note, sizeof(note));
		if (url_ssl_wins(c, driver, params, &seen))
		{
			/* the URL's ssl settings replace the config's ssl object whole (what was seen of it too) */
			pgtls__settings_merge(params, kw, true, ssl_key);
		}
		else
		{
			pgtls__settings_merge(params, kw, true, NULL);
			if (kwseen)
			{
				/* the reader's observations of the config object, beside the URL's own */
				seen.js_ssl_object = kwseen->js_ssl_object;
				seen.reject_unauthorized = kwseen->reject_unauthorized;
				seen.custom_host_check = kwseen->custom_host_check;
				if (kwseen->bad_setting[0])
					snprintf(seen.bad_setting, sizeof(seen.bad_setting), "%s", kwseen->bad_setting);
			}
		}
		if (env)
		{
			static const char *const conn_keys[] = {"host", "hostaddr", "port", "user", "dbname", "service"};

			for (size_t k = 0; k < sizeof(conn_keys) / sizeof(conn_keys[0]); k++)
				if (!pgtls__settings_value(params, conn_keys[k]) && pgtls__settings_value(env, conn_keys[k]))
					pgtls__settings_set(params, conn_keys[k], pgtls__settings_value(env, conn_keys[k]));
		}
		unresolved_why(params, whybuf, sizeof(whybuf));
		if (whybuf[0] == '\0' && env)
			unresolved_why(env, whybuf, sizeof(whybuf));
		/* the call as one line: runs of white space (newlines too) become one space */
		char *flat = malloc(rawlen + 1);
		size_t n = 0;

		for (size_t i = 0; flat && i < rawlen; i++)
			if (!isspace((unsigned char)raw[i]))
				flat[n++] = raw[i];
			else if (n > 0 && flat[n - 1] != ' ')
				flat[n++] = ' ';
		pgtls__clients_add_ex(c, path, line, kind, driver, flat ? flat : "", n, params, &seen, env, note,
		                      why         ? why
		                      : whybuf[0] ? whybuf
		                                  : NULL);
		free(flat);
	}
	pgtls__settings_free(params);
	pgtls__settings_free(extra);
	free(s);
}

void
pgtls__read_line(pgtls_clients *c, const char *path, int lineno, const char *line, size_t n, pgtls_driver driver,
                 const pgtls_settings *envobj)
{
	const char *end = line + n;
	bool had;

	/* Python: the call on the line names the driver, whatever else the file imports */
	if ((driver == PGTLS_DRIVER_PSYCOPG || driver == PGTLS_DRIVER_ASYNCPG) && memmem(line, n, "psycopg", 7))
		driver = PGTLS_DRIVER_PSYCOPG;
	else if (driver == PGTLS_DRIVER_PSYCOPG && memmem(line, n, "asyncpg", 7))
		driver = PGTLS_DRIVER_ASYNCPG;
	had = scan_jdbc(c, path, lineno, line, end);

	had = scan_uris(c, path, lineno, line, end, driver, envobj) || had;
	if (had || scan_npgsql(c, path, lineno, line, n, envobj))
		return;
	scan_conninfo(c, path, lineno, line, n, driver, envobj);
}
