#!/usr/bin/env bash
# `npm test`: set up what is missing, run the static checks, then every test (unit,
# integration, end-to-end) against real servers the harness starts. The last line is
# "N passed, N failed": N counts every test case, plus each static check as one.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
export NX_DAEMON=false

passed=0
failed=0
failures=()
check() {
  local name=$1
  shift
  echo "── $name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
  fi
}

check "contracts (format, lint, breaking, drift)" node tools/contracts/check.ts
check "typecheck (tsc --strict)" tsc -p tsconfig.json
check "lint (eslint, module boundaries)" bash -c 'nx show projects >/dev/null && eslint --max-warnings=0 .'
check "format (prettier)" prettier --check --log-level warn .

mkdir -p .tmp
report=.tmp/vitest-report.json
rm -f "$report"
echo "── tests (vitest: unit, integration, end-to-end)"
vitest run --reporter=default --reporter=json --outputFile.json="$report"
vitest_status=$?
if [ -s "$report" ]; then
  read -r vp vf < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    // A file whose set-up failed reports its tests as skipped: count the file as a failure, and
    // any skipped or pending test too (no test skips silently).
    const brokenFiles = r.testResults.filter((f) => f.status === "failed" && f.message).length;
    console.log(r.numPassedTests, r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0) + brokenFiles + r.numPendingTests + r.numTodoTests);
  ' "$report")
  passed=$((passed + vp))
  failed=$((failed + vf))
  if [ "$vitest_status" -ne 0 ] && [ "$vf" -eq 0 ]; then
    failed=$((failed + 1))
    failures+=("vitest exited $vitest_status (a suite failed to load or a hook failed)")
  fi
else
  failed=$((failed + 1))
  failures+=("vitest produced no report (exit $vitest_status)")
fi

for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
