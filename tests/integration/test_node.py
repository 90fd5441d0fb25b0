#!/usr/bin/python3
"""Integration test: pgtls's node-postgres verdicts against real node-postgres.

node-postgres comes from the npm registry at the versions pinned in
tests/integration/node/package-lock.json: pg 8.23.1 (pg-connection-string
2.14.1) and pg 8.4.2 forced onto pg-connection-string 2.3.0, the last
release that does not read sslmode.  (pg 7 does not run on Node.js 14 or
later, so its row rests on its source: lib/connection.js; see
tests/unit/test_readers.c.)

Each case is an application file in a project tree whose lock file names
the version, written as applications write it (new Pool({...})).  pgtls
scans the tree; then the same settings run in the real driver against one
PostgreSQL 15 in four states:
  trusted    certificate from the CA the client trusts, name localhost
  untrusted  certificate from another root
  wrongname  the trusted CA, but issued to db.example.com
  plaintext  ssl = off
What the client did in the four states is the outcome observed: fails,
no_tls, opportunistic (plaintext accepted while TLS works), then
encrypted_unverified / verifies_ca / verifies_full by which impostors it
accepted.  It must equal pgtls's outcome.  "The system store" is stood in
for by NODE_EXTRA_CA_CERTS holding the trusted root.

Run:  /usr/bin/python3 tests/integration/test_node.py BUILD_DIR
"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import HERE, Server, check, observed_outcome, run_in_states, run_tests  # noqa: E402

NODE_DIR = os.path.join(HERE, "node")


def npm_install(env):
    """the pinned node-postgres versions, installed with npm ci into the test's directory"""
    d = os.path.join(env.tmp, "node-clients")
    os.makedirs(d)
    for f in ("package.json", "package-lock.json"):
        shutil.copy(os.path.join(NODE_DIR, f), d)
    r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=d, capture_output=True,
                       text=True, timeout=600)
    check(r.returncode == 0, "npm ci of the pinned node-postgres versions: %s" % r.stderr[-400:])
    return os.path.join(d, "node_modules")


def js_literal(cfg):
    """the config as the application writes it: fs.readFileSync for ca, an arrow function for the host check"""
    ssl = cfg.get("ssl")
    parts = []
    for k, v in cfg.items():
        if k != "ssl":
            parts.append("%s: %s" % (k, json.dumps(v)))
    if isinstance(ssl, dict):
        sp = []
        for k, v in ssl.items():
            if k == "ca_file":
                sp.append("ca: fs.readFileSync(%s).toString()" % json.dumps(v))
            elif k == "no_host_check":
                sp.append("checkServerIdentity: () => undefined")
            else:
                sp.append("%s: %s" % (k, json.dumps(v)))
        parts.append("ssl: { %s }" % ", ".join(sp))
    elif ssl is not None:
        parts.append("ssl: %s" % json.dumps(ssl))
    return "{ %s }" % ", ".join(parts)


