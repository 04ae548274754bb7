#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: every test of spapr-ddw, on an x86-64 Debian 12 machine.
#  host: the modules cross-build clean with W=1 and sparse, for the staged
#        6.1 and 6.12 kernels; the build refuses
#        kernels it cannot serve; DKMS builds them for the Debian kernel.
#  vm:   the in-guest tests on emulated POWER8 (and POWER9), with the
#        modules from the tree and from DKMS; fail-nth on the debug kernel;
#        a harness self-test run.
# Two lanes on the 2-core machine: the debug kernel build and KUnit on one
# core, everything else on the other (README, "make check": what runs where).
# Ends with "N passed, N failed" over all of them; exits non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/testbed/lib.sh"

bash "$TOP/tests/testbed/setup.sh" || die "testbed setup failed"
load_kernel
OUT=$WORK/check
rm -rf "$OUT"
mkdir -p "$OUT"

. "$TOP/tests/testbed/check-lib.sh"

# --- lane B: the debug kernel, then KUnit big-endian, on one core ----------
# KUnit runs kunit.py on Debian's kernel sources: big-endian on 6.1 (here),
# little-endian, what runs on PowerNV, on 6.12 (lane A, after the guests):
# both byte orders and both kernel series.
kunit() {	# kunit be|le SERIES
	local name=kunit-$1-$2 log=$OUT/kunit-$1-$2.log
	bash "$TOP/kunit/run.sh" "$1" "$2" >"$log" 2>&1
	local rc=$?
	# kunit.py's own summary: suites, failures, the totals.
	grep -E '^\[[0-9:]+\] (=+ |# |\[FAILED\]|Testing complete|Elapsed time)' "$log" |
		grep -v '^\[[0-9:]+\] =+$' | sed "s/^/    $name /"
	[ $rc -eq 0 ] || return 1
	grep -q 'Testing complete. Ran [0-9]* tests: passed: [0-9]*$' "$log" || return 1
	# Our code must build without a warning in that kernel too.
	! grep -E 'spapr_ddw_kunit/.*warning' "$log"
}
kunit_one() {	# kunit_one be|le SERIES: its line in $OUT/kunit-E-S.result
	local e=$1 s=$2
	if kunit "$e" "$s" >"$OUT/kunit-$e-$s.summary"; then
		echo "PASS kunit-$e-$s ($(sed -n 's/.*Testing complete. Ran \([0-9]*\) tests.*/\1/p' "$OUT/kunit-$e-$s.log") cases)|$OUT/kunit-$e-$s.log"
	else
		echo "FAIL kunit-$e-$s|$OUT/kunit-$e-$s.log"
	fi >"$OUT/kunit-$e-$s.result"
}
kunit_result() {	# kunit_result be|le SERIES: counted, with its summary
	local st rest f=$OUT/kunit-$1-$2.result
	cat "$OUT/kunit-$1-$2.summary" 2>/dev/null
	if read -r st rest <"$f" 2>/dev/null; then
		result "$st" "${rest%|*}" "${rest##*|}"
	else
		result FAIL "kunit-$1-$2 (no result: $OUT/lane-b.log)" "$OUT/lane-b.log"
	fi
}
# The debug kernel first: the guests on lane A need it at their end.  One
# job: lane A's guests and builds have the other core.
lane_b() {
	bash "$TOP/tests/testbed/debug-kernel.sh" 1 >"$OUT/debug-kernel.log" 2>&1
	echo $? >"$OUT/debug-kernel.rc.tmp"
	mv "$OUT/debug-kernel.rc.tmp" "$OUT/debug-kernel.rc"
	KUNIT_JOBS=1 kunit_one be 6.1
}
# In a process group of its own, which goes with make check however it ends.
set -m
lane_b >"$OUT/lane-b.log" 2>&1 </dev/null &
lane_b_pid=$!
set +m
trap 'kill -- -$lane_b_pid 2>/dev/null' EXIT
trap 'exit 130' INT TERM

echo "spapr-ddw $VERSION: Debian kernel $KVER ($KPKG)"

# --- host: build ---------------------------------------------------------
kmake clean >/dev/null
kmake W=1 modules >"$OUT/build.log" 2>&1
if [ $? -eq 0 ] && ! grep -E -i 'warning:' "$OUT/build.log" >/dev/null &&
	[ -f "$TOP/pnv_ioda2_ddw/pnv_ioda2_ddw.ko" ]; then
	result PASS "build-w1 (cross, W=1, no warnings)"
else
	result FAIL "build-w1 (cross, W=1, no warnings)" "$OUT/build.log"
	echo "$pass passed, $fail failed"
	exit 1
