/*-------------------------------------------------------------------------
 *
 * clients.c
 *	  Find PostgreSQL connection specs in files and the environment, work
 *	  out what each client's driver really does with TLS, and predict who
 *	  breaks when the server moves to a certificate from a new CA.
 *
 * IDENTIFICATION
 *	  lib/clients/clients.c
 *
 * NOTES
 *	  The driver rules are in docs/drivers.md.  Passwords found are never
 *	  stored: specs are masked before they are kept.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <arpa/inet.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "clients/clients_int.h"
#include "store/store_int.h"

#define MAX_FILE (4 * 1024 * 1024)
#define MAX_FINDINGS 100000
#define MAX_DEPTH 12

struct pgtls_clients
{
	pgtls_errslot err;
	json_t *found;   /* array of findings */
	json_t *skipped; /* files not read, and why */
	int files;
	char home[1024];
	bool force_service; /* the file being read is a service file (PGSERVICEFILE) */
};

pgtls_clients *
pgtls_clients_new(void)
{
	pgtls_clients *c = calloc(1, sizeof(*c));
	const char *h = getenv("HOME");

	if (c == NULL)
		return NULL;
	c->found = json_array();
	c->skipped = json_array();
	if (!c->found || !c->skipped)
	{
		pgtls_clients_free(c);
		return NULL;
	}
	if (h && h[0])
		snprintf(c->home, sizeof(c->home), "%s", h);
	else
	{
		struct passwd pw, *res = NULL;
		char buf[4096];

		if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) == 0 && res)
			snprintf(c->home, sizeof(c->home), "%s", pw.pw_dir);
	}
	return c;
}

void
pgtls_clients_free(pgtls_clients *c)
{
	if (c == NULL)
		return;
	json_decref(c->found);
	json_decref(c->skipped);
	free(c);
}

pgtls_err
pgtls_clients_errcode(const pgtls_clients *c)
{
	return c ? c->err.code : PGTLS_ERR_USAGE;
}

const char *
pgtls_clients_errmsg(const pgtls_clients *c)
{
	return c ? c->err.msg : "no clients object";
}

int
pgtls_clients_count(const pgtls_clients *c)
{
	return c ? (int)json_array_size(c->found) : 0;
}

/* ---- helpers ---- */

static const char *
jget(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* masks the password of a URI ("user:pw@"), conninfo ("password=pw") or JDBC ("password=pw") */
static char *
mask_spec(const char *s, size_t n)
{
	char *out = malloc(n * 2 + 8);
	size_t i = 0, o = 0;
	const char *scheme = NULL;

	if (out == NULL)
		return NULL;
	if (n > 13 && (scheme = memmem(s, n, "://", 3)) != NULL)
	{
		const char *end = s + n;
		const char *at = NULL, *colon = NULL;

		for (const char *q = scheme + 3; q < end && *q != '/'; q++)
			if (*q == '@')
				at = q;
		if (at)
			colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3));
		if (colon)
		{
			memcpy(out, s, (size_t)(colon + 1 - s));
			o = (size_t)(colon + 1 - s);
			memcpy(out + o, "****", 4);
			o += 4;
			i = (size_t)(at - s);
		}
	}
	while (i < n)
	{
		if ((i == 0 || !isalnum((unsigned char)s[i - 1])) && n - i > 9 && strncasecmp(s + i, "password=", 9) == 0)
		{
			memcpy(out + o, s + i, 9);
			o += 9;
			i += 9;
			if (i < n && s[i] == '\'')
			{
				i++;
				while (i < n && s[i] != '\'')
					i += (s[i] == '\\' && i + 1 < n) ? 2 : 1;
				if (i < n)
					i++;
			}
			else
				while (i < n && !isspace((unsigned char)s[i]) && s[i] != '&' && s[i] != ';')
					i++;
			memcpy(out + o, "****", 4);
			o += 4;
			continue;
		}
		out[o++] = s[i++];
	}
	out[o] = '\0';
	return out;
}

static bool
file_exists(const char *p)
{
	struct stat st;

	return p && p[0] && stat(p, &st) == 0;
}

/*
 * The effective TLS behaviour of one client.  DRIVER: libpq, psycopg,
 * asyncpg, pgjdbc, lib/pq, pgx, node-postgres.  PARAMS: parsed options.
 * ENVOBJ: PG* environment applying to libpq-family drivers (may be NULL).
 */
