/*-------------------------------------------------------------------------
 *
 * verdict.c
 *	  From what the connections saw, the facts for the rules engine, the
 *	  verdict of each sslmode with libpq's error texts, and the findings.
 *
 * IDENTIFICATION
 *	  lib/probe/verdict.c
 *
 * NOTES
 *	  What each sslmode does is decided by pgtls__rules_decide()
 *	  (lib/rules); this file only turns connections into typed facts and
 *	  typed failures into libpq's words, one text per failed attempt.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>
#include <openssl/sslerr.h>
#include <openssl/x509.h>

#include "probe/probe_int.h"

static void finding(pgtls_probe *p, pgtls_severity sev, const char *code, const char *fmt, ...) PGTLS_PRINTF(4, 5);

static void
finding(pgtls_probe *p, pgtls_severity sev, const char *code, const char *fmt, ...)
{
	/* precedence: CRITICAL > UNKNOWN > WARNING > OK */
	static const int rank[] = {0, 1, 3, 2};
	probe_finding *grown = realloc(p->findings, (size_t)(p->nfindings + 1) * sizeof(*grown));
	va_list ap;

	if (grown == NULL)
	{
		/* cannot record it: the status must still not read better than it is */
		p->status = PGTLS_SEV_UNKNOWN;
		return;
	}
	p->findings = grown;
	grown[p->nfindings].severity = sev;
	grown[p->nfindings].code = code;
	va_start(ap, fmt);
	vsnprintf(grown[p->nfindings].message, sizeof(grown[p->nfindings].message), fmt, ap);
	va_end(ap);
	p->nfindings++;
	if (rank[sev] > rank[p->status])
		p->status = sev;
}

/* ---- facts ---- */

pgtls_tls_state
pgtls__probe_tls_state(pgtls_conn *c)
{
	pgtls_err err = pgtls_conn_errcode(c);

	if (err == PGTLS_ERR_IO || err == PGTLS_ERR_TIMEOUT || err == PGTLS_ERR_OOM)
		return PGTLS_TLS_UNREACHABLE;
	/* no valid S/N answer (or direct TLS broken before the handshake): hostile, no fallback */
	if (err == PGTLS_ERR_PROTOCOL && !pgtls__conn_tls_done(c) && pgtls__conn_sslresp(c) == 0)
		return PGTLS_TLS_HOSTILE;
	if (pgtls__conn_sslresp(c) == 'N')
		return PGTLS_TLS_REFUSED;
	return pgtls__conn_tls_done(c) ? PGTLS_TLS_ESTABLISHED : PGTLS_TLS_FAILED;
}

/* libpq (psql) against this server over connection TLSCONN. */
static void
probe_facts(const pgtls_probe *p, pgtls_conn *tlsconn, pgtls_negotiation neg, pgtls_facts *f)
{
	const rootcert_eval *rc = &p->rc;

	memset(f, 0, sizeof(*f));
	f->driver = p->driver;
	f->negotiation = neg;
	f->root_explicit = strcmp(rc->source, "default") != 0;
	if (p->driver == PGTLS_DRIVER_PGJDBC && p->nonvalidating)
		f->trust = PGTLS_TRUST_DISABLED; /* NonValidatingFactory: the chain is never checked */
	else if (p->driver == PGTLS_DRIVER_PGJDBC && rc->alt_loaded &&
	         (strcmp(rc->format, "jks") == 0 || strcmp(rc->format, "pkcs12") == 0 || strcmp(rc->format, "jceks") == 0))
		f->trust = PGTLS_TRUST_JVM; /* a Java trust store: DefaultJavaSSLFactory with javax.net.ssl.trustStore */
	else if (p->driver == PGTLS_DRIVER_PGJDBC)
	{
		/* LibPQFactory reads sslrootcert as PEM or DER (CertificateFactory) */
		f->trust = PGTLS_TRUST_FILE;
		f->root = rc->path[0] == '\0'                                                  ? PGTLS_ROOT_NO_HOME
		          : !rc->exists                                                        ? PGTLS_ROOT_MISSING
		          : (rc->loaded || (rc->alt_loaded && strcmp(rc->format, "der") == 0)) ? PGTLS_ROOT_LOADED
		                                                                               : PGTLS_ROOT_UNREADABLE;
	}
	else if (rc->system)
		f->trust = PGTLS_TRUST_SYSTEM;
	else
	{
		f->trust = PGTLS_TRUST_FILE;
		if (rc->path[0] == '\0')
			f->root = PGTLS_ROOT_NO_HOME;
		else if (!rc->exists)
			f->root = PGTLS_ROOT_MISSING;
		else
			f->root = rc->loaded ? PGTLS_ROOT_LOADED : PGTLS_ROOT_UNREADABLE;
	}
	f->tls = pgtls__probe_tls_state(tlsconn);
	f->tls_startup = pgtls_conn_startup(tlsconn);
	{
		const char *m;

		f->tls_startup_broken = f->tls == PGTLS_TLS_ESTABLISHED && f->tls_startup == PGTLS_STARTUP_UNKNOWN &&
		                        pgtls__conn_reply_err(tlsconn, &m) == PGTLS_ERR_TLS;
	}
	f->plain_startup = pgtls_conn_startup(p->plain);
	f->client_cert_failed = p->cc.error[0] != '\0';
	f->chain_verifies = rc->verified ? PGTLS_TRI_YES : PGTLS_TRI_NO;
	f->host_matches = p->host_rc == 1 ? PGTLS_TRI_YES : PGTLS_TRI_NO;
}

