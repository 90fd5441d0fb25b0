/*
 * test_hints.c - the explanation of each chain-failure shape: which
 * certificate is missing and from where (lib/probe/rootcert.c).
 *
 * The certificates come from tests/pki/gen-pki.sh, run into a temporary
 * directory.  Each case verifies a served chain against a root file the way
 * libpq does (no partial chains; CRL checking of the whole chain when a CRL
 * is loaded) and pins OpenSSL's reason and pgtls's hint; test_status runs
 * the whole probe against an in-process TLS server serving each chain and
 * pins the status (CRITICAL) and the finding that carries the hint.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <pthread.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "loop.h"
#include "probe/probe_int.h"

static char pki[256];

static STACK_OF(X509) * load_chain(const char *name)
{
	char path[512];
	STACK_OF(X509) *sk = sk_X509_new_null();
	FILE *f;
	X509 *x;

	snprintf(path, sizeof(path), "%s/%s", pki, name);
	f = fopen(path, "r");
	assert_non_null(f);
	while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
		sk_X509_push(sk, x);
	fclose(f);
	assert_true(sk_X509_num(sk) > 0);
	return sk;
}

typedef struct hint_case
{
	const char *chain;    /* what the server serves */
	const char *rootfile; /* the client's root file */
	const char *crl;      /* sslcrl, or NULL */
	int code;             /* X509_V_ERR_* */
	const char *hint[3];  /* substrings the hint must hold */
	const char *not_hint; /* a substring it must not hold */
} hint_case;

static void
run_case(const hint_case *hc)
{
	pgtls_probe *p = pgtls_probe_new();
	STACK_OF(X509) *chain = load_chain(hc->chain);
	char root[512], target[1200];

	assert_non_null(p);
	snprintf(root, sizeof(root), "%s/%s", pki, hc->rootfile);
	snprintf(target, sizeof(target), "host=localhost user=postgres%s%s%s", hc->crl ? " sslcrl=" : "",
	         hc->crl ? pki : "", hc->crl ? "/" : "");
	if (hc->crl)
		strncat(target, hc->crl, sizeof(target) - strlen(target) - 1);
	assert_int_equal(pgtls_probe_set_target(p, target), PGTLS_OK);
	assert_int_equal(pgtls_probe_set_option(p, PGTLS_PROBE_ROOTCERT, root), PGTLS_OK);
	pgtls__probe_eval_rootcert(p, chain);
	assert_true(p->rc.loaded);
	assert_false(p->rc.verified);
	if (p->rc.verify_code != hc->code)
		fail_msg("%s against %s: code %d (%s), want %d", hc->chain, hc->rootfile, p->rc.verify_code,
		         p->rc.verify_reason, hc->code);
	for (int i = 0; i < 3 && hc->hint[i]; i++)
		if (strstr(p->rc.verify_hint, hc->hint[i]) == NULL)
			fail_msg("%s against %s: hint \"%s\" lacks \"%s\"", hc->chain, hc->rootfile, p->rc.verify_hint,
			         hc->hint[i]);
	if (hc->not_hint && strstr(p->rc.verify_hint, hc->not_hint))
		fail_msg("%s against %s: hint \"%s\" holds \"%s\"", hc->chain, hc->rootfile, p->rc.verify_hint, hc->not_hint);
	sk_X509_pop_free(chain, X509_free);
	pgtls_probe_free(p);
}

/* The root file holds the intermediate only: the root above it is missing, not the leaf's issuer. */
static void
test_intermediate_only(void **state)
{
	static const hint_case full = {"server-new.chain.crt",
	                               "rootcert-inter.pem",
	                               NULL,
	                               X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
	                               {"holds the intermediate CA \"O=pgtls tests,CN=pgtls Test New Intermediate CA\"",
	                                "not the root CA \"O=pgtls tests,CN=pgtls Test New Root CA\"", "no partial chains"},
	                               "server must send"};
	static const hint_case leaf_only = {"server-new.crt",
	                                    "rootcert-inter.pem",
	                                    NULL,
	                                    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
	                                    {"holds the intermediate CA", "pgtls Test New Root CA", NULL},
	                                    "server must send"};

	(void)state;
	run_case(&full);
	run_case(&leaf_only);
}

/* The server certificate itself as the only "root". */
static void
test_leaf_as_root(void **state)
{
	static const hint_case c = {"server-new.chain.crt",
	                            "rootcert-leaf.pem",
	                            NULL,
	                            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
	                            {"holds the server certificate", "itself", "pgtls Test New Root CA"},
	                            "lacks the CA that signed"};
	static const hint_case alone = {"server-new.crt",
	                                "rootcert-leaf.pem",
	                                NULL,
	                                X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
	                                {"holds the server certificate", "pgtls Test New Intermediate CA", NULL},
	                                "server sent only"};

	(void)state;
	run_case(&c);
	run_case(&alone);
}

