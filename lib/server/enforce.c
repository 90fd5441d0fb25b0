/*-------------------------------------------------------------------------
 *
 * enforce.c
 *	  "What if TLS were enforced?": which clients of the logs would be
 *	  rejected, which fail already, what each must change first; and the
 *	  exact server change (pg_hba.conf lines and the reload, or the RDS /
 *	  Aurora parameter).
 *
 * IDENTIFICATION
 *	  lib/server/enforce.c
 *
 * NOTES
 *	  pg_hba.conf is read top down and the first matching line decides
 *	  (PostgreSQL docs, "The pg_hba.conf File"): two "hostnossl ... reject"
 *	  lines at the very top reject every TCP connection without TLS,
 *	  whatever follows, and GSSAPI-encrypted ones too (hostnossl matches
 *	  them).  Unix-domain sockets ("local") are not affected.  On RDS and
 *	  Aurora pg_hba.conf is not writable: rds.force_ssl = 1 in the
 *	  (cluster) parameter group does the same, and is dynamic.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "logparse/pglog_int.h"
#include "server/server_int.h"

static const char *const hba_lines[] = {
    "hostnossl all all 0.0.0.0/0 reject",
    "hostnossl all all ::/0 reject",
};

pgtls_enforce_effect
pgtls_enforce_effect_of(const pgtls_logscan *scan, int i)
{
	int64_t conns, plain, gss, local, failed, rejected;

	if (scan == NULL || i < 0 || i >= pgtls_logscan_nclients(scan))
		return PGTLS_ENF_UNAFFECTED;
	plain = pgtls_logscan_client_count(scan, i, PGTLS_LCC_PLAINTEXT);
	gss = pgtls_logscan_client_count(scan, i, PGTLS_LCC_GSS);
	local = pgtls_logscan_client_count(scan, i, PGTLS_LCC_LOCAL);
	failed = pgtls_logscan_client_count(scan, i, PGTLS_LCC_TLS_FAILED);
	rejected = pgtls_logscan_client_count(scan, i, PGTLS_LCC_REJECTED_PLAINTEXT) +
	           pgtls_logscan_client_count(scan, i, PGTLS_LCC_REJECTED_ENCRYPTED);
	conns = pgtls_logscan_client_count(scan, i, PGTLS_LCC_CONNECTIONS);
	if (plain > 0 || gss > 0)
		return PGTLS_ENF_REJECTED;
	if (local > 0 && local == conns)
		return PGTLS_ENF_LOCAL;
	if (conns == 0 && (failed > 0 || rejected > 0))
		return PGTLS_ENF_ALREADY_FAILING;
	return PGTLS_ENF_UNAFFECTED;
}

const char *
pgtls_enforce_effect_name(pgtls_enforce_effect e)
{
	static const char *const t[] = {"unaffected", "rejected", "already_failing", "local"};

	return (unsigned)e < sizeof(t) / sizeof(t[0]) ? t[e] : "unknown";
}

/*
 * Why client I would be rejected, as a stable code: falls_back (its own
 * TLS, or the retry of its own failed handshake), cannot_tell (plaintext
 * right after others' failures from its address), gss_encryption, no_tls;
 * "" when it is not rejected.
 */
const char *
pgtls_enforce_client_cause(const pgtls_logscan *scan, int i)
{
	const char *ev;

	if (pgtls_enforce_effect_of(scan, i) != PGTLS_ENF_REJECTED)
		return "";
	if (pgtls_logscan_client_get(scan, i, PGTLS_LC_FALLBACK_SINCE)[0])
		return "falls_back";
	ev = pgtls_logscan_client_get(scan, i, PGTLS_LC_FALLBACK_EVIDENCE);
	if (strcmp(ev, "cannot_tell") == 0)
		return "cannot_tell";
	if (pgtls_logscan_client_count(scan, i, PGTLS_LCC_GSS) > 0 &&
	    pgtls_logscan_client_count(scan, i, PGTLS_LCC_PLAINTEXT) == 0)
		return "gss_encryption";
	return "no_tls";
}

