// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/debug/spapr_ddw/vfio/container-N: what one container holds,
 * for tests and for whoever wonders where the memory went.
 */
#include <linux/debugfs.h>
#include <linux/idr.h>
#include <linux/iommu.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

#include <pnv_ioda2_ddw.h>
#include "container.h"
#include "debugfs.h"
#include "ioctl.h"

static struct dentry *vfio_dir;
static DEFINE_IDA(container_ida);

/*
 * What is mapped is read from the tables, whoever wrote them (this
 * container's MAP_DMA, or KVM's in-kernel H_PUT_TCE); the call counters
 * are this container's own ioctls.
 */
static int state_show(struct seq_file *m, void *unused)
{
	struct ddw_container *c = m->private;
	u64 prereg_bytes = 0, used = 0;
	struct ddw_prereg *p;
	struct ddw_group *g;
	int num;

	mutex_lock(&c->lock);
	seq_printf(m, "type: %s\n", c->v2 ? "VFIO_SPAPR_TCE_v2_IOMMU" : "VFIO_SPAPR_TCE_IOMMU");
	seq_puts(m, "groups:");
	list_for_each_entry(g, &c->groups, node)
		seq_printf(m, " %d", iommu_group_id(g->grp));
	seq_printf(m, "\ndefault_window_pending: %d\n", c->def_window_pending);
	for (num = 0; num < ARRAY_SIZE(c->windows); num++) {
		struct ddw_window *w = &c->windows[num];
		struct pnv_ddw_table_info info;
		u64 n;

		if (!w->table)
			continue;
		pnv_ddw_table_info(w->table, &info);
		n = pnv_ddw_table_entries_used(w->table);
		used += n;
		seq_printf(m, "window %d: bus 0x%llx size 0x%llx page_shift %u levels %u entries_used %llu table_bytes %llu shadow_bytes %llu\n",
			   num, w->bus_start, w->size, w->page_shift, w->levels,
			   n, info.table_bytes, info.shadow_bytes);
	}
	list_for_each_entry(p, &c->prereg, node) {
		seq_printf(m, "prereg: vaddr 0x%llx size 0x%llx mapped %llu\n",
			   p->vaddr, p->size, ddw_prereg_mapped(c, p));
		prereg_bytes += p->size;
	}
	seq_printf(m, "prereg_bytes: %llu\n", prereg_bytes);
	seq_printf(m, "locked_vm_tables_pages: %lu\n", c->locked_pages);
	/* v1: each entry in use holds one pin. */
	if (!c->v2)
		seq_printf(m, "enabled: %d\nlocked_vm_enable_pages: %lu\npinned_pages: %llu\n",
			   c->enabled, c->enabled_pages, used);
	ddw_ioctl_show_calls(m, c);
	mutex_unlock(&c->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(state);

void ddw_debugfs_container_add(struct ddw_container *c)
{
	char name[32];

	c->id = ida_alloc(&container_ida, GFP_KERNEL);
	if (c->id < 0)
		return;
	snprintf(name, sizeof(name), "container-%d", c->id);
	c->dir = debugfs_create_dir(name, vfio_dir);
	debugfs_create_file("state", 0400, c->dir, c, &state_fops);
}

void ddw_debugfs_container_remove(struct ddw_container *c)
{
	debugfs_remove(c->dir);
	if (c->id >= 0)
		ida_free(&container_ida, c->id);
}

void ddw_debugfs_init(void)
{
	vfio_dir = debugfs_create_dir("vfio", pnv_ddw_debugfs_dir());
}

void ddw_debugfs_exit(void)
{
	debugfs_remove(vfio_dir);
	ida_destroy(&container_ida);
}
