/*-------------------------------------------------------------------------
 *
 * manifest.c
 *	  The application manifest (--apps FILE): what files cannot tell
 *	  about where each application runs, and the not-understood lines a
 *	  person has checked.
 *
 *	  applications:
 *	    - name: billing
 *	      paths: [/srv/billing]           # scanned as the application's files
 *	      workdir: /srv/billing           # relative paths resolve here
 *	      home: /home/billing             # its ~/.postgresql, ~/.pg_service.conf
 *	      user: billing                   # instead of home: that user's HOME here
 *	      environment:                    # the process's: PG*, NODE_*, SSL_CERT_FILE, JAVA_TOOL_OPTIONS
 *	        PGSSLMODE: verify-full
 *	      volumes: ["/srv/billing/certs:/certs"]   # host:container
 *	      jvm_trust_store: /srv/billing/conf/truststore.jks
 *	  acknowledge:
 *	    - file: /srv/legacy/app.ini
 *	      line: 2                         # optional: every line of the file
 *	      reason: decommissioned, connects nowhere
 *
 * IDENTIFICATION
 *	  lib/clients/manifest.c
 *
 * NOTES
 *	  Relative paths in the manifest are taken from its own directory.
 *	  An unknown key is an error with its line: a misspelt setting never
 *	  silently drops what it was meant to say.
 *
 *-------------------------------------------------------------------------
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/clients_int.h"
#include "clients/ytree.h"

#define MANIFEST_MAX_FILE (1024 * 1024)
#define MANIFEST_MAX_APPS 1000
#define MANIFEST_MAX_PATHS 64

/* "rel" against the manifest's directory DIR (malloc'd) */
static char *
abs_path(const char *dir, const char *p)
{
	size_t n = strlen(dir) + strlen(p) + 2;
	char *out = malloc(n);

	if (out)
		snprintf(out, n, "%s%s%s", p[0] == '/' ? "" : dir, p[0] == '/' ? "" : "/", p);
	return out;
}

static bool
only_keys(pgtls_clients *c, const ynode *m, const char *const *keys, const char *what)
{
	for (int i = 0; m && m->kind == Y_MAP && i + 1 < m->n; i += 2)
	{
		const char *k = pgtls__ystr(m->kids[i]);
		bool known = false;

		for (int j = 0; keys[j] && k; j++)
			known = known || strcmp(k, keys[j]) == 0;
		if (!known)
		{
			pgtls__seterr(&c->err, PGTLS_ERR_PARSE, "application manifest line %d: unknown key \"%s\" in %s",
			              m->kids[i]->line, k ? k : "?", what);
			return false;
		}
	}
	return true;
}

static bool
scalar_or_fail(pgtls_clients *c, const ynode *n, const char *key)
{
	if (n == NULL || pgtls__ystr(n))
		return true;
	pgtls__seterr(&c->err, PGTLS_ERR_PARSE, "application manifest line %d: %s must be a single value", n->line, key);
	return false;
}

/* user: NAME (no home:): NAME's HOME here, where libpq finds ~/.postgresql and ~/.pg_service.conf */
static bool
user_home(pgtls_clients *c, const char *name, const ynode *m, pgtls_app *a)
{
	char buf[4096];
	struct passwd pw, *res = NULL;

	if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || res == NULL || pw.pw_dir == NULL)
		return pgtls__seterr(&c->err, PGTLS_ERR_PARSE,
		                     "application manifest line %d: user %s is not a user here: give its home: instead",
		                     m->line, name) == 0;
	a->home = strdup(pw.pw_dir);
	return a->home != NULL;
}

