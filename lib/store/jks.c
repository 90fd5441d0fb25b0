/*-------------------------------------------------------------------------
 *
 * jks.c
 *	  Java KeyStore (JKS, and JCEKS trusted entries) read and write, without
 *	  keytool.
 *
 * IDENTIFICATION
 *	  lib/store/jks.c
 *
 * NOTES
 *	  Format (sun.security.provider.JavaKeyStore), all integers big-endian:
 *	    u32 magic 0xFEEDFEED (JCEKS: 0xCECECECE), u32 version (1 or 2),
 *	    u32 count, then per entry:
 *	      u32 tag (1 private key, 2 trusted certificate, 3 JCEKS secret key)
 *	      UTF alias (u16 length + modified UTF-8), u64 date (ms)
 *	      tag 1: u32 len + encrypted key, u32 chain length, certificates
 *	      tag 2: one certificate
 *	    certificate: (version 2) UTF type "X.509", u32 len + DER
 *	    then 20 bytes: SHA-1(password as UTF-16BE || "Mighty Aphrodite" ||
 *	    everything before the digest).
 *	  Every length is checked against what is left (bounded cursor).
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "store/store_int.h"

#define JKS_MAGIC 0xFEEDFEEDu
#define JCEKS_MAGIC 0xCECECECEu
#define JKS_DIGEST_LEN 20
#define JKS_MAX_CERT (1024 * 1024)

bool
pgtls__jks_magic(const uint8_t *buf, size_t len)
{
	uint32_t m;

	if (len < 4)
		return false;
	m = ((uint32_t)buf[0] << 24) | ((uint32_t)buf[1] << 16) | ((uint32_t)buf[2] << 8) | buf[3];
	return m == JKS_MAGIC || m == JCEKS_MAGIC;
}

/* UTF-8 password -> UTF-16BE bytes (Java char[] as the digest sees it) */
static uint8_t *
password_utf16(const char *pw, size_t *outlen)
{
	size_t n = strlen(pw);
	uint8_t *out = malloc(n * 4 + 1);
	size_t o = 0;
	size_t i = 0;

	if (out == NULL)
		return NULL;
	while (i < n)
	{
		unsigned char c = (unsigned char)pw[i];
		uint32_t cp;
		int extra;

		if (c < 0x80)
			cp = c, extra = 0;
		else if ((c & 0xE0) == 0xC0)
			cp = c & 0x1F, extra = 1;
		else if ((c & 0xF0) == 0xE0)
			cp = c & 0x0F, extra = 2;
		else if ((c & 0xF8) == 0xF0)
			cp = c & 0x07, extra = 3;
		else
			cp = '?', extra = 0;
		i++;
		for (; extra > 0 && i < n; extra--, i++)
			cp = (cp << 6) | ((unsigned char)pw[i] & 0x3F);
		if (cp >= 0x10000)
		{
			uint32_t v = cp - 0x10000;
			uint16_t hi = (uint16_t)(0xD800 + (v >> 10)), lo = (uint16_t)(0xDC00 + (v & 0x3FF));

			out[o++] = (uint8_t)(hi >> 8);
			out[o++] = (uint8_t)hi;
			out[o++] = (uint8_t)(lo >> 8);
			out[o++] = (uint8_t)lo;
		}
		else
		{
			out[o++] = (uint8_t)(cp >> 8);
			out[o++] = (uint8_t)cp;
		}
	}
	*outlen = o;
	return out;
}

static bool
jks_digest(const char *password, const uint8_t *data, size_t len, uint8_t md[JKS_DIGEST_LEN])
{
	static const char whitener[] = "Mighty Aphrodite";
	size_t pwlen;
	uint8_t *pw = password_utf16(password, &pwlen);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int mdlen = 0;
	bool ok;

	ok = pw && ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 && EVP_DigestUpdate(ctx, pw, pwlen) == 1 &&
	     EVP_DigestUpdate(ctx, whitener, sizeof(whitener) - 1) == 1 && EVP_DigestUpdate(ctx, data, len) == 1 &&
	     EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == JKS_DIGEST_LEN;
	if (pw)
		OPENSSL_cleanse(pw, pwlen);
	free(pw);
	EVP_MD_CTX_free(ctx);
	return ok;
}

static bool
read_u16(pgtls_cursor *c, uint16_t *v)
{
	uint8_t a, b;

	if (!pgtls__cursor_u8(c, &a) || !pgtls__cursor_u8(c, &b))
		return false;
	*v = (uint16_t)((a << 8) | b);
	return true;
}

