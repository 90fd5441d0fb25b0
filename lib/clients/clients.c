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

static void
rec_clear(client_rec *r)
{
	free(r->file);
	free(r->spec);
	free(r->host);
	free(r->hostaddr);
	free(r->port);
	free(r->dbname);
	free(r->user);
	free(r->sslmode_text);
	free(r->sslfactory);
	free(r->rootcert);
}

pgtls_clients *
pgtls_clients_new(void)
{
	pgtls_clients *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	pgtls__home_dir(NULL, c->home, sizeof(c->home));
	return c;
}

void
pgtls_clients_free(pgtls_clients *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < c->nrecs; i++)
		rec_clear(&c->recs[i]);
	free(c->recs);
	for (int i = 0; i < c->nskipped; i++)
	{
		free(c->skipped[i].path);
		free(c->skipped[i].reason);
	}
	free(c->skipped);
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
	return c ? c->nrecs : 0;
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

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* pgjdbc and Npgsql read sslmode case-insensitively; libpq does not */
static pgtls_sslmode
parse_mode(pgtls_driver driver, const char *mode)
{
	char low[32];
	size_t i;

	if (driver != PGTLS_DRIVER_PGJDBC && driver != PGTLS_DRIVER_NPGSQL)
		return pgtls_sslmode_parse(mode);
	for (i = 0; mode[i] && i + 1 < sizeof(low); i++)
		low[i] = (char)tolower((unsigned char)mode[i]);
	low[i] = '\0';
	return mode[i] ? PGTLS_SSLMODE_INVALID : pgtls_sslmode_parse(low);
}

/* sslmode: explicit, from the environment (libpq family), or the driver's reading of other keys */
static const char *
resolve_mode(client_rec *r, json_t *params, json_t *envobj, bool libpq_family)
{
	const char *mode = jget(params, "sslmode");

	r->sslmode_source = "explicit";
	if (mode == NULL && envobj && libpq_family && jget(envobj, "PGSSLMODE"))
	{
		mode = jget(envobj, "PGSSLMODE");
		r->sslmode_source = "environment (PGSSLMODE)";
	}
	if (r->driver == PGTLS_DRIVER_PGJDBC)
	{
		const char *ssl = jget(params, "ssl");
		const char *factory = jget(params, "sslfactory");

		if (mode == NULL && ssl && strcmp(ssl, "true") == 0)
		{
			mode = "verify-full";
			r->sslmode_source = "pgjdbc: ssl=true means verify-full";
		}
		r->sslfactory = dup_or_null(factory);
		if (factory && strstr(factory, "NonValidatingFactory"))
		{
			if (mode == NULL)
				mode = "require", r->sslmode_source = "pgjdbc: NonValidatingFactory";
			r->trust = PGTLS_TRUST_DISABLED;
		}
		else if (factory && strstr(factory, "DefaultJavaSSLFactory"))
			r->trust = PGTLS_TRUST_JVM;
	}
	if (r->driver == PGTLS_DRIVER_NPGSQL)
	{
		const char *tsc = jget(params, "trustservercertificate");

		if (tsc && strcasecmp(tsc, "true") == 0)
			r->trust = PGTLS_TRUST_DISABLED;
	}
	if (mode == NULL)
	{
		mode = pgtls_sslmode_name(pgtls__driver_rules(r->driver)->default_mode);
		r->sslmode_source = "driver default";
	}
	return mode;
}

/* root certificate: explicit, PGSSLROOTCERT, the driver's default file, or the system store */
static void
resolve_root(pgtls_clients *c, client_rec *r, json_t *params, json_t *envobj, bool libpq_family)
{
	const pgtls_driver_rules *d = pgtls__driver_rules(r->driver);
	const char *root = jget(params, "sslrootcert");
	char rootbuf[1100];

	r->root_source = "explicit";
	if (root == NULL && envobj && libpq_family && jget(envobj, "PGSSLROOTCERT"))
	{
		root = jget(envobj, "PGSSLROOTCERT");
		r->root_source = "environment (PGSSLROOTCERT)";
	}
	r->root_explicit = root != NULL;
	if (root == NULL && d->default_root_file)
	{
		if (c->home[0] == '\0')
		{
			r->root = PGTLS_ROOT_NO_HOME;
			r->root_source = "default (~/.postgresql/root.crt), but no home directory";
			return;
		}
		snprintf(rootbuf, sizeof(rootbuf), "%s/.postgresql/root.crt", c->home);
		root = rootbuf;
		r->root_source = "default (~/.postgresql/root.crt of the user running the scan)";
	}
	else if (root == NULL && d->system_store_default)
	{
		root = "system";
		r->root_source = "driver default: the operating system's trust store";
	}
	if (root == NULL)
	{
		r->root_source = "none (this driver has no default root file)";
		r->root = PGTLS_ROOT_NONE;
		return;
	}
	r->rootcert = strdup(root);
	if (strcmp(root, "system") == 0)
	{
		if (r->trust == PGTLS_TRUST_FILE)
			r->trust = PGTLS_TRUST_SYSTEM;
		r->root = PGTLS_ROOT_LOADED;
	}
	else if (!file_exists(root))
		r->root = PGTLS_ROOT_MISSING;
	else if (d->root_pem_only && !pgtls__root_file_loadable(root))
		r->root = PGTLS_ROOT_UNREADABLE; /* libpq reads PEM only: "could not read root certificate file" */
	else
		r->root = PGTLS_ROOT_LOADED;
}

