/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfio_stress's threads (part 1): each one's state and model of what it
 * mapped, and the tally and reports of its calls' answers.
 */
#ifndef SPAPR_DDW_TEST_STRESS_MODEL_H
#define SPAPR_DDW_TEST_STRESS_MODEL_H

#include <pthread.h>
#include <stdbool.h>

#include "stress_calls.h"

/* Runs in the DDW start near one of a few points spread over it: they meet, levels differ. */
#define STRESS_DDW_ZONES	8
#define STRESS_DDW_ZONE_SPAN	256

/* What an entry of a thread's slice maps. */
enum { STRESS_SRC_NONE, STRESS_SRC_MAIN, STRESS_SRC_EXTRA, STRESS_NR_SRC };

/* A thread's entries of one window. */
struct stress_slice {
	u64 bus;		/* bus address of the slice's first entry */
	unsigned int shift;	/* the window's IOMMU page */
	u64 n;			/* entries */
	unsigned char *src;	/* per entry: STRESS_SRC_* */
	u64 used;		/* entries mapped */
};

struct stress_worker {
	int id;
	pthread_t th;
	u64 seed, rng;
	char *buf, *extra;
	u64 extra_reg;			/* extra's bytes registered from its start; 0: none */
	struct stress_slice def, ddw;	/* its slice of the default window; the DDW, held */
	int owns_ddw;
	u64 mapped[STRESS_NR_SRC];	/* entries mapping buf, extra (both windows) */
	unsigned long iter, calls, unexpected, ddw_made;
};

/* Count a thread's call and its answer; report it if @got is not @want. */
bool stress_answered(struct stress_worker *w, enum stress_op op, long want, long got,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A value the call gave back, not its answer. */
void stress_unexpected_value(struct stress_worker *w, long want, long got, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "threads: OP answered ANSWER x N ..." for each ioctl the threads called. */
void stress_print_tally(void);

/* Are entries [@off, @off + @n) of @s mapped, any of them? */
bool stress_slice_busy(const struct stress_slice *s, u64 off, u64 n);
/* The model: entries [@off, @off + @n) of @s now map @src. */
void stress_slice_set(struct stress_worker *w, struct stress_slice *s, u64 off, u64 n,
		      unsigned char src);
/* A run of at most @max entries of @s: @n at @off. */
void stress_pick_run(struct stress_worker *w, const struct stress_slice *s, u64 max, u64 *off,
		     u64 *n);

#endif
