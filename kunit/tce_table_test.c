// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the IODA2 TCE format and the table engine on real kernel memory,
 * read back by a walker written from the hardware format, not the engine's.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/slab.h>

#include "tce_geometry.h"
#include "tce_table.h"

struct tce_row {
	const char *name;
	unsigned long hpa;
	enum dma_data_direction dir;
	u8 bytes[8];		/* the TCE as it sits in memory */
	enum dma_data_direction read_back;	/* what the TCE says */
};

static const struct tce_row tce_rows[] = {
	{ "bidirectional", 0x12340000UL, DMA_BIDIRECTIONAL,
	  { 0, 0, 0, 0, 0x12, 0x34, 0x00, 0x03 }, DMA_BIDIRECTIONAL },
	{ "to_device_is_read", 0x12340000UL, DMA_TO_DEVICE,
	  { 0, 0, 0, 0, 0x12, 0x34, 0x00, 0x01 }, DMA_TO_DEVICE },
	/* Write always with read, as pnv_tce_build() and pnv_tce_xchg() do. */
	{ "from_device_is_read_write", 0x12340000UL, DMA_FROM_DEVICE,
	  { 0, 0, 0, 0, 0x12, 0x34, 0x00, 0x03 }, DMA_BIDIRECTIONAL },
	{ "none_is_empty", 0x12340000UL, DMA_NONE, { 0 }, DMA_NONE },
	{ "high_address", 0x0003fedcba987000UL, DMA_BIDIRECTIONAL,
	  { 0x00, 0x03, 0xfe, 0xdc, 0xba, 0x98, 0x70, 0x03 }, DMA_BIDIRECTIONAL },
};

