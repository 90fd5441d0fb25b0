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
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>

#include "clients/clients_int.h"

#define MAX_FILE (4 * 1024 * 1024)
#define MAX_DEPTH 12

/* "vX.Y.Z" at V is at least 1.12.0? */
static bool
pq_112(const char *v)
{
	int major = 0, minor = 0;

	return sscanf(v, "v%d.%d", &major, &minor) == 2 && (major > 1 || (major == 1 && minor >= 12));
}

/* DIR's go.mod, if it has one: the module's (the nearest go.mod decides); ANS (int): 1 for lib/pq v1.12.0+ */
static bool
read_gomod(const char *dir, void *ans)
{
	char mod[1100], *buf, *req;
	size_t n;

	snprintf(mod, sizeof(mod), "%s/go.mod", dir);
	buf = pgtls__read_small_file(mod, 1024 * 1024, &n);
	if (buf == NULL)
		return pgtls__file_exists(mod); /* too big or unreadable: still the module's, and no answer */
	req = strstr(buf, "github.com/lib/pq v");
	*(int *)ans = req && pq_112(req + 18);
	free(buf);
	return true;
}

static void
reset_gomod(void *ans)
{
	*(int *)ans = 0;
}

/*
 * The lib/pq version of the Go module FILE belongs to: 1 when the nearest
 * go.mod above it requires github.com/lib/pq v1.12.0 or later, 0
 * otherwise (or none found); each go.mod is read once (project.c).
 */
static int
go_pq_new(pgtls_clients *c, const char *file)
{
	pgtls__project_find(&c->gomod_cache, file, &c->gomod_here, &c->gomod_proj, sizeof(c->gomod_here), read_gomod,
	                    reset_gomod);
	return c->gomod_here;
}

static pgtls_driver
driver_for(pgtls_clients *c, const char *path, const char *content)
{
	const char *ext = strrchr(path, '.');

	if (ext == NULL)
		return PGTLS_DRIVER_LIBPQ;
	if (strcmp(ext, ".py") == 0)
		return strstr(content, "asyncpg") ? PGTLS_DRIVER_ASYNCPG : PGTLS_DRIVER_PSYCOPG;
	if (strcmp(ext, ".go") == 0)
		return strstr(content, "jackc/pgx") ? PGTLS_DRIVER_PGX
		       : go_pq_new(c, path)         ? PGTLS_DRIVER_GO_PQ_112
		                                    : PGTLS_DRIVER_GO_PQ;
	if (strcmp(ext, ".js") == 0 || strcmp(ext, ".ts") == 0 || strcmp(ext, ".mjs") == 0 || strcmp(ext, ".cjs") == 0)
		return PGTLS_DRIVER_NODE_POSTGRES;
	return PGTLS_DRIVER_LIBPQ;
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
bool
pgtls__assignment(const char *line, size_t n, char *key, size_t keylen, char **val)
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

void
pgtls__clients_jvm_store(pgtls_clients *c, int first, const char *buf, size_t len, const char *dir_of)
{
	static const char key[] = "javax.net.ssl.trustStore";
	const char *p = buf, *end = buf + len, *v = NULL;
	size_t vlen = 0;
	char path[2048];

	while (p < end && (p = pgtls__strcasestr_n(p, (size_t)(end - p), key)) != NULL)
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

/* the service being read: its settings, and why libpq refuses it ("" when it does not) */
typedef struct service_rec
{
	pgtls_settings *settings;
	pgtls_observed seen;
	char name[128];
	int line;
} service_rec;

static void
service_flush(pgtls_clients *c, const char *path, service_rec *sv)
{
	if (sv->settings)
		pgtls__clients_add_ex(c, path, sv->line, "pg_service", PGTLS_DRIVER_LIBPQ, sv->name, strlen(sv->name),
		                      sv->settings, &sv->seen, NULL, NULL, NULL);
	pgtls__settings_free(sv->settings);
	sv->settings = NULL;
}

/*
 * One line of the service being read: what libpq refuses is the service's
 * error (the first one: libpq stops there); else a keyword's first value
 */
static void
service_setting(service_rec *sv, pgtls_service_line kind, const char *key, const char *val, const char *path, int line)
{
	char why[sizeof(sv->seen.bad_setting)];

	if (sv->settings == NULL || sv->seen.bad_setting[0] != '\0')
		return; /* outside any service (libpq never reads it), or after the error libpq stops at */
	if (pgtls__service_refuses(kind, key, kind == PGTLS_SVC_SETTING && pgtls__settings_is_keyword(key), path, line, why,
	                           sizeof(why)))
		snprintf(sv->seen.bad_setting, sizeof(sv->seen.bad_setting), "%s", why);
	else if (pgtls__settings_value(sv->settings, key) == NULL)
		pgtls__settings_set(sv->settings, key, val); /* libpq keeps a keyword's first value */
}

/*
 * A service file: each [service] is a client's settings, read with
 * libpq's grammar (conninfo/service.c).  What libpq refuses in a service
 * (no '=', an unknown keyword, a nested service, a line too long) makes
 * that service fail with libpq's words; a line too long also every
 * service after it (libpq stops reading the file there).
 */
static void
scan_service(pgtls_clients *c, const char *path, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	service_rec sv;
	char too_long[300] = "";
	int lineno = 0;

	memset(&sv, 0, sizeof(sv));
	while (p < end)
	{
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		char line[PGTLS_SERVICE_LINE_MAX], *key, *val;
		pgtls_service_line kind;

		lineno++;
		if (n + (nl != NULL) >= PGTLS_SERVICE_LINE_MAX - 1 && too_long[0] == '\0')
			snprintf(too_long, sizeof(too_long), "line %d too long in service file \"%s\"", lineno, path);
		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1), p);
		p = nl ? nl + 1 : end;
		kind = pgtls__service_line(line, &key, &val);
		if (kind == PGTLS_SVC_GROUP)
		{
			service_flush(c, path, &sv);
			memset(&sv, 0, sizeof(sv));
			sv.settings = pgtls__settings_new();
			snprintf(sv.name, sizeof(sv.name), "[%s", key);
			sv.line = lineno;
		}
		else if (kind != PGTLS_SVC_SKIP && too_long[0] == '\0')
			service_setting(&sv, kind, key, val, path, lineno);
		if (too_long[0] && sv.settings && sv.seen.bad_setting[0] == '\0')
			snprintf(sv.seen.bad_setting, sizeof(sv.seen.bad_setting), "%s", too_long);
	}
	service_flush(c, path, &sv);
}

