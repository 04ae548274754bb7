// SPDX-License-Identifier: GPL-2.0-only
/*
 * Container lifetime: groups, their PEs' ownership, DMA windows and the
 * TCEs in them.  The uAPI lives in ioctl.c; the tables in pnv_ioda2_ddw.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <asm/mmu_context.h>

#include <pnv_ioda2_ddw.h>
#include "container.h"

/* The in-tree backend's default window: the PE's 32-bit window, 4K pages. */
#define DEFAULT_WINDOW_PAGE_SHIFT	12

struct ddw_container *ddw_container_open(bool v2)
{
	struct ddw_container *c;

	if (!current->mm)
		return ERR_PTR(-ESRCH);
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return ERR_PTR(-ENOMEM);
	mutex_init(&c->lock);
	INIT_LIST_HEAD(&c->groups);
	INIT_LIST_HEAD(&c->prereg);
	c->v2 = v2;
	c->mm = current->mm;
	mmgrab(c->mm);
	ddw_debugfs_container_add(c);
	return c;
}

struct iommu_table_group *ddw_container_table_group(struct ddw_container *c)
{
	struct ddw_group *g;

	g = list_first_entry_or_null(&c->groups, struct ddw_group, node);
	return g ? g->table_group : NULL;
}

static int window_num(struct ddw_container *c, struct ddw_window *w)
{
	return w - c->windows;
}

/* Put the container's windows into the PE of @g; on failure none are. */
static int group_set_windows(struct ddw_container *c, struct ddw_group *g)
{
	int num, ret;

	for (num = 0; num < ARRAY_SIZE(c->windows); num++) {
		if (!c->windows[num].table)
			continue;
		ret = pnv_ddw_window_set(g->table_group, num, c->windows[num].table);
		if (ret)
			goto out_unset;
	}
	return 0;

out_unset:
	while (--num >= 0)
		if (c->windows[num].table)
			pnv_ddw_window_unset(g->table_group, num);
	return ret;
}

static bool caps_equal(struct iommu_table_group *a, struct iommu_table_group *b)
{
	struct pnv_ddw_caps ca, cb;

	pnv_ddw_get_caps(a, &ca);
	pnv_ddw_get_caps(b, &cb);
	return !memcmp(&ca, &cb, sizeof(ca));
}

/**
 * ddw_container_attach() - add a group: own its PE, give it the windows
 * @c: the container
 * @grp: an IOMMU group VFIO has claimed (its blocking domain holds the PE)
 *
 * Both container types take IODA2 PEs (the in-tree backend refuses v1 on
 * them): a v1 container uses only the default 32-bit window.
 *
 * Return: 0; -ENODEV (not an IODA2 PE); -EPERM (a PE whose windows differ
 * from the container's first group's); -EBUSY (already attached).
 */
int ddw_container_attach(struct ddw_container *c, struct iommu_group *grp)
{
	struct iommu_table_group *tg = pnv_ddw_table_group(grp);
	struct ddw_group *g;
	int ret;

	if (IS_ERR(tg))
		return -ENODEV;

	mutex_lock(&c->lock);
	list_for_each_entry(g, &c->groups, node) {
		ret = g->grp == grp ? -EBUSY : caps_equal(g->table_group, tg) ? 0 : -EPERM;
		if (ret)
			goto out_unlock;
	}
	g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
	ret = -ENOMEM;
	if (!g)
		goto out_unlock;
	g->grp = grp;
	g->table_group = tg;
	ret = pnv_ddw_own(tg);
	if (ret)
		goto out_free;
	ret = group_set_windows(c, g);
	if (ret)
		goto out_disown;
	if (list_empty(&c->groups))
		c->def_window_pending = true;
	list_add_tail(&g->node, &c->groups);
	mutex_unlock(&c->lock);
	return 0;

out_disown:
	pnv_ddw_disown(tg);
out_free:
	kfree(g);
out_unlock:
	mutex_unlock(&c->lock);
	return ret;
}

static void group_detach(struct ddw_container *c, struct ddw_group *g)
{
	int num;

	for (num = 0; num < ARRAY_SIZE(c->windows); num++)
		if (c->windows[num].table)
			pnv_ddw_window_unset(g->table_group, num);
	pnv_ddw_disown(g->table_group);
	list_del(&g->node);
	kfree(g);
}

