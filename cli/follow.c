/*-------------------------------------------------------------------------
 *
 * follow.c
 *	  pgtls logs --follow FILE|DIR|PATTERN: like tail -F, reads what the
 *	  log holds, then prints a line as soon as a client fails a TLS
 *	  handshake, falls back to plaintext, connects without TLS, is
 *	  rejected or closes after the handshake without a startup -- the
 *	  first time each happens while following.  It survives rotation: the
 *	  file renamed and re-created or truncated; with a directory or a
 *	  pattern, each new file PostgreSQL starts (log_filename with strftime
 *	  escapes, RDS's hourly names, log_rotation_age) is followed from its
 *	  start; a single file that stops growing while a newer one beside it
 *	  grows is warned about.
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
#include <glob.h>
#include <limits.h>
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

#define SETTLE_MS 2000  /* a connection received this long ago (log time) with nothing else logged has closed */
#define LOOK_EVERY 5    /* polls (200 ms) between looks for a newer file */
#define STALE_S 10      /* a file not grown for this long while a newer one grows: warned about */
#define FOLLOWED_MAX 64 /* files remembered as followed */

/* what is followed: one file, or the newest file of a directory or a glob pattern */
typedef struct follow_target
{
	const char *arg;
	bool many;    /* a directory or a pattern */
	bool classed; /* a directory: only the files of one destination's class */
	char pattern[PATH_MAX];
	const char *suffix;  /* directory: ".csv", ".json", or NULL (stderr files: neither) */
	char path[PATH_MAX]; /* the file followed now */
	int fd;
	struct stat st;
	time_t grew; /* when it last grew (monotonic seconds) */
	bool warned;
	struct
	{
		dev_t dev;
		ino_t ino;
	} done[FOLLOWED_MAX]; /* the files followed so far (a ring): never read twice */
	int ndone;
} follow_target;

/* T has followed the file of ST already */
static bool
followed(const follow_target *t, const struct stat *st)
{
	for (int i = 0; i < t->ndone && i < FOLLOWED_MAX; i++)
		if (t->done[i].dev == st->st_dev && t->done[i].ino == st->st_ino)
			return true;
	return false;
}

