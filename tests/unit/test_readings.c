/*
 * test_readings.c - each driver's reading of the settings an application
 * wrote (lib/rules/readings.c), one row per rule: settings, what the reader
 * observed, PG* variables and the project's versions in; the driver row,
 * effective sslmode, trust source, host check, root setting out.  Each row
 * names the driver source it follows; the real drivers confirm the
 * outcomes in tests/integration/test_{clients,node,asyncpg,driver}.py.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rules/readings.h"

typedef struct row
{
	const char *why;      /* the rule and its source */
	pgtls_driver driver;  /* as found */
	const char *settings; /* "key=value key=value" (keys libpq does not know go to extra) */
	const char *env;      /* PG* variables in force as "key=value", or NULL */
	unsigned seen;        /* SEEN_* */
	int pg, pcs_minor;    /* node-postgres: pg major (-1 unknown); pg-connection-string 2.x minor (-1 unknown) */
	/* expected */
	pgtls_driver out_driver;
	const char *mode;
	pgtls_trust trust;
	bool custom_host_check;
	const char *root; /* or NULL */
	bool bad;         /* the driver refuses the settings */
} row;

#define SEEN_URL_SSLMODE 1u
#define SEEN_JS_SSL 2u
#define SEEN_REJECT_UNAUTHORIZED 4u
#define SEEN_HOST_CHECK 8u

#define LIBPQ PGTLS_DRIVER_LIBPQ
#define JDBC PGTLS_DRIVER_PGJDBC
#define JDBC_OLD PGTLS_DRIVER_PGJDBC_OLD
#define NODE PGTLS_DRIVER_NODE_POSTGRES
#define FILE_ PGTLS_TRUST_FILE
#define JVM PGTLS_TRUST_JVM
#define NONE PGTLS_TRUST_DISABLED

