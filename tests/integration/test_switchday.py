#!/usr/bin/python3
"""The switch day: a real PostgreSQL 15 logging connections in stderr, csvlog
and jsonlog at once switches its certificate to a CA its clients do not know,
and `pgtls logs` must tell, from each of the three logs, exactly what the real
clients did:

- "breaker" (psql, verify-full with the old CA's file) and "jdbc" (pgjdbc,
  verify-full) break: their failed handshakes are counted by reason
  (unknown CA from OpenSSL, certificate unknown from Java's JSSE);
- "fallback" (psycopg2, sslmode=prefer with a root file) silently goes on
  without TLS: the fallback signature is flagged with its time;
- "plain" (psql, sslmode=disable, user etl) is plaintext throughout, never a
  fallback; "local" (psql over the Unix socket) is in its own column;
- pgtls's own probe sessions are left out; --since/--until split before and
  after; --exclude-user works; the logs compressed with gzip, bzip2, xz and
  zstd give the same counts; a file with no connection record is an error.

Run:  /usr/bin/python3 tests/integration/test_switchday.py BUILD_DIR
"""
import bz2
import gzip
import json
import lzma
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check, run_tests  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PGJDBC = "/usr/share/java/postgresql.jar"

EXTRA_CONF = """logging_collector = on
log_destination = 'stderr,csvlog,jsonlog'
log_directory = 'log'
log_filename = 'pg'
log_line_prefix = '%m [%p] %q%u@%d '
log_disconnections = off
"""


def psql(env, conninfo, app, sql="select 1"):
    r = subprocess.run(["psql", "-X", "-Atq", conninfo + " application_name=" + app, "-c", sql],
                       capture_output=True, text=True, env=env.env, timeout=30)
    return r.returncode == 0, r.stdout.strip() + r.stderr.strip()


def psycopg2_prefer(env, conninfo, app):
    code = ("import psycopg2,sys\n"
            "c=psycopg2.connect(sys.argv[1])\n"
            "cur=c.cursor(); cur.execute('select ssl from pg_stat_ssl where pid=pg_backend_pid()')\n"
            "print('ssl', cur.fetchone()[0])\n")
    r = subprocess.run(["/usr/bin/python3", "-c", code, conninfo + " sslmode=prefer application_name=" + app],
                       capture_output=True, text=True, env=env.env, timeout=60)
    return r.returncode == 0, r.stdout.strip() + r.stderr.strip()


def jdbc(env, classes, url):
    r = subprocess.run(["java", "-cp", PGJDBC + ":" + classes, "JdbcProbe", url], capture_output=True, text=True,
                       env=env.env, timeout=120)
    return r.returncode == 0, r.stdout.strip()


def server_now(env):
    """The server's clock, in the log's time zone, as the log writes it."""
    r = subprocess.run(["psql", "-X", "-Atq", "host=%s port=%d user=postgres dbname=postgres" % (env.pgdir, env.port),
                        "-c", "select to_char(now() at time zone current_setting('log_timezone'), "
                              "'YYYY-MM-DD HH24:MI:SS')"], capture_output=True, text=True, env=env.env, timeout=30)
    return r.stdout.strip()


def logs(env, *args):
    r = env.pgtls("logs", "--json", *args)
    try:
        return r.returncode, json.loads(r.stdout)
    except ValueError:
        return r.returncode, None


def by_app(rep):
    return {c["application_name"]: c for c in rep["clients"] if c["user"]}


def handshake_rows(rep):
    return [c for c in rep["clients"] if not c["user"]]


def run_clients(env, classes, root, phase):
    """One round of every client; returns what each did."""
    base = "host=localhost port=%d dbname=postgres" % env.port
    got = {}
    got["breaker"] = psql(env, base + " user=postgres sslmode=verify-full sslrootcert=" + root, "breaker")
    got["fallback"] = psycopg2_prefer(env, base + " user=postgres sslrootcert=" + root, "fallback")
    got["plain"] = psql(env, base + " user=etl sslmode=disable", "plain")
    got["good"] = psql(env, base + " user=postgres sslmode=require", "good")  # TLS, verifies nothing: keeps working
    got["local"] = psql(env, "host=%s port=%d user=postgres dbname=postgres" % (env.pgdir, env.port), "local")
    if classes:
        got["jdbc"] = jdbc(env, classes, "jdbc:postgresql://localhost:%d/postgres?user=postgres&sslmode=verify-full"
                                         "&sslrootcert=%s&ApplicationName=jdbc" % (env.port, root))
    print("%s: %s" % (phase, {k: v[0] for k, v in got.items()}), flush=True)
    return got