static bool
read_app(pgtls_clients *c, const char *dir, const ynode *m, pgtls_app *a)
{
	static const char *const keys[] = {"name",    "paths",           "workdir", "home", "environment",
	                                   "volumes", "jvm_trust_store", "user",    NULL};
	const ynode *paths = pgtls__yget(m, "paths"), *env = pgtls__yget(m, "environment");
	const ynode *vols = pgtls__yget(m, "volumes");

	if (m->kind != Y_MAP || !only_keys(c, m, keys, "an application") ||
	    !scalar_or_fail(c, pgtls__yget(m, "workdir"), "workdir") ||
	    !scalar_or_fail(c, pgtls__yget(m, "home"), "home") ||
	    !scalar_or_fail(c, pgtls__yget(m, "jvm_trust_store"), "jvm_trust_store"))
		return m->kind == Y_MAP ? false
		                        : pgtls__seterr(&c->err, PGTLS_ERR_PARSE,
		                                        "application manifest line %d: an application is a map", m->line) == 0;
	a->name = strdup(pgtls__ystr(pgtls__yget(m, "name")) ? pgtls__ystr(pgtls__yget(m, "name")) : "(unnamed)");
	if ((paths && paths->kind == Y_SEQ && paths->n > MANIFEST_MAX_PATHS) ||
	    (vols && vols->kind == Y_SEQ && vols->n > MANIFEST_MAX_PATHS))
		return pgtls__seterr(&c->err, PGTLS_ERR_PARSE,
		                     "application manifest line %d: more than %d paths or volumes in one application", m->line,
		                     MANIFEST_MAX_PATHS) == 0;
	if (paths && paths->kind == Y_SCALAR)
		a->paths[a->npaths++] = abs_path(dir, pgtls__ystr(paths));
	for (int i = 0; paths && paths->kind == Y_SEQ && i < paths->n && a->npaths < MANIFEST_MAX_PATHS; i++)
		if (pgtls__ystr(paths->kids[i]))
			a->paths[a->npaths++] = abs_path(dir, pgtls__ystr(paths->kids[i]));
	if (a->npaths == 0)
		return pgtls__seterr(&c->err, PGTLS_ERR_PARSE, "application manifest line %d: application %s has no paths",
		                     m->line, a->name) == 0;
	a->workdir =
	    abs_path(dir, pgtls__ystr(pgtls__yget(m, "workdir")) ? pgtls__ystr(pgtls__yget(m, "workdir")) : a->paths[0]);
	if (pgtls__ystr(pgtls__yget(m, "home")))
		a->home = abs_path(dir, pgtls__ystr(pgtls__yget(m, "home")));
	else if (pgtls__ystr(pgtls__yget(m, "user")) && !user_home(c, pgtls__ystr(pgtls__yget(m, "user")), m, a))
		return false;
	if (pgtls__ystr(pgtls__yget(m, "jvm_trust_store")))
		a->jvm_store = abs_path(dir, pgtls__ystr(pgtls__yget(m, "jvm_trust_store")));
	a->env = pgtls__settings_new();
	for (int i = 0; env && env->kind == Y_MAP && i + 1 < env->n && a->env; i += 2)
	{
		const char *k = pgtls__ystr(env->kids[i]), *v = pgtls__ystr(env->kids[i + 1]);

		if (k && v && pgtls__settings_env_keyword(k))
			pgtls__settings_set(a->env, pgtls__settings_env_keyword(k), v); /* PGSSLMODE: as libpq reads it */
		else if (k && v)
			pgtls__settings_set(a->env, k, v); /* NODE_*, SSL_CERT_FILE, JAVA_TOOL_OPTIONS, PGSERVICEFILE */
	}
	for (int i = 0; vols && vols->kind == Y_SEQ && i < vols->n && a->nvolumes < MANIFEST_MAX_PATHS; i++)
	{
		const char *v = pgtls__ystr(vols->kids[i]), *colon = v ? strchr(v, ':') : NULL;

		char host[1100], *abs;

		if (colon == NULL)
			return pgtls__seterr(&c->err, PGTLS_ERR_PARSE,
			                     "application manifest line %d: a volume is \"HOST:CONTAINER\"",
			                     vols->kids[i]->line) == 0;
		/* a relative HOST is the manifest directory's */
		snprintf(host, sizeof(host), "%.*s", (int)(colon - v), v);
		if ((abs = abs_path(dir, host)) == NULL)
			return false;
		a->volumes[a->nvolumes] = malloc(strlen(abs) + strlen(colon) + 1);
		if (a->volumes[a->nvolumes])
			snprintf(a->volumes[a->nvolumes], strlen(abs) + strlen(colon) + 1, "%s%s", abs, colon);
		free(abs);
		if (a->volumes[a->nvolumes++] == NULL)
			return false;
	}
	return a->name && a->workdir && a->env;
}

