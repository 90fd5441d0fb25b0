/*-------------------------------------------------------------------------
 *
 * rotation.c
 *	  `pgtls rotation`: who breaks when the servers switch to a new CA.
 *
 * IDENTIFICATION
 *	  cli/rotation.c
 *
 * NOTES
 *	  The TARGETs are probed concurrently; then the servers the clients
 *	  connect to that no TARGET covers (pgtls_rotation_plan()) are probed
 *	  too, so every client is judged against its own server.  Everything
 *	  shown comes from the library's typed accessors.
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

typedef struct rot_opts
{
	cli_common co;
	const char *newca, *oldca, *canary, *decoy, *apps;
	const char *observed[16]; /* --observed: rehearsal reports */
	int nobserved;
	const char *logs[64]; /* --logs: the servers' logs */
	int nlogs;
	char *paths[CLI_MAX_PATHS], *homes[CLI_MAX_PATHS];
	int npaths;
	bool env;
} rot_opts;

/* a growing list of probes, all freed at the end */
typedef struct probe_list
{
	pgtls_probe **p;
	int n, cap;
} probe_list;

static const char usage[] = "Usage: pgtls rotation --new-ca FILE [--old-ca FILE] [--new-chain-from TARGET]\n"
                            "                      [--clients PATH [--home DIR]]... [--env] [--json|-q]\n"
                            "                      [--apps FILE] [--decoy-report FILE] [--observed FILE]...\n"
                            "                      [--logs FILE]...\n"
                            "                      [--timeout D]\n"
                            "                      [TARGET...]\n"
                            "\n"
                            "Predicts what happens when the servers switch to a certificate from the\n"
                            "CA(s) in FILE: probes each TARGET (as pgtls probe, concurrently), scans\n"
                            "--clients paths (as pgtls clients), maps each client to the server it\n"
                            "connects to (probing those that are not TARGETs), and decides it with its\n"
                            "driver's rules against the chain served now and after the switch:\n"
                            "keeps_working, breaks (with the error it will show and when),\n"
                            "falls_back_to_plaintext (where the server accepts plaintext),\n"
                            "unaffected_unverified, unaffected_no_tls, already_broken or unknown; flags\n"
                            "verify-full clients that connect by a name not in the certificate; gives\n"
                            "the fix; ends with one summary line and GO or NO-GO.\n"
                            "\n"
                            "--old-ca FILE          the CA being replaced: the new CA is FILE of --new-ca\n"
                            "                       less these.  Without it, certificates of the --new-ca\n"
                            "                       file that issue what a TARGET serves now are the old CA.\n"
                            "--new-chain-from TARGET  an instance already switched (a canary): its real\n"
                            "                       chain is what the others will serve.\n"
                            "--clients PATH         a file or directory of client settings (repeatable);\n"
                            "  --home DIR           after it: the HOME of that application (its\n"
                            "                       ~/.postgresql/root.crt and ~/.pg_service.conf).\n"
                            "--env                  the PG* variables and *_URL of this environment too.\n"
                            "--apps FILE            an application manifest (YAML, pgtls(1)): where each\n"
                            "                       application runs, and acknowledged lines.\n"
                            "--decoy-report FILE    a `pgtls impostor --json` report: a client the decoy\n"
                            "                       saw accept a forged certificate does not verify,\n"
                            "                       whatever its settings say (unaffected_unverified).\n"
                            "--observed FILE        a rehearsal's report (`pgtls impostor --mode new-chain\n"
                            "                       or relay --json`; repeatable): what it saw a client\n"
                            "                       do beats what its settings suggest (basis observed;\n"
                            "                       a disagreement is the finding\n"
                            "                       observed_contradicts_inference).  A session that\n"
                            "                       broke and that no client claims makes it NO-GO.\n"
                            "--logs FILE            the servers' logs (repeatable; stderr, csvlog or\n"
                            "                       jsonlog, gzip too, with log_connections): a client\n"
                            "                       seen connecting in plaintext after TLS is\n"
                            "                       falls_back_to_plaintext (basis observed), never\n"
                            "                       keeps_working.\n"
                            "\n"
                            "GO only when no client breaks, falls back or is unknown, every server\n"
                            "was reachable, no file naming a TARGET (or a cloud endpoint) went\n"
                            "unread without acknowledgement (--apps), and no trust file holding only\n"
                            "the old CA is left that no understood client reads.\n"
                            "\n"
                            "--json, --format F     the report as JSON (docs/json-schema.md) or text;\n"
                            "-q                     one status line.\n"
                            "--timeout D            each probe's exchange (default 10s; 5, 2.5, 30s, 5m).\n"
                            "\n"
                            "Exit status: 0 GO, 2 NO-GO (something would break or cannot be told),\n"
                            "3 error.\n";

