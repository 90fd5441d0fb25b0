/*
 * fuzz_server_response.c - libFuzzer harness for the parsers of what a
 * server sends before authentication: the SSLRequest answer (first byte
 * of input = 0) and the first startup replies (first byte = 1).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <pgtls/pgtls.h>

#include "pgtls_unittest.h"
#include "testjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char msg[256];
	char *out;

	if (size < 1)
		return 0;
	out = pgtls__parse_server_response(data[0] & 1, data + 1, size - 1, msg, sizeof(msg));
	if (out == NULL && memchr(msg, '\0', sizeof(msg)) == NULL)
		__builtin_trap(); /* error message must be terminated */
	pgtls_free(out);
	return 0;
}
