/*-------------------------------------------------------------------------
 *
 * store_int.h
 *	  The trust store object shared by store.c (PEM, DER, PKCS#7,
 *	  PKCS#12) and jks.c (Java JKS/JCEKS).
 *
 * IDENTIFICATION
 *	  lib/store/store_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_STORE_INT_H
#define PGTLS_STORE_INT_H

#include "pgtls_int.h"
#include "x509/cert_int.h"

struct x509_st;
struct json_t;
struct ossl_lib_ctx_st;

#define STORE_MAX_FILE (64 * 1024 * 1024)
#define STORE_MAX_ENTRIES 100000
#define STORE_ALIAS_MAX 256

typedef struct store_entry
{
	struct x509_st *cert;
	pgtls_cert *info;            /* typed summary, made on first request */
	char alias[STORE_ALIAS_MAX]; /* "" when the format has none */
	int file;                    /* index into files[] */
	bool key_entry;              /* certificate of a private-key entry */
	int java_trusted;            /* 1 trusted for Java, 0 not, -1 n/a */
	int64_t timestamp_ms;        /* JKS creation date, 0 if none */
} store_entry;

typedef struct store_file
{
	char *path;
	const char *format;    /* "pem", "der", "pkcs7", "pkcs12", "jks", "jceks" */
	const char *integrity; /* "verified", "not-verified", "none" */
	char **notes;          /* skipped blocks, key entries, legacy encryption, ... */
	int nnotes;
} store_file;

typedef struct store_removed
{
	char *source;
	char alias[STORE_ALIAS_MAX];
	char subject[512];
	char sha256[100];
	int duplicate_of; /* 1-based index kept, or 0 */
	bool expired;
} store_removed;

struct pgtls_store
{
	pgtls_errslot err;
	store_entry *entries;
	int nentries;
	int cap;
	store_file *files;
	int nfiles;
	int *dups;              /* cache of pgtls__store_dups() for nentries entries, or NULL */
	int dups_for;           /* entry count the cache was made for (-1: stale) */
	int tallies[4];         /* pgtls_store_tally_kind -> count, made with the dups cache */
	int skipped;            /* certificate blocks the readers could not take (misplaced PEM armour) */
	store_removed *removed; /* what dedupe removed, and why */
	int nremoved;
	struct ossl_lib_ctx_st *libctx; /* own context with the legacy provider */
	void *prov_default;
	void *prov_legacy;
};

/* store.c */
pgtls_err pgtls__store_add(pgtls_store *s, struct x509_st *cert, const char *alias, int file, bool key_entry,
                           int java_trusted, int64_t ts);
int pgtls__store_add_file(pgtls_store *s, const char *path, const char *format);
void pgtls__store_note(pgtls_store *s, int file, const char *fmt, ...) PGTLS_PRINTF(3, 4);

/* store.c: for each entry, the index of the first entry with the same certificate, or -1 (O(n log n)) */
int *pgtls__store_dups(const pgtls_store *s);
/* the same, cached on the store until it changes (borrowed; NULL when out of memory or empty) */
const int *pgtls__store_dups_cached(pgtls_store *s);
bool pgtls__store_cert_expired(struct x509_st *x);

/* store.c: the library context with the legacy provider (PKCS#12 RC2/3DES), made on first use */
pgtls_err pgtls__store_libctx(pgtls_store *s);

/* report/json_store.c */
struct json_t *pgtls__store_to_json(const pgtls_store *s);

/* jks.c */
bool pgtls__jks_magic(const uint8_t *buf, size_t len);
pgtls_err pgtls__jks_read(pgtls_store *s, const uint8_t *buf, size_t len, const char *password, int file);
pgtls_err pgtls__jks_write(pgtls_store *s, const char *password, uint8_t **out, size_t *outlen);

#endif /* PGTLS_STORE_INT_H */
