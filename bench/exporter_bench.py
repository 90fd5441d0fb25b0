#!/usr/bin/python3
"""bench/exporter_bench.py - `pgtls exporter` under load.

Starts 4 throwaway PostgreSQL 15 servers with TLS on 127.0.0.1 and the
exporter (--max-concurrent 64).  Then:

1. CLIENTS threads scrape /probe?target=... as fast as they can for SECONDS:
   probes/s sustained, p50 and p99 scrape latency, 503s;
2. a real Prometheus (Debian's) scrapes TARGETS targets through the exporter
   every second for SECONDS; its own scrape_duration_seconds gives the p99
   scrape latency Prometheus saw, and up == 1 the share of good scrapes.

Usage: bench/exporter_bench.py [BUILD_DIR] [SECONDS] [CLIENTS] [TARGETS]
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
SECONDS = int(sys.argv[2]) if len(sys.argv) > 2 else 20
CLIENTS = int(sys.argv[3]) if len(sys.argv) > 3 else 16
TARGETS = int(sys.argv[4]) if len(sys.argv) > 4 else 40
sys.path.insert(0, HERE)
from benchlib import Fleet, free_port  # noqa: E402




def get(url, timeout=30):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""


def main():
    fleet = Fleet(4)
    tmp, pki, env = fleet.tmp, fleet.pki, fleet.env
    xport, pport = free_port(), free_port()
    exp = subprocess.Popen([os.path.join(BUILD, "pgtls"), "exporter", "--listen", "127.0.0.1:%d" % xport,
                            "--max-concurrent", "64", "--rootcert", os.path.join(pki, "rootcert-new.pem")],
                           stderr=subprocess.DEVNULL, env=env)
    prom = None
    try:
        time.sleep(0.5)
        lat, busy, stop = [], [0], time.monotonic() + SECONDS
        lock = threading.Lock()

        def worker(k):
            i = k
            while time.monotonic() < stop:
                t = "localhost:%d" % fleet.ports[i % 4]
                t0 = time.perf_counter()
                code, _ = get("http://127.0.0.1:%d/probe?target=%s" % (xport, urllib.parse.quote(t)))
                dt = time.perf_counter() - t0
                with lock:
                    if code == 200:
                        lat.append(dt)
                    elif code == 503:
                        busy[0] += 1
                i += 1

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        lat.sort()
        print("%d clients for %ds: %d probes, %.0f probes/s, latency p50 %.1f ms, p99 %.1f ms, %d busy (503)"
              % (CLIENTS, SECONDS, len(lat), len(lat) / SECONDS, statistics.median(lat) * 1000,
                 lat[int(len(lat) * 0.99) - 1] * 1000, busy[0]))
        promexe = shutil.which("prometheus")
        if promexe is None:
            print("prometheus not installed: Prometheus part skipped")
            return
        cfg = os.path.join(tmp, "prometheus.yml")
        targets = ", ".join("'localhost:%d'" % port for port in fleet.ports)
        with open(cfg, "w") as f:
            f.write("global: {scrape_interval: 1s, scrape_timeout: 1s}\nscrape_configs:\n")
            for j in range(TARGETS // 4):
                f.write("- job_name: pgtls%d\n  metrics_path: /probe\n  static_configs: [{targets: [%s]}]\n"
                        "  relabel_configs:\n  - {source_labels: [__address__], target_label: __param_target}\n"
                        "  - {target_label: __address__, replacement: '127.0.0.1:%d'}\n" % (j, targets, xport))
        prom = subprocess.Popen([promexe, "--config.file=" + cfg, "--storage.tsdb.path=" + os.path.join(tmp, "tsdb"),
                                 "--web.listen-address=127.0.0.1:%d" % pport],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(SECONDS + 2)
        q = "quantile(0.99, quantile_over_time(0.99, scrape_duration_seconds[%ds]))" % SECONDS
        code, body = get("http://127.0.0.1:%d/api/v1/query?query=%s" % (pport, urllib.parse.quote(q)))
        p99 = json.loads(body)["data"]["result"][0]["value"][1] if code == 200 else "?"
        code, body = get("http://127.0.0.1:%d/api/v1/query?query=%s"
                         % (pport, urllib.parse.quote("avg(avg_over_time(up[%ds]))" % SECONDS)))
        up = json.loads(body)["data"]["result"][0]["value"][1] if code == 200 else "?"
        print("Prometheus: %d targets every 1 s for %ds: p99 scrape duration %.1f ms, up %.3f"
              % (TARGETS, SECONDS, float(p99) * 1000, float(up)))
    finally:
        if prom:
            prom.terminate()
            prom.wait()
        exp.terminate()
        exp.wait()
        fleet.close()


if __name__ == "__main__":
    main()
