// SPDX-License-Identifier: GPL-2.0-only
/*
 * Drives the pnv_ioda2_ddw window API on one PE and checks that the
 * platform took the windows: loading succeeds only if every check passes.
 *
 *   insmod ddw_window_test.ko group=N            the checks
 *   insmod ddw_window_test.ko group=N bench=1    table bytes, ours and in-tree
 *
 * The PE's devices must have no driver: the test takes the PE from the
 * kernel.  Each check prints one "ok:" or "FAILED:" line.
 *
 * On Linux 6.12 the kernel's own blocked domain takes a PE from its DMA
 * setup, when the PE's group is claimed: the test claims it, as VFIO does
 * for a backend, and releases it after giving the PE back.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <asm/iommu.h>
#include <asm/tce.h>

#include <pnv_ioda2_ddw.h>
#include "group_by_id.h"

static int group = -1;
module_param(group, int, 0444);
MODULE_PARM_DESC(group, "IOMMU group of an IODA2 PE whose devices have no driver");
static bool bench;
module_param(bench, bool, 0444);
MODULE_PARM_DESC(bench, "print table bytes instead of checking");

static int failures;

#ifdef SPAPR_DDW_LINUX_6_12
#define CLAIM_GROUP	true
#else
#define CLAIM_GROUP	false
#endif

#define CHECK(cond, fmt, ...)						\
	({								\
		bool __ok = (cond);					\
		if (!__ok)						\
			failures++;					\
		pr_info("%s " fmt "\n", __ok ? "ok:" : "FAILED:", ##__VA_ARGS__); \
		__ok;							\
	})

struct window_case {
	int num;
	u32 page_shift;
	u64 window_size;
	u32 levels;
};

/* Entries spread over the window: first, last, and across level edges. */
static u64 pattern_index(u64 entries, unsigned int i)
{
	static const u64 fixed[] = { 0, 1, 511, 512, 513 };

	if (i < ARRAY_SIZE(fixed))
		return fixed[i];
	if (i == ARRAY_SIZE(fixed))
		return entries - 1;
	return (entries / 7) * (i - ARRAY_SIZE(fixed)) + 3;
}

#define PATTERN_N	12

static void window_case_run(struct iommu_table_group *tg,
			    const struct window_case *wc, unsigned long hpa)
{
	struct pnv_ddw_table_info info;
	struct pnv_ddw_table *table;
	struct iommu_table *tbl;
	unsigned int i;
	int ret;

	table = pnv_ddw_table_create(tg, wc->num, wc->page_shift,
				     wc->window_size, wc->levels,
				     PNV_DDW_TABLE_SHADOW, current->mm);
	if (!CHECK(!IS_ERR(table), "window %d: create %llu MiB of %lu KiB pages, %u levels: %d",
		   wc->num, wc->window_size >> 20, 1UL << (wc->page_shift - 10),
		   wc->levels, PTR_ERR_OR_ZERO(table)))
		return;
	pnv_ddw_table_info(table, &info);
	for (i = 0; i < PATTERN_N; i++) {
		enum dma_data_direction dir = i % 3 ? DMA_TO_DEVICE : DMA_BIDIRECTIONAL;
		unsigned long a = hpa;

		ret = pnv_ddw_tce_xchg(table, pattern_index(info.entries, i), &a, &dir);
		if (ret || a || dir != DMA_NONE)
			break;
	}
	CHECK(i == PATTERN_N, "window %d: %u entries set", wc->num, i);
	pnv_ddw_tce_kill(table, 0, info.entries);

	ret = pnv_ddw_window_set(tg, wc->num, table);
	CHECK(!ret, "window %d: programmed at bus 0x%llx: %d", wc->num,
	      info.bus_start, ret);
	if (ret)
		goto out_put;
	CHECK(pnv_ddw_window_set(tg, wc->num, table) == -EBUSY,
	      "window %d: programming it twice is -EBUSY", wc->num);

	/* The platform's view of the window: its table, read through it. */
	tbl = tg->tables[wc->num];
	CHECK(tbl && tbl->it_offset << tbl->it_page_shift == info.bus_start &&
	      tbl->it_page_shift == wc->page_shift &&
	      tbl->it_size << tbl->it_page_shift == wc->window_size &&
	      tbl->it_indirect_levels + 1 == wc->levels,
	      "window %d: the table group holds it (%lu levels, %lu entries)",
	      wc->num, tbl ? tbl->it_indirect_levels + 1 : 0, tbl ? tbl->it_size : 0);
	for (i = 0; tbl && i < PATTERN_N; i++) {
		u64 idx = pattern_index(info.entries, i);
		unsigned long want = hpa | (i % 3 ? TCE_PCI_READ : TCE_PCI_READ | TCE_PCI_WRITE);

		if (tbl->it_ops->get(tbl, tbl->it_offset + idx) != want)
			break;
	}
	CHECK(i == PATTERN_N, "window %d: entries read back through the table group", wc->num);
	pnv_ddw_table_info(table, &info);
	pr_info("window %d: bus 0x%llx size 0x%llx page %u levels %u table_bytes %llu shadow_bytes %llu\n",
		wc->num, info.bus_start, info.window_size, info.page_shift,
		info.levels, info.table_bytes, info.shadow_bytes);

	pnv_ddw_window_unset(tg, wc->num);
	CHECK(!tg->tables[wc->num], "window %d: unset", wc->num);
out_put:
	pnv_ddw_tce_clear(table, 0, info.entries);
	pnv_ddw_table_put(table);
}

