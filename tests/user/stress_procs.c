// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_stress's parts 2 to 4, the process's life around a container:
 * 2. Inherited fd: a forked child calls every v2 ioctl on the container fd
 *    it inherited while both windows map: another mm gets -EPERM before
 *    anything is looked at, and the container's state (call counters
 *    included: such calls are not counted) is byte for byte as before.
 * 3. Detached while mapped: with entries in both windows the group leaves
 *    the container, by VFIO_GROUP_UNSET_CONTAINER and then (a new
 *    container) by closing the group fd.  VFIO releases the backend with
 *    its last group: everything must be given back at once, before the
 *    container fd is closed, which then gets VFIO's own -EINVAL.
 * 4. Killed mid-ioctl: for each of REGISTER_MEMORY, MAP_DMA, UNMAP_DMA,
 *    TCE_CREATE, TCE_REMOVE and UNREGISTER_MEMORY, KILLS times, a child
 *    opens its own container and loops that ioctl with its inverse on
 *    large ranges until SIGKILLed a random few ms in: no container, pin,
 *    table, level or VmLck may be left, and the PE is the kernel's again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stress_procs.h"

#define KILL_CHUNKS	16		/* mapped in this many runs spread over a DDW */
#define KILL_WINDOW	(1ULL << 34)
#define KILL_BIG_WINDOW	(1ULL << 40)	/* made and removed by the TCE_CREATE child */
#define KILL_MAX_MS	30

/* --- part 2: the container fd in another process ----------------------- */

static int child_bad, child_calls;

static void child_expect(const char *what, long want, long got)
{
	char a[32], b[32];

	child_calls++;
	if (got == want)
		return;
	child_bad++;
	printf("UNEXPECTED inherited: %s: want %s, got %s\n", what,
	       stress_answer(want, a, sizeof(a)), stress_answer(got, b, sizeof(b)));
}

/*
 * ddw_ioctl() answers -EPERM to another mm after the type check and before
 * argsz, copy-in, the lock and the counters; main.c's ddw_vfio_ioctl()
 * likewise for VFIO_EEH_PE_OP; VFIO_CHECK_EXTENSION has no mm check.
 */
static int inherited_child(const struct stress_target *t)
{
	struct vfio_iommu_spapr_tce_info i = { .argsz = sizeof(i) };
	struct vfio_eeh_pe_op eeh = { .argsz = sizeof(eeh), .op = VFIO_EEH_PE_GET_STATE };
	int fd = t->ctx->container;
	void *mem = anon_mem(STRESS_EXTRA_BYTES, 0x33);
	u64 buf = (uintptr_t)t->buf, start = 0;

	child_expect("GET_INFO", -EPERM, stress_ioc(fd, STRESS_GET_INFO, &i));
	i.argsz = 4;
	child_expect("GET_INFO, argsz 4 (the mm is checked first)", -EPERM,
		     stress_ioc(fd, STRESS_GET_INFO, &i));
	child_expect("MAP_DMA at a free entry", -EPERM,
		     stress_map_dma(fd, buf, t->free_iova, 1 << STRESS_DEF_SHIFT, STRESS_RW));
	child_expect("UNMAP_DMA of the default window", -EPERM,
		     stress_unmap_dma(fd, t->tce32_start, t->tce32_size));
	child_expect("UNMAP_DMA of the DDW", -EPERM,
		     stress_unmap_dma(fd, t->ddw_start, STRESS_DDW_SIZE));
	child_expect("REGISTER_MEMORY", -EPERM,
		     stress_reg_mem(fd, STRESS_REGISTER, (uintptr_t)mem, STRESS_EXTRA_BYTES));
	child_expect("UNREGISTER_MEMORY of thread 0's buffer", -EPERM,
		     stress_reg_mem(fd, STRESS_UNREGISTER, buf, STRESS_BUF_BYTES));
	child_expect("TCE_CREATE", -EPERM,
		     stress_create_window(fd, t->page_shift, STRESS_DDW_SIZE, t->ddw_lmin, &start));
	child_expect("TCE_REMOVE of the DDW", -EPERM, stress_remove_window(fd, t->ddw_start));
	child_expect("TCE_REMOVE of the default window", -EPERM,
		     stress_remove_window(fd, t->tce32_start));
	child_expect("VFIO_EEH_PE_OP", -EPERM, xioctl(fd, VFIO_EEH_PE_OP, &eeh));
	/* A v1-only ioctl on v2: -ENOTTY comes before the mm check. */
	child_expect("VFIO_IOMMU_ENABLE", -ENOTTY, xioctl(fd, VFIO_IOMMU_ENABLE, NULL));
	child_expect("VFIO_CHECK_EXTENSION(VFIO_SPAPR_TCE_v2_IOMMU)", 1,
		     xioctl(fd, VFIO_CHECK_EXTENSION, (void *)VFIO_SPAPR_TCE_v2_IOMMU));
	printf("inherited: %d calls from the child, %d unexpected\n", child_calls, child_bad);
	fflush(stdout);
	return child_bad ? 1 : 0;
}

