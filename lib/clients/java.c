/*-------------------------------------------------------------------------
 *
 * java.c
 *	  pgjdbc: which version a Java project builds with (gradle.lockfile,
 *	  pom.xml, build.gradle[.kts], gradle/libs.versions.toml), and how a
 *	  version before 42.2.5 reads the TLS settings found.
 *
 * IDENTIFICATION
 *	  lib/clients/java.c
 *
 * NOTES
 *	  pgjdbc CHANGELOG 42.2.5 (2018-08-27, commit cdeeaca4): "ssl=true
 *	  implies sslmode=verify-full", "support for sslmode=allow/prefer/
 *	  require", and CVE-2018-10936 (no host name check with a non-default
 *	  SSL factory).  Before it (42.2.4 core/v3/ConnectionFactoryImpl.java
 *	  openConnectionImpl, ssl/MakeSSL.java convert, ssl/jdbc4/
 *	  LibPQFactory.java):
 *	  - TLS is asked for only when sslmode is set (not disable) or ssl is
 *	    true / present without a value: otherwise no TLS at all;
 *	  - sslmode other than disable, require, verify-ca, verify-full
 *	    (compared case-sensitively) throws "Invalid sslmode value";
 *	  - no sslfactory and no sslmode: the JVM's default SSLSocketFactory,
 *	    which checks the chain against the JVM trust store; the host name
 *	    is not checked;
 *	  - sslmode set, no sslfactory: LibPQFactory; require verifies nothing,
 *	    verify-ca/verify-full read sslrootcert or ~/.postgresql/root.crt;
 *	  - the host name is checked only in verify-full with LibPQFactory, or
 *	    by an sslhostnameverifier.
 *	  pom.xml is read with libxml2 (no network, no entity substitution).
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "clients/clients_int.h"

#define MAX_BUILD_FILE (8 * 1024 * 1024)
#define COORD "org.postgresql:postgresql:"

/* the text from P up to the quote Q (same line), or NULL */
static const char *
quoted_end(const char *p, const char *end, char q)
{
	for (; p < end && *p != '\n'; p++)
		if (*p == q)
			return p;
	return NULL;
}

/*
 * In BUF, the value of `NAME = "X"` / `NAME = 'X'` / `NAME=X` (Gradle
 * ext/val/def, gradle.properties, a TOML [versions] table), copied to OUT.
 */
static bool
lookup_name(const char *buf, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);
	const char *bend = buf + strlen(buf);

	for (const char *p = buf; nl > 0 && (p = strstr(p, name)) != NULL; p += nl)
	{
		const char *q = p + nl, *e;
		size_t len;

		if (p > buf &&
		    (p[-1] == '_' || p[-1] == '.' || (p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= 'A' && p[-1] <= 'Z')))
			continue;
		while (*q == ' ' || *q == '\t' || *q == '"' || *q == '\'' || *q == ']' || *q == ')')
			q++;
		if (*q != '=')
			continue;
		for (q++; *q == ' ' || *q == '\t'; q++)
			;
		if (*q == '"' || *q == '\'')
		{
			e = quoted_end(q + 1, bend, *q);
			q++;
		}
		else
			e = q + strcspn(q, " \t\r\n");
		if (e == NULL || e == q || (size_t)(e - q) >= outlen)
			continue;
		len = (size_t)(e - q);
		memcpy(out, q, len);
		out[len] = '\0';
		return true;
	}
	return false;
}

/* a Gradle "$name" / "${name}" / version.ref name: its value from BUF, then from PROPS (gradle.properties) */
static bool
resolve_gradle(const char *buf, const char *props, const char *ref, size_t n, int ver[3])
{
	char name[128], val[64];
	size_t k = 0;

	for (size_t i = 0; i < n && k + 1 < sizeof(name); i++)
		if (ref[i] != '$' && ref[i] != '{' && ref[i] != '}')
			name[k++] = ref[i];
	name[k] = '\0';
	if (lookup_name(buf, name, val, sizeof(val)) || (props && lookup_name(props, name, val, sizeof(val))))
		return pgtls__version_parse(val, strlen(val), ver);
	return false;
}

/* the first quote from P before END, or NULL */
static const char *
quote_on_line(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p == '"' || *p == '\'')
			return p;
	return NULL;
}

/* the artifact "postgresql" on the line from P: quoted whole, or after "org.postgresql:" (not r2dbc-postgresql) */
static bool
artifact_on_line(const char *p, const char *line_end)
{
	for (const char *a = p; (a = strstr(a, "postgresql")) != NULL && a + 10 <= line_end; a += 10)
		if ((a[-1] == '\'' || a[-1] == '"' || a[-1] == ':') && (a[10] == '\'' || a[10] == '"'))
			return true;
	return false;
}

/*
 * build.gradle, build.gradle.kts, libs.versions.toml, gradle.lockfile:
 * "org.postgresql:postgresql:V" (V may be $name), Groovy's map notation
 * (group: 'org.postgresql', name: 'postgresql', version: 'V'), a version
 * catalog's module = "org.postgresql:postgresql" with version(.ref).
 * 1: a version read; 0: pgjdbc named without one; -1: not named.
 */
