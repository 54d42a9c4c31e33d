#!/usr/bin/env bash
# Runs every benchmark; each prints its measurements and ratios from one run.
set -euo pipefail
cd "$(dirname "$0")/.."
npx ts-node --transpile-only bench/gate.ts "$@"
