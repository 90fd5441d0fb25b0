/*-------------------------------------------------------------------------
 *
 * pgtls_int.h
 *	  Private declarations shared by libpgtls's modules.
 *
 * IDENTIFICATION
 *	  lib/pgtls_int.h
 *
 * NOTES
 *	  Internal functions are prefixed pgtls__ and hidden by the linker
 *	  version script; only PGTLS_API symbols are exported.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_INT_H
#define PGTLS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <sys/socket.h>

#include "pgtls/pgtls.h"

#if defined(__GNUC__)
#define PGTLS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PGTLS_PRINTF(a, b)
#endif

#define PGTLS_ERRMSG_MAX 1024

/* Error slot carried by every object. */
typedef struct pgtls_errslot
{
	pgtls_err code;
	pgtls_hint hint; /* what the caller can do about it (worded by the caller) */
	char msg[PGTLS_ERRMSG_MAX];
} pgtls_errslot;

/*
 * Sets the error (first one wins unless OVERWRITE); returns CODE.  The
 * message is one line: CR/LF are replaced by spaces.
 */
pgtls_err pgtls__seterr(pgtls_errslot *slot, pgtls_err code, const char *fmt, ...) PGTLS_PRINTF(3, 4);
void pgtls__clearerr(pgtls_errslot *slot);
/* as pgtls__seterr(), with a remediation hint for the caller */
pgtls_err pgtls__seterr_hint(pgtls_errslot *slot, pgtls_err code, pgtls_hint hint, const char *fmt, ...)
    PGTLS_PRINTF(4, 5);

/* ---- bounded read cursor over borrowed bytes (wire, DER, ...) ---- */
typedef struct pgtls_cursor
{
	const uint8_t *data;
	size_t len;
	size_t pos;
} pgtls_cursor;

static inline void
pgtls__cursor_init(pgtls_cursor *c, const void *data, size_t len)
{
	c->data = data;
	c->len = len;
	c->pos = 0;
}

static inline size_t
pgtls__cursor_left(const pgtls_cursor *c)
{
	return c->len - c->pos;
}

bool pgtls__cursor_u8(pgtls_cursor *c, uint8_t *out);
bool pgtls__cursor_u32be(pgtls_cursor *c, uint32_t *out);
bool pgtls__cursor_i32be(pgtls_cursor *c, int32_t *out);
/* NUL-terminated string inside the cursor; *out borrows, *outlen excludes NUL */
bool pgtls__cursor_cstr(pgtls_cursor *c, const char **out, size_t *outlen);

/* ---- growable string (owned) ---- */
typedef struct pgtls_strbuf
{
	char *data;
	size_t len;
	size_t cap;
	bool oom;
} pgtls_strbuf;

void pgtls__sb_init(pgtls_strbuf *sb);
void pgtls__sb_free(pgtls_strbuf *sb);
void pgtls__sb_appendf(pgtls_strbuf *sb, const char *fmt, ...) PGTLS_PRINTF(2, 3);
void pgtls__sb_append_mem(pgtls_strbuf *sb, const void *mem, size_t n);
const char *pgtls__sb_str(const pgtls_strbuf *sb);
/* the one text sanitiser (see util.c): OUT always NUL-terminated; KEEP_LF keeps newlines (JSON, libpq's two-line errors) */
void pgtls__sanitize_text(const char *in, size_t len, char *out, size_t outlen, bool keep_lf);
void pgtls__sanitize(const char *in, size_t len, char *out, size_t outlen);
/* home directory for ~/.postgresql: OVERRIDE (if not NULL), $HOME, or the passwd entry; "" if none */
void pgtls__home_dir(const char *override, char *out, size_t outlen);
/* OpenSSL's reason for the oldest (or, if LAST, newest) queued error, or FALLBACK; clears the queue */
void pgtls__ossl_reason(char *out, size_t outlen, const char *fallback, bool last);
/* the one bounded non-blocking opener: a regular file of at most MAX bytes, or -1 with WHY */
struct stat;
int pgtls__open_regular(const char *path, bool follow, long max, struct stat *st, char *why, size_t whylen);
/* all of FD (at most MAX bytes), malloc'd and NUL-terminated; NULL with WHY */
char *pgtls__read_all(int fd, size_t max, size_t *len, char *why, size_t whylen);
/* the regular file PATH (symbolic links followed, at most MAX bytes), malloc'd and NUL-terminated; NULL if not */
char *pgtls__read_small_file(const char *path, size_t max, size_t *len);

