/* SPDX-License-Identifier: GPL-2.0-only */
/* What a test must find given back; the container's state in debugfs. */
#ifndef SPAPR_DDW_TEST_LEAKS_H
#define SPAPR_DDW_TEST_LEAKS_H

#include <stdbool.h>
#include <linux/types.h>

/* A check that does not stop the program: leaks are counted after it, too. */
#define EXPECT(ok, ...) expect((ok), __FILE__, __LINE__, __VA_ARGS__)
void expect(bool ok, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* EXPECTs that failed so far. */
extern int failures;

void msleep(long ms);
/* Pages pinned (FOLL_PIN) system-wide and not yet unpinned. */
long long pins_held(void);
/* pins_held() once it is @want, or after 3 s. */
long long pins_settle(long long want);
long long tables_live(void);
long long levels_live(void);
bool container_present(void);
/* The number after @key in the (only) container's state, or -1. */
long long state_value(const char *key);
/* entries_used of the container's window at bus @start, or -1. */
long long window_used(__u64 start);
void print_state(const char *when);

/* What a case must give back: taken before it starts. */
struct baseline {
	long long pins, tables, levels;
	long locked_kb;
};

void baseline_take(struct baseline *b);
/* Everything closed: nothing of the case may be left. */
void expect_released(const struct baseline *b, const char *when);

#endif
