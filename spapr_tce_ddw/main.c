// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr_tce_ddw: the "spapr-tce-v2" VFIO IOMMU backend of spapr-ddw, built
 * on the pnv_ioda2_ddw API.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/module.h>

#include <pnv_ioda2_ddw.h>

/* Per-container debugfs entries go below this directory. */
static struct dentry *vfio_debugfs;

static int __init spapr_tce_ddw_init(void)
{
	vfio_debugfs = debugfs_create_dir("vfio", pnv_ddw_debugfs_dir());
	pr_info("version %s\n", SPAPR_DDW_VERSION);
	return 0;
}

static void __exit spapr_tce_ddw_exit(void)
{
	debugfs_remove(vfio_debugfs);
	pr_info("unloaded\n");
}

module_init(spapr_tce_ddw_init);
module_exit(spapr_tce_ddw_exit);

MODULE_DESCRIPTION("sPAPR TCE VFIO IOMMU backend with Dynamic DMA Windows");
MODULE_AUTHOR("spapr-ddw developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(SPAPR_DDW_VERSION);