def test_node_postgres(env):
    """pg 8.23.1 and pg 8.4.2 + pg-connection-string 2.3.0: pgtls's outcome = the real driver's, case by case"""
    modules = npm_install(env)
    pki = env.pki
    root = os.path.join(pki, "rootcert-new.pem")
    srv = Server(env, "node-pg")
    srv.pg("start", "new", "both")
    url = "postgres://postgres@localhost:%d/postgres" % srv.port
    base = {"host": "localhost", "port": srv.port, "user": "postgres", "database": "postgres"}
    lock8 = ("package-lock.json", json.dumps({"lockfileVersion": 3, "packages": {
        "node_modules/pg": {"version": "8.23.1"}, "node_modules/pg-connection-string": {"version": "2.14.1"}}}))
    lock84 = ("yarn.lock", 'pg-connection-string@^2.3.0:\n  version "2.3.0"\n\npg@^8.4.2:\n  version "8.4.2"\n')
    # (project, module, name, config, outcome pgtls must give; the real driver must agree)
    cases = [
        ("pg8", "pg8", "url-disable", {"connectionString": url + "?sslmode=disable"}, "no_tls"),
        ("pg8", "pg8", "url-prefer", {"connectionString": url + "?sslmode=prefer"}, "verifies_full"),
        ("pg8", "pg8", "url-require", {"connectionString": url + "?sslmode=require"}, "verifies_full"),
        ("pg8", "pg8", "url-verify-ca", {"connectionString": url + "?sslmode=verify-ca"}, "verifies_full"),
        ("pg8", "pg8", "url-verify-full", {"connectionString": url + "?sslmode=verify-full"}, "verifies_full"),
        ("pg8", "pg8", "url-no-verify", {"connectionString": url + "?sslmode=no-verify"}, "encrypted_unverified"),
        ("pg8", "pg8", "url-root", {"connectionString": url + "?sslmode=require&sslrootcert=" + root},
         "verifies_full"),
        ("pg8", "pg8", "no-ssl", dict(base), "no_tls"),
        ("pg8", "pg8", "ssl-true", dict(base, ssl=True), "verifies_full"),
        ("pg8", "pg8", "ssl-noreject", dict(base, ssl={"rejectUnauthorized": False}), "encrypted_unverified"),
        ("pg8", "pg8", "ssl-ca", dict(base, ssl={"ca_file": root}), "verifies_full"),
        ("pg8", "pg8", "ssl-ca-nohost", dict(base, ssl={"ca_file": root, "no_host_check": True}), "verifies_ca"),
        ("pg8", "pg8", "url-wins", {"connectionString": url + "?sslmode=require", "ssl": {"rejectUnauthorized": False}},
         "verifies_full"),
        ("pg8", "pg8", "compat-prefer", {"connectionString": url + "?uselibpqcompat=true&sslmode=prefer"},
         "encrypted_unverified"),
        ("pg8", "pg8", "compat-require", {"connectionString": url + "?uselibpqcompat=true&sslmode=require"},
         "encrypted_unverified"),
        ("pg8", "pg8", "compat-require-root",
         {"connectionString": url + "?uselibpqcompat=true&sslmode=require&sslrootcert=" + root}, "verifies_ca"),
        ("pg8", "pg8", "compat-verify-full", {"connectionString": url + "?uselibpqcompat=true&sslmode=verify-full"},
         "verifies_full"),
        ("pg84", "pg84", "old-url-verify-full", {"connectionString": url + "?sslmode=verify-full"}, "no_tls"),
        ("pg84", "pg84", "old-url-require", {"connectionString": url + "?sslmode=require"}, "no_tls"),
        ("pg84", "pg84", "old-url-ssl-true", {"connectionString": url + "?ssl=true"}, "verifies_full"),
        ("pg84", "pg84", "old-object-stays",
         {"connectionString": url + "?sslmode=verify-full", "ssl": {"rejectUnauthorized": False}},
         "encrypted_unverified"),
        ("pg84", "pg84", "old-ssl-true", dict(base, ssl=True), "verifies_full"),
    ]
    tree = os.path.join(env.tmp, "node-apps")
    for proj, lock in (("pg8", lock8), ("pg84", lock84)):
        os.makedirs(os.path.join(tree, proj))
        with open(os.path.join(tree, proj, lock[0]), "w") as f:
            f.write(lock[1])
    for proj, _, name, cfg, _ in cases:
        with open(os.path.join(tree, proj, name + ".js"), "w") as f:
            f.write("const fs = require('fs')\nconst { Pool } = require('pg')\nconst pool = new Pool(%s)\n"
                    % js_literal(cfg))
    rep = json.loads(env.pgtls("clients", "--json", tree).stdout)
    got = {os.path.relpath(c["file"], tree): c for c in rep["clients"]}
    check(rep["unparsed"] == [], "nothing unparsed: %s" % rep["unparsed"])
    # the four server states, every case in each
    nodeenv = dict(env.env, NODE_NO_WARNINGS="1", NODE_EXTRA_CA_CERTS=root)
    byname = {(proj, name): (mod, cfg) for proj, mod, name, cfg, _ in cases}

    def run(key):
        mod, cfg = byname[key]
        r = subprocess.run(["node", os.path.join(NODE_DIR, "probe.js"), os.path.join(modules, mod), json.dumps(cfg)],
                           capture_output=True, text=True, env=nodeenv, timeout=60)
        out = (r.stdout.strip() or r.stderr.strip()).split(" ", 1)
        return (out[0], out[1] if len(out) > 1 else "")

    results = run_in_states(srv, list(byname), run)
    agree = 0
    for proj, _, name, _, want in cases:
        c = got.get(os.path.join(proj, name + ".js"))
        obs = observed_outcome(results[(proj, name)])
        if not check(c is not None, "%s/%s: found by pgtls" % (proj, name)):
            continue
        check(c["outcome"] == want, "%s/%s: pgtls says %s (%s), expected %s" % (proj, name, c["outcome"],
                                                                                 c["driver"], want))
        check(obs == want, "%s/%s: the real driver did %s (%s), expected %s" % (proj, name, obs,
                                                                                results[(proj, name)], want))
        agree += c["outcome"] == obs
    check(agree == len(cases), "pgtls = real node-postgres on %d of %d cases" % (agree, len(cases)))
    print("node-postgres: %d of %d settings agree with the real driver" % (agree, len(cases)))
    srv.pg("stop")


def main():
    return run_tests([test_node_postgres])


if __name__ == "__main__":
    sys.exit(main())
