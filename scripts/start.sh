#!/usr/bin/env bash
# `npm start`: set up what is missing, then run the whole platform locally under one
# supervisor (tools/stack). Arguments go to it: --home DIR, --port-offset N.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export SWC_NODE_PROJECT="$PWD/tsconfig.json"
exec node --import @swc-node/register/esm-register --conditions=@muster/source tools/stack/main.ts "$@"
