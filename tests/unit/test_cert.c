/*
 * test_cert.c - libpq's verify-full host name rules on real certificates
 * (built in memory with OpenSSL), and certificate summaries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <pgtls/pgtls.h>

#include "pgtls_unittest.h"
#include "testjson.h"

static EVP_PKEY *key;

static int
setup(void **state)
{
	(void)state;
	key = EVP_EC_gen("P-256");
	return key ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(key);
	return 0;
}

/* DER of a self-signed certificate with CN (may be NULL) and SAN (conf syntax, may be NULL) */
static unsigned char *
make_cert(const char *cn, const char *san, GENERAL_NAMES *raw_san, size_t *len)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	unsigned char *der = NULL;
	int l;

	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 10);
	if (cn)
		X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_set_pubkey(x, key);
	if (san)
	{
		X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, san);

		assert_non_null(ext);
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	if (raw_san)
		X509_add1_ext_i2d(x, NID_subject_alt_name, raw_san, 0, X509V3_ADD_DEFAULT);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	l = i2d_X509(x, &der);
	assert_true(l > 0);
	*len = (size_t)l;
	X509_NAME_free(n);
	X509_free(x);
	return der;
}

static int
check(const char *cn, const char *san, const char *host, char *msg)
{
	size_t len;
	unsigned char *der = make_cert(cn, san, NULL, &len);
	int rc = pgtls__host_matches_der(der, len, host, msg, 512);

	OPENSSL_free(der);
	return rc;
}

static void
test_san_rules(void **state)
{
	char msg[512];

	(void)state;
	assert_int_equal(check("localhost", "DNS:localhost,IP:127.0.0.1", "localhost", msg), 1);
	assert_int_equal(check("localhost", "DNS:localhost,IP:127.0.0.1", "127.0.0.1", msg), 1);
	/* inet_aton notation, as libpq accepts */
	assert_int_equal(check("localhost", "DNS:localhost,IP:127.0.0.1", "127.1", msg), 1);
	assert_int_equal(check("localhost", "DNS:localhost,IP:127.0.0.1", "db.example.com", msg), 0);
	assert_string_equal(
	    msg, "server certificate for \"localhost\" (and 1 other name) does not match host name \"db.example.com\"");
	assert_int_equal(check("x", "DNS:a.example.com,DNS:b.example.com,DNS:c.example.com", "d.example.com", msg), 0);
	assert_string_equal(
	    msg, "server certificate for \"a.example.com\" (and 2 other names) does not match host name \"d.example.com\"");
	/* a DNS SAN hides the CN from DNS hosts */
	assert_int_equal(check("localhost", "DNS:db.example.com", "localhost", msg), 0);
	assert_string_equal(msg, "server certificate for \"db.example.com\" does not match host name \"localhost\"");
	/* ... but an IP host may match the CN when no IP SAN exists (libpq's NSS-compatible rule) */
	assert_int_equal(check("127.0.0.1", "DNS:db.example.com", "127.0.0.1", msg), 1);
	/* an IP SAN alone does not hide the CN from DNS hosts */
	assert_int_equal(check("localhost", "IP:127.0.0.1", "localhost", msg), 1);
	assert_int_equal(check("localhost", "IP:127.0.0.1", "127.0.0.2", msg), 0);
	assert_int_equal(check("localhost", "IP:::1", "::1", msg), 1);
	assert_int_equal(check("*.pgtls.test", "DNS:*.pgtls.test", "db.pgtls.test", msg), 1);
	assert_int_equal(check("*.pgtls.test", "DNS:*.pgtls.test", "a.db.pgtls.test", msg), 0);
}

static void
test_cn_only(void **state)
{
	char msg[512];

	(void)state;
	assert_int_equal(check("localhost", NULL, "localhost", msg), 1);
	assert_int_equal(check("localhost", NULL, "LocalHost", msg), 1);
	assert_int_equal(check("localhost", NULL, "127.0.0.1", msg), 0);
	assert_string_equal(msg, "server certificate for \"localhost\" does not match host name \"127.0.0.1\"");
	assert_int_equal(check(NULL, NULL, "localhost", msg), 0);
	assert_string_equal(msg, "could not get server's host name from server certificate");
	assert_int_equal(check("localhost", NULL, "", msg), -1);
	assert_string_equal(msg, "host name must be specified for a verified SSL connection");
}

static void
test_embedded_nul(void **state)
{
	char msg[512];
	GENERAL_NAMES *gens = GENERAL_NAMES_new();
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();
	size_t len;
	unsigned char *der;

	(void)state;
	ASN1_STRING_set(ia5, "localhost\0.evil.com", 19);
	GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
	sk_GENERAL_NAME_push(gens, gn);
	der = make_cert("x", NULL, gens, &len);
	assert_int_equal(pgtls__host_matches_der(der, len, "localhost", msg, sizeof(msg)), -1);
	assert_string_equal(msg, "SSL certificate's name contains embedded null");
	OPENSSL_free(der);
	GENERAL_NAMES_free(gens);
}

static void
test_summary(void **state)
{
	size_t len;
	unsigned char *der = make_cert("localhost", "DNS:localhost,IP:127.0.0.1", NULL, &len);
	char *s = pgtls__cert_summary_der(der, len);
	json_t *j;
	json_error_t e;

	(void)state;
	assert_non_null(s);
	j = json_loads(s, 0, &e);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "subject")), "CN=localhost");
	assert_string_equal(json_string_value(json_object_get(j, "key_type")), "EC");
	assert_int_equal(json_integer_value(json_object_get(j, "key_bits")), 256);
	assert_int_equal(strlen(json_string_value(json_object_get(j, "sha256"))), 95);
	assert_int_equal(strlen(json_string_value(json_object_get(j, "sha1"))), 59);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "san_ip"), 0)), "127.0.0.1");
	assert_true(json_is_true(json_object_get(j, "self_signed")));
	assert_false(json_is_true(json_object_get(j, "expired")));
	/* 10 days minus the seconds since the certificate was made */
	assert_in_range(json_integer_value(json_object_get(j, "days_left")), 9, 10);
	json_decref(j);
	pgtls_free(s);

	/* truncated / garbage DER */
	assert_null(pgtls__cert_summary_der(der, len / 2));
	assert_null(pgtls__cert_summary_der((const unsigned char *)"garbage", 7));
	assert_null(pgtls__cert_summary_der(NULL, 0));
	assert_int_equal(pgtls__host_matches_der(der, len / 2, "localhost", NULL, 0), -1);
	OPENSSL_free(der);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_san_rules),
	    cmocka_unit_test(test_cn_only),
	    cmocka_unit_test(test_embedded_nul),
	    cmocka_unit_test(test_summary),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
