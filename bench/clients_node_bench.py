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
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from benchlib import print_with_without_grep, with_without_grep  # noqa: E402
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
DIRS = int(sys.argv[2]) if len(sys.argv) > 2 else 200
N = int(sys.argv[3]) if len(sys.argv) > 3 else 5
PKGS = int(sys.argv[4]) if len(sys.argv) > 4 else 20000


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
        lock_path, off_path = os.path.join(tmp, "package-lock.json"), os.path.join(tmp, "lock.off")
        m = with_without_grep(N, [pgtls, "clients", "--json", tmp], ["grep", "-rlE", "postgres|host=", tmp],
                              lambda: os.rename(lock_path, off_path), lambda: os.rename(off_path, lock_path))
        print("tree: %d .js files in %d dirs, %.1f MB, lock %.1f MB (%d packages), %d node-postgres clients"
              % (DIRS * 50, DIRS, size / 1e6, len(lock) / 1e6, PKGS, n))
        print_with_without_grep(m, "lock read", "no lock", "the lock costs")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
