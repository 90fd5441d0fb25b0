/*-------------------------------------------------------------------------
 *
 * pgtls.h
 *	  Public API of libpgtls: prove whether PostgreSQL connections are
 *	  protected by TLS, the way libpq would judge them.
 *
 * IDENTIFICATION
 *	  include/pgtls/pgtls.h
 *
 * NOTES
 *	  All types are opaque.  Every object carries its own error code and
 *	  message (no global state, no errno): after a call returns an error,
 *	  ask the object with pgtls_*_errcode()/pgtls_*_errmsg().  Strings
 *	  returned as "const char *" are owned by the object and valid until the
 *	  next call on it or its _free(); "char *" results are owned by the
 *	  caller and released with pgtls_free().  _free(NULL) is a no-op.
 *
 *	  The library never owns an event loop: a pgtls_conn is a non-blocking
 *	  state machine stepped by the caller (see docs/STATE-MACHINE.md).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_PGTLS_H
#define PGTLS_PGTLS_H

#include <stddef.h>
#include <stdint.h>

/* C linkage for C++ callers (a macro, so the declarations are not indented as a block) */
/* clang-format off */
#ifdef __cplusplus
#define PGTLS_BEGIN_DECLS extern "C" {
#define PGTLS_END_DECLS }
#else
#define PGTLS_BEGIN_DECLS
#define PGTLS_END_DECLS
#endif
/* clang-format on */

PGTLS_BEGIN_DECLS

#if defined(__GNUC__)
#define PGTLS_API __attribute__((visibility("default")))
#define PGTLS_MUSTCHECK __attribute__((warn_unused_result))
#else
#define PGTLS_API
#define PGTLS_MUSTCHECK
#endif

#define PGTLS_VERSION_STR "0.1.0"
#define PGTLS_JSON_SCHEMA 1

/* Error classes.  PGTLS_OK is 0; everything else is a failure. */
typedef enum pgtls_err
{
	PGTLS_OK = 0,
	PGTLS_ERR_USAGE,    /* bad argument or option value */
	PGTLS_ERR_IO,       /* socket / file error, refused, reset */
	PGTLS_ERR_TIMEOUT,  /* a deadline passed */
	PGTLS_ERR_PROTOCOL, /* the peer broke the PostgreSQL protocol */
	PGTLS_ERR_TLS,      /* TLS handshake or record error */
	PGTLS_ERR_VERIFY,   /* certificate verification failed */
	PGTLS_ERR_PARSE,    /* malformed input (file, string, message) */
	PGTLS_ERR_OOM       /* out of memory */
} pgtls_err;

/*
 * What a caller can do about an error, when the library knows: a typed
 * remediation the caller words for its users (library messages name no
 * command-line flags).
 */
typedef enum pgtls_hint
{
	PGTLS_HINT_NONE = 0,
	PGTLS_HINT_FORCE,        /* the output exists: allow overwriting it */
	PGTLS_HINT_PASSWORD,     /* a password is needed */
	PGTLS_HINT_MULTI_FORMAT, /* the format holds one certificate: choose PEM, PKCS#12 or JKS */
	PGTLS_HINT_TOO_MANY      /* a fixed limit of the call was reached */
} pgtls_hint;

/* Short upper-case name of an error class ("TIMEOUT"); never NULL. */
PGTLS_API const char *pgtls_err_name(pgtls_err err);

/* Releases memory returned as "char *" by this library. */
PGTLS_API void pgtls_free(void *ptr);
/* One CSV field, quoted when needed and made formula-safe (a leading ' before = + - @); free with pgtls_free(). */
PGTLS_API char *pgtls_csv_field(const char *value);
/* The NDJSON line of `pgtls scan` for a target that could not be probed; free with pgtls_free(). */
PGTLS_API char *pgtls_scan_error_json(const char *target, const char *source, const char *message);

/* Library version string, e.g. "0.1.0". */
PGTLS_API const char *pgtls_version(void);

/* Monotonic clock in milliseconds, the time base of all deadlines. */
PGTLS_API int64_t pgtls_now_ms(void);

/* ---------------------------------------------------------------------
 * Vocabulary of the rules engine (lib/rules): what a client's driver does
 * with an sslmode, a trust source and a server.  Every verdict, client
 * finding and rotation prediction is decided by one function over these
 * enums; the _name() functions give the stable codes used in JSON.
 * ---------------------------------------------------------------------
 */
typedef enum pgtls_sslmode
{
	PGTLS_SSLMODE_DISABLE = 0,
	PGTLS_SSLMODE_ALLOW,
	PGTLS_SSLMODE_PREFER,
	PGTLS_SSLMODE_REQUIRE,
	PGTLS_SSLMODE_VERIFY_CA,
	PGTLS_SSLMODE_VERIFY_FULL,
	PGTLS_SSLMODE_INVALID /* not a value the driver accepts */
} pgtls_sslmode;

/* Client libraries whose TLS rules are known (docs/drivers.md). */
typedef enum pgtls_driver
{
	PGTLS_DRIVER_LIBPQ = 0,        /* libpq: psql, C programs, pg_service.conf */
	PGTLS_DRIVER_PSYCOPG,          /* psycopg2 / psycopg 3 (libpq underneath) */
	PGTLS_DRIVER_ASYNCPG,          /* asyncpg */
	PGTLS_DRIVER_PGJDBC,           /* PostgreSQL JDBC driver */
	PGTLS_DRIVER_GO_PQ,            /* Go lib/pq */
	PGTLS_DRIVER_PGX,              /* Go jackc/pgx */
	PGTLS_DRIVER_NODE_POSTGRES,    /* node-postgres (pg) */
	PGTLS_DRIVER_NPGSQL,           /* .NET Npgsql */
	PGTLS_DRIVER_GO_PQ_112,        /* Go lib/pq v1.12.0 and later (go.mod): ~/.postgresql/root.crt by default */
	PGTLS_DRIVER_PRISMA,           /* Prisma ORM's Rust engine (quaint over tokio-postgres) */
	PGTLS_DRIVER_NODE_PG7,         /* node-postgres before 8.0 (lock file): ssl verifies nothing by default */
	PGTLS_DRIVER_NODE_LIBPQCOMPAT, /* node-postgres with uselibpqcompat=true (pg-connection-string 2.8+) */
	PGTLS_DRIVER_PGJDBC_OLD,       /* pgjdbc before 42.2.5 (build file): ssl=true checks no host name */
	PGTLS_DRIVER_COUNT
} pgtls_driver;

/* Where the client's trust anchors come from. */
typedef enum pgtls_trust
{
	PGTLS_TRUST_FILE = 0, /* a root certificate file (sslrootcert or the driver's default) */
	PGTLS_TRUST_SYSTEM,   /* the operating system's store (sslrootcert=system, Npgsql default) */
	PGTLS_TRUST_JVM,      /* the JVM trust store (pgjdbc DefaultJavaSSLFactory) */
	PGTLS_TRUST_DISABLED  /* verification switched off (NonValidatingFactory, TrustServerCertificate) */
} pgtls_trust;

typedef enum pgtls_result
{
	PGTLS_RESULT_FAILS = 0,
	PGTLS_RESULT_CONNECTS,
	PGTLS_RESULT_UNKNOWN /* the network did not let pgtls tell */
} pgtls_result;

typedef enum pgtls_verified
{
	PGTLS_VERIFIED_NONE = 0,
	PGTLS_VERIFIED_CA,  /* chain verified, any host name */
	PGTLS_VERIFIED_FULL /* chain and host name verified */
} pgtls_verified;

/* Why one connection attempt failed (or could not be judged). */
typedef enum pgtls_failure
{
	PGTLS_FAIL_NONE = 0,
	PGTLS_FAIL_NETWORK,         /* refused, reset, timeout: cannot tell */
	PGTLS_FAIL_PROTOCOL,        /* hostile answer to SSLRequest: no fallback */
	PGTLS_FAIL_NO_SSL_SUPPORT,  /* server answered N, TLS required */
	PGTLS_FAIL_ROOT_MISSING,    /* verify-* without the root file */
	PGTLS_FAIL_NO_HOME,         /* verify-* and no home directory to find it */
	PGTLS_FAIL_ROOT_UNREADABLE, /* the root file exists but cannot be loaded */
	PGTLS_FAIL_HANDSHAKE,       /* TLS handshake or record failure */
	PGTLS_FAIL_CHAIN,           /* certificate chain does not verify */
	PGTLS_FAIL_CHAIN_UNKNOWN,   /* trust store not known (JVM): cannot tell */
	PGTLS_FAIL_HOSTNAME,        /* verify-full: host name not in the certificate */
	PGTLS_FAIL_WEAK_SYSTEM,     /* sslrootcert=system with a mode weaker than verify-full */
	PGTLS_FAIL_WEAK_DIRECT,     /* sslnegotiation=direct with allow/prefer */
	PGTLS_FAIL_REJECTED_PLAIN,  /* server rejected the startup without TLS */
	PGTLS_FAIL_REJECTED_TLS,    /* server rejected the startup over TLS */
	PGTLS_FAIL_NO_REPLY_PLAIN,  /* no usable reply to the startup without TLS */
	PGTLS_FAIL_NO_REPLY_TLS,    /* no usable reply to the startup over TLS */
	PGTLS_FAIL_INVALID_SSLMODE, /* the driver rejects the sslmode value */
	PGTLS_FAIL_CLIENT_CERT,     /* the client certificate or key cannot be used (libpq fails before TLS) */
	PGTLS_FAIL_BAD_SETTING,     /* the driver cannot use a setting: fails before TLS matters (clients only) */
	PGTLS_FAIL_COUNT
} pgtls_failure;

/* What a client's settings do, wherever it runs (pgtls clients). */
typedef enum pgtls_client_outcome
{
	PGTLS_OUTCOME_NO_TLS = 0,           /* never encrypts (disable) */
	PGTLS_OUTCOME_OPPORTUNISTIC,        /* TLS only when it works, else plaintext (allow, prefer) */
	PGTLS_OUTCOME_ENCRYPTED_UNVERIFIED, /* TLS, server not verified */
	PGTLS_OUTCOME_VERIFIES_CA,          /* TLS, chain verified, any host name */
	PGTLS_OUTCOME_VERIFIES_FULL,        /* TLS, chain and host name verified */
	PGTLS_OUTCOME_FAILS,                /* the settings cannot connect to any server */
	PGTLS_OUTCOME_UNIX_SOCKET,          /* Unix-domain socket: TLS does not apply */
	PGTLS_OUTCOME_UNKNOWN
} pgtls_client_outcome;