static void
render_endpoints(const pgtls_rotation *rot)
{
	for (int i = 0; i < pgtls_rotation_nendpoints(rot); i++)
	{
		int on_new = pgtls_rotation_endpoint_on_new_ca(rot, i);
		const char *same = pgtls_rotation_endpoint_same_as(rot, i);

		printf("%s %s: ", pgtls_rotation_endpoint_discovered(rot, i) ? "client's server" : "endpoint",
		       pgtls_rotation_endpoint_target(rot, i));
		if (same[0])
			printf("the same server as %s\n", same);
		else
			printf("%s\n", !pgtls_rotation_endpoint_reachable(rot, i)
			                   ? "UNREACHABLE: nothing can be predicted for its clients"
			               : on_new == 1 ? "already serves a certificate from the new CA"
			               : on_new == 0 ? "still serves a certificate from another CA"
			                             : "serves no certificate");
	}
}

static void
render_rotation(const pgtls_rotation *rot, const pgtls_clients *cl)
{
	int counts[PGTLS_PREDICT_UNKNOWN + 1] = {0};
	int n = pgtls_rotation_nclients(rot);
	static const struct
	{
		const char *label;
		pgtls_rotation_field field;
	} extra[] = {{"server", PGTLS_RF_ENDPOINT},
	             {"error", PGTLS_RF_ERROR},
	             {"when", PGTLS_RF_WHEN},
	             {"why", PGTLS_RF_REASON},
	             {"fix", PGTLS_RF_FIX}};

	render_endpoints(rot);
	printf("\n%-40s %-14s %-22s %-26s\n", "client", "driver", "now", "after the switch");
	for (int i = 0; i < n; i++)
	{
		char where[600];
		pgtls_prediction pr = pgtls_rotation_client_prediction(rot, i);

		counts[pr]++;
		snprintf(where, sizeof(where), "%s:%d", pgtls_rotation_client_get(rot, i, PGTLS_RF_FILE),
		         pgtls_rotation_client_line(rot, i));
		printf("%-40.40s %-14s %-22s %s (%s)\n", where, pgtls_driver_name(pgtls_rotation_client_driver(rot, i)),
		       pgtls_rotation_client_get(rot, i, PGTLS_RF_NOW), pgtls_prediction_name(pr),
		       pgtls_rotation_client_get(rot, i, PGTLS_RF_BASIS));
		for (size_t k = 0; k < sizeof(extra) / sizeof(extra[0]); k++)
			if (pgtls_rotation_client_get(rot, i, extra[k].field)[0])
				printf("%43s %-6s %s\n", "", extra[k].label, pgtls_rotation_client_get(rot, i, extra[k].field));
	}
	for (int i = 0; i < pgtls_clients_nunparsed(cl); i++)
		printf("not understood: %s:%d: %s\n", pgtls_clients_unparsed_file(cl, i), pgtls_clients_unparsed_line(cl, i),
		       pgtls_clients_unparsed_reason(cl, i));
	for (int i = 0; i < pgtls_clients_ntrust_files(cl); i++)
		if (strcmp(pgtls_rotation_trust_file_holds(rot, i), "old_only") == 0)
			printf("stale trust file: %s holds the old CA and not the new one (%d client%s understood to read it)\n",
			       pgtls_clients_trust_file_path(cl, i), pgtls_clients_trust_file_users(cl, i),
			       pgtls_clients_trust_file_users(cl, i) == 1 ? "" : "s");
	if (pgtls_rotation_observed_unattributed(rot) > 0)
		printf("observed: %d rehearsal session%s that no client here claims broke, fell back or proved nothing "
		       "(a refused handshake tells no user: see the rehearsal's report)\n",
		       pgtls_rotation_observed_unattributed(rot), pgtls_rotation_observed_unattributed(rot) == 1 ? "" : "s");
	printf("\n%s: %d client%s:", pgtls_rotation_go(rot) ? "GO" : "NO-GO", n, n == 1 ? "" : "s");
	for (int p = 0; p <= PGTLS_PREDICT_UNKNOWN; p++)
		if (counts[p])
			printf(" %d %s,", counts[p], pgtls_prediction_name((pgtls_prediction)p));
	printf(" %d endpoint%s", pgtls_rotation_nendpoints(rot), pgtls_rotation_nendpoints(rot) == 1 ? "" : "s");
	if (pgtls_clients_nunparsed_total(cl) > 0)
		printf(", %d not understood", pgtls_clients_nunparsed_total(cl));
	printf("\n");
}