/* ---- libpq's words for a typed failure ---- */

static void
reply_text(pgtls_conn *c, char *out, size_t outlen)
{
	const pgtls_reply *r = pgtls__conn_reply(c);
	const char *msg;

	if (r->kind == PGTLS_REPLY_ERROR)
		snprintf(out, outlen, "%s:  %s", r->severity[0] ? r->severity : "FATAL", r->message);
	else if (pgtls__conn_reply_err(c, &msg) != PGTLS_OK)
		snprintf(out, outlen, "%s", msg);
	else
		snprintf(out, outlen, "no reply to the startup message");
}

/* open_client_SSL(): libpq's error, and its second line for protocol-version failures */
static void
handshake_text(const pgtls_probe *p, pgtls_conn *tlsconn, char *out, size_t outlen)
{
	if (pgtls_conn_errcode(tlsconn) == PGTLS_OK)
	{
		snprintf(out, outlen, "TLS handshake did not complete");
		return;
	}
	switch (pgtls__conn_handshake_reason(tlsconn))
	{
		case SSL_R_NO_PROTOCOLS_AVAILABLE:
		case SSL_R_UNSUPPORTED_PROTOCOL:
		case SSL_R_BAD_PROTOCOL_VERSION_NUMBER:
		case SSL_R_UNKNOWN_PROTOCOL:
		case SSL_R_UNKNOWN_SSL_VERSION:
		case SSL_R_UNSUPPORTED_SSL_VERSION:
		case SSL_R_WRONG_SSL_VERSION:
		case SSL_R_WRONG_VERSION_NUMBER:
		case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
		case SSL_R_VERSION_TOO_HIGH:
		case SSL_R_VERSION_TOO_LOW:
			/* conn->ssl_min_protocol_version holds its compiled default TLSv1.2; no max means TLSv1.3 */
			snprintf(out, outlen,
			         "%s\nThis may indicate that the server does not support any SSL protocol version between %s and "
			         "%s.",
			         pgtls_conn_errmsg(tlsconn), p->ssl_min ? p->ssl_min : "TLSv1",
			         p->ssl_max ? p->ssl_max : "TLSv1.3");
			break;
		default:
			snprintf(out, outlen, "%s", pgtls_conn_errmsg(tlsconn));
			break;
	}
}