static void
judge(pgtls_clients *c, json_t *f, const char *driver, json_t *params, json_t *envobj)
{
	const char *mode = jget(params, "sslmode");
	const char *root = jget(params, "sslrootcert");
	const char *mode_src = "explicit";
	const char *root_src = "explicit";
	const char *verdict;
	const char *detail = NULL;
	char rootbuf[1100] = "";
	bool npgsql = strcmp(driver, "npgsql") == 0;
	bool libpq_family = strcmp(driver, "libpq") == 0 || strcmp(driver, "psycopg") == 0 ||
	                    strcmp(driver, "asyncpg") == 0 || strcmp(driver, "pgx") == 0 || strcmp(driver, "lib/pq") == 0;
	bool exists;
	const char *trust = "file";

	if (mode == NULL && envobj && libpq_family && jget(envobj, "PGSSLMODE"))
	{
		mode = jget(envobj, "PGSSLMODE");
		mode_src = "environment (PGSSLMODE)";
	}
	if (root == NULL && envobj && libpq_family && jget(envobj, "PGSSLROOTCERT"))
	{
		root = jget(envobj, "PGSSLROOTCERT");
		root_src = "environment (PGSSLROOTCERT)";
	}
	if (strcmp(driver, "pgjdbc") == 0)
	{
		const char *ssl = jget(params, "ssl");
		const char *factory = jget(params, "sslfactory");

		if (mode == NULL && ssl && strcmp(ssl, "true") == 0)
		{
			mode = "verify-full";
			mode_src = "pgjdbc: ssl=true means verify-full";
		}
		if (factory && strstr(factory, "NonValidatingFactory"))
		{
			json_object_set_new(f, "sslfactory", json_string(factory));
			if (mode == NULL)
				mode = "require", mode_src = "pgjdbc: NonValidatingFactory";
			trust = "none";
		}
		else if (factory && strstr(factory, "DefaultJavaSSLFactory"))
		{
			json_object_set_new(f, "sslfactory", json_string(factory));
			trust = "jvm";
		}
	}
	if (mode == NULL)
	{
		mode = strcmp(driver, "lib/pq") == 0 ? "require" : strcmp(driver, "node-postgres") == 0 ? "disable" : "prefer";
		mode_src = "driver default";
	}
	if (npgsql)
	{
		const char *tsc = jget(params, "trustservercertificate");

		if (tsc && strcasecmp(tsc, "true") == 0)
			trust = "none";
		if (root == NULL)
		{
			root = "system";
			root_src = "Npgsql: the operating system's trust store";
		}
	}
	if (root == NULL)
	{
		if (strcmp(driver, "node-postgres") == 0 || strcmp(driver, "lib/pq") == 0 || strcmp(driver, "pgx") == 0)
			root_src = "none (this driver has no default root file)";
		else
		{
			snprintf(rootbuf, sizeof(rootbuf), "%s/.postgresql/root.crt", c->home);
			root = rootbuf;
			root_src = "default (~/.postgresql/root.crt of the user running the scan)";
		}
	}
	exists = root && (strcmp(root, "system") == 0 || file_exists(root));
	if (trust[0] == 'f' && root && strcmp(root, "system") == 0)
		trust = "system";

	/* verdicts */
	if (strcmp(mode, "disable") == 0)
		verdict = "plaintext";
	else if (trust[0] == 'n')
		verdict = "encrypted, not verified";
	else if (strcmp(driver, "node-postgres") == 0)
	{
		if (strcmp(mode, "no-verify") == 0)
			verdict = "encrypted, not verified";
		else
		{
			verdict = "verifies full";
			detail =
			    "node-postgres treats sslmode prefer/require/verify-ca as verify-full (unless uselibpqcompat=true)";
		}
	}
	else if (strcmp(mode, "allow") == 0 || strcmp(mode, "prefer") == 0)
	{
		verdict = "may fall back to plaintext";
		if (strcmp(driver, "libpq") == 0 || strcmp(driver, "psycopg") == 0)
			detail = exists ? "verifies the CA when TLS works, but silently retries without TLS when verification fails"
			                : "TLS without verification, and silently retries without TLS";
		else
			detail = "TLS without verification, and retries without TLS";
	}
	else if (strcmp(mode, "require") == 0)
	{
		bool verifies =
		    exists && root_src[0] != 'n' &&
		    (strcmp(driver, "libpq") == 0 || strcmp(driver, "psycopg") == 0 ||
		     ((strcmp(driver, "lib/pq") == 0 || strcmp(driver, "pgx") == 0) && strcmp(root_src, "explicit") == 0));

		verdict = verifies ? "verifies CA only" : "encrypted, not verified";
		if (verifies)
			detail = "libpq verifies the CA in require mode because the root certificate file exists";
	}
	else if (strcmp(mode, "verify-ca") == 0)
		verdict = (trust[0] == 'j' || exists) ? "verifies CA only" : "fails now: root certificate file missing";
	else if (strcmp(mode, "verify-full") == 0)
		verdict = (trust[0] == 'j' || exists) ? "verifies full" : "fails now: root certificate file missing";
	else
		verdict = "unknown sslmode";

	json_object_set_new(f, "sslmode", json_string(mode));
	json_object_set_new(f, "sslmode_source", json_string(mode_src));
	if (trust[0] == 'j')
		json_object_set_new(f, "rootcert",
		                    json_pack("{s:s,s:s,s:n}", "path", "JVM trust store (javax.net.ssl.trustStore or cacerts)",
		                              "source", "pgjdbc DefaultJavaSSLFactory", "exists"));
	else if (root)
		json_object_set_new(f, "rootcert",
		                    json_pack("{s:o,s:s,s:b}", "path", pgtls__json_text(root, strlen(root)), "source", root_src,
		                              "exists", exists));
	else
		json_object_set_new(f, "rootcert", json_pack("{s:n,s:s,s:b}", "path", "source", root_src, "exists", 0));
	json_object_set_new(f, "verdict", json_string(verdict));
	if (detail)
		json_object_set_new(f, "detail", json_string(detail));
}

