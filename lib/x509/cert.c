/*-------------------------------------------------------------------------
 *
 * cert.c
 *	  Certificate summaries: names, validity, key, fingerprints.
 *
 * IDENTIFICATION
 *	  lib/x509/cert.c
 *
 * NOTES
 *	  Fingerprints are printed as keytool does (upper-case hex, colon
 *	  separated) so users can compare them with vendor pages by eye.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <openssl/err.h>

#include "x509/cert_int.h"

void
pgtls__fingerprint(X509 *cert, const char *mdname, char *out, size_t outlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	const EVP_MD *type = EVP_get_digestbyname(mdname);
	size_t pos = 0;
	unsigned int i;

	out[0] = '\0';
	if (type == NULL || X509_digest(cert, type, md, &n) != 1)
		return;
	for (i = 0; i < n && pos + 3 < outlen; i++)
		pos += (size_t)snprintf(out + pos, outlen - pos, i ? ":%02X" : "%02X", md[i]);
}

static bool
asn1_to_epoch(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return false;
	*out = timegm(&tm);
	return true;
}

bool
pgtls__days_left(X509 *cert, int *days)
{
	time_t na;
	long long secs;

	if (!asn1_to_epoch(X509_get0_notAfter(cert), &na))
		return false;
	secs = (long long)na - (long long)time(NULL);
	/* whole days left, rounded toward -infinity so "expired today" is -1 */
	*days = (int)(secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400));
	return true;
}

void
pgtls__name_str(const X509_NAME *name, char *out, size_t outlen)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;

	snprintf(out, outlen, "?");
	if (b == NULL)
		return;
	X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	n = BIO_get_mem_data(b, &data);
	pgtls__sanitize(data, n > 0 ? (size_t)n : 0, out, outlen);
	BIO_free(b);
}

