/*
 * test_readers.c - one real-world-shaped sample per ecosystem the client
 * scanner reads, with the outcome its driver's documented behaviour gives.
 * Each row cites the driver documentation or source it rests on.  Public
 * API only: each sample is written to a file, scanned (with an empty
 * application HOME, so no ~/.postgresql/root.crt) and read back as JSON.
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

#include "clients/clients_int.h" /* pgtls__java_build_parse */

typedef struct sample
{
	const char *why;  /* the driver fact, and where it is documented */
	const char *name; /* file name: picks the readers */
	const char *text;
	int line;             /* expected client: its line (0: no client expected) */
	const char *driver;   /* driver code */
	const char *host;     /* host as reported */
	const char *outcome;  /* outcome code */
	const char *note;     /* a word the note must hold, or NULL */
	const char *aux_name; /* a second file beside it (a lock file, a .env), or NULL */
	const char *aux_text;
} sample;

/* most samples have no second file: the trailing aux fields are left out (NULL) */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const sample samples[] = {
    {"psycopg2 docs (connect): a libpq conninfo, keywords in any order", "app.py",
     "import psycopg2\nconn = psycopg2.connect(\"dbname=test user=postgres host=pg1.internal sslmode=verify-full\")\n",
     2, "psycopg", "pg1.internal", "verifies_full", NULL},
    {"psycopg2 docs: keyword arguments are passed to libpq; require verifies nothing without a root file "
     "(libpq docs, table 34.1)",
     "app.py",
     "import psycopg2\nconn = psycopg2.connect(\n    host=\"pg1.internal\", port=5432,\n    dbname=\"app\", "
     "sslmode=\"require\",\n)\n",
     2, "psycopg", "pg1.internal", "encrypted_unverified", NULL},
    {"SQLAlchemy docs (PostgreSQL dialects): postgresql+psycopg2:// URL query goes to libpq", "db.py",
     "from sqlalchemy import create_engine\nengine = "
     "create_engine(\"postgresql+psycopg2://u:pw@pg2.internal/app?sslmode=verify-ca\")\n",
     2, "psycopg", "pg2.internal", "verifies_ca", NULL},
    {"asyncpg docs (connect): ssl=True uses ssl.create_default_context(): verify-full against the system store",
     "worker.py", "import asyncpg\nasync def m():\n    c = await asyncpg.connect(host=\"pg5.internal\", ssl=True)\n", 3,
     "asyncpg", "pg5.internal", "verifies_full", NULL},
    {"asyncpg connect_utils.py (0.27): the DSN's sslmode is read; ssl= becomes a server setting the server "
     "refuses, so the connection fails (seen in test_asyncpg.py)",
     "worker.py", "import asyncpg\npool = asyncpg.create_pool(\"postgresql://u@pg3.internal/app?ssl=require\")\n", 2,
     "asyncpg", "pg3.internal", "fails", "server setting"},
    {"SQLAlchemy asyncpg dialect: URL query keys become asyncpg.connect() keyword arguments: ?ssl=require is "
     "ssl='require'",
     "db.py", "engine = create_async_engine(\"postgresql+asyncpg://u@pg3a.internal/app?ssl=require\")\n", 1, "asyncpg",
     "pg3a.internal", "encrypted_unverified", NULL},
    {"prisma-engines quaint/src/connector/postgres/url.rs: schema= and pgbouncer= are Prisma's own, so the URL is "
     "Prisma's; sslaccept defaults to accept_invalid_certs (native/mod.rs danger_accept_invalid_certs): require "
     "encrypts, verifies nothing",
     ".env", "DATABASE_URL=\"postgresql://u:pw@pg4.internal:5432/app?schema=public&sslmode=require&pgbouncer=true\"\n",
     1, "prisma", "pg4.internal", "encrypted_unverified", NULL},
    {"quaint url.rs: sslaccept=strict checks the chain (system store) and, native-tls, the host name", ".env",
     "DATABASE_URL=postgresql://u@pg5.internal/app?sslmode=require&sslaccept=strict\n", 1, "prisma", "pg5.internal",
     "verifies_full", NULL},
    {"quaint url.rs: sslcert= is the root file for sslaccept=strict; prefer still goes on in plaintext on an N answer "
     "(tokio-postgres connect_tls), also when that file is not on the scanned machine",
     ".env", "DATABASE_URL=postgresql://u@pg5b.internal/app?sslmode=prefer&sslaccept=strict&sslcert=missing-ca.pem\n",
     1, "prisma", "pg5b.internal", "opportunistic", NULL},
    {"quaint url.rs parse_query_params: an sslmode other than disable/prefer/require is prefer; tokio-postgres "
     "connect_tls: prefer goes on in plaintext when the server answers N",
     "schema.prisma", "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n", 3,
     "prisma", "pg6.internal", "opportunistic", "as prefer", ".env",
     "DATABASE_URL=\"postgresql://u:pw@pg6.internal/app?sslmode=verify-full&sslaccept=strict\"\n"},
    {"Prisma docs (schema, env()): a variable no .env beside the schema sets is set where the application runs: "
     "unknown",
     "schema.prisma", "datasource db {\n  provider = \"postgresql\"\n  url = env(\"PRISMA_DB_URL_UNSET\")\n}\n", 3,
     "prisma", NULL, "unknown", NULL},
    {"Prisma docs: a schema for another provider is not PostgreSQL", "schema.prisma",
     "datasource db {\n  provider = \"mysql\"\n  url = \"mysql://u@h/db\"\n}\n", 0, NULL, NULL, NULL, NULL},
    {"Spring docs (property placeholders): ${NAME:default} takes the default", "application.properties",
     "spring.datasource.url=jdbc:postgresql://${DB_HOST:localhost}:${DB_PORT:5432}/app?sslmode=require\n", 1, "pgjdbc",
     "localhost", "encrypted_unverified", "DB_HOST"},
    {"pgjdbc SslMode.of(): ssl present without a value means verify-full", "application.properties",
     "url=jdbc:postgresql://db5/app?ssl\n", 1, "pgjdbc", "db5", "verifies_full", NULL},
    {"pgjdbc SslMode.of(): sslmode is compared ignoring case", "application.properties",
     "url=jdbc:postgresql://db6/app?sslmode=REQUIRE\n", 1, "pgjdbc", "db6", "encrypted_unverified", NULL},
    {"pgjdbc MakeSSL.verifyPeerName(): a custom sslhostnameverifier replaces the driver's host check",
     "application.properties",
     "url=jdbc:postgresql://db7/app?sslmode=verify-full&sslhostnameverifier=com.example.TrustAll\n", 1, "pgjdbc", "db7",
     "verifies_ca", NULL},
    {"libpq docs (host): a value starting with a slash is a Unix-domain socket directory", "job.conf",
     "DSN='host=/var/run/postgresql dbname=app sslmode=prefer'\n", 1, "libpq", "/var/run/postgresql", "unix_socket",
     NULL},
    {"Cloud SQL docs (Unix sockets): /cloudsql/PROJECT:REGION:INSTANCE", "app.py",
     "import psycopg2\nc = psycopg2.connect(host=\"/cloudsql/p:r:i\", dbname=\"app\", sslmode=\"require\")\n", 2,
     "psycopg", "/cloudsql/p:r:i", "unix_socket", NULL},
    {"Django docs (GeoDjango): the postgis engine is psycopg; OPTIONS go to libpq", "settings.py",
     "DATABASES = {\n    'default': {\n        'ENGINE': 'django.contrib.gis.db.backends.postgis',\n"
     "        'HOST': 'gis.internal',\n        'OPTIONS': {'sslmode': 'verify-full'},\n    }\n}\n",
     3, "psycopg", "gis.internal", "verifies_full", NULL},
    {"libpq docs (environment variables): PGSSLMODE applies to a URL that sets no sslmode", ".env",
     "DATABASE_URL=postgresql://u@pg8.internal/app\nPGSSLMODE=verify-full\n", 1, "libpq", "pg8.internal",
     "verifies_full", NULL},
    {"libpq fe-connect.c parseServiceFile(): no trimming around '=': \"host = db\" is a syntax error, and the "
     "service fails with libpq's words",
     "pg_service.conf", "[spaces]\nhost = db.svc\nsslmode=verify-full\n", 1, "libpq", "(default)", "fails",
     "syntax error in service file"},
    {"libpq parseServiceFile(): values are taken as written, quotes included: sslmode=\"require\" is invalid",
     "pg_service.conf", "[quoted]\nhost=db.svc\nsslmode=\"require\"\n", 1, "libpq", "db.svc", "unknown", NULL},
    {"libpq parseServiceFile(): white space at the end of a line is dropped", "pg_service.conf",
     "[trail]\nhost=db.svc  \nsslmode=require\t\n", 1, "libpq", "db.svc", "encrypted_unverified", NULL},
    {"libpq parseServiceFile(): a nested service is refused", "pg_service.conf", "[nested]\nservice=other\n", 1,
     "libpq", "(default)", "fails", "nested service"},
    {"issue 25: a URL query key libpq does not know is the user's, never a reader's observation: "
     "x-custom-host-check=1 is only noted, and the URL is judged by libpq's rules (verify-full)",
     ".env", "DATABASE_URL=postgresql://db.example.com/app?sslmode=verify-full&x-custom-host-check=1\n", 1, "libpq",
     "db.example.com", "verifies_full", "x-custom-host-check"},
    {"issue 25: neither can a URL say that the driver refuses its settings (x-bad-setting) or that an ssl object was "
     "written (x-ssl-object): node-postgres 8 reads the URL's sslmode (pg-connection-string 2.4+)",
     "db.js",
     "const { Pool } = require('pg')\nconst pool = new Pool({ connectionString: "
     "'postgresql://db9.internal/app?sslmode=verify-full&x-bad-setting=1&x-ssl-object=1' })\n",
     2, "node-postgres", "db9.internal", "verifies_full", NULL},
    {"pgjdbc docs (SSL, custom factory): DefaultJavaSSLFactory uses the JVM trust store, which checks the chain in any "
     "sslmode (MakeSSL.convert)",
     "start.sh",
     "JAVA_OPTS=\"-Djavax.net.ssl.trustStore=/srv/app/trust.jks\"\njava $JAVA_OPTS -jar app.jar "
     "--url='jdbc:postgresql://db9:5432/app?sslmode=require&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory'\n",
     2, "pgjdbc", "db9", "verifies_ca", NULL},
    {"pgjdbc 42.2.4 MakeSSL.convert: ssl=true without sslmode takes SSLSocketFactory.getDefault(): the JVM trust "
     "store checks the chain, no host name check (CHANGELOG 42.2.5: ssl=true implies verify-full only from then)",
     "application.properties", "spring.datasource.url=jdbc:postgresql://db10/app?ssl=true\n", 1, "pgjdbc-before-42.2.5",
     "db10", "verifies_ca", "42.2.4", "pom.xml",
     "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n  "
     "<properties><pg.version>42.2.4</pg.version></properties>\n"
     "  <dependencies><dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId>"
     "<version>${pg.version}</version></dependency></dependencies>\n</project>\n"},
    {"pgjdbc 42.2.4 ConnectionFactoryImpl.openConnectionImpl: neither ssl nor sslmode: no TLS (the prefer default "
     "came with 42.2.5)",
     "application.properties", "url=jdbc:postgresql://db11/app\n", 1, "pgjdbc-before-42.2.5", "db11", "no_tls",
     "42.2.1", "build.gradle", "dependencies {\n    implementation 'org.postgresql:postgresql:42.2.1'\n}\n"},
    {"pgjdbc 42.2.4 ConnectionFactoryImpl: sslmode other than disable/require/verify-ca/verify-full throws "
     "\"Invalid sslmode value\"",
     "application.properties", "url=jdbc:postgresql://db12/app?sslmode=prefer\n", 1, "pgjdbc-before-42.2.5", "db12",
     "fails", "Invalid sslmode value", "gradle.lockfile",
     "# This is a Gradle generated file\norg.postgresql:postgresql:42.2.4=compileClasspath,runtimeClasspath\n"},
    {"CVE-2018-10936 (pgjdbc before 42.2.5): MakeSSL checks the host name in verify-full only with LibPQFactory",
     "application.properties",
     "url=jdbc:postgresql://db13/app?sslmode=verify-full&sslfactory=com.example.PinnedFactory\n", 1,
     "pgjdbc-before-42.2.5", "db13", "verifies_ca", NULL, "pom.xml",
     "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n  "
     "<properties><pg.version>42.2.4</pg.version></properties>\n"
     "  <dependencies><dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId>"
     "<version>${pg.version}</version></dependency></dependencies>\n</project>\n"},
    {"pgjdbc 42.2.4 LibPQFactory.verify: verify-full with the default factory checks the host name",
     "application.properties", "url=jdbc:postgresql://db14/app?sslmode=verify-full&sslrootcert=/etc/ssl/rds.pem\n", 1,
     "pgjdbc-before-42.2.5", "db14", "verifies_full", NULL, "build.gradle.kts",
     "val pgVersion = \"9.4.1212\"\ndependencies {\n    implementation(\"org.postgresql:postgresql:$pgVersion\")\n}\n"},
    {"pgjdbc 42.2.5+ (SslMode.of): ssl=true is verify-full; the version is read from the pom's <properties>",
     "application.properties", "url=jdbc:postgresql://db15/app?ssl=true\n", 1, "pgjdbc", "db15", "verifies_full",
     "42.7.3", "pom.xml",
     "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n  "
     "<properties><pg.version>42.7.3</pg.version></properties>\n"
     "  <dependencies><dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId>"
     "<version>${pg.version}</version></dependency></dependencies>\n</project>\n"},
    {"asyncpg PR #827 (0.25.0): the DSN's TLS settings follow libpq only from 0.25; an older pin is not emulated: "
     "unknown, never an all-clear",
     "worker.py",
     "import asyncpg\npool = asyncpg.create_pool(\"postgresql://u@pg20.internal/app?sslmode=verify-full\")\n", 2,
     "asyncpg", "pg20.internal", "unknown", "asyncpg version: 0.24.0", "poetry.lock",
     "[[package]]\nname = \"asyncpg-stubs\"\nversion = \"0.30.0\"\n\n[[package]]\nname = \"asyncpg\"\n"
     "version = \"0.24.0\"\ndescription = \"An asyncio PostgreSQL driver\"\n"},
    {"asyncpg 0.25+ (connect_utils.py): verify-full in the DSN verifies; the pinned version is named", "worker.py",
     "import asyncpg\npool = asyncpg.create_pool(\"postgresql://u@pg21.internal/app?sslmode=verify-full\")\n", 2,
     "asyncpg", "pg21.internal", "verifies_full", "asyncpg version: 0.27.0", "requirements.txt",
     "psycopg2-binary==2.9.9\nAsyncPG == 0.27.0 ; python_version >= \"3.8\"\n"},
    {"psycopg2: settings from **kwargs built in code are not known here", "app.py",
     "import psycopg2\nc = psycopg2.connect(**settings.DB)\n", 2, "psycopg", "(default)", "unknown", NULL},
    {"psql(1) and libpq docs (environment variables): a variable before the command applies to it; -h/-U/-d are "
     "host, user, database",
     "backup.sh", "#!/bin/sh\nPGSSLMODE=verify-full pg_dump -h db1.internal -U backup -Fc shop > /b/shop.dump\n", 2,
     "libpq", "db1.internal", "verifies_full", NULL},
    {"a shell script: export sets PGSSLMODE for the commands after it; an explicit conninfo sslmode wins", "job.sh",
     "export PGSSLMODE=disable\npsql \"host=db2.internal dbname=x sslmode=require\" -c 'select 1'\n", 2, "libpq",
     "db2.internal", "encrypted_unverified", NULL},
    {"systemd.exec(5): Environment= sets the service's variables", "etl.service",
     "[Service]\nEnvironment=\"PGHOST=db4.internal\" PGSSLMODE=verify-ca\nExecStart=/usr/bin/psql -d warehouse\n", 3,
     "libpq", "db4.internal", "verifies_ca", NULL},
    {"Dockerfile reference: ENV (both forms) and the exec form of CMD", "Dockerfile",
     "FROM debian\nENV PGSSLMODE require\nENV PGHOST=db5.internal\nCMD [\"psql\", \"-c\", \"select 1\"]\n", 4, "libpq",
     "db5.internal", "encrypted_unverified", NULL},
    {"psql(1): -c takes the next word (in a bundle like -Atqc too), and -d postgres names a database, not a URI",
     "check.sh", "PGSSLMODE=require psql -X -h db9.internal -U postgres -d postgres -Atqc 'select 1 where a = b'\n", 1,
     "libpq", "db9.internal", "encrypted_unverified", NULL},
    {"psql with the whole connection string in a variable: not known here", "run.sh",
     "psql \"$DATABASE_URL\" -c 'select 1'\n", 1, "libpq", "(default)", "unknown", NULL},
    {"Rails guides (configuring a database): database.yml keys go to the pg gem, i.e. libpq keywords; <<: merges; "
     "ERB ENV.fetch defaults",
     "database.yml",
     "default: &default\n  adapter: postgresql\n  sslmode: verify-full\n\nproduction:\n  <<: *default\n  host: <%= "
     "ENV.fetch(\"DB_HOST\") { \"db.prod\" } %>\n",
     6, "libpq", "db.prod", "verifies_full", "DB_HOST"},
    {"Compose file reference: environment as a list of NAME=value", "docker-compose.yml",
     "services:\n  worker:\n    image: app\n    environment:\n      - PGHOST=db\n      - PGSSLMODE=require\n", 5,
     "libpq", "db", "encrypted_unverified", NULL},
    {"Compose file reference (env_file): a missing env_file is listed as not read; environment still applies",
     "docker-compose.yml",
     "services:\n  api:\n    image: api\n    env_file: missing.env\n    environment:\n      PGHOST: db.c\n      "
     "PGSSLMODE: verify-ca\n",
     6, "libpq", "db.c", "verifies_ca", NULL},
    {"GitHub Actions docs (env): workflow, job and step env apply to the step's run commands", "backup.yml",
     "env:\n  PGSSLMODE: verify-full\njobs:\n  dump:\n    env:\n      PGHOST: db.gha\n    steps:\n      - run: |\n     "
     "   "
     "  pg_dump -U backup -Fc shop > shop.dump\n",
     9, "libpq", "db.gha", "verifies_full", NULL},
    {"GitLab CI docs (variables): global and job variables apply to the job's script", ".gitlab-ci.yml",
     "variables:\n  PGSSLMODE: require\nmigrate:\n  variables:\n    PGHOST: db.gitlab\n  script:\n    - psql -d app -f "
     "migrate.sql\n",
     7, "libpq", "db.gitlab", "encrypted_unverified", NULL},
    {"Kubernetes API (EnvVar): a container's env list of name/value", "deploy.yaml",
     "spec:\n  containers:\n    - name: api\n      image: api:1\n      env:\n        - name: PGHOST\n          value: "
     "pg.internal\n        - name: PGSSLMODE\n          value: verify-ca\n",
     6, "libpq", "pg.internal", "verifies_ca", NULL},
    {"node-postgres connection-parameters.js/client.js: ssl { ca } verifies the chain and host against that file",
     "db.js",
     "const { Pool } = require('pg')\nconst pool = new Pool({\n  host: 'db1.internal',\n  ssl: { ca: "
     "fs.readFileSync('/etc/ssl/rds.pem').toString() },\n})\n",
     2, "node-postgres", "db1.internal", "verifies_full", NULL},
    {"node-postgres: ssl { rejectUnauthorized: false } encrypts and verifies nothing", "db.js",
     "const pg = require('pg')\nconst c = new pg.Client({ host: 'db2.internal', ssl: { rejectUnauthorized: false } "
     "})\n",
     2, "node-postgres", "db2.internal", "encrypted_unverified", NULL},
    {"node-postgres: ssl.checkServerIdentity replaces the host name check (Node tls.connect)", "db.js",
     "const pg = require('pg')\nconst c = new pg.Pool({ host: 'db3', ssl: { checkServerIdentity: () => undefined } "
     "})\n",
     2, "node-postgres", "db3", "verifies_ca", NULL},
    {"knex docs: client 'pg' with a connection object; ssl true is tls.connect's defaults (verify-full)", "knexfile.js",
     "module.exports = knex({ client: 'pg', connection: { host: 'db4.internal', ssl: true } })\n", 1, "node-postgres",
     "db4.internal", "verifies_full", NULL},
    {"Sequelize docs (dialectOptions): passed to pg; require + rejectUnauthorized false verifies nothing", "db.js",
     "const s = new Sequelize('app', 'u', 'p', { host: 'db5', dialect: 'postgres',\n  dialectOptions: { ssl: { "
     "require: "
     "true, rejectUnauthorized: false } } })\n",
     1, "node-postgres", "db5", "encrypted_unverified", NULL},
    {"TypeORM docs (postgres options): ssl true", "data-source.ts",
     "export const ds = new DataSource({\n  type: 'postgres',\n  host: 'db7.internal',\n  ssl: true,\n})\n", 1,
     "node-postgres", "db7.internal", "verifies_full", NULL},
    {"pgAdmin docs (Import/Export Servers): Host, Port, SSLMode, SSLRootCert; pgAdmin connects with psycopg",
     "servers.json",
     "{\n  \"Servers\": {\n    \"1\": {\"Name\": \"prod\", \"Host\": \"pg1.prod\", \"Port\": 5432,\n"
     "      \"SSLMode\": \"verify-full\"}\n  }\n}\n",
     3, "psycopg", "pg1.prod", "verifies_full", NULL},
    {"DBeaver PostgreDataSource.initServerSSL(): the enabled postgre_ssl handler sets ssl=true and passes sslMode and "
     "ssl.ca.cert to pgjdbc",
     "data-sources.json",
     "{\n  \"connections\": {\n    \"postgres-jdbc-1\": {\n      \"provider\": \"postgresql\",\n      "
     "\"configuration\": {"
     "\"host\": \"pg.dbeaver\", \"port\": \"5432\",\n        \"handlers\": {\"postgre_ssl\": {\"enabled\": true, "
     "\"properties\": {\"sslMode\": \"verify-ca\"}}}}\n    }\n  }\n}\n",
     3, "pgjdbc", "pg.dbeaver", "verifies_ca", NULL},
    {"DBeaver without the SSL handler: pgjdbc's default prefer", "data-sources.json",
     "{\"connections\": {\"pg-2\": {\"provider\": \"postgresql\", \"configuration\": {\"host\": \"pg2.dbeaver\"}}}}\n",
     1, "pgjdbc", "pg2.dbeaver", "opportunistic", NULL},
    {"Grafana docs (configuration, [database]): host h:port, ssl_mode; Grafana's database driver is Go lib/pq",
     "grafana.ini", "[database]\ntype = postgres\nhost = gdb.internal:5433\nssl_mode = require\n", 1, "lib/pq",
     "gdb.internal", "encrypted_unverified", NULL},
    {"Laravel docs (database configuration): the pgsql connection's sslmode goes into the PDO DSN (libpq); env() "
     "defaults",
     "database.php",
     "<?php\nreturn ['connections' => [\n  'pgsql' => [\n    'driver' => 'pgsql',\n    'host' => env('DB_HOST', "
     "'pg.laravel'),\n    'sslmode' => 'verify-ca',\n  ],\n]];\n",
     4, "libpq", "pg.laravel", "verifies_ca", "DB_HOST"},
    {"PHP docs (PDO_PGSQL DSN): pgsql:host=...;sslmode=... is handed to libpq", "db.php",
     "$pdo = new PDO('pgsql:host=pg9.internal;port=5432;dbname=app;sslmode=require', $u, $p);\n", 1, "libpq",
     "pg9.internal", "encrypted_unverified", NULL},
    {"pg-connection-string 2.8.0+ index.js (uselibpqcompat): require without sslrootcert is rejectUnauthorized "
     "false; no lock file: judged as a fresh install",
     "db.js",
     "const { Pool } = require('pg')\nconst p = new Pool({ connectionString: "
     "'postgres://u@db8.internal/app?sslmode=require&uselibpqcompat=true' })\n",
     2, "node-postgres-libpqcompat", "db8.internal", "encrypted_unverified", "fresh install"},
    {"pg-connection-string 2.6 (before 2.8.0) ignores uselibpqcompat: require is verify-full (pnpm-lock.yaml)", "db.js",
     "const { Pool } = require('pg')\nconst p = new Pool({ connectionString: "
     "'postgres://u@db9.internal/app?sslmode=require&uselibpqcompat=true' })\n",
     2, "node-postgres", "db9.internal", "verifies_full", "pg-connection-string 2.6", "pnpm-lock.yaml",
     "packages:\n\n  /pg-connection-string@2.6.2:\n    resolution: {integrity: x}\n\n  /pg@8.11.3:\n    "
     "resolution: {integrity: y}\n"},
    {"pg 7.18.2 lib/connection.js: rejectUnauthorized undefined is passed to tls.connect (\"Implicit disabling of "
     "certificate verification\"): ssl: true verifies nothing (package-lock.json)",
     "db.js", "const { Client } = require('pg')\nconst c = new Client({ host: 'db10.internal', ssl: true })\n", 2,
     "node-postgres-7", "db10.internal", "encrypted_unverified", "pg 7.18", "package-lock.json",
     "{\"lockfileVersion\": 3, \"packages\": {\"node_modules/pg\": {\"version\": \"7.18.2\"}}}"},
    {"pg-connection-string 2.3.0 index.js has no sslmode: a URL's sslmode is ignored, plaintext (yarn.lock; checked "
     "with pg 8.4.2 in test_node.py)",
     "db.js",
     "const { Pool } = require('pg')\nconst p = new Pool({ connectionString: "
     "'postgres://u@db11.internal/app?sslmode=verify-full' })\n",
     2, "node-postgres", "db11.internal", "no_tls", "pg-connection-string 2.3", "yarn.lock",
     "pg-connection-string@^2.3.0:\n  version \"2.3.0\"\n\npg@^8.4.0:\n  version \"8.4.2\"\n"},
    {"pg ConnectionParameters: Object.assign(config, parse(url)): the URL's sslmode replaces the ssl object "
     "(pg-connection-string 2.4.0+; checked with pg 8.23.1 in test_node.py)",
     "db.js",
     "const { Pool } = require('pg')\nconst p = new Pool({ connectionString: "
     "'postgres://u@db12.internal/app?sslmode=require', ssl: { rejectUnauthorized: false } })\n",
     2, "node-postgres", "db12.internal", "verifies_full", NULL},
    {"node-postgres docs (features/ssl): a config module exported whole, ssl.ca read with fs.readFileSync; the "
     "project's package.json names pg (the file itself does not)",
     "database.js",
     "const fs = require('fs')\nmodule.exports = {\n  host: 'db13.internal',\n  database: 'app',\n"
     "  ssl: { ca: fs.readFileSync('/etc/ssl/rds/global-bundle.pem').toString() },\n}\n",
     2, "node-postgres", "db13.internal", "verifies_full", NULL, "package.json",
     "{\"dependencies\": {\"pg\": \"8.11.3\"}}"},
    {"knex docs (knexfile): an exported object per environment, client 'pg', connection.ssl passed to pg",
     "knexfile.mjs",
     "export default {\n  production: {\n    client: 'pg',\n    connection: { host: 'db14.internal', database: "
     "'app', ssl: { rejectUnauthorized: false } },\n  },\n}\n",
     1, "node-postgres", "db14.internal", "encrypted_unverified", NULL},
    {"pgjdbc Driver.connect()/parseURL(): java.util.Properties are defaults the URL's own parameters override "
     "(the URL's verify-full wins over the Properties' disable; sslrootcert comes from the Properties)",
     "Db.java",
     "Properties props = new Properties();\nprops.setProperty(\"sslmode\", \"disable\");\n"
     "props.setProperty(\"sslrootcert\", \"/etc/ssl/rds.pem\");\nConnection c = DriverManager.getConnection("
     "\"jdbc:postgresql://db15.internal/app?sslmode=verify-full\", props);\n",
     4, "pgjdbc", "db15.internal", "verifies_full", "settings beside the URL"},
    {"pgjdbc BaseDataSource setters (setServerNames, setSslMode): a value from System.getenv is set where the "
     "application runs, and the record names the variable",
     "Pool.java",
     "PGSimpleDataSource ds = new PGSimpleDataSource();\nds.setServerNames(new String[] {\"db16.internal\"});\n"
     "ds.setSslMode(System.getenv(\"DB_SSLMODE\"));\n",
     2, "pgjdbc", "db16.internal", "unknown", "DataSource"},
    {"Spring Boot docs (Hikari data-source-properties) are handed to the DataSource as Properties: sslmode beside "
     "spring.datasource.url",
     "application.yml",
     "spring:\n  datasource:\n    url: jdbc:postgresql://db17.internal/app\n    hikari:\n"
     "      data-source-properties:\n        sslmode: verify-ca\n        sslrootcert: /etc/ssl/rds.pem\n",
     3, "pgjdbc", "db17.internal", "verifies_ca", "data-source-properties"},
    {"ruby-pg docs (PG::Connection.new): a hash of libpq keywords, handed to PQconnectdbParams; ENV['X'] is set "
     "where the application runs, and the record names it",
     "worker.rb",
     "require 'pg'\nconn = PG.connect(host: 'db18.internal', dbname: 'app', :sslmode => ENV['APP_SSLMODE'])\n", 2,
     "libpq", "db18.internal", "unknown", NULL},
    {"Rails guides (multiple databases / establish_connection): the PostgreSQL adapter maps database and username "
     "and passes sslmode to the pg gem; ENV.fetch's default is used, noted",
     "reporting.rb",
     "class Reporting < ActiveRecord::Base\n  establish_connection(\n    adapter: 'postgresql',\n"
     "    host: ENV.fetch('REPORTING_HOST', 'db19.internal'),\n    database: 'reports',\n    sslmode: 'require'\n"
     "  )\nend\n",
     2, "libpq", "db19.internal", "encrypted_unverified", "REPORTING_HOST"},
    {"peewee docs (PostgresqlDatabase): the first argument is the database name, the keywords go to "
     "psycopg2.connect()",
     "models.py",
     "from peewee import PostgresqlDatabase\ndb = PostgresqlDatabase('app', host='db20.internal', "
     "sslmode='verify-ca',\n"
     "                        sslrootcert='/etc/ssl/rds.pem')\n",
     2, "psycopg", "db20.internal", "verifies_ca", NULL},
    {"Sequel docs (opening databases): an options hash with adapter mysql2 is not PostgreSQL", "db.rb",
     "DB = Sequel.connect(adapter: 'mysql2', host: 'my.internal', database: 'app')\n", 0, NULL, NULL, NULL, NULL},
    {"PHP PDO MySQL DSN: not PostgreSQL, ignored", "db.php",
     "$pdo = new PDO('mysql:host=localhost;dbname=test', $u, $p);\n", 0, NULL, NULL, NULL, NULL},
};

