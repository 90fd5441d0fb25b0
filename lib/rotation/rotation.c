/*-------------------------------------------------------------------------
 *
 * rotation.c
 *	  Predict, per client, what happens when its server switches to a
 *	  certificate from a new CA: the same client facts fed to the rules
 *	  engine twice, against the chain served now and the chain after.
 *
 * IDENTIFICATION
 *	  lib/rotation/rotation.c
 *
 * NOTES
 *	  Nothing here reads JSON or compares the words of a message: clients
 *	  are typed records, endpoints are probe objects, and every decision is
 *	  pgtls__rules_decide() over facts.  The chain after the switch is the
 *	  chain served now when the endpoint already serves the new CA; else
 *	  whether the client's trust anchors build a path to a certificate of
 *	  the new CA file (OpenSSL path building, no partial chains, as libpq).
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "clients/clients_int.h"
#include "rotation/rotation_int.h"
#include "probe/results.h"
#include "store/store_int.h"

pgtls_rotation *
pgtls_rotation_new(void)
{
	return calloc(1, sizeof(pgtls_rotation));
}

void
pgtls_rotation_free(pgtls_rotation *rot)
{
	if (rot == NULL)
		return;
	free(rot->eps);
	free(rot->cls);
	free(rot->tfiles);
	free(rot->found);
	for (int i = 0; i < rot->ncache; i++)
	{
		free(rot->cache[i].path);
		pgtls_store_free(rot->cache[i].store);
	}
	X509_STORE_free(rot->system);
	for (int i = 0; i < rot->nplan; i++)
		free(rot->plan[i]);
	free(rot->plan);
	free(rot->new_ca_path);
	free(rot->old_ca_path);
	pgtls_store_free(rot->newca);
	pgtls_store_free(rot->oldca);
	sk_X509_free(rot->newset);
	free(rot);
}

pgtls_err
pgtls_rotation_set_old_ca(pgtls_rotation *rot, const char *old_ca_path)
{
	if (rot == NULL || old_ca_path == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&rot->err);
	pgtls_store_free(rot->oldca);
	rot->oldca = pgtls_store_new();
	if (rot->oldca == NULL)
		return pgtls__seterr(&rot->err, PGTLS_ERR_OOM, "out of memory");
	if (pgtls_store_load_file(rot->oldca, old_ca_path, NULL) != PGTLS_OK)
		return pgtls__seterr(&rot->err, pgtls_store_errcode(rot->oldca), "old CA: %s", pgtls_store_errmsg(rot->oldca));
	free(rot->old_ca_path);
	if ((rot->old_ca_path = strdup(old_ca_path)) == NULL)
		return pgtls__seterr(&rot->err, PGTLS_ERR_OOM, "out of memory");
	return PGTLS_OK;
}

pgtls_err
pgtls_rotation_errcode(const pgtls_rotation *rot)
{
	return rot ? rot->err.code : PGTLS_ERR_USAGE;
}

const char *
pgtls_rotation_errmsg(const pgtls_rotation *rot)
{
	return rot ? rot->err.msg : "no rotation object";
}

/* ---- the client's trust anchors ---- */

/* the certificates of FILE, read once per rotation (NULL with WHY when it cannot be read); owned by ROT */
static const pgtls_store *
cached_store(pgtls_rotation *rot, const char *file, char *why, size_t whylen, pgtls_store **uncached)
{
	pgtls_store *st;

	*uncached = NULL;
	for (int i = 0; i < rot->ncache; i++)
		if (strcmp(rot->cache[i].path, file) == 0)
		{
			snprintf(why, whylen, "%s", rot->cache[i].why);
			return rot->cache[i].store;
		}
	st = pgtls_store_new();
	/* a JKS's certificates are read without its password; a PKCS#12 store needs it: unknown */
	if (st == NULL || pgtls_store_load_file(st, file, NULL) != PGTLS_OK)
	{
		snprintf(why, whylen, "cannot read %s: %s", file, st ? pgtls_store_errmsg(st) : "out of memory");
		pgtls_store_free(st);
		st = NULL;
	}
	if (rot->ncache < ROT_MAX_CACHED && (rot->cache[rot->ncache].path = strdup(file)) != NULL)
	{
		rot->cache[rot->ncache].store = st;
		snprintf(rot->cache[rot->ncache].why, sizeof(rot->cache[rot->ncache].why), "%s", st ? "" : why);
		rot->ncache++;
	}
	else
		*uncached = st; /* beyond the cache: the caller frees it */
	return st;
}