fi

sparse_clean() {
	touch "$TOP"/pnv_ioda2_ddw/*.c "$TOP"/spapr_tce_ddw/*.c
	kmake C=2 CF=-D__CHECK_ENDIAN__ modules >"$OUT/sparse.log" 2>&1 || return 1
	! grep -E ': (warning|error):' "$OUT/sparse.log"
}
check "sparse (C=2, endian checks, no report)" "$OUT/sparse.log.result" sparse_clean

checkpatch_clean() {
	local f
	# Kernel code; the userspace test programs follow it loosely.
	f=$(cd "$TOP" && find pnv_ioda2_ddw spapr_tce_ddw include kunit tests/harness \
		-name '*.[ch]' ! -name '*.mod.c' 2>/dev/null | sort)
	(cd "$TOP" && perl "$CHECKPATCH" --strict --no-tree --terse --show-types -f $f) >"$OUT/checkpatch.log" 2>&1
	cat "$OUT/checkpatch.log"
	! grep -E '(ERROR|WARNING|CHECK):' "$OUT/checkpatch.log"
}
check "checkpatch --strict (every kernel C file)" "$OUT/checkpatch.result" checkpatch_clean

# The other staged kernel series (6.12 beside 6.1): W=1 and sparse clean too.
other_series_clean() {	# other_series_clean SERIES
	local tree log=$OUT/build-$1
	tree=$(load_kernel "$1" && echo "$KDIR") || return 1
	echo "KDIR=$tree"
	make -C "$TOP" KDIR="$tree" ARCH=powerpc CROSS_COMPILE="$CROSS" clean >/dev/null
	if ! make -C "$TOP" KDIR="$tree" ARCH=powerpc CROSS_COMPILE="$CROSS" W=1 modules \
		>"$log-w1.log" 2>&1 || [ ! -f "$TOP/spapr_tce_ddw/spapr_tce_ddw.ko" ] ||
	   grep -E -i 'warning:' "$log-w1.log" >/dev/null; then
		cat "$log-w1.log"
		return 1
	fi
	touch "$TOP"/pnv_ioda2_ddw/*.c "$TOP"/spapr_tce_ddw/*.c
	make -C "$TOP" KDIR="$tree" ARCH=powerpc CROSS_COMPILE="$CROSS" C=2 CF=-D__CHECK_ENDIAN__ \
		modules >"$log-sparse.log" 2>&1 || { cat "$log-sparse.log"; return 1; }
	! grep -E ': (warning|error):' "$log-sparse.log"
}

for s in 6.1 6.12 6.12-64k; do
	[ "$s" = "$KSERIES" ] && continue
	check "build-w1-sparse-linux-$s (cross, W=1 and sparse, no report)" "$OUT/build-$s.log" \
		other_series_clean "$s"
done

# A kernel build tree that differs from the staged one only in what $@ changes.
fake_kdir() {	# fake_kdir DIR
	local d=$1 e
	rm -rf "$d"
	mkdir -p "$d/include/config"
	for e in "$KDIR"/* "$KDIR"/.config "$KDIR"/.kernelvariables; do
		[ "$(basename "$e")" = include ] || ln -s "$e" "$d/$(basename "$e")"
	done
	for e in "$KDIR"/include/*; do
		[ "$(basename "$e")" = config ] || ln -s "$e" "$d/include/$(basename "$e")"
	done
	for e in "$KDIR"/include/config/*; do ln -s "$e" "$d/include/config/"; done
}
refused_with() {	# refused_with KDIR MESSAGE: the build fails, saying MESSAGE
	! make -C "$TOP" KDIR="$1" ARCH=powerpc CROSS_COMPILE="$CROSS" modules >"$OUT/refuse.log" 2>&1 &&
		grep -F "$2" "$OUT/refuse.log" && ! ls "$TOP"/*/*.o >/dev/null 2>&1
}

kmake clean >/dev/null
f=$OUT/kdir-no-powernv
fake_kdir "$f"
rm "$f/include/config/auto.conf"
grep -v '^CONFIG_PPC_POWERNV=' "$KDIR/include/config/auto.conf" >"$f/include/config/auto.conf"
check "build-refuses-no-powernv" "$OUT/refuse-powernv.log" \
	refused_with "$f" "it needs a powerpc kernel with CONFIG_PPC_POWERNV=y"

