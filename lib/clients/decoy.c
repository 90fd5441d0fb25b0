/*-------------------------------------------------------------------------
 *
 * decoy.c
 *	  pgtls clients --decoy-report: what a decoy server saw each client
 *	  found in the settings do, against what its settings predict.
 *
 * IDENTIFICATION
 *	  lib/clients/decoy.c
 *
 * NOTES
 *	  A client is matched to the decoy's sessions by the StartupMessage
 *	  fields its settings name (user, dbname, application_name); settings
 *	  naming none of them match nothing.  The prediction comes from the
 *	  rules engine (pgtls__rules_decoy_expect()).
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "clients/clients_int.h"
#include "impostor/impostor_int.h"

#include <stdio.h>
#include <string.h>

static bool
field_matches(const char *setting, const char *seen)
{
	return setting == NULL || strcmp(setting, seen) == 0;
}

static void
match_client(client_rec *r, const pgtls_impostor *imp)
{
	pgtls_tri expect;

	r->decoy_finding = NULL;
	r->decoy_codes = 0;
	r->ndecoy_sessions = 0;
	if (r->user == NULL && r->dbname == NULL && (r->appname == NULL || PGTLS_IS_PGJDBC(r->driver)))
		return;
	for (int i = 0; i < imp->nsessions; i++)
	{
		const decoy_session *s = &imp->sessions[i];

		/* pgjdbc sets ApplicationName after connecting: its startup never tells it */
		if (s->user[0] == '\0' || !field_matches(r->user, s->user) || !field_matches(r->dbname, s->database) ||
		    (!PGTLS_IS_PGJDBC(r->driver) && !field_matches(r->appname, s->appname)))
			continue;
		r->decoy_codes |= s->codes;
		if (r->ndecoy_sessions < (int)(sizeof(r->decoy_sessions) / sizeof(r->decoy_sessions[0])))
			r->decoy_sessions[r->ndecoy_sessions++] = s->id;
	}
	if (r->decoy_codes == 0)
		return;
	r->decoy_mode = imp->mode;
	expect = pgtls__rules_decoy_expect(r->outcome, imp->mode);
	if (expect == PGTLS_TRI_NO && pgtls__rules_decoy_accepted(r->decoy_codes))
		r->decoy_finding = "decoy_contradicts_settings";
	else if (expect == PGTLS_TRI_YES && !pgtls__rules_decoy_accepted(r->decoy_codes))
		r->decoy_finding = "decoy_stricter_than_settings";
	else if (expect == PGTLS_TRI_UNKNOWN)
		r->decoy_finding = "decoy_observed";
	else
		r->decoy_finding = "decoy_confirms_settings";
}

/* does rehearsal session S belong to R? (as match_client) */
static bool
session_is(const client_rec *r, const decoy_session *s)
{
	if (r->user == NULL && r->dbname == NULL && (r->appname == NULL || PGTLS_IS_PGJDBC(r->driver)))
		return false;
	return s->user[0] != '\0' && field_matches(r->user, s->user) && field_matches(r->dbname, s->database) &&
	       (PGTLS_IS_PGJDBC(r->driver) || field_matches(r->appname, s->appname));
}

pgtls_err
pgtls_clients_set_observed(pgtls_clients *c, const pgtls_impostor *imp)
{
	if (c == NULL || imp == NULL)
		return PGTLS_ERR_USAGE;
	if (!pgtls__rules_decoy_rehearses(imp->mode))
		return pgtls__seterr(&c->err, PGTLS_ERR_USAGE,
		                     "a report of mode %s is no rehearsal: observations come from new-chain or relay",
		                     pgtls_decoy_mode_name(imp->mode));
	c->obs_reports++;
	for (int i = 0; i < imp->nsessions; i++)
	{
		const decoy_session *s = &imp->sessions[i];
		pgtls_decoy_facts f;
		const char *proves;
		pgtls_prediction p;
		bool matched = false;

		pgtls__decoy_facts_of(s, imp->mode, &f);
		p = pgtls__rules_rehearsal(&f, &proves);
		for (int k = 0; k < c->nrecs; k++)
		{
			client_rec *r = &c->recs[k];

			if (!session_is(r, s))
				continue;
			matched = true;
			r->observed = r->obs_sessions ? pgtls__rules_rehearsal_worse(r->observed, p) : p;
			if (r->obs_proves == NULL || strcmp(proves, r->obs_proves) < 0)
				r->obs_proves = proves; /* "" < "ca_trust" < "ca_trust_and_host_name" */
			snprintf(r->obs_mode, sizeof(r->obs_mode), "%s", pgtls_decoy_mode_name(imp->mode));
			r->obs_sessions++;
		}
		if (!matched)
			c->obs_unattributed[p]++;
	}
	return PGTLS_OK;
}

pgtls_err
pgtls_clients_set_decoy(pgtls_clients *c, const pgtls_impostor *imp)
{
	if (c == NULL || imp == NULL)
		return PGTLS_ERR_USAGE;
	for (int i = 0; i < c->nrecs; i++)
		match_client(&c->recs[i], imp);
	return PGTLS_OK;
}

pgtls_err
pgtls_clients_set_logs(pgtls_clients *c, const pgtls_logscan *scan)
{
	if (c == NULL || scan == NULL)
		return PGTLS_ERR_USAGE;
	for (int i = 0; i < pgtls_logscan_nclients(scan); i++)
	{
		decoy_session who;
		const char *since = pgtls_logscan_client_get(scan, i, PGTLS_LC_FALLBACK_SINCE);

		memset(&who, 0, sizeof(who));
		snprintf(who.user, sizeof(who.user), "%s", pgtls_logscan_client_get(scan, i, PGTLS_LC_USER));
		snprintf(who.database, sizeof(who.database), "%s", pgtls_logscan_client_get(scan, i, PGTLS_LC_DATABASE));
		snprintf(who.appname, sizeof(who.appname), "%s", pgtls_logscan_client_get(scan, i, PGTLS_LC_APPLICATION));
		for (int k = 0; k < c->nrecs; k++)
		{
			client_rec *r = &c->recs[k];

			if (!session_is(r, &who))
				continue;
			r->log_connections += pgtls_logscan_client_count(scan, i, PGTLS_LCC_CONNECTIONS);
			if (since[0] && (r->log_fallback_since[0] == '\0' || strcmp(since, r->log_fallback_since) < 0))
				snprintf(r->log_fallback_since, sizeof(r->log_fallback_since), "%s", since);
		}
	}
	return PGTLS_OK;
}
