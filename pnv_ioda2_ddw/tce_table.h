/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _PNV_DDW_TCE_TABLE_H
#define _PNV_DDW_TCE_TABLE_H

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/gfp.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <asm/iommu.h>
#include <asm/tce.h>

#include <pnv_ioda2_ddw.h>

/* Permission bits of a TCE, as the PHB reads them (asm/tce.h) */
#define IODA2_TCE_PERM		(TCE_PCI_READ | TCE_PCI_WRITE)
/* An indirect TCE points to the next level and has both bits set */
#define IODA2_TCE_INDIRECT	(TCE_PCI_READ | TCE_PCI_WRITE)

/*
 * Entries changed under one hold of a table's entry lock, in runs that end
 * where it divides the window index: KVM's H_PUT_TCE on the same table
 * waits for at most that many.  The walks yield every 512 entries, at run
 * ends.
 */
#define DDW_LOCKED_RUN	64
static_assert(!(DDW_LOCKED_RUN & (DDW_LOCKED_RUN - 1)) && 512 % DDW_LOCKED_RUN == 0);

/**
 * struct pnv_ddw_table - a TCE table in the IODA2 format, and its shadow
 * @tbl: what the platform and the IOMMU core see; first, because they free
 *	it with kfree() once its last reference goes (after @tbl.it_ops->free)
 * @geo: its geometry
 * @hw_top: top level of the table the PHB walks (@tbl.it_base)
 * @shadow_top: top level of the userspace-address shadow, or NULL
 * @hw_bytes: bytes of levels allocated for @hw_top
 * @shadow_bytes: bytes of levels allocated for @shadow_top
 * @flags: PNV_DDW_TABLE_*: what an entry holds besides its translation
 * @mm: with PNV_DDW_TABLE_SHADOW, the process whose pre-registered memory
 *	(mm_iommu regions) the shadow's addresses are in; grabbed
 * @retired: the owner has let go of the window: no new mapping through
 *	the table ops (KVM), see pnv_ddw_table_retire()
 * @reaper: allocated with the table, for its end (window.c)
 * @entry_lock: keeps an entry and its shadow together while they change;
 *	a leaf lock, taken with nothing that sleeps, for one entry or a run
 *	of at most DDW_LOCKED_RUN in a leaf
 *
 * Indirect levels are allocated when an entry under them is first set, on
 * @tbl.it_nid, and installed with cmpxchg: of two CPUs racing to fill the
 * same slot, the loser frees its level.
 *
 * The table is the only record of what is mapped: its owner (a VFIO
 * container) and KVM's in-kernel TCE path both write it, so whatever an
 * entry holds (a pin, a count on a pre-registered region) is given back by
 * whoever clears the entry, and by the last reference for what is left.
 */
struct pnv_ddw_table {
	struct iommu_table tbl;
	struct pnv_ddw_geometry geo;
	__be64 *hw_top;
	__be64 *shadow_top;
	atomic64_t hw_bytes;
	atomic64_t shadow_bytes;
	unsigned int flags;
	struct mm_struct *mm;
	bool retired;
	struct ddw_table_reaper *reaper;
	spinlock_t entry_lock;	/* see above */
};

/*
 * An entry changed under the entry lock: its index, what it held and the
 * address its shadow named (0 if none), both to be given back.
 */
struct ddw_tce_taken {
	u64 idx;
	__be64 tce;
	u64 ua;
};

/*
 * What KVM's map leaves in an entry's shadow until it stores the address
 * there itself, unlocked, after the table's xchg_no_kill op returned
 * (kvmppc_tce_iommu_do_map()); no address (they are page aligned).
 */
#define DDW_UA_KVM_PENDING	1ULL

static inline struct pnv_ddw_table *to_ddw_table(struct iommu_table *tbl)
{
	return container_of(tbl, struct pnv_ddw_table, tbl);
}

/*
 * Write access always comes with read, as the platform's own TCE writers
 * (pnv_tce_build(), pnv_tce_xchg()) have done since the first PowerNV
 * code: the kernel never hands a PHB a write-only TCE, so neither do we.
 */
static inline __be64 ddw_tce_encode(unsigned long hpa,
				    enum dma_data_direction dir)
{
	u64 perm = dir == DMA_BIDIRECTIONAL || dir == DMA_FROM_DEVICE ?
		   TCE_PCI_READ | TCE_PCI_WRITE :
		   dir == DMA_TO_DEVICE ? TCE_PCI_READ : 0;

	return perm ? cpu_to_be64(hpa | perm) : 0;
}

/* The level an indirect TCE points to. */
static inline __be64 *ddw_indirect_target(__be64 tce)
{
	return __va(be64_to_cpu(tce) & ~(u64)IODA2_TCE_PERM);
}

static inline unsigned long ddw_tce_hpa(__be64 tce)
{
	return be64_to_cpu(tce) & ~(u64)IODA2_TCE_PERM;
}

static inline enum dma_data_direction ddw_tce_dir(__be64 tce)
{
	switch (be64_to_cpu(tce) & IODA2_TCE_PERM) {
	case TCE_PCI_READ | TCE_PCI_WRITE:
		return DMA_BIDIRECTIONAL;
	case TCE_PCI_READ:
		return DMA_TO_DEVICE;
	case TCE_PCI_WRITE:
		return DMA_FROM_DEVICE;
	default:
		return DMA_NONE;
	}
}

int ddw_table_init(struct pnv_ddw_table *table,
		   const struct pnv_ddw_geometry *geo, int nid, bool shadow);
void ddw_table_free_levels(struct pnv_ddw_table *table);
long ddw_levels_live(void);
__be64 *ddw_table_next_slot(struct pnv_ddw_table *table, __be64 *top, u64 *idx,
			    u64 end, bool may_sleep);
int ddw_entry_set(struct pnv_ddw_table *table, u64 idx, __be64 tce, u64 ua,
		  gfp_t gfp, bool only_if_empty, struct ddw_tce_taken *old);
int ddw_entry_clear(struct pnv_ddw_table *table, u64 idx, struct ddw_tce_taken *old);
int ddw_entry_swap(struct pnv_ddw_table *table, __be64 *hw, __be64 *shadow,
		   __be64 tce, u64 ua, bool only_if_empty, struct ddw_tce_taken *old);
int ddw_entry_swap_locked(struct pnv_ddw_table *table, __be64 *hw, __be64 *shadow,
			  __be64 tce, u64 ua, bool only_if_empty, struct ddw_tce_taken *old)
	__must_hold(&table->entry_lock);
long ddw_entry_leaf(struct pnv_ddw_table *table, u64 idx, gfp_t gfp,
		    __be64 **hw, __be64 **shadow);
__be64 *ddw_entry_prepare(struct pnv_ddw_table *table, u64 idx, gfp_t gfp);
unsigned int ddw_table_take(struct pnv_ddw_table *table, u64 *idx, u64 end,
			    struct ddw_tce_taken *taken, unsigned int max,
			    bool may_sleep);

__be64 *ddw_table_slot(struct pnv_ddw_table *table, __be64 *top,
		       atomic64_t *bytes, u64 idx, gfp_t gfp);

#endif /* _PNV_DDW_TCE_TABLE_H */
