#!/usr/bin/python3
"""`pgtls scan` over a small fleet of real PostgreSQL 15 servers in different
states -- TLS only, plaintext allowed, expired certificate, wrong host name,
no TLS at all, not listening -- plus bad lines in the target file: every
target gets its right row (never dropped), the table is worst first, the
NDJSON stream has one object per target, the CSV one row each, the summary
counts them, the exit status is the worst target's, and `promtool check
metrics` (Debian's prometheus package) accepts the metrics, whose values
are read back.  A service file and stdin work as target sources; a file
descriptor limit too low for the asked concurrency is refused at start-up.

Run:  /usr/bin/python3 tests/integration/test_scan.py BUILD_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import PGTLS, ROOT, Server, check, free_port, run_tests  # noqa: E402


def start_fleet(env):
    """name -> (Server or None, expected status label, what the row must say)"""
    fleet = {}
    specs = [("tlsonly", "new", "hostssl", "OK"), ("plain", "new", "both", "WARNING"),
             ("expired", "expired", "hostssl", "CRITICAL"), ("wronghost", "wronghost", "hostssl", "WARNING"),
             ("nossl", "new", "both", "CRITICAL")]
    for name, cert, hba, want in specs:
        s = Server(env, "fleet-" + name)
        s.pg("start", cert, hba)
        if name == "nossl":
            s.pg("ssl", "off")
        fleet[name] = (s, want)
    fleet["dead"] = (None, "UNKNOWN")
    return fleet


def target_of(fleet, name, dead_port):
    s = fleet[name][0]
    return "localhost:%d" % (s.port if s else dead_port)


def scan(env, *args, inp=None):
    r = subprocess.run([PGTLS, "scan"] + list(args), capture_output=True, text=True, env=env.env, input=inp,
                       timeout=120)
    if "Sanitizer" in r.stderr or "runtime error:" in r.stderr:
        check(False, "sanitizer report: " + r.stderr)
    return r


def test_fleet(env):
    fleet = start_fleet(env)
    dead = free_port()
    root = os.path.join(env.pki, "rootcert-new.pem")
    tfile = os.path.join(env.tmp, "targets.txt")
    names = ["tlsonly", "plain", "expired", "wronghost", "nossl", "dead"]
    with open(tfile, "w") as f:
        f.write("# the fleet\n\n")
        for n in names:
            f.write(target_of(fleet, n, dead) + "\n")
        f.write("host=localhost port=5432 nosuchoption=1\n")  # line 9: not a target
        f.write("localhost:99999\n")  # line 10: bad port
    want = {target_of(fleet, n, dead): fleet[n][1] for n in names}

    # NDJSON, streamed: one object per target, bad lines included
    r = scan(env, "--json", "--rootcert", root, "--timeout", "3", "--targets", tfile)
    objs = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    check(len(objs) == 8, "NDJSON: one object per target, bad lines included (%d)" % len(objs))
    got = {o["target"]["input"]: o["status"]["label"] for o in objs}
    for t, w in want.items():
        check(got.get(t) == w, "%s: %s (want %s)" % (t, got.get(t), w))
    bad = [o for o in objs if o.get("source", "").endswith(":9") or o.get("source", "").endswith(":10")]
    check(len(bad) == 2 and all(o["status"]["label"] == "UNKNOWN" and o["error"] for o in bad),
          "bad lines reported with FILE:LINE and the reason: %s" % bad)
    check(r.returncode == 2, "exit status: the worst target's (CRITICAL) (got %d)" % r.returncode)
    check("scan: 8 targets: 1 OK, 2 WARNING, 2 CRITICAL, 3 UNKNOWN" in r.stderr, "summary on stderr: %r" % r.stderr)
    byt = {o["target"]["input"]: o for o in objs if "findings" in o}
    exp = byt.get(target_of(fleet, "expired", dead))
    check(exp is not None and any(f["code"] == "cert_expired" for f in exp["findings"]), "expired: cert_expired")
    wh = byt.get(target_of(fleet, "wronghost", dead))
    check(wh is not None and any(f["code"] == "host_mismatch" for f in wh["findings"]), "wrong host: host_mismatch")

    # the table: worst first, the summary line with CA, TLS and the earliest expiry
    r = scan(env, "--rootcert", root, "--timeout", "3", "--targets", tfile)
    lines = [l for l in r.stdout.splitlines() if l[:8].strip() in ("OK", "WARNING", "CRITICAL", "UNKNOWN")]
    order = [l.split()[0] for l in lines]
    rankv = {"CRITICAL": 0, "UNKNOWN": 1, "WARNING": 2, "OK": 3}
    check(order == sorted(order, key=lambda x: rankv[x]) and len(lines) == 8, "table worst first: %s" % order)
    check("CA: pgtls Test New Root CA 4" in r.stdout and "earliest expiry: 2021-01-01" in r.stdout,
          "summary names the CA and the earliest expiry: %r" % r.stdout[-400:])

    # CSV
    r = scan(env, "--csv", "--rootcert", root, "--timeout", "3", "--targets", tfile)
    rows = r.stdout.splitlines()
    check(rows[0].startswith("status,target,") and len(rows) == 9, "CSV: header + 8 rows")

    # Prometheus metrics: promtool accepts them; values read back
    r = scan(env, "--format", "openmetrics", "--rootcert", root, "--timeout", "3", "--targets", tfile)
    prom = os.path.join(env.tmp, "pgtls.prom")
    with open(prom, "w") as f:
        f.write(r.stdout)
    promtool = shutil.which("promtool")
    if check(promtool is not None, "promtool (Debian prometheus) is installed"):
        pr = subprocess.run([promtool, "check", "metrics"], input=r.stdout, capture_output=True, text=True)
        check(pr.returncode == 0, "promtool check metrics accepts the output: %s %s" % (pr.stdout, pr.stderr))
    samples = {}
    for line in r.stdout.splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            samples[k] = float(v)
    t_ok, t_plain = target_of(fleet, "tlsonly", dead), target_of(fleet, "plain", dead)
    check(samples.get('pgtls_plaintext_accepted{target="%s"}' % t_plain) == 1 and
          samples.get('pgtls_plaintext_accepted{target="%s"}' % t_ok) == 0, "pgtls_plaintext_accepted values")
    check(samples.get('pgtls_sslmode_connects{target="%s",sslmode="verify-full"}' % t_ok) == 1 and
          samples.get('pgtls_verified{target="%s",sslmode="verify-full",level="full"}' % t_ok) == 1,
          "verify-full connects and verifies fully on the TLS-only server")
    check(samples.get('ssl_probe_success{target="%s"}' % target_of(fleet, "nossl", dead)) == 0,
          "ssl_probe_success 0 for the server without TLS")
    check(any(k.startswith('ssl_cert_not_after{target="%s"' % target_of(fleet, "expired", dead)) and v < 1700000000
              for k, v in samples.items()), "ssl_cert_not_after of the expired certificate is in the past")

    old_ca_alert(env, tfile, root, promtool, [target_of(fleet, n, dead) for n in ("tlsonly", "plain", "expired",
                                                                                    "wronghost")])

    # other sources: stdin, a service file; a descriptor limit too low is refused at start-up
    r = scan(env, "--json", "--timeout", "3", "--targets", "-", inp=t_ok + "\n")
    check(len(r.stdout.splitlines()) == 1 and json.loads(r.stdout)["status"]["label"] in ("OK", "WARNING"),
          "targets from stdin")
    svc = os.path.join(env.tmp, "fleet.conf")
    with open(svc, "w") as f:
        f.write("[tlsonly]\nhost=localhost\nport=%d\n[plain]\nhost=localhost\nport=%d\n" % (fleet["tlsonly"][0].port,
                                                                                     fleet["plain"][0].port))
    r = scan(env, "--json", "--rootcert", root, "--timeout", "3", "--service-file", svc)
    st = sorted(json.loads(l)["status"]["label"] for l in r.stdout.splitlines())
    check(st == ["OK", "WARNING"], "every service of a pg_service.conf scanned: %s %s" % (st, r.stderr))
    r = subprocess.run(["bash", "-c", 'ulimit -n 100; exec "$0" scan --concurrency 500 localhost:1', PGTLS],
                       capture_output=True, text=True, env=env.env, timeout=60)
    check(r.returncode == 3 and "ulimit -n" in r.stderr, "too few file descriptors: refused at start-up (%r)" % r.stderr)
    r = scan(env, "--format", "xml", "localhost")
    check(r.returncode == 3 and "invalid --format" in r.stderr, "bad --format")
    r = scan(env)
    check(r.returncode == 3 and "no target" in r.stderr, "no target: usage error")
    for name, (s, _) in fleet.items():
        if s:
            s.pg("stop")


def old_ca_alert(env, tfile, root, promtool, tls_targets):
    """contrib/prometheus/pgtls.rules.yml passes its promtool unit tests; its old-CA rule, fed the real metrics,
    fires for each TLS target when the CA they serve is known by fingerprint as rds-ca-2019 (the test PKI's
    intermediate registered through the test-only table), and never on the CA's name alone"""
    rules = os.path.join(ROOT, "contrib", "prometheus")
    if not check(promtool is not None, "promtool is installed"):
        return
    pr = subprocess.run([promtool, "test", "rules", "pgtls.rules.test.yml"], cwd=rules, capture_output=True, text=True)
    check(pr.returncode == 0, "promtool test rules: every documented alert fires where it should: %s %s"
          % (pr.stdout[-400:], pr.stderr[-400:]))
    fp = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in",
                         os.path.join(env.pki, "new-inter.crt")], capture_output=True, text=True, check=True).stdout
    table = os.path.join(env.tmp, "test-aws-cas.txt")
    with open(table, "w") as f:
        f.write("%s rds-ca-2019 us-east-1\n" % fp.split("=", 1)[1].strip().replace(":", ""))
    for registered in (True, False):
        e = dict(env.env, PGTLS_TEST_AWS_CAS=table) if registered else env.env
        r = subprocess.run([PGTLS, "scan", "--format", "openmetrics", "--rootcert", root, "--timeout", "3",
                            "--targets", tfile], capture_output=True, text=True, env=e, timeout=120)
        series = [l.rsplit(" ", 1)[0] for l in r.stdout.splitlines() if l.startswith("pgtls_cert_issuer_info{")]
        want = []
        for sr in series:
            labels = dict(re.findall(r'(\w+)="([^"]*)"', sr))
            if labels.get("target") in tls_targets and registered:
                want.append({"exp_labels": dict(labels, severity="critical"),
                             "exp_annotations": {"summary": "%s still serves a chain from rds-ca-2019 (%s)"
                                                 % (labels["target"], labels["issuer"])}})
        test = {"rule_files": [os.path.join(rules, "pgtls.rules.yml")], "evaluation_interval": "1m",
                "tests": [{"interval": "1m", "input_series": [{"series": sr, "values": "1x5"} for sr in series],
                           "alert_rule_test": [{"eval_time": "2m", "alertname": "PostgresChainFromOldCA",
                                                "exp_alerts": want}]}]}
        path = os.path.join(env.tmp, "old-ca-%s.test.yml" % ("registered" if registered else "named"))
        with open(path, "w") as f:
            json.dump(test, f)  # YAML is a superset of JSON
        pr = subprocess.run([promtool, "test", "rules", path], capture_output=True, text=True)
        check(len(series) >= len(tls_targets) and (len(want) == len(tls_targets)) == registered and
              pr.returncode == 0, "the old-CA alert on the real metrics (%s): %d alerts: %s %s"
              % ("known by fingerprint" if registered else "named only", len(want), pr.stdout[-300:],
                 pr.stderr[-300:]))


