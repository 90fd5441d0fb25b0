/*-------------------------------------------------------------------------
 *
 * access.c
 *	  Typed accessors of the clients object: the records, the paths not
 *	  read and the settings not understood.
 *
 * IDENTIFICATION
 *	  lib/clients/access.c
 *
 *-------------------------------------------------------------------------
 */
#include <stddef.h>

#include "clients/clients_int.h"

int
pgtls_clients_files_scanned(const pgtls_clients *c)
{
	return c ? c->files : 0;
}

int
pgtls_clients_nskipped(const pgtls_clients *c)
{
	return c ? c->nskipped : 0;
}

int
pgtls_clients_not_listed(const pgtls_clients *c)
{
	return c ? c->nrecs_dropped : 0;
}

int
pgtls_clients_nskipped_total(const pgtls_clients *c)
{
	return c ? c->nskipped + c->nskipped_more : 0;
}

const char *
pgtls_clients_skipped_path(const pgtls_clients *c, int i)
{
	return (c && i >= 0 && i < c->nskipped && c->skipped[i].path) ? c->skipped[i].path : "";
}

const char *
pgtls_clients_skipped_reason(const pgtls_clients *c, int i)
{
	return (c && i >= 0 && i < c->nskipped && c->skipped[i].reason) ? c->skipped[i].reason : "";
}

void
pgtls_clients_set_progress(pgtls_clients *c, void (*fn)(void *arg, int files, const char *path), void *arg)
{
	if (c == NULL)
		return;
	c->progress = fn;
	c->progress_arg = arg;
}

int
pgtls_clients_binaries(const pgtls_clients *c)
{
	return c ? c->binaries : 0;
}

int
pgtls_clients_nunparsed(const pgtls_clients *c)
{
	return c ? c->nunparsed : 0;
}

int
pgtls_clients_nunparsed_total(const pgtls_clients *c)
{
	return c ? c->nunparsed + c->nunparsed_more : 0;
}

const char *
pgtls_clients_unparsed_file(const pgtls_clients *c, int i)
{
	return (c && i >= 0 && i < c->nunparsed && c->unparsed[i].path) ? c->unparsed[i].path : "";
}

int
pgtls_clients_unparsed_line(const pgtls_clients *c, int i)
{
	return (c && i >= 0 && i < c->nunparsed) ? c->unparsed[i].line : 0;
}

const char *
pgtls_clients_unparsed_reason(const pgtls_clients *c, int i)
{
	return (c && i >= 0 && i < c->nunparsed && c->unparsed[i].reason) ? c->unparsed[i].reason : "";
}

static const client_rec *
rec_at(const pgtls_clients *c, int i)
{
	return (c && i >= 0 && i < c->nrecs) ? &c->recs[i] : NULL;
}

static const char *
nz(const char *s)
{
	return s ? s : "";
}

const char *
pgtls_client_get(const pgtls_clients *c, int i, pgtls_client_field field)
{
	const client_rec *r = rec_at(c, i);

	if (r == NULL)
		return "";
	switch (field)
	{
		case PGTLS_CL_FILE:
			return nz(r->file);
		case PGTLS_CL_KIND:
			return r->kind;
		case PGTLS_CL_SPEC:
			return nz(r->spec);
		case PGTLS_CL_HOST:
			return nz(pgtls__client_shown(r, CL_HIDE_HOST, r->host));
		case PGTLS_CL_HOSTADDR:
			return nz(pgtls__client_shown(r, CL_HIDE_HOSTADDR, r->hostaddr));
		case PGTLS_CL_PORT:
			return nz(pgtls__client_shown(r, CL_HIDE_PORT, r->port));
		case PGTLS_CL_SSLMODE:
			return nz(r->sslmode_text);
		case PGTLS_CL_SSLMODE_SOURCE:
			return nz(r->sslmode_source);
		case PGTLS_CL_ROOTCERT:
			return r->trust == PGTLS_TRUST_JVM ? "JVM trust store (javax.net.ssl.trustStore or cacerts)"
			                                   : nz(r->rootcert);
		case PGTLS_CL_ROOTCERT_SOURCE:
			return r->trust == PGTLS_TRUST_JVM ? pgtls__jvm_source(r) : nz(r->root_source);
		case PGTLS_CL_VERDICT:
			return pgtls__client_verdict(r);
		case PGTLS_CL_DETAIL:
			return r->unresolved ? r->unresolved : nz(pgtls__client_detail(r));
		case PGTLS_CL_NOTE:
			return nz(r->note);
		case PGTLS_CL_DECOY:
			return nz(r->decoy_finding);
	}
	return "";
}

int
pgtls_client_line(const pgtls_clients *c, int i)
{
	const client_rec *r = rec_at(c, i);

	return r ? r->line : 0;
}

pgtls_driver
pgtls_client_driver(const pgtls_clients *c, int i)
{
	const client_rec *r = rec_at(c, i);

	return r ? r->driver : PGTLS_DRIVER_LIBPQ;
}

pgtls_trust
pgtls_client_trust(const pgtls_clients *c, int i)
{
	const client_rec *r = rec_at(c, i);

	return r ? r->trust : PGTLS_TRUST_FILE;
}

pgtls_client_outcome
pgtls_client_outcome_of(const pgtls_clients *c, int i)
{
	const client_rec *r = rec_at(c, i);

	return r ? r->outcome : PGTLS_OUTCOME_UNKNOWN;
}

pgtls_failure
pgtls_client_failure(const pgtls_clients *c, int i)
{
	const client_rec *r = rec_at(c, i);

	return r ? r->failure : PGTLS_FAIL_NONE;
}

int
pgtls_client_rootcert_exists(const pgtls_clients *c, int i)
{
	const client_rec *r = rec_at(c, i);

	if (r == NULL || r->trust == PGTLS_TRUST_JVM)
		return -1;
	return r->root == PGTLS_ROOT_LOADED || r->root == PGTLS_ROOT_UNREADABLE;
}
