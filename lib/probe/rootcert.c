/*-------------------------------------------------------------------------
 *
 * rootcert.c
 *	  The root certificate file as libpq finds and loads it, and whether
 *	  the served chain verifies against it.
 *
 * IDENTIFICATION
 *	  lib/probe/rootcert.c
 *
 * NOTES
 *	  libpq (fe-secure-openssl.c initialize_SSL): sslrootcert, else
 *	  PGSSLROOTCERT, else ~/.postgresql/root.crt; "system" (libpq 16+) is
 *	  OpenSSL's default store; CRLs from sslcrl/sslcrldir or
 *	  ~/.postgresql/root.crl are optional.  Stores libpq cannot read (DER,
 *	  PKCS#12, JKS) still tell whether the chain verifies, as a Java client
 *	  would see it.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "probe/probe_int.h"
#include "store/store_int.h"

static bool
store_has(X509_STORE *store, X509 *x)
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(store);

	for (int i = 0; x && i < sk_X509_OBJECT_num(objs); i++)
	{
		X509 *c = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));

		if (c && X509_cmp(c, x) == 0)
			return true;
	}
	return false;
}

/* UNABLE_TO_GET_ISSUER_CERT(_LOCALLY): which certificate is missing, and from where. */
static void
missing_issuer_hint(rootcert_eval *rc, X509 *cur, X509 *leaf, STACK_OF(X509) * chain, X509_STORE *store)
{
	char subj[256], iss[256], leafname[256];

	pgtls__name_str(X509_get_subject_name(cur), subj, sizeof(subj));
	pgtls__name_str(X509_get_issuer_name(cur), iss, sizeof(iss));
	pgtls__name_str(X509_get_subject_name(leaf), leafname, sizeof(leafname));
	if (store_has(store, leaf))
		snprintf(rc->verify_hint, sizeof(rc->verify_hint),
		         "the root certificate file holds the server certificate \"%s\" itself; libpq accepts no partial "
		         "chains and needs the CA at the top: add \"%s\"%s",
		         leafname, iss, cur == leaf ? " (and the root above it, if it is an intermediate CA)" : "");
	else if (cur != leaf && store_has(store, cur))
		snprintf(rc->verify_hint, sizeof(rc->verify_hint),
		         "the root certificate file holds the intermediate CA \"%s\" but not the root CA \"%s\" that issued "
		         "it; libpq accepts no partial chains: add \"%s\" to the file",
		         subj, iss, iss);
	else if (cur == leaf && sk_X509_num(chain) == 1 && rc->ncerts > 0)
		snprintf(rc->verify_hint, sizeof(rc->verify_hint),
		         "the server sent only its own certificate; its issuer \"%s\" is not in the root certificate file: "
		         "if that is an intermediate CA, the server must send it (append it to ssl_cert_file), "
		         "otherwise the root certificate file lacks this CA",
		         iss);
	else if (cur == leaf)
		snprintf(rc->verify_hint, sizeof(rc->verify_hint),
		         "\"%s\" (issuer of the server certificate) is not in the root certificate file: the file lacks the "
		         "CA that signed the server certificate",
		         iss);
	else
		snprintf(rc->verify_hint, sizeof(rc->verify_hint),
		         "the server's chain ends at \"%s\", whose issuer \"%s\" is not in the root certificate file: the "
		         "file lacks that root CA",
		         subj, iss);
}

