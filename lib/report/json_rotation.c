/*-------------------------------------------------------------------------
 *
 * json_rotation.c
 *	  The documented JSON of pgtls rotation (docs/json-schema.md), written
 *	  from the typed predictions.
 *
 * IDENTIFICATION
 *	  lib/report/json_rotation.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include <jansson.h>

#include "rotation/rotation_int.h"
#include "x509/cert_int.h"
#include "store/store_int.h"

/* the sentence the text report and older readers know, beside the stable code */
static const char *
prediction_words(pgtls_prediction p)
{
	static const char *const words[] = {"keeps working",
	                                    "breaks",
	                                    "silently falls back to plaintext",
	                                    "unaffected (verifies nothing)",
	                                    "unaffected (no TLS)",
	                                    "broken already",
	                                    "unknown"};

	return ((int)p >= 0 && p <= PGTLS_PREDICT_UNKNOWN) ? words[p] : "unknown";
}

static json_t *
endpoint_json(const pgtls_rotation *rot, const rot_endpoint *ep)
{
	const pgtls_probe *p = ep->probe;

	const pgtls_cert *leaf = pgtls_probe_nchain(p) ? pgtls_probe_chain(p, 0) : NULL;

	return json_pack("{s:o,s:b,s:o,s:o,s:b,s:b,s:o,s:i,s:o}", "target",
	                 pgtls__jopt(pgtls_probe_get(p, PGTLS_PF_TARGET)), "reachable", ep->reachable, "issuer",
	                 pgtls__jopt(ep->issuer), "on_new_ca", ep->on_new < 0 ? json_null() : json_boolean(ep->on_new == 1),
	                 "serves_new_ca", ep->on_new == 1, "discovered", ep->discovered, "same_as",
	                 ep->same_as >= 0 ? pgtls__jopt(pgtls_probe_get(rot->eps[ep->same_as].probe, PGTLS_PF_TARGET))
	                                  : json_null(),
	                 "status", pgtls_probe_status(p), "leaf", leaf ? pgtls__cert_to_json(leaf) : json_null());
}

static json_t *
client_json(const pgtls_rotation *rot, const rot_client *rc)
{
	const client_rec *r = rc->rec;
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "file", pgtls__jopt(r->file));
	json_object_set_new(o, "line", json_integer(r->line));
	json_object_set_new(o, "driver", json_string(pgtls_driver_name(r->driver)));
	json_object_set_new(
	    o, "host", r->host ? pgtls__jopt(pgtls__client_shown(r, CL_HIDE_HOST, r->host)) : json_string("(default)"));
	json_object_set_new(o, "endpoint",
	                    rc->endpoint >= 0 ? pgtls__jopt(pgtls_probe_get(rot->eps[rc->endpoint].probe, PGTLS_PF_TARGET))
	                                      : json_null());
	json_object_set_new(o, "now", json_string(pgtls__rotation_now(rc)));
	json_object_set_new(o, "verdict", json_string(pgtls__client_verdict(r)));
	json_object_set_new(o, "prediction", json_string(pgtls_prediction_name(rc->prediction)));
	json_object_set_new(o, "outcome", json_string(prediction_words(rc->prediction)));
	json_object_set_new(o, "error", pgtls__jopt(rc->error));
	json_object_set_new(o, "when", pgtls__jopt(rc->when));
	json_object_set_new(o, "reason", pgtls__jopt(rc->reason));
	json_object_set_new(o, "why", pgtls__jopt(rc->reason));
	json_object_set_new(o, "fix", pgtls__jopt(rc->fix));
	json_object_set_new(o, "host_alias_not_in_certificate", json_boolean(rc->alias));
	json_object_set_new(o, "basis", json_string(rc->observed ? "observed" : "inferred"));
	json_object_set_new(o, "inferred", json_string(pgtls_prediction_name(rc->inferred)));
	json_object_set_new(o, "observed",
	                    r->obs_sessions == 0
	                        ? json_null()
	                        : json_pack("{s:s,s:s,s:i,s:o}", "prediction", pgtls_prediction_name(r->observed), "mode",
	                                    r->obs_mode, "sessions", r->obs_sessions, "proves",
	                                    pgtls__jopt(r->obs_proves)));
	json_object_set_new(o, "finding", rc->contradiction ? json_string("observed_contradicts_inference") : json_null());
	if (r->decoy_finding)
		json_object_set_new(o, "decoy", pgtls__client_decoy_json(r));
	return o;
}