static void
add_finding(pgtls_clients *c, const char *file, int line, const char *kind, const char *driver, const char *raw,
            size_t rawlen, json_t *params, json_t *envobj)
{
	json_t *f;
	char *masked;
	const char *host;

	if (json_array_size(c->found) >= MAX_FINDINGS)
		return;
	masked = mask_spec(raw, rawlen);
	host = jget(params, "host");
	f = json_pack("{s:s,s:i,s:s,s:s,s:o,s:o,s:o,s:o,s:o}", "file", file, "line", line, "kind", kind, "driver", driver,
	              "spec", masked ? pgtls__json_text(masked, strlen(masked)) : json_null(), "host",
	              host ? json_string(host) : json_string(strcmp(driver, "pgjdbc") == 0 ? "localhost" : "(default)"),
	              "port", jget(params, "port") ? json_string(jget(params, "port")) : json_string("5432"), "dbname",
	              jget(params, "dbname") ? json_string(jget(params, "dbname")) : json_null(), "user",
	              jget(params, "user") ? json_string(jget(params, "user")) : json_null());
	free(masked);
	if (f == NULL)
		return;
	judge(c, f, driver, params, envobj);
	json_array_append_new(c->found, f);
}

static const char *
driver_for(const char *path, const char *content)
{
	const char *ext = strrchr(path, '.');

	if (ext == NULL)
		return "libpq";
	if (strcmp(ext, ".py") == 0)
		return strstr(content, "asyncpg") ? "asyncpg" : "psycopg";
	if (strcmp(ext, ".go") == 0)
		return strstr(content, "jackc/pgx") ? "pgx" : "lib/pq";
	if (strcmp(ext, ".js") == 0 || strcmp(ext, ".ts") == 0 || strcmp(ext, ".mjs") == 0 || strcmp(ext, ".cjs") == 0)
		return "node-postgres";
	return "libpq";
}

/* URIs can contain ',' (host lists) and ';' ends JDBC in some configs: scan to a real delimiter */
static size_t
uri_end(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && !isspace((unsigned char)*q) && *q != '"' && *q != '\'' && *q != '`' && *q != '<' && *q != '>')
		q++;
	return (size_t)(q - p);
}

/* case-insensitive memmem */
static const char *
strcasestr_n(const char *hay, size_t n, const char *needle)
{
	size_t l = strlen(needle);

	for (size_t i = 0; i + l <= n; i++)
		if (strncasecmp(hay + i, needle, l) == 0)
			return hay + i;
	return NULL;
}

/* Npgsql "Key=Value;..." -> libpq-style keys (host, port, dbname, user, sslmode, sslrootcert, trust) */
static json_t *
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
	                                     {"trust server certificate", "trustservercertificate"}};
	json_t *o = json_object();
	const char *p = s;

	while (o && *p)
	{
		const char *semi = strchr(p, ';');
		const char *end = semi ? semi : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));

		if (eq)
		{
			char key[64];
			size_t kl = 0;

			for (const char *q = p; q < eq && kl + 1 < sizeof(key); q++)
				if (!(kl == 0 && isspace((unsigned char)*q)))
					key[kl++] = (char)tolower((unsigned char)*q);
			while (kl > 0 && isspace((unsigned char)key[kl - 1]))
				kl--;
			key[kl] = '\0';
			for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
				if (strcmp(key, map[i][0]) == 0)
				{
					char *v = strndup(eq + 1, (size_t)(end - eq - 1));
					char *w = v;

					if (v == NULL)
						break;
					/* Npgsql spells modes VerifyFull / verify-full: normalise to libpq's */
					if (strcmp(map[i][1], "sslmode") == 0)
					{
						char norm[32];
						size_t k = 0;

						for (const char *q = v; *q && k + 2 < sizeof(norm); q++)
						{
							if (isupper((unsigned char)*q) && k > 0 && norm[k - 1] != '-')
								norm[k++] = '-';
							if (*q != ' ')
								norm[k++] = (char)tolower((unsigned char)*q);
						}
						norm[k] = '\0';
						json_object_set_new(o, "sslmode", json_string(norm));
					}
					else
						json_object_set_new(o, map[i][1], pgtls__json_text(w, strlen(w)));
					free(v);
					break;
				}
		}
		p = semi ? semi + 1 : end;
	}
	return o;
}