/* pgjdbc's words (PSQLException messages of pgjdbc 42) for the failures that differ from libpq's; false if none */
static bool
pgjdbc_text(const pgtls_probe *p, pgtls_conn *tlsconn, pgtls_failure why, char *out, size_t outlen)
{
	const pgtls_reply *r;

	switch (why)
	{
		case PGTLS_FAIL_CHAIN:
			/* the JDK's EndEntityChecker: an extended key usage without serverAuth */
			if (p->rc.verify_code == X509_V_ERR_INVALID_PURPOSE)
				snprintf(out, outlen, "%s", pgtls__driver_rules(p->driver)->err_purpose);
			else
				snprintf(out, outlen,
				         "SSL error: PKIX path building failed: "
				         "sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid "
				         "certification path to requested target");
			return true;
		case PGTLS_FAIL_HOSTNAME:
			snprintf(out, outlen, "The hostname %s could not be verified by hostnameverifier PgjdbcHostnameVerifier.",
			         p->checked);
			return true;
		case PGTLS_FAIL_NO_SSL_SUPPORT:
			snprintf(out, outlen, "The server does not support SSL.");
			return true;
		case PGTLS_FAIL_ROOT_MISSING:
		case PGTLS_FAIL_NO_HOME:
			snprintf(out, outlen, "Could not open SSL root certificate file %s.", p->rc.path);
			return true;
		case PGTLS_FAIL_REJECTED_PLAIN:
		case PGTLS_FAIL_REJECTED_TLS:
			r = pgtls__conn_reply(why == PGTLS_FAIL_REJECTED_PLAIN ? p->plain : tlsconn);
			if (r->kind != PGTLS_REPLY_ERROR)
				return false;
			snprintf(out, outlen, "%s: %s", r->severity[0] ? r->severity : "FATAL", r->message);
			return true;
		default:
			return false;
	}
}

/* a driver that is not libpq underneath: the words of its row (docs/drivers.md), "..." where they vary; false if none */
static bool
row_text(const pgtls_probe *p, pgtls_failure why, char *out, size_t outlen)
{
	const pgtls_driver_rules *d = pgtls__driver_rules(p->driver);
	const char *t = pgtls__driver_error(d, why);

	if (why == PGTLS_FAIL_CHAIN && p->rc.verify_code == X509_V_ERR_INVALID_PURPOSE && d->err_purpose)
		t = d->err_purpose;
	if (p->driver == PGTLS_DRIVER_LIBPQ || p->driver == PGTLS_DRIVER_PSYCOPG || t == NULL)
		return false;
	snprintf(out, outlen, "%s", t);
	return true;
}

static void
failure_text(const pgtls_probe *p, pgtls_conn *tlsconn, pgtls_sslmode mode, pgtls_failure why, char *out, size_t outlen)
{
	const rootcert_eval *rc = &p->rc;

	if (p->driver == PGTLS_DRIVER_PGJDBC && pgjdbc_text(p, tlsconn, why, out, outlen))
		return;
	if (p->driver != PGTLS_DRIVER_PGJDBC && row_text(p, why, out, outlen))
		return;

	switch (why)
	{
		case PGTLS_FAIL_NONE:
		case PGTLS_FAIL_BAD_SETTING: /* clients only: a probe's settings are libpq's */
			out[0] = '\0';
			break;
		case PGTLS_FAIL_NETWORK:
		case PGTLS_FAIL_PROTOCOL:
			snprintf(out, outlen, "%s", pgtls_conn_errmsg(tlsconn));
			break;
		case PGTLS_FAIL_HANDSHAKE:
			handshake_text(p, tlsconn, out, outlen);
			break;
		case PGTLS_FAIL_CLIENT_CERT:
			snprintf(out, outlen, "%s", p->cc.error);
			break;
		case PGTLS_FAIL_NO_SSL_SUPPORT:
			snprintf(out, outlen, "server does not support SSL, but SSL was required");
			break;
		case PGTLS_FAIL_ROOT_MISSING:
			snprintf(out, outlen,
			         "root certificate file \"%s\" does not exist\n"
			         "Either provide the file or change sslmode to disable server certificate verification.",
			         rc->path);
			break;
		case PGTLS_FAIL_NO_HOME:
			snprintf(out, outlen,
			         "could not get home directory to locate root certificate file\n"
			         "Either provide the file or change sslmode to disable server certificate verification.");
			break;
		case PGTLS_FAIL_ROOT_UNREADABLE:
			snprintf(out, outlen, "%s",
			         rc->load_error[0] ? rc->load_error : "root certificate store could not be loaded");
			break;
		case PGTLS_FAIL_CHAIN:
		case PGTLS_FAIL_CHAIN_UNKNOWN:
			snprintf(out, outlen, "SSL error: certificate verify failed");
			break;
		case PGTLS_FAIL_HOSTNAME:
			snprintf(out, outlen, "%s", p->host_msg);
			break;
		case PGTLS_FAIL_WEAK_SYSTEM:
			snprintf(out, outlen, "weak sslmode \"%s\" may not be used with sslrootcert=system (use \"verify-full\")",
			         pgtls_sslmode_name(mode));
			break;
		case PGTLS_FAIL_WEAK_DIRECT:
			snprintf(out, outlen,
			         "weak sslmode \"%s\" may not be used with sslnegotiation=direct (use \"require\", \"verify-ca\", "
			         "or \"verify-full\")",
			         pgtls_sslmode_name(mode));
			break;
		case PGTLS_FAIL_REJECTED_PLAIN:
		case PGTLS_FAIL_NO_REPLY_PLAIN:
			reply_text(p->plain, out, outlen);
			break;
		case PGTLS_FAIL_REJECTED_TLS:
		case PGTLS_FAIL_NO_REPLY_TLS:
			reply_text(tlsconn, out, outlen);
			break;
		case PGTLS_FAIL_INVALID_SSLMODE:
		case PGTLS_FAIL_COUNT:
			snprintf(out, outlen, "invalid sslmode value: \"%s\"", pgtls_sslmode_name(mode));
			break;
	}
}

