#!/usr/bin/env bash
# The unit suite's wall time at two commits, measured one after the other in one invocation (the
# load of these shared machines changes from hour to hour, so only figures taken together compare).
# Each commit is exported (git archive) to a temp directory sharing this checkout's node_modules and
# runs its own `node scripts/run-tests.mjs unit`. Issue 17, item 7.
# usage: scripts/bench-unit.sh BEFORE_REV [AFTER_REV]   (AFTER_REV defaults to HEAD; KEEP=1 keeps logs)
set -euo pipefail
cd "$(dirname "$0")/.."
before=${1:?usage: scripts/bench-unit.sh BEFORE_REV [AFTER_REV]}
after=${2:-HEAD}
top=$(mktemp -d "${TMPDIR:-/tmp}/bench-unit.XXXXXX")
if [ "${KEEP:-}" = 1 ]; then echo "logs in $top"; else trap 'rm -rf "$top"' EXIT; fi
for rev in "$before" "$after"; do
  dir=$top/$(git rev-parse --short "$rev")
  mkdir -p "$dir"
  git archive "$rev" | tar -x -C "$dir"
  ln -s "$PWD/node_modules" "$dir/node_modules"
  echo "== $rev ($(git log -1 --format='%h %cd' --date=iso "$rev")), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  start=$(date +%s.%N)
  status=0
  (cd "$dir" && node scripts/run-tests.mjs unit >"$dir.log" 2>&1) || status=$?
  end=$(date +%s.%N)
  grep -E '^# (tests|pass|fail) ' "$dir.log" | tail -3 | tr '\n' ' ' || true
  echo
  grep -E '^ *not ok' "$dir.log" || true
  printf 'wall %.0f s, exit %d\n' "$(echo "$end - $start" | bc)" "$status"
done
