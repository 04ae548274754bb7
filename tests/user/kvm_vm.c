// SPDX-License-Identifier: GPL-2.0-only
/*
 * The KVM side of kvm_vmm: a KVM-HV VM with its sPAPR TCE table, the
 * kvm-vfio device, and one vCPU running a tiny real-mode guest that makes
 * the hcalls it is given; the H_PUT_TCE KVM leaves to userspace are done
 * as QEMU does them, with VFIO MAP_DMA/UNMAP_DMA.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <linux/vfio.h>

#include "common.h"
#include "kvm_vm.h"

void vm_create(struct vm *vm)
{
	struct kvm_userspace_memory_region mr = { .slot = 0 };
	__u32 htab_order = 20;

	memset(vm, 0, sizeof(*vm));
	vm->dev = vm->stt = vm->vcpu = vm->container = -1;
	vm->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	CHECK(vm->kvm >= 0, "open /dev/kvm");
	CHECK(ioctl(vm->kvm, KVM_GET_API_VERSION, 0) == KVM_API_VERSION, "KVM_GET_API_VERSION");
	vm->fd = ioctl(vm->kvm, KVM_CREATE_VM, KVM_VM_PPC_HV);
	CHECK(vm->fd >= 0, "KVM_CREATE_VM(KVM_VM_PPC_HV): %d", vm->fd < 0 ? -errno : 0);
	CHECK(ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_SPAPR_TCE_64) > 0 &&
	      ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_SPAPR_TCE_VFIO) > 0,
	      "KVM has KVM_CAP_SPAPR_TCE_64 and KVM_CAP_SPAPR_TCE_VFIO");
	/* A small HPT: the default 16 MiB is zeroed by an emulated CPU. */
	if (xioctl(vm->fd, KVM_PPC_ALLOCATE_HTAB, &htab_order))
		note("KVM_PPC_ALLOCATE_HTAB(%u) failed: KVM's default size", htab_order);
	vm->ram = anon_mem(GUEST_RAM, 0);
	mr.memory_size = GUEST_RAM;
	mr.userspace_addr = (uintptr_t)vm->ram;
	CHECK(xioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &mr) == 0,
	      "KVM_SET_USER_MEMORY_REGION: %lu MiB of guest RAM at 0", GUEST_RAM >> 20);
}

/* A KVM TCE table covering the window [@bus, @bus + @size) in 2^@shift pages. */
long vm_table(struct vm *vm, __u32 liobn, __u32 shift, __u64 bus, __u64 size)
{
	struct kvm_create_spapr_tce_64 t = {
		.liobn = liobn, .page_shift = shift, .offset = bus >> shift, .size = size >> shift,
	};
	long fd = xioctl(vm->fd, KVM_CREATE_SPAPR_TCE_64, &t);

	if (fd < 0)
		return fd;
	vm->tbl = t;
	vm->stt = fd;
	vm->tces_bytes = (t.size * sizeof(__u64) + sysconf(_SC_PAGESIZE) - 1) &
			 ~(sysconf(_SC_PAGESIZE) - 1);
	vm->tces = mmap(NULL, vm->tces_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(vm->tces != MAP_FAILED, "mmap the KVM TCE table");
	return 0;
}

/* The mapping holds the table's file: both go, or KVM keeps the table. */
void vm_close_table(struct vm *vm)
{
	munmap(vm->tces, vm->tces_bytes);
	close(vm->stt);
	vm->stt = -1;
}

long vm_vfio_attr(struct vm *vm, __u64 attr, void *arg)
{
	struct kvm_device_attr a = {
		.group = KVM_DEV_VFIO_GROUP, .attr = attr, .addr = (uintptr_t)arg,
	};

	return xioctl(vm->dev, KVM_SET_DEVICE_ATTR, &a);
}

/* What QEMU does with a group and a table: the kvm-vfio device. */
void vm_hand_group(struct vm *vm, int group)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };
	struct kvm_vfio_spapr_tce st = { .groupfd = group, .tablefd = vm->stt };
	__s32 fd = group;

	CHECK(xioctl(vm->fd, KVM_CREATE_DEVICE, &cd) == 0, "KVM_CREATE_DEVICE(KVM_DEV_TYPE_VFIO)");
	vm->dev = cd.fd;
	CHECK(vm_vfio_attr(vm, KVM_DEV_VFIO_GROUP_ADD, &fd) == 0, "KVM_DEV_VFIO_GROUP_ADD");
	CHECK(vm_vfio_attr(vm, KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE, &st) == 0,
	      "KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE: KVM attaches the window's table (liobn 0x%llx, offset 0x%llx, %llu pages of %u KiB)",
	      (unsigned long long)vm->tbl.liobn, (unsigned long long)vm->tbl.offset,
	      (unsigned long long)vm->tbl.size, 1U << (vm->tbl.page_shift - 10));
}

