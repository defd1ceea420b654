// SPDX-License-Identifier: GPL-2.0
/*
 * chello: the smallest useful module, the C half of the first lesson.
 *
 * init checks its parameter and greets, exit says goodbye; rhello.rs is the
 * same module in Rust, line for line.
 */
#include <linux/module.h>
#include <linux/printk.h>

#define CHELLO_MAX_GREETINGS 8

static unsigned int greetings = 1;
module_param(greetings, uint, 0444);
MODULE_PARM_DESC(greetings, "Greetings printed at load, 1.."
		 __stringify(CHELLO_MAX_GREETINGS) " (default 1)");

static int __init chello_init(void)
{
	unsigned int i;

	/* A bad parameter fails the load: nothing is set up yet to undo. */
	if (greetings < 1 || greetings > CHELLO_MAX_GREETINGS) {
		pr_err("chello: greetings=%u is out of range 1..%u\n",
		       greetings, CHELLO_MAX_GREETINGS);
		return -EINVAL;
	}

	for (i = 0; i < greetings; i++)
		pr_info("chello: hello from C (%u of %u)\n", i + 1, greetings);
	return 0;
}

static void __exit chello_exit(void)
{
	pr_info("chello: goodbye from C\n");
}

module_init(chello_init);
module_exit(chello_exit);

MODULE_DESCRIPTION("Hello module: the C half of the first lesson");
MODULE_AUTHOR("rfl-drivers");
MODULE_LICENSE("GPL");