def test_aws(env):
    """An AWS CLI inventory drives a scan of local servers standing in for the instances."""
    old, new = Server(env, "aws-old"), Server(env, "aws-new")
    old.pg("start", "old", "hostssl")
    new.pg("start", "new", "hostssl")
    fx = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "aws")
    files = []
    for name in ("describe-db-instances", "describe-db-clusters", "describe-certificates",
                 "describe-db-engine-versions"):
        with open(os.path.join(fx, name + ".json")) as f:
            text = f.read().replace("@PORT_OLD@", str(old.port)).replace("@PORT_NEW@", str(new.port))
        path = os.path.join(env.tmp, name + ".json")
        with open(path, "w") as f:
            f.write(text)
        files += ["--aws", path]
    names = ["--ca-name", "rds-ca-2019=pgtls Test Old Root CA", "--ca-name", "rds-ca-rsa2048-g1=pgtls Test New Root CA"]
    r = scan(env, "--json", "--timeout", "3", *(files + names))
    lines = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    probes = [l for l in lines if "target" in l]
    plan = [l for l in lines if "aws_target_ca" in l]
    check(len(probes) == 4, "every endpoint with an address is a target (3 instances + 1 cluster writer): %d" % len(probes))
    if not check(len(plan) == 1, "the plan line ends the NDJSON stream"):
        return
    plan = plan[0]
    ep = {(e["id"], e["kind"]): e for e in plan["endpoints"]}
    check(plan["aws_target_ca"] == "rds-ca-rsa2048-g1", "target CA: the one valid longest")
    o = ep[("db-old", "instance")]
    check(o["served_matches_declared"] is True and o["needs_change"] and o["command"] ==
          "aws rds modify-db-instance --db-instance-identifier db-old --ca-certificate-identifier rds-ca-rsa2048-g1 "
          "--apply-immediately" and o["rotates_without_restart"] is True, "db-old: on rds-ca-2019, the command: %s" % o)
    n = ep[("db-new", "instance")]
    check(n["served_matches_declared"] is True and not n["needs_change"] and n["rotates_without_restart"] is False,
          "db-new: on the target CA already: %s" % n)
    p = ep[("db-pending", "instance")]
    check(p["served_matches_declared"] is False and p["served_ca"] == "pgtls Test Old Root CA",
          "db-pending: declares the new CA but serves the old one: %s" % p)
    check(("db-creating", "instance") in ep and ep[("db-creating", "instance")]["served_ca"] is None,
          "an instance without an endpoint yet is listed, not probed")
    r = scan(env, "--timeout", "3", *(files + names))
    check("NOT the declared CA" in r.stdout and "Plan: move these instances to rds-ca-rsa2048-g1" in r.stdout and
          "RESTARTS" not in r.stdout.split("db-old")[-1].split("\n")[1], "text: the mismatch and the plan\n%s" % r.stdout[-900:])
    # without the engine list, whether db-old restarts is unknown: the plan waits for the maintenance window
    no_versions = []
    for path in files[1::2]:
        if "engine-versions" not in path:
            no_versions += ["--aws", path]
    r = scan(env, "--json", "--timeout", "3", *(no_versions + names))
    pl = [json.loads(l) for l in r.stdout.splitlines() if "aws_target_ca" in l]
    o = {(e["id"], e["kind"]): e for e in (pl[0]["endpoints"] if pl else [])}.get(("db-old", "instance"), {})
    check(o.get("command", "").endswith(" --no-apply-immediately") and o.get("rotates_without_restart") is None,
          "restart unknown: applied in the maintenance window, never --apply-immediately: %s" % o.get("command"))
    bad = os.path.join(env.tmp, "bad.json")
    with open(bad, "w") as f:
        f.write('{"Reservations": []}')
    r = scan(env, "--aws", bad)
    check(r.returncode == 3 and "no DBInstances" in r.stderr, "a JSON without RDS lists is an error")
    old.pg("stop")
    new.pg("stop")


