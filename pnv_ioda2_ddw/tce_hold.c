// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a TCE holds besides its translation, and giving it back.
 *
 * A v1 entry (PNV_DDW_TABLE_PINNED) holds one pin on its page.  A v2 entry
 * (PNV_DDW_TABLE_SHADOW) holds one count on the mm_iommu region of the
 * pre-registered memory its shadow names, exactly as KVM's in-kernel TCE
 * path keeps it (kvmppc_tce_iommu_do_map()).  The owner of a table and KVM
 * both write it and neither keeps a count of its own: whoever clears an
 * entry gives back what it held, and the table's last reference gives back
 * whatever is left in it.
 */
#include <linux/atomic.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <asm/mmu_context.h>

#include <pnv_ioda2_ddw.h>
#include "tce_release.h"
#include "tce_table.h"

/* Entries cleared between two TCE invalidations; on the stack. */
#define DDW_RELEASE_BATCH	32

static bool tce_writable(__be64 tce)
{
	return be64_to_cpu(tce) & TCE_PCI_WRITE;
}

/* Drop the count the shadow of entry @idx holds, and forget its address. */
static void ddw_shadow_release(struct pnv_ddw_table *table, u64 idx)
{
	__be64 *slot = pnv_ddw_tce_useraddr(table, idx, false);
	struct mm_iommu_table_group_mem_t *mem;
	u64 ua;

	if (IS_ERR_OR_NULL(slot))
		return;
	/* KVM may clear the same entry: one of us takes the address. */
	ua = be64_to_cpu((__force __be64)xchg((__force u64 *)slot, 0));
	if (!ua)
		return;
	/* The count keeps the region registered: it must be there. */
	mem = mm_iommu_lookup(table->mm, ua, 1UL << table->geo.page_shift);
	if (!WARN_ON_ONCE(!mem))
		mm_iommu_mapped_dec(mem);
}

/*
 * Give back what entry @idx held as @tce, once no PHB can reach it any more
 * (the TCE caches were invalidated, or the table is programmed nowhere).
 * A page the device could write is dirtied, as iommu_tce_xchg_no_kill()
 * does, unless it is device memory without struct pages.
 */
static void ddw_entry_release(struct pnv_ddw_table *table, u64 idx, __be64 tce,
			      bool may_sleep)
{
	unsigned long hpa = ddw_tce_hpa(tce), size = 0;
	struct page *page;

	if (table->flags & PNV_DDW_TABLE_PINNED) {
		page = pfn_to_page(hpa >> PAGE_SHIFT);
		if (may_sleep) {
			unpin_user_pages_dirty_lock(&page, 1, tce_writable(tce));
			return;
		}
		if (tce_writable(tce))
			SetPageDirty(page);
		unpin_user_page(page);
		return;
	}
	if (!(table->flags & PNV_DDW_TABLE_SHADOW))
		return;
	if (tce_writable(tce) &&
	    !mm_iommu_is_devmem(table->mm, hpa, table->geo.page_shift, &size))
		SetPageDirty(pfn_to_page(hpa >> PAGE_SHIFT));
	ddw_shadow_release(table, idx);
}

/* Invalidate the TCE caches for the taken entries, run by run. */
static void ddw_kill_taken(struct pnv_ddw_table *table,
			   const struct ddw_tce_taken *taken, unsigned int n)
{
	unsigned int first = 0, k;

	for (k = 1; k <= n; k++) {
		if (k < n && taken[k].idx == taken[k - 1].idx + 1)
			continue;
		pnv_ddw_tce_kill(table, taken[first].idx, k - first);
		first = k;
	}
}

/*
 * Shadow addresses in [@idx, @end) whose entry is empty: KVM clears an
 * entry without dropping its count when it cannot look the address up in
 * its own process (see ddw_it_useraddrptr()).
 */
static void ddw_shadow_sweep(struct pnv_ddw_table *table, u64 idx, u64 end,
			     bool may_sleep)
{
	__be64 *slot;

	if (!table->shadow_top)
		return;
	for (; (slot = ddw_table_next_slot(table, table->shadow_top, &idx, end,
					   may_sleep)); idx++) {
		enum dma_data_direction dir;
		unsigned long hpa;

		if (READ_ONCE(*slot) && !pnv_ddw_tce_get(table, idx, &hpa, &dir) &&
		    dir == DMA_NONE)
			ddw_shadow_release(table, idx);
	}
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
	u64 end, i, cleared = 0;
	unsigned int n, k;

	if (idx >= table->geo.entries)
		return 0;
	end = idx + min(npages, table->geo.entries - idx);
	i = idx;
	while ((n = ddw_table_take(table, &i, end, taken, ARRAY_SIZE(taken), true))) {
		ddw_kill_taken(table, taken, n);
		for (k = 0; k < n; k++)
			ddw_entry_release(table, taken[k].idx, taken[k].tce, true);
		cleared += n;
		cond_resched();
	}
	ddw_shadow_sweep(table, idx, end, true);
	return cleared;
}
EXPORT_SYMBOL_GPL(pnv_ddw_tce_unmap);

/**
 * ddw_tce_clear_one() - clear one entry of a v1 table and unpin its page
 * @table: a PNV_DDW_TABLE_PINNED table
 * @idx: entry index in the window
 *
 * What KVM's clears of a v1 table come to (through the xchg_no_kill op):
 * the pin goes with the entry, after the TCE caches forgot it.
 *
 * Return: 0, or -EINVAL for an index outside the window.
 */
int ddw_tce_clear_one(struct pnv_ddw_table *table, u64 idx)
{
	enum dma_data_direction dir = DMA_NONE;
	unsigned long hpa = 0;
	int ret;

	ret = pnv_ddw_tce_xchg(table, idx, &hpa, &dir);
	if (ret || dir == DMA_NONE)
		return ret;
	pnv_ddw_tce_kill(table, idx, 1);
	ddw_entry_release(table, idx, ddw_tce_encode(hpa, dir), true);
	return 0;
}

/**
 * ddw_table_release_all() - give back what every entry still holds
 * @table: a table no PE walks any more, at its last reference
 *
 * May run from an RCU callback (KVM drops its references there): does not
 * sleep.
 */
void ddw_table_release_all(struct pnv_ddw_table *table)
{
	struct ddw_tce_taken taken[DDW_RELEASE_BATCH];
	unsigned int n, k;
	u64 i = 0;

	if (!(table->flags & (PNV_DDW_TABLE_PINNED | PNV_DDW_TABLE_SHADOW)))
		return;
	while ((n = ddw_table_take(table, &i, U64_MAX, taken, ARRAY_SIZE(taken), false)))
		for (k = 0; k < n; k++)
			ddw_entry_release(table, taken[k].idx, taken[k].tce, false);
	ddw_shadow_sweep(table, 0, U64_MAX, false);
}
