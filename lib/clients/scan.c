/*-------------------------------------------------------------------------
 *
 * scan.c
 *	  Find PostgreSQL connection settings in files, directory trees and
 *	  the environment: conninfo strings, URIs, JDBC URLs, Npgsql strings,
 *	  .env PG* variables, pg_service.conf files, Django settings.
 *
 * IDENTIFICATION
 *	  lib/clients/scan.c
 *
 * NOTES
 *	  Every setting found becomes one typed client record through
 *	  pgtls__clients_add() (clients.c), which judges it with the rules
 *	  engine.  Values are kept byte for byte; output sanitises them.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>

#include "clients/clients_int.h"

#define MAX_FILE (4 * 1024 * 1024)
#define MAX_DEPTH 12

static pgtls_driver
driver_for(const char *path, const char *content)
{
	const char *ext = strrchr(path, '.');

	if (ext == NULL)
		return PGTLS_DRIVER_LIBPQ;
	if (strcmp(ext, ".py") == 0)
		return strstr(content, "asyncpg") ? PGTLS_DRIVER_ASYNCPG : PGTLS_DRIVER_PSYCOPG;
	if (strcmp(ext, ".go") == 0)
		return strstr(content, "jackc/pgx") ? PGTLS_DRIVER_PGX : PGTLS_DRIVER_GO_PQ;
	if (strcmp(ext, ".js") == 0 || strcmp(ext, ".ts") == 0 || strcmp(ext, ".mjs") == 0 || strcmp(ext, ".cjs") == 0)
		return PGTLS_DRIVER_NODE_POSTGRES;
	return PGTLS_DRIVER_LIBPQ;
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
						json_object_set_new(o, "sslmode", json_stringn_nocheck(norm, strlen(norm)));
					}
					else
						json_object_set_new(o, map[i][1], json_stringn_nocheck(w, strlen(w)));
					free(v);
					break;
				}
		}
		p = semi ? semi + 1 : end;
	}
	return o;
}

/* JDBC URLs on the line; true when one was found */
static bool
scan_jdbc(pgtls_clients *c, const char *path, int lineno, const char *line, const char *end)
{
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
			pgtls__clients_add(c, path, lineno, "jdbc-url", PGTLS_DRIVER_PGJDBC, s, len, params, NULL);
			had = true;
		}
		json_decref(params);
		free(s);
	}
	return had;
}

/* postgresql:// URIs on the line (not inside a JDBC URL); true when one was found */
static bool
scan_uris(pgtls_clients *c, const char *path, int lineno, const char *line, const char *end, pgtls_driver driver,
          json_t *envobj)
{
	static const char *const schemes[] = {"postgresql://", "postgres://"};
	char err[256];
	bool had = false;

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
				pgtls__clients_add(c, path, lineno, "uri", driver, s, len, params, envobj);
				had = true;
			}
			json_decref(params);
			free(s);
		}
	return had;
}

/* Npgsql: Host=...;Port=...;SSL Mode=...; (case-insensitive keys, ';' separated); true when it was one */
static bool
scan_npgsql(pgtls_clients *c, const char *path, int lineno, const char *line, size_t n, json_t *envobj)
{
	const char *end = line + n;

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
			pgtls__clients_add(c, path, lineno, "npgsql", PGTLS_DRIVER_NPGSQL, spec, strlen(spec), params, envobj);
		json_decref(params);
		free(spec);
		return true;
	}
	return false;
}

/* a libpq conninfo string: a quoted string (or the rest of the line) with host= and another key */
static void
scan_conninfo(pgtls_clients *c, const char *path, int lineno, const char *line, size_t n, pgtls_driver driver,
              json_t *envobj)
{
	const char *end = line + n;
	char err[256];

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
			pgtls__clients_add(c, path, lineno, "conninfo", driver, s, strlen(s), params, envobj);
		json_decref(params);
		free(s);
	}
}

static void
scan_line(pgtls_clients *c, const char *path, int lineno, const char *line, size_t n, pgtls_driver driver,
          json_t *envobj)
{
	const char *end = line + n;
	bool had = scan_jdbc(c, path, lineno, line, end);

	had = scan_uris(c, path, lineno, line, end, driver, envobj) || had;
	if (had || scan_npgsql(c, path, lineno, line, n, envobj))
		return;
	scan_conninfo(c, path, lineno, line, n, driver, envobj);
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
				json_object_set_new(params, keys[i][1], json_stringn_nocheck(v, strlen(v)));
			free(v);
		}
		pgtls__clients_add(c, path, line, "django", PGTLS_DRIVER_PSYCOPG, "DATABASES (Django settings)", 27, params,
		                   NULL);
	}
	free(engine);
	json_decref(params);
}

void
pgtls__clients_jvm_store(pgtls_clients *c, int first, const char *buf, size_t len, const char *dir_of)
{
	static const char key[] = "javax.net.ssl.trustStore";
	const char *p = buf, *end = buf + len, *v = NULL;
	size_t vlen = 0;
	char path[2048];

	while (p < end && (p = strcasestr_n(p, (size_t)(end - p), key)) != NULL)
	{
		const char *q = p + sizeof(key) - 1;

		p = q;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (q >= end || (*q != '=' && *q != ':'))
			continue; /* trustStoreType, trustStorePassword, ... */
		q++;
		while (q < end && (*q == ' ' || *q == '\t' || *q == '"' || *q == '\''))
			q++;
		v = q;
		while (q < end && !isspace((unsigned char)*q) && *q != '"' && *q != '\'' && *q != ',' && *q != ';')
			q++;
		vlen = (size_t)(q - v);
	}
	if (v == NULL || vlen == 0 || vlen >= 1024)
		return;
	if (*v != '/' && dir_of && strrchr(dir_of, '/'))
		snprintf(path, sizeof(path), "%.*s/%.*s", (int)(strrchr(dir_of, '/') - dir_of), dir_of, (int)vlen, v);
	else
		snprintf(path, sizeof(path), "%.*s", (int)vlen, v);
	for (int i = first; i < c->nrecs; i++)
		if (c->recs[i].trust == PGTLS_TRUST_JVM && c->recs[i].jvm_store == NULL)
			c->recs[i].jvm_store = strdup(path);
}