/* Builds the client's store; PGTLS_TRI_UNKNOWN (with WHY) when it cannot be known here. */
static pgtls_tri
client_store(pgtls_rotation *rot, const client_rec *r, X509_STORE **out, char *why, size_t whylen)
{
	const char *file = r->trust == PGTLS_TRUST_JVM ? r->jvm_store : r->rootcert;

	*out = NULL;
	if (r->trust == PGTLS_TRUST_JVM && r->jvm_store == NULL)
	{
		snprintf(why, whylen,
		         "uses the JVM's default trust store (no javax.net.ssl.trustStore beside its settings): check that "
		         "store with \"pgtls store verify\"");
		return PGTLS_TRI_UNKNOWN;
	}
	if (r->trust == PGTLS_TRUST_DISABLED || (r->trust != PGTLS_TRUST_JVM && r->root != PGTLS_ROOT_LOADED))
		return PGTLS_TRI_YES; /* not consulted */
	if (r->trust == PGTLS_TRUST_SYSTEM && (r->system_file || r->extra_ca))
	{
		/* SSL_CERT_FILE replaces OpenSSL's default bundle; NODE_EXTRA_CA_CERTS adds to Node's store */
		pgtls_store *uncached = NULL;
		const pgtls_store *extra = r->extra_ca ? cached_store(rot, r->extra_ca, why, whylen, &uncached) : NULL;

		if ((*out = X509_STORE_new()) == NULL || (r->extra_ca && extra == NULL))
			return PGTLS_TRI_UNKNOWN;
		if (r->system_file)
		{
			X509_STORE_load_file(*out, r->system_file);
			X509_STORE_load_path(*out, X509_get_default_cert_dir());
		}
		else
			X509_STORE_set_default_paths(*out);
		for (int i = 0; extra && i < extra->nentries; i++)
			X509_STORE_add_cert(*out, extra->entries[i].cert);
		pgtls_store_free(uncached);
	}
	else if (r->trust == PGTLS_TRUST_SYSTEM)
	{
		/* the OS store, loaded once and shared (a reference per client) */
		if (rot->system == NULL && (rot->system = X509_STORE_new()) != NULL)
			X509_STORE_set_default_paths(rot->system);
		if (rot->system == NULL || X509_STORE_up_ref(rot->system) != 1)
			return PGTLS_TRI_UNKNOWN;
		*out = rot->system;
	}
	else
	{
		pgtls_store *uncached;
		const pgtls_store *st = cached_store(rot, file, why, whylen, &uncached);

		if (st == NULL || (*out = X509_STORE_new()) == NULL)
			return PGTLS_TRI_UNKNOWN;
		for (int i = 0; i < st->nentries; i++)
			X509_STORE_add_cert(*out, st->entries[i].cert);
		pgtls_store_free(uncached);
		/* Java's PKIX: any certificate in the store is a trust anchor (an intermediate, the server's own) */
		if (pgtls__driver_rules(r->driver)->any_cert_anchor)
			X509_STORE_set_flags(*out, X509_V_FLAG_PARTIAL_CHAIN);
	}
	ERR_clear_error();
	return PGTLS_TRI_YES;
}

/* LEAF with UNTRUSTED (may be NULL) against STORE, as a TLS client verifies a server */
static pgtls_tri
path_verifies(X509_STORE *store, X509 *leaf, STACK_OF(X509) * untrusted)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	pgtls_tri ok = PGTLS_TRI_NO;

	if (ctx && X509_STORE_CTX_init(ctx, store, leaf, untrusted) == 1)
	{
		X509_STORE_CTX_set_default(ctx, "ssl_server");
		if (X509_verify_cert(ctx) == 1)
			ok = PGTLS_TRI_YES;
	}
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

