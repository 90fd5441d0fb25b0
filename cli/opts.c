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
#include <stdio.h>
#include <string.h>

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

bool
cli_output_format(const char *cmd, const char *value, const char *allowed, bool *json, bool *csv)
{
	if (strcmp(value, "text") == 0 || strcmp(value, "table") == 0)
	{
		*json = false;
		if (csv)
			*csv = false;
		return true;
	}
	if (strcmp(value, "json") == 0 || (csv && strcmp(value, "csv") == 0))
	{
		*json = value[0] == 'j';
		if (csv)
			*csv = value[0] == 'c';
		return true;
	}
	fprintf(stderr, "pgtls %s: invalid --format \"%s\": expected %s\n", cmd, value, allowed);
	return false;
}
