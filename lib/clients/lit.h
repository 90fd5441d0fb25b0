/*-------------------------------------------------------------------------
 *
 * lit.h
 *	  The literal reader shared by the Python and JavaScript readers.
 *
 * IDENTIFICATION
 *	  lib/clients/lit.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PGTLS_LIT_H
#define PGTLS_LIT_H

#include <stdbool.h>
#include <stddef.h>

struct json_t;
typedef struct pgtls_strbuf pgtls_strbuf;

#define LIT_MAX_DEPTH 8

typedef struct lit_lex
{
	const char *p, *end, *buf;
	const char *base_dir; /* Python: a resolved BASE_DIR, or NULL */
	bool js;              /* JavaScript rules (comments, bare keys, backticks, true/null) */
} lit_lex;

void pgtls__lit_skip_space(lit_lex *lx);
/* a string literal at lx->p: its value appended to OUT; *FSTRING set for f-strings/templates */
bool pgtls__lit_string(lit_lex *lx, pgtls_strbuf *out, bool *fstring);
/* skips one balanced expression up to , ) } ] : at depth 0 */
void pgtls__lit_skip_expr(lit_lex *lx);
/* one value: a JSON string/true/false/null/object, or {"$expr": text} ({"$default", "$name"} for env defaults) */
struct json_t *pgtls__lit_value(lit_lex *lx, int depth);
/* a dict/object literal after its '{' */
struct json_t *pgtls__lit_dict(lit_lex *lx, int depth);

/* the code text of an expression value ({"$expr": ...}), or NULL */
const char *pgtls__lit_expr(struct json_t *v);
/*
 * An environment default value: its default, and NOTE gets "KEY from
 * VIA NAME when set, else \"DEFAULT\"" (VIA: "environment variable ",
 * "process.env."); NULL when V is not one.
 */
const char *pgtls__lit_env_default(struct json_t *v, const char *key, const char *via, char *note, size_t notelen);

#endif
