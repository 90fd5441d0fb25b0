#!/usr/bin/python3
"""The rehearsal: a CA rotation on an estate laid out as real repositories.

Three PostgreSQL 15 servers on the OLD CA (one TLS-only, like
rds.force_ssl=1) and twenty-two applications, each in its own project
directory, on eight stacks: node-postgres (installed from npm), psql and
pg_dump scripts, Rails (database.yml, libpq through the pg gem), psycopg2,
Django, asyncpg, pgjdbc with both factories, and Go (lib/pq, pgx).  Their settings are where
real projects keep them, and how they run decides what they do:

  node-config      module.exports = {..., ssl: {ca: fs.readFileSync('certs/..')}}  relative to the app
  node-noverify    ssl: true, NODE_TLS_REJECT_UNAUTHORIZED=0 in Dockerfile and .env
  node-extra-ca    ssl: true, NODE_EXTRA_CA_CERTS=/certs/.. through a compose volume
  etl-dotenv       .env with PG* and a relative PGSSLROOTCERT
  compose-etl      compose environment PGSSLROOTCERT=/certs/root.crt, volume ./certs:/certs
  billing-java     pgjdbc DefaultJavaSSLFactory; the trust store in bin/start.sh's JAVA_OPTS
  reports-java     pgjdbc LibPQFactory, sslrootcert relative to the app
  billing-scripts  bin/nightly.sh exports PGSERVICEFILE, then psql service=billing
  shop-django      DATABASES OPTIONS with a relative sslrootcert
  worker           psycopg2.connect(..., sslmode='require'), no root file
  events-asyncpg   asyncpg.connect(DSN with a relative sslrootcert)
  legacy-rails     config/database.yml, prefer with a stale root, plaintext allowed
  cron-vacuum      a crontab line, psql sslmode=require
  analytics        sslrootcert=system, SSL_CERT_FILE from a Kubernetes manifest's hostPath
  nightly-jvm      Spring application.yml, JAVA_TOOL_OPTIONS in a Dockerfile, compose volume
  audit-jvm        DefaultJavaSSLFactory, JDK_JAVA_OPTIONS in a systemd unit
  ledger-java      java.util.Properties beside the URL (the URL's sslmode wins), sslrootcert from them
  etl-manifest     psql with no TLS setting in its files: the --apps manifest gives its environment
  backup           pg_dump sslmode=disable
  payments-java    pgjdbc prefer, DefaultJavaSSLFactory, the store in bin/run.sh: breaks, no fallback
  ledger-go        Go lib/pq (go.mod 1.10.7), verify-ca with a relative root file of the old CA
  stream-pgx       Go pgx v4, a postgres:// URL with verify-full and a relative bundle
  ops-legacy       an app.ini no reader understands, naming a server, and a stale JKS

pgtls rotation runs from an unrelated directory with each application's
directory given to --clients.  Every application really runs before the
switch, every server really switches to a certificate from the NEW CA
(through an intermediate), and every application really runs again; each
prediction must be what happened, and GO only when nothing breaks: the
applications that keep working alone get GO (exit 0); with node-config
added (the application that broke after a GO in a newcomer's rehearsal)
NO-GO.  ops-legacy cannot be run (nobody knows how it connects): it must be
a not-understood line, and its JKS a stale trust file no client reads.

Driver facts the applications rest on (their sources):
- node-postgres lib/connection.js passes config.ssl to tls.connect();
  Node lib/_tls_wrap.js: rejectUnauthorized defaults to
  process.env.NODE_TLS_REJECT_UNAUTHORIZED !== '0'; NODE_EXTRA_CA_CERTS
  extends the bundled roots (doc/api/cli.md); fs.readFileSync of a
  relative path opens it from process.cwd().
- libpq fe-secure-openssl.c: sslrootcert is opened as given (relative to
  the working directory); sslrootcert=system uses OpenSSL's default paths,
  which SSL_CERT_FILE replaces; fe-connect.c parseServiceInfo() reads
  PGSERVICEFILE.
- pgjdbc Driver.connect() copies the Properties given, then parseURL()
  lays the URL's parameters over them: the URL's own settings win.
- pgjdbc LibPQFactory opens sslrootcert with FileInputStream (relative to
  user.dir); DefaultJavaSSLFactory uses the JVM's javax.net.ssl.trustStore,
  read once per JVM (sun.security.ssl.TrustStoreManager).
- asyncpg connect_utils.py passes sslrootcert to load_verify_locations().

Run:  /usr/bin/python3 tests/integration/test_rehearsal.py BUILD_DIR
"""
import json
import os
import shlex
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import HERE, PGTLS, Server, check, keytool_store, npm_install, run_tests  # noqa: E402
from test_go import build_client  # noqa: E402

PGJDBC = "/usr/share/java/postgresql.jar"
BILLING_STOREPASS = "billing-store-7"
SSL_Q = "select ssl from pg_stat_ssl where pid = pg_backend_pid()"
NODE_APP = """const {{ Pool }} = require('pg')
const config = require('{cfg}')
const pool = new Pool(config)
pool.query("{q}")
  .then((r) => {{ console.log('connects ' + (r.rows[0].ssl ? 't' : 'f')); return pool.end() }})
  .catch((e) => {{ console.log('fails ' + String(e.message).replace(/\\s+/g, ' ')); process.exit(1) }})
"""
NODE_POOL_APP = """const pool = require('{pool}')
pool.query("{q}")
  .then((r) => {{ console.log('connects ' + (r.rows[0].ssl ? 't' : 'f')); return pool.end() }})
  .catch((e) => {{ console.log('fails ' + String(e.message).replace(/\\s+/g, ' ')); process.exit(1) }})
"""
ASYNCPG_RUN = """
import asyncio, json, sys
import asyncpg
async def main():
    try:
        a = sys.argv[1]
        c = await asyncio.wait_for(asyncpg.connect(**json.loads(a)) if a.startswith('{') else asyncpg.connect(a), 10)
    except Exception as e:
        print('fails', type(e).__name__, str(e).replace(chr(10), ' ')); sys.exit(1)
    print('connects', 't' if await c.fetchval(%r) else 'f')
    await c.close()
asyncio.run(main())
""" % SSL_Q
PSYCOPG2_RUN = """
import json, sys, psycopg2
try:
    c = psycopg2.connect(**json.loads(sys.argv[1]))
except Exception as e:
    print('fails', str(e).strip().replace(chr(10), ' ')); sys.exit(1)
cur = c.cursor(); cur.execute(%r); print('connects', 't' if cur.fetchone()[0] else 'f')
""" % SSL_Q


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def outcome(r):
    """('connects', 't'/'f') or ('fails', why) from a client's first output line"""
    out = (r.stdout.strip().splitlines() or [r.stderr.strip() or "fails (no output)"])[0]
    if r.returncode == 0 and (out.startswith("connect") or out in ("t", "f")):  # psql -At prints t or f
        return ("connects", "t" if out.endswith("t") else "f")
    return ("fails", (out + " " + r.stderr.strip())[:300])


