/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pnv_ioda2_ddw: the exported API of the IODA2 (PowerNV PHB3/PHB4) side of
 * sPAPR Dynamic DMA Windows.  Its users are the spapr_tce_ddw VFIO backend
 * and the tests.
 */
#ifndef _PNV_IODA2_DDW_H
#define _PNV_IODA2_DDW_H

#include <linux/types.h>

struct dentry;
struct iommu_group;
struct iommu_table_group;

/**
 * struct pnv_ddw_caps - what a PE offers for DMA windows
 * @tce32_start: bus address of the default 32-bit window
 * @tce32_size: size in bytes of the default 32-bit window
 * @pgsizes: bitmap of the IOMMU page sizes the PE supports (bit n: 1 << n)
 * @max_windows: number of DMA windows the PE can hold at once
 * @max_levels: deepest TCE table the PE can walk (1 = a flat table)
 */
struct pnv_ddw_caps {
	u64 tce32_start;
	u64 tce32_size;
	u64 pgsizes;
	u32 max_windows;
	u32 max_levels;
};

struct iommu_table_group *pnv_ddw_table_group(struct iommu_group *grp);
void pnv_ddw_get_caps(const struct iommu_table_group *table_group,
		      struct pnv_ddw_caps *caps);
struct dentry *pnv_ddw_debugfs_dir(void);

#endif /* _PNV_IODA2_DDW_H */
