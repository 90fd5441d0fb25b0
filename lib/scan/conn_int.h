/*-------------------------------------------------------------------------
 *
 * conn_int.h
 *	  The connection state machine's private struct, shared by its steps
 *	  (conn.c) and its accessors (conn_access.c).
 *
 * IDENTIFICATION
 *	  lib/scan/conn_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_CONN_INT_H
#define PGTLS_CONN_INT_H

#include <netdb.h>

#include <openssl/ssl.h>

#include "pgtls_int.h"

typedef enum conn_state
{
	ST_CONNECT_START = 0,
	ST_CONNECT_WAIT,
	ST_SEND_SSLREQ,
	ST_READ_SSLRESP,
	ST_TLS_HANDSHAKE,
	ST_SEND_STARTUP,
	ST_READ_REPLY,
	ST_DONE,
	ST__COUNT
} conn_state;

struct pgtls_conn
{
	pgtls_conn_params p;
	conn_state state;
	int fd;
	const struct addrinfo *ai; /* address being tried */
	char address[64];          /* numeric host of ai */
	char port[16];
	int64_t deadline;
	pgtls_errslot err;       /* failure before startup (whole exchange) */
	pgtls_errslot reply_err; /* failure of the startup phase over TLS */
	pgtls_strbuf trace;
	char lasterr[256]; /* last connect() failure */

	/* outgoing */
	pgtls_wbuf wbuf;
	size_t wpos;
	bool startup_built;
	bool trust_ok; /* AuthenticationOk seen, waiting for 'Z' */
	int nmsgs;     /* messages parsed (bounded) */

	/* incoming */
	uint8_t *rbuf;
	size_t rlen;
	size_t rcap;

	/* results */
	char sslresp;
	SSL *ssl;
	bool tls_done;
	char tls_version[32];
	char cipher[64];
	char group[32];
	char alpn[32];
	STACK_OF(X509) * chain;
	pgtls_reply reply;
	struct bio_method_st *biometh; /* our MSG_NOSIGNAL socket BIO (sockbio.c) */
	bool ssl_fatal;                /* SSL_ERROR_SYSCALL/SSL seen: no SSL_shutdown() (OpenSSL forbids it) */
	int handshake_reason;          /* ERR_GET_REASON of a failed handshake (libpq's hints), or 0 */
};

#endif
