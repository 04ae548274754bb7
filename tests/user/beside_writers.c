// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvm_beside's two writers of one container, each in its thread: the
 * guest's random hypercall batches, answered by KVM (in the kernel, into
 * our tables) or by the VMM, and the VMM's random VFIO calls.  Each answer
 * is checked against those documented for the call; see kvm_beside.c.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "beside_writers.h"
#include "leaks.h"

struct tally *tally;

static void unexpected(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void unexpected(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One write: the two threads' lines do not mix. */
	printf("UNEXPECTED: %s\n", line);
	__atomic_fetch_add(&tally->unexpected, 1, __ATOMIC_RELAXED);
}

/* --- the guest's side --------------------------------------------------- */

/* A TCE for guest page @gpa: mostly registered RAM, now and then not. */
static __u64 guest_tce(struct vmm *m, unsigned long long *s)
{
	__u64 gpa, perm = below(s, 4);		/* 0: unmap */

	switch (below(s, 8)) {
	case 0:
		gpa = REG_SIZE + below(s, (GUEST_RAM - REG_SIZE) / m->page) * m->page;
		break;
	case 1:
		gpa = 4 * GUEST_RAM;		/* outside guest RAM */
		break;
	default:
		gpa = DATA_GPA + below(s, (REG_SIZE - DATA_GPA) / m->page) * m->page;
	}
	return gpa | perm;
}

/* An entry of the DDW: mostly the hot ones. */
static __u64 guest_ioba(struct vmm *m, unsigned long long *s)
{
	if (below(s, 4))
		return m->ddw + below(s, HOT) * m->page;
	return m->ddw + below(s, WINDOW_SIZE / m->page) * m->page;
}

static void put64be(struct vmm *m, __u64 gpa, __u64 v)
{
	v = htobe64(v);
	memcpy(m->vm.ram + gpa, &v, sizeof(v));
}

/*
 * One random batch; @bad[i] says hcall i has the one answer H_PARAMETER,
 * @maps[i] that it maps something.
 */
static int guest_batch(struct vmm *m, unsigned long long *s, struct hcall *h, bool *bad,
		       bool *maps)
{
	int i, j, n = 1 + below(s, BATCH_MAX), lists = 0;

	for (i = 0; i < n; i++) {
		unsigned int k = below(s, 8);
		__u64 ioba = guest_ioba(m, s), npages = 1 + below(s, 16);

		bad[i] = !below(s, 16);
		maps[i] = false;
		if (k < 4) {
			h[i] = put_tce(ioba, guest_tce(m, s));
			maps[i] = h[i].args[2] & (TCE_READ | TCE_WRITE);
			if (bad[i])		/* past the window's end */
				h[i].args[1] = m->ddw + WINDOW_SIZE + below(s, HOT) * m->page;
		} else if (k < 6) {
			__u64 list = LISTS_GPA + 4096ULL * lists++;

			for (j = 0; j < (int)npages; j++) {
				__u64 tce = guest_tce(m, s);

				put64be(m, list + 8 * j, tce);
				maps[i] |= tce & (TCE_READ | TCE_WRITE);
			}
			if (bad[i])		/* a list not 4K-aligned */
				list += 8;
			h[i] = (struct hcall){ .nr = H_PUT_TCE_INDIRECT,
					       .args = { LIOBN, ioba, list, npages } };
		} else {
			/* Only clearing: KVM refuses permission bits here. */
			h[i] = (struct hcall){ .nr = H_STUFF_TCE,
					       .args = { LIOBN, ioba, bad[i] ? TCE_READ : 0,
							 npages } };
		}
	}
	return n;
}

static void guest_tally(const struct hcall *h, const bool *bad, const bool *maps, int n)
{
	int i, kind, r;

	for (i = 0; i < n; i++) {
		kind = h[i].nr == H_PUT_TCE ? HC_PUT :
		       h[i].nr == H_PUT_TCE_INDIRECT ? HC_INDIRECT : HC_STUFF;
		r = h[i].ret == H_SUCCESS ? RET_OK : h[i].ret == H_PARAMETER ? RET_PARAM :
		    h[i].ret == H_FUNCTION ? RET_FUNC : RET_OTHER;
		__atomic_fetch_add(&tally->hcalls[kind][r], 1, __ATOMIC_RELAXED);
		/* What KVM mapped into our table in the kernel. */
		if (r == RET_OK && maps[i] && !h[i].exited && kind != HC_STUFF)
			__atomic_fetch_add(&tally->kernel_maps[kind], 1, __ATOMIC_RELAXED);
		/*
		 * H_FUNCTION: KVM left it to us, and we do H_PUT_TCE only.  A
		 * clear KVM validated cannot fail in our tables: KVM leaves
		 * H_STUFF_TCE to us only when one did (it WARNs).
		 */
		if (r == RET_OTHER || (r == RET_FUNC && kind != HC_INDIRECT) ||
		    (bad[i] && r != RET_PARAM))
			unexpected("hcall 0x%llx (ioba 0x%llx, 0x%llx, %llu)%s: %lld",
				   (unsigned long long)h[i].nr, (unsigned long long)h[i].args[1],
				   (unsigned long long)h[i].args[2],
				   (unsigned long long)h[i].args[3],
				   bad[i] ? " must get H_PARAMETER" : "", (long long)h[i].ret);
	}
}

/* Whether the side goes on past its count: until the other is gone, or killed. */
static bool endless(enum mode mode, bool guest)
{
	return mode == KILLED || mode == (guest ? KILLED_VFIO_GONE : KILLED_KVM_GONE);
}

void *vcpu_thread(void *arg)
{
	struct vmm *m = arg;
	unsigned long long s = m->seed * 2 + 1;
	struct hcall h[BATCH_MAX];
	bool bad[BATCH_MAX], maps[BATCH_MAX];
	long b, extra = -1;
	sigset_t set;
	int n;

	/* vm_run()'s watchdog: SIGALRM interrupts KVM_RUN in this thread only. */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	for (b = 0;; b++) {
		/* vfio-first: a quarter more once the container is gone. */
		if (m->mode == VFIO_FIRST && extra < 0 &&
		    __atomic_load_n(&m->vfio_gone, __ATOMIC_ACQUIRE))
			extra = b + m->batches / 4 + 1;
		if (b >= m->batches && !endless(m->mode, true) &&
		    (m->mode != VFIO_FIRST || (extra >= 0 && b >= extra)))
			break;
		n = guest_batch(m, &s, h, bad, maps);
		vm_run(&m->vm, h, n);
		__atomic_fetch_add(&tally->put_exits, m->vm.exits, __ATOMIC_RELAXED);
		guest_tally(h, bad, maps, n);
		if (!b && __atomic_or_fetch(&tally->running, 1, __ATOMIC_ACQ_REL) == 3 &&
		    m->mode == KILLED)
			__atomic_store_n(&tally->armed, 1, __ATOMIC_RELEASE);
	}
	if (m->mode == KVM_FIRST || m->mode == KILLED_KVM_GONE) {
		vm_close_dev(&m->vm);
		vm_close_table(&m->vm);
		vm_close_vm(&m->vm);
		__atomic_store_n(&m->kvm_gone, 1, __ATOMIC_RELEASE);
		if (m->mode == KILLED_KVM_GONE)
			__atomic_store_n(&tally->armed, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* --- the VFIO side ------------------------------------------------------ */

static void call_tally(int kind, long ret, bool ok, const char *what)
{
	__atomic_fetch_add(&tally->calls[kind][ret != 0], 1, __ATOMIC_RELAXED);
	if (!ok)
		unexpected("%s: %ld", what, ret);
}

long beside_reg(struct vmm *m, unsigned long req, __u64 off, __u64 size)
{
	struct vfio_iommu_spapr_register_memory reg = {
		.argsz = sizeof(reg), .vaddr = (uintptr_t)m->vm.ram + off, .size = size,
	};

	return xioctl(m->ctx.container, req, &reg);
}

/* REGISTER or UNREGISTER the guest RAM half @hi: its state is ours alone. */
static void vfio_registration(struct vmm *m, bool hi)
{
	bool *reg = hi ? &m->reg_hi : &m->reg_lo;
	__u64 off = hi ? REG_SIZE : 0;
	char what[64];
	long ret;

	snprintf(what, sizeof(what), "%sREGISTER_MEMORY of the %s half",
		 *reg ? "UN" : "", hi ? "upper" : "lower");
	long long pins, want;

	if (*reg) {
		ret = beside_reg(m, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, off, REG_SIZE);
		call_tally(IO_REG, ret, ret == 0 || ret == -EBUSY, what);
		*reg = ret != 0;
	} else {
		ret = beside_reg(m, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, off, REG_SIZE);
		call_tally(IO_REG, ret, ret == 0 || ret == -ENOMEM, what);
		*reg = ret == 0;
	}
	/*
	 * Only registrations pin: the maps of both writers take their counts.
	 * mm_iommu unpins a region from an RCU callback: give it a moment.
	 */
	want = m->pins_base + (m->reg_lo + m->reg_hi) * (REG_SIZE / sysconf(_SC_PAGESIZE));
	pins = pins_settle(want);
	if (pins != want)
		unexpected("after %s (%ld): %lld pages pinned, the registrations hold %lld",
			   what, ret, pins - m->pins_base, want - m->pins_base);
}

static void vfio_window0(struct vmm *m)
{
	struct vfio_iommu_spapr_tce_create create = {
		.argsz = sizeof(create), .page_shift = 12, .window_size = m->w0_size,
		.levels = 2,
	};
	struct vfio_iommu_spapr_tce_remove remove = { .argsz = sizeof(remove) };
	long ret;

	if (m->w0) {
		ret = xioctl(m->ctx.container, VFIO_IOMMU_SPAPR_TCE_REMOVE, &remove);
		call_tally(IO_WIN, ret, ret == 0, "TCE_REMOVE of window 0");
	} else {
		ret = xioctl(m->ctx.container, VFIO_IOMMU_SPAPR_TCE_CREATE, &create);
		call_tally(IO_WIN, ret, ret == -ENOMEM || (ret == 0 && create.start_addr == 0),
			   "TCE_CREATE of window 0");
	}
	m->w0 ^= ret == 0;
}

static void vfio_call(struct vmm *m, unsigned long long *s)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	unsigned int k = below(s, 100);
	bool in_w0 = !below(s, 5), past = !below(s, 16);
	__u64 pg = in_w0 ? 4096 : m->page, base = in_w0 ? 0 : m->ddw;
	__u64 end = in_w0 ? m->w0_size : WINDOW_SIZE, iova, size;
	bool nowin = past || (in_w0 && !m->w0);
	char what[96];
	long ret;

	iova = base + (past ? end : 0) + below(s, HOT) * pg;
	size = (1 + below(s, 8)) * pg;
	if (k < 40) {
		__u64 off = below(s, 8) ? DATA_GPA + below(s, (REG_SIZE - DATA_GPA) / m->page) * m->page
					: REG_SIZE + below(s, (GUEST_RAM - REG_SIZE) / m->page) * m->page;

		if (off + size > GUEST_RAM)
			off = GUEST_RAM - size;
		map.vaddr = (uintptr_t)m->vm.ram + off;
		map.iova = iova;
		map.size = size;
		map.flags = 1 + below(s, 3);	/* READ, WRITE or both */
		ret = xioctl(m->ctx.container, VFIO_IOMMU_MAP_DMA, &map);
		snprintf(what, sizeof(what), "MAP_DMA 0x%llx+0x%llx of RAM +0x%llx%s",
			 (unsigned long long)iova, (unsigned long long)size,
			 (unsigned long long)off, nowin ? " (no window: ENXIO)" : "");
		call_tally(IO_MAP, ret, nowin ? ret == -ENXIO :
			   ret == 0 || ret == -EBUSY || ret == -EFAULT || ret == -ENOMEM, what);
	} else if (k < 80) {
		unmap.iova = iova;
		unmap.size = below(s, 4) ? size : 4 * HOT * pg;
		ret = xioctl(m->ctx.container, VFIO_IOMMU_UNMAP_DMA, &unmap);
		snprintf(what, sizeof(what), "UNMAP_DMA 0x%llx+0x%llx%s",
			 (unsigned long long)iova, (unsigned long long)unmap.size,
			 nowin ? " (no window: ENXIO)" : "");
		call_tally(IO_UNMAP, ret, nowin ? ret == -ENXIO : ret == 0, what);
	} else if (k < 90) {
		vfio_registration(m, true);
	} else if (k < 93) {
		vfio_registration(m, false);
	} else if (k < 96) {
		vfio_window0(m);
	} else {
		ret = xioctl(m->ctx.container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info);
		call_tally(IO_INFO, ret, ret == 0, "TCE_GET_INFO");
	}
}

void *vfio_thread(void *arg)
{
	struct vmm *m = arg;
	unsigned long long s = m->seed * 2;
	long c, extra = -1;

	for (c = 0;; c++) {
		/* kvm-first: a quarter more once KVM is gone. */
		if (m->mode == KVM_FIRST && extra < 0 &&
		    __atomic_load_n(&m->kvm_gone, __ATOMIC_ACQUIRE))
			extra = c + m->calls / 4 + 1;
		if (c >= m->calls && !endless(m->mode, false) &&
		    (m->mode != KVM_FIRST || (extra >= 0 && c >= extra)))
			break;
		vfio_call(m, &s);
		if (!c && __atomic_or_fetch(&tally->running, 2, __ATOMIC_ACQ_REL) == 3 &&
		    m->mode == KILLED)
			__atomic_store_n(&tally->armed, 1, __ATOMIC_RELEASE);
	}
	if (m->mode == VFIO_FIRST || m->mode == KILLED_VFIO_GONE) {
		long ret;

		__atomic_store_n(&m->vm.container, -1, __ATOMIC_RELEASE);
		/* As QEMU does when the device goes: KVM keeps the group and table. */
		ret = xioctl(m->ctx.group, VFIO_GROUP_UNSET_CONTAINER, NULL);
		call_tally(IO_WIN, ret, ret == 0, "VFIO_GROUP_UNSET_CONTAINER under the guest");
		vfio_close(&m->ctx);
		__atomic_store_n(&m->vfio_gone, 1, __ATOMIC_RELEASE);
		if (m->mode == KILLED_VFIO_GONE)
			__atomic_store_n(&tally->armed, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}