static json_t *
scan_sample(const sample *s)
{
	char dir[] = "/tmp/pgtls-readers-XXXXXX", path[256], home[300], aux[300];
	pgtls_clients *cl = pgtls_clients_new();
	json_t *rep;
	char *js;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, s->name);
	snprintf(home, sizeof(home), "%s/home", dir); /* an application HOME without ~/.postgresql */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(s->text, f);
	fclose(f);
	if (s->aux_name)
	{
		snprintf(aux, sizeof(aux), "%s/%s", dir, s->aux_name);
		f = fopen(aux, "w");
		assert_non_null(f);
		fputs(s->aux_text, f);
		fclose(f);
	}
	assert_int_equal(pgtls_clients_set_home(cl, home), PGTLS_OK);
	assert_int_equal(pgtls_clients_scan_path(cl, path), PGTLS_OK);
	js = pgtls_clients_json(cl, 0);
	rep = json_loads(js, 0, NULL);
	pgtls_free(js);
	pgtls_clients_free(cl);
	unlink(path);
	if (s->aux_name)
		unlink(aux);
	rmdir(dir);
	return rep;
}

static void
test_samples(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
	{
		const sample *s = &samples[i];
		json_t *rep = scan_sample(s);
		json_t *cls = json_object_get(rep, "clients");
		json_t *c = json_array_get(cls, 0);

		print_message("sample %zu: %s\n", i, s->why);
		if (s->line == 0)
		{
			assert_int_equal(json_array_size(cls), 0);
			assert_int_equal(json_array_size(json_object_get(rep, "unparsed")), 0);
			json_decref(rep);
			continue;
		}
		assert_true(json_array_size(cls) >= 1); /* the first is the sample's (a .env also gives its PG* variables) */
		assert_int_equal(json_integer_value(json_object_get(c, "line")), s->line);
		assert_string_equal(json_string_value(json_object_get(c, "driver")), s->driver);
		if (s->host)
			assert_string_equal(json_string_value(json_object_get(c, "host")), s->host);
		assert_string_equal(json_string_value(json_object_get(c, "outcome")), s->outcome);
		if (s->note)
			assert_non_null(strstr(json_string_value(json_object_get(c, "note")), s->note));
		{
			char *dump = json_dumps(c, 0);

			assert_null(strstr(dump, ":pw@")); /* passwords masked */
			free(dump);
		}
		json_decref(rep);
	}
}

