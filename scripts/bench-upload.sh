#!/usr/bin/env bash
# Upload benchmark: an 8 GiB sparse image with 1.5 GiB of random data, written into a snapshot with the
# EBS direct API uploader (plugins/ec2/snapshot-upload) against moto on loopback; a concurrency sweep,
# and ratios against a naive sequential no-zero-skip uploader and a read+hash of the whole file, all
# in this one invocation. Details and the baselines' rationale: scripts/bench-upload.ts.
# Usage: scripts/bench-upload.sh      env: BENCH_DIR (/var/tmp), BENCH_CONCURRENCY ("1 4 8 16 32 64"), BENCH_DEFAULT (16)
# Needs moto in .venv (scripts/setup-host.sh) and ~1.7 GiB free in BENCH_DIR; takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/moto_server ] || { echo "moto not found: run scripts/setup-host.sh" >&2; exit 2; }
exec node --import tsx scripts/bench-upload.ts
