#!/usr/bin/python3
"""`pgtls probe --driver pgjdbc` against real pgjdbc connections.

For server certificate (matching name, wrong name) and a server without TLS
x root (PEM of the right CA, PEM of an old CA only, a missing file, DER, a
JKS and a PKCS#12 trust store; the intermediate alone as PEM and in a JKS
and the server's own certificate as PEM -- trust anchors for Java's PKIX,
not for libpq; a JKS of an unrelated CA, which pgjdbc's prefer does not
survive) x sslmode (and ssl=true, which pgjdbc reads
as verify-full), the verdict pgtls gives in pgjdbc's
terms must be what pgjdbc (Debian libpostgresql-jdbc-java) does: connects or
fails, encrypted or not, and pgjdbc's own exception text where pgtls names
one (PKIX path building failed, the PgjdbcHostnameVerifier message, "The
server does not support SSL.", "Could not open SSL root certificate file").
A PEM/DER root is sslrootcert with pgjdbc's default LibPQFactory; a JKS or
PKCS#12 root is the JVM trust store with DefaultJavaSSLFactory.

pgjdbc sources followed: ssl/MakeSSL.java, ssl/LibPQFactory.java,
ssl/DefaultJavaSSLFactory.java, core/v3/ConnectionFactoryImpl.java.

Run:  /usr/bin/python3 tests/integration/test_driver.py BUILD_DIR
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import PGTLS, check, run_tests  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PGJDBC = "/usr/share/java/postgresql.jar"
MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]


def jdbc(env, classes, url, store=None):
    args = ["java", "-cp", PGJDBC + ":" + classes, "JdbcProbe", url]
    if store:
        args += [store[0], store[1], "changeit"]
    r = subprocess.run(args, capture_output=True, text=True, env=env.env, timeout=120)
    out = r.stdout.strip()
    if r.returncode == 0:
        return "connects", out.endswith("ssl=t"), out
    return "fails", False, out


def roots(env):
    pki = env.pki
    der = os.path.join(env.tmp, "new-root.der")
    subprocess.run(["openssl", "x509", "-in", os.path.join(pki, "new-root.crt"), "-outform", "DER", "-out", der],
                   check=True)
    stores = {}
    for name, fmt, ca in (("jks", "jks", "new-root.crt"), ("p12", "p12", "new-root.crt"),
                          ("jks-old", "jks", "old-root.crt"), ("jks-inter", "jks", "new-inter.crt")):
        path = os.path.join(env.tmp, "trust-%s.%s" % (name, fmt))
        env.env["PGTLS_STORE_PASSWORD"] = "changeit"
        subprocess.run([PGTLS, "store", "merge", "-o", path, "--store-format", fmt, os.path.join(pki, ca)],
                       check=True, env=env.env, capture_output=True)
        del env.env["PGTLS_STORE_PASSWORD"]
        stores[name] = path
    return {
        "pem-new": (os.path.join(pki, "rootcert-new.pem"), None),
        "pem-old": (os.path.join(pki, "rootcert-old.pem"), None),
        "missing": (os.path.join(env.tmp, "no-such-root.pem"), None),
        "der-new": (der, None),
        "jks-new": (stores["jks"], ("JKS", stores["jks"])),
        "p12-new": (stores["p12"], ("PKCS12", stores["p12"])),
        # Java's PKIX takes any trusted certificate as an anchor: the intermediate alone, or the server's own
        "pem-inter": (os.path.join(pki, "rootcert-inter.pem"), None),
        "pem-leaf": (os.path.join(pki, "rootcert-leaf.pem"), None),
        "jks-inter": (stores["jks-inter"], ("JKS", stores["jks-inter"])),
        # a JVM store lacking the CA: prefer through DefaultJavaSSLFactory fails, it does not go on in plaintext
        "jks-old": (stores["jks-old"], ("JKS", stores["jks-old"])),
    }


def weak_leaf(env, name, keyopt, md, eku="serverAuth"):
    """server-NAME under the new intermediate, made now: a SHA-1 signature, an RSA-1024 key, a clientAuth-only EKU"""
    pki = env.pki
    k, csr, crt = (os.path.join(pki, "server-%s.%s" % (name, x)) for x in ("key", "csr", "crt"))
    ext = os.path.join(pki, "server-%s.ext" % name)
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=%s\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n" % eku)
    subprocess.run(["openssl", "req", "-new", "-newkey", keyopt, "-nodes", "-keyout", k, "-subj", "/CN=localhost",
                    "-out", csr], check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", os.path.join(pki, "new-inter.crt"), "-CAkey",
                    os.path.join(pki, "new-inter.key"), "-CAcreateserial", "-days", "100", "-" + md, "-extfile", ext,
                    "-out", crt], check=True, capture_output=True)
    os.chmod(k, 0o600)
    with open(os.path.join(pki, "server-%s.chain.crt" % name), "w") as f:
        f.write(open(crt).read() + open(os.path.join(pki, "new-inter.crt")).read())


def compare(env, classes, label, path, store, modes=MODES + ["ssl=true"]):
    """probe --driver pgjdbc against pgjdbc for one served certificate and one root; the number compared"""
    n = 0
    r = subprocess.run([PGTLS, "probe", "--json", "--driver", "pgjdbc", "--timeout", "5", "--rootcert", path,
                        "host=localhost port=%d user=postgres dbname=postgres" % env.port],
                       capture_output=True, text=True, env=dict(env.env, PGTLS_STORE_PASSWORD="changeit"))
    if not check(r.returncode in (0, 1, 2), "%s: pgtls exit %d %s" % (label, r.returncode, r.stderr)):
        return 0
    rep = json.loads(r.stdout)
    check(rep["driver"] == "pgjdbc", "driver named in the JSON")
    rows = {x["sslmode"]: x for x in rep["sslmodes"]}
    rows["ssl=true"] = rows["verify-full"]  # pgjdbc: ssl=true without sslmode is verify-full
    for mode in modes:
        url = "jdbc:postgresql://localhost:%d/postgres?user=postgres&%s" % (
            env.port, mode if mode == "ssl=true" else "sslmode=" + mode)
        if store:
            url += "&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory"
        else:
            url += "&sslrootcert=" + path
        res, enc, out = jdbc(env, classes, url, (store[1], store[0]) if store else None)
        row = rows[mode]
        what = "%s sslmode=%s" % (label, mode)
        if check(row["result"] == res, "%s: pgtls %s, pgjdbc %s (%s)" % (what, row["result"], res, out[:300])):
            if res == "connects":
                check(row["encrypted"] == enc, "%s: encrypted pgtls %s, pgjdbc %s" % (what, row["encrypted"], enc))
            else:
                named = [e for e, f in zip(row["errors"], row["failures"])
                         if f in ("chain", "hostname", "no_ssl_support", "root_missing")]
                check(all(e in out for e in named), "%s: pgjdbc's text %s in %r" % (what, named, out[:300]))
        n += 1
    return n


def test_pgjdbc_matrix(env):
    classes = os.path.join(env.tmp, "classes")
    os.makedirs(classes, exist_ok=True)
    subprocess.run(["javac", "-d", classes, os.path.join(HERE, "java/JdbcProbe.java")], check=True)
    rs = roots(env)
    env.env["PGH_EXTRA_CONF"] = "ssl_ciphers = 'DEFAULT:@SECLEVEL=0'\n"  # a server that serves weak keys too
    env.pg("start", "new")
    del env.env["PGH_EXTRA_CONF"]
    n = 0
    for cert, ssl in (("new", "on"), ("wronghost", "on"), ("new", "off")):
        env.pg("cert", cert)
        env.pg("ssl", ssl)
        for rname, (path, store) in rs.items():
            n += compare(env, classes, "cert=%s ssl=%s root=%s" % (cert, ssl, rname), path, store)
    # served at OpenSSL security level 0: a SHA-1 signature, an RSA-1024 key; and a clientAuth-only leaf
    env.pg("ssl", "on")
    weak_leaf(env, "sha1", "rsa:2048", "sha1")
    weak_leaf(env, "rsa1024", "rsa:1024", "sha256")
    weak_leaf(env, "clientauth", "rsa:2048", "sha256", "clientAuth")
    for cert in ("sha1", "rsa1024", "clientauth"):
        env.pg("cert", cert)
        for rname in ("pem-new", "jks-new"):
            path, store = rs[rname]
            n += compare(env, classes, "cert=%s root=%s" % (cert, rname), path, store,
                         ["require", "verify-ca", "verify-full"])
    # sslfactory=org.postgresql.ssl.NonValidatingFactory: encrypted, never verified, even verify-full
    env.pg("ssl", "on")
    env.pg("cert", "wronghost")
    r = subprocess.run([PGTLS, "probe", "--json", "--driver", "pgjdbc-nonvalidating", "--timeout", "5", "--rootcert",
                        rs["pem-old"][0], "host=localhost port=%d user=postgres dbname=postgres" % env.port],
                       capture_output=True, text=True, env=env.env)
    rows = {x["sslmode"]: x for x in json.loads(r.stdout)["sslmodes"]}
    for mode in MODES:
        url = ("jdbc:postgresql://localhost:%d/postgres?user=postgres&sslmode=%s"
               "&sslfactory=org.postgresql.ssl.NonValidatingFactory" % (env.port, mode))
        res, enc, out = jdbc(env, classes, url)
        check(rows[mode]["result"] == res and (res != "connects" or rows[mode]["encrypted"] == enc),
              "NonValidatingFactory sslmode=%s: pgtls %s, pgjdbc %s %s" % (mode, rows[mode]["result"], res, out[:200]))
        n += 1
    env.pg("cert", "new")
    print("pgjdbc: %d verdicts compared" % n, flush=True)
    check(n == 3 * len(rs) * 7 + 3 * 2 * 3 + 6, "all pgjdbc rows compared (%d)" % n)


def main():
    return run_tests([test_pgjdbc_matrix])


if __name__ == "__main__":
    sys.exit(main())
