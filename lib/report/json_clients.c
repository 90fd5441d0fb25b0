/*-------------------------------------------------------------------------
 *
 * json_clients.c
 *	  The documented JSON of pgtls clients (docs/json-schema.md), written
 *	  from the typed client records.
 *
 * IDENTIFICATION
 *	  lib/report/json_clients.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include <jansson.h>

#include "clients/clients_int.h"

static json_t *
rootcert_json(const client_rec *r)
{
	char src[200];

	snprintf(src, sizeof(src), "javax.net.ssl.trustStore (%s)", pgtls__jvm_source(r));
	if (r->trust == PGTLS_TRUST_JVM && r->jvm_store)
		return json_pack("{s:o,s:s,s:b}", "path", pgtls__jstr(r->jvm_store), "source", src, "exists",
		                 pgtls__file_exists(r->jvm_store));
	if (r->trust == PGTLS_TRUST_JVM)
		return json_pack("{s:s,s:s,s:n}", "path", "JVM trust store (javax.net.ssl.trustStore or cacerts)", "source",
		                 pgtls__jvm_source(r), "exists");
	return json_pack("{s:o,s:s,s:b}", "path", pgtls__jstr(r->rootcert), "source", r->root_source, "exists",
	                 r->root == PGTLS_ROOT_LOADED || r->root == PGTLS_ROOT_UNREADABLE);
}

/* what a decoy saw of this client (pgtls clients --decoy-report) */
json_t *
pgtls__client_decoy_json(const client_rec *r)
{
	json_t *codes = json_array(), *ids = json_array();

	for (int v = PGTLS_DECOY_VERDICT_COUNT - 1; codes && v >= 0; v--)
		if (r->decoy_codes & (1u << v))
			json_array_append_new(codes, json_string(pgtls_decoy_verdict_name((pgtls_decoy_verdict)v)));
	for (int i = 0; ids && i < r->ndecoy_sessions; i++)
		json_array_append_new(ids, json_integer(r->decoy_sessions[i]));
	return json_pack("{s:s,s:s,s:o,s:o}", "finding", r->decoy_finding, "mode", pgtls_decoy_mode_name(r->decoy_mode),
	                 "verdicts", codes, "sessions", ids);
}

static json_t *
client_json(const client_rec *r)
{
	json_t *f = json_object();
	const char *detail = pgtls__client_detail(r);

	if (f == NULL)
		return NULL;
	json_object_set_new(f, "file", pgtls__jstr(r->file));
	json_object_set_new(f, "line", json_integer(r->line));
	json_object_set_new(f, "kind", json_string(r->kind));
	json_object_set_new(f, "driver", json_string(pgtls_driver_name(r->driver)));
	json_object_set_new(f, "spec", pgtls__jstr(r->spec));
	json_object_set_new(f, "host",
	                    r->host ? pgtls__jstr(pgtls__client_shown(r, CL_HIDE_HOST, r->host))
	                            : json_string(PGTLS_IS_PGJDBC(r->driver) ? "localhost" : "(default)"));
	json_object_set_new(f, "hostaddr", pgtls__jstr(pgtls__client_shown(r, CL_HIDE_HOSTADDR, r->hostaddr)));
	json_object_set_new(f, "port",
	                    r->port ? pgtls__jstr(pgtls__client_shown(r, CL_HIDE_PORT, r->port)) : json_string("5432"));
	json_object_set_new(f, "dbname", pgtls__jstr(pgtls__client_shown(r, CL_HIDE_DBNAME, r->dbname)));
	json_object_set_new(f, "user", pgtls__jstr(pgtls__client_shown(r, CL_HIDE_USER, r->user)));
	json_object_set_new(f, "sslmode", pgtls__jstr(r->sslmode_text));
	json_object_set_new(f, "sslmode_source", json_string(r->sslmode_source));
	if (r->sslfactory)
		json_object_set_new(f, "sslfactory", pgtls__jstr(r->sslfactory));
	json_object_set_new(f, "trust", json_string(pgtls_trust_name(r->trust)));
	json_object_set_new(f, "rootcert", rootcert_json(r));
	json_object_set_new(f, "outcome", json_string(pgtls_outcome_name(r->outcome)));
	json_object_set_new(f, "failure", r->failure ? json_string(pgtls_failure_name(r->failure)) : json_null());
	json_object_set_new(f, "rootcert_exists",
	                    r->trust == PGTLS_TRUST_JVM && r->jvm_store ? json_boolean(pgtls__file_exists(r->jvm_store))
	                    : r->rootcert && r->trust == PGTLS_TRUST_FILE
	                        ? json_boolean(r->root == PGTLS_ROOT_LOADED || r->root == PGTLS_ROOT_UNREADABLE)
	                        : json_null());
	json_object_set_new(f, "verdict", json_string(pgtls__client_verdict(r)));
	if (detail)
		json_object_set_new(f, "detail", json_string(detail));
	json_object_set_new(f, "note", pgtls__jstr(r->note));
	json_object_set_new(f, "reason", json_string(pgtls__client_reason(r)));
	if (r->decoy_finding)
		json_object_set_new(f, "decoy", pgtls__client_decoy_json(r));
	return f;
}