static bool
skip(pgtls_cursor *c, size_t n)
{
	if (pgtls__cursor_left(c) < n)
		return false;
	c->pos += n;
	return true;
}

/* Java "modified UTF-8" string; copied (NUL and control bytes replaced) into OUT */
static bool
read_utf(pgtls_cursor *c, char *out, size_t outlen)
{
	uint16_t n;
	size_t i, o = 0;

	if (!read_u16(c, &n) || pgtls__cursor_left(c) < n)
		return false;
	for (i = 0; i < n; i++)
	{
		unsigned char ch = c->data[c->pos + i];

		/* 0xC0 0x80 is Java's encoding of NUL */
		if (ch == 0xC0 && i + 1 < n && c->data[c->pos + i + 1] == 0x80)
		{
			ch = '?';
			i++;
		}
		else if (ch < 0x20 || ch == 0x7f)
			ch = '?';
		if (o + 1 < outlen)
			out[o++] = (char)ch;
	}
	out[o] = '\0';
	c->pos += n;
	return true;
}

static pgtls_err
read_cert(pgtls_store *s, pgtls_cursor *c, uint32_t version, X509 **out)
{
	char type[64];
	uint32_t len;
	const unsigned char *p;

	*out = NULL;
	if (version == 2)
	{
		if (!read_utf(c, type, sizeof(type)))
			return pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "truncated keystore (certificate type)");
		if (strcmp(type, "X.509") != 0)
			return pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "unsupported certificate type \"%s\" in keystore", type);
	}
	if (!pgtls__cursor_u32be(c, &len))
		return pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "truncated keystore (certificate length)");
	if (len == 0 || len > JKS_MAX_CERT || len > pgtls__cursor_left(c))
		return pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "invalid certificate length %u in keystore", len);
	p = c->data + c->pos;
	*out = d2i_X509(NULL, &p, (long)len);
	if (*out == NULL || p != c->data + c->pos + len)
	{
		X509_free(*out);
		*out = NULL;
		return pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "corrupted certificate in keystore");
	}
	c->pos += len;
	return PGTLS_OK;
}

pgtls_err
pgtls__jks_read(pgtls_store *s, const uint8_t *buf, size_t len, const char *password, int file)
{
	pgtls_cursor c;
	uint32_t magic, version, count, i;
	bool jceks;
	size_t body;
	uint8_t md[JKS_DIGEST_LEN];

	if (len < 12 + JKS_DIGEST_LEN)
		return pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "truncated keystore (%zu bytes)", len);
	body = len - JKS_DIGEST_LEN;
	pgtls__cursor_init(&c, buf, body);
	(void)pgtls__cursor_u32be(&c, &magic);
	(void)pgtls__cursor_u32be(&c, &version);
	(void)pgtls__cursor_u32be(&c, &count);
	jceks = magic == JCEKS_MAGIC;
	s->files[file].format = jceks ? "jceks" : "jks";
	if (version != 1 && version != 2)
		return pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "unsupported keystore version %u", version);
	if (count > STORE_MAX_ENTRIES)
		return pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "keystore claims %u entries (limit %d)", count,
		                     STORE_MAX_ENTRIES);

	/* integrity first: a wrong password must not yield a partial listing */
	if (password)
	{
		if (!jks_digest(password, buf, body, md))
			return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "could not compute keystore digest");
		if (CRYPTO_memcmp(md, buf + body, JKS_DIGEST_LEN) != 0)
			return pgtls__seterr(&s->err, PGTLS_ERR_VERIFY,
			                     "keystore integrity check failed: wrong password, or the file was tampered with");
		s->files[file].integrity = "verified";
	}
	else
	{
		s->files[file].integrity = "not-verified";
		pgtls__store_note(s, file, "integrity not verified: no password given (and \"changeit\" did not match)");
	}

	for (i = 0; i < count; i++)
	{
		uint32_t tag;
		char alias[STORE_ALIAS_MAX];
		uint32_t hi, lo;
		int64_t ts;
		X509 *x;

		if (!pgtls__cursor_u32be(&c, &tag) || !read_utf(&c, alias, sizeof(alias)) || !pgtls__cursor_u32be(&c, &hi) ||
		    !pgtls__cursor_u32be(&c, &lo))
			return pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "truncated keystore (entry %u of %u)", i + 1, count);
		ts = (int64_t)(((uint64_t)hi << 32) | lo);
		if (tag == 1)
		{
			uint32_t keylen, chain, j;

			if (!pgtls__cursor_u32be(&c, &keylen) || !skip(&c, keylen) || !pgtls__cursor_u32be(&c, &chain))
				return pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "truncated keystore (private key entry \"%s\")", alias);
			if (chain > 100)
				return pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "private key entry \"%s\" claims %u chain certificates",
				                     alias, chain);
			pgtls__store_note(s, file,
			                  "private key entry \"%s\": its key is never copied, its %u certificate(s) are listed",
			                  alias, chain);
			for (j = 0; j < chain; j++)
			{
				if (read_cert(s, &c, version, &x) != PGTLS_OK)
					return s->err.code;
				if (pgtls__store_add(s, x, alias, file, true, 0, ts) != PGTLS_OK)
					return s->err.code;
			}
		}
		else if (tag == 2)
		{
			if (read_cert(s, &c, version, &x) != PGTLS_OK)
				return s->err.code;
			if (pgtls__store_add(s, x, alias, file, false, 1, ts) != PGTLS_OK)
				return s->err.code;
		}
		else if (tag == 3 && jceks)
			return pgtls__seterr(&s->err, PGTLS_ERR_PARSE,
			                     "JCEKS secret-key entry \"%s\" is not supported (trust stores hold certificates)",
			                     alias);
		else
			return pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "unknown keystore entry tag %u", tag);
	}
	if (pgtls__cursor_left(&c) != 0)
		return pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "%zu unexpected bytes after the last keystore entry",
		                     pgtls__cursor_left(&c));
	return PGTLS_OK;
}

