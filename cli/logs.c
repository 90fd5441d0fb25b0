/*-------------------------------------------------------------------------
 *
 * logs.c
 *	  `pgtls logs FILE...`: per-client TLS usage from server logs.
 *
 * IDENTIFICATION
 *	  cli/logs.c
 *
 * NOTES
 *	  Exit status: 0 no plaintext connection seen, 1 plaintext connections
 *	  (or rejected plaintext attempts) seen, 3 error.
 *
 *-------------------------------------------------------------------------
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pgtls/pgtls.h>

#include "cli.h"

static void
usage_logs(FILE *f)
{
	fprintf(f, "Usage: pgtls logs [--format auto|stderr|csv|json] [--json|--csv] FILE...\n"
	           "\n"
	           "Reads PostgreSQL server logs (log_connections = on), plain or gzip, in\n"
	           "constant memory, and reports per client (address, user, database,\n"
	           "application_name) how many connections used each TLS version, GSSAPI\n"
	           "encryption or no encryption, how many plaintext attempts pg_hba.conf\n"
	           "rejected, and over what time span.\n"
	           "\n"
	           "Understands PostgreSQL 13-18 \"connection authorized\" lines (SSL and GSS\n"
	           "clauses), any log_line_prefix (the client comes from %%r/%%h or from the\n"
	           "process's \"connection received\" line; the pid from [%%p]), csvlog and\n"
	           "jsonlog.  --format forces the format of every file (default: detected).\n"
	           "\n"
	           "Exit status: 0 no plaintext connection seen, 1 plaintext seen, 3 error.\n");
}

static void
render(FILE *f, const pgtls_logscan *s)
{
	const char *first = pgtls_logscan_span(s, 0), *last = pgtls_logscan_span(s, 1);

	for (int i = 0; i < pgtls_logscan_nfiles(s); i++)
		fprintf(f, "%s: %s%s, %lld bytes, %lld connection records%s%s\n", pgtls_logscan_file_get(s, i, PGTLS_LF_PATH),
		        pgtls_logscan_file_get(s, i, PGTLS_LF_FORMAT),
		        pgtls_logscan_file_count(s, i, PGTLS_LFC_GZIP) ? " (gzip)" : "",
		        (long long)pgtls_logscan_file_count(s, i, PGTLS_LFC_BYTES),
		        (long long)pgtls_logscan_file_count(s, i, PGTLS_LFC_RECORDS),
		        pgtls_logscan_file_get(s, i, PGTLS_LF_ERROR)[0] ? "; NOT READ TO ITS END: " : "",
		        pgtls_logscan_file_get(s, i, PGTLS_LF_ERROR));
	fprintf(f, "span: %s .. %s\n\n", first[0] ? first : "?", last[0] ? last : "?");
	fprintf(f, "%-20s %-14s %-14s %-16s %6s %7s %7s %6s %6s %8s\n", "client", "user", "database", "application",
	        "conns", "TLS1.3", "TLS1.2", "older", "PLAIN", "rejected");
	for (int i = 0; i < pgtls_logscan_nclients(s); i++)
		fprintf(f, "%-20.20s %-14.14s %-14.14s %-16.16s %6lld %7lld %7lld %6lld %6lld %8lld\n",
		        pgtls_logscan_client_get(s, i, PGTLS_LC_HOST), pgtls_logscan_client_get(s, i, PGTLS_LC_USER),
		        pgtls_logscan_client_get(s, i, PGTLS_LC_DATABASE), pgtls_logscan_client_get(s, i, PGTLS_LC_APPLICATION),
		        (long long)pgtls_logscan_client_count(s, i, PGTLS_LCC_CONNECTIONS),
		        (long long)pgtls_logscan_client_count(s, i, PGTLS_LCC_TLS13),
		        (long long)pgtls_logscan_client_count(s, i, PGTLS_LCC_TLS12),
		        (long long)pgtls_logscan_client_count(s, i, PGTLS_LCC_TLS_OLDER),
		        (long long)pgtls_logscan_client_count(s, i, PGTLS_LCC_PLAINTEXT),
		        (long long)(pgtls_logscan_client_count(s, i, PGTLS_LCC_REJECTED_PLAINTEXT) +
		                    pgtls_logscan_client_count(s, i, PGTLS_LCC_REJECTED_ENCRYPTED)));
	fprintf(f, "\ntotal: %lld TLS, %lld plaintext, %lld GSSAPI-encrypted, %lld rejected",
	        (long long)pgtls_logscan_total(s, PGTLS_LT_TLS), (long long)pgtls_logscan_total(s, PGTLS_LT_PLAINTEXT),
	        (long long)pgtls_logscan_total(s, PGTLS_LT_GSS), (long long)pgtls_logscan_total(s, PGTLS_LT_REJECTED));
	if (pgtls_logscan_total(s, PGTLS_LT_OVERLONG_LINES))
		fprintf(f, ", %lld overlong lines skipped", (long long)pgtls_logscan_total(s, PGTLS_LT_OVERLONG_LINES));
	if (pgtls_logscan_total(s, PGTLS_LT_UNTABULATED))
		fprintf(f, ", %lld connections beyond the client table",
		        (long long)pgtls_logscan_total(s, PGTLS_LT_UNTABULATED));
	fprintf(f, "\n");
}

int
cli_cmd_logs(int argc, char **argv)
{
	static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
	                                         {"json", no_argument, NULL, 'j'},
	                                         {"csv", no_argument, NULL, 'c'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	pgtls_logscan *scan;
	bool json = false, csv = false;
	int c, rc, failed = 0;
	char *out = NULL;

	scan = pgtls_logscan_new();
	if (scan == NULL)
	{
		fprintf(stderr, "pgtls logs: out of memory\n");
		return CLI_EXIT_UNKNOWN;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
	{
		switch (c)
		{
			case 'f':
				if (pgtls_logscan_set_format(scan, optarg) != PGTLS_OK)
				{
					fprintf(stderr, "pgtls logs: %s\n", pgtls_logscan_errmsg(scan));
					pgtls_logscan_free(scan);
					return CLI_EXIT_UNKNOWN;
				}
				break;
			case 'j':
				json = true;
				break;
			case 'c':
				csv = true;
				break;
			case 'h':
				usage_logs(stdout);
				pgtls_logscan_free(scan);
				return 0;
			default:
				fprintf(stderr, "Try \"pgtls logs --help\" for more information.\n");
				pgtls_logscan_free(scan);
				return CLI_EXIT_UNKNOWN;
		}
	}
	if (optind >= argc || (json && csv))
	{
		fprintf(stderr, "pgtls logs: %s\n",
		        optind >= argc ? "no log file given" : "--json and --csv exclude each other");
		pgtls_logscan_free(scan);
		return CLI_EXIT_UNKNOWN;
	}
	for (int i = optind; i < argc; i++)
		if (pgtls_logscan_file(scan, argv[i]) != PGTLS_OK)
		{
			/* one bad file does not discard the others: it is said, and the exit status is 3 */
			fprintf(stderr, "pgtls logs: %s\n", pgtls_logscan_errmsg(scan));
			if (pgtls_logscan_errcode(scan) == PGTLS_ERR_OOM)
			{
				pgtls_logscan_free(scan);
				return CLI_EXIT_UNKNOWN;
			}
			failed++;
		}
	if (csv || json)
	{
		out = csv ? pgtls_logscan_csv(scan) : pgtls_logscan_json(scan, 1);
		if (out == NULL)
		{
			fprintf(stderr, "pgtls logs: out of memory\n");
			pgtls_logscan_free(scan);
			return CLI_EXIT_UNKNOWN;
		}
		printf(json ? "%s\n" : "%s", out);
	}
	else
		render(stdout, scan);
	rc = failed ? CLI_EXIT_UNKNOWN : pgtls_logscan_status(scan);
	pgtls_free(out);
	pgtls_logscan_free(scan);
	if (fflush(stdout) != 0)
		return CLI_EXIT_UNKNOWN;
	return rc;
}
