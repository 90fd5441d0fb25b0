/*-------------------------------------------------------------------------
 *
 * json_impostor.c
 *	  The `pgtls impostor --json` report (docs/json-schema.md), and
 *	  reading it back for pgtls clients / pgtls rotation.
 *
 * IDENTIFICATION
 *	  lib/report/json_impostor.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>

#include "impostor/impostor_int.h"
#include "x509/cert_int.h"

#define MAX_REPORT (256L * 1024 * 1024)

/* rehearsal modes: what the session shows of the switch */
static void
rehearsal_json(json_t *o, const pgtls_impostor *imp, int i)
{
	const decoy_session *s = &imp->sessions[i];
	const char *proves = pgtls_impostor_session_get(imp, i, PGTLS_DS_PROVES);

	if (o == NULL || !pgtls__rules_decoy_rehearses(imp->mode))
		return;
	json_object_set_new(o, "observed", json_string(pgtls_prediction_name(pgtls_impostor_session_observed(imp, i))));
	json_object_set_new(o, "proves", pgtls__jopt(proves));
	json_object_set_new(o, "relayed", json_boolean(s->relayed));
	json_object_set_new(o, "name_tested", json_boolean(s->name_tested));
	json_object_set_new(o, "identified", json_boolean(s->identified));
	json_object_set_new(o, "refused_chain", json_boolean(s->refused_chain));
}

static json_t *
session_json(const pgtls_impostor *imp, int i)
{
	const decoy_session *s = &imp->sessions[i];
	json_t *codes = json_array();
	char answer[2] = {s->answer, '\0'};
	json_t *o;

	for (int v = PGTLS_DECOY_VERDICT_COUNT - 1; v >= 0; v--)
		if (s->codes & (1u << v))
			json_array_append_new(codes, json_string(pgtls_decoy_verdict_name((pgtls_decoy_verdict)v)));
	o = json_pack(
	    "{s:i,s:o,s:o,s:s,s:o,s:b,s:b,s:o,s:o,s:o,s:o,s:s,s:o,s:o,s:o,s:{s:b,s:b,s:o},s:o,s:o,s:s,s:o,s:o,s:o}", "id",
	    s->id, "peer", pgtls__jstr(s->peer), "started", pgtls__jstr(s->started), "request",
	    pgtls_impostor_session_get(imp, i, PGTLS_DS_REQUEST), "answer", pgtls__jopt(answer), "client_hello",
	    s->client_hello, "handshake", s->handshake_done, "tls_version", pgtls__jopt(s->tls_version), "sni",
	    pgtls__jopt(s->sni), "alpn", pgtls__jopt(s->alpn), "client_alert", pgtls__jopt(s->client_alert), "startup",
	    pgtls_impostor_session_get(imp, i, PGTLS_DS_STARTUP), "user", pgtls__jopt(s->user), "database",
	    pgtls__jopt(s->database), "application_name", pgtls__jopt(s->appname), "password", "asked", s->password_asked,
	    "sent", s->password_sent, "length", pgtls__jopt(s->password_length), "end", pgtls__jstr(s->end), "retry_of",
	    s->retry_of ? json_integer(s->retry_of) : json_null(), "verdict",
	    pgtls_decoy_verdict_name(pgtls_impostor_session_verdict(imp, i)), "codes", codes, "explains",
	    pgtls__jstr(pgtls_impostor_session_get(imp, i, PGTLS_DS_EXPLAIN)), "fix",
	    pgtls__jopt(pgtls_impostor_session_get(imp, i, PGTLS_DS_FIX)));
	rehearsal_json(o, imp, i);
	return o;
}

/* sessions grouped by who (peer host, user, database, application_name), with the worst verdict */
static json_t *
clients_json(const pgtls_impostor *imp)
{
	json_t *clients = json_array();
	json_t *index = json_object(); /* key -> position in CLIENTS */
	pgtls_decoy_verdict *worst = calloc((size_t)imp->nsessions + 1, sizeof(*worst));

	for (int i = 0; clients && index && worst && i < imp->nsessions; i++)
	{
		const decoy_session *s = &imp->sessions[i];
		pgtls_decoy_verdict v = pgtls_impostor_session_verdict(imp, i);
		char key[400];
		json_t *at, *c;
		size_t k;

		snprintf(key, sizeof(key), "%s\x1f%s\x1f%s\x1f%s", s->peer_host, s->user, s->database, s->appname);
		at = json_object_get(index, key);
		if (at == NULL)
		{
			c = json_pack("{s:o,s:o,s:o,s:o,s:[]}", "peer_host", pgtls__jstr(s->peer_host), "user",
			              pgtls__jopt(s->user), "database", pgtls__jopt(s->database), "application_name",
			              pgtls__jopt(s->appname), "sessions");
			if (c == NULL || json_array_append_new(clients, c) != 0)
				continue;
			k = json_array_size(clients) - 1;
			json_object_set_new(index, key, json_integer((json_int_t)k));
			worst[k] = v;
		}
		else
			k = (size_t)json_integer_value(at);
		if (v > worst[k])
			worst[k] = v;
		json_array_append_new(json_object_get(json_array_get(clients, k), "sessions"), json_integer(s->id));
	}
	for (size_t k = 0; worst && k < json_array_size(clients); k++)
		json_object_set_new(json_array_get(clients, k), "verdict", json_string(pgtls_decoy_verdict_name(worst[k])));
	free(worst);
	json_decref(index);
	return clients;
}

