// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory pre-registration (v2): userspace pins the memory it will map once,
 * up front; MAP_DMA then only translates.  The pinning and its locked_vm
 * charge are the kernel's mm_iommu regions, which KVM also looks up.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/rbtree.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <asm/mmu_context.h>

#include <pnv_ioda2_ddw.h>
#include "container.h"

/* The container's registration holding @ua, or NULL. */
static struct ddw_prereg *prereg_at(struct ddw_container *c, u64 ua)
{
	struct rb_node *n = c->prereg_tree.rb_node;

	while (n) {
		struct ddw_prereg *p = rb_entry(n, struct ddw_prereg, rb);

		if (ua < p->vaddr)
			n = n->rb_left;
		else if (ua - p->vaddr >= p->size)
			n = n->rb_right;
		else
			return p;
	}
	return NULL;
}

static bool prereg_holds(struct ddw_prereg *p, u64 ua, u64 size)
{
	return ua >= p->vaddr && size <= p->size && ua - p->vaddr <= p->size - size;
}

/**
 * ddw_prereg_find() - the registration holding [@ua, @ua + @size)
 * @c: the container
 * @after: NULL, or a registration whose successor is tried first: a run
 *	of pages over adjacent registrations meets them in order
 * @ua: the address
 * @size: bytes from it
 *
 * Return: the registration, or NULL.
 */
struct ddw_prereg *ddw_prereg_find(struct ddw_container *c,
				   struct ddw_prereg *after, u64 ua, u64 size)
{
	struct rb_node *next = after ? rb_next(&after->rb) : NULL;
	struct ddw_prereg *p;

	lockdep_assert_held(&c->lock);
	if (next && prereg_holds(rb_entry(next, struct ddw_prereg, rb), ua, size))
		return rb_entry(next, struct ddw_prereg, rb);
	p = prereg_at(c, ua);
	return p && prereg_holds(p, ua, size) ? p : NULL;
}

static struct ddw_prereg *prereg_exact(struct ddw_container *c, u64 vaddr,
				       u64 size)
{
	struct ddw_prereg *p = prereg_at(c, vaddr);

	return p && p->vaddr == vaddr && p->size == size ? p : NULL;
}

/*
 * Does [@vaddr, @vaddr + @size) overlap a registration?  They are disjoint
 * and sorted: a range wholly before (after) one can only meet those before
 * (after) it.
 */
static bool prereg_overlaps(struct ddw_container *c, u64 vaddr, u64 size)
{
	struct rb_node *n = c->prereg_tree.rb_node;

	while (n) {
		struct ddw_prereg *p = rb_entry(n, struct ddw_prereg, rb);

		if (vaddr + size <= p->vaddr)
			n = n->rb_left;
		else if (vaddr >= p->vaddr + p->size)
			n = n->rb_right;
		else
			return true;
	}
	return false;
}

/* Into the list and the tree; it overlaps none. */
static void prereg_insert(struct ddw_container *c, struct ddw_prereg *p)
{
	struct rb_node **link = &c->prereg_tree.rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		if (p->vaddr < rb_entry(parent, struct ddw_prereg, rb)->vaddr)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&p->rb, parent, link);
	rb_insert_color(&p->rb, &c->prereg_tree);
	list_add_tail(&p->node, &c->prereg);
}

static void prereg_unlink(struct ddw_container *c, struct ddw_prereg *p)
{
	rb_erase(&p->rb, &c->prereg_tree);
	list_del(&p->node);
}

/**
 * ddw_prereg_add() - pin and charge [@vaddr, @vaddr + @size)
 * @c: the container
 * @vaddr: page aligned
 * @size: page aligned, not 0
 *
 * Return: 0; -EINVAL (unaligned, empty or wrapping); -EBUSY (overlaps a
 * registration of this container); -ENOMEM (over RLIMIT_MEMLOCK, or out of
 * memory); -EFAULT (not mapped); with nothing pinned or charged.
 */
int ddw_prereg_add(struct ddw_container *c, u64 vaddr, u64 size)
{
	struct mm_iommu_table_group_mem_t *mem;
	struct ddw_prereg *p;
	long ret;

	lockdep_assert_held(&c->lock);
	if (!size || !PAGE_ALIGNED(vaddr) || !PAGE_ALIGNED(size) ||
	    vaddr + size < vaddr)
		return -EINVAL;
	if (prereg_overlaps(c, vaddr, size))
		return -EBUSY;
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	/* Another container of this mm may have registered the same. */
	mem = mm_iommu_get(c->mm, vaddr, size >> PAGE_SHIFT);
	if (!mem) {
		ret = mm_iommu_new(c->mm, vaddr, size >> PAGE_SHIFT, &mem);
		/*
		 * A pin stopped by a hole answers the pages it pinned
		 * (mm_iommu_do_alloc()), released again: not mapped.
		 */
		if (ret > 0)
			ret = -EFAULT;
		if (ret)
			goto out_free;
	}
	p->mem = mem;
	p->vaddr = vaddr;
	p->size = size;
	prereg_insert(c, p);
	return 0;

out_free:
	kfree(p);
	return ret;
}