pgtls_tri
pgtls__rot_verifies_served(X509_STORE *store, const pgtls_probe *p)
{
	STACK_OF(X509) * untrusted;
	pgtls_tri ok;

	if (store == NULL)
		return PGTLS_TRI_YES;
	if (pgtls_probe_nchain(p) == 0)
		return PGTLS_TRI_UNKNOWN;
	untrusted = sk_X509_new_null();
	for (int i = 1; untrusted && i < pgtls_probe_nchain(p); i++)
		sk_X509_push(untrusted, pgtls__probe_chain_x509(p, i));
	ok = path_verifies(store, pgtls__probe_chain_x509(p, 0), untrusted);
	sk_X509_free(untrusted);
	return ok;
}

/* does STORE reach a trust anchor from a certificate of the new CA (no partial chains, as libpq)? */
pgtls_tri
pgtls__rot_trusts_new(X509_STORE *store, STACK_OF(X509) * newset)
{
	pgtls_tri ok = PGTLS_TRI_NO;

	if (store == NULL)
		return PGTLS_TRI_YES;
	for (int i = 0; i < sk_X509_num(newset) && ok != PGTLS_TRI_YES; i++)
	{
		X509_STORE_CTX *ctx = X509_STORE_CTX_new();

		if (ctx && X509_STORE_CTX_init(ctx, store, sk_X509_value(newset, i), newset) == 1 && X509_verify_cert(ctx) == 1)
			ok = PGTLS_TRI_YES;
		X509_STORE_CTX_free(ctx);
	}
	ERR_clear_error();
	return ok;
}

/* ---- one client ---- */

static void
endpoint_facts(const client_rec *r, const pgtls_probe *p, pgtls_facts *f)
{
	char msg[512];

	memset(f, 0, sizeof(*f));
	f->driver = r->driver;
	f->sslmode = r->sslmode;
	f->trust = r->trust;
	f->root = r->root;
	f->root_explicit = r->root_explicit;
	f->custom_host_check = r->custom_host_check;
	f->tls = pgtls__probe_tls(p);
	f->tls_startup = pgtls__probe_tls_startup(p);
	f->plain_startup = pgtls_probe_plaintext(p);
	if (pgtls_probe_nchain(p) == 0)
		f->host_matches = PGTLS_TRI_UNKNOWN;
	else if (r->host && r->host[0] != '/' && strchr(r->host, ',') == NULL)
		f->host_matches = pgtls__host_matches(pgtls__probe_chain_x509(p, 0), r->host, msg, sizeof(msg)) == 1
		                      ? PGTLS_TRI_YES
		                      : PGTLS_TRI_NO;
	else
		f->host_matches = pgtls_probe_host_ok(p) ? PGTLS_TRI_YES : PGTLS_TRI_NO; /* connects by the TARGET's name */
}

static pgtls_prediction
predict(const pgtls_outcome *now, const pgtls_outcome *after)
{
	if (now->result == PGTLS_RESULT_FAILS)
		return PGTLS_PREDICT_ALREADY_BROKEN;
	if (now->result == PGTLS_RESULT_UNKNOWN || after->result == PGTLS_RESULT_UNKNOWN)
		return PGTLS_PREDICT_UNKNOWN;
	if (after->result == PGTLS_RESULT_FAILS)
		return PGTLS_PREDICT_BREAKS;
	if (after->fell_back)
		return PGTLS_PREDICT_FALLS_BACK; /* after the switch too: it is in plaintext because verification fails */
	if (!after->encrypted)
		return PGTLS_PREDICT_UNAFFECTED_NO_TLS;
	if (after->verified == PGTLS_VERIFIED_NONE)
		return PGTLS_PREDICT_UNAFFECTED_UNVERIFIED;
	return PGTLS_PREDICT_KEEPS_WORKING;
}

