"""Shared helpers of the integration tests: result counting, a temp
environment with the test PKI, the PostgreSQL harness and the pgtls binary."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
PGTLS = os.path.join(BUILD, "pgtls")
HARNESS = os.path.join(HERE, "pgharness.sh")

counts = {"passed": 0, "failed": 0}


def check(cond, what):
    if cond:
        counts["passed"] += 1
    else:
        counts["failed"] += 1
        print("FAIL: " + what, flush=True)
    return cond


def run_tests(tests):
    """Runs each test(env) once in one environment; prints the closing line; returns the exit code."""
    import time
    if not os.access(PGTLS, os.X_OK):
        print("pgtls binary not found at %s" % PGTLS)
        print("0 passed, 1 failed")
        return 1
    env = Env()
    try:
        for t in tests:
            t0 = time.monotonic()
            try:
                t(env)
            except Exception as e:  # a crashed test is a failed test
                import traceback
                traceback.print_exc()
                check(False, "%s raised %r" % (t.__name__, e))
            print("%s: %.1fs" % (t.__name__, time.monotonic() - t0), flush=True)
    finally:
        env.cleanup()
    print("%d passed, %d failed" % (counts["passed"], counts["failed"]))
    return 1 if counts["failed"] else 0


def keytool_store(path, certs, password="changeit"):
    """a JKS at PATH with CERTS (PEM files) as trusted entries ca0, ca1, ..., built by keytool (PASSWORD)"""
    for i, c in enumerate(certs):
        subprocess.run(["keytool", "-importcert", "-noprompt", "-alias", "ca%d" % i, "-file", c, "-keystore", path,
                        "-storetype", "JKS", "-storepass", password], check=True, capture_output=True)


def npm_install(env, name):
    """node-postgres as tests/integration/node pins it, installed by npm ci in ENV.tmp/NAME: its node_modules"""
    d = os.path.join(env.tmp, name)
    os.makedirs(d)
    for f in ("package.json", "package-lock.json"):
        shutil.copy(os.path.join(HERE, "node", f), d)
    r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=d, capture_output=True,
                       text=True, timeout=600)
    check(r.returncode == 0, "npm ci of node-postgres: %s" % r.stderr[-400:])
    return os.path.join(d, "node_modules")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Env:
    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="pgtls-it-")
        os.chmod(self.tmp, 0o755)
        self.pki = os.path.join(self.tmp, "pki")
        self.home = os.path.join(self.tmp, "home")  # no ~/.postgresql here
        os.makedirs(self.home)
        subprocess.run([os.path.join(ROOT, "tests/pki/gen-pki.sh"), self.pki], check=True)
        self.garbage = os.path.join(self.tmp, "garbage.pem")
        with open(self.garbage, "w") as f:
            f.write("this is not a certificate\n")
        self.env = dict(os.environ)
        for k in list(self.env):
            if k.startswith("PG"):
                del self.env[k]
        # the servers have the role postgres only: libpq's default user would be the OS user
        self.env.update(HOME=self.home, PGTLS_PKI=self.pki, PGCONNECT_TIMEOUT="5", PGUSER="postgres")
        # psycopg2 runs libpq inside this process: same environment as psql
        for k in list(os.environ):
            if k.startswith("PG"):
                del os.environ[k]
        os.environ["HOME"] = self.home
        os.environ["PGCONNECT_TIMEOUT"] = "5"
        os.environ["PGUSER"] = "postgres"
        self.pgdir = os.path.join(self.tmp, "pg")
        self.port = free_port()

    def pg(self, *args):
        subprocess.run([HARNESS, args[0], self.pgdir, str(self.port)] + list(args[1:]),
                       check=True, env=self.env)

    def pgtls(self, *args, timeout=60):
        r = subprocess.run([PGTLS] + list(args), capture_output=True, text=True,
                           env=self.env, timeout=timeout)
        # under ASan/UBSan any report is a failure, whatever the exit code
        if "Sanitizer" in r.stderr or "runtime error:" in r.stderr:
            check(False, "sanitizer report for pgtls %s:\n%s" % (" ".join(args), r.stderr))
        check(r.returncode in (0, 1, 2, 3), "pgtls %s: exit code %d is not 0-3" % (" ".join(args), r.returncode))
        return r

    def cleanup(self):
        try:
            self.pg("stop")
        except Exception:
            pass
        shutil.rmtree(self.tmp, ignore_errors=True)


class Server:
    """Another throwaway PostgreSQL 15 (own directory and port) beside env's; HBA for start (both, hostssl, nossl)."""

    def __init__(self, env, name, hba="both"):
        self.env, self.dir, self.port, self.hba = env, os.path.join(env.tmp, name), free_port(), hba

    def pg(self, *args):
        subprocess.run([HARNESS, args[0], self.dir, str(self.port)] + list(args[1:]), check=True, env=self.env.env)


def observed_outcome(results):
    """The outcome code a real client showed in the four server states of
    test_node.py/test_asyncpg.py (trusted, untrusted, wrongname, plaintext;
    each ("connects", "t"/"f") or ("fails", message)): what it does, in
    pgtls's vocabulary."""
    t, u, w, p = (results[s] for s in ("trusted", "untrusted", "wrongname", "plaintext"))
    if t[0] == "fails":
        return "fails"
    if t[1] == "f":
        return "no_tls"
    if p[0] == "connects":
        return "opportunistic"
    if u[0] == "connects":
        return "encrypted_unverified"
    if w[0] == "connects":
        return "verifies_ca"
    return "verifies_full"


# the four server states: (name, certificate, ssl)
SERVER_STATES = (("trusted", "new", "on"), ("untrusted", "old", "on"), ("wrongname", "wronghost", "on"),
                 ("plaintext", "new", "off"))


def run_in_states(srv, keys, run):
    """RUN(key) -> ("connects", "t"/"f") or ("fails", why) for every key in each of
    SERVER_STATES of SRV: {key: {state: result}} for observed_outcome()."""
    results = {}
    for state, cert, ssl in SERVER_STATES:
        srv.pg("cert", cert)
        srv.pg("ssl", ssl)
        for k in keys:
            results.setdefault(k, {})[state] = run(k)
    return results
