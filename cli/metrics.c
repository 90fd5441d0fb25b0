/*-------------------------------------------------------------------------
 *
 * metrics.c
 *	  pgtls scan --format openmetrics: the Prometheus text exposition
 *	  format (what node_exporter's textfile collector reads), one family
 *	  at a time with its HELP and TYPE, every target's samples in it.
 *
 * IDENTIFICATION
 *	  cli/metrics.c
 *
 * NOTES
 *	  Names of ssl_exporter where the meaning is the same (ssl_probe_success,
 *	  ssl_cert_not_after, ssl_tls_version_info), pgtls_* for what only pgtls
 *	  knows.  Every family is documented in docs/metrics.md.  Label values
 *	  are escaped as the format requires (backslash, double quote, newline).
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>

#include "scan.h"

static void
label_value(FILE *f, const char *v)
{
	for (; *v; v++)
	{
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void
head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
sample_start(FILE *f, const char *name, const scan_row *r)
{
	fprintf(f, "%s{target=\"", name);
	label_value(f, r->target);
	fputc('"', f);
}

static const char *const modes[6] = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"};
static const char *const levels[3] = {"none", "ca", "full"};

static void
family_simple(FILE *f, const scan_row *rows, int n, const char *name, const char *help, int which)
{
	head(f, name, "gauge", help);
	for (int i = 0; i < n; i++)
	{
		const scan_row *r = &rows[i];
		int v = which == 0 ? r->handshake : which == 1 ? r->status : which == 2 ? r->plaintext : r->chain_verifies;

		if (!r->parsed || (which >= 2 && v < 0))
			continue; /* unknown: no sample rather than a false value */
		sample_start(f, name, r);
		fprintf(f, "} %d\n", v);
	}
}

void
cli_scan_metrics(FILE *f, const scan_row *rows, int n)
{
	family_simple(f, rows, n, "ssl_probe_success", "TLS handshake with the server completed (SSLRequest)", 0);
	family_simple(f, rows, n, "pgtls_status", "pgtls probe status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN", 1);
	family_simple(f, rows, n, "pgtls_plaintext_accepted",
	              "the server accepts a startup without TLS for the probing user (1) or rejects it (0)", 2);
	family_simple(f, rows, n, "pgtls_chain_verifies", "the served chain verifies against the root certificates given",
	              3);
	head(f, "ssl_cert_not_after", "gauge", "NotAfter of each served certificate, in seconds since the epoch");
	for (int i = 0; i < n; i++)
		for (int k = 0; k < rows[i].nchain; k++)
		{
			if (rows[i].not_after[k] == 0)
				continue;
			sample_start(f, "ssl_cert_not_after", &rows[i]);
			fputs(",cn=\"", f);
			label_value(f, rows[i].cn[k]);
			fputs("\",issuer_cn=\"", f);
			label_value(f, rows[i].issuer_cn[k]);
			fputs("\",serial_no=\"", f);
			label_value(f, rows[i].serial[k]);
			fprintf(f, "\"} %lld\n", (long long)rows[i].not_after[k]);
		}
	head(f, "ssl_tls_version_info", "gauge", "the TLS version negotiated");
	for (int i = 0; i < n; i++)
	{
		if (!rows[i].handshake)
			continue;
		sample_start(f, "ssl_tls_version_info", &rows[i]);
		fputs(",version=\"", f);
		label_value(f, rows[i].tls);
		fputs("\"} 1\n", f);
	}
	head(f, "pgtls_cert_issuer_info", "gauge",
	     "the CA at the top of the served chain; ca: its identity when known by fingerprint (rds-ca-2019, ...)");
	for (int i = 0; i < n; i++)
	{
		if (!rows[i].issuer[0])
			continue;
		sample_start(f, "pgtls_cert_issuer_info", &rows[i]);
		fputs(",issuer=\"", f);
		label_value(f, rows[i].issuer);
		fputs("\",ca=\"", f);
		label_value(f, rows[i].ca);
		fputs("\"} 1\n", f);
	}
	head(f, "pgtls_sslmode_connects", "gauge", "a libpq client with this sslmode connects (1) or fails (0)");
	for (int i = 0; i < n; i++)
		for (int m = 0; rows[i].parsed && rows[i].done && m < 6; m++)
		{
			if (rows[i].connects[m] < 0)
				continue;
			sample_start(f, "pgtls_sslmode_connects", &rows[i]);
			fprintf(f, ",sslmode=\"%s\"} %d\n", modes[m], rows[i].connects[m]);
		}
	head(f, "pgtls_verified", "gauge", "the verification a libpq client with this sslmode reaches when it connects");
	for (int i = 0; i < n; i++)
		for (int m = 0; rows[i].parsed && rows[i].done && m < 6; m++)
		{
			if (rows[i].connects[m] != 1)
				continue;
			sample_start(f, "pgtls_verified", &rows[i]);
			fprintf(f, ",sslmode=\"%s\",level=\"%s\"} 1\n", modes[m], levels[rows[i].verified[m] % 3]);
		}
}
