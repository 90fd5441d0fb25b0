/*-------------------------------------------------------------------------
 *
 * server.c
 *	  pgtls server: log in with libpq, read the TLS settings and the
 *	  pg_hba.conf rules that let TCP clients in without TLS, and decide
 *	  whether TLS is enforced for every TCP client.
 *
 * IDENTIFICATION
 *	  lib/server/server.c
 *
 * NOTES
 *	  libpq calls here are blocking, bounded by connect_timeout and
 *	  statement_timeout; this is an administrator's query, not a scanner.
 *	  Results are typed (server_int.h); the JSON is written by
 *	  lib/report/json_server.c.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "server/server_int.h"

/* ---- shared: connect with bounded waits ---- */

PGconn *
pgtls__server_login(pgtls_errslot *err, const char *conninfo, int timeout_s)
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

pgtls_server *
pgtls_server_new(void)
{
	return calloc(1, sizeof(pgtls_server));
}

static void
server_clear(pgtls_server *s)
{
	free(s->user);
	free(s->version);
	free(s->address);
	for (int i = 0; i < s->nsettings; i++)
	{
		free(s->setting_names[i]);
		free(s->setting_values[i]);
	}
	free(s->setting_names);
	free(s->setting_values);
	for (int i = 0; i < s->nunreadable; i++)
		free(s->unreadable[i]);
	free(s->unreadable);
	for (int i = 0; i < s->nrules; i++)
	{
		free(s->rules[i].text);
		free(s->rules[i].error);
	}
	free(s->rules);
	for (int i = 0; i < s->nreasons; i++)
		free(s->reasons[i].text);
	free(s->reasons);
	free(s->plaintext_msg);
	memset(s, 0, sizeof(*s));
}

void
pgtls_server_free(pgtls_server *s)
{
	if (s == NULL)
		return;
	server_clear(s);
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
	return (s && s->checked) ? s->status : 3;
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
                                           "hba_file",
                                           "password_encryption",
                                           NULL};

/* ---- growing the typed lists ---- */

static char *
dup_or_oom(pgtls_server *s, const char *v)
{
	char *c = strdup(v ? v : "");

	if (c == NULL)
		s->oom = true;
	return c;
}

static void
push_str(pgtls_server *s, char ***list, int *n, const char *v)
{
	char **grown = realloc(*list, (size_t)(*n + 1) * sizeof(char *));

	if (grown == NULL)
	{
		s->oom = true;
		return;
	}
	*list = grown;
	grown[(*n)++] = dup_or_oom(s, v);
}

static void reason(pgtls_server *s, const char *code, const char *fmt, ...) PGTLS_PRINTF(3, 4);

static void
reason(pgtls_server *s, const char *code, const char *fmt, ...)
{
	server_reason *grown = realloc(s->reasons, (size_t)(s->nreasons + 1) * sizeof(*grown));
	char buf[800];
	va_list ap;

	if (grown == NULL)
	{
		s->oom = true;
		return;
	}
	s->reasons = grown;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	grown[s->nreasons].code = code;
	grown[s->nreasons++].text = dup_or_oom(s, buf);
}

const char *
pgtls__server_setting(const pgtls_server *s, const char *name)
{
	for (int i = 0; i < s->nsettings; i++)
		if (strcmp(s->setting_names[i], name) == 0)
			return s->setting_values[i];
	return NULL;
}

/* ---- the queries ---- */

static void
read_login(pgtls_server *s, PGconn *conn)
{
	PGresult *r = pgtls__query(conn,
	                           "select coalesce((select rolsuper from pg_roles where rolname = current_user), false) "
	                           "or pg_has_role(current_user, 'pg_read_all_settings', 'member'), current_user, "
	                           "current_setting('server_version'), inet_server_addr()::text, current_setting('port')",
	                           0, NULL, s->timeout_s, &s->err);

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
	{
		s->privileged = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
		s->user = dup_or_oom(s, PQgetvalue(r, 0, 1));
		s->version = dup_or_oom(s, PQgetvalue(r, 0, 2));
		s->address = dup_or_oom(s, PQgetisnull(r, 0, 3) ? "unix socket" : PQgetvalue(r, 0, 3));
	}
	PQclear(r);
}

