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
 * (printed) replays each side's calls, not their interleaving.  Here: the
 * rounds, their setup and checks; the two writers are beside_writers.c's.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "beside_writers.h"
#include "common.h"
#include "kvm_vm.h"
#include "leaks.h"

static const char *const mode_name[MODES] = {
	"both", "kvm-first", "vfio-first", "killed", "killed-kvm-gone", "killed-vfio-gone",
};

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
	CHECK(beside_reg(m, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, 0, REG_SIZE) == 0,
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
		ret = beside_reg(m, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, 0, REG_SIZE);
		EXPECT(ret == 0, "UNREGISTER_MEMORY of the lower half: %ld", ret);
	}
	if (m->reg_hi) {
		ret = beside_reg(m, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, REG_SIZE, REG_SIZE);
		EXPECT(ret == 0, "UNREGISTER_MEMORY of the upper half: %ld", ret);
	}
}

static void vmm(int grp, enum mode mode, unsigned long long seed, long batches, long calls)
{
	static struct vmm m;
	long start = tally->unexpected;
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
	exit(failures || tally->unexpected != start ? 1 : 0);
}

/*
 * Nothing of the round may stay: KVM lets its tables go from RCU
 * callbacks, and a registration a table KVM held still mapped is put again
 * by spapr-tce-v2's orphan retry, at most 10 s apart: 20 s.
 */
static bool released(const struct baseline *b)
{
	int i;

	for (i = 0; i < 200; i++) {
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
	tally = mmap(NULL, sizeof(*tally), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(tally != MAP_FAILED, "shared tally");
	printf("seed %llu\n", seed);
	baseline_take(&b);
	s = seed;
	for (r = 0; r < rounds; r++) {
		enum mode mode = r % MODES;
		long before = tally->unexpected;
		bool left = false;

		bool killed = mode >= KILLED;
		pid_t done = 0;

		tally->running = tally->armed = 0;
		pid = fork();
		CHECK(pid >= 0, "fork");
		if (!pid)
			vmm(grp, mode, seed + r, batches, calls);
		if (killed) {
			/* Armed once both run, or one side is gone: its whole run, 300 s at most. */
			for (i = 0; i < 6000 && !__atomic_load_n(&tally->armed, __ATOMIC_ACQUIRE) &&
				    !(done = waitpid(pid, &status, WNOHANG)); i++)
				msleep(50);
			ms = 10 + below(&s, 700);
			if (!done && !__atomic_load_n(&tally->armed, __ATOMIC_ACQUIRE)) {
				printf("FAILED: round %ld (%s): not armed after 300 s\n", r,
				       mode_name[mode]);
				bad++;
			}
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
		if (killed && !done)
			printf("round %ld (%s, killed after %ld ms): %ld unexpected, nothing left: %s\n",
			       r, mode_name[mode], ms, tally->unexpected - before, left ? "no" : "yes");
		else
			printf("round %ld (%s): %ld unexpected, nothing left: %s\n", r,
			       mode_name[mode], tally->unexpected - before, left ? "no" : "yes");
	}
	for (i = 0; i < HC_KINDS; i++) {
		static const char *const hn[] = { "H_PUT_TCE", "H_PUT_TCE_INDIRECT", "H_STUFF_TCE" };

		printf("guest %s: %ld H_SUCCESS, %ld H_PARAMETER, %ld left to the VMM (H_FUNCTION), %ld other\n",
		       hn[i], tally->hcalls[i][RET_OK], tally->hcalls[i][RET_PARAM], tally->hcalls[i][RET_FUNC],
		       tally->hcalls[i][RET_OTHER]);
		if (i == HC_PUT)
			printf("guest H_PUT_TCE left to the VMM (its MAP_DMA/UNMAP_DMA): %ld\n",
			       tally->put_exits);
	}
	for (i = 0; i < IO_KINDS; i++) {
		static const char *const cn[] = {
			"MAP_DMA", "UNMAP_DMA", "(UN)REGISTER_MEMORY", "TCE_CREATE/REMOVE", "GET_INFO",
		};

		printf("VMM %s: %ld ok, %ld refused\n", cn[i], tally->calls[i][0], tally->calls[i][1]);
	}
	for (i = 0, j = 0; i < HC_KINDS; i++)
		for (r = 0; r < RET_KINDS; r++)
			j += tally->hcalls[i][r];
	for (i = 0, s = 0; i < IO_KINDS; i++)
		s += tally->calls[i][0] + tally->calls[i][1];
	/* Both writers must have written: a run that only got refusals proves nothing. */
	printf("guest maps KVM did in the kernel: %ld by H_PUT_TCE, %ld by H_PUT_TCE_INDIRECT\n",
	       tally->kernel_maps[HC_PUT], tally->kernel_maps[HC_INDIRECT]);
	if (!tally->kernel_maps[HC_PUT] || !tally->kernel_maps[HC_INDIRECT] ||
	    !tally->hcalls[HC_STUFF][RET_OK] || !tally->calls[IO_MAP][0]) {
		printf("FAILED: too little done: KVM's maps in the kernel %ld (H_PUT_TCE), %ld (lists), H_STUFF_TCE %ld ok, MAP_DMA %ld ok\n",
		       tally->kernel_maps[HC_PUT], tally->kernel_maps[HC_INDIRECT],
		       tally->hcalls[HC_STUFF][RET_OK], tally->calls[IO_MAP][0]);
		bad++;
	}
	printf("total: %ld rounds, %ld guest hcalls, %llu VFIO calls, %ld unexpected, %ld failed rounds, leaks found %ld\n",
	       rounds, j, s, tally->unexpected, bad, leaks);
	return tally->unexpected || bad || leaks ? 1 : 0;
}
