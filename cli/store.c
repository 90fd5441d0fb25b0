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
	           "         rds-ca-rsa2048-g1/rsa4096-g1/ecc384-g1 with their region, by the\n"
	           "         SHA-256 of AWS's own certificates: one only named so is a finding;\n"
	           "         Azure and Google Cloud SQL roots by name).  --has NAME (\"rds-ca-rsa2048-g1\", with a\n"
	           "         region \"rds-ca-rsa2048-g1:eu-west-1\") answers for each file whether it\n"
	           "         holds that CA: exit 0 every file does, 2 one does not.\n"
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
	           "format written is --store-format.  -q: one status line (merge: only what\n"
	           "was written).\n"
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

/* what `pgtls store` was asked */
typedef struct store_opts
{
	cli_common co;
	const char *sub; /* inspect, merge, verify */
	char *password;
	char *in_password;
	const char *output;
	const char *format; /* --store-format */
	const char *fingerprint;
	const char *has;
	bool drop_expired;
	bool force;
	bool dry_run;
} store_opts;

/* the format the merge writes: --store-format, else the existing OUTPUT's; NULL (said) when none */
static const char *
merge_format(const store_opts *o, const char **existing)
{
	*existing = NULL;
	if (access(o->output, F_OK) == 0)
	{
		/* the format OUT has now: merging in place keeps it unless --store-format says otherwise */
		pgtls_store *cur = pgtls_store_new();

		if (cur && pgtls_store_load_file(cur, o->output, o->in_password ? o->in_password : o->password) == PGTLS_OK)
			*existing = writable_format(pgtls_store_file_get(cur, 0, PGTLS_SF_FORMAT));
		pgtls_store_free(cur);
		if (o->format == NULL && *existing == NULL)
		{
			store_fail("cannot tell the format of the existing -o file: give --store-format pem|der|p12|jks");
			return NULL;
		}
	}
	if (o->format == NULL && *existing == NULL)
	{
		store_fail("merge needs --store-format pem|der|p12|jks for a new file");
		return NULL;
	}
	return o->format ? o->format : *existing;
}

/*
 * store merge: the inputs, de-duplicated, to OUTPUT.  Merging into an
 * existing store keeps its format (and the writer keeps its mode) unless
 * --store-format says otherwise, which is then said; --dry-run writes
 * nothing; -q prints only what was written.
 */
