/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _PNV_DDW_PE_OWNER_H
#define _PNV_DDW_PE_OWNER_H

#include <linux/list.h>
#include <linux/mutex.h>

struct iommu_group;
struct iommu_table;
struct iommu_table_group;
struct seq_file;

/**
 * struct ddw_pe - what this module keeps about one IODA2 PE
 * @node: in the PE list (pe_list_lock)
 * @table_group: the PE's table group; it lives in the PHB's PE array, as
 *	long as the PHB, whatever happens to the PE's devices and group
 * @lock: protects @owners and the PE's windows (table_group->tables)
 *	against every change through the PE's ops; taken under the IOMMU
 *	group's mutex (6.1) and a container's lock; on 6.12 the group's
 *	mutex is taken under it, and the kernel's take and release at a
 *	claim change tables[0] under that mutex alone
 * @owners: how many owners (blocking domain, VFIO backends) hold the PE out
 *	of the kernel's DMA setup; on 6.1 the hardware is taken by the first
 *	and handed back by the last, on 6.12 they use the group's claim;
 *	written under @lock, read without it by 6.12's interposed take
 * @takes: times @owners went from 0 to 1 (6.1: the hardware was taken)
 * @releases: times it went back to 0 (6.1: the hardware was handed back)
 * @kernel_back: 6.12: the platform restored the kernel's windows when the
 *	group's claim was released, and no take came since; under the
 *	group's mutex
 *
 * Records are added as PEs are found and freed only at module exit.
 */
struct ddw_pe {
	struct list_head node;
	struct iommu_table_group *table_group;
	struct mutex lock;	/* protects owners and windows */
	unsigned int owners;
	unsigned long takes;
	unsigned long releases;
	bool kernel_back;
};

struct ddw_pe *ddw_pe_get(struct iommu_table_group *table_group);
struct ddw_pe *ddw_pe_find(struct iommu_table_group *table_group);
int ddw_pe_own(struct ddw_pe *pe);
void ddw_pe_disown(struct ddw_pe *pe);
long ddw_pe_set_window(struct ddw_pe *pe, int num, struct iommu_table *tbl);
void ddw_pe_unset_window(struct ddw_pe *pe, int num);
void ddw_pe_show(struct seq_file *m, struct iommu_group *grp,
		 struct iommu_table_group *table_group,
		 void (*show)(struct seq_file *m,
			      struct iommu_table_group *table_group),
		 bool kernel_stable);
void ddw_ioda2_tce_kill(struct iommu_table *tbl, unsigned long index,
			unsigned long pages);
void ddw_pe_exit(void);

#endif /* _PNV_DDW_PE_OWNER_H */
