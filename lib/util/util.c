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
#include <ctype.h>
#include <pwd.h>
#include <strings.h>
#include <time.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

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
	/* a field a spreadsheet would run as a formula is made text (CSV injection): a leading ' */
	bool formula = v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r';
	bool quote = strpbrk(v, ",\"\n\r") != NULL;

	if (quote)
		pgtls__sb_append_mem(sb, "\"", 1);
	if (formula)
		pgtls__sb_append_mem(sb, "'", 1);
	for (; *v; v++)
	{
		if (quote && *v == '"')
			pgtls__sb_append_mem(sb, "\"", 1);
		pgtls__sb_append_mem(sb, v, 1);
	}
	if (quote)
		pgtls__sb_append_mem(sb, "\"", 1);
	if (sep)
		pgtls__sb_append_mem(sb, &sep, 1);
}

/*
 * The one text sanitiser: text from certificates, servers and files is
 * attacker-controlled.  Valid UTF-8 without NUL is kept (cut at a
 * character boundary to fit OUTLEN), except what can drive a terminal or
 * hide text: C0 controls and DEL (ESC, BEL, CR; LF too unless KEEP_LF),
 * C1 controls (U+0080-U+009F, e.g. U+009B CSI) and bidirectional
 * overrides and isolates (U+200E/F, U+202A-U+202E, U+2066-U+2069), each
 * replaced by '?'.  Anything not valid UTF-8 has its control and non-ASCII
 * bytes replaced by '?'.
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

/* a character that must not reach a terminal as it is */
static bool
hostile_char(const unsigned char *s, size_t n, bool keep_lf)
{
	if (n == 1)
		return (s[0] < 0x20 && !(keep_lf && s[0] == '\n')) || s[0] == 0x7f;
	if (n == 2)
		return s[0] == 0xC2 && s[1] < 0xA0; /* C1 controls */
	if (n == 3 && s[0] == 0xE2 && s[1] == 0x80)
		return s[2] == 0x8E || s[2] == 0x8F || (s[2] >= 0xAA && s[2] <= 0xAE);
	if (n == 3 && s[0] == 0xE2 && s[1] == 0x81)
		return s[2] >= 0xA6 && s[2] <= 0xA9;
	return false;
}

void
pgtls__sanitize_text(const char *in, size_t len, char *out, size_t outlen, bool keep_lf)
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
		bool bad = utf8 ? hostile_char(s + i, n, keep_lf) : (s[i] < 0x20 && !(keep_lf && s[i] == '\n')) || s[i] >= 0x7f;

		if (o + (bad ? 1 : n) >= outlen)
			break;
		if (bad)
			out[o++] = '?';
		else
		{
			memcpy(out + o, s + i, n);
			o += n;
		}
		i += n;
	}
	out[o] = '\0';
}

void
pgtls__sanitize(const char *in, size_t len, char *out, size_t outlen)
{
	pgtls__sanitize_text(in, len, out, outlen, false);
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

/* ---- the one secret masker ---- */

static bool
word_start(const char *s, size_t i)
{
	return i == 0 || !(isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_');
}

/* length of a secret key at S+I (password, sslpassword, pgpassword, pwd, psw), 0 if none */
static size_t
secret_key(const char *s, size_t i, size_t n)
{
	static const char *const keys[] = {"sslpassword", "pgpassword", "password", "pwd", "psw"};

	if (!word_start(s, i))
		return 0;
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
	{
		size_t kl = strlen(keys[k]);

		if (n - i >= kl && strncasecmp(s + i, keys[k], kl) == 0 &&
		    (i + kl == n || !(isalnum((unsigned char)s[i + kl]) || s[i + kl] == '_')))
			return kl;
	}
	return 0;
}

/* end of the value starting at S+I: a quoted string, or up to a separator */
static size_t
value_end(const char *s, size_t i, size_t n)
{
	if (i < n && (s[i] == '\'' || s[i] == '"'))
	{
		char q = s[i++];

		while (i < n && s[i] != q)
			i += (s[i] == '\\' && i + 1 < n) ? 2 : 1;
		return i < n ? i + 1 : n;
	}
	while (i < n && !isspace((unsigned char)s[i]) && s[i] != '&' && s[i] != ';' && s[i] != ',' && s[i] != '}')
		i++;
	return i;
}

/* a URI's user:password@ : [*FROM, *TO) is the password, false if none */
static bool
uri_password(const char *s, size_t n, size_t *from, size_t *to)
{
	const char *scheme = n > 3 ? memmem(s, n, "://", 3) : NULL;
	size_t start, end, colon = 0, at = 0;

	if (scheme == NULL)
		return false;
	start = (size_t)(scheme - s) + 3;
	/* the authority ends at the token's end or the query; the password may hold '/' or '@' */
	for (end = start; end < n && !isspace((unsigned char)s[end]) && s[end] != '?' && s[end] != '"' && s[end] != '\'';
	     end++)
		if (s[end] == '@')
			at = end;
	for (size_t i = start; at && i < at; i++)
		if (s[i] == ':')
		{
			colon = i;
			break;
		}
	if (!at || !colon)
		return false;
	*from = colon + 1;
	*to = at;
	return true;
}

/*
 * The one secret masker, used by every output that can show settings as
 * written: a URI's password, and the values of password, sslpassword,
 * PGPASSWORD, and Npgsql's Pwd/Psw keys in key=value, key = value and
 * key: value forms (any case, quoted or not) become "****".  Returns a
 * malloc'd string (NULL when out of memory).
 */
char *
pgtls__mask_secrets(const char *s, size_t n)
{
	pgtls_strbuf sb;
	size_t i = 0, ufrom = 0, uto = 0;
	bool uri = uri_password(s, n, &ufrom, &uto);

	pgtls__sb_init(&sb);
	while (i < n)
	{
		size_t kl = secret_key(s, i, n);

		if (uri && i == ufrom)
		{
			/* once: an empty password ("u:@h") must not loop */
			pgtls__sb_append_mem(&sb, "****", 4);
			i = uto;
			uri = false;
			continue;
		}
		if (kl)
		{
			size_t j = i + kl;

			while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '"' || s[j] == '\''))
				j++;
			if (j < n && (s[j] == '=' || s[j] == ':'))
			{
				j++;
				while (j < n && (s[j] == ' ' || s[j] == '\t'))
					j++;
				pgtls__sb_append_mem(&sb, s + i, j - i);
				pgtls__sb_append_mem(&sb, "****", 4);
				i = value_end(s, j, n);
				continue;
			}
		}
		pgtls__sb_append_mem(&sb, s + i, 1);
		i++;
	}
	if (sb.oom)
	{
		pgtls__sb_free(&sb);
		return NULL;
	}
	if (sb.data == NULL)
		return strdup("");
	return sb.data;
}