def http_get(url, timeout=10):
    import urllib.error
    import urllib.request
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_exporter(env):
    """pgtls exporter scraped by a real Prometheus (Debian's), values read back through Prometheus's HTTP API."""
    import time
    tls, plain, rot = Server(env, "exp-tls"), Server(env, "exp-plain"), Server(env, "exp-rot")
    tls.pg("start", "new", "hostssl")
    plain.pg("start", "new", "both")
    soon_cert(env)
    rot.pg("start", "soon", "hostssl")
    xport, pport = free_port(), free_port()
    # the test PKI's intermediate known by its fingerprint as rds-ca-2019 (test-only table, -Dtest_hooks=true)
    fp = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in",
                         os.path.join(env.pki, "new-inter.crt")], capture_output=True, text=True, check=True).stdout
    table = os.path.join(env.tmp, "exporter-aws-cas.txt")
    with open(table, "w") as f:
        f.write("%s rds-ca-2019 us-east-1\n" % fp.split("=", 1)[1].strip().replace(":", ""))
    exp = subprocess.Popen([PGTLS, "exporter", "--listen", "127.0.0.1:%d" % xport, "--timeout", "3", "--rootcert",
                            os.path.join(env.pki, "rootcert-new.pem"), "--user", "postgres"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           env=dict(env.env, PGTLS_TEST_AWS_CAS=table))
    prom = None
    try:
        for _ in range(50):
            try:
                if http_get("http://127.0.0.1:%d/metrics" % xport, 1)[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        # malformed requests: answered, and the exporter lives on
        check(http_get("http://127.0.0.1:%d/probe" % xport)[0] == 400, "no target: 400")
        code, body = http_get("http://127.0.0.1:%d/probe?target=%%zz%%00" % xport)
        check(code == 400 or (code == 200 and 'ssl_probe_success{target="%zz"} 0' in body),
              "garbage target: refused or a failed probe (%d %r)" % (code, body[:200]))
        check(http_get("http://127.0.0.1:%d/probe?target=host%%3Dx%%20nosuch%%3D1" % xport)[0] == 400, "bad conninfo: 400")
        check(http_get("http://127.0.0.1:%d/elsewhere" % xport)[0] == 404, "unknown path: 404")
        code, body = http_get("http://127.0.0.1:%d/probe?target=localhost:%d" % (xport, free_port()))
        check(code == 200 and "ssl_probe_success" in body and "} 0" in body, "dead target: metrics, success 0")
        promtool = shutil.which("promtool")
        if promtool:
            code, body = http_get("http://127.0.0.1:%d/probe?target=localhost:%d" % (xport, tls.port))
            pr = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True, text=True)
            check(pr.returncode == 0, "promtool accepts the /probe answer: %s" % pr.stderr)
        promdir = os.path.join(env.tmp, "prom")
        os.makedirs(promdir, exist_ok=True)
        cfg = os.path.join(promdir, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}\n"
                    "rule_files: ['%s']\n"
                    "scrape_configs:\n"
                    "- job_name: pgtls\n"
                    "  metrics_path: /probe\n"
                    "  static_configs: [{targets: ['localhost:%d', 'localhost:%d', 'localhost:%d']}]\n"
                    "  relabel_configs:\n"
                    "  - {source_labels: [__address__], target_label: __param_target}\n"
                    "  - {source_labels: [__param_target], target_label: instance}\n"
                    "  - {target_label: __address__, replacement: '127.0.0.1:%d'}\n"
                    "- job_name: pgtls_exporter\n"
                    "  static_configs: [{targets: ['127.0.0.1:%d']}]\n"
                    % (os.path.join(ROOT, "contrib", "prometheus", "pgtls.rules.yml"), tls.port, plain.port, rot.port,
                       xport, xport))
        promexe = shutil.which("prometheus")
        if not check(promexe is not None, "prometheus (Debian package) is installed"):
            return
        prom = subprocess.Popen([promexe, "--config.file=" + cfg, "--storage.tsdb.path=" + promdir,
                                 "--web.listen-address=127.0.0.1:%d" % pport],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        def query(q, want):
            """instance -> value, polled until WANT series are there (Prometheus scrapes every second)"""
            import urllib.parse
            values = {}
            for _ in range(120):
                try:
                    code, body = http_get("http://127.0.0.1:%d/api/v1/query?query=%s" % (pport, urllib.parse.quote(q)), 2)
                    res = json.loads(body)["data"]["result"] if code == 200 else []
                    values = {r["metric"].get("instance"): float(r["value"][1]) for r in res}
                    if len(values) >= want:
                        return values
                except (OSError, ValueError, KeyError):
                    pass
                time.sleep(0.5)
            return values

        values = query("pgtls_plaintext_accepted", 3)
        check(values.get("localhost:%d" % plain.port) == 1 and values.get("localhost:%d" % tls.port) == 0,
              "Prometheus read back pgtls_plaintext_accepted per target: %s" % values)
        vf = query('pgtls_sslmode_connects{sslmode="verify-full"}', 3)
        check(len(vf) == 3 and all(v == 1 for v in vf.values()), "verify-full connects on all three: %s" % vf)
        own = query("pgtls_exporter_probes_total", 1)
        check(len(own) == 1 and list(own.values())[0] >= 2, "the exporter's own metrics are scraped: %s" % own)
        live_alerts(pport, rot)
    finally:
        if prom:
            prom.terminate()
            prom.wait(timeout=30)
        exp.terminate()
        exp.wait(timeout=30)
        check(exp.returncode == 0, "the exporter stops cleanly on SIGTERM (%s)" % exp.returncode)
        tls.pg("stop")
        plain.pg("stop")
        rot.pg("stop")


def soon_cert(env):
    """server-soon: a leaf for localhost under the new intermediate that expires in 10 days (made now)"""
    k, csr, crt = (os.path.join(env.pki, "server-soon." + x) for x in ("key", "csr", "crt"))
    ext = os.path.join(env.pki, "server-soon.ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n")
    subprocess.run(["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", k, "-subj",
                    "/O=pgtls tests/CN=localhost", "-out", csr], check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", os.path.join(env.pki, "new-inter.crt"), "-CAkey",
                    os.path.join(env.pki, "new-inter.key"), "-CAcreateserial", "-days", "10", "-extfile", ext,
                    "-out", crt], check=True, capture_output=True)
    os.chmod(k, 0o600)
    with open(os.path.join(env.pki, "server-soon.chain.crt"), "w") as f:
        f.write(open(crt).read() + open(os.path.join(env.pki, "new-inter.crt")).read())


