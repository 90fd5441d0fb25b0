/*-------------------------------------------------------------------------
 *
 * impostor.c
 *	  pgtls impostor --listen ADDR:PORT: a decoy PostgreSQL server that
 *	  proves which applications would talk to a fake server.
 *
 * IDENTIFICATION
 *	  cli/impostor.c
 *
 * NOTES
 *	  Uses only the public API.  The only process state is the signal
 *	  flag.  A session line goes to stderr as each client ends; the
 *	  report (text or --json) goes to stdout when the run ends.
 *
 *-------------------------------------------------------------------------
 */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pgtls/pgtls.h>

#include "cli.h"
#include "loop.h"

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void
usage_impostor(FILE *f)
{
	fprintf(f, "Usage: pgtls impostor --listen ADDR:PORT [OPTIONS]\n"
	           "\n"
	           "A decoy PostgreSQL server for environments you own (staging, CI): point an\n"
	           "application's database host at it and see whether the application verifies\n"
	           "the server.  For each client it records whether it asked for TLS, accepted\n"
	           "the decoy's certificate, fell back to plaintext, and would have sent its\n"
	           "password (only that, and the length class: the bytes are wiped at once).\n"
	           "Every session then ends with a FATAL error.  Nothing is forwarded anywhere.\n"
	           "\n"
	           "  --listen ADDR:PORT   where to listen (required): 127.0.0.1:6543, [::1]:6543,\n"
	           "                       localhost:6543; a bare port or :PORT is 127.0.0.1.\n"
	           "                       0.0.0.0 must be written out to listen everywhere\n"
	           "  --mode MODE          forged (default): a chain from a throwaway CA named\n"
	           "                         as the real issuer (--like)\n"
	           "                       untrusted-ca: a throwaway CA with its own name\n"
	           "                       no-tls: answer N to SSLRequest (who falls back?)\n"
	           "                       wrong-name: the trusted CA (--ca-cert/--ca-key) signs\n"
	           "                         a certificate for another host name (verify-ca\n"
	           "                         accepts it, verify-full does not)\n"
	           "                       expired: the trusted CA signs a certificate that\n"
	           "                         expired yesterday\n"
	           "                       new-chain: rehearse a CA switch: the NEW CA\n"
	           "                         (--ca-cert/--ca-key) signs a certificate with the\n"
	           "                         real names (--like or --name); who goes on keeps\n"
	           "                         working after the switch, who refuses breaks\n"
	           "                       relay: rehearse a switch whose CA key nobody holds\n"
	           "                         (RDS, Aurora): each client's TLS is relayed to\n"
	           "                         --relay-to, a server already on the new CA, and\n"
	           "                         watched without decrypting; the session goes on\n"
	           "                         there\n"
	           "  --relay-to TARGET    relay: the canary (host=... port=... or HOST:PORT)\n"
	           "  --canary-conninfo C  relay: a libpq connection to the canary (no password in\n"
	           "                       it: PGPASSFILE or PGPASSWORD) whose role reads\n"
	           "                       pg_stat_activity (pg_read_all_stats): names each\n"
	           "                       relayed session's user, database and application\n"
	           "                       (also PGTLS_CANARY_CONNINFO)\n"
	           "  --like TARGET        copy the real server's certificate subject and names\n"
	           "  --name NAME          a host name or IP address the certificate names\n"
	           "                       (repeatable; default: the listen address, and\n"
	           "                       localhost and 127.0.0.1 on loopback)\n"
	           "  --ca-cert FILE       the CA the clients trust (PEM; wrong-name, expired), or\n"
	           "                       the new CA (new-chain); certificates after the first\n"
	           "                       are served as its chain\n"
	           "  --ca-key FILE        its key (PEM; an encrypted key's password comes from\n"
	           "                       PGTLS_CA_KEY_PASSWORD)\n"
	           "  --duration D         stop after D (30s, 5m, 1h); default: SIGINT/SIGTERM\n"
	           "  --max-sessions N     stop after N client connections\n"
	           "  --session-timeout D  one connection's limit (default 10s; in relay mode the\n"
	           "                       relayed session is cut then too)\n"
	           "  --max-concurrent N   connections at once (default 64; more are closed)\n"
	           "  --json, --format F   the report as JSON (docs/json-schema.md) or text\n"
	           "  -q, --quiet          one status line instead of the report, and no line\n"
	           "                       per session on stderr\n"
	           "  -h, --help           this text\n"
	           "\n"
	           "Verdicts: rejected_decoy, accepted_forged_cert, sent_password_to_decoy,\n"
	           "fell_back_to_plaintext, no_tls_requested, inconclusive.  new-chain and relay\n"
	           "also tell each session's observed outcome of the switch: keeps_working,\n"
	           "breaks, falls_back, unaffected_no_tls, unknown; give the --json report to\n"
	           "pgtls rotation --observed.\n"
	           "Exit status: 0 every client rejected the decoy, 1 none accepted it but some\n"
	           "were inconclusive, 2 some client accepted it, 3 no client came or error.\n"
	           "new-chain, relay: 0 every client keeps working, 1 some proved nothing or use\n"
	           "no TLS, 2 some break or fall back, 3 no client came or error.\n");
}

