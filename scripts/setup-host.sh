#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root) to build images: the host tools the builds and the tests
# use, the npm dependencies, the compiled CLI, and the `bootstrap` command on PATH.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then echo "run as root: builds need loop devices, mounts and chroot" >&2; exit 2; fi
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "Node.js 20 or newer is needed (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 2
fi

# Host tools: bootstrappers, partitioning, filesystems, bootloaders, image conversion, QEMU + OVMF +
# socat for boot tests, and ansible (not ansible-core: the chroot connection is in its community.general)
# for the ansible plugin.
PACKAGES=(mmdebstrap debootstrap fdisk parted dosfstools e2fsprogs xfsprogs qemu-utils
  grub-pc-bin grub-efi-amd64-bin extlinux syslinux-common zerofree mtools
  qemu-system-x86 ovmf socat openssh-client python3-venv ansible)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# moto, the AWS emulator the integration tests run as a server, in a venv of its own (pinned).
MOTO_VERSION=5.2.5
if ! .venv/bin/python -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
  echo "installing moto[server]==$MOTO_VERSION into .venv"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
npm link --no-audit --no-fund --loglevel=error >/dev/null
echo "ready: $(command -v bootstrap)"
