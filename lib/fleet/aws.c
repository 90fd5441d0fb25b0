/*-------------------------------------------------------------------------
 *
 * aws.c
 *	  The AWS RDS/Aurora inventory as the AWS CLI prints it, without AWS
 *	  credentials in pgtls: `aws rds describe-db-instances`,
 *	  `describe-db-clusters`, `describe-certificates` and
 *	  `describe-db-engine-versions` JSON (files or stdin).
 *
 * IDENTIFICATION
 *	  lib/fleet/aws.c
 *
 * NOTES
 *	  Fields read (AWS RDS API reference): DBInstances[].DBInstanceIdentifier,
 *	  Engine, EngineVersion, Endpoint.Address, Endpoint.Port,
 *	  CACertificateIdentifier, CertificateDetails.ValidTill,
 *	  DBClusterIdentifier; DBClusters[].DBClusterIdentifier, Engine,
 *	  Endpoint, ReaderEndpoint, Port; Certificates[].CertificateIdentifier,
 *	  CertificateType, ValidTill, Thumbprint; DBEngineVersions[].Engine,
 *	  EngineVersion, SupportsCertificateRotationWithoutRestart.  Anything
 *	  else is ignored; a file that holds none of these lists is an error.
 *	  Inputs are bounded (64 MiB, 100,000 entries).
 *
 *	  A CA identifier is matched to the served chain by the name its
 *	  certificates carry: rds-ca-2019 is "Amazon RDS Root 2019 CA", the
 *	  G1 CAs are "Amazon RDS <region> Root CA RSA2048 G1" (and RSA4096,
 *	  ECC384); pgtls_aws_set_ca_name() adds or overrides a name (tests
 *	  stand local CAs in for AWS's).
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>

#include "pgtls_int.h"

#define AWS_MAX_BYTES (64L * 1024 * 1024)
#define AWS_MAX_ENTRIES 100000
#define AWS_FIELD 256

typedef struct aws_instance
{
	char f[PGTLS_AWS_NFIELDS][AWS_FIELD];
	int port;
} aws_instance;

typedef struct aws_ca
{
	char id[AWS_FIELD];
	char valid_till[AWS_FIELD];
	char thumbprint[AWS_FIELD];
} aws_ca;

typedef struct aws_name
{
	char id[AWS_FIELD];
	char name[AWS_FIELD];
} aws_name;

typedef struct aws_version
{
	char engine[64];
	char version[64];
	int without_restart; /* 1, 0 */
} aws_version;

struct pgtls_aws
{
	pgtls_errslot err;
	aws_instance *inst;
	int ninst;
	aws_ca *cas;
	int ncas;
	aws_name *names;
	int nnames;
	aws_version *vers;
	int nvers;
};

pgtls_aws *
pgtls_aws_new(void)
{
	return calloc(1, sizeof(pgtls_aws));
}

void
pgtls_aws_free(pgtls_aws *a)
{
	if (a == NULL)
		return;
	free(a->inst);
	free(a->cas);
	free(a->names);
	free(a->vers);
	free(a);
}

pgtls_err
pgtls_aws_errcode(const pgtls_aws *a)
{
	return a ? a->err.code : PGTLS_ERR_USAGE;
}

const char *
pgtls_aws_errmsg(const pgtls_aws *a)
{
	return a ? a->err.msg : "no AWS inventory";
}

static void
cp(char *dst, json_t *v)
{
	char tmp[AWS_FIELD];

	if (json_is_string(v))
		pgtls__sanitize(json_string_value(v), json_string_length(v), tmp, sizeof(tmp));
	else if (json_is_integer(v))
		snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(v));
	else
		tmp[0] = '\0';
	snprintf(dst, AWS_FIELD, "%s", tmp);
}

static void *
grow(void *arr, int n, size_t size)
{
	return n % 64 == 0 ? realloc(arr, (size_t)(n + 64) * size) : arr;
}

static aws_instance *
new_instance(pgtls_aws *a)
{
	aws_instance *g;

	if (a->ninst >= AWS_MAX_ENTRIES || (g = grow(a->inst, a->ninst, sizeof(*g))) == NULL)
		return NULL;
	a->inst = g;
	memset(&g[a->ninst], 0, sizeof(*g));
	return &g[a->ninst++];
}

