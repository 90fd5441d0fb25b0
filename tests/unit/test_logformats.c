/*
 * test_logformats.c - one sample per log format and wrapper `pgtls logs`
 * reads, written from each format's documentation, with what it must
 * count; failed TLS handshakes by reason and the fallback signature; and
 * each "no recognised format" case, which must be an error, never an
 * all-clear.
 *
 * Sources: PostgreSQL 15 docs "Error Reporting and Logging" (csvlog
 * columns, jsonlog keys), be-secure-openssl.c be_tls_open_server() ("could
 * not accept SSL connection: %s"), postmaster.c ("connection received",
 * "connection authorized"); CloudNativePG docs "Logging" (the JSON wrapper:
 * "logger":"postgres","msg":"record","record":{csvlog field names});
 * Google Cloud Logging's export of Cloud SQL postgres.log ("textPayload":
 * a stderr line with Cloud SQL's prefix "%m [%p]: [%l-1] db=%d,user=%u ");
 * Azure Database for PostgreSQL's "user=...database=..." (no space).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <pgtls/pgtls.h>

static pgtls_logscan *
scan_text(const char *text)
{
	pgtls_logscan *s = pgtls_logscan_new();

	assert_non_null(s);
	assert_int_equal(pgtls_logscan_feed(s, text, strlen(text)), PGTLS_OK);
	assert_int_equal(pgtls_logscan_finish(s), PGTLS_OK);
	return s;
}

/* the client row of APP (or, with APP NULL, the handshake row of HOST) */
static int
row(pgtls_logscan *s, const char *host, const char *app)
{
	for (int i = 0; i < pgtls_logscan_nclients(s); i++)
	{
		if (app == NULL && pgtls_logscan_client_get(s, i, PGTLS_LC_USER)[0] == '\0' &&
		    strcmp(pgtls_logscan_client_get(s, i, PGTLS_LC_HOST), host) == 0)
			return i;
		if (app && strcmp(pgtls_logscan_client_get(s, i, PGTLS_LC_APPLICATION), app) == 0 &&
		    (host == NULL || strcmp(pgtls_logscan_client_get(s, i, PGTLS_LC_HOST), host) == 0))
			return i;
	}
	fail_msg("no row for host %s app %s", host ? host : "-", app ? app : "-");
	return -1;
}

static void
test_cloudnativepg(void **state)
{
	static const char log[] =
	    "{\"level\":\"info\",\"ts\":\"2026-06-07T13:47:40.426934683Z\",\"logger\":\"postgres\",\"msg\":\"record\","
	    "\"logging_pod\":\"cluster-example-1\",\"record\":{\"log_time\":\"2026-06-07 13:47:40.426 UTC\","
	    "\"user_name\":\"app\",\"database_name\":\"app\",\"process_id\":\"356\",\"connection_from\":\"10.244.0.11:"
	    "52134\","
	    "\"session_id\":\"64808abc.164\",\"error_severity\":\"LOG\",\"sql_state_code\":\"00000\",\"message\":"
	    "\"connection authorized: user=app database=app application_name=psql SSL enabled (protocol=TLSv1.3, "
	    "cipher=TLS_AES_256_GCM_SHA384, bits=256)\",\"backend_type\":\"client backend\"}}\n"
	    "{\"level\":\"info\",\"ts\":\"2026-06-07T13:47:41Z\",\"logger\":\"postgres\",\"msg\":\"record\",\"record\":"
	    "{\"log_time\":\"2026-06-07 13:47:41.001 "
	    "UTC\",\"process_id\":\"357\",\"connection_from\":\"10.244.0.12:40000\","
	    "\"error_severity\":\"LOG\",\"message\":\"connection authorized: user=app database=app "
	    "application_name=cron job\"}}\n";
	pgtls_logscan *s = scan_text(log);
	int i;

	(void)state;
	i = row(s, "10.244.0.11", "psql");
	assert_int_equal(pgtls_logscan_client_count(s, i, PGTLS_LCC_TLS13), 1);
	i = row(s, "10.244.0.12", "cron job"); /* an application name with a space, whole */
	assert_int_equal(pgtls_logscan_client_count(s, i, PGTLS_LCC_PLAINTEXT), 1);
	assert_string_equal(pgtls_logscan_client_get(s, i, PGTLS_LC_FIRST_SEEN), "2026-06-07 13:47:41.001");
	pgtls_logscan_free(s);
}