static void tce_row_desc(const struct tce_row *row, char *desc)
{
	strscpy(desc, row->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(tce_rows, tce_rows, tce_row_desc);

static void tce_encoding_test(struct kunit *test)
{
	const struct tce_row *row = test->param_value;
	__be64 tce = ddw_tce_encode(row->hpa, row->dir);
	const u8 *mem = (const u8 *)&tce;
	int i;

	for (i = 0; i < sizeof(tce); i++)
		KUNIT_EXPECT_EQ_MSG(test, mem[i], row->bytes[i], "byte %d", i);
	KUNIT_EXPECT_EQ(test, ddw_tce_dir(tce), row->read_back);
	KUNIT_EXPECT_EQ(test, ddw_tce_hpa(tce), row->dir == DMA_NONE ? 0 : row->hpa);
}

/*
 * A walk as the PHB does it: the top level's address, then at each level
 * the index field picks a big-endian TCE; an indirect one must allow read
 * or write and its bits from 12 up address the next level.
 */
static u64 hw_walk(const struct pnv_ddw_geometry *geo, const __be64 *top, u64 idx)
{
	const u64 mask = (1ULL << geo->level_bits) - 1;
	const __be64 *level = top;
	u32 depth;

	for (depth = 0; ; depth++) {
		u32 shift = geo->level_bits * (geo->levels - 1 - depth);
		u64 tce = be64_to_cpu(level[(idx >> shift) & mask]);

		if (depth == geo->levels - 1)
			return tce;
		if (!(tce & 3))
			return 0;
		level = phys_to_virt(tce & ~0xfffULL);
	}
}

struct engine_row {
	const char *name;
	u32 page_shift, window_shift, levels;
	u64 first, stride, count;	/* entries set, plus the window's last */
};

static const struct engine_row engine_rows[] = {
	{ "1_level_every_entry", 12, 21, 1, 0, 1, 511 },
	{ "1_level_64K_sparse", 16, 31, 1, 3, 1001, 30 },
	{ "1_level_scan_chunk_edges", 16, 31, 1, 4094, 1, 4 },
	{ "1_level_far_from_the_start", 16, 31, 1, 20000, 4096, 3 },
	{ "2_levels_one_per_leaf", 16, 40, 2, 5, 4096, 64 },
	{ "2_levels_dense_run", 16, 40, 2, 4090, 1, 20 },
	{ "3_levels_sparse", 16, 40, 3, 0, 262143, 64 },
	{ "3_levels_leaf_edges", 16, 40, 3, 511, 1, 3 },
	{ "4_levels_sparse", 12, 48, 4, 7, 0x10000001ULL, 40 },
	{ "4_levels_far_apart", 12, 48, 4, 1, 0x100000001ULL, 15 },
	{ "16M_pages_2_levels", 24, 48, 2, 0, 777, 100 },
	{ "256M_pages_2_levels", 28, 50, 2, 2, 12345, 50 },
};

static void engine_row_desc(const struct engine_row *row, char *desc)
{
	strscpy(desc, row->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(engine_rows, engine_rows, engine_row_desc);

static u64 row_index(const struct engine_row *row, const struct pnv_ddw_geometry *geo,
		     u64 i)
{
	return i < row->count ? row->first + i * row->stride : geo->entries - 1;
}

static unsigned long test_hpa(const struct pnv_ddw_geometry *geo, u64 idx)
{
	return (unsigned long)((idx % 0xfffff) + 1) << geo->page_shift;
}

static enum dma_data_direction test_dir(u64 idx)
{
	static const enum dma_data_direction dirs[] = {
		DMA_BIDIRECTIONAL, DMA_TO_DEVICE, DMA_FROM_DEVICE
	};

	return dirs[idx % ARRAY_SIZE(dirs)];
}

/* What an entry set with test_dir() reads back: write comes with read. */
static enum dma_data_direction test_dir_read_back(u64 idx)
{
	return test_dir(idx) == DMA_FROM_DEVICE ? DMA_BIDIRECTIONAL : test_dir(idx);
}

/* Levels a set of increasing indexes needs, counted from the format. */
static u64 expected_levels(const struct pnv_ddw_geometry *geo, const u64 *idx,
			   u64 n)
{
	u64 levels = 1, i;
	u32 depth;

	for (depth = 1; depth < geo->levels; depth++) {
		u32 shift = geo->level_bits * (geo->levels - depth);

		for (i = 0; i < n; i++)
			if (!i || idx[i] >> shift != idx[i - 1] >> shift)
				levels++;
	}
	return levels;
}

/* The table of @row with a shadow, its top levels allocated. */
static struct pnv_ddw_table *row_table(struct kunit *test, const struct engine_row *row,
				       struct pnv_ddw_geometry *geo)
{
	struct pnv_ddw_table *t;

	KUNIT_ASSERT_EQ(test, ddw_geometry_init(geo, row->page_shift,
						1ULL << row->window_shift, row->levels,
						IODA2_MAX_LEVELS, 24), 0);
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, ddw_table_init(t, geo, NUMA_NO_NODE, true), 0);
	return t;
}

static void engine_test(struct kunit *test)
{
	const struct engine_row *row = test->param_value;
	long live = ddw_levels_live();
	struct pnv_ddw_geometry geo;
	struct pnv_ddw_table *t;
	u64 i, levels, *idx;

	t = row_table(test, row, &geo);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->hw_bytes), geo.top_bytes);

	for (i = 0; i <= row->count; i++) {
		u64 idx = row_index(row, &geo, i);
		unsigned long hpa = test_hpa(&geo, idx);
		enum dma_data_direction dir = test_dir(idx);
		__be64 *ua;

		KUNIT_ASSERT_EQ(test, pnv_ddw_tce_xchg(t, idx, &hpa, &dir), 0);
		KUNIT_EXPECT_EQ(test, hpa, 0UL);
		KUNIT_EXPECT_EQ(test, dir, DMA_NONE);
		ua = pnv_ddw_tce_useraddr(t, idx, true);
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(ua));
		*ua = cpu_to_be64(0x7fff00000000ULL + idx);
	}

	idx = kunit_kcalloc(test, row->count + 1, sizeof(*idx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, idx);
	for (i = 0; i <= row->count; i++)
		idx[i] = row_index(row, &geo, i);
	levels = expected_levels(&geo, idx, row->count + 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->hw_bytes), levels * geo.level_bytes);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->shadow_bytes), levels * geo.level_bytes);
	KUNIT_EXPECT_EQ(test, ddw_levels_live() - live, (long)(2 * levels));
	KUNIT_EXPECT_LE(test, (u64)atomic64_read(&t->hw_bytes), geo.max_table_bytes);

	for (i = 0; i <= row->count; i++) {
		u64 idx = row_index(row, &geo, i);
		enum dma_data_direction dir;
		unsigned long hpa;

		KUNIT_EXPECT_EQ(test, hw_walk(&geo, t->hw_top, idx),
				be64_to_cpu(ddw_tce_encode(test_hpa(&geo, idx),
							   test_dir(idx))));
		KUNIT_EXPECT_EQ(test, hw_walk(&geo, t->shadow_top, idx),
				0x7fff00000000ULL + idx);
		KUNIT_EXPECT_EQ(test, pnv_ddw_tce_get(t, idx, &hpa, &dir), 0);
		KUNIT_EXPECT_EQ(test, hpa, test_hpa(&geo, idx));
		KUNIT_EXPECT_EQ(test, dir, test_dir_read_back(idx));
	}
	/* Entries beside the pattern stay empty. */
	if (row->stride > 1 && row->first + 1 < geo.entries)
		KUNIT_EXPECT_EQ(test, hw_walk(&geo, t->hw_top, row->first + 1), 0ULL);

	/* Counted from the table: every entry, and the shadow by address. */
	KUNIT_EXPECT_EQ(test, pnv_ddw_table_entries_used(t), row->count + 1);
	KUNIT_EXPECT_EQ(test, pnv_ddw_table_user_entries(t, 0x7fff00000000ULL, 1ULL << 40),
			row->count + 1);
	KUNIT_EXPECT_EQ(test, pnv_ddw_table_user_entries(t, 0x7fff00000000ULL + idx[0], 1), 1ULL);
	KUNIT_EXPECT_EQ(test, pnv_ddw_table_user_entries(t, 0x7ffe00000000ULL, 1ULL << 32), 0ULL);

	/* Exchange hands the old entry back; clearing leaves the levels. */
	for (i = 0; i < row->count; i += 2) {
		u64 idx = row_index(row, &geo, i);
		enum dma_data_direction dir = DMA_NONE;
		unsigned long hpa = 0;

		KUNIT_EXPECT_EQ(test, pnv_ddw_tce_xchg(t, idx, &hpa, &dir), 0);
		KUNIT_EXPECT_EQ(test, hpa, test_hpa(&geo, idx));
		KUNIT_EXPECT_EQ(test, dir, test_dir_read_back(idx));
		KUNIT_EXPECT_EQ(test, hw_walk(&geo, t->hw_top, idx), 0ULL);
	}
	pnv_ddw_tce_clear(t, 0, geo.entries);
	for (i = 0; i <= row->count; i++)
		KUNIT_EXPECT_EQ(test, hw_walk(&geo, t->hw_top, row_index(row, &geo, i)), 0ULL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->hw_bytes), levels * geo.level_bytes);
	KUNIT_EXPECT_EQ(test, pnv_ddw_table_entries_used(t), 0ULL);
	/* A clear leaves the shadow to whoever gives its counts back. */
	KUNIT_EXPECT_EQ(test, pnv_ddw_table_user_entries(t, 0, ~0ULL), row->count + 1);

	ddw_table_free_levels(t);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->hw_bytes), 0LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->shadow_bytes), 0LL);
	KUNIT_EXPECT_EQ(test, ddw_levels_live(), live);
}

