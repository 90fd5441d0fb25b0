/*-------------------------------------------------------------------------
 *
 * read_yaml.c
 *	  Connection settings in YAML, read with libyaml: Rails
 *	  config/database.yml (adapter postgresql/postgis, ERB defaults, <<:
 *	  merges), docker-compose services' environment (map or list), and
 *	  Kubernetes container env lists (name/value).
 *
 * IDENTIFICATION
 *	  lib/clients/read_yaml.c
 *
 * NOTES
 *	  The document becomes a small bounded tree (at most YAML_MAX_NODES
 *	  nodes, YAML_MAX_DEPTH deep).  Aliases are references, never copies,
 *	  and only a "<<" merge one level deep is followed: no alias bomb can
 *	  grow it.  A YAML syntax error in a file that names PostgreSQL is
 *	  reported in unparsed[].
 *	  Driver facts: Rails passes database.yml keys sslmode/sslrootcert to
 *	  libpq through the pg gem (PG::Connection.new takes libpq keywords);
 *	  url: is a libpq URI merged with the other keys.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clients/clients_int.h"
#include "clients/ytree.h"

/* ---- ERB (Rails): <%= ENV.fetch("X") { "d" } %>, <%= ENV['X'] || 'd' %>, <%= ENV.fetch('X', 'd') %> ---- */

static char *
erb_default(const char *v, char *note, size_t notelen)
{
	const char *b = strstr(v, "<%="), *e = b ? strstr(b, "%>") : NULL;
	const char *name = NULL, *d = NULL;
	size_t namelen = 0, dlen = 0;

	if (b == NULL || e == NULL)
		return NULL;
	for (const char *q = b; q < e; q++)
		if ((*q == '"' || *q == '\'') && q + 1 < e)
		{
			const char *close = memchr(q + 1, *q, (size_t)(e - q - 1));

			if (close == NULL)
				break;
			if (name == NULL)
				name = q + 1, namelen = (size_t)(close - q - 1);
			else if (d == NULL)
				d = q + 1, dlen = (size_t)(close - q - 1);
			q = close;
		}
	if (name == NULL || d == NULL || strstr(b, "ENV") == NULL)
		return NULL;
	snprintf(note + strlen(note), notelen - strlen(note), "%s%.*s from the environment when set, else \"%.*s\"",
	         note[0] ? "; " : "", (int)namelen, name, (int)dlen, d);
	return strndup(d, dlen);
}

/* a value: ERB defaults taken (noted), placeholders kept (they make TLS settings unknown) */
static void
set_value(pgtls_settings *params, const char *key, const char *v, char *note, size_t notelen)
{
	char *d = v ? erb_default(v, note, notelen) : NULL;

	if (d)
		pgtls__settings_set(params, key, d);
	else if (v)
		pgtls__settings_set(params, key, v);
	free(d);
}

/* Rails: ENV: {adapter: postgresql, host:, port:, database:, username:, sslmode:, sslrootcert:, url:} */
static void
read_rails(pgtls_clients *c, const char *path, const ynode *root)
{
	static const char *const keys[][2] = {{"host", "host"},         {"port", "port"},
	                                      {"database", "dbname"},   {"username", "user"},
	                                      {"sslmode", "sslmode"},   {"sslrootcert", "sslrootcert"},
	                                      {"hostaddr", "hostaddr"}, {"sslcrl", "sslcrl"}};

	for (int i = 0; root->kind == Y_MAP && i + 1 < root->n; i += 2)
	{
		const ynode *env = root->kids[i + 1];
		const char *adapter = pgtls__ystr(pgtls__yget(env, "adapter"));
		pgtls_settings *params;
		char note[600] = "", raw[200];

		if (adapter == NULL || (strcmp(adapter, "postgresql") != 0 && strcmp(adapter, "postgis") != 0))
			continue;
		if (env->anchor)
			continue; /* a template (default: &default) merged into the environments, not one itself */
		params = pgtls__settings_new();
		for (size_t k = 0; params && k < sizeof(keys) / sizeof(keys[0]); k++)
			set_value(params, keys[k][1], pgtls__ystr(pgtls__yget(env, keys[k][0])), note, sizeof(note));
		snprintf(raw, sizeof(raw), "%s: adapter %s (database.yml)",
		         pgtls__ystr(root->kids[i]) ? pgtls__ystr(root->kids[i]) : "?", adapter);
		{
			char *url = NULL;
			const char *u = pgtls__ystr(pgtls__yget(env, "url"));

			char why[200] = "";

			if (u)
				url = erb_default(u, note, sizeof(note));
			if (u && url == NULL && pgtls__has_placeholder(u))
			{
				/* url: <%= ENV['DATABASE_URL'] %>: the whole connection comes from the environment */
				snprintf(why, sizeof(why), "url comes from the environment (%.80s), not set here", u);
				u = NULL;
			}
			if (params)
				pgtls__clients_add_cmd(c, path, env->line, "rails", PGTLS_DRIVER_LIBPQ, raw, strlen(raw), url ? url : u,
				                       params, NULL, NULL, note, why[0] ? why : NULL);
			free(url);
		}
		pgtls__settings_free(params);
	}
}

