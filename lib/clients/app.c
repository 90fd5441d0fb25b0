/*-------------------------------------------------------------------------
 *
 * app.c
 *	  Each client judged where its application runs.  An application is
 *	  a project directory: the nearest directory above a file with a
 *	  build, lock or compose file (or .git), else the PATH being scanned.
 *	  What any file of the application sets for the whole process (JVM
 *	  options, NODE_TLS_REJECT_UNAUTHORIZED, NODE_EXTRA_CA_CERTS,
 *	  SSL_CERT_FILE) or maps into its containers (compose volumes,
 *	  Kubernetes hostPath) is applied to every client of the application
 *	  once the whole PATH has been read; and a file that names a TARGET
 *	  yet yields no client is said, never passed over.
 *
 * IDENTIFICATION
 *	  lib/clients/app.c
 *
 * NOTES
 *	  Process-wide settings, from the runtimes' own documentation and code:
 *	  - Node lib/_tls_wrap.js: rejectUnauthorized defaults to
 *	    process.env.NODE_TLS_REJECT_UNAUTHORIZED !== '0'; node-postgres
 *	    passes its ssl object to tls.connect(), so only an explicit
 *	    rejectUnauthorized: true survives the variable.
 *	  - Node doc/api/cli.md NODE_EXTRA_CA_CERTS: "the well known root CAs
 *	    ... will be extended with the extra certificates in file"; read
 *	    once at start; not used when a ca option replaces the store.
 *	  - OpenSSL X509_get_default_cert_file_env(): SSL_CERT_FILE replaces
 *	    the default bundle of SSL_CTX_set_default_verify_paths() (libpq
 *	    sslrootcert=system, Python ssl.create_default_context() for
 *	    asyncpg); Go crypto/x509 root_unix.go reads SSL_CERT_FILE too.
 *	  - JDK sun.security.ssl.TrustStoreManager: javax.net.ssl.trustStore,
 *	    from any -D option the JVM starts with (JAVA_OPTS in a start
 *	    script, JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS, a unit's ExecStart).
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <jansson.h>

#include <openssl/crypto.h>

#include "clients/clients_int.h"

#define APP_MAX_FACTS 100000

/* a project's own files: the directory holding one is an application */
static bool
has_marker(const char *dir)
{
	static const char *const markers[] = {"package.json",
	                                      "pom.xml",
	                                      "build.gradle",
	                                      "build.gradle.kts",
	                                      "go.mod",
	                                      "requirements.txt",
	                                      "pyproject.toml",
	                                      "setup.py",
	                                      "Pipfile",
	                                      "Gemfile",
	                                      "composer.json",
	                                      "manage.py",
	                                      "docker-compose.yml",
	                                      "docker-compose.yaml",
	                                      "compose.yml",
	                                      "compose.yaml",
	                                      "Dockerfile",
	                                      ".git",
	                                      "Cargo.toml",
	                                      "mix.exs"};
	char p[1200];
	struct stat st;

	for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++)
	{
		snprintf(p, sizeof(p), "%s/%s", dir, markers[i]);
		if (stat(p, &st) == 0)
			return true;
	}
	return false;
}

/* has_marker(DIR), asked once per directory of a scan (a tree's directories are met many times) */
static bool
marker_cached(pgtls_clients *c, const char *dir)
{
	json_t *v;
	bool yes;

	if (c->markers == NULL)
		c->markers = json_object();
	if (c->markers && (v = json_object_get(c->markers, dir)) != NULL)
		return json_is_true(v);
	yes = has_marker(dir);
	if (c->markers && json_object_size(c->markers) < APP_MAX_FACTS)
		json_object_set_new(c->markers, dir, json_boolean(yes));
	return yes;
}