/* what looks like PostgreSQL settings but does not parse is listed, never dropped */
static void
test_unparsed(void **state)
{
	(void)state;
	sample s = {"broken",
	            "job.conf",
	            "A=\"host='db1 sslmode=require\"\nB=postgresql://u:hunter2@[::1/app\nC=jdbc:postgresql://h:x/db\n",
	            0,
	            NULL,
	            NULL,
	            NULL,
	            NULL};
	json_t *rep = scan_sample(&s);
	json_t *un = json_object_get(rep, "unparsed");

	assert_int_equal(json_array_size(un), 3);
	for (size_t i = 0; i < 3; i++)
	{
		assert_int_equal(json_integer_value(json_object_get(json_array_get(un, i), "line")), (json_int_t)i + 1);
		assert_non_null(json_string_value(json_object_get(json_array_get(un, i), "reason")));
	}
	{
		char *dump = json_dumps(rep, 0);

		assert_null(strstr(dump, "hunter2")); /* a parser's words never show a password */
		free(dump);
	}
	json_decref(rep);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/*
 * lib/pq CHANGELOG v1.12.0 (#1280, #1281): ~/.postgresql/root.crt is the
 * default sslrootcert, so require verifies the CA when it exists; before,
 * require verified only an explicit sslrootcert.  The module's go.mod says
 * which lib/pq an application builds with.
 */
static void
test_go_versions(void **state)
{
	char dir[] = "/tmp/pgtls-gomod-XXXXXX", p[512];
	const char *src = "package main\nimport _ \"github.com/lib/pq\"\nvar dsn = \"host=db1 sslmode=require\"\n";
	pgtls_clients *cl = pgtls_clients_new();
	json_t *rep, *cls;
	char *js;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "mkdir -p %s/new/cmd %s/old %s/home/.postgresql", dir, dir, dir);
	assert_int_equal(system(p), 0);
	snprintf(p, sizeof(p), "%s/new/go.mod", dir);
	write_file(p, "module x\n\nrequire github.com/lib/pq v1.12.3\n");
	snprintf(p, sizeof(p), "%s/old/go.mod", dir);
	write_file(p, "module y\nrequire (\n\tgithub.com/lib/pq v1.10.9\n)\n");
	snprintf(p, sizeof(p), "%s/new/cmd/main.go", dir);
	write_file(p, src);
	snprintf(p, sizeof(p), "%s/old/main.go", dir);
	write_file(p, src);
	snprintf(p, sizeof(p), "%s/home/.postgresql/root.crt", dir);
	write_file(p, "not read as PEM here: existence is what lib/pq checks\n");
	snprintf(p, sizeof(p), "%s/home", dir);
	assert_int_equal(pgtls_clients_set_home(cl, p), PGTLS_OK);
	snprintf(p, sizeof(p), "%s/new", dir);
	assert_int_equal(pgtls_clients_scan_path(cl, p), PGTLS_OK);
	snprintf(p, sizeof(p), "%s/old", dir);
	assert_int_equal(pgtls_clients_scan_path(cl, p), PGTLS_OK);
	js = pgtls_clients_json(cl, 0);
	rep = json_loads(js, 0, NULL);
	cls = json_object_get(rep, "clients");
	assert_int_equal(json_array_size(cls), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(cls, 0), "driver")), "lib/pq-1.12");
	assert_string_equal(json_string_value(json_object_get(json_array_get(cls, 0), "outcome")), "verifies_ca");
	assert_string_equal(json_string_value(json_object_get(json_array_get(cls, 1), "driver")), "lib/pq");
	assert_string_equal(json_string_value(json_object_get(json_array_get(cls, 1), "outcome")), "encrypted_unverified");
	json_decref(rep);
	pgtls_free(js);
	pgtls_clients_free(cl);
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	assert_int_equal(system(p), 0);
}