/* What happens to a client when its server switches CA (pgtls rotation). */
typedef enum pgtls_prediction
{
	PGTLS_PREDICT_KEEPS_WORKING = 0,
	PGTLS_PREDICT_BREAKS,
	PGTLS_PREDICT_FALLS_BACK,            /* silently continues without TLS */
	PGTLS_PREDICT_UNAFFECTED_UNVERIFIED, /* TLS that verifies nothing */
	PGTLS_PREDICT_UNAFFECTED_NO_TLS,
	PGTLS_PREDICT_ALREADY_BROKEN,
	PGTLS_PREDICT_UNKNOWN
} pgtls_prediction;

/* Reply of a server to a StartupMessage. */
typedef enum pgtls_startup
{
	PGTLS_STARTUP_UNKNOWN = 0, /* no usable reply (network, protocol) */
	PGTLS_STARTUP_ACCEPTED,    /* authentication request: let in */
	PGTLS_STARTUP_REJECTED     /* ErrorResponse */
} pgtls_startup;

typedef enum pgtls_severity
{
	PGTLS_SEV_OK = 0,
	PGTLS_SEV_WARNING,
	PGTLS_SEV_CRITICAL,
	PGTLS_SEV_UNKNOWN
} pgtls_severity;

/* Stable lower-case codes ("verify-full", "pgjdbc", "falls_back_to_plaintext"); never NULL. */
PGTLS_API const char *pgtls_sslmode_name(pgtls_sslmode mode);
/* libpq's spelling (case-sensitive, as libpq); PGTLS_SSLMODE_INVALID otherwise. */
PGTLS_API pgtls_sslmode pgtls_sslmode_parse(const char *s);
PGTLS_API const char *pgtls_driver_name(pgtls_driver driver);
PGTLS_API const char *pgtls_trust_name(pgtls_trust trust);
PGTLS_API const char *pgtls_result_name(pgtls_result result);
PGTLS_API const char *pgtls_verified_name(pgtls_verified verified);
PGTLS_API const char *pgtls_failure_name(pgtls_failure failure);
PGTLS_API const char *pgtls_outcome_name(pgtls_client_outcome outcome);
PGTLS_API const char *pgtls_prediction_name(pgtls_prediction prediction);
PGTLS_API const char *pgtls_startup_name(pgtls_startup startup);
PGTLS_API const char *pgtls_severity_name(pgtls_severity severity);

/* ---------------------------------------------------------------------
 * Certificates: a read-only handle owned by the object that returned it
 * (a probe's chain, a store's entries); valid until that object is freed.
 * Text is sanitised (valid UTF-8, or '?' for control and non-ASCII bytes).
 * ---------------------------------------------------------------------
 */
typedef struct pgtls_cert pgtls_cert;

typedef enum pgtls_cert_field
{
	PGTLS_CERT_SUBJECT = 0,         /* RFC 2253 */
	PGTLS_CERT_ISSUER,              /* RFC 2253 */
	PGTLS_CERT_SERIAL,              /* upper-case hex */
	PGTLS_CERT_NOT_BEFORE,          /* ISO 8601 UTC, "" if unreadable */
	PGTLS_CERT_NOT_AFTER,           /* ISO 8601 UTC, "" if unreadable */
	PGTLS_CERT_KEY_TYPE,            /* RSA, EC, Ed25519, Ed448, DSA, unknown */
	PGTLS_CERT_KEY_CURVE,           /* EC only, else "" */
	PGTLS_CERT_SIGNATURE_ALGORITHM, /* OpenSSL's long name */
	PGTLS_CERT_SHA1,                /* keytool form AA:BB:... */
	PGTLS_CERT_SHA256
} pgtls_cert_field;

typedef enum pgtls_cert_flag
{
	PGTLS_CERT_IS_CA = 0,
	PGTLS_CERT_SELF_SIGNED,
	PGTLS_CERT_EXPIRED,
	PGTLS_CERT_NOT_YET_VALID,
	PGTLS_CERT_HAS_DAYS_LEFT /* notAfter could be read */
} pgtls_cert_flag;

/* Text field; never NULL ("" when absent). */
PGTLS_API const char *pgtls_cert_get(const pgtls_cert *cert, pgtls_cert_field field);
PGTLS_API int pgtls_cert_flag_set(const pgtls_cert *cert, pgtls_cert_flag flag);
/* Whole days until notAfter, negative when expired. */
PGTLS_API int pgtls_cert_days_left(const pgtls_cert *cert);
/* A known cloud CA: "rds-ca-2019", "rds-ca-rsa2048-g1 us-east-1", "azure digicert-global-root-g2", ... or "" */
PGTLS_API const char *pgtls_cert_known_as(const pgtls_cert *cert);
/*
 * The Amazon RDS CA name the certificate's subject carries when it is NOT
 * one of AWS's certificates (its fingerprint is not in AWS's published
 * bundles): "rds-ca-2019" on a self-made CA; "" otherwise.  Such a
 * certificate is never known_as the name.
 */
PGTLS_API const char *pgtls_cert_named_like(const pgtls_cert *cert);
/* 1 when NAME ("rds-ca-rsa2048-g1", "rds-ca-rsa2048-g1 eu-west-1" or "...:eu-west-1") names CERT */
PGTLS_API int pgtls_cert_is_known(const pgtls_cert *cert, const char *name);
PGTLS_API int pgtls_cert_key_bits(const pgtls_cert *cert);
/* subjectAltNames: IP = 0 for DNS names, 1 for IP addresses. */
PGTLS_API int pgtls_cert_nsan(const pgtls_cert *cert, int ip);
PGTLS_API const char *pgtls_cert_san(const pgtls_cert *cert, int ip, int i);

/* ---------------------------------------------------------------------
 * Connections: one network exchange with a server, stepped by the caller.
 * ---------------------------------------------------------------------
 */
typedef struct pgtls_conn pgtls_conn;

typedef enum pgtls_step
{
	PGTLS_STEP_DONE = 0,  /* finished (successfully or not: see errcode) */
	PGTLS_STEP_WANT_READ, /* poll fd for POLLIN, then step again */
	PGTLS_STEP_WANT_WRITE /* poll fd for POLLOUT, then step again */
} pgtls_step;

/*
 * Advances the connection as far as possible without blocking.  Returns
 * what it waits for, or PGTLS_STEP_DONE when the exchange is over; then
 * pgtls_conn_errcode() tells whether it failed.  Never blocks.
 */
PGTLS_API PGTLS_MUSTCHECK pgtls_step pgtls_conn_step(pgtls_conn *conn);

/* Socket to poll, or -1 when done. */
PGTLS_API int pgtls_conn_fd(const pgtls_conn *conn);

/* Absolute deadline (pgtls_now_ms() base) of the attempt on the current address. */
PGTLS_API int64_t pgtls_conn_deadline(const pgtls_conn *conn);

/*
 * Tells the connection its deadline passed.  While connecting, a host with
 * more addresses goes on to the next one (as libpq does): the return says
 * what to wait for then; otherwise it fails with PGTLS_ERR_TIMEOUT and
 * returns PGTLS_STEP_DONE.
 */
PGTLS_API pgtls_step pgtls_conn_expire(pgtls_conn *conn);

PGTLS_API pgtls_err pgtls_conn_errcode(const pgtls_conn *conn);
PGTLS_API const char *pgtls_conn_errmsg(const pgtls_conn *conn);

/* Event trace, e.g. "connect 127.0.0.1:5432, sslrequest, S, handshake TLSv1.3". */
PGTLS_API const char *pgtls_conn_trace(const pgtls_conn *conn);

/*
 * What a finished connection saw.  Strings are owned by the connection;
 * never NULL ("" when absent).
 */
typedef enum pgtls_conn_method
{
	PGTLS_METHOD_SSLREQUEST = 0, /* SSLRequest, then TLS, then startup */
	PGTLS_METHOD_DIRECT,         /* PG17 direct TLS with ALPN "postgresql" */
	PGTLS_METHOD_PLAIN           /* startup without TLS */
} pgtls_conn_method;

typedef enum pgtls_conn_field
{
	PGTLS_CF_ADDRESS = 0,  /* numeric address connected to */
	PGTLS_CF_SSL_RESPONSE, /* "S", "N" or "" */
	PGTLS_CF_TLS_VERSION,  /* "" when no handshake completed */
	PGTLS_CF_CIPHER,
	PGTLS_CF_GROUP,
	PGTLS_CF_ALPN,
	PGTLS_CF_AUTH,             /* authentication method asked for, when accepted */
	PGTLS_CF_STARTUP_SEVERITY, /* server's ErrorResponse, when rejected */
	PGTLS_CF_STARTUP_MESSAGE   /* server's message when rejected, or why no reply was read */
} pgtls_conn_field;

PGTLS_API pgtls_conn_method pgtls_conn_get_method(const pgtls_conn *conn);
PGTLS_API const char *pgtls_conn_get(const pgtls_conn *conn, pgtls_conn_field field);
PGTLS_API pgtls_startup pgtls_conn_startup(const pgtls_conn *conn);

/* ---------------------------------------------------------------------
 * Probe: everything `pgtls probe` learns about one server.
 * ---------------------------------------------------------------------
 */
typedef struct pgtls_probe pgtls_probe;

typedef enum pgtls_probe_opt
{
	PGTLS_PROBE_ROOTCERT,          /* file, "system", or "" for libpq's default */
	PGTLS_PROBE_SERVERNAME,        /* name checked by verify-full (and SNI) */
	PGTLS_PROBE_USER,              /* StartupMessage user (default as libpq: user=, service, PGUSER, OS user) */
	PGTLS_PROBE_DBNAME,            /* StartupMessage database (default = user) */
	PGTLS_PROBE_NEGOTIATION,       /* "postgres" (default), "direct" or "both" */
	PGTLS_PROBE_TIMEOUT_MS,        /* per address tried (as libpq connect_timeout), default 10000 */
	PGTLS_PROBE_WARN_DAYS,         /* expiry warning horizon, default 30 */
	PGTLS_PROBE_HOME,              /* home directory for ~/.postgresql (default $HOME) */
	PGTLS_PROBE_ROOTCERT_PASSWORD, /* opens a PKCS#12 / JKS root store */
	PGTLS_PROBE_LIBPQ_VERSION,     /* emulate libpq N ("15", "16", "17" or 160004); default: the linked one */
	PGTLS_PROBE_DRIVER             /* "libpq" (default) or "pgjdbc": whose verdicts the sslmode table gives */
} pgtls_probe_opt;

