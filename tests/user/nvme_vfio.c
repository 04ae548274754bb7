// SPDX-License-Identifier: GPL-2.0-only
/*
 * A small userspace NVMe driver over VFIO, to prove device DMA through the
 * windows of spapr-tce-v2:
 *   nvme_vfio BDF SERIAL PAGE_SHIFT LEVELS MIB
 * Sets up a v2 container (DDW_V1=1: a v1 container, PAGE_SHIFT 0 only),
 * a dynamic window of IOMMU pages of 2^PAGE_SHIFT
 * in a table of LEVELS levels (PAGE_SHIFT 0: the default 32-bit window;
 * DDW_HUGE=1 backs the memory with hugepages of 2^PAGE_SHIFT), puts the admin and I/O queues and the data
 * buffers in memory mapped there, identifies the controller (model "QEMU
 * NVMe Ctrl", serial SERIAL), writes MIB MiB of a seeded pattern to the
 * namespace at 16 MiB, reads it back into other buffers and compares byte
 * for byte.  Completions are polled.  With DDW_PATTERN_OUT=FILE it saves
 * the pattern, for the kernel's nvme driver to check the disk against.
 * DDW_EEH=1: recover the PE the DMA into unmapped memory froze (exit 77
 * when nothing froze it).  DDW_PREREG_PIECES=N: v2 pre-registers the memory
 * in N adjacent pieces and maps it with one MAP_DMA.  DDW_MEM_FILE=PATH:
 * the memory is a shared mapping of PATH (a file or block device), synced
 * clean before the device reads into it; prints the read buffer's offset
 * in PATH ("read buffer at file offset N").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "common.h"

#define QDEPTH		32
#define XFER		(64 * 1024)	/* bytes one I/O command moves */
#define NVME_PAGE	4096		/* CC.MPS = 0 */
/* Where on the disk the pattern goes: past the host's data at its start. */
#define DISK_OFFSET	(16ULL << 20)

struct nvme_sqe {
	uint8_t opc, flags;
	uint16_t cid;
	uint32_t nsid;
	uint64_t rsvd, mptr, prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

struct nvme_cqe {
	uint32_t dw0, dw1;
	uint16_t sqhd, sqid, cid, status;
};

struct queue {
	struct nvme_sqe *sq;
	struct nvme_cqe *cq;
	uint64_t sq_iova, cq_iova;
	unsigned int tail, head, phase, qid;
};

static int dev;
static uint64_t bar0;		/* offset of BAR0 in the device fd */
static unsigned int dstrd;
static uint8_t *dma;		/* everything the device reaches */
static uint64_t dma_iova, dma_size;
static int mem_fd = -1;	/* DDW_MEM_FILE */
static uint16_t cid;

static uint32_t rd32(unsigned int reg)
{
	uint32_t v = 0;

	if (pread(dev, &v, 4, bar0 + reg) != 4)
		CHECK(0, "read of register 0x%x", reg);
	return v;
}

static void wr32(unsigned int reg, uint32_t v)
{
	if (pwrite(dev, &v, 4, bar0 + reg) != 4)
		CHECK(0, "write of register 0x%x", reg);
}

static void wr64(unsigned int reg, uint64_t v)
{
	wr32(reg, (uint32_t)v);
	wr32(reg + 4, (uint32_t)(v >> 32));
}

static uint64_t iova_of(const void *p)
{
	return dma_iova + ((const uint8_t *)p - dma);
}

/* A bump allocator over the mapped memory, @align (a power of 2) aligned. */
static uint8_t *dma_alloc_aligned(size_t size, size_t align)
{
	static size_t used;
	uint8_t *p;

	used = (used + align - 1) & ~(align - 1);
	CHECK(used + size <= dma_size, "DMA memory for %zu bytes", size);
	p = dma + used;
	used += size;
	memset(p, 0, size);
	return p;
}

/* v2: register the DMA memory in @pieces adjacent parts of whole @align. */
static void prereg_pieces(int container, unsigned int pieces, size_t align)
{
	struct vfio_iommu_spapr_register_memory reg = { .argsz = sizeof(reg) };
	size_t piece, off = 0;
	unsigned int k;
	long ret;

	CHECK(pieces, "%u pieces of DMA memory", pieces);
	piece = dma_size / pieces / align * align;
	CHECK(piece, "pieces of %zu bytes", piece);
	for (k = 0; k < pieces; k++) {
		reg.vaddr = (uintptr_t)dma + off;
		reg.size = k == pieces - 1 ? dma_size - off : piece;
		ret = xioctl(container, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &reg);
		CHECK(!ret, "REGISTER_MEMORY%s: %ld", pieces > 1 ? " (a piece)" : "", ret);
		off += reg.size;
	}
}

static uint8_t *dma_alloc(size_t size)
{
	return dma_alloc_aligned(size, NVME_PAGE);
}

static int submit_wait(struct queue *q, struct nvme_sqe *cmd, uint32_t *dw0)
{
	struct timespec start, now;
	struct nvme_cqe *cqe;

	cmd->cid = ++cid;
	q->sq[q->tail] = *cmd;
	__sync_synchronize();
	q->tail = (q->tail + 1) % QDEPTH;
	wr32(0x1000 + (2 * q->qid) * (4 << dstrd), q->tail);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		cqe = &q->cq[q->head];
		__sync_synchronize();
		if ((cqe->status & 1) == q->phase)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 10)
			return -ETIMEDOUT;
	}
	q->head = (q->head + 1) % QDEPTH;
	if (!q->head)
		q->phase ^= 1;
	wr32(0x1000 + (2 * q->qid + 1) * (4 << dstrd), q->head);
	if (dw0)
		*dw0 = cqe->dw0;
	return cqe->cid == cmd->cid ? cqe->status >> 1 : -EPROTO;
}

