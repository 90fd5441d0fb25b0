/*-------------------------------------------------------------------------
 *
 * main.c
 *	  The pgtls command: sub-command dispatch, `pgtls probe`.
 *
 * IDENTIFICATION
 *	  cli/main.c
 *
 * NOTES
 *	  Uses only the public API <pgtls/pgtls.h>.  Exit codes follow the
 *	  monitoring-plugin convention: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN
 *	  (usage errors and network failures are UNKNOWN).
 *
 *-------------------------------------------------------------------------
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pgtls/pgtls.h>

#include "cli.h"
#include "loop.h"
#include "opts.h"
#include "report.h"

#define EXIT_UNKNOWN 3

static void
usage_main(FILE *f)
{
	fprintf(f,
	        "pgtls %s - prove whether PostgreSQL connections are really protected by TLS\n"
	        "\n"
	        "Usage: pgtls COMMAND [OPTIONS] ...\n"
	        "\n"
	        "Commands:\n"
	        "  probe TARGET     check one server's TLS: chain, names, expiry, and what\n"
	        "                   libpq does in each sslmode (see pgtls probe --help)\n"
	        "  scan TARGET...   many servers at once (--targets FILE): worst first, NDJSON,\n"
	        "                   CSV or Prometheus metrics (see pgtls scan --help)\n"
	        "  exporter --listen ADDR:PORT\n"
	        "                   Prometheus exporter: /probe?target=..., /metrics\n"
	        "  store inspect|merge|verify\n"
	        "                   trust stores: PEM, DER, PKCS#7, PKCS#12, Java JKS\n"
	        "                   (see pgtls store --help)\n"
	        "  server CONNINFO  is TLS enforced? settings, pg_hba rules, plaintext probe\n"
	        "  connections CONNINFO\n"
	        "                   who connects with and without TLS (--watch samples over time)\n"
	        "  logs FILE...     per-client TLS usage from server logs (pgtls logs --help)\n"
	        "  clients [PATH...] [--env]\n"
	        "                   which applications verify the server (pgtls clients --help)\n"
	        "  rotation --new-ca FILE [--clients PATH]... TARGET...\n"
	        "                   who breaks when the server's CA changes: GO / NO-GO\n"
	        "  impostor --listen ADDR:PORT\n"
	        "                   a decoy server: which applications accept a forged\n"
	        "                   certificate, fall back to plaintext, send their password\n"
	        "  version          print the version (also -V, --version)\n"
	        "  help             this text\n"
	        "\n"
	        "Every command: --json (a report whose status is the exit status), --format F,\n"
	        "-q (one status line), --timeout D where it connects, --help.\n"
	        "Exit status: 0 all good, 1 needs attention, 2 something is broken or would\n"
	        "break, 3 could not tell (usage, network, input not understood).\n"
	        "Manual: man pgtls\n",
	        pgtls_version());
}

static void
usage_probe(FILE *f)
{
	fprintf(f, "Usage: pgtls probe [OPTIONS] TARGET\n"
	           "\n"
	           "TARGET is host[:port], [ipv6]:port, a postgresql:// URI or a libpq\n"
	           "conninfo string (\"host=db.example.com port=5432 sslrootcert=...\").\n"
	           "Settings are completed as libpq does before it connects: service=\n"
	           "(PGSERVICEFILE, ~/.pg_service.conf, PGSYSCONFDIR/pg_service.conf), then\n"
	           "the PG* variables (PGSSLMODE, PGSSLROOTCERT, PGSSLCRL, PGSSLCRLDIR,\n"
	           "PGSSLCERT, PGSSLKEY, PGUSER, ...), then libpq's defaults.  The client\n"
	           "certificate (sslcert/sslkey/sslpassword, else ~/.postgresql/postgresql.crt\n"
	           "and .key) is presented as libpq presents it; ssl_min_protocol_version and\n"
	           "ssl_max_protocol_version limit the handshake.  Keys and passwords are\n"
	           "never printed.\n"
	           "\n"
	           "Connects (SSLRequest, TLS handshake), captures the served chain, sends a\n"
	           "StartupMessage with and without TLS (never a password), and reports for\n"
	           "each sslmode whether libpq would connect, encrypt and verify the server.\n"
	           "\n"
	           "Options:\n"
	           "  --rootcert FILE      root CA bundle (PEM) clients use; \"system\" = OpenSSL's\n"
	           "                       default store (libpq >= 16).  Default: as libpq:\n"
	           "                       sslrootcert, $PGSSLROOTCERT, ~/.postgresql/root.crt.\n"
	           "                       DER, PKCS#12 and JKS stores are read too (libpq\n"
	           "                       itself reads PEM only, and the verdicts say so)\n"
	           "  --rootcert-password P  opens a PKCS#12/JKS --rootcert (default changeit\n"
	           "                       for JKS integrity; also $PGTLS_STORE_PASSWORD)\n"
	           "  --servername NAME    host name checked by verify-full (and sent as SNI);\n"
	           "                       default: the target host\n"
	           "  --user NAME          user in the StartupMessage (default as libpq: user=,\n"
	           "                       the service, $PGUSER, else the operating-system user)\n"
	           "  --dbname NAME        database in the StartupMessage (default: the user)\n"
	           "  --negotiation MODE   postgres (SSLRequest, default), direct (PG17 direct\n"
	           "                       TLS with ALPN \"postgresql\") or both\n"
	           "  --timeout D          per address tried, whole exchange (default 10s;\n"
	           "                       5, 2.5, 30s, 5m)\n"
	           "  --warn-days N        warn when a certificate expires within N days (30)\n"
	           "  --driver NAME        the verdict table in that driver's terms: libpq (default),\n"
	           "                       pgjdbc (LibPQFactory reading sslrootcert as PEM or DER; a\n"
	           "                       JKS/PKCS#12 --rootcert is the JVM trust store of\n"
	           "                       DefaultJavaSSLFactory; ssl=true = verify-full),\n"
	           "                       pgjdbc-nonvalidating (sslfactory=...NonValidatingFactory),\n"
	           "                       lib/pq, pgx (without --rootcert: the OS store), or another\n"
	           "                       row of docs/drivers.md\n"
	           "  --libpq-version N    give the verdicts of a libpq N client (15, 16, 17...);\n"
	           "                       default: the libpq pgtls is linked with.  Before 16,\n"
	           "                       sslrootcert=system is a file name; direct TLS needs 17\n"
	           "  --json, --format F   the report as JSON (docs/json-schema.md) or text\n"
	           "  -q, --quiet          print only the status line\n"
	           "  -h, --help           this text\n"
	           "\n"
	           "Exit status: 0 OK (verify-full would succeed, nothing expiring soon),\n"
	           "1 WARNING, 2 CRITICAL (no TLS, TLS refused for the user, no sslmode that\n"
	           "encrypts can connect, expired, chain invalid), 3 UNKNOWN.\n");
}

/* one of probe's own options into PROBE (the library checks the value) */
static pgtls_err
probe_opt(pgtls_probe *probe, int c, const char *arg)
{
	static const struct
	{
		int c;
		pgtls_probe_opt opt;
	} map[] = {{'r', PGTLS_PROBE_ROOTCERT},  {'s', PGTLS_PROBE_SERVERNAME}, {'R', PGTLS_PROBE_ROOTCERT_PASSWORD},
	           {'U', PGTLS_PROBE_USER},      {'d', PGTLS_PROBE_DBNAME},     {'n', PGTLS_PROBE_NEGOTIATION},
	           {'w', PGTLS_PROBE_WARN_DAYS}, {'D', PGTLS_PROBE_DRIVER},     {'L', PGTLS_PROBE_LIBPQ_VERSION}};

	if (c == 'R')
		fprintf(stderr, "pgtls probe: warning: a password on the command line is visible to other users (ps, shell "
		                "history): prefer $PGTLS_STORE_PASSWORD\n");
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].c == c)
			return pgtls_probe_set_option(probe, map[i].opt, arg);
	return PGTLS_ERR_USAGE;
}

