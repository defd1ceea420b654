// SPDX-License-Identifier: GPL-2.0
/*
 * rfl_splat: plants a kernel warning on purpose, so the test runner can
 * prove that it catches one. Loading it with what=warn WARNs once and
 * then fails the load, so nothing stays behind.
 */
#include <linux/bug.h>
#include <linux/module.h>
#include <linux/string.h>

static char *what = "none";
module_param(what, charp, 0444);
MODULE_PARM_DESC(what, "Splat to plant at load: none or warn (default none)");

static int __init rfl_splat_init(void)
{
	if (!strcmp(what, "warn")) {
		WARN(1, "rfl_splat: planted warning for the runner self-test\n");
		return -EAGAIN;
	}
	if (strcmp(what, "none"))
		return -EINVAL;
	return 0;
}

static void __exit rfl_splat_exit(void)
{
}

module_init(rfl_splat_init);
module_exit(rfl_splat_exit);

MODULE_DESCRIPTION("Plants a kernel warning for the test runner's self-test");
MODULE_LICENSE("GPL");
