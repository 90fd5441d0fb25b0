/*
 * fuzz_aws.c - libFuzzer harness for the AWS CLI JSON reader
 * (lib/fleet/aws.c): any bytes as describe-db-instances/-clusters/
 * -certificates/-engine-versions output, then every accessor and the plan.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <pgtls/pgtls.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pgtls_aws *a = pgtls_aws_new();
	char cmd[600];

	if (a == NULL)
		return 0;
	(void)pgtls_aws_load_mem(a, (const char *)data, size, "fuzz");
	for (int i = 0; i < pgtls_aws_ninstances(a); i++)
	{
		for (int f = 0; f < PGTLS_AWS_NFIELDS; f++)
			(void)pgtls_aws_instance_get(a, i, (pgtls_aws_field)f);
		(void)pgtls_aws_served_matches(a, i, "Amazon RDS Root 2019 CA");
		(void)pgtls_aws_rotates_without_restart(a, i);
		pgtls_aws_modify_command(a, i, pgtls_aws_target_ca(a), cmd, sizeof(cmd));
	}
	pgtls_free(pgtls_aws_plan_json(a, NULL, pgtls_aws_target_ca(a)));
	pgtls_aws_free(a);
	return 0;
}
