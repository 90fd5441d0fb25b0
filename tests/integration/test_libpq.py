#!/usr/bin/python3
"""`pgtls probe` agrees with libpq on every setting a real user passes.

Each row runs pgtls and the real clients -- psql (libpq 15) and psycopg2
(/usr/bin/python3, the same libpq in-process) -- with the same connection
string and the same environment, against a real PostgreSQL 15, and compares
every sslmode: connects or fails, encrypted or not, and libpq's error texts
word for word (second lines included).  Rows cover: a server that requires a
client certificate (sslcert/sslkey, PGSSLCERT/PGSSLKEY, ~/.postgresql,
sslpassword, a key with group access, a certificate from another CA),
ssl_min/max_protocol_version both ways, PGSSLCRL and PGSSLCRLDIR (good,
revoked, CRL of the wrong CA), service files (PGSERVICEFILE,
~/.pg_service.conf, PGSYSCONFDIR, PGSERVICE), the default user from PGUSER
and from the operating-system user, sslrootcert=system with the linked
libpq 15, and the chain-failure shapes (intermediate-only root file, the
leaf as root, an issuer that is not a CA), which must be CRITICAL with a hint
naming the missing certificate.  Settings libpq refuses before connecting (bad protocol names, a
missing service) must give pgtls's error exactly as psql prints it.

libpq sources followed: src/interfaces/libpq/fe-connect.c
(conninfo_add_defaults, parseServiceInfo, parseServiceFile, connectOptions2)
and fe-secure-openssl.c (initialize_SSL, open_client_SSL), PostgreSQL 15.

Run:  /usr/bin/python3 tests/integration/test_libpq.py BUILD_DIR
"""
import getpass
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import PGTLS, check, run_tests  # noqa: E402
from test_probe import MODES, compare, psycopg2, psql_outcome, psycopg2_outcome  # noqa: E402


class Row:
    """One connection string + environment, compared mode by mode."""

    def __init__(self, label, conninfo, env=None, args=()):
        self.label, self.conninfo, self.env, self.args = label, conninfo, env or {}, list(args)


def with_env(env, extra):
    """Env for psql and pgtls; also applied to os.environ for psycopg2 (restored by the caller)."""
    e = dict(env.env)
    for k, v in extra.items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    return e


class OsEnviron:
    def __init__(self, extra):
        self.extra, self.saved = extra, {}

    def __enter__(self):
        for k, v in self.extra.items():
            self.saved[k] = os.environ.get(k)
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    def __exit__(self, *a):
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_row(env, row, counter):
    e = with_env(env, row.env)
    r = subprocess.run([env.pgtls_path, "probe", "--json", "--timeout", "5"] + row.args + [row.conninfo],
                       capture_output=True, text=True, env=e, timeout=60)
    if "Sanitizer" in r.stderr or "runtime error:" in r.stderr:
        check(False, "%s: sanitizer report: %s" % (row.label, r.stderr))
    if not check(r.returncode in (0, 1, 2), "%s: pgtls exit %d: %s" % (row.label, r.returncode, r.stderr)):
        return None
    rep = json.loads(r.stdout)
    rows = {x["sslmode"]: x for x in rep["sslmodes"] if x["negotiation"] == "postgres"}
    envenv = type("E", (), {"env": e})()
    for mode in MODES:
        compare(row.label + " sslmode=" + mode, rows[mode], psql_outcome(envenv, row.conninfo, mode), "psql")
        with OsEnviron(row.env):
            compare(row.label + " sslmode=" + mode, rows[mode], psycopg2_outcome(row.conninfo, mode), "psycopg2")
        counter[0] += 1
    return rep


