/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What differs between the kernel versions spapr-ddw builds for, in the
 * IOMMU and platform interfaces pnv_ioda2_ddw uses, and the declarations of
 * kernel structures that the kernel keeps private.  Nothing else in the tree
 * may declare a private kernel structure or test the kernel version.
 * kbuild.mk defines SPAPR_DDW_LINUX_6_1 or SPAPR_DDW_LINUX_6_12.
 */
#ifndef _PNV_DDW_COMPAT_H
#define _PNV_DDW_COMPAT_H

#include <linux/build_bug.h>
#include <linux/iommu.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <asm/iommu.h>

struct device;

/* pe_owner.c: what the PE's interposed take/release ownership ops do. */
long ddw_pe_take_op(struct iommu_table_group *table_group);
void ddw_pe_release_op(struct iommu_table_group *table_group);
bool ddw_pe_keep(struct iommu_table_group *table_group,
		 struct iommu_table_group_ops **platform);
void ddw_pe_kernel_back(struct iommu_table_group *table_group, bool back);

#if defined(SPAPR_DDW_LINUX_6_1)

/*
 * iommu_table_group_ops of 6.1: take_ownership and release_ownership get
 * the table group only, and taking cannot fail.  Two owners take a PE one
 * after the other (the glue's blocking domain, then a VFIO backend, ours or
 * the in-tree one), so the PE's ops are interposed (pe_owner.c) and the
 * takes counted: the first one of @owners takes the hardware from the
 * kernel, the last one gives it back.
 */
#define COMPAT_PE_OPS_INTERPOSED	true

static inline bool compat_pe_claimed(struct iommu_table_group *table_group)
{
	return true;
}

/*
 * A release whose allocation failed could not restore the kernel's default
 * window (the platform's release_ownership ignores that error), and 6.1's
 * take would WARN on the missing table.  Depending on where it failed, the
 * bypass window may be on and window 0 programmed with a table linked to
 * nothing: clear both as the take would, without its put.  The next
 * release tries to restore them again.
 */
static inline int compat_pe_take(struct iommu_table_group_ops *ops,
				 struct iommu_table_group *table_group,
				 unsigned int owners)
{
	if (owners)
		return 0;
	if (READ_ONCE(table_group->tables[0])) {
		ops->take_ownership(table_group);
		return 0;
	}
	/* Window 1's entry is the bypass window's (pnv_pci_ioda2_set_bypass()). */
	if (ops->unset_window(table_group, 1) || ops->unset_window(table_group, 0))
		return -EIO;
	return 0;
}

static inline void compat_pe_give_back(struct iommu_table_group_ops *ops,
				       struct iommu_table_group *table_group,
				       unsigned int owners)
{
	if (!owners)
		ops->release_ownership(table_group);
}

static inline void compat_take_ownership_op(struct iommu_table_group *table_group)
{
	WARN_ON_ONCE(ddw_pe_take_op(table_group));
}

static inline void compat_release_ownership_op(struct iommu_table_group *table_group)
{
	ddw_pe_release_op(table_group);
}

/*
 * Every op of the PE goes through pe_owner.c: the in-tree backend's take
 * pins the module before it calls any other.
 */
static inline void compat_pe_ops_fill(struct iommu_table_group_ops *ours,
				      const struct iommu_table_group_ops *platform)
{
}

/*
 * A PE's windows change only under its lock (every op interposed), which
 * the caller holds: @fn reads them there.  Out of the kernel's DMA setup
 * while owned.
 */
static inline bool compat_pe_read(struct iommu_group *grp, unsigned int owners,
				  void (*fn)(void *data, bool external),
				  void *data)
{
	fn(data, owners);
	return true;
}

/* Nothing reaches ddw_pe_ops unpinned: the in-tree backend's take pins. */
static inline void compat_pe_ops_quiesce(void)
{
}

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

#elif defined(SPAPR_DDW_LINUX_6_12)

/*
 * iommu_table_group_ops of 6.4 and later: take_ownership returns an errno,
 * and both get a device.  Their only callers are the kernel's own domains
 * (arch/powerpc/kernel/iommu.c): spapr_tce_blocked_iommu_attach_dev() takes
 * the PE for each device of a group whose DMA owner is claimed
 * (iommu_group_claim_dma_owner(), which VFIO does before a backend's
 * attach_group), and spapr_tce_platform_iommu_attach_dev() gives it back
 * for each device when the claim is released.  A PE is held from the
 * kernel exactly while its group is blocked, and its owners (pe_owner.c)
 * are only users of that claim, who must unset their windows before it is
 * released: this module never takes or releases a PE itself.
 *
 * pnv_ioda2_take_ownership() is idempotent per PE only while tables[0] is
 * empty.  A device added to a claimed group gets the blocked domain too
 * (__iommu_probe_device()), and a take then: with an owner's window 0 in
 * tables[0], the platform would unset it and put a table reference that
 * is the owner's.  So the ops are interposed (pe_owner.c), and a take
 * while the PE has owners leaves it as it is, unless the kernel's windows
 * came back under them (a claim released before its owners disowned).
 */
#define COMPAT_PE_OPS_INTERPOSED	true

