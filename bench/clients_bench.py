#!/usr/bin/python3
"""bench/clients_bench.py - `pgtls clients` over a big source tree next to grep.

Generates a tree of DIRS x 100 Python files of 80 lines (about 80 MB at the
default 200 dirs), one in ten holding a psycopg2 conninfo and a SQLAlchemy
URL, then times, interleaved, N rounds of:

  pgtls clients --json TREE        (finds, parses, judges every setting)
  grep -rlE 'postgres|host=' TREE  (only lists files that mention one)
  grep -rnE  'postgres|host=' TREE (lists the matching lines)

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
    for d in range(DIRS):
        os.makedirs(os.path.join(tmp, "m%d" % d))
        for f in range(100):
            with open(os.path.join(tmp, "m%d" % d, "f%d.py" % f), "w") as fh:
                fh.write(body)
                if f % 10 == 0:
                    fh.write("conn = psycopg2.connect(\"dbname=app host=db%d.internal sslmode=require\")\n" % f)
                    fh.write("e = create_engine('postgresql+psycopg2://u:pw@db%d/app?sslmode=verify-full')\n" % f)
    tools = [("pgtls clients --json", [os.path.join(BUILD, "pgtls"), "clients", "--json", tmp]),
             ("grep -rlE (files only)", ["grep", "-rlE", "postgres|host=", tmp]),
             ("grep -rnE (lines)", ["grep", "-rnE", "postgres|host=", tmp])]
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