static pgtls_err
add_instances(pgtls_aws *a, json_t *list)
{
	size_t i;
	json_t *o;

	json_array_foreach (list, i, o)
	{
		aws_instance *in;
		json_t *ep = json_object_get(o, "Endpoint");

		if (!json_is_object(o) || (in = new_instance(a)) == NULL)
			continue;
		cp(in->f[PGTLS_AWS_ID], json_object_get(o, "DBInstanceIdentifier"));
		snprintf(in->f[PGTLS_AWS_KIND], AWS_FIELD, "instance");
		cp(in->f[PGTLS_AWS_ENGINE], json_object_get(o, "Engine"));
		cp(in->f[PGTLS_AWS_ENGINE_VERSION], json_object_get(o, "EngineVersion"));
		cp(in->f[PGTLS_AWS_ADDRESS], json_object_get(ep, "Address"));
		in->port = (int)json_integer_value(json_object_get(ep, "Port"));
		cp(in->f[PGTLS_AWS_CA_ID], json_object_get(o, "CACertificateIdentifier"));
		cp(in->f[PGTLS_AWS_CA_VALID_TILL], json_object_get(json_object_get(o, "CertificateDetails"), "ValidTill"));
		cp(in->f[PGTLS_AWS_CLUSTER], json_object_get(o, "DBClusterIdentifier"));
	}
	return PGTLS_OK;
}

static pgtls_err
add_clusters(pgtls_aws *a, json_t *list)
{
	size_t i;
	json_t *o;

	json_array_foreach (list, i, o)
	{
		static const char *const eps[] = {"Endpoint", "ReaderEndpoint"};

		if (!json_is_object(o))
			continue;
		for (int k = 0; k < 2; k++)
		{
			aws_instance *in;

			if (!json_is_string(json_object_get(o, eps[k])) || (in = new_instance(a)) == NULL)
				continue;
			cp(in->f[PGTLS_AWS_ID], json_object_get(o, "DBClusterIdentifier"));
			snprintf(in->f[PGTLS_AWS_KIND], AWS_FIELD, "%s", k == 0 ? "cluster-writer" : "cluster-reader");
			cp(in->f[PGTLS_AWS_ENGINE], json_object_get(o, "Engine"));
			cp(in->f[PGTLS_AWS_ENGINE_VERSION], json_object_get(o, "EngineVersion"));
			cp(in->f[PGTLS_AWS_ADDRESS], json_object_get(o, eps[k]));
			in->port = (int)json_integer_value(json_object_get(o, "Port"));
			cp(in->f[PGTLS_AWS_CLUSTER], json_object_get(o, "DBClusterIdentifier"));
		}
	}
	return PGTLS_OK;
}

static pgtls_err
add_certificates(pgtls_aws *a, json_t *list)
{
	size_t i;
	json_t *o;

	json_array_foreach (list, i, o)
	{
		aws_ca *g;
		const char *type = json_string_value(json_object_get(o, "CertificateType"));

		if (!json_is_object(o) || (type && strcmp(type, "CA") != 0) || a->ncas >= AWS_MAX_ENTRIES ||
		    (g = grow(a->cas, a->ncas, sizeof(*g))) == NULL)
			continue;
		a->cas = g;
		cp(g[a->ncas].id, json_object_get(o, "CertificateIdentifier"));
		cp(g[a->ncas].valid_till, json_object_get(o, "ValidTill"));
		cp(g[a->ncas].thumbprint, json_object_get(o, "Thumbprint"));
		a->ncas++;
	}
	return PGTLS_OK;
}

static pgtls_err
add_versions(pgtls_aws *a, json_t *list)
{
	size_t i;
	json_t *o;

	json_array_foreach (list, i, o)
	{
		aws_version *g;
		json_t *w = json_object_get(o, "SupportsCertificateRotationWithoutRestart");

		if (!json_is_object(o) || !json_is_boolean(w) || a->nvers >= AWS_MAX_ENTRIES ||
		    (g = grow(a->vers, a->nvers, sizeof(*g))) == NULL)
			continue;
		a->vers = g;
		snprintf(g[a->nvers].engine, sizeof(g[a->nvers].engine), "%s",
		         json_string_value(json_object_get(o, "Engine")) ? json_string_value(json_object_get(o, "Engine"))
		                                                         : "");
		snprintf(g[a->nvers].version, sizeof(g[a->nvers].version), "%s",
		         json_string_value(json_object_get(o, "EngineVersion"))
		             ? json_string_value(json_object_get(o, "EngineVersion"))
		             : "");
		g[a->nvers].without_restart = json_is_true(w);
		a->nvers++;
	}
	return PGTLS_OK;
}

