#!/usr/bin/env bash
# Runs every benchmark; each prints its measurements and ratios from one run.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== policy gate on prod (budget 20 s)"
npx ts-node --transpile-only bench/gate.ts "$@"
echo
echo "== local test services start-up"
npx ts-node --transpile-only bench/services.ts "$@"
echo
echo "== log shipper (handler vs decode floor, real node, cold start, zip size)"
npx ts-node --transpile-only bench/shipper.ts "$@"
echo
echo "== KPI pipeline (aggregation throughput, RSS, end-to-end vs bare query, zip size)"
npx ts-node --transpile-only bench/kpi.ts "$@"
echo
echo "== retention enforcer (API calls vs minimum, put rate vs pace, wall time vs floor, zip size)"
npx ts-node --transpile-only bench/retention.ts "$@"
