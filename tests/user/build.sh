#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Cross-build the static userspace test programs: build.sh OUTDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1
mkdir -p "$out"
for src in "$here"/*.c; do
	[ "$(basename "$src")" = common.c ] && continue
	powerpc64le-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -o "$out/$(basename "$src" .c)" \
		"$src" "$here/common.c"
done