/*
 * Taking the entries in use: in index order, with what they and their
 * shadow held, a few at a time, visiting only the levels that exist (the
 * 4-level rows span 2^36 entries), and nothing left after; a shadow
 * address beside an empty entry (what a race leaves) is taken too.
 */
static void take_test(struct kunit *test)
{
	const struct engine_row *row = test->param_value;
	struct ddw_tce_taken taken[7], old;
	struct pnv_ddw_geometry geo;
	struct pnv_ddw_table *t;
	u64 i, next = 0, seen = 0;
	unsigned int n, k;
	__be64 tce, *ua;

	t = row_table(test, row, &geo);
	for (i = 0; i <= row->count; i++) {
		u64 idx = row_index(row, &geo, i);

		tce = ddw_tce_encode(test_hpa(&geo, idx), test_dir(idx));
		/* Every other entry a stale address only, as a race leaves it. */
		if (i % 2) {
			KUNIT_ASSERT_EQ(test, ddw_entry_set(t, idx, tce, 0x7fff00000000ULL + idx,
							    GFP_KERNEL, true, &old), 0);
			KUNIT_EXPECT_EQ(test, old.tce, 0);
			KUNIT_EXPECT_EQ(test, old.ua, 0ULL);
		} else {
			KUNIT_ASSERT_EQ(test, ddw_entry_set(t, idx, tce, 0, GFP_KERNEL, true,
							    &old), 0);
			ua = pnv_ddw_tce_useraddr(t, idx, false);
			KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(ua));
			*ua = cpu_to_be64(0x7fff00000000ULL + idx);
			KUNIT_ASSERT_EQ(test, ddw_entry_clear(t, idx, &old), 0);
			KUNIT_EXPECT_EQ(test, be64_to_cpu(old.tce), be64_to_cpu(tce));
			KUNIT_EXPECT_EQ(test, old.ua, 0x7fff00000000ULL + idx);
			*ua = cpu_to_be64(0x7fff00000000ULL + idx);
		}
	}
	KUNIT_EXPECT_EQ(test, pnv_ddw_table_entries_used(t), (row->count + 1) / 2);
	while ((n = ddw_table_take(t, &next, geo.entries, taken, ARRAY_SIZE(taken), true))) {
		for (k = 0; k < n; k++, seen++) {
			u64 idx = row_index(row, &geo, seen);

			KUNIT_EXPECT_EQ(test, taken[k].idx, idx);
			KUNIT_EXPECT_EQ(test, be64_to_cpu(taken[k].tce), seen % 2 ?
					be64_to_cpu(ddw_tce_encode(test_hpa(&geo, idx),
								   test_dir(idx))) : 0);
			KUNIT_EXPECT_EQ(test, taken[k].ua, 0x7fff00000000ULL + idx);
			KUNIT_EXPECT_EQ(test, hw_walk(&geo, t->hw_top, idx), 0ULL);
			KUNIT_EXPECT_EQ(test, hw_walk(&geo, t->shadow_top, idx), 0ULL);
		}
	}
	KUNIT_EXPECT_EQ(test, seen, row->count + 1);
	KUNIT_EXPECT_EQ(test, next, geo.entries);
	KUNIT_EXPECT_EQ(test, pnv_ddw_table_entries_used(t), 0ULL);
	KUNIT_EXPECT_EQ(test, pnv_ddw_table_user_entries(t, 0, ~0ULL), 0ULL);

	/* Set only where empty: a second writer of the entry gets -EBUSY. */
	next = row_index(row, &geo, 0);
	tce = ddw_tce_encode(test_hpa(&geo, next), DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, ddw_entry_set(t, next, tce, 1ULL << 20, GFP_KERNEL, true, &old), 0);
	KUNIT_EXPECT_EQ(test, ddw_entry_set(t, next, ddw_tce_encode(0, DMA_BIDIRECTIONAL),
					    2ULL << 20, GFP_KERNEL, true, &old), -EBUSY);
	KUNIT_EXPECT_EQ(test, hw_walk(&geo, t->hw_top, next), be64_to_cpu(tce));
	KUNIT_EXPECT_EQ(test, hw_walk(&geo, t->shadow_top, next), 1ULL << 20);
	KUNIT_EXPECT_EQ(test, ddw_entry_set(t, geo.entries, tce, 0, GFP_KERNEL, true, &old),
			-EINVAL);
	/* Without allocating, a missing level is -ENOMEM. */
	i = geo.entries - 1 - geo.level_entries;
	if (geo.levels > 1 && geo.entries > geo.level_entries &&
	    !ddw_table_slot(t, t->hw_top, &t->hw_bytes, i, 0))
		KUNIT_EXPECT_EQ(test, ddw_entry_set(t, i, tce, 0, 0, false, &old), -ENOMEM);
	KUNIT_EXPECT_EQ(test, pnv_ddw_table_entries_used(t), 1ULL);
	ddw_table_free_levels(t);
}

