/*-------------------------------------------------------------------------
 *
 * json_probe.c
 *	  The documented JSON of a probe (docs/json-schema.md), written from
 *	  the probe's typed results.
 *
 * IDENTIFICATION
 *	  lib/report/json_probe.c
 *
 * NOTES
 *	  JSON is one view at the edge: nothing in the library reads it back.
 *	  Every string from the network or a certificate goes through
 *	  pgtls__json_text() (the one sanitiser).
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include <jansson.h>

#include "probe/probe_int.h"

static json_t *
str_array(char *const *v, int n)
{
	json_t *a = json_array();

	for (int i = 0; a && i < n; i++)
		json_array_append_new(a, pgtls__jstr(v[i]));
	return a;
}

json_t *
pgtls__cert_to_json(const pgtls_cert *c)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "subject", pgtls__jstr(c->subject));
	json_object_set_new(o, "issuer", pgtls__jstr(c->issuer));
	json_object_set_new(o, "serial", c->has_serial ? json_string(c->serial) : json_null());
	json_object_set_new(o, "not_before", pgtls__jopt(c->not_before));
	json_object_set_new(o, "not_after", pgtls__jopt(c->not_after));
	if (c->has_days_left)
		json_object_set_new(o, "days_left", json_integer(c->days_left));
	json_object_set_new(o, "expired", json_boolean(c->expired));
	json_object_set_new(o, "not_yet_valid", json_boolean(c->not_yet_valid));
	json_object_set_new(o, "san_dns", str_array(c->san[0], c->nsan[0]));
	json_object_set_new(o, "san_ip", str_array(c->san[1], c->nsan[1]));
	json_object_set_new(o, "key_type", json_string(c->key_type));
	if (c->has_key)
		json_object_set_new(o, "key_bits", json_integer(c->key_bits));
	if (c->key_curve[0])
		json_object_set_new(o, "key_curve", json_string(c->key_curve));
	json_object_set_new(o, "signature_algorithm", json_string(c->sigalg));
	json_object_set_new(o, "sha1", json_string(c->sha1));
	json_object_set_new(o, "sha256", json_string(c->sha256));
	json_object_set_new(o, "is_ca", json_boolean(c->is_ca));
	json_object_set_new(o, "self_signed", json_boolean(c->self_signed));
	json_object_set_new(o, "known_as", pgtls__jopt(c->known));
	json_object_set_new(o, "named_like", pgtls__jopt(c->named_like)); /* an AWS name, not AWS's certificate */
	return o;
}

static json_t *
startup_json(pgtls_conn *c)
{
	const pgtls_reply *r = pgtls__conn_reply(c);
	const char *rmsg;
	pgtls_err rerr = pgtls__conn_reply_err(c, &rmsg);

	if (r->kind == PGTLS_REPLY_AUTH && r->message[0])
		/* trust, then refused for the role or the database: accepted, with what the server said next */
		return json_pack("{s:s,s:s,s:i,s:o,s:o}", "result", "accepted", "auth", pgtls__auth_name(r->auth_code),
		                 "auth_code", (int)r->auth_code, "sqlstate", pgtls__jstr(r->sqlstate), "message",
		                 pgtls__jstr(r->message));
	if (r->kind == PGTLS_REPLY_AUTH)
		return json_pack("{s:s,s:s,s:i}", "result", "accepted", "auth", pgtls__auth_name(r->auth_code), "auth_code",
		                 (int)r->auth_code);
	if (r->kind == PGTLS_REPLY_ERROR)
		return json_pack("{s:s,s:o,s:o,s:o}", "result", "rejected", "severity", pgtls__jstr(r->severity), "sqlstate",
		                 pgtls__jstr(r->sqlstate), "message", pgtls__jstr(r->message));
	return json_pack("{s:s,s:o}", "result", "unknown", "message", rerr ? pgtls__jstr(rmsg) : json_null());
}

