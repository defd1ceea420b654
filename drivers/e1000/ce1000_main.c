// SPDX-License-Identifier: GPL-2.0
/*
 * ce1000: a PCI network driver for the Intel 82540EM (8086:100e), the
 * e1000 that QEMU emulates, mirrored against the Rust e1000 port of the
 * "Empirical Study of Rust-for-Linux" paper (fujita/rust-e1000) and
 * checked against mainline e1000.
 *
 *   probe   ce1000_probe(): PCI, BAR0, DMA mask, reset, EEPROM MAC, PHY,
 *           register the net_device
 *   open    ce1000_open(): rings, IRQ, ce1000_up()
 *   logic   ce1000_xmit(), ce1000_intr() -> ce1000_poll() (NAPI),
 *           ce1000_watchdog() (link, statistics)
 *   stop    ce1000_stop(): ce1000_down(), IRQ, rings
 *   PM      ce1000_suspend() / ce1000_resume(): down and reset, then reset
 *           and up; ce1000_shutdown(): down and reset for reboot and kexec
 *   remove  ce1000_remove(): the reverse of probe
 *
 * Files: ce1000_hw.c (device registers), ce1000_ring.c (rings and data
 * path), ce1000_ethtool.c, and this one (PCI, net_device, IRQ, NAPI).
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/rtnetlink.h>

#include "ce1000.h"

/* ---- Module parameters -------------------------------------------------- */

static unsigned int tx_ring_size = CE1000_RING_DEFAULT;
module_param(tx_ring_size, uint, 0444);
MODULE_PARM_DESC(tx_ring_size, "TX descriptors, 48..4096, rounded up to 8 (default 256)");

static unsigned int rx_ring_size = CE1000_RING_DEFAULT;
module_param(rx_ring_size, uint, 0444);
MODULE_PARM_DESC(rx_ring_size, "RX descriptors, 48..4096, rounded up to 8 (default 256)");

static bool prefetch_param = true;
module_param_named(prefetch, prefetch_param, bool, 0444);
MODULE_PARM_DESC(prefetch, "Prefetch in the RX path as mainline e1000 does (default on; at run time: ethtool private flag)");

static unsigned int itr = CE1000_ITR_DEFAULT;
module_param(itr, uint, 0444);
MODULE_PARM_DESC(itr, "Interrupt throttling in interrupts per second: 0 off, or 100..100000 (default 20000; at run time: ethtool -C rx-usecs)");

static unsigned int itr_raw;
module_param(itr_raw, uint, 0444);
MODULE_PARM_DESC(itr_raw, "Write this raw value to ITR instead (256 ns units; the device keeps 16 bits); 1302083 is the Rust port's (default 0: use itr)");

/*
 * Descriptor counts rounded up to what TDLEN/RDLEN accept, as mainline
 * e1000 does; the callers check the range first.
 */
unsigned int ce1000_ring_size(unsigned int count)
{
	return ALIGN(count, CE1000_RING_ALIGN);
}

static bool ce1000_ring_size_ok(unsigned int count)
{
	return count >= CE1000_RING_MIN && count <= CE1000_RING_MAX;
}

/* ---- Interrupt and NAPI ------------------------------------------------- */

/*
 * Legacy INTx, possibly shared: reading ICR tells whether the interrupt is
 * ours and acknowledges it. The work happens in NAPI with interrupts masked.
 */
static irqreturn_t ce1000_intr(int irq, void *data)
{
	struct ce1000 *ad = data;
	u32 icr = ce1000_rd(ad, ICR);

	if (!icr)
		return IRQ_NONE;
	ce1000_count(&ad->irqs);
	if (test_bit(CE1000_DOWN, &ad->flags))
		return IRQ_HANDLED;

	if (icr & INT_LSC)
		mod_delayed_work(system_percpu_wq, &ad->watchdog, 0);
	if (napi_schedule_prep(&ad->napi)) {
		ce1000_wr(ad, IMC, ~0u);
		__napi_schedule(&ad->napi);
	}
	return IRQ_HANDLED;
}

