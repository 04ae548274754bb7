// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sPAPR TCE uAPI, case by case, on one IOMMU group:
 *   vfio_conformance GROUP spapr-tce-v2|in-tree
 * Each case drives one ioctl with a good or a bad argument and checks the
 * errno the backend named on the command line gives; after a failure it
 * checks that nothing changed (GET_INFO, VmLck, and spapr-tce-v2's debugfs).
 * Where the two backends differ, the case says why.  Prints one line a
 * case and "conformance: N passed, N failed".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "common.h"
#include "leaks.h"

#define REGION		(16UL << 20)
#define WINDOW		(1ULL << 30)
/* A case not run on the in-tree backend, for the reason the case gives. */
#define NOT_RUN		9999
#define offsetofend(t, m)	(offsetof(t, m) + sizeof(((t *)0)->m))

/* The container a case starts from. */
enum fixture_kind {
	FIX_WINDOW,	/* v2, REGION registered, a 1 GiB window of ps pages */
	FIX_PENDING,	/* v2, REGION registered, the default window not made yet */
	FIX_V1,		/* v1 (VFIO_SPAPR_TCE_IOMMU), not enabled */
};

struct fixture {
	struct vfio_ctx ctx;
	void *mem;		/* REGION bytes, registered */
	void *other;		/* REGION bytes, not registered */
	__u64 win;		/* bus start of a 1 GiB window of ps pages */
	struct vfio_iommu_spapr_tce_info info;
};

static bool ours;
/* The IOMMU page of the cases' windows: the kernel's page (64K or 4K). */
static unsigned int ps;
static int passed, failed;

static long do_map(struct fixture *f, __u32 argsz, __u32 flags, __u64 vaddr,
		   __u64 iova, __u64 size)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = argsz, .flags = flags, .vaddr = vaddr, .iova = iova, .size = size,
	};

	return xioctl(f->ctx.container, VFIO_IOMMU_MAP_DMA, &m);
}

static long do_unmap(struct fixture *f, __u32 flags, __u64 iova, __u64 size)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .flags = flags, .iova = iova, .size = size,
	};

	return xioctl(f->ctx.container, VFIO_IOMMU_UNMAP_DMA, &u);
}

static long do_reg(struct fixture *f, unsigned long cmd, __u32 flags,
		   __u64 vaddr, __u64 size)
{
	struct vfio_iommu_spapr_register_memory r = {
		.argsz = sizeof(r), .flags = flags, .vaddr = vaddr, .size = size,
	};

	return xioctl(f->ctx.container, cmd, &r);
}

static long do_create(struct fixture *f, __u32 flags, __u32 shift, __u64 size,
		      __u32 levels, __u64 *start)
{
	struct vfio_iommu_spapr_tce_create c = {
		.argsz = sizeof(c), .flags = flags, .page_shift = shift,
		.window_size = size, .levels = levels,
	};
	long ret = xioctl(f->ctx.container, VFIO_IOMMU_SPAPR_TCE_CREATE, &c);

	if (start)
		*start = c.start_addr;
	return ret;
}

static long do_remove(struct fixture *f, __u64 start)
{
	struct vfio_iommu_spapr_tce_remove r = { .argsz = sizeof(r), .start_addr = start };

	return xioctl(f->ctx.container, VFIO_IOMMU_SPAPR_TCE_REMOVE, &r);
}

static void setup(struct fixture *f, int grp, enum fixture_kind kind)
{
	memset(f, 0, sizeof(*f));
	if (kind == FIX_V1) {
		vfio_open(&f->ctx, grp);
		CHECK(xioctl(f->ctx.container, VFIO_SET_IOMMU, (void *)VFIO_SPAPR_TCE_IOMMU) == 0,
		      "setup: SET_IOMMU(VFIO_SPAPR_TCE_IOMMU)");
	} else {
		vfio_open_v2(&f->ctx, grp, "setup");
	}
	f->info.argsz = sizeof(f->info);
	CHECK(xioctl(f->ctx.container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &f->info) == 0,
	      "setup: GET_INFO");
	f->mem = anon_mem(REGION, 1);
	f->other = anon_mem(REGION, 2);
	if (kind == FIX_V1)
		return;
	CHECK(do_reg(f, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, 0, (uintptr_t)f->mem, REGION) == 0,
	      "setup: REGISTER_MEMORY");
	if (kind == FIX_WINDOW)
		CHECK(do_create(f, 0, ps, WINDOW, 1, &f->win) == 0, "setup: TCE_CREATE 1 GiB");
}