static void
test_cloudsql(void **state)
{
	static const char log[] =
	    "{\"textPayload\":\"2026-02-01 10:00:00.100 UTC [4567]: [1-1] db=[unknown],user=[unknown] LOG:  connection "
	    "received: host=10.1.2.3 port=5678\",\"resource\":{\"type\":\"cloudsql_database\"},\"timestamp\":"
	    "\"2026-02-01T10:00:00.100Z\",\"severity\":\"INFO\"}\n"
	    "{\"textPayload\":\"2026-02-01 10:00:00.123 UTC [4567]: [2-1] db=shop,user=alice LOG:  connection authorized: "
	    "user=alice database=shop application_name=my web app SSL enabled (protocol=TLSv1.3, "
	    "cipher=TLS_AES_256_GCM_SHA384, bits=256)\",\"resource\":{\"type\":\"cloudsql_database\"},"
	    "\"timestamp\":\"2026-02-01T10:00:00.123Z\",\"severity\":\"INFO\"}\n"
	    "{\"textPayload\":\"2026-02-01 10:00:01.000 UTC [4600]: [1-1] db=cloudsqladmin,user=cloudsqladmin LOG:  "
	    "connection authorized: user=cloudsqladmin database=cloudsqladmin\",\"timestamp\":\"2026-02-01T10:00:01Z\"}\n";
	pgtls_logscan *s = scan_text(log);
	pgtls_logscan *x = pgtls_logscan_new();
	int i;

	(void)state;
	i = row(s, "10.1.2.3", "my web app");
	assert_string_equal(pgtls_logscan_client_get(s, i, PGTLS_LC_USER), "alice");
	assert_int_equal(pgtls_logscan_client_count(s, i, PGTLS_LCC_TLS13), 1);
	assert_int_equal(pgtls_logscan_total(s, PGTLS_LT_PLAINTEXT), 1); /* cloudsqladmin */
	pgtls_logscan_free(s);
	/* --exclude-user cloudsqladmin: Cloud SQL's own sessions left out, and counted as left out */
	assert_non_null(x);
	assert_int_equal(pgtls_logscan_set_option(x, PGTLS_LOGOPT_EXCLUDE_USER, "cloudsqladmin"), PGTLS_OK);
	assert_int_equal(pgtls_logscan_feed(x, log, strlen(log)), PGTLS_OK);
	assert_int_equal(pgtls_logscan_finish(x), PGTLS_OK);
	assert_int_equal(pgtls_logscan_total(x, PGTLS_LT_PLAINTEXT), 0);
	assert_int_equal(pgtls_logscan_total(x, PGTLS_LT_EXCLUDED), 1);
	assert_int_equal(pgtls_logscan_status(x), 0);
	pgtls_logscan_free(x);
}

static void
test_azure_and_local(void **state)
{
	static const char log[] =
	    "2026-01-01 00:00:00 UTC-5f1e2a3b.1c-LOG:  connection authorized: user=postgresdatabase=postgres SSL enabled "
	    "(protocol=TLSv1.2, cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256)\n"
	    "2026-01-01 00:00:01.000 UTC [20] LOG:  connection received: host=[local]\n"
	    "2026-01-01 00:00:01.001 UTC [20] LOG:  connection authorized: user=postgres database=postgres "
	    "application_name=psql\n";
	pgtls_logscan *s = scan_text(log);
	int i;

	(void)state;
	i = row(s, NULL, "");
	assert_string_equal(pgtls_logscan_client_get(s, i, PGTLS_LC_USER), "postgres");
	assert_string_equal(pgtls_logscan_client_get(s, i, PGTLS_LC_DATABASE), "postgres");
	i = row(s, "[local]", "psql");
	assert_int_equal(pgtls_logscan_client_count(s, i, PGTLS_LCC_LOCAL), 1);
	assert_int_equal(pgtls_logscan_client_count(s, i, PGTLS_LCC_PLAINTEXT), 0);
	assert_int_equal(pgtls_logscan_status(s), 0); /* a Unix socket is no plaintext */
	pgtls_logscan_free(s);
}

