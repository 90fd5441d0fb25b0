/*-------------------------------------------------------------------------
 *
 * conninfo.c
 *	  Connection-string parsers: libpq conninfo ("key=value ..."),
 *	  postgresql:// URIs, and pgjdbc URLs (jdbc:postgresql://...).
 *
 * IDENTIFICATION
 *	  lib/conninfo/conninfo.c
 *
 * NOTES
 *	  The conninfo and URI parsers follow libpq's fe-connect.c rules
 *	  (quoting, backslash escapes, percent-decoding, IPv6 brackets, host
 *	  lists, "ssl=true" meaning sslmode=require, the same error texts) and
 *	  are checked against PQconninfoParse() in tests/unit/test_conninfo.c.
 *	  Valid keywords come from libpq itself (PQconndefaults()).  Unlike
 *	  PQconninfoParse they run on any bytes found in a scanned file and
 *	  record nothing but key/value pairs; they never print passwords.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "conninfo/conninfo.h"
#include "pgtls_int.h"

#define CI_MAX 8192

/* the keywords the linked libpq knows (PQconndefaults()), asked once per string parsed */
typedef struct known_keywords
{
	PQconninfoOption *defs; /* NULL: cannot tell, every keyword is accepted */
} known_keywords;

static bool
valid_keyword(const known_keywords *kk, const char *k)
{
	if (kk->defs == NULL)
		return true;
	for (const PQconninfoOption *o = kk->defs; o->keyword; o++)
		if (strcmp(o->keyword, k) == 0)
			return true;
	return false;
}

/*
 * As libpq's conninfo_storeval(): requiressl=1 is sslmode=require, any other
 * requiressl value sslmode=prefer.  Returns the keyword to store; *VAL may change.
 */
static const char *
compat_keyword(const char *key, const char **val)
{
	if (strcmp(key, "requiressl") != 0)
		return key;
	*val = (*val)[0] == '1' ? "require" : "prefer";
	return "sslmode";
}

/* values are kept byte for byte, as libpq keeps them (a path may be Latin-1); sanitised only at output */
static bool
kv_set(pgtls_settings *o, const char *k, const char *v)
{
	return pgtls__settings_set(o, k, v);
}

/* ---- key=value ---- */

static pgtls_settings *
parse_kv(const known_keywords *kk, const char *s, pgtls_settings *extra, char *err, size_t errlen)
{
	pgtls_settings *o = pgtls__settings_new();
	char *buf = malloc(strlen(s) + 1);
	const char *p = s;

	if (o == NULL || buf == NULL)
		goto oom;
	for (;;)
	{
		char key[128];
		size_t kl = 0, vl = 0;

		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		while (*p && *p != '=' && !isspace((unsigned char)*p))
		{
			if (kl + 1 < sizeof(key))
				key[kl++] = *p;
			p++;
		}
		key[kl] = '\0';
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '=')
		{
			snprintf(err, errlen, "missing \"=\" after \"%s\" in connection info string", key);
			goto fail;
		}
		p++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\'')
		{
			p++;
			for (;;)
			{
				if (*p == '\0')
				{
					snprintf(err, errlen, "unterminated quoted string in connection info string");
					goto fail;
				}
				if (*p == '\\' && p[1])
				{
					buf[vl++] = p[1];
					p += 2;
					continue;
				}
				if (*p == '\'')
				{
					p++;
					break;
				}
				buf[vl++] = *p++;
			}
		}
		else
		{
			while (*p && !isspace((unsigned char)*p))
			{
				/* as libpq: a backslash escapes the next byte; a trailing one is dropped */
				if (*p == '\\' && *++p == '\0')
					break;
				buf[vl++] = *p++;
			}
		}
		buf[vl] = '\0';
		{
			const char *v = buf;
			const char *k = compat_keyword(key, &v);

			if (!valid_keyword(kk, k) && extra)
			{
				/* lenient: a keyword libpq does not know is kept aside, for the caller to report */
				if (!kv_set(extra, key, v))
					goto oom;
				continue;
			}
			if (!valid_keyword(kk, k))
			{
				snprintf(err, errlen, "invalid connection option \"%s\"", key);
				goto fail;
			}
			if (!kv_set(o, k, v))
				goto oom;
		}
	}
	free(buf);
	return o;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	free(buf);
	pgtls__settings_free(o);
	return NULL;
}

