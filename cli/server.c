/*-------------------------------------------------------------------------
 *
 * server.c
 *	  `pgtls server CONNINFO`: is TLS enforced?  (--what-if-enforced:
 *	  enforce.c)
 *
 * IDENTIFICATION
 *	  cli/server.c
 *
 *-------------------------------------------------------------------------
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <pgtls/pgtls.h>

#include "cli.h"
#include "loop.h"
#include "opts.h"

/* the library's whole seconds for a connection timeout: at least the milliseconds asked */
static int
timeout_seconds(long ms)
{
	return (int)((ms + 999) / 1000);
}

/* runs `pgtls probe` on the conninfo's TCP endpoint; NULL (with a note) when it cannot */
static pgtls_probe *
probe_target(const char *conninfo, long timeout_ms, char *note, size_t notelen)
{
	pgtls_probe *p = pgtls_probe_new();
	char ms[32];

	note[0] = '\0';
	if (p == NULL)
		return NULL;
	snprintf(ms, sizeof(ms), "%ld", timeout_ms);
	if (pgtls_probe_set_target(p, conninfo) != PGTLS_OK ||
	    pgtls_probe_set_option(p, PGTLS_PROBE_TIMEOUT_MS, ms) != PGTLS_OK || cli_run_probe(p) != PGTLS_OK)
	{
		snprintf(note, notelen, "plaintext probe skipped: %s", pgtls_probe_errmsg(p));
		pgtls_probe_free(p);
		return NULL;
	}
	return p;
}

static void
render_server(const pgtls_server *srv, const char *note)
{
	static const char *const verdicts[] = {"enforced", "not enforced", "not enforced", "unknown"};

	printf("Server %s (PostgreSQL %s), logged in as %s%s\n", pgtls_server_get(srv, PGTLS_SV_ADDRESS),
	       pgtls_server_get(srv, PGTLS_SV_VERSION), pgtls_server_get(srv, PGTLS_SV_USER),
	       pgtls_server_privileged(srv) ? "" : " (without pg_read_all_settings)");
	printf("\nSettings\n");
	for (int i = 0; i < pgtls_server_nsettings(srv); i++)
		printf("  %-28s %s\n", pgtls_server_setting_name(srv, i), pgtls_server_setting_value(srv, i));
	for (int i = 0; i < pgtls_server_nunreadable(srv); i++)
		printf("  %-28s (unreadable with this login)\n", pgtls_server_unreadable(srv, i));
	if (pgtls_server_nrules(srv) >= 0)
	{
		printf("\npg_hba.conf rules (in order)\n");
		for (int i = 0; i < pgtls_server_nrules(srv); i++)
			printf("  %4d  %-50s %s\n", pgtls_server_rule_line(srv, i), pgtls_server_rule_text(srv, i),
			       pgtls_server_rule_allows_plaintext(srv, i) ? "<- lets TCP clients in WITHOUT TLS"
			       : pgtls_server_rule_shadowed(srv, i)       ? "(shadowed by an earlier reject)"
			                                                  : "");
	}
	if (pgtls_server_plaintext_probed(srv))
	{
		const char *msg = pgtls_server_get(srv, PGTLS_SV_PLAINTEXT_MESSAGE);

		printf("\nPlaintext startup probe: %s%s%s\n", pgtls_startup_name(pgtls_server_plaintext(srv)),
		       msg[0] ? ": " : "", msg);
	}
	else if (note[0])
		printf("\n%s\n", note);
	printf("\nTLS for all TCP clients: %s\n", verdicts[pgtls_server_status(srv) & 3]);
	for (int i = 0; i < pgtls_server_nreasons(srv); i++)
		printf("  - %s\n", pgtls_server_reason(srv, i));
}