/*
 * The PG* variables of an environment file's lines (NAME=value, export,
 * quotes) into VARS, as libpq reads them from the environment; the line
 * of the first one, or 0.
 */
int
pgtls__env_vars(const char *buf, size_t len, pgtls_settings *vars)
{
	const char *p = buf, *end = buf + len;
	int lineno = 0, firstline = 0;

	while (vars && p < end)
	{
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		char key[64];
		char *val = NULL;

		lineno++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (pgtls__assignment(p, n, key, sizeof(key), &val) && pgtls__settings_env_keyword(key))
		{
			pgtls__settings_set(vars, pgtls__settings_env_keyword(key), val);
			if (firstline == 0)
				firstline = lineno;
		}
		free(val);
		p = nl ? nl + 1 : end;
	}
	return firstline;
}

/* line, then the order found (seq): a stable order with qsort */
static int
by_line(const void *a, const void *b)
{
	const client_rec *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static void
scan_buffer(pgtls_clients *c, const char *path, const char *buf, size_t len)
{
	int first = c->nrecs;
	pgtls_driver driver = driver_for(c, path, buf);
	const char *p = buf, *end = buf + len;
	int lineno = 0, envline = 0;
	/* a .env file: its PG* variables apply to the URIs beside them, as libpq would combine them */
	pgtls_settings *envspec = is_dotenv(path) ? pgtls__settings_new() : NULL;

	if (envspec)
		envline = pgtls__env_vars(buf, len, envspec);
	if (driver == PGTLS_DRIVER_NODE_POSTGRES)
		pgtls__node_versions(c, path); /* before any record: the version decides how settings read */
	if (pgtls__is_prisma_schema(path))
		pgtls__read_prisma(c, path, buf, len);
	else if (c->force_service || is_service_file(path))
		scan_service(c, path, buf, len);
	else
		while (p < end)
		{
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = (size_t)((nl ? nl : end) - p);

			lineno++;
			if (n > 0 && p[n - 1] == '\r')
				n--;
			pgtls__read_line(c, path, lineno, p, n, driver,
			                 envspec && pgtls__settings_count(envspec) > 0 ? envspec : NULL);
			p = nl ? nl + 1 : end;
		}
	if (envspec && pgtls__settings_count(envspec) > 0)
		pgtls__clients_add(c, path, envline, "env-file", PGTLS_DRIVER_LIBPQ, "PG* variables", 13, envspec, NULL);
	pgtls__settings_free(envspec);
	if (driver == PGTLS_DRIVER_PSYCOPG || driver == PGTLS_DRIVER_ASYNCPG)
		pgtls__read_python(c, path, buf, len);
	else if (driver == PGTLS_DRIVER_NODE_POSTGRES)
		pgtls__read_js(c, path, buf, len);
	else if (!c->force_service && !is_service_file(path))
	{
		/* YAML first: a CI file's jobs give the variables its script lines run with */
		if (pgtls__is_yaml(path))
			pgtls__read_yaml(c, path, buf, len);
		pgtls__read_shell(c, path, buf, len);
		pgtls__clients_cmd_envs_clear(c);
	}
	pgtls__read_tools(c, path, buf, len);
	pgtls__read_java(c, path, buf, len, first);
	pgtls__read_ruby(c, path, buf, len);
	pgtls__app_facts(c, path, buf, len);
	if (c->nrecs == first)
		pgtls__app_sweep(c, path, buf, len); /* names a TARGET, yet no client: said, never an all-clear */
	/* in line order, whichever reader found them */
	if (c->nrecs - first > 1)
		qsort(c->recs + first, (size_t)(c->nrecs - first), sizeof(client_rec), by_line);
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
	bool trust;

	if (fd < 0)
	{
		skip(c, path, why);
		return;
	}
	buf = pgtls__read_all(fd, MAX_FILE, &n, why, sizeof(why));
	close(fd);
	if (buf == NULL)
	{
		skip(c, path, why);
		return;
	}
	/* a certificate or key store is listed with its certificates (trustfiles.c); a text file holding PEM
	 * blocks (a Kubernetes Secret, a compose file) is read for settings too */
	trust = !c->force_service && pgtls__trust_file(c, path, buf, n);
	if (memchr(buf, '\0', n < 8192 ? n : 8192))
		c->binaries += !trust; /* binary: not a configuration file (counted) */
	else
	{
		c->files++;
		scan_buffer(c, path, buf, n);
	}
	free(buf);
}

/* third-party or generated trees: not the application's settings (documented in pgtls(1)) */
static bool
skipped_dir(const char *name)
{
	static const char *const dirs[] = {".git",   ".hg",   ".svn", "node_modules", "__pycache__",
	                                   "vendor", ".venv", "venv", ".tox",         "site-packages"};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (strcmp(name, dirs[i]) == 0)
			return true;
	return false;
}

/* the directories being walked (device, inode): a symbolic link back to one is a loop */
typedef struct walk
{
	dev_t dev[MAX_DEPTH + 2];
	ino_t ino[MAX_DEPTH + 2];
	int n;
	char root[4096]; /* the tree's real path: directory links are followed only inside it */
} walk;

/* does the directory link PATH resolve inside the tree being walked? */
static bool
inside_tree(const walk *w, const char *path)
{
	char real[PATH_MAX];
	size_t l = strlen(w->root);

	if (realpath(path, real) == NULL || w->root[0] == '\0')
		return false;
	return strncmp(real, w->root, l) == 0 && (real[l] == '/' || real[l] == '\0' || (l == 1 && w->root[0] == '/'));
}

static bool
on_walk(const walk *w, const struct stat *st)
{
	for (int i = 0; i < w->n; i++)
		if (w->dev[i] == st->st_dev && w->ino[i] == st->st_ino)
			return true;
	return false;
}

static void scan_path(pgtls_clients *c, const char *path, int depth, walk *w);

static void
scan_dir(pgtls_clients *c, const char *path, int depth, walk *w, const struct stat *st)
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
	w->dev[w->n] = st->st_dev;
	w->ino[w->n] = st->st_ino;
	w->n++;
	while ((e = readdir(d)) != NULL)
	{
		char child[4096];

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || skipped_dir(e->d_name))
			continue;
		if ((size_t)snprintf(child, sizeof(child), "%s/%s", path, e->d_name) >= sizeof(child))
		{
			skip(c, e->d_name, "path longer than 4095 bytes");
			continue;
		}
		scan_path(c, child, depth + 1, w);
	}
	w->n--;
	closedir(d);
}

