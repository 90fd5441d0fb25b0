/*-------------------------------------------------------------------------
 *
 * testjson.h
 *	  JSON views of internal parsers, for the unit tests and the fuzzers
 *	  only: compiled into them, never into libpgtls (issue 25: no
 *	  test-only code in the library).
 *
 * IDENTIFICATION
 *	  tests/support/testjson.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_TESTJSON_H
#define PGTLS_TESTJSON_H

#include <stddef.h>

/*
 * Summarises a DER certificate as JSON (the "chain" element of a probe
 * report).  Returns NULL on malformed input or OOM; free with free().
 */
char *pgtls__cert_summary_der(const unsigned char *der, size_t derlen);

/*
 * Parses the bytes a server sends in answer to SSLRequest (or a
 * StartupMessage).  KIND: 0 = SSL response byte, 1 = first startup reply.
 * Returns a JSON description (free with free()), or NULL with MSG
 * filled when the bytes are malformed / hostile.
 */
char *pgtls__parse_server_response(int kind, const unsigned char *buf, size_t len, char *msg, size_t msglen);

#endif
