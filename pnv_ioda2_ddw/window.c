// SPDX-License-Identifier: GPL-2.0-only
/*
 * DMA windows of IODA2 PEs: tables made by the TCE engine, programmed into
 * a PE's TVEs through the platform's iommu_table_group_ops, and TCE cache
 * invalidation through the platform's table ops.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/iommu.h>
#include <linux/kref.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <asm/iommu.h>

#include <pnv_ioda2_ddw.h>
#include "pe_owner.h"
#include "tce_geometry.h"
#include "tce_hold.h"
#include "tce_table.h"
#include "window.h"

/* Bus address of a PE's second window: bit 59 selects TVE #1 (IODA2/3). */
#define IODA2_WINDOW1_BUS_BASE	BIT_ULL(59)

/* Tables made and not yet freed: what a leak test reads in debugfs. */
static atomic_long_t tables_live = ATOMIC_LONG_INIT(0);

/* Where tables end: see ddw_it_free(). */
static struct workqueue_struct *ddw_reap_wq;

/* The end of a table after its last reference, with a copy of it. */
struct ddw_table_reaper {
	struct work_struct work;
	struct pnv_ddw_table table;
};

static void ddw_table_reap(struct work_struct *work)
{
	struct ddw_table_reaper *r = container_of(work, struct ddw_table_reaper, work);
	struct pnv_ddw_table *table = &r->table;

	ddw_table_release_all(table);
	ddw_table_free_levels(table);
	if (table->mm)
		mmdrop(table->mm);
	kfree(r);
	atomic_long_dec(&tables_live);
	/* ddw_window_exit() waits for this work to return. */
	module_put(THIS_MODULE);
}

/*
 * The last reference.  KVM drops its references from an RCU callback, and
 * the kernel frees the table as soon as this returns: giving back what is
 * left in it, which may sleep and costs what the table holds, is the
 * reaper's work, on a copy.
 */
static void ddw_it_free(struct iommu_table *tbl)
{
	struct pnv_ddw_table *table = to_ddw_table(tbl);
	struct ddw_table_reaper *r = table->reaper;

	r->table = *table;
	/* The copy is linked nowhere; its tbl is not used. */
	INIT_LIST_HEAD(&r->table.tbl.it_group_list);
	INIT_WORK(&r->work, ddw_table_reap);
	queue_work(ddw_reap_wq, &r->work);
}

/*
 * KVM's in-kernel TCE path (and nobody else) calls the ops below; the owner
 * uses the exported API.  KVM walks its tables under SRCU only, so nothing
 * here sleeps.  On a v1 or v2 table, what an entry held when KVM clears or
 * replaces it is given back here, and the old entry is reported empty: KVM
 * then neither drops a count itself (it would look the address up in its
 * own process, and not at all on its way out of an H_PUT_TCE it cannot do)
 * nor touches the page.  A v1 table takes only clears: KVM cannot map it
 * (no shadow).
 */
static int ddw_it_xchg_no_kill(struct iommu_table *tbl, long index,
			       unsigned long *hpa,
			       enum dma_data_direction *direction)
{
	struct pnv_ddw_table *table = to_ddw_table(tbl);
	u64 idx = index - tbl->it_offset;
	int ret;

	if (!(table->flags & (PNV_DDW_TABLE_PINNED | PNV_DDW_TABLE_SHADOW)))
		return pnv_ddw_tce_xchg(table, idx, hpa, direction);
	if (*direction != DMA_NONE && (table->flags & PNV_DDW_TABLE_PINNED))
		return -EPERM;
	if (*direction == DMA_NONE)
		ret = ddw_tce_clear_one(table, idx);
	else
		ret = ddw_tce_set_kvm(table, idx, *hpa, *direction);
	*hpa = 0;
	*direction = DMA_NONE;
	return ret;
}

static void ddw_it_tce_kill(struct iommu_table *tbl, unsigned long index,
			    unsigned long pages)
{
	ddw_ioda2_tce_kill(tbl, index, pages);
}

static unsigned long ddw_it_get(struct iommu_table *tbl, long index)
{
	enum dma_data_direction dir;
	unsigned long hpa;

	if (pnv_ddw_tce_get(to_ddw_table(tbl), index - tbl->it_offset, &hpa,
			    &dir))
		return 0;
	return be64_to_cpu(ddw_tce_encode(hpa, dir));
}

