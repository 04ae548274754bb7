// SPDX-License-Identifier: GPL-2.0-only
/*
 * The model of vfio_fuzz.  Each function follows the backend function it
 * names, check for check and in its order, since the first failing check
 * picks the errno.  Not modelled: ENOMEM (see FM_LEVEL_SHIFT_SURE for the
 * one the fuzz cannot avoid), KVM, other processes (-EPERM),
 * hugetlb memory (the fuzz registers none, so no IOMMU page larger than the
 * kernel's maps).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/vfio.h>

#include "fuzz_model.h"

#define WINDOW1_BUS	(1ULL << 59)	/* window.c: IODA2_WINDOW1_BUS_BASE */
#define DEFAULT_SHIFT	12		/* container.c: DEFAULT_WINDOW_PAGE_SHIFT */
#define offsetofend(t, m)	(offsetof(t, m) + sizeof(((t *)0)->m))

const char *const fm_op_name[FM_NR_OPS + 1] = {
	"GET_INFO", "MAP_DMA", "UNMAP_DMA", "REGISTER_MEMORY", "UNREGISTER_MEMORY",
	"TCE_CREATE", "TCE_REMOVE", "ENABLE", "DISABLE", "UNKNOWN",
};

/* tce_geometry.c: pnv_ddw_geometry_init(), ddw_geometry_init() */
int fm_geometry(const struct fm_caps *caps, uint32_t ps, uint64_t size,
		uint32_t levels, uint32_t *level_bits, uint32_t *level_shift,
		uint64_t *max_table_bytes)
{
	uint32_t maxl = caps->max_levels < 5 ? caps->max_levels : 5;
	uint32_t wshift, eshift, bits, l;

	if (ps >= 64 || !(caps->pgsizes & (1ULL << ps)))
		return -EINVAL;
	if (!levels || levels > maxl)
		return -EINVAL;
	if (!size || (size & (size - 1)) || !ps)
		return -EINVAL;
	wshift = __builtin_ctzll(size);
	if (wshift < ps + 9)
		return -EINVAL;
	eshift = wshift - ps;
	bits = (eshift + levels - 1) / levels;
	if (bits < 9)
		bits = 9;
	if (bits * levels + ps > 54)
		return -EINVAL;
	*level_bits = bits;
	*level_shift = bits + 3;
	if (bits + 3 >= FM_LEVEL_SHIFT_E2BIG)
		return -E2BIG;
	/* Levels at depth l of a full table: ddw_tables_at_level(). */
	*max_table_bytes = 0;
	for (l = 0; l < levels; l++) {
		uint32_t shift = bits * (levels - l);

		*max_table_bytes += (shift >= eshift ? 1 : 1ULL << (eshift - shift)) << (bits + 3);
	}
	return 0;
}

void fm_init(struct fm *m, bool v2, int group, unsigned int page_shift,
	     const struct fm_caps *caps, const struct fm_range *mem, int nmem,
	     const struct fm_range *ro, int nro)
{
	memset(m, 0, sizeof(*m));
	m->v2 = v2;
	m->group = group;
	m->page_shift = page_shift;
	m->caps = *caps;
	m->mem = mem;
	m->nmem = nmem;
	m->ro = ro;
	m->nro = nro;
	/* container.c: ddw_container_attach() of the first group */
	m->pending = true;
}

static void window_free(struct fm_window *w)
{
	free(w->ext);
	free(w->lvl);
	memset(w, 0, sizeof(*w));
}

void fm_free(struct fm *m)
{
	window_free(&m->win[0]);
	window_free(&m->win[1]);
}

