/*-------------------------------------------------------------------------
 *
 * protocol.h
 *	  PostgreSQL wire protocol message type codes (vendored subset of
 *	  PostgreSQL's src/include/libpq/protocol.h, as pgbouncer does).
 *
 * IDENTIFICATION
 *	  lib/proto/protocol.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_PROTOCOL_H
#define PGTLS_PROTOCOL_H

/* Frontend */
#define PqMsg_Terminate 'X'

/* Backend */
#define PqMsg_AuthenticationRequest 'R'
#define PqMsg_ErrorResponse 'E'
#define PqMsg_NoticeResponse 'N'
#define PqMsg_NegotiateProtocolVersion 'v'
#define PqMsg_ParameterStatus 'S'
#define PqMsg_BackendKeyData 'K'
#define PqMsg_ReadyForQuery 'Z'

/* ErrorResponse / NoticeResponse field codes (postgres_ext.h) */
#define PG_DIAG_SEVERITY 'S'
#define PG_DIAG_SEVERITY_NONLOCALIZED 'V'
#define PG_DIAG_SQLSTATE 'C'
#define PG_DIAG_MESSAGE_PRIMARY 'M'

/* Authentication request codes (protocol.h AUTH_REQ_*) */
#define AUTH_REQ_OK 0
#define AUTH_REQ_KRB4 1
#define AUTH_REQ_KRB5 2
#define AUTH_REQ_PASSWORD 3
#define AUTH_REQ_CRYPT 4
#define AUTH_REQ_MD5 5
#define AUTH_REQ_GSS 7
#define AUTH_REQ_GSS_CONT 8
#define AUTH_REQ_SSPI 9
#define AUTH_REQ_SASL 10
#define AUTH_REQ_SASL_CONT 11
#define AUTH_REQ_SASL_FIN 12

/* SSL negotiation replies */
#define PG_SSL_YES 'S'
#define PG_SSL_NO 'N'

/* ALPN protocol of PG17 direct TLS (pqcomm.h PG_ALPN_PROTOCOL) */
#define PG_ALPN_PROTOCOL "postgresql"

#endif /* PGTLS_PROTOCOL_H */
