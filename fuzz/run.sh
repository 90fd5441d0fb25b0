#!/usr/bin/env bash
# run.sh [SECONDS] - build the libFuzzer harnesses (clang, ASan+UBSan) and run
# each over its committed corpus.  Exits non-zero on any crash.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
if [ ! -f build-fuzz/build.ninja ]; then
    CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined \
        -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link >/dev/null
fi
ninja -C build-fuzz >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for h in build-fuzz/fuzz/fuzz_*; do
    [ -f "$h" ] && [ -x "$h" ] || continue
    name=$(basename "$h"); name=${name#fuzz_}
    mkdir -p "$work/$name"
    # OpenSSL's lazy caches make libFuzzer's per-input leak check scan the whole heap on almost
    # every cert_summary input (about 200 exec/s instead of 2,000): there, leaks are left to the
    # ASan+LSan unit and integration runs, which exercise the same certificate code.
    extra=
    [ "$name" = cert_summary ] && extra=-detect_leaks=0
    if UBSAN_OPTIONS=halt_on_error=1 "$h" -max_total_time="$secs" -max_len=8192 $extra \
        -artifact_prefix="$work/" "$work/$name" "fuzz/corpus/$name" >"$work/$name.log" 2>&1; then
        echo "fuzz $name: $(grep -o 'Done [0-9]* runs' "$work/$name.log" | tail -1), no crash"
    else
        echo "fuzz $name: CRASH"; tail -30 "$work/$name.log"; status=1
    fi
done
exit $status