static int
fail(const char *msg)
{
	fprintf(stderr, "pgtls impostor: %s\n", msg);
	return CLI_EXIT_UNKNOWN;
}

typedef struct imp_opts
{
	const char *listen;
	const char *mode;
	const char *like;
	const char *ca_cert;
	const char *ca_key;
	const char *relay_to;
	const char *canary_conninfo;
	double duration;
	long max_sessions;
	cli_common co;
} imp_opts;

/* one line per ended session, to stderr */
static void
print_session(const pgtls_impostor *imp, int i)
{
	const char *user = pgtls_impostor_session_get(imp, i, PGTLS_DS_USER);
	const char *app = pgtls_impostor_session_get(imp, i, PGTLS_DS_APPNAME);
	const char *pw = pgtls_impostor_session_get(imp, i, PGTLS_DS_PASSWORD);

	bool rehearsal = pgtls_impostor_mode(imp) == PGTLS_DECOY_NEW_CHAIN || pgtls_impostor_mode(imp) == PGTLS_DECOY_RELAY;

	fprintf(stderr, "pgtls impostor: session %d from %s%s%s%s%s%s%s: %s%s%s%s (%s)\n",
	        pgtls_impostor_session_id(imp, i), pgtls_impostor_session_get(imp, i, PGTLS_DS_PEER), user[0] ? " " : "",
	        user, user[0] ? "@" : "", pgtls_impostor_session_get(imp, i, PGTLS_DS_DATABASE), app[0] ? " app=" : "", app,
	        rehearsal ? pgtls_prediction_name(pgtls_impostor_session_observed(imp, i))
	                  : pgtls_decoy_verdict_name(pgtls_impostor_session_verdict(imp, i)),
	        pw[0] ? " (password of " : "", pw, pw[0] ? " characters)" : "",
	        pgtls_impostor_session_get(imp, i, PGTLS_DS_END));
}

static bool
rehearses(const pgtls_impostor *imp)
{
	return pgtls_impostor_mode(imp) == PGTLS_DECOY_NEW_CHAIN || pgtls_impostor_mode(imp) == PGTLS_DECOY_RELAY;
}

/* new-chain, relay: the closing line */
static void
rehearsal_summary(FILE *f, const pgtls_impostor *imp)
{
	int n = pgtls_impostor_nsessions(imp);
	int counts[PGTLS_PREDICT_UNKNOWN + 1] = {0};

	for (int i = 0; i < n; i++)
		counts[pgtls_impostor_session_observed(imp, i)]++;
	fprintf(f,
	        "\n%s: %d session%s: %d keep working, %d break, %d fall back to plaintext, %d use no TLS, %d proved "
	        "nothing\n",
	        cli_status_label(pgtls_impostor_status(imp)), n, n == 1 ? "" : "s", counts[PGTLS_PREDICT_KEEPS_WORKING],
	        counts[PGTLS_PREDICT_BREAKS], counts[PGTLS_PREDICT_FALLS_BACK], counts[PGTLS_PREDICT_UNAFFECTED_NO_TLS],
	        counts[PGTLS_PREDICT_UNKNOWN]);
}

