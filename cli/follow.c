/*-------------------------------------------------------------------------
 *
 * follow.c
 *	  pgtls logs --follow FILE: like tail -F, reads what the log holds,
 *	  then prints a line as soon as a client fails a TLS handshake, falls
 *	  back to plaintext, connects without TLS or is rejected -- the first
 *	  time each happens while following -- and survives log rotation
 *	  (the file renamed and re-created, or truncated).
 *
 * IDENTIFICATION
 *	  cli/follow.c
 *
 * NOTES
 *	  Stops on SIGINT or SIGTERM (then prints the report as without
 *	  --follow).  The only process state the CLI keeps is the signal flag.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <pgtls/pgtls.h>

#include "cli.h"

#define SEEN_MAX 16384 /* distinct (client, event) pairs announced; power of two */

static volatile sig_atomic_t follow_stop;

static void
on_signal(int sig)
{
	(void)sig;
	follow_stop = 1;
}

typedef struct follow_state
{
	uint64_t *seen; /* open-addressing set of announced keys (0 = empty) */
	int nseen;
} follow_state;

static uint64_t
key_of(const pgtls_log_event *e)
{
	const char *parts[] = {e->host, e->user, e->database, e->application_name, e->detail};
	uint64_t h = 14695981039346656037ULL ^ (uint64_t)e->kind;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
	{
		for (const char *p = parts[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		h = (h ^ 0x1f) * 1099511628211ULL;
	}
	return h ? h : 1;
}

/* true the first time KEY is seen (and while the set has room) */
static bool
first_time(follow_state *st, uint64_t key)
{
	size_t i = (size_t)key & (SEEN_MAX - 1);

	for (;; i = (i + 1) & (SEEN_MAX - 1))
	{
		if (st->seen[i] == key)
			return false;
		if (st->seen[i] == 0)
			break;
	}
	if (st->nseen >= SEEN_MAX / 2)
		return true; /* full: say it again rather than never */
	st->seen[i] = key;
	st->nseen++;
	return true;
}

static void
on_event(void *arg, const pgtls_log_event *e)
{
	follow_state *st = arg;
	const char *what;

	if (e->kind == PGTLS_LOGEV_PLAINTEXT && strcmp(e->detail, "fallback") == 0)
		what = "FALLBACK ";
	else if (e->kind == PGTLS_LOGEV_PLAINTEXT)
		what = "PLAINTEXT";
	else if (e->kind == PGTLS_LOGEV_REJECTED)
		what = "REJECTED ";
	else
		what = "FAILED   ";
	if (!first_time(st, key_of(e)))
		return;
	if (e->kind == PGTLS_LOGEV_TLS_FAILED)
		printf("%s  %s %s: TLS handshake failed (%s)\n", e->when[0] ? e->when : "-", what, e->host, e->detail);
	else
		printf("%s  %s %s %s@%s \"%s\": %s\n", e->when[0] ? e->when : "-", what, e->host, e->user, e->database,
		       e->application_name,
		       e->kind == PGTLS_LOGEV_REJECTED      ? "plaintext attempt rejected by pg_hba.conf"
		       : strcmp(e->detail, "fallback") == 0 ? "connected WITHOUT TLS after using TLS (or right after a "
		                                              "failed handshake): it fell back"
		                                            : "connected without TLS");
	fflush(stdout);
}

static int
open_log(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0 && (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)))
	{
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

static void
nap(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	(void)nanosleep(&ts, NULL);
}

/* Reads FD to its end into SCAN; false on a read error. */
static bool
drain(pgtls_logscan *scan, int fd, char *buf, size_t buflen)
{
	for (;;)
	{
		ssize_t n = read(fd, buf, buflen);

		if (n > 0)
		{
			if (pgtls_logscan_feed(scan, buf, (size_t)n) != PGTLS_OK)
				return false;
			continue;
		}
		if (n < 0 && errno == EINTR && !follow_stop)
			continue;
		return n == 0 || errno == EINTR;
	}
}

int
cli_logs_follow(pgtls_logscan *scan, const char *path)
{
	follow_state st = {calloc(SEEN_MAX, sizeof(uint64_t)), 0};
	struct sigaction sa;
	struct stat cur, now;
	char *buf = malloc(1 << 20);
	int fd, rc = 0;
	bool waited = false;

	if (st.seen == NULL || buf == NULL)
	{
		fprintf(stderr, "pgtls logs: out of memory\n");
		free(st.seen);
		free(buf);
		return CLI_EXIT_UNKNOWN;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while ((fd = open_log(path, &cur)) < 0 && !follow_stop)
	{
		if (errno != ENOENT)
		{
			fprintf(stderr, "pgtls logs: cannot follow \"%s\": %s\n", path, strerror(errno));
			rc = CLI_EXIT_UNKNOWN;
			goto out;
		}
		nap(500); /* not there yet (tail -F waits): all it will hold is new */
		waited = true;
	}
	/* what the log held already when following began: counted, not announced */
	if (waited)
		pgtls_logscan_set_event_cb(scan, on_event, &st);
	if (fd >= 0 && !drain(scan, fd, buf, 1 << 20))
		rc = CLI_EXIT_UNKNOWN;
	pgtls_logscan_set_event_cb(scan, on_event, &st);
	fprintf(stderr, "pgtls logs: following %s (Ctrl-C to stop and print the report)\n", path);
	while (fd >= 0 && rc == 0 && !follow_stop)
	{
		off_t pos;

		if (!drain(scan, fd, buf, 1 << 20))
		{
			fprintf(stderr, "pgtls logs: read error on \"%s\": %s\n", path, strerror(errno));
			rc = CLI_EXIT_UNKNOWN;
			break;
		}
		pos = lseek(fd, 0, SEEK_CUR);
		if (stat(path, &now) == 0 && (now.st_ino != cur.st_ino || now.st_dev != cur.st_dev || now.st_size < pos))
		{
			/* rotated (a new file under the name) or truncated: read the new one from its start */
			int nfd = open_log(path, &now);

			if (nfd >= 0)
			{
				if (pgtls_logscan_finish(scan) != PGTLS_OK)
					rc = CLI_EXIT_UNKNOWN;
				close(fd);
				fd = nfd;
				cur = now;
				continue;
			}
		}
		nap(200);
	}
	if (fd >= 0)
		close(fd);
	if (pgtls_logscan_finish(scan) != PGTLS_OK)
		rc = CLI_EXIT_UNKNOWN;
	pgtls_logscan_set_event_cb(scan, NULL, NULL);
out:
	free(st.seen);
	free(buf);
	return rc;
}