char *
pgtls__app_of(pgtls_clients *c, const char *file)
{
	size_t rl = strlen(c->scan_root);
	char dir[1024];
	struct stat st;

	if (c->app)
		return strdup(c->app->workdir); /* the manifest says where it runs */
	if (rl == 0 || strncmp(file, c->scan_root, rl) != 0 || (file[rl] != '/' && file[rl] != '\0'))
		return NULL; /* the environment, or a file named from elsewhere (a service file, an env file) */
	if (file[rl] == '\0' && stat(file, &st) == 0 && !S_ISDIR(st.st_mode))
	{
		/* a single file was given: its directory */
		snprintf(dir, sizeof(dir), "%s", file);
		*(strrchr(dir, '/') ? strrchr(dir, '/') : dir) = '\0';
		return strdup(dir[0] ? dir : ".");
	}
	snprintf(dir, sizeof(dir), "%s", file);
	*(strrchr(dir + rl, '/') ? strrchr(dir + rl, '/') : dir + rl) = '\0';
	if (c->app_cache.dir[0] && strcmp(dir, c->app_cache.dir) == 0)
		return strdup(c->app_here);
	snprintf(c->app_cache.dir, sizeof(c->app_cache.dir), "%s", dir);
	while (strlen(dir) > rl && !marker_cached(c, dir))
		*strrchr(dir, '/') = '\0';
	snprintf(c->app_here, sizeof(c->app_here), "%s", dir);
	return strdup(dir);
}

void
pgtls__app_fact(pgtls_clients *c, app_fact_kind kind, const char *app, const char *name, const char *value,
                const char *file, int line)
{
	app_fact *f;

	if (c->nfacts >= APP_MAX_FACTS)
		return;
	if (c->nfacts == c->capfacts)
	{
		int cap = c->capfacts ? c->capfacts * 2 : 32;
		app_fact *grown = realloc(c->facts, (size_t)cap * sizeof(*grown));

		if (grown == NULL)
			return;
		c->facts = grown;
		c->capfacts = cap;
	}
	f = &c->facts[c->nfacts];
	f->kind = kind;
	f->app = strdup(app);
	f->name = strdup(name);
	f->value = strdup(value);
	f->file = strdup(file);
	f->line = line;
	if (f->app && f->name && f->value && f->file)
		c->nfacts++;
	else
	{
		free(f->app);
		free(f->name);
		free(f->value);
		free(f->file);
	}
}

void
pgtls__app_mount(pgtls_clients *c, const char *file, int line, const char *container, const char *host)
{
	char *app = pgtls__app_of(c, file), path[1100];
	int dl = (int)(strrchr(file, '/') ? strrchr(file, '/') - file : 0);

	if (app == NULL || container[0] != '/')
	{
		free(app);
		return;
	}
	if (host[0] == '/')
		snprintf(path, sizeof(path), "%s", host);
	else
		/* compose: a relative source is taken from the compose file's directory */
		snprintf(path, sizeof(path), "%.*s/%s", dl, file, strncmp(host, "./", 2) == 0 ? host + 2 : host);
	pgtls__app_fact(c, APP_MOUNT, app, container, path, file, line);
	free(app);
}

/* the value after NAME at P (NAME=v, NAME: v, NAME v, quotes); "" when none on the line */
static void
value_after(const char *p, const char *end, char *out, size_t outlen)
{
	size_t k = 0;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '"' || *p == '\''))
		p++;
	if (p < end && (*p == '=' || *p == ':'))
		p++;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '"' || *p == '\''))
		p++;
	while (p < end && !isspace((unsigned char)*p) && *p != '"' && *p != '\'' && *p != ',' && *p != ';' &&
	       k + 1 < outlen)
		out[k++] = *p++;
	out[k] = '\0';
}

/*
 * A -Djavax.net.ssl.trustStorePassword of APP: kept only as "changeit"
 * (keytool's default) or "other", never the password; VAL is wiped.
 */
static void
jvm_password_fact(pgtls_clients *c, const char *app, char *val, size_t vallen, const char *file, int line)
{
	pgtls__app_fact(c, APP_JVM_STORE_PW, app, "javax.net.ssl.trustStorePassword",
	                strcmp(val, "changeit") == 0 ? "changeit" : "other", file, line);
	OPENSSL_cleanse(val, vallen);
}

