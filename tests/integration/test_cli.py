#!/usr/bin/env python3
"""test_cli.py BUILDDIR - the one CLI contract of issue 25, on every command.

Against a real PostgreSQL 15 (and a decoy, a log fixture, a trust store):
  * --help: usage on stdout, exit 0, and the shared options named;
  * a good and a bad input per command: the exit status, and the JSON
    report's envelope (pgtls_version, schema, status {code, label} first,
    status.code equal to the exit status);
  * -q: one status line "PGTLS LABEL - ..." with the same status;
  * durations strict under every command (2.5 taken, 5x refused), and
    --timeout refused by the commands that do not connect;
  * --format is the output everywhere (--log-format, --store-format for
    the files), --home pairs with the PATH before it.
Network tests touch 127.0.0.1 only; no host name reaches a resolver.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import PGTLS, ROOT, check, free_port, run_tests  # noqa: E402

LABELS = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}
LOG = os.path.join(ROOT, "tests/fixtures/logs/pg16-debian.log")
COMMANDS = ("probe", "scan", "exporter", "store", "server", "connections", "logs", "clients", "rotation", "impostor")


def envelope(what, r, want=None, ndjson=False):
    """R's JSON report(s) carry the envelope and the exit status; WANT: the exit status expected (or a set)."""
    if want is not None:
        ok = r.returncode in want if isinstance(want, (set, tuple)) else r.returncode == want
        check(ok, "%s: exit %d, expected %s (%s)" % (what, r.returncode, want, r.stderr.strip()[-300:]))
    try:
        docs = [json.loads(l) for l in r.stdout.splitlines() if l.strip()] if ndjson else [json.loads(r.stdout)]
    except ValueError:
        check(False, "%s: stdout is not JSON: %r" % (what, r.stdout[:200]))
        return None
    for d in docs:
        check(list(d)[:3] == ["pgtls_version", "schema", "status"],
              "%s: the envelope comes first (%s)" % (what, list(d)[:4]))
        check(d["schema"] == 1 and isinstance(d["pgtls_version"], str), "%s: version and schema" % what)
        check(set(d["status"]) == {"code", "label"} and LABELS[d["status"]["code"]] == d["status"]["label"],
              "%s: status {code, label}: %s" % (what, d["status"]))
    worst = max(d["status"]["code"] for d in docs) if docs else None
    if not ndjson:
        check(worst == r.returncode, "%s: status.code %s is the exit status %d" % (what, worst, r.returncode))
    return docs[0] if docs else None


def one_line(what, r):
    """-q: exactly one status line, the same status as the exit code."""
    lines = r.stdout.splitlines()
    check(len(lines) == 1 and lines[0].startswith("PGTLS %s - " % LABELS.get(r.returncode, "?")),
          "%s -q: one line PGTLS %s - ...: %r" % (what, LABELS.get(r.returncode), r.stdout[:300]))


def usage_error(what, r, words):
    check(r.returncode == 3 and r.stdout == "" and words in r.stderr and len(r.stderr.splitlines()) <= 2,
          "%s: exit 3, a short error naming %r (got %d %r)" % (what, words, r.returncode, r.stderr))


def test_help(env):
    for cmd in COMMANDS:
        args = [cmd, "inspect", "--help"] if cmd == "store" else [cmd, "--help"]
        r = env.pgtls(*args)
        check(r.returncode == 0 and r.stdout.startswith("Usage") and r.stderr == "",
              "%s --help: usage on stdout, exit 0 (%d %r)" % (cmd, r.returncode, r.stderr))
        check("-q" in r.stdout, "%s --help names -q" % cmd)
        check(cmd == "exporter" or "--json" in r.stdout, "%s --help names --json" % cmd)


