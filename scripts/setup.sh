#!/usr/bin/env bash
# Idempotent set-up for `npm start`, `npm test` and CI: the Debian packages whose servers the
# test harness and the local stack run (NATS, PostgreSQL, Redis, Ceph radosgw as S3, protoc),
# then node_modules. Re-running it when everything is present takes a few milliseconds.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_BIN=/usr/lib/postgresql/15/bin
# binary (name on PATH, or absolute path) : the package that ships it
REQUIRED=(
  nats-server:nats-server
  "$PG_BIN/postgres:postgresql"
  "$PG_BIN/initdb:postgresql"
  redis-server:redis-server
  ceph-mon:ceph-mon
  ceph-osd:ceph-osd
  radosgw:radosgw
  radosgw-admin:radosgw
  monmaptool:ceph-mon
  ceph-authtool:ceph-mon
  ceph:ceph-mon
  protoc:protobuf-compiler
  docker-compose:docker-compose
  kubectl:kubernetes-client
  # Image builds (issue 15): rootless bootstrap, outputs, disk images, arm64 through emulation.
  mmdebstrap:mmdebstrap
  newuidmap:uidmap
  mksquashfs:squashfs-tools
  apt-ftparchive:apt-utils
  mcopy:mtools
  mkfs.vfat:dosfstools
  sfdisk:fdisk
  mkfs.ext4:e2fsprogs
  grub-mkimage:grub-common
  /usr/lib/grub/i386-pc/boot.img:grub-pc-bin
  /usr/lib/grub/x86_64-efi/linux.mod:grub-efi-amd64-bin
  /usr/lib/systemd/boot/efi/systemd-bootx64.efi:systemd-boot-efi
  /usr/share/OVMF/OVMF_CODE.fd:ovmf
  qemu-system-x86_64:qemu-system-x86
  qemu-aarch64-static:qemu-user-static
  update-binfmts:binfmt-support
  arch-test:arch-test
  zstd:zstd
  # Chunking and delta benches (issue 16): the peers they measure, and the image listing.
  casync:casync
  xdelta3:xdelta3
  sqfs2tar:squashfs-tools-ng
  # The image-build sandbox test (test/deploy): the Deployment's settings rebuilt with runc.
  runc:runc
  setcap:libcap2-bin
  apparmor_parser:apparmor
  /usr/include/x86_64-linux-gnu/asm/unistd_64.h:linux-libc-dev
)

has() {
  case "$1" in
    /*) [ -e "$1" ] ;;
    # nats-server lives in /usr/sbin, which is not on every user's PATH.
    *) PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" command -v "$1" >/dev/null 2>&1 ;;
  esac
}

missing=()
need=()
for entry in "${REQUIRED[@]}"; do
  binary=${entry%:*}
  package=${entry##*:}
  if ! has "$binary"; then
    missing+=("$binary")
    [[ " ${need[*]} " == *" $package "* ]] || need+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: system packages present"
else
  echo "setup: missing ${missing[*]}"
  install_cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${need[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "setup: need root to install them. Run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${need[*]}" >&2
    exit 1
  fi
  echo "setup: installing Debian packages: ${need[*]}"
  # Keep the packages' own services (a Redis on 6379, a PostgreSQL cluster on 5432) from
  # starting: the harness and the local stack run their own servers.
  policy=/usr/sbin/policy-rc.d
  added_policy=
  if [ ! -e "$policy" ]; then
    "${as_root[@]}" sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
    added_policy=1
  fi
  status=0
  "${as_root[@]}" sh -c "$install_cmd" || status=$?
  if [ -n "$added_policy" ]; then "${as_root[@]}" rm -f "$policy"; fi
  [ "$status" -eq 0 ] || { echo "setup: apt-get failed ($status)" >&2; exit "$status"; }
  still=()
  for entry in "${REQUIRED[@]}"; do
    binary=${entry%:*}
    has "$binary" || still+=("$binary")
  done
  if [ ${#still[@]} -gt 0 ]; then
    echo "setup: still missing after install: ${still[*]}" >&2
    exit 1
  fi
  echo "setup: system packages installed"
fi

bash scripts/setup-image-build.sh

# npm ci when node_modules is missing, older than the lockfile, or lacks the pinned Node 24
# (never --omit=optional: Node itself, Nx, Rolldown and SWC come as optional packages).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] ||
  [ ! -x node_modules/.bin/node ]; then
  echo "setup: installing node_modules (npm ci)"
  npm ci --no-audit --no-fund
else
  echo "setup: node_modules up to date"
fi
