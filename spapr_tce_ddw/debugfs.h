/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _SPAPR_TCE_DDW_DEBUGFS_H
#define _SPAPR_TCE_DDW_DEBUGFS_H

void ddw_debugfs_init(void);
void ddw_debugfs_exit(void);

#endif /* _SPAPR_TCE_DDW_DEBUGFS_H */
