/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _PNV_DDW_WINDOW_H
#define _PNV_DDW_WINDOW_H

struct dentry;

void ddw_window_debugfs_init(struct dentry *dir);

#endif /* _PNV_DDW_WINDOW_H */