uint32_t fm_min_argsz(enum fm_op op)
{
	switch (op) {
	case FM_GET_INFO:
		return offsetofend(struct vfio_iommu_spapr_tce_info, dma32_window_size);
	case FM_MAP:
		return offsetofend(struct vfio_iommu_type1_dma_map, size);
	case FM_UNMAP:
		return offsetofend(struct vfio_iommu_type1_dma_unmap, size);
	case FM_REGISTER:
	case FM_UNREGISTER:
		return offsetofend(struct vfio_iommu_spapr_register_memory, size);
	case FM_CREATE:
		return offsetofend(struct vfio_iommu_spapr_tce_create, start_addr);
	case FM_REMOVE:
		return offsetofend(struct vfio_iommu_spapr_tce_remove, start_addr);
	default:
		return 0;
	}
}

size_t fm_arg_size(enum fm_op op)
{
	switch (op) {
	case FM_GET_INFO:
		return sizeof(struct vfio_iommu_spapr_tce_info);
	case FM_MAP:
		return sizeof(struct vfio_iommu_type1_dma_map);
	case FM_UNMAP:
		return sizeof(struct vfio_iommu_type1_dma_unmap);
	case FM_REGISTER:
	case FM_UNREGISTER:
		return sizeof(struct vfio_iommu_spapr_register_memory);
	case FM_CREATE:
		return sizeof(struct vfio_iommu_spapr_tce_create);
	case FM_REMOVE:
		return sizeof(struct vfio_iommu_spapr_tce_remove);
	case FM_UNKNOWN:
		return 16;
	default:
		return 0;
	}
}

/* Is [start, start + size) inside one of the @n ranges @r? */
static bool in_ranges(const struct fm_range *r, int n, uint64_t start, uint64_t size)
{
	int i;

	for (i = 0; i < n; i++)
		if (start >= r[i].start && size <= r[i].size && start - r[i].start <= r[i].size - size)
			return true;
	return false;
}

/* --- a window's entries, as extents; the levels they needed ---------- */

static void *grow(void *p, size_t *cap, size_t want, size_t elem)
{
	if (want <= *cap)
		return p;
	*cap = *cap ? 2 * *cap : 64;
	p = realloc(p, *cap * elem);
	if (!p) {
		perror("fuzz_model");
		exit(2);
	}
	return p;
}

static void ext_push(struct fm_window *w, uint64_t idx, uint64_t n, uint64_t ua)
{
	w->ext = grow(w->ext, &w->ext_cap, w->next + 1, sizeof(*w->ext));
	w->ext[w->next++] = (struct fm_ext){ idx, n, ua };
}

static bool ext_busy(const struct fm_window *w, uint64_t idx, uint64_t n)
{
	size_t i;

	for (i = 0; i < w->next; i++)
		if (w->ext[i].idx < idx + n && idx < w->ext[i].idx + w->ext[i].n)
			return true;
	return false;
}

/* tce_table.c: ddw_table_slot() allocates each missing level on the way. */
static void ext_add(struct fm_window *w, uint64_t idx, uint64_t n, uint64_t ua)
{
	uint32_t d;
	uint64_t id;
	size_t i;

	ext_push(w, idx, n, ua);
	for (d = 1; d < w->levels; d++) {
		uint32_t s = w->level_bits * (w->levels - d);

		for (id = idx >> s; id <= (idx + n - 1) >> s; id++) {
			uint64_t key = (uint64_t)d << 56 | id;

			for (i = 0; i < w->nlvl && w->lvl[i] != key; i++)
				;
			if (i < w->nlvl)
				continue;
			w->lvl = grow(w->lvl, &w->lvl_cap, w->nlvl + 1, sizeof(*w->lvl));
			w->lvl[w->nlvl++] = key;
		}
	}
}

/* Unmapping keeps the levels (pnv_ddw_tce_unmap()). */
static void ext_cut(struct fm_window *w, uint64_t idx, uint64_t n)
{
	uint64_t end = idx + n;
	size_t i = 0;

	while (i < w->next) {
		struct fm_ext e = w->ext[i];

		if (e.idx + e.n <= idx || e.idx >= end) {
			i++;
			continue;
		}
		if (e.idx + e.n > end)
			ext_push(w, end, e.idx + e.n - end,
				 e.ua + ((end - e.idx) << w->page_shift));
		if (e.idx < idx) {
			w->ext[i++].n = idx - e.idx;
			continue;
		}
		w->ext[i] = w->ext[--w->next];
	}
}