void vm_group_del(struct vm *vm, int group)
{
	__s32 fd = group;

	CHECK(vm_vfio_attr(vm, KVM_DEV_VFIO_GROUP_DEL, &fd) == 0, "KVM_DEV_VFIO_GROUP_DEL");
}

/* Closing the kvm-vfio device makes KVM let the group go (kvm_vfio_release). */
void vm_close_dev(struct vm *vm)
{
	close(vm->dev);
	vm->dev = -1;
}

/* The VM goes once the vCPU, table and device fds are gone too. */
void vm_close_vm(struct vm *vm)
{
	if (vm->vcpu >= 0) {
		munmap(vm->run, vm->run_size);
		close(vm->vcpu);
	}
	close(vm->fd);
	close(vm->kvm);
	vm->vcpu = vm->fd = vm->kvm = -1;
}

/* Everything of the VM, in the order QEMU closes it. */
void vm_close_all(struct vm *vm)
{
	vm_close_dev(vm);
	vm_close_table(vm);
	vm_close_vm(vm);
	vm_free_ram(vm);
}

/* Guest RAM stays until the case's end: it may be pre-registered. */
void vm_free_ram(struct vm *vm)
{
	munmap(vm->ram, GUEST_RAM);
}

/* Hand-assembled Power ISA instructions, big-endian in memory. */
#define PPC_ADDI(rt, ra, si)	(14U << 26 | (rt) << 21 | (ra) << 16 | ((si) & 0xffff))
#define PPC_LI(rt, si)		PPC_ADDI(rt, 0, si)
#define PPC_LD(rt, ds, ra)	(58U << 26 | (rt) << 21 | (ra) << 16 | ((ds) & 0xfffc))
#define PPC_STD(rs, ds, ra)	(62U << 26 | (rs) << 21 | (ra) << 16 | ((ds) & 0xfffc))
#define PPC_CMPDI(ra, si)	(11U << 26 | 1U << 21 | (ra) << 16 | ((si) & 0xffff))
#define PPC_BEQ(off)		(16U << 26 | 12U << 21 | 2U << 16 | ((off) & 0xfffc))
#define PPC_B(off)		(18U << 26 | ((off) & 0x3fffffc))
#define PPC_MFSPR(rt, spr)	(31U << 26 | (rt) << 21 | ((spr) & 0x1f) << 16 | \
				 ((spr) >> 5) << 11 | 339U << 1)
#define PPC_SC1			0x44000022U	/* sc 1: hypervisor call */
#define SPRN_SRR0		26
#define SPRN_SRR1		27

static void put32(struct vm *vm, __u64 gpa, __u32 v)
{
	v = htobe32(v);
	memcpy(vm->ram + gpa, &v, sizeof(v));
}

static void put64(struct vm *vm, __u64 gpa, __u64 v)
{
	v = htobe64(v);
	memcpy(vm->ram + gpa, &v, sizeof(v));
}

static __u64 get64(struct vm *vm, __u64 gpa)
{
	__u64 v;

	memcpy(&v, vm->ram + gpa, sizeof(v));
	return be64toh(v);
}

/*
 * The guest, big-endian in real mode (KVM-HV maps guest RAM from 0 through
 * the VRMA on the first KVM_RUN): r20 points at a list of hcalls, 48 bytes
 * each (nr, r4, r5, r6, r7, result), ended by nr 0.  It makes each one with
 * `sc 1`, stores r3, and makes HC_DONE at the end.  Every interrupt vector
 * makes HC_TRAP: the guest expects none.
 */
