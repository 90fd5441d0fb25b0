/*-------------------------------------------------------------------------
 *
 * test_decoy.c
 *	  pgtls impostor: the decoy decision (rules/decoy.c), one client
 *	  connection's state machine over a socketpair (session.c), the
 *	  forged certificates (forge.c), and reading a report back.
 *
 * IDENTIFICATION
 *	  tests/unit/test_decoy.c
 *
 * NOTES
 *	  The real clients (psql, psycopg2, pgjdbc) against the decoy are in
 *	  tests/integration/test_impostor.py.
 *
 *-------------------------------------------------------------------------
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "impostor/impostor_int.h"

#define BIT(v) (1u << (v))

static unsigned
decide(pgtls_decoy_mode mode, bool asked, bool no, bool hs, bool startup, bool tls, bool pw, bool earlier)
{
	pgtls_decoy_facts f = {.mode = mode,
	                       .said_anything = asked || startup,
	                       .asked_tls = asked,
	                       .answered_no = no,
	                       .client_hello = hs,
	                       .handshake_done = hs,
	                       .startup = startup,
	                       .startup_tls = tls,
	                       .password_sent = pw,
	                       .earlier_tls = earlier};

	return pgtls__rules_decoy(&f);
}

static void
test_rules(void **state)
{
	(void)state;
	/* prefer against a forged certificate: TLS, startup, password */
	assert_int_equal(decide(PGTLS_DECOY_FORGED, true, false, true, true, true, true, false),
	                 BIT(PGTLS_DECOY_ACCEPTED_CERT) | BIT(PGTLS_DECOY_SENT_PASSWORD));
	/* prefer under no-tls: asked, got N, went on in plaintext */
	assert_int_equal(decide(PGTLS_DECOY_NO_TLS, true, true, false, true, false, true, false),
	                 BIT(PGTLS_DECOY_FELL_BACK) | BIT(PGTLS_DECOY_SENT_PASSWORD));
	/* prefer's retry without TLS after the FATAL over TLS */
	assert_int_equal(decide(PGTLS_DECOY_FORGED, false, false, false, true, false, true, true),
	                 BIT(PGTLS_DECOY_FELL_BACK) | BIT(PGTLS_DECOY_SENT_PASSWORD));
	/* disable */
	assert_int_equal(decide(PGTLS_DECOY_FORGED, false, false, false, true, false, false, false),
	                 BIT(PGTLS_DECOY_NO_TLS_REQUESTED));
	/* verify-full: refused the handshake; require under no-tls: closed on N */
	assert_int_equal(decide(PGTLS_DECOY_FORGED, true, false, false, false, false, false, false),
	                 BIT(PGTLS_DECOY_REJECTED));
	assert_int_equal(decide(PGTLS_DECOY_NO_TLS, true, true, false, false, false, false, false),
	                 BIT(PGTLS_DECOY_REJECTED));
	/* a port check */
	assert_int_equal(decide(PGTLS_DECOY_FORGED, false, false, false, false, false, false, false),
	                 BIT(PGTLS_DECOY_INCONCLUSIVE));
}

static void
test_expect(void **state)
{
	(void)state;
	assert_int_equal(pgtls__rules_decoy_expect(PGTLS_OUTCOME_VERIFIES_CA, PGTLS_DECOY_WRONG_NAME), PGTLS_TRI_YES);
	assert_int_equal(pgtls__rules_decoy_expect(PGTLS_OUTCOME_VERIFIES_CA, PGTLS_DECOY_FORGED), PGTLS_TRI_NO);
	assert_int_equal(pgtls__rules_decoy_expect(PGTLS_OUTCOME_VERIFIES_FULL, PGTLS_DECOY_WRONG_NAME), PGTLS_TRI_NO);
	assert_int_equal(pgtls__rules_decoy_expect(PGTLS_OUTCOME_ENCRYPTED_UNVERIFIED, PGTLS_DECOY_NO_TLS), PGTLS_TRI_NO);
	assert_int_equal(pgtls__rules_decoy_expect(PGTLS_OUTCOME_ENCRYPTED_UNVERIFIED, PGTLS_DECOY_EXPIRED), PGTLS_TRI_YES);
	assert_int_equal(pgtls__rules_decoy_expect(PGTLS_OUTCOME_OPPORTUNISTIC, PGTLS_DECOY_NO_TLS), PGTLS_TRI_YES);
	assert_int_equal(pgtls__rules_decoy_expect(PGTLS_OUTCOME_UNKNOWN, PGTLS_DECOY_FORGED), PGTLS_TRI_UNKNOWN);
	assert_true(pgtls__rules_decoy_unverified(BIT(PGTLS_DECOY_ACCEPTED_CERT), PGTLS_DECOY_FORGED));
	assert_false(pgtls__rules_decoy_unverified(BIT(PGTLS_DECOY_ACCEPTED_CERT), PGTLS_DECOY_WRONG_NAME));
}