static void
add_verdict(pgtls_probe *p, pgtls_conn *tlsconn, pgtls_negotiation neg, pgtls_sslmode mode)
{
	struct pgtls_verdict *v = &p->verdicts[p->nverdicts++];
	pgtls_facts f;

	probe_facts(p, tlsconn, neg, &f);
	f.sslmode = mode;
	memset(v, 0, sizeof(*v));
	v->negotiation = neg;
	v->sslmode = mode;
	pgtls__rules_decide(&f, &v->outcome);
	for (int i = 0; i < v->outcome.nerrors; i++)
		failure_text(p, tlsconn, mode, v->outcome.errors[i], v->errors[i], sizeof(v->errors[i]));
}

/* ---- findings ---- */

/* about the certificates themselves, independent of any root file */
static void
chain_findings(pgtls_probe *p)
{
	for (int i = 0; i < p->nchain; i++)
	{
		const pgtls_cert *c = p->chain[i];
		const char *what = i == 0 ? "server certificate" : "chain certificate";

		if (c->not_yet_valid)
			finding(p, PGTLS_SEV_CRITICAL, "cert_not_yet_valid", "%s \"%s\" is not valid yet", what, c->subject);
		if (c->has_days_left && c->days_left < 0)
			finding(p, PGTLS_SEV_CRITICAL, "cert_expired", "%s \"%s\" expired %d day%s ago", what, c->subject,
			        -c->days_left, c->days_left == -1 ? "" : "s");
		else if (c->has_days_left && c->days_left < p->warn_days)
			finding(p, PGTLS_SEV_WARNING, "cert_expires_soon",
			        "%s \"%s\" expires in %d day%s (warning horizon %d days)", what, c->subject, c->days_left,
			        c->days_left == 1 ? "" : "s", p->warn_days);
		if (i == 0)
		{
			int sig = X509_get_signature_nid(c->x509);

			if (strcmp(c->key_type, "RSA") == 0 && c->key_bits < 2048)
				finding(p, PGTLS_SEV_WARNING, "weak_key", "server key is RSA %d bits (< 2048)", c->key_bits);
			if (sig == NID_sha1WithRSAEncryption || sig == NID_ecdsa_with_SHA1 || sig == NID_md5WithRSAEncryption)
				finding(p, PGTLS_SEV_WARNING, "weak_signature", "server certificate is signed with %s", c->sigalg);
		}
	}
}

static void
negotiation_findings(pgtls_probe *p)
{
	pgtls_conn *main = p->pconn ? p->pconn : p->dconn;
	pgtls_tls_state st = pgtls__probe_tls_state(main);

	if (st == PGTLS_TLS_UNREACHABLE)
		finding(p, PGTLS_SEV_UNKNOWN, "unreachable", "cannot probe the server: %s", pgtls_conn_errmsg(main));
	else if (pgtls_conn_errcode(main) == PGTLS_ERR_PROTOCOL && !pgtls__conn_tls_done(main)) /* hostile, or after S */
		finding(p, PGTLS_SEV_CRITICAL, "tls_negotiation_failed", "TLS negotiation failed: %s", pgtls_conn_errmsg(main));
	else if (main == p->pconn && st == PGTLS_TLS_REFUSED)
		finding(p, PGTLS_SEV_CRITICAL, "no_tls",
		        "server does not support TLS (it answered 'N' to SSLRequest: ssl = off)");
	else if (pgtls_conn_errcode(main) == PGTLS_ERR_TLS)
		finding(p, PGTLS_SEV_CRITICAL, "handshake_failed", "TLS handshake failed: %s", pgtls_conn_errmsg(main));
	if (p->dconn && p->pconn)
	{
		if (pgtls_conn_errcode(p->dconn) == PGTLS_OK && pgtls__conn_tls_done(p->dconn))
			finding(p, PGTLS_SEV_OK, "direct_tls_supported", "direct TLS (PostgreSQL 17+, ALPN \"%s\") is supported",
			        pgtls__conn_alpn(p->dconn));
		else
			finding(p, PGTLS_SEV_OK, "direct_tls_unsupported", "direct TLS is not supported: %s",
			        pgtls_conn_errmsg(p->dconn));
	}
}

