# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the guest tests; sourced.

# Print the kernel messages logged since the last call at warning level or
# above (raw level 0..4), and clear the buffer.  Out-of-tree module loading
# warns once by design; that line is expected, and so are those the test
# named with kmsg_allow.
kernel_warnings() {
	dmesg -r -c >/tmp/kmsg.now
	cat /tmp/kmsg.now >>/tmp/all.kmsg-all
	echo 'loading out-of-tree module taints kernel\.$' >>"$KMSG_ALLOW"
	# vfio-pci asks for D3hot, QEMU's NVMe refuses (info level); printk's
	# rate limit then reports the suppressed copies at warning level.
	echo 'pci_set_low_power_state: [0-9]+ callbacks suppressed$' >>"$KMSG_ALLOW"
	# Writing /proc/sys/vm/stat_refresh (the pin counters are read after
	# it) warns while the dirty count reads below zero, as it does for a
	# while after disk writes here (-127, with either backend or none);
	# dma-dirty-shared checks what ours does to that count.
	echo 'vmstat_refresh: nr_dirty -[0-9]+$' >>"$KMSG_ALLOW"
	grep '^<[0-4]>' /tmp/kmsg.now | grep -E -v -f "$KMSG_ALLOW"
}

fail() { echo "$*"; exit 1; }
skip() { echo "$*"; exit 77; }

# The system's NVMe controllers (PCI class 0x010802): nvme_bdf prints the
# first, the one whose disk the host filled; nvme_bdf 2 the second.
nvme_bdf() {
	n=0
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/class")" = 0x010802 ] || continue
		n=$((n + 1))
		[ $n -eq "${1:-1}" ] && { basename "$d"; return 0; }
	done
	return 1
}

# The IOMMU page sizes each emulated machine's PHB offers.
expected_pgsizes() {
	case "$DDW_MACHINE" in
	powernv8) echo " 4K 64K 16M 256M" ;;
	powernv9) echo " 4K 64K 2M 1G" ;;
	*) echo "?" ;;
	esac
}

# The whole kernel log since boot (the runner clears the ring buffer).
klog() {
	cat /tmp/all.kmsg-all 2>/dev/null
	dmesg -r
}

# Let a test expect a kernel message at warning level (an extended regex).
kmsg_allow() {
	echo "$1" >>"$KMSG_ALLOW"
}

# bind_driver BDF DRIVER: bind the device to DRIVER (unbinding it first);
# succeeds iff DRIVER ends up bound.
bind_driver() {
	d=/sys/bus/pci/devices/$1
	keep=$(cat "$d/driver_override")
	[ -e "$d/driver" ] && echo "$1" >"$d/driver/unbind"
	echo "$2" >"$d/driver_override"
	echo "$1" >/sys/bus/pci/drivers_probe 2>/dev/null
	# Back to what init set: no driver binds the device by itself.
	[ "$keep" = "(null)" ] && keep=
	echo "$keep" >"$d/driver_override"
	[ "$(basename "$(readlink "$d/driver")")" = "$2" ]
}

mod_loaded() { [ -d "/sys/module/$1/sections" ]; }

# The kernel series the guest runs: 6.1 or 6.12.  On 6.12 the kernel's own
# IOMMU ops serve PowerNV: vfio-pci binds without pnv_ioda2_ddw.
kernel_series() { uname -r | cut -d. -f1,2; }

# The kernel's page size in KiB: 64 (Debian 12's 6.1, Debian 13's -64k
# flavour) or 4 (Debian 13's 6.12).
page_kb() { sed -n 's/^KernelPageSize: *\([0-9]*\) kB$/\1/p' /proc/self/smaps | head -n 1; }
page_shift() { s=10; while [ $((1 << s)) -lt $(($(page_kb) * 1024)) ]; do s=$((s + 1)); done; echo $s; }

# hugepages_reserve N: N hugepages for MAP_HUGETLB; prints their size in KiB,
# or nothing (fails) where the kernel has none (the TCG POWER9 guest).
# hugepages_reserve 0 gives them back.
hugepages_reserve() {
	kb=$(sed -n 's/^Hugepagesize: *\([0-9]*\) kB$/\1/p' /proc/meminfo)
	[ -n "$kb" ] || return 1
	echo "$1" >/proc/sys/vm/nr_hugepages
	[ "$(cat /proc/sys/vm/nr_hugepages)" -eq "$1" ] || return 1
	echo "$kb"
}

