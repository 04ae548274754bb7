// SPDX-License-Identifier: GPL-2.0-only
/*
 * PE ownership: who holds a PE out of the kernel's DMA setup.
 *
 * The IODA2 platform code takes a PE from the kernel (bypass and the default
 * window removed) in its take_ownership op and restores it in
 * release_ownership.  Neither nests: a second take WARNs on the missing
 * default table.  On Linux 6.1 two owners take the same PE one after the
 * other: the IOMMU core's blocking domain (iommu_glue.c), when VFIO claims the
 * group, and then the VFIO backend itself.  So each IODA2 PE gets the
 * platform's ops through a copy whose take/release are counted here: the
 * first take and the last release reach the hardware.
 *
 * On Linux 6.12 the kernel's own blocked domain takes a PE when its group's
 * DMA owner is claimed, and its platform domain gives it back when the
 * claim goes: an owner here is one user of a claim someone else made
 * (compat.h, compat_pe_take()).  The ops are interposed there too, so that
 * a device joining a claimed group leaves the owners' windows alone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <asm/iommu.h>

#include "compat.h"
#include "pe_owner.h"

/* Protects pe_list, ioda2_ops and ioda2_table_ops; a leaf lock. */
static DEFINE_SPINLOCK(pe_list_lock);
static LIST_HEAD(pe_list);
/* The platform's IODA2 ops, the same for every IODA2 PE. */
static struct iommu_table_group_ops *ioda2_ops;
/*
 * The platform's ops of its own IODA2 tables, learnt from a PE's default
 * table: their tce_kill invalidates the TCE caches of every PE a table is
 * linked to, whoever made the table.
 */
static const struct iommu_table_ops *ioda2_table_ops;

struct ddw_pe *ddw_pe_find(struct iommu_table_group *table_group)
{
	struct ddw_pe *pe, *found = NULL;

	spin_lock(&pe_list_lock);
	list_for_each_entry(pe, &pe_list, node) {
		if (pe->table_group == table_group) {
			found = pe;
			break;
		}
	}
	spin_unlock(&pe_list_lock);
	return found;
}

/**
 * ddw_pe_own() - hold a PE out of the kernel's DMA setup
 * @pe: the PE
 *
 * On 6.1 the first owner takes the PE from the platform; on 6.12 the PE's
 * group must be claimed, and the kernel has taken it.  Each owner pins this
 * module, which therefore cannot go while any PE is owned.
 *
 * Return: 0, -ENODEV if the module is going away, -EPERM (6.12) if the
 * group's DMA owner is not claimed, -EIO (6.1) if the windows a failed
 * release left could not be cleared.
 */
int ddw_pe_own(struct ddw_pe *pe)
{
	int ret;

	if (!try_module_get(THIS_MODULE))
		return -ENODEV;
	mutex_lock(&pe->lock);
	ret = compat_pe_take(ioda2_ops, pe->table_group, pe->owners);
	if (!ret) {
		/* Read unlocked by the interposed take of 6.12. */
		WRITE_ONCE(pe->owners, pe->owners + 1);
		if (pe->owners == 1)
			pe->takes++;
	}
	mutex_unlock(&pe->lock);
	if (ret)
		module_put(THIS_MODULE);
	return ret;
}

/**
 * ddw_pe_disown() - drop one ownership taken by ddw_pe_own()
 * @pe: the PE
 *
 * On 6.1 the last owner hands the PE back: the platform restores the
 * default 32-bit window and the bypass window.  On 6.12 that is the claim's
 * release, after this.
 */
void ddw_pe_disown(struct ddw_pe *pe)
{
	mutex_lock(&pe->lock);
	if (WARN_ON_ONCE(!pe->owners)) {
		mutex_unlock(&pe->lock);
		return;
	}
	WRITE_ONCE(pe->owners, pe->owners - 1);
	compat_pe_give_back(ioda2_ops, pe->table_group, pe->owners);
	if (!pe->owners)
		pe->releases++;
	mutex_unlock(&pe->lock);
	module_put(THIS_MODULE);
}

static unsigned long ddw_get_table_size(__u32 page_shift, __u64 window_size,
					__u32 levels)
{
	return ioda2_ops->get_table_size(page_shift, window_size, levels);
}

static long ddw_create_table(struct iommu_table_group *table_group, int num,
			     __u32 page_shift, __u64 window_size, __u32 levels,
			     struct iommu_table **ptbl)
{
	return ioda2_ops->create_table(table_group, num, page_shift,
				       window_size, levels, ptbl);
}

/* The in-tree VFIO backend's window changes, under the PE's lock too. */
static long ddw_set_window(struct iommu_table_group *table_group, int num,
			   struct iommu_table *tbl)
{
	struct ddw_pe *pe = ddw_pe_find(table_group);
	long ret;