/* Returns NULL only when out of memory. */
PGTLS_API pgtls_probe *pgtls_probe_new(void);
PGTLS_API void pgtls_probe_free(pgtls_probe *probe);

/*
 * TARGET is host[:port], [v6addr]:port, a postgresql:// URI or a libpq
 * conninfo string.  Conninfo keys sslrootcert, user, dbname, hostaddr and
 * port are honoured.  Returns PGTLS_OK or an error (message on the probe).
 */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_probe_set_target(pgtls_probe *probe, const char *target);
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_probe_set_option(pgtls_probe *probe, pgtls_probe_opt opt, const char *value);

/*
 * Resolves the target and creates the connections to drive.  After this,
 * step every pgtls_probe_conn(probe, i) for i < pgtls_probe_nconns(probe)
 * to PGTLS_STEP_DONE (or expire it), then call pgtls_probe_finish().
 */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_probe_start(pgtls_probe *probe);
PGTLS_API int pgtls_probe_nconns(const pgtls_probe *probe);
PGTLS_API pgtls_conn *pgtls_probe_conn(pgtls_probe *probe, int i);

/*
 * Evaluates what was seen: chain, rootcert, libpq sslmode verdicts.  A
 * second call is refused (PGTLS_ERR_USAGE) and keeps the first results.
 */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_probe_finish(pgtls_probe *probe);

/*
 * Report as JSON (schema in docs/json-schema.md); caller frees with
 * pgtls_free().  NULL when out of memory or before pgtls_probe_finish().
 */
PGTLS_API char *pgtls_probe_json(const pgtls_probe *probe, int pretty);

/* Monitoring-plugin status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (a pgtls_severity). */
PGTLS_API int pgtls_probe_status(const pgtls_probe *probe);

/*
 * Typed results, valid after pgtls_probe_finish() until pgtls_probe_free().
 * Strings are owned by the probe; never NULL ("" when absent).
 */
typedef enum pgtls_probe_field
{
	PGTLS_PF_TARGET = 0, /* TARGET as given */
	PGTLS_PF_HOST,       /* host ("" when only hostaddr) */
	PGTLS_PF_HOSTADDR,   /* hostaddr, or "" */
	PGTLS_PF_PORT,
	PGTLS_PF_USER,                 /* StartupMessage user */
	PGTLS_PF_DBNAME,               /* StartupMessage database */
	PGTLS_PF_SERVERNAME,           /* --servername, or "" */
	PGTLS_PF_CHECKED_NAME,         /* the name verify-full checks */
	PGTLS_PF_HOST_MESSAGE,         /* libpq's mismatch text, "" when the name matches */
	PGTLS_PF_ROOT_SETTING,         /* configured sslrootcert ("" = libpq default) */
	PGTLS_PF_ROOT_SOURCE,          /* option, conninfo, env, default */
	PGTLS_PF_ROOT_PATH,            /* the file libpq opens ("" for system / no home) */
	PGTLS_PF_ROOT_FORMAT,          /* pem, der, pkcs12, jks, system, or "" */
	PGTLS_PF_ROOT_LOAD_ERROR,      /* libpq's "could not read root certificate file ..." */
	PGTLS_PF_VERIFY_REASON,        /* OpenSSL's reason when the chain does not verify */
	PGTLS_PF_VERIFY_HINT,          /* what it means (missing intermediate, unknown CA, ...) */
	PGTLS_PF_PLAINTEXT_MESSAGE,    /* server's message to the plaintext startup, or the error */
	PGTLS_PF_SSLMODE,              /* the sslmode this connection string uses (after service, PGSSLMODE, default) */
	PGTLS_PF_SSLMODE_SOURCE,       /* conninfo, service, env, default */
	PGTLS_PF_CLIENT_CERT,          /* client certificate file libpq presents, or "" */
	PGTLS_PF_CLIENT_CERT_ERROR,    /* libpq's text when the client certificate or key cannot be used, or "" */
	PGTLS_PF_SERVICE_FILE,         /* the service file the settings came from, or "" */
	PGTLS_PF_LIBPQ_VERSION_SOURCE, /* "linked" (PQlibVersion) or "option" */
	PGTLS_PF_DRIVER                /* libpq, pgjdbc */
} pgtls_probe_field;

PGTLS_API const char *pgtls_probe_get(const pgtls_probe *probe, pgtls_probe_field field);

/* Root certificate file, as libpq finds it. */
typedef enum pgtls_rootcert_state
{
	PGTLS_ROOTCERT_NO_HOME = 0, /* no home directory: no default path */
	PGTLS_ROOTCERT_MISSING,     /* the file does not exist: libpq does not verify */
	PGTLS_ROOTCERT_UNREADABLE,  /* exists, libpq cannot read it */
	PGTLS_ROOTCERT_LOADED,      /* read by libpq */
	PGTLS_ROOTCERT_SYSTEM       /* sslrootcert=system (libpq 16+) */
} pgtls_rootcert_state;

PGTLS_API pgtls_rootcert_state pgtls_probe_rootcert(const pgtls_probe *probe);
/* Certificates in the root file (or store). */
PGTLS_API int pgtls_probe_rootcert_count(const pgtls_probe *probe);
/* The served chain against the root file: 1 verifies, 0 does not, -1 not evaluated. */
PGTLS_API int pgtls_probe_chain_verifies(const pgtls_probe *probe);
/* 1 when the server certificate matches the checked name (verify-full). */
PGTLS_API int pgtls_probe_host_ok(const pgtls_probe *probe);
/* The libpq version whose rules the verdicts follow, as PQlibVersion() gives it (150018). */
PGTLS_API int pgtls_probe_libpq_version(const pgtls_probe *probe);
/* What the server said to a StartupMessage sent without TLS. */
PGTLS_API pgtls_startup pgtls_probe_plaintext(const pgtls_probe *probe);

/* The served chain, leaf first. */
PGTLS_API int pgtls_probe_nchain(const pgtls_probe *probe);
PGTLS_API const pgtls_cert *pgtls_probe_chain(const pgtls_probe *probe, int i);

/* Verdicts: one per negotiation x sslmode, as the rules engine decided them for libpq. */
typedef struct pgtls_verdict pgtls_verdict;

PGTLS_API int pgtls_probe_nverdicts(const pgtls_probe *probe);
PGTLS_API const pgtls_verdict *pgtls_probe_verdict(const pgtls_probe *probe, int i);
/* 1 for PG17 direct TLS (sslnegotiation=direct), 0 for SSLRequest. */
PGTLS_API int pgtls_verdict_direct(const pgtls_verdict *v);
PGTLS_API pgtls_sslmode pgtls_verdict_sslmode(const pgtls_verdict *v);
PGTLS_API pgtls_result pgtls_verdict_result(const pgtls_verdict *v);
PGTLS_API int pgtls_verdict_encrypted(const pgtls_verdict *v);
PGTLS_API pgtls_verified pgtls_verdict_verified(const pgtls_verdict *v);
/* 1 when prefer connected without TLS after TLS failed. */
PGTLS_API int pgtls_verdict_fell_back(const pgtls_verdict *v);
/* Failed attempts, in order: typed reason and libpq's text (may hold a newline). */
PGTLS_API int pgtls_verdict_nerrors(const pgtls_verdict *v);
PGTLS_API pgtls_failure pgtls_verdict_failure(const pgtls_verdict *v, int i);
PGTLS_API const char *pgtls_verdict_error(const pgtls_verdict *v, int i);

/* Findings that explain the status: severity, stable code, sentence. */
PGTLS_API int pgtls_probe_nfindings(const pgtls_probe *probe);
PGTLS_API pgtls_severity pgtls_probe_finding_severity(const pgtls_probe *probe, int i);
PGTLS_API const char *pgtls_probe_finding_code(const pgtls_probe *probe, int i);
PGTLS_API const char *pgtls_probe_finding_message(const pgtls_probe *probe, int i);

PGTLS_API pgtls_err pgtls_probe_errcode(const pgtls_probe *probe);
PGTLS_API const char *pgtls_probe_errmsg(const pgtls_probe *probe);

/* ---------------------------------------------------------------------
 * Trust stores: PEM bundles, DER, PKCS#7, PKCS#12 (incl. legacy), JKS.
 * ---------------------------------------------------------------------
 */
typedef struct pgtls_store pgtls_store;

/* Returns NULL only when out of memory. */
PGTLS_API pgtls_store *pgtls_store_new(void);
PGTLS_API void pgtls_store_free(pgtls_store *store);

/*
 * Appends the certificates of one file (format detected from its bytes).
 * PASSWORD (may be NULL) opens PKCS#12 files and checks JKS integrity; a
 * JKS is checked with "changeit" when no password is given and that
 * matches.  On error nothing of that file is kept.
 */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_store_load_file(pgtls_store *store, const char *path, const char *password);
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_store_load_mem(pgtls_store *store, const unsigned char *buf, size_t len,
                                                         const char *password, const char *name);
PGTLS_API int pgtls_store_count(const pgtls_store *store);

/* Removes duplicates (same certificate) and, if DROP_EXPIRED, expired ones; each removal is reported. */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_store_dedupe(pgtls_store *store, int drop_expired);

/*
 * *INDEX: the index (0-based) of the certificate with this SHA-1 or
 * SHA-256 fingerprint, -1 when the store has none.  PGTLS_ERR_USAGE (and
 * the message on STORE) for a fingerprint that is not one.
 */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_store_find(pgtls_store *store, const char *fingerprint, int *index);

/* Inspection report as JSON (docs/json-schema.md); free with pgtls_free(). */
PGTLS_API char *pgtls_store_json(const pgtls_store *store, int pretty);

/* Typed results.  Strings are owned by STORE; never NULL ("" when absent). */
typedef enum pgtls_store_file_field
{
	PGTLS_SF_PATH = 0,
	PGTLS_SF_FORMAT,   /* pem, der, pkcs7, pkcs12, jks, jceks */
	PGTLS_SF_INTEGRITY /* verified, not-verified, none */
} pgtls_store_file_field;

PGTLS_API int pgtls_store_nfiles(const pgtls_store *store);
PGTLS_API const char *pgtls_store_file_get(const pgtls_store *store, int i, pgtls_store_file_field field);
/* Notes on a file: skipped blocks, key entries, legacy encryption, default password used. */
PGTLS_API int pgtls_store_file_nnotes(const pgtls_store *store, int i);
PGTLS_API const char *pgtls_store_file_note(const pgtls_store *store, int i, int j);

