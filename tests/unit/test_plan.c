/*
 * test_plan.c - which servers `pgtls rotation` must probe because clients
 * use them (pgtls_rotation_plan()), and the JVM trust store found beside
 * pgjdbc settings.  Public API only; no network.
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

#include <jansson.h>

#include <pgtls/pgtls.h>

static pgtls_clients *
scan_text(const char *name, const char *text)
{
	char dir[] = "/tmp/pgtls-plan-XXXXXX", path[256];
	pgtls_clients *cl = pgtls_clients_new();
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(pgtls_clients_scan_path(cl, path), PGTLS_OK);
	unlink(path);
	rmdir(dir);
	return cl;
}

static void
test_plan_targets(void **state)
{
	(void)state;
	pgtls_clients *cl =
	    scan_text("jobs.conf", "A='host=db1.example.com port=6432 sslmode=require'\n"
	                           "B='host=db1.example.com port=6432 sslmode=verify-full'\n" /* same server: once */
	                           "C='host=db2.example.com sslmode=disable'\n"               /* no TLS: no probe */
	                           "D='host=/var/run/postgresql sslmode=require'\n"           /* Unix socket */
	                           "E='host=alias.example hostaddr=10.0.0.7 port=5433 sslmode=verify-ca'\n"
	                           "F='host=2001:db8::5 sslmode=require'\n"
	                           "G='host=a,b sslmode=require'\n"); /* several hosts: not one server */
	pgtls_rotation *rot = pgtls_rotation_new();
	int n = pgtls_rotation_plan(rot, cl, NULL, 0);

	assert_int_equal(n, 3);
	assert_string_equal(pgtls_rotation_plan_target(rot, 0), "db1.example.com:6432");
	assert_string_equal(pgtls_rotation_plan_target(rot, 1), "host='alias.example' port='5433' hostaddr='10.0.0.7'");
	assert_string_equal(pgtls_rotation_plan_target(rot, 2), "[2001:db8::5]:5432");
	assert_string_equal(pgtls_rotation_plan_target(rot, 3), "");
	/* each is a target pgtls probe accepts */
	for (int i = 0; i < n; i++)
	{
		pgtls_probe *p = pgtls_probe_new();

		assert_int_equal(pgtls_probe_set_target(p, pgtls_rotation_plan_target(rot, i)), PGTLS_OK);
		pgtls_probe_free(p);
	}
	pgtls_rotation_free(rot);
	pgtls_clients_free(cl);
}

static void
test_plan_quotes(void **state)
{
	(void)state;
	/* a host name with a quote and a backslash is passed quoted, never split into other keywords */
	pgtls_clients *cl = scan_text("q.conf", "X='host=we\\\\ird port=5432 hostaddr=127.0.0.1 sslmode=require'\n");
	pgtls_rotation *rot = pgtls_rotation_new();

	assert_int_equal(pgtls_rotation_plan(rot, cl, NULL, 0), 1);
	assert_string_equal(pgtls_rotation_plan_target(rot, 0), "host='we\\\\ird' port='5432' hostaddr='127.0.0.1'");
	pgtls_rotation_free(rot);
	pgtls_clients_free(cl);
}

static void
test_jvm_store_found(void **state)
{
	(void)state;
	pgtls_clients *cl = scan_text(
	    "start.sh", "JAVA_OPTS=\"-Djavax.net.ssl.trustStoreType=JKS -Djavax.net.ssl.trustStore=/srv/app/trust.jks\"\n"
	                "java $JAVA_OPTS -jar app.jar --url='jdbc:postgresql://db:5432/app?sslmode=require&sslfactory=org."
	                "postgresql.ssl.DefaultJavaSSLFactory'\n");
	char *js = pgtls_clients_json(cl, 0);
	json_t *o = json_loads(js, 0, NULL);
	json_t *c = json_array_get(json_object_get(o, "clients"), 0);

	assert_string_equal(json_string_value(json_object_get(c, "trust")), "jvm");
	assert_string_equal(json_string_value(json_object_get(json_object_get(c, "rootcert"), "path")),
	                    "/srv/app/trust.jks");
	/* the JVM's trust manager checks the chain in require too (pgjdbc MakeSSL.convert) */
	assert_string_equal(json_string_value(json_object_get(c, "outcome")), "verifies_ca");
	json_decref(o);
	pgtls_free(js);
	pgtls_clients_free(cl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plan_targets),
	    cmocka_unit_test(test_plan_quotes),
	    cmocka_unit_test(test_jvm_store_found),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
