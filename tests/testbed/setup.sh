#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Prepare an x86-64 Debian 12 machine for the emulated POWER8 testbed:
#  - host packages (cross compiler, QEMU, kbuild, DKMS, sparse, ...);
#  - the newest Debian 12 ppc64el kernel whose image and headers can both be
#    downloaded, with busybox-static, cached below $CACHE and keyed by version;
#  - a staged copy of the headers that builds with the host's linux-kbuild-6.1;
#  - beside it, the same for Linux 6.12 (Debian 12's 6.12.*+deb12, else
#    Debian 13's 6.12.*+deb13) with the host's linux-kbuild-6.12.*+deb12.
# Idempotent: a warm cache costs a few dpkg queries.  SPAPR_DDW_REFRESH=1
# looks for a newer kernel even when one is staged.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

HOST_PKGS="gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross gcc-powerpc64-linux-gnu qemu-system-ppc linux-kbuild-6.1 dkms sparse
	cpio kmod gzip xz-utils make bc openssl patch python3 linux-source-6.1 linux-source-6.12 flex bison"

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

# apt's options: empty for the host's own sources, the private trixie
# configuration of trixie_apt otherwise.
APT_OPTS=()

candidate() {
	apt-cache "${APT_OPTS[@]}" policy "$1" 2>/dev/null | sed -n 's/^  Candidate: //p' | grep -v '(none)' || true
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
# $kver, with their -common $common, build with the host's kbuild $kbuild.
stage_debs() {
	local root=$1 kver=$2 common=$3 kbuild=$4 dl=$5 tmp h pahole
	tmp=$root.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp/image" "$tmp/headers"
	for h in "$dl"/linux-image-*.deb; do
		[ -e "$h" ] && dpkg-deb -x "$h" "$tmp/image"
	done
	for h in "$dl"/linux-headers-*.deb; do
		dpkg-deb -x "$h" "$tmp/headers"
	done
	# Debian 13 installs modules in /usr/lib (merged /usr): as on a host.
	if [ -d "$tmp/image/usr/lib/modules" ] && [ ! -e "$tmp/image/lib" ]; then
		ln -s usr/lib "$tmp/image/lib"
	fi
	# Point the headers at the host's kbuild and at their staged -common.
	for h in "$tmp/headers/usr/src/linux-headers-$kver" \
		 "$tmp/headers/usr/src/linux-headers-$common"; do
		ln -sfn "/usr/lib/$kbuild/scripts" "$h/scripts"
		ln -sfn "/usr/lib/$kbuild/tools" "$h/tools"
	done
	sed -i "s|^include .*/linux-headers-$common/Makefile|include $root/headers/usr/src/linux-headers-$common/Makefile|" \
		"$tmp/headers/usr/src/linux-headers-$kver/Makefile"
	# A kernel built by a compiler the host lacks (Debian 13's gcc-14):
	# build with the host's cross compiler of the same target.
	h=$tmp/headers/usr/src/linux-headers-$kver/.kernelvariables
	if grep -q '^CC = .*(CROSS_COMPILE)gcc-[0-9]*$' "$h" &&
	   ! command -v "${CROSS}gcc-$(sed -n 's/^CC = .*gcc-\([0-9]*\)$/\1/p' "$h")" >/dev/null; then
		sed -i 's/^\(CC = .*(CROSS_COMPILE)gcc\)-[0-9]*$/\1/' "$h"
		log "$kver: built with $(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' \
			"$tmp/headers/usr/src/linux-headers-$kver/.config"), modules with ${CROSS}gcc"
		# What the kernel's gcc has and the host's lacks.
		"${CROSS}gcc" -fmin-function-alignment=4 -S -x c -o /dev/null /dev/null 2>/dev/null ||
			sed -i '/^CONFIG_CC_HAS_MIN_FUNCTION_ALIGNMENT=y$/d' \
				"$tmp/headers/usr/src/linux-headers-$kver/include/config/auto.conf"
		# ftrace's patchable entries must follow the local entry point
		# (arch/powerpc/tools/gcc-check-fpatchable-function-entry.sh):
		# gcc-12 puts them before the global one, and a module built so
		# jumps through a wrong TOC.  Build such modules untraced.
		if grep -q '^CONFIG_ARCH_USING_PATCHABLE_FUNCTION_ENTRY=y$' \
			"$tmp/headers/usr/src/linux-headers-$kver/.config" &&
		   ! echo 'int x; int f(void) { return x; }' |
			"${CROSS}gcc" -S -x c -O2 -fpatchable-function-entry=2 - -o - 2>/dev/null |
			awk 'BEGIN { RS = ";" } /\.localentry.*nop.*\n[[:space:]]*nop/' | grep -q 'f:'; then
			echo 'override CC_FLAGS_FTRACE =' >>"$h"
			log "$kver: ${CROSS}gcc misplaces ftrace's patchable entries: modules built untraced"
		fi
	fi
	# Module BTF needs a pahole as new as the kernel's; without vmlinux
	# kbuild skips it, as for kernels whose headers ship none (6.1).
	h=$tmp/headers/usr/src/linux-headers-$kver
	pahole=$(pahole --version 2>/dev/null | tr -dc 0-9)
	if [ -e "$h/vmlinux" ] && [ "${pahole:-0}" -lt \
	     "$(sed -n 's/^CONFIG_PAHOLE_VERSION=//p' "$h/.config")" ]; then
		rm "$h/vmlinux"
		log "$kver: the host's pahole (${pahole:-none}) is older than the kernel's: modules without BTF"
	fi
	# The module index, once: mkinitramfs.sh and debug-kernel.sh read it,
	# maybe at once (make check's two lanes).
	[ -d "$tmp/image/lib/modules/$kver" ] && depmod -b "$tmp/image" "$kver"
	rm -rf "$root"
	mv "$tmp" "$root"
}

stage_kernel() {
	local kver=$1 ver=$2 abi=$3 dl=$4

	stage_debs "$CACHE/kernels/$kver" "$kver" "6.1.0-$abi-common" linux-kbuild-6.1 "$dl"
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
		stage_debs "$CACHE/kernels/$kver" "$kver" "6.1.0-$abi-common" linux-kbuild-6.1 "$dl"
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
		load_kernel 6.1
		[ -r "$VMLINUX" ] && [ -r "$KDIR/Makefile" ] && return 0
	fi
	apt_update
	for abi in $(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-powerpc64le$' |
		     sed -n 's/^linux-image-6\.1\.0-\([0-9]*\)-powerpc64le .*/\1/p' | sort -rn); do
		try_kernel "$abi" && return 0
	done
	die "no Debian 12 ppc64el kernel with image and headers could be downloaded"
}

# Linux 6.12, staged beside 6.1 ($CACHE/kernel-6.12.env), 4K pages
# (-powerpc64le, CONFIG_PPC_4K_PAGES=y).  Debian 12 ships 6.12.*+deb12 in its
# security suite; when its ppc64el index lists none (mid-sync), Debian 13's
# 6.12.*+deb13 come from a private apt configuration below $CACHE that only
# this script reads: the host's sources, pins and packages stay as they are.
# The headers build with the host's linux-kbuild of the same 6.12.N+deb12.
TRIXIE=$CACHE/apt-trixie

trixie_apt() {
	APT_OPTS=(-o "Dir::Etc::SourceList=$TRIXIE/sources.list"
		  -o "Dir::Etc::SourceParts=$TRIXIE/empty"
		  -o "Dir::Etc::Preferences=/dev/null"
		  -o "Dir::Etc::PreferencesParts=$TRIXIE/empty"
		  -o "Dir::State::Lists=$TRIXIE/lists" -o "Dir::Cache=$TRIXIE/cache")
	mkdir -p "$TRIXIE/empty" "$TRIXIE/lists/partial" "$TRIXIE/cache"
	cat >"$TRIXIE/sources.list" <<-EOF
	deb [arch=ppc64el signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
	deb [arch=ppc64el signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security trixie-security main
	EOF
	log "apt-get update (Debian 13 ppc64el, private to the testbed)"
	apt-get "${APT_OPTS[@]}" update -qq >"$TRIXIE/update.log" 2>&1 ||
		log "apt-get update reported errors (see $TRIXIE/update.log), going on"
}

# The host's linux-kbuild for 6.12 kernel $1 (6.12.N+debX-powerpc64le).
kbuild_612() {
	local n=${1%%+*}
	echo "linux-kbuild-$n+deb12"
}

# The host's candidate version of package $1 (the host's sources).
host_candidate() {
	local saved=("${APT_OPTS[@]}") ver
	APT_OPTS=()
	ver=$(candidate "$1")
	APT_OPTS=("${saved[@]}")
	echo "$ver"
}

install_kbuild_612() {
	local pkg=$1 ver
	[ -z "$(missing_pkgs "$pkg")" ] && return 0
	ver=$(host_candidate "$pkg")
	[ -n "$ver" ] || return 1
	[ "$(id -u)" = 0 ] || die "missing package $pkg: run as root or install it"
	log "installing: $pkg $ver"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"$pkg=$ver" >"$CACHE/apt-install.log" 2>&1
}

# Download image + headers (+ -common) of 6.12 kernel $1 into the series
# $2 (6.12 or 6.12-64k); one package version.
try_kernel_612() {
	local kver=$1 series=$2 common=${1%%-powerpc64le*}-common ver kbuild dl
	ver=$(candidate "linux-image-$kver:ppc64el")
	[ -n "$ver" ] || return 1
	[ "$(candidate "linux-headers-$kver:ppc64el")" = "$ver" ] || return 1
	kbuild=$(kbuild_612 "$kver")
	[ -n "$(host_candidate "$kbuild")" ] || {
		log "linux-image-$kver $ver: the host has no $kbuild, trying an older one"
		return 1
	}
	dl=$CACHE/downloads/$kver
	mkdir -p "$dl"
	(cd "$dl" && apt-get "${APT_OPTS[@]}" download -qq "linux-image-$kver:ppc64el=$ver" \
		"linux-headers-$kver:ppc64el=$ver" "linux-headers-$common=$ver") \
		>"$dl/download.log" 2>&1 || {
		log "linux-image-$kver $ver: not downloadable now, trying an older one"
		rm -f "$dl"/*.deb
		return 1
	}
	install_kbuild_612 "$kbuild" || die "could not install $kbuild (see $CACHE/apt-install.log)"
	stage_debs "$CACHE/kernels/$kver" "$kver" "$common" "$kbuild" "$dl"
	printf 'KVER=%s\nKPKG=%s\nKHOST_KBUILD=%s\n' "$kver" "$ver" "$kbuild" >"$CACHE/kernel-$series.env.tmp"
	mv "$CACHE/kernel-$series.env.tmp" "$CACHE/kernel-$series.env"
	log "staged Debian kernel $kver ($ver), host $kbuild"
}

# kernels_612 DEB [FLAVOUR]: 6.12 ppc64el kernels of Debian DEB, newest
# first; FLAVOUR is empty (4K pages) or -64k.
kernels_612() {
	apt-cache "${APT_OPTS[@]}" search --names-only "^linux-image-6\\.12\\.[0-9]+\\+$1-powerpc64le${2:-}\$" |
		sed -n 's/^linux-image-\([^ ]*\) .*/\1/p' | sort -rV
}

# fetch_kernel_612 [-64k]: the 4K-page flavour (series 6.12) or the 64K one
# (series 6.12-64k), each staged with its own env file.
fetch_kernel_612() {
	local flavour=${1:-} series=6.12${1:-} kver
	if [ -z "${SPAPR_DDW_REFRESH:-}" ] && [ -r "$CACHE/kernel-$series.env" ]; then
		load_kernel "$series"
		if [ -r "$VMLINUX" ] && [ -r "$KDIR/Makefile" ]; then
			install_kbuild_612 "$KHOST_KBUILD" || die "cannot install $KHOST_KBUILD"
			return 0
		fi
	fi
	apt_update
	APT_OPTS=()
	for kver in $(kernels_612 deb12 "$flavour"); do
		try_kernel_612 "$kver" "$series" && return 0
	done
	trixie_apt
	for kver in $(kernels_612 deb13 "$flavour"); do
		try_kernel_612 "$kver" "$series" && { APT_OPTS=(); return 0; }
	done
	die "no Debian ppc64el 6.12$flavour kernel with image, headers and host kbuild could be downloaded"
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
fetch_kernel_612
fetch_kernel_612 -64k
fetch_busybox
fetch_nested_qemu
fetch_x86_headers
extract_checkpatch
for series in 6.12 6.12-64k; do
	load_kernel "$series"
	log "kernel $series: Debian $KVER ($KPKG), headers staged at $KDIR"
done
load_kernel 6.1
log "kernel: Debian $KVER ($KPKG), headers staged at $KDIR"
