/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pnv_ioda2_ddw: the exported API of the IODA2 (PowerNV PHB3/PHB4) side of
 * sPAPR Dynamic DMA Windows.  Its users are the spapr_tce_ddw VFIO backend
 * and the tests.
 */
#ifndef _PNV_IODA2_DDW_H
#define _PNV_IODA2_DDW_H

#include <linux/dma-direction.h>
#include <linux/types.h>

struct dentry;
struct iommu_group;
struct mm_iommu_table_group_mem_t;
struct mm_struct;
struct iommu_table_group;
struct pnv_ddw_table;

/**
 * struct pnv_ddw_caps - what a PE offers for DMA windows
 * @tce32_start: bus address of the default 32-bit window
 * @tce32_size: size in bytes of the default 32-bit window
 * @pgsizes: bitmap of the IOMMU page sizes the PE supports (bit n: 1 << n)
 * @max_windows: number of DMA windows the PE can hold at once
 * @max_levels: deepest TCE table the PE can walk (1 = a flat table)
 */
struct pnv_ddw_caps {
	u64 tce32_start;
	u64 tce32_size;
	u64 pgsizes;
	u32 max_windows;
	u32 max_levels;
};

/**
 * struct pnv_ddw_geometry - the shape of one DMA window's TCE table
 * @page_shift: log2 of the IOMMU page size
 * @levels: number of table levels, 1..5
 * @window_shift: log2 of the window size
 * @entries_shift: log2 of @entries
 * @entries: TCEs the window needs: window size / IOMMU page size
 * @level_bits: entry index bits each level resolves
 * @level_entries: TCEs in one level: 2^@level_bits
 * @level_bytes: bytes of one level; also the TVE's table size
 * @cover_shift: log2 of the bus range the table can translate (>= window)
 * @max_table_bytes: bytes of the table with every level of the window
 *	populated: what a mapping of the whole window costs
 * @top_bytes: bytes allocated when the table is created (its top level)
 */
struct pnv_ddw_geometry {
	u32 page_shift;
	u32 levels;
	u32 window_shift;
	u32 entries_shift;
	u64 entries;
	u32 level_bits;
	u64 level_entries;
	u64 level_bytes;
	u32 cover_shift;
	u64 max_table_bytes;
	u64 top_bytes;
};

/**
 * struct pnv_ddw_table_info - what a table is and holds
 * @bus_start: bus address of the window's first byte
 * @window_size: bytes of bus address space the window covers
 * @page_shift: log2 of the IOMMU page size
 * @levels: table levels
 * @entries: TCEs in the window
 * @table_bytes: bytes of hardware table allocated now
 * @shadow_bytes: bytes of userspace-address shadow allocated now
 */
struct pnv_ddw_table_info {
	u64 bus_start;
	u64 window_size;
	u32 page_shift;
	u32 levels;
	u64 entries;
	u64 table_bytes;
	u64 shadow_bytes;
};

/*
 * pnv_ddw_table_create() flags: what an entry holds besides its translation,
 * given back by whoever clears the entry (the owner, or KVM through the
 * table's ops) and, for what is left, by the table's last reference.
 */
/*
 * v2: the userspace address mapped, in a shadow of the table's shape; the
 * page is pre-registered memory of the table's mm, counted in its region
 */
#define PNV_DDW_TABLE_SHADOW	BIT(0)
/* v1: one pin on the page, taken by whoever set the entry */
#define PNV_DDW_TABLE_PINNED	BIT(1)

struct iommu_table_group *pnv_ddw_table_group(struct iommu_group *grp);
int pnv_ddw_geometry_init(struct pnv_ddw_geometry *geo,
			  const struct pnv_ddw_caps *caps, u32 page_shift,
			  u64 window_size, u32 levels);

int pnv_ddw_own(struct iommu_table_group *table_group);
void pnv_ddw_disown(struct iommu_table_group *table_group);

struct pnv_ddw_table *pnv_ddw_table_create(struct iommu_table_group *table_group,
					   int num, u32 page_shift,
					   u64 window_size, u32 levels,
					   unsigned int flags,
					   struct mm_struct *mm);
void pnv_ddw_table_put(struct pnv_ddw_table *table);
void pnv_ddw_table_retire(struct pnv_ddw_table *table);
u64 pnv_ddw_table_entries_used(struct pnv_ddw_table *table);
u64 pnv_ddw_table_user_entries(struct pnv_ddw_table *table, u64 ua, u64 size);
void pnv_ddw_table_info(struct pnv_ddw_table *table,
			struct pnv_ddw_table_info *info);
int pnv_ddw_window_set(struct iommu_table_group *table_group, int num,
		       struct pnv_ddw_table *table);
void pnv_ddw_window_unset(struct iommu_table_group *table_group, int num);

int pnv_ddw_tce_xchg(struct pnv_ddw_table *table, u64 idx, unsigned long *hpa,
		     enum dma_data_direction *dir);
int pnv_ddw_tce_get(struct pnv_ddw_table *table, u64 idx, unsigned long *hpa,
		    enum dma_data_direction *dir);
void pnv_ddw_tce_clear(struct pnv_ddw_table *table, u64 idx, u64 npages);
bool pnv_ddw_tce_range_free(struct pnv_ddw_table *table, u64 idx, u64 npages);
u64 pnv_ddw_tce_unmap(struct pnv_ddw_table *table, u64 idx, u64 npages);

/**
 * typedef pnv_ddw_mem_lookup_t - where pnv_ddw_tce_map_user() finds memory
 * @arg: the caller's
 * @ua: the address of a page to map
 * @pages: in: pages wanted from @ua; out: how many of them, at least 1, the
 *	region holds
 * @mem: out: the mm_iommu region holding the page at @ua
 *
 * Called between runs of entries, not under a lock of the table; may
 * sleep.  The region must stay registered until pnv_ddw_tce_map_user()
 * returns: it is used without a reference of its own.  The lookup answers
 * 0, or -EFAULT if no region holds the page.
 */
typedef int (*pnv_ddw_mem_lookup_t)(void *arg, u64 ua, u64 *pages,
				    struct mm_iommu_table_group_mem_t **mem);
int pnv_ddw_tce_map_user(struct pnv_ddw_table *table, u64 idx, u64 npages,
			 u64 ua, pnv_ddw_mem_lookup_t lookup, void *arg,
			 enum dma_data_direction dir, u64 *done);
void pnv_ddw_tce_kill(struct pnv_ddw_table *table, u64 idx, u64 npages);
__be64 *pnv_ddw_tce_useraddr(struct pnv_ddw_table *table, u64 idx, bool alloc);
void pnv_ddw_get_caps(const struct iommu_table_group *table_group,
		      struct pnv_ddw_caps *caps);
struct dentry *pnv_ddw_debugfs_dir(void);

#endif /* _PNV_IODA2_DDW_H */