static void queue_init(struct queue *q, unsigned int qid)
{
	q->sq = (struct nvme_sqe *)dma_alloc(QDEPTH * sizeof(*q->sq));
	q->cq = (struct nvme_cqe *)dma_alloc(QDEPTH * sizeof(*q->cq));
	q->sq_iova = iova_of(q->sq);
	q->cq_iova = iova_of(q->cq);
	q->tail = q->head = 0;
	q->phase = 1;
	q->qid = qid;
}

static void controller_enable(struct queue *admin)
{
	uint64_t cap = rd32(0) | (uint64_t)rd32(4) << 32;
	int i;

	dstrd = (cap >> 32) & 0xf;
	wr32(0x14, 0);					/* CC.EN = 0 */
	for (i = 0; i < 1000 && (rd32(0x1c) & 1); i++)
		usleep(1000);
	CHECK(!(rd32(0x1c) & 1), "controller disabled");
	queue_init(admin, 0);
	wr32(0x24, (QDEPTH - 1) | (QDEPTH - 1) << 16);	/* AQA */
	wr64(0x28, admin->sq_iova);			/* ASQ */
	wr64(0x30, admin->cq_iova);			/* ACQ */
	wr32(0x14, 1 | 6 << 16 | 4 << 20);		/* EN, IOSQES 64, IOCQES 16 */
	for (i = 0; i < 5000 && !(rd32(0x1c) & 1); i++)
		usleep(1000);
	CHECK(rd32(0x1c) & 1, "controller ready, admin queues in the window (CSTS 0x%x)",
	      rd32(0x1c));
}

static int rw(struct queue *io, int write, uint8_t *buf, uint64_t lba, uint32_t nlb,
	      uint64_t *prp_list)
{
	struct nvme_sqe cmd = { .opc = write ? 0x01 : 0x02, .nsid = 1 };
	unsigned int i, pages = XFER / NVME_PAGE;

	cmd.prp1 = iova_of(buf);
	for (i = 1; i < pages; i++)
		prp_list[i - 1] = iova_of(buf + i * NVME_PAGE);
	cmd.prp2 = iova_of(prp_list);
	cmd.cdw10 = (uint32_t)lba;
	cmd.cdw11 = (uint32_t)(lba >> 32);
	cmd.cdw12 = nlb - 1;
	return submit_wait(io, &cmd, NULL);
}

static long eeh_op(int container, unsigned int op)
{
	struct vfio_eeh_pe_op arg = { .argsz = sizeof(arg), .op = op };

	return xioctl(container, VFIO_EEH_PE_OP, &arg);
}

/*
 * DDW_EEH=1, after the DMA into unmapped memory: a real PHB freezes the PE
 * on it.  Recover the PE through VFIO_EEH_PE_OP (hot reset, configure) and
 * check the controller answers Identify again.  An emulator that froze
 * nothing makes the program exit 77 (skip), saying so.
 */