void stress_inherited(const struct stress_target *t)
{
	static char before[STRESS_STATE_BYTES], after[STRESS_STATE_BYTES];
	struct vfio_iommu_spapr_tce_info i = { .argsz = sizeof(i) };
	long long pins = pins_held();
	long locked = vm_locked_kb();
	int failed = failures, status = 0;
	pid_t pid;

	container_states_calls(before, sizeof(before));
	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (!pid)
		_exit(inherited_child(t));
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	EXPECT(WIFEXITED(status) && !WEXITSTATUS(status),
	       "inherited: each call of the child answered as expected (status 0x%x)", status);
	container_states_calls(after, sizeof(after));
	EXPECT(!strcmp(before, after),
	       "inherited: the container's state and call counters are byte for byte as before");
	if (strcmp(before, after))
		printf("before:\n%safter:\n%s", before, after);
	EXPECT(pins_held() == pins && vm_locked_kb() == locked,
	       "inherited: pins %lld (before %lld), VmLck %ld kB (before %ld)", pins_held(), pins,
	       vm_locked_kb(), locked);
	EXPECT(stress_ioc(t->ctx->container, STRESS_GET_INFO, &i) == 0,
	       "inherited: the owner's GET_INFO still 0");
	printf("inherited: the container after the child: %s; %d failed checks\n",
	       strcmp(before, after) ? "CHANGED" : "byte for byte as before", failures - failed);
}

/* --- part 3: the group leaves while both windows map ---------------------- */

/*
 * VFIO (vfio_group_detach_container()) calls the backend's detach_group
 * and, the group being the last, its release: everything goes at once.
 * The container fd is then without backend: vfio_fops_unl_ioctl() answers
 * -EINVAL itself.  (ddw_ioctl()'s -ENXIO for a container without groups is
 * unreachable: VFIO_SET_IOMMU needs a group, the last group's exit ends it.)
 */
static void after_detach(const struct stress_target *t, const char *how)
{
	struct vfio_iommu_spapr_tce_info i = { .argsz = sizeof(i) };
	u64 buf = (uintptr_t)t->buf, start = 0;
	int fd = t->ctx->container;

	EXPECT(!container_present(), "%s: the container is gone from debugfs", how);
	EXPECT(pe_has_line(t->grp, "  owner: kernel"), "%s: the PE is the kernel's again", how);
	EXPECT(stress_map_dma(fd, buf, t->tce32_start, 1 << STRESS_DEF_SHIFT, STRESS_RW) == -EINVAL,
	       "%s: MAP_DMA on the container fd: -EINVAL (VFIO: no backend)", how);
	EXPECT(stress_unmap_dma(fd, t->tce32_start, t->tce32_size) == -EINVAL,
	       "%s: UNMAP_DMA: -EINVAL", how);
	EXPECT(stress_unmap_dma(fd, t->ddw_start, STRESS_DDW_SIZE) == -EINVAL,
	       "%s: UNMAP_DMA of the DDW: -EINVAL", how);
	EXPECT(stress_ioc(fd, STRESS_GET_INFO, &i) == -EINVAL, "%s: GET_INFO: -EINVAL", how);
	EXPECT(stress_reg_mem(fd, STRESS_REGISTER, buf, STRESS_BUF_BYTES) == -EINVAL,
	       "%s: REGISTER_MEMORY: -EINVAL", how);
	EXPECT(stress_create_window(fd, t->page_shift, STRESS_DDW_SIZE, t->ddw_lmin,
				    &start) == -EINVAL, "%s: TCE_CREATE: -EINVAL", how);
	expect_released(t->base, how);
}

