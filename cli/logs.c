/*-------------------------------------------------------------------------
 *
 * logs.c
 *	  `pgtls logs FILE...`: per-client TLS usage from server logs.
 *
 * IDENTIFICATION
 *	  cli/logs.c
 *
 * NOTES
 *	  Exit status: pgtls_logscan_status() (0 clean, 1 plaintext or closes
 *	  without startup, 2 failed handshakes, 3 error).
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
	           "broke after a CA switch) and the client family each alert points to\n"
	           "(unknown_ca: OpenSSL/libpq; certificate_unknown: Java JSSE; a close during\n"
	           "the handshake: Node), connections closed after the handshake without a\n"
	           "startup (a verify-full client rejecting the server's name, or a port\n"
	           "check), and the fallback: plaintext after TLS from the same client, or the\n"
	           "retry of its own failed handshake (sslmode=prefer: the next connection from\n"
	           "its address), with when it started -- or that it cannot tell.\n"
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
	           "                       pgtls, and its plaintext check's database \"pgtls\";\n"
	           "                       left out by default)\n"
	           "  --follow             one plain FILE, a DIRECTORY or a quoted glob 'PATTERN',\n"
	           "                       like tail -F: print a line the first time a client fails\n"
	           "                       a TLS handshake, falls back, connects without TLS, is\n"
	           "                       rejected or closes without a startup; Ctrl-C stops and\n"
	           "                       prints the report.  A FILE is followed across rename and\n"
	           "                       truncation, and a warning says when it stops growing\n"
	           "                       while a newer file beside it grows; a DIRECTORY or\n"
	           "                       PATTERN moves to each new file PostgreSQL starts\n"
	           "                       (log_filename with %%Y-%%m-%%d..., RDS's hourly names).  In\n"
	           "                       a DIRECTORY, the stderr files are followed (--log-format\n"
	           "                       csv or json: the .csv or .json ones); archives are not\n"
	           "  --log-format F       the logs' format: auto (default, per line), stderr,\n"
	           "                       csv or json\n"
	           "  --format F           the output: text (default), json or csv\n"
	           "  --json | --csv       --format json | csv (docs/json-schema.md)\n"
	           "  -q, --quiet          one status line: PGTLS OK|WARNING|CRITICAL|UNKNOWN - ...\n"
	           "  -h, --help           this text\n"
	           "\n"
	           "Exit status: 0 nothing to fix; 1 plaintext connections or attempts, a\n"
	           "fallback, or connections closed without a startup; 2 failed TLS\n"
	           "handshakes, whatever the client's alert (they broke); 3 error (a file\n"
	           "unreadable or without any connection record).\n");
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
	if (pgtls_logscan_total(s, PGTLS_LT_CLOSED_NO_STARTUP))
		fprintf(f, ", %lld closed after the handshake without a startup",
		        (long long)pgtls_logscan_total(s, PGTLS_LT_CLOSED_NO_STARTUP));
	fprintf(f, "\n");
	if (pgtls_logscan_total(s, PGTLS_LT_NOT_FOLLOWED))
		fprintf(f,
		        "not followed: %lld connections received whose outcome the log does not tie to them "
		        "(log_line_prefix without %%p): closes after the handshake among them are not counted\n",
		        (long long)pgtls_logscan_total(s, PGTLS_LT_NOT_FOLLOWED));
	if (pgtls_logscan_total(s, PGTLS_LT_EXCLUDED_OWN) || pgtls_logscan_total(s, PGTLS_LT_EXCLUDED))
		fprintf(f, "left out: %lld pgtls probe sessions, %lld by --exclude-user/--exclude-app/--since/--until\n",
		        (long long)pgtls_logscan_total(s, PGTLS_LT_EXCLUDED_OWN),
		        (long long)pgtls_logscan_total(s, PGTLS_LT_EXCLUDED));
}

/* who sends a failed handshake's alert (the families of pgtls_logscan_client_get PGTLS_LC_CLIENT_FAMILIES) */
const char *
cli_log_family_text(const char *family)
{
	if (strcmp(family, "openssl") == 0)
		return "OpenSSL-based clients that do not trust the CA (libpq: psql, psycopg2; asyncpg)";
	if (strcmp(family, "jsse") == 0)
		return "Java clients (pgjdbc through JSSE) that do not trust the certificate";
	if (strcmp(family, "node") == 0)
		return "Node.js clients (node-postgres) that closed after rejecting the certificate or its name";
	if (strcmp(family, "go") == 0)
		return "Go clients (pgx, lib/pq: crypto/tls) that reject the certificate or its name";
	return "a client family the alert does not tell";
}