static void
scan_line(pgtls_clients *c, const char *path, int lineno, const char *line, size_t n, const char *driver,
          json_t *envobj)
{
	static const char *const schemes[] = {"postgresql://", "postgres://"};
	const char *end = line + n;
	char err[256];
	bool had = false;

	/* JDBC URLs */
	for (const char *p = line; (p = memmem(p, (size_t)(end - p), "jdbc:postgresql:", 16)) != NULL; p += 16)
	{
		size_t len = uri_end(p, end);
		char *s = strndup(p, len);
		json_t *params = s ? pgtls__jdbc_parse(s, err, sizeof(err)) : NULL;

		if (params)
		{
			add_finding(c, path, lineno, "jdbc-url", "pgjdbc", s, len, params, NULL);
			had = true;
		}
		json_decref(params);
		free(s);
	}
	/* URIs (not inside a JDBC URL) */
	for (int k = 0; k < 2; k++)
		for (const char *p = line; (p = memmem(p, (size_t)(end - p), schemes[k], strlen(schemes[k]))) != NULL;
		     p += strlen(schemes[k]))
		{
			size_t len;
			char *s;
			json_t *params;

			if ((p - line >= 5 && memcmp(p - 5, "jdbc:", 5) == 0) || (k == 1 && p > line && p[-1] == 'l'))
				continue;
			if (k == 0 && p - line >= 16 && memcmp(p - 16, "jdbc:", 5) == 0)
				continue;
			len = uri_end(p, end);
			s = strndup(p, len);
			params = s ? pgtls__conninfo_parse(s, err, sizeof(err)) : NULL;
			if (params)
			{
				add_finding(c, path, lineno, "uri", driver, s, len, params, envobj);
				had = true;
			}
			json_decref(params);
			free(s);
		}
	if (had)
		return;
	/* Npgsql: Host=...;Port=...;SSL Mode=...; (case-insensitive keys, ';' separated) */
	if (strcasestr_n(line, n, "host=") && memchr(line, ';', n) &&
	    (strcasestr_n(line, n, "database=") || strcasestr_n(line, n, "ssl mode=") || strcasestr_n(line, n, "sslmode=")))
	{
		const char *h = strcasestr_n(line, n, "host=");
		const char *b = h, *e;
		char *spec;
		json_t *params;

		while (b > line && b[-1] != '"' && b[-1] != '\'' && b[-1] != '`' && b[-1] != '=' && b[-1] != ':')
			b--;
		e = h;
		while (e < end && *e != '"' && *e != '\'' && *e != '`')
			e++;
		spec = strndup(b, (size_t)(e - b));
		params = spec ? npgsql_parse(spec) : NULL;
		if (params && json_object_size(params) >= 2)
			add_finding(c, path, lineno, "npgsql", "npgsql", spec, strlen(spec), params, envobj);
		json_decref(params);
		free(spec);
		return;
	}
	/* conninfo: a quoted string (or the rest of the line) with host= and another key */
	{
		const char *h = memmem(line, n, "host=", 5);
		const char *b, *e;
		char *s;
		json_t *params;

		if (h == NULL)
			h = memmem(line, n, "hostaddr=", 9);
		if (h == NULL)
			return;
		b = h;
		while (b > line && b[-1] != '"' && b[-1] != '\'' && b[-1] != '`' && b[-1] != '=')
			b--;
		if (b > line && b[-1] == '=')
		{
			/* VAR=host=... or key=value pairs at line start: take from the first key */
			b = line;
			while (b < h && isspace((unsigned char)*b))
				b++;
			if (memchr(b, '=', (size_t)(h - b)) && !memmem(b, (size_t)(h - b), " ", 1))
				b = h;
		}
		e = h;
		if (b > line && (b[-1] == '"' || b[-1] == '\'' || b[-1] == '`'))
		{
			char q = b[-1];

			while (e < end && *e != q)
				e++;
		}
		else
			e = end;
		s = strndup(b, (size_t)(e - b));
		if (s == NULL)
			return;
		params = pgtls__conninfo_parse(s, err, sizeof(err));
		if (params && json_object_size(params) >= 2)
			add_finding(c, path, lineno, "conninfo", driver, s, strlen(s), params, envobj);
		json_decref(params);
		free(s);
	}
}

static bool
is_service_file(const char *path)
{
	const char *b = strrchr(path, '/');

	b = b ? b + 1 : path;
	return strcmp(b, "pg_service.conf") == 0 || strcmp(b, ".pg_service.conf") == 0;
}

static bool
is_dotenv(const char *path)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strlen(b);
	return strcmp(b, ".env") == 0 || strncmp(b, ".env.", 5) == 0 || (n > 4 && strcmp(b + n - 4, ".env") == 0);
}

/* KEY=VALUE (optionally "export ", quotes) -> key, value (malloc'd) */
static bool
assignment(const char *line, size_t n, char *key, size_t keylen, char **val)
{
	const char *p = line, *end = line + n;
	size_t k = 0;

	while (p < end && isspace((unsigned char)*p))
		p++;
	if (end - p > 7 && strncmp(p, "export ", 7) == 0)
		p += 7;
	while (p < end && (isalnum((unsigned char)*p) || *p == '_' || *p == '.'))
	{
		if (k + 1 < keylen)
			key[k++] = *p;
		p++;
	}
	key[k] = '\0';
	while (p < end && *p == ' ')
		p++;
	if (k == 0 || p >= end || (*p != '=' && *p != ':'))
		return false;
	p++;
	while (p < end && *p == ' ')
		p++;
	if (p < end && (*p == '"' || *p == '\'') && end - p >= 2)
	{
		const char *q = memchr(p + 1, *p, (size_t)(end - p - 1));

		*val = strndup(p + 1, (size_t)((q ? q : end) - p - 1));
	}
	else
	{
		const char *e = end;

		while (e > p && isspace((unsigned char)e[-1]))
			e--;
		*val = strndup(p, (size_t)(e - p));
	}
	return *val != NULL;
}

