/*-------------------------------------------------------------------------
 *
 * clients.c
 *	  The clients object: one typed record per connection setting found
 *	  (scan.c finds them), its driver's effective TLS settings, and the
 *	  rules engine's classification; typed accessors.
 *
 * IDENTIFICATION
 *	  lib/clients/clients.c
 *
 * NOTES
 *	  The driver rules are in docs/drivers.md.  Passwords found are never
 *	  stored: specs are masked before they are kept.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>
#include <arpa/inet.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "clients/clients_int.h"
#include "rules/readings.h"
#include "store/store_int.h"

#define MAX_FINDINGS 100000

static void
rec_clear(client_rec *r)
{
	free(r->file);
	free(r->spec);
	free(r->host);
	free(r->hostaddr);
	free(r->port);
	free(r->dbname);
	free(r->user);
	free(r->appname);
	free(r->sslmode_text);
	free(r->sslfactory);
	free(r->jvm_store);
	free(r->jvm_store_pw_at);
	free(r->note);
	free(r->unresolved);
	free(r->rootcert);
	free(r->app);
	free(r->root_given);
	free(r->extra_ca);
	free(r->system_file);
}

pgtls_clients *
pgtls_clients_new(void)
{
	pgtls_clients *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	pgtls__home_dir(NULL, c->home, sizeof(c->home));
	return c;
}

void
pgtls_clients_free(pgtls_clients *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < c->nrecs; i++)
		rec_clear(&c->recs[i]);
	free(c->recs);
	for (int i = 0; i < c->nskipped; i++)
	{
		free(c->skipped[i].path);
		free(c->skipped[i].reason);
	}
	free(c->skipped);
	for (int i = 0; i < c->nunparsed; i++)
	{
		free(c->unparsed[i].path);
		free(c->unparsed[i].reason);
	}
	free(c->unparsed);
	pgtls__clients_cmd_envs_clear(c);
	for (int i = 0; i < c->nfacts; i++)
	{
		free(c->facts[i].app);
		free(c->facts[i].name);
		free(c->facts[i].value);
		free(c->facts[i].file);
	}
	free(c->facts);
	pgtls__trust_files_free(c);
	pgtls__apps_free(c);
	json_decref(c->markers);
	json_decref(c->name_set);
	free(c);
}

void
pgtls__clients_unparsed(pgtls_clients *c, const char *file, int line, const char *fmt, ...)
{
	skipped_path *grown;
	char reason[400];
	va_list ap;

	if (c->nunparsed >= MAX_UNPARSED)
	{
		c->nunparsed_more++; /* counted and said */
		return;
	}
	grown = realloc(c->unparsed, (size_t)(c->nunparsed + 1) * sizeof(*grown));
	if (grown == NULL)
	{
		c->nunparsed_more++;
		return;
	}
	c->unparsed = grown;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	c->unparsed[c->nunparsed].path = strdup(file);
	/* a parser's words may quote a fragment of the string, possibly of a password: masked */
	c->unparsed[c->nunparsed].reason = pgtls__mask_secrets(reason, strlen(reason));
	c->unparsed[c->nunparsed].line = line;
	c->unparsed[c->nunparsed].ack = pgtls__ack_of(c, file, line);
	c->nunparsed_acked += c->unparsed[c->nunparsed].ack != NULL;
	c->nunparsed++;
}

pgtls_err
pgtls_clients_errcode(const pgtls_clients *c)
{
	return c ? c->err.code : PGTLS_ERR_USAGE;
}

const char *
pgtls_clients_errmsg(const pgtls_clients *c)
{
	return c ? c->err.msg : "no clients object";
}

pgtls_err
pgtls_clients_set_home(pgtls_clients *c, const char *home)
{
	if (c == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&c->err);
	if (home && strlen(home) >= sizeof(c->home))
		return pgtls__seterr(&c->err, PGTLS_ERR_USAGE, "home directory longer than %zu bytes", sizeof(c->home) - 1);
	/* NULL: the scanning user's own, as at creation */
	pgtls__home_dir(home, c->home, sizeof(c->home));
	c->home_given = home != NULL;
	return PGTLS_OK;
}

