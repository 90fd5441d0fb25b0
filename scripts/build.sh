#!/usr/bin/env bash
# build.sh [BUILDDIR [MESON-OPTIONS...]] - configure (once) and build pgtls.
# Shows meson's and the compiler's output (warnings included).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@"
elif [ $# -gt 0 ]; then
    meson configure "$dir" "$@" >/dev/null   # an existing directory gets the options too
fi
ninja -C "$dir"
echo "build: $dir/pgtls"
