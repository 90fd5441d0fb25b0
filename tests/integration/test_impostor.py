#!/usr/bin/python3
"""`pgtls impostor`: real clients against the decoy, in each mode.

For each decoy mode (forged, untrusted-ca, wrong-name, expired, no-tls) the
real clients connect to the decoy one after the other:
  psql and psycopg2 (/usr/bin/python3) with each sslmode, with the trusted
  root file (sslrootcert=new-root.crt) and without one;
  pgjdbc (Debian libpostgresql-jdbc-java) with ssl=true and a JKS trust store
  built by keytool (DefaultJavaSSLFactory), sslmode=verify-full with that
  JKS, sslmode=require, sslfactory=NonValidatingFactory (with sslmode=require,
  and with ssl=true, where pgjdbc still checks the host name), the default
  sslmode (prefer), and sslmode=verify-ca with sslrootcert.
Each client's sessions are told apart by the decoy's "session N" lines that
appear while it runs; the verdicts of its sessions (JSON report) must be
the expected ones, and what the client itself saw must agree (it always
fails: the decoy ends every session with FATAL).

Then: no byte of the unique password appears in the decoy's stdout,
stderr or memory (/proc/PID/mem: what a core dump would hold) while it
still runs; pgtls clients --decoy-report turns a contradiction between a
client's settings and its behaviour into a finding; bad options fail
cleanly; --like copies a real PostgreSQL 15 server's names; direct TLS
(PG17) is recognised.

Sources of the expected behaviour: libpq 15 fe-connect.c (PQconnectPoll:
prefer retries without SSL after an ErrorResponse over SSL, allow retries
with SSL after one without), fe-secure-openssl.c (initialize_SSL: a root
file makes prefer/require verify the chain; verify-full checks the name
after the handshake); pgjdbc ssl/MakeSSL.java (verifyPeerName for
verify-full whatever the factory), ssl/LibPQFactory.java (require without
a root file does not validate), core/v3/ConnectionFactoryImpl.java.

Run:  /usr/bin/python3 tests/integration/test_impostor.py BUILD_DIR
"""
import json
import os
import queue
import re
import secrets
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import PGTLS, check, free_port, run_tests  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PGJDBC = "/usr/share/java/postgresql.jar"
SECRET = "pgtls-decoy-" + secrets.token_hex(12)  # unique: searched for in the decoy's output and memory
SSLMODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

S, A, F, N, R = ("sent_password_to_decoy", "accepted_forged_cert", "fell_back_to_plaintext",
                 "no_tls_requested", "rejected_decoy")


class Decoy:
    """A running `pgtls impostor`; session ids are collected from its stderr as they end."""

    def __init__(self, env, mode, extra=()):
        self.port = free_port()
        args = [PGTLS, "impostor", "--listen", "127.0.0.1:%d" % self.port, "--mode", mode, "--json"] + list(extra)
        if mode in ("wrong-name", "expired"):
            args += ["--ca-cert", os.path.join(env.pki, "new-inter.crt"),
                     "--ca-key", os.path.join(env.pki, "new-inter.key")]
        denv = dict(env.env)
        denv.pop("PGPASSWORD", None)
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=denv)
        self.lines = queue.Queue()
        self.stderr = []
        self.out = []
        threading.Thread(target=self._read_err, daemon=True).start()
        threading.Thread(target=lambda: self.out.append(self.proc.stdout.read()), daemon=True).start()
        first = self.lines.get(timeout=30)
        if "listening on" not in first:
            raise RuntimeError("decoy did not start: " + first)

    def _read_err(self):
        for line in self.proc.stderr:
            self.stderr.append(line)
            self.lines.put(line)

    def sessions_since(self, idle=0.3, limit=5.0):
        """Ids of the sessions that ended since the last call (waits until IDLE s pass without one)."""
        ids = []
        end = time.monotonic() + limit
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=idle)
            except queue.Empty:
                break
            m = re.match(r"pgtls impostor: session (\d+) ", line)
            if m:
                ids.append(int(m.group(1)))
        return ids

    def memory_holds(self, needle):
        """True when NEEDLE is anywhere in the decoy's readable memory (what a core dump would hold)."""
        pid = self.proc.pid
        found = False
        with open("/proc/%d/maps" % pid) as maps, open("/proc/%d/mem" % pid, "rb", 0) as mem:
            for line in maps:
                addr, perms = line.split()[:2]
                if not perms.startswith("r"):
                    continue
                lo, hi = (int(x, 16) for x in addr.split("-"))
                if hi - lo > 1 << 30:
                    continue
                try:
                    mem.seek(lo)
                    if needle in mem.read(hi - lo):
                        found = True
                except (OSError, ValueError, OverflowError):
                    pass
        return found

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout=30)
        time.sleep(0.1)
        err = "".join(self.stderr)
        check("Sanitizer" not in err and "runtime error:" not in err, "sanitizer report from the decoy:\n" + err)
        check(rc in (0, 1, 2, 3), "decoy exit status %d is not 0-3" % rc)
        return rc, json.loads(self.out[0]) if self.out and self.out[0] else None


