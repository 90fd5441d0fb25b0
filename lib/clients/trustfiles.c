/*-------------------------------------------------------------------------
 *
 * trustfiles.c
 *	  The trust files under the scanned paths: every PEM, DER, PKCS#7,
 *	  PKCS#12 and JKS/JCEKS file (by content, whatever its name), with
 *	  its certificates, whether or not a configuration that uses it was
 *	  understood.  pgtls rotation says which CAs each holds.
 *
 * IDENTIFICATION
 *	  lib/clients/trustfiles.c
 *
 * NOTES
 *	  The store readers (lib/store) read the bytes; a PKCS#12 file that
 *	  needs a password is listed with that reason, never passed over.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/x509.h>

#include "clients/clients_int.h"
#include "store/store_int.h"

/* does the file look like a trust file: by its bytes, or by a name certificate files have */
static bool
candidate(const char *path, const char *buf, size_t n, bool *by_name)
{
	static const char *const exts[] = {".der", ".cer", ".crt", ".pem",      ".p12",        ".pfx",
	                                   ".p7b", ".p7c", ".jks", ".keystore", ".truststore", ".jceks"};
	const unsigned char *u = (const unsigned char *)buf;
	const char *ext = strrchr(path, '.');

	*by_name = false;
	for (size_t i = 0; ext && i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcasecmp(ext, exts[i]) == 0)
			*by_name = true;
	if (n >= 4 && ((u[0] == 0xFE && u[1] == 0xED && u[2] == 0xFE && u[3] == 0xED) ||
	               (u[0] == 0xCE && u[1] == 0xCE && u[2] == 0xCE && u[3] == 0xCE)))
		return true; /* JKS, JCEKS */
	/* PEM: one search for the armour, then which kind */
	for (const char *p = buf; (p = memmem(p, (size_t)(buf + n - p), "-----BEGIN ", 11)) != NULL; p += 11)
	{
		size_t left = (size_t)(buf + n - p - 11);

		if ((left >= 16 && memcmp(p + 11, "CERTIFICATE-----", 16) == 0) ||
		    (left >= 10 && memcmp(p + 11, "PKCS7-----", 10) == 0) ||
		    (left >= 24 && memcmp(p + 11, "TRUSTED CERTIFICATE-----", 24) == 0))
			return true;
	}
	/* DER: an ASN.1 SEQUENCE (certificate, PKCS#7, PKCS#12) */
	return n >= 4 && u[0] == 0x30 && (u[1] == 0x82 || u[1] == 0x83 || u[1] == 0x81) && *by_name;
}

static void
fill(trust_file *t, const pgtls_store *st)
{
	t->ncerts = st->nentries;
	t->sha256 = calloc((size_t)(st->nentries ? st->nentries : 1), sizeof(*t->sha256));
	t->certs = calloc((size_t)(st->nentries ? st->nentries : 1), sizeof(*t->certs));
	if (t->sha256 == NULL || t->certs == NULL)
	{
		t->ncerts = 0;
		return;
	}
	for (int i = 0; i < st->nentries; i++)
	{
		pgtls__fingerprint(st->entries[i].cert, "SHA256", t->sha256[i], sizeof(t->sha256[i]));
		X509_up_ref(st->entries[i].cert);
		t->certs[i] = st->entries[i].cert;
	}
	t->format = st->nfiles > 0 ? st->files[0].format : "pem";
}

bool
pgtls__trust_file(pgtls_clients *c, const char *path, const char *buf, size_t n)
{
	pgtls_store *st;
	trust_file *t, *grown;
	bool by_name;

	if (!candidate(path, buf, n, &by_name))
		return false;
	if (c->ntfiles >= MAX_TRUST_FILES)
	{
		c->ntfiles_more++;
		return true;
	}
	if ((st = pgtls_store_new()) == NULL)
		return false;
	if (pgtls_store_load_mem(st, (const unsigned char *)buf, n, NULL, path) != PGTLS_OK && !by_name &&
	    memchr(buf, '\0', n < 8192 ? n : 8192) != NULL)
	{
		pgtls_store_free(st); /* binary that only looked like DER: not a trust file */
		return false;
	}
	grown = realloc(c->tfiles, (size_t)(c->ntfiles + 1) * sizeof(*grown));
	if (grown == NULL)
	{
		pgtls_store_free(st);
		return true;
	}
	c->tfiles = grown;
	t = &c->tfiles[c->ntfiles++];
	memset(t, 0, sizeof(*t));
	t->path = strdup(path);
	t->format = "unknown";
	if (pgtls_store_errcode(st) != PGTLS_OK)
		t->error = strdup(pgtls_store_errmsg(st));
	else
		fill(t, st);
	pgtls_store_free(st);
	return true;
}

void
pgtls__trust_files_free(pgtls_clients *c)
{
	for (int i = 0; i < c->ntfiles; i++)
	{
		for (int k = 0; k < c->tfiles[i].ncerts; k++)
			X509_free(c->tfiles[i].certs[k]);
		free(c->tfiles[i].certs);
		free(c->tfiles[i].sha256);
		free(c->tfiles[i].path);
		free(c->tfiles[i].error);
	}
	free(c->tfiles);
}

/* the same file? (a record's path may be spelled otherwise: compare what they are) */
static bool
same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (a == NULL || b == NULL)
		return false;
	if (strcmp(a, b) == 0)
		return true;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int
pgtls__trust_file_users(const pgtls_clients *c, const trust_file *t, int *idx, int max)
{
	int n = 0;

	for (int i = 0; i < c->nrecs; i++)
	{
		const client_rec *r = &c->recs[i];
		bool uses = (r->trust == PGTLS_TRUST_JVM && same_file(r->jvm_store, t->path)) ||
		            (r->trust != PGTLS_TRUST_JVM && r->rootcert && same_file(r->rootcert, t->path)) ||
		            same_file(r->extra_ca, t->path) || same_file(r->system_file, t->path);

		if (uses && n < max)
			idx[n] = i;
		n += uses;
	}
	return n;
}

int
pgtls_clients_ntrust_files(const pgtls_clients *c)
{
	return c ? c->ntfiles : 0;
}

const char *
pgtls_clients_trust_file_path(const pgtls_clients *c, int i)
{
	return c && i >= 0 && i < c->ntfiles ? c->tfiles[i].path : NULL;
}

int
pgtls_clients_trust_file_ncerts(const pgtls_clients *c, int i)
{
	return c && i >= 0 && i < c->ntfiles ? c->tfiles[i].ncerts : -1;
}

const char *
pgtls_clients_trust_file_error(const pgtls_clients *c, int i)
{
	return c && i >= 0 && i < c->ntfiles ? c->tfiles[i].error : NULL;
}

int
pgtls_clients_trust_file_users(const pgtls_clients *c, int i)
{
	return c && i >= 0 && i < c->ntfiles ? pgtls__trust_file_users(c, &c->tfiles[i], NULL, 0) : 0;
}
