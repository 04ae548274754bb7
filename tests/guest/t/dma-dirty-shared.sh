# What a device writes into a shared file mapping must reach the file: the
# userspace NVMe driver's memory is a MAP_SHARED mapping of the second
# NVMe's block device (kernel nvme driver), pre-registered, mapped in a DDW
# and written back clean; the first NVMe then reads 2 MiB into it by DMA.
# After the container closes (UNMAP_DMA of the window: the pages must be
# dirtied as the kernel dirties them) and the program exits: sync, drop
# the page cache, and read the disk with O_DIRECT.  Run on spapr-tce-v2;
# the in-tree backend's result on the same run is printed beside it, and
# what each run did to the kernel's count of dirty pages once its pages
# left the page cache: a page dirtied behind its mapping's back is counted
# out and never in (ours must leave the count where it was).
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
bdf=$(nvme_bdf)
bdf2=$(nvme_bdf 2) || skip "no second NVMe on this machine"
modprobe nvme || fail "modprobe nvme failed"
bind_driver "$bdf2" nvme || fail "nvme did not bind $bdf2"
ns=
for i in $(seq 100); do
	ns=$(ls /sys/bus/pci/devices/$bdf2/nvme/nvme*/ 2>/dev/null | grep -m1 '^nvme[0-9]*n1$')
	[ -n "$ns" ] && [ -b "/dev/$ns" ] && break
	sleep 0.1
done
[ -b "/dev/$ns" ] || fail "no block device for $bdf2"

# MiB the device reads into the mapping (it and the rest fit in 16 MiB).
mib=2
# run_dirty BACKEND: prints "kept" or "lost" for the DMA-written data,
# "refused" if pre-registration refuses the mapping (EFAULT), else "failed".
run_dirty() {
	dd if=/dev/zero of=/dev/$ns bs=1M count=16 oflag=direct 2>/dev/null
	out=$(DDW_MEM_FILE=/dev/$ns DDW_PATTERN_OUT=/tmp/dirty.bin \
		/tests/bin/nvme_vfio "$bdf" SPAPRDDW0001 "$(page_shift)" 1 $mib 2>&1)
	rc=$?
	echo "$out" | grep -E '^(ok|FAILED|read buffer)' | grep -v 'DMA memory for' | sed "s/^/$1: /" >&2
	echo "$out" | grep -q '^FAILED: REGISTER_MEMORY: -14 ' && { echo refused; return; }
	[ $rc -eq 0 ] || { echo "failed"; return; }
	off=$(echo "$out" | sed -n 's/^read buffer at file offset //p')
	sync
	echo 3 >/proc/sys/vm/drop_caches
	got=$(dd if=/dev/$ns bs=4096 skip=$((off / 4096)) count=$((mib * 256)) iflag=direct 2>/dev/null |
		md5sum | cut -d' ' -f1)
	want=$(md5sum </tmp/dirty.bin | cut -d' ' -f1)
	[ "$got" = "$want" ] && echo kept || echo "lost"
}

# The dirty pages' count (NR_FILE_DIRTY), once the run's pages left the
# page cache: a page marked dirty without telling its mapping is counted
# out when it goes, never in, and the count ends below where it was.
# The count reads below zero for a while after disk writes here: the value
# two readings a second apart agree on (20 s at most).
nr_dirty_after() {
	local prev= now i
	sync
	dd if=/dev/zero of=/dev/$ns bs=1M count=16 oflag=direct 2>/dev/null
	echo 3 >/proc/sys/vm/drop_caches
	for i in $(seq 20); do
		echo 1 >/proc/sys/vm/stat_refresh
		now=$(sed -n 's/^nr_dirty //p' /proc/vmstat)
		[ "$now" = "$prev" ] && break
		prev=$now
		sleep 1
	done
	echo "$now"
}
d0=$(nr_dirty_after)
modprobe vfio_iommu_spapr_tce || fail "modprobe vfio_iommu_spapr_tce failed"
intree=$(run_dirty in-tree)
rmmod vfio_iommu_spapr_tce
d1=$(nr_dirty_after)
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
ours=$(run_dirty spapr-tce-v2)
rmmod spapr_tce_ddw || fail "spapr_tce_ddw does not unload"
d2=$(nr_dirty_after)
echo "data the device wrote, after sync and drop_caches: spapr-tce-v2 $ours, in-tree $intree"
echo "nr_dirty moved by the run: spapr-tce-v2 $((d2 - d1)), in-tree $((d1 - d0)) (pages dirtied without their mapping knowing)"
[ "$d2" -eq "$d1" ] || fail "spapr-tce-v2 left nr_dirty at $d2 (before its run $d1)"
# Since Linux 6.5 the kernel refuses a long-term writable pin of a file
# mapping that needs dirty tracking (writable_file_mapping_allowed()), so
# neither backend can pre-register one: nothing to lose.
[ "$ours" = refused ] && [ "$intree" = refused ] &&
	skip "Linux $(kernel_series) refuses pre-registration of a shared file mapping, both backends (EFAULT)"
[ "$ours" = kept ] || fail "spapr-tce-v2: the DMA-written data did not reach the file ($ours)"