static json_t *
conn_json(pgtls_conn *c, pgtls_conn_kind kind)
{
	json_t *o = json_object();
	char sr[2] = {pgtls__conn_sslresp(c), 0};

	if (o == NULL)
		return NULL;
	if (kind != PGTLS_CONN_PLAIN)
		json_object_set_new(o, "method", json_string(kind == PGTLS_CONN_DIRECT ? "direct" : "postgres"));
	json_object_set_new(o, "address", pgtls__jopt(pgtls__conn_address(c)));
	if (kind == PGTLS_CONN_SSLREQUEST)
		json_object_set_new(o, "ssl_response", sr[0] ? json_string(sr) : json_null());
	if (kind != PGTLS_CONN_PLAIN)
	{
		if (pgtls__conn_tls_version(c)[0])
			json_object_set_new(o, "tls",
			                    json_pack("{s:s,s:s,s:o,s:o}", "version", pgtls__conn_tls_version(c), "cipher",
			                              pgtls__conn_cipher(c), "group", pgtls__jopt(pgtls__conn_group(c)), "alpn",
			                              pgtls__jopt(pgtls__conn_alpn(c))));
		else
			json_object_set_new(o, "tls", json_null());
	}
	json_object_set_new(o, "startup", startup_json(c));
	if (pgtls_conn_errcode(c))
		json_object_set_new(o, "error",
		                    json_pack("{s:s,s:o}", "class", pgtls_err_name(pgtls_conn_errcode(c)), "message",
		                              pgtls__jstr(pgtls_conn_errmsg(c))));
	else
		json_object_set_new(o, "error", json_null());
	json_object_set_new(o, "trace", pgtls__jstr(pgtls_conn_trace(c)));
	return o;
}

static json_t *
rootcert_json(const pgtls_probe *p)
{
	const rootcert_eval *rc = &p->rc;
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "setting", pgtls__jstr(rc->setting));
	json_object_set_new(o, "source", json_string(rc->source));
	json_object_set_new(o, "path", pgtls__jopt(rc->path));
	json_object_set_new(o, "system", json_boolean(rc->system));
	json_object_set_new(o, "exists", json_boolean(rc->exists));
	json_object_set_new(o, "loaded", json_boolean(rc->loaded));
	json_object_set_new(o, "load_error", pgtls__jopt(rc->load_error));
	json_object_set_new(o, "format", pgtls__jopt(rc->format));
	json_object_set_new(o, "libpq_readable", json_boolean(rc->loaded));
	json_object_set_new(o, "certificates", json_integer(rc->ncerts));
	json_object_set_new(o, "crl_loaded", json_boolean(rc->crl_loaded));
	json_object_set_new(o, "crl_source", pgtls__jopt(rc->crl_source));
	if (rc->alt_error[0])
		json_object_set_new(o, "store_error", pgtls__jstr(rc->alt_error));
	if ((rc->loaded || rc->alt_loaded) && p->nchain > 0)
		json_object_set_new(o, "chain_verifies",
		                    json_pack("{s:b,s:o,s:i,s:i,s:o}", "ok", rc->verified, "reason",
		                              pgtls__jopt(rc->verify_reason), "code", rc->verify_code, "depth",
		                              rc->verify_depth, "hint", pgtls__jopt(rc->verify_hint)));
	else
		json_object_set_new(o, "chain_verifies", json_null());
	return o;
}

static json_t *
verdict_json(const struct pgtls_verdict *v)
{
	json_t *errors = json_array();
	const pgtls_outcome *o = &v->outcome;
	json_t *codes = json_array();

	for (int i = 0; i < o->nerrors; i++)
	{
		json_array_append_new(errors, pgtls__jstr(v->errors[i]));
		json_array_append_new(codes, json_string(pgtls_failure_name(o->errors[i])));
	}
	return json_pack("{s:s,s:s,s:s,s:b,s:s,s:b,s:o,s:o}", "negotiation",
	                 v->negotiation == PGTLS_NEG_DIRECT ? "direct" : "postgres", "sslmode",
	                 pgtls_sslmode_name(v->sslmode), "result", pgtls_result_name(o->result), "encrypted", o->encrypted,
	                 "verified", pgtls_verified_name(o->verified), "plaintext_fallback", o->fell_back, "errors", errors,
	                 "failures", codes);
}

static json_t *
target_json(const pgtls_probe *p)
{
	const char *src;
	const char *mode = pgtls__probe_sslmode(p, &src);

	return json_pack("{s:o,s:o,s:o,s:s,s:o,s:o,s:o,s:o,s:s,s:o,s:o}", "input", pgtls__jstr(p->target), "host",
	                 pgtls__jopt(p->host), "hostaddr", pgtls__jopt(p->hostaddr), "port", p->port, "servername",
	                 pgtls__jopt(p->servername), "user", pgtls__jstr(pgtls__probe_user(p)), "dbname",
	                 pgtls__jstr(pgtls__probe_dbname(p)), "sslmode", pgtls__jstr(mode), "sslmode_source", src,
	                 "service_file", pgtls__jopt(p->service_file), "sslnegotiation",
	                 p->cinfo_negotiation ? pgtls__jstr(p->cinfo_negotiation) : json_null());
}