static void
usage_server(FILE *f)
{
	fprintf(f, "Usage: pgtls server [--json|--format text|json] [-q] [--timeout D] CONNINFO\n"
	           "       pgtls server --what-if-enforced [--json] [-q] CONNINFO [LOG...]\n"
	           "\n"
	           "Logs in with libpq (CONNINFO: conninfo string or postgresql:// URI; the\n"
	           "password comes from PGPASSWORD/.pgpass as for psql), reads ssl,\n"
	           "ssl_min/max_protocol_version, ssl_ciphers, ssl_*_file and rds.force_ssl\n"
	           "(saying which were unreadable without pg_read_all_settings), walks\n"
	           "pg_hba_file_rules in order (superuser) for rules that let TCP clients in\n"
	           "without TLS, sends an unauthenticated plaintext startup (never a password),\n"
	           "and concludes whether TLS is enforced for all TCP clients.\n"
	           "\n"
	           "--what-if-enforced: who would be locked out if TLS were enforced now.\n"
	           "From the server logs LOG... (as pgtls logs reads them): the clients that\n"
	           "connect without TLS today or fall back to it (rejected once enforced),\n"
	           "and those failing already; what each must change first; then the exact\n"
	           "change: the pg_hba.conf lines to put at the top of the file and the\n"
	           "reload, or the RDS/Aurora parameter-group command (rds.force_ssl=1).\n"
	           "\n"
	           "  --since T, --until T, --exclude-user U, --exclude-app A, --include-pgtls\n"
	           "                       the logs' window and filters, as pgtls logs has them\n"
	           "                       (--what-if-enforced)\n"
	           "  --timeout D          each exchange (default 10s; 5, 2.5, 30s, 5m)\n"
	           "  --json, --format F   the report as JSON (docs/json-schema.md) or text\n"
	           "  -q, --quiet          one status line: PGTLS OK|WARNING|CRITICAL|UNKNOWN - ...\n"
	           "\n"
	           "Exit status: 0 enforced, 1 not enforced, 2 no TLS at all (ssl = off),\n"
	           "3 unknown or error.  With --what-if-enforced: 0 no client would be\n"
	           "rejected (or TLS is enforced already), 1 no log given (not known), 2 some\n"
	           "would be rejected, 3 error.\n");
}

/* the options; 0, 1 help printed, or CLI_EXIT_UNKNOWN (said) */
static int
parse_opts(int argc, char **argv, cli_common *co, bool *what_if, cli_log_filters *lf)
{
	static const struct option longopts[] = {
	    {"what-if-enforced", no_argument, NULL, 'W'}, CLI_LOG_FILTER_LONGOPTS, CLI_COMMON_LONGOPTS};
	int c, taken;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1)
	{
		if ((taken = cli_common_opt(co, c, optarg)) < 0)
			return CLI_EXIT_UNKNOWN;
		if (co->help)
		{
			usage_server(stdout);
			return 1;
		}
		if (c == 'W')
			*what_if = true;
		else if (c != 0 && strchr(CLI_LOG_FILTER_LETTERS, c) && !taken)
		{
			if (lf->n >= (int)(sizeof(lf->opt) / sizeof(lf->opt[0])))
				return cli_usage_error("server", "at most 32 log filters");
			lf->opt[lf->n] = c;
			lf->arg[lf->n++] = optarg;
		}
		else if (!taken)
			return cli_try_help("server");
	}
	if (lf->n > 0 && !*what_if)
		return cli_usage_error("server", "--since, --until, --exclude-user, --exclude-app and --include-pgtls are for "
		                                 "--what-if-enforced (the logs' window)");
	if (*what_if ? optind >= argc : optind != argc - 1)
		return cli_usage_error("server", "expected one CONNINFO%s", *what_if ? " (then the log files)" : "");
	return 0;
}

int
cli_cmd_server(int argc, char **argv)
{
	cli_common co = CLI_COMMON_INIT("server", CLI_OFFERS_TIMEOUT);
	bool what_if = false;
	cli_log_filters lf = {0};
	int rc = parse_opts(argc, argv, &co, &what_if, &lf);
	char note[1200];
	pgtls_probe *probe;
	pgtls_server *srv;

	if (rc != 0)
		return rc == 1 ? 0 : rc;
	probe = probe_target(argv[optind], co.timeout_ms, note, sizeof(note));
	srv = pgtls_server_new();
	if (srv == NULL || pgtls_server_check(srv, argv[optind], probe, timeout_seconds(co.timeout_ms)) != PGTLS_OK)
	{
		fprintf(stderr, "pgtls server: %s\n", srv ? pgtls_server_errmsg(srv) : "out of memory");
		pgtls_probe_free(probe);
		pgtls_server_free(srv);
		return CLI_EXIT_UNKNOWN;
	}
	pgtls_probe_free(probe);
	if (what_if)
		rc = cli_what_if_enforced(srv, argv + optind + 1, argc - optind - 1, &co, &lf);
	else
	{
		rc = pgtls_server_status(srv);
		if (CLI_STATUS_LINE(&co))
			cli_quiet_line(rc, "%s: TLS %s%s%s", pgtls_server_get(srv, PGTLS_SV_ADDRESS),
			               rc == 0   ? "enforced for all TCP clients"
			               : rc == 3 ? "enforcement unknown"
			                         : "not enforced",
			               pgtls_server_nreasons(srv) ? ": " : "",
			               pgtls_server_nreasons(srv) ? pgtls_server_reason(srv, 0) : "");
		else if (co.out == CLI_OUT_JSON)
			rc = cli_print_report("server", pgtls_server_json(srv, 1), rc);
		else
			render_server(srv, note);
	}
	pgtls_server_free(srv);
	if (fflush(stdout) != 0)
		return CLI_EXIT_UNKNOWN;
	return rc;
}