static void
scan_buffer(pgtls_clients *c, const char *path, const char *buf, size_t len)
{
	int first = c->nrecs;
	pgtls_driver driver = driver_for(path, buf);
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
					pgtls__clients_add(c, path, svcline, "pg_service", PGTLS_DRIVER_LIBPQ, svcname, strlen(svcname),
					                   svc, NULL);
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
					json_object_set_new(svc, key, json_stringn_nocheck(val, strlen(val)));
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
					json_object_set_new(envspec, pgenv_key(key), json_stringn_nocheck(val, strlen(val)));
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
		pgtls__clients_add(c, path, svcline, "pg_service", PGTLS_DRIVER_LIBPQ, svcname, strlen(svcname), svc, NULL);
		json_decref(svc);
	}
	if (envspec && json_object_size(envspec) > 0)
	{
		char desc[64];

		snprintf(desc, sizeof(desc), "PG* variables");
		pgtls__clients_add(c, path, envline, "env-file", PGTLS_DRIVER_LIBPQ, desc, strlen(desc), envspec, NULL);
	}
	json_decref(envspec);
	if (strstr(buf, "django.db.backends.postgresql"))
		scan_django(c, path, buf);
	pgtls__clients_jvm_store(c, first, buf, len, path);
}

static void
skip(pgtls_clients *c, const char *path, const char *why)
{
	skipped_path *grown;

	if (c->nskipped >= 1000)
	{
		c->nskipped_more++; /* counted, and said, though not listed */
		return;
	}
	grown = realloc(c->skipped, (size_t)(c->nskipped + 1) * sizeof(*grown));
	if (grown == NULL)
		return;
	c->skipped = grown;
	grown[c->nskipped].path = strdup(path);
	grown[c->nskipped].reason = strdup(why);
	c->nskipped++;
}

static void
scan_file(pgtls_clients *c, const char *path, bool follow)
{
	struct stat st;
	char why[256];
	int fd = pgtls__open_regular(path, follow, MAX_FILE, &st, why, sizeof(why));
	char *buf;
	size_t n;

	if (fd < 0)
	{
		skip(c, path, why);
		return;
	}
	buf = pgtls__read_all(fd, MAX_FILE, &n, why, sizeof(why));
	close(fd);
	if (buf == NULL)
		skip(c, path, why);
	else if (memchr(buf, '\0', n < 8192 ? n : 8192))
		; /* binary: not a configuration file */
	else
	{
		c->files++;
		scan_buffer(c, path, buf, n);
	}
	free(buf);
}

static void
scan_path(pgtls_clients *c, const char *path, int depth)
{
	struct stat st;

	/* a path named by the user is followed; links met inside a tree are not (no loops) */
	if ((depth == 0 ? stat(path, &st) : lstat(path, &st)) != 0)
	{
		skip(c, path, strerror(errno));
		return;
	}
	if (S_ISLNK(st.st_mode))
		skip(c, path, "symbolic link: not followed");
	else if (S_ISREG(st.st_mode))
		scan_file(c, path, depth == 0);
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
	else if (depth == 0)
		skip(c, path, "not a regular file or directory");
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
	int first;

	if (c == NULL || envp == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&c->err);
	first = c->nrecs;
	pg = json_object();
	for (char *const *e = envp; *e; e++)
	{
		const char *eq = strchr(*e, '=');
		char var[128];

		if (eq == NULL || (size_t)(eq - *e) >= sizeof(var))
			continue;
		snprintf(var, sizeof(var), "%.*s", (int)(eq - *e), *e);
		if (pgenv_key(var))
			json_object_set_new(pg, pgenv_key(var), json_stringn_nocheck(eq + 1, strlen(eq + 1)));
		else if (strlen(var) > 4 && strcmp(var + strlen(var) - 4, "_URL") == 0)
			scan_line(c, "(environment)", 0, eq + 1, strlen(eq + 1), PGTLS_DRIVER_LIBPQ, NULL);
	}
	if (json_object_size(pg) > 0)
		pgtls__clients_add(c, "(environment)", 0, "environment", PGTLS_DRIVER_LIBPQ, "PG* variables", 13, pg, NULL);
	json_decref(pg);
	/* a JVM started from this environment reads -Djavax.net.ssl.trustStore from these */
	for (char *const *e = envp; *e; e++)
		if (strncmp(*e, "JAVA_TOOL_OPTIONS=", 18) == 0 || strncmp(*e, "JAVA_OPTS=", 10) == 0 ||
		    strncmp(*e, "JDK_JAVA_OPTIONS=", 17) == 0)
			pgtls__clients_jvm_store(c, first, *e, strlen(*e), NULL);

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
			if (svc[k][0] && pgtls__file_exists(svc[k]))
			{
				c->force_service = true;
				scan_file(c, svc[k], true);
				c->force_service = false;
			}
	}
	return PGTLS_OK;
}
