/*-------------------------------------------------------------------------
 *
 * report.h
 *	  Text rendering of pgtls reports.
 *
 * IDENTIFICATION
 *	  cli/report.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_CLI_REPORT_H
#define PGTLS_CLI_REPORT_H

#include <stdio.h>

#include <pgtls/pgtls.h>

/* Renders a finished probe as text (QUIET: one monitoring line). */
void cli_render_probe(FILE *f, pgtls_probe *probe, int quiet);

/* "validity  FROM .. TO  (N days left | EXPIRED | NOT YET VALID)" of a certificate */
void cli_print_validity(FILE *f, const char *indent, const pgtls_cert *cert);

#endif