json_t *
pgtls__trust_file_json(const pgtls_clients *c, const trust_file *t)
{
	json_t *o = json_object(), *fps = json_array(), *users = json_array();
	int idx[64], n = pgtls__trust_file_users(c, t, idx, 64);

	if (o == NULL || fps == NULL || users == NULL)
	{
		json_decref(o);
		json_decref(fps);
		json_decref(users);
		return NULL;
	}
	for (int i = 0; i < t->ncerts; i++)
		json_array_append_new(fps, json_string(t->sha256[i]));
	for (int i = 0; i < n && i < 64; i++)
		json_array_append_new(
		    users, json_pack("{s:o,s:i}", "file", pgtls__jstr(c->recs[idx[i]].file), "line", c->recs[idx[i]].line));
	json_object_set_new(o, "path", pgtls__jstr(t->path));
	json_object_set_new(o, "format", json_string(t->format));
	json_object_set_new(o, "certificates", json_integer(t->ncerts));
	json_object_set_new(o, "sha256", fps);
	json_object_set_new(o, "error", pgtls__jopt(t->error));
	json_object_set_new(o, "used_by", users);
	return o;
}

json_t *
pgtls__clients_not_understood_json(const pgtls_clients *c)
{
	json_t *arr = json_array();

	for (int i = 0; arr && i < c->nunparsed; i++)
		json_array_append_new(arr, json_pack("{s:o,s:o,s:o,s:o}", "file", pgtls__jstr(c->unparsed[i].path), "line",
		                                     c->unparsed[i].line ? json_integer(c->unparsed[i].line) : json_null(),
		                                     "reason", pgtls__jstr(c->unparsed[i].reason), "acknowledged",
		                                     pgtls__jopt(c->unparsed[i].ack)));
	return arr;
}

json_t *
pgtls__clients_to_json(const pgtls_clients *c)
{
	json_t *counts = json_object(), *clients = json_array(), *skipped = json_array(),
	       *unparsed = pgtls__clients_not_understood_json(c), *tfiles = json_array();
	json_t *rep = pgtls__report_new(pgtls_clients_status(c));

	for (int i = 0; tfiles && i < c->ntfiles; i++)
		json_array_append_new(tfiles, pgtls__trust_file_json(c, &c->tfiles[i]));
	if (!rep || !counts || !clients || !skipped || !unparsed || !tfiles)
	{
		json_decref(tfiles);
		json_decref(rep);
		json_decref(counts);
		json_decref(clients);
		json_decref(skipped);
		json_decref(unparsed);
		return NULL;
	}
	for (int i = 0; i < c->nrecs; i++)
	{
		const char *v = pgtls__client_verdict(&c->recs[i]);
		json_int_t n = json_integer_value(json_object_get(counts, v));

		json_object_set_new(counts, v, json_integer(n + 1));
		json_array_append_new(clients, client_json(&c->recs[i]));
	}
	for (int i = 0; i < c->nskipped; i++)
		json_array_append_new(skipped, json_pack("{s:o,s:o}", "path", pgtls__jstr(c->skipped[i].path), "reason",
		                                         pgtls__jstr(c->skipped[i].reason)));
	json_object_set_new(rep, "files_scanned", json_integer(c->files));
	json_object_set_new(rep, "verdicts", counts);
	json_object_set_new(rep, "clients", clients);
	json_object_set_new(rep, "clients_not_listed", json_integer(c->nrecs_dropped));
	json_object_set_new(rep, "skipped", skipped);
	json_object_set_new(rep, "skipped_not_listed", json_integer(c->nskipped_more));
	json_object_set_new(rep, "unparsed", json_incref(unparsed));
	json_object_set_new(rep, "not_understood", unparsed); /* the same list: nothing silent (issue 26's name) */
	json_object_set_new(rep, "trust_files", tfiles);
	json_object_set_new(rep, "trust_files_not_listed", json_integer(c->ntfiles_more));
	json_object_set_new(rep, "unparsed_not_listed", json_integer(c->nunparsed_more));
	json_object_set_new(rep, "binary_files_not_read", json_integer(c->binaries));
	return rep;
}

char *
pgtls_clients_json(const pgtls_clients *c, int pretty)
{
	json_t *rep;

	if (c == NULL || (rep = pgtls__clients_to_json(c)) == NULL)
		return NULL;
	return pgtls__json_dump(rep, pretty);
}
