/*
 * fuzz_opts.c - libFuzzer harness for the CLI's value parsers (cli/opts.c):
 * durations and counts.  An accepted value lies within the bounds asked.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	long v;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (cli_duration_ms(s, 1, 3600L * 1000, &v) && (v < 1 || v > 3600L * 1000))
		__builtin_trap(); /* a duration outside the bounds asked */
	if (cli_count(s, 1, 100000, &v) && (v < 1 || v > 100000))
		__builtin_trap(); /* a count outside the bounds asked */
	free(s);
	return 0;
}
