# SPDX-License-Identifier: GPL-2.0-only
#
# spapr-ddw: sPAPR Dynamic DMA Windows and a VFIO IOMMU backend for PowerNV.
#
#   make                 build both modules for the running kernel (a POWER8 host)
#   make KDIR=... ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu-
#                        cross-build against a kernel build tree
#   make demo            boot an emulated POWER8 and show what the modules do
#   make check           every test (README.md says what they are)
#   make check-debug     the reliability tests on the testbed's debug kernel
#   make soak            fuzz, concurrency and KVM beside VFIO at length, fresh seeds
#   make bench           benchmarks: print figures

KDIR ?= /lib/modules/$(shell uname -r)/build
SPAPR_DDW_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\([^"]*\)"$$/\1/p' dkms.conf)

.PHONY: all modules clean check check-debug soak demo bench testbed version

all: modules

modules:
	@test -r $(KDIR)/Makefile || { \
		echo "spapr-ddw: no kernel build tree at KDIR=$(KDIR): install linux-headers-$$(uname -r) or pass KDIR=" >&2; \
		exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	rm -rf .tmp_versions Module.symvers modules.order
	find . -path ./.git -prune -o \( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '.*.cmd' -o -name '*.a' -o -name 'modules.order' \
		-o -name 'Module.symvers' -o -name '.*.d' \) -exec rm -f {} +

version:
	@echo $(SPAPR_DDW_VERSION)

# Install host packages and fetch the Debian ppc64el kernel (cached).
testbed:
	bash tests/testbed/setup.sh

demo:
	KERNEL="$(KERNEL)" bash tests/demo.sh

check:
	bash tests/check.sh

check-debug:
	bash tests/check-debug.sh

soak:
	KERNEL="$(KERNEL)" MACHINE="$(MACHINE)" bash tests/soak.sh

# Figures, not tests: TCE table bytes, ours and the in-tree allocator's.
bench:
	bash tests/bench.sh
