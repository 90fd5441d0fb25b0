/*-------------------------------------------------------------------------
 *
 * rules.c
 *	  The one decision function over typed facts (see rules.h).
 *
 * IDENTIFICATION
 *	  lib/rules/rules.c
 *
 * NOTES
 *	  The libpq rules follow PostgreSQL 15-17 fe-connect.c (PQconnectPoll,
 *	  connectOptions2) and fe-secure-openssl.c (initialize_SSL,
 *	  open_client_SSL):
 *	  - sslrootcert=system (libpq 16+) refuses every sslmode but
 *	    verify-full, before anything is sent;
 *	  - disable: startup without TLS; allow: without TLS first, with TLS
 *	    when the server rejects that (not when it refuses TLS);
 *	  - the root file is looked at only once the server answered 'S'; if
 *	    it exists, every TLS sslmode verifies the chain, even require and
 *	    prefer; verify-* fail when it does not exist;
 *	  - prefer retries without TLS after any failure of the TLS attempt
 *	    except a protocol violation before the S/N answer;
 *	  - direct TLS (libpq 17) refuses allow and prefer;
 *	  - a client certificate or key that cannot be used fails the TLS
 *	    attempt after the root file checks (prefer then goes on without).
 *	  Other drivers differ by the flags of their row in drivers.c.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "rules/rules.h"

static void
add_error(pgtls_outcome *o, pgtls_failure why)
{
	if (why != PGTLS_FAIL_NONE && o->nerrors < PGTLS_MAX_ATTEMPT_ERRORS)
		o->errors[o->nerrors++] = why;
}

/* One attempt's result, before it is merged into the outcome. */
typedef struct attempt
{
	pgtls_result result;
	bool encrypted;
	pgtls_verified verified;
	pgtls_failure why;
} attempt;

static attempt
failed(pgtls_result result, pgtls_failure why)
{
	attempt a = {result, false, PGTLS_VERIFIED_NONE, why};

	return a;
}

static attempt
plain_attempt(const pgtls_facts *f)
{
	attempt a = {PGTLS_RESULT_CONNECTS, false, PGTLS_VERIFIED_NONE, PGTLS_FAIL_NONE};

	if (f->plain_startup == PGTLS_STARTUP_REJECTED)
		return failed(PGTLS_RESULT_FAILS, PGTLS_FAIL_REJECTED_PLAIN);
	if (f->plain_startup == PGTLS_STARTUP_UNKNOWN)
		return failed(PGTLS_RESULT_UNKNOWN, PGTLS_FAIL_NO_REPLY_PLAIN);
	return a;
}

static bool
root_exists(const pgtls_facts *f)
{
	return f->root == PGTLS_ROOT_LOADED || f->root == PGTLS_ROOT_UNREADABLE;
}

/* Does an attempt in MODE read the trust anchors and verify the chain? */
static bool
verifies_chain(const pgtls_driver_rules *d, const pgtls_facts *f, pgtls_sslmode mode)
{
	bool upgrade;

	if (f->trust == PGTLS_TRUST_DISABLED)
		return false;
	/*
	 * A JSSE trust manager (pgjdbc DefaultJavaSSLFactory) checks the chain in
	 * the handshake whatever the sslmode; sslmode decides the host name check
	 * only (pgjdbc MakeSSL.convert).
	 */
	if (mode >= PGTLS_SSLMODE_VERIFY_CA || f->trust == PGTLS_TRUST_JVM || d->verify_in_every_mode)
		return true;
	/* weaker modes verify only when an existing root file upgrades them (libpq) */
	if (f->trust != PGTLS_TRUST_FILE || !root_exists(f))
		return false;
	if (d->root_upgrade_explicit && !f->root_explicit)
		return false;
	upgrade = mode == PGTLS_SSLMODE_REQUIRE ? d->root_upgrades_require : d->root_upgrades_prefer;
	return upgrade;
}

