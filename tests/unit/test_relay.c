/*-------------------------------------------------------------------------
 *
 * test_relay.c
 *	  pgtls impostor --mode relay: the record watcher (relay.c) on TLS 1.2
 *	  and 1.3 exchanges built record by record, and the rehearsal rule
 *	  (rules/rehearsal.c).
 *
 * IDENTIFICATION
 *	  tests/unit/test_relay.c
 *
 * NOTES
 *	  Record sizes are those real clients send: an OpenSSL or JSSE
 *	  encrypted alert is 19 bytes, a TLS 1.3 Finished 53 (SHA-256).  The
 *	  real clients through a real relay are in
 *	  tests/integration/test_rehearse.py.
 *
 *-------------------------------------------------------------------------
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "impostor/impostor_int.h"

static decoy_conn *
conn(void)
{
	decoy_conn *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->fd = c->up_fd = -1;
	c->rec.relayed = c->rec.ssl_request = c->rec.said_anything = true;
	c->wc.cap = malloc(RELAY_CAPTURE);
	c->ws.cap = malloc(RELAY_CAPTURE);
	return c;
}

/* one record of TYPE with BODY (LEN bytes; NULL: zeros), fed one byte at a time when SLOW */
static void
rec(decoy_conn *c, bool client, uint8_t type, const uint8_t *body, size_t len, bool slow)
{
	uint8_t *b = calloc(1, len + 5);

	b[0] = type;
	b[1] = 3;
	b[2] = 3;
	b[3] = (uint8_t)(len >> 8);
	b[4] = (uint8_t)len;
	if (body)
		memcpy(b + 5, body, len);
	if (slow)
		for (size_t i = 0; i < len + 5; i++)
			pgtls__relay_watch(c, client, b + i, 1);
	else
		pgtls__relay_watch(c, client, b, len + 5);
	free(b);
}

/* a ClientHello asking for SNI */
static size_t
client_hello(uint8_t *b, const char *sni)
{
	size_t n = 0, hn = strlen(sni);

	b[n++] = 1;
	n += 3;
	b[n++] = 3, b[n++] = 3;
	n += 32;
	b[n++] = 0;                     /* session id */
	b[n++] = 0, b[n++] = 2, n += 2; /* one cipher suite */
	b[n++] = 1, b[n++] = 0;         /* null compression */
	b[n++] = 0, b[n++] = (uint8_t)(hn + 9);
	b[n++] = 0, b[n++] = 0; /* server_name */
	b[n++] = 0, b[n++] = (uint8_t)(hn + 5);
	b[n++] = 0, b[n++] = (uint8_t)(hn + 3);
	b[n++] = 0;
	b[n++] = 0, b[n++] = (uint8_t)hn;
	memcpy(b + n, sni, hn);
	return n + hn;
}

/* a ServerHello choosing VERSION through supported_versions (0: none, legacy 1.2) */
static size_t
server_hello(uint8_t *b, int version)
{
	size_t n = 0;

	b[n++] = 2;
	n += 3;
	b[n++] = 3, b[n++] = 3;
	n += 32;
	b[n++] = 0;
	n += 2;
	b[n++] = 0;
	if (version == 0)
		return n;
	b[n++] = 0, b[n++] = 6;
	b[n++] = 0, b[n++] = 0x2b, b[n++] = 0, b[n++] = 2;
	b[n++] = (uint8_t)(version >> 8), b[n++] = (uint8_t)version;
	return n;
}

static void
hellos(decoy_conn *c, int version, bool slow)
{
	uint8_t b[512];

	rec(c, true, 22, b, client_hello(b, "db.example.com"), slow);
	memset(b, 0, sizeof(b));
	rec(c, false, 22, b, server_hello(b, version), slow);
	assert_string_equal(c->rec.sni, "db.example.com");
}

static void
test_tls13_went_on(void **state)
{
	decoy_conn *c = conn();

	(void)state;
	hellos(c, 0x0304, true);
	rec(c, false, 20, NULL, 1, false);   /* compatibility CCS */
	rec(c, false, 23, NULL, 2000, true); /* the encrypted flight */
	rec(c, true, 20, NULL, 1, false);
	rec(c, true, 23, NULL, 53, false); /* Finished */
	assert_true(c->rec.handshake_done);
	assert_false(c->obs.went_on);
	rec(c, true, 23, NULL, 80, false); /* startup */
	pgtls__relay_conclude(c);
	assert_true(c->rec.startup && c->rec.startup_tls);
	assert_string_equal(c->rec.tls_version, "TLSv1.3");
	pgtls__decoy_conn_free(c);
}

static void
test_tls13_refused(void **state)
{
	decoy_conn *c = conn();

	(void)state;
	/* an encrypted alert right after the flight (JSSE, OpenSSL once it has keys) */
	hellos(c, 0x0304, false);
	rec(c, false, 23, NULL, 2000, false);
	rec(c, true, 23, NULL, 19, false);
	pgtls__relay_conclude(c);
	assert_true(c->obs.aborted);
	assert_false(c->rec.handshake_done || c->rec.startup || c->rec.refused_chain);
	pgtls__decoy_conn_free(c);

	/* the Finished, then a close_notify: node-postgres or a host-name check after the handshake */
	c = conn();
	hellos(c, 0x0304, false);
	rec(c, false, 23, NULL, 2000, false);
	rec(c, true, 23, NULL, 53, false);
	rec(c, true, 23, NULL, 19, false);
	pgtls__relay_conclude(c);
	assert_true(c->rec.handshake_done);
	assert_false(c->rec.startup);
	assert_string_equal(c->rec.client_alert, "closed after the handshake, before its startup");
	pgtls__decoy_conn_free(c);
}

