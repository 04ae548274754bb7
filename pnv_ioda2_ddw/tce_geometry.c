// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one place that turns (page size, window size, levels) into a table
 * geometry; the size query and the allocator both use it.
 */
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <kunit/visibility.h>

#include "compat_mm.h"
#include "tce_geometry.h"

/**
 * ddw_geometry_init() - compute a table geometry, or say why there is none
 * @geo: filled in on success
 * @page_shift: log2 of the IOMMU page size
 * @window_size: bytes of bus address space, a power of two
 * @levels: 1..@max_levels
 * @max_levels: deepest table the caller allows (at most IODA2_MAX_LEVELS)
 * @max_level_shift: log2 of the largest level the allocator can give
 *
 * Return: 0; -EINVAL for a window that is not a power of two, smaller than
 * one minimum level of pages (512) or beyond what the bus address space or
 * @levels can cover, or for 0 or too many levels; -E2BIG when a level would
 * be larger than the allocator can give (more levels would do).
 */
int ddw_geometry_init(struct pnv_ddw_geometry *geo, u32 page_shift,
		      u64 window_size, u32 levels, u32 max_levels,
		      u32 max_level_shift)
{
	u32 window_shift, entries_shift, level_bits, level;

	if (!levels || levels > min_t(u32, max_levels, IODA2_MAX_LEVELS))
		return -EINVAL;
	if (!window_size || !is_power_of_2(window_size) || !page_shift ||
	    page_shift >= BITS_PER_TYPE(u64))
		return -EINVAL;
	window_shift = ilog2(window_size);
	if (window_shift < page_shift + IODA2_MIN_LEVEL_BITS)
		return -EINVAL;
	entries_shift = ddw_entries_shift(window_shift, page_shift);
	level_bits = ddw_level_bits(entries_shift, levels);
	if (ddw_cover_shift(level_bits, levels, page_shift) > IODA2_MAX_COVER_SHIFT)
		return -EINVAL;
	if (ddw_level_shift(level_bits) > max_level_shift)
		return -E2BIG;

	geo->page_shift = page_shift;
	geo->levels = levels;
	geo->window_shift = window_shift;
	geo->entries_shift = entries_shift;
	geo->entries = 1ULL << entries_shift;
	geo->level_bits = level_bits;
	geo->level_entries = 1ULL << level_bits;
	geo->level_bytes = 1ULL << ddw_level_shift(level_bits);
	geo->cover_shift = ddw_cover_shift(level_bits, levels, page_shift);
	geo->top_bytes = geo->level_bytes;
	geo->max_table_bytes = 0;
	for (level = 0; level < levels; level++)
		geo->max_table_bytes += ddw_tables_at_level(geo, level) *
					geo->level_bytes;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ddw_geometry_init);

/* The largest block the page allocator gives, for a level. */
static u32 ddw_max_level_shift(void)
{
	return PAGE_SHIFT + COMPAT_MAX_PAGE_ORDER;
}

/**
 * pnv_ddw_geometry_init() - the geometry of a window a PE can take
 * @geo: filled in on success
 * @caps: the PE's capabilities, from pnv_ddw_get_caps()
 * @page_shift: log2 of the IOMMU page size; one of @caps->pgsizes
 * @window_size: bytes, a power of two
 * @levels: 1..@caps->max_levels
 *
 * Use it to know a table's size before creating it (e.g. to charge
 * locked_vm for @geo->max_table_bytes): pnv_ddw_table_create() computes
 * the same geometry.
 *
 * Return: 0, -EINVAL (page size the PE does not offer, or a window or
 * level count the hardware cannot take) or -E2BIG (a level would be larger
 * than the page allocator can give: use more levels).
 */
int pnv_ddw_geometry_init(struct pnv_ddw_geometry *geo,
			  const struct pnv_ddw_caps *caps, u32 page_shift,
			  u64 window_size, u32 levels)
{
	if (page_shift >= BITS_PER_TYPE(caps->pgsizes) ||
	    !(caps->pgsizes & BIT_ULL(page_shift)))
		return -EINVAL;
	return ddw_geometry_init(geo, page_shift, window_size, levels,
				 caps->max_levels, ddw_max_level_shift());
}
EXPORT_SYMBOL_GPL(pnv_ddw_geometry_init);