/* The TLS attempt in MODE (open_client_SSL and what follows). */
static attempt
tls_attempt(const pgtls_driver_rules *d, const pgtls_facts *f, pgtls_sslmode mode)
{
	attempt a = {PGTLS_RESULT_CONNECTS, true, PGTLS_VERIFIED_NONE, PGTLS_FAIL_NONE};
	bool verify = verifies_chain(d, f, mode);
	/*
	 * the host name is checked in verify-full (or every mode, or with every
	 * chain check, as the row says); a custom check may accept anything: the
	 * driver's own is not made (pgjdbc MakeSSL); pgjdbc checks the name in
	 * verify-full even when its factory does not check the chain
	 * (NonValidatingFactory)
	 */
	bool host_check =
	    (verify || d->host_check_any_trust) &&
	    (mode == PGTLS_SSLMODE_VERIFY_FULL || d->verify_in_every_mode || (verify && d->verify_checks_host)) &&
	    !f->custom_host_check;

	if (f->tls == PGTLS_TLS_UNREACHABLE)
		return failed(PGTLS_RESULT_UNKNOWN, PGTLS_FAIL_NETWORK);
	if (f->tls == PGTLS_TLS_HOSTILE)
		return failed(PGTLS_RESULT_FAILS, PGTLS_FAIL_PROTOCOL);
	if (f->tls == PGTLS_TLS_REFUSED)
		return failed(PGTLS_RESULT_FAILS, PGTLS_FAIL_NO_SSL_SUPPORT);
	/* initialize_SSL(): the root file matters only now that TLS is on */
	if (f->trust == PGTLS_TRUST_FILE)
	{
		if (f->root == PGTLS_ROOT_UNREADABLE && verify)
			return failed(PGTLS_RESULT_FAILS, PGTLS_FAIL_ROOT_UNREADABLE);
		if (!root_exists(f) && (mode >= PGTLS_SSLMODE_VERIFY_CA || (verify && d->verify_in_every_mode)))
			return failed(PGTLS_RESULT_FAILS,
			              f->root == PGTLS_ROOT_NO_HOME ? PGTLS_FAIL_NO_HOME : PGTLS_FAIL_ROOT_MISSING);
	}
	/* initialize_SSL() reads the client certificate and key after the root file */
	if (f->client_cert_failed)
		return failed(PGTLS_RESULT_FAILS, PGTLS_FAIL_CLIENT_CERT);
	if (f->tls != PGTLS_TLS_ESTABLISHED)
		return failed(PGTLS_RESULT_FAILS, PGTLS_FAIL_HANDSHAKE);
	if (verify && f->chain_verifies == PGTLS_TRI_UNKNOWN)
		return failed(PGTLS_RESULT_UNKNOWN, PGTLS_FAIL_CHAIN_UNKNOWN);
	if (host_check && d->host_error_first && f->host_matches == PGTLS_TRI_NO)
		return failed(PGTLS_RESULT_FAILS, PGTLS_FAIL_HOSTNAME);
	if (verify && f->chain_verifies == PGTLS_TRI_NO)
		return failed(PGTLS_RESULT_FAILS, PGTLS_FAIL_CHAIN);
	if (host_check && f->host_matches != PGTLS_TRI_YES)
		return failed(f->host_matches == PGTLS_TRI_UNKNOWN ? PGTLS_RESULT_UNKNOWN : PGTLS_RESULT_FAILS,
		              PGTLS_FAIL_HOSTNAME);
	if (f->tls_startup == PGTLS_STARTUP_REJECTED)
		return failed(PGTLS_RESULT_FAILS, PGTLS_FAIL_REJECTED_TLS);
	if (f->tls_startup == PGTLS_STARTUP_UNKNOWN)
		return failed(f->tls_startup_broken ? PGTLS_RESULT_FAILS : PGTLS_RESULT_UNKNOWN, PGTLS_FAIL_NO_REPLY_TLS);
	if (verify)
		a.verified = host_check ? PGTLS_VERIFIED_FULL : PGTLS_VERIFIED_CA;
	return a;
}

static void
finish(pgtls_outcome *o, const attempt *a)
{
	o->result = a->result;
	o->encrypted = a->result == PGTLS_RESULT_CONNECTS && a->encrypted;
	o->verified = a->result == PGTLS_RESULT_CONNECTS ? a->verified : PGTLS_VERIFIED_NONE;
}

/* The sslmode the driver really applies (node-postgres reads weak modes as verify-full). */
static pgtls_sslmode
effective_mode(const pgtls_driver_rules *d, const pgtls_facts *f)
{
	if (d->weak_modes_verify_full && f->trust != PGTLS_TRUST_DISABLED && f->sslmode > PGTLS_SSLMODE_DISABLE &&
	    f->sslmode < PGTLS_SSLMODE_VERIFY_FULL)
		return PGTLS_SSLMODE_VERIFY_FULL;
	return f->sslmode;
}