static uint64_t ext_entries(const struct fm_window *w)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < w->next; i++)
		n += w->ext[i].n;
	return n;
}

/* tce_table.c: pnv_ddw_table_user_entries(): shadow addresses in [lo, hi). */
static uint64_t ext_user_entries(const struct fm_window *w, uint64_t lo, uint64_t hi)
{
	uint64_t n = 0, s = 1ULL << w->page_shift, kmin, kmax;
	size_t i;

	for (i = 0; i < w->next; i++) {
		const struct fm_ext *e = &w->ext[i];

		kmin = e->ua >= lo ? 0 : (lo - e->ua + s - 1) >> w->page_shift;
		kmax = e->ua >= hi ? 0 : (hi - e->ua + s - 1) >> w->page_shift;
		if (kmax > e->n)
			kmax = e->n;
		n += kmax > kmin ? kmax - kmin : 0;
	}
	return n;
}

/* --- container.c ------------------------------------------------------ */

/* window_create() with pnv_ddw_table_create()'s checks */
static int window_create(struct fm *m, int num, uint32_t ps, uint64_t size, uint32_t levels)
{
	struct fm_window *w = &m->win[num];
	uint32_t bits, lshift;
	uint64_t bytes, bus;
	int ret;

	ret = fm_geometry(&m->caps, ps, size, levels, &bits, &lshift, &bytes);
	if (ret)
		return ret;
	bus = num ? WINDOW1_BUS : m->caps.tce32_start;
	if ((bus & (size - 1)) || (!num && bus + size > WINDOW1_BUS))
		return -EINVAL;
	window_free(w);
	w->used = true;
	w->bus = bus;
	w->size = size;
	w->page_shift = ps;
	w->levels = levels;
	w->level_bits = bits;
	/* table_pages(): the table, and for v2 its shadow */
	w->table_pages = (m->v2 ? 2 : 1) *
			 ((bytes + (1ULL << m->page_shift) - 1) >> m->page_shift);
	return 0;
}

void fm_default_window(const struct fm *m, uint64_t *bus, uint64_t *size, uint32_t *shift)
{
	*bus = m->caps.tce32_start;
	*size = m->caps.tce32_size;
	*shift = DEFAULT_SHIFT;
}

/* ddw_default_window_ensure() */
static int default_ensure(struct fm *m)
{
	int ret;

	if (!m->pending)
		return 0;
	ret = window_create(m, 0, DEFAULT_SHIFT, m->caps.tce32_size, 1);
	if (!ret) {
		m->pending = false;
		m->made_default = true;
	}
	return ret;
}

/* ddw_window_find() */
static struct fm_window *window_find(struct fm *m, uint64_t iova, uint64_t size)
{
	int i;

	for (i = 0; i < 2; i++) {
		struct fm_window *w = &m->win[i];

		if (w->used && iova >= w->bus && size <= w->size && iova - w->bus <= w->size - size)
			return w;
	}
	return NULL;
}

/* prereg.c: ddw_prereg_find() */
static const struct fm_range *reg_find(const struct fm *m, uint64_t ua, uint64_t size)
{
	int i;

	for (i = 0; i < m->nreg; i++)
		if (ua >= m->reg[i].start && size <= m->reg[i].size &&
		    ua - m->reg[i].start <= m->reg[i].size - size)
			return &m->reg[i];
	return NULL;
}

