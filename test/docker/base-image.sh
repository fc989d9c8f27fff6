#!/usr/bin/env bash
# A local stand-in for node:20-bookworm-slim, for machines with a Docker engine
# but no image registry: Debian bookworm (debootstrap minbase, from this
# machine's Debian mirror) with this machine's Node and npm copied in, a `node`
# user (uid 1000) as in the real image, and this machine's npm CA setting so
# `npm ci` inside a build reaches the registry the host reaches.
# Built once: an existing image under the tag is kept (the cache between runs).
# Needs root, debootstrap and a running Docker engine.
set -euo pipefail
TAG="${1:-node:20-bookworm-slim}"

if docker image inspect "$TAG" >/dev/null 2>&1; then exit 0; fi

# The first Debian mirror apt uses here (deb822 .sources or a one-line .list).
mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ { print $2; exit }')
if [ -z "$mirror" ]; then
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '/^deb / && !/security/ { print $2; exit }')
fi
mirror="${mirror:-http://deb.debian.org/debian}"

rootfs=$(mktemp -d /tmp/chatd-base-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null

# Node and npm as installed on this machine.
node_bin=$(readlink -f "$(command -v node)")
npm_dir=$(npm root -g)/npm
install -D -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/lib/node_modules"
cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

# The host's npm CA (a TLS-inspecting proxy's CA, if any) so npm inside a build works.
cafile=$(npm config get cafile 2>/dev/null || true)
if [ -n "$cafile" ] && [ "$cafile" != "null" ] && [ "$cafile" != "undefined" ] && [ -f "$cafile" ]; then
  install -D -m 0644 "$cafile" "$rootfs/usr/local/share/chatd-npm-ca.crt"
  echo "cafile=/usr/local/share/chatd-npm-ca.crt" >"$rootfs/usr/local/etc/npmrc"
fi
registry=$(npm config get registry 2>/dev/null || true)
if [ -n "$registry" ]; then echo "registry=$registry" >>"$rootfs/usr/local/etc/npmrc"; fi

# The node user of the official image.
echo "node:x:1000:1000::/home/node:/bin/bash" >>"$rootfs/etc/passwd"
echo "node:x:1000:" >>"$rootfs/etc/group"
echo "node:*:19000:0:99999:7:::" >>"$rootfs/etc/shadow"
install -d -o 1000 -g 1000 "$rootfs/home/node"

# Smaller: no package lists, downloaded packages, docs or man pages.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/*

tar -C "$rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$(node -p 'process.versions.node')" \
  --change 'CMD ["node"]' \
  - "$TAG" >/dev/null
