/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _PNV_DDW_TCE_HOLD_H
#define _PNV_DDW_TCE_HOLD_H

#include <linux/types.h>

struct pnv_ddw_table;

int ddw_tce_clear_one(struct pnv_ddw_table *table, u64 idx);
void ddw_table_release_all(struct pnv_ddw_table *table);

#endif /* _PNV_DDW_TCE_HOLD_H */
