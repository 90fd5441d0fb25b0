#!/usr/bin/python3
"""Integration tests of `pgtls store` with real keytool, openssl and pgjdbc.

- keytool lists pgtls-written JKS and PKCS#12 stores as trustedCertEntry with
  the same fingerprints; pgtls inspects keytool-written stores alike;
- openssl pkcs12 reads pgtls's PKCS#12; pgtls reads OpenSSL 3 default and
  -legacy PKCS#12;
- pgjdbc (DefaultJavaSSLFactory, javax.net.ssl.trustStore) connects with
  sslmode=verify-full to a real PostgreSQL 15 using pgtls-written JKS and
  PKCS#12 stores, and fails with a store that lacks the CA;
- merge semantics (dedupe, --drop-expired, --force, atomic writes, DER
  limits), verify --fingerprint, committed malformed samples, and probe
  --rootcert with non-PEM stores.

Run:  /usr/bin/python3 tests/integration/test_store.py BUILD_DIR
"""
import glob
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import HERE, ROOT, Env, check, run_tests  # noqa: E402

STATIC = os.path.join(ROOT, "tests/fixtures/static")
PGJDBC = "/usr/share/java/postgresql.jar"


def store(env, *args):
    return env.pgtls("store", *args)


def inspect_fps(env, path, *extra):
    r = store(env, "inspect", "--json", *extra, path)
    if not check(r.returncode in (0, 1), "inspect %s: exit %d %s" % (path, r.returncode, r.stderr)):
        return None
    return [c["sha256"] for c in json.loads(r.stdout)["certificates"]]