static void
trust_findings(pgtls_probe *p)
{
	const rootcert_eval *rc = &p->rc;
	const char *against = rc->system ? "the system trust store" : rc->path;

	if (p->nchain == 0)
		return;
	if (!rc->exists)
	{
		finding(p, PGTLS_SEV_WARNING, "no_rootcert",
		        "no root certificate (%s): clients cannot verify this server; verify-ca and verify-full would fail",
		        rc->path[0] ? rc->path : "no home directory");
		return;
	}
	if (!rc->loaded && rc->alt_loaded)
		finding(p, PGTLS_SEV_WARNING, "rootcert_not_libpq",
		        "libpq cannot read this %s root store (%s); its certificates were used to verify the chain, as a Java "
		        "client would",
		        rc->format, rc->load_error);
	else if (!rc->loaded)
		finding(p, PGTLS_SEV_WARNING, "rootcert_unreadable", "%s%s%s", rc->load_error, rc->alt_error[0] ? "; " : "",
		        rc->alt_error);
	if (!rc->loaded && !rc->alt_loaded)
		return;
	if (!rc->verified)
		finding(p, PGTLS_SEV_CRITICAL, "chain_invalid", "certificate chain does not verify against %s: %s%s%s%s",
		        against, rc->verify_reason, rc->verify_hint[0] ? " (" : "", rc->verify_hint,
		        rc->verify_hint[0] ? ")" : "");
	else
		finding(p, PGTLS_SEV_OK, "chain_valid", "certificate chain verifies against %s", against);
}

static void
plaintext_finding(pgtls_probe *p)
{
	const pgtls_reply *pr = pgtls__conn_reply(p->plain);
	const char *user = pgtls__probe_user(p), *db = pgtls__probe_plain_dbname(p);

	if (pr->kind == PGTLS_REPLY_AUTH)
		finding(p, PGTLS_SEV_WARNING, "plaintext_accepted",
		        "server accepts unencrypted connections for user \"%s\" database \"%s\" (TLS not enforced; auth "
		        "method %s)",
		        user, db, pgtls__auth_name(pr->auth_code));
	else if (pr->kind == PGTLS_REPLY_ERROR)
		finding(p, PGTLS_SEV_OK, "plaintext_rejected",
		        "server rejects unencrypted connections for user \"%s\" database \"%s\": %s", user, db, pr->message);
	else
	{
		const char *m;

		(void)pgtls__conn_reply_err(p->plain, &m);
		finding(p, PGTLS_SEV_WARNING, "plaintext_unknown",
		        "could not tell whether unencrypted connections are accepted: %s", m);
	}
}

