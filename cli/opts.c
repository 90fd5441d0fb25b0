/*-------------------------------------------------------------------------
 *
 * opts.c
 *	  The option values every command parses the same way: durations and
 *	  counts (see opts.h).
 *
 * IDENTIFICATION
 *	  cli/opts.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <pgtls/pgtls.h>

#include "opts.h"

bool
cli_duration_ms(const char *s, long min_ms, long max_ms, long *ms)
{
	static const struct
	{
		const char *unit;
		double ms;
	} units[] = {{"", 1000.0}, {"ms", 1.0}, {"s", 1000.0}, {"m", 60000.0}, {"min", 60000.0}, {"h", 3600000.0}};
	double whole = 0, frac = 0, scale = 1, v;
	const char *p = s;
	size_t digits = 0;

	if (s == NULL)
		return false;
	for (; *p >= '0' && *p <= '9' && digits < 12; p++, digits++)
		whole = whole * 10 + (*p - '0');
	if (digits == 0 || (*p >= '0' && *p <= '9'))
		return false; /* no number, or more than 12 digits */
	if (*p == '.')
	{
		size_t fd = 0;

		for (p++; *p >= '0' && *p <= '9' && fd < 9; p++, fd++)
			frac += (*p - '0') / (scale *= 10);
		if (fd == 0 || (*p >= '0' && *p <= '9'))
			return false;
	}
	for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++)
		if (strcmp(p, units[u].unit) == 0)
		{
			v = (whole + frac) * units[u].ms;
			if (v < (double)min_ms || v > (double)max_ms)
				return false;
			*ms = (long)(v + 0.5);
			return true;
		}
	return false;
}

bool
cli_timeout_arg(const char *s, char *out, size_t outlen)
{
	long ms;

	if (!cli_duration_ms(s, 1, 3600L * 1000, &ms))
		return false;
	snprintf(out, outlen, "%ld", ms);
	return true;
}

bool
cli_count(const char *s, long min, long max, long *out)
{
	long v = 0;
	const char *p = s;

	if (s == NULL || *s == '\0')
		return false;
	for (; *p >= '0' && *p <= '9'; p++)
	{
		if (v > (max - (*p - '0')) / 10)
			return false; /* beyond MAX (and never an overflow) */
		v = v * 10 + (*p - '0');
	}
	if (*p != '\0' || v < min)
		return false;
	*out = v;
	return true;
}

/* the formats command CO offers, for people */
static const char *
offered(const cli_common *co)
{
	if (co->offers & CLI_OFFERS_METRICS)
		return "table, json, csv or openmetrics";
	return (co->offers & CLI_OFFERS_CSV) ? "text, json or csv" : "text or json";
}

int
cli_common_opt(cli_common *co, int ch, const char *arg)
{
	static const struct
	{
		const char *name;
		cli_out out;
		unsigned needs;
	} formats[] = {{"text", CLI_OUT_TEXT, 0},
	               {"table", CLI_OUT_TEXT, 0},
	               {"json", CLI_OUT_JSON, 0},
	               {"csv", CLI_OUT_CSV, CLI_OFFERS_CSV},
	               {"openmetrics", CLI_OUT_METRICS, CLI_OFFERS_METRICS},
	               {"prometheus", CLI_OUT_METRICS, CLI_OFFERS_METRICS}};

	switch (ch)
	{
		case CLI_OPT_JSON:
			co->out = CLI_OUT_JSON;
			return 1;
		case CLI_OPT_CSV:
			arg = "csv";
			/* fall through */
		case CLI_OPT_FORMAT:
			for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
				if (strcmp(arg, formats[i].name) == 0 && (formats[i].needs & ~co->offers) == 0)
				{
					co->out = formats[i].out;
					return 1;
				}
			if (ch == CLI_OPT_CSV)
				fprintf(stderr, "pgtls %s: --csv: this command has no CSV output (%s)\n", co->cmd, offered(co));
			else
				fprintf(stderr, "pgtls %s: invalid --format \"%s\": expected %s%s%s%s\n", co->cmd, arg, offered(co),
				        co->file_format ? " (the files' format is " : "", co->file_format ? co->file_format : "",
				        co->file_format ? ")" : "");
			return -1;
		case CLI_OPT_TIMEOUT:
			if (!(co->offers & CLI_OFFERS_TIMEOUT))
			{
				fprintf(stderr, "pgtls %s: --timeout is not an option of this command\n", co->cmd);
				return -1;
			}
			if (cli_duration_ms(arg, 1, 3600L * 1000, &co->timeout_ms))
				return 1;
			fprintf(stderr, "pgtls %s: invalid --timeout \"%s\": expected a duration up to 1h (5, 2.5, 30s, 5m)\n",
			        co->cmd, arg);
			return -1;
		case 'q':
			co->quiet = true;
			return 1;
		case 'h':
			co->help = true;
			return 1;
		default:
			return 0;
	}
}

const char *
cli_status_label(int status)
{
	static const char *const labels[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

	return labels[status >= 0 && status <= 3 ? status : 3];
}

void
cli_quiet_line(int status, const char *fmt, ...)
{
	va_list ap;

	printf("PGTLS %s - ", cli_status_label(status));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pgtls %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry \"pgtls %s --help\" for more information.\n", cmd);
	return CLI_EXIT_UNKNOWN;
}

int
cli_try_help(const char *cmd)
{
	fprintf(stderr, "Try \"pgtls %s --help\" for more information.\n", cmd);
	return CLI_EXIT_UNKNOWN;
}

int
cli_print_report(const char *cmd, char *out, int rc)
{
	if (out == NULL)
	{
		fprintf(stderr, "pgtls %s: out of memory\n", cmd);
		return CLI_EXIT_UNKNOWN;
	}
	printf("%s\n", out);
	pgtls_free(out);
	return rc;
}
