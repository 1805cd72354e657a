#!/bin/sh
# Install the Debian packages the build and the tests need, when they are
# missing.  As root it runs apt-get itself; otherwise it prints the exact
# command and fails, so `make run` and `make test` work as the first command
# typed on a fresh Debian 12 machine.
set -eu

PKGS="make gcc gcc-multilib binutils git
qemu-system-x86 qemu-utils
grub-common grub-pc-bin grub-efi-amd64-bin grub-efi-ia32-bin xorriso mtools
ovmf ovmf-ia32
python3 python3-pytest
libcmocka-dev zlib1g-dev
clang libclang-rt-14-dev
gcc-mingw-w64-i686"

missing=""
for p in $PKGS; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing Debian packages:$missing" >&2
    echo "deps: run: sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
