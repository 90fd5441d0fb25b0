/*-------------------------------------------------------------------------
 *
 * rotation_int.h
 *	  The rotation object: endpoints (borrowed probes) and one prediction
 *	  per client (borrowed records).
 *
 * IDENTIFICATION
 *	  lib/clients/rotation_int.h
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
} rot_endpoint;

typedef struct rot_client
{
	const client_rec *rec;
	int endpoint; /* index into eps, -1 none */
	pgtls_outcome now;
	pgtls_outcome after;
	pgtls_prediction prediction;
	bool alias; /* verify-full through a name the certificate lacks */
	char error[512];
	char reason[600];
	char fix[1400];
	const char *when;
} rot_client;

struct pgtls_rotation
{
	pgtls_errslot err;
	struct pgtls_store *newca;
	struct pgtls_store *oldca;    /* --old-ca, or NULL */
	struct stack_st_X509 *newset; /* the new CA's certificates (borrowed from newca) */
	char *new_ca_path;
	rot_endpoint *eps;
	int neps;
	rot_client *cls;
	int ncls;
	int breaks; /* breaks + already broken */
	bool go;
	bool done;
};

/* rotation.c */
void pgtls__rotation_judge(pgtls_rotation *rot, const client_rec *r, rot_client *rc);
/* rotation_words.c: error, when and fix sentences from the typed prediction */
void pgtls__rotation_words(const pgtls_rotation *rot, rot_client *rc);
/* report/json_rotation.c */
struct json_t *pgtls__rotation_to_json(const pgtls_rotation *rot);

#endif
