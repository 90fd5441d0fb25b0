#!/usr/bin/env python3
"""The rehearsal server (pgtls impostor --mode new-chain and --mode relay)
against real clients, then the real switch: each application's observation
in the rehearsal must equal what it does when its server really switches CA.

One production server ("prod", old CA) at 127.0.0.1:P serves every
application; the rehearsals stop it and listen on its own address, so no
application is changed.  A canary on the new CA (server-new: localhost,
127.0.0.1) is what the relay hands TLS to; a second canary whose
certificate names only db.example.com shows what a relay cannot prove.

Applications (own roles; all connect to localhost:P):
  psql-both     psql verify-full, root file old+new              keeps working
  psql-old      psql verify-full, root file old only             breaks
  psql-prefer   psql sslmode=prefer, PGSSLROOTCERT old only      falls back to plaintext
  py-old        psycopg2 verify-ca, old root                     breaks
  py-require    psycopg2 sslmode=require, no root file           keeps working (verifies nothing)
  jdbc-libpq    pgjdbc LibPQFactory, verify-full, old+new        keeps working
  jdbc-java     pgjdbc DefaultJavaSSLFactory, JKS old+new        keeps working
  jvm-daemon    pgjdbc DefaultJavaSSLFactory in a JVM started with a JKS holding
                the old CA only; the store is fixed on disk before the rehearsals
                (pgtls store merge): the running JVM keeps its old copy      breaks
  node-both     node-postgres ssl.ca old+new (verify-full)       keeps working
  node-old      node-postgres ssl.ca old only                    breaks

What the drivers do, from their sources:
- libpq fe-secure-openssl.c: verify-ca/verify-full fail in SSL_connect
  (OpenSSL sends unknown_ca); the host name is checked after the handshake;
  sslmode=prefer retries without TLS after a failed TLS attempt (fe-connect.c).
- pgjdbc org/postgresql/ssl/MakeSSL.java: the handshake, then the
  HostnameVerifier; DefaultJavaSSLFactory takes the JVM's default
  SSLContext, made once per JVM (sun.security.ssl.SSLContextImpl): a store
  changed on disk is not read again.  JSSE sends certificate_unknown when
  the PKIX path fails.
- node-postgres lib/connection.js hands ssl to tls.connect(); Node's
  _tls_wrap.js checks authorized after the handshake and destroys the
  socket (no alert).
"""
import json
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import HERE, PGTLS, Server, check, free_port, keytool_store, npm_install, run_tests  # noqa: E402

PGJDBC = "/usr/share/java/postgresql.jar"
PGBIN = "/usr/lib/postgresql/15/bin"
APPS = ("psql-both", "psql-old", "psql-prefer", "py-old", "py-require", "jdbc-libpq", "jdbc-java", "jvm-daemon",
        "node-both", "node-old")
RANK = {"falls_back_to_plaintext": 4, "breaks": 3, "unknown": 2, "keeps_working": 1, "unaffected_no_tls": 0}

NODE_APP = """const { Client } = require('pg');
const fs = require('fs');
const c = new Client({host: 'localhost', port: %d, user: '%s', database: 'postgres',
                      ssl: {ca: fs.readFileSync('%s'), rejectUnauthorized: true}});
c.connect()
  .then(() => c.query('select ssl from pg_stat_ssl where pid = pg_backend_pid()'))
  .then((r) => { console.log('connected ssl=' + (r.rows[0].ssl ? 't' : 'f')); return c.end(); })
  .catch((e) => { console.log('failed: ' + e.message); process.exit(1); });
"""

PY_APP = """import sys
import psycopg2
try:
    c = psycopg2.connect(%r)
    cur = c.cursor()
    cur.execute("select ssl from pg_stat_ssl where pid = pg_backend_pid()")
    print("connected ssl=" + ("t" if cur.fetchone()[0] else "f"))
except Exception as e:
    print("failed: " + str(e).replace("\\n", " "))
    sys.exit(1)
"""


def role(app):
    return "u_" + app.replace("-", "_")


