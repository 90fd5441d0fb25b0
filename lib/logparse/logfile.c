/*-------------------------------------------------------------------------
 *
 * logfile.c
 *	  The log scan object, and reading one log file (plain, gzip, bzip2,
 *	  xz, zstd or lz4; a pipe too) through the streaming parser of pglog.c.
 *
 * IDENTIFICATION
 *	  lib/logparse/logfile.c
 *
 * NOTES
 *	  Each input is opened once and read through libarchive's
 *	  decompression filters and "raw" format, which pass plain text
 *	  through: a pipe is never read twice, memory stays constant.  A file
 *	  that cannot be read to its end is listed with its error; so is a
 *	  file with no connection record at all (never an all-clear).
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

#include <archive.h>
#include <archive_entry.h>

#include "logparse/pglog_int.h"

/* ---- object ---- */

pgtls_logscan *
pgtls_logscan_new(void)
{
	pgtls_logscan *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	/* the chunk buffer and the pid map grow on use: small inputs (and fuzzing) stay small */
	s->cap = 64;
	s->clients = calloc(s->cap, sizeof(client));
	if (!s->clients)
	{
		pgtls_logscan_free(s);
		return NULL;
	}
	return s;
}

void
pgtls_logscan_free(pgtls_logscan *s)
{
	if (s == NULL)
		return;
	free(s->buf);
	free(s->pids);
	free(s->clients);
	for (int i = 0; i < s->nfiles; i++)
	{
		free(s->files[i].path);
		free(s->files[i].error);
	}
	free(s->files);
	free(s->sorted);
	for (int i = 0; i < s->nexcl_users; i++)
		free(s->excl_users[i]);
	free(s->excl_users);
	for (int i = 0; i < s->nexcl_apps; i++)
		free(s->excl_apps[i]);
	free(s->excl_apps);
	free(s);
}

/* "YYYY-MM-DD[ HH[:MM[:SS]]]" (or with "T"): kept as the log writes it, for a prefix comparison */
static pgtls_err
set_time(pgtls_logscan *s, char *dst, const char *v, const char *what)
{
	static const char shape[] = "dddd-dd-dd dd:dd:dd";
	size_t n = strlen(v);

	if (n != 10 && n != 13 && n != 16 && n != 19)
		goto bad;
	for (size_t i = 0; i < n; i++)
	{
		char c = (i == 10 && v[i] == 'T') ? ' ' : v[i];

		if (shape[i] == 'd' ? !isdigit((unsigned char)c) : c != shape[i])
			goto bad;
		dst[i] = c;
	}
	dst[n] = '\0';
	return PGTLS_OK;
bad:
	return pgtls__seterr(&s->err, PGTLS_ERR_USAGE,
	                     "invalid %s \"%s\": expected YYYY-MM-DD, optionally with HH, HH:MM or HH:MM:SS (the log's own "
	                     "time zone)",
	                     what, v);
}

static pgtls_err
add_name(pgtls_logscan *s, char ***list, int *n, const char *v)
{
	char **grown;

	if (v[0] == '\0' || strlen(v) >= FIELD_MAX)
		return pgtls__seterr(&s->err, PGTLS_ERR_USAGE, "invalid name \"%s\": 1 to %d bytes", v, FIELD_MAX - 1);
	if (*n >= 1000)
		return pgtls__seterr(&s->err, PGTLS_ERR_USAGE, "more than 1000 names to exclude");
	grown = realloc(*list, (size_t)(*n + 1) * sizeof(*grown));
	if (grown == NULL)
		return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
	*list = grown;
	if ((grown[*n] = strdup(v)) == NULL)
		return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
	(*n)++;
	return PGTLS_OK;
}

pgtls_err
pgtls_logscan_set_option(pgtls_logscan *s, pgtls_log_opt opt, const char *value)
{
	if (s == NULL || value == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&s->err);
	switch (opt)
	{
		case PGTLS_LOGOPT_SINCE:
			return set_time(s, s->since, value, "start of the time window (since)");
		case PGTLS_LOGOPT_UNTIL:
			return set_time(s, s->until, value, "end of the time window (until)");
		case PGTLS_LOGOPT_EXCLUDE_USER:
			return add_name(s, &s->excl_users, &s->nexcl_users, value);
		case PGTLS_LOGOPT_EXCLUDE_APP:
			return add_name(s, &s->excl_apps, &s->nexcl_apps, value);
		case PGTLS_LOGOPT_INCLUDE_OWN:
			s->include_own = strcmp(value, "0") != 0;
			return PGTLS_OK;
	}
	return pgtls__seterr(&s->err, PGTLS_ERR_USAGE, "unknown log option %d", (int)opt);
}

pgtls_err
pgtls_logscan_errcode(const pgtls_logscan *s)
{
	return s ? s->err.code : PGTLS_ERR_USAGE;
}

const char *
pgtls_logscan_errmsg(const pgtls_logscan *s)
{
	return s ? s->err.msg : "no log scan";
}

pgtls_err
pgtls_logscan_set_format(pgtls_logscan *s, const char *format)
{
	if (s == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&s->err);
	if (strcmp(format, "auto") == 0)
		s->want = FMT_AUTO;
	else if (strcmp(format, "stderr") == 0)
		s->want = FMT_STDERR;
	else if (strcmp(format, "csv") == 0 || strcmp(format, "csvlog") == 0)
		s->want = FMT_CSV;
	else if (strcmp(format, "json") == 0 || strcmp(format, "jsonlog") == 0)
		s->want = FMT_JSON;
	else
		return pgtls__seterr(&s->err, PGTLS_ERR_USAGE, "invalid log format \"%s\": expected auto, stderr, csv or json",
		                     format);
	return PGTLS_OK;
}