static bool
failed_on(const pgtls_outcome *o, pgtls_failure why)
{
	for (int i = 0; i < o->nerrors; i++)
		if (o->errors[i] == why)
			return true;
	return false;
}

/* what an observation may say when the settings say INFERRED: the other results are contradictions */
static bool
agrees(pgtls_prediction observed, pgtls_prediction inferred)
{
	if (inferred == PGTLS_PREDICT_UNKNOWN || observed == inferred)
		return true;
	if (observed == PGTLS_PREDICT_KEEPS_WORKING)
		return inferred == PGTLS_PREDICT_UNAFFECTED_UNVERIFIED;
	if (observed == PGTLS_PREDICT_BREAKS)
		return inferred == PGTLS_PREDICT_ALREADY_BROKEN;
	return false;
}

/* a rehearsal's observation of R (pgtls_clients_set_observed()) beats what its settings suggest */
static void
apply_observed(pgtls_rotation *rot, const client_rec *r, rot_client *rc)
{
	rc->inferred = rc->prediction;
	if (r->log_fallback_since[0] && rc->prediction != PGTLS_PREDICT_UNAFFECTED_NO_TLS)
	{
		/* the server saw it: after the switch, a client that went on in plaintext is no keeps_working */
		rc->observed = true;
		rc->contradiction = rc->inferred != PGTLS_PREDICT_FALLS_BACK && rc->inferred != PGTLS_PREDICT_UNKNOWN;
		rot->contradictions += rc->contradiction;
		rc->prediction = PGTLS_PREDICT_FALLS_BACK;
		snprintf(rc->reason, sizeof(rc->reason),
		         "observed in the server's log: it connected in plaintext after connecting with TLS (since %s)%s%s",
		         r->log_fallback_since, rc->contradiction ? "; its settings say " : "",
		         rc->contradiction ? pgtls_prediction_name(rc->inferred) : "");
		return;
	}
	if (r->obs_sessions == 0 || r->observed == PGTLS_PREDICT_UNKNOWN)
		return;
	rc->observed = true;
	rc->contradiction = !agrees(r->observed, rc->inferred);
	rot->contradictions += rc->contradiction;
	/* both say it works (or fails): the settings tell why -- it verifies nothing, it fails today -- the rehearsal cannot */
	if ((r->observed == PGTLS_PREDICT_KEEPS_WORKING && rc->inferred == PGTLS_PREDICT_UNAFFECTED_UNVERIFIED) ||
	    (r->observed == PGTLS_PREDICT_BREAKS && rc->inferred == PGTLS_PREDICT_ALREADY_BROKEN))
		return;
	rc->prediction = r->observed;
	snprintf(rc->reason, sizeof(rc->reason),
	         "observed: a rehearsal (pgtls impostor --mode %s, %d session%s) saw it %s%s%s%s", r->obs_mode,
	         r->obs_sessions, r->obs_sessions == 1 ? "" : "s",
	         r->observed == PGTLS_PREDICT_KEEPS_WORKING ? "go on with the new CA's certificate"
	         : r->observed == PGTLS_PREDICT_BREAKS      ? "refuse the new CA's certificate"
	         : r->observed == PGTLS_PREDICT_FALLS_BACK  ? "go on in plaintext after asking for TLS"
	                                                    : "connect without TLS",
	         r->obs_proves && strcmp(r->obs_proves, "ca_trust") == 0 ? " (its host-name check was not tested)" : "",
	         rc->contradiction ? "; its settings say " : "",
	         rc->contradiction ? pgtls_prediction_name(rc->inferred) : "");
}

static void judge_inferred(pgtls_rotation *rot, const client_rec *r, rot_client *rc);

void
pgtls__rotation_judge(pgtls_rotation *rot, const client_rec *r, rot_client *rc)
{
	judge_inferred(rot, r, rc);
	apply_observed(rot, r, rc);
	pgtls__rotation_words(rot, rc);
}

