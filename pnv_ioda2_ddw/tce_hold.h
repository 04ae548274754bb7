/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _PNV_DDW_TCE_HOLD_H
#define _PNV_DDW_TCE_HOLD_H

#include <linux/dma-direction.h>
#include <linux/types.h>

struct pnv_ddw_table;

int ddw_tce_clear_one(struct pnv_ddw_table *table, u64 idx);
int ddw_tce_set_kvm(struct pnv_ddw_table *table, u64 idx, unsigned long hpa,
		    enum dma_data_direction dir);
void ddw_table_release_all(struct pnv_ddw_table *table);

#endif /* _PNV_DDW_TCE_HOLD_H */