/* docker-compose env_file: a path or a list of paths, relative to the compose file */
static void
env_files(pgtls_clients *c, const char *path, const ynode *ef, pgtls_settings *vars)
{
	for (int i = 0; ef && i < (ef->kind == Y_SEQ ? ef->n : 1); i++)
	{
		const ynode *f = ef->kind == Y_SEQ ? ef->kids[i] : ef;
		const char *name = pgtls__ystr(f)
		                       ? pgtls__ystr(f)
		                       : pgtls__ystr(pgtls__yget(f, "path")); /* long form: {path: ..., required: false} */
		const char *slash = strrchr(path, '/');
		char full[2048];

		if (name == NULL)
			continue;
		if (name[0] == '/' || slash == NULL)
			snprintf(full, sizeof(full), "%s", name);
		else
			snprintf(full, sizeof(full), "%.*s/%s", (int)(slash - path), path, name);
		pgtls__env_file(c, path, f->line, full, vars);
	}
}

/* PG* variables and *_URL values of an environment (map, or list of NAME=value, or k8s name/value list),
 * after those of its env_file (Compose: environment wins over env_file) */
static void
read_env(pgtls_clients *c, const char *path, const ynode *env, const ynode *ef, const char *owner, int line)
{
	pgtls_settings *vars = pgtls__settings_new();
	char raw[200];
	const char *urls[16];
	int url_lines[16], nurls = 0;

	if (vars == NULL)
		return;
	env_files(c, path, ef, vars);
	for (int i = 0; env && i < env->n; i += env->kind == Y_MAP ? 2 : 1)
	{
		const char *name = NULL, *value = NULL;
		char buf[128];
		int vline = env->kids[i]->line;

		if (env->kind == Y_MAP && i + 1 < env->n)
			name = pgtls__ystr(env->kids[i]), value = pgtls__ystr(env->kids[i + 1]);
		else if (env->kind == Y_SEQ && env->kids[i]->kind == Y_MAP) /* k8s: - name: X  value: Y */
			name = pgtls__ystr(pgtls__yget(env->kids[i], "name")),
			value = pgtls__ystr(pgtls__yget(env->kids[i], "value"));
		else if (env->kind == Y_SEQ && pgtls__ystr(env->kids[i]) && strchr(pgtls__ystr(env->kids[i]), '='))
		{
			const char *s = pgtls__ystr(env->kids[i]);

			snprintf(buf, sizeof(buf), "%.*s", (int)(strchr(s, '=') - s), s);
			name = buf;
			value = strchr(s, '=') + 1;
		}
		if (name == NULL || value == NULL)
			continue;
		if (pgtls__settings_env_keyword(name))
			pgtls__settings_set(vars, pgtls__settings_env_keyword(name), value);
		else if (strlen(name) > 4 && strcmp(name + strlen(name) - 4, "_URL") == 0 && nurls < 16)
			urls[nurls] = value, url_lines[nurls++] = vline;
	}
	/* the URLs with the PG* variables of the same environment (libpq applies PGSSLMODE to them) */
	for (int u = 0; u < nurls; u++)
	{
		pgtls__clients_drop_spec(c, path, urls[u]); /* the line reader saw it without them */
		pgtls__read_line(c, path, url_lines[u], urls[u], strlen(urls[u]), PGTLS_DRIVER_LIBPQ,
		                 pgtls__settings_count(vars) ? vars : NULL);
	}
	snprintf(raw, sizeof(raw), "%s: PG* variables", owner);
	if (pgtls__settings_count(vars) > 0)
		pgtls__clients_add(c, path, line, "environment", PGTLS_DRIVER_LIBPQ, raw, strlen(raw), vars, NULL);
	pgtls__settings_free(vars);
}

