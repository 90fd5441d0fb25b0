/*-------------------------------------------------------------------------
 *
 * read_prisma.c
 *	  Prisma: `datasource` blocks of schema.prisma files (a literal URL or
 *	  env("NAME") from the .env files Prisma loads), and how Prisma's Rust
 *	  engine reads the TLS parameters of a URL.
 *
 * IDENTIFICATION
 *	  lib/clients/read_prisma.c
 *
 * NOTES
 *	  Prisma's reading follows prisma-engines quaint/src/connector/postgres/
 *	  url.rs (parse_query_params) and native/mod.rs (PostgreSql::new):
 *	  - sslmode: disable, prefer, require; anything else is prefer (a debug
 *	    log line only);
 *	  - sslaccept: accept_invalid_certs (the default) verifies nothing;
 *	    strict, or any unknown value, verifies the chain and the host name;
 *	  - sslcert: a CA file added to the system store (not a client
 *	    certificate: that is sslidentity, PKCS#12), resolved from the
 *	    schema's directory (Prisma docs, Data sources).
 *	  The prefer that falls back only on an N answer is tokio-postgres's
 *	  connect_tls(): the driver row's prefer_no_retry.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>

#include "clients/clients_int.h"

#define MAX_ENV_FILE (1024 * 1024)

bool
pgtls__is_prisma_schema(const char *path)
{
	size_t n = strlen(path);

	return n > 7 && strcmp(path + n - 7, ".prisma") == 0;
}

bool
pgtls__prisma_params(const pgtls_settings *extra)
{
	static const char *const keys[] = {"sslaccept",
	                                   "sslidentity",
	                                   "schema",
	                                   "pgbouncer",
	                                   "connection_limit",
	                                   "pool_timeout",
	                                   "socket_timeout",
	                                   "statement_cache_size",
	                                   "max_connection_lifetime",
	                                   "max_idle_connection_lifetime"};

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (pgtls__settings_value(extra, keys[k]))
			return true;
	return false;
}

/* R's sslcert as Prisma opens it: relative to the schema's directory (for a .env URL: ./prisma beside it) */
char *
pgtls__prisma_root_path(const client_rec *r, const char *cert)
{
	char base[1024], dir[1200], path[2300];
	struct stat st;

	if (cert[0] == '/')
		return strdup(cert);
	snprintf(base, sizeof(base), "%s", r->file);
	*(strrchr(base, '/') ? strrchr(base, '/') : base) = '\0';
	snprintf(dir, sizeof(dir), "%s", base[0] ? base : ".");
	if (!pgtls__is_prisma_schema(r->file))
	{
		char sub[1100];

		snprintf(sub, sizeof(sub), "%s/prisma", base[0] ? base : ".");
		if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			snprintf(dir, sizeof(dir), "%s", sub);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, cert);
	return strdup(path);
}

/*
 * NAME's value in the .env files Prisma loads for the schema at PATH: the
 * schema's directory, then the two above it (the project root).  Fills
 * WHERE with FILE:LINE; NULL when none sets it.
 */
static char *
env_lookup(const char *path, const char *name, char *where, size_t wherelen)
{
	char dir[1024];

	snprintf(dir, sizeof(dir), "%s", path);
	*(strrchr(dir, '/') ? strrchr(dir, '/') : dir) = '\0';
	for (int up = 0; up < 3 && dir[0]; up++)
	{
		char file[1100], why[128], key[128];
		struct stat st;
		size_t n = 0;
		int fd, lineno = 0;
		char *buf = NULL;

		snprintf(file, sizeof(file), "%s/.env", dir);
		fd = pgtls__open_regular(file, true, MAX_ENV_FILE, &st, why, sizeof(why));
		if (fd >= 0)
		{
			buf = pgtls__read_all(fd, MAX_ENV_FILE, &n, why, sizeof(why));
			close(fd);
		}
		for (const char *l = buf; l && l < buf + n; l = memchr(l, '\n', (size_t)(buf + n - l))
		                                                    ? (const char *)memchr(l, '\n', (size_t)(buf + n - l)) + 1
		                                                    : NULL)
		{
			const char *e = memchr(l, '\n', (size_t)(buf + n - l));
			char *val = NULL;

			lineno++;
			if (pgtls__assignment(l, (size_t)((e ? e : buf + n) - l), key, sizeof(key), &val) && strcmp(key, name) == 0)
			{
				snprintf(where, wherelen, "%s:%d", file, lineno);
				free(buf);
				return val;
			}
			free(val);
		}
		free(buf);
		*(strrchr(dir, '/') ? strrchr(dir, '/') : dir) = '\0';
	}
	return NULL;
}