static void
remember(follow_target *t, const struct stat *st)
{
	if (followed(t, st))
		return;
	t->done[t->ndone % FOLLOWED_MAX].dev = st->st_dev;
	t->done[t->ndone % FOLLOWED_MAX].ino = st->st_ino;
	t->ndone++;
}

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
	char conn[48] = "";

	if (!first_time(st, key_of(e)))
		return;
	if (e->pid > 0)
		snprintf(conn, sizeof(conn), " [pid %d%s%s]", e->pid, e->port[0] ? ", port " : "", e->port);
	if (e->kind == PGTLS_LOGEV_TLS_FAILED)
		printf("%s  FAILED    %s%s: TLS handshake failed (%s): %s\n", e->when[0] ? e->when : "-", e->host, conn,
		       e->detail, cli_log_family_text(e->family));
	else if (e->kind == PGTLS_LOGEV_CLOSED_NO_STARTUP)
		printf("%s  CLOSED    %s%s: closed before authentication, nothing else logged (a verify-full client that "
		       "rejected the server's name or certificate, a port check, or a client asked for a password it did "
		       "not have)\n",
		       e->when[0] ? e->when : "-", e->host, conn);
	else
		printf("%s  %s %s %s@%s \"%s\"%s: %s\n", e->when[0] ? e->when : "-",
		       e->kind == PGTLS_LOGEV_REJECTED      ? "REJECTED "
		       : strcmp(e->detail, "fallback") == 0 ? "FALLBACK "
		                                            : "PLAINTEXT",
		       e->host, e->user, e->database, e->application_name, conn,
		       e->kind == PGTLS_LOGEV_REJECTED      ? "plaintext attempt rejected by pg_hba.conf"
		       : strcmp(e->detail, "fallback") == 0 ? "connected WITHOUT TLS after its own TLS or failed handshake: "
		                                              "it fell back"
		       : strcmp(e->detail, "cannot_tell") == 0
		           ? "connected without TLS right after a failed handshake from its address (another "
		             "connection came in between: cannot tell whether it fell back)"
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

static time_t
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
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

/* the class of a log file name, as PostgreSQL names its destinations: ".csv", ".json", or NULL (stderr) */
static const char *
suffix_of(const char *path)
{
	size_t n = strlen(path);

	if (n > 4 && strcmp(path + n - 4, ".csv") == 0)
		return ".csv";
	if (n > 5 && strcmp(path + n - 5, ".json") == 0)
		return ".json";
	return NULL;
}

/* files that are archives, not logs being written (logrotate's compression) */
static bool
archived(const char *path)
{
	static const char *const ext[] = {".gz", ".bz2", ".xz", ".zst", ".lz4"};
	size_t n = strlen(path);

	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (n > strlen(ext[i]) && strcmp(path + n - strlen(ext[i]), ext[i]) == 0)
			return true;
	return false;
}

static bool
newer(const struct stat *a, const char *apath, const struct stat *b, const char *bpath)
{
	if (a->st_mtim.tv_sec != b->st_mtim.tv_sec)
		return a->st_mtim.tv_sec > b->st_mtim.tv_sec;
	if (a->st_mtim.tv_nsec != b->st_mtim.tv_nsec)
		return a->st_mtim.tv_nsec > b->st_mtim.tv_nsec;
	return strcmp(apath, bpath) > 0;
}

/*
 * A regular file matching PATTERN, not followed yet, into OUT (and its
 * stat): the newest, or with AFTER the oldest of those newer than AFTER
 * (files are read in the order PostgreSQL wrote them, none skipped); with
 * CLASSED, only the files of SUFFIX's class (a directory holds stderr,
 * csvlog and jsonlog files side by side) and no archives; SKIP left out.
 */
static bool
pick_file(const follow_target *t, const char *pattern, bool classed, const char *suffix, const char *skip,
          const struct stat *after, const char *after_path, char *out, size_t outlen, struct stat *outst)
{
	glob_t g;
	struct stat st;
	bool found = false;

	if (glob(pattern, GLOB_NOSORT, NULL, &g) != 0)
		return false;
	for (size_t i = 0; i < g.gl_pathc; i++)
	{
		const char *p = g.gl_pathv[i];

		if (stat(p, &st) != 0 || !S_ISREG(st.st_mode) || (skip && strcmp(p, skip) == 0) || followed(t, &st))
			continue;
		if (classed && (suffix_of(p) != suffix || archived(p)))
			continue;
		if (after && !newer(&st, p, after, after_path))
			continue;
		if (!found || (after ? newer(outst, out, &st, p) : newer(&st, p, outst, out)))
		{
			snprintf(out, outlen, "%s", p);
			*outst = st;
			found = true;
		}
	}
	globfree(&g);
	return found;
}

/* T from the argument: a directory, a pattern, or a file */
static void
target_init(follow_target *t, const char *arg, const char *log_format)
{
	struct stat st;

	memset(t, 0, sizeof(*t));
	t->arg = arg;
	t->fd = -1;
	if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
	{
		t->many = true;
		t->classed = true;
		t->suffix = log_format && strcmp(log_format, "csv") == 0    ? ".csv"
		            : log_format && strcmp(log_format, "json") == 0 ? ".json"
		                                                            : NULL;
		snprintf(t->pattern, sizeof(t->pattern), "%s/*", arg);
	}
	else if (strpbrk(arg, "*?["))
	{
		t->many = true;
		snprintf(t->pattern, sizeof(t->pattern), "%s", arg);
	}
	else
		snprintf(t->path, sizeof(t->path), "%s", arg);
}

/* opens the file to follow (the newest one of a directory or pattern); -1 with errno when not there */
static int
target_open(follow_target *t)
{
	struct stat st;

	if (t->many && !pick_file(t, t->pattern, t->classed, t->suffix, NULL, NULL, NULL, t->path, sizeof(t->path), &st))
	{
		errno = ENOENT;
		return -1;
	}
	t->fd = open_log(t->path, &t->st);
	t->grew = now_s();
	if (t->fd >= 0)
		remember(t, &t->st);
	return t->fd;
}

/* drains the file followed now and moves to NEXT from its start; false on a read error */
static bool
move_to(pgtls_logscan *scan, follow_target *t, const char *next, char *buf, size_t buflen)
{
	struct stat st;
	int fd;

	if (!drain(scan, t->fd, buf, buflen))
		return false;
	if ((fd = open_log(next, &st)) < 0)
		return true;                            /* gone again: looked for at the next turn */
	if (pgtls_logscan_finish(scan) != PGTLS_OK) /* the old file's last partial line */
	{
		close(fd);
		return false;
	}
	close(t->fd);
	t->fd = fd;
	t->st = st;
	t->grew = now_s();
	t->warned = false;
	remember(t, &st);
	fprintf(stderr, "pgtls logs: following %s (PostgreSQL started a new file)\n", next);
	snprintf(t->path, sizeof(t->path), "%s", next);
	return true;
}

/* one FILE: warn once when it has stopped growing while a newer file of its kind beside it grows */
static void
warn_if_newer_grows(follow_target *t, const struct stat *cur)
{
	const char *slash = strrchr(t->path, '/');
	char dir[PATH_MAX], pattern[PATH_MAX + 2], pick[PATH_MAX];
	struct stat st;

	if (t->warned || now_s() - t->grew < STALE_S)
		return;
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == t->path ? 1 : (int)(slash - t->path), t->path);
	snprintf(pattern, sizeof(pattern), "%.*s*", slash ? (int)(slash - t->path + 1) : 0, t->path);
	if (pick_file(t, pattern, true, suffix_of(t->path), t->path, NULL, NULL, pick, sizeof(pick), &st) &&
	    newer(&st, pick, cur, t->path) && time(NULL) - st.st_mtime < STALE_S)
	{
		fprintf(stderr,
		        "pgtls logs: warning: %s has not grown for %d s while %s grows: PostgreSQL writes a new file "
		        "(log_filename); follow the directory or a pattern instead: pgtls logs --follow %s\n",
		        t->path, STALE_S, pick, dir);
		t->warned = true;
	}
}