static void
test_handshake_failures_and_fallback(void **state)
{
	static const struct
	{
		const char *reason;
		const char *code;
	} reasons[] = {
	    {"tlsv1 alert unknown ca", "unknown_ca"},
	    {"sslv3 alert certificate unknown", "certificate_unknown"},
	    {"sslv3 alert bad certificate", "bad_certificate"},
	    {"sslv3 alert certificate expired", "certificate_expired"},
	    {"unsupported protocol", "protocol_version"},
	    {"no shared cipher", "no_shared_cipher"},
	    {"peer did not return a certificate", "client_certificate"},
	    {"EOF detected", "connection_closed"},
	    {"Connection reset by peer", "connection_closed"},
	    {"something new", "other"},
	};
	char log[8192], want[64];
	size_t n = 0;
	pgtls_logscan *s;
	int i;

	(void)state;
	for (size_t k = 0; k < sizeof(reasons) / sizeof(reasons[0]); k++)
		n += (size_t)snprintf(log + n, sizeof(log) - n,
		                      "2026-01-01 00:00:%02zu.000 UTC [%zu] LOG:  connection received: host=10.0.0.%zu port=1\n"
		                      "2026-01-01 00:00:%02zu.005 UTC [%zu] LOG:  could not accept SSL connection: %s\n",
		                      k, 100 + k, k + 1, k, 100 + k, reasons[k].reason);
	/* an application that used TLS, then a prefer client retrying without TLS 10 ms after its failure */
	n += (size_t)snprintf(
	    log + n, sizeof(log) - n,
	    "2026-01-01 00:01:00.000 UTC [300] LOG:  connection received: host=10.9.0.1 port=1\n"
	    "2026-01-01 00:01:00.001 UTC [300] LOG:  connection authorized: user=a database=d "
	    "application_name=tls then plain SSL enabled (protocol=TLSv1.3, cipher=X, bits=256)\n"
	    "2026-01-01 00:02:00.000 UTC [301] LOG:  connection received: host=10.9.0.1 port=2\n"
	    "2026-01-01 00:02:00.001 UTC [301] LOG:  connection authorized: user=a database=d "
	    "application_name=tls then plain\n"
	    "2026-01-01 00:03:00.000 UTC [302] LOG:  connection received: host=10.9.0.2 port=1\n"
	    "2026-01-01 00:03:00.001 UTC [302] LOG:  could not accept SSL connection: tlsv1 alert unknown ca\n"
	    "2026-01-01 00:03:00.010 UTC [303] LOG:  connection received: host=10.9.0.2 port=2\n"
	    "2026-01-01 00:03:00.011 UTC [303] LOG:  connection authorized: user=b database=d "
	    "application_name=prefer\n"
	    "2026-01-01 00:03:00.090 UTC [304] LOG:  connection received: host=10.9.0.2 port=3\n"
	    "2026-01-01 00:03:00.091 UTC [304] LOG:  connection authorized: user=c database=d "
	    "application_name=always plain\n");
	s = scan_text(log);
	for (size_t k = 0; k < sizeof(reasons) / sizeof(reasons[0]); k++)
	{
		char host[32];

		snprintf(host, sizeof(host), "10.0.0.%zu", k + 1);
		snprintf(want, sizeof(want), "%s=1", reasons[k].code);
		i = row(s, host, NULL);
		assert_string_equal(pgtls_logscan_client_get(s, i, PGTLS_LC_TLS_FAILURES), want);
	}
	i = row(s, "10.9.0.1", "tls then plain");
	assert_string_equal(pgtls_logscan_client_get(s, i, PGTLS_LC_FALLBACK_SINCE), "2026-01-01 00:02:00.001");
	i = row(s, "10.9.0.2", "prefer");
	assert_string_equal(pgtls_logscan_client_get(s, i, PGTLS_LC_FALLBACK_SINCE), "2026-01-01 00:03:00.011");
	i = row(s, "10.9.0.2", "always plain"); /* the failure was the prefer client's: not blamed twice */
	assert_string_equal(pgtls_logscan_client_get(s, i, PGTLS_LC_FALLBACK_SINCE), "");
	assert_int_equal(pgtls_logscan_total(s, PGTLS_LT_FALLBACKS), 2);
	assert_int_equal(pgtls_logscan_status(s), 2); /* unknown CA: clients broke */
	pgtls_logscan_free(s);
}

