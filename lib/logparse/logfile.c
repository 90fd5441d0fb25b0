/*-------------------------------------------------------------------------
 *
 * logfile.c
 *	  The log scan object, and reading one log file (plain or gzip, a pipe
 *	  too) through the streaming parser of pglog.c.
 *
 * IDENTIFICATION
 *	  lib/logparse/logfile.c
 *
 * NOTES
 *	  Each input is opened once and read through gzdopen(): zlib reads
 *	  plain text transparently, so a pipe is never read twice.  A file that
 *	  cannot be read to its end is listed with its error.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

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
	free(s);
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

pgtls_err
pgtls_logscan_file(pgtls_logscan *s, const char *path)
{
	gzFile gz;
	char *chunk;
	uint64_t before;
	int n;
	bool gzipped;

	if (s == NULL || path == NULL)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&s->err);
	{
		/* opened once: a pipe or FIFO cannot be read twice (zlib reads plain files transparently) */
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return pgtls__seterr(&s->err, PGTLS_ERR_IO, "could not open \"%s\": %s", path, strerror(errno));
		gz = gzdopen(fd, "rb");
		if (gz == NULL)
		{
			close(fd);
			return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
		}
	}
	gzbuffer(gz, 256 * 1024);
	chunk = malloc(LOG_CHUNK);
	if (chunk == NULL)
	{
		gzclose(gz);
		return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
	}
	s->seen_formats = 0;
	before = s->matched;
	s->carry = 0;
	s->skipping = false;
	{
		uint64_t b0 = s->bytes;
		int zerr = Z_OK;

		while ((n = gzread(gz, chunk, LOG_CHUNK)) > 0)
			if (pgtls_logscan_feed(s, chunk, (size_t)n) != PGTLS_OK)
				break;
		gzipped = !gzdirect(gz);
		(void)gzerror(gz, &zerr);
		/* a truncated .gz ends with Z_BUF_ERROR: the file is listed with its error, never as complete */
		if (n < 0 || zerr == Z_BUF_ERROR)
		{
			const char *zmsg = gzerror(gz, &zerr);

			/* zlib names the descriptor ("<fd:3>: "): the path is said already */
			if (strncmp(zmsg, "<fd:", 4) == 0 && strstr(zmsg, ": "))
				zmsg = strstr(zmsg, ": ") + 2;
			/* the message lives in the gz state: record it before gzclose() */
			pgtls__seterr(&s->err, zerr == Z_ERRNO ? PGTLS_ERR_IO : PGTLS_ERR_PARSE, "could not read \"%s\": %s", path,
			              zerr == Z_ERRNO ? strerror(errno) : zmsg);
		}
		pgtls__logscan_flush(s);
		{
			log_file *grown = realloc(s->files, (size_t)(s->nfiles + 1) * sizeof(*grown));

			if (grown == NULL || (grown[s->nfiles].path = strdup(path)) == NULL)
			{
				if (grown)
					s->files = grown;
				free(chunk);
				gzclose(gz);
				return pgtls__seterr(&s->err, PGTLS_ERR_OOM, "out of memory");
			}
			s->files = grown;
			grown += s->nfiles++;
			grown->format = file_format(s->seen_formats);
			grown->gzip = gzipped;
			grown->bytes = s->bytes - b0;
			grown->records = s->matched - before;
			grown->error = s->err.code != PGTLS_OK ? strdup(s->err.msg) : NULL;
		}
	}
	free(chunk);
	gzclose(gz);
	return s->err.code;
}