static void
decide_direct(const pgtls_driver_rules *d, const pgtls_facts *f, pgtls_sslmode mode, pgtls_outcome *o)
{
	attempt a;

	if (mode == PGTLS_SSLMODE_DISABLE)
		a = plain_attempt(f);
	else if (mode == PGTLS_SSLMODE_ALLOW || mode == PGTLS_SSLMODE_PREFER)
		a = failed(PGTLS_RESULT_FAILS, PGTLS_FAIL_WEAK_DIRECT);
	else
		a = tls_attempt(d, f, mode);
	add_error(o, a.why);
	finish(o, &a);
}

void
pgtls__rules_decide(const pgtls_facts *f, pgtls_outcome *o)
{
	const pgtls_driver_rules *d = pgtls__driver_rules(f->driver);
	pgtls_sslmode mode = effective_mode(d, f);
	attempt a, b;

	memset(o, 0, sizeof(*o));
	if (mode < PGTLS_SSLMODE_DISABLE || mode >= PGTLS_SSLMODE_INVALID || (d->unsupported_modes & (1u << mode)))
	{
		a = failed(PGTLS_RESULT_FAILS, PGTLS_FAIL_INVALID_SSLMODE);
		goto single;
	}
	/* connectOptions2(): checked before anything is sent */
	if (f->trust == PGTLS_TRUST_SYSTEM && d->system_verify_full_only && mode != PGTLS_SSLMODE_VERIFY_FULL)
	{
		a = failed(PGTLS_RESULT_FAILS, PGTLS_FAIL_WEAK_SYSTEM);
		goto single;
	}
	if (f->negotiation == PGTLS_NEG_DIRECT)
	{
		decide_direct(d, f, mode, o);
		return;
	}
	if (mode == PGTLS_SSLMODE_DISABLE)
	{
		a = plain_attempt(f);
		goto single;
	}
	if (mode == PGTLS_SSLMODE_ALLOW)
	{
		a = plain_attempt(f);
		if (a.result != PGTLS_RESULT_FAILS)
			goto single;
		add_error(o, a.why);
		if (f->tls == PGTLS_TLS_REFUSED)
		{
			/* libpq goes on without TLS and gets the same rejection */
			goto single;
		}
		b = tls_attempt(d, f, mode);
		add_error(o, b.why);
		finish(o, &b);
		return;
	}
	if (f->tls == PGTLS_TLS_REFUSED)
	{
		a = mode == PGTLS_SSLMODE_PREFER ? plain_attempt(f) : failed(PGTLS_RESULT_FAILS, PGTLS_FAIL_NO_SSL_SUPPORT);
		goto single;
	}
	a = tls_attempt(d, f, mode);
	/*
	 * prefer: a failure of the TLS attempt or the server's rejection over TLS
	 * -> silent retry without TLS; not a connection that broke after the
	 * handshake (TLS 1.3 client certificate refused by an alert): libpq
	 * reports that read error and stops.  tokio-postgres (Prisma) never
	 * retries: only an N answer leads to plaintext.  pgjdbc retries after
	 * the server's rejection over TLS only (an SQLException with SQLSTATE
	 * 28000); a failed handshake is an IOException it throws.
	 */
	if (mode == PGTLS_SSLMODE_PREFER && a.result == PGTLS_RESULT_FAILS && f->tls != PGTLS_TLS_HOSTILE &&
	    a.why != PGTLS_FAIL_NO_REPLY_TLS && !d->prefer_no_retry &&
	    (!d->prefer_retry_rejected_only || a.why == PGTLS_FAIL_REJECTED_TLS))
	{
		add_error(o, a.why);
		b = plain_attempt(f);
		add_error(o, b.why);
		finish(o, &b);
		o->fell_back = b.result == PGTLS_RESULT_CONNECTS;
		return;
	}
single:
	add_error(o, a.why);
	finish(o, &a);
}

/* F with the server replaced by a hypothetical one. */
static pgtls_outcome
against(const pgtls_facts *client, pgtls_tls_state tls, pgtls_startup plain, pgtls_tri chain, pgtls_tri host)
{
	pgtls_facts f = *client;
	pgtls_outcome o;

	f.negotiation = PGTLS_NEG_POSTGRES;
	f.tls = tls;
	f.tls_startup = PGTLS_STARTUP_ACCEPTED;
	f.plain_startup = plain;
	f.chain_verifies = chain;
	f.host_matches = host;
	pgtls__rules_decide(&f, &o);
	return o;
}