static void errors_run(struct iommu_table_group *tg, struct pnv_ddw_table *table)
{
	struct pnv_ddw_table *t;

	t = pnv_ddw_table_create(tg, 1, 13, 1ULL << 30, 1, 0, NULL);
	CHECK(PTR_ERR(t) == -EINVAL, "8 KiB pages: -EINVAL (%d)", PTR_ERR_OR_ZERO(t));
	t = pnv_ddw_table_create(tg, 1, 16, 1ULL << 30, 0, 0, NULL);
	CHECK(PTR_ERR(t) == -EINVAL, "0 levels: -EINVAL (%d)", PTR_ERR_OR_ZERO(t));
	t = pnv_ddw_table_create(tg, 1, 16, 3ULL << 30, 1, 0, NULL);
	CHECK(PTR_ERR(t) == -EINVAL, "window not a power of two: -EINVAL (%d)",
	      PTR_ERR_OR_ZERO(t));
	t = pnv_ddw_table_create(tg, 2, 16, 1ULL << 30, 1, 0, NULL);
	CHECK(PTR_ERR(t) == -EINVAL, "a third window: -EINVAL (%d)", PTR_ERR_OR_ZERO(t));
	t = pnv_ddw_table_create(tg, 1, 12, 1ULL << 44, 1, 0, NULL);
	CHECK(PTR_ERR(t) == -E2BIG, "a 32 GiB level: -E2BIG (%d)", PTR_ERR_OR_ZERO(t));
	CHECK(pnv_ddw_window_set(tg, 1, table) == -EPERM,
	      "programming a PE the kernel owns: -EPERM");
}

/* Bytes of a table in the IODA2 format, walked from its top level. */
static u64 walk_bytes(const __be64 *level, u32 depth, u32 levels, u64 level_entries)
{
	u64 bytes = level_entries * sizeof(__be64), i;

	if (depth + 1 < levels)
		for (i = 0; i < level_entries; i++)
			if (be64_to_cpu(level[i]) & 3)
				bytes += walk_bytes(__va(be64_to_cpu(level[i]) & ~0xfffULL),
						    depth + 1, levels, level_entries);
	return bytes;
}

/*
 * Where the time of a map or unmap goes: the entries alone, and the TCE
 * cache invalidation over them as one call or one call per entry.
 */