def refused_alike(env, label, conninfo, extra=None):
    """Settings libpq refuses before connecting: pgtls exits 3 with psql's text."""
    e = with_env(env, extra or {})
    r = subprocess.run([env.pgtls_path, "probe", conninfo], capture_output=True, text=True, env=e, timeout=30)
    p = subprocess.run(["psql", "-X", "-Atq", conninfo, "-c", "select 1"], capture_output=True, text=True, env=e,
                       timeout=30)
    want = p.stderr.strip().split("\n")[0].replace("psql: error: ", "")
    check(p.returncode != 0 and r.returncode == 3 and want and want in r.stderr,
          "%s: psql says %r, pgtls (exit %d) says %r" % (label, p.stderr.strip(), r.returncode, r.stderr.strip()))


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def base(env, user=True):
    return "host=localhost port=%d dbname=postgres%s" % (env.port, " user=postgres" if user else "")


def client_cert_rows(env, pki, tmp):
    """Server with ssl_ca_file and hostssl ... clientcert=verify-ca (plaintext rejected)."""
    key644 = os.path.join(tmp, "client-644.key")
    shutil.copy(os.path.join(pki, "client.key"), key644)
    os.chmod(key644, 0o644)
    home = os.path.join(tmp, "home-cc")
    os.makedirs(os.path.join(home, ".postgresql"), exist_ok=True)
    shutil.copy(os.path.join(pki, "client.crt"), os.path.join(home, ".postgresql", "postgresql.crt"))
    shutil.copy(os.path.join(pki, "client.key"), os.path.join(home, ".postgresql", "postgresql.key"))
    os.chmod(os.path.join(home, ".postgresql", "postgresql.key"), 0o600)
    root = " sslrootcert=" + os.path.join(pki, "rootcert-new.pem")
    crt, key = os.path.join(pki, "client.crt"), os.path.join(pki, "client.key")
    b = base(env) + root
    return [
        Row("clientcert: none presented", b),
        Row("clientcert: sslcert/sslkey", b + " sslcert=%s sslkey=%s" % (crt, key)),
        Row("clientcert: PGSSLCERT/PGSSLKEY", b, {"PGSSLCERT": crt, "PGSSLKEY": key}),
        Row("clientcert: ~/.postgresql/postgresql.crt", b, {"HOME": home}),
        Row("clientcert: encrypted key + sslpassword",
            b + " sslcert=%s sslkey=%s sslpassword=pgtls-key-pass" % (crt, os.path.join(pki, "client-enc.key"))),
        Row("clientcert: key readable by others", b + " sslcert=%s sslkey=%s" % (crt, key644)),
        Row("clientcert: certificate file missing", b + " sslcert=%s/nope.crt sslkey=%s" % (tmp, key)),
        Row("clientcert: key file missing", b + " sslcert=%s sslkey=%s/nope.key" % (crt, tmp)),
        Row("clientcert: wrong key", b + " sslcert=%s sslkey=%s" % (crt, os.path.join(pki, "client-wrong.key"))),
        Row("clientcert: certificate of another CA",
            b + " sslcert=%s sslkey=%s" % (os.path.join(pki, "client-wrong.crt"), os.path.join(pki, "client-wrong.key"))),
    ]


def test_client_certificates(env):
    pki, tmp = env.pki, env.tmp
    hba = os.path.join(tmp, "hba-clientcert.conf")
    write(hba, "local all all trust\nhostssl all all 127.0.0.1/32 trust clientcert=verify-ca\n"
               "hostnossl all all 127.0.0.1/32 reject\n")
    env.pg("conf", "ssl_ca_file", os.path.join(pki, "client-root.crt"))
    env.pg("hbafile", hba)
    n = [0]
    try:
        for row in client_cert_rows(env, pki, tmp):
            rep = run_row(env, row, n)
            if rep is None:
                continue
            codes = [f["code"] for f in rep["findings"]]
            if row.label == "clientcert: none presented":
                check(rep["status"]["label"] == "CRITICAL" and "tls_rejected" in codes,
                      "no client certificate on a clientcert server: CRITICAL tls_rejected (%s)" % codes)
            if row.label == "clientcert: sslcert/sslkey":
                check(rep["client_certificate"]["presented"] and "client_cert_presented" in codes,
                      "client certificate reported as presented")
                check("BEGIN" not in json.dumps(rep), "no key or certificate body in the report")
            if row.label.startswith("clientcert: encrypted"):
                check("pgtls-key-pass" not in json.dumps(rep), "sslpassword never in the report")
            if row.label == "clientcert: key readable by others":
                check("client_cert_unusable" in codes and rep["status"]["label"] == "CRITICAL",
                      "unusable key: reported, and no encrypted connection is CRITICAL (%s)" % codes)
    finally:
        env.pg("hba", "both")
    print("client certificates: %d verdicts compared" % n[0], flush=True)
    check(n[0] == 60, "all client-certificate rows compared (%d)" % n[0])