class Estate:
    def __init__(self, env):
        self.env, pki = env, env.pki
        self.old, self.both = os.path.join(pki, "rootcert-old.pem"), os.path.join(pki, "rootcert-both.pem")
        self.newca = os.path.join(pki, "new-root.crt")
        self.p1 = Server(env, "reh-plain1", "both")
        self.tls = Server(env, "reh-tlsonly", "hostssl")
        self.p2 = Server(env, "reh-plain2", "both")
        self.root = os.path.join(env.tmp, "repos")
        self.elsewhere = os.path.join(env.tmp, "elsewhere")  # where pgtls is started from
        os.makedirs(self.elsewhere)
        self.classes = os.path.join(env.tmp, "reh-classes")
        self.apps = {}  # name -> (run(), expected prediction, server)
        self.nodepath = os.path.join(env.tmp, "reh-nodepath")

    def app(self, name):
        return os.path.join(self.root, name)

    def copy(self, src, name, rel):
        os.makedirs(os.path.dirname(os.path.join(self.app(name), rel)), exist_ok=True)
        shutil.copy(src, os.path.join(self.app(name), rel))

    def jks(self, path, certs, password="changeit"):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        keytool_store(path, certs, password)

    def run(self, args, cwd, extra=None, timeout=120):
        e = dict(self.env.env)
        e.update(extra or {})
        return outcome(subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=e, timeout=timeout))

    def psql(self, cwd, conninfo="", extra=None):
        return self.run(["psql", "-X", "-Atq", conninfo, "-c", SSL_Q], cwd, extra)

    def node(self, name, script):
        return self.run(["node", script], self.app(name), dict(NODE_PATH=self.nodepath, NODE_NO_WARNINGS="1"))

    def java(self, name, url, opts=(), extra=None):
        return self.run(["java"] + list(opts) + ["-cp", PGJDBC + ":" + self.classes, "JdbcProbe", url],
                        self.app(name), extra)

    def node_project(self, name):
        write(os.path.join(self.app(name), "package.json"),
              json.dumps({"name": name, "dependencies": {"pg": "^8.23.1"}}))
        write(os.path.join(self.app(name), "package-lock.json"), json.dumps({"lockfileVersion": 3, "packages": {
            "node_modules/pg": {"version": "8.23.1"}, "node_modules/pg-connection-string": {"version": "2.14.1"}}}))

    def build_node(self):
        p1, tls, p2 = self.p1.port, self.tls.port, self.p2.port
        # node-config: the config module the newcomer's rehearsal missed; old CA only, relative path: breaks
        self.node_project("node-config")
        write(os.path.join(self.app("node-config"), "config/database.js"),
              "const fs = require('fs')\n\nmodule.exports = {\n  host: 'localhost',\n  port: %d,\n"
              "  database: 'postgres',\n  user: 'postgres',\n"
              "  ssl: { ca: fs.readFileSync('certs/rds-ca-2019-root.pem').toString() },\n}\n" % p1)
        self.copy(self.old, "node-config", "certs/rds-ca-2019-root.pem")
        write(os.path.join(self.app("node-config"), "src/index.js"), NODE_APP.format(cfg="../config/database", q=SSL_Q))
        self.apps["node-config"] = (lambda: self.node("node-config", "src/index.js"), "breaks", self.p1)
        # node-noverify: ssl: true, but the process turns verification off
        self.node_project("node-noverify")
        write(os.path.join(self.app("node-noverify"), "Dockerfile"),
              "FROM node:20-slim\nWORKDIR /app\nENV NODE_ENV=production \\\n    NODE_TLS_REJECT_UNAUTHORIZED=0\n"
              "COPY . .\nCMD [\"node\", \"index.js\"]\n")
        write(os.path.join(self.app("node-noverify"), ".env"), "NODE_TLS_REJECT_UNAUTHORIZED=0\n")
        write(os.path.join(self.app("node-noverify"), "db.js"),
              "module.exports = { host: 'localhost', port: %d, user: 'postgres', database: 'postgres', ssl: true }\n"
              % tls)
        write(os.path.join(self.app("node-noverify"), "index.js"), NODE_APP.format(cfg="./db", q=SSL_Q))
        self.apps["node-noverify"] = (
            lambda: self.run(["node", "index.js"], self.app("node-noverify"),
                             dict(NODE_PATH=self.nodepath, NODE_NO_WARNINGS="1", NODE_TLS_REJECT_UNAUTHORIZED="0")),
            "unaffected_unverified", self.tls)
        # node-extra-ca: ssl: true on Node's store plus NODE_EXTRA_CA_CERTS (old+new), mounted by compose
        self.node_project("node-extra-ca")
        write(os.path.join(self.app("node-extra-ca"), "docker-compose.yml"),
              "services:\n  api:\n    build: .\n    environment:\n      NODE_ENV: production\n"
              "      NODE_EXTRA_CA_CERTS: /certs/global-bundle.pem\n    volumes:\n      - ./certs:/certs:ro\n")
        self.copy(self.both, "node-extra-ca", "certs/global-bundle.pem")
        write(os.path.join(self.app("node-extra-ca"), "src/db.js"),
              "const { Pool } = require('pg')\n\nmodule.exports = new Pool({\n  host: 'localhost',\n  port: %d,\n"
              "  user: 'postgres',\n  database: 'postgres',\n  ssl: true,\n})\n" % p2)
        write(os.path.join(self.app("node-extra-ca"), "run.js"), NODE_POOL_APP.format(pool="./src/db", q=SSL_Q))
        self.apps["node-extra-ca"] = (
            lambda: self.run(["node", "run.js"], self.app("node-extra-ca"),
                             dict(NODE_PATH=self.nodepath, NODE_NO_WARNINGS="1",
                                  NODE_EXTRA_CA_CERTS=os.path.join(self.app("node-extra-ca"),
                                                                   "certs/global-bundle.pem"))),
            "keeps_working", self.p2)

    def build_libpq(self):
        p1, tls, p2 = self.p1.port, self.tls.port, self.p2.port
        # etl-dotenv: .env PG* variables with a relative root file (old+new): keeps working
        envvars = {"PGHOST": "localhost", "PGPORT": str(p2), "PGUSER": "postgres", "PGDATABASE": "postgres",
                   "PGSSLMODE": "verify-full", "PGSSLROOTCERT": "certs/ca-bundle.pem"}
        write(os.path.join(self.app("etl-dotenv"), ".env"), "".join("%s=%s\n" % kv for kv in envvars.items()))
        write(os.path.join(self.app("etl-dotenv"), "requirements.txt"), "psycopg2-binary==2.9.9\n")
        self.copy(self.both, "etl-dotenv", "certs/ca-bundle.pem")
        self.apps["etl-dotenv"] = (lambda: self.psql(self.app("etl-dotenv"), "", envvars), "keeps_working", self.p2)
        # compose-etl: the root file is a container path; the volume maps it to the old CA: breaks
        write(os.path.join(self.app("compose-etl"), "docker-compose.yml"),
              "services:\n  etl:\n    image: postgres:15\n    environment:\n      PGHOST: localhost\n"
              "      PGPORT: \"%d\"\n      PGUSER: postgres\n      PGDATABASE: postgres\n      PGSSLMODE: verify-full\n"
              "      PGSSLROOTCERT: /certs/root.crt\n    volumes:\n      - ./certs:/certs:ro\n" % tls)
        self.copy(self.old, "compose-etl", "certs/root.crt")
        cenv = {"PGHOST": "localhost", "PGPORT": str(tls), "PGDATABASE": "postgres", "PGSSLMODE": "verify-full",
                "PGSSLROOTCERT": os.path.join(self.app("compose-etl"), "certs/root.crt")}
        self.apps["compose-etl"] = (lambda: self.psql(self.elsewhere, "", cenv), "breaks", self.tls)
        # billing-scripts: the script exports PGSERVICEFILE, then psql service=billing (old CA): breaks
        write(os.path.join(self.app("billing-scripts"), "bin/nightly.sh"),
              "#!/bin/sh\nset -e\nexport PGSERVICEFILE=\"$(dirname \"$0\")/../conf/pg_service.conf\"\n"
              "psql service=billing -X -Atq -c \"%s\"\n" % SSL_Q, 0o755)
        write(os.path.join(self.app("billing-scripts"), "conf/pg_service.conf"),
              "[billing]\nhost=localhost\nport=%d\nuser=postgres\ndbname=postgres\nsslmode=verify-full\n"
              "sslrootcert=%s\n" % (p1, self.old))
        write(os.path.join(self.app("billing-scripts"), ".git/HEAD"), "ref: refs/heads/main\n")
        self.apps["billing-scripts"] = (
            lambda: self.run(["sh", os.path.join(self.app("billing-scripts"), "bin/nightly.sh")], self.elsewhere),
            "breaks", self.p1)
        # legacy-rails: prefer with a stale root, the server accepts plaintext: silently falls back
        write(os.path.join(self.app("legacy-rails"), "Gemfile"), "source 'https://rubygems.org'\ngem 'pg'\n")
        write(os.path.join(self.app("legacy-rails"), "config/database.yml"),
              "default: &default\n  adapter: postgresql\n  encoding: unicode\n\nproduction:\n  <<: *default\n"
              "  host: localhost\n  port: %d\n  database: postgres\n  username: postgres\n  sslmode: prefer\n"
              "  sslrootcert: %s\n" % (p2, self.old))
        self.apps["legacy-rails"] = (
            lambda: self.psql(self.elsewhere, "host=localhost port=%d dbname=postgres sslmode=prefer sslrootcert=%s"
                              % (p2, self.old)), "falls_back_to_plaintext", self.p2)
        # cron-vacuum: require without a root file on the TLS-only server: unaffected, verifies nothing
        ci = "host=localhost port=%d user=postgres dbname=postgres sslmode=require" % tls
        write(os.path.join(self.app("cron-vacuum"), "crontab"),
              "# m h dom mon dow command\n15 3 * * * psql \"%s\" -c 'vacuum analyze'\n" % ci)
        self.apps["cron-vacuum"] = (lambda: self.psql(self.elsewhere, ci), "unaffected_unverified", self.tls)
        # analytics: asyncpg ssl=True (the system store); SSL_CERT_FILE (old CA) from a Kubernetes hostPath volume
        write(os.path.join(self.app("analytics"), "requirements.txt"), "asyncpg==0.27.0\n")
        write(os.path.join(self.app("analytics"), "Dockerfile"), "FROM python:3.11-slim\nCOPY job.py /job.py\n")
        write(os.path.join(self.app("analytics"), "job.py"),
              "import asyncpg\n\nasync def main():\n    conn = await asyncpg.connect(host='localhost', port=%d, "
              "user='postgres',\n                                 database='postgres', ssl=True)\n" % p2)
        self.copy(self.old, "analytics", "certs/ca.pem")
        write(os.path.join(self.app("analytics"), "deploy/cronjob.yaml"),
              "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: analytics\nspec:\n  jobTemplate:\n"
              "    spec:\n      template:\n        spec:\n          containers:\n            - name: job\n"
              "              image: analytics:1\n              env:\n                - name: SSL_CERT_FILE\n"
              "                  value: /etc/ssl/db/ca.pem\n              volumeMounts:\n"
              "                - name: db-ca\n                  mountPath: /etc/ssl/db\n          volumes:\n"
              "            - name: db-ca\n              hostPath:\n                path: %s\n"
              % os.path.join(self.app("analytics"), "certs"))
        kw = {"host": "localhost", "port": p2, "user": "postgres", "database": "postgres", "ssl": True}
        self.apps["analytics"] = (
            lambda: self.run(["/usr/bin/python3", "-c", ASYNCPG_RUN, json.dumps(kw)], self.elsewhere,
                             {"SSL_CERT_FILE": os.path.join(self.app("analytics"), "certs/ca.pem")}),
            "breaks", self.p2)
        # backup: pg_dump sslmode=disable: no TLS at all
        bk = "host=localhost port=%d dbname=postgres user=postgres sslmode=disable" % p1
        write(os.path.join(self.app("backup"), "backup.sh"),
              "#!/bin/sh\npg_dump \"%s\" > /var/backups/db.sql\n" % bk, 0o755)
        self.apps["backup"] = (lambda: self.psql(self.elsewhere, bk), "unaffected_no_tls", self.p1)

    def build_python(self):
        p1, tls = self.p1.port, self.tls.port
        # shop-django: OPTIONS with a relative sslrootcert (old+new): keeps working
        write(os.path.join(self.app("shop-django"), "manage.py"), "#!/usr/bin/env python\nimport django\n")
        write(os.path.join(self.app("shop-django"), "shop/settings.py"),
              "DATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.postgresql',\n"
              "        'NAME': 'postgres',\n        'USER': 'postgres',\n        'HOST': 'localhost',\n"
              "        'PORT': '%d',\n        'OPTIONS': {\n            'sslmode': 'verify-full',\n"
              "            'sslrootcert': 'certs/rds-combined-ca-bundle.pem',\n        },\n    }\n}\n" % tls)
        self.copy(self.both, "shop-django", "certs/rds-combined-ca-bundle.pem")
        dj = {"host": "localhost", "port": tls, "user": "postgres", "dbname": "postgres", "sslmode": "verify-full",
              "sslrootcert": "certs/rds-combined-ca-bundle.pem"}
        self.apps["shop-django"] = (lambda: self.run(["/usr/bin/python3", "-c", PSYCOPG2_RUN, json.dumps(dj)],
                                                     self.app("shop-django")), "keeps_working", self.tls)
        # worker: psycopg2 require, no root file (its HOME has none): verifies nothing
        write(os.path.join(self.app("worker"), "requirements.txt"), "psycopg2==2.9.9\n")
        write(os.path.join(self.app("worker"), "worker.py"),
              "import psycopg2\n\nconn = psycopg2.connect(host='localhost', port=%d, dbname='postgres',\n"
              "                        user='postgres', sslmode='require')\n" % p1)
        wk = {"host": "localhost", "port": p1, "user": "postgres", "dbname": "postgres", "sslmode": "require"}
        self.apps["worker"] = (lambda: self.run(["/usr/bin/python3", "-c", PSYCOPG2_RUN, json.dumps(wk)],
                                                self.app("worker")), "unaffected_unverified", self.p1)
        # events-asyncpg: a DSN with a relative sslrootcert (old+new): keeps working
        dsn = "postgresql://postgres@localhost:%d/postgres?sslmode=verify-full&sslrootcert=certs/bundle.pem" % tls
        write(os.path.join(self.app("events-asyncpg"), "requirements.txt"), "asyncpg==0.27.0\n")
        write(os.path.join(self.app("events-asyncpg"), "consumer.py"),
              "import asyncpg\n\nDSN = '%s'\n\nasync def main():\n    conn = await asyncpg.connect(DSN)\n" % dsn)
        self.copy(self.both, "events-asyncpg", "certs/bundle.pem")
        self.apps["events-asyncpg"] = (lambda: self.run(["/usr/bin/python3", "-c", ASYNCPG_RUN, dsn],
                                                        self.app("events-asyncpg")), "keeps_working", self.tls)

    def build_java(self):
        tls, p2 = self.tls.port, self.p2.port
        pom = ("<project><modelVersion>4.0.0</modelVersion><dependencies><dependency><groupId>org.postgresql"
               "</groupId><artifactId>postgresql</artifactId><version>42.5.5</version></dependency></dependencies>"
               "</project>\n")
        # billing-java: DefaultJavaSSLFactory; the trust store (old CA only) is in bin/start.sh's JAVA_OPTS
        self.billing_url = ("jdbc:postgresql://localhost:%d/postgres?user=postgres&sslmode=verify-full"
                            "&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory" % tls)
        write(os.path.join(self.app("billing-java"), "pom.xml"), pom)
        write(os.path.join(self.app("billing-java"), "src/main/resources/application.properties"),
              "spring.datasource.url=%s\nspring.datasource.username=postgres\n" % self.billing_url)
        write(os.path.join(self.app("billing-java"), "bin/start.sh"),
              "#!/bin/sh\nAPP_HOME=$(cd \"$(dirname \"$0\")/..\" && pwd)\ncd \"$APP_HOME\"\n"
              "JAVA_OPTS=\"$JAVA_OPTS -Xmx512m -Djavax.net.ssl.trustStore=conf/truststore.jks "
              "-Djavax.net.ssl.trustStorePassword=%s\"\nexec java $JAVA_OPTS -jar \"$APP_HOME/billing.jar\"\n"
              % BILLING_STOREPASS, 0o755)
        # its store has its own password (not keytool's changeit): the fix must keep it
        self.jks(os.path.join(self.app("billing-java"), "conf/truststore.jks"), [self.old], BILLING_STOREPASS)
        self.billing_opts = ["-Djavax.net.ssl.trustStore=conf/truststore.jks",
                             "-Djavax.net.ssl.trustStorePassword=" + BILLING_STOREPASS]
        self.apps["billing-java"] = (lambda: self.java("billing-java", self.billing_url, self.billing_opts),
                                     "breaks", self.tls)
        # reports-java: LibPQFactory with a relative PEM bundle (old+new): keeps working
        rurl = ("jdbc:postgresql://localhost:%d/postgres?user=postgres&sslmode=verify-full"
                "&sslrootcert=config/root.pem" % p2)
        write(os.path.join(self.app("reports-java"), "build.gradle"),
              "dependencies {\n    implementation 'org.postgresql:postgresql:42.5.5'\n}\n")
        write(os.path.join(self.app("reports-java"), "src/main/resources/application.properties"),
              "spring.datasource.url=%s\n" % rurl)
        self.copy(self.both, "reports-java", "config/root.pem")
        self.apps["reports-java"] = (lambda: self.java("reports-java", rurl), "keeps_working", self.p2)
        # nightly-jvm: Spring application.yml; JAVA_TOOL_OPTIONS in the Dockerfile; the store mounted by compose
        nurl = ("jdbc:postgresql://localhost:%d/postgres?user=postgres&sslmode=verify-full"
                "&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory" % p2)
        write(os.path.join(self.app("nightly-jvm"), "pom.xml"), pom)
        write(os.path.join(self.app("nightly-jvm"), "src/main/resources/application.yml"),
              "spring:\n  datasource:\n    url: %s\n    username: postgres\n" % nurl)
        write(os.path.join(self.app("nightly-jvm"), "Dockerfile"),
              "FROM eclipse-temurin:17-jre\nENV JAVA_TOOL_OPTIONS=\"-Djavax.net.ssl.trustStore=/opt/trust/cacerts.jks "
              "-Djavax.net.ssl.trustStorePassword=changeit\"\nCOPY target/app.jar /app.jar\n"
              "ENTRYPOINT [\"java\", \"-jar\", \"/app.jar\"]\n")
        write(os.path.join(self.app("nightly-jvm"), "docker-compose.yml"),
              "services:\n  nightly:\n    build: .\n    volumes:\n      - ./trust:/opt/trust:ro\n")
        self.jks(os.path.join(self.app("nightly-jvm"), "trust/cacerts.jks"), [self.old, self.newca])
        tool = "-Djavax.net.ssl.trustStore=%s -Djavax.net.ssl.trustStorePassword=changeit" % os.path.join(
            self.app("nightly-jvm"), "trust/cacerts.jks")
        self.apps["nightly-jvm"] = (lambda: self.java("nightly-jvm", nurl, extra={"JAVA_TOOL_OPTIONS": tool}),
                                    "keeps_working", self.p2)

    def build_java_props(self):
        # ledger-java: java.util.Properties beside the URL (pgjdbc: the URL's own verify-full wins over the
        # Properties' disable; sslrootcert, old CA only, comes from the Properties): breaks
        url = "jdbc:postgresql://localhost:%d/postgres?sslmode=verify-full" % self.tls.port
        write(os.path.join(self.app("ledger-java"), "build.gradle"),
              "dependencies {\n    runtimeOnly 'org.postgresql:postgresql:42.5.5'\n}\n")
        write(os.path.join(self.app("ledger-java"), "src/main/java/com/acme/ledger/Db.java"),
              "package com.acme.ledger;\n\nimport java.sql.Connection;\nimport java.sql.DriverManager;\n"
              "import java.util.Properties;\n\nfinal class Db {\n    static Connection open() throws Exception {\n"
              "        Properties props = new Properties();\n        props.setProperty(\"user\", \"postgres\");\n"
              "        props.setProperty(\"sslmode\", \"disable\");\n"
              "        props.setProperty(\"sslrootcert\", \"%s\");\n"
              "        return DriverManager.getConnection(\"%s\", props);\n    }\n}\n" % (self.old, url))
        self.apps["ledger-java"] = (
            lambda: self.run(["java", "-cp", PGJDBC + ":" + self.classes, "PropsProbe", url, "user=postgres",
                              "sslmode=disable", "sslrootcert=" + self.old], self.elsewhere),
            "breaks", self.tls)

    def build_jvm_unit(self):
        # audit-jvm: DefaultJavaSSLFactory; the trust store (old CA only) comes from JDK_JAVA_OPTIONS in a systemd
        # unit (the java launcher reads it, JDK 9+): breaks
        url = ("jdbc:postgresql://localhost:%d/postgres?user=postgres&sslmode=verify-full"
               "&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory" % self.p1.port)
        store = os.path.join(self.app("audit-jvm"), "trust/audit.jks")
        write(os.path.join(self.app("audit-jvm"), "pom.xml"),
              "<project><dependencies><dependency><groupId>org.postgresql</groupId><artifactId>postgresql"
              "</artifactId><version>42.5.5</version></dependency></dependencies></project>\n")
        write(os.path.join(self.app("audit-jvm"), "src/main/resources/db.properties"), "jdbc.url=%s\n" % url)
        write(os.path.join(self.app("audit-jvm"), "deploy/audit.service"),
              "[Unit]\nDescription=audit\n\n[Service]\nUser=postgres\n"
              "Environment=\"JDK_JAVA_OPTIONS=-Djavax.net.ssl.trustStore=%s\"\n"
              "ExecStart=/usr/bin/java -jar /srv/audit/audit.jar\n" % store)
        self.jks(store, [self.old])
        self.apps["audit-jvm"] = (
            lambda: self.java("audit-jvm", url, extra={"JDK_JAVA_OPTIONS": "-Djavax.net.ssl.trustStore=%s "
                                                       "-Djavax.net.ssl.trustStorePassword=changeit" % store}),
            "breaks", self.p1)

    def build_java_prefer(self):
        # payments-java: pgjdbc sslmode=prefer through DefaultJavaSSLFactory, the JVM store (old CA only) in
        # bin/run.sh, on a server that also accepts plaintext.  pgjdbc's prefer retries without TLS only after the
        # server's rejection over TLS (ConnectionFactoryImpl: SQLSTATE 28000), never after a failed handshake:
        # it breaks; libpq's prefer would have gone on in plaintext
        url = ("jdbc:postgresql://localhost:%d/postgres?user=postgres&sslmode=prefer"
               "&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory" % self.p1.port)
        write(os.path.join(self.app("payments-java"), "build.gradle"),
              "dependencies {\n    implementation 'org.postgresql:postgresql:42.5.5'\n}\n")
        write(os.path.join(self.app("payments-java"), "src/main/resources/application.properties"),
              "spring.datasource.url=%s\n" % url)
        write(os.path.join(self.app("payments-java"), "bin/run.sh"),
              "#!/bin/sh\ncd \"$(dirname \"$0\")/..\"\nJAVA_OPTS=\"-Djavax.net.ssl.trustStore=conf/cacerts.jks "
              "-Djavax.net.ssl.trustStorePassword=changeit\"\nexec java $JAVA_OPTS -jar build/libs/payments.jar\n",
              0o755)
        self.jks(os.path.join(self.app("payments-java"), "conf/cacerts.jks"), [self.old])
        opts = ["-Djavax.net.ssl.trustStore=conf/cacerts.jks", "-Djavax.net.ssl.trustStorePassword=changeit"]
        self.apps["payments-java"] = (lambda: self.java("payments-java", url, opts), "breaks", self.p1)

    def build_go(self):
        # ledger-go: Go lib/pq 1.10 (go.mod), verify-ca with a relative root file of the old CA only: breaks;
        # stream-pgx: pgx v4, verify-full with a relative bundle of both CAs: keeps working.  Both run as the
        # real drivers (tests/integration/go/probe.go, Debian's lib/pq 1.10.7 and pgx 4.15) from their directory
        pq = "host=localhost port=%d user=postgres dbname=postgres sslmode=verify-ca sslrootcert=certs/db-ca.pem" % (
            self.p2.port)
        write(os.path.join(self.app("ledger-go"), "go.mod"),
              "module example.com/ledger\n\ngo 1.19\n\nrequire github.com/lib/pq v1.10.7\n")
        write(os.path.join(self.app("ledger-go"), "cmd/ledger/main.go"),
              "package main\n\nimport (\n\t\"database/sql\"\n\n\t_ \"github.com/lib/pq\"\n)\n\n"
              "const dsn = \"%s\"\n\nfunc main() {\n\tdb, err := sql.Open(\"postgres\", dsn)\n"
              "\tif err != nil {\n\t\tpanic(err)\n\t}\n\tdefer db.Close()\n}\n" % pq)
        self.copy(self.old, "ledger-go", "certs/db-ca.pem")
        self.apps["ledger-go"] = (lambda: self.run([self.goexe, "pq", pq], self.app("ledger-go")), "breaks", self.p2)
        url = "postgres://postgres@localhost:%d/postgres?sslmode=verify-full&sslrootcert=certs/bundle.pem" % (
            self.tls.port)
        write(os.path.join(self.app("stream-pgx"), "go.mod"),
              "module example.com/stream\n\ngo 1.19\n\nrequire github.com/jackc/pgx/v4 v4.15.0\n")
        write(os.path.join(self.app("stream-pgx"), "main.go"),
              "package main\n\nimport (\n\t\"context\"\n\n\t\"github.com/jackc/pgx/v4\"\n)\n\n"
              "func main() {\n\tconn, err := pgx.Connect(context.Background(), \"%s\")\n"
              "\tif err != nil {\n\t\tpanic(err)\n\t}\n\tdefer conn.Close(context.Background())\n}\n" % url)
        self.copy(self.both, "stream-pgx", "certs/bundle.pem")
        self.apps["stream-pgx"] = (lambda: self.run([self.goexe, "pgx", url], self.app("stream-pgx")),
                                   "keeps_working", self.tls)

    def build_unknown(self):
        # ops-legacy: a config no reader understands names the TLS-only server; its JKS holds the old CA only
        write(os.path.join(self.app("ops-legacy"), "app.ini"),
              "[database]\nendpoint = localhost:%d\nname = postgres\ntruststore = certs/legacy-trust.jks\n"
              % self.tls.port)
        self.jks(os.path.join(self.app("ops-legacy"), "certs/legacy-trust.jks"), [self.old])

    def build_manifest(self):
        # etl-manifest: psql with no TLS setting in its files; the manifest gives its process environment
        # (PGSSLMODE, a PGSSLROOTCERT relative to its working directory): keeps working
        p2 = self.p2.port
        write(os.path.join(self.app("etl-manifest"), "bin/load.sh"),
              "#!/bin/sh\npsql \"host=localhost port=%d user=postgres dbname=postgres\" -c 'select 1'\n" % p2, 0o755)
        self.copy(self.both, "etl-manifest", "run/certs/bundle.pem")
        self.manifest = os.path.join(self.root, "pgtls-apps.yaml")
        write(self.manifest,
              "# where the applications run, and what a person checked\napplications:\n"
              "  - name: etl-manifest\n    paths: [etl-manifest]\n    workdir: etl-manifest/run\n"
              "    environment:\n      PGSSLMODE: verify-full\n      PGSSLROOTCERT: certs/bundle.pem\n"
              "acknowledge:\n  - file: ops-legacy/app.ini\n    reason: decommissioned, connects nowhere\n"
              "  - file: ops-legacy/certs/legacy-trust.jks\n    reason: kept for the audit only\n")
        menv = {"PGSSLMODE": "verify-full", "PGSSLROOTCERT": "certs/bundle.pem"}
        self.apps["etl-manifest"] = (
            lambda: self.psql(os.path.join(self.app("etl-manifest"), "run"),
                              "host=localhost port=%d user=postgres dbname=postgres" % p2, menv),
            "keeps_working", self.p2)

    def build(self):
        self.build_manifest()
        self.build_node()
        self.build_libpq()
        self.build_python()
        self.build_java()
        self.build_java_props()
        self.build_jvm_unit()
        self.build_java_prefer()
        self.build_go()
        self.build_unknown()

    def start(self, modules):
        os.makedirs(self.nodepath)
        os.symlink(os.path.join(modules, "pg8"), os.path.join(self.nodepath, "pg"))
        subprocess.run(["javac", "-d", self.classes, os.path.join(HERE, "java/JdbcProbe.java"),
                        os.path.join(HERE, "java/PropsProbe.java")], check=True)
        for s in (self.p1, self.tls, self.p2):
            s.pg("start", "old", s.hba)
        self.goexe = build_client(self.env) or "/nonexistent/go-client"

    def targets(self):
        return ["localhost:%d" % s.port for s in (self.p1, self.tls, self.p2)]

    def rotation(self, apps, *extra):
        args = [PGTLS, "rotation", "--json", "--new-ca", self.newca]
        for a in apps:
            if a == "etl-manifest":
                args += ["--apps", self.manifest]
            else:
                args += ["--clients", self.app(a)]
        r = subprocess.run(args + list(extra) + self.targets(), cwd=self.elsewhere, capture_output=True, text=True,
                           env=self.env.env, timeout=300)
        check("Sanitizer" not in r.stderr and "runtime error:" not in r.stderr, "no sanitizer report: %s" % r.stderr)
        try:
            return r, json.loads(r.stdout)
        except ValueError:
            check(False, "rotation: no JSON (%d): %s" % (r.returncode, r.stderr.strip()))
            return r, {"clients": [], "endpoints": [], "decision": None, "not_understood": [], "trust_files": []}




