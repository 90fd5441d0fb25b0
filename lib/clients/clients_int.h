/*-------------------------------------------------------------------------
 *
 * clients_int.h
 *	  Private declarations of the client-side scanner: the typed client
 *	  record every reader produces, and the clients object.
 *
 * IDENTIFICATION
 *	  lib/clients/clients_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_CLIENTS_INT_H
#define PGTLS_CLIENTS_INT_H

#include "pgtls_int.h"
#include "conninfo/conninfo.h"
#include "rules/rules.h"

struct json_t;

/* pgjdbc, whatever its version */
#define PGTLS_IS_PGJDBC(d) ((d) == PGTLS_DRIVER_PGJDBC || (d) == PGTLS_DRIVER_PGJDBC_OLD)

/* One client found: where, which driver, and its TLS settings after the driver's defaults. */
typedef struct client_rec
{
	char *file;
	int line;
	unsigned seq;     /* order found */
	const char *kind; /* conninfo, uri, jdbc-url, env-file, environment, pg_service, django, npgsql */
	pgtls_driver driver;
	char *spec; /* as found, password masked */
	char *host; /* NULL: the driver's default */
	char *hostaddr;
	char *port;
	char *dbname;
	char *user;
	char *appname;              /* application_name (pgjdbc ApplicationName), or NULL */
	unsigned hidden;            /* CL_HIDE_* fields parsed out of a masked password: shown as "****" */
	char *sslmode_text;         /* effective sslmode as the application spells it */
	const char *sslmode_source; /* explicit, environment (PGSSLMODE), driver default, ... */
	pgtls_sslmode sslmode;
	char *sslfactory;       /* pgjdbc, or NULL */
	bool custom_host_check; /* pgjdbc sslhostnameverifier other than the driver's */
	char *jvm_store;        /* DefaultJavaSSLFactory: javax.net.ssl.trustStore found beside it, or NULL */
	char *jvm_store_pw_at;  /* FILE:LINE of a -Djavax.net.ssl.trustStorePassword that is not changeit, or NULL */
	pgtls_trust trust;
	char *rootcert; /* path the driver reads, "system", or NULL */
	const char *root_source;
	bool root_explicit;
	pgtls_root_state root;
	char *note;       /* what the reader noticed (placeholder defaults, parameters libpq does not know), or NULL */
	char *unresolved; /* a setting deciding the outcome comes from somewhere not seen: why (outcome unknown) */
	/* the rules engine's classification */
	pgtls_client_outcome outcome;
	pgtls_verified verifies_when_tls;
	pgtls_failure failure;
	/* what a decoy saw of this client (pgtls_clients_set_decoy()) */
	const char *decoy_finding; /* stable code, or NULL when no session matched */
	unsigned decoy_codes;      /* 1u << pgtls_decoy_verdict, over its sessions */
	int decoy_sessions[8];     /* the first session ids */
	int ndecoy_sessions;
	pgtls_decoy_mode decoy_mode;
	/* what rehearsals saw of this client (pgtls_clients_set_observed()) */
	int obs_sessions;          /* sessions matched, over every report */
	pgtls_prediction observed; /* the worst of them (pgtls__rules_rehearsal_worse()) */
	const char *obs_proves;    /* what they proved, the weakest ("ca_trust" < "ca_trust_and_host_name") */
	char obs_mode[16];         /* new-chain or relay (the last report that saw it) */
	/* what the server's logs saw of this client (pgtls_clients_set_logs()) */
	char log_fallback_since[32]; /* its first plaintext connection after TLS, or "" */
	int64_t log_connections;     /* its connections in the logs (0: not seen) */
	/* where the application runs (app.c) */
	char *app;                /* the application's directory: nearest with a build/lock/compose file, or the PATH */
	char *root_given;         /* the root path as the settings spell it, when read from elsewhere, or NULL */
	bool reject_unauthorized; /* node-postgres: rejectUnauthorized: true written in the ssl object */
	bool bad_setting;         /* the driver refuses the settings themselves (not re-judged) */
	char *extra_ca;           /* NODE_EXTRA_CA_CERTS (node-postgres on Node's store), or NULL */
	char *system_file;        /* SSL_CERT_FILE (the OpenSSL system store: libpq system, Go, asyncpg), or NULL */
} client_rec;

