// SPDX-License-Identifier: GPL-2.0-only
/*
 * A tiny VMM for KVM-HV's in-kernel sPAPR TCE path on spapr-tce-v2: what
 * QEMU does with a VFIO group and KVM (kvm-vfio device, KVM TCE tables),
 * plus what QEMU never does (close orders, a guest writing a table whose
 * container or window is gone).  Each case ends with everything closed and
 * checks that nothing is left: VmLck, pins, containers, TCE tables.
 *
 *   kvm_vmm attach-v2-close-first GROUP  v2, mapped; group handed to KVM;
 *                                        container and group fds closed
 *                                        before the KVM ones
 *   kvm_vmm group-del-then-close GROUP   the same, KVM_DEV_VFIO_GROUP_DEL
 *                                        first: the container goes at once
 *   kvm_vmm attach-v2-unset-first GROUP  UNSET_CONTAINER while KVM holds
 *                                        the table: it outlives the container
 *   kvm_vmm hold-table GROUP             KVM alone holds our table, until
 *                                        $KVM_HOLD.go exists: VFIO closed,
 *                                        pnv_ioda2_ddw must stay loaded
 *   kvm_vmm attach-v1 GROUP              v1, pages pinned, handed to KVM;
 *                                        closed VFIO first, then KVM first
 *   kvm_vmm guest-hcalls-v2 GROUP        a vCPU's H_PUT_TCE done by KVM in
 *                                        our table, mixed with MAP/UNMAP_DMA
 *   kvm_vmm guest-remap-after-refusal GROUP   an entry KVM clears before it
 *                                        leaves an H_PUT_TCE to the VMM,
 *                                        then maps again: no count lost
 *   kvm_vmm guest-other-process GROUP    the container of a child process,
 *                                        KVM's guest unmaps its entry: the
 *                                        child's registration still goes
 *   kvm_vmm guest-maps-other-container GROUP GROUP2   the guest maps memory
 *                                        container A registered into B's
 *                                        window; A closed first: A's
 *                                        registration goes once B's entry does
 *   kvm_vmm guest-hcalls-v1 GROUP        the same on v1: maps exit to the
 *                                        VMM (MAP_DMA, as QEMU), unmaps may not
 *   kvm_vmm guest-window-removed GROUP   the guest maps in a table whose
 *                                        window was removed (KVM still holds it)
 *   kvm_vmm guest-then-exit GROUP        the VMM exits with all open, the
 *                                        table mapped by the guest and by it
 * Exits 0 when every check passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <linux/vfio.h>

#include "common.h"
#include "kvm_vm.h"
#include "leaks.h"

static long dma_map(int container, void *vaddr, __u64 iova, __u64 size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .vaddr = (uintptr_t)vaddr, .iova = iova, .size = size,
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
	};

	return xioctl(container, VFIO_IOMMU_MAP_DMA, &map);
}

static long dma_unmap(int container, __u64 iova, __u64 size)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = iova, .size = size,
	};

	return xioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap);
}

static long unregister(int container, void *vaddr, __u64 size)
{
	struct vfio_iommu_spapr_register_memory reg = {
		.argsz = sizeof(reg), .vaddr = (uintptr_t)vaddr, .size = size,
	};

	return xioctl(container, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, &reg);
}

/*
 * v2 as QEMU sets it up: guest RAM (its first REG_SIZE bytes) registered, a
 * window of the kernel's page size, 2 levels.  Returns the window's bus address.
 */
static __u64 v2_setup(struct vfio_ctx *ctx, int grp, struct vm *vm)
{
	struct vfio_iommu_spapr_register_memory reg = { .argsz = sizeof(reg) };
	struct vfio_iommu_spapr_tce_create create = { .argsz = sizeof(create) };

	vfio_open_v2(ctx, grp, "v2");
	reg.vaddr = (uintptr_t)vm->ram;
	reg.size = REG_SIZE;
	CHECK(xioctl(ctx->container, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &reg) == 0,
	      "REGISTER_MEMORY: the first %lu MiB of guest RAM", REG_SIZE >> 20);
	create.page_shift = WINDOW_SHIFT;
	create.window_size = WINDOW_SIZE;
	create.levels = 2;
	CHECK(xioctl(ctx->container, VFIO_IOMMU_SPAPR_TCE_CREATE, &create) == 0,
	      "TCE_CREATE: 1 GiB of %u KiB pages, 2 levels, at 0x%llx", 1U << (WINDOW_SHIFT - 10),
	      (unsigned long long)create.start_addr);
	return create.start_addr;
}

