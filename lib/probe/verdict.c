/*-------------------------------------------------------------------------
 *
 * verdict.c
 *	  From what the connections saw, decide what libpq would do in each
 *	  sslmode, and build the probe report.
 *
 * IDENTIFICATION
 *	  lib/probe/verdict.c
 *
 * NOTES
 *	  The rules follow libpq 15-17 (fe-connect.c PQconnectPoll,
 *	  fe-secure-openssl.c initialize_SSL/open_client_SSL):
 *	  - the root certificate file (sslrootcert, PGSSLROOTCERT or
 *	    ~/.postgresql/root.crt) is looked at only after the server said
 *	    'S'; if it exists, every sslmode that uses TLS verifies the chain,
 *	    even require and prefer;
 *	  - verify-ca/verify-full fail when it does not exist;
 *	  - prefer retries without TLS after any TLS failure, and after the
 *	    server rejects the TLS startup; allow starts without TLS and retries
 *	    with TLS when the server rejects the plaintext startup;
 *	  - the host name is checked only in verify-full (names.c);
 *	  - sslrootcert=system (libpq >= 16) uses OpenSSL's default store and
 *	    allows only verify-full.
 *	  Error texts are libpq's, one array element per connection attempt.
 *
 *-------------------------------------------------------------------------
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "probe/probe_int.h"
#include "store/store_int.h"

static const char *const sslmodes[] = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"};

enum
{
	RES_FAILS = 0,
	RES_CONNECTS = 1,
	RES_UNKNOWN = -1
};

typedef struct attempt
{
	int res;
	bool encrypted;
	const char *verified; /* "none", "ca", "full" */
	char err[1024];
} attempt;

typedef struct eval_ctx
{
	pgtls_probe *p;
	pgtls_conn *tlsconn; /* SSLRequest or direct conn being judged */
	pgtls_conn *plain;
	rootcert_eval rc;
	int host_rc; /* 1 match, 0 mismatch, -1 error */
	char host_msg[512];
	json_t *findings;
	int status;
} eval_ctx;

static void finding(eval_ctx *e, int severity, const char *fmt, ...) PGTLS_PRINTF(3, 4);

static void
finding(eval_ctx *e, int severity, const char *fmt, ...)
{
	static const char *const names[] = {"ok", "warning", "critical", "unknown"};
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_array_append_new(e->findings, json_pack("{s:s,s:s}", "severity", names[severity], "message", msg));
	/* precedence: CRITICAL > UNKNOWN > WARNING > OK */
	{
		static const int rank[] = {0, 1, 3, 2};

		if (rank[severity] > rank[e->status])
			e->status = severity;
	}
}

/* ---- root certificate: what libpq would load ---- */

static void
home_dir(const pgtls_probe *p, char *out, size_t outlen)
{
	const char *home = p->home ? p->home : getenv("HOME");

	out[0] = '\0';
	if (home && home[0])
		snprintf(out, outlen, "%s", home);
	else
	{
		struct passwd pw, *res = NULL;
		char buf[4096];

		if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) == 0 && res)
			snprintf(out, outlen, "%s", pw.pw_dir);
	}
}

static void
ssl_reason(char *out, size_t outlen)
{
	unsigned long code = ERR_get_error();
	const char *r = code ? ERR_reason_error_string(code) : NULL;

	if (code == 0)
		snprintf(out, outlen, "no SSL error reported");
	else if (r)
		snprintf(out, outlen, "%s", r);
	else
		snprintf(out, outlen, "SSL error code %lu", code);
	ERR_clear_error();
}