/* PG* variables -> conninfo keys */
static const char *
pgenv_key(const char *var)
{
	static const char *const map[][2] = {{"PGHOST", "host"},
	                                     {"PGHOSTADDR", "hostaddr"},
	                                     {"PGPORT", "port"},
	                                     {"PGDATABASE", "dbname"},
	                                     {"PGUSER", "user"},
	                                     {"PGSSLMODE", "sslmode"},
	                                     {"PGSSLROOTCERT", "sslrootcert"},
	                                     {"PGSERVICE", "service"},
	                                     {"PGPASSWORD", "password"}};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(var, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/* 'KEY': 'value' (or "KEY": "value") in Python source; malloc'd value or NULL */
static char *
py_value(const char *buf, const char *key, int *line)
{
	char pat[2][64];

	snprintf(pat[0], sizeof(pat[0]), "'%s'", key);
	snprintf(pat[1], sizeof(pat[1]), "\"%s\"", key);
	for (int k = 0; k < 2; k++)
	{
		const char *p = strstr(buf, pat[k]);

		if (p)
		{
			const char *v = p + strlen(pat[k]);
			const char *e;

			while (*v == ' ' || *v == '\t')
				v++;
			if (*v != ':')
				continue;
			v++;
			while (*v == ' ' || *v == '\t')
				v++;
			if (*v != '\'' && *v != '"')
				continue;
			e = strchr(v + 1, *v);
			if (e == NULL || e - v > 1024)
				continue;
			if (line)
			{
				*line = 1;
				for (const char *q = buf; q < p; q++)
					if (*q == '\n')
						(*line)++;
			}
			return strndup(v + 1, (size_t)(e - v - 1));
		}
	}
	return NULL;
}

/* Django settings: DATABASES = {'default': {'ENGINE': '...postgresql', 'HOST': ..., 'OPTIONS': {...}}} */
static void
scan_django(pgtls_clients *c, const char *path, const char *buf)
{
	static const char *const keys[][2] = {{"HOST", "host"}, {"PORT", "port"},       {"NAME", "dbname"},
	                                      {"USER", "user"}, {"sslmode", "sslmode"}, {"sslrootcert", "sslrootcert"}};
	json_t *params = json_object();
	int line = 0;
	char *engine = py_value(buf, "ENGINE", &line);

	if (params && engine && strstr(engine, "postgresql"))
	{
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		{
			char *v = py_value(buf, keys[i][0], NULL);

			if (v && v[0])
				json_object_set_new(params, keys[i][1], pgtls__json_text(v, strlen(v)));
			free(v);
		}
		add_finding(c, path, line, "django", "psycopg", "DATABASES (Django settings)", 27, params, NULL);
	}
	free(engine);
	json_decref(params);
}

static void
scan_buffer(pgtls_clients *c, const char *path, const char *buf, size_t len)
{
	const char *driver = driver_for(path, buf);
	const char *p = buf, *end = buf + len;
	int lineno = 0;
	bool service = c->force_service || is_service_file(path);
	bool dotenv = is_dotenv(path);
	json_t *envspec = dotenv ? json_object() : NULL; /* PG* vars of a .env file */
	json_t *svc = NULL;
	char svcname[128] = "";
	int svcline = 0;
	int envline = 0;

	while (p < end)
	{
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		lineno++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (service)
		{
			const char *q = p;

			while (q < p + n && isspace((unsigned char)*q))
				q++;
			if (q < p + n && *q == '[')
			{
				if (svc)
				{
					add_finding(c, path, svcline, "pg_service", "libpq", svcname, strlen(svcname), svc, NULL);
					json_decref(svc);
				}
				svc = json_object();
				snprintf(svcname, sizeof(svcname), "[%.*s", (int)(n - (size_t)(q - p) - 1), q + 1);
				svcline = lineno;
			}
			else if (svc && q < p + n && *q != '#')
			{
				char key[64];
				char *val = NULL;

				if (assignment(p, n, key, sizeof(key), &val))
					json_object_set_new(svc, key, pgtls__json_text(val, strlen(val)));
				free(val);
			}
		}
		else
		{
			if (dotenv)
			{
				char key[64];
				char *val = NULL;

				if (assignment(p, n, key, sizeof(key), &val) && pgenv_key(key))
				{
					json_object_set_new(envspec, pgenv_key(key), pgtls__json_text(val, strlen(val)));
					if (envline == 0)
						envline = lineno;
				}
				free(val);
			}
			scan_line(c, path, lineno, p, n, driver, NULL);
		}
		p = nl ? nl + 1 : end;
	}
	if (svc)
	{
		add_finding(c, path, svcline, "pg_service", "libpq", svcname, strlen(svcname), svc, NULL);
		json_decref(svc);
	}
	if (envspec && json_object_size(envspec) > 0)
	{
		char desc[64];

		snprintf(desc, sizeof(desc), "PG* variables");
		add_finding(c, path, envline, "env-file", "libpq", desc, strlen(desc), envspec, NULL);
	}
	json_decref(envspec);
	if (strstr(buf, "django.db.backends.postgresql"))
		scan_django(c, path, buf);
}

static void
skip(pgtls_clients *c, const char *path, const char *why)
{
	if (json_array_size(c->skipped) < 1000)
		json_array_append_new(c->skipped, json_pack("{s:s,s:s}", "path", path, "reason", why));
}

static void
scan_file(pgtls_clients *c, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL)
	{
		skip(c, path, strerror(errno));
		return;
	}
	buf = malloc(MAX_FILE + 1);
	if (buf == NULL)
	{
		fclose(f);
		return;
	}
	n = fread(buf, 1, MAX_FILE + 1, f);
	fclose(f);
	if (n > MAX_FILE)
		skip(c, path, "larger than 4 MiB");
	else if (memchr(buf, '\0', n < 8192 ? n : 8192))
		; /* binary: silently ignored */
	else
	{
		buf[n] = '\0';
		c->files++;
		scan_buffer(c, path, buf, n);
	}
	free(buf);
}

static void
scan_path(pgtls_clients *c, const char *path, int depth)
{
	struct stat st;

	if (lstat(path, &st) != 0)
	{
		skip(c, path, strerror(errno));
		return;
	}
	if (S_ISREG(st.st_mode))
		scan_file(c, path);
	else if (S_ISDIR(st.st_mode))
	{
		DIR *d;
		struct dirent *e;

		if (depth > MAX_DEPTH)
		{
			skip(c, path, "too deep");
			return;
		}
		d = opendir(path);
		if (d == NULL)
		{
			skip(c, path, strerror(errno));
			return;
		}
		while ((e = readdir(d)) != NULL)
		{
			char child[4096];

			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || strcmp(e->d_name, ".git") == 0 ||
			    strcmp(e->d_name, "node_modules") == 0 || strcmp(e->d_name, "__pycache__") == 0)
				continue;
			if ((size_t)snprintf(child, sizeof(child), "%s/%s", path, e->d_name) >= sizeof(child))
				continue;
			scan_path(c, child, depth + 1);
		}
		closedir(d);
	}
}