/* runs a plaintext client conversation BYTES through a decoy connection in MODE; returns the record */
static decoy_session
converse(pgtls_decoy_mode mode, const uint8_t *bytes, size_t n, uint8_t *reply, size_t *replylen)
{
	int sv[2];
	decoy_conn *c = calloc(1, sizeof(*c));
	decoy_session rec;
	ssize_t r;

	assert_non_null(c);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	assert_int_equal(write(sv[1], bytes, n), (ssize_t)n);
	shutdown(sv[1], SHUT_WR);
	pgtls__decoy_conn_init(c, sv[0], 1, "peer:1", "peer", pgtls_now_ms(), 1000);
	for (int i = 0; i < 100 && !pgtls__decoy_conn_step(c, NULL, mode, NULL); i++)
		usleep(1000);
	assert_int_equal(c->st, DS_DONE);
	for (size_t k = 0; k < sizeof(c->in); k++)
		assert_int_equal(c->in[k], 0); /* nothing the client sent is left */
	r = read(sv[1], reply, *replylen);
	*replylen = r > 0 ? (size_t)r : 0;
	close(sv[1]);
	rec = c->rec;
	free(c);
	return rec;
}

static void
test_session_plaintext(void **state)
{
	static const uint8_t ssl_then_startup_then_password[] = {
	    0,   0,   0,   8,   0x04, 0xd2, 0x16, 0x2f, /* SSLRequest */
	    0,   0,   0,   34,  0,    3,    0,    0,    'u', 's', 'e', 'r', 0,   'a', 'p', 'p', 0,
	    'd', 'a', 't', 'a', 'b',  'a',  's',  'e',  0,   'd', 'b', 0,   'x', 0,   'y', 0,   0, /* StartupMessage */
	    'p', 0,   0,   0,   14,   's',  'e',  'c',  'r', 'e', 't', '-', 'p', 'w', 0};          /* PasswordMessage */
	uint8_t reply[512];
	size_t n = sizeof(reply);
	decoy_session rec;
	pgtls_decoy_facts f;

	(void)state;
	rec =
	    converse(PGTLS_DECOY_NO_TLS, ssl_then_startup_then_password, sizeof(ssl_then_startup_then_password), reply, &n);
	assert_true(rec.ssl_request);
	assert_int_equal(rec.answer, 'N');
	assert_true(rec.startup && !rec.startup_tls);
	assert_string_equal(rec.user, "app");
	assert_string_equal(rec.database, "db");
	assert_true(rec.password_sent);
	assert_string_equal(rec.password_length, "8-15");
	/* N, AuthenticationCleartextPassword, then ErrorResponse FATAL */
	assert_true(n > 10);
	assert_int_equal(reply[0], 'N');
	assert_int_equal(reply[1], 'R');
	assert_int_equal(reply[9], 3);
	assert_int_equal(reply[10], 'E');
	assert_null(memmem(reply, n, "secret", 6));
	pgtls__decoy_facts_of(&rec, PGTLS_DECOY_NO_TLS, &f);
	assert_int_equal(pgtls__rules_decoy(&f), BIT(PGTLS_DECOY_FELL_BACK) | BIT(PGTLS_DECOY_SENT_PASSWORD));
}

static void
test_session_hostile(void **state)
{
	static const uint8_t huge[] = {0x7f, 0, 0, 0, 0, 3, 0, 0};
	static const uint8_t bad_version[] = {0, 0, 0, 8, 0x12, 0x34, 0x56, 0x78};
	static const uint8_t unterminated[] = {0, 0, 0, 12, 0, 3, 0, 0, 'u', 's', 'e', 'r'};
	static const uint8_t big_password[] = {0, 0, 0, 9, 0, 3, 0, 0, 0, 'p', 0x7f, 0, 0, 0};
	uint8_t reply[512];
	size_t n = sizeof(reply);
	decoy_session rec;

	(void)state;
	rec = converse(PGTLS_DECOY_FORGED, huge, sizeof(huge), reply, &n);
	assert_non_null(strstr(rec.end, "more than 10000"));
	n = sizeof(reply);
	rec = converse(PGTLS_DECOY_FORGED, bad_version, sizeof(bad_version), reply, &n);
	assert_non_null(strstr(rec.end, "unsupported request"));
	n = sizeof(reply);
	rec = converse(PGTLS_DECOY_FORGED, unterminated, sizeof(unterminated), reply, &n);
	assert_non_null(strstr(rec.end, "malformed StartupMessage"));
	n = sizeof(reply);
	rec = converse(PGTLS_DECOY_FORGED, big_password, sizeof(big_password), reply, &n);
	assert_false(rec.password_sent);
	assert_non_null(strstr(rec.end, "another message"));
	n = sizeof(reply);
	rec = converse(PGTLS_DECOY_FORGED, NULL, 0, reply, &n);
	assert_false(rec.said_anything);
}