static int
read_gradle(const char *buf, size_t n, const char *props, int ver[3])
{
	const char *end = buf + n, *p;
	int named = -1, mentions = 0;

	/* every search below stays on the line; a build file names pgjdbc a few times: at most 64 are read */
	for (p = buf; mentions++ < 64 && (p = strstr(p, "org.postgresql")) != NULL; p++)
	{
		const char *line_end = memchr(p, '\n', (size_t)(end - p)), *v, *e;

		line_end = line_end ? line_end : end;
		if (strncmp(p, COORD, strlen(COORD)) == 0)
		{
			v = p + strlen(COORD);
			e = v + strcspn(v, "\"'=@ \t\r\n");
			named = 0;
			if (*v == '$' ? resolve_gradle(buf, props, v, (size_t)(e - v), ver)
			              : pgtls__version_parse(v, (size_t)(e - v), ver))
				return 1;
			continue;
		}
		/* group: 'org.postgresql', name: 'postgresql', version: 'V'; module = "org.postgresql:postgresql" */
		if (!artifact_on_line(p + 14, line_end))
			continue;
		named = 0;
		if ((v = memmem(p, (size_t)(line_end - p), "version", 7)) == NULL)
			continue;
		if (strncmp(v, "version.ref", 11) == 0 || strncmp(v, "version = { ref", 15) == 0)
		{
			char ref[128];
			const char *q = quote_on_line(v, line_end);

			e = q ? quoted_end(q + 1, line_end, *q) : NULL;
			if (e && (size_t)(e - q - 1) < sizeof(ref))
			{
				memcpy(ref, q + 1, (size_t)(e - q - 1));
				ref[e - q - 1] = '\0';
				if (resolve_gradle(buf, props, ref, strlen(ref), ver))
					return 1;
			}
			continue;
		}
		v = quote_on_line(v, line_end);
		e = v ? quoted_end(v + 1, line_end, *v) : NULL;
		if (e && (v[1] == '$' ? resolve_gradle(buf, props, v + 1, (size_t)(e - v - 1), ver)
		                      : pgtls__version_parse(v + 1, (size_t)(e - v - 1), ver)))
			return 1;
	}
	return named;
}

/* the text of the child element NAME of NODE, or NULL (owned by libxml2: xmlFree) */
static xmlChar *
child_text(xmlNode *node, const char *name)
{
	for (xmlNode *k = node->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE && xmlStrcmp(k->name, (const xmlChar *)name) == 0)
			return xmlNodeGetContent(k);
	return NULL;
}

/* ${NAME} from the project's <properties> */
static bool
pom_property(xmlNode *project, const char *ref, int ver[3])
{
	char name[128];
	size_t n = strlen(ref);

	if (n < 4 || n - 3 >= sizeof(name) || strncmp(ref, "${", 2) || ref[n - 1] != '}')
		return false;
	memcpy(name, ref + 2, n - 3);
	name[n - 3] = '\0';
	for (xmlNode *k = project->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE && xmlStrcmp(k->name, (const xmlChar *)"properties") == 0)
		{
			xmlChar *v = child_text(k, name);
			bool ok = v && pgtls__version_parse((const char *)v, strlen((const char *)v), ver);

			xmlFree(v);
			return ok;
		}
	return false;
}

/* every <dependency> below NODE (dependencies and dependencyManagement alike) */
static int
pom_walk(xmlNode *project, xmlNode *node, int ver[3], int depth)
{
	int named = -1;

	for (xmlNode *k = node; k && depth < 64; k = k->next)
	{
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcmp(k->name, (const xmlChar *)"dependency") == 0)
		{
			xmlChar *g = child_text(k, "groupId"), *a = child_text(k, "artifactId"), *v;
			/* org.postgresql, or the "postgresql" group of the releases before 2013 */
			bool ours = g && a && xmlStrcmp(a, (const xmlChar *)"postgresql") == 0 &&
			            (xmlStrcmp(g, (const xmlChar *)"org.postgresql") == 0 ||
			             xmlStrcmp(g, (const xmlChar *)"postgresql") == 0);

			xmlFree(g);
			xmlFree(a);
			if (!ours)
				continue;
			named = 0;
			v = child_text(k, "version");
			if (v && (v[0] == '$' ? pom_property(project, (const char *)v, ver)
			                      : pgtls__version_parse((const char *)v, strlen((const char *)v), ver)))
			{
				xmlFree(v);
				return 1;
			}
			xmlFree(v);
			continue;
		}
		{
			int r = pom_walk(project, k->children, ver, depth + 1);

			if (r == 1)
				return 1;
			if (r == 0)
				named = 0;
		}
	}
	return named;
}

