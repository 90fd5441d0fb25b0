/*-------------------------------------------------------------------------
 *
 * server.c
 *	  `pgtls server CONNINFO` (is TLS enforced?) and `pgtls connections
 *	  CONNINFO` (who connects with and without TLS, sampled over time).
 *
 * IDENTIFICATION
 *	  cli/server.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

int
cli_cmd_server(int argc, char **argv)
{
	static const struct option longopts[] = {{"json", no_argument, NULL, 'j'},
	                                         {"timeout", required_argument, NULL, 't'},
	                                         {"what-if-enforced", no_argument, NULL, 'W'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	bool json = false, what_if = false;
	long timeout_ms = 10000;
	int c, rc;
	char note[1200];
	pgtls_probe *probe;
	char *out = NULL;
	pgtls_server *srv;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
	{
		switch (c)
		{
			case 'j':
				json = true;
				break;
			case 'W':
				what_if = true;
				break;
			case 't':
				if (!cli_duration_ms(optarg, 1, 3600L * 1000, &timeout_ms))
				{
					fprintf(stderr,
					        "pgtls server: invalid --timeout \"%s\": expected a duration up to 1h (5, 2.5, "
					        "30s, 5m)\n",
					        optarg);
					return CLI_EXIT_UNKNOWN;
				}
				break;
			case 'h':
				printf("Usage: pgtls server [--json] [--timeout S] CONNINFO\n"
				       "       pgtls server --what-if-enforced [--json] CONNINFO [LOG...]\n"
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
				       "Exit status: 0 enforced, 1 not enforced, 2 no TLS at all (ssl = off),\n"
				       "3 unknown or error.  With --what-if-enforced: 0 no client would be\n"
				       "rejected, 1 some would, 3 error.\n");
				return 0;
			default:
				fprintf(stderr, "Try \"pgtls server --help\" for more information.\n");
				return CLI_EXIT_UNKNOWN;
		}
	}
	if (what_if ? optind >= argc : optind != argc - 1)
	{
		fprintf(stderr, "pgtls server: expected one CONNINFO%s\n", what_if ? " (then the log files)" : "");
		return CLI_EXIT_UNKNOWN;
	}
	probe = probe_target(argv[optind], timeout_ms, note, sizeof(note));
	srv = pgtls_server_new();
	if (srv == NULL || pgtls_server_check(srv, argv[optind], probe, timeout_seconds(timeout_ms)) != PGTLS_OK)
	{
		fprintf(stderr, "pgtls server: %s\n", srv ? pgtls_server_errmsg(srv) : "out of memory");
		pgtls_probe_free(probe);
		pgtls_server_free(srv);
		return CLI_EXIT_UNKNOWN;
	}
	pgtls_probe_free(probe);
	if (what_if)
	{
		rc = cli_what_if_enforced(srv, argv + optind + 1, argc - optind - 1, json);
		pgtls_server_free(srv);
		return rc;
	}
	rc = pgtls_server_status(srv);
	if (json)
	{
		out = pgtls_server_json(srv, 1);
		if (out == NULL)
			rc = CLI_EXIT_UNKNOWN;
		else
			printf("%s\n", out);
	}
	else
		render_server(srv, note);
	pgtls_free(out);
	pgtls_server_free(srv);
	if (fflush(stdout) != 0)
		return CLI_EXIT_UNKNOWN;
	return rc;
}

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

/* TCP sessions seen (pgtls's own is never listed) */
static int
tcp_sessions(const pgtls_inventory *inv)
{
	int n = 0;

	for (int i = 0; i < pgtls_inventory_ngroups(inv); i++)
	{
		const char *addr = pgtls_inventory_group_get(inv, i, PGTLS_IV_CLIENT_ADDR);

		if (addr[0] && strcmp(addr, "[local]") != 0)
			n += pgtls_inventory_group_sessions(inv, i);
	}
	return n;
}