/* Can an encrypted connection be made at all?  TLS refused for the user, client certificate, no mode left. */
static void
tls_access_findings(pgtls_probe *p)
{
	pgtls_conn *main = p->pconn ? p->pconn : p->dconn;
	const pgtls_reply *r = pgtls__conn_reply(main);
	const struct pgtls_verdict *req = NULL;
	bool any = false;

	if (p->cc.error[0])
		finding(p, PGTLS_SEV_WARNING, "client_cert_unusable", "libpq cannot use the client certificate: %s%s",
		        p->cc.error,
		        p->cc.key_encrypted_no_password
		            ? " (the key is encrypted and no sslpassword is set: libpq would ask for it on the terminal)"
		            : "");
	else if (p->cc.presented)
		finding(p, PGTLS_SEV_OK, "client_cert_presented",
		        "client certificate \"%s\" (%s) is presented when the server asks for one", p->cc.subject,
		        p->cc.cert_path);
	if (pgtls__probe_tls_state(main) != PGTLS_TLS_ESTABLISHED)
		return; /* refused, hostile, failed or unreachable: reported by negotiation_findings() */
	if (r->kind == PGTLS_REPLY_ERROR)
		finding(p, PGTLS_SEV_CRITICAL, "tls_rejected",
		        "server rejects TLS connections for user \"%s\" database \"%s\": %s:  %s", pgtls__probe_user(p),
		        pgtls__probe_dbname(p), r->severity[0] ? r->severity : "FATAL", r->message);
	for (int i = 0; i < p->nverdicts; i++)
	{
		const struct pgtls_verdict *v = &p->verdicts[i];

		any |= v->outcome.result == PGTLS_RESULT_CONNECTS && v->outcome.encrypted;
		if (v->sslmode == PGTLS_SSLMODE_REQUIRE && req == NULL)
			req = v;
	}
	if (!any && r->kind != PGTLS_REPLY_ERROR)
		finding(p, PGTLS_SEV_CRITICAL, "no_encrypted_connection", "no sslmode that encrypts can connect%s%s",
		        req && req->outcome.nerrors ? ": " : "", req && req->outcome.nerrors ? req->errors[0] : "");
}

/* ---- evaluation ---- */

static pgtls_err
capture_chain(pgtls_probe *p, STACK_OF(X509) * chain)
{
	int n = chain ? sk_X509_num(chain) : 0;

	if (n == 0)
		return PGTLS_OK;
	p->chain = calloc((size_t)n, sizeof(*p->chain));
	if (p->chain == NULL)
		return pgtls__seterr(&p->err, PGTLS_ERR_OOM, "out of memory");
	for (int i = 0; i < n; i++)
	{
		p->chain[i] = pgtls__cert_new(sk_X509_value(chain, i));
		if (p->chain[i] == NULL)
			return pgtls__seterr(&p->err, PGTLS_ERR_OOM, "out of memory");
		p->nchain++;
	}
	return PGTLS_OK;
}

pgtls_err
pgtls__probe_evaluate(pgtls_probe *p)
{
	STACK_OF(X509) *chain = NULL;

	for (int i = 0; i < p->nconns; i++)
	{
		if (p->kinds[i] == PGTLS_CONN_SSLREQUEST)
			p->pconn = p->conns[i];
		else if (p->kinds[i] == PGTLS_CONN_DIRECT)
			p->dconn = p->conns[i];
		else
			p->plain = p->conns[i];
	}
	/* the chain: from the SSLRequest handshake, else the direct one */
	if (p->pconn && pgtls__conn_chain(p->pconn))
		chain = pgtls__conn_chain(p->pconn);
	else if (p->dconn && pgtls__conn_chain(p->dconn))
		chain = pgtls__conn_chain(p->dconn);
	if (capture_chain(p, chain) != PGTLS_OK)
		return p->err.code;

	pgtls__probe_eval_rootcert(p, chain);
	snprintf(p->checked, sizeof(p->checked), "%s", pgtls__probe_checked_name(p));
	if (p->nchain > 0)
		p->host_rc = pgtls__host_matches(p->chain[0]->x509, p->checked, p->host_msg, sizeof(p->host_msg));
	else
	{
		p->host_rc = -1;
		snprintf(p->host_msg, sizeof(p->host_msg), "no server certificate was received");
	}

	for (int m = PGTLS_SSLMODE_DISABLE; m < PGTLS_SSLMODE_INVALID; m++)
	{
		if (p->pconn)
			add_verdict(p, p->pconn, PGTLS_NEG_POSTGRES, (pgtls_sslmode)m);
		if (p->dconn)
			add_verdict(p, p->dconn, PGTLS_NEG_DIRECT, (pgtls_sslmode)m);
	}

	p->status = PGTLS_SEV_OK;
	negotiation_findings(p);
	chain_findings(p);
	trust_findings(p);
	if (p->nchain > 0)
	{
		if (p->host_rc == 1)
			finding(p, PGTLS_SEV_OK, "host_matches", "server certificate matches host name \"%s\"", p->checked);
		else
			finding(p, PGTLS_SEV_WARNING, "host_mismatch", "verify-full would fail: %s", p->host_msg);
	}
	plaintext_finding(p);
	tls_access_findings(p);
	p->evaluated = true;
	return PGTLS_OK;
}
