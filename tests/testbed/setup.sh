#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Prepare an x86-64 Debian 12 machine for the emulated POWER8 testbed:
#  - host packages (cross compiler, QEMU, kbuild, DKMS, sparse, ...);
#  - the newest Debian 12 ppc64el kernel whose image and headers can both be
#    downloaded, with busybox-static, cached below $CACHE and keyed by version;
#  - a staged copy of the headers that builds with the host's linux-kbuild-6.1.
# Idempotent: a warm cache costs a few dpkg queries.  SPAPR_DDW_REFRESH=1
# looks for a newer kernel even when one is staged.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

HOST_PKGS="gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross gcc-powerpc64-linux-gnu qemu-system-ppc linux-kbuild-6.1 dkms sparse
	cpio kmod gzip xz-utils make bc openssl patch python3 linux-source-6.1 flex bison"

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return 0
	log "apt-get update"
	# The security suite's foreign-arch index is sometimes mid-sync: tolerate
	# a partial update, candidates are checked by downloading them below.
	apt-get update -qq >"$CACHE/apt-update.log" 2>&1 ||
		log "apt-get update reported errors (see $CACHE/apt-update.log), going on"
	apt_updated=1
}

missing_pkgs() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			echo "$p"
	done
}

install_host_pkgs() {
	local missing
	# shellcheck disable=SC2086
	missing=$(missing_pkgs $HOST_PKGS)
	[ -z "$missing" ] && return 0
	[ "$(id -u)" = 0 ] || die "missing packages ($missing): run as root or install them"
	apt_update
	log "installing:" $missing
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$missing >"$CACHE/apt-install.log" 2>&1 ||
		die "apt-get install failed, see $CACHE/apt-install.log"
}

ensure_ppc64el() {
	dpkg --print-foreign-architectures | grep -qx ppc64el && return 0
	log "adding the ppc64el architecture to dpkg"
	dpkg --add-architecture ppc64el
	apt_updated=
	apt_update
}

candidate() {
	apt-cache policy "$1" 2>/dev/null | sed -n 's/^  Candidate: //p' | grep -v '(none)' || true
}

