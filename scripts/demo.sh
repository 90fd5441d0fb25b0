#!/usr/bin/env bash
# demo.sh - install what is missing, build, and run `pgtls probe` against a
# throwaway PostgreSQL 15 with TLS and a test CA on 127.0.0.1.
# PGTLS=/usr/bin/pgtls: probe with that binary (an installed package) instead
# of installing and building.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
if [ -z "${PGTLS:-}" ]; then
    bash scripts/install-deps.sh
    bash scripts/build.sh build >/dev/null
    PGTLS=$top/build/pgtls
fi

tmp=$(mktemp -d /tmp/pgtls-demo.XXXXXX)
chmod 755 "$tmp"
export PGTLS_PKI=$tmp/pki
tests/pki/gen-pki.sh "$PGTLS_PKI" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
. tests/integration/pgharness.sh
cleanup() { pgh_stop; rm -rf "$tmp"; }
trap cleanup EXIT
echo "demo: starting PostgreSQL 15 on 127.0.0.1:$port with a certificate from the test CA"
pgh_start "$tmp/pg" "$port" new

echo "demo: \$ pgtls probe --user postgres --rootcert test-ca.pem localhost:$port"
echo
set +e
HOME=$tmp "$PGTLS" probe --user postgres --rootcert "$PGTLS_PKI/rootcert-new.pem" "localhost:$port"
rc=$?
set -e
echo
echo "demo: exit status $rc (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)."
echo "demo: try --json, or a rootcert that lacks the CA: $PGTLS probe --rootcert <other.pem> ..."
