#!/usr/bin/env bash
# Makes the two base images the Dockerfile starts from — debian:bookworm-slim and
# node:20-bookworm-slim — on a machine that cannot pull images (no registry reachable but
# Debian's package mirror and npm's). Needed on offline machines only: everywhere else
# `docker build` pulls the real images and this script is never run.
#
# debian:bookworm-slim is a debootstrap --variant=minbase of bookworm from the mirror apt uses
# here, trimmed like the official slim image (no docs, man pages or locales). node:20-bookworm-slim
# adds this machine's Node 20 runtime and npm at the paths the official image uses
# (/usr/local/bin/node, /usr/local/lib/node_modules/npm) and a `node` user with uid 1000.
#
# Idempotent: when both images exist it does nothing. Needs root, docker and debootstrap.
set -euo pipefail

if docker image inspect debian:bookworm-slim >/dev/null 2>&1 &&
  docker image inspect node:20-bookworm-slim >/dev/null 2>&1; then
  exit 0
fi

for tool in docker debootstrap; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "make-offline-base-images: $tool is not installed (apt-get install docker.io debootstrap)" >&2
    exit 1
  fi
done

node_bin="$(command -v node || true)"
if [ -z "$node_bin" ] || ! "$node_bin" -v | grep -q '^v20\.'; then
  echo "make-offline-base-images: needs this machine's Node 20 (found: ${node_bin:-none})" >&2
  exit 1
fi
node_bin="$(readlink -f "$node_bin")"
npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
if [ ! -f "$npm_dir/bin/npm-cli.js" ]; then
  echo "make-offline-base-images: cannot find npm's package directory (looked in $npm_dir)" >&2
  exit 1
fi

# The mirror apt uses: deb822 sources first (Debian 12's default), then the one-line format.
mirror="$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -n1 || true)"
if [ -z "$mirror" ]; then
  mirror="$(grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}' | grep -v security | head -n1 || true)"
fi
mirror="${mirror:-http://deb.debian.org/debian}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! docker image inspect debian:bookworm-slim >/dev/null 2>&1; then
  rootfs="$work/rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -n 20 "$work/debootstrap.log" >&2
    echo "make-offline-base-images: debootstrap from $mirror failed" >&2
    exit 1
  }
  # Trimmed as the official slim image is: what no container reads.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
    "$rootfs"/usr/share/locale/* "$rootfs"/var/log/* "$rootfs"/tmp/* "$rootfs"/var/tmp/*
  # apt's sources as the official image has them (deb822, with bookworm-updates and the security
  # archive): debootstrap leaves bookworm alone, and images built on it would install packages
  # older than the real base gives (mod_auth_openidc's security update, Chromium's).
  security="$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep security | head -n1 || true)"
  rm -f "$rootfs/etc/apt/sources.list"
  printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\nTypes: deb\nURIs: %s\nSuites: bookworm-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$mirror" "${security:-http://deb.debian.org/debian-security}" >"$rootfs/etc/apt/sources.list.d/debian.sources"
  tar -C "$rootfs" -c . | docker import \
    --change 'CMD ["bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - debian:bookworm-slim >/dev/null
fi

if ! docker image inspect node:20-bookworm-slim >/dev/null 2>&1; then
  ctx="$work/node"
  mkdir -p "$ctx/usr/local/bin" "$ctx/usr/local/lib/node_modules"
  cp "$node_bin" "$ctx/usr/local/bin/node"
  cp -a "$npm_dir" "$ctx/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ctx/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ctx/usr/local/bin/npx"
  # The same user, group and working directory as the official node image.
  cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM debian:bookworm-slim
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
COPY usr/ /usr/
ENV NODE_VERSION=20
CMD ["node"]
DOCKERFILE
  # The legacy builder warns on stderr that it is deprecated: quiet unless the build fails.
  docker build -q -t node:20-bookworm-slim "$ctx" >"$work/build.log" 2>&1 || {
    cat "$work/build.log" >&2
    exit 1
  }
fi
