#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: spapr-tce-v2 against the in-tree vfio_iommu_spapr_tce, both in
# one boot of each kernel (KERNELS="6.1 6.12": Debian 12's 64K-page kernel
# and Debian 13's 4K-page one) on QEMU powernv8, ROUNDS rounds (5) with the
# backends alternated; prints each kernel's table (tests/bench/table.py) and
# writes them, with plots, to docs/performance.md.  The emulator's absolute
# times mean little: the ratios, measured in one boot, do.
set -uo pipefail
. "$(dirname "$0")/testbed/lib.sh"

KERNELS=${KERNELS:-6.1 6.12}
export DDW_BENCH_ROUNDS=${ROUNDS:-5}
bash "$TOP/tests/testbed/setup.sh" || die "testbed setup failed"
if ! command -v gnuplot >/dev/null; then
	[ "$(id -u)" = 0 ] || die "gnuplot missing: install gnuplot-nox"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		gnuplot-nox >"$CACHE/apt-gnuplot.log" 2>&1 || die "apt-get install gnuplot-nox failed"
fi
OUT=$WORK/bench
rm -rf "$OUT"
mkdir -p "$OUT" "$TOP/docs"
date=$(date -u '+%Y-%m-%d %H:%M UTC')
logs=()
for k in $KERNELS; do
	export SPAPR_DDW_KERNEL=$k
	load_kernel "$k"
	o=$OUT/$k
	mkdir -p "$o"
	make -s -C "$TOP" KDIR="$KDIR" ARCH=powerpc CROSS_COMPILE="$CROSS" clean
	make -s -C "$TOP" KDIR="$KDIR" ARCH=powerpc CROSS_COMPILE="$CROSS" modules ||
		die "build failed ($k)"
	bash "$TOP/tests/user/build.sh" "$o/bin" || die "user programs"
	bash "$TOP/tests/kmod/build.sh" "$o/kmod" || die "test modules"
	# Figure 8's nested guest: Debian's QEMU and this kernel (mknested.sh).
	bash "$TOP/tests/testbed/mknested.sh" "$o/nested" "$o/bin/pattern" || die "nested guest"
	bash "$TOP/tests/testbed/mkinitramfs.sh" "$o/initramfs.cpio.gz" "$o/bin=/tests/bin" \
		"$o/kmod=/tests/kmod" "$o/nested=/" || die "initramfs"
	echo "bench: $KVER on powernv8, $DDW_BENCH_ROUNDS rounds ..."
	bash "$TOP/tests/testbed/run-vm.sh" -i "$o/initramfs.cpio.gz" -p bench -t 5400 \
		-l "$o/console.log" >"$o/run.out" 2>&1 || {
		cat "$o/run.out"
		die "bench run failed ($k)"
	}
	echo "TCE table bytes, Debian kernel $KVER (hardware table only, ddw_window_test bench=1):"
	sed -n 's/^tables| /  /p' "$o/console.log"
	plot=()
	[ ${#logs[@]} -eq 0 ] && plot=(--plot "$TOP/docs")
	python3 "$TOP/tests/bench/table.py" "$o/console.log" --md "$o/table.md" --date "$date" \
		"${plot[@]}" || die "no figures ($k)"
	logs+=("$o/table.md")
done
make -s -C "$TOP" clean
{
	cat "$TOP/tests/bench/performance-head.md"
	for t in "${logs[@]}"; do
		echo
		cat "$t"
	done
	echo
	echo "![Figure 6](regions.png)"
	echo
	echo "![Table bytes against window size](table-bytes.png)"
} >"$TOP/docs/performance.md"
echo "written: docs/performance.md, docs/regions.png, docs/table-bytes.png"
