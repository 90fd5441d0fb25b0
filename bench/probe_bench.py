#!/usr/bin/python3
"""bench/probe_bench.py - wall time of one `pgtls probe` next to its peers.

Starts a throwaway PostgreSQL 15 with TLS on 127.0.0.1 (tests/ harness), then
runs each tool N times against it, interleaved (so machine noise hits all
alike), and prints the median and the ratio to `pgtls probe`.

Peers (each run if installed; `bash bench/install-peers.sh` installs them):
  openssl s_client -starttls postgres -showcerts   (one handshake, prints chain)
  psql sslmode=verify-full                          (one full libpq connection)
  sslscan --starttls-psql                           (Debian sslscan)
  nmap -p PORT --script ssl-cert                    (Debian nmap)
  testssl.sh -t postgres -S                         (Debian testssl.sh, cert checks only)

What each does differs: pgtls probe makes two connections (TLS + plaintext
startup), captures the chain and judges six sslmodes; s_client makes one
handshake and prints; psql makes one verified connection and logs in.

Usage: bench/probe_bench.py [BUILD_DIR] [N]
"""
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
N = int(sys.argv[2]) if len(sys.argv) > 2 else 30
HARNESS = os.path.join(ROOT, "tests/integration/pgharness.sh")


def main():
    tmp = tempfile.mkdtemp(prefix="pgtls-bench-")
    os.chmod(tmp, 0o755)
    pki = os.path.join(tmp, "pki")
    subprocess.run([os.path.join(ROOT, "tests/pki/gen-pki.sh"), pki], check=True)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    env = dict(os.environ, PGTLS_PKI=pki, HOME=tmp, PGUSER="postgres")  # the server has the role postgres only
    pgdir = os.path.join(tmp, "pg")
    subprocess.run([HARNESS, "start", pgdir, str(port), "new"], check=True, env=env)
    root = os.path.join(pki, "rootcert-new.pem")
    tools = [
        ("pgtls probe", [os.path.join(BUILD, "pgtls"), "probe", "--rootcert", root, "localhost:%d" % port]),
        ("pgtls probe --json", [os.path.join(BUILD, "pgtls"), "probe", "--json", "--rootcert", root,
                                "localhost:%d" % port]),
        ("openssl s_client -starttls postgres", ["openssl", "s_client", "-starttls", "postgres", "-showcerts",
                                                 "-connect", "127.0.0.1:%d" % port, "-CAfile", root]),
        ("psql sslmode=verify-full", ["psql", "-X", "-Atqc", "select 1",
                                      "host=localhost port=%d user=postgres sslmode=verify-full sslrootcert=%s"
                                      % (port, root)]),
    ]
    if shutil.which("sslscan"):
        tools.append(("sslscan --starttls-psql", ["sslscan", "--no-colour", "--starttls-psql",
                                                   "127.0.0.1:%d" % port]))
    if shutil.which("nmap"):
        tools.append(("nmap --script ssl-cert", ["nmap", "-Pn", "-n", "-p", str(port), "--script", "ssl-cert",
                                                 "127.0.0.1"]))
    if shutil.which("testssl"):
        tools.append(("testssl.sh -t postgres -S", ["testssl", "--quiet", "--color", "0", "-t", "postgres", "-S",
                                                    "127.0.0.1:%d" % port]))
    times = {name: [] for name, _ in tools}
    try:
        for i in range(N):
            for name, cmd in tools:
                # testssl.sh takes tens of seconds: fewer rounds
                if name.startswith("testssl") and i >= 3:
                    continue
                t0 = time.perf_counter()
                r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, env=env, timeout=300)
                times[name].append(time.perf_counter() - t0)
                if r.returncode not in (0, 1) and i == 0:
                    print("note: %s exited %d" % (name, r.returncode), file=sys.stderr)
    finally:
        subprocess.run([HARNESS, "stop", pgdir, str(port)], env=env)
        shutil.rmtree(tmp, ignore_errors=True)
    base = statistics.median(times["pgtls probe"])
    print("%-38s %6s %12s %10s" % ("tool", "runs", "median ms", "ratio"))
    for name, _ in tools:
        m = statistics.median(times[name])
        print("%-38s %6d %12.2f %9.2fx" % (name, len(times[name]), m * 1000, m / base))
    print("ratio = tool median / pgtls probe median (higher means pgtls is faster)")


if __name__ == "__main__":
    main()
