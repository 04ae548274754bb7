#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make soak: the hostile-input, concurrency and KVM-beside tests at length,
# with fresh seeds (printed: each replays with the same DDW_*_SEED), on the
# stock kernel (KERNEL=6.1, 6.12, 6.12-64k or 6.1-debug; MACHINE=powernv8
# or powernv9).  Defaults: 100,000 v2 and 30,000 v1 fuzz calls, 4 threads x
# 20,000 iterations and 20 kills per ioctl, 50 KVM-beside rounds, 100
# load/use/unload cycles; any DDW_* knob of run-vm.sh overrides them.
# Ends with the plan's "N passed, N failed"; exits non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/testbed/lib.sh"

export SPAPR_DDW_KERNEL=${KERNEL:-${SPAPR_DDW_KERNEL:-6.1}}
bash "$TOP/tests/testbed/setup.sh" || die "testbed setup failed"
[ "$SPAPR_DDW_KERNEL" != 6.1-debug ] || bash "$TOP/tests/testbed/debug-kernel.sh" ||
	die "debug kernel build failed"
load_kernel
OUT=$WORK/soak
rm -rf "$OUT"
mkdir -p "$OUT"
seed=$(date -u +%s)
export DDW_FUZZ_SEED=${DDW_FUZZ_SEED:-$seed} DDW_STRESS_SEED=${DDW_STRESS_SEED:-$seed}
export DDW_BESIDE_SEED=${DDW_BESIDE_SEED:-$seed}
export DDW_FUZZ_V1_CALLS=${DDW_FUZZ_V1_CALLS:-${DDW_FUZZ_CALLS:-30000}}
export DDW_FUZZ_CALLS=${DDW_FUZZ_CALLS:-100000}
export DDW_STRESS_ITERS=${DDW_STRESS_ITERS:-20000} DDW_STRESS_KILLS=${DDW_STRESS_KILLS:-20}
export DDW_BESIDE_ROUNDS=${DDW_BESIDE_ROUNDS:-50} DDW_CYCLES=${DDW_CYCLES:-100}
export DDW_TEST_TIMEOUT=${DDW_TEST_TIMEOUT:-7200}
echo "spapr-ddw $VERSION soak: $KVER on ${MACHINE:-powernv8}, seeds fuzz $DDW_FUZZ_SEED, stress $DDW_STRESS_SEED, beside $DDW_BESIDE_SEED"

make -s -C "$TOP" KDIR="$KDIR" ARCH=powerpc CROSS_COMPILE="$CROSS" clean
make -s -C "$TOP" KDIR="$KDIR" ARCH=powerpc CROSS_COMPILE="$CROSS" W=1 modules || die "build failed"
bash "$TOP/tests/user/build.sh" "$OUT/bin" || die "user programs"
bash "$TOP/tests/testbed/mkinitramfs.sh" "$OUT/initramfs.cpio.gz" "$OUT/bin=/tests/bin" ||
	die "initramfs"
bash "$TOP/tests/testbed/run-vm.sh" -i "$OUT/initramfs.cpio.gz" -m "${MACHINE:-powernv8}" -p soak \
	-t "${SOAK_TIMEOUT:-14400}" -l "$OUT/console.log" >"$OUT/run.out" 2>&1
rc=$?
# Each test's result and figures, a failure's output; the summary last.
grep -v '^vm: ' "$OUT/run.out"
grep '^vm: ' "$OUT/run.out"
exit "$rc"
