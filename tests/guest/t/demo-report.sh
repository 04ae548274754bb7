# The report of `make demo`: what the emulated machine has, what the stock
# kernel (6.1 or 6.12) does with VFIO, and what the modules change.  Lines starting "demo| " are
# shown by the host.
. /tests/lib.sh
r() { echo "demo| $*" >/dev/console; }
rcmd() { "$@" 2>&1 | sed 's/^/demo|   /' >/dev/console; }
last_klog() { klog | grep "$1" | tail -n 1 | sed 's/^<[0-9]>\[[ 0-9.]*\] //'; }

r "spapr-ddw $VERSION on an emulated $DDW_MACHINE (QEMU, skiboot firmware)"
r "kernel: Debian $KVER ($KPKG), unmodified"
r ""
r "PCI host bridges (PHBs):"
for d in /sys/firmware/devicetree/base/pciex@*; do
	[ -r "$d/compatible" ] || continue
	r "  $(basename "$d"): $(tr '\0' ' ' <"$d/compatible")"
done
r "PCI devices:"
for d in /sys/bus/pci/devices/*; do
	g=$(basename "$(readlink "$d/iommu_group" 2>/dev/null)" 2>/dev/null)
	r "  $(basename "$d") [$(cat "$d/vendor"):$(cat "$d/device")] class $(cat "$d/class") iommu_group ${g:--}"
done
bdf=$(nvme_bdf) || fail "no NVMe"
grp=$(basename "$(readlink /sys/bus/pci/devices/$bdf/iommu_group)")

r ""
r "1. Stock Debian kernel (Linux $(kernel_series)): bind the NVMe to vfio-pci"
modprobe vfio-pci || fail "modprobe vfio-pci failed"
if bind_driver "$bdf" vfio-pci; then
	r "   bound (this kernel needs no help)"
else
	r "   refused: $(last_klog "vfio-pci: probe of $bdf")"
fi

r ""
r "2. modprobe spapr_tce_ddw (pulls in pnv_ioda2_ddw)"
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
for m in pnv_ioda2_ddw spapr_tce_ddw; do
	r "   $(last_klog "$m: version")"
done
r "   IODA2 PEs and their DMA windows (/sys/kernel/debug/spapr_ddw/pes):"
rcmd cat /sys/kernel/debug/spapr_ddw/pes

r ""
r "3. Bind the NVMe to vfio-pci again"
bind_driver "$bdf" vfio-pci || fail "vfio-pci does not bind with pnv_ioda2_ddw"
r "   bound: /dev/vfio/$grp"

r ""
r "4. The seed's scenario as users run it: Debian's QEMU $(LD_LIBRARY_PATH=/lib/powerpc64le-linux-gnu /usr/bin/qemu-system-ppc64 -version | sed -n '1s/.*version //p')"
r "   under KVM-HV (kvm-hv.ko of this kernel, inside this emulated host) boots"
r "   a pseries guest running the same Debian kernel, $NESTED_RAM of RAM (maxmem"
r "   $NESTED_MAXMEM), -device vfio-pci,host=$bdf, on spapr-tce-v2.  The guest's"
r "   kernel asks for a DDW when its nvme driver sets a 64-bit DMA mask; QEMU"
r "   turns that into TCE_CREATE on our container and hands the group to KVM's"
r "   in-kernel TCE tables, so the guest's H_PUT_TCE write our tables directly."
r "   The guest reboots once (QEMU resets its windows) and does its I/O again."
# QEMU takes the first backend that accepts its container: only ours is here.
if mod_loaded vfio_iommu_spapr_tce; then rmmod vfio_iommu_spapr_tce || fail "rmmod failed"; fi
modprobe kvm-hv || fail "modprobe kvm-hv failed"
klog_lines=$(klog | wc -l)
pins=$(pins_held)
NESTED_ACCEL=kvm NESTED_BOOTS=2 run_nested_guest "$bdf"
r "   the guest says (its console; QEMU's trace shows the group handed to KVM):"
grep -E '^nested|vfio_spapr_group_attach' /tmp/nested.log | sed 's/^/demo|     /' >/dev/console
r "   our container while the guest held its windows (its second boot):"
windows_readable /tmp/nested.state | sed 's/^/demo|     /' >/dev/console
grep -E '^(prereg|prereg_bytes|locked_vm_tables_pages):' /tmp/nested.state | sed 's/^/demo|     /' >/dev/console
ddw=$(grep -E '^window [0-9]+: bus 0x[0-9a-f]{9,} ' /tmp/nested.state | head -n 1)
host_shift=$(echo "$ddw" | sed -n 's/.* page_shift \([0-9]*\) .*/\1/p')
used=$(echo "$ddw" | sed -n 's/.* entries_used \([0-9]*\) .*/\1/p')
guest_shift=$(sed -n 's/^nested-PASS ddw: .* page_shift \([0-9]*\) .*/\1/p' /tmp/nested.log | tail -n 1)
r "   (the guest asked for $(human_bytes $((1 << guest_shift))) IOMMU pages; QEMU backs them with"
r "   $(human_bytes $((1 << host_shift))) ones, the host pages holding its RAM; $used entries map $(human_bytes $((used << host_shift))),"
r "   counted from the table, which KVM filled: QEMU's own MAP_DMA calls below are 0)"
r "   QEMU's calls on the container (succeeded/failed):"
sed -n 's/^calls (ok\/failed): //p' /tmp/nested.state | tr ' ' '\n' | paste -d' ' - - |
	awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 } END { print "" }' | fold -s -w 70 |
	sed 's/ *$//; s/^/demo|     /' >/dev/console