/*
 * KVM maps an entry only where it gets a shadow slot, and asks for it
 * first: the levels of the entry are allocated here, without sleeping.  No
 * slot for a table retired by its owner, nor for another process than the
 * table's: KVM counts the mapping in the regions of its own process, which
 * must be the ones the shadow's addresses are given back to.
 */
static __be64 *ddw_it_useraddrptr(struct iommu_table *tbl, long index,
				  bool alloc)
{
	struct pnv_ddw_table *table = to_ddw_table(tbl);
	u64 idx = index - tbl->it_offset;
	__be64 *slot;

	if (current->mm != table->mm)
		return NULL;
	if (!alloc) {
		slot = pnv_ddw_tce_useraddr(table, idx, false);
		return IS_ERR(slot) ? NULL : slot;
	}
	if (READ_ONCE(table->retired))
		return NULL;
	return ddw_entry_prepare(table, idx, GFP_NOWAIT | __GFP_NOWARN);
}

/*
 * What the platform, the IOMMU core and KVM call on a table: the kernel's
 * own DMA (set/clear) never uses these tables.
 */
static struct iommu_table_ops ddw_table_ops = {
	.xchg_no_kill = ddw_it_xchg_no_kill,
	.tce_kill = ddw_it_tce_kill,
	.get = ddw_it_get,
	.useraddrptr = ddw_it_useraddrptr,
	.free = ddw_it_free,
};

static int first_dev_node(struct device *dev, void *data)
{
	*(int *)data = dev_to_node(dev);
	return 1;
}

/**
 * pnv_ddw_table_create() - a TCE table for window @num of a PE
 * @table_group: the PE
 * @num: 0 for the 32-bit window (at the PE's tce32_start), 1 for the
 *	dynamic window at bus address 2^59
 * @page_shift: log2 of the IOMMU page size; one the PE offers
 * @window_size: bytes, a power of two
 * @levels: 1..the PE's max_levels
 * @flags: what the entries hold besides their translation: 0,
 *	PNV_DDW_TABLE_SHADOW (v2) or PNV_DDW_TABLE_PINNED (v1)
 * @mm: with PNV_DDW_TABLE_SHADOW, the process whose pre-registered memory
 *	the entries map; else NULL
 *
 * Only the top level is allocated, on the PE's NUMA node; the others when
 * an entry under them is first set.  The table is not programmed into the
 * PE: see pnv_ddw_window_set().  Each table holds this module: KVM may keep
 * one, and call its ops, after its owner and the backend module are gone.
 *
 * Return: the table, holding one reference (pnv_ddw_table_put()), or
 * ERR_PTR(-EINVAL) for a window number or geometry the PE cannot take, or
 * flags that do not go together, ERR_PTR(-E2BIG) (use more levels),
 * ERR_PTR(-ENOMEM), ERR_PTR(-ENODEV) (the module is going away).
 */
struct pnv_ddw_table *pnv_ddw_table_create(struct iommu_table_group *table_group,
					   int num, u32 page_shift,
					   u64 window_size, u32 levels,
					   unsigned int flags,
					   struct mm_struct *mm)
{
	struct pnv_ddw_geometry geo;
	struct pnv_ddw_table *table;
	struct pnv_ddw_caps caps;
	int nid = NUMA_NO_NODE;
	u64 bus_start;
	int ret;

	pnv_ddw_get_caps(table_group, &caps);
	if (num < 0 || num >= min_t(u32, caps.max_windows,
				    IOMMU_TABLE_GROUP_MAX_TABLES) ||
	    (flags & ~(PNV_DDW_TABLE_SHADOW | PNV_DDW_TABLE_PINNED)) ||
	    flags == (PNV_DDW_TABLE_SHADOW | PNV_DDW_TABLE_PINNED) ||
	    !mm != !(flags & PNV_DDW_TABLE_SHADOW))
		return ERR_PTR(-EINVAL);
	ret = pnv_ddw_geometry_init(&geo, &caps, page_shift, window_size,
				    levels);
	if (ret)
		return ERR_PTR(ret);
	bus_start = num ? IODA2_WINDOW1_BUS_BASE : caps.tce32_start;
	if (!IS_ALIGNED(bus_start, window_size) ||
	    (!num && bus_start + window_size > IODA2_WINDOW1_BUS_BASE))
		return ERR_PTR(-EINVAL);

