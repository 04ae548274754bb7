// SPDX-License-Identifier: GPL-2.0-only
/*
 * Drives a VFIO sPAPR container on one IOMMU group:
 *   vfio_spapr v2-sequence GROUP   the whole v2 sequence, with the PE's
 *                                  ownership checked in debugfs
 *   vfio_spapr v1 GROUP            SET_IOMMU(VFIO_SPAPR_TCE_IOMMU); prints
 *                                  the result: "v1: 0" or "v1: -errno"
 *   vfio_spapr v1-sequence GROUP   the whole v1 sequence on spapr-tce-v2:
 *                                  ENABLE, pinning maps, DISABLE, errnos
 *   vfio_spapr hold GROUP FILE     hold the group in a v2 container until
 *                                  FILE exists (writes FILE.ready first)
 *   vfio_spapr hold-mapped GROUP FILE   the same with memory registered, a
 *                                  window made and mapped (to be killed)
 *   vfio_spapr two-groups G1 G2    one container, two groups: G2 joins after
 *                                  a window exists and gets it too
 *   vfio_spapr memlock GROUP       without CAP_IPC_LOCK, RLIMIT_MEMLOCK 1 MiB:
 *                                  what would exceed it is refused, uncharged
 *   vfio_spapr qemu-sequence GROUP what QEMU 7.2's hw/vfio (spapr.c, common.c)
 *                                  does for a pseries guest with DDW
 *   vfio_spapr dpdk-sequence GROUP what DPDK's EAL (eal_vfio.c, sPAPR) does
 * Exits 0 when every step went as expected.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/vfio.h>

#include "common.h"
#include "leaks.h"

#define REGION_SIZE	(16UL << 20)
#define WINDOW_SIZE	(1ULL << 30)

static void check_owned(int grp, bool owned)
{
	CHECK(pe_has_line(grp, owned ? "  owner: external" : "  owner: kernel"),
	      "debugfs: PE of group %d owned by %s", grp, owned ? "VFIO" : "the kernel");
	CHECK(pe_has_line(grp, "  window 0:") == !owned,
	      "debugfs: kernel's default window %s", owned ? "removed" : "restored");
}

/* DDW_EXPECT_BACKEND=spapr-tce-v2|in-tree: check who serves the container. */
static void check_backend(void)
{
	const char *want = getenv("DDW_EXPECT_BACKEND");

	if (!want)
		return;
	CHECK(container_present() == !strcmp(want, "spapr-tce-v2"),
	      "the container is served by %s", want);
}

