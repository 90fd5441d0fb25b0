/*
 * fuzz_manifest.c - libFuzzer harness for the application manifest reader
 * (lib/clients/manifest.c, over lib/clients/ytree.c): the bytes are the
 * manifest; an accepted one is applied to an empty application, and the
 * JSON report is made.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clients/clients_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pgtls_clients *c;
	char *buf, *js;

	if (size > 65536)
		return 0;
	c = pgtls_clients_new();
	buf = malloc(size + 1);
	if (c == NULL || buf == NULL)
	{
		pgtls_clients_free(c);
		free(buf);
		return 0;
	}
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (pgtls__apps_parse(c, "/fuzz/apps.yaml", buf, size) == PGTLS_OK)
		for (int i = 0; i < pgtls_clients_napps(c); i++)
			(void)pgtls_clients_app_name(c, i);
	js = pgtls_clients_json(c, 0);
	pgtls_free(js);
	pgtls_clients_free(c);
	free(buf);
	return 0;
}
