// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hostile input for spapr-tce-v2: a seeded random sequence of sPAPR TCE
 * ioctls on one container of one IOMMU group, good and bad calls mixed,
 * each answer and the state it leaves checked against a model of the
 * backend (fuzz_model.c):
 *   vfio_fuzz GROUP SEED CALLS [v2|v1 [CHECK_EVERY]]
 * After every call its answer, the bytes it wrote back, VmLck and the TCE
 * tables and levels live; every CHECK_EVERY calls (default 500, 1: after
 * each), after each TCE_REMOVE that worked and before each reopen the
 * container's debugfs state with its call counters.  Now and then the
 * container is closed with all it holds and opened again; so it is after
 * a call that could not allocate the default window, an answer of the
 * page allocator's, not the model's (fuzz_model.h), printed but no mismatch.
 * At the end everything is unmapped, removed, unregistered and closed,
 * and nothing may be left.
 * Prints "fuzz: seed N: " and what the calls depend on besides the seed
 * (page sizes, windows, levels, the 32-bit window) before the calls, each
 * mismatch with its call number and arguments, "fuzz: N calls (G good, B
 * bad), M mismatches, seed S" last; exits 1 on any mismatch, 2 on a bad
 * argument.
 * The same seed replays the same calls where those are the same: the same
 * machine type, kernel and guest memory size (the pool's addresses aside:
 * ASLR moves it whole).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "common.h"
#include "fuzz_gen.h"
#include "fuzz_model.h"
#include "leaks.h"

#define ARGBUF		64	/* bytes of an argument checked after the call */
/* Past this the model has diverged for good: replay the seed to see why. */
#define MAX_MISMATCHES	200

static const unsigned long requests[FM_NR_OPS + 1] = {
	VFIO_IOMMU_SPAPR_TCE_GET_INFO, VFIO_IOMMU_MAP_DMA, VFIO_IOMMU_UNMAP_DMA,
	VFIO_IOMMU_SPAPR_REGISTER_MEMORY, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY,
	VFIO_IOMMU_SPAPR_TCE_CREATE, VFIO_IOMMU_SPAPR_TCE_REMOVE,
	VFIO_IOMMU_ENABLE, VFIO_IOMMU_DISABLE,
	_IO(VFIO_TYPE, VFIO_BASE + 99),
};

static const char *const arg_names[FM_NR_OPS + 1][3] = {
	[FM_MAP] = { "vaddr", "iova", "size" },
	[FM_UNMAP] = { "iova", "size" },
	[FM_REGISTER] = { "vaddr", "size" },
	[FM_UNREGISTER] = { "vaddr", "size" },
	[FM_CREATE] = { "page_shift", "window_size", "levels" },
	[FM_REMOVE] = { "start_addr" },
};

static struct fm m;
static struct vfio_ctx ctx;
static const struct fm_range *pool;
static unsigned char *argpage, *ropage;	/* the second read-only at the call */
static long page;
static struct baseline base;
static unsigned long mismatches, good, bad, reopens, nomem;

static void reopen(unsigned long no, bool check);

static const char *answer(long r)
{
	static char s[2][32];
	static int k;
	const char *name = r < 0 ? strerrorname_np(-r) : NULL;

	k ^= 1;
	if (name)
		snprintf(s[k], sizeof(s[k]), "-%s", name);
	else
		snprintf(s[k], sizeof(s[k]), "%ld", r);
	return s[k];
}

static void describe(const struct fm_call *c, char *s, size_t n)
{
	size_t used = snprintf(s, n, "%s argsz %u flags 0x%x", fm_op_name[c->op], c->argsz, c->flags);
	const uint64_t v[3] = { c->a, c->b, c->c };
	int i;

	for (i = 0; i < 3 && arg_names[c->op][i] && used < n; i++)
		used += snprintf(s + used, n - used, " %s 0x%llx", arg_names[c->op][i],
				 (unsigned long long)v[i]);
	if (c->op == FM_CREATE && c->resv && used < n)
		used += snprintf(s + used, n - used, " resv 0x%x", c->resv);
	if (c->answer_ro && used < n)
		used += snprintf(s + used, n - used, " (answer read-only)");
	if (c->arg_null && used < n)
		snprintf(s + used, n - used, " (argument at NULL)");
}

