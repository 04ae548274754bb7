# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the guest tests; sourced.

# Print the kernel messages logged since the last call at warning level or
# above (raw level 0..4), and clear the buffer.  Out-of-tree module loading
# warns once by design; that line is expected.
kernel_warnings() {
	dmesg -r -c >/tmp/kmsg.now
	cat /tmp/kmsg.now >>/tmp/all.kmsg-all
	grep '^<[0-4]>' /tmp/kmsg.now |
		grep -v 'loading out-of-tree module taints kernel\.$'
}

fail() { echo "$*"; exit 1; }
skip() { echo "$*"; exit 77; }

# The system's NVMe controller (first PCI device of class 0x010802).
nvme_bdf() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/class")" = 0x010802 ] && { basename "$d"; return 0; }
	done
	return 1
}

# The IOMMU page sizes each emulated machine's PHB offers.
expected_pgsizes() {
	case "$DDW_MACHINE" in
	powernv8) echo " 4K 64K 16M 256M" ;;
	powernv9) echo " 4K 64K 2M 1G" ;;
	*) echo "?" ;;
	esac
}

# The whole kernel log since boot (the runner clears the ring buffer).
klog() {
	cat /tmp/all.kmsg-all 2>/dev/null
	dmesg -r
}

mod_loaded() { [ -d "/sys/module/$1/sections" ]; }