/* ioctl.c: ddw_map_dma(); dma_map.c: ddw_map(), map_prereg(), map_pin() */
static long do_map(struct fm *m, const struct fm_call *c)
{
	uint64_t vaddr = c->a, iova = c->b, size = c->c, idx, n, i, run;
	struct fm_window *w;
	uint32_t ps;
	long ret;

	if (!m->v2 && !m->enabled)
		return -EPERM;
	if (c->flags != VFIO_DMA_MAP_FLAG_READ && c->flags != VFIO_DMA_MAP_FLAG_WRITE &&
	    c->flags != (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE))
		return -EINVAL;
	ret = default_ensure(m);
	if (ret)
		return ret;
	w = window_find(m, iova, size ? size : 1);
	if (!w)
		return -ENXIO;
	ps = w->page_shift;
	if ((iova | vaddr | size) & ((1ULL << ps) - 1))
		return -EINVAL;
	idx = (iova - w->bus) >> ps;
	n = size >> ps;
	if (!n)
		return 0;
	if (m->v2) {
		/*
		 * Translations first: each IOMMU page inside one registration,
		 * no larger than the region's pages (mm_iommu_ua_to_hpa():
		 * the kernel's page, without hugetlb).
		 */
		for (i = 0; i < n; i += run) {
			uint64_t ua = vaddr + (i << ps);
			const struct fm_range *p = reg_find(m, ua, 1ULL << ps);

			if (!p || ps > m->page_shift)
				return -EFAULT;
			run = (p->start + p->size - ua) >> ps;
			run = run < n - i ? run : n - i;
		}
		if (ext_busy(w, idx, n))
			return -EBUSY;
	} else {
		if (ext_busy(w, idx, n))
			return -EBUSY;
		/*
		 * Each entry pins the kernel page under it, for writing unless
		 * the device only reads (map_pin()): a read-only page only so.
		 */
		for (i = 0; i < n; i++) {
			uint64_t pg = (vaddr + (i << ps)) & ~((1ULL << m->page_shift) - 1);

			if (!in_ranges(m->mem, m->nmem, pg, 1ULL << m->page_shift) &&
			    (c->flags != VFIO_DMA_MAP_FLAG_READ ||
			     !in_ranges(m->ro, m->nro, pg, 1ULL << m->page_shift)))
				return -EFAULT;
		}
	}
	ext_add(w, idx, n, vaddr);
	return 0;
}

/* ioctl.c: ddw_unmap_dma(); dma_map.c: ddw_unmap() */
static long do_unmap(struct fm *m, const struct fm_call *c)
{
	uint64_t iova = c->a, size = c->b;
	struct fm_window *w;
	long ret;

	if (!m->v2 && !m->enabled)
		return -EPERM;
	if (c->flags)
		return -EINVAL;
	ret = default_ensure(m);
	if (ret)
		return ret;
	w = window_find(m, iova, size ? size : 1);
	if (!w)
		return -ENXIO;
	if ((iova | size) & ((1ULL << w->page_shift) - 1))
		return -EINVAL;
	ext_cut(w, (iova - w->bus) >> w->page_shift, size >> w->page_shift);
	return 0;
}

/* prereg.c: ddw_prereg_add(), with mm_iommu_new() */
static long do_register(struct fm *m, const struct fm_call *c)
{
	uint64_t vaddr = c->a, size = c->b, pmask = (1ULL << m->page_shift) - 1;
	int i;

	if (c->flags)
		return -EINVAL;
	if (!size || (vaddr & pmask) || (size & pmask) || vaddr + size < vaddr)
		return -EINVAL;
	for (i = 0; i < m->nreg; i++)
		if (vaddr < m->reg[i].start + m->reg[i].size && m->reg[i].start < vaddr + size)
			return -EBUSY;
	/*
	 * mm_iommu_new() pins every page for writing: -EFAULT unless the
	 * whole range is mapped read-write (read-only memory is refused as
	 * a hole is).  A range whose start is mapped and the rest not gets
	 * the pages pin_user_pages() did pin from mm_iommu_do_alloc(), a
	 * positive count ddw_prereg_add() turns into -EFAULT.
	 */
	if (!in_ranges(m->mem, m->nmem, vaddr, size))
		return -EFAULT;
	if (m->nreg == FM_MAX_REG)
		return -ENOSPC;		/* the fuzz registers no more */
	m->reg[m->nreg++] = (struct fm_range){ vaddr, size };
	return 0;
}