/* v2 as v2_setup(), its window given to KVM with the group, and a vCPU. */
static __u64 v2_guest(struct vfio_ctx *ctx, int grp, struct vm *vm)
{
	__u64 start;

	vm_create(vm);
	start = v2_setup(ctx, grp, vm);
	CHECK(vm_table(vm, LIOBN, WINDOW_SHIFT, start, WINDOW_SIZE) == 0,
	      "KVM_CREATE_SPAPR_TCE_64 for the window");
	vm_hand_group(vm, ctx->group);
	vm_vcpu(vm);
	vm->container = ctx->container;
	return start;
}

/* v2, 16 pages mapped by MAP_DMA, the group and a matching table given to KVM. */
static __u64 v2_attached(struct vfio_ctx *ctx, int grp, struct vm *vm)
{
	__u64 start;

	vm_create(vm);
	start = v2_setup(ctx, grp, vm);
	CHECK(dma_map(ctx->container, vm->ram + DATA_GPA, start, 16ULL << WINDOW_SHIFT) == 0,
	      "MAP_DMA 16 pages at 0x%llx", (unsigned long long)start);
	EXPECT(window_used(start) == 16, "debugfs: 16 entries used (%lld)", window_used(start));
	CHECK(vm_table(vm, LIOBN, WINDOW_SHIFT, start, WINDOW_SIZE) == 0,
	      "KVM_CREATE_SPAPR_TCE_64 for the window");
	vm_hand_group(vm, ctx->group);
	return start;
}

static int attach_v2_close_first(int grp)
{
	struct kvm_vfio_spapr_tce st;
	struct vm vm, other;
	struct vfio_ctx ctx;
	struct baseline b;
	__u64 start;
	long ret;

	baseline_take(&b);
	start = v2_attached(&ctx, grp, &vm);
	/* KVM attaches only a table matching a window: not one page off. */
	other = vm;
	CHECK(vm_table(&other, LIOBN + 1, WINDOW_SHIFT, start + (1ULL << WINDOW_SHIFT),
		       WINDOW_SIZE - (1ULL << WINDOW_SHIFT)) == 0,
	      "a second KVM table, one page into the window");
	st.groupfd = ctx.group;
	st.tablefd = other.stt;
	ret = vm_vfio_attr(&vm, KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE, &st);
	EXPECT(ret == -EINVAL, "SET_SPAPR_TCE of it: %ld (EINVAL: no window starts there)", ret);
	vm_close_table(&other);

	close(ctx.container);
	close(ctx.group);
	note("container and group fds closed: the container is %s (KVM holds the group's file)",
	     container_present() ? "still there" : "gone");
	/* The VM fd first: the table and device fds keep the VM. */
	vm_close_vm(&vm);
	vm_close_dev(&vm);
	EXPECT(!container_present(), "kvm-vfio device closed: KVM let the group go, container released");
	vm_close_table(&vm);
	vm_free_ram(&vm);
	expect_released(&b, "all closed");
	return failures ? 1 : 0;
}

static int group_del_then_close(int grp)
{
	struct vfio_ctx ctx;
	struct baseline b;
	struct vm vm;

	baseline_take(&b);
	v2_attached(&ctx, grp, &vm);
	vm_group_del(&vm, ctx.group);
	vfio_close(&ctx);
	EXPECT(!container_present(), "container and group closed after GROUP_DEL: container released");
	vm_close_table(&vm);
	vm_close_dev(&vm);
	vm_close_vm(&vm);
	vm_free_ram(&vm);
	expect_released(&b, "all closed");
	return failures ? 1 : 0;
}

static int attach_v2_unset_first(int grp)
{
	struct vfio_ctx ctx;
	struct baseline b;
	struct vm vm;

	baseline_take(&b);
	v2_attached(&ctx, grp, &vm);
	CHECK(xioctl(ctx.group, VFIO_GROUP_UNSET_CONTAINER, NULL) == 0,
	      "VFIO_GROUP_UNSET_CONTAINER while KVM holds the group and the table");
	EXPECT(!container_present(), "the container is released (its last group left)");
	EXPECT(tables_live() == b.tables + 1,
	       "KVM's reference keeps the window's table: tables_live %lld (before %lld)",
	       tables_live(), b.tables);
	EXPECT(pins_settle(b.pins) == b.pins, "the registration's pins are back: %lld (before %lld)",
	       pins_held(), b.pins);
	/* The PE is the kernel's again: KVM finds no table of its own to drop. */
	vm_group_del(&vm, ctx.group);
	vfio_close(&ctx);
	vm_close_all(&vm);
	expect_released(&b, "KVM's table closed");
	return failures ? 1 : 0;
}

/*
 * KVM alone holds a table of ours: the container, its group and
 * spapr_tce_ddw may be gone.  Waits, with everything of VFIO closed, until
 * $KVM_HOLD.go exists (after writing $KVM_HOLD.ready): the test's shell
 * meanwhile unloads spapr_tce_ddw and finds pnv_ioda2_ddw held.
 */
