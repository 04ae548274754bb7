// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the IOMMU core of Linux 6.1 needs from PowerNV for VFIO, which
 * powerpc only provides from 6.4 on: IOMMU ops that report cache coherency
 * and a blocking domain that takes a PE from the kernel while VFIO owns its
 * group.
 *
 * The platform has already put each PCI device in its PE's IOMMU group at
 * boot, and the 6.1 core probes only devices outside any group.  So the core
 * never probes ours (probe_device refuses everything); instead each PCI
 * device of an IODA2 PHB is "adopted": given the struct dev_iommu the core
 * would have made, pointing at its PHB's IOMMU device, and the record of its
 * PE once it is in the PE's group.  The core needs dev->iommu of every
 * device of a group VFIO claims or gives back, driver or not, and of a
 * device the platform adds to a claimed group.  So devices are adopted at
 * load if grouped, and when added to the bus, before the platform puts them
 * in a group (pcibios_bus_add_device()); their PE is recorded when in a
 * group at load or when a driver is about to bind (hotplug, SR-IOV VFs).
 * They are let go when they are deleted and at unload.  The blocking domain
 * is in glue_blocking.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <asm/iommu.h>
#include <asm/pci-bridge.h>

#include <pnv_ioda2_ddw.h>
#include "compat.h"
#include "glue.h"
#include "iommu_glue.h"
#include "pe_info.h"
#include "pe_owner.h"

/* One IOMMU device per IODA2 PHB, made at load and kept until unload. */
struct ddw_phb {
	struct list_head node;
	struct pci_controller *hose;
	struct iommu_device iommu;
	bool registered;
};

static LIST_HEAD(ddw_phbs);
/*
 * Serialises adoption and release of devices (dev->iommu), ddw_pe_get(),
 * closing and changes of ddw_phbs.  Taken under the device lock by the bus
 * notifier at BUS_NOTIFY_BIND_DRIVER, without it at ADD and DEL.
 */
static DEFINE_MUTEX(adopt_lock);
/* Set at unload: devices are no longer adopted, and still let go. */
static bool closing;
static bool nb_registered;
static bool glue_active;
/* Why the glue is not active, when it is not. */
static const char *inactive = "kernel has its own IOMMU ops";

struct ddw_glue_stats ddw_glue_stats;

static bool ddw_capable(struct device *dev, enum iommu_cap cap)
{
	/* IODA2 DMA is cache coherent. */
	return cap == IOMMU_CAP_CACHE_COHERENCY;
}

static struct iommu_device *ddw_probe_device(struct device *dev)
{
	/* Devices join through adoption, in the group the platform made. */
	return ERR_PTR(-ENODEV);
}

static const struct iommu_ops ddw_iommu_ops = {
	.capable = ddw_capable,
	.domain_alloc = ddw_domain_alloc,
	.probe_device = ddw_probe_device,
	.default_domain_ops = &ddw_blocking_ops,
	.owner = THIS_MODULE,
};

static struct ddw_phb *phb_of(struct pci_dev *pdev)
{
	struct pci_controller *hose = pci_bus_to_host(pdev->bus);
	struct ddw_phb *phb;

	list_for_each_entry(phb, &ddw_phbs, node)
		if (phb->hose == hose)
			return phb;
	return NULL;
}

static bool adopted_by_us(struct device *dev)
{
	struct ddw_phb *phb;

	if (!dev->iommu)
		return false;
	list_for_each_entry(phb, &ddw_phbs, node)
		if (dev->iommu->iommu_dev == &phb->iommu)
			return true;
	return false;
}