/* NAME=VALUE of application APP's process (the manifest): the variables that change trust, as facts */
void
pgtls__app_env_fact(pgtls_clients *c, const char *app, const char *name, const char *value, const char *file, int line)
{
	static const char *const vars[] = {"NODE_TLS_REJECT_UNAUTHORIZED", "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE"};
	const char *ts = strstr(value, "javax.net.ssl.trustStore=");
	const char *pw = strstr(value, "javax.net.ssl.trustStorePassword=");
	char store[1024];

	for (size_t k = 0; k < sizeof(vars) / sizeof(vars[0]); k++)
		if (strcmp(name, vars[k]) == 0)
			pgtls__app_fact(c, APP_ENV, app, name, value, file, line);
	if (ts && (strcmp(name, "JAVA_TOOL_OPTIONS") == 0 || strcmp(name, "JDK_JAVA_OPTIONS") == 0 ||
	           strcmp(name, "JAVA_OPTS") == 0))
	{
		value_after(ts + 24, ts + strlen(ts), store, sizeof(store));
		if (store[0])
			pgtls__app_fact(c, APP_JVM_STORE, app, "javax.net.ssl.trustStore", store, file, line);
		if (pw)
		{
			value_after(pw + 32, pw + strlen(pw), store, sizeof(store));
			jvm_password_fact(c, app, store, sizeof(store), file, line);
		}
	}
}

/* "- name: NAME" then "value: V" on a following line (Kubernetes env): V */
static void
k8s_value(const char *next, const char *end, char *out, size_t outlen)
{
	for (int lines = 0; next < end && lines < 3; lines++)
	{
		const char *nl = memchr(next, '\n', (size_t)(end - next)), *e = nl ? nl : end;
		const char *v = pgtls__strcasestr_n(next, (size_t)(e - next), "value:");

		if (v)
		{
			value_after(v + 5, e, out, outlen);
			return;
		}
		next = nl ? nl + 1 : end;
	}
}

static bool
docs_file(const char *path)
{
	const char *ext = strrchr(path, '.');

	return ext && (strcasecmp(ext, ".md") == 0 || strcasecmp(ext, ".rst") == 0 || strcasecmp(ext, ".txt") == 0 ||
	               strcasecmp(ext, ".adoc") == 0 || strcasecmp(ext, ".html") == 0);
}

void
pgtls__app_facts(pgtls_clients *c, const char *path, const char *buf, size_t len)
{
	static const char *const vars[] = {"NODE_TLS_REJECT_UNAUTHORIZED", "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE",
	                                   "javax.net.ssl.trustStore", "javax.net.ssl.trustStorePassword"};
	static const app_fact_kind kinds[] = {APP_ENV, APP_ENV, APP_ENV, APP_JVM_STORE, APP_JVM_STORE_PW};
	const char *p = buf, *end = buf + len;
	char *app;
	int lineno = 0;

	if (docs_file(path) || (!memmem(buf, len, "NODE_", 5) && !memmem(buf, len, "SSL_CERT_FILE", 13) &&
	                        !memmem(buf, len, "javax.net.ssl.trustStore", 24)))
		return;
	if ((app = pgtls__app_of(c, path)) == NULL)
		return;
	for (; p < end; p = p < end ? p + 1 : end)
	{
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end, *b = p;

		lineno++;
		while (b < e && isspace((unsigned char)*b))
			b++;
		if (b < e && (*b == '#' || (e - b > 1 && b[0] == '/' && b[1] == '/')))
		{
			p = e;
			continue; /* a comment */
		}
		for (size_t k = 0; k < sizeof(vars) / sizeof(vars[0]); k++)
		{
			size_t vl = strlen(vars[k]);
			const char *at = memmem(b, (size_t)(e - b), vars[k], vl);
			char val[1024];

			if (at == NULL || (k < 3 && at > b && (isalnum((unsigned char)at[-1]) || at[-1] == '_')) ||
			    (at + vl < e && (isalnum((unsigned char)at[vl]) || at[vl] == '_')))
				continue; /* trustStoreType, MY_SSL_CERT_FILE, ... */
			value_after(at + vl, e, val, sizeof(val));
			if (val[0] == '\0' && nl)
				k8s_value(nl + 1, end, val, sizeof(val));
			if (val[0] && kinds[k] == APP_JVM_STORE_PW)
				jvm_password_fact(c, app, val, sizeof(val), path, lineno);
			else if (val[0])
				pgtls__app_fact(c, kinds[k], app, vars[k], val, path, lineno);
		}
		p = e;
	}
	free(app);
}

