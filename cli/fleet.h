/*-------------------------------------------------------------------------
 *
 * fleet.h
 *	  The fleet scheduler (fleet.c): probes on one epoll loop.
 *
 * IDENTIFICATION
 *	  cli/fleet.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_CLI_FLEET_H
#define PGTLS_CLI_FLEET_H

#include <stddef.h>

#include <pgtls/pgtls.h>

typedef struct cli_sched_ops
{
	/* the host of target I (for the per-host limit) */
	const char *(*host)(void *arg, int i);
	/* a probe for target I, ready to start; NULL with WHY when it cannot be made */
	pgtls_probe *(*make)(void *arg, int i, char *why, size_t whylen);
	/* target I could not be probed at all (make failed) */
	void (*failed)(void *arg, int i, const char *why);
	/* target I is finished (ERR: pgtls_probe_finish's or pgtls_probe_start's result); P is freed after */
	void (*done)(void *arg, int i, pgtls_probe *p, pgtls_err err);
	/* progress: DONE of N finished (may be NULL) */
	void (*progress)(void *arg, int done, int n);
} cli_sched_ops;

/* Probes targets 0..N-1, at most CONCURRENCY at once and PER_HOST per host (0: no limit); -1 on error. */
int cli_sched_run(int n, int concurrency, int per_host, const cli_sched_ops *ops, void *arg);

#endif
