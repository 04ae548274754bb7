# Loading our modules taints the kernel only as out-of-tree (O, 4096) and
# unsigned (E, 8192).
. /tests/lib.sh
mod_loaded pnv_ioda2_ddw || fail "run after modules-load"
t=$(cat /proc/sys/kernel/tainted)
[ $((t & ~(4096 | 8192))) -eq 0 ] || fail "tainted=$t: more than out-of-tree/unsigned"
[ $((t & 4096)) -ne 0 ] || fail "tainted=$t: out-of-tree flag missing"
echo "tainted=$t"
