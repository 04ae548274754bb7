# timeout: 1200
# The seed's scenario with real software: Debian's QEMU (qemu-system-ppc64,
# TCG), run inside this emulated POWER8 host, boots a pseries guest with the
# same Debian kernel and the host's NVMe assigned with vfio-pci on
# spapr-tce-v2.  The guest kernel asks for a dynamic DMA window (RTAS
# ibm,create-pe-dma-window, which QEMU turns into TCE_CREATE on our
# container), its nvme driver reads the host's data and writes a pattern
# through it.  While the guest holds the window, the host reads our side of
# it; afterwards the host's nvme driver finds the guest's pattern on disk.
. /tests/lib.sh
[ -x /usr/bin/qemu-system-ppc64 ] || skip "no nested QEMU in this image (see mknested.sh)"
grp=$(nvme_to_vfio) || exit 1
bdf=$(nvme_bdf)
# QEMU takes the first backend that accepts its container: only ours is here.
if mod_loaded vfio_iommu_spapr_tce; then
	rmmod vfio_iommu_spapr_tce || fail "the in-tree backend does not unload"
fi
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"

run_nested_guest "$bdf"
echo "nested guest: booted and done in ${NESTED_SECS}s, QEMU exit status $NESTED_RC"
grep -E '^(nested|qemu-system)' /tmp/nested.log | sed 's/^/  /'
nested_log_check 1

# Our side, read while the guest held its windows: a v2 container with the
# group, the guest's 32-bit window and the DDW QEMU asked for above 4 GiB,
# entries in use in both.
echo "host side, while the guest ran (spapr_ddw/vfio/container-*/state):"
sed 's/^/  /' /tmp/nested.state
grep -q '^type: VFIO_SPAPR_TCE_v2_IOMMU$' /tmp/nested.state || fail "no v2 container of ours"
grep -q "^groups: $grp\$" /tmp/nested.state || fail "group $grp not in the container"
ddw=$(grep -E '^window [0-9]+: bus 0x[0-9a-f]{9,} ' /tmp/nested.state)
[ -n "$ddw" ] || fail "no window above 4 GiB: QEMU created no DDW"
echo "$ddw" | grep -q ' entries_used 0 ' && fail "the DDW has no entry in use"
# QEMU's own calls on our container: windows made, maps done, none refused.
calls=$(grep '^calls (ok/failed):' /tmp/nested.state)
echo "$calls" | grep -q ' TCE_CREATE [1-9][0-9]*/0 ' || fail "QEMU made no window"
echo "$calls" | grep -q ' MAP_DMA [1-9][0-9]*/0 ' || fail "QEMU mapped nothing"
echo "$calls" | grep -E -q '/[1-9]' && fail "some of QEMU's calls failed"
guest=$(sed -n 's/^nested-PASS ddw: .* bus \(0x[0-9a-f]*\) .*/\1/p' /tmp/nested.log)
echo "$ddw" | grep -q "bus $guest " ||
	fail "the guest's DDW at $guest is not the window we made"
ls /sys/kernel/debug/spapr_ddw/vfio | grep -q container- && fail "container left after QEMU exited"
rmmod spapr_tce_ddw || fail "spapr_tce_ddw does not unload"

# The host's nvme driver: its data untouched, the guest's pattern there.
md5=$(nvme_md5) || fail "nvme cannot read after"
[ "$md5" = "$DDW_DISK_MD5" ] || fail "the host's data changed ($md5)"
ns=$(ls /sys/bus/pci/devices/$bdf/nvme/nvme*/ | grep -m1 '^nvme[0-9]*n1$')
disk=$(dd if=/dev/$ns bs=1M skip=$NESTED_PATTERN_AT_MIB count=$NESTED_PATTERN_MIB iflag=direct 2>/dev/null |
       md5sum | cut -d' ' -f1)
want=$(/tests/bin/pattern $NESTED_PATTERN_MIB | md5sum | cut -d' ' -f1)
[ "$disk" = "$want" ] || fail "the host reads $disk at $NESTED_PATTERN_AT_MIB MiB, the guest wrote $want"
echo "the host's nvme driver reads the guest's pattern at $NESTED_PATTERN_AT_MIB MiB: md5 $disk"
