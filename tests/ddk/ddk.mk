# Make fragment for the ddk/ oracle test; include it from the top Makefile:
#     include tests/ddk/ddk.mk
# Target: check-ddk (needs gcc-mingw-w64-i686; prints the apt-get line if not).

DDK_CHECK := tests/ddk/check_layout.sh

.PHONY: check-ddk
check-ddk: ; bash $(DDK_CHECK) -q
