/*-------------------------------------------------------------------------
 *
 * store.c
 *	  Trust stores: load (PEM bundle, DER, PKCS#7, PKCS#12, JKS),
 *	  de-duplicate, find a fingerprint, write atomically.
 *
 * IDENTIFICATION
 *	  lib/store/store.c
 *
 * NOTES
 *	  PKCS#12 decryption uses a library context owned by the store, with
 *	  the default and legacy providers loaded into it: legacy RC2/3DES
 *	  files can be read without touching the host program's global OpenSSL
 *	  state.
 *
 *	  PKCS#12 output for Java: each certificate bag carries a friendlyName
 *	  and the Oracle "trusted key usage" attribute
 *	  (2.16.840.1.113894.746875.1.1 = anyExtendedKeyUsage), which is what
 *	  makes Java's PKCS12KeyStore load it as a trustedCertEntry (OpenSSL
 *	  3.2's -jdktrust does the same; 3.0 lacks it).
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "store/store_int.h"

#define JAVA_TRUSTED_OID "2.16.840.1.113894.746875.1.1"
#define ANY_EKU_OID "2.5.29.37.0"

pgtls_store *
pgtls_store_new(void)
{
	pgtls_store *s = calloc(1, sizeof(pgtls_store));

	if (s)
		s->dups_for = -1;
	return s;
}

static void
file_clear(store_file *f)
{
	free(f->path);
	for (int i = 0; i < f->nnotes; i++)
		free(f->notes[i]);
	free(f->notes);
}

void
pgtls_store_free(pgtls_store *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nentries; i++)
	{
		X509_free(s->entries[i].cert);
		pgtls__cert_free(s->entries[i].info);
	}
	free(s->entries);
	for (i = 0; i < s->nfiles; i++)
		file_clear(&s->files[i]);
	free(s->files);
	for (i = 0; i < s->nremoved; i++)
		free(s->removed[i].source);
	free(s->removed);
	free(s->dups);
	if (s->prov_legacy)
		OSSL_PROVIDER_unload(s->prov_legacy);
	if (s->prov_default)
		OSSL_PROVIDER_unload(s->prov_default);
	OSSL_LIB_CTX_free(s->libctx);
	free(s);
}

pgtls_err
pgtls_store_errcode(const pgtls_store *s)
{
	return s ? s->err.code : PGTLS_ERR_USAGE;
}

pgtls_hint
pgtls_store_errhint(const pgtls_store *s)
{
	return s ? s->err.hint : PGTLS_HINT_NONE;
}

const char *
pgtls_store_errmsg(const pgtls_store *s)
{
	return s ? s->err.msg : "no store";
}

int
pgtls_store_count(const pgtls_store *s)
{
	return s ? s->nentries : 0;
}

pgtls_err
pgtls__store_add(pgtls_store *s, X509 *cert, const char *alias, int file, bool key_entry, int java_trusted, int64_t ts)
{
	store_entry *e;

	if (s->nentries >= STORE_MAX_ENTRIES)
	{
		X509_free(cert);
		return pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "more than %d certificates", STORE_MAX_ENTRIES);
	}
	if (s->nentries == s->cap)
	{
		int nc = s->cap ? s->cap * 2 : 16;
		store_entry *ne = realloc(s->entries, sizeof(*ne) * (size_t)nc);

		if (ne == NULL)
		{
			X509_free(cert);
			return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
		}
		s->entries = ne;
		s->cap = nc;
	}
	s->dups_for = -1; /* the duplicate cache is stale */
	e = &s->entries[s->nentries++];
	memset(e, 0, sizeof(*e));
	e->cert = cert;
	snprintf(e->alias, sizeof(e->alias), "%s", alias ? alias : "");
	e->file = file;
	e->key_entry = key_entry;
	e->java_trusted = java_trusted;
	e->timestamp_ms = ts;
	return PGTLS_OK;
}

int
pgtls__store_add_file(pgtls_store *s, const char *path, const char *format)
{
	store_file *nf = realloc(s->files, sizeof(*nf) * (size_t)(s->nfiles + 1));

	if (nf == NULL)
		return -1;
	s->files = nf;
	nf = &s->files[s->nfiles];
	nf->path = strdup(path ? path : "(memory)");
	nf->format = format;
	nf->integrity = "none";
	nf->notes = NULL;
	nf->nnotes = 0;
	if (nf->path == NULL)
		return -1;
	return s->nfiles++;
}

