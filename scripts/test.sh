#!/usr/bin/env bash
# Sets up everything (scripts/setup.sh) and runs the whole check: strict type-check, lint, and the test
# suite, which starts its own moto and Elasticsearch on 127.0.0.1 and stops them afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

phase() { local name=$1; shift; local t0=$SECONDS; echo; echo "==> ${name}"; "$@"; echo "<== ${name}: $((SECONDS - t0))s"; }

phase "setup" bash scripts/setup.sh
phase "type-check (npm run build)" npm run --silent build
phase "lint (npm run lint)" npm run --silent lint
phase "tests (npm test)" npm test --silent