static int
cmd_merge(pgtls_store *store, char **in, int nin, const store_opts *o)
{
	const char *existing, *format;
	int before_dedupe;

	if (o->output == NULL)
		return store_fail("merge needs -o OUT (and --store-format pem|der|p12|jks for a new file)");
	if ((format = merge_format(o, &existing)) == NULL)
		return CLI_EXIT_UNKNOWN;
	if (strcmp(format, "pem") && strcmp(format, "der") && strcmp(format, "p12") && strcmp(format, "jks"))
		return store_fail("invalid --store-format: expected pem, der, p12 or jks");
	for (int i = 0; i < nin; i++)
	{
		/* the output merged in place opens with its own password */
		const char *pw = o->in_password == NULL && same_file(in[i], o->output) ? o->password : o->in_password;

		if (pgtls_store_load_file(store, in[i], pw) != PGTLS_OK)
			return store_error(store);
	}
	before_dedupe = pgtls_store_count(store);
	if (pgtls_store_dedupe(store, o->drop_expired) != PGTLS_OK)
		return store_error(store);
	if (!o->dry_run && pgtls_store_write_file(store, o->output, format, o->password, o->force) != PGTLS_OK)
		return store_error(store);
	if (o->co.out == CLI_OUT_JSON)
		return cli_print_report("store", pgtls_store_json(store, 1), 0);
	if (!CLI_STATUS_LINE(&o->co))
		render_inspect(stdout, store);
	printf("%s %d certificate%s to %s (%s)%s; %d duplicate or expired left out\n", o->dry_run ? "would write" : "wrote",
	       pgtls_store_count(store), pgtls_store_count(store) == 1 ? "" : "s", o->output, format,
	       existing && strcmp(existing, format) != 0 ? ", CHANGING ITS FORMAT as --store-format asked" : "",
	       before_dedupe - pgtls_store_count(store));
	if (strcmp(format, "p12") == 0 || strcmp(format, "jks") == 0)
		fprintf(stderr,
		        "pgtls store: a JVM reads its trust store once: restart the JVMs that use %s "
		        "(javax.net.ssl.trustStore) to see the change\n",
		        o->output);
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
	if (pgtls_cert_named_like(c)[0])
		fprintf(f, "   named like %s, but not AWS's certificate (its SHA-256 is not in AWS's bundles)\n",
		        pgtls_cert_named_like(c));
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

/* a password option (C: p, P, i or I) into O; false (said) when it cannot be read */
static bool
take_password(store_opts *o, int c, const char *arg)
{
	char **dst = (c == 'p' || c == 'P') ? &o->password : &o->in_password;
	char err[256];

	if (c == 'p' || c == 'i')
		fprintf(stderr,
		        "pgtls store: warning: a password on the command line is visible to other users (ps, shell "
		        "history): prefer --%s-file or $%s\n",
		        c == 'p' ? "password" : "in-password", c == 'p' ? "PGTLS_STORE_PASSWORD" : "PGTLS_STORE_IN_PASSWORD");
	if (*dst)
		memset(*dst, 0, strlen(*dst));
	free(*dst);
	*dst = (c == 'p' || c == 'i') ? strdup(arg) : read_password_file(arg, err, sizeof(err));
	if (*dst == NULL)
		store_fail(c == 'P' || c == 'I' ? err : "out of memory");
	return *dst != NULL;
}

/* one option of the sub-command; false (said) on a bad value */
static bool
take_opt(store_opts *o, int c, const char *arg)
{
	switch (c)
	{
		case 'p':
		case 'P':
		case 'i':
		case 'I':
			return take_password(o, c, arg);
		case 'o':
			o->output = arg;
			return true;
		case 'f':
			o->format = arg;
			return true;
		case 'F':
			o->fingerprint = arg;
			return true;
		case 'x':
			o->drop_expired = true;
			return true;
		case 'n':
			o->dry_run = true;
			return true;
		case 'H':
			o->has = arg;
			return true;
		case 'y':
			o->force = true;
			return true;
		default:
			cli_try_help("store");
			return false;
	}
}

/* the sub-command's options (ARGV[0] is the sub-command); 0, 1 help printed, or CLI_EXIT_UNKNOWN (said) */
static int
parse_opts(int argc, char **argv, store_opts *o)
{
	static const struct option longopts[] = {{"password", required_argument, NULL, 'p'},
	                                         {"password-file", required_argument, NULL, 'P'},
	                                         {"in-password", required_argument, NULL, 'i'},
	                                         {"in-password-file", required_argument, NULL, 'I'},
	                                         {"output", required_argument, NULL, 'o'},
	                                         {"store-format", required_argument, NULL, 'f'},
	                                         {"fingerprint", required_argument, NULL, 'F'},
	                                         {"drop-expired", no_argument, NULL, 'x'},
	                                         {"force", no_argument, NULL, 'y'},
	                                         {"dry-run", no_argument, NULL, 'n'},
	                                         {"has", required_argument, NULL, 'H'},
	                                         CLI_COMMON_LONGOPTS};
	int c, taken;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1)
	{
		if ((taken = cli_common_opt(&o->co, c, optarg)) < 0)
			return CLI_EXIT_UNKNOWN;
		if (taken && o->co.help)
		{
			usage_store(stdout);
			return 1;
		}
		if (!taken && !take_opt(o, c, optarg))
			return CLI_EXIT_UNKNOWN;
	}
	if (o->password == NULL && getenv("PGTLS_STORE_PASSWORD"))
		o->password = strdup(getenv("PGTLS_STORE_PASSWORD"));
	if (o->in_password == NULL && getenv("PGTLS_STORE_IN_PASSWORD"))
		o->in_password = strdup(getenv("PGTLS_STORE_IN_PASSWORD"));
	if (optind >= argc)
		return store_fail("no input file");
	return 0;
}

/* store verify: is the certificate with --fingerprint in FILE?  0 found, 2 not found */
static int
cmd_verify(pgtls_store *store, char **in, int nin, const store_opts *o)
{
	int idx, rc;
	const pgtls_cert *c;

	if (o->fingerprint == NULL)
		return store_fail("verify needs --fingerprint SHA1-or-SHA256");
	if (nin != 1)
		return store_fail("verify takes one store file");
	if (pgtls_store_load_file(store, in[0], o->password) != PGTLS_OK)
		return store_error(store);
	if (pgtls_store_find(store, o->fingerprint, &idx) != PGTLS_OK)
		return store_error(store);
	rc = idx >= 0 ? 0 : 2;
	if (o->co.out == CLI_OUT_JSON)
		return cli_print_report("store", pgtls_store_verify_json(store, in[0], o->fingerprint, idx, 1), rc);
	c = idx >= 0 ? pgtls_store_cert(store, idx) : NULL;
	if (o->co.quiet && c)
		cli_quiet_line(rc, "found in %s: #%d %s", in[0], idx + 1, pgtls_cert_get(c, PGTLS_CERT_SUBJECT));
	else if (o->co.quiet)
		cli_quiet_line(rc, "not found in %s: no certificate has fingerprint %s", in[0], o->fingerprint);
	else if (c)
	{
		const char *alias = pgtls_store_entry_alias(store, idx);

		printf("FOUND in %s: #%d%s%s%s %s (SHA-256 %s)\n", in[0], idx + 1, alias[0] ? " alias \"" : "", alias,
		       alias[0] ? "\"" : "", pgtls_cert_get(c, PGTLS_CERT_SUBJECT), pgtls_cert_get(c, PGTLS_CERT_SHA256));
	}
	else
		printf("NOT FOUND in %s: no certificate has fingerprint %s (%d certificates checked)\n", in[0], o->fingerprint,
		       pgtls_store_count(store));
	return rc;
}

