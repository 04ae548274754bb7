// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark of whichever sPAPR TCE v2 backend serves VFIO now:
 *   vfio_bench GROUP [small|profile [IOMMU_PAGE_SHIFT]]
 * prints one "bench: KEY VALUE" line per figure (tests/bench/table.py names
 * them); "small" runs each once at small size, for make check; "profile"
 * maps and unmaps 16 MiB one ioctl per 64 KiB with ftrace on for that
 * pass only (tests/guest/t/profile-map.sh reads the trace), in IOMMU pages
 * of 64 KiB if memory allows or as asked.  The caller
 * loads the backend (spapr_tce_ddw or vfio_iommu_spapr_tce) and, for the
 * in-tree one, tests/kmod/ddw_table_bytes.ko, which reads its table bytes.
 *
 * Windows are created as QEMU 7.2 creates them (hw/vfio/spapr.c): levels of
 * a host page << 8 entries each, one more each time the backend refuses.
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "common.h"
#include "leaks.h"

static struct vfio_ctx ctx;
static bool small;
/* The IOMMU page of figures 1, 2, 5 and 6: 64 KiB where memory allows. */
static unsigned int shift = 16;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void figure(const char *key, double value)
{
	printf("bench: %s %.6g\n", key, value);
	fflush(stdout);
}

static long reg(void *va, uint64_t size, bool on)
{
	struct vfio_iommu_spapr_register_memory r = {
		.argsz = sizeof(r), .vaddr = (uintptr_t)va, .size = size,
	};

	return xioctl(ctx.container, on ? VFIO_IOMMU_SPAPR_REGISTER_MEMORY :
		      VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, &r);
}

static unsigned int ctz(uint64_t x)
{
	return __builtin_ctzll(x);
}

/* A window as QEMU makes it; its bus address, or 0 with *err set. */
static uint64_t create(unsigned int page_shift, uint64_t size, unsigned int *levels,
		       long *err)
{
	struct vfio_iommu_spapr_tce_create c = {
		.argsz = sizeof(c), .page_shift = page_shift, .window_size = size,
	};
	unsigned int host = ctz(sysconf(_SC_PAGESIZE)), bits = ctz(size) - page_shift;
	unsigned int per_level = host + 8, max_levels = (64 - page_shift) / host;

	*err = -EINVAL;
	for (c.levels = (bits + per_level - 1) / per_level; c.levels <= max_levels; c.levels++) {
		*err = xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_CREATE, &c);
		if (!*err) {
			*levels = c.levels;
			return c.start_addr;
		}
	}
	return 0;
}

static void remove_window(uint64_t start)
{
	struct vfio_iommu_spapr_tce_remove r = { .argsz = sizeof(r), .start_addr = start };

	CHECK(xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_REMOVE, &r) == 0,
	      "remove the window at 0x%llx", (unsigned long long)start);
}

/*
 * Remove a window and wait until its table is gone: pnv_ioda2_ddw frees
 * its tables in a worker after the last reference (tables_live counts
 * them), the in-tree backend in the ioctl.  ns.
 */
static double remove_reaped(uint64_t start)
{
	bool ours = container_present();
	long long live = ours ? tables_live() : 0;
	double t = now_ns();
	int i;

	remove_window(start);
	/* Yielding: on one CPU a busy poll would slow the worker it waits for. */
	for (i = 0; ours && tables_live() >= live; i++) {
		CHECK(i < 1000000, "the removed window's table is still there");
		sched_yield();
	}
	return now_ns() - t;
}

static long map(uint64_t iova, void *va, uint64_t size)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va, .iova = iova, .size = size,
	};

	return xioctl(ctx.container, VFIO_IOMMU_MAP_DMA, &m);
}

static long unmap(uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof(u), .iova = iova, .size = size,
	};

	return xioctl(ctx.container, VFIO_IOMMU_UNMAP_DMA, &u);
}

/*
 * Map (or unmap) [iova, + size) in one ioctl or in ioctls of 64 KiB (one
 * IOMMU page if larger), as issue 14 asks whatever the IOMMU page: ns.
 */
static double map_all(uint64_t iova, char *va, uint64_t size, bool one, bool do_map)
{
	uint64_t piece = shift > 16 ? 1ULL << shift : 64ULL << 10;
	uint64_t step = one ? size : piece, off;
	double t0 = now_ns();

	for (off = 0; off < size; off += step)
		CHECK((do_map ? map(iova + off, va + off, step) : unmap(iova + off, step)) == 0,
		      "%s at 0x%llx", do_map ? "MAP_DMA" : "UNMAP_DMA",
		      (unsigned long long)(iova + off));
	return now_ns() - t0;
}

