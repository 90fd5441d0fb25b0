/*-------------------------------------------------------------------------
 *
 * json_server.c
 *	  The documented JSON of pgtls server (docs/json-schema.md), written
 *	  from the typed check.
 *
 * IDENTIFICATION
 *	  lib/report/json_server.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include <jansson.h>

#include "server/server_int.h"

static json_t *
rule_json(const server_rule *r)
{
	return json_pack("{s:i,s:o,s:o,s:b,s:b}", "line", r->line, "rule", pgtls__jstr(r->text), "error",
	                 pgtls__jstr(r->error), "allows_tcp_without_tls", r->lets_in, "shadowed", r->shadowed);
}

json_t *
pgtls__server_to_json(const pgtls_server *s)
{
	static const char *const verdicts[] = {"enforced", "not enforced", "not enforced", "unknown"};
	json_t *rep = pgtls__report_new(pgtls_server_status(s)), *settings = json_object(), *unreadable = json_array(),
	       *hba = json_array(), *offending = json_array(), *reasons = json_array(), *codes = json_array();

	if (!rep || !settings || !unreadable || !hba || !offending || !reasons || !codes)
	{
		json_decref(codes);
		json_decref(rep);
		json_decref(settings);
		json_decref(unreadable);
		json_decref(hba);
		json_decref(offending);
		json_decref(reasons);
		return NULL;
	}
	if (s->user)
		json_object_set_new(rep, "login",
		                    json_pack("{s:o,s:o,s:o,s:b}", "user", pgtls__jstr(s->user), "server_version",
		                              pgtls__jstr(s->version), "address", pgtls__jstr(s->address),
		                              "pg_read_all_settings", s->privileged));
	for (int i = 0; i < s->nsettings; i++)
		json_object_set_new(settings, s->setting_names[i], pgtls__jstr(s->setting_values[i]));
	for (int i = 0; i < s->nunreadable; i++)
		json_array_append_new(unreadable, pgtls__jstr(s->unreadable[i]));
	for (int i = 0; i < s->nrules; i++)
	{
		json_array_append_new(hba, rule_json(&s->rules[i]));
		if (s->rules[i].lets_in)
			json_array_append_new(offending, rule_json(&s->rules[i]));
	}
	for (int i = 0; i < s->nreasons; i++)
	{
		json_array_append_new(reasons, pgtls__jstr(s->reasons[i].text));
		json_array_append_new(codes, json_string(s->reasons[i].code));
	}
	json_object_set_new(rep, "verdict",
	                    json_pack("{s:s,s:o,s:o}", "tls_for_all_tcp_clients", verdicts[s->status & 3], "reasons",
	                              reasons, "reason_codes", codes));
	json_object_set_new(rep, "settings", settings);
	json_object_set_new(rep, "unreadable", unreadable);
	json_object_set_new(rep, "hba_rules", s->hba_readable ? hba : json_null());
	if (!s->hba_readable)
		json_decref(hba);
	json_object_set_new(rep, "offending_rules", offending);
	json_object_set_new(rep, "plaintext_probe",
	                    s->probed ? json_pack("{s:s,s:o}", "result", pgtls_startup_name(s->plaintext), "message",
	                                          pgtls__jstr(s->plaintext_msg))
	                              : json_null());
	return rep;
}

char *
pgtls_server_json(const pgtls_server *s, int pretty)
{
	json_t *rep;

	if (s == NULL || !s->checked || (rep = pgtls__server_to_json(s)) == NULL)
		return NULL;
	return pgtls__json_dump(rep, pretty);
}
