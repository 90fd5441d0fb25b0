/*-------------------------------------------------------------------------
 *
 * logreport.c
 *	  Typed results of a log scan: files, totals, per-client tallies
 *	  (sorted), CSV, and the status.
 *
 * IDENTIFICATION
 *	  lib/logparse/logreport.c
 *
 * NOTES
 *	  The accessors read a sorted snapshot of the client table, made on
 *	  first request after the last input (the scan is logically const:
 *	  the snapshot changes no result).
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logparse/pglog_int.h"

const char *const pgtls__log_vnames[V_NVERS] = {"TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1", "other"};

static int
cmp_clients(const void *a, const void *b)
{
	const client *x = a, *y = b;
	int r;

	if ((r = strcmp(x->host, y->host)) != 0)
		return r;
	if ((r = strcmp(x->user, y->user)) != 0)
		return r;
	if ((r = strcmp(x->db, y->db)) != 0)
		return r;
	return strcmp(x->app, y->app);
}

/*
 * The rows to report, sorted: the connections still open with nothing
 * logged after "connection received" count as closed without a startup
 * on their address's row (the log ends there); rows with nothing to show
 * (an address whose connections were all tied to their clients) are left
 * out.
 */
client *
pgtls__logscan_sorted(const pgtls_logscan *s, size_t *n)
{
	client *out = malloc(sizeof(client) * (s->nclients ? s->nclients : 1));
	size_t i, k = 0, kept = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i < s->cap; i++)
		if (s->clients[i].used)
			out[k++] = s->clients[i];
	qsort(out, k, sizeof(client), cmp_clients);
	for (i = 0; s->pids && i < s->pidcap; i++)
	{
		const pidslot *p = &s->pids[i];
		client key, *row;

		if (p->pid <= 0 || p->state != CONN_PENDING || !p->in_window)
			continue;
		memset(&key, 0, sizeof(key));
		memcpy(key.host, p->host, sizeof(key.host));
		if ((row = bsearch(&key, out, k, sizeof(client), cmp_clients)) != NULL)
			row->closed_nostartup++;
	}
	for (i = 0; i < k; i++)
		if (!pgtls__log_row_empty(&out[i]))
			out[kept++] = out[i];
	*n = kept;
	return out;
}

uint64_t
pgtls__log_tls_total(const client *c)
{
	uint64_t t = 0;

	for (int v = 0; v < V_NVERS; v++)
		t += c->tls[v];
	return t;
}

static const client *
snapshot(const pgtls_logscan *cs, size_t i)
{
	pgtls_logscan *s = (pgtls_logscan *)cs; /* cache only */

	if (!s->sorted_valid)
	{
		free(s->sorted);
		s->sorted = pgtls__logscan_sorted(s, &s->nsorted);
		s->sorted_valid = s->sorted != NULL;
		if (s->sorted == NULL)
			s->nsorted = 0;
	}
	return i < s->nsorted ? &s->sorted[i] : NULL;
}

int
pgtls_logscan_nfiles(const pgtls_logscan *s)
{
	return s ? s->nfiles : 0;
}

const char *
pgtls_logscan_file_get(const pgtls_logscan *s, int i, pgtls_logfile_field field)
{
	if (s == NULL || i < 0 || i >= s->nfiles)
		return "";
	if (field == PGTLS_LF_ERROR)
		return s->files[i].error ? s->files[i].error : "";
	if (field == PGTLS_LF_COMPRESSION)
		return s->files[i].compression ? s->files[i].compression : "";
	return field == PGTLS_LF_PATH ? s->files[i].path : s->files[i].format;
}

int64_t
pgtls_logscan_file_count(const pgtls_logscan *s, int i, pgtls_logfile_count what)
{
	if (s == NULL || i < 0 || i >= s->nfiles)
		return 0;
	switch (what)
	{
		case PGTLS_LFC_BYTES:
			return (int64_t)s->files[i].bytes;
		case PGTLS_LFC_RECORDS:
			return (int64_t)s->files[i].records;
		case PGTLS_LFC_GZIP:
			return strcmp(s->files[i].compression, "gzip") == 0;
	}
	return 0;
}

const char *
pgtls_logscan_span(const pgtls_logscan *s, int last)
{
	return s ? (last ? s->last : s->first) : "";
}

int64_t
pgtls_logscan_total(const pgtls_logscan *s, pgtls_log_total what)
{
	uint64_t t = 0;

	if (s == NULL)
		return 0;
	if (what == PGTLS_LT_BYTES)
		return (int64_t)s->bytes;
	if (what == PGTLS_LT_OVERLONG_LINES)
		return (int64_t)s->long_lines;
	if (what == PGTLS_LT_UNTABULATED)
		return (int64_t)s->overflow;
	if (what == PGTLS_LT_EXCLUDED_OWN)
		return (int64_t)s->excluded_own;
	if (what == PGTLS_LT_EXCLUDED)
		return (int64_t)(s->excluded_filter + s->excluded_time);
	if (what == PGTLS_LT_NOT_FOLLOWED)
		return (int64_t)s->not_followed;
	if (what == PGTLS_LT_CLOSED_NO_STARTUP)
		t = pgtls__conn_open(s);
	for (size_t i = 0; i < s->cap; i++)
	{
		const client *c = &s->clients[i];

		if (!c->used)
			continue;
		if (what == PGTLS_LT_TLS)
			t += pgtls__log_tls_total(c);
		else if (what == PGTLS_LT_PLAINTEXT)
			t += c->plaintext;
		else if (what == PGTLS_LT_GSS)
			t += c->gss;
		else if (what == PGTLS_LT_REJECTED)
			t += c->rejected_plain + c->rejected_ssl + c->rejected_local;
		else if (what == PGTLS_LT_LOCAL)
			t += c->local;
		else if (what == PGTLS_LT_TLS_FAILED)
			t += c->tls_failed_total;
		else if (what == PGTLS_LT_FALLBACKS)
			t += c->fallback;
		else if (what == PGTLS_LT_CLOSED_NO_STARTUP)
			t += c->closed_nostartup;
	}
	return (int64_t)t;
}