class Rehearsal:
    def __init__(self, env):
        self.env = env
        self.d = os.path.join(env.tmp, "rehearse")
        os.makedirs(self.d)
        self.prod = Server(env, "reh-prod")
        self.canary = Server(env, "reh-canary")
        self.other = Server(env, "reh-canary-other")
        self.classes = os.path.join(self.d, "classes")
        self.jvmdir = os.path.join(self.d, "jvm")
        os.makedirs(self.jvmdir)
        self.jvm = None
        self.jvm_n = 0
        pki = env.pki
        self.both = os.path.join(pki, "rootcert-both.pem")
        self.old = os.path.join(pki, "rootcert-old.pem")
        self.jks_both = os.path.join(self.d, "both.jks")
        self.jks_daemon = os.path.join(self.d, "daemon.jks")
        keytool_store(self.jks_both, [os.path.join(pki, "old-root.crt"), os.path.join(pki, "new-root.crt")])
        keytool_store(self.jks_daemon, [os.path.join(pki, "old-root.crt")])

    def start(self, nodepath):
        self.nodepath = nodepath
        for s, cert in ((self.prod, "old"), (self.canary, "new"), (self.other, "wronghost")):
            s.pg("start", cert)
            for a in APPS:
                s.pg("sql", "CREATE ROLE %s LOGIN" % role(a))
            s.pg("sql", "GRANT pg_read_all_stats TO u_psql_both")
        subprocess.run(["javac", "-d", self.classes, os.path.join(HERE, "java/JdbcProbe.java")], check=True,
                       capture_output=True)
        for a, ca in (("node-both", self.both), ("node-old", self.old)):
            with open(os.path.join(self.d, a + ".js"), "w") as f:
                f.write(NODE_APP % (self.prod.port, role(a), ca))
        py = {"py-old": "host=localhost port=%d user=%s dbname=postgres sslmode=verify-ca sslrootcert=%s"
                        % (self.prod.port, role("py-old"), self.old),
              "py-require": "host=localhost port=%d user=%s dbname=postgres sslmode=require"
                            % (self.prod.port, role("py-require"))}
        for a, dsn in py.items():
            with open(os.path.join(self.d, a + ".py"), "w") as f:
                f.write(PY_APP % dsn)
        # the running JVM, started with the old-only store
        self.jvm = subprocess.Popen(["java", "-cp", PGJDBC + ":" + self.classes, "JdbcProbe", self.jdbc_url("jvm-daemon"),
                                     self.jks_daemon, "JKS", "changeit", "loop:" + self.jvmdir],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env.env)

    def jdbc_url(self, app):
        base = "jdbc:postgresql://localhost:%d/postgres?user=%s&connectTimeout=5" % (self.prod.port, role(app))
        if app == "jdbc-libpq":
            return base + "&sslmode=verify-full&sslrootcert=" + self.both
        return base + "&ssl=true&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory"

    def run_app(self, app):
        """("connects", "t"/"f") or ("fails", why)"""
        env = dict(self.env.env)
        port = self.prod.port
        if app.startswith("psql-"):
            sslmode, root = {"psql-both": ("verify-full", self.both), "psql-old": ("verify-full", self.old),
                             "psql-prefer": ("prefer", None)}[app]
            if root is None:
                env["PGSSLROOTCERT"] = self.old
            cmd = ["psql", "-X", "-w", "-Atc", "select ssl from pg_stat_ssl where pid = pg_backend_pid()",
                   "host=localhost port=%d user=%s dbname=postgres sslmode=%s%s"
                   % (port, role(app), sslmode, (" sslrootcert=" + root) if root else "")]
        elif app.startswith("py-"):
            cmd = ["/usr/bin/python3", os.path.join(self.d, app + ".py")]
        elif app.startswith("node-"):
            cmd = ["node", os.path.join(self.d, app + ".js")]
            env.update(NODE_PATH=self.nodepath, NODE_NO_WARNINGS="1")
        elif app == "jvm-daemon":
            return self.jvm_once()
        else:
            opts = ["-Djavax.net.ssl.trustStore=" + self.jks_both, "-Djavax.net.ssl.trustStorePassword=changeit"]
            cmd = ["java"] + (opts if app == "jdbc-java" else []) + ["-cp", PGJDBC + ":" + self.classes, "JdbcProbe",
                                                                     self.jdbc_url(app)]
        r = subprocess.run(cmd, cwd=self.env.tmp, capture_output=True, text=True, env=env, timeout=120)
        out = (r.stdout + r.stderr).strip()
        if r.returncode == 0 and app.startswith("psql-"):
            return ("connects", out.splitlines()[-1])
        m = re.search(r"connected ssl=([tf])", out)
        return ("connects", m.group(1)) if r.returncode == 0 and m else ("fails", out[-300:])

    def jvm_once(self):
        self.jvm_n += 1
        open(os.path.join(self.jvmdir, "go.%d" % self.jvm_n), "w").close()
        res = os.path.join(self.jvmdir, "res.%d" % self.jvm_n)
        for _ in range(1200):
            if os.path.exists(res):
                break
            time.sleep(0.05)
        out = open(res).read().strip() if os.path.exists(res) else "failed: no answer from the JVM"
        return ("connects", out[-1]) if out.startswith("connected ssl=") else ("fails", out)

    def prod_stop(self):
        self.prod.pg("stop")

    def prod_start(self):
        data = os.path.join(self.prod.dir, "data")
        cmd = [os.path.join(PGBIN, "pg_ctl"), "-D", data, "-l", os.path.join(self.prod.dir, "server.log"), "-w", "-s",
               "start"]
        if os.getuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        subprocess.run(cmd, check=True, env=self.env.env, capture_output=True)

    def rehearse(self, args, name):
        """stops prod, runs the impostor on its address with ARGS, runs every application:
        ({app: observed}, report)"""
        self.prod_stop()
        out = os.path.join(self.d, name + ".json")
        err = os.path.join(self.d, name + ".err")
        imp = subprocess.Popen([PGTLS, "impostor", "--listen", "127.0.0.1:%d" % self.prod.port, "--json"] + args,
                               stdout=open(out, "w"), stderr=open(err, "w"), env=self.env.env)
        for _ in range(100):
            if "listening on" in open(err).read() or imp.poll() is not None:
                break
            time.sleep(0.1)
        ranges = {}
        last = 0
        for a in APPS:
            self.run_app(a)
            time.sleep(0.7)  # the sessions end and are logged; a retry of another app is never this close
            ids = [int(x) for x in re.findall(r"session (\d+) from", open(err).read())]
            top = max(ids) if ids else last
            ranges[a] = (last, top)
            last = top
        imp.send_signal(signal.SIGTERM)
        imp.wait(timeout=30)
        text = open(err).read()
        check("Sanitizer" not in text and "runtime error:" not in text, "no sanitizer report (%s):\n%s"
              % (name, text[-2000:]))
        with open(out) as f:
            rep = json.load(f)
        observed = {}
        for a, (lo, hi) in ranges.items():
            seen = [s["observed"] for s in rep["sessions"] if lo < s["id"] <= hi]
            observed[a] = max(seen, key=lambda p: RANK.get(p, 2)) if seen else "no session"
        self.prod_start()
        return observed, rep, out

    def stop(self):
        if self.jvm and self.jvm.poll() is None:
            open(os.path.join(self.jvmdir, "stop"), "w").close()
            try:
                self.jvm.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.jvm.kill()
        for s in (self.prod, self.canary, self.other):
            try:
                s.pg("stop")
            except Exception:
                pass