/* ---- URI ---- */

/* percent-decodes [s, s+n) into a malloc'd string, libpq's errors */
static char *
pct_decode(const char *s, size_t n, char *err, size_t errlen)
{
	char *out = malloc(n + 1);
	size_t i, o = 0;

	if (out == NULL)
	{
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++)
	{
		if (s[i] == '%')
		{
			int hi, lo;

			if (i + 2 >= n || !isxdigit((unsigned char)s[i + 1]) || !isxdigit((unsigned char)s[i + 2]))
			{
				snprintf(err, errlen, "invalid percent-encoded token: \"%.*s\"", (int)n, s);
				free(out);
				return NULL;
			}
			hi = isdigit((unsigned char)s[i + 1]) ? s[i + 1] - '0' : (tolower((unsigned char)s[i + 1]) - 'a' + 10);
			lo = isdigit((unsigned char)s[i + 2]) ? s[i + 2] - '0' : (tolower((unsigned char)s[i + 2]) - 'a' + 10);
			if (hi == 0 && lo == 0)
			{
				snprintf(err, errlen, "forbidden value %%00 in percent-encoded value: \"%.*s\"", (int)n, s);
				free(out);
				return NULL;
			}
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		}
		else
			out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
}

static bool
set_decoded(pgtls_settings *o, const char *key, const char *s, size_t n, char *err, size_t errlen)
{
	char *v;
	bool ok;

	if (n == 0)
		return true; /* empty parts are not set */
	v = pct_decode(s, n, err, errlen);
	if (v == NULL)
		return false;
	ok = kv_set(o, key, v);
	free(v);
	if (!ok)
		snprintf(err, errlen, "out of memory");
	return ok;
}

/* one URI query parameter [K, AMP) into O (or, lenient, EXTRA); false with ERR set */
static bool
uri_param(const known_keywords *kk, pgtls_settings *o, pgtls_settings *extra, const char *k, const char *amp, char *err,
          size_t errlen)
{
	const char *eq = NULL;
	char *key, *val;
	bool ok, known;

	for (const char *q = k; q < amp; q++)
		if (*q == '=')
		{
			if (eq)
			{
				snprintf(err, errlen, "extra key/value separator \"=\" in URI query parameter: \"%.*s\"", (int)(eq - k),
				         k);
				return false;
			}
			eq = q;
		}
	if (eq == NULL && extra && amp > k)
	{
		/* lenient: "?ssl" (a flag, as pgjdbc and others read it) kept aside with an empty value */
		char *flag = pct_decode(k, (size_t)(amp - k), err, errlen);

		ok = flag && kv_set(extra, flag, "");
		free(flag);
		return ok;
	}
	if (eq == NULL)
	{
		snprintf(err, errlen, "missing key/value separator \"=\" in URI query parameter: \"%.*s\"", (int)(amp - k), k);
		return false;
	}
	key = pct_decode(k, (size_t)(eq - k), err, errlen);
	if (key == NULL)
		return false;
	val = pct_decode(eq + 1, (size_t)(amp - eq - 1), err, errlen);
	if (val == NULL)
	{
		free(key);
		return false;
	}
	/* JDBC compatibility, as libpq: ssl=true means sslmode=require */
	if (strcmp(key, "ssl") == 0 && strcmp(val, "true") == 0)
	{
		free(key);
		free(val);
		key = strdup("sslmode");
		val = strdup("require");
	}
	if (key && val && strcmp(key, "requiressl") == 0)
	{
		const char *v = val;
		const char *canon = compat_keyword(key, &v);
		char *nk = strdup(canon), *nv = strdup(v);

		free(key);
		free(val);
		key = nk;
		val = nv;
	}
	known = key && val && valid_keyword(kk, key);
	if (key && val && extra && !known)
		ok = kv_set(extra, key, val) || (snprintf(err, errlen, "out of memory"), false);
	else if (!known)
	{
		if (key && val)
			snprintf(err, errlen, "invalid URI query parameter: \"%s\"", key);
		else
			snprintf(err, errlen, "out of memory");
		ok = false;
	}
	else
		ok = kv_set(o, key, val) || (snprintf(err, errlen, "out of memory"), false);
	free(key);
	free(val);
	return ok;
}

/* the query string P (after '?'): k=v&k=v */
static bool
uri_query(const known_keywords *kk, pgtls_settings *o, pgtls_settings *extra, const char *p, char *err, size_t errlen)
{
	while (*p)
	{
		const char *amp = strchr(p, '&');

		if (amp == NULL)
			amp = p + strlen(p);
		if (!uri_param(kk, o, extra, p, amp, err, errlen))
			return false;
		p = *amp ? amp + 1 : amp;
	}
	return true;
}

/* the end of a parse: the host and port lists freed; O when OK, else freed and NULL */
static pgtls_settings *
parsed(pgtls_settings *o, pgtls_strbuf *hosts, pgtls_strbuf *ports, bool ok)
{
	pgtls__sb_free(hosts);
	pgtls__sb_free(ports);
	if (ok)
		return o;
	pgtls__settings_free(o);
	return NULL;
}

/*
 * The host[:port][,host[:port]]... part of URI at *PP into HOSTS and
 * PORTS (comma-separated, as libpq keeps them); *PP moves past it.
 * False with ERR set (libpq's texts).
 */
static bool
uri_hosts(const char *uri, const char **pp, pgtls_strbuf *hosts, pgtls_strbuf *ports, char *err, size_t errlen)
{
	const char *p = *pp;
	int nhosts = 0;

	for (;;)
	{
		const char *h, *he;
		char *hv = NULL, *pv = NULL;

		if (*p == '[')
		{
			h = ++p;
			while (*p && *p != ']')
				p++;
			if (*p == '\0')
			{
				snprintf(err, errlen,
				         "end of string reached when looking for matching \"]\" in IPv6 host address in URI: \"%s\"",
				         uri);
				return false;
			}
			if (p == h)
			{
				snprintf(err, errlen, "IPv6 host address may not be empty in URI: \"%s\"", uri);
				return false;
			}
			he = p++;
			if (*p && *p != ':' && *p != '/' && *p != '?' && *p != ',')
			{
				snprintf(err, errlen,
				         "unexpected character \"%c\" at position %d in URI (expected \":\" or \"/\"): \"%s\"", *p,
				         (int)(p - uri + 1), uri);
				return false;
			}
		}
		else
		{
			h = p;
			while (*p && *p != ':' && *p != '/' && *p != '?' && *p != ',')
				p++;
			he = p;
		}
		if (he > h)
		{
			hv = pct_decode(h, (size_t)(he - h), err, errlen);
			if (hv == NULL)
				return false;
		}
		if (*p == ':')
		{
			const char *ps = ++p;

			while (*p && *p != '/' && *p != '?' && *p != ',')
				p++;
			if (p > ps)
			{
				pv = pct_decode(ps, (size_t)(p - ps), err, errlen);
				if (pv == NULL)
				{
					free(hv);
					return false;
				}
			}
		}
		pgtls__sb_appendf(hosts, "%s%s", nhosts ? "," : "", hv ? hv : "");
		pgtls__sb_appendf(ports, "%s%s", nhosts ? "," : "", pv ? pv : "");
		nhosts++;
		free(hv);
		free(pv);
		if (*p != ',')
			break;
		p++;
	}
	*pp = p;
	return true;
}

static pgtls_settings *
parse_uri(const known_keywords *kk, const char *uri, size_t prefix, pgtls_settings *extra, char *err, size_t errlen)
{
	pgtls_settings *o = pgtls__settings_new();
	const char *start = uri + prefix;
	const char *p = start;
	pgtls_strbuf hosts, ports;

	pgtls__sb_init(&hosts);
	pgtls__sb_init(&ports);
	if (o == NULL)
		goto oom;

	/* userinfo: libpq looks for '@' before the first '/' */
	while (*p && *p != '@' && *p != '/')
		p++;
	if (*p == '@')
	{
		const char *u = start;
		const char *colon = memchr(u, ':', (size_t)(p - u));

		if (!set_decoded(o, "user", u, (size_t)((colon ? colon : p) - u), err, errlen))
			goto fail;
		if (colon && !set_decoded(o, "password", colon + 1, (size_t)(p - colon - 1), err, errlen))
			goto fail;
		start = p + 1;
	}
	p = start;

	/* host[:port][,host[:port]]... */
	if (!uri_hosts(uri, &p, &hosts, &ports, err, errlen))
		goto fail;
	/* as libpq: stored when the list is not empty ("h1,h2:" gives port ",") */
	if (pgtls__sb_str(&hosts)[0] && !kv_set(o, "host", pgtls__sb_str(&hosts)))
		goto oom;
	if (pgtls__sb_str(&ports)[0] && !kv_set(o, "port", pgtls__sb_str(&ports)))
		goto oom;

	if (*p == '/')
	{
		const char *d = ++p;

		while (*p && *p != '?')
			p++;
		if (!set_decoded(o, "dbname", d, (size_t)(p - d), err, errlen))
			goto fail;
	}
	if (*p == '?' && !uri_query(kk, o, extra, p + 1, err, errlen))
		goto fail;
	return parsed(o, &hosts, &ports, true);
oom:
	snprintf(err, errlen, "out of memory");
fail:
	return parsed(o, &hosts, &ports, false);
}

pgtls_settings *
pgtls__conninfo_parse_ex(const char *s, pgtls_settings *extra, char *err, size_t errlen)
{
	known_keywords kk;
	pgtls_settings *o;

	err[0] = '\0';
	if (strlen(s) > CI_MAX)
	{
		snprintf(err, errlen, "connection string longer than %d bytes", CI_MAX);
		return NULL;
	}
	kk.defs = PQconndefaults();
	if (strncmp(s, "postgresql://", 13) == 0)
		o = parse_uri(&kk, s, 13, extra, err, errlen);
	else if (strncmp(s, "postgres://", 11) == 0)
		o = parse_uri(&kk, s, 11, extra, err, errlen);
	else
		o = parse_kv(&kk, s, extra, err, errlen);
	PQconninfoFree(kk.defs);
	return o;
}

pgtls_settings *
pgtls__conninfo_parse(const char *s, char *err, size_t errlen)
{
	return pgtls__conninfo_parse_ex(s, NULL, err, errlen);
}

/* pgjdbc's query string P: k=v&k (a key without '=' has the value ""), percent-decoded */
static bool
jdbc_query(pgtls_settings *o, const char *p, char *err, size_t errlen)
{
	while (*p)
	{
		const char *amp = strchr(p, '&');
		const char *eq;
		char *key, *val;
		bool ok;

		if (amp == NULL)
			amp = p + strlen(p);
		eq = memchr(p, '=', (size_t)(amp - p));
		key = pct_decode(p, (size_t)((eq ? eq : amp) - p), err, errlen);
		if (key == NULL)
			return false;
		val = eq ? pct_decode(eq + 1, (size_t)(amp - eq - 1), err, errlen) : strdup("");
		ok = val && (key[0] == '\0' || kv_set(o, key, val));
		if ((val && !ok) || (val == NULL && eq == NULL))
			snprintf(err, errlen, "out of memory"); /* else pct_decode said why */
		free(key);
		free(val);
		if (!ok)
			return false;
		p = *amp ? amp + 1 : amp;
	}
	return true;
}

/* ---- pgjdbc: jdbc:postgresql://host1:port1,host2/db?k=v&k=v (or jdbc:postgresql:db) ---- */

/* pgjdbc's host1:port1,host2... at *PP (after "//") into HOSTS and PORTS (5432 when absent); false with ERR */
static bool
jdbc_hosts(const char **pp, pgtls_strbuf *hosts, pgtls_strbuf *ports, char *err, size_t errlen)
{
	const char *p = *pp;
	int n = 0;

	for (;;)
	{
		const char *h = p, *he;

		if (*p == '[')
		{
			const char *close = strchr(p, ']');

			if (close == NULL)
			{
				snprintf(err, errlen, "unterminated IPv6 address in pgjdbc URL");
				return false;
			}
			h = p + 1;
			he = close;
			p = close + 1;
		}
		else
		{
			while (*p && *p != ':' && *p != '/' && *p != '?' && *p != ',')
				p++;
			he = p;
		}
		pgtls__sb_appendf(hosts, "%s%.*s", n ? "," : "", (int)(he - h), h);
		if (*p == ':')
		{
			const char *ps = ++p;

			while (isdigit((unsigned char)*p))
				p++;
			if (p == ps || (*p && *p != '/' && *p != '?' && *p != ','))
			{
				snprintf(err, errlen, "invalid port in pgjdbc URL");
				return false;
			}
			pgtls__sb_appendf(ports, "%s%.*s", n ? "," : "", (int)(p - ps), ps);
		}
		else
			pgtls__sb_appendf(ports, "%s5432", n ? "," : "");
		n++;
		if (*p != ',')
			break;
		p++;
	}
	*pp = p;
	return true;
}

pgtls_settings *
pgtls__jdbc_parse(const char *s, char *err, size_t errlen)
{
	static const char pfx[] = "jdbc:postgresql:";
	pgtls_settings *o;
	const char *p;
	pgtls_strbuf hosts, ports;

	err[0] = '\0';
	if (strncmp(s, pfx, sizeof(pfx) - 1) != 0)
	{
		snprintf(err, errlen, "not a pgjdbc URL (expected \"jdbc:postgresql:\")");
		return NULL;
	}
	if (strlen(s) > CI_MAX)
	{
		snprintf(err, errlen, "URL longer than %d bytes", CI_MAX);
		return NULL;
	}
	o = pgtls__settings_new();
	if (o == NULL)
		return NULL;
	pgtls__sb_init(&hosts);
	pgtls__sb_init(&ports);
	p = s + sizeof(pfx) - 1;
	if (strncmp(p, "//", 2) == 0)
	{
		p += 2;
		if (!jdbc_hosts(&p, &hosts, &ports, err, errlen))
			goto fail;
		if (*p == '/')
			p++;
		else if (*p && *p != '?')
		{
			snprintf(err, errlen, "unexpected character \"%c\" in pgjdbc URL", *p);
			goto fail;
		}
	}
	else
	{
		pgtls__sb_appendf(&hosts, "localhost");
		pgtls__sb_appendf(&ports, "5432");
	}
	if (!kv_set(o, "host", pgtls__sb_str(&hosts)) || !kv_set(o, "port", pgtls__sb_str(&ports)))
		goto oom;
	{
		const char *d = p;

		while (*p && *p != '?')
			p++;
		if (!set_decoded(o, "dbname", d, (size_t)(p - d), err, errlen))
			goto fail;
	}
	if (*p == '?')
		p++;
	if (!jdbc_query(o, p, err, errlen))
		goto fail;
	return parsed(o, &hosts, &ports, true);
oom:
	snprintf(err, errlen, "out of memory");
fail:
	return parsed(o, &hosts, &ports, false);
}
