/*-------------------------------------------------------------------------
 *
 * impostor_int.h
 *	  Private declarations of the decoy server (pgtls impostor): the
 *	  forged certificates, one client connection's state machine, and the
 *	  record kept of it.
 *
 * IDENTIFICATION
 *	  lib/impostor/impostor_int.h
 *
 * NOTES
 *	  A session record keeps only the verdict fields: never a password
 *	  byte (the password message is cleansed as soon as its length is
 *	  known), never anything forwarded anywhere.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_IMPOSTOR_INT_H
#define PGTLS_IMPOSTOR_INT_H

#include "pgtls_int.h"
#include "rules/rules.h"

#include <sys/socket.h>

struct ssl_ctx_st;
struct ssl_st;
struct x509_st;
struct evp_pkey_st;
struct stack_st_X509;

#define DECOY_MAX_STARTUP 10000 /* PostgreSQL's MAX_STARTUP_PACKET_LENGTH */
#define DECOY_MAX_PASSWORD 4096 /* bound on the password message */
#define DECOY_MAX_NAMES 32      /* leaf names copied or given */
#define DECOY_DEFAULT_TIMEOUT_MS 10000
#define DECOY_DEFAULT_CONCURRENT 64
#define DECOY_DEFAULT_RECORDS 10000

/* What was recorded of one client connection (no secret in it). */
typedef struct decoy_session
{
	int id; /* 1-based, in order of arrival */
	char peer[80];
	char peer_host[64];
	char started[32]; /* UTC, ISO 8601 */
	int64_t started_ms;
	int64_t ended_ms;
	bool said_anything;
	bool gss_request;
	bool ssl_request;
	bool direct;       /* PG17 direct TLS (first byte a TLS record) */
	char answer;       /* 'S', 'N' or 0 */
	bool client_hello; /* a ClientHello arrived */
	bool handshake_done;
	char tls_version[16];
	char alpn[32];
	char sni[256];
	char client_alert[128]; /* OpenSSL's reason when the handshake failed (the client's alert) */
	bool startup;
	bool startup_tls;
	char user[64];
	char database[64];
	char appname[64];
	bool password_asked;
	bool password_sent;
	const char *password_length; /* "empty", "1-7", ... ; NULL when none was sent */
	char end[160];               /* how the connection ended, for people */
	int retry_of;                /* id of this client's previous attempt, or 0 */
	bool earlier_tls;            /* that attempt asked for TLS */
	unsigned codes;              /* 1u << pgtls_decoy_verdict */
	/* relay: what the TLS records showed (never decrypted) */
	bool relayed;       /* its TLS went to the canary */
	bool name_tested;   /* the host name it asked for (SNI) is one the canary's certificate names */
	bool identified;    /* user/database/application_name came from the canary's pg_stat_activity */
	bool refused_chain; /* its alert names the chain: unknown_ca (OpenSSL), certificate_unknown (JSSE) */
} decoy_session;

typedef enum decoy_state
{
	DS_FIRST = 0, /* before TLS: SSLRequest, GSSENCRequest, direct TLS or StartupMessage */
	DS_HANDSHAKE,
	DS_STARTUP, /* over TLS */
	DS_PASSWORD,
	DS_FLUSH,      /* writing OUT, then AFTER */
	DS_UP_CONNECT, /* relay: connecting to the canary, then its SSLRequest */
	DS_UP_ANSWER,  /* relay: the canary's answer to the SSLRequest */
	DS_RELAY,      /* relay: bytes both ways, TLS records watched */
	DS_DONE
} decoy_state;

#define RELAY_BUF 16384
#define RELAY_CAPTURE 16389 /* one whole TLS record: the ClientHello (SNI) */

/* One direction of a relayed connection: its TLS records, read without decrypting. */
typedef struct relay_watch
{
	uint8_t hdr[5];
	size_t hdrlen; /* header bytes of the record being read */
	size_t left;   /* body bytes of it still to come */
	uint8_t type;  /* its content type */
	size_t reclen; /* its length */
	uint8_t *cap;  /* the first record's body (ClientHello, ServerHello), RELAY_CAPTURE bytes */
	size_t caplen;
	uint8_t alert[2]; /* first bytes of a plaintext alert */
	size_t alertlen;
	int records;
	bool not_tls; /* a record header no TLS peer sends */
} relay_watch;

/* What the relay has seen of the handshake so far (relay.c). */
typedef struct relay_obs
{
	int version;         /* 0x0303 TLS 1.2, 0x0304 TLS 1.3, 0 not known yet */
	bool server_hello;   /* the canary's first flight began */
	bool client_ccs;     /* TLS 1.2: the client's ChangeCipherSpec (it took the certificate) */
	int client_enc;      /* encrypted client records after the ServerHello */
	bool went_on;        /* its startup went to the canary over TLS */
	bool aborted;        /* it refused the handshake (an alert) */
	int server_after_on; /* canary records since it went on (identification tries) */
} relay_obs;

/* One connection in flight. */
typedef struct decoy_conn
{
	int fd;
	struct ssl_st *ssl;
	struct bio_method_st *biometh; /* the SSL's socket BIO's method (freed after the SSL) */
	decoy_state st;
	decoy_state after; /* state after DS_FLUSH */
	bool want_write;
	int64_t deadline;
	uint8_t in[DECOY_MAX_STARTUP + 8];
	size_t inlen;
	uint8_t out[512];
	size_t outlen;
	size_t outpos;
	decoy_session rec;
	/* relay only */
	int up_fd;          /* the canary, or -1 */
	uint8_t *c2s, *s2c; /* RELAY_BUF each, allocated for a relayed connection */
	size_t c2s_len, c2s_pos, s2c_len, s2c_pos;
	bool client_eof, up_eof;
	relay_watch wc, ws; /* client -> canary, canary -> client */
	relay_obs obs;
} decoy_conn;