/* one `url = ...` line of a postgresql datasource at LINE */
static void
read_url(pgtls_clients *c, const char *path, int line, const char *l, size_t n, const char *field, const char *notes)
{
	const char *eq = memchr(l, '=', n), *end = l + n, *q;
	char name[128] = "", where[1200] = "", note[1600], why[400] = "";
	char *dsn = NULL;

	for (q = eq ? eq + 1 : end; q < end && isspace((unsigned char)*q); q++)
		;
	if (q < end && *q == '"')
	{
		const char *e = memchr(q + 1, '"', (size_t)(end - q - 1));

		if (e)
			dsn = strndup(q + 1, (size_t)(e - q - 1));
	}
	else if (end - q > 5 && strncmp(q, "env(", 4) == 0)
	{
		const char *a = memchr(q, '"', (size_t)(end - q)), *b = a ? memchr(a + 1, '"', (size_t)(end - a - 1)) : NULL;

		if (b)
			snprintf(name, sizeof(name), "%.*s", (int)(b - a - 1), a + 1);
		dsn = name[0] ? env_lookup(path, name, where, sizeof(where)) : NULL;
		if (name[0] && dsn == NULL)
			snprintf(why, sizeof(why),
			         "%s = env(\"%s\"): %s is set where the application runs (no .env beside the schema sets it)",
			         field, name, name);
	}
	if (dsn == NULL && why[0] == '\0')
	{
		pgtls__clients_unparsed(c, path, line, "Prisma datasource %s not understood", field);
		return;
	}
	snprintf(note, sizeof(note), "Prisma datasource %s%s%s%s%s", field, where[0] ? " from " : "", where,
	         notes[0] ? "; " : "", notes);
	pgtls__clients_add_cmd(c, path, line, "prisma-schema", PGTLS_DRIVER_PRISMA, l, n, dsn, NULL, NULL, NULL, note,
	                       why[0] ? why : NULL);
	free(dsn);
}

void
pgtls__read_prisma(pgtls_clients *c, const char *path, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	int lineno = 0;
	bool in_ds = false, pg = false;
	const char *notes = memmem(buf, len, "driverAdapters", 14) || memmem(buf, len, "engineType", 10)
	                        ? "the schema enables driver adapters: at run time the JavaScript driver's settings "
	                          "decide (node-postgres with @prisma/adapter-pg); Migrate uses this URL"
	                        : "";
	struct
	{
		int line;
		const char *l;
		size_t n;
		char field[32];
	} urls[8];
	int nurls = 0;

	while (p < end)
	{
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		const char *t = p;

		lineno++;
		while (t < p + n && isspace((unsigned char)*t))
			t++;
		if (!in_ds && strncmp(t, "datasource", 10) == 0 && memchr(t, '{', (size_t)(p + n - t)))
			in_ds = true, pg = false, nurls = 0;
		else if (in_ds && *t == '}')
		{
			for (int k = 0; pg && k < nurls; k++)
				read_url(c, path, urls[k].line, urls[k].l, urls[k].n, urls[k].field, notes);
			in_ds = false;
		}
		else if (in_ds && strncmp(t, "provider", 8) == 0)
			pg = memmem(t, (size_t)(p + n - t), "\"postgres", 9) != NULL;
		else if (in_ds && nurls < 8)
		{
			static const char *const fields[] = {"url", "directUrl", "shadowDatabaseUrl"};

			for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
			{
				size_t fl = strlen(fields[k]);

				if (strncmp(t, fields[k], fl) == 0 && (isspace((unsigned char)t[fl]) || t[fl] == '='))
				{
					urls[nurls].line = lineno;
					urls[nurls].l = t;
					urls[nurls].n = (size_t)(p + n - t);
					snprintf(urls[nurls].field, sizeof(urls[nurls].field), "%s", fields[k]);
					nurls++;
				}
			}
		}
		p = nl ? nl + 1 : end;
	}
}
