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
#include "rules/rules.h"

struct json_t;

/* conninfo.c: key -> value objects, NULL with ERR set on error */
struct json_t *pgtls__conninfo_parse(const char *s, char *err, size_t errlen);
struct json_t *pgtls__jdbc_parse(const char *s, char *err, size_t errlen);

/* One client found: where, which driver, and its TLS settings after the driver's defaults. */
typedef struct client_rec
{
	char *file;
	int line;
	const char *kind; /* conninfo, uri, jdbc-url, env-file, environment, pg_service, django, npgsql */
	pgtls_driver driver;
	char *spec; /* as found, password masked */
	char *host; /* NULL: the driver's default */
	char *hostaddr;
	char *port;
	char *dbname;
	char *user;
	unsigned hidden;            /* CL_HIDE_* fields parsed out of a masked password: shown as "****" */
	char *sslmode_text;         /* effective sslmode as the application spells it */
	const char *sslmode_source; /* explicit, environment (PGSSLMODE), driver default, ... */
	pgtls_sslmode sslmode;
	char *sslfactory; /* pgjdbc, or NULL */
	char *jvm_store;  /* DefaultJavaSSLFactory: javax.net.ssl.trustStore found beside it, or NULL */
	pgtls_trust trust;
	char *rootcert; /* path the driver reads, "system", or NULL */
	const char *root_source;
	bool root_explicit;
	pgtls_root_state root;
	/* the rules engine's classification */
	pgtls_client_outcome outcome;
	pgtls_verified verifies_when_tls;
	pgtls_failure failure;
} client_rec;

#define CL_HIDE_HOST 1u
#define CL_HIDE_PORT 2u
#define CL_HIDE_DBNAME 4u
#define CL_HIDE_USER 8u
#define CL_HIDE_HOSTADDR 16u

/* FIELD of R for output: "****" when it came out of a masked password, else its value (may be NULL) */
const char *pgtls__client_shown(const client_rec *r, unsigned field, const char *value);

typedef struct skipped_path
{
	char *path;
	char *reason;
} skipped_path;

struct pgtls_clients
{
	pgtls_errslot err;
	client_rec *recs;
	int nrecs;
	int caprecs;
	int nrecs_dropped; /* found beyond the 100,000 listed */
	skipped_path *skipped;
	int nskipped;
	int nskipped_more; /* skipped beyond the listed 1000 */
	int files;
	char home[1024];
	bool home_given;    /* the application's HOME (--home), not the scanning user's */
	bool force_service; /* the file being read is a service file (PGSERVICEFILE) */
};

/* clients.c: adds one record for settings PARAMS found at FILE:LINE (RAW is masked before it is kept) */
void pgtls__clients_add(pgtls_clients *c, const char *file, int line, const char *kind, pgtls_driver driver,
                        const char *raw, size_t rawlen, struct json_t *params, struct json_t *envobj);

/*
 * scan.c: the javax.net.ssl.trustStore named in BUF (a -D option, a
 * properties line, JAVA_TOOL_OPTIONS), given to the records from FIRST on
 * that use the JVM trust store.  A relative path is taken from DIR_OF's
 * directory (NULL: kept as is).
 */
void pgtls__clients_jvm_store(pgtls_clients *c, int first, const char *buf, size_t len, const char *dir_of);

/* string member K of the parsed settings O, or NULL */
const char *pgtls__jget(struct json_t *o, const char *k);
bool pgtls__file_exists(const char *path);

/* clients.c: the verdict sentence and its detail (for people; decisions use the enums) */
const char *pgtls__client_verdict(const client_rec *r);
const char *pgtls__client_detail(const client_rec *r);

/* report/json_clients.c */
struct json_t *pgtls__clients_to_json(const pgtls_clients *c);

#endif
