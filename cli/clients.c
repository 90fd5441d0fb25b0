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

#include <jansson.h>
#include <pgtls/pgtls.h>

#include "cli.h"
#include "report.h"
#include "loop.h"

extern char **environ;

static void
render_clients(const char *json)
{
	json_error_t je;
	json_t *r = json_loads(json, 0, &je);
	json_t *f;
	size_t i;

	if (r == NULL)
		return;
	printf("%d file%s scanned, %d client configuration%s found\n\n",
	       (int)json_integer_value(json_object_get(r, "files_scanned")),
	       json_integer_value(json_object_get(r, "files_scanned")) == 1 ? "" : "s",
	       (int)json_array_size(json_object_get(r, "clients")),
	       json_array_size(json_object_get(r, "clients")) == 1 ? "" : "s");
	json_array_foreach(json_object_get(r, "clients"), i, f)
	{
		json_t *rc = json_object_get(f, "rootcert");

		printf("%s:%d  [%s, %s]\n", cli_jstr(f, "file"), (int)json_integer_value(json_object_get(f, "line")),
		       cli_jstr(f, "driver"), cli_jstr(f, "kind"));
		printf("  spec      %s\n", cli_jstr(f, "spec"));
		printf("  host      %s port %s\n", cli_jstr(f, "host"), cli_jstr(f, "port"));
		printf("  sslmode   %s (%s)\n", cli_jstr(f, "sslmode"), cli_jstr(f, "sslmode_source"));
		printf("  rootcert  %s%s [%s]\n", json_is_string(json_object_get(rc, "path")) ? cli_jstr(rc, "path") : "(none)",
		       json_is_true(json_object_get(rc, "exists"))   ? ""
		       : json_is_null(json_object_get(rc, "exists")) ? ""
		                                                     : " (missing)",
		       cli_jstr(rc, "source"));
		printf("  verdict   %s%s%s\n\n", cli_jstr(f, "verdict"),
		       json_is_string(json_object_get(f, "detail")) ? ": " : "", cli_jstr(f, "detail"));
	}
	f = json_object_get(r, "verdicts");
	{
		const char *k;
		json_t *v;

		json_object_foreach(f, k, v) printf("%4d  %s\n", (int)json_integer_value(v), k);
	}
	json_decref(r);
}

