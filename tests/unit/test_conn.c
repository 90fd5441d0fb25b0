/*
 * test_conn.c - the connection state machine and the probe against
 * scripted servers on 127.0.0.1 (a thread per test): every hostile answer
 * to SSLRequest gives its exact error, the right typed TLS state, and the
 * right sslmode verdicts from the rules engine (prefer must not fall back
 * after a protocol violation: CVE-2021-23222).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <pgtls/pgtls.h>

#include "loop.h"
#include "pgtls_int.h"

typedef struct script
{
	const char *answer; /* bytes sent in answer to SSLRequest (NULL: close at once) */
	size_t len;
	bool silent; /* send nothing, keep the connection open */
	int listen_fd;
	int port;
	pthread_t thread;
	bool close_now; /* close right after the answer (a dropping proxy) */
} script;

/* a FATAL ErrorResponse, as a server rejecting a plaintext startup sends it */
static size_t
error_response(char *out)
{
	static const char body[] = "SFATAL\0C28000\0Mno encryption\0";
	size_t n = sizeof(body) - 1 + 1; /* fields + final NUL */
	uint32_t len = htonl((uint32_t)(n + 4));

	out[0] = 'E';
	memcpy(out + 1, &len, 4);
	memcpy(out + 5, body, sizeof(body) - 1);
	out[5 + sizeof(body) - 1] = '\0';
	return 5 + n;
}

static void *
serve(void *arg)
{
	script *s = arg;

	/* the probe opens two connections: SSLRequest and plaintext startup */
	for (int k = 0; k < 2; k++)
	{
		int fd = accept(s->listen_fd, NULL, NULL);
		unsigned char hdr[8];
		char err[64];

		if (fd < 0)
			break;
		if (recv(fd, hdr, 8, MSG_WAITALL) != 8)
		{
			close(fd);
			continue;
		}
		if (ntohl(*(uint32_t *)(hdr + 4)) == 80877103) /* SSLRequest */
		{
			if (s->silent)
			{
				sleep(1);
				close(fd);
				continue;
			}
			if (s->answer)
				(void)send(fd, s->answer, s->len, MSG_NOSIGNAL);
		}
		else
			(void)send(fd, err, error_response(err), MSG_NOSIGNAL);
		if (!s->close_now)
			usleep(50000);
		close(fd);
	}
	return NULL;
}

static void
start(script *s)
{
	struct sockaddr_in a = {0};
	socklen_t al = sizeof(a);
	int one = 1;

	s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->listen_fd, 4), 0);
	getsockname(s->listen_fd, (struct sockaddr *)&a, &al);
	s->port = ntohs(a.sin_port);
	pthread_create(&s->thread, NULL, serve, s);
}

static pgtls_probe *
probe(script *s)
{
	pgtls_probe *p = pgtls_probe_new();
	char target[64];

	start(s);
	snprintf(target, sizeof(target), "127.0.0.1:%d", s->port);
	assert_int_equal(pgtls_probe_set_target(p, target), PGTLS_OK);
	assert_int_equal(pgtls_probe_set_option(p, PGTLS_PROBE_TIMEOUT_MS, "400"), PGTLS_OK);
	assert_int_equal(pgtls_probe_set_option(p, PGTLS_PROBE_HOME, "/nonexistent"), PGTLS_OK);
	assert_int_equal(cli_run_probe(p), PGTLS_OK);
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
	return p;
}

/* the SSLRequest connection of the probe */
static pgtls_conn *
tls_conn(pgtls_probe *p)
{
	for (int i = 0; i < pgtls_probe_nconns(p); i++)
		if (pgtls_conn_get_method(pgtls_probe_conn(p, i)) == PGTLS_METHOD_SSLREQUEST)
			return pgtls_probe_conn(p, i);
	return NULL;
}

static const pgtls_verdict *
row(pgtls_probe *p, pgtls_sslmode mode)
{
	for (int i = 0; i < pgtls_probe_nverdicts(p); i++)
		if (pgtls_verdict_sslmode(pgtls_probe_verdict(p, i)) == mode &&
		    !pgtls_verdict_direct(pgtls_probe_verdict(p, i)))
			return pgtls_probe_verdict(p, i);
	return NULL;
}