int
pgtls_logscan_nclients(const pgtls_logscan *s)
{
	if (s == NULL)
		return 0;
	(void)snapshot(s, 0);
	return (int)s->nsorted;
}

const char *
pgtls_logscan_client_get(const pgtls_logscan *s, int i, pgtls_logclient_field field)
{
	const client *c = s && i >= 0 ? snapshot(s, (size_t)i) : NULL;

	if (c == NULL)
		return "";
	switch (field)
	{
		case PGTLS_LC_HOST:
			return c->host;
		case PGTLS_LC_USER:
			return c->user;
		case PGTLS_LC_DATABASE:
			return c->db;
		case PGTLS_LC_APPLICATION:
			return c->app;
		case PGTLS_LC_FIRST_SEEN:
			return c->first;
		case PGTLS_LC_LAST_SEEN:
			return c->last;
		case PGTLS_LC_FALLBACK_SINCE:
			return c->fallback_since;
		case PGTLS_LC_TLS_FAILURES:
		case PGTLS_LC_CLIENT_FAMILIES:
		{
			pgtls_logscan *ms = (pgtls_logscan *)s; /* cache only */

			if (field == PGTLS_LC_TLS_FAILURES)
				pgtls__log_failures_str(c, ms->failbuf, sizeof(ms->failbuf));
			else
				pgtls__log_families_str(c, ms->failbuf, sizeof(ms->failbuf));
			return ms->failbuf;
		}
		case PGTLS_LC_FALLBACK_EVIDENCE:
			return pgtls__log_fallback_evidence(c);
	}
	return "";
}

/*
 * Why a client is said to have fallen back: after_tls (its own TLS
 * sessions before), after_failed_handshake (the retry of its failure),
 * cannot_tell (its plaintext sessions all came right after another
 * connection's failure from the address), or "".
 */
const char *
pgtls__log_fallback_evidence(const client *c)
{
	if (c->fb_kind == FB_AFTER_TLS)
		return "after_tls";
	if (c->fb_kind == FB_AFTER_FAILURE)
		return "after_failed_handshake";
	if (c->fb_cannot_tell && c->plain_unpreceded == 0)
		return "cannot_tell";
	return "";
}

/* "unknown_ca=3 connection_closed=1" */
void
pgtls__log_failures_str(const client *c, char *out, size_t outlen)
{
	size_t n = 0;

	out[0] = '\0';
	for (int r = 0; r < F_NREASONS && n < outlen; r++)
		if (c->tls_failed[r])
			n += (size_t)snprintf(out + n, outlen - n, "%s%s=%llu", n ? " " : "", pgtls__log_fail_names[r],
			                      (unsigned long long)c->tls_failed[r]);
}

int64_t
pgtls_logscan_client_count(const pgtls_logscan *s, int i, pgtls_logclient_count what)
{
	const client *c = s && i >= 0 ? snapshot(s, (size_t)i) : NULL;

	if (c == NULL)
		return 0;
	switch (what)
	{
		case PGTLS_LCC_CONNECTIONS:
			return (int64_t)(pgtls__log_tls_total(c) + c->plaintext + c->gss + c->local);
		case PGTLS_LCC_LOCAL:
			return (int64_t)c->local;
		case PGTLS_LCC_TLS_FAILED:
			return (int64_t)c->tls_failed_total;
		case PGTLS_LCC_TLS13:
			return (int64_t)c->tls[V_TLS13];
		case PGTLS_LCC_TLS12:
			return (int64_t)c->tls[V_TLS12];
		case PGTLS_LCC_TLS_OLDER:
			return (int64_t)(c->tls[V_TLS11] + c->tls[V_TLS10] + c->tls[V_TLS_OTHER]);
		case PGTLS_LCC_PLAINTEXT:
			return (int64_t)c->plaintext;
		case PGTLS_LCC_GSS:
			return (int64_t)c->gss;
		case PGTLS_LCC_REJECTED_PLAINTEXT:
			return (int64_t)c->rejected_plain;
		case PGTLS_LCC_REJECTED_ENCRYPTED:
			return (int64_t)c->rejected_ssl;
		case PGTLS_LCC_CLOSED_NO_STARTUP:
			return (int64_t)c->closed_nostartup;
		case PGTLS_LCC_FALLBACK_CANNOT_TELL:
			return (int64_t)c->fb_cannot_tell;
	}
	return 0;
}

/* 2 clients fail the server's certificate; 1 plaintext, fallbacks or other failed handshakes; else 0 */
int
pgtls_logscan_status(const pgtls_logscan *s)
{
	int st = 0;

	if (s == NULL)
		return 3;
	for (int i = 0; i < s->nfiles; i++)
		if (s->files[i].error)
			return 3; /* a file not read to its end: what it held is not known */
	for (size_t i = 0; i < s->cap; i++)
	{
		const client *c = &s->clients[i];

		if (!c->used)
			continue;
		/* one status whatever the client's alert: unknown_ca (OpenSSL), certificate_unknown (JSSE), a close (Node) */
		if (c->tls_failed_total)
			return 2;
		if (c->plaintext || c->rejected_plain || c->fallback || c->closed_nostartup)
			st = 1;
	}
	return st ? st : pgtls__conn_open(s) ? 1 : 0;
}