/*
 * The effective TLS settings of one client, after its driver's defaults
 * and the environment, classified by the rules engine.  PARAMS: parsed
 * options; ENVOBJ: PG* environment applying to libpq-family drivers (may
 * be NULL).
 */
static void
judge(pgtls_clients *c, client_rec *r, json_t *params, json_t *envobj)
{
	bool libpq_family = r->driver == PGTLS_DRIVER_LIBPQ || r->driver == PGTLS_DRIVER_PSYCOPG ||
	                    r->driver == PGTLS_DRIVER_ASYNCPG || r->driver == PGTLS_DRIVER_PGX ||
	                    r->driver == PGTLS_DRIVER_GO_PQ;
	const char *mode = resolve_mode(r, params, envobj, libpq_family);
	pgtls_facts f;

	r->sslmode_text = strdup(mode);
	if (r->driver == PGTLS_DRIVER_NODE_POSTGRES && strcmp(mode, "no-verify") == 0)
	{
		/* node-postgres: encrypt, verify nothing */
		r->sslmode = PGTLS_SSLMODE_REQUIRE;
		r->trust = PGTLS_TRUST_DISABLED;
	}
	else
		r->sslmode = parse_mode(r->driver, mode);
	resolve_root(c, r, params, envobj, libpq_family);

	memset(&f, 0, sizeof(f));
	f.driver = r->driver;
	f.sslmode = r->sslmode;
	f.trust = r->trust;
	f.root = r->root;
	f.root_explicit = r->root_explicit;
	r->outcome = pgtls__rules_classify(&f, &r->verifies_when_tls, &r->failure);
}

const char *
pgtls__client_verdict(const client_rec *r)
{
	switch (r->failure)
	{
		case PGTLS_FAIL_NONE:
			break;
		case PGTLS_FAIL_ROOT_MISSING:
		case PGTLS_FAIL_NO_HOME:
			return "fails now: root certificate file missing";
		case PGTLS_FAIL_ROOT_UNREADABLE:
			return "fails now: root certificate file unreadable";
		case PGTLS_FAIL_WEAK_SYSTEM:
			return "fails now: sslrootcert=system allows only sslmode=verify-full";
		case PGTLS_FAIL_INVALID_SSLMODE:
			return "unknown sslmode";
		default:
			return "fails now";
	}
	switch (r->outcome)
	{
		case PGTLS_OUTCOME_NO_TLS:
			return "plaintext";
		case PGTLS_OUTCOME_OPPORTUNISTIC:
			return "may fall back to plaintext";
		case PGTLS_OUTCOME_ENCRYPTED_UNVERIFIED:
			return "encrypted, not verified";
		case PGTLS_OUTCOME_VERIFIES_CA:
			return "verifies CA only";
		case PGTLS_OUTCOME_VERIFIES_FULL:
			return "verifies full";
		case PGTLS_OUTCOME_UNIX_SOCKET:
			return "Unix socket: TLS does not apply";
		default:
			return "unknown";
	}
}

