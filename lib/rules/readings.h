/*-------------------------------------------------------------------------
 *
 * readings.h
 *	  How each driver reads the settings an application wrote: typed
 *	  settings, what the reader observed, the PG* variables in force and the
 *	  project's driver versions in; the effective sslmode, trust source,
 *	  host check and root file setting out.  Pure: no I/O, no allocation.
 *
 * IDENTIFICATION
 *	  lib/rules/readings.h
 *
 * NOTES
 *	  One place per driver rule: the clients wing reads files and records
 *	  what it saw; pgtls__driver_read() decides what the driver makes of
 *	  it; pgtls__rules_classify() what that does against servers.  The
 *	  root file's existence (and the driver's default root file in a home
 *	  directory) is looked up by the caller, after the reading.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_READINGS_H
#define PGTLS_READINGS_H

#include "conninfo/conninfo.h"
#include "rules/rules.h"

/* what a driver's reading needs */
typedef struct pgtls_reading_in
{
	pgtls_driver driver;            /* as found, after the project's version (PGTLS_DRIVER_PGJDBC_OLD) */
	const pgtls_settings *settings; /* the settings written (never NULL) */
	const pgtls_observed *seen;     /* what the reader observed (never NULL) */
	const pgtls_settings *env;      /* the PG* variables in force, or NULL */
	int node_pg[2];                 /* node-postgres: pg major, minor from the lock file; -1 unknown */
	int node_pcs[2];                /* node-postgres: pg-connection-string major, minor; -1 unknown */
} pgtls_reading_in;

/* what the driver makes of them; strings are static or point into the input's settings */
typedef struct pgtls_reading
{
	pgtls_driver driver;       /* the row that applies (pg 7, uselibpqcompat, ... change it) */
	const char *mode;          /* the effective sslmode as the application spells it */
	const char *mode_source;   /* where it comes from, for people */
	pgtls_sslmode sslmode;     /* MODE as the driver parses it */
	pgtls_trust trust;         /* where the chain is checked against */
	bool custom_host_check;    /* the application's own host name check replaces the driver's */
	const char *sslfactory;    /* pgjdbc's sslfactory, or NULL */
	const char *root;          /* the root file the settings name, or NULL (the driver's default applies) */
	const char *root_source;   /* explicit, environment (PGSSLROOTCERT) */
	bool root_schema_relative; /* Prisma: ROOT is relative to the schema's directory */
	char note[160];            /* a reading people should know of ("" none) */
	char bad_setting[320];     /* the driver refuses the settings themselves: why ("" when not) */
} pgtls_reading;

/* IN's settings as IN's driver reads them into *OUT (never fails) */
void pgtls__driver_read(const pgtls_reading_in *in, pgtls_reading *out);

/* the drivers that take PG* variables and ~/.postgresql as libpq does (libpq, psycopg, asyncpg, pgx, lib/pq) */
bool pgtls__driver_libpq_family(pgtls_driver driver);

#endif
