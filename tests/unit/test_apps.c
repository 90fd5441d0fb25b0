/*
 * test_apps.c - each client judged where its application runs (app.c,
 * services.c, trustfiles.c, manifest.c): small project trees scanned
 * through the public API, read back as JSON.  The real drivers run the
 * same shapes in tests/integration/test_rehearsal.py; each case names the
 * runtime fact it rests on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <pgtls/pgtls.h>

static char root[64];

static void
put(const char *rel, const char *text)
{
	char path[512], dir[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++)
	{
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* a self-signed CA certificate (P-256), made now, at REL */
static void
put_ca(const char *rel)
{
	char path[512];
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *n = X509_get_subject_name(x);
	FILE *f;

	assert_non_null(key);
	put(rel, "");
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"test_apps CA", -1, -1, 0);
	X509_set_issuer_name(x, n);
	X509_set_pubkey(x, key);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	PEM_write_X509(f, x);
	fclose(f);
	X509_free(x);
	EVP_PKEY_free(key);
}

/* scans APP (a directory under the test root) with TARGET names and the manifest MANIFEST (NULL: none) */
static json_t *
scan(const char *app, const char *target, const char *manifest)
{
	pgtls_clients *cl = pgtls_clients_new();
	char path[512], home[512];
	char *js;
	json_t *rep;

	snprintf(path, sizeof(path), "%s/%s", root, app);
	snprintf(home, sizeof(home), "%s/home", root); /* no ~/.postgresql, no ~/.pg_service.conf */
	assert_int_equal(pgtls_clients_set_home(cl, home), PGTLS_OK);
	if (target)
		assert_int_equal(pgtls_clients_add_target_name(cl, target), PGTLS_OK);
	if (manifest)
	{
		assert_int_equal(pgtls_clients_load_apps(cl, manifest), PGTLS_OK);
		for (int i = 0; i < pgtls_clients_napps(cl); i++)
			assert_int_equal(pgtls_clients_scan_app(cl, i), PGTLS_OK);
	}
	else
		assert_int_equal(pgtls_clients_scan_path(cl, path), PGTLS_OK);
	js = pgtls_clients_json(cl, 0);
	rep = json_loads(js, 0, NULL);
	pgtls_free(js);
	pgtls_clients_free(cl);
	assert_non_null(rep);
	return rep;
}

/* the client of REP at FILE (relative to the test root) */
static json_t *
client(json_t *rep, const char *file)
{
	char path[512];
	size_t i;
	json_t *c;

	snprintf(path, sizeof(path), "%s/%s", root, file);
	json_array_foreach (json_object_get(rep, "clients"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "file")), path) == 0)
			return c;
	fail_msg("no client at %s", file);
	return NULL;
}

static const char *
field(json_t *c, const char *k)
{
	return json_string_value(json_object_get(c, k));
}

static int
setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/pgtls-apps-XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * Node lib/_tls_wrap.js: rejectUnauthorized defaults to
 * process.env.NODE_TLS_REJECT_UNAUTHORIZED !== '0'; a Dockerfile's ENV is the
 * process's environment.  An explicit rejectUnauthorized: true survives it.
 */
static void
test_node_reject_env(void **state)
{
	json_t *rep;

	(void)state;
	put("api/package.json", "{\"dependencies\": {\"pg\": \"8.11.3\"}}\n");
	put("api/Dockerfile", "FROM node:20\nENV NODE_TLS_REJECT_UNAUTHORIZED=0\nCMD [\"node\", \"index.js\"]\n");
	put("api/index.js", "const { Pool } = require('pg')\nconst pool = new Pool({ host: 'db1.internal', ssl: true })\n");
	put("api/strict.js", "const { Pool } = require('pg')\n"
	                     "const p = new Pool({ host: 'db1.internal', ssl: { rejectUnauthorized: true } })\n");
	rep = scan("api", NULL, NULL);
	assert_string_equal(field(client(rep, "api/index.js"), "outcome"), "encrypted_unverified");
	assert_non_null(strstr(field(client(rep, "api/index.js"), "note"), "NODE_TLS_REJECT_UNAUTHORIZED=0"));
	assert_string_equal(field(client(rep, "api/strict.js"), "outcome"), "verifies_full");
	json_decref(rep);
}

