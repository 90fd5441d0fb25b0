/*-------------------------------------------------------------------------
 *
 * access.c
 *	  Typed accessors of a finished probe (the public API's view of the
 *	  results that verdict.c computed).
 *
 * IDENTIFICATION
 *	  lib/probe/access.c
 *
 *-------------------------------------------------------------------------
 */
#include <string.h>

#include "probe/probe_int.h"
#include "probe/results.h"

static const char *
nz(const char *s)
{
	return s ? s : "";
}

const char *
pgtls_probe_get(const pgtls_probe *p, pgtls_probe_field field)
{
	if (p == NULL)
		return "";
	switch (field)
	{
		case PGTLS_PF_TARGET:
			return nz(p->target);
		case PGTLS_PF_HOST:
			return nz(p->host);
		case PGTLS_PF_HOSTADDR:
			return nz(p->hostaddr);
		case PGTLS_PF_PORT:
			return nz(p->port);
		case PGTLS_PF_USER:
			return pgtls__probe_user(p);
		case PGTLS_PF_DBNAME:
			return pgtls__probe_dbname(p);
		case PGTLS_PF_SERVERNAME:
			return nz(p->servername);
		case PGTLS_PF_CHECKED_NAME:
			return p->checked;
		case PGTLS_PF_HOST_MESSAGE:
			return p->host_rc == 1 ? "" : p->host_msg;
		case PGTLS_PF_ROOT_SETTING:
			return p->rc.setting;
		case PGTLS_PF_ROOT_SOURCE:
			return nz(p->rc.source);
		case PGTLS_PF_ROOT_PATH:
			return p->rc.path;
		case PGTLS_PF_ROOT_FORMAT:
			return p->rc.format;
		case PGTLS_PF_ROOT_LOAD_ERROR:
			return p->rc.load_error;
		case PGTLS_PF_VERIFY_REASON:
			return p->rc.verify_reason;
		case PGTLS_PF_VERIFY_HINT:
			return p->rc.verify_hint;
		case PGTLS_PF_PLAINTEXT_MESSAGE:
			return p->plain ? pgtls_conn_get(p->plain, PGTLS_CF_STARTUP_MESSAGE) : "";
		case PGTLS_PF_SSLMODE:
			return pgtls__probe_sslmode(p, NULL);
		case PGTLS_PF_SSLMODE_SOURCE:
		{
			const char *src;

			(void)pgtls__probe_sslmode(p, &src);
			return src;
		}
		case PGTLS_PF_CLIENT_CERT:
			return p->cc.presented ? p->cc.cert_path : "";
		case PGTLS_PF_CLIENT_CERT_ERROR:
			return p->cc.error;
		case PGTLS_PF_SERVICE_FILE:
			return p->service_file;
		case PGTLS_PF_LIBPQ_VERSION_SOURCE:
			return nz(p->libpq_version_source);
		case PGTLS_PF_DRIVER:
			return p->nonvalidating ? "pgjdbc-nonvalidating" : pgtls_driver_name(p->driver);
	}
	return "";
}

pgtls_rootcert_state
pgtls_probe_rootcert(const pgtls_probe *p)
{
	if (p == NULL)
		return PGTLS_ROOTCERT_MISSING;
	if (p->rc.system)
		return PGTLS_ROOTCERT_SYSTEM;
	if (p->rc.path[0] == '\0')
		return PGTLS_ROOTCERT_NO_HOME;
	if (!p->rc.exists)
		return PGTLS_ROOTCERT_MISSING;
	return p->rc.loaded ? PGTLS_ROOTCERT_LOADED : PGTLS_ROOTCERT_UNREADABLE;
}

int
pgtls_probe_rootcert_count(const pgtls_probe *p)
{
	return p ? p->rc.ncerts : 0;
}

int
pgtls_probe_chain_verifies(const pgtls_probe *p)
{
	if (p == NULL || !p->evaluated || p->nchain == 0 || !(p->rc.loaded || p->rc.alt_loaded))
		return -1;
	return p->rc.verified ? 1 : 0;
}

int
pgtls_probe_libpq_version(const pgtls_probe *p)
{
	return p ? p->libpq_version : 0;
}

/*
 * The sslmode the connection string uses: set, or from the service file or
 * PGSSLMODE, else prefer; libpq 16+ defaults to verify-full with
 * sslrootcert=system.
 */
const char *
pgtls__probe_sslmode(const pgtls_probe *p, const char **source)
{
	const char *src = p->sslmode_origin ? p->sslmode_origin : "default";

	if (source)
		*source = src;
	if (strcmp(src, "default") == 0 && p->cinfo_rootcert && strcmp(p->cinfo_rootcert, "system") == 0 &&
	    PROBE_LIBPQ_AT_LEAST(p, 16))
		return "verify-full";
	return p->cinfo_sslmode ? p->cinfo_sslmode : "prefer";
}

