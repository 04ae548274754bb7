// SPDX-License-Identifier: GPL-2.0-only
/*
 * Holds the next blocking domain allocation of pnv_ioda2_ddw until that
 * module is being unloaded, so that a test can unload it while a VFIO claim
 * is inside it: the claim has read the PCI bus's iommu_ops (ours) and holds
 * its group's mutex.
 *
 * A kprobe on ddw_domain_alloc() sends the first IOMMU_DOMAIN_BLOCKED call
 * to claim_stall(), which waits for the unload to begin, gives it time to
 * reach the point where it waits for claims, and then calls the allocator
 * the bus ops pointed to when this module loaded.  Test code only: never
 * load it elsewhere.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/iommu.h>
#include <linux/jiffies.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <asm/ptrace.h>

#include "kprobe_enter.h"

/* 1: a claim waits in claim_stall(); 2: it went on; 3: no unload came. */
static int stalled;
module_param(stalled, int, 0444);
MODULE_PARM_DESC(stalled, "0: no claim yet, 1: a claim is held, 2: released by the unload, 3: timed out");

static struct iommu_domain *(*ddw_alloc)(unsigned int type);
/* Unloading it waits for the claim, so it is not freed while we look. */
static struct module *ddw_mod;
static atomic_t armed = ATOMIC_INIT(1);

static struct iommu_domain *claim_stall(unsigned int type)
{
	unsigned long end = jiffies + 30 * HZ;

	pr_info("claim held in pnv_ioda2_ddw's domain_alloc until it unloads\n");
	WRITE_ONCE(stalled, 1);
	while (READ_ONCE(ddw_mod->state) != MODULE_STATE_GOING &&
	       time_before(jiffies, end))
		msleep(20);
	if (READ_ONCE(ddw_mod->state) == MODULE_STATE_GOING) {
		/* Until its exit waits for this claim. */
		msleep(500);
		WRITE_ONCE(stalled, 2);
	} else {
		WRITE_ONCE(stalled, 3);
	}
	/* Whatever the module unload left there. */
	return ddw_alloc(type);
}

static int claim_pre(struct kprobe *p, struct pt_regs *regs)
{
	/* Only a claim: the first argument is the domain type. */
	if (regs->gpr[3] != IOMMU_DOMAIN_BLOCKED || atomic_xchg(&armed, 0) != 1)
		return 0;
	return kprobe_enter(regs, claim_stall);
}

static struct kprobe claim_kp = {
	.symbol_name = "ddw_domain_alloc",
	.pre_handler = claim_pre,
};

static int __init claim_stall_init(void)
{
	const struct iommu_ops *ops = READ_ONCE(pci_bus_type.iommu_ops);
	int ret;

	if (!ops || !ops->owner || strcmp(ops->owner->name, "pnv_ioda2_ddw"))
		return -ENODEV;
	ddw_mod = ops->owner;
	ddw_alloc = ops->domain_alloc;
	ret = register_kprobe(&claim_kp);
	if (ret)
		pr_err("kprobe on ddw_domain_alloc: %d\n", ret);
	return ret;
}

static void __exit claim_stall_exit(void)
{
	unregister_kprobe(&claim_kp);
}

module_init(claim_stall_init);
module_exit(claim_stall_exit);
MODULE_DESCRIPTION("spapr-ddw test: a VFIO claim held inside pnv_ioda2_ddw");
MODULE_LICENSE("GPL");