static int
read_pom(const char *buf, size_t n, int ver[3])
{
	xmlDoc *doc;
	int r = -1;

	if (n > (size_t)MAX_BUILD_FILE)
		return -1;
	doc = xmlReadMemory(buf, (int)n, "pom.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL)
		return -2;
	if (xmlDocGetRootElement(doc))
		r = pom_walk(xmlDocGetRootElement(doc), xmlDocGetRootElement(doc), ver, 0);
	/* a version left to Spring Boot's dependency management, which reads the postgresql.version property */
	if (r == 0 && pom_property(xmlDocGetRootElement(doc), "${postgresql.version}", ver))
		r = 1;
	xmlFreeDoc(doc);
	return r;
}

int
pgtls__java_build_parse(int kind, const char *buf, size_t n, const char *props, int ver[3])
{
	int r;

	ver[0] = ver[1] = ver[2] = -1;
	if (kind == PGTLS_JAVA_POM)
		return read_pom(buf, n, ver);
	r = read_gradle(buf, n, props, ver);
	/* Spring's dependency-management plugin: ext['postgresql.version'] or gradle.properties postgresql.version */
	if (r == 0 && resolve_gradle(buf, props, "postgresql.version", strlen("postgresql.version"), ver))
		r = 1;
	return r;
}

/*
 * The build files of DIR, the resolved one first.  1: a version read
 * (ANS set); 0: pgjdbc named without a version (managed by a parent or a
 * BOM: look further up); -1: DIR names no pgjdbc.
 */
static int
read_dir(const char *dir, pgtls_java_version *ans)
{
	static const struct
	{
		const char *file;
		int kind;
	} files[] = {{"gradle.lockfile", PGTLS_JAVA_GRADLE},
	             {"pom.xml", PGTLS_JAVA_POM},
	             {"build.gradle.kts", PGTLS_JAVA_GRADLE},
	             {"build.gradle", PGTLS_JAVA_GRADLE},
	             {"gradle/libs.versions.toml", PGTLS_JAVA_GRADLE}};
	char path[1100];
	size_t pn = 0;
	char *props;
	int named = -1;

	snprintf(path, sizeof(path), "%s/gradle.properties", dir);
	props = pgtls__read_small_file(path, MAX_BUILD_FILE, &pn);
	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++)
	{
		size_t n = 0;
		char *buf;
		int r;

		snprintf(path, sizeof(path), "%s/%s", dir, files[k].file);
		if ((buf = pgtls__read_small_file(path, MAX_BUILD_FILE, &n)) == NULL)
			continue;
		r = pgtls__java_build_parse(files[k].kind, buf, n, props, ans->v);
		free(buf);
		if (r == 1)
		{
			snprintf(ans->file, sizeof(ans->file), "%s", path);
			free(props);
			return 1;
		}
		if (r == 0 && named < 0)
		{
			named = 0;
			snprintf(ans->managed_by, sizeof(ans->managed_by), "%s", path);
		}
		if (r == -2 && ans->unreadable[0] == '\0')
			snprintf(ans->unreadable, sizeof(ans->unreadable), "%s", path);
	}
	free(props);
	return named;
}

static bool
read_dir_answer(const char *dir, void *ans)
{
	return read_dir(dir, ans) == 1;
}

static void
reset_answer(void *ans)
{
	pgtls_java_version *a = ans;

	memset(a, 0, sizeof(*a));
	a->v[0] = a->v[1] = a->v[2] = -1;
}

static bool
before_42_2_5(const int v[3])
{
	return v[0] >= 0 && (v[0] < 42 || (v[0] == 42 && (v[1] < 2 || (v[1] == 2 && v[2] < 5))));
}

void
pgtls__java_version(pgtls_clients *c, client_rec *r)
{
	const pgtls_java_version *a = &c->java_here;

	/* the nearest build file above R's file that names a version */
	pgtls__project_find(&c->java_cache, r->file, &c->java_here, &c->java_proj, sizeof(c->java_here), read_dir_answer,
	                    reset_answer);
	if (a->v[0] >= 0)
		pgtls__client_note_add(r, "pgjdbc version: %d.%d.%d (%s)", a->v[0], a->v[1], a->v[2], a->file);
	else if (a->unreadable[0])
		pgtls__client_note_add(r,
		                       "pgjdbc version: %s is not well-formed XML (or beyond libxml2's limits), not read: "
		                       "judged as 42.2.5 or later",
		                       a->unreadable);
	else if (a->managed_by[0])
		pgtls__client_note_add(r,
		                       "pgjdbc version: no fixed version in %s (a range, a dynamic version, or a parent POM or "
		                       "BOM not found): judged as 42.2.5 or later",
		                       a->managed_by);
	else
		pgtls__client_note_add(
		    r, "pgjdbc version: no gradle.lockfile, pom.xml or build.gradle names it: judged as 42.2.5 or later");
	if (before_42_2_5(a->v))
		r->driver = PGTLS_DRIVER_PGJDBC_OLD;
}

const char *
pgtls__jvm_source(const client_rec *r)
{
	if (r->driver == PGTLS_DRIVER_PGJDBC_OLD && r->sslfactory == NULL)
		return "pgjdbc before 42.2.5, ssl=true: the JVM's default SSLSocketFactory";
	return "pgjdbc DefaultJavaSSLFactory";
}
