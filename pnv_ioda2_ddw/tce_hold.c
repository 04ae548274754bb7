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
#include <linux/rcupdate.h>
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
 * cache writes the data back; anonymous memory has no mapping to tell, its
 * flag is all (and the page lock it would take costs most of an unmap).
 * Without sleeping only the flag can be set, as the kernel's own TCE paths
 * do (iommu_tce_xchg_no_kill()).
 */
static void ddw_dirty(unsigned long hpa, u32 iommu_shift, bool may_sleep)
{
	unsigned long end = hpa + (1UL << iommu_shift);

	while (hpa < end) {
		struct page *head = compound_head(pfn_to_page(hpa >> PAGE_SHIFT));

		/* As unpin_user_pages_dirty_lock(): a dirty page stays so. */
		if (!PageDirty(head)) {
			if (may_sleep && !PageAnon(head))
				set_page_dirty_lock(head);
			else
				SetPageDirty(head);
		}
		hpa = page_to_phys(head) + page_size(head);
	}
}

/*
 * Dirty the memory a v2 entry let the device write.  Device memory
 * pre-registered without struct pages (mm_iommu_newdev()) has no valid
 * pfn: nothing to dirty.  Checking the pfn, not walking the process's
 * regions (mm_iommu_is_devmem()), keeps an unmap's cost per entry flat in
 * the number of regions.  The two differ only for device memory with
 * struct pages registered by mm_iommu_newdev(), which nothing in the
 * kernels we build for calls (its last user, NVLink2 passthrough, went in
 * Linux 5.13) and neither do we.
 */
static void ddw_shadowed_dirty(struct pnv_ddw_table *table,
			       const struct ddw_tce_taken *t, bool may_sleep)
{
	unsigned long hpa = ddw_tce_hpa(t->tce);

	if (t->tce && tce_writable(t->tce) && pfn_valid(hpa >> PAGE_SHIFT))
		ddw_dirty(hpa, table->geo.page_shift, may_sleep);
}

/*
 * Give back what an entry held, once no PHB can reach it any more (the TCE
 * caches were invalidated, or the table is programmed nowhere).  A page
 * the device could write is dirtied.
 */
static void ddw_entry_release(struct pnv_ddw_table *table,
			      const struct ddw_tce_taken *t, bool may_sleep)
{
	unsigned long hpa = ddw_tce_hpa(t->tce);
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
	ddw_shadowed_dirty(table, t, may_sleep);
	if (t->ua)
		ddw_ua_put(table, t->ua);
}

/*
 * Give back what a batch of taken entries held, the TCE caches having
 * forgotten them: the pages dirtied first (the counts keep them pinned),
 * then the counts, region by region.  Consecutive entries mostly map one
 * region: it is looked up again only for an address outside it, under one
 * RCU read section (regions are freed after a grace period, and one whose
 * count we hold cannot go).  Sleeps.
 */
static void ddw_batch_release(struct pnv_ddw_table *table,
			      const struct ddw_tce_taken *taken, unsigned int n)
{
	u32 shift = table->geo.page_shift;
	struct mm_iommu_table_group_mem_t *mem = NULL;
	unsigned long hpa;
	unsigned int k;

	if (!(table->flags & PNV_DDW_TABLE_SHADOW)) {
		for (k = 0; k < n; k++)
			ddw_entry_release(table, &taken[k], true);
		return;
	}
	for (k = 0; k < n; k++)
		ddw_shadowed_dirty(table, &taken[k], true);
	rcu_read_lock();
	for (k = 0; k < n; k++) {
		if (!taken[k].ua)
			continue;
		if (!mem || mm_iommu_ua_to_hpa(mem, taken[k].ua, shift, &hpa))
			mem = mm_iommu_lookup(table->mm, taken[k].ua, 1UL << shift);
		if (!WARN_ON_ONCE(!mem))
			mm_iommu_mapped_dec(mem);
	}
	rcu_read_unlock();
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
		ddw_batch_release(table, taken, n);
		for (k = 0; k < n; k++)
			cleared += !!taken[k].tce;
		cond_resched();
	}
	return cleared;
}
EXPORT_SYMBOL_GPL(pnv_ddw_tce_unmap);

