// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fail the Nth allocation of a whole sPAPR TCE ioctl sequence, for N = 1,
 * 2, ... until the sequence completes without reaching the Nth, as the
 * kernel's iommufd_fail_nth does (/proc/self/task/TID/fail-nth; the shell
 * around this turns slab and page-allocator injection on for every gfp):
 *   vfio_fail_nth GROUP ours|in-tree v2|v1
 * The sequence opens a container, registers memory, creates a window, maps
 * into both windows, unmaps, removes, unregisters and closes (v2), or
 * enables, maps, unmaps and disables (v1).  At the step that met the
 * injected failure: it returns an errno (ENOMEM; EFAULT for the pinning of
 * REGISTER_MEMORY), the container's state, VmLck, pins and TCE tables are
 * exactly as before the step, and the same step without injection then
 * succeeds; the sequence goes on to its end.  A step that succeeded despite
 * the injection (an allocation with a fallback), and a failed step once
 * retried, must leave what the same step leaves in a run without
 * injection: container state, VmLck, pins, tables.  After each run,
 * everything closed, nothing may be left.  Injection is armed only around the calls
 * of the sequence: this program's own reads and prints are not counted.
 * For "in-tree" (vfio_iommu_spapr_tce, no debugfs state) the same run
 * only reports what it finds: a side-by-side figure, not a verdict.
 * Prints "fail-nth BACKEND SEQ: N injection points, ..." last; exits 1
 * when "ours" broke any rule.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "common.h"
#include "leaks.h"

#define BUF_SIZE	(1UL << 20)
#define DDW_SIZE	(1ULL << 30)
/* Past this the sequence has more allocations than any sane run. */
#define MAX_POINTS	20000
#define MAX_REPORTS	20
#define MAX_STEPS	16

struct seq {
	int grp;
	bool v1;
	int container, group;
	void *buf;
	struct vfio_iommu_spapr_tce_info info;
	unsigned int shift;
	__u64 ddw_start;
};

typedef long (*step_fn)(struct seq *s);

static long ret_of(long r)
{
	return r < 0 ? -errno : 0;
}

static long st_open_container(struct seq *s)
{
	s->container = open("/dev/vfio/vfio", O_RDWR);
	return ret_of(s->container);
}

static long st_open_group(struct seq *s)
{
	char path[64];

	snprintf(path, sizeof(path), "/dev/vfio/%d", s->grp);
	s->group = open(path, O_RDWR);
	return ret_of(s->group);
}

static long st_set_container(struct seq *s)
{
	return xioctl(s->group, VFIO_GROUP_SET_CONTAINER, &s->container);
}

static long st_set_iommu(struct seq *s)
{
	unsigned long type = s->v1 ? VFIO_SPAPR_TCE_IOMMU : VFIO_SPAPR_TCE_v2_IOMMU;

	return xioctl(s->container, VFIO_SET_IOMMU, (void *)type);
}

static long st_get_info(struct seq *s)
{
	s->info = (struct vfio_iommu_spapr_tce_info){ .argsz = sizeof(s->info) };
	return xioctl(s->container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &s->info);
}

static long st_enable(struct seq *s)
{
	return xioctl(s->container, VFIO_IOMMU_ENABLE, NULL);
}

static long st_disable(struct seq *s)
{
	return xioctl(s->container, VFIO_IOMMU_DISABLE, NULL);
}

static long st_register(struct seq *s)
{
	struct vfio_iommu_spapr_register_memory r = {
		.argsz = sizeof(r), .vaddr = (uintptr_t)s->buf, .size = BUF_SIZE,
	};

	return xioctl(s->container, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &r);
}

static long st_unregister(struct seq *s)
{
	struct vfio_iommu_spapr_register_memory r = {
		.argsz = sizeof(r), .vaddr = (uintptr_t)s->buf, .size = BUF_SIZE,
	};

	return xioctl(s->container, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, &r);
}

static long st_create(struct seq *s)
{
	struct vfio_iommu_spapr_tce_create c = {
		.argsz = sizeof(c), .page_shift = s->shift, .window_size = DDW_SIZE,
		.levels = s->info.ddw.levels < 2 ? s->info.ddw.levels : 2,
	};
	long ret = xioctl(s->container, VFIO_IOMMU_SPAPR_TCE_CREATE, &c);

	if (!ret)
		s->ddw_start = c.start_addr;
	return ret;
}

static long st_remove(struct seq *s)
{
	struct vfio_iommu_spapr_tce_remove r = {
		.argsz = sizeof(r), .start_addr = s->ddw_start,
	};

	return xioctl(s->container, VFIO_IOMMU_SPAPR_TCE_REMOVE, &r);
}