/* Entry I (0-based, < pgtls_store_count()): its certificate, alias, source file, kind. */
PGTLS_API const pgtls_cert *pgtls_store_cert(const pgtls_store *store, int i);
PGTLS_API const char *pgtls_store_entry_alias(const pgtls_store *store, int i);
PGTLS_API const char *pgtls_store_entry_source(const pgtls_store *store, int i);
/* 1 when the certificate comes from a private-key entry. */
PGTLS_API int pgtls_store_entry_key(const pgtls_store *store, int i);
/* 1 Java treats it as a trust anchor, 0 not, -1 not a Java-relevant format. */
PGTLS_API int pgtls_store_entry_java_trusted(const pgtls_store *store, int i);
/* Index of the earlier entry holding the same certificate, or -1. */
PGTLS_API int pgtls_store_duplicate_of(const pgtls_store *store, int i);

typedef enum pgtls_store_tally_kind
{
	PGTLS_TALLY_DUPLICATES = 0,
	PGTLS_TALLY_EXPIRED,
	PGTLS_TALLY_NON_CA,
	PGTLS_TALLY_NOT_JAVA_TRUSTED, /* PKCS#12 certificates without the Java trusted-key-usage attribute */
	PGTLS_TALLY_SKIPPED_BLOCKS,   /* certificate blocks skipped (e.g. an indented BEGIN line): see the notes */
	PGTLS_TALLY_NAMED_LIKE_AWS    /* certificates named like an Amazon RDS CA that are not AWS's */
} pgtls_store_tally_kind;

PGTLS_API int pgtls_store_tally(const pgtls_store *store, pgtls_store_tally_kind kind);

/* Warnings about the store (stable code + sentence); any makes `store inspect` exit 1. */
PGTLS_API int pgtls_store_nfindings(const pgtls_store *store);
/* The exit-code contract: 0 nothing to say, 1 findings (pgtls_store_nfindings() > 0); 3 no store. */
PGTLS_API int pgtls_store_status(const pgtls_store *store);
PGTLS_API const char *pgtls_store_finding_code(const pgtls_store *store, int i);
PGTLS_API const char *pgtls_store_finding(const pgtls_store *store, int i);

/* `store verify --json` report: STORE_NAME, FINGERPRINT, found, and entry I (-1: not found); free with pgtls_free(). */
PGTLS_API char *pgtls_store_verify_json(const pgtls_store *store, const char *store_name, const char *fingerprint,
                                        int i, int pretty);
/*
 * The index of the first certificate known as NAME (pgtls_cert_is_known)
 * in file FILE of the store (0-based, as pgtls_store_file_get), or in any
 * file when FILE is -1; -1 when none.
 */
PGTLS_API int pgtls_store_find_known(const pgtls_store *store, const char *name, int file);
/*
 * The answer of "does each file of the store hold the CA known as NAME"
 * (I: the index of a certificate known so, -1 when none), as a report
 * with one answer per file, whose status is 0 when every file holds it,
 * 2 when one does not; free with pgtls_free().
 */
PGTLS_API char *pgtls_store_has_json(const pgtls_store *store, const char *name, int i, int pretty);

/* What pgtls_store_dedupe() removed. */
typedef enum pgtls_store_removed_field
{
	PGTLS_SR_SOURCE = 0,
	PGTLS_SR_ALIAS,
	PGTLS_SR_SUBJECT,
	PGTLS_SR_SHA256,
	PGTLS_SR_REASON /* duplicate, expired */
} pgtls_store_removed_field;

PGTLS_API int pgtls_store_nremoved(const pgtls_store *store);
PGTLS_API const char *pgtls_store_removed_get(const pgtls_store *store, int i, pgtls_store_removed_field field);

/*
 * Serialises the store: FORMAT "pem", "der" (one certificate only), "p12"
 * (Java-trusted certificate bags) or "jks".  PASSWORD defaults to
 * "changeit" for p12/jks.  *OUT is freed with pgtls_free().
 */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_store_write_mem(pgtls_store *store, const char *format, const char *password,
                                                          unsigned char **out, size_t *outlen);
/* As above, to PATH atomically (temp file + rename); refuses to overwrite unless FORCE. */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_store_write_file(pgtls_store *store, const char *path, const char *format,
                                                           const char *password, int force);

PGTLS_API pgtls_err pgtls_store_errcode(const pgtls_store *store);
PGTLS_API pgtls_hint pgtls_store_errhint(const pgtls_store *store);
PGTLS_API const char *pgtls_store_errmsg(const pgtls_store *store);

/* ---------------------------------------------------------------------
 * Server logs: who connected with which TLS version, streaming.
 * ---------------------------------------------------------------------
 */
typedef struct pgtls_logscan pgtls_logscan;

/* Returns NULL only when out of memory. */
PGTLS_API pgtls_logscan *pgtls_logscan_new(void);
PGTLS_API void pgtls_logscan_free(pgtls_logscan *scan);

/* "auto" (default: decided per file), "stderr", "csv" or "json". */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_logscan_set_format(pgtls_logscan *scan, const char *format);

typedef enum pgtls_log_opt
{
	PGTLS_LOGOPT_SINCE = 0,    /* "YYYY-MM-DD[ HH[:MM[:SS]]]": records before it are left out (log's time zone) */
	PGTLS_LOGOPT_UNTIL,        /* records from it on are left out */
	PGTLS_LOGOPT_EXCLUDE_USER, /* leave this user's sessions out (repeatable) */
	PGTLS_LOGOPT_EXCLUDE_APP,  /* leave this application_name's sessions out (repeatable) */
	PGTLS_LOGOPT_INCLUDE_OWN   /* "1": count pgtls's own probe sessions (application_name pgtls) too */
} pgtls_log_opt;

/* Set before the input is read. */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_logscan_set_option(pgtls_logscan *scan, pgtls_log_opt opt, const char *value);

/*
 * Reads one log file (plain or gzip, a pipe too) in constant memory.  On
 * an error (unreadable, truncated gzip) the file is still listed, with its
 * error, and what could be read of it is counted: the caller may go on
 * with other files and must report the error.
 */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_logscan_file(pgtls_logscan *scan, const char *path);

/*
 * Events as they are read (for following a log live): called for every
 * failed TLS handshake (DETAIL: its reason code; FAMILY: the client family
 * its alert points to), every plaintext connection (DETAIL: "fallback"
 * when the same client fell back, "cannot_tell" when it came right after
 * another connection's failed handshake from its address, else ""), every
 * rejected plaintext attempt, and every connection that closed without a
 * startup (see pgtls_logscan_settle()).  Strings are valid during the call
 * only.
 */
typedef enum pgtls_log_event_kind
{
	PGTLS_LOGEV_TLS_FAILED = 0,
	PGTLS_LOGEV_PLAINTEXT,
	PGTLS_LOGEV_REJECTED,
	PGTLS_LOGEV_CLOSED_NO_STARTUP
} pgtls_log_event_kind;

typedef struct pgtls_log_event
{
	pgtls_log_event_kind kind;
	const char *host, *user, *database, *application_name;
	const char *when;   /* the log's time stamp, or "" */
	const char *detail; /* see above */
	const char *family; /* TLS_FAILED: openssl, jsse, node, go, or "" (not known) */
	int pid;            /* the backend's pid, 0 when the log has none */
	const char *port;   /* the client's source port ("connection received"), or "" */
} pgtls_log_event;

typedef void (*pgtls_log_event_cb)(void *arg, const pgtls_log_event *event);
PGTLS_API void pgtls_logscan_set_event_cb(pgtls_logscan *scan, pgtls_log_event_cb cb, void *arg);

/* Feeds raw bytes (any split); call pgtls_logscan_finish() at the end of the stream. */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_logscan_feed(pgtls_logscan *scan, const char *data, size_t len);
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_logscan_finish(pgtls_logscan *scan);

/*
 * A connection the server logged as received and then nothing else (no
 * authorization, rejection or handshake error) closed before
 * authentication: a verify-full client that rejected the server's name or
 * certificate after the handshake (libpq, pgjdbc), a port check, or a
 * client asked for a password it did not have (psql before it prompts,
 * pgtls's own probe: the server logs no EOF during authentication).  The report counts those still open at its end; for a log
 * followed live, this settles the ones received more than OLDER_THAN_MS
 * (log time) before the newest record, with an event each.
 */
PGTLS_API void pgtls_logscan_settle(pgtls_logscan *scan, int64_t older_than_ms);

/* Per-client report (docs/json-schema.md), or CSV; free with pgtls_free(). */
PGTLS_API char *pgtls_logscan_json(const pgtls_logscan *scan, int pretty);
PGTLS_API char *pgtls_logscan_csv(const pgtls_logscan *scan);

/*
 * 0: nothing to fix; 1: plaintext connections or attempts, a fallback, or
 * connections closed without a startup (a verify-full client's name check
 * or a port check: the log cannot tell which); 2: failed TLS handshakes,
 * whatever the client's alert (unknown_ca from OpenSSL, certificate_unknown
 * from JSSE, a bare close from Node, ...): clients broke; 3: a file could
 * not be read to its end (or held no connection record): what it held is
 * not known.
 */
PGTLS_API int pgtls_logscan_status(const pgtls_logscan *scan);

/* Typed results.  Strings are owned by SCAN, valid until the next input or free; never NULL. */
typedef enum pgtls_logfile_field
{
	PGTLS_LF_PATH = 0,
	PGTLS_LF_FORMAT, /* stderr, csvlog, jsonlog, mixed */
	PGTLS_LF_ERROR,  /* why it was not read to its end ("" when it was), or why it holds no connection record */
	PGTLS_LF_COMPRESSION
} pgtls_logfile_field;

typedef enum pgtls_logfile_count
{
	PGTLS_LFC_BYTES = 0,
	PGTLS_LFC_RECORDS, /* connection records matched */
	PGTLS_LFC_GZIP     /* 1 when the file was gzip-compressed */
} pgtls_logfile_count;
/* PGTLS_LF_COMPRESSION: see pgtls_logscan_file_get() (gzip, bzip2, xz, lzma, zstd, lz4, or "") */

PGTLS_API int pgtls_logscan_nfiles(const pgtls_logscan *scan);
PGTLS_API const char *pgtls_logscan_file_get(const pgtls_logscan *scan, int i, pgtls_logfile_field field);
PGTLS_API int64_t pgtls_logscan_file_count(const pgtls_logscan *scan, int i, pgtls_logfile_count what);
/* Log time stamps as written: LAST = 0 the first seen, 1 the last; "" when none. */
PGTLS_API const char *pgtls_logscan_span(const pgtls_logscan *scan, int last);