/* Mode relay: where to, and how to name the relayed sessions. */
typedef struct decoy_relay
{
	struct sockaddr_storage to;
	unsigned to_len;
	char to_text[160];
	struct x509_st *leaf; /* the canary's leaf: the names it answers for */
	char listen_ip[64];   /* the relay's own address (a client that connects by IP asks for it) */
	char *conninfo;       /* a connection to the canary for pg_stat_activity, or NULL */
	struct pg_conn *pq;
	int ident_failures;
	char ident_error[200];
} decoy_relay;

/* forge.c: the decoy's TLS context for MODE, or NULL with ERR set */
typedef struct decoy_forge
{
	pgtls_decoy_mode mode;
	struct x509_st *ca; /* the trusted CA given (wrong-name, expired), or NULL */
	struct evp_pkey_st *cakey;
	struct stack_st_X509 *ca_extra; /* certificates after the first in the CA file */
	struct x509_st *like_leaf;      /* --like: the real server's leaf */
	struct x509_st *like_top;       /* --like: the top of its chain (its issuer name is forged) */
	char *names[DECOY_MAX_NAMES];   /* DNS names or IP addresses of the leaf */
	int nnames;
	struct x509_st *leaf; /* made by pgtls__decoy_forge() */
} decoy_forge;

struct ssl_ctx_st *pgtls__decoy_forge(decoy_forge *f, pgtls_errslot *err);
void pgtls__decoy_forge_clear(decoy_forge *f);

struct pgtls_impostor
{
	pgtls_errslot err;
	pgtls_decoy_mode mode;
	decoy_forge forge;
	struct ssl_ctx_st *ctx;
	pgtls_cert *leaf_cert;
	int lfd;
	char address[160];
	char started[32];
	char ended[32];
	bool loaded; /* read back from a report (pgtls_impostor_load()) */
	int timeout_ms;
	int max_concurrent;
	int max_records;
	decoy_conn **conns; /* in flight */
	int nconns;
	decoy_session *sessions; /* ended, listed */
	int nsessions;
	int capsessions;
	int next_id;
	int dropped_busy;
	int dropped_records;
	int tally[PGTLS_DECOY_VERDICT_COUNT]; /* sessions per verdict, listed or not */
	int tally_sessions;
	int tally_accepted; /* sessions that went on with the decoy (pgtls__rules_decoy_accepted()) */
	int tally_observed[PGTLS_PREDICT_UNKNOWN + 1]; /* rehearsal modes: sessions per observed prediction */
	decoy_relay relay;
};

/* report/json_impostor.c: pgtls_impostor_load() from memory (NAME for messages) */
pgtls_err pgtls__impostor_load_mem(pgtls_impostor *imp, const char *buf, size_t len, const char *name);

/* impostor.c: counts session S, its verdicts already set (listed or not, run or read back) */
void pgtls__impostor_tally(pgtls_impostor *imp, const decoy_session *s);

/* UTC now, ISO 8601 */
void pgtls__utc_now(char *out, size_t outlen);

/* session.c */
/* C takes FD (non-blocking); PEER is its address for the record */
void pgtls__decoy_conn_init(decoy_conn *c, int fd, int id, const char *peer, const char *peer_host, int64_t now,
                            int timeout_ms);
/* Advances C on readiness; true when it has ended (C->rec is final). */
bool pgtls__decoy_conn_step(decoy_conn *c, struct ssl_ctx_st *ctx, pgtls_decoy_mode mode, decoy_relay *relay);
/* what C waits for on its client socket and (relay) on the canary's: POLLIN/POLLOUT */
void pgtls__decoy_conn_events(const decoy_conn *c, short *client, short *up);
void pgtls__decoy_conn_free(decoy_conn *c);
/* Ends C now (deadline, shutdown) with WHY. */
void pgtls__decoy_conn_abort(decoy_conn *c, const char *why);
/*
 * Parses a StartupMessage body (after length and version) into REC's
 * user, database and application_name; false when malformed.  Bounded:
 * BODY[LEN] only.  (fuzz/fuzz_impostor.c)
 */
bool pgtls__decoy_parse_startup(const uint8_t *body, size_t len, decoy_session *rec);

/* relay.c */
/* C asked for TLS: connect to the canary (DS_UP_CONNECT), or end C */
void pgtls__relay_start(decoy_conn *c, const decoy_relay *relay);
void pgtls__relay_step(decoy_conn *c, decoy_relay *relay);
/* feeds N bytes that went FROM_CLIENT (or from the canary) to W and updates OBS; bounded (fuzz_impostor) */
void pgtls__relay_watch(decoy_conn *c, bool from_client, const uint8_t *p, size_t n);
void pgtls__relay_clear(decoy_relay *relay);
bool pgtls__relay_connect(decoy_relay *relay);
/* the record's TLS fields from what was watched (at the end) */
void pgtls__relay_conclude(decoy_conn *c);
/* whether the canary's certificate names what C asked for */
void pgtls__relay_name_check(decoy_conn *c, const decoy_relay *relay);
/* session.c: ends C with a sentence; queues MSG to the client, then state AFTER */
void pgtls__decoy_finish(decoy_conn *c, const char *fmt, const char *arg);
void pgtls__decoy_queue(decoy_conn *c, const void *msg, size_t n, decoy_state after);

/* the facts of REC for the rules engine */
void pgtls__decoy_facts_of(const decoy_session *rec, pgtls_decoy_mode mode, pgtls_decoy_facts *f);

#endif /* PGTLS_IMPOSTOR_INT_H */
