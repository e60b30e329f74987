#!/usr/bin/env bash
# `npm run bench -- NAME`: runs bench/NAME/run.ts on servers it starts itself.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:-}
if [ -z "$name" ] || [ ! -f "bench/$name/run.ts" ]; then
  echo "usage: npm run bench -- NAME   (one of: $(cd bench && ls -d */ | tr -d / | tr '\n' ' '))" >&2
  exit 2
fi
bash scripts/setup.sh
export SWC_NODE_PROJECT="$PWD/tsconfig.json"
exec node --import @swc-node/register/esm-register --conditions=@muster/source "bench/$name/run.ts"
