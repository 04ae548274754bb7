// SPDX-License-Identifier: GPL-2.0-only
/*
 * Concurrency and process life on spapr-tce-v2:
 *   vfio_stress GROUP THREADS ITERATIONS [SEED [KILLS]]
 * 1. Threads: THREADS threads share one v2 container.  Each registers its
 *    own buffer, maps random runs of it into its own slice of the default
 *    32-bit window and unmaps random runs, registers and unregisters a
 *    private extra buffer (mapped too, now and then), makes bad calls with
 *    a fixed answer, and, one thread at a time (an atomic flag), creates a
 *    DDW of the kernel's page size, maps into it and removes it.  The
 *    container's lock serializes the calls, and no thread touches another's
 *    entries, registrations or the DDW it does not hold, so each thread's
 *    model of what it mapped gives the one answer the backend documents for
 *    each call, whatever the others do meanwhile.  After the join, debugfs
 *    must agree with the models' sums: entries used per window, entries
 *    mapping each registration, registered bytes, VmLck, call counters.
 * Then, in stress_procs.c: 2. a forked child's calls on the inherited
 * container fd; 3. the group detached while both windows map; 4. children
 * killed mid-ioctl, KILLS times (default 5) for each ioctl type.
 * Why: the backend keeps no record beside its tables and does everything
 * under one mutex; this checks that under contention, exit and detach
 * nothing is lost, doubled or leaked (lockdep and WARNs are the runner's).
 * Each thread's calls replay from its seed (printed) as long as the DDW
 * changes hands at the same points; the interleaving differs run to run.
 * Prints "threads: T x I iterations, N calls, M unexpected" after part 1,
 * "stress: ..." last; exits 1 on any unexpected answer or failed check.
 * Here: main, part 1's setup, its threads' calls and the checks after the
 * join; a thread's model and its answers' tally are stress_model.c's, the
 * counted ioctls stress_calls.c's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "common.h"
#include "leaks.h"
#include "stress_calls.h"
#include "stress_model.h"
#include "stress_procs.h"

#define SLICE_MAX	2048		/* a thread's entries of the default window */
#define RUN_MAX		64		/* IOMMU pages of one MAP_DMA/UNMAP_DMA at most */
#define MAX_THREADS	64
#define KILLS_DEFAULT	5

static struct vfio_ctx ctx;
static int grp, nthreads;
static long page;
static unsigned int page_shift;
static unsigned long iterations;
static unsigned long long seed;
static struct vfio_iommu_spapr_tce_info info;
static u64 tce32_start, tce32_size, ddw_start, outside_iova;
static __u32 ddw_lmin, ddw_lmax;
static struct baseline base;

static struct stress_worker workers[MAX_THREADS];
static int ddw_owner = -1;	/* the worker holding the DDW, or -1 */
static unsigned long unexpected;

/* --- part 1: threads ------------------------------------------------------ */

static void op_map(struct stress_worker *w, struct stress_slice *s)
{
	static const __u32 dirs[] = { VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE, STRESS_RW };
	unsigned char src = stress_rnd(&w->rng, 6) ? STRESS_SRC_MAIN : STRESS_SRC_EXTRA;
	u64 ps = 1ULL << s->shift, pages, off, n, voff;
	char *mem = src == STRESS_SRC_MAIN ? w->buf : w->extra;
	long want = 0, got;

	pages = (src == STRESS_SRC_MAIN ? STRESS_BUF_BYTES : STRESS_EXTRA_BYTES) >> s->shift;
	stress_pick_run(w, s, stress_umin(RUN_MAX, pages), &off, &n);
	voff = stress_rnd(&w->rng, pages - n + 1);
	/* map_prereg(): all memory is looked up before any entry is (-EFAULT first). */
	if (src == STRESS_SRC_EXTRA && (voff + n) * ps > w->extra_reg)
		want = -EFAULT;
	else if (stress_slice_busy(s, off, n))
		want = -EBUSY;
	got = stress_map_dma(ctx.container, (uintptr_t)mem + voff * ps, s->bus + off * ps, n * ps,
			     dirs[stress_rnd(&w->rng, 3)]);
	stress_answered(w, STRESS_MAP, want, got,
			"MAP_DMA of %s+0x%llx at 0x%llx, %llu pages of %llu KiB",
			src == STRESS_SRC_MAIN ? "buffer" : "extra", voff * ps, s->bus + off * ps,
			n, ps >> 10);
	if (!got)
		stress_slice_set(w, s, off, n, src);
}