# The two NVMe functions of one slot the multifunction plan adds: sets f0
# and f1 (BDFs), or fails.  A test using them holds its holder's pid in
# $holder; on exit the holder is let go (/tmp/go) and a rescan brings back
# what the test removed.
mf_functions() {
	f1=
	for d in /sys/bus/pci/devices/*.1; do
		[ "$(cat "$d/class" 2>/dev/null)" = 0x010802 ] && f1=$(basename "$d")
	done
	[ -n "$f1" ] || return 1
	f0=${f1%.1}.0
	holder=
	trap mf_cleanup EXIT
}
mf_cleanup() {
	touch /tmp/go
	[ -n "$holder" ] && wait $holder
	echo 1 >/sys/bus/pci/rescan
}
group_of() { basename "$(readlink /sys/bus/pci/devices/$1/iommu_group)"; }

# hold_start hold|hold-mapped GROUP FILE: vfio_spapr holds GROUP in the
# background until FILE exists; returns once it holds, its pid in $holder.
# Tests that hold a kernel call in a stall module (tests/kmod/ddw_*_stall.c)
# while a VFIO program runs in the background as $holder.  stall_begin
# MODULE: $st names its "stalled" parameter, stall_cleanup is the EXIT trap.
# stall_wait PARAM: until the parameter leaves 0 (10 s at most).
# stall_cleanup MODULE: lets the holder go, unloads the module.
stall_begin() {
	st=/sys/module/$1/parameters/stalled
	holder=
	trap "stall_cleanup $1" EXIT
}
stall_wait() {
	i=0
	while [ "$(cat "$1")" = 0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
stall_cleanup() {
	touch /tmp/go
	[ -n "${holder:-}" ] && wait "$holder"
	mod_loaded "$1" && rmmod "$1"
}

hold_start() {
	rm -f "$3" "$3.ready"
	/tests/bin/vfio_spapr "$1" "$2" "$3" >/tmp/hold.log 2>&1 &
	holder=$!
	i=0
	while [ ! -e "$3.ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$3.ready" ] || { cat /tmp/hold.log; fail "holder did not start"; }
}

# The NVMe bound to vfio-pci with pnv_ioda2_ddw loaded; prints its group.
nvme_to_vfio() {
	bdf=$(nvme_bdf) || fail "no NVMe"
	modprobe pnv_ioda2_ddw || fail "modprobe pnv_ioda2_ddw failed"
	modprobe vfio-pci || fail "modprobe vfio-pci failed"
	bind_driver "$bdf" vfio-pci || fail "vfio-pci did not bind $bdf"
	basename "$(readlink /sys/bus/pci/devices/$bdf/iommu_group)"
}

# nvme_md5: md5 of the first 4 MiB of the NVMe namespace, read by the
# kernel's nvme driver (binds it first).  The host wrote random data there
# and passed its md5 as ddw.disk_md5.
nvme_md5() {
	bdf=$(nvme_bdf) || return 1
	modprobe nvme || return 1
	bind_driver "$bdf" nvme || return 1
	i=0
	while [ $i -lt 100 ]; do
		ns=$(ls /sys/bus/pci/devices/$bdf/nvme/nvme*/ 2>/dev/null | grep -m1 '^nvme[0-9]*n1$')
		[ -n "$ns" ] && [ -b "/dev/$ns" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	[ -n "$ns" ] || return 1
	dd if="/dev/$ns" bs=1M count=4 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1
}

# app_sequence v1|v2|qemu|dpdk: that sequence of vfio_spapr (the v1 or v2
# uAPI, or an application's sPAPR calls step for step) on spapr-tce-v2;
# the NVMe then works with nvme again.
app_sequence() {
	grp=$(nvme_to_vfio) || exit 1
	modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
	DDW_EXPECT_BACKEND=spapr-tce-v2 /tests/bin/vfio_spapr "$1-sequence" "$grp" ||
		fail "$1 sequence failed"
	ls /sys/kernel/debug/spapr_ddw/vfio | grep -q container- && fail "container left in debugfs"
	rmmod spapr_tce_ddw || fail "spapr_tce_ddw does not unload"
	md5=$(nvme_md5) || fail "nvme cannot read after"
	[ "$md5" = "$DDW_DISK_MD5" ] || fail "nvme read $md5, host wrote $DDW_DISK_MD5"
}

