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
	fprintf(f, "Usage: pgtls logs [OPTIONS] FILE...\n"
	           "\n"
	           "Reads PostgreSQL server logs (log_connections = on) in constant memory --\n"
	           "plain, gzip, bzip2, xz, zstd or lz4, a pipe too -- and reports per client\n"
	           "(address, user, database, application_name): connections by TLS version,\n"
	           "GSSAPI encryption or none, Unix-socket sessions (TLS does not apply),\n"
	           "plaintext attempts pg_hba.conf rejected, failed TLS handshakes by reason\n"
	           "(unknown CA, certificate unknown, protocol version, ...: the clients that\n"
	           "broke after a CA switch), and the fallback signature: plaintext after TLS,\n"
	           "or after a failed handshake from that address (sslmode=prefer), with when\n"
	           "it started.\n"
	           "\n"
	           "Formats: stderr with any log_line_prefix (the client from %%r/%%h or the\n"
	           "process's \"connection received\" line), csvlog, jsonlog, and the JSON\n"
	           "wrappers of CloudNativePG ({\"record\": ...}) and Cloud SQL exports\n"
	           "({\"textPayload\": ...}).  A file with no connection record at all (not a\n"
	           "PostgreSQL log, unknown format, log_connections off) is an error, never an\n"
	           "all-clear.\n"
	           "\n"
	           "Options:\n"
	           "  --since TIME         leave out records before TIME (YYYY-MM-DD[ HH[:MM[:SS]]],\n"
	           "                       in the log's own time zone); compare before/after a switch\n"
	           "  --until TIME         leave out records from TIME on\n"
	           "  --exclude-user NAME  leave out this user's sessions (repeatable), e.g.\n"
	           "                       cloudsqladmin, rdsadmin, azure_superuser\n"
	           "  --exclude-app NAME   leave out this application_name (repeatable)\n"
	           "  --include-pgtls      count pgtls's own probe sessions (application_name\n"
	           "                       pgtls; left out by default)\n"
	           "  --follow             one plain FILE, like tail -F (survives rotation): print a\n"
	           "                       line the first time a client fails a TLS handshake, falls\n"
	           "                       back, connects without TLS or is rejected; Ctrl-C stops\n"
	           "                       and prints the report\n"
	           "  --log-format F       the logs' format: auto (default, per line), stderr,\n"
	           "                       csv or json\n"
	           "  --format F           the output: text (default), json or csv\n"
	           "  --json | --csv       --format json | csv (docs/json-schema.md)\n"
	           "  -q, --quiet          one status line: PGTLS OK|WARNING|CRITICAL|UNKNOWN - ...\n"
	           "  -h, --help           this text\n"
	           "\n"
	           "Exit status: 0 nothing to fix; 1 plaintext connections or attempts, a\n"
	           "fallback, or failed handshakes; 2 clients that fail the server's\n"
	           "certificate (they broke); 3 error (a file unreadable or without any\n"
	           "connection record).\n");
}

static void
render_files(FILE *f, const pgtls_logscan *s)
{
	for (int i = 0; i < pgtls_logscan_nfiles(s); i++)
	{
		const char *comp = pgtls_logscan_file_get(s, i, PGTLS_LF_COMPRESSION);
		const char *err = pgtls_logscan_file_get(s, i, PGTLS_LF_ERROR);

		fprintf(f, "%s: %s%s%s%s, %lld bytes, %lld connection records%s%s\n",
		        pgtls_logscan_file_get(s, i, PGTLS_LF_PATH), pgtls_logscan_file_get(s, i, PGTLS_LF_FORMAT),
		        comp[0] ? " (" : "", comp, comp[0] ? ")" : "",
		        (long long)pgtls_logscan_file_count(s, i, PGTLS_LFC_BYTES),
		        (long long)pgtls_logscan_file_count(s, i, PGTLS_LFC_RECORDS), err[0] ? "; ERROR: " : "", err);
	}
}