/*
 * Attribution (lib/logparse/conns.c): the family each alert points to, the
 * closes after the handshake with no startup, and the fallback tied to the
 * same client -- the next connection from the address after a failure a
 * libpq client can retry -- never to whoever else connects from it.
 */
static void
test_attribution(void **state)
{
	static const char log[] =
	    /* pgjdbc (JSSE) fails; an sslmode=disable client is the next connection: no fallback (JSSE never retries) */
	    "2026-01-01 10:00:00.000 UTC [10] LOG:  connection received: host=10.1.0.1 port=1\n"
	    "2026-01-01 10:00:00.010 UTC [10] LOG:  could not accept SSL connection: sslv3 alert certificate unknown\n"
	    "2026-01-01 10:00:00.050 UTC [11] LOG:  connection received: host=10.1.0.1 port=2\n"
	    "2026-01-01 10:00:00.051 UTC [11] LOG:  connection authorized: user=etl database=d application_name=disable\n"
	    /* psql verify-full fails; psycopg2 prefer fails and retries at once; the disable client again */
	    "2026-01-01 10:01:00.000 UTC [20] LOG:  connection received: host=10.1.0.1 port=3\n"
	    "2026-01-01 10:01:00.004 UTC [20] LOG:  could not accept SSL connection: tlsv1 alert unknown ca\n"
	    "2026-01-01 10:01:00.200 UTC [21] LOG:  connection received: host=10.1.0.1 port=4\n"
	    "2026-01-01 10:01:00.204 UTC [21] LOG:  could not accept SSL connection: tlsv1 alert unknown ca\n"
	    "2026-01-01 10:01:00.210 UTC [22] LOG:  connection received: host=10.1.0.1 port=5\n"
	    "2026-01-01 10:01:00.211 UTC [22] LOG:  connection authorized: user=u database=d application_name=prefer\n"
	    "2026-01-01 10:01:00.400 UTC [23] LOG:  connection received: host=10.1.0.1 port=6\n"
	    "2026-01-01 10:01:00.401 UTC [23] LOG:  connection authorized: user=etl database=d application_name=disable\n"
	    /* a failure, then another connection not yet authorized, then a plaintext one: whose retry it is cannot be told */
	    "2026-01-01 10:02:00.000 UTC [30] LOG:  connection received: host=10.2.0.1 port=1\n"
	    "2026-01-01 10:02:00.004 UTC [30] LOG:  could not accept SSL connection: tlsv1 alert unknown ca\n"
	    "2026-01-01 10:02:00.005 UTC [31] LOG:  connection received: host=10.2.0.1 port=2\n"
	    "2026-01-01 10:02:00.006 UTC [32] LOG:  connection received: host=10.2.0.1 port=3\n"
	    "2026-01-01 10:02:00.008 UTC [32] LOG:  connection authorized: user=w database=d application_name=unsure\n"
	    "2026-01-01 10:02:00.009 UTC [31] LOG:  connection authorized: user=v database=d application_name=other "
	    "SSL enabled (protocol=TLSv1.3, cipher=X, bits=256)\n"
	    /* ... but one in between that used TLS (or was pgtls's own) cannot be the retry */
	    "2026-01-01 10:02:30.000 UTC [33] LOG:  connection received: host=10.2.0.2 port=1\n"
	    "2026-01-01 10:02:30.004 UTC [33] LOG:  could not accept SSL connection: tlsv1 alert unknown ca\n"
	    "2026-01-01 10:02:30.005 UTC [34] LOG:  connection received: host=10.2.0.2 port=2\n"
	    "2026-01-01 10:02:30.006 UTC [35] LOG:  connection received: host=10.2.0.2 port=3\n"
	    "2026-01-01 10:02:30.007 UTC [34] LOG:  connection authorized: user=x database=d application_name=pgtls\n"
	    "2026-01-01 10:02:30.008 UTC [35] LOG:  connection authorized: user=w database=d application_name=sure\n"
	    /* Node closes during the handshake */
	    "2026-01-01 10:03:00.000 UTC [40] LOG:  connection received: host=10.3.0.1 port=1\n"
	    "2026-01-01 10:03:00.004 UTC [40] LOG:  could not accept SSL connection: EOF detected\n"
	    /* closes without a startup: a name check or a port check (and pid 50 comes back) */
	    "2026-01-01 10:04:00.000 UTC [50] LOG:  connection received: host=10.4.0.1 port=1\n"
	    "2026-01-01 10:04:01.000 UTC [51] LOG:  connection received: host=10.4.0.1 port=2\n"
	    "2026-01-01 10:04:02.000 UTC [50] LOG:  connection received: host=10.4.0.1 port=3\n"
	    /* a wrong password is no close without startup */
	    "2026-01-01 10:04:03.000 UTC [52] LOG:  connection received: host=10.4.0.1 port=4\n"
	    "2026-01-01 10:04:03.010 UTC [52] FATAL:  password authentication failed for user \"u\"\n"
	    /* pgtls's plaintext check on a TLS-only server */
	    "2026-01-01 10:05:00.000 UTC [60] LOG:  connection received: host=10.5.0.1 port=1\n"
	    "2026-01-01 10:05:00.001 UTC [60] FATAL:  pg_hba.conf rejects connection for host \"10.5.0.1\", user "
	    "\"root\", database \"pgtls\", no encryption\n"
	    /* no pid in the prefix: what becomes of the connection cannot be followed */
	    "2026-01-01 10:06:00.000 UTC LOG:  connection received: host=10.6.0.1 port=1\n";
	pgtls_logscan *s = scan_text(log);
	int i;

	(void)state;
	i = row(s, "10.1.0.1", "disable");
	assert_string_equal(pgtls_logscan_client_get(s, i, PGTLS_LC_FALLBACK_SINCE), "");
	assert_string_equal(pgtls_logscan_client_get(s, i, PGTLS_LC_FALLBACK_EVIDENCE), "");
	i = row(s, "10.1.0.1", "prefer");
	assert_string_equal(pgtls_logscan_client_get(s, i, PGTLS_LC_FALLBACK_SINCE), "2026-01-01 10:01:00.211");
	assert_string_equal(pgtls_logscan_client_get(s, i, PGTLS_LC_FALLBACK_EVIDENCE), "after_failed_handshake");
	i = row(s, "10.1.0.1", NULL);
	assert_string_equal(pgtls_logscan_client_get(s, i, PGTLS_LC_CLIENT_FAMILIES), "openssl=2 jsse=1");
	assert_int_equal(pgtls_logscan_client_count(s, i, PGTLS_LCC_CLOSED_NO_STARTUP), 0);
	i = row(s, "10.2.0.1", "unsure");
	assert_string_equal(pgtls_logscan_client_get(s, i, PGTLS_LC_FALLBACK_SINCE), "");
	assert_string_equal(pgtls_logscan_client_get(s, i, PGTLS_LC_FALLBACK_EVIDENCE), "cannot_tell");
	assert_int_equal(pgtls_logscan_client_count(s, i, PGTLS_LCC_FALLBACK_CANNOT_TELL), 1);
	i = row(s, "10.2.0.2", "sure");
	assert_string_equal(pgtls_logscan_client_get(s, i, PGTLS_LC_FALLBACK_EVIDENCE), "after_failed_handshake");
	i = row(s, "10.3.0.1", NULL);
	assert_string_equal(pgtls_logscan_client_get(s, i, PGTLS_LC_CLIENT_FAMILIES), "node=1");
	i = row(s, "10.4.0.1", NULL);
	assert_int_equal(pgtls_logscan_client_count(s, i, PGTLS_LCC_CLOSED_NO_STARTUP), 3);
	assert_int_equal(pgtls_logscan_total(s, PGTLS_LT_CLOSED_NO_STARTUP), 3);
	assert_int_equal(pgtls_logscan_total(s, PGTLS_LT_NOT_FOLLOWED), 1);
	assert_int_equal(pgtls_logscan_total(s, PGTLS_LT_EXCLUDED_OWN), 2);
	assert_int_equal(pgtls_logscan_total(s, PGTLS_LT_REJECTED), 0);
	assert_int_equal(pgtls_logscan_total(s, PGTLS_LT_FALLBACKS), 2);
	assert_int_equal(pgtls_logscan_status(s), 2);
	pgtls_logscan_free(s);
}

