/*-------------------------------------------------------------------------
 *
 * known.c
 *	  Known cloud CA certificates: the Amazon RDS/Aurora CAs by SHA-256
 *	  fingerprint (AWS's public bundles, lib/x509/aws_cas.h), with their
 *	  region; Azure's and Google Cloud SQL's roots by name.
 *
 * IDENTIFICATION
 *	  lib/x509/known.c
 *
 * NOTES
 *	  From the subjects the providers publish: Amazon RDS
 *	  ("CN=Amazon RDS Root 2019 CA", regional "CN=Amazon RDS us-east-1 2019
 *	  CA"; the G1 CAs "CN=Amazon RDS <region> Root CA RSA2048 G1", RSA4096,
 *	  ECC384, with OU=Amazon RDS, O=Amazon Web Services, Inc.): a
 *	  certificate that carries such a name and is not in AWS's table is
 *	  only "named like" it, never known as it; Azure
 *	  Database for PostgreSQL (DigiCert Global Root G2, DigiCert Global
 *	  Root CA, Microsoft RSA Root Certificate Authority 2017, Baltimore
 *	  CyberTrust Root); Google Cloud SQL ("CN=Google Cloud SQL Server CA",
 *	  O=Google, Inc).  A name is only what a subject says: the answer is a
 *	  label for people and a key for --has, not a trust decision.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "x509/cert_int.h"

/* the value of ATTR= in an RFC 2253 subject ("" when absent) */
static void
attr(const char *dn, const char *key, char *out, size_t outlen)
{
	const char *p = dn;

	out[0] = '\0';
	while ((p = strstr(p, key)) != NULL)
	{
		if (p == dn || p[-1] == ',')
		{
			size_t n;

			p += strlen(key);
			n = strcspn(p, ",");
			snprintf(out, outlen, "%.*s", (int)n, p);
			return;
		}
		p++;
	}
}

/* "Amazon RDS us-east-1 Root CA RSA2048 G1" -> id rds-ca-rsa2048-g1, region us-east-1 */
static bool
rds_name(const char *cn, char *out, size_t outlen)
{
	static const struct
	{
		const char *suffix, *id;
	} g1[] = {{" Root CA RSA2048 G1", "rds-ca-rsa2048-g1"},
	          {" Root CA RSA4096 G1", "rds-ca-rsa4096-g1"},
	          {" Root CA ECC384 G1", "rds-ca-ecc384-g1"}};
	size_t len = strlen(cn);

	if (strncmp(cn, "Amazon RDS ", 11) != 0)
		return false;
	if (strcmp(cn, "Amazon RDS Root 2019 CA") == 0)
	{
		snprintf(out, outlen, "rds-ca-2019");
		return true;
	}
	if (strcmp(cn, "Amazon RDS Root CA") == 0)
	{
		snprintf(out, outlen, "rds-ca-2015");
		return true;
	}
	for (size_t i = 0; i < sizeof(g1) / sizeof(g1[0]); i++)
	{
		size_t sl = strlen(g1[i].suffix);

		if (len > 11 + sl && strcmp(cn + len - sl, g1[i].suffix) == 0)
		{
			snprintf(out, outlen, "%s %.*s", g1[i].id, (int)(len - 11 - sl), cn + 11);
			return true;
		}
	}
	if (len > 19 && strcmp(cn + len - 8, " 2019 CA") == 0)
	{
		snprintf(out, outlen, "rds-ca-2019 %.*s intermediate", (int)(len - 11 - 8), cn + 11);
		return true;
	}
	return false;
}

/* one certificate of AWS's public RDS CA bundles (scripts/gen-aws-cas.py) */
typedef struct aws_ca
{
	const char *sha256; /* upper-case hex, the table's order */
	const char *id;     /* rds-ca-2015, rds-ca-2019, rds-ca-rsa2048-g1, rds-ca-rsa4096-g1, rds-ca-ecc384-g1 */
	const char *region; /* "" for a global root */
	bool intermediate;
	const char *from, *until;
} aws_ca;

#include "x509/aws_cas.h"

static int
by_fingerprint(const void *key, const void *row)
{
	return strcmp(key, ((const aws_ca *)row)->sha256);
}

#ifdef PGTLS_TEST_HOOKS
/*
 * Test builds only (meson -Dtest_hooks=true): the file PGTLS_TEST_AWS_CAS
 * names, lines "SHA256 ID [REGION]", registers a test PKI's CAs as AWS's
 * (tests/integration/test_rehearse.py).  Release builds know AWS's own
 * certificates only.  ROW's strings point into BUF.
 */