int
pgtls_probe_host_ok(const pgtls_probe *p)
{
	return p && p->evaluated && p->host_rc == 1;
}

pgtls_startup
pgtls_probe_plaintext(const pgtls_probe *p)
{
	return (p && p->evaluated) ? pgtls_conn_startup(p->plain) : PGTLS_STARTUP_UNKNOWN;
}

int
pgtls_probe_nchain(const pgtls_probe *p)
{
	return (p && p->evaluated) ? p->nchain : 0;
}

const pgtls_cert *
pgtls_probe_chain(const pgtls_probe *p, int i)
{
	if (p == NULL || i < 0 || i >= p->nchain)
		return NULL;
	return p->chain[i];
}

int
pgtls_probe_nverdicts(const pgtls_probe *p)
{
	return (p && p->evaluated) ? p->nverdicts : 0;
}

const pgtls_verdict *
pgtls_probe_verdict(const pgtls_probe *p, int i)
{
	if (p == NULL || !p->evaluated || i < 0 || i >= p->nverdicts)
		return NULL;
	return &p->verdicts[i];
}

int
pgtls_verdict_direct(const pgtls_verdict *v)
{
	return v && v->negotiation == PGTLS_NEG_DIRECT;
}

pgtls_sslmode
pgtls_verdict_sslmode(const pgtls_verdict *v)
{
	return v ? v->sslmode : PGTLS_SSLMODE_INVALID;
}

pgtls_result
pgtls_verdict_result(const pgtls_verdict *v)
{
	return v ? v->outcome.result : PGTLS_RESULT_UNKNOWN;
}

int
pgtls_verdict_encrypted(const pgtls_verdict *v)
{
	return v && v->outcome.encrypted;
}

pgtls_verified
pgtls_verdict_verified(const pgtls_verdict *v)
{
	return v ? v->outcome.verified : PGTLS_VERIFIED_NONE;
}

int
pgtls_verdict_fell_back(const pgtls_verdict *v)
{
	return v && v->outcome.fell_back;
}

int
pgtls_verdict_nerrors(const pgtls_verdict *v)
{
	return v ? v->outcome.nerrors : 0;
}

pgtls_failure
pgtls_verdict_failure(const pgtls_verdict *v, int i)
{
	if (v == NULL || i < 0 || i >= v->outcome.nerrors)
		return PGTLS_FAIL_NONE;
	return v->outcome.errors[i];
}

const char *
pgtls_verdict_error(const pgtls_verdict *v, int i)
{
	if (v == NULL || i < 0 || i >= v->outcome.nerrors)
		return "";
	return v->errors[i];
}

int
pgtls_probe_nfindings(const pgtls_probe *p)
{
	return (p && p->evaluated) ? p->nfindings : 0;
}

pgtls_severity
pgtls_probe_finding_severity(const pgtls_probe *p, int i)
{
	if (p == NULL || i < 0 || i >= p->nfindings)
		return PGTLS_SEV_UNKNOWN;
	return p->findings[i].severity;
}

const char *
pgtls_probe_finding_code(const pgtls_probe *p, int i)
{
	if (p == NULL || i < 0 || i >= p->nfindings)
		return "";
	return p->findings[i].code;
}

const char *
pgtls_probe_finding_message(const pgtls_probe *p, int i)
{
	if (p == NULL || i < 0 || i >= p->nfindings)
		return "";
	return p->findings[i].message;
}

/* ---- typed results for the other rooms of the library (rotation): never the struct ---- */

bool
pgtls__probe_done(const pgtls_probe *p)
{
	return p && p->evaluated;
}

/* the connection that negotiated TLS: SSLRequest, else direct TLS */
static const pgtls_conn *
tls_conn(const pgtls_probe *p)
{
	return p->pconn ? p->pconn : p->dconn;
}

pgtls_tls_state
pgtls__probe_tls(const pgtls_probe *p)
{
	const pgtls_conn *c = p ? tls_conn(p) : NULL;

	return c ? pgtls__probe_tls_state((pgtls_conn *)c) : PGTLS_TLS_UNREACHABLE;
}

pgtls_startup
pgtls__probe_tls_startup(const pgtls_probe *p)
{
	return pgtls_conn_startup(p ? tls_conn(p) : NULL);
}

const char *
pgtls__probe_address(const pgtls_probe *p)
{
	const pgtls_conn *c = p ? tls_conn(p) : NULL;
	const char *a = c ? pgtls__conn_address(c) : NULL;

	return a ? a : "";
}

struct x509_st *
pgtls__probe_chain_x509(const pgtls_probe *p, int i)
{
	return (p && i >= 0 && i < p->nchain) ? p->chain[i]->x509 : NULL;
}