	/* Not listed yet (ddw_pe_get()): no owner of ours can be changing it. */
	if (!pe)
		return ioda2_ops->set_window(table_group, num, tbl);
	mutex_lock(&pe->lock);
	ret = ioda2_ops->set_window(table_group, num, tbl);
	mutex_unlock(&pe->lock);
	return ret;
}

static long ddw_unset_window(struct iommu_table_group *table_group, int num)
{
	struct ddw_pe *pe = ddw_pe_find(table_group);
	long ret;

	if (!pe)
		return ioda2_ops->unset_window(table_group, num);
	mutex_lock(&pe->lock);
	ret = ioda2_ops->unset_window(table_group, num);
	mutex_unlock(&pe->lock);
	return ret;
}

/* The PE's take_ownership op, through compat_take_ownership_op(). */
long ddw_pe_take_op(struct iommu_table_group *table_group)
{
	struct ddw_pe *pe = ddw_pe_find(table_group);

	/*
	 * On 6.1 only a VFIO backend gets here, inside the blocking domain's
	 * hold; the compat op WARNs if it fails.
	 */
	return pe ? ddw_pe_own(pe) : -ENODEV;
}

/* The PE's release_ownership op, through compat_release_ownership_op(). */
void ddw_pe_release_op(struct iommu_table_group *table_group)
{
	struct ddw_pe *pe = ddw_pe_find(table_group);

	if (!WARN_ON_ONCE(!pe))
		ddw_pe_disown(pe);
}

/**
 * ddw_pe_keep() - whether a take from the kernel's blocked domain (6.12)
 *	leaves the PE to its owners
 * @table_group: the PE
 * @platform: set to the platform's ops
 *
 * Called under the group's mutex by the interposed take and release
 * (compat.h).  A device joining a claimed group gets a take: with owners,
 * the platform would unset their window 0 and put their table.  But if the
 * claim was released under the owners and the platform restored the
 * kernel's windows, the PE is the kernel's again and must be taken.
 * @platform is read under the lock that published the PE's ops.
 *
 * Return: true if the take must not reach the platform.
 */
bool ddw_pe_keep(struct iommu_table_group *table_group,
		 struct iommu_table_group_ops **platform)
{
	struct ddw_pe *pe;
	bool keep = false;

	spin_lock(&pe_list_lock);
	*platform = ioda2_ops;
	list_for_each_entry(pe, &pe_list, node) {
		if (pe->table_group == table_group) {
			keep = READ_ONCE(pe->owners) && !pe->kernel_back;
			break;
		}
	}
	spin_unlock(&pe_list_lock);
	return keep;
}

/*
 * The interposed release (6.12) tells whether the platform restored the
 * kernel's windows; a take clears it.  Under the group's mutex.
 */
void ddw_pe_kernel_back(struct iommu_table_group *table_group, bool back)
{
	struct ddw_pe *pe = ddw_pe_find(table_group);

	if (!pe)
		return;
	/* Owners unset their windows and disown before the claim goes. */
	WARN_ON_ONCE(back && READ_ONCE(pe->owners));
	pe->kernel_back = back;
}

/* Not const: iommu_table_group::ops is not a const pointer in 6.1. */
static struct iommu_table_group_ops ddw_pe_ops = {
	.get_table_size = ddw_get_table_size,
	.create_table = ddw_create_table,
	.set_window = ddw_set_window,
	.unset_window = ddw_unset_window,
	.take_ownership = compat_take_ownership_op,
	.release_ownership = compat_release_ownership_op,
};

/*
 * Learn the platform's ops from the PE and, on 6.1, route them through
 * ddw_pe_ops; the platform resets them when it sets the PE up again
 * (SR-IOV VFs), hence checked at every adoption.
 */
static int ddw_pe_interpose(struct iommu_table_group *table_group)
{
	int ret = 0;

	spin_lock(&pe_list_lock);
	if (table_group->ops == &ddw_pe_ops)
		goto out_unlock;
	if (!table_group->ops || !table_group->ops->take_ownership ||
	    !table_group->ops->release_ownership ||
	    (ioda2_ops && table_group->ops != ioda2_ops)) {
		ret = -EOPNOTSUPP;
		goto out_unlock;
	}
	if (!ioda2_ops) {
		ioda2_ops = table_group->ops;
		compat_pe_ops_fill(&ddw_pe_ops, ioda2_ops);
	}
	if (COMPAT_PE_OPS_INTERPOSED) {
		/*
		 * The kernel reads table_group->ops without our lock: the
		 * filled ops are seen before the pointer to them.  Readers of
		 * ioda2_ops that came through these ops take the lock
		 * (ddw_pe_keep()) or are 6.1 owners, whose take took it.
		 */
		smp_store_release(&table_group->ops, &ddw_pe_ops);
	}
	/* The kernel's default table, while the kernel owns the PE. */
	if (!ioda2_table_ops && table_group->tables[0] &&
	    table_group->tables[0]->it_ops &&
	    table_group->tables[0]->it_ops->tce_kill)
		ioda2_table_ops = table_group->tables[0]->it_ops;
out_unlock:
	spin_unlock(&pe_list_lock);
	return ret;
}