def real(result):
    if result[0] == "fails":
        return "breaks"
    return "keeps_working" if result[1] == "t" else "falls_back_to_plaintext"




def test_rehearse(env):
    reh = Rehearsal(env)
    try:
        reh.start(npm_install(env, 'rehearse-node'))
        run_rehearsals(env, reh)
    finally:
        reh.stop()


def run_rehearsals(env, reh):
    pki = env.pki
    before = {a: reh.run_app(a) for a in APPS}
    check(all(r == ("connects", "t") for r in before.values()),
          "every application connects over TLS before the switch: %s" % before)

    # the daemon's store is fixed on disk (old + new CA) while its JVM runs
    r = subprocess.run([PGTLS, "store", "merge", "-o", reh.jks_daemon, "--force", reh.jks_daemon,
                        os.path.join(pki, "rootcert-new.pem")], capture_output=True, text=True, env=env.env)
    check(r.returncode == 0, "the daemon's store is merged on disk: %s" % r.stderr.strip())

    # 1. new-chain: the test's own new CA signs a certificate with prod's names
    chain = os.path.join(reh.d, "new-ca-chain.pem")
    with open(chain, "w") as f:
        f.write(open(os.path.join(pki, "new-inter.crt")).read() + open(os.path.join(pki, "new-root.crt")).read())
    nc, nc_rep, nc_path = reh.rehearse(["--mode", "new-chain", "--ca-cert", chain, "--ca-key",
                                        os.path.join(pki, "new-inter.key"), "--name", "localhost", "--name",
                                        "127.0.0.1"], "new-chain")
    check(nc_rep["mode"] == "new-chain" and nc_rep["summary"]["sessions"] >= len(APPS),
          "new-chain report: %s" % nc_rep.get("summary"))

    # 2. relay to the canary already on the new CA (named localhost: every name is tested)
    relay_args = ["--mode", "relay", "--relay-to", "host=127.0.0.1 port=%d" % reh.canary.port,
                  "--canary-conninfo", "host=127.0.0.1 port=%d user=u_psql_both dbname=postgres sslmode=disable"
                  % reh.canary.port]
    rl, rl_rep, rl_path = reh.rehearse(relay_args, "relay")
    kept = [s for s in rl_rep["sessions"] if s["observed"] == "keeps_working"]
    check(kept and all(s["relayed"] and s["identified"] and s["user"].startswith("u_") for s in kept),
          "relayed sessions that went on are named from the canary's pg_stat_activity: %s"
          % [(s["user"], s["identified"]) for s in kept])
    check(all(not s["password"]["sent"] or not s["relayed"] for s in rl_rep["sessions"]),
          "the relay keeps no password")

    # 3. the real switch: prod serves the new CA's chain; every application runs again
    reh.prod.pg("cert", "new")
    after = {a: real(reh.run_app(a)) for a in APPS}
    expected = {"psql-both": "keeps_working", "psql-old": "breaks", "psql-prefer": "falls_back_to_plaintext",
                "py-old": "breaks", "py-require": "keeps_working", "jdbc-libpq": "keeps_working",
                "jdbc-java": "keeps_working", "jvm-daemon": "breaks", "node-both": "keeps_working",
                "node-old": "breaks"}
    check(after == expected, "the real switch: %s" % after)
    for a in APPS:
        print("  %-12s new-chain %-24s relay %-24s switch %s" % (a, nc[a], rl[a], after[a]), flush=True)
    for a in APPS:
        check(nc[a] == after[a], "new-chain observed %s for %s; the real switch: %s" % (nc[a], a, after[a]))
        check(rl[a] == after[a], "relay observed %s for %s; the real switch: %s" % (rl[a], a, after[a]))
    check(nc_rep["status"]["code"] == 2 and rl_rep["status"]["code"] == 2,
          "rehearsals with clients that break exit 2: %s %s" % (nc_rep["status"], rl_rep["status"]))
    prove = {s["proves"] for s in rl_rep["sessions"] if s["observed"] in ("keeps_working", "breaks")}
    check(prove == {"ca_trust_and_host_name"}, "a canary named as the clients' host tests the names too: %s" % prove)

    # a canary named otherwise proves CA trust only: a verify-full client that ends the handshake is unknown
    reh.prod.pg("cert", "old")
    other_args = ["--mode", "relay", "--relay-to", "host=127.0.0.1 port=%d" % reh.other.port]
    ot, ot_rep, _ = reh.rehearse(other_args, "relay-other")
    print("  canary with other names: %s" % ot, flush=True)
    check(ot["psql-both"] == "unknown" and ot["node-both"] == "unknown",
          "names the canary lacks: verify-full clients that closed are unknown, not breaks: %s" % ot)
    check(ot["psql-old"] == "breaks" and ot["py-old"] == "breaks",
          "an unknown_ca alert is about the chain whatever the name: breaks: %s" % ot)
    check(ot["py-require"] == "keeps_working", "an unverifying client goes on: %s" % ot)
    unk = [s for s in ot_rep["sessions"] if s["observed"] == "unknown"]
    check(unk and all("canary's name" in s["explains"] for s in unk),
          "the report says what was not proven: %s" % [s["explains"] for s in unk][:2])

    # 4. rotation --observed: the observation beats the settings; refusals no client claims keep it NO-GO
    rotation_observed(env, reh, nc_path, rl_path)
    like_and_errors(env, reh, chain)
    hostile_canary(env, reh)


