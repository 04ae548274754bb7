#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check-debug: the reliability tests on the testbed's debug kernel
# (tests/testbed/debug-kernel.sh: lockdep, kmemleak, fault injection, list
# and slab debugging; KASAN where the MMU is radix).  The `debug` plan runs
# on powernv8 (hash MMU) and powernv9 (radix: KASAN on): fail-nth over the
# v2 and v1 sequences; the concurrency and process-life stress; the seeded
# fuzz; load/use/unload cycles; no leaks.  Then the in-tree backend under
# the same fail-nth, in a boot of its own, shown beside ours.
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

kmake() { make -C "$TOP" KDIR="$KDIR" ARCH=powerpc CROSS_COMPILE="$CROSS" "$@"; }
kmake clean >/dev/null
kmake W=1 modules >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log"; die "modules"; }
bash "$TOP/tests/user/build.sh" "$OUT/bin" >"$OUT/user.log" 2>&1 ||
	{ cat "$OUT/user.log"; die "user programs"; }
bash "$TOP/tests/testbed/mkinitramfs.sh" "$OUT/initramfs.cpio.gz" "$OUT/bin=/tests/bin" ||
	die "initramfs"

pass=0 fail=0 skip=0
failed=()
for m in powernv8 powernv9; do
	out=$OUT/vm-$m.out
	bash "$TOP/tests/testbed/run-vm.sh" -i "$OUT/initramfs.cpio.gz" -m "$m" -p debug \
		-t "${DEBUG_TIMEOUT:-3000}" -l "$OUT/vm-$m-debug.log" >"$out" 2>&1
	grep -v '^vm: ' "$out"
	pass=$((pass + $(grep -c ': PASS ' "$out")))
	skip=$((skip + $(grep -c ': SKIP ' "$out")))
	fail=$((fail + $(sed -n 's/^vm: [0-9]* passed, \([0-9]*\) failed$/\1/p' "$out")))
	mapfile -t -O ${#failed[@]} failed < <(grep -E '^[a-z0-9.-]+: FAIL ' "$out" | cut -c 1-160)
done
# The in-tree backend under the same injection, in a boot of its own: its
# kernel reports would fail any run, so this one is shown, not counted.
DDW_VERBOSE=1 bash "$TOP/tests/testbed/run-vm.sh" -i "$OUT/initramfs.cpio.gz" -m powernv8 -p debug-intree \
	-t "${DEBUG_TIMEOUT:-3000}" -l "$OUT/vm-powernv8-debug-intree.log" >"$OUT/vm-intree.out" 2>&1
echo "in-tree vfio_iommu_spapr_tce under the same fault injection (reported, not judged):"
sed -n 's/^    vfio-fail-nth-intree: /  /p' "$OUT/vm-powernv8-debug-intree.log" | grep -v '^  ok:' | head -n 60
grep -E '^powernv8-6.1-debug: (FAIL kernel-report|.*(BUG|Oops|WARNING))' "$OUT/vm-intree.out" | head -n 10

kmake clean >/dev/null
[ ${#failed[@]} -eq 0 ] || printf 'failed: %s\n' "${failed[@]}"
echo "$pass passed, $fail failed, $skip skipped (each SKIP line says why)"
[ "$fail" -eq 0 ]