static uint64_t reg_mapped(const struct fm *m, const struct fm_range *r)
{
	return ext_user_entries(&m->win[0], r->start, r->start + r->size) +
	       ext_user_entries(&m->win[1], r->start, r->start + r->size);
}

/* prereg.c: ddw_prereg_remove() */
static long do_unregister(struct fm *m, const struct fm_call *c)
{
	uint64_t pmask = (1ULL << m->page_shift) - 1;
	int i;

	if (c->flags)
		return -EINVAL;
	if ((c->a & pmask) || (c->b & pmask))
		return -EINVAL;
	for (i = 0; i < m->nreg; i++)
		if (m->reg[i].start == c->a && m->reg[i].size == c->b)
			break;
	if (i == m->nreg)
		return -ENOENT;
	if (reg_mapped(m, &m->reg[i]))
		return -EBUSY;
	memmove(&m->reg[i], &m->reg[i + 1], (m->nreg - i - 1) * sizeof(m->reg[0]));
	m->nreg--;
	return 0;
}

/* ioctl.c: ddw_create(); container.c: ddw_window_create() */
static long do_create(struct fm *m, const struct fm_call *c, uint64_t *start)
{
	uint32_t nwin = m->caps.max_windows < 2 ? m->caps.max_windows : 2, num;
	long ret;

	if (c->flags)
		return -EINVAL;
	ret = default_ensure(m);
	if (ret)
		return ret;
	for (num = 0; num < nwin && m->win[num].used; num++)
		;
	if (num == nwin)
		return -ENOSPC;
	ret = window_create(m, num, (uint32_t)c->a, c->b, (uint32_t)c->c);
	if (ret)
		return ret;
	*start = m->win[num].bus;
	/* ddw_create_undo() when the answer cannot be written */
	if (c->answer_ro) {
		window_free(&m->win[num]);
		return -EFAULT;
	}
	return 0;
}

/* container.c: ddw_window_remove() */
static long do_remove(struct fm *m, const struct fm_call *c)
{
	int i;

	if (c->flags)
		return -EINVAL;
	if (m->pending && c->a == m->caps.tce32_start) {
		m->pending = false;
		return 0;
	}
	for (i = 0; i < 2; i++)
		if (m->win[i].used && m->win[i].bus == c->a) {
			window_free(&m->win[i]);
			return 0;
		}
	return -EINVAL;
}

/* container.c: ddw_container_enable(), ddw_container_disable() */
static long do_enable(struct fm *m)
{
	uint64_t pages = m->caps.tce32_size >> DEFAULT_SHIFT;

	if (m->enabled)
		return -EBUSY;
	if (!pages)
		return -EPERM;
	m->enabled = true;
	m->enabled_pages = pages;
	return 0;
}

static long do_disable(struct fm *m)
{
	if (!m->enabled)
		return 0;
	if (m->win[0].used && ext_entries(&m->win[0]))
		return -EBUSY;
	m->enabled = false;
	m->enabled_pages = 0;
	return 0;
}