/*
 * KVM maps in two steps: the entry through the table's op, then, unlocked,
 * the address in the shadow (kvmppc_tce_iommu_do_map()).  Until that store
 * the entry is in use, whoever clears it meanwhile: a map by the owner in
 * between would name its own address there, KVM's store would overwrite
 * it, and the count the owner took on its region would never come back.
 * After the store, the address beside the cleared entry is taken as a
 * race's leftover.  A marker is never given back as an address.
 */
static void kvm_store_test(struct kunit *test)
{
	const struct engine_row *row = test->param_value;
	struct ddw_tce_taken taken[2], old;
	struct pnv_ddw_geometry geo;
	struct pnv_ddw_table *t;
	__be64 tce, *ua;
	u64 idx, next;

	t = row_table(test, row, &geo);
	idx = row_index(row, &geo, 0);
	tce = ddw_tce_encode(test_hpa(&geo, idx), DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_EQ(test, ddw_entry_set(t, idx, tce, DDW_UA_KVM_PENDING, GFP_KERNEL, false,
					    &old), 0);
	/* The owner's unmap before KVM's store: the entry goes, the marker stays. */
	next = idx;
	KUNIT_EXPECT_EQ(test, ddw_table_take(t, &next, idx + 1, taken, ARRAY_SIZE(taken), true),
			1U);
	KUNIT_EXPECT_EQ(test, be64_to_cpu(taken[0].tce), be64_to_cpu(tce));
	KUNIT_EXPECT_EQ(test, taken[0].ua, 0ULL);
	KUNIT_EXPECT_EQ(test, hw_walk(&geo, t->hw_top, idx), 0ULL);
	KUNIT_EXPECT_EQ(test, hw_walk(&geo, t->shadow_top, idx), DDW_UA_KVM_PENDING);
	KUNIT_EXPECT_EQ(test, ddw_entry_set(t, idx, tce, 2ULL << 20, GFP_KERNEL, true, &old),
			-EBUSY);
	/* KVM's own clear meanwhile, the same. */
	KUNIT_EXPECT_EQ(test, ddw_entry_clear(t, idx, &old), 0);
	KUNIT_EXPECT_EQ(test, old.tce, 0);
	KUNIT_EXPECT_EQ(test, old.ua, 0ULL);
	KUNIT_EXPECT_EQ(test, hw_walk(&geo, t->shadow_top, idx), DDW_UA_KVM_PENDING);
	/* KVM's store. */
	ua = pnv_ddw_tce_useraddr(t, idx, false);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(ua));
	*ua = cpu_to_be64(1ULL << 20);
	next = idx;
	KUNIT_EXPECT_EQ(test, ddw_table_take(t, &next, idx + 1, taken, ARRAY_SIZE(taken), true),
			1U);
	KUNIT_EXPECT_EQ(test, taken[0].tce, 0);
	KUNIT_EXPECT_EQ(test, taken[0].ua, 1ULL << 20);
	KUNIT_EXPECT_EQ(test, hw_walk(&geo, t->shadow_top, idx), 0ULL);
	KUNIT_EXPECT_EQ(test, ddw_entry_set(t, idx, tce, 2ULL << 20, GFP_KERNEL, true, &old), 0);
	/* KVM's maps over the owner's, then over its own not yet stored. */
	KUNIT_EXPECT_EQ(test, ddw_entry_set(t, idx, tce, DDW_UA_KVM_PENDING, GFP_KERNEL, false,
					    &old), 0);
	KUNIT_EXPECT_EQ(test, old.ua, 2ULL << 20);
	KUNIT_EXPECT_EQ(test, ddw_entry_set(t, idx, tce, DDW_UA_KVM_PENDING, GFP_KERNEL, false,
					    &old), 0);
	KUNIT_EXPECT_EQ(test, old.ua, 0ULL);
	ddw_table_free_levels(t);
}