static int hold_table(int grp)
{
	const char *base = getenv("KVM_HOLD");
	struct vfio_ctx ctx;
	struct baseline b;
	char path[256];
	struct vm vm;
	int fd, i;

	CHECK(base != NULL, "KVM_HOLD names the files to wait on");
	baseline_take(&b);
	v2_attached(&ctx, grp, &vm);
	/*
	 * The container goes first: KVM_DEV_VFIO_GROUP_DEL while the window is
	 * programmed would make KVM drop the table too.
	 */
	CHECK(xioctl(ctx.group, VFIO_GROUP_UNSET_CONTAINER, NULL) == 0,
	      "VFIO_GROUP_UNSET_CONTAINER while KVM holds the group and the table");
	vm_group_del(&vm, ctx.group);
	vfio_close(&ctx);
	EXPECT(!container_present(), "VFIO closed: the container is released");
	EXPECT(tables_live() == b.tables + 1, "KVM keeps the window's table: tables_live %lld",
	       tables_live());
	snprintf(path, sizeof(path), "%s.ready", base);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0, "write %s", path);
	close(fd);
	snprintf(path, sizeof(path), "%s.go", base);
	for (i = 0; i < 600 && access(path, F_OK); i++)
		msleep(100);
	EXPECT(!access(path, F_OK), "%s came", path);
	vm_close_all(&vm);
	expect_released(&b, "KVM closed");
	return failures ? 1 : 0;
}

/* v1 enabled, GET_INFO into @info. */
static void v1_open(struct vfio_ctx *ctx, int grp, struct vfio_iommu_spapr_tce_info *info)
{
	vfio_open(ctx, grp);
	CHECK(xioctl(ctx->container, VFIO_SET_IOMMU, (void *)VFIO_SPAPR_TCE_IOMMU) == 0,
	      "SET_IOMMU(VFIO_SPAPR_TCE_IOMMU)");
	info->argsz = sizeof(*info);
	CHECK(xioctl(ctx->container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, info) == 0,
	      "GET_INFO: 32-bit window 0x%x+0x%x", info->dma32_window_start,
	      info->dma32_window_size);
	CHECK(xioctl(ctx->container, VFIO_IOMMU_ENABLE, NULL) == 0, "VFIO_IOMMU_ENABLE");
}

static void attach_v1_round(int grp, bool vfio_first)
{
	struct vfio_iommu_spapr_tce_info info;
	const char *order = vfio_first ? "VFIO first" : "KVM first";
	struct vfio_ctx ctx;
	struct baseline b;
	struct vm vm;

	note("--- v1, closed %s", order);
	baseline_take(&b);
	vm_create(&vm);
	v1_open(&ctx, grp, &info);
	CHECK(dma_map(ctx.container, vm.ram + DATA_GPA, info.dma32_window_start, 16 << 12) == 0,
	      "MAP_DMA 16 4K pages");
	EXPECT(pins_held() == b.pins + 16 && state_value("pinned_pages: ") == 16,
	       "one pin per entry: %lld pins, debugfs %lld", pins_held() - b.pins,
	       state_value("pinned_pages: "));
	CHECK(vm_table(&vm, LIOBN, 12, info.dma32_window_start, info.dma32_window_size) == 0,
	      "KVM_CREATE_SPAPR_TCE_64 for the 32-bit window");
	vm_hand_group(&vm, ctx.group);
	if (vfio_first) {
		vfio_close(&ctx);
		vm_close_vm(&vm);
		vm_close_dev(&vm);
		vm_close_table(&vm);
	} else {
		vm_close_table(&vm);
		vm_close_dev(&vm);
		vm_close_vm(&vm);
		EXPECT(container_present() && state_value("pinned_pages: ") == 16,
		       "KVM gone: the container keeps its 16 pinned entries (%lld)",
		       state_value("pinned_pages: "));
		vfio_close(&ctx);
	}
	vm_free_ram(&vm);
	expect_released(&b, order);
}

static int attach_v1(int grp)
{
	attach_v1_round(grp, true);
	attach_v1_round(grp, false);
	return failures ? 1 : 0;
}

