#!/usr/bin/env bash
# Runs every benchmark; each prints its measurements and ratios from one run.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== policy gate on prod (budget 20 s)"
npx ts-node --transpile-only bench/gate.ts "$@"
echo
echo "== local test services start-up"
npx ts-node --transpile-only bench/services.ts "$@"
