// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_stress's container ioctls, counted as the backend counts them (its
 * threads check the container's call counters against these), the seeded
 * numbers its threads and killed children draw, and answers as printed.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "stress_calls.h"

const char *const stress_op_name[STRESS_NR_OPS] = {
	"GET_INFO", "MAP_DMA", "UNMAP_DMA", "REGISTER_MEMORY", "UNREGISTER_MEMORY",
	"TCE_CREATE", "TCE_REMOVE", "ENABLE", "DISABLE",
};

static const unsigned long op_req[STRESS_NR_OPS] = {
	VFIO_IOMMU_SPAPR_TCE_GET_INFO, VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_UNMAP_DMA,
	VFIO_IOMMU_SPAPR_REGISTER_MEMORY, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY,
	VFIO_IOMMU_SPAPR_TCE_CREATE, VFIO_IOMMU_SPAPR_TCE_REMOVE, VFIO_IOMMU_ENABLE,
	VFIO_IOMMU_DISABLE,
};

unsigned long stress_calls_ok[STRESS_NR_OPS], stress_calls_failed[STRESS_NR_OPS];

long stress_ioc(int fd, enum stress_op op, void *arg)
{
	long ret = xioctl(fd, op_req[op], arg);

	__atomic_fetch_add(ret ? &stress_calls_failed[op] : &stress_calls_ok[op], 1,
			   __ATOMIC_RELAXED);
	return ret;
}

long stress_map_dma(int fd, u64 vaddr, u64 iova, u64 size, __u32 flags)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = flags, .vaddr = vaddr, .iova = iova, .size = size,
	};

	return stress_ioc(fd, STRESS_MAP, &m);
}

long stress_unmap_dma(int fd, u64 iova, u64 size)
{
	struct vfio_iommu_type1_dma_unmap u = { .argsz = sizeof(u), .iova = iova, .size = size };

	return stress_ioc(fd, STRESS_UNMAP, &u);
}

long stress_reg_mem(int fd, enum stress_op op, u64 vaddr, u64 size)
{
	struct vfio_iommu_spapr_register_memory r = {
		.argsz = sizeof(r), .vaddr = vaddr, .size = size,
	};

	return stress_ioc(fd, op, &r);
}

long stress_create_window(int fd, __u32 shift, u64 size, __u32 levels, u64 *start)
{
	struct vfio_iommu_spapr_tce_create c = {
		.argsz = sizeof(c), .page_shift = shift, .window_size = size, .levels = levels,
	};
	long ret = stress_ioc(fd, STRESS_CREATE, &c);

	*start = c.start_addr;
	return ret;
}

long stress_remove_window(int fd, u64 start)
{
	struct vfio_iommu_spapr_tce_remove r = { .argsz = sizeof(r), .start_addr = start };

	return stress_ioc(fd, STRESS_REMOVE, &r);
}

u64 stress_splitmix(u64 *s)
{
	u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

u64 stress_rnd(u64 *s, u64 n)
{
	return n ? stress_splitmix(s) % n : 0;
}

const char *stress_answer(long r, char *s, size_t n)
{
	const char *name = r < 0 ? strerrorname_np(-r) : NULL;

	if (name)
		snprintf(s, n, "-%s", name);
	else
		snprintf(s, n, "%ld", r);
	return s;
}