static void
verify_hint(rootcert_eval *rc, X509_STORE_CTX *vctx, STACK_OF(X509) * chain)
{
	X509 *cur = X509_STORE_CTX_get_current_cert(vctx);
	char subj[256], iss[256];

	if (cur == NULL)
		return;
	pgtls__name_str(X509_get_subject_name(cur), subj, sizeof(subj));
	pgtls__name_str(X509_get_issuer_name(cur), iss, sizeof(iss));
	switch (rc->verify_code)
	{
		case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
		case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
			if (sk_X509_num(chain) == 1 && rc->ncerts > 0)
				snprintf(
				    rc->verify_hint, sizeof(rc->verify_hint),
				    "the server sent only its own certificate; its issuer \"%s\" is not in the root certificate file: "
				    "if that is an intermediate CA, the server must send it (append it to ssl_cert_file), "
				    "otherwise the root certificate file lacks this CA",
				    iss);
			else
				snprintf(rc->verify_hint, sizeof(rc->verify_hint),
				         "\"%s\" (issuer of \"%s\") is not in the root certificate file: the file lacks the CA that "
				         "signed the server certificate",
				         iss, subj);
			break;
		case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
			snprintf(rc->verify_hint, sizeof(rc->verify_hint),
			         "the server's chain ends at root \"%s\", which is not in the root certificate file", subj);
			break;
		case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
			snprintf(rc->verify_hint, sizeof(rc->verify_hint),
			         "the server certificate \"%s\" is self-signed and not in the root certificate file", subj);
			break;
		case X509_V_ERR_CERT_HAS_EXPIRED:
			snprintf(rc->verify_hint, sizeof(rc->verify_hint), "certificate \"%s\" has expired", subj);
			break;
		case X509_V_ERR_CERT_NOT_YET_VALID:
			snprintf(rc->verify_hint, sizeof(rc->verify_hint), "certificate \"%s\" is not valid yet", subj);
			break;
		case X509_V_ERR_INVALID_PURPOSE:
			snprintf(rc->verify_hint, sizeof(rc->verify_hint),
			         "certificate \"%s\" may not be used for TLS servers (extended key usage)", subj);
			break;
		default:
			snprintf(rc->verify_hint, sizeof(rc->verify_hint), "at certificate \"%s\"", subj);
			break;
	}
}

static int
count_certs(X509_STORE *store)
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(store);
	int i, n = 0;

	for (i = 0; i < sk_X509_OBJECT_num(objs); i++)
		if (X509_OBJECT_get_type(sk_X509_OBJECT_value(objs, i)) == X509_LU_X509)
			n++;
	return n;
}

/* Loads a root store libpq cannot read (DER, PKCS#7, PKCS#12, JKS) into STORE. */
static bool
load_other_format(pgtls_probe *p, rootcert_eval *rc, X509_STORE *store)
{
	pgtls_store *st = pgtls_store_new();
	bool ok = false;

	if (st == NULL)
		return false;
	if (pgtls_store_load_file(st, rc->path, p->rootcert_password) != PGTLS_OK)
		snprintf(rc->alt_error, sizeof(rc->alt_error), "%s", pgtls_store_errmsg(st));
	else
	{
		int i;

		snprintf(rc->format, sizeof(rc->format), "%s", st->files[0].format);
		ok = true;
		for (i = 0; i < st->nentries; i++)
			if (X509_STORE_add_cert(store, st->entries[i].cert) != 1)
				ERR_clear_error(); /* duplicate: already there */
		rc->alt_loaded = true;
	}
	pgtls_store_free(st);
	return ok;
}

