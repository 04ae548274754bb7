// SPDX-License-Identifier: GPL-2.0-only
/*
 * PE (IOMMU group) discovery on IODA2 PHBs and its debugfs report.
 */
#include <linux/debugfs.h>
#include <linux/iommu.h>
#include <linux/of.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/xarray.h>
#include <asm/iommu.h>
#include <asm/pci-bridge.h>

#include <pnv_ioda2_ddw.h>
#include "pe_info.h"
#include "pe_owner.h"

/* PHB3 (POWER8) is IODA2; PHB4 (POWER9) is IODA3, driven by the same code. */
static const char *const ioda2_compatibles[] = {
	"ibm,ioda2-phb",
	"ibm,ioda3-phb",
};

static bool pdev_on_ioda2_phb(struct pci_dev *pdev)
{
	struct pci_controller *hose = pci_bus_to_host(pdev->bus);
	unsigned int i;

	if (!hose || !hose->dn)
		return false;
	for (i = 0; i < ARRAY_SIZE(ioda2_compatibles); i++)
		if (of_device_is_compatible(hose->dn, ioda2_compatibles[i]))
			return true;
	return false;
}

static int first_pci_dev(struct device *dev, void *data)
{
	struct pci_dev **pdev = data;

	if (!dev_is_pci(dev))
		return 0;
	*pdev = to_pci_dev(dev);
	return 1;
}

/**
 * ddw_dev_table_group() - the IODA2 table group of a device's IOMMU group
 * @dev: a device
 * @grp: its IOMMU group
 *
 * Does not take the group's mutex, so the IOMMU core's callbacks may use it.
 *
 * Return: the table group, or ERR_PTR(-ENODEV).
 */
struct iommu_table_group *ddw_dev_table_group(struct device *dev,
					      struct iommu_group *grp)
{
	struct iommu_table_group *table_group;

	if (!dev_is_pci(dev) || !pdev_on_ioda2_phb(to_pci_dev(dev)))
		return ERR_PTR(-ENODEV);
	table_group = iommu_group_get_iommudata(grp);
	if (!table_group || table_group->group != grp)
		return ERR_PTR(-ENODEV);
	return table_group;
}

/**
 * pnv_ddw_table_group() - the IODA2 table group behind an IOMMU group
 * @grp: an IOMMU group
 *
 * The PowerNV platform code registers one IOMMU group per PE and stores the
 * PE's &struct iommu_table_group as the group's iommudata.  Only groups of
 * PCI devices under an IODA2/IODA3 PHB are accepted, so that the iommudata
 * of other drivers is never misread.  Takes the group's mutex.
 *
 * Return: the table group, or ERR_PTR(-ENODEV) if @grp is not an IODA2 PE.
 * The table group lives as long as the PE, i.e. as long as the caller holds
 * a reference on @grp.
 */
struct iommu_table_group *pnv_ddw_table_group(struct iommu_group *grp)
{
	struct pci_dev *pdev = NULL;

	iommu_group_for_each_dev(grp, &pdev, first_pci_dev);
	if (!pdev)
		return ERR_PTR(-ENODEV);
	return ddw_dev_table_group(&pdev->dev, grp);
}
EXPORT_SYMBOL_GPL(pnv_ddw_table_group);

/**
 * pnv_ddw_get_caps() - the DMA window capabilities of a PE
 * @table_group: the PE's table group, from pnv_ddw_table_group()
 * @caps: filled in
 *
 * Page sizes and level counts differ between PHB generations (POWER8:
 * 4K/64K/16M/256M, POWER9: 4K/64K/2M/1G); callers take them from here and
 * never assume them.
 */
void pnv_ddw_get_caps(const struct iommu_table_group *table_group,
		      struct pnv_ddw_caps *caps)
{
	caps->tce32_start = table_group->tce32_start;
	caps->tce32_size = table_group->tce32_size;
	caps->pgsizes = table_group->pgsizes;
	caps->max_windows = table_group->max_dynamic_windows_supported;
	caps->max_levels = table_group->max_levels;
}
EXPORT_SYMBOL_GPL(pnv_ddw_get_caps);

