// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TCE table engine: multilevel tables in the IODA2 format, big-endian
 * whatever the CPU, indirect levels allocated on demand.
 */
#include <linux/atomic.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <kunit/visibility.h>
#include <asm/iommu.h>

#include <pnv_ioda2_ddw.h>
#include "tce_geometry.h"
#include "tce_table.h"

/* Levels allocated and not yet freed, by every table: a leak detector. */
static atomic_long_t levels_live = ATOMIC_LONG_INIT(0);

long ddw_levels_live(void)
{
	return atomic_long_read(&levels_live);
}
EXPORT_SYMBOL_IF_KUNIT(ddw_levels_live);

static void ddw_level_release(const struct pnv_ddw_geometry *geo, void *level)
{
	if (geo->level_bytes < PAGE_SIZE)
		kfree(level);
	else
		free_pages((unsigned long)level, get_order(geo->level_bytes));
}

/*
 * One level, zeroed, on @nid and aligned to its size: the PHB ORs an index
 * into a level's address.  Small levels come from kmalloc, whose power-of-two
 * sizes are naturally aligned, so a sparse table on a 64K-page kernel costs
 * 4 KiB levels, not 64 KiB ones.  The only allocation site of the engine.
 */
static __be64 *ddw_level_alloc(const struct pnv_ddw_geometry *geo, int nid,
			       atomic64_t *bytes, gfp_t gfp)
{
	void *level;

	/* The caller chose the size: its failure is an errno, not a report. */
	gfp |= __GFP_NOWARN;
	if (geo->level_bytes < PAGE_SIZE) {
		level = kzalloc_node(geo->level_bytes, gfp, nid);
	} else {
		struct page *page;

		page = alloc_pages_node(nid, gfp | __GFP_ZERO,
					get_order(geo->level_bytes));
		level = page ? page_address(page) : NULL;
	}
	if (!level)
		return NULL;
	if (WARN_ON_ONCE(!IS_ALIGNED(__pa(level), geo->level_bytes))) {
		ddw_level_release(geo, level);
		return NULL;
	}
	atomic64_add(geo->level_bytes, bytes);
	atomic_long_inc(&levels_live);
	return level;
}

static void ddw_level_free(const struct pnv_ddw_geometry *geo, __be64 *level,
			   atomic64_t *bytes)
{
	ddw_level_release(geo, level);
	atomic64_sub(geo->level_bytes, bytes);
	atomic_long_dec(&levels_live);
}

/*
 * Atomic exchanges of a TCE slot.  The bits move as they are, big-endian in
 * and out; the __force casts only let the atomics take them.
 */
static __be64 tce_cmpxchg(__be64 *slot, __be64 old, __be64 new)
{
	return (__force __be64)cmpxchg((__force u64 *)slot, (__force u64)old,
				       (__force u64)new);
}

static __be64 tce_xchg(__be64 *slot, __be64 new)
{
	return (__force __be64)xchg((__force u64 *)slot, (__force u64)new);
}

/**
 * ddw_table_slot() - the slot of entry @idx in a table or its shadow
 * @table: the table
 * @top: @table->hw_top or @table->shadow_top
 * @bytes: the byte counter of @top's tree
 * @idx: entry index in the window
 * @gfp: how to allocate missing levels on the way; 0: do not
 *
 * Return: the slot; NULL if a level on the way is missing and !@gfp;
 * ERR_PTR(-ENOMEM).
 */
__be64 *ddw_table_slot(struct pnv_ddw_table *table, __be64 *top,
		       atomic64_t *bytes, u64 idx, gfp_t gfp)
{
	const struct pnv_ddw_geometry *geo = &table->geo;
	__be64 *level = top;
	u32 depth;

	for (depth = 0; depth + 1 < geo->levels; depth++) {
		__be64 *slot = &level[ddw_level_index(geo, idx, depth)];
		__be64 tce = READ_ONCE(*slot);

		if (!tce) {
			__be64 *next, installed;

			if (!gfp)
				return NULL;
			next = ddw_level_alloc(geo, table->tbl.it_nid, bytes, gfp);
			if (!next)
				return ERR_PTR(-ENOMEM);
			tce = cpu_to_be64(__pa(next) | IODA2_TCE_INDIRECT);
			/* Another CPU may have filled the slot meanwhile. */
			installed = tce_cmpxchg(slot, 0, tce);
			if (installed) {
				ddw_level_free(geo, next, bytes);
				tce = installed;
			}
		}
		level = ddw_indirect_target(tce);
	}
	return &level[ddw_level_index(geo, idx, depth)];
}
EXPORT_SYMBOL_IF_KUNIT(ddw_table_slot);

