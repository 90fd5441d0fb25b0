/*-------------------------------------------------------------------------
 *
 * read_ruby.c
 *	  PostgreSQL settings in Ruby code: the pg gem's PG.connect /
 *	  PG::Connection.new / .open with a hash of libpq keywords, Rails'
 *	  ActiveRecord::Base.establish_connection (initializers, scripts) and
 *	  Sequel.connect with an options hash.  (Rails database.yml is read by
 *	  read_yaml.c; a postgres:// URI by the line reader.)
 *
 * IDENTIFICATION
 *	  lib/clients/read_ruby.c
 *
 * NOTES
 *	  ruby-pg PG::Connection.parse_connect_args: hash keys are libpq
 *	  keywords, handed to PQconnectdbParams (libpq reads them: psql's
 *	  rules).  The Rails PostgreSQL adapter maps database -> dbname and
 *	  username -> user and passes sslmode, sslrootcert, ... to the pg gem;
 *	  Sequel's postgres adapter does the same.  ENV['X'] and
 *	  ENV.fetch('X') are set where the application runs (kept as ${X}: the
 *	  record says which variable); ENV.fetch('X', 'd') is 'd', noted.
 *
 *-------------------------------------------------------------------------
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/clients_int.h"

#define RB_MAX_CALL 4096

/* the end of the value at P (a top-level ',' or the call's ')') */
static const char *
value_end(const char *p, const char *end)
{
	int depth = 0;
	char q = 0;

	for (; p < end; p++)
	{
		if (q)
		{
			if (*p == '\\' && p + 1 < end)
				p++;
			else if (*p == q)
				q = 0;
		}
		else if (*p == '\'' || *p == '"')
			q = *p;
		else if (*p == '(' || *p == '[' || *p == '{')
			depth++;
		else if ((*p == ')' || *p == ']' || *p == '}') && depth-- == 0)
			return p;
		else if (*p == ',' && depth == 0)
			return p;
	}
	return end;
}

/* VALUE (B..E) as the application gets it: a literal, ${X} for ENV['X'], the default of ENV.fetch('X', 'd') */
static void
ruby_value(const char *b, const char *e, char *out, size_t outlen, char *note, size_t notelen)
{
	char name[128];
	const char *q;

	while (b < e && isspace((unsigned char)*b))
		b++;
	while (e > b && isspace((unsigned char)e[-1]))
		e--;
	if (e - b >= 2 && (*b == '\'' || *b == '"') && e[-1] == *b)
	{
		snprintf(out, outlen, "%.*s", (int)(e - b - 2), b + 1);
		return;
	}
	if ((e - b > 6 && strncmp(b, "ENV[", 4) == 0) || (e - b > 12 && strncmp(b, "ENV.fetch(", 10) == 0))
	{
		const char *s = b + (b[3] == '[' ? 4 : 10);
		const char *se = s < e && (*s == '\'' || *s == '"') ? memchr(s + 1, *s, (size_t)(e - s - 1)) : NULL;

		if (se && se - s - 1 < (long)sizeof(name))
		{
			snprintf(name, sizeof(name), "%.*s", (int)(se - s - 1), s + 1);
			q = memchr(se, ',', (size_t)(e - se));
			while (q && ++q < e && isspace((unsigned char)*q))
				;
			if (q && q < e && (*q == '\'' || *q == '"') && memchr(q + 1, *q, (size_t)(e - q - 1)))
			{
				const char *qe = memchr(q + 1, *q, (size_t)(e - q - 1));

				snprintf(out, outlen, "%.*s", (int)(qe - q - 1), q + 1);
				snprintf(note + strlen(note), notelen - strlen(note), "%s%s from environment variable %s when set",
				         note[0] ? "; " : "", out, name);
			}
			else
				snprintf(out, outlen, "${%s}", name);
			return;
		}
	}
	snprintf(out, outlen, "${%.*s}", (int)(e - b > 100 ? 100 : e - b), b); /* code: set where the application runs */
}

