/*
 * drivers_doc.c - renders docs/drivers.md from the driver table of the
 * rules engine (lib/rules/drivers.c), so the documentation cannot drift
 * from what pgtls decides.  test_rules checks the committed file.
 */
#include <stdio.h>

#include "rules/rules.h"

void pgtls_test_drivers_doc(FILE *out);

static const char *
yes(bool b)
{
	return b ? "yes" : "no";
}

void
pgtls_test_drivers_doc(FILE *out)
{
	fprintf(out, "# What each driver does with TLS\n\n"
	             "Generated from the rules engine's driver table (`lib/rules/drivers.c`) by\n"
	             "`build/tests/unit/test_rules --drivers-doc`; `test_rules` fails when this file\n"
	             "is not the table.  `pgtls probe`, `pgtls clients` and `pgtls rotation` all\n"
	             "decide with the one function `pgtls__rules_decide()` (`lib/rules/rules.c`)\n"
	             "that reads this table; docs/sslmode-rules.md explains the libpq rules.\n\n");
	fprintf(out,
	        "| driver | recognised by | default sslmode | default root file | OS store by default | "
	        "root file makes require verify | root file makes prefer verify | only an explicit sslrootcert "
	        "upgrades | weak modes mean verify-full | sslrootcert=system needs verify-full | root file PEM only |\n"
	        "|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (int i = 0; i < PGTLS_DRIVER_COUNT; i++)
	{
		const pgtls_driver_rules *d = pgtls__driver_rules((pgtls_driver)i);

		fprintf(out, "| `%s` (%s) | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", d->name, d->label,
		        d->recognised_by, pgtls_sslmode_name(d->default_mode),
		        d->default_root_file ? "`~/.postgresql/root.crt`" : "none", yes(d->system_store_default),
		        yes(d->root_upgrades_require), yes(d->root_upgrades_prefer), yes(d->root_upgrade_explicit),
		        yes(d->weak_modes_verify_full), yes(d->system_verify_full_only), yes(d->root_pem_only));
	}
	fprintf(out, "\n## Errors the application shows\n\n| driver | untrusted chain | host name mismatch | "
	             "server refuses TLS | root file missing |\n|---|---|---|---|---|\n");
	for (int i = 0; i < PGTLS_DRIVER_COUNT; i++)
	{
		const pgtls_driver_rules *d = pgtls__driver_rules((pgtls_driver)i);

		fprintf(out, "| `%s` | %s | %s | %s | %s |\n", d->name, d->err_chain, d->err_host, d->err_no_ssl,
		        d->err_no_root);
	}
	fprintf(out, "\n## Notes and sources\n\n");
	for (int i = 0; i < PGTLS_DRIVER_COUNT; i++)
	{
		const pgtls_driver_rules *d = pgtls__driver_rules((pgtls_driver)i);

		fprintf(out, "- `%s`: %s. Source: %s. Checked: %s.\n", d->name, d->notes, d->source, d->run_by);
	}
	fprintf(
	    out,
	    "\n## Client outcomes (`pgtls clients`, JSON `outcome`)\n\n"
	    "Each client's settings are fed to the rules engine against hypothetical\n"
	    "servers (honest; refusing TLS; requiring TLS; forging the chain; with\n"
	    "another name) and classified:\n\n"
	    "- `no_tls`: never encrypts (disable);\n"
	    "- `opportunistic`: TLS only when it works, else plaintext (allow, prefer);\n"
	    "- `encrypted_unverified`: TLS that verifies nothing (open to a man in the middle);\n"
	    "- `verifies_ca`: chain verified, any host name;\n"
	    "- `verifies_full`: chain and host name verified;\n"
	    "- `fails`: the settings cannot connect to any server (e.g. `sslrootcert=system`\n"
	    "  with a mode weaker than verify-full);\n"
	    "- `unknown`: the sslmode is not one the driver accepts.\n\n"
	    "A root file that does not exist on the scanned machine keeps the outcome the\n"
	    "settings ask for and is reported beside it (`failure: root_missing`).\n\n"
	    "## Rotation predictions (`pgtls rotation`, JSON `prediction`)\n\n"
	    "The same client facts are decided twice against its endpoint (the TARGET it\n"
	    "connects to): with the chain served now, and with the chain after the switch\n"
	    "(the served chain when the endpoint already serves the new CA; else whether\n"
	    "the client's trust anchors build a path to the new CA). The endpoint's\n"
	    "plaintext acceptance comes from its probe, so a `prefer` client whose\n"
	    "verification fails falls back where the server allows plaintext and breaks\n"
	    "where it does not.\n\n"
	    "- `already_broken`: fails now;\n"
	    "- `breaks`: works now, fails after the switch (with the driver's error);\n"
	    "- `falls_back_to_plaintext`: keeps connecting, silently without TLS;\n"
	    "- `unaffected_unverified`, `unaffected_no_tls`: keeps connecting, and never verified;\n"
	    "- `keeps_working`: verifies, and trusts the new chain;\n"
	    "- `unknown`: the trust store is not in the application's files (JVM), the\n"
	    "  root file is not on this machine, a setting is set where the application\n"
	    "  runs, or the endpoint was not probed or not reachable.\n\n"
	    "`decision` is GO only when no client is `breaks`, `already_broken`,\n"
	    "`falls_back_to_plaintext` or `unknown`, every endpoint was reachable, and no\n"
	    "not-understood line or old-CA-only trust file no client reads is left\n"
	    "unacknowledged. A root file not on this machine is `unknown`, never\n"
	    "`already_broken`.\n\n"
	    "## Where settings are read\n\n"
	    "Each reader feeds the same typed client record into the rules engine. What\n"
	    "looks like PostgreSQL settings but is not understood goes to `unparsed[]`\n"
	    "(file, line, reason) and makes the exit status 1, and so does a file naming\n"
	    "a TARGET or a cloud endpoint with no client understood; MySQL and other DSNs\n"
	    "are left alone. Each client is judged where its application runs: relative\n"
	    "paths from the application's directory, container paths through its compose\n"
	    "and Kubernetes volumes, process-wide settings from any of its files.\n\n"
	    "| where | read as | driver |\n"
	    "|---|---|---|\n"
	    "| conninfo strings, keywords in any order (quoted, or a `NAME=host=...` line) | libpq keywords | the "
	    "file's |\n"
	    "| `postgresql://` and `postgres://` URIs; parameters libpq does not know (Prisma `schema`, `pgbouncer`, "
	    "node-postgres `uselibpqcompat`) are noted, not fatal | libpq URI | the file's |\n"
	    "| SQLAlchemy `postgresql+psycopg2://`, `+psycopg://`, `+asyncpg://` | URI; the dialect names the driver | "
	    "psycopg / asyncpg |\n"
	    "| asyncpg DSN `?sslmode=` (its `?ssl=` is sent to the server as a setting and refused: `bad_setting`); "
	    "SQLAlchemy `postgresql+asyncpg://...?ssl=<sslmode>` (a keyword argument); `ssl=True` (verify-full, "
	    "system store) | sslmode | asyncpg |\n"
	    "| `jdbc:postgresql:` URLs; `?ssl` (no value) is verify-full; `sslmode` any case; a custom "
	    "`sslhostnameverifier` verifies the CA only; Spring `${NAME:default}` takes the default | pgjdbc "
	    "properties | pgjdbc |\n"
	    "| `-Djavax.net.ssl.trustStore=` anywhere in the application (`JAVA_OPTS` in start scripts, "
	    "`JAVA_TOOL_OPTIONS`/`JDK_JAVA_OPTIONS` in Dockerfiles, units, compose or Kubernetes env, the manifest); "
	    "two different stores: `unknown` | the JVM trust store file | pgjdbc |\n"
	    "| Java `Properties` (`setProperty`, `put`, `PGProperty.X.set`) beside `DriverManager.getConnection(URL, "
	    "props)` (the URL's own parameters win), `PGSimpleDataSource` setters, Spring "
	    "`spring.datasource.hikari.data-source-properties` (properties and YAML); `System.getenv(\"X\")` names X | "
	    "pgjdbc properties | pgjdbc |\n"
	    "| Python `psycopg2.connect(...)`, `psycopg.connect`, pools, `asyncpg.connect`/`create_pool`, "
	    "`create_engine(URL, connect_args=...)`, psycopg_pool `ConnectionPool`, peewee `PostgresqlDatabase(name, "
	    "...)` with keyword arguments over any lines | keywords (database is dbname) | psycopg / asyncpg |\n"
	    "| Ruby `PG.connect(...)`/`PG::Connection.new` hashes, `establish_connection(adapter: 'postgresql', ...)`, "
	    "`Sequel.connect(adapter: 'postgres', ...)`; `ENV['X']` (unknown, names X), `ENV.fetch('X', 'd')` | "
	    "pg gem = libpq keywords | libpq |\n"
	    "| Django `DATABASES` (every postgresql/postgis database; `os.environ.get(NAME, default)`; "
	    "`os.path.join(BASE_DIR, ...)`) | HOST/PORT/NAME/USER + OPTIONS | psycopg |\n"
	    "| `.env` files: PG* variables, applied to the URIs beside them | libpq environment | libpq |\n"
	    "| `psql`, `pg_dump`, `pg_restore`, ... command lines (`-h -p -U -d`, `PGSSLMODE=... psql`), with the "
	    "file's `export`, systemd `Environment=`/`EnvironmentFile=`/`User=` (its HOME), Dockerfile `ENV` and "
	    "exec-form `CMD` | libpq options + environment | libpq |\n"
	    "| node-postgres `new Pool({...})`/`Client`, knex `{client: 'pg', connection}`, Sequelize "
	    "`dialectOptions.ssl`, TypeORM `{type: 'postgres', ssl}`; `ssl: true` (verify-full, Node's CA store), "
	    "`{rejectUnauthorized: false}`, `{ca: fs.readFileSync(...)}` (`path.join(__dirname, ...)`), "
	    "`checkServerIdentity` (CA only), `process.env.X || 'default'`; config modules (`module.exports = {...}`, "
	    "`export default {...}`, per environment as knexfiles); the process's `NODE_TLS_REJECT_UNAUTHORIZED=0` "
	    "(verifies nothing unless `rejectUnauthorized: true`) and `NODE_EXTRA_CA_CERTS` from any file of the "
	    "application | node-postgres config | node-postgres |\n"
	    "| GitHub Actions workflows (workflow/job/step `env:` applied to `run:` commands), GitLab CI (global and job "
	    "`variables:` applied to `script:` lines) | libpq options + environment | libpq |\n"
	    "| Rails `config/database.yml` (postgresql/postgis adapters, `<<:` merges, ERB `ENV.fetch` defaults, "
	    "`url:`) | pg gem = libpq keywords | libpq |\n"
	    "| docker-compose `environment:` (map or list) and `env_file:`, Kubernetes container `env:` lists | PG* and "
	    "*_URL "
	    "variables | libpq |\n"
	    "| pgAdmin `servers.json` (Host, Port, SSLMode, SSLRootCert, `connection_params`) | libpq keywords | psycopg "
	    "|\n"
	    "| DBeaver `data-sources.json` (provider postgresql; the `postgre_ssl` handler's sslMode, "
	    "ssl.ca.cert/rootCert, sslFactory) | pgjdbc properties | pgjdbc |\n"
	    "| Grafana `[database]` (`type = postgres`, `host = h:port`, `ssl_mode`, `ca_cert_path`) | lib/pq | lib/pq |\n"
	    "| Laravel `config/database.php` `'driver' => 'pgsql'` (`env('X', 'default')`), PHP PDO "
	    "`pgsql:host=...;sslmode=...` | PDO DSN | libpq |\n"
	    "| `pg_service.conf`, `.pg_service.conf` (and with `--env` `PGSERVICEFILE`, `$PGSYSCONFDIR`); "
	    "`service=NAME` resolved as libpq does (`export PGSERVICEFILE=...` before the command, `~/.pg_service.conf`, "
	    "the system file; none defines it: fails, a file not here: `unknown`) | services | libpq |\n"
	    "| `SSL_CERT_FILE` anywhere in the application: the system store of libpq `sslrootcert=system`, asyncpg "
	    "`ssl=True`, Go | the file | libpq / asyncpg / Go |\n"
	    "| Npgsql `Host=...;SSL Mode=...` | Npgsql keywords | npgsql |\n"
	    "| with `--env`: PG* and *_URL variables, `JAVA_TOOL_OPTIONS`/`JAVA_OPTS` | libpq environment | libpq |\n\n"
	    "A host that is a path (`/var/run/postgresql`, Cloud SQL `/cloudsql/...`), or no\n"
	    "host at all for libpq/psycopg, is `unix_socket`: TLS does not apply. A TLS\n"
	    "setting that comes from code or an unset variable makes the outcome `unknown`\n"
	    "with the reason. Trees skip `.git`, `node_modules`, `vendor`, virtualenvs and\n"
	    "binaries; files over 4 MiB, FIFOs, symbolic link loops and unreadable paths are\n"
	    "listed in `skipped[]`.\n\n"
	    "Prisma: `schema.prisma` `datasource` blocks (provider postgresql) give one client per\n"
	    "`url`, `directUrl` and `shadowDatabaseUrl`; `env(\"NAME\")` is looked up in the `.env`\n"
	    "of the schema's directory and the two above it, else the outcome is `unknown`. A URL\n"
	    "anywhere with Prisma's own parameters (`sslaccept`, `sslidentity`, `schema`,\n"
	    "`pgbouncer`, `connection_limit`, ...) is judged by the `prisma` row. Not read yet:\n"
	    "Grafana data source provisioning, Prisma 7's `prisma.config.ts`.\n\n"
	    "## Driver versions\n\n"
	    "- Go lib/pq: the nearest `go.mod` above a `.go` file decides: `github.com/lib/pq`\n"
	    "  v1.12.0 or later is `lib/pq-1.12` (reads `~/.postgresql/root.crt` by default, so\n"
	    "  require then verifies the CA), older or none is `lib/pq`.\n"
	    "- node-postgres: the nearest `npm-shrinkwrap.json`, `package-lock.json`, `yarn.lock`,\n"
	    "  `pnpm-lock.yaml` (else the lowest version `package.json` allows) above a `.js`/`.ts`\n"
	    "  file gives the versions of `pg` and `pg-connection-string` (the copy nested under\n"
	    "  `pg` first); every node-postgres client carries them in its note:\n"
	    "  - pg before 8.0 is `node-postgres-7`: `ssl: true` and ssl objects without\n"
	    "    `rejectUnauthorized: true` verify nothing, a URL's `sslmode` is ignored;\n"
	    "  - pg-connection-string before 2.4.0: a URL's `sslmode` is ignored (plaintext unless\n"
	    "    `ssl=true` or PGSSLMODE), and the config's ssl object stays;\n"
	    "  - 2.4.0 and later: a URL's `sslmode`/`sslrootcert` replace the config's ssl object;\n"
	    "  - 2.8.0 and later with `uselibpqcompat=true`: `node-postgres-libpqcompat`;\n"
	    "  - no lock file and no package.json: judged as a fresh install (pg 8, newest\n"
	    "    pg-connection-string), and the note says so;\n"
	    "  - PGSSLMODE applies when neither the URL nor the config sets ssl.\n"
	    "- pgjdbc: the nearest directory above a `jdbc:postgresql:` URL whose `gradle.lockfile`,\n"
	    "  `pom.xml` (its `<properties>` and `<dependencyManagement>` too), `build.gradle.kts`,\n"
	    "  `build.gradle` (with `gradle.properties`) or `gradle/libs.versions.toml` gives a\n"
	    "  version of `org.postgresql:postgresql` (or the old `postgresql:postgresql`) decides;\n"
	    "  a build file that names it without a version takes Spring Boot's `postgresql.version`\n"
	    "  property if it sets one, else (a parent POM or BOM manages it) sends the search\n"
	    "  further up. Before 42.2.5 is `pgjdbc-before-42.2.5`: no TLS without\n"
	    "  `ssl`/`sslmode`, `ssl=true` checks the chain against the JVM trust store but not the\n"
	    "  host name, allow/prefer fail, verify-full with another sslfactory checks no host name\n"
	    "  (CVE-2018-10936). DBeaver connections bring their own driver and are not looked up.\n"
	    "  Every pgjdbc client carries the version, or why none was found, in its note.\n"
	    "- asyncpg: the nearest `poetry.lock`, `uv.lock`, `pdm.lock`, `Pipfile.lock`, or\n"
	    "  `requirements.txt`/`requirements.lock` pin (`asyncpg==X`) above a `.py` file gives the\n"
	    "  version, named in the client's note. The `asyncpg` row is 0.25 and later (PR #827:\n"
	    "  the DSN's TLS settings follow libpq); a pin before 0.25 makes the outcome `unknown`\n"
	    "  with that reason (its rules are not emulated), never an all-clear. No pin: judged as\n"
	    "  a fresh install.\n"
	    "- Prisma: the `prisma` row is the Rust engine (Prisma 6 and before, and Migrate);\n"
	    "  a schema that enables driver adapters is noted: at run time the JavaScript driver\n"
	    "  (node-postgres through `@prisma/adapter-pg`) decides.\n"
	    "- libpq: the rules of the libpq pgtls links (15 on Debian 12) except\n"
	    "  `sslrootcert=system`, judged by libpq 16+ rules.\n");
}
