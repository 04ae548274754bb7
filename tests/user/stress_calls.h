/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What vfio_stress's parts share: the buffers and windows they use, the
 * container ioctls counted as the backend counts them, seeded numbers.
 */
#ifndef SPAPR_DDW_TEST_STRESS_CALLS_H
#define SPAPR_DDW_TEST_STRESS_CALLS_H

#include <stddef.h>
#include <linux/vfio.h>

#define STRESS_BUF_BYTES	(4UL << 20)	/* a thread's buffer, registered throughout */
#define STRESS_EXTRA_BYTES	(1UL << 20)	/* its extra buffer, registered now and then */
#define STRESS_DEF_SHIFT	12		/* the default window's IOMMU page (README) */
#define STRESS_DDW_SIZE		(1ULL << 30)	/* the DDW the threads take turns with */
#define STRESS_STATE_BYTES	16384
#define STRESS_RW		(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

/* __u64 is unsigned long on ppc64: one type for printf. */
typedef unsigned long long u64;

/* The container ioctls, in the order of the backend's call counters (ioctl.c). */
enum stress_op {
	STRESS_GET_INFO, STRESS_MAP, STRESS_UNMAP, STRESS_REGISTER, STRESS_UNREGISTER,
	STRESS_CREATE, STRESS_REMOVE, STRESS_ENABLE, STRESS_DISABLE, STRESS_NR_OPS
};

extern const char *const stress_op_name[STRESS_NR_OPS];
/* The calls of this process through stress_ioc(), by answer. */
extern unsigned long stress_calls_ok[STRESS_NR_OPS], stress_calls_failed[STRESS_NR_OPS];

/* The ioctl of @op, counted: every call here reaches the backend. */
long stress_ioc(int fd, enum stress_op op, void *arg);
long stress_map_dma(int fd, u64 vaddr, u64 iova, u64 size, __u32 flags);
long stress_unmap_dma(int fd, u64 iova, u64 size);
/* @op: STRESS_REGISTER or STRESS_UNREGISTER. */
long stress_reg_mem(int fd, enum stress_op op, u64 vaddr, u64 size);
/* TCE_CREATE; the window's start into @start. */
long stress_create_window(int fd, __u32 shift, u64 size, __u32 levels, u64 *start);
long stress_remove_window(int fd, u64 start);

static inline u64 stress_umin(u64 a, u64 b)
{
	return a < b ? a : b;
}

u64 stress_splitmix(u64 *s);
/* 0..@n-1 */
u64 stress_rnd(u64 *s, u64 n);
/* @r as "-ENAME" or the number, in @s. */
const char *stress_answer(long r, char *s, size_t n);

#endif
