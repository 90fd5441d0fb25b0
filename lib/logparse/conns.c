/*-------------------------------------------------------------------------
 *
 * conns.c
 *	  Each connection the log shows, by its backend's pid: its client
 *	  address and port ("connection received"), its rank among the
 *	  address's connections, and what became of it.  From these: the
 *	  connections that closed without a startup, the client family a failed
 *	  handshake points to, and whether a plaintext session is the retry of
 *	  the same client's failed handshake (the fallback) or cannot be told
 *	  apart from one.
 *
 * IDENTIFICATION
 *	  lib/logparse/conns.c
 *
 * NOTES
 *	  What the server logs (PostgreSQL 15, log_connections = on), each
 *	  pinned by tests/integration/test_switchday.py with the real client:
 *	  - libpq (psql, psycopg2), asyncpg: OpenSSL sends the alert unknown_ca
 *	    ("could not accept SSL connection: tlsv1 alert unknown ca");
 *	  - pgjdbc: JSSE sends certificate_unknown for a CA it does not trust;
 *	  - node-postgres: Node checks the certificate and the name after
 *	    OpenSSL's handshake and destroys the socket: "EOF detected";
 *	  - libpq and pgjdbc with verify-full check the host name after the
 *	    handshake and close: the server logs "connection received" and
 *	    nothing else (ProcessStartupPacket() logs no EOF before a startup),
 *	    exactly as for a port check.
 *	  Go's crypto/tls sends bad_certificate for any verification failure
 *	  (handshake_client.go verifyServerCertificate(): c.sendAlert(
 *	  alertBadCertificate)); no Go toolchain runs here, so that mapping is
 *	  from the source, not a test.
 *
 *	  The fallback: libpq's sslmode=prefer (and allow) retries without TLS
 *	  at once after a failed handshake (fe-connect.c, "if (conn->sslmode[0]
 *	  == 'p') ... retry without SSL").  Only a client that verifies with
 *	  OpenSSL sends the alerts such a retry can follow: pgjdbc's and
 *	  Node's failures come from verify modes, which never fall back.  The
 *	  retry is the next connection received from the address; when another
 *	  one came in between, whose session is the retry cannot be told.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logparse/pglog_int.h"

#define RETRY_WINDOW_MS 1000 /* a retry is received within this after the failure is logged */
#define RETRY_EARLY_MS 100   /* ... or this much before (two backends write the log) */

