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

# run_nested_guest BDF: Debian's QEMU (TCG) boots a pseries guest with the
# same Debian kernel and BDF assigned with vfio-pci; the container is
# whichever backend takes it.  When the guest says it is done, the state of
# every spapr-tce-v2 container goes to /tmp/nested.state, then the guest
# powers off.  Leaves the console in /tmp/nested.log, NESTED_RC (QEMU's
# exit status) and NESTED_SECS (QEMU start to the guest done).
run_nested_guest() {
	log=/tmp/nested.log
	rm -f /tmp/nested.in /tmp/nested.state
	: >"$log.raw"
	mkfifo /tmp/nested.in
	# Read-write: opening does not wait for a reader; QEMU's stdin stays open.
	exec 3<>/tmp/nested.in
	# TCG on a POWER8 CPU: the Spectre mitigations TCG cannot emulate are
	# off rather than warned about.  VOF, not SLOF: boots in seconds.
	start=$(date +%s)
	LD_LIBRARY_PATH=/lib/powerpc64le-linux-gnu /usr/bin/qemu-system-ppc64 \
		-M pseries,x-vof=on,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off,cap-large-decr=off \
		-cpu POWER8 -smp 1 -m "$NESTED_RAM,slots=1,maxmem=$NESTED_MAXMEM" -accel tcg,tb-size=256 \
		-nodefaults -display none -monitor none -serial stdio -no-reboot \
		-kernel /nested/vmlinux -initrd /nested/initramfs.cpio.gz \
		-append "console=hvc0 quiet panic=-1 ddw.disk_md5=$DDW_DISK_MD5 ddw.pattern=$NESTED_PATTERN_AT_MIB:$NESTED_PATTERN_MIB" \
		-device "vfio-pci,host=$1" <&3 >"$log.raw" 2>&1 &
	qpid=$!
	deadline=$((start + 780))
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