/*
 * A directory or pattern: move to each newer file PostgreSQL starts, in
 * turn, the current one drained first.  One file: warn_if_newer_grows().
 * False on a read error.
 */
static bool
look_for_newer(pgtls_logscan *scan, follow_target *t, char *buf, size_t buflen)
{
	char next[PATH_MAX];
	struct stat st, cur;

	if (fstat(t->fd, &cur) != 0)
		return true;
	if (!t->many)
	{
		warn_if_newer_grows(t, &cur);
		return true;
	}
	for (int k = 0; k < FOLLOWED_MAX && !follow_stop; k++)
	{
		if (!pick_file(t, t->pattern, t->classed, t->suffix, t->path, &cur, t->path, next, sizeof(next), &st))
			return true;
		if (!move_to(scan, t, next, buf, buflen))
			return false;
		if (strcmp(t->path, next) != 0 || fstat(t->fd, &cur) != 0)
			return true; /* gone again: looked for at the next turn */
	}
	return true;
}

/* the file was renamed and re-created, or truncated: read the new one from its start */
static void
reopen_if_rotated(pgtls_logscan *scan, follow_target *t, int *rc)
{
	struct stat now;
	off_t pos = lseek(t->fd, 0, SEEK_CUR);
	int nfd;

	if (stat(t->path, &now) != 0)
		return;
	if (now.st_size > t->st.st_size)
		t->grew = now_s();
	if (!(now.st_ino != t->st.st_ino || now.st_dev != t->st.st_dev || now.st_size < pos))
	{
		t->st.st_size = now.st_size;
		return;
	}
	if ((nfd = open_log(t->path, &now)) < 0)
		return;
	if (pgtls_logscan_finish(scan) != PGTLS_OK)
		*rc = CLI_EXIT_UNKNOWN;
	close(t->fd);
	t->fd = nfd;
	t->st = now;
	t->grew = now_s();
	remember(t, &now);
}

/* what the log holds already: counted, not announced (unless it appeared after following began) */
static int
follow_start(pgtls_logscan *scan, follow_target *t, follow_state *st, char *buf, size_t buflen)
{
	bool waited = false;

	while (target_open(t) < 0 && !follow_stop)
	{
		if (errno != ENOENT)
		{
			fprintf(stderr, "pgtls logs: cannot follow \"%s\": %s\n", t->many ? t->path : t->arg, strerror(errno));
			return CLI_EXIT_UNKNOWN;
		}
		nap(500); /* not there yet (tail -F waits): all it will hold is new */
		waited = true;
	}
	if (waited)
		pgtls_logscan_set_event_cb(scan, on_event, st);
	if (t->fd >= 0 && !drain(scan, t->fd, buf, buflen))
		return CLI_EXIT_UNKNOWN;
	pgtls_logscan_set_event_cb(scan, on_event, st);
	if (t->fd >= 0)
		fprintf(stderr, "pgtls logs: following %s%s%s%s (Ctrl-C to stop and print the report)\n", t->path,
		        t->many ? " (the newest of " : "", t->many ? t->arg : "", t->many ? "; and each newer file)" : "");
	return 0;
}

int
cli_logs_follow(pgtls_logscan *scan, const char *arg, const char *log_format)
{
	follow_state st = {calloc(SEEN_MAX, sizeof(uint64_t)), 0};
	follow_target t;
	struct sigaction sa;
	size_t buflen = 1 << 20;
	char *buf = malloc(buflen);
	int rc, turn = 0;

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
	target_init(&t, arg, log_format);
	rc = follow_start(scan, &t, &st, buf, buflen);
	while (t.fd >= 0 && rc == 0 && !follow_stop)
	{
		if (!drain(scan, t.fd, buf, buflen))
		{
			fprintf(stderr, "pgtls logs: read error on \"%s\": %s\n", t.path, strerror(errno));
			rc = CLI_EXIT_UNKNOWN;
			break;
		}
		pgtls_logscan_settle(scan, SETTLE_MS);
		reopen_if_rotated(scan, &t, &rc);
		if (++turn % LOOK_EVERY == 0 && !look_for_newer(scan, &t, buf, buflen))
			rc = CLI_EXIT_UNKNOWN;
		nap(200);
	}
	if (t.fd >= 0)
		close(t.fd);
	if (pgtls_logscan_finish(scan) != PGTLS_OK)
		rc = CLI_EXIT_UNKNOWN;
	pgtls_logscan_set_event_cb(scan, NULL, NULL);
	free(st.seen);
	free(buf);
	return rc;
}