char *
pgtls_impostor_json(const pgtls_impostor *imp, int pretty)
{
	json_t *rep = pgtls__report_new(pgtls_impostor_status(imp));
	json_t *sessions = json_array();
	json_t *tally = json_object();

	if (rep == NULL || sessions == NULL || tally == NULL)
	{
		json_decref(rep);
		json_decref(sessions);
		json_decref(tally);
		return NULL;
	}
	for (int i = 0; i < imp->nsessions; i++)
		json_array_append_new(sessions, session_json(imp, i));
	for (int v = 0; v < PGTLS_DECOY_VERDICT_COUNT; v++)
		json_object_set_new(tally, pgtls_decoy_verdict_name((pgtls_decoy_verdict)v), json_integer(imp->tally[v]));
	json_object_set_new(rep, "mode", json_string(pgtls_decoy_mode_name(imp->mode)));
	json_object_set_new(rep, "listen", pgtls__jopt(imp->address));
	json_object_set_new(rep, "started", pgtls__jopt(imp->started));
	json_object_set_new(rep, "ended", pgtls__jopt(imp->ended));
	json_object_set_new(rep, "certificate", imp->leaf_cert ? pgtls__cert_to_json(imp->leaf_cert) : json_null());
	json_object_set_new(rep, "summary",
	                    json_pack("{s:i,s:o,s:i,s:i}", "sessions", imp->tally_sessions, "verdicts", tally, "not_listed",
	                              imp->dropped_records, "refused_busy", imp->dropped_busy));
	if (pgtls__rules_decoy_rehearses(imp->mode))
	{
		json_t *obs = json_object();

		for (int p = 0; obs && p <= PGTLS_PREDICT_UNKNOWN; p++)
			json_object_set_new(obs, pgtls_prediction_name((pgtls_prediction)p), json_integer(imp->tally_observed[p]));
		json_object_set_new(json_object_get(rep, "summary"), "observed", obs);
		json_object_set_new(rep, "relay_to",
		                    imp->mode == PGTLS_DECOY_RELAY ? pgtls__jopt(imp->relay.to_text) : json_null());
		json_object_set_new(rep, "identification",
		                    imp->relay.ident_error[0] ? json_string(imp->relay.ident_error) : json_null());
	}
	json_object_set_new(rep, "clients", clients_json(imp));
	json_object_set_new(rep, "sessions", sessions);
	return pgtls__json_dump(rep, pretty);
}

/* ---- reading a report back ---- */

static void
copy_str(json_t *o, const char *key, char *out, size_t outlen)
{
	const char *v = json_string_value(json_object_get(o, key));

	pgtls__sanitize(v ? v : "", v ? strlen(v) : 0, out, outlen);
}

static const char *
length_class(const char *v)
{
	static const char *const classes[] = {"empty", "1-7", "8-15", "16-31", "32+"};

	for (size_t i = 0; v && i < sizeof(classes) / sizeof(classes[0]); i++)
		if (strcmp(v, classes[i]) == 0)
			return classes[i];
	return NULL;
}

