# Real device DMA through spapr-tce-v2's windows: a userspace NVMe driver
# identifies the controller and writes then reads back 8 MiB through the
# default 32-bit window (4K TCEs) of a v1 container (pages pinned at map
# time) and of a v2 one, then through dynamic windows of 64K pages with 1, 2
# and 3 table levels; the kernel's nvme driver then reads the disk and finds
# the same data, and the host's data before it untouched.  Then the same on
# hugepages in IOMMU pages as large, where the PE offers them.
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
bdf=$(nvme_bdf)
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
out=$(DDW_V1=1 /tests/bin/nvme_vfio "$bdf" SPAPRDDW0001 0 1 8 2>&1)
rc=$?
echo "$out" | grep -E '^(ok|FAILED|  )' | grep -v 'DMA memory for' | sed "s/^/v1 container, window 0:1: /"
[ $rc -eq 0 ] || fail "v1 container: the NVMe did not work through the default window"
for w in 0:1 16:1 16:2 16:3; do
	out=$(DDW_PATTERN_OUT=/tmp/pattern.bin /tests/bin/nvme_vfio "$bdf" SPAPRDDW0001 \
		"${w%:*}" "${w#*:}" 8 2>&1)
	rc=$?
	echo "$out" | grep -E '^(ok|FAILED|  )' | grep -v 'DMA memory for' | sed "s/^/window $w: /"
	[ $rc -eq 0 ] || fail "window $w: the NVMe did not work through it"
done
# Hugepage-backed memory in IOMMU pages as large (16M on POWER8, 2M on
# POWER9 with radix), if the PE offers that size.
hp_kb=$(sed -n 's/^Hugepagesize: *\([0-9]*\) kB/\1/p' /proc/meminfo)
if [ -n "$hp_kb" ]; then
	hp_shift=$(awk -v k="$hp_kb" 'BEGIN { s = 10; while (2 ^ s < k * 1024) s++; print s }')
	hp_name=$(awk -v k="$hp_kb" 'BEGIN { if (k >= 1048576) print k / 1048576 "G"; else print k / 1024 "M" }')
	if grep -A3 "^group $grp:" /sys/kernel/debug/spapr_ddw/pes | grep -q "page_sizes:.* $hp_name"; then
		echo 8 >/proc/sys/vm/nr_hugepages
		out=$(DDW_HUGE=1 /tests/bin/nvme_vfio "$bdf" SPAPRDDW0001 "$hp_shift" 1 8 2>&1)
		rc=$?
		echo "$out" | grep -E '^(ok|FAILED|  )' | grep -v 'DMA memory for' | sed "s/^/hugepages $hp_name: /"
		echo 0 >/proc/sys/vm/nr_hugepages
		[ $rc -eq 0 ] || fail "$hp_name IOMMU pages on hugepages: the NVMe did not work"
	else
		echo "hugepages of $hp_name: the PE does not offer that IOMMU page size"
	fi
else
	echo "hugepages: this kernel has none to give"
fi
rmmod spapr_tce_ddw || fail "spapr_tce_ddw does not unload"
md5=$(nvme_md5) || fail "nvme cannot read after"
[ "$md5" = "$DDW_DISK_MD5" ] || fail "the host's data was overwritten ($md5)"
ns=$(ls /sys/bus/pci/devices/$bdf/nvme/nvme*/ | grep -m1 '^nvme[0-9]*n1$')
disk=$(dd if=/dev/$ns bs=1M skip=16 count=8 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
want=$(md5sum </tmp/pattern.bin | cut -d' ' -f1)
[ "$disk" = "$want" ] || fail "the kernel's nvme reads $disk at 16 MiB, we wrote $want"
echo "the kernel's nvme driver reads the pattern written through the DDW: md5 $disk"
