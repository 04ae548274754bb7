// SPDX-License-Identifier: GPL-2.0-only
/* Loads fine but WARNs: the harness must fail the run that loads it. */
#include <linux/module.h>

static int __init ddw_harness_warn_init(void)
{
	WARN(1, "ddw_harness_warn: deliberate warning\n");
	return 0;
}

static void __exit ddw_harness_warn_exit(void)
{
}

module_init(ddw_harness_warn_init);
module_exit(ddw_harness_warn_exit);
MODULE_DESCRIPTION("spapr-ddw harness self-test: a module that warns");
MODULE_LICENSE("GPL");
