/*-------------------------------------------------------------------------
 *
 * server.c
 *	  Server-side answers that need a login (libpq): TLS settings, the
 *	  pg_hba.conf rules that let TCP clients in without TLS, and the
 *	  pg_stat_ssl x pg_stat_activity connection inventory over time.
 *
 * IDENTIFICATION
 *	  lib/server/server.c
 *
 * NOTES
 *	  libpq calls here are blocking, bounded by connect_timeout and
 *	  statement_timeout; this is an administrator's query, not a scanner.
 *	  Queries use only columns present in PostgreSQL 10-17.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "pgtls_int.h"

#define MAX_SESSIONS 1000000
#define MAX_EXCLUDE 64

/* ---- shared: connect with bounded waits ---- */

static PGconn *
login(pgtls_errslot *err, const char *conninfo, int timeout_s)
{
	/* defaults first: what the conninfo (expanded from dbname) sets wins */
	const char *keys[] = {"connect_timeout", "application_name", "options", "dbname", NULL};
	char tmo[16];
	const char *vals[5];
	PGconn *conn;

	snprintf(tmo, sizeof(tmo), "%d", timeout_s);
	vals[0] = tmo;
	vals[1] = "pgtls";
	vals[2] = "-c statement_timeout=30000";
	vals[3] = conninfo;
	vals[4] = NULL;
	conn = PQconnectdbParams(keys, vals, 1);
	if (conn == NULL)
	{
		pgtls__seterr(err, PGTLS_ERR_OOM, "out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK)
	{
		char msg[PGTLS_ERRMSG_MAX];
		size_t n;

		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(conn));
		n = strlen(msg);
		while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
			msg[--n] = '\0';
		pgtls__seterr(err, PGTLS_ERR_IO, "could not log in: %s", msg);
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

static json_t *
jtext(const char *s)
{
	return s ? pgtls__json_text(s, strlen(s)) : json_null();
}

/* ======================================================================
 * pgtls server
 * ====================================================================== */

struct pgtls_server
{
	pgtls_errslot err;
	json_t *report;
	int status;
};

pgtls_server *
pgtls_server_new(void)
{
	return calloc(1, sizeof(pgtls_server));
}

void
pgtls_server_free(pgtls_server *s)
{
	if (s == NULL)
		return;
	json_decref(s->report);
	free(s);
}

pgtls_err
pgtls_server_errcode(const pgtls_server *s)
{
	return s ? s->err.code : PGTLS_ERR_USAGE;
}

const char *
pgtls_server_errmsg(const pgtls_server *s)
{
	return s ? s->err.msg : "no server object";
}

int
pgtls_server_status(const pgtls_server *s)
{
	return (s && s->report) ? s->status : 3;
}

char *
pgtls_server_json(const pgtls_server *s, int pretty)
{
	if (s == NULL || s->report == NULL)
		return NULL;
	return json_dumps(s->report, JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT));
}

static const char *const tls_settings[] = {"ssl",
                                           "ssl_min_protocol_version",
                                           "ssl_max_protocol_version",
                                           "ssl_ciphers",
                                           "ssl_ecdh_curve",
                                           "ssl_prefer_server_ciphers",
                                           "ssl_cert_file",
                                           "ssl_key_file",
                                           "ssl_ca_file",
                                           "ssl_crl_file",
                                           "ssl_crl_dir",
                                           "ssl_passphrase_command",
                                           "rds.force_ssl",
                                           "listen_addresses",
                                           "password_encryption",
                                           NULL};

/* a pg_hba rule as its line would read */
static void
rule_text(PGresult *r, int i, char *out, size_t outlen)
{
	const char *db = PQgetvalue(r, i, 2), *us = PQgetvalue(r, i, 3);
	const char *addr = PQgetisnull(r, i, 4) ? "" : PQgetvalue(r, i, 4);
	const char *mask = PQgetisnull(r, i, 5) ? NULL : PQgetvalue(r, i, 5);
	char dbs[256], uss[256];

	/* arrays arrive as {a,b}: print them as pg_hba.conf lists */
	snprintf(dbs, sizeof(dbs), "%.*s", (int)(strlen(db) >= 2 ? strlen(db) - 2 : 0), db + (db[0] == '{'));
	snprintf(uss, sizeof(uss), "%.*s", (int)(strlen(us) >= 2 ? strlen(us) - 2 : 0), us + (us[0] == '{'));
	snprintf(out, outlen, "%s %s %s%s%s%s%s %s", PQgetvalue(r, i, 1), dbs, uss, addr[0] ? " " : "", addr,
	         mask ? " " : "", mask ? mask : "", PQgetvalue(r, i, 6));
}

static bool
catch_all(const char *addr, const char *mask, bool v6)
{
	if (strcmp(addr, "all") == 0)
		return true;
	if (mask == NULL)
		return false;
	return v6 ? strcmp(mask, "::") == 0 : strcmp(mask, "0.0.0.0") == 0;
}

pgtls_err
pgtls_server_check(pgtls_server *s, const char *conninfo, const pgtls_probe *probe, int timeout_s)
{
	PGconn *conn;
	PGresult *r;
	json_t *rep, *settings, *unreadable, *hba, *offending, *reasons;
	bool privileged = false;
	bool hba_readable = false;
	const char *ssl = NULL;
	const char *force = NULL;
	int i;

	if (s == NULL || conninfo == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&s->err);
	json_decref(s->report);
	s->report = NULL;
	conn = login(&s->err, conninfo, timeout_s > 0 ? timeout_s : 10);
	if (conn == NULL)
		return s->err.code;

	rep = json_object();
	settings = json_object();
	unreadable = json_array();
	hba = json_array();
	offending = json_array();
	reasons = json_array();

	r = PQexec(conn, "select coalesce((select rolsuper from pg_roles where rolname = current_user), false) "
	                 "or pg_has_role(current_user, 'pg_read_all_settings', 'member'), current_user, "
	                 "current_setting('server_version'), inet_server_addr()::text, current_setting('port')");
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
	{
		privileged = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
		json_object_set_new(rep, "login",
		                    json_pack("{s:o,s:o,s:o,s:b}", "user", jtext(PQgetvalue(r, 0, 1)), "server_version",
		                              jtext(PQgetvalue(r, 0, 2)), "address",
		                              PQgetisnull(r, 0, 3) ? json_string("unix socket") : jtext(PQgetvalue(r, 0, 3)),
		                              "pg_read_all_settings", privileged));
	}
	PQclear(r);

	{
		const char *params[1];
		pgtls_strbuf list;

		pgtls__sb_init(&list);
		pgtls__sb_appendf(&list, "{");
		for (i = 0; tls_settings[i]; i++)
			pgtls__sb_appendf(&list, "%s\"%s\"", i ? "," : "", tls_settings[i]);
		pgtls__sb_appendf(&list, "}");
		params[0] = pgtls__sb_str(&list);
		r = PQexecParams(conn, "select name, setting from pg_settings where name = any($1::text[])", 1, NULL, params,
		                 NULL, NULL, 0);
		pgtls__sb_free(&list);
	}
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		pgtls__seterr(&s->err, PGTLS_ERR_PROTOCOL, "could not read pg_settings: %s", PQresultErrorMessage(r));
		PQclear(r);
		PQfinish(conn);
		json_decref(rep);
		json_decref(settings);
		json_decref(unreadable);
		json_decref(hba);
		json_decref(offending);
		json_decref(reasons);
		return s->err.code;
	}
	for (i = 0; i < PQntuples(r); i++)
		json_object_set_new(settings, PQgetvalue(r, i, 0), jtext(PQgetvalue(r, i, 1)));
	PQclear(r);
	for (i = 0; tls_settings[i]; i++)
		if (json_object_get(settings, tls_settings[i]) == NULL)
		{
			/* rds.force_ssl exists only on RDS; the rest is hidden without privileges */
			if (strcmp(tls_settings[i], "rds.force_ssl") == 0 && privileged)
				continue;
			json_array_append_new(unreadable, json_string(tls_settings[i]));
		}
	ssl = json_string_value(json_object_get(settings, "ssl"));
	force = json_string_value(json_object_get(settings, "rds.force_ssl"));

	r = PQexec(conn, "select line_number, type, database::text, user_name::text, address, netmask, auth_method, error "
	                 "from pg_hba_file_rules order by line_number");
	if (PQresultStatus(r) == PGRES_TUPLES_OK)
	{
		bool shadow_v4 = false, shadow_v6 = false;

		hba_readable = true;
		for (i = 0; i < PQntuples(r); i++)
		{
			const char *type = PQgetvalue(r, i, 1);
			const char *addr = PQgetisnull(r, i, 4) ? "" : PQgetvalue(r, i, 4);
			const char *mask = PQgetisnull(r, i, 5) ? NULL : PQgetvalue(r, i, 5);
			const char *auth = PQgetvalue(r, i, 6);
			bool tcp_plain =
			    strcmp(type, "host") == 0 || strcmp(type, "hostnossl") == 0 || strcmp(type, "hostnogssenc") == 0;
			bool v6 = strchr(addr, ':') != NULL;
			bool both = strcmp(addr, "all") == 0 || strcmp(addr, "samehost") == 0 || strcmp(addr, "samenet") == 0;
			bool all_all = strcmp(PQgetvalue(r, i, 2), "{all}") == 0 && strcmp(PQgetvalue(r, i, 3), "{all}") == 0;
			char text[600];
			json_t *rule;
			bool lets_in, shadowed;

			rule_text(r, i, text, sizeof(text));
			lets_in = tcp_plain && strcmp(auth, "reject") != 0 && PQgetisnull(r, i, 7);
			shadowed = both ? (shadow_v4 && shadow_v6) : (v6 ? shadow_v6 : shadow_v4);
			rule = json_pack("{s:i,s:o,s:o,s:b,s:b}", "line", atoi(PQgetvalue(r, i, 0)), "rule", jtext(text), "error",
			                 PQgetisnull(r, i, 7) ? json_null() : jtext(PQgetvalue(r, i, 7)), "allows_tcp_without_tls",
			                 lets_in && !shadowed, "shadowed", lets_in && shadowed);
			json_array_append(hba, rule);
			if (lets_in && !shadowed)
				json_array_append(offending, rule);
			json_decref(rule);
			/* a catch-all reject for plaintext TCP hides every later rule of its family */
			if (tcp_plain && strcmp(auth, "reject") == 0 && all_all)
			{
				if (both || (catch_all(addr, mask, false) && !v6))
					shadow_v4 = true;
				if (both || (catch_all(addr, mask, true) && v6))
					shadow_v6 = true;
			}
		}
	}
	else
		json_array_append_new(unreadable, json_string("pg_hba_file_rules"));
	PQclear(r);
	PQfinish(conn);

	/* ---- verdict ---- */
	{
		const char *verdict;
		pgtls_startup plain = probe ? pgtls_probe_plaintext(probe) : PGTLS_STARTUP_UNKNOWN;
		const char *plain_msg = probe ? pgtls_probe_get(probe, PGTLS_PF_PLAINTEXT_MESSAGE) : NULL;
		if (ssl && strcmp(ssl, "on") != 0)
		{
			verdict = "not enforced";
			s->status = 2;
			json_array_append_new(reasons, json_string("ssl = off: the server offers no TLS at all"));
		}
		else if (force && strcmp(force, "1") == 0)
		{
			verdict = "enforced";
			s->status = 0;
			json_array_append_new(reasons, json_string("rds.force_ssl = 1: every TCP connection must use TLS"));
		}
		else if (hba_readable && json_array_size(offending) > 0)
		{
			size_t k;
			json_t *o;

			verdict = "not enforced";
			s->status = 1;
			json_array_foreach(offending, k, o)
			{
				char line[700];

				snprintf(line, sizeof(line), "pg_hba.conf line %d lets TCP clients in without TLS: %s",
				         (int)json_integer_value(json_object_get(o, "line")),
				         json_string_value(json_object_get(o, "rule")));
				json_array_append_new(reasons, json_string(line));
			}
		}
		else if (hba_readable)
		{
			verdict = "enforced";
			s->status = 0;
			json_array_append_new(reasons, json_string("no pg_hba.conf rule lets a TCP client in without TLS"));
		}
		else if (plain == PGTLS_STARTUP_ACCEPTED)
		{
			verdict = "not enforced";
			s->status = 1;
			json_array_append_new(
			    reasons, json_string("the server accepted a plaintext startup (pg_hba_file_rules unreadable)"));
		}
		else
		{
			verdict = "unknown";
			s->status = 3;
			json_array_append_new(
			    reasons,
			    json_string("pg_hba_file_rules is unreadable (needs superuser) and "
			                "rds.force_ssl is not set: other users and databases may still connect without TLS"));
		}
		if (plain == PGTLS_STARTUP_ACCEPTED && s->status == 0)
		{
			verdict = "not enforced";
			s->status = 1;
			json_array_append_new(
			    reasons,
			    json_string(
			        "yet the server accepted a plaintext startup: the rules read do not match the running server"));
		}
		json_object_set_new(rep, "pgtls_version", json_string(PGTLS_VERSION_STR));
		json_object_set_new(rep, "schema", json_integer(PGTLS_JSON_SCHEMA));
		json_object_set_new(rep, "verdict",
		                    json_pack("{s:s,s:o}", "tls_for_all_tcp_clients", verdict, "reasons", reasons));
		json_object_set_new(rep, "settings", settings);
		json_object_set_new(rep, "unreadable", unreadable);
		json_object_set_new(rep, "hba_rules", hba_readable ? hba : json_null());
		if (!hba_readable)
			json_decref(hba);
		json_object_set_new(rep, "offending_rules", offending);
		json_object_set_new(rep, "plaintext_probe",
		                    probe ? json_pack("{s:s,s:o}", "result", pgtls_startup_name(plain), "message",
		                                      plain_msg[0] ? jtext(plain_msg) : json_null())
		                          : json_null());
	}
	s->report = rep;
	return PGTLS_OK;
}

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
	int hidden_max; /* other users' sessions we may not see */
	char first[40];
	char last[40];
	char server_version[32];
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
		return pgtls__seterr(&v->err, PGTLS_ERR_USAGE, "at most %d --exclude-user", MAX_EXCLUDE);
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
	v->conn = login(&v->err, conninfo, timeout_s > 0 ? timeout_s : 10);
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
	if (PQstatus(v->conn) != CONNECTION_OK)
		PQreset(v->conn);
	r = PQexec(v->conn,
	           "select a.pid, a.backend_start::text, "
	           "       coalesce(host(a.client_addr), case when a.client_port = -1 then 'local' end), "
	           "       a.usename, a.datname, a.application_name, s.ssl, s.version, s.cipher, s.bits, "
	           "       a.query = '<insufficient privilege>', clock_timestamp()::text "
	           "from pg_stat_activity a left join pg_stat_ssl s on s.pid = a.pid "
	           /* without pg_read_all_stats, other users' sessions show a NULL backend_type */
	           "where (a.backend_type = 'client backend' or (a.backend_type is null and a.usesysid is not null)) "
	           "  and a.pid <> pg_backend_pid()");
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		pgtls__seterr(&v->err, PGTLS_ERR_PROTOCOL, "could not read pg_stat_activity/pg_stat_ssl: %s",
		              PQresultErrorMessage(r));
		PQclear(r);
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
		snprintf(s->last, sizeof(s->last), "%s", PQgetvalue(r, i, 11));
	}
	PQclear(r);
	if (now[0] == '\0')
	{
		r = PQexec(v->conn, "select clock_timestamp()::text");
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
	return PGTLS_OK;
}

