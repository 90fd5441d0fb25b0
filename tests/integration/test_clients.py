#!/usr/bin/python3
"""Integration test of `pgtls clients` and `pgtls rotation` with real clients.

A project tree holds client configurations (a libpq conninfo file, .env files
with PG* variables, Python files with psycopg2 URIs, Spring properties with
pgjdbc URLs).  The server starts with a certificate from the OLD root CA.
pgtls scans the tree and predicts the outcome of switching the server to a
certificate from the NEW CA; then the server certificate is swapped with
pg_ctl reload and every client is really run (psql with the conninfo, psql
with the .env variables, psycopg2, pgjdbc with ssl=true and with
sslmode=require).  The clients pgtls said would break must be exactly those
that fail; "silently falls back to plaintext" must connect without TLS; the
rest must keep connecting.

Run:  /usr/bin/python3 tests/integration/test_clients.py BUILD_DIR
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import HERE, Server, check, free_port, run_tests  # noqa: E402

PGJDBC = "/usr/share/java/postgresql.jar"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def psql_run(env, conninfo, extra_env=None):
    e = dict(env.env)
    e.update(extra_env or {})
    r = subprocess.run(["psql", "-X", "-Atq", conninfo, "-c",
                        "select ssl from pg_stat_ssl where pid = pg_backend_pid()"],
                       capture_output=True, text=True, env=e, timeout=60)
    return ("connects", r.stdout.strip() == "t") if r.returncode == 0 else ("fails", r.stderr.strip())


def psycopg2_run(env, uri):
    code = ("import psycopg2,sys\n"
            "try:\n"
            "    c = psycopg2.connect(sys.argv[1])\n"
            "except Exception as e:\n"
            "    print('fails', str(e).strip().replace(chr(10), ' ')); sys.exit(1)\n"
            "cur = c.cursor(); cur.execute('select ssl from pg_stat_ssl where pid = pg_backend_pid()')\n"
            "print('connects', cur.fetchone()[0])\n")
    r = subprocess.run(["/usr/bin/python3", "-c", code, uri], capture_output=True, text=True, env=env.env, timeout=60)
    return ("connects", "True" in r.stdout) if r.returncode == 0 else ("fails", r.stdout.strip() + r.stderr.strip())


def jdbc_run(env, classes, url):
    r = subprocess.run(["java", "-cp", PGJDBC + ":" + classes, "JdbcProbe", url], capture_output=True, text=True,
                       env=env.env, timeout=120)
    out = r.stdout.strip()
    return ("connects", out.endswith("ssl=t")) if r.returncode == 0 else ("fails", out)


def test_rotation(env):
    pki = env.pki
    old, both = os.path.join(pki, "rootcert-old.pem"), os.path.join(pki, "rootcert-both.pem")
    newca = os.path.join(pki, "new-root.crt")
    proj = os.path.join(env.tmp, "proj")
    port = env.port
    base = "host=localhost port=%d user=postgres dbname=postgres" % port
    uri = "postgresql://postgres:pw@localhost:%d/postgres" % port
    jurl = "jdbc:postgresql://localhost:%d/postgres?user=postgres" % port

    # client configurations, and how to really run each: key = file
    clients = {}
    f = os.path.join(proj, "batch/job.conf")
    write(f, "# nightly job\nDSN='%s sslmode=verify-full sslrootcert=%s password=hunter2'\n" % (base, old))
    clients[f] = lambda: psql_run(env, "%s sslmode=verify-full sslrootcert=%s" % (base, old))
    f = os.path.join(proj, "reports/job.conf")
    write(f, "DSN='%s sslmode=verify-full sslrootcert=%s'\n" % (base, both))
    clients[f] = lambda: psql_run(env, "%s sslmode=verify-full sslrootcert=%s" % (base, both))
    f = os.path.join(proj, "alias/job.conf")
    write(f, "DSN='host=db.pgtls.test hostaddr=127.0.0.1 port=%d user=postgres sslmode=verify-full sslrootcert=%s'\n"
          % (port, both))
    clients[f] = lambda: psql_run(env, "host=db.pgtls.test hostaddr=127.0.0.1 port=%d user=postgres dbname=postgres "
                                       "sslmode=verify-full sslrootcert=%s" % (port, both))
    for name, root in (("svc-old", old), ("svc-both", both)):
        f = os.path.join(proj, name, ".env")
        write(f, "PGHOST=localhost\nPGPORT=%d\nPGUSER=postgres\nPGDATABASE=postgres\nPGSSLMODE=verify-ca\n"
                 "PGSSLROOTCERT=%s\n" % (port, root))
        clients[f] = (lambda r: lambda: psql_run(env, "", {"PGHOST": "localhost", "PGPORT": str(port), "PGUSER": "postgres",
                                                          "PGDATABASE": "postgres", "PGSSLMODE": "verify-ca",
                                                          "PGSSLROOTCERT": r}))(root)
    f = os.path.join(proj, "worker/worker.py")
    write(f, "import psycopg2\nconn = psycopg2.connect('%s?sslmode=require')\n" % uri)
    clients[f] = lambda: psycopg2_run(env, uri + "?sslmode=require")
    f = os.path.join(proj, "web/app.py")
    write(f, "import psycopg2\nDB = \"%s?sslmode=prefer&sslrootcert=%s\"\n" % (uri, old))
    clients[f] = lambda: psycopg2_run(env, "%s?sslmode=prefer&sslrootcert=%s" % (uri, old))
    f = os.path.join(proj, "java/ssl-true/application.properties")
    write(f, "spring.datasource.url=%s&ssl=true&sslrootcert=%s\n" % (jurl, old))
    clients[f] = lambda: jdbc_run(env, classes, "%s&ssl=true&sslrootcert=%s" % (jurl, old))
    f = os.path.join(proj, "java/require/application.properties")
    write(f, "spring.datasource.url=%s&sslmode=require\n" % jurl)
    clients[f] = lambda: jdbc_run(env, classes, "%s&sslmode=require" % jurl)

    # a second server that refuses plaintext (hostssl only, like rds.force_ssl=1): a prefer client whose
    # root file lacks the new CA cannot fall back there, it breaks
    tls_only = Server(env, "tls-only-pg")
    base2 = "host=localhost port=%d user=postgres dbname=postgres" % tls_only.port
    f = os.path.join(proj, "tlsonly/prefer-stale.conf")
    write(f, "DSN='%s sslmode=prefer sslrootcert=%s'\n" % (base2, old))
    clients[f] = lambda: psql_run(env, "%s sslmode=prefer sslrootcert=%s" % (base2, old))
    f = os.path.join(proj, "tlsonly/verify-both.conf")
    write(f, "DSN='%s sslmode=verify-full sslrootcert=%s'\n" % (base2, both))
    clients[f] = lambda: psql_run(env, "%s sslmode=verify-full sslrootcert=%s" % (base2, both))

    # an application with its own HOME, whose ~/.postgresql/root.crt holds only the old CA: its
    # sslmode=require verifies the CA (libpq reads root.crt), so it breaks at the switch.  Only
    # --home DIR tells pgtls so (the scanning user's HOME has no root.crt).
    apphome = os.path.join(env.tmp, "apphome")
    os.makedirs(os.path.join(apphome, ".postgresql"))
    with open(os.path.join(apphome, ".postgresql", "root.crt"), "w") as fh, open(old) as fo:
        fh.write(fo.read())
    homeproj = os.path.join(env.tmp, "homeproj")
    home_client = os.path.join(homeproj, "job.conf")
    write(home_client, "DSN='%s sslmode=require'\n" % base)

    classes = os.path.join(env.tmp, "classes")
    subprocess.run(["javac", "-d", classes, os.path.join(HERE, "java/JdbcProbe.java")], check=True)
    env.pg("start", "old", "both")
    tls_only.pg("start", "old", "hostssl")

    # before: every client connects, except the one using a DNS alias that the certificate lacks
    for path, run in clients.items():
        res = run()
        if "alias" in path:
            check(res[0] == "fails" and "does not match host name" in res[1], "alias client fails already: %s" % (res,))
        else:
            check(res[0] == "connects", "before the switch %s connects: %s" % (path, res))

    # scan: verdicts as documented
    r = env.pgtls("clients", "--json", proj)
    rep = json.loads(r.stdout)
    by_file = {c["file"]: c for c in rep["clients"]}
    check(set(by_file) == set(clients), "one client per configuration: %s" % sorted(by_file))
    want_verdict = {
        "batch/job.conf": "verifies full", "reports/job.conf": "verifies full", "alias/job.conf": "verifies full",
        "svc-old/.env": "verifies CA only", "svc-both/.env": "verifies CA only",
        "worker/worker.py": "encrypted, not verified", "web/app.py": "may fall back to plaintext",
        "java/ssl-true/application.properties": "verifies full",
        "java/require/application.properties": "encrypted, not verified",
    }
    for suffix, v in want_verdict.items():
        c = by_file.get(os.path.join(proj, suffix), {})
        check(c.get("verdict") == v, "%s: verdict %r (want %r)" % (suffix, c.get("verdict"), v))
    check("hunter2" not in r.stdout and "pw@" not in r.stdout, "passwords masked in the scan")
    check(by_file[os.path.join(proj, "worker/worker.py")]["driver"] == "psycopg", "psycopg detected")
    check(by_file[os.path.join(proj, "java/ssl-true/application.properties")]["sslmode"] == "verify-full",
          "pgjdbc ssl=true means verify-full")

    # prediction, over both servers; the order of the targets must not matter
    targets = ["localhost:%d" % port, "localhost:%d" % tls_only.port]
    r = env.pgtls("rotation", "--json", "--new-ca", newca, "--clients", proj, *targets)
    check(r.returncode == 2, "rotation: NO-GO -> exit 2 (got %d %s)" % (r.returncode, r.stderr))
    pred = json.loads(r.stdout)
    check(pred["decision"] == "NO-GO", "NO-GO decision")
    check(len(pred["endpoints"]) == 2 and not any(e["serves_new_ca"] for e in pred["endpoints"]),
          "both endpoints still on the old CA")
    r2 = env.pgtls("rotation", "--json", "--new-ca", newca, "--clients", proj, *reversed(targets))
    pred2 = json.loads(r2.stdout)
    check({c["file"]: c["prediction"] for c in pred["clients"]} == {c["file"]: c["prediction"] for c in pred2["clients"]},
          "same predictions with the targets in the other order")
    outcome = {c["file"]: c for c in pred["clients"]}
    check(outcome[os.path.join(proj, "tlsonly/prefer-stale.conf")]["prediction"] == "breaks",
          "prefer + stale root against a TLS-only server: breaks, not a fallback (%s)"
          % outcome[os.path.join(proj, "tlsonly/prefer-stale.conf")]["prediction"])
    check(outcome[os.path.join(proj, "web/app.py")]["prediction"] == "falls_back_to_plaintext",
          "prefer + stale root against a server allowing plaintext: falls back")
    check(all(c["endpoint"] == ("localhost:%d" % (tls_only.port if "tlsonly" in c["file"] else port))
              for c in pred["clients"] if "alias" not in c["file"]),
          "each client mapped to the server it connects to")
    # a --new-ca bundle holding the old CA too: old-only clients are never "keeps_working"
    # (the new CA is the bundle less what issues the chain served now, or less --old-ca)
    old_only = {os.path.join(proj, p) for p in ("batch/job.conf", "svc-old/.env", "java/ssl-true/application.properties",
                                                "tlsonly/prefer-stale.conf", "web/app.py")}
    for extra in ([], ["--old-ca", old]):
        r = env.pgtls("rotation", "--json", "--new-ca", both, *extra, "--clients", proj, *targets)
        pb = {c["file"]: c["prediction"] for c in json.loads(r.stdout)["clients"]}
        check(all(pb[f] != "keeps_working" for f in old_only) and pb == {c["file"]: c["prediction"]
                                                                          for c in pred["clients"]},
              "--new-ca old+new bundle %s: same predictions as with the new CA alone" % " ".join(extra))
    # the application's HOME: with --home its root.crt is read (breaks), without it the scan's own (unverified)
    r = env.pgtls("rotation", "--json", "--new-ca", newca, "--clients", homeproj, "--home", apphome, *targets)
    with_home = {c["file"]: c for c in json.loads(r.stdout)["clients"]}[home_client]
    r = env.pgtls("rotation", "--json", "--new-ca", newca, "--clients", homeproj, *targets)
    without = {c["file"]: c for c in json.loads(r.stdout)["clients"]}[home_client]
    check(with_home["prediction"] == "breaks" and without["prediction"] == "unaffected_unverified",
          "--home: the application's root.crt decides (%s with, %s without)"
          % (with_home["prediction"], without["prediction"]))
    r = env.pgtls("clients", "--json", homeproj, "--home", apphome)
    c0 = json.loads(r.stdout)["clients"][0]
    check(c0["outcome"] == "verifies_ca" and "application's HOME" in c0["rootcert"]["source"],
          "clients --home: require + the application's root.crt verifies the CA: %s" % c0["outcome"])
    # an unreachable target: reported, never GO
    r3 = env.pgtls("rotation", "--json", "--new-ca", newca, "localhost:%d" % free_port())
    p3 = json.loads(r3.stdout) if r3.stdout.startswith("{") else {}
    check(r3.returncode == 2 and p3.get("decision") == "NO-GO" and p3["endpoints"][0]["reachable"] is False,
          "unreachable target: NO-GO, reported unreachable (%d %s)" % (r3.returncode, r3.stderr.strip()))
    alias = outcome[os.path.join(proj, "alias/job.conf")]
    check(alias["host_alias_not_in_certificate"], "DNS alias flagged for verify-full")

    # switch both servers to a certificate from the new CA
    env.pg("cert", "new")
    tls_only.pg("cert", "new")
    predicted_break = set()
    for path, run in clients.items():
        o = outcome[path]["outcome"]
        res = run()
        if o in ("breaks", "broken already"):
            predicted_break.add(path)
            check(res[0] == "fails", "%s predicted to break, really: %s" % (path, res))
            if res[0] == "fails" and outcome[path]["driver"] == "pgjdbc":
                check("PKIX path building failed" in res[1] or "unable to find valid certification path" in res[1],
                      "pgjdbc error as predicted: %s" % res[1])
            elif res[0] == "fails" and "alias" not in path:
                parts = outcome[path]["error"].split("; then, retrying without TLS: ")
                check(all(p in res[1] for p in parts), "libpq error as predicted: %r in %r" % (parts, res[1]))
        elif outcome[path]["prediction"] == "falls_back_to_plaintext":
            check(res == ("connects", False), "%s predicted to fall back to plaintext, really: %s" % (path, res))
        else:
            check(res[0] == "connects", "%s predicted '%s', really: %s" % (path, o, res))
    want_break = {os.path.join(proj, p) for p in ("batch/job.conf", "alias/job.conf", "svc-old/.env",
                                                  "java/ssl-true/application.properties", "tlsonly/prefer-stale.conf")}
    check(predicted_break == want_break, "the predicted breakers: %s" % sorted(predicted_break))
    # really: the application with its own HOME now fails, as predicted with --home
    res = psql_run(env, "%s sslmode=require" % base, {"HOME": apphome})
    check(res[0] == "fails" and "certificate verify failed" in res[1],
          "the application with its own HOME's stale root.crt fails after the switch: %s" % (res,))

    # after fixing the stores as told, GO (but the alias still breaks verify-full)
    fixed = os.path.join(env.tmp, "old-plus-new.pem")
    r = env.pgtls("store", "merge", "-o", fixed, "--store-format", "pem", old, newca)
    check(r.returncode == 0, "merge old+new")
    r = env.pgtls("rotation", "--new-ca", newca, "--clients", proj, "localhost:%d" % port)
    check("already serves a certificate from the new CA" in r.stdout, "endpoint now on the new CA (text report)")
    tls_only.pg("stop")
    r = env.pgtls("rotation", "--new-ca", os.path.join(env.tmp, "nope.pem"), "--clients", proj)
    check(r.returncode == 3 and "new CA" in r.stderr, "missing --new-ca file: clear error")


def test_env_scan(env):
    e = dict(env.env)
    e.update({"PGSSLMODE": "require", "PGHOST": "db.example.com", "APP_DATABASE_URL":
              "postgresql://u:secretpw@db.example.com/app?sslmode=verify-full&sslrootcert=system"})
    r = subprocess.run([env_pgtls(env), "clients", "--json", "--env"], capture_output=True, text=True, env=e)
    rep = json.loads(r.stdout)
    kinds = {c["kind"]: c for c in rep["clients"]}
    check("environment" in kinds and kinds["environment"]["sslmode"] == "require", "PG* environment scanned")
    check("uri" in kinds and kinds["uri"]["verdict"] == "verifies full", "*_URL with sslrootcert=system verifies full")
    check("secretpw" not in r.stdout, "password from the environment masked")
    # Django settings and a service file named by PGSERVICEFILE
    d = os.path.join(env.tmp, "django")
    write(os.path.join(d, "settings.py"),
          "DATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.postgresql',\n"
          "        'NAME': 'shop', 'USER': 'web', 'PASSWORD': 'topsecret', 'HOST': 'db.example.com',\n"
          "        'OPTIONS': {'sslmode': 'verify-full', 'sslrootcert': '%s'},\n    }\n}\n"
          % os.path.join(env.pki, "rootcert-both.pem"))
    svc = os.path.join(env.tmp, "services.conf")
    write(svc, "[reporting]\nhost=db.example.com\nsslmode=require\n\n[billing]\nhost=db2\nsslmode=verify-ca\n")
    e2 = dict(env.env)
    e2["PGSERVICEFILE"] = svc
    r = subprocess.run([env_pgtls(env), "clients", "--json", "--env", d], capture_output=True, text=True, env=e2)
    rep = json.loads(r.stdout)
    dj = [c for c in rep["clients"] if c["kind"] == "django"]
    check(len(dj) == 1 and dj[0]["verdict"] == "verifies full" and dj[0]["host"] == "db.example.com" and dj[0]["line"] == 3,
          "Django DATABASES OPTIONS read: %s" % dj)
    check("topsecret" not in r.stdout, "Django password not reported")
    sv = {c["spec"]: c for c in rep["clients"] if c["kind"] == "pg_service"}
    check(sv.get("[reporting]", {}).get("verdict") == "encrypted, not verified" and
          sv.get("[billing]", {}).get("verdict", "").startswith("root certificate file not on this machine") and
          sv.get("[billing]", {}).get("outcome") == "verifies_ca" and sv["[billing]"]["rootcert_exists"] is False,
          "PGSERVICEFILE services judged: %s" % sorted(sv))
    npg = os.path.join(env.tmp, "dotnet", "Program.cs")
    write(npg, 'var a = "Host=db.example.com;Database=app;Username=u;Password=npgpw;SSL Mode=VerifyFull";\n'
               'var b = "Host=db;Database=app;SSL Mode=Require;Trust Server Certificate=true";\n')
    r = subprocess.run([env_pgtls(env), "clients", "--json", os.path.dirname(npg)], capture_output=True, text=True,
                       env=env.env)
    rep = json.loads(r.stdout)
    got = [(c["driver"], c["sslmode"], c["verdict"]) for c in rep["clients"]]
    check(got == [("npgsql", "verify-full", "verifies full"), ("npgsql", "require", "encrypted, not verified")],
          "Npgsql connection strings judged: %s" % got)
    check("npgpw" not in r.stdout, "Npgsql password masked")
    r = subprocess.run([env_pgtls(env), "clients"], capture_output=True, text=True, env=e)
    check(r.returncode == 3 and "--env" in r.stderr, "clients without input: usage error")


def test_agreement(env):
    """pgtls clients and pgtls probe judge the same settings with the same
    rules engine: for every libpq sslmode x root-file setting, the client
    outcome must match the probe's verdict row for that sslmode, and the
    probe row must match what real psql does (system: libpq 16+ rules,
    not psql 15's, so probe and clients only)."""
    pki = env.pki
    srv = Server(env, "agree-pg")
    srv.pg("start", "old", "both")
    roots = {"none": None, "old": os.path.join(pki, "rootcert-old.pem"), "garbage": env.garbage,
             "missing": os.path.join(env.tmp, "no-such-root.crt"), "system": "system"}
    d = os.path.join(env.tmp, "agree")
    n = 0
    for mode in ("disable", "allow", "prefer", "require", "verify-ca", "verify-full"):
        for rname, root in roots.items():
            conninfo = "host=localhost port=%d user=postgres dbname=postgres sslmode=%s" % (srv.port, mode)
            if root:
                conninfo += " sslrootcert=%s" % root
            f = os.path.join(d, "%s-%s.conf" % (mode, rname))
            write(f, "DSN='%s'\n" % conninfo)
            cl = json.loads(env.pgtls("clients", "--json", f).stdout)["clients"]
            # clients judges sslrootcert=system by libpq 16+ rules (docs/drivers.md): so does this probe
            ver = ["--libpq-version", "16"] if rname == "system" else []
            pr = json.loads(env.pgtls("probe", "--json", *ver, conninfo).stdout)
            row = [r for r in pr["sslmodes"] if r["sslmode"] == mode and r["negotiation"] == "postgres"][0]
            what = "%s/%s" % (mode, rname)
            if not check(len(cl) == 1, "%s: one client found" % what):
                continue
            c = cl[0]
            settings_failures = ("root_missing", "no_home", "root_unreadable", "weak_sslmode_system")
            if row["result"] == "fails" and row["failures"][-1] in settings_failures:
                check(c["failure"] == row["failures"][-1],
                      "%s: clients failure %s = probe failure %s" % (what, c["failure"], row["failures"]))
            elif row["result"] == "fails":
                # this server's chain or name: the settings verify, which is why they fail here
                check(c["failure"] is None and c["outcome"] in ("verifies_ca", "verifies_full"),
                      "%s: probe fails on %s, client verifies (%s)" % (what, row["failures"], c["outcome"]))
            elif not row["encrypted"]:
                check(c["outcome"] in ("no_tls", "opportunistic"), "%s: unencrypted row, outcome %s" % (what, c["outcome"]))
            elif c["outcome"] != "opportunistic":
                want = {"full": "verifies_full", "ca": "verifies_ca", "none": "encrypted_unverified"}[row["verified"]]
                check(c["outcome"] == want, "%s: outcome %s = probe %s" % (what, c["outcome"], want))
            if rname != "system":
                res = psql_run(env, conninfo)
                want = ("connects", row["encrypted"]) if row["result"] == "connects" else "fails"
                check((res if row["result"] == "connects" else res[0]) == want,
                      "%s: psql %s, probe row %s" % (what, res, row["result"]))
            n += 1
    check(n == 30, "30 sslmode x root settings judged (%d)" % n)
    srv.pg("stop")


def test_readers_real(env):
    """Settings found by the newer readers (keywords in any order, psycopg2 keyword arguments over
    several lines, a .env URL with PG* variables beside it, pgjdbc ?ssl and sslmode=REQUIRE, a Unix
    socket): pgtls's outcome, then the real client with the same settings against a server whose
    certificate the root file does or does not verify."""
    pki = env.pki
    srv = Server(env, "readers-pg")
    srv.pg("start", "old", "both")
    old, wrong = os.path.join(pki, "rootcert-old.pem"), os.path.join(pki, "rootcert-wrong.pem")
    d = os.path.join(env.tmp, "readers")
    classes = os.path.join(env.tmp, "readers-classes")
    subprocess.run(["javac", "-d", classes, os.path.join(HERE, "java/JdbcProbe.java")], check=True)
    port = srv.port
    cases = []  # (file, text, outcome expected, [(run, expected result)])

    def py_kw(root):
        return lambda: psycopg2_kwargs(env, {"host": "localhost", "port": port, "dbname": "postgres",
                                             "user": "postgres", "sslmode": "verify-full", "sslrootcert": root})
    cases.append(("kw/app.py", "import psycopg2\nconn = psycopg2.connect(\n    host=\"localhost\", port=%d,\n"
                  "    dbname=\"postgres\", user=\"postgres\",\n    sslmode=\"verify-full\", sslrootcert=\"%s\",\n)\n"
                  % (port, wrong), "verifies_full", [(py_kw(wrong), "fails"), (py_kw(old), ("connects", True))]))
    ci = "dbname=postgres sslmode=require user=postgres host=localhost port=%d" % port
    cases.append(("anyorder/job.conf", "DSN='%s'\n" % ci, "encrypted_unverified",
                  [(lambda: psql_run(env, ci), ("connects", True))]))
    url = "postgresql://postgres@localhost:%d/postgres" % port
    cases.append(("dotenv/.env", "DATABASE_URL=%s\nPGSSLMODE=verify-ca\nPGSSLROOTCERT=%s\n" % (url, wrong), "verifies_ca",
                  [(lambda: psql_run(env, url, {"PGSSLMODE": "verify-ca", "PGSSLROOTCERT": wrong}), "fails"),
                   (lambda: psql_run(env, url, {"PGSSLMODE": "verify-ca", "PGSSLROOTCERT": old}), ("connects", True))]))
    j1 = "jdbc:postgresql://localhost:%d/postgres?user=postgres&ssl&sslrootcert=%s" % (port, wrong)
    cases.append(("jdbc-ssl/app.properties", "url=%s\n" % j1, "verifies_full",
                  [(lambda: jdbc_run(env, classes, j1), "fails"),
                   (lambda: jdbc_run(env, classes, j1.replace(wrong, old)), ("connects", True))]))
    j2 = "jdbc:postgresql://localhost:%d/postgres?user=postgres&sslmode=REQUIRE" % port
    cases.append(("jdbc-upper/app.properties", "url=%s\n" % j2, "encrypted_unverified",
                  [(lambda: jdbc_run(env, classes, j2), ("connects", True))]))
    # the pgjdbc version comes from the project's pom.xml (java.c): the version of the jar that really runs, so
    # the row judged (42.2.5 and later: ssl=true is verify-full) is the driver run below
    import zipfile
    with zipfile.ZipFile(PGJDBC) as z:
        jar_version = [ln.split(": ", 1)[1] for ln in z.read("META-INF/MANIFEST.MF").decode().splitlines()
                       if ln.startswith("Implementation-Version: ")][0]
    write(os.path.join(d, "jdbc-pom/pom.xml"),
          "<project><properties><pgjdbc.version>%s</pgjdbc.version></properties><dependencies><dependency>"
          "<groupId>org.postgresql</groupId><artifactId>postgresql</artifactId><version>${pgjdbc.version}</version>"
          "</dependency></dependencies></project>\n" % jar_version)
    j3 = "jdbc:postgresql://localhost:%d/postgres?user=postgres&ssl=true&sslrootcert=%s" % (port, wrong)
    cases.append(("jdbc-pom/src/main/resources/application.properties", "spring.datasource.url=%s\n" % j3,
                  "verifies_full", [(lambda: jdbc_run(env, classes, j3), "fails"),
                                    (lambda: jdbc_run(env, classes, j3.replace(wrong, old)), ("connects", True))]))
    # a shell line: variables before psql apply to it (read_shell.c); run by bash for real
    sh = ("PGSSLMODE=verify-ca PGSSLROOTCERT=%s psql -X -h localhost -p %d -U postgres -d postgres -Atqc "
          "'select ssl from pg_stat_ssl where pid = pg_backend_pid()'" % ("{root}", port))
    cases.append(("shell/backup.sh", "#!/bin/sh\n%s\n" % sh.format(root=wrong), "verifies_ca",
                  [(lambda: shell_run(env, sh.format(root=wrong)), "fails"),
                   (lambda: shell_run(env, sh.format(root=old)), ("connects", True))]))
    sock = "host=%s port=%d user=postgres dbname=postgres sslmode=require" % (srv.dir, port)
    cases.append(("socket/job.conf", "DSN='%s'\n" % sock, "unix_socket",
                  [(lambda: psql_run(env, sock), ("connects", False))]))
    for rel, text, _, _ in cases:
        write(os.path.join(d, rel), text)
    rep = json.loads(env.pgtls("clients", "--json", d, "--home", os.path.join(env.tmp, "readers-home")).stdout)
    got = {os.path.relpath(c["file"], d): c["outcome"] for c in rep["clients"] if c["kind"] != "env-file"}
    for rel, _, want, runs in cases:
        check(got.get(rel) == want, "%s: outcome %s (want %s)" % (rel, got.get(rel), want))
        for run, expect in runs:
            res = run()
            check((res[0] if expect == "fails" else res) == expect, "%s really: %s (want %s)" % (rel, res, expect))
    check(rep["unparsed"] == [], "nothing unparsed: %s" % rep["unparsed"])
    pom = [c for c in rep["clients"] if "jdbc-pom" in c["file"]]
    check(len(pom) == 1 and pom[0]["driver"] == "pgjdbc" and "pgjdbc version: %s" % jar_version in pom[0]["note"],
          "the pom's pgjdbc version is in the note: %s" % pom)
    srv.pg("stop")


def test_tree(env):
    """A hostile tree: a symbolic link loop, a link to itself, a 100 MB file, a FIFO, a binary, an unreadable
    directory (scanned as nobody), node_modules.  The scan ends, finds the real client, lists what it did not
    read with the reason, and never says all-clear."""
    t = os.path.join(env.tmp, "tree")
    write(os.path.join(t, "app/job.conf"), "DSN='host=db.example.com sslmode=verify-full'\n")
    write(os.path.join(t, "node_modules/pg/x.js"), "const c = 'postgres://u@nm.example.com/db';\n")
    write(os.path.join(t, "secret/db.conf"), "DSN='host=hidden.example.com sslmode=require'\n")
    os.symlink(".", os.path.join(t, "app/loop"))
    os.symlink("self", os.path.join(t, "self"))
    os.symlink("app/job.conf", os.path.join(t, "linked.conf"))
    with open(os.path.join(t, "big.sql"), "wb") as f:
        f.truncate(100 * 1024 * 1024)
        f.seek(100 * 1024 * 1024 - 64)
        f.write(b"host=big.example.com sslmode=require\n")
    os.mkfifo(os.path.join(t, "pipe"))
    with open(os.path.join(t, "blob.bin"), "wb") as f:
        f.write(b"\0\1\2host=bin.example.com sslmode=require\n")
    # a YAML alias bomb (billion laughs): aliases are references, walked once
    bomb = ["a0: &a0 [postgresql, PGHOST]"] + ["a%d: &a%d [%s]" % (i, i, ", ".join(["*a%d" % (i - 1)] * 10))
                                                 for i in range(1, 12)]
    write(os.path.join(t, "app/bomb.yml"), "\n".join(bomb) + "\n")
    os.chmod(os.path.join(t, "secret"), 0)
    for root, dirs, files in os.walk(env.tmp):
        os.chmod(root, os.stat(root).st_mode | 0o005) if not root.endswith("secret") else None
    from common import PGTLS
    cmd = [PGTLS, "clients", "--json", t]
    if os.getuid() == 0:
        # root reads a mode-000 directory; nobody does not.  The checkout may sit in a private (0700)
        # directory nobody cannot enter: run a copy of the binary (libpgtls is linked in statically).
        import shutil
        exe = os.path.join(env.tmp, "pgtls-as-nobody")
        shutil.copy(PGTLS, exe)
        os.chmod(exe, 0o755)
        cmd = ["runuser", "-u", "nobody", "--", exe] + cmd[1:]
    import time
    t0 = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env.env, timeout=120, cwd=env.tmp)
    took = time.monotonic() - t0
    check("Sanitizer" not in r.stderr, "no sanitizer report: %s" % r.stderr[-500:])
    rep = json.loads(r.stdout) if r.stdout.startswith("{") else {"clients": [], "skipped": []}
    hosts = sorted(c["host"] for c in rep["clients"])
    skipped = {os.path.relpath(s["path"], t): s["reason"] for s in rep["skipped"]}
    check(r.returncode == 1, "not an all-clear: exit %d" % r.returncode)
    check(hosts == ["db.example.com", "db.example.com"], "the client, and through the link to it: %s" % hosts)
    check("larger" in skipped.get("big.sql", ""), "the 100 MB file listed as not read: %s" % skipped)
    check("not a regular file" in skipped.get("pipe", ""), "the FIFO listed: %s" % skipped.get("pipe"))
    check("loop" in skipped.get("self", "") and "loop" in skipped.get("app/loop", ""), "the loops listed: %s" % skipped)
    check("ermission" in skipped.get("secret", ""), "the unreadable directory listed: %s" % skipped.get("secret"))
    check(rep.get("binary_files_not_read") == 1, "the binary counted: %s" % rep.get("binary_files_not_read"))
    check(took < 30, "the scan ends quickly (%.1fs)" % took)
    os.chmod(os.path.join(t, "secret"), 0o755)