void
pgtls__store_note(pgtls_store *s, int file, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	store_file *f = &s->files[file];
	char **grown;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (f->nnotes >= 1000)
		return; /* the count of notes says how many more: see the note below */
	grown = realloc(f->notes, (size_t)(f->nnotes + 1) * sizeof(*grown));
	if (grown == NULL)
		return;
	f->notes = grown;
	if ((f->notes[f->nnotes] = strdup(buf)) != NULL)
		f->nnotes++;
}

/* ---- PEM ---- */

/*
 * A "-----BEGIN" that does not start its line (indented, or glued to other
 * text) is invisible to OpenSSL's PEM reader: libpq skips that certificate
 * without a word, while pgjdbc's PEM reader and keytool refuse the whole
 * file.  Each one is a note with its line number, and counts as skipped.
 */
static void
misplaced_begins(pgtls_store *s, const uint8_t *buf, size_t len, int file)
{
	size_t i = 0;
	int line = 1;

	while (i < len)
	{
		const uint8_t *nl = memchr(buf + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - buf) : len;
		const uint8_t *b = memmem(buf + i, end - i, "-----BEGIN", 10);

		if (b && b != buf + i)
		{
			s->skipped++;
			pgtls__store_note(s, file,
			                  "line %d: \"-----BEGIN\" does not start the line: libpq (OpenSSL) skips this block "
			                  "without a word; pgjdbc and keytool reject the whole file",
			                  line);
		}
		i = end + 1;
		line++;
	}
}

static pgtls_err
read_pem(pgtls_store *s, const uint8_t *buf, size_t len, int file)
{
	BIO *bio = BIO_new_mem_buf(buf, (int)len);
	int blocks = 0;
	int certs = 0;

	misplaced_begins(s, buf, len, file);
	if (bio == NULL)
		return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
	for (;;)
	{
		char *name = NULL, *header = NULL;
		unsigned char *data = NULL;
		long dlen = 0;
		const unsigned char *p;

		ERR_clear_error();
		if (PEM_read_bio(bio, &name, &header, &data, &dlen) != 1)
		{
			unsigned long e = ERR_peek_last_error();

			if (ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
				break; /* end of input */
			BIO_free(bio);
			{
				char why[128];

				pgtls__ossl_reason(why, sizeof(why), "unknown OpenSSL error", true);
				return pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "malformed PEM block %d: %s", blocks + 1, why);
			}
		}
		blocks++;
		p = data;
		if (strcmp(name, PEM_STRING_X509) == 0 || strcmp(name, PEM_STRING_X509_OLD) == 0 ||
		    strcmp(name, PEM_STRING_X509_TRUSTED) == 0)
		{
			X509 *x =
			    strcmp(name, PEM_STRING_X509_TRUSTED) == 0 ? d2i_X509_AUX(NULL, &p, dlen) : d2i_X509(NULL, &p, dlen);

			if (x == NULL || p != data + dlen)
			{
				X509_free(x);
				OPENSSL_free(name);
				OPENSSL_free(header);
				OPENSSL_free(data);
				BIO_free(bio);
				ERR_clear_error();
				return pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "PEM block %d is not a valid certificate", blocks);
			}
			if (pgtls__store_add(s, x, NULL, file, false, -1, 0) != PGTLS_OK)
			{
				OPENSSL_free(name);
				OPENSSL_free(header);
				OPENSSL_free(data);
				BIO_free(bio);
				return s->err.code;
			}
			certs++;
		}
		else if (strcmp(name, PEM_STRING_PKCS7) == 0)
		{
			PKCS7 *p7 = d2i_PKCS7(NULL, &p, dlen);
			STACK_OF(X509) *sk = (p7 && PKCS7_type_is_signed(p7) && p7->d.sign) ? p7->d.sign->cert : NULL;
			int i;

			for (i = 0; sk && i < sk_X509_num(sk); i++)
			{
				X509 *x = sk_X509_value(sk, i);

				if (X509_up_ref(x) == 1 && pgtls__store_add(s, x, NULL, file, false, -1, 0) == PGTLS_OK)
					certs++;
			}
			if (p7 == NULL)
				pgtls__store_note(s, file, "PEM block %d (PKCS7) could not be parsed", blocks);
			PKCS7_free(p7);
		}
		else
			pgtls__store_note(s, file, "PEM block %d (%s) is not a certificate: skipped", blocks, name);
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
		if (s->err.code)
			break;
	}
	BIO_free(bio);
	ERR_clear_error();
	if (s->err.code)
		return s->err.code;
	if (certs == 0)
		return pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "no certificate found in PEM input (%d block%s)", blocks,
		                     blocks == 1 ? "" : "s");
	return PGTLS_OK;
}

