#!/usr/bin/python3
"""Integration tests of `pgtls probe` against a real PostgreSQL 15.

The core test is the verdict matrix: for every fixture server certificate
(and a few server configurations) x rootcert setting x host form x sslmode,
pgtls's prediction must agree with what a real psql (libpq) connection and
a real psycopg2 connection do: connects or fails, encrypted or not, and the
exact libpq error text(s) when it fails.

Also: hostile and silent servers, direct TLS against `openssl s_server`,
CLI usage errors, JSON output and exit codes.

Run:  /usr/bin/python3 tests/integration/test_probe.py BUILD_DIR
Prints one line per failure and ends with "N passed, N failed".
"""
import json
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Env, check, free_port, run_tests  # noqa: E402

try:
    import psycopg2
except ImportError:  # reported as a failure below, never silently skipped
    psycopg2 = None

def conninfo(host, port, root):
    parts = ["port=%d" % port, "user=postgres", "dbname=postgres"]
    if host == "alias":
        parts += ["host=db.pgtls.test", "hostaddr=127.0.0.1"]
    else:
        parts.append("host=" + host)
    if root is not None:
        parts.append("sslrootcert=" + root)
    return " ".join(parts)


def psql_outcome(env, ci, mode):
    r = subprocess.run(["psql", "-X", "-Atq", ci + " sslmode=" + mode, "-c",
                        "select ssl from pg_stat_ssl where pid = pg_backend_pid()"],
                       capture_output=True, text=True, env=env.env, timeout=30)
    if r.returncode == 0:
        return ("connects", r.stdout.strip() == "t", "")
    return ("fails", False, r.stderr)


def psycopg2_outcome(ci, mode):
    try:
        c = psycopg2.connect(ci + " sslmode=" + mode)
    except psycopg2.OperationalError as e:
        return ("fails", False, str(e))
    try:
        cur = c.cursor()
        cur.execute("select ssl from pg_stat_ssl where pid = pg_backend_pid()")
        enc = cur.fetchone()[0]
    finally:
        c.close()
    return ("connects", bool(enc), "")


MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]


# libpq formats "could not read root certificate file" with the first error on
# OpenSSL's per-thread queue (SSLerrmessage(ERR_get_error())).  In a long-lived
# process (psycopg2) that queue can still hold an error from an earlier
# connection, so the reason after the file name is not reproducible; a fresh
# psql process always shows the true reason, which pgtls reports.
STALE_QUEUE_PREFIX = "could not read root certificate file"


def compare(label, row, real, client):
    res, enc, err = real
    ok = check(row["result"] == res,
               "%s [%s]: pgtls says %s, %s %s: %s" % (label, client, row["result"], client, res, err.strip()))
    if ok and res == "connects":
        check(row["encrypted"] == enc,
              "%s [%s]: pgtls encrypted=%s, real=%s" % (label, client, row["encrypted"], enc))
    if ok and res == "fails":
        check(len(row["errors"]) > 0, "%s [%s]: pgtls gave no error text" % (label, client))
        for e in row["errors"]:
            for line in e.split("\n"):
                if client == "psycopg2" and line.startswith(STALE_QUEUE_PREFIX):
                    line = line[:line.rindex(": ")]
                check(line in err, "%s [%s]: libpq error lacks pgtls's text %r; libpq said %r"
                      % (label, client, line, err.strip()))