/* the options and TARGET into PROBE and CO; 0, 1 help printed, or EXIT_UNKNOWN (said) */
static int
parse_probe(int argc, char **argv, pgtls_probe *probe, cli_common *co)
{
	static const struct option longopts[] = {{"rootcert", required_argument, NULL, 'r'},
	                                         {"servername", required_argument, NULL, 's'},
	                                         {"rootcert-password", required_argument, NULL, 'R'},
	                                         {"user", required_argument, NULL, 'U'},
	                                         {"dbname", required_argument, NULL, 'd'},
	                                         {"negotiation", required_argument, NULL, 'n'},
	                                         {"warn-days", required_argument, NULL, 'w'},
	                                         {"libpq-version", required_argument, NULL, 'L'},
	                                         {"driver", required_argument, NULL, 'D'},
	                                         CLI_COMMON_LONGOPTS};
	char ms[32];
	int c, taken;

	if (getenv("PGTLS_STORE_PASSWORD") &&
	    pgtls_probe_set_option(probe, PGTLS_PROBE_ROOTCERT_PASSWORD, getenv("PGTLS_STORE_PASSWORD")) != PGTLS_OK)
		return cli_usage_error("probe", "invalid PGTLS_STORE_PASSWORD");
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1)
	{
		if ((taken = cli_common_opt(co, c, optarg)) < 0)
			return EXIT_UNKNOWN;
		if (co->help)
		{
			usage_probe(stdout);
			return 1;
		}
		if (c == '?')
			return cli_try_help("probe");
		if (!taken && probe_opt(probe, c, optarg) != PGTLS_OK)
			return cli_usage_error("probe", "%s", pgtls_probe_errmsg(probe));
	}
	snprintf(ms, sizeof(ms), "%ld", co->timeout_ms);
	if (pgtls_probe_set_option(probe, PGTLS_PROBE_TIMEOUT_MS, ms) != PGTLS_OK)
		return cli_usage_error("probe", "%s", pgtls_probe_errmsg(probe));
	if (optind != argc - 1)
		return cli_usage_error("probe", "%s",
		                       optind >= argc ? "missing TARGET" : "too many arguments (one TARGET per probe)");
	if (pgtls_probe_set_target(probe, argv[optind]) != PGTLS_OK)
		return cli_usage_error("probe", "%s", pgtls_probe_errmsg(probe));
	return 0;
}

