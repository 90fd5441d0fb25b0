#!/usr/bin/env bash
# test_package.sh - the Debian packages, end to end, from a copy of the tree:
#   dpkg-buildpackage -b -us -uc builds pgtls, libpgtls0 and libpgtls-dev;
#   lintian finds no error or warning (--pedantic, info tags shown);
#   the packages install; the installed pgtls answers --version and -V and
#   runs the demo probe against a throwaway PostgreSQL 15; pkg-config
#   --cflags --libs pgtls compiles and links a small program against the
#   installed library; the bash completion loads and completes; the man
#   page and zsh completion are in place; the packages are removed again.
# Needs root (it installs packages).  Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
pass=0
fail=0
check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@" >/tmp/pgtls-pkg-check.log 2>&1; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $what"
        tail -20 /tmp/pgtls-pkg-check.log
    fi
}

work=$(mktemp -d /tmp/pgtls-pkg.XXXXXX)
chmod 755 "$work"
installed=0
cleanup() {
    if [ "$installed" = 1 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq pgtls libpgtls0 libpgtls-dev >/dev/null 2>&1
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# a copy of the tracked tree (no build directories), as a packager unpacks it
mkdir "$work/pgtls"
git ls-files -z -co --exclude-standard | tar --null -cf - -T - | tar -C "$work/pgtls" -xf -
echo "package: dpkg-buildpackage -b -us -uc"
if (cd "$work/pgtls" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -b -us -uc >"$work/build.log" 2>&1); then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "FAIL: dpkg-buildpackage"
    tail -40 "$work/build.log"
    echo "$pass passed, $fail failed"
    exit 1
fi
ls "$work"/*.deb

lintian_out=$(lintian --allow-root --pedantic -I --fail-on error,warning "$work"/pgtls_*.changes 2>&1)
lrc=$?
echo "lintian: ${lintian_out:-no tags}"
check "lintian reports no error or warning" test "$lrc" = 0

echo "package: installing"
check "the packages install" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    "$work"/pgtls_*_*.deb "$work"/libpgtls0_*_*.deb "$work"/libpgtls-dev_*_*.deb
installed=1

version=$(sed -n "s/^project('pgtls', 'c',//; s/^  version : '\([^']*\)'.*/\1/p" meson.build)
check "pgtls --version prints $version" bash -c "/usr/bin/pgtls --version | grep -qx 'pgtls $version'"
check "pgtls -V" bash -c "/usr/bin/pgtls -V | grep -qx 'pgtls $version'"
check "the man page is installed" test -f /usr/share/man/man1/pgtls.1.gz
check "the zsh completion is installed" test -f /usr/share/zsh/vendor-completions/_pgtls
check "libpgtls.so.0 is installed" bash -c "ls /usr/lib/*/libpgtls.so.0"

echo "package: the demo probe with the installed binary"
# a report, not an UNKNOWN (3): the server is reached and its chain verifies against the test CA
check "demo probe with /usr/bin/pgtls" bash -c \
    "PGTLS=/usr/bin/pgtls bash scripts/demo.sh | tee /dev/stderr | grep -q 'demo: exit status [012] '"

echo "package: a program built with pkg-config --cflags --libs pgtls"
cat >"$work/use.c" <<'PROG'
#include <stdio.h>
#include <string.h>
#include <pgtls/pgtls.h>

int main(void)
{
    pgtls_sslmode m = pgtls_sslmode_parse("verify-full");
    printf("%s %s\n", pgtls_version(), pgtls_sslmode_name(m));
    return m == PGTLS_SSLMODE_VERIFY_FULL && strcmp(pgtls_version(), PGTLS_VERSION_STR) == 0 ? 0 : 1;
}
PROG
check "pkg-config knows pgtls" pkg-config --exists pgtls
check "a program compiles and links with pkg-config's flags" \
    bash -c "cc -Wall -Werror -o '$work/use' '$work/use.c' \$(pkg-config --cflags --libs pgtls)"
check "it runs against the installed libpgtls.so.0" bash -c "'$work/use' && ldd '$work/use' | grep -Eq 'libpgtls.so.0 => (/usr)?/lib/'"

echo "package: bash completion"
check "the bash completion loads and completes commands and options" bash -c '
    source /usr/share/bash-completion/bash_completion
    _completion_loader pgtls
    complete -p pgtls | grep -q _pgtls || exit 1
    COMP_WORDS=(pgtls imp); COMP_CWORD=1; COMP_LINE="pgtls imp"; COMP_POINT=${#COMP_LINE}
    _pgtls pgtls imp pgtls; [ "${COMPREPLY[*]}" = impostor ] || exit 1
    COMP_WORDS=(pgtls impostor --mo); COMP_CWORD=2; COMP_LINE="pgtls impostor --mo"; COMP_POINT=${#COMP_LINE}
    _pgtls pgtls --mo impostor; [ "${COMPREPLY[*]}" = --mode ] || exit 1
    COMP_WORDS=(pgtls impostor --mode no); COMP_CWORD=3; COMP_LINE="pgtls impostor --mode no"; COMP_POINT=${#COMP_LINE}
    _pgtls pgtls no --mode; [ "${COMPREPLY[*]}" = no-tls ]'

echo "package: removing"
check "the packages are removed" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq pgtls libpgtls0 libpgtls-dev
installed=0
check "nothing is left in /usr/bin" test ! -e /usr/bin/pgtls

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
