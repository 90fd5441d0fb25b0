/*-------------------------------------------------------------------------
 *
 * json_inventory.c
 *	  The report of `pgtls connections` (JSON and CSV): sessions grouped
 *	  by client and TLS parameters, from the inventory's accessors.
 *
 * IDENTIFICATION
 *	  lib/report/json_inventory.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "pgtls_int.h"
#include "server/server_int.h"

static json_t *
group_json(const pgtls_inventory *v, int i)
{
	bool tls = pgtls_inventory_group_tls(v, i);

	return json_pack("{s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:o,s:i,s:s,s:s}", "client_addr",
	                 pgtls__jstr(pgtls_inventory_group_get(v, i, PGTLS_IV_CLIENT_ADDR)), "user",
	                 pgtls__jstr(pgtls_inventory_group_get(v, i, PGTLS_IV_USER)), "database",
	                 pgtls__jstr(pgtls_inventory_group_get(v, i, PGTLS_IV_DATABASE)), "application_name",
	                 pgtls__jstr(pgtls_inventory_group_get(v, i, PGTLS_IV_APPLICATION)), "ssl", tls, "version",
	                 tls ? pgtls__jstr(pgtls_inventory_group_get(v, i, PGTLS_IV_TLS_VERSION)) : json_null(), "cipher",
	                 tls ? pgtls__jstr(pgtls_inventory_group_get(v, i, PGTLS_IV_CIPHER)) : json_null(), "bits",
	                 tls ? json_integer(pgtls__inventory_group_bits(v, i)) : json_null(), "sessions",
	                 pgtls_inventory_group_sessions(v, i), "first_seen",
	                 pgtls_inventory_group_get(v, i, PGTLS_IV_FIRST_SEEN), "last_seen",
	                 pgtls_inventory_group_get(v, i, PGTLS_IV_LAST_SEEN));
}

char *
pgtls_inventory_json(const pgtls_inventory *v, int pretty)
{
	json_t *rep, *arr;

	if (v == NULL || (rep = pgtls__report_new(pgtls_inventory_status(v))) == NULL)
		return NULL;
	arr = json_array();
	for (int i = 0; arr && i < pgtls_inventory_ngroups(v); i++)
		json_array_append_new(arr, group_json(v, i));
	json_object_set_new(rep, "server_version", json_string(pgtls__inventory_server_version(v)));
	json_object_set_new(rep, "samples", json_integer(pgtls_inventory_samples(v)));
	json_object_set_new(
	    rep, "span", json_pack("{s:s,s:s}", "first", pgtls_inventory_span(v, 0), "last", pgtls_inventory_span(v, 1)));
	json_object_set_new(rep, "sessions", json_integer(pgtls_inventory_sessions(v)));
	json_object_set_new(rep, "tcp_sessions_without_tls", json_integer(pgtls_inventory_tcp_without_tls(v)));
	json_object_set_new(rep, "hidden_sessions", json_integer(pgtls_inventory_hidden(v)));
	if (pgtls_inventory_hidden(v))
		json_object_set_new(
		    rep, "hidden_note",
		    json_string(
		        "sessions of other users are hidden: grant pg_read_all_stats to see their address and TLS state"));
	json_object_set_new(rep, "failed_samples", json_integer(pgtls_inventory_failed_samples(v)));
	json_object_set_new(rep, "clients", arr);
	return pgtls__json_dump(rep, pretty);
}

char *
pgtls_inventory_csv(const pgtls_inventory *v)
{
	pgtls_strbuf sb;

	if (v == NULL)
		return NULL;
	pgtls__sb_init(&sb);
	pgtls__sb_appendf(
	    &sb, "client_addr,user,database,application_name,ssl,version,cipher,bits,sessions,first_seen,last_seen\n");
	for (int i = 0; i < pgtls_inventory_ngroups(v); i++)
	{
		char num[32];
		bool tls = pgtls_inventory_group_tls(v, i);

		pgtls__sb_csv_field(&sb, pgtls_inventory_group_get(v, i, PGTLS_IV_CLIENT_ADDR), ',');
		pgtls__sb_csv_field(&sb, pgtls_inventory_group_get(v, i, PGTLS_IV_USER), ',');
		pgtls__sb_csv_field(&sb, pgtls_inventory_group_get(v, i, PGTLS_IV_DATABASE), ',');
		pgtls__sb_csv_field(&sb, pgtls_inventory_group_get(v, i, PGTLS_IV_APPLICATION), ',');
		pgtls__sb_csv_field(&sb, tls ? "yes" : "no", ',');
		pgtls__sb_csv_field(&sb, pgtls_inventory_group_get(v, i, PGTLS_IV_TLS_VERSION), ',');
		pgtls__sb_csv_field(&sb, pgtls_inventory_group_get(v, i, PGTLS_IV_CIPHER), ',');
		snprintf(num, sizeof(num), "%d", tls ? pgtls__inventory_group_bits(v, i) : 0);
		pgtls__sb_csv_field(&sb, tls ? num : "", ',');
		snprintf(num, sizeof(num), "%d", pgtls_inventory_group_sessions(v, i));
		pgtls__sb_csv_field(&sb, num, ',');
		pgtls__sb_csv_field(&sb, pgtls_inventory_group_get(v, i, PGTLS_IV_FIRST_SEEN), ',');
		pgtls__sb_csv_field(&sb, pgtls_inventory_group_get(v, i, PGTLS_IV_LAST_SEEN), '\n');
	}
	if (sb.oom)
	{
		pgtls__sb_free(&sb);
		return NULL;
	}
	return sb.data;
}
