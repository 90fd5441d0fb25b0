/*-------------------------------------------------------------------------
 *
 * store_query.c
 *	  Queries on a trust store: find by fingerprint, duplicates (sorted
 *	  SHA-256 digests, O(n log n)), and de-duplication with a typed record
 *	  of every removal.
 *
 * IDENTIFICATION
 *	  lib/store/store_query.c
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "store/store_int.h"

/* ---- queries ---- */

/*
 * "aa:bb cc", "AABBCC", keytool's "SHA256: AA:BB...", openssl's "SHA1
 * Fingerprint=AA:BB..." or "sha256 Fingerprint=...", an AWS thumbprint in
 * lower-case hex -> "AABBCC"; false if not hex of 20 or 32 bytes.
 */
static bool
normalise_fp(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	const char *eq = strchr(in, '=');

	if (eq)
		in = eq + 1; /* openssl x509 -fingerprint: "SHA1 Fingerprint=..." */
	else if (strncasecmp(in, "SHA1:", 5) == 0)
		in += 5; /* keytool -list -v: "SHA1: AA:BB..." */
	else if (strncasecmp(in, "SHA256:", 7) == 0)
		in += 7;
	for (; *in; in++)
	{
		if (*in == ':' || *in == ' ' || *in == '-' || *in == '\t' || *in == '\n' || *in == '\r')
			continue;
		if (!isxdigit((unsigned char)*in) || o + 1 >= outlen)
			return false;
		out[o++] = (char)toupper((unsigned char)*in);
	}
	out[o] = '\0';
	return o == 40 || o == 64;
}

static void
strip_colons(const char *in, char *out)
{
	for (; *in; in++)
		if (*in != ':')
			*out++ = *in;
	*out = '\0';
}

pgtls_err
pgtls_store_find(pgtls_store *s, const char *fingerprint, int *index)
{
	char want[80];
	int i;

	if (index)
		*index = -1;
	if (s == NULL || index == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&s->err);
	if (fingerprint == NULL || !normalise_fp(fingerprint, want, sizeof(want)))
		return pgtls__seterr(&s->err, PGTLS_ERR_USAGE,
		                     "invalid fingerprint: expected 40 (SHA-1) or 64 (SHA-256) hex digits, colons optional");
	for (i = 0; i < s->nentries; i++)
	{
		char fp[EVP_MAX_MD_SIZE * 3 + 1], bare[EVP_MAX_MD_SIZE * 2 + 1];

		pgtls__fingerprint(s->entries[i].cert, strlen(want) == 40 ? "SHA1" : "SHA256", fp, sizeof(fp));
		strip_colons(fp, bare);
		if (strcmp(bare, want) == 0)
		{
			*index = i;
			break;
		}
	}
	return PGTLS_OK;
}

typedef struct dup_key
{
	unsigned char md[32];
	int index;
} dup_key;

