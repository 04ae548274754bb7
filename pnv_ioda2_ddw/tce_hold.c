// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a TCE holds besides its translation: taken when the entry is set,
 * given back when it is cleared.
 *
 * A v1 entry (PNV_DDW_TABLE_PINNED) holds one pin on its page.  A v2 entry
 * (PNV_DDW_TABLE_SHADOW) holds one count on the mm_iommu region of the
 * pre-registered memory its shadow names, exactly as KVM's in-kernel TCE
 * path keeps it (kvmppc_tce_iommu_do_map()).  The owner of a table and KVM
 * both write it and neither keeps a count of its own: whoever clears an
 * entry gives back what it held, KVM's clears included (they come through
 * the table's xchg_no_kill op to ddw_tce_clear_one()), and the end of the
 * table gives back whatever a race left in it.
 */
#include <linux/atomic.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <asm/mmu_context.h>

#include <pnv_ioda2_ddw.h>
#include "tce_hold.h"
#include "tce_table.h"

/* Entries cleared between two TCE invalidations; on the stack. */
#define DDW_RELEASE_BATCH	32

static bool tce_writable(__be64 tce)
{
	return be64_to_cpu(tce) & TCE_PCI_WRITE;
}

/* Drop the count on the region holding @ua. */
static void ddw_ua_put(struct pnv_ddw_table *table, u64 ua)
{
	struct mm_iommu_table_group_mem_t *mem;

	/* The count keeps the region registered: it must be there. */
	mem = mm_iommu_lookup(table->mm, ua, 1UL << table->geo.page_shift);
	if (!WARN_ON_ONCE(!mem))
		mm_iommu_mapped_dec(mem);
}

/*
 * Mark the memory of an IOMMU page dirty, each page or folio under it once.
 * set_page_dirty_lock() tells the page's mapping, so that a file's page
 * cache writes the data back; without sleeping only the flag can be set,
 * as the kernel's own TCE paths do (iommu_tce_xchg_no_kill()).
 */
static void ddw_dirty(unsigned long hpa, u32 iommu_shift, bool may_sleep)
{
	unsigned long end = hpa + (1UL << iommu_shift);

	while (hpa < end) {
		struct page *head = compound_head(pfn_to_page(hpa >> PAGE_SHIFT));

		if (may_sleep)
			set_page_dirty_lock(head);
		else
			SetPageDirty(head);
		hpa = page_to_phys(head) + page_size(head);
	}
}

/*
 * Give back what an entry held, once no PHB can reach it any more (the TCE
 * caches were invalidated, or the table is programmed nowhere).  A page
 * the device could write is dirtied, unless it is device memory without
 * struct pages.
 */
static void ddw_entry_release(struct pnv_ddw_table *table,
			      const struct ddw_tce_taken *t, bool may_sleep)
{
	unsigned long hpa = ddw_tce_hpa(t->tce), size = 0;
	struct page *page;

	if (table->flags & PNV_DDW_TABLE_PINNED) {
		if (!t->tce)
			return;
		page = pfn_to_page(hpa >> PAGE_SHIFT);
		if (may_sleep) {
			unpin_user_pages_dirty_lock(&page, 1, tce_writable(t->tce));
			return;
		}
		if (tce_writable(t->tce))
			SetPageDirty(page);
		unpin_user_page(page);
		return;
	}
	if (!(table->flags & PNV_DDW_TABLE_SHADOW))
		return;
	/* Before the count goes: the count keeps the page pinned. */
	if (t->tce && tce_writable(t->tce) &&
	    !mm_iommu_is_devmem(table->mm, hpa, table->geo.page_shift, &size))
		ddw_dirty(hpa, table->geo.page_shift, may_sleep);
	if (t->ua)
		ddw_ua_put(table, t->ua);
}

/*
 * Invalidate the TCE caches for the taken entries: once over their span if
 * they are dense in it, else run by run, never over a huge empty range.
 */
static void ddw_kill_taken(struct pnv_ddw_table *table,
			   const struct ddw_tce_taken *taken, unsigned int n)
{
	u64 span = taken[n - 1].idx + 1 - taken[0].idx;
	unsigned int first = 0, k;

	if (span <= 2 * n) {
		pnv_ddw_tce_kill(table, taken[0].idx, span);
		return;
	}
	for (k = 1; k <= n; k++) {
		if (k < n && taken[k].idx == taken[k - 1].idx + 1)
			continue;
		pnv_ddw_tce_kill(table, taken[first].idx, k - first);
		first = k;
	}
}

/*
 * After one entry changed: what it held goes, once the TCE caches forgot
 * it.  A stale shadow address too: the entry it came with may still be
 * cached if its clear has not invalidated yet.
 */
static void ddw_entry_give_back(struct pnv_ddw_table *table,
				const struct ddw_tce_taken *old, bool may_sleep)
{
	if (!old->tce && !old->ua)
		return;
	pnv_ddw_tce_kill(table, old->idx, 1);
	ddw_entry_release(table, old, may_sleep);
}

/**
 * pnv_ddw_tce_unmap() - clear a range of entries and give back what they held
 * @table: the table
 * @idx: first entry
 * @npages: number of entries; the range is clipped to the window
 *
 * Only levels that exist are visited.  Entries are cleared in batches; the
 * TCE caches are invalidated for each batch before its pins and counts are
 * given back, so the device cannot reach a page once it is back with its
 * owner.  Yields between batches.  Sleeps.
 *
 * Return: the number of entries cleared.
 */
