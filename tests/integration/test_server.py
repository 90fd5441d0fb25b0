#!/usr/bin/python3
"""Integration tests of `pgtls server`, `pgtls connections` and `pgtls logs`
against a real PostgreSQL 15 with log_connections = on and stderr, csvlog and
jsonlog output, with real psql and psycopg2 clients (plaintext, TLS 1.3, TLS
1.2), plus the golden log samples of tests/fixtures/logs.

Run:  /usr/bin/python3 tests/integration/test_server.py BUILD_DIR
"""
import gzip
import json
import os
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, check, run_tests  # noqa: E402

try:
    import psycopg2
except ImportError:
    psycopg2 = None

LOGS = os.path.join(ROOT, "tests/fixtures/logs")


def psql(env, conninfo, sql="select 1"):
    return subprocess.run(["psql", "-X", "-Atq", conninfo, "-c", sql], capture_output=True, text=True,
                          env=env.env, timeout=60)


def tcp(env, extra):
    return "host=127.0.0.1 port=%d user=postgres dbname=postgres %s" % (env.port, extra)


# what the test runs: application_name -> (count, expected TLS version or "plaintext")
CLIENTS = {
    "plainapp": (2, "plaintext"),
    "tls13app": (3, "TLSv1.3"),
    "tls12app": (2, "TLSv1.2"),
    "pyapp": (1, "TLSv1.3"),
    "pyplain": (1, "plaintext"),
}


def run_clients(env):
    for _ in range(CLIENTS["plainapp"][0]):
        r = psql(env, tcp(env, "sslmode=disable application_name=plainapp"))
        check(r.returncode == 0, "plaintext psql: %s" % r.stderr)
    for _ in range(CLIENTS["tls13app"][0]):
        r = psql(env, tcp(env, "sslmode=require application_name=tls13app"),
                 "select version from pg_stat_ssl where pid = pg_backend_pid()")
        check(r.returncode == 0 and r.stdout.strip() == "TLSv1.3", "TLS 1.3 psql: %r %s" % (r.stdout, r.stderr))
    for _ in range(CLIENTS["tls12app"][0]):
        r = psql(env, tcp(env, "sslmode=require ssl_max_protocol_version=TLSv1.2 application_name=tls12app"),
                 "select version from pg_stat_ssl where pid = pg_backend_pid()")
        check(r.returncode == 0 and r.stdout.strip() == "TLSv1.2", "TLS 1.2 psql: %r %s" % (r.stdout, r.stderr))
    if check(psycopg2 is not None, "psycopg2 installed"):
        c = psycopg2.connect(tcp(env, "sslmode=require application_name=pyapp"))
        c.close()
        c = psycopg2.connect(tcp(env, "sslmode=disable application_name=pyplain"))
        c.close()


def logs_json(env, *files, fmt=None):
    args = ["logs", "--json"] + (["--log-format", fmt] if fmt else []) + list(files)
    r = env.pgtls(*args)
    if not check(r.returncode in (0, 1), "pgtls logs %s: exit %d %s" % (files, r.returncode, r.stderr)):
        return None
    return json.loads(r.stdout)