/* One status for clients that fail the certificate, whatever the alert; a close without startup alone is 1. */
static void
test_status_by_alert(void **state)
{
	static const char node[] = "2026-01-01 10:03:00.000 UTC [40] LOG:  connection received: host=10.3.0.1 port=1\n"
	                           "2026-01-01 10:03:00.004 UTC [40] LOG:  could not accept SSL connection: EOF detected\n";
	static const char closed[] =
	    "2026-01-01 10:03:00.000 UTC [40] LOG:  connection received: host=10.3.0.1 port=1\n"
	    "2026-01-01 10:03:09.000 UTC [41] LOG:  connection received: host=10.3.0.1 port=2\n"
	    "2026-01-01 10:03:09.001 UTC [41] LOG:  connection authorized: user=u database=d application_name=a SSL "
	    "enabled (protocol=TLSv1.3, cipher=X, bits=256)\n";
	pgtls_logscan *s = scan_text(node);

	(void)state;
	assert_int_equal(pgtls_logscan_status(s), 2);
	pgtls_logscan_free(s);
	s = scan_text(closed);
	assert_int_equal(pgtls_logscan_status(s), 1);
	/* settled by log time: the one received 9 s before the newest record */
	pgtls_logscan_settle(s, 2000);
	assert_int_equal(pgtls_logscan_total(s, PGTLS_LT_CLOSED_NO_STARTUP), 1);
	assert_int_equal(pgtls_logscan_client_count(s, row(s, "10.3.0.1", NULL), PGTLS_LCC_CLOSED_NO_STARTUP), 1);
	pgtls_logscan_free(s);
}

