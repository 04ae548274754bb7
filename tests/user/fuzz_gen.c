// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_fuzz's calls: good and bad arguments aimed at the model's state
 * (its windows, the pending default one, its registrations) and at the
 * memory pool, so that calls collide, cross ends and edges; junk besides.
 * Every choice comes from the seed.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "common.h"
#include "fuzz_gen.h"

/*
 * The pool: FUZZ_POOL regions of 64 KiB..2 MiB, read-write, and after
 * them FUZZ_POOL_RO of RO_SIZE, read-only, between holes of HOLE bytes kept
 * PROT_NONE (nothing else can be mapped there).  Registrations are in
 * CHUNKs, so that there are at most 63 of them: each costs debugfs a walk
 * of every window's shadow.
 */
#define CHUNK		(64ULL << 10)
#define HOLE		CHUNK
#define RO_SIZE		(2 * CHUNK)

static const struct fm *fm;
static struct fm_range pool[FUZZ_POOL + FUZZ_POOL_RO];
static long page;

/* splitmix64: small, fast, and the whole sequence follows from the seed. */
static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool pct(unsigned int p)
{
	return below(100) < p;
}

const struct fm_range *fuzz_pool(void)
{
	uint64_t total = HOLE, at;
	unsigned char *area;
	int i;

	if (pool[0].size)
		return pool;
	page = sysconf(_SC_PAGESIZE);
	for (i = 0; i < FUZZ_POOL + FUZZ_POOL_RO; i++)
		total += (i < FUZZ_POOL ? CHUNK << i : RO_SIZE) + HOLE;
	/* Aligned to 2 MiB: each region's start to 64 KiB IOMMU pages. */
	area = mmap(NULL, total + (2 << 20), PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(area != MAP_FAILED, "reserve %llu KiB", (unsigned long long)total >> 10);
	at = ((uintptr_t)area + (2 << 20) - 1) & ~((2ULL << 20) - 1);
	for (i = 0; i < FUZZ_POOL + FUZZ_POOL_RO; i++) {
		at += HOLE;
		pool[i] = (struct fm_range){ at, i < FUZZ_POOL ? CHUNK << i : RO_SIZE };
		CHECK(!mprotect((void *)(uintptr_t)at, pool[i].size, PROT_READ | PROT_WRITE),
		      "pool region %d", i);
		/* Pages of their own, not the zero page: written before made read-only. */
		memset((void *)(uintptr_t)at, i + 1, pool[i].size);
		if (i >= FUZZ_POOL)
			CHECK(!mprotect((void *)(uintptr_t)at, pool[i].size, PROT_READ),
			      "pool region %d read-only", i);
		at += pool[i].size;
	}
	return pool;
}

void fuzz_gen_init(uint64_t seed, const struct fm *m)
{
	rng = seed;
	fm = m;
}

/* A window to aim at: one of the container's, the pending default, or none. */
struct target {
	uint64_t bus, size;
	uint32_t ps;
};

static struct target pick_window(void)
{
	struct target t[3];
	int n = 0, i;

	for (i = 0; i < 2; i++)
		if (fm->win[i].used)
			t[n++] = (struct target){ fm->win[i].bus, fm->win[i].size,
						  fm->win[i].page_shift };
	if (fm->pending) {
		fm_default_window(fm, &t[n].bus, &t[n].size, &t[n].ps);
		n++;
	}
	if (!n || pct(5))
		return (struct target){ rnd() & ~0xffffULL, 1ULL << (20 + below(12)),
					12 + 4 * below(2) };
	return t[below(n)];
}

/* Near the start or the end (where maps collide and cross it), anywhere. */
static uint64_t pick_iova(const struct target *t, uint64_t n)
{
	uint64_t s = 1ULL << t->ps, entries = t->size >> t->ps;
	int64_t off;

	switch (below(20)) {
	case 0 ... 10:
		return t->bus + below(64) * s;
	case 11 ... 14:
		off = (int64_t)entries - (int64_t)n + (int64_t)below(5) - 2;
		return t->bus + (off < 0 ? below(4) : (uint64_t)off) * s;
	case 15 ... 17:
		return t->bus + below(entries) * s;
	case 18:
		return t->bus + below(64) * s + 1 + below(s - 1);	/* unaligned */
	default:
		return rnd();
	}
}

/* Memory that is surely not mapped: a hole, kernel space, page 0. */
static uint64_t unmapped(void)
{
	switch (below(3)) {
	case 0:
		return pool[below(FUZZ_POOL)].start - HOLE;
	case 1:
		return 1ULL << 63 | (rnd() & ~0xffffULL);
	default:
		return 0;
	}
}

/* [*va, *va + *len) in @r, in pages of 2^ps, at most 512 of them. */
static void sub_range(const struct fm_range *r, uint32_t ps, uint64_t *va, uint64_t *len)
{
	uint64_t units = r->size >> ps, k = below(units), n;

	if (!units) {
		*va = r->start;
		*len = 1ULL << ps;
		return;
	}
	n = units - k < 512 ? units - k : 512;
	*va = r->start + (k << ps);
	*len = (1 + below(n)) << ps;
}

/* What MAP_DMA maps: registered memory (v1: the pool), across two, or not. */
static void pick_memory(uint32_t ps, uint64_t *va, uint64_t *len)
{
	int tries;

	switch (below(8)) {
	case 0: case 1: case 2: case 3:
		if (fm->v2 && fm->nreg) {
			sub_range(&fm->reg[below(fm->nreg)], ps, va, len);
			return;
		}
		break;
	case 4:		/* the end of one registration and the start of the next */
		for (tries = 0; tries < 8 && fm->nreg; tries++) {
			const struct fm_range *a = &fm->reg[below(fm->nreg)], *b;

			for (b = fm->reg; b < fm->reg + fm->nreg; b++)
				if (b->start == a->start + a->size) {
					*va = b->start - ((1 + below(a->size >> ps)) << ps);
					*len = b->start - *va + ((1 + below(b->size >> ps)) << ps);
					return;
				}
		}
		break;
	case 5:
		*va = unmapped();
		*len = (1 + below(4)) << ps;
		return;
	case 6:
		*va = rnd();
		*len = (1 + below(4)) << ps;
		return;
	case 7:		/* read-only: v1 maps it for a device that only reads */
		sub_range(&pool[FUZZ_POOL + below(FUZZ_POOL_RO)], ps, va, len);
		return;
	}
	sub_range(&pool[below(FUZZ_POOL)], ps, va, len);
}

static void gen_map(struct fm_call *c)
{
	static const uint32_t good_flags[] = { VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE,
					       VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE };
	struct target t = pick_window();
	uint64_t s = 1ULL << t.ps;

	c->flags = good_flags[below(3)];
	if (pct(8))	/* none, or an unknown one */
		c->flags = pct(30) ? 0 : c->flags | 1U << (2 + below(30));
	pick_memory(t.ps, &c->a, &c->c);
	if (pct(8))
		c->c = 0;
	else if (pct(4))
		c->c += 1 + below(s - 1);
	else if (pct(3))
		c->c = t.size;
	c->b = pick_iova(&t, c->c >> t.ps);
}

static void gen_unmap(struct fm_call *c)
{
	struct target t = pick_window();
	uint64_t s = 1ULL << t.ps, n;

	if (pct(4))
		c->flags = 1U << below(32);
	if (pct(10)) {
		c->a = t.bus;
		c->b = t.size;
		return;
	}
	n = pct(10) ? 0 : 1 + below(pct(50) ? 8 : 512);
	c->b = n * s + (pct(4) ? 1 + below(s - 1) : 0);
	c->a = pick_iova(&t, n);
}

static void gen_register(struct fm_call *c)
{
	const struct fm_range *p = &pool[below(FUZZ_POOL)];
	uint64_t chunks = p->size / CHUNK, k = below(chunks);
	const struct fm_range *r = fm->nreg ? &fm->reg[below(fm->nreg)] : p;

	c->a = p->start + k * CHUNK;
	c->b = (1 + below(chunks - k)) * CHUNK;
	switch (below(32)) {
	case 0: case 1: case 2:
		c->a = p->start;
		c->b = p->size;
		break;
	case 3: case 4: case 5:		/* over a registration, or beside it */
		c->a = r->start + below(3) * CHUNK - CHUNK;
		c->b = r->size;
		break;
	case 6:				/* mapped, then the hole after */
		c->a = p->start + p->size - CHUNK;
		c->b = 2 * CHUNK;
		break;
	case 7:				/* starting in the hole before */
		c->a = p->start - HOLE;
		c->b = (1 + below(2)) * CHUNK;
		break;
	case 8:
		c->a += page / 2;
		break;
	case 9:
		c->b = pct(50) ? 0 : c->b + page / 2;
		break;
	case 10:			/* wraps past the end of the address space */
		c->a = -(uint64_t)page;
		c->b = 2 * page;
		break;
	case 11:
		c->flags = 1U << below(32);
		break;
	case 12:			/* read-only: it pins for writing */
		p = &pool[FUZZ_POOL + below(FUZZ_POOL_RO)];
		c->a = p->start;
		c->b = p->size;
		break;
	}
}

static void gen_unregister(struct fm_call *c)
{
	const struct fm_range *p = &pool[below(FUZZ_POOL)];

	if (!fm->nreg || pct(15)) {
		c->a = p->start;
		c->b = p->size;
		return;
	}
	p = &fm->reg[below(fm->nreg)];
	c->a = p->start;
	c->b = p->size;
	if (pct(8))
		c->b += CHUNK;
	else if (pct(8))
		c->b = CHUNK;
	else if (pct(4))
		c->a += page / 2;
	else if (pct(4))
		c->flags = 1U << below(32);
}

static void gen_create(struct fm_call *c)
{
	uint32_t maxl = fm->caps.max_levels, ps, lv, bits, lshift, top;
	uint64_t bytes, pg = fm->caps.pgsizes, k;

	/* Mostly pages the pool's (the kernel's) can back: maps can work. */
	if (pct(75) && (pg & ((2ULL << fm->page_shift) - 1)))
		pg &= (2ULL << fm->page_shift) - 1;
	k = below(__builtin_popcountll(pg));
	for (ps = 0; ps < 64; ps++)	/* the k-th page size offered */
		if ((pg & (1ULL << ps)) && !k--)
			break;
	if (pct(8))
		ps = below(70);
	lv = 1 + below(maxl < 3 ? maxl : 3);
	/* At most 4 GiB, but 512 pages at least (8 GiB of 16M ones). */
	top = ps + 9 > 32 ? ps + 9 : 32;
	c->b = ps < 55 ? 1ULL << (ps + 9 + below(top - ps - 9 + 1)) : 1ULL << 63;
	switch (below(16)) {
	case 0: c->b = 0; break;
	case 1: c->b *= 3; break;
	case 2: c->b >>= 1; break;
	case 3: c->b = 1ULL << 56; break;
	case 4:				/* one level of a GiB: -E2BIG */
		if (ps + 27 < 64)
			c->b = 1ULL << (ps + 27);
		lv = 1;
		break;
	case 5: lv = 0; break;
	case 6: lv = maxl + 1 + below(3); break;
	case 7: c->flags = 1U << below(32); break;
	case 8: c->resv = rnd(); break;
	case 9: c->answer_ro = true; break;
	}
	/* No geometry whose answer depends on the kernel's allocator. */
	while (!fm_geometry(&fm->caps, ps, c->b, lv, &bits, &lshift, &bytes) &&
	       lshift > FM_LEVEL_SHIFT_SURE)
		if (++lv > maxl) {
			lv = 1;
			c->b = 1ULL << (ps + 9);
		}
	c->a = ps;
	c->c = lv;
}

static void gen_remove(struct fm_call *c)
{
	int n = fm->win[0].used + fm->win[1].used;
	const struct fm_window *w = &fm->win[fm->win[0].used ? (n == 2 ? below(2) : 0) : 1];

	switch (below(6)) {
	case 0: case 1:
		c->a = n ? w->bus : fm->caps.tce32_start;
		break;
	case 2:
		c->a = fm->caps.tce32_start;
		break;
	case 3:
		c->a = n ? w->bus + (1ULL << w->page_shift) : 1ULL << 59;
		break;
	case 4:
		c->a = 1ULL << 59;
		break;
	default:
		c->a = rnd();
	}
	if (pct(5))
		c->flags = 1U << below(32);
}

static void gen_info(struct fm_call *c)
{
	uint32_t min = fm_min_argsz(FM_GET_INFO);

	switch (below(6)) {
	case 0: c->argsz = min; break;
	case 1: c->argsz = min + below(c->argsz - min); break;
	}
	if (pct(20))
		c->flags = rnd();
	c->answer_ro = pct(5);
}

/* The kinds of call, weighted per container type. */
static const struct {
	enum fm_op op;
	unsigned int weight[2];		/* v1, v2 */
	void (*gen)(struct fm_call *c);
} kinds[] = {
	{ FM_MAP, { 35, 30 }, gen_map },
	{ FM_UNMAP, { 25, 18 }, gen_unmap },
	{ FM_REGISTER, { 2, 12 }, gen_register },
	{ FM_UNREGISTER, { 2, 10 }, gen_unregister },
	{ FM_CREATE, { 2, 10 }, gen_create },
	{ FM_REMOVE, { 2, 4 }, gen_remove },
	{ FM_GET_INFO, { 5, 4 }, gen_info },
	{ FM_ENABLE, { 8, 1 }, NULL },
	{ FM_DISABLE, { 8, 1 }, NULL },
	{ FM_UNKNOWN, { 1, 1 }, NULL },
	{ FUZZ_REOPEN, { 1, 1 }, NULL },
};

void fuzz_generate(struct fm_call *c)
{
	unsigned int total = 0, k, pick;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		total += kinds[k].weight[fm->v2];
	pick = below(total);
	for (k = 0; pick >= kinds[k].weight[fm->v2]; k++)
		pick -= kinds[k].weight[fm->v2];
	memset(c, 0, sizeof(*c));
	c->op = kinds[k].op;
	if (c->op == FUZZ_REOPEN)
		return;
	c->argsz = fm_arg_size(c->op);
	if (kinds[k].gen)
		kinds[k].gen(c);
	c->arg_null = pct(1);
	if (fm_min_argsz(c->op) && pct(4))
		c->argsz = below(fm_min_argsz(c->op));
	else if (pct(6))
		c->argsz += below(64);
}
