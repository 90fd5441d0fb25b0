/*-------------------------------------------------------------------------
 *
 * store_write.c
 *	  Writing trust stores: PEM, DER (one certificate), PKCS#12 with Java
 *	  trusted-certificate bags, JKS (jks.c); atomic file replacement.
 *
 * IDENTIFICATION
 *	  lib/store/store_write.c
 *
 * NOTES
 *	  Files are written to a temporary file beside the target, fsync'ed
 *	  and renamed; an existing file is replaced only when asked (force).
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "store/store_int.h"

#define JAVA_TRUSTED_OID "2.16.840.1.113894.746875.1.1"
#define ANY_EKU_OID "2.5.29.37.0"

/* ---- writing ---- */

/* lower-case alias from the entry or its subject CN, unique in the store */
typedef struct alias_slot
{
	char *key; /* NULL: empty */
	int value;
} alias_slot;

static size_t
alias_hash(const char *k)
{
	size_t h = 1469598103934665603ULL;

	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ULL;
	return h;
}

/* the slot of KEY (linear probing); with INSERT the empty slot where it would go, else NULL when absent */
static alias_slot *
slot_find(alias_slot *t, size_t cap, const char *key, bool insert)
{
	for (size_t i = alias_hash(key) & (cap - 1);; i = (i + 1) & (cap - 1))
	{
		if (t[i].key == NULL)
			return insert ? &t[i] : NULL;
		if (strcmp(t[i].key, key) == 0)
			return &t[i];
	}
}

/* an entry's alias before uniquifying: its own, else its CN, else certN; lower case, printable */
static void
alias_base(const store_entry *e, int i, char *base, size_t len)
{
	if (e->alias[0])
		snprintf(base, len, "%s", e->alias);
	else
	{
		X509_NAME *nm = X509_get_subject_name(e->cert);
		int idx = X509_NAME_get_index_by_NID(nm, NID_commonName, -1);

		base[0] = '\0';
		if (idx >= 0)
		{
			const ASN1_STRING *cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, idx));
			int n = ASN1_STRING_length(cn);

			snprintf(base, len, "%.*s", n < 200 ? n : 200, (const char *)ASN1_STRING_get0_data(cn));
		}
		if (base[0] == '\0')
			snprintf(base, len, "cert%d", i + 1);
	}
	for (char *p = base; *p; p++)
	{
		unsigned char c = (unsigned char)*p;

		*p = (c < 0x20 || c >= 0x7f) ? '_' : (char)tolower(c);
	}
}

/*
 * OpenSSL parses some malformed certificates it then cannot read back once
 * re-encoded (found by fuzz_store_der): never write a store whose readers
 * would reject it.  Checked at write time only, so loading stays fast.
 */
static pgtls_err
check_reencoding(pgtls_store *s)
{
	for (int i = 0; i < s->nentries; i++)
	{
		unsigned char *der = NULL;
		int n = i2d_X509(s->entries[i].cert, &der);
		const unsigned char *p = der;
		X509 *back = n > 0 ? d2i_X509(NULL, &p, n) : NULL;
		bool ok = back != NULL && p == der + n;

		X509_free(back);
		OPENSSL_free(der);
		ERR_clear_error();
		if (!ok)
			return pgtls__seterr(&s->err, PGTLS_ERR_PARSE,
			                     "certificate %d (from %s) is malformed: it cannot be written so that it reads back",
			                     i + 1, s->files[s->entries[i].file].path);
	}
	return PGTLS_OK;
}

