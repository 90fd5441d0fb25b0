/*-------------------------------------------------------------------------
 *
 * settings.c
 *	  The typed connection settings: libpq's keywords as fields, filled
 *	  through one keyword table; keys libpq does not know kept apart.
 *
 * IDENTIFICATION
 *	  lib/conninfo/settings.c
 *
 * NOTES
 *	  As libpq's PQconninfoOptions[] with offsetof and fillPGconn(): the
 *	  table is the only place that names a keyword's field and variable.
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conninfo/conninfo.h"

static const pgtls_kwdef keywords[] = {
#define PGTLS_KW_ROW(f, env, flags) {#f, env, offsetof(pgtls_settings, f), flags},
    PGTLS_SETTINGS_KEYWORDS(PGTLS_KW_ROW)
#undef PGTLS_KW_ROW
};

#define NKEYWORDS (sizeof(keywords) / sizeof(keywords[0]))

const pgtls_kwdef *
pgtls__settings_keywords(size_t *n)
{
	*n = NKEYWORDS;
	return keywords;
}

static char **
field(const pgtls_settings *s, size_t i)
{
	return (char **)((char *)(uintptr_t)s + keywords[i].offset);
}

static int
keyword_index(const char *key)
{
	for (size_t i = 0; i < NKEYWORDS; i++)
		if (strcmp(keywords[i].keyword, key) == 0)
			return (int)i;
	return -1;
}

static long
extra_index(const pgtls_settings *s, const char *key)
{
	for (size_t i = 0; i < s->nextra; i++)
		if (strcmp(s->extra[i].key, key) == 0)
			return (long)i;
	return -1;
}

pgtls_settings *
pgtls__settings_new(void)
{
	return calloc(1, sizeof(pgtls_settings));
}

void
pgtls__settings_free(pgtls_settings *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < NKEYWORDS; i++)
		free(*field(s, i));
	for (size_t i = 0; i < s->nextra; i++)
	{
		free(s->extra[i].key);
		free(s->extra[i].val);
	}
	free(s->extra);
	free(s);
}

pgtls_settings *
pgtls__settings_dup(const pgtls_settings *s)
{
	pgtls_settings *d = pgtls__settings_new();

	if (d && s && !pgtls__settings_merge(d, s, true, NULL))
	{
		pgtls__settings_free(d);
		return NULL;
	}
	return d;
}

static char *
dupn(const char *v, size_t n)
{
	char *c = malloc(n + 1);

	if (c)
	{
		memcpy(c, v, n);
		c[n] = '\0';
	}
	return c;
}

bool
pgtls__settings_setn(pgtls_settings *s, const char *key, const char *val, size_t n)
{
	int k = keyword_index(key);
	char *v = dupn(val, n);
	long e;

	if (v == NULL)
		return false;
	if (k >= 0)
	{
		free(*field(s, (size_t)k));
		*field(s, (size_t)k) = v;
		return true;
	}
	e = extra_index(s, key);
	if (e >= 0)
	{
		free(s->extra[e].val);
		s->extra[e].val = v;
		return true;
	}
	if (s->nextra == s->capextra)
	{
		size_t cap = s->capextra ? s->capextra * 2 : 8;
		pgtls_kv *grown = realloc(s->extra, cap * sizeof(*grown));

		if (grown == NULL)
		{
			free(v);
			return false;
		}
		s->extra = grown;
		s->capextra = cap;
	}
	s->extra[s->nextra].key = strdup(key);
	if (s->extra[s->nextra].key == NULL)
	{
		free(v);
		return false;
	}
	s->extra[s->nextra++].val = v;
	return true;
}

bool
pgtls__settings_set(pgtls_settings *s, const char *key, const char *val)
{
	return pgtls__settings_setn(s, key, val, strlen(val));
}

bool
pgtls__settings_setf(pgtls_settings *s, const char *key, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *v;
	bool ok;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (v = malloc((size_t)n + 1)) == NULL)
		return false;
	va_start(ap, fmt);
	vsnprintf(v, (size_t)n + 1, fmt, ap);
	va_end(ap);
	ok = pgtls__settings_setn(s, key, v, (size_t)n);
	free(v);
	return ok;
}

const char *
pgtls__settings_value(const pgtls_settings *s, const char *key)
{
	int k;

	if (s == NULL || key == NULL)
		return NULL;
	k = keyword_index(key);
	return k >= 0 ? *field(s, (size_t)k) : pgtls__settings_extra(s, key);
}

const char *
pgtls__settings_extra(const pgtls_settings *s, const char *key)
{
	long e = s ? extra_index(s, key) : -1;

	return e >= 0 ? s->extra[e].val : NULL;
}

void
pgtls__settings_unset(pgtls_settings *s, const char *key)
{
	int k = keyword_index(key);
	long e;

	if (k >= 0)
	{
		free(*field(s, (size_t)k));
		*field(s, (size_t)k) = NULL;
		return;
	}
	e = extra_index(s, key);
	if (e < 0)
		return;
	free(s->extra[e].key);
	free(s->extra[e].val);
	memmove(&s->extra[e], &s->extra[e + 1], (s->nextra - (size_t)e - 1) * sizeof(s->extra[0]));
	s->nextra--;
}

size_t
pgtls__settings_count(const pgtls_settings *s)
{
	size_t n = 0;

	if (s == NULL)
		return 0;
	for (size_t i = 0; i < NKEYWORDS; i++)
		n += *field(s, i) != NULL;
	return n + s->nextra;
}

bool
pgtls__settings_nth(const pgtls_settings *s, size_t i, const char **key, const char **val)
{
	if (s == NULL)
		return false;
	for (size_t k = 0; k < NKEYWORDS; k++)
		if (*field(s, k) != NULL && i-- == 0)
		{
			*key = keywords[k].keyword;
			*val = *field(s, k);
			return true;
		}
	if (i >= s->nextra)
		return false;
	*key = s->extra[i].key;
	*val = s->extra[i].val;
	return true;
}

bool
pgtls__settings_merge(pgtls_settings *dst, const pgtls_settings *src, bool overwrite, bool (*skip)(const char *key))
{
	const char *k, *v;

	for (size_t i = 0; pgtls__settings_nth(src, i, &k, &v); i++)
	{
		if ((skip && skip(k)) || (!overwrite && pgtls__settings_value(dst, k) != NULL))
			continue;
		if (!pgtls__settings_set(dst, k, v))
			return false;
	}
	return true;
}

bool
pgtls__settings_is_keyword(const char *key)
{
	return keyword_index(key) >= 0;
}

const char *
pgtls__settings_env_keyword(const char *var)
{
	for (size_t i = 0; var && i < NKEYWORDS; i++)
		if ((keywords[i].flags & PGTLS_KW_CLIENT_ENV) && strcmp(keywords[i].envvar, var) == 0)
			return keywords[i].keyword;
	return NULL;
}