#!/bin/busybox sh
# /init of pixie's end-to-end test initramfs (see scripts/build-payload.sh).
# Prints a marker line with the kernel command line; when the cmdline carries
# pixie.fetch=<url>, brings up eth0 with udhcpc, fetches the URL and prints it;
# then powers the machine off (QEMU runs with -no-reboot, so it exits).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# The kernel may have found no /dev/console in the archive: reopen stdio on it.
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys

echo "PIXIE-E2E-MARKER cmdline=$(cat /proc/cmdline)"
echo "PIXIE-E2E-INFO arch=$(uname -m) kernel=$(uname -r)"

url=""
for word in $(cat /proc/cmdline); do
  case $word in
  pixie.fetch=*) url=${word#pixie.fetch=} ;;
  esac
done

if [ -n "$url" ]; then
  # Debian builds these as modules (virtio/virtio_ring are built in on arm64);
  # there is no modules.dep, so load them in dependency order.
  for m in $(cat /etc/modules-order); do
    [ -f "/lib/modules/$m.ko" ] && insmod "/lib/modules/$m.ko" 2>/dev/null
  done
  i=0
  while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
  done
  ip link set lo up
  ip link set eth0 up
  if timeout 30 udhcpc -i eth0 -f -q -n -t 10 -T 2 -s /etc/udhcpc.script >/tmp/udhcpc.log 2>&1; then
    if body=$(timeout 20 wget -q -O - "$url" 2>/tmp/wget.err); then
      echo "PIXIE-E2E-FETCH $(printf '%s' "$body" | tr '\n' ' ')"
    else
      echo "PIXIE-E2E-FETCH-FAILED wget $(cat /tmp/wget.err | tr '\n' ' ')"
    fi
  else
    echo "PIXIE-E2E-FETCH-FAILED udhcpc $(tail -n 3 /tmp/udhcpc.log | tr '\n' ' ')"
  fi
fi

echo "PIXIE-E2E-DONE"
sync
poweroff -f