/* ---- the records of one PATH, judged where they run ---- */

/* VALUE (a path from a fact of FILE) as the application sees it, mapped to this machine: OUT; false if not here */
static bool
host_path(const pgtls_clients *c, const char *app, const char *file, const char *value, char *out, size_t outlen,
          char *via, size_t vialen)
{
	via[0] = '\0';
	if (strchr(value, '$') || strchr(value, '{') || strchr(value, '%'))
		return false; /* set at run time */
	if (value[0] != '/')
	{
		/* relative: the application's working directory, else beside the file that says it */
		int dl = (int)(strrchr(file, '/') ? strrchr(file, '/') - file : 0);

		snprintf(out, outlen, "%s/%s", app, value);
		if (pgtls__file_exists(out))
			return true;
		snprintf(out, outlen, "%.*s/%s", dl, file, value);
		return pgtls__file_exists(out);
	}
	snprintf(out, outlen, "%s", value);
	if (pgtls__file_exists(out))
		return true;
	for (int i = 0; i < c->nfacts; i++)
	{
		const app_fact *f = &c->facts[i];
		size_t l = strlen(f->name);

		if (f->kind != APP_MOUNT || strcmp(f->app, app) != 0 || strncmp(value, f->name, l) != 0 ||
		    (value[l] != '/' && value[l] != '\0'))
			continue;
		snprintf(out, outlen, "%s%s", f->value, value + l);
		if (pgtls__file_exists(out))
		{
			snprintf(via, vialen, "the volume %s:%s in %s:%d", f->value, f->name, f->file, f->line);
			return true;
		}
	}
	return false;
}

/* the one value of fact NAME (KIND) in APP: 1 found (F), 0 none, -1 several different */
static int
app_value(const pgtls_clients *c, const char *app, app_fact_kind kind, const char *name, const app_fact **f)
{
	*f = NULL;
	for (int i = 0; i < c->nfacts; i++)
		if (c->facts[i].kind == kind && strcmp(c->facts[i].name, name) == 0 && strcmp(c->facts[i].app, app) == 0)
		{
			if (*f && strcmp((*f)->value, c->facts[i].value) != 0)
				return -1;
			*f = *f ? *f : &c->facts[i];
		}
	return *f != NULL;
}

static void set_unresolved(client_rec *r, const char *fmt, ...) PGTLS_PRINTF(2, 3);

static void
set_unresolved(client_rec *r, const char *fmt, ...)
{
	char buf[900];
	va_list ap;

	if (r->unresolved)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	r->unresolved = pgtls__mask_secrets(buf, strlen(buf));
}

/*
 * The file variable NAME of R's application (*F: where it is set) as a path
 * on this machine (malloc'd); NULL when the application does not set it, or
 * (R then unknown, with the reason) when it cannot be resolved here.
 */
static char *
env_file(pgtls_clients *c, client_rec *r, const char *name, const app_fact **f)
{
	char path[1100], via[600];
	int n = app_value(c, r->app, APP_ENV, name, f);

	if (n < 0)
		set_unresolved(r, "the application sets %s to more than one value (%s:%d among them)", name, (*f)->file,
		               (*f)->line);
	else if (n == 1 && !host_path(c, r->app, (*f)->file, (*f)->value, path, sizeof(path), via, sizeof(via)))
		set_unresolved(r, "%s=%s (%s:%d) is not a file on this machine", name, (*f)->value, (*f)->file, (*f)->line);
	else if (n == 1)
		return strdup(path);
	return NULL;
}