/* One AWS CLI JSON document (already read, LEN bytes); NAME for messages. */
pgtls_err
pgtls_aws_load_mem(pgtls_aws *a, const char *data, size_t len, const char *name)
{
	json_error_t je;
	json_t *doc;
	int kinds = 0;
	static const char *const keys[] = {"DBInstances", "DBClusters", "Certificates", "DBEngineVersions"};

	if (a == NULL || data == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&a->err);
	doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL)
		return pgtls__seterr(&a->err, PGTLS_ERR_PARSE, "%s: not JSON (line %d: %s)", name, je.line, je.text);
	for (int k = 0; k < 4; k++)
	{
		json_t *list = json_object_get(doc, keys[k]);

		if (!json_is_array(list))
			continue;
		kinds++;
		if (k == 0)
			add_instances(a, list);
		else if (k == 1)
			add_clusters(a, list);
		else if (k == 2)
			add_certificates(a, list);
		else
			add_versions(a, list);
	}
	json_decref(doc);
	if (kinds == 0)
		return pgtls__seterr(&a->err, PGTLS_ERR_PARSE,
		                     "%s: no DBInstances, DBClusters, Certificates or DBEngineVersions list (the output of aws "
		                     "rds describe-db-instances, describe-db-clusters, describe-certificates or "
		                     "describe-db-engine-versions)",
		                     name);
	return PGTLS_OK;
}

pgtls_err
pgtls_aws_load(pgtls_aws *a, const char *path)
{
	char why[256];
	size_t len;
	struct stat st;
	int fd;
	char *data;
	pgtls_err rc;

	if (a == NULL || path == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&a->err);
	fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO)
	                            : pgtls__open_regular(path, true, AWS_MAX_BYTES, &st, why, sizeof(why));
	if (fd < 0)
		return pgtls__seterr(&a->err, PGTLS_ERR_IO, "%s: %s", path,
		                     fd == -1 && strcmp(path, "-") ? why : strerror(errno));
	data = pgtls__read_all(fd, AWS_MAX_BYTES, &len, why, sizeof(why));
	close(fd);
	if (data == NULL)
		return pgtls__seterr(&a->err, PGTLS_ERR_IO, "%s: %s", path, why);
	rc = pgtls_aws_load_mem(a, data, len, path);
	free(data);
	return rc;
}

/* ---- accessors and decisions ---- */

int
pgtls_aws_ninstances(const pgtls_aws *a)
{
	return a ? a->ninst : 0;
}

const char *
pgtls_aws_instance_get(const pgtls_aws *a, int i, pgtls_aws_field field)
{
	if (a == NULL || i < 0 || i >= a->ninst || (int)field < 0 || field >= PGTLS_AWS_NFIELDS)
		return "";
	return a->inst[i].f[field];
}

int
pgtls_aws_instance_port(const pgtls_aws *a, int i)
{
	return (a && i >= 0 && i < a->ninst) ? a->inst[i].port : 0;
}

pgtls_err
pgtls_aws_set_ca_name(pgtls_aws *a, const char *spec)
{
	const char *eq = spec ? strchr(spec, '=') : NULL;
	aws_name *g;

	if (a == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&a->err);
	if (eq == NULL || eq == spec || eq[1] == '\0' || (size_t)(eq - spec) >= AWS_FIELD || strlen(eq + 1) >= AWS_FIELD)
		return pgtls__seterr(&a->err, PGTLS_ERR_USAGE, "invalid CA name \"%s\": expected ID=NAME", spec ? spec : "");
	if (a->nnames >= 1000 || (g = grow(a->names, a->nnames, sizeof(*g))) == NULL)
		return pgtls__seterr(&a->err, PGTLS_ERR_OOM, "out of memory");
	a->names = g;
	snprintf(g[a->nnames].id, AWS_FIELD, "%.*s", (int)(eq - spec), spec);
	snprintf(g[a->nnames].name, AWS_FIELD, "%s", eq + 1);
	a->nnames++;
	return PGTLS_OK;
}