int
pgtls_clients_count(const pgtls_clients *c)
{
	return c ? c->nrecs : 0;
}

/* ---- helpers ---- */

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/*
 * The root file R's driver reads: the one its settings name (READING's),
 * else the driver's default file in the application's HOME, else the
 * system store; and whether it exists and loads here.
 */
static void
resolve_root(pgtls_clients *c, client_rec *r, const pgtls_reading *reading)
{
	const pgtls_driver_rules *d = pgtls__driver_rules(r->driver);
	const char *root = reading->root;
	char rootbuf[1100], *relative = NULL;

	r->root_source = reading->root_source;
	if (root && reading->root_schema_relative)
		root = relative = pgtls__prisma_root_path(r, root); /* Prisma: relative to the schema's directory */
	else if (root && root[0] != '/' && strcmp(root, "system") != 0 && r->app)
	{
		/* a relative path is opened from the working directory: the application's, not pgtls's */
		r->root_given = strdup(root);
		if ((relative = malloc(strlen(r->app) + strlen(root) + 2)) == NULL)
			return;
		snprintf(relative, strlen(r->app) + strlen(root) + 2, "%s/%s", r->app, root);
		root = relative;
		pgtls__client_note_add(r,
		                       "relative root file %s: read from the application's directory %s, where it is "
		                       "taken to start",
		                       r->root_given, r->app);
	}
	r->root_explicit = root != NULL;
	if (root == NULL && d->default_root_file && d->default_root_optional && c->home[0] != '\0')
	{
		/* lib/pq 1.12: ~/.postgresql/root.crt when it exists, else as if unset (the OS store) */
		snprintf(rootbuf, sizeof(rootbuf), "%s/.postgresql/root.crt", c->home);
		if (pgtls__file_exists(rootbuf))
		{
			root = rootbuf;
			r->root_source = "default (~/.postgresql/root.crt, which exists)";
		}
	}
	else if (root == NULL && d->default_root_file && !d->default_root_optional)
	{
		if (c->home[0] == '\0')
		{
			r->root = PGTLS_ROOT_NO_HOME;
			r->root_source = "default (~/.postgresql/root.crt), but no home directory";
			return;
		}
		snprintf(rootbuf, sizeof(rootbuf), "%s/.postgresql/root.crt", c->home);
		root = rootbuf;
		r->root_source = c->home_given ? "default (~/.postgresql/root.crt of the application's HOME)"
		                               : "default (~/.postgresql/root.crt of the user running the scan)";
	}
	if (root == NULL && d->system_store_default)
	{
		root = "system";
		r->root_source = "driver default: the operating system's trust store";
	}
	if (root == NULL)
	{
		r->root_source = "none (this driver has no default root file)";
		r->root = PGTLS_ROOT_NONE;
		return;
	}
	r->rootcert = strdup(root);
	if (strcmp(root, "system") == 0 && r->trust == PGTLS_TRUST_FILE)
		r->trust = PGTLS_TRUST_SYSTEM;
	pgtls__client_root_state(r);
	free(relative);
}

void
pgtls__client_root_state(client_rec *r)
{
	const pgtls_driver_rules *d = pgtls__driver_rules(r->driver);

	if (r->rootcert == NULL)
		r->root = PGTLS_ROOT_NONE;
	else if (strcmp(r->rootcert, "system") == 0)
		r->root = PGTLS_ROOT_LOADED;
	else if (!pgtls__file_exists(r->rootcert))
		r->root = PGTLS_ROOT_MISSING;
	else if (d->root_pem_only && !pgtls__root_file_loadable(r->rootcert))
		r->root = PGTLS_ROOT_UNREADABLE; /* libpq reads PEM only: "could not read root certificate file" */
	else
		r->root = PGTLS_ROOT_LOADED;
}

/*
 * Does R connect through a Unix-domain socket?  A host that is a path
 * (libpq is_unixsock_path: "/..." or "@..."), e.g. /var/run/postgresql or
 * Cloud SQL's /cloudsql/...; or, for libpq and psycopg, no host at all in
 * a full connection string (libpq's default is the socket directory).
 * Every host of a list must be one.
 */
