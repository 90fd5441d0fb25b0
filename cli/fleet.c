/*-------------------------------------------------------------------------
 *
 * fleet.c
 *	  The fleet scheduler: many probes on one epoll loop, a sliding window
 *	  of at most CONCURRENCY probes in flight (and at most PER_HOST per
 *	  host), each result handed over and freed as soon as it is complete.
 *
 * IDENTIFICATION
 *	  cli/fleet.c
 *
 * NOTES
 *	  epoll (Linux) rather than poll: the loop waits on up to 3 sockets per
 *	  probe in flight, thousands at a time, and epoll's cost does not grow
 *	  with the number of idle sockets; no library is needed for it (the
 *	  library's connections are non-blocking state machines that expose
 *	  their fd, wanted direction and deadline).  A connection may change
 *	  its socket when it goes on to the host's next address: the
 *	  registration follows the fd.  Memory is one slot per probe in
 *	  flight.  Name resolution runs when a probe starts, bounded by the
 *	  probe's timeout.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "loop.h"
#include "fleet.h"

#define SLOT_CONNS 3

typedef struct slot
{
	pgtls_probe *p; /* NULL: free */
	int index;      /* target index */
	int nconns;
	pgtls_step want[SLOT_CONNS];
	int fd[SLOT_CONNS]; /* registered fd, or -1 */
	char host[256];
} slot;

typedef struct sched
{
	int ep;
	slot *slots;
	int nslots;
	int active;
	const cli_sched_ops *ops;
	void *arg;
} sched;

static void
watch(sched *s, int si, int ci)
{
	slot *sl = &s->slots[si];
	int fd = sl->want[ci] == PGTLS_STEP_DONE ? -1 : pgtls_conn_fd(pgtls_probe_conn(sl->p, ci));
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.data.u64 = (uint64_t)si * SLOT_CONNS + (uint64_t)ci;
	ev.events = sl->want[ci] == PGTLS_STEP_WANT_READ ? EPOLLIN : EPOLLOUT;
	if (sl->fd[ci] >= 0 && sl->fd[ci] != fd)
	{
		/* the old socket may be closed already (then the kernel dropped it) */
		(void)epoll_ctl(s->ep, EPOLL_CTL_DEL, sl->fd[ci], NULL);
		sl->fd[ci] = -1;
	}
	if (fd < 0)
		return;
	if (sl->fd[ci] == fd)
		(void)epoll_ctl(s->ep, EPOLL_CTL_MOD, fd, &ev);
	else if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) == 0)
		sl->fd[ci] = fd;
}

static bool
slot_done(const slot *sl)
{
	for (int k = 0; k < sl->nconns; k++)
		if (sl->want[k] != PGTLS_STEP_DONE)
			return false;
	return true;
}

static void
finish_slot(sched *s, int si)
{
	slot *sl = &s->slots[si];
	pgtls_err err = pgtls_probe_finish(sl->p);

	for (int k = 0; k < sl->nconns; k++)
		if (sl->fd[k] >= 0)
			(void)epoll_ctl(s->ep, EPOLL_CTL_DEL, sl->fd[k], NULL);
	s->ops->done(s->arg, sl->index, sl->p, err);
	pgtls_probe_free(sl->p);
	sl->p = NULL;
	s->active--;
}

static int
host_count(const sched *s, const char *host)
{
	int n = 0;

	for (int i = 0; i < s->nslots; i++)
		if (s->slots[i].p && strcmp(s->slots[i].host, host) == 0)
			n++;
	return n;
}

/* Starts target INDEX in slot SI; a probe that cannot start is reported as done at once. */
static void
start_slot(sched *s, int si, int index, pgtls_probe *p)
{
	slot *sl = &s->slots[si];
	pgtls_err err = pgtls_probe_start(p);

	memset(sl, 0, sizeof(*sl));
	sl->p = p;
	sl->index = index;
	snprintf(sl->host, sizeof(sl->host), "%s", pgtls_probe_get(p, PGTLS_PF_HOST));
	for (int k = 0; k < SLOT_CONNS; k++)
		sl->fd[k] = -1;
	s->active++;
	if (err != PGTLS_OK)
	{
		/* unresolvable, or a usage error: reported with its message, never dropped */
		s->ops->done(s->arg, index, p, err);
		pgtls_probe_free(p);
		sl->p = NULL;
		s->active--;
		return;
	}
	sl->nconns = pgtls_probe_nconns(p) < SLOT_CONNS ? pgtls_probe_nconns(p) : SLOT_CONNS;
	for (int k = 0; k < sl->nconns; k++)
	{
		sl->want[k] = pgtls_conn_step(pgtls_probe_conn(p, k));
		watch(s, si, k);
	}
	if (slot_done(sl))
		finish_slot(s, si);
}