def test_matrix(env):
    """The verdict matrix."""
    roots = {
        "none": None,  # libpq default: ~/.postgresql/root.crt (absent)
        "old": os.path.join(env.pki, "rootcert-old.pem"),
        "new": os.path.join(env.pki, "rootcert-new.pem"),
        "both": os.path.join(env.pki, "rootcert-both.pem"),
        "wrong": os.path.join(env.pki, "rootcert-wrong.pem"),
        "garbage": env.garbage,
    }
    certs = ["old", "new", "new-nochain", "wronghost", "cn-only", "wildcard", "expired",
             "notyet", "selfsigned", "ec384"]
    configs = [(c, "both", "on") for c in certs]
    configs += [("new", "hostssl", "on"), ("old", "nossl", "on"), ("new", "both", "off")]
    env.pg("start", "new")
    cur = ("new", "both", "on")
    rows_checked = 0
    seen_fallback = False
    for cert, hba, ssl in configs:
        if cert != cur[0]:
            env.pg("cert", cert)
        if hba != cur[1]:
            env.pg("hba", hba)
        if ssl != cur[2]:
            env.pg("ssl", ssl)
        cur = (cert, hba, ssl)
        for rname, rpath in roots.items():
            for host in ["localhost", "127.0.0.1", "alias"]:
                ci = conninfo(host, env.port, rpath)
                r = env.pgtls("probe", "--json", "--timeout", "5", ci)
                label = "cert=%s hba=%s ssl=%s root=%s host=%s" % (cert, hba, ssl, rname, host)
                if not check(r.returncode in (0, 1, 2), "%s: pgtls exit %d: %s" % (label, r.returncode, r.stderr)):
                    continue
                rep = json.loads(r.stdout)
                rows = {x["sslmode"]: x for x in rep["sslmodes"] if x["negotiation"] == "postgres"}
                check(sorted(rows) == sorted(MODES), label + ": all six sslmodes reported")
                for mode in MODES:
                    row = rows[mode]
                    seen_fallback |= row["plaintext_fallback"]
                    compare(label + " sslmode=" + mode, row, psql_outcome(env, ci, mode), "psql")
                    if psycopg2 is not None:
                        compare(label + " sslmode=" + mode, row, psycopg2_outcome(ci, mode), "psycopg2")
                    rows_checked += 1
    check(psycopg2 is not None, "psycopg2 (python3-psycopg2) is installed for the cross-check")
    check(seen_fallback, "the matrix exercised prefer's silent plaintext fallback")
    check(rows_checked == len(configs) * len(roots) * 3 * 6, "all matrix rows checked (%d)" % rows_checked)
    print("matrix: %d configurations x %d rootcerts x 3 hosts x 6 sslmodes = %d verdicts compared with psql%s"
          % (len(configs), len(roots), rows_checked, " and psycopg2" if psycopg2 else ""), flush=True)
    env.pg("ssl", "on")
    env.pg("hba", "both")
    env.pg("cert", "new")


def probe_json(env, *args, timeout=60):
    r = env.pgtls("probe", "--json", *args, timeout=timeout)
    try:
        return r.returncode, json.loads(r.stdout), r
    except ValueError:
        return r.returncode, None, r