static void
eval_rootcert(eval_ctx *e, STACK_OF(X509) * chain)
{
	pgtls_probe *p = e->p;
	rootcert_eval *rc = &e->rc;
	const char *env = getenv("PGSSLROOTCERT");
	SSL_CTX *ctx = NULL;
	X509_STORE *store;
	X509_STORE_CTX *vctx = NULL;
	struct stat st;
	char home[1024];

	home_dir(p, home, sizeof(home));
	if (p->opt_rootcert_set)
	{
		snprintf(rc->setting, sizeof(rc->setting), "%s", p->opt_rootcert);
		rc->source = "option";
	}
	else if (p->cinfo_rootcert)
	{
		snprintf(rc->setting, sizeof(rc->setting), "%s", p->cinfo_rootcert);
		rc->source = "conninfo";
	}
	else if (env)
	{
		snprintf(rc->setting, sizeof(rc->setting), "%s", env);
		rc->source = "env";
	}
	else
		rc->source = "default";

	if (strcmp(rc->setting, "system") == 0)
		rc->system = true;
	else if (rc->setting[0])
		snprintf(rc->path, sizeof(rc->path), "%s", rc->setting);
	else if (home[0])
		snprintf(rc->path, sizeof(rc->path), "%s/.postgresql/root.crt", home);

	rc->exists = rc->system || (rc->path[0] && stat(rc->path, &st) == 0);
	if (!rc->exists)
		return;

	ERR_clear_error();
	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL)
	{
		snprintf(rc->load_error, sizeof(rc->load_error), "could not create SSL context");
		return;
	}
	if (rc->system)
	{
		if (SSL_CTX_set_default_verify_paths(ctx) != 1)
		{
			char why[256];

			ssl_reason(why, sizeof(why));
			snprintf(rc->load_error, sizeof(rc->load_error), "could not load system root certificate paths: %s", why);
			goto out;
		}
		rc->loaded = true;
		snprintf(rc->format, sizeof(rc->format), "system");
	}
	else if (SSL_CTX_load_verify_locations(ctx, rc->path, NULL) != 1)
	{
		char why[256];

		ssl_reason(why, sizeof(why));
		snprintf(rc->load_error, sizeof(rc->load_error), "could not read root certificate file \"%s\": %s", rc->path,
		         why);
		/* libpq stops here; a DER, PKCS#12 or JKS store still tells whether the chain verifies */
		if (!load_other_format(p, rc, SSL_CTX_get_cert_store(ctx)))
			goto out;
	}
	else
	{
		rc->loaded = true;
		snprintf(rc->format, sizeof(rc->format), "pem");
	}
	store = SSL_CTX_get_cert_store(ctx);
	rc->ncerts = count_certs(store);

	/* CRLs, as libpq loads them: sslcrl/sslcrldir or ~/.postgresql/root.crl, silently optional */
	{
		const char *fname = (p->sslcrl && p->sslcrl[0]) ? p->sslcrl : NULL;
		const char *dname = (p->sslcrldir && p->sslcrldir[0]) ? p->sslcrldir : NULL;
		char crlbuf[1100];

		if (!fname && !dname && home[0] && !rc->system)
		{
			snprintf(crlbuf, sizeof(crlbuf), "%s/.postgresql/root.crl", home);
			fname = crlbuf;
		}
		if ((fname || dname) && X509_STORE_load_locations(store, fname, dname) == 1)
		{
			X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
			rc->crl_loaded = true;
		}
		ERR_clear_error();
	}

	if (chain == NULL || sk_X509_num(chain) == 0)
		goto out;
	vctx = X509_STORE_CTX_new();
	if (vctx == NULL || X509_STORE_CTX_init(vctx, store, sk_X509_value(chain, 0), chain) != 1)
	{
		snprintf(rc->verify_reason, sizeof(rc->verify_reason), "out of memory");
		goto out;
	}
	/* as ssl_verify_cert_chain() does for a client */
	X509_STORE_CTX_set_default(vctx, "ssl_server");
	X509_VERIFY_PARAM_set_auth_level(X509_STORE_CTX_get0_param(vctx), SSL_CTX_get_security_level(ctx));
	rc->verified = X509_verify_cert(vctx) == 1;
	rc->verify_code = X509_STORE_CTX_get_error(vctx);
	rc->verify_depth = X509_STORE_CTX_get_error_depth(vctx);
	if (!rc->verified)
	{
		snprintf(rc->verify_reason, sizeof(rc->verify_reason), "%s", X509_verify_cert_error_string(rc->verify_code));
		verify_hint(rc, vctx, chain);
	}
	ERR_clear_error();
out:
	X509_STORE_CTX_free(vctx);
	SSL_CTX_free(ctx);
}

/* ---- attempts ---- */

static void
reply_attempt(attempt *a, pgtls_conn *c, bool encrypted, const char *verified)
{
	const pgtls_reply *r = pgtls__conn_reply(c);
	const char *msg;
	pgtls_err err = pgtls__conn_reply_err(c, &msg);

	a->encrypted = encrypted;
	a->verified = verified;
	if (r->kind == PGTLS_REPLY_AUTH)
		a->res = RES_CONNECTS;
	else if (r->kind == PGTLS_REPLY_ERROR)
	{
		a->res = RES_FAILS;
		snprintf(a->err, sizeof(a->err), "%s:  %s", r->severity[0] ? r->severity : "FATAL", r->message);
	}
	else
	{
		a->res = RES_UNKNOWN;
		snprintf(a->err, sizeof(a->err), "%s", err ? msg : "no reply to the startup message");
	}
}

static void
plain_attempt(eval_ctx *e, attempt *a)
{
	memset(a, 0, sizeof(*a));
	reply_attempt(a, e->plain, false, "none");
}

