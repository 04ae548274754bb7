// SPDX-License-Identifier: GPL-2.0-only
/*
 * A container at its limits, on one IOMMU group (spapr-tce-v2):
 *   vfio_limits largest-window GROUP   the largest window the PE allows, for
 *                each IOMMU page size up to 64K: a few pages mapped at both
 *                ends, then one UNMAP_DMA of the whole window, a TCE_REMOVE
 *                and a close of it mapped; each timed, none may hang
 *   vfio_limits pes-race GROUP N       one process reads debugfs "pes" N
 *                times while this one creates and removes a window N times
 *   vfio_limits v1-memlock GROUP       v1 without CAP_IPC_LOCK: ENABLE
 *                charges what the default window can pin at most, and
 *                DISABLE refuses to refund it while entries are mapped
 * Exits 0 when every step went as expected.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/vfio.h>

#include "common.h"
#include "leaks.h"

#define PES		"/sys/kernel/debug/spapr_ddw/pes"
/* Pages mapped at each end of the largest window. */
#define END_PAGES	4
/* Not a speed target: past it the call hung, or soft-locked the CPU. */
#define HANG_MS		20000

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static long map(int container, __u64 vaddr, __u64 iova, __u64 size)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = vaddr, .iova = iova, .size = size,
	};

	return xioctl(container, VFIO_IOMMU_MAP_DMA, &m);
}

static long unmap(int container, __u64 iova, __u64 size)
{
	struct vfio_iommu_type1_dma_unmap u = { .argsz = sizeof(u), .iova = iova, .size = size };

	return xioctl(container, VFIO_IOMMU_UNMAP_DMA, &u);
}

static long create(int container, __u32 shift, __u64 size, __u32 levels, __u64 *start)
{
	struct vfio_iommu_spapr_tce_create c = {
		.argsz = sizeof(c), .page_shift = shift, .window_size = size, .levels = levels,
	};
	long ret = xioctl(container, VFIO_IOMMU_SPAPR_TCE_CREATE, &c);

	*start = c.start_addr;
	return ret;
}

static long remove_window(int container, __u64 start)
{
	struct vfio_iommu_spapr_tce_remove r = { .argsz = sizeof(r), .start_addr = start };

	return xioctl(container, VFIO_IOMMU_SPAPR_TCE_REMOVE, &r);
}

/* END_PAGES pages at each end of the window, from @mem. */
static void map_ends(int container, void *mem, __u32 shift, __u64 start, __u64 size)
{
	__u64 span = (__u64)END_PAGES << shift;

	CHECK(!map(container, (uintptr_t)mem, start, span) &&
	      !map(container, (uintptr_t)mem + span, start + size - span, span),
	      "%d pages mapped at each end", END_PAGES);
	CHECK(window_used(start) == 2 * END_PAGES, "debugfs: %lld entries in use",
	      window_used(start));
}

static void timed(long long t0, long ret, const char *what)
{
	long long ms = now_ms() - t0;

	CHECK(!ret && ms < HANG_MS, "%s: %ld in %lld ms", what, ret, ms);
}

/* The largest window for @shift, with as many levels as it takes. */
static __u64 largest(int container, __u32 shift, __u32 max_levels, __u64 *start,
		     __u32 *levels)
{
	__u64 size;

	for (size = 1ULL << 62; size > 1ULL << 30; size >>= 1)
		for (*levels = 1; *levels <= max_levels; (*levels)++)
			if (!create(container, shift, size, *levels, start))
				return size;
	return 0;
}

