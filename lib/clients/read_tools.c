/*-------------------------------------------------------------------------
 *
 * read_tools.c
 *	  Settings kept by tools and frameworks in their own formats: pgAdmin
 *	  servers.json, DBeaver data-sources.json, Grafana's [database]
 *	  section, and Laravel config/database.php ('pgsql' connections).
 *
 * IDENTIFICATION
 *	  lib/clients/read_tools.c
 *
 * NOTES
 *	  pgAdmin (docs: "Import/Export Servers") connects with psycopg, i.e.
 *	  libpq: SSLMode/SSLRootCert, or connection_params {sslmode,
 *	  sslrootcert} in pgAdmin 7 and later.  Grafana's own database
 *	  (docs: configuration, [database]: type, host "h:port", ssl_mode,
 *	  ca_cert_path) is reached with Go lib/pq.  Laravel builds a PDO pgsql
 *	  DSN (host, port, dbname, sslmode, sslrootcert) for libpq;
 *	  env('NAME', 'default') takes the default, said in the note.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clients/clients_int.h"

/* the value of KEY in O as a string (numbers too), or NULL */
static const char *
jval(json_t *o, const char *key, char *buf, size_t buflen)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
	{
		snprintf(buf, buflen, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	return json_string_value(v);
}

/* ---- pgAdmin servers.json ---- */

static void
read_pgadmin(pgtls_clients *c, const char *path, const char *buf, size_t len)
{
	json_t *root = json_loadb(buf, len, 0, NULL);
	json_t *servers = json_object_get(root, "Servers");
	const char *id;
	json_t *srv;
	const char *from = buf;

	json_object_foreach (servers, id, srv)
	{
		json_t *cp = json_object_get(srv, "connection_params");
		pgtls_settings *params = pgtls__settings_new();
		char port[32], raw[300];
		const char *name = json_string_value(json_object_get(srv, "Name"));
		const char *host = json_string_value(json_object_get(srv, "Host"));
		const char *at = host ? memmem(from, len - (size_t)(from - buf), host, strlen(host)) : NULL;
		const struct
		{
			const char *pgadmin, *libpq;
			json_t *in;
		} keys[] = {{"Host", "host", srv},
		            {"HostAddr", "hostaddr", srv},
		            {"Port", "port", srv},
		            {"MaintenanceDB", "dbname", srv},
		            {"Username", "user", srv},
		            {"SSLMode", "sslmode", srv},
		            {"SSLRootCert", "sslrootcert", srv},
		            {"sslmode", "sslmode", cp},
		            {"sslrootcert", "sslrootcert", cp},
		            {"hostaddr", "hostaddr", cp}};

		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		{
			const char *v = jval(keys[k].in, keys[k].pgadmin, port, sizeof(port));

			if (v && v[0])
				pgtls__settings_set(params, keys[k].libpq, v);
		}
		snprintf(raw, sizeof(raw), "pgAdmin server %s \"%s\"", id, name ? name : "");
		if (pgtls__settings_count(params) > 0)
			pgtls__clients_add_ex(c, path, at ? pgtls__line_of(buf, at) : 1, "pgadmin", PGTLS_DRIVER_PSYCOPG, raw,
			                      strlen(raw), params, NULL, NULL, NULL, NULL);
		if (at)
			from = at;
		pgtls__settings_free(params);
	}
	json_decref(root);
}

/* ---- DBeaver data-sources.json ---- */

/*
 * DBeaver connects with pgjdbc.  Its "postgre_ssl" handler, when enabled,
 * sets ssl=true and passes sslMode, the root certificate ("ssl.ca.cert",
 * older "rootCert") and sslFactory on to pgjdbc (DBeaver PostgreDataSource
 * .initServerSSL(), SSLHandlerTrustStoreImpl); without it pgjdbc's
 * defaults apply.
 */
static void
read_dbeaver(pgtls_clients *c, const char *path, const char *buf, size_t len)
{
	json_t *root = json_loadb(buf, len, 0, NULL);
	const char *id;
	json_t *conn;

	json_object_foreach (json_object_get(root, "connections"), id, conn)
	{
		json_t *cfg = json_object_get(conn, "configuration");
		json_t *ssl = json_object_get(json_object_get(cfg, "handlers"), "postgre_ssl");
		json_t *props = json_object_get(ssl, "properties");
		const char *provider = json_string_value(json_object_get(conn, "provider"));
		const char *url = json_string_value(json_object_get(cfg, "url"));
		const char *host = json_string_value(json_object_get(cfg, "host"));
		pgtls_settings *params;
		char err[128], raw[300], port[32];
		const char *v;

		if (provider == NULL || strstr(provider, "postgre") == NULL)
			continue;
		params = url && strncmp(url, "jdbc:postgresql:", 16) == 0 ? pgtls__jdbc_parse(url, err, sizeof(err)) : NULL;
		if (params == NULL)
			params = pgtls__settings_new();
		if (host)
			pgtls__settings_set(params, "host", host);
		if ((v = jval(cfg, "port", port, sizeof(port))) != NULL && v[0])
			pgtls__settings_set(params, "port", v);
		if (json_is_true(json_object_get(ssl, "enabled")))
		{
			const char *mode = json_string_value(json_object_get(props, "sslMode"));
			const char *rootcert = json_string_value(json_object_get(props, "ssl.ca.cert"));
			const char *factory = json_string_value(json_object_get(props, "sslFactory"));

			if (rootcert == NULL)
				rootcert = json_string_value(json_object_get(props, "rootCert"));
			pgtls__settings_set(params, "ssl", "true");
			if (mode && mode[0])
				pgtls__settings_set(params, "sslmode", mode);
			if (rootcert && rootcert[0])
				pgtls__settings_set(params, "sslrootcert", rootcert);
			if (factory && factory[0])
				pgtls__settings_set(params, "sslfactory", factory);
		}
		snprintf(raw, sizeof(raw), "DBeaver connection %s", id);
		{
			const char *at = memmem(buf, len, id, strlen(id));

			pgtls__clients_add_ex(c, path, at ? pgtls__line_of(buf, at) : 1, "dbeaver", PGTLS_DRIVER_PGJDBC, raw,
			                      strlen(raw), params, NULL, NULL, NULL, NULL);
		}
		pgtls__settings_free(params);
	}
	json_decref(root);
}

/* ---- Grafana [database] ---- */

static void
read_grafana(pgtls_clients *c, const char *path, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	bool in_db = false;
	int lineno = 0, dbline = 0;
	pgtls_settings *params = pgtls__settings_new();
	bool postgres = false;

	while (p < end)
	{
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		char key[64];
		char *val = NULL;

		lineno++;
		if (n > 0 && *p == '[')
		{
			in_db = n >= 10 && strncmp(p, "[database]", 10) == 0;
			if (in_db)
				dbline = lineno;
		}
		else if (in_db && *p != ';' && *p != '#' && pgtls__assignment(p, n, key, sizeof(key), &val))
		{
			char *colon = strcmp(key, "host") == 0 ? strrchr(val, ':') : NULL;

			if (strcmp(key, "type") == 0)
				postgres = strcmp(val, "postgres") == 0;
			else if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1))
			{
				/* host = h:port */
				pgtls__settings_set(params, "port", colon + 1);
				*colon = '\0';
				pgtls__settings_set(params, "host", val);
			}
			else if (strcmp(key, "host") == 0 || strcmp(key, "user") == 0)
				pgtls__settings_set(params, key, val);
			else if (strcmp(key, "name") == 0)
				pgtls__settings_set(params, "dbname", val);
			else if (strcmp(key, "ssl_mode") == 0)
				pgtls__settings_set(params, "sslmode", val);
			else if (strcmp(key, "ca_cert_path") == 0 && val[0])
				pgtls__settings_set(params, "sslrootcert", val);
		}
		free(val);
		p = nl ? nl + 1 : end;
	}
	if (postgres)
		pgtls__clients_add_ex(c, path, dbline, "grafana", PGTLS_DRIVER_GO_PQ, "[database] (Grafana)", 20, params, NULL,
		                      NULL, NULL, NULL);
	pgtls__settings_free(params);
}