# Download image + headers (+ -common) of ABI $1; all of one package version.
try_kernel() {
	local abi=$1 ver kver dl
	kver=6.1.0-$abi-powerpc64le
	ver=$(candidate "linux-image-$kver:ppc64el")
	[ -n "$ver" ] || return 1
	[ "$(candidate "linux-headers-$kver:ppc64el")" = "$ver" ] || return 1
	dl=$CACHE/downloads/$kver
	mkdir -p "$dl"
	(cd "$dl" && apt-get download -qq "linux-image-$kver:ppc64el=$ver" \
		"linux-headers-$kver:ppc64el=$ver" \
		"linux-headers-6.1.0-$abi-common=$ver") >"$dl/download.log" 2>&1 || {
		log "linux-image-$kver $ver: not downloadable now, trying an older one"
		rm -f "$dl"/*.deb
		return 1
	}
	stage_kernel "$kver" "$ver" "$abi" "$dl"
}

# Extract the .debs of $dl into $1/{image,headers} and make the headers of
# $kver build with the host's kbuild.
stage_debs() {
	local root=$1 kver=$2 abi=$3 dl=$4 tmp h
	tmp=$root.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp/image" "$tmp/headers"
	for h in "$dl"/linux-image-*.deb; do
		[ -e "$h" ] && dpkg-deb -x "$h" "$tmp/image"
	done
	for h in "$dl"/linux-headers-*.deb; do
		dpkg-deb -x "$h" "$tmp/headers"
	done
	# Point the headers at the host's kbuild and at their staged -common.
	for h in "$tmp/headers/usr/src/linux-headers-$kver" \
		 "$tmp/headers/usr/src/linux-headers-6.1.0-$abi-common"; do
		ln -sfn /usr/lib/linux-kbuild-6.1/scripts "$h/scripts"
		ln -sfn /usr/lib/linux-kbuild-6.1/tools "$h/tools"
	done
	sed -i "s|^include .*/linux-headers-6.1.0-$abi-common/Makefile|include $root/headers/usr/src/linux-headers-6.1.0-$abi-common/Makefile|" \
		"$tmp/headers/usr/src/linux-headers-$kver/Makefile"
	rm -rf "$root"
	mv "$tmp" "$root"
}

stage_kernel() {
	local kver=$1 ver=$2 abi=$3 dl=$4

	stage_debs "$CACHE/kernels/$kver" "$kver" "$abi" "$dl"
	printf 'KVER=%s\nKPKG=%s\n' "$kver" "$ver" >"$CACHE/kernel.env.tmp"
	mv "$CACHE/kernel.env.tmp" "$CACHE/kernel.env"
	log "staged Debian kernel $kver ($ver)"
}

# Headers of a Debian 12 x86-64 kernel: the build must refuse them.
fetch_x86_headers() {
	local abi kver ver dl
	if [ -r "$CACHE/x86.env" ]; then
		. "$CACHE/x86.env"
		[ -r "$X86_KDIR/Makefile" ] && return 0
	fi
	apt_update
	for abi in $(apt-cache search --names-only '^linux-headers-6\.1\.0-[0-9]+-amd64$' |
		     sed -n 's/^linux-headers-6\.1\.0-\([0-9]*\)-amd64 .*/\1/p' | sort -rn); do
		kver=6.1.0-$abi-amd64
		ver=$(candidate "linux-headers-$kver:amd64")
		[ -n "$ver" ] || continue
		dl=$CACHE/downloads/$kver
		mkdir -p "$dl"
		(cd "$dl" && apt-get download -qq "linux-headers-$kver:amd64=$ver" \
			"linux-headers-6.1.0-$abi-common=$ver") >"$dl/download.log" 2>&1 || continue
		stage_debs "$CACHE/kernels/$kver" "$kver" "$abi" "$dl"
		printf 'X86_KDIR=%s\n' "$CACHE/kernels/$kver/headers/usr/src/linux-headers-$kver" \
			>"$CACHE/x86.env"
		log "staged x86-64 headers $kver ($ver)"
		return 0
	done
	die "no Debian 12 x86-64 kernel headers could be downloaded"
}

fetch_kernel() {
	local abi
	if [ -z "${SPAPR_DDW_REFRESH:-}" ] && [ -r "$CACHE/kernel.env" ]; then
		load_kernel
		[ -r "$VMLINUX" ] && [ -r "$KDIR/Makefile" ] && return 0
	fi
	apt_update
	for abi in $(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-powerpc64le$' |
		     sed -n 's/^linux-image-6\.1\.0-\([0-9]*\)-powerpc64le .*/\1/p' | sort -rn); do
		try_kernel "$abi" && return 0
	done
	die "no Debian 12 ppc64el kernel with image and headers could be downloaded"
}

fetch_busybox() {
	local dl=$CACHE/downloads/busybox ver
	[ -x "$CACHE/busybox/bin/busybox" ] && return 0
	apt_update
	ver=$(candidate busybox-static:ppc64el)
	[ -n "$ver" ] || die "busybox-static:ppc64el not found in the package index"
	mkdir -p "$dl"
	(cd "$dl" && apt-get download -qq "busybox-static:ppc64el=$ver") >/dev/null 2>&1 ||
		die "could not download busybox-static:ppc64el $ver"
	rm -rf "$CACHE/busybox"
	dpkg-deb -x "$dl"/busybox-static_*.deb "$CACHE/busybox"
	log "busybox-static $ver"
}

# Debian's ppc64el QEMU for the nested guest (the seed's scenario: a pseries
# guest asking the host for a DDW): qemu-system-ppc64, the shared libraries
# it needs (the closure of its library dependencies, checked against every
# ELF's NEEDED entries) and the pseries firmware, staged in $CACHE/nested/root.
lib_closure() {
	local seen=" " queue=$1 next p d
	while [ -n "$queue" ]; do
		next=
		for p in $queue; do
			case "$seen" in *" $p "*) continue ;; esac
			seen="$seen$p "
			for d in $(apt-cache show "$p:ppc64el" 2>/dev/null |
				   sed -n '1,/^$/s/^\(Pre-\)\{0,1\}Depends: //p' | tr ',' '\n' |
				   sed 's/|.*//; s/(.*//; s/:any//; s/ //g'); do
				case "$d" in lib*|zlib1g) next="$next $d" ;; esac
			done
		done
		queue=$next
	done
	echo $seen
}

