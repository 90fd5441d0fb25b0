/*-------------------------------------------------------------------------
 *
 * read_python.c
 *	  Connection settings in Python source: psycopg2/psycopg/asyncpg
 *	  connect() and pool calls with keyword arguments (over any number of
 *	  lines), SQLAlchemy create_engine(URL, connect_args={...}), and Django
 *	  DATABASES (postgresql and postgis engines).
 *
 * IDENTIFICATION
 *	  lib/clients/read_python.c
 *
 * NOTES
 *	  A small bounded tokenizer reads literals only: strings (adjacent
 *	  ones joined), numbers, True/False/None and dict literals.  Anything
 *	  else (os.environ[...], f-strings, settings.X) is an expression: its
 *	  text is kept, and a TLS setting given that way leaves the outcome
 *	  unknown, with the reason.  os.path.join(BASE_DIR, '...') and
 *	  BASE_DIR / '...' resolve when BASE_DIR is Django's usual
 *	  Path(__file__).resolve().parent.parent (or os.path.dirname chain).
 *	  Driver facts: psycopg2.connect(dsn, **kwargs) passes kwargs to libpq
 *	  as keywords (psycopg2 docs, "The connection class"); asyncpg.connect
 *	  ssl=True means ssl.create_default_context(), i.e. verify-full with
 *	  the system store (asyncpg connect_utils._create_ssl_connection).
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

#define PY_MAX_CALL 16384 /* bytes of one call's arguments read at most */

/* a call's arguments after '(': {"$args": [positional...], name: value, ...} */
static json_t *
parse_args(lit_lex *lx)
{
	json_t *o = json_object(), *pos = json_array();

	json_object_set_new(o, "$args", pos);
	while (lx->p < lx->end)
	{
		const char *name, *save;

		pgtls__lit_skip_space(lx);
		if (lx->p >= lx->end || *lx->p == ')')
			break;
		save = lx->p;
		name = lx->p;
		while (lx->p < lx->end && (isalnum((unsigned char)*lx->p) || *lx->p == '_'))
			lx->p++;
		if (lx->p > name && (pgtls__lit_skip_space(lx), lx->p < lx->end && *lx->p == '=' && lx->p[1] != '='))
		{
			char key[64];

			snprintf(key, sizeof(key), "%.*s", (int)(lx->p - name) < 63 ? (int)(lx->p - name) : 63, name);
			lx->p++;
			json_object_set_new(o, key, pgtls__lit_value(lx, 0));
		}
		else
		{
			lx->p = save;
			if (lx->end - lx->p >= 2 && lx->p[0] == '*' && lx->p[1] == '*')
			{
				lx->p += 2;
				json_object_set_new(o, "$kwargs", json_true()); /* **settings: more keywords from code */
				pgtls__lit_skip_expr(lx);
			}
			else
				json_array_append_new(pos, pgtls__lit_value(lx, 0));
		}
		pgtls__lit_skip_space(lx);
		if (lx->p < lx->end && *lx->p == ',')
			lx->p++;
		else if (lx->p < lx->end && *lx->p != ')')
			lx->p++;
	}
	return o;
}

/* ---- turning what was read into settings ---- */

typedef struct py_notes
{
	char why[300];  /* a TLS setting computed in code: the outcome is unknown */
	char note[600]; /* environment defaults used */
} py_notes;

/* VALUE into PARAMS' KEY (a string); an environment default is used and noted; other code leaves it unknown */
static void
set_param(pgtls_settings *params, const char *key, json_t *v, bool tls_key, py_notes *pn)
{
	const char *def = pgtls__lit_env_default(v, key, "environment variable ", pn->note, sizeof(pn->note));

	if (def)
		pgtls__settings_set(params, key, def);
	else if (json_is_string(v))
		pgtls__settings_set(params, key, json_string_value(v));
	else if (json_is_true(v) || json_is_false(v))
		pgtls__settings_set(params, key, json_is_true(v) ? "true" : "false");
	else if (pgtls__lit_expr(v) && tls_key && pn->why[0] == '\0')
		snprintf(pn->why, sizeof(pn->why), "%s is computed in code (%.80s): not known here", key, pgtls__lit_expr(v));
	else if (pgtls__lit_expr(v))
		pgtls__settings_setf(params, key, "{%s}", pgtls__lit_expr(v)); /* shown, never probed */
}

static bool
tls_key(const char *k)
{
	return strcmp(k, "sslmode") == 0 || strcmp(k, "sslrootcert") == 0 || strcmp(k, "ssl") == 0;
}