/*
 * Clean TX completely, RX up to the budget. Interrupts come back on only
 * when RX is done; otherwise NAPI polls again.
 */
static int ce1000_poll(struct napi_struct *napi, int budget)
{
	struct ce1000 *ad = container_of(napi, struct ce1000, napi);
	int done;

	ce1000_clean_tx(ad, budget);
	done = ce1000_clean_rx(ad, budget);
	if (done < budget && napi_complete_done(napi, done))
		ce1000_irq_enable(ad);
	return done;
}

/* ---- Link watchdog and reset -------------------------------------------- */

#define CE1000_WATCHDOG_PERIOD	(2 * HZ)

/*
 * Every two seconds, and at once on a link status change interrupt: the
 * carrier follows STATUS.LU, and the clear-on-read counters are folded in
 * before they can wrap.
 */
static void ce1000_watchdog(struct work_struct *work)
{
	struct ce1000 *ad = container_of(to_delayed_work(work), struct ce1000,
					 watchdog);
	struct net_device *netdev = ad->netdev;
	bool link, fd;
	int speed;

	link = ce1000_link_up(ad, &speed, &fd);
	if (link && !netif_carrier_ok(netdev)) {
		netdev_info(netdev, "link up, %d Mbps, %s duplex\n", speed,
			    fd ? "full" : "half");
		netif_carrier_on(netdev);
	} else if (!link && netif_carrier_ok(netdev)) {
		netdev_info(netdev, "link down\n");
		netif_carrier_off(netdev);
	}
	ce1000_update_hw_stats(ad);

	/* A ring left without buffers raises no RX interrupt: make one. */
	if (ce1000_rx_unfilled(&ad->rx) == ad->rx.count - 1)
		ce1000_wr(ad, ICS, INT_RXDMT0);

	queue_delayed_work(system_percpu_wq, &ad->watchdog,
			   CE1000_WATCHDOG_PERIOD);
}

/* Under RTNL, with rings allocated and the IRQ requested. */
void ce1000_up(struct ce1000 *ad)
{
	struct net_device *netdev = ad->netdev;

	ce1000_configure_tx(ad);
	ce1000_configure_rx(ad);
	ce1000_refill_rx(ad);
	ce1000_write_itr(ad);
	netif_addr_lock_bh(netdev);
	ce1000_wr(ad, RCTL, ce1000_rd(ad, RCTL) | RCTL_EN);
	netif_addr_unlock_bh(netdev);

	clear_bit(CE1000_DOWN, &ad->flags);
	napi_enable(&ad->napi);
	ce1000_irq_enable(ad);
	/*
	 * Wake, not start: after a reset or a ring resize the qdisc is live
	 * and may hold a packet requeued while the queue was stopped; only a
	 * wake reschedules it (netif_start_queue() would leave it for the
	 * next send), as mainline's e1000_up() does.
	 */
	netif_wake_queue(netdev);
	/* The carrier waits for the watchdog to see the link. */
	queue_delayed_work(system_percpu_wq, &ad->watchdog, 0);
}

/*
 * Under RTNL: stop everything that could touch the rings, in the order
 * that keeps each stopped thing stopped (a poll re-enables interrupts, an
 * interrupt schedules a poll and the watchdog), then free the buffers.
 */
void ce1000_down(struct ce1000 *ad)
{
	struct net_device *netdev = ad->netdev;

	/*
	 * DOWN and the end of NAPI first: a poll still running could wake
	 * the queue again after netif_tx_disable(), and ring resize and the
	 * reset task come here with the qdisc live. Down already (a reset
	 * that failed left it so): nothing to stop.
	 */
	if (test_and_set_bit(CE1000_DOWN, &ad->flags))
		return;
	napi_disable(&ad->napi);
	netif_tx_disable(netdev);
	ce1000_irq_disable(ad);
	synchronize_irq(ad->pdev->irq);
	ce1000_stop_dma(ad);
	cancel_delayed_work_sync(&ad->watchdog);
	netif_carrier_off(netdev);
	ce1000_update_hw_stats(ad);
	ce1000_clean_all(ad);
}