def live_alerts(pport, rot):
    """Debian's Prometheus evaluates contrib/prometheus/pgtls.rules.yml as shipped: the old-CA and expiry alerts
    fire for the server whose chain is from the CA known as rds-ca-2019 and expires in 10 days, and resolve once
    it serves another certificate"""
    import time
    target = "localhost:%d" % rot.port
    names = {"PostgresChainFromOldCA", "PostgresCertificateExpiresSoon"}

    def firing():
        try:
            code, body = http_get("http://127.0.0.1:%d/api/v1/alerts" % pport, 2)
            alerts = json.loads(body)["data"]["alerts"] if code == 200 else []
        except (OSError, ValueError, KeyError):
            return None
        return {a["labels"]["alertname"] for a in alerts
                if a.get("state") == "firing" and a["labels"].get("target") == target}

    got = set()
    for _ in range(120):
        got = firing() or set()
        if names <= got:
            break
        time.sleep(0.5)
    check(names <= got, "alerts fire for %s: %s" % (target, got))
    rot.pg("cert", "old")  # a chain from another CA, valid until 2099
    for _ in range(120):
        got = firing()
        if got is not None and not (names & got):
            break
        time.sleep(0.5)
    check(got is not None and not (names & got), "and resolve once it serves another chain: %s" % got)


def main():
    return run_tests([test_fleet, test_aws, test_exporter])


if __name__ == "__main__":
    sys.exit(main())