/* ---- Laravel config/database.php ---- */

/* 'key' => 'value' or env('NAME', 'default') or env('NAME') at P; the value (malloc'd), or NULL */
static char *
php_value(const char *p, const char *end, char *note, size_t notelen, const char *key, bool *unset)
{
	const char *q;

	*unset = false;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p < end && (*p == '\'' || *p == '"'))
	{
		q = memchr(p + 1, *p, (size_t)(end - p - 1));
		return q ? strndup(p + 1, (size_t)(q - p - 1)) : NULL;
	}
	if (end - p > 4 && strncmp(p, "env(", 4) == 0)
	{
		const char *n1 = p + 4, *n2, *d1, *d2, *close = memchr(p, ')', (size_t)(end - p));

		while (n1 < end && (*n1 == ' ' || *n1 == '\'' || *n1 == '"'))
			n1++;
		n2 = n1;
		while (n2 < end && (isalnum((unsigned char)*n2) || *n2 == '_'))
			n2++;
		d1 = close ? memchr(n2, ',', (size_t)(close - n2)) : NULL;
		if (d1)
		{
			while (d1 < close && *d1 != '\'' && *d1 != '"')
				d1++;
			d2 = d1 < close ? memchr(d1 + 1, *d1, (size_t)(close - d1 - 1)) : NULL;
			if (d2)
			{
				size_t used = strlen(note);

				snprintf(note + used, notelen - used,
				         "%s%s from %.*s in the environment (.env) when set, else \"%.*s\"", used ? "; " : "", key,
				         (int)(n2 - n1), n1, (int)(d2 - d1 - 1), d1 + 1);
				return strndup(d1 + 1, (size_t)(d2 - d1 - 1));
			}
		}
		*unset = true;
		return strndup(p, (size_t)((close ? close + 1 : n2) - p));
	}
	return NULL;
}

