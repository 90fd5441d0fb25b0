/*-------------------------------------------------------------------------
 *
 * read_java.c
 *	  pgjdbc settings given beside the URL, as Java applications give
 *	  them: java.util.Properties passed to DriverManager.getConnection(),
 *	  pgjdbc's PGProperty.X.set(props, v), PGSimpleDataSource /
 *	  PGPoolingDataSource setters, and Spring Boot's
 *	  spring.datasource.hikari.data-source-properties (properties and YAML).
 *
 * IDENTIFICATION
 *	  lib/clients/read_java.c
 *
 * NOTES
 *	  pgjdbc Driver.parseURL(url, defaults): the URL's parameters override
 *	  the Properties given (urlProps = new Properties(defaults)), so a
 *	  property fills only what the URL leaves unset.  BaseDataSource
 *	  setters (setSslMode, setSslRootCert, setSslfactory, setSsl,
 *	  setServerNames, setPortNumbers, setDatabaseName, setUser) are
 *	  PGProperty values by another name; an unset sslmode is prefer, as in
 *	  a URL.  Spring Boot hands data-source-properties to the DataSource
 *	  (HikariConfig.addDataSourceProperty), i.e. as Properties.  A value
 *	  from code (System.getenv("X"), a variable) is kept as ${expr}: the
 *	  record says which setting comes from where, and is unknown.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clients/clients_int.h"
#include "clients/ytree.h"

#define JAVA_MAX_PROPS 32

typedef struct jprops
{
	char key[JAVA_MAX_PROPS][40];
	char val[JAVA_MAX_PROPS][300];
	int n;
	int line; /* the first one's */
} jprops;

/* pgjdbc names for one setting: PGProperty constant, setter, property key */
static const char *const names[][3] = {
    {"SSL_MODE", "setSslMode", "sslmode"},
    {"SSL_MODE", "setSslmode", "sslmode"},
    {"SSL_ROOT_CERT", "setSslRootCert", "sslrootcert"},
    {"SSL_ROOT_CERT", "setSslrootcert", "sslrootcert"},
    {"SSL_FACTORY", "setSslfactory", "sslfactory"},
    {"SSL_FACTORY", "setSslFactory", "sslfactory"},
    {"SSL_HOSTNAME_VERIFIER", "setSslHostnameVerifier", "sslhostnameverifier"},
    {"SSL", "setSsl", "ssl"},
    {"USER", "setUser", "user"},
    {"PG_HOST", "setServerName", "host"},
    {"PG_HOST", "setServerNames", "host"},
    {"PG_PORT", "setPortNumber", "port"},
    {"PG_PORT", "setPortNumbers", "port"},
    {"PG_DBNAME", "setDatabaseName", "dbname"},
};

static void
prop_set(jprops *p, const char *key, const char *val, int line)
{
	for (int i = 0; i < p->n; i++)
		if (strcasecmp(p->key[i], key) == 0)
		{
			snprintf(p->val[i], sizeof(p->val[i]), "%s", val); /* the last one set wins, as in a Properties */
			return;
		}
	if (p->n == JAVA_MAX_PROPS)
		return;
	snprintf(p->key[p->n], sizeof(p->key[0]), "%s", key);
	snprintf(p->val[p->n], sizeof(p->val[0]), "%s", val);
	if (p->n++ == 0)
		p->line = line;
}

/*
 * The argument at P (after '(' or ','): a string literal, true/false, a
 * number, new String[]{"a"} / new int[]{5432} (their first element), or
 * code kept as ${code} (System.getenv("X") as ${X}).  OUT ""; false: none.
 */
static bool
java_arg(const char *p, const char *end, char *out, size_t outlen)
{
	const char *e;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p > 4 && strncmp(p, "new ", 4) == 0 && memchr(p, '{', (size_t)(end - p)))
		p = (const char *)memchr(p, '{', (size_t)(end - p)) + 1; /* an array: its first element */
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p == '"')
	{
		e = memchr(p + 1, '"', (size_t)(end - p - 1));
		if (e == NULL)
			return false;
		snprintf(out, outlen, "%.*s", (int)(e - p - 1), p + 1);
		return true;
	}
	if (end - p > 15 && strncmp(p, "System.getenv(\"", 15) == 0 && (e = memchr(p + 15, '"', (size_t)(end - p - 15))))
	{
		snprintf(out, outlen, "${%.*s}", (int)(e - p - 15), p + 15);
		return true;
	}
	for (e = p; e < end && *e != ')' && *e != ',' && *e != '}' && *e != ';'; e++)
		;
	while (e > p && isspace((unsigned char)e[-1]))
		e--;
	if (e == p)
		return false;
	if (isdigit((unsigned char)*p) || (e - p == 4 && strncmp(p, "true", 4) == 0) ||
	    (e - p == 5 && strncmp(p, "false", 5) == 0))
		snprintf(out, outlen, "%.*s", (int)(e - p), p);
	else
		snprintf(out, outlen, "${%.*s}", (int)(e - p), p); /* code: set where the application runs */
	return true;
}

