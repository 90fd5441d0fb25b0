/*-------------------------------------------------------------------------
 *
 * inventory.c
 *	  pgtls connections: pg_stat_ssl x pg_stat_activity sampled over
 *	  time, sessions identified by (pid, backend_start).
 *
 * IDENTIFICATION
 *	  lib/server/inventory.c
 *
 * NOTES
 *	  libpq calls are blocking, bounded by connect_timeout and
 *	  statement_timeout.  Queries use only columns present in PostgreSQL
 *	  10-17.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "server/server_int.h"

#define MAX_SESSIONS 1000000
#define MAX_EXCLUDE 64

/* ======================================================================
 * pgtls connections: inventory over time
 * ====================================================================== */

typedef struct session
{
	int pid;
	char start[40]; /* backend_start: with pid, the session's identity */
	char addr[64];
	char user[128];
	char db[128];
	char app[128];
	char ssl[8]; /* "yes", "no" */
	char version[16];
	char cipher[64];
	int bits;
	char first[40];
	char last[40];
	bool used;
} session;

struct group;

struct pgtls_inventory
{
	pgtls_errslot err;
	PGconn *conn;
	char *exclude[MAX_EXCLUDE];
	int nexclude;
	session *sess;
	size_t cap;
	size_t n;
	int samples;
	int failed_samples; /* samples that could not be taken: sessions in those gaps were missed */
	int hidden_max;     /* other users' sessions we may not see */
	char first[40];
	char last[40];
	char server_version[32];
	int timeout_s;        /* per query */
	struct group *groups; /* snapshot for the accessors, made on first request after a sample */
	size_t ngroups;
	bool groups_valid;
};

pgtls_inventory *
pgtls_inventory_new(void)
{
	pgtls_inventory *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return NULL;
	v->cap = 256;
	v->sess = calloc(v->cap, sizeof(session));
	if (v->sess == NULL)
	{
		free(v);
		return NULL;
	}
	return v;
}

void
pgtls_inventory_free(pgtls_inventory *v)
{
	int i;

	if (v == NULL)
		return;
	if (v->conn)
		PQfinish(v->conn);
	for (i = 0; i < v->nexclude; i++)
		free(v->exclude[i]);
	free(v->sess);
	free(v->groups);
	free(v);
}

pgtls_err
pgtls_inventory_errcode(const pgtls_inventory *v)
{
	return v ? v->err.code : PGTLS_ERR_USAGE;
}

const char *
pgtls_inventory_errmsg(const pgtls_inventory *v)
{
	return v ? v->err.msg : "no inventory";
}

pgtls_err
pgtls_inventory_exclude_user(pgtls_inventory *v, const char *user)
{
	if (v == NULL || user == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&v->err);
	if (v->nexclude >= MAX_EXCLUDE)
		return pgtls__seterr(&v->err, PGTLS_ERR_USAGE, "at most %d users can be excluded", MAX_EXCLUDE);
	v->exclude[v->nexclude] = strdup(user);
	if (v->exclude[v->nexclude] == NULL)
		return pgtls__seterr(&v->err, PGTLS_ERR_OOM, "out of memory");
	v->nexclude++;
	return PGTLS_OK;
}

pgtls_err
pgtls_inventory_connect(pgtls_inventory *v, const char *conninfo, int timeout_s)
{
	if (v == NULL || conninfo == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&v->err);
	v->timeout_s = timeout_s > 0 ? timeout_s : 10;
	v->conn = pgtls__server_login(&v->err, conninfo, v->timeout_s);
	if (v->conn == NULL)
		return v->err.code;
	snprintf(v->server_version, sizeof(v->server_version), "%s",
	         PQparameterStatus(v->conn, "server_version") ? PQparameterStatus(v->conn, "server_version") : "");
	if (PQserverVersion(v->conn) < 100000)
	{
		pgtls__seterr(&v->err, PGTLS_ERR_USAGE, "PostgreSQL %s is too old: pg_stat_ssl.version needs 10 or later",
		              v->server_version);
		PQfinish(v->conn);
		v->conn = NULL;
		return v->err.code;
	}
	return PGTLS_OK;
}