/* the one secret masker (see util.c): passwords in URIs and key=value settings become "****"; malloc'd */
char *pgtls__mask_secrets(const char *s, size_t n);
/* one CSV field (quoted when it holds , " CR or LF), then SEP unless it is 0 */
void pgtls__sb_csv_field(pgtls_strbuf *sb, const char *v, char sep);

/* ---- write buffer for outgoing protocol messages ---- */
typedef struct pgtls_wbuf
{
	uint8_t data[1024];
	size_t len;
	bool overflow;
} pgtls_wbuf;

void pgtls__wbuf_u8(pgtls_wbuf *w, uint8_t v);
void pgtls__wbuf_u32be(pgtls_wbuf *w, uint32_t v);
void pgtls__wbuf_cstr(pgtls_wbuf *w, const char *s);
void pgtls__wbuf_patch_u32be(pgtls_wbuf *w, size_t at, uint32_t v);

/* ---- protocol (lib/proto/wire.c) ---- */
#define PGTLS_SSLREQUEST_CODE 80877103 /* PG_PROTOCOL(1234,5679) */
#define PGTLS_PROTOCOL_3_0 196608      /* PG_PROTOCOL(3,0) */
#define PGTLS_MAX_STARTUP_REPLY 65536  /* bound on the first server message */

bool pgtls__build_sslrequest(pgtls_wbuf *w);
bool pgtls__build_startup(pgtls_wbuf *w, const char *user, const char *dbname, const char *appname);

/* What a server said to our StartupMessage. */
typedef enum pgtls_reply_kind
{
	PGTLS_REPLY_NONE = 0, /* not seen (connection failed first) */
	PGTLS_REPLY_AUTH,     /* 'R': accepted, authentication follows */
	PGTLS_REPLY_ERROR,    /* 'E': rejected */
	PGTLS_REPLY_SKIP,     /* 'N' / 'v' / 'S' / 'K': read on */
	PGTLS_REPLY_READY     /* 'Z': session established (after trust) */
} pgtls_reply_kind;

typedef struct pgtls_reply
{
	pgtls_reply_kind kind;
	int32_t auth_code; /* for AUTH */
	char severity[16]; /* for ERROR: "FATAL" */
	char sqlstate[8];
	char message[512];
} pgtls_reply;

/*
 * Parses one complete backend message (type byte + length + body) from
 * BUF.  Returns 1 with *consumed set when a whole message is there, 0 when
 * more bytes are needed, -1 on malformed input (message in ERRMSG).
 */
int pgtls__parse_backend_msg(const uint8_t *buf, size_t len, size_t *consumed, pgtls_reply *reply, char *errmsg,
                             size_t errlen);

/* Human name of an authentication request code ("scram-sha-256"). */
const char *pgtls__auth_name(int32_t code);

/* ---- connections (lib/scan/conn.c) ---- */
typedef enum pgtls_conn_kind
{
	PGTLS_CONN_SSLREQUEST, /* SSLRequest, then TLS, then startup */
	PGTLS_CONN_DIRECT,     /* PG17 direct TLS with ALPN "postgresql" */
	PGTLS_CONN_PLAIN       /* StartupMessage without TLS */
} pgtls_conn_kind;

struct ssl_ctx_st;
struct stack_st_X509;