/**
 * ddw_pe_set_window() - program a table into one of the PE's TVEs
 * @pe: the PE
 * @num: the window
 * @tbl: the table; the platform links it to the PE and takes a reference
 *
 * Return: 0; -EPERM if the PE is not owned (the kernel's DMA uses it), or
 * (6.12) its group's claim is gone;
 * -EBUSY if the window is in use; -ENODEV if TCE invalidation is unknown
 * yet; -EIO if the platform (OPAL) refused.
 */
long ddw_pe_set_window(struct ddw_pe *pe, int num, struct iommu_table *tbl)
{
	struct iommu_table_group *tg = pe->table_group;
	long ret;

	if (!READ_ONCE(ioda2_table_ops))
		return -ENODEV;
	mutex_lock(&pe->lock);
	ret = -EPERM;
	if (!pe->owners || !compat_pe_claimed(tg))
		goto out_unlock;
	ret = -EBUSY;
	if (tg->tables[num])
		goto out_unlock;
	ret = -EIO;
	if (ioda2_ops->set_window(tg, num, tbl))
		goto out_unlock;
	/*
	 * The platform programs the window before it links the table to the
	 * PE, and answers 0 if linking fails: the window would outlive the
	 * table, and TCE invalidation would miss the PE.
	 */
	ret = 0;
	if (tg->tables[num] != tbl) {
		ioda2_ops->unset_window(tg, num);
		ret = -ENOMEM;
	}
out_unlock:
	mutex_unlock(&pe->lock);
	return ret;
}

/*
 * Clear a TVE the owner programmed; nothing if the PE is not owned.  On
 * 6.12, before the group's claim is released: the kernel restores its own
 * windows only where none is left.
 */
void ddw_pe_unset_window(struct ddw_pe *pe, int num)
{
	mutex_lock(&pe->lock);
	/*
	 * 6.12: once the claim is released the kernel may have set up its own
	 * windows (bypass in TVE#1): clearing one would cut the kernel's DMA.
	 * An owner that broke the protocol leaves its table linked instead.
	 */
	if (!WARN_ON_ONCE(!pe->owners) &&
	    !WARN_ON_ONCE(!compat_pe_claimed(pe->table_group)))
		ioda2_ops->unset_window(pe->table_group, num);
	mutex_unlock(&pe->lock);
}

struct ddw_pe_report {
	struct seq_file *m;
	struct iommu_table_group *table_group;
	struct ddw_pe *pe;
	void (*show)(struct seq_file *m, struct iommu_table_group *table_group);
	bool kernel_stable;
};

/* Set under another user's lock: only whether there is a table is read. */
static void ddw_pe_show_others(struct seq_file *m,
			       struct iommu_table_group *table_group)
{
	unsigned int i;

	for (i = 0; i < IOMMU_TABLE_GROUP_MAX_TABLES; i++)
		if (READ_ONCE(table_group->tables[i]))
			seq_printf(m, "  window %u: another user's of the claim (not read)\n", i);
}

/* Under the PE's lock and, on 6.12, the group's mutex (compat_pe_read()). */
static void ddw_pe_report(void *data, bool external)
{
	struct ddw_pe_report *r = data;
	struct ddw_pe *pe = r->pe;

	if (pe)
		seq_printf(r->m, "  owner: %s (owners %u, takes %lu, releases %lu)\n",
			   external ? "external" : "kernel", pe->owners,
			   pe->takes, pe->releases);
	else
		seq_printf(r->m, "  owner: %s (not adopted)\n",
			   external ? "external" : "kernel");
	if ((pe && pe->owners) || (!external && r->kernel_stable))
		r->show(r->m, r->table_group);
	else if (external)
		ddw_pe_show_others(r->m, r->table_group);
	else
		seq_puts(r->m, "  windows: the kernel's (an SR-IOV VF's PE: not read)\n");
}

/**
 * ddw_pe_show() - report who owns a PE, and its windows, as one snapshot
 * @m: the report
 * @grp: the PE's IOMMU group, held by the caller
 * @table_group: the PE
 * @show: prints the windows of @table_group
 * @kernel_stable: the kernel's own windows of the PE change only with its
 *	devices (not an SR-IOV VF's PE, whose are released unlocked)
 *
 * Owners change their windows under the PE's lock; on 6.1 every change
 * does (all ops interposed), on 6.12 the kernel's take and release at a
 * claim hold the group's mutex, the in-tree backend neither (its windows
 * are not read).
 */