static int v2_sequence(int grp)
{
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	struct vfio_iommu_spapr_register_memory reg = { .argsz = sizeof(reg) };
	struct vfio_iommu_spapr_tce_create create = { .argsz = sizeof(create) };
	struct vfio_iommu_spapr_tce_remove remove = { .argsz = sizeof(remove) };
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	struct vfio_ctx ctx;
	long locked0, locked;
	unsigned int shift;
	char line[64];
	void *mem;
	long ret;

	vfio_open(&ctx, grp);
	check_owned(grp, true);
	CHECK(ioctl(ctx.container, VFIO_CHECK_EXTENSION, VFIO_SPAPR_TCE_v2_IOMMU) == 1,
	      "CHECK_EXTENSION(VFIO_SPAPR_TCE_v2_IOMMU)");
	CHECK(xioctl(ctx.container, VFIO_SET_IOMMU, (void *)VFIO_SPAPR_TCE_v2_IOMMU) == 0,
	      "SET_IOMMU(VFIO_SPAPR_TCE_v2_IOMMU)");
	check_backend();

	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info) == 0,
	      "SPAPR_TCE_GET_INFO");
	note("dma32 window 0x%x+0x%x, flags 0x%x, ddw pgsizes 0x%llx, windows %u, levels %u",
	     info.dma32_window_start, info.dma32_window_size, info.flags,
	     (unsigned long long)info.ddw.pgsizes, info.ddw.max_dynamic_windows_supported,
	     info.ddw.levels);
	CHECK(info.flags & VFIO_IOMMU_SPAPR_INFO_DDW, "DDW is offered");
	shift = __builtin_ctzl(sysconf(_SC_PAGESIZE));
	CHECK(info.ddw.pgsizes & (1ULL << shift), "the system page size (%u) is an IOMMU page size",
	      1U << shift);

	mem = mmap(NULL, REGION_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(mem != MAP_FAILED, "mmap %lu MiB", REGION_SIZE >> 20);
	memset(mem, 0x5a, REGION_SIZE);
	locked0 = vm_locked_kb();
	reg.vaddr = (uintptr_t)mem;
	reg.size = REGION_SIZE;
	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &reg) == 0,
	      "SPAPR_REGISTER_MEMORY %lu MiB", REGION_SIZE >> 20);
	locked = vm_locked_kb();
	CHECK(locked - locked0 == (long)(REGION_SIZE >> 10),
	      "VmLck grew by the region: %ld -> %ld kB", locked0, locked);

	create.page_shift = shift;
	create.window_size = WINDOW_SIZE;
	create.levels = 1;
	ret = xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_CREATE, &create);
	CHECK(ret == 0, "SPAPR_TCE_CREATE 1 GiB, page shift %u, 1 level: %ld", shift, ret);
	note("window at bus 0x%llx", (unsigned long long)create.start_addr);
	snprintf(line, sizeof(line), "  window 1: bus 0x%llx ", (unsigned long long)create.start_addr);
	/* 6.12: debugfs does not read the in-tree backend's windows. */
	CHECK(pe_has_line(grp, line) ||
	      (!container_present() && pe_has_line(grp, "  window 1: another user's")),
	      "debugfs: the PE has the new window%s",
	      pe_has_line(grp, line) ? "" : " (the in-tree backend's: not read)");

	map.vaddr = (uintptr_t)mem;
	map.size = REGION_SIZE;
	map.iova = create.start_addr;
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	CHECK(xioctl(ctx.container, VFIO_IOMMU_MAP_DMA, &map) == 0, "MAP_DMA %lu MiB at 0x%llx",
	      REGION_SIZE >> 20, (unsigned long long)map.iova);
	unmap.iova = map.iova;
	unmap.size = map.size;
	CHECK(xioctl(ctx.container, VFIO_IOMMU_UNMAP_DMA, &unmap) == 0 && unmap.size == REGION_SIZE,
	      "UNMAP_DMA");
	remove.start_addr = create.start_addr;
	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_REMOVE, &remove) == 0, "SPAPR_TCE_REMOVE");
	CHECK(!pe_has_line(grp, "  window 1:"), "debugfs: the window is gone");
	/* Tables count too: compare around the unregistration only. */
	locked = vm_locked_kb();
	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, &reg) == 0,
	      "SPAPR_UNREGISTER_MEMORY");
	CHECK(locked - vm_locked_kb() == (long)(REGION_SIZE >> 10),
	      "VmLck refunded the region: %ld -> %ld kB", locked, vm_locked_kb());
	munmap(mem, REGION_SIZE);

	vfio_close(&ctx);
	CHECK(vm_locked_kb() == locked0, "VmLck back to %ld kB after close", locked0);
	check_owned(grp, false);
	return 0;
}

/*
 * v1 on spapr-tce-v2: the default window only; MAP pins each page until
 * UNMAP; VFIO_IOMMU_ENABLE charges the whole window to locked_vm once.
 */