/*
 * Under RTNL, the interface down: reset the device and bring the interface
 * up again if it is open. A device that does not come out of reset stays
 * down (its queue stopped, no carrier) until the interface is closed and
 * opened again; ce1000_stop() finds it down already.
 */
static int ce1000_reinit(struct ce1000 *ad)
{
	int err = ce1000_hw_reset(ad);

	if (!err)
		err = ce1000_phy_init(ad);
	if (err) {
		netdev_err(ad->netdev, "reset failed; the interface stays down until reopened\n");
		return err;
	}
	if (netif_running(ad->netdev))
		ce1000_up(ad);
	return 0;
}

/*
 * After a TX timeout: reset the device under RTNL and start again; not
 * while suspended or shut down (detached), where it must stay quiet.
 */
static void ce1000_reset_task(struct work_struct *work)
{
	struct ce1000 *ad = container_of(work, struct ce1000, reset_task);

	rtnl_lock();
	if (netif_running(ad->netdev) && netif_device_present(ad->netdev)) {
		ce1000_down(ad);
		ce1000_reinit(ad);
	}
	rtnl_unlock();
}

/*
 * New ring sizes, under RTNL. The new rings are allocated before the old
 * ones go, so a failure leaves the interface as it was.
 */
int ce1000_resize(struct ce1000 *ad, unsigned int tx_count,
		  unsigned int rx_count)
{
	struct ce1000_tx_ring tx = {};
	struct ce1000_rx_ring rx = {};
	int err;

	if (!netif_running(ad->netdev))
		goto done;

	err = ce1000_alloc_tx_ring(ad, &tx, tx_count);
	if (err)
		return err;
	err = ce1000_alloc_rx_ring(ad, &rx, rx_count);
	if (err) {
		ce1000_free_tx_ring(ad, &tx);
		return err;
	}
	ce1000_down(ad);
	ce1000_free_tx_ring(ad, &ad->tx);
	ce1000_free_rx_ring(ad, &ad->rx);
	ad->tx = tx;
	ad->rx = rx;
	ce1000_up(ad);
done:
	ad->tx_ring_size = tx_count;
	ad->rx_ring_size = rx_count;
	return 0;
}

/* ---- net_device operations ---------------------------------------------- */

static int ce1000_open(struct net_device *netdev)
{
	struct ce1000 *ad = netdev_priv(netdev);
	int err;

	err = ce1000_alloc_tx_ring(ad, &ad->tx, ad->tx_ring_size);
	if (err)
		return err;
	err = ce1000_alloc_rx_ring(ad, &ad->rx, ad->rx_ring_size);
	if (err)
		goto err_free_tx;
	err = request_irq(ad->pdev->irq, ce1000_intr, IRQF_SHARED,
			  netdev->name, ad);
	if (err)
		goto err_free_rx;
	ce1000_up(ad);
	return 0;

err_free_rx:
	ce1000_free_rx_ring(ad, &ad->rx);
err_free_tx:
	ce1000_free_tx_ring(ad, &ad->tx);
	return err;
}

static int ce1000_stop(struct net_device *netdev)
{
	struct ce1000 *ad = netdev_priv(netdev);

	ce1000_down(ad);
	free_irq(ad->pdev->irq, ad);
	ce1000_free_rx_ring(ad, &ad->rx);
	ce1000_free_tx_ring(ad, &ad->tx);
	return 0;
}

static void ce1000_tx_timeout(struct net_device *netdev, unsigned int txqueue)
{
	struct ce1000 *ad = netdev_priv(netdev);

	ce1000_count(&ad->tx_timeouts);
	netdev_warn(netdev, "TX stuck: TDH %u TDT %u, next to clean %u; resetting\n",
		    ce1000_rd(ad, TDH), ce1000_rd(ad, TDT), ad->tx.next_to_clean);
	schedule_work(&ad->reset_task);
}