static void
render_totals(FILE *f, const pgtls_logscan *s)
{
	fprintf(f,
	        "\ntotal: %lld TLS, %lld plaintext, %lld GSSAPI-encrypted, %lld Unix-socket, %lld rejected, %lld failed "
	        "TLS handshakes, %lld clients fell back to plaintext",
	        (long long)pgtls_logscan_total(s, PGTLS_LT_TLS), (long long)pgtls_logscan_total(s, PGTLS_LT_PLAINTEXT),
	        (long long)pgtls_logscan_total(s, PGTLS_LT_GSS), (long long)pgtls_logscan_total(s, PGTLS_LT_LOCAL),
	        (long long)pgtls_logscan_total(s, PGTLS_LT_REJECTED),
	        (long long)pgtls_logscan_total(s, PGTLS_LT_TLS_FAILED),
	        (long long)pgtls_logscan_total(s, PGTLS_LT_FALLBACKS));
	if (pgtls_logscan_total(s, PGTLS_LT_OVERLONG_LINES))
		fprintf(f, ", %lld overlong lines skipped", (long long)pgtls_logscan_total(s, PGTLS_LT_OVERLONG_LINES));
	if (pgtls_logscan_total(s, PGTLS_LT_UNTABULATED))
		fprintf(f, ", %lld connections beyond the client table",
		        (long long)pgtls_logscan_total(s, PGTLS_LT_UNTABULATED));
	fprintf(f, "\n");
	if (pgtls_logscan_total(s, PGTLS_LT_EXCLUDED_OWN) || pgtls_logscan_total(s, PGTLS_LT_EXCLUDED))
		fprintf(f, "left out: %lld pgtls probe sessions, %lld by --exclude-user/--exclude-app/--since/--until\n",
		        (long long)pgtls_logscan_total(s, PGTLS_LT_EXCLUDED_OWN),
		        (long long)pgtls_logscan_total(s, PGTLS_LT_EXCLUDED));
}

static void
render(FILE *f, const pgtls_logscan *s)
{
	const char *first = pgtls_logscan_span(s, 0), *last = pgtls_logscan_span(s, 1);

	render_files(f, s);
	fprintf(f, "span: %s .. %s\n\n", first[0] ? first : "?", last[0] ? last : "?");
	fprintf(f, "%-20s %-14s %-14s %-16s %6s %7s %7s %6s %6s %6s %8s %6s\n", "client", "user", "database", "application",
	        "conns", "TLS1.3", "TLS1.2", "older", "PLAIN", "local", "rejected", "FAILED");
	for (int i = 0; i < pgtls_logscan_nclients(s); i++)
	{
		const char *fb = pgtls_logscan_client_get(s, i, PGTLS_LC_FALLBACK_SINCE);
		const char *fails = pgtls_logscan_client_get(s, i, PGTLS_LC_TLS_FAILURES);
		const char *user = pgtls_logscan_client_get(s, i, PGTLS_LC_USER);

		fprintf(f, "%-20.20s %-14.14s %-14.14s %-16.16s %6lld %7lld %7lld %6lld %6lld %6lld %8lld %6lld\n",
		        pgtls_logscan_client_get(s, i, PGTLS_LC_HOST), user[0] ? user : "(handshake)",
		        pgtls_logscan_client_get(s, i, PGTLS_LC_DATABASE), pgtls_logscan_client_get(s, i, PGTLS_LC_APPLICATION),
		        (long long)pgtls_logscan_client_count(s, i, PGTLS_LCC_CONNECTIONS),
		        (long long)pgtls_logscan_client_count(s, i, PGTLS_LCC_TLS13),
		        (long long)pgtls_logscan_client_count(s, i, PGTLS_LCC_TLS12),
		        (long long)pgtls_logscan_client_count(s, i, PGTLS_LCC_TLS_OLDER),
		        (long long)pgtls_logscan_client_count(s, i, PGTLS_LCC_PLAINTEXT),
		        (long long)pgtls_logscan_client_count(s, i, PGTLS_LCC_LOCAL),
		        (long long)(pgtls_logscan_client_count(s, i, PGTLS_LCC_REJECTED_PLAINTEXT) +
		                    pgtls_logscan_client_count(s, i, PGTLS_LCC_REJECTED_ENCRYPTED)),
		        (long long)pgtls_logscan_client_count(s, i, PGTLS_LCC_TLS_FAILED));
		if (fails[0])
			fprintf(f, "%22sfailed TLS handshakes: %s\n", "", fails);
		if (fb[0])
			fprintf(f, "%22sFELL BACK to plaintext since %s (TLS before, or a failed handshake from this address)\n",
			        "", fb);
	}
	render_totals(f, s);
}

/* the options that filter records, by their long names */
bool
cli_log_filter(pgtls_logscan *scan, const char *cmd, int c, const char *arg)
{
	pgtls_log_opt opt = c == 'S'   ? PGTLS_LOGOPT_SINCE
	                    : c == 'U' ? PGTLS_LOGOPT_UNTIL
	                    : c == 'u' ? PGTLS_LOGOPT_EXCLUDE_USER
	                    : c == 'a' ? PGTLS_LOGOPT_EXCLUDE_APP
	                               : PGTLS_LOGOPT_INCLUDE_OWN;

	if (pgtls_logscan_set_option(scan, opt, c == 'P' ? "1" : arg) == PGTLS_OK)
		return true;
	fprintf(stderr, "pgtls %s: %s\n", cmd, pgtls_logscan_errmsg(scan));
	return false;
}

