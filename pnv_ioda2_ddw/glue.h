/* SPDX-License-Identifier: GPL-2.0-only */
/* What the IOMMU glue's two halves share: device adoption, blocking domains. */
#ifndef _PNV_DDW_GLUE_H
#define _PNV_DDW_GLUE_H

#include <linux/atomic.h>

struct iommu_domain;

/* What the glue did, for debugfs. */
struct ddw_glue_stats {
	atomic_long_t adopted;
	atomic_long_t released;
	atomic_long_t blocked;
	atomic_long_t unblocked;
	atomic_long_t refused;
};

extern struct ddw_glue_stats ddw_glue_stats;
extern const struct iommu_domain_ops ddw_blocking_ops;

struct iommu_domain *ddw_domain_alloc(unsigned int type);
void ddw_blocking_close(void);
void ddw_claims_wait(void);
void ddw_blocking_domains_free(void);

#endif /* _PNV_DDW_GLUE_H */