void ddw_container_detach(struct ddw_container *c, struct iommu_group *grp)
{
	struct ddw_group *g, *next;

	mutex_lock(&c->lock);
	list_for_each_entry_safe(g, next, &c->groups, node)
		if (g->grp == grp)
			group_detach(c, g);
	mutex_unlock(&c->lock);
}

/* The window holding [@iova, @iova + @size), or NULL. */
struct ddw_window *ddw_window_find(struct ddw_container *c, u64 iova, u64 size)
{
	int num;

	lockdep_assert_held(&c->lock);
	for (num = 0; num < ARRAY_SIZE(c->windows); num++) {
		struct ddw_window *w = &c->windows[num];

		if (w->table && iova >= w->bus_start && size <= w->size &&
		    iova - w->bus_start <= w->size - size)
			return w;
	}
	return NULL;
}

/*
 * Remove a window: out of every PE, retired so that KVM maps nothing more
 * in it, cleared (pins and counts given back), and our reference dropped;
 * KVM may hold the table a while longer.
 */
static void window_free(struct ddw_container *c, struct ddw_window *w)
{
	struct ddw_group *g;

	list_for_each_entry(g, &c->groups, node)
		pnv_ddw_window_unset(g->table_group, window_num(c, w));
	pnv_ddw_table_retire(w->table);
	pnv_ddw_tce_unmap(w->table, 0, w->size >> w->page_shift);
	pnv_ddw_table_put(w->table);
	account_locked_vm(c->mm, w->locked_pages, false);
	c->locked_pages -= w->locked_pages;
	memset(w, 0, sizeof(*w));
}

/*
 * Pages a table of @geo may take at most: the hardware table, and for v2
 * the shadow of user addresses as large.
 */
static unsigned long table_pages(const struct pnv_ddw_geometry *geo, bool shadow)
{
	return (shadow ? 2 : 1) * DIV_ROUND_UP(geo->max_table_bytes, PAGE_SIZE);
}

static int window_create(struct ddw_container *c, int num, u32 page_shift,
			 u64 size, u32 levels)
{
	struct iommu_table_group *tg = ddw_container_table_group(c);
	struct ddw_window *w = &c->windows[num];
	struct pnv_ddw_table_info info;
	struct pnv_ddw_geometry geo;
	struct pnv_ddw_caps caps;
	struct ddw_group *g;
	unsigned long pages;
	int ret;

	pnv_ddw_get_caps(tg, &caps);
	ret = pnv_ddw_geometry_init(&geo, &caps, page_shift, size, levels);
	if (ret)
		return ret;
	pages = table_pages(&geo, c->v2);
	ret = account_locked_vm(c->mm, pages, true);
	if (ret)
		return ret;
	w->table = pnv_ddw_table_create(tg, num, page_shift, size, levels,
					c->v2 ? PNV_DDW_TABLE_SHADOW : PNV_DDW_TABLE_PINNED,
					c->v2 ? c->mm : NULL);
	if (IS_ERR(w->table)) {
		ret = PTR_ERR(w->table);
		goto out_unaccount;
	}
	list_for_each_entry(g, &c->groups, node) {
		ret = pnv_ddw_window_set(g->table_group, num, w->table);
		if (ret)
			goto out_unset;
	}
	pnv_ddw_table_info(w->table, &info);
	w->bus_start = info.bus_start;
	w->size = size;
	w->page_shift = page_shift;
	w->levels = levels;
	w->locked_pages = pages;
	c->locked_pages += pages;
	return 0;

out_unset:
	list_for_each_entry_continue_reverse(g, &c->groups, node)
		pnv_ddw_window_unset(g->table_group, num);
	/* KVM may have taken it while it was programmed: empty, nothing more. */
	pnv_ddw_table_retire(w->table);
	pnv_ddw_table_put(w->table);
out_unaccount:
	account_locked_vm(c->mm, pages, false);
	memset(w, 0, sizeof(*w));
	return ret;
}

/**
 * ddw_window_create() - a new DMA window in every group of the container
 * @c: the container, with groups
 * @page_shift: an IOMMU page size the PEs offer
 * @size: bytes, a power of two
 * @levels: table levels
 * @bus_start: out: the window's bus address
 *
 * The table's largest size is charged to locked_vm before it is made, and
 * refunded if making it fails.
 *
 * Return: 0; -ENOSPC (every window in use); -EINVAL, -E2BIG (geometry);
 * -ENOMEM (RLIMIT_MEMLOCK or memory); -EIO (firmware).
 */