static inline int compat_dev_blocked(struct device *dev, void *data)
{
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	if (!domain || domain->type != IOMMU_DOMAIN_BLOCKED)
		return -EPERM;
	(*(unsigned int *)data)++;
	return 0;
}

/*
 * The group's DMA owner is claimed, and the kernel's blocked domain is on
 * every device (the owner count alone also counts the DMA API's users, the
 * drivers bound).  Takes the group's mutex.
 */
static inline bool compat_pe_claimed(struct iommu_table_group *table_group)
{
	/* Read once: group_release() clears it when the group goes. */
	struct iommu_group *grp = READ_ONCE(table_group->group);
	unsigned int devs = 0;

	if (!grp || !iommu_group_dma_owner_claimed(grp))
		return false;
	return !iommu_group_for_each_dev(grp, &devs, compat_dev_blocked) && devs;
}

/*
 * The claim is not ours to check against its maker: the first owner at
 * least finds no window set by another user of it (the in-tree backend's
 * container): the kernel's take left none.
 */
static inline int compat_pe_take(struct iommu_table_group_ops *ops,
				 struct iommu_table_group *table_group,
				 unsigned int owners)
{
	unsigned int i;

	if (!compat_pe_claimed(table_group))
		return -EPERM;
	for (i = 0; !owners && i < IOMMU_TABLE_GROUP_MAX_TABLES; i++)
		if (READ_ONCE(table_group->tables[i]))
			return -EBUSY;
	return 0;
}

static inline void compat_pe_give_back(struct iommu_table_group_ops *ops,
				       struct iommu_table_group *table_group,
				       unsigned int owners)
{
}

/* Called by the kernel's blocked domain, under the group's mutex. */
static inline long compat_take_ownership_op(struct iommu_table_group *table_group,
					    struct device *dev)
{
	struct iommu_table_group_ops *platform;
	long ret;

	if (ddw_pe_keep(table_group, &platform))
		return 0;
	ret = platform->take_ownership(table_group, dev);
	if (!ret)
		ddw_pe_kernel_back(table_group, false);
	return ret;
}

/*
 * Called by the kernel's platform domain, under the group's mutex, when the
 * claim goes.  The platform restores the kernel's windows only if tables[0]
 * is empty: tell the take when it did.
 */
static inline void compat_release_ownership_op(struct iommu_table_group *table_group,
					       struct device *dev)
{
	struct iommu_table_group_ops *platform;
	bool empty = !READ_ONCE(table_group->tables[0]);

	ddw_pe_keep(table_group, &platform);
	platform->release_ownership(table_group, dev);
	/* Once per device: the first one restores. */
	if (empty)
		ddw_pe_kernel_back(table_group, true);
}

/*
 * Only take and release run this module's code, always under the group's
 * mutex, which the unload drains.  The in-tree backend calls the other ops
 * under its container's lock without pinning this module on 6.12 (its take
 * is the kernel's): they go to the platform directly, and the unload waits
 * out, with synchronize_rcu(), a caller between reading table_group->ops
 * and the op in it (nothing sleeps there, the kernel is not preemptible:
 * pe_owner.c).
 */
static inline void compat_pe_ops_fill(struct iommu_table_group_ops *ours,
				      const struct iommu_table_group_ops *platform)
{
	*ours = *platform;
	ours->take_ownership = compat_take_ownership_op;
	ours->release_ownership = compat_release_ownership_op;
}

struct compat_pe_read {
	void (*fn)(void *data, bool external);
	void *data;
	bool done;
};

static inline int compat_pe_read_dev(struct device *dev, void *data)
{
	struct compat_pe_read *r = data;
	struct iommu_domain *domain = iommu_get_domain_for_dev(dev);

	if (!r->done) {
		r->done = true;
		r->fn(r->data, domain && domain->type == IOMMU_DOMAIN_BLOCKED);
	}
	return 0;
}

/*
 * The kernel's take and release at a claim change the PE's windows under
 * the group's mutex alone: @fn runs under it (and under the PE's lock the
 * caller holds, which orders owners' changes).  Out of the kernel's DMA
 * setup while the group's blocked domain is on.
 */
static inline bool compat_pe_read(struct iommu_group *grp, unsigned int owners,
				  void (*fn)(void *data, bool external),
				  void *data)
{
	struct compat_pe_read r = { .fn = fn, .data = data };

	iommu_group_for_each_dev(grp, &r, compat_pe_read_dev);
	return r.done;
}

/*
 * The in-tree backend reads table_group->ops, then an op in it, without a
 * sleep between (Debian 6.12's vfio_iommu_spapr_tce reloads the ops after
 * account_locked_vm()).  Without preempt counting, plain kernel code is an
 * RCU reader: a grace period after the ops are given back, no caller still
 * reads ddw_pe_ops.  With it (PREEMPT_COUNT: preemptible or debug kernels),
 * a tick in such code counts as a quiescent state, hence refused.
 */
static_assert(!IS_ENABLED(CONFIG_PREEMPT_COUNT),
	      "pnv_ioda2_ddw's unload on 6.12 needs a kernel without PREEMPT_COUNT");

static inline void compat_pe_ops_quiesce(void)
{
	synchronize_rcu();
}

#else
#error "spapr-ddw: kbuild.mk names no supported kernel version"
#endif

#endif /* _PNV_DDW_COMPAT_H */
