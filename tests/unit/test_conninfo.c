/*
 * test_conninfo.c - pgtls's conninfo/URI parser against libpq's own
 * PQconninfoParse(), on the inputs of libpq's URI regression tests and on
 * conninfo strings; and the pgjdbc URL parser on known cases.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>
#include <libpq-fe.h>

#include <pgtls/pgtls.h>

#include "conninfo/conninfo.h"

static const char *const inputs[] = {
    /* found by fuzz/fuzz_conninfo_diff.c (differential against PQconninfoParse) */
    "postgresql://u:p@h1,1p:",  /* empty port list: libpq stores port "," */
    "postgresql://,/",          /* host list of empty names */
    "sslmode=require host=a\\", /* trailing backslash dropped */
    "requiressl=1",             /* deprecated alias: sslmode=require */
    "requiressl=\v\v",          /* any other value: sslmode=prefer */
    "postgresql://h/?requiressl=1",
    /* URIs (the inputs of libpq's src/interfaces/libpq/t/001_uri.pl) */
    "postgresql://uri-user:secret@host:12345/db",
    "postgresql://uri-user@host:12345/db",
    "postgresql://uri-user@host/db",
    "postgresql://host:12345/db",
    "postgresql://host/db",
    "postgresql://uri-user@host:12345/",
    "postgresql://uri-user@host/",
    "postgresql://uri-user@",
    "postgresql://host:12345/",
    "postgresql://host:12345",
    "postgresql://host/",
    "postgresql://host",
    "postgresql://",
    "postgresql://?hostaddr=127.0.0.1",
    "postgresql://example.com?hostaddr=63.1.2.4",
    "postgresql://%68ost/",
    "postgresql://host/db?user=uri-user",
    "postgresql://host/db?user=uri-user&port=12345",
    "postgresql://host/db?u%73er=someotheruser&port=12345",
    "postgresql://host/db?u%7aer=someotheruser&port=12345",
    "postgresql://host:12345?user=uri-user",
    "postgresql://host?user=uri-user",
    "postgresql://host?",
    "postgresql://[::1]:12345/db",
    "postgresql://[::1]/db",
    "postgresql://[2001:db8::1234]/",
    "postgresql://[200z:db8::1234]/",
    "postgresql://[::1]",
    "postgres://",
    "postgres:///",
    "postgres:///db",
    "postgres://uri-user@/db",
    "postgres://?host=/path/to/socket/dir",
    "postgresql://host?uzer=",
    "postgre://",
    "postgres://[::1",
    "postgres://[]",
    "postgres://[::1]z",
    "postgresql://host?zzz",
    "postgresql://host?value1&value2",
    "postgresql://host?key=key=value",
    "postgres://host?dbname=%XXfoo",
    "postgresql://a%00b",
    "postgresql://%zz",
    "postgresql://%1",
    "postgresql://%",
    "postgres://@host",
    "postgres://host:/",
    "postgres://:12345/",
    "postgres://otheruser@?host=/no/such/directory",
    "postgres://otheruser@/?host=/no/such/directory",
    "postgres://otheruser@:12345?host=/no/such/socket/path",
    "postgres://otheruser@:12345/db?host=/path/to/socket",
    "postgres://:12345/db?host=/path/to/socket",
    "postgres://:12345?host=/path/to/socket",
    "postgres://%2Fvar%2Flib%2Fpostgresql/dbname",
    "postgresql://host?sslmode=disable",
    "postgresql://host?sslmode=verify-full",
    "postgresql://h1:1,h2:2/db",
    "postgresql://h1,h2:2/db",
    "postgresql://host/db?ssl=true",
    "postgresql://u:p%40ss@host/db?sslrootcert=%2Ftmp%2Fca.pem",
    /* conninfo strings */
    "host=localhost port=5432",
    "host = localhost   port=5432 dbname = 'my db'",
    "password='it''s'",
    "password='a\\'b' user=x",
    "host=a\\ b",
    "sslmode=verify-full sslrootcert=/x/y.pem host=db",
    "host=localhost bogus=1",
    "host",
    "host=",
    "host='unterminated",
    "   ",
    "",
    "user=u host=h options='-c a=b'",
    "dbname=postgresql://host/db",
};

/* the test's own view of typed settings, to compare with libpq's: every key set, as JSON */
static char *
settings_json(const pgtls_settings *st)
{
	json_t *j = json_object();
	const char *k, *v;
	char *out;

	for (size_t i = 0; pgtls__settings_nth(st, i, &k, &v); i++)
		json_object_set_new(j, k, json_string(v));
	out = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	return out;
}

static char *
parse_to_json(const char *s, int jdbc, char *err, size_t errlen)
{
	pgtls_settings *st = jdbc ? pgtls__jdbc_parse(s, err, errlen) : pgtls__conninfo_parse(s, err, errlen);
	char *out = st ? settings_json(st) : NULL;

	pgtls__settings_free(st);
	return out;
}

static json_t *
libpq_parse(const char *s, char **err)
{
	PQconninfoOption *o = PQconninfoParse(s, err);
	json_t *j;

	if (o == NULL)
		return NULL;
	j = json_object();
	for (PQconninfoOption *p = o; p->keyword; p++)
		if (p->val)
			json_object_set_new(j, p->keyword, json_string(p->val));
	PQconninfoFree(o);
	return j;
}

