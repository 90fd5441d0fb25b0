/*
 * fuzz_nodelock.c - libFuzzer harness for the node-postgres version readers
 * (lib/clients/node.c): the first byte picks the format (npm-shrinkwrap.json,
 * package-lock.json, yarn.lock, pnpm-lock.yaml, package.json), the rest is
 * the file's bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clients/clients_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int pg[2] = {-1, -1}, pcs[2] = {-1, -1};
	char *buf;

	if (size < 1 || size > 1024 * 1024)
		return 0;
	buf = malloc(size); /* NUL-terminated, as the file reader gives it */
	if (buf == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	pgtls__node_lock_parse(data[0] % 5, buf, size - 1, pg, pcs);
	free(buf);
	return 0;
}
