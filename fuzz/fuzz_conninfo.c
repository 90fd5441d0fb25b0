/*
 * fuzz_conninfo.c - libFuzzer harness for the libpq conninfo parser (key=value strings and
 * postgresql:// URIs), checked against libpq's rules in test_conninfo.c.
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
	char	   *s = malloc(size + 1);
	char		err[512];
	char	   *out;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	out = pgtls_conninfo_parse_json(s, 0, err, sizeof(err));
	if (out == NULL && memchr(err, '\0', sizeof(err)) == NULL)
		__builtin_trap();
	pgtls_free(out);
	free(s);
	return 0;
}