/* ---- PKCS#12 ---- */

static bool
has_java_trust(const PKCS12_SAFEBAG *bag)
{
	const STACK_OF(X509_ATTRIBUTE) *attrs = PKCS12_SAFEBAG_get0_attrs(bag);
	int i;

	for (i = 0; i < sk_X509_ATTRIBUTE_num(attrs); i++)
	{
		char oid[64];

		if (OBJ_obj2txt(oid, sizeof(oid), X509_ATTRIBUTE_get0_object(sk_X509_ATTRIBUTE_value(attrs, i)), 1) > 0 &&
		    strcmp(oid, JAVA_TRUSTED_OID) == 0)
			return true;
	}
	return false;
}

static pgtls_err
p12_bags(pgtls_store *s, const STACK_OF(PKCS12_SAFEBAG) * bags, int file, int depth)
{
	int i;

	if (depth > 3)
		return pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "PKCS#12 safe contents nested too deeply");
	for (i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++)
	{
		const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, i);
		char *alias = PKCS12_get_friendlyname((PKCS12_SAFEBAG *)bag);
		pgtls_err rc = PGTLS_OK;

		switch (PKCS12_SAFEBAG_get_nid(bag))
		{
			case NID_certBag:
				if (PKCS12_SAFEBAG_get_bag_nid(bag) == NID_x509Certificate)
				{
					X509 *x = PKCS12_SAFEBAG_get1_cert(bag);
					bool keyed = PKCS12_get_attr_gen(PKCS12_SAFEBAG_get0_attrs(bag), NID_localKeyID) != NULL;

					if (x == NULL)
						rc = pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "corrupted certificate in PKCS#12 file");
					else
						rc = pgtls__store_add(s, x, alias, file, keyed, has_java_trust(bag) ? 1 : 0, 0);
				}
				else
					pgtls__store_note(s, file, "non-X.509 certificate bag skipped");
				break;
			case NID_keyBag:
			case NID_pkcs8ShroudedKeyBag:
				pgtls__store_note(s, file, "private key%s%s%s: never copied", alias ? " \"" : "", alias ? alias : "",
				                  alias ? "\"" : "");
				break;
			case NID_safeContentsBag:
				rc = p12_bags(s, PKCS12_SAFEBAG_get0_safes(bag), file, depth + 1);
				break;
			default:
				pgtls__store_note(s, file, "PKCS#12 bag of type %s skipped", OBJ_nid2sn(PKCS12_SAFEBAG_get_nid(bag)));
				break;
		}
		OPENSSL_free(alias);
		if (rc != PGTLS_OK)
			return rc;
	}
	return PGTLS_OK;
}

pgtls_err
pgtls__store_libctx(pgtls_store *s)
{
	if (s->libctx)
		return PGTLS_OK;
	s->libctx = OSSL_LIB_CTX_new();
	if (s->libctx == NULL)
		return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "could not create OpenSSL library context");
	s->prov_default = OSSL_PROVIDER_load(s->libctx, "default");
	/* the legacy provider may be absent: then only modern files decrypt */
	s->prov_legacy = OSSL_PROVIDER_load(s->libctx, "legacy");
	ERR_clear_error();
	if (s->prov_default == NULL)
		return pgtls__seterr(&s->err, PGTLS_ERR_TLS, "could not load OpenSSL's default provider");
	return PGTLS_OK;
}