def shell_run(env, line):
    r = subprocess.run(["bash", "-c", line], capture_output=True, text=True, env=env.env, timeout=60)
    return ("connects", r.stdout.strip() == "t") if r.returncode == 0 else ("fails", r.stderr.strip())


def psycopg2_kwargs(env, kwargs):
    code = ("import json,psycopg2,sys\n"
            "try:\n"
            "    c = psycopg2.connect(**json.loads(sys.argv[1]))\n"
            "except Exception as e:\n"
            "    print('fails', str(e).strip().replace(chr(10), ' ')); sys.exit(1)\n"
            "cur = c.cursor(); cur.execute('select ssl from pg_stat_ssl where pid = pg_backend_pid()')\n"
            "print('connects', cur.fetchone()[0])\n")
    r = subprocess.run(["/usr/bin/python3", "-c", code, json.dumps(kwargs)], capture_output=True, text=True,
                       env=env.env, timeout=60)
    return ("connects", "True" in r.stdout) if r.returncode == 0 else ("fails", r.stdout.strip() + r.stderr.strip())


def env_pgtls(env):
    from common import PGTLS
    return PGTLS


def main():
    return run_tests([test_env_scan, test_tree, test_agreement, test_readers_real, test_rotation])


if __name__ == "__main__":
    sys.exit(main())
