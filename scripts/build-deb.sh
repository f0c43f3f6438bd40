#!/usr/bin/env bash
# Builds the Debian package of the CLI, bootstrap_<version>-1_<arch>.deb, with dpkg-deb:
#   /usr/bin/bootstrap                  launcher: the CLI on the package's own Node.js
#   /usr/lib/bootstrap/                 package.json, compiled dist/ (the CLI bundled in dist/bundle/),
#                                       production node_modules/, data/, templates/, the plugins'
#                                       run-time files, node/bin/node
#   /usr/share/bootstrap/manifests/     the shipped manifests (and schemas/ they point editors at);
#                                       /usr/lib/bootstrap/manifests links there, so
#                                       `bootstrap manifests/debian-qemu.yml` works from any directory
#   /usr/share/man/man1/bootstrap.1.gz  and /usr/share/bash-completion/completions/bootstrap, generated
#                                       from the CLI's commander definitions (scripts/gen-cli-docs.mjs)
# Node.js: Debian 12 has no nodejs >= 22, so the pinned official binary (scripts/node-dist.sh) is in
# the package, which is therefore architecture-specific (amd64 or arm64). Nothing is downloaded at
# install time. Needs npm's cache or the npm registry at build time, dpkg-dev and binutils.
#
# usage: scripts/build-deb.sh [OUTDIR]   (default: out/; prints the .deb's path last)
# env:   DEB_ARCH (default: this machine's), DEB_MAINTAINER, SOURCE_DATE_EPOCH (default: last commit),
#        DEB_COMPRESSION: xz (default: the smallest, 30 MB; minutes on a loaded 2-core machine), zstd
#        (seconds, 43 MB, but lintian: malformed-deb-archive), gzip (46 MB)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/node-dist.sh
. scripts/node-dist.sh

pkg=bootstrap
arch=${DEB_ARCH:-$(dpkg --print-architecture)}
version=$(node -p 'require("./package.json").version')
debversion=$version-1
outdir=$(mkdir -p "${1:-out}" && cd "${1:-out}" && pwd)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
maintainer=${DEB_MAINTAINER:-$(git config user.name 2>/dev/null || true) <$(git config user.email 2>/dev/null || true)>}
[ "$maintainer" != " <>" ] || maintainer='debian-image-bootstrap maintainers <maintainers@users.noreply.github.com>'
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
first_year=$(git log --reverse --format=%ad --date=format:%Y 2>/dev/null | sed -n 1p || true)
last_year=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y)
years=${first_year:-$last_year}
[ "$years" = "$last_year" ] || years="$years-$last_year"
[ -z "$(git status --porcelain 2>/dev/null | grep -v '^??' || true)" ] || commit="$commit, with uncommitted changes"

staging=$(mktemp -d "${TMPDIR:-/tmp}/build-deb.XXXXXX")
trap 'rm -rf "$staging"' EXIT
root=$staging/root
lib=$root/usr/lib/$pkg
share=$root/usr/share/$pkg
doc=$root/usr/share/doc/$pkg
mkdir -p "$lib" "$share" "$doc" "$root/usr/bin" "$root/usr/share/man/man1" \
  "$root/usr/share/bash-completion/completions" "$root/DEBIAN"

echo "compiling into $lib/dist" >&2
npx tsc -p tsconfig.json --outDir "$lib/dist" --sourceMap false

# What the CLI reads at run time, found from the package root (the directory with package.json:
# src/core/package-root.ts, templates: src/base/system/render-template.ts, the ec2 plugin's
# certificates and guest templates): the plugins' files that are neither sources nor docs.
cp package.json package-lock.json "$lib/"
cp -r data templates "$lib/"
find plugins -type f ! -name '*.ts' ! -name '*.md' -print0 | tar -c --null -T - -f - | tar -x -C "$lib" -f -
cp -r manifests schemas "$share/"
ln -s "../../share/$pkg/manifests" "$lib/manifests"

echo "installing the production dependencies" >&2
(cd "$lib" && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error)
rm -rf "$lib/package-lock.json" "$lib/node_modules/.bin"
# The dependencies' dotfiles (.npmignore, .eslintrc, .gitattributes, ...) are for their developers.
find "$lib/node_modules" -name '.*' -prune -exec rm -rf {} +
# The manifest schema compiled once here, not on every run (src/manifest/schema-validator.ts), and
# the CLI bundled into dist/bundle/, which /usr/bin/bootstrap runs (scripts/bundle-cli.mjs: a fast
# start). The compiled tree stays: compile-schema.mjs and gen-cli-docs.mjs read it.
node scripts/compile-schema.mjs "$lib/dist" >&2
node scripts/bundle-cli.mjs "$lib/dist" >&2

echo "adding Node.js $NODE_VERSION ($arch)" >&2
node_pkg=$(node_dist_package "$arch")
node_tgz=$(node_dist_fetch "$node_pkg" "$NODE_VERSION")
mkdir -p "$lib/node/bin"
tar -xzf "$node_tgz" -C "$lib/node/bin" --strip-components=2 --no-same-owner package/bin/node
tar -xzf "$node_tgz" -C "$lib/node" --strip-components=1 --no-same-owner package/LICENSE
# As dh_strip does: the official binary carries its debug info (about 20 MB).
strip --remove-section=.comment --remove-section=.note "$lib/node/bin/node"

