#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot the Debian ppc64el kernel on an emulated PowerNV machine and run one
# test plan in it:
#   run-vm.sh -i INITRAMFS -p PLAN [-m powernv8|powernv9] [-t SECONDS] [-l LOG]
# Prints the guest's result lines prefixed with the machine, then
# "vm: N passed, N failed".  Exits non-zero on any failed test, a kernel
# WARN/BUG/oops/lockdep report on the console, a missing summary or timeout.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
load_kernel

machine=powernv8 timeout=300 log= initrd= plan=
while getopts "i:p:m:t:l:" o; do
	case $o in
	i) initrd=$OPTARG ;;
	p) plan=$OPTARG ;;
	m) machine=$OPTARG ;;
	t) timeout=$OPTARG ;;
	l) log=$OPTARG ;;
	*) die "usage: run-vm.sh -i INITRAMFS -p PLAN [-m MACHINE] [-t SECONDS] [-l LOG]" ;;
	esac
done
[ -r "$initrd" ] && [ -n "$plan" ] || die "usage: run-vm.sh -i INITRAMFS -p PLAN ..."
mkdir -p "$WORK"
# What names the run in its lines and files: the machine, and the kernel
# series unless it is 6.1 ("powernv8", "powernv8-6.12").
tag=$machine
[ "$KSERIES" = 6.1 ] || tag=$machine-$KSERIES
log=${log:-$WORK/$tag-$plan.log}
disk=$WORK/$tag-$plan-nvme.img
disk2=$WORK/$tag-$plan-nvme2.img
rm -f "$disk" "$disk2"
# Sparse; the benchmark's nested guests write 256 MiB past 64 MiB
# (bench-nested.sh).
truncate -s 384M "$disk"
# A second NVMe, on another PHB: another PE, for several groups per container.
truncate -s 16M "$disk2"
# Data the guest must read back through the kernel's nvme driver.
head -c 4M /dev/urandom | dd of="$disk" conv=notrunc status=none
disk_md5=$(head -c 4M "$disk" | md5sum | cut -d' ' -f1)
# The multifunction plan (or DDW_MULTIFUNCTION=1) adds two NVMe functions of
# one slot on pcie.2: one PE for both.  The other devices keep their numbers.
extra=()
if [ "$plan" = multifunction ] || [ -n "${DDW_MULTIFUNCTION:-}" ]; then
	for f in 0 1; do
		truncate -s 1M "$WORK/$tag-$plan-nvme-mf$f.img"
		extra+=(-drive "file=$WORK/$tag-$plan-nvme-mf$f.img,if=none,id=mf$f,format=raw"
			-device "nvme,bus=pcie.2,addr=0.$f,multifunction=on,drive=mf$f,serial=SPAPRDDWMF0$f")
	done
fi

# The tests' knobs the host may set, each as ddw.env=NAME=VALUE.
forward=()
for v in DDW_FUZZ_SEED DDW_FUZZ_CALLS DDW_FUZZ_CHECK_EVERY DDW_CYCLES DDW_STRESS_THREADS DDW_STRESS_KILLS \
	 DDW_STRESS_ITERS DDW_STRESS_SEED DDW_BESIDE_SEED DDW_BESIDE_ROUNDS DDW_BESIDE_BATCHES \
	 DDW_BESIDE_CALLS DDW_FUZZ_V1_CALLS DDW_TEST_TIMEOUT DDW_BENCH_ROUNDS DDW_BENCH_SMALL \
	 DDW_BENCH_NESTED_MIB; do
	[ -n "${!v:-}" ] && forward+=("ddw.env=$v=${!v}")
done

# loglevel=5: the console shows warnings and worse as they happen; the guest
# dumps the whole kernel log itself when a test fails.
start=$(date +%s)
timeout -k 10 "$timeout" qemu-system-ppc64 -M "$machine" -m 2G \
	-display none -monitor none -serial stdio -no-reboot \
	-kernel "$VMLINUX" -initrd "$initrd" \
	-append "console=hvc0 loglevel=5 panic=-1 ddw.plan=$plan ddw.machine=$machine ddw.disk_md5=$disk_md5 ${DDW_VERBOSE:+ddw.verbose=1} ${forward[*]}" \
	-drive "file=$disk,if=none,id=nvme0,format=raw" \
	-device "nvme,bus=pcie.0,drive=nvme0,serial=SPAPRDDW0001" \
	-drive "file=$disk2,if=none,id=nvme1,format=raw" \
	-device "nvme,bus=pcie.1,drive=nvme1,serial=SPAPRDDW0002" \
	"${extra[@]}" </dev/null >"$log" 2>&1
rc=$?
secs=$(($(date +%s) - start))
tr -d '\r' <"$log" >"$log.txt" && mv "$log.txt" "$log"

grep -E '^(PASS|FAIL|SKIP|FIGURES) ' "$log" | sed "s/^/$tag: /"
status=0
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "$tag: FAIL vm-timeout: no power-off within ${timeout}s"
	status=1
elif [ $rc -ne 0 ]; then
	echo "$tag: FAIL vm-exit: qemu exited with $rc"
	status=1
fi
# Reports the kernel prints for bugs it catches; any of them fails the run.
bad='WARNING: CPU: |------------\[ cut here \]|BUG: |kernel BUG at|Oops: |Unable to handle kernel|Kernel panic|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|UBSAN:|KASAN:|refcount_t: |list_add corruption|list_del corruption|sleeping function called from invalid context|general protection fault|Call Trace:'
if grep -E -q "$bad" "$log"; then
	echo "$tag: FAIL kernel-report: the kernel reported a problem:"
	grep -E -m 5 "$bad" "$log" | sed 's/^/    ! /'
	status=1
fi
summary=$(grep -E '^guest: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
if [ -z "$summary" ]; then
	echo "$tag: FAIL guest-summary: the guest printed no summary"
	status=1
elif ! echo "$summary" | grep -q ', 0 failed'; then
	status=1
fi
pass=$(grep -c '^PASS ' "$log")
fail=$(grep -c '^FAIL ' "$log")
echo "$tag: plan $plan, Debian kernel $KVER ($KPKG), ${secs}s, log $log"
[ $status -ne 0 ] && [ "$fail" -eq 0 ] && fail=1
[ $status -ne 0 ] && grep -E '^    [|>] ' "$log" | head -n 80
echo "vm: $pass passed, $fail failed"
exit $status
