/*
 * fuzz_impostor.c - libFuzzer harness for the decoy server's side of the
 * protocol (lib/impostor/session.c): the input is what a client sends,
 * written into a socketpair; the first byte picks the mode (no-tls, or
 * forged with a TLS context made once, so the rest may reach SSL_accept).
 * With -DREPORT: the input is a report read back (pgtls_impostor_load()).
 * With -DRELAY: the relay's record watcher (lib/impostor/relay.c): the
 * input is chunks, each a byte (bit 7: from the client; bits 0-6: length)
 * and that many bytes, fed as the relay sees them from both sides.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

#include "impostor/impostor_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef REPORT
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pgtls_impostor *imp = pgtls_impostor_new();
	char *json;

	if (imp == NULL)
		return 0;
	if (pgtls__impostor_load_mem(imp, (const char *)data, size, "fuzz") == PGTLS_OK)
	{
		for (int i = 0; i < pgtls_impostor_nsessions(imp); i++)
			(void)pgtls_impostor_session_get(imp, i, PGTLS_DS_EXPLAIN);
		json = pgtls_impostor_json(imp, 0);
		free(json);
	}
	pgtls_impostor_free(imp);
	return 0;
}
#elif defined(RELAY)
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	decoy_conn *c = calloc(1, sizeof(*c));
	size_t at = 0;

	if (c == NULL || size > 65536)
	{
		free(c);
		return 0;
	}
	c->up_fd = c->fd = -1;
	c->rec.relayed = true;
	c->wc.cap = malloc(RELAY_CAPTURE);
	c->ws.cap = malloc(RELAY_CAPTURE);
	if (c->wc.cap && c->ws.cap)
		while (at < size)
		{
			bool from_client = data[at] & 0x80;
			size_t n = data[at] & 0x7f;

			at++;
			if (n > size - at)
				n = size - at;
			pgtls__relay_watch(c, from_client, data + at, n);
			at += n;
		}
	pgtls__relay_conclude(c);
	pgtls__decoy_conn_free(c);
	return 0;
}
#else
static SSL_CTX *ctx;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static decoy_conn c;
	pgtls_decoy_mode mode;
	int sv[2];

	if (size < 1 || size > 65536)
		return 0;
	if (ctx == NULL)
	{
		static decoy_forge f = {.mode = PGTLS_DECOY_FORGED};
		pgtls_errslot err = {0};

		f.names[f.nnames++] = strdup("localhost");
		ctx = pgtls__decoy_forge(&f, &err);
		if (ctx == NULL)
			abort();
	}
	mode = data[0] & 1 ? PGTLS_DECOY_NO_TLS : PGTLS_DECOY_FORGED;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return 0;
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	if (write(sv[1], data + 1, size - 1) < 0)
		(void)0;
	shutdown(sv[1], SHUT_WR);
	pgtls__decoy_conn_init(&c, sv[0], 1, "fuzz:1", "fuzz", pgtls_now_ms(), 1000);
	for (int i = 0; i < 64 && !pgtls__decoy_conn_step(&c, ctx, mode, NULL); i++)
		;
	if (c.st != DS_DONE)
		pgtls__decoy_conn_abort(&c, "fuzz");
	close(sv[1]);
	return 0;
}
#endif
