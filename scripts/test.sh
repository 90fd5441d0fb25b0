#!/usr/bin/env bash
# test.sh [--no-install] - install what is missing, build, and run every test:
#   1. unit tests (cmocka) in a gcc build and in a clang build, both with
#      -Werror (-Wall -Wextra -Wshadow and the project's warnings)
#   2. the same build with ASan + UBSan: unit tests, then the integration
#      tests (real PostgreSQL 15, psql, psycopg2, openssl s_server, keytool,
#      pgjdbc) against the sanitized pgtls binary
#   3. exported-symbol check (no clash with libpq.a), formatting, docs/api.md
#   4. the Debian packages, built, installed, used and removed
#   5. fuzz smoke: every libFuzzer harness over its corpus for a while
# Ends with a "N passed, N failed" line.  FUZZ_SECONDS (default 20) per harness.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
    --no-install) ;;                     # the caller installed the packages (CI: .ci/run)
    "") bash scripts/install-deps.sh ;;
    *) echo "usage: test.sh [--no-install]" >&2; exit 2 ;;
esac

total_pass=0
total_fail=0
step() { echo; echo "== $*"; }
record() { # record NAME RC
    if [ "$2" = 0 ]; then total_pass=$((total_pass + 1)); echo "ok: $1";
    else total_fail=$((total_fail + 1)); echo "FAILED: $1"; fi
}

step "build (gcc, -Werror)"
CC=gcc bash scripts/build.sh build -Dwerror=true
step "unit tests (gcc)"
set +e; meson test -C build --print-errorlogs; rc=$?; set -e
record "unit tests (gcc -Werror)" $rc

step "build (clang, -Werror)"
CC=clang bash scripts/build.sh build-clang -Dwerror=true
step "unit tests (clang)"
set +e; meson test -C build-clang --print-errorlogs; rc=$?; set -e
record "unit tests (clang -Werror)" $rc

step "ASan + UBSan build"
bash scripts/build.sh build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug -Dtest_hooks=true
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=98
set +e; meson test -C build-asan --print-errorlogs; rc=$?; set -e
record "unit tests (ASan+UBSan)" $rc

step "integration tests: probe (real PostgreSQL 15, psql, psycopg2) on the sanitized binary"
set +e; /usr/bin/python3 tests/integration/test_probe.py build-asan; rc=$?; set -e
record "integration tests: probe" $rc

step "integration tests: libpq settings (client certificates, protocol versions, CRLs, services, users) vs psql and psycopg2"
set +e; /usr/bin/python3 tests/integration/test_libpq.py build-asan; rc=$?; set -e
record "integration tests: libpq settings" $rc

step "integration tests: probe --driver pgjdbc against real pgjdbc connections"
set +e; /usr/bin/python3 tests/integration/test_driver.py build-asan; rc=$?; set -e
record "integration tests: pgjdbc verdicts" $rc

step "integration tests: probe --driver lib/pq and pgx against the real Go drivers (Debian's, built offline)"
set +e; /usr/bin/python3 tests/integration/test_go.py build-asan; rc=$?; set -e
record "integration tests: Go driver verdicts" $rc

step "integration tests: store (keytool, openssl, pgjdbc) on the sanitized binary"
set +e; /usr/bin/python3 tests/integration/test_store.py build-asan; rc=$?; set -e
record "integration tests: store" $rc

step "integration tests: server, connections, logs (real PostgreSQL 15 logs, psql, psycopg2)"
set +e; /usr/bin/python3 tests/integration/test_server.py build-asan; rc=$?; set -e
record "integration tests: server/connections/logs" $rc

step "integration tests: clients and rotation (psql, psycopg2, pgjdbc; server CA swapped)"
set +e; /usr/bin/python3 tests/integration/test_clients.py build-asan; rc=$?; set -e
record "integration tests: clients/rotation" $rc

step "integration tests: the rotation estate (3 servers, 16 applications, real switch)"
set +e; /usr/bin/python3 tests/integration/test_rotation.py build-asan; rc=$?; set -e
record "integration tests: rotation estate" $rc

step "integration tests: the rehearsal (22 applications as real repositories, 8 stacks, real switch, pgtls from elsewhere)"
set +e; /usr/bin/python3 tests/integration/test_rehearsal.py build-asan; rc=$?; set -e
record "integration tests: rehearsal estate" $rc

step "integration tests: the switch day (server logs in 3 formats, CA switched, psql/psycopg2/pgjdbc/node-postgres clients, the exporter, log_filename rotation)"
set +e; /usr/bin/python3 tests/integration/test_switchday.py build-asan; rc=$?; set -e
record "integration tests: switch day" $rc

step "integration tests: scan of a fleet (6 servers in different states, bad lines, promtool)"
set +e; /usr/bin/python3 tests/integration/test_scan.py build-asan; rc=$?; set -e
record "integration tests: scan" $rc

step "integration tests: impostor (a decoy server; psql, psycopg2, pgjdbc in each mode; no password kept)"
set +e; /usr/bin/python3 tests/integration/test_impostor.py build-asan; rc=$?; set -e
record "integration tests: impostor" $rc

step "integration tests: rehearsing the switch (impostor new-chain and relay; psql, psycopg2, pgjdbc both factories and a running JVM, node-postgres; then the real switch)"
set +e; /usr/bin/python3 tests/integration/test_rehearse.py build-asan; rc=$?; set -e
record "integration tests: rehearse" $rc

step "integration tests: node-postgres (pinned pg 8.23.1 and 8.4.2 from npm, each setting in 4 server states)"
set +e; /usr/bin/python3 tests/integration/test_node.py build-asan; rc=$?; set -e
record "integration tests: node-postgres" $rc

step "integration tests: asyncpg (Debian's asyncpg 0.27, each setting in 4 server states)"
set +e; /usr/bin/python3 tests/integration/test_asyncpg.py build-asan; rc=$?; set -e
record "integration tests: asyncpg" $rc

step "integration tests: the CLI contract (every command: --help, exit status and JSON envelope on good and bad input, -q, durations)"
set +e; /usr/bin/python3 tests/integration/test_cli.py build-asan; rc=$?; set -e
record "integration tests: CLI contract" $rc

step "integration tests: hostile input (fake servers, files, passwords) on the sanitized binary"
set +e; /usr/bin/python3 tests/integration/test_hostile.py build-asan; rc=$?; set -e
record "integration tests: hostile input" $rc

step "exported symbols, banned functions, layout (folder circles, file and function sizes), formatting"
set +e
bash tests/check-symbols.sh build && bash tests/check-banned.sh && python3 tests/check-layout.py &&
    clang-format --dry-run --Werror $(git ls-files '*.c' '*.h' 2>/dev/null || find lib cli include tests fuzz -name '*.[ch]') &&
    echo "formatting: clang-format clean" &&
    python3 scripts/gen-api-doc.py --check
rc=$?
set -e
record "symbol and source checks" $rc

step "Debian packages: dpkg-buildpackage, lintian, install, pgtls --version, demo probe, pkg-config, completion, removal"
set +e; bash tests/package/test_package.sh; rc=$?; set -e
record "Debian packages" $rc

step "fuzz smoke (${FUZZ_SECONDS:-20}s per harness)"
set +e; bash fuzz/run.sh "${FUZZ_SECONDS:-20}"; rc=$?; set -e
record "fuzz smoke" $rc

echo
echo "test.sh: $total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
