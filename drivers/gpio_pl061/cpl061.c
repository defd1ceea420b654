// SPDX-License-Identifier: GPL-2.0
/*
 * cpl061: the ARM PrimeCell PL061 GPIO controller, 8 lines and an
 * interrupt controller for them, as an AMBA driver.
 *
 * Mirrored against the mainline gpio-pl061 (drivers/gpio/gpio-pl061.c) and
 * the Rust gpio_pl061 of the Rust-for-Linux tree: same features, same
 * order. Data sheet: ARM DDI 0190B, "PrimeCell GPIO (PL061) Technical
 * Reference Manual".
 *
 *   probe      cpl061_probe(): map, mask every interrupt, register a
 *              gpio_chip with an irq chip (all devm)
 *   logic      gpio ops (cpl061_get ... cpl061_direction_output), irq chip
 *              ops (cpl061_irq_*), chained handler cpl061_irq_handler()
 *   PM         cpl061_suspend() / cpl061_resume() save and restore the
 *              registers
 *   cleanup    devm, in reverse order of probe; no remove function
 *
 * Both this driver and gpio-pl061 match the same AMBA id; README.md says
 * how to move the device from one to the other.
 */
#include <linux/amba/bus.h>
#include <linux/bitops.h>
#include <linux/cleanup.h>
#include <linux/gpio/driver.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/irq.h>
#include <linux/irqchip/chained_irq.h>
#include <linux/module.h>
#include <linux/pm.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>

#include "pl061_regs.h"

#define CPL061_NR_LINES	8

/* What a suspend keeps of the registers, to write back on resume. */
struct cpl061_saved {
	u8 data;	/* output values */
	u8 dir;
	u8 is;
	u8 ibe;
	u8 iev;
	u8 ie;
};

struct cpl061 {
	/*
	 * Read-modify-write of the shared registers (GPIODIR, GPIOIS,
	 * GPIOIBE, GPIOIEV, GPIOIE). Raw: the irq chip ops run under the
	 * irq descriptor's raw lock, also on PREEMPT_RT.
	 */
	raw_spinlock_t lock;
	/*
	 * Lines with a trigger (set_type with one): only they are unmasked in
	 * GPIOIE. A line requested without one keeps IRQ_TYPE_NONE and
	 * handle_bad_irq, which never acks: enabled, the reset sense (falling
	 * edge) would latch an edge nobody clears and the parent would fire
	 * for ever. Under the lock.
	 */
	u8 typed;
	void __iomem *base;
	struct gpio_chip gc;
	int parent_irq;
	struct cpl061_saved saved;
};

/* ---- gpio ops ---------------------------------------------------------- */

static int cpl061_get_direction(struct gpio_chip *gc, unsigned int line)
{
	struct cpl061 *pl = gpiochip_get_data(gc);

	if (readb(pl->base + GPIODIR) & BIT(line))
		return GPIO_LINE_DIRECTION_OUT;
	return GPIO_LINE_DIRECTION_IN;
}

/* Set or clear @bits in register @reg, under the lock. */
static void cpl061_update_bits(struct cpl061 *pl, unsigned int reg, u8 bits,
			       bool set)
{
	u8 val = readb(pl->base + reg);

	writeb(set ? val | bits : val & ~bits, pl->base + reg);
}

static int cpl061_direction_input(struct gpio_chip *gc, unsigned int line)
{
	struct cpl061 *pl = gpiochip_get_data(gc);

	guard(raw_spinlock_irqsave)(&pl->lock);
	cpl061_update_bits(pl, GPIODIR, BIT(line), false);
	return 0;
}

static int cpl061_direction_output(struct gpio_chip *gc, unsigned int line,
				   int value)
{
	struct cpl061 *pl = gpiochip_get_data(gc);
	u8 bit = value ? BIT(line) : 0;

	guard(raw_spinlock_irqsave)(&pl->lock);
	/*
	 * The value goes in before the switch, so a PL061 that latches data
	 * for inputs drives it at once, and again after it: one that ignores
	 * data writes to inputs (QEMU's does) would otherwise keep the old
	 * value.
	 */
	writeb(bit, pl->base + GPIODATA(line));
	cpl061_update_bits(pl, GPIODIR, BIT(line), true);
	writeb(bit, pl->base + GPIODATA(line));
	return 0;
}

static int cpl061_get(struct gpio_chip *gc, unsigned int line)
{
	struct cpl061 *pl = gpiochip_get_data(gc);

	/* Reads back the driven value of outputs, the pin of inputs. */
	return !!readb(pl->base + GPIODATA(line));
}

static int cpl061_set(struct gpio_chip *gc, unsigned int line, int value)
{
	struct cpl061 *pl = gpiochip_get_data(gc);

	/* The address mask makes this one write atomic: no lock needed. */
	writeb(value ? BIT(line) : 0, pl->base + GPIODATA(line));
	return 0;
}

/* ---- irq chip ---------------------------------------------------------- */

static struct cpl061 *irqd_to_cpl061(struct irq_data *d)
{
	return gpiochip_get_data(irq_data_get_irq_chip_data(d));
}

