/*-------------------------------------------------------------------------
 *
 * services.c
 *	  A client's service=NAME (or PGSERVICE) resolved as libpq resolves
 *	  it: the service's settings fill what the connection string leaves
 *	  unset, from the first file that defines it.
 *
 * IDENTIFICATION
 *	  lib/clients/services.c
 *
 * NOTES
 *	  libpq fe-connect.c parseServiceInfo(): PGSERVICEFILE, else
 *	  ~/.pg_service.conf; then PGSYSCONFDIR/pg_service.conf (Debian's
 *	  libpq: /etc/postgresql-common); a file that does not exist is passed
 *	  over; no file defining the service: "definition of service \"%s\"
 *	  not found".  conninfo_add_defaults() adds the service's values
 *	  before the environment's, so PG* variables come last.
 *
 *	  A service libpq would not find here may be defined where the
 *	  application runs (its HOME, its PGSERVICEFILE): that is unknown,
 *	  never a Unix-socket connection and never an all-clear.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/clients_int.h"

#define SVC_MAX_FILE (1024 * 1024)
#define SVC_SYSCONFDIR PGTLS_PG_SYSCONFDIR /* libpq's compiled-in sysconfdir (meson.build) */

/*
 * Service NAME's settings from FILE into OUT (keys OUT lacks); 1 found,
 * 0 not defined there, -1 no such file.  BAD: what libpq refuses in it.
 */
static int
from_file(const char *file, const char *name, pgtls_settings *out, char *bad, size_t badlen)
{
	size_t n;
	char *buf = pgtls__read_small_file(file, SVC_MAX_FILE, &n);
	int found = 0, lineno = 0;
	bool in = false;

	if (buf == NULL)
		return pgtls__file_exists(file) ? 0 : -1;
	for (char *p = buf, *nl; p && *p && found >= 0; p = nl ? nl + 1 : NULL)
	{
		char *key, *val;
		pgtls_service_line kind;

		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		kind = pgtls__service_line(p, &key, &val);
		if (kind == PGTLS_SVC_GROUP)
		{
			if (in)
				break; /* the next group: the service ends */
			in = pgtls__service_group_is(key, name);
			found |= in;
		}
		else if (in && kind != PGTLS_SVC_SKIP)
		{
			if (pgtls__service_refuses(kind, key, kind == PGTLS_SVC_SETTING && pgtls__settings_is_keyword(key), file,
			                           lineno, bad, badlen))
				break;
			if (pgtls__settings_value(out, key) == NULL)
				pgtls__settings_set(out, key, val);
		}
	}
	free(buf);
	return found;
}

/* "$(dirname "$0")/x" (and its other spellings): the script FILE's directory; other shell words: not known (false) */
static bool
expand(const char *v, const char *file, const char *app, char *out, size_t outlen)
{
	static const char *const dirof[] = {"$(dirname \"$0\")", "$(dirname $0)", "${0%/*}", "`dirname $0`"};
	int dl = (int)(strrchr(file, '/') ? strrchr(file, '/') - file : 0);

	for (size_t k = 0; k < sizeof(dirof) / sizeof(dirof[0]); k++)
		if (strncmp(v, dirof[k], strlen(dirof[k])) == 0)
		{
			snprintf(out, outlen, "%.*s%s", dl, file, v + strlen(dirof[k]));
			return strchr(out, '$') == NULL;
		}
	if (strchr(v, '$') || strchr(v, '`'))
		return false;
	if (v[0] != '/' && app)
		snprintf(out, outlen, "%s/%s", app, v); /* the application's working directory */
	else
		snprintf(out, outlen, "%s", v);
	return true;
}

pgtls_settings *
pgtls__service_settings(pgtls_clients *c, const char *file, const char *app, const pgtls_settings *params,
                        const pgtls_settings *env, char *bad, size_t badlen, char *unres, size_t unreslen)
{
	const char *name = params->service ? params->service : env ? env->service : NULL;
	const char *given = env ? pgtls__settings_extra(env, "PGSERVICEFILE") : NULL;
	const char *sysdir = env ? pgtls__settings_extra(env, "PGSYSCONFDIR") : NULL;
	char files[2][1100];
	pgtls_settings *out;
	bool unknown_file = false;

	bad[0] = unres[0] = '\0';
	if (name == NULL || (out = pgtls__settings_dup(params)) == NULL)
		return NULL;
	if (given == NULL && c->svcfile[0])
		given = c->svcfile;
	files[0][0] = '\0';
	if (given && !expand(given, file, app, files[0], sizeof(files[0])))
		unknown_file = true;
	else if (given == NULL && c->home[0])
		snprintf(files[0], sizeof(files[0]), "%s/.pg_service.conf", c->home);
	snprintf(files[1], sizeof(files[1]), "%s/pg_service.conf", sysdir ? sysdir : SVC_SYSCONFDIR);
	for (int k = 0; k < 2; k++)
	{
		int r = files[k][0] ? from_file(files[k], name, out, bad, badlen) : -1;

		if (r == 1)
			return out;
		if (r == 0 && bad[0])
			return out;
	}
	if (unknown_file)
		snprintf(unres, unreslen, "service %s: its file PGSERVICEFILE=%.200s is set where the application runs", name,
		         given);
	else if (given && !pgtls__file_exists(files[0]))
		snprintf(unres, unreslen, "service %s: its file %.300s is not on this machine", name, files[0]);
	else if (given == NULL && !c->home_given)
		snprintf(unres, unreslen,
		         "service %s is not defined in %s/.pg_service.conf or %s here: it may be defined in the HOME of "
		         "the user running the application (--home)",
		         name, c->home[0] ? c->home : "~", files[1]);
	else
		snprintf(bad, badlen, "definition of service \"%s\" not found", name);
	return out;
}
