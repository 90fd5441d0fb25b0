/*-------------------------------------------------------------------------
 *
 * node.c
 *	  node-postgres: which pg and pg-connection-string a project installs
 *	  (its lock file), and how that version reads the TLS settings found.
 *
 * IDENTIFICATION
 *	  lib/clients/node.c
 *
 * NOTES
 *	  The rules follow the packages' own code (cited in docs/drivers.md and
 *	  tests/unit/test_readers.c) and were checked against pg 8.23.1 and
 *	  pg 8.4.2 with pg-connection-string 2.3.0 on Node.js 20
 *	  (tests/integration/test_node.py):
 *	  - pg before 8.0 passes rejectUnauthorized undefined to tls.connect:
 *	    no verification unless `rejectUnauthorized: true` (lib/connection.js);
 *	  - pg-connection-string before 2.4.0 ignores a URL's sslmode;
 *	  - from 2.4.0 a URL's ssl settings replace the config's ssl object;
 *	  - from 2.8.0 `uselibpqcompat=true` reads sslmode as libpq does;
 *	  - pg reads PGSSLMODE when neither the URL nor the config sets ssl.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clients/clients_int.h"

#define MAX_LOCK (64 * 1024 * 1024)

/* "8.11.3", "^7.4.0", "npm:^8", "~2.6" -> major, minor (-1 when no number) */
static void
parse_version(const char *v, int out[2])
{
	out[0] = out[1] = -1;
	while (v && *v && (*v < '0' || *v > '9'))
		v++;
	if (v && *v && sscanf(v, "%d.%d", &out[0], &out[1]) < 1)
		out[0] = -1;
}

static const char *
jpath_version(json_t *packages, const char *key)
{
	return json_string_value(json_object_get(json_object_get(packages, key), "version"));
}

/* package-lock.json / npm-shrinkwrap.json: lockfileVersion 2/3 "packages", or 1 "dependencies" */
static void
read_package_lock(const char *buf, size_t n, int pg[2], int pcs[2])
{
	json_t *root = json_loadb(buf, n, 0, NULL);
	json_t *pk = json_object_get(root, "packages");
	json_t *deps = json_object_get(root, "dependencies");
	const char *v;

	if (pk)
	{
		parse_version(jpath_version(pk, "node_modules/pg"), pg);
		v = jpath_version(pk, "node_modules/pg/node_modules/pg-connection-string");
		parse_version(v ? v : jpath_version(pk, "node_modules/pg-connection-string"), pcs);
	}
	else if (deps)
	{
		json_t *p = json_object_get(deps, "pg");

		parse_version(json_string_value(json_object_get(p, "version")), pg);
		v = jpath_version(json_object_get(p, "dependencies"), "pg-connection-string");
		parse_version(v ? v : jpath_version(deps, "pg-connection-string"), pcs);
	}
	json_decref(root);
}

/*
 * yarn.lock (v1: `pg@^8.7.1:` then `  version "8.7.3"`; berry: `"pg@npm:^8.7.1":`
 * then `  version: 8.7.3`) and pnpm-lock.yaml (`/pg@8.7.3:` or `pg@8.7.3:`):
 * the version of package NAME.
 */