/**
 * ddw_table_init() - allocate the top levels of a table
 * @table: zeroed, its @tbl is left to the caller but for it_nid
 * @geo: the geometry, from ddw_geometry_init()
 * @nid: NUMA node of the PE
 * @shadow: also keep the userspace-address shadow
 *
 * Return: 0 or -ENOMEM, with nothing allocated.
 */
int ddw_table_init(struct pnv_ddw_table *table,
		   const struct pnv_ddw_geometry *geo, int nid, bool shadow)
{
	table->geo = *geo;
	table->tbl.it_nid = nid;
	atomic64_set(&table->hw_bytes, 0);
	atomic64_set(&table->shadow_bytes, 0);
	spin_lock_init(&table->entry_lock);
	table->hw_top = ddw_level_alloc(geo, nid, &table->hw_bytes, GFP_KERNEL);
	if (!table->hw_top)
		return -ENOMEM;
	if (shadow) {
		table->shadow_top = ddw_level_alloc(geo, nid, &table->shadow_bytes,
						    GFP_KERNEL);
		if (!table->shadow_top)
			goto out_free_hw;
	}
	return 0;

out_free_hw:
	ddw_level_free(geo, table->hw_top, &table->hw_bytes);
	table->hw_top = NULL;
	return -ENOMEM;
}
EXPORT_SYMBOL_IF_KUNIT(ddw_table_init);

/* Free @level and what hangs below it: only what was allocated. */
static void ddw_levels_free(const struct pnv_ddw_geometry *geo, __be64 *level,
			    u32 depth, atomic64_t *bytes)
{
	u64 i;

	if (depth + 1 < geo->levels) {
		for (i = 0; i < geo->level_entries; i++)
			if (level[i])
				ddw_levels_free(geo, ddw_indirect_target(level[i]),
						depth + 1, bytes);
	}
	ddw_level_free(geo, level, bytes);
}

/**
 * ddw_table_free_levels() - free every level of a table and its shadow
 * @table: the table; no PHB may walk it any more
 */
void ddw_table_free_levels(struct pnv_ddw_table *table)
{
	if (table->hw_top)
		ddw_levels_free(&table->geo, table->hw_top, 0, &table->hw_bytes);
	if (table->shadow_top)
		ddw_levels_free(&table->geo, table->shadow_top, 0,
				&table->shadow_bytes);
	table->hw_top = NULL;
	table->shadow_top = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ddw_table_free_levels);

static int ddw_check_index(struct pnv_ddw_table *table, u64 idx, u64 npages)
{
	if (idx >= table->geo.entries || npages > table->geo.entries - idx)
		return -EINVAL;
	return 0;
}

/**
 * pnv_ddw_tce_xchg() - exchange one TCE, without invalidating the TCE cache
 * @table: the table; one with a shadow is written with pnv_ddw_tce_map_user()
 *	and pnv_ddw_tce_unmap(), which keep entry and shadow together
 * @idx: entry index in the window
 * @hpa: in: host physical address to map, aligned to the IOMMU page;
 *	out: the address the entry held
 * @dir: in: the access the device gets (DMA_NONE clears the entry);
 *	out: the access the entry gave
 *
 * Call pnv_ddw_tce_kill() after a batch of exchanges.
 *
 * Return: 0; -EINVAL for an index outside the window or an unaligned
 * address; -ENOMEM when a level could not be allocated (nothing changed).
 */
int pnv_ddw_tce_xchg(struct pnv_ddw_table *table, u64 idx, unsigned long *hpa,
		     enum dma_data_direction *dir)
{
	__be64 new = ddw_tce_encode(*hpa, *dir);
	__be64 *slot, old;

	if (ddw_check_index(table, idx, 1) ||
	    !IS_ALIGNED(*hpa, 1UL << table->geo.page_shift))
		return -EINVAL;
	slot = ddw_table_slot(table, table->hw_top, &table->hw_bytes, idx,
			      new ? GFP_KERNEL : 0);
	if (IS_ERR(slot))
		return PTR_ERR(slot);
	old = slot ? tce_xchg(slot, new) : 0;
	*hpa = ddw_tce_hpa(old);
	*dir = ddw_tce_dir(old);
	return 0;
}
EXPORT_SYMBOL_GPL(pnv_ddw_tce_xchg);

