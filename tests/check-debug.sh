#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check-debug, the second machine's run: the reliability tests on the
# testbed's debug kernel
# (tests/testbed/debug-kernel.sh: lockdep, kmemleak, fault injection, list
# and slab debugging; KASAN where the MMU is radix).  The `debug` plan runs
# on powernv8 (hash MMU) and powernv9 (radix: KASAN on): fail-nth over the
# v2 and v1 sequences; the concurrency and process-life stress; the seeded
# fuzz; load/use/unload cycles; no leaks.  Then the in-tree backend under
# the same fail-nth, in a boot of its own, shown beside ours.  Last, the
# runs make check leaves to this machine to stay under 60 minutes (README,
# "make check"): the TCG nested guest on powernv8, 6.12's check plan on
# powernv9.
# Ends with "N passed, N failed, N skipped"; exits non-zero on any failure.
# DEBUG_JOBS sets the kernel build's parallelism (default: every core).
set -uo pipefail
. "$(dirname "$0")/testbed/lib.sh"

bash "$TOP/tests/testbed/setup.sh" || die "testbed setup failed"
bash "$TOP/tests/testbed/debug-kernel.sh" "${DEBUG_JOBS:-$(nproc)}" || die "debug kernel build failed"
export SPAPR_DDW_KERNEL=6.1-debug
load_kernel
OUT=$WORK/check-debug
rm -rf "$OUT"
mkdir -p "$OUT"
echo "spapr-ddw $VERSION: debug kernel $KVER ($KPKG)"

. "$TOP/tests/testbed/check-lib.sh"
bash "$TOP/tests/user/build.sh" "$OUT/bin" >"$OUT/user.log" 2>&1 ||
	{ cat "$OUT/user.log"; die "user programs"; }
(debug_image "$OUT" "$OUT/bin") >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log"; die "debug image"; }

for m in powernv8 powernv9; do
	VM_SERIES=6.1-debug vm "$m" debug "${DEBUG_TIMEOUT:-3000}" "$OUT/initramfs.cpio.gz"
done
# The in-tree backend under the same injection, in a boot of its own: its
# kernel reports would fail any run, so this one is shown, not counted.
DDW_VERBOSE=1 bash "$TOP/tests/testbed/run-vm.sh" -i "$OUT/initramfs.cpio.gz" -m powernv8 -p debug-intree \
	-t "${DEBUG_TIMEOUT:-3000}" -l "$OUT/vm-powernv8-debug-intree.log" >"$OUT/vm-intree.out" 2>&1
echo "in-tree vfio_iommu_spapr_tce under the same fault injection (reported, not judged):"
sed -n 's/^    vfio-fail-nth-intree: /  /p' "$OUT/vm-powernv8-debug-intree.log" | grep -v '^  ok:' | head -n 60
grep -E '^powernv8-6.1-debug: (FAIL kernel-report|.*(BUG|Oops|WARNING))' "$OUT/vm-intree.out" | head -n 10

# From make check: the seed's scenario under TCG (QEMU's MAP_DMA for every
# guest TCE), alone (a kernel build beside it slowed it past its budget),
# and Linux 6.12 on powernv9.
if (guest_image 6.1 "$OUT/linux-6.1" "$OUT/bin") >"$OUT/linux-6.1-image.log" 2>&1; then
	vm powernv8 nested 1260 "$OUT/linux-6.1/initramfs-nested.cpio.gz"
	check "powernv8: disk image holds the pattern the nested guest wrote" \
		"$OUT/pattern-nested-powernv8.log" \
		python3 "$TOP/tests/testbed/check-pattern.py" "$WORK/powernv8-nested-nvme.img" 8 32
else
	result FAIL "the Linux 6.1 guest image" "$OUT/linux-6.1-image.log"
fi
if (guest_image 6.12 "$OUT/linux-6.12" "$OUT/bin") >"$OUT/linux-6.12-image.log" 2>&1; then
	# Bounded as in make check (its DKMS modules are make check's: SKIP here).
	DDW_CYCLES=20 DDW_STRESS_ITERS=500 DDW_STRESS_KILLS=2 VM_SERIES=6.12 \
		vm powernv9 check 900 "$OUT/linux-6.12/initramfs.cpio.gz"
else
	result FAIL "the Linux 6.12 guest image" "$OUT/linux-6.12-image.log"
fi

(load_kernel 6.1 && kmake clean >/dev/null)
summary
