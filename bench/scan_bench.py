#!/usr/bin/python3
"""bench/scan_bench.py - `pgtls scan` over a fleet of TARGETS probes next to
`xargs -P N openssl s_client -starttls postgres` at the same concurrency.

Starts 4 throwaway PostgreSQL 15 servers with TLS on 127.0.0.1 (max_connections
300) and lists each one TARGETS/4 times.  Then, interleaved, R rounds of:

  pgtls scan --json --concurrency N --targets LIST   (TLS handshake + startup
        over TLS and without, chain, six sslmodes, per target)
  xargs -P N openssl s_client -starttls postgres     (a handshake and the chain)

For each: wall time, CPU time (user+sys of the process tree) per probe, and,
for pgtls, peak RSS and RSS per probe in flight.  The servers' own accept and
fork rate bounds the wall time of both.

Usage: bench/scan_bench.py [BUILD_DIR] [TARGETS] [CONCURRENCY] [ROUNDS]
"""
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
TARGETS = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
CONC = int(sys.argv[3]) if len(sys.argv) > 3 else 32
ROUNDS = int(sys.argv[4]) if len(sys.argv) > 4 else 3
sys.path.insert(0, HERE)
from benchlib import Fleet  # noqa: E402




def timed(cmd, shell, env):
    """wall seconds, CPU seconds of the children, peak RSS KiB of the largest child"""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, shell=shell, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env=env, timeout=1800)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss


def rss_kib(cmd, env):
    """peak RSS of CMD alone, measured in a fresh process whose only child it is"""
    code = ("import resource,subprocess,sys\n"
            "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    r = subprocess.run([sys.executable, "-c", code] + cmd, capture_output=True, text=True, env=env, timeout=1800)
    return int(r.stdout.strip() or 0)


def main():
    fleet = Fleet(4)
    tmp, pki, env = fleet.tmp, fleet.pki, fleet.env
    lst = os.path.join(tmp, "targets.txt")
    with open(lst, "w") as f:
        f.write("\n".join("127.0.0.1:%d" % fleet.ports[i % 4] for i in range(TARGETS)) + "\n")
    sclient = "openssl s_client -starttls postgres -showcerts -connect {} </dev/null >/dev/null 2>&1"
    tools = [
        ("pgtls scan", [os.path.join(BUILD, "pgtls"), "scan", "--json", "--concurrency", str(CONC),
                        "--per-host", str(CONC), "--rootcert", os.path.join(pki, "rootcert-new.pem"),
                        "--targets", lst], False),
        ("xargs -P %d openssl s_client" % CONC, "xargs -P %d -I{} sh -c '%s' < %s" % (CONC, sclient, lst), True),
    ]
    res = {name: [] for name, _, _ in tools}
    try:
        for _ in range(ROUNDS):
            for name, cmd, shell in tools:
                w, c, _ = timed(cmd, shell, env)
                res[name].append((w, c))
        peak = rss_kib(tools[0][1], env)
    finally:
        fleet.close()
    print("%d probes, %d in flight, 4 local PostgreSQL 15 servers, %d rounds (medians)" % (TARGETS, CONC, ROUNDS))
    print("%-32s %10s %14s %12s" % ("tool", "wall s", "CPU ms/probe", "probes/s"))
    base_w = statistics.median(w for w, _ in res["pgtls scan"])
    base_c = statistics.median(c for _, c in res["pgtls scan"])
    for name, _, _ in tools:
        w = statistics.median(x for x, _ in res[name])
        c = statistics.median(y for _, y in res[name])
        print("%-32s %10.2f %14.3f %12.0f" % (name, w, c * 1000 / TARGETS, TARGETS / w))
        if name != "pgtls scan":
            print("  ratio to pgtls: wall %.2fx, CPU per probe %.2fx" % (w / base_w, c / base_c))
    print("pgtls scan peak RSS %.1f MiB for %d targets, %d in flight" % (peak / 1024, TARGETS, CONC))


if __name__ == "__main__":
    main()
