/*-------------------------------------------------------------------------
 *
 * json_fleet.c
 *	  The AWS rotation plan of `pgtls scan --aws` as JSON, from the fleet
 *	  object's accessors.
 *
 * IDENTIFICATION
 *	  lib/report/json_fleet.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdbool.h>
#include <string.h>

#include <jansson.h>

#include "pgtls_int.h"

/*
 * The plan as JSON: per endpoint its declaration, the CA its served chain
 * ends at (SERVED_CA[i], from the scan), whether they match, and for
 * instances not on TARGET_CA the command and whether it restarts.
 */
char *
pgtls_aws_plan_json(const pgtls_aws *a, const char *const *served_ca, const char *target_ca)
{
	json_t *arr = json_array(), *rep;
	bool attention = false;

	if (a == NULL || arr == NULL)
	{
		json_decref(arr);
		return NULL;
	}
	for (int i = 0; i < pgtls_aws_ninstances(a); i++)
	{
		const char *ca = pgtls_aws_instance_get(a, i, PGTLS_AWS_CA_ID);
		bool change = ca[0] && target_ca && target_ca[0] && strcmp(ca, target_ca) != 0;
		int m = pgtls_aws_served_matches(a, i, served_ca ? served_ca[i] : NULL);
		int nr = pgtls_aws_rotates_without_restart(a, i);
		char cmd[600];

		attention = attention || change || m == 0;
		pgtls_aws_modify_command(a, i, target_ca ? target_ca : "", cmd, sizeof(cmd));
		json_array_append_new(arr,
		                      json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:b,s:o,s:o}", "id",
		                                pgtls_aws_instance_get(a, i, PGTLS_AWS_ID), "kind",
		                                pgtls_aws_instance_get(a, i, PGTLS_AWS_KIND), "engine",
		                                pgtls_aws_instance_get(a, i, PGTLS_AWS_ENGINE), "engine_version",
		                                pgtls_aws_instance_get(a, i, PGTLS_AWS_ENGINE_VERSION), "declared_ca",
		                                pgtls__jopt(ca), "ca_valid_till", pgtls__jopt(pgtls_aws_ca_valid_till(a, ca)),
		                                "served_ca", pgtls__jopt(served_ca ? served_ca[i] : NULL),
		                                "served_matches_declared", m < 0 ? json_null() : json_boolean(m),
		                                "needs_change", change, "command", change ? json_string(cmd) : json_null(),
		                                "rotates_without_restart", nr < 0 ? json_null() : json_boolean(nr)));
	}
	/* an instance to change, or one serving another CA than it declares: needs attention */
	if ((rep = pgtls__report_new(attention ? 1 : 0)) == NULL)
	{
		json_decref(arr);
		return NULL;
	}
	json_object_set_new(rep, "aws_target_ca", json_string(target_ca ? target_ca : ""));
	json_object_set_new(rep, "endpoints", arr);
	json_object_set_new(rep, "certificates_known", json_integer(pgtls__aws_ncas(a)));
	return pgtls__json_dump(rep, 0);
}