int
pgtls_inventory_sessions(const pgtls_inventory *v)
{
	return v ? (int)v->n : 0;
}

typedef struct group
{
	const session *key;
	int sessions;
	char first[40];
	char last[40];
} group;

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

char *
pgtls_inventory_json(const pgtls_inventory *v, int pretty)
{
	json_t *rep, *arr;
	group *g;
	size_t n, i;
	int plain = 0;
	char *out;

	if (v == NULL || (g = make_groups(v, &n)) == NULL)
		return NULL;
	rep = json_object();
	arr = json_array();
	for (i = 0; i < n; i++)
	{
		const session *s = g[i].key;
		bool tls = strcmp(s->ssl, "yes") == 0;

		if (!tls && strcmp(s->addr, "local") != 0)
			plain += g[i].sessions;
		json_array_append_new(
		    arr, json_pack("{s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o,s:i,s:s,s:s}", "client_addr", jtext(s->addr), "user",
		                   jtext(s->user), "database", jtext(s->db), "application_name", jtext(s->app), "ssl", tls,
		                   "version", tls ? jtext(s->version) : json_null(), "cipher",
		                   tls ? jtext(s->cipher) : json_null(), "bits", tls ? json_integer(s->bits) : json_null(),
		                   "sessions", g[i].sessions, "first_seen", g[i].first, "last_seen", g[i].last));
	}
	free(g);
	json_object_set_new(rep, "pgtls_version", json_string(PGTLS_VERSION_STR));
	json_object_set_new(rep, "schema", json_integer(PGTLS_JSON_SCHEMA));
	json_object_set_new(rep, "server_version", json_string(v->server_version));
	json_object_set_new(rep, "samples", json_integer(v->samples));
	json_object_set_new(rep, "span", json_pack("{s:s,s:s}", "first", v->first, "last", v->last));
	json_object_set_new(rep, "sessions", json_integer((json_int_t)v->n));
	json_object_set_new(rep, "tcp_sessions_without_tls", json_integer(plain));
	json_object_set_new(rep, "hidden_sessions", json_integer(v->hidden_max));
	if (v->hidden_max)
		json_object_set_new(
		    rep, "hidden_note",
		    json_string(
		        "sessions of other users are hidden: grant pg_read_all_stats to see their address and TLS state"));
	json_object_set_new(rep, "clients", arr);
	out = json_dumps(rep, JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT));
	json_decref(rep);
	return out;
}

