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
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <jansson.h>
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

static pgtls_err
read_pem(pgtls_store *s, const uint8_t *buf, size_t len, int file)
{
	BIO *bio = BIO_new_mem_buf(buf, (int)len);
	int blocks = 0;
	int certs = 0;

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

static pgtls_err
ensure_libctx(pgtls_store *s)
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

static pgtls_err
read_p12(pgtls_store *s, PKCS12 *p12, const char *password, bool password_given, int file)
{
	STACK_OF(PKCS7) * asafes;
	const char *pass = password ? password : "";
	int i;
	pgtls_err rc = PGTLS_OK;

	if (ensure_libctx(s) != PGTLS_OK)
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
			return pgtls__seterr(&s->err, PGTLS_ERR_VERIFY, "PKCS#12 MAC verification failed: %s",
			                     password_given ? "wrong password, or the file is corrupted"
			                                    : "a password is needed (--password), or the file is corrupted");
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
	{
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
	}
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
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pgtls__seterr(&s->err, PGTLS_ERR_IO, "could not open \"%s\": %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
	{
		close(fd);
		return pgtls__seterr(&s->err, PGTLS_ERR_IO, "\"%s\" is not a regular file", path);
	}
	if (st.st_size > STORE_MAX_FILE)
	{
		close(fd);
		return pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "\"%s\": larger than %d MiB", path,
		                     STORE_MAX_FILE / (1024 * 1024));
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL)
	{
		close(fd);
		return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
	}
	while (got < (size_t)st.st_size)
	{
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
		{
			free(buf);
			close(fd);
			return pgtls__seterr(&s->err, PGTLS_ERR_IO, "could not read \"%s\": %s", path,
			                     n < 0 ? strerror(errno) : "file shrank while reading");
		}
		got += (size_t)n;
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

/* ---- queries ---- */

/* normalise "aa:bb cc" / "AABBCC" -> "AABBCC"; false if not hex of 20 or 32 bytes */
static bool
normalise_fp(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	for (; *in; in++)
	{
		if (*in == ':' || *in == ' ' || *in == '-')
			continue;
		if (!isxdigit((unsigned char)*in) || o + 1 >= outlen)
			return false;
		out[o++] = (char)toupper((unsigned char)*in);
	}
	out[o] = '\0';
	return o == 40 || o == 64;
}

static void
strip_colons(const char *in, char *out)
{
	for (; *in; in++)
		if (*in != ':')
			*out++ = *in;
	*out = '\0';
}

int
pgtls_store_find(pgtls_store *s, const char *fingerprint)
{
	char want[80];
	int i;

	if (s == NULL)
		return -2;
	pgtls__clearerr(&s->err);
	if (fingerprint == NULL || !normalise_fp(fingerprint, want, sizeof(want)))
	{
		pgtls__seterr(&s->err, PGTLS_ERR_USAGE,
		              "invalid fingerprint: expected 40 (SHA-1) or 64 (SHA-256) hex digits, colons optional");
		return -2;
	}
	for (i = 0; i < s->nentries; i++)
	{
		char fp[EVP_MAX_MD_SIZE * 3 + 1], bare[EVP_MAX_MD_SIZE * 2 + 1];

		pgtls__fingerprint(s->entries[i].cert, strlen(want) == 40 ? "SHA1" : "SHA256", fp, sizeof(fp));
		strip_colons(fp, bare);
		if (strcmp(bare, want) == 0)
			return i;
	}
	return -1;
}

typedef struct dup_key
{
	unsigned char md[32];
	int index;
} dup_key;

static int
cmp_dup_key(const void *a, const void *b)
{
	const dup_key *x = a, *y = b;
	int c = memcmp(x->md, y->md, sizeof(x->md));

	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/*
 * For each entry, the index of the first entry holding the same
 * certificate (same SHA-256 of the DER), or -1.  Sorting the digests keeps
 * this O(n log n) for stores of 100,000 certificates.  NULL when out of
 * memory (or empty); caller frees.
 */
const int *
pgtls__store_dups_cached(pgtls_store *s)
{
	if (s->dups_for != s->nentries || s->dups == NULL)
	/* stale (-1 after any change) or made for another count */
	{
		free(s->dups);
		s->dups = pgtls__store_dups(s);
		s->dups_for = s->dups ? s->nentries : -1;
	}
	return s->dups;
}

int *
pgtls__store_dups(const pgtls_store *s)
{
	dup_key *keys;
	int *dup;
	int n = s->nentries;

	if (n == 0)
		return NULL;
	keys = calloc((size_t)n, sizeof(*keys));
	dup = malloc((size_t)n * sizeof(*dup));
	if (keys == NULL || dup == NULL)
	{
		free(keys);
		free(dup);
		return NULL;
	}
	for (int i = 0; i < n; i++)
	{
		unsigned int len = 0;

		X509_digest(s->entries[i].cert, EVP_sha256(), keys[i].md, &len);
		keys[i].index = i;
		dup[i] = -1;
	}
	qsort(keys, (size_t)n, sizeof(*keys), cmp_dup_key);
	/* sorted by (digest, index): the first of each run is the earliest entry */
	for (int i = 1, start = 0; i < n; i++)
	{
		if (memcmp(keys[start].md, keys[i].md, sizeof(keys[i].md)) != 0)
			start = i;
		else
			dup[keys[i].index] = keys[start].index;
	}
	free(keys);
	return dup;
}

bool
pgtls__store_cert_expired(X509 *x)
{
	return X509_cmp_current_time(X509_get0_notAfter(x)) < 0;
}

pgtls_err
pgtls_store_dedupe(pgtls_store *s, int drop_expired)
{
	int i, o = 0;
	int *dup, *newidx;

	if (s == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&s->err);
	dup = pgtls__store_dups(s);
	newidx = calloc((size_t)(s->nentries ? s->nentries : 1), sizeof(int));
	if ((dup == NULL && s->nentries) || newidx == NULL)
	{
		free(dup);
		free(newidx);
		return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
	}
	for (i = 0; i < s->nentries; i++)
	{
		store_entry *e = &s->entries[i];
		bool expired = !(dup[i] >= 0) && drop_expired && pgtls__store_cert_expired(e->cert);

		if (dup[i] >= 0 || expired)
		{
			store_removed *grown = realloc(s->removed, (size_t)(s->nremoved + 1) * sizeof(*grown));

			if (grown == NULL)
			{
				free(dup);
				free(newidx);
				return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
			}
			s->removed = grown;
			grown += s->nremoved++;
			memset(grown, 0, sizeof(*grown));
			grown->source = strdup(s->files[e->file].path);
			snprintf(grown->alias, sizeof(grown->alias), "%s", e->alias);
			pgtls__name_str(X509_get_subject_name(e->cert), grown->subject, sizeof(grown->subject));
			pgtls__fingerprint(e->cert, "SHA256", grown->sha256, sizeof(grown->sha256));
			grown->duplicate_of = dup[i] >= 0 ? newidx[dup[i]] + 1 : 0;
			grown->expired = expired;
			X509_free(e->cert);
			pgtls__cert_free(e->info);
			continue;
		}
		newidx[i] = o;
		s->entries[o++] = *e;
	}
	s->nentries = o;
	s->dups_for = -1;
	free(dup);
	free(newidx);
	return PGTLS_OK;
}

/* ---- JSON ---- */

char *
pgtls_store_json(const pgtls_store *s, int pretty)
{
	json_t *rep;
	char *out;

	if (s == NULL || (rep = pgtls__store_to_json(s)) == NULL)
		return NULL;
	out = json_dumps(rep, JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT));
	json_decref(rep);
	return out;
}

/* ---- writing ---- */

/* lower-case alias from the entry or its subject CN, unique in the store */
static void
assign_aliases(pgtls_store *s)
{
	int i, j;

	for (i = 0; i < s->nentries; i++)
	{
		store_entry *e = &s->entries[i];
		char base[STORE_ALIAS_MAX];
		char *p;
		int n = 1;

		if (e->alias[0])
			snprintf(base, sizeof(base), "%s", e->alias);
		else
		{
			X509_NAME *nm = X509_get_subject_name(e->cert);
			int idx = X509_NAME_get_index_by_NID(nm, NID_commonName, -1);

			base[0] = '\0';
			if (idx >= 0)
			{
				const ASN1_STRING *cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, idx));
				int len = ASN1_STRING_length(cn);

				snprintf(base, sizeof(base), "%.*s", len < 200 ? len : 200, (const char *)ASN1_STRING_get0_data(cn));
			}
			if (base[0] == '\0')
				snprintf(base, sizeof(base), "cert%d", i + 1);
		}
		for (p = base; *p; p++)
		{
			unsigned char c = (unsigned char)*p;

			*p = (c < 0x20 || c >= 0x7f) ? '_' : (char)tolower(c);
		}
		snprintf(e->alias, sizeof(e->alias), "%s", base);
		for (j = 0; j < i; j++)
		{
			if (strcmp(s->entries[j].alias, e->alias) == 0)
			{
				snprintf(e->alias, sizeof(e->alias), "%.240s-%d", base, ++n);
				j = -1; /* re-check against all */
			}
		}
	}
}

static pgtls_err
write_p12(pgtls_store *s, const char *password, uint8_t **out, size_t *outlen)
{
	STACK_OF(PKCS12_SAFEBAG) *bags = sk_PKCS12_SAFEBAG_new_null();
	STACK_OF(PKCS7) *safes = sk_PKCS7_new_null();
	ASN1_OBJECT *anyeku = OBJ_txt2obj(ANY_EKU_OID, 1);
	PKCS7 *p7 = NULL;
	PKCS12 *p12 = NULL;
	pgtls_err rc = PGTLS_OK;
	int i, len;
	unsigned char *der = NULL;

	if (ensure_libctx(s) != PGTLS_OK)
		rc = s->err.code;
	else if (!bags || !safes || !anyeku)
		rc = pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
	for (i = 0; rc == PGTLS_OK && i < s->nentries; i++)
	{
		PKCS12_SAFEBAG *bag = PKCS12_SAFEBAG_create_cert(s->entries[i].cert);

		if (bag == NULL || !PKCS12_add_friendlyname_utf8(bag, s->entries[i].alias, -1) ||
		    !PKCS12_add1_attr_by_txt(bag, JAVA_TRUSTED_OID, V_ASN1_OBJECT, (const unsigned char *)anyeku, -1) ||
		    !sk_PKCS12_SAFEBAG_push(bags, bag))
		{
			PKCS12_SAFEBAG_free(bag);
			rc = pgtls__seterr(&s->err, PGTLS_ERR_OOM, "could not build PKCS#12 certificate bag %d", i + 1);
		}
	}
	if (rc == PGTLS_OK)
	{
		/* OpenSSL 3 / Java 17 default protection: PBES2 + AES-256-CBC, HMAC-SHA256 MAC */
		p7 = PKCS12_pack_p7encdata_ex(NID_aes_256_cbc, password, -1, NULL, 0, PKCS12_DEFAULT_ITER, bags, s->libctx,
		                              NULL);
		if (p7 == NULL || !sk_PKCS7_push(safes, p7))
		{
			PKCS7_free(p7);
			rc = pgtls__seterr(&s->err, PGTLS_ERR_TLS, "could not encrypt PKCS#12 contents");
		}
	}
	if (rc == PGTLS_OK)
	{
		p12 = PKCS12_add_safes_ex(safes, 0, s->libctx, NULL);
		if (p12 == NULL || PKCS12_set_mac(p12, password, -1, NULL, 0, PKCS12_DEFAULT_ITER, EVP_sha256()) != 1)
			rc = pgtls__seterr(&s->err, PGTLS_ERR_TLS, "could not build PKCS#12 file");
	}
	if (rc == PGTLS_OK)
	{
		len = i2d_PKCS12(p12, &der);
		if (len <= 0)
			rc = pgtls__seterr(&s->err, PGTLS_ERR_OOM, "could not encode PKCS#12 file");
		else
		{
			*out = malloc((size_t)len);
			if (*out == NULL)
				rc = pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
			else
			{
				memcpy(*out, der, (size_t)len);
				*outlen = (size_t)len;
			}
			OPENSSL_free(der);
		}
	}
	PKCS12_free(p12);
	sk_PKCS7_pop_free(safes, PKCS7_free);
	sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
	ASN1_OBJECT_free(anyeku);
	ERR_clear_error();
	return rc;
}

pgtls_err
pgtls_store_write_mem(pgtls_store *s, const char *format, const char *password, unsigned char **out, size_t *outlen)
{
	if (s == NULL || format == NULL || out == NULL || outlen == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&s->err);
	*out = NULL;
	*outlen = 0;
	if (s->nentries == 0)
		return pgtls__seterr(&s->err, PGTLS_ERR_USAGE, "no certificates to write");
	assign_aliases(s);
	if (strcmp(format, "pem") == 0)
	{
		BIO *b = BIO_new(BIO_s_mem());
		char *data;
		long n;
		int i;

		if (b == NULL)
			return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
		for (i = 0; i < s->nentries; i++)
			if (PEM_write_bio_X509(b, s->entries[i].cert) != 1)
			{
				BIO_free(b);
				return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "could not encode certificate %d", i + 1);
			}
		n = BIO_get_mem_data(b, &data);
		*out = malloc((size_t)n);
		if (*out)
		{
			memcpy(*out, data, (size_t)n);
			*outlen = (size_t)n;
		}
		BIO_free(b);
		return *out ? PGTLS_OK : pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
	}
	if (strcmp(format, "der") == 0)
	{
		unsigned char *der = NULL;
		int n;

		if (s->nentries != 1)
			return pgtls__seterr(
			    &s->err, PGTLS_ERR_USAGE,
			    "DER holds a single certificate, and there are %d to write: use --format pem, p12 or jks", s->nentries);
		n = i2d_X509(s->entries[0].cert, &der);
		if (n <= 0)
			return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "could not encode certificate");
		*out = malloc((size_t)n);
		if (*out)
		{
			memcpy(*out, der, (size_t)n);
			*outlen = (size_t)n;
		}
		OPENSSL_free(der);
		return *out ? PGTLS_OK : pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
	}
	if (strcmp(format, "p12") == 0 || strcmp(format, "pkcs12") == 0)
		return write_p12(s, password ? password : "changeit", out, outlen);
	if (strcmp(format, "jks") == 0)
		return pgtls__jks_write(s, password ? password : "changeit", out, outlen);
	return pgtls__seterr(&s->err, PGTLS_ERR_USAGE, "unknown format \"%s\": expected pem, der, p12 or jks", format);
}