int ddw_window_create(struct ddw_container *c, u32 page_shift, u64 size,
		      u32 levels, u64 *bus_start)
{
	struct pnv_ddw_caps caps;
	int num, ret;

	lockdep_assert_held(&c->lock);
	pnv_ddw_get_caps(ddw_container_table_group(c), &caps);
	for (num = 0; num < min_t(u32, caps.max_windows, ARRAY_SIZE(c->windows)); num++)
		if (!c->windows[num].table)
			break;
	if (num == min_t(u32, caps.max_windows, ARRAY_SIZE(c->windows)))
		return -ENOSPC;
	ret = window_create(c, num, page_shift, size, levels);
	if (!ret)
		*bus_start = c->windows[num].bus_start;
	return ret;
}

/**
 * ddw_default_window_ensure() - make the pending default window
 * @c: the container
 *
 * Return: 0 or the errno of ddw_window_create().
 */
int ddw_default_window_ensure(struct ddw_container *c)
{
	struct iommu_table_group *tg = ddw_container_table_group(c);
	int ret;

	lockdep_assert_held(&c->lock);
	if (!c->def_window_pending || !tg)
		return 0;
	ret = window_create(c, 0, DEFAULT_WINDOW_PAGE_SHIFT, tg->tce32_size, 1);
	if (!ret)
		c->def_window_pending = false;
	return ret;
}

/**
 * ddw_window_remove() - remove the window at @bus_start, unmapping it
 * @c: the container
 * @bus_start: as returned by creation (0 for the default window)
 *
 * Return: 0, or -EINVAL if no window starts there.
 */
int ddw_window_remove(struct ddw_container *c, u64 bus_start)
{
	int num;

	lockdep_assert_held(&c->lock);
	if (c->def_window_pending && bus_start == ddw_container_table_group(c)->tce32_start) {
		c->def_window_pending = false;
		return 0;
	}
	for (num = 0; num < ARRAY_SIZE(c->windows); num++) {
		if (c->windows[num].table && c->windows[num].bus_start == bus_start) {
			window_free(c, &c->windows[num]);
			return 0;
		}
	}
	return -EINVAL;
}

/* Is no entry of [@idx, @idx + @n) in use? */
static bool entries_free(struct ddw_window *w, u64 idx, u64 n)
{
	u64 i;

	for (i = 0; i < n; i++) {
		enum dma_data_direction old;
		unsigned long hpa;

		if (pnv_ddw_tce_get(w->table, idx + i, &hpa, &old) || old != DMA_NONE)
			return false;
		if (!(i & 511))
			cond_resched();
	}
	return true;
}

/*
 * v2: entries pointing into pre-registered memory, already pinned.  Each
 * entry takes a count on the region and names its address in the shadow,
 * as KVM's in-kernel mappings do: whoever clears it gives both back.
 */