static void
test_alert_in_clear(void **state)
{
	static const uint8_t unknown_ca[2] = {2, 0x30}, bad_cert[2] = {2, 0x2a};
	decoy_conn *c = conn();

	(void)state;
	/* OpenSSL before its own keys: the alert goes in clear, even in TLS 1.3 */
	hellos(c, 0x0304, false);
	rec(c, false, 23, NULL, 2000, false);
	rec(c, true, 21, unknown_ca, 2, true);
	pgtls__relay_conclude(c);
	assert_true(c->obs.aborted && c->rec.refused_chain);
	assert_string_equal(c->rec.client_alert, "unknown_ca (alert in clear)");
	pgtls__decoy_conn_free(c);

	/* TLS 1.2 (no supported_versions): Go's bad_certificate may be about the name */
	c = conn();
	hellos(c, 0, false);
	rec(c, false, 22, NULL, 1500, false); /* Certificate ... in clear */
	rec(c, true, 21, bad_cert, 2, false);
	pgtls__relay_conclude(c);
	assert_true(c->obs.aborted);
	assert_false(c->rec.refused_chain);
	assert_string_equal(c->rec.tls_version, "TLSv1.2");
	pgtls__decoy_conn_free(c);
}

static void
test_tls12_went_on(void **state)
{
	decoy_conn *c = conn();

	(void)state;
	hellos(c, 0, false);
	rec(c, false, 22, NULL, 1500, false);
	rec(c, true, 22, NULL, 70, false); /* ClientKeyExchange */
	rec(c, true, 20, NULL, 1, false);
	rec(c, true, 22, NULL, 40, false); /* Finished */
	assert_true(c->rec.handshake_done);
	rec(c, false, 20, NULL, 1, false);
	rec(c, false, 22, NULL, 40, false);
	rec(c, true, 23, NULL, 60, false);
	pgtls__relay_conclude(c);
	assert_true(c->rec.startup_tls);
	pgtls__decoy_conn_free(c);
}

static void
test_not_tls(void **state)
{
	static const uint8_t junk[] = "GET / HTTP/1.1\r\n\r\n";
	decoy_conn *c = conn();

	(void)state;
	pgtls__relay_watch(c, true, junk, sizeof(junk) - 1);
	pgtls__relay_watch(c, false, junk, sizeof(junk) - 1);
	pgtls__relay_conclude(c);
	assert_true(c->wc.not_tls && c->ws.not_tls);
	assert_false(c->rec.startup || c->rec.client_hello);
	pgtls__decoy_conn_free(c);
}

static pgtls_prediction
rehearse(pgtls_decoy_mode mode, bool hs, bool startup, bool tls, bool names, bool chain, const char **proves)
{
	pgtls_decoy_facts f = {.mode = mode,
	                       .said_anything = true,
	                       .asked_tls = true,
	                       .client_hello = true,
	                       .handshake_done = hs,
	                       .startup = startup,
	                       .startup_tls = tls,
	                       .name_tested = names,
	                       .refused_chain = chain};

	return pgtls__rules_rehearsal(&f, proves);
}

static void
test_rule(void **state)
{
	const char *p;

	(void)state;
	assert_int_equal(rehearse(PGTLS_DECOY_NEW_CHAIN, true, true, true, false, false, &p), PGTLS_PREDICT_KEEPS_WORKING);
	assert_string_equal(p, "ca_trust_and_host_name");
	assert_int_equal(rehearse(PGTLS_DECOY_NEW_CHAIN, true, false, false, false, false, &p), PGTLS_PREDICT_BREAKS);
	assert_int_equal(rehearse(PGTLS_DECOY_RELAY, true, true, true, false, false, &p), PGTLS_PREDICT_KEEPS_WORKING);
	assert_string_equal(p, "ca_trust");
	/* closed after the handshake, name not the canary's: either check */
	assert_int_equal(rehearse(PGTLS_DECOY_RELAY, true, false, false, false, false, &p), PGTLS_PREDICT_UNKNOWN);
	assert_string_equal(p, "");
	assert_int_equal(rehearse(PGTLS_DECOY_RELAY, false, false, false, false, true, &p), PGTLS_PREDICT_BREAKS);
	assert_string_equal(p, "ca_trust");
	assert_int_equal(rehearse(PGTLS_DECOY_RELAY, true, false, false, true, false, &p), PGTLS_PREDICT_BREAKS);
	assert_int_equal(rehearse(PGTLS_DECOY_RELAY, false, true, false, false, false, &p), PGTLS_PREDICT_FALLS_BACK);
	assert_int_equal(rehearse(PGTLS_DECOY_FORGED, true, true, true, false, false, &p), PGTLS_PREDICT_UNKNOWN);
	assert_int_equal(pgtls__rules_rehearsal_worse(PGTLS_PREDICT_KEEPS_WORKING, PGTLS_PREDICT_BREAKS),
	                 PGTLS_PREDICT_BREAKS);
	assert_int_equal(pgtls__rules_rehearsal_worse(PGTLS_PREDICT_FALLS_BACK, PGTLS_PREDICT_BREAKS),
	                 PGTLS_PREDICT_FALLS_BACK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tls13_went_on),  cmocka_unit_test(test_tls13_refused),
	    cmocka_unit_test(test_alert_in_clear), cmocka_unit_test(test_tls12_went_on),
	    cmocka_unit_test(test_not_tls),        cmocka_unit_test(test_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