static bool
load_session(json_t *o, pgtls_impostor *imp, decoy_session *s)
{
	const char *req = json_string_value(json_object_get(o, "request"));
	const char *startup = json_string_value(json_object_get(o, "startup"));
	const char *answer = json_string_value(json_object_get(o, "answer"));
	json_t *pw = json_object_get(o, "password");
	json_t *codes = json_object_get(o, "codes");
	size_t k;
	json_t *c;

	if (!json_is_object(o) || !json_is_integer(json_object_get(o, "id")) || req == NULL || startup == NULL ||
	    !json_is_array(codes))
		return false;
	memset(s, 0, sizeof(*s));
	s->id = (int)json_integer_value(json_object_get(o, "id"));
	s->retry_of = (int)json_integer_value(json_object_get(o, "retry_of"));
	copy_str(o, "peer", s->peer, sizeof(s->peer));
	copy_str(o, "started", s->started, sizeof(s->started));
	copy_str(o, "user", s->user, sizeof(s->user));
	copy_str(o, "database", s->database, sizeof(s->database));
	copy_str(o, "application_name", s->appname, sizeof(s->appname));
	copy_str(o, "tls_version", s->tls_version, sizeof(s->tls_version));
	copy_str(o, "sni", s->sni, sizeof(s->sni));
	copy_str(o, "client_alert", s->client_alert, sizeof(s->client_alert));
	copy_str(o, "end", s->end, sizeof(s->end));
	s->direct = strcmp(req, "direct") == 0;
	s->ssl_request = strstr(req, "sslrequest") != NULL;
	s->gss_request = strstr(req, "gssencrequest") != NULL;
	s->answer = (answer && (answer[0] == 'S' || answer[0] == 'N')) ? answer[0] : 0;
	s->handshake_done = json_is_true(json_object_get(o, "handshake"));
	s->client_hello = json_is_true(json_object_get(o, "client_hello"));
	s->startup = strcmp(startup, "none") != 0;
	s->startup_tls = strcmp(startup, "tls") == 0;
	s->said_anything = s->direct || s->ssl_request || s->startup;
	s->password_asked = json_is_true(json_object_get(pw, "asked"));
	s->password_sent = json_is_true(json_object_get(pw, "sent"));
	s->password_length = length_class(json_string_value(json_object_get(pw, "length")));
	s->relayed = json_is_true(json_object_get(o, "relayed"));
	s->name_tested = json_is_true(json_object_get(o, "name_tested"));
	s->identified = json_is_true(json_object_get(o, "identified"));
	s->refused_chain = json_is_true(json_object_get(o, "refused_chain"));
	json_array_foreach (codes, k, c)
	{
		for (int v = 0; v < PGTLS_DECOY_VERDICT_COUNT; v++)
			if (json_is_string(c) &&
			    strcmp(json_string_value(c), pgtls_decoy_verdict_name((pgtls_decoy_verdict)v)) == 0)
				s->codes |= 1u << v;
	}
	if (s->codes == 0)
		return false;
	/* a plaintext retry of an attempt that asked for TLS (link_retry()): the fact behind fell_back_to_plaintext */
	s->earlier_tls = (s->codes & (1u << PGTLS_DECOY_FELL_BACK)) && !s->ssl_request && !s->direct;
	pgtls__impostor_tally(imp, s);
	return true;
}

static pgtls_err
load_report(pgtls_impostor *imp, json_t *rep, const char *path)
{
	json_t *sessions = json_object_get(rep, "sessions");
	const char *mode = json_string_value(json_object_get(rep, "mode"));
	size_t i;
	json_t *o;

	if (!json_is_object(rep) || !json_is_array(sessions) || mode == NULL ||
	    pgtls_decoy_mode_parse(mode, &imp->mode) != 0)
		return pgtls__seterr(&imp->err, PGTLS_ERR_PARSE, "%.300s: not a pgtls impostor report (mode, sessions)", path);
	imp->sessions = calloc(json_array_size(sessions) + 1, sizeof(*imp->sessions));
	if (imp->sessions == NULL)
		return pgtls__seterr(&imp->err, PGTLS_ERR_OOM, "out of memory");
	imp->capsessions = (int)json_array_size(sessions) + 1;
	json_array_foreach (sessions, i, o)
	{
		if (!load_session(o, imp, &imp->sessions[imp->nsessions]))
			return pgtls__seterr(&imp->err, PGTLS_ERR_PARSE, "%.300s: session %zu is not a pgtls impostor session",
			                     path, i + 1);
		imp->nsessions++;
	}
	copy_str(rep, "listen", imp->address, sizeof(imp->address));
	copy_str(rep, "started", imp->started, sizeof(imp->started));
	copy_str(rep, "ended", imp->ended, sizeof(imp->ended));
	imp->loaded = true;
	return PGTLS_OK;
}

pgtls_err
pgtls__impostor_load_mem(pgtls_impostor *imp, const char *buf, size_t len, const char *name)
{
	json_error_t jerr;
	json_t *rep;
	pgtls_err rc;

	if (imp->lfd >= 0 || imp->loaded || imp->nsessions > 0)
		return pgtls__seterr(&imp->err, PGTLS_ERR_USAGE, "this decoy has sessions already");
	rep = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (rep == NULL)
		return pgtls__seterr(&imp->err, PGTLS_ERR_PARSE, "%.300s: line %d: %s", name, jerr.line, jerr.text);
	rc = load_report(imp, rep, name);
	json_decref(rep);
	return rc;
}

pgtls_err
pgtls_impostor_load(pgtls_impostor *imp, const char *path)
{
	char why[256];
	struct stat st;
	size_t len;
	char *buf;
	pgtls_err rc;
	int fd;

	fd = pgtls__open_regular(path, true, MAX_REPORT, &st, why, sizeof(why));
	if (fd < 0)
		return pgtls__seterr(&imp->err, PGTLS_ERR_IO, "%.300s: %s", path, why);
	buf = pgtls__read_all(fd, MAX_REPORT, &len, why, sizeof(why));
	close(fd);
	if (buf == NULL)
		return pgtls__seterr(&imp->err, PGTLS_ERR_IO, "%.300s: %s", path, why);
	rc = pgtls__impostor_load_mem(imp, buf, len, path);
	free(buf);
	return rc;
}
