/*-------------------------------------------------------------------------
 *
 * rotation_endpoints.c
 *	  The endpoints of a rotation: the TARGETs, the servers clients connect
 *	  to that no TARGET covers (found here, probed by the caller), the
 *	  canary already switched (--new-chain-from), and which certificates
 *	  of the new CA file are the new CA.
 *
 * IDENTIFICATION
 *	  lib/rotation/rotation_endpoints.c
 *
 * NOTES
 *	  A client maps to an endpoint by host name and port, by hostaddr, or
 *	  by the address the probe reached; a server found through a client
 *	  that turns out to be a TARGET under another name (a DNS alias) is
 *	  that TARGET.  Nothing is mapped by guessing: a client whose server
 *	  was not probed is "unknown".
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "clients/clients_int.h"
#include "rotation/rotation_int.h"
#include "probe/results.h"
#include "store/store_int.h"

bool
pgtls__rot_probe_reachable(const pgtls_probe *p)
{
	return pgtls__probe_done(p) && pgtls__probe_tls(p) != PGTLS_TLS_UNREACHABLE;
}

/* is X (or its issuer) a certificate of SET? */
static bool
from_set(X509 *x, STACK_OF(X509) * set)
{
	for (int k = 0; k < sk_X509_num(set); k++)
	{
		X509 *ca = sk_X509_value(set, k);

		if (X509_cmp(x, ca) == 0 || X509_check_issued(ca, x) == X509_V_OK)
			return true;
	}
	return false;
}

/* does the served chain come from the new CA? */
static int
serves_new_ca(const pgtls_probe *p, STACK_OF(X509) * newset)
{
	if (!pgtls__rot_probe_reachable(p) || pgtls_probe_nchain(p) == 0)
		return -1;
	for (int i = 0; i < pgtls_probe_nchain(p); i++)
		if (from_set(pgtls__probe_chain_x509(p, i), newset))
			return 1;
	return 0;
}

/* does CA (a certificate of the file) issue, or equal, a certificate P serves? */
static bool
issues_served(X509 *ca, const pgtls_probe *p)
{
	for (int c = 0; pgtls__rot_probe_reachable(p) && c < pgtls_probe_nchain(p); c++)
	{
		X509 *x = pgtls__probe_chain_x509(p, c);

		if (X509_cmp(x, ca) == 0 || X509_check_issued(ca, x) == X509_V_OK)
			return true;
	}
	return false;
}

static bool
is_canary(const pgtls_rotation *rot, const pgtls_probe *p)
{
	return rot->canary && pgtls_probe_nchain(p) > 0 &&
	       X509_cmp(pgtls__probe_chain_x509(p, 0), pgtls__probe_chain_x509(rot->canary, 0)) == 0;
}

/* is A's notBefore strictly later than B's? */
static bool
younger(X509 *a, X509 *b)
{
	int days = 0, secs = 0;

	return ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(b), X509_get0_notBefore(a)) == 1 &&
	       (days > 0 || (days == 0 && secs > 0));
}

static bool
self_signed(X509 *x)
{
	bool yes = X509_check_issued(x, x) == X509_V_OK;

	ERR_clear_error();
	return yes;
}

/*
 * The validity rule: a root of the file that a TARGET serves is the new
 * CA, not the old, when no other root of the file is younger (notBefore)
 * and some root is older; those older roots are the old CA.  A rotation's
 * new CA is the younger one (rds-ca-2019, then rds-ca-rsa2048-g1): run
 * after the switch, or with some TARGETs switched, the served youngest
 * root is new.  On a tie nothing is decided here (the served root stays
 * old, as before).
 */
static void
validity_rule(pgtls_rotation *rot, bool *old, const bool *served)
{
	int n = rot->newca->nentries;

	for (int k = 0; k < n; k++)
	{
		X509 *ca = rot->newca->entries[k].cert;
		bool youngest = served[k] && self_signed(ca), has_older = false;

		for (int j = 0; youngest && j < n; j++)
			if (j != k && self_signed(rot->newca->entries[j].cert))
			{
				youngest = !younger(rot->newca->entries[j].cert, ca);
				has_older = has_older || younger(ca, rot->newca->entries[j].cert);
			}
		if (!youngest || !has_older)
			continue;
		old[k] = false;
		rot->new_rule = "validity";
		for (int j = 0; j < n; j++)
			if (j != k && self_signed(rot->newca->entries[j].cert) && younger(ca, rot->newca->entries[j].cert))
				old[j] = true;
	}
}

/* the generation of AWS's CA certificate C (known by its fingerprint): 1 rds-ca-2015, 2 rds-ca-2019, 3 G1; 0 not */
static int
aws_generation(const pgtls_cert *c)
{
	const char *k = pgtls_cert_known_as(c);

	return strncmp(k, "rds-ca-2015", 11) == 0 ? 1 : strncmp(k, "rds-ca-2019", 11) == 0 ? 2 : strstr(k, "-g1") ? 3 : 0;
}