/* a JVM client with no trust store beside its settings: the one the application's start files give */
static void
settle_jvm(pgtls_clients *c, client_rec *r)
{
	const app_fact *f;
	char path[1100], via[600];
	int n = app_value(c, r->app, APP_JVM_STORE, "javax.net.ssl.trustStore", &f);

	if (n < 0)
		set_unresolved(r,
		               "the application names more than one JVM trust store (%s:%d among them): which one its JVM "
		               "starts with is not known here",
		               f->file, f->line);
	else if (n == 1 && !host_path(c, r->app, f->file, f->value, path, sizeof(path), via, sizeof(via)))
		set_unresolved(r, "its JVM trust store %s (%s:%d) is not on this machine", f->value, f->file, f->line);
	else if (n == 1)
	{
		r->jvm_store = strdup(path);
		pgtls__client_note_add(r, "JVM trust store from %s:%d (the same application)%s%s", f->file, f->line,
		                       via[0] ? ", through " : "", via);
		if (app_value(c, r->app, APP_JVM_STORE_PW, "javax.net.ssl.trustStorePassword", &f) == 1 &&
		    strcmp(f->value, "other") == 0 && asprintf(&r->jvm_store_pw_at, "%s:%d", f->file, f->line) < 0)
			r->jvm_store_pw_at = NULL;
	}
}

/* NODE_TLS_REJECT_UNAUTHORIZED=0, NODE_EXTRA_CA_CERTS: Node's whole process */
static void
settle_node(pgtls_clients *c, client_rec *r)
{
	const app_fact *f;
	int n = app_value(c, r->app, APP_ENV, "NODE_TLS_REJECT_UNAUTHORIZED", &f);

	if (n < 0 && !r->reject_unauthorized && r->trust != PGTLS_TRUST_DISABLED)
		set_unresolved(r,
		               "the application sets NODE_TLS_REJECT_UNAUTHORIZED to more than one value (%s:%d among "
		               "them): whether Node checks certificates is not known here",
		               f->file, f->line);
	else if (n == 1 && strcmp(f->value, "0") == 0 && !r->reject_unauthorized && r->trust != PGTLS_TRUST_DISABLED)
	{
		r->trust = PGTLS_TRUST_DISABLED;
		pgtls__client_note_add(r,
		                       "NODE_TLS_REJECT_UNAUTHORIZED=0 (%s:%d) turns certificate checks off for the whole "
		                       "process: its ssl object does not say rejectUnauthorized: true",
		                       f->file, f->line);
		return;
	}
	if (r->trust == PGTLS_TRUST_SYSTEM && (r->extra_ca = env_file(c, r, "NODE_EXTRA_CA_CERTS", &f)) != NULL)
		pgtls__client_note_add(r, "Node's CA store plus NODE_EXTRA_CA_CERTS=%s (%s:%d)", f->value, f->file, f->line);
}

/* SSL_CERT_FILE: the OpenSSL default bundle of libpq's sslrootcert=system, Go's and Python's system pool */
static void
settle_system_file(pgtls_clients *c, client_rec *r)
{
	const app_fact *f;

	if (r->trust != PGTLS_TRUST_SYSTEM || r->driver == PGTLS_DRIVER_NODE_POSTGRES || PGTLS_IS_PGJDBC(r->driver))
		return;
	if ((r->system_file = env_file(c, r, "SSL_CERT_FILE", &f)) != NULL)
		pgtls__client_note_add(r, "the system store is SSL_CERT_FILE=%s (%s:%d)", f->value, f->file, f->line);
}

/* a root file path of the container: the host file a volume of the application maps it to */
static void
settle_root(pgtls_clients *c, client_rec *r)
{
	char path[1100], via[600];

	if (r->root != PGTLS_ROOT_MISSING || !r->root_explicit || r->rootcert == NULL || r->rootcert[0] != '/' ||
	    !host_path(c, r->app, r->file, r->rootcert, path, sizeof(path), via, sizeof(via)) || via[0] == '\0')
		return;
	pgtls__client_note_add(r, "root file %s in its container is %s here, through %s", r->rootcert, path, via);
	free(r->root_given);
	r->root_given = r->rootcert;
	r->rootcert = strdup(path);
	pgtls__client_root_state(r);
}

void
pgtls__apps_settle(pgtls_clients *c, int first)
{
	for (int i = first; i < c->nrecs; i++)
	{
		client_rec *r = &c->recs[i];

		if (r->app == NULL || r->bad_setting)
			continue;
		if (r->trust == PGTLS_TRUST_JVM && r->jvm_store == NULL)
			settle_jvm(c, r);
		else if (r->driver == PGTLS_DRIVER_NODE_POSTGRES)
			settle_node(c, r);
		settle_system_file(c, r);
		settle_root(c, r);
		pgtls__client_classify(r);
	}
}