def test_protocol_versions(env):
    b = base(env) + " sslrootcert=" + os.path.join(env.pki, "rootcert-new.pem")
    n = [0]
    run_row(env, Row("client min TLSv1.3, server any", b + " ssl_min_protocol_version=TLSv1.3"), n)
    env.pg("conf", "ssl_min_protocol_version", "TLSv1.3")
    try:
        rep = run_row(env, Row("server min TLSv1.3, client max TLSv1.2", b + " ssl_max_protocol_version=TLSv1.2"), n)
        if rep:
            row = [x for x in rep["sslmodes"] if x["sslmode"] == "require"][0]
            check(any("This may indicate" in e for e in row["errors"]), "libpq's second line kept: %s" % row["errors"])
            pref = [x for x in rep["sslmodes"] if x["sslmode"] == "prefer"][0]
            check(pref["plaintext_fallback"], "prefer falls back to plaintext when the versions do not overlap")
        run_row(env, Row("server min TLSv1.3, client default", b), n)
    finally:
        env.pg("conf", "ssl_min_protocol_version", "TLSv1.2")
    env.pg("conf", "ssl_max_protocol_version", "TLSv1.2")
    try:
        run_row(env, Row("server max TLSv1.2, client min TLSv1.3", b + " ssl_min_protocol_version=tlsv1.3"), n)
        run_row(env, Row("server max TLSv1.2, client min from PGSSLMINPROTOCOLVERSION", b,
                         {"PGSSLMINPROTOCOLVERSION": "TLSv1.3"}), n)
    finally:
        env.pg("conf", "ssl_max_protocol_version", "")
    refused_alike(env, "invalid ssl_min_protocol_version", b + " ssl_min_protocol_version=TLSv9")
    refused_alike(env, "invalid ssl_max_protocol_version", b + " ssl_max_protocol_version=SSLv3")
    refused_alike(env, "inverted protocol range", b + " ssl_min_protocol_version=TLSv1.3 ssl_max_protocol_version=TLSv1.2")
    print("protocol versions: %d verdicts compared" % n[0], flush=True)
    check(n[0] == 30, "all protocol rows compared (%d)" % n[0])


def test_crls(env):
    pki = env.pki
    b = base(env) + " sslrootcert=" + os.path.join(pki, "rootcert-new.pem")
    n = [0]
    for label, extra in [
        ("PGSSLCRL good", {"PGSSLCRL": os.path.join(pki, "crl-good.pem")}),
        ("PGSSLCRL revoked", {"PGSSLCRL": os.path.join(pki, "crl-revoked.pem")}),
        ("PGSSLCRL of the wrong CA", {"PGSSLCRL": os.path.join(pki, "crl-wrong.pem")}),
        ("PGSSLCRLDIR good", {"PGSSLCRLDIR": os.path.join(pki, "crldir-good")}),
        ("PGSSLCRLDIR revoked", {"PGSSLCRLDIR": os.path.join(pki, "crldir-revoked")}),
    ]:
        rep = run_row(env, Row(label, b, extra), n)
        if rep and label == "PGSSLCRL of the wrong CA":
            hint = rep["rootcert"]["chain_verifies"]["hint"] or ""
            check("no CRL issued by" in hint, "wrong-CA CRL hint: %r" % hint)
        if rep and label == "PGSSLCRL revoked":
            check(rep["rootcert"]["chain_verifies"]["reason"] == "certificate revoked", "revoked reason")
    print("CRLs: %d verdicts compared" % n[0], flush=True)
    check(n[0] == 30, "all CRL rows compared (%d)" % n[0])


