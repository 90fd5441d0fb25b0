#!/usr/bin/python3
"""bench/logs_bench.py - throughput of `pgtls logs` next to `grep -c`.

Generates a synthetic PostgreSQL stderr log (Debian's log_line_prefix
'%m [%p] ', log_connections = on, one connection per ten statements, a mix
of TLS 1.3, TLS 1.2 and plaintext clients), warms the page cache, then times
`pgtls logs FILE` and `grep -c 'connection authorized' FILE` alternately and
prints medians, MB/s and the ratio.  Also checks that both count the same
number of connections, and reports pgtls's peak memory (constant: it does
not grow with the file).

Usage: bench/logs_bench.py [BUILD_DIR] [SIZE_MB] [ROUNDS]
"""
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(HERE), "build"))
SIZE_MB = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 3


def generate(path, size):
    clients = [("10.0.0.%d" % i, "app%d" % (i % 7), "db%d" % (i % 3)) for i in range(1, 60)]
    block = []
    pid = 1000
    for i in range(2000):
        host, user, db = clients[i % len(clients)]
        pid += 1
        ts = "2026-11-%02d %02d:%02d:%02d.%03d UTC" % (1 + i % 28, i % 24, i % 60, (i * 7) % 60, i % 1000)
        block.append("%s [%d] LOG:  connection received: host=%s port=%d\n" % (ts, pid, host, 40000 + i % 20000))
        if i % 5 == 0:
            tail = ""
        elif i % 5 == 1:
            tail = " SSL enabled (protocol=TLSv1.2, cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256)"
        else:
            tail = " SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)"
        block.append("%s [%d] LOG:  connection authorized: user=%s database=%s application_name=svc%d%s\n"
                     % (ts, pid, user, db, i % 11, tail))
        for k in range(10):
            block.append("%s [%d] LOG:  duration: %d.%03d ms  statement: SELECT o.id, o.total, c.name FROM orders o "
                         "JOIN customers c ON c.id = o.customer_id WHERE o.created_at > now() - interval '%d days' "
                         "ORDER BY o.id LIMIT %d\n" % (ts, pid, k, i % 1000, k + 1, 10 * (k + 1)))
        block.append("%s [%d] LOG:  disconnection: session time: 0:00:00.%03d user=%s database=%s host=%s port=%d\n"
                     % (ts, pid, i % 1000, user, db, host, 40000 + i % 20000))
    data = "".join(block).encode()
    n = 0
    with open(path, "wb") as f:
        while n < size:
            f.write(data)
            n += len(data)
    return n


def timed(cmd):
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0, r


def main():
    d = tempfile.mkdtemp(prefix="pgtls-logbench-")
    path = os.path.join(d, "postgresql.log")
    try:
        size = generate(path, SIZE_MB << 20)
        subprocess.run(["cat", path], stdout=subprocess.DEVNULL)  # warm the page cache
        pg, gr = [], []
        for _ in range(ROUNDS):
            t, r = timed([os.path.join(BUILD, "pgtls"), "logs", "--json", path])
            pg.append(t)
            rep = json.loads(r.stdout)
            t, g = timed(["grep", "-c", "connection authorized", path])
            gr.append(t)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        total = rep["totals"]["tls"] + rep["totals"]["plaintext"]
        mb = size / (1 << 20)
        print("file: %.0f MiB, %d connection authorized lines (grep: %s)" % (mb, total, g.stdout.decode().strip()))
        print("%-40s %10s %10s" % ("tool", "median s", "MiB/s"))
        for name, ts in (("pgtls logs --json", pg), ("grep -c 'connection authorized'", gr)):
            m = statistics.median(ts)
            print("%-40s %10.3f %10.0f" % (name, m, mb / m))
        print("ratio: pgtls logs takes %.2fx the time of grep -c" % (statistics.median(pg) / statistics.median(gr)))
        print("peak RSS of the largest child: %.1f MiB" % (usage.ru_maxrss / 1024))
        if str(total) != g.stdout.decode().strip():
            print("MISMATCH: pgtls and grep disagree on the number of connections")
            return 1
    finally:
        os.unlink(path)
        os.rmdir(d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