static int guest_hcalls_v2(int grp)
{
	const __u64 page = 1ULL << WINDOW_SHIFT;
	struct hcall h[8];
	struct vfio_ctx ctx;
	struct baseline b;
	long long pins_reg;
	struct vm vm;
	__u64 start;
	long ret;
	int i;

	baseline_take(&b);
	start = v2_guest(&ctx, grp, &vm);
	pins_reg = pins_held();

	for (i = 0; i < 8; i++)
		h[i] = put_tce(start + i * page, (DATA_GPA + i * page) | TCE_READ | TCE_WRITE);
	vm_run(&vm, h, 8);
	CHECK(all_ret(h, 8, H_SUCCESS), "guest: H_PUT_TCE maps 8 pages: H_SUCCESS");
	EXPECT(vm.exits == 0, "KVM did them in the kernel: %d left to the VMM", vm.exits);
	EXPECT(vm.tces[0] == h[0].args[2] && vm.tces[7] == h[7].args[2],
	       "KVM's copy of the table has them");
	print_state("after the guest's maps");
	EXPECT(window_used(start) == 8, "debugfs: 8 entries used (%lld)", window_used(start));
	EXPECT(state_value(" mapped ") == 8, "debugfs: 8 entries map the registration (%lld)",
	       state_value(" mapped "));
	EXPECT(pins_held() == pins_reg, "no pin taken: the registration has them (%lld, %lld)",
	       pins_held(), pins_reg);

	/* Unmap three, remap one elsewhere read-only (KVM replaces it). */
	for (i = 0; i < 3; i++)
		h[i] = put_tce(start + i * page, 0);
	h[3] = put_tce(start + 3 * page, (DATA_GPA + 0x80000) | TCE_READ);
	vm_run(&vm, h, 4);
	EXPECT(all_ret(h, 4, H_SUCCESS) && vm.exits == 0,
	       "guest: unmaps 3, remaps 1, in the kernel (%d exits)", vm.exits);
	EXPECT(window_used(start) == 5 && state_value(" mapped ") == 5,
	       "debugfs: 5 entries used (%lld), 5 map the registration (%lld)",
	       window_used(start), state_value(" mapped "));

	/* MAP_DMA by the VMM, unmapped by the guest; and the other way round. */
	CHECK(dma_map(ctx.container, vm.ram + DATA_GPA + 16 * page, start + 16 * page, page) == 0,
	      "MAP_DMA of entry 16 by the VMM");
	h[0] = put_tce(start + 16 * page, 0);
	h[1] = put_tce(start + 17 * page, (DATA_GPA + 17 * page) | TCE_READ | TCE_WRITE);
	vm_run(&vm, h, 2);
	EXPECT(all_ret(h, 2, H_SUCCESS) && vm.exits == 0,
	       "guest: unmaps entry 16, maps entry 17, in the kernel (%d exits)", vm.exits);
	ret = dma_map(ctx.container, vm.ram + DATA_GPA, start + 17 * page, page);
	EXPECT(ret == -EBUSY, "MAP_DMA over the guest's entry 17: %ld (EBUSY)", ret);
	ret = dma_unmap(ctx.container, start + 17 * page, page);
	EXPECT(ret == 0, "UNMAP_DMA of the guest's entry 17 by the VMM: %ld", ret);
	EXPECT(window_used(start) == 5 && state_value(" mapped ") == 5,
	       "debugfs: 5 entries used (%lld), 5 map the registration (%lld)",
	       window_used(start), state_value(" mapped "));

	/* What KVM refuses or leaves to us, and what we refuse then. */
	h[0] = put_tce(start + 20 * page, (REG_SIZE + page) | TCE_READ | TCE_WRITE);
	h[1] = put_tce(start + WINDOW_SIZE, DATA_GPA | TCE_READ | TCE_WRITE);
	h[2] = put_tce(start + 21 * page, (4 * GUEST_RAM) | TCE_READ | TCE_WRITE);
	vm_run(&vm, h, 3);
	EXPECT(all_ret(h, 3, H_PARAMETER),
	       "guest: maps of unregistered RAM, outside the window, outside RAM: H_PARAMETER");
	EXPECT(vm.exits == 2, "the RAM ones were left to the VMM (MAP_DMA refused): %d exits",
	       vm.exits);
	EXPECT(window_used(start) == 5, "debugfs: still 5 entries used (%lld)", window_used(start));
	ret = unregister(ctx.container, vm.ram, REG_SIZE);
	EXPECT(ret == -EBUSY, "UNREGISTER_MEMORY while the guest maps it: %ld (EBUSY)", ret);
	EXPECT(pins_held() == pins_reg, "pins as registered: %lld (%lld)", pins_held(), pins_reg);

	/* The container goes while KVM holds the table with the guest's entries. */
	CHECK(xioctl(ctx.group, VFIO_GROUP_UNSET_CONTAINER, NULL) == 0,
	      "VFIO_GROUP_UNSET_CONTAINER with 5 guest entries in the table");
	EXPECT(!container_present(), "the container is released");
	EXPECT(pins_settle(b.pins) == b.pins, "its registration's pins are back: %lld (before %lld)",
	       pins_held(), b.pins);
	EXPECT(tables_live() == b.tables + 1, "KVM keeps the table: tables_live %lld (before %lld)",
	       tables_live(), b.tables);
	vfio_close(&ctx);
	vm.container = -1;
	h[0] = put_tce(start + 5 * page, 0);
	h[1] = put_tce(start + 6 * page, (DATA_GPA + 6 * page) | TCE_READ | TCE_WRITE);
	vm_run(&vm, h, 2);
	EXPECT(h[0].ret == H_SUCCESS, "guest: unmaps in the orphaned table: %lld", (long long)h[0].ret);
	EXPECT(h[1].ret == H_PARAMETER && vm.exits == 1,
	       "guest: a map there is left to the VMM (nothing registered), refused: %lld, %d exits",
	       (long long)h[1].ret, vm.exits);
	EXPECT(pins_settle(b.pins) == b.pins, "pins: %lld (before %lld)", pins_held(), b.pins);

	vm_close_all(&vm);
	expect_released(&b, "all closed");
	return failures ? 1 : 0;
}

