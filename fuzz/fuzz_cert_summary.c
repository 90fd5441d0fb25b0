/*
 * fuzz_cert_summary.c - libFuzzer harness for the certificate summary
 * (DER -> JSON) and libpq's host name rules on arbitrary certificates.
 */
#include <stddef.h>
#include <stdint.h>

#include <pgtls/pgtls.h>

#include "pgtls_unittest.h"
#include "testjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char msg[512];
	char *out = pgtls__cert_summary_der(data, size);

	pgtls_free(out);
	(void)pgtls__host_matches_der(data, size, "localhost", msg, sizeof(msg));
	(void)pgtls__host_matches_der(data, size, "127.0.0.1", msg, sizeof(msg));
	(void)pgtls__host_matches_der(data, size, "db.pgtls.test", msg, sizeof(msg));
	return 0;
}