f=$OUT/kdir-6.5
fake_kdir "$f"
rm "$f/Makefile"
{ echo "override PATCHLEVEL = 5"; cat "$KDIR/Makefile"; } >"$f/Makefile"
check "build-refuses-linux-6.5" "$OUT/refuse-6.5.log" \
	refused_with "$f" "Linux 6.5 is not supported: it builds for Linux 6.1 and 6.12"

# 6.12 without the VFIO container interface: no IOMMU backend can register.
f=$OUT/kdir-6.12-no-container
(KDIR=$(load_kernel 6.12 && echo "$KDIR") && fake_kdir "$f" && rm "$f/include/config/auto.conf" &&
	grep -v '^CONFIG_VFIO_CONTAINER=' "$KDIR/include/config/auto.conf" >"$f/include/config/auto.conf")
check "build-refuses-6.12-without-vfio-container" "$OUT/refuse-container.log" \
	refused_with "$f" "it needs CONFIG_VFIO_CONTAINER=y"

x86_refused() {	# as a user on an x86-64 machine would run it
	! make -C "$TOP" KDIR="$X86_KDIR" modules >"$OUT/refuse.log" 2>&1 &&
		grep -F "it needs a powerpc kernel with CONFIG_PPC_POWERNV=y" "$OUT/refuse.log"
}
check "build-refuses-x86-64-kernel ($(basename "$X86_KDIR"))" "$OUT/refuse-x86.log" x86_refused
check "build-refuses-missing-kdir" "$OUT/refuse-kdir.log" \
	refused_with /nonexistent "no kernel build tree at KDIR=/nonexistent"