static void
test_window_and_own_probe(void **state)
{
	static const char log[] =
	    "2026-01-01 09:59:59.000 UTC [1] LOG:  connection received: host=10.0.0.1 port=1\n"
	    "2026-01-01 09:59:59.001 UTC [1] LOG:  connection authorized: user=u database=d application_name=early\n"
	    "2026-01-01 10:00:00.000 UTC [2] LOG:  connection received: host=10.0.0.1 port=2\n"
	    "2026-01-01 10:00:00.001 UTC [2] LOG:  connection authorized: user=u database=d application_name=late SSL "
	    "enabled (protocol=TLSv1.3, cipher=X, bits=256)\n"
	    "2026-01-01 10:00:01.000 UTC [3] LOG:  connection received: host=10.0.0.9 port=3\n"
	    "2026-01-01 10:00:01.001 UTC [3] LOG:  connection authorized: user=u database=d application_name=pgtls\n";
	pgtls_logscan *s = pgtls_logscan_new();

	(void)state;
	assert_non_null(s);
	assert_int_equal(pgtls_logscan_set_option(s, PGTLS_LOGOPT_SINCE, "2026-01-01T10:00"), PGTLS_OK);
	assert_int_equal(pgtls_logscan_set_option(s, PGTLS_LOGOPT_SINCE, "yesterday"), PGTLS_ERR_USAGE);
	assert_int_equal(pgtls_logscan_feed(s, log, strlen(log)), PGTLS_OK);
	assert_int_equal(pgtls_logscan_finish(s), PGTLS_OK);
	assert_int_equal(pgtls_logscan_nclients(s), 1); /* "late"; "early" before --since, pgtls's own probe left out */
	assert_string_equal(pgtls_logscan_client_get(s, 0, PGTLS_LC_APPLICATION), "late");
	assert_int_equal(pgtls_logscan_total(s, PGTLS_LT_EXCLUDED), 1);
	assert_int_equal(pgtls_logscan_total(s, PGTLS_LT_EXCLUDED_OWN), 1);
	pgtls_logscan_free(s);
}

