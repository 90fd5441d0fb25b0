/*-------------------------------------------------------------------------
 *
 * connections.c
 *	  `pgtls connections CONNINFO`: who connects with and without TLS,
 *	  sampled over time (pg_stat_ssl joined with pg_stat_activity).
 *
 * IDENTIFICATION
 *	  cli/connections.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pgtls/pgtls.h>

#include "cli.h"
#include "opts.h"

/* what `pgtls connections` was asked */
typedef struct conn_opts
{
	cli_common co;
	double watch;    /* seconds; 0: one sample */
	double interval; /* seconds between samples */
} conn_opts;

static void
sleep_s(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - floor(s)) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void
render_inventory(const pgtls_inventory *inv)
{
	int samples = pgtls_inventory_samples(inv);

	printf("%d sample%s, %s .. %s\n\n", samples, samples == 1 ? "" : "s", pgtls_inventory_span(inv, 0),
	       pgtls_inventory_span(inv, 1));
	printf("%-16s %-12s %-12s %-16s %-8s %-24s %5s  %s\n", "client", "user", "database", "application", "TLS", "cipher",
	       "sess", "first seen .. last seen");
	for (int i = 0; i < pgtls_inventory_ngroups(inv); i++)
		printf("%-16.16s %-12.12s %-12.12s %-16.16s %-8s %-24.24s %5d  %.19s .. %.19s\n",
		       pgtls_inventory_group_get(inv, i, PGTLS_IV_CLIENT_ADDR),
		       pgtls_inventory_group_get(inv, i, PGTLS_IV_USER), pgtls_inventory_group_get(inv, i, PGTLS_IV_DATABASE),
		       pgtls_inventory_group_get(inv, i, PGTLS_IV_APPLICATION),
		       pgtls_inventory_group_tls(inv, i) ? pgtls_inventory_group_get(inv, i, PGTLS_IV_TLS_VERSION) : "NONE",
		       pgtls_inventory_group_get(inv, i, PGTLS_IV_CIPHER), pgtls_inventory_group_sessions(inv, i),
		       pgtls_inventory_group_get(inv, i, PGTLS_IV_FIRST_SEEN),
		       pgtls_inventory_group_get(inv, i, PGTLS_IV_LAST_SEEN));
	if (pgtls_inventory_hidden(inv))
		printf("\nnote: %d session(s) of other users hidden: grant pg_read_all_stats\n", pgtls_inventory_hidden(inv));
}

/* What sampling cannot see, said every time; a verdict only from what was seen. */
static void
render_caveat(FILE *f, const pgtls_inventory *inv, double interval, bool watched)
{
	int tcp = pgtls_inventory_tcp_sessions(inv), plain = pgtls_inventory_tcp_without_tls(inv);

	fprintf(f, "\n%d session%s seen besides pgtls's own, %d over TCP, %d of them without TLS.\n",
	        pgtls_inventory_sessions(inv), pgtls_inventory_sessions(inv) == 1 ? "" : "s", tcp, plain);
	if (tcp == 0)
		fprintf(f, "No TCP session was seen: nothing here shows that clients use TLS.\n");
	if (watched)
		fprintf(f, "Sampling every %gs sees only sessions alive at a sample: ", interval);
	else
		fprintf(f, "One sample sees only the sessions alive at that instant: ");
	fprintf(f, "shorter ones (cron jobs, health\n"
	           "checks, serverless functions) are missed.  \"pgtls logs\" on the server's logs (log_connections = on)\n"
	           "counts every connection, failed TLS handshakes and plaintext fallbacks included.\n");
}

static void
usage_connections(FILE *f)
{
	fprintf(f, "Usage: pgtls connections [--watch DURATION] [--interval D] [--exclude-user U]...\n"
	           "                         [--json|--csv|--format F] [-q] [--timeout D] CONNINFO\n"
	           "\n"
	           "Lists client sessions with and without TLS (pg_stat_ssl joined with\n"
	           "pg_stat_activity), grouped by client address, user, database and\n"
	           "application_name, with TLS version, cipher, and first/last seen.\n"
	           "--watch samples every --interval (default 1s) for DURATION (30s, 5m, 1h),\n"
	           "so clients that connect and leave between two looks are still caught;\n"
	           "progress goes to stderr.  Sessions of other users need pg_read_all_stats.\n"
	           "\n"
	           "Sampling sees only sessions alive at a sample: shorter ones are missed;\n"
	           "\"pgtls logs\" on the server logs counts every connection.\n"
	           "\n"
	           "  --format F           text (default), json or csv (--json, --csv)\n"
	           "  -q, --quiet          one status line: PGTLS OK|WARNING|CRITICAL|UNKNOWN - ...\n"
	           "  --timeout D          each query (default 10s)\n"
	           "\n"
	           "Exit status: 0 TCP sessions were seen and every one used TLS; 1 some did\n"
	           "not, none was seen, sessions were hidden or samples failed; 3 error.\n");
}

/* one option of the command's own into O (INV: --exclude-user); false (said) on a bad value */
static bool
take_opt(conn_opts *o, pgtls_inventory *inv, int c, const char *arg)
{
	long ms;

	switch (c)
	{
		case 'w':
			if (cli_duration_ms(arg, 1, 30L * 86400 * 1000, &ms))
			{
				o->watch = ms / 1000.0;
				return true;
			}
			return cli_usage_error("connections", "invalid --watch \"%s\": expected a duration like 30s, 5m, 1h",
			                       arg) == 0;
		case 'i':
			if (cli_duration_ms(arg, 50, 30L * 86400 * 1000, &ms))
			{
				o->interval = ms / 1000.0;
				return true;
			}
			return cli_usage_error("connections", "invalid --interval \"%s\": at least 0.05 seconds", arg) == 0;
		case 'x':
			if (pgtls_inventory_exclude_user(inv, arg) == PGTLS_OK)
				return true;
			fprintf(stderr, "pgtls connections: %s\n", pgtls_inventory_errmsg(inv));
			return false;
		default:
			cli_try_help("connections");
			return false;
	}
}

