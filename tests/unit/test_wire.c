/*
 * test_wire.c - parsing of the server's answer to SSLRequest and of its
 * first reply to a StartupMessage, including hostile inputs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pgtls/pgtls.h>

#include "pgtls_unittest.h"
#include "testjson.h"

static char *
parse(int kind, const void *buf, size_t len, char *msg)
{
	return pgtls__parse_server_response(kind, buf, len, msg, 256);
}

static void
test_ssl_response(void **state)
{
	char msg[256];
	char *j;

	(void)state;
	j = parse(0, "S", 1, msg);
	assert_non_null(j);
	assert_string_equal(j, "{\"ssl_response\":\"S\"}");
	pgtls_free(j);
	j = parse(0, "N", 1, msg);
	assert_non_null(j);
	assert_string_equal(j, "{\"ssl_response\":\"N\"}");
	pgtls_free(j);

	/* CVE-2021-23222: bytes after 'S' are an injection */
	assert_null(parse(0, "SXYZ", 4, msg));
	assert_string_equal(msg, "received unencrypted data after SSL response");
	assert_null(parse(0, "E\0\0\0\x10", 5, msg));
	assert_string_equal(msg, "server sent an error response during SSL exchange");
	assert_null(parse(0, "H", 1, msg));
	assert_string_equal(msg, "received invalid response to SSL negotiation: H");
	assert_null(parse(0, "\x01", 1, msg));
	assert_string_equal(msg, "received invalid response to SSL negotiation: ?");
	assert_null(parse(0, "", 0, msg));
	assert_string_equal(msg, "server closed the connection unexpectedly during SSL negotiation");
}

static void
test_startup_reply(void **state)
{
	char msg[256];
	char *j;
	static const unsigned char auth_ok[] = {'R', 0, 0, 0, 8, 0, 0, 0, 0};
	static const unsigned char auth_sasl[] = {'R', 0, 0, 0, 8, 0, 0, 0, 10};
	static const unsigned char notice_then_md5[] = {'N', 0, 0, 0, 5, 0, 'R', 0, 0, 0, 12, 0, 0, 0, 5, 1, 2, 3, 4};
	static const char fields[] =
	    "SFATAL\0VFATAL\0C28000\0"
	    "Mno pg_hba.conf entry for host \"1.2.3.4\", user \"u\", database \"d\", no encryption\0";
	unsigned char err[256];
	size_t flen = sizeof(fields); /* includes the final terminator byte */
	size_t mlen = 4 + flen;

	(void)state;
	j = parse(1, auth_ok, sizeof(auth_ok), msg);
	assert_non_null(j);
	assert_string_equal(j, "{\"auth\":\"trust\",\"auth_code\":0,\"result\":\"accepted\"}");
	pgtls_free(j);
	j = parse(1, auth_sasl, sizeof(auth_sasl), msg);
	assert_non_null(j);
	assert_non_null(strstr(j, "\"auth\":\"sasl\""));
	pgtls_free(j);
	j = parse(1, notice_then_md5, sizeof(notice_then_md5), msg);
	assert_non_null(j);
	assert_non_null(strstr(j, "\"auth\":\"md5\""));
	pgtls_free(j);
	err[0] = 'E';
	err[1] = 0;
	err[2] = 0;
	err[3] = (unsigned char)(mlen >> 8);
	err[4] = (unsigned char)mlen;
	memcpy(err + 5, fields, flen);
	j = parse(1, err, 1 + mlen, msg);
	assert_non_null(j);
	assert_non_null(strstr(j, "\"result\":\"rejected\""));
	assert_non_null(strstr(j, "\"sqlstate\":\"28000\""));
	assert_non_null(strstr(j, "no pg_hba.conf entry"));
	pgtls_free(j);
}

static void
test_startup_hostile(void **state)
{
	char msg[256];
	static const unsigned char huge[] = {'E', 0x7f, 0xff, 0xff, 0xff};
	static const unsigned char tiny[] = {'R', 0, 0, 0, 2};
	static const unsigned char trunc_auth[] = {'R', 0, 0, 0, 6, 0, 0};
	static const unsigned char unterminated[] = {'E', 0, 0, 0, 8, 'M', 'a', 'b', 'c'};
	static const unsigned char noterm[] = {'E', 0, 0, 0, 7, 'M', 'a', 0};
	static const unsigned char weird[] = {'D', 0, 0, 0, 6, 0, 0};

	(void)state;
	assert_null(parse(1, huge, sizeof(huge), msg));
	assert_non_null(strstr(msg, "invalid length"));
	assert_null(parse(1, tiny, sizeof(tiny), msg));
	assert_non_null(strstr(msg, "invalid length"));
	assert_null(parse(1, trunc_auth, sizeof(trunc_auth), msg));
	assert_string_equal(msg, "server sent a truncated authentication request");
	assert_null(parse(1, unterminated, sizeof(unterminated), msg));
	assert_non_null(strstr(msg, "unterminated field"));
	assert_null(parse(1, noterm, sizeof(noterm), msg));
	assert_non_null(strstr(msg, "no terminator"));
	assert_null(parse(1, weird, sizeof(weird), msg));
	assert_string_equal(msg, "expected authentication request from server, but received D");
	assert_null(parse(1, "R\0\0", 3, msg));
	assert_string_equal(msg, "server reply is incomplete");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ssl_response),
	    cmocka_unit_test(test_startup_reply),
	    cmocka_unit_test(test_startup_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
