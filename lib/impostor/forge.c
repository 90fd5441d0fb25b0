/*-------------------------------------------------------------------------
 *
 * forge.c
 *	  The decoy's certificates, made in memory for one run.
 *
 * IDENTIFICATION
 *	  lib/impostor/forge.c
 *
 * NOTES
 *	  forged:       a throwaway CA whose name copies the real server's
 *	                issuer (--like), signing a leaf with the real names.
 *	  untrusted-ca: a throwaway CA with its own name, same leaf names.
 *	  wrong-name:   a leaf signed by the CA the clients trust (--ca-cert),
 *	                naming a host no client uses: isolates the host check.
 *	  expired:      a leaf signed by that CA, with the real names, whose
 *	                validity ended yesterday: isolates the expiry check.
 *	  new-chain:    a leaf signed by the new CA (--ca-cert: its chain
 *	                follows), with the real names: the switch, rehearsed.
 *	  Keys are EC P-256 (every PostgreSQL driver accepts them) and are
 *	  never written anywhere.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "impostor/impostor_int.h"

#define WRONG_NAME "wrong-name.pgtls-impostor.invalid"

static EVP_PKEY *
new_key(void)
{
	return EVP_EC_gen("P-256");
}

static bool
set_serial(X509 *x)
{
	unsigned char r[16];
	BIGNUM *bn;
	bool ok;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return false;
	r[0] &= 0x7f;
	bn = BN_bin2bn(r, sizeof(r), NULL);
	ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok;
}

static bool
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	bool ok;

	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (ext == NULL)
		return false;
	ok = X509_add_ext(x, ext, -1) == 1;
	X509_EXTENSION_free(ext);
	return ok;
}

/*
 * A certificate for KEY named SUBJECT, issued by ISSUER (NULL: self) with
 * ISSUER_KEY, valid FROM..TO seconds from now; a leaf gets SAN_EXT (copied)
 * or SAN ("DNS:a,IP:b") when given.
 */
static X509 *
make_cert(EVP_PKEY *key, const X509_NAME *subject, X509 *issuer, EVP_PKEY *issuer_key, long from, long to, bool ca,
          X509_EXTENSION *san_ext, const char *san)
{
	X509 *x = X509_new();
	bool ok;

	if (x == NULL)
		return NULL;
	ok = X509_set_version(x, 2) == 1 && set_serial(x) && X509_set_subject_name(x, subject) == 1 &&
	     X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : subject) == 1 &&
	     X509_gmtime_adj(X509_getm_notBefore(x), from) != NULL && X509_gmtime_adj(X509_getm_notAfter(x), to) != NULL &&
	     X509_set_pubkey(x, key) == 1;
	ok = ok && add_ext(x, issuer ? issuer : x, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
	ok = ok && add_ext(x, issuer ? issuer : x, NID_key_usage,
	                   ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment");
	ok = ok && add_ext(x, issuer ? issuer : x, NID_subject_key_identifier, "hash");
	if (ok && !ca)
		ok = add_ext(x, issuer ? issuer : x, NID_ext_key_usage, "serverAuth");
	if (ok && issuer)
		ok = add_ext(x, issuer, NID_authority_key_identifier, "keyid");
	if (ok && san_ext)
		ok = X509_add_ext(x, san_ext, -1) == 1;
	else if (ok && san && san[0])
		ok = add_ext(x, issuer ? issuer : x, NID_subject_alt_name, san);
	if (!ok || X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) == 0)
	{
		X509_free(x);
		return NULL;
	}
	return x;
}

/* SAN text ("DNS:a,IP:127.0.0.1") of the leaf, or *COPY: the real leaf's extension (--like) */
static bool
leaf_san(const decoy_forge *f, char *san, size_t sanlen, X509_EXTENSION **copy)
{
	size_t used = 0;

	*copy = NULL;
	san[0] = '\0';
	if (f->mode == PGTLS_DECOY_WRONG_NAME)
		return snprintf(san, sanlen, "DNS:%s", WRONG_NAME) < (int)sanlen;
	if (f->like_leaf && f->nnames == 0)
	{
		int at = X509_get_ext_by_NID(f->like_leaf, NID_subject_alt_name, -1);

		*copy = at < 0 ? NULL : X509_get_ext(f->like_leaf, at);
		return true;
	}
	for (int i = 0; i < f->nnames; i++)
	{
		unsigned char buf[16];
		bool ip = inet_pton(AF_INET, f->names[i], buf) == 1 || inet_pton(AF_INET6, f->names[i], buf) == 1;
		int n = snprintf(san + used, sanlen - used, "%s%s:%s", used ? "," : "", ip ? "IP" : "DNS", f->names[i]);

		if (n < 0 || (size_t)n >= sanlen - used)
			return false;
		used += (size_t)n;
	}
	return true;
}

