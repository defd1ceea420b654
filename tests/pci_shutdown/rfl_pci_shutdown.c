// SPDX-License-Identifier: GPL-2.0
/*
 * rfl_pci_shutdown: at load, run the shutdown callback of the driver bound
 * to the e1000 PCI device @dev (what reboot, kexec and power off run), see
 * whether the NIC can still move frames by DMA, then bring it back with
 * the driver's resume callback so the guest goes on. Results in the
 * read-only parameters; the load fails with EOPNOTSUPP for a driver that
 * has no shutdown or no resume callback.
 */
#include <linux/device.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

/* The 8254x register map, as ce1000 has it. */
#include "../../drivers/e1000/ce1000.h"

static char *dev_name_param = "";
module_param_named(dev, dev_name_param, charp, 0444);
MODULE_PARM_DESC(dev, "PCI address of the NIC, e.g. 0000:00:02.0");

static unsigned int rctl_before, rctl, tctl, rdh, rdt, command;
module_param(rctl_before, uint, 0444);
MODULE_PARM_DESC(rctl_before, "RCTL before the shutdown (read only)");
module_param(rctl, uint, 0444);
MODULE_PARM_DESC(rctl, "RCTL after the shutdown (read only)");
module_param(tctl, uint, 0444);
MODULE_PARM_DESC(tctl, "TCTL after the shutdown (read only)");
module_param(rdh, uint, 0444);
MODULE_PARM_DESC(rdh, "RX descriptor head after the shutdown (read only)");
module_param(rdt, uint, 0444);
MODULE_PARM_DESC(rdt, "RX descriptor tail after the shutdown (read only)");
module_param(command, uint, 0444);
MODULE_PARM_DESC(command, "PCI command register after the shutdown (read only)");

static int rfl_shutdown_and_resume(struct pci_dev *pdev)
{
	struct pci_driver *drv = to_pci_driver(pdev->dev.driver);
	void __iomem *regs;
	u16 cmd;
	int ret;

	if (!drv->shutdown || !drv->driver.pm || !drv->driver.pm->resume)
		return -EOPNOTSUPP;
	/* Mapped again here: the driver's mapping is its own business. */
	regs = pci_iomap(pdev, 0, 0);
	if (!regs)
		return -ENOMEM;
	rctl_before = readl(regs + RCTL);
	drv->shutdown(pdev);
	rctl = readl(regs + RCTL);
	tctl = readl(regs + TCTL);
	rdh = readl(regs + RDH);
	rdt = readl(regs + RDT);
	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	command = cmd;
	pci_iounmap(pdev, regs);
	ret = drv->driver.pm->resume(&pdev->dev);
	dev_info(&pdev->dev, "shutdown: RCTL %#x -> %#x, TCTL %#x, RDH %u RDT %u, command %#x; resume %d\n",
		 rctl_before, rctl, tctl, rdh, rdt, command, ret);
	return ret;
}

static int __init rfl_pci_shutdown_init(void)
{
	struct device *dev;
	int ret = -ENODEV;

	dev = bus_find_device_by_name(&pci_bus_type, NULL, dev_name_param);
	if (!dev)
		return -ENODEV;
	/* The driver stays bound while its callbacks run. */
	device_lock(dev);
	if (dev->driver)
		ret = rfl_shutdown_and_resume(to_pci_dev(dev));
	device_unlock(dev);
	put_device(dev);
	return ret;
}

static void __exit rfl_pci_shutdown_exit(void)
{
}

module_init(rfl_pci_shutdown_init);
module_exit(rfl_pci_shutdown_exit);

MODULE_DESCRIPTION("Test helper: run a NIC driver's shutdown, check its DMA is off, resume it");
MODULE_LICENSE("GPL");
