/* SPDX-License-Identifier: GPL-2.0-only */
/* vfio_fuzz's calls and the memory they use, from a seed. */
#ifndef SPAPR_DDW_TEST_FUZZ_GEN_H
#define SPAPR_DDW_TEST_FUZZ_GEN_H

#include <stdint.h>

#include "fuzz_model.h"

/*
 * Not an ioctl: close the container with whatever it holds, check that
 * nothing is left, open a new one (whose default window is pending again).
 */
#define FUZZ_REOPEN	((enum fm_op)(FM_UNKNOWN + 1))

/* Regions of the pool, read-write, then read-only; between them and around, holes. */
#define FUZZ_POOL	6
#define FUZZ_POOL_RO	1

/* The pool, made on the first call, filled: FUZZ_POOL + FUZZ_POOL_RO regions. */
const struct fm_range *fuzz_pool(void);
/* Seed the generator; @m is read for each call generated. */
void fuzz_gen_init(uint64_t seed, const struct fm *m);
/* The next call, aimed at @m's state. */
void fuzz_generate(struct fm_call *c);

#endif