def psql(env, port, mode, root, app):
    conn = "host=localhost port=%d user=app dbname=appdb sslmode=%s application_name=%s" % (port, mode, app)
    if root:
        conn += " sslrootcert=" + root
    e = dict(env.env, PGPASSWORD=SECRET)
    r = subprocess.run(["psql", conn, "-Atc", "select 1"], capture_output=True, text=True, env=e, timeout=30)
    return r.stderr.strip()


def psycopg(port, mode, root, app):
    import psycopg2
    kw = dict(host="localhost", port=port, user="app", dbname="appdb", sslmode=mode, application_name=app,
              password=SECRET)
    if root:
        kw["sslrootcert"] = root
    try:
        psycopg2.connect(**kw).close()
        return "connected"
    except psycopg2.Error as e:
        return str(e).strip()


def jdbc(env, classes, port, params, app, store=None):
    url = "jdbc:postgresql://localhost:%d/appdb?user=app&password=%s&ApplicationName=%s&connectTimeout=5" % (
        port, SECRET, app)
    if params:
        url += "&" + params
    args = ["java", "-cp", PGJDBC + ":" + classes, "JdbcProbe", url]
    if store:
        args += [store, "JKS", "changeit"]
    r = subprocess.run(args, capture_output=True, text=True, env=env.env, timeout=120)
    return r.stdout.strip()


def expected_libpq(mode, sslmode, root):
    """The verdicts of all the sessions of one libpq client (psql or psycopg2), from libpq 15's rules."""
    verifies_chain = root and sslmode in ("prefer", "require", "verify-ca", "verify-full", "allow")
    if sslmode in ("verify-ca", "verify-full") and not root:
        return {R}  # asks for TLS, then fails before its handshake: root certificate file does not exist
    if mode == "no-tls":
        return {R} if sslmode not in ("disable", "allow", "prefer") else (
            {N, S} if sslmode == "disable" else {N, F, S} if sslmode == "allow" else {F, S})
    if sslmode == "disable":
        return {N, S}
    chain_ok = mode == "wrong-name"  # signed by the CA the client trusts
    accepts_tls = not verifies_chain or (chain_ok and sslmode != "verify-full")
    if sslmode == "allow":  # plaintext first; the decoy's FATAL makes it retry with TLS
        return {N, S, A} if accepts_tls else {N, S, R}
    if sslmode == "prefer":  # TLS; refused verification or the FATAL: retry without TLS
        return {A, S, F} if accepts_tls else {R, F, S}
    return {A, S} if accepts_tls else {R}


# pgjdbc client: (name, URL parameters, uses the JKS trust store) -> mode -> expected verdicts
JDBC_CLIENTS = [
    ("jdbc-ssl-true-jks", "ssl=true&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory", True),
    ("jdbc-verify-full-jks", "sslmode=verify-full&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory", True),
    ("jdbc-require", "sslmode=require", False),
    ("jdbc-nonvalidating", "sslmode=require&sslfactory=org.postgresql.ssl.NonValidatingFactory", False),
    ("jdbc-ssl-true-nonvalidating", "ssl=true&sslfactory=org.postgresql.ssl.NonValidatingFactory", False),
    ("jdbc-default", "", False),
    ("jdbc-verify-ca", "sslmode=verify-ca&sslrootcert=ROOT", False),
]


def expected_jdbc(name, mode):
    if name in ("jdbc-ssl-true-jks", "jdbc-verify-full-jks"):
        return {R}
    if name == "jdbc-verify-ca":
        return {A, S} if mode == "wrong-name" else {R}
    if mode == "no-tls":
        return {F, S} if name == "jdbc-default" else {R}
    if name == "jdbc-ssl-true-nonvalidating":  # no chain check, but verify-full still checks the host name
        return {R} if mode == "wrong-name" else {A, S}
    if name == "jdbc-default":  # prefer: after the FATAL over TLS, pgjdbc retries without TLS (as libpq does)
        return {A, F, S}
    return {A, S}