/* the clients' trust files, with which CAs each holds (rotation_trust.c) */
static json_t *
trust_files_json(const pgtls_rotation *rot)
{
	json_t *arr = json_array();

	for (int i = 0; arr && rot->tfiles && i < rot->clients->ntfiles; i++)
	{
		json_t *o = pgtls__trust_file_json(rot->clients, &rot->clients->tfiles[i]);
		const rot_trust_file *rt = &rot->tfiles[i];

		if (o == NULL)
			continue;
		json_object_set_new(o, "holds", json_string(pgtls__rot_holds_name(rt->holds)));
		json_object_set_new(o, "acknowledged", pgtls__jopt(rt->ack));
		json_object_set_new(o, "finding",
		                    rt->holds != ROT_HOLDS_OLD_ONLY ? json_null()
		                    : rt->users == 0                ? json_string("stale_store_no_client")
		                                                    : json_string("stale_store"));
		json_array_append_new(arr, o);
	}
	return arr;
}

json_t *
pgtls__rotation_to_json(const pgtls_rotation *rot)
{
	json_t *rep = pgtls__report_new(pgtls_rotation_status(rot)), *eps = json_array(), *cls = json_array();
	json_t *counts = json_object();

	if (!rep || !eps || !cls || !counts)
	{
		json_decref(rep);
		json_decref(eps);
		json_decref(cls);
		json_decref(counts);
		return NULL;
	}
	for (int i = 0; i < rot->neps; i++)
		json_array_append_new(eps, endpoint_json(rot, &rot->eps[i]));
	for (int i = 0; i < rot->ncls; i++)
	{
		const char *code = pgtls_prediction_name(rot->cls[i].prediction);

		json_array_append_new(cls, client_json(rot, &rot->cls[i]));
		json_object_set_new(counts, code, json_integer(json_integer_value(json_object_get(counts, code)) + 1));
	}
	json_object_set_new(rep, "new_ca",
	                    json_pack("{s:o,s:i}", "path", pgtls__jopt(rot->new_ca_path), "certificates",
	                              rot->newca ? rot->newca->nentries : 0));
	json_object_set_new(rep, "new_chain_from",
	                    rot->canary ? pgtls__jopt(pgtls_probe_get(rot->canary, PGTLS_PF_TARGET)) : json_null());
	json_object_set_new(rep, "new_ca_rule", json_string(rot->new_rule ? rot->new_rule : "served_now"));
	json_object_set_new(rep, "decision", json_string(rot->go ? "GO" : "NO-GO"));
	json_object_set_new(rep, "clients_that_break", json_integer(rot->breaks));
	json_object_set_new(rep, "predictions", counts);
	if (rot->clients && rot->clients->obs_reports > 0)
	{
		json_t *un = json_object();

		for (int p = 0; un && p <= PGTLS_PREDICT_UNKNOWN; p++)
			if (rot->clients->obs_unattributed[p])
				json_object_set_new(un, pgtls_prediction_name((pgtls_prediction)p),
				                    json_integer(rot->clients->obs_unattributed[p]));
		json_object_set_new(rep, "observed",
		                    json_pack("{s:i,s:i,s:o}", "reports", rot->clients->obs_reports, "contradictions",
		                              rot->contradictions, "unattributed_sessions", un));
	}
	json_object_set_new(rep, "endpoints", eps);
	json_object_set_new(rep, "clients", cls);
	json_object_set_new(rep, "not_understood", pgtls__clients_not_understood_json(rot->clients));
	json_object_set_new(rep, "trust_files", trust_files_json(rot));
	json_object_set_new(rep, "stale_trust_files_no_client", json_integer(rot->stale_stores));
	return rep;
}

char *
pgtls_rotation_json(const pgtls_rotation *rot, int pretty)
{
	json_t *rep;

	if (rot == NULL || !rot->done || (rep = pgtls__rotation_to_json(rot)) == NULL)
		return NULL;
	return pgtls__json_dump(rep, pretty);
}