static void teardown(struct fixture *f)
{
	vfio_close(&f->ctx);
	munmap(f->mem, REGION);
	munmap(f->other, REGION);
}

/* What a failed call must leave as it was. */
struct snapshot {
	struct vfio_iommu_spapr_tce_info info;
	long vmlck;
	char state[4096];
};

static void snap(struct fixture *f, struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->info.argsz = sizeof(s->info);
	xioctl(f->ctx.container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &s->info);
	s->vmlck = vm_locked_kb();
	container_states(s->state, sizeof(s->state));
}

struct tcase {
	const char *name;
	long (*run)(struct fixture *f);
	void (*prep)(struct fixture *f);	/* before the snapshot */
	long ours;		/* what spapr-tce-v2 answers */
	long intree;		/* what the in-tree 6.1 backend answers */
	const char *why;	/* why they differ */
	enum fixture_kind fix;
	bool intree_changes;	/* in-tree's failed call changes the container */
};

/* --- the cases: each returns what the ioctl returned ------------------ */

static long get_info_argsz_small(struct fixture *f)
{
	struct vfio_iommu_spapr_tce_info i = { .argsz = 8 };

	return xioctl(f->ctx.container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &i);
}

static long map_ok_unmap_ok(struct fixture *f)
{
	long ret = do_map(f, sizeof(struct vfio_iommu_type1_dma_map),
			  VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			  (uintptr_t)f->mem, f->win, REGION);

	return ret ? ret : do_unmap(f, 0, f->win, REGION);
}

static long map_argsz_small(struct fixture *f)
{
	return do_map(f, 16, VFIO_DMA_MAP_FLAG_READ, (uintptr_t)f->mem, f->win, REGION);
}

static long map_unknown_flag(struct fixture *f)
{
	return do_map(f, sizeof(struct vfio_iommu_type1_dma_map),
		      VFIO_DMA_MAP_FLAG_READ | 0x100, (uintptr_t)f->mem, f->win, REGION);
}

static long map_no_access(struct fixture *f)
{
	return do_map(f, sizeof(struct vfio_iommu_type1_dma_map), 0,
		      (uintptr_t)f->mem, f->win, REGION);
}

static long map_unaligned_iova(struct fixture *f)
{
	return do_map(f, sizeof(struct vfio_iommu_type1_dma_map), VFIO_DMA_MAP_FLAG_READ,
		      (uintptr_t)f->mem, f->win + (1UL << ps) / 2, 1UL << ps);
}

static long map_unaligned_size(struct fixture *f)
{
	return do_map(f, sizeof(struct vfio_iommu_type1_dma_map), VFIO_DMA_MAP_FLAG_READ,
		      (uintptr_t)f->mem, f->win, (1UL << ps) + (1UL << ps) / 2);
}

static long map_outside_windows(struct fixture *f)
{
	return do_map(f, sizeof(struct vfio_iommu_type1_dma_map), VFIO_DMA_MAP_FLAG_READ,
		      (uintptr_t)f->mem, f->win + WINDOW, 1UL << ps);
}

static long map_past_window_end(struct fixture *f)
{
	return do_map(f, sizeof(struct vfio_iommu_type1_dma_map), VFIO_DMA_MAP_FLAG_READ,
		      (uintptr_t)f->mem, f->win + WINDOW - (1UL << ps), 2UL << ps);
}

static long map_not_registered(struct fixture *f)
{
	return do_map(f, sizeof(struct vfio_iommu_type1_dma_map), VFIO_DMA_MAP_FLAG_READ,
		      (uintptr_t)f->other, f->win, REGION);
}