def run_mode(env, mode, classes, jks):
    root = os.path.join(env.pki, "new-root.crt")
    decoy = Decoy(env, mode)
    seen = {}  # client -> (session ids, what the client saw)
    for sslmode in SSLMODES:
        for rname, rpath in (("root", root), ("noroot", None)):
            app = "psql-%s-%s" % (sslmode, rname)
            said = psql(env, decoy.port, sslmode, rpath, app)
            seen[app] = (decoy.sessions_since(), said, expected_libpq(mode, sslmode, rpath))
            app = "psycopg-%s-%s" % (sslmode, rname)
            said = psycopg(decoy.port, sslmode, rpath, app)
            seen[app] = (decoy.sessions_since(), said, expected_libpq(mode, sslmode, rpath))
    for name, params, use_jks in JDBC_CLIENTS:
        said = jdbc(env, classes, decoy.port, params.replace("ROOT", root), name, jks if use_jks else None)
        seen[name] = (decoy.sessions_since(idle=0.5), said, expected_jdbc(name, mode))
    # the password is in no output and nowhere in the decoy's memory, while it still runs
    check(decoy.proc.poll() is None, "%s: the decoy died: %s" % (mode, "".join(decoy.stderr)[-2000:]))
    check(decoy.proc.poll() is None and not decoy.memory_holds(SECRET.encode()),
          "%s: the password is in the decoy's memory" % mode)
    # the scan itself works: what the decoy does keep (an application_name) is found
    check(decoy.memory_holds(b"psycopg-prefer-noroot"), "%s: the memory scan finds what the decoy keeps" % mode)
    # the scan itself works: what the decoy does keep (an application_name) is found
    check(decoy.memory_holds(b"psycopg-prefer-noroot"), "%s: the memory scan finds what the decoy keeps" % mode)
    rc, rep = decoy.stop()
    check(rep is not None, "%s: no JSON report" % mode)
    if rep is None:
        return
    check(SECRET not in decoy.out[0] and SECRET not in "".join(decoy.stderr),
          "%s: the password is in the decoy's output" % mode)
    sessions = {s["id"]: s for s in rep["sessions"]}
    accepted = False
    for client, (ids, said, want) in seen.items():
        got = set()
        for i in ids:
            got |= set(sessions[i]["codes"]) if i in sessions else {"missing"}
        got.discard("inconclusive")
        accepted |= bool(got - {R})
        check(got == want, "%s %s: verdicts %s, expected %s (client said: %s; sessions %s)" % (
            mode, client, sorted(got), sorted(want), said[:200],
            [(i, sessions[i]["request"], sessions[i]["startup"], sessions[i]["retry_of"]) for i in ids
             if i in sessions]))
        check("connected" not in said, "%s %s: the client connected to the decoy" % (mode, client))
        named = [sessions[i] for i in ids if i in sessions and sessions[i].get("user")]
        if S in want:
            # libpq sends application_name in its startup; pgjdbc sets ApplicationName after connecting
            check(any(s["user"] == "app" and s["database"] == "appdb" and
                      (client.startswith("jdbc") or s["application_name"] == client) for s in named),
                  "%s %s: the session does not name the application" % (mode, client))
            check(all(s["password"]["length"] == "32+" for s in named if s["password"]["sent"]),
                  "%s %s: password length class" % (mode, client))
    check(rc == (2 if accepted else 0), "%s: exit status %d" % (mode, rc))
    check(rep["status"]["code"] == rc, "%s: status in the report" % mode)
    check(rep["summary"]["sessions"] == len(rep["sessions"]), "%s: summary count" % mode)
    return rep


def setup_java(env):
    classes = os.path.join(env.tmp, "classes")
    os.makedirs(classes, exist_ok=True)
    subprocess.run(["javac", "-d", classes, os.path.join(HERE, "java/JdbcProbe.java")], check=True)
    jks = os.path.join(env.tmp, "decoy-trust.jks")
    subprocess.run(["keytool", "-importcert", "-noprompt", "-alias", "new-root", "-file",
                    os.path.join(env.pki, "new-root.crt"), "-keystore", jks, "-storetype", "JKS",
                    "-storepass", "changeit"], check=True, capture_output=True)
    return classes, jks