static void
render_text(FILE *f, const pgtls_impostor *imp)
{
	int n = pgtls_impostor_nsessions(imp);
	int counts[PGTLS_DECOY_VERDICT_COUNT] = {0};

	fprintf(f, "pgtls impostor: mode %s on %s\n\n", pgtls_decoy_mode_name(pgtls_impostor_mode(imp)),
	        pgtls_impostor_address(imp));
	for (int i = 0; i < n; i++)
	{
		const char *fix = pgtls_impostor_session_get(imp, i, PGTLS_DS_FIX);
		const char *app = pgtls_impostor_session_get(imp, i, PGTLS_DS_APPNAME);
		const char *alert = pgtls_impostor_session_get(imp, i, PGTLS_DS_CLIENT_ALERT);
		int retry = pgtls_impostor_session_retry_of(imp, i);

		for (int v = 0; v < PGTLS_DECOY_VERDICT_COUNT; v++)
			counts[v] += pgtls_impostor_session_has(imp, i, (pgtls_decoy_verdict)v);
		fprintf(f, "  #%d %s  %s%s%s%s\n", pgtls_impostor_session_id(imp, i),
		        rehearses(imp) ? pgtls_prediction_name(pgtls_impostor_session_observed(imp, i))
		                       : pgtls_decoy_verdict_name(pgtls_impostor_session_verdict(imp, i)),
		        pgtls_impostor_session_get(imp, i, PGTLS_DS_PEER), app[0] ? "  application_name=" : "", app,
		        pgtls_impostor_session_has(imp, i, PGTLS_DECOY_SENT_PASSWORD) ? "  PASSWORD SENT" : "");
		if (pgtls_impostor_session_get(imp, i, PGTLS_DS_USER)[0])
			fprintf(f, "      user %s, database %s, startup over %s\n",
			        pgtls_impostor_session_get(imp, i, PGTLS_DS_USER),
			        pgtls_impostor_session_get(imp, i, PGTLS_DS_DATABASE),
			        pgtls_impostor_session_get(imp, i, PGTLS_DS_STARTUP));
		if (retry)
			fprintf(f, "      a retry of #%d by the same client\n", retry);
		if (alert[0])
			fprintf(f, "      handshake: %s\n", alert);
		if (rehearses(imp) && pgtls_impostor_session_get(imp, i, PGTLS_DS_PROVES)[0])
			fprintf(f, "      proves: %s\n", pgtls_impostor_session_get(imp, i, PGTLS_DS_PROVES));
		fprintf(f, "      why: %s\n", pgtls_impostor_session_get(imp, i, PGTLS_DS_EXPLAIN));
		if (fix[0])
			fprintf(f, "      fix: %s\n", fix);
	}
	if (pgtls_impostor_dropped(imp, 0) > 0)
		fprintf(f, "  %d connections were closed unheard: too many at once\n", pgtls_impostor_dropped(imp, 0));
	if (pgtls_impostor_dropped(imp, 1) > 0)
		fprintf(f, "  %d more sessions are not listed\n", pgtls_impostor_dropped(imp, 1));
	if (rehearses(imp))
	{
		rehearsal_summary(f, imp);
		return;
	}
	fprintf(f,
	        "\n%s: %d session%s: %d sent a password, %d accepted the certificate, %d fell back to plaintext, "
	        "%d asked for no TLS, %d rejected the decoy, %d inconclusive\n",
	        cli_status_label(pgtls_impostor_status(imp)), n, n == 1 ? "" : "s", counts[PGTLS_DECOY_SENT_PASSWORD],
	        counts[PGTLS_DECOY_ACCEPTED_CERT], counts[PGTLS_DECOY_FELL_BACK], counts[PGTLS_DECOY_NO_TLS_REQUESTED],
	        counts[PGTLS_DECOY_REJECTED], counts[PGTLS_DECOY_INCONCLUSIVE]);
}

/*
 * Probes TARGET (--like: the real server; --relay-to: the canary) and hands
 * the finished probe to the decoy; 0 or CLI_EXIT_UNKNOWN (said).
 */