/* UNMAP_DMA in a window: 0, entries not mapped skipped (ddw_unmap()). */
static void op_unmap(struct stress_worker *w, struct stress_slice *s)
{
	u64 ps = 1ULL << s->shift, off = 0, n = s->n;
	long got;

	if (stress_rnd(&w->rng, 10))
		stress_pick_run(w, s, RUN_MAX, &off, &n);
	got = stress_unmap_dma(ctx.container, s->bus + off * ps, n * ps);
	stress_answered(w, STRESS_UNMAP, 0, got, "UNMAP_DMA at 0x%llx, %llu pages",
			s->bus + off * ps, n);
	if (!got)
		stress_slice_set(w, s, off, n, STRESS_SRC_NONE);
}

/* ddw_prereg_add(): -EBUSY over a registration of the container. */
static void op_register(struct stress_worker *w)
{
	u64 size = (1 + stress_rnd(&w->rng, STRESS_EXTRA_BYTES / page)) * page;
	long got;

	got = stress_reg_mem(ctx.container, STRESS_REGISTER, (uintptr_t)w->extra, size);
	stress_answered(w, STRESS_REGISTER, w->extra_reg ? -EBUSY : 0, got,
			"REGISTER_MEMORY of 0x%llx bytes of extra (0x%llx registered)", size,
			w->extra_reg);
	if (!got)
		w->extra_reg = size;
}

/* ddw_prereg_remove(): exactly what was registered (-ENOENT), not while mapped (-EBUSY). */
static void op_unregister(struct stress_worker *w)
{
	u64 size = w->extra_reg;
	long want, got;

	if (!size || !stress_rnd(&w->rng, 4)) {
		if (!size)
			size = (1 + stress_rnd(&w->rng, STRESS_EXTRA_BYTES / page)) * page;
		else
			size = size == (u64)page ? 2 * size : size - page;
		want = -ENOENT;
	} else {
		want = w->mapped[STRESS_SRC_EXTRA] ? -EBUSY : 0;
	}
	got = stress_reg_mem(ctx.container, STRESS_UNREGISTER, (uintptr_t)w->extra, size);
	stress_answered(w, STRESS_UNREGISTER, want, got, "UNREGISTER_MEMORY of 0x%llx bytes "
			"of extra (0x%llx registered, %llu mapped)", size, w->extra_reg,
			w->mapped[STRESS_SRC_EXTRA]);
	if (!got && size == w->extra_reg)
		w->extra_reg = 0;
}

/* ddw_window_remove(): no window starts there, whoever holds the DDW. */
static void op_remove_nonwindow(struct stress_worker *w)
{
	long got = stress_remove_window(ctx.container, ddw_start + STRESS_DDW_SIZE / 2);

	stress_answered(w, STRESS_REMOVE, -EINVAL, got,
			"TCE_REMOVE inside the DDW, not at its start");
}

/*
 * The DDW: a thread takes the flag before TCE_CREATE and gives it back after
 * TCE_REMOVE, so only its holder changes window 1; with the default window
 * as window 0 (made at setup) CREATE always finds window 1 free and REMOVE
 * always finds it there: no answer depends on the interleaving.
 */