static void
read_laravel(pgtls_clients *c, const char *path, const char *buf, size_t len)
{
	static const char *const keys[][2] = {{"host", "host"},     {"port", "port"},       {"database", "dbname"},
	                                      {"username", "user"}, {"sslmode", "sslmode"}, {"sslrootcert", "sslrootcert"}};
	const char *end = buf + len;

	for (const char *d = buf; (d = memmem(d, (size_t)(end - d), "'driver'", 8)) != NULL; d += 8)
	{
		const char *b = d, *e = d;
		pgtls_settings *params;
		char note[600] = "", why[200] = "";
		int depth = 0;

		if (memmem(d, (size_t)(end - d) < 40 ? (size_t)(end - d) : 40, "'pgsql'", 7) == NULL)
			continue;
		/* the enclosing [ ... ] of this connection */
		while (b > buf && b[-1] != '[')
			b--;
		while (e < end && (depth > 0 || *e != ']'))
		{
			depth += *e == '[';
			depth -= *e == ']' && depth > 0;
			e++;
		}
		params = pgtls__settings_new();
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		{
			char pat[32];
			const char *at, *arrow;
			bool unset;
			char *v;

			snprintf(pat, sizeof(pat), "'%s'", keys[k][0]);
			at = memmem(b, (size_t)(e - b), pat, strlen(pat));
			arrow = at ? memmem(at, (size_t)(e - at), "=>", 2) : NULL;
			v = arrow ? php_value(arrow + 2, e, note, sizeof(note), keys[k][0], &unset) : NULL;
			if (v && unset && (strcmp(keys[k][1], "sslmode") == 0 || strcmp(keys[k][1], "sslrootcert") == 0))
				snprintf(why, sizeof(why), "%s comes from the environment (%.60s), not set here", keys[k][0], v);
			else if (v)
				pgtls__settings_set(params, keys[k][1], unset ? "{env}" : v);
			free(v);
		}
		pgtls__clients_add_ex(c, path, pgtls__line_of(buf, d), "laravel", PGTLS_DRIVER_LIBPQ,
		                      "'driver' => 'pgsql' (Laravel)", 29, params, NULL, NULL, note, why[0] ? why : NULL);
		pgtls__settings_free(params);
	}
}

void
pgtls__read_tools(pgtls_clients *c, const char *path, const char *buf, size_t len)
{
	const char *ext = strrchr(path, '.');

	if (ext && strcmp(ext, ".json") == 0 && memmem(buf, len, "\"Servers\"", 9))
		read_pgadmin(c, path, buf, len);
	else if (ext && strcmp(ext, ".json") == 0 && memmem(buf, len, "\"connections\"", 13) &&
	         memmem(buf, len, "postgre", 7))
		read_dbeaver(c, path, buf, len);
	else if (ext && strcmp(ext, ".ini") == 0 && memmem(buf, len, "[database]", 10))
		read_grafana(c, path, buf, len);
	else if (ext && strcmp(ext, ".php") == 0 && memmem(buf, len, "'pgsql'", 7))
		read_laravel(c, path, buf, len);
}