void stress_detached(const struct stress_target *t)
{
	struct vfio_ctx *ctx = t->ctx;
	u64 buf = (uintptr_t)t->buf, start = 0;
	int failed = failures;
	long ret;

	ret = xioctl(ctx->group, VFIO_GROUP_UNSET_CONTAINER, NULL);
	EXPECT(ret == 0, "detach: VFIO_GROUP_UNSET_CONTAINER with both windows mapped (%ld)", ret);
	after_detach(t, "detach: unset, the container fd still open");
	vfio_close(ctx);
	expect_released(t->base, "detach: the container fd closed too");

	/* Again, the group fd closed instead. */
	vfio_open_v2(ctx, t->grp, "detach by close");
	CHECK(stress_reg_mem(ctx->container, STRESS_REGISTER, buf, STRESS_BUF_BYTES) == 0 &&
	      stress_map_dma(ctx->container, buf, t->tce32_start, 16 << STRESS_DEF_SHIFT,
			     STRESS_RW) == 0 &&
	      stress_create_window(ctx->container, t->page_shift, STRESS_DDW_SIZE, t->ddw_lmin,
				   &start) == 0 &&
	      stress_map_dma(ctx->container, buf, start, 16ULL << t->page_shift, STRESS_RW) == 0,
	      "detach: a new container, 16 entries in each window");
	EXPECT(window_used(t->tce32_start) == 16 && window_used(start) == 16,
	       "detach: debugfs shows them");
	close(ctx->group);
	after_detach(t, "detach: group fd closed, the container fd still open");
	close(ctx->container);
	expect_released(t->base, "detach: the container fd closed too");
	printf("detached: the group left with both windows mapped, by UNSET_CONTAINER and by "
	       "close: %d failed checks\n", failures - failed);
}

/* --- part 4: a child killed in the middle of each ioctl type -------------- */

enum kill_kind { K_REGISTER, K_MAP, K_UNMAP, K_CREATE, K_REMOVE, K_UNREGISTER, NR_KINDS };

static const enum stress_op kill_op[NR_KINDS] = {
	STRESS_REGISTER, STRESS_MAP, STRESS_UNMAP, STRESS_CREATE, STRESS_REMOVE,
	STRESS_UNREGISTER,
};

/*
 * Shared with the child (MAP_SHARED): the ioctl under way, set just before
 * and cleared just after, and the loops done; read once it is dead.
 */
struct kill_shared {
	int inflight;
	unsigned long loops;
};

static void kill_expect(enum stress_op op, long want, long got, int line)
{
	char a[32], b[32];

	if (got == want)
		return;
	printf("UNEXPECTED killed child: %s (line %d): want %s, got %s\n", stress_op_name[op],
	       line, stress_answer(want, a, sizeof(a)), stress_answer(got, b, sizeof(b)));
	fflush(stdout);
	_exit(2);
}

#define KCALL(ks, op, want, call)						\
	do {									\
		long r_;							\
										\
		__atomic_store_n(&(ks)->inflight, (op), __ATOMIC_SEQ_CST);	\
		r_ = (call);							\
		__atomic_store_n(&(ks)->inflight, -1, __ATOMIC_SEQ_CST);	\
		kill_expect((op), (want), r_, __LINE__);			\
	} while (0)