static void
scan_path(pgtls_clients *c, const char *path, int depth, walk *w)
{
	struct stat st, lst;

	if (lstat(path, &lst) != 0 || stat(path, &st) != 0)
	{
		skip(c, path, errno == ELOOP ? "symbolic link loop" : strerror(errno));
		return;
	}
	if (c->progress && ++c->paths % 500 == 0)
		c->progress(c->progress_arg, c->files, path);
	/* links are followed: to files, and to directories inside the tree not already being walked (no loops) */
	if (S_ISDIR(st.st_mode) && S_ISLNK(lst.st_mode) && on_walk(w, &st))
		skip(c, path, "symbolic link loop: not followed again");
	else if (S_ISDIR(st.st_mode) && S_ISLNK(lst.st_mode) && depth > 0 && !inside_tree(w, path))
		skip(c, path, "symbolic link to a directory outside the tree: not followed");
	else if (S_ISREG(st.st_mode))
		scan_file(c, path, true);
	else if (S_ISDIR(st.st_mode))
		scan_dir(c, path, depth, w, &st);
	else
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
	{
		walk w = {.n = 0};
		int first = c->nrecs;
		size_t l = strlen(path);

		if (realpath(path, w.root) == NULL)
			w.root[0] = '\0';
		while (l > 1 && path[l - 1] == '/')
			l--;
		/* the applications under PATH: judged where they run once all their files are read (app.c) */
		snprintf(c->scan_root, sizeof(c->scan_root), "%.*s", (int)l, path);
		memset(&c->app_cache, 0, sizeof(c->app_cache));
		scan_path(c, path, 0, &w);
		pgtls__apps_settle(c, first);
		c->scan_root[0] = '\0';
		json_decref(c->markers);
		c->markers = NULL;
	}
	return PGTLS_OK;
}