#define P12_MAX_ITER 10000000L /* PBKDF2/PBE iterations: OpenSSL writes 2048, OWASP advises 600,000 */

static long
asn1_long(const ASN1_INTEGER *i)
{
	long v = i ? ASN1_INTEGER_get(i) : 0;

	return v < 0 ? LONG_MAX : v; /* -1 means too large for a long */
}

/* iteration count of a PKCS#5 (PBES1 or PBES2/PBKDF2) algorithm, 0 when not found */
static long
pbe_iterations(const X509_ALGOR *alg)
{
	long iter = 0;

	if (alg == NULL || alg->parameter == NULL)
		return 0;
	if (OBJ_obj2nid(alg->algorithm) == NID_pbes2)
	{
		PBE2PARAM *pbe2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter);
		PBKDF2PARAM *kdf = NULL;

		if (pbe2 && pbe2->keyfunc && OBJ_obj2nid(pbe2->keyfunc->algorithm) == NID_id_pbkdf2)
			kdf = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), pbe2->keyfunc->parameter);
		if (kdf)
			iter = asn1_long(kdf->iter);
		PBKDF2PARAM_free(kdf);
		PBE2PARAM_free(pbe2);
	}
	else
	{
		PBEPARAM *pbe = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBEPARAM), alg->parameter);

		if (pbe)
			iter = asn1_long(pbe->iter);
		PBEPARAM_free(pbe);
	}
	ERR_clear_error();
	return iter;
}

/*
 * A hostile file can ask for 2^31 key-derivation rounds: minutes of CPU per
 * password tried.  The counts are read before any derivation is run.
 */
static pgtls_err
check_iterations(pgtls_store *s, PKCS12 *p12)
{
	const ASN1_INTEGER *mac_iter = NULL;
	STACK_OF(PKCS7) * asafes;
	long worst = 0;

	if (PKCS12_mac_present(p12))
	{
		PKCS12_get0_mac(NULL, NULL, NULL, &mac_iter, p12);
		worst = mac_iter ? asn1_long(mac_iter) : 1;
	}
	asafes = PKCS12_unpack_authsafes(p12);
	for (int i = 0; asafes && i < sk_PKCS7_num(asafes); i++)
	{
		PKCS7 *p7 = sk_PKCS7_value(asafes, i);

		if (OBJ_obj2nid(p7->type) == NID_pkcs7_encrypted && p7->d.encrypted && p7->d.encrypted->enc_data)
		{
			long it = pbe_iterations(p7->d.encrypted->enc_data->algorithm);

			if (it > worst)
				worst = it;
		}
	}
	sk_PKCS7_pop_free(asafes, PKCS7_free);
	ERR_clear_error();
	if (worst > P12_MAX_ITER)
		return pgtls__seterr(&s->err, PGTLS_ERR_PARSE,
		                     "PKCS#12 file asks for %ld key-derivation iterations (at most %ld are accepted)", worst,
		                     P12_MAX_ITER);
	return PGTLS_OK;
}

