#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the KUnit suites with the kernel's own kunit.py, on Debian's
# linux-source-6.1 or linux-source-6.12 with the engine and its tests
# grafted in:
#   kunit/run.sh be [SERIES]  big-endian pseries guest (kunit.py's powerpc default)
#   kunit/run.sh le [SERIES]  little-endian ppc64le pseries guest (qemu_configs/ppc64le.py)
# SERIES is 6.1 (the default) or 6.12.  The kernel trees and the build
# directories are cached below $CACHE/kunit, so a second run rebuilds only
# what changed.
set -euo pipefail
. "$(dirname "$0")/../tests/testbed/lib.sh"

endian=${1:-be}
series=${2:-6.1}
case $series in
6.1) build=$CACHE/kunit/build-$endian ;;
6.12) build=$CACHE/kunit/build-$endian-$series ;;
*) die "usage: kunit/run.sh be|le [6.1|6.12]" ;;
esac
src=$CACHE/kunit/linux-source-$series
graft=$src/drivers/spapr_ddw_kunit

if [ ! -x "$src/tools/testing/kunit/kunit.py" ]; then
	log "extracting linux-source-$series for kunit.py"
	mkdir -p "$CACHE/kunit"
	rm -rf "$src"
	tar -C "$CACHE/kunit" -xJf "/usr/src/linux-source-$series.tar.xz"
fi

# The graft: links to the engine and the tests, so edits rebuild incrementally.
mkdir -p "$graft/include"
ln -sfn "$TOP/kunit/Kconfig" "$graft/Kconfig"
ln -sfn "$TOP/kunit/Makefile.graft" "$graft/Makefile"
for f in compat_mm.h tce_geometry.c tce_geometry.h tce_table.c tce_table.h tce_walk.c; do
	ln -sfn "$TOP/pnv_ioda2_ddw/$f" "$graft/$f"
done
for f in "$TOP"/kunit/*_test.c; do
	ln -sfn "$f" "$graft/$(basename "$f")"
done
ln -sfn "$TOP/include/pnv_ioda2_ddw.h" "$graft/include/pnv_ioda2_ddw.h"
grep -q spapr_ddw_kunit "$src/drivers/Kconfig" ||
	sed -i 's|^endmenu$|source "drivers/spapr_ddw_kunit/Kconfig"\n\nendmenu|' "$src/drivers/Kconfig"
grep -q spapr_ddw_kunit "$src/drivers/Makefile" ||
	echo 'obj-$(CONFIG_SPAPR_DDW_KUNIT_TEST) += spapr_ddw_kunit/' >>"$src/drivers/Makefile"

case $endian in
be) args=(--arch=powerpc --cross_compile=powerpc64-linux-gnu-) ;;
le) cp "$TOP/kunit/qemu_configs/ppc64le.py" "$src/tools/testing/kunit/qemu_configs/spapr_ddw_ppc64le.py"
    args=(--qemu_config="$src/tools/testing/kunit/qemu_configs/spapr_ddw_ppc64le.py"
	  --cross_compile=powerpc64le-linux-gnu-) ;;
*) die "usage: kunit/run.sh be|le" ;;
esac

cd "$src"
exec python3 tools/testing/kunit/kunit.py run "${args[@]}" \
	--build_dir="$build" \
	--kunitconfig="$TOP/kunit/.kunitconfig" --jobs="${KUNIT_JOBS:-$(nproc)}" --timeout=600