static void eeh_recover(int container, struct queue *admin, const char *serial)
{
	struct nvme_sqe cmd = { .opc = 0x06, .cdw10 = 1 };
	long state = eeh_op(container, VFIO_EEH_PE_GET_STATE);
	uint8_t *id;

	CHECK(state >= 0, "EEH: PE state %ld after the DMA into unmapped memory", state);
	if (state == VFIO_EEH_PE_STATE_NORMAL) {
		printf("EEH: the PE was not frozen by the DMA into unmapped memory (state normal): "
		       "this PHB drops such a DMA without freezing, recovery not exercised\n");
		exit(77);
	}
	CHECK(!eeh_op(container, VFIO_EEH_PE_RESET_HOT), "EEH: RESET_HOT");
	CHECK(!eeh_op(container, VFIO_EEH_PE_RESET_DEACTIVATE), "EEH: RESET_DEACTIVATE");
	CHECK(!eeh_op(container, VFIO_EEH_PE_CONFIGURE), "EEH: CONFIGURE");
	state = eeh_op(container, VFIO_EEH_PE_GET_STATE);
	CHECK(state == VFIO_EEH_PE_STATE_NORMAL, "EEH: PE state normal again (%ld)", state);
	controller_enable(admin);
	id = dma_alloc(NVME_PAGE);
	cmd.prp1 = iova_of(id);
	CHECK(!submit_wait(admin, &cmd, NULL) && !memcmp(id + 4, serial, strlen(serial)),
	      "EEH: the controller identifies again after recovery");
}