static long map_at(struct seq *s, __u64 iova)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)s->buf, .iova = iova, .size = BUF_SIZE,
	};

	return xioctl(s->container, VFIO_IOMMU_MAP_DMA, &m);
}

static long unmap_at(struct seq *s, __u64 iova)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .iova = iova, .size = BUF_SIZE,
	};

	return xioctl(s->container, VFIO_IOMMU_UNMAP_DMA, &u);
}

static long st_map32(struct seq *s)
{
	return map_at(s, s->info.dma32_window_start);
}

static long st_unmap32(struct seq *s)
{
	return unmap_at(s, s->info.dma32_window_start);
}

static long st_map_ddw(struct seq *s)
{
	return map_at(s, s->ddw_start);
}

static long st_unmap_ddw(struct seq *s)
{
	return unmap_at(s, s->ddw_start);
}

static long st_close_group(struct seq *s)
{
	long ret = ret_of(close(s->group));

	s->group = -1;
	return ret;
}

static long st_close_container(struct seq *s)
{
	long ret = ret_of(close(s->container));

	s->container = -1;
	return ret;
}

struct step {
	const char *name;
	step_fn fn;
	/* Besides ENOMEM, what an injected failure may come back as. */
	int also;
};

static const struct step steps_v2[] = {
	{ "open container", st_open_container }, { "open group", st_open_group },
	{ "GROUP_SET_CONTAINER", st_set_container }, { "SET_IOMMU(v2)", st_set_iommu },
	{ "GET_INFO", st_get_info }, { "REGISTER_MEMORY", st_register, EFAULT },
	{ "CREATE", st_create }, { "MAP_DMA (32-bit window)", st_map32 },
	{ "MAP_DMA (DDW)", st_map_ddw }, { "UNMAP_DMA (DDW)", st_unmap_ddw },
	{ "UNMAP_DMA (32-bit window)", st_unmap32 }, { "REMOVE", st_remove },
	{ "UNREGISTER_MEMORY", st_unregister }, { "close group", st_close_group },
	{ "close container", st_close_container },
};

static const struct step steps_v1[] = {
	{ "open container", st_open_container }, { "open group", st_open_group },
	{ "GROUP_SET_CONTAINER", st_set_container }, { "SET_IOMMU(v1)", st_set_iommu },
	{ "GET_INFO", st_get_info }, { "ENABLE", st_enable },
	{ "MAP_DMA (32-bit window)", st_map32, EFAULT },
	{ "UNMAP_DMA (32-bit window)", st_unmap32 }, { "DISABLE", st_disable },
	{ "close group", st_close_group }, { "close container", st_close_container },
};

/* /proc/self/task/TID/fail-nth, open for the whole run. */
static int nth_fd = -1;

/* Nothing may be printed while armed: a write allocates too. */
static void nth_die(const char *what)
{
	int err = errno;

	if (pwrite(nth_fd, "0", 1, 0) != 1)
		err = errno;
	fprintf(stderr, "FAILED: %s: %s\n", what, strerror(err));
	exit(1);
}

static void nth_arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(nth_fd, buf, len, 0) != len)
		nth_die("arm fail-nth");
}

/* Disarm; the count left: 0 if the injection happened. */
static unsigned int nth_disarm(void)
{
	char buf[16] = "";

	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) <= 0)
		nth_die("read fail-nth");
	if (pwrite(nth_fd, "0", 1, 0) != 1)
		nth_die("disarm fail-nth");
	return strtoul(buf, NULL, 10);
}

/* What must not change when a call fails. */
struct snap {
	char state[8192];
	long locked_kb;
	long long pins, tables, levels;
};

static bool ours;

/*
 * Levels of a window are never freed before the window (KVM walks them
 * without the container's lock), and were charged when it was made: a
 * failed MAP_DMA may leave the ones it added.  Their bytes are left out of
 * the comparison; levels_live is compared after each run, all closed.
 */
static void drop_level_bytes(char *state)
{
	char *p, *end;

	while ((p = strstr(state, " table_bytes "))) {
		end = strchr(p, '\n');
		if (!end) {
			*p = '\0';
			break;
		}
		memmove(p, end, strlen(end) + 1);
	}
}

/* @pins_want, @tables_want: what to give a moment to come back; -1: none. */
static void snap_take(struct snap *sn, long long pins_want, long long tables_want)
{
	if (ours)
		container_states(sn->state, sizeof(sn->state));
	else
		sn->state[0] = '\0';
	drop_level_bytes(sn->state);
	sn->locked_kb = vm_locked_kb();
	sn->pins = pins_want < 0 ? pins_held() : pins_settle(pins_want);
	/* Tables go from a workqueue (the reaper): give them a moment. */
	for (int i = 0; ours && tables_want >= 0 && i < 30 && tables_live() != tables_want; i++)
		msleep(100);
	sn->tables = ours ? tables_live() : 0;
	sn->levels = ours ? levels_live() : 0;
}

