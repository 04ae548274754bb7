/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _PNV_DDW_PE_INFO_H
#define _PNV_DDW_PE_INFO_H

struct dentry;
struct device;
struct iommu_group;

struct iommu_table_group *ddw_dev_table_group(struct device *dev,
					      struct iommu_group *grp);

unsigned int pe_info_count(void);
void pe_info_debugfs_init(struct dentry *dir);

#endif /* _PNV_DDW_PE_INFO_H */