/* An issuer with CA:FALSE. */
static void
test_issuer_not_ca(void **state)
{
	static const hint_case c = {"server-notca.chain.crt",
	                            "rootcert-new.pem",
	                            NULL,
	                            X509_V_ERR_INVALID_CA,
	                            {"\"O=pgtls tests,CN=pgtls Test Not A CA\"", "not a CA certificate", NULL},
	                            NULL};

	(void)state;
	run_case(&c);
}

/* A CRL of another CA only: CRL checking is on and finds no CRL for this chain. */
static void
test_crl_wrong_ca(void **state)
{
	static const hint_case c = {"server-new.chain.crt",
	                            "rootcert-new.pem",
	                            "crl-wrong.pem",
	                            X509_V_ERR_UNABLE_TO_GET_CRL,
	                            {"crl-wrong.pem was loaded", "no CRL issued by", "pgtls Test New Intermediate CA"},
	                            NULL};
	static const hint_case revoked = {"server-new.chain.crt",
	                                  "rootcert-new.pem",
	                                  "crl-revoked.pem",
	                                  X509_V_ERR_CERT_REVOKED,
	                                  {"is revoked", "pgtls Test New Intermediate CA", NULL},
	                                  NULL};

	(void)state;
	run_case(&c);
	run_case(&revoked);
}

/* The shapes that were right before stay right: missing intermediate, unknown CA. */
static void
test_known_shapes(void **state)
{
	static const hint_case nochain = {
	    "server-new.crt",
	    "rootcert-new.pem",
	    NULL,
	    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
	    {"server sent only its own certificate", "pgtls Test New Intermediate CA", "append it to ssl_cert_file"},
	    NULL};
	static const hint_case wrong = {
	    "server-new.chain.crt",
	    "rootcert-wrong.pem",
	    NULL,
	    X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
	    {"ends at \"O=pgtls tests,CN=pgtls Test New Intermediate CA\"", "lacks that root CA", "pgtls Test New Root CA"},
	    NULL};

	(void)state;
	run_case(&nochain);
	run_case(&wrong);
}

/* ---- the status of a whole probe, against an in-process TLS server ---- */

typedef struct tls_server
{
	SSL_CTX *ctx;
	int listen_fd;
	int port;
	pthread_t thread;
} tls_server;

static bool
read_n(int fd, unsigned char *buf, size_t n)
{
	size_t got = 0;

	while (got < n)
	{
		ssize_t r = read(fd, buf + got, n - got);

		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

/* AuthenticationOk + ReadyForQuery: a trust server that accepts anyone, with or without TLS */
static const unsigned char accept_msgs[] = {'R', 0, 0, 0, 8, 0, 0, 0, 0, 'Z', 0, 0, 0, 5, 'I'};

static void
serve_one(tls_server *s, int fd)
{
	unsigned char hdr[8], body[1024];
	uint32_t len;

	if (!read_n(fd, hdr, 8))
		return;
	len = ntohl(*(uint32_t *)hdr);
	if (len == 8 && hdr[4] == 0x04 && hdr[5] == 0xd2 && hdr[6] == 0x16 && hdr[7] == 0x2f)
	{
		SSL *ssl = SSL_new(s->ctx);

		if (write(fd, "S", 1) != 1 || ssl == NULL || SSL_set_fd(ssl, fd) != 1 || SSL_accept(ssl) != 1)
		{
			SSL_free(ssl);
			return;
		}
		if (SSL_read(ssl, hdr, 4) == 4)
		{
			len = ntohl(*(uint32_t *)hdr);
			if (len >= 4 && len - 4 <= sizeof(body) && SSL_read(ssl, body, (int)(len - 4)) > 0)
				(void)SSL_write(ssl, accept_msgs, sizeof(accept_msgs));
		}
		SSL_shutdown(ssl);
		SSL_free(ssl);
		return;
	}
	if (len >= 8 && len - 8 <= sizeof(body) && read_n(fd, body, len - 8))
		(void)!write(fd, accept_msgs, sizeof(accept_msgs));
}

static void *
serve(void *arg)
{
	tls_server *s = arg;

	for (int k = 0; k < 2; k++) /* the probe's SSLRequest and plaintext connections */
	{
		int fd = accept(s->listen_fd, NULL, NULL);

		if (fd < 0)
			break;
		serve_one(s, fd);
		close(fd);
	}
	return NULL;
}

static void
server_start(tls_server *s, const char *chain)
{
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	char path[512], key[512];

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "%s/server-%s.chain.crt", pki, chain);
	snprintf(key, sizeof(key), "%s/server-%s.key", pki, chain);
	s->ctx = SSL_CTX_new(TLS_server_method());
	assert_non_null(s->ctx);
	assert_int_equal(SSL_CTX_use_certificate_chain_file(s->ctx, path), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey_file(s->ctx, key, SSL_FILETYPE_PEM), 1);
	s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s->listen_fd, 4), 0);
	assert_int_equal(getsockname(s->listen_fd, (struct sockaddr *)&sa, &salen), 0);
	s->port = ntohs(sa.sin_port);
	assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void