/* module.exports objects, knexfiles per environment, path.join(__dirname, ...) (node-postgres, knex docs) */
static void
test_config_modules(void **state)
{
	json_t *rep, *c;
	char want[512];
	size_t i, pools = 0;

	(void)state;
	put("cfg/package.json", "{\"dependencies\": {\"pg\": \"8.11.3\"}}\n");
	put("cfg/config/database.js", "const fs = require('fs')\nconst path = require('path')\nmodule.exports = {\n"
	                              "  host: 'db2.internal',\n  database: 'app',\n"
	                              "  ssl: { ca: fs.readFileSync(path.join(__dirname, 'certs', 'ca.pem')) },\n}\n");
	put_ca("cfg/config/certs/ca.pem");
	put("cfg/knexfile.mjs", "export default {\n  production: {\n    client: 'pg',\n    connection: { host: "
	                        "'db3.internal', database: 'app', ssl: { rejectUnauthorized: false } },\n  },\n}\n");
	put("cfg/pool.js", "const { Pool } = require('pg')\nmodule.exports = new Pool({ host: 'db4.internal', "
	                   "database: 'app' })\n");
	rep = scan("cfg", NULL, NULL);
	c = client(rep, "cfg/config/database.js");
	snprintf(want, sizeof(want), "%s/cfg/config/certs/ca.pem", root);
	assert_string_equal(field(json_object_get(c, "rootcert"), "path"), want);
	assert_string_equal(field(c, "outcome"), "verifies_full");
	assert_string_equal(field(client(rep, "cfg/knexfile.mjs"), "outcome"), "encrypted_unverified");
	assert_string_equal(field(client(rep, "cfg/knexfile.mjs"), "host"), "db3.internal");
	json_array_foreach (json_object_get(rep, "clients"), i, c)
		pools += strstr(field(c, "file"), "pool.js") != NULL;
	assert_int_equal(pools, 1); /* module.exports = new Pool({...}): the call, once */
	/* the CA file is listed, with the client that reads it */
	assert_int_equal(json_array_size(json_object_get(rep, "trust_files")), 1);
	assert_int_equal(
	    json_array_size(json_object_get(json_array_get(json_object_get(rep, "trust_files"), 0), "used_by")), 1);
	json_decref(rep);
}

/* a text file holding PEM blocks and settings (a Kubernetes manifest): listed as a trust file and read for settings */
static void
test_pem_in_text(void **state)
{
	json_t *rep;
	char pem[4096], text[8192], path[512];
	FILE *f;
	size_t n;

	(void)state;
	put_ca("k8s/ca.pem");
	snprintf(path, sizeof(path), "%s/k8s/ca.pem", root);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(pem, 1, sizeof(pem) - 1, f);
	pem[n] = '\0';
	fclose(f);
	unlink(path);
	snprintf(text, sizeof(text),
	         "# the CA, then the settings\n%sDATABASE_URL=postgresql://db21.internal/app?sslmode=require\n", pem);
	put("k8s/bundle.env", text);
	rep = scan("k8s", NULL, NULL);
	assert_int_equal(json_array_size(json_object_get(rep, "trust_files")), 1);
	assert_string_equal(field(client(rep, "k8s/bundle.env"), "host"), "db21.internal");
	json_decref(rep);
}