static pgtls_err
read_settings(pgtls_server *s, PGconn *conn)
{
	const char *params[1];
	pgtls_strbuf list;
	PGresult *r;

	pgtls__sb_init(&list);
	pgtls__sb_appendf(&list, "{");
	for (int i = 0; tls_settings[i]; i++)
		pgtls__sb_appendf(&list, "%s\"%s\"", i ? "," : "", tls_settings[i]);
	pgtls__sb_appendf(&list, "}");
	params[0] = pgtls__sb_str(&list);
	r = pgtls__query(conn, "select name, setting from pg_settings where name = any($1::text[])", 1, params,
	                 s->timeout_s, &s->err);
	pgtls__sb_free(&list);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		pgtls__seterr(&s->err, PGTLS_ERR_PROTOCOL, "could not read pg_settings: %s",
		              r ? PQresultErrorMessage(r) : s->err.msg);
		PQclear(r);
		return s->err.code;
	}
	for (int i = 0; i < PQntuples(r); i++)
	{
		int n = s->nsettings;

		push_str(s, &s->setting_names, &s->nsettings, PQgetvalue(r, i, 0));
		push_str(s, &s->setting_values, &n, PQgetvalue(r, i, 1));
	}
	PQclear(r);
	for (int i = 0; tls_settings[i]; i++)
		if (pgtls__server_setting(s, tls_settings[i]) == NULL)
		{
			/* rds.force_ssl exists only on RDS; the rest is hidden without privileges */
			if (strcmp(tls_settings[i], "rds.force_ssl") == 0 && s->privileged)
				continue;
			push_str(s, &s->unreadable, &s->nunreadable, tls_settings[i]);
		}
	return PGTLS_OK;
}

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

static void
read_hba(pgtls_server *s, PGconn *conn)
{
	PGresult *r = pgtls__query(conn,
	                           "select line_number, type, database::text, user_name::text, address, netmask, "
	                           "auth_method, error from pg_hba_file_rules order by line_number",
	                           0, NULL, s->timeout_s, &s->err);
	int n = PQntuples(r);
	hba_rule *rules;
	hba_verdict *v;

	if (r == NULL)
		return; /* no answer: the error is on S */
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
	{
		push_str(s, &s->unreadable, &s->nunreadable, "pg_hba_file_rules");
		PQclear(r);
		return;
	}
	s->hba_readable = true;
	rules = calloc((size_t)(n ? n : 1), sizeof(*rules));
	v = calloc((size_t)(n ? n : 1), sizeof(*v));
	s->rules = calloc((size_t)(n ? n : 1), sizeof(*s->rules));
	if (rules == NULL || v == NULL || s->rules == NULL)
		s->oom = true;
	for (int i = 0; !s->oom && i < n; i++)
	{
		rules[i].line = atoi(PQgetvalue(r, i, 0));
		rules[i].type = PQgetvalue(r, i, 1);
		rules[i].all_all = strcmp(PQgetvalue(r, i, 2), "{all}") == 0 && strcmp(PQgetvalue(r, i, 3), "{all}") == 0;
		rules[i].addr = PQgetisnull(r, i, 4) ? "" : PQgetvalue(r, i, 4);
		rules[i].mask = PQgetisnull(r, i, 5) ? NULL : PQgetvalue(r, i, 5);
		rules[i].auth = PQgetvalue(r, i, 6);
		rules[i].error = !PQgetisnull(r, i, 7);
	}
	if (!s->oom)
		pgtls__hba_walk(rules, n, v);
	for (int i = 0; !s->oom && i < n; i++)
	{
		char text[600];

		rule_text(r, i, text, sizeof(text));
		s->rules[i].line = rules[i].line;
		s->rules[i].text = dup_or_oom(s, text);
		s->rules[i].error = rules[i].error ? dup_or_oom(s, PQgetvalue(r, i, 7)) : NULL;
		s->rules[i].lets_in = v[i].lets_in;
		s->rules[i].shadowed = v[i].shadowed;
		s->nrules++;
	}
	free(rules);
	free(v);
	PQclear(r);
}

