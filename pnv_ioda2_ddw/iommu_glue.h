/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _PNV_DDW_IOMMU_GLUE_H
#define _PNV_DDW_IOMMU_GLUE_H

struct dentry;

/*
 * What finds the IODA2 PEs and lets VFIO claim their groups, one file per
 * kernel, chosen by kbuild.mk.  Linux 6.1 has no IOMMU ops for PowerNV:
 * iommu_glue.c (and glue_blocking.c) adopts the devices and brings a
 * blocking domain.  powerpc has had its own since 6.4: pe_scan.c only
 * records the PEs, and the kernel's blocked domain takes them from its DMA
 * setup when their groups are claimed.
 */
int ddw_glue_init(struct dentry *dir);
void ddw_glue_exit(void);

#endif /* _PNV_DDW_IOMMU_GLUE_H */
