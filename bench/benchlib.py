"""bench/benchlib.py - what the fleet benchmarks share: a free loopback port,
and throwaway PostgreSQL 15 servers with TLS (tests/integration/pgharness.sh)."""
import os
import shutil
import socket
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HARNESS = os.path.join(ROOT, "tests/integration/pgharness.sh")


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