/* "key: v", ":key => v", "'key' => v": KEY and the value's start; false when not a pair */
static bool
pair_key(const char *b, const char *e, char *key, size_t keylen, const char **val)
{
	const char *k, *ke;

	while (b < e && (isspace((unsigned char)*b) || *b == '{'))
		b++;
	k = b + (b < e && (*b == ':' || *b == '\'' || *b == '"'));
	for (ke = k; ke < e && (isalnum((unsigned char)*ke) || *ke == '_'); ke++)
		;
	if (ke == k || (size_t)(ke - k) >= keylen)
		return false;
	snprintf(key, keylen, "%.*s", (int)(ke - k), k);
	if (ke < e && (*ke == '\'' || *ke == '"'))
		ke++;
	while (ke < e && isspace((unsigned char)*ke))
		ke++;
	if (ke < e && *ke == ':' && *b != ':')
		*val = ke + 1;
	else if (e - ke >= 2 && ke[0] == '=' && ke[1] == '>')
		*val = ke + 2;
	else
		return false;
	return true;
}

/* one call's hash (P after '('): its libpq settings into one record */
static void
read_call(pgtls_clients *c, const char *path, const char *buf, const char *name, const char *p, const char *end,
          bool needs_adapter)
{
	static const char *const keys[][2] = {
	    {"host", "host"},       {"hostaddr", "hostaddr"}, {"port", "port"},
	    {"dbname", "dbname"},   {"database", "dbname"},   {"user", "user"},
	    {"username", "user"},   {"sslmode", "sslmode"},   {"sslrootcert", "sslrootcert"},
	    {"sslcert", "sslcert"}, {"sslkey", "sslkey"},     {"service", "service"}};
	pgtls_settings *params = pgtls__settings_new();
	char note[600] = "", key[40], val[400];
	bool adapter = false, other = false;
	const char *lim = end - p > RB_MAX_CALL ? p + RB_MAX_CALL : end;

	while (params && p < lim && *p != ')')
	{
		const char *e = value_end(p, lim), *v;

		if (pair_key(p, e, key, sizeof(key), &v))
		{
			ruby_value(v, e, val, sizeof(val), note, sizeof(note));
			if (strcmp(key, "adapter") == 0)
			{
				adapter = strstr(val, "postg") != NULL;
				other = !adapter;
			}
			for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
				if (strcmp(key, keys[k][0]) == 0)
					pgtls__settings_set(params, keys[k][1], val);
		}
		if (e < lim && *e == ',')
			p = e + 1;
		else if (e < lim && *e == '}')
			p = e + 1; /* the end of a {...} hash argument */
		else
			break; /* the call's ')' (or a stray ']'): its arguments end here */
	}
	if (params && !other && (adapter || !needs_adapter) && pgtls__settings_count(params) > 0)
		pgtls__clients_add_cmd(c, path, pgtls__line_of(buf, name), "driver-call", PGTLS_DRIVER_LIBPQ, name,
		                       (size_t)(p - name + (p < lim)), NULL, params, NULL, NULL, note, NULL);
	pgtls__settings_free(params);
}

void
pgtls__read_ruby(pgtls_clients *c, const char *path, const char *buf, size_t len)
{
	static const struct
	{
		const char *call;
		bool needs_adapter;
	} calls[] = {{"PG.connect(", false},          {"PG::Connection.new(", false},
	             {"PG::Connection.open(", false}, {"PG::Connection.connect(", false},
	             {"establish_connection(", true}, {"Sequel.connect(", true}};
	const char *ext = strrchr(path, '.'), *end = buf + len;

	if (ext == NULL || (strcmp(ext, ".rb") != 0 && strcmp(ext, ".rake") != 0 && strcmp(ext, ".ru") != 0))
		return;
	for (size_t k = 0; k < sizeof(calls) / sizeof(calls[0]); k++)
		for (const char *p = buf; (p = memmem(p, (size_t)(end - p), calls[k].call, strlen(calls[k].call))) != NULL; p++)
		{
			const char *a = p + strlen(calls[k].call);

			while (a < end && isspace((unsigned char)*a))
				a++;
			if (a < end && (*a == '\'' || *a == '"'))
				continue; /* a URI string: the line reader has it */
			read_call(c, path, buf, p, a, end, calls[k].needs_adapter);
		}
}