static bool
connects(const pgtls_outcome *o)
{
	return o->result == PGTLS_RESULT_CONNECTS;
}

pgtls_client_outcome
pgtls__rules_classify(const pgtls_facts *f, pgtls_verified *verifies_when_tls, pgtls_failure *failure)
{
	/* an honest server that accepts both; one that refuses TLS; one that requires it */
	pgtls_outcome honest = against(f, PGTLS_TLS_ESTABLISHED, PGTLS_STARTUP_ACCEPTED, PGTLS_TRI_YES, PGTLS_TRI_YES);
	pgtls_outcome no_tls = against(f, PGTLS_TLS_REFUSED, PGTLS_STARTUP_ACCEPTED, PGTLS_TRI_YES, PGTLS_TRI_YES);
	pgtls_outcome tls_only = against(f, PGTLS_TLS_ESTABLISHED, PGTLS_STARTUP_REJECTED, PGTLS_TRI_YES, PGTLS_TRI_YES);
	/* impostors, TLS only so that no fallback hides them */
	pgtls_outcome forged = against(f, PGTLS_TLS_ESTABLISHED, PGTLS_STARTUP_REJECTED, PGTLS_TRI_NO, PGTLS_TRI_NO);
	pgtls_outcome renamed = against(f, PGTLS_TLS_ESTABLISHED, PGTLS_STARTUP_REJECTED, PGTLS_TRI_YES, PGTLS_TRI_NO);
	/* a forged chain for the right name: caught only by a chain check */
	pgtls_outcome named = against(f, PGTLS_TLS_ESTABLISHED, PGTLS_STARTUP_REJECTED, PGTLS_TRI_NO, PGTLS_TRI_YES);

	*verifies_when_tls = PGTLS_VERIFIED_NONE;
	*failure = PGTLS_FAIL_NONE;
	if (f->sslmode == PGTLS_SSLMODE_INVALID)
	{
		*failure = PGTLS_FAIL_INVALID_SSLMODE;
		return PGTLS_OUTCOME_UNKNOWN;
	}
	if (!connects(&honest) && honest.nerrors > 0)
	{
		pgtls_failure why = honest.errors[honest.nerrors - 1];
		const pgtls_driver_rules *d = pgtls__driver_rules(f->driver);
		pgtls_sslmode mode = effective_mode(d, f);

		*failure = why;
		if (why != PGTLS_FAIL_ROOT_MISSING && why != PGTLS_FAIL_NO_HOME && why != PGTLS_FAIL_ROOT_UNREADABLE)
			return PGTLS_OUTCOME_FAILS;
		/* the root file is missing where the scan ran: report what the settings ask for */
		*verifies_when_tls = (mode == PGTLS_SSLMODE_VERIFY_FULL || d->verify_in_every_mode) && !f->custom_host_check
		                         ? PGTLS_VERIFIED_FULL
		                         : PGTLS_VERIFIED_CA;
		/* a prefer that verifies (Prisma sslaccept=strict) still goes on in plaintext on an N answer */
		if (mode < PGTLS_SSLMODE_REQUIRE)
			return PGTLS_OUTCOME_OPPORTUNISTIC;
		return *verifies_when_tls == PGTLS_VERIFIED_FULL ? PGTLS_OUTCOME_VERIFIES_FULL : PGTLS_OUTCOME_VERIFIES_CA;
	}
	if (connects(&honest) && !honest.encrypted)
		return connects(&tls_only) && tls_only.encrypted ? PGTLS_OUTCOME_OPPORTUNISTIC : PGTLS_OUTCOME_NO_TLS;
	if (connects(&tls_only))
		*verifies_when_tls = tls_only.verified;
	if (connects(&no_tls) && !no_tls.encrypted)
		return PGTLS_OUTCOME_OPPORTUNISTIC;
	if (connects(&forged) || connects(&named))
		return PGTLS_OUTCOME_ENCRYPTED_UNVERIFIED;
	if (connects(&renamed))
		return PGTLS_OUTCOME_VERIFIES_CA;
	return PGTLS_OUTCOME_VERIFIES_FULL;
}