static int prereg_free(struct ddw_container *c, struct ddw_prereg *p)
{
	long ret;

	ret = mm_iommu_put(c->mm, p->mem);
	if (ret)
		return ret;
	prereg_unlink(c, p);
	kfree(p);
	return 0;
}

/**
 * ddw_prereg_mapped() - entries of the container's windows mapping @p
 * @c: the container
 * @p: one of its registrations
 *
 * Read from the tables' shadows, which KVM's in-kernel mappings fill too.
 *
 * Return: the number of entries whose address is in @p.
 */
u64 ddw_prereg_mapped(struct ddw_container *c, struct ddw_prereg *p)
{
	u64 n = 0;
	int num;

	lockdep_assert_held(&c->lock);
	for (num = 0; num < ARRAY_SIZE(c->windows); num++)
		if (c->windows[num].table)
			n += pnv_ddw_table_user_entries(c->windows[num].table,
							p->vaddr, p->size);
	return n;
}

/**
 * ddw_prereg_remove() - unregister exactly what ddw_prereg_add() registered
 * @c: the container
 * @vaddr: as registered
 * @size: as registered
 *
 * Return: 0; -EINVAL (unaligned); -ENOENT (no such registration); -EBUSY
 * while the container's windows map any of it (by MAP_DMA or by KVM), or
 * while it is the last registration and another table maps it: nothing
 * changes, the memory stays pinned and registered until it is unmapped.
 */
int ddw_prereg_remove(struct ddw_container *c, u64 vaddr, u64 size)
{
	struct ddw_prereg *p;

	lockdep_assert_held(&c->lock);
	if (!PAGE_ALIGNED(vaddr) || !PAGE_ALIGNED(size))
		return -EINVAL;
	p = prereg_exact(c, vaddr, size);
	if (!p)
		return -ENOENT;
	if (ddw_prereg_mapped(c, p))
		return -EBUSY;
	return prereg_free(c, p);
}

/*
 * Registrations a container let go of while a table still mapped them: a
 * table KVM holds after the container removed it, into which a mapping
 * racing with the removal went, keeps its count until KVM lets the table
 * go.  mm_iommu keeps such a region (and refuses to drop it); it is put
 * again, until it goes, so that nothing stays pinned after KVM let go.
 */
static LIST_HEAD(orphans);	/* struct ddw_prereg, with @orphan_mm */
static DEFINE_MUTEX(orphans_lock);	/* protects orphans, orphans_delay */
static unsigned long orphans_delay;	/* jiffies to the next try */
static void orphans_retry(struct work_struct *work);
static DECLARE_DELAYED_WORK(orphans_work, orphans_retry);

/* Tried soon after, then less and less often, up to every 10 s. */
#define ORPHANS_FIRST_DELAY	(HZ / 10)
#define ORPHANS_MAX_DELAY	(10 * HZ)

static void orphans_retry(struct work_struct *work)
{
	struct ddw_prereg *p, *next;
	LIST_HEAD(todo);

	/* mm_iommu_put() takes the process's mmap_lock: not under ours. */
	mutex_lock(&orphans_lock);
	list_splice_init(&orphans, &todo);
	mutex_unlock(&orphans_lock);
	list_for_each_entry_safe(p, next, &todo, node) {
		if (mm_iommu_put(p->orphan_mm, p->mem) == -EBUSY)
			continue;
		list_del(&p->node);
		mmdrop(p->orphan_mm);
		kfree(p);
		/* ddw_prereg_exit() waits for this work to return. */
		module_put(THIS_MODULE);
	}
	mutex_lock(&orphans_lock);
	list_splice(&todo, &orphans);
	if (!list_empty(&orphans)) {
		orphans_delay = min(2 * orphans_delay, (unsigned long)ORPHANS_MAX_DELAY);
		schedule_delayed_work(&orphans_work, orphans_delay);
	}
	mutex_unlock(&orphans_lock);
}

/* Hand @p over to orphans_retry(); it holds the module meanwhile. */
static void prereg_orphan(struct ddw_container *c, struct ddw_prereg *p)
{
	pr_debug("container %d: 0x%llx+0x%llx still mapped by a table KVM holds: put later\n",
		 c->id, p->vaddr, p->size);
	p->orphan_mm = c->mm;
	mmgrab(p->orphan_mm);
	__module_get(THIS_MODULE);
	prereg_unlink(c, p);
	mutex_lock(&orphans_lock);
	list_add_tail(&p->node, &orphans);
	orphans_delay = ORPHANS_FIRST_DELAY;
	mod_delayed_work(system_wq, &orphans_work, orphans_delay);
	mutex_unlock(&orphans_lock);
}

/* At release, once every window of the container is gone. */
void ddw_prereg_remove_all(struct ddw_container *c)
{
	struct ddw_prereg *p, *next;

	list_for_each_entry_safe(p, next, &c->prereg, node)
		if (prereg_free(c, p))
			prereg_orphan(c, p);
}

/* Module exit: no orphan is left (each holds the module). */
void ddw_prereg_exit(void)
{
	cancel_delayed_work_sync(&orphans_work);
}
