/*-------------------------------------------------------------------------
 *
 * drivers.c
 *	  The driver table read by the rules engine, and the stable codes of
 *	  the rules vocabulary.
 *
 * IDENTIFICATION
 *	  lib/rules/drivers.c
 *
 * NOTES
 *	  docs/drivers.md is generated from this table
 *	  (tests/unit/gen_drivers_doc.c; test_rules checks it is current).
 *	  Each row cites the source or documentation it follows.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "rules/rules.h"

#define ERR_LIBPQ_CHAIN "SSL error: certificate verify failed"

static const pgtls_driver_rules drivers[PGTLS_DRIVER_COUNT] = {
    [PGTLS_DRIVER_LIBPQ] =
        {
            .id = PGTLS_DRIVER_LIBPQ,
            .name = "libpq",
            .run_by = "run here: psql against real PostgreSQL 15 (tests/integration/test_probe.py, test_libpq.py)",
            .label = "libpq (psql, C programs)",
            .recognised_by = "conninfo strings, postgresql:// URIs, .env PG* variables, pg_service.conf, other files",
            .default_mode = PGTLS_SSLMODE_PREFER,
            .default_root_file = true,
            .root_upgrades_require = true,
            .root_upgrades_prefer = true,
            .system_verify_full_only = true,
            .root_pem_only = true,
            .err_chain = ERR_LIBPQ_CHAIN,
            .err_host = "server certificate for \"...\" does not match host name \"...\"",
            .err_no_ssl = "server does not support SSL, but SSL was required",
            .err_no_root = "root certificate file \"...\" does not exist",
            .notes = "URI `ssl=true` means `sslmode=require`; `sslrootcert=system` (libpq 16+) allows only "
                     "verify-full; prefer retries without TLS after any TLS failure, silently",
            .source = "PostgreSQL fe-connect.c (PQconnectPoll, connectOptions2), fe-secure-openssl.c "
                      "(initialize_SSL, open_client_SSL); checked against psql 15",
        },
    [PGTLS_DRIVER_PSYCOPG] =
        {
            .id = PGTLS_DRIVER_PSYCOPG,
            .name = "psycopg",
            .run_by = "run here: psycopg2 with libpq 15 (test_probe.py, test_libpq.py)",
            .label = "psycopg2 / psycopg 3",
            .recognised_by = ".py files",
            .default_mode = PGTLS_SSLMODE_PREFER,
            .default_root_file = true,
            .root_upgrades_require = true,
            .root_upgrades_prefer = true,
            .system_verify_full_only = true,
            .root_pem_only = true,
            .err_chain = ERR_LIBPQ_CHAIN,
            .err_host = "server certificate for \"...\" does not match host name \"...\"",
            .err_no_ssl = "server does not support SSL, but SSL was required",
            .err_no_root = "root certificate file \"...\" does not exist",
            .notes = "uses libpq: every libpq rule applies",
            .source = "psycopg docs (connection strings are passed to libpq); checked against psycopg2 with libpq 15",
        },
    [PGTLS_DRIVER_ASYNCPG] =
        {
            .id = PGTLS_DRIVER_ASYNCPG,
            .name = "asyncpg",
            .run_by = "run here: Debian's asyncpg 0.27 (test_asyncpg.py)",
            .label = "asyncpg",
            .recognised_by = ".py files that mention asyncpg",
            .default_mode = PGTLS_SSLMODE_PREFER,
            .default_root_file = true,
            .root_upgrades_require = true,
            .err_chain = "ssl.SSLCertVerificationError: certificate verify failed: unable to get local issuer "
                         "certificate",
            .err_host = "ssl.SSLCertVerificationError: certificate verify failed: Hostname mismatch",
            .err_no_ssl = "ConnectionError: PostgreSQL server at \"...\" rejected SSL upgrade",
            .err_no_root = "FileNotFoundError: root certificate file",
            .notes = "asyncpg 0.25 and later: prefer and allow never verify; require verifies the CA when a root "
                     "file exists (sslrootcert, PGSSLROOTCERT or ~/.postgresql/root.crt), else encrypts only; "
                     "verify-ca/verify-full need that file; `ssl=True` verifies fully against the system store; "
                     "prefer retries without TLS after a failure",
            .source = "asyncpg connect_utils.py (_parse_connect_dsn_and_args: sslmode handling; PR #827, 0.25.0); "
                      "checked against asyncpg 0.27 (Debian python3-asyncpg)",
        },
    [PGTLS_DRIVER_PGJDBC] =
        {
            .id = PGTLS_DRIVER_PGJDBC,
            .name = "pgjdbc",
            .run_by = "run here: Debian's pgjdbc 42.5.5 on JDK 17, both factories (test_driver.py, test_rehearsal.py)",
            .label = "PostgreSQL JDBC (pgjdbc)",
            .recognised_by = "jdbc:postgresql: URLs",
            .default_mode = PGTLS_SSLMODE_PREFER,
            .default_root_file = true,
            .host_check_any_trust = true,
            .prefer_retry_rejected_only = true,
            .any_cert_anchor = true,
            .err_chain = "SSL error: PKIX path building failed: ... unable to find valid certification path to "
                         "requested target",
            .err_host = "The hostname ... could not be verified by hostnameverifier PgjdbcHostnameVerifier",
            .err_no_ssl = "The server does not support SSL.",
            .err_no_root = "Could not open SSL root certificate file",
            .err_purpose = "SSL error: Extended key usage does not permit use for TLS server authentication",
            .notes = "`ssl=true` without sslmode means verify-full; `sslfactory=...NonValidatingFactory` does not "
                     "check the chain, yet verify-full still checks the host name (MakeSSL.verifyPeerName); "
                     "`...DefaultJavaSSLFactory` checks the chain against the JVM trust store in every "
                     "sslmode (read once per JVM: restart it after updating the store); with the default "
                     "LibPQFactory require never verifies, even with a root file (sslrootcert is read at each "
                     "connection); prefer goes on without TLS after the server's rejection over TLS, never after a "
                     "failed handshake (a trust store lacking the CA breaks it); any certificate in sslrootcert or "
                     "the trust store is a trust anchor, an intermediate or the server's own (the JDK's PKIX)",
            .source = "pgjdbc ssl/MakeSSL.java, ssl/LibPQFactory.java, core/SocketFactoryFactory.java, "
                      "core/v3/ConnectionFactoryImpl.java (tryConnect: PREFER retries on SQLSTATE 28000 only); the "
                      "JDK's sun.security.validator.PKIXValidator (trusted certificates as anchors); "
                      "checked against pgjdbc (Debian libpostgresql-jdbc-java)",
        },
    [PGTLS_DRIVER_GO_PQ] =
        {
            .id = PGTLS_DRIVER_GO_PQ,
            .name = "lib/pq",
            .run_by = "run here: Debian's lib/pq 1.10.7 on Go 1.19 (test_go.py, test_rehearsal.py)",
            .label = "Go lib/pq",
            .recognised_by = ".go files",
            .default_mode = PGTLS_SSLMODE_REQUIRE,
            .system_store_default = true,
            .root_upgrades_require = true,
            .root_upgrade_explicit = true,
            .any_cert_anchor = true,
            .unsupported_modes = 1u << PGTLS_SSLMODE_ALLOW | 1u << PGTLS_SSLMODE_PREFER,
            .verify_checks_host = true,
            .host_error_first = true,
            .err_chain = "x509: certificate signed by unknown authority",
            .err_host = "x509: certificate is valid for ..., not ...",
            .err_no_ssl = "pq: SSL is not enabled on the server",
            .err_no_root = "open ...: no such file or directory",
            .err_purpose = "x509: certificate specifies an incompatible key usage",
            .notes = "require verifies the CA only when sslrootcert is set (libpq compatibility); without "
                     "sslrootcert, verify-* use the system store; allow and prefer are refused (\"unsupported "
                     "sslmode\"); any certificate in sslrootcert is a trust anchor (x509.Verify); verify-ca, and "
                     "require with sslrootcert, check the host name too (the SNI name is the DNSName of "
                     "sslVerifyCertificateAuthority); a wrong name is reported before an untrusted chain",
            .source = "lib/pq 1.10 ssl.go (ssl(): case \"require\", default: unsupported sslmode, "
                      "sslCertificateAuthority); Go crypto/x509 verify.go; checked against Debian's "
                      "golang-github-lib-pq-dev 1.10.7 on Go 1.19 (tests/integration/test_go.py)",
        },
    [PGTLS_DRIVER_GO_PQ_112] =
        {
            .id = PGTLS_DRIVER_GO_PQ_112,
            .name = "lib/pq-1.12",
            .run_by = "from source, not run (Debian has lib/pq 1.10.7)",
            .label = "Go lib/pq v1.12.0 and later",
            .recognised_by = ".go files of a module whose go.mod requires github.com/lib/pq v1.12.0 or later",
            .default_mode = PGTLS_SSLMODE_REQUIRE,
            .default_root_file = true,
            .default_root_optional = true,
            .system_store_default = true,
            .root_upgrades_require = true,
            .root_upgrades_prefer = true,
            .any_cert_anchor = true,
            .host_error_first = true,
            .err_chain = "x509: certificate signed by unknown authority",
            .err_host = "x509: certificate is valid for ..., not ...",
            .err_no_ssl = "pq: SSL is not enabled on the server",
            .err_no_root = "open ...: no such file or directory",
            .err_purpose = "x509: certificate specifies an incompatible key usage",
            .notes = "v1.12.0 reads ~/.postgresql/root.crt when sslrootcert is unset and it exists, so require and "
                     "prefer then verify the CA; supports prefer, allow and sslrootcert=system (require with system "
                     "verifies nothing); without a root file verify-* use the system store",
            .source = "lib/pq CHANGELOG v1.12.0 (#1270, #1280, #1281); ssl.go ssl(): root.crt default, "
                      "SSLModeRequire/SSLModePrefer verifyCaOnly when sslrootcert is set",
        },
    [PGTLS_DRIVER_PGX] =
        {
            .id = PGTLS_DRIVER_PGX,
            .name = "pgx",
            .run_by = "run here: Debian's pgx 4.15 on Go 1.19 (test_go.py, test_rehearsal.py)",
            .label = "Go pgx",
            .recognised_by = ".go files importing jackc/pgx",
            .default_mode = PGTLS_SSLMODE_PREFER,
            .system_store_default = true,
            .root_upgrades_require = true,
            .root_upgrade_explicit = true,
            .any_cert_anchor = true,
            .host_error_first = true,
            .err_chain = "x509: certificate signed by unknown authority",
            .err_host = "x509: certificate is valid for ..., not ...",
            .err_no_ssl = "server refused TLS connection",
            .err_no_root = "unable to read CA file",
            .err_purpose = "x509: certificate specifies an incompatible key usage",
            .notes = "require verifies the CA only when sslrootcert is set; allow and prefer never verify and go "
                     "on in plaintext after a failed TLS attempt; without sslrootcert, verify-* use the system "
                     "store; any certificate in sslrootcert is a trust anchor (x509.Verify)",
            .source = "pgx v4 pgconn/config.go (configTLS), pgconn.go (fallback configs); checked against Debian's "
                      "golang-github-jackc-pgx-v4-dev 4.15 on Go 1.19 (tests/integration/test_go.py)",
        },
    [PGTLS_DRIVER_NODE_POSTGRES] =
        {
            .id = PGTLS_DRIVER_NODE_POSTGRES,
            .name = "node-postgres",
            .run_by = "run here: node-postgres 8.23.1 from npm (test_node.py, test_rehearsal.py)",
            .label = "node-postgres (pg)",
            .recognised_by = ".js, .ts, .mjs, .cjs files",
            .default_mode = PGTLS_SSLMODE_DISABLE,
            .system_store_default = true,
            .weak_modes_verify_full = true,
            .err_chain = "Error: unable to get local issuer certificate",
            .err_host = "Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames",
            .err_no_ssl = "Error: The server does not support SSL connections",
            .err_no_root = "Error: ENOENT: no such file or directory",
            .notes = "pg 8.0 and later: `ssl: true` and ssl objects verify the chain and host name "
                     "(rejectUnauthorized defaults to true); URL sslmode prefer/require/verify-ca are treated as "
                     "verify-full (pg-connection-string 2.4.0+, unless `uselibpqcompat=true` with 2.8.0+); "
                     "`sslmode=no-verify` encrypts without verification; with pg-connection-string before 2.4.0 a "
                     "URL's `sslmode` is ignored (plaintext unless `ssl=true` or PGSSLMODE); PGSSLMODE applies "
                     "when neither the URL nor the config sets ssl; never falls back to plaintext",
            .source = "pg-connection-string 2.3.0/2.4.0/2.14.1 index.js (sslmode handling), pg "
                      "lib/connection-parameters.js (readSSLConfigFromEnvironment); node-postgres PR #2117, #2345; "
                      "checked against pg 8.23.1 and pg 8.4.2 with pg-connection-string 2.3.0 on Node.js 20",
        },
    [PGTLS_DRIVER_NPGSQL] =
        {
            .id = PGTLS_DRIVER_NPGSQL,
            .name = "npgsql",
            .run_by = "from source, not run (no .NET here)",
            .label = "Npgsql (.NET)",
            .recognised_by = "Host=...;SSL Mode=... connection strings",
            .default_mode = PGTLS_SSLMODE_PREFER,
            .system_store_default = true,
            .err_chain = "The remote certificate was rejected by the provided RemoteCertificateValidationCallback.",
            .err_host = "The remote certificate was rejected by the provided RemoteCertificateValidationCallback.",
            .err_no_ssl = "SSL connection requested. No SSL enabled connection from this host is configured.",
            .err_no_root = "Could not find file",
            .notes = "`Root Certificate` else the operating system's store; `Trust Server Certificate=true` "
                     "verifies nothing; require encrypts only (Npgsql 8)",
            .source = "Npgsql docs: Security and Encryption (SSL Mode, Root Certificate)",
        },
    [PGTLS_DRIVER_PRISMA] =
        {
            .id = PGTLS_DRIVER_PRISMA,
            .name = "prisma",
            .run_by = "from source, not run (Prisma's engine is not packaged here)",
            .label = "Prisma ORM (Rust query and schema engines)",
            .recognised_by = "schema.prisma `datasource` blocks (provider postgresql; `url`/`directUrl` literal or "
                             "`env(\"NAME\")` from the .env beside it); URLs with Prisma's own parameters "
                             "(`sslaccept`, `sslidentity`, `schema`, `pgbouncer`, `connection_limit`, ...)",
            .default_mode = PGTLS_SSLMODE_PREFER,
            .system_store_default = true,
            .verify_in_every_mode = true,
            .prefer_no_retry = true,
            .err_chain = "Error opening a TLS connection: error:0A000086:SSL routines:tls_post_process_server_"
                         "certificate:certificate verify failed",
            .err_host = "Error opening a TLS connection: ... certificate verify failed",
            .err_no_ssl = "Error opening a TLS connection: server does not support TLS",
            .err_no_root = "Error opening a TLS connection: cert file not found",
            .notes = "sslmode is read as disable, prefer or require only: any other value (verify-full, "
                     "verify-ca, allow) is silently prefer; `sslaccept=accept_invalid_certs` (the default) "
                     "verifies nothing, `sslaccept=strict` (or any unknown value) checks the chain against the "
                     "system store plus `sslcert` (a CA file, resolved from the schema's directory) and the host "
                     "name in every mode; prefer goes on in plaintext only when the server answers that it has "
                     "no TLS, a failed handshake is an error; Prisma 7 with a driver adapter (`@prisma/adapter-pg`) "
                     "uses node-postgres instead",
            .source = "prisma-engines quaint/src/connector/postgres/url.rs (parse_query_params: sslmode, "
                      "sslaccept, sslcert) and native/mod.rs (PostgreSql::new: danger_accept_invalid_certs, "
                      "add_root_certificate); tokio-postgres src/connect_tls.rs (prefer)",
        },
    [PGTLS_DRIVER_NODE_PG7] =
        {
            .id = PGTLS_DRIVER_NODE_PG7,
            .name = "node-postgres-7",
            .run_by = "from source, not run (pg 7 does not run on Node 20)",
            .label = "node-postgres (pg) before 8.0",
            .recognised_by = ".js/.ts files of a project whose lock file (or package.json) has pg below 8.0",
            .default_mode = PGTLS_SSLMODE_DISABLE,
            .system_store_default = true,
            .err_chain = "Error: unable to get local issuer certificate",
            .err_host = "Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames",
            .err_no_ssl = "Error: The server does not support SSL connections",
            .err_no_root = "Error: ENOENT: no such file or directory",
            .notes = "`ssl: true` or an ssl object without `rejectUnauthorized: true` verifies nothing (pg 7 passes "
                     "rejectUnauthorized undefined to tls.connect and warns \"Implicit disabling of certificate "
                     "verification\"); `sslmode` in a URL is ignored (pg-connection-string 0.1 reads only "
                     "`ssl=true|1`); PGSSLMODE prefer..verify-full means `ssl: true`; pg 7 does not run on "
                     "Node.js 14 or later",
            .source = "pg 7.18.2 lib/connection.js (startup TLS options, PG-SSL-VERIFY warning), "
                      "lib/connection-parameters.js (useSsl); pg-connection-string 0.1.3 index.js; "
                      "node-postgres PR #2075 and #2117 (8.0: rejectUnauthorized defaults to true)",
        },
    [PGTLS_DRIVER_NODE_LIBPQCOMPAT] =
        {
            .id = PGTLS_DRIVER_NODE_LIBPQCOMPAT,
            .name = "node-postgres-libpqcompat",
            .run_by = "run here: node-postgres 8.23.1 from npm (test_node.py)",
            .label = "node-postgres with uselibpqcompat=true",
            .recognised_by = "node-postgres URLs with `uselibpqcompat=true` where pg-connection-string is 2.8.0 or "
                             "later",
            .default_mode = PGTLS_SSLMODE_DISABLE,
            .system_store_default = true,
            .root_upgrades_require = true,
            .root_upgrade_explicit = true,
            .err_chain = "Error: unable to get local issuer certificate",
            .err_host = "Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames",
            .err_no_ssl = "Error: The server does not support SSL connections",
            .err_no_root = "Error: SECURITY WARNING: Using sslmode=verify-ca requires specifying a CA with "
                           "sslrootcert.",
            .notes = "prefer encrypts without verification and never falls back to plaintext; require verifies "
                     "the CA only with `sslrootcert`; verify-ca without `sslrootcert` throws before connecting; "
                     "verify-full checks the chain (Node's CA store without `sslrootcert`) and the host name",
            .source = "pg-connection-string 2.8.0+ index.js (parse: uselibpqcompat switch); node-postgres PR "
                      "#2709; checked against pg 8.23.1 on Node.js 20",
        },
    [PGTLS_DRIVER_PGJDBC_OLD] =
        {
            .id = PGTLS_DRIVER_PGJDBC_OLD,
            .name = "pgjdbc-before-42.2.5",
            .run_by = "from source, not run (only pgjdbc 42.5.5 is packaged)",
            .label = "pgjdbc before 42.2.5",
            .recognised_by = "jdbc:postgresql: URLs of a project whose gradle.lockfile, pom.xml (with its "
                             "<properties>), build.gradle[.kts] (with gradle.properties) or gradle/libs.versions.toml "
                             "names org.postgresql:postgresql before 42.2.5",
            .default_mode = PGTLS_SSLMODE_DISABLE,
            .default_root_file = true,
            .err_chain = "SSL error: PKIX path building failed: ... unable to find valid certification path to "
                         "requested target",
            .err_host = "The hostname ... could not be verified.",
            .err_no_ssl = "The server does not support SSL.",
            .err_no_root = "Could not open SSL root certificate file",
            .notes = "no TLS unless `ssl=true` or an sslmode is set; `ssl=true` without sslmode uses the JVM's "
                     "default SSLSocketFactory: the chain is checked against the JVM trust store, the host name "
                     "is not; sslmode accepts only disable, require, verify-ca and verify-full, case-sensitively "
                     "(allow, prefer and REQUIRE throw \"Invalid sslmode value\"); require never verifies; "
                     "verify-full checks the host name only with LibPQFactory or an `sslhostnameverifier` "
                     "(CVE-2018-10936); its host check matches subjectAltNames exactly, without wildcards "
                     "(pgtls judges names by libpq's rules)",
            .source = "pgjdbc 42.2.4 core/v3/ConnectionFactoryImpl.java (openConnectionImpl), ssl/MakeSSL.java "
                      "(convert), ssl/jdbc4/LibPQFactory.java; CHANGELOG 42.2.5 (commit cdeeaca4); from the "
                      "source: 42.2.4 is not in this machine's package registries",
        },
};

const pgtls_driver_rules *
pgtls__driver_rules(pgtls_driver driver)
{
	if ((int)driver < 0 || driver >= PGTLS_DRIVER_COUNT)
		return &drivers[PGTLS_DRIVER_LIBPQ];
	return &drivers[driver];
}

/* the words of D's row for a failure (untrusted chain, wrong name, no TLS, no root file), or NULL */
const char *
pgtls__driver_error(const pgtls_driver_rules *d, pgtls_failure why)
{
	switch (why)
	{
		case PGTLS_FAIL_CHAIN:
			return d->err_chain;
		case PGTLS_FAIL_HOSTNAME:
			return d->err_host;
		case PGTLS_FAIL_NO_SSL_SUPPORT:
			return d->err_no_ssl;
		case PGTLS_FAIL_ROOT_MISSING:
		case PGTLS_FAIL_NO_HOME:
			return d->err_no_root;
		default:
			return NULL;
	}
}