static int v1_sequence(int grp)
{
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	struct vfio_iommu_spapr_register_memory reg = { .argsz = sizeof(reg) };
	struct vfio_iommu_spapr_tce_create create = { .argsz = sizeof(create) };
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	long long entries = REGION_SIZE / 4096, tables_kb;
	struct vfio_ctx ctx;
	long locked0, ret;
	void *mem, *ro;

	vfio_open(&ctx, grp);
	check_owned(grp, true);
	CHECK(ioctl(ctx.container, VFIO_CHECK_EXTENSION, VFIO_SPAPR_TCE_IOMMU) == 1,
	      "CHECK_EXTENSION(VFIO_SPAPR_TCE_IOMMU)");
	CHECK(xioctl(ctx.container, VFIO_SET_IOMMU, (void *)VFIO_SPAPR_TCE_IOMMU) == 0,
	      "SET_IOMMU(VFIO_SPAPR_TCE_IOMMU)");
	check_backend();
	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info) == 0 &&
	      info.dma32_window_size, "SPAPR_TCE_GET_INFO: dma32 window 0x%x+0x%x",
	      info.dma32_window_start, info.dma32_window_size);
	CHECK(!info.flags && !info.ddw.pgsizes, "v1 describes no DDW (flags 0x%x)", info.flags);

	mem = anon_mem(REGION_SIZE, 0x5a);
	map.vaddr = (uintptr_t)mem;
	map.size = REGION_SIZE;
	map.iova = info.dma32_window_start;
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	ret = xioctl(ctx.container, VFIO_IOMMU_MAP_DMA, &map);
	CHECK(ret == -EPERM, "MAP_DMA before ENABLE: %ld (EPERM)", ret);
	locked0 = vm_locked_kb();
	CHECK(xioctl(ctx.container, VFIO_IOMMU_ENABLE, NULL) == 0, "VFIO_IOMMU_ENABLE");
	/* A system page for each 4K entry: what the window can pin at most. */
	CHECK(vm_locked_kb() - locked0 ==
	      (long)(info.dma32_window_size >> 12) * (sysconf(_SC_PAGESIZE) >> 10),
	      "VmLck grew by a page per entry: %ld -> %ld kB", locked0, vm_locked_kb());
	ret = xioctl(ctx.container, VFIO_IOMMU_ENABLE, NULL);
	CHECK(ret == -EBUSY, "ENABLE again: %ld (EBUSY)", ret);
	reg.vaddr = (uintptr_t)mem;
	reg.size = REGION_SIZE;
	ret = xioctl(ctx.container, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &reg);
	CHECK(ret == -ENOTTY, "REGISTER_MEMORY is v2 only: %ld (ENOTTY)", ret);
	create.page_shift = 16;
	create.window_size = 1ULL << 32;
	create.levels = 1;
	ret = xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_CREATE, &create);
	CHECK(ret == -ENOTTY, "TCE_CREATE is v2 only: %ld (ENOTTY)", ret);

	CHECK(xioctl(ctx.container, VFIO_IOMMU_MAP_DMA, &map) == 0, "MAP_DMA %lu MiB at 0x%llx",
	      REGION_SIZE >> 20, (unsigned long long)map.iova);
	CHECK(state_value("pinned_pages: ") == entries,
	      "debugfs: %lld pins, one per 4K entry", state_value("pinned_pages: "));
	ret = xioctl(ctx.container, VFIO_IOMMU_MAP_DMA, &map);
	CHECK(ret == -EBUSY, "MAP_DMA over mapped entries: %ld (EBUSY)", ret);
	/* Read-only memory the device would write: refused, nothing pinned. */
	ro = mmap(NULL, REGION_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED, "mmap read-only");
	map.vaddr = (uintptr_t)ro;
	map.iova += REGION_SIZE;
	ret = xioctl(ctx.container, VFIO_IOMMU_MAP_DMA, &map);
	CHECK(ret == -EFAULT && state_value("pinned_pages: ") == entries,
	      "MAP_DMA of read-only memory for device writes: %ld (EFAULT), no pin taken", ret);
	map.flags = VFIO_DMA_MAP_FLAG_READ;
	CHECK(xioctl(ctx.container, VFIO_IOMMU_MAP_DMA, &map) == 0 &&
	      state_value("pinned_pages: ") == 2 * entries,
	      "MAP_DMA of it for device reads: pinned");
	unmap.iova = info.dma32_window_start;
	unmap.size = 2 * REGION_SIZE;
	CHECK(xioctl(ctx.container, VFIO_IOMMU_UNMAP_DMA, &unmap) == 0 &&
	      state_value("pinned_pages: ") == 0, "UNMAP_DMA: every pin dropped");
	/* The window's table, made at the first map, stays charged. */
	tables_kb = state_value("locked_vm_tables_pages: ") * (sysconf(_SC_PAGESIZE) >> 10);
	CHECK(xioctl(ctx.container, VFIO_IOMMU_DISABLE, NULL) == 0 &&
	      vm_locked_kb() == locked0 + tables_kb,
	      "VFIO_IOMMU_DISABLE: VmLck back to %ld kB + the table's %lld kB", locked0, tables_kb);
	map.vaddr = (uintptr_t)mem;
	map.iova = info.dma32_window_start;
	ret = xioctl(ctx.container, VFIO_IOMMU_MAP_DMA, &map);
	CHECK(ret == -EPERM, "MAP_DMA after DISABLE: %ld (EPERM)", ret);
	/* Closing with pages mapped and the window charged gives all back. */
	CHECK(xioctl(ctx.container, VFIO_IOMMU_ENABLE, NULL) == 0 &&
	      xioctl(ctx.container, VFIO_IOMMU_MAP_DMA, &map) == 0, "ENABLE and MAP_DMA again");
	vfio_close(&ctx);
	CHECK(vm_locked_kb() == locked0, "closed while mapped: VmLck back to %ld kB", locked0);
	check_owned(grp, false);
	munmap(ro, REGION_SIZE);
	munmap(mem, REGION_SIZE);
	return 0;
}

