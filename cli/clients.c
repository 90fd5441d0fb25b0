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
	for (int i = 0; i < pgtls_clients_ntrust_files(cl); i++)
	{
		int users = pgtls_clients_trust_file_users(cl, i);

		printf("trust file: %s: ", pgtls_clients_trust_file_path(cl, i));
		if (pgtls_clients_trust_file_error(cl, i))
			printf("not read (%s)", pgtls_clients_trust_file_error(cl, i));
		else
			printf("%d certificate%s", pgtls_clients_trust_file_ncerts(cl, i),
			       pgtls_clients_trust_file_ncerts(cl, i) == 1 ? "" : "s");
		printf(", read by %d client%s understood\n", users, users == 1 ? "" : "s");
	}
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

/*
 * the applications of the manifest APPS (NULL: none), then ARGV[i] with
 * the application HOME HOMES[i], else HOME (NULL: the scanning user's)
 */
int
cli_scan_inputs(pgtls_clients *c, const char *apps, int argc, char **argv, char **homes, const char *home, bool env)
{
	bool tty = isatty(STDERR_FILENO);

	if (tty)
		pgtls_clients_set_progress(c, show_progress, NULL);
	if (apps && pgtls_clients_load_apps(c, apps) != PGTLS_OK)
	{
		fprintf(stderr, "pgtls: %s\n", pgtls_clients_errmsg(c));
		return -1;
	}
	for (int i = 0; apps && i < pgtls_clients_napps(c); i++)
		if (pgtls_clients_scan_app(c, i) != PGTLS_OK)
		{
			fprintf(stderr, "pgtls: application %s: %s\n", pgtls_clients_app_name(c, i), pgtls_clients_errmsg(c));
			return -1;
		}
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

static void
usage_clients(FILE *f)
{
	fprintf(f, "Usage: pgtls clients [--env] [--apps FILE] [--decoy-report FILE] [--json|--format F] [-q]\n"
	           "                     [PATH [--home DIR]]...\n"
	           "\n"
	           "Finds PostgreSQL connection settings in files and directories (libpq\n"
	           "conninfo, postgresql:// URIs, JDBC URLs, .env files, pg_service.conf) and,\n"
	           "with --env, in PG* and *_URL environment variables, and says for each what\n"
	           "its driver really does: effective sslmode after the driver's defaults, the\n"
	           "root certificate it uses, and a verdict: verifies full / verifies CA only /\n"
	           "encrypted, not verified / may fall back to plaintext / plaintext.\n"
	           "Driver rules: docs/drivers.md.  Passwords are masked.\n"
	           "--home DIR, after a PATH: the HOME of the application whose settings that\n"
	           "PATH holds (its ~/.postgresql/root.crt decides what libpq verifies), as\n"
	           "after --clients PATH in pgtls rotation; default: your own.\n"
	           "--apps FILE: an application manifest (YAML; pgtls(1) APPLICATION MANIFEST):\n"
	           "per application its paths, working directory, HOME, environment, volumes\n"
	           "and JVM trust store, and the not-understood lines a person has checked.\n"
	           "Relative paths resolve against each application's directory (the nearest\n"
	           "with a build, lock or compose file, else the PATH); trust files (PEM, DER,\n"
	           "PKCS#7, PKCS#12, JKS) are listed with the clients that read them.\n"
	           "--decoy-report FILE: a `pgtls impostor --json` report; each client is matched\n"
	           "to the decoy's sessions by user, dbname and application_name, and a client\n"
	           "whose settings verify but that accepted the decoy is a finding.\n"
	           "--json, --format F: the report as JSON (docs/json-schema.md) or text;\n"
	           "-q: one status line.\n"
	           "\n"
	           "Exit status: 0 every client verifies the server fully and every path was read,\n"
	           "1 some do not (or a path was not read, or clients were not listed), 2 clients\n"
	           "whose settings fail, or a decoy saw a client accept what its settings would\n"
	           "refuse, 3 error.\n");
}

/* what `pgtls clients` was asked: the PATHs in order, each with the --home after it */
typedef struct clients_opts
{
	cli_common co;
	char *paths[CLI_MAX_PATHS];
	char *homes[CLI_MAX_PATHS];
	int npaths;
	bool env;
	const char *decoy;
	const char *apps; /* --apps FILE */
} clients_opts;

int
cli_add_path(const char *cmd, char **paths, char **homes, int *npaths, char *path)
{
	if (*npaths == CLI_MAX_PATHS)
		return cli_usage_error(cmd, "more than %d PATHs", CLI_MAX_PATHS);
	homes[*npaths] = NULL;
	paths[(*npaths)++] = path;
	return 0;
}

int
cli_add_home(const char *cmd, char **homes, int npaths, char *home)
{
	/* the HOME of the application whose settings the PATH before it holds */
	if (npaths == 0)
		return cli_usage_error(cmd, "--home DIR goes after the PATH it applies to");
	homes[npaths - 1] = home;
	return 0;
}

/* the options and PATHs, in order; 0, 1 help printed, or CLI_EXIT_UNKNOWN (said) */
static int
parse_opts(int argc, char **argv, clients_opts *o)
{
	static const struct option longopts[] = {{"env", no_argument, NULL, 'e'},
	                                         {"home", required_argument, NULL, 'H'},
	                                         {"decoy-report", required_argument, NULL, 'D'},
	                                         {"apps", required_argument, NULL, 'A'},
	                                         CLI_COMMON_LONGOPTS};
	int c, taken, rc = 0;

	optind = 1;
	/* "-": PATHs come back in order (as 1), so that each --home pairs with the PATH before it */
	while (rc == 0 && (c = getopt_long(argc, argv, "-qh", longopts, NULL)) != -1)
	{
		if ((taken = cli_common_opt(&o->co, c, optarg)) < 0)
			return CLI_EXIT_UNKNOWN;
		if (o->co.help)
		{
			usage_clients(stdout);
			return 1;
		}
		if (c == 1)
			rc = cli_add_path("clients", o->paths, o->homes, &o->npaths, optarg);
		else if (c == 'H')
			rc = cli_add_home("clients", o->homes, o->npaths, optarg);
		else if (c == 'e')
			o->env = true;
		else if (c == 'D')
			o->decoy = optarg;
		else if (c == 'A')
			o->apps = optarg;
		else if (!taken)
			return cli_try_help("clients");
	}
	if (rc == 0 && o->npaths == 0 && !o->env && o->apps == NULL)
		return cli_usage_error("clients", "give PATH..., --apps FILE and/or --env");
	return rc;
}

/* -q: the one status line */
static void
quiet_line(const pgtls_clients *cl, int rc)
{
	int counts[PGTLS_OUTCOME_UNKNOWN + 1] = {0}, n = pgtls_clients_count(cl);

	for (int i = 0; i < n; i++)
		counts[pgtls_client_outcome_of(cl, i)]++;
	cli_quiet_line(rc,
	               "%d clients: %d verify full, %d verify the CA only, %d encrypt without verifying, %d may fall "
	               "back to plaintext, %d plaintext, %d fail, %d unknown; %d paths not read, %d not understood",
	               n, counts[PGTLS_OUTCOME_VERIFIES_FULL], counts[PGTLS_OUTCOME_VERIFIES_CA],
	               counts[PGTLS_OUTCOME_ENCRYPTED_UNVERIFIED], counts[PGTLS_OUTCOME_OPPORTUNISTIC],
	               counts[PGTLS_OUTCOME_NO_TLS], counts[PGTLS_OUTCOME_FAILS], counts[PGTLS_OUTCOME_UNKNOWN],
	               pgtls_clients_nskipped_total(cl), pgtls_clients_nunparsed_total(cl));
}

int
cli_cmd_clients(int argc, char **argv)
{
	clients_opts o;
	pgtls_clients *cl = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	o.co = (cli_common)CLI_COMMON_INIT("clients", 0);
	rc = parse_opts(argc, argv, &o);
	if (rc != 0)
		return rc == 1 ? 0 : rc;
	cl = pgtls_clients_new();
	if (cl == NULL || cli_scan_inputs(cl, o.apps, o.npaths, o.paths, o.homes, NULL, o.env) != 0 ||
	    (o.decoy && cli_apply_decoy(cl, o.decoy) != 0))
	{
		pgtls_clients_free(cl);
		return CLI_EXIT_UNKNOWN;
	}
	rc = pgtls_clients_status(cl);
	if (CLI_STATUS_LINE(&o.co))
		quiet_line(cl, rc);
	else if (o.co.out == CLI_OUT_JSON)
		rc = cli_print_report("clients", pgtls_clients_json(cl, 1), rc);
	else
		render_clients(cl);
	pgtls_clients_free(cl);
	if (fflush(stdout) != 0)
		return CLI_EXIT_UNKNOWN;
	return rc;
}
