/*
 * fuzz_javabuild.c - libFuzzer harness for the pgjdbc version readers
 * (lib/clients/java.c): the first byte picks the format (pom.xml, or the
 * Gradle/lock/catalog line reader, with or without a gradle.properties made
 * of the same bytes), the rest is the file's bytes.
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

	if (size < 1 || size > 1024 * 1024)
		return 0;
	buf = malloc(size); /* NUL-terminated, as the file reader gives it */
	if (buf == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	switch (data[0] % 3)
	{
		case 0:
			(void)pgtls__java_build_parse(PGTLS_JAVA_POM, buf, size - 1, NULL, ver);
			break;
		case 1:
			(void)pgtls__java_build_parse(PGTLS_JAVA_GRADLE, buf, size - 1, NULL, ver);
			break;
		default:
			(void)pgtls__java_build_parse(PGTLS_JAVA_GRADLE, buf, size - 1, buf, ver);
			break;
	}
	free(buf);
	return 0;
}
