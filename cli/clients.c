/*-------------------------------------------------------------------------
 *
 * clients.c
 *	  `pgtls clients`: which applications verify the server.
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
#include <unistd.h>

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
		if (pgtls_client_get(cl, i, PGTLS_CL_NOTE)[0])
			printf("  note      %s\n", pgtls_client_get(cl, i, PGTLS_CL_NOTE));
		printf("  verdict   %s%s%s\n", pgtls_client_get(cl, i, PGTLS_CL_VERDICT), detail[0] ? ": " : "", detail);
		if (pgtls_client_get(cl, i, PGTLS_CL_DECOY)[0])
			printf("  decoy     %s: %s\n", pgtls_client_get(cl, i, PGTLS_CL_DECOY),
			       cli_decoy_words(pgtls_client_get(cl, i, PGTLS_CL_DECOY)));
		printf("\n");
	}
	for (int i = 0; i < pgtls_clients_nskipped(cl); i++)
		printf("not read: %s: %s\n", pgtls_clients_skipped_path(cl, i), pgtls_clients_skipped_reason(cl, i));
	for (int i = 0; i < pgtls_clients_nunparsed(cl); i++)
		printf("not understood: %s:%d: %s\n", pgtls_clients_unparsed_file(cl, i), pgtls_clients_unparsed_line(cl, i),
		       pgtls_clients_unparsed_reason(cl, i));
	if (pgtls_clients_nunparsed_total(cl) > pgtls_clients_nunparsed(cl))
		printf("%d more settings not understood (not listed)\n",
		       pgtls_clients_nunparsed_total(cl) - pgtls_clients_nunparsed(cl));
	if (pgtls_clients_not_listed(cl) > 0)
		printf("%d more client configurations found but not listed (more than %d)\n", pgtls_clients_not_listed(cl), n);
	printf("%d client%s:", n, n == 1 ? "" : "s");
	for (int o = 0; o <= PGTLS_OUTCOME_UNKNOWN; o++)
		if (counts[o])
			printf(" %d %s,", counts[o], pgtls_outcome_name((pgtls_client_outcome)o));
	printf(" %d path%s not read, %d not understood\n", pgtls_clients_nskipped_total(cl),
	       pgtls_clients_nskipped_total(cl) == 1 ? "" : "s", pgtls_clients_nunparsed_total(cl));
}

static void
show_progress(void *arg, int files, const char *path)
{
	(void)arg;
	(void)path;
	fprintf(stderr, "\rscanning: %d files read", files);
}

/* scans ARGV[i] with the application HOME HOMES[i], else HOME (NULL: the scanning user's) */
int
cli_scan_inputs(pgtls_clients *c, int argc, char **argv, char **homes, const char *home, bool env)
{
	bool tty = isatty(STDERR_FILENO);

	if (tty)
		pgtls_clients_set_progress(c, show_progress, NULL);
	for (int i = 0; i < argc; i++)
		if (pgtls_clients_set_home(c, homes && homes[i] ? homes[i] : home) != PGTLS_OK ||
		    pgtls_clients_scan_path(c, argv[i]) != PGTLS_OK)
		{
			fprintf(stderr, "pgtls: %s\n", pgtls_clients_errmsg(c));
			return -1;
		}
	if (tty && pgtls_clients_files_scanned(c) >= 500)
		fprintf(stderr, "\n");
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
	static const struct option longopts[] = {
	    {"env", no_argument, NULL, 'e'},  {"home", required_argument, NULL, 'H'},
	    {"json", no_argument, NULL, 'j'}, {"decoy-report", required_argument, NULL, 'D'},
	    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	bool env = false, json = false;
	const char *home = NULL, *decoy = NULL;
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
			case 'D':
				decoy = optarg;
				break;
			case 'h':
				printf("Usage: pgtls clients [--home DIR] [--env] [--decoy-report FILE] [--json] [PATH...]\n"
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
				       "--decoy-report FILE: a `pgtls impostor --json` report; each client is matched\n"
				       "to the decoy's sessions by user, dbname and application_name, and a client\n"
				       "whose settings verify but that accepted the decoy is a finding.\n"
				       "\n"
				       "Exit status: 0 every client verifies the server fully and every path was read,\n"
				       "1 some do not (or a path was not read, or clients were not listed), 2 a decoy\n"
				       "saw a client accept what its settings would refuse, 3 error.\n");
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
	if (cl == NULL || cli_scan_inputs(cl, argc - optind, argv + optind, NULL, home, env) != 0)
	{
		pgtls_clients_free(cl);
		return CLI_EXIT_UNKNOWN;
	}
	if (decoy && cli_apply_decoy(cl, decoy) != 0)
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