static long map_over_mapping(struct fixture *f)
{
	long ret = do_map(f, sizeof(struct vfio_iommu_type1_dma_map), VFIO_DMA_MAP_FLAG_READ,
			  (uintptr_t)f->mem, f->win, REGION);

	if (ret)
		return 1000 + ret;	/* the first map must work */
	ret = do_map(f, sizeof(struct vfio_iommu_type1_dma_map), VFIO_DMA_MAP_FLAG_WRITE,
		     (uintptr_t)f->mem, f->win, REGION);
	do_unmap(f, 0, f->win, REGION);
	return ret;
}

static long unmap_unknown_flag(struct fixture *f)
{
	return do_unmap(f, 0x100, f->win, 1UL << ps);
}

static long unmap_outside_windows(struct fixture *f)
{
	return do_unmap(f, 0, f->win + WINDOW, 1UL << ps);
}

static long unmap_never_mapped(struct fixture *f)
{
	return do_unmap(f, 0, f->win, REGION);
}

static long register_overlap(struct fixture *f)
{
	return do_reg(f, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, 0, (uintptr_t)f->mem, REGION);
}

/* Half of a registered range: overlapping it, not the same range. */
static long register_inside(struct fixture *f)
{
	return do_reg(f, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, 0, (uintptr_t)f->mem + REGION / 2,
		      REGION / 2);
}

static long register_unaligned(struct fixture *f)
{
	return do_reg(f, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, 0, (uintptr_t)f->other + (1UL << ps) / 2,
		      1UL << ps);
}

static long register_unknown_flag(struct fixture *f)
{
	return do_reg(f, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, 1, (uintptr_t)f->other, REGION);
}

static long register_wrapping(struct fixture *f)
{
	return do_reg(f, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, 0, ~0ULL << ps, 2UL << ps);
}

/*
 * A range mapped only in part: the kernel's long-term pin stops at the hole
 * and mm_iommu_do_alloc() answers the pages it pinned, not an errno.
 */
static long register_partly_mapped(struct fixture *f)
{
	size_t sys = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * sys, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long ret;

	CHECK(p != MAP_FAILED, "prep: mmap 2 pages");
	p[0] = 1;
	CHECK(!munmap(p + sys, sys), "prep: unmap the second");
	ret = do_reg(f, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, 0, (uintptr_t)p, 2 * sys);
	munmap(p, sys);
	return ret;
}

static long unregister_unknown(struct fixture *f)
{
	return do_reg(f, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, 0, (uintptr_t)f->other, REGION);
}

static long unregister_while_mapped(struct fixture *f)
{
	long ret = do_map(f, sizeof(struct vfio_iommu_type1_dma_map), VFIO_DMA_MAP_FLAG_READ,
			  (uintptr_t)f->mem, f->win, REGION);

	if (ret)
		return 1000 + ret;
	ret = do_reg(f, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, 0, (uintptr_t)f->mem, REGION);
	do_unmap(f, 0, f->win, REGION);
	return ret;
}

/* Frees a window slot, so that creation gets to check its arguments. */
static void remove_window(struct fixture *f)
{
	CHECK(do_remove(f, f->win) == 0, "prep: TCE_REMOVE");
}

static long create_page_size_not_offered(struct fixture *f)
{
	return do_create(f, 0, 13, WINDOW, 1, NULL);
}

static long create_not_power_of_two(struct fixture *f)
{
	return do_create(f, 0, ps, 3ULL << 30, 1, NULL);
}

static long create_zero_levels(struct fixture *f)
{
	return do_create(f, 0, ps, WINDOW, 0, NULL);
}

static long create_too_many_levels(struct fixture *f)
{
	return do_create(f, 0, ps, WINDOW, f->info.ddw.levels + 1, NULL);
}

static long create_unknown_flag(struct fixture *f)
{
	return do_create(f, 1, ps, WINDOW, 1, NULL);
}

