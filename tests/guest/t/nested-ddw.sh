# timeout: 900
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

# Where the nested guest writes its pattern (tests/guest/nested/init).
PATTERN_AT_MIB=32
PATTERN_MIB=8
log=/tmp/nested.log
rm -f /tmp/nested.in
: >"$log"
mkfifo /tmp/nested.in
# Read-write: opening does not wait for a reader, QEMU's stdin stays open.
exec 3<>/tmp/nested.in
# TCG on a POWER8 CPU: the Spectre mitigations QEMU cannot emulate are off
# rather than warned about.  maxmem makes the guest size its DDW for memory
# it might hotplug: QEMU then asks for a 256 GiB window of 64K pages, a
# table large enough (32 MiB) that QEMU asks for two levels.
start=$(date +%s)
LD_LIBRARY_PATH=/lib/powerpc64le-linux-gnu /usr/bin/qemu-system-ppc64 \
	-M pseries,x-vof=on,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off,cap-large-decr=off \
	-cpu POWER8 -smp 1 -m 512M,slots=1,maxmem=128G -accel tcg,tb-size=256 \
	-nodefaults -display none -monitor none -serial stdio -no-reboot \
	-kernel /nested/vmlinux -initrd /nested/initramfs.cpio.gz \
	-append "console=hvc0 quiet panic=-1 ddw.disk_md5=$DDW_DISK_MD5" \
	-device "vfio-pci,host=$bdf" <&3 >"$log" 2>&1 &
qpid=$!
deadline=$((start + 780))
while kill -0 $qpid 2>/dev/null && ! grep -q '^nested: done' "$log"; do
	[ "$(date +%s)" -lt $deadline ] || { kill $qpid; break; }
	sleep 1
done
ran=$(($(date +%s) - start))
cat /sys/kernel/debug/spapr_ddw/vfio/container-*/state >/tmp/nested.state 2>/dev/null
echo go >&3
wait $qpid
rc=$?
exec 3>&-
tr -d '\r' <"$log" >"$log.txt"
echo "nested guest: booted and done in ${ran}s, QEMU exit status $rc"
grep -E '^(nested|qemu-system)' "$log.txt" | sed 's/^/  /'
grep -q '^nested: done' "$log.txt" || {
	tail -n 40 "$log.txt"
	fail "the nested guest did not finish"
}
[ $rc -eq 0 ] || fail "QEMU exited with $rc"
bad='WARNING: CPU: |BUG: |Oops: |Kernel panic|Call Trace:'
if grep -E -q "$bad" "$log.txt"; then
	grep -E -B 2 -A 20 "$bad" "$log.txt" | head -n 40
	fail "the nested guest's kernel reported a problem"
fi
grep -q '^nested-FAIL' "$log.txt" && fail "the nested guest failed a check"
for c in probe ddw read write; do
	grep -q "^nested-PASS $c:" "$log.txt" || fail "the nested guest did not pass $c"
done

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
guest=$(sed -n 's/^nested-PASS ddw: .* bus \(0x[0-9a-f]*\) .*/\1/p' "$log.txt")
echo "$ddw" | grep -q "bus $guest " ||
	fail "the guest's DDW at $guest is not the window we made"
ls /sys/kernel/debug/spapr_ddw/vfio | grep -q container- && fail "container left after QEMU exited"
rmmod spapr_tce_ddw || fail "spapr_tce_ddw does not unload"

# The host's nvme driver: its data untouched, the guest's pattern there.
md5=$(nvme_md5) || fail "nvme cannot read after"
[ "$md5" = "$DDW_DISK_MD5" ] || fail "the host's data changed ($md5)"
ns=$(ls /sys/bus/pci/devices/$bdf/nvme/nvme*/ | grep -m1 '^nvme[0-9]*n1$')
disk=$(dd if=/dev/$ns bs=1M skip=$PATTERN_AT_MIB count=$PATTERN_MIB iflag=direct 2>/dev/null |
       md5sum | cut -d' ' -f1)
want=$(/tests/bin/pattern $PATTERN_MIB | md5sum | cut -d' ' -f1)
[ "$disk" = "$want" ] || fail "the host reads $disk at $PATTERN_AT_MIB MiB, the guest wrote $want"
echo "the host's nvme driver reads the guest's pattern at $PATTERN_AT_MIB MiB: md5 $disk"
