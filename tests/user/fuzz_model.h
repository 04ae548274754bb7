/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A model of one spapr-tce-v2 container (spapr_tce_ddw), for vfio_fuzz:
 * what each ioctl must answer and the state it must leave, derived from
 * spapr_tce_ddw/{ioctl,container,dma_map,prereg,debugfs}.c and
 * pnv_ioda2_ddw/{tce_geometry,window,tce_table}.c.
 */
#ifndef SPAPR_DDW_TEST_FUZZ_MODEL_H
#define SPAPR_DDW_TEST_FUZZ_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ioctl.c's table, in its order: debugfs counts the calls so. */
enum fm_op {
	FM_GET_INFO, FM_MAP, FM_UNMAP, FM_REGISTER, FM_UNREGISTER,
	FM_CREATE, FM_REMOVE, FM_ENABLE, FM_DISABLE,
	FM_NR_OPS,
	FM_UNKNOWN = FM_NR_OPS,	/* an ioctl number nobody serves */
};

extern const char *const fm_op_name[FM_NR_OPS + 1];

/*
 * One call.  a, b, c: MAP vaddr, iova, size; UNMAP iova, size; (UN)REGISTER
 * vaddr, size; CREATE page_shift, window_size, levels; REMOVE start_addr.
 */
struct fm_call {
	enum fm_op op;
	uint32_t argsz, flags;
	uint64_t a, b, c;
	uint32_t resv;		/* CREATE: __resv1/__resv2, which nobody reads */
	bool answer_ro;		/* GET_INFO, CREATE: the answer cannot be written */
	bool arg_null;		/* the argument is at address 0 */
};

/* GET_INFO's answer; pgsizes etc. only for v2. */
struct fm_caps {
	uint64_t tce32_start, tce32_size, pgsizes;
	uint32_t max_windows, max_levels;
};

struct fm_range {
	uint64_t start, size;
};

/* Entries [idx, idx + n) map user addresses from ua (v1: pins, ua unused). */
struct fm_ext {
	uint64_t idx, n, ua;
};

struct fm_window {
	bool used;
	uint64_t bus, size;
	uint32_t page_shift, levels, level_bits;
	uint64_t table_pages;	/* charged to locked_vm */
	struct fm_ext *ext;
	size_t next, ext_cap;
	/* Levels below the top that exist: depth << 56 | which one. */
	uint64_t *lvl;
	size_t nlvl, lvl_cap;
};

#define FM_MAX_REG	64

struct fm {
	bool v2;
	int group;
	unsigned int page_shift;	/* the kernel's */
	struct fm_caps caps;
	bool pending;			/* default_window_pending */
	bool enabled;			/* v1 */
	uint64_t enabled_pages;
	struct fm_window win[2];
	struct fm_range reg[FM_MAX_REG];	/* registration order */
	int nreg;
	/* Memory the process has mapped read-write, read-only; the rest is not mapped. */
	const struct fm_range *mem, *ro;
	int nmem, nro;
	uint64_t calls_ok[FM_NR_OPS], calls_failed[FM_NR_OPS];
	bool made_default;		/* the last call made the default window */
};

/*
 * The largest level the page allocator surely gives (2 MiB: any supported
 * kernel), and the smallest it surely does not (1 GiB: MAX_PAGE_ORDER is
 * 8..12 on the supported kernels); between, the answer depends on the
 * kernel's configuration and on fragmentation, and the fuzz creates no
 * such window.  Except one: the default window is one level of 8 bytes per
 * 4K page of the PE's 32-bit window (4 MiB for a 2 GiB one, and as much
 * again for v2's shadow).  SET_IOMMU only marks it pending; the first
 * MAP_DMA, UNMAP_DMA or TCE_CREATE makes it, and makes it again after each
 * of them that failed and took it back.  Its -ENOMEM is no answer the model
 * can give: fm_apply() sets made_default when the call made it, and
 * vfio_fuzz then counts no mismatch but reopens the container, the model
 * starting over.
 */
#define FM_LEVEL_SHIFT_SURE	21
#define FM_LEVEL_SHIFT_E2BIG	30

/*
 * As pnv_ddw_geometry_init(): 0, -EINVAL or -E2BIG (a level of at least
 * 2^FM_LEVEL_SHIFT_E2BIG); *level_shift is log2 of a level's bytes.
 */
int fm_geometry(const struct fm_caps *caps, uint32_t page_shift, uint64_t size,
		uint32_t levels, uint32_t *level_bits, uint32_t *level_shift,
		uint64_t *max_table_bytes);

void fm_init(struct fm *m, bool v2, int group, unsigned int page_shift,
	     const struct fm_caps *caps, const struct fm_range *mem, int nmem,
	     const struct fm_range *ro, int nro);
void fm_free(struct fm *m);
/* The smallest argsz the ioctl takes; 0: it takes no argument. */
uint32_t fm_min_argsz(enum fm_op op);
/* Its argument's size, <linux/vfio.h>'s struct. */
size_t fm_arg_size(enum fm_op op);
/*
 * Run @c on the model: returns what the backend must answer and leaves the
 * model in the state the backend must be in.  *@start: CREATE's answer.
 */
long fm_apply(struct fm *m, const struct fm_call *c, uint64_t *start);
/* The pending default window, as it will be made. */
void fm_default_window(const struct fm *m, uint64_t *bus, uint64_t *size, uint32_t *shift);
/* Pages charged to locked_vm: registrations, tables, v1's ENABLE. */
uint64_t fm_locked_pages(const struct fm *m);
int fm_windows(const struct fm *m);
/* TCE table levels allocated (hardware and shadow), as levels_live counts. */
long fm_levels(const struct fm *m);
/* The container's debugfs state file, calls line included. */
void fm_render(const struct fm *m, char *buf, size_t size);

#endif