/**
 * pnv_ddw_tce_map_user() - map consecutive pre-registered pages (v2)
 * @table: a PNV_DDW_TABLE_SHADOW table
 * @idx: first entry
 * @npages: number of entries
 * @ua: userspace address of the first page, aligned to the IOMMU page;
 *	the others follow it
 * @lookup: the region of the table's mm holding a page, and how many pages
 *	after it; they may be several adjacent ones
 * @arg: for @lookup
 * @dir: the access the device gets, not DMA_NONE
 * @done: out: how many entries from @idx were mapped
 *
 * Each entry takes a count on its region and names its address in the
 * shadow, as KVM's mappings do; it is set only if empty, whoever else
 * writes the table.  Entry after entry, each page translated once, each
 * region looked up once per run of its pages, the levels walked once per
 * leaf, the entry lock held for at most DDW_LOCKED_RUN entries at a time;
 * stops at the first entry that fails.  The caller invalidates the TCE
 * caches, and on failure unmaps the @done entries.  Sleeps.
 *
 * Return: 0; -EBUSY (entry @idx + *@done is in use); -EFAULT (its page in
 * no region, or the region being released; or @lookup's errno); -EINVAL;
 * -ENOMEM.
 */
int pnv_ddw_tce_map_user(struct pnv_ddw_table *table, u64 idx, u64 npages,
			 u64 ua, pnv_ddw_mem_lookup_t lookup, void *arg,
			 enum dma_data_direction dir, u64 *done)
{
	u32 shift = table->geo.page_shift;
	struct mm_iommu_table_group_mem_t *mem = NULL;
	__be64 *hw = NULL, *shadow = NULL;
	struct ddw_tce_taken old = {};
	u64 i = 0, room = 0, held = 0;
	int ret = 0;

	*done = 0;
	if (!(table->flags & PNV_DDW_TABLE_SHADOW) || dir == DMA_NONE || !ua ||
	    idx >= table->geo.entries || npages > table->geo.entries - idx)
		return -EINVAL;
	while (i < npages) {
		/* The run ends where DDW_LOCKED_RUN divides the index. */
		u64 stop = min(npages, ((idx + i) | (DDW_LOCKED_RUN - 1)) + 1 - idx);

		if (!room) {
			long n = ddw_entry_leaf(table, idx + i, GFP_KERNEL, &hw, &shadow);

			if (n < 0) {
				ret = n;
				break;
			}
			room = n;
		}
		if (!held) {
			held = npages - i;
			ret = lookup(arg, ua + (i << shift), &held, &mem);
			if (ret || WARN_ON_ONCE(!held || held > npages - i)) {
				ret = ret ?: -EFAULT;
				break;
			}
		}
		/* Leaves hold whole runs: they are 512 entries or more. */
		stop = min3(stop, i + room, i + held);
		spin_lock(&table->entry_lock);
		for (; i < stop; i++, room--, held--) {
			u64 a = ua + (i << shift);
			unsigned long hpa;

			if (mm_iommu_ua_to_hpa(mem, a, shift, &hpa) ||
			    /* Fails only while the region is being released. */
			    mm_iommu_mapped_inc(mem)) {
				ret = -EFAULT;
				break;
			}
			old.idx = idx + i;
			ret = ddw_entry_swap_locked(table, hw++, shadow,
						    ddw_tce_encode(hpa, dir), a, true, &old);
			if (shadow)
				shadow++;
			if (ret) {
				mm_iommu_mapped_dec(mem);
				break;
			}
			/* An address a race left beside the empty entry. */
			if (old.ua) {
				i++;
				room--;
				held--;
				break;
			}
		}
		spin_unlock(&table->entry_lock);
		if (ret)
			break;
		/* Its count goes, outside the lock: that may sleep. */
		if (old.ua) {
			ddw_entry_give_back(table, &old, true);
			old.ua = 0;
		}
		/* By window index: a call per short run still yields. */
		if (!((idx + i) & 511))
			cond_resched();
	}
	*done = i;
	return ret;
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
 * shadow after this returns (kvmppc_tce_iommu_do_map()), over the marker
 * left here: until then the entry stays in use (ddw_entry_swap()).  Its
 * shadow slot asked for the levels (ddw_entry_prepare()).  What the entry
 * held before is given back here, after the TCE caches forgot it.  Does
 * not sleep.
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
	ret = ddw_entry_set(table, idx, ddw_tce_encode(hpa, dir), DDW_UA_KVM_PENDING,
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