/* ---- nothing silent ---- */

static bool
host_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '-' || ch == '.' || ch == '_';
}

/*
 * The first host name on LINE[N] that is a TARGET's (a whole word: a name
 * inside a longer one is not it) or a cloud database endpoint's; NULL when
 * none.  Each word is looked up once in the set of names: the cost is the
 * line's length, whatever the number of TARGETs.
 */
static const char *
named_host(const pgtls_clients *c, const char *line, size_t n, bool cloudsql)
{
	static const char *const clouds[] = {".rds.amazonaws.com", ".rds.amazonaws.com.cn", ".postgres.database.azure.com"};
	const char *p = line, *end = line + n;
	char word[256];

	if (cloudsql && memmem(line, n, "/cloudsql/", 10))
		return "/cloudsql/";
	while (p < end)
	{
		const char *b;
		size_t l;

		while (p < end && !host_char(*p))
			p++;
		for (b = p; p < end && host_char(*p); p++)
			;
		l = (size_t)(p - b);
		while (l > 0 && b[l - 1] == '.')
			l--; /* the end of a sentence */
		if (l == 0 || l >= sizeof(word))
			continue;
		for (size_t i = 0; i < l; i++)
			word[i] = (char)tolower((unsigned char)b[i]);
		word[l] = '\0';
		if (c->name_set && json_object_get(c->name_set, word))
			return json_string_value(json_object_get(c->name_set, word));
		for (size_t k = 0; k < sizeof(clouds) / sizeof(clouds[0]); k++)
			if (l > strlen(clouds[k]) && strcmp(word + l - strlen(clouds[k]), clouds[k]) == 0)
				return clouds[k];
	}
	return NULL;
}

void
pgtls__app_sweep(pgtls_clients *c, const char *path, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	int lineno = 0, said = 0;
	bool cloudsql = memmem(buf, len, "/cloudsql/", 10) != NULL;

	/* no TARGET names: only a cloud endpoint can be named (most files: three searches, no words) */
	if ((c->name_set == NULL || json_object_size(c->name_set) == 0) && !cloudsql &&
	    !memmem(buf, len, ".rds.amazonaws.com", 18) && !memmem(buf, len, ".postgres.database.azure.com", 28))
		return;

	for (; p < end && said < 3; p = p < end ? p + 1 : end)
	{
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
		const char *what = named_host(c, p, (size_t)(e - p), cloudsql);

		lineno++;
		if (what)
		{
			const char *b = p;

			while (b < e && isspace((unsigned char)*b))
				b++;
			pgtls__clients_unparsed(
			    c, path, lineno, "names %s%s but no connection settings were understood in this file: %.160s", what,
			    what[0] == '.' || what[0] == '/' ? " (a cloud database endpoint)" : " (a TARGET)", b);
			said++;
		}
		p = e;
	}
}

pgtls_err
pgtls_clients_add_target_name(pgtls_clients *c, const char *name)
{
	char host[256];
	size_t n;
	bool v6;

	if (c == NULL || name == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&c->err);
	/* host, host:port, [v6]:port, postgresql://... : the host name */
	if (strncmp(name, "postgresql://", 13) == 0 || strncmp(name, "postgres://", 11) == 0)
		name = strstr(name, "://") + 3;
	if (strchr(name, '@'))
		name = strchr(name, '@') + 1;
	v6 = name[0] == '[';
	name += v6;
	n = strcspn(name, v6 ? "]" : ":/?");
	if (n == 0 || n >= sizeof(host))
		return PGTLS_OK;
	for (size_t i = 0; i < n; i++)
		host[i] = (char)tolower((unsigned char)name[i]);
	host[n] = '\0';
	if (c->name_set == NULL && (c->name_set = json_object()) == NULL)
		return pgtls__seterr(&c->err, PGTLS_ERR_OOM, "out of memory");
	if (json_object_size(c->name_set) < MAX_SWEEP_NAMES &&
	    json_object_set_new(c->name_set, host, json_string(host)) != 0)
		return pgtls__seterr(&c->err, PGTLS_ERR_OOM, "out of memory");
	return PGTLS_OK;
}
