/*
 * fuzz_service.c - libFuzzer harness for the service-file reader
 * (lib/probe/settings.c): the input is written to a file named by
 * PGSERVICEFILE, and "service=svc" is resolved against it, as libpq's
 * parseServiceFile() would read it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pgtls/pgtls.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void
remove_file(void)
{
	unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pgtls_probe *p;
	FILE *f;

	if (path[0] == '\0')
	{
		snprintf(path, sizeof(path), "/tmp/pgtls-fuzz-service-%ld", (long)getpid());
		setenv("PGSERVICEFILE", path, 1);
		setenv("PGSYSCONFDIR", "/nonexistent", 1);
		atexit(remove_file);
	}
	f = fopen(path, "wb");
	if (f == NULL)
		return 0;
	if (size && fwrite(data, 1, size, f) != size)
	{
		fclose(f);
		return 0;
	}
	fclose(f);
	p = pgtls_probe_new();
	if (p)
	{
		(void)pgtls_probe_set_target(p, "service=svc");
		pgtls_probe_free(p);
	}
	return 0;
}
