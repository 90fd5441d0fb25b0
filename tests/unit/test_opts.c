/*
 * test_opts.c - the CLI's one duration parser and count parser (cli/opts.c):
 * the same value means the same thing under every command (issue 25).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "opts.h"

static void
test_durations(void **state)
{
	static const struct
	{
		const char *s;
		long ms; /* -1: refused */
	} cases[] = {
	    {"5", 5000},
	    {"2.5", 2500},
	    {"30s", 30000},
	    {"5m", 300000},
	    {"5min", 300000},
	    {"500ms", 500},
	    {"1h", 3600000},
	    {"0.001", 1},
	    {"5x", -1},
	    {"", -1},
	    {"-1", -1},
	    {"0x10", -1},
	    {"1e3", -1},
	    {"nan", -1},
	    {"inf", -1},
	    {" 5", -1},
	    {"5 ", -1},
	    {"2.", -1},
	    {".5", -1},
	    {"2h", -1},
	    {"0", -1},
	    {"1.5.5", -1},
	    {"9999999999999", -1},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		long ms = -2;
		bool ok = cli_duration_ms(cases[i].s, 1, 3600L * 1000, &ms);

		if (ok != (cases[i].ms >= 0) || (ok && ms != cases[i].ms))
			fail_msg("\"%s\": %s %ld, expected %ld", cases[i].s, ok ? "accepted as" : "refused", ms, cases[i].ms);
	}
}

static void
test_timeout_arg(void **state)
{
	char out[32];

	(void)state;
	assert_true(cli_timeout_arg("2.5", out, sizeof(out)));
	assert_string_equal(out, "2500");
	assert_false(cli_timeout_arg("5x", out, sizeof(out)));
}

static void
test_counts(void **state)
{
	long v = 0;

	(void)state;
	assert_true(cli_count("42", 1, 100, &v));
	assert_int_equal(v, 42);
	assert_false(cli_count("0", 1, 100, &v));
	assert_false(cli_count("101", 1, 100, &v));
	assert_false(cli_count("4x", 1, 100, &v));
	assert_false(cli_count("-4", 1, 100, &v));
	assert_false(cli_count("", 1, 100, &v));
	assert_false(cli_count("99999999999999999999999", 1, 100, &v));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_durations),
	    cmocka_unit_test(test_timeout_arg),
	    cmocka_unit_test(test_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