static long create_third_window(struct fixture *f)
{
	return do_create(f, 0, ps, WINDOW, 1, NULL);
}

/* The answer cannot be written back: the window must not stay. */
static long create_answer_unwritable(struct fixture *f)
{
	long page = sysconf(_SC_PAGESIZE);
	struct vfio_iommu_spapr_tce_create *c;
	long ret;

	c = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED)
		return 1000;
	memset(c, 0, sizeof(*c));
	c->argsz = sizeof(*c);
	c->page_shift = ps;
	c->window_size = WINDOW;
	c->levels = 1;
	mprotect(c, page, PROT_READ);
	ret = xioctl(f->ctx.container, VFIO_IOMMU_SPAPR_TCE_CREATE, c);
	munmap(c, page);
	return ret;
}

static long remove_not_a_window(struct fixture *f)
{
	return do_remove(f, f->win + (1UL << ps));
}

static long remove_then_create(struct fixture *f)
{
	long ret = do_remove(f, f->win);

	return ret ? ret : do_create(f, 0, ps, WINDOW, 2, &f->win);
}

static long enable_on_v2(struct fixture *f)
{
	return xioctl(f->ctx.container, VFIO_IOMMU_ENABLE, NULL);
}

static long other_process_maps(struct fixture *f)
{
	int status;
	pid_t pid = fork();

	if (!pid)
		_exit(-do_map(f, sizeof(struct vfio_iommu_type1_dma_map),
			      VFIO_DMA_MAP_FLAG_READ, (uintptr_t)f->mem, f->win, 1UL << ps));
	waitpid(pid, &status, 0);
	return -WEXITSTATUS(status);
}

static long eeh_get_state(struct fixture *f)
{
	struct vfio_eeh_pe_op op = { .argsz = sizeof(op), .op = VFIO_EEH_PE_GET_STATE };

	return xioctl(f->ctx.container, VFIO_EEH_PE_OP, &op) < 0 ? -1 : 0;
}

/* v1 has no DDW: flags 0, whatever the caller passed in. */
static long get_info_v1_flags(struct fixture *f)
{
	struct vfio_iommu_spapr_tce_info i = { .argsz = sizeof(i), .flags = 0xdead };
	long ret = xioctl(f->ctx.container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &i);

	return ret ? ret : (long)i.flags;
}

/*
 * argsz past the 32-bit window but short of the whole DDW part: that part
 * is not written at all (returns how many of its bytes were).
 */
static long get_info_argsz_partial(struct fixture *f)
{
	const size_t v1 = offsetofend(struct vfio_iommu_spapr_tce_info, dma32_window_size);
	struct vfio_iommu_spapr_tce_info i;
	const unsigned char *p = (const unsigned char *)&i;
	long ret, written = 0;
	size_t k;

	memset(&i, 0xa5, sizeof(i));
	i.argsz = v1 + 8;
	ret = xioctl(f->ctx.container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &i);
	if (ret)
		return ret;
	for (k = v1; k < sizeof(i); k++)
		written += p[k] != 0xa5;
	return written;
}

/* Size 0 unmaps nothing: a page mapped at the same IOVA stays (ours: in debugfs). */
static long unmap_size_zero(struct fixture *f)
{
	long ret = do_map(f, sizeof(struct vfio_iommu_type1_dma_map), VFIO_DMA_MAP_FLAG_READ,
			  (uintptr_t)f->mem, f->win, 1UL << ps);

	if (ret)
		return 1000 + ret;
	ret = do_unmap(f, 0, f->win, 0);
	if (!ret && ours && window_used(f->win) != 1)
		ret = 1001;
	do_unmap(f, 0, f->win, 1UL << ps);
	return ret;
}

/* Size 0 maps nothing. */
static long map_size_zero(struct fixture *f)
{
	long ret = do_map(f, sizeof(struct vfio_iommu_type1_dma_map), VFIO_DMA_MAP_FLAG_READ,
			  (uintptr_t)f->mem, f->win, 0);

	if (!ret && ours && window_used(f->win) != 0)
		ret = 1001;
	return ret;
}

