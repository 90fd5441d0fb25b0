/*-------------------------------------------------------------------------
 *
 * python.c
 *	  asyncpg: which version a Python project pins (poetry.lock, uv.lock,
 *	  pdm.lock, Pipfile.lock, requirements.txt), so that a version whose
 *	  TLS rules pgtls does not emulate is never judged by newer ones.
 *
 * IDENTIFICATION
 *	  lib/clients/python.c
 *
 * NOTES
 *	  asyncpg 0.25.0 (PR #827, "Fix SSL compatibility of libpq") made the
 *	  DSN's sslmode, sslrootcert and ~/.postgresql files follow libpq;
 *	  the asyncpg row is that behaviour, checked against 0.27.  Earlier
 *	  versions read them differently (sslrootcert came in 0.24, PR #768),
 *	  and that is not emulated: such a client is `unknown`, with the
 *	  version and its file, never an all-clear.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "clients/clients_int.h"

#define MAX_LOCK_FILE (16 * 1024 * 1024)

/* "0.24.0", "==0.24.0", "0.27.0 ; python_version..." -> major, minor, patch; false when not a plain version */
static bool
parse_version(const char *v, int out[3])
{
	while (*v == '=' || *v == ' ')
		v++;
	return pgtls__version_parse(v, strcspn(v, "\"' \t\r\n;,"), out);
}

/* poetry.lock, uv.lock, pdm.lock: the [[package]] named NAME, its version = "X" */
static bool
read_toml_lock(const char *buf, const char *name, int out[3])
{
	char key[80];
	const char *p = buf;

	snprintf(key, sizeof(key), "name = \"%s\"", name);
	while ((p = strstr(p, key)) != NULL)
	{
		const char *next = strstr(p, "[[package]]"), *v;

		p += strlen(key);
		if (*p != '\n' && *p != '\r')
			continue; /* asyncpg-stubs */
		v = strstr(p, "\nversion = \"");
		if (v && (next == NULL || v < next))
			return parse_version(v + 12, out);
	}
	return false;
}

/* Pipfile.lock: default (then develop) NAME's "version": "==X" */
static bool
read_pipfile_lock(const char *buf, size_t n, const char *name, int out[3])
{
	json_error_t jerr;
	json_t *root = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &jerr);
	bool ok = false;

	if (root == NULL)
		return false;
	for (int k = 0; k < 2 && !ok; k++)
	{
		json_t *pkg = json_object_get(json_object_get(root, k == 0 ? "default" : "develop"), name);
		const char *v = json_string_value(json_object_get(pkg, "version"));

		ok = v && parse_version(v, out);
	}
	json_decref(root);
	return ok;
}

/* requirements.txt: "NAME==X" (any case, extras, spaces); other specifiers pin nothing */
static bool
read_requirements(const char *buf, const char *name, int out[3])
{
	size_t nl = strlen(name);

	for (const char *p = buf; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
	{
		const char *q = p;

		while (*q == ' ' || *q == '\t')
			q++;
		if (strncasecmp(q, name, nl) != 0)
			continue;
		q += nl;
		if (*q == '[')
			q = strchr(q, ']') ? strchr(q, ']') + 1 : q;
		while (*q == ' ' || *q == '\t')
			q++;
		if (q[0] == '=' && q[1] == '=')
			return parse_version(q, out);
	}
	return false;
}

int
pgtls__python_lock_parse(int kind, const char *buf, size_t n, const char *name, int out[3])
{
	out[0] = out[1] = out[2] = -1;
	switch (kind)
	{
		case PGTLS_PY_TOML_LOCK:
			return read_toml_lock(buf, name, out);
		case PGTLS_PY_PIPFILE_LOCK:
			return read_pipfile_lock(buf, n, name, out);
		default:
			return read_requirements(buf, name, out);
	}
}

static bool
read_dir(const char *dir, void *ans)
{
	static const struct
	{
		const char *file;
		int kind;
	} files[] = {{"poetry.lock", PGTLS_PY_TOML_LOCK},
	             {"uv.lock", PGTLS_PY_TOML_LOCK},
	             {"pdm.lock", PGTLS_PY_TOML_LOCK},
	             {"Pipfile.lock", PGTLS_PY_PIPFILE_LOCK},
	             {"requirements.txt", PGTLS_PY_REQUIREMENTS},
	             {"requirements.lock", PGTLS_PY_REQUIREMENTS}};
	pgtls_py_version *a = ans;

	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++)
	{
		char path[1100];
		size_t n = 0;
		char *buf;
		bool ok;

		snprintf(path, sizeof(path), "%s/%s", dir, files[k].file);
		if ((buf = pgtls__read_small_file(path, MAX_LOCK_FILE, &n)) == NULL)
			continue;
		ok = pgtls__python_lock_parse(files[k].kind, buf, n, "asyncpg", a->v);
		free(buf);
		if (ok)
		{
			snprintf(a->file, sizeof(a->file), "%s", path);
			return true;
		}
	}
	return false;
}

static void
reset_answer(void *ans)
{
	pgtls_py_version *a = ans;

	memset(a, 0, sizeof(*a));
	a->v[0] = a->v[1] = a->v[2] = -1;
}

void
pgtls__python_version(pgtls_clients *c, client_rec *r)
{
	const pgtls_py_version *a = &c->py_here;
	char buf[2400];

	pgtls__project_find(&c->py_cache, r->file, &c->py_here, &c->py_proj, sizeof(c->py_here), read_dir, reset_answer);
	if (a->v[0] < 0)
		return; /* nothing pins it: a fresh install, the newest asyncpg */
	pgtls__client_note_add(r, "asyncpg version: %d.%d.%d (%s)", a->v[0], a->v[1], a->v[2], a->file);
	if (a->v[0] == 0 && a->v[1] < 25 && r->unresolved == NULL)
	{
		snprintf(buf, sizeof(buf),
		         "asyncpg %d.%d.%d (%s) reads TLS settings by rules older than 0.25 (PR #827), which pgtls does "
		         "not emulate",
		         a->v[0], a->v[1], a->v[2], a->file);
		r->unresolved = strdup(buf);
	}
}