static int v1(int grp)
{
	struct vfio_ctx ctx;
	long ret;

	vfio_open(&ctx, grp);
	ret = xioctl(ctx.container, VFIO_SET_IOMMU, (void *)VFIO_SPAPR_TCE_IOMMU);
	printf("v1: %ld%s\n", ret, ret == -EPERM ? " (EPERM)" : "");
	vfio_close(&ctx);
	check_owned(grp, false);
	return 0;
}

/* Register REGION_SIZE bytes and map them in a new 1 GiB window. */
static __u64 map_region(struct vfio_ctx *ctx)
{
	struct vfio_iommu_spapr_register_memory reg = { .argsz = sizeof(reg) };
	struct vfio_iommu_spapr_tce_create create = { .argsz = sizeof(create) };
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	void *mem;

	mem = anon_mem(REGION_SIZE, 0x5a);
	reg.vaddr = (uintptr_t)mem;
	reg.size = REGION_SIZE;
	CHECK(xioctl(ctx->container, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &reg) == 0,
	      "REGISTER_MEMORY");
	create.page_shift = __builtin_ctzl(sysconf(_SC_PAGESIZE));
	create.window_size = WINDOW_SIZE;
	create.levels = 2;
	CHECK(xioctl(ctx->container, VFIO_IOMMU_SPAPR_TCE_CREATE, &create) == 0,
	      "TCE_CREATE 1 GiB, 2 levels");
	map.vaddr = reg.vaddr;
	map.size = REGION_SIZE;
	map.iova = create.start_addr;
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	CHECK(xioctl(ctx->container, VFIO_IOMMU_MAP_DMA, &map) == 0, "MAP_DMA");
	return create.start_addr;
}

static int two_groups(int g1, int g2)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_ctx ctx;
	char path[64], line[64];
	__u64 start;
	int fd2;

	vfio_open_v2(&ctx, g1, "setup");
	start = map_region(&ctx);
	snprintf(path, sizeof(path), "/dev/vfio/%d", g2);
	fd2 = open(path, O_RDWR);
	CHECK(fd2 >= 0 && xioctl(fd2, VFIO_GROUP_GET_STATUS, &status) == 0 &&
	      (status.flags & VFIO_GROUP_FLAGS_VIABLE), "group %d is viable", g2);
	CHECK(xioctl(fd2, VFIO_GROUP_SET_CONTAINER, &ctx.container) == 0,
	      "group %d joins the container", g2);
	snprintf(line, sizeof(line), "  window 1: bus 0x%llx ", (unsigned long long)start);
	CHECK(pe_has_line(g1, line) && pe_has_line(g2, line),
	      "debugfs: the window is programmed in both PEs");
	CHECK(pe_has_line(g2, "  owner: external"), "debugfs: group %d's PE owned", g2);
	close(fd2);
	CHECK(!pe_has_line(g2, "  window 1:") && pe_has_line(g2, "  owner: kernel") &&
	      pe_has_line(g1, line), "group %d left: its PE is the kernel's, group %d keeps the window",
	      g2, g1);
	vfio_close(&ctx);
	check_owned(g1, false);
	return 0;
}

