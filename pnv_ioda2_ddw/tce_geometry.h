/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Geometry of an IODA2 TCE table: how a DMA window of 2^window_shift bytes
 * in IOMMU pages of 2^page_shift bytes is translated through 1..5 levels.
 *
 * The hardware (the PE's TVE) knows the top level's address, the number of
 * levels, the size of a level (the same for every level) and the IOMMU page
 * size.  An entry index is split into level_bits-wide fields, the top level
 * taking the most significant one; a hardware walk ORs a field, shifted by
 * the entry size, into a level's address, so levels are naturally aligned.
 */
#ifndef _PNV_DDW_TCE_GEOMETRY_H
#define _PNV_DDW_TCE_GEOMETRY_H

#include <linux/kernel.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/types.h>

#include <pnv_ioda2_ddw.h>

/* ilog2(sizeof(__be64)): one TCE */
#define IODA2_TCE_SHIFT			3
/* The TVE's smallest table size: 4 KiB, i.e. 512 TCEs */
#define IODA2_MIN_LEVEL_BITS		(12 - IODA2_TCE_SHIFT)
/* The TVE's "number of levels" field holds 0..4 */
#define IODA2_MAX_LEVELS		5
/*
 * The largest bus range a table may index, in address bits: the platform's
 * allocator refuses 55 and more, and QEMU's sPAPR code describes DMA address
 * bits from 55 up as reserved in the existing hardware.  (Bit 59 selects the
 * PE's second window; a table indexing it would be walked wrongly.)
 */
#define IODA2_MAX_COVER_SHIFT		54

static inline u32 ddw_entries_shift(u32 window_shift, u32 page_shift)
{
	return window_shift - page_shift;
}

/* Index bits one level resolves: the levels share the entry index evenly. */
static inline u32 ddw_level_bits(u32 entries_shift, u32 levels)
{
	return max_t(u32, DIV_ROUND_UP(entries_shift, levels),
		     IODA2_MIN_LEVEL_BITS);
}

static inline u32 ddw_level_shift(u32 level_bits)
{
	return level_bits + IODA2_TCE_SHIFT;
}

/* log2 of the bus address range the table can translate */
static inline u32 ddw_cover_shift(u32 level_bits, u32 levels, u32 page_shift)
{
	return level_bits * levels + page_shift;
}

/* Entry index bits below the field of level @level (0 is the top). */
static inline u32 ddw_level_index_shift(const struct pnv_ddw_geometry *geo,
					u32 level)
{
	return geo->level_bits * (geo->levels - 1 - level);
}

/* The field of entry @idx that indexes level @level (0 is the top). */
static inline u64 ddw_level_index(const struct pnv_ddw_geometry *geo, u64 idx,
				  u32 level)
{
	return (idx >> ddw_level_index_shift(geo, level)) &
	       (geo->level_entries - 1);
}

/* How many level tables at depth @level a fully populated window needs. */
static inline u64 ddw_tables_at_level(const struct pnv_ddw_geometry *geo,
				      u32 level)
{
	u32 shift = ddw_level_index_shift(geo, level) + geo->level_bits;

	if (shift >= geo->entries_shift)
		return 1;
	return geo->entries >> shift;
}

/*
 * The bytes a table needs to hold entries [0, @n) (a contiguous mapping at
 * the start of the window): the top level plus, at each depth, the levels
 * the range reaches.
 */
static inline u64 ddw_bytes_for_entries(const struct pnv_ddw_geometry *geo,
					u64 n)
{
	u64 bytes = 0;
	u32 level;

	for (level = 0; level < geo->levels; level++) {
		u32 shift = ddw_level_index_shift(geo, level) + geo->level_bits;

		/* Levels at this depth: n / 2^shift, rounded up. */
		bytes += (level ? (n + (1ULL << shift) - 1) >> shift : 1) *
			 geo->level_bytes;
	}
	return bytes;
}

int ddw_geometry_init(struct pnv_ddw_geometry *geo, u32 page_shift,
		      u64 window_size, u32 levels, u32 max_levels,
		      u32 max_level_shift);

#endif /* _PNV_DDW_TCE_GEOMETRY_H */