/* What the client must change before TLS is enforced (a sentence), or "". */
const char *
pgtls_enforce_client_fix(const pgtls_logscan *scan, int i)
{
	const char *cause = pgtls_enforce_client_cause(scan, i);

	if (strcmp(cause, "falls_back") == 0)
		return "it falls back to plaintext after its TLS attempt fails: make TLS work (give it the server's CA in "
		       "its root certificate file or trust store) before enforcing";
	if (strcmp(cause, "cannot_tell") == 0)
		return "it connects without TLS right after failed handshakes from its address, with other connections in "
		       "between: the log cannot tell whether it falls back (then give it the server's CA) or never asks "
		       "for TLS (then set sslmode=verify-full): check its settings with pgtls clients";
	if (strcmp(cause, "gss_encryption") == 0)
		return "it uses GSSAPI encryption, which hostnossl rules also reject: move it to TLS, or add a hostgssenc "
		       "rule for it above the reject lines";
	if (strcmp(cause, "no_tls") == 0)
		return "it connects without TLS: set sslmode=verify-full (with the server's CA as sslrootcert) in its "
		       "connection settings, or at least sslmode=require";
	if (pgtls_enforce_effect_of(scan, i) == PGTLS_ENF_ALREADY_FAILING)
		return "it fails already (failed TLS handshakes or rejected attempts): enforcing changes nothing for it; "
		       "see its failure reasons";
	return "";
}

/* ---- the server change ---- */

const char *
pgtls_server_enforce_get(const pgtls_server *s, pgtls_enforce_field field)
{
	const char *force = s ? pgtls__server_setting(s, "rds.force_ssl") : NULL;
	const char *file = s ? pgtls__server_setting(s, "hba_file") : NULL;

	if (s == NULL || !s->checked)
		return "";
	switch (field)
	{
		case PGTLS_ENF_METHOD:
			if (s->status == 2)
				return "ssl_off";
			if (s->status == 0)
				return "enforced";
			return force ? "rds_parameter" : "hba";
		case PGTLS_ENF_HBA_FILE:
			return file ? file : "";
		case PGTLS_ENF_RELOAD:
			return force ? "" : "SELECT pg_reload_conf();";
		case PGTLS_ENF_RDS_COMMAND:
			return force ? "aws rds modify-db-parameter-group --db-parameter-group-name YOUR-PARAMETER-GROUP "
			               "--parameters \"ParameterName=rds.force_ssl,ParameterValue=1,ApplyMethod=immediate\""
			             : "";
		case PGTLS_ENF_AURORA_COMMAND:
			return force ? "aws rds modify-db-cluster-parameter-group --db-cluster-parameter-group-name "
			               "YOUR-CLUSTER-PARAMETER-GROUP --parameters "
			               "\"ParameterName=rds.force_ssl,ParameterValue=1,ApplyMethod=immediate\""
			             : "";
	}
	return "";
}

int
pgtls_server_enforce_nlines(const pgtls_server *s)
{
	const char *m = pgtls_server_enforce_get(s, PGTLS_ENF_METHOD);

	return strcmp(m, "hba") == 0 ? (int)(sizeof(hba_lines) / sizeof(hba_lines[0])) : 0;
}

const char *
pgtls_server_enforce_line(const pgtls_server *s, int i)
{
	if (i < 0 || i >= pgtls_server_enforce_nlines(s))
		return "";
	return hba_lines[i];
}

/* 0 no client would be rejected; 2 some would (they would break); 1 no log read: not known */
int
pgtls_enforce_status(const pgtls_server *s, const pgtls_logscan *scan)
{
	if (s == NULL)
		return 3;
	if (scan && pgtls_logscan_status(scan) == 3)
		return 3; /* a log not read to its end: who would be rejected is not known */
	if (s->checked && s->status == 0)
		return 0; /* enforced already: enforcing locks nobody out now (who is rejected today is listed) */
	if (scan == NULL)
		return 1;
	for (int i = 0; i < pgtls_logscan_nclients(scan); i++)
		if (pgtls_enforce_effect_of(scan, i) == PGTLS_ENF_REJECTED)
			return 2;
	return 0;
}
