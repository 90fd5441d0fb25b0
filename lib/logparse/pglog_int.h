/*-------------------------------------------------------------------------
 *
 * pglog_int.h
 *	  The log scan object shared by the parser (pglog.c), its typed
 *	  accessors (logreport.c) and the JSON serializer.
 *
 * IDENTIFICATION
 *	  lib/logparse/pglog_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_PGLOG_INT_H
#define PGTLS_PGLOG_INT_H

#include "pgtls_int.h"

#define PGTLS_LOG_MAX_LINE (1024 * 1024)
#define LOG_CHUNK (4 * 1024 * 1024)
#define PIDMAP_SIZE 65536 /* power of two */
#define MAX_CLIENTS 100000
#define FIELD_MAX 64   /* NAMEDATALEN: the server truncates user, database and application names to 63 bytes */
#define RECENT_PIDS 16 /* per address: the connections a plaintext retry is looked for among */

typedef enum log_format
{
	FMT_AUTO,
	FMT_STDERR,
	FMT_CSV,
	FMT_JSON
} log_format;

enum
{
	V_TLS13,
	V_TLS12,
	V_TLS11,
	V_TLS10,
	V_TLS_OTHER,
	V_NVERS
};

enum
{
	F_UNKNOWN_CA,
	F_CERT_UNKNOWN,
	F_BAD_CERT,
	F_CERT_EXPIRED,
	F_PROTOCOL,
	F_CIPHER,
	F_CLIENT_CERT,
	F_EOF,
	F_OTHER,
	F_NREASONS
};

typedef struct client
{
	char host[64];
	char user[FIELD_MAX];
	char db[FIELD_MAX];
	char app[FIELD_MAX];
	uint64_t tls[V_NVERS];
	uint64_t plaintext;
	uint64_t gss;
	uint64_t rejected_plain;
	uint64_t rejected_ssl;
	uint64_t local;          /* Unix-domain socket sessions ([local]): TLS does not apply */
	uint64_t rejected_local; /* ... rejected by pg_hba.conf */
	uint64_t tls_failed[F_NREASONS];
	uint64_t tls_failed_total;
	/* address rows (no user): the connections received from it, and the last failure a plaintext retry may follow */
	uint64_t recv_seq;         /* connections received from this address so far */
	uint64_t closed_nostartup; /* received, then nothing: closed after the handshake without a startup */
	int64_t cand_ms;           /* the last failed handshake of a client that may retry in plaintext (libpq) */
	uint64_t cand_seq;         /* ... the rank of its connection among the address's (0: not known) */
	bool cand_claimed;         /* ... a plaintext retry was tied to it */
	int recent[RECENT_PIDS];   /* the pids of the last connections received from it, by rank % RECENT_PIDS */
	/* named clients */
	uint64_t fb_cannot_tell;   /* plaintext sessions after another connection's failure from the address */
	uint64_t plain_unpreceded; /* plaintext sessions with no failed handshake right before */
	uint8_t fb_kind;           /* FB_NONE, FB_AFTER_TLS, FB_AFTER_FAILURE */
	bool fallback;             /* plaintext after TLS, or the retry of this client's own failed handshake */
	char fallback_since[32];   /* the first such plaintext connection */
	char first[32];
	char last[32];
	bool used;
} client;

typedef struct log_file
{
	char *path;
	const char *format;      /* stderr, csvlog, jsonlog */
	const char *compression; /* gzip, bzip2, xz, lzma, zstd, lz4, or "" */
	uint64_t bytes;
	uint64_t records;
	char *error; /* why it could not be read to its end (its readable part is counted), or NULL */
} log_file;

enum
{
	FB_NONE,
	FB_AFTER_TLS,
	FB_AFTER_FAILURE
};

enum
{
	CONN_NONE,    /* no connection followed under this pid */
	CONN_PENDING, /* "connection received", nothing else yet */
	CONN_SEEN     /* something else was logged for it */
};

/* what a connection turned out to be, for the fallback's pairing */
enum
{
	OUT_UNKNOWN,   /* nothing yet, or something else */
	OUT_ENCRYPTED, /* authorized with TLS or GSS: not a plaintext retry */
	OUT_FAILED,    /* a failed handshake: not a plaintext retry */
	OUT_OWN        /* pgtls's own */
};

/* a backend (by pid): its client address and what became of its connection */
typedef struct pidslot
{
	int pid;
	uint8_t state;   /* CONN_* */
	uint8_t outcome; /* OUT_* */
	bool in_window;  /* received inside --since/--until */
	char host[64];
	char port[8];
	char ts[32];
	int64_t ms;   /* when it was received (log time) */
	uint64_t seq; /* its rank among the connections received from its address */
} pidslot;