/*
 * The AWS rule: a --new-ca file holding AWS's own CAs (by fingerprint) of
 * more than one generation (AWS's global bundle with rds-ca-2019 and the
 * G1 roots): the older generations are the old CA, whatever is served.
 */
static bool
aws_rule(pgtls_rotation *rot, bool *old)
{
	int n = rot->newca->nentries, top = 0, low = 4, *gen = calloc((size_t)(n ? n : 1), sizeof(int));

	for (int k = 0; gen && k < n; k++)
		if ((gen[k] = aws_generation(pgtls_store_cert(rot->newca, k))) > 0)
		{
			top = gen[k] > top ? gen[k] : top;
			low = gen[k] < low ? gen[k] : low;
		}
	if (gen == NULL || top == 0 || low == top)
	{
		free(gen);
		return false;
	}
	for (int k = 0; k < n; k++)
		old[k] = gen[k] > 0 && gen[k] < top;
	rot->new_rule = "aws_generation";
	free(gen);
	return true;
}

/* marks OLD[k] for certificates of the new CA file that are the old CA (rot->new_rule says by which rule) */
static void
mark_old(pgtls_rotation *rot, bool *old, const pgtls_probe *const *probes, int nprobes)
{
	int n = rot->newca->nentries;
	bool changed = true, *served = calloc((size_t)(n ? n : 1), sizeof(bool));

	rot->new_rule = rot->oldca ? "old_ca_file" : rot->canary ? "canary" : "served_now";
	for (int k = 0; k < n; k++)
	{
		X509 *ca = rot->newca->entries[k].cert;

		for (int o = 0; rot->oldca && o < rot->oldca->nentries; o++)
			old[k] = old[k] || X509_cmp(ca, rot->oldca->entries[o].cert) == 0;
		for (int i = 0; !rot->oldca && i < nprobes; i++)
			if (!is_canary(rot, probes[i]) && issues_served(ca, probes[i]))
				old[k] = served[k] = true;
		if (rot->canary && issues_served(ca, rot->canary))
			old[k] = false; /* what the switched canary serves is new */
	}
	if (!rot->oldca && !rot->canary && !aws_rule(rot, old) && served)
		validity_rule(rot, old, served);
	free(served);
	/* what issues an old CA certificate is old too */
	while (changed && !rot->oldca)
	{
		changed = false;
		for (int k = 0; k < n; k++)
			for (int j = 0; !old[k] && j < n; j++)
				if (old[j] && X509_check_issued(rot->newca->entries[k].cert, rot->newca->entries[j].cert) == X509_V_OK)
					old[k] = changed = true;
	}
}

static int
self_signed_count(const pgtls_store *st)
{
	int n = 0;

	for (int k = 0; k < st->nentries; k++)
		n += self_signed(st->entries[k].cert);
	return n;
}

/*
 * The new CA: the new CA file less the old CA file.  Without an old CA
 * file, certificates of the new CA file that issue what a TARGET serves
 * now (directly or through one another) are the old CA, unless the
 * --new-chain-from canary serves them, or that would leave nothing (every
 * TARGET already on the one root of the file).  Never "any certificate in
 * the file": a bundle of old and new must not make old-only clients look
 * ready.
 */
pgtls_err
pgtls__rot_new_ca_set(pgtls_rotation *rot, const pgtls_probe *const *probes, int nprobes)
{
	int n = rot->newca->nentries;
	bool *old = calloc((size_t)(n ? n : 1), sizeof(bool));
	int left = 0;

	rot->newset = sk_X509_new_null();
	if (old == NULL || rot->newset == NULL)
	{
		free(old);
		return pgtls__seterr(&rot->err, PGTLS_ERR_OOM, "out of memory");
	}
	mark_old(rot, old, probes, nprobes);
	for (int k = 0; k < n; k++)
		left += !old[k];
	if (left == 0 && rot->oldca)
	{
		free(old);
		return pgtls__seterr(&rot->err, PGTLS_ERR_USAGE, "the new CA file holds only certificates of the old CA file");
	}
	if (left == 0 && self_signed_count(rot->newca) > 1)
	{
		free(old);
		return pgtls__seterr(&rot->err, PGTLS_ERR_USAGE,
		                     "every root CA of the new CA file issues what some TARGET serves now: which is the new "
		                     "one cannot be told; name the old CA or an instance already switched");
	}
	for (int k = 0; k < n; k++)
		if (left == 0 || !old[k])
			sk_X509_push(rot->newset, rot->newca->entries[k].cert);
	free(old);
	ERR_clear_error();
	if (rot->canary && serves_new_ca(rot->canary, rot->newset) != 1)
		return pgtls__seterr(
		    &rot->err, PGTLS_ERR_USAGE,
		    "the switched instance %s: its chain does not come from a certificate of the new CA file (has it "
		    "switched?)",
		    pgtls_probe_get(rot->canary, PGTLS_PF_TARGET));
	return PGTLS_OK;
}