/* pgtls__java_build_parse over the build-file shapes of real projects */
static void
test_java_versions(void **state)
{
	static const struct
	{
		int kind;
		const char *text, *props;
		int rc, v0, v1, v2;
	} cases[] = {
	    {PGTLS_JAVA_POM,
	     "<project><dependencies><dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId>"
	     "<version>42.2.4.jre7</version></dependency></dependencies></project>",
	     NULL, 1, 42, 2, 4},
	    /* Spring Boot's parent manages it: named, no version */
	    {PGTLS_JAVA_POM,
	     "<project><parent><artifactId>spring-boot-starter-parent</artifactId><version>2.0.3.RELEASE</version>"
	     "</parent><dependencies><dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId>"
	     "<scope>runtime</scope></dependency></dependencies></project>",
	     NULL, 0, -1, -1, -1},
	    /* the version in dependencyManagement */
	    {PGTLS_JAVA_POM,
	     "<project><dependencyManagement><dependencies><dependency><groupId>org.postgresql</groupId>"
	     "<artifactId>postgresql</artifactId><version>9.4-1201-jdbc41</version></dependency></dependencies>"
	     "</dependencyManagement></project>",
	     NULL, 1, 9, 4, 1201},
	    /* the group before 2013 */
	    {PGTLS_JAVA_POM,
	     "<project><dependencies><dependency><groupId>postgresql</groupId><artifactId>postgresql</artifactId>"
	     "<version>9.1-901.jdbc4</version></dependency></dependencies></project>",
	     NULL, 1, 9, 1, 901},
	    {PGTLS_JAVA_POM, "<project><dependencies><dependency><groupId>org.postgresql</groupId>", NULL, -2, -1, -1, -1},
	    /* an external entity is not fetched nor substituted */
	    {PGTLS_JAVA_POM,
	     "<!DOCTYPE p [<!ENTITY v SYSTEM \"file:///etc/hostname\">]><project><dependencies><dependency>"
	     "<groupId>org.postgresql</groupId><artifactId>postgresql</artifactId><version>&v;</version></dependency>"
	     "</dependencies></project>",
	     NULL, 0, -1, -1, -1},
	    {PGTLS_JAVA_GRADLE,
	     "dependencies {\n  runtimeOnly group: 'org.postgresql', name: 'postgresql', version: '42.2.2'\n}\n", NULL, 1,
	     42, 2, 2},
	    {PGTLS_JAVA_GRADLE, "dependencies {\n  implementation \"org.postgresql:postgresql:${pgjdbcVersion}\"\n}\n",
	     "pgjdbcVersion=42.6.0\n", 1, 42, 6, 0},
	    /* r2dbc-postgresql is not pgjdbc; a BOM-managed pgjdbc has no version */
	    {PGTLS_JAVA_GRADLE,
	     "implementation 'org.postgresql:r2dbc-postgresql:1.0.5.RELEASE'\nruntimeOnly 'org.postgresql:postgresql'\n",
	     NULL, 0, -1, -1, -1},
	    {PGTLS_JAVA_GRADLE, "implementation 'org.postgresql:r2dbc-postgresql:1.0.5.RELEASE'\n", NULL, -1, -1, -1, -1},
	    /* a dynamic version is not a version */
	    {PGTLS_JAVA_GRADLE, "implementation 'org.postgresql:postgresql:42.+'\n", NULL, 0, -1, -1, -1},
	    /* Spring Boot manages the version; the project overrides its postgresql.version property */
	    {PGTLS_JAVA_POM,
	     "<project><properties><postgresql.version>42.2.4</postgresql.version></properties><dependencies>"
	     "<dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId></dependency>"
	     "</dependencies></project>",
	     NULL, 1, 42, 2, 4},
	    {PGTLS_JAVA_GRADLE,
	     "ext['postgresql.version'] = '42.2.2'\ndependencies { runtimeOnly 'org.postgresql:postgresql' }\n", NULL, 1,
	     42, 2, 2},
	    /* a version catalog */
	    {PGTLS_JAVA_GRADLE,
	     "[versions]\npostgresql = \"42.2.3\"\n[libraries]\npostgresql = { module = \"org.postgresql:postgresql\", "
	     "version.ref = \"postgresql\" }\n",
	     NULL, 1, 42, 2, 3},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		int v[3];

		print_message("case %zu\n", i);
		assert_int_equal(
		    pgtls__java_build_parse(cases[i].kind, cases[i].text, strlen(cases[i].text), cases[i].props, v),
		    cases[i].rc);
		assert_int_equal(v[0], cases[i].v0);
		assert_int_equal(v[1], cases[i].v1);
		assert_int_equal(v[2], cases[i].v2);
	}
	{
		/* a billion laughs in the version: libxml2 refuses the document, nothing is expanded */
		char doc[4096], *p = doc;
		int v[3];

		p += sprintf(p, "<!DOCTYPE project [<!ENTITY l0 \"lol\">");
		for (int i = 1; i < 10; i++)
		{
			p += sprintf(p, "<!ENTITY l%d \"", i);
			for (int k = 0; k < 10; k++)
				p += sprintf(p, "&l%d;", i - 1);
			p += sprintf(p, "\">");
		}
		sprintf(p, "]><project><dependencies><dependency><groupId>org.postgresql</groupId><artifactId>postgresql"
		           "</artifactId><version>&l9;</version></dependency></dependencies></project>");
		assert_int_equal(pgtls__java_build_parse(PGTLS_JAVA_POM, doc, strlen(doc), NULL, v), -2);
	}
}

