# EEH: on a real PHB, the DMA into unmapped memory of the isolation check
# (see dma-nvme-ddw) freezes the PE; the userspace NVMe driver then recovers
# it through VFIO_EEH_PE_OP on spapr-tce-v2 (hot reset, configure) and the
# controller must identify again.  QEMU 7.2's PHB3/PHB4 drop such a DMA
# without freezing the PE: this test then skips, saying so.
. /tests/lib.sh
grp=$(nvme_to_vfio) || exit 1
bdf=$(nvme_bdf)
modprobe spapr_tce_ddw || fail "modprobe spapr_tce_ddw failed"
out=$(DDW_EEH=1 /tests/bin/nvme_vfio "$bdf" SPAPRDDW0001 "$(page_shift)" 1 1 2>&1)
rc=$?
echo "$out" | grep -E '^(ok: (EEH|isolation)|FAILED|EEH)'
rmmod spapr_tce_ddw || fail "spapr_tce_ddw does not unload"
md5=$(nvme_md5) || fail "nvme cannot read after"
[ "$md5" = "$DDW_DISK_MD5" ] || fail "nvme read $md5, host wrote $DDW_DISK_MD5"
[ $rc -eq 77 ] && skip "$(echo "$out" | grep '^EEH:' | tail -n 1)"
[ $rc -eq 0 ] || fail "EEH recovery failed"