static void ce1000_get_stats64(struct net_device *netdev,
			       struct rtnl_link_stats64 *st)
{
	struct ce1000 *ad = netdev_priv(netdev);
	struct ce1000_hw_stats *hw = &ad->hw_stats;
	unsigned long flags;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&ad->rx_stats.syncp);
		st->rx_packets = ad->rx_stats.packets;
		st->rx_bytes = ad->rx_stats.bytes;
	} while (u64_stats_fetch_retry(&ad->rx_stats.syncp, start));
	do {
		start = u64_stats_fetch_begin(&ad->tx_stats.syncp);
		st->tx_packets = ad->tx_stats.packets;
		st->tx_bytes = ad->tx_stats.bytes;
	} while (u64_stats_fetch_retry(&ad->tx_stats.syncp, start));

	/*
	 * No received frame is dropped for want of a buffer: an empty slot
	 * makes the NIC miss frames (rx_missed_errors, MPC), and a refill
	 * failure is in ethtool -S (rx_alloc_failed). A frame that could not
	 * be mapped or offloaded for sending is dropped.
	 */
	st->tx_dropped = READ_ONCE(ad->tx_dma_errors) +
			 READ_ONCE(ad->tx_offload_errors);
	spin_lock_irqsave(&ad->stats_lock, flags);
	st->multicast = hw->mprc;
	st->collisions = hw->colc;
	st->rx_crc_errors = hw->crcerrs;
	st->rx_frame_errors = hw->algnerrc;
	st->rx_length_errors = hw->ruc + hw->roc;
	st->rx_missed_errors = hw->mpc;
	st->rx_errors = hw->rxerrc + hw->crcerrs + hw->algnerrc +
			st->rx_length_errors + READ_ONCE(ad->rx_frame_errors);
	spin_unlock_irqrestore(&ad->stats_lock, flags);
}

static int ce1000_set_mac_address(struct net_device *netdev, void *p)
{
	struct ce1000 *ad = netdev_priv(netdev);
	int err;

	err = eth_mac_addr(netdev, p);
	if (err)
		return err;
	/* RAR0 is the filter the NIC matches unicast frames against. */
	ce1000_set_rar(ad, 0, netdev->dev_addr);
	return 0;
}

/*
 * Every MTU the core lets through (68..1500) fits a 2048-byte buffer with
 * RCTL.LPE clear, so nothing but the number changes; no jumbo frames.
 */
static int ce1000_change_mtu(struct net_device *netdev, int new_mtu)
{
	netdev_dbg(netdev, "MTU %u -> %d\n", netdev->mtu, new_mtu);
	WRITE_ONCE(netdev->mtu, new_mtu);
	return 0;
}

static const struct net_device_ops ce1000_netdev_ops = {
	.ndo_open		= ce1000_open,
	.ndo_stop		= ce1000_stop,
	.ndo_start_xmit		= ce1000_xmit,
	.ndo_tx_timeout		= ce1000_tx_timeout,
	.ndo_get_stats64	= ce1000_get_stats64,
	.ndo_set_rx_mode	= ce1000_set_rx_mode,
	.ndo_set_mac_address	= ce1000_set_mac_address,
	.ndo_change_mtu		= ce1000_change_mtu,
	.ndo_validate_addr	= eth_validate_addr,
};

/* ---- PCI probe and remove ----------------------------------------------- */