def test_durations(env):
    """One duration parser: 2.5 and 30s taken, 5x / 1e3 / 0x10 refused, under every command that has one."""
    port = free_port()
    for cmd, rest in (("probe", ["127.0.0.1:%d" % port]), ("scan", ["127.0.0.1:%d" % port]),
                      ("server", ["host=127.0.0.1 port=%d" % port]), ("connections", ["host=127.0.0.1 port=%d" % port]),
                      ("rotation", ["--new-ca", os.path.join(env.pki, "rootcert-new.pem"), "127.0.0.1:%d" % port]),
                      ("exporter", ["--listen", "127.0.0.1:%d" % port])):
        for bad in ("5x", "1e3", "0x10", "-1", ""):
            usage_error("%s --timeout %r" % (cmd, bad), env.pgtls(cmd, "--timeout", bad, *rest), "--timeout")
        if cmd != "exporter":
            r = env.pgtls(cmd, "--timeout", "2.5", *rest)
            check("--timeout" not in r.stderr, "%s --timeout 2.5 is a duration: %r" % (cmd, r.stderr))
    for cmd, rest in (("logs", [LOG]), ("store", ["inspect", env.garbage]), ("clients", [env.tmp]),
                      ("impostor", ["--listen", "127.0.0.1:%d" % port])):
        args = ["store", "inspect", "--timeout", "5", env.garbage] if cmd == "store" else [cmd, "--timeout", "5"] + rest
        usage_error("%s --timeout" % cmd, env.pgtls(*args), "--timeout is not an option")
    usage_error("connections --watch 5x", env.pgtls("connections", "--watch", "5x", "host=127.0.0.1"), "--watch")
    usage_error("impostor --duration 5x",
                env.pgtls("impostor", "--listen", "127.0.0.1:%d" % port, "--duration", "5x"), "--duration")


def test_probe_scan(env):
    root = os.path.join(env.pki, "rootcert-new.pem")
    target, dead = "localhost:%d" % env.port, "127.0.0.1:%d" % free_port()
    envelope("probe good", env.pgtls("probe", "--json", "--rootcert", root, target), 1)
    one_line("probe good", env.pgtls("probe", "-q", "--rootcert", root, target))
    envelope("probe --format json", env.pgtls("probe", "--format", "json", "--rootcert", root, target), 1)
    envelope("probe bad", env.pgtls("probe", "--json", "--timeout", "2", dead), 3)
    usage_error("probe: not a target", env.pgtls("probe", "--json", "host=127.0.0.1 port=nope"), "port")
    r = env.pgtls("scan", "--json", "--rootcert", root, target, dead)
    check(r.returncode == 3, "scan: the worst target's status (%d)" % r.returncode)
    envelope("scan NDJSON", r, None, ndjson=True)
    one_line("scan", env.pgtls("scan", "-q", "--rootcert", root, target))
    usage_error("scan --format xml", env.pgtls("scan", "--format", "xml", target), "--format")


def test_store(env):
    root, both = os.path.join(env.pki, "rootcert-new.pem"), os.path.join(env.pki, "rootcert-both.pem")
    doc = envelope("store inspect", env.pgtls("store", "inspect", "--json", root), (0, 1))
    check(doc is not None and doc["summary"]["certificates"] >= 1, "store inspect: certificates listed")
    one_line("store inspect", env.pgtls("store", "inspect", "-q", root))
    envelope("store inspect --has (absent)", env.pgtls("store", "inspect", "--json", "--has", "rds-ca-rsa2048-g1", root), 2)
    one_line("store inspect --has", env.pgtls("store", "inspect", "-q", "--has", "rds-ca-rsa2048-g1", root))
    envelope("store verify (absent)", env.pgtls("store", "verify", "--json", "--fingerprint", "00" * 32, root), 2)
    r = env.pgtls("store", "inspect", "--json", env.garbage)
    check(r.returncode == 3 and r.stdout == "" and len(r.stderr.splitlines()) == 1, "store inspect garbage: one line, 3")
    out = os.path.join(env.tmp, "cli-merged.pem")
    r = env.pgtls("store", "merge", "-q", "-o", out, "--store-format", "pem", root, both)
    check(r.returncode == 0 and r.stdout.startswith("wrote ") and len(r.stdout.splitlines()) == 1,
          "store merge -q: only what was written: %r" % r.stdout)
    usage_error("store merge --format pem", env.pgtls("store", "merge", "-o", out + "2", "--format", "pem", root),
                "--store-format")