/* N digits at P as a number, or -1 */
static int
digits(const char *p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
	{
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/*
 * "YYYY-MM-DD HH:MM:SS[.mmm]" -> milliseconds since the epoch (the zone
 * does not matter here: only differences are used); 0 if none.  Parsed by
 * hand, days from the civil date (H. Hinnant's days_from_civil): strptime()
 * and timegm() cost more than the rest of a record.
 */
int64_t
pgtls__log_ms(const char *ts)
{
	int y = digits(ts, 4), m, d, hh, mm, ss;
	int64_t ms = 0, era, yoe, doy, doe, days;

	if (y < 0 || ts[4] != '-' || (m = digits(ts + 5, 2)) < 1 || m > 12 || ts[7] != '-' || (d = digits(ts + 8, 2)) < 1 ||
	    d > 31 || (ts[10] != ' ' && ts[10] != 'T') || (hh = digits(ts + 11, 2)) < 0 || ts[13] != ':' ||
	    (mm = digits(ts + 14, 2)) < 0 || ts[16] != ':' || (ss = digits(ts + 17, 2)) < 0)
		return 0;
	if (ts[19] == '.')
		for (int k = 1; k <= 3; k++)
			ms = ms * 10 + (isdigit((unsigned char)ts[19 + k]) ? ts[19 + k] - '0' : 0);
	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	days = era * 146097 + doe - 719468;
	return ((days * 24 + hh) * 60 + mm) * 60000 + ss * 1000 + ms;
}

/* strlcpy: the received line's fields are copied for each connection (snprintf is slow) */
static void
copy(char *dst, size_t dstlen, const char *src)
{
	size_t n = strnlen(src, dstlen - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* the connection under PID, or NULL */
pidslot *
pgtls__conn_of(pgtls_logscan *s, int pid)
{
	pidslot *p;

	if (s->pids == NULL || pid <= 0)
		return NULL;
	p = &s->pids[(unsigned)pid & (s->pidcap - 1)];
	return p->pid == pid ? p : NULL;
}

/* a connection that closed without a startup: counted on its address's row */
static void
closed(pgtls_logscan *s, pidslot *p)
{
	client *addr;

	p->state = CONN_SEEN;
	if (!p->in_window || pgtls__log_is_local(p->host))
		return;
	addr = pgtls__log_get_client(s, p->host, "", "", "");
	if (addr == NULL)
		return;
	addr->closed_nostartup++;
	pgtls__log_notify(s, PGTLS_LOGEV_CLOSED_NO_STARTUP, addr, p->ts, "", "", p);
}

/* the slot for PID, the direct-mapped table grown on a collision with another live pid (up to PIDMAP_SIZE) */
static pidslot *
slot_for(pgtls_logscan *s, int pid)
{
	pidslot *p;

	if (s->pids == NULL)
	{
		s->pidcap = 256;
		if ((s->pids = calloc(s->pidcap, sizeof(pidslot))) == NULL)
			return NULL;
	}
	p = &s->pids[(unsigned)pid & (s->pidcap - 1)];
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
	return p;
}

/* "connection received: host=H port=P" */
void
pgtls__conn_received(pgtls_logscan *s, const event *ev, const char *host, const char *port)
{
	pidslot *p;
	client *addr = NULL;

	if (ev->pid <= 0)
	{
		/* without the pid, what becomes of the connection cannot be tied to it */
		if (!pgtls__log_is_local(host) && pgtls__log_in_window(s, ev->ts))
			s->not_followed++;
		return;
	}
	if ((p = slot_for(s, ev->pid)) == NULL)
	{
		s->not_followed++;
		return;
	}
	if (p->pid == ev->pid && p->state == CONN_PENDING)
		closed(s, p); /* the pid came back: its earlier connection ended with nothing logged */
	else if (p->pid > 0 && p->pid != ev->pid && p->state == CONN_PENDING && p->in_window &&
	         !pgtls__log_is_local(p->host))
		s->not_followed++; /* the table is full: that one is no longer followed */
	memset(p, 0, sizeof(*p));
	p->pid = ev->pid;
	copy(p->host, sizeof(p->host), host);
	copy(p->port, sizeof(p->port), port);
	copy(p->ts, sizeof(p->ts), ev->ts);
	p->ms = ev->ms;
	p->in_window = pgtls__log_in_window(s, ev->ts);
	if (pgtls__log_is_local(host))
	{
		p->state = CONN_SEEN; /* Unix-socket connections: no TLS, nothing to follow */
		return;
	}
	p->state = CONN_PENDING;
	if ((addr = pgtls__log_get_client(s, host, "", "", "")) != NULL)
	{
		p->seq = ++addr->recv_seq;
		addr->recent[p->seq % RECENT_PIDS] = p->pid;
	}
}

const char *const pgtls__log_family_names[NFAMILIES] = {"openssl", "jsse", "node", "go"};

/* the client family the alert of a failed handshake points to, or "" */
const char *
pgtls__log_family(int reason)
{
	switch (reason)
	{
		case F_UNKNOWN_CA:
			return pgtls__log_family_names[0];
		case F_CERT_UNKNOWN:
			return pgtls__log_family_names[1];
		case F_EOF:
			return pgtls__log_family_names[2];
		case F_BAD_CERT:
			return pgtls__log_family_names[3];
		default:
			return "";
	}
}

/* C's failed handshakes by family, in the order of pgtls__log_family_names */
void
pgtls__log_family_counts(const client *c, uint64_t counts[NFAMILIES])
{
	memset(counts, 0, sizeof(uint64_t) * NFAMILIES);
	for (int r = 0; r < F_NREASONS; r++)
		for (int f = 0; f < NFAMILIES; f++)
			if (strcmp(pgtls__log_family(r), pgtls__log_family_names[f]) == 0)
				counts[f] += c->tls_failed[r];
}

/* "openssl=2 jsse=1" */
void
pgtls__log_families_str(const client *c, char *out, size_t outlen)
{
	uint64_t k[NFAMILIES];
	size_t n = 0;

	out[0] = '\0';
	pgtls__log_family_counts(c, k);
	for (int f = 0; f < NFAMILIES && n < outlen; f++)
		if (k[f])
			n += (size_t)snprintf(out + n, outlen - n, "%s%s=%llu", n ? " " : "", pgtls__log_family_names[f],
			                      (unsigned long long)k[f]);
}

/* a failed handshake from ADDR's address: one a libpq client may retry in plaintext is remembered */
void
pgtls__conn_failed(client *addr, const pidslot *conn, int reason, int64_t ms)
{
	if (reason == F_CERT_UNKNOWN || reason == F_EOF)
		return; /* JSSE and Node: their verify modes do not fall back */
	addr->cand_ms = ms;
	addr->cand_seq = conn ? conn->seq : 0;
	addr->cand_claimed = false;
}

/*
 * Whether a connection from ADDR's address received between ranks FROM and
 * TO (both excluded) may be the plaintext retry: any but those that used
 * TLS or GSS, failed their handshake, or were pgtls's own; and any when
 * more came in between than the address's row remembers.
 */
static bool
retry_between(pgtls_logscan *s, const client *addr, uint64_t from, uint64_t to)
{
	if (to - from > RECENT_PIDS)
		return true;
	for (uint64_t q = from + 1; q < to; q++)
	{
		const pidslot *p = pgtls__conn_of(s, addr->recent[q % RECENT_PIDS]);

		if (p == NULL || p->seq != q || p->outcome == OUT_UNKNOWN)
			return true;
	}
	return false;
}

/*
 * A plaintext session of C (CONN: its connection, if the log ties it):
 * FB_AFTER_FAILURE when it is the retry of a failed handshake (in the
 * window, and no connection received from the address in between could
 * be that retry instead); FB_NONE otherwise, with fb_cannot_tell counted
 * when it came in the window but another one could have been the retry.
 */
int
pgtls__conn_plaintext(pgtls_logscan *s, client *c, const pidslot *conn, int64_t ms)
{
	client *addr = pgtls__log_find_client(s, c->host, "", "", "");
	int64_t at = conn && conn->ms ? conn->ms : ms;
	int64_t d;

	if (addr == NULL || addr->cand_ms == 0 || addr->cand_claimed || at == 0)
	{
		c->plain_unpreceded++;
		return FB_NONE;
	}
	d = at - addr->cand_ms;
	if (d < -RETRY_EARLY_MS || d > RETRY_WINDOW_MS)
	{
		c->plain_unpreceded++;
		return FB_NONE;
	}
	if (conn && addr->cand_seq && conn->seq > addr->cand_seq && !retry_between(s, addr, addr->cand_seq, conn->seq))
	{
		addr->cand_claimed = true;
		return FB_AFTER_FAILURE;
	}
	c->fb_cannot_tell++;
	return FB_NONE;
}

/* connections still open with nothing logged after "connection received" (in the window) */
uint64_t
pgtls__conn_open(const pgtls_logscan *s)
{
	uint64_t n = 0;

	for (size_t i = 0; s->pids && i < s->pidcap; i++)
	{
		const pidslot *p = &s->pids[i];

		n += p->pid > 0 && p->state == CONN_PENDING && p->in_window;
	}
	return n;
}

void
pgtls_logscan_settle(pgtls_logscan *s, int64_t older_than_ms)
{
	if (s == NULL || s->pids == NULL || s->newest_ms == 0)
		return;
	for (size_t i = 0; i < s->pidcap; i++)
	{
		pidslot *p = &s->pids[i];

		if (p->pid > 0 && p->state == CONN_PENDING && p->ms && p->ms < s->newest_ms - older_than_ms)
		{
			closed(s, p);
			s->sorted_valid = false;
		}
	}
}

/* a row with nothing to show (an address whose connections were all tied to their clients) */
bool
pgtls__log_row_empty(const client *c)
{
	return pgtls__log_tls_total(c) + c->plaintext + c->gss + c->local + c->rejected_plain + c->rejected_ssl +
	           c->rejected_local + c->tls_failed_total + c->closed_nostartup ==
	       0;
}