def test_report_details(env):
    """Chain details, fingerprints, findings and exit codes on the real server."""
    root_new = os.path.join(env.pki, "rootcert-new.pem")
    rc, rep, r = probe_json(env, "--rootcert", root_new, "localhost:%d" % env.port)
    check(rep is not None, "probe --json output parses")
    if rep is None:
        return
    check(rc == 1 and rep["status"]["label"] == "WARNING", "plaintext accepted -> WARNING, exit 1 (got %d)" % rc)
    chain = rep["chain"]
    check(len(chain) == 2, "leaf + intermediate served")
    fp = subprocess.run(["openssl", "x509", "-in", os.path.join(env.pki, "server-new.crt"), "-noout",
                         "-fingerprint", "-sha256"], capture_output=True, text=True).stdout.strip().split("=")[1]
    check(chain[0]["sha256"] == fp, "SHA-256 fingerprint equals openssl's (%s)" % fp)
    fp1 = subprocess.run(["openssl", "x509", "-in", os.path.join(env.pki, "server-new.crt"), "-noout",
                          "-fingerprint", "-sha1"], capture_output=True, text=True).stdout.strip().split("=")[1]
    check(chain[0]["sha1"] == fp1, "SHA-1 fingerprint equals openssl's")
    check(chain[0]["san_dns"] == ["localhost"] and chain[0]["san_ip"] == ["127.0.0.1"], "SANs reported")
    check(chain[1]["is_ca"] and not chain[0]["is_ca"], "CA flags")
    check(chain[0]["key_type"] == "RSA" and chain[0]["key_bits"] == 2048, "key type/size")
    check(rep["negotiation"][0]["tls"]["version"] in ("TLSv1.3", "TLSv1.2"), "TLS version captured")
    check(rep["plaintext"]["startup"]["result"] == "accepted", "plaintext startup accepted")
    check(rep["rootcert"]["chain_verifies"]["ok"], "chain verifies against new root")

    # hostssl-only server: TLS enforced, verify-full OK -> exit 0
    env.pg("hba", "hostssl")
    rc, rep, r = probe_json(env, "--rootcert", root_new, "localhost:%d" % env.port)
    check(rc == 0 and rep["status"]["label"] == "OK", "hostssl + verifiable chain -> OK exit 0 (got %d: %s)"
          % (rc, rep and rep["findings"]))
    check(rep["plaintext"]["startup"]["result"] == "rejected" and "no encryption" in rep["plaintext"]["startup"]["message"],
          "plaintext rejection message from the server")
    # text report and --quiet
    r = env.pgtls("probe", "--rootcert", root_new, "localhost:%d" % env.port)
    check(r.returncode == 0 and "verify-full" in r.stdout and "Status: OK" in r.stdout, "text report")
    r = env.pgtls("probe", "-q", "--rootcert", root_new, "localhost:%d" % env.port)
    check(r.returncode == 0 and r.stdout.startswith("PGTLS OK") and r.stdout.count("\n") == 1, "--quiet one line")
    # expiring within --warn-days -> warning
    rc, rep, r = probe_json(env, "--warn-days", "30000", "--rootcert", root_new, "localhost:%d" % env.port)
    check(rc == 1 and any("expires in" in f["message"] for f in rep["findings"]), "--warn-days warns")

    # wrong root -> CRITICAL with OpenSSL's precise reason
    rc, rep, r = probe_json(env, "--rootcert", os.path.join(env.pki, "rootcert-wrong.pem"), "localhost:%d" % env.port)
    check(rc == 2, "chain invalid -> CRITICAL exit 2")
    check(rep["rootcert"]["chain_verifies"]["reason"] == "unable to get local issuer certificate",
          "precise OpenSSL reason for an unknown CA")
    # missing intermediate
    env.pg("cert", "new-nochain")
    rc, rep, r = probe_json(env, "--rootcert", root_new, "localhost:%d" % env.port)
    check(rc == 2 and "intermediate" in (rep["rootcert"]["chain_verifies"]["hint"] or ""),
          "missing intermediate is explained")
    # expired leaf: CRITICAL even without a root
    env.pg("cert", "expired")
    rc, rep, r = probe_json(env, "localhost:%d" % env.port)
    check(rc == 2 and any("expired" in f["message"] for f in rep["findings"]), "expired leaf -> CRITICAL")
    check(rep["chain"][0]["expired"] and rep["chain"][0]["days_left"] < 0, "expired flag, negative days left")
    # host name mismatch: WARNING, and --servername fixes it
    env.pg("cert", "wronghost")
    rc, rep, r = probe_json(env, "--rootcert", root_new, "localhost:%d" % env.port)
    check(rc == 1 and not rep["host_check"]["ok"], "host mismatch -> WARNING")
    rc, rep, r = probe_json(env, "--rootcert", root_new, "--servername", "db.example.com", "localhost:%d" % env.port)
    check(rc == 0 and rep["host_check"]["ok"], "--servername overrides the checked name (got %d)" % rc)
    # ssl=off -> CRITICAL
    env.pg("cert", "new")
    env.pg("hba", "both")
    env.pg("ssl", "off")
    rc, rep, r = probe_json(env, "localhost:%d" % env.port)
    check(rc == 2 and rep["negotiation"][0]["ssl_response"] == "N", "ssl=off -> 'N' -> CRITICAL")
    env.pg("ssl", "on")
    # URI target and user/dbname options reach the server
    rc, rep, r = probe_json(env, "--rootcert", root_new,
                            "postgresql://nosuchuser@localhost:%d/nosuchdb" % env.port)
    check(rep is not None and rep["target"]["user"] == "nosuchuser" and rep["target"]["dbname"] == "nosuchdb",
          "URI user/dbname used")
    check(rep is not None and "nosuchuser" in (rep["plaintext"]["startup"].get("message") or ""),
          "server's rejection of an unknown role is reported")