char *
pgtls_inventory_csv(const pgtls_inventory *v)
{
	pgtls_strbuf sb;
	group *g;
	size_t n, i;

	if (v == NULL || (g = make_groups(v, &n)) == NULL)
		return NULL;
	pgtls__sb_init(&sb);
	pgtls__sb_appendf(
	    &sb, "client_addr,user,database,application_name,ssl,version,cipher,bits,sessions,first_seen,last_seen\n");
	for (i = 0; i < n; i++)
	{
		const session *s = g[i].key;
		char num[32];
		bool tls = strcmp(s->ssl, "yes") == 0;

		pgtls__sb_csv_field(&sb, s->addr, ',');
		pgtls__sb_csv_field(&sb, s->user, ',');
		pgtls__sb_csv_field(&sb, s->db, ',');
		pgtls__sb_csv_field(&sb, s->app, ',');
		pgtls__sb_csv_field(&sb, tls ? "yes" : "no", ',');
		pgtls__sb_csv_field(&sb, tls ? s->version : "", ',');
		pgtls__sb_csv_field(&sb, tls ? s->cipher : "", ',');
		snprintf(num, sizeof(num), "%d", tls ? s->bits : 0);
		pgtls__sb_csv_field(&sb, tls ? num : "", ',');
		snprintf(num, sizeof(num), "%d", g[i].sessions);
		pgtls__sb_csv_field(&sb, num, ',');
		pgtls__sb_csv_field(&sb, g[i].first, ',');
		pgtls__sb_csv_field(&sb, g[i].last, '\n');
	}
	free(g);
	if (sb.oom)
	{
		pgtls__sb_free(&sb);
		return NULL;
	}
	return sb.data;
}
