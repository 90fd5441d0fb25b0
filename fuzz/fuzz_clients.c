/*
 * fuzz_clients.c - libFuzzer harness for the client-settings readers
 * (lib/clients/scan.c, read_strings.c, read_python.c): the first byte picks
 * the file name (and so the readers: Python, .env, service file, JDBC
 * properties, JavaScript, Go, C#, shell, YAML, systemd, Dockerfile, Prisma, Java,
 * Ruby, Spring YAML), the
 * rest is the file's bytes.
 * The file is read as under a scanned PATH with a TARGET's name, so the
 * application facts (app.c), the sweep and the trust-file reader run too.
 * The JSON report is made too, so masking and sanitising run on the result.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/clients_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"/app/settings.py",
	                                    "/app/.env",
	                                    "/app/pg_service.conf",
	                                    "/app/application.properties",
	                                    "/app/db.js",
	                                    "/app/main.go",
	                                    "/app/Program.cs",
	                                    "/app/start.sh",
	                                    "/app/config/database.yml",
	                                    "/app/docker-compose.yml",
	                                    "/app/etl.service",
	                                    "/app/Dockerfile",
	                                    "/app/k8s/deploy.yaml",
	                                    "/app/README.md",
	                                    "/app/app.env",
	                                    "/app/x",
	                                    "/app/servers.json",
	                                    "/app/grafana.ini",
	                                    "/app/config/database.php",
	                                    "/app/data-source.ts",
	                                    "/app/prisma/schema.prisma",
	                                    "/app/src/Db.java",
	                                    "/app/config/initializers/db.rb",
	                                    "/app/src/main/resources/application.yml"};
	pgtls_clients *c;
	char *js, *buf;

	if (size < 1 || size > 65536)
		return 0;
	c = pgtls_clients_new();
	buf = malloc(size); /* NUL-terminated, as the file reader gives it */
	if (c == NULL || buf == NULL)
	{
		pgtls_clients_free(c);
		free(buf);
		return 0;
	}
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	/* as under a scanned PATH, with a TARGET's name: the application facts, the sweep and the trust files run */
	snprintf(c->scan_root, sizeof(c->scan_root), "/app");
	if (pgtls_clients_add_target_name(c, "db.internal:5432") != PGTLS_OK)
		abort();
	if (!pgtls__trust_file(c, names[data[0] % (sizeof(names) / sizeof(names[0]))], buf, size - 1))
		pgtls__clients_scan_buffer(c, names[data[0] % (sizeof(names) / sizeof(names[0]))], buf, size - 1);
	pgtls__apps_settle(c, 0);
	js = pgtls_clients_json(c, 0);
	pgtls_free(js);
	pgtls_clients_free(c);
	free(buf);
	return 0;
}