cat >"$root/usr/bin/bootstrap" <<EOF
#!/bin/sh
# bootstrap(1), on the Node.js $NODE_VERSION shipped in this package.
exec /usr/lib/$pkg/node/bin/node /usr/lib/$pkg/dist/bundle/bootstrap.mjs "\$@"
EOF

echo "generating the man page and the bash completion" >&2
node scripts/gen-cli-docs.mjs man "$staging/bootstrap.1" "$lib/dist/src/cli/main.js"
gzip -9n <"$staging/bootstrap.1" >"$root/usr/share/man/man1/bootstrap.1.gz"
node scripts/gen-cli-docs.mjs bash-completion "$root/usr/share/bash-completion/completions/bootstrap" \
  "$lib/dist/src/cli/main.js"

date_rfc2822=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
gzip -9n >"$doc/changelog.Debian.gz" <<EOF
$pkg ($debversion) unstable; urgency=medium

  * debian-image-bootstrap $version, git $commit.

 -- $maintainer  $date_rfc2822
EOF

{
  cat <<EOF
This is bootstrap, debian-image-bootstrap $version: a declarative Debian image builder reading
bootstrap-vz manifests.

Copyright $years the debian-image-bootstrap authors
License: Apache-2.0
 On Debian systems the full text of the Apache License 2.0 is in
 /usr/share/common-licenses/Apache-2.0.

The npm packages in /usr/lib/$pkg/node_modules, each with its license file in its directory:

EOF
  (cd "$lib" && node -e '
    const fs = require("fs"), path = require("path");
    const rows = [];
    (function walk(dir) {
      for (const name of fs.readdirSync(dir).sort()) {
        const sub = path.join(dir, name);
        if (name.startsWith("@")) { walk(sub); continue; }
        const file = path.join(sub, "package.json");
        if (!fs.existsSync(file)) continue;
        const p = JSON.parse(fs.readFileSync(file, "utf8"));
        rows.push(`  ${p.name} ${p.version}: ${p.license ?? "see its directory"}`);
        if (fs.existsSync(path.join(sub, "node_modules"))) walk(path.join(sub, "node_modules"));
      }
    })("node_modules");
    console.log(rows.join("\n"));')
  cat <<EOF

/usr/lib/$pkg/node/bin/node is Node.js $NODE_VERSION, the official binary (npm package $node_pkg):
Copyright Node.js contributors, MIT license; its license and those of the libraries built into it
(OpenSSL, zlib, ICU, libuv, V8, ...) are in /usr/lib/$pkg/node/LICENSE.
EOF
} >"$doc/copyright"

mkdir -p "$root/usr/share/lintian/overrides"
cp scripts/deb/lintian-overrides "$root/usr/share/lintian/overrides/$pkg"

# Modes and dates: files 0644, directories and the two programs 0755, every date the commit's.
find "$root" -type d -exec chmod 0755 {} +
find "$root" -type f -exec chmod 0644 {} +
chmod 0755 "$root/usr/bin/bootstrap" "$lib/node/bin/node"

# Shared-library dependencies of the Node binary, as dpkg-shlibdeps finds them.
mkdir -p "$staging/src/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$pkg" "$pkg" >"$staging/src/debian/control"
shlibs=$(cd "$staging/src" && dpkg-shlibdeps -O -e"$lib/node/bin/node" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')

grub_arch=()
[ "$arch" = amd64 ] && grub_arch=(grub-pc-bin grub-efi-amd64-bin extlinux qemu-system-x86 ovmf)
[ "$arch" = arm64 ] && grub_arch=(grub-efi-arm64-bin qemu-system-arm qemu-efi-aarch64)
join() { local IFS=,; echo "$*" | sed 's/,/, /g'; }
installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
# Depends: what a build of the shipped manifests runs on the host (src/host/host-commands.ts; coreutils,
# tar and util-linux are essential). Recommends: what `bootstrap doctor` also checks, and boot-test's
# QEMU, firmware and SSH. Suggests: what only some plugins and manifests use.
cat >"$root/DEBIAN/control" <<EOF
Package: $pkg
Version: $debversion
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: $shlibs, mmdebstrap, mount, fdisk, e2fsprogs, dosfstools, mtools, qemu-utils
Recommends: $(join debootstrap parted xfsprogs zerofree syslinux-common "${grub_arch[@]}" socat openssh-client)
Suggests: ansible, btrfs-progs, qemu-user-static
Section: admin
Priority: optional
Description: build Debian images from bootstrap-vz manifests
 Reads a YAML manifest (the format of bootstrap-vz) and builds a bootable
 Debian disk image for QEMU/KVM (raw, qcow2, vmdk or vdi) or an Amazon AMI:
 mmdebstrap into a loop-mounted image file, configuration, bootloader,
 cleanup; every change to the host is rolled back when a step fails. It
 plans, validates and boot-tests images in QEMU too.
 .
 The command is bootstrap; the package carries its own Node.js $NODE_VERSION.
EOF

(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) \
  >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

deb="$outdir/${pkg}_${debversion}_$arch.deb"
echo "packing $deb" >&2
dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-xz}" --build "$root" "$deb" >/dev/null
echo "$deb"