/*
 * KVM clears an entry itself (kvmppc_clear_tce()) before it leaves to the
 * VMM an H_PUT_TCE it cannot do: the count the entry held on the
 * registration goes with it, or a later map of the entry loses it and the
 * registration can never be released.
 */
static int guest_remap_after_refusal(int grp)
{
	const __u64 page = 1ULL << WINDOW_SHIFT;
	struct vfio_ctx ctx;
	struct baseline b;
	struct hcall h[3];
	struct vm vm;
	__u64 start;
	long ret;

	baseline_take(&b);
	start = v2_guest(&ctx, grp, &vm);

	h[0] = put_tce(start, DATA_GPA | TCE_READ | TCE_WRITE);
	h[1] = put_tce(start, (REG_SIZE + page) | TCE_READ | TCE_WRITE);
	h[2] = put_tce(start, (DATA_GPA + page) | TCE_READ | TCE_WRITE);
	vm_run(&vm, h, 3);
	EXPECT(h[0].ret == H_SUCCESS && h[1].ret == H_PARAMETER && h[2].ret == H_SUCCESS &&
	       vm.exits == 1,
	       "guest: entry 0 mapped in the kernel, remapped to unregistered RAM (left to the VMM, refused: %lld), mapped again in the kernel (%d exits)",
	       (long long)h[1].ret, vm.exits);
	print_state("after the guest's three maps of entry 0");
	EXPECT(window_used(start) == 1 && state_value(" mapped ") == 1,
	       "debugfs: 1 entry used (%lld), 1 maps the registration (%lld)",
	       window_used(start), state_value(" mapped "));
	ret = dma_unmap(ctx.container, start, page);
	EXPECT(ret == 0, "UNMAP_DMA of entry 0: %ld", ret);
	ret = unregister(ctx.container, vm.ram, REG_SIZE);
	EXPECT(ret == 0, "UNREGISTER_MEMORY once nothing maps it: %ld", ret);

	vfio_close(&ctx);
	vm.container = -1;
	vm_close_all(&vm);
	expect_released(&b, "all closed");
	return failures ? 1 : 0;
}

/*
 * The container of one process, KVM of another (the group handed over):
 * KVM looks addresses up in its own process, so when its guest unmaps an
 * entry the container mapped, the count the entry held on the container's
 * registration must go all the same, or a later MAP_DMA of the entry
 * loses it and the registration can never be released.
 */
static void other_process_child(struct vfio_ctx *ctx, int to_parent, int from_parent)
{
	struct vfio_iommu_spapr_register_memory reg = { .argsz = sizeof(reg) };
	struct vfio_iommu_spapr_tce_create create = { .argsz = sizeof(create) };
	const __u64 page = 1ULL << WINDOW_SHIFT;
	void *mem = anon_mem(REG_SIZE, 0);
	long ret;
	char c;

	CHECK(xioctl(ctx->container, VFIO_SET_IOMMU, (void *)VFIO_SPAPR_TCE_v2_IOMMU) == 0,
	      "child: SET_IOMMU(VFIO_SPAPR_TCE_v2_IOMMU): the container is the child's");
	reg.vaddr = (uintptr_t)mem;
	reg.size = REG_SIZE;
	CHECK(xioctl(ctx->container, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &reg) == 0,
	      "child: REGISTER_MEMORY of %lu MiB", REG_SIZE >> 20);
	create.page_shift = WINDOW_SHIFT;
	create.window_size = WINDOW_SIZE;
	create.levels = 2;
	CHECK(xioctl(ctx->container, VFIO_IOMMU_SPAPR_TCE_CREATE, &create) == 0,
	      "child: TCE_CREATE at 0x%llx", (unsigned long long)create.start_addr);
	CHECK(dma_map(ctx->container, mem, create.start_addr, page) == 0, "child: MAP_DMA of entry 0");
	CHECK(write(to_parent, &create.start_addr, sizeof(create.start_addr)) ==
	      sizeof(create.start_addr) && read(from_parent, &c, 1) == 1,
	      "child: the parent's guest has run");
	EXPECT(window_used(create.start_addr) == 0, "child: entry 0 unmapped by the guest (%lld used)",
	       window_used(create.start_addr));
	ret = dma_map(ctx->container, mem, create.start_addr, page);
	EXPECT(ret == 0, "child: MAP_DMA of entry 0 again: %ld", ret);
	ret = dma_unmap(ctx->container, create.start_addr, page);
	EXPECT(ret == 0, "child: UNMAP_DMA of entry 0: %ld", ret);
	ret = unregister(ctx->container, mem, REG_SIZE);
	EXPECT(ret == 0, "child: UNREGISTER_MEMORY once nothing maps it: %ld", ret);
	exit(failures ? 1 : 0);
}