static void
test_against_libpq(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++)
	{
		char *lerr = NULL;
		char ourerr[512];
		json_t *theirs = libpq_parse(inputs[i], &lerr);
		char *ours = parse_to_json(inputs[i], 0, ourerr, sizeof(ourerr));

		if (theirs == NULL)
		{
			size_t n = lerr ? strlen(lerr) : 0;

			while (n > 0 && lerr[n - 1] == '\n')
				lerr[--n] = '\0';
			if (ours != NULL)
				fail_msg("\"%s\": libpq fails (%s), pgtls accepts %s", inputs[i], lerr, ours);
			if (lerr && strcmp(lerr, ourerr) != 0)
				fail_msg("\"%s\": error text differs:\n libpq: %s\n pgtls: %s", inputs[i], lerr, ourerr);
		}
		else
		{
			json_error_t je;
			json_t *o;

			if (ours == NULL)
				fail_msg("\"%s\": libpq accepts, pgtls fails: %s", inputs[i], ourerr);
			o = json_loads(ours, 0, &je);
			if (!json_equal(o, theirs))
			{
				char *t = json_dumps(theirs, JSON_SORT_KEYS | JSON_COMPACT);

				fail_msg("\"%s\": libpq %s, pgtls %s", inputs[i], t, ours);
			}
			json_decref(o);
		}
		PQfreemem(lerr);
		json_decref(theirs);
		free(ours);
	}
}

static void
test_jdbc(void **state)
{
	static const struct
	{
		const char *url;
		const char *expect; /* compact sorted JSON, or NULL for an error */
	} cases[] = {
	    {"jdbc:postgresql://db:5433/app?ssl=true&sslrootcert=/r.pem",
	     "{\"dbname\":\"app\",\"host\":\"db\",\"port\":\"5433\",\"ssl\":\"true\",\"sslrootcert\":\"/r.pem\"}"},
	    {"jdbc:postgresql://h1,h2:6000/x", "{\"dbname\":\"x\",\"host\":\"h1,h2\",\"port\":\"5432,6000\"}"},
	    {"jdbc:postgresql:app", "{\"dbname\":\"app\",\"host\":\"localhost\",\"port\":\"5432\"}"},
	    {"jdbc:postgresql://[::1]:5432/db?sslmode=verify-full&sslfactory=org.postgresql.ssl.NonValidatingFactory",
	     "{\"dbname\":\"db\",\"host\":\"::1\",\"port\":\"5432\",\"sslfactory\":\"org.postgresql.ssl."
	     "NonValidatingFactory\",\"sslmode\":\"verify-full\"}"},
	    {"jdbc:postgresql://h:x/db", NULL},
	    {"jdbc:postgresql://[::1/db", NULL},
	    {"jdbc:mysql://h/db", NULL},
	    {"jdbc:postgresql://h/db?password=%zz", NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char err[256];
		char *got = parse_to_json(cases[i].url, 1, err, sizeof(err));

		if (cases[i].expect == NULL)
		{
			if (got)
				fail_msg("%s: accepted as %s", cases[i].url, got);
			assert_true(err[0] != '\0');
		}
		else if (got == NULL || strcmp(got, cases[i].expect) != 0)
			fail_msg("%s: got %s (%s)", cases[i].url, got ? got : "error", err);
		free(got);
	}
}

/* the keyword table has a field for every keyword the linked libpq knows, with libpq's variable */
static void
test_keyword_table(void **state)
{
	PQconninfoOption *d = PQconndefaults();
	size_t n;
	const pgtls_kwdef *kw = pgtls__settings_keywords(&n);

	(void)state;
	assert_non_null(d);
	for (PQconninfoOption *o = d; o->keyword; o++)
	{
		size_t i;

		for (i = 0; i < n && strcmp(kw[i].keyword, o->keyword) != 0; i++)
			;
		if (i == n)
			fail_msg("libpq keyword %s has no field", o->keyword);
		if ((o->envvar == NULL) != (kw[i].envvar == NULL) || (o->envvar && strcmp(o->envvar, kw[i].envvar) != 0))
			fail_msg("%s: libpq reads %s, the table says %s", o->keyword, o->envvar ? o->envvar : "none",
			         kw[i].envvar ? kw[i].envvar : "none");
	}
	PQconninfoFree(d);
}

/* keywords land in their typed fields; other keys in the extra list, in the order written */
static void
test_settings_typed(void **state)
{
	pgtls_settings *s = pgtls__settings_new(), *d;
	const char *k, *v;

	(void)state;
	assert_true(pgtls__settings_set(s, "sslmode", "verify-full"));
	assert_true(pgtls__settings_set(s, "x-custom-host-check", "1"));
	assert_true(pgtls__settings_set(s, "sslfactory", "org.postgresql.ssl.NonValidatingFactory"));
	assert_string_equal(s->sslmode, "verify-full");
	assert_null(s->sslrootcert);
	assert_string_equal(pgtls__settings_extra(s, "x-custom-host-check"), "1");
	assert_null(pgtls__settings_extra(s, "sslmode")); /* a keyword is never an extra key */
	assert_int_equal(pgtls__settings_count(s), 3);
	assert_true(pgtls__settings_nth(s, 1, &k, &v));
	assert_string_equal(k, "x-custom-host-check");
	d = pgtls__settings_dup(s);
	pgtls__settings_unset(s, "x-custom-host-check");
	assert_null(pgtls__settings_extra(s, "x-custom-host-check"));
	assert_string_equal(pgtls__settings_extra(d, "x-custom-host-check"), "1");
	assert_string_equal(pgtls__settings_env_keyword("PGSSLROOTCERT"), "sslrootcert");
	assert_null(pgtls__settings_env_keyword("PGCONNECT_TIMEOUT")); /* not a client's TLS setting */
	pgtls__settings_free(s);
	pgtls__settings_free(d);
	pgtls__settings_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_against_libpq),
	    cmocka_unit_test(test_jdbc),
	    cmocka_unit_test(test_keyword_table),
	    cmocka_unit_test(test_settings_typed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
