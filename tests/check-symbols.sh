#!/usr/bin/env bash
# check-symbols.sh BUILDDIR - libpgtls.so exports only the public API
# (pgtls_ prefix, lib/pgtls.map), and no global symbol of libpgtls clashes
# with libpq.a (which defines pgtls_open_client, pgtls_init_library, ...).
set -euo pipefail
dir=${1:-build}
so=$(ls "$dir"/libpgtls.so.* | head -1)
a=$dir/libpgtls.a
libpq_a=$(pg_config --libdir 2>/dev/null || echo /usr/lib/x86_64-linux-gnu)/libpq.a
[ -f "$libpq_a" ] || libpq_a=/usr/lib/x86_64-linux-gnu/libpq.a
fail=0
exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sed 's/@.*//' | sort -u)
bad=$(echo "$exported" | grep -v '^pgtls_' || true)
if [ -n "$bad" ]; then echo "exported symbols outside the pgtls_ API: $bad"; fail=1; fi
header=$(grep -o 'pgtls_[a-z_0-9]*(' include/pgtls/pgtls.h | tr -d '(' | sort -u)
missing=$(comm -13 <(echo "$exported") <(echo "$header") | grep -v -e '^pgtls_step$' || true)
if [ -n "$missing" ]; then echo "declared in pgtls.h but not exported: $missing"; fail=1; fi
ours=$(nm --defined-only -g "$a" 2>/dev/null | awk 'NF==3 {print $3}' | sort -u)
theirs=$(nm --defined-only -g "$libpq_a" 2>/dev/null | awk 'NF==3 {print $3}' | sort -u)
clash=$(comm -12 <(echo "$ours") <(echo "$theirs"))
if [ -n "$clash" ]; then echo "symbols clashing with libpq.a: $clash"; fail=1; fi
echo "symbols: $(echo "$exported" | wc -l) exported, $(echo "$ours" | wc -l) global in libpgtls.a, no clash with $(basename "$libpq_a")"
exit $fail
