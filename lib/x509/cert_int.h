/*-------------------------------------------------------------------------
 *
 * cert_int.h
 *	  The certificate handle (pgtls_cert): typed fields read once from an
 *	  X509, shared by the probe, the store and the JSON serializer.
 *
 * IDENTIFICATION
 *	  lib/x509/cert_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_CERT_INT_H
#define PGTLS_CERT_INT_H

#include "pgtls_int.h"

struct x509_st;
struct json_t;

struct pgtls_cert
{
	struct x509_st *x509; /* own reference */
	char subject[512];
	char issuer[512];
	char known[128];      /* a known cloud CA ("rds-ca-rsa2048-g1 us-east-1"), or "" (known.c) */
	char named_like[128]; /* an RDS CA's name on a certificate that is not AWS's, or "" (known.c) */
	char serial[128];
	bool has_serial;
	char not_before[32];
	char not_after[32];
	int days_left;
	bool has_days_left;
	bool expired;
	bool not_yet_valid;
	char key_type[16];
	bool has_key;
	int key_bits;
	char key_curve[64];
	char sigalg[80];
	char sha1[64];
	char sha256[100];
	bool is_ca;
	bool self_signed;
	char **san[2]; /* [0] DNS, [1] IP */
	int nsan[2];
};

/* Takes a reference on X; NULL when out of memory. */
pgtls_cert *pgtls__cert_new(struct x509_st *x);
void pgtls__cert_free(pgtls_cert *c);

/* lib/report/json_probe.c: the "chain" element of the documented JSON */
struct json_t *pgtls__cert_to_json(const pgtls_cert *c);

/*
 * known.c: the name of a known cloud CA for C (its SHA-256 already made),
 * or false; NAMED_LIKE: the RDS name the subject carries when the
 * certificate is not AWS's
 */
bool pgtls__known_ca(const pgtls_cert *c, char *out, size_t outlen, char *named_like, size_t nlen);

#endif /* PGTLS_CERT_INT_H */
