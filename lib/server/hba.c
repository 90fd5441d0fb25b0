/*-------------------------------------------------------------------------
 *
 * hba.c
 *	  Which pg_hba.conf lines let TCP clients in without TLS: a pure walk
 *	  over typed rules (tested by tests/unit/test_hba.c).
 *
 * IDENTIFICATION
 *	  lib/server/hba.c
 *
 * NOTES
 *	  PostgreSQL takes the first matching line.  A line of type host,
 *	  hostnossl or hostnogssenc with a method other than reject lets a
 *	  plaintext TCP client in, unless an earlier catch-all (all databases,
 *	  all users, every address of its family) plaintext-TCP reject matched
 *	  first.  Lines that did not load (error) never match.
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "server/server_int.h"

static bool
catch_all(const char *addr, const char *mask, bool v6)
{
	if (strcmp(addr, "all") == 0)
		return true;
	if (mask == NULL)
		return false;
	return v6 ? strcmp(mask, "::") == 0 : strcmp(mask, "0.0.0.0") == 0;
}

void
pgtls__hba_walk(const hba_rule *rules, int n, hba_verdict *out)
{
	bool shadow_v4 = false, shadow_v6 = false;

	for (int i = 0; i < n; i++)
	{
		const hba_rule *r = &rules[i];
		bool tcp_plain =
		    strcmp(r->type, "host") == 0 || strcmp(r->type, "hostnossl") == 0 || strcmp(r->type, "hostnogssenc") == 0;
		bool v6 = strchr(r->addr, ':') != NULL;
		bool both = strcmp(r->addr, "all") == 0 || strcmp(r->addr, "samehost") == 0 || strcmp(r->addr, "samenet") == 0;
		bool reject = strcmp(r->auth, "reject") == 0;
		bool lets_in = tcp_plain && !reject && !r->error;
		bool shadowed = both ? (shadow_v4 && shadow_v6) : (v6 ? shadow_v6 : shadow_v4);

		out[i].lets_in = lets_in && !shadowed;
		out[i].shadowed = lets_in && shadowed;
		/* a catch-all reject for plaintext TCP hides every later rule of its family */
		if (tcp_plain && reject && r->all_all && !r->error)
		{
			if (both || (catch_all(r->addr, r->mask, false) && !v6))
				shadow_v4 = true;
			if (both || (catch_all(r->addr, r->mask, true) && v6))
				shadow_v6 = true;
		}
	}
}