/* ---- writing ---- */

typedef struct growbuf
{
	uint8_t *d;
	size_t len, cap;
	bool oom;
} growbuf;

static void
gb_put(growbuf *g, const void *p, size_t n)
{
	if (g->oom)
		return;
	if (g->len + n > g->cap)
	{
		size_t nc = g->cap ? g->cap * 2 : 4096;
		uint8_t *nd;

		while (nc < g->len + n)
			nc *= 2;
		nd = realloc(g->d, nc);
		if (nd == NULL)
		{
			g->oom = true;
			return;
		}
		g->d = nd;
		g->cap = nc;
	}
	memcpy(g->d + g->len, p, n);
	g->len += n;
}

static void
gb_u32(growbuf *g, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	gb_put(g, b, 4);
}

static void
gb_utf(growbuf *g, const char *s)
{
	size_t n = strlen(s);
	uint8_t b[2];

	if (n > 65535)
		n = 65535;
	b[0] = (uint8_t)(n >> 8);
	b[1] = (uint8_t)n;
	gb_put(g, b, 2);
	gb_put(g, s, n);
}

pgtls_err
pgtls__jks_write(pgtls_store *s, const char *password, uint8_t **out, size_t *outlen)
{
	growbuf g = {0};
	uint8_t md[JKS_DIGEST_LEN];
	int i;
	int64_t now = (int64_t)time(NULL) * 1000;

	gb_u32(&g, JKS_MAGIC);
	gb_u32(&g, 2);
	gb_u32(&g, (uint32_t)s->nentries);
	for (i = 0; i < s->nentries; i++)
	{
		store_entry *e = &s->entries[i];
		unsigned char *der = NULL;
		int dlen = i2d_X509(e->cert, &der);
		int64_t ts = e->timestamp_ms ? e->timestamp_ms : now;

		if (dlen <= 0)
		{
			free(g.d);
			return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "could not encode certificate %d", i + 1);
		}
		gb_u32(&g, 2); /* trustedCertEntry */
		gb_utf(&g, e->alias);
		gb_u32(&g, (uint32_t)((uint64_t)ts >> 32));
		gb_u32(&g, (uint32_t)ts);
		gb_utf(&g, "X.509");
		gb_u32(&g, (uint32_t)dlen);
		gb_put(&g, der, (size_t)dlen);
		OPENSSL_free(der);
	}
	if (g.oom || !jks_digest(password, g.d, g.len, md))
	{
		free(g.d);
		return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory writing keystore");
	}
	gb_put(&g, md, sizeof(md));
	if (g.oom)
	{
		free(g.d);
		return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory writing keystore");
	}
	*out = g.d;
	*outlen = g.len;
	return PGTLS_OK;
}