typedef enum pgtls_log_total
{
	PGTLS_LT_BYTES = 0,
	PGTLS_LT_TLS,
	PGTLS_LT_PLAINTEXT,
	PGTLS_LT_GSS,
	PGTLS_LT_REJECTED,
	PGTLS_LT_OVERLONG_LINES,    /* lines over 1 MiB, skipped */
	PGTLS_LT_UNTABULATED,       /* connections beyond the client table */
	PGTLS_LT_LOCAL,             /* Unix-domain socket sessions (TLS does not apply) */
	PGTLS_LT_TLS_FAILED,        /* failed TLS handshakes */
	PGTLS_LT_FALLBACKS,         /* clients with the fallback signature */
	PGTLS_LT_EXCLUDED_OWN,      /* pgtls's own probe sessions left out */
	PGTLS_LT_EXCLUDED,          /* sessions left out by --exclude-user/--exclude-app or --since/--until */
	PGTLS_LT_CLOSED_NO_STARTUP, /* connections received, then closed without a startup (see pgtls_logscan_settle) */
	PGTLS_LT_NOT_FOLLOWED       /* connections received whose outcome the log cannot tie to them (no %p, table full) */
} pgtls_log_total;

PGTLS_API int64_t pgtls_logscan_total(const pgtls_logscan *scan, pgtls_log_total what);

/* Clients (host, user, database, application), sorted. */
typedef enum pgtls_logclient_field
{
	PGTLS_LC_HOST = 0,
	PGTLS_LC_USER,
	PGTLS_LC_DATABASE,
	PGTLS_LC_APPLICATION,
	PGTLS_LC_FIRST_SEEN,
	PGTLS_LC_LAST_SEEN,
	PGTLS_LC_FALLBACK_SINCE,    /* first plaintext connection after TLS (or after a failed handshake), or "" */
	PGTLS_LC_TLS_FAILURES,      /* failed handshakes by reason: "unknown_ca=3 connection_closed=1", or "" */
	PGTLS_LC_FALLBACK_EVIDENCE, /* after_tls, after_failed_handshake, cannot_tell, or "" (no fallback) */
	PGTLS_LC_CLIENT_FAMILIES    /* failed handshakes by the family their alert points to: "openssl=2 jsse=1", or "" */
} pgtls_logclient_field;

typedef enum pgtls_logclient_count
{
	PGTLS_LCC_CONNECTIONS = 0,
	PGTLS_LCC_TLS13,
	PGTLS_LCC_TLS12,
	PGTLS_LCC_TLS_OLDER,
	PGTLS_LCC_PLAINTEXT,
	PGTLS_LCC_GSS,
	PGTLS_LCC_REJECTED_PLAINTEXT,
	PGTLS_LCC_REJECTED_ENCRYPTED,
	PGTLS_LCC_LOCAL,               /* Unix-domain socket sessions */
	PGTLS_LCC_TLS_FAILED,          /* failed TLS handshakes (the client is then its address only) */
	PGTLS_LCC_CLOSED_NO_STARTUP,   /* address rows: received, then closed without a startup */
	PGTLS_LCC_FALLBACK_CANNOT_TELL /* plaintext sessions right after another connection's failure from the address */
} pgtls_logclient_count;

PGTLS_API int pgtls_logscan_nclients(const pgtls_logscan *scan);
PGTLS_API const char *pgtls_logscan_client_get(const pgtls_logscan *scan, int i, pgtls_logclient_field field);
PGTLS_API int64_t pgtls_logscan_client_count(const pgtls_logscan *scan, int i, pgtls_logclient_count what);
PGTLS_API pgtls_err pgtls_logscan_errcode(const pgtls_logscan *scan);
PGTLS_API const char *pgtls_logscan_errmsg(const pgtls_logscan *scan);

/* ---------------------------------------------------------------------
 * Logged-in server checks (libpq; blocking, bounded by timeouts).
 * ---------------------------------------------------------------------
 */
typedef struct pgtls_server pgtls_server;

PGTLS_API pgtls_server *pgtls_server_new(void);
PGTLS_API void pgtls_server_free(pgtls_server *server);

/*
 * Logs in with CONNINFO (libpq conninfo or URI), reads the TLS settings,
 * rds.force_ssl and pg_hba_file_rules, and decides whether every TCP client
 * must use TLS.  PROBE (may be NULL) is a finished probe of the same
 * server, whose plaintext startup result is taken into account.
 */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_server_check(pgtls_server *server, const char *conninfo,
                                                       const pgtls_probe *probe, int timeout_s);
PGTLS_API char *pgtls_server_json(const pgtls_server *server, int pretty);
/* 0 enforced, 1 not enforced, 2 no TLS at all, 3 unknown */
PGTLS_API int pgtls_server_status(const pgtls_server *server);

/* Typed results of the check.  Strings owned by SERVER; never NULL ("" when absent). */
typedef enum pgtls_server_field
{
	PGTLS_SV_USER = 0,         /* the login's user */
	PGTLS_SV_VERSION,          /* server_version */
	PGTLS_SV_ADDRESS,          /* inet_server_addr(), or "unix socket" */
	PGTLS_SV_PLAINTEXT_MESSAGE /* what the server said to the plaintext startup */
} pgtls_server_field;

PGTLS_API const char *pgtls_server_get(const pgtls_server *server, pgtls_server_field field);
/* 1 when the login may read every setting (superuser or pg_read_all_settings). */
PGTLS_API int pgtls_server_privileged(const pgtls_server *server);
PGTLS_API int pgtls_server_nsettings(const pgtls_server *server);
PGTLS_API const char *pgtls_server_setting_name(const pgtls_server *server, int i);
PGTLS_API const char *pgtls_server_setting_value(const pgtls_server *server, int i);
/* Settings (and pg_hba_file_rules) this login could not read. */
PGTLS_API int pgtls_server_nunreadable(const pgtls_server *server);
PGTLS_API const char *pgtls_server_unreadable(const pgtls_server *server, int i);
/* pg_hba.conf rules in order; -1 when pg_hba_file_rules was unreadable. */
PGTLS_API int pgtls_server_nrules(const pgtls_server *server);
PGTLS_API int pgtls_server_rule_line(const pgtls_server *server, int i);
PGTLS_API const char *pgtls_server_rule_text(const pgtls_server *server, int i);
PGTLS_API const char *pgtls_server_rule_error(const pgtls_server *server, int i);
/* 1 when the rule lets TCP clients in without TLS (and no earlier reject hides it). */
PGTLS_API int pgtls_server_rule_allows_plaintext(const pgtls_server *server, int i);
PGTLS_API int pgtls_server_rule_shadowed(const pgtls_server *server, int i);
/* Why the status is what it is: stable code + sentence. */
PGTLS_API int pgtls_server_nreasons(const pgtls_server *server);
PGTLS_API const char *pgtls_server_reason_code(const pgtls_server *server, int i);
PGTLS_API const char *pgtls_server_reason(const pgtls_server *server, int i);
/* The plaintext startup probe: whether it ran, and what the server answered. */
/*
 * What if TLS were enforced: the server change, and (with a log scan) the
 * clients it would reject.  See lib/server/enforce.c.
 */
typedef enum pgtls_enforce_field
{
	PGTLS_ENF_METHOD = 0,    /* hba, rds_parameter, ssl_off (turn ssl on first), enforced (nothing to do) */
	PGTLS_ENF_HBA_FILE,      /* the server's hba_file, or "" when unreadable */
	PGTLS_ENF_RELOAD,        /* "SELECT pg_reload_conf();" for hba, else "" */
	PGTLS_ENF_RDS_COMMAND,   /* the RDS parameter-group command, or "" */
	PGTLS_ENF_AURORA_COMMAND /* the Aurora cluster parameter-group command, or "" */
} pgtls_enforce_field;

PGTLS_API const char *pgtls_server_enforce_get(const pgtls_server *server, pgtls_enforce_field field);
/* pg_hba.conf lines to put at the very top of the file (method hba) */
PGTLS_API int pgtls_server_enforce_nlines(const pgtls_server *server);
PGTLS_API const char *pgtls_server_enforce_line(const pgtls_server *server, int i);

typedef enum pgtls_enforce_effect
{
	PGTLS_ENF_UNAFFECTED = 0,  /* uses TLS: keeps working */
	PGTLS_ENF_REJECTED,        /* connects without TLS today (or falls back): rejected once enforced */
	PGTLS_ENF_ALREADY_FAILING, /* failed handshakes or rejected attempts only */
	PGTLS_ENF_LOCAL            /* Unix-domain socket only: not affected */
} pgtls_enforce_effect;

/* For client I of a finished log scan. */
PGTLS_API pgtls_enforce_effect pgtls_enforce_effect_of(const pgtls_logscan *scan, int i);
PGTLS_API const char *pgtls_enforce_effect_name(pgtls_enforce_effect effect);
PGTLS_API const char *pgtls_enforce_client_fix(const pgtls_logscan *scan, int i);
/* Why it would be rejected: falls_back, cannot_tell, gss_encryption, no_tls; "" when it would not be. */
PGTLS_API const char *pgtls_enforce_client_cause(const pgtls_logscan *scan, int i);
/* The what-if report (docs/json-schema.md); SCAN may be NULL; free with pgtls_free(). */
PGTLS_API char *pgtls_enforce_json(const pgtls_server *server, const pgtls_logscan *scan, int pretty);
/*
 * 0 no client of SCAN would be rejected, or TLS is enforced already
 * (enforcing locks nobody out now); 2 some would (they would break); 1 no
 * logs (SCAN NULL): who would be rejected is not known; 3 a log not read
 * to its end.
 */
PGTLS_API int pgtls_enforce_status(const pgtls_server *server, const pgtls_logscan *scan);

PGTLS_API int pgtls_server_plaintext_probed(const pgtls_server *server);
PGTLS_API pgtls_startup pgtls_server_plaintext(const pgtls_server *server);
PGTLS_API pgtls_err pgtls_server_errcode(const pgtls_server *server);
PGTLS_API const char *pgtls_server_errmsg(const pgtls_server *server);

/* Connection inventory: pg_stat_ssl x pg_stat_activity, sampled over time. */
typedef struct pgtls_inventory pgtls_inventory;

