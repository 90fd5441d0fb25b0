/*-------------------------------------------------------------------------
 *
 * conninfo.h
 *	  Private declarations of the connection-settings room: the typed
 *	  settings value (libpq's keywords as fields, filled from one keyword
 *	  table), what a reader observed beside them, and the connection-string
 *	  parsers that fill them.
 *
 * IDENTIFICATION
 *	  lib/conninfo/conninfo.h
 *
 * NOTES
 *	  As libpq's PQconninfoOptions[] and fillPGconn(): one row per keyword
 *	  (keyword, environment variable, offsetof the field), and code reads
 *	  s->sslmode, never a key in a map.  Keys libpq does not know (a
 *	  driver's own: pgjdbc sslfactory, Npgsql trustservercertificate,
 *	  Prisma sslaccept, ...) are kept as written in the EXTRA list.  What a
 *	  reader observed (a JS ssl object, a URL's sslmode, a custom host
 *	  check, a setting a driver refuses) is a separate typed record
 *	  (pgtls_observed): no key a user writes can set it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_CONNINFO_H
#define PGTLS_CONNINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "pgtls_int.h"

/*
 * The keywords libpq 15 to 17 know, with their environment variables
 * (PQconninfoOptions[].envvar; NULL: none).  X(field, envvar, flags).
 */
#define PGTLS_SETTINGS_KEYWORDS(X)                                                                                     \
	X(service, "PGSERVICE", PGTLS_KW_CLIENT_ENV)                                                                       \
	X(user, "PGUSER", PGTLS_KW_CLIENT_ENV)                                                                             \
	X(password, "PGPASSWORD", PGTLS_KW_CLIENT_ENV)                                                                     \
	X(passfile, "PGPASSFILE", 0)                                                                                       \
	X(channel_binding, "PGCHANNELBINDING", 0)                                                                          \
	X(connect_timeout, "PGCONNECT_TIMEOUT", 0)                                                                         \
	X(dbname, "PGDATABASE", PGTLS_KW_CLIENT_ENV)                                                                       \
	X(host, "PGHOST", PGTLS_KW_CLIENT_ENV)                                                                             \
	X(hostaddr, "PGHOSTADDR", PGTLS_KW_CLIENT_ENV)                                                                     \
	X(port, "PGPORT", PGTLS_KW_CLIENT_ENV)                                                                             \
	X(client_encoding, "PGCLIENTENCODING", 0)                                                                          \
	X(options, "PGOPTIONS", 0)                                                                                         \
	X(application_name, "PGAPPNAME", 0)                                                                                \
	X(fallback_application_name, NULL, 0)                                                                              \
	X(keepalives, NULL, 0)                                                                                             \
	X(keepalives_idle, NULL, 0)                                                                                        \
	X(keepalives_interval, NULL, 0)                                                                                    \
	X(keepalives_count, NULL, 0)                                                                                       \
	X(tcp_user_timeout, NULL, 0)                                                                                       \
	X(sslmode, "PGSSLMODE", PGTLS_KW_CLIENT_ENV)                                                                       \
	X(sslnegotiation, "PGSSLNEGOTIATION", 0)                                                                           \
	X(sslcompression, "PGSSLCOMPRESSION", 0)                                                                           \
	X(sslcert, "PGSSLCERT", 0)                                                                                         \
	X(sslkey, "PGSSLKEY", 0)                                                                                           \
	X(sslcertmode, "PGSSLCERTMODE", 0)                                                                                 \
	X(sslpassword, NULL, 0)                                                                                            \
	X(sslrootcert, "PGSSLROOTCERT", PGTLS_KW_CLIENT_ENV)                                                               \
	X(sslcrl, "PGSSLCRL", 0)                                                                                           \
	X(sslcrldir, "PGSSLCRLDIR", 0)                                                                                     \
	X(sslsni, "PGSSLSNI", 0)                                                                                           \
	X(requirepeer, "PGREQUIREPEER", 0)                                                                                 \
	X(require_auth, "PGREQUIREAUTH", 0)                                                                                \
	X(ssl_min_protocol_version, "PGSSLMINPROTOCOLVERSION", 0)                                                          \
	X(ssl_max_protocol_version, "PGSSLMAXPROTOCOLVERSION", 0)                                                          \
	X(gssencmode, "PGGSSENCMODE", 0)                                                                                   \
	X(krbsrvname, "PGKRBSRVNAME", 0)                                                                                   \
	X(gsslib, "PGGSSLIB", 0)                                                                                           \
	X(gssdelegation, "PGGSSDELEGATION", 0)                                                                             \
	X(replication, NULL, 0)                                                                                            \
	X(target_session_attrs, "PGTARGETSESSIONATTRS", 0)                                                                 \
	X(load_balance_hosts, "PGLOADBALANCEHOSTS", 0)

/* a keyword whose PG* variable the clients scan reads as a client's setting (where and how TLS is made) */
#define PGTLS_KW_CLIENT_ENV 1u

/* one key libpq does not know, as written (value byte for byte) */
typedef struct pgtls_kv
{
	char *key;
	char *val;
} pgtls_kv;

/* Connection settings: libpq's keywords as fields (NULL: not set), other keys in EXTRA.  Owned strings. */
typedef struct pgtls_settings
{
#define PGTLS_KW_FIELD(f, env, flags) char *f;
	PGTLS_SETTINGS_KEYWORDS(PGTLS_KW_FIELD)
#undef PGTLS_KW_FIELD
	pgtls_kv *extra; /* keys libpq does not know, in the order first written */
	size_t nextra;
	size_t capextra;
} pgtls_settings;

