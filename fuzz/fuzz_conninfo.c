/*
 * fuzz_conninfo.c - libFuzzer harness for the connection-string parsers,
 * built twice: the libpq conninfo/URI parser (checked against libpq's rules
 * in tests/unit/test_conninfo.c), with -DURI the URI parser alone (inputs
 * prefixed with "postgresql://"), and with -DJDBC the pgjdbc URL parser.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pgtls/pgtls.h>

#include "conninfo/conninfo.h"

#ifndef JDBC
#define JDBC 0
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char err[512];
	pgtls_settings *out;

	if (s == NULL)
		return 0;
#ifdef URI
	/* steer every input into the URI parser */
	{
		char *u = malloc(size + 14);

		if (u == NULL)
		{
			free(s);
			return 0;
		}
		free(s);
		s = u;
		memcpy(s, "postgresql://", 13);
		memcpy(s + 13, data, size);
		s[size + 13] = '\0';
	}
#else
	memcpy(s, data, size);
	s[size] = '\0';
#endif
	out = JDBC ? pgtls__jdbc_parse(s, err, sizeof(err)) : pgtls__conninfo_parse(s, err, sizeof(err));
	if (out == NULL && memchr(err, '\0', sizeof(err)) == NULL)
		__builtin_trap(); /* errors are terminated strings */
	pgtls__settings_free(out);
	free(s);
	return 0;
}