/*
 * Calls @fn once for each IODA2 PE that has at least one PCI device, with a
 * reference on its group held across the call.
 */
static int for_each_ioda2_pe(int (*fn)(struct iommu_group *grp,
				       struct iommu_table_group *table_group,
				       void *data),
			     void *data)
{
	struct pci_dev *pdev = NULL;
	struct xarray seen;
	int ret = 0;

	xa_init(&seen);
	for_each_pci_dev(pdev) {
		struct iommu_table_group *table_group;
		struct iommu_group *grp;

		if (!pdev_on_ioda2_phb(pdev))
			continue;
		grp = iommu_group_get(&pdev->dev);
		if (!grp)
			continue;
		table_group = pnv_ddw_table_group(grp);
		if (!IS_ERR(table_group) &&
		    xa_insert(&seen, iommu_group_id(grp), grp, GFP_KERNEL) == 0)
			ret = fn(grp, table_group, data);
		iommu_group_put(grp);
		if (ret) {
			pci_dev_put(pdev);
			break;
		}
	}
	xa_destroy(&seen);
	return ret;
}

static int count_pe(struct iommu_group *grp,
		    struct iommu_table_group *table_group, void *data)
{
	(*(unsigned int *)data)++;
	return 0;
}

unsigned int pe_info_count(void)
{
	unsigned int n = 0;

	for_each_ioda2_pe(count_pe, &n);
	return n;
}

static int show_dev(struct device *dev, void *data)
{
	seq_printf(data, " %s", dev_name(dev));
	return 0;
}

static void show_pgsizes(struct seq_file *m, u64 pgsizes)
{
	static const char units[] = "KMGTPE";
	unsigned int shift;

	for (shift = 10; shift < BITS_PER_TYPE(pgsizes); shift++)
		if (pgsizes & BIT_ULL(shift))
			seq_printf(m, " %llu%c", BIT_ULL(shift % 10),
				   units[shift / 10 - 1]);
}

/* Called with the PE's windows stable: see ddw_pe_show(). */
static void show_windows(struct seq_file *m, struct iommu_table_group *table_group)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(table_group->tables); i++) {
		struct iommu_table *tbl = table_group->tables[i];

		if (!tbl)
			continue;
		seq_printf(m, "  window %u: bus 0x%lx size 0x%lx page_shift %lu levels %lu it_allocated_size %lu\n",
			   i, tbl->it_offset << tbl->it_page_shift,
			   tbl->it_size << tbl->it_page_shift, tbl->it_page_shift,
			   tbl->it_indirect_levels + 1, tbl->it_allocated_size);
	}
}

static int show_pe(struct iommu_group *grp,
		   struct iommu_table_group *table_group, void *data)
{
	struct seq_file *m = data;
	struct pci_dev *pdev = NULL;
	struct pnv_ddw_caps caps;

	iommu_group_for_each_dev(grp, &pdev, first_pci_dev);
	pnv_ddw_get_caps(table_group, &caps);
	seq_printf(m, "group %d:", iommu_group_id(grp));
	iommu_group_for_each_dev(grp, m, show_dev);
	seq_printf(m, "\n  tce32_window: start 0x%llx size 0x%llx\n",
		   caps.tce32_start, caps.tce32_size);
	seq_puts(m, "  page_sizes:");
	show_pgsizes(m, caps.pgsizes);
	seq_printf(m, "\n  max_windows: %u\n  max_levels: %u\n",
		   caps.max_windows, caps.max_levels);
	ddw_pe_show(m, grp, table_group, show_windows, pdev && !pdev->is_virtfn);
	return 0;
}

static int pes_show(struct seq_file *m, void *unused)
{
	return for_each_ioda2_pe(show_pe, m);
}
DEFINE_SHOW_ATTRIBUTE(pes);

void pe_info_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("pes", 0400, dir, NULL, &pes_fops);
}
