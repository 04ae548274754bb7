/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What differs in the memory-management interfaces the TCE table engine
 * uses, between the kernel versions spapr-ddw builds for.  Kept apart from
 * compat.h so that the engine's KUnit graft needs no IOMMU declarations.
 * kbuild.mk (or kunit/Makefile.graft) defines SPAPR_DDW_LINUX_6_1 or
 * SPAPR_DDW_LINUX_6_12.
 */
#ifndef _PNV_DDW_COMPAT_MM_H
#define _PNV_DDW_COMPAT_MM_H

#include <linux/mmzone.h>

#if defined(SPAPR_DDW_LINUX_6_1)
/* The largest order the page allocator gives: MAX_ORDER is exclusive. */
#define COMPAT_MAX_PAGE_ORDER	(MAX_ORDER - 1)
#elif defined(SPAPR_DDW_LINUX_6_12)
/* 6.8 renamed the inclusive MAX_ORDER of 6.4-6.7 to MAX_PAGE_ORDER. */
#define COMPAT_MAX_PAGE_ORDER	MAX_PAGE_ORDER
#else
#error "spapr-ddw: kbuild.mk names no supported kernel version"
#endif

#endif /* _PNV_DDW_COMPAT_MM_H */