static void
ssl_attempt(eval_ctx *e, const char *mode, attempt *a)
{
	pgtls_conn *c = e->tlsconn;
	rootcert_eval *rc = &e->rc;
	pgtls_err err = pgtls_conn_errcode(c);

	memset(a, 0, sizeof(*a));
	a->verified = "none";
	a->res = RES_FAILS;
	if (err == PGTLS_ERR_IO || err == PGTLS_ERR_TIMEOUT || err == PGTLS_ERR_OOM)
	{
		a->res = RES_UNKNOWN;
		snprintf(a->err, sizeof(a->err), "%s", pgtls_conn_errmsg(c));
		return;
	}
	if (err == PGTLS_ERR_PROTOCOL && !pgtls__conn_tls_done(c) && pgtls__conn_sslresp(c) == 0)
	{
		snprintf(a->err, sizeof(a->err), "%s", pgtls_conn_errmsg(c));
		return;
	}
	/* initialize_SSL(): the root file matters only now that TLS is on */
	if (rc->exists && !rc->loaded)
	{
		snprintf(a->err, sizeof(a->err), "%s",
		         rc->load_error[0] ? rc->load_error : "root certificate store could not be loaded");
		return;
	}
	if (!rc->exists && mode[0] == 'v')
	{
		if (rc->path[0] == '\0')
			snprintf(a->err, sizeof(a->err),
			         "could not get home directory to locate root certificate file\n"
			         "Either provide the file or change sslmode to disable server certificate verification.");
		else
			snprintf(a->err, sizeof(a->err),
			         "root certificate file \"%s\" does not exist\n"
			         "Either provide the file or change sslmode to disable server certificate verification.",
			         rc->path);
		return;
	}
	if (!pgtls__conn_tls_done(c))
	{
		if (err == PGTLS_OK)
			snprintf(a->err, sizeof(a->err), "TLS handshake did not complete");
		else
			snprintf(a->err, sizeof(a->err), "%s", pgtls_conn_errmsg(c));
		return;
	}
	if (rc->exists && !rc->verified)
	{
		snprintf(a->err, sizeof(a->err), "SSL error: certificate verify failed");
		return;
	}
	if (strcmp(mode, "verify-full") == 0 && e->host_rc != 1)
	{
		snprintf(a->err, sizeof(a->err), "%s", e->host_msg);
		return;
	}
	reply_attempt(a, c, true, !rc->exists ? "none" : strcmp(mode, "verify-full") == 0 ? "full" : "ca");
}

static const char *
res_name(int res)
{
	return res == RES_CONNECTS ? "connects" : res == RES_FAILS ? "fails" : "unknown";
}

static json_t *
mode_row(const char *negotiation, const char *mode, const attempt *final, json_t *errors, bool fallback)
{
	return json_pack("{s:s,s:s,s:s,s:b,s:s,s:b,s:o}", "negotiation", negotiation, "sslmode", mode, "result",
	                 res_name(final->res), "encrypted", final->res == RES_CONNECTS && final->encrypted, "verified",
	                 final->res == RES_CONNECTS ? final->verified : "none", "plaintext_fallback", fallback, "errors",
	                 errors);
}

static void
add_err(json_t *errors, const attempt *a)
{
	if (a->err[0])
		json_array_append_new(errors, json_string(a->err));
}

