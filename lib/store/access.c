/*-------------------------------------------------------------------------
 *
 * access.c
 *	  Typed accessors of a trust store: files, entries (certificate
 *	  handles), what dedupe removed, tallies and findings.
 *
 * IDENTIFICATION
 *	  lib/store/access.c
 *
 * NOTES
 *	  Certificate handles are made on first request and cached in the
 *	  entry (the store is logically const: the cache changes no result).
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "store/store_int.h"

int
pgtls_store_nfiles(const pgtls_store *s)
{
	return s ? s->nfiles : 0;
}

const char *
pgtls_store_file_get(const pgtls_store *s, int i, pgtls_store_file_field field)
{
	if (s == NULL || i < 0 || i >= s->nfiles)
		return "";
	switch (field)
	{
		case PGTLS_SF_PATH:
			return s->files[i].path;
		case PGTLS_SF_FORMAT:
			return s->files[i].format;
		case PGTLS_SF_INTEGRITY:
			return s->files[i].integrity;
	}
	return "";
}

int
pgtls_store_file_nnotes(const pgtls_store *s, int i)
{
	return (s && i >= 0 && i < s->nfiles) ? s->files[i].nnotes : 0;
}

const char *
pgtls_store_file_note(const pgtls_store *s, int i, int j)
{
	if (s == NULL || i < 0 || i >= s->nfiles || j < 0 || j >= s->files[i].nnotes)
		return "";
	return s->files[i].notes[j];
}

const pgtls_cert *
pgtls_store_cert(const pgtls_store *s, int i)
{
	store_entry *e;

	if (s == NULL || i < 0 || i >= s->nentries)
		return NULL;
	e = &s->entries[i];
	if (e->info == NULL)
		e->info = pgtls__cert_new(e->cert);
	return e->info;
}

const char *
pgtls_store_entry_alias(const pgtls_store *s, int i)
{
	return (s && i >= 0 && i < s->nentries) ? s->entries[i].alias : "";
}

const char *
pgtls_store_entry_source(const pgtls_store *s, int i)
{
	return (s && i >= 0 && i < s->nentries) ? s->files[s->entries[i].file].path : "";
}

int
pgtls_store_entry_key(const pgtls_store *s, int i)
{
	return s && i >= 0 && i < s->nentries && s->entries[i].key_entry;
}

int
pgtls_store_entry_java_trusted(const pgtls_store *s, int i)
{
	return (s && i >= 0 && i < s->nentries) ? s->entries[i].java_trusted : -1;
}

int
pgtls_store_tally(const pgtls_store *s, pgtls_store_tally_kind kind)
{
	int n = 0;

	if (s == NULL || (int)kind < 0 || kind > PGTLS_TALLY_NAMED_LIKE_AWS)
		return 0;
	/* the cache changes no result: the store stays logically const */
	if (kind == PGTLS_TALLY_SKIPPED_BLOCKS)
		return s->skipped;
	for (int i = 0; kind == PGTLS_TALLY_NAMED_LIKE_AWS && i < s->nentries; i++)
		n += pgtls_cert_named_like(pgtls_store_cert(s, i))[0] != '\0';
	if (kind == PGTLS_TALLY_NAMED_LIKE_AWS)
		return n;
	(void)pgtls__store_dups_cached((pgtls_store *)s);
	return s->tallies[kind];
}

int
pgtls_store_duplicate_of(const pgtls_store *s, int i)
{
	const int *dup;

	/* the cache changes no result: the store stays logically const */
	if (s == NULL || i < 0 || i >= s->nentries || (dup = pgtls__store_dups_cached((pgtls_store *)s)) == NULL)
		return -1;
	return dup[i];
}

int
pgtls_store_nremoved(const pgtls_store *s)
{
	return s ? s->nremoved : 0;
}

const char *
pgtls_store_removed_get(const pgtls_store *s, int i, pgtls_store_removed_field field)
{
	if (s == NULL || i < 0 || i >= s->nremoved)
		return "";
	switch (field)
	{
		case PGTLS_SR_SOURCE:
			return s->removed[i].source ? s->removed[i].source : "";
		case PGTLS_SR_ALIAS:
			return s->removed[i].alias;
		case PGTLS_SR_SUBJECT:
			return s->removed[i].subject;
		case PGTLS_SR_SHA256:
			return s->removed[i].sha256;
		case PGTLS_SR_REASON:
			return s->removed[i].duplicate_of ? "duplicate" : "expired";
	}
	return "";
}

/* ---- findings: stable code + sentence, from the tallies ---- */

typedef struct store_finding_def
{
	pgtls_store_tally_kind tally;
	const char *code;
	const char *message;
} store_finding_def;

static const store_finding_def finding_defs[] = {
    {PGTLS_TALLY_DUPLICATES, "duplicates", "duplicate certificates (same SHA-256 as an earlier entry)"},
    {PGTLS_TALLY_EXPIRED, "expired", "expired certificates present (a merge can drop them)"},
    {PGTLS_TALLY_NON_CA, "non_ca", "non-CA certificates present: a trust store normally holds CA certificates only"},
    {PGTLS_TALLY_NOT_JAVA_TRUSTED, "not_java_trusted",
     "PKCS#12 certificates without the Java trusted-key-usage attribute: keytool and Java ignore them as trust "
     "anchors"},
    {PGTLS_TALLY_NAMED_LIKE_AWS, "named_like_aws",
     "certificates named like an Amazon RDS CA that are not AWS's (their SHA-256 is not in AWS's published bundles)"},
    {PGTLS_TALLY_SKIPPED_BLOCKS, "skipped_blocks",
     "certificate blocks skipped (see the file notes for their lines): libpq drops them without a word, pgjdbc and "
     "keytool reject the file"},
};

static int
finding_def(const pgtls_store *s, int i)
{
	int k = 0;

	for (size_t d = 0; d < sizeof(finding_defs) / sizeof(finding_defs[0]); d++)
		if (pgtls_store_tally(s, finding_defs[d].tally) > 0 && k++ == i)
			return (int)d;
	return -1;
}

int
pgtls_store_nfindings(const pgtls_store *s)
{
	int n = 0;

	for (size_t d = 0; s && d < sizeof(finding_defs) / sizeof(finding_defs[0]); d++)
		n += pgtls_store_tally(s, finding_defs[d].tally) > 0;
	return n;
}

const char *
pgtls_store_finding_code(const pgtls_store *s, int i)
{
	int d = finding_def(s, i);

	return d < 0 ? "" : finding_defs[d].code;
}

const char *
pgtls_store_finding(const pgtls_store *s, int i)
{
	int d = finding_def(s, i);

	return d < 0 ? "" : finding_defs[d].message;
}

/* 0 nothing to say, 1 findings (expired, duplicates, not a CA, ...); 3 no store */
int
pgtls_store_status(const pgtls_store *s)
{
	if (s == NULL)
		return 3;
	return pgtls_store_nfindings(s) > 0 ? 1 : 0;
}

int
pgtls_store_find_known(const pgtls_store *s, const char *name, int file)
{
	for (int i = 0; s && name && i < s->nentries; i++)
		if ((file < 0 || s->entries[i].file == file) && pgtls_cert_is_known(pgtls_store_cert(s, i), name))
			return i;
	return -1;
}