def test_switch_day(env):
    env.env["PGH_EXTRA_CONF"] = EXTRA_CONF
    env.pg("start", "new")
    del env.env["PGH_EXTRA_CONF"]
    env.pg("sql", "create role etl login")
    root = os.path.join(env.pki, "rootcert-new.pem")
    classes = os.path.join(env.tmp, "classes")
    os.makedirs(classes, exist_ok=True)
    if subprocess.run(["javac", "-d", classes, os.path.join(HERE, "java/JdbcProbe.java")]).returncode != 0:
        classes = None
    check(classes is not None, "pgjdbc probe compiled")

    before = run_clients(env, classes, root, "before the switch")
    check(all(ok for ok, _ in before.values()), "every client connects before the switch: %s" % before)
    time.sleep(1.1)
    switch = server_now(env)
    logdir = os.path.join(env.pgdir, "data", "log")
    # --follow from here on: it must print the breakage live, and survive the log's rotation at the end
    from common import PGTLS
    follower = subprocess.Popen([PGTLS, "logs", "--follow", os.path.join(logdir, "pg")], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env.env)
    time.sleep(1.1)
    env.pg("cert", "old")  # a certificate from a CA no client trusts
    after = run_clients(env, classes, root, "after the switch")
    check(not after["breaker"][0] and "certificate verify failed" in after["breaker"][1], "breaker breaks (psql)")
    check(after["fallback"][0] and after["fallback"][1].endswith("False"), "fallback connects without TLS (psycopg2)")
    check(after["plain"][0] and after["local"][0], "plain and local connect")
    if classes:
        check(not after["jdbc"][0], "pgjdbc breaks: %s" % after["jdbc"][1])
    # pgtls's own probe, logged as application_name pgtls
    env.pgtls("probe", "--user", "postgres", "localhost:%d" % env.port)
    time.sleep(1.5)  # the collector writes the files

    files = {"stderr": os.path.join(logdir, "pg"), "csvlog": os.path.join(logdir, "pg.csv"),
             "jsonlog": os.path.join(logdir, "pg.json")}
    reports = {}
    for fmt, path in files.items():
        rc, rep = logs(env, path)
        if not check(rep is not None, "%s: report" % fmt):
            continue
        reports[fmt] = rep
        apps = by_app(rep)
        hs = handshake_rows(rep)
        fails = {}
        for c in hs:
            for k, v in c["tls_failures"].items():
                fails[k] = fails.get(k, 0) + v
        check(rc == 2 and rep["status"]["code"] == 2, "%s: clients broke -> exit 2 (got %d)" % (fmt, rc))
        check(fails.get("unknown_ca", 0) == 2, "%s: 2 unknown-CA handshakes (psql, psycopg2's TLS try): %s" % (fmt, fails))
        if classes:
            check(fails.get("certificate_unknown", 0) == 1, "%s: pgjdbc's certificate_unknown: %s" % (fmt, fails))
        fb = apps.get("fallback")
        check(fb is not None and fb["fallback_since"] and fb["fallback_since"][:19] >= switch and fb["plaintext"] == 1
              and sum(fb["tls"].values()) == 1, "%s: fallback flagged since the switch (%s): %s" % (fmt, switch, fb))
        br = apps.get("breaker")
        check(br is not None and br["fallback_since"] is None and sum(br["tls"].values()) == 1 and br["plaintext"] == 0,
              "%s: breaker: one TLS connection, no fallback: %s" % (fmt, br))
        pl = apps.get("plain")
        check(pl is not None and pl["plaintext"] == 2 and pl["fallback_since"] is None and pl["user"] == "etl",
              "%s: plain: 2 plaintext, never a fallback: %s" % (fmt, pl))
        lo = apps.get("local")
        check(lo is not None and lo["local"] == 2 and lo["plaintext"] == 0 and lo["host"] == "[local]",
              "%s: local sessions in their own column: %s" % (fmt, lo))
        check("pgtls" not in apps and rep["excluded"]["pgtls_probes"] >= 1,
              "%s: pgtls's own probe left out (%s)" % (fmt, rep["excluded"]))
        # before/after
        rc, rep2 = logs(env, "--since", switch, path)
        a2 = by_app(rep2) if rep2 else {}
        check(rep2 is not None and "breaker" not in a2 and a2.get("fallback", {}).get("plaintext") == 1 and
              a2["fallback"]["fallback_since"] and rc == 2,
              "%s: --since the switch: the fallback is still seen (after a failed handshake)" % fmt)
        rc, rep3 = logs(env, "--until", switch, path)
        check(rep3 is not None and rc == 1 and not handshake_rows(rep3) and
              all(c["fallback_since"] is None for c in rep3["clients"]),
              "%s: --until the switch: no failure, no fallback, exit 1 (plaintext)" % fmt)
        rc, rep4 = logs(env, "--exclude-user", "etl", path)
        check(rep4 is not None and "plain" not in by_app(rep4) and rep4["excluded"]["by_user_or_application"] == 2,
              "%s: --exclude-user etl" % fmt)
    # the same log, compressed
    raw = open(files["stderr"], "rb").read()
    want = reports.get("stderr", {}).get("totals")
    for name, data in (("gz", gzip.compress(raw)), ("bz2", bz2.compress(raw)), ("xz", lzma.compress(raw))):
        p = os.path.join(env.tmp, "pg.log." + name)
        with open(p, "wb") as f:
            f.write(data)
        rc, rep = logs(env, p)
        check(rep is not None and rep["totals"] == want and rep["files"][0]["compression"] ==
              {"gz": "gzip", "bz2": "bzip2", "xz": "xz"}[name], "%s: same counts, compression named" % name)
    zst = os.path.join(env.tmp, "pg.log.zst")
    subprocess.run(["zstd", "-q", "-f", files["stderr"], "-o", zst], check=True)
    rc, rep = logs(env, zst)
    check(rep is not None and rep["totals"] == want and rep["files"][0]["compression"] == "zstd", "zstd: same counts")
    # no connection record: error, never an all-clear
    r = env.pgtls("logs", "/etc/passwd")
    check(r.returncode == 3 and "no PostgreSQL connection record" in r.stderr, "/etc/passwd: exit 3 with the reason")
    text = env.pgtls("logs", files["stderr"]).stdout
    check("FELL BACK to plaintext since" in text and "unknown_ca=" in text, "text report says who fell back and broke")
    what_if_enforced(env, files, classes, root)
    follow_rotation(env, follower, logdir)