/* libpq opens a relative sslrootcert from the working directory: the application's, not the scanner's */
static void
test_relative_and_container_paths(void **state)
{
	json_t *rep, *c;
	char want[512];

	(void)state;
	put("etl/requirements.txt", "psycopg2==2.9.9\n");
	put("etl/.env", "PGHOST=db5.internal\nPGSSLMODE=verify-full\nPGSSLROOTCERT=certs/ca.pem\n");
	put_ca("etl/certs/ca.pem");
	put("etl/deploy/docker-compose.yml",
	    "services:\n  job:\n    image: etl\n    environment:\n      PGHOST: db6.internal\n"
	    "      PGSSLMODE: verify-full\n      PGSSLROOTCERT: /certs/ca.pem\n"
	    "    volumes:\n      - ../certs:/certs:ro\n");
	put("etl/deploy/unmapped/docker-compose.yml",
	    "services:\n  job:\n    image: etl\n    environment:\n      PGHOST: db7.internal\n"
	    "      PGSSLMODE: verify-full\n      PGSSLROOTCERT: /run/secrets/ca.pem\n");
	rep = scan("etl", NULL, NULL);
	snprintf(want, sizeof(want), "%s/etl/certs/ca.pem", root);
	c = client(rep, "etl/.env");
	assert_string_equal(field(json_object_get(c, "rootcert"), "path"), want);
	assert_string_equal(field(c, "outcome"), "verifies_full");
	c = client(rep, "etl/deploy/docker-compose.yml");
	snprintf(want, sizeof(want), "%s/etl/deploy/../certs/ca.pem", root);
	assert_string_equal(field(json_object_get(c, "rootcert"), "path"), want);
	assert_true(json_is_true(json_object_get(c, "rootcert_exists")));
	c = client(rep, "etl/deploy/unmapped/docker-compose.yml");
	assert_string_equal(field(c, "failure"), "root_missing"); /* rotation: unknown, never already_broken */
	json_decref(rep);
}

/* JDK TrustStoreManager: javax.net.ssl.trustStore from the options the JVM starts with, in any start file */
static void
test_jvm_options(void **state)
{
	json_t *rep, *c;
	char want[512];

	(void)state;
	put("billing/pom.xml", "<project><dependencies><dependency><groupId>org.postgresql</groupId><artifactId>"
	                       "postgresql</artifactId><version>42.7.3</version></dependency></dependencies></project>\n");
	put("billing/src/main/resources/application.properties",
	    "spring.datasource.url=jdbc:postgresql://db8.internal/app?sslmode=verify-full"
	    "&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory\n");
	put("billing/bin/start.sh", "#!/bin/sh\nJAVA_OPTS=\"$JAVA_OPTS -Djavax.net.ssl.trustStore=conf/trust.pem\"\n"
	                            "exec java $JAVA_OPTS -jar billing.jar\n");
	put_ca("billing/conf/trust.pem");
	rep = scan("billing", NULL, NULL);
	c = client(rep, "billing/src/main/resources/application.properties");
	snprintf(want, sizeof(want), "%s/billing/conf/trust.pem", root);
	assert_string_equal(field(json_object_get(c, "rootcert"), "path"), want);
	json_decref(rep);
	/* two stores named in one application: which one its JVM uses is not known here */
	put("billing/deploy/app.service",
	    "[Service]\nEnvironment=JAVA_TOOL_OPTIONS=-Djavax.net.ssl.trustStore=/etc/x.jks\n");
	rep = scan("billing", NULL, NULL);
	c = client(rep, "billing/src/main/resources/application.properties");
	assert_string_equal(field(c, "outcome"), "unknown");
	assert_non_null(strstr(field(c, "reason"), "more than one JVM trust store"));
	json_decref(rep);
}

/* libpq parseServiceInfo(): PGSERVICEFILE, then the system file; none defines it: "definition of service" */
static void
test_services(void **state)
{
	json_t *rep;

	(void)state;
	put("jobs/conf/pg_service.conf", "[billing]\nhost=db9.internal\nsslmode=verify-full\nsslrootcert=system\n");
	put("jobs/nightly.sh", "#!/bin/sh\nexport PGSERVICEFILE=\"$(dirname \"$0\")/conf/pg_service.conf\"\n"
	                       "psql service=billing -c 'select 1'\n");
	put("jobs/other.sh", "#!/bin/sh\nexport PGSERVICEFILE=\"$(dirname \"$0\")/conf/pg_service.conf\"\n"
	                     "psql service=reports -c 'select 1'\n");
	put("jobs/later.sh", "#!/bin/sh\nexport PGSERVICEFILE=\"$CONF_DIR/pg_service.conf\"\npsql service=billing\n");
	rep = scan("jobs", NULL, NULL);
	assert_string_equal(field(client(rep, "jobs/nightly.sh"), "host"), "db9.internal");
	assert_string_equal(field(client(rep, "jobs/nightly.sh"), "outcome"), "verifies_full");
	assert_string_equal(field(client(rep, "jobs/other.sh"), "outcome"), "fails");
	assert_non_null(strstr(field(client(rep, "jobs/other.sh"), "note"), "definition of service \"reports\" not found"));
	assert_string_equal(field(client(rep, "jobs/later.sh"), "outcome"), "unknown"); /* never a Unix socket */
	json_decref(rep);
}