# The seed's scenario, run by nested-ddw and the demo.  Where the nested
# guest writes its pattern (passed to tests/guest/nested/init):
NESTED_PATTERN_AT_MIB=32
NESTED_PATTERN_MIB=8
# The nested guest's RAM and the most it might hotplug: the guest sizes its
# DDW for the latter, so QEMU asks for a 256 GiB window of 64K pages, a
# table large enough (32 MiB) that QEMU's guess gives it two levels.
NESTED_RAM=512M
NESTED_MAXMEM=128G

# run_nested_guest BDF: Debian's QEMU boots a pseries guest with the same
# Debian kernel and BDF assigned with vfio-pci; the container is whichever
# backend takes it.  NESTED_ACCEL=kvm runs it under KVM-HV (the host's
# kvm-hv must be loaded): QEMU then hands the group to KVM's in-kernel TCE
# tables, and the guest's H_PUT_TCE reach our tables without MAP_DMA.  Else
# TCG.  NESTED_APPEND: more of the guest's command line (ddw.bench=AT:MIB,
# disable_ddw).  NESTED_BOOTS=2: the guest reboots once (QEMU resets the machine and
# its DMA windows).  NESTED_PATTERN_AT_MIB: where the guest writes.  When
# the guest says it is done, the state of every spapr-tce-v2 container goes
# to /tmp/nested.state, then the guest powers off.  Leaves the console in
# /tmp/nested.log, NESTED_RC (QEMU's exit status) and NESTED_SECS (QEMU
# start to the guest done).
run_nested_guest() {
	log=/tmp/nested.log
	rm -f /tmp/nested.in /tmp/nested.state
	: >"$log.raw"
	mkfifo /tmp/nested.in
	# Read-write: opening does not wait for a reader; QEMU's stdin stays open.
	exec 3<>/tmp/nested.in
	# The Spectre mitigations neither TCG nor the emulated POWER8 provide
	# are off rather than warned about.  VOF, not SLOF: boots in seconds.
	caps=cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off,cap-large-decr=off
	accel="-accel tcg,tb-size=256 -cpu POWER8"
	# Under TCG the guest kernel's first clear of its 1 GiB default window
	# (iommu_table_clear(): H_STUFF_TCE 512 entries at a time, in a loop
	# that never reschedules) is 262,144 UNMAP_DMA calls from QEMU: 20 to
	# 40 s under two levels of emulation, a fraction of a second on
	# hardware, and past the 20 s after which the guest reports a soft
	# lockup.  Its longest threshold (120 s) still catches a real hang.
	wd=watchdog_thresh=60
	# Under KVM-HV the guest's CPU is the host's; QEMU's trace shows each
	# group handed to KVM's TCE tables.
	[ "${NESTED_ACCEL:-tcg}" = kvm ] &&
		accel="-accel kvm -cpu host -trace vfio_spapr_group_attach" caps=$caps,cap-htm=off wd=
	# KVM-HV on a 4K host cannot back the guest's 64K pages (QEMU's default),
	# and its real-mode area then spans 32 4K pages per hash group: an HPT
	# sized for the RAM allows a quarter of it.  One sized for maxmem (fixed:
	# resize-hpt=disabled), and a maxmem that keeps that HPT small (32 MiB).
	maxmem=$NESTED_MAXMEM
	if [ "${NESTED_ACCEL:-tcg}" = kvm ] && [ "$(page_kb)" -lt 64 ]; then
		caps=$caps,cap-hpt-max-page-size=4k,resize-hpt=disabled maxmem=4G
	fi
	reboot=-no-reboot
	[ "${NESTED_BOOTS:-1}" -gt 1 ] && reboot=
	start=$(date +%s)
	LD_LIBRARY_PATH=/lib/powerpc64le-linux-gnu /usr/bin/qemu-system-ppc64 \
		-M pseries,x-vof=on,$caps $accel \
		-smp 1 -m "$NESTED_RAM,slots=1,maxmem=$maxmem" \
		-nodefaults -display none -monitor none -serial stdio $reboot \
		-kernel /nested/vmlinux -initrd /nested/initramfs.cpio.gz \
		-append "console=hvc0 quiet panic=-1 $wd ddw.disk_md5=$DDW_DISK_MD5 ddw.pattern=$NESTED_PATTERN_AT_MIB:$NESTED_PATTERN_MIB ddw.boots=${NESTED_BOOTS:-1} ${NESTED_APPEND:-}" \
		-device "vfio-pci,host=$1" <&3 >"$log.raw" 2>&1 &
	qpid=$!
	deadline=$((start + 1080))
	while kill -0 $qpid 2>/dev/null && ! grep -q '^nested: done' "$log.raw"; do
		[ "$(date +%s)" -lt $deadline ] || { kill $qpid; break; }
		sleep 1
	done
	NESTED_SECS=$(($(date +%s) - start))
	cat /sys/kernel/debug/spapr_ddw/vfio/container-*/state >/tmp/nested.state 2>/dev/null
	echo go >&3
	wait $qpid
	NESTED_RC=$?
	exec 3>&-
	tr -d '\r' <"$log.raw" >"$log"
}