static bool
unix_socket(const client_rec *r, bool libpq_family)
{
	const char *h = r->host;

	if (r->hostaddr && r->hostaddr[0])
		return false;
	if (h == NULL || h[0] == '\0')
		return libpq_family && r->driver != PGTLS_DRIVER_ASYNCPG && r->driver != PGTLS_DRIVER_PGX &&
		       r->driver != PGTLS_DRIVER_GO_PQ && r->driver != PGTLS_DRIVER_GO_PQ_112 &&
		       (strcmp(r->kind, "conninfo") == 0 || strcmp(r->kind, "uri") == 0 || strcmp(r->kind, "django") == 0 ||
		        strcmp(r->kind, "pg_service") == 0 || strcmp(r->kind, "command") == 0);
	for (;;)
	{
		if (h[0] != '/' && h[0] != '@')
			return false;
		h = strchr(h, ',');
		if (h == NULL)
			return true;
		h++;
	}
}

/*
 * The effective TLS settings of one client, after its driver's defaults
 * and the environment (the driver's reading, lib/rules/readings.c),
 * classified by the rules engine.  PARAMS: its settings; SEEN: what the
 * reader observed; ENVOBJ: the PG* variables in force (may be NULL).
 */
static void
judge(pgtls_clients *c, client_rec *r, const pgtls_settings *params, const pgtls_observed *seen,
      const pgtls_settings *envobj)
{
	pgtls_reading_in in;
	pgtls_reading reading;

	if (r->driver == PGTLS_DRIVER_PGJDBC && strcmp(r->kind, "dbeaver") != 0)
		pgtls__java_version(c, r); /* the project's build file; DBeaver brings its own driver */
	else if (r->driver == PGTLS_DRIVER_ASYNCPG)
		pgtls__python_version(c, r); /* the project's lock file or pinned requirement */
	else if (r->driver == PGTLS_DRIVER_NODE_POSTGRES)
		pgtls__node_version_note(c, r); /* the versions the node-postgres rules come from */
	memset(&in, 0, sizeof(in));
	in.driver = r->driver;
	in.settings = params;
	in.seen = seen;
	in.env = envobj;
	memcpy(in.node_pg, c->node_here.pg, sizeof(in.node_pg));
	memcpy(in.node_pcs, c->node_here.pcs, sizeof(in.node_pcs));
	pgtls__driver_read(&in, &reading);
	r->driver = reading.driver;
	r->sslmode_text = strdup(reading.mode);
	r->sslmode_source = reading.mode_source;
	r->sslmode = reading.sslmode;
	r->trust = reading.trust;
	r->custom_host_check = reading.custom_host_check;
	r->sslfactory = dup_or_null(reading.sslfactory);
	if (reading.note[0])
		pgtls__client_note_add(r, "%s", reading.note);
	resolve_root(c, r, &reading);
	if (reading.bad_setting[0])
	{
		/* the driver refuses the settings themselves (reader or driver rule said why): fails everywhere */
		pgtls__client_note_add(r, "%s", reading.bad_setting);
		r->bad_setting = true;
	}
	pgtls__client_classify(r);
}

void
pgtls__client_classify(client_rec *r)
{
	pgtls_facts f;

	memset(&f, 0, sizeof(f));
	f.driver = r->driver;
	f.sslmode = r->sslmode;
	f.trust = r->trust;
	f.root = r->root;
	f.root_explicit = r->root_explicit;
	f.custom_host_check = r->custom_host_check;
	r->outcome = pgtls__rules_classify(&f, &r->verifies_when_tls, &r->failure);
	if (r->bad_setting)
	{
		r->outcome = PGTLS_OUTCOME_FAILS;
		r->failure = PGTLS_FAIL_BAD_SETTING;
	}
	else if (unix_socket(r, pgtls__driver_libpq_family(r->driver)))
	{
		/* TLS does not apply to a Unix-domain socket: nothing to verify, nothing to fall back from */
		r->outcome = PGTLS_OUTCOME_UNIX_SOCKET;
		r->failure = PGTLS_FAIL_NONE;
	}
	if (r->unresolved)
	{
		/* what decides the outcome is set where the application runs: not an all-clear, not a failure */
		r->outcome = PGTLS_OUTCOME_UNKNOWN;
		r->failure = PGTLS_FAIL_NONE;
	}
}

