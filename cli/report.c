/*-------------------------------------------------------------------------
 *
 * report.c
 *	  Human-readable rendering of a probe (from its typed accessors).
 *
 * IDENTIFICATION
 *	  cli/report.c
 *
 * NOTES
 *	  The text report and the JSON report are two views of the same typed
 *	  results (lib/report/json_probe.c writes the JSON).
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "opts.h"
#include "report.h"

void
cli_print_validity(FILE *f, const char *indent, const pgtls_cert *c)
{
	fprintf(f, "%svalidity  %s .. %s", indent, pgtls_cert_get(c, PGTLS_CERT_NOT_BEFORE),
	        pgtls_cert_get(c, PGTLS_CERT_NOT_AFTER));
	if (pgtls_cert_flag_set(c, PGTLS_CERT_EXPIRED))
		fprintf(f, "  EXPIRED\n");
	else if (pgtls_cert_flag_set(c, PGTLS_CERT_NOT_YET_VALID))
		fprintf(f, "  NOT YET VALID\n");
	else
		fprintf(f, "  (%d days left)\n", pgtls_cert_days_left(c));
}

static void
print_names(FILE *f, const pgtls_cert *c)
{
	const char *sep = "";

	fprintf(f, "      names     ");
	for (int ip = 0; ip < 2; ip++)
		for (int i = 0; i < pgtls_cert_nsan(c, ip); i++)
		{
			fprintf(f, "%s%s:%s", sep, ip ? "IP" : "DNS", pgtls_cert_san(c, ip, i));
			sep = " ";
		}
	fprintf(f, "%s\n", sep[0] ? "" : "(no subjectAltName)");
}

static void
print_cert(FILE *f, int depth, const pgtls_cert *c)
{
	const char *curve = pgtls_cert_get(c, PGTLS_CERT_KEY_CURVE);

	fprintf(f, "  [%d] %s%s\n", depth, pgtls_cert_get(c, PGTLS_CERT_SUBJECT),
	        pgtls_cert_flag_set(c, PGTLS_CERT_IS_CA) ? "  (CA)" : "");
	if (pgtls_cert_known_as(c)[0])
		fprintf(f, "      known as  %s\n", pgtls_cert_known_as(c));
	fprintf(f, "      issuer    %s%s\n", pgtls_cert_get(c, PGTLS_CERT_ISSUER),
	        pgtls_cert_flag_set(c, PGTLS_CERT_SELF_SIGNED) ? "  (self-signed)" : "");
	cli_print_validity(f, "      ", c);
	print_names(f, c);
	fprintf(f, "      key       %s %d%s%s, signed %s\n", pgtls_cert_get(c, PGTLS_CERT_KEY_TYPE), pgtls_cert_key_bits(c),
	        curve[0] ? " " : "", curve, pgtls_cert_get(c, PGTLS_CERT_SIGNATURE_ALGORITHM));
	fprintf(f, "      serial    %s\n", pgtls_cert_get(c, PGTLS_CERT_SERIAL));
	fprintf(f, "      SHA-1     %s\n", pgtls_cert_get(c, PGTLS_CERT_SHA1));
	fprintf(f, "      SHA-256   %s\n", pgtls_cert_get(c, PGTLS_CERT_SHA256));
}

static void
print_startup(FILE *f, const char *label, const pgtls_conn *c)
{
	switch (pgtls_conn_startup(c))
	{
		case PGTLS_STARTUP_ACCEPTED:
			fprintf(f, "%-11s accepted (authentication: %s)\n", label, pgtls_conn_get(c, PGTLS_CF_AUTH));
			break;
		case PGTLS_STARTUP_REJECTED:
			fprintf(f, "%-11s rejected: %s:  %s\n", label, pgtls_conn_get(c, PGTLS_CF_STARTUP_SEVERITY),
			        pgtls_conn_get(c, PGTLS_CF_STARTUP_MESSAGE));
			break;
		case PGTLS_STARTUP_UNKNOWN:
			fprintf(f, "%-11s unknown%s%s\n", label, pgtls_conn_get(c, PGTLS_CF_STARTUP_MESSAGE)[0] ? ": " : "",
			        pgtls_conn_get(c, PGTLS_CF_STARTUP_MESSAGE));
			break;
	}
}

static const char *
server_name(const pgtls_probe *p)
{
	const char *host = pgtls_probe_get(p, PGTLS_PF_HOST);

	return host[0] ? host : pgtls_probe_get(p, PGTLS_PF_HOSTADDR);
}

/* The CLI's remedy for a finding, by its stable code (the library names no flags). */
static const char *
finding_hint(const char *code)
{
	if (strcmp(code, "no_rootcert") == 0)
		return "give the CA bundle clients use with --rootcert";
	if (strcmp(code, "rootcert_not_libpq") == 0)
		return "convert it for libpq with \"pgtls store merge --store-format pem\"";
	return NULL;
}

