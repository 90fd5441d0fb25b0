/*-------------------------------------------------------------------------
 *
 * loop.c
 *	  poll(2) event loop driving pgtls_conn state machines.
 *
 * IDENTIFICATION
 *	  cli/loop.c
 *
 * NOTES
 *	  poll() is enough here: a probe drives at most three sockets, and
 *	  poll is portable and needs no extra dependency.  The library never
 *	  owns a loop, so a scanner of many servers can swap in epoll/libuv.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "loop.h"

void
cli_run_conns(pgtls_conn **conns, int n)
{
	pgtls_step want[CLI_MAX_CONNS];
	struct pollfd pfd[CLI_MAX_CONNS];
	int map[CLI_MAX_CONNS];
	int i;

	if (n > CLI_MAX_CONNS)
		n = CLI_MAX_CONNS;
	for (i = 0; i < n; i++)
		want[i] = pgtls_conn_step(conns[i]);

	for (;;)
	{
		int np = 0;
		int64_t now = pgtls_now_ms();
		int64_t next = -1;
		int rc;

		for (i = 0; i < n; i++)
		{
			int64_t dl;

			if (want[i] == PGTLS_STEP_DONE)
				continue;
			dl = pgtls_conn_deadline(conns[i]);
			if (dl <= now)
			{
				/* a connection may go on to its host's next address */
				want[i] = pgtls_conn_expire(conns[i]);
				if (want[i] == PGTLS_STEP_DONE)
					continue;
				dl = pgtls_conn_deadline(conns[i]);
			}
			if (next < 0 || dl < next)
				next = dl;
			pfd[np].fd = pgtls_conn_fd(conns[i]);
			pfd[np].events = want[i] == PGTLS_STEP_WANT_READ ? POLLIN : POLLOUT;
			pfd[np].revents = 0;
			map[np] = i;
			np++;
		}
		if (np == 0)
			return;
		rc = poll(pfd, (nfds_t)np, (int)(next - now));
		if (rc < 0 && errno != EINTR)
		{
			/* cannot wait any more: let every connection time out */
			for (i = 0; i < n; i++)
				while (want[i] != PGTLS_STEP_DONE)
					want[i] = pgtls_conn_expire(conns[i]);
			return;
		}
		for (i = 0; rc > 0 && i < np; i++)
			if (pfd[i].revents)
				want[map[i]] = pgtls_conn_step(conns[map[i]]);
	}
}

pgtls_err
cli_run_probe(pgtls_probe *probe)
{
	pgtls_conn *conns[CLI_MAX_CONNS];
	int n;

	if (pgtls_probe_start(probe) != PGTLS_OK)
		return pgtls_probe_errcode(probe);
	n = pgtls_probe_nconns(probe);
	if (n > CLI_MAX_CONNS)
		n = CLI_MAX_CONNS;
	for (int i = 0; i < n; i++)
		conns[i] = pgtls_probe_conn(probe, i);
	cli_run_conns(conns, n);
	return pgtls_probe_finish(probe);
}

void
cli_run_probes(pgtls_probe **probes, int n, pgtls_err *errs, const char *label)
{
	bool progress = label && n > 1 && isatty(STDERR_FILENO);

	for (int first = 0; first < n; first += CLI_PROBE_BATCH)
	{
		pgtls_conn *conns[CLI_MAX_CONNS];
		int nc = 0, last = first + CLI_PROBE_BATCH < n ? first + CLI_PROBE_BATCH : n;

		for (int i = first; i < last; i++)
		{
			errs[i] = pgtls_probe_start(probes[i]);
			for (int k = 0; errs[i] == PGTLS_OK && k < pgtls_probe_nconns(probes[i]) && nc < CLI_MAX_CONNS; k++)
				conns[nc++] = pgtls_probe_conn(probes[i], k);
		}
		cli_run_conns(conns, nc);
		for (int i = first; i < last; i++)
			if (errs[i] == PGTLS_OK)
				errs[i] = pgtls_probe_finish(probes[i]);
		if (progress)
			fprintf(stderr, "\r%s: %d/%d", label, last, n);
	}
	if (progress)
		fprintf(stderr, "\n");
}
