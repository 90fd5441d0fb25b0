#!/usr/bin/python3
"""Hostile-input regression suite (issue 9), against the sanitized binary.

Each test keeps a defect of the hostile-input campaign fixed:
- D1  a server (or proxy) that drops the connection after 'S' or after the
      TLS handshake must not kill pgtls with SIGPIPE (exit 141);
- D2/D3 a unique password string must appear in no output form of probe,
      clients or rotation (text, JSON, -q, errors);
- D4  a server error text in Latin-1, or long UTF-8 cut at a buffer limit,
      must not drop fields or findings;
- D13 control characters, C1 controls and bidi overrides from a server
      (certificate names, error texts) must not reach the terminal;
- D17 user and database names that a spreadsheet would run as a formula
      are neutralised in CSV output.

Run:  /usr/bin/python3 tests/integration/test_hostile.py BUILD_DIR
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import HERE, check, free_port, run_tests  # noqa: E402

HOSTILE = os.path.join(HERE, "hostile")
SECRET = "Zq7SECRETpw4x"


def serve(env, *argv):
    """Starts a scripted server; returns (process, port)."""
    port = free_port()
    p = subprocess.Popen([sys.executable, os.path.join(HOSTILE, argv[0]), *argv[1:2], str(port), *argv[2:]]
                         if argv[0] != "fake_server.py" else
                         [sys.executable, os.path.join(HOSTILE, argv[0]), str(port), *argv[1:]],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            import socket
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return p, port
        except OSError:
            time.sleep(0.05)
    return p, port


def cert(env, name, cn, san):
    key, crt = os.path.join(env.tmp, name + ".key"), os.path.join(env.tmp, name + ".pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", crt, "-days", "30", "-subj", "/CN=" + cn, "-addext",
                    "subjectAltName=DNS:" + san], check=True, capture_output=True)
    return crt, key


def test_sigpipe(env):
    crt, key = cert(env, "d1", "d1.test", "d1.test")
    for mode in ("after-s", "after-tls"):
        p, port = serve(env, "sigpipe_server.py", mode, crt, key) if mode == "after-tls" else \
            serve(env, "sigpipe_server.py", mode)
        try:
            r = env.pgtls("probe", "-q", "--timeout", "3", "127.0.0.1:%d" % port)
            check(r.returncode in (1, 2, 3) and r.stdout.startswith("PGTLS "),
                  "D1 %s: a report, no SIGPIPE (exit %d, %r)" % (mode, r.returncode, r.stdout))
        finally:
            p.kill()


def test_no_password_anywhere(env):
    targets = ["postgresql://u:%s@127.0.0.1:%d/db" % (SECRET, free_port()),
               "host=127.0.0.1 port=%d password=%s" % (free_port(), SECRET),
               "host=127.0.0.1 password = '%s' sslpassword=%s" % (SECRET, SECRET),
               "host=127.0.0.1 password=%s broken" % SECRET,
               "u:%s@127.0.0.1:5" % SECRET]
    for t in targets:
        for args in (["probe", "--timeout", "1"], ["probe", "--json", "--timeout", "1"], ["probe", "-q", "--timeout", "1"]):
            r = env.pgtls(*args, t)
            check(SECRET not in r.stdout + r.stderr, "D2: no password in `%s` output for %r" % (" ".join(args), t))
    d = os.path.join(env.tmp, "d3")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "app.conf"), "w") as f:
        f.write("A='host=db password = %s sslmode=require'\n" % SECRET)
        f.write("B='host=db password=   %s sslmode=require'\n" % SECRET)
        f.write("C='host=db sslpassword=%s sslmode=require'\n" % SECRET)
        f.write('D="postgresql://u:%s/x@db/app?sslmode=require"\n' % SECRET[:6])
        f.write('E="postgresql://u:%s@db/app?sslmode=require"\n' % SECRET)
    with open(os.path.join(d, "Program.cs"), "w") as f:
        f.write('var a = "Host=db;Database=app;PWD=%s;SSL Mode=Require";\n' % SECRET)
        f.write('var b = "Host=db;Database=app;PSW=%s;SSL Mode=Require";\n' % SECRET)
        f.write('var c = "Host=db;Database=app;Password = %s;SSL Mode=Require";\n' % SECRET)
    for args in (["clients"], ["clients", "--json"]):
        r = env.pgtls(*args, d)
        check(SECRET[:6] not in r.stdout + r.stderr, "D3: no password (or part of it) in `%s`" % " ".join(args))
    r = env.pgtls("clients", "--json", d)
    check(len(json.loads(r.stdout)["clients"]) == 8, "D3: the 8 settings are found")
    newca = os.path.join(env.pki, "new-root.crt")
    for args in (["rotation", "--new-ca", newca, "--clients", d], ["rotation", "--json", "--new-ca", newca, "--clients", d]):
        r = env.pgtls(*args, "postgresql://u:%s@127.0.0.1:%d/db" % (SECRET, free_port()))
        check(SECRET[:6] not in r.stdout + r.stderr, "D2/D3: no password in `%s`" % " ".join(args[:2]))


def test_server_texts(env):
    # D4: Latin-1 and long UTF-8 error texts keep the reply and its finding
    for mode in ("latin1", "long-utf8"):
        p, port = serve(env, "pg_reply_server.py", mode)
        try:
            r = env.pgtls("probe", "--json", "--timeout", "3", "127.0.0.1:%d" % port)
            rep = json.loads(r.stdout)
            check(rep["plaintext"]["startup"]["result"] == "rejected",
                  "D4 %s: the rejection is kept (%s)" % (mode, rep["plaintext"]["startup"]))
            check(any(f["code"] == "plaintext_rejected" for f in rep["findings"]), "D4 %s: its finding is kept" % mode)
        finally:
            p.kill()
    # D13: terminal controls in certificate names and server texts never reach the terminal
    crt, key = cert(env, "d13", "x\x1b[31my", "a\x1b]0;pwned\x07b")
    msg = "bad\x1b[2J \u009b31m \u202eevil".encode()
    p, port = serve(env, "fake_server.py", crt, key, msg.hex())
    try:
        for args in (["probe", "--timeout", "3"], ["probe", "-q", "--timeout", "3"]):
            r = env.pgtls(*args, "127.0.0.1:%d" % port)
            out = r.stdout + r.stderr
            check("\x1b" not in out and "\x07" not in out and "\u009b" not in out and "\u202e" not in out,
                  "D13: no terminal control in `%s` output" % " ".join(args))
        r = env.pgtls("probe", "--timeout", "3", "127.0.0.1:%d" % port)
        check("DNS:a?]0;pwned?b" in r.stdout, "D13: the SAN is shown with its controls replaced")
    finally:
        p.kill()


def test_csv_formula(env):
    log = os.path.join(env.tmp, "formula.log")
    with open(log, "w") as f:
        f.write('2026-03-01 08:00:00.100 UTC [3001] FATAL:  pg_hba.conf rejects connection for host "192.0.2.9", '
                'user "=HYPERLINK(\\"http://x\\")", database "+cmd", no encryption\n')
    r = env.pgtls("logs", "--csv", log)
    rows = r.stdout.splitlines()
    check(len(rows) == 2 and "'=HYPERLINK" in rows[1] and ",'+cmd," in rows[1],
          "D17: formula fields are neutralised in CSV: %r" % rows[1:])


def test_files_and_pipes(env):
    from common import PGTLS
    log = os.path.join(HERE, "..", "fixtures", "logs", "pg16-debian.log")
    with open(log, "rb") as f:
        plain = f.read()
    import gzip
    gz = gzip.compress(plain)
    want = json.loads(env.pgtls("logs", "--json", log).stdout)["totals"]
    # D6: a pipe is read once: gzip through a pipe gives the same counts
    for data, what in ((gz, "gzip"), (plain, "plain")):
        r = subprocess.run([PGTLS, "logs", "--json", "/dev/stdin"], input=data, capture_output=True, env=env.env,
                           timeout=60)
        got = json.loads(r.stdout)["totals"] if r.returncode in (0, 1) else None
        check(got == want, "D6: %s log through a pipe: same counts (%s)" % (what, got))
    # D20: a truncated .gz is an error, not a partial report
    t = os.path.join(env.tmp, "truncated.log.gz")
    with open(t, "wb") as f:
        f.write(gz[:len(gz) // 2])
    r = env.pgtls("logs", t)
    check(r.returncode == 3 and "truncated gzip input" in r.stderr and r.stderr.count("\n") == 1,
          "D20: truncated gzip: one-line error, exit 3 (%d %r)" % (r.returncode, r.stderr.strip()))
    # D20: one bad file does not discard the others; the bad one is listed with its error
    r = env.pgtls("logs", "--json", t, log)
    rep = json.loads(r.stdout) if r.stdout.startswith("{") else {"files": []}
    errs = [f["error"] for f in rep["files"]]
    check(r.returncode == 3 and len(errs) == 2 and errs[0] and errs[1] is None,
          "D20: a truncated file beside a good one: both listed, the error said, exit 3 (%d %s)" % (r.returncode, errs))
    # D21: a file mixing stderr, csvlog and jsonlog lines: every record read, format "mixed"
    fx = os.path.join(HERE, "..", "fixtures", "logs")
    parts = [os.path.join(fx, n) for n in ("pg16-debian.log", "pg18.csv", "pg17.json")]
    mixed = os.path.join(env.tmp, "mixed.log")
    with open(mixed, "wb") as out:
        for p_ in parts:
            out.write(open(p_, "rb").read())
    sums = [json.loads(env.pgtls("logs", "--json", p_).stdout)["totals"] for p_ in parts]
    rep = json.loads(env.pgtls("logs", "--json", mixed).stdout)
    check(rep["files"][0]["format"] == "mixed" and
          all(rep["totals"][k] == sum(x[k] for x in sums) for k in ("tls", "plaintext", "rejected", "gss_encrypted")),
          "D21: mixed formats in one file all read: %s" % rep["totals"])
    # D14/D15: a symbolic link named on the command line is read; a link looping back inside a tree is reported,
    # not followed again
    d = os.path.join(env.tmp, "d14")
    os.makedirs(os.path.join(d, "tree"), exist_ok=True)
    with open(os.path.join(d, "real.conf"), "w") as f:
        f.write("DSN='host=db sslmode=verify-full sslrootcert=system'\n")
    os.symlink(os.path.join(d, "real.conf"), os.path.join(d, "link.conf"))
    os.symlink(d, os.path.join(d, "tree", "loop"))
    r = env.pgtls("clients", "--json", os.path.join(d, "link.conf"))
    check(json.loads(r.stdout)["files_scanned"] == 1, "D14: a symlinked file named on the command line is read")
    r = env.pgtls("clients", d)
    check("loop: symbolic link loop: not followed again" in r.stdout and r.returncode in (0, 1),
          "D15: a link inside the tree is said in the text output: %r" % r.stdout[-300:])
    # D16: no blocking open: a FIFO given as a store, and /proc as a tree
    fifo = os.path.join(env.tmp, "fifo")
    os.mkfifo(fifo)
    r = env.pgtls("store", "inspect", fifo, timeout=10)
    check(r.returncode == 3 and "not a regular file" in r.stderr, "D16: store inspect FIFO: error, no hang (%r)" % r.stderr)
    r = env.pgtls("clients", "/proc/self", timeout=60)
    check(r.returncode in (0, 1), "D16: clients /proc/self finishes")


def test_protocol_and_usage(env):
    # D22: an ErrorResponse with an unterminated field is not a rejection
    import socket
    import threading
    l = socket.socket()
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("127.0.0.1", 0))
    l.listen(4)
    port = l.getsockname()[1]

    def answer():
        for _ in range(2):
            try:
                c, _ = l.accept()
                hdr = c.recv(8)
                if hdr[4:8] == b"\x04\xd2\x16\x2f":
                    c.send(b"N")
                    c.recv(4096)
                c.sendall(b"E\x00\x00\x00\x0cSFATAL")  # field without its NUL
                time.sleep(0.2)
                c.close()
            except OSError:
                return
    t = threading.Thread(target=answer)
    t.start()
    r = env.pgtls("probe", "--json", "--timeout", "2", "127.0.0.1:%d" % port)
    t.join()
    l.close()
    rep = json.loads(r.stdout)
    check(rep["plaintext"]["startup"]["result"] == "unknown" and
          not any(f["code"] == "plaintext_rejected" for f in rep["findings"]),
          "D22: a malformed ErrorResponse is no rejection and no OK finding: %s" % rep["plaintext"]["startup"])
    # D23: overlong names are usage errors (UNKNOWN, 3), not a WARNING
    for args in (["--user", "u" * 300], ["--dbname", "d" * 300]):
        r = env.pgtls("probe", *args, "127.0.0.1:%d" % free_port())
        check(r.returncode == 3 and "longer than" in r.stderr, "D23: %s too long: exit 3" % args[0])
    r = env.pgtls("probe", "host=127.0.0.1 user=%s" % ("u" * 300))
    check(r.returncode == 3 and "longer than" in r.stderr, "D23: conninfo user too long: exit 3")


def test_store_bounds(env):
    # D12: a PKCS#12 asking for 2^31-1 PBKDF2 iterations is refused at once
    t0 = time.monotonic()
    r = env.pgtls("store", "inspect", "--password", "x", os.path.join(HOSTILE, "nomac-huge.p12"), timeout=30)
    check(r.returncode == 3 and "iterations" in r.stderr and time.monotonic() - t0 < 10,
          "D12: huge iteration count refused in %.1fs: %r" % (time.monotonic() - t0, r.stderr.strip()))
    # D10: 20,000 copies of one certificate: duplicates found by sorting, in seconds (was quadratic)
    one = open(os.path.join(env.pki, "new-root.crt")).read()
    big = os.path.join(env.tmp, "20k.pem")
    with open(big, "w") as f:
        f.write(one * 20000)
    t0 = time.monotonic()
    r = env.pgtls("store", "inspect", "--json", big, timeout=120)
    took = time.monotonic() - t0
    rep = json.loads(r.stdout) if r.stdout.startswith("{") else {}
    check(rep.get("summary", {}).get("duplicates") == 19999 and took < 60,
          "D10: 20,000 certificates inspected in %.1fs, duplicates %s" % (took, rep.get("summary")))
    # D11: certificates sharing a CN get unique aliases, in linear time (was cubic: 5,000 took 50 s)
    key = os.path.join(env.tmp, "same.key")
    csr = os.path.join(env.tmp, "same.csr")
    subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-subj", "/CN=same", "-out", csr], check=True, capture_output=True)
    many = os.path.join(env.tmp, "same-cn.pem")
    with open(many, "wb") as f:
        for i in range(300):
            f.write(subprocess.run(["openssl", "x509", "-req", "-in", csr, "-signkey", key, "-set_serial", str(i + 1),
                                    "-days", "30"], check=True, capture_output=True).stdout)
    jks = os.path.join(env.tmp, "same-cn.jks")
    t0 = time.monotonic()
    r = env.pgtls("store", "merge", "-o", jks, "--store-format", "jks", many, timeout=120)
    took = time.monotonic() - t0
    lst = subprocess.run(["keytool", "-list", "-keystore", jks, "-storepass", "changeit"], capture_output=True,
                         text=True)
    aliases = {line.split(",")[0] for line in lst.stdout.splitlines() if "trustedCertEntry" in line}
    check(r.returncode == 0 and len(aliases) == 300 and "same" in aliases and "same-300" in aliases and took < 20,
          "D11: 300 certificates named 'same' get 300 aliases in %.1fs (%d)" % (took, len(aliases)))
    # fuzz_store_der: a certificate OpenSSL reads but cannot read back once re-encoded is never written
    bad = os.path.join(HERE, "..", "fixtures", "static", "reencode-fails.der")
    r = env.pgtls("store", "merge", "-o", os.path.join(env.tmp, "bad.jks"), "--store-format", "jks", bad)
    check(r.returncode == 3 and "cannot be written" in r.stderr and not os.path.exists(os.path.join(env.tmp, "bad.jks")),
          "a store that would not read back is not written: %r" % r.stderr.strip())
    # written stores: a replaced file keeps its mode; no overwrite without --force; no temporary left behind
    out = os.path.join(env.tmp, "kept-mode.pem")
    ca = os.path.join(env.pki, "new-root.crt")
    check(env.pgtls("store", "merge", "-o", out, "--store-format", "pem", ca).returncode == 0, "store written")
    os.chmod(out, 0o640)
    r = env.pgtls("store", "merge", "-o", out, "--store-format", "pem", "--force", ca)
    check(r.returncode == 0 and (os.stat(out).st_mode & 0o777) == 0o640, "a replaced store keeps mode 0640")
    r = env.pgtls("store", "merge", "-o", out, "--store-format", "pem", ca)
    check(r.returncode == 3 and "--force" in r.stderr, "no overwrite without --force")
    check(not [n for n in os.listdir(env.tmp) if ".tmp." in n], "no temporary file left behind")


def test_silent_after_login(env):
    # D9: --timeout bounds every query, not only the login
    p, port = serve(env, "silent_after_login.py")
    try:
        ci = "host=127.0.0.1 port=%d user=x dbname=x sslmode=disable" % port
        for cmd in ("server", "connections"):
            t0 = time.monotonic()
            r = env.pgtls(cmd, "--timeout", "2", ci, timeout=60)
            took = time.monotonic() - t0
            check(r.returncode == 3 and "did not answer" in r.stderr and took < 15,
                  "D9: %s against a server silent after login: exit 3 in %.1fs (%r)" % (cmd, took, r.stderr.strip()))
    finally:
        p.kill()


def test_staircase(env):
    # a server answering each step just in time: --timeout bounds the whole exchange, not each step
    crt, key = cert(env, "stairs", "stairs.test", "stairs.test")
    port = free_port()
    p = subprocess.Popen([sys.executable, os.path.join(HOSTILE, "staircase_server.py"), str(port), crt, key, "1.2"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    try:
        t0 = time.monotonic()
        r = env.pgtls("probe", "--timeout", "2", "-q", "127.0.0.1:%d" % port, timeout=60)
        took = time.monotonic() - t0
        check(took < 3.2 and r.returncode in (2, 3),
              "staircase server: --timeout 2 ends the probe in %.1fs (exit %d, %r)" % (took, r.returncode, r.stdout))
    finally:
        p.kill()


def peak_rss_mb(env, *args):
    """Runs pgtls ARGS in a fresh child; returns (exit code, stdout, peak RSS in MiB)."""
    from common import PGTLS
    code = ("import resource,subprocess,sys\n"
            "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
            "sys.stdout.write('%d %d\\n' % (r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
            "sys.stdout.write(r.stdout)\n")
    r = subprocess.run([sys.executable, "-c", code, PGTLS, *args], capture_output=True, text=True, env=env.env,
                       timeout=300)
    first, _, rest = r.stdout.partition("\n")
    rc, kb = first.split()
    return int(rc), rest, int(kb) / 1024


def test_bounded_tables(env):
    # D18: 150,000 distinct rejected clients: exactly 100,000 tabulated, the rest counted, memory bounded
    log = os.path.join(env.tmp, "d18.log")
    with open(log, "w") as f:
        for i in range(150000):
            f.write('2026-03-01 08:00:00.100 UTC [%d] FATAL:  pg_hba.conf rejects connection for host "192.0.2.9", '
                    'user "u%d", database "db", no encryption\n' % (1000 + i, i))
    rc, out, mb = peak_rss_mb(env, "logs", log)
    check(rc == 1 and "100000 rejected" in out and "50000 connections beyond the client table" in out and mb < 1024,
          "D18: table of 100,000, 50,000 counted beyond it, %.0f MiB peak" % mb)
    # D19: more than 100,000 settings in one file: the rest is counted and makes the status 1
    conf = os.path.join(env.tmp, "d19.conf")
    with open(conf, "w") as f:
        for i in range(110000):
            f.write("D='host=h%d sslmode=verify-full'\n" % i)
    rc, out, mb = peak_rss_mb(env, "clients", conf)
    check(rc == 1 and "10000 more client configurations found but not listed" in out and mb < 1024,
          "D19: 10,000 settings beyond the list are said (exit %d, %.0f MiB peak)" % (rc, mb))
    # a file too large to read is no all-clear either
    with open(conf, "a") as f:
        f.write("#" * (1024 * 1024) + "\n")
    rc, out, mb = peak_rss_mb(env, "clients", conf)
    check(rc == 1 and "larger than 4 MiB" in out, "D15: a file not read makes the status 1 (exit %d)" % rc)


def main():
    return run_tests([test_sigpipe, test_no_password_anywhere, test_server_texts, test_csv_formula,
                      test_files_and_pipes, test_protocol_and_usage, test_store_bounds,
                      test_bounded_tables, test_silent_after_login, test_staircase])


if __name__ == "__main__":
    sys.exit(main())
