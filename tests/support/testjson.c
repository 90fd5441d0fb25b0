/*-------------------------------------------------------------------------
 *
 * testjson.c
 *	  JSON views of internal parsers for tests and fuzzers (testjson.h):
 *	  the library's typed results, written out the way the report does.
 *
 * IDENTIFICATION
 *	  tests/support/testjson.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "pgtls_int.h"
#include "proto/protocol.h"
#include "x509/cert_int.h"
#include "testjson.h"

char *
pgtls__cert_summary_der(const unsigned char *der, size_t derlen)
{
	const unsigned char *p = der;
	pgtls_cert *c;
	X509 *x;
	json_t *o;
	char *out;

	if (der == NULL || derlen == 0 || derlen > 1024 * 1024)
		return NULL;
	x = d2i_X509(NULL, &p, (long)derlen);
	if (x == NULL)
		return NULL;
	c = pgtls__cert_new(x);
	X509_free(x);
	o = c ? pgtls__cert_to_json(c) : NULL;
	pgtls__cert_free(c);
	if (o == NULL)
		return NULL;
	out = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return out;
}

char *
pgtls__parse_server_response(int kind, const unsigned char *buf, size_t len, char *msg, size_t msglen)
{
	json_t *o;
	char *out;
	char dummy[8];

	if (msg == NULL || msglen == 0)
	{
		msg = dummy;
		msglen = sizeof(dummy);
	}
	msg[0] = '\0';
	if (kind == 0)
	{
		char r = pgtls__check_ssl_response(buf, len, msg, msglen);

		if (r == 0)
			return NULL;
		o = json_pack("{s:s}", "ssl_response", r == PG_SSL_YES ? "S" : "N");
	}
	else
	{
		size_t off = 0;
		pgtls_reply reply;

		memset(&reply, 0, sizeof(reply));
		for (;;)
		{
			size_t used = 0;
			int rc = pgtls__parse_backend_msg(buf + off, len - off, &used, &reply, msg, msglen);

			if (rc < 0)
				return NULL;
			if (rc == 0)
			{
				snprintf(msg, msglen, "server reply is incomplete");
				return NULL;
			}
			off += used;
			if (reply.kind != PGTLS_REPLY_SKIP)
				break;
		}
		if (reply.kind == PGTLS_REPLY_READY)
			o = json_pack("{s:s}", "result", "ready");
		else if (reply.kind == PGTLS_REPLY_AUTH)
			o = json_pack("{s:s,s:i,s:s}", "result", "accepted", "auth_code", (int)reply.auth_code, "auth",
			              pgtls__auth_name(reply.auth_code));
		else
			o = json_pack("{s:s,s:s,s:s,s:s}", "result", "rejected", "severity", reply.severity, "sqlstate",
			              reply.sqlstate, "message", reply.message);
	}
	if (o == NULL)
		return NULL;
	out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return out;
}
