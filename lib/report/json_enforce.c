/*-------------------------------------------------------------------------
 *
 * json_enforce.c
 *	  The report of `pgtls server --what-if-enforced`: the change, and who
 *	  it would lock out, from the server's and the log scan's accessors.
 *
 * IDENTIFICATION
 *	  lib/report/json_enforce.c
 *
 *-------------------------------------------------------------------------
 */
#include <jansson.h>

#include "pgtls_int.h"

static json_t *
clients_json(const pgtls_logscan *scan, int counts[4])
{
	json_t *a = json_array();

	for (int i = 0; a && scan && i < pgtls_logscan_nclients(scan); i++)
	{
		pgtls_enforce_effect e = pgtls_enforce_effect_of(scan, i);
		const char *fb = pgtls_logscan_client_get(scan, i, PGTLS_LC_FALLBACK_SINCE);

		counts[e]++;
		if (e == PGTLS_ENF_UNAFFECTED || e == PGTLS_ENF_LOCAL)
			continue;
		json_array_append_new(
		    a, json_pack("{s:o,s:o,s:o,s:o,s:s,s:I,s:I,s:o,s:o}", "host",
		                 pgtls__jstr(pgtls_logscan_client_get(scan, i, PGTLS_LC_HOST)), "user",
		                 pgtls__jstr(pgtls_logscan_client_get(scan, i, PGTLS_LC_USER)), "database",
		                 pgtls__jstr(pgtls_logscan_client_get(scan, i, PGTLS_LC_DATABASE)), "application_name",
		                 pgtls__jstr(pgtls_logscan_client_get(scan, i, PGTLS_LC_APPLICATION)), "effect",
		                 pgtls_enforce_effect_name(e), "plaintext",
		                 (json_int_t)pgtls_logscan_client_count(scan, i, PGTLS_LCC_PLAINTEXT), "tls_failed",
		                 (json_int_t)pgtls_logscan_client_count(scan, i, PGTLS_LCC_TLS_FAILED), "fallback_since",
		                 fb[0] ? pgtls__jstr(fb) : json_null(), "fix", json_string(pgtls_enforce_client_fix(scan, i))));
		json_object_set_new(json_array_get(a, json_array_size(a) - 1), "cause",
		                    pgtls__jopt(pgtls_enforce_client_cause(scan, i)));
	}
	return a;
}

char *
pgtls_enforce_json(const pgtls_server *s, const pgtls_logscan *scan, int pretty)
{
	json_t *rep, *lines = json_array();
	int counts[4] = {0, 0, 0, 0};

	if (s == NULL || lines == NULL)
	{
		json_decref(lines);
		return NULL;
	}
	for (int i = 0; i < pgtls_server_enforce_nlines(s); i++)
		json_array_append_new(lines, json_string(pgtls_server_enforce_line(s, i)));
	rep = pgtls__report_new(pgtls_enforce_status(s, scan));
	if (rep == NULL)
	{
		json_decref(lines);
		return NULL;
	}
	json_object_set_new(rep, "method", json_string(pgtls_server_enforce_get(s, PGTLS_ENF_METHOD)));
	json_object_set_new(rep, "hba_file", pgtls__jopt(pgtls_server_enforce_get(s, PGTLS_ENF_HBA_FILE)));
	json_object_set_new(rep, "hba_lines_at_top", lines);
	json_object_set_new(rep, "reload", pgtls__jopt(pgtls_server_enforce_get(s, PGTLS_ENF_RELOAD)));
	json_object_set_new(rep, "rds_command", pgtls__jopt(pgtls_server_enforce_get(s, PGTLS_ENF_RDS_COMMAND)));
	json_object_set_new(rep, "aurora_command", pgtls__jopt(pgtls_server_enforce_get(s, PGTLS_ENF_AURORA_COMMAND)));
	json_object_set_new(rep, "logs_read", json_boolean(scan != NULL));
	json_object_set_new(rep, "clients", clients_json(scan, counts));
	json_object_set_new(rep, "summary",
	                    json_pack("{s:i,s:i,s:i,s:i}", "rejected", counts[PGTLS_ENF_REJECTED], "already_failing",
	                              counts[PGTLS_ENF_ALREADY_FAILING], "unaffected", counts[PGTLS_ENF_UNAFFECTED],
	                              "local", counts[PGTLS_ENF_LOCAL]));
	return pgtls__json_dump(rep, pretty);
}