pgtls_err
pgtls_clients_scan_path(pgtls_clients *c, const char *path)
{
	struct stat st;

	if (c == NULL || path == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&c->err);
	if (stat(path, &st) != 0)
		return pgtls__seterr(&c->err, PGTLS_ERR_IO, "could not read \"%s\": %s", path, strerror(errno));
	scan_path(c, path, 0);
	return PGTLS_OK;
}

pgtls_err
pgtls_clients_scan_env(pgtls_clients *c, char *const *envp)
{
	json_t *pg;

	if (c == NULL || envp == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&c->err);
	pg = json_object();
	for (char *const *e = envp; *e; e++)
	{
		const char *eq = strchr(*e, '=');
		char var[128];

		if (eq == NULL || (size_t)(eq - *e) >= sizeof(var))
			continue;
		snprintf(var, sizeof(var), "%.*s", (int)(eq - *e), *e);
		if (pgenv_key(var))
			json_object_set_new(pg, pgenv_key(var), pgtls__json_text(eq + 1, strlen(eq + 1)));
		else if (strlen(var) > 4 && strcmp(var + strlen(var) - 4, "_URL") == 0)
			scan_line(c, "(environment)", 0, eq + 1, strlen(eq + 1), "libpq", NULL);
	}
	if (json_object_size(pg) > 0)
		add_finding(c, "(environment)", 0, "environment", "libpq", "PG* variables", 13, pg, NULL);
	json_decref(pg);

	/* the service files libpq would read: PGSERVICEFILE or ~/.pg_service.conf, and PGSYSCONFDIR's */
	{
		char svc[2][2048];
		const char *file = NULL, *dir = NULL;

		for (char *const *e = envp; *e; e++)
		{
			if (strncmp(*e, "PGSERVICEFILE=", 14) == 0)
				file = *e + 14;
			else if (strncmp(*e, "PGSYSCONFDIR=", 13) == 0)
				dir = *e + 13;
		}
		if (file)
			snprintf(svc[0], sizeof(svc[0]), "%s", file);
		else
			snprintf(svc[0], sizeof(svc[0]), "%s/.pg_service.conf", c->home);
		svc[1][0] = '\0';
		if (dir)
			snprintf(svc[1], sizeof(svc[1]), "%s/pg_service.conf", dir);
		for (int k = 0; k < 2; k++)
			if (svc[k][0] && file_exists(svc[k]))
			{
				c->force_service = true;
				scan_file(c, svc[k]);
				c->force_service = false;
			}
	}
	return PGTLS_OK;
}

char *
pgtls_clients_json(const pgtls_clients *c, int pretty)
{
	json_t *rep;
	char *out;
	json_t *counts = json_object();
	size_t i;
	json_t *f;

	if (c == NULL)
		return NULL;
	json_array_foreach(c->found, i, f)
	{
		const char *v = jget(f, "verdict");
		json_int_t n = json_integer_value(json_object_get(counts, v));

		json_object_set_new(counts, v, json_integer(n + 1));
	}
	rep = json_pack("{s:s,s:i,s:i,s:o,s:O,s:O}", "pgtls_version", PGTLS_VERSION_STR, "schema", PGTLS_JSON_SCHEMA,
	                "files_scanned", c->files, "verdicts", counts, "clients", c->found, "skipped", c->skipped);
	if (rep == NULL)
		return NULL;
	out = json_dumps(rep, JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT));
	json_decref(rep);
	return out;
}

/* 0 every client verifies the server fully, 1 otherwise */
int
pgtls_clients_status(const pgtls_clients *c)
{
	size_t i;
	json_t *f;

	if (c == NULL)
		return 3;
	json_array_foreach(c->found, i, f) if (strcmp(jget(f, "verdict"), "verifies full") != 0) return 1;
	return 0;
}

/* ======================================================================
 * Rotation
 * ====================================================================== */

/* does STORE trust any certificate of NEWCA (as a chain up to a trust anchor)? */
static int
trusts_new_ca(X509_STORE *store, pgtls_store *newca)
{
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	int i, ok = 0;

	if (untrusted == NULL)
		return -1;
	for (i = 0; i < newca->nentries; i++)
		sk_X509_push(untrusted, newca->entries[i].cert);
	for (i = 0; i < newca->nentries && !ok; i++)
	{
		X509_STORE_CTX *ctx = X509_STORE_CTX_new();

		if (ctx && X509_STORE_CTX_init(ctx, store, newca->entries[i].cert, untrusted) == 1 &&
		    X509_verify_cert(ctx) == 1)
			ok = 1;
		X509_STORE_CTX_free(ctx);
	}
	sk_X509_free(untrusted);
	ERR_clear_error();
	return ok;
}