def test_modes(env):
    classes, jks = setup_java(env)
    reports = {}
    for mode in ("forged", "wrong-name", "expired", "no-tls", "untrusted-ca"):
        reports[mode] = run_mode(env, mode, classes, jks)
    env.decoy_reports = reports
    rep = reports.get("forged")
    if rep:
        with open(os.path.join(env.tmp, "decoy-forged.json"), "w") as f:
            json.dump(rep, f)
        # retries are linked to the attempt they repeat
        prefer = [s for s in rep["sessions"] if s.get("application_name") == "psql-prefer-noroot"]
        check(len(prefer) == 2 and prefer[1]["retry_of"] == prefer[0]["id"],
              "forged: libpq prefer's plaintext retry is linked to its TLS attempt")
        leaf = rep["certificate"]
        check(leaf and "localhost" in leaf["san_dns"] and "127.0.0.1" in leaf["san_ip"],
              "forged: the decoy's certificate names localhost and 127.0.0.1: %s" % leaf)


def jrun(env, *args):
    r = env.pgtls(*args)
    try:
        return r, json.loads(r.stdout)
    except ValueError:
        check(False, "pgtls %s: no JSON (exit %d): %s" % (" ".join(args), r.returncode, r.stderr[-500:]))
        return r, {"clients": []}


def test_clients_integration(env):
    """pgtls clients --decoy-report: settings that say verify-full, a decoy that saw the client accept."""
    report = os.path.join(env.tmp, "decoy-forged.json")
    if not check(os.path.exists(report), "no forged report to read back"):
        return
    app = os.path.join(env.tmp, "app")
    os.makedirs(app, exist_ok=True)
    root = os.path.join(env.pki, "new-root.crt")
    with open(os.path.join(app, "settings.env"), "w") as f:
        # line 1 says verify-ca; the application that ran as psql-require-noroot accepted the forgery
        f.write("DATABASE_URL=postgresql://app@localhost:%d/appdb?sslmode=verify-ca"
                "&sslrootcert=%s&application_name=psql-require-noroot\n" % (env.port, root))
        # line 2 says require, and did accept: consistent
        f.write("OTHER_URL=postgresql://app@localhost:%d/appdb?sslmode=require"
                "&application_name=psycopg-require-noroot\n" % env.port)
        # line 3 says verify-full and rejected: consistent
        f.write("SAFE_URL=postgresql://app@localhost:%d/appdb?sslmode=verify-full"
                "&sslrootcert=%s&application_name=psql-verify-full-root\n" % (env.port, root))
    r, rep = jrun(env, "clients", "--decoy-report", report, "--json", app)
    by_app = {}
    for c in rep["clients"]:
        by_app[{1: "DATABASE_URL", 2: "OTHER_URL", 3: "SAFE_URL"}.get(c["line"], "?")] = c
    bad = by_app.get("DATABASE_URL", {}).get("decoy") or {}
    check(bad.get("finding") == "decoy_contradicts_settings" and S in bad.get("verdicts", []),
          "clients: verify-ca settings that accepted the decoy are a finding: %s" % bad)
    ok = by_app.get("OTHER_URL", {}).get("decoy") or {}
    check(ok.get("finding") == "decoy_confirms_settings", "clients: require that accepted agrees: %s" % ok)
    # a client that refuses the decoy never sends its startup: the decoy cannot name it, nothing is claimed
    check("SAFE_URL" in by_app and "decoy" not in by_app["SAFE_URL"],
          "clients: a verify-full client (it rejected, unnamed) gets no decoy claim: %s" % by_app.get("SAFE_URL"))
    check(r.returncode == 2, "clients with a contradiction: exit 2, got %d" % r.returncode)
    # rotation: by its settings (verify-ca, the server's CA) it breaks when the server moves to another CA;
    # the decoy saw it accept a forged certificate: it does not verify, so it is unaffected (and unverified)
    base = ["rotation", "--new-ca", os.path.join(env.pki, "old-root.crt"), "--clients", app, "--json",
            "localhost:%d" % env.port]
    without = jrun(env, *base)[1]
    withd = jrun(env, *(base[:1] + ["--decoy-report", report] + base[1:]))[1]
    pred = {c["line"]: c for c in without["clients"]}
    predd = {c["line"]: c for c in withd["clients"]}
    if not check(1 in pred and 1 in predd, "rotation lists the client of line 1"):
        return
    check(pred[1]["prediction"] == "breaks", "rotation without the decoy: verify-ca breaks: %s" % pred[1]["prediction"])
    check(predd[1]["prediction"] == "unaffected_unverified" and "decoy" in predd[1]["reason"] and
          predd[1]["decoy"]["finding"] == "decoy_contradicts_settings",
          "rotation with the decoy: what the client did wins: %s" % predd[1])
    check("decoy_contradicts_settings" in env.pgtls("clients", "--decoy-report", report, app).stdout,
          "clients text names the contradiction")
    bad_report = os.path.join(env.tmp, "not-a-report.json")
    with open(bad_report, "w") as f:
        f.write('{"sessions": 3}')
    r = env.pgtls("clients", "--decoy-report", bad_report, app)
    check(r.returncode == 3 and "not a pgtls impostor report" in r.stderr and len(r.stderr.splitlines()) == 1,
          "clients: a bad decoy report is one clear error: %r" % r.stderr)