bool
pgtls__driver_parse(const char *name, pgtls_driver *out)
{
	for (int i = 0; i < PGTLS_DRIVER_COUNT; i++)
		if (strcmp(drivers[i].name, name) == 0)
		{
			*out = (pgtls_driver)i;
			return true;
		}
	return false;
}

/* ---- stable codes ---- */

#define CODE(table, v) (((int)(v) >= 0 && (size_t)(v) < sizeof(table) / sizeof(table[0])) ? table[v] : "unknown")

const char *
pgtls_driver_name(pgtls_driver driver)
{
	return ((int)driver >= 0 && driver < PGTLS_DRIVER_COUNT) ? drivers[driver].name : "unknown";
}

static const char *const sslmode_codes[] = {"disable",   "allow",       "prefer", "require",
                                            "verify-ca", "verify-full", "invalid"};

const char *
pgtls_sslmode_name(pgtls_sslmode mode)
{
	return CODE(sslmode_codes, mode);
}

pgtls_sslmode
pgtls_sslmode_parse(const char *s)
{
	for (int i = 0; s && i < PGTLS_SSLMODE_INVALID; i++)
		if (strcmp(s, sslmode_codes[i]) == 0)
			return (pgtls_sslmode)i;
	return PGTLS_SSLMODE_INVALID;
}

