// SPDX-License-Identifier: GPL-2.0-only
/*
 * For the benchmark: the bytes of the TCE tables an IOMMU group's PE has
 * programmed now, whichever backend made them, read from the tables
 * themselves (the IODA2 format: a level entry with a read or write bit
 * points to the level below).
 *
 *   insmod ddw_table_bytes.ko group=N
 *   cat /sys/kernel/debug/ddw_table_bytes
 *	window 1: levels 2 level_bytes 65536 table_bytes 131072 shadow_bytes 131072
 *
 * "shadow" is the table of userspace addresses beside it (the in-tree
 * it_userspace), walked the same way when the table has one.  The reader
 * must keep the tables still (nothing maps, unmaps or removes windows
 * while it reads): this is a measuring tool, not an interface.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <asm/iommu.h>
#include <asm/tce.h>

#include "group_by_id.h"

static int group = -1;
module_param(group, int, 0444);
MODULE_PARM_DESC(group, "IOMMU group of an IODA2 PE");

static struct iommu_group *grp;
static struct dentry *file;

/* Bytes of the levels under @level, @level itself included. */
static u64 walk_bytes(const __be64 *level, u32 depth, u32 levels, u64 level_entries)
{
	u64 bytes = level_entries * sizeof(__be64), i;

	if (depth + 1 < levels)
		for (i = 0; i < level_entries; i++)
			if (be64_to_cpu(level[i]) & (TCE_PCI_READ | TCE_PCI_WRITE))
				bytes += walk_bytes(__va(be64_to_cpu(level[i]) & ~0xfffULL),
						    depth + 1, levels, level_entries);
	return bytes;
}

static int bytes_show(struct seq_file *m, void *unused)
{
	struct iommu_table_group *tg = iommu_group_get_iommudata(grp);
	int num;

	if (!tg)
		return -ENODEV;
	for (num = 0; num < IOMMU_TABLE_GROUP_MAX_TABLES; num++) {
		struct iommu_table *tbl = tg->tables[num];
		u32 levels;

		if (!tbl || !tbl->it_base)
			continue;
		levels = tbl->it_indirect_levels + 1;
		seq_printf(m, "window %d: levels %u level_bytes %lu table_bytes %llu shadow_bytes %llu\n",
			   num, levels, tbl->it_level_size * sizeof(__be64),
			   walk_bytes((__be64 *)tbl->it_base, 0, levels, tbl->it_level_size),
			   tbl->it_userspace ?
			   walk_bytes(tbl->it_userspace, 0, levels, tbl->it_level_size) : 0);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(bytes);

static int __init ddw_table_bytes_init(void)
{
	grp = group_by_id(group);
	if (!grp) {
		pr_err("no IOMMU group %d\n", group);
		return -ENODEV;
	}
	file = debugfs_create_file("ddw_table_bytes", 0400, NULL, NULL, &bytes_fops);
	return 0;
}

static void __exit ddw_table_bytes_exit(void)
{
	debugfs_remove(file);
	iommu_group_put(grp);
}

module_init(ddw_table_bytes_init);
module_exit(ddw_table_bytes_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("TCE table bytes of an IOMMU group's windows, for the benchmark");