/* The hardware and shadow slots of entry @idx; levels allocated with @gfp. */
static int ddw_entry_slots(struct pnv_ddw_table *table, u64 idx, gfp_t gfp,
			   __be64 **hw, __be64 **shadow)
{
	*shadow = NULL;
	if (ddw_check_index(table, idx, 1))
		return -EINVAL;
	if (table->shadow_top) {
		*shadow = ddw_table_slot(table, table->shadow_top,
					 &table->shadow_bytes, idx, gfp);
		if (IS_ERR(*shadow))
			return PTR_ERR(*shadow);
	}
	*hw = ddw_table_slot(table, table->hw_top, &table->hw_bytes, idx, gfp);
	return PTR_ERR_OR_ZERO(*hw);
}

/*
 * Exchange an entry and its shadow together, under the table's entry lock
 * (runs of entries take it once, for up to DDW_LOCKED_RUN of them):
 * the only writer left outside it is KVM's store of the address it mapped,
 * after the xchg_no_kill op (kvmppc_tce_iommu_do_map()), over the marker
 * that op left.  Until then the entry is in use: a clear leaves the marker
 * for the store to replace (the address then sits beside an empty entry,
 * given back by the next clear), and a set only if empty is refused.  Not
 * covered: two of KVM's maps of one entry at once (two vCPUs): the first
 * store replaces the second's marker early, as KVM alone would lose a count
 * there too.  The PHB only reads the entry.
 */
int ddw_entry_swap_locked(struct pnv_ddw_table *table, __be64 *hw, __be64 *shadow,
			  __be64 tce, u64 ua, bool only_if_empty, struct ddw_tce_taken *old)
	__must_hold(&table->entry_lock)
{
	u64 was = 0;

	lockdep_assert_held(&table->entry_lock);
	old->tce = READ_ONCE(*hw);
	if (shadow)
		was = be64_to_cpu(READ_ONCE(*shadow));
	if (only_if_empty && (old->tce || was == DDW_UA_KVM_PENDING))
		return -EBUSY;
	if (old->tce || tce)
		WRITE_ONCE(*hw, tce);
	if (shadow && (was || ua) && (tce || was != DDW_UA_KVM_PENDING))
		WRITE_ONCE(*shadow, cpu_to_be64(ua));
	/* A marker names no memory: nothing to give back for it. */
	old->ua = was == DDW_UA_KVM_PENDING ? 0 : was;
	return 0;
}

/* One entry: ddw_entry_swap_locked() under the lock. */
int ddw_entry_swap(struct pnv_ddw_table *table, __be64 *hw, __be64 *shadow,
		   __be64 tce, u64 ua, bool only_if_empty, struct ddw_tce_taken *old)
{
	int ret;

	spin_lock(&table->entry_lock);
	ret = ddw_entry_swap_locked(table, hw, shadow, tce, ua, only_if_empty, old);
	spin_unlock(&table->entry_lock);
	return ret;
}

/**
 * ddw_entry_set() - set an entry and its shadow
 * @table: the table
 * @idx: entry index in the window
 * @tce: the entry, not empty
 * @ua: the address for the shadow (DDW_UA_KVM_PENDING while KVM is to store it)
 * @gfp: how to allocate missing levels; 0: they must exist
 * @only_if_empty: refuse an entry in use
 * @old: out: what the entry and its shadow held, to be given back by the
 *	caller; a shadow address beside an empty entry is one a race left
 *
 * Return: 0; -EBUSY (in use and @only_if_empty: nothing changed); -EINVAL
 * (outside the window); -ENOMEM (a level is missing).
 */
int ddw_entry_set(struct pnv_ddw_table *table, u64 idx, __be64 tce, u64 ua,
		  gfp_t gfp, bool only_if_empty, struct ddw_tce_taken *old)
{
	__be64 *hw, *shadow;
	int ret;

	if (!tce)
		return -EINVAL;
	ret = ddw_entry_slots(table, idx, gfp, &hw, &shadow);
	if (!ret && (!hw || (table->shadow_top && !shadow)))
		ret = -ENOMEM;
	if (ret)
		return ret;
	old->idx = idx;
	return ddw_entry_swap(table, hw, shadow, tce, ua, only_if_empty, old);
}
EXPORT_SYMBOL_IF_KUNIT(ddw_entry_set);

