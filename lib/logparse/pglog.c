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
 *	  with memmem() for "connection", "pg_hba.conf" and "FATAL", and only the lines
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
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <jansson.h>

#include "logparse/pglog_int.h"

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
	pgtls__log_copy_n(ts, 32, p, i);
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

					pgtls__log_copy_n(cand, sizeof(cand), pre + b, k - b);
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
	pgtls__log_event(s, &ev);
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
		pgtls__log_copy_n(ev.ts, sizeof(ev.ts), f[0], fl[0] > 23 ? 23 : fl[0]);
		pgtls__log_copy_n(ev.user, sizeof(ev.user), f[1], fl[1]);
		pgtls__log_copy_n(ev.db, sizeof(ev.db), f[2], fl[2]);
		for (size_t q = 0; q < fl[3] && q < 9 && isdigit((unsigned char)f[3][q]); q++)
			ev.pid = ev.pid * 10 + (f[3][q] - '0');
		/* connection_from: "host:port" (IPv6 has colons: cut at the last) */
		colon = fl[4] ? memrchr(f[4], ':', fl[4]) : NULL;
		if (colon)
			pgtls__log_copy_n(ev.host, sizeof(ev.host), f[4], (size_t)(colon - f[4]));
		else
			pgtls__log_copy_n(ev.host, sizeof(ev.host), f[4], fl[4]);
		ev.severity = f[11];
		ev.sevlen = fl[11];
		ev.msg = f[13];
		ev.msglen = fl[13];
		pgtls__log_event(s, &ev);
	}
	free(copy);
}

/* "host:port" (IPv6 has colons: cut at the last), "[local]" as is */
static void
host_of(const char *from, char *out, size_t outlen)
{
	const char *colon = strrchr(from, ':');

	if (colon && from[0] != '[')
		pgtls__log_copy_n(out, outlen, from, (size_t)(colon - from));
	else
		pgtls__log_copy_n(out, outlen, from, strlen(from));
}

static void parse_stderr(pgtls_logscan *s, const char *line, size_t n);

/*
 * One JSON record: PostgreSQL's jsonlog (message, remote_host, pid,
 * timestamp); CloudNativePG's wrapper ({"record": {csvlog field names}});
 * Google Cloud Logging's export of Cloud SQL ({"textPayload": "a stderr
 * log line"}).
 */
static void
parse_json(pgtls_logscan *s, const char *line, size_t n)
{
	json_error_t je;
	json_t *o = json_loadb(line, n, 0, &je);
	json_t *rec;
	event ev;
	const char *msg, *host, *ts, *text;

	if (o == NULL || !json_is_object(o))
	{
		json_decref(o);
		return;
	}
	memset(&ev, 0, sizeof(ev));
	if ((text = json_string_value(json_object_get(o, "textPayload"))) != NULL)
	{
		parse_stderr(s, text, strlen(text));
		json_decref(o);
		return;
	}
	rec = json_object_get(o, "record");
	if (json_is_object(rec))
	{
		const char *pid = json_string_value(json_object_get(rec, "process_id"));

		msg = json_string_value(json_object_get(rec, "message"));
		host = json_string_value(json_object_get(rec, "connection_from"));
		ts = json_string_value(json_object_get(rec, "log_time"));
		for (size_t q = 0; pid && pid[q] && q < 9 && isdigit((unsigned char)pid[q]); q++)
			ev.pid = ev.pid * 10 + (pid[q] - '0');
		if (host)
			host_of(host, ev.host, sizeof(ev.host));
	}
	else
	{
		msg = json_string_value(json_object_get(o, "message"));
		host = json_string_value(json_object_get(o, "remote_host"));
		ts = json_string_value(json_object_get(o, "timestamp"));
		ev.pid = (int)json_integer_value(json_object_get(o, "pid"));
		if (host)
			pgtls__log_copy_n(ev.host, sizeof(ev.host), host, strlen(host));
	}
	if (msg)
	{
		ev.msg = msg;
		ev.msglen = strlen(msg);
		if (ts)
			pgtls__log_copy_n(ev.ts, sizeof(ev.ts), ts, strlen(ts) > 23 ? 23 : strlen(ts));
		pgtls__log_event(s, &ev);
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
 * memmem() for a marker, or memchr() for a byte of it that is rare in logs
 * (RARE: its offset, or -1) and a compare: memchr() runs several times
 * faster than memmem().
 */
static const char *
find_marker(const char *pos, size_t n, const char *marker, size_t mlen, int rare)
{
	const char *end = pos + n;
	const char *p = pos + rare;

	if (rare < 0)
		return memmem(pos, n, marker, mlen);
	while (n >= mlen && p <= end - mlen + rare && (p = memchr(p, marker[rare], (size_t)(end - mlen + rare + 1 - p))))
	{
		if (memcmp(p - rare, marker, mlen) == 0)
			return p - rare;
		p++;
	}
	return NULL;
}

/*
 * Processes the complete lines of BUF[0..len); returns the offset of the
 * incomplete tail.  Only lines containing a marker are parsed.
 */
static size_t
scan_lines(pgtls_logscan *s, const char *buf, size_t len)
{
	/* "FATAL": what else ends a connection before it is authorized ("password authentication failed") */
	static const char *const markers[] = {"connection", "pg_hba.conf", "FATAL"};
	static const int rare[] = {-1, -1, 0}; /* 'F' */
	enum
	{
		NMARKERS = sizeof(markers) / sizeof(markers[0])
	};
	const char *lastnl = memrchr(buf, '\n', len);
	const char *limit;
	const char *done = buf; /* lines before this were handled */
	size_t mi;

	if (lastnl == NULL)
		return 0;
	limit = lastnl + 1;
	/* merge the hits of the markers in order: scan for the nearest one each time */
	{
		const char *next[NMARKERS];
		const char *pos = buf;

		for (mi = 0; mi < NMARKERS; mi++)
			next[mi] = find_marker(pos, (size_t)(limit - pos), markers[mi], strlen(markers[mi]), rare[mi]);
		for (;;)
		{
			const char *hit;
			const char *ls, *le;
			int w = -1;

			for (mi = 0; mi < NMARKERS; mi++)
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
			for (mi = 0; mi < NMARKERS; mi++)
				if (next[mi] && next[mi] < pos)
					next[mi] = pos < limit
					               ? find_marker(pos, (size_t)(limit - pos), markers[mi], strlen(markers[mi]), rare[mi])
					               : NULL;
		}
	}
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
