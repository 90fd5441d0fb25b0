/*
 * fuzz_target.c - libFuzzer harness for target parsing: host[:port],
 * postgresql:// URIs and conninfo strings, plus the name matcher.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pgtls/pgtls.h>

#include "pgtls_unittest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	pgtls_probe *p;
	const char *slash;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	p = pgtls_probe_new();
	if (p)
	{
		(void)pgtls_probe_set_target(p, s);
		pgtls_probe_free(p);
	}
	/* "pattern/host" for the wildcard matcher */
	slash = strchr(s, '/');
	if (slash)
		(void)pgtls__name_matches(s, (size_t)(slash - s), slash + 1);
	free(s);
	return 0;
}