/* the options; 0, 1 help printed, or CLI_EXIT_UNKNOWN (said) */
static int
parse_opts(int argc, char **argv, conn_opts *o, pgtls_inventory *inv)
{
	static const struct option longopts[] = {{"watch", required_argument, NULL, 'w'},
	                                         {"interval", required_argument, NULL, 'i'},
	                                         {"exclude-user", required_argument, NULL, 'x'},
	                                         CLI_COMMON_LONGOPTS};
	int c, taken;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1)
	{
		if ((taken = cli_common_opt(&o->co, c, optarg)) < 0)
			return CLI_EXIT_UNKNOWN;
		if (o->co.help)
		{
			usage_connections(stdout);
			return 1;
		}
		if (!taken && !take_opt(o, inv, c, optarg))
			return CLI_EXIT_UNKNOWN;
	}
	if (optind != argc - 1)
		return cli_usage_error("connections", "expected one CONNINFO");
	return 0;
}

/* samples every O->interval for O->watch seconds, progress on stderr */
static void
watch(pgtls_inventory *inv, const conn_opts *o)
{
	struct timespec t0, now;
	double el = 0, last_report = 0;
	int samples = 1, failed = 0;
	bool tty = isatty(STDERR_FILENO);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;)
	{
		clock_gettime(CLOCK_MONOTONIC, &now);
		el = (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
		if (el + o->interval > o->watch)
			break;
		sleep_s(o->interval);
		if (pgtls_inventory_sample(inv) != PGTLS_OK)
		{
			/* a restart or failover: keep what was seen, say so, and reconnect at the next sample */
			failed++;
			fprintf(stderr, "%spgtls connections: sample failed (kept %d earlier samples; retrying): %s\n",
			        tty ? "\n" : "", samples, pgtls_inventory_errmsg(inv));
			continue;
		}
		samples++;
		if (tty || el - last_report >= 5)
		{
			fprintf(stderr, "%swatching: %d samples, %d sessions seen, %.0fs left%s", tty ? "\r" : "", samples,
			        pgtls_inventory_sessions(inv), o->watch - el > 0 ? o->watch - el : 0, tty ? "   " : "\n");
			last_report = el;
		}
	}
	fprintf(stderr, "%swatched %.1fs: %d samples, %d sessions seen%s\n", tty ? "\r" : "", el, samples,
	        pgtls_inventory_sessions(inv), failed ? " (some samples failed: sessions in those gaps were missed)" : "");
}

/* the report as O asks; RC the exit status, or CLI_EXIT_UNKNOWN when it could not be made */
static int
report(const pgtls_inventory *inv, const conn_opts *o, int rc)
{
	char *out;

	if (CLI_STATUS_LINE(&o->co))
		cli_quiet_line(rc, "%d sessions in %d samples, %d over TCP, %d of them without TLS%s%s",
		               pgtls_inventory_sessions(inv), pgtls_inventory_samples(inv), pgtls_inventory_tcp_sessions(inv),
		               pgtls_inventory_tcp_without_tls(inv), pgtls_inventory_hidden(inv) ? ", sessions hidden" : "",
		               pgtls_inventory_failed_samples(inv) ? ", samples failed" : "");
	else if (o->co.out == CLI_OUT_TEXT)
	{
		render_inventory(inv);
		render_caveat(stdout, inv, o->interval, o->watch > 0);
	}
	else
	{
		out = o->co.out == CLI_OUT_CSV ? pgtls_inventory_csv(inv) : pgtls_inventory_json(inv, 1);
		if (out == NULL)
		{
			fprintf(stderr, "pgtls connections: out of memory\n");
			return CLI_EXIT_UNKNOWN;
		}
		printf(o->co.out == CLI_OUT_JSON ? "%s\n" : "%s", out);
		pgtls_free(out);
	}
	return rc;
}

int
cli_cmd_connections(int argc, char **argv)
{
	conn_opts o = {CLI_COMMON_INIT("connections", CLI_OFFERS_CSV | CLI_OFFERS_TIMEOUT), 0, 1};
	pgtls_inventory *inv = pgtls_inventory_new();
	int rc;

	if (inv == NULL)
	{
		fprintf(stderr, "pgtls connections: out of memory\n");
		return CLI_EXIT_UNKNOWN;
	}
	rc = parse_opts(argc, argv, &o, inv);
	if (rc == 0 && (pgtls_inventory_connect(inv, argv[optind], (int)((o.co.timeout_ms + 999) / 1000)) != PGTLS_OK ||
	                pgtls_inventory_sample(inv) != PGTLS_OK))
	{
		fprintf(stderr, "pgtls connections: %s\n", pgtls_inventory_errmsg(inv));
		rc = CLI_EXIT_UNKNOWN;
	}
	else if (rc == 0)
	{
		if (o.watch > 0)
			watch(inv, &o);
		/*
		 * hidden sessions may be plaintext ones, and no TCP session at all proves
		 * nothing: never exit 0 claiming every TCP session used TLS
		 */
		rc = report(inv, &o, pgtls_inventory_status(inv));
	}
	pgtls_inventory_free(inv);
	if (fflush(stdout) != 0)
		return CLI_EXIT_UNKNOWN;
	return rc == 1 && o.co.help ? 0 : rc;
}
