/*-------------------------------------------------------------------------
 *
 * rotation_trust.c
 *	  The trust files found under the clients' paths, against the two
 *	  CAs: old only, new only, both, neither.  A file holding the old CA
 *	  and not the new one that no understood client reads is a finding
 *	  of its own: the client that reads it was not understood.
 *
 * IDENTIFICATION
 *	  lib/rotation/rotation_trust.c
 *
 * NOTES
 *	  "Holds the new CA": an anchor is reached from the new CA's
 *	  certificates, as a client verifies (no partial chains).  "Holds the
 *	  old CA": a certificate of --old-ca is in it, or (without --old-ca)
 *	  it verifies the chain a TARGET not yet on the new CA serves.
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "rotation/rotation_int.h"
#include "store/store_int.h"

const char *
pgtls__rot_holds_name(rot_holds h)
{
	static const char *const names[] = {"unreadable", "neither", "old_only", "new_only", "old_and_new"};

	return names[h];
}

static bool
holds_cert(const trust_file *t, X509 *cert)
{
	for (int i = 0; i < t->ncerts; i++)
		if (X509_cmp(t->certs[i], cert) == 0)
			return true;
	return false;
}

static bool
holds_old(const pgtls_rotation *rot, const trust_file *t, X509_STORE *store)
{
	if (rot->oldca)
	{
		for (int i = 0; i < rot->oldca->nentries; i++)
			if (holds_cert(t, rot->oldca->entries[i].cert))
				return true;
		return false;
	}
	for (int i = 0; i < rot->neps; i++)
		if (rot->eps[i].reachable && rot->eps[i].on_new == 0 &&
		    pgtls__rot_verifies_served(store, rot->eps[i].probe) == PGTLS_TRI_YES)
			return true;
	return false;
}

void
pgtls__rot_trust_files(pgtls_rotation *rot, const pgtls_clients *c)
{
	rot->tfiles = calloc((size_t)(c->ntfiles > 0 ? c->ntfiles : 1), sizeof(*rot->tfiles));
	for (int i = 0; rot->tfiles && i < c->ntfiles; i++)
	{
		const trust_file *t = &c->tfiles[i];
		rot_trust_file *rt = &rot->tfiles[i];
		X509_STORE *store = t->error || t->ncerts == 0 ? NULL : X509_STORE_new();
		bool o, n;

		rt->users = pgtls__trust_file_users(c, t, NULL, 0);
		if (store == NULL)
		{
			rt->holds = ROT_HOLDS_UNREADABLE;
			continue;
		}
		for (int k = 0; k < t->ncerts; k++)
			X509_STORE_add_cert(store, t->certs[k]);
		o = holds_old(rot, t, store);
		n = pgtls__rot_trusts_new(store, rot->newset) == PGTLS_TRI_YES;
		rt->holds = o && n ? ROT_HOLDS_BOTH : o ? ROT_HOLDS_OLD_ONLY : n ? ROT_HOLDS_NEW_ONLY : ROT_HOLDS_NEITHER;
		rt->ack = pgtls__ack_of(c, t->path, 0);
		if (rt->holds == ROT_HOLDS_OLD_ONLY && rt->users == 0 && rt->ack == NULL)
			rot->stale_stores++; /* a client nobody understood reads it: not an all-clear */
		X509_STORE_free(store);
	}
}

const char *
pgtls_rotation_trust_file_holds(const pgtls_rotation *rot, int i)
{
	if (rot == NULL || !rot->done || rot->tfiles == NULL || i < 0 || i >= rot->clients->ntfiles)
		return "";
	return pgtls__rot_holds_name(rot->tfiles[i].holds);
}