/* what R's settings give (its words are made by the caller) */
static void
judge_inferred(pgtls_rotation *rot, const client_rec *r, rot_client *rc)
{
	X509_STORE *store = NULL;
	pgtls_facts now_f, after_f;
	pgtls_tri trust;
	bool assumed;

	memset(rc, 0, sizeof(*rc));
	rc->rec = r;
	rc->endpoint = r->outcome == PGTLS_OUTCOME_UNIX_SOCKET ? -1 : pgtls__rot_endpoint_for(rot, r, &assumed);
	if (rc->endpoint < 0 && (r->outcome == PGTLS_OUTCOME_NO_TLS || r->outcome == PGTLS_OUTCOME_UNIX_SOCKET))
	{
		/* sslmode=disable or a Unix socket: no certificate is ever looked at, whichever server it is */
		rc->prediction = PGTLS_PREDICT_UNAFFECTED_NO_TLS;
		if (r->outcome == PGTLS_OUTCOME_UNIX_SOCKET)
			snprintf(rc->reason, sizeof(rc->reason), "connects through a Unix-domain socket: TLS does not apply");
		return;
	}
	if (rc->endpoint < 0)
	{
		rc->prediction = PGTLS_PREDICT_UNKNOWN;
		snprintf(rc->reason, sizeof(rc->reason), "its server (%s port %s) %s",
		         r->host ? pgtls__client_shown(r, CL_HIDE_HOST, r->host) : "(default)",
		         r->port ? pgtls__client_shown(r, CL_HIDE_PORT, r->port) : "5432",
		         r->host == NULL && r->hostaddr == NULL ? "is not named in its settings: pass it as a TARGET"
		                                                : "is neither a TARGET nor probed");
		return;
	}
	trust = client_store(rot, r, &store, rc->reason, sizeof(rc->reason));
	endpoint_facts(r, rot->eps[rc->endpoint].probe, &now_f);
	after_f = now_f;
	if (trust == PGTLS_TRI_UNKNOWN)
		now_f.chain_verifies = after_f.chain_verifies = PGTLS_TRI_UNKNOWN;
	else
	{
		now_f.chain_verifies = pgtls__rot_verifies_served(store, rot->eps[rc->endpoint].probe);
		/* after: the chain served now if already switched; else the canary's real chain; else the new CA file */
		after_f.chain_verifies = rot->eps[rc->endpoint].on_new == 1 ? now_f.chain_verifies
		                         : rot->canary                      ? pgtls__rot_verifies_served(store, rot->canary)
		                                                            : pgtls__rot_trusts_new(store, rot->newset);
	}
	X509_STORE_free(store);
	/* after the switch the endpoint completes TLS as it does now (same server, new certificate) */
	pgtls__rules_decide(&now_f, &rc->now);
	pgtls__rules_decide(&after_f, &rc->after);
	rc->prediction = predict(&rc->now, &rc->after);
	if (rc->prediction == PGTLS_PREDICT_ALREADY_BROKEN &&
	    (r->failure == PGTLS_FAIL_ROOT_MISSING || r->failure == PGTLS_FAIL_NO_HOME))
	{
		/* the root file may exist where the application runs: what pgtls clients says, not a failure */
		rc->prediction = PGTLS_PREDICT_UNKNOWN;
		snprintf(rc->reason, sizeof(rc->reason), "%s (%s)", pgtls__client_verdict(r),
		         r->rootcert ? r->rootcert : r->root_source);
	}
	rc->alias = failed_on(&rc->now, PGTLS_FAIL_HOSTNAME) || failed_on(&rc->after, PGTLS_FAIL_HOSTNAME);
	if (!rot->eps[rc->endpoint].reachable && rc->reason[0] == '\0')
		snprintf(rc->reason, sizeof(rc->reason), "its server %s did not answer: nothing can be predicted",
		         pgtls_probe_get(rot->eps[rc->endpoint].probe, PGTLS_PF_TARGET));
	if (assumed && rc->reason[0] == '\0')
		snprintf(rc->reason, sizeof(rc->reason), "assumed to connect to the only TARGET");
	if (pgtls__rules_decoy_unverified(r->decoy_codes, r->decoy_mode) &&
	    (rc->prediction == PGTLS_PREDICT_BREAKS || rc->prediction == PGTLS_PREDICT_KEEPS_WORKING))
	{
		/* what the application was seen to do beats what its settings say */
		rc->prediction = PGTLS_PREDICT_UNAFFECTED_UNVERIFIED;
		snprintf(rc->reason, sizeof(rc->reason),
		         "a decoy server (pgtls impostor, mode %s) saw it accept a certificate no CA it trusts signed: it "
		         "does not verify the server, whatever its settings say",
		         pgtls_decoy_mode_name(r->decoy_mode));
	}
}

