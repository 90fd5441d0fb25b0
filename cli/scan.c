/*-------------------------------------------------------------------------
 *
 * scan.c
 *	  pgtls scan: many servers at once.  Targets from arguments, a file or
 *	  stdin (--targets), or a pg_service.conf (--service-file); probed
 *	  concurrently on one epoll loop (sched.c); a table worst-first, NDJSON
 *	  streamed as results arrive, CSV, or Prometheus metrics; a one-line
 *	  summary.  A line that is no target is reported with its place and
 *	  reason, never dropped.
 *
 * IDENTIFICATION
 *	  cli/scan.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

#include <pgtls/pgtls.h>

#include "cli.h"
#include "scan.h"
#include "fleet.h"

#define SCAN_MAX_TARGETS 1000000
#define SCAN_LINE_MAX 4096

/* monitoring-plugin precedence: CRITICAL > UNKNOWN > WARNING > OK */
static int
rank(int status)
{
	static const int r[] = {0, 1, 3, 2};

	return status >= 0 && status <= 3 ? r[status] : 2;
}

scan_row *
cli_scan_add_row(scan_ctx *c, const char *target, const char *source)
{
	scan_row *r;

	if (c->n >= SCAN_MAX_TARGETS)
		return NULL;
	if (c->n == c->cap)
	{
		int ncap = c->cap ? c->cap * 2 : 64;
		scan_row *g = realloc(c->rows, (size_t)ncap * sizeof(*g));

		if (g == NULL)
			return NULL;
		c->rows = g;
		c->cap = ncap;
	}
	r = &c->rows[c->n];
	memset(r, 0, sizeof(*r));
	r->target = strdup(target);
	r->source = strdup(source);
	if (r->target == NULL || r->source == NULL)
	{
		free(r->target);
		free(r->source);
		return NULL;
	}
	r->status = 3;
	r->plaintext = r->chain_verifies = -1;
	r->aws = -1;
	c->n++;
	return r;
}

/* A probe for TARGET with the scan's options; NULL with WHY when the target is not one. */
pgtls_probe *
cli_scan_make_probe(const scan_opts *o, const char *target, char *why, size_t whylen)
{
	pgtls_probe *p = pgtls_probe_new();

	if (p == NULL)
	{
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	if ((o->libpq_version && pgtls_probe_set_option(p, PGTLS_PROBE_LIBPQ_VERSION, o->libpq_version) != PGTLS_OK) ||
	    (o->user && pgtls_probe_set_option(p, PGTLS_PROBE_USER, o->user) != PGTLS_OK) ||
	    pgtls_probe_set_target(p, target) != PGTLS_OK ||
	    pgtls_probe_set_option(p, PGTLS_PROBE_TIMEOUT_MS, o->timeout_ms) != PGTLS_OK ||
	    (o->rootcert && pgtls_probe_set_option(p, PGTLS_PROBE_ROOTCERT, o->rootcert) != PGTLS_OK))
	{
		snprintf(why, whylen, "%s", pgtls_probe_errmsg(p));
		pgtls_probe_free(p);
		return NULL;
	}
	return p;
}

/* Reads targets from F (one per line; # comments; blank lines skipped). */
static int
read_targets(scan_ctx *c, FILE *f, const char *name)
{
	char line[SCAN_LINE_MAX + 2], src[1100];
	int lineno = 0;

	while (fgets(line, sizeof(line), f) != NULL)
	{
		size_t len = strlen(line);
		char *s = line, *e;
		scan_row *r;

		lineno++;
		snprintf(src, sizeof(src), "%s:%d", name, lineno);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n')
		{
			int ch;

			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
			if ((r = cli_scan_add_row(c, "(line too long)", src)) == NULL)
				return -1;
			snprintf(r->message, sizeof(r->message), "line longer than %d bytes", SCAN_LINE_MAX);
			continue;
		}
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*s == '\0' || *s == '#')
			continue;
		if (cli_scan_add_row(c, s, src) == NULL)
			return -1;
	}
	return ferror(f) ? -1 : 0;
}

