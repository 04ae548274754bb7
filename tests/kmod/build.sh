#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the in-kernel test modules against the staged Debian headers and the
# tree's own Module.symvers (build the modules first): build.sh OUTDIR
set -euo pipefail
. "$(dirname "$0")/../testbed/lib.sh"
load_kernel
out=$1
mkdir -p "$out"
make -s -C "$KDIR" M="$TOP/tests/kmod" ARCH=powerpc CROSS_COMPILE="$CROSS" W=1 \
	KBUILD_EXTRA_SYMBOLS="$TOP/Module.symvers" modules
cp "$TOP"/tests/kmod/*.ko "$out/"
make -s -C "$KDIR" M="$TOP/tests/kmod" clean