	if (table_group->group)
		iommu_group_for_each_dev(table_group->group, &nid,
					 first_dev_node);
	if (!try_module_get(THIS_MODULE))
		return ERR_PTR(-ENODEV);
	table = kzalloc_node(sizeof(*table), GFP_KERNEL, nid);
	ret = -ENOMEM;
	if (!table)
		goto out_put;
	table->reaper = kzalloc(sizeof(*table->reaper), GFP_KERNEL);
	if (!table->reaper)
		goto out_free;
	ret = ddw_table_init(table, &geo, nid, flags & PNV_DDW_TABLE_SHADOW);
	if (ret)
		goto out_free;
	table->flags = flags;
	table->mm = mm;
	if (mm)
		mmgrab(mm);

	table->tbl.it_page_shift = page_shift;
	table->tbl.it_offset = bus_start >> page_shift;
	table->tbl.it_size = geo.entries;
	table->tbl.it_indirect_levels = levels - 1;
	table->tbl.it_level_size = geo.level_entries;
	table->tbl.it_base = (unsigned long)table->hw_top;
	table->tbl.it_type = TCE_PCI;
	table->tbl.it_ops = &ddw_table_ops;
	table->tbl.it_allocated_size = geo.max_table_bytes;
	INIT_LIST_HEAD_RCU(&table->tbl.it_group_list);
	kref_init(&table->tbl.it_kref);
	atomic_long_inc(&tables_live);
	return table;

out_free:
	kfree(table->reaper);
	kfree(table);
out_put:
	module_put(THIS_MODULE);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(pnv_ddw_table_create);

/**
 * pnv_ddw_table_put() - drop a reference to a table
 * @table: the table
 *
 * After the last reference, a worker gives back what the entries still hold
 * and frees every level.  A window holds its own reference while it is
 * programmed; KVM holds its own.
 */
void pnv_ddw_table_put(struct pnv_ddw_table *table)
{
	iommu_tce_table_put(&table->tbl);
}
EXPORT_SYMBOL_GPL(pnv_ddw_table_put);

/**
 * pnv_ddw_table_retire() - no new mappings through the table's ops
 * @table: the table, taken out of every PE by its owner
 *
 * KVM keeps its own references to the tables of the windows it
 * accelerates, and may write them after their owner removed the window.
 * Once retired, it can only clear: the owner then clears the table, and
 * nothing is mapped in it again (its last reference gives back whatever a
 * mapping racing with the retirement left).
 */
void pnv_ddw_table_retire(struct pnv_ddw_table *table)
{
	WRITE_ONCE(table->retired, true);
}
EXPORT_SYMBOL_GPL(pnv_ddw_table_retire);

/**
 * pnv_ddw_table_info() - a table's window and what it holds now
 * @table: the table
 * @info: filled in
 */
void pnv_ddw_table_info(struct pnv_ddw_table *table,
			struct pnv_ddw_table_info *info)
{
	info->bus_start = table->tbl.it_offset << table->geo.page_shift;
	info->window_size = 1ULL << table->geo.window_shift;
	info->page_shift = table->geo.page_shift;
	info->levels = table->geo.levels;
	info->entries = table->geo.entries;
	info->table_bytes = atomic64_read(&table->hw_bytes);
	info->shadow_bytes = atomic64_read(&table->shadow_bytes);
}
EXPORT_SYMBOL_GPL(pnv_ddw_table_info);

/**
 * pnv_ddw_window_set() - program a table into a PE's TVE
 * @table_group: the PE, owned by the caller (pnv_ddw_own())
 * @num: the window the table was created for
 * @table: the table; the window takes a reference
 *
 * Return: 0; -EPERM if the PE is not owned (the kernel's DMA uses it);
 * -EBUSY if the window is in use; -EINVAL for a table made for another
 * window; -EIO if the firmware refused.
 */
int pnv_ddw_window_set(struct iommu_table_group *table_group, int num,
		       struct pnv_ddw_table *table)
{
	struct ddw_pe *pe = ddw_pe_find(table_group);

