// SPDX-License-Identifier: GPL-2.0
/*
 * rfl_gpio_irq: an in-kernel consumer of one GPIO line interrupt, for the
 * trigger types user space cannot ask for (the GPIO uAPI has edges only).
 * At load it requests the interrupt of line @line of the chip labelled
 * @chip with @trigger; its threaded handler counts in @count and sleeps
 * @pace_ms, so a level that stays asserted is seen every @pace_ms rather
 * than as an interrupt storm. Unload frees it.
 */
#include <linux/delay.h>
#include <linux/gpio/consumer.h>
#include <linux/gpio/driver.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/string.h>

static char *chip = "9030000.pl061";
module_param(chip, charp, 0444);
MODULE_PARM_DESC(chip, "Label of the gpio chip (default 9030000.pl061)");

static unsigned int line = 3;
module_param(line, uint, 0444);
MODULE_PARM_DESC(line, "Line offset (default 3)");

static char *trigger = "rising";
module_param(trigger, charp, 0444);
MODULE_PARM_DESC(trigger, "rising, falling, both, high, low or none (default rising)");

static unsigned int pace_ms = 20;
module_param(pace_ms, uint, 0444);
MODULE_PARM_DESC(pace_ms, "Sleep in the handler, in ms (default 20)");

static unsigned int count;
module_param(count, uint, 0444);
MODULE_PARM_DESC(count, "Interrupts handled so far (read only)");

static int irq;

static const struct {
	const char *name;
	unsigned long flags;
} triggers[] = {
	{ "rising", IRQF_TRIGGER_RISING },
	{ "falling", IRQF_TRIGGER_FALLING },
	{ "both", IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING },
	{ "high", IRQF_TRIGGER_HIGH },
	{ "low", IRQF_TRIGGER_LOW },
	/* no trigger: the line's type stays IRQ_TYPE_NONE, set_type is not called */
	{ "none", IRQF_TRIGGER_NONE },
};

static irqreturn_t rfl_gpio_irq_thread(int irq, void *data)
{
	WRITE_ONCE(count, READ_ONCE(count) + 1);
	msleep(pace_ms);
	return IRQ_HANDLED;
}

static int __init rfl_gpio_irq_init(void)
{
	struct gpio_device *gdev;
	struct gpio_desc *desc;
	unsigned long flags = 0;
	bool known = false;
	int ret;

	for (int i = 0; i < ARRAY_SIZE(triggers); i++) {
		if (!strcmp(trigger, triggers[i].name)) {
			flags = triggers[i].flags;
			known = true;
		}
	}
	if (!known)
		return -EINVAL;

	gdev = gpio_device_find_by_label(chip);
	if (!gdev)
		return -ENODEV;
	desc = gpio_device_get_desc(gdev, line);
	irq = IS_ERR(desc) ? PTR_ERR(desc) : gpiod_to_irq(desc);
	gpio_device_put(gdev);
	if (irq < 0)
		return irq;
	if (!irq)
		return -ENXIO;

	/* Oneshot: the line stays masked until the thread has run. */
	ret = request_threaded_irq(irq, NULL, rfl_gpio_irq_thread,
				   flags | IRQF_ONESHOT, "rfl_gpio_irq", NULL);
	return ret;
}

static void __exit rfl_gpio_irq_exit(void)
{
	free_irq(irq, NULL);
}

module_init(rfl_gpio_irq_init);
module_exit(rfl_gpio_irq_exit);

MODULE_DESCRIPTION("Test helper: count one GPIO line's interrupts, any trigger");
MODULE_LICENSE("GPL");
