/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _PNV_DDW_IOMMU_GLUE_H
#define _PNV_DDW_IOMMU_GLUE_H

struct dentry;

/*
 * kbuild.mk builds iommu_glue.c, and defines SPAPR_DDW_IOMMU_GLUE, for
 * Linux 6.1 only: powerpc has had IOMMU ops of its own since 6.4.
 */
#ifdef SPAPR_DDW_IOMMU_GLUE
int ddw_glue_init(struct dentry *dir);
void ddw_glue_exit(void);
#else
/*
 * The kernel's IOMMU ops serve VFIO: a platform default domain and a
 * blocked domain that take and give back the PE through the platform's
 * iommu_table_group_ops.  Nothing adopts PEs on these kernels yet, so the
 * window API finds none and answers -ENODEV: README.md, "Supported kernels".
 */
static inline int ddw_glue_init(struct dentry *dir)
{
	pr_info("no IOMMU glue on this kernel, and no PE adopted: windows are not offered yet\n");
	return 0;
}

static inline void ddw_glue_exit(void)
{
}
#endif

#endif /* _PNV_DDW_IOMMU_GLUE_H */
