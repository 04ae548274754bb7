/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _PNV_DDW_WINDOW_H
#define _PNV_DDW_WINDOW_H

struct dentry;

int ddw_window_init(struct dentry *dir);
void ddw_window_exit(void);

#endif /* _PNV_DDW_WINDOW_H */
