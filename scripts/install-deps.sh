#!/usr/bin/env bash
# install-deps.sh - install the Debian 12 packages pgtls needs to build,
# test and demo.  Installs only what is missing; runs apt-get update first
# whenever it installs.  Needs root (or sudo).
set -euo pipefail

PKGS=(
    build-essential pkg-config meson ninja-build clang clang-format
    libssl-dev openssl libpq-dev libjansson-dev libyaml-dev libxml2-dev libcmocka-dev zlib1g-dev libarchive-dev libmicrohttpd-dev
    bzip2 xz-utils zstd
    postgresql-15 postgresql-client-15
    python3 python3-psycopg2 python3-asyncpg
    default-jdk-headless libpostgresql-jdbc-java
    golang-go golang-github-lib-pq-dev golang-github-jackc-pgx-v4-dev
    binutils iproute2
    prometheus
    debhelper lintian bash-completion
    nodejs
)

missing=()
for p in "${PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
# npm ships inside some nodejs builds (NodeSource); Debian packages it apart
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#PKGS[@]} packages present"
    exit 0
fi
SUDO=
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
