/*
 * fuzz_store.c - libFuzzer harness for the trust store reader, built once
 * per format (STORE_PEM, STORE_DER, STORE_PKCS12, STORE_JKS): the input is
 * steered to that format's reader, and what loads is written back as JKS
 * and must read back with the same number of certificates.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pgtls/pgtls.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* prefix that routes the bytes to one reader, unless the input already starts with it */
static size_t
steer(uint8_t *buf, const uint8_t *data, size_t size)
{
#if defined(STORE_PEM)
	memcpy(buf, "-----BEGIN ", 11);
	return (size > 0 && data[0] == 0x2d) ? 0 : 11;
#elif defined(STORE_JKS)
	memcpy(buf, "\xfe\xed\xfe\xed", 4);
	return (size >= 4 && data[0] == 0xfe) ? 0 : 4;
#else
	/* DER certificates, PKCS#7 and PKCS#12 are ASN.1 SEQUENCEs */
	buf[0] = 0x30;
	return (size > 0 && data[0] == 0x30) ? 0 : 1;
#endif
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pgtls_store *s = pgtls_store_new();
	uint8_t *buf = malloc(size + 16);
	size_t len;

	if (s == NULL || buf == NULL)
	{
		pgtls_store_free(s);
		free(buf);
		return 0;
	}
	len = steer(buf, data, size);
	memcpy(buf + len, data, size);
	len += size;
	if (pgtls_store_load_mem(s, buf, len, "changeit", "fuzz") == PGTLS_OK)
	{
		unsigned char *out = NULL;
		size_t outlen = 0;
		char *j = pgtls_store_json(s, 0);

		pgtls_free(j);
		{
			int idx;

			if (pgtls_store_find(s, "00:11", &idx) == PGTLS_OK)
				__builtin_trap(); /* not a fingerprint: refused */
		}
		if (pgtls_store_write_mem(s, "jks", "changeit", &out, &outlen) == PGTLS_OK)
		{
			pgtls_store *back = pgtls_store_new();

			if (back && (pgtls_store_load_mem(back, out, outlen, "changeit", "rt") != PGTLS_OK ||
			             pgtls_store_count(back) != pgtls_store_count(s)))
				__builtin_trap();
			pgtls_store_free(back);
		}
		pgtls_free(out);
	}
	pgtls_store_free(s);
	free(buf);
	return 0;
}