static void
test_forge(void **state)
{
	decoy_forge f = {.mode = PGTLS_DECOY_UNTRUSTED_CA};
	pgtls_errslot err = {0};
	SSL_CTX *ctx;
	GENERAL_NAMES *gens;

	(void)state;
	f.names[f.nnames++] = strdup("db.example.com");
	f.names[f.nnames++] = strdup("10.1.2.3");
	ctx = pgtls__decoy_forge(&f, &err);
	assert_non_null(ctx);
	assert_non_null(f.leaf);
	assert_int_equal(X509_check_host(f.leaf, "db.example.com", 0, 0, NULL), 1);
	assert_int_equal(X509_check_ip_asc(f.leaf, "10.1.2.3", 0), 1);
	gens = X509_get_ext_d2i(f.leaf, NID_subject_alt_name, NULL, NULL);
	assert_int_equal(sk_GENERAL_NAME_num(gens), 2);
	GENERAL_NAMES_free(gens);
	assert_true(X509_cmp_current_time(X509_get0_notAfter(f.leaf)) > 0);
	SSL_CTX_free(ctx);
	pgtls__decoy_forge_clear(&f);
}

static void
test_load(void **state)
{
	static const char good[] = "{\"mode\":\"wrong-name\",\"sessions\":[{\"id\":4,\"request\":\"sslrequest\","
	                           "\"startup\":\"tls\",\"user\":\"u\",\"database\":\"d\",\"codes\":"
	                           "[\"sent_password_to_decoy\",\"accepted_forged_cert\"],\"password\":{\"sent\":true,"
	                           "\"length\":\"8-15\"}}]}";
	static const char two[] =
	    "{\"mode\":\"no-tls\",\"sessions\":[{\"id\":1,\"request\":\"sslrequest\",\"startup\":"
	    "\"none\",\"peer\":\"h:1\",\"codes\":[\"rejected_decoy\"]},{\"id\":2,\"request\":"
	    "\"none\",\"startup\":\"plaintext\",\"peer\":\"h:2\",\"codes\":[\"sent_password_to_decoy\","
	    "\"no_tls_requested\"]}]}";
	pgtls_impostor *imp = pgtls_impostor_new();
	char *json;

	(void)state;
	assert_int_equal(pgtls__impostor_load_mem(imp, good, strlen(good), "r.json"), PGTLS_OK);
	assert_int_equal(pgtls_impostor_nsessions(imp), 1);
	assert_int_equal(pgtls_impostor_mode(imp), PGTLS_DECOY_WRONG_NAME);
	assert_int_equal(pgtls_impostor_session_verdict(imp, 0), PGTLS_DECOY_SENT_PASSWORD);
	assert_true(pgtls_impostor_session_has(imp, 0, PGTLS_DECOY_ACCEPTED_CERT));
	assert_non_null(strstr(pgtls_impostor_session_get(imp, 0, PGTLS_DS_EXPLAIN), "not the host name"));
	assert_int_equal(pgtls_impostor_status(imp), 2);
	pgtls_impostor_free(imp);
	/* two sessions of one client: one group, its worst verdict */
	imp = pgtls_impostor_new();
	assert_int_equal(pgtls__impostor_load_mem(imp, two, strlen(two), "r.json"), PGTLS_OK);
	json = pgtls_impostor_json(imp, 0);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"sessions\":[1,2],\"verdict\":\"sent_password_to_decoy\""));
	pgtls_free(json);
	pgtls_impostor_free(imp);
	imp = pgtls_impostor_new();
	assert_int_equal(pgtls__impostor_load_mem(imp, "{\"mode\":\"x\"}", 12, "r.json"), PGTLS_ERR_PARSE);
	assert_int_equal(pgtls__impostor_load_mem(imp, "[1,", 3, "r.json"), PGTLS_ERR_PARSE);
	pgtls_impostor_free(imp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rules),           cmocka_unit_test(test_expect), cmocka_unit_test(test_session_plaintext),
	    cmocka_unit_test(test_session_hostile), cmocka_unit_test(test_forge),  cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