#define CL_HIDE_HOST 1u
#define CL_HIDE_PORT 2u
#define CL_HIDE_DBNAME 4u
#define CL_HIDE_USER 8u
#define CL_HIDE_HOSTADDR 16u

/* note.c: FMT's text added to R's note (after "; " when it has one), passwords masked */
void pgtls__client_note_add(client_rec *r, const char *fmt, ...) PGTLS_PRINTF(2, 3);

/* java.c: what makes R (trust PGTLS_TRUST_JVM) read the JVM trust store, for people */
const char *pgtls__jvm_source(const client_rec *r);

/* report/json_clients.c: R's "decoy" object (R->decoy_finding set) */
struct json_t *pgtls__client_decoy_json(const client_rec *r);

/* FIELD of R for output: "****" when it came out of a masked password, else its value (may be NULL) */
const char *pgtls__client_shown(const client_rec *r, unsigned field, const char *value);

typedef struct skipped_path
{
	char *path;
	char *reason;
	int line;        /* unparsed settings: the line, 0 when none */
	const char *ack; /* unparsed settings a person checked (the manifest's reason), or NULL */
} skipped_path;

/* manifest.c: an application as its manifest describes it */
typedef struct pgtls_app
{
	char *name;
	char *paths[64];
	int npaths;
	char *workdir;
	char *home;
	char *jvm_store;
	pgtls_settings *env; /* its process environment, by variable name */
	char *volumes[64];   /* HOST:CONTAINER */
	int nvolumes;
} pgtls_app;

/* manifest.c: a not-understood line a person checked */
typedef struct pgtls_ack
{
	char *file;
	int line; /* 0: every line of FILE */
	char *reason;
} pgtls_ack;

#define MAX_UNPARSED 10000

/* java.c: the pgjdbc version a Java project builds with */
typedef struct pgtls_java_version
{
	int v[3];              /* major, minor, patch; -1 when not known */
	char file[1100];       /* the build file it came from, "" when none */
	char managed_by[1100]; /* a build file naming pgjdbc without a version (a parent POM or BOM sets it), or "" */
	char unreadable[1100]; /* a pom.xml that is not well-formed XML (or beyond libxml2's limits), or "" */
} pgtls_java_version;

/* project.c: the last directory asked about, and the last project directory found */
typedef struct pgtls_project_cache
{
	char dir[1024];
	char proj_dir[1024];
} pgtls_project_cache;

/*
 * project.c: the answer for FILE's project into HERE (ANSLEN bytes): RESET
 * it, then READ each directory from FILE's upwards until one answers
 * (returns true).  The answer of the last directory asked stays in HERE;
 * the last project found and its answer (PROJ) are not read again.
 */
void pgtls__project_find(pgtls_project_cache *pc, const char *file, void *here, void *proj, size_t anslen,
                         bool (*read)(const char *dir, void *ans), void (*reset)(void *ans));

/* node.c: the node-postgres versions a project locks */
typedef struct pgtls_node_versions
{
	int pg[2];       /* pg major, minor from its lock file; -1 when not known */
	int pcs[2];      /* pg-connection-string major, minor; -1 when not known */
	char lock[1100]; /* the file they came from, "" when none */
} pgtls_node_versions;

/*
 * project.c: "42.2.4", "42.2.4.jre7", "0.27.0", "9.4.1212", "9.4-1201-jdbc41"
 * (V, N bytes) -> major, minor, patch (0 when absent); false, with -1s,
 * when it does not start with a plain major.minor (a range, "42.+", a
 * property left unresolved).
 */
bool pgtls__version_parse(const char *v, size_t n, int out[3]);

/* python.c: the asyncpg version a Python project pins */
typedef struct pgtls_py_version
{
	int v[3];        /* major, minor, patch; -1 when not known */
	char file[1100]; /* the lock or requirements file, "" when none */
} pgtls_py_version;

#define PGTLS_PY_TOML_LOCK 0    /* poetry.lock, uv.lock, pdm.lock */
#define PGTLS_PY_PIPFILE_LOCK 1 /* Pipfile.lock (JSON) */
#define PGTLS_PY_REQUIREMENTS 2 /* requirements.txt: NAME==X pins */

