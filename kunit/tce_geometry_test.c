// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the geometry of IODA2 TCE tables and the index decomposition.
 */
#include <kunit/test.h>
#include <linux/log2.h>

#include "tce_geometry.h"

/* Largest level the tests' allocator gives: 2^24 bytes, as Debian's 64K/order-8 */
#define TEST_MAX_LEVEL_SHIFT	24

struct geo_row {
	const char *name;
	u32 page_shift;
	u32 window_shift;
	u32 levels;
	int ret;
	u32 level_bits;
	u32 cover_shift;
	u64 max_table_bytes;
};

/* Worked by hand from the TVE rules; see tce_geometry.h. */
static const struct geo_row geo_rows[] = {
	{ "2G_of_4K_1_level", 12, 31, 1, 0, 19, 31, 4ULL << 20 },
	{ "2G_of_64K_1_level", 16, 31, 1, 0, 15, 31, 256ULL << 10 },
	{ "1T_of_64K_2_levels", 16, 40, 2, 0, 12, 40, (1 + 4096) * 32768ULL },
	{ "1T_of_64K_3_levels", 16, 40, 3, 0, 9, 43, (1 + 64 + 32768) * 4096ULL },
	{ "1T_of_16M_1_level", 24, 40, 1, 0, 16, 40, 512ULL << 10 },
	{ "256M_pages_2_levels", 28, 50, 2, 0, 11, 50, (1 + 2048) * 16384ULL },
	{ "smallest_window_4K", 12, 21, 1, 0, 9, 21, 4096 },
	{ "window_below_512_pages", 16, 24, 1, -EINVAL },
	{ "zero_levels", 16, 30, 0, -EINVAL },
	{ "six_levels", 16, 30, 6, -EINVAL },
	{ "cover_exactly_54", 12, 54, 3, 0, 14, 54, 0 },
	{ "cover_55_refused", 16, 55, 3, -EINVAL },
	{ "window_up_to_bit_59_refused", 20, 59, 3, -EINVAL },
	{ "smallest_window_5_levels_cover_61", 16, 25, 5, -EINVAL },
	{ "5_levels_of_4K_cover_57", 12, 30, 5, -EINVAL },
	{ "4K_4_levels", 12, 48, 4, 0, 9, 48, 0 },
	{ "4K_1_level_level_too_big", 12, 40, 1, -E2BIG },
	{ "4K_1_level_54_level_too_big", 12, 54, 1, -E2BIG },
	{ "4K_2_levels_largest_level", 12, 54, 2, 0, 21, 54, 0 },
	{ "64K_3_levels_cover_55", 16, 54, 3, -EINVAL },
	{ "64K_3_levels_52", 16, 52, 3, 0, 12, 52, 0 },
};

