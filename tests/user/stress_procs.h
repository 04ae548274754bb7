/* SPDX-License-Identifier: GPL-2.0-only */
/* vfio_stress's parts 2 to 4, the process's life: see stress_procs.c. */
#ifndef SPAPR_DDW_TEST_STRESS_PROCS_H
#define SPAPR_DDW_TEST_STRESS_PROCS_H

#include <linux/vfio.h>

#include "common.h"
#include "leaks.h"
#include "stress_calls.h"

/* What the killed children register and map: the 32-bit window must hold it. */
#define STRESS_KILL_REGION	(64UL << 20)

/* The container part 1 leaves with both windows mapping, and what parts 2-4 need of it. */
struct stress_target {
	struct vfio_ctx *ctx;		/* v2; part 3 opens a new one in it */
	int grp;
	long page;
	unsigned int page_shift;
	u64 seed;
	const struct vfio_iommu_spapr_tce_info *info;
	u64 tce32_start, tce32_size;	/* the default window */
	u64 ddw_start;			/* the DDW: STRESS_DDW_SIZE, of the kernel's page */
	__u32 ddw_lmin;			/* the fewest levels it is made with */
	char *buf;			/* thread 0's buffer, STRESS_BUF_BYTES, registered */
	u64 free_iova;			/* an entry of thread 0's slice nothing maps */
	const struct baseline *base;	/* taken before part 1 */
};

/* 2: a forked child calls every v2 ioctl on the container fd it inherited. */
void stress_inherited(const struct stress_target *t);
/* 3: the group leaves the container while both windows map; no container after. */
void stress_detached(const struct stress_target *t);
/* 4: @kills children for each ioctl type, each SIGKILLed in its loop of it. */
void stress_killed(const struct stress_target *t, unsigned int kills);

#endif