/* 1 trusts, 0 does not, -1 unknown (message in WHY) */
static int
client_trust(json_t *f, pgtls_store *newca, char *why, size_t whylen)
{
	json_t *rc = json_object_get(f, "rootcert");
	const char *path = jget(rc, "path");
	X509_STORE *store;
	int r;

	why[0] = '\0';
	if (json_is_null(json_object_get(rc, "exists")))
	{
		snprintf(why, whylen, "uses the JVM trust store: check it with \"pgtls store verify --fingerprint ...\"");
		return -1;
	}
	if (!json_is_true(json_object_get(rc, "exists")) || path == NULL)
	{
		snprintf(why, whylen, "no root certificate file");
		return 0;
	}
	store = X509_STORE_new();
	if (store == NULL)
		return -1;
	if (strcmp(path, "system") == 0)
		X509_STORE_set_default_paths(store);
	else
	{
		pgtls_store *st = pgtls_store_new();

		if (st == NULL || pgtls_store_load_file(st, path, NULL) != PGTLS_OK)
		{
			snprintf(why, whylen, "cannot read %s: %s", path, st ? pgtls_store_errmsg(st) : "out of memory");
			pgtls_store_free(st);
			X509_STORE_free(store);
			return -1;
		}
		for (int i = 0; i < st->nentries; i++)
			X509_STORE_add_cert(store, st->entries[i].cert);
		pgtls_store_free(st);
	}
	r = trusts_new_ca(store, newca);
	X509_STORE_free(store);
	ERR_clear_error();
	return r;
}

/* libpq's name rule on a probe report's leaf (san_dns, san_ip, CN) */
static bool
name_ok(json_t *leaf, const char *host)
{
	json_t *v;
	size_t i;
	bool ip = pgtls__is_ip_address(host);
	json_t *list = json_object_get(leaf, ip ? "san_ip" : "san_dns");
	const char *subj = jget(leaf, "subject");

	json_array_foreach(list, i, v)
	{
		const char *n = json_string_value(v);

		if (ip ? strcmp(n, host) == 0 : pgtls_name_matches(n, strlen(n), host))
			return true;
	}
	if (json_array_size(list) > 0)
		return false;
	/* CN fallback */
	if (subj)
	{
		const char *cn = strstr(subj, "CN=");

		if (cn)
		{
			const char *e = strchr(cn + 3, ',');
			size_t len = e ? (size_t)(e - cn - 3) : strlen(cn + 3);

			return pgtls_name_matches(cn + 3, len, host);
		}
	}
	return false;
}

static const char *
break_error(const char *driver)
{
	if (strcmp(driver, "pgjdbc") == 0)
		return "SSL error: PKIX path building failed: ... unable to find valid certification path to requested target";
	if (strcmp(driver, "asyncpg") == 0)
		return "ssl.SSLCertVerificationError: certificate verify failed: unable to get local issuer certificate";
	if (strcmp(driver, "lib/pq") == 0 || strcmp(driver, "pgx") == 0)
		return "x509: certificate signed by unknown authority";
	if (strcmp(driver, "node-postgres") == 0)
		return "Error: unable to get local issuer certificate";
	return "SSL error: certificate verify failed";
}