/* keyword arguments of a libpq-family call (psycopg's names are libpq's; database is dbname) */
static void
kwargs_params(json_t *args, pgtls_settings *params, pgtls_driver driver, py_notes *pn)
{
	const char *k;
	json_t *v;

	json_object_foreach (args, k, v)
	{
		const char *key = strcmp(k, "database") == 0 ? "dbname" : k;

		if (k[0] == '$' || strcmp(k, "connect_args") == 0)
			continue;
		if (driver == PGTLS_DRIVER_ASYNCPG && strcmp(k, "ssl") == 0)
		{
			/* asyncpg: ssl=<sslmode string>, True (verify-full, system store), False, or an SSLContext */
			if (json_is_true(v))
			{
				pgtls__settings_set(params, "sslmode", "verify-full");
				pgtls__settings_set(params, "sslrootcert", "system");
			}
			else if (json_is_false(v))
				pgtls__settings_set(params, "sslmode", "disable");
			else if (json_is_string(v) || json_object_get(v, "$default"))
				set_param(params, "sslmode", v, true, pn);
			else if (pn->why[0] == '\0')
				snprintf(pn->why, sizeof(pn->why),
				         "ssl comes from code (%.80s): an SSLContext's or a variable's verification is not known here",
				         pgtls__lit_expr(v) ? pgtls__lit_expr(v) : "?");
			continue;
		}
		set_param(params, key, v, tls_key(key), pn);
	}
}

/* the driver a call belongs to: NAME is the dotted callee, e.g. psycopg2.connect */
static bool
callee_driver(const char *name, size_t n, pgtls_driver *driver, bool *engine)
{
	static const struct
	{
		const char *name;
		pgtls_driver d;
		bool engine;
	} calls[] = {{"psycopg2.connect", PGTLS_DRIVER_PSYCOPG, false},
	             {"psycopg.connect", PGTLS_DRIVER_PSYCOPG, false},
	             {"psycopg.AsyncConnection.connect", PGTLS_DRIVER_PSYCOPG, false},
	             {"ThreadedConnectionPool", PGTLS_DRIVER_PSYCOPG, false},
	             {"SimpleConnectionPool", PGTLS_DRIVER_PSYCOPG, false},
	             {"asyncpg.connect", PGTLS_DRIVER_ASYNCPG, false},
	             {"asyncpg.create_pool", PGTLS_DRIVER_ASYNCPG, false},
	             {"create_engine", PGTLS_DRIVER_PSYCOPG, true},
	             {"create_async_engine", PGTLS_DRIVER_ASYNCPG, true},
	             /* psycopg_pool docs: ConnectionPool(conninfo, kwargs=...) opens psycopg connections */
	             {"ConnectionPool", PGTLS_DRIVER_PSYCOPG, false},
	             {"AsyncConnectionPool", PGTLS_DRIVER_PSYCOPG, false},
	             /* peewee docs: PostgresqlDatabase(database, **connect_kwargs) -> psycopg2.connect() */
	             {"PostgresqlDatabase", PGTLS_DRIVER_PSYCOPG, false},
	             {"PooledPostgresqlDatabase", PGTLS_DRIVER_PSYCOPG, false},
	             {"PostgresqlExtDatabase", PGTLS_DRIVER_PSYCOPG, false},
	             {"PooledPostgresqlExtDatabase", PGTLS_DRIVER_PSYCOPG, false}};

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
	{
		size_t l = strlen(calls[i].name);

		/* the name itself, or its last component(s) after a dot (pool.ThreadedConnectionPool) */
		if (n >= l && memcmp(name + n - l, calls[i].name, l) == 0 && (n == l || name[n - l - 1] == '.'))
		{
			*driver = calls[i].d;
			*engine = calls[i].engine;
			return true;
		}
	}
	return false;
}

/* one call at NAME (callee) .. '(' */
static void
read_call(pgtls_clients *c, const char *path, lit_lex *lx, const char *name, pgtls_driver driver, bool engine)
{
	json_t *args = parse_args(lx);
	json_t *pos = json_object_get(args, "$args");
	json_t *first = json_array_get(pos, 0);
	pgtls_settings *params = pgtls__settings_new();
	py_notes pn = {"", ""};
	int line = pgtls__line_of(lx->buf, name);
	const char *call_end = lx->p < lx->end ? lx->p + 1 : lx->end;

	/* a DSN or URL string positionally (or dsn=/conninfo=): read as the string readers do, with the kwargs */
	const char *dsn = json_string_value(first);
	const char *paren = memchr(name, '(', (size_t)(lx->p - name));

	/* the callees ending in "Database" are peewee's */
	if (dsn && paren && paren - name >= 8 && memcmp(paren - 8, "Database", 8) == 0)
	{
		/* peewee: the first argument is the database's name, not a connection string */
		pgtls__settings_set(params, "dbname", dsn);
		dsn = NULL;
		json_array_remove(pos, 0);
	}
	if (dsn == NULL)
		dsn = json_string_value(json_object_get(args, "dsn"));
	if (dsn == NULL)
		dsn = json_string_value(json_object_get(args, "conninfo"));
	if (dsn && json_object_size(args) <= 1 + (json_object_get(args, "dsn") != NULL) && !engine)
	{
		/* only a string: the line reader has it (it sees strings on any line) */
		pgtls__settings_free(params);
		json_decref(args);
		return;
	}
	kwargs_params(args, params, driver, &pn);
	kwargs_params(json_object_get(args, "connect_args"), params, driver, &pn);
	if (json_object_get(args, "$kwargs") && pn.why[0] == '\0' && params->sslmode == NULL)
		snprintf(pn.why, sizeof(pn.why), "the settings come from **kwargs built in code: not known here");
	if (dsn || pgtls__settings_count(params) > 0 || pn.why[0])
		pgtls__clients_add_call(c, path, line, driver, name, (size_t)(call_end - name), dsn, params, pn.note,
		                        pn.why[0] ? pn.why : NULL);
	pgtls__settings_free(params);
	json_decref(args);
}

