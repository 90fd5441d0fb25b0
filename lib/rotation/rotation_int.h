/*-------------------------------------------------------------------------
 *
 * rotation_int.h
 *	  The rotation object: endpoints (borrowed probes) and one prediction
 *	  per client (borrowed records).
 *
 * IDENTIFICATION
 *	  lib/rotation/rotation_int.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_ROTATION_INT_H
#define PGTLS_ROTATION_INT_H

#include "clients/clients_int.h"

typedef struct rot_endpoint
{
	const pgtls_probe *probe;
	bool reachable;
	int on_new; /* 1, 0, -1 unknown */
	char issuer[512];
	bool discovered; /* a client's server, not a TARGET: probed because a client connects to it */
	int same_as;     /* discovered: index of the TARGET at the same address and port, else -1 */
} rot_endpoint;

#define ROT_MAX_PLAN 1024

typedef struct rot_client
{
	const client_rec *rec;
	int endpoint; /* index into eps, -1 none */
	pgtls_outcome now;
	pgtls_outcome after;
	pgtls_prediction prediction;
	bool alias;                /* verify-full through a name the certificate lacks */
	bool observed;             /* a rehearsal saw it: PREDICTION is what it did there */
	pgtls_prediction inferred; /* what its settings give */
	bool contradiction;        /* the rehearsal saw what the settings rule out */
	char error[512];
	char reason[600];
	char fix[1400];
	const char *when;
} rot_client;

/* a trust file read once for every client that names it */
typedef struct rot_cached_store
{
	char *path;
	struct pgtls_store *store; /* NULL: it could not be read (why) */
	char why[300];
} rot_cached_store;

#define ROT_MAX_CACHED 256

struct pgtls_rotation
{
	rot_cached_store cache[ROT_MAX_CACHED];
	int ncache;
	struct x509_store_st *system; /* the OS store, loaded once */
	pgtls_errslot err;
	struct pgtls_store *newca;
	struct pgtls_store *oldca;    /* --old-ca, or NULL */
	struct stack_st_X509 *newset; /* the new CA's certificates (borrowed from newca) */
	char *new_ca_path;
	char *old_ca_path; /* --old-ca, or NULL */
	rot_endpoint *eps;
	int neps;
	int ntargets;              /* eps[0 .. ntargets-1] are TARGETs, the rest discovered */
	const pgtls_probe **found; /* pgtls_rotation_add_endpoint(), borrowed */
	int nfound;
	char **plan; /* conninfos of the clients' servers no TARGET covers */
	int nplan;
	const pgtls_probe *canary; /* --new-chain-from, borrowed, or NULL */
	const char *new_rule;      /* how the new CA was told from the old: old_ca_file, canary, served_now, validity */
	rot_client *cls;
	int ncls;
	int breaks;                    /* breaks + already broken */
	const pgtls_clients *clients;  /* the clients judged (borrowed) */
	struct rot_trust_file *tfiles; /* the clients' trust files, with the CAs each holds (rotation_trust.c) */
	int stale_stores;              /* trust files with the old CA, not the new, that no understood client uses */
	int contradictions;            /* clients a rehearsal saw do what their settings rule out */
	int unattributed_bad;          /* rehearsal sessions no client claims that broke, fell back or proved nothing */
	bool go;
	bool done;
};

/* rotation_endpoints.c: endpoints, the new CA set, mapping a client to its endpoint */
bool pgtls__rot_probe_reachable(const pgtls_probe *p);
pgtls_err pgtls__rot_new_ca_set(pgtls_rotation *rot, const pgtls_probe *const *probes, int nprobes);
pgtls_err pgtls__rot_endpoints(pgtls_rotation *rot, const pgtls_probe *const *probes, int nprobes);
int pgtls__rot_endpoint_for(const pgtls_rotation *rot, const client_rec *r, bool *assumed);

/* rotation.c */
/* which CAs a trust file holds */
typedef enum rot_holds
{
	ROT_HOLDS_UNREADABLE,
	ROT_HOLDS_NEITHER,
	ROT_HOLDS_OLD_ONLY,
	ROT_HOLDS_NEW_ONLY,
	ROT_HOLDS_BOTH
} rot_holds;

typedef struct rot_trust_file
{
	rot_holds holds;
	int users;       /* clients that read it */
	const char *ack; /* the manifest's reason (a person checked it), or NULL */
} rot_trust_file;

/* rotation.c: does STORE verify the chain P serves / reach an anchor from the new CA? */
pgtls_tri pgtls__rot_verifies_served(struct x509_store_st *store, const pgtls_probe *p);
pgtls_tri pgtls__rot_trusts_new(struct x509_store_st *store, struct stack_st_X509 *newset);
/* rotation_trust.c: the CAs each of CLIENTS' trust files holds; stale stores counted */
void pgtls__rot_trust_files(pgtls_rotation *rot, const pgtls_clients *clients);
const char *pgtls__rot_holds_name(rot_holds h);

void pgtls__rotation_judge(pgtls_rotation *rot, const client_rec *r, rot_client *rc);
/* rotation_words.c: error, when and fix sentences from the typed prediction */
void pgtls__rotation_words(const pgtls_rotation *rot, rot_client *rc);
const char *pgtls__rotation_now(const rot_client *rc);
/* report/json_rotation.c */
struct json_t *pgtls__rotation_to_json(const pgtls_rotation *rot);

#endif