static void geo_row_desc(const struct geo_row *row, char *desc)
{
	strscpy(desc, row->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(geo_rows, geo_rows, geo_row_desc);

static void geometry_row_test(struct kunit *test)
{
	const struct geo_row *row = test->param_value;
	struct pnv_ddw_geometry geo;
	int ret;

	ret = ddw_geometry_init(&geo, row->page_shift, 1ULL << row->window_shift,
				row->levels, IODA2_MAX_LEVELS,
				TEST_MAX_LEVEL_SHIFT);
	KUNIT_ASSERT_EQ(test, ret, row->ret);
	if (ret)
		return;
	KUNIT_EXPECT_EQ(test, geo.level_bits, row->level_bits);
	KUNIT_EXPECT_EQ(test, geo.cover_shift, row->cover_shift);
	KUNIT_EXPECT_EQ(test, geo.level_bytes, 8ULL << row->level_bits);
	KUNIT_EXPECT_EQ(test, geo.top_bytes, geo.level_bytes);
	KUNIT_EXPECT_EQ(test, geo.entries, 1ULL << (row->window_shift - row->page_shift));
	if (row->max_table_bytes)
		KUNIT_EXPECT_EQ(test, geo.max_table_bytes, row->max_table_bytes);
}

/* Every page size the PHBs offer x every level count x a spread of windows. */
static const u32 product_page_shifts[] = { 12, 16, 21, 24, 28, 30 };
static const s32 product_window_deltas[] = { 8, 9, 10, 16, 20, 24, 28 };
static const u32 product_window_abs[] = { 35, 43, 51, 53, 55, 57, 63 };
#define N_PS	ARRAY_SIZE(product_page_shifts)
#define N_WIN	(ARRAY_SIZE(product_window_deltas) + ARRAY_SIZE(product_window_abs))
#define N_PRODUCT	(N_PS * IODA2_MAX_LEVELS * N_WIN)

struct product_case {
	u32 page_shift, window_shift, levels;
};

static struct product_case product_case(unsigned long i)
{
	struct product_case c;
	unsigned long w = i % N_WIN;

	c.page_shift = product_page_shifts[i / (IODA2_MAX_LEVELS * N_WIN)];
	c.levels = (i / N_WIN) % IODA2_MAX_LEVELS + 1;
	c.window_shift = w < ARRAY_SIZE(product_window_deltas) ?
			 c.page_shift + product_window_deltas[w] :
			 product_window_abs[w - ARRAY_SIZE(product_window_deltas)];
	return c;
}

static const void *product_gen(const void *prev, char *desc)
{
	static unsigned long idx[N_PRODUCT];
	unsigned long i = prev ? *(const unsigned long *)prev + 1 : 0;
	struct product_case c;

	if (i >= N_PRODUCT)
		return NULL;
	idx[i] = i;
	c = product_case(i);
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "page_%u_window_%u_levels_%u",
		 c.page_shift, c.window_shift, c.levels);
	return &idx[i];
}

/* What must hold of any geometry, and why each refusal is right. */
static void geometry_product_test(struct kunit *test)
{
	struct product_case c = product_case(*(const unsigned long *)test->param_value);
	u32 entries_shift = c.window_shift - c.page_shift;
	u32 min_bits = DIV_ROUND_UP(entries_shift, c.levels);
	struct pnv_ddw_geometry geo;
	u64 sum = 0;
	u32 level;
	int ret;

	if (min_bits < IODA2_MIN_LEVEL_BITS)
		min_bits = IODA2_MIN_LEVEL_BITS;
	ret = ddw_geometry_init(&geo, c.page_shift, 1ULL << c.window_shift,
				c.levels, IODA2_MAX_LEVELS, TEST_MAX_LEVEL_SHIFT);
	if (c.window_shift < c.page_shift + IODA2_MIN_LEVEL_BITS ||
	    min_bits * c.levels + c.page_shift > IODA2_MAX_COVER_SHIFT) {
		KUNIT_EXPECT_EQ(test, ret, -EINVAL);
		return;
	}
	if (min_bits + IODA2_TCE_SHIFT > TEST_MAX_LEVEL_SHIFT) {
		KUNIT_EXPECT_EQ(test, ret, -E2BIG);
		return;
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
	/* Enough index bits, and not one level wider than needed. */
	KUNIT_EXPECT_GE(test, geo.level_bits * geo.levels, geo.entries_shift);
	KUNIT_EXPECT_EQ(test, geo.level_bits, min_bits);
	KUNIT_EXPECT_GE(test, geo.cover_shift, c.window_shift);
	KUNIT_EXPECT_LE(test, geo.cover_shift, IODA2_MAX_COVER_SHIFT);
	KUNIT_EXPECT_TRUE(test, is_power_of_2(geo.level_bytes));
	KUNIT_EXPECT_GE(test, geo.level_bytes, 4096ULL);
	/* A full table holds at least the leaf TCEs, and is the sum of its levels. */
	KUNIT_EXPECT_GE(test, geo.max_table_bytes, geo.entries * 8);
	for (level = 0; level < geo.levels; level++)
		sum += ddw_tables_at_level(&geo, level) * geo.level_bytes;
	KUNIT_EXPECT_EQ(test, geo.max_table_bytes, sum);
	KUNIT_EXPECT_EQ(test, ddw_bytes_for_entries(&geo, geo.entries), sum);
	/* The leaves of a full table hold exactly the window's entries. */
	KUNIT_EXPECT_EQ(test, ddw_tables_at_level(&geo, geo.levels - 1) *
			geo.level_entries >= geo.entries, true);
}

struct index_row {
	const char *name;
	u32 page_shift, window_shift, levels;
	u64 idx;
	u64 expect[IODA2_MAX_LEVELS];
};

static const struct index_row index_rows[] = {
	{ "1_level_first", 16, 31, 1, 0, { 0 } },
	{ "1_level_last", 16, 31, 1, 32767, { 32767 } },
	{ "2_levels_12_bits", 16, 40, 2, 0xabcdef, { 0xabc, 0xdef } },
	{ "2_levels_last", 16, 40, 2, 0xffffff, { 0xfff, 0xfff } },
	{ "3_levels_9_bits", 16, 40, 3, 0xabcdef, { 0x2a, 0x1e6, 0x1ef } },
	{ "3_levels_first_leaf_last", 16, 40, 3, 0x1ff, { 0, 0, 0x1ff } },
	{ "3_levels_next_leaf", 16, 40, 3, 0x200, { 0, 1, 0 } },
	{ "4_levels_9_bits", 12, 48, 4, 0x123456789ULL, { 0x24, 0xd1, 0xb3, 0x189 } },
};

static void index_row_desc(const struct index_row *row, char *desc)
{
	strscpy(desc, row->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(index_rows, index_rows, index_row_desc);

static void index_row_test(struct kunit *test)
{
	const struct index_row *row = test->param_value;
	struct pnv_ddw_geometry geo;
	u64 back = 0;
	u32 level;
	int ret;

	ret = ddw_geometry_init(&geo, row->page_shift, 1ULL << row->window_shift,
				row->levels, IODA2_MAX_LEVELS, TEST_MAX_LEVEL_SHIFT);
	KUNIT_ASSERT_EQ(test, ret, 0);
	for (level = 0; level < geo.levels; level++) {
		u64 field = ddw_level_index(&geo, row->idx, level);

		KUNIT_EXPECT_EQ_MSG(test, field, row->expect[level], "level %u", level);
		KUNIT_EXPECT_LT(test, field, geo.level_entries);
		back = (back << geo.level_bits) | field;
	}
	/* The fields put together give the index back. */
	KUNIT_EXPECT_EQ(test, back, row->idx);
}

static struct kunit_case ddw_geometry_cases[] = {
	KUNIT_CASE_PARAM(geometry_row_test, geo_rows_gen_params),
	KUNIT_CASE_PARAM(geometry_product_test, product_gen),
	KUNIT_CASE_PARAM(index_row_test, index_rows_gen_params),
	{}
};

static struct kunit_suite ddw_geometry_suite = {
	.name = "spapr_ddw_geometry",
	.test_cases = ddw_geometry_cases,
};

kunit_test_suite(ddw_geometry_suite);

MODULE_LICENSE("GPL");