const char *
pgtls__client_detail(const client_rec *r)
{
	const pgtls_driver_rules *d = pgtls__driver_rules(r->driver);

	if (r->failure != PGTLS_FAIL_NONE)
		return NULL;
	if (r->outcome == PGTLS_OUTCOME_OPPORTUNISTIC && r->sslmode != PGTLS_SSLMODE_ALLOW && d->root_upgrades_prefer)
		return r->verifies_when_tls >= PGTLS_VERIFIED_CA
		           ? "verifies the CA when TLS works, but silently retries without TLS when verification fails"
		           : "TLS without verification, and silently retries without TLS";
	if (r->outcome == PGTLS_OUTCOME_OPPORTUNISTIC)
		return "TLS without verification, and retries without TLS";
	if (r->outcome == PGTLS_OUTCOME_VERIFIES_CA && r->sslmode == PGTLS_SSLMODE_REQUIRE)
		return "the driver verifies the CA in require mode because the root certificate file exists";
	if (r->outcome == PGTLS_OUTCOME_VERIFIES_FULL && d->weak_modes_verify_full &&
	    r->sslmode != PGTLS_SSLMODE_VERIFY_FULL)
		return "node-postgres treats sslmode prefer/require/verify-ca as verify-full (unless uselibpqcompat=true)";
	return NULL;
}

static void
add_finding(pgtls_clients *c, const char *file, int line, const char *kind, pgtls_driver driver, const char *raw,
            size_t rawlen, json_t *params, json_t *envobj)
{
	client_rec *r;

	if (c->nrecs >= MAX_FINDINGS)
		return;
	if (c->nrecs == c->caprecs)
	{
		int cap = c->caprecs ? c->caprecs * 2 : 64;
		client_rec *grown = realloc(c->recs, (size_t)cap * sizeof(*grown));

		if (grown == NULL)
			return;
		c->recs = grown;
		c->caprecs = cap;
	}
	r = &c->recs[c->nrecs];
	memset(r, 0, sizeof(*r));
	r->file = strdup(file);
	r->line = line;
	r->kind = kind;
	r->driver = driver;
	r->spec = mask_spec(raw, rawlen);
	r->host = dup_or_null(jget(params, "host"));
	r->hostaddr = dup_or_null(jget(params, "hostaddr"));
	r->port = dup_or_null(jget(params, "port"));
	r->dbname = dup_or_null(jget(params, "dbname"));
	r->user = dup_or_null(jget(params, "user"));
	judge(c, r, params, envobj);
	c->nrecs++;
}

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

static void
scan_line(pgtls_clients *c, const char *path, int lineno, const char *line, size_t n, pgtls_driver driver,
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
			add_finding(c, path, lineno, "jdbc-url", PGTLS_DRIVER_PGJDBC, s, len, params, NULL);
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
			add_finding(c, path, lineno, "npgsql", PGTLS_DRIVER_NPGSQL, spec, strlen(spec), params, envobj);
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
				json_object_set_new(params, keys[i][1], json_stringn_nocheck(v, strlen(v)));
			free(v);
		}
		add_finding(c, path, line, "django", PGTLS_DRIVER_PSYCOPG, "DATABASES (Django settings)", 27, params, NULL);
	}
	free(engine);
	json_decref(params);
}

static void
scan_buffer(pgtls_clients *c, const char *path, const char *buf, size_t len)
{
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
					add_finding(c, path, svcline, "pg_service", PGTLS_DRIVER_LIBPQ, svcname, strlen(svcname), svc,
					            NULL);
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
		add_finding(c, path, svcline, "pg_service", PGTLS_DRIVER_LIBPQ, svcname, strlen(svcname), svc, NULL);
		json_decref(svc);
	}
	if (envspec && json_object_size(envspec) > 0)
	{
		char desc[64];

		snprintf(desc, sizeof(desc), "PG* variables");
		add_finding(c, path, envline, "env-file", PGTLS_DRIVER_LIBPQ, desc, strlen(desc), envspec, NULL);
	}
	json_decref(envspec);
	if (strstr(buf, "django.db.backends.postgresql"))
		scan_django(c, path, buf);
}

static void
skip(pgtls_clients *c, const char *path, const char *why)
{
	skipped_path *grown;

	if (c->nskipped >= 1000)
		return;
	grown = realloc(c->skipped, (size_t)(c->nskipped + 1) * sizeof(*grown));
	if (grown == NULL)
		return;
	c->skipped = grown;
	grown[c->nskipped].path = strdup(path);
	grown[c->nskipped].reason = strdup(why);
	c->nskipped++;
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
			json_object_set_new(pg, pgenv_key(var), json_stringn_nocheck(eq + 1, strlen(eq + 1)));
		else if (strlen(var) > 4 && strcmp(var + strlen(var) - 4, "_URL") == 0)
			scan_line(c, "(environment)", 0, eq + 1, strlen(eq + 1), PGTLS_DRIVER_LIBPQ, NULL);
	}
	if (json_object_size(pg) > 0)
		add_finding(c, "(environment)", 0, "environment", PGTLS_DRIVER_LIBPQ, "PG* variables", 13, pg, NULL);
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

	if (c == NULL || (rep = pgtls__clients_to_json(c)) == NULL)
		return NULL;
	out = json_dumps(rep, JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT));
	json_decref(rep);
	return out;
}

