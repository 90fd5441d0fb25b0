#!/usr/bin/python3
"""bench/impostor_bench.py - `pgtls impostor` next to a real PostgreSQL 15
answering the same clients the same way.

Both servers take N psql connections (sslmode=require, a password), run
`xargs -P P` at a time, interleaved for R rounds:
  the decoy:       TLS handshake, startup, cleartext password request, the
                   password (wiped), FATAL;
  PostgreSQL 15:   the same path (pg_hba `hostssl ... password` for a role
                   that does not exist: TLS, startup, password request, the
                   password, FATAL "password authentication failed").
For each: wall time and connections per second (the psql processes bound
both), and for the decoy its own CPU time per connection and peak RSS.

Usage: bench/impostor_bench.py [BUILD_DIR] [CONNECTIONS] [PARALLEL] [ROUNDS]
"""
import os
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from benchlib import HARNESS, Fleet, free_port  # noqa: E402

ROOT = os.path.dirname(HERE)
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
N = int(sys.argv[2]) if len(sys.argv) > 2 else 300
P = int(sys.argv[3]) if len(sys.argv) > 3 else 8
ROUNDS = int(sys.argv[4]) if len(sys.argv) > 4 else 3


def clients(env, port):
    """N psql connections, P at a time; wall seconds."""
    cmd = ("seq %d | xargs -P %d -I{} psql 'host=127.0.0.1 port=%d user=app dbname=appdb sslmode=require "
           "application_name=bench' -Atc 'select 1'" % (N, P, port))
    t0 = time.monotonic()
    subprocess.run(["bash", "-c", cmd], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - t0


def proc_cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_hwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main():
    fleet = Fleet(1)
    try:
        d, pgport = fleet.servers[0]
        hba = os.path.join(fleet.tmp, "hba.conf")
        with open(hba, "w") as f:
            f.write("local all all trust\nhostssl all all 127.0.0.1/32 password\n")
        subprocess.run([HARNESS, "hbafile", d, str(pgport), hba], check=True, env=fleet.env)
        env = dict(fleet.env, PGPASSWORD="bench-password-0123456789", PGCONNECT_TIMEOUT="10")
        env.pop("PGUSER", None)
        dport = free_port()
        decoy = subprocess.Popen([os.path.join(BUILD, "pgtls"), "impostor", "--listen", "127.0.0.1:%d" % dport,
                                  "--quiet", "--json", "--max-concurrent", "256"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.5)
        walls = {"decoy": [], "postgres": []}
        cpu0 = proc_cpu(decoy.pid)
        for _ in range(ROUNDS):
            walls["decoy"].append(clients(env, dport))
            walls["postgres"].append(clients(env, pgport))
        cpu = proc_cpu(decoy.pid) - cpu0
        hwm = proc_hwm_kib(decoy.pid)
        decoy.send_signal(signal.SIGTERM)
        out, _ = decoy.communicate(timeout=60)
        import json
        rep = json.loads(out)
        sessions = rep["summary"]["sessions"]
        print("impostor_bench: %d psql connections (sslmode=require, password), %d at a time, %d rounds"
              % (N, P, ROUNDS))
        for k in ("decoy", "postgres"):
            med = statistics.median(walls[k])
            print("  %-9s median %.2f s  = %.0f connections/s" % (k, med, N / med))
        print("  decoy: %d sessions recorded (%d sent the password), CPU %.2f ms per connection, peak RSS %d KiB"
              % (sessions, rep["summary"]["verdicts"]["sent_password_to_decoy"], 1000 * cpu / max(sessions, 1), hwm))
        print("  ratio: the decoy answers %.2fx the connections/s of PostgreSQL 15"
              % (statistics.median(walls["postgres"]) / statistics.median(walls["decoy"])))
    finally:
        fleet.close()


if __name__ == "__main__":
    main()
