/*
 * test_target.c - target parsing: host[:port], URIs and conninfo strings
 * (via libpq's PQconninfoParse), and rejection of garbage.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pgtls/pgtls.h>

static pgtls_err
try_target(const char *spec, char *msg, size_t msglen)
{
	pgtls_probe *p = pgtls_probe_new();
	pgtls_err rc;

	assert_non_null(p);
	rc = pgtls_probe_set_target(p, spec);
	strncpy(msg, pgtls_probe_errmsg(p), msglen - 1);
	msg[msglen - 1] = '\0';
	pgtls_probe_free(p);
	return rc;
}

static void
test_good(void **state)
{
	static const char *const good[] = {
	    "localhost",
	    "localhost:5432",
	    "127.0.0.1:1",
	    "[::1]:5433",
	    "[::1]",
	    "db.example.com:65535",
	    "postgresql://localhost",
	    "postgresql://user@localhost:5433/db?sslmode=verify-full",
	    "postgres://[::1]:5432/postgres",
	    "host=localhost port=5432",
	    "host=db.example.com hostaddr=127.0.0.1 sslrootcert=/tmp/x.pem",
	    "hostaddr=127.0.0.1",
	};
	char msg[1100];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (try_target(good[i], msg, sizeof(msg)) != PGTLS_OK)
			fail_msg("\"%s\" rejected: %s", good[i], msg);
}

static void
test_bad(void **state)
{
	static const struct
	{
		const char *spec;
		const char *msg_part;
	} bad[] = {
	    {"", "empty target"},
	    {"localhost:0", "invalid port number"},
	    {"localhost:65536", "invalid port number"},
	    {"localhost:54x", "invalid port number"},
	    {"::1", "[addr]:port"},
	    {"[::1", "missing \"]\""},
	    {"[::1]x", "junk after"},
	    {":5432", "empty or overlong host"},
	    {"local host", "white space"},
	    {"host=a,b", "multiple hosts"},
	    {"host=/var/run/postgresql", "Unix-domain socket"},
	    {"port=5432", "no host"},
	    {"host=localhost port=99999", "invalid port number"},
	    {"host=localhost bogus=1", "invalid connection string"},
	    {"postgresql://localhost:5432/db?sslmode=verify-full&nope=1", "invalid connection string"},
	    {"host='unterminated", "invalid connection string"},
	};
	char msg[1100];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		pgtls_err rc = try_target(bad[i].spec, msg, sizeof(msg));

		if (rc == PGTLS_OK)
			fail_msg("\"%s\" accepted", bad[i].spec);
		if (strstr(msg, bad[i].msg_part) == NULL)
			fail_msg("\"%s\": message \"%s\" lacks \"%s\"", bad[i].spec, msg, bad[i].msg_part);
		if (strchr(msg, '\n'))
			fail_msg("\"%s\": message is not one line", bad[i].spec);
	}
}

static void
test_huge(void **state)
{
	char *big = malloc(100000);
	char msg[1100];

	(void)state;
	assert_non_null(big);
	memset(big, 'a', 99999);
	big[99999] = '\0';
	assert_int_not_equal(try_target(big, msg, sizeof(msg)), PGTLS_OK);
	assert_non_null(strstr(msg, "longer than"));
	free(big);
}

static void
test_options(void **state)
{
	pgtls_probe *p = pgtls_probe_new();

	(void)state;
	assert_int_equal(pgtls_probe_set_option(p, PGTLS_PROBE_NEGOTIATION, "sideways"), PGTLS_ERR_USAGE);
	assert_non_null(strstr(pgtls_probe_errmsg(p), "postgres, direct or both"));
	assert_int_equal(pgtls_probe_set_option(p, PGTLS_PROBE_TIMEOUT_MS, "0"), PGTLS_ERR_USAGE);
	assert_int_equal(pgtls_probe_set_option(p, PGTLS_PROBE_TIMEOUT_MS, "12abc"), PGTLS_ERR_USAGE);
	assert_int_equal(pgtls_probe_set_option(p, PGTLS_PROBE_WARN_DAYS, "-1"), PGTLS_ERR_USAGE);
	assert_int_equal(pgtls_probe_set_option(p, PGTLS_PROBE_WARN_DAYS, "45"), PGTLS_OK);
	assert_int_equal(pgtls_probe_set_option(p, PGTLS_PROBE_USER, ""), PGTLS_ERR_USAGE);
	/* finishing or starting before a target is a usage error, not a crash */
	assert_int_equal(pgtls_probe_start(p), PGTLS_ERR_USAGE);
	assert_int_equal(pgtls_probe_finish(p), PGTLS_ERR_USAGE);
	assert_null(pgtls_probe_json(p, 0));
	assert_int_equal(pgtls_probe_status(p), 3);
	pgtls_probe_free(p);
	pgtls_probe_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good),
	    cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_huge),
	    cmocka_unit_test(test_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