def test_server_logs_connections(env):
    logdir = os.path.join(env.tmp, "pglog")
    os.makedirs(logdir)
    os.chmod(logdir, 0o777)
    env.env["PGH_EXTRA_CONF"] = ("logging_collector = on\nlog_destination = 'stderr,csvlog,jsonlog'\n"
                                 "log_directory = '%s'\nlog_filename = 'pg.log'\nlog_line_prefix = '%%m [%%p] '\n"
                                 % logdir)
    env.pg("start", "new", "both")
    del env.env["PGH_EXTRA_CONF"]
    conn = tcp(env, "sslmode=require")

    # ---- pgtls server: not enforced, with the offending hba line ----
    r = env.pgtls("server", "--json", conn)
    check(r.returncode == 1, "server: not enforced -> exit 1 (got %d %s)" % (r.returncode, r.stderr))
    rep = json.loads(r.stdout) if r.returncode in (0, 1, 2) else {}
    v = rep.get("verdict", {})
    check(v.get("tls_for_all_tcp_clients") == "not enforced", "server verdict not enforced")
    check(any("host all all 127.0.0.1" in x for x in v.get("reasons", [])), "offending hba line named: %s" % v)
    check(rep.get("settings", {}).get("ssl") == "on", "ssl setting read")
    check(rep.get("plaintext_probe", {}).get("result") == "accepted", "plaintext probe accepted")
    r = env.pgtls("server", conn)
    check("lets TCP clients in WITHOUT TLS" in r.stdout, "text report marks the rule")

    # ---- clients, then a rejected plaintext attempt ----
    run_clients(env)

    # ---- connections: --watch catches a short client; one query alone misses it ----
    out = {}

    def watch():
        out["r"] = env.pgtls("connections", "--json", "--watch", "4s", "--interval", "0.2", "--exclude-user", "nobody",
                             conn, timeout=60)

    def named_later():
        # no application_name at startup, then SET, as pgjdbc does with ApplicationName
        import psycopg2
        c = psycopg2.connect(tcp(env, "sslmode=require user=postgres"))
        c.autocommit = True
        cur = c.cursor()
        cur.execute("select pg_sleep(0.8)")
        cur.execute("set application_name = 'named-later'")
        cur.execute("select pg_sleep(0.8)")
        c.close()

    t = threading.Thread(target=watch)
    t.start()
    time.sleep(1.0)
    r = psql(env, tcp(env, "sslmode=require application_name=shortlived"), "select pg_sleep(0.6)")
    check(r.returncode == 0, "short-lived client ran")
    named_later()
    t.join()
    r = out["r"]
    check(r.returncode in (0, 1) and "watched" in r.stderr, "watch progress on stderr (%d %r)" % (r.returncode, r.stderr))
    rep = json.loads(r.stdout) if r.returncode in (0, 1) else {"clients": []}
    seen = [c for c in rep["clients"] if c["application_name"] == "shortlived"]
    check(len(seen) == 1 and seen[0]["ssl"] and seen[0]["version"] == "TLSv1.3" and seen[0]["sessions"] == 1,
          "--watch caught the short-lived TLS client: %s" % seen)
    check(rep.get("samples", 0) >= 10, "watch took many samples (%s)" % rep.get("samples"))
    later = [c for c in rep["clients"] if c["application_name"] in ("named-later", "") and c["ssl"]
             and c["user"] == "postgres" and c["client_addr"] == "127.0.0.1"]
    check(len(later) == 1 and later[0]["application_name"] == "named-later" and later[0]["sessions"] == 1,
          "a client named after its startup is one row, with its name: %s" % later)
    r = env.pgtls("connections", "--json", conn)
    rep1 = json.loads(r.stdout)
    check(rep1["samples"] == 1 and not any(c["application_name"] == "shortlived" for c in rep1["clients"]),
          "a single query after it left misses the short-lived client")
    # nothing seen is no all-clear: exit 1, said, and pointed to the logs
    r = env.pgtls("connections", conn)
    check(r.returncode == 1 and "No TCP session was seen" in r.stdout and "pgtls logs" in r.stdout and
          "shorter ones" in r.stdout, "no session seen: exit 1 with the caveat (%d %r)" % (r.returncode, r.stdout[-400:]))
    # a long-lived plaintext session is inventoried as such, and CSV works
    holder = subprocess.Popen(["psql", "-X", "-Atq", tcp(env, "sslmode=disable application_name=holder"), "-c",
                               "select pg_sleep(3)"], env=env.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.8)
    r = env.pgtls("connections", "--csv", conn)
    holder.wait()
    check(r.returncode == 1 and any(line.startswith("127.0.0.1,postgres,postgres,holder,no,")
                                    for line in r.stdout.splitlines()),
          "plaintext session listed in CSV, exit 1: %r" % r.stdout)
    r = env.pgtls("connections", "--watch", "soon", conn)
    check(r.returncode == 3 and "invalid --watch" in r.stderr, "bad --watch")

    # ---- issue 9 D7: a server restart during --watch keeps earlier samples and reconnects ----
    out = {}

    def watch_restart():
        out["r"] = env.pgtls("connections", "--json", "--watch", "5s", "--interval", "0.3", "--timeout", "3", conn,
                             timeout=90)

    t = threading.Thread(target=watch_restart)
    t.start()
    time.sleep(0.8)
    r = psql(env, tcp(env, "sslmode=require application_name=before-restart"), "select pg_sleep(0.8)")
    check(r.returncode == 0, "client before the restart ran")
    pgbin = "/usr/lib/postgresql/15/bin"
    # the restarted postmaster keeps its output: send it to the log, not to pipes we would wait on
    subprocess.run(["runuser", "-u", "postgres", "--", pgbin + "/pg_ctl", "-D", os.path.join(env.pgdir, "data"),
                    "-l", os.path.join(env.pgdir, "server.log"), "-m", "fast", "-w", "-s", "restart"],
                   env=env.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    t.join()
    r = out["r"]
    rep = json.loads(r.stdout) if r.stdout.startswith("{") else {"clients": []}
    check(any(c["application_name"] == "before-restart" for c in rep["clients"]),
          "D7: sessions seen before the restart are kept: %s" % [c["application_name"] for c in rep["clients"]])
    check(r.returncode == 1 and "sample failed" in r.stderr and rep.get("samples", 0) >= 5,
          "D7: failed samples said, exit 1, sampling went on after the restart (%d, %s samples, %r)"
          % (r.returncode, rep.get("samples"), r.stderr[-300:]))

    # ---- enforce: hostssl, reload ----
    env.pg("hba", "hostssl")
    r = psql(env, tcp(env, "sslmode=disable application_name=rejected"))
    check(r.returncode != 0 and "no encryption" in r.stderr, "plaintext client rejected after hostssl")
    r = env.pgtls("server", "--json", conn)
    rep = json.loads(r.stdout) if r.returncode in (0, 1, 2) else {}
    check(r.returncode == 0 and rep.get("verdict", {}).get("tls_for_all_tcp_clients") == "enforced",
          "server: enforced after hostssl + reload (got %d)" % r.returncode)
    check(rep.get("plaintext_probe", {}).get("result") == "rejected", "probe rejected after hostssl")
    r = env.pgtls("server", "host=127.0.0.1 port=1 user=postgres connect_timeout=2")
    check(r.returncode == 3 and "could not log in" in r.stderr and r.stderr.count("\n") == 1,
          "server: unreachable -> one-line error, exit 3")
    env.pg("hba", "both")

    # ---- logs: the server's own logs in all three formats agree with what ran ----
    time.sleep(0.5)  # let the collector flush
    files = {"stderr": os.path.join(logdir, "pg.log"), "csvlog": os.path.join(logdir, "pg.csv"),
             "jsonlog": os.path.join(logdir, "pg.json")}
    gz = os.path.join(env.tmp, "pg.log.gz")
    with open(files["stderr"], "rb") as f, gzip.open(gz, "wb") as g:
        shutil.copyfileobj(f, g)
    files["gzip"] = gz
    for kind, path in files.items():
        rep = logs_json(env, path)
        if rep is None:
            continue
        want_fmt = "stderr" if kind == "gzip" else kind
        check(rep["files"][0]["format"] == want_fmt and rep["files"][0]["gzip"] == (kind == "gzip"),
              "%s detected as %s" % (kind, rep["files"][0]))
        by_app = {}
        for c in rep["clients"]:
            if c["host"] == "127.0.0.1":
                by_app.setdefault(c["application_name"], []).append(c)
        for app, (n, how) in CLIENTS.items():
            rows = by_app.get(app, [])
            got_tls = sum(sum(c["tls"].values()) for c in rows)
            got_plain = sum(c["plaintext"] for c in rows)
            if how == "plaintext":
                ok = got_plain == n and got_tls == 0
            else:
                ok = got_plain == 0 and sum(c["tls"].get(how, 0) for c in rows) == n and got_tls == n
            check(ok, "%s: %s has %d %s connections (log says tls=%d plaintext=%d)" % (kind, app, n, how, got_tls, got_plain))
        rej = [c for c in rep["clients"] if c["host"] == "127.0.0.1" and c["rejected_plaintext"]]
        check(sum(c["rejected_plaintext"] for c in rej) >= 1, "%s: rejected plaintext attempt counted" % kind)
        check(rep["span"]["first"] is not None and rep["span"]["first"] <= rep["span"]["last"], "%s: time span" % kind)
    r = env.pgtls("logs", "--csv", files["stderr"])
    check(r.returncode == 1 and r.stdout.startswith("host,user,database"), "logs --csv, exit 1 (plaintext seen)")


def test_golden_logs(env):
    # (file, format) -> {(host, user, database, app): (tls dict, plaintext, gss, rejected_plaintext)}
    # a Unix-socket session ([local]) is not plaintext: it has its own column (checked below)
    golden = {
        "pg13-rds.log": ("stderr", {
            ("10.1.2.3", "app", "appdb", "web api"): ({"TLSv1.2": 1}, 0, 0, 0),
            ("10.1.2.4", "app", "appdb", "batch"): ({}, 1, 0, 0),
            ("10.1.2.4", "app", "appdb", ""): ({}, 0, 0, 1),
            ("10.1.2.5", "rdsadmin", "rdsadmin", ""): ({"TLSv1.3": 1}, 0, 0, 0),
        }),
        "pg16-debian.log": ("stderr", {
            ("192.0.2.10", "alice", "shop", "psql"): ({"TLSv1.3": 1}, 0, 0, 0),
            ("192.0.2.11", "bob", "shop", ""): ({}, 1, 0, 1),
            ("192.0.2.12", "repl", "[replication]", "walreceiver"): ({"TLSv1.2": 1}, 0, 0, 0),
            ("192.0.2.13", "carol", "shop", ""): ({}, 0, 1, 0),
            ("[local]", "postgres", "postgres", "psql"): ({}, 0, 0, 0),
        }),
        "pg18.csv": ("csvlog", {
            ("198.51.100.7", "dave", "crm", "crm, worker"): ({"TLSv1.3": 1}, 0, 0, 0),
            ("198.51.100.8", "dave", "crm", ""): ({}, 1, 0, 0),
        }),
        "pg17.json": ("jsonlog", {
            ("203.0.113.5", "frank", "erp", "erp"): ({"TLSv1.2": 1}, 0, 0, 0),
            ("203.0.113.6", "frank", "erp", "erp"): ({}, 1, 0, 0),
            ("203.0.113.6", "frank", "erp", ""): ({}, 0, 0, 1),
        }),
    }
    for name, (fmt, want) in golden.items():
        rep = logs_json(env, os.path.join(LOGS, name))
        if rep is None:
            continue
        got = {(c["host"], c["user"], c["database"], c["application_name"]):
               (c["tls"], c["plaintext"], c["gss_encrypted"], c["rejected_plaintext"]) for c in rep["clients"]}
        check(rep["files"][0]["format"] == fmt, "%s: format %s" % (name, rep["files"][0]["format"]))
        check(got == want, "%s: per-client counts\n got  %s\n want %s" % (name, got, want))
        local = {c["host"]: c["local"] for c in rep["clients"] if c["local"]}
        check(local == ({"[local]": 1} if name == "pg16-debian.log" else {}), "%s: Unix-socket sessions %s" % (name, local))
    # forced format, bad input
    rep = logs_json(env, os.path.join(LOGS, "pg16-debian.log"), fmt="stderr")
    check(rep is not None and len(rep["clients"]) == 5, "--format stderr")
    r = env.pgtls("logs", "--log-format", "xml", os.path.join(LOGS, "pg16-debian.log"))
    check(r.returncode == 3 and "invalid log format" in r.stderr, "bad --format")
    r = env.pgtls("logs", os.path.join(env.tmp, "missing.log"))
    check(r.returncode == 3 and "could not open" in r.stderr and len(r.stderr.strip().splitlines()) == 1 and
          r.stdout == "", "missing log file: only the error, no empty table: %r" % r.stdout[:200])
    # one missing beside one read: the table of what was read, and the error (exit 3)
    r = env.pgtls("logs", os.path.join(env.tmp, "missing.log"), os.path.join(LOGS, "pg16-debian.log"))
    check(r.returncode == 3 and "could not open" in r.stderr and "pg16-debian.log" in r.stdout,
          "a missing file beside a good one: what was read, and the error")
    bad = os.path.join(env.tmp, "bad.gz")
    with open(bad, "wb") as f:
        f.write(b"\x1f\x8b\x08\x00garbage-not-gzip" * 10)
    r = env.pgtls("logs", bad)
    check(r.returncode == 3 and r.stderr.count("\n") == 1, "corrupt gzip: one-line error (%r)" % r.stderr)
    # a huge line (5 MB) is skipped and counted, the next line still parsed
    huge = os.path.join(env.tmp, "huge.log")
    with open(huge, "w") as f:
        f.write("2026-01-01 00:00:00 UTC [1] LOG:  statement: " + "x" * (5 << 20) + "\n")
        f.write("2026-01-01 00:00:01 UTC [2] LOG:  connection authorized: user=u database=d\n")
    rep = logs_json(env, huge)
    check(rep is not None and rep["totals"]["overlong_lines_skipped"] == 1 and rep["totals"]["plaintext"] == 1,
          "overlong line skipped, next line parsed")


def test_unprivileged(env):
    """A login without superuser, pg_read_all_settings or pg_read_all_stats gets clear partial answers."""
    r = psql(env, tcp(env, "sslmode=require"), "create role monitor login")
    check(r.returncode == 0, "create role: %s" % r.stderr)
    mon = "host=127.0.0.1 port=%d user=monitor dbname=postgres sslmode=require" % env.port
    holder = subprocess.Popen(["psql", "-X", "-Atq", tcp(env, "sslmode=disable application_name=busy"), "-c",
                               "select pg_sleep(2)"], env=env.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.6)
    r = env.pgtls("connections", "--json", mon)
    holder.wait()
    rep = json.loads(r.stdout) if r.returncode in (0, 1) else {}
    check(rep.get("hidden_sessions", 0) >= 1 and "pg_read_all_stats" in rep.get("hidden_note", ""),
          "other users' sessions reported as hidden: %s" % rep)
    # issue 9 D8: hidden sessions may be plaintext: never exit 0 ("every TCP session used TLS")
    check(r.returncode == 1, "hidden sessions: exit 1, not 0 (got %d)" % r.returncode)
    r = env.pgtls("server", "--json", mon)
    rep = json.loads(r.stdout) if r.returncode in (0, 1, 2, 3) and r.stdout else {}
    check("pg_hba_file_rules" in rep.get("unreadable", []) and rep.get("hba_rules", 0) is None,
          "pg_hba_file_rules unreadable is said: %s" % rep.get("unreadable"))
    check("ssl_ciphers" in rep.get("unreadable", []) and "ssl_min_protocol_version" in rep.get("unreadable", []),
          "settings hidden without pg_read_all_settings are listed: %s" % rep.get("unreadable"))
    check(r.returncode == 1 and rep.get("verdict", {}).get("tls_for_all_tcp_clients") == "not enforced",
          "without hba access the plaintext probe decides: not enforced (got %d)" % r.returncode)


def main():
    return run_tests([test_golden_logs, test_server_logs_connections, test_unprivileged])


if __name__ == "__main__":
    sys.exit(main())
