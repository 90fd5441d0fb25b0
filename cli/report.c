/*-------------------------------------------------------------------------
 *
 * report.c
 *	  Human-readable rendering of a probe report (from its JSON form).
 *
 * IDENTIFICATION
 *	  cli/report.c
 *
 * NOTES
 *	  The JSON report is the library's single, documented output; the text
 *	  report is a view of it, so the two can never disagree.
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "report.h"

const char *
cli_jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

void
cli_print_validity(FILE *f, const char *indent, json_t *c)
{
	fprintf(f, "%svalidity  %s .. %s", indent, cli_jstr(c, "not_before"), cli_jstr(c, "not_after"));
	if (json_is_true(json_object_get(c, "expired")))
		fprintf(f, "  EXPIRED\n");
	else if (json_is_true(json_object_get(c, "not_yet_valid")))
		fprintf(f, "  NOT YET VALID\n");
	else
		fprintf(f, "  (%d days left)\n", (int)json_integer_value(json_object_get(c, "days_left")));
}

static void
print_cert(FILE *f, json_t *c)
{
	json_t *v;
	size_t i;
	const char *sep = "";

	fprintf(f, "  [%d] %s%s\n", (int)json_integer_value(json_object_get(c, "depth")), cli_jstr(c, "subject"),
	        json_is_true(json_object_get(c, "is_ca")) ? "  (CA)" : "");
	fprintf(f, "      issuer    %s%s\n", cli_jstr(c, "issuer"),
	        json_is_true(json_object_get(c, "self_signed")) ? "  (self-signed)" : "");
	cli_print_validity(f, "      ", c);
	fprintf(f, "      names     ");
	json_array_foreach(json_object_get(c, "san_dns"), i, v)
	{
		fprintf(f, "%sDNS:%s", sep, json_string_value(v));
		sep = " ";
	}
	json_array_foreach(json_object_get(c, "san_ip"), i, v)
	{
		fprintf(f, "%sIP:%s", sep, json_string_value(v));
		sep = " ";
	}
	fprintf(f, "%s\n", sep[0] ? "" : "(no subjectAltName)");
	fprintf(f, "      key       %s %d%s%s, signed %s\n", cli_jstr(c, "key_type"),
	        (int)json_integer_value(json_object_get(c, "key_bits")), json_object_get(c, "key_curve") ? " " : "",
	        cli_jstr(c, "key_curve"), cli_jstr(c, "signature_algorithm"));
	fprintf(f, "      serial    %s\n", cli_jstr(c, "serial"));
	fprintf(f, "      SHA-1     %s\n", cli_jstr(c, "sha1"));
	fprintf(f, "      SHA-256   %s\n", cli_jstr(c, "sha256"));
}

static void
print_startup(FILE *f, const char *label, json_t *conn)
{
	json_t *st = json_object_get(conn, "startup");
	const char *res = cli_jstr(st, "result");

	if (strcmp(res, "accepted") == 0)
		fprintf(f, "%-11s accepted (authentication: %s)\n", label, cli_jstr(st, "auth"));
	else if (strcmp(res, "rejected") == 0)
		fprintf(f, "%-11s rejected: %s:  %s\n", label, cli_jstr(st, "severity"), cli_jstr(st, "message"));
	else
		fprintf(f, "%-11s unknown%s%s\n", label, json_is_string(json_object_get(st, "message")) ? ": " : "",
		        cli_jstr(st, "message"));
}

int
cli_render_probe(FILE *f, const char *json, int quiet)
{
	json_error_t jerr;
	json_t *r = json_loads(json, 0, &jerr);
	json_t *t, *v, *status;
	size_t i;

	if (r == NULL)
		return -1;
	t = json_object_get(r, "target");
	status = json_object_get(r, "status");
	if (quiet)
	{
		json_t *first = NULL;

		/* the first finding of the status's severity explains it */
		json_array_foreach(json_object_get(r, "findings"), i,
		                   v) if (strcasecmp(cli_jstr(v, "severity"), cli_jstr(status, "label")) == 0)
		{
			first = v;
			break;
		}
		fprintf(f, "PGTLS %s - %s:%s%s%s\n", cli_jstr(status, "label"),
		        cli_jstr(t, "host")[0] ? cli_jstr(t, "host") : cli_jstr(t, "hostaddr"), cli_jstr(t, "port"),
		        first ? ": " : "", first ? cli_jstr(first, "message") : "");
		json_decref(r);
		return 0;
	}

	fprintf(f, "pgtls probe %s\n\n", cli_jstr(t, "input"));
	fprintf(f, "Server      %s port %s", cli_jstr(t, "host")[0] ? cli_jstr(t, "host") : cli_jstr(t, "hostaddr"),
	        cli_jstr(t, "port"));
	if (json_is_string(json_object_get(t, "hostaddr")))
		fprintf(f, " (hostaddr %s)", cli_jstr(t, "hostaddr"));
	fprintf(f, ", as user \"%s\" database \"%s\"\n", cli_jstr(t, "user"), cli_jstr(t, "dbname"));

	json_array_foreach(json_object_get(r, "negotiation"), i, v)
	{
		json_t *tls = json_object_get(v, "tls");
		const char *m = cli_jstr(v, "method");
		char label[32];

		fprintf(f, "%-11s ", strcmp(m, "direct") == 0 ? "Direct TLS" : "SSLRequest");
		if (strcmp(m, "postgres") == 0 && json_is_string(json_object_get(v, "ssl_response")))
			fprintf(f, "'%s' from %s", cli_jstr(v, "ssl_response"), cli_jstr(v, "address"));
		else
			fprintf(f, "to %s", cli_jstr(v, "address"));
		if (json_is_object(tls))
			fprintf(f, ": %s %s, group %s%s%s", cli_jstr(tls, "version"), cli_jstr(tls, "cipher"),
			        json_is_string(json_object_get(tls, "group")) ? cli_jstr(tls, "group") : "-",
			        json_is_string(json_object_get(tls, "alpn")) ? ", ALPN " : "", cli_jstr(tls, "alpn"));
		fprintf(f, "\n");
		if (json_is_object(json_object_get(v, "error")))
			fprintf(f, "%-11s %s error: %s\n", "", cli_jstr(json_object_get(v, "error"), "class"),
			        cli_jstr(json_object_get(v, "error"), "message"));
		if (json_is_object(tls))
		{
			snprintf(label, sizeof(label), "Over TLS");
			print_startup(f, label, v);
		}
	}
	print_startup(f, "Plaintext", json_object_get(r, "plaintext"));

	v = json_object_get(r, "chain");
	fprintf(f, "\nCertificate chain served (%d certificate%s)\n", (int)json_array_size(v),
	        json_array_size(v) == 1 ? "" : "s");
	{
		json_t *c;

		json_array_foreach(v, i, c) print_cert(f, c);
	}

	v = json_object_get(r, "rootcert");
	fprintf(f, "\nRoot certificate  ");
	if (json_is_true(json_object_get(v, "system")))
		fprintf(f, "system store");
	else
		fprintf(f, "%s",
		        json_is_string(json_object_get(v, "path")) ? cli_jstr(v, "path") : "(none: no home directory)");
	fprintf(f, " [%s]: ", cli_jstr(v, "source"));
	if (!json_is_true(json_object_get(v, "exists")))
		fprintf(f, "does not exist (libpq will not verify the server)\n");
	else if (!json_is_true(json_object_get(v, "loaded")))
		fprintf(f, "%s\n", cli_jstr(v, "load_error"));
	else
	{
		json_t *cv = json_object_get(v, "chain_verifies");

		fprintf(f, "%d certificate%s", (int)json_integer_value(json_object_get(v, "certificates")),
		        json_integer_value(json_object_get(v, "certificates")) == 1 ? "" : "s");
		if (json_is_object(cv))
		{
			if (json_is_true(json_object_get(cv, "ok")))
				fprintf(f, ", chain verifies\n");
			else
				fprintf(f, ", chain does NOT verify: %s\n                  %s\n", cli_jstr(cv, "reason"),
				        cli_jstr(cv, "hint"));
		}
		else
			fprintf(f, "\n");
	}
	v = json_object_get(r, "host_check");
	fprintf(f, "Host name         \"%s\": %s\n", cli_jstr(v, "name"),
	        json_is_true(json_object_get(v, "ok")) ? "matches the server certificate" : cli_jstr(v, "message"));

	fprintf(f, "\n%-10s %-12s %-9s %-10s %-9s %s\n", "negotiate", "sslmode", "result", "encrypted", "verified", "note");
	json_array_foreach(json_object_get(r, "sslmodes"), i, v)
	{
		json_t *errs = json_object_get(v, "errors");
		json_t *e;
		size_t j;

		fprintf(f, "%-10s %-12s %-9s %-10s %-9s %s\n", cli_jstr(v, "negotiation"), cli_jstr(v, "sslmode"),
		        cli_jstr(v, "result"), json_is_true(json_object_get(v, "encrypted")) ? "yes" : "NO",
		        cli_jstr(v, "verified"),
		        json_is_true(json_object_get(v, "plaintext_fallback")) ? "fell back to plaintext after TLS failed"
		                                                               : "");
		json_array_foreach(errs, j, e)
		{
			const char *s = json_string_value(e);
			const char *nl;

			/* libpq's two-line messages are indented line by line */
			while (s && (nl = strchr(s, '\n')) != NULL)
			{
				fprintf(f, "%24s%.*s\n", "", (int)(nl - s), s);
				s = nl + 1;
			}
			if (s)
				fprintf(f, "%24s%s\n", "", s);
		}
	}

	fprintf(f, "\nFindings\n");
	json_array_foreach(json_object_get(r, "findings"), i, v)
	{
		char sev[16];
		size_t k;

		snprintf(sev, sizeof(sev), "%s", cli_jstr(v, "severity"));
		for (k = 0; sev[k]; k++)
			sev[k] = (char)(sev[k] >= 'a' && sev[k] <= 'z' ? sev[k] - 32 : sev[k]);
		fprintf(f, "  %-9s %s\n", sev, cli_jstr(v, "message"));
	}
	fprintf(f, "\nStatus: %s (exit %d)\n", cli_jstr(status, "label"),
	        (int)json_integer_value(json_object_get(status, "code")));
	json_decref(r);
	return 0;
}
