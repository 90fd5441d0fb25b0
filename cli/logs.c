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

#include <jansson.h>
#include <pgtls/pgtls.h>

#include "cli.h"
#include "report.h"

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

static long long
ji(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void
render(FILE *f, const char *json)
{
	json_error_t je;
	json_t *r = json_loads(json, 0, &je);
	json_t *c, *t;
	size_t i;

	if (r == NULL)
		return;
	json_array_foreach(json_object_get(r, "files"), i, c)
	    fprintf(f, "%s: %s%s, %lld bytes, %lld connection records\n", cli_jstr(c, "path"), cli_jstr(c, "format"),
	            json_is_true(json_object_get(c, "gzip")) ? " (gzip)" : "", ji(c, "bytes"), ji(c, "records_matched"));
	t = json_object_get(r, "span");
	fprintf(f, "span: %s .. %s\n\n", json_is_string(json_object_get(t, "first")) ? cli_jstr(t, "first") : "?",
	        json_is_string(json_object_get(t, "last")) ? cli_jstr(t, "last") : "?");
	fprintf(f, "%-20s %-14s %-14s %-16s %6s %7s %7s %6s %6s %8s\n", "client", "user", "database", "application",
	        "conns", "TLS1.3", "TLS1.2", "older", "PLAIN", "rejected");
	json_array_foreach(json_object_get(r, "clients"), i, c)
	{
		json_t *tls = json_object_get(c, "tls");
		long long older = ji(tls, "TLSv1.1") + ji(tls, "TLSv1") + ji(tls, "other");

		fprintf(f, "%-20.20s %-14.14s %-14.14s %-16.16s %6lld %7lld %7lld %6lld %6lld %8lld\n", cli_jstr(c, "host"),
		        cli_jstr(c, "user"), cli_jstr(c, "database"), cli_jstr(c, "application_name"), ji(c, "connections"),
		        ji(tls, "TLSv1.3"), ji(tls, "TLSv1.2"), older, ji(c, "plaintext"),
		        ji(c, "rejected_plaintext") + ji(c, "rejected_encrypted"));
	}
	t = json_object_get(r, "totals");
	fprintf(f, "\ntotal: %lld TLS, %lld plaintext, %lld GSSAPI-encrypted, %lld rejected", ji(t, "tls"),
	        ji(t, "plaintext"), ji(t, "gss_encrypted"), ji(t, "rejected"));
	if (ji(t, "overlong_lines_skipped"))
		fprintf(f, ", %lld overlong lines skipped", ji(t, "overlong_lines_skipped"));
	if (ji(t, "untabulated_connections"))
		fprintf(f, ", %lld connections beyond the client table", ji(t, "untabulated_connections"));
	fprintf(f, "\n");
	json_decref(r);
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
	int c, rc;
	char *out;

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
			fprintf(stderr, "pgtls logs: %s\n", pgtls_logscan_errmsg(scan));
			pgtls_logscan_free(scan);
			return CLI_EXIT_UNKNOWN;
		}
	out = csv ? pgtls_logscan_csv(scan) : pgtls_logscan_json(scan, 1);
	if (out == NULL)
	{
		fprintf(stderr, "pgtls logs: out of memory\n");
		pgtls_logscan_free(scan);
		return CLI_EXIT_UNKNOWN;
	}
	if (json)
		printf("%s\n", out);
	else if (csv)
		fputs(out, stdout);
	else
		render(stdout, out);
	rc = pgtls_logscan_status(scan);
	pgtls_free(out);
	pgtls_logscan_free(scan);
	if (fflush(stdout) != 0)
		return CLI_EXIT_UNKNOWN;
	return rc;
}