/*
 * Bytes of the TCE table of window @num (and of the userspace-address
 * table beside it): spapr-tce-v2 counts its own in debugfs; the in-tree
 * backend's are walked by ddw_table_bytes.ko.
 */
static uint64_t table_bytes(int num)
{
	static char buf[16384];
	unsigned long long hw, shadow;
	char head[32], *l;
	FILE *f;

	if (container_present()) {
		container_states(buf, sizeof(buf));
	} else {
		f = fopen("/sys/kernel/debug/ddw_table_bytes", "r");
		CHECK(f, "open /sys/kernel/debug/ddw_table_bytes (load ddw_table_bytes.ko)");
		buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
		fclose(f);
	}
	snprintf(head, sizeof(head), "window %d:", num);
	l = strstr(buf, head);
	CHECK(l, "table bytes of window %d", num);
	CHECK(sscanf(strstr(l, "table_bytes"), "table_bytes %llu shadow_bytes %llu", &hw,
		     &shadow) == 2, "parse the table bytes of window %d", num);
	return hw + shadow;
}

/* Figures 1 and 2: 256 MiB, one ioctl and one ioctl per page. */
static void fig_map_unmap(char *mem, uint64_t size)
{
	uint64_t n = size >> shift, start;
	int rounds = small ? 1 : 3, r;
	unsigned int levels;
	long err;

	start = create(shift, 1ULL << 40, &levels, &err);
	CHECK(start, "create a 1 TiB window of %u KiB pages (%ld)", 1U << (shift - 10), err);
	/* Each figure the best of a few: the first run also allocates levels. */
	for (r = 0; r < rounds; r++) {
		figure("map_one_eps", n / map_all(start, mem, size, true, true) * 1e9);
		figure("unmap_one_eps", n / map_all(start, mem, size, true, false) * 1e9);
		figure("map_page_eps", n / map_all(start, mem, size, false, true) * 1e9);
		figure("unmap_page_eps", n / map_all(start, mem, size, false, false) * 1e9);
	}
	remove_window(start);
}

/* Turn tracing on or off: the profile's trace holds the loop, nothing else. */
static void tracing(bool on)
{
	FILE *f = fopen("/sys/kernel/tracing/tracing_on", "w");

	CHECK(f && fputs(on ? "1" : "0", f) >= 0 && fclose(f) == 0, "tracing_on");
}

/*
 * Profile: one ioctl per 64 KiB over @size, a warm-up pass allocating the
 * levels, then one traced pass.
 */
