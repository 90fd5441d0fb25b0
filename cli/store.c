/*-------------------------------------------------------------------------
 *
 * store.c
 *	  `pgtls store inspect|merge|verify`: trust stores without keytool.
 *
 * IDENTIFICATION
 *	  cli/store.c
 *
 * NOTES
 *	  Passwords come from --password, --password-file or the environment
 *	  (PGTLS_STORE_PASSWORD, PGTLS_STORE_IN_PASSWORD) and are never printed.
 *	  Exit status: 0 OK, 1 warnings (inspect) , 2 fingerprint not found
 *	  (verify), 3 error.
 *
 *-------------------------------------------------------------------------
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <pgtls/pgtls.h>

#include "cli.h"
#include "report.h"

static void
usage_store(FILE *f)
{
	fprintf(f, "Usage:\n"
	           "  pgtls store inspect [--password P] [--json] FILE...\n"
	           "  pgtls store merge -o OUT --format pem|der|p12|jks [--password P]\n"
	           "                    [--in-password P] [--drop-expired] [--force] [--json] IN...\n"
	           "  pgtls store verify --fingerprint FP [--password P] [--json] FILE\n"
	           "\n"
	           "Formats are detected from the bytes: PEM bundles, DER, PKCS#7, PKCS#12\n"
	           "(OpenSSL 3 AES or legacy RC2/3DES) and Java JKS/JCEKS.\n"
	           "\n"
	           "inspect  lists every certificate: alias, subject, issuer, validity and days\n"
	           "         left, SHA-1/SHA-256 fingerprints (keytool form), CA or leaf,\n"
	           "         duplicates.  --password opens PKCS#12 files and checks JKS integrity.\n"
	           "merge    keeps every distinct certificate of all inputs in input order,\n"
	           "         de-duplicated by fingerprint (old CAs stay unless --drop-expired),\n"
	           "         reports what it removed and why, writes atomically, and refuses to\n"
	           "         overwrite OUT without --force.  p12 and jks are Java truststores\n"
	           "         (trustedCertEntry); their password (--password) defaults to changeit.\n"
	           "         --in-password opens password-protected inputs.\n"
	           "verify   says whether the certificate with this SHA-1 or SHA-256\n"
	           "         fingerprint (colons optional) is in the store.\n"
	           "\n"
	           "Passwords: --password P, --password-file FILE (first line), or the\n"
	           "environment variables PGTLS_STORE_PASSWORD / PGTLS_STORE_IN_PASSWORD.\n"
	           "Exit status: 0 OK, 1 warnings (inspect), 2 fingerprint not found (verify),\n"
	           "3 error (usage, unreadable or corrupted file, wrong password).\n");
}

static int
store_fail(const char *msg)
{
	fprintf(stderr, "pgtls store: %s\n", msg);
	return CLI_EXIT_UNKNOWN;
}

/* reads the first line of FILE into a malloc'd string */
static char *
read_password_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (f == NULL)
	{
		snprintf(err, errlen, "could not open password file \"%s\"", path);
		return NULL;
	}
	n = getline(&line, &cap, f);
	fclose(f);
	if (n < 0)
	{
		free(line);
		line = strdup("");
	}
	else
	{
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
	}
	return line;
}

