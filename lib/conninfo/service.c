/*-------------------------------------------------------------------------
 *
 * service.c
 *	  The grammar of a connection service file (pg_service.conf), as
 *	  libpq's parseServiceFile() reads it: the one reader of both the
 *	  probe (service= of a target) and the clients scan (every service of
 *	  a file is a client's settings).
 *
 * IDENTIFICATION
 *	  lib/conninfo/service.c
 *
 * NOTES
 *	  libpq 15 fe-connect.c parseServiceFile(): lines of at most
 *	  MAXBUFSIZE - 1 bytes; trailing then leading white space dropped;
 *	  empty and '#' lines skipped; a line starting with '[' opens a group,
 *	  which names SERVICE when "[SERVICE" is followed by ']'; any other
 *	  line is KEY=VALUE split at the first '=', nothing trimmed around it;
 *	  "service" there is a nested service, an unknown keyword a syntax
 *	  error.  The error texts are libpq's.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "conninfo/conninfo.h"

pgtls_service_line
pgtls__service_line(char *line, char **key, char **value)
{
	size_t len = strlen(line);
	char *eq;

	*key = *value = NULL;
	while (len > 0 && isspace((unsigned char)line[len - 1]))
		line[--len] = '\0';
	while (*line && isspace((unsigned char)*line))
		line++;
	if (line[0] == '\0' || line[0] == '#')
		return PGTLS_SVC_SKIP;
	if (line[0] == '[')
	{
		*key = line + 1;
		return PGTLS_SVC_GROUP;
	}
	eq = strchr(line, '=');
	if (eq == NULL)
		return PGTLS_SVC_NO_EQUALS;
	*eq = '\0';
	*key = line;
	*value = eq + 1;
	return PGTLS_SVC_SETTING;
}

bool
pgtls__service_group_is(const char *group, const char *service)
{
	size_t n = strlen(service);

	return strncmp(group, service, n) == 0 && group[n] == ']';
}

bool
pgtls__service_refuses(pgtls_service_line kind, const char *key, bool known, const char *file, int linenr, char *why,
                       size_t whylen)
{
	if (kind == PGTLS_SVC_NO_EQUALS || (kind == PGTLS_SVC_SETTING && strcmp(key, "service") != 0 && !known))
		snprintf(why, whylen, "syntax error in service file \"%s\", line %d", file, linenr);
	else if (kind == PGTLS_SVC_SETTING && strcmp(key, "service") == 0)
		snprintf(why, whylen, "nested service specifications not supported in service file \"%s\", line %d", file,
		         linenr);
	else
		return false;
	return true;
}
