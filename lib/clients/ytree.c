/*-------------------------------------------------------------------------
 *
 * ytree.c
 *	  A YAML document as a tree of nodes, built from libyaml's events,
 *	  with a bound on nodes (YAML_MAX_NODES) and depth (YAML_MAX_DEPTH).
 *
 * IDENTIFICATION
 *	  lib/clients/ytree.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "clients/ytree.h"

static ynode *
new_node(ytree *t, ykind kind, int line)
{
	ynode *n, **grown;

	if (t->nall >= YAML_MAX_NODES || (n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	grown = realloc(t->all, (size_t)(t->nall + 1) * sizeof(*grown));
	if (grown == NULL)
	{
		free(n);
		return NULL;
	}
	t->all = grown;
	t->all[t->nall++] = n;
	n->kind = kind;
	n->line = line;
	return n;
}

static bool
add_kid(ynode *parent, ynode *kid)
{
	ynode **grown = realloc(parent->kids, (size_t)(parent->n + 1) * sizeof(*grown));

	if (grown == NULL)
		return false;
	parent->kids = grown;
	parent->kids[parent->n++] = kid;
	return true;
}

void
pgtls__ytree_free(ytree *t)
{
	for (int i = 0; i < t->nall; i++)
	{
		free(t->all[i]->s);
		free(t->all[i]->kids);
		free(t->all[i]->anchor);
		free(t->all[i]);
	}
	free(t->all);
}

static ynode *
find_anchor(ytree *t, const char *name)
{
	for (int i = t->nall - 1; i >= 0; i--)
		if (t->all[i]->anchor && strcmp(t->all[i]->anchor, name) == 0)
			return t->all[i];
	return NULL;
}

/* builds the first document of BUF into T; its root, or NULL (T->error says whether it was a syntax error) */
ynode *
pgtls__ytree_parse(ytree *t, const char *buf, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	ynode *stack[YAML_MAX_DEPTH], *root = NULL;
	int depth = 0;
	bool done = false;

	if (!yaml_parser_initialize(&parser))
		return NULL;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (!done)
	{
		ynode *n = NULL;
		const char *anchor = NULL;

		if (!yaml_parser_parse(&parser, &ev))
		{
			t->error = true;
			t->errline = (int)parser.problem_mark.line + 1;
			snprintf(t->err, sizeof(t->err), "%s", parser.problem ? parser.problem : "YAML error");
			break;
		}
		switch (ev.type)
		{
			case YAML_SCALAR_EVENT:
				n = new_node(t, Y_SCALAR, (int)ev.start_mark.line + 1);
				if (n)
					n->s = strndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
				anchor = (const char *)ev.data.scalar.anchor;
				break;
			case YAML_ALIAS_EVENT:
				/* a reference to the anchored node, never a copy */
				n = find_anchor(t, (const char *)ev.data.alias.anchor);
				if (n == NULL)
					n = new_node(t, Y_NULL, (int)ev.start_mark.line + 1);
				break;
			case YAML_MAPPING_START_EVENT:
			case YAML_SEQUENCE_START_EVENT:
				n = new_node(t, ev.type == YAML_MAPPING_START_EVENT ? Y_MAP : Y_SEQ, (int)ev.start_mark.line + 1);
				anchor = (const char *)(ev.type == YAML_MAPPING_START_EVENT ? ev.data.mapping_start.anchor
				                                                            : ev.data.sequence_start.anchor);
				break;
			case YAML_MAPPING_END_EVENT:
			case YAML_SEQUENCE_END_EVENT:
				if (depth > 0)
					depth--;
				break;
			case YAML_DOCUMENT_END_EVENT:
			case YAML_STREAM_END_EVENT:
				done = true;
				break;
			default:
				break;
		}
		if (n && anchor && n->anchor == NULL)
			n->anchor = strdup(anchor);
		if (n)
		{
			if (depth == 0 && root == NULL)
				root = n;
			else if (depth > 0 && !add_kid(stack[depth - 1], n))
				done = true;
			if ((ev.type == YAML_MAPPING_START_EVENT || ev.type == YAML_SEQUENCE_START_EVENT))
			{
				if (depth == YAML_MAX_DEPTH)
					done = true; /* too deep: stop here, keep what was read */
				else
					stack[depth++] = n;
			}
		}
		else if (ev.type == YAML_SCALAR_EVENT || ev.type == YAML_MAPPING_START_EVENT ||
		         ev.type == YAML_SEQUENCE_START_EVENT)
			done = true; /* too many nodes */
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return root;
}

/* value of KEY in map M (following one "<<" merge), or NULL */
ynode *
pgtls__yget(const ynode *m, const char *key)
{
	if (m == NULL || m->kind != Y_MAP)
		return NULL;
	for (int i = 0; i + 1 < m->n; i += 2)
		if (m->kids[i]->kind == Y_SCALAR && m->kids[i]->s && strcmp(m->kids[i]->s, key) == 0)
			return m->kids[i + 1];
	for (int i = 0; i + 1 < m->n; i += 2)
		if (m->kids[i]->kind == Y_SCALAR && m->kids[i]->s && strcmp(m->kids[i]->s, "<<") == 0 && m->kids[i + 1] != m)
		{
			const ynode *base = m->kids[i + 1];

			for (int j = 0; base->kind == Y_MAP && j + 1 < base->n; j += 2)
				if (base->kids[j]->kind == Y_SCALAR && base->kids[j]->s && strcmp(base->kids[j]->s, key) == 0)
					return base->kids[j + 1];
		}
	return NULL;
}

const char *
pgtls__ystr(const ynode *n)
{
	return n && n->kind == Y_SCALAR ? n->s : NULL;
}