static int
with_probe(pgtls_impostor *imp, const char *flag, const char *target, const char *conninfo)
{
	pgtls_probe *p = pgtls_probe_new();
	int rc = 0;

	if (p == NULL || pgtls_probe_set_target(p, target) != PGTLS_OK || cli_run_probe(p) != PGTLS_OK ||
	    (conninfo == NULL ? pgtls_impostor_set_like(imp, p) : pgtls_impostor_set_relay(imp, p, conninfo)) != PGTLS_OK)
	{
		fprintf(stderr, "pgtls impostor: %s %s: %s\n", flag, target,
		        p == NULL                ? "out of memory"
		        : pgtls_probe_errcode(p) ? pgtls_probe_errmsg(p)
		                                 : pgtls_impostor_errmsg(imp));
		rc = CLI_EXIT_UNKNOWN;
	}
	pgtls_probe_free(p);
	return rc;
}

static int
set_up(pgtls_impostor *imp, const imp_opts *o)
{
	pgtls_decoy_mode mode = PGTLS_DECOY_FORGED;

	if (o->mode && pgtls_decoy_mode_parse(o->mode, &mode) != 0)
		return fail("--mode: expected forged, untrusted-ca, no-tls, wrong-name, expired, new-chain or relay");
	if (pgtls_impostor_set_mode(imp, mode) != PGTLS_OK)
		return fail(pgtls_impostor_errmsg(imp));
	if ((o->ca_cert == NULL) != (o->ca_key == NULL))
		return fail("--ca-cert and --ca-key go together");
	if (o->ca_cert && (mode == PGTLS_DECOY_FORGED || mode == PGTLS_DECOY_UNTRUSTED_CA || mode == PGTLS_DECOY_NO_TLS ||
	                   mode == PGTLS_DECOY_RELAY))
		return fail("--ca-cert/--ca-key are for --mode wrong-name, expired and new-chain");
	if (o->ca_cert == NULL && (mode == PGTLS_DECOY_WRONG_NAME || mode == PGTLS_DECOY_EXPIRED))
		return fail("--mode wrong-name and expired need the CA the clients trust: --ca-cert FILE --ca-key FILE");
	if (o->ca_cert == NULL && mode == PGTLS_DECOY_NEW_CHAIN)
		return fail("--mode new-chain needs the new CA: --ca-cert FILE --ca-key FILE");
	if ((o->relay_to != NULL) != (mode == PGTLS_DECOY_RELAY))
		return fail(o->relay_to ? "--relay-to is for --mode relay" : "--mode relay needs --relay-to TARGET");
	if (o->relay_to && o->like)
		return fail("--like is not for --mode relay: the canary's certificate is what clients get");
	if (o->ca_cert && pgtls_impostor_set_ca(imp, o->ca_cert, o->ca_key, getenv("PGTLS_CA_KEY_PASSWORD")) != PGTLS_OK)
		return fail(pgtls_impostor_errmsg(imp));
	if (o->like && with_probe(imp, "--like", o->like, NULL) != 0)
		return CLI_EXIT_UNKNOWN;
	if (o->relay_to)
	{
		const char *ci = o->canary_conninfo ? o->canary_conninfo : getenv("PGTLS_CANARY_CONNINFO");

		/* "" (no identification) tells set_relay apart from set_like */
		return with_probe(imp, "--relay-to", o->relay_to, ci ? ci : "");
	}
	return 0;
}

/* -q: the one status line */
static void
quiet_line(const pgtls_impostor *imp)
{
	int counts[PGTLS_DECOY_VERDICT_COUNT] = {0}, n = pgtls_impostor_nsessions(imp);

	for (int i = 0; i < n; i++)
		for (int v = 0; v < PGTLS_DECOY_VERDICT_COUNT; v++)
			counts[v] += pgtls_impostor_session_has(imp, i, (pgtls_decoy_verdict)v);
	cli_quiet_line(pgtls_impostor_status(imp),
	               "decoy (mode %s) on %s: %d sessions, %d rejected it, %d accepted the forged certificate, %d sent a "
	               "password, %d fell back to plaintext",
	               pgtls_decoy_mode_name(pgtls_impostor_mode(imp)), pgtls_impostor_address(imp), n,
	               counts[PGTLS_DECOY_REJECTED], counts[PGTLS_DECOY_ACCEPTED_CERT], counts[PGTLS_DECOY_SENT_PASSWORD],
	               counts[PGTLS_DECOY_FELL_BACK]);
}

