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
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <asm/iommu.h>

#include <pnv_ioda2_ddw.h>
#include "pe_owner.h"
#include "tce_geometry.h"
#include "tce_table.h"
#include "window.h"

/* Bus address of a PE's second window: bit 59 selects TVE #1 (IODA2/3). */
#define IODA2_WINDOW1_BUS_BASE	BIT_ULL(59)

/* Tables made and not yet freed: what a leak test reads in debugfs. */
static atomic_long_t tables_live = ATOMIC_LONG_INIT(0);

static void ddw_it_free(struct iommu_table *tbl)
{
	ddw_table_free_levels(to_ddw_table(tbl));
	atomic_long_dec(&tables_live);
}

static int ddw_it_xchg_no_kill(struct iommu_table *tbl, long index,
			       unsigned long *hpa,
			       enum dma_data_direction *direction)
{
	return pnv_ddw_tce_xchg(to_ddw_table(tbl), index - tbl->it_offset, hpa,
				direction);
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

static __be64 *ddw_it_useraddrptr(struct iommu_table *tbl, long index,
				  bool alloc)
{
	__be64 *slot = pnv_ddw_tce_useraddr(to_ddw_table(tbl),
					    index - tbl->it_offset, alloc);

	return IS_ERR(slot) ? NULL : slot;
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
 * @flags: PNV_DDW_TABLE_SHADOW to keep userspace addresses beside the TCEs
 *
 * Only the top level is allocated, on the PE's NUMA node; the others when
 * an entry under them is first set.  The table is not programmed into the
 * PE: see pnv_ddw_window_set().
 *
 * Return: the table, holding one reference (pnv_ddw_table_put()), or
 * ERR_PTR(-EINVAL) for a window number or geometry the PE cannot take,
 * ERR_PTR(-E2BIG) (use more levels), ERR_PTR(-ENOMEM).
 */
struct pnv_ddw_table *pnv_ddw_table_create(struct iommu_table_group *table_group,
					   int num, u32 page_shift,
					   u64 window_size, u32 levels,
					   unsigned int flags)
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
	    (flags & ~PNV_DDW_TABLE_SHADOW))
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
	table = kzalloc_node(sizeof(*table), GFP_KERNEL, nid);
	if (!table)
		return ERR_PTR(-ENOMEM);
	ret = ddw_table_init(table, &geo, nid, flags & PNV_DDW_TABLE_SHADOW);
	if (ret) {
		kfree(table);
		return ERR_PTR(ret);
	}

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
}
EXPORT_SYMBOL_GPL(pnv_ddw_table_create);

/**
 * pnv_ddw_table_put() - drop a reference to a table
 * @table: the table
 *
 * The last reference frees every level.  A window holds its own reference
 * while it is programmed.
 */
void pnv_ddw_table_put(struct pnv_ddw_table *table)
{
	iommu_tce_table_put(&table->tbl);
}
EXPORT_SYMBOL_GPL(pnv_ddw_table_put);

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
	long ret;

	if (!pe || !ddw_pe_owned(pe))
		return -EPERM;
	if (num < 0 || num >= IOMMU_TABLE_GROUP_MAX_TABLES ||
	    table->tbl.it_offset !=
	    (num ? IODA2_WINDOW1_BUS_BASE : table_group->tce32_start) >>
	    table->geo.page_shift)
		return -EINVAL;
	if (table_group->tables[num])
		return -EBUSY;
	ret = ddw_pe_set_window(pe, num, &table->tbl);
	return ret ? -EIO : 0;
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

	if (WARN_ON_ONCE(!pe || !ddw_pe_owned(pe)) ||
	    num < 0 || num >= IOMMU_TABLE_GROUP_MAX_TABLES ||
	    !table_group->tables[num])
		return;
	ddw_pe_unset_window(pe, num);
}
EXPORT_SYMBOL_GPL(pnv_ddw_window_unset);

/**
 * pnv_ddw_tce_kill() - invalidate the PHBs' TCE caches for a range
 * @table: the table, programmed into one or more PEs
 * @idx: first entry
 * @npages: number of entries
 *
 * Call it after a batch of pnv_ddw_tce_xchg()/pnv_ddw_tce_clear(), before
 * the pages unmapped are given back.
 */
void pnv_ddw_tce_kill(struct pnv_ddw_table *table, u64 idx, u64 npages)
{
	ddw_ioda2_tce_kill(&table->tbl, table->tbl.it_offset + idx, npages);
}
EXPORT_SYMBOL_GPL(pnv_ddw_tce_kill);

/**
 * pnv_ddw_own() - take a PE from the kernel for its windows
 * @table_group: an IODA2 PE adopted by this module
 *
 * The first owner takes the PE: the kernel's default window and bypass are
 * removed.  Owners nest (the IOMMU core's blocking domain is one).
 *
 * Return: 0, or -ENODEV for a PE this module does not know.
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
 * The last owner hands the PE back: the platform restores the kernel's
 * default 32-bit window and bypass.
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
	seq_printf(m, "tables_live: %ld\nlevels_live: %ld\n",
		   atomic_long_read(&tables_live), ddw_levels_live());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(tce_tables);

void ddw_window_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("tce_tables", 0400, dir, NULL, &tce_tables_fops);
}