def rotation_observed(env, reh, nc_path, rl_path):
    """after the switch: the rehearsals' reports and prod's log against an estate's settings"""
    reh.prod.pg("cert", "new")
    estate = os.path.join(reh.d, "estate")
    os.makedirs(estate)
    apps = ("psql-both", "psql-old", "psql-prefer")
    with open(os.path.join(estate, "deploy.sh"), "w") as f:
        f.write("#!/bin/sh\n")
        f.write('psql "host=localhost port=%d user=%s dbname=postgres sslmode=verify-full sslrootcert=%s" -c 1\n'
                % (reh.prod.port, role("psql-both"), reh.both))
        f.write('psql "host=localhost port=%d user=%s dbname=postgres sslmode=verify-full sslrootcert=%s" -c 1\n'
                % (reh.prod.port, role("psql-old"), reh.old))
        # PGSSLROOTCERT comes from the host's environment, not from this repository
        f.write('psql "host=localhost port=%d user=%s dbname=postgres sslmode=prefer" -c 1\n'
                % (reh.prod.port, role("psql-prefer")))
    elsewhere = os.path.join(env.tmp, "rehearse-elsewhere")
    os.makedirs(elsewhere, exist_ok=True)
    log = os.path.join(reh.prod.dir, "server.log")
    base = [PGTLS, "rotation", "--new-ca", reh.both, "--clients", estate, "localhost:%d" % reh.prod.port]
    r = subprocess.run(base + ["--json", "--observed", nc_path, "--observed", rl_path, "--logs", log],
                       cwd=elsewhere, capture_output=True, text=True, env=env.env, timeout=120)
    try:
        rep = json.loads(r.stdout)
    except ValueError:
        check(False, "rotation --observed prints JSON: %s %s" % (r.stdout[-300:], r.stderr[-300:]))
        return
    got = {apps[c["line"] - 2]: c for c in rep["clients"] if 2 <= c["line"] <= 4}
    want = {"psql-both": ("observed", "keeps_working"), "psql-old": ("inferred", "already_broken"),
            "psql-prefer": ("observed", "falls_back_to_plaintext")}
    for a, (basis, pred) in want.items():
        c = got.get(a, {})
        check((c.get("basis"), c.get("prediction")) == (basis, pred),
              "after the switch, %s: %s %s: %s" % (a, basis, pred,
                                                    {k: c.get(k) for k in ("basis", "prediction", "reason")}))
    check(got.get("psql-prefer", {}).get("finding") == "observed_contradicts_inference",
          "the plaintext fallback seen in the log contradicts its settings (no root file here): %s"
          % got.get("psql-prefer", {}).get("inferred"))
    check([e["on_new_ca"] for e in rep["endpoints"]] == [True] and rep["new_ca_rule"] == "validity",
          "run after the switch with old+new and no --old-ca: the endpoint is on the new CA: %s %s"
          % ([e["on_new_ca"] for e in rep["endpoints"]], rep["new_ca_rule"]))
    check(rep["decision"] == "NO-GO" and r.returncode == 2 and rep["observed"]["reports"] == 2 and
          rep["observed"]["unattributed_sessions"].get("breaks", 0) > 0,
          "refusals no client claims keep it NO-GO: %s exit %d" % (rep.get("observed"), r.returncode))
    aws_registered(env, reh, base, elsewhere)
    # the rehearsals alone (no log): psql-prefer's plaintext retry, read back from the report, is its fallback
    r = subprocess.run(base + ["--json", "--observed", nc_path, "--observed", rl_path], cwd=elsewhere,
                       capture_output=True, text=True, env=env.env, timeout=120)
    pref = [c for c in json.loads(r.stdout)["clients"] if c["line"] == 4] if r.stdout.startswith("{") else []
    check(pref and (pref[0]["basis"], pref[0]["prediction"]) == ("observed", "falls_back_to_plaintext"),
          "psql-prefer from the rehearsals alone: observed falls_back_to_plaintext: %s"
          % [(c["basis"], c["prediction"], c["observed"]) for c in pref])
    r = subprocess.run(base + ["--observed", nc_path], cwd=elsewhere, capture_output=True, text=True, env=env.env,
                       timeout=120)
    check("(observed)" in r.stdout and "(inferred)" in r.stdout and "rehearsal session" in r.stdout,
          "the text report shows each client's basis and the unclaimed sessions: %s" % r.stdout[-600:])
    for bad, what in ((["--observed", reh.old], "--observed"), (["--logs", os.path.join(reh.d, "nope.log")], "--logs")):
        r = subprocess.run(base + bad, cwd=elsewhere, capture_output=True, text=True, env=env.env, timeout=60)
        check(r.returncode == 3 and r.stdout == "" and what in r.stderr,
              "%s: a file that cannot be used is one clear error: %d %s" % (what, r.returncode, r.stderr.strip()))


