/*
 * test_sanitize.c - the one text sanitiser and the CSV field writer
 * (issue 9: D4 strings cut inside a UTF-8 character, D13 terminal escape
 * injection by certificate names and server texts, D17 CSV formula
 * injection).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pgtls_int.h"

static void
test_sanitize(void **state)
{
	static const struct
	{
		const char *in;
		size_t outlen;
		const char *want;
	} cases[] = {
	    {"plain ascii", 64, "plain ascii"},
	    {"\x1b[31mred\x1b[0m", 64, "?[31mred?[0m"}, /* ESC */
	    {"bell\a and cr\r", 64, "bell? and cr?"},   /* BEL, CR */
	    {"a\xc2\x9b"
	     "31mb",
	     64, "a?31mb"},                     /* U+009B CSI (C1) */
	    {"x\xe2\x80\xaey", 64, "x?y"},      /* U+202E right-to-left override */
	    {"x\xe2\x81\xa6y", 64, "x?y"},      /* U+2066 isolate */
	    {"caf\xc3\xa9", 64, "caf\xc3\xa9"}, /* valid UTF-8 kept */
	    {"caf\xe9", 64, "caf?"},            /* Latin-1: not UTF-8 */
	    {"ab\xc3\xa9", 4, "ab"},            /* cut at a character boundary */
	    {"\xe6\x97\xa5\xe6\x9c\xac", 5, "\xe6\x97\xa5"},
	    {"line1\nline2", 64, "line1?line2"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char out[64];

		pgtls__sanitize(cases[i].in, strlen(cases[i].in), out, cases[i].outlen);
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, out, cases[i].want);
	}
	{
		char out[64];

		/* the JSON edge keeps libpq's two-line messages */
		pgtls__sanitize_text("a\nb\x1b", 4, out, sizeof(out), true);
		assert_string_equal(out, "a\nb?");
	}
}

static void
test_csv(void **state)
{
	static const struct
	{
		const char *in;
		const char *want;
	} cases[] = {
	    {"plain", "plain,"},
	    {"=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\","},
	    {"+1", "'+1,"},
	    {"-2+3", "'-2+3,"},
	    {"@SUM(A1)", "'@SUM(A1),"},
	    {"a,b", "\"a,b\","},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		pgtls_strbuf sb;

		pgtls__sb_init(&sb);
		pgtls__sb_csv_field(&sb, cases[i].in, ',');
		if (strcmp(pgtls__sb_str(&sb), cases[i].want) != 0)
			fail_msg("case %zu: got %s, want %s", i, pgtls__sb_str(&sb), cases[i].want);
		pgtls__sb_free(&sb);
	}
}

/* the one secret masker (issue 9 D2/D3) */
static void
test_mask(void **state)
{
	static const struct
	{
		const char *in;
		const char *want;
	} cases[] = {
	    {"host=db password=pw1 sslmode=require", "host=db password=**** sslmode=require"},
	    {"host=db password = pw1", "host=db password = ****"},
	    {"host=db password=   pw1", "host=db password=   ****"},
	    {"host=db sslpassword=pw1", "host=db sslpassword=****"},
	    {"host=db password='p w\\'1' x=1", "host=db password=**** x=1"},
	    {"PGPASSWORD=pw1", "PGPASSWORD=****"},
	    {"Host=db;PWD=pw1;SSL Mode=Require", "Host=db;PWD=****;SSL Mode=Require"},
	    {"Host=db;PSW=pw1;", "Host=db;PSW=****;"},
	    {"Host=db;Password = pw1;", "Host=db;Password = ****;"},
	    {"'PASSWORD': 'pw1',", "'PASSWORD': ****,"},
	    {"postgresql://u:pw1@h/db", "postgresql://u:****@h/db"},
	    {"postgresql://u:p/w1@h/db", "postgresql://u:****@h/db"}, /* a '/' in the password */
	    {"postgresql://u:@h/db", "postgresql://u:****@h/db"},     /* empty: no loop */
	    {"postgresql://u@h/db?password=pw1", "postgresql://u@h/db?password=****"},
	    {"host=db passwordless=1", "host=db passwordless=1"}, /* not a password key */
	    {"mypassword=x", "mypassword=x"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char *got = pgtls__mask_secrets(cases[i].in, strlen(cases[i].in));

		assert_non_null(got);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: got %s, want %s", i, got, cases[i].want);
		free(got);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_sanitize), cmocka_unit_test(test_csv),
	                                   cmocka_unit_test(test_mask)};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
