/*
 * test_store.c - trust store round trips (PEM, DER, PKCS#12, JKS) on
 * certificates made in memory, and robustness: every truncation and many
 * single-byte corruptions of each written format are refused cleanly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <pgtls/pgtls.h>

static EVP_PKEY *key;
static char *pem; /* two CA certificates */
static size_t pemlen;

static X509 *
make_ca(const char *cn, long serial)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	X509_EXTENSION *ext;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_set_pubkey(x, key);
	ext = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints, "critical,CA:TRUE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	X509_sign(x, key, EVP_sha256());
	X509_NAME_free(n);
	return x;
}

static int
setup(void **state)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *d;
	long n;

	(void)state;
	key = EVP_EC_gen("P-256");
	for (int i = 0; i < 2; i++)
	{
		X509 *x = make_ca(i ? "Unit New CA" : "Unit Old CA", i + 1);

		PEM_write_bio_X509(b, x);
		X509_free(x);
	}
	n = BIO_get_mem_data(b, &d);
	pem = malloc((size_t)n);
	memcpy(pem, d, (size_t)n);
	pemlen = (size_t)n;
	BIO_free(b);
	return key ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(key);
	free(pem);
	return 0;
}

static pgtls_store *
load(const void *buf, size_t len, const char *pw)
{
	pgtls_store *s = pgtls_store_new();

	assert_non_null(s);
	if (pgtls_store_load_mem(s, buf, len, pw, "mem") != PGTLS_OK)
	{
		/* errors are one line, and nothing of the input is kept */
		assert_null(strchr(pgtls_store_errmsg(s), '\n'));
		assert_int_equal(pgtls_store_count(s), 0);
		pgtls_store_free(s);
		return NULL;
	}
	return s;
}

static void
roundtrip(const char *fmt, const char *pw)
{
	pgtls_store *s = load(pem, pemlen, NULL);
	unsigned char *out = NULL;
	size_t outlen = 0;
	pgtls_store *back;
	size_t i;

	assert_non_null(s);
	assert_int_equal(pgtls_store_count(s), 2);
	assert_int_equal(pgtls_store_write_mem(s, fmt, pw, &out, &outlen), PGTLS_OK);
	back = load(out, outlen, pw);
	assert_non_null(back);
	assert_int_equal(pgtls_store_count(back), 2);
	pgtls_store_free(back);

	/* every truncation is refused, never crashes */
	for (i = 0; i < outlen; i++)
	{
		back = load(out, i, pw);
		if (back)
		{
			/* a PEM bundle cut after a whole certificate is still a valid (shorter) bundle */
			assert_string_equal(fmt, "pem");
			assert_in_range(pgtls_store_count(back), 1, 2);
			pgtls_store_free(back);
		}
	}
	/* single-byte corruptions: refused, or (PEM/unprotected parts) read without crashing */
	for (i = 0; i < outlen; i += 7)
	{
		out[i] ^= 0x5a;
		back = load(out, outlen, pw);
		if (back && (strcmp(fmt, "jks") == 0 || strcmp(fmt, "p12") == 0))
			fail_msg("%s: corrupted byte %zu accepted despite integrity protection", fmt, i);
		pgtls_store_free(back);
		out[i] ^= 0x5a;
	}
	/* wrong password */
	if (pw)
	{
		back = load(out, outlen, "not-the-password");
		assert_null(back);
	}
	pgtls_free(out);
	pgtls_store_free(s);
}

static void
test_pem(void **state)
{
	(void)state;
	roundtrip("pem", NULL);
}

static void
test_jks(void **state)
{
	(void)state;
	roundtrip("jks", "storepass1");
}

static void
test_p12(void **state)
{
	(void)state;
	roundtrip("p12", "storepass1");
}

static void
test_der_and_dedupe(void **state)
{
	pgtls_store *s = load(pem, pemlen, NULL);
	unsigned char *out = NULL;
	size_t outlen = 0;

	(void)state;
	/* DER takes one certificate only */
	assert_int_equal(pgtls_store_write_mem(s, "der", NULL, &out, &outlen), PGTLS_ERR_USAGE);
	assert_non_null(strstr(pgtls_store_errmsg(s), "single certificate"));
	/* load the same bundle twice: dedupe halves it */
	assert_int_equal(pgtls_store_load_mem(s, (const unsigned char *)pem, pemlen, NULL, "again"), PGTLS_OK);
	assert_int_equal(pgtls_store_count(s), 4);
	assert_int_equal(pgtls_store_dedupe(s, 0), PGTLS_OK);
	assert_int_equal(pgtls_store_count(s), 2);
	{
		int idx = 7;

		/* a bad fingerprint is an error with its message; one not in the store is index -1 */
		assert_int_equal(pgtls_store_find(s, "zz", &idx), PGTLS_ERR_USAGE);
		assert_int_equal(idx, -1);
		assert_non_null(strstr(pgtls_store_errmsg(s), "invalid fingerprint"));
		assert_int_equal(pgtls_store_find(s, "00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00", &idx),
		                 PGTLS_OK);
		assert_int_equal(idx, -1);
	}
	assert_int_equal(pgtls_store_write_mem(s, "xml", NULL, &out, &outlen), PGTLS_ERR_USAGE);
	pgtls_store_free(s);
	pgtls_store_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pem),
	    cmocka_unit_test(test_jks),
	    cmocka_unit_test(test_p12),
	    cmocka_unit_test(test_der_and_dedupe),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
