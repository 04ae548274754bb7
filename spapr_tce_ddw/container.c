// SPDX-License-Identifier: GPL-2.0-only
/*
 * Container lifetime: groups, their PEs' ownership, DMA windows, v1's
 * charge.  The uAPI lives in ioctl.c, the TCEs in dma_map.c, the tables in
 * pnv_ioda2_ddw.
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
	c->prereg_tree = RB_ROOT;
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
 * them): a v1 container uses only the default 32-bit window.  On 6.12 the
 * kernel's blocked domain took the PE when VFIO claimed the group; the
 * windows go before VFIO releases it (ddw_container_detach()).
 *
 * Return: 0; -ENODEV (not an IODA2 PE); -EPERM (a PE whose windows differ
 * from the container's first group's, or a group not claimed from the
 * kernel); -EBUSY (already attached).
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
	int num, max, ret;

	lockdep_assert_held(&c->lock);
	pnv_ddw_get_caps(ddw_container_table_group(c), &caps);
	max = min_t(u32, caps.max_windows, ARRAY_SIZE(c->windows));
	/* Window 0 is the pending default window's. */
	for (num = c->def_window_pending ? 1 : 0; num < max; num++)
		if (!c->windows[num].table)
			break;
	if (num >= max)
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
 * ddw_default_window_unmake() - undo what ddw_default_window_ensure() made
 * @c: the container, whose call that made the default window failed
 *
 * A failed ioctl leaves the container as it was: the default window it
 * made on the way goes again (its charge with it) and is pending again.
 */
void ddw_default_window_unmake(struct ddw_container *c)
{
	lockdep_assert_held(&c->lock);
	if (WARN_ON_ONCE(c->def_window_pending || !c->windows[0].table))
		return;
	window_free(c, &c->windows[0]);
	c->def_window_pending = true;
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

/**
 * ddw_container_enable() - v1: allow maps, charging the default window
 * @c: the v1 container
 *
 * Pages are pinned as entries are mapped; what they may pin at most is
 * charged to locked_vm here, once: a system page for each 4K entry of the
 * 32-bit window, since each entry may pin a page of its own (the in-tree
 * backend charges the window's bytes, a sixteenth of that with 64K pages).
 * A page counts once per entry, as for vfio's type1 backend, however large
 * the folio holding it.
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
	pages = tg->tce32_size >> DEFAULT_WINDOW_PAGE_SHIFT;
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
 * Not while entries are mapped (KVM's included): their pins are what the
 * charge stands for.  Maps are refused until the container is enabled
 * again.
 *
 * Return: 0, or -EBUSY while an entry of the default window is mapped.
 */
int ddw_container_disable(struct ddw_container *c)
{
	struct pnv_ddw_table *table = c->windows[0].table;

	lockdep_assert_held(&c->lock);
	if (!c->enabled)
		return 0;
	if (table && pnv_ddw_table_entries_used(table))
		return -EBUSY;
	account_locked_vm(c->mm, c->enabled_pages, false);
	c->enabled = false;
	c->enabled_pages = 0;
	return 0;
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
	/* The windows are gone: nothing is mapped. */
	WARN_ON_ONCE(ddw_container_disable(c));
	WARN_ON_ONCE(c->locked_pages);
	mutex_unlock(&c->lock);
	mmdrop(c->mm);
	mutex_destroy(&c->lock);
	kfree(c);
}
