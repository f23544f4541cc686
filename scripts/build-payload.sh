#!/usr/bin/env bash
# Builds the end-to-end test payload: a Debian kernel and a tiny busybox
# initramfs whose /init prints `PIXIE-E2E-MARKER cmdline=…` (see payload/init.sh).
#
#   scripts/build-payload.sh [--arch amd64|arm64] [--force]
#
# Output: ${PIXIE_CACHE:-.cache}/payload/<arch>/{vmlinuz,initrd.img,payload.json}.
# Packages (linux-image-<ver>-<arch>, busybox-static) are downloaded through a
# private apt configuration (scripts/lib/private-apt.sh) and unpacked with
# dpkg-deb; nothing is installed. A second run with the same package versions and
# init files does nothing. The last line printed is the payload.json path.
#
# Env: PIXIE_CACHE, PIXIE_PAYLOAD_SUITE (default bookworm), PIXIE_DEBIAN_MIRROR.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/private-apt.sh
. "$root/scripts/lib/private-apt.sh"

arch=amd64
force=0
while [ $# -gt 0 ]; do
  case $1 in
  --arch) arch=${2:-} && shift ;;
  --arch=*) arch=${1#--arch=} ;;
  --force) force=1 ;;
  *) echo "usage: $0 [--arch amd64|arm64] [--force]" >&2 && exit 2 ;;
  esac
  shift
done
case $arch in amd64 | arm64) ;; *) echo "unsupported arch: $arch (amd64|arm64)" >&2 && exit 2 ;; esac

for tool in dpkg-deb cpio gzip tar; do
  command -v "$tool" >/dev/null || { echo "build-payload: '$tool' is missing (apt-get install -y cpio dpkg)" >&2; exit 1; }
done

suite=${PIXIE_PAYLOAD_SUITE:-bookworm}
cache=${PIXIE_CACHE:-$root/.cache}
out=$cache/payload/$arch
mkdir -p "$out"
exec 9>"$out.lock"
flock 9
started=$(date +%s.%N)

# Modules for the NICs QEMU offers (virtio-net, e1000), in load order.
modules="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net e1000"

papt_init "$cache/apt/$suite-$arch" "$suite" "$arch"
kpkg=$(papt apt-cache depends "linux-image-$arch" | awk '/Depends: linux-image-/ { print $2; exit }')
[ -n "$kpkg" ] || { echo "cannot resolve linux-image-$arch in $suite" >&2; exit 1; }
kver=$(papt_version "$kpkg")
bver=$(papt_version busybox-static)
init_sum=$(cat "$root/scripts/payload/init.sh" "$root/scripts/payload/udhcpc.script" "$0" | sha256sum | cut -c1-16)
key="$suite $arch $kpkg=$kver busybox-static=$bver init=$init_sum"

if [ "$force" = 0 ] && [ -f "$out/KEY" ] && [ "$(cat "$out/KEY")" = "$key" ] &&
  [ -s "$out/vmlinuz" ] && [ -s "$out/initrd.img" ] && [ -s "$out/payload.json" ]; then
  echo "payload up to date ($key)" >&2
  echo "kernel: $out/vmlinuz" >&2
  echo "initrd: $out/initrd.img" >&2
  echo "$out/payload.json"
  exit 0
fi

echo "building payload: $key" >&2
debs=$cache/debs/$suite-$arch
kdeb=$(papt_download "$kpkg=$kver" "$debs")
bdeb=$(papt_download "busybox-static=$bver" "$debs")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Only the kernel image and the NIC modules are needed; skip the rest of the tree.
dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$work" --wildcards \
  './boot/vmlinuz-*' '*/modules/*/kernel/drivers/virtio/*' \
  '*/modules/*/kernel/drivers/net/virtio_net.ko*' '*/modules/*/kernel/drivers/net/net_failover.ko*' \
  '*/modules/*/kernel/net/core/failover.ko*' '*/modules/*/kernel/drivers/net/ethernet/intel/e1000/*' \
  2>"$work/tar.err" || grep -v 'Not found in archive\|Exiting with failure' "$work/tar.err" >&2 || true