u64 pnv_ddw_tce_unmap(struct pnv_ddw_table *table, u64 idx, u64 npages)
{
	struct ddw_tce_taken taken[DDW_RELEASE_BATCH];
	u64 end, cleared = 0;
	unsigned int n, k;

	if (idx >= table->geo.entries)
		return 0;
	end = idx + min(npages, table->geo.entries - idx);
	while ((n = ddw_table_take(table, &idx, end, taken, ARRAY_SIZE(taken), true))) {
		ddw_kill_taken(table, taken, n);
		for (k = 0; k < n; k++) {
			ddw_entry_release(table, &taken[k], true);
			cleared += !!taken[k].tce;
		}
		cond_resched();
	}
	return cleared;
}
EXPORT_SYMBOL_GPL(pnv_ddw_tce_unmap);

/**
 * pnv_ddw_tce_map_user() - map pre-registered memory at one entry (v2)
 * @table: a PNV_DDW_TABLE_SHADOW table
 * @idx: entry index in the window
 * @ua: userspace address of the page, aligned to the IOMMU page
 * @mem: the region of the table's mm holding [@ua, @ua + IOMMU page)
 * @dir: the access the device gets, not DMA_NONE
 *
 * The entry takes a count on @mem and names @ua in the shadow, as KVM's
 * mappings do; it is set only if empty, whoever else writes the table.
 * The caller invalidates the TCE caches after a batch.  Sleeps.
 *
 * Return: 0; -EBUSY (the entry is in use: nothing changed); -EFAULT (@ua
 * not in @mem, or @mem being released); -EINVAL; -ENOMEM.
 */
int pnv_ddw_tce_map_user(struct pnv_ddw_table *table, u64 idx, u64 ua,
			 struct mm_iommu_table_group_mem_t *mem,
			 enum dma_data_direction dir)
{
	struct ddw_tce_taken old;
	unsigned long hpa;
	int ret;

	if (!(table->flags & PNV_DDW_TABLE_SHADOW) || dir == DMA_NONE || !ua)
		return -EINVAL;
	if (mm_iommu_ua_to_hpa(mem, ua, table->geo.page_shift, &hpa))
		return -EFAULT;
	/* Fails only while the region is being released. */
	if (mm_iommu_mapped_inc(mem))
		return -EFAULT;
	ret = ddw_entry_set(table, idx, ddw_tce_encode(hpa, dir), ua, GFP_KERNEL,
			    true, &old);
	if (ret) {
		mm_iommu_mapped_dec(mem);
		return ret;
	}
	/* An address a race left beside the empty entry: its count goes. */
	ddw_entry_give_back(table, &old, true);
	return 0;
}
EXPORT_SYMBOL_GPL(pnv_ddw_tce_map_user);

/**
 * ddw_tce_clear_one() - clear one entry and give back what it held
 * @table: a PNV_DDW_TABLE_PINNED or PNV_DDW_TABLE_SHADOW table
 * @idx: entry index in the window
 *
 * What KVM's clears come to, through the xchg_no_kill op: the TCE caches
 * forget the entry, then its pin or count goes.  KVM calls it walking its
 * tables locklessly under SRCU: it does not sleep.
 *
 * Return: 0, or -EINVAL for an index outside the window.
 */
int ddw_tce_clear_one(struct pnv_ddw_table *table, u64 idx)
{
	struct ddw_tce_taken old;
	int ret;

	ret = ddw_entry_clear(table, idx, &old);
	if (!ret)
		ddw_entry_give_back(table, &old, false);
	return ret;
}

/**
 * ddw_tce_set_kvm() - what KVM's maps of a v2 table come to
 * @table: a PNV_DDW_TABLE_SHADOW table
 * @idx: entry index in the window
 * @hpa: the page, aligned to the IOMMU page
 * @dir: the access the device gets, not DMA_NONE
 *
 * KVM has taken the count on the region and stores the address in the
 * shadow after this returns (kvmppc_tce_iommu_do_map()); its shadow slot
 * asked for the levels (ddw_entry_prepare()).  What the entry held before
 * is given back here, after the TCE caches forgot it.  Does not sleep.
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
int ddw_tce_set_kvm(struct pnv_ddw_table *table, u64 idx, unsigned long hpa,
		    enum dma_data_direction dir)
{
	struct ddw_tce_taken old;
	int ret;

	if (!IS_ALIGNED(hpa, 1UL << table->geo.page_shift) || dir == DMA_NONE)
		return -EINVAL;
	ret = ddw_entry_set(table, idx, ddw_tce_encode(hpa, dir), 0,
			    GFP_NOWAIT | __GFP_NOWARN, false, &old);
	if (!ret)
		ddw_entry_give_back(table, &old, false);
	return ret;
}

/**
 * ddw_table_release_all() - give back what every entry still holds
 * @table: a table nobody else holds any more, programmed nowhere
 *
 * Also the addresses a race left in the shadow beside empty entries.
 * Sleeps.
 */
void ddw_table_release_all(struct pnv_ddw_table *table)
{
	struct ddw_tce_taken taken[DDW_RELEASE_BATCH];
	unsigned int n, k;
	u64 i = 0;

	if (!(table->flags & (PNV_DDW_TABLE_PINNED | PNV_DDW_TABLE_SHADOW)))
		return;
	while ((n = ddw_table_take(table, &i, U64_MAX, taken, ARRAY_SIZE(taken), true)))
		for (k = 0; k < n; k++)
			ddw_entry_release(table, &taken[k], true);
}