/* --logs FILE...: the servers' logs read (format per line) and matched to CL's clients; 0 or CLI_EXIT_UNKNOWN */
static int
apply_logs(pgtls_clients *cl, const char *const *files, int n)
{
	pgtls_logscan *scan = n ? pgtls_logscan_new() : NULL;
	int rc = 0;

	if (n == 0)
		return 0;
	if (scan == NULL)
		return fprintf(stderr, "pgtls rotation: out of memory\n"), CLI_EXIT_UNKNOWN;
	for (int i = 0; i < n && rc == 0; i++)
		if (pgtls_logscan_file(scan, files[i]) != PGTLS_OK)
			rc = fprintf(stderr, "pgtls rotation: --logs %s: %s\n", files[i], pgtls_logscan_errmsg(scan));
	if (rc == 0 && (pgtls_logscan_finish(scan) != PGTLS_OK || pgtls_clients_set_logs(cl, scan) != PGTLS_OK))
		rc = fprintf(stderr, "pgtls rotation: --logs: %s\n", pgtls_logscan_errmsg(scan));
	pgtls_logscan_free(scan);
	return rc ? CLI_EXIT_UNKNOWN : 0;
}

/* one of rotation's own options into O; 0 or CLI_EXIT_UNKNOWN (said) */
static int
take_opt(rot_opts *o, int c, char *arg)
{
	switch (c)
	{
		case 'n':
			o->newca = arg;
			return 0;
		case 'o':
			o->oldca = arg;
			return 0;
		case 'C':
			o->canary = arg;
			return 0;
		case 'c':
			return cli_add_path("rotation", o->paths, o->homes, &o->npaths, arg);
		case 'H':
			return cli_add_home("rotation", o->homes, o->npaths, arg);
		case 'e':
			o->env = true;
			return 0;
		case 'A':
			o->apps = arg;
			return 0;
		case 'D':
			o->decoy = arg;
			return 0;
		case 'L':
			if (o->nlogs >= (int)(sizeof(o->logs) / sizeof(o->logs[0])))
				return cli_usage_error("rotation", "--logs: at most 64 files");
			o->logs[o->nlogs++] = arg;
			return 0;
		case 'O':
			if (o->nobserved >= (int)(sizeof(o->observed) / sizeof(o->observed[0])))
				return cli_usage_error("rotation", "--observed: at most 16 reports");
			o->observed[o->nobserved++] = arg;
			return 0;
		default:
			return cli_try_help("rotation");
	}
}

/* 0 parsed; 1 --help shown; CLI_EXIT_UNKNOWN usage error (said) */
static int
parse_opts(int argc, char **argv, rot_opts *o)
{
	static const struct option longopts[] = {{"new-ca", required_argument, NULL, 'n'},
	                                         {"old-ca", required_argument, NULL, 'o'},
	                                         {"new-chain-from", required_argument, NULL, 'C'},
	                                         {"home", required_argument, NULL, 'H'},
	                                         {"clients", required_argument, NULL, 'c'},
	                                         {"env", no_argument, NULL, 'e'},
	                                         {"decoy-report", required_argument, NULL, 'D'},
	                                         {"observed", required_argument, NULL, 'O'},
	                                         {"logs", required_argument, NULL, 'L'},
	                                         {"apps", required_argument, NULL, 'A'},
	                                         CLI_COMMON_LONGOPTS};
	int c, taken;

	memset(o, 0, sizeof(*o));
	o->co = (cli_common)CLI_COMMON_INIT("rotation", CLI_OFFERS_TIMEOUT);
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1)
	{
		if ((taken = cli_common_opt(&o->co, c, optarg)) < 0)
			return CLI_EXIT_UNKNOWN;
		if (o->co.help)
		{
			fputs(usage, stdout);
			return 1;
		}
		if (!taken && take_opt(o, c, optarg) != 0)
			return CLI_EXIT_UNKNOWN;
	}
	if (o->newca == NULL)
		return cli_usage_error("rotation", "--new-ca FILE is required");
	return 0;
}