def run_fix(est, env, cmd):
    """a fix line as a user runs it, from elsewhere, through the shell: pgtls is this build's; STOREPASS is what
    the fix says the store's password is (the start script's -Djavax.net.ssl.trustStorePassword)"""
    e = dict(env.env, STOREPASS=BILLING_STOREPASS, PATH=os.path.dirname(PGTLS) + ":" + env.env.get("PATH", ""))
    return subprocess.run(["sh", "-c", cmd], cwd=est.elsewhere, capture_output=True, text=True, env=e, timeout=60)


def app_of(est, path):
    for name in est.apps:
        if path.startswith(est.app(name) + "/"):
            return name
    return None


def by_app(est, rep):
    got = {}
    for c in rep["clients"]:
        got.setdefault(app_of(est, c["file"]), []).append(c)
    return got


def test_rehearsal(env):
    est = Estate(env)
    est.build()
    est.start(npm_install(env, 'reh-node'))
    names = sorted(est.apps)
    check(len(names) >= 15, "at least 15 runnable applications (%d)" % len(names))

    before = {n: est.apps[n][0]() for n in names}
    for n in names:
        want = est.apps[n][1]
        check(before[n] == ("connects", "f" if want == "unaffected_no_tls" else "t"),
              "before the switch, %s really: %s" % (n, before[n]))

    everything = names + ["ops-legacy"]
    r, pred = est.rotation(everything)
    check(r.returncode == 2 and pred["decision"] == "NO-GO", "NO-GO for the estate (exit %d)" % r.returncode)
    got = by_app(est, pred)
    for n in names:
        recs = got.get(n, [])
        check(recs != [], "%s: a client record (found: %s)" % (n, sorted(got)))
        for c in recs:
            check(c["prediction"] == est.apps[n][1], "%s (%s:%s): predicted %s, expected %s (%s)"
                  % (n, os.path.basename(c["file"]), c["line"], c["prediction"], est.apps[n][1], c.get("reason")))
            check(c["endpoint"] == "localhost:%d" % est.apps[n][2].port, "%s: its server %s" % (n, c["endpoint"]))
    # nothing silent: the application nobody understands is a not-understood line naming its server
    legacy = [u for u in pred["not_understood"] if u["file"] == os.path.join(est.app("ops-legacy"), "app.ini")]
    check(len(legacy) == 1 and legacy[0]["line"] == 2 and "localhost" in legacy[0]["reason"],
          "ops-legacy/app.ini:2 is not understood, with its text: %s" % pred["not_understood"])
    tf = {t["path"]: t for t in pred["trust_files"]}
    stale = tf.get(os.path.join(est.app("ops-legacy"), "certs/legacy-trust.jks"), {})
    check(stale.get("holds") == "old_only" and stale.get("finding") == "stale_store_no_client" and
          stale.get("used_by") == [], "the stale JKS only a not-understood file names: %s" % stale)
    bundle = tf.get(os.path.join(est.app("node-extra-ca"), "certs/global-bundle.pem"), {})
    check(bundle.get("holds") == "old_and_new" and bundle.get("finding") is None and bundle.get("used_by"),
          "a bundle with both CAs, read through NODE_EXTRA_CA_CERTS: %s" % bundle)

    # the same records through `pgtls clients` give the same verdicts for the same facts
    args = [PGTLS, "clients", "--json", "--apps", est.manifest] + [est.app(n) for n in everything
                                                                   if n != "etl-manifest"]
    cj = json.loads(subprocess.run(args, cwd=est.elsewhere, capture_output=True, text=True, env=est.env.env,
                                   timeout=120).stdout)
    cl = {(c["file"], c["line"]): c for c in cj["clients"]}
    for c in pred["clients"]:
        k = cl.get((c["file"], c["line"]), {})
        check(k.get("verdict") == c["verdict"], "clients and rotation agree on %s:%s: %s / %s"
              % (c["file"], c["line"], k.get("verdict"), c["verdict"]))
    check(any(t["path"].endswith("legacy-trust.jks") and t["used_by"] == [] for t in cj["trust_files"]),
          "clients --json lists the trust files, read or not: %s" % [t["path"] for t in cj["trust_files"]])
    rel = [c for c in cj["clients"] if c["file"] == os.path.join(est.app("etl-dotenv"), ".env")]
    check(len(rel) == 1 and rel[0]["rootcert"]["path"] == os.path.join(est.app("etl-dotenv"), "certs/ca-bundle.pem")
          and "application's directory" in rel[0]["note"],
          "the relative root file is the application's, not pgtls's working directory's: %s" % rel)

    # GO only when nothing breaks: the applications that keep working alone, then with node-config
    keeps = [n for n in names if est.apps[n][1] == "keeps_working"]
    r, go = est.rotation(keeps)
    check(r.returncode == 0 and go["decision"] == "GO", "GO for %s (exit %d): %s" % (
        keeps, r.returncode, [(c["file"], c["prediction"], c["reason"]) for c in go["clients"]
                              if c["prediction"] != "keeps_working"] + go["not_understood"]))
    # a container path no volume maps: unknown with the reason (the file may be there where it runs), never
    # already_broken; clients says the same fact
    write(os.path.join(est.root, "secrets-app/docker-compose.yml"),
          "services:\n  job:\n    image: job\n    environment:\n      PGHOST: localhost\n      PGPORT: \"%d\"\n"
          "      PGSSLMODE: verify-full\n      PGSSLROOTCERT: /run/secrets/db-ca.pem\n" % est.tls.port)
    est.apps["secrets-app"] = (None, "unknown", est.tls)
    r, sec = est.rotation(["secrets-app"])
    c = next(iter(sec["clients"]), {})
    check(r.returncode == 2 and c.get("prediction") == "unknown" and "not on this machine" in (c.get("reason") or "")
          and "where the application runs" in (c.get("fix") or ""),
          "an unmapped container path: unknown, with the reason and the fix: %s" % c)
    del est.apps["secrets-app"]

    # ops-legacy acknowledged in the manifest: listed with the reason, no longer in the way of GO
    r, ack = est.rotation(keeps + ["ops-legacy"])
    acked = [u for u in ack["not_understood"] if u["file"].endswith("ops-legacy/app.ini")]
    check(r.returncode == 0 and ack["decision"] == "GO" and acked and
          acked[0]["acknowledged"] == "decommissioned, connects nowhere",
          "acknowledged lines and stores are listed, not in the way (exit %d): %s" % (r.returncode, acked))
    bad = os.path.join(env.tmp, "bad-apps.yaml")
    write(bad, "applications:\n  - name: x\n    paths: [a]\n    workdirr: b\n")
    r = subprocess.run([PGTLS, "rotation", "--new-ca", est.newca, "--apps", bad] + est.targets(), cwd=est.elsewhere,
                       capture_output=True, text=True, env=env.env, timeout=60)
    check(r.returncode == 3 and "line 4" in r.stderr and "workdirr" in r.stderr and r.stdout == "",
          "a misspelt manifest key is an error with its line: %d %s" % (r.returncode, r.stderr.strip()))
    r, nogo = est.rotation(keeps + ["node-config"])
    check(r.returncode == 2 and nogo["decision"] == "NO-GO", "node-config added: NO-GO (exit %d)" % r.returncode)

    # a running JVM with billing-java's store: connected before the switch, still failing after its store is fixed
    jvm = subprocess.Popen(["java"] + est.billing_opts + ["-cp", PGJDBC + ":" + est.classes, "JdbcProbe",
                                                          est.billing_url, "conf/truststore.jks", "JKS",
                                                          BILLING_STOREPASS,
                                                          os.path.join(env.tmp, "reh-go")],
                           cwd=est.app("billing-java"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env=env.env)
    first = jvm.stdout.readline().strip()
    check(first == "connected ssl=t", "the running JVM connects before the switch: %s" % first)

    # the switch
    for s in (est.p1, est.tls, est.p2):
        s.pg("cert", "new")
    store = os.path.join(est.app("billing-java"), "conf/truststore.jks")
    shutil.copy(store, store + ".orig")
    bj = got.get("billing-java", [{}])[0]
    fix = (bj.get("fix") or "").split(";")[0]
    check("STOREPASS" in (bj.get("fix") or "") and "bin/start.sh:4" in (bj.get("fix") or "") and
          BILLING_STOREPASS not in json.dumps(got), "the JVM fix names where its store's password is, never the "
          "password: %s" % bj.get("fix"))
    r = run_fix(est, env, fix)
    check(r.returncode == 0 and store in fix, "the JVM store fix runs: %s %s" % (fix, r.stderr.strip()))
    write(os.path.join(env.tmp, "reh-go"), "")
    out, _ = jvm.communicate(timeout=120)
    check(jvm.returncode == 1 and ("PKIX" in out or "certification path" in out),
          "the running JVM still fails with the fixed store until restarted: %s" % out.strip())
    check(est.java("billing-java", est.billing_url, est.billing_opts) == ("connects", "t"),
          "a restarted JVM with the fixed store connects")
    os.replace(store + ".orig", store)

    # reality after the switch, for every application
    right = 0
    for n in names:
        want = est.apps[n][1]
        res = est.apps[n][0]()
        if want == "breaks":
            ok = res[0] == "fails"
        elif want in ("falls_back_to_plaintext", "unaffected_no_tls"):
            ok = res == ("connects", "f")
        else:
            ok = res == ("connects", "t")
        right += ok
        check(ok, "after the switch, %s predicted %s, really: %s" % (n, want, res))
    print("rehearsal: %d of %d applications did what pgtls predicted" % (right, len(names)))

    # every fix pgtls printed for an application that breaks runs as written, and then the application works
    # (a fresh process: a restarted JVM, a restarted Node)
    fixed = 0
    for n in names:
        if est.apps[n][1] != "breaks":
            continue
        for c in got.get(n, []):
            cmd = (c.get("fix") or "").split(";")[0]
            words = [w for w in shlex.split(cmd) if "=" not in w or w.startswith("-")]
            check(words[:3] == ["pgtls", "store", "merge"], "%s: the fix is a command: %s" % (n, c.get("fix")))
            r = run_fix(est, env, cmd)
            check(r.returncode == 0, "%s: the fix runs: %s: %s" % (n, cmd, r.stderr.strip()))
        res = est.apps[n][0]()
        fixed += res == ("connects", "t")
        check(res == ("connects", "t"), "%s works after its fix: %s" % (n, res))
    print("rehearsal: %d applications fixed by pgtls's own fix lines" % fixed)
    _, after = est.rotation(keeps)
    check(after["decision"] == "GO" and all(e["on_new_ca"] is True for e in after["endpoints"]),
          "after the switch: the endpoints serve the new CA, the kept applications still GO")
    for s in (est.p1, est.tls, est.p2):
        s.pg("stop")


def main():
    return run_tests([test_rehearsal])


if __name__ == "__main__":
    sys.exit(main())