pgtls_err
pgtls_rotation_run(pgtls_rotation *rot, const pgtls_clients *clients, const char *new_ca_path,
                   const pgtls_probe *const *probes, int nprobes)
{
	if (rot == NULL || clients == NULL || new_ca_path == NULL || nprobes < 0 || (nprobes > 0 && probes == NULL))
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&rot->err);
	if (rot->newca)
		return pgtls__seterr(&rot->err, PGTLS_ERR_USAGE, "rotation already run");
	rot->newca = pgtls_store_new();
	rot->new_ca_path = strdup(new_ca_path);
	if (rot->newca == NULL || rot->new_ca_path == NULL)
		return pgtls__seterr(&rot->err, PGTLS_ERR_OOM, "out of memory");
	if (pgtls_store_load_file(rot->newca, new_ca_path, NULL) != PGTLS_OK)
		return pgtls__seterr(&rot->err, pgtls_store_errcode(rot->newca), "new CA: %s", pgtls_store_errmsg(rot->newca));
	rot->cls = calloc((size_t)(clients->nrecs > 0 ? clients->nrecs : 1), sizeof(*rot->cls));
	if (rot->cls == NULL)
		return pgtls__seterr(&rot->err, PGTLS_ERR_OOM, "out of memory");
	for (int i = 0; i < nprobes; i++)
		if (probes[i] == NULL || !pgtls__probe_done(probes[i]))
			return pgtls__seterr(&rot->err, PGTLS_ERR_USAGE, "probe %d has not finished", i);
	if (pgtls__rot_new_ca_set(rot, probes, nprobes) != PGTLS_OK ||
	    pgtls__rot_endpoints(rot, probes, nprobes) != PGTLS_OK)
		return rot->err.code;
	rot->go = true;
	for (int i = 0; i < rot->neps; i++)
		if (!rot->eps[i].reachable)
			rot->go = false;
	for (int i = 0; i < clients->nrecs; i++)
	{
		rot_client *rc = &rot->cls[rot->ncls++];

		pgtls__rotation_judge(rot, &clients->recs[i], rc);
		if (rc->prediction == PGTLS_PREDICT_BREAKS || rc->prediction == PGTLS_PREDICT_ALREADY_BROKEN)
			rot->breaks++;
		if (rc->prediction == PGTLS_PREDICT_BREAKS || rc->prediction == PGTLS_PREDICT_ALREADY_BROKEN ||
		    rc->prediction == PGTLS_PREDICT_FALLS_BACK || rc->prediction == PGTLS_PREDICT_UNKNOWN)
			rot->go = false;
	}
	rot->clients = clients;
	rot->unattributed_bad = clients->obs_unattributed[PGTLS_PREDICT_BREAKS] +
	                        clients->obs_unattributed[PGTLS_PREDICT_FALLS_BACK] +
	                        clients->obs_unattributed[PGTLS_PREDICT_UNKNOWN];
	if (rot->unattributed_bad > 0)
		rot->go = false;
	pgtls__rot_trust_files(rot, clients);
	/* not understood (and not acknowledged), or a stale store no understood client uses: never an all-clear */
	if (clients->nunparsed > clients->nunparsed_acked || clients->nunparsed_more > 0 || rot->stale_stores > 0)
		rot->go = false;
	rot->done = true;
	return PGTLS_OK;
}
