#!/usr/bin/python3
"""`pgtls probe --driver lib/pq` and `--driver pgx` against the real Go drivers.

A small Go client (tests/integration/go/probe.go) is built offline in GOPATH
mode against Debian's packages (golang-go 1.19, golang-github-lib-pq-dev
1.10.7, golang-github-jackc-pgx-v4-dev 4.15) and connects with each driver.
For served chains (leaf + intermediate, the leaf alone, a wrong name, no TLS;
and against the right root, a SHA-1-signed leaf, an RSA-1024 leaf and a
clientAuth-only leaf, served at OpenSSL security level 0) x roots (sslrootcert with the right root, an unrelated root, the intermediate
alone, the server's own certificate; none: the OS store) x the six sslmodes,
the verdict pgtls gives for the driver must be what the driver does: connects
or fails, encrypted or not, and the driver's own words where its row names
them exactly.

Sources followed: lib/pq ssl.go (ssl(): require verifies only with an
existing sslrootcert, allow and prefer are refused), pgx v4 pgconn/config.go
(configTLS: allow/prefer never verify and fall back), Go crypto/x509
verify.go (any certificate of the root pool is an anchor).

Run:  /usr/bin/python3 tests/integration/test_go.py BUILD_DIR
"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import PGTLS, check, run_tests  # noqa: E402
from test_driver import weak_leaf  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
DRIVERS = {"pq": "lib/pq", "pgx": "pgx"}


def build_client(env):
    """the Go client, built offline against /usr/share/gocode; None when Go is not installed"""
    if shutil.which("go") is None:
        return None
    gopath = os.path.join(env.tmp, "gopath")
    os.makedirs(os.path.join(gopath, "src", "probe"))
    shutil.copy(os.path.join(HERE, "go", "probe.go"), os.path.join(gopath, "src", "probe"))
    exe = os.path.join(env.tmp, "goprobe")
    r = subprocess.run(["go", "build", "-o", exe, "probe"], cwd=gopath, capture_output=True, text=True, timeout=300,
                       env=dict(env.env, GO111MODULE="off", GOPATH=gopath + ":/usr/share/gocode", GOFLAGS="",
                                GOCACHE=os.path.join(env.tmp, "gocache"), GOPROXY="off"))
    check(r.returncode == 0, "the Go client builds offline: %s" % r.stderr[-400:])
    return exe if r.returncode == 0 else None


def go(env, exe, drv, dsn):
    r = subprocess.run([exe, drv, dsn], capture_output=True, text=True, env=env.env, timeout=60)
    out = r.stdout.strip()
    if r.returncode == 0:
        return "connects", out.endswith(" t"), out
    return "fails", False, out


def test_go_drivers(env):
    r = subprocess.run([PGTLS, "probe", "--driver", "lib/pq2", "localhost:1"], capture_output=True, text=True,
                       env=env.env)
    check(r.returncode == 3 and "invalid driver \"lib/pq2\"" in r.stderr and r.stdout == "",
          "an unknown --driver: one clear error, exit 3 (%d %s)" % (r.returncode, r.stderr.strip()))
    exe = build_client(env)
    if not check(exe is not None, "Go (Debian golang-go) is installed"):
        return
    pki = env.pki
    roots = {"pem-new": os.path.join(pki, "rootcert-new.pem"), "pem-old": os.path.join(pki, "rootcert-old.pem"),
             "pem-inter": os.path.join(pki, "rootcert-inter.pem"), "pem-leaf": os.path.join(pki, "rootcert-leaf.pem"),
             "none": None}
    env.env["PGH_EXTRA_CONF"] = "ssl_ciphers = 'DEFAULT:@SECLEVEL=0'\n"  # a server that serves weak keys too
    env.pg("start", "new")
    del env.env["PGH_EXTRA_CONF"]
    weak_leaf(env, "sha1", "rsa:2048", "sha1")
    weak_leaf(env, "rsa1024", "rsa:1024", "sha256")
    weak_leaf(env, "clientauth", "rsa:2048", "sha256", "clientAuth")
    n = right = 0
    cases = [(c, "on", roots) for c in ("new", "new-nochain", "wronghost")] + [("new", "off", roots)]
    # a SHA-1 signature (Go 1.18+ refuses it), an RSA-1024 key, a clientAuth-only leaf: against the right root
    cases += [(c, "on", {"pem-new": roots["pem-new"]}) for c in ("sha1", "rsa1024", "clientauth")]
    for cert, ssl, croots in cases:
        env.pg("cert", cert)
        env.pg("ssl", ssl)
        for rname, path in croots.items():
            for drv, name in DRIVERS.items():
                args = [PGTLS, "probe", "--json", "--driver", name, "--timeout", "5"]
                args += ["--rootcert", path] if path else []
                r = subprocess.run(args + ["host=localhost port=%d user=postgres dbname=postgres" % env.port],
                                   capture_output=True, text=True, env=env.env)
                label = "%s cert=%s ssl=%s root=%s" % (name, cert, ssl, rname)
                if not check(r.returncode in (0, 1, 2), "%s: pgtls exit %d %s" % (label, r.returncode, r.stderr)):
                    continue
                rep = json.loads(r.stdout)
                check(rep["driver"] == name, "%s: driver named in the JSON" % label)
                rows = {x["sslmode"]: x for x in rep["sslmodes"]}
                for mode in MODES:
                    dsn = "host=localhost port=%d user=postgres dbname=postgres sslmode=%s connect_timeout=5" % (
                        env.port, mode)
                    if path:
                        dsn += " sslrootcert=" + path
                    res, enc, out = go(env, exe, drv, dsn)
                    row = rows[mode]
                    what = "%s sslmode=%s" % (label, mode)
                    ok = check(row["result"] == res, "%s: pgtls %s, %s %s (%s)" % (what, row["result"], name, res,
                                                                                   out[:300]))
                    if ok and res == "connects":
                        ok = check(row["encrypted"] == enc, "%s: encrypted pgtls %s, %s %s" % (
                            what, row["encrypted"], name, enc))
                    elif ok:
                        named = [e for e, f in zip(row["errors"], row["failures"])
                                 if f in ("chain", "no_ssl_support") and "..." not in e]
                        ok = check(all(e in out for e in named), "%s: %s's text %s in %r" % (what, name, named,
                                                                                         out[:300]))
                    n += 1
                    right += ok
    env.pg("ssl", "on")
    env.pg("cert", "new")
    print("Go drivers: %d of %d verdicts equal the real driver's" % (right, n), flush=True)
    check(n == (4 * len(roots) + 3) * len(DRIVERS) * len(MODES), "all rows compared (%d)" % n)


def main():
    return run_tests([test_go_drivers])


if __name__ == "__main__":
    sys.exit(main())