/* store inspect --has NAME: does each file hold that CA?  0 every file, 2 one lacks it */
static int
cmd_has(const pgtls_store *store, const store_opts *o)
{
	int nfiles = pgtls_store_nfiles(store), missing = 0, found = pgtls_store_find_known(store, o->has, -1);

	for (int f = 0; f < nfiles; f++)
		missing += pgtls_store_find_known(store, o->has, f) < 0;
	if (o->co.out == CLI_OUT_JSON)
		return cli_print_report("store", pgtls_store_has_json(store, o->has, found, 1), missing ? 2 : 0);
	if (o->co.quiet)
	{
		cli_quiet_line(missing ? 2 : 0, "%s %s: %d of %d file%s hold it", missing ? "not found" : "found", o->has,
		               nfiles - missing, nfiles, nfiles == 1 ? "" : "s");
		return missing ? 2 : 0;
	}
	for (int f = 0; f < nfiles; f++)
	{
		int k = pgtls_store_find_known(store, o->has, f);
		const char *path = pgtls_store_file_get(store, f, PGTLS_SF_PATH);

		if (k >= 0)
			printf("FOUND %s in %s: #%d %s (%s)\n", o->has, path, k + 1,
			       pgtls_cert_get(pgtls_store_cert(store, k), PGTLS_CERT_SUBJECT),
			       pgtls_cert_known_as(pgtls_store_cert(store, k)));
		else
			printf("NOT FOUND %s in %s\n", o->has, path);
	}
	return missing ? 2 : 0;
}

/* store inspect: every certificate of the files; 0, or 1 with findings */
static int
cmd_inspect(pgtls_store *store, char **in, int nin, const store_opts *o)
{
	int rc;

	for (int i = 0; i < nin; i++)
		if (pgtls_store_load_file(store, in[i], o->password) != PGTLS_OK)
			return store_error(store);
	if (o->has)
		return cmd_has(store, o);
	rc = pgtls_store_status(store);
	if (CLI_STATUS_LINE(&o->co))
		cli_quiet_line(rc, "%d certificate%s in %d file%s%s%s", pgtls_store_count(store),
		               pgtls_store_count(store) == 1 ? "" : "s", pgtls_store_nfiles(store),
		               pgtls_store_nfiles(store) == 1 ? "" : "s", rc ? ": " : ", no finding",
		               rc ? pgtls_store_finding(store, 0) : "");
	else if (o->co.out == CLI_OUT_JSON)
		return cli_print_report("store", pgtls_store_json(store, 1), rc);
	else
		render_inspect(stdout, store);
	return rc;
}

static void
forget_passwords(store_opts *o)
{
	if (o->password)
		memset(o->password, 0, strlen(o->password));
	if (o->in_password)
		memset(o->in_password, 0, strlen(o->in_password));
	free(o->password);
	free(o->in_password);
}

int
cli_cmd_store(int argc, char **argv)
{
	store_opts o;
	pgtls_store *store = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	o.co = (cli_common)CLI_COMMON_INIT("store", 0);
	o.co.file_format = "--store-format";
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
	{
		usage_store(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_UNKNOWN : 0;
	}
	o.sub = argv[1];
	if (strcmp(o.sub, "inspect") != 0 && strcmp(o.sub, "merge") != 0 && strcmp(o.sub, "verify") != 0)
		return cli_usage_error("store", "unknown sub-command \"%s\" (inspect, merge or verify)", o.sub);
	rc = parse_opts(argc - 1, argv + 1, &o);
	if (rc == 0 && (store = pgtls_store_new()) == NULL)
		rc = store_fail("out of memory");
	if (rc == 0)
	{
		char **in = argv + 1 + optind;
		int nin = argc - 1 - optind;

		rc = strcmp(o.sub, "merge") == 0    ? cmd_merge(store, in, nin, &o)
		     : strcmp(o.sub, "verify") == 0 ? cmd_verify(store, in, nin, &o)
		                                    : cmd_inspect(store, in, nin, &o);
	}
	forget_passwords(&o);
	pgtls_store_free(store);
	if (fflush(stdout) != 0)
		return CLI_EXIT_UNKNOWN;
	return rc == 1 && o.co.help ? 0 : rc;
}