static int guest_other_process(int grp)
{
	int to_parent[2], from_parent[2], status;
	struct vfio_ctx ctx;
	struct baseline b;
	struct hcall h[1];
	struct vm vm;
	__u64 start;
	pid_t pid;

	baseline_take(&b);
	vfio_open(&ctx, grp);
	CHECK(pipe(to_parent) == 0 && pipe(from_parent) == 0, "pipes");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid)
		other_process_child(&ctx, to_parent[1], from_parent[0]);
	CHECK(read(to_parent[0], &start, sizeof(start)) == sizeof(start),
	      "the child set up the container and mapped entry 0");
	vm_create(&vm);
	CHECK(vm_table(&vm, LIOBN, WINDOW_SHIFT, start, WINDOW_SIZE) == 0,
	      "KVM_CREATE_SPAPR_TCE_64 for the child's window");
	vm_hand_group(&vm, ctx.group);
	vm_vcpu(&vm);
	h[0] = put_tce(start, 0);
	vm_run(&vm, h, 1);
	EXPECT(h[0].ret == H_SUCCESS && vm.exits == 0,
	       "guest: unmaps the child's entry 0 in the kernel: %lld (%d exits)",
	       (long long)h[0].ret, vm.exits);
	CHECK(write(from_parent[1], "g", 1) == 1, "tell the child");
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child's checks passed");

	vfio_close(&ctx);
	vm_close_all(&vm);
	expect_released(&b, "all closed");
	return failures ? 1 : 0;
}

/* The second group, on another PHB, for the cases that need two containers. */
static int second_group = -1;

/*
 * KVM looks a guest's page up in every registration of its process: it
 * maps memory that one container registered into another container's
 * window.  The first container's release then finds its registration still
 * mapped; mm_iommu keeps the region and spapr-tce-v2 puts it again until
 * it goes, once KVM's entry is cleared: nothing stays pinned.
 */
static int guest_maps_other_container(int grp)
{
	struct vfio_iommu_spapr_register_memory reg = { .argsz = sizeof(reg) };
	struct vfio_iommu_spapr_tce_create create = { .argsz = sizeof(create) };
	const __u64 page = 1ULL << WINDOW_SHIFT;
	struct vfio_ctx a, bctx;
	struct baseline b;
	struct hcall h[1];
	long long pins_reg;
	struct vm vm;

	CHECK(second_group >= 0, "a second group to use: kvm_vmm CASE GROUP GROUP2");
	baseline_take(&b);
	vm_create(&vm);
	vfio_open_v2(&a, grp, "container A");
	reg.vaddr = (uintptr_t)vm.ram;
	reg.size = REG_SIZE;
	CHECK(xioctl(a.container, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &reg) == 0,
	      "A: REGISTER_MEMORY of guest RAM");
	pins_reg = pins_held();
	vfio_open_v2(&bctx, second_group, "container B");
	create.page_shift = WINDOW_SHIFT;
	create.window_size = WINDOW_SIZE;
	create.levels = 2;
	CHECK(xioctl(bctx.container, VFIO_IOMMU_SPAPR_TCE_CREATE, &create) == 0,
	      "B (nothing registered): TCE_CREATE at 0x%llx", (unsigned long long)create.start_addr);
	CHECK(vm_table(&vm, LIOBN, WINDOW_SHIFT, create.start_addr, WINDOW_SIZE) == 0,
	      "KVM_CREATE_SPAPR_TCE_64 for B's window");
	vm_hand_group(&vm, bctx.group);
	vm_vcpu(&vm);
	h[0] = put_tce(create.start_addr, (DATA_GPA + page) | TCE_READ | TCE_WRITE);
	vm_run(&vm, h, 1);
	EXPECT(h[0].ret == H_SUCCESS && vm.exits == 0,
	       "guest: maps A's memory into B's window in the kernel: %lld (%d exits)",
	       (long long)h[0].ret, vm.exits);
	vfio_close(&a);
	EXPECT(pins_held() == pins_reg,
	       "A closed: its registration stays while B's window maps it (%lld pins, %lld)",
	       pins_held(), pins_reg);
	vfio_close(&bctx);
	vm_close_all(&vm);
	expect_released(&b, "B and KVM closed: A's registration gone too");
	return failures ? 1 : 0;
}