static void
verify_hint(rootcert_eval *rc, X509_STORE_CTX *vctx, STACK_OF(X509) * chain, X509_STORE *store)
{
	X509 *cur = X509_STORE_CTX_get_current_cert(vctx);
	X509 *leaf = sk_X509_value(chain, 0);
	char subj[256], iss[256];

	if (cur == NULL || leaf == NULL)
		return;
	pgtls__name_str(X509_get_subject_name(cur), subj, sizeof(subj));
	pgtls__name_str(X509_get_issuer_name(cur), iss, sizeof(iss));
	switch (rc->verify_code)
	{
		case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
		case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
			missing_issuer_hint(rc, cur, leaf, chain, store);
			break;
		case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
			snprintf(rc->verify_hint, sizeof(rc->verify_hint),
			         "the server's chain ends at root \"%s\", which is not in the root certificate file", subj);
			break;
		case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
			snprintf(rc->verify_hint, sizeof(rc->verify_hint),
			         "the server certificate \"%s\" is self-signed and not in the root certificate file", subj);
			break;
		case X509_V_ERR_INVALID_CA:
			snprintf(
			    rc->verify_hint, sizeof(rc->verify_hint),
			    "\"%s\" issued a certificate in the chain but is not a CA certificate (basicConstraints CA:FALSE "
			    "or no keyCertSign); OpenSSL, and so libpq, refuse it as an issuer: the server certificate must be "
			    "issued by a CA",
			    subj);
			break;
		case X509_V_ERR_UNABLE_TO_GET_CRL:
			snprintf(
			    rc->verify_hint, sizeof(rc->verify_hint),
			    "CRL checking is on (%s was loaded) but it holds no CRL issued by \"%s\": libpq then rejects every "
			    "certificate that CA issued; add that CA's CRL or remove the CRL setting",
			    rc->crl_source, iss);
			break;
		case X509_V_ERR_CERT_REVOKED:
			snprintf(rc->verify_hint, sizeof(rc->verify_hint), "certificate \"%s\" is revoked by the CRL of \"%s\"",
			         subj, iss);
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

/* without sslrootcert, does the driver use the OS store (Go's drivers; lib/pq 1.12 when root.crt is absent)? */
static bool
default_is_system(const pgtls_probe *p, const char *home)
{
	const pgtls_driver_rules *d = pgtls__driver_rules(p->driver);
	char path[1100];
	struct stat st;

	if (!d->system_store_default)
		return false;
	if (!d->default_root_file)
		return true;
	snprintf(path, sizeof(path), "%s/.postgresql/root.crt", home);
	return d->default_root_optional && !(home[0] && stat(path, &st) == 0);
}

/*
 * sslrootcert (from the connection string, the service file or
 * PGSSLROOTCERT: see settings.c), else ~/.postgresql/root.crt.  "system" is
 * OpenSSL's store from libpq 16 on; older libpq reads a file named "system".
 */
static void
resolve_setting(const pgtls_probe *p, rootcert_eval *rc, const char *home)
{
	struct stat st;

	if (p->opt_rootcert_set)
	{
		snprintf(rc->setting, sizeof(rc->setting), "%s", p->opt_rootcert);
		rc->source = "option";
	}
	else if (p->cinfo_rootcert)
	{
		snprintf(rc->setting, sizeof(rc->setting), "%s", p->cinfo_rootcert);
		rc->source = p->rootcert_origin ? p->rootcert_origin : "conninfo";
	}
	else
		rc->source = "default";

	if (strcmp(rc->setting, "system") == 0 && PROBE_LIBPQ_AT_LEAST(p, 16))
		rc->system = true;
	else if (rc->setting[0] == '\0' && default_is_system(p, home))
		rc->system = true; /* the driver's own default: the OS store (Go's drivers) */
	else if (rc->setting[0])
		snprintf(rc->path, sizeof(rc->path), "%s", rc->setting);
	else if (home[0])
		snprintf(rc->path, sizeof(rc->path), "%s/.postgresql/root.crt", home);
	rc->exists = rc->system || (rc->path[0] && stat(rc->path, &st) == 0);
}

/* Loads the trust anchors into CTX as libpq would; false when nothing could be loaded. */
static bool
load_anchors(pgtls_probe *p, rootcert_eval *rc, SSL_CTX *ctx)
{
	char why[256];

	if (rc->system)
	{
		if (SSL_CTX_set_default_verify_paths(ctx) != 1)
		{
			pgtls__ossl_reason(why, sizeof(why), "no SSL error reported", false);
			snprintf(rc->load_error, sizeof(rc->load_error), "could not load system root certificate paths: %s", why);
			return false;
		}
		rc->loaded = true;
		snprintf(rc->format, sizeof(rc->format), "system");
		return true;
	}
	if (SSL_CTX_load_verify_locations(ctx, rc->path, NULL) != 1)
	{
		pgtls__ossl_reason(why, sizeof(why), "no SSL error reported", false);
		snprintf(rc->load_error, sizeof(rc->load_error), "could not read root certificate file \"%s\": %s", rc->path,
		         why);
		/* libpq stops here; a DER, PKCS#12 or JKS store still tells whether the chain verifies */
		return load_other_format(p, rc, SSL_CTX_get_cert_store(ctx));
	}
	rc->loaded = true;
	snprintf(rc->format, sizeof(rc->format), "pem");
	return true;
}

/* CRLs, as libpq loads them: sslcrl/sslcrldir or ~/.postgresql/root.crl, silently optional */
static void
load_crls(const pgtls_probe *p, rootcert_eval *rc, X509_STORE *store, const char *home)
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
		snprintf(rc->crl_source, sizeof(rc->crl_source), "%s%s%s", fname ? fname : "", fname && dname ? " and " : "",
		         dname ? dname : "");
		X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
		rc->crl_loaded = true;
	}
	ERR_clear_error();
}

