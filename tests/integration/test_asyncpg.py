#!/usr/bin/python3
"""Integration test: pgtls's asyncpg verdicts against real asyncpg.

asyncpg is Debian's python3-asyncpg (0.27).  Each case is a Python file as
applications write it (asyncpg.connect(DSN) or keyword arguments); pgtls
scans it, then the same settings run in real asyncpg against one
PostgreSQL 15 in four states (trusted, untrusted, wrongname, plaintext:
common.SERVER_STATES), and the outcome the client showed
(common.observed_outcome) must equal pgtls's.  A second project runs with a
HOME whose ~/.postgresql/root.crt exists: asyncpg (connect_utils.py,
_parse_connect_dsn_and_args) then verifies the CA in require mode, as
libpq does.  "The system store" (ssl=True) is stood in for by
SSL_CERT_FILE holding the trusted root.

Run:  /usr/bin/python3 tests/integration/test_asyncpg.py BUILD_DIR
"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Server, check, observed_outcome, run_in_states, run_tests  # noqa: E402

ASYNCPG_VERSION = subprocess.run(["/usr/bin/python3", "-c", "import asyncpg; print(asyncpg.__version__)"],
                                 capture_output=True, text=True, check=True).stdout.strip()

RUNNER = """
import asyncio, sys
import asyncpg
async def main():
    try:
        c = await asyncio.wait_for(%s, 10)
    except Exception as e:
        print('fails', type(e).__name__, str(e).replace(chr(10), ' ')); sys.exit(1)
    ssl = await c.fetchval('select ssl from pg_stat_ssl where pid = pg_backend_pid()')
    print('connects', 't' if ssl else 'f')
    await c.close()
asyncio.run(main())
"""


def test_asyncpg(env):
    """asyncpg 0.27: pgtls's outcome = the real driver's, case by case, without and with ~/.postgresql/root.crt"""
    pki = env.pki
    root = os.path.join(pki, "rootcert-new.pem")
    srv = Server(env, "asyncpg-pg")
    srv.pg("start", "new", "both")
    dsn = "postgresql://postgres@localhost:%d/postgres" % srv.port
    kw = "host='localhost', port=%d, user='postgres', database='postgres'" % srv.port
    home_root = os.path.join(env.tmp, "asyncpg-home")
    os.makedirs(os.path.join(home_root, ".postgresql"))
    shutil.copy(root, os.path.join(home_root, ".postgresql", "root.crt"))
    # (project, name, call, outcome expected, failure expected)
    cases = [
        ("plain", "default", "asyncpg.connect('%s')" % dsn, "opportunistic", None),
        ("plain", "disable", "asyncpg.connect('%s?sslmode=disable')" % dsn, "no_tls", None),
        ("plain", "prefer", "asyncpg.connect('%s?sslmode=prefer')" % dsn, "opportunistic", None),
        ("plain", "require", "asyncpg.connect('%s?sslmode=require')" % dsn, "encrypted_unverified", None),
        # asyncpg's DSN reads sslmode; ?ssl= goes to the server as a setting, which it refuses
        ("plain", "ssl-in-dsn", "asyncpg.connect('%s?ssl=require')" % dsn, "fails", "bad_setting"),
        ("plain", "require-root", "asyncpg.connect('%s?sslmode=require&sslrootcert=%s')" % (dsn, root),
         "verifies_ca", None),
        ("plain", "verify-ca-root", "asyncpg.connect('%s?sslmode=verify-ca&sslrootcert=%s')" % (dsn, root),
         "verifies_ca", None),
        ("plain", "verify-full-root", "asyncpg.connect('%s?sslmode=verify-full&sslrootcert=%s')" % (dsn, root),
         "verifies_full", None),
        ("plain", "verify-full-noroot", "asyncpg.connect('%s?sslmode=verify-full')" % dsn, "verifies_full",
         "root_missing"),
        ("plain", "kw-ssl-true", "asyncpg.connect(%s, ssl=True)" % kw, "verifies_full", None),
        ("plain", "kw-require", "asyncpg.connect(%s, ssl='require')" % kw, "encrypted_unverified", None),
        ("home", "require-home-root", "asyncpg.connect('%s?sslmode=require')" % dsn, "verifies_ca", None),
        ("home", "prefer-home-root", "asyncpg.connect('%s?sslmode=prefer')" % dsn, "opportunistic", None),
        ("home", "verify-full-home-root", "asyncpg.connect('%s?sslmode=verify-full')" % dsn, "verifies_full", None),
    ]
    tree = os.path.join(env.tmp, "asyncpg-apps")
    got = {}
    for proj, home in (("plain", env.home), ("home", home_root)):
        os.makedirs(os.path.join(tree, proj))
        if proj == "plain":
            # the project pins the asyncpg that really runs: pgtls names it and judges by its rules (python.c)
            with open(os.path.join(tree, proj, "requirements.txt"), "w") as f:
                f.write("asyncpg==%s\n" % ASYNCPG_VERSION)
        for p, name, call, _, _ in cases:
            if p == proj:
                with open(os.path.join(tree, proj, name + ".py"), "w") as f:
                    f.write("import asyncpg\n\n\nasync def main():\n    conn = await %s\n" % call)
        rep = json.loads(env.pgtls("clients", "--json", os.path.join(tree, proj), "--home", home).stdout)
        check(rep["unparsed"] == [], "%s: nothing unparsed: %s" % (proj, rep["unparsed"]))
        for c in rep["clients"]:
            got[os.path.relpath(c["file"], tree)] = c
    calls = {(proj, name): call for proj, name, call, _, _ in cases}

    def run(key):
        e = dict(env.env, SSL_CERT_FILE=root, HOME=home_root if key[0] == "home" else env.home)
        r = subprocess.run(["/usr/bin/python3", "-c", RUNNER % calls[key]], capture_output=True, text=True, env=e,
                           timeout=60)
        out = (r.stdout.strip() or r.stderr.strip()[-300:]).split(" ", 1)
        return (out[0], out[1] if len(out) > 1 else "")

    results = run_in_states(srv, list(calls), run)
    agree = 0
    for proj, name, _, want, failure in cases:
        c = got.get(os.path.join(proj, name + ".py"))
        obs = observed_outcome(results[(proj, name)])
        if not check(c is not None and c["driver"] == "asyncpg", "%s/%s: found as asyncpg" % (proj, name)):
            continue
        if proj == "plain":
            check("asyncpg version: %s" % ASYNCPG_VERSION in (c["note"] or ""),
                  "%s/%s: the pinned version is named: %s" % (proj, name, c["note"]))
        check(c["outcome"] == want and c["failure"] == failure,
              "%s/%s: pgtls says %s/%s, expected %s/%s" % (proj, name, c["outcome"], c["failure"], want, failure))
        # a root file missing here: pgtls reports what the settings ask for; the real client fails
        real_want = "fails" if failure else want
        if failure == "bad_setting":
            check(any("cannot be changed now" in results[(proj, name)][s][1] for s in results[(proj, name)]),
                  "%s/%s: the server refused the setting: %s" % (proj, name, results[(proj, name)]))
        check(obs == real_want, "%s/%s: real asyncpg did %s (%s), expected %s" % (proj, name, obs,
                                                                                 results[(proj, name)], real_want))
        agree += (c["outcome"] if not failure else "fails") == obs
    check(agree == len(cases), "pgtls = real asyncpg on %d of %d cases" % (agree, len(cases)))
    print("asyncpg: %d of %d settings agree with the real driver" % (agree, len(cases)))
    srv.pg("stop")


def main():
    return run_tests([test_asyncpg])


if __name__ == "__main__":
    sys.exit(main())