/*
 * Writes DATA to PATH atomically: a temporary file in the same directory,
 * fsync, then rename.  Refuses to replace an existing file unless FORCE.
 */
static pgtls_err
write_atomic(pgtls_errslot *err, const char *path, const unsigned char *data, size_t len, int force)
{
	struct stat st;
	char *tmp;
	int fd;
	size_t off = 0;

	if (!force && lstat(path, &st) == 0)
		return pgtls__seterr(err, PGTLS_ERR_USAGE, "\"%s\" exists: use --force to overwrite it", path);
	tmp = malloc(strlen(path) + 16);
	if (tmp == NULL)
		return pgtls__seterr(err, PGTLS_ERR_OOM, "out of memory");
	snprintf(tmp, strlen(path) + 16, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
	{
		pgtls__seterr(err, PGTLS_ERR_IO, "could not create a temporary file next to \"%s\": %s", path, strerror(errno));
		free(tmp);
		return err->code;
	}
	while (off < len)
	{
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (off != len || fchmod(fd, 0644) != 0 || fsync(fd) != 0)
	{
		pgtls__seterr(err, PGTLS_ERR_IO, "could not write \"%s\": %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		free(tmp);
		return err->code;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0)
	{
		pgtls__seterr(err, PGTLS_ERR_IO, "could not rename \"%s\" to \"%s\": %s", tmp, path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return err->code;
	}
	free(tmp);
	return PGTLS_OK;
}

pgtls_err
pgtls_store_write_file(pgtls_store *s, const char *path, const char *format, const char *password, int force)
{
	unsigned char *data = NULL;
	size_t len = 0;
	pgtls_err rc;

	if (s == NULL || path == NULL)
		return PGTLS_ERR_USAGE;
	rc = pgtls_store_write_mem(s, format, password, &data, &len);
	if (rc != PGTLS_OK)
		return rc;
	rc = write_atomic(&s->err, path, data, len, force);
	OPENSSL_cleanse(data, len);
	free(data);
	return rc;
}
