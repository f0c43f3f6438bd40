#!/usr/bin/env bash
# Build benchmark: the hand-made baseline (../shared/bench/baseline-image.sh) against
# `bootstrap manifests/debian-qemu.yml`, run alternately in one invocation on the same machine, and
# the ratios printed. A cold build starts with empty caches; a warm rebuild is the same manifest again
# (bootstrap cache hit). Targets: cold <= 1.25x baseline, warm <= 0.4x cold.
# debian-qemu.yml boots BIOS and UEFI (gpt, ESP, grub-cloud-amd64 with shim) while the baseline is a
# BIOS-only msdos image, so a third build, "same image", sets boot_mode bios and msdos: the like-for-like
# comparison.
# arm64: in the same rounds, a cold build of manifests/debian-qemu-arm64.yml (on an amd64 host every
# program of the image runs through qemu-user; `bootstrap doctor --fix manifests/debian-qemu-arm64.yml`
# sets that up), its slowest steps from the build report, and its boot under qemu-system-aarch64 (TCG):
# seconds to the login prompt. ARM64=0 leaves it out.
# Usage (root): scripts/bench-build.sh [ROUNDS]      env: BASELINE=path/to/baseline-image.sh, ARM64=0|1
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-1}
BASELINE=${BASELINE:-$(cd .. && pwd)/shared/bench/baseline-image.sh}
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 2; }
[ -x "$BASELINE" ] || { echo "baseline script not found: $BASELINE (set BASELINE)" >&2; exit 2; }
# The baseline builds what debian-qemu.yml builds: its release (trixie) and its packages (no ifupdown or
# DHCP client: the manifest's network is systemd-networkd); grub-pc stands in for the build's grub.
export RELEASE=${RELEASE:-trixie}
export INCLUDE=${INCLUDE:-linux-image-cloud-amd64,grub-pc,systemd-sysv,openssh-server,netbase,udev}
# The compiled CLI, as the installed `bootstrap` command runs it (built now, outside the timings).
npm run --silent build
BOOTSTRAP=(node dist/src/cli/main.js)

WORK=$(mktemp -d /var/tmp/bench-build.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b - a}'; }

build() { # $1 = cache dir, $2 = output name, then extra options
  local cache=$1 name=$2; shift 2
  "${BOOTSTRAP[@]}" manifests/debian-qemu.yml --progress plain --log - \
    --set "bootstrapper.workspace=$WORK/ws" --set "bootstrapper.cache_dir=$cache" --set "name=$name" "$@" >"$WORK/build.log" 2>&1 ||
    { tail -20 "$WORK/build.log" >&2; exit 1; }
}

ARM64=${ARM64:-1}
# Seconds of the report's slowest tasks, "id=seconds" (where the emulated build's time goes).
slowest() { node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));
  console.log(r.tasks.filter(t=>t.seconds>=1).sort((a,b)=>b.seconds-a.seconds).slice(0,6)
    .map(t=>`${t.id.replace(/^base\//,"")}=${t.seconds.toFixed(0)}s`).join(" "))' "$1"; }

declare -a base cold warm same arm arm_boot
for r in $(seq "$ROUNDS"); do
  t0=$(now); "$BASELINE" "$WORK/baseline.raw" >"$WORK/baseline.log" 2>&1 || { tail -20 "$WORK/baseline.log" >&2; exit 1; }
  t1=$(now); base+=("$(elapsed "$t0" "$t1")"); rm -f "$WORK/baseline.raw"

  cache="$WORK/cache-$r"   # empty: a cold build downloads and bootstraps everything
  t0=$(now); build "$cache" "bench-cold-$r"; t1=$(now); cold+=("$(elapsed "$t0" "$t1")")
  rm -f "$WORK/ws/bench-cold-$r.raw"
  t0=$(now); build "$cache" "bench-warm-$r"; t1=$(now); warm+=("$(elapsed "$t0" "$t1")")
  rm -rf "$WORK/ws/bench-warm-$r.raw" "$cache"
  t0=$(now); build "$cache" "bench-same-$r" --set system.boot_mode=bios --set volume.partitions.type=msdos \
    --set volume.partitions.root.size=2GiB
  t1=$(now); same+=("$(elapsed "$t0" "$t1")"); rm -rf "$WORK/ws/bench-same-$r.raw" "$cache"
  printf 'round %d: baseline %.1fs  cold %.1fs  warm %.1fs  same image cold %.1fs\n' \
    "$r" "${base[-1]}" "${cold[-1]}" "${warm[-1]}" "${same[-1]}"
  if [ "$ARM64" = 1 ]; then
    t0=$(now)
    "${BOOTSTRAP[@]}" manifests/debian-qemu-arm64.yml --progress plain --log - --report "$WORK/arm64.json" \
      --set "bootstrapper.workspace=$WORK/ws" --set "bootstrapper.cache_dir=$cache" --set "name=bench-arm64-$r" \
      >"$WORK/build.log" 2>&1 || { tail -20 "$WORK/build.log" >&2; exit 1; }
    t1=$(now); arm+=("$(elapsed "$t0" "$t1")")
    "${BOOTSTRAP[@]}" boot-test "$WORK/ws/bench-arm64-$r.raw" --manifest manifests/debian-qemu-arm64.yml \
      --report "$WORK/arm64-boot.json" >"$WORK/boot.log" 2>&1 || { tail -20 "$WORK/boot.log" >&2; exit 1; }
    arm_boot+=("$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).timeToLoginPrompt' "$WORK/arm64-boot.json")")
    printf 'round %d: arm64 (emulated) cold %.1fs, slowest steps: %s; boot to login prompt %ss\n' \
      "$r" "${arm[-1]}" "$(slowest "$WORK/arm64.json")" "${arm_boot[-1]}"
    rm -rf "$WORK/ws/bench-arm64-$r.raw" "$cache"
  fi
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
B=$(median "${base[@]}"); C=$(median "${cold[@]}"); W=$(median "${warm[@]}"); S=$(median "${same[@]}")
printf 'median of %d round(s): baseline %.1fs, cold build %.1fs, warm rebuild %.1fs, same-image cold %.1fs\n' \
  "$ROUNDS" "$B" "$C" "$W" "$S"
awk -v b="$B" -v c="$C" -v w="$W" -v s="$S" 'BEGIN {
  printf "cold / baseline            = %.2f   (target <= 1.25)\n", c / b
  printf "warm / cold                = %.2f   (target <= 0.40)\n", w / c
  printf "same-image cold / baseline = %.2f\n", s / b
}'
if [ "$ARM64" = 1 ]; then
  A=$(median "${arm[@]}"); AB=$(median "${arm_boot[@]}")
  awk -v a="$A" -v c="$C" -v ab="$AB" 'BEGIN {
    printf "arm64 (emulated) cold build = %.1fs = %.1fx the amd64 cold build; arm64 boot to login prompt %.0fs (TCG)\n", a, a / c, ab
  }'
fi