/*
 * Fills free slots from the queue of targets not started yet: the first
 * one (looking at most LOOKAHEAD ahead) whose host has fewer than PER_HOST
 * probes in flight.
 */
#define LOOKAHEAD 1024

static void
fill(sched *s, int *queue, int *nqueue, int per_host)
{
	for (int si = 0; si<s->nslots && * nqueue> 0; si++)
	{
		int pick = -1, index;
		pgtls_probe *p;
		char why[512];

		if (s->slots[si].p)
			continue;
		for (int q = 0; q < *nqueue && q < LOOKAHEAD && pick < 0; q++)
			if (per_host <= 0 || host_count(s, s->ops->host(s->arg, queue[q])) < per_host)
				pick = q;
		if (pick < 0)
			return; /* every queued host is at its limit: wait for a slot */
		index = queue[pick];
		memmove(queue + pick, queue + pick + 1, (size_t)(*nqueue - pick - 1) * sizeof(int));
		(*nqueue)--;
		p = s->ops->make(s->arg, index, why, sizeof(why));
		if (p == NULL)
		{
			s->ops->failed(s->arg, index, why);
			si--; /* the slot is still free */
			continue;
		}
		start_slot(s, si, index, p);
	}
}

static int
next_timeout(sched *s, int64_t now)
{
	int64_t next = -1;

	for (int si = 0; si < s->nslots; si++)
	{
		slot *sl = &s->slots[si];

		for (int k = 0; sl->p && k < sl->nconns; k++)
		{
			pgtls_conn *c = pgtls_probe_conn(sl->p, k);

			if (sl->want[k] == PGTLS_STEP_DONE)
				continue;
			if (pgtls_conn_deadline(c) <= now)
			{
				sl->want[k] = pgtls_conn_expire(c); /* may go on to the next address */
				watch(s, si, k);
				if (sl->want[k] == PGTLS_STEP_DONE)
					continue;
			}
			if (next < 0 || pgtls_conn_deadline(c) < next)
				next = pgtls_conn_deadline(c);
		}
		if (sl->p && slot_done(sl))
			finish_slot(s, si);
	}
	return next < 0 ? 1000 : (int)(next - now > 0 ? next - now : 0);
}

int
cli_sched_run(int n, int concurrency, int per_host, const cli_sched_ops *ops, void *arg)
{
	sched s;
	struct epoll_event evs[256];
	int nqueue = n;
	int *queue = calloc((size_t)(n > 0 ? n : 1), sizeof(int));

	memset(&s, 0, sizeof(s));
	s.ops = ops;
	s.arg = arg;
	s.nslots = concurrency;
	s.slots = calloc((size_t)concurrency, sizeof(slot));
	s.ep = epoll_create1(EPOLL_CLOEXEC);
	if (s.slots == NULL || queue == NULL || s.ep < 0)
	{
		free(s.slots);
		free(queue);
		if (s.ep >= 0)
			close(s.ep);
		return -1;
	}
	for (int i = 0; i < n; i++)
		queue[i] = i;
	for (;;)
	{
		int nev, timeout;

		fill(&s, queue, &nqueue, per_host);
		if (s.active == 0 && nqueue == 0)
			break;
		timeout = next_timeout(&s, pgtls_now_ms());
		if (s.active == 0)
			continue;
		nev = epoll_wait(s.ep, evs, (int)(sizeof(evs) / sizeof(evs[0])), timeout);
		if (nev < 0 && errno != EINTR)
			break;
		for (int e = 0; e < nev; e++)
		{
			int si = (int)(evs[e].data.u64 / SLOT_CONNS), ci = (int)(evs[e].data.u64 % SLOT_CONNS);
			slot *sl = &s.slots[si];

			if (sl->p == NULL || ci >= sl->nconns || sl->want[ci] == PGTLS_STEP_DONE)
				continue;
			sl->want[ci] = pgtls_conn_step(pgtls_probe_conn(sl->p, ci));
			watch(&s, si, ci);
			if (slot_done(sl))
				finish_slot(&s, si);
		}
		if (ops->progress)
			ops->progress(arg, n - nqueue - s.active, n);
	}
	for (int si = 0; si < s.nslots; si++)
		if (s.slots[si].p)
		{
			/* the loop failed: what is in flight expires, and is reported */
			slot *sl = &s.slots[si];

			for (int k = 0; k < sl->nconns; k++)
				while (sl->want[k] != PGTLS_STEP_DONE)
					sl->want[k] = pgtls_conn_expire(pgtls_probe_conn(sl->p, k));
			finish_slot(&s, si);
		}
	close(s.ep);
	free(s.slots);
	free(queue);
	return 0;
}