static pgtls_err
assign_aliases(pgtls_store *s)
{
	/* names taken, and per base name the next suffix to try: hash tables keep this linear (issue 9 D11) */
	size_t cap = 16;
	alias_slot *taken, *next;
	pgtls_err rc = PGTLS_OK;

	while (cap < (size_t)s->nentries * 4)
		cap *= 2;
	taken = calloc(cap, sizeof(*taken));
	next = calloc(cap, sizeof(*next));
	if (taken == NULL || next == NULL)
	{
		rc = pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
		goto out;
	}
	for (int i = 0; i < s->nentries; i++)
	{
		store_entry *e = &s->entries[i];
		char base[STORE_ALIAS_MAX];
		alias_slot *counter;

		alias_base(e, i, base, sizeof(base));
		snprintf(e->alias, sizeof(e->alias), "%s", base);
		counter = slot_find(next, cap, base, true);
		if (counter->key == NULL)
		{
			/* the base itself is the next candidate; keys of this table are copies */
			counter->key = strdup(base);
			counter->value = 1;
			if (counter->key == NULL)
			{
				rc = pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
				goto out;
			}
		}
		while (slot_find(taken, cap, e->alias, false) != NULL)
			snprintf(e->alias, sizeof(e->alias), "%.240s-%d", base, ++counter->value);
		slot_find(taken, cap, e->alias, true)->key = e->alias;
	}
out:
	for (size_t k = 0; next && k < cap; k++)
		free(next[k].key);
	free(taken);
	free(next);
	return rc;
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

	if (pgtls__store_libctx(s) != PGTLS_OK)
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
	if (check_reencoding(s) != PGTLS_OK || assign_aliases(s) != PGTLS_OK)
		return s->err.code;
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
			return pgtls__seterr_hint(&s->err, PGTLS_ERR_USAGE, PGTLS_HINT_MULTI_FORMAT,
			                          "DER holds a single certificate, and there are %d to write", s->nentries);
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
/* all of DATA to FD, with MODE (and the owner of what it replaces), synced */
static bool
fill(int fd, const unsigned char *data, size_t len, mode_t mode, const struct stat *replaced)
{
	size_t off = 0;

	while (off < len)
	{
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		off += (size_t)n;
	}
	/* a replaced file keeps its mode and (when we may) its owner and group */
	if (fchmod(fd, mode) != 0 || (replaced && fchown(fd, replaced->st_uid, replaced->st_gid) != 0 && errno != EPERM))
		return false;
	return fsync(fd) == 0;
}

/* a free temporary name beside PATH for the unnamed file FD (linkat through /proc); false if none */
static bool
link_temp(int fd, const char *path, char *tmp, size_t tmplen)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (int tries = 0; tries < 8; tries++)
	{
		unsigned int r = 0;

		(void)RAND_bytes((unsigned char *)&r, sizeof(r));
		snprintf(tmp, tmplen, "%s.tmp.%08x", path, r);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0)
			return true;
		if (errno != EEXIST)
			return false;
	}
	return false;
}

static pgtls_err
write_atomic(pgtls_errslot *err, const char *path, const unsigned char *data, size_t len, int force)
{
	struct stat st;
	bool exists = stat(path, &st) == 0;
	mode_t mode = exists ? (st.st_mode & 07777) : 0644;
	char *dir = strdup(path), *tmp = malloc(strlen(path) + 24);
	const char *dname;
	int fd = -1, dfd = -1;
	bool unnamed;
	pgtls_err rc = PGTLS_OK;

	if (dir == NULL || tmp == NULL)
	{
		rc = pgtls__seterr(err, PGTLS_ERR_OOM, "out of memory");
		goto out;
	}
	if (!force && exists)
	{
		rc = pgtls__seterr_hint(err, PGTLS_ERR_USAGE, PGTLS_HINT_FORCE, "\"%s\" exists", path);
		goto out;
	}
	dname = dirname(dir);
	/*
	 * An unnamed file (O_TMPFILE) leaves nothing behind if we are killed
	 * while writing; without it (some file systems), a named temporary.
	 */
	fd = open(dname, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	unnamed = fd >= 0;
	if (!unnamed)
	{
		snprintf(tmp, strlen(path) + 24, "%s.tmp.XXXXXX", path);
		fd = mkstemp(tmp);
	}
	if (fd < 0)
	{
		rc = pgtls__seterr(err, PGTLS_ERR_IO, "could not create a temporary file next to \"%s\": %s", path,
		                   strerror(errno));
		goto out;
	}
	if (!fill(fd, data, len, mode, exists ? &st : NULL))
	{
		rc = pgtls__seterr(err, PGTLS_ERR_IO, "could not write next to \"%s\": %s", path, strerror(errno));
		if (!unnamed)
			unlink(tmp);
		goto out;
	}
	if (unnamed && !force)
	{
		char proc[64];

		/* no clobbering: linking the finished file under its name fails if the name exists */
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0)
			goto synced;
		if (errno == EEXIST)
		{
			rc = pgtls__seterr_hint(err, PGTLS_ERR_USAGE, PGTLS_HINT_FORCE, "\"%s\" exists", path);
			goto out;
		}
	}
	if (unnamed && !link_temp(fd, path, tmp, strlen(path) + 24))
	{
		rc = pgtls__seterr(err, PGTLS_ERR_IO, "could not name the file written next to \"%s\": %s", path,
		                   strerror(errno));
		goto out;
	}
	/* no clobbering unless asked: the check and the rename are one step (renameat2 RENAME_NOREPLACE) */
	if ((force ? rename(tmp, path) : renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE)) != 0)
	{
		if (!force && errno == EEXIST)
			rc = pgtls__seterr_hint(err, PGTLS_ERR_USAGE, PGTLS_HINT_FORCE, "\"%s\" exists", path);
		else
			rc = pgtls__seterr(err, PGTLS_ERR_IO, "could not rename \"%s\" to \"%s\": %s", tmp, path, strerror(errno));
		unlink(tmp);
		goto out;
	}
synced:
	/* the new name must reach the disk too: fsync the directory */
	if ((dfd = open(dname, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
	{
		(void)fsync(dfd);
		close(dfd);
	}
out:
	if (fd >= 0)
		close(fd);
	free(dir);
	free(tmp);
	return rc;
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