def follow_rotation(env, follower, logdir):
    """The log is rotated (renamed, a new file opened); --follow goes on with the new file."""
    admin = "host=%s port=%d user=postgres dbname=postgres" % (env.pgdir, env.port)
    env.pg("sql", "create role late login")
    os.rename(os.path.join(logdir, "pg"), os.path.join(logdir, "pg.1"))
    psql(env, admin, "admin", "select pg_rotate_logfile()")
    time.sleep(1.0)
    ok, _ = psql(env, "host=localhost port=%d user=late dbname=postgres sslmode=disable" % env.port, "late")
    check(not ok, "a plaintext client after enforcement is rejected")
    time.sleep(1.5)
    follower.send_signal(2)
    try:
        out, err = follower.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        follower.kill()
        out, err = follower.communicate()
        check(False, "--follow stops on SIGINT")
    events = [l for l in out.splitlines() if "  FAILED " in l or "  FALLBACK " in l or "  PLAINTEXT" in l or
              "  REJECTED " in l]
    print("--follow printed:\n  " + "\n  ".join(events), flush=True)
    check(any("FAILED" in l and "unknown_ca" in l for l in events), "--follow: the failed handshakes, live")
    check(any("FALLBACK" in l and '"fallback"' in l for l in events), "--follow: the fallback, live")
    check(any("PLAINTEXT" in l and '"plain"' in l for l in events), "--follow: the plaintext client")
    check(any("REJECTED" in l and "late@postgres" in l for l in events),
          "--follow: a rejection after the log was rotated is seen")
    check(sum(1 for l in events if "FAILED" in l and "unknown_ca" in l) == 1, "--follow: each event said once")
    check("total:" in out and follower.returncode in (1, 2), "--follow: the report at the end (exit %s)"
          % follower.returncode)