/* the options of `pgtls logs` into SCAN, CO and *FOLLOW; 0, 1 help printed, or CLI_EXIT_UNKNOWN (said) */
static int
parse_opts(int argc, char **argv, pgtls_logscan *scan, cli_common *co, bool *follow)
{
	static const struct option longopts[] = {{"log-format", required_argument, NULL, 'f'},
	                                         CLI_LOG_FILTER_LONGOPTS,
	                                         {"follow", no_argument, NULL, 'F'},
	                                         CLI_COMMON_LONGOPTS};
	int c, taken;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1)
	{
		if ((taken = cli_common_opt(co, c, optarg)) != 0)
		{
			if (taken < 0)
				return CLI_EXIT_UNKNOWN;
			if (co->help)
			{
				usage_logs(stdout);
				return 1;
			}
			continue;
		}
		if (c == 'F')
			*follow = true;
		else if (c == 'f' && pgtls_logscan_set_format(scan, optarg) != PGTLS_OK)
			return cli_usage_error("logs", "%s", pgtls_logscan_errmsg(scan));
		else if (c != 'f' && (c == '?' || !cli_log_filter(scan, "logs", c, optarg)))
			return c == '?' ? cli_try_help("logs") : CLI_EXIT_UNKNOWN;
	}
	if (optind >= argc)
		return cli_usage_error("logs", "no log file given");
	if (*follow && argc - optind != 1)
		return cli_usage_error("logs", "--follow takes one FILE");
	return 0;
}

/* -q: the one status line */
static void
quiet_line(const pgtls_logscan *s, int rc)
{
	cli_quiet_line(rc,
	               "%lld connections in %d files: %lld with TLS, %lld plaintext, %lld failed handshakes, %lld "
	               "fallbacks",
	               (long long)(pgtls_logscan_total(s, PGTLS_LT_TLS) + pgtls_logscan_total(s, PGTLS_LT_PLAINTEXT) +
	                           pgtls_logscan_total(s, PGTLS_LT_GSS)),
	               pgtls_logscan_nfiles(s), (long long)pgtls_logscan_total(s, PGTLS_LT_TLS),
	               (long long)pgtls_logscan_total(s, PGTLS_LT_PLAINTEXT),
	               (long long)pgtls_logscan_total(s, PGTLS_LT_TLS_FAILED),
	               (long long)pgtls_logscan_total(s, PGTLS_LT_FALLBACKS));
}

/* the report of SCAN as CO asks; RC the exit status; CLI_EXIT_UNKNOWN when it could not be written */
static int
report(const pgtls_logscan *scan, const cli_common *co, int rc)
{
	char *out;

	if (CLI_STATUS_LINE(co))
		quiet_line(scan, rc);
	else if (co->out == CLI_OUT_TEXT)
		render(stdout, scan);
	else
	{
		out = co->out == CLI_OUT_CSV ? pgtls_logscan_csv(scan) : pgtls_logscan_json(scan, 1);
		if (out == NULL)
		{
			fprintf(stderr, "pgtls logs: out of memory\n");
			return CLI_EXIT_UNKNOWN;
		}
		printf(co->out == CLI_OUT_JSON ? "%s\n" : "%s", out);
		pgtls_free(out);
	}
	return fflush(stdout) != 0 ? CLI_EXIT_UNKNOWN : rc;
}

int
cli_cmd_logs(int argc, char **argv)
{
	cli_common co = CLI_COMMON_INIT("logs", CLI_OFFERS_CSV);
	pgtls_logscan *scan = pgtls_logscan_new();
	bool follow = false;
	int rc, failed = 0;

	co.file_format = "--log-format";
	if (scan == NULL)
	{
		fprintf(stderr, "pgtls logs: out of memory\n");
		return CLI_EXIT_UNKNOWN;
	}
	rc = parse_opts(argc, argv, scan, &co, &follow);
	if (rc != 0)
	{
		pgtls_logscan_free(scan);
		return rc == 1 ? 0 : rc;
	}
	if (follow && cli_logs_follow(scan, argv[optind]) != 0)
		failed++;
	for (int i = optind; !follow && i < argc; i++)
		if (pgtls_logscan_file(scan, argv[i]) != PGTLS_OK)
		{
			/* one bad file does not discard the others: it is said, listed, and the exit status is 3 */
			fprintf(stderr, "pgtls logs: %s\n", pgtls_logscan_errmsg(scan));
			if (pgtls_logscan_errcode(scan) == PGTLS_ERR_OOM)
			{
				pgtls_logscan_free(scan);
				return CLI_EXIT_UNKNOWN;
			}
			failed++;
		}
	/* nothing read at all (every file missing or unreadable): the errors said are the whole answer, no empty table */
	if (!follow && failed == argc - optind && co.out == CLI_OUT_TEXT && !CLI_STATUS_LINE(&co) &&
	    pgtls_logscan_total(scan, PGTLS_LT_BYTES) == 0)
		rc = CLI_EXIT_UNKNOWN;
	else
		rc = report(scan, &co, failed ? CLI_EXIT_UNKNOWN : pgtls_logscan_status(scan));
	pgtls_logscan_free(scan);
	return rc;
}