/* props.setProperty("k", v), props.put("k", v), PGProperty.K.set(props, v) on one line */
static void
line_props(const char *p, const char *end, int lineno, jprops *props, jprops *setters)
{
	static const char *const calls[] = {".setProperty(\"", ".put(\""};
	char val[300];

	for (size_t k = 0; k < 2; k++)
		for (const char *at = p; (at = memmem(at, (size_t)(end - at), calls[k], strlen(calls[k]))) != NULL; at++)
		{
			const char *kb = at + strlen(calls[k]), *ke = memchr(kb, '"', (size_t)(end - kb));
			const char *comma = ke ? memchr(ke, ',', (size_t)(end - ke)) : NULL;
			char key[40];

			if (ke && comma && ke - kb < (long)sizeof(key) && java_arg(comma + 1, end, val, sizeof(val)))
			{
				snprintf(key, sizeof(key), "%.*s", (int)(ke - kb), kb);
				prop_set(props, key, val, lineno);
			}
		}
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
	{
		char pat[64];
		const char *at, *arg;

		snprintf(pat, sizeof(pat), "PGProperty.%s.set(", names[k][0]);
		if ((at = memmem(p, (size_t)(end - p), pat, strlen(pat))) != NULL &&
		    (arg = memchr(at, ',', (size_t)(end - at))) != NULL && java_arg(arg + 1, end, val, sizeof(val)))
			prop_set(props, names[k][2], val, lineno);
		snprintf(pat, sizeof(pat), ".%s(", names[k][1]);
		if ((at = memmem(p, (size_t)(end - p), pat, strlen(pat))) != NULL &&
		    java_arg(at + strlen(pat), end, val, sizeof(val)))
			prop_set(setters, names[k][2], val, lineno);
	}
}

/* Spring Boot: spring.datasource.hikari.data-source-properties.KEY=VALUE (or dataSourceProperties) */
static void
spring_line(const char *p, const char *end, int lineno, jprops *props)
{
	static const char *const prefixes[] = {"spring.datasource.hikari.data-source-properties.",
	                                       "spring.datasource.hikari.dataSourceProperties."};
	char key[40], *val = NULL;

	for (size_t k = 0; k < 2; k++)
		if ((size_t)(end - p) > strlen(prefixes[k]) && strncmp(p, prefixes[k], strlen(prefixes[k])) == 0 &&
		    pgtls__assignment(p + strlen(prefixes[k]), (size_t)(end - p) - strlen(prefixes[k]), key, sizeof(key), &val))
		{
			prop_set(props, key, val, lineno);
			free(val);
			return;
		}
}

static void
spring_yaml(const char *buf, size_t len, jprops *props)
{
	ytree t = {0};
	ynode *root = pgtls__ytree_parse(&t, buf, len);
	const ynode *h = pgtls__yget(pgtls__yget(pgtls__yget(root, "spring"), "datasource"), "hikari");
	const ynode *m = pgtls__yget(h, "data-source-properties");

	if (m == NULL)
		m = pgtls__yget(h, "dataSourceProperties");
	for (int i = 0; m && m->kind == Y_MAP && i + 1 < m->n; i += 2)
		if (pgtls__ystr(m->kids[i]) && pgtls__ystr(m->kids[i + 1]))
			prop_set(props, pgtls__ystr(m->kids[i]), pgtls__ystr(m->kids[i + 1]), m->kids[i]->line);
	pgtls__ytree_free(&t);
}

/* the JDBC URL on LINE of BUF (as found there), or NULL (malloc'd) */
static char *
url_on_line(const char *buf, const char *end, int line)
{
	const char *p = buf, *u, *e;

	for (int l = 1; l < line && p < end; l++)
	{
		p = memchr(p, '\n', (size_t)(end - p));
		p = p ? p + 1 : end;
	}
	e = memchr(p, '\n', (size_t)(end - p));
	e = e ? e : end;
	if ((u = memmem(p, (size_t)(e - p), "jdbc:postgresql:", 16)) == NULL)
		return NULL;
	for (p = u; p < e && !isspace((unsigned char)*p) && *p != '"' && *p != '\'' && *p != '`'; p++)
		;
	return strndup(u, (size_t)(p - u));
}