def test_server_side(env):
    admin = "host=%s port=%d user=postgres dbname=postgres" % (env.pgdir, env.port)
    dead = "host=127.0.0.1 port=%d user=postgres connect_timeout=2" % free_port()
    envelope("server", env.pgtls("server", "--json", admin), 1)
    one_line("server", env.pgtls("server", "-q", admin))
    r = env.pgtls("server", "--json", dead)
    check(r.returncode == 3 and r.stdout == "", "server unreachable: exit 3, nothing on stdout (%d)" % r.returncode)
    envelope("server --what-if-enforced (no log)", env.pgtls("server", "--what-if-enforced", "--json", admin), 1)
    envelope("connections", env.pgtls("connections", "--json", admin), (0, 1))
    one_line("connections", env.pgtls("connections", "-q", admin))
    r = env.pgtls("connections", "--csv", admin)
    check(r.returncode in (0, 1) and r.stdout.startswith("client_addr,"), "connections --csv")
    check(env.pgtls("connections", "--json", dead).returncode == 3, "connections unreachable: exit 3")
    doc = envelope("logs", env.pgtls("logs", "--json", LOG), (1, 2))
    check(doc is not None and doc["files"][0]["records_matched"] > 0, "logs: the fixture read")
    one_line("logs", env.pgtls("logs", "-q", LOG))
    check(env.pgtls("logs", "--format", "json", LOG).stdout == env.pgtls("logs", "--json", LOG).stdout,
          "logs --format json is --json")
    r = env.pgtls("logs", "--format", "csv", LOG)
    check(r.stdout.startswith("host,user,database"), "logs --format csv")
    doc = envelope("logs missing and unknown files", env.pgtls("logs", "--json", LOG, os.path.join(env.tmp, "nope.log"),
                                                            "/etc/hostname"), 3)
    check(doc is not None and len(doc["files"]) == 3 and all(f["error"] for f in doc["files"][1:]),
          "logs: every file listed, with its error: %s" % (doc and [f["error"] for f in doc["files"]]))
    usage_error("logs --format stderr", env.pgtls("logs", "--format", "stderr", LOG), "--log-format")


def test_clients_rotation(env):
    root = os.path.join(env.pki, "rootcert-new.pem")
    app = os.path.join(env.tmp, "cli-app")
    os.makedirs(app, exist_ok=True)
    with open(os.path.join(app, ".env"), "w") as f:
        f.write("DATABASE_URL=postgresql://app@localhost:%d/app?sslmode=verify-full&sslrootcert=%s\n" % (env.port, root))
    envelope("clients good", env.pgtls("clients", "--json", app), 0)
    one_line("clients", env.pgtls("clients", "-q", app))
    broken = os.path.join(env.tmp, "cli-broken")
    os.makedirs(broken, exist_ok=True)
    with open(os.path.join(broken, "job.conf"), "w") as f:
        f.write("DSN='host=localhost port=%d dbname=app sslmode=verify-full sslrootcert=%s'\n" % (env.port, env.garbage))
    envelope("clients whose settings fail", env.pgtls("clients", "--json", broken), 2)
    r = env.pgtls("clients", "--json", app, "--home", env.home)
    check(r.returncode == 0, "clients PATH --home DIR (%d %s)" % (r.returncode, r.stderr))
    usage_error("clients --home before any PATH", env.pgtls("clients", "--home", env.home, app), "--home")
    envelope("rotation GO", env.pgtls("rotation", "--json", "--new-ca", root, "--clients", app, "localhost:%d" % env.port), 0)
    one_line("rotation", env.pgtls("rotation", "-q", "--new-ca", root, "localhost:%d" % env.port))
    envelope("rotation NO-GO", env.pgtls("rotation", "--json", "--timeout", "2", "--new-ca", root,
                                         "127.0.0.1:%d" % free_port()), 2)
    usage_error("rotation --home before --clients", env.pgtls("rotation", "--home", env.home, "--new-ca", root,
                                                              "localhost:%d" % env.port), "--home")


def test_impostor_exporter(env):
    port = free_port()
    root = os.path.join(env.pki, "rootcert-new.pem")
    dec = subprocess.Popen([PGTLS, "impostor", "--json", "--listen", "127.0.0.1:%d" % port, "--max-sessions", "1",
                            "--duration", "20s"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env.env)
    time.sleep(1)
    subprocess.run(["psql", "host=127.0.0.1 port=%d user=postgres sslmode=verify-full sslrootcert=%s" % (port, root),
                    "-c", "select 1"], capture_output=True, env=env.env, timeout=30)
    out, err = dec.communicate(timeout=60)
    r = subprocess.CompletedProcess(dec.args, dec.returncode, out, err)
    envelope("impostor: psql verify-full rejects the decoy", r, 0)
    r = env.pgtls("impostor", "-q", "--listen", "127.0.0.1:%d" % free_port(), "--duration", "500ms")
    one_line("impostor with no client", r)
    check(r.returncode == 3, "impostor with no client: UNKNOWN, never an all-clear (%d)" % r.returncode)
    usage_error("exporter --json", env.pgtls("exporter", "--json", "--listen", "127.0.0.1:%d" % free_port()), "OpenMetrics")


def main():
    def start(env):
        env.pg("start", "new")
    return run_tests([start, test_help, test_durations, test_probe_scan, test_store, test_server_side,
                      test_clients_rotation, test_impostor_exporter])


if __name__ == "__main__":
    sys.exit(main())