/*
 * A run's walk: each entry's slots come with the room left in its leaf, and
 * a range is free until one of its entries is set, whatever levels exist.
 */
static void run_test(struct kunit *test)
{
	const struct engine_row *row = test->param_value;
	struct pnv_ddw_geometry geo;
	struct ddw_tce_taken taken[7];
	struct pnv_ddw_table *t;
	__be64 *hw, *shadow;
	long live = ddw_levels_live(), room;
	u64 i, gap, prev = 0, next = 0;

	t = row_table(test, row, &geo);
	KUNIT_EXPECT_TRUE(test, pnv_ddw_tce_range_free(t, 0, geo.entries));
	for (i = 0; i <= row->count; i++) {
		u64 idx = row_index(row, &geo, i);

		room = ddw_entry_leaf(t, idx, GFP_KERNEL, &hw, &shadow);
		KUNIT_ASSERT_GT(test, room, 0L);
		KUNIT_EXPECT_EQ(test, (u64)room,
				min(geo.level_entries - idx % geo.level_entries,
				    geo.entries - idx));
		/* The last slot of the leaf is the leaf's, as the walker finds it. */
		hw[room - 1] = ddw_tce_encode(test_hpa(&geo, idx), DMA_TO_DEVICE);
		shadow[room - 1] = cpu_to_be64(0x7fff00000000ULL + idx);
		KUNIT_EXPECT_EQ(test, hw_walk(&geo, t->hw_top, idx + room - 1),
				be64_to_cpu(ddw_tce_encode(test_hpa(&geo, idx), DMA_TO_DEVICE)));
		KUNIT_EXPECT_EQ(test, hw_walk(&geo, t->shadow_top, idx + room - 1),
				0x7fff00000000ULL + idx);
		hw[room - 1] = 0;
		shadow[room - 1] = 0;
		KUNIT_EXPECT_TRUE(test, pnv_ddw_tce_range_free(t, idx, 1));
		hw[0] = ddw_tce_encode(test_hpa(&geo, idx), DMA_TO_DEVICE);
		KUNIT_EXPECT_FALSE(test, pnv_ddw_tce_range_free(t, idx, 1));
		KUNIT_EXPECT_FALSE(test, pnv_ddw_tce_range_free(t, 0, geo.entries));
		/* Between this entry and the one before, nothing is set. */
		gap = i && idx > prev + 1 ? idx - prev - 1 : 0;
		if (gap)
			KUNIT_EXPECT_TRUE(test, pnv_ddw_tce_range_free(t, prev + 1, gap));
		prev = idx;
	}
	/* Clipped to the window. */
	KUNIT_EXPECT_FALSE(test, pnv_ddw_tce_range_free(t, geo.entries - 1, U64_MAX));
	KUNIT_EXPECT_EQ(test, ddw_entry_leaf(t, geo.entries, GFP_KERNEL, &hw, &shadow),
			(long)-EINVAL);
	while (ddw_table_take(t, &next, geo.entries, taken, ARRAY_SIZE(taken), true))
		;
	KUNIT_EXPECT_TRUE(test, pnv_ddw_tce_range_free(t, 0, geo.entries));
	ddw_table_free_levels(t);
	KUNIT_EXPECT_EQ(test, ddw_levels_live(), live);
}

