#!/usr/bin/env bash
# The project's whole test suite, as CI runs it: set up the host, then lint, format check, type check,
# unit tests, and (as root, with loop devices) the integration tests that build and boot real images.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-host.sh
echo "node $(node --version) ($(command -v node)), npm $(npm --version)"
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check . ; exit 1; }
npx tsc -p tsconfig.test.json --noEmit
node scripts/run-tests.mjs unit
if [ "$(id -u)" = 0 ] && [ -e /dev/loop-control ]; then
  node scripts/run-tests.mjs integration
else
  echo "integration tests skipped: they need root and loop devices"
fi
