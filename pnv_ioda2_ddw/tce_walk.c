// SPDX-License-Identifier: GPL-2.0-only
/*
 * Walks over ranges of a TCE table that visit only the levels that exist:
 * a sparse table's walk costs what it holds, not the window's size.
 */
#include <linux/export.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <kunit/visibility.h>

#include <pnv_ioda2_ddw.h>
#include "tce_geometry.h"
#include "tce_table.h"

/*
 * Entries read straight through between yields (ddw_table_next_slot()
 * yields where a chunk starts): 32 KiB of a leaf.
 */
#define DDW_SCAN_ENTRIES	4096

/*
 * Where the run of slots from an existing one at @idx ends: at @end, the
 * window's end, the leaf's end or the chunk's end.
 */
static u64 scan_stop(const struct pnv_ddw_geometry *geo, u64 idx, u64 end)
{
	end = min(end, geo->entries);
	return min3(end, (idx | (geo->level_entries - 1)) + 1,
		    (idx | (DDW_SCAN_ENTRIES - 1)) + 1);
}

/*
 * How many of the @n slots from @a (and from @b, if not NULL) are empty
 * before the first one that is not, or @n.  Each slot is read once, with
 * READ_ONCE(): KVM may clear one meanwhile, and a scan must not report as
 * empty a run holding a slot it saw in use (memchr_inv() reads a word
 * twice).  The caller reads the slot it stops at again, under the lock.
 */
static u64 empty_run(const __be64 *a, const __be64 *b, u64 n)
{
	u64 i;

	for (i = 0; i < n; i++)
		if (READ_ONCE(a[i]) || (b && READ_ONCE(b[i])))
			break;
	return i;
}

/**
 * ddw_table_next_slot() - the first existing slot at or after an index
 * @table: the table
 * @top: @table->hw_top or @table->shadow_top
 * @idx: in: where to start; out: the slot's index, or @end if none
 * @end: where to stop, at most the window's entries
 * @may_sleep: yield between leaf levels (not from atomic context)
 *
 * Only levels that exist are visited: a sparse table's walk costs what it
 * holds, not the window's size.
 *
 * Return: the slot of entry *@idx, or NULL when no level below @end exists.
 */
