/*
 * test_names.c - libpq's certificate name rules (wildcard_certificate_match
 * and exact matching), table-driven.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pgtls/pgtls.h>

#include "pgtls_unittest.h"

static const struct
{
	const char *pattern;
	const char *host;
	int expect;
} cases[] = {
    {"localhost", "localhost", 1},
    {"LOCALHOST", "localhost", 1}, /* case-insensitive */
    {"localhost", "localhost.", 0},
    {"db.example.com", "db.example.com", 1},
    {"db.example.com", "db2.example.com", 0},
    {"*.example.com", "db.example.com", 1},
    {"*.example.com", "DB.EXAMPLE.COM", 1},
    {"*.example.com", "a.b.example.com", 0}, /* one label only */
    {"*.example.com", "example.com", 0},     /* pattern longer than host */
    {"*.example.com", ".example.com", 0},
    {"*.com", "example.com", 1}, /* libpq does not restrict this */
    {"*.", "a.", 0},             /* too short */
    {"*", "anything", 0},
    {"db*.example.com", "db1.example.com", 0}, /* only leading "*." */
    {"*.pgtls.test", "db.pgtls.test", 1},
    {"*.pgtls.test", "x.db.pgtls.test", 0},
    {"", "", 1},
    {"127.0.0.1", "127.0.0.1", 1},
};

static void
test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		int got = pgtls__name_matches(cases[i].pattern, strlen(cases[i].pattern), cases[i].host);

		if (got != cases[i].expect)
			fail_msg("pattern \"%s\" host \"%s\": expected %d got %d", cases[i].pattern, cases[i].host, cases[i].expect,
			         got);
	}
}

static void
test_null_and_length(void **state)
{
	(void)state;
	assert_int_equal(pgtls__name_matches(NULL, 0, "x"), 0);
	assert_int_equal(pgtls__name_matches("x", 1, NULL), 0);
	/* the length, not the NUL, bounds the pattern */
	assert_int_equal(pgtls__name_matches("localhostXYZ", 9, "localhost"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_null_and_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