#define PGTLS_JAVA_POM 0
#define PGTLS_JAVA_GRADLE 1 /* build.gradle[.kts], gradle.lockfile, libs.versions.toml: line readers */

/* read_yaml.c: a CI job's command line and the PG* variables its job sets */
typedef struct pgtls_cmd_env
{
	pgtls_settings *vars;
} pgtls_cmd_env;

/* app.c: what an application's files set for the whole process or map into its containers */
typedef enum app_fact_kind
{
	APP_ENV,         /* NAME=value a process runs with (Dockerfile ENV, compose/Kubernetes env, unit, script, .env) */
	APP_MOUNT,       /* a container path NAME is the host path VALUE (compose volumes, Kubernetes hostPath) */
	APP_JVM_STORE,   /* -Djavax.net.ssl.trustStore=VALUE (start script, JAVA_OPTS, JAVA_TOOL_OPTIONS, unit, ...) */
	APP_JVM_STORE_PW /* -Djavax.net.ssl.trustStorePassword: VALUE is "changeit" or "other" (never the password) */
} app_fact_kind;

typedef struct app_fact
{
	app_fact_kind kind;
	char *app; /* the application's directory */
	char *name;
	char *value;
	char *file;
	int line;
} app_fact;

/* trustfiles.c: a certificate or key store found under the scanned paths */
typedef struct trust_file
{
	char *path;
	const char *format; /* pem, der, pkcs7, pkcs12, jks */
	char *error;        /* not readable without a password, damaged, ...; or NULL */
	int ncerts;
	char (*sha256)[100];    /* the certificates' SHA-256 fingerprints (keytool form, pgtls__fingerprint) */
	struct x509_st **certs; /* the certificates (owned) */
} trust_file;

#define MAX_TRUST_FILES 10000
#define MAX_SWEEP_NAMES 100000

struct pgtls_clients
{
	pgtls_errslot err;
	client_rec *recs;
	int nrecs;
	int caprecs;
	int nrecs_dropped; /* found beyond the 100,000 listed */
	skipped_path *skipped;
	int nskipped;
	int nskipped_more;      /* skipped beyond the listed 1000 */
	skipped_path *unparsed; /* looked like PostgreSQL settings, not understood (reason) */
	int nunparsed;
	int nunparsed_more; /* beyond the listed MAX_UNPARSED */
	unsigned seq;       /* records made so far */
	int files;
	unsigned paths;          /* paths met (for progress) */
	pgtls_cmd_env *cmd_envs; /* CI files: the PG* variables a job sets for its command lines (read_yaml.c) */
	int ncmd_envs;
	int capcmd_envs;
	struct json_t *cmd_index;        /* a command line's text -> its position in cmd_envs (a hash map) */
	pgtls_project_cache gomod_cache; /* Go modules (scan.c): 1 when the go.mod requires lib/pq v1.12.0 or later */
	int gomod_here;
	int gomod_proj;
	pgtls_project_cache
	    node_cache; /* node-postgres versions (node.c): of the last directory asked, of the last project */
	pgtls_node_versions node_here;
	pgtls_node_versions node_proj;
	pgtls_project_cache java_cache; /* pgjdbc versions (java.c): of the last directory asked, of the last project */
	pgtls_java_version java_here;
	pgtls_java_version java_proj;
	pgtls_project_cache py_cache; /* asyncpg versions (python.c) */
	pgtls_py_version py_here;
	pgtls_py_version py_proj;
	int binaries; /* files with NUL bytes in their first 8 KiB: not read as settings */
	void (*progress)(void *arg, int files, const char *path);
	void *progress_arg;
	char home[1024];
	bool home_given;      /* the application's HOME (--home), not the scanning user's */
	bool force_service;   /* the file being read is a service file (PGSERVICEFILE) */
	char scan_root[1024]; /* the PATH being scanned: an application, or a tree of them */
	pgtls_project_cache app_cache;
	char app_here[1024];    /* the application of the last directory asked (app.c) */
	struct json_t *markers; /* directory -> has a build, lock or compose file (app.c), per scan */
	app_fact *facts;        /* app.c */
	int nfacts;
	int capfacts;
	trust_file *tfiles; /* trustfiles.c */
	int ntfiles;
	int ntfiles_more;
	struct json_t *name_set; /* host names a file must not name silently (TARGETs): lower case -> itself */
	char svcfile[1024];      /* the service file a script exported (PGSERVICEFILE), for its commands, or "" */
	pgtls_app *apps;         /* the application manifest (manifest.c) */
	int napps;
	const pgtls_app *app; /* the manifest's application being scanned, or NULL */
	pgtls_ack *acks;
	int nacks;
	int nunparsed_acked; /* unparsed entries a person checked */
	/* rehearsal sessions matched to no client (pgtls_clients_set_observed()), per observed prediction */
	int obs_unattributed[PGTLS_PREDICT_UNKNOWN + 1];
	int obs_reports;
};