static int cpl061_irq_set_type(struct irq_data *d, unsigned int type)
{
	struct cpl061 *pl = irqd_to_cpl061(d);
	irq_hw_number_t line = irqd_to_hwirq(d);
	irq_flow_handler_t handler;
	bool level, both, high;
	u8 bit = BIT(line);

	if ((type & IRQ_TYPE_LEVEL_MASK) && (type & IRQ_TYPE_EDGE_BOTH)) {
		dev_err(pl->gc.parent, "line %lu: level and edge at once\n",
			line);
		return -EINVAL;
	}
	level = type & IRQ_TYPE_LEVEL_MASK;
	both = (type & IRQ_TYPE_EDGE_BOTH) == IRQ_TYPE_EDGE_BOTH;
	high = type & (IRQ_TYPE_LEVEL_HIGH | IRQ_TYPE_EDGE_RISING);
	if (level)
		handler = handle_level_irq;
	else if (type & IRQ_TYPE_EDGE_BOTH)
		handler = handle_edge_irq;
	else
		handler = handle_bad_irq;	/* IRQ_TYPE_NONE: detect nothing */

	scoped_guard(raw_spinlock_irqsave, &pl->lock) {
		if (type == IRQ_TYPE_NONE) {
			pl->typed &= ~bit;
			cpl061_update_bits(pl, GPIOIE, bit, false);
		} else {
			pl->typed |= bit;
		}
		cpl061_update_bits(pl, GPIOIS, bit, level);
		cpl061_update_bits(pl, GPIOIBE, bit, both);
		cpl061_update_bits(pl, GPIOIEV, bit, high);
		/*
		 * An edge latched under the old sense (or while the line was
		 * an output) is not an event of the new one: clear it before
		 * the line is unmasked, as the PL061-derived Stellaris data
		 * sheets prescribe.
		 */
		writeb(bit, pl->base + GPIOIC);
	}
	irq_set_handler_locked(d, handler);
	return 0;
}

static void cpl061_irq_mask(struct irq_data *d)
{
	struct cpl061 *pl = irqd_to_cpl061(d);

	scoped_guard(raw_spinlock, &pl->lock)
		cpl061_update_bits(pl, GPIOIE, BIT(irqd_to_hwirq(d)), false);
	gpiochip_disable_irq(&pl->gc, irqd_to_hwirq(d));
}

static void cpl061_irq_unmask(struct irq_data *d)
{
	struct cpl061 *pl = irqd_to_cpl061(d);

	gpiochip_enable_irq(&pl->gc, irqd_to_hwirq(d));
	scoped_guard(raw_spinlock, &pl->lock)
		cpl061_update_bits(pl, GPIOIE, BIT(irqd_to_hwirq(d)) & pl->typed, true);
}

/*
 * Edge interrupts stay latched until cleared; handle_edge_irq() acks before
 * the handler runs so an edge during it is not lost. Level interrupts
 * follow the pin, the ack only drops the copy latched so far.
 */
static void cpl061_irq_ack(struct irq_data *d)
{
	struct cpl061 *pl = irqd_to_cpl061(d);

	/* GPIOIC is write-one-to-clear: no read-modify-write, no lock. */
	writeb(BIT(irqd_to_hwirq(d)), pl->base + GPIOIC);
}

static int cpl061_irq_set_wake(struct irq_data *d, unsigned int on)
{
	/* Every line shares the one interrupt to the GIC. */
	return irq_set_irq_wake(irqd_to_cpl061(d)->parent_irq, on);
}

static void cpl061_irq_print_chip(struct irq_data *d, struct seq_file *p)
{
	seq_puts(p, dev_name(irqd_to_cpl061(d)->gc.parent));
}

static const struct irq_chip cpl061_irq_chip = {
	.irq_ack = cpl061_irq_ack,
	.irq_mask = cpl061_irq_mask,
	.irq_unmask = cpl061_irq_unmask,
	.irq_set_type = cpl061_irq_set_type,
	.irq_set_wake = cpl061_irq_set_wake,
	.irq_print_chip = cpl061_irq_print_chip,
	.flags = IRQCHIP_IMMUTABLE,
	GPIOCHIP_IRQ_RESOURCE_HELPERS,
};

/* The GIC interrupt of the PL061: dispatch every line that is pending. */
static void cpl061_irq_handler(struct irq_desc *desc)
{
	struct gpio_chip *gc = irq_desc_get_handler_data(desc);
	struct irq_chip *parent = irq_desc_get_chip(desc);
	struct cpl061 *pl = gpiochip_get_data(gc);
	unsigned long pending;
	unsigned int line;

	chained_irq_enter(parent, desc);
	pending = readb(pl->base + GPIOMIS);
	for_each_set_bit(line, &pending, CPL061_NR_LINES)
		generic_handle_domain_irq(gc->irq.domain, line);
	chained_irq_exit(parent, desc);
}

/* ---- probe ------------------------------------------------------------- */