pgtls_err
pgtls_clients_scan_env(pgtls_clients *c, char *const *envp)
{
	pgtls_settings *pg;
	int first;

	if (c == NULL || envp == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&c->err);
	first = c->nrecs;
	pg = pgtls__settings_new();
	if (pg == NULL)
		return pgtls__seterr(&c->err, PGTLS_ERR_OOM, "out of memory");
	for (char *const *e = envp; *e; e++)
	{
		const char *eq = strchr(*e, '=');
		char var[128];

		if (eq == NULL || (size_t)(eq - *e) >= sizeof(var))
			continue;
		snprintf(var, sizeof(var), "%.*s", (int)(eq - *e), *e);
		if (pgtls__settings_env_keyword(var))
			pgtls__settings_set(pg, pgtls__settings_env_keyword(var), eq + 1);
	}
	/* *_URL variables: libpq applies PGSSLMODE/PGSSLROOTCERT of the same environment to them */
	for (char *const *e = envp; *e; e++)
	{
		const char *eq = strchr(*e, '=');

		if (eq && eq - *e > 4 && memcmp(eq - 4, "_URL", 4) == 0)
			pgtls__read_line(c, "(environment)", 0, eq + 1, strlen(eq + 1), PGTLS_DRIVER_LIBPQ,
			                 pgtls__settings_count(pg) > 0 ? pg : NULL);
	}
	if (pgtls__settings_count(pg) > 0)
		pgtls__clients_add(c, "(environment)", 0, "environment", PGTLS_DRIVER_LIBPQ, "PG* variables", 13, pg, NULL);
	pgtls__settings_free(pg);
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
		if (file && strlen(file) < sizeof(c->svcfile))
			snprintf(c->svcfile, sizeof(c->svcfile), "%s", file);
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

void
pgtls__clients_scan_buffer(pgtls_clients *c, const char *path, const char *buf, size_t len)
{
	scan_buffer(c, path, buf, len);
}
