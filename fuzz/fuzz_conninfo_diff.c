/*
 * fuzz_conninfo_diff.c - differential libFuzzer harness: pgtls's own
 * conninfo/URI parser (lib/conninfo/conninfo.c) against libpq's
 * PQconninfoParse().  Both must accept or both refuse the same input, and
 * when both accept, every keyword libpq sets must have the same value.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "conninfo/conninfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	char err[512];
	char *perr = NULL;
	PQconninfoOption *opts;
	pgtls_settings *mine;

	if (size > 4096 || memchr(data, '\0', size))
		return 0;
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	mine = pgtls__conninfo_parse(s, err, sizeof(err));
	opts = PQconninfoParse(s, &perr);
	if ((mine == NULL) != (opts == NULL))
		__builtin_trap(); /* one accepts what the other refuses */
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
	{
		const char *v = pgtls__settings_value(mine, o->keyword);

		if ((o->val == NULL) != (v == NULL) || (v && strcmp(v, o->val) != 0))
			__builtin_trap(); /* a keyword parsed differently */
	}
	pgtls__settings_free(mine);
	PQconninfoFree(opts);
	PQfreemem(perr);
	free(s);
	return 0;
}
