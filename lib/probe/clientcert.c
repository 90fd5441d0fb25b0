/*-------------------------------------------------------------------------
 *
 * clientcert.c
 *	  The client certificate and key, found and loaded as libpq does, so
 *	  that the probe presents what psql would present.
 *
 * IDENTIFICATION
 *	  lib/probe/clientcert.c
 *
 * NOTES
 *	  libpq 15 fe-secure-openssl.c initialize_SSL(): sslcert, else
 *	  ~/.postgresql/postgresql.crt; a certificate file that does not exist
 *	  means no certificate (any other stat error fails); the key is
 *	  sslkey, else ~/.postgresql/postgresql.key, and must exist, be a
 *	  regular file, not be readable by group or others (0640 when owned by
 *	  root), load as PEM or DER, and match the certificate.  Each failure
 *	  fails the TLS attempt with libpq's text (prefer then retries without
 *	  TLS).  An encrypted key is opened with sslpassword; without it libpq
 *	  lets OpenSSL ask on the terminal, which pgtls never does.  The key
 *	  and its password are never copied into a report.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "probe/probe_int.h"

typedef struct pass_ctx
{
	const char *password;
	bool asked;
} pass_ctx;

/* PQdefaultSSLKeyPassHook_OpenSSL with sslpassword; never a terminal prompt */
static int
pass_cb(char *buf, int size, int rwflag, void *userdata)
{
	pass_ctx *pc = userdata;
	size_t n;

	(void)rwflag;
	pc->asked = true;
	if (pc->password == NULL || size <= 0)
		return -1;
	n = strlen(pc->password);
	if (n >= (size_t)size)
		n = (size_t)size - 1;
	memcpy(buf, pc->password, n);
	buf[n] = '\0';
	return (int)n;
}

static void
ossl_text(char *out, size_t outlen)
{
	pgtls__ossl_reason(out, outlen, "no SSL error reported", false);
}

/* The key file checks and loading; false with p->cc.error set when libpq would fail. */
static bool
load_key(pgtls_probe *p, SSL_CTX *ctx, const char *home)
{
	clientcert_eval *cc = &p->cc;
	struct stat st;
	char why[256];
	pass_ctx pc = {NULL, false};

	if (p->sslkey && p->sslkey[0])
	{
		if (strchr(p->sslkey, ':'))
		{
			snprintf(cc->error, sizeof(cc->error),
			         "sslkey \"%s\" names an OpenSSL engine key, which pgtls does not load", p->sslkey);
			return false;
		}
		snprintf(cc->key_path, sizeof(cc->key_path), "%s", p->sslkey);
	}
	else if (home[0])
		snprintf(cc->key_path, sizeof(cc->key_path), "%s/.postgresql/postgresql.key", home);
	if (cc->key_path[0] == '\0')
		goto check;
	if (stat(cc->key_path, &st) != 0)
	{
		if (errno == ENOENT)
			snprintf(cc->error, sizeof(cc->error), "certificate present, but not private key file \"%s\"",
			         cc->key_path);
		else
			snprintf(cc->error, sizeof(cc->error), "could not stat private key file \"%s\": %s", cc->key_path,
			         strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode))
	{
		snprintf(cc->error, sizeof(cc->error), "private key file \"%s\" is not a regular file", cc->key_path);
		return false;
	}
	if (st.st_uid == 0 ? (st.st_mode & (S_IWGRP | S_IXGRP | S_IRWXO)) : (st.st_mode & (S_IRWXG | S_IRWXO)))
	{
		snprintf(cc->error, sizeof(cc->error),
		         "private key file \"%s\" has group or world access; file must have permissions u=rw (0600) or less "
		         "if owned by the current user, or permissions u=rw,g=r (0640) or less if owned by root",
		         cc->key_path);
		return false;
	}
	pc.password = p->sslpassword && p->sslpassword[0] ? p->sslpassword : NULL;
	SSL_CTX_set_default_passwd_cb(ctx, pass_cb);
	SSL_CTX_set_default_passwd_cb_userdata(ctx, &pc);
	ERR_clear_error();
	if (SSL_CTX_use_PrivateKey_file(ctx, cc->key_path, SSL_FILETYPE_PEM) != 1)
	{
		ossl_text(why, sizeof(why));
		if (SSL_CTX_use_PrivateKey_file(ctx, cc->key_path, SSL_FILETYPE_ASN1) != 1)
		{
			ERR_clear_error();
			cc->key_encrypted_no_password = pc.asked && pc.password == NULL;
			snprintf(cc->error, sizeof(cc->error), "could not load private key file \"%s\": %s", cc->key_path, why);
		}
	}
	SSL_CTX_set_default_passwd_cb(ctx, NULL);
	SSL_CTX_set_default_passwd_cb_userdata(ctx, NULL);
	if (cc->error[0])
		return false;
check:
	if (SSL_CTX_check_private_key(ctx) != 1)
	{
		ossl_text(why, sizeof(why));
		snprintf(cc->error, sizeof(cc->error), "certificate does not match private key file \"%s\": %s", cc->key_path,
		         why);
		return false;
	}
	return true;
}

void
pgtls__probe_load_client_cert(pgtls_probe *p, SSL_CTX *ctx)
{
	clientcert_eval *cc = &p->cc;
	char home[1024], why[256];
	struct stat st;
	X509 *leaf;

	memset(cc, 0, sizeof(*cc));
	pgtls__home_dir(p->home, home, sizeof(home));
	if (p->sslcert && p->sslcert[0])
		snprintf(cc->cert_path, sizeof(cc->cert_path), "%s", p->sslcert);
	else if (home[0])
		snprintf(cc->cert_path, sizeof(cc->cert_path), "%s/.postgresql/postgresql.crt", home);
	if (cc->cert_path[0] == '\0')
		return;
	if (stat(cc->cert_path, &st) != 0)
	{
		/* not there: go on without a client certificate */
		if (errno != ENOENT && errno != ENOTDIR)
			snprintf(cc->error, sizeof(cc->error), "could not open certificate file \"%s\": %s", cc->cert_path,
			         strerror(errno));
		return;
	}
	cc->cert_exists = true;
	ERR_clear_error();
	if (SSL_CTX_use_certificate_chain_file(ctx, cc->cert_path) != 1)
	{
		ossl_text(why, sizeof(why));
		snprintf(cc->error, sizeof(cc->error), "could not read certificate file \"%s\": %s", cc->cert_path, why);
		return;
	}
	leaf = SSL_CTX_get0_certificate(ctx);
	if (leaf)
		pgtls__name_str(X509_get_subject_name(leaf), cc->subject, sizeof(cc->subject));
	cc->presented = load_key(p, ctx, home);
	ERR_clear_error();
}
