/*-------------------------------------------------------------------------
 *
 * server_int.h
 *	  The server check: typed results, and the pure pg_hba walk.
 *
 * IDENTIFICATION
 *	  lib/server/server_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_SERVER_INT_H
#define PGTLS_SERVER_INT_H

#include "pgtls_int.h"

/* One row of pg_hba_file_rules, as the walk needs it. */
typedef struct hba_rule
{
	int line;
	const char *type; /* local, host, hostssl, hostnossl, hostgssenc, hostnogssenc */
	bool all_all;     /* database and user are both "all" */
	const char *addr; /* "" for local; all, samehost, samenet, or an address */
	const char *mask; /* NULL when none */
	const char *auth;
	bool error; /* the line did not load */
} hba_rule;

typedef struct hba_verdict
{
	bool lets_in;  /* a TCP client without TLS is let in by this line ... */
	bool shadowed; /* ... unless an earlier catch-all reject hides it */
} hba_verdict;

/*
 * The pg_hba walk, pure: for each rule in order, whether it lets a TCP
 * client in without TLS, and whether an earlier catch-all "reject" for
 * plaintext TCP of its address family hides it.
 */
void pgtls__hba_walk(const hba_rule *rules, int n, hba_verdict *out);

typedef struct server_rule
{
	int line;
	char *text;
	char *error; /* NULL when the line loaded */
	bool lets_in;
	bool shadowed;
} server_rule;

typedef struct server_reason
{
	const char *code;
	char *text;
} server_reason;

struct pgtls_server
{
	pgtls_errslot err;
	bool checked;
	int status; /* 0 enforced, 1 not enforced, 2 no TLS, 3 unknown */
	char *user;
	char *version;
	char *address;
	bool privileged;
	char **setting_names;
	char **setting_values;
	int nsettings;
	char **unreadable;
	int nunreadable;
	bool hba_readable;
	server_rule *rules;
	int nrules;
	server_reason *reasons;
	int nreasons;
	bool probed;
	pgtls_startup plaintext;
	char *plaintext_msg;
	bool oom;
	int timeout_s; /* per query */
};

/* server.c */
struct pg_conn;
/* logs in with bounded waits (connect_timeout, statement_timeout); NULL with the error in ERR */
struct pg_conn *pgtls__server_login(pgtls_errslot *err, const char *conninfo, int timeout_s);
const char *pgtls__server_setting(const pgtls_server *s, const char *name);

/* query.c: a query bounded by TIMEOUT_S seconds (sent, polled, cancelled on the deadline); NULL with ERR */
struct pg_result;
struct pg_result *pgtls__query(struct pg_conn *conn, const char *sql, int nparams, const char *const *params,
                               int timeout_s, pgtls_errslot *err);

/* report/json_server.c */
struct json_t *pgtls__server_to_json(const pgtls_server *s);

/* inventory.c: for the report (report/json_inventory.c) */
int pgtls__inventory_group_bits(const pgtls_inventory *v, int i);
const char *pgtls__inventory_server_version(const pgtls_inventory *v);

#endif
