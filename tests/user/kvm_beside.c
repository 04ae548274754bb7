// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO and a KVM guest writing one spapr-tce-v2 container at once, as in
 * the deployment: the VMM's MAP_DMA/UNMAP_DMA, REGISTER/UNREGISTER_MEMORY
 * and window calls in one thread, the guest's H_PUT_TCE, H_PUT_TCE_INDIRECT
 * and H_STUFF_TCE (KVM writes them straight into our tables) in the vCPU
 * thread, both random and in the same entries of the same DDW.
 *
 *   kvm_beside GROUP SEED ROUNDS BATCHES CALLS
 *
 * Each round forks a VMM; rounds take turns with how it ends:
 *   both          both sides finish; then every entry is unmapped and
 *                 every registration must go (-EBUSY: a count lost)
 *   kvm-first     KVM closes (the VM goes, KVM lets the table go) while
 *                 the VFIO side goes on; then the same
 *   vfio-first    VFIO_GROUP_UNSET_CONTAINER while the guest goes on: the
 *                 container's windows go with KVM writing the DDW's table
 *   killed        SIGKILL 10-710 ms after both sides started
 *   killed-kvm-gone   SIGKILL while the VFIO side goes on, KVM closed
 *   killed-vfio-gone  SIGKILL while the guest goes on, the container unset
 * (A killed VMM's files are released by the kernel in its own order: KVM
 * holds the group file, so the container goes after KVM detaches.)
 * After each round no pin, container, TCE table or level may be left.
 * Every answer must be one the backend (or KVM) documents for the call;
 * calls with one possible answer (outside the window, a misaligned list,
 * a registration's state, which only the VFIO thread changes) must give
 * it.  While running: after each REGISTER/UNREGISTER the pages pinned
 * must be exactly those of the halves registered (v2 maps, ours or KVM's,
 * pin nothing).  The run must have exercised both writers: maps done by
 * KVM in the kernel, lists, stuffs and MAP_DMA that succeeded.  The seed
 * (printed) replays each side's calls, not their interleaving.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "common.h"
#include "kvm_vm.h"
#include "leaks.h"

#define HOT		64		/* entries both sides aim at */
#define BATCH_MAX	32		/* hcalls per guest batch */
#define LISTS_GPA	0x20000UL	/* H_PUT_TCE_INDIRECT lists, a 4K page each */

enum mode { BOTH, KVM_FIRST, VFIO_FIRST, KILLED, KILLED_KVM_GONE, KILLED_VFIO_GONE, MODES };
static const char *const mode_name[MODES] = {
	"both", "kvm-first", "vfio-first", "killed", "killed-kvm-gone", "killed-vfio-gone",
};

/* Counted in shared memory: a killed VMM's figures are the parent's too. */
enum { HC_PUT, HC_INDIRECT, HC_STUFF, HC_KINDS };
enum { RET_OK, RET_PARAM, RET_FUNC, RET_OTHER, RET_KINDS };
enum { IO_MAP, IO_UNMAP, IO_REG, IO_WIN, IO_INFO, IO_KINDS };
struct tally {
	long hcalls[HC_KINDS][RET_KINDS];
	long calls[IO_KINDS][2];	/* ok, failed as documented */
	long unexpected;
	long put_exits;			/* H_PUT_TCE KVM left to the VMM */
	int running;			/* bit 0: the guest ran, bit 1: VFIO did */
	int armed;			/* the round may be killed now */
};
static struct tally *t;

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

static unsigned long long rnd(unsigned long long *s)
{
	unsigned long long z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned long long below(unsigned long long *s, unsigned long long n)
{
	return rnd(s) % n;
}

static void unexpected(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void unexpected(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("UNEXPECTED: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	__atomic_fetch_add(&t->unexpected, 1, __ATOMIC_RELAXED);
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

/* One random batch; @bad[i] says hcall i has the one answer H_PARAMETER. */
static int guest_batch(struct vmm *m, unsigned long long *s, struct hcall *h, bool *bad)
{
	int i, j, n = 1 + below(s, BATCH_MAX), lists = 0;

	for (i = 0; i < n; i++) {
		unsigned int k = below(s, 8);
		__u64 ioba = guest_ioba(m, s), npages = 1 + below(s, 16);

		bad[i] = !below(s, 16);
		if (k < 4) {
			h[i] = put_tce(ioba, guest_tce(m, s));
			if (bad[i])		/* past the window's end */
				h[i].args[1] = m->ddw + WINDOW_SIZE + below(s, HOT) * m->page;
		} else if (k < 6) {
			__u64 list = LISTS_GPA + 4096ULL * lists++;

			for (j = 0; j < (int)npages; j++)
				put64be(m, list + 8 * j, guest_tce(m, s));
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

static void guest_tally(const struct hcall *h, const bool *bad, int n)
{
	int i, kind, r;

	for (i = 0; i < n; i++) {
		kind = h[i].nr == H_PUT_TCE ? HC_PUT :
		       h[i].nr == H_PUT_TCE_INDIRECT ? HC_INDIRECT : HC_STUFF;
		r = h[i].ret == H_SUCCESS ? RET_OK : h[i].ret == H_PARAMETER ? RET_PARAM :
		    h[i].ret == H_FUNCTION ? RET_FUNC : RET_OTHER;
		__atomic_fetch_add(&t->hcalls[kind][r], 1, __ATOMIC_RELAXED);
		/* H_FUNCTION: KVM left it to us, and we do H_PUT_TCE only. */
		if (r == RET_OTHER || (r == RET_FUNC && kind == HC_PUT) ||
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

static void *vcpu_thread(void *arg)
{
	struct vmm *m = arg;
	unsigned long long s = m->seed * 2 + 1;
	struct hcall h[BATCH_MAX];
	bool bad[BATCH_MAX];
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
		n = guest_batch(m, &s, h, bad);
		vm_run(&m->vm, h, n);
		__atomic_fetch_add(&t->put_exits, m->vm.exits, __ATOMIC_RELAXED);
		guest_tally(h, bad, n);
		if (!b && __atomic_or_fetch(&t->running, 1, __ATOMIC_ACQ_REL) == 3 &&
		    m->mode == KILLED)
			__atomic_store_n(&t->armed, 1, __ATOMIC_RELEASE);
	}
	if (m->mode == KVM_FIRST || m->mode == KILLED_KVM_GONE) {
		vm_close_dev(&m->vm);
		vm_close_table(&m->vm);
		vm_close_vm(&m->vm);
		__atomic_store_n(&m->kvm_gone, 1, __ATOMIC_RELEASE);
		if (m->mode == KILLED_KVM_GONE)
			__atomic_store_n(&t->armed, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* --- the VFIO side ------------------------------------------------------ */

static void call_tally(int kind, long ret, bool ok, const char *what)
{
	__atomic_fetch_add(&t->calls[kind][ret != 0], 1, __ATOMIC_RELAXED);
	if (!ok)
		unexpected("%s: %ld", what, ret);
}

static long reg_call(struct vmm *m, unsigned long req, __u64 off, __u64 size)
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
		ret = reg_call(m, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, off, REG_SIZE);
		call_tally(IO_REG, ret, ret == 0 || ret == -EBUSY, what);
		*reg = ret != 0;
	} else {
		ret = reg_call(m, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, off, REG_SIZE);
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

static void *vfio_thread(void *arg)
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
		if (!c && __atomic_or_fetch(&t->running, 2, __ATOMIC_ACQ_REL) == 3 &&
		    m->mode == KILLED)
			__atomic_store_n(&t->armed, 1, __ATOMIC_RELEASE);
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
			__atomic_store_n(&t->armed, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* --- one VMM ------------------------------------------------------------ */

static void setup(struct vmm *m, int grp)
{
	struct vfio_iommu_spapr_tce_create create = {
		.argsz = sizeof(create), .page_shift = WINDOW_SHIFT, .window_size = WINDOW_SIZE,
		.levels = 2,
	};
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };

	vm_create(&m->vm);
	m->vm.quiet = true;
	m->pins_base = pins_held();
	vm_enable_hcall(&m->vm, H_PUT_TCE_INDIRECT);
	vm_enable_hcall(&m->vm, H_STUFF_TCE);
	vfio_open_v2(&m->ctx, grp, "v2");
	CHECK(xioctl(m->ctx.container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info) == 0,
	      "TCE_GET_INFO");
	m->w0_size = info.dma32_window_size;
	m->w0 = true;
	CHECK(reg_call(m, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, 0, REG_SIZE) == 0,
	      "REGISTER_MEMORY of the lower half of guest RAM");
	m->reg_lo = true;
	CHECK(xioctl(m->ctx.container, VFIO_IOMMU_SPAPR_TCE_CREATE, &create) == 0,
	      "TCE_CREATE: the DDW");
	m->ddw = create.start_addr;
	m->page = 1ULL << WINDOW_SHIFT;
	CHECK(vm_table(&m->vm, LIOBN, WINDOW_SHIFT, m->ddw, WINDOW_SIZE) == 0,
	      "KVM_CREATE_SPAPR_TCE_64 for the DDW");
	vm_hand_group(&m->vm, m->ctx.group);
	vm_vcpu(&m->vm);
	m->vm.container = m->ctx.container;
}

/* Entries mapping a registration, over all of the container's. */
static long long mapped_total(void)
{
	static char buf[8192];
	long long n, sum = 0;
	char *p = buf;

	container_states(buf, sizeof(buf));
	while ((p = strstr(p, " mapped "))) {
		p += strlen(" mapped ");
		if (sscanf(p, "%lld", &n) == 1)
			sum += n;
	}
	return sum;
}

/* Both sides done: every entry goes, then every registration must. */
static void drain(struct vmm *m)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap), .iova = m->ddw, .size = WINDOW_SIZE,
	};
	long ret;

	ret = xioctl(m->ctx.container, VFIO_IOMMU_UNMAP_DMA, &unmap);
	EXPECT(ret == 0, "UNMAP_DMA of the whole DDW: %ld", ret);
	if (m->w0) {
		unmap.iova = 0;
		unmap.size = m->w0_size;
		ret = xioctl(m->ctx.container, VFIO_IOMMU_UNMAP_DMA, &unmap);
		EXPECT(ret == 0, "UNMAP_DMA of the whole window 0: %ld", ret);
	}
	EXPECT(window_used(m->ddw) == 0 && mapped_total() == 0,
	       "debugfs: no entry used (%lld), none maps a registration (%lld)",
	       window_used(m->ddw), mapped_total());
	if (m->reg_lo) {
		ret = reg_call(m, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, 0, REG_SIZE);
		EXPECT(ret == 0, "UNREGISTER_MEMORY of the lower half: %ld", ret);
	}
	if (m->reg_hi) {
		ret = reg_call(m, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, REG_SIZE, REG_SIZE);
		EXPECT(ret == 0, "UNREGISTER_MEMORY of the upper half: %ld", ret);
	}
}

static void vmm(int grp, enum mode mode, unsigned long long seed, long batches, long calls)
{
	static struct vmm m;
	long start = t->unexpected;
	pthread_t vcpu, vfio;
	sigset_t set;

	m.mode = mode;
	m.seed = seed;
	m.batches = batches;
	m.calls = calls;
	setup(&m, grp);
	/* Only the vCPU thread takes vm_run()'s SIGALRM. */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	CHECK(pthread_create(&vcpu, NULL, vcpu_thread, &m) == 0 &&
	      pthread_create(&vfio, NULL, vfio_thread, &m) == 0, "the vCPU and VFIO threads");
	pthread_join(vcpu, NULL);
	pthread_join(vfio, NULL);
	if (mode == BOTH || mode == KVM_FIRST)
		drain(&m);
	if (mode != VFIO_FIRST)
		vfio_close(&m.ctx);
	if (mode != KVM_FIRST) {
		vm_close_dev(&m.vm);
		vm_close_table(&m.vm);
		vm_close_vm(&m.vm);
	}
	vm_free_ram(&m.vm);
	exit(failures || t->unexpected != start ? 1 : 0);
}

/* Nothing of the round may stay: KVM lets its tables go from RCU callbacks. */
static bool released(const struct baseline *b)
{
	int i;

	for (i = 0; i < 50; i++) {
		if (pins_held() == b->pins && tables_live() == b->tables &&
		    levels_live() == b->levels && !container_present())
			return true;
		msleep(100);
	}
	return false;
}

int main(int argc, char **argv)
{
	long rounds, batches, calls, r, i, j, ms = 0, leaks = 0, bad = 0;
	unsigned long long seed, s;
	struct baseline b;
	int grp, status;
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 6) {
		fprintf(stderr, "usage: kvm_beside GROUP SEED ROUNDS BATCHES CALLS\n");
		return 2;
	}
	grp = atoi(argv[1]);
	seed = strtoull(argv[2], NULL, 10);
	rounds = atol(argv[3]);
	batches = atol(argv[4]);
	calls = atol(argv[5]);
	t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(t != MAP_FAILED, "shared tally");
	printf("seed %llu\n", seed);
	baseline_take(&b);
	s = seed;
	for (r = 0; r < rounds; r++) {
		enum mode mode = r % MODES;
		long before = t->unexpected;
		bool left = false;

		bool killed = mode >= KILLED;
		pid_t done = 0;

		t->running = t->armed = 0;
		pid = fork();
		CHECK(pid >= 0, "fork");
		if (!pid)
			vmm(grp, mode, seed + r, batches, calls);
		if (killed) {
			for (i = 0; i < 600 && !t->armed && !(done = waitpid(pid, &status, WNOHANG)); i++)
				msleep(50);
			ms = 10 + below(&s, 700);
			if (!done) {
				msleep(ms);
				kill(pid, SIGKILL);
			}
		}
		CHECK(done == pid || waitpid(pid, &status, 0) == pid, "waitpid");
		if (killed ? !WIFSIGNALED(status) :
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			printf("FAILED: round %ld (%s): status 0x%x\n", r, mode_name[mode], status);
			bad++;
		}
		if (!released(&b)) {
			printf("FAILED: round %ld (%s) left pins %lld (%lld before), tables %lld (%lld), levels %lld (%lld)%s\n",
			       r, mode_name[mode], pins_held(), b.pins, tables_live(), b.tables,
			       levels_live(), b.levels,
			       container_present() ? ", a container" : "");
			leaks++;
			left = true;
		}
		if (killed)
			printf("round %ld (%s, killed after %ld ms): %ld unexpected, nothing left: %s\n",
			       r, mode_name[mode], ms, t->unexpected - before, left ? "no" : "yes");
		else
			printf("round %ld (%s): %ld unexpected, nothing left: %s\n", r,
			       mode_name[mode], t->unexpected - before, left ? "no" : "yes");
	}
	for (i = 0; i < HC_KINDS; i++) {
		static const char *const hn[] = { "H_PUT_TCE", "H_PUT_TCE_INDIRECT", "H_STUFF_TCE" };

		printf("guest %s: %ld H_SUCCESS, %ld H_PARAMETER, %ld left to the VMM (H_FUNCTION), %ld other\n",
		       hn[i], t->hcalls[i][RET_OK], t->hcalls[i][RET_PARAM], t->hcalls[i][RET_FUNC],
		       t->hcalls[i][RET_OTHER]);
		if (i == HC_PUT)
			printf("guest H_PUT_TCE left to the VMM (its MAP_DMA/UNMAP_DMA): %ld\n",
			       t->put_exits);
	}
	for (i = 0; i < IO_KINDS; i++) {
		static const char *const cn[] = {
			"MAP_DMA", "UNMAP_DMA", "(UN)REGISTER_MEMORY", "TCE_CREATE/REMOVE", "GET_INFO",
		};

		printf("VMM %s: %ld ok, %ld refused\n", cn[i], t->calls[i][0], t->calls[i][1]);
	}
	for (i = 0, j = 0; i < HC_KINDS; i++)
		for (r = 0; r < RET_KINDS; r++)
			j += t->hcalls[i][r];
	for (i = 0, s = 0; i < IO_KINDS; i++)
		s += t->calls[i][0] + t->calls[i][1];
	/* Both writers must have written: a run that only got refusals proves nothing. */
	if (t->hcalls[HC_PUT][RET_OK] <= t->put_exits || !t->hcalls[HC_INDIRECT][RET_OK] ||
	    !t->hcalls[HC_STUFF][RET_OK] || !t->calls[IO_MAP][0]) {
		printf("FAILED: too little done: H_PUT_TCE %ld ok (%ld left to the VMM), H_PUT_TCE_INDIRECT %ld ok, H_STUFF_TCE %ld ok, MAP_DMA %ld ok\n",
		       t->hcalls[HC_PUT][RET_OK], t->put_exits, t->hcalls[HC_INDIRECT][RET_OK],
		       t->hcalls[HC_STUFF][RET_OK], t->calls[IO_MAP][0]);
		bad++;
	}
	printf("total: %ld rounds, %ld guest hcalls, %llu VFIO calls, %ld unexpected, %ld failed rounds, leaks found %ld\n",
	       rounds, j, s, t->unexpected, bad, leaks);
	return t->unexpected || bad || leaks ? 1 : 0;
}