static void
expect_hostile(const char *answer, size_t len, const char *errtext)
{
	script s = {.answer = answer, .len = len, .listen_fd = -1};
	pgtls_probe *p = probe(&s);
	pgtls_conn *c = tls_conn(p);
	const pgtls_verdict *prefer = row(p, PGTLS_SSLMODE_PREFER);

	assert_int_equal(pgtls_conn_errcode(c), PGTLS_ERR_PROTOCOL);
	assert_string_equal(pgtls_conn_errmsg(c), errtext);
	/* no plaintext retry after a protocol violation */
	assert_int_equal(pgtls_verdict_result(prefer), PGTLS_RESULT_FAILS);
	assert_int_equal(pgtls_verdict_fell_back(prefer), 0);
	assert_int_equal(pgtls_verdict_failure(prefer, 0), PGTLS_FAIL_PROTOCOL);
	assert_string_equal(pgtls_verdict_error(prefer, 0), errtext);
	assert_int_equal(pgtls_probe_status(p), PGTLS_SEV_CRITICAL);
	assert_int_equal(pgtls_probe_finish(p), PGTLS_ERR_USAGE); /* twice: refused */
	pgtls_probe_free(p);
}

static void
test_bytes_after_answer(void **state)
{
	(void)state;
	expect_hostile("SXYZ", 4, "received unencrypted data after SSL response");
	expect_hostile("NXYZ", 4, "received unencrypted data after SSL response");
}

static void
test_error_response(void **state)
{
	(void)state;
	expect_hostile("E\0\0\0\x08xxxx", 9, "server sent an error response during SSL exchange");
}

static void
test_invalid_byte(void **state)
{
	(void)state;
	expect_hostile("X", 1, "received invalid response to SSL negotiation: X");
}

static void
test_closed(void **state)
{
	(void)state;
	expect_hostile(NULL, 0, "server closed the connection unexpectedly during SSL negotiation");
}

/* D1: 'S', then the peer closes: the handshake write must not raise SIGPIPE (it would kill this test) */
static void
test_close_after_s(void **state)
{
	script s = {.answer = "S", .len = 1, .listen_fd = -1, .close_now = true};
	pgtls_probe *p;
	const pgtls_verdict *v;

	(void)state;
	p = probe(&s);
	assert_true(pgtls_conn_errcode(tls_conn(p)) == PGTLS_ERR_TLS || pgtls_conn_errcode(tls_conn(p)) == PGTLS_ERR_IO);
	v = row(p, PGTLS_SSLMODE_REQUIRE);
	assert_int_not_equal(pgtls_verdict_result(v), PGTLS_RESULT_CONNECTS);
	pgtls_probe_free(p);
}

static void
test_silent(void **state)
{
	script s = {.silent = true, .listen_fd = -1};
	pgtls_probe *p;

	(void)state;
	p = probe(&s);
	assert_int_equal(pgtls_conn_errcode(tls_conn(p)), PGTLS_ERR_TIMEOUT);
	assert_int_equal(pgtls_verdict_result(row(p, PGTLS_SSLMODE_REQUIRE)), PGTLS_RESULT_UNKNOWN);
	assert_int_equal(pgtls_verdict_failure(row(p, PGTLS_SSLMODE_REQUIRE), 0), PGTLS_FAIL_NETWORK);
	assert_int_equal(pgtls_probe_status(p), PGTLS_SEV_UNKNOWN);
	pgtls_probe_free(p);
}

