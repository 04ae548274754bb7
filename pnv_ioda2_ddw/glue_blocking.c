// SPDX-License-Identifier: GPL-2.0-only
/*
 * The blocking domain of the IOMMU glue: what the 6.1 core attaches to a
 * group VFIO claims.  Attaching it takes the group's PE from the kernel
 * (the kernel's 32-bit window and the bypass go), detaching gives it back.
 * The core keeps a group's blocking domain until the group is released, so
 * unload takes back those it made.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/iommu.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/slab.h>

#include <pnv_ioda2_ddw.h>
#include "compat.h"
#include "glue.h"
#include "pe_info.h"
#include "pe_owner.h"

/**
 * struct ddw_blocking - the blocking domain of one IOMMU group
 * @domain: what the IOMMU core sees
 * @node: in blocking_list
 * @grp: the group, known from the first attach (the core allocates the
 *	domain without saying for which group, and attaches it at once)
 * @pe: the PE this domain holds owned while attached, or NULL
 *
 * No reference on @grp is held: the platform expects to drop the last one
 * when a PE goes away.  The group frees its blocking domain when it is
 * released, through blocking_free(), so @grp is valid as long as the domain
 * is on blocking_list.  @pe is used under the group's mutex: the core
 * attaches and detaches domains with it held.
 */
struct ddw_blocking {
	struct iommu_domain domain;
	struct list_head node;
	struct iommu_group *grp;
	struct ddw_pe *pe;
};

/*
 * Protects blocking_list and blocking_closed; taken under a group's mutex,
 * never around one.
 */
static DEFINE_MUTEX(blocking_lock);
static LIST_HEAD(blocking_list);
/* Set at unload: no blocking domain is made after. */
static bool blocking_closed;

static struct ddw_blocking *to_blocking(struct iommu_domain *domain)
{
	return container_of(domain, struct ddw_blocking, domain);
}

/* Called under the group's mutex, which pnv_ddw_table_group() takes. */
static struct ddw_pe *pe_of_dev(struct device *dev, struct iommu_group *grp)
{
	struct iommu_table_group *table_group = ddw_dev_table_group(dev, grp);

	return IS_ERR(table_group) ? NULL : ddw_pe_find(table_group);
}

static int blocking_attach_dev(struct iommu_domain *domain, struct device *dev)
{
	struct ddw_blocking *bd = to_blocking(domain);
	struct ddw_pe *pe;
	int ret;

	/* The core attaches every device of the group; the PE is one. */
	if (bd->pe)
		return 0;
	if (!bd->grp) {
		if (!dev->iommu_group)
			return -ENODEV;
		mutex_lock(&blocking_lock);
		bd->grp = dev->iommu_group;
		mutex_unlock(&blocking_lock);
	}
	pe = pe_of_dev(dev, bd->grp);
	if (!pe) {
		atomic_long_inc(&ddw_glue_stats.refused);
		return -ENODEV;
	}
	ret = ddw_pe_own(pe);
	if (ret)
		return ret;
	bd->pe = pe;
	atomic_long_inc(&ddw_glue_stats.blocked);
	return 0;
}

static void blocking_detach_dev(struct iommu_domain *domain, struct device *dev)
{
	struct ddw_blocking *bd = to_blocking(domain);

	if (!bd->pe)
		return;
	ddw_pe_disown(bd->pe);
	bd->pe = NULL;
	atomic_long_inc(&ddw_glue_stats.unblocked);
}

static void blocking_free(struct iommu_domain *domain)
{
	struct ddw_blocking *bd = to_blocking(domain);

	WARN_ON_ONCE(bd->pe);
	mutex_lock(&blocking_lock);
	list_del(&bd->node);
	mutex_unlock(&blocking_lock);
	kfree(bd);
}

const struct iommu_domain_ops ddw_blocking_ops = {
	.attach_dev = blocking_attach_dev,
	.detach_dev = blocking_detach_dev,
	.free = blocking_free,
};

struct iommu_domain *ddw_domain_alloc(unsigned int type)
{
	struct ddw_blocking *bd;

	/* DMA through a PE owned by userspace goes through VFIO's windows. */
	if (type != IOMMU_DOMAIN_BLOCKED)
		return NULL;
	bd = kzalloc(sizeof(*bd), GFP_KERNEL);
	if (!bd)
		return NULL;
	bd->domain.ops = &ddw_blocking_ops;
	bd->domain.geometry.aperture_end = ~0ULL;
	bd->domain.geometry.force_aperture = true;
	mutex_lock(&blocking_lock);
	if (blocking_closed) {
		mutex_unlock(&blocking_lock);
		kfree(bd);
		return NULL;
	}
	list_add_tail(&bd->node, &blocking_list);
	mutex_unlock(&blocking_lock);
	return &bd->domain;
}

static int group_mutex_noop(struct device *dev, void *unused)
{
	return 0;
}

static int group_mutex_wait(struct device *dev, void *unused)
{
	struct iommu_group *grp = iommu_group_get(dev);

	if (grp) {
		iommu_group_for_each_dev(grp, NULL, group_mutex_noop);
		iommu_group_put(grp);
	}
	return 0;
}

/*
 * Wait for every claim under way.  The core holds a group's mutex from
 * reading the bus's iommu_ops to attaching the domain it got from them,
 * and its domain allocation reads the ops again after ours returns.
 */
void ddw_claims_wait(void)
{
	bus_for_each_dev(&pci_bus_type, NULL, NULL, group_mutex_wait);
	bus_for_each_dev(&platform_bus_type, NULL, NULL, group_mutex_wait);
}

/*
 * Take back each blocking domain this module made from its group.  Called
 * once no new domain can be made (blocking_closed), no claim can reach the
 * allocator (the bus ops are cleared) and no PE is owned (each owner pins
 * the module).  A claim may still find a domain of ours cached in its group:
 * its attach fails (ddw_pe_own() cannot pin a module going away), and the
 * domain is taken out under the group's mutex.  A group being released
 * meanwhile frees its domain through blocking_free(): waited for.
 */
void ddw_blocking_domains_free(void)
{
	struct ddw_blocking *bd, *next;
	bool again;

	do {
		LIST_HEAD(held);

		/*
		 * Under blocking_lock, a listed domain's group is not freed.
		 * References on the group's own kobject, not the devices_kobj
		 * of iommu_group_get(): that one is freed first.
		 */
		mutex_lock(&blocking_lock);
		list_for_each_entry_safe(bd, next, &blocking_list, node) {
			if (bd->grp &&
			    kobject_get_unless_zero(&compat_group(bd->grp)->kobj))
				list_move_tail(&bd->node, &held);
		}
		again = !list_empty(&blocking_list);
		mutex_unlock(&blocking_lock);

		list_for_each_entry_safe(bd, next, &held, node) {
			struct compat_iommu_group *cg = compat_group(bd->grp);

			mutex_lock(&cg->mutex);
			WARN_ON_ONCE(cg->domain == &bd->domain || bd->pe);
			if (cg->blocking_domain == &bd->domain)
				cg->blocking_domain = NULL;
			mutex_unlock(&cg->mutex);
			kobject_put(&cg->kobj);
			list_del(&bd->node);
			kfree(bd);
		}
		if (again)
			usleep_range(1000, 2000);
	} while (again);
}

/* At unload: no blocking domain is made after. */
void ddw_blocking_close(void)
{
	mutex_lock(&blocking_lock);
	blocking_closed = true;
	mutex_unlock(&blocking_lock);
}
