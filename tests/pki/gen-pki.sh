#!/usr/bin/env bash
# gen-pki.sh OUTDIR - generate the test PKI used by pgtls's tests.
#
# Everything is generated at test time (nothing secret is committed).  Every
# file is listed in tests/pki/README.md.  Leaves are signed with `openssl ca`
# so that validity windows in the past or future can be set exactly.
set -euo pipefail

out=${1:?usage: gen-pki.sh OUTDIR}
mkdir -p "$out"
cd "$out"
if [ -f .complete ]; then exit 0; fi

export OPENSSL_CONF=/dev/null

cat > ca.cnf <<'EOF'
[ ca ]
default_ca = pgtls_ca
[ pgtls_ca ]
dir            = .
database       = $dir/index.txt
new_certs_dir  = $dir/newcerts
serial         = $dir/serial
default_md     = sha256
policy         = any
unique_subject = no
crlnumber      = $dir/crlnumber
default_crl_days = 36500
copy_extensions = none
email_in_dn    = no
[ any ]
commonName = supplied
organizationName = optional
[ v3_root ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ v3_inter ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

rm -rf newcerts index.txt serial
mkdir -p newcerts
: > index.txt
echo 1000 > serial
echo 1000 > crlnumber

rsa_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; chmod 600 "$1"; }

# root NAME "CN" [STARTDATE]
root() {
    rsa_key "$1.key"
    openssl req -new -key "$1.key" -subj "/O=pgtls tests/CN=$2" -out "$1.csr"
    openssl ca -batch -config ca.cnf -selfsign -keyfile "$1.key" -in "$1.csr" \
        -startdate "${3:-20200101000000Z}" -enddate 20991231000000Z \
        -extensions v3_root -out "$1.crt" -notext 2>/dev/null
}

# sign NAME ISSUER EXTSECTION-TEXT [STARTDATE ENDDATE]
sign() {
    local name=$1 issuer=$2 ext=$3 start=${4:-20200101000000Z} end=${5:-20991231000000Z}
    printf '[ ext ]\n%s\n' "$ext" > "$name.ext"
    openssl ca -batch -config ca.cnf -cert "$issuer.crt" -keyfile "$issuer.key" \
        -in "$name.csr" -startdate "$start" -enddate "$end" \
        -extfile "$name.ext" -extensions ext -out "$name.crt" -notext 2>/dev/null
}

leaf_ext() {
    printf 'basicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature,keyEncipherment\nextendedKeyUsage = serverAuth\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n'
    if [ -n "$1" ]; then printf 'subjectAltName = %s\n' "$1"; fi
}

# leaf NAME "CN" "SAN or empty" ISSUER [STARTDATE ENDDATE] [keyalg]
leaf() {
    local name=$1 cn=$2 san=$3 issuer=$4 start=${5:-} end=${6:-} alg=${7:-rsa}
    if [ "$alg" = ec384 ]; then
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$name.key" 2>/dev/null
        chmod 600 "$name.key"
    else
        rsa_key "$name.key"
    fi
    openssl req -new -key "$name.key" -subj "/O=pgtls tests/CN=$cn" -out "$name.csr"
    sign "$name" "$issuer" "$(leaf_ext "$san")" $start $end
}

# --- CAs ---------------------------------------------------------------
root old-root "pgtls Test Old Root CA"
# the new CA is younger than the old one, as a rotation's is (rds-ca-2019 -> rds-ca-rsa2048-g1)
root new-root "pgtls Test New Root CA" 20210101000000Z
root wrong-root "pgtls Test Unrelated Root CA"
rsa_key new-inter.key
openssl req -new -key new-inter.key -subj "/O=pgtls tests/CN=pgtls Test New Intermediate CA" -out new-inter.csr
sign new-inter new-root "$(printf 'basicConstraints = critical,CA:TRUE,pathlen:0\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n')"