/* ---- the endpoint a client connects to ---- */

static bool
probe_serves(const pgtls_probe *p, const client_rec *r)
{
	const char *port = r->port ? r->port : "5432";
	const char *addr = pgtls__probe_address(p);
	const char *pport = pgtls_probe_get(p, PGTLS_PF_PORT), *phost = pgtls_probe_get(p, PGTLS_PF_HOST);
	const char *phostaddr = pgtls_probe_get(p, PGTLS_PF_HOSTADDR);

	if (pport[0] == '\0' || strcmp(pport, port) != 0)
		return false;
	if (r->hostaddr)
		return (phostaddr[0] && strcmp(r->hostaddr, phostaddr) == 0) || strcmp(r->hostaddr, addr) == 0;
	return r->host && ((phost[0] && strcasecmp(r->host, phost) == 0) || strcmp(r->host, addr) == 0);
}

int
pgtls__rot_endpoint_for(const pgtls_rotation *rot, const client_rec *r, bool *assumed)
{
	*assumed = false;
	for (int i = 0; i < rot->neps; i++)
		if (probe_serves(rot->eps[i].probe, r))
			return rot->eps[i].same_as >= 0 ? rot->eps[i].same_as : i;
	if (r->host == NULL && r->hostaddr == NULL && rot->ntargets == 1)
	{
		*assumed = true;
		return 0;
	}
	return -1;
}

static void
endpoint_init(pgtls_rotation *rot, rot_endpoint *ep, const pgtls_probe *p, bool discovered)
{
	ep->probe = p;
	ep->reachable = pgtls__rot_probe_reachable(p);
	ep->on_new = serves_new_ca(p, rot->newset);
	ep->discovered = discovered;
	ep->same_as = -1;
	snprintf(ep->issuer, sizeof(ep->issuer), "%s",
	         pgtls_probe_nchain(p) ? pgtls_cert_get(pgtls_probe_chain(p, 0), PGTLS_CERT_ISSUER) : "");
	/* a client's server that is a TARGET under another name: the same address and port */
	for (int t = 0; discovered && ep->reachable && t < rot->ntargets; t++)
		if (rot->eps[t].reachable && pgtls_probe_get(p, PGTLS_PF_PORT)[0] &&
		    strcmp(pgtls_probe_get(p, PGTLS_PF_PORT), pgtls_probe_get(rot->eps[t].probe, PGTLS_PF_PORT)) == 0 &&
		    strcmp(pgtls__probe_address(p), pgtls__probe_address(rot->eps[t].probe)) == 0)
		{
			ep->same_as = t;
			break;
		}
}

pgtls_err
pgtls__rot_endpoints(pgtls_rotation *rot, const pgtls_probe *const *probes, int nprobes)
{
	rot->eps = calloc((size_t)(nprobes + rot->nfound > 0 ? nprobes + rot->nfound : 1), sizeof(*rot->eps));
	if (rot->eps == NULL)
		return pgtls__seterr(&rot->err, PGTLS_ERR_OOM, "out of memory");
	for (int i = 0; i < nprobes; i++)
		endpoint_init(rot, &rot->eps[rot->neps++], probes[i], false);
	rot->ntargets = rot->neps;
	for (int i = 0; i < rot->nfound; i++)
		endpoint_init(rot, &rot->eps[rot->neps++], rot->found[i], true);
	return PGTLS_OK;
}

/* ---- servers to probe that no TARGET covers ---- */

/* VALUE as a conninfo value: quoted, with \ and ' escaped */
static void
quote(char *out, size_t outlen, const char *value)
{
	size_t o = 0;

	if (outlen < 3)
		return;
	out[o++] = '\'';
	for (const char *v = value; *v && o + 4 < outlen; v++)
	{
		if (*v == '\'' || *v == '\\')
			out[o++] = '\\';
		out[o++] = *v;
	}
	out[o++] = '\'';
	out[o] = '\0';
}

/* a DNS name, IPv4 or IPv6 address: nothing to quote */
static bool
plain_name(const char *host)
{
	return host && host[0] &&
	       strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:_") == strlen(host);
}