static const row rows[] = {
    {"libpq docs (table 34.1): no sslmode is prefer", LIBPQ, "host=h", NULL, 0, -1, -1, LIBPQ, "prefer", FILE_, false,
     NULL, false},
    {"libpq docs (environment variables): PGSSLMODE and PGSSLROOTCERT when the string sets none", LIBPQ, "host=h",
     "sslmode=verify-full sslrootcert=/r.pem", 0, -1, -1, LIBPQ, "verify-full", FILE_, false, "/r.pem", false},
    {"libpq: the connection string wins over PGSSLMODE", LIBPQ, "host=h sslmode=require", "sslmode=verify-full", 0, -1,
     -1, LIBPQ, "require", FILE_, false, NULL, false},
    {"issue 25: a key the user wrote is never an observation (x-custom-host-check)", LIBPQ,
     "host=h sslmode=verify-full x-custom-host-check=1 x-bad-setting=1", NULL, 0, -1, -1, LIBPQ, "verify-full", FILE_,
     false, NULL, false},
    {"pgjdbc SslMode.of(): ssl=true without sslmode is verify-full", JDBC, "host=h ssl=true", NULL, 0, -1, -1, JDBC,
     "verify-full", FILE_, false, NULL, false},
    {"pgjdbc SslMode.of(): ssl present without a value is verify-full", JDBC, "host=h ssl=", NULL, 0, -1, -1, JDBC,
     "verify-full", FILE_, false, NULL, false},
    {"pgjdbc 42.2.5+: no ssl, no sslmode is prefer (the default row)", JDBC, "host=h", "sslmode=verify-full", 0, -1, -1,
     JDBC, "prefer", FILE_, false, NULL, false},
    {"pgjdbc NonValidatingFactory: require, nothing verified", JDBC,
     "host=h sslfactory=org.postgresql.ssl.NonValidatingFactory", NULL, 0, -1, -1, JDBC, "require", NONE, false, NULL,
     false},
    {"pgjdbc DefaultJavaSSLFactory: the JVM trust store", JDBC,
     "host=h sslmode=verify-full sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory", NULL, 0, -1, -1, JDBC,
     "verify-full", JVM, false, NULL, false},
    {"pgjdbc MakeSSL.verifyPeerName(): a custom sslhostnameverifier", JDBC,
     "host=h sslmode=verify-full sslhostnameverifier=com.example.Any", NULL, 0, -1, -1, JDBC, "verify-full", FILE_,
     true, NULL, false},
    {"pgjdbc: sslmode is compared ignoring case", JDBC, "host=h sslmode=VERIFY-FULL", NULL, 0, -1, -1, JDBC,
     "VERIFY-FULL", FILE_, false, NULL, false},
    {"pgjdbc 42.2.4 ConnectionFactoryImpl: neither ssl nor sslmode: no TLS", JDBC_OLD, "host=h", NULL, 0, -1, -1,
     JDBC_OLD, "disable", FILE_, false, NULL, false},
    {"pgjdbc 42.2.4 MakeSSL: ssl=true is SSLSocketFactory.getDefault(): JVM store, no host check", JDBC_OLD,
     "host=h ssl=true", NULL, 0, -1, -1, JDBC_OLD, "verify-ca", JVM, false, NULL, false},
    {"pgjdbc 42.2.4: sslmode=prefer is refused (\"Invalid sslmode value\")", JDBC_OLD, "host=h sslmode=prefer", NULL, 0,
     -1, -1, JDBC_OLD, "prefer", FILE_, false, NULL, true},
    {"CVE-2018-10936: verify-full checks the name only with LibPQFactory", JDBC_OLD,
     "host=h sslmode=verify-full sslfactory=com.example.Factory", NULL, 0, -1, -1, JDBC_OLD, "verify-full", FILE_, true,
     NULL, false},
    {"Npgsql: Trust Server Certificate=true verifies nothing", PGTLS_DRIVER_NPGSQL,
     "host=h sslmode=require trustservercertificate=true", NULL, 0, -1, -1, PGTLS_DRIVER_NPGSQL, "require", NONE, false,
     NULL, false},
    {"node-postgres connection-parameters.js: no ssl reads PGSSLMODE; verify-full for prefer..verify-full", NODE,
     "host=h", "sslmode=require", 0, 8, 7, NODE, "verify-full", FILE_, false, NULL, false},
    {"node-postgres: PGSSLMODE=no-verify encrypts and verifies nothing", NODE, "host=h", "sslmode=no-verify", 0, 8, 7,
     NODE, "no-verify", NONE, false, NULL, false},
    {"pg-connection-string before 2.4.0: a URL's sslmode is not read (PGSSLMODE unset: no TLS)", NODE,
     "host=h sslmode=verify-full", NULL, SEEN_URL_SSLMODE, 8, 3, NODE, "disable", FILE_, false, NULL, false},
    {"pg-connection-string 2.4.0+: the URL's sslmode is read", NODE, "host=h sslmode=verify-full", NULL,
     SEEN_URL_SSLMODE, 8, 4, NODE, "verify-full", FILE_, false, NULL, false},
    {"pg 7 (tls.connect with rejectUnauthorized undefined): TLS, nothing verified", NODE, "host=h sslmode=verify-full",
     NULL, SEEN_JS_SSL, 7, -1, PGTLS_DRIVER_NODE_PG7, "require", NONE, false, NULL, false},
    {"pg 7: rejectUnauthorized: true verifies", NODE, "host=h sslmode=verify-full", NULL,
     SEEN_JS_SSL | SEEN_REJECT_UNAUTHORIZED, 7, -1, PGTLS_DRIVER_NODE_PG7, "verify-full", FILE_, false, NULL, false},
    {"pg-connection-string 2.8.0+ uselibpqcompat: prefer encrypts without verifying", NODE,
     "host=h sslmode=prefer uselibpqcompat=true", NULL, SEEN_URL_SSLMODE, 8, 8, PGTLS_DRIVER_NODE_LIBPQCOMPAT,
     "require", NONE, false, NULL, false},
    {"uselibpqcompat: require with sslrootcert is verify-ca", NODE,
     "host=h sslmode=require sslrootcert=/r.pem uselibpqcompat=true", NULL, SEEN_URL_SSLMODE, 8, 8,
     PGTLS_DRIVER_NODE_LIBPQCOMPAT, "verify-ca", FILE_, false, "/r.pem", false},
    {"uselibpqcompat: verify-ca without sslrootcert throws before connecting", NODE,
     "host=h sslmode=verify-ca uselibpqcompat=true", NULL, SEEN_URL_SSLMODE, 8, 8, PGTLS_DRIVER_NODE_LIBPQCOMPAT,
     "verify-ca", FILE_, false, NULL, true},
    {"uselibpqcompat before pg-connection-string 2.8.0 is an unknown key: verify-full as usual", NODE,
     "host=h sslmode=prefer uselibpqcompat=true", NULL, SEEN_URL_SSLMODE, 8, 7, NODE, "prefer", FILE_, false, NULL,
     false},
    {"node ssl.checkServerIdentity: the application's own host check", NODE, "host=h sslmode=verify-full", NULL,
     SEEN_JS_SSL | SEEN_HOST_CHECK, 8, 7, NODE, "verify-full", FILE_, true, NULL, false},
    {"node-postgres reads no PGSSLROOTCERT (not libpq)", NODE, "host=h sslmode=verify-full", "sslrootcert=/r.pem",
     SEEN_URL_SSLMODE, 8, 7, NODE, "verify-full", FILE_, false, NULL, false},
    {"quaint url.rs: sslaccept defaults to accept_invalid_certs", PGTLS_DRIVER_PRISMA, "host=h sslmode=require", NULL,
     0, -1, -1, PGTLS_DRIVER_PRISMA, "require", NONE, false, NULL, false},
    {"quaint url.rs: an sslmode other than disable/prefer/require is prefer", PGTLS_DRIVER_PRISMA,
     "host=h sslmode=verify-full sslaccept=strict", NULL, 0, -1, -1, PGTLS_DRIVER_PRISMA, "prefer", FILE_, false, NULL,
     false},
    {"quaint url.rs: with sslaccept=strict, sslcert is the root file; sslrootcert is not read", PGTLS_DRIVER_PRISMA,
     "host=h sslmode=require sslaccept=strict sslcert=ca.pem sslrootcert=/ignored.pem", NULL, 0, -1, -1,
     PGTLS_DRIVER_PRISMA, "require", FILE_, false, "ca.pem", false},
    {"asyncpg: a reader's observation that the driver refuses the setting (ssl= in a raw DSN)", PGTLS_DRIVER_ASYNCPG,
     "host=h", NULL, 16u, -1, -1, PGTLS_DRIVER_ASYNCPG, "prefer", FILE_, false, NULL, true},
};

