#!/usr/bin/python3
"""The switch day: a real PostgreSQL 15 logging connections in stderr, csvlog
and jsonlog at once switches its certificate to a CA its clients do not know,
and `pgtls logs` must tell, from each of the three logs, exactly what the real
clients did -- every client on 127.0.0.1, one address for all, as on the
application host of the issue:

- "breaker" (psql, verify-full with the old CA's file), "jdbc" (pgjdbc,
  verify-full) and "node" (node-postgres, ssl.ca) break: their failed
  handshakes are counted by reason and named by client family (unknown_ca:
  OpenSSL; certificate_unknown: Java's JSSE; a close during the handshake:
  Node), and the exit status is 2 whatever the alert;
- "wrongname" (psql, verify-full, a name the certificate lacks) closes after
  the handshake with nothing else logged: counted as closed without startup;
- "fallback" (psycopg2, sslmode=prefer with a root file) silently goes on
  without TLS: the fallback is flagged with its time and its evidence;
- "plain" (psql, sslmode=disable, user etl) is plaintext throughout, never a
  fallback, although it connects right after pgjdbc's failure from the same
  address; "local" (psql over the Unix socket) is in its own column;
- pgtls's own sessions -- a probe and `pgtls exporter` scraped all along --
  are left out, before and after TLS is enforced; --since/--until split
  before and after; --exclude-user works; the logs compressed with gzip,
  bzip2, xz and zstd give the same counts; a file with no connection record
  is an error;
- --follow on the log directory moves to the new file when log_filename
  changes and the log rotates; --follow on one file warns that it stopped
  growing while the new one grows;
- --what-if-enforced --since a client's fix no longer lists it.

Run:  /usr/bin/python3 tests/integration/test_switchday.py BUILD_DIR
"""
import bz2
import gzip
import json
import lzma
import os
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import PGTLS, check, free_port, keytool_store, npm_install, run_tests  # noqa: E402

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


def node(env, modules, root, app):
    """node-postgres with ssl.ca (rejectUnauthorized by default): verifies the chain and the name"""
    cfg = {"host": "127.0.0.1", "port": env.port, "user": "postgres", "database": "postgres",
           "application_name": app, "ssl": {"ca_file": root}}
    r = subprocess.run(["node", os.path.join(HERE, "node/probe.js"), os.path.join(modules, "pg"), json.dumps(cfg)],
                       capture_output=True, text=True, env=dict(env.env, NODE_NO_WARNINGS="1"), timeout=60)
    return r.returncode == 0, r.stdout.strip()