static bool
read_acks(pgtls_clients *c, const char *dir, const ynode *acks)
{
	static const char *const keys[] = {"file", "line", "reason", NULL};

	for (int i = 0; acks && acks->kind == Y_SEQ && i < acks->n; i++)
	{
		const ynode *m = acks->kids[i];
		const char *file = pgtls__ystr(pgtls__yget(m, "file")), *line = pgtls__ystr(pgtls__yget(m, "line"));
		const char *reason = pgtls__ystr(pgtls__yget(m, "reason"));
		pgtls_ack *grown;

		if (!only_keys(c, m, keys, "an acknowledgement"))
			return false;
		if (file == NULL || reason == NULL || reason[0] == '\0')
			return pgtls__seterr(&c->err, PGTLS_ERR_PARSE,
			                     "application manifest line %d: an acknowledgement needs a file and a reason",
			                     m->line) == 0;
		if ((grown = realloc(c->acks, (size_t)(c->nacks + 1) * sizeof(*grown))) == NULL)
			return false;
		c->acks = grown;
		grown[c->nacks].file = abs_path(dir, file);
		grown[c->nacks].line = line ? atoi(line) : 0;
		grown[c->nacks].reason = strdup(reason);
		c->nacks++;
	}
	return true;
}

static bool
read_manifest(pgtls_clients *c, const char *path, const ynode *root)
{
	static const char *const keys[] = {"applications", "acknowledge", NULL};
	const ynode *apps = pgtls__yget(root, "applications");
	char dir[1024];

	snprintf(dir, sizeof(dir), "%s", path);
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if (root == NULL || root->kind != Y_MAP)
		return pgtls__seterr(&c->err, PGTLS_ERR_PARSE, "application manifest %s: not a YAML map", path) == 0;
	if (!only_keys(c, root, keys, "the manifest"))
		return false;
	for (int i = 0; apps && apps->kind == Y_SEQ && i < apps->n; i++)
	{
		pgtls_app *grown;

		if (c->napps >= MANIFEST_MAX_APPS)
			return pgtls__seterr(&c->err, PGTLS_ERR_PARSE, "application manifest: more than %d applications",
			                     MANIFEST_MAX_APPS) == 0;
		if ((grown = realloc(c->apps, (size_t)(c->napps + 1) * sizeof(*grown))) == NULL)
			return pgtls__seterr(&c->err, PGTLS_ERR_OOM, "out of memory") == 0;
		c->apps = grown;
		memset(&grown[c->napps], 0, sizeof(grown[0]));
		c->napps++; /* freed with the clients, complete or not */
		if (!read_app(c, dir, apps->kids[i], &grown[c->napps - 1]))
		{
			if (c->err.code == PGTLS_OK)
				pgtls__seterr(&c->err, PGTLS_ERR_OOM, "out of memory");
			return false;
		}
	}
	return read_acks(c, dir, pgtls__yget(root, "acknowledge"));
}

pgtls_err
pgtls_clients_load_apps(pgtls_clients *c, const char *path)
{
	size_t n;
	char *buf;

	if (c == NULL || path == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&c->err);
	if ((buf = pgtls__read_small_file(path, MANIFEST_MAX_FILE, &n)) == NULL)
		return pgtls__seterr(&c->err, PGTLS_ERR_IO, "application manifest %s: not readable (or over 1 MiB)", path);
	pgtls__apps_parse(c, path, buf, n);
	free(buf);
	return c->err.code;
}