needed() {
	"${CROSS}readelf" -d "$1" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'
}

fetch_nested_qemu() {
	local ver dl ex root todo next f s p seen=" " pkgs
	ver=$(candidate qemu-system-ppc:ppc64el)
	[ -n "$ver" ] || die "qemu-system-ppc:ppc64el not found in the package index"
	[ "$(cat "$CACHE/nested/version" 2>/dev/null)" = "$ver" ] && return 0
	apt_update
	dl=$CACHE/downloads/nested-qemu
	rm -rf "$dl"
	mkdir -p "$dl"
	pkgs=$(lib_closure qemu-system-ppc)
	# shellcheck disable=SC2046
	(cd "$dl" && apt-get download -qq $(for p in $pkgs; do echo "$p:ppc64el"; done) \
		qemu-system-data) >"$dl/download.log" 2>&1 ||
		die "could not download qemu-system-ppc:ppc64el $ver and its libraries (see $dl/download.log)"
	ex=$dl/extract
	for f in "$dl"/*.deb; do dpkg-deb -x "$f" "$ex"; done
	root=$CACHE/nested/root.tmp
	rm -rf "$root"
	mkdir -p "$root/usr/bin" "$root/lib/powerpc64le-linux-gnu" "$root/lib64" "$root/usr/share/qemu"
	cp "$ex/usr/bin/qemu-system-ppc64" "$root/usr/bin/"
	cp "$ex/usr/share/qemu/vof.bin" "$ex/usr/share/qemu/slof.bin" "$root/usr/share/qemu/"
	todo=$ex/usr/bin/qemu-system-ppc64
	while [ -n "$todo" ]; do
		next=
		for f in $todo; do
			for s in $(needed "$f"); do
				case "$seen" in *" $s "*) continue ;; esac
				seen="$seen$s "
				p=$(find "$ex/lib" "$ex/usr/lib" -name "$s" | head -n 1)
				[ -n "$p" ] || die "nested QEMU: no package of the closure provides $s"
				cp -L "$p" "$root/lib/powerpc64le-linux-gnu/$s"
				next="$next $p"
			done
		done
		todo=$next
	done
	cp "$ex/lib/powerpc64le-linux-gnu/ld64.so.2" "$root/lib64/ld64.so.2"
	rm -rf "$CACHE/nested/root" "$ex"
	mv "$root" "$CACHE/nested/root"
	echo "$ver" >"$CACHE/nested/version"
	log "nested QEMU: qemu-system-ppc $ver, $(echo "$seen" | wc -w) libraries"
}

# checkpatch.pl and the data it reads, from Debian's kernel source package.
extract_checkpatch() {
	local d=$CACHE/checkpatch
	[ -x "$d/linux-source-6.1/scripts/checkpatch.pl" ] && return 0
	mkdir -p "$d"
	tar -C "$d" -xJf /usr/src/linux-source-6.1.tar.xz linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt linux-source-6.1/scripts/const_structs.checkpatch ||
		die "could not extract checkpatch.pl"
}

mkdir -p "$CACHE"
install_host_pkgs
ensure_ppc64el
fetch_kernel
fetch_busybox
fetch_nested_qemu
fetch_x86_headers
extract_checkpatch
load_kernel
log "kernel: Debian $KVER ($KPKG), headers staged at $KDIR"