/* STRESS_KILL_REGION mapped in KILL_CHUNKS runs spread over the DDW at @start: many levels. */
static void kill_map_spread(struct kill_shared *ks, int fd, char *mem, u64 start)
{
	u64 chunk = STRESS_KILL_REGION / KILL_CHUNKS;
	int j;

	for (j = 0; j < KILL_CHUNKS; j++)
		KCALL(ks, STRESS_MAP, 0,
		      stress_map_dma(fd, (uintptr_t)mem + j * chunk,
				     start + j * (KILL_WINDOW / KILL_CHUNKS), chunk, STRESS_RW));
}

/* Its own container; loops the ioctl of @k with its inverse until killed. */
static void kill_child(const struct stress_target *t, enum kill_kind k, u64 s, int ready,
		       struct kill_shared *ks)
{
	struct vfio_iommu_spapr_tce_info i = { .argsz = sizeof(i) };
	u64 chunk = STRESS_KILL_REGION / KILL_CHUNKS, start = 0, bigstart = 0, levels;
	__u32 lwin = stress_umin(3, t->info->ddw.levels);
	u64 region = STRESS_KILL_REGION;
	struct vfio_ctx c;
	char *mem = NULL;
	int fd, j;

	vfio_open_v2(&c, t->grp, stress_op_name[kill_op[k]]);
	fd = c.container;
	KCALL(ks, STRESS_GET_INFO, 0, stress_ioc(fd, STRESS_GET_INFO, &i));
	if (k != K_CREATE)
		mem = anon_mem(region, 0x5a);
	if (k == K_MAP || k == K_UNMAP || k == K_REMOVE)
		KCALL(ks, STRESS_REGISTER, 0,
		      stress_reg_mem(fd, STRESS_REGISTER, (uintptr_t)mem, region));
	if (k == K_UNMAP)
		KCALL(ks, STRESS_CREATE, 0,
		      stress_create_window(fd, t->page_shift, KILL_WINDOW, lwin, &start));
	if (k == K_UNREGISTER) {
		/* Adjacent registrations; the first stays mapped (UNREGISTER: -EBUSY). */
		for (j = 0; j < KILL_CHUNKS; j++)
			KCALL(ks, STRESS_REGISTER, 0,
			      stress_reg_mem(fd, STRESS_REGISTER, (uintptr_t)mem + j * chunk,
					     chunk));
		KCALL(ks, STRESS_MAP, 0, stress_map_dma(fd, (uintptr_t)mem, t->tce32_start,
							1 << STRESS_DEF_SHIFT, STRESS_RW));
	}
	if (write(ready, "r", 1) != 1)
		_exit(4);
	for (;;) {
		switch (k) {
		case K_REGISTER:
			KCALL(ks, STRESS_REGISTER, 0,
			      stress_reg_mem(fd, STRESS_REGISTER, (uintptr_t)mem, region));
			KCALL(ks, STRESS_UNREGISTER, 0,
			      stress_reg_mem(fd, STRESS_UNREGISTER, (uintptr_t)mem, region));
			break;
		case K_MAP:
			KCALL(ks, STRESS_MAP, 0, stress_map_dma(fd, (uintptr_t)mem, t->tce32_start,
								region, STRESS_RW));
			KCALL(ks, STRESS_UNMAP, 0, stress_unmap_dma(fd, t->tce32_start, region));
			break;
		case K_UNMAP:
			kill_map_spread(ks, fd, mem, start);
			KCALL(ks, STRESS_UNMAP, 0, stress_unmap_dma(fd, start, KILL_WINDOW));
			break;
		case K_CREATE:
			levels = 2 + stress_rnd(&s, stress_umin(4, t->info->ddw.levels) - 1);
			KCALL(ks, STRESS_CREATE, 0,
			      stress_create_window(fd, t->page_shift, KILL_BIG_WINDOW, levels,
						   &bigstart));
			KCALL(ks, STRESS_REMOVE, 0, stress_remove_window(fd, bigstart));
			break;
		case K_REMOVE:
			KCALL(ks, STRESS_CREATE, 0,
			      stress_create_window(fd, t->page_shift, KILL_WINDOW, lwin, &start));
			kill_map_spread(ks, fd, mem, start);
			KCALL(ks, STRESS_REMOVE, 0, stress_remove_window(fd, start));
			break;
		default:
			for (j = 0; j < KILL_CHUNKS; j++)
				KCALL(ks, STRESS_UNREGISTER, j ? 0 : -EBUSY,
				      stress_reg_mem(fd, STRESS_UNREGISTER,
						     (uintptr_t)mem + j * chunk, chunk));
			for (j = 1; j < KILL_CHUNKS; j++)
				KCALL(ks, STRESS_REGISTER, 0,
				      stress_reg_mem(fd, STRESS_REGISTER,
						     (uintptr_t)mem + j * chunk, chunk));
		}
		__atomic_store_n(&ks->loops, ks->loops + 1, __ATOMIC_RELAXED);
	}
}