/* "k=v k=v" into S (test input only: no quoting) */
static void
fill(pgtls_settings *s, const char *text)
{
	char buf[512], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", text);
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
	{
		char *eq = strchr(w, '=');

		assert_non_null(eq);
		*eq = '\0';
		assert_true(pgtls__settings_set(s, w, eq + 1));
	}
}

static void
test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
	{
		const row *t = &rows[i];
		pgtls_settings *s = pgtls__settings_new(), *env = t->env ? pgtls__settings_new() : NULL;
		pgtls_observed seen;
		pgtls_reading_in in;
		pgtls_reading out;

		memset(&seen, 0, sizeof(seen));
		seen.url_sslmode = t->seen & SEEN_URL_SSLMODE;
		seen.js_ssl_object = t->seen & SEEN_JS_SSL;
		seen.reject_unauthorized = t->seen & SEEN_REJECT_UNAUTHORIZED;
		seen.custom_host_check = t->seen & SEEN_HOST_CHECK;
		if (t->seen & 16u)
			snprintf(seen.bad_setting, sizeof(seen.bad_setting), "the server refuses ssl=");
		fill(s, t->settings);
		if (env)
			fill(env, t->env);
		memset(&in, 0, sizeof(in));
		in.driver = t->driver;
		in.settings = s;
		in.seen = &seen;
		in.env = env;
		in.node_pg[0] = t->pg;
		in.node_pg[1] = t->pg >= 0 ? 0 : -1;
		in.node_pcs[0] = t->pcs_minor >= 0 ? 2 : -1;
		in.node_pcs[1] = t->pcs_minor;
		pgtls__driver_read(&in, &out);
		if (out.driver != t->out_driver || strcmp(out.mode, t->mode) != 0 || out.trust != t->trust ||
		    out.custom_host_check != t->custom_host_check || (out.bad_setting[0] != '\0') != t->bad ||
		    (t->root == NULL) != (out.root == NULL) || (t->root && strcmp(t->root, out.root) != 0))
			fail_msg("row %zu (%s): got driver %s mode %s trust %s host-check %d root %s bad \"%s\"", i, t->why,
			         pgtls_driver_name(out.driver), out.mode, pgtls_trust_name(out.trust), out.custom_host_check,
			         out.root ? out.root : "(none)", out.bad_setting);
		pgtls__settings_free(s);
		pgtls__settings_free(env);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