/* The leaf's subject: the real one (--like) or CN=first name */
static X509_NAME *
leaf_subject(const decoy_forge *f)
{
	X509_NAME *n;

	if (f->mode == PGTLS_DECOY_WRONG_NAME)
	{
		n = X509_NAME_new();
		if (n)
			X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)WRONG_NAME, -1, -1, 0);
		return n;
	}
	if (f->like_leaf)
		return X509_NAME_dup(X509_get_subject_name(f->like_leaf));
	n = X509_NAME_new();
	if (n && f->nnames > 0)
		X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)f->names[0], -1, -1, 0);
	return n;
}

/* The throwaway CA: the real issuer's name (forged), or an obvious one (untrusted-ca) */
static X509 *
throwaway_ca(const decoy_forge *f, EVP_PKEY *key)
{
	X509_NAME *name;
	X509 *ca;

	if (f->mode == PGTLS_DECOY_FORGED && f->like_top)
		name = X509_NAME_dup(X509_get_issuer_name(f->like_top));
	else
	{
		name = X509_NAME_new();
		if (name)
		{
			X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"pgtls impostor", -1, -1, 0);
			X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
			                           (const unsigned char *)(f->mode == PGTLS_DECOY_FORGED
			                                                       ? "pgtls impostor forged CA"
			                                                       : "pgtls impostor untrusted CA"),
			                           -1, -1, 0);
		}
	}
	if (name == NULL)
		return NULL;
	ca = make_cert(key, name, NULL, NULL, -3600, 30L * 86400, true, NULL, NULL);
	X509_NAME_free(name);
	return ca;
}

/* direct TLS (PG17): "postgresql" when the client offers it, else no ALPN (recorded, not refused) */
static int
alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in, unsigned inlen,
            void *arg)
{
	static const unsigned char pg[] = "\x0apostgresql";
	unsigned char *sel = NULL;

	if (SSL_select_next_proto(&sel, outlen, pg, sizeof(pg) - 1, in, inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

static SSL_CTX *
new_ctx(X509 *leaf, EVP_PKEY *key, X509 *chain_ca, STACK_OF(X509) * extra, pgtls_errslot *err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL || SSL_CTX_use_certificate(ctx, leaf) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
	    (chain_ca && SSL_CTX_add1_chain_cert(ctx, chain_ca) != 1))
	{
		SSL_CTX_free(ctx);
		pgtls__seterr(err, PGTLS_ERR_TLS, "cannot set up the decoy's TLS context");
		return NULL;
	}
	for (int i = 0; extra && i < sk_X509_num(extra); i++)
		SSL_CTX_add1_chain_cert(ctx, sk_X509_value(extra, i));
	/* received plaintext (the password) is cleansed after use; no session tickets or cache */
	SSL_CTX_set_options(ctx, SSL_OP_CLEANSE_PLAINTEXT | SSL_OP_NO_TICKET);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
	return ctx;
}

SSL_CTX *
pgtls__decoy_forge(decoy_forge *f, pgtls_errslot *err)
{
	bool own_ca = f->mode == PGTLS_DECOY_FORGED || f->mode == PGTLS_DECOY_UNTRUSTED_CA;
	EVP_PKEY *key = new_key();
	EVP_PKEY *cakey = own_ca ? new_key() : NULL;
	X509 *ca = NULL;
	X509_NAME *subject = leaf_subject(f);
	X509 *leaf = NULL;
	SSL_CTX *ctx = NULL;
	long from = f->mode == PGTLS_DECOY_EXPIRED ? -30L * 86400 : -3600;
	long to = f->mode == PGTLS_DECOY_EXPIRED ? -86400 : 30L * 86400;
	char san[4096];
	X509_EXTENSION *san_copy;

	if (key == NULL || subject == NULL || (own_ca && cakey == NULL))
		goto fail;
	ca = own_ca ? throwaway_ca(f, cakey) : f->ca;
	if (ca == NULL)
		goto fail;
	if (!leaf_san(f, san, sizeof(san), &san_copy))
		goto fail;
	leaf = make_cert(key, subject, ca, own_ca ? cakey : f->cakey, from, to, false, san_copy, san);
	if (leaf == NULL)
		goto fail;
	/* the CA goes in the chain unless it is a root the clients hold (wrong-name, expired, new-chain) */
	ctx = new_ctx(leaf, key, own_ca || X509_check_issued(ca, ca) != X509_V_OK ? ca : NULL, own_ca ? NULL : f->ca_extra,
	              err);
	if (ctx)
	{
		f->leaf = leaf;
		leaf = NULL;
	}
	goto done;
fail:
	ERR_clear_error();
	pgtls__seterr(err, PGTLS_ERR_TLS, "cannot make the decoy's certificates");
done:
	X509_free(leaf);
	if (own_ca)
		X509_free(ca);
	EVP_PKEY_free(key);
	EVP_PKEY_free(cakey);
	X509_NAME_free(subject);
	return ctx;
}

void
pgtls__decoy_forge_clear(decoy_forge *f)
{
	X509_free(f->ca);
	EVP_PKEY_free(f->cakey);
	sk_X509_pop_free(f->ca_extra, X509_free);
	X509_free(f->like_leaf);
	X509_free(f->like_top);
	X509_free(f->leaf);
	for (int i = 0; i < f->nnames; i++)
		free(f->names[i]);
	memset(f, 0, sizeof(*f));
}
