/*-------------------------------------------------------------------------
 *
 * ytree.h
 *	  A YAML document as a tree (libyaml events), bounded in nodes and
 *	  depth; aliases are references to the anchored node.  Used by the
 *	  YAML readers (read_yaml.c) and the application manifest (manifest.c).
 *
 * IDENTIFICATION
 *	  lib/clients/ytree.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_YTREE_H
#define PGTLS_YTREE_H

#include <stdbool.h>
#include <stddef.h>

#define YAML_MAX_NODES 100000
#define YAML_MAX_DEPTH 64

typedef enum
{
	Y_SCALAR,
	Y_MAP,
	Y_SEQ,
	Y_NULL
} ykind;

typedef struct ynode
{
	ykind kind;
	int line;
	char *s;             /* scalar */
	struct ynode **kids; /* map: key, value, key, value...; seq: items */
	int n;
	char *anchor;
	bool walked; /* walk_envs() has been here: aliases make a graph, each node is walked once */
} ynode;

typedef struct ytree
{
	ynode **all; /* every node made, for freeing */
	int nall;
	bool error;
	char err[200];
	int errline;
} ytree;

/* the first document of BUF into T: its root, or NULL (T->error says whether it was a syntax error) */
ynode *pgtls__ytree_parse(ytree *t, const char *buf, size_t len);
void pgtls__ytree_free(ytree *t);
/* the value of KEY in map M (following one "<<" merge), or NULL */
ynode *pgtls__yget(const ynode *m, const char *key);
/* N's text when it is a scalar, else NULL */
const char *pgtls__ystr(const ynode *n);

#endif