def like_and_errors(env, reh, chain):
    """--like copies the real server's names into the new CA's leaf; usage errors are one line, exit 3"""
    pki = env.pki
    r = subprocess.run([PGTLS, "impostor", "--mode", "new-chain", "--ca-cert", chain, "--ca-key",
                        os.path.join(pki, "new-inter.key"), "--like", "localhost:%d" % reh.prod.port, "--listen",
                        "127.0.0.1:0", "--duration", "1s", "--json"], capture_output=True, text=True, env=env.env,
                       timeout=60)
    rep = json.loads(r.stdout) if r.stdout.startswith("{") else {}
    leaf = rep.get("certificate") or {}
    check(r.returncode == 3 and sorted(leaf.get("san_dns", [])) == ["localhost"] and
          leaf.get("san_ip") == ["127.0.0.1"] and "New Intermediate" in (leaf.get("issuer") or ""),
          "new-chain --like: the real names, issued by the new CA: %s %s" % (r.returncode, leaf))
    bad = ((["--mode", "relay"], "--relay-to"),
           (["--mode", "new-chain"], "--ca-cert"),
           (["--mode", "relay", "--relay-to", "host=127.0.0.1 port=1"], "relay"),
           (["--mode", "forged", "--relay-to", "host=127.0.0.1 port=1"], "--relay-to"),
           (["--mode", "relay", "--relay-to", "host=127.0.0.1 port=%d" % reh.canary.port, "--canary-conninfo",
             "host=127.0.0.1 port=%d user=nobody_here dbname=postgres sslmode=disable" % reh.canary.port],
            "pg_stat_activity"))
    for args, word in bad:
        r = subprocess.run([PGTLS, "impostor", "--listen", "127.0.0.1:0", "--duration", "1s"] + args,
                           capture_output=True, text=True, env=env.env, timeout=60)
        lines = r.stderr.strip().splitlines()
        check(r.returncode == 3 and r.stdout == "" and len(lines) == 1 and word in lines[0],
              "impostor %s: one line, exit 3: %d %s" % (" ".join(args), r.returncode, r.stderr.strip()))