/* URL with the PROPS it leaves unset (the URL's own parameters win) */
static void
with_props(char *out, size_t outlen, const char *url, const jprops *props)
{
	size_t n = (size_t)snprintf(out, outlen, "%s", url);

	for (int i = 0; i < props->n && n < outlen; i++)
	{
		char probe[64];

		snprintf(probe, sizeof(probe), "%s=", props->key[i]);
		if (pgtls__strcasestr_n(url, strlen(url), probe))
			continue;
		n += (size_t)snprintf(out + n, outlen - n, "%s%s=%s", strchr(out, '?') ? "&" : "?", props->key[i],
		                      props->val[i]);
	}
}

/* the file's pgjdbc URLs read again with PROPS beside them */
static void
merge_urls(pgtls_clients *c, const char *path, const char *buf, size_t len, const jprops *props, int first)
{
	int last = c->nrecs;

	for (int i = first; i < last; i++)
	{
		char *url, merged[4096];
		int line = c->recs[i].line;

		if (strcmp(c->recs[i].kind, "jdbc-url") != 0 || strcmp(c->recs[i].file, path) != 0 ||
		    (url = url_on_line(buf, buf + len, line)) == NULL)
			continue;
		with_props(merged, sizeof(merged), url, props);
		if (strcmp(merged, url) != 0)
		{
			int before;

			pgtls__clients_drop_spec(c, path, url);
			before = c->nrecs;
			pgtls__read_line(c, path, line, merged, strlen(merged), PGTLS_DRIVER_PGJDBC, NULL);
			if (c->nrecs > before)
				pgtls__client_note_add(&c->recs[c->nrecs - 1],
				                       "settings beside the URL from line %d (Properties, DataSource or Spring "
				                       "data-source-properties)",
				                       props->line);
			i--, last--; /* the record moved to the end */
		}
		free(url);
	}
}

/* a PGSimpleDataSource configured by setters: one URL made of them */
static void
datasource(pgtls_clients *c, const char *path, const jprops *s)
{
	const char *host = "localhost", *port = "5432", *db = "";
	jprops rest = {.n = 0};
	char url[2048], merged[4096];

	for (int i = 0; i < s->n; i++)
		if (strcmp(s->key[i], "host") == 0)
			host = s->val[i];
		else if (strcmp(s->key[i], "port") == 0)
			port = s->val[i];
		else if (strcmp(s->key[i], "dbname") == 0)
			db = s->val[i];
		else
			prop_set(&rest, s->key[i], s->val[i], s->line);
	snprintf(url, sizeof(url), "jdbc:postgresql://%s:%s/%s", host, port, db);
	with_props(merged, sizeof(merged), url, &rest);
	int before = c->nrecs;

	pgtls__read_line(c, path, s->line, merged, strlen(merged), PGTLS_DRIVER_PGJDBC, NULL);
	if (c->nrecs > before)
		pgtls__client_note_add(&c->recs[c->nrecs - 1], "a pgjdbc DataSource configured by its setters");
}

bool
pgtls__is_java_source(const char *path)
{
	const char *ext = strrchr(path, '.');

	return ext && (strcmp(ext, ".java") == 0 || strcmp(ext, ".kt") == 0 || strcmp(ext, ".groovy") == 0 ||
	               strcmp(ext, ".scala") == 0);
}

void
pgtls__read_java(pgtls_clients *c, const char *path, const char *buf, size_t len, int first)
{
	jprops props = {.n = 0}, setters = {.n = 0};
	const char *p = buf, *end = buf + len;
	int lineno = 0;
	bool java = pgtls__is_java_source(path);
	const char *ext = strrchr(path, '.');

	if (!java && (ext == NULL || (strcmp(ext, ".properties") != 0 && !pgtls__is_yaml(path))))
		return; /* Spring's application*.properties and application*.yml */
	if (!java && !memmem(buf, len, "ata-source-properties", 21) && !memmem(buf, len, "ataSourceProperties", 19))
		return;
	if (java && !memmem(buf, len, "postgresql", 10) && !memmem(buf, len, "PGProperty", 10) &&
	    !memmem(buf, len, "PGSimpleDataSource", 18) && !memmem(buf, len, "PGPoolingDataSource", 19))
		return;
	while (p < end)
	{
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;

		lineno++;
		if (java)
			line_props(p, e, lineno, &props, &setters);
		else
			spring_line(p, e, lineno, &props);
		p = nl ? nl + 1 : end;
	}
	if (!java && pgtls__is_yaml(path))
		spring_yaml(buf, len, &props);
	if (props.n > 0)
		merge_urls(c, path, buf, len, &props, first);
	if (setters.n > 0 && (memmem(buf, len, "PGSimpleDataSource", 18) || memmem(buf, len, "PGPoolingDataSource", 19) ||
	                      memmem(buf, len, "PGConnectionPoolDataSource", 26)))
		datasource(c, path, &setters);
}
