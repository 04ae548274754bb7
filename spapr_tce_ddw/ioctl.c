// SPDX-License-Identifier: GPL-2.0-only
/*
 * The uAPI of spapr-tce-v2: the sPAPR TCE ioctls of <linux/vfio.h>,
 * unchanged.  One table says each ioctl's minimum argsz; the argument is
 * copied in once; handlers validate, call container.c, answer.
 */
#include <linux/bug.h>
#include <linux/build_bug.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#include <pnv_ioda2_ddw.h>
#include "container.h"
#include "ioctl.h"

union ddw_ioctl_arg {
	struct vfio_iommu_spapr_tce_info info;
	struct vfio_iommu_type1_dma_map map;
	struct vfio_iommu_type1_dma_unmap unmap;
	struct vfio_iommu_spapr_register_memory reg;
	struct vfio_iommu_spapr_tce_create create;
	struct vfio_iommu_spapr_tce_remove remove;
};

/* Which container types an ioctl is for; the other gets -ENOTTY. */
#define DDW_V1	BIT(0)
#define DDW_V2	BIT(1)

struct ddw_ioctl {
	unsigned int cmd;
	const char *name;	/* in debugfs */
	unsigned int types;	/* DDW_V1, DDW_V2 */
	size_t min_size;	/* argsz below this: -EINVAL; 0: no argument */
	/* Bytes copied back if argsz holds them all, else min_size's. */
	size_t out_size;
	bool needs_groups;
	long (*handler)(struct ddw_container *c, union ddw_ioctl_arg *arg,
			size_t argsz);
	/* Takes back what the handler did, when its answer cannot be copied out. */
	void (*undo)(struct ddw_container *c, union ddw_ioctl_arg *arg);
};

static long ddw_get_info(struct ddw_container *c, union ddw_ioctl_arg *arg,
			 size_t argsz)
{
	struct vfio_iommu_spapr_tce_info *info = &arg->info;
	struct pnv_ddw_caps caps;

	pnv_ddw_get_caps(ddw_container_table_group(c), &caps);
	info->dma32_window_start = caps.tce32_start;
	info->dma32_window_size = caps.tce32_size;
	info->flags = 0;
	/* v1 has the default window only: no DDW to describe. */
	if (!c->v2)
		return 0;
	info->flags = VFIO_IOMMU_SPAPR_INFO_DDW;
	info->ddw.pgsizes = caps.pgsizes;
	info->ddw.max_dynamic_windows_supported = caps.max_windows;
	info->ddw.levels = caps.max_levels;
	return 0;
}

static long ddw_map_dma(struct ddw_container *c, union ddw_ioctl_arg *arg,
			size_t argsz)
{
	struct vfio_iommu_type1_dma_map *map = &arg->map;
	enum dma_data_direction dir;
	long ret;

	if (!c->v2 && !c->enabled)
		return -EPERM;
	switch (map->flags) {
	case VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE:
		dir = DMA_BIDIRECTIONAL;
		break;
	case VFIO_DMA_MAP_FLAG_READ:
		dir = DMA_TO_DEVICE;
		break;
	case VFIO_DMA_MAP_FLAG_WRITE:
		dir = DMA_FROM_DEVICE;
		break;
	default:
		return -EINVAL;
	}
	ret = ddw_default_window_ensure(c);
	if (!ret)
		ret = ddw_map(c, map->iova, map->vaddr, map->size, dir);
	return ret;
}

static long ddw_unmap_dma(struct ddw_container *c, union ddw_ioctl_arg *arg,
			  size_t argsz)
{
	long ret;

	if (!c->v2 && !c->enabled)
		return -EPERM;
	if (arg->unmap.flags)
		return -EINVAL;
	ret = ddw_default_window_ensure(c);
	if (!ret)
		ret = ddw_unmap(c, arg->unmap.iova, arg->unmap.size);
	return ret;
}

static long ddw_register(struct ddw_container *c, union ddw_ioctl_arg *arg,
			 size_t argsz)
{
	if (arg->reg.flags)
		return -EINVAL;
	return ddw_prereg_add(c, arg->reg.vaddr, arg->reg.size);
}

static long ddw_unregister(struct ddw_container *c, union ddw_ioctl_arg *arg,
			   size_t argsz)
{
	if (arg->reg.flags)
		return -EINVAL;
	return ddw_prereg_remove(c, arg->reg.vaddr, arg->reg.size);
}

static long ddw_create(struct ddw_container *c, union ddw_ioctl_arg *arg,
		       size_t argsz)
{
	struct vfio_iommu_spapr_tce_create *create = &arg->create;
	long ret;

	if (create->flags)
		return -EINVAL;
	/*
	 * The window asked for first: a try that fails (QEMU's first is one
	 * level, too large for a large window) neither makes nor frees the
	 * pending default window, whose table has to be walked to be freed.
	 */
	ret = ddw_window_create(c, create->page_shift, create->window_size,
				create->levels, &create->start_addr);
	if (ret)
		return ret;
	ret = ddw_default_window_ensure(c);
	if (ret)
		WARN_ON_ONCE(ddw_window_remove(c, create->start_addr));
	return ret;
}

static void ddw_create_undo(struct ddw_container *c, union ddw_ioctl_arg *arg)
{
	WARN_ON_ONCE(ddw_window_remove(c, arg->create.start_addr));
}

static long ddw_remove(struct ddw_container *c, union ddw_ioctl_arg *arg,
		       size_t argsz)
{
	if (arg->remove.flags)
		return -EINVAL;
	return ddw_window_remove(c, arg->remove.start_addr);
}

static long ddw_enable(struct ddw_container *c, union ddw_ioctl_arg *arg,
		       size_t argsz)
{
	return ddw_container_enable(c);
}

