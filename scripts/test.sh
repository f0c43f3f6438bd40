#!/usr/bin/env bash
# The project's tests. With no argument, the whole suite as CI runs it (.ci/run): set up the host, then
# lint, format check, type check, unit tests, and (as root, with loop devices) the integration tests
# that build and boot real images. For developers:
#   scripts/test.sh unit          the unit tests only (about half a minute; no root, no network)
#   scripts/test.sh integration   the integration tests only (root and loop devices; most of an hour)
#   scripts/test.sh all           checks, unit and integration tests, without setting up the host
# Arguments after the first go to the test runner (scripts/run-tests.mjs), e.g. --test-name-pattern=X.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-ci}"
if [ $# -gt 0 ]; then shift; fi

checks() {
  echo "node $(node --version) ($(command -v node)), npm $(npm --version)"
  npx eslint .
  npx prettier --check . >/dev/null || { npx prettier --check . ; exit 1; }
  npx tsc -p tsconfig.test.json --noEmit
}

integration() {
  if [ "$(id -u)" = 0 ] && [ -e /dev/loop-control ]; then
    node scripts/run-tests.mjs integration "$@"
  else
    echo "integration tests skipped: they need root and loop devices"
  fi
}

case "$what" in
  unit) node scripts/run-tests.mjs unit "$@" ;;
  integration) integration "$@" ;;
  all) checks; node scripts/run-tests.mjs unit; integration ;;
  ci) bash scripts/setup-host.sh; checks; node scripts/run-tests.mjs unit; integration ;;
  *) echo "usage: scripts/test.sh [unit|integration|all] [test runner arguments]" >&2; exit 2 ;;
esac
