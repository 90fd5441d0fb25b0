/*
 * fuzz_buildfiles.c - libFuzzer harness for the driver version readers of
 * build and lock files: pgjdbc (lib/clients/java.c: pom.xml, or the Gradle /
 * lock / catalog line reader with and without a gradle.properties made of
 * the same bytes) and asyncpg (lib/clients/python.c: TOML locks,
 * Pipfile.lock, requirements.txt).  The first byte picks the reader, the
 * rest is the file's bytes.
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
	int ver[3];
	char *buf;
	size_t n;

	if (size < 1 || size > 1024 * 1024)
		return 0;
	n = size - 1;
	buf = malloc(size); /* NUL-terminated, as the file reader gives it */
	if (buf == NULL)
		return 0;
	memcpy(buf, data + 1, n);
	buf[n] = '\0';
	switch (data[0] % 6)
	{
		case 0:
			(void)pgtls__java_build_parse(PGTLS_JAVA_POM, buf, n, NULL, ver);
			break;
		case 1:
			(void)pgtls__java_build_parse(PGTLS_JAVA_GRADLE, buf, n, NULL, ver);
			break;
		case 2:
			(void)pgtls__java_build_parse(PGTLS_JAVA_GRADLE, buf, n, buf, ver);
			break;
		default:
			(void)pgtls__python_lock_parse(data[0] % 6 - 3, buf, n, "asyncpg", ver);
			break;
	}
	free(buf);
	return 0;
}