/**
 * ddw_entry_leaf() - the slots of an entry, for it and those after it
 * @table: the table
 * @idx: entry index in the window
 * @gfp: how to allocate missing levels
 * @hw: out: the entry's slot
 * @shadow: out: its shadow's slot, NULL for a table without a shadow
 *
 * The entries after @idx in the same leaf level have the slots after
 * these: a run of entries walks the levels once per leaf.  Levels stay
 * until the table goes.
 *
 * Return: how many entries from @idx the leaf holds (at least 1); -EINVAL
 * outside the window; -ENOMEM.
 */
long ddw_entry_leaf(struct pnv_ddw_table *table, u64 idx, gfp_t gfp,
		    __be64 **hw, __be64 **shadow)
{
	const struct pnv_ddw_geometry *geo = &table->geo;
	int ret;

	ret = ddw_entry_slots(table, idx, gfp, hw, shadow);
	if (!ret && (!*hw || (table->shadow_top && !*shadow)))
		ret = -ENOMEM;
	if (ret)
		return ret;
	return min(geo->level_entries - (idx & (geo->level_entries - 1)),
		   geo->entries - idx);
}
EXPORT_SYMBOL_IF_KUNIT(ddw_entry_leaf);

/**
 * ddw_entry_prepare() - allocate the levels of an entry and of its shadow
 * @table: the table
 * @idx: entry index in the window
 * @gfp: how to allocate them
 *
 * Return: the shadow slot; NULL without a shadow, outside the window or
 * without memory.
 */
__be64 *ddw_entry_prepare(struct pnv_ddw_table *table, u64 idx, gfp_t gfp)
{
	__be64 *hw, *shadow;

	if (ddw_entry_slots(table, idx, gfp, &hw, &shadow) || !hw)
		return NULL;
	return shadow;
}

/**
 * ddw_entry_clear() - clear an entry and its shadow
 * @table: the table
 * @idx: entry index in the window
 * @old: out: what they held, to be given back by the caller
 *
 * Allocates nothing.
 *
 * Return: 0, or -EINVAL for an index outside the window.
 */
int ddw_entry_clear(struct pnv_ddw_table *table, u64 idx, struct ddw_tce_taken *old)
{
	__be64 *hw, *shadow;
	int ret;

	old->idx = idx;
	old->tce = 0;
	old->ua = 0;
	ret = ddw_entry_slots(table, idx, 0, &hw, &shadow);
	if (ret || !hw)
		return ret;
	return ddw_entry_swap(table, hw, shadow, 0, 0, false, old);
}
EXPORT_SYMBOL_IF_KUNIT(ddw_entry_clear);

/**
 * pnv_ddw_tce_get() - read one TCE
 * @table: the table
 * @idx: entry index in the window
 * @hpa: the address the entry holds (0 if none)
 * @dir: the access it gives (DMA_NONE if none)
 *
 * Return: 0, or -EINVAL for an index outside the window.
 */
int pnv_ddw_tce_get(struct pnv_ddw_table *table, u64 idx, unsigned long *hpa,
		    enum dma_data_direction *dir)
{
	__be64 *slot, tce = 0;

	if (ddw_check_index(table, idx, 1))
		return -EINVAL;
	slot = ddw_table_slot(table, table->hw_top, &table->hw_bytes, idx, 0);
	if (slot)
		tce = READ_ONCE(*slot);
	*hpa = ddw_tce_hpa(tce);
	*dir = ddw_tce_dir(tce);
	return 0;
}
EXPORT_SYMBOL_GPL(pnv_ddw_tce_get);

/**
 * pnv_ddw_tce_useraddr() - the shadow slot of an entry
 * @table: a table created with PNV_DDW_TABLE_SHADOW
 * @idx: entry index in the window
 * @alloc: allocate missing shadow levels
 *
 * VFIO keeps there the userspace address it mapped at @idx (big-endian,
 * as KVM reads it through the table's useraddrptr op).
 *
 * Return: the slot; NULL if not allocated and !@alloc, or no shadow;
 * ERR_PTR(-ENOMEM) or ERR_PTR(-EINVAL) for an index outside the window.
 */
__be64 *pnv_ddw_tce_useraddr(struct pnv_ddw_table *table, u64 idx, bool alloc)
{
	if (ddw_check_index(table, idx, 1))
		return ERR_PTR(-EINVAL);
	if (!table->shadow_top)
		return NULL;
	return ddw_table_slot(table, table->shadow_top, &table->shadow_bytes,
			      idx, alloc ? GFP_KERNEL : 0);
}
EXPORT_SYMBOL_GPL(pnv_ddw_tce_useraddr);
