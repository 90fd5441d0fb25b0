#!/usr/bin/python3
"""bench/rotation_bench.py - a fleet check: `pgtls rotation` over many TARGETs
next to the peers' loops.

Starts 4 throwaway PostgreSQL 15 servers with TLS on 127.0.0.1 (tests/
harness, max_connections 300) and lists each one TARGETS/4 times, so the
fleet has TARGETS endpoints.  Then, interleaved, N rounds of:

  pgtls rotation --new-ca NEW TARGET...     (probes all concurrently, 64 at a time,
                                             and decides GO/NO-GO)
  xargs -P 8 openssl s_client -starttls postgres   (8 handshakes at a time, prints chains)
  for-loop openssl s_client -starttls postgres     (one at a time)

pgtls does more per endpoint (TLS handshake + plaintext startup, chain,
six sslmodes); the peers fetch a certificate only.  Prints medians and the
ratio to pgtls.

Usage: bench/rotation_bench.py [BUILD_DIR] [TARGETS] [N]
"""
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
TARGETS = int(sys.argv[2]) if len(sys.argv) > 2 else 200
N = int(sys.argv[3]) if len(sys.argv) > 3 else 5
sys.path.insert(0, HERE)
from benchlib import Fleet  # noqa: E402


def main():
    fleet = Fleet(4, cert="old")
    tmp, pki, env = fleet.tmp, fleet.pki, fleet.env
    targets = ["127.0.0.1:%d" % fleet.ports[i % 4] for i in range(TARGETS)]
    newca = os.path.join(pki, "new-root.crt")
    lst = os.path.join(tmp, "targets.txt")
    with open(lst, "w") as f:
        f.write("\n".join(targets) + "\n")
    sclient = "openssl s_client -starttls postgres -showcerts -connect {} </dev/null >/dev/null 2>&1"
    tools = [
        ("pgtls rotation (%d targets)" % TARGETS,
         [os.path.join(BUILD, "pgtls"), "rotation", "--new-ca", newca] + targets, False),
        ("xargs -P 8 openssl s_client", "xargs -P 8 -I{} sh -c '%s' < %s" % (sclient, lst), True),
        ("for-loop openssl s_client", "while read t; do %s; done < %s" % (sclient.replace("{}", "$t"), lst), True),
    ]
    times = {name: [] for name, _, _ in tools}
    try:
        for _ in range(N):
            for name, cmd, shell in tools:
                t0 = time.perf_counter()
                subprocess.run(cmd, shell=shell, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=env, timeout=600)
                times[name].append(time.perf_counter() - t0)
    finally:
        fleet.close()
    base = statistics.median(times[tools[0][0]])
    print("%-36s %6s %12s %10s" % ("tool", "runs", "median ms", "ratio"))
    for name, _, _ in tools:
        m = statistics.median(times[name])
        print("%-36s %6d %12.1f %9.2fx" % (name, len(times[name]), m * 1000, m / base))
    print("ratio = tool median / pgtls rotation median (higher means pgtls is faster)")


if __name__ == "__main__":
    main()
