#!/usr/bin/env bash
# check-banned.sh - functions the project does not use (curl's checksrc idea):
# unbounded string writes and C string parsing of untrusted bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoll|tmpnam|mktemp)\s*\('
if grep -rnE "$pattern" lib cli include | grep -vE '\b(snprintf|vsnprintf)\s*\('; then
    echo "banned functions used (see tests/check-banned.sh)"
    exit 1
fi
echo "banned functions: none used in lib/, cli/, include/"