/* Every [service] of a pg_service.conf is a target "service=NAME" (the file is given to libpq as PGSERVICEFILE). */
static int
read_services(scan_ctx *c, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[SCAN_LINE_MAX + 2], target[600], src[1200];
	int lineno = 0;

	if (f == NULL)
		return -1;
	setenv("PGSERVICEFILE", path, 1);
	while (fgets(line, sizeof(line), f) != NULL)
	{
		char *s = line, *close;

		lineno++;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s != '[' || (close = strchr(s, ']')) == NULL || close - s - 1 > 500)
			continue;
		snprintf(target, sizeof(target), "service=%.*s", (int)(close - s - 1), s + 1);
		snprintf(src, sizeof(src), "%s:%d", path, lineno);
		if (cli_scan_add_row(c, target, src) == NULL)
		{
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/* ---- the scheduler's callbacks ---- */

static const char *
op_host(void *arg, int i)
{
	return ((scan_ctx *)arg)->rows[i].host;
}

static pgtls_probe *
op_make(void *arg, int i, char *why, size_t whylen)
{
	scan_ctx *c = arg;

	if (!c->rows[i].parsed)
	{
		/* check_targets() said why already */
		snprintf(why, whylen, "%s", c->rows[i].message);
		return NULL;
	}
	return cli_scan_make_probe(c->o, c->rows[i].target, why, whylen);
}

static void
emit_json_error(const scan_row *r)
{
	char *js = pgtls_scan_error_json(r->target, r->source, r->message);

	if (js)
		printf("%s\n", js);
	pgtls_free(js);
	fflush(stdout);
}

static void
csv_field(const char *v)
{
	char *f = pgtls_csv_field(v);

	printf(",%s", f ? f : "");
	pgtls_free(f);
}

static void
op_failed(void *arg, int i, const char *why)
{
	scan_ctx *c = arg;
	scan_row *r = &c->rows[i];

	r->done = true;
	r->status = 3;
	snprintf(r->message, sizeof(r->message), "%s", why);
	if (c->o->format == OUT_JSON)
		emit_json_error(r);
}

static time_t
iso_time(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (s[0] == '\0' || strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return 0;
	return timegm(&tm);
}

static void
cn_of(const char *dn, char *out, size_t outlen)
{
	const char *cn = strstr(dn, "CN=");
	size_t n;

	if (cn == NULL)
	{
		snprintf(out, outlen, "%s", dn);
		return;
	}
	cn += 3;
	n = strcspn(cn, ",");
	snprintf(out, outlen, "%.*s", (int)n, cn);
}

/* What the row keeps of a finished probe. */
void
cli_scan_fill_row(scan_row *r, pgtls_probe *p)
{
	int worst = -1;

	r->status = pgtls_probe_status(p);
	for (int i = 0; i < pgtls_probe_nfindings(p); i++)
		if ((int)pgtls_probe_finding_severity(p, i) == r->status && worst < 0)
			worst = i;
	snprintf(r->message, sizeof(r->message), "%s", worst >= 0 ? pgtls_probe_finding_message(p, worst) : "");
	for (int i = 0; i < pgtls_probe_nconns(p); i++)
	{
		const pgtls_conn *c = pgtls_probe_conn(p, i);

		if (pgtls_conn_get_method(c) != PGTLS_METHOD_PLAIN && !r->tls[0])
			snprintf(r->tls, sizeof(r->tls), "%s", pgtls_conn_get(c, PGTLS_CF_TLS_VERSION));
	}
	r->handshake = r->tls[0] != '\0';
	r->nchain = pgtls_probe_nchain(p) < SCAN_MAX_CHAIN ? pgtls_probe_nchain(p) : SCAN_MAX_CHAIN;
	for (int i = 0; i < r->nchain; i++)
	{
		const pgtls_cert *ct = pgtls_probe_chain(p, i);

		cn_of(pgtls_cert_get(ct, PGTLS_CERT_SUBJECT), r->cn[i], sizeof(r->cn[i]));
		cn_of(pgtls_cert_get(ct, PGTLS_CERT_ISSUER), r->issuer_cn[i], sizeof(r->issuer_cn[i]));
		snprintf(r->serial[i], sizeof(r->serial[i]), "%s", pgtls_cert_get(ct, PGTLS_CERT_SERIAL));
		r->not_after[i] = iso_time(pgtls_cert_get(ct, PGTLS_CERT_NOT_AFTER));
		if (r->not_after[i] && (r->earliest == 0 || r->not_after[i] < r->earliest))
			r->earliest = r->not_after[i];
		if (i == r->nchain - 1)
		{
			/* the top served certificate known by its fingerprint (AWS's intermediates and roots): its CA's id */
			const char *known = pgtls_cert_known_as(ct);

			snprintf(r->issuer, sizeof(r->issuer), "%s", r->issuer_cn[i]);
			snprintf(r->ca, sizeof(r->ca), "%.*s", (int)strcspn(known, " "), known);
		}
	}
	r->plaintext = pgtls_probe_plaintext(p) == PGTLS_STARTUP_ACCEPTED   ? 1
	               : pgtls_probe_plaintext(p) == PGTLS_STARTUP_REJECTED ? 0
	                                                                    : -1;
	r->chain_verifies = pgtls_probe_chain_verifies(p);
	r->host_ok = pgtls_probe_host_ok(p);
	for (int i = 0; i < pgtls_probe_nverdicts(p); i++)
	{
		const pgtls_verdict *v = pgtls_probe_verdict(p, i);
		int m = (int)pgtls_verdict_sslmode(v);

		if (pgtls_verdict_direct(v) || m < 0 || m > 5)
			continue;
		r->connects[m] = pgtls_verdict_result(v) == PGTLS_RESULT_CONNECTS ? 1
		                 : pgtls_verdict_result(v) == PGTLS_RESULT_FAILS  ? 0
		                                                                  : -1;
		r->encrypted[m] = pgtls_verdict_encrypted(v);
		r->verified[m] = (int)pgtls_verdict_verified(v);
	}
}

static void
op_done(void *arg, int i, pgtls_probe *p, pgtls_err err)
{
	scan_ctx *c = arg;
	scan_row *r = &c->rows[i];

	r->done = true;
	if (err != PGTLS_OK)
	{
		r->status = 3;
		snprintf(r->message, sizeof(r->message), "%s", pgtls_probe_errmsg(p));
		if (c->o->format == OUT_JSON)
			emit_json_error(r);
		return;
	}
	cli_scan_fill_row(r, p);
	if (c->o->format == OUT_JSON)
	{
		char *js = pgtls_probe_json(p, 0);

		if (js)
			printf("%s\n", js);
		pgtls_free(js);
		fflush(stdout); /* streamed: one object per line as results arrive */
	}
}

static void
op_progress(void *arg, int done, int n)
{
	scan_ctx *c = arg;

	if (c->tty)
		fprintf(stderr, "\rscan: %d/%d", done, n);
}

/* ---- output ---- */

static int
cmp_rows(const void *a, const void *b)
{
	const scan_row *x = a, *y = b;

	if (rank(x->status) != rank(y->status))
		return rank(y->status) - rank(x->status);
	if (x->earliest != y->earliest)
		return x->earliest == 0 ? 1 : y->earliest == 0 ? -1 : (x->earliest < y->earliest ? -1 : 1);
	return strcmp(x->target, y->target);
}

static void
date_of(time_t t, char *out, size_t outlen)
{
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL)
		snprintf(out, outlen, "-");
	else
		strftime(out, outlen, "%Y-%m-%d", &tm);
}

static void
print_table(scan_ctx *c)
{
	printf("%-8s %-32s %-7s %-28s %-10s %-9s %-6s %s\n", "STATUS", "TARGET", "TLS", "CA (top of chain)", "EXPIRES",
	       "PLAINTEXT", "VERIFY", "WHY");
	for (int i = 0; i < c->n; i++)
	{
		const scan_row *r = &c->rows[i];
		char exp[16];

		date_of(r->earliest, exp, sizeof(exp));
		printf("%-8s %-32.32s %-7s %-28.28s %-10s %-9s %-6s %s%s%s%s\n", cli_status_label(r->status), r->target,
		       r->tls[0] ? r->tls : "-", r->issuer[0] ? r->issuer : "-", exp,
		       r->plaintext == 1   ? "accepted"
		       : r->plaintext == 0 ? "rejected"
		                           : "?",
		       r->connects[5] == 1   ? "full"
		       : r->connects[4] == 1 ? "ca"
		                             : "none",
		       r->message, r->parsed ? "" : " [", r->parsed ? "" : r->source, r->parsed ? "" : "]");
	}
}

static void
print_csv(scan_ctx *c)
{
	printf("status,target,source,tls_version,ca,earliest_not_after,plaintext,chain_verifies,verify_full_connects,"
	       "message\n");
	for (int i = 0; i < c->n; i++)
	{
		const scan_row *r = &c->rows[i];
		const char *fields[] = {r->target, r->source, r->tls, r->issuer};
		char exp[16];

		date_of(r->earliest, exp, sizeof(exp));
		printf("%s", cli_status_label(r->status));
		for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
			csv_field(fields[k]);
		printf(",%s,%s,%s,%s", r->earliest ? exp : "",
		       r->plaintext == 1   ? "accepted"
		       : r->plaintext == 0 ? "rejected"
		                           : "unknown",
		       r->chain_verifies == 1   ? "yes"
		       : r->chain_verifies == 0 ? "no"
		                                : "unknown",
		       r->connects[5] == 1 ? "yes" : "no");
		csv_field(r->message);
		printf("\n");
	}
}

/* One line: counts per status, per CA, per TLS version, and the earliest expiry. */
static void
print_summary(FILE *f, scan_ctx *c, int worst)
{
	int st[4] = {0, 0, 0, 0};
	const scan_row *first = NULL;
	char exp[16];

	for (int i = 0; i < c->n; i++)
	{
		st[c->rows[i].status & 3]++;
		if (c->rows[i].earliest && (first == NULL || c->rows[i].earliest < first->earliest))
			first = &c->rows[i];
	}
	/* -q: the status line of every command (the worst target's status); else the summary */
	if (worst >= 0)
		fprintf(f, "PGTLS %s - ", cli_status_label(worst));
	else
		fprintf(f, "scan: ");
	fprintf(f, "%d target%s: %d OK, %d WARNING, %d CRITICAL, %d UNKNOWN", c->n, c->n == 1 ? "" : "s", st[0], st[1],
	        st[2], st[3]);
	for (int pass = 0; pass < 2; pass++)
	{
		/* distinct values in order of first appearance, with counts (at most 8 named) */
		int shown = 0;

		fprintf(f, "; %s:", pass == 0 ? "CA" : "TLS");
		for (int i = 0; i < c->n && shown < 8; i++)
		{
			const char *v = pass == 0 ? c->rows[i].issuer : c->rows[i].tls;
			int count = 0;
			bool before = false;

			if (v[0] == '\0')
				continue;
			for (int k = 0; k < i && !before; k++)
				before = strcmp(pass == 0 ? c->rows[k].issuer : c->rows[k].tls, v) == 0;
			if (before)
				continue;
			for (int k = i; k < c->n; k++)
				count += strcmp(pass == 0 ? c->rows[k].issuer : c->rows[k].tls, v) == 0;
			fprintf(f, "%s %s %d", shown++ ? "," : "", v, count);
		}
		if (shown == 0)
			fprintf(f, " none");
	}
	date_of(first ? first->earliest : 0, exp, sizeof(exp));
	fprintf(f, "; earliest expiry: %s%s%s%s\n", exp, first ? " (" : "", first ? first->target : "", first ? ")" : "");
}

/* ---- the command ---- */

static void
usage_scan(FILE *f)
{
	fprintf(f, "Usage: pgtls scan [OPTIONS] [TARGET...]\n"
	           "\n"
	           "Probes many servers at once (as pgtls probe does each) and reports them worst\n"
	           "first.  Targets: arguments, --targets FILE (one per line, # comments; - is\n"
	           "stdin), --service-file FILE (every [service] of a pg_service.conf).  A line that\n"
	           "is no target is reported with FILE:LINE and the reason.\n"
	           "\n"
	           "Options:\n"
	           "  --targets FILE       read targets from FILE (- for stdin); repeatable\n"
	           "  --service-file FILE  every service of this pg_service.conf is a target\n"
	           "  --concurrency N      probes in flight (default: up to 256, as file\n"
	           "                       descriptors allow: 3 per probe)\n"
	           "  --per-host N         probes in flight per host (default 16)\n"
	           "  --timeout D          per address tried, whole exchange (default 10s;\n"
	           "                       5, 2.5, 30s, 5m)\n"
	           "  --rootcert FILE      root CA bundle clients use (as pgtls probe)\n"
	           "  --user NAME          user in the StartupMessage (default as libpq)\n"
	           "  --libpq-version N    verdicts of a libpq N client\n"
	           "  --json               one JSON object per line (a pgtls probe report, or an\n"
	           "                       error object), streamed as results arrive\n"
	           "  --csv                one CSV row per target\n"
	           "  --format F           table (default), json, csv or openmetrics (Prometheus\n"
	           "                       text format for node_exporter's textfile collector;\n"
	           "                       metrics in docs/metrics.md)\n"
	           "  -q, --quiet          only the one-line summary\n"
	           "\n"
	           "The summary line (stderr with --json/--csv/--format openmetrics) counts the\n"
	           "targets per status, per CA at the top of the served chain and per TLS\n"
	           "version, and names the earliest expiry.\n"
	           "\n"
	           "Exit status: the worst target's (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).\n");
}

/* Probes in flight the file descriptors allow (3 per probe and 64 spare); 0 when not even one. */
static int
fd_room(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 256;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < rl.rlim_max)
	{
		rl.rlim_cur = rl.rlim_max; /* raise the soft limit as far as allowed */
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 100000)
		return 30000;
	return rl.rlim_cur > 64 ? (int)((rl.rlim_cur - 64) / 3) : 0;
}

static int
parse_count(const char *s, int max, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < 1 || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

static int
add_targets(scan_ctx *c, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	int rc;

	if (f == NULL)
	{
		fprintf(stderr, "pgtls scan: could not open \"%s\": %s\n", path, strerror(errno));
		return -1;
	}
	rc = read_targets(c, f, strcmp(path, "-") == 0 ? "(stdin)" : path);
	if (f != stdin)
		fclose(f);
	if (rc != 0)
		fprintf(stderr, "pgtls scan: could not read \"%s\": %s\n", path, strerror(errno ? errno : EIO));
	return rc;
}

/* Parses every target once: its host (per-host limit), or why it is no target. */
static void
check_targets(scan_ctx *c)
{
	for (int i = 0; i < c->n; i++)
	{
		scan_row *r = &c->rows[i];
		char why[512];
		pgtls_probe *p;

		if (r->message[0])
			continue; /* line too long */
		p = cli_scan_make_probe(c->o, r->target, why, sizeof(why));
		if (p == NULL)
		{
			snprintf(r->message, sizeof(r->message), "%s", why);
			continue;
		}
		r->parsed = true;
		snprintf(r->host, sizeof(r->host), "%s",
		         pgtls_probe_get(p, PGTLS_PF_HOST)[0] ? pgtls_probe_get(p, PGTLS_PF_HOST)
		                                              : pgtls_probe_get(p, PGTLS_PF_HOSTADDR));
		pgtls_probe_free(p);
	}
}

static int
run_scan(scan_ctx *c)
{
	static const cli_sched_ops ops = {op_host, op_make, op_failed, op_done, op_progress};
	int worst = 0;

	/* every row goes through the scheduler: an unparsable one is reported as failed when its turn comes */
	if (cli_sched_run(c->n, c->o->concurrency, c->o->per_host, &ops, c) != 0)
		fprintf(stderr, "pgtls scan: could not run the event loop: %s\n", strerror(errno));
	if (c->tty)
		fprintf(stderr, "\r");
	for (int i = 0; i < c->n; i++)
		if (rank(c->rows[i].status) > rank(worst))
			worst = c->rows[i].status;
	return worst;
}

static void
print_results(scan_ctx *c, int worst)
{
	qsort(c->rows, (size_t)c->n, sizeof(*c->rows), cmp_rows);
	if (c->o->quiet && c->o->format == OUT_TABLE)
		print_summary(stdout, c, worst);
	else if (c->o->format == OUT_TABLE)
	{
		print_table(c);
		printf("\n");
		print_summary(stdout, c, -1);
	}
	else
	{
		if (c->o->format == OUT_CSV)
			print_csv(c);
		else if (c->o->format == OUT_METRICS)
			cli_scan_metrics(stdout, c->rows, c->n);
		if (!c->o->quiet)
			print_summary(stderr, c, -1);
	}
	if (c->o->aws && ((c->o->format == OUT_TABLE && !c->o->quiet) || c->o->format == OUT_JSON))
		cli_scan_aws_plan(c, stdout);
}

static int
scan_option(scan_ctx *c, int ch, const char *arg)
{
	scan_opts *o = c->o;

	switch (ch)
	{
		case 'T':
			return add_targets(c, arg);
		case 'S':
			if (read_services(c, arg) != 0)
			{
				fprintf(stderr, "pgtls scan: could not read \"%s\": %s\n", arg, strerror(errno));
				return -1;
			}
			return 0;
		case 'c':
		case 'H':
			if (parse_count(arg, 100000, ch == 'c' ? &o->concurrency : &o->per_host) == 0)
				return 0;
			fprintf(stderr, "pgtls scan: invalid --%s \"%s\"\n", ch == 'c' ? "concurrency" : "per-host", arg);
			return -1;
		case 'r':
			o->rootcert = arg;
			return 0;
		case 'A':
		case 'N':
			if (o->aws == NULL && (o->aws = pgtls_aws_new()) == NULL)
				return -1;
			if ((ch == 'A' ? pgtls_aws_load(o->aws, arg) : pgtls_aws_set_ca_name(o->aws, arg)) == PGTLS_OK)
				return 0;
			fprintf(stderr, "pgtls scan: %s\n", pgtls_aws_errmsg(o->aws));
			return -1;
		case 'G':
			o->target_ca = arg;
			return 0;
		case 'U':
			o->user = arg;
			return 0;
		case 'L':
			o->libpq_version = arg;
			return 0;
	}
	fprintf(stderr, "Try \"pgtls scan --help\" for more information.\n");
	return -1;
}

int
cli_cmd_scan(int argc, char **argv)
{
	static const struct option longopts[] = {{"targets", required_argument, NULL, 'T'},
	                                         {"service-file", required_argument, NULL, 'S'},
	                                         {"concurrency", required_argument, NULL, 'c'},
	                                         {"per-host", required_argument, NULL, 'H'},
	                                         {"rootcert", required_argument, NULL, 'r'},
	                                         {"user", required_argument, NULL, 'U'},
	                                         {"libpq-version", required_argument, NULL, 'L'},
	                                         {"aws", required_argument, NULL, 'A'},
	                                         {"ca-name", required_argument, NULL, 'N'},
	                                         {"target-ca", required_argument, NULL, 'G'},
	                                         CLI_COMMON_LONGOPTS};
	static const out_format formats[] = {[CLI_OUT_TEXT] = OUT_TABLE,
	                                     [CLI_OUT_JSON] = OUT_JSON,
	                                     [CLI_OUT_CSV] = OUT_CSV,
	                                     [CLI_OUT_METRICS] = OUT_METRICS};
	cli_common co = CLI_COMMON_INIT("scan", CLI_OFFERS_CSV | CLI_OFFERS_METRICS | CLI_OFFERS_TIMEOUT);
	scan_opts o = {NULL, NULL, NULL, NULL, NULL, "10000", 0, 16, OUT_TABLE, false};
	scan_ctx c = {&o, NULL, 0, 0, false};
	int ch, taken, rc = CLI_EXIT_UNKNOWN, room = fd_room();

	optind = 1;
	while ((ch = getopt_long(argc, argv, "qh", longopts, NULL)) != -1)
	{
		if ((taken = cli_common_opt(&co, ch, optarg)) < 0)
			goto out;
		if (co.help)
		{
			usage_scan(stdout);
			rc = 0;
			goto out;
		}
		if (!taken && scan_option(&c, ch, optarg) != 0)
			goto out;
	}
	o.format = formats[co.out];
	o.quiet = co.quiet;
	snprintf(o.timeout_ms, sizeof(o.timeout_ms), "%ld", co.timeout_ms);
	if (cli_scan_aws_targets(&c) != 0)
	{
		fprintf(stderr, "pgtls scan: out of memory\n");
		goto out;
	}
	for (int i = optind; i < argc; i++)
		if (cli_scan_add_row(&c, argv[i], "argument") == NULL)
		{
			fprintf(stderr, "pgtls scan: out of memory\n");
			goto out;
		}
	if (c.n == 0)
	{
		fprintf(stderr, "pgtls scan: no target (give TARGET..., --targets FILE or --service-file FILE)\n");
		goto out;
	}
	if (room < 1 || (o.concurrency && o.concurrency > room))
	{
		fprintf(stderr,
		        "pgtls scan: %d probes in flight need %d file descriptors; the limit (ulimit -n) allows %d probes: "
		        "lower --concurrency or raise ulimit -n\n",
		        o.concurrency ? o.concurrency : 1, (o.concurrency ? o.concurrency : 1) * 3 + 64, room);
		goto out;
	}
	if (o.concurrency == 0)
		o.concurrency = room < 256 ? room : 256;
	c.tty = isatty(STDERR_FILENO) && o.format == OUT_TABLE && !o.quiet;
	check_targets(&c);
	rc = run_scan(&c);
	print_results(&c, rc);
	if (fflush(stdout) != 0)
		rc = CLI_EXIT_UNKNOWN;
out:
	for (int i = 0; i < c.n; i++)
	{
		free(c.rows[i].target);
		free(c.rows[i].source);
	}
	free(c.rows);
	pgtls_aws_free(o.aws);
	return rc;
}
