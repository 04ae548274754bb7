#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the testbed's debug kernel once and stage it beside Debian's as the
# kernel series "6.1-debug" (SPAPR_DDW_KERNEL=6.1-debug):
#   debug-kernel.sh [JOBS]
# Debian's linux-source-6.1 with Debian's own ppc64el config (one known to
# boot), reduced by localmodconfig to the modules the guest loads, with
# tests/testbed/debug-kernel.config merged in: lockdep, atomic-sleep checks,
# kmemleak, slab and page-allocator fault injection, list, slab and VM
# debugging, KASAN; and without what the guest never uses.  Cached below
# $CACHE/debug-kernel, keyed by the linux-source version, that config and
# the module list: a warm cache costs one comparison.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

jobs=${1:-$(nproc)}
tarball=/usr/src/linux-source-6.1.tar.xz
[ -r "$tarball" ] || die "no $tarball: run tests/testbed/setup.sh"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
fragment=$TOP/tests/testbed/debug-kernel.config
dir=$CACHE/debug-kernel
env=$CACHE/kernel-6.1-debug.env

# The modules a guest run loads: mkinitramfs.sh's list.
modules="vfio vfio_iommu_spapr_tce vfio-pci vfio-pci-core vfio_spapr_eeh nvme nvme-core kvm kvm-hv"
key="$srcver-$({ cat "$fragment"; echo "$modules"; } | sha256sum | cut -c1-16)"
if [ -r "$env" ] && [ "$(sed -n 's/^KEY=//p' "$env")" = "$key" ]; then
	exit 0
fi

# The stock kernel's config and module list: its series must be staged.
load_kernel 6.1
stock_config=$KDIR/.config
stock_kmods=$KMODS
[ -r "$stock_config" ] || die "no config in $KDIR"

# One build at a time (make check's lane B, make check-debug, make soak).
exec 9>"$CACHE/debug-kernel.lock"
flock 9
[ -r "$env" ] && [ "$(sed -n 's/^KEY=//p' "$env")" = "$key" ] && exit 0
# setup.sh makes the module index when it stages a kernel.
[ -s "$stock_kmods/modules.dep" ] || depmod -b "$KROOT/image" "$KVER"
rm -rf "$dir" "$env"
mkdir -p "$dir"
log "debug kernel: extracting linux-source-6.1 ($srcver)"
tar -C "$dir" -xJf "$tarball"
src=$dir/linux-source-6.1
obj=$dir/build
mkdir -p "$obj"
kmake() {
	make -C "$src" O="$obj" ARCH=powerpc CROSS_COMPILE="$CROSS" -s "$@"
}

# Those modules and what they depend on, as localmodconfig reads lsmod.
{
	echo "Module Size Used by"
	for m in $modules; do
		f=$(modinfo -b "$KROOT/image" -k "$KVER" -F filename "$m")
		f=${f#"$stock_kmods/"}
		for d in $f $(sed -n "s|^$f: *||p" "$stock_kmods/modules.dep"); do
			b=$(basename "$d" .ko)
			echo "${b//-/_} 0 0"
		done
	done
} | sort -u >"$dir/lsmod"

cp "$stock_config" "$obj/.config"
kmake olddefconfig
# oldconfig asks about the options localmodconfig turned off: defaults.
{ yes '' || :; } | kmake LSMOD="$dir/lsmod" localmodconfig >"$dir/localmodconfig.log" 2>&1
(cd "$obj" && ARCH=powerpc "$src/scripts/kconfig/merge_config.sh" -m .config "$fragment") \
	>"$dir/merge_config.log" 2>&1
kmake olddefconfig
# What the build must have; Kconfig drops what it cannot give.
for o in PROVE_LOCKING DEBUG_ATOMIC_SLEEP DEBUG_KMEMLEAK FAILSLAB FAIL_PAGE_ALLOC \
	 FAULT_INJECTION_DEBUG_FS DEBUG_LIST SLUB_DEBUG_ON PPC_POWERNV VFIO_IOMMU_SPAPR_TCE \
	 KVM_BOOK3S_64_HV NVME_CORE KPROBES DEBUG_FS; do
	grep -q "^CONFIG_$o=[ym]$" "$obj/.config" || die "debug kernel: CONFIG_$o did not stay set"
done
grep -q '^CONFIG_KASAN=y$' "$obj/.config" || log "debug kernel: no KASAN in this configuration"

log "debug kernel: building with $jobs jobs (log $dir/build.log)"
start=$(date +%s)
kmake -j"$jobs" vmlinux modules >"$dir/build.log" 2>&1 ||
	{ tail -20 "$dir/build.log" >&2; die "debug kernel: build failed, see $dir/build.log"; }
kver=$(kmake -s kernelrelease)
root=$CACHE/kernels/$kver
rm -rf "$root"
mkdir -p "$root/image/boot" "$root/headers/usr/src"
cp "$obj/vmlinux" "$root/image/boot/vmlinux-$kver"
kmake INSTALL_MOD_PATH="$root/image" INSTALL_MOD_STRIP=1 modules_install >>"$dir/build.log" 2>&1
# The build directory is the kernel build tree our modules build against.
ln -sfn "$obj" "$root/headers/usr/src/linux-headers-$kver"
printf 'KVER=%s\nKPKG=%s\nKEY=%s\n' "$kver" "linux-source-6.1=$srcver" "$key" >"$env.tmp"
mv "$env.tmp" "$env"
log "debug kernel: $kver staged in $(($(date +%s) - start)) s"
