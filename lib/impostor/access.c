/*-------------------------------------------------------------------------
 *
 * access.c
 *	  pgtls impostor: the certificates it starts from (a trusted CA, the
 *	  real server's names) and the typed accessors of its sessions.
 *
 * IDENTIFICATION
 *	  lib/impostor/access.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netdb.h>
#include <sys/stat.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "impostor/impostor_int.h"
#include "probe/probe_int.h"
#include "probe/results.h"
#include "x509/cert_int.h"

#define MAX_PEM_FILE (1024 * 1024)

/* FILE (bounded, regular) into a memory BIO; NULL with ERR set */
static BIO *
read_pem(pgtls_impostor *imp, const char *path, const char *what)
{
	char why[256];
	struct stat st;
	size_t len;
	char *buf;
	int fd = pgtls__open_regular(path, true, MAX_PEM_FILE, &st, why, sizeof(why));
	BIO *bio;

	if (fd < 0)
	{
		pgtls__seterr(&imp->err, PGTLS_ERR_IO, "%s %.300s: %s", what, path, why);
		return NULL;
	}
	buf = pgtls__read_all(fd, MAX_PEM_FILE, &len, why, sizeof(why));
	close(fd);
	if (buf == NULL)
	{
		pgtls__seterr(&imp->err, PGTLS_ERR_IO, "%s %.300s: %s", what, path, why);
		return NULL;
	}
	bio = BIO_new(BIO_s_mem());
	if (bio == NULL || BIO_write(bio, buf, (int)len) != (int)len)
	{
		BIO_free(bio);
		bio = NULL;
		pgtls__seterr(&imp->err, PGTLS_ERR_OOM, "out of memory");
	}
	OPENSSL_clear_free(buf, len); /* the key file's bytes too */
	return bio;
}

static int
key_password_cb(char *buf, int size, int rwflag, void *u)
{
	const char *pw = u;
	size_t n = pw ? strlen(pw) : 0;

	if (pw == NULL || n >= (size_t)size)
		return 0;
	memcpy(buf, pw, n);
	return (int)n;
}

