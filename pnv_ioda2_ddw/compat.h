/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Declarations of kernel structures that the kernel keeps private, for the
 * kernel versions spapr-ddw builds for.  Nothing else in the tree may
 * declare a private kernel structure.
 */
#ifndef _PNV_DDW_COMPAT_H
#define _PNV_DDW_COMPAT_H

#include <linux/build_bug.h>
#include <linux/iommu.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/string.h>

/* kbuild.mk defines SPAPR_DDW_LINUX_6_1 when building for Linux 6.1. */
#ifndef SPAPR_DDW_LINUX_6_1
#error "compat.h mirrors struct iommu_group of Linux 6.1 only"
#endif

/*
 * The IOMMU core of 6.1 walks these buses only (drivers/iommu/iommu.c,
 * iommu_buses[]); iommu_glue.c clears their iommu_ops on unload and knows
 * of no others.
 */
#if IS_ENABLED(CONFIG_ARM_AMBA) || IS_ENABLED(CONFIG_FSL_MC_BUS) || \
	IS_ENABLED(CONFIG_TEGRA_HOST1X_CONTEXT_BUS)
#error "this kernel has IOMMU buses beyond platform and PCI"
#endif

/*
 * struct iommu_group of drivers/iommu/iommu.c in Linux 6.1.  Only
 * blocking_domain is written (under mutex), to free the blocking domain this
 * module allocated before the module goes away.  compat_group_layout_ok()
 * checks the layout against the core's accessors at run time.
 */
struct compat_iommu_group {
	struct kobject kobj;
	struct kobject *devices_kobj;
	struct list_head devices;
	struct mutex mutex;	/* the core's lock of the group */
	void *iommu_data;
	void (*iommu_data_release)(void *iommu_data);
	char *name;
	int id;
	struct iommu_domain *default_domain;
	struct iommu_domain *blocking_domain;
	struct iommu_domain *domain;
	struct list_head entry;
	unsigned int owner_cnt;
	void *owner;
};

static_assert(offsetof(struct compat_iommu_group, kobj) == 0);

static inline struct compat_iommu_group *compat_group(struct iommu_group *grp)
{
	return (struct compat_iommu_group *)grp;
}

/*
 * The fields the public accessors can vouch for hold what they return; the
 * core names a group's kobject after its id.
 */
static inline bool compat_group_layout_ok(struct iommu_group *grp)
{
	struct compat_iommu_group *cg = compat_group(grp);
	char name[12];

	snprintf(name, sizeof(name), "%d", iommu_group_id(grp));
	return cg->id == iommu_group_id(grp) &&
	       cg->iommu_data == iommu_group_get_iommudata(grp) &&
	       kobject_name(&cg->kobj) && !strcmp(kobject_name(&cg->kobj), name);
}

#endif /* _PNV_DDW_COMPAT_H */