static int
scan_inputs(pgtls_clients *c, int argc, char **argv, bool env)
{
	for (int i = 0; i < argc; i++)
		if (pgtls_clients_scan_path(c, argv[i]) != PGTLS_OK)
		{
			fprintf(stderr, "pgtls: %s\n", pgtls_clients_errmsg(c));
			return -1;
		}
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
	                                         {"json", no_argument, NULL, 'j'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	bool env = false, json = false;
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
			case 'j':
				json = true;
				break;
			case 'h':
				printf("Usage: pgtls clients [--env] [--json] [PATH...]\n"
				       "\n"
				       "Finds PostgreSQL connection settings in files and directories (libpq\n"
				       "conninfo, postgresql:// URIs, JDBC URLs, .env files, pg_service.conf) and,\n"
				       "with --env, in PG* and *_URL environment variables, and says for each what\n"
				       "its driver really does: effective sslmode after the driver's defaults, the\n"
				       "root certificate it uses, and a verdict: verifies full / verifies CA only /\n"
				       "encrypted, not verified / may fall back to plaintext / plaintext.\n"
				       "Driver rules: docs/drivers.md.  Passwords are masked.\n"
				       "\n"
				       "Exit status: 0 every client verifies the server fully, 1 some do not, 3 error.\n");
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
	if (cl == NULL || scan_inputs(cl, argc - optind, argv + optind, env) != 0)
	{
		pgtls_clients_free(cl);
		return CLI_EXIT_UNKNOWN;
	}
	out = pgtls_clients_json(cl, 1);
	rc = pgtls_clients_status(cl);
	if (out == NULL)
		rc = CLI_EXIT_UNKNOWN;
	else if (json)
		printf("%s\n", out);
	else
		render_clients(out);
	pgtls_free(out);
	pgtls_clients_free(cl);
	if (fflush(stdout) != 0)
		return CLI_EXIT_UNKNOWN;
	return rc;
}

int
cli_cmd_rotation(int argc, char **argv)
{
	static const struct option longopts[] = {{"new-ca", required_argument, NULL, 'n'},
	                                         {"clients", required_argument, NULL, 'c'},
	                                         {"env", no_argument, NULL, 'e'},
	                                         {"timeout", required_argument, NULL, 't'},
	                                         {"json", no_argument, NULL, 'j'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	const char *newca = NULL;
	char *paths[64];
	int npaths = 0;
	bool env = false, json = false;
	int timeout_s = 10;
	int c, rc = CLI_EXIT_UNKNOWN, go = 0;
	pgtls_clients *cl = NULL;
	char *probes[64];
	int nprobes = 0;
	char *out = NULL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
	{
		switch (c)
		{
			case 'n':
				newca = optarg;
				break;
			case 'c':
				if (npaths < 64)
					paths[npaths++] = optarg;
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
				printf("Usage: pgtls rotation --new-ca FILE [--clients PATH]... [--env] [--json] [TARGET...]\n"
				       "\n"
				       "Predicts what happens when the servers switch to a certificate from the\n"
				       "CA(s) in FILE: probes each TARGET (as pgtls probe), scans --clients paths\n"
				       "(as pgtls clients), and says per client: keeps working, breaks (with the\n"
				       "error it will show), silently falls back to plaintext, or unaffected\n"
				       "because it verifies nothing; flags verify-full clients that connect by a\n"
				       "name not in the certificate; and gives the fix.  Ends with GO or NO-GO.\n"
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
	if (cl == NULL || scan_inputs(cl, npaths, paths, env) != 0)
		goto done;
	for (int i = optind; i < argc && nprobes < 64; i++)
	{
		pgtls_probe *p = pgtls_probe_new();
		char ms[32];

		snprintf(ms, sizeof(ms), "%d", timeout_s * 1000);
		if (p == NULL || pgtls_probe_set_target(p, argv[i]) != PGTLS_OK ||
		    pgtls_probe_set_option(p, PGTLS_PROBE_TIMEOUT_MS, ms) != PGTLS_OK ||
		    pgtls_probe_set_option(p, PGTLS_PROBE_ROOTCERT, newca) != PGTLS_OK || cli_run_probe(p) != PGTLS_OK)
		{
			fprintf(stderr, "pgtls rotation: %s: %s\n", argv[i], p ? pgtls_probe_errmsg(p) : "out of memory");
			pgtls_probe_free(p);
			goto done;
		}
		if ((probes[nprobes] = pgtls_probe_json(p, 0)) != NULL)
			nprobes++;
		pgtls_probe_free(p);
	}
	out = pgtls_clients_rotation_json(cl, newca, (const char *const *)probes, nprobes, 1, &go);
	if (out == NULL)
	{
		fprintf(stderr, "pgtls rotation: %s\n", pgtls_clients_errmsg(cl));
		goto done;
	}
	if (json)
		printf("%s\n", out);
	else
	{
		json_error_t je;
		json_t *r = json_loads(out, 0, &je);
		json_t *x;
		size_t i;

		json_array_foreach(json_object_get(r, "endpoints"), i, x)
		    printf("endpoint %s: %s\n", cli_jstr(json_object_get(x, "target"), "input"),
		           json_is_true(json_object_get(x, "serves_new_ca")) ? "already serves a certificate from the new CA"
		                                                             : "still serves a certificate from another CA");
		printf("\n%-40s %-14s %-28s %-34s\n", "client", "driver", "now", "after the switch");
		json_array_foreach(json_object_get(r, "clients"), i, x)
		{
			char where[600];

			snprintf(where, sizeof(where), "%s:%d", cli_jstr(x, "file"),
			         (int)json_integer_value(json_object_get(x, "line")));
			printf("%-40.40s %-14s %-28.28s %s\n", where, cli_jstr(x, "driver"), cli_jstr(x, "verdict"),
			       cli_jstr(x, "outcome"));
			if (json_is_string(json_object_get(x, "error")))
				printf("%43s error: %s\n", "", cli_jstr(x, "error"));
			if (json_is_string(json_object_get(x, "why")))
				printf("%43s why:   %s\n", "", cli_jstr(x, "why"));
			if (json_is_string(json_object_get(x, "fix")))
				printf("%43s fix:   %s\n", "", cli_jstr(x, "fix"));
		}
		printf("\n%s: %d client%s break%s\n", cli_jstr(r, "decision"),
		       (int)json_integer_value(json_object_get(r, "clients_that_break")),
		       json_integer_value(json_object_get(r, "clients_that_break")) == 1 ? "" : "s",
		       json_integer_value(json_object_get(r, "clients_that_break")) == 1 ? "s" : "");
		json_decref(r);
	}
	rc = go ? 0 : 1;
done:
	for (int i = 0; i < nprobes; i++)
		pgtls_free(probes[i]);
	pgtls_free(out);
	pgtls_clients_free(cl);
	if (fflush(stdout) != 0)
		return CLI_EXIT_UNKNOWN;
	return rc;
}