/* pgtls__python_lock_parse over the lock and requirements shapes of real projects */
static void
test_python_versions(void **state)
{
	static const struct
	{
		int kind;
		const char *text;
		int ok, v0, v1, v2;
	} cases[] = {
	    {PGTLS_PY_TOML_LOCK, "[[package]]\nname = \"asyncpg\"\nversion = \"0.29.0\"\nsource = { registry = \"x\" }\n",
	     1, 0, 29, 0},
	    /* the version of another package after a versionless asyncpg entry is not taken */
	    {PGTLS_PY_TOML_LOCK, "[[package]]\nname = \"asyncpg\"\n\n[[package]]\nname = \"x\"\nversion = \"0.1.0\"\n", 0,
	     -1, -1, -1},
	    {PGTLS_PY_PIPFILE_LOCK, "{\"default\": {\"asyncpg\": {\"hashes\": [], \"version\": \"==0.23.0\"}}}", 1, 0, 23,
	     0},
	    {PGTLS_PY_PIPFILE_LOCK, "{\"default\": {\"asyncpg\": {\"version\": \"==0.23.0\"}}", 0, -1, -1, -1},
	    {PGTLS_PY_REQUIREMENTS, "asyncpg[sa]==0.22.0 \\\n    --hash=sha256:00\n", 1, 0, 22, 0},
	    /* a range pins nothing */
	    {PGTLS_PY_REQUIREMENTS, "asyncpg>=0.21,<0.25\n", 0, -1, -1, -1},
	    {PGTLS_PY_REQUIREMENTS, "asyncpg-stubs==0.30.0\n", 0, -1, -1, -1},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		int v[3];

		print_message("case %zu\n", i);
		assert_int_equal(
		    pgtls__python_lock_parse(cases[i].kind, cases[i].text, strlen(cases[i].text), "asyncpg", v) ? 1 : 0,
		    cases[i].ok);
		assert_int_equal(v[0], cases[i].v0);
		assert_int_equal(v[1], cases[i].v1);
		assert_int_equal(v[2], cases[i].v2);
	}
}

