/*-------------------------------------------------------------------------
 *
 * pglog.c
 *	  Streaming scan of PostgreSQL server logs for connection TLS usage:
 *	  "connection authorized" lines (PG 13-18, SSL/GSS clauses), "connection
 *	  received" (client address by pid), and pg_hba.conf rejections.
 *
 * IDENTIFICATION
 *	  lib/logparse/pglog.c
 *
 * NOTES
 *	  Speed comes from not looking at most lines: each chunk is searched
 *	  with memmem() for "connection" and "pg_hba.conf", and only the lines
 *	  around a hit are parsed.  Memory is constant: a chunk buffer, a carry
 *	  of at most PGTLS_LOG_MAX_LINE bytes (longer lines are skipped and
 *	  counted), a bounded pid -> host map and a bounded client table.
 *
 *	  Formats: stderr with any log_line_prefix (the message starts after
 *	  the first "SEVERITY:  "; the pid is the last [digits] of the prefix,
 *	  the client from %r "host(port)" or from the pid's "connection
 *	  received" line; a leading "YYYY-MM-DD HH:MM:SS" is the time), csvlog
 *	  and jsonlog (PG15+).  CSV records are taken one line at a time:
 *	  connection messages never contain newlines.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <jansson.h>
#include <zlib.h>

#include "logparse/pglog_int.h"

/* ---- small helpers ---- */

static uint64_t
hash_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h ^ 0xff;
}