pgtls_err
pgtls__apps_parse(pgtls_clients *c, const char *path, const char *buf, size_t n)
{
	ytree t = {0};
	ynode *root = pgtls__ytree_parse(&t, buf, n);

	if (t.error)
		pgtls__seterr(&c->err, PGTLS_ERR_PARSE, "application manifest %s line %d: %s", path, t.errline, t.err);
	else if (!read_manifest(c, path, root) && c->err.code == PGTLS_OK)
		pgtls__seterr(&c->err, PGTLS_ERR_OOM, "out of memory");
	pgtls__ytree_free(&t);
	return c->err.code;
}

void
pgtls__apps_free(pgtls_clients *c)
{
	for (int i = 0; i < c->napps; i++)
	{
		pgtls_app *a = &c->apps[i];

		free(a->name);
		free(a->workdir);
		free(a->home);
		free(a->jvm_store);
		pgtls__settings_free(a->env);
		for (int k = 0; k < a->npaths; k++)
			free(a->paths[k]);
		for (int k = 0; k < a->nvolumes; k++)
			free(a->volumes[k]);
	}
	free(c->apps);
	for (int i = 0; i < c->nacks; i++)
	{
		free(c->acks[i].file);
		free(c->acks[i].reason);
	}
	free(c->acks);
}

int
pgtls_clients_napps(const pgtls_clients *c)
{
	return c ? c->napps : 0;
}

const char *
pgtls_clients_app_name(const pgtls_clients *c, int i)
{
	return c && i >= 0 && i < c->napps ? c->apps[i].name : NULL;
}

/* what the manifest says of application A, as facts of the application (app.c reads them) */
static void
app_facts(pgtls_clients *c, const pgtls_app *a)
{
	for (int k = 0; k < a->nvolumes; k++)
	{
		char host[1100];
		const char *colon = strchr(a->volumes[k], ':');

		snprintf(host, sizeof(host), "%.*s", (int)(colon - a->volumes[k]), a->volumes[k]);
		pgtls__app_fact(c, APP_MOUNT, a->workdir, colon + 1, host, "(application manifest)", 0);
	}
	for (size_t k = 0; k < pgtls__settings_count(a->env); k++)
	{
		const char *name, *value;

		pgtls__settings_nth(a->env, k, &name, &value);
		pgtls__app_env_fact(c, a->workdir, name, value, "(application manifest)", 0);
	}
	if (a->jvm_store)
		pgtls__app_fact(c, APP_JVM_STORE, a->workdir, "javax.net.ssl.trustStore", a->jvm_store,
		                "(application manifest)", 0);
}

pgtls_err
pgtls_clients_scan_app(pgtls_clients *c, int i)
{
	const pgtls_app *a;
	pgtls_err rc = PGTLS_OK;

	if (c == NULL || i < 0 || i >= c->napps)
		return PGTLS_ERR_USAGE;
	a = &c->apps[i];
	if ((rc = pgtls_clients_set_home(c, a->home)) != PGTLS_OK)
		return rc;
	c->app = a;
	app_facts(c, a);
	for (int k = 0; k < a->npaths && rc == PGTLS_OK; k++)
		rc = pgtls_clients_scan_path(c, a->paths[k]);
	c->app = NULL;
	return rc;
}

/* the acknowledgement of FILE:LINE, or NULL */
const char *
pgtls__ack_of(const pgtls_clients *c, const char *file, int line)
{
	for (int i = 0; i < c->nacks; i++)
		if (strcmp(c->acks[i].file, file) == 0 && (c->acks[i].line == 0 || c->acks[i].line == line))
			return c->acks[i].reason;
	return NULL;
}

const char *
pgtls_clients_unparsed_ack(const pgtls_clients *c, int i)
{
	return c && i >= 0 && i < c->nunparsed ? c->unparsed[i].ack : NULL;
}
