# timeout: 600
# Real device DMA through spapr-tce-v2's windows: a userspace NVMe driver
# identifies the controller and writes then reads back 8 MiB through the
# default 32-bit window (4K TCEs) of a v1 container (pages pinned at map
# time) and of a v2 one, then through dynamic windows of 4K pages (2 levels)
# and of 64K pages with 1, 2 and 3 table levels (and with the memory
# registered in three pieces, mapped at once); the kernel's nvme driver
# then reads the disk and finds the same data, and the host's data before
# it untouched.  (Hugepages: dma-nvme-hugepages.)
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
bdf=$(nvme_bdf)
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
out=$(DDW_V1=1 /tests/bin/nvme_vfio "$bdf" SPAPRDDW0001 0 1 8 2>&1)
rc=$?
echo "$out" | grep -E '^(ok|FAILED|  )' | grep -v 'DMA memory for' | sed "s/^/v1 container, window 0:1: /"
[ $rc -eq 0 ] || fail "v1 container: the NVMe did not work through the default window"
# 64K IOMMU pages on a 4K kernel need hugetlb memory, and pre-registering
# the 20 MiB this driver uses (two 16 MiB hugepages) does not return on
# 6.12 in the emulated POWER8: pin_user_pages(FOLL_LONGTERM) loops through
# hugetlb_fault() (README, "Supported kernels").  There the windows have the
# kernel's page size.
rows="0:1 12:2 16:1 16:2 16:3"
[ "$(page_kb)" -ge 64 ] ||
	{ rows="0:1 12:1 12:2 12:3"; echo "windows of 64K pages: not run on a 4K kernel (see above)"; }
for w in $rows; do
	out=$(DDW_PATTERN_OUT=/tmp/pattern.bin /tests/bin/nvme_vfio "$bdf" SPAPRDDW0001 \
		"${w%:*}" "${w#*:}" 8 2>&1)
	rc=$?
	echo "$out" | grep -E '^(ok|FAILED|  )' | grep -v 'DMA memory for' | sed "s/^/window $w: /"
	[ $rc -eq 0 ] || fail "window $w: the NVMe did not work through it"
done
# Memory registered in three adjacent pieces, mapped with one MAP_DMA.
w=$(page_shift):2
out=$(DDW_PREREG_PIECES=3 /tests/bin/nvme_vfio "$bdf" SPAPRDDW0001 "${w%:*}" 2 8 2>&1)
rc=$?
echo "$out" | grep -E '^(ok|FAILED|  )' | grep -v 'DMA memory for' | sed "s/^/3 registrations, window $w: /"
[ $rc -eq 0 ] || fail "one MAP_DMA over three registrations: the NVMe did not work through it"
rmmod spapr_tce_ddw || fail "spapr_tce_ddw does not unload"
md5=$(nvme_md5) || fail "nvme cannot read after"
[ "$md5" = "$DDW_DISK_MD5" ] || fail "the host's data was overwritten ($md5)"
ns=$(ls /sys/bus/pci/devices/$bdf/nvme/nvme*/ | grep -m1 '^nvme[0-9]*n1$')
disk=$(dd if=/dev/$ns bs=1M skip=16 count=8 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
want=$(md5sum </tmp/pattern.bin | cut -d' ' -f1)
[ "$disk" = "$want" ] || fail "the kernel's nvme reads $disk at 16 MiB, we wrote $want"
echo "the kernel's nvme driver reads the pattern written through the DDW: md5 $disk"
