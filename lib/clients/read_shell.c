/*-------------------------------------------------------------------------
 *
 * read_shell.c
 *	  libpq command-line tools in scripts, units and CI files:
 *	  "PGSSLMODE=verify-full psql -h db -U app -d shop", pg_dump, pg_restore
 *	  ..., with the PG* variables the file sets for them (export lines,
 *	  systemd Environment= and EnvironmentFile=, Dockerfile ENV).
 *
 * IDENTIFICATION
 *	  lib/clients/read_shell.c
 *
 * NOTES
 *	  Words are split as a POSIX shell splits them, quotes removed, with
 *	  no expansion: a $VAR in a value stays, and a TLS setting given so is
 *	  unknown.  Options follow psql(1)/pg_dump(1): -h/--host, -p/--port,
 *	  -U/--username, -d/--dbname (which may be a conninfo or URI), the
 *	  first positional argument the database (or a conninfo), the second
 *	  the user.  Variables before the command win over the file's, as in
 *	  the shell; the command line's options win over both, as in libpq.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>

#include "clients/clients_int.h"

#define SH_MAX_WORDS 64
#define SH_MAX_ENVFILE (256 * 1024)

static const char *const tools[] = {"psql",     "pg_dump",  "pg_dumpall", "pg_restore", "pg_isready", "pgbench",
                                    "vacuumdb", "createdb", "dropdb",     "reindexdb",  "clusterdb",  "pg_basebackup"};

/* splits LINE into at most SH_MAX_WORDS words (quotes removed); returns the count */
static int
split_words(const char *line, size_t n, char **words)
{
	const char *p = line, *end = line + n;
	int nw = 0;

	while (p < end && nw < SH_MAX_WORDS)
	{
		pgtls_strbuf w;

		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p >= end || *p == '#' || *p == ';' || *p == '|' || *p == '&')
			break;
		pgtls__sb_init(&w);
		while (p < end && !isspace((unsigned char)*p) && *p != ';' && *p != '|' && *p != '&')
		{
			if (*p == '\'' || *p == '"')
			{
				char q = *p++;

				while (p < end && *p != q)
				{
					if (q == '"' && *p == '\\' && p + 1 < end)
						p++;
					pgtls__sb_append_mem(&w, p++, 1);
				}
				p += p < end;
			}
			else if (*p == '\\' && p + 1 < end)
			{
				pgtls__sb_append_mem(&w, p + 1, 1);
				p += 2;
			}
			else
				pgtls__sb_append_mem(&w, p++, 1);
		}
		words[nw] = w.oom ? NULL : strdup(pgtls__sb_str(&w));
		pgtls__sb_free(&w);
		if (words[nw] == NULL)
			break;
		nw++;
	}
	return nw;
}

static bool
is_tool(const char *w)
{
	const char *b = strrchr(w, '/');

	b = b ? b + 1 : w;
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (strcmp(b, tools[i]) == 0)
			return true;
	return false;
}