PGTLS_API pgtls_inventory *pgtls_inventory_new(void);
PGTLS_API void pgtls_inventory_free(pgtls_inventory *inv);
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_inventory_exclude_user(pgtls_inventory *inv, const char *user);
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_inventory_connect(pgtls_inventory *inv, const char *conninfo, int timeout_s);
/* One sample; sessions are identified by (pid, backend_start) across samples. */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_inventory_sample(pgtls_inventory *inv);
PGTLS_API int pgtls_inventory_sessions(const pgtls_inventory *inv);
PGTLS_API char *pgtls_inventory_json(const pgtls_inventory *inv, int pretty);

/* Typed results: sessions grouped by client and TLS parameters, sorted. */
typedef enum pgtls_inventory_field
{
	PGTLS_IV_CLIENT_ADDR = 0, /* "local" for Unix sockets */
	PGTLS_IV_USER,
	PGTLS_IV_DATABASE,
	PGTLS_IV_APPLICATION,
	PGTLS_IV_TLS_VERSION, /* "" without TLS */
	PGTLS_IV_CIPHER,
	PGTLS_IV_FIRST_SEEN,
	PGTLS_IV_LAST_SEEN
} pgtls_inventory_field;

PGTLS_API int pgtls_inventory_samples(const pgtls_inventory *inv);
/* Time of the first (LAST = 0) or last sample. */
PGTLS_API const char *pgtls_inventory_span(const pgtls_inventory *inv, int last);
/* Other users' sessions hidden for lack of pg_read_all_stats (most seen in one sample). */
PGTLS_API int pgtls_inventory_hidden(const pgtls_inventory *inv);
PGTLS_API int pgtls_inventory_tcp_without_tls(const pgtls_inventory *inv);
/* Sessions seen over TCP (not Unix sockets), and samples that failed (sessions in those gaps were missed). */
PGTLS_API int pgtls_inventory_tcp_sessions(const pgtls_inventory *inv);
PGTLS_API int pgtls_inventory_failed_samples(const pgtls_inventory *inv);
/*
 * 0 TCP sessions were seen and every one used TLS; 1 some did not, none
 * was seen, sessions were hidden or samples failed; 3 nothing sampled.
 */
PGTLS_API int pgtls_inventory_status(const pgtls_inventory *inv);
PGTLS_API int pgtls_inventory_ngroups(const pgtls_inventory *inv);
PGTLS_API const char *pgtls_inventory_group_get(const pgtls_inventory *inv, int i, pgtls_inventory_field field);
PGTLS_API int pgtls_inventory_group_tls(const pgtls_inventory *inv, int i);
PGTLS_API int pgtls_inventory_group_sessions(const pgtls_inventory *inv, int i);
PGTLS_API char *pgtls_inventory_csv(const pgtls_inventory *inv);
PGTLS_API pgtls_err pgtls_inventory_errcode(const pgtls_inventory *inv);
PGTLS_API const char *pgtls_inventory_errmsg(const pgtls_inventory *inv);

/* ---------------------------------------------------------------------
 * Client side: connection specs in files/environment, and CA rotation.
 * ---------------------------------------------------------------------
 */
typedef struct pgtls_clients pgtls_clients;

PGTLS_API pgtls_clients *pgtls_clients_new(void);
PGTLS_API void pgtls_clients_free(pgtls_clients *clients);
/*
 * The HOME of the application whose settings are scanned next (its
 * ~/.postgresql/root.crt is what its driver reads); NULL: the scanning
 * user's own (the default).
 */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_clients_set_home(pgtls_clients *clients, const char *home);
/* Scans a file or a directory tree (libpq conninfo, URIs, JDBC URLs, .env, pg_service.conf). */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_clients_scan_path(pgtls_clients *clients, const char *path);
/* Scans PG* and *_URL variables of ENVP (NULL-terminated "NAME=value" array). */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_clients_scan_env(pgtls_clients *clients, char *const *envp);
PGTLS_API int pgtls_clients_count(const pgtls_clients *clients);
/* Findings with driver, effective sslmode, root file and verdict (passwords masked); free with pgtls_free(). */
PGTLS_API char *pgtls_clients_json(const pgtls_clients *clients, int pretty);
/*
 * 0 every client verifies the server fully and every path was read; 1
 * otherwise; 2 a client whose settings fail (not only for want of a root
 * file that may exist where it runs), or a decoy saw a client accept
 * what its settings would refuse.
 */
PGTLS_API int pgtls_clients_status(const pgtls_clients *clients);
/* Files read, and paths not read with the reason. */
PGTLS_API int pgtls_clients_files_scanned(const pgtls_clients *clients);
PGTLS_API int pgtls_clients_nskipped(const pgtls_clients *clients);
/* Clients found beyond the 100,000 listed (they make the status 1, never an all-clear). */
PGTLS_API int pgtls_clients_not_listed(const pgtls_clients *clients);
/* Paths not read, including those beyond the listed 1000. */
PGTLS_API int pgtls_clients_nskipped_total(const pgtls_clients *clients);
PGTLS_API const char *pgtls_clients_skipped_path(const pgtls_clients *clients, int i);
PGTLS_API const char *pgtls_clients_skipped_reason(const pgtls_clients *clients, int i);
/*
 * Settings that look like PostgreSQL's but were not understood (a URI that
 * does not parse, a conninfo with a broken quote): file, line (0 when
 * none) and reason.  Never an all-clear: pgtls_clients_status() is 1.
 */
/*
 * Progress while scanning big trees: FN(ARG, files read so far, path) is
 * called every 500 paths (NULL: none).  pgtls_clients_binaries(): files
 * not read because they are binary (NUL bytes in their first 8 KiB).
 */
PGTLS_API void pgtls_clients_set_progress(pgtls_clients *clients, void (*fn)(void *arg, int files, const char *path),
                                          void *arg);
PGTLS_API int pgtls_clients_binaries(const pgtls_clients *clients);
PGTLS_API int pgtls_clients_nunparsed(const pgtls_clients *clients);
/* with those beyond the 10,000 listed */
PGTLS_API int pgtls_clients_nunparsed_total(const pgtls_clients *clients);
PGTLS_API const char *pgtls_clients_unparsed_file(const pgtls_clients *clients, int i);
PGTLS_API int pgtls_clients_unparsed_line(const pgtls_clients *clients, int i);
PGTLS_API const char *pgtls_clients_unparsed_reason(const pgtls_clients *clients, int i);
/*
 * Reads an application manifest (YAML, documented in pgtls(1)): per
 * application its paths, working directory, HOME, process environment,
 * container volumes and JVM trust store; and "acknowledge" entries, the
 * not-understood lines a person has checked (listed with their reason,
 * no longer counted against the status or a rotation's GO).  Errors
 * (unknown keys, wrong types) name the line.
 */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_clients_load_apps(pgtls_clients *clients, const char *path);
PGTLS_API int pgtls_clients_napps(const pgtls_clients *clients);
PGTLS_API const char *pgtls_clients_app_name(const pgtls_clients *clients, int i);
/* Scans application I of the manifest: its paths, judged with what the manifest says of where it runs. */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_clients_scan_app(pgtls_clients *clients, int i);
/* The manifest's reason for not-understood entry I, or NULL when nobody acknowledged it. */
PGTLS_API const char *pgtls_clients_unparsed_ack(const pgtls_clients *clients, int i);
/*
 * A host name (or TARGET: "host:port", a postgresql:// URI) that a file
 * under the paths scanned next must not name silently: a file naming it
 * (or a cloud database endpoint) from which no client was understood is
 * listed among the not-understood settings, with its line.
 */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_clients_add_target_name(pgtls_clients *clients, const char *name);
/*
 * Trust files under the scanned paths (PEM, DER, PKCS#7, PKCS#12, JKS,
 * found by content): path, certificates read (0 with an error when the
 * file cannot be read without a password or is damaged), and how many
 * clients read it (root file, JVM trust store, NODE_EXTRA_CA_CERTS,
 * SSL_CERT_FILE).
 */
PGTLS_API int pgtls_clients_ntrust_files(const pgtls_clients *clients);
PGTLS_API const char *pgtls_clients_trust_file_path(const pgtls_clients *clients, int i);
PGTLS_API int pgtls_clients_trust_file_ncerts(const pgtls_clients *clients, int i);
PGTLS_API const char *pgtls_clients_trust_file_error(const pgtls_clients *clients, int i);
PGTLS_API int pgtls_clients_trust_file_users(const pgtls_clients *clients, int i);

/* Client I (0-based): typed fields.  Strings owned by CLIENTS; never NULL ("" when absent). */
typedef enum pgtls_client_field
{
	PGTLS_CL_FILE = 0,
	PGTLS_CL_KIND, /* conninfo, uri, jdbc-url, env-file, environment, pg_service, django, npgsql */
	PGTLS_CL_SPEC, /* as found, password masked */
	PGTLS_CL_HOST, /* "" for the driver's default */
	PGTLS_CL_HOSTADDR,
	PGTLS_CL_PORT,    /* "" for the default */
	PGTLS_CL_SSLMODE, /* effective, as the application spells it */
	PGTLS_CL_SSLMODE_SOURCE,
	PGTLS_CL_ROOTCERT, /* path the driver reads, "system", or "" */
	PGTLS_CL_ROOTCERT_SOURCE,
	PGTLS_CL_VERDICT, /* sentence for people */
	PGTLS_CL_DETAIL,  /* sentence for people, or "" */
	PGTLS_CL_NOTE,    /* what the reader noticed (placeholder defaults, parameters libpq does not know), or "" */
	PGTLS_CL_DECOY    /* what a decoy saw (pgtls_clients_set_decoy()): decoy_contradicts_settings,
		                     decoy_confirms_settings, decoy_stricter_than_settings, decoy_observed, or "" */
} pgtls_client_field;

PGTLS_API const char *pgtls_client_get(const pgtls_clients *clients, int i, pgtls_client_field field);
PGTLS_API int pgtls_client_line(const pgtls_clients *clients, int i);
PGTLS_API pgtls_driver pgtls_client_driver(const pgtls_clients *clients, int i);
PGTLS_API pgtls_trust pgtls_client_trust(const pgtls_clients *clients, int i);
PGTLS_API pgtls_client_outcome pgtls_client_outcome_of(const pgtls_clients *clients, int i);
/* Why the settings fail already (root file missing, weak sslmode), or PGTLS_FAIL_NONE. */
PGTLS_API pgtls_failure pgtls_client_failure(const pgtls_clients *clients, int i);
/* 1 the root file exists, 0 it does not, -1 not applicable (JVM store). */
PGTLS_API int pgtls_client_rootcert_exists(const pgtls_clients *clients, int i);
PGTLS_API pgtls_err pgtls_clients_errcode(const pgtls_clients *clients);
PGTLS_API const char *pgtls_clients_errmsg(const pgtls_clients *clients);