static uint64_t
sess_hash(int pid, const char *start)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)pid;

	for (; *start; start++)
		h = (h ^ (unsigned char)*start) * 1099511628211ULL;
	return h;
}

static session *
sess_get(pgtls_inventory *v, int pid, const char *start, bool *isnew)
{
	size_t h;

	if (v->n * 2 >= v->cap)
	{
		size_t ncap = v->cap * 2;
		session *ns;
		size_t i;

		if (v->n >= MAX_SESSIONS || (ns = calloc(ncap, sizeof(session))) == NULL)
			return NULL;
		for (i = 0; i < v->cap; i++)
			if (v->sess[i].used)
			{
				size_t k = (size_t)sess_hash(v->sess[i].pid, v->sess[i].start);

				while (ns[k & (ncap - 1)].used)
					k++;
				ns[k & (ncap - 1)] = v->sess[i];
			}
		free(v->sess);
		v->sess = ns;
		v->cap = ncap;
	}
	for (h = (size_t)sess_hash(pid, start);; h++)
	{
		session *s = &v->sess[h & (v->cap - 1)];

		if (!s->used)
		{
			s->used = true;
			s->pid = pid;
			snprintf(s->start, sizeof(s->start), "%s", start);
			v->n++;
			*isnew = true;
			return s;
		}
		if (s->pid == pid && strcmp(s->start, start) == 0)
		{
			*isnew = false;
			return s;
		}
	}
}

pgtls_err
pgtls_inventory_sample(pgtls_inventory *v)
{
	PGresult *r;
	int i;
	int hidden = 0;
	char now[40] = "";

	if (v == NULL || v->conn == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&v->err);
	/* a lost connection (restart, failover) or one still busy with a query given up on: start afresh */
	if (PQstatus(v->conn) != CONNECTION_OK || PQtransactionStatus(v->conn) == PQTRANS_ACTIVE)
		PQreset(v->conn);
	r = pgtls__query(v->conn,
	                 "select a.pid, a.backend_start::text, "
	                 "       coalesce(host(a.client_addr), case when a.client_port = -1 then 'local' end), "
	                 "       a.usename, a.datname, a.application_name, s.ssl, s.version, s.cipher, s.bits, "
	                 "       a.query = '<insufficient privilege>', clock_timestamp()::text "
	                 "from pg_stat_activity a left join pg_stat_ssl s on s.pid = a.pid "
	                 /* without pg_read_all_stats, other users' sessions show a NULL backend_type */
	                 "where (a.backend_type = 'client backend' or (a.backend_type is null and a.usesysid is not null)) "
	                 "  and a.pid <> pg_backend_pid()",
	                 0, NULL, v->timeout_s, &v->err);
	if (r == NULL)
	{
		v->failed_samples++;
		return v->err.code;
	}
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		pgtls__seterr(&v->err, PGTLS_ERR_PROTOCOL, "could not read pg_stat_activity/pg_stat_ssl: %s",
		              PQresultErrorMessage(r));
		PQclear(r);
		v->failed_samples++;
		return v->err.code;
	}
	for (i = 0; i < PQntuples(r); i++)
	{
		session *s;
		bool isnew;
		int x;
		bool skip = false;

		snprintf(now, sizeof(now), "%s", PQgetvalue(r, i, 11));
		if (strcmp(PQgetvalue(r, i, 10), "t") == 0 || PQgetisnull(r, i, 1))
		{
			hidden++;
			continue;
		}
		for (x = 0; x < v->nexclude; x++)
			if (strcmp(PQgetvalue(r, i, 3), v->exclude[x]) == 0)
				skip = true;
		if (skip)
			continue;
		s = sess_get(v, atoi(PQgetvalue(r, i, 0)), PQgetvalue(r, i, 1), &isnew);
		if (s == NULL)
		{
			PQclear(r);
			return pgtls__seterr(&v->err, PGTLS_ERR_OOM, "more than %d sessions tracked", MAX_SESSIONS);
		}
		if (isnew)
		{
			snprintf(s->addr, sizeof(s->addr), "%s", PQgetisnull(r, i, 2) ? "unknown" : PQgetvalue(r, i, 2));
			snprintf(s->user, sizeof(s->user), "%s", PQgetvalue(r, i, 3));
			snprintf(s->db, sizeof(s->db), "%s", PQgetvalue(r, i, 4));
			snprintf(s->app, sizeof(s->app), "%s", PQgetvalue(r, i, 5));
			snprintf(s->ssl, sizeof(s->ssl), "%s", strcmp(PQgetvalue(r, i, 6), "t") == 0 ? "yes" : "no");
			snprintf(s->version, sizeof(s->version), "%s", PQgetvalue(r, i, 7));
			snprintf(s->cipher, sizeof(s->cipher), "%s", PQgetvalue(r, i, 8));
			s->bits = atoi(PQgetvalue(r, i, 9));
			snprintf(s->first, sizeof(s->first), "%s", PQgetvalue(r, i, 11));
		}
		else if (s->app[0] == '\0' && PQgetvalue(r, i, 5)[0])
			/* named after its startup (pgjdbc sets ApplicationName then): one client, its name */
			snprintf(s->app, sizeof(s->app), "%s", PQgetvalue(r, i, 5));
		snprintf(s->last, sizeof(s->last), "%s", PQgetvalue(r, i, 11));
	}
	PQclear(r);
	if (now[0] == '\0')
	{
		r = pgtls__query(v->conn, "select clock_timestamp()::text", 0, NULL, v->timeout_s, &v->err);
		if (PQresultStatus(r) == PGRES_TUPLES_OK)
			snprintf(now, sizeof(now), "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
	}
	if (v->first[0] == '\0')
		snprintf(v->first, sizeof(v->first), "%s", now);
	snprintf(v->last, sizeof(v->last), "%s", now);
	if (hidden > v->hidden_max)
		v->hidden_max = hidden;
	v->samples++;
	v->groups_valid = false;
	return PGTLS_OK;
}