class FakeServer:
    """A hostile or broken PostgreSQL on 127.0.0.1 (one behaviour per instance)."""

    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stop = False
        self.conns = []
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        self.sock.settimeout(0.2)
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.conns.append(c)
            try:
                self.handle(c)
            except OSError:
                pass

    def handle(self, c):
        c.settimeout(5)
        first = c.recv(8)
        is_sslreq = len(first) == 8 and first[4:8] == bytes([0x04, 0xd2, 0x16, 0x2f])
        b = self.behaviour
        if b == "silent":
            return  # keep the socket open, say nothing
        if b == "close":
            c.close()
            return
        if is_sslreq:
            if b == "inject":
                c.sendall(b"SHTTP/1.1 200 OK\r\n")
            elif b == "error":
                c.sendall(b"E\x00\x00\x00\x10SFATAL\x00Mboom\x00\x00")
            elif b == "garbage":
                c.sendall(b"X")
            elif b == "no-tls":
                c.sendall(b"N")
            c.close()
            return
        # plaintext startup
        if b == "no-tls":
            c.sendall(b"R\x00\x00\x00\x08\x00\x00\x00\x03")  # password request
        elif b == "hugelen":
            c.sendall(b"E\x7f\xff\xff\xff")
        c.close()

    def close(self):
        self.stop = True
        self.sock.close()
        for c in self.conns:
            try:
                c.close()
            except OSError:
                pass


def test_hostile(env):
    cases = [
        ("inject", 2, "received unencrypted data after SSL response"),
        ("error", 2, "server sent an error response during SSL exchange"),
        ("garbage", 2, "received invalid response to SSL negotiation: X"),
        ("close", 2, "server closed the connection unexpectedly"),
    ]
    for behaviour, code, msg in cases:
        s = FakeServer(behaviour)
        try:
            t0 = time.monotonic()
            rc, rep, r = probe_json(env, "--timeout", "2", "127.0.0.1:%d" % s.port)
            check(rc == code, "%s server: exit %d (want %d) %s" % (behaviour, rc, code, r.stderr))
            check(rep is not None and msg in json.dumps(rep), "%s server: report says %r" % (behaviour, msg))
            check(time.monotonic() - t0 < 5, "%s server: answered quickly" % behaviour)
        finally:
            s.close()
    # silent server: every step times out, UNKNOWN, bounded by --timeout
    s = FakeServer("silent")
    try:
        t0 = time.monotonic()
        rc, rep, r = probe_json(env, "--timeout", "1", "127.0.0.1:%d" % s.port)
        dt = time.monotonic() - t0
        check(rc == 3, "silent server: UNKNOWN exit 3 (got %d)" % rc)
        check(rep is not None and "timeout expired waiting for the SSL response" in json.dumps(rep),
              "silent server: timeout reported")
        check(dt < 3, "silent server: bounded by --timeout (took %.1fs)" % dt)
    finally:
        s.close()
    # server without TLS that asks for a password: no TLS, password never sent
    s = FakeServer("no-tls")
    try:
        rc, rep, r = probe_json(env, "127.0.0.1:%d" % s.port)
        check(rc == 2 and rep["plaintext"]["startup"]["auth"] == "password", "no-TLS server: CRITICAL, auth seen")
    finally:
        s.close()
    s = FakeServer("hugelen")
    try:
        rc, rep, r = probe_json(env, "--timeout", "2", "127.0.0.1:%d" % s.port)
        check(rep is not None and "invalid length" in json.dumps(rep), "oversized message length refused")
    finally:
        s.close()
    # nothing listening
    port = free_port()
    rc, rep, r = probe_json(env, "127.0.0.1:%d" % port)
    check(rc == 3 and "Connection refused" in json.dumps(rep), "refused: UNKNOWN exit 3")