/* ---------------------------------------------------------------------
 * Rotation: who breaks when the servers switch to a new CA.
 * ---------------------------------------------------------------------
 */
typedef struct pgtls_rotation pgtls_rotation;

PGTLS_API pgtls_rotation *pgtls_rotation_new(void);
PGTLS_API void pgtls_rotation_free(pgtls_rotation *rot);

/*
 * The old CA (optional, before pgtls_rotation_run()): the new CA is then
 * the new CA file less these certificates.  Without it, certificates of
 * the new CA file that issue what a TARGET serves now count as old.
 */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_rotation_set_old_ca(pgtls_rotation *rot, const char *old_ca_path);

/*
 * Before pgtls_rotation_run(): the servers the clients of CLIENTS connect
 * to that no probe of PROBES covers (matched by host name and port, by
 * hostaddr, or by the address the probe reached).  Returns how many, or
 * -1 (error on ROT); pgtls_rotation_plan_target(rot, i) is a conninfo
 * ("host=... port=...") to probe and pass to pgtls_rotation_add_endpoint().
 * At most 1024: clients of servers beyond are "unknown".  Clients with
 * sslmode=disable or a Unix socket need no probe.
 */
PGTLS_API int pgtls_rotation_plan(pgtls_rotation *rot, const pgtls_clients *clients, const pgtls_probe *const *probes,
                                  int nprobes);
PGTLS_API const char *pgtls_rotation_plan_target(const pgtls_rotation *rot, int i);
/*
 * A finished probe of a server found by pgtls_rotation_plan() (borrowed:
 * it must outlive ROT).  When it reaches the same address and port as a
 * TARGET, its clients are that TARGET's (a DNS alias).
 */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_rotation_add_endpoint(pgtls_rotation *rot, const pgtls_probe *probe);
/*
 * --new-chain-from: CANARY (a finished probe, borrowed) is an instance
 * already switched; its real chain is what every endpoint still on the
 * old CA will serve.  Its chain must come from the new CA file.
 */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_rotation_set_new_chain(pgtls_rotation *rot, const pgtls_probe *canary);

/*
 * Predicts, for each client of CLIENTS, what happens when the endpoints
 * (PROBES: finished probes of the TARGETs) switch to a certificate from
 * the CA(s) in NEW_CA_PATH.  CLIENTS and PROBES are borrowed: they must
 * outlive ROT.  Returns PGTLS_OK or an error (message on ROT).
 */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_rotation_run(pgtls_rotation *rot, const pgtls_clients *clients,
                                                       const char *new_ca_path, const pgtls_probe *const *probes,
                                                       int nprobes);
/*
 * 1 GO: no client breaks, falls back or is unknown, every endpoint was
 * reachable, and no rehearsal session that no client claims broke, fell
 * back or proved nothing.
 */
/*
 * Trust file I of the clients judged (pgtls_clients_trust_file_*): which
 * CAs it holds: "old_and_new", "old_only", "new_only", "neither" or
 * "unreadable".  A file holding the old CA only that no understood client
 * reads makes the decision NO-GO.
 */
PGTLS_API const char *pgtls_rotation_trust_file_holds(const pgtls_rotation *rot, int i);
PGTLS_API int pgtls_rotation_go(const pgtls_rotation *rot);
/* Rehearsal sessions no client claims that broke, fell back or proved nothing (they make it NO-GO). */
PGTLS_API int pgtls_rotation_observed_unattributed(const pgtls_rotation *rot);
/* The exit-code contract: 0 GO, 2 NO-GO (something would break or cannot be told), 3 not run. */
PGTLS_API int pgtls_rotation_status(const pgtls_rotation *rot);
PGTLS_API int pgtls_rotation_nendpoints(const pgtls_rotation *rot);
PGTLS_API const char *pgtls_rotation_endpoint_target(const pgtls_rotation *rot, int i);
PGTLS_API int pgtls_rotation_endpoint_reachable(const pgtls_rotation *rot, int i);
/* 1 already serves a chain from the new CA, 0 not, -1 unknown (unreachable). */
PGTLS_API int pgtls_rotation_endpoint_on_new_ca(const pgtls_rotation *rot, int i);
/* 1 when endpoint I is a client's server found by pgtls_rotation_plan(), not a TARGET. */
PGTLS_API int pgtls_rotation_endpoint_discovered(const pgtls_rotation *rot, int i);
/* The TARGET at the same address and port as discovered endpoint I, or "" . */
PGTLS_API const char *pgtls_rotation_endpoint_same_as(const pgtls_rotation *rot, int i);

typedef enum pgtls_rotation_field
{
	PGTLS_RF_FILE = 0,
	PGTLS_RF_HOST,
	PGTLS_RF_ENDPOINT, /* the TARGET it connects to, or "" */
	PGTLS_RF_NOW,      /* what the client does today (a pgtls_client_outcome code) */
	PGTLS_RF_ERROR,    /* the error the driver will show, or "" */
	PGTLS_RF_WHEN,     /* when the break shows, or "" */
	PGTLS_RF_REASON,   /* why, for people */
	PGTLS_RF_FIX,      /* the fix, safe before and after the switch, or "" */
	PGTLS_RF_BASIS,    /* observed (a rehearsal saw it: pgtls_clients_set_observed()) or inferred */
	PGTLS_RF_INFERRED  /* the prediction its settings give (a pgtls_prediction code), whatever the basis */
} pgtls_rotation_field;

PGTLS_API int pgtls_rotation_nclients(const pgtls_rotation *rot);
PGTLS_API const char *pgtls_rotation_client_get(const pgtls_rotation *rot, int i, pgtls_rotation_field field);
PGTLS_API int pgtls_rotation_client_line(const pgtls_rotation *rot, int i);
PGTLS_API pgtls_driver pgtls_rotation_client_driver(const pgtls_rotation *rot, int i);
PGTLS_API pgtls_prediction pgtls_rotation_client_prediction(const pgtls_rotation *rot, int i);
/* Report as JSON (docs/json-schema.md); free with pgtls_free(). */
PGTLS_API char *pgtls_rotation_json(const pgtls_rotation *rot, int pretty);
PGTLS_API pgtls_err pgtls_rotation_errcode(const pgtls_rotation *rot);
PGTLS_API const char *pgtls_rotation_errmsg(const pgtls_rotation *rot);

/* ---------------------------------------------------------------------
 * AWS RDS/Aurora inventory from the AWS CLI's JSON (no credentials in
 * pgtls): describe-db-instances, describe-db-clusters,
 * describe-certificates, describe-db-engine-versions.  See lib/fleet/aws.c.
 * ---------------------------------------------------------------------
 */
typedef struct pgtls_aws pgtls_aws;

typedef enum pgtls_aws_field
{
	PGTLS_AWS_ID = 0, /* DBInstanceIdentifier or DBClusterIdentifier */
	PGTLS_AWS_KIND,   /* instance, cluster-writer, cluster-reader */
	PGTLS_AWS_ENGINE,
	PGTLS_AWS_ENGINE_VERSION,
	PGTLS_AWS_ADDRESS,       /* the endpoint's host name */
	PGTLS_AWS_CA_ID,         /* CACertificateIdentifier (instances), or "" */
	PGTLS_AWS_CA_VALID_TILL, /* CertificateDetails.ValidTill, or "" */
	PGTLS_AWS_CLUSTER,       /* DBClusterIdentifier, or "" */
	PGTLS_AWS_NFIELDS
} pgtls_aws_field;

PGTLS_API pgtls_aws *pgtls_aws_new(void);
PGTLS_API void pgtls_aws_free(pgtls_aws *aws);
/* One AWS CLI JSON file ("-": stdin); repeatable.  A file with none of the lists is an error. */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_aws_load(pgtls_aws *aws, const char *path);
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_aws_load_mem(pgtls_aws *aws, const char *data, size_t len, const char *name);
/* "ID=NAME": the name certificates of CA ID carry (adds to or overrides the built-in RDS names) */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_aws_set_ca_name(pgtls_aws *aws, const char *spec);
PGTLS_API int pgtls_aws_ninstances(const pgtls_aws *aws);
PGTLS_API const char *pgtls_aws_instance_get(const pgtls_aws *aws, int i, pgtls_aws_field field);
PGTLS_API int pgtls_aws_instance_port(const pgtls_aws *aws, int i);
/* 1 the served chain (its top CA name SERVED_CA) is the declared CA's, 0 not, -1 cannot tell */
PGTLS_API int pgtls_aws_served_matches(const pgtls_aws *aws, int i, const char *served_ca);
/* the CA of describe-certificates valid longest, or "" */
PGTLS_API const char *pgtls_aws_target_ca(const pgtls_aws *aws);
PGTLS_API const char *pgtls_aws_ca_valid_till(const pgtls_aws *aws, const char *ca_id);
/* 1 rotates without restart, 0 restarts, -1 unknown (give describe-db-engine-versions JSON) */
PGTLS_API int pgtls_aws_rotates_without_restart(const pgtls_aws *aws, int i);
/* `aws rds modify-db-instance ... --ca-certificate-identifier TARGET_CA --apply-immediately` for instance I */
PGTLS_API void pgtls_aws_modify_command(const pgtls_aws *aws, int i, const char *target_ca, char *out, size_t outlen);
/* The plan (docs/json-schema.md); SERVED_CA[i]: the CA at the top of endpoint i's served chain; pgtls_free() */
PGTLS_API char *pgtls_aws_plan_json(const pgtls_aws *aws, const char *const *served_ca, const char *target_ca);
PGTLS_API pgtls_err pgtls_aws_errcode(const pgtls_aws *aws);
PGTLS_API const char *pgtls_aws_errmsg(const pgtls_aws *aws);

/* ---------------------------------------------------------------------
 * Impostor: a decoy PostgreSQL server that records what each client does
 * with it (asks for TLS? accepts a forged certificate? falls back to
 * plaintext? sends its password?) and refuses every session with a FATAL
 * error.  It forwards nothing anywhere and keeps no password byte: only
 * that one was sent and its length class.  A test tool for environments
 * you own.  The caller runs it: pgtls_impostor_poll() in a loop.
 * ---------------------------------------------------------------------
 */
