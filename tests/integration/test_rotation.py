#!/usr/bin/python3
"""The rotation estate: `pgtls rotation` predictions against reality.

Three PostgreSQL 15 servers on the OLD CA -- one TLS-only (hostssl, like
rds.force_ssl=1), two accepting plaintext -- and sixteen applications in
different styles and HOMEs: psql with a service file, psql scripts,
psycopg2, Django settings, .env files, pgjdbc with a keytool-built JKS
(DefaultJavaSSLFactory) and with PEM roots (LibPQFactory), DNS aliases with
verify-full and verify-ca, sslmode=disable, require without a root file,
prefer with a stale root file against both kinds of server, old+new
bundles, and applications whose own HOME holds ~/.postgresql/root.crt and
~/.pg_service.conf.

pgtls predicts; then every server really switches to a certificate from
the NEW CA and every application really runs again.  Each prediction must
be what happened.  Also: the same predictions with the TARGETs in another
order, with one server left out (pgtls probes it because clients use it),
with an old+new --new-ca bundle (with --old-ca, and with --new-chain-from
a canary already switched); never GO with an unreachable target; a running
JVM keeps its old trust store until restarted, as predicted.

Driver facts the expectations rest on (cited from the drivers' sources):
- libpq fe-secure-openssl.c initialize_SSL(): sslmode=require verifies the
  CA when the root file exists; prefer then retries without TLS when
  verification fails (fe-connect.c), unless the server rejects plaintext.
- pgjdbc SocketFactoryFactory.getSslSocketFactory(): a new LibPQFactory
  (which reads sslrootcert) per connection; DefaultJavaSSLFactory uses
  SSLSocketFactory.getDefault(), whose trust store the JVM reads once;
  MakeSSL.convert(): the chain is checked in the handshake in any sslmode,
  the host name only for verify-full.

Run:  /usr/bin/python3 tests/integration/test_rotation.py BUILD_DIR
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import HERE, Server, check, free_port, keytool_store, run_tests  # noqa: E402

PGJDBC = "/usr/share/java/postgresql.jar"
OLD_ONLY = "old"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


SSL_Q = "select ssl from pg_stat_ssl where pid = pg_backend_pid()"


def psql(env, conninfo, extra=None):
    e = dict(env.env)
    e.update(extra or {})
    r = subprocess.run(["psql", "-X", "-Atq", conninfo, "-c", SSL_Q], capture_output=True, text=True, env=e,
                       timeout=60)
    return ("connects", r.stdout.strip() == "t") if r.returncode == 0 else ("fails", r.stderr.strip())


def psycopg2(env, kwargs, home=None):
    code = ("import json,psycopg2,sys\n"
            "try:\n"
            "    c = psycopg2.connect(**json.loads(sys.argv[1]))\n"
            "except Exception as e:\n"
            "    print('fails', str(e).strip().replace(chr(10), ' ')); sys.exit(1)\n"
            "cur = c.cursor(); cur.execute(%r)\n"
            "print('connects', cur.fetchone()[0])\n" % SSL_Q)
    e = dict(env.env)
    if home:
        e["HOME"] = home
    r = subprocess.run(["/usr/bin/python3", "-c", code, json.dumps(kwargs)], capture_output=True, text=True, env=e,
                       timeout=60)
    return ("connects", "True" in r.stdout) if r.returncode == 0 else ("fails", r.stdout.strip() + r.stderr.strip())


def jdbc(env, classes, url, store=None):
    args = ["java", "-cp", PGJDBC + ":" + classes, "JdbcProbe", url] + ([store, "JKS", "changeit"] if store else [])
    r = subprocess.run(args, capture_output=True, text=True, env=env.env, timeout=120)
    out = r.stdout.strip()
    return ("connects", out.endswith("ssl=t")) if r.returncode == 0 else ("fails", out)


class Estate:
    """The servers, the applications (settings file + how to really run it) and what each must be predicted."""

    def __init__(self, env):
        self.env, pki = env, env.pki
        self.old, self.both = os.path.join(pki, "rootcert-old.pem"), os.path.join(pki, "rootcert-both.pem")
        self.newca = os.path.join(pki, "new-root.crt")
        self.p1 = Server(env, "estate-plain1", "both")
        self.tls = Server(env, "estate-tlsonly", "hostssl")
        self.p2 = Server(env, "estate-plain2", "both")
        self.proj = os.path.join(env.tmp, "estate")
        self.classes = os.path.join(env.tmp, "estate-classes")
        self.apps = []  # (settings file, run(), expected prediction)
        self.server_of = {}  # settings file -> the Server it connects to
        self.clients_args = ["--clients", self.proj]

    def add(self, path, text, run, want, srv):
        write(path, text)
        self.apps.append((path, run, want))
        self.server_of[path] = srv

    def conninfo(self, srv, rest, host="localhost"):
        return "host=%s port=%d user=postgres dbname=postgres %s" % (host, srv.port, rest)

    def build(self):
        env, p, old, both = self.env, self.proj, self.old, self.both
        p1, tls, p2 = self.p1, self.tls, self.p2
        # 1. psql with a service file (PGSERVICEFILE), verify-full, stale root: breaks
        svc = os.path.join(p, "billing/pg_service.conf")
        self.add(svc, "[billing]\nhost=localhost\nport=%d\nuser=postgres\ndbname=postgres\nsslmode=verify-full\n"
                      "sslrootcert=%s\n" % (p1.port, old),
                 lambda: psql(env, "service=billing", {"PGSERVICEFILE": svc}), "breaks", p1)
        # 2. psycopg2, require, no root file: encrypted, verifies nothing
        self.add(os.path.join(p, "worker/worker.py"),
                 "import psycopg2\nconn = psycopg2.connect('postgresql://postgres@localhost:%d/postgres"
                 "?sslmode=require')\n" % p1.port,
                 lambda: psycopg2(env, {"host": "localhost", "port": p1.port, "user": "postgres", "dbname": "postgres",
                                        "sslmode": "require"}), "unaffected_unverified", p1)
        # 3. pgjdbc, DefaultJavaSSLFactory + a keytool JKS with the old CA only: breaks (restart the JVM)
        self.jks_old = os.path.join(env.tmp, "estate-old.jks")
        jurl_jks = ("jdbc:postgresql://localhost:%d/postgres?user=postgres&sslmode=verify-full"
                    "&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory" % tls.port)
        self.add(os.path.join(p, "java-jks/start.sh"),
                 "#!/bin/sh\nJAVA_OPTS=\"-Djavax.net.ssl.trustStore=%s -Djavax.net.ssl.trustStorePassword=changeit\"\n"
                 "exec java $JAVA_OPTS -jar app.jar --spring.datasource.url='%s'\n" % (self.jks_old, jurl_jks),
                 lambda: jdbc(env, self.classes, jurl_jks, self.jks_old), "breaks", tls)
        # 4. the same with a JKS holding old and new: keeps working
        self.jks_both = os.path.join(env.tmp, "estate-both.jks")
        jurl_jks2 = jurl_jks.replace(str(tls.port), str(p2.port))
        self.add(os.path.join(p, "java-jks-both/start.sh"),
                 "JAVA_TOOL_OPTIONS='-Djavax.net.ssl.trustStore=%s'\njava -jar app.jar --spring.datasource.url='%s'\n"
                 % (self.jks_both, jurl_jks2),
                 lambda: jdbc(env, self.classes, jurl_jks2, self.jks_both), "keeps_working", p2)
        # 5. pgjdbc ssl=true (verify-full) with a PEM root, old only: breaks
        jurl = "jdbc:postgresql://localhost:%d/postgres?user=postgres&ssl=true&sslrootcert=%s" % (p1.port, old)
        self.add(os.path.join(p, "java-pem/application.properties"), "spring.datasource.url=%s\n" % jurl,
                 lambda: jdbc(env, self.classes, jurl), "breaks", p1)
        # 6. pgjdbc verify-ca with a PEM bundle old+new: keeps working
        jurl2 = "jdbc:postgresql://localhost:%d/postgres?user=postgres&sslmode=verify-ca&sslrootcert=%s" % (p2.port, both)
        self.add(os.path.join(p, "java-pem-both/application.properties"), "spring.datasource.url=%s\n" % jurl2,
                 lambda: jdbc(env, self.classes, jurl2), "keeps_working", p2)
        # 7. .env with PG* variables, verify-ca, old+new bundle: keeps working
        envvars = {"PGHOST": "localhost", "PGPORT": str(p2.port), "PGUSER": "postgres", "PGDATABASE": "postgres",
                   "PGSSLMODE": "verify-ca", "PGSSLROOTCERT": both}
        self.add(os.path.join(p, "etl/.env"), "".join("%s=%s\n" % kv for kv in envvars.items()),
                 lambda: psql(env, "", envvars), "keeps_working", p2)
        # 8. Django settings, verify-full, old+new bundle: keeps working
        dj = {"host": "localhost", "port": tls.port, "user": "postgres", "dbname": "postgres", "sslmode": "verify-full",
              "sslrootcert": both}
        self.add(os.path.join(p, "shop/settings.py"),
                 "DATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.postgresql',\n"
                 "        'NAME': 'postgres', 'USER': 'postgres', 'HOST': 'localhost', 'PORT': '%d',\n"
                 "        'OPTIONS': {'sslmode': 'verify-full', 'sslrootcert': '%s'},\n    }\n}\n" % (tls.port, both),
                 lambda: psycopg2(env, dj), "keeps_working", tls)
        # 9. a DNS alias the certificate lacks, verify-full: broken already (and after)
        ci = self.conninfo(tls, "hostaddr=127.0.0.1 sslmode=verify-full sslrootcert=%s" % both, host="db.pgtls.test")
        self.add(os.path.join(p, "alias-full/job.conf"), "DSN='%s'\n" % ci, lambda: psql(env, ci), "already_broken", tls)
        # 10. the same alias with verify-ca: the name is not checked, keeps working
        ci10 = self.conninfo(p2, "hostaddr=127.0.0.1 sslmode=verify-ca sslrootcert=%s" % both, host="db.pgtls.test")
        self.add(os.path.join(p, "alias-ca/job.conf"), "DSN='%s'\n" % ci10, lambda: psql(env, ci10), "keeps_working", p2)
        # 11. sslmode=disable: no TLS, unaffected
        ci11 = self.conninfo(p1, "sslmode=disable")
        self.add(os.path.join(p, "legacy/job.conf"), "DSN='%s'\n" % ci11, lambda: psql(env, ci11), "unaffected_no_tls", p1)
        # 12. require without a root file against the TLS-only server: unaffected, verifies nothing
        ci12 = self.conninfo(tls, "sslmode=require")
        self.add(os.path.join(p, "cron/job.conf"), "DSN='%s'\n" % ci12, lambda: psql(env, ci12), "unaffected_unverified", tls)
        # 13. prefer + stale root against the TLS-only server: cannot fall back, breaks
        ci13 = self.conninfo(tls, "sslmode=prefer sslrootcert=%s" % old)
        self.add(os.path.join(p, "tlsonly-prefer/job.conf"), "DSN='%s'\n" % ci13, lambda: psql(env, ci13), "breaks", tls)
        # 14. prefer + stale root against a server accepting plaintext: silently falls back
        ci14 = self.conninfo(p2, "sslmode=prefer sslrootcert=%s" % old)
        self.add(os.path.join(p, "plain-prefer/job.conf"), "DSN='%s'\n" % ci14, lambda: psql(env, ci14),
                 "falls_back_to_plaintext", p2)
        # 15. an application whose own HOME has ~/.pg_service.conf (prefer) and a stale root.crt: falls back
        home15 = os.path.join(self.env.tmp, "estate-home-reports")
        write(os.path.join(home15, ".pg_service.conf"),
              "[reports]\nhost=localhost\nport=%d\nuser=postgres\ndbname=postgres\nsslmode=prefer\n" % p2.port)
        write(os.path.join(home15, ".postgresql/root.crt"), open(old).read())
        self.apps.append((os.path.join(home15, ".pg_service.conf"),
                          lambda: psql(env, "service=reports", {"HOME": home15}), "falls_back_to_plaintext"))
        self.server_of[self.apps[-1][0]] = p2
        # 16. psycopg2 require whose own HOME has a stale root.crt: libpq verifies the CA, breaks
        home16 = os.path.join(self.env.tmp, "estate-home-api")
        write(os.path.join(home16, ".postgresql/root.crt"), open(old).read())
        api = os.path.join(self.env.tmp, "estate-api/app.py")
        write(api, "import psycopg2\nDB = 'host=localhost port=%d dbname=postgres user=postgres sslmode=require'\n"
              % tls.port)
        kw16 = {"host": "localhost", "port": tls.port, "user": "postgres", "dbname": "postgres", "sslmode": "require"}
        self.apps.append((api, lambda: psycopg2(env, kw16, home=home16), "breaks"))
        self.server_of[api] = tls
        self.clients_args += ["--clients", home15, "--home", home15, "--clients", os.path.dirname(api),
                              "--home", home16]

    def start(self):
        keytool_store(self.jks_old, [self.old])
        keytool_store(self.jks_both, [self.old, self.newca])
        subprocess.run(["javac", "-d", self.classes, os.path.join(HERE, "java/JdbcProbe.java")], check=True)
        for s in (self.p1, self.tls, self.p2):
            s.pg("start", OLD_ONLY, s.hba)

    def targets(self):
        return ["localhost:%d" % s.port for s in (self.p1, self.tls, self.p2)]

    def rotation(self, *args):
        r = self.env.pgtls("rotation", "--json", "--new-ca", self.newca, *self.clients_args, *args, timeout=120)
        try:
            return r, json.loads(r.stdout)
        except ValueError:
            check(False, "rotation %s: no JSON (%d): %s" % (" ".join(args), r.returncode, r.stderr.strip()))
            return r, {"clients": [], "endpoints": [], "decision": None}


def by_file(rep):
    return {c["file"]: c for c in rep["clients"]}


def test_estate(env):
    est = Estate(env)
    est.build()
    est.start()
    check(len(est.apps) >= 12, "at least 12 applications (%d)" % len(est.apps))

    # before the switch: record what each application really does
    before = {path: run() for path, run, _ in est.apps}
    for path, _, want in est.apps:
        res = before[path]
        ok = res[0] == "fails" if want == "already_broken" else res == ("connects", want != "unaffected_no_tls")
        check(ok, "before the switch, %s: %s" % (path, res))

    r, pred = est.rotation(*est.targets())
    check(r.returncode == 2 and pred["decision"] == "NO-GO", "NO-GO (exit %d)" % r.returncode)
    got = by_file(pred)
    check(set(got) == {a[0] for a in est.apps}, "every application found once: %s" % sorted(set(got) ^ {a[0] for a in est.apps}))
    for path, _, want in est.apps:
        c = got.get(path, {})
        check(c.get("prediction") == want, "%s: predicted %s, expected %s (%s)" % (path, c.get("prediction"), want,
                                                                               c.get("reason")))
        want_ep = "localhost:%d" % est.server_of[path].port
        check(c.get("endpoint") == want_ep, "%s mapped to %s (want %s)" % (path, c.get("endpoint"), want_ep))
    check(got.get(os.path.join(est.proj, "alias-full/job.conf"), {}).get("now") == "fails",
          "the 'now' of a client failing today is fails, not what its settings ask")
    jks = got.get(os.path.join(est.proj, "java-jks/start.sh"), {})
    check("restart" in (jks.get("when") or "") and "restart the JVM" in (jks.get("fix") or "") and
          est.jks_old in (jks.get("fix") or ""), "JVM store client: restart the JVM, merge into its store: %s" % jks)
    pem = got.get(os.path.join(est.proj, "java-pem/application.properties"), {})
    check("restart" not in (pem.get("when") or ""), "pgjdbc with a PEM root reads it per connection: no restart")
    for e in pred["endpoints"]:
        check(e["reachable"] and e["on_new_ca"] is False and not e["discovered"], "endpoint %s on the old CA" % e["target"])
    summary = est.env.pgtls("rotation", "--new-ca", est.newca, *est.clients_args, *est.targets(), timeout=120)
    last = summary.stdout.strip().splitlines()[-1]
    check(last.startswith("NO-GO: %d clients:" % len(est.apps)) and " 5 breaks," in last and
          " 2 falls_back_to_plaintext," in last and last.endswith(" 3 endpoints"),
          "one summary line: %s" % last)

    # the same predictions whatever the order of the TARGETs, or with one left out (probed because used)
    want = {c["file"]: c["prediction"] for c in pred["clients"]}
    _, rev = est.rotation(*reversed(est.targets()))
    check({c["file"]: c["prediction"] for c in rev["clients"]} == want, "same predictions, targets reversed")
    _, two = est.rotation(*est.targets()[:2])
    check({c["file"]: c["prediction"] for c in two["clients"]} == want, "same predictions with the third server "
          "left out: %s" % {f: p for f, p in ((c["file"], c["prediction"]) for c in two["clients"]) if want.get(f) != p})
    disc = [e for e in two["endpoints"] if e["discovered"]]
    check(any(e["target"] == "localhost:%d" % est.p2.port and e["same_as"] is None for e in disc),
          "the left-out server is probed as a client's server: %s" % [e["target"] for e in disc])
    # an old+new --new-ca bundle: old-only applications are never keeps_working
    old_only = {p for p, _, w in est.apps if w in ("breaks", "falls_back_to_plaintext")}
    for extra in (["--old-ca", est.old], []):
        r = est.env.pgtls("rotation", "--json", "--new-ca", est.both, *extra, *est.clients_args, *est.targets(),
                          timeout=120)
        b = json.loads(r.stdout) if r.stdout.startswith("{") else {"clients": []}
        pb = {c["file"]: c["prediction"] for c in b["clients"]}
        check(pb == want and not any(pb.get(f) == "keeps_working" for f in old_only),
              "--new-ca old+new %s: same predictions" % " ".join(extra))
    # an unreachable target: reported, never GO
    _, un = est.rotation(*est.targets(), "127.0.0.1:%d" % free_port())
    check(un["decision"] == "NO-GO" and [e["reachable"] for e in un["endpoints"]].count(False) == 1,
          "an unreachable target is reported and makes NO-GO")

    # a fleet: 300 TARGETs (the three servers over and over, and one that does not answer), probed
    # concurrently; each is reported, the silent one as unreachable
    fleet = [est.targets()[i % 3] for i in range(299)] + ["127.0.0.1:%d" % free_port()]
    r = est.env.pgtls("rotation", "--json", "--new-ca", est.newca, *fleet, timeout=300)
    fl = json.loads(r.stdout) if r.stdout.startswith("{") else {"endpoints": []}
    check(r.returncode == 2 and len(fl["endpoints"]) == 300 and
          [e["reachable"] for e in fl["endpoints"]].count(False) == 1 and fl["decision"] == "NO-GO",
          "300 targets: each reported, one unreachable, NO-GO (%d, %d endpoints)" % (r.returncode, len(fl["endpoints"])))

    # a canary already on the new CA: --new-chain-from resolves an old+new bundle without --old-ca
    canary = Server(env, "estate-canary", "both")
    canary.pg("start", "new", "both")
    r = est.env.pgtls("rotation", "--json", "--new-ca", est.both, "--new-chain-from", "localhost:%d" % canary.port,
                      *est.clients_args, *est.targets(), timeout=120)
    cb = json.loads(r.stdout) if r.stdout.startswith("{") else {"clients": []}
    check({c["file"]: c["prediction"] for c in cb["clients"]} == want and cb.get("new_chain_from"),
          "--new-chain-from a canary: same predictions (%d %s)" % (r.returncode, r.stderr.strip()))
    r = est.env.pgtls("rotation", "--json", "--new-ca", est.newca, "--new-chain-from", "localhost:%d" % est.p1.port,
                      *est.targets())
    check(r.returncode == 3 and "does not come from" in r.stderr, "a canary not on the new CA: refused (%s)"
          % r.stderr.strip())
    canary.pg("stop")

    # a running JVM with the JKS: connect now, then update the store and switch, then connect again
    jvm = subprocess.Popen(["java", "-cp", PGJDBC + ":" + est.classes, "JdbcProbe",
                            "jdbc:postgresql://localhost:%d/postgres?user=postgres&sslmode=verify-full"
                            "&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory" % est.tls.port,
                            est.jks_old, "JKS", "changeit", os.path.join(env.tmp, "estate-go")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env.env)
    first = jvm.stdout.readline().strip()
    check(first == "connected ssl=t", "the JVM connects before the switch: %s" % first)

    # the switch: every server to a certificate from the new CA
    for s in (est.p1, est.tls, est.p2):
        s.pg("cert", "new")
    fix = jks.get("fix", "").split(";")[0].split()
    r = est.env.pgtls("store", *fix[2:])  # the fix as told: pgtls store merge -o STORE ... --force STORE NEW
    check(r.returncode == 0, "the JKS fix runs: %s %s" % (" ".join(fix), r.stderr.strip()))
    write(os.path.join(env.tmp, "estate-go"), "")
    out, _ = jvm.communicate(timeout=120)
    check(jvm.returncode == 1 and ("PKIX" in out or "certification path" in out),
          "the running JVM still fails with the updated store (restart needed): %s" % out.strip())
    res = jdbc(env, est.classes, "jdbc:postgresql://localhost:%d/postgres?user=postgres&sslmode=verify-full"
               "&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory" % est.tls.port, est.jks_old)
    check(res == ("connects", True), "a restarted JVM with the updated store connects: %s" % (res,))
    keytool_store(est.jks_old + ".fresh", [est.old])  # restore the old-only store for the reality check below
    os.replace(est.jks_old + ".fresh", est.jks_old)

    # reality after the switch
    for path, run, _ in est.apps:
        p = got.get(path, {}).get("prediction")
        res = run()
        if p in ("breaks", "already_broken"):
            check(res[0] == "fails", "%s predicted %s, really: %s" % (path, p, res))
            err = got[path].get("error") or ""
            if res[0] == "fails" and got[path]["driver"] == "pgjdbc":
                check("PKIX" in res[1] or "certification path" in res[1], "pgjdbc error as predicted: %s" % res[1])
            elif res[0] == "fails" and "alias" not in path:
                parts = err.split("; then, retrying without TLS: ")
                check(all(x in res[1] for x in parts), "%s: error as predicted: %r in %r" % (path, parts, res[1]))
        elif p == "falls_back_to_plaintext" or p == "unaffected_no_tls":
            check(res == ("connects", False), "%s predicted %s, really: %s" % (path, p, res))
        else:
            check(res == ("connects", True), "%s predicted %s, really: %s" % (path, p, res))

    # after the switch: endpoints seen on the new CA
    _, after = est.rotation(*est.targets())
    check(all(e["on_new_ca"] is True for e in after["endpoints"]), "every endpoint now serves the new CA")
    # the same with an old+new bundle (as AWS ships it) and no --old-ca: the younger root is the new one, the
    # endpoints are on it, and the client that fell back to plaintext is said to (never keeps_working)
    r = est.env.pgtls("rotation", "--json", "--new-ca", est.both, *est.clients_args, *est.targets(), timeout=120)
    ab = json.loads(r.stdout) if r.stdout.startswith("{") else {"endpoints": [], "clients": []}
    pab = {c["file"]: c["prediction"] for c in ab["clients"]}
    check(ab.get("new_ca_rule") == "validity" and all(e["on_new_ca"] is True for e in ab["endpoints"]),
          "after the switch, --new-ca old+new without --old-ca: every endpoint on the new CA (%s, %s)"
          % (ab.get("new_ca_rule"), [e["on_new_ca"] for e in ab["endpoints"]]))
    for path, _, w in est.apps:
        if w == "falls_back_to_plaintext":
            check(pab.get(path) == "falls_back_to_plaintext", "after the switch, %s: %s" % (path, pab.get(path)))
        elif w == "keeps_working":
            check(pab.get(path) == "keeps_working", "after the switch, %s keeps working: %s" % (path, pab.get(path)))
    for s in (est.p1, est.tls, est.p2):
        s.pg("stop")


def test_jvm_default_store(env):
    """DefaultJavaSSLFactory with no trust store named: the JVM's cacerts, which pgtls cannot see: unknown."""
    d = os.path.join(env.tmp, "jvm-default")
    write(os.path.join(d, "application.properties"),
          "spring.datasource.url=jdbc:postgresql://localhost:%d/postgres?sslmode=verify-full"
          "&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory\n" % env.port)
    env.pg("start", "old", "both")
    r = env.pgtls("rotation", "--json", "--new-ca", os.path.join(env.pki, "new-root.crt"), "--clients", d,
                  "localhost:%d" % env.port)
    c = json.loads(r.stdout)["clients"][0]
    check(r.returncode == 2 and c["prediction"] == "unknown" and "restart the JVM" in c["fix"],
          "JVM default trust store: unknown, NO-GO, restart advice: %s" % c)
    env.pg("stop")


