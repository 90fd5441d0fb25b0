#!/usr/bin/env bash
# install-peers.sh - the peer tools bench/probe_bench.py compares against.
set -euo pipefail
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends sslscan nmap testssl.sh openssl postgresql-client-15 socat >/dev/null
