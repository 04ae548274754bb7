# SPDX-License-Identifier: GPL-2.0-only
# Included by every Kbuild file of spapr-ddw: the kernel guard, the version
# and the include path.  $(ddw_top) is the top of the source tree.

ddw_top := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# Only kernels we have tested: see README.md, "Supported kernels".
ifneq ($(VERSION).$(PATCHLEVEL),6.1)
$(error spapr-ddw: Linux $(VERSION).$(PATCHLEVEL) is not supported: it builds for Linux 6.1 (Debian 12 ppc64el) only)
endif
ifneq ($(CONFIG_PPC_POWERNV)$(CONFIG_SPAPR_TCE_IOMMU),yy)
$(error spapr-ddw: this kernel cannot host it: it needs a powerpc kernel with CONFIG_PPC_POWERNV=y and CONFIG_SPAPR_TCE_IOMMU=y)
endif
ifeq ($(CONFIG_VFIO),)
$(error spapr-ddw: this kernel cannot host it: it needs CONFIG_VFIO=m or y)
endif

SPAPR_DDW_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\([^"]*\)"$$/\1/p' $(ddw_top)/dkms.conf)
ccflags-y += -I$(ddw_top)/include -DSPAPR_DDW_VERSION='"$(SPAPR_DDW_VERSION)"'
# Selects the declarations of private kernel structures in compat.h.
ccflags-y += -DSPAPR_DDW_LINUX_6_1
