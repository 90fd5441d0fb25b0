/*-------------------------------------------------------------------------
 *
 * exporter.c
 *	  pgtls exporter --listen ADDR:PORT: a Prometheus exporter in the
 *	  multi-target pattern of blackbox_exporter and ssl_exporter.
 *	  GET /probe?target=T probes T (as pgtls scan does one target) and
 *	  answers its metrics (docs/metrics.md); GET /metrics answers the
 *	  exporter's own.
 *
 * IDENTIFICATION
 *	  cli/exporter.c
 *
 * NOTES
 *	  HTTP is libmicrohttpd's (Debian libmicrohttpd-dev): a well-kept,
 *	  small embeddable server with a thread per connection, so a slow
 *	  target holds up only its own scrape.  At most --max-concurrent probes
 *	  run at once (503 beyond); each is bounded by --timeout.  A missing or
 *	  malformed target is a 400 with one line; an unknown path a 404; the
 *	  exporter survives every probe failure (it is a metric).  Stops on
 *	  SIGINT or SIGTERM.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <microhttpd.h>
#include <pgtls/pgtls.h>

#include "cli.h"
#include "loop.h"
#include "scan.h"

typedef struct exporter
{
	scan_opts o;
	int max_concurrent;
	atomic_int in_flight;
	atomic_long probes;
	atomic_long probe_errors;
	atomic_long rejected_busy;
	atomic_long bad_requests;
} exporter;

static enum MHD_Result
reply(struct MHD_Connection *conn, unsigned code, const char *body, size_t len, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result rc;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	rc = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result
reply_text(struct MHD_Connection *conn, unsigned code, const char *msg)
{
	return reply(conn, code, msg, strlen(msg), "text/plain; charset=utf-8");
}

/* The metrics of one probe of TARGET, in a malloc'd buffer. */
static char *
probe_metrics(exporter *x, const char *target, size_t *len, unsigned *code)
{
	scan_row row;
	char why[512], *buf = NULL;
	pgtls_probe *p;
	FILE *f;
	struct timespec t0, t1;

	memset(&row, 0, sizeof(row));
	row.target = (char *)target;
	row.status = 3;
	row.plaintext = row.chain_verifies = -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	p = cli_scan_make_probe(&x->o, target, why, sizeof(why));
	if (p == NULL)
	{
		*code = MHD_HTTP_BAD_REQUEST;
		atomic_fetch_add(&x->bad_requests, 1);
		buf = NULL;
		if ((f = open_memstream(&buf, len)) != NULL)
		{
			fprintf(f, "invalid target: %s\n", why);
			fclose(f);
		}
		return buf;
	}
	atomic_fetch_add(&x->probes, 1);
	row.parsed = true;
	if (cli_run_probe(p) == PGTLS_OK)
		cli_scan_fill_row(&row, p);
	else
	{
		atomic_fetch_add(&x->probe_errors, 1);
		snprintf(row.message, sizeof(row.message), "%s", pgtls_probe_errmsg(p));
	}
	row.done = true;
	pgtls_probe_free(p);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if ((f = open_memstream(&buf, len)) == NULL)
		return NULL;
	cli_scan_metrics(f, &row, 1);
	fprintf(f,
	        "# HELP pgtls_probe_duration_seconds how long the probe took\n"
	        "# TYPE pgtls_probe_duration_seconds gauge\n"
	        "pgtls_probe_duration_seconds %.6f\n",
	        (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	fclose(f);
	*code = MHD_HTTP_OK;
	return buf;
}

static enum MHD_Result
own_metrics(exporter *x, struct MHD_Connection *conn)
{
	char body[1024];
	int n = snprintf(body, sizeof(body),
	                 "# HELP pgtls_exporter_probes_total probes run\n# TYPE pgtls_exporter_probes_total counter\n"
	                 "pgtls_exporter_probes_total %ld\n"
	                 "# HELP pgtls_exporter_probe_errors_total probes that could not run to their end\n"
	                 "# TYPE pgtls_exporter_probe_errors_total counter\npgtls_exporter_probe_errors_total %ld\n"
	                 "# HELP pgtls_exporter_busy_total scrapes refused with 503 (more than --max-concurrent)\n"
	                 "# TYPE pgtls_exporter_busy_total counter\npgtls_exporter_busy_total %ld\n"
	                 "# HELP pgtls_exporter_bad_requests_total requests without a valid target\n"
	                 "# TYPE pgtls_exporter_bad_requests_total counter\npgtls_exporter_bad_requests_total %ld\n"
	                 "# HELP pgtls_exporter_in_flight probes running now\n# TYPE pgtls_exporter_in_flight gauge\n"
	                 "pgtls_exporter_in_flight %d\n",
	                 atomic_load(&x->probes), atomic_load(&x->probe_errors), atomic_load(&x->rejected_busy),
	                 atomic_load(&x->bad_requests), atomic_load(&x->in_flight));

	return reply(conn, MHD_HTTP_OK, body, (size_t)n, "text/plain; version=0.0.4; charset=utf-8");
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method, const char *version,
       const char *upload_data, size_t *upload_size, void **req_cls)
{
	exporter *x = cls;
	const char *target;
	char *body;
	size_t len = 0;
	unsigned code = MHD_HTTP_OK;
	enum MHD_Result rc;

	(void)version;
	(void)upload_data;
	(void)upload_size;
	(void)req_cls;
	if (strcmp(method, "GET") != 0)
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n");
	if (strcmp(url, "/metrics") == 0)
		return own_metrics(x, conn);
	if (strcmp(url, "/") == 0)
		return reply_text(conn, MHD_HTTP_OK, "pgtls exporter: GET /probe?target=HOST:PORT (or a conninfo), /metrics\n");
	if (strcmp(url, "/probe") != 0)
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found: use /probe?target=... or /metrics\n");
	target = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "target");
	if (target == NULL || target[0] == '\0' || strlen(target) > 4096)
	{
		atomic_fetch_add(&x->bad_requests, 1);
		return reply_text(conn, MHD_HTTP_BAD_REQUEST, "missing or overlong target parameter\n");
	}
	if (atomic_fetch_add(&x->in_flight, 1) >= x->max_concurrent)
	{
		atomic_fetch_sub(&x->in_flight, 1);
		atomic_fetch_add(&x->rejected_busy, 1);
		return reply_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "too many probes in flight\n");
	}
	body = probe_metrics(x, target, &len, &code);
	atomic_fetch_sub(&x->in_flight, 1);
	if (body == NULL)
		return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	rc = reply(conn, code, body, len,
	           code == MHD_HTTP_OK ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8");
	free(body);
	return rc;
}

/* "127.0.0.1:9187", ":9187" (all addresses), "[::1]:9187" */
static int
parse_listen(const char *s, struct sockaddr_storage *ss)
{
	const char *colon = strrchr(s, ':');
	char host[128];
	long port;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
		return -1;
	port = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end || port < 1 || port > 65535)
		return -1;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s);
	if (host[0] == '[' && host[strlen(host) - 1] == ']')
	{
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

		host[strlen(host) - 1] = '\0';
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		return inet_pton(AF_INET6, host + 1, &a6->sin6_addr) == 1 ? 0 : -1;
	}
	{
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		if (host[0] == '\0')
			return 0;
		return inet_pton(AF_INET, host, &a4->sin_addr) == 1 ? 0 : -1;
	}
}