static pgtls_err
load_ca_certs(pgtls_impostor *imp, const char *cert_path)
{
	BIO *bio = read_pem(imp, cert_path, "CA certificate");
	X509 *x;

	if (bio == NULL)
		return imp->err.code;
	imp->forge.ca = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	imp->forge.ca_extra = sk_X509_new_null();
	while (imp->forge.ca_extra && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (!sk_X509_push(imp->forge.ca_extra, x))
			X509_free(x);
	BIO_free(bio);
	ERR_clear_error();
	if (imp->forge.ca == NULL)
		return pgtls__seterr(&imp->err, PGTLS_ERR_PARSE, "CA certificate %.300s: no PEM certificate in it", cert_path);
	if (X509_check_ca(imp->forge.ca) == 0)
		return pgtls__seterr(&imp->err, PGTLS_ERR_USAGE, "CA certificate %.300s: not a CA certificate (CA:FALSE)",
		                     cert_path);
	return PGTLS_OK;
}

pgtls_err
pgtls_impostor_set_ca(pgtls_impostor *imp, const char *cert_path, const char *key_path, const char *key_password)
{
	BIO *bio;
	pgtls_err rc;

	if (imp->forge.ca)
		return pgtls__seterr(&imp->err, PGTLS_ERR_USAGE, "the CA is set already");
	rc = load_ca_certs(imp, cert_path);
	if (rc != PGTLS_OK || (bio = read_pem(imp, key_path, "CA key")) == NULL)
		goto fail;
	imp->forge.cakey = PEM_read_bio_PrivateKey(bio, NULL, key_password_cb, (void *)key_password);
	BIO_free(bio);
	ERR_clear_error();
	if (imp->forge.cakey == NULL)
	{
		rc = pgtls__seterr_hint(&imp->err, PGTLS_ERR_PARSE, key_password ? PGTLS_HINT_NONE : PGTLS_HINT_PASSWORD,
		                        "CA key %.300s: %s", key_path,
		                        key_password ? "cannot be read (not a PEM key, or a wrong password)"
		                                     : "cannot be read (not a PEM key, or encrypted)");
		goto fail;
	}
	if (X509_check_private_key(imp->forge.ca, imp->forge.cakey) != 1)
	{
		ERR_clear_error();
		rc = pgtls__seterr(&imp->err, PGTLS_ERR_USAGE, "CA key %.300s does not belong to the CA certificate %.300s",
		                   key_path, cert_path);
		goto fail;
	}
	return PGTLS_OK;
fail:
	X509_free(imp->forge.ca);
	EVP_PKEY_free(imp->forge.cakey);
	sk_X509_pop_free(imp->forge.ca_extra, X509_free);
	imp->forge.ca = NULL;
	imp->forge.cakey = NULL;
	imp->forge.ca_extra = NULL;
	return rc ? rc : imp->err.code;
}

pgtls_err
pgtls_impostor_set_like(pgtls_impostor *imp, const pgtls_probe *probe)
{
	if (probe->nchain < 1 || probe->chain[0] == NULL)
		return pgtls__seterr(&imp->err, PGTLS_ERR_USAGE, "the server served no certificate to copy");
	X509_free(imp->forge.like_leaf);
	X509_free(imp->forge.like_top);
	imp->forge.like_leaf = probe->chain[0]->x509;
	imp->forge.like_top = probe->chain[probe->nchain - 1]->x509;
	X509_up_ref(imp->forge.like_leaf);
	X509_up_ref(imp->forge.like_top);
	return PGTLS_OK;
}

pgtls_err
pgtls_impostor_set_relay(pgtls_impostor *imp, const pgtls_probe *canary, const char *conninfo)
{
	decoy_relay *r = &imp->relay;
	const char *addr = canary ? pgtls__probe_address(canary) : "";
	const char *port = canary && canary->port && canary->port[0] ? canary->port : "5432";
	struct addrinfo hints, *res = NULL;

	if (canary == NULL || !pgtls__probe_done(canary) || canary->nchain < 1 || canary->chain[0] == NULL)
		return pgtls__seterr(
		    &imp->err, PGTLS_ERR_USAGE,
		    "the canary served no certificate (it did not answer, or serves no TLS): nothing to relay to");
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (addr[0] == '\0' || getaddrinfo(addr, port, &hints, &res) != 0 || res->ai_addrlen > sizeof(r->to))
	{
		if (res)
			freeaddrinfo(res);
		return pgtls__seterr(&imp->err, PGTLS_ERR_USAGE, "the canary's address is not known");
	}
	pgtls__relay_clear(r);
	memcpy(&r->to, res->ai_addr, res->ai_addrlen);
	r->to_len = (unsigned)res->ai_addrlen;
	snprintf(r->to_text, sizeof(r->to_text), res->ai_family == AF_INET6 ? "[%s]:%s" : "%s:%s", addr, port);
	freeaddrinfo(res);
	r->leaf = canary->chain[0]->x509;
	X509_up_ref(r->leaf);
	if (conninfo && conninfo[0] && (r->conninfo = strdup(conninfo)) == NULL)
		return pgtls__seterr(&imp->err, PGTLS_ERR_OOM, "out of memory");
	return PGTLS_OK;
}

pgtls_prediction
pgtls_impostor_session_observed(const pgtls_impostor *imp, int i)
{
	const decoy_session *s = (i >= 0 && i < imp->nsessions) ? &imp->sessions[i] : NULL;
	pgtls_decoy_facts f;
	const char *proves;

	if (s == NULL)
		return PGTLS_PREDICT_UNKNOWN;
	pgtls__decoy_facts_of(s, imp->mode, &f);
	return pgtls__rules_rehearsal(&f, &proves);
}

static const decoy_session *
session_at(const pgtls_impostor *imp, int i)
{
	return (i >= 0 && i < imp->nsessions) ? &imp->sessions[i] : NULL;
}

/* what the connection did about TLS (the password is told beside it) */
static pgtls_decoy_verdict
transport_verdict(const decoy_session *s)
{
	for (int v = PGTLS_DECOY_SENT_PASSWORD - 1; v >= 0; v--)
		if (s->codes & (1u << v))
			return (pgtls_decoy_verdict)v;
	return PGTLS_DECOY_INCONCLUSIVE;
}

static const char *
request_words(const decoy_session *s)
{
	if (s->direct)
		return "direct";
	if (s->gss_request)
		return s->ssl_request ? "gssencrequest+sslrequest" : "gssencrequest";
	return s->ssl_request ? "sslrequest" : "none";
}

const char *
pgtls_impostor_session_get(const pgtls_impostor *imp, int i, pgtls_decoy_field field)
{
	const decoy_session *s = session_at(imp, i);
	pgtls_decoy_facts f;
	const char *proves;

	if (s == NULL)
		return "";
	switch (field)
	{
		case PGTLS_DS_PEER:
			return s->peer;
		case PGTLS_DS_STARTED:
			return s->started;
		case PGTLS_DS_REQUEST:
			return request_words(s);
		case PGTLS_DS_STARTUP:
			return !s->startup ? "none" : s->startup_tls ? "tls" : "plaintext";
		case PGTLS_DS_USER:
			return s->user;
		case PGTLS_DS_DATABASE:
			return s->database;
		case PGTLS_DS_APPNAME:
			return s->appname;
		case PGTLS_DS_TLS_VERSION:
			return s->tls_version;
		case PGTLS_DS_SNI:
			return s->sni;
		case PGTLS_DS_CLIENT_ALERT:
			return s->client_alert;
		case PGTLS_DS_PASSWORD:
			return s->password_length ? s->password_length : "";
		case PGTLS_DS_END:
			return s->end;
		case PGTLS_DS_PROVES:
			pgtls__decoy_facts_of(s, imp->mode, &f);
			pgtls__rules_rehearsal(&f, &proves);
			return proves;
		case PGTLS_DS_EXPLAIN:
		case PGTLS_DS_FIX:
			pgtls__decoy_facts_of(s, imp->mode, &f);
			if (pgtls__rules_decoy_rehearses(imp->mode))
				return field == PGTLS_DS_EXPLAIN ? pgtls__rehearsal_explain(&f, pgtls__rules_rehearsal(&f, &proves))
				                                 : "";
			return field == PGTLS_DS_EXPLAIN ? pgtls__decoy_explain(&f, transport_verdict(s))
			                                 : pgtls__decoy_fix(&f, transport_verdict(s));
	}
	return "";
}

pgtls_decoy_verdict
pgtls_impostor_session_verdict(const pgtls_impostor *imp, int i)
{
	const decoy_session *s = session_at(imp, i);

	for (int v = PGTLS_DECOY_VERDICT_COUNT - 1; s && v >= 0; v--)
		if (s->codes & (1u << v))
			return (pgtls_decoy_verdict)v;
	return PGTLS_DECOY_INCONCLUSIVE;
}

int
pgtls_impostor_session_has(const pgtls_impostor *imp, int i, pgtls_decoy_verdict verdict)
{
	const decoy_session *s = session_at(imp, i);

	return s && (unsigned)verdict < PGTLS_DECOY_VERDICT_COUNT && (s->codes & (1u << verdict)) ? 1 : 0;
}

int
pgtls_impostor_session_id(const pgtls_impostor *imp, int i)
{
	const decoy_session *s = session_at(imp, i);

	return s ? s->id : 0;
}

int
pgtls_impostor_session_retry_of(const pgtls_impostor *imp, int i)
{
	const decoy_session *s = session_at(imp, i);

	return s ? s->retry_of : 0;
}
