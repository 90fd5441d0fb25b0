"""bench/benchlib.py - what the benchmarks share: a free loopback port,
throwaway PostgreSQL 15 servers with TLS (tests/integration/pgharness.sh),
and the with/without/grep rounds of the `pgtls clients` tree benchmarks."""
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HARNESS = os.path.join(ROOT, "tests/integration/pgharness.sh")


def timed(cmd):
    t = time.monotonic()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - t


def with_without_grep(n, cmd, grep_cmd, off, on):
    """N interleaved rounds of CMD with the files it reads, GREP_CMD, CMD after OFF() hid them (ON() puts them
    back); the medians as {"with", "without", "grep"}."""
    runs = {"with": [], "without": [], "grep": []}
    for _ in range(n):
        runs["with"].append(timed(cmd))
        runs["grep"].append(timed(grep_cmd))
        off()
        runs["without"].append(timed(cmd))
        on()
    return {k: statistics.median(v) for k, v in runs.items()}


def print_with_without_grep(m, read, none, cost):
    """the three lines of with_without_grep()'s medians M: READ, NONE and COST name the files"""
    print("pgtls clients, %-15s %.3f s" % (read + ":", m["with"]))
    print("pgtls clients, %-15s %.3f s  (%s %.3f s)" % (none + ":", m["without"], cost, m["with"] - m["without"]))
    print("grep -rlE:                     %.3f s  (pgtls / grep = %.1fx)" % (m["grep"], m["with"] / m["grep"]))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Fleet:
    """N servers serving CERT from the test PKI; .env for the commands, .ports, .pki, .tmp."""

    def __init__(self, n, cert="new"):
        self.tmp = tempfile.mkdtemp(prefix="pgtls-bench-")
        os.chmod(self.tmp, 0o755)
        self.pki = os.path.join(self.tmp, "pki")
        subprocess.run([os.path.join(ROOT, "tests/pki/gen-pki.sh"), self.pki], check=True)
        self.env = dict(os.environ, PGTLS_PKI=self.pki, HOME=self.tmp, PGUSER="postgres",
                        PGH_EXTRA_CONF="max_connections = 300")
        self.servers = [(os.path.join(self.tmp, "pg%d" % i), free_port()) for i in range(n)]
        self.ports = [p for _, p in self.servers]
        for d, port in self.servers:
            subprocess.run([HARNESS, "start", d, str(port), cert], check=True, env=self.env)

    def close(self):
        for d, port in self.servers:
            subprocess.run([HARNESS, "stop", d, str(port)], env=self.env)
        shutil.rmtree(self.tmp, ignore_errors=True)