static int ce1000_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct net_device *netdev;
	u8 mac[ETH_ALEN];
	struct ce1000 *ad;
	int err;

	netdev = alloc_etherdev(sizeof(*ad));
	if (!netdev)
		return -ENOMEM;
	SET_NETDEV_DEV(netdev, &pdev->dev);
	pci_set_drvdata(pdev, netdev);
	ad = netdev_priv(netdev);
	ad->netdev = netdev;
	ad->pdev = pdev;
	set_bit(CE1000_DOWN, &ad->flags);
	spin_lock_init(&ad->stats_lock);
	u64_stats_init(&ad->tx_stats.syncp);
	u64_stats_init(&ad->rx_stats.syncp);
	INIT_DELAYED_WORK(&ad->watchdog, ce1000_watchdog);
	INIT_WORK(&ad->reset_task, ce1000_reset_task);
	ad->tx_ring_size = ce1000_ring_size(tx_ring_size);
	ad->rx_ring_size = ce1000_ring_size(rx_ring_size);
	ad->prefetch = prefetch_param;
	ad->itr_reg = itr_raw ? itr_raw : ce1000_itr_from_rate(itr);
	ad->itr_user = ad->itr_reg == CE1000_ITR_RUST_PORT ?
		       ce1000_itr_from_rate(itr) : ad->itr_reg;

	/* Managed (pcim): undone after ce1000_remove() or a failed probe. */
	err = pcim_enable_device(pdev);
	if (err)
		goto err_free_netdev;
	ad->regs = pcim_iomap_region(pdev, 0, CE1000_NAME);
	if (IS_ERR(ad->regs)) {
		err = PTR_ERR(ad->regs);
		goto err_free_netdev;
	}
	/* A conventional PCI 82540 is a 32-bit DMA master in mainline too. */
	err = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
	if (err)
		goto err_free_netdev;
	pci_set_master(pdev);

	err = ce1000_hw_reset(ad);
	if (err)
		goto err_free_netdev;
	err = ce1000_read_mac(ad, mac);
	if (!err && is_valid_ether_addr(mac)) {
		eth_hw_addr_set(netdev, mac);
	} else if (err == -EILSEQ || !err) {
		dev_warn(&pdev->dev, "EEPROM checksum or MAC %pM bad; using a random MAC\n",
			 mac);
		eth_hw_addr_random(netdev);
	} else {
		dev_err(&pdev->dev, "EEPROM does not answer: %d\n", err);
		goto err_free_netdev;
	}
	err = ce1000_phy_init(ad);
	if (err)
		goto err_reset;

	netdev->netdev_ops = &ce1000_netdev_ops;
	netdev->ethtool_ops = &ce1000_ethtool_ops;
	netdev->watchdog_timeo = 5 * HZ;
	netdev->min_mtu = ETH_MIN_MTU;
	netdev->max_mtu = ETH_DATA_LEN;
	netdev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
	/*
	 * The offloads mainline e1000 turns on for the 82540, toggled with
	 * ethtool -K: the core stops asking for one the user turned off.
	 * The NIC's checksum is generic (any start, any place), so
	 * HW_CSUM, not IP_CSUM: IPv6 and UDP too. TSO is IPv4 TCP only.
	 * The TSO size is stated because CE1000_TX_DESC_MAX relies on it.
	 */
	netdev->hw_features = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_TSO;
	netdev->features |= netdev->hw_features;
	netif_set_tso_max_size(netdev, GSO_LEGACY_MAX_SIZE);
	netif_napi_add(netdev, &ad->napi, ce1000_poll);
	netif_carrier_off(netdev);

	err = register_netdev(netdev);
	if (err)
		goto err_del_napi;
	netdev_info(netdev, "82540EM at %s, MAC %pM, IRQ %d\n", pci_name(pdev),
		    netdev->dev_addr, pdev->irq);
	return 0;

err_del_napi:
	netif_napi_del(&ad->napi);
err_reset:
	ce1000_hw_reset(ad);
err_free_netdev:
	free_netdev(netdev);
	return err;
}

static void ce1000_remove(struct pci_dev *pdev)
{
	struct net_device *netdev = pci_get_drvdata(pdev);
	struct ce1000 *ad = netdev_priv(netdev);

	/* Closes the interface if it is up: ce1000_stop() runs here. */
	unregister_netdev(netdev);
	cancel_work_sync(&ad->reset_task);
	netif_napi_del(&ad->napi);
	/* Leave the device quiet: no DMA, no interrupts. */
	ce1000_hw_reset(ad);
	free_netdev(netdev);
}

