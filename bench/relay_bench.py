#!/usr/bin/python3
"""bench/relay_bench.py - `pgtls impostor --mode relay` (TLS relayed to a
canary, records watched, each session named from the canary's
pg_stat_activity) next to the same clients connecting to the canary
directly, and through socat (a plain TCP relay that watches nothing) when
installed.

N psql connections (verify-full, `select 1`), `xargs -P P` at a time,
interleaved for R rounds.  Prints wall time, connections per second, the
relay's CPU per connection and peak RSS, and the ratios.

Usage: bench/relay_bench.py [BUILD_DIR] [CONNECTIONS] [PARALLEL] [ROUNDS]
"""
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from benchlib import Fleet, free_port  # noqa: E402
from impostor_bench import proc_cpu, proc_hwm_kib  # noqa: E402

ROOT = os.path.dirname(HERE)
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
N = int(sys.argv[2]) if len(sys.argv) > 2 else 300
P = int(sys.argv[3]) if len(sys.argv) > 3 else 8
ROUNDS = int(sys.argv[4]) if len(sys.argv) > 4 else 3


def clients(env, port, root):
    cmd = ("seq %d | xargs -P %d -I{} psql 'host=localhost port=%d user=postgres dbname=postgres "
           "sslmode=verify-full sslrootcert=%s application_name=bench' -Atc 'select 1'" % (N, P, port, root))
    t0 = time.monotonic()
    r = subprocess.run(["bash", "-c", cmd], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    ok = r.stdout.count("1\n")
    return time.monotonic() - t0, ok


def main():
    fleet = Fleet(1)
    procs = []
    try:
        _, cport = fleet.servers[0]
        root = os.path.join(fleet.pki, "rootcert-new.pem")
        env = dict(fleet.env, PGCONNECT_TIMEOUT="10")
        rport = free_port()
        relay = subprocess.Popen([os.path.join(BUILD, "pgtls"), "impostor", "--mode", "relay", "--relay-to",
                                  "host=127.0.0.1 port=%d" % cport, "--canary-conninfo",
                                  "host=127.0.0.1 port=%d user=postgres dbname=postgres sslmode=disable" % cport,
                                  "--listen", "127.0.0.1:%d" % rport, "--quiet", "--json", "--max-concurrent", "256"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        procs.append(relay)
        targets = {"direct": cport, "pgtls relay": rport}
        if shutil.which("socat"):
            sport = free_port()
            procs.append(subprocess.Popen(["socat", "TCP-LISTEN:%d,bind=127.0.0.1,fork,reuseaddr" % sport,
                                           "TCP:127.0.0.1:%d" % cport]))
            targets["socat"] = sport
        time.sleep(1.0)
        walls = {k: [] for k in targets}
        oks = {k: 0 for k in targets}
        cpu0 = proc_cpu(relay.pid)
        for _ in range(ROUNDS):
            for k, port in targets.items():
                w, ok = clients(env, port, root)
                walls[k].append(w)
                oks[k] += ok
        cpu = proc_cpu(relay.pid) - cpu0
        hwm = proc_hwm_kib(relay.pid)
        relay.send_signal(signal.SIGTERM)
        out, _ = relay.communicate(timeout=60)
        rep = json.loads(out)
        sessions = rep["summary"]["sessions"]
        named = sum(1 for s in rep["sessions"] if s.get("identified"))
        print("relay_bench: %d psql connections (verify-full, select 1), %d at a time, %d rounds" % (N, P, ROUNDS))
        for k in targets:
            med = statistics.median(walls[k])
            print("  %-12s median %.2f s = %.0f connections/s (%d of %d answered)"
                  % (k, med, N / med, oks[k], N * ROUNDS))
        print("  relay: %d sessions, %d keeps_working, %d named from pg_stat_activity, CPU %.2f ms per "
              "connection, peak RSS %d KiB" % (sessions, rep["summary"]["observed"]["keeps_working"], named,
                                               1000 * cpu / max(sessions, 1), hwm))
        base = statistics.median(walls["direct"])
        for k in targets:
            if k != "direct":
                print("  ratio: %s takes %.2fx the wall time of direct connections" %
                      (k, statistics.median(walls[k]) / base))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        fleet.close()


if __name__ == "__main__":
    main()
