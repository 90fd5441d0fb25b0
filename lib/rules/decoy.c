/*-------------------------------------------------------------------------
 *
 * decoy.c
 *	  What a client's behaviour in front of a decoy server means: the
 *	  verdicts of pgtls impostor, and what a client's settings predict
 *	  it does there (pgtls clients --decoy-report).
 *
 * IDENTIFICATION
 *	  lib/rules/decoy.c
 *
 * NOTES
 *	  Pure, as rules.c.  The explanations name the settings of the real
 *	  drivers that produce each behaviour; tests/integration/test_impostor.py
 *	  runs psql, psycopg2 and pgjdbc with each of them against the decoy.
 *
 *-------------------------------------------------------------------------
 */
#include "rules/rules.h"

#define BIT(v) (1u << (v))

unsigned
pgtls__rules_decoy(const pgtls_decoy_facts *f)
{
	unsigned codes = 0;

	if (!f->said_anything)
		return BIT(PGTLS_DECOY_INCONCLUSIVE);
	if (f->startup && f->startup_tls)
		codes |= BIT(PGTLS_DECOY_ACCEPTED_CERT);
	else if (f->startup && (f->asked_tls || f->earlier_tls))
		codes |= BIT(PGTLS_DECOY_FELL_BACK);
	else if (f->startup)
		codes |= BIT(PGTLS_DECOY_NO_TLS_REQUESTED);
	else if (f->asked_tls)
		codes |= BIT(PGTLS_DECOY_REJECTED);
	else
		codes |= BIT(PGTLS_DECOY_INCONCLUSIVE); /* GSSENCRequest or a cancel request only */
	if (f->password_sent)
		codes |= BIT(PGTLS_DECOY_SENT_PASSWORD);
	return codes;
}

bool
pgtls__rules_decoy_accepted(unsigned codes)
{
	return (codes & (BIT(PGTLS_DECOY_NO_TLS_REQUESTED) | BIT(PGTLS_DECOY_FELL_BACK) | BIT(PGTLS_DECOY_ACCEPTED_CERT) |
	                 BIT(PGTLS_DECOY_SENT_PASSWORD))) != 0;
}

static const char *
explain_accepted(pgtls_decoy_mode mode)
{
	switch (mode)
	{
		case PGTLS_DECOY_WRONG_NAME:
			return "it verifies the certificate chain but not the host name: sslmode=verify-ca, or libpq "
			       "sslmode=require with a root certificate file (psql, psycopg2), or pgjdbc with a "
			       "permissive sslhostnameverifier";
		case PGTLS_DECOY_EXPIRED:
			return "it does not check the certificate chain (an expired certificate fails every chain check): "
			       "libpq sslmode=allow, prefer or require without a root certificate file (psql, psycopg2), "
			       "pgjdbc sslfactory=NonValidatingFactory, Npgsql Trust Server Certificate=true, "
			       "node-postgres ssl.rejectUnauthorized=false";
		default:
			return "it does not verify the server certificate: libpq sslmode=allow, prefer (the default) or "
			       "require without a root certificate file (psql, psycopg2), pgjdbc sslmode=prefer or require "
			       "without sslrootcert, or sslfactory=NonValidatingFactory, Npgsql Trust Server "
			       "Certificate=true, node-postgres ssl.rejectUnauthorized=false";
	}
}

static const char *
explain_rejected(const pgtls_decoy_facts *f)
{
	if (f->answered_no)
		return "it requires TLS: sslmode=require or stronger (pgjdbc ssl=true)";
	if (!f->client_hello)
		return "it asked for TLS, then closed before its handshake: its own TLS set-up failed (a verify-ca or "
		       "verify-full mode without its root certificate file, or a client certificate it cannot use)";
	if (f->handshake_done)
		return "it finished the handshake, then closed before its startup: it checked the host name after the "
		       "handshake (libpq and pgjdbc verify-full do)";
	switch (f->mode)
	{
		case PGTLS_DECOY_WRONG_NAME:
			return "it refused the certificate: it checks the host name (sslmode=verify-full)";
		case PGTLS_DECOY_EXPIRED:
			return "it refused the expired certificate: it verifies the certificate chain";
		default:
			return "it refused the certificate: it verifies the chain against its own trusted CA "
			       "(sslmode=verify-ca or verify-full, pgjdbc ssl=true)";
	}
}

