// SPDX-License-Identifier: GPL-2.0-only
/*
 * MAP_DMA and UNMAP_DMA: entries of a container's windows.  v2 maps
 * pre-registered memory, already pinned; v1 pins each page at map time.
 * What an entry holds is the table's to give back (pnv_ioda2_ddw), whoever
 * clears it: this container or KVM.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <asm/mmu_context.h>

#include <pnv_ioda2_ddw.h>
#include "container.h"

/*
 * The registration holding the IOMMU page at @ua, and how many of the @n
 * pages from @ua it holds: one lookup per run of pages, not per page.
 * In: *@p the previous run's registration or NULL; the next is tried
 * first.
 */
static u64 prereg_run(struct ddw_container *c, struct ddw_window *w, u64 ua,
		      u64 n, struct ddw_prereg **p)
{
	*p = ddw_prereg_find(c, *p, ua, 1ULL << w->page_shift);
	if (!*p)
		return 0;
	return min(n, ((*p)->vaddr + (*p)->size - ua) >> w->page_shift);
}

/*
 * Is every page of [@vaddr, + @n IOMMU pages) pre-registered, in pages as
 * large as the IOMMU page?  A region answers for all its pages at once
 * (mm_iommu_ua_to_hpa() checks the range and the region's page size): one
 * lookup per registration spanned.
 */
static bool prereg_covers(struct ddw_container *c, struct ddw_window *w,
			  u64 vaddr, u64 n)
{
	struct ddw_prereg *p = NULL;
	unsigned long hpa;
	u64 i, run;

	for (i = 0; i < n; i += run) {
		u64 ua = vaddr + (i << w->page_shift);

		run = prereg_run(c, w, ua, n - i, &p);
		if (!run || mm_iommu_ua_to_hpa(p->mem, ua, w->page_shift, &hpa))
			return false;
		/* Runs may be single pages: many registrations, each small. */
		cond_resched();
	}
	return true;
}

/* pnv_ddw_tce_map_user()'s lookup: the registrations of a MAP_DMA in turn. */
struct prereg_walk {
	struct ddw_container *c;
	struct ddw_window *w;
	struct ddw_prereg *p;
};

static int prereg_lookup(void *arg, u64 ua, u64 *pages,
			 struct mm_iommu_table_group_mem_t **mem)
{
	struct prereg_walk *walk = arg;

	*pages = prereg_run(walk->c, walk->w, ua, *pages, &walk->p);
	if (!*pages)
		return -EFAULT;
	*mem = walk->p->mem;
	return 0;
}

/*
 * v2: entries pointing into pre-registered memory, which may span
 * adjacent registrations.  Each entry takes a count on its region and
 * names its address in the shadow, as KVM's in-kernel mappings do:
 * whoever clears it gives both back.  A failed call changes nothing: the
 * memory is checked region by region and the entries in the levels that
 * exist, then each page is translated and its entry set in one pass,
 * allocating levels.  What still fails there (KVM mapped an entry since
 * the check, no memory) unmaps what the call mapped.
 */
static int map_prereg(struct ddw_container *c, struct ddw_window *w, u64 idx,
		      u64 n, u64 vaddr, enum dma_data_direction dir)
{
	struct prereg_walk walk = { .c = c, .w = w };
	u64 done;
	int ret;

	if (!prereg_covers(c, w, vaddr, n))
		return -EFAULT;
	if (!pnv_ddw_tce_range_free(w->table, idx, n))
		return -EBUSY;
	ret = pnv_ddw_tce_map_user(w->table, idx, n, vaddr, prereg_lookup, &walk, dir, &done);
	if (ret)
		pnv_ddw_tce_unmap(w->table, idx, done);
	return ret;
}

/*
 * v1: each entry pins the page under it for as long as it is mapped; the
 * table gives the pin back when the entry is cleared, by us or by KVM.
 * The page must be at least as large as the IOMMU page, or the device
 * would reach the memory beside it.
 */