/* serves until the duration, the session count or a signal; 0 or CLI_EXIT_UNKNOWN */
static int
serve(pgtls_impostor *imp, const imp_opts *o)
{
	int64_t end = o->duration > 0 ? pgtls_now_ms() + (int64_t)(o->duration * 1000) : 0;
	int shown = 0;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop_requested && (end == 0 || pgtls_now_ms() < end) &&
	       (o->max_sessions == 0 || pgtls_impostor_nsessions(imp) + pgtls_impostor_dropped(imp, 1) < o->max_sessions))
	{
		if (pgtls_impostor_poll(imp, 200) < 0)
			return fail(pgtls_impostor_errmsg(imp));
		for (; !o->co.quiet && shown < pgtls_impostor_nsessions(imp); shown++)
			print_session(imp, shown);
	}
	pgtls_impostor_stop(imp);
	for (; !o->co.quiet && shown < pgtls_impostor_nsessions(imp); shown++)
		print_session(imp, shown);
	return 0;
}

static int
parse_opts(int argc, char **argv, imp_opts *o, pgtls_impostor *imp)
{
	static const struct option longopts[] = {{"listen", required_argument, NULL, 'l'},
	                                         {"mode", required_argument, NULL, 'm'},
	                                         {"like", required_argument, NULL, 'L'},
	                                         {"name", required_argument, NULL, 'n'},
	                                         {"ca-cert", required_argument, NULL, 'c'},
	                                         {"ca-key", required_argument, NULL, 'k'},
	                                         {"relay-to", required_argument, NULL, 'R'},
	                                         {"canary-conninfo", required_argument, NULL, 'P'},
	                                         {"duration", required_argument, NULL, 'd'},
	                                         {"max-sessions", required_argument, NULL, 'M'},
	                                         {"session-timeout", required_argument, NULL, 't'},
	                                         {"max-concurrent", required_argument, NULL, 'C'},
	                                         CLI_COMMON_LONGOPTS};
	int c, taken;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1)
	{
		double d;
		long dms;
		char *end;
		long v;

		if ((taken = cli_common_opt(&o->co, c, optarg)) < 0)
			return CLI_EXIT_UNKNOWN;
		if (o->co.help)
		{
			usage_impostor(stdout);
			return -1;
		}
		if (taken)
			continue;
		switch (c)
		{
			case 'l':
				o->listen = optarg;
				break;
			case 'm':
				o->mode = optarg;
				break;
			case 'L':
				o->like = optarg;
				break;
			case 'c':
				o->ca_cert = optarg;
				break;
			case 'k':
				o->ca_key = optarg;
				break;
			case 'R':
				o->relay_to = optarg;
				break;
			case 'P':
				o->canary_conninfo = optarg;
				break;
			case 'n':
				if (pgtls_impostor_add_name(imp, optarg) != PGTLS_OK)
					return fail(pgtls_impostor_errmsg(imp));
				break;
			case 'd':
			case 't':
				if (!cli_duration_ms(optarg, 1, 30L * 86400 * 1000, &dms) || (d = dms / 1000.0) <= 0)
					return fail("--duration/--session-timeout: expected a duration like 30s, 5m, 1h");
				if (c == 'd')
					o->duration = d;
				else if (pgtls_impostor_set_option(imp, PGTLS_IMP_SESSION_TIMEOUT_MS, (long)(d * 1000)) != PGTLS_OK)
					return fail("--session-timeout: between 100ms and 1h");
				break;
			case 'M':
			case 'C':
				v = strtol(optarg, &end, 10);
				if (*optarg == '\0' || *end || v < 1 || v > 1000000 ||
				    (c == 'C' && pgtls_impostor_set_option(imp, PGTLS_IMP_MAX_CONCURRENT, v) != PGTLS_OK))
					return fail(c == 'C' ? "--max-concurrent: a number from 1 to 1024"
					                     : "--max-sessions: a positive number");
				if (c == 'M')
					o->max_sessions = v;
				break;
			default:
				return cli_try_help("impostor");
		}
	}
	if (optind != argc)
		return fail("unexpected argument (the decoy takes options only)");
	if (o->listen == NULL)
		return fail("--listen ADDR:PORT is required: the decoy listens only where it is told");
	return 0;
}