# --- server leaves -----------------------------------------------------
SAN_LOCAL="DNS:localhost,IP:127.0.0.1"
leaf server-old        localhost        "$SAN_LOCAL"           old-root
leaf server-new        localhost        "$SAN_LOCAL"           new-inter
leaf server-wronghost  db.example.com   "DNS:db.example.com"   new-inter
leaf server-cn-only    localhost        ""                     new-inter
leaf server-wildcard   "*.pgtls.test"   "DNS:*.pgtls.test"     new-inter
leaf server-expired    localhost        "$SAN_LOCAL"           new-inter 20200101000000Z 20210101000000Z
leaf server-notyet     localhost        "$SAN_LOCAL"           new-inter 20980101000000Z 20990101000000Z
leaf server-ec384      localhost        "$SAN_LOCAL"           new-inter "" "" ec384

# self-signed leaf (its own issuer, CA:FALSE)
rsa_key server-selfsigned.key
openssl req -new -x509 -key server-selfsigned.key -subj "/O=pgtls tests/CN=localhost" -days 3650 \
    -addext "subjectAltName=$SAN_LOCAL" -addext "basicConstraints=critical,CA:FALSE" \
    -out server-selfsigned.crt 2>/dev/null

# --- what the server serves: leaf (+ intermediate) -----------------------
for n in new wronghost cn-only wildcard expired notyet ec384; do
    cat "server-$n.crt" new-inter.crt > "server-$n.chain.crt"
done
cp server-new.crt server-new-nochain.chain.crt
cp server-new.key server-new-nochain.key
cp server-old.crt server-old.chain.crt
cp server-selfsigned.crt server-selfsigned.chain.crt

# --- client trust bundles ------------------------------------------------
cp old-root.crt rootcert-old.pem
cp new-root.crt rootcert-new.pem
cat old-root.crt new-root.crt > rootcert-both.pem
cp wrong-root.crt rootcert-wrong.pem

# --- chain-failure shapes (hints) ---------------------------------------
cp new-inter.crt rootcert-inter.pem          # intermediate only: libpq accepts no partial chain
cp server-new.crt rootcert-leaf.pem          # the server's own certificate as the "root"
# an issuer that is not a CA (CA:FALSE) signing a server certificate
rsa_key notca.key
openssl req -new -key notca.key -subj "/O=pgtls tests/CN=pgtls Test Not A CA" -out notca.csr
sign notca new-root "$(printf 'basicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature,keyCertSign\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n')"
leaf server-notca localhost "$SAN_LOCAL" notca
cat server-notca.crt notca.crt > server-notca.chain.crt

# --- client certificates (servers with clientcert=verify-ca) -------------
root client-root "pgtls Test Client CA"
root client-wrong-root "pgtls Test Other Client CA"
client_ext='basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth'
for n in client:client-root client-wrong:client-wrong-root; do
    name=${n%%:*} issuer=${n#*:}
    rsa_key "$name.key"
    openssl req -new -key "$name.key" -subj "/O=pgtls tests/CN=postgres" -out "$name.csr"
    sign "$name" "$issuer" "$client_ext"
done
# the same key, encrypted (sslpassword)
openssl pkey -in client.key -aes256 -passout pass:pgtls-key-pass -out client-enc.key 2>/dev/null
chmod 600 client-enc.key

# --- CRLs ------------------------------------------------------------------
# (openssl ca keeps one index for all CAs here: CRLs are made before and after the revocation)
gencrl() { openssl ca -batch -config ca.cnf -gencrl -cert "$1.crt" -keyfile "$1.key" -out "$2" 2>/dev/null; }
gencrl new-root crl-new-root.pem
gencrl new-inter crl-new-inter.pem
gencrl wrong-root crl-wrong.pem                          # a CRL of an unrelated CA only
cat crl-new-root.pem crl-new-inter.pem > crl-good.pem    # both CAs of the new chain, nothing revoked
openssl ca -batch -config ca.cnf -cert new-inter.crt -keyfile new-inter.key -revoke server-new.crt 2>/dev/null
gencrl new-inter crl-new-inter-revoked.pem
cat crl-new-root.pem crl-new-inter-revoked.pem > crl-revoked.pem
for d in good revoked; do
    mkdir -p "crldir-$d"
    cp crl-new-root.pem "crldir-$d/root.pem"
    if [ "$d" = good ]; then cp crl-new-inter.pem "crldir-$d/inter.pem"; else cp crl-new-inter-revoked.pem "crldir-$d/inter.pem"; fi
    openssl rehash "crldir-$d" 2>/dev/null
done

rm -f ./*.csr ./*.ext
touch .complete