/* ---- the verdict ---- */

static void
decide(pgtls_server *s)
{
	const char *ssl = pgtls__server_setting(s, "ssl");
	const char *force = pgtls__server_setting(s, "rds.force_ssl");
	int offending = 0;

	for (int i = 0; i < s->nrules; i++)
		offending += s->rules[i].lets_in;
	if (ssl && strcmp(ssl, "on") != 0)
	{
		s->status = 2;
		reason(s, "ssl_off", "ssl = off: the server offers no TLS at all");
	}
	else if (force && strcmp(force, "1") == 0)
	{
		s->status = 0;
		reason(s, "rds_force_ssl", "rds.force_ssl = 1: every TCP connection must use TLS");
	}
	else if (s->hba_readable && offending > 0)
	{
		s->status = 1;
		for (int i = 0; i < s->nrules; i++)
			if (s->rules[i].lets_in)
				reason(s, "hba_allows_plaintext", "pg_hba.conf line %d lets TCP clients in without TLS: %s",
				       s->rules[i].line, s->rules[i].text);
	}
	else if (s->hba_readable)
	{
		s->status = 0;
		reason(s, "hba_enforces_tls", "no pg_hba.conf rule lets a TCP client in without TLS");
	}
	else if (s->plaintext == PGTLS_STARTUP_ACCEPTED)
	{
		s->status = 1;
		reason(s, "plaintext_accepted", "the server accepted a plaintext startup (pg_hba_file_rules unreadable)");
	}
	else
	{
		s->status = 3;
		reason(s, "hba_unreadable",
		       "pg_hba_file_rules is unreadable (needs superuser) and rds.force_ssl is not set: other users and "
		       "databases may still connect without TLS");
	}
	if (s->plaintext == PGTLS_STARTUP_ACCEPTED && s->status == 0)
	{
		s->status = 1;
		reason(s, "plaintext_accepted_despite_rules",
		       "yet the server accepted a plaintext startup: the rules read do not match the running server");
	}
}

pgtls_err
pgtls_server_check(pgtls_server *s, const char *conninfo, const pgtls_probe *probe, int timeout_s)
{
	PGconn *conn;

	if (s == NULL || conninfo == NULL)
		return PGTLS_ERR_USAGE;
	server_clear(s);
	conn = pgtls__server_login(&s->err, conninfo, timeout_s > 0 ? timeout_s : 10);
	if (conn == NULL)
		return s->err.code;
	s->timeout_s = timeout_s > 0 ? timeout_s : 10;
	read_login(s, conn);
	if (s->err.code == PGTLS_ERR_TIMEOUT || s->err.code == PGTLS_ERR_IO)
	{
		PQfinish(conn);
		return s->err.code;
	}
	if (read_settings(s, conn) != PGTLS_OK)
	{
		PQfinish(conn);
		return s->err.code;
	}
	read_hba(s, conn);
	PQfinish(conn);
	if (s->err.code != PGTLS_OK)
		return s->err.code;
	if (probe)
	{
		const char *msg = pgtls_probe_get(probe, PGTLS_PF_PLAINTEXT_MESSAGE);

		s->probed = true;
		s->plaintext = pgtls_probe_plaintext(probe);
		s->plaintext_msg = msg[0] ? dup_or_oom(s, msg) : NULL;
	}
	decide(s);
	if (s->oom)
	{
		server_clear(s);
		return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
	}
	s->checked = true;
	return PGTLS_OK;
}