/* ioctl.c: ddw_ioctl() */
long fm_apply(struct fm *m, const struct fm_call *c, uint64_t *start)
{
	bool v1_only = c->op == FM_ENABLE || c->op == FM_DISABLE;
	bool was_pending = m->pending;
	long ret = 0;

	m->made_default = false;
	if (c->op == FM_UNKNOWN || (m->v2 ? v1_only : (!v1_only && c->op >= FM_REGISTER)))
		return -ENOTTY;
	/* Before the lock: not counted. */
	if (fm_min_argsz(c->op) && c->arg_null)
		return -EFAULT;
	if (c->argsz < fm_min_argsz(c->op))
		return -EINVAL;
	switch (c->op) {
	case FM_GET_INFO:
		ret = c->answer_ro ? -EFAULT : 0;
		break;
	case FM_MAP:
		ret = do_map(m, c);
		break;
	case FM_UNMAP:
		ret = do_unmap(m, c);
		break;
	case FM_REGISTER:
		ret = do_register(m, c);
		break;
	case FM_UNREGISTER:
		ret = do_unregister(m, c);
		break;
	case FM_CREATE:
		ret = do_create(m, c, start);
		break;
	case FM_REMOVE:
		ret = do_remove(m, c);
		break;
	case FM_ENABLE:
		ret = do_enable(m);
		break;
	default:
		ret = do_disable(m);
		break;
	}
	/* A failed ioctl takes back the default window it made. */
	if (ret && was_pending && !m->pending) {
		window_free(&m->win[0]);
		m->pending = true;
	}
	if (ret)
		m->calls_failed[c->op]++;
	else
		m->calls_ok[c->op]++;
	return ret;
}

uint64_t fm_locked_pages(const struct fm *m)
{
	uint64_t pages = m->enabled_pages;
	int i;

	for (i = 0; i < m->nreg; i++)
		pages += m->reg[i].size >> m->page_shift;
	for (i = 0; i < 2; i++)
		pages += m->win[i].used ? m->win[i].table_pages : 0;
	return pages;
}

int fm_windows(const struct fm *m)
{
	return m->win[0].used + m->win[1].used;
}

long fm_levels(const struct fm *m)
{
	long n = 0;
	int i;

	for (i = 0; i < 2; i++)
		if (m->win[i].used)
			n += (m->v2 ? 2 : 1) * (1 + (long)m->win[i].nlvl);
	return n;
}

/* debugfs.c: state_show() */
void fm_render(const struct fm *m, char *buf, size_t size)
{
	uint64_t prereg_bytes = 0, used = 0, tables = 0;
	size_t n = 0;
	int i;

#define OUT(...)	(n += snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__))
	OUT("type: %s\n", m->v2 ? "VFIO_SPAPR_TCE_v2_IOMMU" : "VFIO_SPAPR_TCE_IOMMU");
	OUT("groups: %d\ndefault_window_pending: %d\n", m->group, m->pending);
	for (i = 0; i < 2; i++) {
		const struct fm_window *w = &m->win[i];
		uint64_t e = ext_entries(w), bytes = (1 + (uint64_t)w->nlvl) << (w->level_bits + 3);

		if (!w->used)
			continue;
		used += e;
		tables += w->table_pages;
		OUT("window %d: bus 0x%llx size 0x%llx page_shift %u levels %u entries_used %llu table_bytes %llu shadow_bytes %llu\n",
		    i, (unsigned long long)w->bus, (unsigned long long)w->size, w->page_shift,
		    w->levels, (unsigned long long)e, (unsigned long long)bytes,
		    (unsigned long long)(m->v2 ? bytes : 0));
	}
	for (i = 0; i < m->nreg; i++) {
		OUT("prereg: vaddr 0x%llx size 0x%llx mapped %llu\n",
		    (unsigned long long)m->reg[i].start, (unsigned long long)m->reg[i].size,
		    (unsigned long long)reg_mapped(m, &m->reg[i]));
		prereg_bytes += m->reg[i].size;
	}
	OUT("prereg_bytes: %llu\nlocked_vm_tables_pages: %llu\n",
	    (unsigned long long)prereg_bytes, (unsigned long long)tables);
	if (!m->v2)
		OUT("enabled: %d\nlocked_vm_enable_pages: %llu\npinned_pages: %llu\n",
		    m->enabled, (unsigned long long)m->enabled_pages, (unsigned long long)used);
	OUT("calls (ok/failed):");
	for (i = 0; i < FM_NR_OPS; i++)
		OUT(" %s %llu/%llu", fm_op_name[i], (unsigned long long)m->calls_ok[i],
		    (unsigned long long)m->calls_failed[i]);
	OUT("\n");
#undef OUT
}