/* every resolved setting and where it came from; sslpassword only as "set" */
static json_t *
settings_json(const pgtls_probe *p)
{
	json_t *a = json_array();

	for (int i = 0; a && i < p->nsettings; i++)
	{
		const probe_setting *s = &p->settings[i];

		json_array_append_new(a,
		                      json_pack("{s:s,s:o,s:s}", "name", s->keyword, "value",
		                                s->secret ? json_string("(set)") : pgtls__jstr(s->value), "source", s->origin));
	}
	return a;
}

static json_t *
libpq_json(const pgtls_probe *p)
{
	return json_pack("{s:i,s:i,s:s}", "version", p->libpq_version, "major", p->libpq_version / 10000, "source",
	                 p->libpq_version_source);
}

/* whose verdicts the sslmodes[] table gives */
static json_t *
driver_json(const pgtls_probe *p)
{
	return json_string(p->nonvalidating ? "pgjdbc-nonvalidating" : pgtls_driver_name(p->driver));
}

static json_t *
clientcert_json(const pgtls_probe *p)
{
	const clientcert_eval *cc = &p->cc;

	return json_pack("{s:o,s:b,s:o,s:b,s:o,s:o}", "cert", pgtls__jopt(cc->cert_path), "exists", cc->cert_exists, "key",
	                 pgtls__jopt(cc->key_path), "presented", cc->presented, "subject", pgtls__jopt(cc->subject),
	                 "error", pgtls__jopt(cc->error));
}

json_t *
pgtls__probe_to_json(const pgtls_probe *p)
{
	json_t *rep = pgtls__report_new((int)p->status);
	json_t *negs = json_array(), *chain = json_array(), *modes = json_array(), *findings = json_array();

	if (!rep || !negs || !chain || !modes || !findings)
	{
		json_decref(rep);
		json_decref(negs);
		json_decref(chain);
		json_decref(modes);
		json_decref(findings);
		return NULL;
	}
	json_object_set_new(rep, "target", target_json(p));
	json_object_set_new(rep, "libpq", libpq_json(p));
	json_object_set_new(rep, "driver", driver_json(p));
	json_object_set_new(rep, "settings", settings_json(p));
	json_object_set_new(rep, "client_certificate", clientcert_json(p));
	for (int i = 0; i < p->nconns; i++)
		if (p->kinds[i] != PGTLS_CONN_PLAIN)
			json_array_append_new(negs, conn_json(p->conns[i], p->kinds[i]));
	json_object_set_new(rep, "negotiation", negs);
	json_object_set_new(rep, "plaintext", conn_json(p->plain, PGTLS_CONN_PLAIN));
	for (int i = 0; i < p->nchain; i++)
	{
		json_t *cj = pgtls__cert_to_json(p->chain[i]);

		if (cj)
		{
			json_object_set_new(cj, "depth", json_integer(i));
			json_array_append_new(chain, cj);
		}
	}
	json_object_set_new(rep, "chain", chain);
	json_object_set_new(rep, "rootcert", rootcert_json(p));
	json_object_set_new(rep, "host_check",
	                    json_pack("{s:o,s:b,s:o}", "name", pgtls__jstr(p->checked), "ok", p->host_rc == 1, "message",
	                              p->host_rc == 1 ? json_null() : pgtls__jstr(p->host_msg)));
	for (int i = 0; i < p->nverdicts; i++)
		json_array_append_new(modes, verdict_json(&p->verdicts[i]));
	json_object_set_new(rep, "sslmodes", modes);
	for (int i = 0; i < p->nfindings; i++)
		json_array_append_new(findings,
		                      json_pack("{s:s,s:s,s:o}", "severity", pgtls_severity_name(p->findings[i].severity),
		                                "code", p->findings[i].code, "message", pgtls__jstr(p->findings[i].message)));
	json_object_set_new(rep, "findings", findings);
	return rep;
}

char *
pgtls_probe_json(const pgtls_probe *p, int pretty)
{
	json_t *rep;

	if (p == NULL || !p->evaluated || (rep = pgtls__probe_to_json(p)) == NULL)
		return NULL;
	return pgtls__json_dump(rep, pretty);
}