static pgtls_err
read_p12(pgtls_store *s, PKCS12 *p12, const char *password, bool password_given, int file)
{
	STACK_OF(PKCS7) * asafes;
	const char *pass = password ? password : "";
	int i;
	pgtls_err rc = PGTLS_OK;

	if (pgtls__store_libctx(s) != PGTLS_OK || check_iterations(s, p12) != PGTLS_OK)
		return s->err.code;
	if (PKCS12_mac_present(p12))
	{
		/* OpenSSL convention: an empty password may be encoded as absent */
		if (PKCS12_verify_mac(p12, pass, -1))
			s->files[file].integrity = "verified";
		else if (pass[0] == '\0' && PKCS12_verify_mac(p12, NULL, 0))
		{
			s->files[file].integrity = "verified";
			pass = NULL;
		}
		else if (!password_given && PKCS12_verify_mac(p12, "changeit", -1))
		{
			/* the Java default, as for JKS */
			s->files[file].integrity = "verified";
			pass = "changeit";
			pgtls__store_note(s, file, "opened with the default password \"changeit\"");
		}
		else
		{
			ERR_clear_error();
			return pgtls__seterr_hint(&s->err, PGTLS_ERR_VERIFY, password_given ? PGTLS_HINT_NONE : PGTLS_HINT_PASSWORD,
			                          "PKCS#12 MAC verification failed: %s",
			                          password_given ? "wrong password, or the file is corrupted"
			                                         : "a password is needed, or the file is corrupted");
		}
	}
	else
		pgtls__store_note(s, file, "PKCS#12 file has no MAC: integrity not protected");

	asafes = PKCS12_unpack_authsafes(p12);
	if (asafes == NULL)
	{
		ERR_clear_error();
		return pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "corrupted PKCS#12 file (authenticated safe)");
	}
	for (i = 0; i < sk_PKCS7_num(asafes) && rc == PGTLS_OK; i++)
	{
		PKCS7 *p7 = sk_PKCS7_value(asafes, i);
		STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
		int nid = OBJ_obj2nid(p7->type);

		if (nid == NID_pkcs7_data)
			bags = PKCS12_unpack_p7data(p7);
		else if (nid == NID_pkcs7_encrypted && p7->d.encrypted && p7->d.encrypted->enc_data)
		{
			PKCS7_ENC_CONTENT *ec = p7->d.encrypted->enc_data;

			bags = PKCS12_item_decrypt_d2i_ex(ec->algorithm, ASN1_ITEM_rptr(PKCS12_SAFEBAGS), pass,
			                                  pass ? (int)strlen(pass) : 0, ec->enc_data, 1, s->libctx, NULL);
			if (bags == NULL)
			{
				char why[128];
				int pbe = OBJ_obj2nid(ec->algorithm->algorithm);

				pgtls__ossl_reason(why, sizeof(why), "unknown OpenSSL error", true);
				if (s->prov_legacy == NULL && pbe != NID_pbes2)
					rc = pgtls__seterr(&s->err, PGTLS_ERR_TLS,
					                   "cannot decrypt legacy PKCS#12 (%s): OpenSSL's legacy provider is not installed",
					                   OBJ_nid2sn(pbe));
				else
					rc = pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "cannot decrypt PKCS#12 certificates (%s): %s",
					                   OBJ_nid2sn(pbe), why);
				break;
			}
			if (OBJ_obj2nid(ec->algorithm->algorithm) != NID_pbes2)
				pgtls__store_note(s, file, "legacy encryption %s (read with OpenSSL's legacy provider)",
				                  OBJ_nid2ln(OBJ_obj2nid(ec->algorithm->algorithm)));
		}
		else
		{
			pgtls__store_note(s, file, "PKCS#12 safe of type %s skipped (public-key encrypted)", OBJ_nid2sn(nid));
			continue;
		}
		if (bags == NULL)
		{
			ERR_clear_error();
			rc = pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "corrupted PKCS#12 safe contents");
			break;
		}
		rc = p12_bags(s, bags, file, 0);
		sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	}
	sk_PKCS7_pop_free(asafes, PKCS7_free);
	ERR_clear_error();
	return rc;
}

/* ---- load ---- */

static bool
looks_pem(const uint8_t *buf, size_t len)
{
	static const char tag[] = "-----BEGIN ";
	size_t i;

	for (i = 0; i + sizeof(tag) - 1 <= len; i++)
		if (buf[i] == '-' && memcmp(buf + i, tag, sizeof(tag) - 1) == 0)
			return true;
	return false;
}