__be64 *ddw_table_next_slot(struct pnv_ddw_table *table, __be64 *top, u64 *idx,
			    u64 end, bool may_sleep)
{
	const struct pnv_ddw_geometry *geo = &table->geo;

	end = min(end, geo->entries);
	while (*idx < end) {
		__be64 *level = top;
		u32 depth;

		/* Every 512 entries: a one-level table's leaf is the window. */
		if (may_sleep && !(*idx & 511))
			cond_resched();
		for (depth = 0; depth + 1 < geo->levels; depth++) {
			__be64 tce = READ_ONCE(level[ddw_level_index(geo, *idx, depth)]);

			if (!tce)
				break;
			level = ddw_indirect_target(tce);
		}
		if (depth + 1 == geo->levels)
			return &level[ddw_level_index(geo, *idx, depth)];
		/* Past everything the missing level would have held. */
		*idx = (*idx | ((1ULL << ddw_level_index_shift(geo, depth)) - 1)) + 1;
	}
	*idx = end;
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(ddw_table_next_slot);

/**
 * pnv_ddw_tce_range_free() - is no entry of a range in use?
 * @table: the table
 * @idx: first entry
 * @npages: number of entries; the range is clipped to the window
 *
 * Before a map that must change nothing if it cannot map everything: it
 * allocates nothing.  Only levels that exist are visited, each leaf read
 * a word at a time.  Yields between chunks.  Sleeps.
 *
 * Return: true if every entry of the range is empty.
 */
bool pnv_ddw_tce_range_free(struct pnv_ddw_table *table, u64 idx, u64 npages)
{
	const struct pnv_ddw_geometry *geo = &table->geo;
	u64 end = idx + min(npages, geo->entries - min(idx, geo->entries));
	__be64 *slot;

	while ((slot = ddw_table_next_slot(table, table->hw_top, &idx, end, true))) {
		u64 stop = scan_stop(geo, idx, end);

		if (empty_run(slot, NULL, stop - idx) < stop - idx)
			return false;
		idx = stop;
	}
	return true;
}
EXPORT_SYMBOL_GPL(pnv_ddw_tce_range_free);

/**
 * ddw_table_take() - clear the next entries in use, without invalidating
 * @table: the table
 * @idx: in: where to start; out: where to go on
 * @end: the end of the range, exclusive
 * @taken: out: the entries cleared and what they and their shadow held, in
 *	index order
 * @max: room in @taken
 * @may_sleep: yield between leaf levels
 *
 * Empty entries are skipped a word at a time; entries in use are taken in
 * runs under one hold of the entry lock, ending where DDW_LOCKED_RUN
 * divides the index.  The caller invalidates the TCE caches for what was
 * taken, then gives back what the entries held.
 *
 * Return: the number of entries taken; 0 when none is left before @end.
 */
unsigned int ddw_table_take(struct pnv_ddw_table *table, u64 *idx, u64 end,
			    struct ddw_tce_taken *taken, unsigned int max,
			    bool may_sleep)
{
	const struct pnv_ddw_geometry *geo = &table->geo;
	__be64 *slot, *shadow_leaf = NULL;
	u64 leaf = U64_MAX;
	unsigned int n = 0;

	while (n < max &&
	       (slot = ddw_table_next_slot(table, table->hw_top, idx, end, may_sleep))) {
		u64 stop = scan_stop(geo, *idx, end), skip;
		__be64 *shadow = NULL;

		/*
		 * Every entry ever set has its levels, hardware and shadow:
		 * a shadow address beside an empty entry is taken too.  The
		 * shadow's leaf is walked to once.
		 */
		if (table->shadow_top && *idx >> geo->level_bits != leaf) {
			leaf = *idx >> geo->level_bits;
			shadow_leaf = ddw_table_slot(table, table->shadow_top,
						     &table->shadow_bytes, *idx, 0);
			if (shadow_leaf)
				shadow_leaf -= *idx & (geo->level_entries - 1);
		}
		if (shadow_leaf)
			shadow = shadow_leaf + (*idx & (geo->level_entries - 1));
		/* Past empty entries, a word at a time: tables go whole. */
		skip = empty_run(slot, shadow, stop - *idx);
		*idx += skip;
		if (*idx == stop)
			continue;
		slot += skip;
		if (shadow)
			shadow += skip;
		/*
		 * The run of entries in use from here, under one hold, ending
		 * where DDW_LOCKED_RUN divides the index: next_slot() yields.
		 */
		stop = min(stop, (*idx | (DDW_LOCKED_RUN - 1)) + 1);
		spin_lock(&table->entry_lock);
		while (*idx < stop && n < max) {
			if (!READ_ONCE(*slot) && !(shadow && READ_ONCE(*shadow))) {
				/* Cleared since the scan: step over it. */
				(*idx)++;
				break;
			}
			ddw_entry_swap_locked(table, slot, shadow, 0, 0, false, &taken[n]);
			taken[n].idx = *idx;
			n += taken[n].tce || taken[n].ua;
			(*idx)++;
			slot++;
			if (shadow)
				shadow++;
		}
		spin_unlock(&table->entry_lock);
	}
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(ddw_table_take);

/**
 * pnv_ddw_tce_clear() - clear a range of TCEs, without invalidating
 * @table: the table
 * @idx: first entry
 * @npages: number of entries; the range is clipped to the window
 *
 * For tables whose entries hold nothing else (no PNV_DDW_TABLE_* flag);
 * pnv_ddw_tce_unmap() gives back pins and counts.  Levels are kept: the
 * next mapping in the range reuses them.
 */
void pnv_ddw_tce_clear(struct pnv_ddw_table *table, u64 idx, u64 npages)
{
	u64 end = idx + min(npages, table->geo.entries - min(idx, table->geo.entries));
	__be64 *slot;

	while ((slot = ddw_table_next_slot(table, table->hw_top, &idx, end, true))) {
		u64 stop = scan_stop(&table->geo, idx, end);

		for (; idx < stop; idx++, slot++)
			WRITE_ONCE(*slot, 0);
	}
}
EXPORT_SYMBOL_GPL(pnv_ddw_tce_clear);

/**
 * pnv_ddw_table_entries_used() - how many entries map something now
 * @table: the table
 *
 * Counted from the table, whoever wrote it.  Sleeps.
 *
 * Return: the number of entries in use.
 */
u64 pnv_ddw_table_entries_used(struct pnv_ddw_table *table)
{
	__be64 *slot;
	u64 idx = 0, n = 0;

	while ((slot = ddw_table_next_slot(table, table->hw_top, &idx, U64_MAX, true))) {
		u64 stop = scan_stop(&table->geo, idx, U64_MAX);

		for (; idx < stop; idx++, slot++)
			n += !!READ_ONCE(*slot);
	}
	return n;
}
EXPORT_SYMBOL_GPL(pnv_ddw_table_entries_used);

/**
 * pnv_ddw_table_user_entries() - entries whose shadow holds an address in
 *	[@ua, @ua + @size)
 * @table: a table with a shadow (else 0)
 * @ua: userspace address
 * @size: bytes
 *
 * Sleeps.
 *
 * Return: the number of such entries.
 */
u64 pnv_ddw_table_user_entries(struct pnv_ddw_table *table, u64 ua, u64 size)
{
	__be64 *slot;
	u64 idx = 0, n = 0;

	if (!table->shadow_top)
		return 0;
	while ((slot = ddw_table_next_slot(table, table->shadow_top, &idx,
					   U64_MAX, true))) {
		u64 stop = scan_stop(&table->geo, idx, U64_MAX);

		for (; idx < stop; idx++, slot++) {
			u64 v = be64_to_cpu(READ_ONCE(*slot));

			n += v && v != DDW_UA_KVM_PENDING && v >= ua && v - ua < size;
		}
	}
	return n;
}
EXPORT_SYMBOL_GPL(pnv_ddw_table_user_entries);