def hostile_canary(env, reh):
    """a canary that completes the handshake and then closes (../shared/reproducers/sigpipe_server.py D1): the
    relay records what the client did and why the session ended; no SIGPIPE, no hang"""
    rep_dir = os.path.join(HERE, "hostile")
    srv_py = os.path.join(rep_dir, "sigpipe_server.py")
    if not check(os.path.exists(srv_py), "the hostile server reproducer is in tests/integration/hostile"):
        return
    port = free_port()
    # the canary's own test certificate (server-new: the new CA, localhost), made at test time by gen-pki.sh
    srv = subprocess.Popen(["/usr/bin/python3", srv_py, "after-tls", str(port),
                            os.path.join(env.pki, "server-new.chain.crt"), os.path.join(env.pki, "server-new.key")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        lport = free_port()
        imp = subprocess.Popen([PGTLS, "impostor", "--mode", "relay", "--relay-to", "host=127.0.0.1 port=%d" % port,
                                "--listen", "127.0.0.1:%d" % lport, "--duration", "4s", "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env.env)
        time.sleep(1.5)
        subprocess.run(["psql", "-X", "-w", "-c", "select 1", "host=127.0.0.1 port=%d user=x dbname=x sslmode=require"
                        % lport], capture_output=True, env=env.env, timeout=30)
        out, err = imp.communicate(timeout=30)
        rep = json.loads(out) if out.startswith("{") else {}
        sess = rep.get("sessions", [])
        # the client (sslmode=require) went on with its startup: that is what it does; the canary's close is told
        check(imp.returncode == 0 and len(sess) == 1 and sess[0]["relayed"] and
              sess[0]["observed"] == "keeps_working" and "the canary closed" in sess[0]["end"],
              "a canary that closes after the handshake: recorded with its close, no SIGPIPE, exit %d: %s %s"
              % (imp.returncode, [(s["end"], s["observed"]) for s in sess], err[-300:]))
    finally:
        srv.kill()


def aws_registered(env, reh, base, elsewhere):
    """the test PKI's roots registered as AWS's (a test-only table: PGTLS_TEST_AWS_CAS, test builds only):
    after the switch, an AWS-style old+new bundle and no --old-ca is told apart by AWS's generations"""
    table = os.path.join(reh.d, "test-aws-cas.txt")
    with open(table, "w") as f:
        for crt, label in (("old-root.crt", "rds-ca-2019"), ("new-root.crt", "rds-ca-rsa2048-g1 us-east-1")):
            fp = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in",
                                 os.path.join(env.pki, crt)], capture_output=True, text=True, check=True).stdout
            f.write("%s %s\n" % (fp.split("=", 1)[1].strip().replace(":", ""), label))
    aws_env = dict(env.env, PGTLS_TEST_AWS_CAS=table)
    r = subprocess.run([PGTLS, "store", "inspect", "--json", reh.both], capture_output=True, text=True, env=aws_env)
    known = [c.get("known_as") for c in json.loads(r.stdout).get("certificates", [])] if r.stdout else []
    if not check("rds-ca-2019" in known, "the test build registers the test roots as AWS's (-Dtest_hooks=true): %s"
                 % known):
        return
    r = subprocess.run([PGTLS, "store", "inspect", "--json", reh.both], capture_output=True, text=True, env=env.env)
    check("rds-ca-2019" not in r.stdout, "without the test table the test roots are not AWS's")
    r = subprocess.run(base + ["--json"], cwd=elsewhere, capture_output=True, text=True, env=aws_env, timeout=120)
    rep = json.loads(r.stdout) if r.stdout.startswith("{") else {}
    check(rep.get("new_ca_rule") == "aws_generation" and [e["on_new_ca"] for e in rep.get("endpoints", [])] == [True],
          "AWS-registered old+new bundle, no --old-ca, after the switch: the endpoint is on the new CA by AWS's "
          "generations: %s %s" % (rep.get("new_ca_rule"), [e["on_new_ca"] for e in rep.get("endpoints", [])]))


if __name__ == "__main__":
    sys.exit(run_tests([test_rehearse]))
