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

#ifdef __cplusplus
extern "C"
{
#endif

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

	/* Short upper-case name of an error class ("TIMEOUT"); never NULL. */
	PGTLS_API const char *pgtls_err_name(pgtls_err err);

	/* Releases memory returned as "char *" by this library. */
	PGTLS_API void pgtls_free(void *ptr);

	/* Library version string, e.g. "0.1.0". */
	PGTLS_API const char *pgtls_version(void);

	/* Monotonic clock in milliseconds, the time base of all deadlines. */
	PGTLS_API int64_t pgtls_now_ms(void);

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

	/* Absolute deadline (pgtls_now_ms() base) of the current network step. */
	PGTLS_API int64_t pgtls_conn_deadline(const pgtls_conn *conn);

	/* Tells the connection its deadline passed: it fails with PGTLS_ERR_TIMEOUT. */
	PGTLS_API void pgtls_conn_expire(pgtls_conn *conn);

	PGTLS_API pgtls_err pgtls_conn_errcode(const pgtls_conn *conn);
	PGTLS_API const char *pgtls_conn_errmsg(const pgtls_conn *conn);

	/* Event trace, e.g. "connect 127.0.0.1:5432, sslrequest, S, handshake TLSv1.3". */
	PGTLS_API const char *pgtls_conn_trace(const pgtls_conn *conn);

	/* ---------------------------------------------------------------------
 * Probe: everything `pgtls probe` learns about one server.
 * ---------------------------------------------------------------------
 */
	typedef struct pgtls_probe pgtls_probe;

	typedef enum pgtls_probe_opt
	{
		PGTLS_PROBE_ROOTCERT,         /* file, "system", or "" for libpq's default */
		PGTLS_PROBE_SERVERNAME,       /* name checked by verify-full (and SNI) */
		PGTLS_PROBE_USER,             /* StartupMessage user (default postgres) */
		PGTLS_PROBE_DBNAME,           /* StartupMessage database (default = user) */
		PGTLS_PROBE_NEGOTIATION,      /* "postgres" (default), "direct" or "both" */
		PGTLS_PROBE_TIMEOUT_MS,       /* per network step, default 10000 */
		PGTLS_PROBE_WARN_DAYS,        /* expiry warning horizon, default 30 */
		PGTLS_PROBE_HOME,             /* home directory for ~/.postgresql (default $HOME) */
		PGTLS_PROBE_ROOTCERT_PASSWORD /* opens a PKCS#12 / JKS root store */
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
	PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_probe_set_option(pgtls_probe *probe, pgtls_probe_opt opt,
	                                                           const char *value);

	/*
 * Resolves the target and creates the connections to drive.  After this,
 * step every pgtls_probe_conn(probe, i) for i < pgtls_probe_nconns(probe)
 * to PGTLS_STEP_DONE (or expire it), then call pgtls_probe_finish().
 */
	PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_probe_start(pgtls_probe *probe);
	PGTLS_API int pgtls_probe_nconns(const pgtls_probe *probe);
	PGTLS_API pgtls_conn *pgtls_probe_conn(pgtls_probe *probe, int i);

	/* Evaluates what was seen: chain, rootcert, libpq sslmode verdicts. */
	PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_probe_finish(pgtls_probe *probe);

	/*
 * Report as JSON (schema in docs/json-schema.md); caller frees with
 * pgtls_free().  NULL when out of memory or before pgtls_probe_finish().
 */
	PGTLS_API char *pgtls_probe_json(const pgtls_probe *probe, int pretty);

	/* Monitoring-plugin status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
	PGTLS_API int pgtls_probe_status(const pgtls_probe *probe);

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
	PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_store_load_file(pgtls_store *store, const char *path,
	                                                          const char *password);
	PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_store_load_mem(pgtls_store *store, const unsigned char *buf, size_t len,
	                                                         const char *password, const char *name);
	PGTLS_API int pgtls_store_count(const pgtls_store *store);

	/* Removes duplicates (same certificate) and, if DROP_EXPIRED, expired ones; each removal is reported. */
	PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_store_dedupe(pgtls_store *store, int drop_expired);

	/* Index (0-based) of the certificate with this SHA-1 or SHA-256 fingerprint, -1 if absent, -2 on a bad fingerprint. */
	PGTLS_API int pgtls_store_find(pgtls_store *store, const char *fingerprint);

	/* Inspection report as JSON (docs/json-schema.md); free with pgtls_free(). */
	PGTLS_API char *pgtls_store_json(const pgtls_store *store, int pretty);

	/*
 * Serialises the store: FORMAT "pem", "der" (one certificate only), "p12"
 * (Java-trusted certificate bags) or "jks".  PASSWORD defaults to
 * "changeit" for p12/jks.  *OUT is freed with pgtls_free().
 */
	PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_store_write_mem(pgtls_store *store, const char *format,
	                                                          const char *password, unsigned char **out,
	                                                          size_t *outlen);
	/* As above, to PATH atomically (temp file + rename); refuses to overwrite unless FORCE. */
	PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_store_write_file(pgtls_store *store, const char *path, const char *format,
	                                                           const char *password, int force);

	PGTLS_API pgtls_err pgtls_store_errcode(const pgtls_store *store);
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

	/* Reads one log file (plain or gzip) in constant memory. */
	PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_logscan_file(pgtls_logscan *scan, const char *path);

	/* Feeds raw bytes (any split); call pgtls_logscan_finish() at the end of the stream. */
	PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_logscan_feed(pgtls_logscan *scan, const char *data, size_t len);
	PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_logscan_finish(pgtls_logscan *scan);

	/* Per-client report (docs/json-schema.md), or CSV; free with pgtls_free(). */
	PGTLS_API char *pgtls_logscan_json(const pgtls_logscan *scan, int pretty);
	PGTLS_API char *pgtls_logscan_csv(const pgtls_logscan *scan);

	/* 0: no plaintext connection seen; 1: plaintext connections or attempts seen. */
	PGTLS_API int pgtls_logscan_status(const pgtls_logscan *scan);
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
 * must use TLS.  PROBE_JSON (may be NULL) is a pgtls_probe_json() report of
 * the same server, whose plaintext startup result is taken into account.
 */
	PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_server_check(pgtls_server *server, const char *conninfo,
	                                                       const char *probe_json, int timeout_s);
	PGTLS_API char *pgtls_server_json(const pgtls_server *server, int pretty);
	/* 0 enforced, 1 not enforced, 2 no TLS at all, 3 unknown */
	PGTLS_API int pgtls_server_status(const pgtls_server *server);
	PGTLS_API pgtls_err pgtls_server_errcode(const pgtls_server *server);
	PGTLS_API const char *pgtls_server_errmsg(const pgtls_server *server);

	/* Connection inventory: pg_stat_ssl x pg_stat_activity, sampled over time. */
	typedef struct pgtls_inventory pgtls_inventory;

	PGTLS_API pgtls_inventory *pgtls_inventory_new(void);
	PGTLS_API void pgtls_inventory_free(pgtls_inventory *inv);
	PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_inventory_exclude_user(pgtls_inventory *inv, const char *user);
	PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_inventory_connect(pgtls_inventory *inv, const char *conninfo,
	                                                            int timeout_s);
	/* One sample; sessions are identified by (pid, backend_start) across samples. */
	PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_inventory_sample(pgtls_inventory *inv);
	PGTLS_API int pgtls_inventory_sessions(const pgtls_inventory *inv);
	PGTLS_API char *pgtls_inventory_json(const pgtls_inventory *inv, int pretty);
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
	/* Scans a file or a directory tree (libpq conninfo, URIs, JDBC URLs, .env, pg_service.conf). */
	PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_clients_scan_path(pgtls_clients *clients, const char *path);
	/* Scans PG* and *_URL variables of ENVP (NULL-terminated "NAME=value" array). */
	PGTLS_API PGTLS_MUSTCHECK pgtls_err pgtls_clients_scan_env(pgtls_clients *clients, char *const *envp);
	PGTLS_API int pgtls_clients_count(const pgtls_clients *clients);
	/* Findings with driver, effective sslmode, root file and verdict (passwords masked); free with pgtls_free(). */
	PGTLS_API char *pgtls_clients_json(const pgtls_clients *clients, int pretty);
	/* 0 every client verifies the server fully, 1 otherwise. */
	PGTLS_API int pgtls_clients_status(const pgtls_clients *clients);
	/*
 * Predicts, for each client found, what happens when the server switches
 * to a certificate from the CA(s) in NEW_CA_PATH.  PROBES are
 * pgtls_probe_json() reports of the endpoints.  *GO is set to 1 when no
 * client breaks.  NULL on error (message on CLIENTS).
 */
	PGTLS_API char *pgtls_clients_rotation_json(pgtls_clients *clients, const char *new_ca_path,
	                                            const char *const *probes, int nprobes, int pretty, int *go);
	PGTLS_API pgtls_err pgtls_clients_errcode(const pgtls_clients *clients);
	PGTLS_API const char *pgtls_clients_errmsg(const pgtls_clients *clients);

	/*
 * Parses a libpq conninfo string or postgresql:// URI (JDBC = 0), or a
 * pgjdbc URL (JDBC = 1), into a JSON object of keywords, with libpq's
 * rules and error texts.  NULL with ERR filled on error.
 */
	PGTLS_API char *pgtls_conninfo_parse_json(const char *s, int jdbc, char *err, size_t errlen);

	/* ---------------------------------------------------------------------
 * Stand-alone helpers (exposed for tests, fuzzing and other tools).
 * ---------------------------------------------------------------------
 */

	/*
 * libpq's verify-full name rule for one certificate name: exact,
 * case-insensitive match, or a leading "*." wildcard covering exactly one
 * label.  Returns 1 on match, 0 otherwise.
 */
	PGTLS_API int pgtls_name_matches(const char *pattern, size_t patlen, const char *host);

	/*
 * Checks HOST against a DER certificate with libpq's rules (SAN of the
 * host's type first, CN only when no SAN of that type).  Returns 1 match,
 * 0 mismatch, -1 error; MSG (if not NULL, MSGLEN bytes) receives libpq's
 * error text on mismatch or error.
 */
	PGTLS_API int pgtls_host_matches_der(const unsigned char *der, size_t derlen, const char *host, char *msg,
	                                     size_t msglen);

	/*
 * Summarises a DER certificate as JSON (the "chain" element of a probe
 * report).  Returns NULL on malformed input or OOM; free with pgtls_free().
 */
	PGTLS_API char *pgtls_cert_summary_der(const unsigned char *der, size_t derlen);

	/*
 * Parses the bytes a server sends in answer to SSLRequest (or a
 * StartupMessage).  KIND: 0 = SSL response byte, 1 = first startup reply.
 * Returns a JSON description (free with pgtls_free()), or NULL with MSG
 * filled when the bytes are malformed / hostile.
 */
	PGTLS_API char *pgtls_parse_server_response(int kind, const unsigned char *buf, size_t len, char *msg,
	                                            size_t msglen);

#ifdef __cplusplus
}
#endif

#endif /* PGTLS_PGTLS_H */
