# SPDX-License-Identifier: GPL-2.0-only
# Fault injection for the vfio-fail-nth tests; sourced.  Skips the test on
# a kernel without it.
dbg=/sys/kernel/debug
[ -e /proc/self/task/$$/fail-nth ] && [ -d $dbg/failslab ] && [ -d $dbg/fail_page_alloc ] ||
	skip "this kernel has no fault injection (the debug kernel has)"

# Every gfp fails when its turn comes; no other trigger; no stack per failure.
for a in failslab fail_page_alloc; do
	echo 0 >$dbg/$a/probability
	echo N >$dbg/$a/ignore-gfp-wait
	echo 0 >$dbg/$a/verbose
done
echo N >$dbg/fail_page_alloc/ignore-gfp-highmem
echo 0 >$dbg/fail_page_alloc/min-order
# An allocation failure prints its stack (warn_alloc, at the default
# level): the console keeps warnings and worse; the test reads the log.
read -r console_level _ </proc/sys/kernel/printk
echo 4 >/proc/sys/kernel/printk
kml=$dbg/kmemleak
[ -e $kml ] && echo clear >$kml

# kmemleak_report PHASE: what kmemleak finds unreferenced, as "OURS KERNEL":
# by the first frame of its allocation's stack that is our modules' (ours)
# or the VFIO/IOMMU/TCE code's (the kernel's); "-1 -1" if kmemleak is off.
kmemleak_report() {
	[ -e $kml ] || { echo "-1 -1"; return; }
	# Only objects older than 5 s are reported; two scans settle the rest.
	sleep 6
	# kmemleak turns itself off when it runs out of memory: no answer then.
	if ! echo scan >$kml || ! echo scan >$kml || dmesg | grep -q 'kmemleak:.*disabled'; then
		echo "-1 -1"
		return
	fi
	cat $kml >/tmp/kmemleak-$1.txt
	echo clear >$kml
	awk 'BEGIN { RS = "unreferenced object" }
	     NR > 1 {
		n = split($0, l, "\n")
		for (i = 1; i <= n; i++) {
			if (l[i] ~ /\[(spapr_tce_ddw|pnv_ioda2_ddw)\]/) { ours++; break }
			if (l[i] ~ /\] (pnv_pci|pnv_ioda|vfio_|iommu_|tce_iommu|mm_iommu)/) { kernel++; break }
		}
	     }
	     END { print ours + 0, kernel + 0 }' /tmp/kmemleak-$1.txt
}

# problems PHASE: the kernel's own reports in its log since the last call.
problems() {
	dmesg -r -c >/tmp/kmsg-$1.txt
	cat /tmp/kmsg-$1.txt >>/tmp/all.kmsg-all
	grep -E 'WARNING: CPU: |BUG: |BUG [^ ]+ \(|UBSAN:|kernel BUG at|Oops: |Unable to handle kernel|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|KASAN:|refcount_t: |list_add corruption|list_del corruption|sleeping function called from invalid context' \
		/tmp/kmsg-$1.txt
}

