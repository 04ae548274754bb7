/* SPDX-License-Identifier: GPL-2.0-only */
/* The KVM side of kvm_vmm: see kvm_vm.c. */
#ifndef SPAPR_DDW_TEST_KVM_VM_H
#define SPAPR_DDW_TEST_KVM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <linux/types.h>

#define GUEST_RAM		(32UL << 20)
/* v2: the first half of guest RAM is pre-registered, the rest is not. */
#define REG_SIZE		(16UL << 20)
#define WINDOW_SIZE		(1ULL << 30)
/* The DDW's IOMMU page: the kernel's (4K or 64K), which anonymous memory backs. */
#define WINDOW_SHIFT		((__u32)__builtin_ctzl(sysconf(_SC_PAGESIZE)))
#define LIOBN			0x80000000ULL

/* Guest physical layout: vectors below CODE_GPA, then code, hcall list, data. */
#define CODE_GPA		0x1000UL
#define CMDS_GPA		0x10000UL
#define DATA_GPA		0x100000UL

#define MSR_SF			(1ULL << 63)
#define MSR_ME			(1ULL << 12)

#define H_SUCCESS		0
#define H_FUNCTION		-2
#define H_PARAMETER		-4
#define H_PUT_TCE		0x20
#define H_PUT_TCE_INDIRECT	0x13c
#define H_STUFF_TCE		0x138
#define TCE_READ		1ULL	/* the device may read the page */
#define TCE_WRITE		2ULL	/* the device may write it */
/* Not PAPR hcalls: KVM leaves them to us.  The guest's batch is done... */
#define HC_DONE			0x7000
/* ...or it took an interrupt (r4 vector, r5 SRR0, r6 SRR1). */
#define HC_TRAP			0x7100

/* The KVM side: a VM, its TCE table, the kvm-vfio device, one vCPU. */
struct vm {
	int kvm, fd, dev, stt, vcpu;
	struct kvm_run *run;
	long run_size;
	unsigned char *ram;
	struct kvm_create_spapr_tce_64 tbl;
	__u64 *tces;		/* KVM's copy of the guest's TCEs (mmap) */
	size_t tces_bytes;
	int container;		/* where the VMM's H_PUT_TCE go; -1: none */
	int exits;		/* H_PUT_TCE KVM left to the VMM */
	int other_exits;	/* other hcalls KVM left to the VMM (H_FUNCTION) */
	bool quiet;		/* no note per exit (random guests) */
};

/* One hcall of the guest's list: r3 = nr, r4..r7 = args, r3 after = ret. */
struct hcall {
	__u64 nr, args[4];
	__s64 ret;
	bool exited;	/* an H_PUT_TCE KVM left to the VMM */
};

/* The guest's hcall list: at CMDS_GPA, HCALL_BYTES each, up to DATA_GPA. */
#define HCALL_BYTES		48
#define HCALLS_MAX		((DATA_GPA - CMDS_GPA) / HCALL_BYTES - 1)

void vm_create(struct vm *vm);
long vm_table(struct vm *vm, __u32 liobn, __u32 shift, __u64 bus, __u64 size);
void vm_close_table(struct vm *vm);
long vm_vfio_attr(struct vm *vm, __u64 attr, void *arg);
void vm_hand_group(struct vm *vm, int group);
void vm_group_del(struct vm *vm, int group);
void vm_close_dev(struct vm *vm);
void vm_close_vm(struct vm *vm);
void vm_free_ram(struct vm *vm);
void vm_close_all(struct vm *vm);
void vm_vcpu(struct vm *vm);
void vm_enable_hcall(struct vm *vm, __u64 nr);
void vm_run(struct vm *vm, struct hcall *h, int n);
struct hcall put_tce(__u64 ioba, __u64 tce);
bool all_ret(const struct hcall *h, int n, __s64 want);

#endif