def what_if_enforced(env, files, classes, root):
    """--what-if-enforced lists who would be locked out; enforcing with its printed lines rejects exactly them."""
    admin = "host=%s port=%d user=postgres dbname=postgres" % (env.pgdir, env.port)
    r = env.pgtls("server", "--what-if-enforced", "--json", admin, files["jsonlog"])
    rep = json.loads(r.stdout) if r.stdout.startswith("{") else None
    if not check(rep is not None and r.returncode == 2, "--what-if-enforced: report, exit 2 (%d %s)" % (r.returncode, r.stderr)):
        return
    listed = {c["application_name"] for c in rep["clients"] if c["effect"] == "rejected"}
    failing = [c for c in rep["clients"] if c["effect"] == "already_failing"]
    check(listed == {"plain", "fallback"}, "would be rejected: plain and fallback (got %s)" % listed)
    check(len(failing) == 1 and failing[0]["host"] == "127.0.0.1" and failing[0]["tls_failed"] >= 2,
          "already failing: the failed handshakes from 127.0.0.1 (%s)" % failing)
    check(rep["method"] == "hba" and rep["hba_file"] and rep["reload"] == "SELECT pg_reload_conf();" and
          len(rep["hba_lines_at_top"]) == 2, "the change: hba lines at the top, reload (%s)" % rep["method"])
    text = env.pgtls("server", "--what-if-enforced", admin, files["stderr"]).stdout
    check("Would be REJECTED" in text and "hostnossl all all 0.0.0.0/0 reject" in text and "Order:" in text,
          "text report: who, the lines, the order")
    # enforce exactly as printed, then every client again
    with open(rep["hba_file"]) as f:
        old = f.read()
    with open(rep["hba_file"], "w") as f:
        f.write("\n".join(rep["hba_lines_at_top"]) + "\n" + old)
    ok, out = psql(env, admin, "admin", rep["reload"])
    check(ok, "reload as printed: %s" % out)
    time.sleep(1.0)
    enforced = run_clients(env, classes, root, "after enforcing")
    rejected = {k for k, (ok, _) in enforced.items() if not ok}
    before = {"breaker"} | ({"jdbc"} if classes else set())
    check(rejected - before == listed, "exactly the listed clients are newly rejected: %s" % (rejected - before))
    check(enforced["good"][0] and enforced["local"][0], "TLS and Unix-socket clients keep working")
    check("no encryption" in enforced["plain"][1], "plain: rejected by the new rule (%s)" % enforced["plain"][1])
    # what-if again, now that it is enforced: one verdict (enforced already, exit 0), nothing to "fix first"
    r = env.pgtls("server", "--what-if-enforced", admin, files["stderr"])
    check(r.returncode == 0 and "enforced for every TCP client already" in r.stdout and
          "fix these first" not in r.stdout and "Order:" not in r.stdout,
          "--what-if-enforced on an enforced server: says so, exit 0 (%d): %s" % (r.returncode, r.stdout[-400:]))
    r = env.pgtls("server", "--what-if-enforced", "--json", admin, files["jsonlog"])
    rep2 = json.loads(r.stdout) if r.stdout.startswith("{") else {}
    check(r.returncode == 0 and rep2.get("method") == "enforced" and rep2.get("status", {}).get("code") == 0,
          "--what-if-enforced --json on an enforced server: method enforced, status 0 (%d)" % r.returncode)
    # the window: from a time after every log line, nobody is listed
    r = env.pgtls("server", "--what-if-enforced", "--json", "--since", "2999-01-01", admin, files["jsonlog"])
    rep3 = json.loads(r.stdout) if r.stdout.startswith("{") else {}
    check(r.returncode == 0 and rep3.get("clients") == [], "--what-if-enforced --since: the window as logs has it "
          "(%d %s)" % (r.returncode, rep3.get("clients")))
    r = env.pgtls("server", "--since", "2999-01-01", admin)
    check(r.returncode == 3 and "are for --what-if-enforced" in r.stderr, "--since without --what-if-enforced: "
          "a usage error (%d %s)" % (r.returncode, r.stderr.strip()))


def main():
    return run_tests([test_switch_day])


if __name__ == "__main__":
    sys.exit(main())
