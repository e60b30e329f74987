#!/usr/bin/env bash
# `npm run bench -- NAME [ARGS…]`: runs bench/NAME/run.ts on servers it starts itself; ARGS go
# to run.ts (e.g. `npm run bench -- fanout --machines 50`). Benches also read BENCH_* variables.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:-}
if [ -z "$name" ] || [ ! -f "bench/$name/run.ts" ]; then
  echo "usage: npm run bench -- NAME [ARGS…]   (NAME one of: $(cd bench && ls -d */ | tr -d / | tr '\n' ' '))" >&2
  exit 2
fi
shift
bash scripts/setup.sh
export SWC_NODE_PROJECT="$PWD/tsconfig.json"
exec node --import @swc-node/register/esm-register --conditions=@muster/source "bench/$name/run.ts" "$@"