typedef struct pgtls_impostor pgtls_impostor;

/* What the decoy serves. */
typedef enum pgtls_decoy_mode
{
	PGTLS_DECOY_FORGED = 0,   /* a chain from a throwaway CA named as the real issuer */
	PGTLS_DECOY_NO_TLS,       /* answers N to SSLRequest: who falls back to plaintext */
	PGTLS_DECOY_WRONG_NAME,   /* a trusted CA (given) signs a leaf for another host name */
	PGTLS_DECOY_EXPIRED,      /* a trusted CA (given) signs a leaf that expired yesterday */
	PGTLS_DECOY_UNTRUSTED_CA, /* a chain from a throwaway CA with its own name */
	PGTLS_DECOY_NEW_CHAIN,    /* rehearsal: the new CA (given) signs a leaf with the real names */
	PGTLS_DECOY_RELAY,        /* rehearsal: TLS relayed to a canary already on the new CA, watched, not decrypted */
	PGTLS_DECOY_MODE_COUNT
} pgtls_decoy_mode;

/* What one client connection did with the decoy (stable codes: pgtls_decoy_verdict_name()). */
typedef enum pgtls_decoy_verdict
{
	PGTLS_DECOY_REJECTED = 0,     /* rejected_decoy: it verified what this mode tests */
	PGTLS_DECOY_INCONCLUSIVE,     /* inconclusive: it closed before asking for anything */
	PGTLS_DECOY_NO_TLS_REQUESTED, /* no_tls_requested: startup without asking for TLS */
	PGTLS_DECOY_FELL_BACK,        /* fell_back_to_plaintext: asked for TLS, went on without it */
	PGTLS_DECOY_ACCEPTED_CERT,    /* accepted_forged_cert: sent its startup over the decoy's TLS */
	PGTLS_DECOY_SENT_PASSWORD,    /* sent_password_to_decoy */
	PGTLS_DECOY_VERDICT_COUNT
} pgtls_decoy_verdict;

PGTLS_API const char *pgtls_decoy_mode_name(pgtls_decoy_mode mode);
/* 0 and *OUT set, or -1 when S is not a mode name */
PGTLS_API int pgtls_decoy_mode_parse(const char *s, pgtls_decoy_mode *out);
PGTLS_API const char *pgtls_decoy_verdict_name(pgtls_decoy_verdict verdict);

typedef enum pgtls_impostor_opt
{
	PGTLS_IMP_SESSION_TIMEOUT_MS = 0, /* one connection's limit (default 10000) */
	PGTLS_IMP_MAX_CONCURRENT,         /* connections at once; more are closed at once (default 64) */
	PGTLS_IMP_MAX_RECORDS             /* sessions listed; more are counted only (default 10000) */
} pgtls_impostor_opt;

PGTLS_API pgtls_impostor *pgtls_impostor_new(void);
PGTLS_API void pgtls_impostor_free(pgtls_impostor *imp);
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_impostor_set_mode(pgtls_impostor *imp, pgtls_decoy_mode mode);
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_impostor_set_option(pgtls_impostor *imp, pgtls_impostor_opt opt, long value);
/*
	 * The CA the clients trust, to sign the wrong-name and expired leaves:
	 * PEM certificate (more certificates after it are served as the chain)
	 * and PEM key; KEY_PASSWORD (NULL: none) opens an encrypted key.
	 */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_impostor_set_ca(pgtls_impostor *imp, const char *cert_path,
                                                          const char *key_path, const char *key_password);
/* A host name or IP address the leaf names (repeatable; default: the listen address, localhost too on loopback). */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_impostor_add_name(pgtls_impostor *imp, const char *name);
/* Copies the real server's leaf subject and names, and its issuer's name, from a finished probe. */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_impostor_set_like(pgtls_impostor *imp, const pgtls_probe *probe);
/*
	 * Mode relay: CANARY, a finished probe of a server already on the new
	 * CA, is where each client's TLS is relayed (the address it reached)
	 * and whose certificate names tell whether a client's host-name check
	 * was tested.  CONNINFO (NULL or "": none) is a libpq connection to the
	 * canary whose role may read pg_stat_activity (pg_read_all_stats): it
	 * names each relayed session's user, database and application_name.
	 * CANARY is borrowed until pgtls_impostor_listen() returns.
	 */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_impostor_set_relay(pgtls_impostor *imp, const pgtls_probe *canary,
                                                             const char *conninfo);
/*
	 * Makes the certificates and listens on ADDR ("127.0.0.1:5433",
	 * "[::1]:5433", "localhost:5433"; ":5433" or "5433" is loopback; port 0
	 * picks one).  Nothing listens before this call.
	 */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_impostor_listen(pgtls_impostor *imp, const char *addr);
/* The address listened on ("127.0.0.1:5433"), "" before pgtls_impostor_listen(). */
PGTLS_API const char *pgtls_impostor_address(const pgtls_impostor *imp);
/* The decoy's leaf certificate (NULL for no-tls, or before listening). */
PGTLS_API const pgtls_cert *pgtls_impostor_leaf(const pgtls_impostor *imp);
/* Serves for at most TIMEOUT_MS; returns the number of sessions that ended, or -1 (error on IMP). */
PGTLS_API int pgtls_impostor_poll(pgtls_impostor *imp, int timeout_ms);
/* Stops listening and ends the connections in flight (recorded as cut short). */
PGTLS_API void pgtls_impostor_stop(pgtls_impostor *imp);
/* Sessions ended so far (listed ones), in order of ending. */
PGTLS_API int pgtls_impostor_nsessions(const pgtls_impostor *imp);

typedef enum pgtls_decoy_field
{
	PGTLS_DS_PEER = 0, /* "127.0.0.1:51234" */
	PGTLS_DS_STARTED,  /* UTC, ISO 8601 */
	PGTLS_DS_REQUEST,  /* sslrequest, direct, gssencrequest+sslrequest, gssencrequest, none */
	PGTLS_DS_STARTUP,  /* tls, plaintext, none */
	PGTLS_DS_USER,     /* from the StartupMessage, or "" */
	PGTLS_DS_DATABASE,
	PGTLS_DS_APPNAME,      /* application_name: which application it was */
	PGTLS_DS_TLS_VERSION,  /* when the handshake completed, or "" */
	PGTLS_DS_SNI,          /* the host name the client asked for, or "" */
	PGTLS_DS_CLIENT_ALERT, /* why the handshake failed (the client's alert), or "" */
	PGTLS_DS_PASSWORD,     /* length class of the password sent ("8-15"), or "" */
	PGTLS_DS_END,          /* how the connection ended, for people */
	PGTLS_DS_EXPLAIN,      /* the client setting that explains the verdict, for people */
	PGTLS_DS_FIX,          /* what to change, or "" */
	PGTLS_DS_PROVES        /* rehearsal modes: ca_trust_and_host_name, ca_trust, or "" (nothing) */
} pgtls_decoy_field;

PGTLS_API const char *pgtls_impostor_session_get(const pgtls_impostor *imp, int i, pgtls_decoy_field field);
/* The most severe verdict of session I; _has(): 1 when VERDICT holds for it too. */
PGTLS_API pgtls_decoy_verdict pgtls_impostor_session_verdict(const pgtls_impostor *imp, int i);
PGTLS_API int pgtls_impostor_session_has(const pgtls_impostor *imp, int i, pgtls_decoy_verdict verdict);
/*
	 * Rehearsal modes (new-chain, relay): what session I shows the client
	 * will do when its server switches to the new CA: KEEPS_WORKING,
	 * BREAKS, FALLS_BACK, UNAFFECTED_NO_TLS, or UNKNOWN (nothing proven).
	 * Other modes: UNKNOWN.
	 */
PGTLS_API pgtls_prediction pgtls_impostor_session_observed(const pgtls_impostor *imp, int i);
/* The 1-based id of session I, and of the same client's attempt it retries (0: none). */
PGTLS_API int pgtls_impostor_session_id(const pgtls_impostor *imp, int i);
PGTLS_API int pgtls_impostor_session_retry_of(const pgtls_impostor *imp, int i);
/* Connections closed unheard because MAX_CONCURRENT were open; sessions beyond MAX_RECORDS. */
PGTLS_API int pgtls_impostor_dropped(const pgtls_impostor *imp, int beyond_records);
/*
	 * 0 every client rejected the decoy, 1 none accepted but some were inconclusive, 2 some accepted, 3 none came.
	 * Rehearsal modes: 0 every client keeps working, 1 some proved nothing, 2 some break or fall back, 3 none came.
	 */
PGTLS_API int pgtls_impostor_status(const pgtls_impostor *imp);
/* Report (docs/json-schema.md); free with pgtls_free(). */
PGTLS_API char *pgtls_impostor_json(const pgtls_impostor *imp, int pretty);
/* Reads back a report of pgtls_impostor_json() (for pgtls clients and pgtls rotation). */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_impostor_load(pgtls_impostor *imp, const char *path);
PGTLS_API pgtls_decoy_mode pgtls_impostor_mode(const pgtls_impostor *imp);
PGTLS_API pgtls_err pgtls_impostor_errcode(const pgtls_impostor *imp);
PGTLS_API const char *pgtls_impostor_errmsg(const pgtls_impostor *imp);
/*
	 * What the decoy saw of each client of CLIENTS (matched by user,
	 * database and application_name): a client whose settings say it
	 * verifies but that accepted the decoy is a finding (and the reverse).
	 * What is needed of IMP is copied.
	 */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_clients_set_decoy(pgtls_clients *clients, const pgtls_impostor *imp);
/*
	 * What a rehearsal (IMP: a new-chain or relay report) saw each client of
	 * CLIENTS do, matched as pgtls_clients_set_decoy() does; repeatable, one
	 * report per call: a client seen by several gets the worst.  Sessions
	 * matched to no client are counted (a refusal tells no user).  Used by
	 * pgtls_rotation_run(): an observation beats what the settings suggest.
	 */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_clients_set_observed(pgtls_clients *clients, const pgtls_impostor *imp);
/*
	 * What a server's logs (SCAN, finished) saw each client of CLIENTS do,
	 * matched by user, database and application_name: a client seen
	 * connecting in plaintext after TLS is falls_back_to_plaintext in
	 * pgtls_rotation_run(), whatever its settings say.
	 */
PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_clients_set_logs(pgtls_clients *clients, const pgtls_logscan *scan);

PGTLS_END_DECLS

#endif /* PGTLS_PGTLS_H */