static int largest_window(int grp)
{
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	struct vfio_iommu_spapr_register_memory reg = { .argsz = sizeof(reg) };
	struct baseline base;
	struct vfio_ctx ctx;
	__u32 shifts[] = { 12, 16 }, i, levels;
	long page = sysconf(_SC_PAGESIZE);
	void *mem[2] = { NULL, NULL };
	__u64 start, size;
	long long t0;

	baseline_take(&base);
	vfio_open_v2(&ctx, grp, "setup");
	CHECK(!xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info),
	      "GET_INFO: page sizes 0x%llx, %u levels", (unsigned long long)info.ddw.pgsizes,
	      info.ddw.levels);
	CHECK(!remove_window(ctx.container, info.dma32_window_start), "default window removed");
	alarm(600);	/* a hang fails the test instead of the whole run */
	for (i = 0; i < sizeof(shifts) / sizeof(shifts[0]); i++) {
		__u32 shift = shifts[i];

		if (!(info.ddw.pgsizes & (1ULL << shift)))
			continue;
		/*
		 * Memory in pages as large as the IOMMU page, registered in
		 * whole system pages.
		 */
		reg.size = 2UL * END_PAGES << shift;
		reg.size = (reg.size + page - 1) & ~(__u64)(page - 1);
		mem[i] = dma_mem(reg.size, shift, 7);
		if (!mem[i]) {
			note("%u KiB pages: not run, no hugepages reserved to back them",
			     1U << (shift - 10));
			continue;
		}
		reg.vaddr = (uintptr_t)mem[i];
		CHECK(!xioctl(ctx.container, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &reg),
		      "REGISTER_MEMORY of %llu KiB", (unsigned long long)reg.size >> 10);
		size = largest(ctx.container, shift, info.ddw.levels, &start, &levels);
		CHECK(size, "%u KiB pages: the largest window is 2^%d bytes (%llu entries, "
		      "%u levels), at 0x%llx", 1U << (shift - 10), size ? __builtin_ctzll(size) : 0,
		      (unsigned long long)(size >> shift), levels, (unsigned long long)start);
		map_ends(ctx.container, mem[i], shift, start, size);
		t0 = now_ms();
		timed(t0, unmap(ctx.container, start, size), "UNMAP_DMA of the whole window");
		CHECK(window_used(start) == 0, "no entry left");
		map_ends(ctx.container, mem[i], shift, start, size);
		t0 = now_ms();
		timed(t0, remove_window(ctx.container, start), "TCE_REMOVE of it, mapped");
		CHECK(largest(ctx.container, shift, info.ddw.levels, &start, &levels) == size,
		      "made again");
		map_ends(ctx.container, mem[i], shift, start, size);
		/* The last one stays, mapped, for the close. */
		if (i + 1 < sizeof(shifts) / sizeof(shifts[0]))
			CHECK(!remove_window(ctx.container, start), "removed");
	}
	t0 = now_ms();
	vfio_close(&ctx);
	timed(t0, 0, "close with the last one mapped");
	alarm(0);
	CHECK(mem[0] || mem[1], "a window of some page size was tried");
	expect_released(&base, "after close");
	return failures ? 1 : 0;
}

/* Read @n times, telling @ready after the first. */
static int read_pes(int n, int ready)
{
	static char buf[65536];
	int i, fd;

	for (i = 0; i < n; i++) {
		fd = open(PES, O_RDONLY);
		if (fd < 0)
			return 1;
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		if (!i && write(ready, "r", 1) != 1)
			return 1;
	}
	return 0;
}

static int pes_race(int grp, int n)
{
	struct baseline base;
	struct vfio_ctx ctx;
	int i, status, ready[2];
	__u64 start;
	pid_t pid;
	char c;

	baseline_take(&base);
	vfio_open_v2(&ctx, grp, "setup");
	CHECK(!pipe(ready), "pipe");
	pid = fork();
	CHECK(pid >= 0, "fork a reader of %s", PES);
	if (!pid)
		_exit(read_pes(n, ready[1]));
	/* Both loops run together from the reader's first read on. */
	CHECK(read(ready[0], &c, 1) == 1, "the reader has started");
	for (i = 0; i < n; i++)
		if (create(ctx.container, 16, 1ULL << 30, 1, &start) ||
		    remove_window(ctx.container, start))
			break;
	CHECK(i == n, "%d windows created and removed", i);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status),
	      "meanwhile %d reads of %s", n, PES);
	vfio_close(&ctx);
	expect_released(&base, "after close");
	return failures ? 1 : 0;
}