/* one row of the keyword table */
typedef struct pgtls_kwdef
{
	const char *keyword;
	const char *envvar; /* NULL: none */
	size_t offset;      /* offsetof(pgtls_settings, field) */
	unsigned flags;     /* PGTLS_KW_* */
} pgtls_kwdef;

/* the keyword table (N rows), in libpq's order */
const pgtls_kwdef *pgtls__settings_keywords(size_t *n);

/*
 * What a reader observed beside the settings it read: typed facts, never
 * keys.  Zeroed: nothing observed.
 */
typedef struct pgtls_observed
{
	bool url_sslmode;         /* a URL's query set sslmode (pg-connection-string 2.4+ reads it) */
	bool js_ssl_object;       /* the TLS settings came from a JavaScript ssl object, not a URL */
	bool reject_unauthorized; /* that object says rejectUnauthorized: true (verifies in pg 7 too) */
	bool custom_host_check;   /* the application replaces the driver's host name check (checkServerIdentity) */
	char bad_setting[320];    /* the driver refuses the settings themselves: why; "" when not */
} pgtls_observed;

/* settings.c: new empty settings; NULL on OOM.  Free with pgtls__settings_free() (NULL: no-op). */
pgtls_settings *pgtls__settings_new(void);
void pgtls__settings_free(pgtls_settings *s);
/* a deep copy of S (NULL: an empty value); NULL on OOM */
pgtls_settings *pgtls__settings_dup(const pgtls_settings *s);

/* KEY = VAL[0..N) (kept byte for byte): a keyword's field, or EXTRA; false on OOM */
bool pgtls__settings_setn(pgtls_settings *s, const char *key, const char *val, size_t n);
bool pgtls__settings_set(pgtls_settings *s, const char *key, const char *val);
/* KEY = the text FMT makes; false on OOM */
bool pgtls__settings_setf(pgtls_settings *s, const char *key, const char *fmt, ...) PGTLS_PRINTF(3, 4);
/* KEY's value (a keyword's field or an EXTRA key), or NULL; for code that goes over a list of key names */
const char *pgtls__settings_value(const pgtls_settings *s, const char *key);
/* a key libpq does not know (a driver's own: "sslfactory", "sslaccept", ...), or NULL */
const char *pgtls__settings_extra(const pgtls_settings *s, const char *key);
void pgtls__settings_unset(pgtls_settings *s, const char *key);
/* how many keys are set */
size_t pgtls__settings_count(const pgtls_settings *s);
/* the I-th key set (keywords in table order, then EXTRA in order written); false past the last */
bool pgtls__settings_nth(const pgtls_settings *s, size_t i, const char **key, const char **val);
/*
 * SRC's keys into DST: all (OVERWRITE) or only those DST lacks; SKIP (may
 * be NULL) leaves a key out when it returns true.  False on OOM.
 */
bool pgtls__settings_merge(pgtls_settings *dst, const pgtls_settings *src, bool overwrite,
                           bool (*skip)(const char *key));

/* a PG* variable the clients scan reads (PGTLS_KW_CLIENT_ENV) -> its keyword, else NULL */
const char *pgtls__settings_env_keyword(const char *var);

/* settings.c: a keyword of the table (libpq 15 to 17) */
bool pgtls__settings_is_keyword(const char *key);

/* service.c: libpq's MAXBUFSIZE: a line of that many bytes or more is "line %d too long in service file" */
#define PGTLS_SERVICE_LINE_MAX 256

/* service.c: what one line of a service file is */
typedef enum pgtls_service_line
{
	PGTLS_SVC_SKIP = 0, /* empty or a '#' comment */
	PGTLS_SVC_GROUP,    /* "[name]": *KEY the text after '[' */
	PGTLS_SVC_SETTING,  /* KEY=VALUE, split at the first '=' (nothing trimmed around it) */
	PGTLS_SVC_NO_EQUALS /* libpq: "syntax error in service file" (in the group looked up) */
} pgtls_service_line;

/*
 * service.c: LINE (changed in place: white space around it dropped) as
 * libpq's parseServiceFile() reads it; *KEY and *VALUE point into LINE
 */
pgtls_service_line pgtls__service_line(char *line, char **key, char **value);
/*
 * service.c: what libpq says of a line of KIND with KEY (KNOWN: KEY is a
 * keyword of the libpq reading the file) at LINENR of FILE, in the group
 * it looks up: false when it takes it; else true, with libpq's error text
 * in WHY (no '=', a nested service, an unknown keyword)
 */
bool pgtls__service_refuses(pgtls_service_line kind, const char *key, bool known, const char *file, int linenr,
                            char *why, size_t whylen);
/* service.c: libpq's test that GROUP (the text after '[') opens the group of SERVICE */
bool pgtls__service_group_is(const char *group, const char *service);

/* conninfo.c: a libpq conninfo string or postgresql:// URI; NULL with ERR set on error (libpq's texts) */
pgtls_settings *pgtls__conninfo_parse(const char *s, char *err, size_t errlen);
/*
 * As pgtls__conninfo_parse(), but lenient when EXTRA is given: keywords
 * and URI parameters the linked libpq does not know, and "?flag"
 * parameters without a value, go to EXTRA (a flag with value "") instead
 * of failing.  Other drivers (asyncpg, Prisma, node-postgres) read them.
 */
pgtls_settings *pgtls__conninfo_parse_ex(const char *s, pgtls_settings *extra, char *err, size_t errlen);
/* conninfo.c: a pgjdbc URL (jdbc:postgresql:...); NULL with ERR set on error */
pgtls_settings *pgtls__jdbc_parse(const char *s, char *err, size_t errlen);

#endif