static int memlock(int grp)
{
	struct vfio_iommu_spapr_register_memory reg = { .argsz = sizeof(reg) };
	struct vfio_iommu_spapr_tce_create create = { .argsz = sizeof(create) };
	struct vfio_iommu_spapr_tce_remove remove = { .argsz = sizeof(remove) };
	struct rlimit lim = { 1UL << 20, 1UL << 20 };
	struct vfio_ctx ctx;
	long locked;
	void *mem;

	vfio_open_v2(&ctx, grp, "setup");
	/* The default window would be made first, and charged: drop it. */
	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_REMOVE, &remove) == 0,
	      "TCE_REMOVE of the default window");
	CHECK(set_capability(CAP_IPC_LOCK, false) == 0 && setrlimit(RLIMIT_MEMLOCK, &lim) == 0,
	      "CAP_IPC_LOCK dropped, RLIMIT_MEMLOCK 1 MiB");
	locked = vm_locked_kb();
	mem = anon_mem(REGION_SIZE, 1);
	reg.vaddr = (uintptr_t)mem;
	reg.size = REGION_SIZE;
	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &reg) == -ENOMEM,
	      "REGISTER_MEMORY of 16 MiB over the limit: -ENOMEM");
	CHECK(vm_locked_kb() == locked, "VmLck unchanged: %ld kB", vm_locked_kb());
	create.page_shift = 12;
	create.window_size = WINDOW_SIZE;
	create.levels = 1;
	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_CREATE, &create) == -ENOMEM,
	      "TCE_CREATE whose table (2 MiB, and its shadow) is over the limit: -ENOMEM");
	CHECK(vm_locked_kb() == locked, "VmLck unchanged: %ld kB", vm_locked_kb());
	create.page_shift = 16;
	create.window_size = 1ULL << 28;
	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_CREATE, &create) == 0,
	      "TCE_CREATE of a small window within the limit");
	CHECK(vm_locked_kb() > locked, "VmLck charged for it: %ld kB", vm_locked_kb());
	vfio_close(&ctx);
	CHECK(vm_locked_kb() == 0, "VmLck 0 after close");
	CHECK(set_capability(CAP_IPC_LOCK, true) == 0, "CAP_IPC_LOCK back");
	return 0;
}

/*
 * QEMU's level guess (vfio_spapr_create_window()): as few levels as a
 * system page plus 8 allocator orders per level allow, more on failure.
 */
static long qemu_create_window(int container, __u64 size, __u32 shift, __u64 *start)
{
	struct vfio_iommu_spapr_tce_create create = { .argsz = sizeof(create) };
	unsigned int host_shift = __builtin_ctzl(sysconf(_SC_PAGESIZE));
	unsigned int bits_total, bits_per_level, max_levels;
	long ret = -EINVAL;

	create.window_size = size;
	create.page_shift = shift;
	bits_total = __builtin_ctzll((size >> shift) * sizeof(__u64));
	bits_per_level = host_shift + 8;
	create.levels = (bits_total + bits_per_level - 1) / bits_per_level;
	max_levels = (64 - shift) / host_shift;
	for (; create.levels <= max_levels; create.levels++) {
		ret = xioctl(container, VFIO_IOMMU_SPAPR_TCE_CREATE, &create);
		if (!ret)
			break;
	}
	note("TCE_CREATE %llu MiB of %u KiB pages: levels %u, start 0x%llx: %ld",
	     (unsigned long long)size >> 20, 1U << (shift - 10), create.levels,
	     (unsigned long long)create.start_addr, ret);
	*start = create.start_addr;
	return ret;
}

