// SPDX-License-Identifier: GPL-2.0-only
/* Refuses to load: the harness must report the load test as failed. */
#include <linux/module.h>

static int __init ddw_harness_fail_init(void)
{
	return -ENODEV;
}

module_init(ddw_harness_fail_init);
MODULE_DESCRIPTION("spapr-ddw harness self-test: a module that fails to load");
MODULE_LICENSE("GPL");
