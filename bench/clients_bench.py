#!/usr/bin/python3
"""bench/clients_bench.py - `pgtls clients` over a big source tree next to grep.

Generates a tree of DIRS x 100 Python files of 80 lines (about 80 MB at the
default 200 dirs), one in ten holding a psycopg2 conninfo and a SQLAlchemy
URL, then times, interleaved, N rounds of:

  pgtls clients --json TREE        (finds, parses, judges every setting; lists
                                   trust files; applies each application's
                                   process-wide settings)
  pgtls rotation --json --clients TREE 127.0.0.1:1 127.0.0.2:1 127.0.0.3:1
                                   (the same, plus the sweep: every file with
                                   no client is searched for the TARGETs'
                                   names; the TARGETs refuse at once)
  grep -rlE 'postgres|host=' TREE  (only lists files that mention one)
  grep -rnE  'postgres|host=' TREE (lists the matching lines)

One in twenty directories is a project (package.json) with a PEM bundle and
a Dockerfile setting NODE_EXTRA_CA_CERTS, so the trust-file reader and the
application facts run on a realistic share of the tree.

Prints medians and the ratio to pgtls.  Usage: bench/clients_bench.py [BUILD_DIR] [DIRS] [N]
"""
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


def main():
    tmp = tempfile.mkdtemp(prefix="pgtls-bench-")
    body = "".join("x = compute(%d, 'some text here', y)  # comment line\n" % l for l in range(80))
    ca = os.path.join(tmp, "new-ca.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", os.path.join(tmp, "k.pem"), "-out", ca, "-subj", "/CN=bench", "-days", "2"],
                   check=True, capture_output=True)
    tree = os.path.join(tmp, "tree")
    for d in range(DIRS):
        os.makedirs(os.path.join(tree, "m%d" % d))
        if d % 20 == 0:
            shutil.copy(ca, os.path.join(tree, "m%d" % d, "bundle.pem"))
            with open(os.path.join(tree, "m%d" % d, "package.json"), "w") as fh:
                fh.write('{"dependencies": {"pg": "8.11.3"}}\n')
            with open(os.path.join(tree, "m%d" % d, "Dockerfile"), "w") as fh:
                fh.write("FROM node:20\nENV NODE_EXTRA_CA_CERTS=/app/bundle.pem\n")
        for f in range(100):
            with open(os.path.join(tree, "m%d" % d, "f%d.py" % f), "w") as fh:
                fh.write(body)
                if f % 10 == 0:
                    fh.write("conn = psycopg2.connect(\"dbname=app host=db%d.internal sslmode=require\")\n" % f)
                    fh.write("e = create_engine('postgresql+psycopg2://u:pw@db%d/app?sslmode=verify-full')\n" % f)
    tools = [("pgtls clients --json", [os.path.join(BUILD, "pgtls"), "clients", "--json", tree]),
             ("pgtls rotation (sweep)", [os.path.join(BUILD, "pgtls"), "rotation", "--json", "--timeout", "2",
                                         "--new-ca", ca, "--clients", tree, "127.0.0.1:1", "127.0.0.2:1",
                                         "127.0.0.3:1"]),
             ("grep -rlE (files only)", ["grep", "-rlE", "postgres|host=", tree]),
             ("grep -rnE (lines)", ["grep", "-rnE", "postgres|host=", tree])]
    times = {name: [] for name, _ in tools}
    try:
        for _ in range(N):
            for name, cmd in tools:
                t0 = time.perf_counter()
                subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
                times[name].append(time.perf_counter() - t0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    base = statistics.median(times[tools[0][0]])
    print("%d files, %d settings" % (DIRS * 100, DIRS * 20))
    print("%-28s %6s %12s %10s" % ("tool", "runs", "median ms", "ratio"))
    for name, _ in tools:
        m = statistics.median(times[name])
        print("%-28s %6d %12.1f %9.2fx" % (name, len(times[name]), m * 1000, m / base))
    print("ratio = tool median / pgtls clients median (below 1: the tool is faster, and does less)")


if __name__ == "__main__":
    main()
