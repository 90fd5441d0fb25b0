/*-------------------------------------------------------------------------
 *
 * results.h
 *	  A finished probe's typed results for the other rooms of the library
 *	  (rotation), beside the public accessors of pgtls.h.  The probe's
 *	  struct stays private to lib/probe (probe_int.h).
 *
 * IDENTIFICATION
 *	  lib/probe/results.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_PROBE_RESULTS_H
#define PGTLS_PROBE_RESULTS_H

#include <stdbool.h>

#include "rules/rules.h"

struct x509_st;

/* access.c: the probe has finished (pgtls_probe_finish() or cli_run_probe()) */
bool pgtls__probe_done(const pgtls_probe *p);
/* access.c: the TLS state and startup reply of its TLS negotiation (SSLRequest, else direct TLS) */
pgtls_tls_state pgtls__probe_tls(const pgtls_probe *p);
pgtls_startup pgtls__probe_tls_startup(const pgtls_probe *p);
/* access.c: the numeric address that negotiation reached, or "" */
const char *pgtls__probe_address(const pgtls_probe *p);
/* access.c: the I-th certificate served (leaf first), or NULL; owned by P */
struct x509_st *pgtls__probe_chain_x509(const pgtls_probe *p, int i);

#endif