class Scraper:
    """`pgtls exporter` on 127.0.0.1, scraped for the server every SECONDS between the client rounds"""

    def __init__(self, env, seconds=0.5):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d/probe?target=127.0.0.1:%d" % (self.port, env.port)
        self.proc = subprocess.Popen([PGTLS, "exporter", "--listen", "127.0.0.1:%d" % self.port, "--user", "postgres",
                                      "--timeout", "3"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     env=env.env)
        self.seconds, self.scrapes, self.paused = seconds, 0, threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.wait(self.seconds):
            if self.paused.is_set():
                continue
            try:
                with urllib.request.urlopen(self.url, timeout=10) as r:
                    if r.status == 200 and b"ssl_probe_success" in r.read():
                        self.scrapes += 1
            except OSError:
                pass

    def close(self):
        self.stop.set()
        self.thread.join(timeout=30)
        self.proc.terminate()
        self.proc.wait(timeout=30)


def jdbc(env, classes, url, store=None):
    r = subprocess.run(["java", "-cp", PGJDBC + ":" + classes, "JdbcProbe", url] +
                       ([store, "JKS", "changeit"] if store else []), capture_output=True, text=True,
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


def run_clients(env, clients, root, phase, plain_mode="disable", scraper=None):
    """One round of every client, all from 127.0.0.1 (the exporter's scrapes paused); returns what each did."""
    base = "host=127.0.0.1 port=%d dbname=postgres" % env.port
    classes, modules = clients
    got = {}
    if scraper:
        scraper.paused.set()
        time.sleep(0.6)
    got["breaker"] = psql(env, base + " user=postgres sslmode=verify-full sslrootcert=" + root, "breaker")
    got["fallback"] = psycopg2_prefer(env, base + " user=postgres sslrootcert=" + root, "fallback")
    if classes:
        got["jdbc"] = jdbc(env, classes, "jdbc:postgresql://127.0.0.1:%d/postgres?user=postgres&sslmode=verify-full"
                                         "&sslrootcert=%s&ApplicationName=jdbc" % (env.port, root))
        # pgjdbc 42.5 sslmode=prefer verifying through the JVM's store: it fails, and does not retry without TLS
        got["jdbcprefer"] = jdbc(env, classes, "jdbc:postgresql://127.0.0.1:%d/postgres?user=postgres&sslmode=prefer"
                                               "&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory" % env.port,
                                 os.path.join(env.tmp, "new.jks"))
    # right after pgjdbc's failure from the same address: its plaintext is no fallback (JSSE never retries)
    got["plain"] = psql(env, base + " user=etl sslmode=" + plain_mode, "plain")
    if modules:
        got["node"] = node(env, modules, root, "node")
    # a name the certificate lacks (hostaddr: no name lookup), both CAs trusted: only the name check fails
    got["wrongname"] = psql(env, "host=db.pgtls.test hostaddr=127.0.0.1 port=%d dbname=postgres user=postgres "
                                 "sslmode=verify-full sslrootcert=%s" % (env.port, os.path.join(env.pki, "rootcert-both.pem")),
                            "wrongname")
    got["good"] = psql(env, base + " user=postgres sslmode=require", "good")  # TLS, verifies nothing: keeps working
    got["local"] = psql(env, "host=%s port=%d user=postgres dbname=postgres" % (env.pgdir, env.port), "local")
    if scraper:
        scraper.paused.clear()
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
    keytool_store(os.path.join(env.tmp, "new.jks"), [root])
    clients = (classes, npm_install(env, "sd-node"))
    scraper = Scraper(env)
    try:
        switch_day(env, clients, root, scraper)
    finally:
        scraper.close()


def switch_day(env, clients, root, scraper):
    classes = clients[0]
    before = run_clients(env, clients, root, "before the switch", scraper=scraper)
    check(all(ok for k, (ok, _) in before.items() if k != "wrongname"), "every client connects before the switch: %s"
          % before)
    check(not before["wrongname"][0] and "does not match host name" in before["wrongname"][1],
          "wrongname: libpq rejects the name after the handshake (%s)" % before["wrongname"][1])
    time.sleep(1.1)
    switch = server_now(env)
    logdir = os.path.join(env.pgdir, "data", "log")
    # --follow from here on: it must print the breakage live, and survive the log's rotations at the end
    followers = {"dir": subprocess.Popen([PGTLS, "logs", "--follow", logdir], stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, text=True, env=env.env),
                 "file": subprocess.Popen([PGTLS, "logs", "--follow", os.path.join(logdir, "pg")],
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env.env)}
    time.sleep(1.1)
    env.pg("cert", "old")  # a certificate from a CA no client trusts
    after = run_clients(env, clients, root, "after the switch", scraper=scraper)
    check(not after["breaker"][0] and "certificate verify failed" in after["breaker"][1], "breaker breaks (psql)")
    check(after["fallback"][0] and after["fallback"][1].endswith("False"), "fallback connects without TLS (psycopg2)")
    check(after["plain"][0] and after["local"][0], "plain and local connect")
    check(not after["wrongname"][0], "wrongname still fails")
    if classes:
        check(not after["jdbc"][0], "pgjdbc breaks: %s" % after["jdbc"][1])
        check(not after["jdbcprefer"][0] and "PKIX" in after["jdbcprefer"][1],
              "pgjdbc prefer breaks too, no plaintext retry: %s" % after["jdbcprefer"][1])
    if clients[1]:
        check(not after["node"][0], "node-postgres breaks: %s" % after["node"][1])
    # pgtls's own probe, logged as application_name pgtls
    env.pgtls("probe", "--user", "postgres", "127.0.0.1:%d" % env.port)
    time.sleep(1.5)  # the collector writes the files
    check(scraper.scrapes >= 3, "the exporter was scraped all along (%d scrapes)" % scraper.scrapes)

    files = {"stderr": os.path.join(logdir, "pg"), "csvlog": os.path.join(logdir, "pg.csv"),
             "jsonlog": os.path.join(logdir, "pg.json")}
    reports = {}
    for fmt, path in files.items():
        rep = check_report(env, fmt, path, clients, switch)
        if rep:
            reports[fmt] = rep
    check_compressed(env, files)
    # no connection record: error, never an all-clear
    r = env.pgtls("logs", "/etc/passwd")
    check(r.returncode == 3 and "no PostgreSQL connection record" in r.stderr, "/etc/passwd: exit 3 with the reason")
    text = env.pgtls("logs", files["stderr"]).stdout
    check("FELL BACK to plaintext since" in text and "unknown_ca=" in text, "text report says who fell back and broke")
    check("OpenSSL-based clients" in text and "closed before authentication, nothing else logged: 2" in text and
          (not classes or "Java clients (pgjdbc" in text) and (not clients[1] or "Node.js clients" in text),
          "text report names the client families and the closes:\n%s" % text)
    what_if_enforced(env, files, clients, root, scraper)
    follow_rotation(env, followers, logdir)


def check_report(env, fmt, path, clients, switch):
    """One log format's report: attribution, fallback, closes, pgtls left out, windows."""
    classes, modules = clients
    rc, rep = logs(env, path)
    if not check(rep is not None, "%s: report" % fmt):
        return None
    apps = by_app(rep)
    hs = handshake_rows(rep)
    check(len(hs) == 1 and hs[0]["host"] == "127.0.0.1", "%s: one address for every failure: %s" % (fmt, hs))
    row = hs[0] if hs else {"tls_failures": {}, "client_families": {}, "closed_without_startup": 0}
    fails, fams = row["tls_failures"], row["client_families"]
    check(rc == 2 and rep["status"]["code"] == 2, "%s: clients broke -> exit 2 (got %d)" % (fmt, rc))
    check(fails.get("unknown_ca", 0) == 2 and fams.get("openssl") == 2,
          "%s: 2 unknown-CA handshakes (psql, psycopg2's TLS try), family openssl: %s %s" % (fmt, fails, fams))
    if classes:
        check(fails.get("certificate_unknown", 0) == 2 and fams.get("jsse") == 2,
              "%s: pgjdbc's certificate_unknown (verify-full, and prefer through the JVM's store), family jsse: %s"
              % (fmt, fams))
        # pgjdbc sets application_name after its startup: its rows have none; neither of them ever went plaintext
        check(all(c["plaintext"] == 0 for c in rep["clients"] if c["user"] == "postgres" and not c["application_name"]),
              "%s: pgjdbc prefer did not fall back (42.5 does not retry after a handshake failure)" % fmt)
    if modules:
        check(fails.get("connection_closed", 0) == 1 and fams.get("node") == 1,
              "%s: node-postgres's close during the handshake, family node: %s" % (fmt, fams))
    check(row["closed_without_startup"] == 2 and rep["totals"]["closed_without_startup"] == 2,
          "%s: wrongname's two closes after the handshake counted: %s" % (fmt, row))
    fb = apps.get("fallback")
    check(fb is not None and fb["fallback_since"] and fb["fallback_since"][:19] >= switch and fb["plaintext"] == 1
          and sum(fb["tls"].values()) == 1 and fb["fallback_evidence"] == "after_tls",
          "%s: fallback flagged since the switch (%s): %s" % (fmt, switch, fb))
    br = apps.get("breaker")
    check(br is not None and br["fallback_since"] is None and sum(br["tls"].values()) == 1 and br["plaintext"] == 0,
          "%s: breaker: one TLS connection, no fallback: %s" % (fmt, br))
    pl = apps.get("plain")
    check(pl is not None and pl["plaintext"] == 2 and pl["fallback_since"] is None and pl["user"] == "etl" and
          pl["fallback_evidence"] is None, "%s: plain: 2 plaintext, never a fallback: %s" % (fmt, pl))
    lo = apps.get("local")
    check(lo is not None and lo["local"] == 2 and lo["plaintext"] == 0 and lo["host"] == "[local]",
          "%s: local sessions in their own column: %s" % (fmt, lo))
    check("pgtls" not in apps and not any(c["database"] == "pgtls" for c in rep["clients"]) and
          rep["excluded"]["pgtls_probes"] >= 6, "%s: pgtls's probe and exporter left out (%s)" % (fmt, rep["excluded"]))
    # before/after
    rc, rep2 = logs(env, "--since", switch, path)
    a2 = by_app(rep2) if rep2 else {}
    check(rep2 is not None and "breaker" not in a2 and a2.get("fallback", {}).get("plaintext") == 1 and
          a2["fallback"]["fallback_evidence"] == "after_failed_handshake" and rc == 2 and
          a2.get("plain", {}).get("fallback_evidence", "x") is None,
          "%s: --since the switch: the fallback is the retry of its own failure; plain is not blamed: %s" %
          (fmt, {k: (v.get("fallback_evidence"), v.get("plaintext")) for k, v in a2.items()}))
    rc, rep3 = logs(env, "--until", switch, path)
    check(rep3 is not None and rc == 1 and all(not c["tls_failed"] for c in rep3["clients"]) and
          all(c["fallback_since"] is None for c in rep3["clients"]) and
          rep3["totals"]["closed_without_startup"] == 1,
          "%s: --until the switch: no failure, no fallback, one close (wrongname), exit 1" % fmt)
    rc, rep4 = logs(env, "--exclude-user", "etl", path)
    check(rep4 is not None and "plain" not in by_app(rep4) and rep4["excluded"]["by_user_or_application"] == 2,
          "%s: --exclude-user etl" % fmt)
    return rep


def check_compressed(env, files):
    """the same log, compressed: the same counts as the log as it is now (the exporter goes on writing to it)"""
    raw = open(files["stderr"], "rb").read()
    snap = os.path.join(env.tmp, "pg.log")
    with open(snap, "wb") as f:
        f.write(raw)
    want = (logs(env, snap)[1] or {}).get("totals")
    for name, data in (("gz", gzip.compress(raw)), ("bz2", bz2.compress(raw)), ("xz", lzma.compress(raw))):
        p = os.path.join(env.tmp, "pg.log." + name)
        with open(p, "wb") as f:
            f.write(data)
        rc, rep = logs(env, p)
        check(rep is not None and rep["totals"] == want and rep["files"][0]["compression"] ==
              {"gz": "gzip", "bz2": "bzip2", "xz": "xz"}[name], "%s: same counts, compression named" % name)
    zst = os.path.join(env.tmp, "pg.log.zst")
    subprocess.run(["zstd", "-q", "-f", snap, "-o", zst], check=True)
    rc, rep = logs(env, zst)
    check(rep is not None and rep["totals"] == want and rep["files"][0]["compression"] == "zstd", "zstd: same counts")


def follow_rotation(env, followers, logdir):
    """The log is rotated twice: renamed and re-created under its name, then log_filename changes to a
    strftime name.  --follow DIR moves to the new file; --follow FILE warns that it stopped growing."""
    admin = "host=%s port=%d user=postgres dbname=postgres" % (env.pgdir, env.port)
    env.pg("sql", "create role late login")
    env.pg("sql", "create role later login")
    os.rename(os.path.join(logdir, "pg"), os.path.join(logdir, "pg.1"))
    psql(env, admin, "admin", "select pg_rotate_logfile()")
    time.sleep(1.0)
    ok, _ = psql(env, "host=127.0.0.1 port=%d user=late dbname=postgres sslmode=disable" % env.port, "late")
    check(not ok, "a plaintext client after enforcement is rejected")
    time.sleep(1.5)
    # a new name, as log_filename with strftime escapes (or RDS's hourly files) makes at each rotation
    # (the reload starts a new file already, as log_filename changed; the rotation one more, a second later)
    psql(env, admin, "admin", "alter system set log_filename = 'pg-%Y%m%d-%H%M%S.log'")
    psql(env, admin, "admin", "select pg_reload_conf()")
    time.sleep(1.1)
    psql(env, admin, "admin", "select pg_rotate_logfile()")
    time.sleep(1.5)
    new = sorted(f for f in os.listdir(logdir) if f.startswith("pg-") and f.endswith(".log"))[-1:]
    check(len(new) == 1, "PostgreSQL writes a new file name: %s" % new)
    ok, _ = psql(env, "host=127.0.0.1 port=%d user=later dbname=postgres sslmode=disable" % env.port, "later")
    check(not ok, "a plaintext client after the new file is rejected")
    time.sleep(13)  # the exporter's scrapes make the new file grow; the old one stays as it is
    out = {}
    for name, proc in followers.items():
        proc.send_signal(2)
        try:
            out[name] = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out[name] = proc.communicate()
            check(False, "--follow %s stops on SIGINT" % name)
    text, err = out["dir"]
    events = [l for l in text.splitlines() if any(k in l for k in ("  FAILED ", "  FALLBACK ", "  PLAINTEXT",
                                                                      "  REJECTED ", "  CLOSED "))]
    print("--follow DIR printed:\n  " + "\n  ".join(events) + "\n" + err, flush=True)
    check(any("FAILED" in l and "unknown_ca" in l and "OpenSSL-based" in l for l in events),
          "--follow: the failed handshakes, live, with the client family")
    check(any("FAILED" in l and "certificate_unknown" in l and "Java clients" in l for l in events),
          "--follow: pgjdbc's failure named Java")
    check(any("FAILED" in l and "connection_closed" in l and "Node.js" in l for l in events),
          "--follow: node-postgres's failure named Node")
    check(any("CLOSED" in l and "127.0.0.1" in l for l in events), "--follow: wrongname's close after the handshake")
    check(any("FALLBACK" in l and '"fallback"' in l for l in events), "--follow: the fallback, live")
    check(any("PLAINTEXT" in l and '"plain"' in l for l in events), "--follow: the plaintext client")
    check(not any("FALLBACK" in l and '"plain"' in l for l in events), "--follow: plain is never a fallback")
    check(any("REJECTED" in l and "late@postgres" in l for l in events),
          "--follow: a rejection after the log was renamed and re-created is seen")
    check(any("REJECTED" in l and "later@postgres" in l for l in events) and
          "(PostgreSQL started a new file)" in err and new and new[0] in err,
          "--follow DIR: moved to %s when log_filename changed, and saw the rejection there" % new)
    check(not any("pgtls" in l for l in events), "--follow: pgtls's own sessions are not announced")
    check(sum(1 for l in events if "FAILED" in l and "unknown_ca" in l) == 1, "--follow: each event said once")
    check("total:" in text and followers["dir"].returncode in (1, 2), "--follow: the report at the end (exit %s)"
          % followers["dir"].returncode)
    text, err = out["file"]
    check("has not grown for" in err and new and new[0] in err and "--follow " + logdir in err,
          "--follow FILE: warns that the new file grows while the followed one does not: %s" % err.strip()[-400:])
    check("later@postgres" not in text, "--follow FILE: it did not read the other file")


def what_if_fixed(env, files, clients, root, scraper):
    """plain is fixed (sslmode=require): --what-if-enforced --since the fix lists only the fallback client"""
    admin = "host=%s port=%d user=postgres dbname=postgres" % (env.pgdir, env.port)
    time.sleep(1.1)
    fixed = server_now(env)
    time.sleep(1.1)
    got = run_clients(env, clients, root, "plain fixed", plain_mode="require", scraper=scraper)
    check(got["plain"][0], "plain connects with sslmode=require")
    time.sleep(1.5)
    r = env.pgtls("server", "--what-if-enforced", "--json", "--since", fixed, admin, files["jsonlog"])
    rep = json.loads(r.stdout) if r.stdout.startswith("{") else {}
    listed = {c["application_name"]: c["cause"] for c in rep.get("clients", []) if c["effect"] == "rejected"}
    check(listed == {"fallback": "falls_back"}, "--what-if-enforced --since the fix: only the fallback client, told "
          "about its trust store (got %s)" % listed)
    return fixed


def what_if_enforced(env, files, clients, root, scraper):
    """--what-if-enforced lists who would be locked out; enforcing with its printed lines rejects exactly them."""
    classes = clients[0]
    admin = "host=%s port=%d user=postgres dbname=postgres" % (env.pgdir, env.port)
    r = env.pgtls("server", "--what-if-enforced", "--json", admin, files["jsonlog"])
    rep = json.loads(r.stdout) if r.stdout.startswith("{") else None
    if not check(rep is not None and r.returncode == 2, "--what-if-enforced: report, exit 2 (%d %s)" % (r.returncode, r.stderr)):
        return
    listed = {c["application_name"]: c["cause"] for c in rep["clients"] if c["effect"] == "rejected"}
    failing = [c for c in rep["clients"] if c["effect"] == "already_failing"]
    check(listed == {"plain": "no_tls", "fallback": "falls_back"},
          "would be rejected: plain (its sslmode) and fallback (its trust store) (got %s)" % listed)
    check(len(failing) == 1 and failing[0]["host"] == "127.0.0.1" and failing[0]["tls_failed"] >= 2,
          "already failing: the failed handshakes from 127.0.0.1 (%s)" % failing)
    text = env.pgtls("server", "--what-if-enforced", admin, files["stderr"]).stdout
    check("set sslmode=verify-full" in text and "give it the server's CA" in text,
          "fixes by cause: plain told its sslmode, fallback its trust store")
    what_if_fixed(env, files, clients, root, scraper)
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
    since = server_now(env)
    enforced = run_clients(env, clients, root, "after enforcing", scraper=scraper)
    rejected = {k for k, (ok, _) in enforced.items() if not ok}
    before = {"breaker", "wrongname"} | ({"jdbc", "jdbcprefer"} if classes else set()) | \
        ({"node"} if clients[1] else set())
    check(rejected - before == set(listed), "exactly the listed clients are newly rejected: %s" % (rejected - before))
    check(enforced["good"][0] and enforced["local"][0], "TLS and Unix-socket clients keep working")
    check("no encryption" in enforced["plain"][1], "plain: rejected by the new rule (%s)" % enforced["plain"][1])
    # pgtls's own plaintext checks (the exporter's scrapes) are rejected too now: left out, counted apart
    time.sleep(2.5)
    rc, rep5 = logs(env, "--since", since, files["jsonlog"])
    rejected_rows = {(c["user"], c["database"]) for c in (rep5 or {}).get("clients", []) if c["rejected_plaintext"]}
    check(rep5 is not None and rejected_rows == {("etl", "postgres"), ("postgres", "postgres")} and
          rep5["excluded"]["pgtls_probes"] >= 2,
          "after enforcing: only plain's and fallback's rejections, pgtls's own left out (%s, %s)" %
          (rejected_rows, (rep5 or {}).get("excluded")))
    rc, rep6 = logs(env, "--since", since, "--include-pgtls", files["jsonlog"])
    check(rep6 is not None and any(c["database"] == "pgtls" and c["rejected_plaintext"] for c in rep6["clients"]),
          "--include-pgtls: pgtls's own rejected plaintext checks shown (database pgtls)")
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
