/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvm_beside's two writers of one container: the guest's hypercalls
 * (the vCPU thread) and the VMM's VFIO calls (the VFIO thread), and what
 * they share with the rounds that run them (kvm_beside.c).
 */
#ifndef SPAPR_DDW_TEST_BESIDE_WRITERS_H
#define SPAPR_DDW_TEST_BESIDE_WRITERS_H

#include <stdbool.h>
#include <linux/types.h>

#include "common.h"
#include "kvm_vm.h"

#define HOT		64		/* entries both sides aim at */
#define BATCH_MAX	32		/* hcalls per guest batch */
#define LISTS_GPA	0x20000UL	/* H_PUT_TCE_INDIRECT lists, a 4K page each */

enum mode { BOTH, KVM_FIRST, VFIO_FIRST, KILLED, KILLED_KVM_GONE, KILLED_VFIO_GONE, MODES };

/* Counted in shared memory: a killed VMM's figures are the parent's too. */
enum { HC_PUT, HC_INDIRECT, HC_STUFF, HC_KINDS };
enum { RET_OK, RET_PARAM, RET_FUNC, RET_OTHER, RET_KINDS };
enum { IO_MAP, IO_UNMAP, IO_REG, IO_WIN, IO_INFO, IO_KINDS };
struct tally {
	long hcalls[HC_KINDS][RET_KINDS];
	long calls[IO_KINDS][2];	/* ok, failed as documented */
	long unexpected;
	long put_exits;			/* H_PUT_TCE KVM left to the VMM */
	long kernel_maps[HC_KINDS];	/* maps KVM did in the kernel, by kind */
	int running;			/* bit 0: the guest ran, bit 1: VFIO did */
	int armed;			/* the round may be killed now */
};
extern struct tally *tally;

struct vmm {
	struct vm vm;
	struct vfio_ctx ctx;
	__u64 page, ddw, w0_size;
	bool w0, reg_lo, reg_hi;	/* the VFIO thread's own state */
	long long pins_base;		/* before anything was registered */
	enum mode mode;
	unsigned long long seed;
	long batches, calls;
	int kvm_gone, vfio_gone;	/* atomics */
};

static inline unsigned long long rnd(unsigned long long *s)
{
	unsigned long long z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline unsigned long long below(unsigned long long *s, unsigned long long n)
{
	return rnd(s) % n;
}

/* (UN)REGISTER_MEMORY of [@off, @off + @size) of guest RAM. */
long beside_reg(struct vmm *m, unsigned long req, __u64 off, __u64 size);
/* The threads: their struct vmm is @arg. */
void *vcpu_thread(void *arg);
void *vfio_thread(void *arg);

#endif
