/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _PNV_DDW_IOMMU_GLUE_H
#define _PNV_DDW_IOMMU_GLUE_H

struct dentry;

int ddw_glue_init(struct dentry *dir);
void ddw_glue_exit(void);

#endif /* _PNV_DDW_IOMMU_GLUE_H */