int main(int argc, char **argv)
{
	struct vfio_region_info reg = { .argsz = sizeof(reg) };
	struct vfio_iommu_spapr_register_memory prereg = { .argsz = sizeof(prereg) };
	struct vfio_iommu_spapr_tce_create create = { .argsz = sizeof(create) };
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct queue admin, io;
	struct vfio_ctx ctx;
	uint64_t *prp_list, sum = 0, i, lba_size, mib;
	uint8_t *idbuf, *wbuf, *rbuf;
	unsigned int page_shift, levels;
	struct nvme_sqe cmd;
	uint16_t command;
	char model[41], serial[21], path[64], link[64];
	bool v1 = getenv("DDW_V1");
	size_t align;
	int grp, st;
	ssize_t n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 6) {
		fprintf(stderr, "usage: nvme_vfio BDF SERIAL PAGE_SHIFT LEVELS MIB\n");
		return 2;
	}
	page_shift = atoi(argv[3]);
	levels = atoi(argv[4]);
	mib = atoi(argv[5]);
	if (v1)
		CHECK(!page_shift, "a v1 container: the default window only");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", argv[1]);
	n = readlink(path, link, sizeof(link) - 1);
	CHECK(n > 0, "IOMMU group of %s", argv[1]);
	link[n] = '\0';
	grp = atoi(strrchr(link, '/') + 1);

	vfio_open(&ctx, grp);
	CHECK(xioctl(ctx.container, VFIO_SET_IOMMU,
		     (void *)(uintptr_t)(v1 ? VFIO_SPAPR_TCE_IOMMU : VFIO_SPAPR_TCE_v2_IOMMU)) == 0,
	      "SET_IOMMU %s", v1 ? "v1" : "v2");
	dev = ioctl(ctx.group, VFIO_GROUP_GET_DEVICE_FD, argv[1]);
	CHECK(dev >= 0, "device fd of %s", argv[1]);
	if (getenv("DDW_EEH"))
		CHECK(!eeh_op(ctx.container, VFIO_EEH_PE_ENABLE), "EEH: VFIO_EEH_PE_ENABLE");
	reg.index = VFIO_PCI_BAR0_REGION_INDEX;
	CHECK(!xioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &reg) && reg.size >= 0x2000, "BAR0");
	bar0 = reg.offset;
	reg.index = VFIO_PCI_CONFIG_REGION_INDEX;
	CHECK(!xioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &reg), "config space");
	CHECK(pread(dev, &command, 2, reg.offset + 4) == 2, "read PCI command");
	command |= 0x6;					/* memory space, bus master */
	CHECK(pwrite(dev, &command, 2, reg.offset + 4) == 2, "bus mastering on");

	/* The window: the queues, identify data, buffers and PRP lists. */
	dma_size = 2 * (mib << 20) + (4UL << 20) + 4 * (1UL << (page_shift ? page_shift : 16));
	/* Pre-registration wants whole system pages, mappings whole IOMMU pages. */
	align = 1UL << page_shift;
	if (align < (size_t)sysconf(_SC_PAGESIZE))
		align = sysconf(_SC_PAGESIZE);
	dma_size = (dma_size + align - 1) & ~(align - 1);
	/* DDW_HUGE=1: memory from hugepages, as large as the IOMMU page. */
	if (getenv("DDW_MEM_FILE")) {
		mem_fd = open(getenv("DDW_MEM_FILE"), O_RDWR);
		CHECK(mem_fd >= 0, "open %s", getenv("DDW_MEM_FILE"));
		dma = mmap(NULL, dma_size, PROT_READ | PROT_WRITE, MAP_SHARED, mem_fd, 0);
	} else {
		dma = mmap(NULL, dma_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
			   (getenv("DDW_HUGE") ? MAP_HUGETLB : 0), -1, 0);
	}
	CHECK(dma != MAP_FAILED, "mmap %lu MiB", (unsigned long)(dma_size >> 20));
	memset(dma, 0, dma_size);
	/* v1 pins at map time, once enabled; v2 maps pre-registered memory. */
	if (v1)
		CHECK(!xioctl(ctx.container, VFIO_IOMMU_ENABLE, NULL), "VFIO_IOMMU_ENABLE");
	else
		prereg_pieces(ctx.container, getenv("DDW_PREREG_PIECES") ?
			      atoi(getenv("DDW_PREREG_PIECES")) : 1, align);
	prereg.vaddr = (uintptr_t)dma;
	prereg.size = dma_size;
	if (page_shift) {
		create.page_shift = page_shift;
		/* At least 4 GiB and 512 pages (the smallest TVE table). */
		create.window_size = 1ULL << 32;
		while (create.window_size < dma_size ||
		       create.window_size < 512ULL << page_shift)
			create.window_size <<= 1;
		create.levels = levels;
		st = xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_CREATE, &create);
		CHECK(!st, "TCE_CREATE %llu GiB window of %u KiB pages, %u levels: %d",
		      (unsigned long long)create.window_size >> 30, 1U << (page_shift - 10),
		      levels, st);
	} else {
		struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };

		CHECK(!xioctl(ctx.container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info),
		      "the default window: 0x%x bytes at 0x%x", info.dma32_window_size,
		      info.dma32_window_start);
		create.start_addr = info.dma32_window_start;
	}
	dma_iova = create.start_addr + (1ULL << 24);	/* not at the window's start */
	map.vaddr = prereg.vaddr;
	map.size = dma_size;
	map.iova = dma_iova;
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	CHECK(!xioctl(ctx.container, VFIO_IOMMU_MAP_DMA, &map), "MAP_DMA at bus 0x%llx",
	      (unsigned long long)dma_iova);

	controller_enable(&admin);
	idbuf = dma_alloc(NVME_PAGE);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = 0x06;
	cmd.prp1 = iova_of(idbuf);
	cmd.cdw10 = 1;					/* CNS 1: controller */
	st = submit_wait(&admin, &cmd, NULL);
	CHECK(!st, "Identify Controller: status 0x%x", st);
	memcpy(serial, idbuf + 4, 20);
	serial[20] = '\0';
	memcpy(model, idbuf + 24, 40);
	model[40] = '\0';
	for (i = 19; i > 0 && serial[i] == ' '; i--)
		serial[i] = '\0';
	for (i = 39; i > 0 && model[i] == ' '; i--)
		model[i] = '\0';
	CHECK(!strcmp(model, "QEMU NVMe Ctrl") && !strcmp(serial, argv[2]),
	      "identified over DMA: model \"%s\", serial \"%s\"", model, serial);

	memset(idbuf, 0, NVME_PAGE);
	cmd.cdw10 = 0;					/* CNS 0: namespace */
	cmd.nsid = 1;
	CHECK(!submit_wait(&admin, &cmd, NULL), "Identify Namespace 1");
	lba_size = 1ULL << idbuf[128 + 4 * (idbuf[26] & 0xf) + 2];
	note("LBA size %llu", (unsigned long long)lba_size);

	queue_init(&io, 1);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opc = 0x05;					/* create I/O CQ */
	cmd.prp1 = io.cq_iova;
	cmd.cdw10 = 1 | (QDEPTH - 1) << 16;
	cmd.cdw11 = 1;					/* physically contiguous */
	CHECK(!submit_wait(&admin, &cmd, NULL), "Create I/O Completion Queue");
	cmd.opc = 0x01;					/* create I/O SQ */
	cmd.prp1 = io.sq_iova;
	cmd.cdw11 = 1 | 1 << 16;			/* contiguous, CQ 1 */
	CHECK(!submit_wait(&admin, &cmd, NULL), "Create I/O Submission Queue");

	wbuf = dma_alloc(mib << 20);
	rbuf = dma_alloc(mib << 20);
	prp_list = (uint64_t *)dma_alloc(NVME_PAGE);
	for (i = 0; i < (mib << 20) / 8; i++) {
		((uint64_t *)wbuf)[i] = pattern_word(i);
		sum += ((uint64_t *)wbuf)[i];
	}
	for (i = 0; i < (mib << 20); i += XFER)
		if ((st = rw(&io, 1, wbuf + i, (DISK_OFFSET + i) / lba_size, XFER / lba_size,
			     prp_list)))
			break;
	CHECK(i == (mib << 20), "wrote %llu MiB in %u KiB commands (status 0x%x)",
	      (unsigned long long)mib, XFER >> 10, st);
	/*
	 * A shared file mapping: written back and clean now, so that only the
	 * unmap's dirtying of what the device wrote can keep the read data.
	 */
	if (mem_fd >= 0) {
		CHECK(!msync(dma, dma_size, MS_SYNC) && !fsync(mem_fd), "the mapping synced clean");
		printf("read buffer at file offset %llu\n", (unsigned long long)(rbuf - dma));
	}
	for (i = 0; i < (mib << 20); i += XFER)
		if ((st = rw(&io, 0, rbuf + i, (DISK_OFFSET + i) / lba_size, XFER / lba_size,
			     prp_list)))
			break;
	CHECK(i == (mib << 20), "read them back into other buffers (status 0x%x)", st);
	CHECK(!memcmp(wbuf, rbuf, mib << 20), "%llu MiB compared byte for byte",
	      (unsigned long long)mib);
	printf("pattern sum 0x%llx\n", (unsigned long long)sum);

	/*
	 * Isolation: a buffer between two guards, one IOMMU page each; the
	 * buffer unmapped, a read into it must fail and change nothing.
	 */
	{
		size_t iopage = 1UL << (page_shift ? page_shift : 12);
		size_t span = iopage > XFER ? iopage : XFER;
		uint8_t *guard = dma_alloc_aligned(2 * iopage + span, iopage);
		uint8_t *victim = guard + iopage;
		struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };

		memset(guard, 0xa5, 2 * iopage + span);
		unmap.iova = iova_of(victim);
		unmap.size = span;
		CHECK(!xioctl(ctx.container, VFIO_IOMMU_UNMAP_DMA, &unmap),
		      "isolation: %zu KiB buffer unmapped at bus 0x%llx", span >> 10,
		      (unsigned long long)unmap.iova);
		/*
		 * Real PHBs fail such a DMA (and may freeze the PE); QEMU drops
		 * it and completes the command: what counts is the memory.
		 */
		st = rw(&io, 0, victim, DISK_OFFSET / lba_size, XFER / lba_size, prp_list);
		CHECK(st >= 0, "isolation: a read into it completes, status 0x%x%s", st,
		      st ? " (a DMA error)" : " (the emulator drops the DMA)");
		for (i = 0; i < 2 * iopage + span && guard[i] == 0xa5; i++)
			;
		CHECK(i == 2 * iopage + span,
		      "isolation: the buffer and its guard pages are untouched");
		if (getenv("DDW_EEH"))
			eeh_recover(ctx.container, &admin, argv[2]);
	}
	/* For an independent check of the disk through the kernel's driver. */
	if (getenv("DDW_PATTERN_OUT")) {
		int fd = open(getenv("DDW_PATTERN_OUT"), O_WRONLY | O_CREAT | O_TRUNC, 0644);

		CHECK(fd >= 0 && write(fd, wbuf, mib << 20) == (ssize_t)(mib << 20),
		      "pattern saved to %s", getenv("DDW_PATTERN_OUT"));
		close(fd);
	}

	if (getenv("DDW_SHOW_STATE")) {
		static char state[4096];

		container_states(state, sizeof(state));
		printf("container state (spapr-tce-v2 debugfs):\n%s", state);
	}
	wr32(0x14, 0);					/* disable before unmapping */
	close(dev);
	vfio_close(&ctx);
	return 0;
}