void stress_killed(const struct stress_target *t, unsigned int kills)
{
	struct kill_shared *ks = mmap(NULL, t->page, PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	u64 s = t->seed ^ 0x6b696c6cULL;
	unsigned int k, run;

	CHECK(ks != MAP_FAILED, "shared page");
	for (k = 0; k < NR_KINDS; k++) {
		const char *name = stress_op_name[kill_op[k]];
		unsigned long in[STRESS_NR_OPS + 1] = { 0 }, loops = 0;
		int failed = failures;
		char line[256];
		size_t used;
		int op;

		for (run = 1; run <= kills; run++) {
			long ms = 1 + stress_rnd(&s, KILL_MAX_MS);
			u64 cseed = stress_splitmix(&s);
			struct pollfd pfd;
			struct baseline b;
			int pipefd[2], status = 0;
			bool ready;
			pid_t pid;
			char c;

			baseline_take(&b);
			CHECK(pipe(pipefd) == 0, "pipe");
			ks->inflight = -1;
			ks->loops = 0;
			fflush(stdout);
			pid = fork();
			CHECK(pid >= 0, "fork");
			if (!pid) {
				close(pipefd[0]);
				kill_child(t, k, cseed, pipefd[1], ks);
				_exit(3);
			}
			close(pipefd[1]);
			pfd = (struct pollfd){ .fd = pipefd[0], .events = POLLIN };
			ready = poll(&pfd, 1, 60000) == 1 && read(pipefd[0], &c, 1) == 1;
			close(pipefd[0]);
			if (ready)
				msleep(ms);
			kill(pid, SIGKILL);
			CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
			op = ks->inflight;
			in[op >= 0 && op < STRESS_NR_OPS ? op : STRESS_NR_OPS]++;
			loops += ks->loops;
			EXPECT(ready && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
			       "killed: %s, run %u: SIGKILL %ld ms into its loop, after %lu loops, "
			       "in %s (status 0x%x)", name, run, ms, ks->loops,
			       op >= 0 && op < STRESS_NR_OPS ? stress_op_name[op] : "no ioctl",
			       status);
			EXPECT(pe_has_line(t->grp, "  owner: kernel"),
			       "killed: %s, run %u: the PE is the kernel's again", name, run);
			expect_released(&b, name);
		}
		used = 0;
		line[0] = '\0';
		for (op = 0; op <= STRESS_NR_OPS; op++)
			if (in[op])
				used += snprintf(line + used, sizeof(line) - used, "%s%s %lu",
						 used ? ", " : "",
						 op < STRESS_NR_OPS ? stress_op_name[op] :
						 "between calls", in[op]);
		printf("killed: %s: %u kills after %lu loops in all, in flight: %s; "
		       "%d failed checks\n", name, kills, loops, line, failures - failed);
	}
	munmap(ks, t->page);
}