/* The words a CA's certificates carry in their names, by identifier. */
static const char *
ca_name(const pgtls_aws *a, const char *id)
{
	static const struct
	{
		const char *id, *name;
	} known[] = {
	    {"rds-ca-2019", "Amazon RDS Root 2019 CA"}, {"rds-ca-2015", "Amazon RDS Root CA"},
	    {"rds-ca-rsa2048-g1", "RSA2048 G1"},        {"rds-ca-rsa4096-g1", "RSA4096 G1"},
	    {"rds-ca-ecc384-g1", "ECC384 G1"},
	};

	for (int i = a->nnames - 1; i >= 0; i--)
		if (strcmp(a->names[i].id, id) == 0)
			return a->names[i].name;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(known[i].id, id) == 0)
			return known[i].name;
	return NULL;
}

int
pgtls_aws_served_matches(const pgtls_aws *a, int i, const char *served_ca)
{
	const char *want;

	if (a == NULL || i < 0 || i >= a->ninst || served_ca == NULL || served_ca[0] == '\0' ||
	    a->inst[i].f[PGTLS_AWS_CA_ID][0] == '\0' || (want = ca_name(a, a->inst[i].f[PGTLS_AWS_CA_ID])) == NULL)
		return -1;
	return strcasestr(served_ca, want) != NULL;
}

/* The CA to move to: --target-ca, else the CA of describe-certificates that is valid longest. */
const char *
pgtls_aws_target_ca(const pgtls_aws *a)
{
	const aws_ca *best = NULL;

	for (int i = 0; a && i < a->ncas; i++)
		if (best == NULL || strcmp(a->cas[i].valid_till, best->valid_till) > 0)
			best = &a->cas[i];
	return best ? best->id : "";
}

/* ValidTill of CA ID: from the instance's CertificateDetails, else describe-certificates. */
const char *
pgtls_aws_ca_valid_till(const pgtls_aws *a, const char *id)
{
	for (int i = 0; a && i < a->ncas; i++)
		if (strcmp(a->cas[i].id, id) == 0)
			return a->cas[i].valid_till;
	for (int i = 0; a && i < a->ninst; i++)
		if (strcmp(a->inst[i].f[PGTLS_AWS_CA_ID], id) == 0 && a->inst[i].f[PGTLS_AWS_CA_VALID_TILL][0])
			return a->inst[i].f[PGTLS_AWS_CA_VALID_TILL];
	return "";
}

/* 1: the instance's engine version rotates without a restart; 0: it restarts; -1: not known (no engine list). */
int
pgtls_aws_rotates_without_restart(const pgtls_aws *a, int i)
{
	if (a == NULL || i < 0 || i >= a->ninst)
		return -1;
	for (int k = 0; k < a->nvers; k++)
		if (strcmp(a->vers[k].engine, a->inst[i].f[PGTLS_AWS_ENGINE]) == 0 &&
		    strcmp(a->vers[k].version, a->inst[i].f[PGTLS_AWS_ENGINE_VERSION]) == 0)
			return a->vers[k].without_restart;
	return -1;
}

/*
 * The `aws rds modify-db-instance` command that moves instance I to
 * TARGET_CA (a buffer of the caller): applied at once only when its engine
 * version is known to rotate without a restart; otherwise in the next
 * maintenance window (--no-apply-immediately), never a restart by surprise.
 */
void
pgtls_aws_modify_command(const pgtls_aws *a, int i, const char *target_ca, char *out, size_t outlen)
{
	snprintf(out, outlen, "aws rds modify-db-instance --db-instance-identifier %s --ca-certificate-identifier %s %s",
	         pgtls_aws_instance_get(a, i, PGTLS_AWS_ID), target_ca,
	         pgtls_aws_rotates_without_restart(a, i) == 1 ? "--apply-immediately" : "--no-apply-immediately");
}

int
pgtls__aws_ncas(const pgtls_aws *a)
{
	return a ? a->ncas : 0;
}
