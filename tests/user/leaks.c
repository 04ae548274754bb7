// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a test must find given back once everything is closed: pins
 * (FOLL_PIN, system-wide), TCE tables and levels of pnv_ioda2_ddw,
 * containers of spapr-tce-v2, VmLck; and the container's state in debugfs.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "leaks.h"

#define DEBUGFS			"/sys/kernel/debug/spapr_ddw"

int failures;

/* A check that does not stop the case: leaks are counted after it, too. */
void expect(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (!vreport(ok, file, line, fmt, ap))
		failures++;
	va_end(ap);
}

void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Pages pinned (FOLL_PIN) system-wide and not yet unpinned. */
long long pins_held(void)
{
	long long v, acq = -1, rel = -1;
	char name[64];
	FILE *f;
	int fd;

	/* The counters are per-CPU until folded: fold them first. */
	fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "1", 1) < 0)
			perror("stat_refresh");
		close(fd);
	}
	f = fopen("/proc/vmstat", "r");
	while (f && fscanf(f, "%63s %lld", name, &v) == 2) {
		if (!strcmp(name, "nr_foll_pin_acquired"))
			acq = v;
		else if (!strcmp(name, "nr_foll_pin_released"))
			rel = v;
	}
	if (f)
		fclose(f);
	return acq - rel;
}

/*
 * Pins held once those being given back are: mm_iommu unpins a dropped
 * registration from an RCU callback, KVM drops tables from others.
 */
long long pins_settle(long long want)
{
	long long now = pins_held();
	int i;

	for (i = 0; i < 30 && now != want; i++) {
		msleep(100);
		now = pins_held();
	}
	return now;
}

/* The number after @key in @path, or -1. */
long long file_value(const char *path, const char *key)
{
	char buf[4096], *p;
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strstr(buf, key);
	return p ? strtoll(p + strlen(key), NULL, 0) : -1;
}

long long tables_live(void)
{
	return file_value(DEBUGFS "/tce_tables", "tables_live: ");
}

long long levels_live(void)
{
	return file_value(DEBUGFS "/tce_tables", "levels_live: ");
}

bool container_present(void)
{
	DIR *d = opendir(DEBUGFS "/vfio");
	struct dirent *e;
	bool found = false;

	while (d && (e = readdir(d)))
		found |= !strncmp(e->d_name, "container-", 10);
	if (d)
		closedir(d);
	return found;
}

/* The number after @key in the (only) container's state, or -1. */
long long state_value(const char *key)
{
	static char buf[8192];
	const char *p;

	container_states(buf, sizeof(buf));
	p = strstr(buf, key);
	return p ? strtoll(p + strlen(key), NULL, 0) : -1;
}

/* entries_used of the container's window at bus @start, or -1. */
long long window_used(__u64 start)
{
	static char buf[8192];
	char key[64];
	const char *p;

	container_states(buf, sizeof(buf));
	snprintf(key, sizeof(key), ": bus 0x%llx ", (unsigned long long)start);
	p = strstr(buf, key);
	if (p)
		p = strstr(p, " entries_used ");
	return p ? strtoll(p + 14, NULL, 0) : -1;
}

void print_state(const char *when)
{
	static char buf[8192];
	char *l;

	container_states(buf, sizeof(buf));
	note("container state %s:", when);
	for (l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
		note("  %s", l);
}

void baseline_take(struct baseline *b)
{
	b->pins = pins_held();
	b->tables = tables_live();
	b->levels = levels_live();
	b->locked_kb = vm_locked_kb();
	note("before: pins %lld, tables_live %lld, levels_live %lld, VmLck %ld kB",
	     b->pins, b->tables, b->levels, b->locked_kb);
}

/*
 * Everything closed: nothing of the case may be left.  KVM drops its table
 * references from RCU callbacks: give them a moment.
 */
void expect_released(const struct baseline *b, const char *when)
{
	int i;

	for (i = 0; i < 30; i++) {
		if (tables_live() == b->tables && levels_live() == b->levels &&
		    pins_held() == b->pins)
			break;
		msleep(100);
	}
	EXPECT(!container_present(), "%s: no container left in debugfs", when);
	EXPECT(tables_live() == b->tables && levels_live() == b->levels,
	       "%s: TCE tables back to %lld (%lld now), levels to %lld (%lld now)", when,
	       b->tables, tables_live(), b->levels, levels_live());
	EXPECT(pins_settle(b->pins) == b->pins, "%s: pins back to %lld (%lld now)", when,
	       b->pins, pins_held());
	EXPECT(vm_locked_kb() == b->locked_kb, "%s: VmLck back to %ld kB (%ld now)", when,
	       b->locked_kb, vm_locked_kb());
}