static int guest_hcalls_v1(int grp)
{
	struct vfio_iommu_spapr_tce_info info;
	struct hcall h[4];
	struct vfio_ctx ctx;
	struct baseline b;
	long long pins;
	struct vm vm;
	__u64 start;
	int i;

	baseline_take(&b);
	vm_create(&vm);
	v1_open(&ctx, grp, &info);
	start = info.dma32_window_start;
	/* The window is made when first used: KVM needs it to attach. */
	CHECK(dma_map(ctx.container, vm.ram + DATA_GPA, start, 4096) == 0 &&
	      dma_unmap(ctx.container, start, 4096) == 0, "MAP_DMA + UNMAP_DMA: the window exists");
	CHECK(vm_table(&vm, LIOBN, 12, start, info.dma32_window_size) == 0,
	      "KVM_CREATE_SPAPR_TCE_64 for the 32-bit window");
	vm_hand_group(&vm, ctx.group);
	vm_vcpu(&vm);
	vm.container = ctx.container;

	for (i = 0; i < 4; i++)
		h[i] = put_tce(start + i * 4096, (DATA_GPA + i * 0x10000) | TCE_READ | TCE_WRITE);
	vm_run(&vm, h, 4);
	CHECK(all_ret(h, 4, H_SUCCESS), "guest: H_PUT_TCE maps 4 pages: H_SUCCESS");
	EXPECT(vm.exits == 4, "each left to the VMM (v1 keeps no user addresses): %d exits",
	       vm.exits);
	pins = pins_held();
	EXPECT(pins == b.pins + 4 && state_value("pinned_pages: ") == 4,
	       "MAP_DMA pinned 4 pages: %lld pins, debugfs %lld", pins - b.pins,
	       state_value("pinned_pages: "));

	/* Entries the VMM mapped, cleared by the guest: their pins must go. */
	h[0] = put_tce(start, 0);
	h[1] = put_tce(start + 4096, 0);
	vm_run(&vm, h, 2);
	EXPECT(all_ret(h, 2, H_SUCCESS), "guest: unmaps 2: H_SUCCESS");
	note("%s", vm.exits ? "the unmaps were left to the VMM (UNMAP_DMA)"
			    : "KVM did the unmaps in the kernel");
	print_state("after the guest's unmaps");
	EXPECT(pins_settle(pins - 2) == pins - 2,
	       "their 2 pins are released: %lld pins held (%lld before)",
	       pins_held() - b.pins, pins - b.pins);
	EXPECT(state_value("pinned_pages: ") == 2, "debugfs: 2 pinned entries (%lld)",
	       state_value("pinned_pages: "));

	h[0] = put_tce(start, DATA_GPA | TCE_READ);
	vm_run(&vm, h, 1);
	EXPECT(all_ret(h, 1, H_SUCCESS) && vm.exits == 1, "guest: maps entry 0 again (VMM)");

	/* KVM goes first: the container keeps and then releases its 3 entries. */
	vm_close_table(&vm);
	vm_close_dev(&vm);
	vm_close_vm(&vm);
	EXPECT(state_value("pinned_pages: ") == 3, "KVM gone: 3 pinned entries (%lld)",
	       state_value("pinned_pages: "));
	vfio_close(&ctx);
	vm_free_ram(&vm);
	expect_released(&b, "all closed");
	return failures ? 1 : 0;
}

/*
 * QEMU removes a window when the guest removes its DDW; KVM's table may
 * still be attached, and the guest can still write it: the entries KVM puts
 * in the removed table keep the registration until KVM lets the table go.
 */