static void op_ddw(struct stress_worker *w)
{
	unsigned int r;
	u64 start = 0;
	int none = -1;
	__u32 levels;
	long got;

	if (!w->owns_ddw) {
		if (!__atomic_compare_exchange_n(&ddw_owner, &none, w->id, false,
						 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
			/* Another thread holds it: leave window 1 alone. */
			if (stress_rnd(&w->rng, 4))
				op_map(w, &w->def);
			else
				op_remove_nonwindow(w);
			return;
		}
		levels = ddw_lmin + stress_rnd(&w->rng, ddw_lmax - ddw_lmin + 1);
		got = stress_create_window(ctx.container, page_shift, STRESS_DDW_SIZE, levels,
					   &start);
		if (stress_answered(w, STRESS_CREATE, 0, got, "TCE_CREATE, %u levels", levels) &&
		    start != ddw_start)
			stress_unexpected_value(w, (long)ddw_start, (long)start,
						"TCE_CREATE's start (window 1's, as at setup)");
		if (got) {
			__atomic_store_n(&ddw_owner, -1, __ATOMIC_RELEASE);
			return;
		}
		w->owns_ddw = 1;
		w->ddw_made++;
		return;
	}
	r = stress_rnd(&w->rng, 100);
	if (r < 45) {
		op_map(w, &w->ddw);
	} else if (r < 80) {
		op_unmap(w, &w->ddw);
	} else {
		/* Removing a window clears its entries (window_free()). */
		got = stress_remove_window(ctx.container, ddw_start);
		if (!stress_answered(w, STRESS_REMOVE, 0, got,
				     "TCE_REMOVE of the DDW, %llu entries mapped", w->ddw.used))
			return;
		stress_slice_set(w, &w->ddw, 0, w->ddw.n, STRESS_SRC_NONE);
		w->owns_ddw = 0;
		__atomic_store_n(&ddw_owner, -1, __ATOMIC_RELEASE);
	}
}

/* Calls whose answer is fixed, whatever the state. */
static void op_bad(struct stress_worker *w)
{
	struct stress_slice *s = &w->def;
	u64 ps = 1ULL << s->shift, iova = s->bus + stress_rnd(&w->rng, s->n - 1) * ps;
	u64 buf = (uintptr_t)w->buf;
	long got;

	switch (stress_rnd(&w->rng, 8)) {
	case 0:	/* ddw_map(): not aligned to the window's IOMMU page */
		got = stress_map_dma(ctx.container, buf, iova + ps / 2, ps, STRESS_RW);
		stress_answered(w, STRESS_MAP, -EINVAL, got, "MAP_DMA at 0x%llx, unaligned",
				iova + ps / 2);
		break;
	case 1:	/* ddw_map(): no window holds the range */
		got = stress_map_dma(ctx.container, buf, outside_iova, page, STRESS_RW);
		stress_answered(w, STRESS_MAP, -ENXIO, got, "MAP_DMA at 0x%llx, outside",
				outside_iova);
		break;
	case 2:
		got = stress_unmap_dma(ctx.container, outside_iova, page);
		stress_answered(w, STRESS_UNMAP, -ENXIO, got, "UNMAP_DMA at 0x%llx, outside",
				outside_iova);
		break;
	case 3:	/* size 0 in a window: 0, nothing changes (README) */
		got = stress_map_dma(ctx.container, buf, iova, 0, STRESS_RW);
		stress_answered(w, STRESS_MAP, 0, got, "MAP_DMA of 0 bytes at 0x%llx", iova);
		break;
	case 4:
		got = stress_unmap_dma(ctx.container, iova, 0);
		stress_answered(w, STRESS_UNMAP, 0, got, "UNMAP_DMA of 0 bytes at 0x%llx", iova);
		break;
	case 5:	/* ddw_map_dma(): neither READ nor WRITE */
		got = stress_map_dma(ctx.container, buf, iova, ps, 0);
		stress_answered(w, STRESS_MAP, -EINVAL, got, "MAP_DMA with flags 0");
		break;
	case 6:	/* ddw_prereg_add(): alignment is checked before overlaps */
		got = stress_reg_mem(ctx.container, STRESS_REGISTER, (uintptr_t)w->extra + page / 2,
				     page);
		stress_answered(w, STRESS_REGISTER, -EINVAL, got, "REGISTER_MEMORY, unaligned");
		break;
	default:
		op_remove_nonwindow(w);
	}
}

static void *worker_main(void *arg)
{
	struct stress_worker *w = arg;
	unsigned int r;
	long got;

	got = stress_reg_mem(ctx.container, STRESS_REGISTER, (uintptr_t)w->buf, STRESS_BUF_BYTES);
	stress_answered(w, STRESS_REGISTER, 0, got, "REGISTER_MEMORY of the thread's buffer");
	for (w->iter = 1; w->iter <= iterations; w->iter++) {
		r = stress_rnd(&w->rng, 100);
		if (r < 30)
			op_map(w, &w->def);
		else if (r < 50)
			op_unmap(w, &w->def);
		else if (r < 58)
			op_register(w);
		else if (r < 66)
			op_unregister(w);
		else if (r < 86)
			op_ddw(w);
		else
			op_bad(w);
	}
	return NULL;
}

/* "prereg: vaddr V size S mapped N" of @state: N, or -1 without such a line. */
static long long prereg_mapped(const char *state, u64 vaddr, u64 size)
{
	const char *p;
	char key[96];

	snprintf(key, sizeof(key), "prereg: vaddr 0x%llx size 0x%llx mapped ",
		 (unsigned long long)vaddr, (unsigned long long)size);
	p = strstr(state, key);
	return p ? strtoll(p + strlen(key), NULL, 0) : -1;
}

/* Is a registration at @vaddr listed in @state, of any size? */
static bool prereg_listed(const char *state, u64 vaddr)
{
	char key[64];

	snprintf(key, sizeof(key), "prereg: vaddr 0x%llx size ", (unsigned long long)vaddr);
	return strstr(state, key);
}

static void threads_setup(void)
{
	u64 s = seed, stride, n;
	int t;

	vfio_open_v2(&ctx, grp, "threads");
	info.argsz = sizeof(info);
	CHECK(stress_ioc(ctx.container, STRESS_GET_INFO, &info) == 0 &&
	      (info.flags & VFIO_IOMMU_SPAPR_INFO_DDW), "GET_INFO describes DDW");
	CHECK(info.ddw.pgsizes & (1ULL << page_shift),
	      "the PE offers IOMMU pages of the kernel's page size, %ld KiB (pgsizes 0x%llx)",
	      page >> 10, (unsigned long long)info.ddw.pgsizes);
	CHECK(info.ddw.max_dynamic_windows_supported >= 2 && info.ddw.levels >= 2,
	      "two windows (%u) of two levels or more (%u)",
	      info.ddw.max_dynamic_windows_supported, info.ddw.levels);
	tce32_start = info.dma32_window_start;
	tce32_size = info.dma32_window_size;
	stride = (tce32_size >> STRESS_DEF_SHIFT) / nthreads;
	CHECK(stride >= 2 && tce32_size >= STRESS_KILL_REGION &&
	      (STRESS_DDW_SIZE >> page_shift) >= STRESS_DDW_ZONES * STRESS_DDW_ZONE_SPAN,
	      "the windows hold the slices (32-bit window 0x%llx+0x%llx)",
	      (unsigned long long)tce32_start, (unsigned long long)tce32_size);
	ddw_lmax = stress_umin(4, info.ddw.levels);
	ddw_lmin = 2;
	/* The first CREATE makes the default window first: the DDW is window 1. */
	CHECK(stress_create_window(ctx.container, page_shift, STRESS_DDW_SIZE, ddw_lmin,
				   &ddw_start) == 0, "TCE_CREATE of the DDW");
	CHECK(stress_remove_window(ctx.container, ddw_start) == 0, "TCE_REMOVE of the DDW");
	CHECK(window_used(tce32_start) == 0 && window_used(ddw_start) == -1,
	      "debugfs: the default window made, empty, the DDW gone");
	/* An IOVA in no window, ever: just past the 32-bit window, else past the DDW. */
	outside_iova = tce32_start + tce32_size;
	if (outside_iova >= ddw_start && outside_iova - ddw_start < STRESS_DDW_SIZE)
		outside_iova = ddw_start + STRESS_DDW_SIZE;
	note("group %d, %ld KiB pages; 32-bit window 0x%llx+0x%llx (4 KiB pages); DDW at 0x%llx, "
	     "0x%llx bytes, %u-%u levels; outside 0x%llx", grp, page >> 10,
	     (unsigned long long)tce32_start, (unsigned long long)tce32_size,
	     (unsigned long long)ddw_start, (unsigned long long)STRESS_DDW_SIZE, ddw_lmin, ddw_lmax,
	     (unsigned long long)outside_iova);

	n = stress_umin(stride, SLICE_MAX);
	for (t = 0; t < nthreads; t++) {
		struct stress_worker *w = &workers[t];

		w->id = t;
		w->seed = stress_splitmix(&s);
		w->rng = w->seed;
		w->buf = anon_mem(STRESS_BUF_BYTES, 0x10 + t);
		w->extra = anon_mem(STRESS_EXTRA_BYTES, 0x80 + t);
		w->def = (struct stress_slice){ tce32_start + ((u64)t * stride << STRESS_DEF_SHIFT),
						STRESS_DEF_SHIFT, n, calloc(n, 1), 0 };
		w->ddw = (struct stress_slice){ ddw_start, page_shift,
						STRESS_DDW_SIZE >> page_shift,
						calloc(STRESS_DDW_SIZE >> page_shift, 1), 0 };
		CHECK(w->def.src && w->ddw.src, "thread %d's model", t);
		note("thread %d: seed 0x%llx, slice 0x%llx+%llu pages, buffer %p, extra %p", t,
		     (unsigned long long)w->seed, (unsigned long long)w->def.bus, n,
		     (void *)w->buf, (void *)w->extra);
	}
}

/* After the join: debugfs and VmLck against the threads' models. */
static void threads_check(void)
{
	static char state[STRESS_STATE_BYTES];
	unsigned long calls = 0, bad = 0, made = 0;
	u64 def_used = 0, prereg = 0;
	long long tables_pages;
	char want[512], *p;
	unsigned int op;
	size_t used;
	int t;

	container_states_calls(state, sizeof(state));
	for (t = 0; t < nthreads; t++) {
		struct stress_worker *w = &workers[t];
		long long got;

		calls += w->calls;
		bad += w->unexpected;
		made += w->ddw_made;
		def_used += w->def.used;
		prereg += STRESS_BUF_BYTES + w->extra_reg;
		got = prereg_mapped(state, (uintptr_t)w->buf, STRESS_BUF_BYTES);
		EXPECT(got == (long long)w->mapped[STRESS_SRC_MAIN],
		       "threads: thread %d's buffer mapped by %lld entries, its model %llu", t, got,
		       w->mapped[STRESS_SRC_MAIN]);
		if (w->extra_reg) {
			got = prereg_mapped(state, (uintptr_t)w->extra, w->extra_reg);
			EXPECT(got == (long long)w->mapped[STRESS_SRC_EXTRA],
			       "threads: thread %d's extra (0x%llx registered) mapped by %lld "
			       "entries, its model %llu", t, w->extra_reg, got,
			       w->mapped[STRESS_SRC_EXTRA]);
		} else {
			EXPECT(!prereg_listed(state, (uintptr_t)w->extra) &&
			       !w->mapped[STRESS_SRC_EXTRA],
			       "threads: thread %d's extra not registered, as in its model", t);
		}
	}
	EXPECT(window_used(tce32_start) == (long long)def_used,
	       "threads: the default window's entries_used %lld, the threads' %llu",
	       window_used(tce32_start), def_used);
	if (ddw_owner >= 0)
		EXPECT(window_used(ddw_start) == (long long)workers[ddw_owner].ddw.used,
		       "threads: the DDW (thread %d's) entries_used %lld, its model %llu",
		       ddw_owner, window_used(ddw_start), workers[ddw_owner].ddw.used);
	else
		EXPECT(window_used(ddw_start) == -1, "threads: no DDW, as nobody holds it");
	EXPECT(state_value("prereg_bytes: ") == (long long)prereg,
	       "threads: prereg_bytes %lld, the threads registered %llu",
	       state_value("prereg_bytes: "), prereg);
	/* VmLck: the registrations (mm_iommu) and the tables' charge, nothing else. */
	tables_pages = state_value("locked_vm_tables_pages: ");
	EXPECT(vm_locked_kb() == base.locked_kb + (long)((prereg + tables_pages * page) >> 10),
	       "threads: VmLck %ld kB = before + registered + tables (%lld pages)",
	       vm_locked_kb(), tables_pages);
	/* Every call reached the container once: its counters are ours. */
	used = snprintf(want, sizeof(want), "calls (ok/failed):");
	for (op = 0; op < STRESS_NR_OPS; op++)
		used += snprintf(want + used, sizeof(want) - used, " %s %lu/%lu",
				 stress_op_name[op], stress_calls_ok[op], stress_calls_failed[op]);
	p = strstr(state, want);
	EXPECT(p && p[used] == '\n', "threads: the container's call counters are the calls made");
	if (!p || p[used] != '\n') {
		p = strstr(state, "calls (ok/failed):");
		note("want %s", want);
		note("got  %.*s", p ? (int)strcspn(p, "\n") : 2, p ? p : "-");
	}
	stress_print_tally();
	printf("threads: the DDW made %lu times; at the end %llu entries of the default window "
	       "mapped, %s\n", made, def_used, ddw_owner >= 0 ? "the DDW held" : "no DDW");
	printf("threads: %d x %lu iterations, %lu calls, %lu unexpected\n", nthreads, iterations,
	       calls, bad);
	unexpected += bad;
}

static void threads(void)
{
	int t;

	threads_setup();
	for (t = 0; t < nthreads; t++)
		CHECK(pthread_create(&workers[t].th, NULL, worker_main, &workers[t]) == 0,
		      "start thread %d", t);
	for (t = 0; t < nthreads; t++)
		pthread_join(workers[t].th, NULL);
	threads_check();
}

/*
 * Entries in both windows for parts 2 and 3, kept in the threads' models:
 * the DDW made and mapped if nobody holds it or it is empty, the first 16
 * entries of thread 0's slice mapped if none of them is.
 */
static void map_both(void)
{
	struct stress_worker *w = &workers[ddw_owner >= 0 ? ddw_owner : 0];
	u64 start = 0, i;

	if (ddw_owner < 0) {
		CHECK(stress_create_window(ctx.container, page_shift, STRESS_DDW_SIZE, ddw_lmin,
					   &start) == 0 && start == ddw_start,
		      "TCE_CREATE of the DDW again");
		ddw_owner = w->id;
		w->owns_ddw = 1;
	}
	if (!w->ddw.used) {
		CHECK(stress_map_dma(ctx.container, (uintptr_t)w->buf, ddw_start,
				     16ULL << page_shift, STRESS_RW) == 0,
		      "MAP_DMA of 16 pages in the DDW");
		stress_slice_set(w, &w->ddw, 0, 16, STRESS_SRC_MAIN);
	}
	w = &workers[0];
	for (i = 0; i < 16 && !w->def.src[i]; i++)
		;
	if (i == 16) {
		CHECK(stress_map_dma(ctx.container, (uintptr_t)w->buf, w->def.bus,
				     16ULL << STRESS_DEF_SHIFT, STRESS_RW) == 0,
		      "MAP_DMA of 16 pages in the default window");
		stress_slice_set(w, &w->def, 0, 16, STRESS_SRC_MAIN);
	}
	EXPECT(window_used(tce32_start) > 0 && window_used(ddw_start) > 0,
	       "entries in both windows: %lld and %lld", window_used(tce32_start),
	       window_used(ddw_start));
}

/* What parts 2 to 4 are given: the container as map_both() leaves it. */
static void procs_target(struct stress_target *t)
{
	struct stress_worker *w = &workers[0];
	u64 k;

	/* The first entry of thread 0's slice nothing maps (else its last). */
	for (k = 0; k < w->def.n - 1 && w->def.src[k]; k++)
		;
	*t = (struct stress_target){
		.ctx = &ctx, .grp = grp, .page = page, .page_shift = page_shift, .seed = seed,
		.info = &info, .tce32_start = tce32_start, .tce32_size = tce32_size,
		.ddw_start = ddw_start, .ddw_lmin = ddw_lmin, .buf = w->buf,
		.free_iova = w->def.bus + (k << STRESS_DEF_SHIFT), .base = &base,
	};
}

int main(int argc, char **argv)
{
	unsigned int kills = KILLS_DEFAULT;
	struct stress_target tgt;
	int t;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 4 || argc > 6) {
		fprintf(stderr, "usage: vfio_stress GROUP THREADS ITERATIONS [SEED [KILLS]]\n");
		return 2;
	}
	grp = atoi(argv[1]);
	nthreads = atoi(argv[2]);
	iterations = strtoul(argv[3], NULL, 0);
	seed = argc > 4 ? strtoull(argv[4], NULL, 0) : (unsigned long long)time(NULL);
	if (argc > 5)
		kills = strtoul(argv[5], NULL, 0);
	if (nthreads < 1 || nthreads > MAX_THREADS) {
		fprintf(stderr, "vfio_stress: 1 to %d threads\n", MAX_THREADS);
		return 2;
	}
	page = sysconf(_SC_PAGESIZE);
	page_shift = __builtin_ctzl(page);
	printf("stress: seed %llu, group %d, %d threads x %lu iterations, %u kills per ioctl\n",
	       seed, grp, nthreads, iterations, kills);
	CHECK(!container_present(), "no other spapr-tce-v2 container");
	baseline_take(&base);

	threads();
	map_both();
	procs_target(&tgt);
	stress_inherited(&tgt);
	stress_detached(&tgt);
	for (t = 0; t < nthreads; t++) {
		munmap(workers[t].buf, STRESS_BUF_BYTES);
		munmap(workers[t].extra, STRESS_EXTRA_BYTES);
		free(workers[t].def.src);
		free(workers[t].ddw.src);
	}
	stress_killed(&tgt, kills);

	expect_released(&base, "the end");
	printf("stress: %d failed checks, %lu unexpected answers, seed %llu\n", failures,
	       unexpected, seed);
	return failures || unexpected ? 1 : 0;
}