/* Guest RAM and a pseries guest's two DMA windows, as QEMU drives them. */
static int qemu_sequence(int grp)
{
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	struct vfio_iommu_spapr_register_memory reg = { .argsz = sizeof(reg) };
	struct vfio_iommu_spapr_tce_remove remove = { .argsz = sizeof(remove) };
	const __u64 ram = 64UL << 20;
	unsigned int ram_shift = __builtin_ctzl(sysconf(_SC_PAGESIZE));
	__u64 start32, start64, off;
	struct vfio_ctx ctx;
	long locked0;
	void *mem;

	locked0 = vm_locked_kb();
	vfio_open_v2(&ctx, grp, "vfio_connect_container");
	check_backend();
	mem = anon_mem(ram, 0);
	reg.vaddr = (uintptr_t)mem;
	reg.size = ram;
	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &reg) == 0,
	      "vfio_prereg_listener_region_add: REGISTER_MEMORY");
	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info) == 0 &&
	      (info.flags & VFIO_IOMMU_SPAPR_INFO_DDW), "GET_INFO: DDW offered");
	remove.start_addr = info.dma32_window_start;
	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_REMOVE, &remove) == 0,
	      "the default window (4K pages) removed");
	/* The guest's default window: 1 GiB of 4K TCEs at bus 0. */
	CHECK(qemu_create_window(ctx.container, 1ULL << 30, 12, &start32) == 0 && start32 == 0,
	      "vfio_spapr_create_window: the guest's 32-bit window at 0");
	/* The guest asks for a DDW over its RAM, in RAM-backing pages. */
	CHECK(qemu_create_window(ctx.container, ram, ram_shift, &start64) == 0 &&
	      start64 == 1ULL << 59, "vfio_spapr_create_window: the DDW at 1 << 59");
	/* H_PUT_TCE: one MAP_DMA a guest TCE, each window. */
	for (off = 0; off < ram; off += 1UL << ram_shift) {
		struct vfio_iommu_type1_dma_map map = {
			.argsz = sizeof(map), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.vaddr = (uintptr_t)mem + off, .iova = start64 + off, .size = 1UL << ram_shift,
		};

		if (xioctl(ctx.container, VFIO_IOMMU_MAP_DMA, &map))
			break;
	}
	CHECK(off == ram, "vfio_iommu_map_notify: the guest's RAM mapped in the DDW, TCE by TCE");
	for (off = 0; off < 16; off++) {
		struct vfio_iommu_type1_dma_map map = {
			.argsz = sizeof(map), .flags = VFIO_DMA_MAP_FLAG_READ,
			.vaddr = (uintptr_t)mem + (off << 12), .iova = start32 + (off << 12),
			.size = 4096,
		};

		if (xioctl(ctx.container, VFIO_IOMMU_MAP_DMA, &map))
			break;
	}
	CHECK(off == 16, "vfio_iommu_map_notify: 4K TCEs in the 32-bit window");
	/* Guest reset: unmap, windows removed, RAM unregistered. */
	for (off = 0; off < ram; off += 1UL << ram_shift) {
		struct vfio_iommu_type1_dma_unmap unmap = {
			.argsz = sizeof(unmap), .iova = start64 + off, .size = 1UL << ram_shift,
		};

		if (xioctl(ctx.container, VFIO_IOMMU_UNMAP_DMA, &unmap))
			break;
	}
	CHECK(off == ram, "UNMAP_DMA TCE by TCE");
	remove.start_addr = start64;
	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_REMOVE, &remove) == 0, "the DDW removed");
	remove.start_addr = start32;
	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_REMOVE, &remove) == 0,
	      "the 32-bit window removed, its TCEs with it");
	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, &reg) == 0,
	      "vfio_prereg_listener_region_del: UNREGISTER_MEMORY");
	vfio_close(&ctx);
	CHECK(vm_locked_kb() == locked0, "VmLck back to %ld kB", locked0);
	check_owned(grp, false);
	return 0;
}

