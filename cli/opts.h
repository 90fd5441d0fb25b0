/*-------------------------------------------------------------------------
 *
 * opts.h
 *	  The CLI contract shared by every command: one duration parser, one
 *	  count parser, the exit codes.
 *
 * IDENTIFICATION
 *	  cli/opts.h
 *
 * NOTES
 *	  As curl's secs2ms(): every --timeout, --duration, --watch and
 *	  --interval goes through cli_duration_ms(), so "2.5" means the same
 *	  under every command and "5x" is refused everywhere.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_CLI_OPTS_H
#define PGTLS_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>

/* the exit codes of every command (docs/man/pgtls.1, README) */
#define CLI_EXIT_OK 0        /* all good */
#define CLI_EXIT_ATTENTION 1 /* needs attention */
#define CLI_EXIT_BROKEN 2    /* something is broken or would break */
#define CLI_EXIT_UNKNOWN 3   /* could not tell: usage, network, input not understood */

/*
 * A duration: a decimal number ("5", "2.5"; no sign, exponent or hex)
 * and an optional unit ms, s, m (or min), h; no unit is seconds.  True
 * with *MS set when it lies within [MIN_MS, MAX_MS] milliseconds.
 */
bool cli_duration_ms(const char *s, long min_ms, long max_ms, long *ms);

/* --timeout: a duration from 1 ms to 1 h, as the library's millisecond string (OUT, OUTLEN bytes) */
bool cli_timeout_arg(const char *s, char *out, size_t outlen);

/* the output a command was asked for: --format, or its shorthands --json and --csv */
typedef enum cli_out
{
	CLI_OUT_TEXT = 0, /* for people ("table" under scan) */
	CLI_OUT_JSON,     /* the documented report (docs/json-schema.md) */
	CLI_OUT_CSV,
	CLI_OUT_METRICS /* OpenMetrics (scan) */
} cli_out;

#define CLI_OFFERS_CSV 1u     /* the command has a CSV output */
#define CLI_OFFERS_METRICS 2u /* the command has an OpenMetrics output */
#define CLI_OFFERS_TIMEOUT 4u /* the command connects: --timeout bounds each exchange */

/* the options every command reads the same way (curl's aliases[] idea: one meaning under every command) */
typedef struct cli_common
{
	const char *cmd; /* "logs", "store merge": for messages */
	unsigned offers; /* CLI_OFFERS_*: outputs beyond text and JSON */
	cli_out out;
	bool quiet;              /* -q: one status line (or, for store merge, what was written) */
	bool help;               /* -h/--help: the command printed its usage, exit 0 */
	long timeout_ms;         /* --timeout (CLI_OFFERS_TIMEOUT); 10 s unless given */
	const char *file_format; /* the option naming the format of the files read or written, or NULL */
} cli_common;

/* CO for command CMD offering OFFERS (CLI_OFFERS_*): text output, 10 s timeout */
#define CLI_COMMON_INIT(cmd, offers)                                                                                   \
	{                                                                                                                  \
		(cmd), (offers), CLI_OUT_TEXT, false, false, 10000, NULL                                                       \
	}

#define CLI_OPT_JSON 1001
#define CLI_OPT_CSV 1002
#define CLI_OPT_FORMAT 1003
#define CLI_OPT_TIMEOUT 1004

/* the shared long options: the end of every command's table */
#define CLI_COMMON_LONGOPTS                                                                                            \
	{"json", no_argument, NULL, CLI_OPT_JSON}, {"csv", no_argument, NULL, CLI_OPT_CSV},                                \
	    {"format", required_argument, NULL, CLI_OPT_FORMAT}, {"quiet", no_argument, NULL, 'q'},                        \
	    {"timeout", required_argument, NULL, CLI_OPT_TIMEOUT}, {"help", no_argument, NULL, 'h'},                       \
	{                                                                                                                  \
		NULL, 0, NULL, 0                                                                                               \
	}

/*
 * -q asks for the one status line instead of the text report; a machine
 * format (--json, --csv, --format) always wins over it, and -q then only
 * silences progress and notes.
 */
#define CLI_STATUS_LINE(co) ((co)->quiet && (co)->out == CLI_OUT_TEXT)

/*
 * A shared option CH with value ARG into CO: 1 taken; 0 not a shared
 * option; -1 a value this command does not offer (said on stderr, with
 * the output formats it does offer).
 */
int cli_common_opt(cli_common *co, int ch, const char *arg);

/* the labels of the exit-code contract: OK, WARNING, CRITICAL, UNKNOWN */
const char *cli_status_label(int status);

/* -q: the one status line "PGTLS LABEL - TEXT" (monitoring-plugin style) on stdout */
void cli_quiet_line(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* prints the report OUT (a JSON document; freed) and returns RC; NULL: "out of memory" said, CLI_EXIT_UNKNOWN */
int cli_print_report(const char *cmd, char *out, int rc);

/* getopt said what was wrong: only "Try "pgtls CMD --help" ..."; returns CLI_EXIT_UNKNOWN */
int cli_try_help(const char *cmd);

/* "Try "pgtls CMD --help" ..." after a usage error; returns CLI_EXIT_UNKNOWN */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* a whole decimal number within [MIN, MAX] (no sign, no trailing text) */
bool cli_count(const char *s, long min, long max, long *out);

#endif