typedef struct pgtls_conn_params
{
	pgtls_conn_kind kind;
	const struct addrinfo *addrs; /* borrowed: tried in order */
	const char *sni;              /* NULL: no SNI */
	const char *user;
	const char *dbname;
	int timeout_ms;
	struct ssl_ctx_st *ctx; /* borrowed, for TLS kinds */
} pgtls_conn_params;

pgtls_conn *pgtls__conn_new(const pgtls_conn_params *params);
void pgtls__conn_free(pgtls_conn *conn);

bool pgtls__conn_done(const pgtls_conn *conn);

/* Results (valid after DONE). */
char pgtls__conn_sslresp(const pgtls_conn *conn); /* 'S', 'N' or 0 */
bool pgtls__conn_tls_done(const pgtls_conn *conn);
const char *pgtls__conn_tls_version(const pgtls_conn *conn);
const char *pgtls__conn_cipher(const pgtls_conn *conn);
const char *pgtls__conn_group(const pgtls_conn *conn);
const char *pgtls__conn_alpn(const pgtls_conn *conn);
int pgtls__conn_handshake_reason(const pgtls_conn *conn); /* OpenSSL reason of a failed handshake, or 0 */
const char *pgtls__conn_address(const pgtls_conn *conn);
struct stack_st_X509 *pgtls__conn_chain(const pgtls_conn *conn); /* borrowed */
const pgtls_reply *pgtls__conn_reply(const pgtls_conn *conn);
pgtls_err pgtls__conn_reply_err(const pgtls_conn *conn, const char **msg);

/* sockbio.c: a socket BIO that writes with MSG_NOSIGNAL; *METH is freed with BIO_meth_free() after the SSL */
struct bio_st;
struct bio_method_st;
struct bio_st *pgtls__sock_bio(int fd, struct bio_method_st **meth);
/* Frees *SSL (its BIO with it), then the BIO's method *METH, then closes *FD; each is reset. */
struct ssl_st;
void pgtls__sock_close(struct ssl_st **ssl, struct bio_method_st **meth, int *fd);

/* ---- x509 helpers (lib/x509) ---- */
struct x509_st;
struct json_t;
/* libpq's is_ip_address(): inet_aton (so "127.1" counts) or an IPv6 literal */
bool pgtls__is_ip_address(const char *host);
int pgtls__host_matches(struct x509_st *cert, const char *host, char *msg, size_t msglen);
void pgtls__fingerprint(struct x509_st *cert, const char *md, char *out, size_t outlen);
/* days from now until notAfter (negative when expired); false on error */
bool pgtls__days_left(struct x509_st *cert, int *days);
/* report/json_common.c: certificate (attacker-controlled) text through the sanitiser, as a JSON string */
struct json_t *pgtls__json_text(const char *data, size_t len);
/* report/json_common.c: sanitised string or null; the same with "" as null; dump and release a report */
struct json_t *pgtls__jstr(const char *s);
struct json_t *pgtls__jopt(const char *s);
char *pgtls__json_dump(struct json_t *rep, int pretty);
/* fleet/aws.c: the CA certificates known from describe-certificates */
int pgtls__aws_ncas(const pgtls_aws *a);
/* report/json_common.c: a report's envelope {pgtls_version, schema, status {code, label}}; STATUS 0..3 */
struct json_t *pgtls__report_new(int status);
const char *pgtls__status_label(int status);
/* RFC 2253 form of a name, e.g. "CN=localhost,O=Example" (truncated to OUTLEN) */
struct X509_name_st;
void pgtls__name_str(const struct X509_name_st *name, char *out, size_t outlen);

/* store/store_query.c: libpq could load PATH as its root certificate file (PEM, as initialize_SSL) */
bool pgtls__root_file_loadable(const char *path);

/* SSL response check (wire.c): returns 'S'/'N' or 0 with ERRMSG */
char pgtls__check_ssl_response(const uint8_t *buf, size_t len, char *errmsg, size_t errlen);

#endif /* PGTLS_INT_H */