def test_direct(env):
    """PG17 direct TLS against openssl s_server -alpn postgresql."""
    for alpn in (True, False):
        port = free_port()
        cmd = ["openssl", "s_server", "-accept", "127.0.0.1:%d" % port, "-cert",
               os.path.join(env.pki, "server-new.crt"), "-key", os.path.join(env.pki, "server-new.key"),
               "-cert_chain", os.path.join(env.pki, "new-inter.crt"),
               "-quiet", "-naccept", "4"]
        if alpn:
            cmd += ["-alpn", "postgresql"]
        srv = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(50):
                try:
                    socket.create_connection(("127.0.0.1", port), 0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            rc, rep, r = probe_json(env, "--negotiation", "direct", "--libpq-version", "17", "--timeout", "1",
                                    "--rootcert", os.path.join(env.pki, "rootcert-new.pem"),
                                    "localhost:%d" % port)
            if not check(rep is not None, "direct: JSON report (%s)" % r.stderr):
                continue
            neg = rep["negotiation"][0]
            check(neg["method"] == "direct", "direct: method recorded")
            if alpn:
                check(neg["tls"] and neg["tls"]["alpn"] == "postgresql", "direct: ALPN postgresql negotiated")
                check(len(rep["chain"]) == 2, "direct: chain captured")
                rows = {x["sslmode"]: x for x in rep["sslmodes"]}
                check(rows["prefer"]["result"] == "fails" and "sslnegotiation=direct" in rows["prefer"]["errors"][0],
                      "direct: weak sslmode refused as libpq 17 does")
            else:
                check(neg["error"] and "without ALPN" in neg["error"]["message"], "direct: missing ALPN refused")
                check(rc == 2, "direct without ALPN: CRITICAL (got %d)" % rc)
        finally:
            srv.kill()
            srv.wait()
    # both against the real PG15 server: SSLRequest works, direct does not
    rc, rep, r = probe_json(env, "--negotiation", "both", "--libpq-version", "17", "--timeout", "2",
                            "localhost:%d" % env.port)
    check(rep is not None and len(rep["negotiation"]) == 2, "both: two negotiations reported")
    if rep:
        check(rep["negotiation"][0]["tls"] is not None, "both: SSLRequest TLS works on PG15")
        check(any("direct TLS is not supported" in f["message"] for f in rep["findings"]),
              "both: PG15 reported without direct TLS")


def test_cli(env):
    cases = [
        (["probe"], "missing TARGET"),
        (["probe", "a", "b"], "too many arguments"),
        (["probe", "--timeout", "0", "localhost"], "invalid --timeout"),
        (["probe", "--timeout", "abc", "localhost"], "invalid --timeout"),
        (["probe", "--negotiation", "x", "localhost"], "postgres, direct or both"),
        (["probe", "--warn-days", "-3", "localhost"], "invalid warning horizon"),
        (["probe", "host=localhost nonsense=1"], "invalid connection string"),
        (["probe", "localhost:99999"], "invalid port number"),
        (["probe", "--bogus", "localhost"], "unrecognized option"),
        (["nosuchcommand"], "unknown command"),
        (["probe", "no-such-host.invalid"], "could not translate host name"),
    ]
    for args, msg in cases:
        r = env.pgtls(*args)
        check(r.returncode == 3 and msg in r.stderr and r.stdout == "",
              "pgtls %s: exit 3 with %r (got %d, %r)" % (" ".join(args), msg, r.returncode, r.stderr))
    r = env.pgtls("probe", "--help")
    check(r.returncode == 0 and "--rootcert" in r.stdout, "probe --help")
    r = env.pgtls("--help")
    check(r.returncode == 0 and "probe" in r.stdout, "--help")
    r = env.pgtls("version")
    check(r.returncode == 0 and r.stdout.startswith("pgtls "), "version")
    # rootcert=system is allowed only with verify-full (libpq >= 16)
    rc, rep, r = probe_json(env, "--libpq-version", "16", "--rootcert", "system", "localhost:%d" % env.port)
    rows = {x["sslmode"]: x for x in rep["sslmodes"]}
    check("weak sslmode \"require\" may not be used with sslrootcert=system" in rows["require"]["errors"][0],
          "sslrootcert=system forbids weak modes")
    check(rows["verify-full"]["result"] == "fails" and rep["rootcert"]["system"], "system store lacks the test CA")
    # SSL_CERT_FILE points OpenSSL's default store at the test root, as PG's own tests do
    env.env["SSL_CERT_FILE"] = os.path.join(env.pki, "rootcert-new.pem")
    rc, rep, r = probe_json(env, "--libpq-version", "16", "--rootcert", "system", "localhost:%d" % env.port)
    del env.env["SSL_CERT_FILE"]
    rows = {x["sslmode"]: x for x in rep["sslmodes"]}
    check(rows["verify-full"]["result"] == "connects" and rows["verify-full"]["verified"] == "full",
          "sslrootcert=system with SSL_CERT_FILE verifies")


def main():
    return run_tests([test_matrix, test_report_details, test_hostile, test_direct, test_cli])


if __name__ == "__main__":
    sys.exit(main())
