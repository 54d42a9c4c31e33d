#!/usr/bin/env bash
# The whole platform on this machine, end to end, with no cloud account (docs/local-demo.md): the offline
# preview and policy gate of a stack (default prod), then moto and a real Elasticsearch node with the stack's
# sources and stores, the log shipper, the KPI pipeline and the retention enforcer run as deployed (their
# serialized closures), each checked against its own invariants, and a closing summary.
#   bash scripts/local.sh [stack] [--size small|full] [--seed N] [--keep] [--skip-preview]
# Exits 0 when every step passed, 1 naming the step that failed, 2 on a usage error.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
exec node_modules/.bin/ts-node --transpile-only cli/demo.ts "$@"