const char *
pgtls__decoy_explain(const pgtls_decoy_facts *f, pgtls_decoy_verdict verdict)
{
	switch (verdict)
	{
		case PGTLS_DECOY_SENT_PASSWORD:
			return f->startup_tls ? "it sent its password to a server whose certificate it did not verify"
			                      : "it sent its password in plaintext to a server it could not authenticate";
		case PGTLS_DECOY_ACCEPTED_CERT:
			return explain_accepted(f->mode);
		case PGTLS_DECOY_FELL_BACK:
			if (!f->asked_tls)
				return "it retried without TLS after the decoy refused its TLS session: libpq sslmode=prefer "
				       "(the default) does this on any error over TLS, so a man in the middle only has to "
				       "refuse to read the retry";
			return "TLS is optional for it: libpq sslmode=prefer (the default) or allow, pgjdbc sslmode=prefer "
			       "(its default) or allow";
		case PGTLS_DECOY_NO_TLS_REQUESTED:
			return "it never asked for TLS: sslmode=disable, or sslmode=allow (which asks only after a "
			       "plaintext attempt fails)";
		case PGTLS_DECOY_REJECTED:
			return explain_rejected(f);
		case PGTLS_DECOY_INCONCLUSIVE:
		default:
			return "it closed before asking for TLS or sending a startup (a port check?): nothing to judge";
	}
}

const char *
pgtls__decoy_fix(const pgtls_decoy_facts *f, pgtls_decoy_verdict verdict)
{
	switch (verdict)
	{
		case PGTLS_DECOY_SENT_PASSWORD:
		case PGTLS_DECOY_ACCEPTED_CERT:
			if (f->startup_tls && f->mode == PGTLS_DECOY_WRONG_NAME)
				return "use sslmode=verify-full and connect with a host name the server certificate names";
			return "verify the server: sslmode=verify-full with sslrootcert=<the CA bundle> (libpq, psycopg2; "
			       "pgjdbc: sslmode=verify-full&sslrootcert=..., or ssl=true with the CA in the JVM trust store)";
		case PGTLS_DECOY_FELL_BACK:
		case PGTLS_DECOY_NO_TLS_REQUESTED:
			return "use sslmode=verify-full with sslrootcert=<the CA bundle> (at least sslmode=require), and "
			       "accept only hostssl on the server (pgtls server --what-if-enforced)";
		default:
			return "";
	}
}

pgtls_tri
pgtls__rules_decoy_expect(pgtls_client_outcome outcome, pgtls_decoy_mode mode)
{
	/* a rehearsal serves the new CA: what a client does depends on its trust store, not its mode */
	if (pgtls__rules_decoy_rehearses(mode))
		return PGTLS_TRI_UNKNOWN;
	switch (outcome)
	{
		case PGTLS_OUTCOME_NO_TLS:
		case PGTLS_OUTCOME_OPPORTUNISTIC: /* a failed verification falls back to plaintext too */
			return PGTLS_TRI_YES;
		case PGTLS_OUTCOME_ENCRYPTED_UNVERIFIED:
			return mode == PGTLS_DECOY_NO_TLS ? PGTLS_TRI_NO : PGTLS_TRI_YES;
		case PGTLS_OUTCOME_VERIFIES_CA:
			return mode == PGTLS_DECOY_WRONG_NAME ? PGTLS_TRI_YES : PGTLS_TRI_NO;
		case PGTLS_OUTCOME_VERIFIES_FULL:
			return PGTLS_TRI_NO;
		default:
			return PGTLS_TRI_UNKNOWN;
	}
}

bool
pgtls__rules_decoy_unverified(unsigned codes, pgtls_decoy_mode mode)
{
	return (codes & BIT(PGTLS_DECOY_ACCEPTED_CERT)) &&
	       (mode == PGTLS_DECOY_FORGED || mode == PGTLS_DECOY_UNTRUSTED_CA || mode == PGTLS_DECOY_EXPIRED);
}