def test_aws_bundle(env):
    """--new-ca with AWS's own CAs of two generations (rds-ca-2019 and a G1 root, known by fingerprint): the
    older generation is the old CA without --old-ca; a server on the test PKI is on neither"""
    fx = os.path.join(HERE, "..", "fixtures", "aws")
    bundle = os.path.join(env.tmp, "aws-global-bundle.pem")
    with open(bundle, "w") as f:
        for name in ("rds-ca-2019-root.pem", "rds-ca-rsa2048-g1-us-east-1.pem"):
            f.write(open(os.path.join(fx, name)).read())
    srv = Server(env, "aws-bundle", "both")
    srv.pg("start", "old", "both")
    r = env.pgtls("rotation", "--json", "--new-ca", bundle, "localhost:%d" % srv.port)
    j = json.loads(r.stdout) if r.stdout.startswith("{") else {}
    check(j.get("new_ca_rule") == "aws_generation" and [e["on_new_ca"] for e in j.get("endpoints", [])] == [False],
          "an AWS bundle tells old from new by generation: %s %s" % (j.get("new_ca_rule"), r.stderr.strip()))
    srv.pg("stop")


def main():
    return run_tests([test_jvm_default_store, test_aws_bundle, test_estate])


if __name__ == "__main__":
    sys.exit(main())
