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

/*
 * --format VALUE of command CMD: "text" (or "table"), "json", or "csv"
 * when CSV is not NULL; sets *JSON / *CSV.  False, with a one-line error
 * naming ALLOWED, otherwise.
 */
bool cli_output_format(const char *cmd, const char *value, const char *allowed, bool *json, bool *csv);

/* a whole decimal number within [MIN, MAX] (no sign, no trailing text) */
bool cli_count(const char *s, long min, long max, long *out);

#endif
