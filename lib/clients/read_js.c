/*-------------------------------------------------------------------------
 *
 * read_js.c
 *	  node-postgres configuration objects in JavaScript/TypeScript: pg
 *	  Pool/Client, knex (client 'pg'), Sequelize (dialect 'postgres',
 *	  dialectOptions.ssl) and TypeORM (type 'postgres', ssl or extra.ssl).
 *
 * IDENTIFICATION
 *	  lib/clients/read_js.c
 *
 * NOTES
 *	  Driver facts (node-postgres packages/pg/lib/connection-parameters.js
 *	  and client.js): config.ssl true is tls.connect() with its defaults,
 *	  i.e. the chain and host name verified against Node's CA store;
 *	  { rejectUnauthorized: false } encrypts and verifies nothing; { ca }
 *	  replaces the CA store with that file; a checkServerIdentity function
 *	  replaces the host name check; ssl unset reads PGSSLMODE, else no TLS.
 *	  A connectionString is parsed (pg-connection-string) and wins over
 *	  the object's other keys.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clients/clients_int.h"
#include "clients/lit.h"

#define JS_MAX_OBJECT 16384

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* a literal string, or an env default (noted); NULL otherwise */
static const char *
value_of(json_t *v, const char *key, char *note, size_t notelen)
{
	const char *def = pgtls__lit_env_default(v, key, "process.env.", note, notelen);

	if (def)
		return def;
	if (json_is_integer(v) || json_is_real(v))
		return NULL;
	return json_string_value(v);
}

/*
 * fs.readFileSync('path') (possibly .toString()) in an expression: the
 * path, or NULL; readFileSync(path.join(__dirname, 'a', 'b')) (or
 * path.resolve): FILE's directory joined with the literal parts
 */
static char *
read_file_path(const char *expr, const char *file)
{
	const char *b = expr ? strstr(expr, "readFileSync(") : NULL;
	const char *q, *e;
	char out[1100];
	size_t n;

	if (b == NULL)
		return NULL;
	q = b + 13;
	while (*q == ' ')
		q++;
	if (strncmp(q, "path.join(__dirname", 19) == 0 || strncmp(q, "path.resolve(__dirname", 22) == 0)
	{
		/* the module's own directory, then each quoted part */
		n = (size_t)snprintf(out, sizeof(out), "%.*s", (int)(strrchr(file, '/') ? strrchr(file, '/') - file : 1),
		                     strrchr(file, '/') ? file : ".");
		for (q = strchr(q, ','); q && *q == ',' && n < sizeof(out); q = e ? e + 1 : NULL)
		{
			while (*++q == ' ')
				;
			if (*q != '\'' && *q != '"')
				return NULL; /* a part from code */
			e = strchr(q + 1, *q);
			if (e == NULL)
				return NULL;
			n += (size_t)snprintf(out + n, sizeof(out) - n, "/%.*s", (int)(e - q - 1), q + 1);
			e++;
			while (*e == ' ')
				e++;
			if (*e == ')')
				return strdup(out);
			if (*e != ',')
				return NULL;
			e--; /* the loop steps onto the comma */
		}
		return NULL;
	}
	if (*q != '\'' && *q != '"' && *q != '`')
		return NULL;
	e = strchr(q + 1, *q);
	return e ? strndup(q + 1, (size_t)(e - q - 1)) : NULL;
}

/*
 * node-postgres ssl: true/false/{rejectUnauthorized, ca, checkServerIdentity}
 * (SSL, a parsed literal) -> libpq-style keys in PARAMS, and what was seen
 * of the object in SEEN
 */
