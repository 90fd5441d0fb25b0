/*
 * test_logs.c - the streaming log scanner gives the same report whatever
 * way the bytes are split between pgtls_logscan_feed() calls, and keeps
 * state (pid -> client address) across the split.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pgtls/pgtls.h>

static char *
report(const char *data, size_t len, size_t split)
{
	pgtls_logscan *s = pgtls_logscan_new();
	char *out;

	assert_non_null(s);
	assert_int_equal(pgtls_logscan_feed(s, data, split), PGTLS_OK);
	assert_int_equal(pgtls_logscan_feed(s, data + split, len - split), PGTLS_OK);
	assert_int_equal(pgtls_logscan_finish(s), PGTLS_OK);
	out = pgtls_logscan_csv(s);
	pgtls_logscan_free(s);
	return out;
}

static void
test_splits(void **state)
{
	FILE *f = fopen(SRCDIR "/tests/fixtures/logs/pg16-debian.log", "rb");
	char buf[65536];
	size_t len;
	char *whole;

	(void)state;
	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	whole = report(buf, len, len);
	assert_non_null(strstr(whole, "192.0.2.10,alice,shop,psql,1,1,0,0,0,0,0,0"));
	assert_non_null(strstr(whole, "192.0.2.11,bob,shop,,1,0,0,0,1,0,1,0"));
	for (size_t split = 0; split <= len; split++)
	{
		char *part = report(buf, len, split);

		if (strcmp(part, whole) != 0)
			fail_msg("split at %zu differs:\n%s\nvs\n%s", split, part, whole);
		pgtls_free(part);
	}
	pgtls_free(whole);
}

static void
test_no_trailing_newline_and_crlf(void **state)
{
	static const char log[] = "2026-01-01 00:00:00 UTC [7] LOG:  connection received: host=10.9.9.9 port=1\r\n"
	                          "2026-01-01 00:00:00 UTC [7] LOG:  connection authorized: user=u database=d SSL enabled "
	                          "(protocol=TLSv1.3, cipher=X, bits=256)";
	char *out = report(log, sizeof(log) - 1, 10);

	(void)state;
	assert_non_null(strstr(out, "10.9.9.9,u,d,,1,1,0,0,0,0,0,0"));
	pgtls_free(out);
	assert_int_equal(pgtls_logscan_set_format(NULL, "auto"), PGTLS_ERR_USAGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_splits),
	    cmocka_unit_test(test_no_trailing_newline_and_crlf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
