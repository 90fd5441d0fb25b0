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

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "pgtls_int.h"

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

static json_t *name_json(const X509_NAME *name);

/*
 * Certificate text is attacker-controlled: keep valid UTF-8 as is,
 * otherwise replace non-ASCII and control bytes so the JSON stays valid.
 */
json_t *
pgtls__json_text(const char *data, size_t len)
{
	json_t *s;
	char *copy;
	size_t i;

	if (memchr(data, '\0', len) == NULL && (s = json_stringn(data, len)) != NULL)
		return s;
	copy = malloc(len + 1);
	if (copy == NULL)
		return NULL;
	for (i = 0; i < len; i++)
	{
		unsigned char ch = (unsigned char)data[i];

		copy[i] = (ch < 0x20 || ch >= 0x7f) ? '?' : (char)ch;
	}
	s = json_stringn(copy, len);
	free(copy);
	return s;
}

void
pgtls__name_str(const X509_NAME *name, char *out, size_t outlen)
{
	json_t *j = name_json(name);
	const char *s = json_string_value(j);

	snprintf(out, outlen, "%s", s ? s : "?");
	json_decref(j);
}

static json_t *
name_json(const X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;
	json_t *s;

	if (b == NULL)
		return NULL;
	X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	n = BIO_get_mem_data(b, &data);
	s = pgtls__json_text(data, n > 0 ? (size_t)n : 0);
	BIO_free(b);
	return s;
}

static json_t *
time_json(const ASN1_TIME *t)
{
	time_t e;
	struct tm tm;
	char buf[32];

	if (!asn1_to_epoch(t, &e) || gmtime_r(&e, &tm) == NULL)
		return json_null();
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

static void
add_key(json_t *o, X509 *cert)
{
	EVP_PKEY *pk = X509_get0_pubkey(cert);
	const char *type = "unknown";
	char curve[64] = "";

	if (pk == NULL)
	{
		json_object_set_new(o, "key_type", json_string(type));
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

				if (EVP_PKEY_get_utf8_string_param(pk, "group", curve, sizeof(curve), &len) != 1)
					curve[0] = '\0';
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
	json_object_set_new(o, "key_type", json_string(type));
	json_object_set_new(o, "key_bits", json_integer(EVP_PKEY_get_bits(pk)));
	if (curve[0])
		json_object_set_new(o, "key_curve", json_string(curve));
}

json_t *
pgtls__cert_json(X509 *cert, int64_t now)
{
	json_t *o = json_object();
	json_t *dns = json_array();
	json_t *ips = json_array();
	char fp[EVP_MAX_MD_SIZE * 3 + 1];
	char *serial = NULL;
	BIGNUM *bn;
	STACK_OF(GENERAL_NAME) * san;
	int days;
	time_t nb = 0, na = 0;
	int signid;

	(void)now;
	if (o == NULL || dns == NULL || ips == NULL)
	{
		json_decref(o);
		json_decref(dns);
		json_decref(ips);
		return NULL;
	}
	json_object_set_new(o, "subject", name_json(X509_get_subject_name(cert)));
	json_object_set_new(o, "issuer", name_json(X509_get_issuer_name(cert)));
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	if (bn)
		serial = BN_bn2hex(bn);
	json_object_set_new(o, "serial", serial ? json_string(serial) : json_null());
	OPENSSL_free(serial);
	BN_free(bn);
	json_object_set_new(o, "not_before", time_json(X509_get0_notBefore(cert)));
	json_object_set_new(o, "not_after", time_json(X509_get0_notAfter(cert)));
	if (pgtls__days_left(cert, &days))
		json_object_set_new(o, "days_left", json_integer(days));
	asn1_to_epoch(X509_get0_notBefore(cert), &nb);
	asn1_to_epoch(X509_get0_notAfter(cert), &na);
	json_object_set_new(o, "expired", json_boolean(na != 0 && difftime(time(NULL), na) > 0));
	json_object_set_new(o, "not_yet_valid", json_boolean(nb != 0 && difftime(nb, time(NULL)) > 0));

	san = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	if (san)
	{
		int i;

		for (i = 0; i < sk_GENERAL_NAME_num(san); i++)
		{
			const GENERAL_NAME *gn = sk_GENERAL_NAME_value(san, i);

			if (gn->type == GEN_DNS)
				json_array_append_new(dns, pgtls__json_text((const char *)ASN1_STRING_get0_data(gn->d.dNSName),
				                                            (size_t)ASN1_STRING_length(gn->d.dNSName)));
			else if (gn->type == GEN_IPADD)
			{
				char buf[INET6_ADDRSTRLEN] = "";
				int len = ASN1_STRING_length(gn->d.iPAddress);
				const unsigned char *d = ASN1_STRING_get0_data(gn->d.iPAddress);

				if (len == 4)
					inet_ntop(AF_INET, d, buf, sizeof(buf));
				else if (len == 16)
					inet_ntop(AF_INET6, d, buf, sizeof(buf));
				else
					snprintf(buf, sizeof(buf), "invalid(%d bytes)", len);
				json_array_append_new(ips, json_string(buf));
			}
		}
		sk_GENERAL_NAME_pop_free(san, GENERAL_NAME_free);
	}
	json_object_set_new(o, "san_dns", dns);
	json_object_set_new(o, "san_ip", ips);
	add_key(o, cert);
	signid = X509_get_signature_nid(cert);
	json_object_set_new(o, "signature_algorithm", json_string(signid != NID_undef ? OBJ_nid2ln(signid) : "unknown"));
	pgtls__fingerprint(cert, "SHA1", fp, sizeof(fp));
	json_object_set_new(o, "sha1", json_string(fp));
	pgtls__fingerprint(cert, "SHA256", fp, sizeof(fp));
	json_object_set_new(o, "sha256", json_string(fp));
	json_object_set_new(o, "is_ca", json_boolean(X509_check_ca(cert) > 0));
	json_object_set_new(o, "self_signed", json_boolean(X509_self_signed(cert, 0) == 1));
	return o;
}

char *
pgtls_cert_summary_der(const unsigned char *der, size_t derlen)
{
	const unsigned char *p = der;
	X509 *x;
	json_t *o;
	char *out;

	if (der == NULL || derlen == 0 || derlen > 1024 * 1024)
		return NULL;
	x = d2i_X509(NULL, &p, (long)derlen);
	if (x == NULL)
		return NULL;
	o = pgtls__cert_json(x, 0);
	X509_free(x);
	if (o == NULL)
		return NULL;
	out = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return out;
}