/* DPDK's EAL on sPAPR: one window from 0, one level, memsegs mapped VA-less. */
static int dpdk_sequence(int grp)
{
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	struct vfio_iommu_spapr_register_memory reg = { .argsz = sizeof(reg) };
	struct vfio_iommu_spapr_tce_remove remove = { .argsz = sizeof(remove) };
	struct vfio_iommu_spapr_tce_create create = { .argsz = sizeof(create) };
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	const __u64 seg = 32UL << 20;
	struct vfio_ctx ctx;
	long locked0;
	void *mem;

	locked0 = vm_locked_kb();
	vfio_open_v2(&ctx, grp, "vfio_set_iommu_type");
	check_backend();
	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info) == 0,
	      "vfio_spapr_dma_mem_map: GET_INFO");
	remove.start_addr = info.dma32_window_start;
	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_REMOVE, &remove) == 0,
	      "vfio_spapr_create_dma_window: the default window removed");
	create.window_size = 1ULL << 30;	/* rte_align64pow2(the highest IOVA) */
	create.page_shift = __builtin_ctzl(sysconf(_SC_PAGESIZE));	/* the memseg page size */
	create.levels = 1;
	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_CREATE, &create) == 0 &&
	      create.start_addr == 0, "TCE_CREATE 1 GiB, 1 level, at 0 as EAL requires");
	mem = anon_mem(seg, 0);
	reg.vaddr = (uintptr_t)mem;
	reg.size = seg;
	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &reg) == 0,
	      "vfio_spapr_dma_do_map: REGISTER_MEMORY");
	map.vaddr = reg.vaddr;
	map.iova = 0x10000000;		/* IOVA as PA: inside the window */
	map.size = seg;
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	CHECK(xioctl(ctx.container, VFIO_IOMMU_MAP_DMA, &map) == 0, "vfio_spapr_dma_do_map: MAP_DMA");
	unmap.iova = map.iova;
	unmap.size = seg;
	CHECK(xioctl(ctx.container, VFIO_IOMMU_UNMAP_DMA, &unmap) == 0,
	      "vfio_spapr_dma_do_map (unmap): UNMAP_DMA");
	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, &reg) == 0,
	      "UNREGISTER_MEMORY");
	vfio_close(&ctx);
	CHECK(vm_locked_kb() == locked0, "VmLck back to %ld kB", locked0);
	check_owned(grp, false);
	return 0;
}

static int hold(int grp, const char *file, bool mapped)
{
	char ready[256];
	struct stat st;
	struct vfio_ctx ctx;
	FILE *f;

	vfio_open_v2(&ctx, grp, "setup");
	if (mapped)
		map_region(&ctx);
	snprintf(ready, sizeof(ready), "%s.ready", file);
	f = fopen(ready, "w");
	CHECK(f != NULL, "create %s", ready);
	fclose(f);
	while (stat(file, &st))
		usleep(100000);
	vfio_close(&ctx);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "v2-sequence"))
		return v2_sequence(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "v1"))
		return v1(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "v1-sequence"))
		return v1_sequence(atoi(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "hold"))
		return hold(atoi(argv[2]), argv[3], false);
	if (argc == 4 && !strcmp(argv[1], "hold-mapped"))
		return hold(atoi(argv[2]), argv[3], true);
	if (argc == 4 && !strcmp(argv[1], "two-groups"))
		return two_groups(atoi(argv[2]), atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "memlock"))
		return memlock(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "qemu-sequence"))
		return qemu_sequence(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "dpdk-sequence"))
		return dpdk_sequence(atoi(argv[2]));
	fprintf(stderr, "usage: vfio_spapr v2-sequence|v1|v1-sequence|memlock|qemu-sequence|dpdk-sequence GROUP | hold|hold-mapped GROUP FILE | two-groups G1 G2\n");
	return 2;
}