/*
 * java.c: the pgjdbc version in BUF (N bytes, NUL-terminated) read as KIND
 * (PGTLS_JAVA_*); PROPS: gradle.properties beside it, or NULL.  1: VER set;
 * 0: pgjdbc named without a version; -1: not named; -2: not readable (a
 * pom.xml that is not well-formed XML).
 */
int pgtls__java_build_parse(int kind, const char *buf, size_t n, const char *props, int ver[3]);
/* python.c: NAME's version in BUF (N bytes, NUL-terminated) read as KIND (PGTLS_PY_*); false when not pinned */
int pgtls__python_lock_parse(int kind, const char *buf, size_t n, const char *name, int out[3]);
/* python.c: R's project asyncpg version, in R's note; before 0.25 R is unresolved (not emulated) */
void pgtls__python_version(pgtls_clients *c, client_rec *r);
/* java.c: R's project pgjdbc version, in R's note; a version before 42.2.5 makes R PGTLS_DRIVER_PGJDBC_OLD */
void pgtls__java_version(pgtls_clients *c, client_rec *r);
/* node.c: the node-postgres versions of FILE's project (nearest lock file or package.json above it) */
void pgtls__node_versions(pgtls_clients *c, const char *file);
/*
 * node.c: the pg and pg-connection-string versions (major, minor; -1 when
 * absent) in BUF (N bytes, NUL-terminated) read as KIND: 0 npm-shrinkwrap.json,
 * 1 package-lock.json, 2 yarn.lock, 3 pnpm-lock.yaml, 4 package.json
 */
void pgtls__node_lock_parse(int kind, const char *buf, size_t n, int pg[2], int pcs[2]);
/* node.c: R's note names the node-postgres versions its reading (rules/readings.c) comes from */
void pgtls__node_version_note(const pgtls_clients *c, client_rec *r);
/* node.c: the versions the node-postgres rules came from, for people */
void pgtls__node_note(const pgtls_clients *c, char *buf, size_t len);
/* read_prisma.c: the root file CERT (Prisma's sslcert) as Prisma opens it for R: relative to the schema (malloc'd) */
char *pgtls__prisma_root_path(const client_rec *r, const char *cert);
/* read_prisma.c: FILE is a Prisma schema (*.prisma) */
bool pgtls__is_prisma_schema(const char *path);
/* read_prisma.c: the postgresql datasource URLs of a Prisma schema */
void pgtls__read_prisma(pgtls_clients *c, const char *path, const char *buf, size_t len);
/* read_prisma.c: a URL with parameters only Prisma reads (sslaccept, schema, pgbouncer, ...) in EXTRA */
bool pgtls__prisma_params(const pgtls_settings *extra);

/*
 * clients.c: adds one record for settings PARAMS found at FILE:LINE (RAW
 * is masked before it is kept); ENVOBJ: the PG* variables in force for
 * libpq-family drivers (may be NULL).  The record is judged here, once.
 */
void pgtls__clients_add(pgtls_clients *c, const char *file, int line, const char *kind, pgtls_driver driver,
                        const char *raw, size_t rawlen, const pgtls_settings *params, const pgtls_settings *envobj);
/*
 * the same, with SEEN (what the reader observed, may be NULL), NOTE (for
 * people, may be NULL or "") and UNRESOLVED (why the outcome is unknown, or NULL)
 */
void pgtls__clients_add_ex(pgtls_clients *c, const char *file, int line, const char *kind, pgtls_driver driver,
                           const char *raw, size_t rawlen, const pgtls_settings *params, const pgtls_observed *seen,
                           const pgtls_settings *envobj, const char *note, const char *unresolved);
