/*-------------------------------------------------------------------------
 *
 * lit.c
 *	  A small bounded reader of literals in Python and JavaScript source:
 *	  strings (adjacent ones joined; f-strings and templates with ${} are
 *	  expressions), numbers, True/False/None or true/false/null/undefined,
 *	  dict and object literals (JS bare keys), and environment defaults
 *	  (os.environ.get('X', 'd'), process.env.X || 'd').  Anything else is an
 *	  expression whose text is kept: {"$expr": text}.
 *
 * IDENTIFICATION
 *	  lib/clients/lit.c
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

void
pgtls__lit_skip_space(lit_lex *lx)
{
	while (lx->p < lx->end)
	{
		if (isspace((unsigned char)*lx->p) || *lx->p == '\\')
			lx->p++;
		else if ((*lx->p == '#' && !lx->js) || (lx->js && lx->end - lx->p >= 2 && lx->p[0] == '/' && lx->p[1] == '/'))
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
		else if (lx->js && lx->end - lx->p >= 2 && lx->p[0] == '/' && lx->p[1] == '*')
		{
			const char *close = memmem(lx->p + 2, (size_t)(lx->end - lx->p - 2), "*/", 2);

			lx->p = close ? close + 2 : lx->end;
		}
		else
			break;
	}
}

/* a string literal at lx->p (with r/b/u/f prefixes); its value appended to OUT; false if not one */
bool
pgtls__lit_string(lit_lex *lx, pgtls_strbuf *out, bool *fstring)
{
	const char *q = lx->p;
	char quote;
	bool triple, raw = false;

	while (!lx->js && q < lx->end && strchr("rRbBuUfF", *q) && q - lx->p < 2)
	{
		raw = raw || *q == 'r' || *q == 'R';
		*fstring = *fstring || *q == 'f' || *q == 'F';
		q++;
	}
	if (q >= lx->end || (*q != '\'' && *q != '"' && !(lx->js && *q == '`')))
		return false;
	quote = *q;
	if (quote == '`' && memchr(q, '$', (size_t)(lx->end - q)))
		*fstring = true; /* a template literal may hold ${...}: judged as an expression below if it does */
	triple = lx->end - q >= 3 && q[1] == quote && q[2] == quote;
	q += triple ? 3 : 1;
	while (q < lx->end)
	{
		if (*q == '\\' && !raw && q + 1 < lx->end)
		{
			pgtls__sb_append_mem(out, q + 1, 1);
			q += 2;
			continue;
		}
		if (*q == quote && (!triple || (lx->end - q >= 3 && q[1] == quote && q[2] == quote)))
		{
			lx->p = q + (triple ? 3 : 1);
			return true;
		}
		if (*q == '\n' && !triple)
			break;
		pgtls__sb_append_mem(out, q, 1);
		q++;
	}
	lx->p = lx->end; /* unterminated: nothing more to read */
	return false;
}

/* skips one balanced expression up to ',' ')' '}' ']' ':' at depth 0 */
void
pgtls__lit_skip_expr(lit_lex *lx)
{
	int depth = 0;

	while (lx->p < lx->end)
	{
		pgtls_strbuf junk;
		bool f = false;

		pgtls__lit_skip_space(lx);
		if (lx->p >= lx->end)
			return;
		if (depth == 0 && strchr(",)}]:", *lx->p))
			return;
		pgtls__sb_init(&junk);
		if (pgtls__lit_string(lx, &junk, &f))
		{
			pgtls__sb_free(&junk);
			continue;
		}
		pgtls__sb_free(&junk);
		if (strchr("([{", *lx->p))
			depth++;
		else if (strchr(")]}", *lx->p))
			depth--;
		lx->p++;
	}
}