/* Django's usual BASE_DIR, relative to the settings file at PATH: its directory's parent */
static char *
django_base_dir(const char *path, const char *buf)
{
	const char *b = strstr(buf, "BASE_DIR =");
	const char *e = b ? strchr(b, '\n') : NULL;
	size_t ups = 0;
	char dir[2048];

	if (b == NULL || e == NULL)
		return NULL;
	for (const char *q = b; q < e; q++)
		ups += strncmp(q, ".parent", 7) == 0 || strncmp(q, "dirname(", 8) == 0;
	if (memmem(b, (size_t)(e - b), "__file__", 8) == NULL || ups == 0)
		return NULL;
	snprintf(dir, sizeof(dir), "%s", path);
	for (size_t i = 0; i < ups; i++)
	{
		char *slash = strrchr(dir, '/');

		if (slash == NULL)
			return NULL;
		*slash = '\0';
	}
	return strdup(dir[0] ? dir : "/");
}

/* DATABASES = {'alias': {'ENGINE': '...postgresql' or '...postgis', 'HOST': ..., 'OPTIONS': {...}}} */
static void
read_django(pgtls_clients *c, const char *path, lit_lex *lx, const char *at)
{
	static const char *const keys[][2] = {{"HOST", "host"}, {"PORT", "port"}, {"NAME", "dbname"}, {"USER", "user"}};
	json_t *dbs;
	const char *k;
	json_t *db;

	lx->p = at;
	dbs = pgtls__lit_dict(lx, 0);
	json_object_foreach (dbs, k, db)
	{
		const char *engine = json_string_value(json_object_get(db, "ENGINE"));
		pgtls_settings *params = pgtls__settings_new();
		py_notes pn = {"", ""};

		if (engine && (strstr(engine, "postgresql") || strstr(engine, "postgis")))
		{
			for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
				if (json_object_get(db, keys[i][0]))
					set_param(params, keys[i][1], json_object_get(db, keys[i][0]), false, &pn);
			kwargs_params(json_object_get(db, "OPTIONS"), params, PGTLS_DRIVER_PSYCOPG, &pn);
			const char *eng = memmem(at, (size_t)(lx->end - at), engine, strlen(engine));

			pgtls__clients_add_ex(c, path, pgtls__line_of(lx->buf, eng ? eng : at), "django", PGTLS_DRIVER_PSYCOPG,
			                      "DATABASES (Django settings)", 27, params, NULL, NULL, pn.note,
			                      pn.why[0] ? pn.why : NULL);
		}
		pgtls__settings_free(params);
	}
	json_decref(dbs);
}

void
pgtls__read_python(pgtls_clients *c, const char *path, const char *buf, size_t len)
{
	char *base = django_base_dir(path, buf);
	lit_lex lx = {buf, buf + len, buf, base, false};
	const char *p = buf, *end = buf + len;

	while (p < end && (p = memchr(p, '(', (size_t)(end - p))) != NULL)
	{
		const char *name = p;
		pgtls_driver driver;
		bool engine;

		while (name > buf && (isalnum((unsigned char)name[-1]) || name[-1] == '_' || name[-1] == '.'))
			name--;
		if (name < p && callee_driver(name, (size_t)(p - name), &driver, &engine))
		{
			lx.p = p + 1;
			lx.end = end - (p + 1) > PY_MAX_CALL ? p + 1 + PY_MAX_CALL : end;
			read_call(c, path, &lx, name, driver, engine);
			lx.end = end;
		}
		p++;
	}
	/* Django */
	for (p = buf; (p = memmem(p, (size_t)(end - p), "DATABASES", 9)) != NULL; p += 9)
	{
		const char *q = p + 9;

		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (q < end && *q == '=' && (p == buf || p[-1] == '\n'))
		{
			q++;
			while (q < end && isspace((unsigned char)*q))
				q++;
			if (q < end && *q == '{')
				read_django(c, path, &lx, q + 1);
			break;
		}
	}
	free(base);
}
