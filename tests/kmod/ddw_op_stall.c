// SPDX-License-Identifier: GPL-2.0-only
/*
 * Holds the next call of the IODA2 platform's create_table op until
 * pnv_ioda2_ddw has been unloaded, so that a test can unload it while the
 * in-tree VFIO backend is inside a PE op it reached through the PE's ops
 * (Linux 6.12: the in-tree backend does not pin pnv_ioda2_ddw).  Whatever
 * called the op is returned to afterwards: if that was pnv_ioda2_ddw's text,
 * the return is into freed memory.
 *
 * Load it before pnv_ioda2_ddw: it learns the platform's create_table from
 * a PE's ops while they are still the platform's.  A kprobe on
 * pnv_pci_ioda2_create_table_userspace() sends the first call to
 * op_stall(), which waits for pnv_ioda2_ddw's unload to end (its GOING
 * notification comes after its exit), gives the module loader time to free
 * it, and then calls the platform's op.  Test code only: never load it
 * elsewhere.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/iommu.h>
#include <linux/jiffies.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/vmalloc.h>
#include <asm/iommu.h>
#include <asm/ptrace.h>

#include "kprobe_enter.h"

/* 1: a call waits in op_stall(); 2: it went on after the unload; 3: no unload came. */
static int stalled;
module_param(stalled, int, 0444);
MODULE_PARM_DESC(stalled, "0: no call yet, 1: a call is held, 2: released after the unload, 3: timed out");

static long (*platform_create)(struct iommu_table_group *table_group, int num,
			       __u32 page_shift, __u64 window_size, __u32 levels,
			       struct iommu_table **ptbl);
static atomic_t armed = ATOMIC_INIT(1);
static bool ddw_gone;
static unsigned long caller;

static long op_stall(struct iommu_table_group *table_group, int num,
		     __u32 page_shift, __u64 window_size, __u32 levels,
		     struct iommu_table **ptbl)
{
	unsigned long end = jiffies + 30 * HZ;

	pr_info("create_table held until pnv_ioda2_ddw unloads; it returns to %pS\n",
		(void *)caller);
	WRITE_ONCE(stalled, 1);
	while (!READ_ONCE(ddw_gone) && time_before(jiffies, end))
		msleep(20);
	if (READ_ONCE(ddw_gone)) {
		/* free_module() follows the GOING notification. */
		msleep(2000);
		WRITE_ONCE(stalled, 2);
	} else {
		WRITE_ONCE(stalled, 3);
	}
	return platform_create(table_group, num, page_shift, window_size,
			       levels, ptbl);
}

static int create_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (atomic_xchg(&armed, 0) != 1)
		return 0;
	caller = regs->link;
	return kprobe_enter(regs, op_stall);
}

static struct kprobe create_kp = {
	.symbol_name = "pnv_pci_ioda2_create_table_userspace",
	.pre_handler = create_pre,
};

static int ddw_notify(struct notifier_block *nb, unsigned long state, void *data)
{
	struct module *mod = data;

	if (state == MODULE_STATE_GOING && !strcmp(mod->name, "pnv_ioda2_ddw"))
		WRITE_ONCE(ddw_gone, true);
	return NOTIFY_DONE;
}

static struct notifier_block ddw_nb = {
	.notifier_call = ddw_notify,
};

/* The platform's create_table, from the first PE with IOMMU ops. */
static int find_platform_create(void)
{
	struct pci_dev *pdev = NULL;

	for_each_pci_dev(pdev) {
		struct iommu_group *grp = iommu_group_get(&pdev->dev);
		struct iommu_table_group *tg;

		if (!grp)
			continue;
		tg = iommu_group_get_iommudata(grp);
		if (tg && tg->ops && tg->ops->create_table)
			platform_create = tg->ops->create_table;
		iommu_group_put(grp);
		if (platform_create) {
			pci_dev_put(pdev);
			break;
		}
	}
	return platform_create ? 0 : -ENODEV;
}

static int __init op_stall_init(void)
{
	int ret;

	ret = find_platform_create();
	if (ret)
		return ret;
	/* pnv_ioda2_ddw's op, not the platform's: it was loaded first. */
	if (is_vmalloc_or_module_addr(platform_create))
		return -EBUSY;
	ret = register_module_notifier(&ddw_nb);
	if (ret)
		return ret;
	ret = register_kprobe(&create_kp);
	if (ret) {
		pr_err("kprobe on %s: %d\n", create_kp.symbol_name, ret);
		unregister_module_notifier(&ddw_nb);
	}
	return ret;
}

static void __exit op_stall_exit(void)
{
	unregister_kprobe(&create_kp);
	unregister_module_notifier(&ddw_nb);
}

module_init(op_stall_init);
module_exit(op_stall_exit);
MODULE_DESCRIPTION("spapr-ddw test: an in-tree VFIO call held in a PE op across pnv_ioda2_ddw's unload");
MODULE_LICENSE("GPL");
