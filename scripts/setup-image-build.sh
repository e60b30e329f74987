#!/usr/bin/env bash
# Idempotent: what rootless, cross-architecture image builds need beyond packages.
# - an unprivileged user with subordinate uid/gid ranges, which the build worker runs
#   mmdebstrap as when it is itself started as root (MUSTER_BUILD_USER, default muster-build);
# - binfmt_misc mounted and qemu-aarch64 registered, so arm64 roots can run their maintainer
#   scripts on amd64.
set -euo pipefail
user=${MUSTER_BUILD_USER:-muster-build}
[ "$(id -u)" -eq 0 ] || { echo "setup: not root; image builds run as $(id -un) (needs /etc/subuid)"; exit 0; }

if ! id "$user" >/dev/null 2>&1; then
  useradd --system --create-home --home-dir "/var/lib/$user" --shell /usr/sbin/nologin "$user"
  echo "setup: created build user $user"
fi
for f in /etc/subuid /etc/subgid; do
  if ! grep -q "^$user:" "$f" 2>/dev/null; then
    # The next free 65536-wide range above every range already handed out.
    start=$(awk -F: 'BEGIN{m=100000} {e=$2+$3; if (e>m) m=e} END{print m}' "$f" 2>/dev/null || echo 100000)
    echo "$user:$start:65536" >>"$f"
    echo "setup: $f gives $user $start..$((start + 65535))"
  fi
done

if [ "$(uname -m)" = x86_64 ]; then
  if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null ||
      echo "setup: cannot mount binfmt_misc; arm64 builds will fail (run: mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc)" >&2
  fi
  if [ -e /proc/sys/fs/binfmt_misc/status ] && [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || update-binfmts --import qemu-aarch64 >/dev/null 2>&1 || true
    [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && echo "setup: qemu-aarch64 registered with binfmt_misc" ||
      echo "setup: qemu-aarch64 not registered; arm64 builds will fail (run: update-binfmts --enable qemu-aarch64)" >&2
  fi
fi
