#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (as root) to build images: the host tools the builds and the tests
# use, the npm dependencies, the compiled CLI, and the `bootstrap` command on PATH.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then echo "run as root: builds need loop devices, mounts and chroot" >&2; exit 2; fi

# Host tools: bootstrappers, partitioning, filesystems, bootloaders, image conversion, QEMU + OVMF
# (also its Secure Boot build with Microsoft's keys, for boot-test --secure-boot) + socat for boot
# tests, swtpm and swtpm-tools for boot-test --tpm, and ansible (not ansible-core: the chroot
# connection is in its community.general) for the ansible plugin. curl fetches Node.js; dpkg-dev, lintian and man-db build and check the .deb
# (scripts/build-deb.sh, test/integration/package/).
PACKAGES=(mmdebstrap debootstrap fdisk parted dosfstools e2fsprogs xfsprogs qemu-utils
  grub-pc-bin grub-efi-amd64-bin extlinux syslinux-common zerofree mtools
  qemu-user-static binfmt-support arch-test qemu-system-arm qemu-efi-aarch64
  qemu-system-x86 ovmf swtpm swtpm-tools socat openssh-client python3-venv ansible
  curl ca-certificates dpkg-dev lintian man-db)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node.js 22 LTS. Debian 12's nodejs is 18, so an older (or no) node gets the pinned official binary
# and npm from the npm registry (scripts/node-dist.sh, sha512-checked) in
# /usr/local/lib/bootstrap-node/node-v<version>, linked from /usr/local/bin (ahead of /usr/bin on PATH).
# Its npm's global prefix is /usr/local, so `npm link` below puts `bootstrap` in /usr/local/bin.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 22 ]; then
  # shellcheck source=scripts/node-dist.sh
  . scripts/node-dist.sh
  echo "installing Node.js $NODE_VERSION and npm $NPM_VERSION (found: $(node --version 2>/dev/null || echo no node))"
  prefix=/usr/local/lib/bootstrap-node/node-v$NODE_VERSION
  rm -rf "$prefix.new"
  node_dist_install "$prefix.new" "$(dpkg --print-architecture)"
  printf 'prefix=/usr/local\n' >"$prefix.new/lib/node_modules/npm/npmrc"
  rm -rf "$prefix"
  mv "$prefix.new" "$prefix"
  mkdir -p /usr/local/bin
  for tool in node npm npx; do
    # Replaced by rename, so a node started meanwhile by someone else never finds the link missing.
    ln -sfn "$prefix/bin/$tool" "/usr/local/bin/.$tool.new"
    mv -T "/usr/local/bin/.$tool.new" "/usr/local/bin/$tool"
  done
  hash -r
  if [ "$(node --version)" != "v$NODE_VERSION" ] || ! npm --version >/dev/null; then
    echo "Node.js $NODE_VERSION is in /usr/local/bin, but \`node\` on PATH is $(command -v node) ($(node --version));" \
      "put /usr/local/bin before it in PATH" >&2
    exit 2
  fi
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