/* a new probe of SPEC added to LIST (set up, not run); NULL on error (reported) */
static pgtls_probe *
add_probe(probe_list *list, const char *spec, const rot_opts *o)
{
	pgtls_probe *p = pgtls_probe_new();
	char ms[32];

	if (p && list->n == list->cap)
	{
		int cap = list->cap ? list->cap * 2 : 64;
		pgtls_probe **grown = realloc(list->p, (size_t)cap * sizeof(*grown));

		if (grown == NULL)
		{
			fprintf(stderr, "pgtls rotation: out of memory\n");
			pgtls_probe_free(p);
			return NULL;
		}
		list->p = grown;
		list->cap = cap;
	}
	snprintf(ms, sizeof(ms), "%ld", o->co.timeout_ms);
	if (p == NULL || pgtls_probe_set_target(p, spec) != PGTLS_OK ||
	    pgtls_probe_set_option(p, PGTLS_PROBE_TIMEOUT_MS, ms) != PGTLS_OK ||
	    pgtls_probe_set_option(p, PGTLS_PROBE_ROOTCERT, o->newca) != PGTLS_OK)
	{
		fprintf(stderr, "pgtls rotation: %s: %s\n", spec, p ? pgtls_probe_errmsg(p) : "out of memory");
		pgtls_probe_free(p);
		return NULL;
	}
	list->p[list->n++] = p;
	return p;
}

/* runs LIST->p[FIRST..] concurrently; -1 when one could not run at all (reported) */
static int
run_probes(probe_list *list, int first, const char *label)
{
	pgtls_err *errs = calloc((size_t)(list->n - first + 1), sizeof(*errs));
	int rc = 0;

	if (errs == NULL)
	{
		fprintf(stderr, "pgtls rotation: out of memory\n");
		return -1;
	}
	cli_run_probes(list->p + first, list->n - first, errs, label);
	for (int i = first; i < list->n && rc == 0; i++)
		if (errs[i - first] != PGTLS_OK)
		{
			fprintf(stderr, "pgtls rotation: %s: %s\n", pgtls_probe_get(list->p[i], PGTLS_PF_TARGET),
			        pgtls_probe_errmsg(list->p[i]));
			rc = -1;
		}
	free(errs);
	return rc;
}

/* probes the TARGETs, the canary and the clients' other servers; sets them on ROT; -1 on error (reported) */
static int
probe_all(pgtls_rotation *rot, const pgtls_clients *cl, probe_list *list, char **targets, int ntargets,
          const rot_opts *o)
{
	pgtls_probe *canary = NULL;
	int nplan, first;

	for (int i = 0; i < ntargets; i++)
		if (add_probe(list, targets[i], o) == NULL)
			return -1;
	if (o->canary && (canary = add_probe(list, o->canary, o)) == NULL)
		return -1;
	if (run_probes(list, 0, "probing the TARGETs") != 0)
		return -1;
	if (canary && pgtls_rotation_set_new_chain(rot, canary) != PGTLS_OK)
	{
		fprintf(stderr, "pgtls rotation: --new-chain-from: %s\n", pgtls_rotation_errmsg(rot));
		return -1;
	}
	nplan = pgtls_rotation_plan(rot, cl, (const pgtls_probe *const *)list->p, ntargets);
	if (nplan < 0)
	{
		fprintf(stderr, "pgtls rotation: %s\n", pgtls_rotation_errmsg(rot));
		return -1;
	}
	first = list->n;
	for (int i = 0; i < nplan; i++)
		if (add_probe(list, pgtls_rotation_plan_target(rot, i), o) == NULL)
			return -1;
	if (run_probes(list, first, "probing the clients' servers") != 0)
		return -1;
	for (int i = first; i < list->n; i++)
		if (pgtls_rotation_add_endpoint(rot, list->p[i]) != PGTLS_OK)
		{
			fprintf(stderr, "pgtls rotation: %s\n", pgtls_rotation_errmsg(rot));
			return -1;
		}
	return 0;
}