dpkg-deb -x "$bdeb" "$work/busybox"
rm -f "$kdeb" "$bdeb" # unpacked what we need; the versions are in KEY

vmlinuz=""
for f in "$work"/boot/vmlinuz-*; do [ -s "$f" ] && vmlinuz=$f; done
busybox=""
for f in "$work"/busybox/bin/busybox "$work"/busybox/usr/bin/busybox; do [ -x "$f" ] && busybox=$f; done
[ -n "$vmlinuz" ] || { echo "no vmlinuz in $kdeb" >&2; exit 1; }
[ -n "$busybox" ] || { echo "no busybox in $bdeb" >&2; exit 1; }

rootfs=$work/rootfs
mkdir -p "$rootfs"/{bin,dev,proc,sys,tmp,etc,lib/modules}
cp "$busybox" "$rootfs/bin/busybox"
ln -s busybox "$rootfs/bin/sh"
install -m 0755 "$root/scripts/payload/init.sh" "$rootfs/init"
install -m 0755 "$root/scripts/payload/udhcpc.script" "$rootfs/etc/udhcpc.script"
order=""
for m in $modules; do
  f=$(find "$work" -path "$rootfs" -prune -o -name "$m.ko*" -print | head -n 1)
  [ -n "$f" ] || continue # built into this kernel (arm64: virtio, virtio_ring)
  case $f in
  *.ko.xz) xz -dc "$f" >"$rootfs/lib/modules/$m.ko" ;;
  *.ko.zst) zstd -qdc "$f" >"$rootfs/lib/modules/$m.ko" ;;
  *.ko.gz) gzip -dc "$f" >"$rootfs/lib/modules/$m.ko" ;;
  *) cp "$f" "$rootfs/lib/modules/$m.ko" ;;
  esac
  order="$order $m"
done
[ -f "$rootfs/lib/modules/virtio_net.ko" ] || { echo "virtio_net.ko not found in $kdeb" >&2; exit 1; }
echo "${order# }" >"$rootfs/etc/modules-order"
# The kernel opens /dev/console before running /init; without root we cannot make
# the node, and init.sh reopens stdio on devtmpfs instead.
mknod -m 600 "$rootfs/dev/console" c 5 1 2>/dev/null || true

(cd "$rootfs" && find . | LC_ALL=C sort | cpio --quiet -o -H newc --reproducible -R 0:0) | gzip -9n >"$work/initrd.img"
cp "$vmlinuz" "$work/vmlinuz"
mv -f "$work/vmlinuz" "$out/vmlinuz"
mv -f "$work/initrd.img" "$out/initrd.img"

elapsed=$(echo "$(date +%s.%N) - $started" | bc 2>/dev/null || echo 0)
kernel_release=$(basename "$vmlinuz" | sed 's/^vmlinuz-//')
cat >"$out/payload.json" <<EOF
{
  "arch": "$arch",
  "suite": "$suite",
  "kernel": "$out/vmlinuz",
  "initrd": "$out/initrd.img",
  "kernelPackage": "$kpkg",
  "kernelVersion": "$kver",
  "kernelRelease": "$kernel_release",
  "busyboxVersion": "$bver",
  "modules": "${order# }",
  "console": "$([ "$arch" = arm64 ] && echo ttyAMA0 || echo ttyS0)",
  "buildSeconds": $elapsed
}
EOF
printf '%s\n' "$key" >"$out/KEY"
echo "payload built in ${elapsed}s" >&2
echo "kernel: $out/vmlinuz ($(stat -c %s "$out/vmlinuz") bytes)" >&2
echo "initrd: $out/initrd.img ($(stat -c %s "$out/initrd.img") bytes, modules: ${order# })" >&2
echo "$out/payload.json"