static void
time_str(const ASN1_TIME *t, char *out, size_t outlen)
{
	time_t e;
	struct tm tm;

	out[0] = '\0';
	if (asn1_to_epoch(t, &e) && gmtime_r(&e, &tm) != NULL)
		strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
read_key(pgtls_cert *c)
{
	EVP_PKEY *pk = X509_get0_pubkey(c->x509);
	const char *type = "unknown";

	if (pk == NULL)
	{
		snprintf(c->key_type, sizeof(c->key_type), "%s", type);
		return;
	}
	switch (EVP_PKEY_get_base_id(pk))
	{
		case EVP_PKEY_RSA:
			type = "RSA";
			break;
		case EVP_PKEY_EC:
			type = "EC";
			{
				size_t len = 0;

				if (EVP_PKEY_get_utf8_string_param(pk, "group", c->key_curve, sizeof(c->key_curve), &len) != 1)
					c->key_curve[0] = '\0';
			}
			break;
		case EVP_PKEY_ED25519:
			type = "Ed25519";
			break;
		case EVP_PKEY_ED448:
			type = "Ed448";
			break;
		case EVP_PKEY_DSA:
			type = "DSA";
			break;
		default:
			break;
	}
	snprintf(c->key_type, sizeof(c->key_type), "%s", type);
	c->key_bits = EVP_PKEY_get_bits(pk);
	c->has_key = true;
}

static bool
push_san(pgtls_cert *c, int ip, const char *data, size_t len)
{
	char **grown;
	char *copy = malloc(len + 1);

	if (copy == NULL)
		return false;
	pgtls__sanitize(data, len, copy, len + 1);
	grown = realloc(c->san[ip], (size_t)(c->nsan[ip] + 1) * sizeof(char *));
	if (grown == NULL)
	{
		free(copy);
		return false;
	}
	c->san[ip] = grown;
	c->san[ip][c->nsan[ip]++] = copy;
	return true;
}

static bool
read_sans(pgtls_cert *c)
{
	STACK_OF(GENERAL_NAME) *san = X509_get_ext_d2i(c->x509, NID_subject_alt_name, NULL, NULL);
	bool ok = true;

	for (int i = 0; san && ok && i < sk_GENERAL_NAME_num(san); i++)
	{
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(san, i);

		if (gn->type == GEN_DNS)
			ok = push_san(c, 0, (const char *)ASN1_STRING_get0_data(gn->d.dNSName),
			              (size_t)ASN1_STRING_length(gn->d.dNSName));
		else if (gn->type == GEN_IPADD)
		{
			char buf[INET6_ADDRSTRLEN + 16] = "";
			int len = ASN1_STRING_length(gn->d.iPAddress);
			const unsigned char *d = ASN1_STRING_get0_data(gn->d.iPAddress);

			if (len == 4)
				inet_ntop(AF_INET, d, buf, sizeof(buf));
			else if (len == 16)
				inet_ntop(AF_INET6, d, buf, sizeof(buf));
			else
				snprintf(buf, sizeof(buf), "invalid(%d bytes)", len);
			ok = push_san(c, 1, buf, strlen(buf));
		}
	}
	sk_GENERAL_NAME_pop_free(san, GENERAL_NAME_free);
	return ok;
}

pgtls_cert *
pgtls__cert_new(X509 *x)
{
	pgtls_cert *c = calloc(1, sizeof(*c));
	char *serial = NULL;
	BIGNUM *bn;
	time_t nb = 0, na = 0;
	int signid;

	if (c == NULL || X509_up_ref(x) != 1)
	{
		free(c);
		return NULL;
	}
	c->x509 = x;
	pgtls__name_str(X509_get_subject_name(x), c->subject, sizeof(c->subject));
	pgtls__name_str(X509_get_issuer_name(x), c->issuer, sizeof(c->issuer));
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	if (bn)
		serial = BN_bn2hex(bn);
	snprintf(c->serial, sizeof(c->serial), "%s", serial ? serial : "");
	c->has_serial = serial != NULL;
	OPENSSL_free(serial);
	BN_free(bn);
	time_str(X509_get0_notBefore(x), c->not_before, sizeof(c->not_before));
	time_str(X509_get0_notAfter(x), c->not_after, sizeof(c->not_after));
	c->has_days_left = pgtls__days_left(x, &c->days_left);
	asn1_to_epoch(X509_get0_notBefore(x), &nb);
	asn1_to_epoch(X509_get0_notAfter(x), &na);
	c->expired = na != 0 && difftime(time(NULL), na) > 0;
	c->not_yet_valid = nb != 0 && difftime(nb, time(NULL)) > 0;
	read_key(c);
	signid = X509_get_signature_nid(x);
	snprintf(c->sigalg, sizeof(c->sigalg), "%s", signid != NID_undef ? OBJ_nid2ln(signid) : "unknown");
	pgtls__fingerprint(x, "SHA1", c->sha1, sizeof(c->sha1));
	pgtls__fingerprint(x, "SHA256", c->sha256, sizeof(c->sha256));
	/* after the fingerprint: AWS's CAs are known by it */
	(void)pgtls__known_ca(c, c->known, sizeof(c->known), c->named_like, sizeof(c->named_like));
	c->is_ca = X509_check_ca(x) > 0;
	c->self_signed = X509_self_signed(x, 0) == 1;
	if (!read_sans(c))
	{
		pgtls__cert_free(c);
		return NULL;
	}
	ERR_clear_error();
	return c;
}

void
pgtls__cert_free(pgtls_cert *c)
{
	if (c == NULL)
		return;
	for (int ip = 0; ip < 2; ip++)
	{
		for (int i = 0; i < c->nsan[ip]; i++)
			free(c->san[ip][i]);
		free(c->san[ip]);
	}
	X509_free(c->x509);
	free(c);
}

/* ---- public accessors ---- */

const char *
pgtls_cert_get(const pgtls_cert *c, pgtls_cert_field field)
{
	if (c == NULL)
		return "";
	switch (field)
	{
		case PGTLS_CERT_SUBJECT:
			return c->subject;
		case PGTLS_CERT_ISSUER:
			return c->issuer;
		case PGTLS_CERT_SERIAL:
			return c->serial;
		case PGTLS_CERT_NOT_BEFORE:
			return c->not_before;
		case PGTLS_CERT_NOT_AFTER:
			return c->not_after;
		case PGTLS_CERT_KEY_TYPE:
			return c->key_type;
		case PGTLS_CERT_KEY_CURVE:
			return c->key_curve;
		case PGTLS_CERT_SIGNATURE_ALGORITHM:
			return c->sigalg;
		case PGTLS_CERT_SHA1:
			return c->sha1;
		case PGTLS_CERT_SHA256:
			return c->sha256;
	}
	return "";
}

int
pgtls_cert_flag_set(const pgtls_cert *c, pgtls_cert_flag flag)
{
	if (c == NULL)
		return 0;
	switch (flag)
	{
		case PGTLS_CERT_IS_CA:
			return c->is_ca;
		case PGTLS_CERT_SELF_SIGNED:
			return c->self_signed;
		case PGTLS_CERT_EXPIRED:
			return c->expired;
		case PGTLS_CERT_NOT_YET_VALID:
			return c->not_yet_valid;
		case PGTLS_CERT_HAS_DAYS_LEFT:
			return c->has_days_left;
	}
	return 0;
}

int
pgtls_cert_days_left(const pgtls_cert *c)
{
	return c ? c->days_left : 0;
}

int
pgtls_cert_key_bits(const pgtls_cert *c)
{
	return c ? c->key_bits : 0;
}

int
pgtls_cert_nsan(const pgtls_cert *c, int ip)
{
	return c ? c->nsan[ip ? 1 : 0] : 0;
}

const char *
pgtls_cert_san(const pgtls_cert *c, int ip, int i)
{
	ip = ip ? 1 : 0;
	if (c == NULL || i < 0 || i >= c->nsan[ip])
		return NULL;
	return c->san[ip][i];
}
