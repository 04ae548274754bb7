// SPDX-License-Identifier: GPL-2.0-only
/*
 * pnv_ioda2_ddw: IODA2 platform side of sPAPR Dynamic DMA Windows for
 * PowerNV hosts.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/module.h>
#include <asm/firmware.h>

#include <pnv_ioda2_ddw.h>
#include "iommu_glue.h"
#include "pe_info.h"
#include "window.h"

/* Root of everything spapr-ddw shows in debugfs; set once at load. */
static struct dentry *ddw_debugfs;

/**
 * pnv_ddw_debugfs_dir() - the debugfs directory shared by spapr-ddw modules
 *
 * Return: /sys/kernel/debug/spapr_ddw, or an error pointer when debugfs is
 * not available (the debugfs API accepts it as a parent and does nothing).
 */
struct dentry *pnv_ddw_debugfs_dir(void)
{
	return ddw_debugfs;
}
EXPORT_SYMBOL_GPL(pnv_ddw_debugfs_dir);

static int __init pnv_ioda2_ddw_init(void)
{
	int ret;

	if (!firmware_has_feature(FW_FEATURE_OPAL)) {
		pr_info("not a PowerNV (OPAL) host, nothing to do\n");
		return -ENODEV;
	}

	ddw_debugfs = debugfs_create_dir("spapr_ddw", NULL);
	pe_info_debugfs_init(ddw_debugfs);
	ret = ddw_window_init(ddw_debugfs);
	if (ret)
		goto out_debugfs;
	ret = ddw_glue_init(ddw_debugfs);
	if (ret)
		goto out_window;
	pr_info("version %s, %u IODA2 PEs\n", SPAPR_DDW_VERSION,
		pe_info_count());
	return 0;

out_window:
	ddw_window_exit();
out_debugfs:
	debugfs_remove(ddw_debugfs);
	return ret;
}

static void __exit pnv_ioda2_ddw_exit(void)
{
	ddw_glue_exit();
	ddw_window_exit();
	debugfs_remove(ddw_debugfs);
	pr_info("unloaded\n");
}

module_init(pnv_ioda2_ddw_init);
module_exit(pnv_ioda2_ddw_exit);

MODULE_DESCRIPTION("IODA2 Dynamic DMA Windows for PowerNV");
MODULE_AUTHOR("spapr-ddw developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(SPAPR_DDW_VERSION);
