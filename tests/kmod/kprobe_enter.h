/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For the test modules' kprobe pre-handlers: run @fn instead of the probed
 * function, with the probed function's arguments and return address.
 */
#ifndef _DDW_TEST_KPROBE_ENTER_H
#define _DDW_TEST_KPROBE_ENTER_H

#include <asm/ptrace.h>

/* Enter @fn as the caller would have (ELFv2: global entry in r12). */
static inline int kprobe_enter(struct pt_regs *regs, void *fn)
{
	regs->gpr[12] = (unsigned long)fn;
	regs_set_return_ip(regs, (unsigned long)fn);
	return 1;
}

#endif /* _DDW_TEST_KPROBE_ENTER_H */