static void bench_kill(struct iommu_table_group *tg, unsigned long hpa, u64 n)
{
	struct pnv_ddw_table *table;
	u64 i, t0, t1, t2, t3;

	table = pnv_ddw_table_create(tg, 1, 16, 1ULL << 40, 2, 0, NULL);
	if (IS_ERR(table) || pnv_ddw_window_set(tg, 1, table)) {
		pr_info("bench: no window for the kill timing\n");
		goto out;
	}
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		enum dma_data_direction dir = DMA_BIDIRECTIONAL;
		unsigned long a = hpa;

		pnv_ddw_tce_xchg(table, i, &a, &dir);
	}
	t1 = ktime_get_ns();
	pnv_ddw_tce_kill(table, 0, n);
	t2 = ktime_get_ns();
	for (i = 0; i < n; i++)
		pnv_ddw_tce_kill(table, i, 1);
	t3 = ktime_get_ns();
	pr_info("bench: %llu entries: set %llu ns/entry, one kill %llu ns/entry, a kill each %llu ns/entry\n",
		n, (t1 - t0) / n, (t2 - t1) / n, (t3 - t2) / n);
	t0 = ktime_get_ns();
	pnv_ddw_tce_kill(table, 0, 1);
	t1 = ktime_get_ns();
	pr_info("bench: one kill of one entry: %llu ns\n", t1 - t0);
	pnv_ddw_window_unset(tg, 1);
	pnv_ddw_tce_clear(table, 0, n);
out:
	if (!IS_ERR(table))
		pnv_ddw_table_put(table);
}

/* Benchmark: a 1 TiB window of 64 KiB pages with 256 MiB mapped. */
static void bench_run(struct iommu_table_group *tg, unsigned long hpa)
{
	const u64 window = 1ULL << 40, mapped = 256ULL << 20;
	const u64 n = mapped >> 16;
	u32 levels;
	u64 i;

	pr_info("bench: 1 TiB window, 64 KiB pages, 256 MiB mapped (%llu TCEs)\n", n);
	pr_info("bench: minimum possible: %llu bytes (the TCEs themselves)\n", n * 8);
	for (levels = 1; levels <= 4; levels++) {
		struct pnv_ddw_table_info info;
		struct pnv_ddw_table *table;
		struct iommu_table *tbl;
		long ret;

		table = pnv_ddw_table_create(tg, 1, 16, window, levels, 0, NULL);
		if (IS_ERR(table)) {
			pr_info("bench: spapr-ddw, %u levels: refused (%ld)\n", levels,
				PTR_ERR(table));
		} else {
			for (i = 0; i < n; i++) {
				enum dma_data_direction dir = DMA_BIDIRECTIONAL;
				unsigned long a = hpa;

				pnv_ddw_tce_xchg(table, i, &a, &dir);
			}
			pnv_ddw_table_info(table, &info);
			pr_info("bench: spapr-ddw, %u levels: %llu bytes\n", levels,
				info.table_bytes);
			pnv_ddw_tce_clear(table, 0, n);
			pnv_ddw_table_put(table);
		}

		/* The in-tree allocator, as VFIO v2 calls it; 1 level needs 128 MiB. */
		if (levels == 1) {
			pr_info("bench: in-tree, 1 level: not tried (one 128 MiB block)\n");
			continue;
		}
		ret = tg->ops->create_table(tg, 1, 16, window, levels, &tbl);
		if (ret) {
			pr_info("bench: in-tree, %u levels: refused (%ld)\n", levels, ret);
			continue;
		}
		for (i = 0; i < n; i++) {
			enum dma_data_direction dir = DMA_BIDIRECTIONAL;
			unsigned long a = hpa;

			tbl->it_ops->xchg_no_kill(tbl, tbl->it_offset + i, &a, &dir);
		}
		pr_info("bench: in-tree, %u levels: %llu bytes (it_allocated_size %lu)\n",
			levels, walk_bytes((__be64 *)tbl->it_base, 0, levels,
					   tbl->it_level_size),
			tbl->it_allocated_size);
		for (i = 0; i < n; i++) {
			enum dma_data_direction dir = DMA_NONE;
			unsigned long a = 0;

			tbl->it_ops->xchg_no_kill(tbl, tbl->it_offset + i, &a, &dir);
		}
		iommu_tce_table_put(tbl);
	}
	bench_kill(tg, hpa, n);
}