static int
cmp_dup_key(const void *a, const void *b)
{
	const dup_key *x = a, *y = b;
	int c = memcmp(x->md, y->md, sizeof(x->md));

	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/*
 * For each entry, the index of the first entry holding the same
 * certificate (same SHA-256 of the DER), or -1.  Sorting the digests keeps
 * this O(n log n) for stores of 100,000 certificates.  NULL when out of
 * memory (or empty); caller frees.
 */
const int *
pgtls__store_dups_cached(pgtls_store *s)
{
	/* stale (-1 after any change) or made for another count */
	if (s->dups_for != s->nentries || s->dups == NULL)
	{
		free(s->dups);
		s->dups = pgtls__store_dups(s);
		s->dups_for = s->dups ? s->nentries : -1;
		/* the tallies in the same pass: findings and summaries ask for them again and again */
		memset(s->tallies, 0, sizeof(s->tallies));
		for (int i = 0; i < s->nentries; i++)
		{
			const store_entry *e = &s->entries[i];

			s->tallies[PGTLS_TALLY_DUPLICATES] += s->dups && s->dups[i] >= 0;
			s->tallies[PGTLS_TALLY_EXPIRED] += pgtls__store_cert_expired(e->cert);
			s->tallies[PGTLS_TALLY_NON_CA] += X509_check_ca(e->cert) <= 0;
			s->tallies[PGTLS_TALLY_NOT_JAVA_TRUSTED] +=
			    e->java_trusted == 0 && !e->key_entry && strcmp(s->files[e->file].format, "pkcs12") == 0;
		}
	}
	return s->dups;
}

int *
pgtls__store_dups(const pgtls_store *s)
{
	dup_key *keys;
	int *dup;
	int n = s->nentries;

	if (n == 0)
		return NULL;
	keys = calloc((size_t)n, sizeof(*keys));
	dup = malloc((size_t)n * sizeof(*dup));
	if (keys == NULL || dup == NULL)
	{
		free(keys);
		free(dup);
		return NULL;
	}
	for (int i = 0; i < n; i++)
	{
		unsigned int len = 0;

		X509_digest(s->entries[i].cert, EVP_sha256(), keys[i].md, &len);
		keys[i].index = i;
		dup[i] = -1;
	}
	qsort(keys, (size_t)n, sizeof(*keys), cmp_dup_key);
	/* sorted by (digest, index): the first of each run is the earliest entry */
	for (int i = 1, start = 0; i < n; i++)
	{
		if (memcmp(keys[start].md, keys[i].md, sizeof(keys[i].md)) != 0)
			start = i;
		else
			dup[keys[i].index] = keys[start].index;
	}
	free(keys);
	return dup;
}

bool
pgtls__store_cert_expired(X509 *x)
{
	return X509_cmp_current_time(X509_get0_notAfter(x)) < 0;
}

pgtls_err
pgtls_store_dedupe(pgtls_store *s, int drop_expired)
{
	int i, o = 0;
	int *dup, *newidx;

	if (s == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&s->err);
	dup = pgtls__store_dups(s);
	newidx = calloc((size_t)(s->nentries ? s->nentries : 1), sizeof(int));
	if ((dup == NULL && s->nentries) || newidx == NULL)
	{
		free(dup);
		free(newidx);
		return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
	}
	for (i = 0; i < s->nentries; i++)
	{
		store_entry *e = &s->entries[i];
		bool expired = !(dup[i] >= 0) && drop_expired && pgtls__store_cert_expired(e->cert);

		if (dup[i] >= 0 || expired)
		{
			store_removed *grown = realloc(s->removed, (size_t)(s->nremoved + 1) * sizeof(*grown));

			if (grown == NULL)
			{
				free(dup);
				free(newidx);
				return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
			}
			s->removed = grown;
			grown += s->nremoved++;
			memset(grown, 0, sizeof(*grown));
			grown->source = strdup(s->files[e->file].path);
			snprintf(grown->alias, sizeof(grown->alias), "%s", e->alias);
			pgtls__name_str(X509_get_subject_name(e->cert), grown->subject, sizeof(grown->subject));
			pgtls__fingerprint(e->cert, "SHA256", grown->sha256, sizeof(grown->sha256));
			grown->duplicate_of = dup[i] >= 0 ? newidx[dup[i]] + 1 : 0;
			grown->expired = expired;
			X509_free(e->cert);
			pgtls__cert_free(e->info);
			continue;
		}
		newidx[i] = o;
		s->entries[o++] = *e;
	}
	s->nentries = o;
	s->dups_for = -1;
	free(dup);
	free(newidx);
	return PGTLS_OK;
}

/* Whether libpq could read PATH as its root certificate file (PEM, as initialize_SSL loads it). */
bool
pgtls__root_file_loadable(const char *path)
{
	X509_STORE *st = X509_STORE_new();
	bool ok = st && X509_STORE_load_file(st, path) == 1;

	X509_STORE_free(st);
	ERR_clear_error();
	return ok;
}
