/*-------------------------------------------------------------------------
 *
 * probe_int.h
 *	  The probe object, shared by target.c, probe.c and verdict.c.
 *
 * IDENTIFICATION
 *	  lib/probe/probe_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_PROBE_INT_H
#define PGTLS_PROBE_INT_H

#include <netdb.h>

#include "pgtls_int.h"
#include "rules/rules.h"
#include "x509/cert_int.h"

struct stack_st_X509;
struct _PQconninfoOption;

#define PROBE_MAX_CONNS 3
#define PROBE_MAX_NAME 255 /* user and database names */

/* What libpq would do with the root certificate setting. */
typedef struct rootcert_eval
{
	char setting[1024]; /* as configured ("" = default) */
	const char *source; /* "option", "conninfo", "env", "default" */
	char path[1024];    /* file libpq would open ("" = none) */
	bool system;        /* sslrootcert=system (libpq >= 16) */
	bool exists;        /* stat() succeeds: libpq verifies */
	bool loaded;
	char load_error[512]; /* libpq's text when loading fails */
	int ncerts;
	bool crl_loaded;
	char crl_source[2100]; /* the CRL file and/or directory loaded */
	char format[16];       /* pem, der, pkcs12, jks ... */
	bool alt_loaded;       /* libpq cannot read it, pgtls could (DER, PKCS#12, JKS) */
	char alt_error[512];

	/* chain verification against it */
	bool verified;   /* X509_verify_cert ok */
	int verify_code; /* X509_V_* */
	int verify_depth;
	char verify_reason[256]; /* OpenSSL's precise reason */
	char verify_hint[512];   /* what it means (missing intermediate...) */
} rootcert_eval;

#define PROBE_MAX_VERDICTS 12
#define PROBE_ERRTEXT_MAX 1024

/* One sslmode under one negotiation: the rules engine's outcome and libpq's texts. */
struct pgtls_verdict
{
	pgtls_negotiation negotiation;
	pgtls_sslmode sslmode;
	pgtls_outcome outcome;
	char errors[PGTLS_MAX_ATTEMPT_ERRORS][PROBE_ERRTEXT_MAX];
};

/* The client certificate as libpq finds and loads it (initialize_SSL). */
typedef struct clientcert_eval
{
	char cert_path[1024]; /* file libpq opens ("" = none: no home directory) */
	char key_path[1024];
	bool cert_exists;
	bool presented; /* certificate and key loaded: sent when the server asks */
	char subject[256];
	char error[PROBE_ERRTEXT_MAX]; /* libpq's text when loading fails: every TLS attempt fails */
	bool key_encrypted_no_password;
} clientcert_eval;

/* One resolved connection setting, for the report. */
typedef struct probe_setting
{
	const char *keyword;
	const char *origin; /* conninfo, service, env, default, os_user */
	bool secret;        /* value withheld (sslpassword) */
	char value[1024];
} probe_setting;

#define PROBE_MAX_SETTINGS 20

typedef struct probe_finding
{
	pgtls_severity severity;
	const char *code; /* stable code (docs/json-schema.md) */
	char message[PROBE_ERRTEXT_MAX];
} probe_finding;

struct pgtls_probe
{
	pgtls_errslot err;

	/* target */
	char *target;
	char *host;
	char *hostaddr;
	char *port;
	char *cinfo_user;
	char *cinfo_dbname;
	char *cinfo_rootcert;
	char *cinfo_sslmode;
	char *sslcrl;
	char *sslcrldir;
	char *sslcert;
	char *sslkey;
	char *sslpassword;
	char *ssl_min;
	char *ssl_max;
	bool sslsni;
	const char *rootcert_origin; /* origin of cinfo_rootcert */
	const char *sslmode_origin;
	char *cinfo_negotiation;        /* sslnegotiation (libpq 17), taken out before PQconninfoParse */
	const char *negotiation_origin; /* conninfo or env */
	bool neg_option;                /* --negotiation given: it wins */
	probe_setting settings[PROBE_MAX_SETTINGS];
	int nsettings;
	char service_file[1100];          /* where service= was found, or "" */
	int libpq_version;                /* PQlibVersion() form: 150018 */
	const char *libpq_version_source; /* "linked" or "option" */
	pgtls_driver driver;              /* whose verdicts: libpq (default) or pgjdbc */
	bool nonvalidating;               /* pgjdbc with sslfactory=org.postgresql.ssl.NonValidatingFactory */

	/* options */
	char *opt_rootcert;
	bool opt_rootcert_set;
	char *rootcert_password;
	char *servername;
	char *user;
	char *dbname;
	char *home;
	bool neg_postgres;
	bool neg_direct;
	int timeout_ms;
	int warn_days;

	/* run */
	struct addrinfo *addrs;
	struct ssl_ctx_st *ctx;
	pgtls_conn *conns[PROBE_MAX_CONNS];
	pgtls_conn_kind kinds[PROBE_MAX_CONNS];
	int nconns;
	bool started;

	/* results (typed; JSON is made from these by lib/report/json_probe.c) */
	bool evaluated;
	pgtls_conn *pconn; /* SSLRequest connection, or NULL */
	pgtls_conn *dconn; /* direct TLS connection, or NULL */
	pgtls_conn *plain; /* plaintext startup */
	rootcert_eval rc;
	clientcert_eval cc;
	char checked[1100]; /* the name verify-full checks */
	int host_rc;        /* 1 match, 0 mismatch, -1 error */
	char host_msg[512];
	pgtls_cert **chain;
	int nchain;
	struct pgtls_verdict verdicts[PROBE_MAX_VERDICTS];
	int nverdicts;
	probe_finding *findings;
	int nfindings;
	pgtls_severity status;
};

const char *pgtls__probe_checked_name(const pgtls_probe *p);
const char *pgtls__probe_user(const pgtls_probe *p);
const char *pgtls__probe_dbname(const pgtls_probe *p);
const char *pgtls__probe_plain_dbname(const pgtls_probe *p);
const char *pgtls__probe_sslmode(const pgtls_probe *p, const char **source);

/* settings.c: service file, PG* variables and defaults as libpq applies them */
pgtls_err pgtls__probe_resolve(pgtls_probe *p, const struct _PQconninfoOption *opts);
pgtls_err pgtls__probe_set_libpq_version(pgtls_probe *p, const char *value);
pgtls_err pgtls__probe_check_protocols(pgtls_probe *p);
int pgtls__tls_version_number(const char *name);
/* libpq 16+ reads sslrootcert=system as the OS store; older versions as a file name */
#define PROBE_LIBPQ_AT_LEAST(p, major) ((p)->libpq_version >= (major)*10000)

/* clientcert.c: loads the client certificate into CTX as libpq would (fills p->cc) */
void pgtls__probe_load_client_cert(pgtls_probe *p, struct ssl_ctx_st *ctx);

/* verdict.c: fills the typed results and p->status from the finished connections */
pgtls_err pgtls__probe_evaluate(pgtls_probe *p);

/* rootcert.c: fills p->rc (what libpq loads) and checks CHAIN against it */
void pgtls__probe_eval_rootcert(pgtls_probe *p, struct stack_st_X509 *chain);

/* How the TLS negotiation of C went, as the rules engine sees it. */
pgtls_tls_state pgtls__probe_tls_state(pgtls_conn *c);

/* report/json_probe.c */
struct json_t *pgtls__probe_to_json(const pgtls_probe *p);

#endif /* PGTLS_PROBE_INT_H */
