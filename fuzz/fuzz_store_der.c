/*
 * fuzz_store_der.c - libFuzzer harness for the trust store reader, der
 * path (input steered to that format), with a write round trip of what
 * loads.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pgtls/pgtls.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pgtls_store *s = pgtls_store_new();
	uint8_t    *buf = malloc(size + 16);
	size_t		len = 0;

	if (s == NULL || buf == NULL)
	{
		pgtls_store_free(s);
		free(buf);
		return 0;
	}
	/* steer to the DER readers: an ASN.1 SEQUENCE */
	buf[0] = 0x30;
	len = (size > 0 && data[0] == 0x30) ? 0 : 1;
	memcpy(buf + len, data, size);
	len += size;
	if (pgtls_store_load_mem(s, buf, len, "changeit", "fuzz") == PGTLS_OK)
	{
		unsigned char *out = NULL;
		size_t		outlen = 0;
		char	   *j = pgtls_store_json(s, 0);

		pgtls_free(j);
		(void) pgtls_store_find(s, "00:11");
		if (pgtls_store_write_mem(s, "jks", "changeit", &out, &outlen) == PGTLS_OK)
		{
			pgtls_store *back = pgtls_store_new();

			/* what we write must read back, with the same number of certificates */
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
