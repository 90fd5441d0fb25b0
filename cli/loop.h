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

#define CLI_MAX_CONNS 256
/* probes driven at once by cli_run_probes() (each has up to 3 connections) */
#define CLI_PROBE_BATCH 64

/* Steps every connection until done or expired.  Never blocks past the deadlines. */
void cli_run_conns(pgtls_conn **conns, int n);

/* Starts PROBE, drives its connections to the end, and evaluates it.  Returns PGTLS_OK or the probe's error. */
pgtls_err cli_run_probe(pgtls_probe *probe);

/*
 * Runs N probes, CLI_PROBE_BATCH at a time concurrently; ERRS[i] is probe
 * i's result (its message is on the probe).  With LABEL and a terminal on
 * stderr, shows progress there.
 */
void cli_run_probes(pgtls_probe **probes, int n, pgtls_err *errs, const char *label);

#endif