static long unmap_size_zero_outside(struct fixture *f)
{
	return do_unmap(f, 0, f->win + WINDOW, 0);
}

/*
 * One MAP_DMA over memory registered in two adjacent pieces, then both
 * pieces mapped indeed: unregistering either is refused while mapped
 * (ours; in-tree answers 0 there, so only the map and unmap are checked).
 */
static long map_across_registrations(struct fixture *f)
{
	__u64 half = REGION / 2, a = (uintptr_t)f->other;
	long ret;

	if (do_reg(f, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, 0, a, half) ||
	    do_reg(f, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, 0, a + half, half))
		return 1000;
	ret = do_map(f, sizeof(struct vfio_iommu_type1_dma_map), VFIO_DMA_MAP_FLAG_READ,
		     a, f->win, REGION);
	if (ret)
		return ret;
	if (ours && (do_reg(f, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, 0, a, half) != -EBUSY ||
		     do_reg(f, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, 0, a + half, half) != -EBUSY))
		return 1001;
	ret = do_unmap(f, 0, f->win, REGION);
	if (ret)
		return 2000 + ret;
	if (do_reg(f, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, 0, a, half) ||
	    do_reg(f, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, 0, a + half, half))
		return 1002;
	return 0;
}

/* A map over two pieces with a gap between them maps nothing. */
static void register_pieces(struct fixture *f)
{
	__u64 quarter = REGION / 4, a = (uintptr_t)f->other;

	CHECK(do_reg(f, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, 0, a, quarter) == 0 &&
	      do_reg(f, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, 0, a + 2 * quarter, quarter) == 0,
	      "prep: two pieces registered with a gap");
}

static long map_across_gap_registered(struct fixture *f)
{
	return do_map(f, sizeof(struct vfio_iommu_type1_dma_map), VFIO_DMA_MAP_FLAG_READ,
		      (uintptr_t)f->other, f->win, 3 * (REGION / 4));
}

/*
 * In the default window, made on the way by the call: memory not
 * registered.  Not at bus address 0: see map_fails_at_bus_0.
 */
static long map_not_registered_default(struct fixture *f)
{
	return do_map(f, sizeof(struct vfio_iommu_type1_dma_map), VFIO_DMA_MAP_FLAG_READ,
		      (uintptr_t)f->other, f->info.dma32_window_start + (1UL << 16), 1UL << 12);
}

static long map_fails_at_bus_0(struct fixture *f)
{
	return do_map(f, sizeof(struct vfio_iommu_type1_dma_map), VFIO_DMA_MAP_FLAG_READ,
		      (uintptr_t)f->other, 0, 1UL << 12);
}

static long unmap_outside_default(struct fixture *f)
{
	return do_unmap(f, 0, f->info.dma32_window_start + f->info.dma32_window_size, 1UL << 12);
}

