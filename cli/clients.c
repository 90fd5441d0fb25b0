/*-------------------------------------------------------------------------
 *
 * clients.c
 *	  `pgtls clients` (which applications verify the server) and
 *	  `pgtls rotation` (who breaks when the server's CA changes).
 *
 * IDENTIFICATION
 *	  cli/clients.c
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
#include "loop.h"

extern char **environ;

static void
render_clients(const pgtls_clients *cl)
{
	int n = pgtls_clients_count(cl), files = pgtls_clients_files_scanned(cl);
	int counts[PGTLS_OUTCOME_UNKNOWN + 1] = {0};

	printf("%d file%s scanned, %d client configuration%s found\n\n", files, files == 1 ? "" : "s", n,
	       n == 1 ? "" : "s");
	for (int i = 0; i < n; i++)
	{
		const char *detail = pgtls_client_get(cl, i, PGTLS_CL_DETAIL);
		const char *root = pgtls_client_get(cl, i, PGTLS_CL_ROOTCERT);
		const char *host = pgtls_client_get(cl, i, PGTLS_CL_HOST);
		const char *port = pgtls_client_get(cl, i, PGTLS_CL_PORT);

		counts[pgtls_client_outcome_of(cl, i)]++;
		printf("%s:%d  [%s, %s]\n", pgtls_client_get(cl, i, PGTLS_CL_FILE), pgtls_client_line(cl, i),
		       pgtls_driver_name(pgtls_client_driver(cl, i)), pgtls_client_get(cl, i, PGTLS_CL_KIND));
		printf("  spec      %s\n", pgtls_client_get(cl, i, PGTLS_CL_SPEC));
		printf("  host      %s port %s\n", host[0] ? host : "(default)", port[0] ? port : "5432");
		printf("  sslmode   %s (%s)\n", pgtls_client_get(cl, i, PGTLS_CL_SSLMODE),
		       pgtls_client_get(cl, i, PGTLS_CL_SSLMODE_SOURCE));
		printf("  rootcert  %s%s [%s]\n", root[0] ? root : "(none)",
		       pgtls_client_rootcert_exists(cl, i) == 0 && root[0] ? " (missing)" : "",
		       pgtls_client_get(cl, i, PGTLS_CL_ROOTCERT_SOURCE));
		printf("  verdict   %s%s%s\n\n", pgtls_client_get(cl, i, PGTLS_CL_VERDICT), detail[0] ? ": " : "", detail);
	}
	for (int i = 0; i < pgtls_clients_nskipped(cl); i++)
		printf("not read: %s: %s\n", pgtls_clients_skipped_path(cl, i), pgtls_clients_skipped_reason(cl, i));
	if (pgtls_clients_not_listed(cl) > 0)
		printf("%d more client configurations found but not listed (more than %d)\n", pgtls_clients_not_listed(cl), n);
	printf("%d client%s:", n, n == 1 ? "" : "s");
	for (int o = 0; o <= PGTLS_OUTCOME_UNKNOWN; o++)
		if (counts[o])
			printf(" %d %s,", counts[o], pgtls_outcome_name((pgtls_client_outcome)o));
	printf(" %d path%s not read\n", pgtls_clients_nskipped_total(cl), pgtls_clients_nskipped_total(cl) == 1 ? "" : "s");
}

/* scans ARGV[i] with the application HOME HOMES[i], else HOME (NULL: the scanning user's) */
static int
scan_inputs(pgtls_clients *c, int argc, char **argv, char **homes, const char *home, bool env)
{
	for (int i = 0; i < argc; i++)
		if (pgtls_clients_set_home(c, homes && homes[i] ? homes[i] : home) != PGTLS_OK ||
		    pgtls_clients_scan_path(c, argv[i]) != PGTLS_OK)
		{
			fprintf(stderr, "pgtls: %s\n", pgtls_clients_errmsg(c));
			return -1;
		}
	/* the environment is the scanning user's own */
	if (pgtls_clients_set_home(c, NULL) != PGTLS_OK)
		return -1;
	if (env && pgtls_clients_scan_env(c, environ) != PGTLS_OK)
	{
		fprintf(stderr, "pgtls: %s\n", pgtls_clients_errmsg(c));
		return -1;
	}
	return 0;
}