/*
 * 6.12: another user of the claim (the in-tree backend, through the PE's
 * ops) has a window: the PE is not offered to a first owner.
 */
static void foreign_window_run(struct iommu_table_group *tg)
{
	struct iommu_table *tbl;

	if (!CHECK(!tg->ops->create_table(tg, 1, 12, 1ULL << 30, 1, &tbl),
		   "another user's table made through the PE's ops"))
		return;
	if (CHECK(!tg->ops->set_window(tg, 1, tbl), "and programmed in window 1")) {
		long ret = pnv_ddw_own(tg);

		CHECK(ret == -EBUSY, "a PE with another user's window: -EBUSY (%ld)", ret);
		if (!ret)
			pnv_ddw_disown(tg);
		tg->ops->unset_window(tg, 1);
	}
	iommu_tce_table_put(tbl);
}

static int __init ddw_window_test_init(void)
{
	static const struct window_case cases[] = {
		{ 0, 16, 256ULL << 20, 1 },	/* the 32-bit window, flat */
		{ 1, 16, 1ULL << 40, 2 },	/* a dynamic window, two levels */
		{ 1, 16, 1ULL << 40, 3 },
	};
	struct iommu_table_group *tg;
	struct pnv_ddw_table *table;
	struct iommu_group *grp;
	struct page *page;
	unsigned long hpa;
	unsigned int i;

	grp = group_by_id(group);
	if (!grp) {
		pr_err("no IOMMU group %d\n", group);
		return -ENODEV;
	}
	tg = pnv_ddw_table_group(grp);
	if (IS_ERR(tg)) {
		iommu_group_put(grp);
		pr_err("group %d is not an IODA2 PE\n", group);
		return -ENODEV;
	}
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO, get_order(SZ_64K));
	if (!page) {
		iommu_group_put(grp);
		return -ENOMEM;
	}
	hpa = page_to_phys(page);

	table = pnv_ddw_table_create(tg, 1, 16, 1ULL << 30, 1, 0, NULL);
	if (!IS_ERR(table)) {
		if (!bench)
			errors_run(tg, table);
		pnv_ddw_table_put(table);
	}
	if (CLAIM_GROUP) {
		CHECK(pnv_ddw_own(tg) == -EPERM,
		      "a PE whose group is not claimed: -EPERM");
		if (!CHECK(!iommu_group_claim_dma_owner(grp, &group),
			   "group %d claimed from the kernel", group))
			goto out;
		foreign_window_run(tg);
	}
	if (!CHECK(!pnv_ddw_own(tg), "PE of group %d taken from the kernel", group))
		goto out_release;
	CHECK(!tg->tables[0], "the kernel's default window is gone");
	if (bench) {
		bench_run(tg, hpa);
	} else {
		for (i = 0; i < ARRAY_SIZE(cases); i++)
			window_case_run(tg, &cases[i], hpa);
	}
	pnv_ddw_disown(tg);
out_release:
	if (CLAIM_GROUP)
		iommu_group_release_dma_owner(grp);
	CHECK(tg->tables[0], "the kernel's default window is back");
out:
	__free_pages(page, get_order(SZ_64K));
	iommu_group_put(grp);
	if (failures)
		pr_err("%d checks failed\n", failures);
	return failures ? -EINVAL : 0;
}

static void __exit ddw_window_test_exit(void)
{
}

module_init(ddw_window_test_init);
module_exit(ddw_window_test_exit);
MODULE_DESCRIPTION("spapr-ddw test: windows through the pnv_ioda2_ddw API");
MODULE_LICENSE("GPL");