static void
test_refuses_tls(void **state)
{
	script s = {.answer = "N", .len = 1, .listen_fd = -1};
	pgtls_probe *p;
	const pgtls_verdict *v;

	(void)state;
	p = probe(&s);
	assert_int_equal(pgtls_conn_errcode(tls_conn(p)), PGTLS_OK);
	assert_string_equal(pgtls_conn_get(tls_conn(p), PGTLS_CF_SSL_RESPONSE), "N");
	/* require: libpq's text; prefer: plaintext, which this server rejects */
	v = row(p, PGTLS_SSLMODE_REQUIRE);
	assert_int_equal(pgtls_verdict_failure(v, 0), PGTLS_FAIL_NO_SSL_SUPPORT);
	assert_string_equal(pgtls_verdict_error(v, 0), "server does not support SSL, but SSL was required");
	v = row(p, PGTLS_SSLMODE_PREFER);
	assert_int_equal(pgtls_verdict_result(v), PGTLS_RESULT_FAILS);
	assert_int_equal(pgtls_verdict_failure(v, 0), PGTLS_FAIL_REJECTED_PLAIN);
	assert_string_equal(pgtls_verdict_error(v, 0), "FATAL:  no encryption");
	assert_int_equal(pgtls_probe_plaintext(p), PGTLS_STARTUP_REJECTED);
	assert_int_equal(pgtls_probe_status(p), PGTLS_SEV_CRITICAL);
	pgtls_probe_free(p);
}

/*
 * D5: a host whose first address does not answer: libpq goes on to the
 * next address after connect_timeout, and so must the probe.  The first
 * address is a listener on 127.0.0.2 whose accept queue is full (SYNs are
 * dropped: connect() times out); the second is a scripted server.
 */
static void
test_next_address_after_timeout(void **state)
{
	script s = {.answer = "N", .len = 1, .listen_fd = -1};
	struct sockaddr_in dead = {0}, live = {0};
	struct addrinfo ai_live = {0}, ai_dead = {0};
	socklen_t al = sizeof(dead);
	int full = socket(AF_INET, SOCK_STREAM, 0), held[4];
	pgtls_conn_params cp;
	pgtls_conn *c;

	(void)state;
	dead.sin_family = AF_INET;
	dead.sin_addr.s_addr = htonl(0x7f000002);
	assert_int_equal(bind(full, (struct sockaddr *)&dead, sizeof(dead)), 0);
	assert_int_equal(listen(full, 0), 0);
	getsockname(full, (struct sockaddr *)&dead, &al);
	for (int i = 0; i < 4; i++)
	{
		held[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		(void)connect(held[i], (struct sockaddr *)&dead, sizeof(dead));
	}
	usleep(200000);
	start(&s);
	live.sin_family = AF_INET;
	live.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	live.sin_port = htons((uint16_t)s.port);
	ai_dead = (struct addrinfo){.ai_family = AF_INET,
	                            .ai_socktype = SOCK_STREAM,
	                            .ai_addrlen = sizeof(dead),
	                            .ai_addr = (struct sockaddr *)&dead,
	                            .ai_next = &ai_live};
	ai_live = (struct addrinfo){.ai_family = AF_INET,
	                            .ai_socktype = SOCK_STREAM,
	                            .ai_addrlen = sizeof(live),
	                            .ai_addr = (struct sockaddr *)&live};
	memset(&cp, 0, sizeof(cp));
	cp.kind = PGTLS_CONN_SSLREQUEST;
	cp.addrs = &ai_dead;
	cp.user = cp.dbname = "postgres";
	cp.timeout_ms = 300;
	c = pgtls__conn_new(&cp);
	cli_run_conns(&c, 1);
	assert_int_equal(pgtls_conn_errcode(c), PGTLS_OK);
	assert_string_equal(pgtls_conn_get(c, PGTLS_CF_SSL_RESPONSE), "N");
	assert_string_equal(pgtls_conn_get(c, PGTLS_CF_ADDRESS), "127.0.0.1");
	assert_non_null(strstr(pgtls_conn_trace(c), "timeout"));
	pgtls__conn_free(c);
	/* the scripted server expects a second connection: give it one that closes at once */
	{
		int k = socket(AF_INET, SOCK_STREAM, 0);

		(void)connect(k, (struct sockaddr *)&live, sizeof(live));
		close(k);
	}
	pthread_join(s.thread, NULL);
	close(s.listen_fd);
	for (int i = 0; i < 4; i++)
		close(held[i]);
	close(full);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bytes_after_answer),
	    cmocka_unit_test(test_error_response),
	    cmocka_unit_test(test_invalid_byte),
	    cmocka_unit_test(test_closed),
	    cmocka_unit_test(test_silent),
	    cmocka_unit_test(test_refuses_tls),
	    cmocka_unit_test(test_close_after_s),
	    cmocka_unit_test(test_next_address_after_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