/* compose "./certs:/certs:ro" or {type: bind, source, target}: a host directory inside the container */
static void
compose_mounts(pgtls_clients *c, const char *path, const ynode *vols)
{
	for (int i = 0; vols && vols->kind == Y_SEQ && i < vols->n; i++)
	{
		const ynode *v = vols->kids[i];
		const char *s = pgtls__ystr(v), *src = pgtls__ystr(pgtls__yget(v, "source")),
		           *dst = pgtls__ystr(pgtls__yget(v, "target"));
		char buf[1100];

		if (s && (s[0] == '.' || s[0] == '/') && strchr(s, ':'))
		{
			snprintf(buf, sizeof(buf), "%s", s);
			dst = strchr(buf, ':') + 1;
			*strchr(buf, ':') = '\0';
			if (strchr(dst, ':'))
				*strchr(dst, ':') = '\0'; /* :ro, :rw */
			src = buf;
		}
		if (src && dst && (src[0] == '.' || src[0] == '/'))
			pgtls__app_mount(c, path, v->line, dst, src);
	}
}

/* Kubernetes: containers' volumeMounts whose volume is a hostPath */
static void
k8s_mounts(pgtls_clients *c, const char *path, const ynode *pod)
{
	const ynode *vols = pgtls__yget(pod, "volumes"), *ctrs = pgtls__yget(pod, "containers");

	for (int i = 0; ctrs && ctrs->kind == Y_SEQ && i < ctrs->n; i++)
	{
		const ynode *vm = pgtls__yget(ctrs->kids[i], "volumeMounts");

		for (int k = 0; vm && vm->kind == Y_SEQ && k < vm->n; k++)
		{
			const char *name = pgtls__ystr(pgtls__yget(vm->kids[k], "name")),
			           *at = pgtls__ystr(pgtls__yget(vm->kids[k], "mountPath"));

			for (int j = 0; name && at && vols && vols->kind == Y_SEQ && j < vols->n; j++)
				if (pgtls__ystr(pgtls__yget(vols->kids[j], "name")) &&
				    strcmp(pgtls__ystr(pgtls__yget(vols->kids[j], "name")), name) == 0 &&
				    pgtls__ystr(pgtls__yget(pgtls__yget(vols->kids[j], "hostPath"), "path")))
					pgtls__app_mount(c, path, vm->kids[k]->line, at,
					                 pgtls__ystr(pgtls__yget(pgtls__yget(vols->kids[j], "hostPath"), "path")));
		}
	}
}

