/*-------------------------------------------------------------------------
 *
 * json_logs.c
 *	  The documented JSON of pgtls logs (docs/json-schema.md), written
 *	  from the scan's typed tallies.
 *
 * IDENTIFICATION
 *	  lib/report/json_logs.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include <jansson.h>

#include "logparse/pglog_int.h"

/* failed handshakes by the client family their alert points to (conns.c) */
static json_t *
families_json(const client *c)
{
	json_t *o = json_object();
	uint64_t k[NFAMILIES];

	pgtls__log_family_counts(c, k);
	for (int f = 0; o && f < NFAMILIES; f++)
		if (k[f])
			json_object_set_new(o, pgtls__log_family_names[f], json_integer((json_int_t)k[f]));
	return o;
}

static json_t *
client_json(const client *c)
{
	json_t *tls = json_object();
	json_t *o;
	const char *ev = pgtls__log_fallback_evidence(c);

	for (int v = 0; v < V_NVERS; v++)
		if (c->tls[v])
			json_object_set_new(tls, pgtls__log_vnames[v], json_integer((json_int_t)c->tls[v]));
	json_t *fails = json_object();

	for (int r = 0; r < F_NREASONS; r++)
		if (c->tls_failed[r])
			json_object_set_new(fails, pgtls__log_fail_names[r], json_integer((json_int_t)c->tls_failed[r]));
	o = json_pack("{s:o,s:o,s:o,s:o,s:I,s:o,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o}", "host", pgtls__jstr(c->host),
	              "user", pgtls__jstr(c->user), "database", pgtls__jstr(c->db), "application_name", pgtls__jstr(c->app),
	              "connections", (json_int_t)(pgtls__log_tls_total(c) + c->plaintext + c->gss + c->local), "tls", tls,
	              "plaintext", (json_int_t)c->plaintext, "gss_encrypted", (json_int_t)c->gss, "local",
	              (json_int_t)c->local, "rejected_plaintext", (json_int_t)c->rejected_plain, "rejected_encrypted",
	              (json_int_t)c->rejected_ssl, "rejected_local", (json_int_t)c->rejected_local, "tls_failed",
	              (json_int_t)c->tls_failed_total, "tls_failures", fails, "fallback_since",
	              c->fallback ? pgtls__jstr(c->fallback_since) : json_null(), "first_seen", pgtls__jopt(c->first),
	              "last_seen", pgtls__jopt(c->last));
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "fallback_evidence", ev[0] ? json_string(ev) : json_null());
	json_object_set_new(o, "fallback_cannot_tell", json_integer((json_int_t)c->fb_cannot_tell));
	json_object_set_new(o, "client_families", families_json(c));
	json_object_set_new(o, "closed_without_startup", json_integer((json_int_t)c->closed_nostartup));
	return o;
}

json_t *
pgtls__logscan_to_json(const pgtls_logscan *s)
{
	json_t *rep = pgtls__report_new(pgtls_logscan_status(s)), *arr = json_array(), *files = json_array();
	size_t n;
	client *cl = pgtls__logscan_sorted(s, &n);

	if (!rep || !arr || !files || !cl)
	{
		json_decref(rep);
		json_decref(arr);
		json_decref(files);
		free(cl);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, client_json(&cl[i]));
	free(cl);
	for (int i = 0; i < s->nfiles; i++)
		json_array_append_new(
		    files, json_pack("{s:o,s:s,s:b,s:o,s:I,s:I,s:o}", "path", pgtls__jstr(s->files[i].path), "format",
		                     s->files[i].format, "gzip", strcmp(s->files[i].compression, "gzip") == 0, "compression",
		                     pgtls__jopt(s->files[i].compression ? s->files[i].compression : ""), "bytes",
		                     (json_int_t)s->files[i].bytes, "records_matched", (json_int_t)s->files[i].records, "error",
		                     s->files[i].error ? pgtls__jstr(s->files[i].error) : json_null()));
	json_object_set_new(rep, "files", files);
	json_object_set_new(rep, "span",
	                    json_pack("{s:o,s:o}", "first", pgtls__jopt(s->first), "last", pgtls__jopt(s->last)));
	json_object_set_new(rep, "excluded",
	                    json_pack("{s:I,s:I,s:I}", "pgtls_probes", (json_int_t)s->excluded_own,
	                              "by_user_or_application", (json_int_t)s->excluded_filter, "outside_time_window",
	                              (json_int_t)s->excluded_time));
	json_object_set_new(rep, "window",
	                    json_pack("{s:o,s:o}", "since", pgtls__jopt(s->since), "until", pgtls__jopt(s->until)));
	json_object_set_new(rep, "totals",
	                    json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "bytes", (json_int_t)s->bytes, "tls",
	                              (json_int_t)pgtls_logscan_total(s, PGTLS_LT_TLS), "plaintext",
	                              (json_int_t)pgtls_logscan_total(s, PGTLS_LT_PLAINTEXT), "gss_encrypted",
	                              (json_int_t)pgtls_logscan_total(s, PGTLS_LT_GSS), "rejected",
	                              (json_int_t)pgtls_logscan_total(s, PGTLS_LT_REJECTED), "overlong_lines_skipped",
	                              (json_int_t)s->long_lines, "untabulated_connections", (json_int_t)s->overflow,
	                              "local", (json_int_t)pgtls_logscan_total(s, PGTLS_LT_LOCAL), "tls_failed",
	                              (json_int_t)pgtls_logscan_total(s, PGTLS_LT_TLS_FAILED), "fallbacks",
	                              (json_int_t)pgtls_logscan_total(s, PGTLS_LT_FALLBACKS)));
	json_object_set_new(json_object_get(rep, "totals"), "closed_without_startup",
	                    json_integer((json_int_t)pgtls_logscan_total(s, PGTLS_LT_CLOSED_NO_STARTUP)));
	json_object_set_new(json_object_get(rep, "totals"), "connections_not_followed",
	                    json_integer((json_int_t)pgtls_logscan_total(s, PGTLS_LT_NOT_FOLLOWED)));
	json_object_set_new(rep, "clients", arr);
	return rep;
}

char *
pgtls_logscan_json(const pgtls_logscan *s, int pretty)
{
	json_t *rep;

	if (s == NULL || (rep = pgtls__logscan_to_json(s)) == NULL)
		return NULL;
	return pgtls__json_dump(rep, pretty);
}