# nested_bench BACKEND ROUND KIND: the nested guest's O_DIRECT figures
# (ddw.bench) from /tmp/nested.log as "bench| BACKEND ROUND
# nested_KIND_write_mbs MB/s" (and read) on the console, for
# tests/bench/table.py; fails if the guest printed none.
nested_bench() {
	local n
	n=$(awk -v b="$1" -v r="$2" -v k="$3" '$1 == "nested-bench" && $4 > 0 {
		printf "bench| %s %s nested_%s_%s_mbs %.1f\n", b, r, k, $2, $3 * 1.048576 * 100 / $4 }' \
		/tmp/nested.log | tee -a /tmp/bench.all | tee /dev/console | wc -l)
	[ "$n" -eq 2 ] || fail "the nested guest gave $n of its 2 O_DIRECT figures ($1, $3)"
}

# nested_log_check BOOTS: the nested guest finished each boot with every
# check passed, QEMU exited 0 and the guest's kernel stayed silent.
nested_log_check() {
	grep -q '^nested: done' /tmp/nested.log || { tail -n 40 /tmp/nested.log; fail "the nested guest did not finish"; }
	[ "$NESTED_RC" -eq 0 ] || fail "QEMU exited with $NESTED_RC"
	bad='WARNING: CPU: |BUG: |Oops: |Kernel panic|Call Trace:'
	if grep -E -q "$bad" /tmp/nested.log; then
		grep -E -B 2 -A 20 "$bad" /tmp/nested.log | head -n 40
		fail "the nested guest's kernel reported a problem"
	fi
	grep -q '^nested-FAIL' /tmp/nested.log && fail "the nested guest failed a check"
	for c in probe ddw read write; do
		[ "$(grep -c "^nested-PASS $c:" /tmp/nested.log)" -eq "$1" ] ||
			fail "the nested guest did not pass $c in each of its $1 boot(s)"
	done
	[ "$1" -eq 1 ] || grep -q '^nested-PASS reread:' /tmp/nested.log ||
		fail "boot 2 did not find boot 1's pattern"
}

# Pages pinned (FOLL_PIN) and not yet unpinned, system-wide; the counters
# are kept per CPU until folded.
pins_held() {
	echo 1 >/proc/sys/vm/stat_refresh
	echo $(($(sed -n 's/^nr_foll_pin_acquired //p' /proc/vmstat) -
		$(sed -n 's/^nr_foll_pin_released //p' /proc/vmstat)))
}