/* 0 every client verifies the server fully, 1 otherwise */
int
pgtls_clients_status(const pgtls_clients *c)
{
	if (c == NULL)
		return 3;
	for (int i = 0; i < c->nrecs; i++)
		if (c->recs[i].outcome != PGTLS_OUTCOME_VERIFIES_FULL || c->recs[i].failure != PGTLS_FAIL_NONE)
			return 1;
	return 0;
}

/* ---- typed accessors ---- */

int
pgtls_clients_files_scanned(const pgtls_clients *c)
{
	return c ? c->files : 0;
}

int
pgtls_clients_nskipped(const pgtls_clients *c)
{
	return c ? c->nskipped : 0;
}

const char *
pgtls_clients_skipped_path(const pgtls_clients *c, int i)
{
	return (c && i >= 0 && i < c->nskipped && c->skipped[i].path) ? c->skipped[i].path : "";
}

const char *
pgtls_clients_skipped_reason(const pgtls_clients *c, int i)
{
	return (c && i >= 0 && i < c->nskipped && c->skipped[i].reason) ? c->skipped[i].reason : "";
}

static const client_rec *
rec_at(const pgtls_clients *c, int i)
{
	return (c && i >= 0 && i < c->nrecs) ? &c->recs[i] : NULL;
}

static const char *
nz(const char *s)
{
	return s ? s : "";
}

const char *
pgtls_client_get(const pgtls_clients *c, int i, pgtls_client_field field)
{
	const client_rec *r = rec_at(c, i);

	if (r == NULL)
		return "";
	switch (field)
	{
		case PGTLS_CL_FILE:
			return nz(r->file);
		case PGTLS_CL_KIND:
			return r->kind;
		case PGTLS_CL_SPEC:
			return nz(r->spec);
		case PGTLS_CL_HOST:
			return nz(r->host);
		case PGTLS_CL_HOSTADDR:
			return nz(r->hostaddr);
		case PGTLS_CL_PORT:
			return nz(r->port);
		case PGTLS_CL_SSLMODE:
			return nz(r->sslmode_text);
		case PGTLS_CL_SSLMODE_SOURCE:
			return nz(r->sslmode_source);
		case PGTLS_CL_ROOTCERT:
			return r->trust == PGTLS_TRUST_JVM ? "JVM trust store (javax.net.ssl.trustStore or cacerts)"
			                                   : nz(r->rootcert);
		case PGTLS_CL_ROOTCERT_SOURCE:
			return r->trust == PGTLS_TRUST_JVM ? "pgjdbc DefaultJavaSSLFactory" : nz(r->root_source);
		case PGTLS_CL_VERDICT:
			return pgtls__client_verdict(r);
		case PGTLS_CL_DETAIL:
			return nz(pgtls__client_detail(r));
	}
	return "";
}

int
pgtls_client_line(const pgtls_clients *c, int i)
{
	const client_rec *r = rec_at(c, i);

	return r ? r->line : 0;
}

pgtls_driver
pgtls_client_driver(const pgtls_clients *c, int i)
{
	const client_rec *r = rec_at(c, i);

	return r ? r->driver : PGTLS_DRIVER_LIBPQ;
}

pgtls_trust
pgtls_client_trust(const pgtls_clients *c, int i)
{
	const client_rec *r = rec_at(c, i);

	return r ? r->trust : PGTLS_TRUST_FILE;
}

pgtls_client_outcome
pgtls_client_outcome_of(const pgtls_clients *c, int i)
{
	const client_rec *r = rec_at(c, i);

	return r ? r->outcome : PGTLS_OUTCOME_UNKNOWN;
}

pgtls_failure
pgtls_client_failure(const pgtls_clients *c, int i)
{
	const client_rec *r = rec_at(c, i);

	return r ? r->failure : PGTLS_FAIL_NONE;
}

int
pgtls_client_rootcert_exists(const pgtls_clients *c, int i)
{
	const client_rec *r = rec_at(c, i);

	if (r == NULL || r->trust == PGTLS_TRUST_JVM)
		return -1;
	return r->root == PGTLS_ROOT_LOADED || r->root == PGTLS_ROOT_UNREADABLE;
}