int
pgtls_inventory_sessions(const pgtls_inventory *v)
{
	return v ? (int)v->n : 0;
}

struct group
{
	const session *key;
	int sessions;
	char first[40];
	char last[40];
};
typedef struct group group;

static bool
same_group(const session *a, const session *b)
{
	return strcmp(a->addr, b->addr) == 0 && strcmp(a->user, b->user) == 0 && strcmp(a->db, b->db) == 0 &&
	       strcmp(a->app, b->app) == 0 && strcmp(a->ssl, b->ssl) == 0 && strcmp(a->version, b->version) == 0 &&
	       strcmp(a->cipher, b->cipher) == 0;
}

static int
cmp_group(const void *x, const void *y)
{
	const session *a = ((const group *)x)->key, *b = ((const group *)y)->key;
	int r;

	if ((r = strcmp(a->addr, b->addr)) || (r = strcmp(a->user, b->user)) || (r = strcmp(a->db, b->db)) ||
	    (r = strcmp(a->app, b->app)) || (r = strcmp(a->ssl, b->ssl)))
		return r;
	return strcmp(a->version, b->version);
}

/* groups sessions by client and TLS parameters (quadratic in groups, linear in sessions) */
static group *
make_groups(const pgtls_inventory *v, size_t *ng)
{
	group *g = calloc(v->n ? v->n : 1, sizeof(group));
	size_t i, k, n = 0;

	if (g == NULL)
		return NULL;
	for (i = 0; i < v->cap; i++)
	{
		const session *s = &v->sess[i];

		if (!s->used)
			continue;
		for (k = 0; k < n; k++)
			if (same_group(g[k].key, s))
				break;
		if (k == n)
		{
			g[n].key = s;
			snprintf(g[n].first, sizeof(g[n].first), "%s", s->first);
			snprintf(g[n].last, sizeof(g[n].last), "%s", s->last);
			n++;
		}
		g[k].sessions++;
		if (strcmp(s->first, g[k].first) < 0)
			snprintf(g[k].first, sizeof(g[k].first), "%s", s->first);
		if (strcmp(s->last, g[k].last) > 0)
			snprintf(g[k].last, sizeof(g[k].last), "%s", s->last);
	}
	qsort(g, n, sizeof(group), cmp_group);
	*ng = n;
	return g;
}

/* ---- typed accessors ---- */

