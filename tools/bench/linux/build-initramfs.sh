#!/bin/bash
# The Linux side of `make bench COMPARE=linux`: Debian's own kernel and two
# initramfs images for it, built from Debian's packages.
#
#   $OUT/vmlinuz            /boot/vmlinuz-<version> of linux-image-amd64
#   $OUT/initramfs.cpio     static busybox, fio and its libraries, the driver
#                           modules, vmmark, /init (init.sh): the I/O jobs
#   $OUT/initramfs-boot.cpio  the same without fio: boot-time runs
#
# Usage: build-initramfs.sh OUT_DIR.  Installs linux-image-amd64,
# busybox-static, fio and kmod with apt-get when they are missing (as
# root; otherwise it prints the command and fails).  Does nothing when the
# outputs are newer than their inputs.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:?usage: build-initramfs.sh OUT_DIR}
mkdir -p "$OUT"

# driver set -> modules, in the order modprobe would load them
declare -A SETS=(
    [ahci]="sd_mod ahci"
    [lsi]="sd_mod sym53c8xx"
    [all]="sd_mod sr_mod ahci sym53c8xx"
)

install_missing() {
    local need=()
    ls /boot/vmlinuz-*-amd64 >/dev/null 2>&1 || need+=(linux-image-amd64)
    dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' ||
        need+=(busybox-static)
    command -v fio >/dev/null || need+=(fio)
    command -v modprobe >/dev/null || need+=(kmod)
    command -v cpio >/dev/null || need+=(cpio)
    [ ${#need[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "bench: the Linux side needs: sudo apt-get install -y ${need[*]}" >&2
        exit 1
    fi
    echo "bench: installing ${need[*]} (once)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
}

up_to_date() {
    local f
    for f in vmlinuz initramfs.cpio initramfs-boot.cpio; do
        [ -s "$OUT/$f" ] || return 1
    done
    for f in "$HERE/init.sh" "$HERE/vmmark.c" "$0"; do
        [ "$f" -nt "$OUT/initramfs.cpio" ] && return 1
    done
    return 0
}

# modules (paths) for one set, dependencies first, each once
modules_of() {
    local kver=$1; shift
    for m in "$@"; do
        modprobe -S "$kver" --show-depends "$m"
    done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }'
}

copy_with_libs() {
    local root=$1 bin=$2 lib
    mkdir -p "$root$(dirname "$bin")"
    cp -L "$bin" "$root$bin"
    ldd "$bin" | awk '/=> \// { print $3 } /^\t\// { print $1 }' | sort -u | while read -r lib; do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
        strip --strip-unneeded "$root$lib" 2>/dev/null || true
    done
}

make_cpio() {
    (cd "$1" && find . -print0 | cpio --null -o -H newc --quiet) > "$2.tmp"
    mv "$2.tmp" "$2"
}

install_missing
up_to_date && exit 0

KVER=$(ls -1 /lib/modules | grep -- '-amd64$' | sort -V | tail -1)
[ -f "/boot/vmlinuz-$KVER" ] || { echo "bench: no /boot/vmlinuz-$KVER" >&2; exit 1; }
echo "bench: building the Linux guest ($KVER) in $OUT"
cp -f "/boot/vmlinuz-$KVER" "$OUT/vmlinuz"
echo "$KVER" > "$OUT/kver"

ROOT=$(mktemp -d "$OUT/root.XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT"/{bin,dev,proc,sys,tmp,etc/bench}
cp /bin/busybox "$ROOT/bin/busybox"
for a in sh mount insmod cat echo sleep cut tr poweroff ls; do
    ln -s busybox "$ROOT/bin/$a"
done
gcc -O2 -static -o "$ROOT/bin/vmmark" "$HERE/vmmark.c"
install -m 0755 "$HERE/init.sh" "$ROOT/init"

bytes=0
for set in "${!SETS[@]}"; do
    : > "$ROOT/etc/bench/modules.$set"
    for ko in $(modules_of "$KVER" ${SETS[$set]}); do
        mkdir -p "$ROOT$(dirname "$ko")"
        cp -f "$ko" "$ROOT$ko"
        echo "$ko" >> "$ROOT/etc/bench/modules.$set"
    done
done
# what the loaded driver code weighs: the 'all' set's module files
for ko in $(cat "$ROOT/etc/bench/modules.all"); do
    bytes=$((bytes + $(stat -c %s "$ROOT$ko")))
done
echo "$bytes" > "$OUT/modules-bytes"

make_cpio "$ROOT" "$OUT/initramfs-boot.cpio"
copy_with_libs "$ROOT" /usr/bin/fio
make_cpio "$ROOT" "$OUT/initramfs.cpio"
echo "bench: $OUT/initramfs.cpio $(du -h "$OUT/initramfs.cpio" | cut -f1)," \
     "initramfs-boot.cpio $(du -h "$OUT/initramfs-boot.cpio" | cut -f1)"