static void
ssl_params(json_t *ssl, const char *file, pgtls_settings *params, pgtls_observed *seen, char *why, size_t whylen)
{
	json_t *ru = json_object_get(ssl, "rejectUnauthorized");
	json_t *ca = json_object_get(ssl, "ca");

	if (ssl == NULL)
		return;
	seen->js_ssl_object = true; /* not from a URL (node.c) */
	if (json_is_true(ssl))
	{
		pgtls__settings_set(params, "sslmode", "verify-full");
		pgtls__settings_set(params, "sslrootcert", "system"); /* Node's CA store */
		return;
	}
	if (json_is_false(ssl) || json_is_null(ssl))
	{
		pgtls__settings_set(params, "sslmode", "disable");
		return;
	}
	if (pgtls__lit_expr(ssl))
	{
		snprintf(why, whylen, "ssl comes from code (%.80s): not known here", pgtls__lit_expr(ssl));
		return;
	}
	if (!json_is_object(ssl))
		return;
	if (json_is_false(ru))
	{
		pgtls__settings_set(params, "sslmode", "no-verify");
		return;
	}
	if (ru && !json_is_true(ru))
	{
		snprintf(why, whylen, "rejectUnauthorized comes from code (%.80s): not known here",
		         pgtls__lit_expr(ru) ? pgtls__lit_expr(ru) : "?");
		return;
	}
	if (json_is_true(ru))
		seen->reject_unauthorized = true; /* verifies in pg 7 too */
	pgtls__settings_set(params, "sslmode", "verify-full");
	if (ca)
	{
		char *path = read_file_path(pgtls__lit_expr(ca), file);

		if (path)
			pgtls__settings_set(params, "sslrootcert", path);
		else if (json_is_string(ca))
			snprintf(why, whylen, "ssl.ca is a certificate written in the code: check it with pgtls store inspect");
		else
			snprintf(why, whylen, "ssl.ca comes from code (%.80s): not known here",
			         pgtls__lit_expr(ca) ? pgtls__lit_expr(ca) : "?");
		free(path);
	}
	else
		pgtls__settings_set(params, "sslrootcert", "system");
	if (json_object_get(ssl, "checkServerIdentity"))
		seen->custom_host_check = true;
}

/* the connection object CONN (pg config, knex connection, TypeORM/Sequelize options) into one record */
static void
read_conn(pgtls_clients *c, const char *path, int line, const char *raw, size_t rawlen, json_t *conn, json_t *ssl)
{
	static const char *const keys[][2] = {
	    {"host", "host"}, {"port", "port"}, {"database", "dbname"}, {"user", "user"}, {"username", "user"}};
	pgtls_settings *params = pgtls__settings_new();
	pgtls_observed seen = {0};
	char note[600] = "", why[300] = "";
	const char *dsn = value_of(json_object_get(conn, "connectionString"), "connectionString", note, sizeof(note));

	if (dsn == NULL)
		dsn = value_of(json_object_get(conn, "url"), "url", note, sizeof(note)); /* TypeORM */
	if (dsn == NULL && json_is_string(conn))
		dsn = json_string_value(conn); /* knex connection: 'postgres://...' */
	for (size_t k = 0; json_is_object(conn) && k < sizeof(keys) / sizeof(keys[0]); k++)
	{
		json_t *v = json_object_get(conn, keys[k][0]);
		const char *s = value_of(v, keys[k][0], note, sizeof(note));

		if (params && s)
			pgtls__settings_set(params, keys[k][1], s);
		else if (params && pgtls__lit_expr(v))
			/* a value from code: kept as "{expr}", a placeholder for where the application runs */
			pgtls__settings_setf(params, keys[k][1], "{%s}", pgtls__lit_expr(v));
	}
	if (pgtls__lit_expr(json_object_get(conn, "connectionString")) && dsn == NULL)
		snprintf(why, sizeof(why), "connectionString comes from code (%.80s): not known here",
		         pgtls__lit_expr(json_object_get(conn, "connectionString")));
	if (params == NULL)
		return;
	ssl_params(ssl, path, params, &seen, why + strlen(why), sizeof(why) - strlen(why));
	pgtls__clients_add_cmd(c, path, line, "js-config", PGTLS_DRIVER_NODE_POSTGRES, raw, rawlen, dsn, params, &seen,
	                       NULL, note, why[0] ? why : NULL);
	pgtls__settings_free(params);
}

static bool
is_pg(const char *s)
{
	return s && (strcmp(s, "pg") == 0 || strcmp(s, "postgres") == 0 || strcmp(s, "postgresql") == 0);
}

/* node-postgres settings: a host or connection string, with a database, user, port or ssl beside it */
static bool
pg_config(json_t *o)
{
	return json_is_object(o) && (json_object_get(o, "host") || json_object_get(o, "connectionString")) &&
	       (json_object_get(o, "database") || json_object_get(o, "user") || json_object_get(o, "port") ||
	        json_object_get(o, "ssl") || json_object_get(o, "connectionString"));
}

