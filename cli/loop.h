/*-------------------------------------------------------------------------
 *
 * loop.h
 *	  The CLI's event loop over the public pgtls_conn API.
 *
 * IDENTIFICATION
 *	  cli/loop.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_CLI_LOOP_H
#define PGTLS_CLI_LOOP_H

#include <pgtls/pgtls.h>

#define CLI_MAX_CONNS 64

/* Steps every connection until done or expired.  Never blocks past the deadlines. */
void cli_run_conns(pgtls_conn **conns, int n);

/* Starts PROBE, drives its connections to the end, and evaluates it.  Returns PGTLS_OK or the probe's error. */
pgtls_err cli_run_probe(pgtls_probe *probe);

#endif
