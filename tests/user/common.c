// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/vfio.h>

#include "common.h"

bool vreport(bool ok, const char *file, int line, const char *fmt, va_list ap)
{
	printf("%s ", ok ? "ok:" : "FAILED:");
	vprintf(fmt, ap);
	if (!ok)
		printf(" (%s:%d)", file, line);
	printf("\n");
	fflush(stdout);
	return ok;
}

void check_or_die(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ok, file, line, fmt, ap);
	va_end(ap);
	if (!ok)
		exit(1);
}

void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("  ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

static void read_states(char *buf, size_t size, bool calls)
{
	DIR *d = opendir("/sys/kernel/debug/spapr_ddw/vfio");
	struct dirent *e;
	size_t used = 0;
	char line[512];

	buf[0] = '\0';
	while (d && (e = readdir(d))) {
		char path[300];
		FILE *fp;

		if (strncmp(e->d_name, "container-", 10))
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/debug/spapr_ddw/vfio/%s/state",
			 e->d_name);
		fp = fopen(path, "r");
		if (!fp)
			continue;
		/* The call counters are history, not state: left out unless asked. */
		while (fgets(line, sizeof(line), fp))
			if ((calls || strncmp(line, "calls ", 6)) && used + strlen(line) < size)
				used += sprintf(buf + used, "%s", line);
		fclose(fp);
	}
	if (d)
		closedir(d);
}

void container_states(char *buf, size_t size)
{
	read_states(buf, size, false);
}

void container_states_calls(char *buf, size_t size)
{
	read_states(buf, size, true);
}

long vm_locked_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

char *pe_report(int grp)
{
	FILE *f = fopen("/sys/kernel/debug/spapr_ddw/pes", "r");
	static char buf[4096];
	char line[512], head[32];
	bool in = false;

	buf[0] = '\0';
	if (!f)
		return buf;
	snprintf(head, sizeof(head), "group %d:", grp);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "group ", 6))
			in = !strncmp(line, head, strlen(head));
		if (in && strlen(buf) + strlen(line) < sizeof(buf))
			strcat(buf, line);
	}
	fclose(f);
	return buf;
}

bool pe_has_line(int grp, const char *prefix)
{
	char *r = pe_report(grp), *l;

	for (l = r; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, prefix, strlen(prefix)))
			return true;
	return false;
}

long xioctl(int fd, unsigned long req, void *arg)
{
	long ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

void vfio_open(struct vfio_ctx *ctx, int group_id)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];
	long ret;

	ctx->group_id = group_id;
	ctx->container = open("/dev/vfio/vfio", O_RDWR);
	CHECK(ctx->container >= 0, "open /dev/vfio/vfio");
	CHECK(ioctl(ctx->container, VFIO_GET_API_VERSION) == VFIO_API_VERSION,
	      "VFIO_GET_API_VERSION");
	snprintf(path, sizeof(path), "/dev/vfio/%d", group_id);
	ctx->group = open(path, O_RDWR);
	CHECK(ctx->group >= 0, "open %s", path);
	CHECK(xioctl(ctx->group, VFIO_GROUP_GET_STATUS, &status) == 0 &&
	      (status.flags & VFIO_GROUP_FLAGS_VIABLE), "group %d is viable", group_id);
	ret = xioctl(ctx->group, VFIO_GROUP_SET_CONTAINER, &ctx->container);
	CHECK(ret == 0, "VFIO_GROUP_SET_CONTAINER (%ld)", ret);
}

void vfio_open_v2(struct vfio_ctx *ctx, int group_id, const char *what)
{
	vfio_open(ctx, group_id);
	CHECK(xioctl(ctx->container, VFIO_SET_IOMMU, (void *)VFIO_SPAPR_TCE_v2_IOMMU) == 0,
	      "%s: SET_IOMMU(VFIO_SPAPR_TCE_v2_IOMMU)", what);
}

void *anon_mem(size_t size, int fill)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED, "mmap %zu KiB", size >> 10);
	memset(p, fill, size);
	return p;
}

void *dma_mem(size_t size, unsigned int shift, int fill)
{
	void *p;

	if (1UL << shift <= (size_t)sysconf(_SC_PAGESIZE))
		return anon_mem(size, fill);
	/* The kernel rounds the length up to its hugepage size. */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	memset(p, fill, size);
	return p;
}

void vfio_close(struct vfio_ctx *ctx)
{
	close(ctx->group);
	close(ctx->container);
}

int set_capability(int cap, bool on)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	if (on)
		data[cap / 32].effective |= 1U << (cap % 32);
	else
		data[cap / 32].effective &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &hdr, data);
}