static bool snap_same(const struct snap *a, const struct snap *b)
{
	return !strcmp(a->state, b->state) && a->locked_kb == b->locked_kb &&
	       a->pins == b->pins && a->tables == b->tables;
}

static void snap_diff(const char *what, const struct snap *a, const struct snap *b)
{
	note("%s: VmLck %ld -> %ld kB, pins %lld -> %lld, tables %lld -> %lld, levels %lld -> %lld%s",
	     what, a->locked_kb, b->locked_kb, a->pins, b->pins, a->tables, b->tables,
	     a->levels, b->levels, strcmp(a->state, b->state) ? ", container state differs" : "");
	if (strcmp(a->state, b->state))
		note("before:\n%s  after:\n%s", a->state, b->state);
}

/* Figures of the whole run. */
static unsigned int failed_calls, survived, bad_errno, changed, retry_failed, leaked,
	unexpected, reports, no_kernel_window, unobserved, differs;

static bool report_more(void)
{
	return reports++ < MAX_REPORTS;
}

/* What each step leaves in a run without injection. */
static struct snap ref[MAX_STEPS];

/*
 * After step @i succeeded (despite or after an injection): what a run
 * without injection left.  A container without debugfs state (its own
 * allocation failed) is compared by VmLck, pins and tables only.
 */
static void check_as_uninjected(unsigned int n, const struct step *st, size_t i, bool observed)
{
	struct snap now;

	snap_take(&now, ref[i].pins, ref[i].tables);
	if (!observed)
		strcpy(now.state, ref[i].state);
	if (snap_same(&ref[i], &now))
		return;
	differs++;
	if (report_more()) {
		note("N=%u: %s succeeded but left what a run without injection does not:", n,
		     st->name);
		snap_diff(st->name, &ref[i], &now);
	}
}

/* The sequence without injection, each step's result kept in ref[]. */
static void ref_run(const struct step *steps, size_t nsteps, int grp, bool v1, void *buf,
		    unsigned int shift)
{
	struct seq s = { .grp = grp, .v1 = v1, .container = -1, .group = -1, .buf = buf,
			 .shift = shift };
	size_t i;

	for (i = 0; i < nsteps; i++) {
		int same = 0, tries;

		CHECK(steps[i].fn(&s) >= 0, "without injection: %s", steps[i].name);
		snap_take(&ref[i], -1, -1);
		/*
		 * The reaper frees removed tables from a workqueue, mm_iommu
		 * unpins from an RCU callback: let both settle.
		 */
		for (tries = 0; same < 3 && tries < 30; tries++) {
			long long t = ref[i].tables, p = ref[i].pins;

			msleep(100);
			ref[i].tables = ours ? tables_live() : 0;
			ref[i].pins = pins_held();
			same = ref[i].tables == t && ref[i].pins == p ? same + 1 : 0;
		}
	}
}
static unsigned int errnos[3];	/* ENOMEM, EFAULT, other */

