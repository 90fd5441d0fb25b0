/*-------------------------------------------------------------------------
 *
 * scan_aws.c
 *	  pgtls scan --aws: the endpoints of an AWS RDS/Aurora inventory as
 *	  targets, and after the scan the served CA against the declared one
 *	  and the plan to move each instance to the target CA.
 *
 * IDENTIFICATION
 *	  cli/scan_aws.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pgtls/pgtls.h>

#include "scan.h"

/* Every endpoint of the AWS inventory is a target (its source says which instance or cluster). */
int
cli_scan_aws_targets(scan_ctx *c)
{
	pgtls_aws *a = c->o->aws;
	char target[600], src[400];

	for (int i = 0; a && i < pgtls_aws_ninstances(a); i++)
	{
		scan_row *r;

		if (pgtls_aws_instance_get(a, i, PGTLS_AWS_ADDRESS)[0] == '\0')
			continue; /* not available yet (creating): nothing to probe */
		snprintf(target, sizeof(target), "host=%s port=%d", pgtls_aws_instance_get(a, i, PGTLS_AWS_ADDRESS),
		         pgtls_aws_instance_port(a, i) ? pgtls_aws_instance_port(a, i) : 5432);
		snprintf(src, sizeof(src), "aws %s %s", pgtls_aws_instance_get(a, i, PGTLS_AWS_KIND),
		         pgtls_aws_instance_get(a, i, PGTLS_AWS_ID));
		if ((r = cli_scan_add_row(c, target, src)) == NULL)
			return -1;
		r->aws = i;
	}
	return 0;
}

/* After the scan: served vs declared CA, and the plan to move each instance to the target CA. */
void
cli_scan_aws_plan(scan_ctx *c, FILE *f)
{
	pgtls_aws *a = c->o->aws;
	const char *target = c->o->target_ca ? c->o->target_ca : pgtls_aws_target_ca(a);
	const char **served = calloc((size_t)pgtls_aws_ninstances(a) + 1, sizeof(char *));
	int nplan = 0;

	if (served == NULL)
		return;
	for (int i = 0; i < c->n; i++)
		if (c->rows[i].aws >= 0)
			served[c->rows[i].aws] = c->rows[i].issuer;
	if (c->o->format == OUT_JSON)
	{
		char *js = pgtls_aws_plan_json(a, served, target);

		if (js)
			fprintf(f, "%s\n", js);
		pgtls_free(js);
		free(served);
		return;
	}
	fprintf(f, "\nAWS endpoints (target CA: %s)\n",
	        target[0] ? target : "unknown: give describe-certificates or --target-ca");
	for (int i = 0; i < pgtls_aws_ninstances(a); i++)
	{
		const char *ca = pgtls_aws_instance_get(a, i, PGTLS_AWS_CA_ID);
		int m = pgtls_aws_served_matches(a, i, served[i]);

		fprintf(f, "  %-28s %-15s declared %-20s valid till %-22s serves %s%s\n",
		        pgtls_aws_instance_get(a, i, PGTLS_AWS_ID), pgtls_aws_instance_get(a, i, PGTLS_AWS_KIND),
		        ca[0] ? ca : "-", ca[0] ? pgtls_aws_ca_valid_till(a, ca) : "-",
		        served[i] && served[i][0] ? served[i] : "?",
		        m == 0 ? "  <- NOT the declared CA (a CA change waiting for a restart?)" : "");
	}
	for (int i = 0; target[0] && i < pgtls_aws_ninstances(a); i++)
	{
		const char *ca = pgtls_aws_instance_get(a, i, PGTLS_AWS_CA_ID);
		int nr = pgtls_aws_rotates_without_restart(a, i);
		char cmd[600];

		if (!ca[0] || strcmp(ca, target) == 0)
			continue;
		if (nplan++ == 0)
			fprintf(f, "\nPlan: move these instances to %s (after every client trusts it: pgtls rotation)\n", target);
		pgtls_aws_modify_command(a, i, target, cmd, sizeof(cmd));
		fprintf(f, "  %s\n      # %s %s: %s\n", cmd, pgtls_aws_instance_get(a, i, PGTLS_AWS_ENGINE),
		        pgtls_aws_instance_get(a, i, PGTLS_AWS_ENGINE_VERSION),
		        nr == 1   ? "rotates without a restart: applied at once"
		        : nr == 0 ? "the instance RESTARTS to take the new certificate: applied in its next maintenance window "
		                    "(--apply-immediately to restart now)"
		                  : "restart unknown (give the JSON of aws rds describe-db-engine-versions, its "
		                    "SupportsCertificateRotationWithoutRestart): applied in its next maintenance window");
	}
	free(served);
}
