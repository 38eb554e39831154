#!/usr/bin/env bash
# The README's test command (`npm test`): builds the CLI, installs and starts the local services
# (PostgreSQL, MariaDB, Spark Thrift Server with Delta — loopback only, data under .services/),
# runs the whole vitest suite, stops what it started, and prints one closing count line.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

node scripts/build.mjs

export MDL_REQUIRE_SERVICES=1
started=()
stop_services() {
  # MDL_KEEP_SERVICES=1 leaves them running for the next local run (CI stops them).
  [ "${MDL_KEEP_SERVICES:-0}" = "1" ] && return 0
  for svc in "${started[@]}"; do bash "scripts/services/$svc.sh" stop >/dev/null 2>&1 || true; done
}
trap stop_services EXIT

for svc in postgres mariadb spark; do
  script="scripts/services/$svc.sh"
  [ -f "$script" ] || continue
  echo "== starting $svc (loopback)"
  bash "$script" start
  started+=("$svc")
  # shellcheck disable=SC1090
  [ -f ".services/$svc.env" ] && source ".services/$svc.env"
done

mkdir -p target
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json="$root/target/vitest-results.json" "$@"
rc=$?
set -e
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' "$root/target/vitest-results.json" || true
exit $rc