static int map_prereg(struct ddw_container *c, struct ddw_window *w, u64 idx,
		      u64 n, u64 vaddr, enum dma_data_direction dir)
{
	struct ddw_prereg *p;
	unsigned long hpa;
	int ret = 0;
	u64 i;

	p = ddw_prereg_find(c, vaddr, n << w->page_shift);
	if (!p)
		return -EFAULT;
	/* Check everything first: a failed map changes nothing. */
	for (i = 0; i < n; i++) {
		if (mm_iommu_ua_to_hpa(p->mem, vaddr + (i << w->page_shift),
				       w->page_shift, &hpa))
			return -EFAULT;
		if (!(i & 511))
			cond_resched();
	}
	if (!entries_free(w, idx, n))
		return -EBUSY;
	for (i = 0; i < n; i++) {
		/* -EBUSY only if KVM mapped the entry since the check. */
		ret = pnv_ddw_tce_map_user(w->table, idx + i,
					   vaddr + (i << w->page_shift), p->mem, dir);
		if (ret)
			break;
		if (!(i & 511))
			cond_resched();
	}
	if (ret)
		pnv_ddw_tce_unmap(w->table, idx, i);
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

	if (!entries_free(w, idx, n))
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
 * @vaddr: aligned likewise; v2: inside one pre-registration
 * @size: aligned likewise, not 0
 * @dir: the access the device gets
 *
 * All or nothing: an entry already in use, memory not registered (v2), not
 * mapped in the process (v1) or not backed by pages as large as the IOMMU
 * page fails the whole call and leaves every entry as it was.
 *
 * Return: 0; -ENXIO (no window holds the range); -EINVAL (alignment);
 * -EFAULT (memory not pre-registered, not mapped, or in smaller pages);
 * -EBUSY (an entry is mapped already: unmap it first); -ENOMEM.
 */
int ddw_map(struct ddw_container *c, u64 iova, u64 vaddr, u64 size,
	    enum dma_data_direction dir)
{
	struct ddw_window *w;
	u64 idx, n;
	int ret;

	lockdep_assert_held(&c->lock);
	w = ddw_window_find(c, iova, size);
	if (!w || !size)
		return -ENXIO;
	if (!IS_ALIGNED(iova | vaddr | size, 1ULL << w->page_shift))
		return -EINVAL;
	idx = (iova - w->bus_start) >> w->page_shift;
	n = size >> w->page_shift;
	if (c->v2)
		ret = map_prereg(c, w, idx, n, vaddr, dir);
	else
		ret = map_pin(c, w, idx, n, vaddr, dir);
	pnv_ddw_tce_kill(w->table, idx, n);
	return ret;
}

/**
 * ddw_unmap() - unmap [@iova, @iova + @size)
 * @c: the container
 * @iova: in a window, aligned to its IOMMU page
 * @size: aligned likewise
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
	w = ddw_window_find(c, iova, size);
	if (!w || !size)
		return -ENXIO;
	if (!IS_ALIGNED(iova | size, 1ULL << w->page_shift))
		return -EINVAL;
	idx = (iova - w->bus_start) >> w->page_shift;
	n = size >> w->page_shift;
	pnv_ddw_tce_unmap(w->table, idx, n);
	return 0;
}

/**
 * ddw_container_enable() - v1: allow maps, charging the default window
 * @c: the v1 container
 *
 * Pages are pinned as entries are mapped; what they may pin at most, the
 * whole 32-bit window, is charged to locked_vm here, once.
 *
 * Return: 0; -EBUSY (enabled already); -ENODEV (no group); -EPERM (the PE
 * has no 32-bit window); -ENOMEM (RLIMIT_MEMLOCK).
 */
int ddw_container_enable(struct ddw_container *c)
{
	struct iommu_table_group *tg = ddw_container_table_group(c);
	unsigned long pages;
	int ret;

	lockdep_assert_held(&c->lock);
	if (c->enabled)
		return -EBUSY;
	if (!tg)
		return -ENODEV;
	pages = tg->tce32_size >> PAGE_SHIFT;
	if (!pages)
		return -EPERM;
	ret = account_locked_vm(c->mm, pages, true);
	if (ret)
		return ret;
	c->enabled = true;
	c->enabled_pages = pages;
	return 0;
}

/**
 * ddw_container_disable() - v1: refund what enabling charged
 * @c: the v1 container
 *
 * Mapped entries stay, as with the in-tree backend; maps are refused until
 * the container is enabled again.
 */
void ddw_container_disable(struct ddw_container *c)
{
	lockdep_assert_held(&c->lock);
	if (!c->enabled)
		return;
	account_locked_vm(c->mm, c->enabled_pages, false);
	c->enabled = false;
	c->enabled_pages = 0;
}

/**
 * ddw_container_release() - undo everything the container did
 * @c: the container; VFIO has detached its groups or is about to
 *
 * Entries cleared, pages unpinned, pre-registrations dropped, windows
 * removed, the PEs handed back, locked_vm refunded.
 */
void ddw_container_release(struct ddw_container *c)
{
	struct ddw_group *g, *gnext;
	int num;

	ddw_debugfs_container_remove(c);
	mutex_lock(&c->lock);
	for (num = 0; num < ARRAY_SIZE(c->windows); num++)
		if (c->windows[num].table)
			window_free(c, &c->windows[num]);
	list_for_each_entry_safe(g, gnext, &c->groups, node)
		group_detach(c, g);
	ddw_prereg_remove_all(c);
	ddw_container_disable(c);
	WARN_ON_ONCE(c->locked_pages);
	mutex_unlock(&c->lock);
	mmdrop(c->mm);
	mutex_destroy(&c->lock);
	kfree(c);
}
