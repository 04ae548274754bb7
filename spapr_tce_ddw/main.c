// SPDX-License-Identifier: GPL-2.0-only
/*
 * spapr_tce_ddw: the "spapr-tce-v2" VFIO IOMMU backend of spapr-ddw, built
 * on the pnv_ioda2_ddw API.
 *
 * VFIO keeps its IOMMU drivers in a list and gives a new container to the
 * first one that accepts the type asked for; drivers registered later come
 * first.  This module needs vfio, whose own soft dependency loads the
 * in-tree vfio_iommu_spapr_tce first: loaded after it, spapr-tce-v2 serves
 * every new sPAPR container.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/vfio.h>

#include <pnv_ioda2_ddw.h>
#include "compat_vfio.h"
#include "container.h"
#include "debugfs.h"
#include "ioctl.h"

static void *ddw_open(unsigned long arg)
{
	struct ddw_container *c;

	if (arg != VFIO_SPAPR_TCE_IOMMU && arg != VFIO_SPAPR_TCE_v2_IOMMU)
		return ERR_PTR(-EINVAL);
	c = ddw_container_open(arg == VFIO_SPAPR_TCE_v2_IOMMU);
	if (!IS_ERR(c))
		pr_debug("container %d (%s) for pid %d\n", c->id,
			 c->v2 ? "v2" : "v1", task_tgid_nr(current));
	return c;
}

static void ddw_release(void *iommu_data)
{
	ddw_container_release(iommu_data);
}

static long ddw_eeh_pe_op(struct ddw_container *c, unsigned int cmd,
			  unsigned long arg)
{
	struct ddw_group *g;
	long ret = -ENXIO;

	mutex_lock(&c->lock);
	list_for_each_entry(g, &c->groups, node) {
		ret = compat_eeh_ioctl(g->grp, cmd, arg);
		if (ret)
			break;
	}
	mutex_unlock(&c->lock);
	return ret;
}

static long ddw_vfio_ioctl(void *iommu_data, unsigned int cmd,
			   unsigned long arg)
{
	struct ddw_container *c = iommu_data;

	if (cmd == VFIO_CHECK_EXTENSION) {
		switch (arg) {
		case VFIO_SPAPR_TCE_IOMMU:
		case VFIO_SPAPR_TCE_v2_IOMMU:
			return 1;
		case VFIO_EEH:
			return compat_eeh_ioctl(NULL, cmd, arg) > 0;
		default:
			return 0;
		}
	}
	if (WARN_ON_ONCE(!c))
		return -EINVAL;
	if (cmd == VFIO_EEH_PE_OP)
		return c->mm == current->mm ? ddw_eeh_pe_op(c, cmd, arg) : -EPERM;
	return ddw_ioctl(c, cmd, (void __user *)arg);
}

static int ddw_attach_group(void *iommu_data, struct iommu_group *grp,
			    enum vfio_group_type type)
{
	if (type != VFIO_IOMMU)
		return -EINVAL;
	return ddw_container_attach(iommu_data, grp);
}

static void ddw_detach_group(void *iommu_data, struct iommu_group *grp)
{
	ddw_container_detach(iommu_data, grp);
}

static const struct vfio_iommu_driver_ops ddw_vfio_ops = {
	.name = "spapr-tce-v2",
	.owner = THIS_MODULE,
	.open = ddw_open,
	.release = ddw_release,
	.ioctl = ddw_vfio_ioctl,
	.attach_group = ddw_attach_group,
	.detach_group = ddw_detach_group,
};

static int __init spapr_tce_ddw_init(void)
{
	int ret;

	ddw_debugfs_init();
	ret = vfio_register_iommu_driver(&ddw_vfio_ops);
	if (ret) {
		ddw_debugfs_exit();
		return ret;
	}
	pr_info("version %s, VFIO IOMMU driver spapr-tce-v2 registered\n",
		SPAPR_DDW_VERSION);
	return 0;
}

static void __exit spapr_tce_ddw_exit(void)
{
	vfio_unregister_iommu_driver(&ddw_vfio_ops);
	ddw_prereg_exit();
	ddw_debugfs_exit();
	pr_info("unloaded\n");
}

module_init(spapr_tce_ddw_init);
module_exit(spapr_tce_ddw_exit);

MODULE_DESCRIPTION("sPAPR TCE VFIO IOMMU backend with Dynamic DMA Windows");
MODULE_AUTHOR("spapr-ddw developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(SPAPR_DDW_VERSION);