/* nothing silent: a file naming a TARGET without a client understood; a name inside a longer one is not it */
static void
test_sweep(void **state)
{
	json_t *rep, *un;

	(void)state;
	put("ops/app.ini", "[database]\nendpoint = db10.internal:5432\n");
	put("ops/notes.txt", "mydb10.internal is another host\n");
	put("ops/aws.cfg", "writer = prod.cluster-abc.eu-west-1.rds.amazonaws.com\n");
	rep = scan("ops", "db10.internal:5432", NULL);
	un = json_object_get(rep, "not_understood");
	assert_int_equal(json_array_size(un), 2);
	json_decref(rep);
}

/* --apps: the working directory and environment the files cannot tell; acknowledged lines */
static void
test_manifest(void **state)
{
	json_t *rep, *c;
	pgtls_clients *cl;
	char path[512];

	(void)state;
	put("mf/bin/load.sh", "#!/bin/sh\npsql \"host=db11.internal dbname=app\" -c 'select 1'\n");
	put_ca("mf/run/certs/ca.pem");
	put("mf/legacy.ini", "endpoint = db11.internal\n");
	put("mf2/job.sh", "#!/bin/sh\npsql \"host=db12.internal dbname=app\" -c 'select 1'\n");
	put("apps.yaml", "applications:\n  - name: loader\n    paths: [mf]\n    workdir: mf/run\n"
	                 "    environment:\n      PGSSLMODE: verify-full\n      PGSSLROOTCERT: certs/ca.pem\n"
	                 "  - name: container\n    paths: [mf2]\n    volumes: [\"mf/run/certs:/certs\"]\n"
	                 "    environment:\n      PGSSLMODE: verify-ca\n      PGSSLROOTCERT: /certs/ca.pem\n"
	                 "acknowledge:\n  - file: mf/legacy.ini\n    reason: retired\n");
	snprintf(path, sizeof(path), "%s/apps.yaml", root);
	rep = scan("mf", "db11.internal", path);
	c = client(rep, "mf/bin/load.sh");
	assert_string_equal(field(c, "outcome"), "verifies_full");
	/* the manifest's volume (relative to the manifest) maps the container path */
	c = client(rep, "mf2/job.sh");
	assert_string_equal(field(c, "outcome"), "verifies_ca");
	assert_true(json_is_true(json_object_get(c, "rootcert_exists")));
	assert_string_equal(field(json_array_get(json_object_get(rep, "not_understood"), 0), "acknowledged"), "retired");
	json_decref(rep);
	put("apps.yaml", "applications:\n  - name: loader\n    paths: [mf]\n    user: no-such-user-pgtls\n");
	cl = pgtls_clients_new();
	assert_int_equal(pgtls_clients_load_apps(cl, path), PGTLS_ERR_PARSE);
	assert_non_null(strstr(pgtls_clients_errmsg(cl), "not a user here"));
	pgtls_clients_free(cl);
	put("apps.yaml", "applications:\n  - name: loader\n    paths: [mf]\n    workdirr: mf/run\n");
	cl = pgtls_clients_new();
	assert_int_equal(pgtls_clients_load_apps(cl, path), PGTLS_ERR_PARSE);
	assert_non_null(strstr(pgtls_clients_errmsg(cl), "line 4"));
	pgtls_clients_free(cl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_node_reject_env, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_config_modules, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pem_in_text, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_relative_and_container_paths, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_jvm_options, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_services, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_manifest, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