/* clients.c: settings at FILE:LINE (LINE 0: none) that look like PostgreSQL's but are not understood */
void pgtls__clients_unparsed(pgtls_clients *c, const char *file, int line, const char *fmt, ...) PGTLS_PRINTF(4, 5);

/* read_strings.c: the connection strings on one line (conninfo, URIs, JDBC URLs, Npgsql) */
void pgtls__read_line(pgtls_clients *c, const char *path, int lineno, const char *line, size_t n, pgtls_driver driver,
                      const pgtls_settings *envobj);
const char *pgtls__strcasestr_n(const char *hay, size_t n, const char *needle);
/* the 1-based line of AT in BUF */
int pgtls__line_of(const char *buf, const char *at);
void pgtls__clients_add_call(pgtls_clients *c, const char *path, int line, pgtls_driver driver, const char *raw,
                             size_t rawlen, const char *dsn, const pgtls_settings *kw, const char *kwnote,
                             const char *why);
/* the same for any KIND, with SEEN (what the reader observed beside KW, or NULL) and ENV (PG* variables, or NULL) */
void pgtls__clients_add_cmd(pgtls_clients *c, const char *path, int line, const char *kind, pgtls_driver driver,
                            const char *raw, size_t rawlen, const char *dsn, const pgtls_settings *kw,
                            const pgtls_observed *seen, const pgtls_settings *env, const char *kwnote, const char *why);
/* clients.c: removes the record of FILE whose spec is RAW (masked as records keep it), if any */
void pgtls__clients_drop_spec(pgtls_clients *c, const char *file, const char *raw);
/* scan.c: the readers over one file's bytes (BUF[LEN] is NUL), as if read from PATH (its name picks the readers) */
void pgtls__clients_scan_buffer(pgtls_clients *c, const char *path, const char *buf, size_t len);
/* scan.c: KEY=VALUE (optionally "export ", quotes) -> KEY, VALUE (malloc'd) */
bool pgtls__assignment(const char *line, size_t n, char *key, size_t keylen, char **val);
/* scan.c: the PG* variables of an environment file's lines into VARS; the first one's line, or 0 */
int pgtls__env_vars(const char *buf, size_t len, pgtls_settings *vars);
/* read_shell.c: libpq tools (psql, pg_dump, ...) on command lines, with the PG* variables set in the file
 * (export, systemd Environment=/EnvironmentFile=, Dockerfile ENV) and before the command */
void pgtls__read_shell(pgtls_clients *c, const char *path, const char *buf, size_t len);
/* the PG* variables of an environment file FILE (a leading "-": may be missing) into ENV; unreadable: unparsed */
void pgtls__env_file(pgtls_clients *c, const char *path, int line, const char *file, pgtls_settings *env);
/* read_yaml.c: the PG* variables a CI job sets for COMMAND (its line's text), or NULL; forgets them all */
const pgtls_settings *pgtls__clients_cmd_env(const pgtls_clients *c, const char *command);
void pgtls__clients_cmd_envs_clear(pgtls_clients *c);
/* read_yaml.c: Rails database.yml, docker-compose and Kubernetes environments (libyaml) */
bool pgtls__is_yaml(const char *path);
void pgtls__read_yaml(pgtls_clients *c, const char *path, const char *buf, size_t len);
/* read_tools.c: pgAdmin servers.json, Grafana [database], Laravel config/database.php */
void pgtls__read_tools(pgtls_clients *c, const char *path, const char *buf, size_t len);
/* read_js.c: node-postgres Pool/Client, knex, Sequelize and TypeORM configuration objects */
void pgtls__read_js(pgtls_clients *c, const char *path, const char *buf, size_t len);
/* read_java.c: pgjdbc Properties, DataSource setters and Spring data-source-properties beside the file's URLs
 * (the records from FIRST on) */
bool pgtls__is_java_source(const char *path);
void pgtls__read_java(pgtls_clients *c, const char *path, const char *buf, size_t len, int first);
/* read_ruby.c: PG.connect / PG::Connection.new hashes, establish_connection, Sequel.connect */
void pgtls__read_ruby(pgtls_clients *c, const char *path, const char *buf, size_t len);
/* read_python.c: driver calls with keyword arguments, SQLAlchemy engines, Django DATABASES */
void pgtls__read_python(pgtls_clients *c, const char *path, const char *buf, size_t len);
/* ${NAME}, %(name)s, {name}, $NAME, <%= ... %>: a value set where the application runs, not here */
bool pgtls__has_placeholder(const char *v);

