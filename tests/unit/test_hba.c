/*
 * test_hba.c - the pure pg_hba walk (lib/server/hba.c), table-driven: each
 * case is a pg_hba.conf as pg_hba_file_rules reports it, and for each line
 * the expected mark: "." does not let plaintext TCP in, "P" lets it in,
 * "S" would let it in but an earlier catch-all reject hides it.
 * PostgreSQL takes the first matching line (hba.c check_hba()).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "server/server_int.h"

typedef struct line
{
	const char *type;
	bool all_all;
	const char *addr;
	const char *mask;
	const char *auth;
	bool error;
} line;

typedef struct hba_case
{
	const char *why;
	line lines[6];
	const char *expect; /* one mark per line */
} hba_case;

#define L(type, all, addr, mask, auth)                                                                                 \
	{                                                                                                                  \
		type, all, addr, mask, auth, false                                                                             \
	}
#define LERR(type, all, addr, mask, auth)                                                                              \
	{                                                                                                                  \
		type, all, addr, mask, auth, true                                                                              \
	}

static const hba_case cases[] = {
    {"hostssl only", {L("local", true, "", NULL, "trust"), L("hostssl", true, "all", NULL, "scram-sha-256")}, ".."},
    {"host lets plaintext in", {L("host", true, "127.0.0.1", "255.255.255.255", "trust")}, "P"},
    {"hostnossl lets plaintext in", {L("hostnossl", true, "all", NULL, "md5")}, "P"},
    {"hostnogssenc lets plaintext in", {L("hostnogssenc", true, "10.0.0.0", "255.0.0.0", "md5")}, "P"},
    {"reject lets nothing in", {L("host", true, "all", NULL, "reject")}, "."},
    {"catch-all reject shadows later host lines",
     {L("hostnossl", true, "all", NULL, "reject"), L("host", true, "10.0.0.0", "255.0.0.0", "md5"),
      L("host", true, "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "md5")},
     ".SS"},
    {"an IPv4 catch-all reject does not shadow IPv6",
     {L("hostnossl", true, "0.0.0.0", "0.0.0.0", "reject"), L("host", true, "10.0.0.0", "255.0.0.0", "md5"),
      L("host", true, "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "md5"), L("host", true, "all", NULL, "md5")},
     ".SPP"},
    {"both families rejected: 'all' is shadowed",
     {L("hostnossl", true, "0.0.0.0", "0.0.0.0", "reject"), L("hostnossl", true, "::", "::", "reject"),
      L("host", true, "all", NULL, "md5")},
     "..S"},
    {"a reject for one database is no catch-all",
     {L("hostnossl", false, "all", NULL, "reject"), L("host", true, "all", NULL, "md5")},
     ".P"},
    {"a reject with a narrow mask is no catch-all",
     {L("hostnossl", true, "10.0.0.0", "255.0.0.0", "reject"), L("host", true, "10.1.0.0", "255.255.0.0", "md5")},
     ".P"},
    {"lines that did not load never match",
     {LERR("host", true, "all", NULL, "md5"), LERR("hostnossl", true, "all", NULL, "reject"),
      L("host", true, "all", NULL, "md5")},
     "..P"},
    {"a later reject does not hide an earlier line",
     {L("host", true, "all", NULL, "md5"), L("hostnossl", true, "all", NULL, "reject")},
     "P."},
    {"samehost is both families",
     {L("hostnossl", true, "samehost", NULL, "reject"), L("host", true, "::", "::", "md5")},
     ".S"},
};

static void
test_walk(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
	{
		hba_rule rules[6];
		hba_verdict v[6];
		char got[8] = "";
		int n = (int)strlen(cases[c].expect);

		for (int i = 0; i < n; i++)
		{
			const line *l = &cases[c].lines[i];

			rules[i] = (hba_rule){i + 1, l->type, l->all_all, l->addr, l->mask, l->auth, l->error};
		}
		pgtls__hba_walk(rules, n, v);
		for (int i = 0; i < n; i++)
			got[i] = v[i].lets_in ? 'P' : v[i].shadowed ? 'S' : '.';
		if (strcmp(got, cases[c].expect) != 0)
			fail_msg("%s: got %s, want %s", cases[c].why, got, cases[c].expect);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_walk)};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