/* docker-compose services and Kubernetes containers: every map with an environment/env next to a name/image */
static void
walk_envs(pgtls_clients *c, const char *path, ynode *n, const char *owner, int depth)
{
	if (n == NULL || depth > 24 || n->walked)
		return;
	n->walked = true;
	if (n->kind == Y_MAP)
	{
		const ynode *env = pgtls__yget(n, "environment");
		const ynode *ef = pgtls__yget(n, "env_file");
		const char *name = pgtls__ystr(pgtls__yget(n, "name"));

		if (env == NULL && (pgtls__yget(n, "image") || name) && !pgtls__yget(n, "jobs") && !pgtls__yget(n, "steps") &&
		    !pgtls__yget(n, "run"))
			env = pgtls__yget(
			    n, "env"); /* Kubernetes container (GitHub Actions env: is applied to its commands instead) */
		if (env && env->kind != Y_MAP && env->kind != Y_SEQ)
			env = NULL;
		if (env || ef)
			read_env(c, path, env, ef, name ? name : owner, env ? env->line : ef->line);
		if (pgtls__yget(n, "image") || pgtls__yget(n, "build"))
			compose_mounts(c, path, pgtls__yget(n, "volumes"));
		if (pgtls__yget(n, "containers") && pgtls__yget(n, "volumes"))
			k8s_mounts(c, path, n);
		for (int i = 0; i + 1 < n->n; i += 2)
			if (n->kids[i + 1] != n)
				walk_envs(c, path, n->kids[i + 1], pgtls__ystr(n->kids[i]) ? pgtls__ystr(n->kids[i]) : owner,
				          depth + 1);
	}
	else if (n->kind == Y_SEQ)
		for (int i = 0; i < n->n; i++)
			walk_envs(c, path, n->kids[i], owner, depth + 1);
}

/* ---- CI pipelines: GitHub Actions (env: at workflow, job, step; run:) and GitLab CI (variables:; script:) ---- */

/* the PG* variables of map M into VARS (later levels override earlier ones, as the CI does) */
static void
pg_vars(const ynode *m, pgtls_settings *vars)
{
	for (int i = 0; m && m->kind == Y_MAP && i + 1 < m->n; i += 2)
	{
		const char *name = pgtls__ystr(m->kids[i]), *value = pgtls__ystr(m->kids[i + 1]);

		if (name == NULL || pgtls__settings_env_keyword(name) == NULL)
			continue;
		if (value == NULL)
			value = pgtls__ystr(pgtls__yget(m->kids[i + 1], "value")); /* GitLab: {value: ..., description: ...} */
		if (value)
			pgtls__settings_set(vars, pgtls__settings_env_keyword(name), value);
	}
}

/*
 * The CI job's variables for one script line (the last job to name the
 * line wins, as before): kept in C->cmd_envs, found by the line's text
 * through C->cmd_index (text -> position).
 */
static void
cmd_env_set(pgtls_clients *c, const char *line, const pgtls_settings *vars)
{
	json_t *at;
	pgtls_settings *copy = pgtls__settings_dup(vars);

	if (copy == NULL || (c->cmd_index == NULL && (c->cmd_index = json_object()) == NULL))
	{
		pgtls__settings_free(copy);
		return;
	}
	at = json_object_get(c->cmd_index, line);
	if (at)
	{
		pgtls__settings_free(c->cmd_envs[json_integer_value(at)].vars);
		c->cmd_envs[json_integer_value(at)].vars = copy;
		return;
	}
	if (c->ncmd_envs == c->capcmd_envs)
	{
		int cap = c->capcmd_envs ? c->capcmd_envs * 2 : 16;
		pgtls_cmd_env *grown = realloc(c->cmd_envs, (size_t)cap * sizeof(*grown));

		if (grown == NULL)
		{
			pgtls__settings_free(copy);
			return;
		}
		c->cmd_envs = grown;
		c->capcmd_envs = cap;
	}
	c->cmd_envs[c->ncmd_envs].vars = copy;
	json_object_set_new(c->cmd_index, line, json_integer(c->ncmd_envs));
	c->ncmd_envs++;
}

const pgtls_settings *
pgtls__clients_cmd_env(const pgtls_clients *c, const char *command)
{
	json_t *at = c->cmd_index ? json_object_get(c->cmd_index, command) : NULL;

	return at ? c->cmd_envs[json_integer_value(at)].vars : NULL;
}

void
pgtls__clients_cmd_envs_clear(pgtls_clients *c)
{
	for (int i = 0; i < c->ncmd_envs; i++)
		pgtls__settings_free(c->cmd_envs[i].vars);
	free(c->cmd_envs);
	c->cmd_envs = NULL;
	c->ncmd_envs = c->capcmd_envs = 0;
	json_decref(c->cmd_index);
	c->cmd_index = NULL;
}