struct pgtls_logscan
{
	pgtls_errslot err;
	log_format want;
	unsigned seen_formats; /* 1 << log_format of the relevant lines of the file being read */
	char *buf;             /* carry + chunk, grown on use */
	size_t bufcap;
	size_t carry;
	bool skipping; /* inside an overlong line */
	pidslot *pids; /* direct-mapped pid -> host, grown on collisions up to PIDMAP_SIZE */
	size_t pidcap;
	client *clients; /* open addressing, capacity cap */
	size_t cap;
	size_t nclients;
	uint64_t overflow; /* connections not tabulated (table full) */
	uint64_t long_lines;
	uint64_t bytes;
	uint64_t matched;
	log_file *files; /* one per pgtls_logscan_file() */
	int nfiles;
	client *sorted; /* snapshot for the accessors, made on first request */
	size_t nsorted;
	bool sorted_valid;
	char first[32];
	char last[32];
	/* filters */
	char since[32];
	char until[32];
	char **excl_users;
	int nexcl_users;
	char **excl_apps;
	int nexcl_apps;
	bool include_own;
	uint64_t excluded_own;    /* pgtls's own probe sessions */
	uint64_t excluded_filter; /* --exclude-user / --exclude-app */
	uint64_t excluded_time;   /* outside --since/--until */
	uint64_t not_followed;    /* connections received whose outcome cannot be tied to them (no pid, table full) */
	int64_t newest_ms;        /* the newest record's time (log time) */
	char failbuf[256];        /* PGTLS_LC_TLS_FAILURES / PGTLS_LC_CLIENT_FAMILIES text (accessor cache) */
	pgtls_log_event_cb event_cb;
	void *event_arg;
};

/* a parsed log event, whatever the format */
typedef struct event
{
	const char *msg;
	size_t msglen;
	const char *severity;
	size_t sevlen;
	char ts[32];
	int64_t ms; /* ts in milliseconds (pgtls__log_ms), 0 when none */
	int pid;
	char host[64];        /* from the record itself (%r, csv, json) */
	char user[FIELD_MAX]; /* csv/json user column */
	char db[FIELD_MAX];
} event;

extern const char *const pgtls__log_fail_names[F_NREASONS];

/* events.c */
void pgtls__log_event(pgtls_logscan *s, event *ev);
void pgtls__log_copy_n(char *dst, size_t dstlen, const char *src, size_t n);
client *pgtls__log_get_client(pgtls_logscan *s, const char *host, const char *user, const char *db, const char *app);
client *pgtls__log_find_client(pgtls_logscan *s, const char *host, const char *user, const char *db, const char *app);
void pgtls__log_notify(pgtls_logscan *s, pgtls_log_event_kind kind, const client *c, const char *ts, const char *detail,
                       const char *family, const pidslot *conn);
bool pgtls__log_is_local(const char *host);
bool pgtls__log_in_window(const pgtls_logscan *s, const char *ts);

/* conns.c: each connection by its backend's pid, the closes without startup, the fallback's pairing */
int64_t pgtls__log_ms(const char *ts);
void pgtls__conn_received(pgtls_logscan *s, const event *ev, const char *host, const char *port);
pidslot *pgtls__conn_of(pgtls_logscan *s, int pid);
void pgtls__conn_failed(client *addr, const pidslot *conn, int reason, int64_t ms);
int pgtls__conn_plaintext(pgtls_logscan *s, client *c, const pidslot *conn, int64_t ms);
uint64_t pgtls__conn_open(const pgtls_logscan *s);
#define NFAMILIES 4
extern const char *const pgtls__log_family_names[NFAMILIES];
const char *pgtls__log_family(int reason);
void pgtls__log_family_counts(const client *c, uint64_t counts[NFAMILIES]);
void pgtls__log_families_str(const client *c, char *out, size_t outlen);
bool pgtls__log_row_empty(const client *c);
const char *pgtls__log_fallback_evidence(const client *c);

/* pglog.c: parses what is left in the carry buffer (end of a file or stream) */
void pgtls__logscan_flush(pgtls_logscan *s);

/* logreport.c: clients sorted by (host, user, database, application); NULL when out of memory */
client *pgtls__logscan_sorted(const pgtls_logscan *s, size_t *n);
uint64_t pgtls__log_tls_total(const client *c);
void pgtls__log_failures_str(const client *c, char *out, size_t outlen);
extern const char *const pgtls__log_vnames[V_NVERS];

/* report/json_logs.c */
struct json_t *pgtls__logscan_to_json(const pgtls_logscan *s);

#endif
