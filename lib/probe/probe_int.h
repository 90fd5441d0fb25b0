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
	char format[16]; /* pem, der, pkcs12, jks ... */
	bool alt_loaded; /* libpq cannot read it, pgtls could (DER, PKCS#12, JKS) */
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
	bool sslsni;

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

/* verdict.c: fills the typed results and p->status from the finished connections */
pgtls_err pgtls__probe_evaluate(pgtls_probe *p);

/* rootcert.c: fills p->rc (what libpq loads) and checks CHAIN against it */
void pgtls__probe_eval_rootcert(pgtls_probe *p, struct stack_st_X509 *chain);

/* How the TLS negotiation of C went, as the rules engine sees it. */
pgtls_tls_state pgtls__probe_tls_state(pgtls_conn *c);

/* report/json_probe.c */
struct json_t *pgtls__probe_to_json(const pgtls_probe *p);

#endif /* PGTLS_PROBE_INT_H */