/* os.path.join(BASE_DIR, 'a', 'b') or BASE_DIR / 'a' / 'b' with a known BASE_DIR: the path, else NULL */
static char *
base_dir_path(const lit_lex *lx, const char *b, const char *e)
{
	pgtls_strbuf out;
	lit_lex sub = {b, e, lx->buf, lx->base_dir, lx->js};
	char *r;

	if (lx->base_dir == NULL || memmem(b, (size_t)(e - b), "BASE_DIR", 8) == NULL)
		return NULL;
	pgtls__sb_init(&out);
	pgtls__sb_appendf(&out, "%s", lx->base_dir);
	while (sub.p < sub.end)
	{
		pgtls_strbuf part;
		bool f = false;

		pgtls__sb_init(&part);
		if (pgtls__lit_string(&sub, &part, &f))
			pgtls__sb_appendf(&out, "/%s", pgtls__sb_str(&part));
		else
			sub.p++;
		pgtls__sb_free(&part);
	}
	r = out.oom ? NULL : strdup(pgtls__sb_str(&out));
	pgtls__sb_free(&out);
	return r;
}

/* os.environ.get('NAME', 'default') / os.getenv('NAME', 'default'): {"$expr": text, "$default": default, "$name": NAME} */
/* process.env.NAME || 'default' (or ??): {"$expr": text, "$default": default, "$name": NAME} */
static json_t *
js_env_default(const char *b, size_t n)
{
	const char *e = b + n, *op, *name = b + 12;
	lit_lex lx = {b, e, b, NULL, true};
	pgtls_strbuf def;
	bool f = false;
	json_t *v = NULL;

	if (n < 16 || strncmp(b, "process.env.", 12) != 0)
		return NULL;
	op = name;
	while (op < e && (isalnum((unsigned char)*op) || *op == '_'))
		op++;
	lx.p = op;
	pgtls__lit_skip_space(&lx);
	if (lx.end - lx.p < 2 || !((lx.p[0] == '|' && lx.p[1] == '|') || (lx.p[0] == '?' && lx.p[1] == '?')))
		return NULL;
	lx.p += 2;
	pgtls__lit_skip_space(&lx);
	pgtls__sb_init(&def);
	if (pgtls__lit_string(&lx, &def, &f) && !f)
		v = json_pack("{s:s%,s:s,s:s%}", "$expr", b, n > 120 ? (size_t)120 : n, "$default", pgtls__sb_str(&def),
		              "$name", name, (size_t)(op - name));
	pgtls__sb_free(&def);
	return v;
}

static json_t *
env_default(const char *b, size_t n)
{
	static const char *const fns[] = {"os.environ.get(", "os.getenv(", "environ.get(", "getenv("};
	lit_lex lx = {b, b + n, b, NULL, false};

	for (size_t k = 0; k < sizeof(fns) / sizeof(fns[0]); k++)
	{
		size_t l = strlen(fns[k]);
		pgtls_strbuf name, def;
		bool f = false;
		json_t *v = NULL;

		if (n <= l || strncmp(b, fns[k], l) != 0 || b[n - 1] != ')')
			continue;
		lx.p = b + l;
		pgtls__sb_init(&name);
		pgtls__sb_init(&def);
		if (pgtls__lit_string(&lx, &name, &f) && (pgtls__lit_skip_space(&lx), lx.p < lx.end && *lx.p == ',') &&
		    (lx.p++, pgtls__lit_skip_space(&lx), pgtls__lit_string(&lx, &def, &f)) && !f)
			v = json_pack("{s:s%,s:s,s:s}", "$expr", b, n > 120 ? (size_t)120 : n, "$default", pgtls__sb_str(&def),
			              "$name", pgtls__sb_str(&name));
		pgtls__sb_free(&name);
		pgtls__sb_free(&def);
		return v;
	}
	return NULL;
}

