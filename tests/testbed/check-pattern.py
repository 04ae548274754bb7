#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Host side of the NVMe DMA tests: does a disk image hold, at OFFSET MiB
(default 16), MIB MiB of the pattern of tests/user/common.h (written by
nvme_vfio.c, and by the nested guest with pattern.c)?
check-pattern.py IMAGE MIB [OFFSET]"""
import struct
import sys

MASK = (1 << 64) - 1


def pattern(x):
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & MASK
    x ^= x >> 33
    return x


def main():
    image, mib = sys.argv[1], int(sys.argv[2])
    offset = int(sys.argv[3]) if len(sys.argv) > 3 else 16
    with open(image, "rb") as f:
        f.seek(offset << 20)
        data = f.read(mib << 20)
    words = struct.unpack("<%dQ" % (len(data) // 8), data)
    bad = sum(1 for i, w in enumerate(words) if w != pattern(i + 0x5EED))
    if len(data) != mib << 20 or bad:
        print("disk image %s: %d of %d words differ from the pattern" % (image, bad, len(words)))
        return 1
    print("disk image %s holds the %d MiB pattern at %d MiB" % (image, mib, offset))
    return 0


if __name__ == "__main__":
    sys.exit(main())