/* Each input that holds no connection record is an error with the reason. */
static void
test_no_recognised_format(void **state)
{
	static const struct
	{
		const char *what;
		const char *data;
		size_t len;
	} bad[] = {
	    {"passwd", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n", 0},
	    {"empty", "", 0},
	    {"binary",
	     "\x7f"
	     "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0",
	     20},
	    {"json of something else", "{\"hello\": \"world\", \"connection\": 1}\n", 0},
	    {"csv of something else", "name,connection,count\nx,y,1\n", 0},
	    {"log_connections off",
	     "2026-01-01 00:00:00 UTC [1] LOG:  statement: select 1\n"
	     "2026-01-01 00:00:00 UTC [1] LOG:  checkpoint starting: time\n",
	     0},
	    {"not gzip behind a gzip magic", "\x1f\x8b\x08\0garbage", 12},
	};
	char path[] = "/tmp/pgtls-logfmt-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
	{
		pgtls_logscan *s = pgtls_logscan_new();
		FILE *f = fopen(path, "wb");
		size_t len = bad[k].len ? bad[k].len : strlen(bad[k].data);

		assert_non_null(f);
		assert_int_equal(fwrite(bad[k].data, 1, len, f), len);
		fclose(f);
		if (pgtls_logscan_file(s, path) == PGTLS_OK)
			fail_msg("%s: read as a log with no finding", bad[k].what);
		if (pgtls_logscan_nfiles(s) != 1 || pgtls_logscan_file_get(s, 0, PGTLS_LF_ERROR)[0] == '\0')
			fail_msg("%s: not listed with its error", bad[k].what);
		if (strchr(pgtls_logscan_errmsg(s), '\n'))
			fail_msg("%s: error is not one line", bad[k].what);
		pgtls_logscan_free(s);
	}
	unlink(path);
}

/* DATA written to PATH through libarchive's FILTER (its raw format: the compressed stream only) */
static void
write_compressed(const char *path, int filter, const char *data)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	assert_non_null(a);
	assert_int_equal(archive_write_add_filter(a, filter), ARCHIVE_OK);
	assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_pathname(e, "log");
	archive_entry_set_size(e, (la_int64_t)strlen(data));
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, data, strlen(data)), (la_ssize_t)strlen(data));
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_entry_free(e);
	archive_write_free(a);
}

/* The same log through each compression: same counts, the compression named; a compressed non-log is an error. */
static void
test_compressed(void **state)
{
	static const char log[] =
	    "2026-01-01 00:00:00.000 UTC [5] LOG:  connection received: host=10.0.0.5 port=1\n"
	    "2026-01-01 00:00:00.001 UTC [5] LOG:  connection authorized: user=u database=d application_name=a SSL "
	    "enabled (protocol=TLSv1.3, cipher=X, bits=256)\n"
	    "2026-01-01 00:00:01.000 UTC [6] LOG:  connection received: host=10.0.0.6 port=1\n"
	    "2026-01-01 00:00:01.001 UTC [6] LOG:  connection authorized: user=u database=d application_name=b\n";
	static const struct
	{
		int filter;
		const char *name;
	} filters[] = {{ARCHIVE_FILTER_GZIP, "gzip"},
	               {ARCHIVE_FILTER_BZIP2, "bzip2"},
	               {ARCHIVE_FILTER_XZ, "xz"},
	               {ARCHIVE_FILTER_ZSTD, "zstd"},
	               {ARCHIVE_FILTER_LZ4, "lz4"}};
	char path[] = "/tmp/pgtls-logz-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (size_t k = 0; k < sizeof(filters) / sizeof(filters[0]); k++)
	{
		pgtls_logscan *s = pgtls_logscan_new();

		write_compressed(path, filters[k].filter, log);
		if (pgtls_logscan_file(s, path) != PGTLS_OK)
			fail_msg("%s: %s", filters[k].name, pgtls_logscan_errmsg(s));
		assert_string_equal(pgtls_logscan_file_get(s, 0, PGTLS_LF_COMPRESSION), filters[k].name);
		assert_int_equal(pgtls_logscan_total(s, PGTLS_LT_TLS), 1);
		assert_int_equal(pgtls_logscan_total(s, PGTLS_LT_PLAINTEXT), 1);
		pgtls_logscan_free(s);
		/* a compressed file that is no log */
		s = pgtls_logscan_new();
		write_compressed(path, filters[k].filter, "root:x:0:0:root:/root:/bin/bash\n");
		assert_int_not_equal(pgtls_logscan_file(s, path), PGTLS_OK);
		assert_non_null(strstr(pgtls_logscan_errmsg(s), "no PostgreSQL connection record"));
		pgtls_logscan_free(s);
	}
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cloudnativepg),        cmocka_unit_test(test_cloudsql),
	    cmocka_unit_test(test_azure_and_local),      cmocka_unit_test(test_handshake_failures_and_fallback),
	    cmocka_unit_test(test_window_and_own_probe), cmocka_unit_test(test_no_recognised_format),
	    cmocka_unit_test(test_compressed),           cmocka_unit_test(test_attribution),
	    cmocka_unit_test(test_status_by_alert),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