	if (!pe)
		return -EPERM;
	if (num < 0 || num >= IOMMU_TABLE_GROUP_MAX_TABLES ||
	    table->tbl.it_offset !=
	    (num ? IODA2_WINDOW1_BUS_BASE : table_group->tce32_start) >>
	    table->geo.page_shift)
		return -EINVAL;
	return ddw_pe_set_window(pe, num, &table->tbl);
}
EXPORT_SYMBOL_GPL(pnv_ddw_window_set);

/**
 * pnv_ddw_window_unset() - clear a PE's TVE and drop its table reference
 * @table_group: the PE, owned by the caller
 * @num: the window
 */
void pnv_ddw_window_unset(struct iommu_table_group *table_group, int num)
{
	struct ddw_pe *pe = ddw_pe_find(table_group);

	if (WARN_ON_ONCE(!pe) || num < 0 || num >= IOMMU_TABLE_GROUP_MAX_TABLES)
		return;
	ddw_pe_unset_window(pe, num);
}
EXPORT_SYMBOL_GPL(pnv_ddw_window_unset);

/**
 * pnv_ddw_tce_kill() - invalidate the PHBs' TCE caches for a range
 * @table: the table, programmed into one or more PEs
 * @idx: first entry
 * @npages: number of entries; 0 invalidates nothing
 *
 * Call it after a batch of pnv_ddw_tce_xchg()/pnv_ddw_tce_clear(), before
 * the pages unmapped are given back.
 */
void pnv_ddw_tce_kill(struct pnv_ddw_table *table, u64 idx, u64 npages)
{
	/* PHB3's per-page kill loop would run from idx to the end of time. */
	if (!npages)
		return;
	ddw_ioda2_tce_kill(&table->tbl, table->tbl.it_offset + idx, npages);
}
EXPORT_SYMBOL_GPL(pnv_ddw_tce_kill);

/**
 * pnv_ddw_own() - take a PE from the kernel for its windows
 * @table_group: an IODA2 PE adopted by this module
 *
 * On Linux 6.1 the first owner takes the PE: the kernel's default window
 * and bypass are removed.  Owners nest (the IOMMU core's blocking domain is
 * one).  On Linux 6.12 the kernel has taken it when the caller (or VFIO, for
 * a backend's attach_group) claimed the PE's group with
 * iommu_group_claim_dma_owner(); the caller must be the claim's only user
 * of the PE's windows (the claim's maker cannot be checked: VFIO makes it
 * for its backend), and unsets its windows and disowns the PE before
 * releasing that claim.
 *
 * Return: 0, -ENODEV for a PE this module does not know, -EPERM (6.12)
 * if the PE's group is not claimed from the kernel, or -EBUSY (6.12) if
 * the PE has no owner yet but windows: another user of the claim (the
 * in-tree VFIO backend) programmed them through the PE's ops.
 */
int pnv_ddw_own(struct iommu_table_group *table_group)
{
	struct ddw_pe *pe = ddw_pe_find(table_group);

	return pe ? ddw_pe_own(pe) : -ENODEV;
}
EXPORT_SYMBOL_GPL(pnv_ddw_own);

/**
 * pnv_ddw_disown() - give back an ownership taken with pnv_ddw_own()
 * @table_group: the PE; its windows should be unset first
 *
 * On 6.1 the last owner hands the PE back: the platform restores the
 * kernel's default 32-bit window and bypass.  On 6.12 releasing the group's
 * claim does, after this.
 */
void pnv_ddw_disown(struct iommu_table_group *table_group)
{
	struct ddw_pe *pe = ddw_pe_find(table_group);

	if (!WARN_ON_ONCE(!pe))
		ddw_pe_disown(pe);
}
EXPORT_SYMBOL_GPL(pnv_ddw_disown);

static int tce_tables_show(struct seq_file *m, void *unused)
{
	/* Tables whose last reference went are counted once they are gone. */
	flush_workqueue(ddw_reap_wq);
	seq_printf(m, "tables_live: %ld\nlevels_live: %ld\n",
		   atomic_long_read(&tables_live), ddw_levels_live());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(tce_tables);

static struct dentry *tce_tables_file;

int ddw_window_init(struct dentry *dir)
{
	ddw_reap_wq = alloc_workqueue("pnv_ddw_reap", WQ_UNBOUND, 0);
	if (!ddw_reap_wq)
		return -ENOMEM;
	tce_tables_file = debugfs_create_file("tce_tables", 0400, dir, NULL,
					      &tce_tables_fops);
	return 0;
}

/*
 * No table is left (each holds the module); the last reapers may still be
 * returning.  The file's readers flush the workqueue: the file goes first.
 */
void ddw_window_exit(void)
{
	debugfs_remove(tce_tables_file);
	destroy_workqueue(ddw_reap_wq);
}