def test_services(env):
    pki, tmp = env.pki, env.tmp
    root = os.path.join(pki, "rootcert-new.pem")
    svc = "[svc]\nhost=localhost\nport=%d\nuser=postgres\nsslrootcert=%s\n# a comment\n\n[other]\nhost=nowhere\n" % (
        env.port, root)
    f1 = os.path.join(tmp, "svc", "file.conf")
    write(f1, svc)
    home = os.path.join(tmp, "home-svc")
    write(os.path.join(home, ".pg_service.conf"), svc.replace("[svc]", "[homesvc]"))
    sysdir = os.path.join(tmp, "sysconf")
    write(os.path.join(sysdir, "pg_service.conf"), svc.replace("[svc]", "[syssvc]").replace(
        "sslrootcert=" + root, "sslrootcert=" + os.path.join(pki, "rootcert-old.pem")))
    n = [0]
    rep = run_row(env, Row("service= in PGSERVICEFILE", "service=svc dbname=postgres", {"PGSERVICEFILE": f1}), n)
    if rep:
        check(rep["target"]["service_file"] == f1, "service file reported")
        src = {s["name"]: s["source"] for s in rep["settings"]}
        check(src.get("host") == "service" and src.get("sslrootcert") == "service", "settings say 'service': %s" % src)
    run_row(env, Row("PGSERVICE env", "dbname=postgres", {"PGSERVICEFILE": f1, "PGSERVICE": "svc"}), n)
    run_row(env, Row("~/.pg_service.conf", "service=homesvc", {"HOME": home}), n)
    run_row(env, Row("PGSYSCONFDIR/pg_service.conf", "service=syssvc", {"PGSYSCONFDIR": sysdir, "HOME": home}), n)
    run_row(env, Row("conninfo beats the service", "service=svc sslrootcert=%s" % os.path.join(pki, "rootcert-wrong.pem"),
                     {"PGSERVICEFILE": f1}), n)
    run_row(env, Row("service beats PGSSLROOTCERT", "service=svc",
                     {"PGSERVICEFILE": f1, "PGSSLROOTCERT": os.path.join(pki, "rootcert-wrong.pem")}), n)
    refused_alike(env, "service not found", "service=nosuch", {"PGSERVICEFILE": f1, "PGSYSCONFDIR": sysdir})
    bad = os.path.join(tmp, "svc", "bad.conf")
    write(bad, "[svc]\nhost=localhost\nthis line has no equals sign\n")
    refused_alike(env, "service file syntax error", "service=svc", {"PGSERVICEFILE": bad})
    write(bad, "[svc]\nnosuchkeyword=1\n")
    refused_alike(env, "service file unknown keyword", "service=svc", {"PGSERVICEFILE": bad})
    write(bad, "[svc]\nservice=other\n")
    refused_alike(env, "nested service", "service=svc", {"PGSERVICEFILE": bad})
    print("services: %d verdicts compared" % n[0], flush=True)
    check(n[0] == 36, "all service rows compared (%d)" % n[0])
    # libpq's parseServiceFile() drops white space at the end of a line (conninfo/service.c, shared with clients)
    trail = os.path.join(tmp, "svc", "trail.conf")
    write(trail, "[svc]\nhost=localhost  \nport=%d\t\nuser=postgres \nsslrootcert=%s  \n" % (env.port, root))
    n2 = [0]
    run_row(env, Row("values with white space after them", "service=svc dbname=postgres", {"PGSERVICEFILE": trail}), n2)
    check(n2[0] == 6, "trailing white space: every sslmode compared (%d)" % n2[0])
    services_as_clients(env)