int
cli_cmd_impostor(int argc, char **argv)
{
	pgtls_impostor *imp = pgtls_impostor_new();
	imp_opts o = {0};
	int rc;

	o.co = (cli_common)CLI_COMMON_INIT("impostor", 0);
	if (imp == NULL)
		return fail("out of memory");
	rc = parse_opts(argc, argv, &o, imp);
	if (rc == 0)
		rc = set_up(imp, &o);
	if (rc == 0 && pgtls_impostor_listen(imp, o.listen) != PGTLS_OK)
		rc = fail(pgtls_impostor_errmsg(imp));
	if (rc == 0)
	{
		const pgtls_cert *leaf = pgtls_impostor_leaf(imp);

		fprintf(stderr, "pgtls impostor: listening on %s (mode %s%s%s); %s\n", pgtls_impostor_address(imp),
		        pgtls_decoy_mode_name(pgtls_impostor_mode(imp)), leaf ? ", certificate " : "",
		        leaf ? pgtls_cert_get(leaf, PGTLS_CERT_SUBJECT) : "",
		        pgtls_impostor_mode(imp) == PGTLS_DECOY_RELAY
		            ? "TLS sessions are relayed to the canary; plaintext ones are refused"
		            : "a decoy: every session is refused");
		rc = serve(imp, &o);
	}
	if (rc == 0)
	{
		bool json = o.co.out == CLI_OUT_JSON;
		char *out = json ? pgtls_impostor_json(imp, 1) : NULL;

		if (json && out == NULL)
			rc = fail("out of memory");
		else if (json)
			printf("%s\n", out);
		else if (CLI_STATUS_LINE(&o.co))
			quiet_line(imp);
		else
			render_text(stdout, imp);
		pgtls_free(out);
		if (rc == 0)
			rc = fflush(stdout) != 0 ? CLI_EXIT_UNKNOWN : pgtls_impostor_status(imp);
	}
	pgtls_impostor_free(imp);
	return rc < 0 ? 0 : rc;
}

int
cli_apply_decoy(pgtls_clients *cl, const char *report)
{
	pgtls_impostor *imp = pgtls_impostor_new();
	int rc = 0;

	if (imp == NULL)
		return fail("out of memory");
	if (pgtls_impostor_load(imp, report) != PGTLS_OK || pgtls_clients_set_decoy(cl, imp) != PGTLS_OK)
	{
		fprintf(stderr, "pgtls: --decoy-report: %s\n", pgtls_impostor_errmsg(imp));
		rc = CLI_EXIT_UNKNOWN;
	}
	pgtls_impostor_free(imp);
	return rc;
}

int
cli_apply_observed(pgtls_clients *cl, const char *const *reports, int n)
{
	for (int i = 0; i < n; i++)
	{
		pgtls_impostor *imp = pgtls_impostor_new();
		int rc = 0;

		if (imp == NULL)
			return fail("out of memory");
		if (pgtls_impostor_load(imp, reports[i]) != PGTLS_OK)
			rc = fprintf(stderr, "pgtls: --observed %s: %s\n", reports[i], pgtls_impostor_errmsg(imp));
		else if (pgtls_clients_set_observed(cl, imp) != PGTLS_OK)
			rc = fprintf(stderr, "pgtls: --observed %s: %s\n", reports[i], pgtls_clients_errmsg(cl));
		pgtls_impostor_free(imp);
		if (rc)
			return CLI_EXIT_UNKNOWN;
	}
	return 0;
}

const char *
cli_decoy_words(const char *finding)
{
	if (strcmp(finding, "decoy_contradicts_settings") == 0)
		return "its settings say it verifies the server, but the decoy saw it accept what those settings would "
		       "refuse: the application does not run with these settings (an override in its environment, code or "
		       "pool)";
	if (strcmp(finding, "decoy_stricter_than_settings") == 0)
		return "the decoy saw it refuse what these settings would accept: it runs with stricter settings than "
		       "these";
	if (strcmp(finding, "decoy_confirms_settings") == 0)
		return "the decoy saw it do what its settings say";
	return "seen by the decoy (its settings do not tell what it should have done)";
}