static void
read_text_lock(const char *buf, const char *name, int out[2])
{
	size_t nl = strlen(name);

	for (const char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
	{
		const char *p = line;

		while (*p == ' ' || *p == '"' || *p == '\'' || *p == '/')
			p++;
		if (strncmp(p, name, nl) != 0 || p[nl] != '@')
			continue;
		if (p[nl + 1] >= '0' && p[nl + 1] <= '9') /* pnpm: the key holds the version */
		{
			parse_version(p + nl + 1, out);
			return;
		}
		for (const char *q = strchr(line, '\n'); q && q[1] == ' '; q = strchr(q + 1, '\n'))
			if (strncmp(q + 1, "  version", 9) == 0)
			{
				parse_version(q + 10, out);
				return;
			}
	}
}

/* package.json "dependencies"/"devDependencies": the lowest version the range of pg allows */
static void
read_package_json(const char *buf, size_t n, int pg[2])
{
	json_t *root = json_loadb(buf, n, 0, NULL);
	const char *v = json_string_value(json_object_get(json_object_get(root, "dependencies"), "pg"));

	if (v == NULL)
		v = json_string_value(json_object_get(json_object_get(root, "devDependencies"), "pg"));
	parse_version(v, pg);
	json_decref(root);
}

void
pgtls__node_lock_parse(int kind, const char *buf, size_t n, int pg[2], int pcs[2])
{
	if (kind < 2) /* npm-shrinkwrap.json, package-lock.json */
		read_package_lock(buf, n, pg, pcs);
	else if (kind < 4) /* yarn.lock, pnpm-lock.yaml */
	{
		read_text_lock(buf, "pg", pg);
		read_text_lock(buf, "pg-connection-string", pcs);
	}
	else /* package.json */
		read_package_json(buf, n, pg);
}

/* the lock files of DIR, in npm's order of authority; true when DIR is a project (any of them) */
static bool
read_project(const char *dir, void *ans)
{
	static const char *const files[] = {"npm-shrinkwrap.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml",
	                                    "package.json"};
	pgtls_node_versions *a = ans;

	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++)
	{
		char path[1100];
		size_t n = 0;
		char *buf;

		snprintf(path, sizeof(path), "%s/%s", dir, files[k]);
		buf = pgtls__read_small_file(path, MAX_LOCK, &n);
		if (buf == NULL)
			continue;
		pgtls__node_lock_parse((int)k, buf, n, a->pg, a->pcs);
		free(buf);
		if (a->pg[0] < 0 && k < 4)
			continue; /* a lock without pg: package.json may still name it */
		snprintf(a->lock, sizeof(a->lock), "%s", path);
		return true;
	}
	return false;
}

static void
reset_answer(void *ans)
{
	pgtls_node_versions *a = ans;

	a->pg[0] = a->pg[1] = a->pcs[0] = a->pcs[1] = -1;
	a->lock[0] = '\0';
}

void
pgtls__node_versions(pgtls_clients *c, const char *file)
{
	/* the nearest lock file above FILE; a monorepo's lock is read once for its many directories */
	pgtls__project_find(&c->node_cache, file, &c->node_here, &c->node_proj, sizeof(c->node_here), read_project,
	                    reset_answer);
}

void
pgtls__node_version_note(const pgtls_clients *c, client_rec *r)
{
	char ver[1300];

	pgtls__node_note(c, ver, sizeof(ver));
	pgtls__client_note_add(r, "node-postgres version: %s", ver);
}

/* for people: the versions the rules came from */
void
pgtls__node_note(const pgtls_clients *c, char *buf, size_t len)
{
	if (c->node_here.lock[0] == '\0')
	{
		snprintf(buf, len, "no lock file or package.json: node-postgres judged as a fresh install of pg 8");
		return;
	}
	if (c->node_here.pg[0] >= 0 && c->node_here.pcs[0] >= 0)
		snprintf(buf, len, "pg %d.%d, pg-connection-string %d.%d (%s)", c->node_here.pg[0],
		         c->node_here.pg[1] < 0 ? 0 : c->node_here.pg[1], c->node_here.pcs[0],
		         c->node_here.pcs[1] < 0 ? 0 : c->node_here.pcs[1], c->node_here.lock);
	else if (c->node_here.pg[0] >= 0)
		snprintf(buf, len, "pg %d.%d (%s)", c->node_here.pg[0], c->node_here.pg[1] < 0 ? 0 : c->node_here.pg[1],
		         c->node_here.lock);
	else
		snprintf(buf, len, "pg version not named (%s)", c->node_here.lock);
}