# --- host: DKMS ----------------------------------------------------------
dk=$WORK/dkms
dkms_build() {
	local src=$dk/src/spapr-ddw-$VERSION
	rm -rf "$dk"
	mkdir -p "$src" "$dk/tree"
	if git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$TOP" ls-files -z --cached --others --exclude-standard |
			(cd "$TOP" && tar --null -T - -c) | tar -C "$src" -x
	else
		(cd "$TOP" && tar -c --exclude=.git .) | tar -C "$src" -x
	fi
	dkms add -m spapr-ddw -v "$VERSION" --sourcetree "$dk/src" --dkmstree "$dk/tree" &&
	ARCH=powerpc CROSS_COMPILE=$CROSS dkms build -m spapr-ddw -v "$VERSION" \
		-k "$KVER" -a ppc64le --kernelsourcedir "$KDIR" \
		--sourcetree "$dk/src" --dkmstree "$dk/tree" &&
	mkdir -p "$OUT/dkms-ko" &&
	cp "$dk/tree/spapr-ddw/$VERSION/$KVER/ppc64le/module/"*.ko "$OUT/dkms-ko/" &&
	[ -f "$OUT/dkms-ko/pnv_ioda2_ddw.ko" ] && [ -f "$OUT/dkms-ko/spapr_tce_ddw.ko" ]
}
check "dkms-add-build ($KVER)" "$OUT/dkms.log" dkms_build
# The same source for the other staged series, into DEST for its guest.
dkms_build_for() {	# dkms_build_for SERIES DEST
	local k
	k=$(load_kernel "$1" && echo "$KVER $KDIR") || return 1
	set -- "$1" "$2" $k
	ARCH=powerpc CROSS_COMPILE=$CROSS dkms build -m spapr-ddw -v "$VERSION" \
		-k "$3" -a ppc64le --kernelsourcedir "$4" \
		--sourcetree "$dk/src" --dkmstree "$dk/tree" || return 1
	mkdir -p "$2" &&
	cp "$dk/tree/spapr-ddw/$VERSION/$3/ppc64le/module/"*.ko* "$2/" || return 1
	# DKMS compresses as the kernel does (6.12: xz); busybox insmod cannot.
	for f in "$2"/*.ko.xz; do [ -e "$f" ] && xz -d -f "$f"; done
	[ -f "$2/pnv_ioda2_ddw.ko" ] && [ -f "$2/spapr_tce_ddw.ko" ]
}
[ "$KSERIES" = 6.1 ] || die "make check boots 6.1 first: unset SPAPR_DDW_KERNEL"
for s in 6.12 6.12-64k; do
	check "dkms-build (Linux $s, $(load_kernel "$s" && echo "$KVER"))" "$OUT/dkms-$s.log" \
		dkms_build_for "$s" "$OUT/linux-$s/dkms-ko"
done
dkms_refuses() {	# BUILD_EXCLUSIVE keeps DKMS from building for an x86 kernel
	ARCH=powerpc CROSS_COMPILE=$CROSS dkms build -m spapr-ddw -v "$VERSION" \
		-k 6.1.0-50-amd64 -a x86_64 --kernelsourcedir "$KDIR" \
		--sourcetree "$dk/src" --dkmstree "$dk/tree"
	[ $? -eq 77 ]
}
check "dkms-refuses-x86_64" "$OUT/dkms-x86.log" dkms_refuses

# --- guest ---------------------------------------------------------------
kmake W=1 modules >/dev/null 2>&1 || die "rebuild failed"
make -C "$KDIR" M="$TOP/tests/harness/modules" ARCH=powerpc CROSS_COMPILE="$CROSS" \
	modules >"$OUT/harness-build.log" 2>&1 || { cat "$OUT/harness-build.log"; die "harness modules"; }
mkdir -p "$OUT/harness-ko"
cp "$TOP"/tests/harness/modules/*.ko "$OUT/harness-ko/"
make -C "$KDIR" M="$TOP/tests/harness/modules" clean >/dev/null 2>&1

check "user-programs (static, ppc64le, -Wall -Wextra -Werror)" "$OUT/user.log" \
	bash "$TOP/tests/user/build.sh" "$OUT/bin"
check "test-modules (W=1, against the tree's Module.symvers)" "$OUT/kmod.log" \
	bash "$TOP/tests/kmod/build.sh" "$OUT/kmod"

initrd=$OUT/initramfs.cpio.gz
extra=("$OUT/harness-ko=/harness" "$OUT/bin=/tests/bin" "$OUT/kmod=/tests/kmod")
[ -d "$OUT/dkms-ko" ] && extra+=("$OUT/dkms-ko=/dkms")
bash "$TOP/tests/testbed/mkinitramfs.sh" "$initrd" "${extra[@]}" || die "initramfs"
# The same with the nested guest's payload (Debian's QEMU, the kernel and
# the nested guest's initramfs), for the nested plan only: 40 MB more.
nested_initrd=$OUT/initramfs-nested.cpio.gz
bash "$TOP/tests/testbed/mknested.sh" "$OUT/nested" "$OUT/bin/pattern" || die "nested payload"
bash "$TOP/tests/testbed/mkinitramfs.sh" "$nested_initrd" "${extra[@]}" "$OUT/nested=/" ||
	die "initramfs with the nested payload"

# Bounded in make check (make check-debug runs the tests' defaults): 20
# load/use/unload cycles, 4 threads x 500 iterations and 2 kills per ioctl.
export DDW_CYCLES=${DDW_CYCLES:-20} DDW_STRESS_ITERS=${DDW_STRESS_ITERS:-500}
export DDW_STRESS_KILLS=${DDW_STRESS_KILLS:-2}
vm powernv8 check 900 "$initrd"
vm powernv9 check 900 "$initrd"
# Two functions of one slot in one PE (run-vm.sh adds them for this plan).
vm powernv8 multifunction 300 "$initrd"
# The benchmark, each figure once at small size, both backends (its nested
# guest: bench-small and the kvm plan); its table, after the kvm plan.
vm powernv8 bench-small 300 "$nested_initrd"
# The seed's scenario: a pseries guest under Debian's QEMU in the host.
# (Under TCG: after the 6.12 runs, below.)
# ... as users run it: under KVM-HV, which writes our tables without
# MAP_DMA, and a small VMM for what QEMU does not do.
vm powernv8 kvm 900 "$nested_initrd"
vm powernv9 kvm 900 "$nested_initrd"
check "bench-table (tests/bench/table.py reads bench-small's and the kvm plan's figures)" \
	"$OUT/bench-table.log" python3 "$TOP/tests/bench/table.py" --require-all \
	"$OUT/vm-powernv8-bench-small.log" "$OUT/vm-powernv8-kvm.log"

# --- guest on Linux 6.12 ---------------------------------------------------
# Debian 13's kernel, 4K and 64K pages: the tree's modules, the test modules
# and DKMS's modules built for it, in an image of its own.  What runs on
# which machine, and why: README, "make check".
K612=$OUT/linux-6.12
if (guest_image 6.12 "$K612" "$OUT/bin") >"$OUT/linux-6.12-image.log" 2>&1; then
	VM_SERIES=6.12 vm powernv8 check 900 "$K612/initramfs.cpio.gz"
	VM_SERIES=6.12 vm powernv8 multifunction 300 "$K612/initramfs.cpio.gz"
	VM_SERIES=6.12 vm powernv8 kvm 900 "$K612/initramfs-nested.cpio.gz"
else
	result FAIL "the Linux 6.12 guest image" "$OUT/linux-6.12-image.log"
fi
K612_64K=$OUT/linux-6.12-64k
if (guest_image 6.12-64k "$K612_64K" "$OUT/bin") >"$OUT/linux-6.12-64k-image.log" 2>&1; then
	VM_SERIES=6.12-64k vm powernv8 check 900 "$K612_64K/initramfs.cpio.gz"
else
	result FAIL "the Linux 6.12-64k guest image" "$OUT/linux-6.12-64k-image.log"
fi

# --- the debug kernel (lane B built it) -----------------------------------
# fail-nth needs the kernel's fault injection, which Debian's kernels lack:
# every allocation of the v2 and v1 sequences failed in turn, under
# panic_on_warn, lockdep and kmemleak.  The debug plan's other tests, the
# in-tree backend's fail-nth, the TCG nested guest and 6.12 on powernv9 run
# in make check-debug, on a second machine (README, "make check").
while [ ! -e "$OUT/debug-kernel.rc" ] && kill -0 "$lane_b_pid" 2>/dev/null; do sleep 5; done
if [ "$(cat "$OUT/debug-kernel.rc" 2>/dev/null)" = 0 ] &&
	(debug_image "$OUT/linux-6.1-debug" "$OUT/bin") >"$OUT/debug-image.log" 2>&1; then
	result PASS "debug kernel $(load_kernel 6.1-debug && echo "$KVER") (lockdep, kmemleak, fault injection; $OUT/debug-kernel.log)"
	VM_SERIES=6.1-debug vm powernv8 fail-nth 1800 "$OUT/linux-6.1-debug/initramfs.cpio.gz"
else
	result FAIL "the debug kernel and its image" \
		"$([ -s "$OUT/debug-image.log" ] && echo "$OUT/debug-image.log" || echo "$OUT/debug-kernel.log")"
fi

# KUnit little-endian on 6.12 here, with both cores if lane B is done.
jobs=1
kill -0 "$lane_b_pid" 2>/dev/null || jobs=$(nproc)
KUNIT_JOBS=$jobs kunit_one le 6.12
wait "$lane_b_pid"
trap - EXIT
kunit_result be 6.1
kunit_result le 6.12

# The patterns written through our windows, by the userspace NVMe driver
# (at 16 MiB) and by the KVM guest's nvme driver, read from the disk images
# by the host: DMA reached the device for real.
for m in powernv8 powernv9; do
	check "$m: disk image holds the pattern written through the DDW" "$OUT/pattern-$m.log" \
		python3 "$TOP/tests/testbed/check-pattern.py" "$WORK/$m-check-nvme.img" 8
done
# Both boots of the KVM guest, on spapr-tce-v2 (32, 40) and in-tree (48, 56).
for m in powernv8 powernv9; do
	for at in 32 40 48 56; do
		check "$m: disk image holds what the KVM guest wrote at $at MiB" "$OUT/pattern-kvm-$m-$at.log" \
			python3 "$TOP/tests/testbed/check-pattern.py" "$WORK/$m-kvm-nvme.img" 8 $at
	done
done

# The harness itself: a module that fails to load, one that WARNs and a test
# that hangs must each fail their run.
vm_selftest() {
	local out=$OUT/vm-powernv8-selftest.out
	! bash "$TOP/tests/testbed/run-vm.sh" -i "$initrd" -p selftest -t 300 \
		-l "$OUT/vm-selftest.log" >"$out" 2>&1 &&
		grep -q '^powernv8: FAIL harness-load-fail' "$out" &&
		grep -q '^powernv8: FAIL kernel-report' "$out" &&
		grep -q 'ddw_harness_warn: deliberate warning' "$OUT/vm-selftest.log" &&
		grep -q '^powernv8: FAIL harness-warn' "$out"
}
check "harness-catches-load-failure-and-warn" "$OUT/vm-powernv8-selftest.out" vm_selftest
vm_hang() {
	! bash "$TOP/tests/testbed/run-vm.sh" -i "$initrd" -p selftest-hang -t 40 \
		-l "$OUT/vm-hang.log" >"$OUT/vm-hang.out" 2>&1 &&
		grep -q '^powernv8: FAIL vm-timeout' "$OUT/vm-hang.out"
}
check "harness-catches-timeout" "$OUT/vm-hang.out" vm_hang

kmake clean >/dev/null
echo "spapr-ddw $VERSION on Debian kernels:"
for s in 6.1 6.12 6.12-64k; do
	(load_kernel "$s" && echo "  $s: $KVER ($KPKG)")
done
echo "What the reliability tests measured, each run (a FAIL above says what broke):"
grep -h ': FIGURES ' "$OUT"/vm-*.out | sed 's/: FIGURES /: /; s/^/  /'
summary
