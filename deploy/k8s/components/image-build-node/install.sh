#!/bin/sh
# What image-build's pods need from the node they run on (docs/adr/0009-rootless-image-builds.md).
# Run as root by the image-build-node DaemonSet's init container on every start of its pod,
# so after each node reboot and each change of these files; running it again changes nothing.
#   1. the seccomp profile the pods name (localhostProfile muster/image-build.json);
#   2. the AppArmor profile muster-image-build, where the node enforces AppArmor;
#   3. on amd64, qemu-aarch64 in binfmt_misc with the F flag, for arm64 builds.
set -eu

files=${MUSTER_NODE_FILES:-$(dirname "$0")}
seccomp_dir=${MUSTER_SECCOMP_DIR:-/host/kubelet-seccomp/muster}
binfmt=${MUSTER_BINFMT_DIR:-/proc/sys/fs/binfmt_misc}
binfmt_conf=${MUSTER_BINFMT_CONF:-/usr/lib/binfmt.d/qemu-aarch64.conf}

# Written beside and renamed, so the kubelet never reads half a profile.
mkdir -p "$seccomp_dir"
cp "$files/seccomp-image-build.json" "$seccomp_dir/.image-build.json.new"
mv -f "$seccomp_dir/.image-build.json.new" "$seccomp_dir/image-build.json"
echo "seccomp: $seccomp_dir/image-build.json"

if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null || true)" = Y ]; then
  apparmor_parser --replace --skip-cache "$files/apparmor-muster-image-build"
  echo "apparmor: muster-image-build loaded"
else
  echo "apparmor: not enabled on this node, nothing to load"
fi

if [ "$(uname -m)" != x86_64 ]; then
  echo "binfmt: $(uname -m) node, nothing to register"
  exit 0
fi
# The F flag makes the kernel open the interpreter now, from this container: it then runs
# arm64 programs in any mount namespace, the builds' chroots included, none of which has qemu.
name=$(cut -d: -f2 "$binfmt_conf")
case "$(sed 's/.*://' "$binfmt_conf")" in
  *F*) ;;
  *) echo "binfmt: $binfmt_conf does not set the F flag" >&2; exit 1 ;;
esac
[ -e "$binfmt/register" ] || mount -t binfmt_misc binfmt_misc "$binfmt"
if [ -e "$binfmt/$name" ] && ! grep -q '^flags: .*F' "$binfmt/$name"; then
  echo "binfmt: $name is registered without the F flag; registering it again with it"
  echo -1 >"$binfmt/$name"
fi
if [ ! -e "$binfmt/$name" ]; then
  cat "$binfmt_conf" >"$binfmt/register"
fi
[ "$(head -n 1 "$binfmt/$name")" = enabled ] || echo 1 >"$binfmt/$name"
grep -q '^flags: .*F' "$binfmt/$name" || { echo "binfmt: $name is not registered with the F flag" >&2; exit 1; }
echo "binfmt: $name registered with the F flag"
