/*-------------------------------------------------------------------------
 *
 * rehearsal.c
 *	  What a client did in front of a rehearsal server (pgtls impostor
 *	  --mode new-chain or relay) says about the switch to the new CA.
 *
 * IDENTIFICATION
 *	  lib/rules/rehearsal.c
 *
 * NOTES
 *	  Pure, as rules.c.  new-chain serves a leaf from the new CA with the
 *	  real server's names: a client that sends its startup over it will
 *	  work after the switch, one that does not will not.  relay hands the
 *	  client's TLS to a canary already on the new CA: going on proves the
 *	  client trusts the new CA; refusing proves it breaks only when the
 *	  canary's certificate names the host the client asked for, or its
 *	  alert is about the chain: unknown_ca (OpenSSL: libpq, psycopg2,
 *	  asyncpg) or certificate_unknown (JSSE: pgjdbc).  Else it may have
 *	  refused only the canary's name: libpq, pgjdbc and node-postgres check
 *	  the name after the handshake (node-postgres its chain too), Go's
 *	  crypto/tls during it with bad_certificate.
 *	  tests/integration/test_rehearse.py runs psql, psycopg2, pgjdbc and
 *	  node-postgres against both and then against the real switch.
 *
 *-------------------------------------------------------------------------
 */
#include "rules/rules.h"

bool
pgtls__rules_decoy_rehearses(pgtls_decoy_mode mode)
{
	return mode == PGTLS_DECOY_NEW_CHAIN || mode == PGTLS_DECOY_RELAY;
}

pgtls_prediction
pgtls__rules_rehearsal(const pgtls_decoy_facts *f, const char **proves)
{
	bool names = f->mode == PGTLS_DECOY_NEW_CHAIN || f->name_tested;

	*proves = "";
	if (!pgtls__rules_decoy_rehearses(f->mode) || !f->said_anything)
		return PGTLS_PREDICT_UNKNOWN;
	if (f->startup && f->startup_tls)
	{
		*proves = names ? "ca_trust_and_host_name" : "ca_trust";
		return PGTLS_PREDICT_KEEPS_WORKING;
	}
	if (f->startup)
		return f->asked_tls || f->earlier_tls ? PGTLS_PREDICT_FALLS_BACK : PGTLS_PREDICT_UNAFFECTED_NO_TLS;
	/* asked for TLS and never sent its startup */
	if (!f->asked_tls || !f->client_hello || (!names && !f->refused_chain))
		return PGTLS_PREDICT_UNKNOWN;
	*proves = names ? "ca_trust_and_host_name" : "ca_trust";
	return PGTLS_PREDICT_BREAKS;
}

const char *
pgtls__rehearsal_explain(const pgtls_decoy_facts *f, pgtls_prediction p)
{
	bool relay = f->mode == PGTLS_DECOY_RELAY;

	switch (p)
	{
		case PGTLS_PREDICT_KEEPS_WORKING:
			if (relay && !f->name_tested)
				return "it went on over TLS with the canary's new-CA certificate: it trusts the new CA (its host-name "
				       "check, if any, was not tested: it did not ask for a name the canary's certificate holds)";
			return relay ? "it went on over TLS with the canary's new-CA certificate, for the name it uses: it will "
			               "keep working"
			             : "it went on over TLS with a certificate from the new CA naming its server: it will keep "
			               "working";
		case PGTLS_PREDICT_BREAKS:
			if (relay && !f->name_tested)
				return "it refused the canary's new-CA certificate with an alert about the chain (unknown_ca, "
				       "certificate_unknown): it does not trust the new CA";
			return relay ? "it refused the canary's new-CA certificate although that certificate names the host it "
			               "asked for: it does not trust the new CA"
			             : "it refused a certificate from the new CA naming its server: it does not trust the new CA";
		case PGTLS_PREDICT_FALLS_BACK:
			return "it asked for TLS, then went on in plaintext: TLS is optional for it (libpq sslmode=prefer or "
			       "allow), and it will do so again if the new certificate fails";
		case PGTLS_PREDICT_UNAFFECTED_NO_TLS:
			return "it never asked for TLS (sslmode=disable): no certificate matters to it";
		default:
			if (f->asked_tls && !f->client_hello && f->said_anything)
				return "it asked for TLS, then closed before its handshake: its own TLS set-up failed (it fails "
				       "today too)";
			if (relay && f->asked_tls && !f->name_tested)
				return "it ended the handshake without its startup, and it asked for a host name the canary's "
				       "certificate does not hold: it refused either the new CA or only the canary's name; connect "
				       "it with the canary's name to tell";
			return "it closed before asking for TLS or sending a startup: nothing proven";
	}
}

static int
rank(pgtls_prediction p)
{
	switch (p)
	{
		case PGTLS_PREDICT_FALLS_BACK:
			return 4;
		case PGTLS_PREDICT_BREAKS:
			return 3;
		case PGTLS_PREDICT_UNKNOWN:
			return 2;
		case PGTLS_PREDICT_KEEPS_WORKING:
			return 1;
		default:
			return 0;
	}
}

pgtls_prediction
pgtls__rules_rehearsal_worse(pgtls_prediction a, pgtls_prediction b)
{
	return rank(b) > rank(a) ? b : a;
}