static void profile(char *mem, uint64_t size)
{
	unsigned int levels;
	uint64_t start;
	double m, u;
	long err;

	start = create(shift, 1ULL << 40, &levels, &err);
	CHECK(start, "create a 1 TiB window of %u KiB pages (%ld)", 1U << (shift - 10), err);
	map_all(start, mem, size, false, true);
	map_all(start, mem, size, false, false);
	tracing(true);
	m = map_all(start, mem, size, false, true);
	u = map_all(start, mem, size, false, false);
	tracing(false);
	figure("map_page_eps", (size >> shift) / m * 1e9);
	figure("unmap_page_eps", (size >> shift) / u * 1e9);
	remove_window(start);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Figure 3, as DPDK's EAL and drivers do: map a buffer of 4 KiB .. 2 MiB
 * at its own address in the window, unmap it; latency of each pair.
 */
static void fig_dpdk(char *mem, uint64_t size)
{
	int pairs = small ? 50 : 2000, i;
	double *lat = calloc(pairs, sizeof(*lat));
	unsigned int levels;
	uint64_t start;
	long err;

	CHECK(lat, "latencies");
	start = create(12, 1ULL << 32, &levels, &err);
	CHECK(start, "create a 4 GiB window of 4 KiB pages (%ld)", err);
	srandom(1);
	for (i = 0; i < pairs; i++) {
		uint64_t len = 1ULL << (12 + random() % 10);
		uint64_t off = (random() % (size / len)) * len;
		double t0 = now_ns();

		CHECK(map(start + off, mem + off, len) == 0, "DPDK-like MAP_DMA");
		CHECK(unmap(start + off, len) == 0, "DPDK-like UNMAP_DMA");
		lat[i] = now_ns() - t0;
	}
	qsort(lat, pairs, sizeof(*lat), cmp_double);
	figure("dpdk_p50_us", lat[pairs / 2] / 1e3);
	figure("dpdk_p99_us", lat[pairs * 99 / 100] / 1e3);
	free(lat);
	remove_window(start);
}

/*
 * The floor under one ioctl per page: an ioctl that does nothing (a
 * CHECK_EXTENSION the backend answers), calls per second.
 */
static void fig_null(void)
{
	int n = small ? 100 : 4096, i;
	double t = now_ns();

	for (i = 0; i < n; i++)
		CHECK(ioctl(ctx.container, VFIO_CHECK_EXTENSION, VFIO_SPAPR_TCE_v2_IOMMU) == 1,
		      "CHECK_EXTENSION");
	figure("null_ioctl_cps", n / (now_ns() - t) * 1e9);
}

/* Figure 4: pre-registration of 1 GiB (small: 64 MiB), ms per GiB. */
static void fig_prereg(void)
{
	uint64_t size = small ? 64ULL << 20 : 1ULL << 30;
	char *mem = anon_mem(size, 1);
	double t;

	t = now_ns();
	CHECK(reg(mem, size, true) == 0, "REGISTER_MEMORY %llu MiB",
	      (unsigned long long)(size >> 20));
	figure("prereg_ms_per_gib", (now_ns() - t) / 1e6 * (1ULL << 30) / size);
	t = now_ns();
	CHECK(reg(mem, size, false) == 0, "UNREGISTER_MEMORY");
	figure("unreg_ms_per_gib", (now_ns() - t) / 1e6 * (1ULL << 30) / size);
	munmap(mem, size);
}

/*
 * The least the hardware table and its shadow can take for @n entries
 * mapped from the window's start: levels of @entries_per_level, at least
 * 4 KiB (the smallest level a TVE takes), the top one whole.
 */
static uint64_t min_bytes(uint64_t n, uint64_t window_entries, unsigned int levels)
{
	unsigned int bits = ctz(window_entries), per = (bits + levels - 1) / levels;
	uint64_t level = 8ULL << per, bytes = 0, span;
	unsigned int d;

	if (level < 4096)
		level = 4096;
	/* A level at depth d (0 the top) spans per << (levels - d) entries. */
	for (d = 0; d < levels; d++) {
		span = 1ULL << (per * (levels - d));
		bytes += (d ? (n + span - 1) / span : 1) * level;
	}
	return 2 * bytes;
}

/*
 * Figure 5: windows of 1 GiB, 64 GiB and 1 TiB; 256 MiB mapped into each.
 * Removal times include freeing the table, whoever does it.
 */
static void fig_windows(char *mem, uint64_t size)
{
	static const unsigned int log2s[] = { 30, 36, 40 };
	unsigned int i, levels;
	char key[64];

	for (i = 0; i < sizeof(log2s) / sizeof(log2s[0]); i++) {
		uint64_t wsize = 1ULL << log2s[i], start;
		double t;
		long err;

		t = now_ns();
		start = create(shift, wsize, &levels, &err);
		t = now_ns() - t;
		CHECK(start, "create a 2^%u window (%ld)", log2s[i], err);
		snprintf(key, sizeof(key), "win%u_create_us", log2s[i]);
		figure(key, t / 1e3);
		snprintf(key, sizeof(key), "win%u_levels", log2s[i]);
		figure(key, levels);
		snprintf(key, sizeof(key), "win%u_bytes_empty", log2s[i]);
		figure(key, table_bytes(1));
		map_all(start, mem, size, true, true);
		snprintf(key, sizeof(key), "win%u_bytes_mapped", log2s[i]);
		figure(key, table_bytes(1));
		snprintf(key, sizeof(key), "win%u_bytes_min", log2s[i]);
		figure(key, min_bytes(size >> shift, wsize >> shift, levels));
		map_all(start, mem, size, true, false);
		snprintf(key, sizeof(key), "win%u_remove_us", log2s[i]);
		figure(key, remove_reaped(start) / 1e3);
	}
}

/* Figure 6: one MAP_DMA of @size over 1, 16 and 256 registrations. */
static void fig_regions(char *mem, uint64_t size)
{
	static const unsigned int counts[] = { 1, 16, 256 };
	uint64_t n = size >> shift, start;
	unsigned int i, k, levels;
	char key[64];
	long err;

	start = create(shift, 1ULL << 40, &levels, &err);
	CHECK(start, "create a 1 TiB window (%ld)", err);
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		uint64_t piece = size / counts[i];
		double best = 0, t;
		int r;

		CHECK(reg(mem, size, false) == 0, "UNREGISTER_MEMORY the whole");
		for (k = 0; k < counts[i]; k++)
			CHECK(reg(mem + k * piece, piece, true) == 0, "REGISTER_MEMORY piece %u", k);
		for (r = 0; r < (small ? 1 : 3); r++) {
			t = map_all(start, mem, size, true, true) / n;
			best = r && best < t ? best : t;
			map_all(start, mem, size, true, false);
		}
		snprintf(key, sizeof(key), "regions%u_map_ns", counts[i]);
		figure(key, best);
		for (k = 0; k < counts[i]; k++)
			CHECK(reg(mem + k * piece, piece, false) == 0, "UNREGISTER_MEMORY piece %u", k);
		CHECK(reg(mem, size, true) == 0, "REGISTER_MEMORY the whole again");
	}
	remove_window(start);
}