/* a DER input (BUF, LEN bytes) into FILE: PKCS#12, a certificate, or PKCS#7's certificates, whichever it parses as */
static pgtls_err
read_der(pgtls_store *s, const unsigned char *buf, size_t len, const char *password, int file)
{
	pgtls_err rc;
	const unsigned char *p = buf;
	PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);

	if (p12 && p == buf + len)
	{
		s->files[file].format = "pkcs12";
		rc = read_p12(s, p12, password, password != NULL, file);
		PKCS12_free(p12);
	}
	else
	{
		X509 *x;

		PKCS12_free(p12);
		p = buf;
		x = d2i_X509(NULL, &p, (long)len);
		if (x && p == buf + len)
		{
			s->files[file].format = "der";
			rc = pgtls__store_add(s, x, NULL, file, false, -1, 0);
		}
		else
		{
			PKCS7 *p7;

			X509_free(x);
			p = buf;
			p7 = d2i_PKCS7(NULL, &p, (long)len);
			if (p7 && p == buf + len && PKCS7_type_is_signed(p7) && p7->d.sign && p7->d.sign->cert)
			{
				int i;

				s->files[file].format = "pkcs7";
				rc = PGTLS_OK;
				for (i = 0; i < sk_X509_num(p7->d.sign->cert) && rc == PGTLS_OK; i++)
				{
					X509 *c = sk_X509_value(p7->d.sign->cert, i);

					if (X509_up_ref(c) == 1)
						rc = pgtls__store_add(s, c, NULL, file, false, -1, 0);
				}
			}
			else
				rc = pgtls__seterr(&s->err, PGTLS_ERR_PARSE,
				                   "not a valid DER certificate, PKCS#7 or PKCS#12 file (truncated or corrupted?)");
			PKCS7_free(p7);
		}
	}
	return rc;
}

pgtls_err
pgtls_store_load_mem(pgtls_store *s, const unsigned char *buf, size_t len, const char *password, const char *name)
{
	int file;
	int before;
	pgtls_err rc;

	if (s == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&s->err);
	if (len > STORE_MAX_FILE)
		return pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "%s: larger than %d MiB", name ? name : "input",
		                     STORE_MAX_FILE / (1024 * 1024));
	file = pgtls__store_add_file(s, name, "unknown");
	if (file < 0)
		return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
	before = s->nentries;
	ERR_clear_error();

	if (len == 0)
		rc = pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "empty file");
	else if (pgtls__jks_magic(buf, len))
	{
		const char *pw = password;

		/* keytool's default: verify with "changeit" when it matches */
		if (pw == NULL)
		{
			pgtls_store *probe = pgtls_store_new();

			if (probe && pgtls__store_add_file(probe, name, "jks") == 0 &&
			    pgtls__jks_read(probe, buf, len, "changeit", 0) == PGTLS_OK)
				pw = "changeit";
			pgtls_store_free(probe);
		}
		rc = pgtls__jks_read(s, buf, len, pw, file);
	}
	else if (looks_pem(buf, len))
	{
		s->files[file].format = "pem";
		rc = read_pem(s, buf, len, file);
	}
	else if (buf[0] == 0x30)
		rc = read_der(s, buf, len, password, file);
	else
		rc = pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "unrecognized format (not PEM, DER, PKCS#7, PKCS#12 or JKS)");
	ERR_clear_error();
	if (rc != PGTLS_OK)
	{
		/* no partial result: drop what this input added */
		while (s->nentries > before)
		{
			s->nentries--;
			s->dups_for = -1;
			X509_free(s->entries[s->nentries].cert);
			pgtls__cert_free(s->entries[s->nentries].info);
		}
		file_clear(&s->files[file]);
		s->nfiles--;
	}
	return rc;
}

pgtls_err
pgtls_store_load_file(pgtls_store *s, const char *path, const char *password)
{
	int fd;
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	pgtls_err rc;

	if (s == NULL || path == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&s->err);
	{
		char why[256];

		/* never blocks on a FIFO or device; only regular files of bounded size */
		fd = pgtls__open_regular(path, true, STORE_MAX_FILE, &st, why, sizeof(why));
		if (fd < 0)
			return pgtls__seterr(&s->err, PGTLS_ERR_IO, "could not open \"%s\": %s", path, why);
	}
	{
		char why[256];

		buf = (uint8_t *)pgtls__read_all(fd, STORE_MAX_FILE, &got, why, sizeof(why));
		if (buf == NULL)
		{
			close(fd);
			return pgtls__seterr(&s->err, PGTLS_ERR_IO, "could not read \"%s\": %s", path, why);
		}
	}
	close(fd);
	rc = pgtls_store_load_mem(s, buf, got, password, path);
	free(buf);
	if (rc != PGTLS_OK)
	{
		char msg[PGTLS_ERRMSG_MAX];

		snprintf(msg, sizeof(msg), "%s", s->err.msg);
		pgtls__clearerr(&s->err);
		pgtls__seterr(&s->err, rc, "%s: %s", path, msg);
	}
	return rc;
}

/* ---- JSON ---- */