const char *
pgtls_trust_name(pgtls_trust trust)
{
	static const char *const t[] = {"file", "system", "jvm", "disabled"};

	return CODE(t, trust);
}

const char *
pgtls_result_name(pgtls_result result)
{
	static const char *const t[] = {"fails", "connects", "unknown"};

	return CODE(t, result);
}

const char *
pgtls_verified_name(pgtls_verified verified)
{
	static const char *const t[] = {"none", "ca", "full"};

	return CODE(t, verified);
}

const char *
pgtls_failure_name(pgtls_failure failure)
{
	static const char *const t[] = {"none",
	                                "network",
	                                "protocol",
	                                "no_ssl_support",
	                                "root_missing",
	                                "no_home",
	                                "root_unreadable",
	                                "handshake",
	                                "chain",
	                                "chain_unknown",
	                                "hostname",
	                                "weak_sslmode_system",
	                                "weak_sslmode_direct",
	                                "rejected_plaintext",
	                                "rejected_tls",
	                                "no_reply_plaintext",
	                                "no_reply_tls",
	                                "invalid_sslmode",
	                                "client_cert",
	                                "bad_setting"};

	return CODE(t, failure);
}

const char *
pgtls_outcome_name(pgtls_client_outcome outcome)
{
	static const char *const t[] = {"no_tls",        "opportunistic", "encrypted_unverified", "verifies_ca",
	                                "verifies_full", "fails",         "unix_socket",          "unknown"};

	return CODE(t, outcome);
}

const char *
pgtls_prediction_name(pgtls_prediction prediction)
{
	static const char *const t[] = {
	    "keeps_working",  "breaks", "falls_back_to_plaintext", "unaffected_unverified", "unaffected_no_tls",
	    "already_broken", "unknown"};

	return CODE(t, prediction);
}

const char *
pgtls_startup_name(pgtls_startup startup)
{
	static const char *const t[] = {"unknown", "accepted", "rejected"};

	return CODE(t, startup);
}

const char *
pgtls_severity_name(pgtls_severity severity)
{
	static const char *const t[] = {"ok", "warning", "critical", "unknown"};

	return CODE(t, severity);
}