static void vm_write_guest(struct vm *vm)
{
	static const __u32 prog[] = {
		PPC_LD(3, 0, 20),		/* 0: loop: r3 = nr */
		PPC_CMPDI(3, 0),		/* 1 */
		PPC_BEQ(9 * 4),			/* 2: nr 0: to 11 */
		PPC_LD(4, 8, 20),		/* 3 */
		PPC_LD(5, 16, 20),		/* 4 */
		PPC_LD(6, 24, 20),		/* 5 */
		PPC_LD(7, 32, 20),		/* 6 */
		PPC_SC1,			/* 7 */
		PPC_STD(3, 40, 20),		/* 8: the result */
		PPC_ADDI(20, 20, HCALL_BYTES),	/* 9 */
		PPC_B(-10 * 4),			/* 10: to loop */
		PPC_LI(3, HC_DONE),		/* 11 */
		PPC_SC1,			/* 12 */
		PPC_B(0),			/* 13: never resumed */
	};
	__u64 vec;
	size_t i;

	for (vec = 0x100; vec < CODE_GPA; vec += 0x80) {
		const __u32 stub[] = {
			PPC_LI(3, HC_TRAP), PPC_LI(4, vec), PPC_MFSPR(5, SPRN_SRR0),
			PPC_MFSPR(6, SPRN_SRR1), PPC_SC1, PPC_B(0),
		};

		for (i = 0; i < sizeof(stub) / sizeof(stub[0]); i++)
			put32(vm, vec + 4 * i, stub[i]);
	}
	for (i = 0; i < sizeof(prog) / sizeof(prog[0]); i++)
		put32(vm, CODE_GPA + 4 * i, prog[i]);
}

static void on_alarm(int sig)
{
	(void)sig;
}

void vm_vcpu(struct vm *vm)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	struct kvm_enable_cap papr = { .cap = KVM_CAP_PPC_PAPR };

	vm->vcpu = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
	CHECK(vm->vcpu >= 0, "KVM_CREATE_VCPU");
	/* KVM-HV runs only PAPR guests (kvmppc_sanity_check()), as QEMU sets. */
	CHECK(xioctl(vm->vcpu, KVM_ENABLE_CAP, &papr) == 0, "KVM_ENABLE_CAP(KVM_CAP_PPC_PAPR)");
	vm->run_size = ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu, 0);
	CHECK(vm->run != MAP_FAILED, "mmap kvm_run");
	vm_write_guest(vm);
	/* No SA_RESTART: a guest that hangs makes KVM_RUN return -EINTR. */
	sigaction(SIGALRM, &sa, NULL);
}

/* KVM-HV leaves H_PUT_TCE_INDIRECT and H_STUFF_TCE to us until asked, as QEMU asks. */
void vm_enable_hcall(struct vm *vm, __u64 nr)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_PPC_ENABLE_HCALL, .args = { nr, 1 } };

	CHECK(xioctl(vm->fd, KVM_ENABLE_CAP, &cap) == 0,
	      "KVM_CAP_PPC_ENABLE_HCALL(0x%llx): KVM does it in the kernel", (unsigned long long)nr);
}

/*
 * An H_PUT_TCE KVM did not complete in the kernel (H_TOO_HARD), done as
 * QEMU does: VFIO MAP_DMA/UNMAP_DMA of the guest page's user address, and
 * the TCE kept in KVM's table (QEMU's view of it is that mapping).
 */
static __s64 vmm_put_tce(struct vm *vm, __u64 liobn, __u64 ioba, __u64 tce)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	__u64 pgsize = 1ULL << vm->tbl.page_shift, idx = ioba >> vm->tbl.page_shift;
	__u64 gpa = tce & ~(pgsize - 1);
	/* Read once: another thread may close the container (kvm_beside). */
	int container = __atomic_load_n(&vm->container, __ATOMIC_ACQUIRE);
	long ret;

	if (liobn != vm->tbl.liobn || ioba & (pgsize - 1) || idx < vm->tbl.offset ||
	    idx - vm->tbl.offset >= vm->tbl.size || container < 0)
		return H_PARAMETER;
	idx -= vm->tbl.offset;
	if (tce & (TCE_READ | TCE_WRITE)) {
		if (gpa >= GUEST_RAM)
			return H_PARAMETER;
		map.vaddr = (uintptr_t)vm->ram + gpa;
		map.iova = ioba;
		map.size = pgsize;
		map.flags = (tce & TCE_READ ? VFIO_DMA_MAP_FLAG_READ : 0) |
			    (tce & TCE_WRITE ? VFIO_DMA_MAP_FLAG_WRITE : 0);
		ret = xioctl(container, VFIO_IOMMU_MAP_DMA, &map);
	} else {
		unmap.iova = ioba;
		unmap.size = pgsize;
		ret = xioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap);
	}
	if (!vm->quiet)
		note("VMM: H_PUT_TCE ioba 0x%llx tce 0x%llx left to us: %s %ld",
		     (unsigned long long)ioba, (unsigned long long)tce,
		     tce & 3 ? "MAP_DMA" : "UNMAP_DMA", ret);
	if (ret)
		return H_PARAMETER;
	vm->tces[idx] = tce;
	return H_SUCCESS;
}