/* What sampling cannot see, said every time; a verdict only from what was seen. */
static void
render_caveat(FILE *f, const pgtls_inventory *inv, double interval, bool watched)
{
	int tcp = tcp_sessions(inv), plain = pgtls_inventory_tcp_without_tls(inv);

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

int
cli_cmd_connections(int argc, char **argv)
{
	static const struct option longopts[] = {{"watch", required_argument, NULL, 'w'},
	                                         {"interval", required_argument, NULL, 'i'},
	                                         {"exclude-user", required_argument, NULL, 'x'},
	                                         {"json", no_argument, NULL, 'j'},
	                                         {"csv", no_argument, NULL, 'c'},
	                                         {"timeout", required_argument, NULL, 't'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	pgtls_inventory *inv = pgtls_inventory_new();
	double watch = 0, interval = 1;
	long dur_ms;
	bool json = false, csv = false;
	long timeout_ms = 10000;
	int c, rc = CLI_EXIT_UNKNOWN, failed = 0;
	char *out = NULL;

	if (inv == NULL)
	{
		fprintf(stderr, "pgtls connections: out of memory\n");
		return CLI_EXIT_UNKNOWN;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
	{
		switch (c)
		{
			case 'w':
				if (!cli_duration_ms(optarg, 1, 30L * 86400 * 1000, &dur_ms) || (watch = dur_ms / 1000.0) <= 0)
				{
					fprintf(stderr, "pgtls connections: invalid --watch \"%s\": expected a duration like 30s, 5m, 1h\n",
					        optarg);
					goto done;
				}
				break;
			case 'i':
				if (!cli_duration_ms(optarg, 50, 30L * 86400 * 1000, &dur_ms) || (interval = dur_ms / 1000.0) < 0.05)
				{
					fprintf(stderr, "pgtls connections: invalid --interval \"%s\": at least 0.05 seconds\n", optarg);
					goto done;
				}
				break;
			case 'x':
				if (pgtls_inventory_exclude_user(inv, optarg) != PGTLS_OK)
				{
					fprintf(stderr, "pgtls connections: %s\n", pgtls_inventory_errmsg(inv));
					goto done;
				}
				break;
			case 'j':
				json = true;
				break;
			case 'c':
				csv = true;
				break;
			case 't':
				if (!cli_duration_ms(optarg, 1, 3600L * 1000, &timeout_ms))
				{
					fprintf(stderr,
					        "pgtls connections: invalid --timeout \"%s\": expected a duration up to 1h (5, 2.5, 30s, "
					        "5m)\n",
					        optarg);
					goto done;
				}
				break;
			case 'h':
				printf("Usage: pgtls connections [--watch DURATION] [--interval S] [--exclude-user U]...\n"
				       "                         [--json|--csv] CONNINFO\n"
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
				       "Exit status: 0 TCP sessions were seen and every one used TLS; 1 some did\n"
				       "not, none was seen, sessions were hidden or samples failed; 3 error.\n");
				rc = 0;
				goto done;
			default:
				fprintf(stderr, "Try \"pgtls connections --help\" for more information.\n");
				goto done;
		}
	}
	if (optind != argc - 1 || (json && csv))
	{
		fprintf(stderr, "pgtls connections: %s\n",
		        json && csv ? "--json and --csv exclude each other" : "expected one CONNINFO");
		goto done;
	}
	if (pgtls_inventory_connect(inv, argv[optind], timeout_seconds(timeout_ms)) != PGTLS_OK ||
	    pgtls_inventory_sample(inv) != PGTLS_OK)
	{
		fprintf(stderr, "pgtls connections: %s\n", pgtls_inventory_errmsg(inv));
		goto done;
	}
	if (watch > 0)
	{
		struct timespec t0, now;
		double el = 0, last_report = 0;
		int samples = 1;
		bool tty = isatty(STDERR_FILENO);

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (;;)
		{
			clock_gettime(CLOCK_MONOTONIC, &now);
			el = (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
			if (el + interval > watch)
				break;
			sleep_s(interval);
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
				        pgtls_inventory_sessions(inv), watch - el > 0 ? watch - el : 0, tty ? "   " : "\n");
				last_report = el;
			}
		}
		fprintf(stderr, "%swatched %.1fs: %d samples, %d sessions seen%s\n", tty ? "\r" : "", el, samples,
		        pgtls_inventory_sessions(inv),
		        failed ? " (some samples failed: sessions in those gaps were missed)" : "");
	}
	if (csv || json)
	{
		out = csv ? pgtls_inventory_csv(inv) : pgtls_inventory_json(inv, 1);
		if (out == NULL)
		{
			fprintf(stderr, "pgtls connections: out of memory\n");
			goto done;
		}
		printf(json ? "%s\n" : "%s", out);
	}
	else
	{
		render_inventory(inv);
		render_caveat(stdout, inv, interval, watch > 0);
	}
	/*
	 * hidden sessions may be plaintext ones, and no TCP session at all proves
	 * nothing: never exit 0 claiming every TCP session used TLS
	 */
	rc = pgtls_inventory_tcp_without_tls(inv) > 0 || pgtls_inventory_hidden(inv) > 0 || failed > 0 ||
	             tcp_sessions(inv) == 0
	         ? 1
	         : 0;
done:
	pgtls_free(out);
	pgtls_inventory_free(inv);
	if (fflush(stdout) != 0)
		return CLI_EXIT_UNKNOWN;
	return rc;
}
