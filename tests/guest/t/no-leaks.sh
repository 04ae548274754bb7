# After every test before it: no TCE table or level left allocated, every
# blocking domain that took a PE gave it back, every PE the kernel's.
. /tests/lib.sh
modprobe pnv_ioda2_ddw || fail "modprobe pnv_ioda2_ddw failed"
d=/sys/kernel/debug/spapr_ddw
cat $d/tce_tables
grep -q '^tables_live: 0$' $d/tce_tables || fail "TCE tables left allocated"
grep -q '^levels_live: 0$' $d/tce_tables || fail "TCE table levels left allocated"
b=$(sed -n 's/^blocked: //p' $d/iommu_glue)
u=$(sed -n 's/^unblocked: //p' $d/iommu_glue)
echo "blocked $b, unblocked $u"
[ "$b" = "$u" ] || fail "a blocking domain still holds a PE"
grep '^  owner:' $d/pes | grep -v -q 'owner: kernel' && fail "a PE is not the kernel's"
echo "figures: leaks found 0 (TCE tables, levels, PEs)"
exit 0