static int guest_window_removed(int grp)
{
	struct vfio_iommu_spapr_tce_remove remove = { .argsz = sizeof(remove) };
	const __u64 page = 1ULL << WINDOW_SHIFT;
	long long pins_reg, tables;
	struct hcall h[4];
	struct vfio_ctx ctx;
	struct baseline b;
	int i, held = 0;
	struct vm vm;
	__u64 start;
	long ret;

	baseline_take(&b);
	start = v2_guest(&ctx, grp, &vm);
	pins_reg = pins_held();
	for (i = 0; i < 4; i++)
		h[i] = put_tce(start + i * page, (DATA_GPA + i * page) | TCE_READ | TCE_WRITE);
	vm_run(&vm, h, 4);
	CHECK(all_ret(h, 4, H_SUCCESS) && vm.exits == 0, "guest: maps 4 pages in the kernel");
	EXPECT(window_used(start) == 4, "debugfs: 4 entries used (%lld)", window_used(start));

	tables = tables_live();
	remove.start_addr = start;
	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_REMOVE, &remove) == 0,
	      "TCE_REMOVE of the window KVM holds");
	EXPECT(state_value(" mapped ") == 0, "debugfs: nothing maps the registration (%lld)",
	       state_value(" mapped "));
	EXPECT(tables_live() == tables, "KVM keeps the table: tables_live %lld (%lld before)",
	       tables_live(), tables);

	h[0] = put_tce(start + 8 * page, (DATA_GPA + 8 * page) | TCE_READ | TCE_WRITE);
	h[1] = put_tce(start + 9 * page, (DATA_GPA + 9 * page) | TCE_READ);
	vm_run(&vm, h, 2);
	for (i = 0; i < 2; i++)
		held += h[i].ret == H_SUCCESS;
	note("guest: 2 maps in the removed window's table: %lld, %lld (%d exits)",
	     (long long)h[0].ret, (long long)h[1].ret, vm.exits);
	ret = unregister(ctx.container, vm.ram, REG_SIZE);
	if (held)
		EXPECT(ret == -EBUSY, "UNREGISTER_MEMORY while KVM's table maps it: %ld (EBUSY)", ret);
	else
		EXPECT(ret == 0, "UNREGISTER_MEMORY: %ld", ret);
	EXPECT(pins_settle(ret ? pins_reg : b.pins) == (ret ? pins_reg : b.pins), "pins: %lld",
	       pins_held());

	/* KVM lets the table go (from an RCU callback): what it held comes back. */
	vm_close_table(&vm);
	for (i = 0; i < 30 && ret; i++) {
		msleep(100);
		ret = unregister(ctx.container, vm.ram, REG_SIZE);
	}
	EXPECT(ret == 0, "KVM's table closed: UNREGISTER_MEMORY %ld after %d00 ms", ret, i);
	EXPECT(pins_settle(b.pins) == b.pins, "pins back: %lld (before %lld)", pins_held(), b.pins);
	vm_close_dev(&vm);
	vm_close_vm(&vm);
	vfio_close(&ctx);
	vm_free_ram(&vm);
	expect_released(&b, "all closed");
	return failures ? 1 : 0;
}

/*
 * The VMM dies with everything open (QEMU killed): the guest's entries and
 * the VMM's in the window.  The kernel closes the fds after the mm is gone,
 * in their order; the script checks that nothing is left.
 */
static int guest_then_exit(int grp)
{
	const __u64 page = 1ULL << WINDOW_SHIFT;
	struct vfio_ctx ctx;
	struct hcall h[8];
	struct vm vm;
	__u64 start;
	int i;

	start = v2_guest(&ctx, grp, &vm);
	for (i = 0; i < 8; i++)
		h[i] = put_tce(start + i * page, (DATA_GPA + i * page) | TCE_READ | TCE_WRITE);
	vm_run(&vm, h, 8);
	CHECK(all_ret(h, 8, H_SUCCESS) && vm.exits == 0, "guest: maps 8 pages in the kernel");
	CHECK(dma_map(ctx.container, vm.ram + DATA_GPA, start + 8 * page, 4 * page) == 0,
	      "MAP_DMA of 4 more by the VMM");
	EXPECT(window_used(start) == 12, "debugfs: 12 entries used (%lld)", window_used(start));
	note("exiting with every fd open");
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int grp);
	} cases[] = {
		{ "attach-v2-close-first", attach_v2_close_first },
		{ "group-del-then-close", group_del_then_close },
		{ "attach-v2-unset-first", attach_v2_unset_first },
		{ "attach-v1", attach_v1 },
		{ "hold-table", hold_table },
		{ "guest-hcalls-v2", guest_hcalls_v2 },
		{ "guest-remap-after-refusal", guest_remap_after_refusal },
		{ "guest-other-process", guest_other_process },
		{ "guest-maps-other-container", guest_maps_other_container },
		{ "guest-hcalls-v1", guest_hcalls_v1 },
		{ "guest-window-removed", guest_window_removed },
		{ "guest-then-exit", guest_then_exit },
	};
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4)
		second_group = atoi(argv[3]);
	for (i = 0; (argc == 3 || argc == 4) && i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!strcmp(argv[1], cases[i].name))
			return cases[i].fn(atoi(argv[2]));
	fprintf(stderr, "usage: kvm_vmm CASE GROUP [GROUP2]\n");
	return 2;
}