/* NAME=VALUE with a PG* name into ENV; true when the word was an assignment */
static bool
env_word(const char *w, pgtls_settings *env)
{
	const char *eq = strchr(w, '=');
	char name[64];

	if (eq == NULL || eq == w || (size_t)(eq - w) >= sizeof(name) ||
	    strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") < (size_t)(eq - w))
		return false;
	snprintf(name, sizeof(name), "%.*s", (int)(eq - w), w);
	if (pgtls__settings_env_keyword(name))
		pgtls__settings_set(env, pgtls__settings_env_keyword(name), eq + 1);
	else if (strcmp(name, "PGSERVICEFILE") == 0 || strcmp(name, "PGSYSCONFDIR") == 0)
		pgtls__settings_set(env, name, eq + 1); /* where libpq finds service=NAME (services.c) */
	return true;
}

/* PG* variables of an EnvironmentFile= (systemd: "-" means it may be missing) */
void
pgtls__env_file(pgtls_clients *c, const char *path, int line, const char *file, pgtls_settings *env)
{
	char why[256];
	struct stat st;
	bool optional = file[0] == '-';
	int fd = pgtls__open_regular(file + optional, true, SH_MAX_ENVFILE, &st, why, sizeof(why));
	size_t n;
	char *buf;

	if (fd < 0)
	{
		if (!optional)
			pgtls__clients_unparsed(c, path, line, "environment file %s not read: %s", file, why);
		return;
	}
	buf = pgtls__read_all(fd, SH_MAX_ENVFILE, &n, why, sizeof(why));
	close(fd);
	if (buf)
		pgtls__env_vars(buf, n, env);
	else
		pgtls__clients_unparsed(c, path, line, "environment file %s not read: %s", file, why);
	free(buf);
}

/* a line that sets PG* variables for the whole file: export, systemd Environment=, Dockerfile ENV */
static void
file_env_line(pgtls_clients *c, const char *path, int line, const char *p, size_t n, pgtls_settings *env)
{
	char *words[SH_MAX_WORDS];
	int nw;

	while (n > 0 && isspace((unsigned char)*p))
		p++, n--;
	if (n > 12 && strncmp(p, "Environment=", 12) == 0)
	{
		nw = split_words(p + 12, n - 12, words);
		for (int i = 0; i < nw; i++)
			env_word(words[i], env);
	}
	else if (n > 16 && strncmp(p, "EnvironmentFile=", 16) == 0)
	{
		nw = split_words(p + 16, n - 16, words);
		for (int i = 0; i < nw; i++)
			pgtls__env_file(c, path, line, words[i], env);
	}
	else if (n > 4 && (strncmp(p, "ENV ", 4) == 0 || strncmp(p, "export ", 7) == 0))
	{
		nw = split_words(p + 4, n - 4, words);
		/* Dockerfile "ENV NAME value" (old form) or NAME=value words */
		if (nw == 2 && strchr(words[0], '=') == NULL && strncmp(p, "ENV ", 4) == 0 &&
		    pgtls__settings_env_keyword(words[0]))
			pgtls__settings_set(env, pgtls__settings_env_keyword(words[0]), words[1]);
		else
			for (int i = 0; i < nw; i++)
				env_word(words[i], env);
	}
	else
	{
		bool all;

		nw = split_words(p, n, words);
		/* NAME=value words alone on a line: set for the rest of the script */
		all = nw >= 1;
		for (int i = 0; i < nw; i++)
			all = all && strchr(words[i], '=') != NULL && strchr(words[i], '=') != words[i];
		for (int i = 0; all && i < nw; i++)
			env_word(words[i], env);
	}
	for (int i = 0; i < nw; i++)
		free(words[i]);
}

/* option with a value: "-h X", "-hX", "--host=X", "--host X"; *I advanced past what it used */
static const char *
opt_value(char **words, int nw, int *i, const char *shortopt, const char *longopt)
{
	const char *w = words[*i];
	size_t ll = strlen(longopt);

	if (strcmp(w, shortopt) == 0 || strcmp(w, longopt) == 0)
		return *i + 1 < nw ? words[++*i] : NULL;
	if (strncmp(w, shortopt, 2) == 0 && w[2] != '\0' && w[1] != '-')
		return w + 2;
	if (strncmp(w, longopt, ll) == 0 && w[ll] == '=')
		return w + ll + 1;
	return NULL;
}

/* a database argument that is a whole connection string: conninfo or URI (a name like "postgres" is not) */
static bool
conn_string(const char *v)
{
	return strchr(v, '=') || strncmp(v, "postgresql://", 13) == 0 || strncmp(v, "postgres://", 11) == 0;
}

/*
 * Does W (an option of TOOL) take an argument that is not a connection
 * setting?  Per psql(1), pg_dump(1), pg_restore(1); other tools: none
 * known.  -h/-p/-U/-d are read by the caller first.
 */
static bool
other_arg(const char *tool, const char *w, int *next)
{
	static const char *const longs[] = {"--command",
	                                    "--file",
	                                    "--set",
	                                    "--variable",
	                                    "--output",
	                                    "--pset",
	                                    "--format",
	                                    "--table",
	                                    "--schema",
	                                    "--jobs",
	                                    "--compress",
	                                    "--encoding",
	                                    "--exclude-table",
	                                    "--exclude-schema",
	                                    "--log-file",
	                                    "--field-separator",
	                                    "--record-separator",
	                                    "--table-attr",
	                                    "--superuser",
	                                    "--index",
	                                    "--list"};
	const char *b = strrchr(tool, '/');
	const char *shorts;

	b = b ? b + 1 : tool;
	*next = 0;
	if (w[0] != '-' || w[1] == '\0')
		return false;
	if (w[1] == '-')
	{
		for (size_t i = 0; i < sizeof(longs) / sizeof(longs[0]); i++)
		{
			size_t l = strlen(longs[i]);

			if (strncmp(w, longs[i], l) == 0 && (w[l] == '\0' || w[l] == '='))
			{
				*next = w[l] == '\0'; /* "--command X", not "--command=X" */
				return true;
			}
		}
		return false;
	}
	shorts = strcmp(b, "psql") == 0         ? "cfFLoPRTv"
	         : strcmp(b, "pg_dump") == 0    ? "fFjnNStTZE"
	         : strcmp(b, "pg_restore") == 0 ? "fFIjLnNPStT"
	                                        : "";
	/* a bundle of flags ("-Atqc"): the first letter taking an argument takes the rest, or the next word */
	for (const char *q = w + 1; *q; q++)
		if (strchr(shorts, *q))
		{
			*next = q[1] == '\0';
			return true;
		}
	return false;
}

/* one tool invocation: WORDS[TOOL] is the tool, ENV the PG* variables in force */
static void
read_command(pgtls_clients *c, const char *path, int line, const char *raw, size_t rawlen, char **words, int nw,
             int tool, const pgtls_settings *env)
{
	static const char *const opts[][3] = {
	    {"-h", "--host", "host"}, {"-p", "--port", "port"}, {"-U", "--username", "user"}, {"-d", "--dbname", "dbname"}};
	pgtls_settings *params = pgtls__settings_new();
	const char *dsn = NULL;
	char why[200] = "";
	int npos = 0, next;

	for (int i = tool + 1; params && i < nw; i++)
	{
		const char *v = NULL;
		size_t k;

		for (k = 0; k < sizeof(opts) / sizeof(opts[0]) && v == NULL; k++)
			v = opt_value(words, nw, &i, opts[k][0], opts[k][1]);
		if (v == NULL && other_arg(words[tool], words[i], &next))
		{
			i += next;
			continue; /* -c 'select ...', -Atqc '...', -f file, --set x=y: not connection settings */
		}
		if (v && k == 4 && conn_string(v))
			dsn = v; /* -d may be a conninfo or URI */
		else if (v)
			pgtls__settings_set(params, opts[k - 1][2], v);
		else if (words[i][0] != '-' && npos < 2)
		{
			if (npos == 0 && (conn_string(words[i]) || words[i][0] == '$'))
				dsn = words[i];
			else
				pgtls__settings_set(params, npos == 0 ? "dbname" : "user", words[i]);
			npos++;
		}
	}
	if (dsn && dsn[0] == '$' && why[0] == '\0')
		snprintf(why, sizeof(why), "the connection string comes from %.60s, not set here", dsn);
	/* the variables as libpq reads them: below the command line's options and connection string */
	if (params)
		pgtls__clients_add_cmd(c, path, line, "command", PGTLS_DRIVER_LIBPQ, raw, rawlen,
		                       dsn && dsn[0] != '$' ? dsn : NULL, params, NULL, env, NULL, why[0] ? why : NULL);
	pgtls__settings_free(params);
}

/* Dockerfile exec form: CMD ["psql", "-h", "db"] (a JSON array); the count, or -1 when not that form */
static int
exec_form(const char *p, size_t n, char **words)
{
	const char *b = memchr(p, '[', n);
	json_t *arr;
	size_t i;
	int nw = 0;

	if (b == NULL || !(strncmp(p, "CMD", 3) == 0 || strncmp(p, "RUN", 3) == 0 || strncmp(p, "ENTRYPOINT", 10) == 0))
		return -1;
	arr = json_loadb(b, n - (size_t)(b - p), JSON_DISABLE_EOF_CHECK, NULL);
	if (!json_is_array(arr))
	{
		json_decref(arr);
		return -1;
	}
	for (i = 0; i < json_array_size(arr) && nw < SH_MAX_WORDS; i++)
		if (json_is_string(json_array_get(arr, i)) &&
		    (words[nw] = strdup(json_string_value(json_array_get(arr, i)))) != NULL)
			nw++;
	json_decref(arr);
	return nw;
}

static void
command_line(pgtls_clients *c, const char *path, int line, const char *p, size_t n, const pgtls_settings *fileenv)
{
	char *words[SH_MAX_WORDS];
	int nw = exec_form(p, n, words), tool = -1;
	pgtls_settings *env = pgtls__settings_dup(fileenv);

	if (nw < 0)
		nw = split_words(p, n, words);
	if (c->ncmd_envs > 0 && env)
	{
		/* a CI script line: the variables its job sets (read_yaml.c) */
		const char *b = p, *e = p + n;
		char *key;

		while (b < e && (isspace((unsigned char)*b) || *b == '-'))
			b++;
		if (e - b > 4 && strncmp(b, "run:", 4) == 0)
			b += 4; /* GitHub Actions: run: psql ... on one line */
		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		if (e - b >= 2 && (*b == '\'' || *b == '"') && e[-1] == *b)
			b++, e--; /* a quoted YAML scalar */
		if ((key = strndup(b, (size_t)(e - b))) != NULL)
		{
			const pgtls_settings *job = pgtls__clients_cmd_env(c, key);

			if (job)
				pgtls__settings_merge(env, job, true, NULL);
			free(key);
		}
	}

	for (int i = 0; env && i < nw && tool < 0; i++)
	{
		size_t wl = strlen(words[i]);

		if (is_tool(words[i]))
			tool = i;
		else if (strcmp(words[i], "-") == 0 || (wl > 1 && words[i][wl - 1] == ':' && tool < 0 && i < 2))
			continue; /* a YAML list item or key before the command (CI files: "- run: psql ...") */
		else if (!env_word(words[i], env) && strcmp(words[i], "env") != 0 && strcmp(words[i], "exec") != 0 &&
		         strcmp(words[i], "sudo") != 0 && strcmp(words[i], "-u") != 0 && i > 0 &&
		         strcmp(words[i - 1], "-u") != 0)
			break; /* another command: its arguments are not the tool's */
	}
	if (tool >= 0 && env)
		read_command(c, path, line, p, n, words, nw, tool, env);
	pgtls__settings_free(env);
	for (int i = 0; i < nw; i++)
		free(words[i]);
}

/*
 * systemd User=NAME: the service runs with NAME's HOME, where libpq looks
 * for ~/.postgresql/root.crt.  Unless --home was given, that HOME is used
 * for the commands after it (a user unknown here: no HOME, said so).
 */
static void
unit_user(pgtls_clients *c, const char *p, size_t n)
{
	char name[64], pwbuf[4096];
	struct passwd pw, *res = NULL;

	if (c->home_given || n <= 5 || n - 5 >= sizeof(name))
		return;
	snprintf(name, sizeof(name), "%.*s", (int)(n - 5), p + 5);
	name[strcspn(name, " \t\r")] = '\0';
	if (getpwnam_r(name, &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res && pw.pw_dir &&
	    strlen(pw.pw_dir) < sizeof(c->home))
		snprintf(c->home, sizeof(c->home), "%s", pw.pw_dir);
	else
		c->home[0] = '\0'; /* not a user here: its HOME cannot be read */
}

void
pgtls__read_shell(pgtls_clients *c, const char *path, const char *buf, size_t len)
{
	pgtls_settings *env = pgtls__settings_new();
	const char *p = buf, *end = buf + len;
	int lineno = 0;
	char home[sizeof(c->home)];

	memcpy(home, c->home, sizeof(home));

	while (env && p < end)
	{
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		bool tool = false;

		lineno++;
		if (n > 5 && strncmp(p, "User=", 5) == 0)
			unit_user(c, p, n);
		/* every tool's name holds "psql", "pg" or "db": most lines are passed over at once */
		if (memmem(p, n, "psql", 4) || memmem(p, n, "pg", 2) || memmem(p, n, "db", 2))
			for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]) && !tool; i++)
				tool = memmem(p, n, tools[i], strlen(tools[i])) != NULL;
		if (tool)
			command_line(c, path, lineno, p, n, env);
		else if (memmem(p, n, "PG", 2) || memmem(p, n, "EnvironmentFile=", 16))
			file_env_line(c, path, lineno, p, n, env);
		p = nl ? nl + 1 : end;
	}
	memcpy(c->home, home, sizeof(home));
	pgtls__settings_free(env);
}