/* Give @pdev what the core's probe would have: dev->iommu for its PHB. */
static int adopt_dev(struct pci_dev *pdev, struct ddw_phb *phb)
{
	struct device *dev = &pdev->dev;
	struct dev_iommu *param;

	if (adopted_by_us(dev))
		return 0;
	if (dev->iommu) {
		pci_info(pdev, "has another IOMMU, not adopted\n");
		return -EBUSY;
	}
	param = kzalloc(sizeof(*param), GFP_KERNEL);
	if (!param)
		return -ENOMEM;
	mutex_init(&param->lock);
	param->iommu_dev = &phb->iommu;
	/* device_iommu_capable() reads it without our lock: whole or not at all. */
	smp_store_release(&dev->iommu, param);
	/* As in the core's probe, a missing sysfs link is not fatal. */
	iommu_device_link(&phb->iommu, dev);
	atomic_long_inc(&ddw_glue_stats.adopted);
	pci_dbg(pdev, "adopted\n");
	return 0;
}

static int release_dev(struct device *dev, void *target)
{
	struct dev_iommu *param = dev->iommu;

	if (dev != target || !adopted_by_us(dev))
		return 0;
	iommu_device_unlink(param->iommu_dev, dev);
	WRITE_ONCE(dev->iommu, NULL);
	mutex_destroy(&param->lock);
	kfree(param);
	atomic_long_inc(&ddw_glue_stats.released);
	return 0;
}

/*
 * The core reads dev->iommu of a grouped device twice under the group's
 * mutex (sysfs reserved_regions): a grouped device is let go under it.
 */
static void release(struct device *dev)
{
	struct iommu_group *grp = iommu_group_get(dev);

	lockdep_assert_held(&adopt_lock);
	if (grp) {
		iommu_group_for_each_dev(grp, dev, release_dev);
		iommu_group_put(grp);
	}
	/* Not grouped, or not yet on the group's list. */
	release_dev(dev, dev);
}

/*
 * Adopt @pdev if it is on an IODA2 PHB, and record its PE if it is in an
 * IODA2 PE's group already.  A device in a group that is no IODA2 PE's is
 * let go, if adopted when added.  With @grouped_only, an ungrouped device is
 * left to our notifier.
 */
static int adopt(struct pci_dev *pdev, bool grouped_only)
{
	struct iommu_table_group *table_group;
	struct device *dev = &pdev->dev;
	struct iommu_group *grp;
	struct ddw_phb *phb;
	struct ddw_pe *pe;

	lockdep_assert_held(&adopt_lock);
	if (closing)
		return 0;
	phb = phb_of(pdev);
	if (!phb)
		return 0;
	grp = iommu_group_get(dev);
	if (!grp)
		return grouped_only ? 0 : adopt_dev(pdev, phb);
	table_group = ddw_dev_table_group(dev, grp);
	pe = IS_ERR(table_group) ? ERR_CAST(table_group) : ddw_pe_get(table_group);
	iommu_group_put(grp);
	if (IS_ERR(pe)) {
		release(dev);
		return PTR_ERR(pe);
	}
	return adopt_dev(pdev, phb);
}

static int ddw_pci_notify(struct notifier_block *nb, unsigned long action,
			  void *data)
{
	struct device *dev = data;

	switch (action) {
	case BUS_NOTIFY_ADD_DEVICE:
	case BUS_NOTIFY_BIND_DRIVER:
		mutex_lock(&adopt_lock);
		adopt(to_pci_dev(dev), false);
		mutex_unlock(&adopt_lock);
		break;
	case BUS_NOTIFY_DEL_DEVICE:
		/*
		 * Before the core's own cleanup at BUS_NOTIFY_REMOVED_DEVICE,
		 * which would module_put() us; also while unloading.
		 */
		mutex_lock(&adopt_lock);
		release(dev);
		mutex_unlock(&adopt_lock);
		break;
	}
	return NOTIFY_DONE;
}

/*
 * After the IOMMU core's own notifier: at BUS_NOTIFY_ADD_DEVICE its probe,
 * which ours refuses, frees whatever dev->iommu it finds.
 */
static struct notifier_block ddw_pci_nb = {
	.notifier_call = ddw_pci_notify,
	.priority = -1,
};

