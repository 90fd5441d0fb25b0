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
#include <yaml.h>

#include "clients/clients_int.h"

#define YAML_MAX_NODES 100000
#define YAML_MAX_DEPTH 64

typedef enum
{
	Y_SCALAR,
	Y_MAP,
	Y_SEQ,
	Y_NULL
} ykind;

typedef struct ynode
{
	ykind kind;
	int line;
	char *s;             /* scalar */
	struct ynode **kids; /* map: key, value, key, value...; seq: items */
	int n;
	char *anchor;
	bool walked; /* walk_envs() has been here: aliases make a graph, each node is walked once */
} ynode;

typedef struct ytree
{
	ynode **all; /* every node made, for freeing */
	int nall;
	bool error;
	char err[200];
	int errline;
} ytree;

static ynode *
new_node(ytree *t, ykind kind, int line)
{
	ynode *n, **grown;

	if (t->nall >= YAML_MAX_NODES || (n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	grown = realloc(t->all, (size_t)(t->nall + 1) * sizeof(*grown));
	if (grown == NULL)
	{
		free(n);
		return NULL;
	}
	t->all = grown;
	t->all[t->nall++] = n;
	n->kind = kind;
	n->line = line;
	return n;
}

static bool
add_kid(ynode *parent, ynode *kid)
{
	ynode **grown = realloc(parent->kids, (size_t)(parent->n + 1) * sizeof(*grown));

	if (grown == NULL)
		return false;
	parent->kids = grown;
	parent->kids[parent->n++] = kid;
	return true;
}

static void
tree_free(ytree *t)
{
	for (int i = 0; i < t->nall; i++)
	{
		free(t->all[i]->s);
		free(t->all[i]->kids);
		free(t->all[i]->anchor);
		free(t->all[i]);
	}
	free(t->all);
}

static ynode *
find_anchor(ytree *t, const char *name)
{
	for (int i = t->nall - 1; i >= 0; i--)
		if (t->all[i]->anchor && strcmp(t->all[i]->anchor, name) == 0)
			return t->all[i];
	return NULL;
}

/* builds the first document of BUF into T; its root, or NULL (T->error says whether it was a syntax error) */
static ynode *
parse_tree(ytree *t, const char *buf, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	ynode *stack[YAML_MAX_DEPTH], *root = NULL;
	int depth = 0;
	bool done = false;

	if (!yaml_parser_initialize(&parser))
		return NULL;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (!done)
	{
		ynode *n = NULL;
		const char *anchor = NULL;

		if (!yaml_parser_parse(&parser, &ev))
		{
			t->error = true;
			t->errline = (int)parser.problem_mark.line + 1;
			snprintf(t->err, sizeof(t->err), "%s", parser.problem ? parser.problem : "YAML error");
			break;
		}
		switch (ev.type)
		{
			case YAML_SCALAR_EVENT:
				n = new_node(t, Y_SCALAR, (int)ev.start_mark.line + 1);
				if (n)
					n->s = strndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
				anchor = (const char *)ev.data.scalar.anchor;
				break;
			case YAML_ALIAS_EVENT:
				/* a reference to the anchored node, never a copy */
				n = find_anchor(t, (const char *)ev.data.alias.anchor);
				if (n == NULL)
					n = new_node(t, Y_NULL, (int)ev.start_mark.line + 1);
				break;
			case YAML_MAPPING_START_EVENT:
			case YAML_SEQUENCE_START_EVENT:
				n = new_node(t, ev.type == YAML_MAPPING_START_EVENT ? Y_MAP : Y_SEQ, (int)ev.start_mark.line + 1);
				anchor = (const char *)(ev.type == YAML_MAPPING_START_EVENT ? ev.data.mapping_start.anchor
				                                                            : ev.data.sequence_start.anchor);
				break;
			case YAML_MAPPING_END_EVENT:
			case YAML_SEQUENCE_END_EVENT:
				if (depth > 0)
					depth--;
				break;
			case YAML_DOCUMENT_END_EVENT:
			case YAML_STREAM_END_EVENT:
				done = true;
				break;
			default:
				break;
		}
		if (n && anchor && n->anchor == NULL)
			n->anchor = strdup(anchor);
		if (n)
		{
			if (depth == 0 && root == NULL)
				root = n;
			else if (depth > 0 && !add_kid(stack[depth - 1], n))
				done = true;
			if ((ev.type == YAML_MAPPING_START_EVENT || ev.type == YAML_SEQUENCE_START_EVENT))
			{
				if (depth == YAML_MAX_DEPTH)
					done = true; /* too deep: stop here, keep what was read */
				else
					stack[depth++] = n;
			}
		}
		else if (ev.type == YAML_SCALAR_EVENT || ev.type == YAML_MAPPING_START_EVENT ||
		         ev.type == YAML_SEQUENCE_START_EVENT)
			done = true; /* too many nodes */
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return root;
}

/* value of KEY in map M (following one "<<" merge), or NULL */
static ynode *
get(const ynode *m, const char *key)
{
	if (m == NULL || m->kind != Y_MAP)
		return NULL;
	for (int i = 0; i + 1 < m->n; i += 2)
		if (m->kids[i]->kind == Y_SCALAR && m->kids[i]->s && strcmp(m->kids[i]->s, key) == 0)
			return m->kids[i + 1];
	for (int i = 0; i + 1 < m->n; i += 2)
		if (m->kids[i]->kind == Y_SCALAR && m->kids[i]->s && strcmp(m->kids[i]->s, "<<") == 0 && m->kids[i + 1] != m)
		{
			const ynode *base = m->kids[i + 1];

			for (int j = 0; base->kind == Y_MAP && j + 1 < base->n; j += 2)
				if (base->kids[j]->kind == Y_SCALAR && base->kids[j]->s && strcmp(base->kids[j]->s, key) == 0)
					return base->kids[j + 1];
		}
	return NULL;
}

static const char *
str(const ynode *n)
{
	return n && n->kind == Y_SCALAR ? n->s : NULL;
}

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
		const char *adapter = str(get(env, "adapter"));
		pgtls_settings *params;
		char note[600] = "", raw[200];

		if (adapter == NULL || (strcmp(adapter, "postgresql") != 0 && strcmp(adapter, "postgis") != 0))
			continue;
		if (env->anchor)
			continue; /* a template (default: &default) merged into the environments, not one itself */
		params = pgtls__settings_new();
		for (size_t k = 0; params && k < sizeof(keys) / sizeof(keys[0]); k++)
			set_value(params, keys[k][1], str(get(env, keys[k][0])), note, sizeof(note));
		snprintf(raw, sizeof(raw), "%s: adapter %s (database.yml)", str(root->kids[i]) ? str(root->kids[i]) : "?",
		         adapter);
		{
			char *url = NULL;
			const char *u = str(get(env, "url"));

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
		const char *name = str(f) ? str(f) : str(get(f, "path")); /* long form: {path: ..., required: false} */
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
			name = str(env->kids[i]), value = str(env->kids[i + 1]);
		else if (env->kind == Y_SEQ && env->kids[i]->kind == Y_MAP) /* k8s: - name: X  value: Y */
			name = str(get(env->kids[i], "name")), value = str(get(env->kids[i], "value"));
		else if (env->kind == Y_SEQ && str(env->kids[i]) && strchr(str(env->kids[i]), '='))
		{
			const char *s = str(env->kids[i]);

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

/* docker-compose services and Kubernetes containers: every map with an environment/env next to a name/image */
static void
walk_envs(pgtls_clients *c, const char *path, ynode *n, const char *owner, int depth)
{
	if (n == NULL || depth > 24 || n->walked)
		return;
	n->walked = true;
	if (n->kind == Y_MAP)
	{
		const ynode *env = get(n, "environment");
		const ynode *ef = get(n, "env_file");
		const char *name = str(get(n, "name"));

		if (env == NULL && (get(n, "image") || name) && !get(n, "jobs") && !get(n, "steps") && !get(n, "run"))
			env = get(n, "env"); /* Kubernetes container (GitHub Actions env: is applied to its commands instead) */
		if (env && env->kind != Y_MAP && env->kind != Y_SEQ)
			env = NULL;
		if (env || ef)
			read_env(c, path, env, ef, name ? name : owner, env ? env->line : ef->line);
		for (int i = 0; i + 1 < n->n; i += 2)
			if (n->kids[i + 1] != n)
				walk_envs(c, path, n->kids[i + 1], str(n->kids[i]) ? str(n->kids[i]) : owner, depth + 1);
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
		const char *name = str(m->kids[i]), *value = str(m->kids[i + 1]);

		if (name == NULL || pgtls__settings_env_keyword(name) == NULL)
			continue;
		if (value == NULL)
			value = str(get(m->kids[i + 1], "value")); /* GitLab: {value: ..., description: ...} */
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
		const char *text = str(s->kind == Y_SEQ ? s->kids[i] : s);

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
	const ynode *jobs = get(root, "jobs");

	if (top == NULL)
		return;
	pg_vars(get(root, "env"), top);       /* GitHub Actions workflow */
	pg_vars(get(root, "variables"), top); /* GitLab CI global */
	for (int i = 0; root->kind == Y_MAP && i + 1 < root->n; i += 2)
	{
		const ynode *job = root->kids[i + 1];
		pgtls_settings *jv;

		if (job->kind != Y_MAP || !(get(job, "script") || get(job, "before_script") || get(job, "after_script")))
			continue; /* GitLab jobs only */
		if ((jv = pgtls__settings_dup(top)) == NULL)
			continue;
		pg_vars(get(job, "variables"), jv);
		script_env(c, get(job, "before_script"), jv);
		script_env(c, get(job, "script"), jv);
		script_env(c, get(job, "after_script"), jv);
		pgtls__settings_free(jv);
	}
	for (int i = 0; jobs && jobs->kind == Y_MAP && i + 1 < jobs->n; i += 2)
	{
		const ynode *job = jobs->kids[i + 1], *steps = get(job, "steps");
		pgtls_settings *jv = pgtls__settings_dup(top);

		if (jv == NULL)
			continue;
		pg_vars(get(job, "env"), jv);
		for (int k = 0; steps && steps->kind == Y_SEQ && k < steps->n; k++)
		{
			pgtls_settings *sv = pgtls__settings_dup(jv);

			if (sv == NULL)
				continue;
			pg_vars(get(steps->kids[k], "env"), sv);
			script_env(c, get(steps->kids[k], "run"), sv);
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
	if (!memmem(buf, len, "postg", 5) && !memmem(buf, len, "PG", 2))
		return;
	root = parse_tree(&t, buf, len);
	if (t.error && (memmem(buf, len, "postgresql", 10) || memmem(buf, len, "PGHOST", 6)))
		pgtls__clients_unparsed(c, path, t.errline, "YAML not understood (%s): its PostgreSQL settings are not read",
		                        t.err);
	if (root && root->kind == Y_MAP)
	{
		read_rails(c, path, root);
		walk_envs(c, path, root, "", 0);
		ci_envs(c, root); /* the shell reader (next) gives each script line its job's variables */
	}
	tree_free(&t);
}