server_stop(tls_server *s)
{
	shutdown(s->listen_fd, SHUT_RDWR);
	close(s->listen_fd);
	pthread_join(s->thread, NULL);
	SSL_CTX_free(s->ctx);
}

/* The whole probe: CRITICAL, a chain_invalid finding that carries the hint, verify-ca fails. */
static void
probe_status(const char *chain, const char *rootfile, const char *crl, const char *hint)
{
	tls_server s;
	pgtls_probe *p = pgtls_probe_new();
	char target[1200], root[512];
	bool found = false;

	server_start(&s, chain);
	snprintf(target, sizeof(target), "host=localhost hostaddr=127.0.0.1 port=%d user=postgres%s%s%s%s", s.port,
	         crl ? " sslcrl=" : "", crl ? pki : "", crl ? "/" : "", crl ? crl : "");
	snprintf(root, sizeof(root), "%s/%s", pki, rootfile);
	assert_int_equal(pgtls_probe_set_target(p, target), PGTLS_OK);
	assert_int_equal(pgtls_probe_set_option(p, PGTLS_PROBE_ROOTCERT, root), PGTLS_OK);
	assert_int_equal(pgtls_probe_set_option(p, PGTLS_PROBE_TIMEOUT_MS, "5000"), PGTLS_OK);
	assert_int_equal(cli_run_probe(p), PGTLS_OK);
	server_stop(&s);
	if (pgtls_probe_status(p) != PGTLS_SEV_CRITICAL)
		fail_msg("%s against %s: status %d, want CRITICAL", chain, rootfile, pgtls_probe_status(p));
	for (int i = 0; i < pgtls_probe_nfindings(p); i++)
		if (strcmp(pgtls_probe_finding_code(p, i), "chain_invalid") == 0 &&
		    strstr(pgtls_probe_finding_message(p, i), hint))
			found = true;
	if (!found)
		fail_msg("%s against %s: no chain_invalid finding with \"%s\"", chain, rootfile, hint);
	for (int i = 0; i < pgtls_probe_nverdicts(p); i++)
	{
		const pgtls_verdict *v = pgtls_probe_verdict(p, i);

		if (pgtls_verdict_sslmode(v) >= PGTLS_SSLMODE_REQUIRE)
			assert_int_equal(pgtls_verdict_result(v), PGTLS_RESULT_FAILS); /* the root file upgrades require */
	}
	pgtls_probe_free(p);
}

static void
test_status(void **state)
{
	(void)state;
	probe_status("new", "rootcert-inter.pem", NULL, "holds the intermediate CA");
	probe_status("new-nochain", "rootcert-inter.pem", NULL, "holds the intermediate CA");
	probe_status("new", "rootcert-leaf.pem", NULL, "holds the server certificate");
	probe_status("notca", "rootcert-new.pem", NULL, "not a CA certificate");
	probe_status("new", "rootcert-new.pem", "crl-wrong.pem", "no CRL issued by");
	probe_status("new", "rootcert-new.pem", "crl-revoked.pem", "is revoked");
}

static int
setup(void **state)
{
	char cmd[700];
	char tmpl[] = "/tmp/pgtls-hints-XXXXXX";

	(void)state;
	if (mkdtemp(tmpl) == NULL)
		return -1;
	snprintf(pki, sizeof(pki), "%s", tmpl);
	snprintf(cmd, sizeof(cmd), "bash '%s/tests/pki/gen-pki.sh' '%s' >/dev/null", SRCDIR, pki);
	return system(cmd) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[400];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pki);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_intermediate_only), cmocka_unit_test(test_leaf_as_root),
	    cmocka_unit_test(test_issuer_not_ca),     cmocka_unit_test(test_crl_wrong_ca),
	    cmocka_unit_test(test_known_shapes),      cmocka_unit_test(test_status),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