struct bad_row {
	const char *name;
	u64 idx;
	unsigned long hpa;
	int ret;
};

static const struct bad_row bad_rows[] = {
	{ "index_past_window", 1ULL << 24, 0x10000, -EINVAL },
	{ "index_huge", ~0ULL, 0x10000, -EINVAL },
	{ "unaligned_address", 5, 0x10800, -EINVAL },
	{ "last_index_is_fine", (1ULL << 24) - 1, 0x10000, 0 },
};

static void bad_row_desc(const struct bad_row *row, char *desc)
{
	strscpy(desc, row->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(bad_rows, bad_rows, bad_row_desc);

/* Bad input gets an errno and changes nothing. */
static void bad_input_test(struct kunit *test)
{
	const struct bad_row *row = test->param_value;
	enum dma_data_direction dir = DMA_BIDIRECTIONAL;
	unsigned long hpa = row->hpa;
	struct pnv_ddw_geometry geo;
	struct pnv_ddw_table *t;

	KUNIT_ASSERT_EQ(test, ddw_geometry_init(&geo, 16, 1ULL << 40, 3,
						IODA2_MAX_LEVELS, 24), 0);
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, ddw_table_init(t, &geo, NUMA_NO_NODE, false), 0);
	KUNIT_EXPECT_EQ(test, pnv_ddw_tce_xchg(t, row->idx, &hpa, &dir), row->ret);
	if (row->ret) {
		KUNIT_EXPECT_EQ(test, hpa, row->hpa);
		KUNIT_EXPECT_EQ(test, atomic64_read(&t->hw_bytes), geo.top_bytes);
	}
	KUNIT_EXPECT_TRUE(test, IS_ERR(pnv_ddw_tce_useraddr(t, geo.entries, true)));
	KUNIT_EXPECT_NULL(test, pnv_ddw_tce_useraddr(t, 0, true));
	ddw_table_free_levels(t);
}

#define RACE_LEAVES	256

struct race {
	struct pnv_ddw_table *t;
	struct completion go;
	struct completion done;
	u64 parity;
	int errors;
};

static int race_thread(void *data)
{
	struct race *r = data;
	u64 leaf, per_leaf = r->t->geo.level_entries;

	wait_for_completion(&r->go);
	for (leaf = 0; leaf < RACE_LEAVES; leaf++) {
		u64 idx = leaf * per_leaf * 37 + r->parity;
		enum dma_data_direction dir = DMA_BIDIRECTIONAL;
		unsigned long hpa = 0x10000;

		if (pnv_ddw_tce_xchg(r->t, idx, &hpa, &dir))
			r->errors++;
		cond_resched();
	}
	complete(&r->done);
	return 0;
}

/*
 * Two CPUs set entries under the same missing levels: every level is
 * installed once, the loser's is freed, no entry is lost.
 */
static void concurrent_levels_test(struct kunit *test)
{
	struct race r[2] = { { .parity = 0 }, { .parity = 1 } };
	long live = ddw_levels_live();
	struct task_struct *task[2];
	struct pnv_ddw_geometry geo;
	struct pnv_ddw_table *t;
	const u64 leaves = RACE_LEAVES;
	u64 leaf, levels, *idx;
	int i;

	KUNIT_ASSERT_EQ(test, ddw_geometry_init(&geo, 16, 1ULL << 50, 3,
						IODA2_MAX_LEVELS, 24), 0);
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, ddw_table_init(t, &geo, NUMA_NO_NODE, false), 0);
	idx = kunit_kcalloc(test, leaves, sizeof(*idx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, idx);
	for (i = 0; i < 2; i++) {
		r[i].t = t;
		init_completion(&r[i].go);
		init_completion(&r[i].done);
		task[i] = kthread_run(race_thread, &r[i], "ddw_race_%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task[i]));
		get_task_struct(task[i]);
	}
	complete_all(&r[0].go);
	complete_all(&r[1].go);
	/*
	 * kthread_stop() alone would not do: a thread not yet running when
	 * it is called never runs its function.
	 */
	for (i = 0; i < 2; i++) {
		wait_for_completion(&r[i].done);
		kthread_stop(task[i]);
		put_task_struct(task[i]);
		KUNIT_EXPECT_EQ(test, r[i].errors, 0);
	}
	for (leaf = 0; leaf < leaves; leaf++) {
		idx[leaf] = leaf * geo.level_entries * 37;
		KUNIT_EXPECT_NE(test, hw_walk(&geo, t->hw_top, idx[leaf]), 0ULL);
		KUNIT_EXPECT_NE(test, hw_walk(&geo, t->hw_top, idx[leaf] + 1), 0ULL);
	}
	/* Both threads' entries share their levels: no more than one set. */
	levels = expected_levels(&geo, idx, leaves);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->hw_bytes), levels * geo.level_bytes);
	KUNIT_EXPECT_EQ(test, ddw_levels_live() - live, (long)levels);
	ddw_table_free_levels(t);
	KUNIT_EXPECT_EQ(test, ddw_levels_live(), live);
}

static struct kunit_case ddw_table_cases[] = {
	KUNIT_CASE_PARAM(tce_encoding_test, tce_rows_gen_params),
	KUNIT_CASE_PARAM(engine_test, engine_rows_gen_params),
	KUNIT_CASE_PARAM(take_test, engine_rows_gen_params),
	KUNIT_CASE_PARAM(kvm_store_test, engine_rows_gen_params),
	KUNIT_CASE_PARAM(run_test, engine_rows_gen_params),
	KUNIT_CASE_PARAM(bad_input_test, bad_rows_gen_params),
	KUNIT_CASE(concurrent_levels_test),
	{}
};

static struct kunit_suite ddw_table_suite = {
	.name = "spapr_ddw_tce_table",
	.test_cases = ddw_table_cases,
};

kunit_test_suite(ddw_table_suite);

MODULE_LICENSE("GPL");