static void
copy_n(char *dst, size_t dstlen, const char *src, size_t n)
{
	size_t i;

	if (n >= dstlen)
		n = dstlen - 1;
	for (i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	dst[n] = '\0';
}

static bool
grow_clients(pgtls_logscan *s)
{
	size_t ncap = s->cap * 2;
	client *nc = calloc(ncap, sizeof(client));
	size_t i;

	if (nc == NULL)
		return false;
	for (i = 0; i < s->cap; i++)
	{
		client *c = &s->clients[i];
		size_t h;

		if (!c->used)
			continue;
		h = (size_t)hash_str(hash_str(hash_str(hash_str(14695981039346656037ULL, c->host), c->user), c->db), c->app);
		while (nc[h & (ncap - 1)].used)
			h++;
		nc[h & (ncap - 1)] = *c;
	}
	free(s->clients);
	s->clients = nc;
	s->cap = ncap;
	return true;
}

static client *
get_client(pgtls_logscan *s, const char *host, const char *user, const char *db, const char *app)
{
	size_t h = (size_t)hash_str(hash_str(hash_str(hash_str(14695981039346656037ULL, host), user), db), app);
	client *c;

	/* a known client is always counted, whatever the table holds */
	for (;; h++)
	{
		c = &s->clients[h & (s->cap - 1)];
		if (!c->used)
			break;
		if (strcmp(c->host, host) == 0 && strcmp(c->user, user) == 0 && strcmp(c->db, db) == 0 &&
		    strcmp(c->app, app) == 0)
			return c;
	}
	/* a new one only while fewer than MAX_CLIENTS are tabulated (the rest is counted as untabulated) */
	if (s->nclients >= MAX_CLIENTS)
		goto full;
	if ((s->nclients + 1) * 2 > s->cap)
	{
		if (!grow_clients(s))
			goto full;
		return get_client(s, host, user, db, app);
	}
	c->used = true;
	snprintf(c->host, sizeof(c->host), "%s", host);
	snprintf(c->user, sizeof(c->user), "%s", user);
	snprintf(c->db, sizeof(c->db), "%s", db);
	snprintf(c->app, sizeof(c->app), "%s", app);
	s->nclients++;
	return c;
full:
	s->overflow++;
	return NULL;
}

static void
stamp(pgtls_logscan *s, client *c, const char *ts)
{
	if (ts[0] == '\0')
		return;
	if (c->first[0] == '\0' || strcmp(ts, c->first) < 0)
		snprintf(c->first, sizeof(c->first), "%s", ts);
	if (strcmp(ts, c->last) > 0)
		snprintf(c->last, sizeof(c->last), "%s", ts);
	if (s->first[0] == '\0' || strcmp(ts, s->first) < 0)
		snprintf(s->first, sizeof(s->first), "%s", ts);
	if (strcmp(ts, s->last) > 0)
		snprintf(s->last, sizeof(s->last), "%s", ts);
}

static void
pid_set(pgtls_logscan *s, int pid, const char *host)
{
	pidslot *p;

	if (pid <= 0)
		return;
	if (s->pids == NULL)
	{
		s->pidcap = 256;
		if ((s->pids = calloc(s->pidcap, sizeof(pidslot))) == NULL)
			return; /* without the map, clients are known by their own lines only */
	}
	p = &s->pids[(unsigned)pid & (s->pidcap - 1)];
	/* a collision with another live pid: grow the direct-mapped table (up to PIDMAP_SIZE) */
	while (p->pid > 0 && p->pid != pid && s->pidcap < PIDMAP_SIZE)
	{
		size_t ncap = s->pidcap * 4 > PIDMAP_SIZE ? PIDMAP_SIZE : s->pidcap * 4;
		pidslot *np = calloc(ncap, sizeof(pidslot));

		if (np == NULL)
			break;
		for (size_t i = 0; i < s->pidcap; i++)
			if (s->pids[i].pid > 0)
				np[(unsigned)s->pids[i].pid & (ncap - 1)] = s->pids[i];
		free(s->pids);
		s->pids = np;
		s->pidcap = ncap;
		p = &s->pids[(unsigned)pid & (s->pidcap - 1)];
	}
	p->pid = pid;
	snprintf(p->host, sizeof(p->host), "%s", host);
}

static const char *
pid_get(pgtls_logscan *s, int pid)
{
	pidslot *p;

	if (s->pids == NULL || pid <= 0)
		return NULL;
	p = &s->pids[(unsigned)pid & (s->pidcap - 1)];
	return p->pid == pid ? p->host : NULL;
}

/* a parsed log event, whatever the format */
typedef struct event
{
	const char *msg;
	size_t msglen;
	const char *severity;
	size_t sevlen;
	char ts[32];
	int pid;
	char host[64];        /* from the record itself (%r, csv, json) */
	char user[FIELD_MAX]; /* csv/json user column */
	char db[FIELD_MAX];
} event;

static bool
starts(const char *p, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n >= l && memcmp(p, lit, l) == 0;
}

/* value of KEY= up to a space (or END) inside [p, p+n); false if absent */
static bool
kv(const char *p, size_t n, const char *key, const char *stop, char *out, size_t outlen)
{
	const char *k = memmem(p, n, key, strlen(key));
	const char *v, *e;

	out[0] = '\0';
	if (k == NULL)
		return false;
	v = k + strlen(key);
	e = NULL;
	if (stop)
		e = memmem(v, (size_t)(p + n - v), stop, strlen(stop));
	if (e == NULL)
	{
		e = memchr(v, ' ', (size_t)(p + n - v));
		if (e == NULL)
			e = p + n;
	}
	copy_n(out, outlen, v, (size_t)(e - v));
	return true;
}

/* "..." after KEY in a FATAL pg_hba message */
static void
quoted_after(const char *p, size_t n, const char *key, char *out, size_t outlen)
{
	const char *k = memmem(p, n, key, strlen(key));
	const char *v, *e;

	out[0] = '\0';
	if (k == NULL)
		return;
	v = k + strlen(key);
	e = memchr(v, '"', (size_t)(p + n - v));
	if (e)
		copy_n(out, outlen, v, (size_t)(e - v));
}

static int
tls_version_index(const char *v)
{
	int i;

	for (i = 0; i < V_TLS_OTHER; i++)
		if (strcmp(v, pgtls__log_vnames[i]) == 0)
			return i;
	return V_TLS_OTHER;
}

static void
handle_event(pgtls_logscan *s, event *ev)
{
	const char *m = ev->msg;
	size_t n = ev->msglen;
	const char *host;
	char buf[64];

	if (starts(m, n, "connection received: "))
	{
		if (kv(m, n, "host=", NULL, buf, sizeof(buf)))
			pid_set(s, ev->pid, buf);
		s->matched++;
		return;
	}
	if (starts(m, n, "connection authorized: ") || starts(m, n, "replication connection authorized: "))
	{
		char user[FIELD_MAX], db[FIELD_MAX], app[FIELD_MAX], proto[32];
		const char *ssl = memmem(m, n, " SSL enabled (", 14);
		const char *gss = memmem(m, n, " GSS (", 6);
		const char *appstop = ssl ? " SSL enabled (" : gss ? " GSS (" : NULL;
		client *c;

		kv(m, n, "user=", NULL, user, sizeof(user));
		if (!kv(m, n, "database=", NULL, db, sizeof(db)))
			snprintf(db, sizeof(db), "%s", starts(m, n, "replication") ? "[replication]" : "");
		if (!kv(m, n, "application_name=", appstop, app, sizeof(app)))
			app[0] = '\0';
		host = ev->host[0] ? ev->host : pid_get(s, ev->pid);
		c = get_client(s, host ? host : "unknown", user, db, app);
		s->matched++;
		if (c == NULL)
			return;
		if (ssl)
		{
			kv(ssl, (size_t)(m + n - ssl), "protocol=", ",", proto, sizeof(proto));
			c->tls[tls_version_index(proto)]++;
		}
		else if (gss && memmem(gss, (size_t)(m + n - gss), "encrypted=yes", 13))
			c->gss++;
		else
			c->plaintext++;
		stamp(s, c, ev->ts);
		return;
	}
	if ((starts(m, n, "no pg_hba.conf entry for host \"") ||
	     starts(m, n, "pg_hba.conf rejects connection for host \"")))
	{
		char h[64], user[FIELD_MAX], db[FIELD_MAX];
		client *c;
		bool plain = memmem(m, n, "no encryption", 13) || memmem(m, n, "SSL off", 7);

		quoted_after(m, n, "host \"", h, sizeof(h));
		quoted_after(m, n, "user \"", user, sizeof(user));
		quoted_after(m, n, "database \"", db, sizeof(db));
		c = get_client(s, h[0] ? h : "unknown", user, db, "");
		s->matched++;
		if (c == NULL)
			return;
		if (plain)
			c->rejected_plain++;
		else
			c->rejected_ssl++;
		stamp(s, c, ev->ts);
	}
}

/* ---- per-format record parsing ---- */

static void
leading_ts(const char *p, size_t n, char *ts)
{
	/* "YYYY-MM-DD HH:MM:SS" (optionally .mmm) */
	size_t i = 0;

	ts[0] = '\0';
	if (n < 19 || !isdigit((unsigned char)p[0]) || p[4] != '-' || p[7] != '-' || p[10] != ' ' || p[13] != ':')
		return;
	while (i < n && i < 23 && (isdigit((unsigned char)p[i]) || strchr("-: .", p[i])))
		i++;
	while (i > 19 && (p[i - 1] == ' ' || p[i - 1] == '.'))
		i--;
	copy_n(ts, 32, p, i);
}

static void
parse_stderr(pgtls_logscan *s, const char *line, size_t n)
{
	event ev;
	const char *sev = NULL;
	size_t i;

	memset(&ev, 0, sizeof(ev));
	/* the first "WORD:  " with an upper-case severity word */
	for (i = 2; i + 2 < n && i < 4096; i++)
	{
		if (line[i] == ':' && line[i + 1] == ' ' && line[i + 2] == ' ')
		{
			size_t j = i;

			while (j > 0 && isupper((unsigned char)line[j - 1]))
				j--;
			if (i - j >= 3)
			{
				sev = line + j;
				ev.severity = sev;
				ev.sevlen = i - j;
				ev.msg = line + i + 3;
				ev.msglen = n - (i + 3);
				break;
			}
		}
	}
	if (sev == NULL)
		return;
	leading_ts(line, (size_t)(sev - line), ev.ts);
	/* pid: the last [digits] of the prefix */
	{
		const char *pre = line;
		size_t plen = (size_t)(sev - line);
		size_t k;

		for (k = plen; k > 0; k--)
		{
			if (pre[k - 1] == ']')
			{
				size_t e = k - 1, b = e;
				int pid = 0;

				while (b > 0 && isdigit((unsigned char)pre[b - 1]))
					b--;
				if (b > 0 && pre[b - 1] == '[' && e > b && e - b < 10)
				{
					for (size_t q = b; q < e; q++)
						pid = pid * 10 + (pre[q] - '0');
					ev.pid = pid;
					break;
				}
			}
		}
		/* %r: "host(port)" */
		for (k = 0; k + 1 < plen; k++)
		{
			if (pre[k] == '(' && isdigit((unsigned char)pre[k + 1]))
			{
				size_t b = k;
				size_t e = k + 1;

				while (e < plen && isdigit((unsigned char)pre[e]))
					e++;
				if (e >= plen || pre[e] != ')')
					continue;
				while (b > 0 && (isxdigit((unsigned char)pre[b - 1]) || pre[b - 1] == '.' || pre[b - 1] == ':' ||
				                 isalnum((unsigned char)pre[b - 1]) || pre[b - 1] == '-'))
					b--;
				if (b < k)
				{
					char cand[64];
					struct in6_addr a6;
					char *colon;

					copy_n(cand, sizeof(cand), pre + b, k - b);
					/* "%t:%r" glues the time zone on: keep an IPv6 address whole, else what follows the last ':' */
					colon = strrchr(cand, ':');
					if (colon && inet_pton(AF_INET6, cand, &a6) != 1)
						memmove(cand, colon + 1, strlen(colon + 1) + 1);
					snprintf(ev.host, sizeof(ev.host), "%s", cand);
					break;
				}
			}
		}
	}
	handle_event(s, &ev);
}

/* splits one CSV line into at most NF fields (borrowed, unescaped in place in a copy) */
static int
csv_fields(char *line, size_t n, char **f, size_t *flen, int nf)
{
	size_t i = 0;
	int k = 0;

	while (k < nf)
	{
		if (i < n && line[i] == '"')
		{
			size_t o = i + 1, w = i + 1;

			i++;
			for (;;)
			{
				if (i >= n)
					return -1; /* unterminated (multi-line field) */
				if (line[i] == '"')
				{
					if (i + 1 < n && line[i + 1] == '"')
					{
						line[w++] = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				line[w++] = line[i++];
			}
			f[k] = line + o;
			flen[k] = w - o;
		}
		else
		{
			size_t b = i;

			while (i < n && line[i] != ',')
				i++;
			f[k] = line + b;
			flen[k] = i - b;
		}
		k++;
		if (i >= n)
			break;
		if (line[i] != ',')
			return -1;
		i++;
	}
	return k;
}

static void
parse_csv(pgtls_logscan *s, const char *line, size_t n)
{
	char *copy;
	char *f[16];
	size_t fl[16];
	int k;
	event ev;

	if (n > PGTLS_LOG_MAX_LINE)
		return;
	copy = malloc(n + 1);
	if (copy == NULL)
		return;
	memcpy(copy, line, n);
	k = csv_fields(copy, n, f, fl, 16);
	if (k >= 14)
	{
		const char *colon;

		memset(&ev, 0, sizeof(ev));
		copy_n(ev.ts, sizeof(ev.ts), f[0], fl[0] > 23 ? 23 : fl[0]);
		copy_n(ev.user, sizeof(ev.user), f[1], fl[1]);
		copy_n(ev.db, sizeof(ev.db), f[2], fl[2]);
		for (size_t q = 0; q < fl[3] && q < 9 && isdigit((unsigned char)f[3][q]); q++)
			ev.pid = ev.pid * 10 + (f[3][q] - '0');
		/* connection_from: "host:port" (IPv6 has colons: cut at the last) */
		colon = fl[4] ? memrchr(f[4], ':', fl[4]) : NULL;
		if (colon)
			copy_n(ev.host, sizeof(ev.host), f[4], (size_t)(colon - f[4]));
		else
			copy_n(ev.host, sizeof(ev.host), f[4], fl[4]);
		ev.severity = f[11];
		ev.sevlen = fl[11];
		ev.msg = f[13];
		ev.msglen = fl[13];
		handle_event(s, &ev);
	}
	free(copy);
}

static void
parse_json(pgtls_logscan *s, const char *line, size_t n)
{
	json_error_t je;
	json_t *o = json_loadb(line, n, JSON_DECODE_INT_AS_REAL & 0, &je);
	event ev;
	const char *msg, *host, *ts;

	if (o == NULL || !json_is_object(o))
	{
		json_decref(o);
		return;
	}
	memset(&ev, 0, sizeof(ev));
	msg = json_string_value(json_object_get(o, "message"));
	host = json_string_value(json_object_get(o, "remote_host"));
	ts = json_string_value(json_object_get(o, "timestamp"));
	if (msg)
	{
		ev.msg = msg;
		ev.msglen = strlen(msg);
		if (host)
			copy_n(ev.host, sizeof(ev.host), host, strlen(host));
		if (ts)
			copy_n(ev.ts, sizeof(ev.ts), ts, strlen(ts) > 23 ? 23 : strlen(ts));
		ev.pid = (int)json_integer_value(json_object_get(o, "pid"));
		handle_event(s, &ev);
	}
	json_decref(o);
}

static void
parse_line(pgtls_logscan *s, const char *line, size_t n)
{
	log_format fmt = s->want;

	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (fmt == FMT_AUTO)
	{
		/*
		 * Decided line by line (a file may mix formats, e.g. stderr lines
		 * around csvlog): jsonlog '{', csvlog a date then ','.
		 */
		if (n > 0 && line[0] == '{')
			fmt = FMT_JSON;
		else if (n > 24 && isdigit((unsigned char)line[0]) && memchr(line, ',', n < 40 ? n : 40) &&
		         (line[23] == ',' || memmem(line, n < 40 ? n : 40, " UTC,", 5) ||
		          memmem(line, n < 40 ? n : 40, ",\"", 2)))
			fmt = FMT_CSV;
		else
			fmt = FMT_STDERR;
	}
	{
		uint64_t before = s->matched;

		switch (fmt)
		{
			case FMT_JSON:
				parse_json(s, line, n);
				break;
			case FMT_CSV:
				parse_csv(s, line, n);
				break;
			default:
				parse_stderr(s, line, n);
				break;
		}
		/* the file's format is that of the records it held */
		if (s->matched != before)
			s->seen_formats |= 1u << fmt;
	}
}

/*
 * Processes the complete lines of BUF[0..len); returns the offset of the
 * incomplete tail.  Only lines containing a marker are parsed.
 */
static size_t
scan_lines(pgtls_logscan *s, const char *buf, size_t len)
{
	static const char *const markers[] = {"connection", "pg_hba.conf"};
	const char *end = buf + len;
	const char *lastnl = memrchr(buf, '\n', len);
	const char *limit;
	const char *done = buf; /* lines before this were handled */
	size_t mi;

	if (lastnl == NULL)
		return 0;
	limit = lastnl + 1;
	/* merge the hits of both markers in order: scan for the nearer one each time */
	{
		const char *next[2];
		const char *pos = buf;

		for (mi = 0; mi < 2; mi++)
			next[mi] = memmem(pos, (size_t)(limit - pos), markers[mi], strlen(markers[mi]));
		for (;;)
		{
			const char *hit;
			const char *ls, *le;
			int w = -1;

			for (mi = 0; mi < 2; mi++)
				if (next[mi] && (w < 0 || next[mi] < next[w]))
					w = (int)mi;
			if (w < 0)
				break;
			hit = next[w];
			ls = memrchr(buf, '\n', (size_t)(hit - buf));
			ls = ls ? ls + 1 : buf;
			le = memchr(hit, '\n', (size_t)(limit - hit));
			if (le == NULL)
				le = limit - 1;
			if (ls >= done)
				parse_line(s, ls, (size_t)(le - ls));
			done = le + 1;
			pos = le + 1;
			for (mi = 0; mi < 2; mi++)
				if (next[mi] && next[mi] < pos)
					next[mi] =
					    pos < limit ? memmem(pos, (size_t)(limit - pos), markers[mi], strlen(markers[mi])) : NULL;
		}
	}
	(void)end;
	return (size_t)(limit - buf);
}

/* room for NEED bytes in the chunk buffer (at most LOG_CHUNK + PGTLS_LOG_MAX_LINE + 1) */

static bool
ensure_buf(pgtls_logscan *s, size_t need)
{
	size_t cap = s->bufcap ? s->bufcap : 65536;
	char *grown;

	if (need <= s->bufcap)
		return true;
	while (cap < need)
		cap *= 2;
	if (cap > LOG_CHUNK + PGTLS_LOG_MAX_LINE + 1)
		cap = LOG_CHUNK + PGTLS_LOG_MAX_LINE + 1;
	grown = realloc(s->buf, cap);
	if (grown == NULL)
		return false;
	s->buf = grown;
	s->bufcap = cap;
	return true;
}

pgtls_err
pgtls_logscan_feed(pgtls_logscan *s, const char *data, size_t len)
{
	if (s)
		s->sorted_valid = false; /* counts change: the accessors' snapshot is stale */
	if (s == NULL || (data == NULL && len))
		return PGTLS_ERR_USAGE;
	s->bytes += len;
	while (len > 0)
	{
		size_t take = len < LOG_CHUNK ? len : LOG_CHUNK;
		size_t used;
		size_t total;

		if (s->skipping)
		{
			/* drop the rest of an overlong line */
			const char *nl = memchr(data, '\n', take);

			if (nl == NULL)
			{
				data += take;
				len -= take;
				continue;
			}
			s->skipping = false;
			take = (size_t)(nl - data) + 1;
			data += take;
			len -= take;
			continue;
		}
		if (!ensure_buf(s, s->carry + take + 1))
			return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
		memcpy(s->buf + s->carry, data, take);
		total = s->carry + take;
		data += take;
		len -= take;
		used = scan_lines(s, s->buf, total);
		s->carry = total - used;
		if (s->carry > PGTLS_LOG_MAX_LINE)
		{
			s->long_lines++;
			s->carry = 0;
			s->skipping = true;
		}
		else if (s->carry && used)
			memmove(s->buf, s->buf + used, s->carry);
	}
	return PGTLS_OK;
}

void
pgtls__logscan_flush(pgtls_logscan *s)
{
	s->sorted_valid = false;
	if (s->carry && !s->skipping)
	{
		s->buf[s->carry] = '\n';
		(void)scan_lines(s, s->buf, s->carry + 1);
	}
	s->carry = 0;
	s->skipping = false;
}

pgtls_err
pgtls_logscan_finish(pgtls_logscan *s)
{
	if (s == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__logscan_flush(s);
	return PGTLS_OK;
}