/* "openssl=2 jsse=1" -> one line per family */
static void
render_families(FILE *f, const char *fams)
{
	char fam[32];
	long long n;
	int used;

	while (sscanf(fams, " %31[a-z]=%lld%n", fam, &n, &used) == 2)
	{
		fprintf(f, "%24s%lld: %s\n", "", n, cli_log_family_text(fam));
		fams += used;
	}
}

static void
render_notes(FILE *f, const pgtls_logscan *s, int i)
{
	const char *fb = pgtls_logscan_client_get(s, i, PGTLS_LC_FALLBACK_SINCE);
	const char *ev = pgtls_logscan_client_get(s, i, PGTLS_LC_FALLBACK_EVIDENCE);
	const char *fails = pgtls_logscan_client_get(s, i, PGTLS_LC_TLS_FAILURES);
	long long closed = (long long)pgtls_logscan_client_count(s, i, PGTLS_LCC_CLOSED_NO_STARTUP);

	if (fails[0])
	{
		fprintf(f, "%22sfailed TLS handshakes: %s\n", "", fails);
		render_families(f, pgtls_logscan_client_get(s, i, PGTLS_LC_CLIENT_FAMILIES));
	}
	if (closed)
		fprintf(f,
		        "%22sclosed before authentication, nothing else logged: %lld (a verify-full client that rejected "
		        "the server's name or certificate after the handshake, a port check, or a client asked for a "
		        "password it did not have: psql before its prompt, pgtls's own probe)\n",
		        "", closed);
	if (fb[0])
		fprintf(f, "%22sFELL BACK to plaintext since %s (%s)\n", "", fb,
		        strcmp(ev, "after_tls") == 0 ? "it used TLS before"
		                                     : "right after its own failed handshake: the next connection from "
		                                       "its address");
	else if (strcmp(ev, "cannot_tell") == 0)
		fprintf(f,
		        "%22splaintext right after a failed handshake from its address, with other connections in "
		        "between: cannot tell whether it fell back or never asks for TLS\n",
		        "");
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
		render_notes(f, s, i);
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
parse_opts(int argc, char **argv, pgtls_logscan *scan, cli_common *co, bool *follow, const char **log_format)
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
		else if (c == 'f' && (*log_format = optarg, pgtls_logscan_set_format(scan, optarg) != PGTLS_OK))
			return cli_usage_error("logs", "%s", pgtls_logscan_errmsg(scan));
		else if (c != 'f' && (c == '?' || !cli_log_filter(scan, "logs", c, optarg)))
			return c == '?' ? cli_try_help("logs") : CLI_EXIT_UNKNOWN;
	}
	if (optind >= argc)
		return cli_usage_error("logs", "no log file given");
	if (*follow && argc - optind != 1)
		return cli_usage_error("logs", "--follow takes one FILE, DIRECTORY or 'PATTERN'");
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
	const char *log_format = NULL;
	int rc, failed = 0;

	co.file_format = "--log-format";
	if (scan == NULL)
	{
		fprintf(stderr, "pgtls logs: out of memory\n");
		return CLI_EXIT_UNKNOWN;
	}
	rc = parse_opts(argc, argv, scan, &co, &follow, &log_format);
	if (rc != 0)
	{
		pgtls_logscan_free(scan);
		return rc == 1 ? 0 : rc;
	}
	if (follow && cli_logs_follow(scan, argv[optind], log_format) != 0)
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
