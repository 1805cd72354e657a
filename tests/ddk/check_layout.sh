#!/usr/bin/env bash
# Oracle test for the ddk/ headers: compiles the same probes against our
# headers (gcc -m32) and against mingw-w64's i686 DDK headers
# (i686-w64-mingw32-gcc, MSVC layout rules), compares sizes, offsets, bit
# field masks, constants and export decorations, and checks the ABI
# details of ddk/README. Nothing is executed; values are read from the
# object files. Usage: bash tests/ddk/check_layout.sh [-q]   (-q: hide PASS)
# Exit status 0 if everything matched; last line 'N passed, N failed'.
set -u

here=$(cd "$(dirname "$0")" && pwd)
missing=()

command -v gcc >/dev/null || missing+=("gcc")
command -v objdump >/dev/null || missing+=("binutils")
command -v python3 >/dev/null || missing+=("python3")
if ! command -v i686-w64-mingw32-gcc >/dev/null ||
   ! command -v i686-w64-mingw32-nm >/dev/null ||
   [ ! -f /usr/share/mingw-w64/include/ddk/srb.h ]; then
    missing+=("gcc-mingw-w64-i686")
fi

if [ ${#missing[@]} -ne 0 ]; then
    echo "FAIL: ddk: oracle toolchain missing: ${missing[*]}"
    echo "install with: apt-get install -y ${missing[*]}"
    echo "0 passed, 1 failed"
    exit 1
fi

exec python3 "$here/ddk_oracle.py" "$@"