/* one value: a json string/true/false/null/object, or {"$expr": text} */
json_t *
pgtls__lit_value(lit_lex *lx, int depth)
{
	pgtls_strbuf s;
	bool fstring = false, any = false;
	const char *start;

	pgtls__lit_skip_space(lx);
	start = lx->p;
	if (lx->p < lx->end && *lx->p == '{' && depth < LIT_MAX_DEPTH)
	{
		lx->p++;
		return pgtls__lit_dict(lx, depth + 1);
	}
	pgtls__sb_init(&s);
	while (pgtls__lit_string(lx, &s, &fstring)) /* adjacent literals are one string */
	{
		any = true;
		pgtls__lit_skip_space(lx);
	}
	if (any && !fstring && lx->p < lx->end && strchr(",)}]:", *lx->p))
	{
		json_t *v = json_stringn_nocheck(pgtls__sb_str(&s), s.len);

		pgtls__sb_free(&s);
		return v;
	}
	pgtls__sb_free(&s);
	lx->p = start;
	pgtls__lit_skip_expr(lx);
	{
		size_t n = (size_t)(lx->p - start);
		char *path = base_dir_path(lx, start, lx->p);
		json_t *v;

		while (n > 0 && isspace((unsigned char)start[n - 1]))
			n--;
		if (path)
			v = json_string(path);
		else if ((v = lx->js ? js_env_default(start, n) : env_default(start, n)) != NULL)
			;
		else if (n == 4 && memcmp(start, lx->js ? "true" : "True", 4) == 0)
			v = json_true();
		else if (n == 5 && memcmp(start, lx->js ? "false" : "False", 5) == 0)
			v = json_false();
		else if ((n == 4 && memcmp(start, lx->js ? "null" : "None", 4) == 0) ||
		         (lx->js && n == 9 && memcmp(start, "undefined", 9) == 0))
			v = json_null();
		else if (n > 0 && strspn(start, "0123456789") == n)
			v = json_stringn_nocheck(start, n);
		else
			v = json_pack("{s:s%}", "$expr", start, n > 120 ? (size_t)120 : n);
		free(path);
		return v;
	}
}

/* a dict literal after '{': string keys only; others skipped */
json_t *
pgtls__lit_dict(lit_lex *lx, int depth)
{
	json_t *o = json_object();

	while (o && lx->p < lx->end)
	{
		pgtls_strbuf key;
		bool f = false, ok;

		pgtls__lit_skip_space(lx);
		if (lx->p < lx->end && *lx->p == '}')
		{
			lx->p++;
			return o;
		}
		pgtls__sb_init(&key);
		if (lx->js && lx->p < lx->end && (isalpha((unsigned char)*lx->p) || *lx->p == '_' || *lx->p == '$'))
		{
			/* a JS object's bare key */
			const char *k = lx->p;

			while (lx->p < lx->end && (isalnum((unsigned char)*lx->p) || *lx->p == '_' || *lx->p == '$'))
				lx->p++;
			pgtls__sb_append_mem(&key, k, (size_t)(lx->p - k));
			ok = true;
		}
		else
			ok = pgtls__lit_string(lx, &key, &f);
		if (ok)
		{
			pgtls__lit_skip_space(lx);
			if (lx->p < lx->end && *lx->p == ':')
			{
				json_t *v;

				lx->p++;
				v = pgtls__lit_value(lx, depth);
				if (v)
					json_object_set_new(o, pgtls__sb_str(&key), v);
			}
		}
		else
			pgtls__lit_skip_expr(lx);
		pgtls__sb_free(&key);
		pgtls__lit_skip_space(lx);
		if (lx->p < lx->end && *lx->p == ',')
			lx->p++;
		else if (lx->p < lx->end && *lx->p != '}')
			lx->p++; /* something unexpected: move on */
	}
	return o;
}

const char *
pgtls__lit_expr(json_t *v)
{
	return json_is_object(v) ? json_string_value(json_object_get(v, "$expr")) : NULL;
}

const char *
pgtls__lit_env_default(json_t *v, const char *key, const char *via, char *note, size_t notelen)
{
	const char *def = json_is_object(v) ? json_string_value(json_object_get(v, "$default")) : NULL;
	size_t used = strlen(note);

	if (def)
		snprintf(note + used, notelen - used, "%s%s from %s%s when set, else \"%s\"", used ? "; " : "", key, via,
		         json_string_value(json_object_get(v, "$name")), def);
	return def;
}