def test_usage(env):
    cases = [
        ([], "--listen ADDR:PORT is required"),
        (["--listen", "127.0.0.1:99999"], "expected HOST:PORT"),
        (["--listen", "127.0.0.1:0", "--mode", "bogus"], "--mode: expected"),
        (["--listen", "127.0.0.1:0", "--mode", "wrong-name"], "need the CA the clients trust"),
        (["--listen", "127.0.0.1:0", "--ca-cert", env.garbage, "--ca-key", env.garbage, "--mode", "expired"],
         "no PEM certificate"),
        (["--listen", "127.0.0.1:0", "--mode", "expired", "--ca-cert", os.path.join(env.pki, "new-inter.crt"),
          "--ca-key", os.path.join(env.pki, "new-root.key")], "does not belong"),
        (["--listen", "127.0.0.1:0", "--mode", "expired", "--ca-cert",
          os.path.join(env.pki, "server-new.crt"), "--ca-key", os.path.join(env.pki, "server-new.key")],
         "not a CA certificate"),
        (["--listen", "127.0.0.1:0", "--ca-cert", os.path.join(env.pki, "new-inter.crt"), "--ca-key",
          os.path.join(env.pki, "new-inter.key")], "are for --mode wrong-name, expired and new-chain"),
        (["--listen", "127.0.0.1:0", "--like", "127.0.0.1:%d" % free_port()], "--like"),
        (["--listen", "127.0.0.1:0", "--name", "a,b"], "not a host name"),
    ]
    for args, want in cases:
        r = env.pgtls("impostor", *args)
        check(r.returncode == 3 and want in r.stderr and len(r.stderr.strip().splitlines()) == 1,
              "impostor %s: want one line with %r, got %d %r" % (" ".join(args), want, r.returncode, r.stderr))
    r = env.pgtls("impostor", "--help")
    check(r.returncode == 0 and "--listen" in r.stdout and "sent_password_to_decoy" in r.stdout, "impostor --help")
    # a port in use
    d = Decoy(env, "no-tls")
    r = env.pgtls("impostor", "--listen", "127.0.0.1:%d" % d.port, "--mode", "no-tls")
    check(r.returncode == 3 and "cannot listen" in r.stderr, "a port in use: %r" % r.stderr)
    rc, rep = d.stop()
    check(rc == 3 and rep["summary"]["sessions"] == 0, "no client came: exit 3 (never an all-clear), got %d" % rc)


def test_like_and_direct(env):
    """--like copies a real PostgreSQL 15 server's leaf names; direct TLS and junk are recorded, not crashed on."""
    env.pg("start", "wronghost", "both")
    d = Decoy(env, "forged", ["--like", "localhost:%d" % env.port, "--max-sessions", "3"])
    # direct TLS with ALPN postgresql (PG17 clients)
    r = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % d.port, "-alpn", "postgresql",
                        "-servername", "db.example.com"], input="", capture_output=True, text=True, timeout=30)
    ids = d.sessions_since()
    # junk, then a silent client that the session timeout ends
    import socket
    s = socket.create_connection(("127.0.0.1", d.port))
    s.sendall(b"\x00\x00\x00\x08\x12\x34\x56\x78")
    s.close()
    s = socket.create_connection(("127.0.0.1", d.port))
    s.close()
    ids += d.sessions_since()
    rc, rep = d.stop()
    leaf = json.dumps(rep["certificate"]) if rep else ""
    check("db.example.com" in leaf, "--like: the decoy copies the real leaf's names: %s" % leaf[:300])
    sess = rep["sessions"] if rep else []
    direct = [x for x in sess if x["request"] == "direct"]
    check(direct and direct[0]["handshake"] and direct[0]["alpn"] == "postgresql" and
          direct[0]["sni"] == "db.example.com", "direct TLS recorded with ALPN and SNI: %s" % direct)
    junk = [x for x in sess if "unsupported request" in x["end"]]
    check(junk and junk[0]["verdict"] == "inconclusive", "junk request: inconclusive, %s" % junk)
    check(rc in (1, 2), "exit status with inconclusive sessions: %d" % rc)


def main():
    return run_tests([test_usage, test_like_and_direct, test_modes, test_clients_integration])


if __name__ == "__main__":
    sys.exit(main())
