/*-------------------------------------------------------------------------
 *
 * enforce.c
 *	  pgtls server --what-if-enforced: who would be locked out, what each
 *	  must change first, and the exact change, in the order to do it.
 *
 * IDENTIFICATION
 *	  cli/enforce.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <pgtls/pgtls.h>

#include "cli.h"

static void
print_clients(const pgtls_logscan *scan, pgtls_enforce_effect want, const char *title)
{
	int n = 0;

	for (int i = 0; i < pgtls_logscan_nclients(scan); i++)
	{
		const char *user = pgtls_logscan_client_get(scan, i, PGTLS_LC_USER);
		const char *fails = pgtls_logscan_client_get(scan, i, PGTLS_LC_TLS_FAILURES);

		if (pgtls_enforce_effect_of(scan, i) != want)
			continue;
		if (n++ == 0)
			printf("\n%s\n", title);
		printf("  %s %s@%s application \"%s\": %lld plaintext%s%s%s%s\n    -> %s\n",
		       pgtls_logscan_client_get(scan, i, PGTLS_LC_HOST), user[0] ? user : "(before login)",
		       pgtls_logscan_client_get(scan, i, PGTLS_LC_DATABASE),
		       pgtls_logscan_client_get(scan, i, PGTLS_LC_APPLICATION),
		       (long long)pgtls_logscan_client_count(scan, i, PGTLS_LCC_PLAINTEXT),
		       pgtls_logscan_client_get(scan, i, PGTLS_LC_FALLBACK_SINCE)[0] ? ", fell back since " : "",
		       pgtls_logscan_client_get(scan, i, PGTLS_LC_FALLBACK_SINCE), fails[0] ? ", failed handshakes: " : "",
		       fails, pgtls_enforce_client_fix(scan, i));
	}
	if (n == 0 && want == PGTLS_ENF_REJECTED)
		printf("\nNo client in these logs connects without TLS: enforcing rejects none of them.\n");
}

static void
print_change(const pgtls_server *srv)
{
	const char *method = pgtls_server_enforce_get(srv, PGTLS_ENF_METHOD);
	const char *file = pgtls_server_enforce_get(srv, PGTLS_ENF_HBA_FILE);

	printf("\nThe change\n");
	if (strcmp(method, "enforced") == 0)
		printf("  TLS is enforced for every TCP client already: nothing to change.\n");
	else if (strcmp(method, "ssl_off") == 0)
		printf("  ssl = off: give the server a certificate (ssl_cert_file, ssl_key_file), set ssl = on and reload\n"
		       "  first; then run this again.\n");
	else if (strcmp(method, "rds_parameter") == 0)
		printf("  RDS:    %s\n  Aurora: %s\n  (rds.force_ssl is dynamic: no reboot.  Find the group with\n"
		       "  aws rds describe-db-instances --query 'DBInstances[].DBParameterGroups')\n",
		       pgtls_server_enforce_get(srv, PGTLS_ENF_RDS_COMMAND),
		       pgtls_server_enforce_get(srv, PGTLS_ENF_AURORA_COMMAND));
	else
	{
		printf("  Put these lines at the very top of %s (the first matching line decides):\n\n",
		       file[0] ? file : "pg_hba.conf (SHOW hba_file; needs pg_read_all_settings)");
		for (int i = 0; i < pgtls_server_enforce_nlines(srv); i++)
			printf("    %s\n", pgtls_server_enforce_line(srv, i));
		printf("\n  then reload as a superuser:\n\n    %s\n", pgtls_server_enforce_get(srv, PGTLS_ENF_RELOAD));
		printf("\n  Unix-socket (local) connections are not affected.\n");
	}
}

/* the same window and filters as pgtls logs; false (said) on a bad value */
static bool
set_filters(pgtls_logscan *scan, const cli_log_filters *lf)
{
	for (int i = 0; scan && i < lf->n; i++)
		if (!cli_log_filter(scan, "server", lf->opt[i], lf->arg[i]))
			return false;
	return true;
}

