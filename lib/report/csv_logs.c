/*-------------------------------------------------------------------------
 *
 * csv_logs.c
 *	  The per-client CSV of `pgtls logs --csv`.
 *
 * IDENTIFICATION
 *	  lib/report/csv_logs.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>

#include "logparse/pglog_int.h"

char *
pgtls_logscan_csv(const pgtls_logscan *s)
{
	pgtls_strbuf sb;
	client *cl;
	size_t n, i;
	char *out;

	if (s == NULL || (cl = pgtls__logscan_sorted(s, &n)) == NULL)
		return NULL;
	pgtls__sb_init(&sb);
	pgtls__sb_appendf(&sb, "host,user,database,application_name,connections,tlsv1.3,tlsv1.2,tls_older,plaintext,"
	                       "gss_encrypted,rejected_plaintext,rejected_encrypted,local,tls_failed,tls_failures,"
	                       "fallback_since,first_seen,last_seen,client_families,closed_without_startup,"
	                       "fallback_evidence\n");
	for (i = 0; i < n; i++)
	{
		client *c = &cl[i];

		pgtls__sb_csv_field(&sb, c->host, ',');
		pgtls__sb_csv_field(&sb, c->user, ',');
		pgtls__sb_csv_field(&sb, c->db, ',');
		pgtls__sb_csv_field(&sb, c->app, 0);
		char fails[256];

		pgtls__log_failures_str(c, fails, sizeof(fails));
		pgtls__sb_appendf(&sb, ",%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,",
		                  (unsigned long long)(pgtls__log_tls_total(c) + c->plaintext + c->gss + c->local),
		                  (unsigned long long)c->tls[V_TLS13], (unsigned long long)c->tls[V_TLS12],
		                  (unsigned long long)(c->tls[V_TLS11] + c->tls[V_TLS10] + c->tls[V_TLS_OTHER]),
		                  (unsigned long long)c->plaintext, (unsigned long long)c->gss,
		                  (unsigned long long)c->rejected_plain, (unsigned long long)c->rejected_ssl,
		                  (unsigned long long)c->local, (unsigned long long)c->tls_failed_total);
		pgtls__sb_csv_field(&sb, fails, ',');
		pgtls__sb_csv_field(&sb, c->fallback_since, ',');
		pgtls__sb_csv_field(&sb, c->first, ',');
		pgtls__sb_csv_field(&sb, c->last, ',');
		pgtls__log_families_str(c, fails, sizeof(fails));
		pgtls__sb_csv_field(&sb, fails, ',');
		pgtls__sb_appendf(&sb, "%llu,", (unsigned long long)c->closed_nostartup);
		pgtls__sb_csv_field(&sb, pgtls__log_fallback_evidence(c), '\n');
	}
	free(cl);
	if (sb.oom)
	{
		pgtls__sb_free(&sb);
		return NULL;
	}
	out = sb.data;
	return out;
}