/* One run with the Nth allocation failing; false once N was not reached. */
static bool run_one(unsigned int n, const struct step *steps, size_t nsteps, int grp, bool v1,
		    void *buf, unsigned int shift, const struct snap *base)
{
	struct seq s = { .grp = grp, .v1 = v1, .container = -1, .group = -1, .buf = buf,
			 .shift = shift };
	bool injected = false, observed = true;
	struct snap before, after, end;
	unsigned int left = n;	/* allocations to go until the failing one */
	size_t i;

	for (i = 0; i < nsteps; i++) {
		const struct step *st = &steps[i];
		long ret;

		if (injected) {
			ret = st->fn(&s);
			if (ret < 0) {
				unexpected++;
				if (report_more())
					note("N=%u: %s failed (%s) with no injection left", n,
					     st->name, strerror(-ret));
				break;
			}
			continue;
		}
		snap_take(&before, -1, -1);
		nth_arm(left);
		ret = st->fn(&s);
		left = nth_disarm();
		if (left) {
			if (ret < 0) {
				unexpected++;
				if (report_more())
					note("N=%u: %s failed (%s) before the injection", n,
					     st->name, strerror(-ret));
				break;
			}
			continue;
		}
		injected = true;
		/*
		 * debugfs is best effort: a container whose directory could
		 * not be made works, but only VmLck, pins and tables see it.
		 */
		if (ret >= 0 && ours && st->fn == st_set_iommu) {
			char state[256];

			container_states(state, sizeof(state));
			if (!strstr(state, "type: ")) {
				unobserved++;
				observed = false;
			}
		}
		if (ret >= 0) {
			/* An allocation with a fallback, or one whose failure is not the call's. */
			survived++;
			check_as_uninjected(n, st, i, observed);
			continue;
		}
		failed_calls++;
		errnos[ret == -ENOMEM ? 0 : ret == -EFAULT ? 1 : 2]++;
		if (ret != -ENOMEM && ret != -st->also) {
			bad_errno++;
			if (report_more())
				note("N=%u: %s failed with %s", n, st->name, strerror(-ret));
		}
		snap_take(&after, before.pins, before.tables);
		if (!snap_same(&before, &after)) {
			changed++;
			if (report_more())
				snap_diff(st->name, &before, &after);
		}
		ret = st->fn(&s);
		if (ret < 0) {
			retry_failed++;
			if (report_more())
				note("N=%u: %s failed again without injection (%s)", n, st->name,
				     strerror(-ret));
			break;
		}
		check_as_uninjected(n, st, i, observed);
	}
	if (s.group >= 0)
		close(s.group);
	if (s.container >= 0)
		close(s.container);
	/* Not reached, or a call failed before it: no later N can do better. */
	if (!injected)
		return false;
	/*
	 * The platform's release_ownership ignores a failed allocation of the
	 * kernel's window: counted, not ours to judge; the next release that
	 * succeeds restores it.
	 */
	if (!pe_has_line(grp, "  window 0:"))
		no_kernel_window++;
	snap_take(&end, base->pins, base->tables);
	if (!snap_same(base, &end) || base->levels != end.levels || (ours && container_present())) {
		leaked++;
		if (report_more()) {
			note("N=%u: left after the run%s", n,
			     ours && container_present() ? " (a container in debugfs)" : "");
			snap_diff("whole run", base, &end);
		}
	}
	return true;
}

int main(int argc, char **argv)
{
	const struct step *steps;
	struct snap base;
	unsigned int n, shift;
	size_t nsteps;
	char path[64];
	bool v1;
	void *buf;
	int grp;

	if (argc != 4 || (strcmp(argv[2], "ours") && strcmp(argv[2], "in-tree")) ||
	    (strcmp(argv[3], "v2") && strcmp(argv[3], "v1"))) {
		fprintf(stderr, "usage: vfio_fail_nth GROUP ours|in-tree v2|v1\n");
		return 2;
	}
	grp = atoi(argv[1]);
	ours = !strcmp(argv[2], "ours");
	v1 = !strcmp(argv[3], "v1");
	steps = v1 ? steps_v1 : steps_v2;
	nsteps = v1 ? sizeof(steps_v1) / sizeof(steps_v1[0]) : sizeof(steps_v2) / sizeof(steps_v2[0]);
	for (shift = 12; (1L << shift) < sysconf(_SC_PAGESIZE); shift++)
		;
	/* Touched now: no page fault of ours is counted. */
	buf = anon_mem(BUF_SIZE, 0x5a);
	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth", (long)syscall(SYS_gettid));
	nth_fd = open(path, O_RDWR);
	CHECK(nth_fd >= 0, "open %s (a kernel with CONFIG_FAULT_INJECTION)", path);
	snap_take(&base, -1, -1);
	note("before: VmLck %ld kB, pins %lld, tables %lld, levels %lld", base.locked_kb,
	     base.pins, base.tables, base.levels);
	CHECK(nsteps <= MAX_STEPS, "%zu steps", nsteps);
	ref_run(steps, nsteps, grp, v1, buf, shift);

	for (n = 1; n <= MAX_POINTS; n++)
		if (!run_one(n, steps, nsteps, grp, v1, buf, shift, &base))
			break;
	CHECK(n <= MAX_POINTS, "the sequence ends within %d injection points", MAX_POINTS);
	printf("fail-nth %s %s: %u injection points, %u failed a call (ENOMEM %u, EFAULT %u, other %u), %u calls succeeded anyway; unexpected errno %u, state changed by a failed call %u, retry failed %u, calls leaving what no injection does %u, runs leaving something %u, other failures %u; runs after which the kernel's window was not restored %u, containers without debugfs state %u\n",
	       argv[2], argv[3], n - 1, failed_calls, errnos[0], errnos[1], errnos[2], survived,
	       bad_errno, changed, retry_failed, differs, leaked, unexpected, no_kernel_window,
	       unobserved);
	if (!ours)
		return 0;
	CHECK(failed_calls > 0, "an injected failure made a call fail");
	return bad_errno || changed || retry_failed || differs || leaked || unexpected ? 1 : 0;
}
