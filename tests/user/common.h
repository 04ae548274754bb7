/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers of the userspace VFIO test programs. */
#ifndef SPAPR_DDW_TEST_COMMON_H
#define SPAPR_DDW_TEST_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Print "ok: what" or "FAILED: what (file:line)"; return @ok. */
bool vreport(bool ok, const char *file, int line, const char *fmt, va_list ap);
/* Print "step: what" and abort the program with status 1 when !ok. */
#define CHECK(ok, ...) check_or_die((ok), __FILE__, __LINE__, __VA_ARGS__)
void check_or_die(bool ok, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * spapr-tce-v2's debugfs state of every container, into @buf, without the
 * call counters.
 */
void container_states(char *buf, size_t size);
/* The same with the call counters ("calls (ok/failed): ..."). */
void container_states_calls(char *buf, size_t size);

/* VmLck of this process, in KiB. */
long vm_locked_kb(void);
/* The block of /sys/kernel/debug/spapr_ddw/pes for IOMMU group @grp. */
char *pe_report(int grp);
bool pe_has_line(int grp, const char *prefix);

/*
 * Word @i of the seeded pattern the tests write to the disk (little-endian
 * on it); tests/testbed/check-pattern.py computes the same.
 */
#define PATTERN_SEED 0x5eedULL
static inline uint64_t pattern_word(uint64_t i)
{
	uint64_t x = i + PATTERN_SEED;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

struct vfio_ctx {
	int group_id;
	int container;
	int group;
};

/* Anonymous memory of @size bytes, every byte @fill (touched: mapped in). */
void *anon_mem(size_t size, int fill);
/*
 * The same in pages of at least 2^@shift bytes, which IOMMU pages of that
 * size need: system pages if they are as large, else hugetlb pages (the
 * only larger pages pre-registration accepts), NULL if none are reserved.
 * @size is rounded up to the pages used.
 */
void *dma_mem(size_t size, unsigned int shift, int fill);

/* Open the container and the group and put the group in the container. */
void vfio_open(struct vfio_ctx *ctx, int group_id);
void vfio_close(struct vfio_ctx *ctx);
/* vfio_open() and SET_IOMMU(VFIO_SPAPR_TCE_v2_IOMMU); @what names the step. */
void vfio_open_v2(struct vfio_ctx *ctx, int group_id, const char *what);
/* Turn capability @cap (CAP_*) on or off in this process's effective set. */
int set_capability(int cap, bool on);
/* An ioctl returning -errno instead of -1. */
long xioctl(int fd, unsigned long req, void *arg);

#endif