/* the target of R's server (host:port or a conninfo), or false when it cannot be probed from here */
static bool
client_conninfo(const client_rec *r, char *out, size_t outlen)
{
	char h[600], a[300], p[64];

	if (r->outcome == PGTLS_OUTCOME_NO_TLS || r->outcome == PGTLS_OUTCOME_UNIX_SOCKET ||
	    (r->hidden & (CL_HIDE_HOST | CL_HIDE_PORT | CL_HIDE_HOSTADDR)) || (r->host == NULL && r->hostaddr == NULL))
		return false;
	if ((r->host && (r->host[0] == '/' || r->host[0] == '@' || strchr(r->host, ',') || strlen(r->host) > 255)) ||
	    (r->hostaddr && (strchr(r->hostaddr, ',') || strlen(r->hostaddr) > 100)) || (r->port && strlen(r->port) > 10))
		return false;
	if (r->hostaddr == NULL && plain_name(r->host) &&
	    (r->port == NULL || strspn(r->port, "0123456789") == strlen(r->port)))
	{
		/* the short form pgtls probe takes: host:port, [v6]:port */
		snprintf(out, outlen, strchr(r->host, ':') ? "[%s]:%s" : "%s:%s", r->host, r->port ? r->port : "5432");
		return true;
	}
	quote(h, sizeof(h), r->host ? r->host : r->hostaddr);
	quote(p, sizeof(p), r->port ? r->port : "5432");
	if (r->hostaddr)
		quote(a, sizeof(a), r->hostaddr);
	snprintf(out, outlen, "host=%s port=%s%s%s", h, p, r->hostaddr ? " hostaddr=" : "", r->hostaddr ? a : "");
	return true;
}

int
pgtls_rotation_plan(pgtls_rotation *rot, const pgtls_clients *clients, const pgtls_probe *const *probes, int nprobes)
{
	if (rot == NULL || clients == NULL || nprobes < 0 || (nprobes > 0 && probes == NULL))
		return -1;
	pgtls__clearerr(&rot->err);
	for (int i = 0; i < clients->nrecs; i++)
	{
		const client_rec *r = &clients->recs[i];
		char ci[1200];
		bool covered = false;
		int k;

		for (int t = 0; t < nprobes && !covered; t++)
			covered = probes[t] && probe_serves(probes[t], r);
		if (covered || !client_conninfo(r, ci, sizeof(ci)))
			continue;
		for (k = 0; k < rot->nplan && strcmp(rot->plan[k], ci) != 0; k++)
			;
		if (k < rot->nplan || rot->nplan == ROT_MAX_PLAN)
			continue; /* known; or beyond the bound: its clients stay "unknown", with the reason */
		if (rot->plan == NULL && (rot->plan = calloc(ROT_MAX_PLAN, sizeof(char *))) == NULL)
		{
			pgtls__seterr(&rot->err, PGTLS_ERR_OOM, "out of memory");
			return -1;
		}
		if ((rot->plan[rot->nplan] = strdup(ci)) == NULL)
		{
			pgtls__seterr(&rot->err, PGTLS_ERR_OOM, "out of memory");
			return -1;
		}
		rot->nplan++;
	}
	return rot->nplan;
}

const char *
pgtls_rotation_plan_target(const pgtls_rotation *rot, int i)
{
	return (rot && i >= 0 && i < rot->nplan) ? rot->plan[i] : "";
}

pgtls_err
pgtls_rotation_add_endpoint(pgtls_rotation *rot, const pgtls_probe *probe)
{
	const pgtls_probe **grown;

	if (rot == NULL || probe == NULL || !pgtls__probe_done(probe) || rot->done)
		return PGTLS_ERR_USAGE;
	if (rot->nfound >= ROT_MAX_PLAN)
		return pgtls__seterr(&rot->err, PGTLS_ERR_USAGE, "more than %d endpoints added", ROT_MAX_PLAN);
	grown = realloc(rot->found, (size_t)(rot->nfound + 1) * sizeof(*grown));
	if (grown == NULL)
		return pgtls__seterr(&rot->err, PGTLS_ERR_OOM, "out of memory");
	rot->found = grown;
	rot->found[rot->nfound++] = probe;
	return PGTLS_OK;
}

pgtls_err
pgtls_rotation_set_new_chain(pgtls_rotation *rot, const pgtls_probe *canary)
{
	if (rot == NULL || canary == NULL || !pgtls__probe_done(canary) || rot->done)
		return PGTLS_ERR_USAGE;
	pgtls__clearerr(&rot->err);
	if (!pgtls__rot_probe_reachable(canary) || pgtls_probe_nchain(canary) == 0)
		return pgtls__seterr(&rot->err, PGTLS_ERR_IO, "the switched instance %s: %s",
		                     pgtls_probe_get(canary, PGTLS_PF_TARGET),
		                     pgtls__rot_probe_reachable(canary) ? "serves no certificate" : "unreachable");
	rot->canary = canary;
	return PGTLS_OK;
}