static int map_pin(struct ddw_container *c, struct ddw_window *w, u64 idx,
		   u64 n, u64 vaddr, enum dma_data_direction dir)
{
	unsigned int gup = FOLL_LONGTERM | (dir == DMA_TO_DEVICE ? 0 : FOLL_WRITE);
	int ret = 0;
	u64 i;

	if (!pnv_ddw_tce_range_free(w->table, idx, n))
		return -EBUSY;
	for (i = 0; i < n; i++) {
		u64 ua = vaddr + (i << w->page_shift);
		enum dma_data_direction d = dir;
		unsigned long hpa;
		struct page *page;

		ret = pin_user_pages_fast(ua & PAGE_MASK, 1, gup, &page);
		if (ret != 1) {
			ret = ret < 0 ? ret : -EFAULT;
			break;
		}
		if (page_shift(compound_head(page)) < w->page_shift) {
			unpin_user_page(page);
			ret = -EFAULT;
			break;
		}
		hpa = page_to_phys(page) + (ua & ~PAGE_MASK);
		ret = pnv_ddw_tce_xchg(w->table, idx + i, &hpa, &d);
		if (ret) {
			unpin_user_page(page);
			break;
		}
		cond_resched();
	}
	if (ret)
		pnv_ddw_tce_unmap(w->table, idx, i);
	return ret;
}

/**
 * ddw_map() - map user memory at @iova
 * @c: the container; a v1 one must be enabled
 * @iova: in a window, aligned to its IOMMU page
 * @vaddr: aligned likewise; v2: inside the container's pre-registrations,
 *	which may be several adjacent ones
 * @size: aligned likewise; 0 maps nothing, as with the in-tree backend
 * @dir: the access the device gets
 *
 * All or nothing: an entry already in use, memory not registered (v2), not
 * mapped in the process (v1) or not backed by pages as large as the IOMMU
 * page fails the whole call and leaves every entry as it was.
 *
 * Return: 0; -ENXIO (no window holds the range); -EINVAL (alignment);
 * -EFAULT (memory not pre-registered, not mapped, or in smaller pages);
 * -EBUSY (an entry is mapped already: unmap it first; or KVM is mapping
 * it, and a retry succeeds once KVM is done); -ENOMEM.
 */
int ddw_map(struct ddw_container *c, u64 iova, u64 vaddr, u64 size,
	    enum dma_data_direction dir)
{
	struct ddw_window *w;
	u64 idx, n;
	int ret;

	lockdep_assert_held(&c->lock);
	w = ddw_window_find(c, iova, size ?: 1);
	if (!w)
		return -ENXIO;
	if (!IS_ALIGNED(iova | vaddr | size, 1ULL << w->page_shift))
		return -EINVAL;
	idx = (iova - w->bus_start) >> w->page_shift;
	n = size >> w->page_shift;
	if (!n)
		return 0;
	if (c->v2)
		ret = map_prereg(c, w, idx, n, vaddr, dir);
	else
		ret = map_pin(c, w, idx, n, vaddr, dir);
	/* A failed call unmapped what it mapped, and invalidated. */
	if (!ret)
		pnv_ddw_tce_kill(w->table, idx, n);
	return ret;
}

/**
 * ddw_unmap() - unmap [@iova, @iova + @size)
 * @c: the container
 * @iova: in a window, aligned to its IOMMU page
 * @size: aligned likewise; 0 unmaps nothing, as with the in-tree backend
 *
 * Entries not mapped are skipped, whoever mapped the others (this
 * container, or KVM through the table).
 *
 * Return: 0; -ENXIO (no window holds the range); -EINVAL (alignment).
 */
int ddw_unmap(struct ddw_container *c, u64 iova, u64 size)
{
	struct ddw_window *w;
	u64 idx, n;

	lockdep_assert_held(&c->lock);
	w = ddw_window_find(c, iova, size ?: 1);
	if (!w)
		return -ENXIO;
	if (!IS_ALIGNED(iova | size, 1ULL << w->page_shift))
		return -EINVAL;
	idx = (iova - w->bus_start) >> w->page_shift;
	n = size >> w->page_shift;
	pnv_ddw_tce_unmap(w->table, idx, n);
	return 0;
}