static const struct tcase cases[] = {
	{ "get_info_argsz_small", get_info_argsz_small, NULL, -EINVAL, -EINVAL, NULL },
	{ "map_then_unmap", map_ok_unmap_ok, NULL, 0, 0, NULL },
	{ "map_argsz_small", map_argsz_small, NULL, -EINVAL, -EINVAL, NULL },
	{ "map_unknown_flag", map_unknown_flag, NULL, -EINVAL, -EINVAL, NULL },
	{ "map_no_access", map_no_access, NULL, -EINVAL, -EINVAL, NULL },
	{ "map_unaligned_iova", map_unaligned_iova, NULL, -EINVAL, 1,
	  "in-tree answers 1, which no ioctl should, to an IOVA not aligned to the IOMMU page" },
	{ "map_unaligned_size", map_unaligned_size, NULL, -EINVAL, -EINVAL, NULL },
	{ "map_outside_windows", map_outside_windows, NULL, -ENXIO, -ENXIO, NULL },
	{ "map_past_window_end", map_past_window_end, NULL, -ENXIO, NOT_RUN,
	  "in-tree checks only the first page of a range: it writes TCEs past the end of "
	  "its table (the testbed's kernel WARNs, then panics): not run there" },
	{ "map_not_registered", map_not_registered, NULL, -EFAULT, -EINVAL,
	  "memory not pre-registered: -EFAULT (ours), -EINVAL (in-tree)" },
	{ "map_over_mapping", map_over_mapping, NULL, -EBUSY, 0,
	  "in-tree silently replaces a mapping; ours refuses, nothing changes" },
	{ "unmap_unknown_flag", unmap_unknown_flag, NULL, -EINVAL, -EINVAL, NULL },
	{ "unmap_outside_windows", unmap_outside_windows, NULL, -ENXIO, -ENXIO, NULL },
	{ "unmap_never_mapped", unmap_never_mapped, NULL, 0, 0, NULL },
	{ "register_overlap", register_overlap, NULL, -EBUSY, -EBUSY, NULL },
	{ "register_inside", register_inside, NULL, -EBUSY, -EINVAL,
	  "in-tree pins and charges the range, then mm_iommu_new() finds the overlap; ours refuses first" },
	{ "register_unaligned", register_unaligned, NULL, -EINVAL, -EINVAL, NULL },
	{ "register_unknown_flag", register_unknown_flag, NULL, -EINVAL, -EINVAL, NULL },
	{ "register_wrapping", register_wrapping, NULL, -EINVAL, -EINVAL, NULL },
	{ "register_partly_mapped", register_partly_mapped, NULL, -EFAULT, 1,
	  "in-tree answers 1, the pages the kernel pinned before the hole "
	  "(mm_iommu_do_alloc()), where the range is not mapped" },
	{ "unregister_unknown", unregister_unknown, NULL, -ENOENT, -ENOENT, NULL },
	{ "unregister_while_mapped", unregister_while_mapped, NULL, -EBUSY, NOT_RUN,
	  "in-tree 6.1 returns 0, forgets the region, leaves it pinned and charged, "
	  "and the kernel WARNs in destroy_context at exit: not run there" },
	{ "create_page_size_not_offered", create_page_size_not_offered, remove_window, -EINVAL, -EINVAL, NULL },
	{ "create_not_power_of_two", create_not_power_of_two, remove_window, -EINVAL, -EINVAL, NULL },
	{ "create_zero_levels", create_zero_levels, remove_window, -EINVAL, -EINVAL, NULL },
	{ "create_too_many_levels", create_too_many_levels, remove_window, -EINVAL, -EINVAL, NULL },
	{ "create_unknown_flag", create_unknown_flag, remove_window, -EINVAL, -EINVAL, NULL },
	{ "create_third_window", create_third_window, NULL, -ENOSPC, -ENOSPC, NULL },
	{ "create_answer_unwritable", create_answer_unwritable, remove_window, -EFAULT, -EFAULT,
	  "in-tree keeps the window it made when it cannot write the answer", FIX_WINDOW, true },
	{ "create_answer_unwritable_default", create_answer_unwritable, NULL, -EFAULT, -EFAULT,
	  "in-tree keeps the default window it made on the way, and the new one",
	  FIX_PENDING, true },
	{ "remove_not_a_window", remove_not_a_window, NULL, -EINVAL, 0,
	  "in-tree removes the window holding the address; ours wants its start" },
	{ "remove_then_create_2_levels", remove_then_create, NULL, 0, 0, NULL },
	{ "enable_is_v1_only", enable_on_v2, NULL, -ENOTTY, -ENOTTY, NULL },
	{ "other_process_maps", other_process_maps, NULL, -EPERM, -EPERM, NULL },
	{ "eeh_get_state", eeh_get_state, NULL, 0, 0, NULL },
	{ "get_info_v1_flags", get_info_v1_flags, NULL, 0, NOT_RUN,
	  "in-tree refuses v1 containers on IODA2 PEs (vfio-intree-v2)", FIX_V1 },
	{ "get_info_argsz_partial", get_info_argsz_partial, NULL, 0, 0, NULL },
	{ "unmap_size_zero", unmap_size_zero, NULL, 0, 0, NULL },
	{ "map_size_zero", map_size_zero, NULL, 0, 0, NULL },
	{ "unmap_size_zero_outside", unmap_size_zero_outside, NULL, -ENXIO, -ENXIO, NULL },
	{ "map_across_registrations", map_across_registrations, NULL, 0, 0, NULL },
	{ "map_across_gap", map_across_gap_registered, register_pieces, -EFAULT, -EINVAL,
	  "memory not pre-registered: -EFAULT (ours), -EINVAL (in-tree)" },
	{ "map_not_registered_default", map_not_registered_default, NULL, -EFAULT, -EINVAL,
	  "-EFAULT (ours), -EINVAL (in-tree); in-tree keeps the default window the failed "
	  "call made", FIX_PENDING, true },
	{ "map_fails_at_bus_0", map_fails_at_bus_0, NULL, -EFAULT, NOT_RUN,
	  "in-tree undoes a map that failed on its first page by invalidating 0 TCEs from "
	  "the first: from entry 0 PHB3's kill loop runs practically forever (soft "
	  "lockup, measured): not run there", FIX_PENDING },
	{ "unmap_outside_default", unmap_outside_default, NULL, -ENXIO, -ENXIO,
	  "in-tree keeps the default window the failed call made", FIX_PENDING, true },
};

