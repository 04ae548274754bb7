/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _SPAPR_TCE_DDW_IOCTL_H
#define _SPAPR_TCE_DDW_IOCTL_H

#include <linux/compiler_types.h>

struct ddw_container;
struct seq_file;

long ddw_ioctl(struct ddw_container *c, unsigned int cmd, void __user *uarg);
void ddw_ioctl_show_calls(struct seq_file *m, const struct ddw_container *c);

#endif /* _SPAPR_TCE_DDW_IOCTL_H */