static int v1_memlock(int grp)
{
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	long page = sysconf(_SC_PAGESIZE), locked0, locked, ret;
	unsigned long long entries, charge_kb, pins0;
	struct rlimit lim;
	struct vfio_ctx ctx;
	void *mem;
	int i;

	vfio_open(&ctx, grp);
	CHECK(!xioctl(ctx.container, VFIO_SET_IOMMU, (void *)VFIO_SPAPR_TCE_IOMMU),
	      "SET_IOMMU(VFIO_SPAPR_TCE_IOMMU)");
	CHECK(!xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info),
	      "GET_INFO: default window 0x%x bytes", info.dma32_window_size);
	/* Each 4K entry may pin a whole system page of its own. */
	entries = info.dma32_window_size >> 12;
	charge_kb = entries * (page >> 10);
	locked0 = vm_locked_kb();
	CHECK(set_capability(CAP_IPC_LOCK, false) == 0, "CAP_IPC_LOCK dropped");
	lim.rlim_cur = lim.rlim_max = (locked0 << 10) + (charge_kb << 10) - page;
	CHECK(!setrlimit(RLIMIT_MEMLOCK, &lim), "RLIMIT_MEMLOCK: one page short of %llu entries "
	      "of %ld KiB pages (%llu MiB)", entries, page >> 10, charge_kb >> 10);
	ret = xioctl(ctx.container, VFIO_IOMMU_ENABLE, NULL);
	CHECK(ret == -ENOMEM && vm_locked_kb() == locked0,
	      "ENABLE refused: %ld (ENOMEM), VmLck %ld kB", ret, vm_locked_kb());
	lim.rlim_cur = lim.rlim_max = lim.rlim_cur + page;
	CHECK(!setrlimit(RLIMIT_MEMLOCK, &lim), "RLIMIT_MEMLOCK: one page more");
	ret = xioctl(ctx.container, VFIO_IOMMU_ENABLE, NULL);
	CHECK(!ret && vm_locked_kb() - locked0 == (long)charge_kb,
	      "ENABLE: %ld, VmLck grew by %ld kB", ret, vm_locked_kb() - locked0);
	/* The window's table, made at the first map, is charged beside it. */
	lim.rlim_cur = lim.rlim_max = RLIM_INFINITY;
	CHECK(!setrlimit(RLIMIT_MEMLOCK, &lim), "RLIMIT_MEMLOCK: unlimited");
	/* Entries one per system page: as many pins as entries. */
	pins0 = pins_held();
	mem = anon_mem(16 * page, 3);
	for (i = 0; i < 16; i++)
		if (map(ctx.container, (uintptr_t)mem + i * page,
			info.dma32_window_start + i * 4096, 4096))
			break;
	CHECK(i == 16 && pins_held() - pins0 == 16, "16 entries mapped, %lld pages pinned",
	      pins_held() - pins0);
	locked = vm_locked_kb();
	ret = xioctl(ctx.container, VFIO_IOMMU_DISABLE, NULL);
	CHECK(ret == -EBUSY && vm_locked_kb() == locked,
	      "DISABLE while mapped: %ld (EBUSY), VmLck still %ld kB", ret, vm_locked_kb());
	CHECK(!unmap(ctx.container, info.dma32_window_start, 16 * 4096) &&
	      pins_settle(pins0) == (long long)pins0, "UNMAP_DMA: the pins are back");
	ret = xioctl(ctx.container, VFIO_IOMMU_DISABLE, NULL);
	/* The table stays charged until the container closes. */
	CHECK(!ret && locked - vm_locked_kb() == (long)charge_kb,
	      "DISABLE: %ld, the window's charge refunded (VmLck %ld kB)", ret, vm_locked_kb());
	vfio_close(&ctx);
	CHECK(vm_locked_kb() == locked0, "closed: VmLck %ld kB", vm_locked_kb());
	CHECK(set_capability(CAP_IPC_LOCK, true) == 0, "CAP_IPC_LOCK back");
	munmap(mem, 16 * page);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "largest-window"))
		return largest_window(atoi(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "pes-race"))
		return pes_race(atoi(argv[2]), atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "v1-memlock"))
		return v1_memlock(atoi(argv[2]));
	fprintf(stderr, "usage: vfio_limits largest-window|v1-memlock GROUP | pes-race GROUP N\n");
	return 2;
}
