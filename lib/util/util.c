/*-------------------------------------------------------------------------
 *
 * util.c
 *	  Error slots, bounded cursors, growable strings, write buffers.
 *
 * IDENTIFICATION
 *	  lib/util/util.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "pgtls_int.h"

const char *
pgtls_err_name(pgtls_err err)
{
	switch (err)
	{
		case PGTLS_OK:
			return "OK";
		case PGTLS_ERR_USAGE:
			return "USAGE";
		case PGTLS_ERR_IO:
			return "IO";
		case PGTLS_ERR_TIMEOUT:
			return "TIMEOUT";
		case PGTLS_ERR_PROTOCOL:
			return "PROTOCOL";
		case PGTLS_ERR_TLS:
			return "TLS";
		case PGTLS_ERR_VERIFY:
			return "VERIFY";
		case PGTLS_ERR_PARSE:
			return "PARSE";
		case PGTLS_ERR_OOM:
			return "OOM";
	}
	return "UNKNOWN";
}

void
pgtls_free(void *ptr)
{
	free(ptr);
}

const char *
pgtls_version(void)
{
	return PGTLS_VERSION_STR;
}

int64_t
pgtls_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pgtls_err seterr_v(pgtls_errslot *slot, pgtls_err code, pgtls_hint hint, const char *fmt, va_list ap)
    PGTLS_PRINTF(4, 0);

static pgtls_err
seterr_v(pgtls_errslot *slot, pgtls_err code, pgtls_hint hint, const char *fmt, va_list ap)
{
	char *p;

	if (slot->code != PGTLS_OK)
		return slot->code; /* keep the first, root-cause error */
	slot->code = code;
	slot->hint = hint;
	vsnprintf(slot->msg, sizeof(slot->msg), fmt, ap);
	/* one line only: messages end up in single-line reports */
	for (p = slot->msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return code;
}

pgtls_err
pgtls__seterr(pgtls_errslot *slot, pgtls_err code, const char *fmt, ...)
{
	va_list ap;
	pgtls_err rc;

	va_start(ap, fmt);
	rc = seterr_v(slot, code, PGTLS_HINT_NONE, fmt, ap);
	va_end(ap);
	return rc;
}

pgtls_err
pgtls__seterr_hint(pgtls_errslot *slot, pgtls_err code, pgtls_hint hint, const char *fmt, ...)
{
	va_list ap;
	pgtls_err rc;

	va_start(ap, fmt);
	rc = seterr_v(slot, code, hint, fmt, ap);
	va_end(ap);
	return rc;
}

void
pgtls__clearerr(pgtls_errslot *slot)
{
	slot->code = PGTLS_OK;
	slot->msg[0] = '\0';
}

bool
pgtls__cursor_u8(pgtls_cursor *c, uint8_t *out)
{
	if (pgtls__cursor_left(c) < 1)
		return false;
	*out = c->data[c->pos++];
	return true;
}

bool
pgtls__cursor_u32be(pgtls_cursor *c, uint32_t *out)
{
	const uint8_t *p;

	if (pgtls__cursor_left(c) < 4)
		return false;
	p = c->data + c->pos;
	*out = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
	c->pos += 4;
	return true;
}

bool
pgtls__cursor_i32be(pgtls_cursor *c, int32_t *out)
{
	uint32_t u;

	if (!pgtls__cursor_u32be(c, &u))
		return false;
	memcpy(out, &u, sizeof(u));
	return true;
}

bool
pgtls__cursor_cstr(pgtls_cursor *c, const char **out, size_t *outlen)
{
	const uint8_t *start = c->data + c->pos;
	const uint8_t *nul = memchr(start, '\0', pgtls__cursor_left(c));

	if (nul == NULL)
		return false;
	*out = (const char *)start;
	*outlen = (size_t)(nul - start);
	c->pos += *outlen + 1;
	return true;
}

void
pgtls__sb_init(pgtls_strbuf *sb)
{
	memset(sb, 0, sizeof(*sb));
}

void
pgtls__sb_free(pgtls_strbuf *sb)
{
	free(sb->data);
	pgtls__sb_init(sb);
}

static bool
sb_reserve(pgtls_strbuf *sb, size_t extra)
{
	size_t need;
	char *nd;
	size_t ncap;

	if (sb->oom)
		return false;
	need = sb->len + extra + 1;
	if (need <= sb->cap)
		return true;
	ncap = sb->cap ? sb->cap : 64;
	while (ncap < need)
		ncap *= 2;
	nd = realloc(sb->data, ncap);
	if (nd == NULL)
	{
		sb->oom = true;
		return false;
	}
	sb->data = nd;
	sb->cap = ncap;
	return true;
}

