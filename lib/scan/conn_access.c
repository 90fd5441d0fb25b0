/*-------------------------------------------------------------------------
 *
 * conn_access.c
 *	  Typed accessors of one connection of the state machine (conn.c):
 *	  its fd and deadline for the caller's loop, and what it saw.
 *
 * IDENTIFICATION
 *	  lib/scan/conn_access.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include "scan/conn_int.h"

int
pgtls_conn_fd(const pgtls_conn *c)
{
	return c ? c->fd : -1;
}

int64_t
pgtls_conn_deadline(const pgtls_conn *c)
{
	return c ? c->deadline : 0;
}

pgtls_err
pgtls_conn_errcode(const pgtls_conn *c)
{
	return c ? c->err.code : PGTLS_ERR_USAGE;
}

const char *
pgtls_conn_errmsg(const pgtls_conn *c)
{
	return c ? c->err.msg : "no connection";
}

const char *
pgtls_conn_trace(const pgtls_conn *c)
{
	return c ? pgtls__sb_str(&c->trace) : "";
}

bool
pgtls__conn_done(const pgtls_conn *c)
{
	return c->state == ST_DONE;
}

char
pgtls__conn_sslresp(const pgtls_conn *c)
{
	return c->sslresp;
}

bool
pgtls__conn_tls_done(const pgtls_conn *c)
{
	return c->tls_done;
}

const char *
pgtls__conn_tls_version(const pgtls_conn *c)
{
	return c->tls_version;
}

const char *
pgtls__conn_cipher(const pgtls_conn *c)
{
	return c->cipher;
}

const char *
pgtls__conn_group(const pgtls_conn *c)
{
	return c->group;
}

const char *
pgtls__conn_alpn(const pgtls_conn *c)
{
	return c->alpn;
}

int
pgtls__conn_handshake_reason(const pgtls_conn *c)
{
	return c->handshake_reason;
}

const char *
pgtls__conn_address(const pgtls_conn *c)
{
	return c->address;
}

STACK_OF(X509) * pgtls__conn_chain(const pgtls_conn *c)
{
	return c->chain;
}

const pgtls_reply *
pgtls__conn_reply(const pgtls_conn *c)
{
	return &c->reply;
}

pgtls_err
pgtls__conn_reply_err(const pgtls_conn *c, const char **msg)
{
	if (c->p.kind == PGTLS_CONN_PLAIN)
	{
		*msg = c->err.msg;
		return c->err.code;
	}
	*msg = c->reply_err.msg;
	return c->reply_err.code;
}

/* ---- public accessors ---- */

pgtls_conn_method
pgtls_conn_get_method(const pgtls_conn *c)
{
	if (c == NULL || c->p.kind == PGTLS_CONN_PLAIN)
		return PGTLS_METHOD_PLAIN;
	return c->p.kind == PGTLS_CONN_DIRECT ? PGTLS_METHOD_DIRECT : PGTLS_METHOD_SSLREQUEST;
}

pgtls_startup
pgtls_conn_startup(const pgtls_conn *c)
{
	if (c == NULL)
		return PGTLS_STARTUP_UNKNOWN;
	if (c->reply.kind == PGTLS_REPLY_AUTH)
		return PGTLS_STARTUP_ACCEPTED;
	return c->reply.kind == PGTLS_REPLY_ERROR ? PGTLS_STARTUP_REJECTED : PGTLS_STARTUP_UNKNOWN;
}

const char *
pgtls_conn_get(const pgtls_conn *c, pgtls_conn_field field)
{
	static const char *const sr[] = {"", "S", "N"};
	const char *msg = "";

	if (c == NULL)
		return "";
	switch (field)
	{
		case PGTLS_CF_ADDRESS:
			return c->address;
		case PGTLS_CF_SSL_RESPONSE:
			return sr[c->sslresp == 'S' ? 1 : c->sslresp == 'N' ? 2 : 0];
		case PGTLS_CF_TLS_VERSION:
			return c->tls_version;
		case PGTLS_CF_CIPHER:
			return c->cipher;
		case PGTLS_CF_GROUP:
			return c->group;
		case PGTLS_CF_ALPN:
			return c->alpn;
		case PGTLS_CF_AUTH:
			return c->reply.kind == PGTLS_REPLY_AUTH ? pgtls__auth_name(c->reply.auth_code) : "";
		case PGTLS_CF_STARTUP_SEVERITY:
			return c->reply.kind == PGTLS_REPLY_ERROR ? c->reply.severity : "";
		case PGTLS_CF_STARTUP_MESSAGE:
			if (c->reply.kind == PGTLS_REPLY_ERROR)
				return c->reply.message;
			if (c->reply.kind != PGTLS_REPLY_AUTH && pgtls__conn_reply_err(c, &msg) != PGTLS_OK)
				return msg;
			return "";
	}
	return "";
}
