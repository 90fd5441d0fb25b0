/*-------------------------------------------------------------------------
 *
 * clients_int.h
 *	  Private declarations of the client-side scanner.
 *
 * IDENTIFICATION
 *	  lib/clients/clients_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_CLIENTS_INT_H
#define PGTLS_CLIENTS_INT_H

#include "pgtls_int.h"

struct json_t;

/* conninfo.c: key -> value objects, NULL with ERR set on error */
struct json_t *pgtls__conninfo_parse(const char *s, char *err, size_t errlen);
struct json_t *pgtls__jdbc_parse(const char *s, char *err, size_t errlen);

#endif