/* ---- Power management and shutdown ------------------------------------- */

/*
 * Stop the interface as ce1000_stop() does, keeping its rings and IRQ for
 * a resume, and hold the device in reset: no DMA into memory the next
 * kernel (kexec) or the sleeping system owns, no interrupt. Detached, the
 * stack sends nothing and the TX watchdog and reset task leave it alone.
 */
static void ce1000_quiesce(struct ce1000 *ad)
{
	struct net_device *netdev = ad->netdev;

	rtnl_lock();
	netif_device_detach(netdev);
	if (netif_running(netdev))
		ce1000_down(ad);
	rtnl_unlock();
	/* One queued before the detach finds the device absent. */
	cancel_work_sync(&ad->reset_task);
	ce1000_hw_reset(ad);
}

static int ce1000_suspend(struct device *dev)
{
	ce1000_quiesce(netdev_priv(dev_get_drvdata(dev)));
	return 0;
}

/*
 * The device may have lost every register (the PCI core restored only its
 * config space): reset it and program it again from what the driver holds,
 * MAC address and receive filters included, as after a TX timeout.
 */
static int ce1000_resume(struct device *dev)
{
	struct net_device *netdev = dev_get_drvdata(dev);
	struct ce1000 *ad = netdev_priv(netdev);
	int err;

	pci_set_master(ad->pdev);
	rtnl_lock();
	err = ce1000_reinit(ad);
	netif_device_attach(netdev);
	rtnl_unlock();
	return err;
}

static DEFINE_SIMPLE_DEV_PM_OPS(ce1000_pm_ops, ce1000_suspend, ce1000_resume);

/* Reboot, kexec, power off: the device must not write into memory after. */
static void ce1000_shutdown(struct pci_dev *pdev)
{
	struct ce1000 *ad = netdev_priv(pci_get_drvdata(pdev));

	ce1000_quiesce(ad);
	pci_clear_master(pdev);
	if (system_state == SYSTEM_POWER_OFF)
		pci_set_power_state(pdev, PCI_D3hot);
}

static const struct pci_device_id ce1000_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_INTEL, 0x100e) },	/* 82540EM */
	{ }
};
MODULE_DEVICE_TABLE(pci, ce1000_ids);

static struct pci_driver ce1000_driver = {
	.name		= CE1000_NAME,
	.id_table	= ce1000_ids,
	.probe		= ce1000_probe,
	.remove		= ce1000_remove,
	.shutdown	= ce1000_shutdown,
	.driver.pm	= pm_sleep_ptr(&ce1000_pm_ops),
};

static int __init ce1000_init(void)
{
	/* The smallest ring must hold the largest skb and the empty slot. */
	BUILD_BUG_ON(CE1000_TX_DESC_MAX >= CE1000_RING_MIN);
	if (!ce1000_ring_size_ok(tx_ring_size) ||
	    !ce1000_ring_size_ok(rx_ring_size)) {
		pr_err(CE1000_NAME ": ring sizes are %d..%d\n", CE1000_RING_MIN,
		       CE1000_RING_MAX);
		return -EINVAL;
	}
	if (itr && (itr < 100 || itr > 100000)) {
		pr_err(CE1000_NAME ": itr is 0 or 100..100000 interrupts/s\n");
		return -EINVAL;
	}
	return pci_register_driver(&ce1000_driver);
}
module_init(ce1000_init);

static void __exit ce1000_exit(void)
{
	pci_unregister_driver(&ce1000_driver);
}
module_exit(ce1000_exit);

MODULE_DESCRIPTION("Intel 82540EM (e1000) network driver, mirrored against the Rust e1000 port");
MODULE_AUTHOR("rfl-drivers");
MODULE_LICENSE("GPL");