static void
render_inspect(FILE *f, const char *json)
{
	json_error_t je;
	json_t *r = json_loads(json, 0, &je);
	json_t *v, *c;
	size_t i, j;

	if (r == NULL)
		return;
	json_array_foreach(json_object_get(r, "files"), i, v)
	{
		fprintf(f, "%s: %s", cli_jstr(v, "path"), cli_jstr(v, "format"));
		if (strcmp(cli_jstr(v, "integrity"), "none") != 0)
			fprintf(f, ", integrity %s", cli_jstr(v, "integrity"));
		fprintf(f, "\n");
		json_array_foreach(json_object_get(v, "notes"), j, c) fprintf(f, "  note: %s\n", json_string_value(c));
	}
	fprintf(f, "\n");
	json_array_foreach(json_object_get(r, "certificates"), i, c)
	{
		json_t *dup = json_object_get(c, "duplicate_of");
		json_t *jt = json_object_get(c, "java_trusted");

		fprintf(f, "#%d", (int)json_integer_value(json_object_get(c, "index")));
		if (json_is_string(json_object_get(c, "alias")))
			fprintf(f, " alias \"%s\"", cli_jstr(c, "alias"));
		fprintf(f, "  %s%s%s%s\n", json_is_true(json_object_get(c, "is_ca")) ? "CA" : "leaf (not a CA)",
		        strcmp(cli_jstr(c, "entry"), "certificate") ? ", from a private-key entry" : "",
		        json_is_false(jt) ? ", not trusted by Java (no trusted-key-usage attribute)" : "",
		        json_is_integer(dup) ? ", DUPLICATE" : "");
		fprintf(f, "   subject   %s\n", cli_jstr(c, "subject"));
		fprintf(f, "   issuer    %s\n", cli_jstr(c, "issuer"));
		cli_print_validity(f, "   ", c);
		fprintf(f, "   SHA-1     %s\n", cli_jstr(c, "sha1"));
		fprintf(f, "   SHA-256   %s\n", cli_jstr(c, "sha256"));
		if (json_is_integer(dup))
			fprintf(f, "   duplicate of #%d\n", (int)json_integer_value(dup));
		if (json_array_size(json_object_get(r, "files")) > 1)
			fprintf(f, "   from      %s\n", cli_jstr(c, "source"));
	}
	v = json_object_get(r, "summary");
	fprintf(f, "\n%d certificate%s, %d duplicate%s, %d expired, %d not a CA\n",
	        (int)json_integer_value(json_object_get(v, "certificates")),
	        json_integer_value(json_object_get(v, "certificates")) == 1 ? "" : "s",
	        (int)json_integer_value(json_object_get(v, "duplicates")),
	        json_integer_value(json_object_get(v, "duplicates")) == 1 ? "" : "s",
	        (int)json_integer_value(json_object_get(v, "expired")),
	        (int)json_integer_value(json_object_get(v, "non_ca")));
	json_array_foreach(json_object_get(r, "removed"), i, c)
	    fprintf(f, "removed: %s \"%s\" (%s) from %s\n", cli_jstr(c, "sha256"), cli_jstr(c, "subject"),
	            cli_jstr(c, "reason"), cli_jstr(c, "source"));
	json_array_foreach(json_object_get(r, "findings"), i, c) fprintf(f, "WARNING: %s\n", cli_jstr(c, "message"));
	json_decref(r);
}

static int
report_status(const char *json)
{
	json_error_t je;
	json_t *r = json_loads(json, 0, &je);
	int st = json_array_size(json_object_get(r, "findings")) > 0 ? 1 : 0;

	json_decref(r);
	return st;
}

