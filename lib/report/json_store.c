/*-------------------------------------------------------------------------
 *
 * json_store.c
 *	  The documented JSON of pgtls store inspect/merge
 *	  (docs/json-schema.md), written from the store's typed entries.
 *
 * IDENTIFICATION
 *	  lib/report/json_store.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include <jansson.h>

#include "store/store_int.h"

static json_t *
files_json(const pgtls_store *s)
{
	json_t *files = json_array();

	for (int i = 0; files && i < s->nfiles; i++)
	{
		json_t *notes = json_array();

		for (int j = 0; notes && j < s->files[i].nnotes; j++)
			json_array_append_new(notes, pgtls__jopt(s->files[i].notes[j]));
		json_array_append_new(files, json_pack("{s:o,s:s,s:s,s:o}", "path", pgtls__jopt(s->files[i].path), "format",
		                                       s->files[i].format, "integrity", s->files[i].integrity, "notes", notes));
	}
	return files;
}

static json_t *
removed_json(const pgtls_store *s)
{
	json_t *a = json_array();

	for (int i = 0; a && i < s->nremoved; i++)
	{
		const store_removed *r = &s->removed[i];
		char why[128];

		if (r->duplicate_of)
			snprintf(why, sizeof(why), "duplicate of certificate %d (same SHA-256 fingerprint)", r->duplicate_of);
		else
			snprintf(why, sizeof(why), "expired");
		json_array_append_new(a,
		                      json_pack("{s:o,s:o,s:o,s:s,s:s,s:s}", "source", pgtls__jopt(r->source), "alias",
		                                pgtls__jopt(r->alias), "subject", pgtls__jopt(r->subject), "sha256", r->sha256,
		                                "reason", why, "code", r->duplicate_of ? "duplicate" : "expired"));
	}
	return a;
}

static json_t *
findings_json(const pgtls_store *s)
{
	json_t *a = json_array();

	for (int i = 0; a && i < pgtls_store_nfindings(s); i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "severity", "warning", "code",
		                                   pgtls_store_finding_code(s, i), "message", pgtls_store_finding(s, i)));
	return a;
}

/* one element of "certificates": the chain fields plus the store's own */
static json_t *
entry_json(const pgtls_store *s, int i, int dup)
{
	const store_entry *e = &s->entries[i];
	const pgtls_cert *info = pgtls_store_cert(s, i);
	json_t *c = info ? pgtls__cert_to_json(info) : NULL;

	if (c == NULL)
		return NULL;
	json_object_set_new(c, "index", json_integer(i + 1));
	json_object_set_new(c, "alias", pgtls__jopt(e->alias));
	json_object_set_new(c, "source", pgtls__jopt(s->files[e->file].path));
	json_object_set_new(c, "entry", json_string(e->key_entry ? "private-key-chain" : "certificate"));
	json_object_set_new(c, "java_trusted", e->java_trusted < 0 ? json_null() : json_boolean(e->java_trusted));
	json_object_set_new(c, "duplicate_of", dup >= 0 ? json_integer(dup + 1) : json_null());
	return c;
}

char *
pgtls_store_verify_json(const pgtls_store *s, const char *store_name, const char *fingerprint, int i, int pretty)
{
	bool found = s && i >= 0 && i < s->nentries;
	json_t *o;

	if (s == NULL || store_name == NULL || fingerprint == NULL)
		return NULL;
	/* not found: the store lacks what was asked, exit status 2 */
	if ((o = pgtls__report_new(found ? 0 : 2)) == NULL)
		return NULL;
	json_object_set_new(o, "store", pgtls__jopt(store_name));
	json_object_set_new(o, "fingerprint", pgtls__jopt(fingerprint));
	json_object_set_new(o, "found", json_boolean(found));
	if (found)
		json_object_set_new(o, "certificate", entry_json(s, i, pgtls_store_duplicate_of(s, i)));
	return pgtls__json_dump(o, pretty);
}

char *
pgtls_store_has_json(const pgtls_store *s, const char *name, int i, int pretty)
{
	bool found = s && i >= 0 && i < s->nentries, every = found;
	json_t *o, *files = json_array();

	for (int f = 0; s && name && files && f < s->nfiles; f++)
	{
		int k = pgtls_store_find_known(s, name, f);

		every = every && k >= 0;
		json_array_append_new(
		    files, json_pack("{s:o,s:b,s:o}", "path", pgtls__jstr(s->files[f].path), "found", k >= 0, "certificate",
		                     k >= 0 ? entry_json(s, k, pgtls_store_duplicate_of(s, k)) : json_null()));
	}
	if (s == NULL || name == NULL || files == NULL || (o = pgtls__report_new(every ? 0 : 2)) == NULL)
	{
		json_decref(files);
		return NULL;
	}
	json_object_set_new(o, "has", pgtls__jopt(name));
	json_object_set_new(o, "found", json_boolean(every)); /* in every file */
	json_object_set_new(o, "files", files);
	json_object_set_new(o, "certificates_checked", json_integer(s->nentries));
	if (found)
		json_object_set_new(o, "certificate", entry_json(s, i, pgtls_store_duplicate_of(s, i)));
	return pgtls__json_dump(o, pretty);
}

json_t *
pgtls__store_to_json(const pgtls_store *s)
{
	json_t *rep = pgtls__report_new(pgtls_store_status(s)), *certs = json_array();
	const int *dup = pgtls__store_dups_cached((pgtls_store *)s);

	if (!rep || !certs || (dup == NULL && s->nentries))
	{
		json_decref(rep);
		json_decref(certs);
		return NULL;
	}
	for (int i = 0; i < s->nentries; i++)
	{
		json_t *c = entry_json(s, i, dup[i]);

		if (c)
			json_array_append_new(certs, c);
	}
	json_object_set_new(rep, "files", files_json(s));
	json_object_set_new(rep, "summary",
	                    json_pack("{s:i,s:i,s:i,s:i}", "certificates", s->nentries, "duplicates",
	                              pgtls_store_tally(s, PGTLS_TALLY_DUPLICATES), "expired",
	                              pgtls_store_tally(s, PGTLS_TALLY_EXPIRED), "non_ca",
	                              pgtls_store_tally(s, PGTLS_TALLY_NON_CA)));
	json_object_set_new(rep, "certificates", certs);
	json_object_set_new(rep, "removed", removed_json(s));
	json_object_set_new(rep, "findings", findings_json(s));
	return rep;
}

char *
pgtls_store_json(const pgtls_store *s, int pretty)
{
	json_t *rep;

	if (s == NULL || (rep = pgtls__store_to_json(s)) == NULL)
		return NULL;
	return pgtls__json_dump(rep, pretty);
}