static bool hose_is_ioda2(struct pci_controller *hose)
{
	return hose && hose->dn &&
	       (of_device_is_compatible(hose->dn, "ibm,ioda2-phb") ||
		of_device_is_compatible(hose->dn, "ibm,ioda3-phb"));
}

static int phb_add(struct pci_controller *hose)
{
	struct ddw_phb *phb;
	int ret;

	phb = kzalloc(sizeof(*phb), GFP_KERNEL);
	if (!phb)
		return -ENOMEM;
	phb->hose = hose;
	ret = iommu_device_sysfs_add(&phb->iommu, NULL, NULL, "pnv-ddw-phb%04x",
				     hose->global_number);
	if (ret)
		goto out_free;
	ret = iommu_device_register(&phb->iommu, &ddw_iommu_ops, NULL);
	if (ret)
		goto out_sysfs;
	phb->registered = true;
	mutex_lock(&adopt_lock);
	list_add_tail(&phb->node, &ddw_phbs);
	mutex_unlock(&adopt_lock);
	return 0;

out_sysfs:
	iommu_device_sysfs_remove(&phb->iommu);
out_free:
	kfree(phb);
	return ret;
}

static void phbs_remove(void)
{
	struct ddw_phb *phb, *next;
	LIST_HEAD(phbs);

	mutex_lock(&adopt_lock);
	list_splice_init(&ddw_phbs, &phbs);
	mutex_unlock(&adopt_lock);
	list_for_each_entry_safe(phb, next, &phbs, node) {
		iommu_device_unregister(&phb->iommu);
		iommu_device_sysfs_remove(&phb->iommu);
		list_del(&phb->node);
		kfree(phb);
	}
}

/*
 * The 6.1 core sets a bus's iommu_ops at registration and never clears them;
 * left set, they would point into this module once it is gone.
 */
static void bus_ops_clear(void)
{
	if (pci_bus_type.iommu_ops == &ddw_iommu_ops)
		pci_bus_type.iommu_ops = NULL;
	if (platform_bus_type.iommu_ops == &ddw_iommu_ops)
		platform_bus_type.iommu_ops = NULL;
}