static void
print_quiet(FILE *f, const pgtls_probe *p)
{
	int status = pgtls_probe_status(p);
	int first = -1;

	/* the first finding of the status's severity explains it */
	for (int i = 0; i < pgtls_probe_nfindings(p) && first < 0; i++)
		if ((int)pgtls_probe_finding_severity(p, i) == status)
			first = i;
	fprintf(f, "PGTLS %s - %s:%s%s%s\n", cli_status_label(status), server_name(p), pgtls_probe_get(p, PGTLS_PF_PORT),
	        first >= 0 ? ": " : "", first >= 0 ? pgtls_probe_finding_message(p, first) : "");
}

static void
print_negotiations(FILE *f, pgtls_probe *p)
{
	for (int i = 0; i < pgtls_probe_nconns(p); i++)
	{
		const pgtls_conn *c = pgtls_probe_conn(p, i);
		pgtls_conn_method m = pgtls_conn_get_method(c);
		const char *group = pgtls_conn_get(c, PGTLS_CF_GROUP), *alpn = pgtls_conn_get(c, PGTLS_CF_ALPN);

		if (m == PGTLS_METHOD_PLAIN)
			continue;
		fprintf(f, "%-11s ", m == PGTLS_METHOD_DIRECT ? "Direct TLS" : "SSLRequest");
		if (m == PGTLS_METHOD_SSLREQUEST && pgtls_conn_get(c, PGTLS_CF_SSL_RESPONSE)[0])
			fprintf(f, "'%s' from %s", pgtls_conn_get(c, PGTLS_CF_SSL_RESPONSE), pgtls_conn_get(c, PGTLS_CF_ADDRESS));
		else
			fprintf(f, "to %s", pgtls_conn_get(c, PGTLS_CF_ADDRESS));
		if (pgtls_conn_get(c, PGTLS_CF_TLS_VERSION)[0])
			fprintf(f, ": %s %s, group %s%s%s", pgtls_conn_get(c, PGTLS_CF_TLS_VERSION),
			        pgtls_conn_get(c, PGTLS_CF_CIPHER), group[0] ? group : "-", alpn[0] ? ", ALPN " : "", alpn);
		fprintf(f, "\n");
		if (pgtls_conn_errcode(c) != PGTLS_OK)
			fprintf(f, "%-11s %s error: %s\n", "", pgtls_err_name(pgtls_conn_errcode(c)), pgtls_conn_errmsg(c));
		if (pgtls_conn_get(c, PGTLS_CF_TLS_VERSION)[0])
			print_startup(f, "Over TLS", c);
	}
	for (int i = 0; i < pgtls_probe_nconns(p); i++)
		if (pgtls_conn_get_method(pgtls_probe_conn(p, i)) == PGTLS_METHOD_PLAIN)
			print_startup(f, "Plaintext", pgtls_probe_conn(p, i));
}

static void
print_rootcert(FILE *f, const pgtls_probe *p)
{
	pgtls_rootcert_state st = pgtls_probe_rootcert(p);
	int n = pgtls_probe_rootcert_count(p);

	fprintf(f, "\nRoot certificate  ");
	if (st == PGTLS_ROOTCERT_SYSTEM)
		fprintf(f, "system store");
	else
		fprintf(f, "%s",
		        st == PGTLS_ROOTCERT_NO_HOME ? "(none: no home directory)" : pgtls_probe_get(p, PGTLS_PF_ROOT_PATH));
	fprintf(f, " [%s]: ", pgtls_probe_get(p, PGTLS_PF_ROOT_SOURCE));
	if (st == PGTLS_ROOTCERT_NO_HOME || st == PGTLS_ROOTCERT_MISSING)
		fprintf(f, "does not exist (libpq will not verify the server)\n");
	else if (st == PGTLS_ROOTCERT_UNREADABLE)
		fprintf(f, "%s\n", pgtls_probe_get(p, PGTLS_PF_ROOT_LOAD_ERROR));
	else
	{
		fprintf(f, "%d certificate%s", n, n == 1 ? "" : "s");
		if (pgtls_probe_chain_verifies(p) == 1)
			fprintf(f, ", chain verifies\n");
		else if (pgtls_probe_chain_verifies(p) == 0)
			fprintf(f, ", chain does NOT verify: %s\n                  %s\n",
			        pgtls_probe_get(p, PGTLS_PF_VERIFY_REASON), pgtls_probe_get(p, PGTLS_PF_VERIFY_HINT));
		else
			fprintf(f, "\n");
	}
	fprintf(f, "Host name         \"%s\": %s\n", pgtls_probe_get(p, PGTLS_PF_CHECKED_NAME),
	        pgtls_probe_host_ok(p) ? "matches the server certificate" : pgtls_probe_get(p, PGTLS_PF_HOST_MESSAGE));
}

