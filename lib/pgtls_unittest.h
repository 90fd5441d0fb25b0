/*-------------------------------------------------------------------------
 *
 * pgtls_unittest.h
 *	  Entry points into libpgtls's internals for the unit tests and the
 *	  fuzzers only (as curl's UNITTEST functions): not part of the public
 *	  API, not exported by libpgtls.so (hidden; reached through the
 *	  static library).
 *
 * IDENTIFICATION
 *	  lib/pgtls_unittest.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_UNITTEST_H
#define PGTLS_UNITTEST_H

#include <stddef.h>

/*
 * libpq's verify-full name rule for one certificate name: exact,
 * case-insensitive match, or a leading "*." wildcard covering exactly one
 * label.  Returns 1 on match, 0 otherwise.
 */
int pgtls__name_matches(const char *pattern, size_t patlen, const char *host);

/*
 * Checks HOST against a DER certificate with libpq's rules (SAN of the
 * host's type first, CN only when no SAN of that type).  Returns 1 match,
 * 0 mismatch, -1 error; MSG (if not NULL, MSGLEN bytes) receives libpq's
 * error text on mismatch or error.
 */
int pgtls__host_matches_der(const unsigned char *der, size_t derlen, const char *host, char *msg, size_t msglen);

#endif /* PGTLS_UNITTEST_H */