/*
 * Figure 7: QEMU's DDW for a guest of @guest bytes on a 4 KiB-page host:
 * a 256 GiB window of 4 KiB pages (2^26 TCEs) mapping the guest; table
 * bytes and the locked_vm the window charged.
 */
static void fig_qemu_4k(void)
{
	uint64_t guest = small ? 64ULL << 20 : 512ULL << 20, start;
	char *mem = anon_mem(guest, 2);
	unsigned int levels;
	long lck0, err;

	CHECK(reg(mem, guest, true) == 0, "REGISTER_MEMORY the guest");
	lck0 = vm_locked_kb();
	start = create(12, 256ULL << 30, &levels, &err);
	CHECK(start, "create a 256 GiB window of 4 KiB pages (%ld)", err);
	figure("qemu4k_levels", levels);
	figure("qemu4k_locked_kib", vm_locked_kb() - lck0);
	figure("qemu4k_bytes_empty", table_bytes(1));
	map_all(start, mem, guest, true, true);
	figure("qemu4k_bytes_mapped", table_bytes(1));
	figure("qemu4k_bytes_min", min_bytes(guest >> 12, 1ULL << 26, levels));
	remove_window(start);
	CHECK(reg(mem, guest, false) == 0, "UNREGISTER_MEMORY the guest");
	munmap(mem, guest);
}

int main(int argc, char **argv)
{
	uint64_t size;
	bool prof;
	char *mem;

	if (argc < 2) {
		fprintf(stderr, "usage: vfio_bench GROUP [small|profile [IOMMU_PAGE_SHIFT]]\n");
		return 2;
	}
	prof = argc > 2 && !strcmp(argv[2], "profile");
	small = prof || (argc > 2 && !strcmp(argv[2], "small"));
	size = small ? 16ULL << 20 : 256ULL << 20;
	vfio_open_v2(&ctx, atoi(argv[1]), "bench");
	if (prof && argc > 3)
		shift = atoi(argv[3]);
	mem = dma_mem(size, shift, 3);
	if (!mem) {
		/* A 4 KiB-page kernel without huge pages: 4 KiB IOMMU pages. */
		shift = 12;
		mem = anon_mem(size, 3);
	}
	figure("page_shift", shift);
	figure("kernel_page_kib", sysconf(_SC_PAGESIZE) >> 10);
	if (prof) {
		CHECK(reg(mem, size, true) == 0, "REGISTER_MEMORY");
		profile(mem, size);
		CHECK(reg(mem, size, false) == 0, "UNREGISTER_MEMORY");
		vfio_close(&ctx);
		return 0;
	}
	fig_null();
	fig_prereg();
	CHECK(reg(mem, size, true) == 0, "REGISTER_MEMORY %llu MiB",
	      (unsigned long long)(size >> 20));
	fig_map_unmap(mem, size);
	fig_dpdk(mem, size);
	fig_windows(mem, size);
	fig_regions(mem, size);
	CHECK(reg(mem, size, false) == 0, "UNREGISTER_MEMORY");
	fig_qemu_4k();
	/*
	 * Figure 5 too, last: windows made after it would take its number
	 * and bus address 0.  fig_map_unmap()'s first create made it.
	 */
	figure("windef_remove_us", remove_reaped(0) / 1e3);
	vfio_close(&ctx);
	return 0;
}