static void dump_vcpu(struct vm *vm)
{
	struct kvm_regs regs;

	if (xioctl(vm->vcpu, KVM_GET_REGS, &regs) == 0)
		note("vCPU: pc 0x%llx msr 0x%llx r3 0x%llx r20 0x%llx",
		     (unsigned long long)regs.pc, (unsigned long long)regs.msr,
		     (unsigned long long)regs.gpr[3], (unsigned long long)regs.gpr[20]);
}

/* Let the guest make @n hcalls; their results land in @h[i].ret. */
void vm_run(struct vm *vm, struct hcall *h, int n)
{
	struct kvm_regs regs;
	__u64 gpa = CMDS_GPA;
	int i, ret;

	CHECK(n >= 0 && (__u64)n <= HCALLS_MAX, "%d hcalls fit the guest's list", n);
	for (i = 0; i < n; i++, gpa += HCALL_BYTES) {
		put64(vm, gpa, h[i].nr);
		put64(vm, gpa + 8, h[i].args[0]);
		put64(vm, gpa + 16, h[i].args[1]);
		put64(vm, gpa + 24, h[i].args[2]);
		put64(vm, gpa + 32, h[i].args[3]);
		put64(vm, gpa + 40, 0x5a5a5a5a5a5a5a5aULL);
		h[i].exited = false;
	}
	put64(vm, gpa, 0);
	CHECK(xioctl(vm->vcpu, KVM_GET_REGS, &regs) == 0, "KVM_GET_REGS");
	regs.pc = CODE_GPA;
	regs.msr = MSR_SF | MSR_ME;
	regs.gpr[20] = CMDS_GPA;
	CHECK(xioctl(vm->vcpu, KVM_SET_REGS, &regs) == 0, "KVM_SET_REGS: pc 0x%lx", CODE_GPA);
	vm->exits = 0;
	vm->other_exits = 0;
	for (;;) {
		struct kvm_run *run = vm->run;

		alarm(30);
		ret = ioctl(vm->vcpu, KVM_RUN, 0);
		alarm(0);
		if (ret < 0) {
			ret = -errno;
			dump_vcpu(vm);
			CHECK(false, "KVM_RUN: %d%s, exit reason %u", ret,
			      ret == -EINTR ? " (the guest did not finish in 30 s)" : "",
			      run->exit_reason);
		}
		if (run->exit_reason != KVM_EXIT_PAPR_HCALL) {
			dump_vcpu(vm);
			CHECK(false, "KVM_RUN: exit reason %u, not an hcall (hw reason 0x%llx)",
			      run->exit_reason,
			      (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		}
		switch (run->papr_hcall.nr) {
		case HC_DONE:
			for (i = 0; i < n; i++)
				h[i].ret = get64(vm, CMDS_GPA + HCALL_BYTES * i + 40);
			return;
		case HC_TRAP:
			CHECK(false, "the guest took interrupt 0x%llx at 0x%llx (srr1 0x%llx)",
			      (unsigned long long)run->papr_hcall.args[0],
			      (unsigned long long)run->papr_hcall.args[1],
			      (unsigned long long)run->papr_hcall.args[2]);
			break;
		case H_PUT_TCE:
			vm->exits++;
			/* The first of the list not done yet: the guest goes in order. */
			for (i = 0; i < n; i++)
				if (!h[i].exited && h[i].nr == H_PUT_TCE &&
				    h[i].args[1] == run->papr_hcall.args[1] &&
				    h[i].args[2] == run->papr_hcall.args[2]) {
					h[i].exited = true;
					break;
				}
			run->papr_hcall.ret = vmm_put_tce(vm, run->papr_hcall.args[0],
							  run->papr_hcall.args[1],
							  run->papr_hcall.args[2]);
			break;
		default:
			vm->other_exits++;
			if (!vm->quiet)
				note("VMM: hcall 0x%llx not ours: H_FUNCTION",
				     (unsigned long long)run->papr_hcall.nr);
			run->papr_hcall.ret = H_FUNCTION;
		}
	}
}

struct hcall put_tce(__u64 ioba, __u64 tce)
{
	return (struct hcall){ .nr = H_PUT_TCE, .args = { LIOBN, ioba, tce } };
}

/* All @n hcalls answered @want. */
bool all_ret(const struct hcall *h, int n, __s64 want)
{
	int i;

	for (i = 0; i < n; i++)
		if (h[i].ret != want) {
			note("hcall %d (ioba 0x%llx tce 0x%llx): %lld", i,
			     (unsigned long long)h[i].args[1], (unsigned long long)h[i].args[2],
			     (long long)h[i].ret);
			return false;
		}
	return true;
}