static const group *
group_at(const pgtls_inventory *cv, int i)
{
	pgtls_inventory *v = (pgtls_inventory *)cv; /* snapshot cache only */

	if (!v->groups_valid)
	{
		free(v->groups);
		v->groups = make_groups(v, &v->ngroups);
		v->groups_valid = v->groups != NULL;
		if (v->groups == NULL)
			v->ngroups = 0;
	}
	return (i >= 0 && (size_t)i < v->ngroups) ? &v->groups[i] : NULL;
}

int
pgtls_inventory_samples(const pgtls_inventory *v)
{
	return v ? v->samples : 0;
}

const char *
pgtls_inventory_span(const pgtls_inventory *v, int last)
{
	return v ? (last ? v->last : v->first) : "";
}

int
pgtls_inventory_hidden(const pgtls_inventory *v)
{
	return v ? v->hidden_max : 0;
}

int
pgtls_inventory_tcp_without_tls(const pgtls_inventory *v)
{
	int plain = 0;

	for (int i = 0; v && i < pgtls_inventory_ngroups(v); i++)
	{
		const session *s = group_at(v, i)->key;

		if (strcmp(s->ssl, "yes") != 0 && strcmp(s->addr, "local") != 0)
			plain += group_at(v, i)->sessions;
	}
	return plain;
}

int
pgtls_inventory_ngroups(const pgtls_inventory *v)
{
	if (v == NULL)
		return 0;
	(void)group_at(v, 0);
	return (int)v->ngroups;
}

const char *
pgtls_inventory_group_get(const pgtls_inventory *v, int i, pgtls_inventory_field field)
{
	const group *g = v ? group_at(v, i) : NULL;

	if (g == NULL)
		return "";
	switch (field)
	{
		case PGTLS_IV_CLIENT_ADDR:
			return g->key->addr;
		case PGTLS_IV_USER:
			return g->key->user;
		case PGTLS_IV_DATABASE:
			return g->key->db;
		case PGTLS_IV_APPLICATION:
			return g->key->app;
		case PGTLS_IV_TLS_VERSION:
			return strcmp(g->key->ssl, "yes") == 0 ? g->key->version : "";
		case PGTLS_IV_CIPHER:
			return strcmp(g->key->ssl, "yes") == 0 ? g->key->cipher : "";
		case PGTLS_IV_FIRST_SEEN:
			return g->first;
		case PGTLS_IV_LAST_SEEN:
			return g->last;
	}
	return "";
}

int
pgtls_inventory_group_tls(const pgtls_inventory *v, int i)
{
	const group *g = v ? group_at(v, i) : NULL;

	return g && strcmp(g->key->ssl, "yes") == 0;
}

int
pgtls_inventory_group_sessions(const pgtls_inventory *v, int i)
{
	const group *g = v ? group_at(v, i) : NULL;

	return g ? g->sessions : 0;
}

int
pgtls_inventory_tcp_sessions(const pgtls_inventory *v)
{
	int n = 0;

	for (int i = 0; v && i < pgtls_inventory_ngroups(v); i++)
	{
		const session *s = group_at(v, i)->key;

		if (s->addr[0] && strcmp(s->addr, "local") != 0)
			n += group_at(v, i)->sessions;
	}
	return n;
}

int
pgtls_inventory_failed_samples(const pgtls_inventory *v)
{
	return v ? v->failed_samples : 0;
}

/*
 * 0 TCP sessions were seen and every one used TLS; 1 some did not, none
 * was seen, sessions were hidden or samples failed (never an all-clear
 * from what sampling cannot see); 3 no inventory or no sample
 */
int
pgtls_inventory_status(const pgtls_inventory *v)
{
	if (v == NULL || v->samples == 0)
		return 3;
	return pgtls_inventory_tcp_without_tls(v) > 0 || v->hidden_max > 0 || v->failed_samples > 0 ||
	               pgtls_inventory_tcp_sessions(v) == 0
	           ? 1
	           : 0;
}

int
pgtls__inventory_group_bits(const pgtls_inventory *v, int i)
{
	const group *g = v ? group_at(v, i) : NULL;

	return g ? g->key->bits : 0;
}

const char *
pgtls__inventory_server_version(const pgtls_inventory *v)
{
	return v ? v->server_version : "";
}
