#!/usr/bin/env bash
# Sets up and runs the main job locally, with no cloud account: an offline preview of a stack (default
# prod) that prints the resource tree the program would create, then the policy gate's verdict on it.
set -euo pipefail
cd "$(dirname "$0")/.."
stack="${1:-prod}"
bash scripts/setup.sh >/dev/null
npm run --silent preview -- --stack "${stack}"
echo
npm run --silent gate -- --stack "${stack}"