const char *
pgtls__client_verdict(const client_rec *r)
{
	if (r->unresolved)
		return "unknown"; /* the reason (R->unresolved) follows it */
	switch (r->failure)
	{
		case PGTLS_FAIL_NONE:
			break;
		case PGTLS_FAIL_ROOT_MISSING:
		case PGTLS_FAIL_NO_HOME:
			return "root certificate file not on this machine: fails unless it exists where the application runs";
		case PGTLS_FAIL_ROOT_UNREADABLE:
			return "fails now: root certificate file unreadable";
		case PGTLS_FAIL_WEAK_SYSTEM:
			return "fails now: sslrootcert=system allows only sslmode=verify-full";
		case PGTLS_FAIL_INVALID_SSLMODE:
			return "unknown sslmode";
		default:
			return "fails now";
	}
	switch (r->outcome)
	{
		case PGTLS_OUTCOME_NO_TLS:
			return "plaintext";
		case PGTLS_OUTCOME_OPPORTUNISTIC:
			return "may fall back to plaintext";
		case PGTLS_OUTCOME_ENCRYPTED_UNVERIFIED:
			return "encrypted, not verified";
		case PGTLS_OUTCOME_VERIFIES_CA:
			return "verifies CA only";
		case PGTLS_OUTCOME_VERIFIES_FULL:
			return "verifies full";
		case PGTLS_OUTCOME_UNIX_SOCKET:
			return "Unix socket: TLS does not apply";
		default:
			return "unknown";
	}
}

/* why the outcome is what it is, for people: the unresolved setting, the detail, else the verdict */
const char *
pgtls__client_reason(const client_rec *r)
{
	const char *d = pgtls__client_detail(r);

	if (r->unresolved)
		return r->unresolved;
	return d ? d : pgtls__client_verdict(r);
}

const char *
pgtls__client_detail(const client_rec *r)
{
	const pgtls_driver_rules *d = pgtls__driver_rules(r->driver);

	if (r->failure != PGTLS_FAIL_NONE)
		return NULL;
	if (r->outcome == PGTLS_OUTCOME_OPPORTUNISTIC && d->prefer_no_retry)
		return r->verifies_when_tls >= PGTLS_VERIFIED_CA
		           ? "verifies the server when it offers TLS, but goes on in plaintext when the server (or anyone "
		             "in between) answers that it has no TLS"
		           : "TLS without verification when the server offers it, plaintext when it answers that it has "
		             "no TLS";
	if (r->outcome == PGTLS_OUTCOME_OPPORTUNISTIC && r->sslmode != PGTLS_SSLMODE_ALLOW && d->root_upgrades_prefer)
		return r->verifies_when_tls >= PGTLS_VERIFIED_CA
		           ? "verifies the CA when TLS works, but silently retries without TLS when verification fails"
		           : "TLS without verification, and silently retries without TLS";
	if (r->outcome == PGTLS_OUTCOME_OPPORTUNISTIC)
		return "TLS without verification, and retries without TLS";
	if (r->outcome == PGTLS_OUTCOME_VERIFIES_CA && r->sslmode == PGTLS_SSLMODE_REQUIRE)
		return "the driver verifies the CA in require mode because the root certificate file exists";
	if (r->custom_host_check && r->outcome == PGTLS_OUTCOME_VERIFIES_CA && r->sslmode == PGTLS_SSLMODE_VERIFY_FULL)
		return "the host name is checked by the application's own code (pgjdbc sslhostnameverifier, Node "
		       "checkServerIdentity), not the driver's: only the CA is known to be verified";
	if (r->outcome == PGTLS_OUTCOME_VERIFIES_FULL && d->weak_modes_verify_full &&
	    r->sslmode != PGTLS_SSLMODE_VERIFY_FULL)
		return "node-postgres treats sslmode prefer/require/verify-ca as verify-full (unless uselibpqcompat=true)";
	return NULL;
}