static int glue_show(struct seq_file *m, void *unused)
{
	struct ddw_phb *phb;

	mutex_lock(&adopt_lock);
	if (glue_active)
		seq_puts(m, "active: yes\n");
	else
		seq_printf(m, "active: no (%s)\n", inactive);
	list_for_each_entry(phb, &ddw_phbs, node)
		seq_printf(m, "phb %04x: iommu %s\n", phb->hose->global_number,
			   dev_name(phb->iommu.dev));
	mutex_unlock(&adopt_lock);
	seq_printf(m, "adopted: %ld\nreleased: %ld\nblocked: %ld\nunblocked: %ld\nrefused: %ld\n",
		   atomic_long_read(&ddw_glue_stats.adopted),
		   atomic_long_read(&ddw_glue_stats.released),
		   atomic_long_read(&ddw_glue_stats.blocked),
		   atomic_long_read(&ddw_glue_stats.unblocked),
		   atomic_long_read(&ddw_glue_stats.refused));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(glue);

static int phbs_add(void)
{
	struct pci_bus *bus = NULL;
	int ret;

	while ((bus = pci_find_next_bus(bus))) {
		struct pci_controller *hose = pci_bus_to_host(bus);
		struct ddw_phb *phb;
		bool known = false;

		list_for_each_entry(phb, &ddw_phbs, node)
			known |= phb->hose == hose;
		if (known || !hose_is_ioda2(hose))
			continue;
		ret = phb_add(hose);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Only grouped devices: the platform groups a device after its
 * BUS_NOTIFY_ADD_DEVICE, where the core's probe frees any dev->iommu it
 * finds (ours too); an ungrouped one is adopted by our notifier, at ADD or
 * when a driver binds.  A device deleted meanwhile has left its group
 * before our DEL, which adopt_lock orders after this.  No device lock:
 * taken under the rescan lock, it would invert sriov_numvfs_store()'s order.
 */
static void adopt_all(void)
{
	struct pci_dev *pdev = NULL;

	for_each_pci_dev(pdev) {
		mutex_lock(&adopt_lock);
		adopt(pdev, true);
		mutex_unlock(&adopt_lock);
	}
}

/* Each under its device lock: vfio-pci's probe reads dev->iommu twice. */
static void release_all(void)
{
	struct pci_dev *pdev = NULL;

	for_each_pci_dev(pdev) {
		device_lock(&pdev->dev);
		mutex_lock(&adopt_lock);
		release(&pdev->dev);
		mutex_unlock(&adopt_lock);
		device_unlock(&pdev->dev);
	}
}

/*
 * Undo ddw_glue_init(), also a partial one: VFIO may claim a group from the
 * first IOMMU device registered on.
 */
static void glue_teardown(void)
{
	mutex_lock(&adopt_lock);
	closing = true;
	mutex_unlock(&adopt_lock);
	ddw_blocking_close();
	/* A claim holding a domain of ours still reads the bus ops. */
	ddw_claims_wait();
	bus_ops_clear();
	/* A claim that read them before may be about to call us. */
	ddw_claims_wait();
	release_all();
	ddw_blocking_domains_free();
	/* Last: a device deleted until now was let go at BUS_NOTIFY_DEL_DEVICE. */
	if (nb_registered)
		bus_unregister_notifier(&pci_bus_type, &ddw_pci_nb);
	nb_registered = false;
	ddw_pe_exit();
	/* Once no device has our dev->iommu: unregistering would release it. */
	phbs_remove();
	glue_active = false;
}

/*
 * Unload writes into the core's private struct iommu_group (compat.h); on a
 * kernel where it is laid out otherwise, nothing is registered.  Checked on
 * a group of our own, before any device could be adopted.
 */
static bool group_layout_ok(void)
{
	static int marker;
	struct iommu_group *grp = iommu_group_alloc();
	bool ok;

	if (IS_ERR(grp))
		return false;
	iommu_group_set_iommudata(grp, &marker, NULL);
	ok = compat_group_layout_ok(grp);
	iommu_group_put(grp);
	return ok;
}

/**
 * ddw_glue_init() - register the IOMMU ops and adopt the IODA2 devices
 * @dir: debugfs directory for the "iommu_glue" report
 *
 * Does nothing on a kernel whose buses already have IOMMU ops (powerpc has
 * its own from 6.4 on), or whose struct iommu_group compat.h does not match.
 *
 * Return: 0 or an errno, with nothing left registered.
 */
int ddw_glue_init(struct dentry *dir)
{
	int ret;

	debugfs_create_file("iommu_glue", 0400, dir, NULL, &glue_fops);
	if (pci_bus_type.iommu_ops || platform_bus_type.iommu_ops) {
		pr_info("the kernel has IOMMU ops already, not registering ours\n");
		return 0;
	}
	if (!group_layout_ok()) {
		inactive = "struct iommu_group is not the one of Linux 6.1";
		pr_err("%s: not registering IOMMU ops, vfio-pci will not bind\n", inactive);
		return 0;
	}

	/* No PCI device comes or goes meanwhile. */
	pci_lock_rescan_remove();
	ret = phbs_add();
	if (!ret)
		ret = bus_register_notifier(&pci_bus_type, &ddw_pci_nb);
	if (!ret) {
		nb_registered = true;
		adopt_all();
	}
	pci_unlock_rescan_remove();
	if (ret) {
		glue_teardown();
		return ret;
	}
	glue_active = !list_empty(&ddw_phbs);
	if (!glue_active)
		inactive = "no IODA2 PHB";
	return 0;
}

/**
 * ddw_glue_exit() - leave nothing of this module in the IOMMU core
 *
 * Every device stays in the group the platform made; the PEs keep the
 * kernel's DMA setup, which they have whenever no one owns them.
 */
void ddw_glue_exit(void)
{
	if (nb_registered)
		glue_teardown();
}
