# SPDX-License-Identifier: GPL-2.0-only
# Shared settings of the testbed scripts; sourced, never run.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${SPAPR_DDW_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/spapr-ddw}
# Everything a test run produces (initramfs, logs, disk images); never in the repo.
WORK=${SPAPR_DDW_WORK:-$CACHE/work}
CROSS=powerpc64le-linux-gnu-
CHECKPATCH=$CACHE/checkpatch/linux-source-6.1/scripts/checkpatch.pl
VERSION=$(sed -n 's/^PACKAGE_VERSION="\([^"]*\)"$/\1/p' "$TOP/dkms.conf")

log() { printf '[testbed] %s\n' "$*" >&2; }
die() { printf '[testbed] error: %s\n' "$*" >&2; exit 1; }

# The kernel chosen by setup.sh: KVER (uname -r of the guest), KPKG (Debian
# package version) and the staged directories below $KROOT.  Three series
# are staged side by side: 6.1 (the default), 6.12 and 6.12-64k (Debian 13's
# 4K- and 64K-page flavours).  The series is the first argument, else
# $SPAPR_DDW_KERNEL, else 6.1; KSERIES names it.
load_kernel() {
	local env
	KSERIES=${1:-${SPAPR_DDW_KERNEL:-6.1}}
	case "$KSERIES" in
	6.1) env=$CACHE/kernel.env ;;
	6.12 | 6.12-64k | 6.1-debug) env=$CACHE/kernel-$KSERIES.env ;;
	*) die "no kernel series $KSERIES: SPAPR_DDW_KERNEL is 6.1, 6.12, 6.12-64k or 6.1-debug" ;;
	esac
	[ -r "$env" ] || case $KSERIES in
	6.1-debug) die "no debug kernel built: run tests/testbed/debug-kernel.sh" ;;
	*) die "no Linux $KSERIES kernel staged: run tests/testbed/setup.sh" ;;
	esac
	# The line its modules are built for: 6.1-debug is 6.1.
	KLINE=${KSERIES%-debug}
	# shellcheck source=/dev/null
	. "$env"
	KROOT=$CACHE/kernels/$KVER
	KDIR=$KROOT/headers/usr/src/linux-headers-$KVER
	VMLINUX=$KROOT/image/boot/vmlinux-$KVER
	KMODS=$KROOT/image/lib/modules/$KVER
	BUSYBOX=$CACHE/busybox/bin/busybox
	X86_KDIR=
	# shellcheck source=/dev/null
	if [ -r "$CACHE/x86.env" ]; then . "$CACHE/x86.env"; fi
}