static bool
test_row(const char *hex, aws_ca *row, char *buf, size_t buflen)
{
	const char *path = getenv("PGTLS_TEST_AWS_CAS");
	FILE *f = path ? fopen(path, "r") : NULL;
	char line[512];
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f))
	{
		char *save = NULL, *fp = strtok_r(line, " \t\r\n", &save), *id = strtok_r(NULL, " \t\r\n", &save);
		char *region = strtok_r(NULL, " \t\r\n", &save);

		if (fp && id && strcasecmp(fp, hex) == 0)
		{
			snprintf(buf, buflen, "%s%c%s", id, '\0', region ? region : "");
			memset(row, 0, sizeof(*row));
			row->id = buf;
			row->region = buf + strlen(buf) + 1;
			row->from = row->until = "";
			found = true;
		}
	}
	if (f)
		fclose(f);
	return found;
}
#endif

/* C's row in AWS's table, by its SHA-256 fingerprint (C->sha256, keytool form), or NULL; SPARE, BUF: test builds */
static const aws_ca *
aws_row(const pgtls_cert *c, aws_ca *spare, char *buf, size_t buflen)
{
	char hex[sizeof(c->sha256)];
	size_t n = 0;
	const aws_ca *row;

	for (const char *p = c->sha256; *p && n + 1 < sizeof(hex); p++)
		if (*p != ':')
			hex[n++] = *p;
	hex[n] = '\0';
	row = bsearch(hex, aws_cas, sizeof(aws_cas) / sizeof(aws_cas[0]), sizeof(aws_cas[0]), by_fingerprint);
#ifdef PGTLS_TEST_HOOKS
	if (row == NULL && test_row(hex, spare, buf, buflen))
		row = spare;
#else
	(void)spare, (void)buf, (void)buflen;
#endif
	return row;
}

/*
 * Amazon RDS CAs are known by fingerprint only (AWS's own certificates);
 * a certificate whose subject only carries an RDS name is NAMED_LIKE it.
 */
bool
pgtls__known_ca(const pgtls_cert *c, char *out, size_t outlen, char *named_like, size_t nlen)
{
	static const struct
	{
		const char *cn, *name;
	} roots[] = {
	    {"DigiCert Global Root G2", "azure digicert-global-root-g2"},
	    {"DigiCert Global Root CA", "azure digicert-global-root-ca"},
	    {"Microsoft RSA Root Certificate Authority 2017", "azure microsoft-rsa-root-2017"},
	    {"Baltimore CyberTrust Root", "azure baltimore-cybertrust-root"},
	    {"Google Cloud SQL Server CA", "google-cloud-sql-server-ca"},
	};
	char cn[256], buf[160];
	const aws_ca *row;
	aws_ca spare;

	out[0] = '\0';
	if (named_like && nlen)
		named_like[0] = '\0';
	if (c == NULL)
		return false;
	attr(c->subject, "CN=", cn, sizeof(cn));
	if ((row = aws_row(c, &spare, buf, sizeof(buf))) != NULL)
	{
		snprintf(out, outlen, "%s%s%s%s", row->id, row->region[0] ? " " : "", row->region,
		         row->intermediate ? " intermediate" : "");
		return true;
	}
	if (rds_name(cn, out, outlen))
	{
		/* AWS's name, not AWS's certificate */
		if (named_like && nlen)
			snprintf(named_like, nlen, "%s", out);
		out[0] = '\0';
		return false;
	}
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (strcmp(cn, roots[i].cn) == 0)
		{
			snprintf(out, outlen, "%s", roots[i].name);
			return true;
		}
	return false;
}

const char *
pgtls_cert_named_like(const pgtls_cert *c)
{
	return c ? c->named_like : "";
}

const char *
pgtls_cert_known_as(const pgtls_cert *c)
{
	static const char none[] = "";

	return c && c->known[0] ? c->known : none;
}

/* NAME ("rds-ca-rsa2048-g1", "rds-ca-rsa2048-g1 eu-west-1" or ":eu-west-1") names certificate C */
int
pgtls_cert_is_known(const pgtls_cert *c, const char *name)
{
	char want[128];
	size_t n;

	if (c == NULL || name == NULL || c->known[0] == '\0')
		return 0;
	snprintf(want, sizeof(want), "%s", name);
	for (char *p = want; *p; p++)
		if (*p == ':')
			*p = ' ';
	n = strlen(want);
	/* the whole label, or its id (and region) as a prefix followed by a space */
	return strcmp(c->known, want) == 0 ||
	       (strncmp(c->known, want, n) == 0 && c->known[n] == ' ' && strstr(c->known, "intermediate") == NULL);
}