static long ddw_disable(struct ddw_container *c, union ddw_ioctl_arg *arg,
			size_t argsz)
{
	return ddw_container_disable(c);
}

static const struct ddw_ioctl ddw_ioctls[] = {
	{ VFIO_IOMMU_SPAPR_TCE_GET_INFO, "GET_INFO", DDW_V1 | DDW_V2,
	  offsetofend(struct vfio_iommu_spapr_tce_info, dma32_window_size),
	  sizeof(struct vfio_iommu_spapr_tce_info), true, ddw_get_info, NULL },
	{ VFIO_IOMMU_MAP_DMA, "MAP_DMA", DDW_V1 | DDW_V2,
	  offsetofend(struct vfio_iommu_type1_dma_map, size),
	  0, true, ddw_map_dma, NULL },
	{ VFIO_IOMMU_UNMAP_DMA, "UNMAP_DMA", DDW_V1 | DDW_V2,
	  offsetofend(struct vfio_iommu_type1_dma_unmap, size),
	  0, true, ddw_unmap_dma, NULL },
	{ VFIO_IOMMU_SPAPR_REGISTER_MEMORY, "REGISTER_MEMORY", DDW_V2,
	  offsetofend(struct vfio_iommu_spapr_register_memory, size),
	  0, false, ddw_register, NULL },
	{ VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, "UNREGISTER_MEMORY", DDW_V2,
	  offsetofend(struct vfio_iommu_spapr_register_memory, size),
	  0, false, ddw_unregister, NULL },
	{ VFIO_IOMMU_SPAPR_TCE_CREATE, "TCE_CREATE", DDW_V2,
	  offsetofend(struct vfio_iommu_spapr_tce_create, start_addr),
	  offsetofend(struct vfio_iommu_spapr_tce_create, start_addr), true,
	  ddw_create, ddw_create_undo },
	{ VFIO_IOMMU_SPAPR_TCE_REMOVE, "TCE_REMOVE", DDW_V2,
	  offsetofend(struct vfio_iommu_spapr_tce_remove, start_addr),
	  0, true, ddw_remove, NULL },
	/* No argument; ENABLE answers -ENODEV itself without a group. */
	{ VFIO_IOMMU_ENABLE, "ENABLE", DDW_V1, 0, 0, false, ddw_enable, NULL },
	{ VFIO_IOMMU_DISABLE, "DISABLE", DDW_V1, 0, 0, false, ddw_disable, NULL },
};

static_assert(ARRAY_SIZE(ddw_ioctls) == DDW_NR_IOCTLS);

/**
 * ddw_ioctl_show_calls() - the container's calls, for debugfs
 * @m: the state file
 * @c: the container, locked
 *
 * One line: each ioctl of the table with the calls that succeeded and
 * those that failed, "MAP_DMA 8192/0"; calls refused before they reach
 * the container (argsz, copy-in, another process) are not counted.
 */
void ddw_ioctl_show_calls(struct seq_file *m, const struct ddw_container *c)
{
	unsigned int i;

	seq_puts(m, "calls (ok/failed):");
	for (i = 0; i < ARRAY_SIZE(ddw_ioctls); i++)
		seq_printf(m, " %s %llu/%llu", ddw_ioctls[i].name, c->calls_ok[i],
			   c->calls_failed[i]);
	seq_putc(m, '\n');
}

/**
 * ddw_ioctl() - one container ioctl
 * @c: the container
 * @cmd: the ioctl
 * @uarg: its argument, starting with argsz and flags
 *
 * Return: the handler's answer; -EPERM from another process than the one
 * that set the container up, or a v1 map or unmap before VFIO_IOMMU_ENABLE;
 * -EFAULT; -EINVAL (argsz too small); -ENXIO (no group yet); -ENOTTY (not
 * an ioctl of this container type).
 */
long ddw_ioctl(struct ddw_container *c, unsigned int cmd, void __user *uarg)
{
	const struct ddw_ioctl *op = NULL;
	union ddw_ioctl_arg arg;
	bool def_pending;
	unsigned int i;
	u32 argsz;
	long ret;

	for (i = 0; i < ARRAY_SIZE(ddw_ioctls); i++)
		if (ddw_ioctls[i].cmd == cmd) {
			op = &ddw_ioctls[i];
			break;
		}
	if (!op || !(op->types & (c->v2 ? DDW_V2 : DDW_V1)))
		return -ENOTTY;
	if (c->mm != current->mm)
		return -EPERM;
	memset(&arg, 0, sizeof(arg));
	argsz = 0;
	if (op->min_size) {
		if (get_user(argsz, (u32 __user *)uarg))
			return -EFAULT;
		if (argsz < op->min_size)
			return -EINVAL;
		if (copy_from_user(&arg, uarg, op->min_size))
			return -EFAULT;
	}

	mutex_lock(&c->lock);
	ret = -ENXIO;
	if (op->needs_groups && !ddw_container_has_groups(c))
		goto out_unlock;
	def_pending = c->def_window_pending;
	ret = op->handler(c, &arg, argsz);
	if (!ret && op->out_size &&
	    copy_to_user(uarg, &arg, argsz >= op->out_size ? op->out_size : op->min_size)) {
		if (op->undo)
			op->undo(c, &arg);
		ret = -EFAULT;
	}
	/* A failed ioctl leaves the container as it was, default window too. */
	if (ret && def_pending && !c->def_window_pending)
		ddw_default_window_unmake(c);
out_unlock:
	if (ret)
		c->calls_failed[i]++;
	else
		c->calls_ok[i]++;
	mutex_unlock(&c->lock);
	return ret;
}