/* One sslmode under SSLRequest negotiation (libpq's default, sslnegotiation=postgres). */
static json_t *
eval_mode_postgres(eval_ctx *e, const char *mode)
{
	json_t *errors = json_array();
	attempt a, b;
	char sslresp = pgtls__conn_sslresp(e->tlsconn);
	bool fallback = false;

	if (e->rc.system && strcmp(mode, "verify-full") != 0)
	{
		memset(&a, 0, sizeof(a));
		a.res = RES_FAILS;
		snprintf(a.err, sizeof(a.err),
		         "weak sslmode \"%s\" may not be used with sslrootcert=system (use \"verify-full\")", mode);
		add_err(errors, &a);
		return mode_row("postgres", mode, &a, errors, false);
	}
	if (strcmp(mode, "disable") == 0)
	{
		plain_attempt(e, &a);
		add_err(errors, &a);
		return mode_row("postgres", mode, &a, errors, false);
	}
	if (strcmp(mode, "allow") == 0)
	{
		plain_attempt(e, &a);
		if (a.res != RES_FAILS)
		{
			add_err(errors, &a);
			return mode_row("postgres", mode, &a, errors, false);
		}
		add_err(errors, &a);
		if (sslresp == 'N')
		{
			/* libpq goes on without TLS and gets the same rejection */
			add_err(errors, &a);
			return mode_row("postgres", mode, &a, errors, false);
		}
		ssl_attempt(e, mode, &b);
		add_err(errors, &b);
		return mode_row("postgres", mode, &b, errors, false);
	}
	if (sslresp == 'N' && pgtls_conn_errcode(e->tlsconn) == PGTLS_OK)
	{
		if (strcmp(mode, "prefer") == 0)
		{
			plain_attempt(e, &a);
			add_err(errors, &a);
			return mode_row("postgres", mode, &a, errors, false);
		}
		memset(&a, 0, sizeof(a));
		a.res = RES_FAILS;
		snprintf(a.err, sizeof(a.err), "server does not support SSL, but SSL was required");
		add_err(errors, &a);
		return mode_row("postgres", mode, &a, errors, false);
	}
	ssl_attempt(e, mode, &a);
	add_err(errors, &a);
	if (strcmp(mode, "prefer") == 0 && a.res == RES_FAILS &&
	    !(pgtls_conn_errcode(e->tlsconn) == PGTLS_ERR_PROTOCOL && pgtls__conn_sslresp(e->tlsconn) == 0))
	{
		/* prefer: any TLS failure or TLS rejection -> silent retry without TLS */
		plain_attempt(e, &b);
		add_err(errors, &b);
		fallback = b.res == RES_CONNECTS;
		return mode_row("postgres", mode, &b, errors, fallback);
	}
	return mode_row("postgres", mode, &a, errors, false);
}

/* One sslmode under PG17 direct TLS negotiation (sslnegotiation=direct). */
static json_t *
eval_mode_direct(eval_ctx *e, const char *mode)
{
	json_t *errors = json_array();
	attempt a;

	if (strcmp(mode, "disable") == 0)
	{
		plain_attempt(e, &a);
		add_err(errors, &a);
		return mode_row("direct", mode, &a, errors, false);
	}
	if (strcmp(mode, "allow") == 0 || strcmp(mode, "prefer") == 0)
	{
		memset(&a, 0, sizeof(a));
		a.res = RES_FAILS;
		snprintf(a.err, sizeof(a.err),
		         "weak sslmode \"%s\" may not be used with sslnegotiation=direct (use \"require\", \"verify-ca\", or "
		         "\"verify-full\")",
		         mode);
		add_err(errors, &a);
		return mode_row("direct", mode, &a, errors, false);
	}
	ssl_attempt(e, mode, &a);
	add_err(errors, &a);
	return mode_row("direct", mode, &a, errors, false);
}

/* ---- report sections ---- */

static json_t *
opt_str(const char *s)
{
	return (s && s[0]) ? json_string(s) : json_null();
}

static json_t *
conn_json(pgtls_conn *c, pgtls_conn_kind kind)
{
	json_t *o = json_object();
	const pgtls_reply *r = pgtls__conn_reply(c);
	const char *rmsg;
	pgtls_err rerr = pgtls__conn_reply_err(c, &rmsg);
	json_t *startup;
	char sr[2] = {pgtls__conn_sslresp(c), 0};

	if (kind != PGTLS_CONN_PLAIN)
		json_object_set_new(o, "method", json_string(kind == PGTLS_CONN_DIRECT ? "direct" : "postgres"));
	json_object_set_new(o, "address", opt_str(pgtls__conn_address(c)));
	if (kind == PGTLS_CONN_SSLREQUEST)
		json_object_set_new(o, "ssl_response", sr[0] ? json_string(sr) : json_null());
	if (kind != PGTLS_CONN_PLAIN)
	{
		if (pgtls__conn_tls_version(c)[0])
			json_object_set_new(o, "tls",
			                    json_pack("{s:s,s:s,s:o,s:o}", "version", pgtls__conn_tls_version(c), "cipher",
			                              pgtls__conn_cipher(c), "group", opt_str(pgtls__conn_group(c)), "alpn",
			                              opt_str(pgtls__conn_alpn(c))));
		else
			json_object_set_new(o, "tls", json_null());
	}
	if (r->kind == PGTLS_REPLY_AUTH)
		startup = json_pack("{s:s,s:s,s:i}", "result", "accepted", "auth", pgtls__auth_name(r->auth_code), "auth_code",
		                    (int)r->auth_code);
	else if (r->kind == PGTLS_REPLY_ERROR)
		startup = json_pack("{s:s,s:s,s:s,s:s}", "result", "rejected", "severity", r->severity, "sqlstate", r->sqlstate,
		                    "message", r->message);
	else
		startup = json_pack("{s:s,s:o}", "result", "unknown", "message", rerr ? json_string(rmsg) : json_null());
	json_object_set_new(o, "startup", startup);
	if (pgtls_conn_errcode(c))
		json_object_set_new(
		    o, "error",
		    json_pack("{s:s,s:s}", "class", pgtls_err_name(pgtls_conn_errcode(c)), "message", pgtls_conn_errmsg(c)));
	else
		json_object_set_new(o, "error", json_null());
	json_object_set_new(o, "trace", json_string(pgtls_conn_trace(c)));
	return o;
}