static void mismatch(unsigned long no, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void mismatch(unsigned long no, const char *what, const char *fmt, ...)
{
	va_list ap;

	mismatches++;
	printf("MISMATCH call %lu: %s: ", no, what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* --- the state: debugfs, tables, levels ------------------------------- */

/*
 * Cheap enough for every call: the file flushes the tables' reaper before
 * it counts, so a window removed or a failed call's default window taken
 * back is no longer counted.
 */
static void check_tables(unsigned long no, const char *what)
{
	long long tables = tables_live() - base.tables, levels = levels_live() - base.levels;

	if (tables != fm_windows(&m) || levels != fm_levels(&m))
		mismatch(no, what, "want %d tables and %ld levels more than before, got %lld and %lld",
			 fm_windows(&m), fm_levels(&m), tables, levels);
}

static void check_state(unsigned long no)
{
	static char want[16384], got[16384];
	char *wl, *gl, *ws, *gs;

	fm_render(&m, want, sizeof(want));
	container_states_calls(got, sizeof(got));
	if (strcmp(want, got)) {
		mismatch(no, "debugfs state", "differs from the model");
		wl = strtok_r(want, "\n", &ws);
		gl = strtok_r(got, "\n", &gs);
		while (wl || gl) {
			if (!wl || !gl || strcmp(wl, gl))
				printf("  want: %s\n  got:  %s\n", wl ? wl : "-", gl ? gl : "-");
			wl = wl ? strtok_r(NULL, "\n", &ws) : NULL;
			gl = gl ? strtok_r(NULL, "\n", &gs) : NULL;
		}
	}
	check_tables(no, "tce_tables");
}

/* --- one call ---------------------------------------------------------- */

static void fill_arg(const struct fm_call *c, unsigned char *buf)
{
	memset(buf, 0xa5, ARGBUF);
	switch (c->op) {
	case FM_MAP:
		*(struct vfio_iommu_type1_dma_map *)buf = (struct vfio_iommu_type1_dma_map){
			c->argsz, c->flags, c->a, c->b, c->c };
		break;
	case FM_UNMAP:
		*(struct vfio_iommu_type1_dma_unmap *)buf = (struct vfio_iommu_type1_dma_unmap){
			c->argsz, c->flags, c->a, c->b };
		break;
	case FM_REGISTER:
	case FM_UNREGISTER:
		*(struct vfio_iommu_spapr_register_memory *)buf =
			(struct vfio_iommu_spapr_register_memory){ c->argsz, c->flags, c->a, c->b };
		break;
	case FM_CREATE: {
		struct vfio_iommu_spapr_tce_create *cr = (void *)buf;

		cr->argsz = c->argsz;
		cr->flags = c->flags;
		cr->page_shift = c->a;
		cr->__resv1 = c->resv;
		cr->window_size = c->b;
		cr->levels = c->c;
		cr->__resv2 = c->resv;
		break;
	}
	default:	/* GET_INFO's input is argsz and flags, REMOVE's start too */
		((__u32 *)buf)[0] = c->argsz;
		((__u32 *)buf)[1] = c->flags;
		if (c->op == FM_REMOVE)
			((struct vfio_iommu_spapr_tce_remove *)buf)->start_addr = c->a;
	}
}

/*
 * What a successful call writes back (ioctl.c: out_size bytes if argsz
 * holds them, else min_size): GET_INFO its answer, the DDW part for v2
 * only (v1's is the zeroes the kernel's copy started from); CREATE the
 * start of the window.
 */
static void fill_answer(const struct fm_call *c, unsigned char *buf, uint64_t start)
{
	struct vfio_iommu_spapr_tce_info info = {
		.argsz = c->argsz, .dma32_window_start = m.caps.tce32_start,
		.dma32_window_size = m.caps.tce32_size,
	};

	/* @buf is a byte array, maybe unaligned for a u64: no struct store. */
	if (c->op == FM_CREATE)
		memcpy(buf + offsetof(struct vfio_iommu_spapr_tce_create, start_addr),
		       &start, sizeof(start));
	if (c->op != FM_GET_INFO)
		return;
	if (m.v2) {
		info.flags = VFIO_IOMMU_SPAPR_INFO_DDW;
		info.ddw.pgsizes = m.caps.pgsizes;
		info.ddw.max_dynamic_windows_supported = m.caps.max_windows;
		info.ddw.levels = m.caps.max_levels;
	}
	memcpy(buf, &info, c->argsz >= sizeof(info) ? sizeof(info) : fm_min_argsz(FM_GET_INFO));
}

/* Make call @c; returns the answer the model wants. */
static long run_call(unsigned long no, const struct fm_call *c)
{
	unsigned char *buf = c->answer_ro ? ropage : argpage, want[ARGBUF];
	long expect, got, vmlck, vmlck_want;
	uint64_t start = 0;
	char desc[256];

	mprotect(ropage, page, PROT_READ | PROT_WRITE);
	fill_arg(c, buf);
	memcpy(want, buf, ARGBUF);
	if (c->answer_ro)
		mprotect(ropage, page, PROT_READ);
	expect = fm_apply(&m, c, &start);
	got = xioctl(ctx.container, requests[c->op], fm_arg_size(c->op) && !c->arg_null ? buf : NULL);
	describe(c, desc, sizeof(desc));
	/* The allocator's answer, not the model's (FM_LEVEL_SHIFT_SURE): start over. */
	if (got == -ENOMEM && m.made_default) {
		printf("fuzz: call %lu: %s: -ENOMEM making the default window, "
		       "container reopened (a replay's calls differ from here)\n", no, desc);
		nomem++;
		reopen(no, false);
		return got;
	}
	if (!expect)
		fill_answer(c, want, start);
	if (got != expect)
		mismatch(no, desc, "want %s, got %s", answer(expect), answer(got));
	else if (memcmp(want, buf, ARGBUF))
		mismatch(no, desc, "%s as wanted, but the argument's bytes differ", answer(got));
	vmlck = vm_locked_kb();
	vmlck_want = base.locked_kb + (long)((fm_locked_pages(&m) << m.page_shift) >> 10);
	if (vmlck != vmlck_want)
		mismatch(no, desc, "after %s: VmLck %ld kB, want %ld kB", answer(got), vmlck, vmlck_want);
	check_tables(no, desc);
	return expect;
}

/* --- set up, run, take down -------------------------------------------- */

/* A new container on the group; the model starts over. */
static void open_container(int grp, bool v2)
{
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	struct fm_caps caps = { 0 };

	if (v2) {
		vfio_open_v2(&ctx, grp, "fuzz");
	} else {
		vfio_open(&ctx, grp);
		CHECK(xioctl(ctx.container, VFIO_SET_IOMMU, (void *)VFIO_SPAPR_TCE_IOMMU) == 0,
		      "fuzz: SET_IOMMU(VFIO_SPAPR_TCE_IOMMU)");
	}
	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info) == 0 &&
	      (info.flags == VFIO_IOMMU_SPAPR_INFO_DDW) == v2, "GET_INFO");
	caps.tce32_start = info.dma32_window_start;
	caps.tce32_size = info.dma32_window_size;
	/* v1 makes the default window only: 4K pages, one level. */
	caps.pgsizes = v2 ? info.ddw.pgsizes : 1ULL << 12;
	caps.max_windows = v2 ? info.ddw.max_dynamic_windows_supported : 1;
	caps.max_levels = v2 ? info.ddw.levels : 1;
	CHECK(!m.caps.tce32_size || !memcmp(&caps, &m.caps, sizeof(caps)), "GET_INFO as before");
	fm_free(&m);
	fm_init(&m, v2, grp, __builtin_ctzl(page), &caps, pool, FUZZ_POOL,
		pool + FUZZ_POOL, FUZZ_POOL_RO);
	m.calls_ok[FM_GET_INFO]++;	/* the one above */
}

/* Closed: nothing of the container may be left (at the end expect_released() checks). */
static void check_closed(unsigned long no)
{
	long long pins = pins_settle(base.pins), tables = tables_live(), levels = levels_live();
	long vmlck = vm_locked_kb();

	if (container_present() || tables != base.tables || levels != base.levels ||
	    vmlck != base.locked_kb || pins != base.pins)
		mismatch(no, "close", "left: container %d, tables %+lld, levels %+lld, "
			 "VmLck %+ld kB, pins %+lld", container_present(), tables - base.tables, levels - base.levels,
			 vmlck - base.locked_kb, pins - base.pins);
}

/*
 * What the container held is compared before it goes (close loses it),
 * unless @check is false: the model no longer knows.
 */
static void reopen(unsigned long no, bool check)
{
	reopens++;
	if (check)
		check_state(no);
	vfio_close(&ctx);
	check_closed(no);
	open_container(ctx.group_id, m.v2);
}

static void setup(int grp, bool v2)
{
	page = sysconf(_SC_PAGESIZE);
	CHECK(!container_present(), "no other spapr-tce-v2 container");
	baseline_take(&base);
	pool = fuzz_pool();
	argpage = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(argpage != MAP_FAILED, "argument pages");
	ropage = argpage + page;
	open_container(grp, v2);
	note("%s container, group %d", v2 ? "v2" : "v1", grp);
}

/* Unmap, remove, unregister (v1: disable): nothing may be left but v1's default window. */
static void take_down(unsigned long no)
{
	static char s[16384];
	struct fm_call c;
	const char *w0;
	int i;

	for (i = 0; i < 2; i++) {
		if (!m.win[i].used || (!m.v2 && !m.enabled))
			continue;
		c = (struct fm_call){ FM_UNMAP, sizeof(struct vfio_iommu_type1_dma_unmap), 0,
				      m.win[i].bus, m.win[i].size };
		run_call(++no, &c);
	}
	for (i = 0; m.v2 && i < 2; i++)
		if (m.win[i].used || (!i && m.pending)) {
			c = (struct fm_call){ FM_REMOVE, sizeof(struct vfio_iommu_spapr_tce_remove), 0,
					      m.win[i].used ? m.win[i].bus : m.caps.tce32_start };
			run_call(++no, &c);
		}
	while (m.nreg) {
		int before = m.nreg;

		c = (struct fm_call){ FM_UNREGISTER, sizeof(struct vfio_iommu_spapr_register_memory),
				      0, m.reg[0].start, m.reg[0].size };
		run_call(++no, &c);
		if (m.nreg == before)
			break;
	}
	if (!m.v2) {
		c = (struct fm_call){ FM_DISABLE };
		run_call(++no, &c);
	}
	check_state(no);
	/*
	 * The backend's state, not the model's, which the calls above empty
	 * by construction.  v1's default window stays until close: nothing
	 * removes it.
	 */
	container_states(s, sizeof(s));
	w0 = strstr(s, "window 0:");
	EXPECT(!strstr(s, "window 1:") && !strstr(s, "prereg:") &&
	       (!w0 || (!m.v2 && strstr(w0, " entries_used 0 "))) &&
	       (m.v2 || strstr(s, "\nenabled: 0\n")),
	       "taken down: nothing mapped, registered or enabled");
	EXPECT(pins_settle(base.pins) == base.pins, "taken down: pins back to %lld (%lld now)",
	       base.pins, pins_held());
}

/*
 * The whole of @s, in decimal: a seed copied from a report is the seed
 * ("08" is 8, not octal), and junk is refused, not read as 0.
 */
static bool parse_num(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !*end && !errno && *v <= max;
}

int main(int argc, char **argv)
{
	unsigned long long seed, grp, calls, every = 500;
	unsigned long no;
	struct fm_call c;
	bool v2 = true;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 4 || argc > 6 || !parse_num(argv[1], INT_MAX, &grp) ||
	    !parse_num(argv[2], ULLONG_MAX, &seed) || !parse_num(argv[3], ULONG_MAX - 1, &calls) ||
	    (argc > 4 && strcmp(argv[4], "v2") && strcmp(argv[4], "v1")) ||
	    (argc > 5 && !parse_num(argv[5], ULONG_MAX, &every))) {
		fprintf(stderr, "usage: vfio_fuzz GROUP SEED CALLS [v2|v1 [CHECK_EVERY]] "
			"(numbers in decimal)\n");
		return 2;
	}
	v2 = argc < 5 || !strcmp(argv[4], "v2");
	fuzz_gen_init(seed, &m);
	setup(grp, v2);
	/* What the generator reads besides the seed: a replay needs the same. */
	printf("fuzz: seed %llu: %s, %ld KiB pages, IOMMU page sizes 0x%llx, %u windows, "
	       "%u levels, 32-bit window 0x%llx+0x%llx; the seed replays its calls on the "
	       "same machine type, kernel and guest memory size\n",
	       seed, v2 ? "v2" : "v1", page >> 10, (unsigned long long)m.caps.pgsizes,
	       m.caps.max_windows, m.caps.max_levels, (unsigned long long)m.caps.tce32_start,
	       (unsigned long long)m.caps.tce32_size);
	for (no = 1; no <= calls && mismatches < MAX_MISMATCHES; no++) {
		long ret = 0;

		fuzz_generate(&c);
		if (c.op == FUZZ_REOPEN) {
			reopen(no, true);
		} else {
			ret = run_call(no, &c);
			if (ret)
				bad++;
			else
				good++;
		}
		/* A removal frees the most at once: check what is left. */
		if ((every && no % every == 0) || (c.op == FM_REMOVE && !ret))
			check_state(no);
	}
	if (mismatches >= MAX_MISMATCHES)
		printf("fuzz: stopped after %lu mismatches\n", mismatches);
	note("%lu reopens (%lu after the default window's -ENOMEM)", reopens, nomem);
	check_state(no - 1);
	take_down(no - 1);
	vfio_close(&ctx);
	fm_free(&m);
	expect_released(&base, "closed");
	mismatches += failures;
	printf("fuzz: %lu calls (%lu good, %lu bad), %lu mismatches, seed %llu\n",
	       no - 1, good, bad, mismatches, seed);
	return mismatches ? 1 : 0;
}
