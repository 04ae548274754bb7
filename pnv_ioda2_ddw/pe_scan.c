// SPDX-License-Identifier: GPL-2.0-only
/*
 * Finding IODA2 PEs on kernels whose IOMMU ops serve PowerNV themselves
 * (6.4 and later; built for 6.12 by kbuild.mk).  The kernel's platform and
 * blocked domains take and give back PEs for VFIO, so nothing is adopted
 * and dev->iommu stays the core's: PEs are only recorded (ddw_pe_get()), by
 * a walk of the PCI devices at load and, for devices added later, from a
 * PCI bus notifier.  A hot-added device has no group at its
 * BUS_NOTIFY_ADD_DEVICE yet (the platform sets its PE's DMA up when the bus
 * adds it, after), hence also BUS_NOTIFY_BIND_DRIVER: VFIO claims a group
 * only once vfio-pci is bound to its devices.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/iommu.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <asm/iommu.h>

#include "iommu_glue.h"
#include "pe_info.h"
#include "pe_owner.h"

/* Keeps two callers of ddw_pe_get() from adding the same PE. */
static DEFINE_MUTEX(scan_lock);

/* Record the PE of @dev, if it has one on an IODA2 PHB. */
static void scan_dev(struct device *dev)
{
	struct iommu_table_group *table_group;
	struct iommu_group *grp;
	struct ddw_pe *pe;

	grp = iommu_group_get(dev);
	if (!grp)
		return;
	table_group = ddw_dev_table_group(dev, grp);
	if (!IS_ERR(table_group)) {
		mutex_lock(&scan_lock);
		pe = ddw_pe_get(table_group);
		mutex_unlock(&scan_lock);
		/* -EOPNOTSUPP: not the IODA2 ops; the PE is not offered. */
		if (PTR_ERR_OR_ZERO(pe) == -ENOMEM)
			dev_warn(dev, "PE of group %d not recorded: out of memory\n",
				 iommu_group_id(grp));
	}
	iommu_group_put(grp);
}

static int ddw_pci_notify(struct notifier_block *nb, unsigned long action,
			  void *data)
{
	if (action == BUS_NOTIFY_ADD_DEVICE ||
	    action == BUS_NOTIFY_BIND_DRIVER)
		scan_dev(data);
	return NOTIFY_DONE;
}

static struct notifier_block ddw_pci_nb = {
	.notifier_call = ddw_pci_notify,
};

/**
 * ddw_glue_init() - record the IODA2 PEs, now and as devices come
 * @dir: the module's debugfs directory (unused: nothing is adopted)
 *
 * The notifier goes first, so that no device added meanwhile is missed;
 * ddw_pe_get() finds a PE recorded twice.
 *
 * Return: 0, or the errno of bus_register_notifier().
 */
int ddw_glue_init(struct dentry *dir)
{
	struct pci_dev *pdev = NULL;
	int ret;

	ret = bus_register_notifier(&pci_bus_type, &ddw_pci_nb);
	if (ret)
		return ret;
	for_each_pci_dev(pdev)
		scan_dev(&pdev->dev);
	pr_info("the kernel's IOMMU ops own PEs: windows for groups claimed from it\n");
	return 0;
}

/**
 * ddw_glue_exit() - forget the PEs
 *
 * No PE is owned (each owner pins the module); the notifier is gone
 * before the records, and ddw_pe_exit() gives the PEs their ops back.
 */
void ddw_glue_exit(void)
{
	bus_unregister_notifier(&pci_bus_type, &ddw_pci_nb);
	ddw_pe_exit();
}