int
cli_cmd_clients(int argc, char **argv)
{
	static const struct option longopts[] = {{"env", no_argument, NULL, 'e'},
	                                         {"home", required_argument, NULL, 'H'},
	                                         {"json", no_argument, NULL, 'j'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	bool env = false, json = false;
	const char *home = NULL;
	int c, rc;
	pgtls_clients *cl;
	char *out;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
	{
		switch (c)
		{
			case 'e':
				env = true;
				break;
			case 'H':
				home = optarg;
				break;
			case 'j':
				json = true;
				break;
			case 'h':
				printf("Usage: pgtls clients [--home DIR] [--env] [--json] [PATH...]\n"
				       "\n"
				       "Finds PostgreSQL connection settings in files and directories (libpq\n"
				       "conninfo, postgresql:// URIs, JDBC URLs, .env files, pg_service.conf) and,\n"
				       "with --env, in PG* and *_URL environment variables, and says for each what\n"
				       "its driver really does: effective sslmode after the driver's defaults, the\n"
				       "root certificate it uses, and a verdict: verifies full / verifies CA only /\n"
				       "encrypted, not verified / may fall back to plaintext / plaintext.\n"
				       "Driver rules: docs/drivers.md.  Passwords are masked.\n"
				       "--home DIR: the HOME of the application whose settings PATH holds (its\n"
				       "~/.postgresql/root.crt decides what libpq verifies); default: your own.\n"
				       "\n"
				       "Exit status: 0 every client verifies the server fully and every path was read,\n"
				       "1 some do not (or a path was not read, or clients were not listed), 3 error.\n");
				return 0;
			default:
				fprintf(stderr, "Try \"pgtls clients --help\" for more information.\n");
				return CLI_EXIT_UNKNOWN;
		}
	}
	if (optind >= argc && !env)
	{
		fprintf(stderr, "pgtls clients: give PATH... and/or --env\n");
		return CLI_EXIT_UNKNOWN;
	}
	cl = pgtls_clients_new();
	if (cl == NULL || scan_inputs(cl, argc - optind, argv + optind, NULL, home, env) != 0)
	{
		pgtls_clients_free(cl);
		return CLI_EXIT_UNKNOWN;
	}
	rc = pgtls_clients_status(cl);
	if (json)
	{
		out = pgtls_clients_json(cl, 1);
		if (out == NULL)
			rc = CLI_EXIT_UNKNOWN;
		else
			printf("%s\n", out);
		pgtls_free(out);
	}
	else
		render_clients(cl);
	pgtls_clients_free(cl);
	if (fflush(stdout) != 0)
		return CLI_EXIT_UNKNOWN;
	return rc;
}

#define CLI_MAX_TARGETS 1024

static void
render_rotation(const pgtls_rotation *rot)
{
	int counts[PGTLS_PREDICT_UNKNOWN + 1] = {0};
	int n = pgtls_rotation_nclients(rot);

	for (int i = 0; i < pgtls_rotation_nendpoints(rot); i++)
	{
		int on_new = pgtls_rotation_endpoint_on_new_ca(rot, i);

		printf("endpoint %s: %s\n", pgtls_rotation_endpoint_target(rot, i),
		       !pgtls_rotation_endpoint_reachable(rot, i) ? "UNREACHABLE: nothing can be predicted for its clients"
		       : on_new == 1                              ? "already serves a certificate from the new CA"
		       : on_new == 0                              ? "still serves a certificate from another CA"
		                                                  : "serves no certificate");
	}
	printf("\n%-40s %-14s %-22s %-26s\n", "client", "driver", "now", "after the switch");
	for (int i = 0; i < n; i++)
	{
		char where[600];
		pgtls_prediction pr = pgtls_rotation_client_prediction(rot, i);
		static const struct
		{
			const char *label;
			pgtls_rotation_field field;
		} extra[] = {
		    {"error", PGTLS_RF_ERROR}, {"when", PGTLS_RF_WHEN}, {"why", PGTLS_RF_REASON}, {"fix", PGTLS_RF_FIX}};

		counts[pr]++;
		snprintf(where, sizeof(where), "%s:%d", pgtls_rotation_client_get(rot, i, PGTLS_RF_FILE),
		         pgtls_rotation_client_line(rot, i));
		printf("%-40.40s %-14s %-22s %s\n", where, pgtls_driver_name(pgtls_rotation_client_driver(rot, i)),
		       pgtls_rotation_client_get(rot, i, PGTLS_RF_NOW), pgtls_prediction_name(pr));
		for (size_t k = 0; k < sizeof(extra) / sizeof(extra[0]); k++)
			if (pgtls_rotation_client_get(rot, i, extra[k].field)[0])
				printf("%43s %-5s %s\n", "", extra[k].label, pgtls_rotation_client_get(rot, i, extra[k].field));
	}
	printf("\n%s: %d client%s:", pgtls_rotation_go(rot) ? "GO" : "NO-GO", n, n == 1 ? "" : "s");
	for (int p = 0; p <= PGTLS_PREDICT_UNKNOWN; p++)
		if (counts[p])
			printf(" %d %s,", counts[p], pgtls_prediction_name((pgtls_prediction)p));
	printf(" %d endpoint%s\n", pgtls_rotation_nendpoints(rot), pgtls_rotation_nendpoints(rot) == 1 ? "" : "s");
}

int
cli_cmd_rotation(int argc, char **argv)
{
	static const struct option longopts[] = {{"new-ca", required_argument, NULL, 'n'},
	                                         {"old-ca", required_argument, NULL, 'o'},
	                                         {"home", required_argument, NULL, 'H'},
	                                         {"clients", required_argument, NULL, 'c'},
	                                         {"env", no_argument, NULL, 'e'},
	                                         {"timeout", required_argument, NULL, 't'},
	                                         {"json", no_argument, NULL, 'j'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	const char *newca = NULL, *oldca = NULL;
	char *paths[64], *homes[64] = {NULL};
	int npaths = 0;
	bool env = false, json = false;
	int timeout_s = 10;
	int c, rc = CLI_EXIT_UNKNOWN;
	pgtls_clients *cl = NULL;
	pgtls_probe *probes[CLI_MAX_TARGETS];
	int nprobes = 0;
	pgtls_rotation *rot = NULL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
	{
		switch (c)
		{
			case 'n':
				newca = optarg;
				break;
			case 'o':
				oldca = optarg;
				break;
			case 'c':
				if (npaths == 64)
				{
					fprintf(stderr, "pgtls rotation: more than 64 --clients paths\n");
					return CLI_EXIT_UNKNOWN;
				}
				paths[npaths++] = optarg;
				break;
			case 'H':
				/* the HOME of the application whose settings the preceding --clients PATH holds */
				if (npaths == 0)
				{
					fprintf(stderr, "pgtls rotation: --home DIR goes after the --clients PATH it applies to\n");
					return CLI_EXIT_UNKNOWN;
				}
				homes[npaths - 1] = optarg;
				break;
			case 'e':
				env = true;
				break;
			case 't':
				timeout_s = atoi(optarg);
				if (timeout_s < 1 || timeout_s > 3600)
				{
					fprintf(stderr, "pgtls rotation: invalid --timeout\n");
					return CLI_EXIT_UNKNOWN;
				}
				break;
			case 'j':
				json = true;
				break;
			case 'h':
				printf("Usage: pgtls rotation --new-ca FILE [--old-ca FILE] [--clients PATH]... [--env] [--json]\n"
				       "                      [TARGET...]\n"
				       "\n"
				       "Predicts what happens when the servers switch to a certificate from the\n"
				       "CA(s) in FILE: probes each TARGET (as pgtls probe), scans --clients paths\n"
				       "(as pgtls clients), maps each client to the TARGET it connects to, and\n"
				       "decides it with its driver's rules against the chain served now and after\n"
				       "the switch: keeps_working, breaks (with the error it will show and when),\n"
				       "falls_back_to_plaintext (where the server accepts plaintext),\n"
				       "unaffected_unverified, unaffected_no_tls, already_broken or unknown; flags\n"
				       "verify-full clients that connect by a name not in the certificate; gives\n"
				       "the fix; ends with one summary line and GO or NO-GO.\n"
				       "\n"
				       "--old-ca FILE  the CA being replaced: the new CA is FILE of --new-ca less\n"
				       "               these.  Without it, certificates of the --new-ca file that\n"
				       "               issue what a TARGET serves now count as the old CA.\n"
				       "\n"
				       "GO only when no client breaks, falls back or is unknown and every TARGET\n"
				       "was reachable.\n"
				       "\n"
				       "Exit status: 0 GO, 1 NO-GO, 3 error.\n");
				return 0;
			default:
				fprintf(stderr, "Try \"pgtls rotation --help\" for more information.\n");
				return CLI_EXIT_UNKNOWN;
		}
	}
	if (newca == NULL)
	{
		fprintf(stderr, "pgtls rotation: --new-ca FILE is required\n");
		return CLI_EXIT_UNKNOWN;
	}
	cl = pgtls_clients_new();
	if (cl == NULL || scan_inputs(cl, npaths, paths, homes, NULL, env) != 0)
		goto done;
	for (int i = optind; i < argc; i++)
	{
		pgtls_probe *p = pgtls_probe_new();
		char ms[32];

		snprintf(ms, sizeof(ms), "%d", timeout_s * 1000);
		if (nprobes == CLI_MAX_TARGETS)
		{
			fprintf(stderr, "pgtls rotation: more than %d targets\n", CLI_MAX_TARGETS);
			pgtls_probe_free(p);
			goto done;
		}
		if (p == NULL || pgtls_probe_set_target(p, argv[i]) != PGTLS_OK ||
		    pgtls_probe_set_option(p, PGTLS_PROBE_TIMEOUT_MS, ms) != PGTLS_OK ||
		    pgtls_probe_set_option(p, PGTLS_PROBE_ROOTCERT, newca) != PGTLS_OK || cli_run_probe(p) != PGTLS_OK)
		{
			fprintf(stderr, "pgtls rotation: %s: %s\n", argv[i], p ? pgtls_probe_errmsg(p) : "out of memory");
			pgtls_probe_free(p);
			goto done;
		}
		probes[nprobes++] = p;
	}
	rot = pgtls_rotation_new();
	if (rot == NULL || (oldca && pgtls_rotation_set_old_ca(rot, oldca) != PGTLS_OK) ||
	    pgtls_rotation_run(rot, cl, newca, (const pgtls_probe *const *)probes, nprobes) != PGTLS_OK)
	{
		fprintf(stderr, "pgtls rotation: %s\n", rot ? pgtls_rotation_errmsg(rot) : "out of memory");
		goto done;
	}
	if (json)
	{
		char *out = pgtls_rotation_json(rot, 1);

		if (out == NULL)
		{
			fprintf(stderr, "pgtls rotation: out of memory\n");
			goto done;
		}
		printf("%s\n", out);
		pgtls_free(out);
	}
	else
		render_rotation(rot);
	rc = pgtls_rotation_go(rot) ? 0 : 1;
done:
	for (int i = 0; i < nprobes; i++)
		pgtls_probe_free(probes[i]);
	pgtls_rotation_free(rot);
	pgtls_clients_free(cl);
	if (fflush(stdout) != 0)
		return CLI_EXIT_UNKNOWN;
	return rc;
}
