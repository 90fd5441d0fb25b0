/*-------------------------------------------------------------------------
 *
 * cli.h
 *	  Sub-commands of the pgtls command.
 *
 * IDENTIFICATION
 *	  cli/cli.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_CLI_H
#define PGTLS_CLI_H

#include <stdbool.h>

#include "opts.h"

/* pgtls store ...: ARGV[0] is "store" */
int cli_cmd_store(int argc, char **argv);
int cli_cmd_logs(int argc, char **argv);
int cli_cmd_server(int argc, char **argv);
int cli_cmd_connections(int argc, char **argv);
int cli_cmd_clients(int argc, char **argv);
int cli_cmd_rotation(int argc, char **argv);
int cli_cmd_scan(int argc, char **argv);
int cli_cmd_exporter(int argc, char **argv);
int cli_cmd_impostor(int argc, char **argv);

struct pgtls_clients;
/* impostor.c: --decoy-report FILE applied to CL; 0 or CLI_EXIT_UNKNOWN (message printed) */
int cli_apply_decoy(struct pgtls_clients *cl, const char *report);
/* --observed FILE...: rehearsal reports applied to CL; 0 or CLI_EXIT_UNKNOWN (message printed) */
int cli_apply_observed(struct pgtls_clients *cl, const char *const *reports, int n);
/* impostor.c: a sentence for a PGTLS_CL_DECOY code */
const char *cli_decoy_words(const char *finding);
/* the PATHs (clients) or --clients PATHs (rotation) one command takes */
#define CLI_MAX_PATHS 64
/* clients.c: PATH added to PATHS (its HOMES entry NULL); --home HOME for the PATH before it; 0 or CLI_EXIT_UNKNOWN */
int cli_add_path(const char *cmd, char **paths, char **homes, int *npaths, char *path);
int cli_add_home(const char *cmd, char **homes, int npaths, char *home);
/* clients.c: scans ARGV[0..ARGC-1] (HOMES[i] or HOME the application's HOME) and, with ENV, the environment */
int cli_scan_inputs(struct pgtls_clients *c, const char *apps, int argc, char **argv, char **homes, const char *home,
                    bool env);

struct pgtls_logscan;
/* follow.c: pgtls logs --follow FILE; reads until SIGINT/SIGTERM; 0 or CLI_EXIT_UNKNOWN */
int cli_logs_follow(struct pgtls_logscan *scan, const char *arg, const char *log_format);

/*
 * The logs' window and filters, spelt the same by every command that reads
 * logs (pgtls logs, pgtls server --what-if-enforced): the long options, and
 * their letters.
 */
#define CLI_LOG_FILTER_LONGOPTS                                                                                        \
	{"since", required_argument, NULL, 'S'}, {"until", required_argument, NULL, 'U'},                                  \
	    {"exclude-user", required_argument, NULL, 'u'}, {"exclude-app", required_argument, NULL, 'a'},                 \
	{                                                                                                                  \
		"include-pgtls", no_argument, NULL, 'P'                                                                        \
	}
#define CLI_LOG_FILTER_LETTERS "SUuaP"
/* logs.c: filter option C (a letter above) with ARG set on SCAN; false (said as "pgtls CMD: ...") on a bad value */
bool cli_log_filter(struct pgtls_logscan *scan, const char *cmd, int c, const char *arg);
const char *cli_log_family_text(const char *family);

struct pgtls_server;
/* the logs' window and filters given to a command that reads logs (option letter as pgtls logs has it, value) */
typedef struct cli_log_filters
{
	int opt[32]; /* 'S' since, 'U' until, 'u' exclude-user, 'a' exclude-app, 'P' include-pgtls */
	const char *arg[32];
	int n;
} cli_log_filters;

/* enforce.c: pgtls server --what-if-enforced; returns the exit status */
int cli_what_if_enforced(struct pgtls_server *srv, char **logs, int nlogs, const cli_common *co,
                         const cli_log_filters *lf);

#endif