static void
usage_exporter(FILE *f)
{
	fprintf(f, "Usage: pgtls exporter --listen ADDR:PORT [OPTIONS]\n"
	           "\n"
	           "A Prometheus exporter (multi-target, as blackbox_exporter): GET\n"
	           "/probe?target=HOST:PORT (or a conninfo) probes the target and answers its\n"
	           "metrics (docs/metrics.md); GET /metrics answers the exporter's own.\n"
	           "\n"
	           "Options:\n"
	           "  --listen ADDR:PORT   where to listen (127.0.0.1:9187, [::1]:9187, :9187)\n"
	           "  --max-concurrent N   probes at once (default 32; more scrapes get 503)\n"
	           "  --timeout D          per probe address (default 10s; 5, 2.5, 30s, 5m)\n"
	           "  --rootcert FILE      root CA bundle clients use\n"
	           "  --user NAME          user in the StartupMessage (default as libpq)\n"
	           "  -q, --quiet          no line when it starts listening\n"
	           "\n"
	           "Its output is the OpenMetrics it serves: --json and --format are refused.\n"
	           "Runs until SIGINT or SIGTERM.  Exit status 0, or 3 when it cannot listen.\n");
}

int
cli_cmd_exporter(int argc, char **argv)
{
	static const struct option longopts[] = {{"listen", required_argument, NULL, 'l'},
	                                         {"max-concurrent", required_argument, NULL, 'm'},
	                                         {"rootcert", required_argument, NULL, 'r'},
	                                         {"user", required_argument, NULL, 'U'},
	                                         CLI_COMMON_LONGOPTS};
	cli_common co = CLI_COMMON_INIT("exporter", CLI_OFFERS_TIMEOUT);
	long n;
	exporter x;
	struct sockaddr_storage ss;
	const char *listen_at = NULL;
	struct MHD_Daemon *d;
	sigset_t set;
	int ch, sig;

	memset(&x, 0, sizeof(x));
	snprintf(x.o.timeout_ms, sizeof(x.o.timeout_ms), "10000");
	x.max_concurrent = 32;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "qh", longopts, NULL)) != -1)
	{
		int taken = cli_common_opt(&co, ch, optarg);

		if (taken < 0)
			return CLI_EXIT_UNKNOWN;
		if (co.help)
		{
			usage_exporter(stdout);
			return 0;
		}
		if (taken)
			continue;
		switch (ch)
		{
			case 'l':
				listen_at = optarg;
				break;
			case 'm':
				if (!cli_count(optarg, 1, 10000, &n))
					return cli_usage_error("exporter", "invalid --max-concurrent \"%s\": 1 to 10000", optarg);
				x.max_concurrent = (int)n;
				break;
			case 'r':
				x.o.rootcert = optarg;
				break;
			case 'U':
				x.o.user = optarg;
				break;
			default:
				return cli_try_help("exporter");
		}
	}
	/* its output is the OpenMetrics it serves (docs/metrics.md): there is no report to format */
	if (co.out != CLI_OUT_TEXT)
		return cli_usage_error("exporter", "--json/--format: the exporter answers OpenMetrics over HTTP "
		                                   "(docs/metrics.md) and writes no report");
	snprintf(x.o.timeout_ms, sizeof(x.o.timeout_ms), "%ld", co.timeout_ms);
	if (listen_at == NULL || optind != argc || parse_listen(listen_at, &ss) != 0)
	{
		fprintf(stderr, "pgtls exporter: %s\n",
		        listen_at == NULL ? "--listen ADDR:PORT is required" : "invalid --listen: expected ADDR:PORT");
		return CLI_EXIT_UNKNOWN;
	}
	/* the signals are taken by sigwait() below, not by the HTTP threads */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG |
	                         (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
	                     0, NULL, NULL, handle, &x, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	                     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_CONNECTION_LIMIT,
	                     (unsigned)(x.max_concurrent * 4 + 16), MHD_OPTION_END);
	if (d == NULL)
	{
		fprintf(stderr, "pgtls exporter: cannot listen on %s: %s\n", listen_at, strerror(errno));
		return CLI_EXIT_UNKNOWN;
	}
	if (!co.quiet)
		fprintf(stderr, "pgtls exporter: listening on %s (/probe?target=..., /metrics)\n", listen_at);
	while (sigwait(&set, &sig) != 0)
		;
	MHD_stop_daemon(d);
	return 0;
}