/*
 * Where the in-tree backend of Linux 6.12 answers otherwise than 6.1's,
 * by case name: its answer and what it leaves behind.
 */
static const struct {
	const char *name;
	long intree;
	const char *why;
	bool intree_changes;
} intree_612[] = {
	{ "get_info_v1_flags", 0, NULL, false },
};

static bool linux_612(void)
{
	struct utsname u;

	return !uname(&u) && !strncmp(u.release, "6.12.", 5);
}

static void run_case(const struct tcase *tc, int grp)
{
	struct tcase copy = *tc, *t = &copy;
	struct snapshot before, after;
	struct fixture f;
	bool same = true;
	unsigned int i;
	long want, got;

	for (i = 0; !ours && linux_612() && i < sizeof(intree_612) / sizeof(intree_612[0]); i++) {
		if (strcmp(intree_612[i].name, t->name))
			continue;
		t->intree = intree_612[i].intree;
		t->why = intree_612[i].why;
		t->intree_changes = intree_612[i].intree_changes;
	}
	want = ours ? t->ours : t->intree;

	if (want == NOT_RUN) {
		printf("ok %s: not run -- differs: %s\n", t->name, t->why);
		passed++;
		return;
	}
	setup(&f, grp, t->fix);
	if (t->prep)
		t->prep(&f);
	snap(&f, &before);
	got = t->run(&f);
	if (got < 0 && want < 0) {
		snap(&f, &after);
		same = !memcmp(&before.info, &after.info, sizeof(before.info)) &&
		       before.vmlck == after.vmlck && !strcmp(before.state, after.state);
		/* What in-tree leaves behind, documented, is checked too. */
		if (!ours && t->intree_changes)
			same = !same;
	}
	if (got == want && same) {
		passed++;
		printf("ok %s: %ld%s%s\n", t->name, got, t->why ? " -- differs: " : "",
		       t->why ? t->why : "");
	} else {
		failed++;
		printf("FAILED %s: got %ld, want %ld%s\n", t->name, got, want,
		       same ? "" : " (a failed call changed the container)");
	}
	teardown(&f);
}

int main(int argc, char **argv)
{
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 3 || (strcmp(argv[2], "spapr-tce-v2") && strcmp(argv[2], "in-tree"))) {
		fprintf(stderr, "usage: vfio_conformance GROUP spapr-tce-v2|in-tree\n");
		return 2;
	}
	ours = !strcmp(argv[2], "spapr-tce-v2");
	ps = __builtin_ctzl(sysconf(_SC_PAGESIZE));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if ((!getenv("DDW_CASE") || strstr(getenv("DDW_CASE"), cases[i].name)))
			run_case(&cases[i], atoi(argv[1]));
	printf("conformance: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
