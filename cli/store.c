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
#include <unistd.h>
#include <sys/stat.h>

#include <pgtls/pgtls.h>

#include "cli.h"
#include "report.h"

static void
usage_store(FILE *f)
{
	fprintf(f, "Usage:\n"
	           "  pgtls store inspect [--password P] [--json] [--has NAME] FILE...\n"
	           "  pgtls store merge -o OUT [--store-format pem|der|p12|jks] [--password P]\n"
	           "                    [--in-password P] [--drop-expired] [--force] [--dry-run]\n"
	           "                    [--json] IN...\n"
	           "  pgtls store verify --fingerprint FP [--password P] [--json] FILE\n"
	           "\n"
	           "Formats are detected from the bytes: PEM bundles, DER, PKCS#7, PKCS#12\n"
	           "(OpenSSL 3 AES or legacy RC2/3DES) and Java JKS/JCEKS.\n"
	           "\n"
	           "inspect  lists every certificate: alias, subject, issuer, validity and days\n"
	           "         left, SHA-1/SHA-256 fingerprints (keytool form), CA or leaf,\n"
	           "         duplicates, and known cloud CAs (Amazon RDS rds-ca-2019,\n"
	           "         rds-ca-rsa2048-g1/rsa4096-g1/ecc384-g1 with their region, Azure and\n"
	           "         Google Cloud SQL roots).  --has NAME (\"rds-ca-rsa2048-g1\", with a\n"
	           "         region \"rds-ca-rsa2048-g1:eu-west-1\") answers whether the files hold\n"
	           "         that CA: exit 0 found, 2 not found.\n"
	           "         --password opens PKCS#12 files and checks JKS integrity.\n"
	           "merge    keeps every distinct certificate of all inputs in input order,\n"
	           "         de-duplicated by fingerprint (old CAs stay unless --drop-expired),\n"
	           "         reports what it removed and why, writes atomically, and refuses to\n"
	           "         overwrite OUT without --force.  Merging into an existing OUT keeps\n"
	           "         its format and mode unless --store-format says otherwise (then said);\n"
	           "         --dry-run shows what would be written.  p12 and jks are Java truststores\n"
	           "         (trustedCertEntry); their password (--password) defaults to changeit.\n"
	           "         --in-password opens password-protected inputs.\n"
	           "verify   says whether the certificate with this SHA-1 or SHA-256\n"
	           "         fingerprint is in the store: any common form (AA:BB..., aabb...,\n"
	           "         openssl's \"SHA1 Fingerprint=...\" line, keytool's \"SHA256: ...\",\n"
	           "         an AWS thumbprint).\n"
	           "\n"
	           "--format text|json is the output (--json is --format json); the file\n"
	           "format written is --store-format.\n"
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

/* the store's error, with its typed hint in this command's words */
static int
store_error(const pgtls_store *st)
{
	static const char *const hints[] = {
	    [PGTLS_HINT_NONE] = "",
	    [PGTLS_HINT_FORCE] = ": use --force to overwrite it",
	    [PGTLS_HINT_PASSWORD] = " (give it with --password, --password-file or $PGTLS_STORE_PASSWORD)",
	    [PGTLS_HINT_MULTI_FORMAT] = ": use --store-format pem, p12 or jks",
	    [PGTLS_HINT_TOO_MANY] = "",
	};
	pgtls_hint h = pgtls_store_errhint(st);

	fprintf(stderr, "pgtls store: %s%s\n", pgtls_store_errmsg(st),
	        (int)h >= 0 && h <= PGTLS_HINT_TOO_MANY ? hints[h] : "");
	return CLI_EXIT_UNKNOWN;
}

static void render_inspect(FILE *f, const pgtls_store *s);

static bool
same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* the writer's name of a store format read by the library (pkcs7 and jceks are not written) */
static const char *
writable_format(const char *read_format)
{
	if (strcmp(read_format, "pkcs12") == 0)
		return "p12";
	if (strcmp(read_format, "jks") == 0 || strcmp(read_format, "pem") == 0 || strcmp(read_format, "der") == 0)
		return read_format;
	return NULL;
}

/*
 * store merge: the inputs, de-duplicated, to OUTPUT.  Merging into an
 * existing store keeps its format (and the writer keeps its mode) unless
 * --store-format says otherwise, which is then said; --dry-run writes nothing.
 */
static int
cmd_merge(pgtls_store *store, char **in, int nin, const char *output, const char *format, const char *password,
          const char *in_password, bool force, bool dry_run, bool drop_expired, bool json)
{
	const char *existing = NULL;
	char *out = NULL;
	int before_dedupe;

	if (output == NULL)
		return store_fail("merge needs -o OUT (and --store-format pem|der|p12|jks for a new file)");
	if (access(output, F_OK) == 0)
	{
		/* the format OUT has now: merging in place keeps it unless --store-format says otherwise */
		pgtls_store *cur = pgtls_store_new();

		if (cur && pgtls_store_load_file(cur, output, in_password ? in_password : password) == PGTLS_OK)
			existing = writable_format(pgtls_store_file_get(cur, 0, PGTLS_SF_FORMAT));
		pgtls_store_free(cur);
		if (format == NULL && existing == NULL)
			return store_fail("cannot tell the format of the existing -o file: give --store-format pem|der|p12|jks");
	}
	if (format == NULL)
		format = existing;
	if (format == NULL)
		return store_fail("merge needs --store-format pem|der|p12|jks for a new file");
	if (strcmp(format, "pem") && strcmp(format, "der") && strcmp(format, "p12") && strcmp(format, "jks"))
		return store_fail("invalid --store-format: expected pem, der, p12 or jks");
	for (int i = 0; i < nin; i++)
	{
		/* the output merged in place opens with its own password */
		const char *pw = in_password == NULL && same_file(in[i], output) ? password : in_password;

		if (pgtls_store_load_file(store, in[i], pw) != PGTLS_OK)
			return store_error(store);
	}
	before_dedupe = pgtls_store_count(store);
	if (pgtls_store_dedupe(store, drop_expired) != PGTLS_OK)
		return store_error(store);
	if (!dry_run && pgtls_store_write_file(store, output, format, password, force) != PGTLS_OK)
		return store_error(store);
	if (json)
	{
		if ((out = pgtls_store_json(store, 1)) == NULL)
			return store_fail("out of memory");
		printf("%s\n", out);
		pgtls_free(out);
	}
	else
	{
		render_inspect(stdout, store);
		printf("%s %d certificate%s to %s (%s)%s; %d duplicate or expired left out\n",
		       dry_run ? "would write" : "wrote", pgtls_store_count(store), pgtls_store_count(store) == 1 ? "" : "s",
		       output, format,
		       existing && strcmp(existing, format) != 0 ? ", CHANGING ITS FORMAT as --store-format asked" : "",
		       before_dedupe - pgtls_store_count(store));
	}
	if (strcmp(format, "p12") == 0 || strcmp(format, "jks") == 0)
		fprintf(stderr,
		        "pgtls store: a JVM reads its trust store once: restart the JVMs that use %s "
		        "(javax.net.ssl.trustStore) to see the change\n",
		        output);
	return 0;
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
render_entry(FILE *f, const pgtls_store *st, int i)
{
	const pgtls_cert *c = pgtls_store_cert(st, i);
	const char *alias = pgtls_store_entry_alias(st, i);
	int dup = pgtls_store_duplicate_of(st, i);

	if (c == NULL)
		return;
	fprintf(f, "#%d", i + 1);
	if (alias[0])
		fprintf(f, " alias \"%s\"", alias);
	fprintf(f, "  %s%s%s%s\n", pgtls_cert_flag_set(c, PGTLS_CERT_IS_CA) ? "CA" : "leaf (not a CA)",
	        pgtls_store_entry_key(st, i) ? ", from a private-key entry" : "",
	        pgtls_store_entry_java_trusted(st, i) == 0 ? ", not trusted by Java (no trusted-key-usage attribute)" : "",
	        dup >= 0 ? ", DUPLICATE" : "");
	fprintf(f, "   subject   %s\n", pgtls_cert_get(c, PGTLS_CERT_SUBJECT));
	if (pgtls_cert_known_as(c)[0])
		fprintf(f, "   known as  %s\n", pgtls_cert_known_as(c));
	fprintf(f, "   issuer    %s\n", pgtls_cert_get(c, PGTLS_CERT_ISSUER));
	cli_print_validity(f, "   ", c);
	fprintf(f, "   SHA-1     %s\n", pgtls_cert_get(c, PGTLS_CERT_SHA1));
	fprintf(f, "   SHA-256   %s\n", pgtls_cert_get(c, PGTLS_CERT_SHA256));
	if (dup >= 0)
		fprintf(f, "   duplicate of #%d\n", dup + 1);
	if (pgtls_store_nfiles(st) > 1)
		fprintf(f, "   from      %s\n", pgtls_store_entry_source(st, i));
}

static void
render_inspect(FILE *f, const pgtls_store *st)
{
	int n = pgtls_store_count(st);
	int dups = pgtls_store_tally(st, PGTLS_TALLY_DUPLICATES);

	for (int i = 0; i < pgtls_store_nfiles(st); i++)
	{
		fprintf(f, "%s: %s", pgtls_store_file_get(st, i, PGTLS_SF_PATH), pgtls_store_file_get(st, i, PGTLS_SF_FORMAT));
		if (strcmp(pgtls_store_file_get(st, i, PGTLS_SF_INTEGRITY), "none") != 0)
			fprintf(f, ", integrity %s", pgtls_store_file_get(st, i, PGTLS_SF_INTEGRITY));
		fprintf(f, "\n");
		for (int j = 0; j < pgtls_store_file_nnotes(st, i); j++)
			fprintf(f, "  note: %s\n", pgtls_store_file_note(st, i, j));
	}
	fprintf(f, "\n");
	for (int i = 0; i < n; i++)
		render_entry(f, st, i);
	fprintf(f, "\n%d certificate%s, %d duplicate%s, %d expired, %d not a CA\n", n, n == 1 ? "" : "s", dups,
	        dups == 1 ? "" : "s", pgtls_store_tally(st, PGTLS_TALLY_EXPIRED),
	        pgtls_store_tally(st, PGTLS_TALLY_NON_CA));
	for (int i = 0; i < pgtls_store_nremoved(st); i++)
		fprintf(f, "removed: %s \"%s\" (%s) from %s\n", pgtls_store_removed_get(st, i, PGTLS_SR_SHA256),
		        pgtls_store_removed_get(st, i, PGTLS_SR_SUBJECT),
		        strcmp(pgtls_store_removed_get(st, i, PGTLS_SR_REASON), "expired") == 0
		            ? "expired (--drop-expired)"
		            : "duplicate: same SHA-256 fingerprint as a certificate kept",
		        pgtls_store_removed_get(st, i, PGTLS_SR_SOURCE));
	for (int i = 0; i < pgtls_store_nfindings(st); i++)
		fprintf(f, "WARNING: %s%s\n", pgtls_store_finding(st, i),
		        strcmp(pgtls_store_finding_code(st, i), "expired") == 0 ? " (merge --drop-expired removes them)" : "");
}

int
cli_cmd_store(int argc, char **argv)
{
	static const struct option longopts[] = {{"password", required_argument, NULL, 'p'},
	                                         {"password-file", required_argument, NULL, 'P'},
	                                         {"in-password", required_argument, NULL, 'i'},
	                                         {"in-password-file", required_argument, NULL, 'I'},
	                                         {"output", required_argument, NULL, 'o'},
	                                         {"store-format", required_argument, NULL, 'f'},
	                                         {"format", required_argument, NULL, 'O'},
	                                         {"fingerprint", required_argument, NULL, 'F'},
	                                         {"drop-expired", no_argument, NULL, 'x'},
	                                         {"force", no_argument, NULL, 'y'},
	                                         {"dry-run", no_argument, NULL, 'n'},
	                                         {"has", required_argument, NULL, 'H'},
	                                         {"json", no_argument, NULL, 'j'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	const char *sub;
	char *password = NULL, *in_password = NULL;
	const char *output = NULL, *format = NULL, *fingerprint = NULL, *has = NULL;
	bool drop_expired = false, force = false, json = false, dry_run = false;
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

				if (c == 'p' || c == 'i')
					fprintf(stderr,
					        "pgtls store: warning: a password on the command line is visible to other "
					        "users (ps, shell history): prefer --%s-file or $%s\n",
					        c == 'p' ? "password" : "in-password",
					        c == 'p' ? "PGTLS_STORE_PASSWORD" : "PGTLS_STORE_IN_PASSWORD");
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
			case 'n':
				dry_run = true;
				break;
			case 'H':
				has = optarg;
				break;
			case 'y':
				force = true;
				break;
			case 'j':
				json = true;
				break;
			case 'O':
				/* --format is the output format under every command; the file's own is --store-format */
				if (!cli_output_format("store", optarg, "text or json (the store file's format is --store-format)",
				                       &json, NULL))
					goto done;
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
		rc = cmd_merge(store, argv + optind, argc - optind, output, format, password, in_password, force, dry_run,
		               drop_expired, json);
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
			rc = store_error(store);
			goto done;
		}
		idx = pgtls_store_find(store, fingerprint);
		if (idx == -2)
		{
			rc = store_error(store);
			goto done;
		}
		if (json)
		{
			out = pgtls_store_verify_json(store, argv[optind], fingerprint, idx, 1);
			printf("%s\n", out ? out : "{}");
		}
		else if (idx >= 0)
		{
			const char *alias = pgtls_store_entry_alias(store, idx);

			printf("FOUND in %s: #%d%s%s%s %s (SHA-256 %s)\n", argv[optind], idx + 1, alias[0] ? " alias \"" : "",
			       alias, alias[0] ? "\"" : "", pgtls_cert_get(pgtls_store_cert(store, idx), PGTLS_CERT_SUBJECT),
			       pgtls_cert_get(pgtls_store_cert(store, idx), PGTLS_CERT_SHA256));
		}
		else
			printf("NOT FOUND in %s: no certificate has fingerprint %s (%d certificates checked)\n", argv[optind],
			       fingerprint, pgtls_store_count(store));
		rc = idx >= 0 ? 0 : 2;
		goto done;
	}

	/* inspect */
	for (int i = optind; i < argc; i++)
		if (pgtls_store_load_file(store, argv[i], password) != PGTLS_OK)
		{
			rc = store_error(store);
			goto done;
		}
	if (json && (out = pgtls_store_json(store, 1)) == NULL)
	{
		rc = store_fail("out of memory");
		goto done;
	}
	if (has)
	{
		/* "does this bundle contain it": an answer and an exit status */
		int found = -1;

		for (int i = 0; i < pgtls_store_count(store) && found < 0; i++)
			if (pgtls_cert_is_known(pgtls_store_cert(store, i), has))
				found = i;
		if (found >= 0)
			printf("FOUND %s: #%d %s (%s)\n", has, found + 1,
			       pgtls_cert_get(pgtls_store_cert(store, found), PGTLS_CERT_SUBJECT),
			       pgtls_cert_known_as(pgtls_store_cert(store, found)));
		else
			printf("NOT FOUND: no certificate of %s in %d certificates\n", has, pgtls_store_count(store));
		rc = found >= 0 ? 0 : 2;
		goto done;
	}
	if (json)
		printf("%s\n", out);
	else
		render_inspect(stdout, store);
	rc = pgtls_store_nfindings(store) > 0 ? 1 : 0;

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