def services_as_clients(env):
    """`pgtls clients` reads a service file with the same grammar: each service fails where psql refuses it."""
    sf = os.path.join(env.tmp, "svc-clients", "pg_service.conf")
    write(sf, "[spaces]\nhost = localhost\n[quoted]\nhost=localhost\nsslmode=\"require\"\n[nested]\nservice=svc\n"
              "[trail]\nhost=localhost \nport=%d\t\nuser=postgres  \nsslmode=require \n" % env.port)
    r = subprocess.run([env.pgtls_path, "clients", "--json", sf], capture_output=True, text=True, env=env.env,
                       timeout=60)
    got = {c["spec"]: c for c in json.loads(r.stdout)["clients"]} if r.stdout.startswith("{") else {}
    e = with_env(env, {"PGSERVICEFILE": sf})
    for name in ("spaces", "quoted", "nested", "trail"):
        p = subprocess.run(["psql", "-X", "-Atq", "service=%s dbname=postgres" % name, "-c", "select 1"],
                           capture_output=True, text=True, env=e, timeout=30)
        c = got.get("[%s]" % name, {})
        if p.returncode == 0:
            check(c.get("failure") is None and c.get("outcome") == "encrypted_unverified",
                  "service %s: psql connects, pgtls clients says %s/%s" % (name, c.get("outcome"), c.get("failure")))
        else:
            said = p.stderr.strip().split("\n")[0].replace("psql: error: ", "")
            check(c.get("failure") in ("bad_setting", "invalid_sslmode") and
                  (c.get("failure") == "invalid_sslmode" or said in (c.get("note") or "")),
                  "service %s: psql refuses (%r), pgtls clients says %s/%s %r" % (
                      name, said, c.get("outcome"), c.get("failure"), c.get("note")))


def test_default_user(env):
    """pg_hba per user: alice and the OS user may connect only over TLS; postgres either way."""
    osuser = getpass.getuser()
    for role in ("alice", osuser):
        env.pg("sql", "do $$ begin if not exists (select from pg_roles where rolname = '%s') then "
                      "create role \"%s\" login; end if; end $$" % (role, role))
    hba = os.path.join(env.tmp, "hba-users.conf")
    write(hba, "local all all trust\nhostnossl all alice 127.0.0.1/32 reject\nhostssl all alice 127.0.0.1/32 trust\n"
               "hostssl all \"%s\" 127.0.0.1/32 reject\nhost all all 127.0.0.1/32 trust\n" % osuser)
    env.pg("hbafile", hba)
    n = [0]
    try:
        b = "host=localhost port=%d dbname=postgres" % env.port
        rep = run_row(env, Row("PGUSER=alice", b, {"PGUSER": "alice"}), n)
        if rep:
            check(rep["target"]["user"] == "alice", "user from PGUSER")
        rep = run_row(env, Row("OS user", b, {"PGUSER": None}), n)
        if rep:
            check(rep["target"]["user"] == osuser, "user defaults to the OS user %s (got %s)" % (osuser, rep["target"]["user"]))
            check(rep["status"]["label"] == "CRITICAL" and any(f["code"] == "tls_rejected" for f in rep["findings"]),
                  "TLS refused for the user (hostssl ... reject): CRITICAL")
        run_row(env, Row("user= beats PGUSER", b + " user=postgres", {"PGUSER": "alice"}), n)
        rep = run_row(env, Row("PGUSER empty: the OS user", b, {"PGUSER": ""}), n)
        if rep:
            check(rep["target"]["user"] == osuser, "empty PGUSER: the OS user (got %s)" % rep["target"]["user"])
    finally:
        env.pg("hba", "both")
    print("default user: %d verdicts compared" % n[0], flush=True)
    check(n[0] == 24, "all user rows compared (%d)" % n[0])