char *
pgtls_clients_rotation_json(pgtls_clients *c, const char *new_ca_path, const char *const *probes, int nprobes,
                            int pretty, int *go)
{
	pgtls_store *newca;
	json_t *rep, *eps, *rows;
	json_t *leaf = NULL;
	json_t *probe0 = NULL;
	size_t i;
	json_t *f;
	int breaks = 0;
	char *out;

	if (c == NULL || new_ca_path == NULL)
		return NULL;
	pgtls__clearerr(&c->err);
	newca = pgtls_store_new();
	if (newca == NULL)
		return NULL;
	if (pgtls_store_load_file(newca, new_ca_path, NULL) != PGTLS_OK)
	{
		pgtls__seterr(&c->err, pgtls_store_errcode(newca), "new CA: %s", pgtls_store_errmsg(newca));
		pgtls_store_free(newca);
		return NULL;
	}
	rep = json_object();
	eps = json_array();
	rows = json_array();

	/* endpoints: is the served chain already from the new CA? */
	for (int k = 0; k < nprobes; k++)
	{
		json_error_t je;
		json_t *p = json_loads(probes[k], 0, &je);
		json_t *chain = json_object_get(p, "chain");
		bool on_new = false;

		if (p == NULL)
			continue;
		if (json_array_size(chain) > 0)
		{
			size_t j;
			json_t *cert;

			/* a served certificate whose issuer or self is in the new CA file */
			json_array_foreach(chain, j, cert) for (int e = 0; e < newca->nentries; e++)
			{
				char fp[EVP_MAX_MD_SIZE * 3 + 1], subj[512];

				pgtls__fingerprint(newca->entries[e].cert, "SHA256", fp, sizeof(fp));
				pgtls__name_str(X509_get_subject_name(newca->entries[e].cert), subj, sizeof(subj));
				if (strcmp(fp, jget(cert, "sha256") ? jget(cert, "sha256") : "") == 0 ||
				    strcmp(subj, jget(cert, "issuer") ? jget(cert, "issuer") : "") == 0)
					on_new = true;
			}
			if (leaf == NULL)
			{
				leaf = json_incref(json_array_get(chain, 0));
				probe0 = json_incref(p);
			}
		}
		json_array_append_new(eps, json_pack("{s:O,s:O,s:b,s:O}", "target", json_object_get(p, "target"), "status",
		                                     json_object_get(p, "status"), "serves_new_ca", on_new, "leaf",
		                                     json_array_size(chain) ? json_array_get(chain, 0) : json_null()));
		json_decref(p);
	}

	json_array_foreach(c->found, i, f)
	{
		const char *verdict = jget(f, "verdict");
		const char *driver = jget(f, "driver");
		const char *host = jget(f, "host");
		const char *outcome;
		const char *error = NULL;
		char fix[1200] = "";
		char why[600] = "";
		const char *path = jget(json_object_get(f, "rootcert"), "path");
		bool verifies_now =
		    strncmp(verdict, "verifies", 8) == 0 || (strcmp(verdict, "may fall back to plaintext") == 0 &&
		                                             jget(f, "detail") && strstr(jget(f, "detail"), "verifies the CA"));
		bool alias_problem = false;

		if (strncmp(verdict, "fails now", 9) == 0)
		{
			outcome = "broken already";
			error = "root certificate file does not exist";
			snprintf(fix, sizeof(fix),
			         "install a bundle with the old and new CAs at %s (pgtls store merge -o %s --format pem OLD-CA %s)",
			         path ? path : "the sslrootcert path", path ? path : "FILE", new_ca_path);
			breaks++;
		}
		else if (!verifies_now)
		{
			outcome = "unaffected (verifies nothing)";
			snprintf(fix, sizeof(fix),
			         "not a rotation risk, but open to impersonation: set sslmode=verify-full and sslrootcert to a "
			         "bundle with %s",
			         new_ca_path);
		}
		else
		{
			int t = client_trust(f, newca, why, sizeof(why));

			if (t == 1)
				outcome = "keeps working";
			else if (t < 0)
				outcome = "unknown";
			else if (strcmp(verdict, "may fall back to plaintext") == 0)
			{
				outcome = "silently falls back to plaintext";
				error = "(no error: libpq retries without TLS; fails instead if the server requires TLS)";
				snprintf(fix, sizeof(fix), "add %s to %s, and use sslmode=verify-full", new_ca_path,
				         path ? path : "its root file");
			}
			else
			{
				outcome = "breaks";
				error = break_error(driver);
				breaks++;
				if (strcmp(driver, "pgjdbc") == 0 && path && (strstr(path, ".jks") || strstr(path, ".p12")))
					snprintf(fix, sizeof(fix), "pgtls store merge -o %s --format %s --force %s %s", path,
					         strstr(path, ".jks") ? "jks" : "p12", path, new_ca_path);
				else
					snprintf(fix, sizeof(fix),
					         "pgtls store merge -o %s --format pem --force %s %s  (keeps the old CA too)",
					         path ? path : "ROOTFILE", path ? path : "ROOTFILE", new_ca_path);
			}
			/* verify-full through a name the certificate does not carry */
			if (strcmp(verdict, "verifies full") == 0 && leaf && host && strcmp(host, "(default)") != 0 &&
			    strchr(host, ',') == NULL && !name_ok(leaf, host))
			{
				alias_problem = true;
				if (strcmp(outcome, "keeps working") == 0)
				{
					outcome = "breaks";
					breaks++;
				}
				error = "server certificate does not match host name (DNS alias)";
				snprintf(fix + strlen(fix), sizeof(fix) - strlen(fix),
				         "%sconnect by a name in the certificate, or reissue it with \"%s\" as a subjectAltName",
				         fix[0] ? "; " : "", host);
			}
		}
		json_array_append_new(rows, json_pack("{s:O,s:O,s:O,s:O,s:O,s:s,s:o,s:b,s:o,s:o}", "file",
		                                      json_object_get(f, "file"), "line", json_object_get(f, "line"), "driver",
		                                      json_object_get(f, "driver"), "host", json_object_get(f, "host"),
		                                      "verdict", json_object_get(f, "verdict"), "outcome", outcome, "error",
		                                      error ? json_string(error) : json_null(), "host_alias_not_in_certificate",
		                                      alias_problem, "why", why[0] ? json_string(why) : json_null(), "fix",
		                                      fix[0] ? json_string(fix) : json_null()));
	}
	json_decref(leaf);
	json_decref(probe0);
	json_object_set_new(rep, "pgtls_version", json_string(PGTLS_VERSION_STR));
	json_object_set_new(rep, "schema", json_integer(PGTLS_JSON_SCHEMA));
	json_object_set_new(rep, "new_ca", json_pack("{s:s,s:i}", "path", new_ca_path, "certificates", newca->nentries));
	json_object_set_new(rep, "decision", json_string(breaks ? "NO-GO" : "GO"));
	json_object_set_new(rep, "clients_that_break", json_integer(breaks));
	json_object_set_new(rep, "endpoints", eps);
	json_object_set_new(rep, "clients", rows);
	pgtls_store_free(newca);
	if (go)
		*go = breaks == 0;
	out = json_dumps(rep, JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT));
	json_decref(rep);
	return out;
}