/* object O, the options of CALLEE (a call, or "exports"): one record by the library it configures */
static void
dispatch(pgtls_clients *c, const char *path, int line, const char *raw, size_t rawlen, json_t *o, const char *callee,
         size_t calleelen)
{
	if (json_object_get(o, "client")) /* knex */
	{
		if (is_pg(jstr(o, "client")))
			read_conn(c, path, line, raw, rawlen, json_object_get(o, "connection"),
			          json_object_get(json_object_get(o, "connection"), "ssl"));
	}
	else if (json_object_get(o, "dialect")) /* Sequelize */
	{
		if (is_pg(jstr(o, "dialect")))
			read_conn(c, path, line, raw, rawlen, o, json_object_get(json_object_get(o, "dialectOptions"), "ssl"));
	}
	else if (json_object_get(o, "type")) /* TypeORM */
	{
		json_t *ssl = json_object_get(o, "ssl");

		if (ssl == NULL)
			ssl = json_object_get(json_object_get(o, "extra"), "ssl");
		if (is_pg(jstr(o, "type")))
			read_conn(c, path, line, raw, rawlen, o, ssl);
	}
	else if (memmem(callee, calleelen, "Pool", 4) || memmem(callee, calleelen, "Client", 6) ||
	         (memmem(callee, calleelen, "export", 6) && pg_config(o)))
		read_conn(c, path, line, raw, rawlen, o, json_object_get(o, "ssl"));
}

/*
 * An exported configuration module (module.exports = {...}, export
 * default {...}): the settings object itself, or per environment
 * ({ development: {...}, production: {...} }, knex's knexfile), each one
 * read as the library that takes it (client, dialect, type, else pg).
 */
static void
read_exported(pgtls_clients *c, const char *path, int line, const char *raw, size_t rawlen, json_t *o, int depth)
{
	const char *k;
	json_t *v;

	if (!json_is_object(o) || depth > 2)
		return;
	if (json_object_get(o, "client") || json_object_get(o, "dialect") || json_object_get(o, "type") || pg_config(o))
	{
		dispatch(c, path, line, raw, rawlen, o, "exports", 7);
		return;
	}
	json_object_foreach (o, k, v)
		read_exported(c, path, line, raw, rawlen, v, depth + 1);
}

/* the object literal at B ('{'), after CALLEE( or an export: which library it configures */
static void
read_object(pgtls_clients *c, const char *path, const char *buf, const char *b, const char *end, const char *callee,
            size_t calleelen)
{
	lit_lex lx = {b + 1, end - b > JS_MAX_OBJECT ? b + JS_MAX_OBJECT : end, buf, NULL, true};
	json_t *o = pgtls__lit_dict(&lx, 0);
	int line = pgtls__line_of(buf, b);
	size_t rawlen = (size_t)(lx.p - (b - calleelen));
	const char *raw = b - calleelen;

	if (o == NULL)
		return;
	if (memmem(callee, calleelen, "export", 6))
		read_exported(c, path, line, raw, rawlen, o, 0);
	else
		dispatch(c, path, line, raw, rawlen, o, callee, calleelen);
	json_decref(o);
}

void
pgtls__read_js(pgtls_clients *c, const char *path, const char *buf, size_t len)
{
	static const char *const callees[] = {
	    "Pool(",       "Client(",           "knex(",    "Knex(",          "Sequelize(",
	    "DataSource(", "createConnection(", "forRoot(", "module.exports", "export default"};
	const char *end = buf + len;

	/* a file naming pg or postgres, or any file of a project whose lock file or package.json has pg */
	if (!memmem(buf, len, "pg", 2) && !memmem(buf, len, "postgres", 8) && c->node_here.pg[0] < 0)
		return;
	for (size_t k = 0; k < sizeof(callees) / sizeof(callees[0]); k++)
	{
		size_t l = strlen(callees[k]);

		for (const char *p = buf; (p = memmem(p, (size_t)(end - p), callees[k], l)) != NULL; p += l)
		{
			const char *q = p + l;

			/* the options object: the first or (Sequelize) a later argument at this call's level */
			while (q < end && q - p < 400 && *q != '{' && *q != ')' && *q != ';')
				q++;
			if (k >= 8 && q < end && *q == '{' && strspn(p + l, " \t\r\n=") != (size_t)(q - p - l))
				continue; /* module.exports = new Pool({...}): the call is read as a call */
			if (q < end && *q == '{')
				read_object(c, path, buf, q, end, p, (size_t)(q - p));
		}
	}
}
