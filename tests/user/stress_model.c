// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_stress's threads (part 1): the model of what a thread mapped, the
 * runs it picks, and its calls' answers, tallied per ioctl, the unexpected
 * ones counted and the first MAX_REPORTS printed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "stress_model.h"

#define MAX_REPORTS	100		/* unexpected answers printed, at most */

/* Answers tallied per ioctl, to show what the run covered. */
static const int tally_errno[] = { 0, EBUSY, EFAULT, EINVAL, ENOENT, ENXIO, EPERM };
#define NR_TALLY	(sizeof(tally_errno) / sizeof(tally_errno[0]) + 1)	/* + other */

static unsigned long tally[STRESS_NR_OPS][NR_TALLY];
static unsigned long reports;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* Count an unexpected answer of a thread; print the first MAX_REPORTS. */
static void unexpected_answer(struct stress_worker *w, long want, long got, const char *fmt,
			      va_list ap)
{
	char what[200], a[32], b[32];

	w->unexpected++;
	if (__atomic_fetch_add(&reports, 1, __ATOMIC_RELAXED) >= MAX_REPORTS)
		return;
	vsnprintf(what, sizeof(what), fmt, ap);
	pthread_mutex_lock(&out_lock);
	printf("UNEXPECTED thread %d, iteration %lu: %s: want %s, got %s\n", w->id, w->iter,
	       what, stress_answer(want, a, sizeof(a)), stress_answer(got, b, sizeof(b)));
	pthread_mutex_unlock(&out_lock);
}

bool stress_answered(struct stress_worker *w, enum stress_op op, long want, long got,
		     const char *fmt, ...)
{
	unsigned int i;
	va_list ap;

	w->calls++;
	for (i = 0; i < NR_TALLY - 1 && got != -tally_errno[i]; i++)
		;
	__atomic_fetch_add(&tally[op][i], 1, __ATOMIC_RELAXED);
	if (got == want)
		return true;
	va_start(ap, fmt);
	unexpected_answer(w, want, got, fmt, ap);
	va_end(ap);
	return false;
}

void stress_unexpected_value(struct stress_worker *w, long want, long got, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	unexpected_answer(w, want, got, fmt, ap);
	va_end(ap);
}

void stress_print_tally(void)
{
	unsigned int op, i;
	size_t used;

	for (op = 0; op < STRESS_NR_OPS; op++) {
		char line[256];

		used = 0;
		for (i = 0; i < NR_TALLY; i++) {
			char a[32];

			if (!tally[op][i])
				continue;
			used += snprintf(line + used, sizeof(line) - used, " %s x %lu",
					 i < NR_TALLY - 1 ?
					 stress_answer(-tally_errno[i], a, sizeof(a)) : "other",
					 tally[op][i]);
		}
		if (used)
			printf("threads: %s answered%s\n", stress_op_name[op], line);
	}
}

bool stress_slice_busy(const struct stress_slice *s, u64 off, u64 n)
{
	u64 i;

	for (i = off; i < off + n; i++)
		if (s->src[i])
			return true;
	return false;
}

void stress_slice_set(struct stress_worker *w, struct stress_slice *s, u64 off, u64 n,
		      unsigned char src)
{
	u64 i;

	for (i = off; i < off + n; i++) {
		if (s->src[i]) {
			w->mapped[s->src[i]]--;
			s->used--;
		}
		s->src[i] = src;
		if (src) {
			w->mapped[src]++;
			s->used++;
		}
	}
}

void stress_pick_run(struct stress_worker *w, const struct stress_slice *s, u64 max, u64 *off,
		     u64 *n)
{
	u64 span = s->n, start = 0;

	if (s == &w->ddw) {
		start = stress_rnd(&w->rng, STRESS_DDW_ZONES) * (s->n / STRESS_DDW_ZONES);
		span = STRESS_DDW_ZONE_SPAN;
	}
	*n = 1 + stress_rnd(&w->rng, stress_umin(max, span));
	*off = start + stress_rnd(&w->rng, span - *n + 1);
}