def keytool_list(path, storetype, password):
    r = subprocess.run(["keytool", "-list", "-v", "-keystore", path, "-storetype", storetype,
                        "-storepass", password], capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stdout + r.stderr
    entries = re.findall(r"Entry type: (\S+)", r.stdout)
    fps = re.findall(r"SHA256: ([0-9A-F:]+)", r.stdout)
    return list(zip(entries, fps)), r.stdout


def cert_fp(path):
    out = subprocess.run(["openssl", "x509", "-in", path, "-noout", "-fingerprint", "-sha256"],
                         capture_output=True, text=True).stdout
    return out.strip().split("=", 1)[1]


def test_keytool_interop(env):
    pki = env.pki
    old_fp, new_fp = cert_fp(os.path.join(pki, "old-root.crt")), cert_fp(os.path.join(pki, "new-root.crt"))
    out = os.path.join(env.tmp, "out")
    os.makedirs(out)
    for fmt, ktype in (("jks", "JKS"), ("p12", "PKCS12")):
        path = os.path.join(out, "both." + fmt)
        r = store(env, "merge", "-o", path, "--store-format", fmt, os.path.join(pki, "rootcert-both.pem"))
        check(r.returncode == 0, "merge to %s: %s" % (fmt, r.stderr))
        listed, text = keytool_list(path, ktype, "changeit")
        check(listed is not None, "keytool lists pgtls %s: %s" % (fmt, text))
        if listed:
            check(sorted(fp for _, fp in listed) == sorted([old_fp, new_fp]),
                  "keytool sees the same fingerprints in pgtls %s" % fmt)
            check(all(t == "trustedCertEntry" for t, _ in listed),
                  "keytool sees trustedCertEntry in pgtls %s: %s" % (fmt, listed))
        check(inspect_fps(env, path) == [old_fp, new_fp], "pgtls reads back its own %s" % fmt)
    # openssl reads the PKCS#12
    r = subprocess.run(["openssl", "pkcs12", "-in", os.path.join(out, "both.p12"), "-nokeys",
                        "-passin", "pass:changeit"], capture_output=True, text=True)
    check(r.returncode == 0 and r.stdout.count("BEGIN CERTIFICATE") == 2, "openssl pkcs12 reads pgtls p12")
    # custom password
    path = os.path.join(out, "pw.jks")
    r = store(env, "merge", "-o", path, "--store-format", "jks", "--password", "s3cretpw", os.path.join(pki, "new-root.crt"))
    listed, text = keytool_list(path, "JKS", "s3cretpw")
    check(listed is not None and len(listed) == 1, "keytool opens a JKS with the given password")
    check("s3cretpw" not in r.stdout + r.stderr, "password never printed")

    # keytool-written stores, read by pgtls
    for ktype, ext in (("JKS", "jks"), ("PKCS12", "p12")):
        path = os.path.join(out, "kt." + ext)
        for alias, crt in (("oldca", "old-root.crt"), ("newca", "new-root.crt")):
            subprocess.run(["keytool", "-importcert", "-noprompt", "-alias", alias, "-file", os.path.join(pki, crt),
                            "-keystore", path, "-storetype", ktype, "-storepass", "changeit"],
                           check=True, capture_output=True)
        listed, _ = keytool_list(path, ktype, "changeit")
        fps = inspect_fps(env, path, "--password", "changeit")
        check(fps is not None and sorted(fps) == sorted(fp for _, fp in listed),
              "pgtls inspects keytool %s with keytool's fingerprints" % ktype)
        r = store(env, "inspect", "--json", "--password", "changeit", path)
        rep = json.loads(r.stdout)
        check(sorted(c["alias"] for c in rep["certificates"]) == ["newca", "oldca"], "aliases read from %s" % ktype)
        check(rep["files"][0]["integrity"] == "verified", "%s integrity verified" % ktype)
        check(all(c["java_trusted"] for c in rep["certificates"]), "%s entries are Java-trusted" % ktype)
        r = store(env, "inspect", "--password", "wrongpassword", path)
        check(r.returncode == 3 and ("wrong password" in r.stderr) and r.stdout == "",
              "wrong password on keytool %s: clear error, no output (%r)" % (ktype, r.stderr))
    # private key entries: listed, keys never copied
    path = os.path.join(out, "key.jks")
    subprocess.run(["keytool", "-genkeypair", "-alias", "mykey", "-keyalg", "RSA", "-keysize", "2048", "-dname",
                    "CN=client", "-keystore", path, "-storetype", "JKS", "-storepass", "changeit",
                    "-keypass", "changeit"], check=True, capture_output=True)
    r = store(env, "inspect", "--json", path)
    rep = json.loads(r.stdout)
    check(rep["certificates"][0]["entry"] == "private-key-chain" and
          any("never copied" in n for n in rep["files"][0]["notes"]), "JKS key entry reported, key not copied")

    # OpenSSL 3 default and legacy PKCS#12, without the Java attribute
    for legacy in (False, True):
        path = os.path.join(out, "ossl%s.p12" % ("-legacy" if legacy else ""))
        cmd = ["openssl", "pkcs12", "-export", "-nokeys", "-in", os.path.join(pki, "rootcert-both.pem"),
               "-out", path, "-passout", "pass:opensslpw"] + (["-legacy"] if legacy else [])
        subprocess.run(cmd, check=True, capture_output=True)
        r = store(env, "inspect", "--json", "--password", "opensslpw", path)
        check(r.returncode == 1, "openssl %s p12: read, with a warning (exit %d %s)"
              % ("legacy" if legacy else "default", r.returncode, r.stderr))
        if r.returncode in (0, 1):
            rep = json.loads(r.stdout)
            check(sorted(c["sha256"] for c in rep["certificates"]) == sorted([old_fp, new_fp]),
                  "openssl p12 fingerprints")
            check(any("trusted-key-usage" in f["message"] for f in rep["findings"]),
                  "warns that Java ignores certificates without the trusted attribute")
            if legacy:
                check(any("legacy" in n for n in rep["files"][0]["notes"]), "legacy encryption noted")


def test_merge_semantics(env):
    pki = env.pki
    out = os.path.join(env.tmp, "merge")
    os.makedirs(out)
    target = os.path.join(out, "bundle.pem")
    newjks = os.path.join(out, "new.jks")
    check(store(env, "merge", "-o", newjks, "--store-format", "jks", os.path.join(pki, "new-root.crt")).returncode == 0,
          "make a JKS input")
    ins = [os.path.join(pki, "old-root.crt"), os.path.join(pki, "rootcert-both.pem"),
           os.path.join(pki, "server-expired.crt"), newjks]
    r = store(env, "merge", "--json", "-o", target, "--store-format", "pem", *ins)
    check(r.returncode == 0, "merge 4 inputs: %s" % r.stderr)
    rep = json.loads(r.stdout)
    check(len(rep["certificates"]) == 3, "old, new, expired leaf kept (%d)" % len(rep["certificates"]))
    check(len(rep["removed"]) == 2 and all("duplicate" in x["reason"] for x in rep["removed"]),
          "2 duplicates removed and reported: %s" % rep["removed"])
    check([c["sha256"] for c in rep["certificates"]][:2] == [cert_fp(os.path.join(pki, "old-root.crt")),
                                                             cert_fp(os.path.join(pki, "new-root.crt"))],
          "stable input order")
    check(any("non-CA" in f["message"] for f in rep["findings"]), "non-CA entry flagged")
    # refuses to overwrite; the file is intact
    before = open(target, "rb").read()
    r = store(env, "merge", "-o", target, "--store-format", "pem", os.path.join(pki, "new-root.crt"))
    check(r.returncode == 3 and "--force" in r.stderr, "refuses to overwrite without --force")
    check(open(target, "rb").read() == before, "existing file untouched")
    r = store(env, "merge", "-o", target, "--store-format", "pem", "--force", "--drop-expired", *ins)
    check(r.returncode == 0 and "expired (--drop-expired)" in r.stdout, "--drop-expired reports the removal")
    check(open(target).read().count("BEGIN CERTIFICATE") == 2, "--force replaced the file")
    # DER: one certificate only
    r = store(env, "merge", "-o", os.path.join(out, "x.der"), "--store-format", "der", *ins[:2])
    check(r.returncode == 3 and "single certificate" in r.stderr and not os.path.exists(os.path.join(out, "x.der")),
          "DER refuses several certificates, writes nothing")
    r = store(env, "merge", "-o", os.path.join(out, "x.der"), "--store-format", "der", ins[0])
    check(r.returncode == 0 and inspect_fps(env, os.path.join(out, "x.der")) == [cert_fp(ins[0])], "DER output")
    # a bad input aborts the merge: no partial output, no temp file left
    r = store(env, "merge", "-o", os.path.join(out, "y.jks"), "--store-format", "jks", ins[0],
              os.path.join(STATIC, "truncated.jks"))
    check(r.returncode == 3 and not os.path.exists(os.path.join(out, "y.jks")), "bad input: no output file")
    check(not glob.glob(os.path.join(out, "*.tmp.*")), "no temporary files left behind")
    r = store(env, "merge", "-o", os.path.join(out, "z.jks"), "--store-format", "xml", ins[0])
    check(r.returncode == 3 and "invalid --store-format" in r.stderr, "bad --store-format")
    r = store(env, "merge", "-o", "/nonexistent-dir/x.pem", "--store-format", "pem", ins[0])
    check(r.returncode == 3 and "temporary file" in r.stderr, "unwritable directory: clear error")


def test_verify(env):
    new = os.path.join(env.pki, "new-root.crt")
    fp256 = cert_fp(new)
    fp1 = subprocess.run(["openssl", "x509", "-in", new, "-noout", "-fingerprint", "-sha1"],
                         capture_output=True, text=True).stdout.strip().split("=", 1)[1]
    both = os.path.join(env.pki, "rootcert-both.pem")
    for fp in (fp256, fp1, fp256.replace(":", "").lower(), fp1.lower()):
        r = store(env, "verify", "--fingerprint", fp, both)
        check(r.returncode == 0 and r.stdout.startswith("FOUND"), "verify finds %s" % fp)
    r = store(env, "verify", "--fingerprint", fp256, os.path.join(env.pki, "rootcert-old.pem"))
    check(r.returncode == 2 and r.stdout.startswith("NOT FOUND"), "verify: not found -> exit 2")
    listed, _ = keytool_list(os.path.join(STATIC, "certonly.jks"), "JKS", "changeit")
    r = store(env, "verify", "--json", "--fingerprint", listed[0][1], os.path.join(STATIC, "certonly.jks"))
    check(r.returncode == 0 and json.loads(r.stdout)["found"], "verify --json on a committed JKS")
    r = store(env, "verify", "--fingerprint", "12:34", both)
    check(r.returncode == 3 and "invalid fingerprint" in r.stderr, "bad fingerprint: usage error")


def test_malformed(env):
    expect = {
        "truncated.jks": "keystore",
        "jks-badcount.jks": "entries",
        "jks-hugelen.jks": "invalid certificate length",
        "jks-badversion.jks": "unsupported keystore version",
        "badmac.p12": "MAC verification failed",
        "truncated.der": "not a valid DER",
        "trailing.der": "not a valid DER",
        "badbase64.pem": "malformed PEM block",
        "empty.pem": "empty file",
        "pubkey-only.pem": "no certificate found",
        "random.bin": "unrecognized format",
    }
    pwfile = os.path.join(env.tmp, "pw.txt")
    with open(pwfile, "w") as f:
        f.write("rightpass\n")
    for name, msg in expect.items():
        for pw in ([], ["--password-file", pwfile]):
            r = store(env, "inspect", *pw, os.path.join(STATIC, name))
            # with a password, a JKS whose header is sane is refused by its integrity check before parsing
            ok = msg in r.stderr or (pw and name.endswith(".jks") and "integrity check failed" in r.stderr)
            check(r.returncode == 3 and ok and r.stderr.count("\n") == 1 and r.stdout == "",
                  "%s %s: one-line error with %r (got %d %r)" % (name, pw, msg, r.returncode, r.stderr))
    r = store(env, "inspect", "--password", "rightpass", os.path.join(STATIC, "wrongpass.p12"))
    check(r.returncode == 0, "wrongpass.p12 opens with the right password")
    check("visible to other users" in r.stderr and "rightpass" not in r.stderr,
          "a password on the command line is warned about, never echoed")
    r = store(env, "inspect", "--password", "nope", os.path.join(STATIC, "wrongpass.p12"))
    check(r.returncode == 3 and "wrong password" in r.stderr, "wrong PKCS#12 password")
    r = store(env, "inspect", "--password-file", pwfile, os.path.join(STATIC, "wrongpass.p12"))
    check(r.returncode == 0 and "rightpass" not in r.stdout and r.stderr == "", "--password-file, no warning")
    # fingerprints in every common form: keytool, openssl x509 -fingerprint lines, AWS lower-case thumbprints
    newroot = os.path.join(env.pki, "new-root.crt")
    for alg in ("sha1", "sha256"):
        line = subprocess.run(["openssl", "x509", "-in", newroot, "-noout", "-fingerprint", "-" + alg],
                              capture_output=True, text=True).stdout.strip()  # "sha1 Fingerprint=AA:BB..."
        hexfp = line.split("=", 1)[1]
        for form in (line, hexfp, hexfp.replace(":", "").lower(), hexfp.replace(":", " "),
                     ("SHA256: " if alg == "sha256" else "SHA1: ") + hexfp):
            r = store(env, "verify", "--fingerprint", form, newroot)
            check(r.returncode == 0, "fingerprint form %r verifies (%d %s)" % (form, r.returncode, r.stderr))
    # a bundle whose second BEGIN line is indented: a finding with its line, exit 1
    bundle = os.path.join(env.tmp, "indented.pem")
    with open(os.path.join(env.pki, "old-root.crt")) as a, open(newroot) as b:
        text = a.read() + "  " + b.read()
    with open(bundle, "w") as f:
        f.write(text)
    r = store(env, "inspect", "--json", bundle)
    rep = json.loads(r.stdout) if r.stdout.startswith("{") else {}
    notes = rep.get("files", [{}])[0].get("notes", [])
    codes = [f["code"] for f in rep.get("findings", [])]
    line = text[:text.index("  -----BEGIN")].count("\n") + 1
    check(r.returncode == 1 and "skipped_blocks" in codes and any(n.startswith("line %d:" % line) for n in notes),
          "indented BEGIN: finding, its line (%d), exit 1 (%d %s %s)" % (line, r.returncode, codes, notes))
    r = store(env, "inspect", os.path.join(env.tmp, "missing.pem"))
    check(r.returncode == 3 and "could not open" in r.stderr, "missing file")
    r = store(env, "inspect", env.tmp)
    check(r.returncode == 3 and "not a regular file" in r.stderr, "directory refused")
    listed, _ = keytool_list(os.path.join(STATIC, "certonly.jks"), "JKS", "changeit")
    fps = inspect_fps(env, os.path.join(STATIC, "certonly.jks"))
    check(listed is not None and sorted(fps) == sorted(fp for _, fp in listed),
          "committed cert-only JKS: same fingerprints as keytool")


def jdbc(env, classes, store_path, stype, password, mode="verify-full", host="localhost"):
    url = ("jdbc:postgresql://%s:%d/postgres?user=postgres&sslmode=%s"
           "&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory" % (host, env.port, mode))
    r = subprocess.run(["java", "-cp", PGJDBC + ":" + classes, "JdbcProbe", url, store_path, stype, password],
                       capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout.strip()


def test_pgjdbc(env):
    check(os.path.exists(PGJDBC), "pgjdbc installed (libpostgresql-jdbc-java)")
    classes = os.path.join(env.tmp, "classes")
    subprocess.run(["javac", "-d", classes, os.path.join(HERE, "java/JdbcProbe.java")], check=True)
    env.pg("start", "new", "hostssl")
    out = os.path.join(env.tmp, "jdbc")
    os.makedirs(out)
    stores = {}
    for name, src in (("good", "rootcert-both.pem"), ("bad", "rootcert-old.pem")):
        for fmt, stype in (("jks", "JKS"), ("p12", "PKCS12")):
            path = os.path.join(out, "%s.%s" % (name, fmt))
            r = store(env, "merge", "-o", path, "--store-format", fmt, os.path.join(env.pki, src))
            check(r.returncode == 0, "write %s: %s" % (path, r.stderr))
            stores[(name, fmt)] = (path, stype)
    for fmt in ("jks", "p12"):
        path, stype = stores[("good", fmt)]
        rc, out_ = jdbc(env, classes, path, stype, "changeit")
        check(rc == 0 and out_ == "connected ssl=t", "pgjdbc verify-full with pgtls %s connects: %s" % (fmt, out_))
        path, stype = stores[("bad", fmt)]
        rc, out_ = jdbc(env, classes, path, stype, "changeit")
        check(rc == 1 and "PKIX path building failed" in out_,
              "pgjdbc verify-full with a %s lacking the CA fails: %s" % (fmt, out_))
        # pgtls probe reads the same Java stores and agrees
        for name, ok in (("good", True), ("bad", False)):
            path, _ = stores[(name, fmt)]
            r = env.pgtls("probe", "--json", "--rootcert", path, "localhost:%d" % env.port)
            rep = json.loads(r.stdout)
            cv = rep["rootcert"]["chain_verifies"]
            check(cv is not None and cv["ok"] == ok and not rep["rootcert"]["libpq_readable"],
                  "probe --rootcert %s %s: chain %s, libpq cannot read it" % (name, fmt, "verifies" if ok else "fails"))
    # wrong host name: Java's verify-full checks it too
    path, stype = stores[("good", "jks")]
    env.pg("cert", "wronghost")
    rc, out_ = jdbc(env, classes, path, stype, "changeit")
    check(rc == 1, "pgjdbc verify-full refuses a wrong host name: %s" % out_)
    env.pg("cert", "new")


def test_merge_in_place(env):
    """Merging into an existing store keeps its format and mode, says what it did; --dry-run writes nothing."""
    import stat
    pki = env.pki
    pwfile = os.path.join(env.tmp, "storepw.txt")
    with open(pwfile, "w") as f:
        f.write("s3cretpw\n")
    p12 = os.path.join(env.tmp, "inplace.p12")
    r = store(env, "merge", "-o", p12, "--store-format", "p12", "--password-file", pwfile, os.path.join(pki, "old-root.crt"))
    check(r.returncode == 0 and "restart the JVMs" in r.stderr, "a Java store written: the JVM reminder (%r)" % r.stderr)
    os.chmod(p12, 0o640)
    before = open(p12, "rb").read()
    r = store(env, "merge", "--dry-run", "-o", p12, "--password-file", pwfile, p12, os.path.join(pki, "new-root.crt"))
    check(r.returncode == 0 and "would write 2 certificates" in r.stdout and open(p12, "rb").read() == before,
          "--dry-run: says what it would write, writes nothing (%r)" % r.stdout[-200:])
    r = store(env, "merge", "-o", p12, "--password-file", pwfile, p12, os.path.join(pki, "new-root.crt"))
    check(r.returncode == 3 and "--force" in r.stderr, "in place needs --force")
    r = store(env, "merge", "--force", "-o", p12, "--password-file", pwfile, p12, os.path.join(pki, "new-root.crt"))
    rep = json.loads(store(env, "inspect", "--json", "--password-file", pwfile, p12).stdout)
    check(r.returncode == 0 and rep["files"][0]["format"] == "pkcs12" and len(rep["certificates"]) == 2,
          "in place without --format keeps PKCS#12 (%s)" % rep["files"][0]["format"])
    check(stat.S_IMODE(os.stat(p12).st_mode) == 0o640, "in place keeps the mode 0640 (%o)" % os.stat(p12).st_mode)
    r = store(env, "merge", "--force", "-o", p12, "--store-format", "jks", "--password-file", pwfile, p12)
    check(r.returncode == 0 and "CHANGING ITS FORMAT" in r.stdout, "a format change is said")


def test_known_cas(env):
    """AWS's RDS CAs are known by fingerprint: AWS's own certificates are named with their region and --has
    finds them; self-made CAs with AWS's subjects are only "named like" them (a finding), and --has does not
    find them.  --has answers per file."""
    d = os.path.join(env.tmp, "rds")
    os.makedirs(d, exist_ok=True)
    fx = os.path.join(ROOT, "tests/fixtures/aws")
    aws2019, g1 = os.path.join(fx, "rds-ca-2019-root.pem"), os.path.join(fx, "rds-ca-rsa2048-g1-us-east-1.pem")
    aws = os.path.join(d, "aws-bundle.pem")
    with open(aws, "w") as out:
        out.write(open(aws2019).read() + open(g1).read())
    r = store(env, "inspect", "--json", aws)
    j = json.loads(r.stdout)
    check(sorted(c["known_as"] for c in j["certificates"]) == ["rds-ca-2019", "rds-ca-rsa2048-g1 us-east-1"] and
          all(c["named_like"] is None for c in j["certificates"]), "AWS's own CAs are known, by fingerprint")
    for q in ("rds-ca-2019", "rds-ca-rsa2048-g1", "rds-ca-rsa2048-g1:us-east-1"):
        r = store(env, "inspect", "--has", q, aws)
        check(r.returncode == 0 and r.stdout.startswith("FOUND"), "--has %s: found (%d)" % (q, r.returncode))
    for q in ("rds-ca-rsa2048-g1:eu-west-1", "azure digicert-global-root-g2", "rds-ca-2015"):
        r = store(env, "inspect", "--has", q, aws)
        check(r.returncode == 2 and r.stdout.startswith("NOT FOUND"), "--has %s: not found, exit 2" % q)
    # self-made CAs carrying AWS's names
    subjects = {
        "rds-ca-2019": "/C=US/ST=Washington/L=Seattle/O=Amazon Web Services, Inc./OU=Amazon RDS/CN=Amazon RDS Root 2019 CA",
        "rds-ca-rsa2048-g1 us-east-1": "/C=US/O=Amazon Web Services, Inc./OU=Amazon RDS/ST=WA/L=Seattle/"
                                       "CN=Amazon RDS us-east-1 Root CA RSA2048 G1",
    }
    fake = os.path.join(d, "fake.pem")
    with open(fake, "w") as out:
        for i, (name, subj) in enumerate(subjects.items()):
            crt = os.path.join(d, "ca%d.pem" % i)
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                            "-nodes", "-keyout", os.path.join(d, "k%d.pem" % i), "-subj", subj, "-days", "3650",
                            "-addext", "basicConstraints=critical,CA:TRUE", "-out", crt],
                           check=True, capture_output=True)
            out.write(open(crt).read())
    r = store(env, "inspect", "--json", fake)
    j = json.loads(r.stdout)
    check(r.returncode == 1 and [c["known_as"] for c in j["certificates"]] == [None, None] and
          sorted(c["named_like"] for c in j["certificates"]) == sorted(subjects) and
          "named_like_aws" in [f["code"] for f in j["findings"]],
          "self-made CAs with AWS's names: named like, not known as; a finding (exit %d)" % r.returncode)
    r = store(env, "inspect", "--has", "rds-ca-2019", fake)
    check(r.returncode == 2 and r.stdout.startswith("NOT FOUND"), "--has never finds a CA only named like AWS's")
    r = store(env, "inspect", os.path.join(d, "ca0.pem"))
    check("named like rds-ca-2019, but not AWS's certificate" in r.stdout, "text output says so: %s" % r.stdout)
    # "do all my stores have it?": answered per file, exit 2 when one lacks it (not the union of the files)
    r = store(env, "inspect", "--has", "rds-ca-2019", aws, g1)
    check(r.returncode == 2 and "FOUND rds-ca-2019 in %s" % aws in r.stdout and
          "NOT FOUND rds-ca-2019 in %s" % g1 in r.stdout, "--has per file: %d %s" % (r.returncode, r.stdout))
    r = store(env, "inspect", "--json", "--has", "rds-ca-2019", aws, g1)
    j = json.loads(r.stdout)
    check(r.returncode == 2 and j["found"] is False and [f["found"] for f in j["files"]] == [True, False] and
          j["status"]["code"] == 2, "--has --json per file: %s" % j.get("files"))
    r = store(env, "inspect", "--has", "rds-ca-rsa2048-g1", aws, g1)
    check(r.returncode == 0, "--has found in every file: exit 0 (%d)" % r.returncode)


def main():
    return run_tests([test_keytool_interop, test_merge_semantics, test_verify, test_malformed, test_pgjdbc,
                      test_merge_in_place, test_known_cas])


if __name__ == "__main__":
    sys.exit(main())