/*
 * scan.c: the javax.net.ssl.trustStore named in BUF (a -D option, a
 * properties line, JAVA_TOOL_OPTIONS), given to the records from FIRST on
 * that use the JVM trust store.  A relative path is taken from DIR_OF's
 * directory (NULL: kept as is).
 */
void pgtls__clients_jvm_store(pgtls_clients *c, int first, const char *buf, size_t len, const char *dir_of);

bool pgtls__file_exists(const char *path);

/* manifest.c: the manifest PATH's bytes BUF[N] (NUL-terminated) into C's applications and acknowledgements */
pgtls_err pgtls__apps_parse(pgtls_clients *c, const char *path, const char *buf, size_t n);
void pgtls__apps_free(pgtls_clients *c);
const char *pgtls__ack_of(const pgtls_clients *c, const char *file, int line);
/* app.c: one fact of application APP (its directory) */
void pgtls__app_fact(pgtls_clients *c, app_fact_kind kind, const char *app, const char *name, const char *value,
                     const char *file, int line);
/* app.c: environment variable NAME=VALUE of application APP's process, as facts (JVM options: the trust store) */
void pgtls__app_env_fact(pgtls_clients *c, const char *app, const char *name, const char *value, const char *file,
                         int line);
/* app.c: FILE's application directory (malloc'd), or NULL when FILE is not under the PATH being scanned */
char *pgtls__app_of(pgtls_clients *c, const char *file);
/* app.c: the process-wide variables, JVM options and container mounts in one file of an application */
void pgtls__app_facts(pgtls_clients *c, const char *path, const char *buf, size_t len);
/* app.c: a container path mapped to a host path (compose volumes, Kubernetes hostPath) in FILE:LINE */
void pgtls__app_mount(pgtls_clients *c, const char *file, int line, const char *container, const char *host);
/* app.c: the records from FIRST on, judged where their application runs (mounts, JVM options, environment) */
void pgtls__apps_settle(pgtls_clients *c, int first);
/* app.c: the files without any client that name a TARGET or a cloud endpoint: not understood */
void pgtls__app_sweep(pgtls_clients *c, const char *path, const char *buf, size_t len);
/* clients.c: R's outcome from its record's facts (after a setting changed) */
void pgtls__client_classify(client_rec *r);
/* clients.c: R's root file state for its rootcert path (exists, loads) */
void pgtls__client_root_state(client_rec *r);
/* trustfiles.c: PATH (its first bytes BUF, N) as a trust file, if it is one; true when it was */
bool pgtls__trust_file(pgtls_clients *c, const char *path, const char *buf, size_t n);
void pgtls__trust_files_free(pgtls_clients *c);
/* trustfiles.c: the records that read trust file T (rootcert, JVM store, NODE_EXTRA_CA_CERTS) */
int pgtls__trust_file_users(const pgtls_clients *c, const trust_file *t, int *idx, int max);
/* report/json_clients.c: trust file T as JSON; the not-understood settings as JSON */
struct json_t *pgtls__trust_file_json(const pgtls_clients *c, const trust_file *t);
struct json_t *pgtls__clients_not_understood_json(const pgtls_clients *c);

/*
 * services.c: PARAMS with the settings of the service they (or ENV) name
 * added as libpq adds them (malloc'd), or NULL when none is named; BAD:
 * libpq refuses it ("definition of service ... not found"); UNRES: not
 * knowable here.  FILE and APP: where the settings were found.
 */
pgtls_settings *pgtls__service_settings(pgtls_clients *c, const char *file, const char *app,
                                        const pgtls_settings *params, const pgtls_settings *env, char *bad,
                                        size_t badlen, char *unres, size_t unreslen);

/* clients.c: the verdict sentence and its detail (for people; decisions use the enums) */
const char *pgtls__client_verdict(const client_rec *r);
const char *pgtls__client_detail(const client_rec *r);
const char *pgtls__client_reason(const client_rec *r);

/* report/json_clients.c */
struct json_t *pgtls__clients_to_json(const pgtls_clients *c);

#endif
