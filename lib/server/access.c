/*-------------------------------------------------------------------------
 *
 * access.c
 *	  Typed accessors of a server check.
 *
 * IDENTIFICATION
 *	  lib/server/access.c
 *
 *-------------------------------------------------------------------------
 */
#include "server/server_int.h"

static const char *
nz(const char *s)
{
	return s ? s : "";
}

const char *
pgtls_server_get(const pgtls_server *s, pgtls_server_field field)
{
	if (s == NULL || !s->checked)
		return "";
	switch (field)
	{
		case PGTLS_SV_USER:
			return nz(s->user);
		case PGTLS_SV_VERSION:
			return nz(s->version);
		case PGTLS_SV_ADDRESS:
			return nz(s->address);
		case PGTLS_SV_PLAINTEXT_MESSAGE:
			return nz(s->plaintext_msg);
	}
	return "";
}

int
pgtls_server_privileged(const pgtls_server *s)
{
	return s && s->checked && s->privileged;
}

int
pgtls_server_nsettings(const pgtls_server *s)
{
	return (s && s->checked) ? s->nsettings : 0;
}

const char *
pgtls_server_setting_name(const pgtls_server *s, int i)
{
	return (s && i >= 0 && i < s->nsettings) ? s->setting_names[i] : "";
}

const char *
pgtls_server_setting_value(const pgtls_server *s, int i)
{
	return (s && i >= 0 && i < s->nsettings) ? s->setting_values[i] : "";
}

int
pgtls_server_nunreadable(const pgtls_server *s)
{
	return (s && s->checked) ? s->nunreadable : 0;
}

const char *
pgtls_server_unreadable(const pgtls_server *s, int i)
{
	return (s && i >= 0 && i < s->nunreadable) ? s->unreadable[i] : "";
}

int
pgtls_server_nrules(const pgtls_server *s)
{
	if (s == NULL || !s->checked || !s->hba_readable)
		return -1;
	return s->nrules;
}

int
pgtls_server_rule_line(const pgtls_server *s, int i)
{
	return (s && i >= 0 && i < s->nrules) ? s->rules[i].line : 0;
}

const char *
pgtls_server_rule_text(const pgtls_server *s, int i)
{
	return (s && i >= 0 && i < s->nrules) ? s->rules[i].text : "";
}

const char *
pgtls_server_rule_error(const pgtls_server *s, int i)
{
	return (s && i >= 0 && i < s->nrules) ? nz(s->rules[i].error) : "";
}

int
pgtls_server_rule_allows_plaintext(const pgtls_server *s, int i)
{
	return s && i >= 0 && i < s->nrules && s->rules[i].lets_in;
}

int
pgtls_server_rule_shadowed(const pgtls_server *s, int i)
{
	return s && i >= 0 && i < s->nrules && s->rules[i].shadowed;
}

int
pgtls_server_nreasons(const pgtls_server *s)
{
	return (s && s->checked) ? s->nreasons : 0;
}

const char *
pgtls_server_reason_code(const pgtls_server *s, int i)
{
	return (s && i >= 0 && i < s->nreasons) ? s->reasons[i].code : "";
}

const char *
pgtls_server_reason(const pgtls_server *s, int i)
{
	return (s && i >= 0 && i < s->nreasons) ? nz(s->reasons[i].text) : "";
}

int
pgtls_server_plaintext_probed(const pgtls_server *s)
{
	return s && s->checked && s->probed;
}

pgtls_startup
pgtls_server_plaintext(const pgtls_server *s)
{
	return (s && s->checked && s->probed) ? s->plaintext : PGTLS_STARTUP_UNKNOWN;
}