static void
print_verdicts(FILE *f, const pgtls_probe *p)
{
	int lv = pgtls_probe_libpq_version(p);

	if (strncmp(pgtls_probe_get(p, PGTLS_PF_DRIVER), "pgjdbc", 6) == 0)
		fprintf(f, "\nVerdicts of a pgjdbc client (sslmode=...; ssl=true alone means verify-full)\n");
	else
		fprintf(f, "\nVerdicts of a libpq %d.%d client (%s); this connection string uses sslmode=%s [%s]\n", lv / 10000,
		        lv % 100,
		        strcmp(pgtls_probe_get(p, PGTLS_PF_LIBPQ_VERSION_SOURCE), "linked") == 0
		            ? "the libpq pgtls is linked with"
		            : "as asked with --libpq-version",
		        pgtls_probe_get(p, PGTLS_PF_SSLMODE), pgtls_probe_get(p, PGTLS_PF_SSLMODE_SOURCE));
	fprintf(f, "%-10s %-12s %-9s %-10s %-9s %s\n", "negotiate", "sslmode", "result", "encrypted", "verified", "note");
	for (int i = 0; i < pgtls_probe_nverdicts(p); i++)
	{
		const pgtls_verdict *v = pgtls_probe_verdict(p, i);

		fprintf(f, "%-10s %-12s %-9s %-10s %-9s %s\n", pgtls_verdict_direct(v) ? "direct" : "postgres",
		        pgtls_sslmode_name(pgtls_verdict_sslmode(v)), pgtls_result_name(pgtls_verdict_result(v)),
		        pgtls_verdict_encrypted(v) ? "yes" : "NO", pgtls_verified_name(pgtls_verdict_verified(v)),
		        pgtls_verdict_fell_back(v) ? "fell back to plaintext after TLS failed" : "");
		for (int j = 0; j < pgtls_verdict_nerrors(v); j++)
		{
			const char *s = pgtls_verdict_error(v, j);
			const char *nl;

			/* libpq's two-line messages are indented line by line */
			while ((nl = strchr(s, '\n')) != NULL)
			{
				fprintf(f, "%24s%.*s\n", "", (int)(nl - s), s);
				s = nl + 1;
			}
			fprintf(f, "%24s%s\n", "", s);
		}
	}
}

void
cli_render_probe(FILE *f, pgtls_probe *p, int quiet)
{
	int status = pgtls_probe_status(p);

	if (quiet)
	{
		print_quiet(f, p);
		return;
	}
	fprintf(f, "pgtls probe %s\n\n", pgtls_probe_get(p, PGTLS_PF_TARGET));
	fprintf(f, "Server      %s port %s", server_name(p), pgtls_probe_get(p, PGTLS_PF_PORT));
	if (pgtls_probe_get(p, PGTLS_PF_HOSTADDR)[0])
		fprintf(f, " (hostaddr %s)", pgtls_probe_get(p, PGTLS_PF_HOSTADDR));
	fprintf(f, ", as user \"%s\" database \"%s\"\n", pgtls_probe_get(p, PGTLS_PF_USER),
	        pgtls_probe_get(p, PGTLS_PF_DBNAME));
	print_negotiations(f, p);
	fprintf(f, "\nCertificate chain served (%d certificate%s)\n", pgtls_probe_nchain(p),
	        pgtls_probe_nchain(p) == 1 ? "" : "s");
	for (int i = 0; i < pgtls_probe_nchain(p); i++)
		print_cert(f, i, pgtls_probe_chain(p, i));
	print_rootcert(f, p);
	if (pgtls_probe_get(p, PGTLS_PF_CLIENT_CERT_ERROR)[0])
		fprintf(f, "Client cert       cannot be used: %s\n", pgtls_probe_get(p, PGTLS_PF_CLIENT_CERT_ERROR));
	else if (pgtls_probe_get(p, PGTLS_PF_CLIENT_CERT)[0])
		fprintf(f, "Client cert       %s (presented when the server asks)\n", pgtls_probe_get(p, PGTLS_PF_CLIENT_CERT));
	if (pgtls_probe_get(p, PGTLS_PF_SERVICE_FILE)[0])
		fprintf(f, "Service file      %s\n", pgtls_probe_get(p, PGTLS_PF_SERVICE_FILE));
	print_verdicts(f, p);
	fprintf(f, "\nFindings\n");
	for (int i = 0; i < pgtls_probe_nfindings(p); i++)
	{
		char sev[16];
		const char *hint = finding_hint(pgtls_probe_finding_code(p, i));

		snprintf(sev, sizeof(sev), "%s", cli_status_label((int)pgtls_probe_finding_severity(p, i)));
		fprintf(f, "  %-9s %s%s%s%s\n", sev, pgtls_probe_finding_message(p, i), hint ? " (" : "", hint ? hint : "",
		        hint ? ")" : "");
	}
	fprintf(f, "\nStatus: %s (exit %d)\n", cli_status_label(status), status);
}