int
cli_cmd_store(int argc, char **argv)
{
	static const struct option longopts[] = {{"password", required_argument, NULL, 'p'},
	                                         {"password-file", required_argument, NULL, 'P'},
	                                         {"in-password", required_argument, NULL, 'i'},
	                                         {"in-password-file", required_argument, NULL, 'I'},
	                                         {"output", required_argument, NULL, 'o'},
	                                         {"format", required_argument, NULL, 'f'},
	                                         {"fingerprint", required_argument, NULL, 'F'},
	                                         {"drop-expired", no_argument, NULL, 'x'},
	                                         {"force", no_argument, NULL, 'y'},
	                                         {"json", no_argument, NULL, 'j'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	const char *sub;
	char *password = NULL, *in_password = NULL;
	const char *output = NULL, *format = NULL, *fingerprint = NULL;
	bool drop_expired = false, force = false, json = false;
	int c, rc = CLI_EXIT_UNKNOWN;
	pgtls_store *store = NULL;
	char err[256];
	char *out = NULL;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
	{
		usage_store(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_UNKNOWN : 0;
	}
	sub = argv[1];
	if (strcmp(sub, "inspect") != 0 && strcmp(sub, "merge") != 0 && strcmp(sub, "verify") != 0)
	{
		fprintf(stderr, "pgtls store: unknown sub-command \"%s\" (inspect, merge or verify)\n", sub);
		return CLI_EXIT_UNKNOWN;
	}
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1)
	{
		switch (c)
		{
			case 'p':
			case 'P':
			case 'i':
			case 'I':
			{
				char **dst = (c == 'p' || c == 'P') ? &password : &in_password;

				free(*dst);
				*dst = (c == 'p' || c == 'i') ? strdup(optarg) : read_password_file(optarg, err, sizeof(err));
				if (*dst == NULL)
				{
					rc = store_fail(c == 'P' || c == 'I' ? err : "out of memory");
					goto done;
				}
			}
			break;
			case 'o':
				output = optarg;
				break;
			case 'f':
				format = optarg;
				break;
			case 'F':
				fingerprint = optarg;
				break;
			case 'x':
				drop_expired = true;
				break;
			case 'y':
				force = true;
				break;
			case 'j':
				json = true;
				break;
			case 'h':
				usage_store(stdout);
				rc = 0;
				goto done;
			default:
				fprintf(stderr, "Try \"pgtls store --help\" for more information.\n");
				goto done;
		}
	}
	if (password == NULL && getenv("PGTLS_STORE_PASSWORD"))
		password = strdup(getenv("PGTLS_STORE_PASSWORD"));
	if (in_password == NULL && getenv("PGTLS_STORE_IN_PASSWORD"))
		in_password = strdup(getenv("PGTLS_STORE_IN_PASSWORD"));
	if (optind >= argc)
	{
		rc = store_fail("no input file");
		goto done;
	}
	store = pgtls_store_new();
	if (store == NULL)
	{
		rc = store_fail("out of memory");
		goto done;
	}

	if (strcmp(sub, "merge") == 0)
	{
		if (output == NULL || format == NULL)
		{
			rc = store_fail("merge needs -o OUT and --format pem|der|p12|jks");
			goto done;
		}
		if (strcmp(format, "pem") && strcmp(format, "der") && strcmp(format, "p12") && strcmp(format, "jks"))
		{
			rc = store_fail("invalid --format: expected pem, der, p12 or jks");
			goto done;
		}
		for (int i = optind; i < argc; i++)
			if (pgtls_store_load_file(store, argv[i], in_password) != PGTLS_OK)
			{
				rc = store_fail(pgtls_store_errmsg(store));
				goto done;
			}
		if (pgtls_store_dedupe(store, drop_expired) != PGTLS_OK ||
		    pgtls_store_write_file(store, output, format, password, force) != PGTLS_OK)
		{
			rc = store_fail(pgtls_store_errmsg(store));
			goto done;
		}
		out = pgtls_store_json(store, json);
		if (out == NULL)
		{
			rc = store_fail("out of memory");
			goto done;
		}
		if (json)
			printf("%s\n", out);
		else
		{
			render_inspect(stdout, out);
			printf("wrote %d certificate%s to %s (%s)\n", pgtls_store_count(store),
			       pgtls_store_count(store) == 1 ? "" : "s", output, format);
		}
		rc = 0;
		goto done;
	}

	if (strcmp(sub, "verify") == 0)
	{
		int idx;

		if (fingerprint == NULL)
		{
			rc = store_fail("verify needs --fingerprint SHA1-or-SHA256");
			goto done;
		}
		if (argc - optind != 1)
		{
			rc = store_fail("verify takes one store file");
			goto done;
		}
		if (pgtls_store_load_file(store, argv[optind], password) != PGTLS_OK)
		{
			rc = store_fail(pgtls_store_errmsg(store));
			goto done;
		}
		idx = pgtls_store_find(store, fingerprint);
		if (idx == -2)
		{
			rc = store_fail(pgtls_store_errmsg(store));
			goto done;
		}
		out = pgtls_store_json(store, 0);
		if (out == NULL)
		{
			rc = store_fail("out of memory");
			goto done;
		}
		{
			json_error_t je;
			json_t *r = json_loads(out, 0, &je);
			json_t *cert = idx >= 0 ? json_array_get(json_object_get(r, "certificates"), (size_t)idx) : NULL;

			if (json)
			{
				json_t *o = json_pack("{s:s,s:s,s:b,s:O*}", "store", argv[optind], "fingerprint", fingerprint, "found",
				                      idx >= 0, "certificate", cert);
				char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

				printf("%s\n", s ? s : "{}");
				free(s);
				json_decref(o);
			}
			else if (cert)
				printf("FOUND in %s: #%d%s%s%s %s (SHA-256 %s)\n", argv[optind], idx + 1,
				       json_is_string(json_object_get(cert, "alias")) ? " alias \"" : "", cli_jstr(cert, "alias"),
				       json_is_string(json_object_get(cert, "alias")) ? "\"" : "", cli_jstr(cert, "subject"),
				       cli_jstr(cert, "sha256"));
			else
				printf("NOT FOUND in %s: no certificate has fingerprint %s (%d certificates checked)\n", argv[optind],
				       fingerprint, pgtls_store_count(store));
			json_decref(r);
		}
		rc = idx >= 0 ? 0 : 2;
		goto done;
	}

	/* inspect */
	for (int i = optind; i < argc; i++)
		if (pgtls_store_load_file(store, argv[i], password) != PGTLS_OK)
		{
			rc = store_fail(pgtls_store_errmsg(store));
			goto done;
		}
	out = pgtls_store_json(store, json);
	if (out == NULL)
	{
		rc = store_fail("out of memory");
		goto done;
	}
	if (json)
		printf("%s\n", out);
	else
		render_inspect(stdout, out);
	rc = report_status(out);

done:
	if (password)
	{
		memset(password, 0, strlen(password));
		free(password);
	}
	if (in_password)
	{
		memset(in_password, 0, strlen(in_password));
		free(in_password);
	}
	pgtls_free(out);
	pgtls_store_free(store);
	if (fflush(stdout) != 0)
		return CLI_EXIT_UNKNOWN;
	return rc;
}
