# SPDX-License-Identifier: GPL-2.0-only
#
# What make check (tests/check.sh) and make check-debug (tests/check-debug.sh)
# share: the counts, a host check, a guest run, a guest image.  Sourced after
# lib.sh, with $OUT set.

pass=0 fail=0 skip=0
failed=()	# what failed, repeated at the end where CI's tail shows it
result() {	# result PASS|FAIL NAME [DETAIL FILE]
	if [ "$1" = PASS ]; then
		pass=$((pass + 1))
		echo "PASS host: $2"
	else
		fail=$((fail + 1))
		failed+=("host: $2")
		echo "FAIL host: $2"
		[ -n "${3:-}" ] && tail -n 30 "$3" | sed 's/^/    | /'
	fi
}
check() {	# check NAME LOG COMMAND...: pass iff COMMAND succeeds
	local name=$1 log=$2
	shift 2
	if "$@" >"$log" 2>&1; then result PASS "$name"; else result FAIL "$name" "$log"; fi
}

kmake() { make -C "$TOP" KDIR="$KDIR" ARCH=powerpc CROSS_COMPILE="$CROSS" "$@"; }

vm() {	# vm MACHINE PLAN TIMEOUT INITRD: a VM run, its counts added to ours
	# On Linux $VM_SERIES (6.1 unless set), named MACHINE-SERIES if not 6.1.
	local tag=$1 rc out n
	[ "${VM_SERIES:-6.1}" = 6.1 ] || tag=$1-$VM_SERIES
	out=$OUT/vm-$tag-$2.out
	SPAPR_DDW_KERNEL=${VM_SERIES:-6.1} bash "$TOP/tests/testbed/run-vm.sh" \
		-i "$4" -m "$1" -p "$2" -t "$3" -l "$OUT/vm-$tag-$2.log" >"$out" 2>&1
	rc=$?
	grep -v '^vm: ' "$out"
	pass=$((pass + $(grep -c ': PASS ' "$out")))
	skip=$((skip + $(grep -c ': SKIP ' "$out")))
	# No summary line: run-vm.sh itself failed; count it.
	n=$(sed -n 's/^vm: [0-9]* passed, \([0-9]*\) failed$/\1/p' "$out")
	fail=$((fail + ${n:-1}))
	[ -n "$n" ] || failed+=("$tag: run-vm.sh gave no summary ($out)")
	mapfile -t -O ${#failed[@]} failed < <(grep -E '^[a-z0-9.-]+: FAIL ' "$out" | cut -c 1-160)
	return $rc
}

# The guest image of kernel series SERIES in DIR: the tree's modules, the
# test modules (DKMS's too if DIR/dkms-ko exists) and the test programs of
# BIN; DIR/initramfs.cpio.gz, and DIR/initramfs-nested.cpio.gz with the
# nested guest's payload.  Leaves the tree built for SERIES.  A subshell:
# its kernel series stays its own.
guest_image() (	# guest_image SERIES DIR BIN
	export SPAPR_DDW_KERNEL=$1
	load_kernel
	kmake clean >/dev/null && kmake W=1 modules || return 1
	make -C "$KDIR" M="$TOP/tests/harness/modules" ARCH=powerpc CROSS_COMPILE="$CROSS" \
		modules || return 1
	mkdir -p "$2/harness-ko"
	cp "$TOP"/tests/harness/modules/*.ko "$2/harness-ko/"
	make -C "$KDIR" M="$TOP/tests/harness/modules" clean >/dev/null
	bash "$TOP/tests/kmod/build.sh" "$2/kmod" || return 1
	local x=("$2/harness-ko=/harness" "$3=/tests/bin" "$2/kmod=/tests/kmod")
	[ -d "$2/dkms-ko" ] && x+=("$2/dkms-ko=/dkms")
	bash "$TOP/tests/testbed/mkinitramfs.sh" "$2/initramfs.cpio.gz" "${x[@]}" &&
	bash "$TOP/tests/testbed/mknested.sh" "$2/nested" "$3/pattern" &&
	bash "$TOP/tests/testbed/mkinitramfs.sh" "$2/initramfs-nested.cpio.gz" "${x[@]}" \
		"$2/nested=/"
)

# The debug kernel's image in DIR (modules and the test programs of BIN).
debug_image() (	# debug_image DIR BIN
	export SPAPR_DDW_KERNEL=6.1-debug
	load_kernel
	mkdir -p "$1"
	kmake clean >/dev/null && kmake W=1 modules || return 1
	bash "$TOP/tests/testbed/mkinitramfs.sh" "$1/initramfs.cpio.gz" "$2=/tests/bin"
)

summary() {	# the last lines; the exit status
	[ ${#failed[@]} -eq 0 ] || printf 'failed: %s\n' "${failed[@]}"
	echo "$pass passed, $fail failed, $skip skipped (each SKIP line says why)"
	[ "$fail" -eq 0 ]
}