# Pins held above $1, after waiting up to 10 s for them to settle:
# mm_iommu unpins a region from an RCU callback.
pins_left() {
	i=0
	while [ "$(pins_held)" -ne "$1" ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
	echo $(($(pins_held) - $1))
}

# A byte count for people: 274877906944 -> "256 GiB" (exact units only).
human_bytes() {
	v=$1
	for u in B KiB MiB GiB TiB; do
		if [ "$v" -lt 1024 ] || [ $((v % 1024)) -ne 0 ]; then
			echo "$v $u"
			return
		fi
		v=$((v / 1024))
	done
	echo "$v PiB"
}

# The window lines of a container state, for people: "window 1: bus 0x..,
# 256 GiB in 64 KiB pages, 2 level(s), table 81920 bytes, 8192 entries used".
windows_readable() {
	sed -n 's/^window \([0-9]*\): bus \(0x[0-9a-f]*\) size \(0x[0-9a-f]*\) page_shift \([0-9]*\) levels \([0-9]*\) entries_used \([0-9]*\) table_bytes \([0-9]*\).*/\1 \2 \3 \4 \5 \6 \7/p' "$@" |
	while read -r n bus size ps lv used tb; do
		echo "window $n: bus $bus, $(human_bytes $((size))) in $(human_bytes $((1 << ps))) pages," \
			"$lv level(s), table $tb bytes, $used entries in use"
	done
}

# nested_kvm BACKEND: the seed's scenario as users run it.  The nested guest
# under KVM-HV with the NVMe on BACKEND (spapr-tce-v2 or in-tree) does its
# DMA, reboots, does it again and shuts down; then nothing of it may be
# left: no container, no table of ours, no page pinned, every module free.
nested_kvm() {
	backend=$1
	# QEMU takes the last registered backend that accepts its container.
	modprobe -r spapr_tce_ddw vfio_iommu_spapr_tce 2>/dev/null
	grp=$(nvme_to_vfio) || exit 1
	bdf=$(nvme_bdf)
	modprobe kvm-hv || fail "modprobe kvm-hv failed"
	[ -c /dev/kvm ] || fail "no /dev/kvm"
	if [ "$backend" = in-tree ]; then
		modprobe vfio_iommu_spapr_tce || fail "modprobe vfio_iommu_spapr_tce failed"
	else
		modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
	fi
	pins=$(pins_held)
	# The second boot also times 8 MiB of O_DIRECT past the patterns: the
	# benchmark's figure 8 ("ddw" guest) at make check's size.
	NESTED_ACCEL=kvm NESTED_BOOTS=2 NESTED_APPEND="ddw.bench=64:8" run_nested_guest "$bdf"
	echo "nested guest under KVM-HV on $backend: 2 boots in ${NESTED_SECS}s, QEMU exit status $NESTED_RC"
	grep -E '^(nested|qemu-system)|vfio_spapr_group_attach' /tmp/nested.log | sed 's/^/  /'
	nested_log_check 2
	grep -q 'vfio_spapr_group_attach' /tmp/nested.log ||
		fail "QEMU did not hand the group to KVM's TCE tables"
	nested_bench "$backend" 1 ddw
	if [ "$backend" != in-tree ]; then
		echo "our container while the guest held its windows:"
		sed 's/^/  /' /tmp/nested.state
		grep -q "^groups: $grp\$" /tmp/nested.state || fail "group $grp not in our container"
	fi
	# Released: every pin QEMU's run took is given back, no table of ours
	# lives on (KVM held references to them), the modules unload.
	ls /sys/kernel/debug/spapr_ddw/vfio 2>/dev/null | grep -q container- && fail "container left after QEMU exited"
	left=$(pins_left "$pins")
	echo "pages pinned before QEMU ran and after it exited: $pins, $(pins_held)"
	[ $left -eq 0 ] || fail "$left page pins left after QEMU exited"
	cat /sys/kernel/debug/spapr_ddw/tce_tables
	grep -q '^tables_live: 0$' /sys/kernel/debug/spapr_ddw/tce_tables || fail "TCE tables of ours left"
	modprobe -r kvm-hv || fail "kvm-hv does not unload"
	if [ "$backend" = in-tree ]; then
		rmmod vfio_iommu_spapr_tce || fail "vfio_iommu_spapr_tce does not unload"
	else
		rmmod spapr_tce_ddw || fail "spapr_tce_ddw does not unload"
	fi
	md5=$(nvme_md5) || fail "nvme cannot read after"
	[ "$md5" = "$DDW_DISK_MD5" ] || fail "the host's data changed ($md5)"
	ns=$(ls /sys/bus/pci/devices/$bdf/nvme/nvme*/ | grep -m1 '^nvme[0-9]*n1$')
	want=$(/tests/bin/pattern $NESTED_PATTERN_MIB | md5sum | cut -d' ' -f1)
	for at in $NESTED_PATTERN_AT_MIB $((NESTED_PATTERN_AT_MIB + NESTED_PATTERN_MIB)); do
		disk=$(dd if=/dev/$ns bs=1M skip=$at count=$NESTED_PATTERN_MIB iflag=direct 2>/dev/null |
		       md5sum | cut -d' ' -f1)
		[ "$disk" = "$want" ] || fail "the host reads $disk at $at MiB, the guest wrote $want"
	done
	echo "the host's nvme driver reads both boots' patterns at $NESTED_PATTERN_AT_MIB and $((NESTED_PATTERN_AT_MIB + NESTED_PATTERN_MIB)) MiB"
	rmmod pnv_ioda2_ddw || fail "pnv_ioda2_ddw does not unload"
}
