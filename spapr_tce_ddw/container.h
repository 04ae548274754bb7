/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _SPAPR_TCE_DDW_CONTAINER_H
#define _SPAPR_TCE_DDW_CONTAINER_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/types.h>
#include <asm/iommu.h>

struct dentry;
struct iommu_group;
struct mm_struct;
struct mm_iommu_table_group_mem_t;
struct pnv_ddw_table;

/* The container ioctls of ioctl.c's table, counted per container. */
#define DDW_NR_IOCTLS	9

/* A group in a container: the container holds its PE owned. */
struct ddw_group {
	struct list_head node;
	struct iommu_group *grp;
	struct iommu_table_group *table_group;
};

/*
 * Memory this container pre-registered (v2); @orphan_mm is set once the
 * container let go of it while a table still mapped it (prereg.c).
 */
struct ddw_prereg {
	struct list_head node;
	struct rb_node rb;
	struct mm_iommu_table_group_mem_t *mem;
	u64 vaddr;
	u64 size;
	struct mm_struct *orphan_mm;
};

/* A DMA window of the container, programmed into every group's PE. */
struct ddw_window {
	struct pnv_ddw_table *table;
	u64 bus_start;
	u64 size;
	u32 page_shift;
	u32 levels;
	unsigned long locked_pages;	/* charged to locked_vm for the table */
};

/**
 * struct ddw_container - one VFIO container served by spapr-tce-v2
 * @lock: protects everything below; taken before a PE's ownership lock
 *	(pnv_ioda2_ddw), a group's mutex (window creation looks up the
 *	PE's NUMA node) and @mm's mmap_lock (v1 pins pages, v2 registers
 *	memory, both with it held)
 * @mm: the process that set the container up; only it may use it
 * @v2: VFIO_SPAPR_TCE_v2_IOMMU: mappings of pre-registered memory, dynamic
 *	windows.  Otherwise VFIO_SPAPR_TCE_IOMMU (v1): the default window
 *	only, each entry pinning its page at map time, locked_vm charged for
 *	a system page per entry of the window by VFIO_IOMMU_ENABLE
 * @groups: struct ddw_group
 * @prereg: struct ddw_prereg
 * @prereg_tree: the same by address, disjoint: MAP_DMA looks a page's
 *	registration up in log time, however many there are
 * @windows: by TVE number; NULL when free
 * @def_window_pending: the default 32-bit window exists for userspace but
 *	is made only when first needed, so that removing it costs nothing
 * @locked_pages: pages charged to @mm's locked_vm for tables
 * @enabled: v1: VFIO_IOMMU_ENABLE done, maps allowed
 * @enabled_pages: v1: pages charged to @mm's locked_vm by VFIO_IOMMU_ENABLE
 * @calls_ok: per ioctl of ioctl.c's table, calls that succeeded
 * @calls_failed: per ioctl, calls answered with an errno
 * @id: number in debugfs
 * @dir: debugfs directory
 */
struct ddw_container {
	struct mutex lock;	/* see above */
	struct mm_struct *mm;
	bool v2;
	struct list_head groups;
	struct list_head prereg;
	struct rb_root prereg_tree;
	struct ddw_window windows[IOMMU_TABLE_GROUP_MAX_TABLES];
	bool def_window_pending;
	unsigned long locked_pages;
	bool enabled;
	unsigned long enabled_pages;
	u64 calls_ok[DDW_NR_IOCTLS];
	u64 calls_failed[DDW_NR_IOCTLS];
	int id;
	struct dentry *dir;
};

static inline bool ddw_container_has_groups(struct ddw_container *c)
{
	return !list_empty(&c->groups);
}

struct ddw_container *ddw_container_open(bool v2);
void ddw_container_release(struct ddw_container *c);
int ddw_container_attach(struct ddw_container *c, struct iommu_group *grp);
void ddw_container_detach(struct ddw_container *c, struct iommu_group *grp);
struct iommu_table_group *ddw_container_table_group(struct ddw_container *c);

int ddw_window_create(struct ddw_container *c, u32 page_shift, u64 size,
		      u32 levels, u64 *bus_start);
int ddw_window_remove(struct ddw_container *c, u64 bus_start);
int ddw_default_window_ensure(struct ddw_container *c);
void ddw_default_window_unmake(struct ddw_container *c);
int ddw_container_enable(struct ddw_container *c);
int ddw_container_disable(struct ddw_container *c);
struct ddw_window *ddw_window_find(struct ddw_container *c, u64 iova, u64 size);
int ddw_map(struct ddw_container *c, u64 iova, u64 vaddr, u64 size,
	    enum dma_data_direction dir);
int ddw_unmap(struct ddw_container *c, u64 iova, u64 size);

int ddw_prereg_add(struct ddw_container *c, u64 vaddr, u64 size);
int ddw_prereg_remove(struct ddw_container *c, u64 vaddr, u64 size);
void ddw_prereg_remove_all(struct ddw_container *c);
void ddw_prereg_exit(void);
struct ddw_prereg *ddw_prereg_find(struct ddw_container *c,
				   struct ddw_prereg *after, u64 ua, u64 size);
u64 ddw_prereg_mapped(struct ddw_container *c, struct ddw_prereg *p);

void ddw_debugfs_container_add(struct ddw_container *c);
void ddw_debugfs_container_remove(struct ddw_container *c);

#endif /* _SPAPR_TCE_DDW_CONTAINER_H */