static void add_rec(pgtls_clients *c, const char *file, int line, const char *kind, pgtls_driver driver,
                    const char *raw, size_t rawlen, const pgtls_settings *params, const pgtls_observed *seen,
                    const pgtls_settings *envobj, const char *note, const char *unresolved, char *app);

void
pgtls__clients_add(pgtls_clients *c, const char *file, int line, const char *kind, pgtls_driver driver, const char *raw,
                   size_t rawlen, const pgtls_settings *params, const pgtls_settings *envobj)
{
	pgtls__clients_add_ex(c, file, line, kind, driver, raw, rawlen, params, NULL, envobj, NULL, NULL);
}

void
pgtls__clients_add_ex(pgtls_clients *c, const char *file, int line, const char *kind, pgtls_driver driver,
                      const char *raw, size_t rawlen, const pgtls_settings *params, const pgtls_observed *seen,
                      const pgtls_settings *envobj, const char *note, const char *unresolved)
{
	static const pgtls_observed nothing_seen;
	pgtls_observed seen_svc = seen ? *seen : nothing_seen;
	char *app = pgtls__app_of(c, file), bad[sizeof(seen_svc.bad_setting)], svc_unres[600];
	pgtls_settings *procenv = NULL, *svc;

	if (c->app && pgtls__settings_count(c->app->env) > 0 && (procenv = pgtls__settings_dup(c->app->env)) != NULL)
	{
		/* the manifest's process environment, below what the file itself sets */
		if (envobj)
			pgtls__settings_merge(procenv, envobj, true, NULL);
		envobj = procenv;
	}
	svc = pgtls__service_settings(c, file, app, params, envobj, bad, sizeof(bad), svc_unres, sizeof(svc_unres));

	if (svc)
	{
		/* service=NAME: the service's settings below the string's, as libpq adds them */
		if (bad[0] && seen_svc.bad_setting[0] == '\0')
			snprintf(seen_svc.bad_setting, sizeof(seen_svc.bad_setting), "%s", bad);
		params = svc;
		seen = &seen_svc;
		if (svc_unres[0] && unresolved == NULL)
			unresolved = svc_unres;
	}
	add_rec(c, file, line, kind, driver, raw, rawlen, params, seen, envobj, note, unresolved, app);
	pgtls__settings_free(svc);
	pgtls__settings_free(procenv);
}

/* one record (APP: its application directory, owned from here on) */
static void
add_rec(pgtls_clients *c, const char *file, int line, const char *kind, pgtls_driver driver, const char *raw,
        size_t rawlen, const pgtls_settings *params, const pgtls_observed *seen, const pgtls_settings *envobj,
        const char *note, const char *unresolved, char *app)
{
	static const pgtls_observed nothing_seen;
	client_rec *r;

	if (c->nrecs >= MAX_FINDINGS)
	{
		c->nrecs_dropped++; /* counted and said: a client not listed is not an all-clear */
		free(app);
		return;
	}
	if (c->nrecs == c->caprecs)
	{
		int cap = c->caprecs ? c->caprecs * 2 : 64;
		client_rec *grown = realloc(c->recs, (size_t)cap * sizeof(*grown));

		if (grown == NULL)
		{
			free(app);
			return;
		}
		c->recs = grown;
		c->caprecs = cap;
	}
	r = &c->recs[c->nrecs];
	memset(r, 0, sizeof(*r));
	r->file = strdup(file);
	r->line = line;
	r->seq = c->seq++;
	r->kind = kind;
	r->driver = driver;
	r->spec = pgtls__mask_secrets(raw, rawlen);
	r->host = dup_or_null(params->host);
	r->hostaddr = dup_or_null(params->hostaddr);
	r->port = dup_or_null(params->port);
	r->dbname = dup_or_null(params->dbname);
	r->user = dup_or_null(params->user);
	/* pgjdbc's own spelling is ApplicationName */
	r->appname = dup_or_null(params->application_name ? params->application_name
	                                                  : pgtls__settings_extra(params, "ApplicationName"));
	/* a value the masked spec does not show was parsed out of the password (a URI "u:p/w@h"): hide it */
	{
		const struct
		{
			unsigned bit;
			const char *v;
		} fields[] = {{CL_HIDE_HOST, r->host},
		              {CL_HIDE_PORT, r->port},
		              {CL_HIDE_DBNAME, r->dbname},
		              {CL_HIDE_USER, r->user},
		              {CL_HIDE_HOSTADDR, r->hostaddr}};

		for (size_t k = 0; r->spec && k < sizeof(fields) / sizeof(fields[0]); k++)
			if (fields[k].v && fields[k].v[0] && strstr(r->spec, fields[k].v) == NULL &&
			    memmem(raw, rawlen, fields[k].v, strlen(fields[k].v)))
				r->hidden |= fields[k].bit;
	}
	if (pgtls__has_placeholder(r->host))
	{
		/* the host is set where the application runs: shown, never probed */
		char buf[900];

		snprintf(buf, sizeof(buf), "%s%sthe host comes from code or the environment (%.100s)", note ? note : "",
		         note && note[0] ? "; " : "", r->host);
		r->note = pgtls__mask_secrets(buf, strlen(buf));
	}
	else
		r->note = note && note[0] ? pgtls__mask_secrets(note, strlen(note)) : NULL;
	r->unresolved = unresolved ? pgtls__mask_secrets(unresolved, strlen(unresolved)) : NULL;
	r->app = app;
	r->reject_unauthorized = seen && seen->reject_unauthorized;
	judge(c, r, params, seen ? seen : &nothing_seen, envobj);
	c->nrecs++;
}