/* a multi-module Maven project: the module names pgjdbc, its parent pom sets the version */
static void
test_java_tree(void **state)
{
	char dir[] = "/tmp/pgtls-javatree-XXXXXX", p[512];
	pgtls_clients *cl = pgtls_clients_new();
	json_t *rep, *cls;
	char *js;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "mkdir -p %s/svc/src/main/resources %s/other", dir, dir);
	assert_int_equal(system(p), 0);
	snprintf(p, sizeof(p), "%s/pom.xml", dir);
	write_file(p, "<project><dependencyManagement><dependencies><dependency><groupId>org.postgresql</groupId>"
	              "<artifactId>postgresql</artifactId><version>42.2.4</version></dependency></dependencies>"
	              "</dependencyManagement></project>\n");
	snprintf(p, sizeof(p), "%s/svc/pom.xml", dir);
	write_file(p, "<project><dependencies><dependency><groupId>org.postgresql</groupId>"
	              "<artifactId>postgresql</artifactId></dependency></dependencies></project>\n");
	snprintf(p, sizeof(p), "%s/svc/src/main/resources/application.properties", dir);
	write_file(p, "spring.datasource.url=jdbc:postgresql://db30/app?ssl=true\n");
	snprintf(p, sizeof(p), "%s/other/build.gradle", dir);
	write_file(p, "dependencies { implementation 'org.postgresql:postgresql:42.6.0' }\n");
	snprintf(p, sizeof(p), "%s/other/app.properties", dir);
	write_file(p, "url=jdbc:postgresql://db31/app?ssl=true\n");
	assert_int_equal(pgtls_clients_scan_path(cl, dir), PGTLS_OK);
	js = pgtls_clients_json(cl, 0);
	rep = json_loads(js, 0, NULL);
	cls = json_object_get(rep, "clients");
	assert_int_equal(json_array_size(cls), 2);
	for (size_t i = 0; i < 2; i++)
	{
		json_t *c = json_array_get(cls, i);
		bool svc = strcmp(json_string_value(json_object_get(c, "host")), "db30") == 0;

		assert_string_equal(json_string_value(json_object_get(c, "driver")), svc ? "pgjdbc-before-42.2.5" : "pgjdbc");
		assert_string_equal(json_string_value(json_object_get(c, "outcome")), svc ? "verifies_ca" : "verifies_full");
		assert_non_null(strstr(json_string_value(json_object_get(c, "note")), svc ? "42.2.4" : "42.6.0"));
	}
	json_decref(rep);
	pgtls_free(js);
	pgtls_clients_free(cl);
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	assert_int_equal(system(p), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_samples),         cmocka_unit_test(test_unparsed),
	    cmocka_unit_test(test_go_versions),     cmocka_unit_test(test_java_versions),
	    cmocka_unit_test(test_python_versions), cmocka_unit_test(test_java_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