/* the probe could not run: said on stderr and, with --json, as a report of status UNKNOWN */
static int
probe_failed(const pgtls_probe *probe, const char *target, const cli_common *co)
{
	fprintf(stderr, "pgtls probe: %s\n", pgtls_probe_errmsg(probe));
	if (CLI_STATUS_LINE(co))
		cli_quiet_line(EXIT_UNKNOWN, "%s: %s", target, pgtls_probe_errmsg(probe));
	else if (co->out == CLI_OUT_JSON)
	{
		char *out = pgtls_scan_error_json(target, "argument", pgtls_probe_errmsg(probe));

		if (out)
			printf("%s\n", out);
		pgtls_free(out);
	}
	return EXIT_UNKNOWN;
}

static int
cmd_probe(int argc, char **argv)
{
	cli_common co = CLI_COMMON_INIT("probe", CLI_OFFERS_TIMEOUT);
	pgtls_probe *probe = pgtls_probe_new();
	int status;
	char *out = NULL;

	if (probe == NULL)
	{
		fprintf(stderr, "pgtls probe: out of memory\n");
		return EXIT_UNKNOWN;
	}
	status = parse_probe(argc, argv, probe, &co);
	if (status == 0 && cli_run_probe(probe) != PGTLS_OK)
		status = probe_failed(probe, argv[optind], &co);
	else if (status == 0)
	{
		status = pgtls_probe_status(probe);
		if (co.out == CLI_OUT_JSON && (out = pgtls_probe_json(probe, 1)) == NULL)
		{
			fprintf(stderr, "pgtls probe: out of memory\n");
			status = EXIT_UNKNOWN;
		}
		else if (out)
			printf("%s\n", out);
		else
			cli_render_probe(stdout, probe, co.quiet);
	}
	else if (status == 1)
		status = 0; /* --help */
	pgtls_free(out);
	pgtls_probe_free(probe);
	if (fflush(stdout) != 0)
		return EXIT_UNKNOWN;
	return status;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
	{
		usage_main(stderr);
		return EXIT_UNKNOWN;
	}
	if (strcmp(argv[1], "probe") == 0)
		return cmd_probe(argc - 1, argv + 1);
	if (strcmp(argv[1], "clients") == 0)
		return cli_cmd_clients(argc - 1, argv + 1);
	if (strcmp(argv[1], "rotation") == 0)
		return cli_cmd_rotation(argc - 1, argv + 1);
	if (strcmp(argv[1], "scan") == 0)
		return cli_cmd_scan(argc - 1, argv + 1);
	if (strcmp(argv[1], "exporter") == 0)
		return cli_cmd_exporter(argc - 1, argv + 1);
	if (strcmp(argv[1], "impostor") == 0)
		return cli_cmd_impostor(argc - 1, argv + 1);
	if (strcmp(argv[1], "server") == 0)
		return cli_cmd_server(argc - 1, argv + 1);
	if (strcmp(argv[1], "connections") == 0)
		return cli_cmd_connections(argc - 1, argv + 1);
	if (strcmp(argv[1], "logs") == 0)
		return cli_cmd_logs(argc - 1, argv + 1);
	if (strcmp(argv[1], "store") == 0)
		return cli_cmd_store(argc - 1, argv + 1);
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
	{
		printf("pgtls %s\n", pgtls_version());
		return 0;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
	{
		usage_main(stdout);
		return 0;
	}
	fprintf(stderr, "pgtls: unknown command \"%s\"\n", argv[1]);
	usage_main(stderr);
	return EXIT_UNKNOWN;
}
