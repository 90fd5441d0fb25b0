/*-------------------------------------------------------------------------
 *
 * json_common.c
 *	  Helpers shared by the JSON serializers: sanitised strings and the
 *	  one way reports are dumped.
 *
 * IDENTIFICATION
 *	  lib/report/json_common.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include <jansson.h>

#include "pgtls_int.h"

/* S through the sanitiser, or JSON null for NULL */
json_t *
pgtls__jstr(const char *s)
{
	return s ? pgtls__json_text(s, strlen(s)) : json_null();
}

/* S through the sanitiser, or JSON null for NULL and "" (an optional field) */
json_t *
pgtls__jopt(const char *s)
{
	return (s && s[0]) ? pgtls__json_text(s, strlen(s)) : json_null();
}

/* REP as text (keys in order, indented when PRETTY), and REP released; NULL when out of memory */
char *
pgtls__json_dump(struct json_t *rep, int pretty)
{
	char *out;

	if (rep == NULL)
		return NULL;
	out = json_dumps(rep, JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT));
	json_decref(rep);
	return out;
}

/* The NDJSON line of `pgtls scan` for a target that could not be probed (docs/json-schema.md). */
char *
pgtls_scan_error_json(const char *target, const char *source, const char *message)
{
	return pgtls__json_dump(json_pack("{s:{s:o},s:o,s:{s:i,s:s},s:o}", "target", "input", pgtls__jstr(target), "source",
	                                  pgtls__jstr(source), "status", "code", 3, "label", "UNKNOWN", "error",
	                                  pgtls__jstr(message)),
	                        0);
}