/* fail before any probing when the new CA file cannot be used */
static bool
new_ca_readable(const char *path)
{
	pgtls_store *st = pgtls_store_new();
	bool ok = st && pgtls_store_load_file(st, path, NULL) == PGTLS_OK;

	if (!ok)
		fprintf(stderr, "pgtls rotation: new CA: %s\n", st ? pgtls_store_errmsg(st) : "out of memory");
	pgtls_store_free(st);
	return ok;
}

static int
report(const pgtls_rotation *rot, const pgtls_clients *cl, const cli_common *co)
{
	int rc = pgtls_rotation_status(rot);

	if (CLI_STATUS_LINE(co))
	{
		int breaks = 0, n = pgtls_rotation_nclients(rot);

		for (int i = 0; i < n; i++)
			breaks += pgtls_rotation_client_prediction(rot, i) == PGTLS_PREDICT_BREAKS ||
			          pgtls_rotation_client_prediction(rot, i) == PGTLS_PREDICT_ALREADY_BROKEN;
		cli_quiet_line(rc, "%s: %d clients, %d break, %d endpoints, %d not understood",
		               pgtls_rotation_go(rot) ? "GO" : "NO-GO", n, breaks, pgtls_rotation_nendpoints(rot),
		               pgtls_clients_nunparsed_total(cl));
	}
	else if (co->out == CLI_OUT_JSON)
		return cli_print_report("rotation", pgtls_rotation_json(rot, 1), rc);
	else
		render_rotation(rot, cl);
	return rc;
}

/* the TARGETs' host names: a file naming one without a client understood is said (not understood) */
static int
target_names(pgtls_clients *cl, char **targets, int n)
{
	for (int i = 0; i < n; i++)
		if (pgtls_clients_add_target_name(cl, targets[i]) != PGTLS_OK)
		{
			fprintf(stderr, "pgtls rotation: %s\n", pgtls_clients_errmsg(cl));
			return -1;
		}
	return 0;
}

int
cli_cmd_rotation(int argc, char **argv)
{
	rot_opts o;
	int rc = CLI_EXIT_UNKNOWN, parsed = parse_opts(argc, argv, &o);
	pgtls_clients *cl = NULL;
	pgtls_rotation *rot = NULL;
	probe_list list = {NULL, 0, 0};

	if (parsed != 0)
		return parsed == 1 ? 0 : CLI_EXIT_UNKNOWN;
	cl = pgtls_clients_new();
	rot = pgtls_rotation_new();
	if (cl == NULL || rot == NULL)
		fprintf(stderr, "pgtls rotation: out of memory\n");
	else if (new_ca_readable(o.newca) && (o.oldca == NULL || pgtls_rotation_set_old_ca(rot, o.oldca) == PGTLS_OK) &&
	         target_names(cl, argv + optind, argc - optind) == 0 &&
	         cli_scan_inputs(cl, o.apps, o.npaths, o.paths, o.homes, NULL, o.env) == 0 &&
	         (o.decoy == NULL || cli_apply_decoy(cl, o.decoy) == 0) &&
	         cli_apply_observed(cl, o.observed, o.nobserved) == 0 && apply_logs(cl, o.logs, o.nlogs) == 0 &&
	         probe_all(rot, cl, &list, argv + optind, argc - optind, &o) == 0)
	{
		if (pgtls_rotation_run(rot, cl, o.newca, (const pgtls_probe *const *)list.p, argc - optind) != PGTLS_OK)
			fprintf(stderr, "pgtls rotation: %s%s\n", pgtls_rotation_errmsg(rot),
			        pgtls_rotation_errcode(rot) == PGTLS_ERR_USAGE ? " (--old-ca FILE, --new-chain-from TARGET)" : "");
		else
			rc = report(rot, cl, &o.co);
	}
	else if (pgtls_rotation_errcode(rot) != PGTLS_OK)
		fprintf(stderr, "pgtls rotation: %s\n", pgtls_rotation_errmsg(rot));
	pgtls_rotation_free(rot);
	for (int i = 0; i < list.n; i++)
		pgtls_probe_free(list.p[i]);
	free(list.p);
	pgtls_clients_free(cl);
	if (fflush(stdout) != 0)
		return CLI_EXIT_UNKNOWN;
	return rc;
}
