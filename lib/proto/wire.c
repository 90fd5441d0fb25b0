/*-------------------------------------------------------------------------
 *
 * wire.c
 *	  Build SSLRequest / StartupMessage, parse the server's first replies.
 *
 * IDENTIFICATION
 *	  lib/proto/wire.c
 *
 * NOTES
 *	  Everything the server sends before authentication is untrusted: every
 *	  length is bounded and every string must be terminated inside its
 *	  message.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include "pgtls_int.h"
#include "proto/protocol.h"

bool
pgtls__build_sslrequest(pgtls_wbuf *w)
{
	w->len = 0;
	w->overflow = false;
	pgtls__wbuf_u32be(w, 8);
	pgtls__wbuf_u32be(w, PGTLS_SSLREQUEST_CODE);
	return !w->overflow;
}

bool
pgtls__build_startup(pgtls_wbuf *w, const char *user, const char *dbname, const char *appname)
{
	w->len = 0;
	w->overflow = false;
	pgtls__wbuf_u32be(w, 0); /* length, patched below */
	pgtls__wbuf_u32be(w, PGTLS_PROTOCOL_3_0);
	pgtls__wbuf_cstr(w, "user");
	pgtls__wbuf_cstr(w, user);
	pgtls__wbuf_cstr(w, "database");
	pgtls__wbuf_cstr(w, dbname);
	if (appname)
	{
		pgtls__wbuf_cstr(w, "application_name");
		pgtls__wbuf_cstr(w, appname);
	}
	pgtls__wbuf_u8(w, 0);
	pgtls__wbuf_patch_u32be(w, 0, (uint32_t)w->len);
	return !w->overflow;
}

const char *
pgtls__auth_name(int32_t code)
{
	switch (code)
	{
		case AUTH_REQ_OK:
			return "trust";
		case AUTH_REQ_PASSWORD:
			return "password";
		case AUTH_REQ_MD5:
			return "md5";
		case AUTH_REQ_GSS:
		case AUTH_REQ_GSS_CONT:
			return "gss";
		case AUTH_REQ_SSPI:
			return "sspi";
		case AUTH_REQ_SASL:
		case AUTH_REQ_SASL_CONT:
		case AUTH_REQ_SASL_FIN:
			return "sasl";
		case AUTH_REQ_KRB4:
		case AUTH_REQ_KRB5:
		case AUTH_REQ_CRYPT:
			return "obsolete";
	}
	return "unknown";
}

/* a field value into a fixed buffer, through the one sanitiser (server text reaches terminals) */
static void
copy_field(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	pgtls__sanitize(src, srclen, dst, dstlen);
}

int
pgtls__parse_backend_msg(const uint8_t *buf, size_t len, size_t *consumed, pgtls_reply *reply, char *errmsg,
                         size_t errlen)
{
	pgtls_cursor c;
	pgtls_cursor body;
	uint8_t type;
	uint32_t msglen;

	pgtls__cursor_init(&c, buf, len);
	if (!pgtls__cursor_u8(&c, &type) || !pgtls__cursor_u32be(&c, &msglen))
		return 0;
	if (msglen < 4 || msglen > PGTLS_MAX_STARTUP_REPLY)
	{
		snprintf(errmsg, errlen, "server sent a message of invalid length %u (type 0x%02x) before authentication",
		         msglen, type);
		return -1;
	}
	if (pgtls__cursor_left(&c) < msglen - 4)
		return 0;
	pgtls__cursor_init(&body, buf + 5, msglen - 4);
	*consumed = 1 + (size_t)msglen;

	switch (type)
	{
		case PqMsg_AuthenticationRequest:
			if (!pgtls__cursor_i32be(&body, &reply->auth_code))
			{
				snprintf(errmsg, errlen, "server sent a truncated authentication request");
				return -1;
			}
			reply->kind = PGTLS_REPLY_AUTH;
			return 1;
		case PqMsg_ErrorResponse:
		{
			uint8_t code;
			const char *val;
			size_t vlen;

			/* a malformed ErrorResponse is not a rejection: the kind is set only once it parsed */
			reply->kind = PGTLS_REPLY_NONE;
			reply->severity[0] = reply->sqlstate[0] = reply->message[0] = '\0';
			for (;;)
			{
				if (!pgtls__cursor_u8(&body, &code))
				{
					snprintf(errmsg, errlen, "server sent a malformed error response (no terminator)");
					return -1;
				}
				if (code == 0)
					break;
				if (!pgtls__cursor_cstr(&body, &val, &vlen))
				{
					snprintf(errmsg, errlen, "server sent a malformed error response (unterminated field)");
					return -1;
				}
				if (code == PG_DIAG_SEVERITY)
					copy_field(reply->severity, sizeof(reply->severity), val, vlen);
				else if (code == PG_DIAG_SQLSTATE)
					copy_field(reply->sqlstate, sizeof(reply->sqlstate), val, vlen);
				else if (code == PG_DIAG_MESSAGE_PRIMARY)
					copy_field(reply->message, sizeof(reply->message), val, vlen);
			}
			reply->kind = PGTLS_REPLY_ERROR;
			return 1;
		}
		case PqMsg_NoticeResponse:
		case PqMsg_NegotiateProtocolVersion:
		case PqMsg_ParameterStatus:
		case PqMsg_BackendKeyData:
			reply->kind = PGTLS_REPLY_SKIP;
			return 1;
		case PqMsg_ReadyForQuery:
			reply->kind = PGTLS_REPLY_READY;
			return 1;
		default:
			snprintf(errmsg, errlen, "expected authentication request from server, but received %c",
			         (type >= 0x21 && type < 0x7f) ? type : '?');
			return -1;
	}
}

/*
 * Validates the bytes received in answer to SSLRequest.  Returns the
 * answer ('S' or 'N') or 0 with ERRMSG set.  Bytes after the answer byte
 * are refused: a man in the middle may have injected them (CVE-2021-23222).
 */
static char
check_ssl_response(const uint8_t *buf, size_t len, char *errmsg, size_t errlen)
{
	if (len == 0)
	{
		snprintf(errmsg, errlen, "server closed the connection unexpectedly during SSL negotiation");
		return 0;
	}
	switch (buf[0])
	{
		case PG_SSL_YES:
		case PG_SSL_NO:
			if (len > 1)
			{
				snprintf(errmsg, errlen, "received unencrypted data after SSL response");
				return 0;
			}
			return (char)buf[0];
		case PqMsg_ErrorResponse:
			snprintf(errmsg, errlen, "server sent an error response during SSL exchange");
			return 0;
		default:
			snprintf(errmsg, errlen, "received invalid response to SSL negotiation: %c",
			         (buf[0] >= 0x21 && buf[0] < 0x7f) ? buf[0] : '?');
			return 0;
	}
}

char
pgtls__check_ssl_response(const uint8_t *buf, size_t len, char *errmsg, size_t errlen)
{
	return check_ssl_response(buf, len, errmsg, errlen);
}
