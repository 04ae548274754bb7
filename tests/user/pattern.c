// SPDX-License-Identifier: GPL-2.0-only
/*
 * Write MIB MiB of the tests' seeded pattern to standard output:
 *   pattern MIB
 * The nested pseries guest has only busybox; it writes this to its disk
 * through its own nvme driver, and the host checks the disk image for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv)
{
	static uint64_t buf[8192];
	unsigned long long mib, i, n = 0;
	size_t j;

	if (argc != 2 || !(mib = strtoull(argv[1], NULL, 0))) {
		fprintf(stderr, "usage: pattern MIB\n");
		return 2;
	}
	for (i = 0; i < (mib << 20) / sizeof(buf); i++) {
		for (j = 0; j < sizeof(buf) / sizeof(buf[0]); j++)
			buf[j] = pattern_word(n++);
		if (fwrite(buf, sizeof(buf), 1, stdout) != 1) {
			perror("pattern");
			return 1;
		}
	}
	return fflush(stdout) ? 1 : 0;
}