r "   what the platform did to the PE meanwhile (kernel log):"
klog | tail -n +$((klog_lines + 1)) |
	sed -n 's/^<[0-9]>\[[ 0-9.]*\] pci [0-9a-f:]* *: \(\[PE# [0-9a-f]*\].*\(window\|bypass\)\)/\1/p' |
	sed 's/^/demo|     /' >/dev/console
r "   QEMU exit status $NESTED_RC; the guest booted twice and did its I/O in ${NESTED_SECS} s"
grep -q '^nested: done' /tmp/nested.log && [ "$NESTED_RC" -eq 0 ] &&
	! grep -q '^nested-FAIL' /tmp/nested.log && [ "$(grep -c '^nested-PASS' /tmp/nested.log)" -eq 9 ] ||
	{ tail -n 40 /tmp/nested.log; fail "the nested guest failed"; }
left=$(pins_left "$pins")
r "   after QEMU exited: pages pinned $(pins_held) (before it ran: $pins);"
r "   $(tr '\n' ' ' </sys/kernel/debug/spapr_ddw/tce_tables)(tables of ours alive)"
[ "$left" -eq 0 ] || fail "$left pins left after QEMU exited"
modprobe -r kvm-hv || fail "kvm-hv does not unload"

r ""
r "5. A userspace NVMe driver over VFIO on spapr-tce-v2 (tests/user/nvme_vfio.c):"
r "   queues and buffers in a dynamic window of $(page_kb) KiB pages (the kernel's), 2 table levels;"
r "   Identify, then 8 MiB written at 16 MiB on the disk and read back"
DDW_SHOW_STATE=1 DDW_PATTERN_OUT=/tmp/pattern.bin /tests/bin/nvme_vfio "$bdf" SPAPRDDW0001 "$(page_shift)" 2 8 \
	>/tmp/nvme_vfio.out 2>&1 || { cat /tmp/nvme_vfio.out; fail "nvme_vfio failed"; }
grep -E '(TCE_CREATE|MAP_DMA|identified|LBA|wrote|read them|compared)' /tmp/nvme_vfio.out |
	sed 's/^ok: //; s/^ *//; s/^/demo|     /' >/dev/console
r "   the container while it ran (/sys/kernel/debug/spapr_ddw/vfio/container-N/state):"
sed -n '/^container state/,$p' /tmp/nvme_vfio.out | tail -n +2 | sed 's/^/demo|     /' >/dev/console
r "   what the platform did to the PE:"
klog | sed -n 's/^<[0-9]>\[[ 0-9.]*\] pci [0-9a-f:]* *: \(\[PE# [0-9a-f]*\].*\(window\|bypass\)\)/\1/p' | tail -n 6 |
	sed 's/^/demo|     /' >/dev/console
if [ -e /sys/kernel/debug/spapr_ddw/iommu_glue ]; then
	r "   IOMMU glue counters (/sys/kernel/debug/spapr_ddw/iommu_glue):"
	rcmd cat /sys/kernel/debug/spapr_ddw/iommu_glue
else
	r "   (no IOMMU glue on Linux $(kernel_series): the kernel's own IOMMU ops own the PE)"
fi
r ""
r "6. Hand the NVMe back to the kernel's nvme driver and read the disk"
md5=$(nvme_md5) || fail "nvme cannot read"
if [ "$md5" = "$DDW_DISK_MD5" ]; then
	r "   first 4 MiB read by nvme: md5 $md5, as the host wrote it"
else
	r "   first 4 MiB read by nvme: md5 $md5, but the host wrote $DDW_DISK_MD5"
	exit 1
fi
ns=$(ls /sys/bus/pci/devices/$bdf/nvme/nvme*/ | grep -m1 '^nvme[0-9]*n1$')
disk=$(dd if=/dev/$ns bs=1M skip=16 count=8 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
want=$(md5sum </tmp/pattern.bin | cut -d' ' -f1)
[ "$disk" = "$want" ] || fail "the pattern is not on the disk"
r "   8 MiB at 16 MiB read by nvme: md5 $disk, the pattern written through the DDW"
want=$(/tests/bin/pattern $NESTED_PATTERN_MIB | md5sum | cut -d' ' -f1)
for at in $NESTED_PATTERN_AT_MIB $((NESTED_PATTERN_AT_MIB + NESTED_PATTERN_MIB)); do
	disk=$(dd if=/dev/$ns bs=1M skip=$at count=$NESTED_PATTERN_MIB iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
	[ "$disk" = "$want" ] || fail "the nested guest's pattern is not on the disk at $at MiB"
	r "   $NESTED_PATTERN_MIB MiB at $at MiB read by nvme: md5 $disk, the pattern the nested guest wrote"
done
rmmod spapr_tce_ddw pnv_ioda2_ddw || fail "unload failed"
r "   spapr_tce_ddw and pnv_ioda2_ddw unloaded"
exit 0