void
pgtls__sb_append_mem(pgtls_strbuf *sb, const void *mem, size_t n)
{
	if (!sb_reserve(sb, n))
		return;
	memcpy(sb->data + sb->len, mem, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

void
pgtls__sb_appendf(pgtls_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !sb_reserve(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

const char *
pgtls__sb_str(const pgtls_strbuf *sb)
{
	return sb->data ? sb->data : "";
}

void
pgtls__wbuf_u8(pgtls_wbuf *w, uint8_t v)
{
	if (w->len + 1 > sizeof(w->data))
	{
		w->overflow = true;
		return;
	}
	w->data[w->len++] = v;
}

void
pgtls__wbuf_u32be(pgtls_wbuf *w, uint32_t v)
{
	pgtls__wbuf_u8(w, (uint8_t)(v >> 24));
	pgtls__wbuf_u8(w, (uint8_t)(v >> 16));
	pgtls__wbuf_u8(w, (uint8_t)(v >> 8));
	pgtls__wbuf_u8(w, (uint8_t)v);
}

void
pgtls__wbuf_cstr(pgtls_wbuf *w, const char *s)
{
	size_t n = strlen(s) + 1;

	if (w->len + n > sizeof(w->data))
	{
		w->overflow = true;
		return;
	}
	memcpy(w->data + w->len, s, n);
	w->len += n;
}

void
pgtls__wbuf_patch_u32be(pgtls_wbuf *w, size_t at, uint32_t v)
{
	if (at + 4 > w->len)
	{
		w->overflow = true;
		return;
	}
	w->data[at] = (uint8_t)(v >> 24);
	w->data[at + 1] = (uint8_t)(v >> 16);
	w->data[at + 2] = (uint8_t)(v >> 8);
	w->data[at + 3] = (uint8_t)v;
}

void
pgtls__sb_csv_field(pgtls_strbuf *sb, const char *v, char sep)
{
	if (strpbrk(v, ",\"\n\r"))
	{
		pgtls__sb_append_mem(sb, "\"", 1);
		for (; *v; v++)
		{
			if (*v == '"')
				pgtls__sb_append_mem(sb, "\"", 1);
			pgtls__sb_append_mem(sb, v, 1);
		}
		pgtls__sb_append_mem(sb, "\"", 1);
	}
	else
		pgtls__sb_append_mem(sb, v, strlen(v));
	if (sep)
		pgtls__sb_append_mem(sb, &sep, 1);
}

/*
 * The one text sanitiser: text from certificates, servers and files is
 * attacker-controlled.  Valid UTF-8 without NUL is kept (cut at a
 * character boundary to fit OUTLEN); anything else has its control and
 * non-ASCII bytes replaced by '?'.
 */
static size_t
utf8_len(const unsigned char *s, size_t left)
{
	size_t n, i;

	if (s[0] < 0x80)
		return s[0] ? 1 : 0;
	n = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (n == 0 || n > left || (n == 2 && s[0] < 0xC2) || (n == 4 && s[0] > 0xF4))
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

void
pgtls__sanitize(const char *in, size_t len, char *out, size_t outlen)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0;
	bool utf8 = true;

	if (outlen == 0)
		return;
	while (i < len)
	{
		size_t n = utf8_len(s + i, len - i);

		if (n == 0)
		{
			utf8 = false;
			break;
		}
		i += n;
	}
	for (i = 0; i < len;)
	{
		size_t n = utf8 ? utf8_len(s + i, len - i) : 1;

		if (o + n >= outlen)
			break;
		if (utf8)
			memcpy(out + o, s + i, n);
		else
			out[o] = (s[i] < 0x20 || s[i] >= 0x7f) ? '?' : (char)s[i];
		o += n;
		i += n;
	}
	out[o] = '\0';
}

/* The home directory for ~/.postgresql: OVERRIDE, else $HOME, else the passwd entry ("" if none). */
void
pgtls__home_dir(const char *override, char *out, size_t outlen)
{
	const char *home = override ? override : getenv("HOME");

	out[0] = '\0';
	if (home && home[0])
		snprintf(out, outlen, "%s", home);
	else if (override == NULL)
	{
		struct passwd pw, *res = NULL;
		char buf[4096];

		if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) == 0 && res)
			snprintf(out, outlen, "%s", pw.pw_dir);
	}
}

/*
 * OpenSSL's reason for the oldest queued error (as libpq's SSLerrmessage()
 * reports it) or, if LAST, the newest; FALLBACK when none.  Clears the queue.
 */
void
pgtls__ossl_reason(char *out, size_t outlen, const char *fallback, bool last)
{
	unsigned long code = last ? ERR_peek_last_error() : ERR_get_error();
	const char *r = code ? ERR_reason_error_string(code) : NULL;

	if (code == 0)
		snprintf(out, outlen, "%s", fallback);
	else if (r)
		snprintf(out, outlen, "%s", r);
	else
		snprintf(out, outlen, "SSL error code %lu", code);
	ERR_clear_error();
}
