# SPDX-License-Identifier: GPL-2.0-only
# Included by every Kbuild file of spapr-ddw: the kernel guard, the version
# and the include path.  $(ddw_top) is the top of the source tree.

ddw_top := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# Only kernels we have tested: see README.md, "Supported kernels".
ddw_linux := $(VERSION).$(PATCHLEVEL)
ifeq ($(filter 6.1 6.12,$(ddw_linux)),)
$(error spapr-ddw: Linux $(ddw_linux) is not supported: it builds for Linux 6.1 and 6.12 (Debian ppc64el) only)
endif
ifneq ($(CONFIG_PPC_POWERNV)$(CONFIG_SPAPR_TCE_IOMMU),yy)
$(error spapr-ddw: this kernel cannot host it: it needs a powerpc kernel with CONFIG_PPC_POWERNV=y and CONFIG_SPAPR_TCE_IOMMU=y)
endif
ifeq ($(CONFIG_VFIO),)
$(error spapr-ddw: this kernel cannot host it: it needs CONFIG_VFIO=m or y)
endif
# 6.12 has VFIO IOMMU backends (vfio_register_iommu_driver()) only with the
# container interface; 6.1 always has them.
ifeq ($(ddw_linux)$(CONFIG_VFIO_CONTAINER),6.12)
$(error spapr-ddw: this kernel cannot host it: it needs CONFIG_VFIO_CONTAINER=y)
endif

SPAPR_DDW_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\([^"]*\)"$$/\1/p' $(ddw_top)/dkms.conf)
ccflags-y += -I$(ddw_top)/include -DSPAPR_DDW_VERSION='"$(SPAPR_DDW_VERSION)"'
# Selects what differs between kernel versions, in the compat headers only.
ccflags-y += -DSPAPR_DDW_LINUX_$(subst .,_,$(ddw_linux))
# Linux 6.1 has no IOMMU ops for PowerNV: pnv_ioda2_ddw brings its own.
ddw_iommu_glue := $(if $(filter 6.1,$(ddw_linux)),y)
# Linux 6.12 has them: pnv_ioda2_ddw only records the PEs.
ddw_pe_scan := $(if $(filter 6.12,$(ddw_linux)),y)
# Linux 6.12 no longer exports vfio_spapr_iommu_eeh_ioctl().
ddw_own_eeh := $(if $(filter 6.12,$(ddw_linux)),y)