/* the format of a file's relevant lines: one of them, "mixed", or stderr when none was seen */
static const char *
file_format(unsigned seen)
{
	int n = ((seen >> FMT_STDERR) & 1) + ((seen >> FMT_CSV) & 1) + ((seen >> FMT_JSON) & 1);

	if (n > 1)
		return "mixed";
	return (seen & (1u << FMT_JSON)) ? "jsonlog" : (seen & (1u << FMT_CSV)) ? "csvlog" : "stderr";
}

/* libarchive's filter code -> our name ("" for none) */
static const char *
compression_name(int code)
{
	switch (code)
	{
		case ARCHIVE_FILTER_GZIP:
			return "gzip";
		case ARCHIVE_FILTER_BZIP2:
			return "bzip2";
		case ARCHIVE_FILTER_XZ:
			return "xz";
		case ARCHIVE_FILTER_LZMA:
			return "lzma";
		case ARCHIVE_FILTER_ZSTD:
			return "zstd";
		case ARCHIVE_FILTER_LZ4:
			return "lz4";
		default:
			return "";
	}
}

/*
 * A reader of FD through libarchive's decompression filters (in-process
 * libraries only: a filter that would run an external program is not
 * enabled) and its "raw" format, which hands out the decompressed bytes.
 */
static struct archive *
open_archive(int fd, char *why, size_t whylen)
{
	struct archive *a = archive_read_new();

	if (a == NULL)
	{
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	if (archive_read_support_filter_gzip(a) != ARCHIVE_OK || archive_read_support_filter_bzip2(a) != ARCHIVE_OK ||
	    archive_read_support_filter_xz(a) != ARCHIVE_OK || archive_read_support_filter_lzma(a) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(a) != ARCHIVE_OK || archive_read_support_filter_lz4(a) != ARCHIVE_OK ||
	    archive_read_support_format_raw(a) != ARCHIVE_OK || archive_read_support_format_empty(a) != ARCHIVE_OK ||
	    archive_read_open_fd(a, fd, 256 * 1024) != ARCHIVE_OK)
	{
		snprintf(why, whylen, "%s", archive_error_string(a) ? archive_error_string(a) : "cannot read");
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static pgtls_err
add_file(pgtls_logscan *s, const char *path, const char *compression, uint64_t bytes, uint64_t records)
{
	log_file *grown = realloc(s->files, (size_t)(s->nfiles + 1) * sizeof(*grown));

	if (grown == NULL)
		return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
	s->files = grown;
	grown += s->nfiles;
	memset(grown, 0, sizeof(*grown));
	if ((grown->path = strdup(path)) == NULL)
		return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
	s->nfiles++;
	grown->format = file_format(s->seen_formats);
	grown->compression = compression;
	grown->bytes = bytes;
	grown->records = records;
	/* no connection record at all is no all-clear: wrong file, unknown format or log_connections off */
	if (s->err.code == PGTLS_OK && records == 0)
		pgtls__seterr(&s->err, PGTLS_ERR_PARSE,
		              "\"%s\": no PostgreSQL connection record found (not a PostgreSQL server log in a known format "
		              "(stderr, csvlog, jsonlog, Cloud SQL or CloudNativePG JSON), or log_connections is off)",
		              path);
	grown->error = s->err.code != PGTLS_OK ? strdup(s->err.msg) : NULL;
	return s->err.code;
}

pgtls_err
pgtls_logscan_file(pgtls_logscan *s, const char *path)
{
	struct archive *a;
	struct archive_entry *entry;
	char *chunk;
	uint64_t before, b0;
	la_ssize_t n = 0;
	const char *compression = "";
	char why[512];
	int fd, r;

	if (s == NULL || path == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&s->err);
	/* opened once: a pipe or FIFO cannot be read twice */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
	{
		/* listed with its error too: a log not read is never left out of the report */
		pgtls__seterr(&s->err, PGTLS_ERR_IO, "could not open \"%s\": %s", path, strerror(errno));
		s->seen_formats = 0;
		return add_file(s, path, "", 0, 0);
	}
	chunk = malloc(LOG_CHUNK);
	a = chunk ? open_archive(fd, why, sizeof(why)) : NULL;
	if (a == NULL)
	{
		/* listed with its error, like a file that breaks off later */
		pgtls__seterr(&s->err, chunk ? PGTLS_ERR_PARSE : PGTLS_ERR_OOM, "could not read \"%s\": %s", path,
		              chunk ? why : "out of memory");
		free(chunk);
		close(fd);
		s->seen_formats = 0;
		if (s->err.code == PGTLS_ERR_OOM)
			return s->err.code;
		return add_file(s, path, "", 0, 0);
	}
	s->seen_formats = 0;
	before = s->matched;
	b0 = s->bytes;
	s->carry = 0;
	s->skipping = false;
	r = archive_read_next_header(a, &entry);
	if (r == ARCHIVE_OK || r == ARCHIVE_WARN)
	{
		compression = compression_name(archive_filter_code(a, 0));
		while ((n = archive_read_data(a, chunk, LOG_CHUNK)) > 0)
			if (pgtls_logscan_feed(s, chunk, (size_t)n) != PGTLS_OK)
				break;
	}
	if ((r != ARCHIVE_OK && r != ARCHIVE_WARN && r != ARCHIVE_EOF) || n < 0)
		pgtls__seterr(&s->err, PGTLS_ERR_PARSE, "could not read \"%s\"%s%s%s: %s", path, compression[0] ? " (" : "",
		              compression, compression[0] ? ")" : "",
		              archive_error_string(a) ? archive_error_string(a) : "read error");
	pgtls__logscan_flush(s);
	free(chunk);
	archive_read_free(a);
	close(fd);
	return add_file(s, path, compression, s->bytes - b0, s->matched - before);
}