/* TLS is enforced already: who connected without TLS in the window is rejected now; nothing to change */
static void
print_enforced(const pgtls_logscan *scan)
{
	printf("\nTLS is enforced for every TCP client already: enforcing locks nobody out now.\n");
	if (scan)
		print_clients(scan, PGTLS_ENF_REJECTED,
		              "Connected without TLS in these logs (before it was enforced?  narrow the window with --since):\n"
		              "these clients are rejected now unless they use TLS");
	if (scan)
		print_clients(scan, PGTLS_ENF_ALREADY_FAILING, "Failing (failed handshakes or rejected attempts)");
	printf("\nCheck with  pgtls logs --since \"<the time it was enforced>\" LOG...  that no rejection and no failed\n"
	       "handshake is left.\n");
}

int
cli_what_if_enforced(pgtls_server *srv, char **logs, int nlogs, const cli_common *co, const cli_log_filters *lf)
{
	pgtls_logscan *scan = nlogs ? pgtls_logscan_new() : NULL;
	bool enforced = strcmp(pgtls_server_enforce_get(srv, PGTLS_ENF_METHOD), "enforced") == 0;
	int rc = 0, failed = 0;

	if (nlogs && scan == NULL)
	{
		fprintf(stderr, "pgtls server: out of memory\n");
		return CLI_EXIT_UNKNOWN;
	}
	if (!set_filters(scan, lf))
	{
		pgtls_logscan_free(scan);
		return CLI_EXIT_UNKNOWN;
	}
	for (int i = 0; i < nlogs; i++)
		if (pgtls_logscan_file(scan, logs[i]) != PGTLS_OK)
		{
			fprintf(stderr, "pgtls server: %s\n", pgtls_logscan_errmsg(scan));
			failed++;
		}
	rc = pgtls_enforce_status(srv, scan);
	if (CLI_STATUS_LINE(co))
	{
		int rejected = 0;

		for (int i = 0; scan && i < pgtls_logscan_nclients(scan); i++)
			rejected += pgtls_enforce_effect_of(scan, i) == PGTLS_ENF_REJECTED;
		cli_quiet_line(failed ? CLI_EXIT_UNKNOWN : rc, "enforcing TLS on %s: %s",
		               pgtls_server_get(srv, PGTLS_SV_ADDRESS),
		               enforced       ? "enforced already, nobody is locked out now"
		               : scan == NULL ? "no log given, who would be rejected is not known"
		               : rejected     ? "clients would be rejected (fix them first)"
		                              : "no client seen in the logs would be rejected");
	}
	else if (co->out == CLI_OUT_JSON)
		rc = cli_print_report("server", pgtls_enforce_json(srv, scan, 1), rc);
	else if (enforced)
	{
		printf("What if TLS were enforced on %s\n", pgtls_server_get(srv, PGTLS_SV_ADDRESS));
		if (scan)
			printf("(from %s .. %s)\n", pgtls_logscan_span(scan, 0), pgtls_logscan_span(scan, 1));
		print_enforced(scan);
	}
	else
	{
		printf("What if TLS were enforced on %s\n", pgtls_server_get(srv, PGTLS_SV_ADDRESS));
		if (scan == NULL)
			printf("\nNo log given: the clients that would be locked out are not known.  Give the server logs\n"
			       "(log_connections = on) of a representative period.\n");
		else
		{
			printf("(from %s .. %s)\n", pgtls_logscan_span(scan, 0), pgtls_logscan_span(scan, 1));
			print_clients(scan, PGTLS_ENF_REJECTED, "Would be REJECTED (connect without TLS today): fix these first");
			print_clients(scan, PGTLS_ENF_ALREADY_FAILING, "Failing already (enforcing changes nothing for them)");
		}
		print_change(srv);
		printf("\nOrder: 1. fix the clients above; 2. make the change; 3. check with\n"
		       "  pgtls logs --since \"<the time of the change>\" LOG...\n"
		       "that no plaintext connection and no failed handshake is left.\n");
	}
	pgtls_logscan_free(scan);
	if (fflush(stdout) != 0)
		return CLI_EXIT_UNKNOWN;
	return failed ? CLI_EXIT_UNKNOWN : rc;
}