static json_t *
rootcert_json(const rootcert_eval *rc, STACK_OF(X509) * chain)
{
	json_t *o = json_object();

	json_object_set_new(o, "setting", json_string(rc->setting));
	json_object_set_new(o, "source", json_string(rc->source));
	json_object_set_new(o, "path", opt_str(rc->path));
	json_object_set_new(o, "system", json_boolean(rc->system));
	json_object_set_new(o, "exists", json_boolean(rc->exists));
	json_object_set_new(o, "loaded", json_boolean(rc->loaded));
	json_object_set_new(o, "load_error", opt_str(rc->load_error));
	json_object_set_new(o, "format", opt_str(rc->format));
	json_object_set_new(o, "libpq_readable", json_boolean(rc->loaded));
	json_object_set_new(o, "certificates", json_integer(rc->ncerts));
	json_object_set_new(o, "crl_loaded", json_boolean(rc->crl_loaded));
	if (rc->alt_error[0])
		json_object_set_new(o, "store_error", json_string(rc->alt_error));
	if ((rc->loaded || rc->alt_loaded) && chain && sk_X509_num(chain) > 0)
		json_object_set_new(o, "chain_verifies",
		                    json_pack("{s:b,s:o,s:i,s:i,s:o}", "ok", rc->verified, "reason", opt_str(rc->verify_reason),
		                              "code", rc->verify_code, "depth", rc->verify_depth, "hint",
		                              opt_str(rc->verify_hint)));
	else
		json_object_set_new(o, "chain_verifies", json_null());
	return o;
}

/* findings about the certificates themselves, independent of any root file */
static void
chain_findings(eval_ctx *e, STACK_OF(X509) * chain)
{
	int i;

	for (i = 0; i < sk_X509_num(chain); i++)
	{
		X509 *x = sk_X509_value(chain, i);
		const char *what = i == 0 ? "server certificate" : "chain certificate";
		char subj[256];
		int days;
		int cmp;

		pgtls__name_str(X509_get_subject_name(x), subj, sizeof(subj));
		cmp = X509_cmp_current_time(X509_get0_notBefore(x));
		if (cmp > 0)
			finding(e, 2, "%s \"%s\" is not valid yet", what, subj);
		if (pgtls__days_left(x, &days))
		{
			if (days < 0)
				finding(e, 2, "%s \"%s\" expired %d day%s ago", what, subj, -days, days == -1 ? "" : "s");
			else if (days < e->p->warn_days)
				finding(e, 1, "%s \"%s\" expires in %d day%s (warning horizon %d days)", what, subj, days,
				        days == 1 ? "" : "s", e->p->warn_days);
		}
		if (i == 0)
		{
			EVP_PKEY *pk = X509_get0_pubkey(x);
			int sig = X509_get_signature_nid(x);

			if (pk && EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA && EVP_PKEY_get_bits(pk) < 2048)
				finding(e, 1, "server key is RSA %d bits (< 2048)", EVP_PKEY_get_bits(pk));
			if (sig == NID_sha1WithRSAEncryption || sig == NID_ecdsa_with_SHA1 || sig == NID_md5WithRSAEncryption)
				finding(e, 1, "server certificate is signed with %s", OBJ_nid2ln(sig));
		}
	}
}

