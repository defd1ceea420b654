// SPDX-License-Identifier: GPL-2.0
/*
 * rfl_pl061_loss: while loaded, a system suspend leaves the PL061 as a
 * powered-down one comes back: registers at their reset values (all
 * inputs, edge sense falling, everything masked) and, before its driver
 * resumes, a falling edge on @line latched under that reset sense. QEMU's
 * PL061 keeps its registers across a suspend, so without this a driver's
 * resume never meets a stale latched edge.
 *
 * Its suspend callback must run after the PL061 driver's and before that
 * driver's resume: a device link makes the PL061 its consumer, which puts
 * it before the PL061 in the PM core's order.
 */
#include <linux/amba/bus.h>
#include <linux/bits.h>
#include <linux/device.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/sizes.h>

#include "../../drivers/gpio_pl061/pl061_regs.h"

static char *pl061_name = "9030000.pl061";
module_param_named(dev, pl061_name, charp, 0444);
MODULE_PARM_DESC(dev, "The PL061's AMBA device name (default 9030000.pl061)");

static unsigned int line = 3;
module_param(line, uint, 0444);
MODULE_PARM_DESC(line, "Line that sees a falling edge while reset (default 3)");

static unsigned int suspends;
module_param(suspends, uint, 0444);
MODULE_PARM_DESC(suspends, "Suspends that reset the PL061 so far (read only)");

static unsigned int ris;
module_param(ris, uint, 0444);
MODULE_PARM_DESC(ris, "GPIORIS after the last reset and edge (read only)");

static struct device *pl061;
static void __iomem *base;
static struct platform_device *pdev;
static struct device_link *link;

static int rfl_pl061_loss_suspend(struct device *dev)
{
	/* DDI 0190B reset values; a real reset also drops what was latched. */
	writeb(0, base + GPIOIE);
	writeb(0, base + GPIOIS);
	writeb(0, base + GPIOIBE);
	writeb(0, base + GPIOIEV);
	writeb(0, base + GPIODIR);
	writeb(0xff, base + GPIOIC);
	/*
	 * QEMU's model latches an edge when an input's value changes; the
	 * value of a line is set through a short spell as an output: high
	 * (a rising edge, not latched under the falling sense), then low.
	 */
	writeb(BIT(line), base + GPIODIR);
	writeb(0xff, base + GPIODATA(line));
	writeb(0, base + GPIODIR);
	writeb(BIT(line), base + GPIODIR);
	writeb(0, base + GPIODATA(line));
	writeb(0, base + GPIODIR);
	WRITE_ONCE(ris, readb(base + GPIORIS));
	WRITE_ONCE(suspends, READ_ONCE(suspends) + 1);
	return 0;
}

static const struct dev_pm_ops rfl_pl061_loss_pm = {
	.suspend = rfl_pl061_loss_suspend,
};

static int rfl_pl061_loss_probe(struct platform_device *p)
{
	return 0;
}

static struct platform_driver rfl_pl061_loss_driver = {
	.driver = {
		.name = "rfl_pl061_loss",
		.pm = &rfl_pl061_loss_pm,
	},
	.probe = rfl_pl061_loss_probe,
};

static int __init rfl_pl061_loss_init(void)
{
	int ret;

	if (line > 7)
		return -EINVAL;
	pl061 = bus_find_device_by_name(&amba_bustype, NULL, pl061_name);
	if (!pl061)
		return -ENODEV;
	ret = -ENOMEM;
	base = ioremap(to_amba_device(pl061)->res.start, SZ_4K);
	if (!base)
		goto err_put_pl061;
	ret = platform_driver_register(&rfl_pl061_loss_driver);
	if (ret)
		goto err_unmap;
	pdev = platform_device_register_simple("rfl_pl061_loss", -1, NULL, 0);
	if (IS_ERR(pdev)) {
		ret = PTR_ERR(pdev);
		goto err_unregister_driver;
	}
	/* The PL061 suspends before us and resumes after us. */
	link = device_link_add(pl061, &pdev->dev, DL_FLAG_STATELESS);
	if (!link) {
		ret = -EINVAL;
		goto err_unregister_device;
	}
	return 0;

err_unregister_device:
	platform_device_unregister(pdev);
err_unregister_driver:
	platform_driver_unregister(&rfl_pl061_loss_driver);
err_unmap:
	iounmap(base);
err_put_pl061:
	put_device(pl061);
	return ret;
}

static void __exit rfl_pl061_loss_exit(void)
{
	device_link_del(link);
	platform_device_unregister(pdev);
	platform_driver_unregister(&rfl_pl061_loss_driver);
	iounmap(base);
	put_device(pl061);
}

module_init(rfl_pl061_loss_init);
module_exit(rfl_pl061_loss_exit);

MODULE_DESCRIPTION("Test helper: the PL061 loses its registers and latches an edge in a suspend");
MODULE_LICENSE("GPL");
