/* SPDX-License-Identifier: GPL-2.0-only */
/* The test modules' lookup of an IOMMU group by its number. */
#ifndef DDW_TEST_GROUP_BY_ID_H
#define DDW_TEST_GROUP_BY_ID_H

#include <linux/iommu.h>
#include <linux/pci.h>

struct group_match {
	int id;
	struct iommu_group *grp;
};

static inline int group_match_dev(struct device *dev, void *data)
{
	struct group_match *m = data;
	struct iommu_group *g = iommu_group_get(dev);

	if (!g)
		return 0;
	if (iommu_group_id(g) == m->id) {
		m->grp = g;
		return 1;
	}
	iommu_group_put(g);
	return 0;
}

/*
 * A PCI device's group of number @id, with a reference, or NULL
 * (iommu_group_get_by_id() went in 6.4).
 */
static inline struct iommu_group *group_by_id(int id)
{
	struct group_match m = { .id = id };

	bus_for_each_dev(&pci_bus_type, NULL, &m, group_match_dev);
	return m.grp;
}

#endif