static const char *
status_label(int s)
{
	static const char *const labels[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

	return labels[s < 0 || s > 3 ? 3 : s];
}

pgtls_err
pgtls__probe_evaluate(pgtls_probe *p)
{
	eval_ctx e;
	json_t *rep;
	json_t *negs, *modes, *chainj;
	pgtls_conn *pconn = NULL, *dconn = NULL;
	STACK_OF(X509) *chain = NULL;
	int i;
	char checked[1100];

	memset(&e, 0, sizeof(e));
	e.p = p;
	e.findings = json_array();
	rep = json_object();
	negs = json_array();
	modes = json_array();
	chainj = json_array();
	if (!e.findings || !rep || !negs || !modes || !chainj)
	{
		json_decref(e.findings);
		json_decref(rep);
		json_decref(negs);
		json_decref(modes);
		json_decref(chainj);
		return pgtls__seterr(&p->err, PGTLS_ERR_OOM, "out of memory");
	}
	for (i = 0; i < p->nconns; i++)
	{
		if (p->kinds[i] == PGTLS_CONN_SSLREQUEST)
			pconn = p->conns[i];
		else if (p->kinds[i] == PGTLS_CONN_DIRECT)
			dconn = p->conns[i];
		else
			e.plain = p->conns[i];
	}
	/* the chain: from the SSLRequest handshake, else the direct one */
	if (pconn && pgtls__conn_chain(pconn))
		chain = pgtls__conn_chain(pconn);
	else if (dconn && pgtls__conn_chain(dconn))
		chain = pgtls__conn_chain(dconn);

	eval_rootcert(&e, chain);
	snprintf(checked, sizeof(checked), "%s", pgtls__probe_checked_name(p));
	if (chain && sk_X509_num(chain) > 0)
		e.host_rc = pgtls__host_matches(sk_X509_value(chain, 0), checked, e.host_msg, sizeof(e.host_msg));
	else
	{
		e.host_rc = -1;
		snprintf(e.host_msg, sizeof(e.host_msg), "no server certificate was received");
	}

	json_object_set_new(rep, "pgtls_version", json_string(PGTLS_VERSION_STR));
	json_object_set_new(rep, "schema", json_integer(PGTLS_JSON_SCHEMA));
	json_object_set_new(rep, "target",
	                    json_pack("{s:s,s:o,s:o,s:s,s:o,s:s,s:s}", "input", p->target, "host", opt_str(p->host),
	                              "hostaddr", opt_str(p->hostaddr), "port", p->port, "servername",
	                              opt_str(p->servername), "user", pgtls__probe_user(p), "dbname",
	                              pgtls__probe_dbname(p)));
	/* placeholders keep a stable key order; filled below */
	json_object_set_new(rep, "status", json_null());
	for (i = 0; i < p->nconns; i++)
		if (p->kinds[i] != PGTLS_CONN_PLAIN)
			json_array_append_new(negs, conn_json(p->conns[i], p->kinds[i]));
	json_object_set_new(rep, "negotiation", negs);
	json_object_set_new(rep, "plaintext", conn_json(e.plain, PGTLS_CONN_PLAIN));
	for (i = 0; chain && i < sk_X509_num(chain); i++)
	{
		json_t *cj = pgtls__cert_json(sk_X509_value(chain, i), 0);

		if (cj)
		{
			json_object_set_new(cj, "depth", json_integer(i));
			json_array_append_new(chainj, cj);
		}
	}
	json_object_set_new(rep, "chain", chainj);
	json_object_set_new(rep, "rootcert", rootcert_json(&e.rc, chain));
	json_object_set_new(rep, "host_check",
	                    json_pack("{s:s,s:b,s:o}", "name", checked, "ok", e.host_rc == 1, "message",
	                              e.host_rc == 1 ? json_null() : json_string(e.host_msg)));

	for (i = 0; i < 6; i++)
	{
		if (pconn)
		{
			e.tlsconn = pconn;
			json_array_append_new(modes, eval_mode_postgres(&e, sslmodes[i]));
		}
		if (dconn)
		{
			e.tlsconn = dconn;
			json_array_append_new(modes, eval_mode_direct(&e, sslmodes[i]));
		}
	}
	json_object_set_new(rep, "sslmodes", modes);

	/* ---- findings and status ---- */
	{
		pgtls_conn *main = pconn ? pconn : dconn;
		pgtls_err merr = pgtls_conn_errcode(main);
		const pgtls_reply *pr = pgtls__conn_reply(e.plain);

		if (merr == PGTLS_ERR_IO || merr == PGTLS_ERR_TIMEOUT || merr == PGTLS_ERR_OOM)
			finding(&e, 3, "cannot probe the server: %s", pgtls_conn_errmsg(main));
		else if (merr == PGTLS_ERR_PROTOCOL && !pgtls__conn_tls_done(main))
			finding(&e, 2, "TLS negotiation failed: %s", pgtls_conn_errmsg(main));
		else if (main == pconn && pgtls__conn_sslresp(main) == 'N')
			finding(&e, 2, "server does not support TLS (it answered 'N' to SSLRequest: ssl = off)");
		else if (merr == PGTLS_ERR_TLS)
			finding(&e, 2, "TLS handshake failed: %s", pgtls_conn_errmsg(main));
		if (dconn && pconn)
		{
			if (pgtls_conn_errcode(dconn) == PGTLS_OK && pgtls__conn_tls_done(dconn))
				finding(&e, 0, "direct TLS (PostgreSQL 17+, ALPN \"%s\") is supported", pgtls__conn_alpn(dconn));
			else
				finding(&e, 0, "direct TLS is not supported: %s", pgtls_conn_errmsg(dconn));
		}
		if (chain)
			chain_findings(&e, chain);
		if (chain && e.rc.exists)
		{
			if (!e.rc.loaded && e.rc.alt_loaded)
				finding(&e, 1,
				        "libpq cannot read this %s root store (%s): convert it for libpq with \"pgtls store merge "
				        "--format pem\"; "
				        "its certificates were used to verify the chain, as a Java client would",
				        e.rc.format, e.rc.load_error);
			else if (!e.rc.loaded)
				finding(&e, 1, "%s%s%s", e.rc.load_error, e.rc.alt_error[0] ? "; " : "", e.rc.alt_error);
			if (!e.rc.loaded && !e.rc.alt_loaded)
				;
			else if (!e.rc.verified)
				finding(&e, 2, "certificate chain does not verify against %s: %s%s%s%s",
				        e.rc.system ? "the system trust store" : e.rc.path, e.rc.verify_reason,
				        e.rc.verify_hint[0] ? " (" : "", e.rc.verify_hint, e.rc.verify_hint[0] ? ")" : "");
			else
				finding(&e, 0, "certificate chain verifies against %s",
				        e.rc.system ? "the system trust store" : e.rc.path);
		}
		else if (chain)
			finding(&e, 1,
			        "no root certificate (%s): clients cannot verify this server; verify-ca and verify-full would fail "
			        "(use --rootcert)",
			        e.rc.path[0] ? e.rc.path : "no home directory");
		if (chain)
		{
			if (e.host_rc == 1)
				finding(&e, 0, "server certificate matches host name \"%s\"", checked);
			else
				finding(&e, 1, "verify-full would fail: %s", e.host_msg);
		}
		if (pr->kind == PGTLS_REPLY_AUTH)
			finding(&e, 1,
			        "server accepts unencrypted connections for user \"%s\" database \"%s\" (TLS not enforced; auth "
			        "method %s)",
			        pgtls__probe_user(p), pgtls__probe_dbname(p), pgtls__auth_name(pr->auth_code));
		else if (pr->kind == PGTLS_REPLY_ERROR)
			finding(&e, 0, "server rejects unencrypted connections for user \"%s\" database \"%s\": %s",
			        pgtls__probe_user(p), pgtls__probe_dbname(p), pr->message);
		else
		{
			const char *m;

			(void)pgtls__conn_reply_err(e.plain, &m);
			finding(&e, 1, "could not tell whether unencrypted connections are accepted: %s", m);
		}
	}
	json_object_set_new(rep, "findings", e.findings);
	json_object_set_new(rep, "status", json_pack("{s:i,s:s}", "code", e.status, "label", status_label(e.status)));
	p->report = rep;
	p->status = e.status;
	return PGTLS_OK;
}