/*
 * The one bounded, non-blocking file opener for inputs that must be files:
 * opening a FIFO or a device must not hang (O_NONBLOCK), and anything but
 * a regular file of at most MAX bytes is refused.  Reads on the returned
 * descriptor do not block either (a /proc file that would block fails with
 * EAGAIN).  Returns the descriptor, or -1 with the reason in WHY.
 */
int
pgtls__open_regular(const char *path, bool follow, long max, struct stat *st, char *why, size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (follow ? 0 : O_NOFOLLOW));

	if (fd < 0)
	{
		snprintf(why, whylen, "%s", errno == ELOOP && !follow ? "symbolic link: not followed" : strerror(errno));
		return -1;
	}
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode))
	{
		snprintf(why, whylen, "not a regular file");
		close(fd);
		return -1;
	}
	if (st->st_size > max)
	{
		snprintf(why, whylen, "larger than %lld MiB", (long long)(max / (1024 * 1024)));
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads all of FD (at most MAX bytes) into a malloc'd, NUL-terminated buffer; NULL with WHY on error. */
char *
pgtls__read_all(int fd, size_t max, size_t *len, char *why, size_t whylen)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);

	while (buf)
	{
		ssize_t r;

		if (n == cap)
		{
			char *grown;

			if (cap >= max)
			{
				snprintf(why, whylen, "larger than %zu MiB", max / (1024 * 1024));
				free(buf);
				return NULL;
			}
			cap = cap * 2 > max ? max : cap * 2;
			grown = realloc(buf, cap + 1);
			if (grown == NULL)
				break;
			buf = grown;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
		{
			snprintf(why, whylen, "could not read: %s", strerror(errno));
			free(buf);
			return NULL;
		}
		if (r == 0)
		{
			buf[n] = '\0';
			*len = n;
			return buf;
		}
		n += (size_t)r;
	}
	free(buf);
	snprintf(why, whylen, "out of memory");
	return NULL;
}

/* One CSV field, quoted and made formula-safe as in every pgtls CSV; malloc'd, NULL when out of memory. */
char *
pgtls_csv_field(const char *v)
{
	pgtls_strbuf sb;

	pgtls__sb_init(&sb);
	pgtls__sb_csv_field(&sb, v ? v : "", 0);
	pgtls__sb_append_mem(&sb, "", 1);
	if (sb.oom)
	{
		pgtls__sb_free(&sb);
		return NULL;
	}
	return sb.data;
}

char *
pgtls__read_small_file(const char *path, size_t max, size_t *len)
{
	struct stat st;
	char why[128];
	int fd = pgtls__open_regular(path, true, (long)max, &st, why, sizeof(why));
	char *buf;

	if (fd < 0)
		return NULL;
	buf = pgtls__read_all(fd, max, len, why, sizeof(why));
	close(fd);
	return buf;
}