void
pgtls__clients_drop_spec(pgtls_clients *c, const char *file, const char *raw)
{
	char *masked = pgtls__mask_secrets(raw, strlen(raw));

	for (int i = c->nrecs - 1; masked && i >= 0; i--)
		if (c->recs[i].spec && strcmp(c->recs[i].spec, masked) == 0 && strcmp(c->recs[i].file, file) == 0)
		{
			rec_clear(&c->recs[i]);
			memmove(&c->recs[i], &c->recs[i + 1], (size_t)(c->nrecs - i - 1) * sizeof(c->recs[0]));
			c->nrecs--;
			break;
		}
	free(masked);
}

const char *
pgtls__client_shown(const client_rec *r, unsigned field, const char *value)
{
	return (r->hidden & field) ? "****" : value;
}

/* a client whose settings fail here and everywhere (not one whose root file may exist where it runs) */
static bool
fails_now(const client_rec *r)
{
	return r->failure != PGTLS_FAIL_NONE && r->failure != PGTLS_FAIL_ROOT_MISSING && r->failure != PGTLS_FAIL_NO_HOME &&
	       r->unresolved == NULL;
}

/*
 * 0 every client verifies the server fully, 1 otherwise, 2 clients that
 * fail, or a decoy contradicts a client's settings
 */
int
pgtls_clients_status(const pgtls_clients *c)
{
	if (c == NULL)
		return 3;
	/* a client that accepted a decoy although its settings verify, or whose settings fail: critical */
	for (int i = 0; i < c->nrecs; i++)
		if ((c->recs[i].decoy_finding && strcmp(c->recs[i].decoy_finding, "decoy_contradicts_settings") == 0) ||
		    fails_now(&c->recs[i]))
			return 2;
	if (c->nrecs_dropped > 0 || c->nskipped > 0 || c->nskipped_more > 0 || c->nunparsed > c->nunparsed_acked ||
	    c->nunparsed_more > 0)
		return 1;
	for (int i = 0; i < c->nrecs; i++)
		if (c->recs[i].outcome != PGTLS_OUTCOME_VERIFIES_FULL || c->recs[i].failure != PGTLS_FAIL_NONE ||
		    (c->recs[i].decoy_finding && strcmp(c->recs[i].decoy_finding, "decoy_confirms_settings") != 0))
			return 1;
	return 0;
}

bool
pgtls__file_exists(const char *path)
{
	struct stat st;

	return path && path[0] && stat(path, &st) == 0;
}