/* CHAIN against STORE as ssl_verify_cert_chain() does for a client (PARTIAL: Java's anchors, any certificate) */
static void
verify_chain(rootcert_eval *rc, SSL_CTX *ctx, X509_STORE *store, STACK_OF(X509) * chain, bool partial)
{
	X509_STORE_CTX *vctx = X509_STORE_CTX_new();

	if (vctx == NULL || X509_STORE_CTX_init(vctx, store, sk_X509_value(chain, 0), chain) != 1)
	{
		snprintf(rc->verify_reason, sizeof(rc->verify_reason), "out of memory");
		X509_STORE_CTX_free(vctx);
		return;
	}
	X509_STORE_CTX_set_default(vctx, "ssl_server");
	X509_VERIFY_PARAM_set_auth_level(X509_STORE_CTX_get0_param(vctx), SSL_CTX_get_security_level(ctx));
	if (partial)
		X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(vctx), X509_V_FLAG_PARTIAL_CHAIN);
	rc->verified = X509_verify_cert(vctx) == 1;
	rc->verify_code = X509_STORE_CTX_get_error(vctx);
	rc->verify_depth = X509_STORE_CTX_get_error_depth(vctx);
	if (!rc->verified)
	{
		snprintf(rc->verify_reason, sizeof(rc->verify_reason), "%s", X509_verify_cert_error_string(rc->verify_code));
		verify_hint(rc, vctx, chain, store);
	}
	ERR_clear_error();
	X509_STORE_CTX_free(vctx);
}

void
pgtls__probe_eval_rootcert(pgtls_probe *p, STACK_OF(X509) * chain)
{
	rootcert_eval *rc = &p->rc;
	SSL_CTX *ctx;
	X509_STORE *store;
	char home[1024];

	pgtls__home_dir(p->home, home, sizeof(home));
	resolve_setting(p, rc, home);
	if (!rc->exists)
		return;
	ERR_clear_error();
	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL)
	{
		snprintf(rc->load_error, sizeof(rc->load_error), "could not create SSL context");
		return;
	}
	if (load_anchors(p, rc, ctx))
	{
		store = SSL_CTX_get_cert_store(ctx);
		rc->ncerts = count_certs(store);
		load_crls(p, rc, store, home);
		if (chain && sk_X509_num(chain) > 0)
			verify_chain(rc, ctx, store, chain, pgtls__driver_rules(p->driver)->any_cert_anchor);
	}
	SSL_CTX_free(ctx);
}