static int cpl061_add_irq_chip(struct cpl061 *pl, int irq)
{
	struct gpio_irq_chip *girq = &pl->gc.irq;
	struct device *dev = pl->gc.parent;

	pl->parent_irq = irq;
	gpio_irq_chip_set_chip(girq, &cpl061_irq_chip);
	girq->parent_handler = cpl061_irq_handler;
	girq->num_parents = 1;
	girq->parents = devm_kcalloc(dev, 1, sizeof(*girq->parents),
				     GFP_KERNEL);
	if (!girq->parents)
		return -ENOMEM;
	girq->parents[0] = irq;
	/* set_type picks the flow handler when a line is requested */
	girq->default_type = IRQ_TYPE_NONE;
	girq->handler = handle_bad_irq;
	return 0;
}

static int cpl061_probe(struct amba_device *adev, const struct amba_id *id)
{
	struct device *dev = &adev->dev;
	struct cpl061 *pl;
	int ret;

	pl = devm_kzalloc(dev, sizeof(*pl), GFP_KERNEL);
	if (!pl)
		return -ENOMEM;
	pl->base = devm_ioremap_resource(dev, &adev->res);
	if (IS_ERR(pl->base))
		return PTR_ERR(pl->base);
	raw_spin_lock_init(&pl->lock);

	/* No line interrupts until a line is requested as one. */
	writeb(0, pl->base + GPIOIE);
	writeb(0xff, pl->base + GPIOIC);

	pl->gc.label = dev_name(dev);
	pl->gc.parent = dev;
	pl->gc.owner = THIS_MODULE;
	pl->gc.base = -1;
	pl->gc.ngpio = CPL061_NR_LINES;
	pl->gc.request = gpiochip_generic_request;
	pl->gc.free = gpiochip_generic_free;
	pl->gc.get_direction = cpl061_get_direction;
	pl->gc.direction_input = cpl061_direction_input;
	pl->gc.direction_output = cpl061_direction_output;
	pl->gc.get = cpl061_get;
	pl->gc.set = cpl061_set;

	if (adev->irq[0]) {
		ret = cpl061_add_irq_chip(pl, adev->irq[0]);
		if (ret)
			return ret;
	} else {
		dev_warn(dev, "no interrupt: lines work, line events do not\n");
	}

	/* Before the chip is visible: PM callbacks may run from then on. */
	amba_set_drvdata(adev, pl);
	ret = devm_gpiochip_add_data(dev, &pl->gc, pl);
	if (ret)
		return dev_err_probe(dev, ret, "cannot add the gpio chip\n");
	return 0;
}

/* ---- PM ---------------------------------------------------------------- */

/*
 * The PL061 may lose its registers while the system sleeps: keep them.
 * Also used for hibernation (freeze/restore) through the simple PM ops.
 */
static int cpl061_suspend(struct device *dev)
{
	struct cpl061 *pl = dev_get_drvdata(dev);
	struct cpl061_saved *s = &pl->saved;

	guard(raw_spinlock_irqsave)(&pl->lock);
	s->dir = readb(pl->base + GPIODIR);
	s->data = readb(pl->base + GPIODATA_ALL) & s->dir;
	s->is = readb(pl->base + GPIOIS);
	s->ibe = readb(pl->base + GPIOIBE);
	s->iev = readb(pl->base + GPIOIEV);
	s->ie = readb(pl->base + GPIOIE);
	return 0;
}

static int cpl061_resume(struct device *dev)
{
	struct cpl061 *pl = dev_get_drvdata(dev);
	struct cpl061_saved *s = &pl->saved;

	guard(raw_spinlock_irqsave)(&pl->lock);
	/* Outputs: value, direction, value again, as direction_output(). */
	writeb(s->data, pl->base + GPIODATA_ALL);
	writeb(s->dir, pl->base + GPIODIR);
	writeb(s->data, pl->base + GPIODATA_ALL);
	writeb(s->is, pl->base + GPIOIS);
	writeb(s->ibe, pl->base + GPIOIBE);
	writeb(s->iev, pl->base + GPIOIEV);
	/*
	 * As in set_type: an edge latched while the registers were lost
	 * (reset sense, falling edge) or by the writes above is no event of
	 * the restored sense; clear it before the lines are unmasked.
	 */
	writeb(0xff, pl->base + GPIOIC);
	writeb(s->ie, pl->base + GPIOIE);
	return 0;
}

static DEFINE_SIMPLE_DEV_PM_OPS(cpl061_pm_ops, cpl061_suspend, cpl061_resume);

/* ---- driver ------------------------------------------------------------ */

/* Peripheral id 0x?0041061: ARM (0x41), part 0x061; any revision. */
static const struct amba_id cpl061_ids[] = {
	{ .id = 0x00041061, .mask = 0x000fffff },
	{ }
};
MODULE_DEVICE_TABLE(amba, cpl061_ids);

static struct amba_driver cpl061_driver = {
	.drv = {
		.name = "cpl061",
		.pm = pm_sleep_ptr(&cpl061_pm_ops),
	},
	.id_table = cpl061_ids,
	.probe = cpl061_probe,
};
module_amba_driver(cpl061_driver);

MODULE_DESCRIPTION("ARM PrimeCell PL061 GPIO controller (rfl-drivers C twin)");
MODULE_LICENSE("GPL");
