#!/usr/bin/python3
"""bench/clients_node_bench.py - `pgtls clients` over a node.js monorepo with a big lock file.

One project root holds a package-lock.json of PKGS packages (about 3 MB at
the default 20,000: a large real lock) and DIRS directories of 50 .js files
each, one in ten with a node-postgres Pool.  Every .js file's version
rules come from that lock (lib/clients/node.c), so this measures what the
lock costs: the same tree is timed with and without it, next to grep,
interleaved over N rounds; medians and ratios are printed.

Usage: bench/clients_node_bench.py [BUILD_DIR] [DIRS] [N] [PKGS]
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
DIRS = int(sys.argv[2]) if len(sys.argv) > 2 else 200
N = int(sys.argv[3]) if len(sys.argv) > 3 else 5
PKGS = int(sys.argv[4]) if len(sys.argv) > 4 else 20000


def timed(cmd):
    t = time.monotonic()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - t


def main():
    tmp = tempfile.mkdtemp(prefix="pgtls-bench-node-")
    try:
        packages = {"": {"name": "mono"}}
        for i in range(PKGS):
            packages["node_modules/pkg-%d" % i] = {"version": "1.%d.0" % (i % 50), "integrity": "sha512-" + "x" * 88,
                                                   "license": "MIT"}
        packages["node_modules/pg"] = {"version": "8.11.3"}
        packages["node_modules/pg-connection-string"] = {"version": "2.6.2"}
        lock = json.dumps({"name": "mono", "lockfileVersion": 3, "packages": packages}, indent=2)
        with open(os.path.join(tmp, "package-lock.json"), "w") as f:
            f.write(lock)
        body = "".join("const v%d = compute(%d, 'some text here')  // comment line\n" % (l, l) for l in range(60))
        n = 0
        for d in range(DIRS):
            p = os.path.join(tmp, "packages", "p%d" % d, "src")
            os.makedirs(p)
            for k in range(50):
                with open(os.path.join(p, "m%d.js" % k), "w") as f:
                    f.write(body)
                    if k % 10 == 0:
                        f.write("const pool = new Pool({ connectionString: 'postgres://app@db%d.internal/app"
                                "?sslmode=require' })\n" % n)
                        n += 1
        size = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(tmp) for f in fs)
        pgtls = os.path.join(BUILD, "pgtls")
        out = subprocess.run([pgtls, "clients", "--json", tmp], capture_output=True, text=True).stdout
        found = json.loads(out)["clients"]
        assert len(found) == n and all("pg-connection-string 2.6" in c["note"] for c in found), "bench tree not read"
        with_lock, without, grep = [], [], []
        for _ in range(N):
            with_lock.append(timed([pgtls, "clients", "--json", tmp]))
            grep.append(timed(["grep", "-rlE", "postgres|host=", tmp]))
            os.rename(os.path.join(tmp, "package-lock.json"), os.path.join(tmp, "lock.off"))
            without.append(timed([pgtls, "clients", "--json", tmp]))
            os.rename(os.path.join(tmp, "lock.off"), os.path.join(tmp, "package-lock.json"))
        m = {k: statistics.median(v) for k, v in (("with", with_lock), ("without", without), ("grep", grep))}
        print("tree: %d .js files in %d dirs, %.1f MB, lock %.1f MB (%d packages), %d node-postgres clients"
              % (DIRS * 50, DIRS, size / 1e6, len(lock) / 1e6, PKGS, n))
        print("pgtls clients, lock read:      %.3f s" % m["with"])
        print("pgtls clients, no lock:        %.3f s  (the lock costs %.3f s)" % (m["without"],
                                                                                  m["with"] - m["without"]))
        print("grep -rlE:                     %.3f s  (pgtls / grep = %.1fx)" % (m["grep"], m["with"] / m["grep"]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
