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
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pgtls_int.h"

/* Certificate text is attacker-controlled: sanitised before JSON (see pgtls__sanitize). */
json_t *
pgtls__json_text(const char *data, size_t len)
{
	char *copy = malloc(len + 1);
	json_t *s;

	if (copy == NULL)
		return NULL;
	pgtls__sanitize_text(data, len, copy, len + 1, true);
	s = json_string(copy);
	free(copy);
	return s;
}

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

/* the labels of the exit-code contract (docs/man/pgtls.1, EXIT STATUS) */
const char *
pgtls__status_label(int status)
{
	static const char *const labels[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

	return labels[status >= 0 && status <= 3 ? status : 3];
}

/*
 * A new report: the envelope every JSON document of pgtls opens with,
 * pgtls_version, schema and status {code, label}, in that order; NULL on
 * OOM.  STATUS is the command's exit status.
 */
json_t *
pgtls__report_new(int status)
{
	if (status < 0 || status > 3)
		status = 3;
	return json_pack("{s:s,s:i,s:{s:i,s:s}}", "pgtls_version", PGTLS_VERSION_STR, "schema", PGTLS_JSON_SCHEMA, "status",
	                 "code", status, "label", pgtls__status_label(status));
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
	json_t *rep = pgtls__report_new(3);

	if (rep == NULL)
		return NULL;
	json_object_set_new(rep, "target", json_pack("{s:o}", "input", pgtls__jstr(target)));
	json_object_set_new(rep, "source", pgtls__jstr(source));
	json_object_set_new(rep, "error", pgtls__jstr(message));
	return pgtls__json_dump(rep, 0);
}