void ddw_pe_show(struct seq_file *m, struct iommu_group *grp,
		 struct iommu_table_group *table_group,
		 void (*show)(struct seq_file *m,
			      struct iommu_table_group *table_group),
		 bool kernel_stable)
{
	struct ddw_pe_report r = {
		.m = m,
		.table_group = table_group,
		.pe = ddw_pe_find(table_group),
		.show = show,
		.kernel_stable = kernel_stable,
	};

	if (r.pe)
		mutex_lock(&r.pe->lock);
	if (!compat_pe_read(grp, r.pe ? r.pe->owners : 0, ddw_pe_report, &r))
		seq_puts(m, "  owner: unknown (its last device went)\n");
	if (r.pe)
		mutex_unlock(&r.pe->lock);
}

/**
 * ddw_ioda2_tce_kill() - invalidate TCE caches for entries of a table
 * @tbl: a table linked to PEs by set_window
 * @index: first entry, it_offset included
 * @pages: number of entries
 */
void ddw_ioda2_tce_kill(struct iommu_table *tbl, unsigned long index,
			unsigned long pages)
{
	const struct iommu_table_ops *ops = READ_ONCE(ioda2_table_ops);

	if (!WARN_ON_ONCE(!ops))
		ops->tce_kill(tbl, index, pages);
}

/**
 * ddw_pe_get() - the record of a PE, made at first sight
 * @table_group: an IODA2 PE's table group
 *
 * Also (re)routes the PE's ops through this module on 6.1.  Called under
 * the adoption lock (iommu_glue.c on 6.1, pe_scan.c on 6.12), which keeps
 * two callers from adding the same PE.
 *
 * Return: the record, ERR_PTR(-ENOMEM), or ERR_PTR(-EOPNOTSUPP) for a PE
 * whose ops are not the IODA2 ones.
 */
struct ddw_pe *ddw_pe_get(struct iommu_table_group *table_group)
{
	struct ddw_pe *pe;
	int ret;

	pe = ddw_pe_find(table_group);
	if (pe) {
		ret = ddw_pe_interpose(table_group);
		return ret ? ERR_PTR(ret) : pe;
	}
	pe = kzalloc(sizeof(*pe), GFP_KERNEL);
	if (!pe)
		return ERR_PTR(-ENOMEM);
	pe->table_group = table_group;
	mutex_init(&pe->lock);
	/* Listed only once its ops go through us: ddw_pe_find() users rely on it. */
	ret = ddw_pe_interpose(table_group);
	if (ret) {
		mutex_destroy(&pe->lock);
		kfree(pe);
		return ERR_PTR(ret);
	}
	spin_lock(&pe_list_lock);
	list_add_tail(&pe->node, &pe_list);
	spin_unlock(&pe_list_lock);
	return pe;
}

/* Called under the group's mutex: taking it was the point. */
static int ddw_pe_drained(struct device *dev, void *data)
{
	return 1;
}

/**
 * ddw_pe_exit() - give every PE its platform ops back and free the records
 *
 * Called at module exit, when no PE can be owned: each owner pins the module.
 */
void ddw_pe_exit(void)
{
	struct pci_dev *pdev = NULL;
	struct ddw_pe *pe, *next;

	list_for_each_entry(pe, &pe_list, node) {
		WARN_ON_ONCE(pe->owners);
		if (pe->table_group->ops == &ddw_pe_ops)
			WRITE_ONCE(pe->table_group->ops, ioda2_ops);
	}
	/*
	 * Wait for the calls that found our ops before: callers still reading
	 * ddw_pe_ops (compat_pe_ops_quiesce()), then those in our code: on 6.1
	 * the in-tree backend's window changes hold the PE's lock, the kernel's
	 * take and release the group's mutex (6.12 and, through the glue,
	 * 6.1).  Groups are reached through their devices, which hold them:
	 * table_group->group may be cleared or stale.
	 */
	compat_pe_ops_quiesce();
	for_each_pci_dev(pdev) {
		struct iommu_group *grp = iommu_group_get(&pdev->dev);

		if (grp) {
			iommu_group_for_each_dev(grp, NULL, ddw_pe_drained);
			iommu_group_put(grp);
		}
	}
	list_for_each_entry_safe(pe, next, &pe_list, node) {
		mutex_lock(&pe->lock);
		mutex_unlock(&pe->lock);
		spin_lock(&pe_list_lock);
		list_del(&pe->node);
		spin_unlock(&pe_list_lock);
		mutex_destroy(&pe->lock);
		kfree(pe);
	}
	ioda2_ops = NULL;
	ioda2_table_ops = NULL;
}