/* each line of the script(s) in S (a string or a list of strings) gets VARS */
static void
script_env(pgtls_clients *c, const ynode *s, const pgtls_settings *vars)
{
	for (int i = 0; s && i < (s->kind == Y_SEQ ? s->n : 1); i++)
	{
		const char *text = pgtls__ystr(s->kind == Y_SEQ ? s->kids[i] : s);

		for (const char *p = text; p && *p;)
		{
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			char *line;

			while (n > 0 && isspace((unsigned char)*p))
				p++, n--;
			while (n > 0 && isspace((unsigned char)p[n - 1]))
				n--;
			if (n > 0 && pgtls__settings_count(vars) > 0 && (line = strndup(p, n)) != NULL)
			{
				cmd_env_set(c, line, vars);
				free(line);
			}
			p = nl ? nl + 1 : NULL;
		}
	}
}

static void
ci_envs(pgtls_clients *c, const ynode *root)
{
	pgtls_settings *top = pgtls__settings_new();
	const ynode *jobs = pgtls__yget(root, "jobs");

	if (top == NULL)
		return;
	pg_vars(pgtls__yget(root, "env"), top);       /* GitHub Actions workflow */
	pg_vars(pgtls__yget(root, "variables"), top); /* GitLab CI global */
	for (int i = 0; root->kind == Y_MAP && i + 1 < root->n; i += 2)
	{
		const ynode *job = root->kids[i + 1];
		pgtls_settings *jv;

		if (job->kind != Y_MAP ||
		    !(pgtls__yget(job, "script") || pgtls__yget(job, "before_script") || pgtls__yget(job, "after_script")))
			continue; /* GitLab jobs only */
		if ((jv = pgtls__settings_dup(top)) == NULL)
			continue;
		pg_vars(pgtls__yget(job, "variables"), jv);
		script_env(c, pgtls__yget(job, "before_script"), jv);
		script_env(c, pgtls__yget(job, "script"), jv);
		script_env(c, pgtls__yget(job, "after_script"), jv);
		pgtls__settings_free(jv);
	}
	for (int i = 0; jobs && jobs->kind == Y_MAP && i + 1 < jobs->n; i += 2)
	{
		const ynode *job = jobs->kids[i + 1], *steps = pgtls__yget(job, "steps");
		pgtls_settings *jv = pgtls__settings_dup(top);

		if (jv == NULL)
			continue;
		pg_vars(pgtls__yget(job, "env"), jv);
		for (int k = 0; steps && steps->kind == Y_SEQ && k < steps->n; k++)
		{
			pgtls_settings *sv = pgtls__settings_dup(jv);

			if (sv == NULL)
				continue;
			pg_vars(pgtls__yget(steps->kids[k], "env"), sv);
			script_env(c, pgtls__yget(steps->kids[k], "run"), sv);
			pgtls__settings_free(sv);
		}
		pgtls__settings_free(jv);
	}
	pgtls__settings_free(top);
}

bool
pgtls__is_yaml(const char *path)
{
	const char *ext = strrchr(path, '.');

	return ext && (strcmp(ext, ".yml") == 0 || strcmp(ext, ".yaml") == 0);
}

void
pgtls__read_yaml(pgtls_clients *c, const char *path, const char *buf, size_t len)
{
	ytree t = {0};
	ynode *root;

	/* only YAML that may hold PostgreSQL settings is parsed */
	if (!memmem(buf, len, "postg", 5) && !memmem(buf, len, "PG", 2) && !memmem(buf, len, "volumes", 7))
		return;
	root = pgtls__ytree_parse(&t, buf, len);
	if (t.error && (memmem(buf, len, "postgresql", 10) || memmem(buf, len, "PGHOST", 6)))
		pgtls__clients_unparsed(c, path, t.errline, "YAML not understood (%s): its PostgreSQL settings are not read",
		                        t.err);
	if (root && root->kind == Y_MAP)
	{
		read_rails(c, path, root);
		walk_envs(c, path, root, "", 0);
		ci_envs(c, root); /* the shell reader (next) gives each script line its job's variables */
	}
	pgtls__ytree_free(&t);
}
