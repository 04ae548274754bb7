#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Cross-build the static userspace test programs: build.sh OUTDIR
# A .c file with a header of the same name is a helper linked into every
# program; each other .c file is a program.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1
mkdir -p "$out"
libs=()
for src in "$here"/*.c; do
	[ -e "${src%.c}.h" ] && libs+=("$src")
done
for src in "$here"/*.c; do
	[ -e "${src%.c}.h" ] && continue
	# Tables leave trailing fields zero, as the kernel's own do.
	powerpc64le-linux-gnu-gcc -static -O2 -Wall -Wextra -Wno-missing-field-initializers -Werror -o "$out/$(basename "$src" .c)" \
		"$src" "${libs[@]}"
done