def test_system_and_version(env):
    """sslrootcert=system: a file name for libpq 15 (the linked one), the OS store for 16+."""
    n = [0]
    b = base(env)
    rep = run_row(env, Row("sslrootcert=system, linked libpq 15", b + " sslrootcert=system"), n)
    if rep:
        check(rep["libpq"]["major"] == 15 and rep["libpq"]["source"] == "linked", "libpq version in the JSON")
        check(not rep["rootcert"]["system"] and not rep["rootcert"]["exists"], "'system' is a missing file for libpq 15")
    r = subprocess.run([env.pgtls_path, "probe", "--json", "--libpq-version", "16", b + " sslrootcert=system"],
                       capture_output=True, text=True, env=env.env)
    rep = json.loads(r.stdout)
    rows = {x["sslmode"]: x for x in rep["sslmodes"]}
    check(rep["libpq"]["major"] == 16 and rep["libpq"]["source"] == "option" and rep["rootcert"]["system"],
          "--libpq-version 16: the OS store")
    check(rows["require"]["failures"] == ["weak_sslmode_system"], "libpq 16: weak modes refused with system")
    check(rep["target"]["sslmode"] == "verify-full", "libpq 16: sslrootcert=system makes verify-full the default")
    r = subprocess.run([env.pgtls_path, "probe", "--libpq-version", "15", b + " sslrootcert=system"],
                       capture_output=True, text=True, env=env.env)
    check("libpq 15.0 client" in r.stdout, "text report names the libpq version")
    r = subprocess.run([env.pgtls_path, "probe", "--negotiation", "direct", "localhost:%d" % env.port],
                       capture_output=True, text=True, env=env.env)
    check(r.returncode == 3 and "needs libpq 17" in r.stderr, "direct TLS with libpq 15 refused: %r" % r.stderr)
    # sslnegotiation (libpq 17): libpq 15 refuses the keyword, as psql does; libpq 17 probes direct TLS only
    refused_alike(env, "sslnegotiation with libpq 15", b + " sslnegotiation=direct")
    r = subprocess.run([env.pgtls_path, "probe", "--json", "--libpq-version", "17", "--timeout", "2",
                        b + " sslnegotiation=direct sslmode=require"], capture_output=True, text=True, env=env.env)
    rep = json.loads(r.stdout) if r.stdout else None
    check(rep is not None and rep["target"]["sslnegotiation"] == "direct" and
          {x["negotiation"] for x in rep["sslmodes"]} == {"direct"}, "libpq 17 sslnegotiation=direct: direct rows only")
    r = subprocess.run([env.pgtls_path, "probe", "--libpq-version", "17", b + " sslnegotiation=sideways"],
                       capture_output=True, text=True, env=env.env)
    check(r.returncode == 3 and 'invalid sslnegotiation value: "sideways"' in r.stderr, "bad sslnegotiation value")
    r = subprocess.run([env.pgtls_path, "probe", "--libpq-version", "abc", "localhost"], capture_output=True,
                       text=True, env=env.env)
    check(r.returncode == 3 and "invalid libpq version" in r.stderr, "bad --libpq-version")
    check(n[0] == 6, "system rows compared (%d)" % n[0])


def test_chain_shapes(env):
    """Chain failures libpq reports as "certificate verify failed": CRITICAL, with the missing certificate named."""
    pki = env.pki
    n = [0]
    cases = [("new", "rootcert-inter.pem", "holds the intermediate CA"),
             ("new-nochain", "rootcert-inter.pem", "holds the intermediate CA"),
             ("new", "rootcert-leaf.pem", "holds the server certificate"),
             ("notca", "rootcert-new.pem", "not a CA certificate")]
    cur = "new"
    try:
        for cert, root, hint in cases:
            if cert != cur:
                env.pg("cert", cert)
                cur = cert
            rep = run_row(env, Row("cert=%s root=%s" % (cert, root), base(env) + " sslrootcert=" + os.path.join(pki, root)), n)
            if rep:
                cv = rep["rootcert"]["chain_verifies"] or {}
                check(rep["status"]["label"] == "CRITICAL" and hint in (cv.get("hint") or ""),
                      "cert=%s root=%s: CRITICAL with hint %r (got %s, %r)" % (cert, root, hint, rep["status"]["label"],
                                                                             cv.get("hint")))
    finally:
        env.pg("cert", "new")
    check(n[0] == 24, "all chain-shape rows compared (%d)" % n[0])


def main():
    def setup(env):
        env.pgtls_path = PGTLS
        env.pg("start", "new")
        check(psycopg2 is not None, "psycopg2 (python3-psycopg2) is installed for the cross-check")
    return run_tests([setup, test_system_and_version, test_client_certificates, test_protocol_versions, test_crls,
                      test_services, test_default_user, test_chain_shapes])


if __name__ == "__main__":
    sys.exit(main())
