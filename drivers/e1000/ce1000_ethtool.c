// SPDX-License-Identifier: GPL-2.0
/*
 * ce1000_ethtool.c: driver info, link, rings, statistics, register dump,
 * and the two knobs of the paper's comparison:
 *
 *   ethtool -C DEV rx-usecs N        interrupt throttling: at least N us
 *                                    between interrupts (0: off)
 *   ethtool --set-priv-flags DEV prefetch on|off
 *   ethtool --set-priv-flags DEV rust-port-itr on|off
 *                                    ITR = 1302083, the Rust port's value
 */
#include <linux/ethtool.h>

#include "ce1000.h"

static void ce1000_get_drvinfo(struct net_device *netdev,
			       struct ethtool_drvinfo *info)
{
	struct ce1000 *ad = netdev_priv(netdev);

	strscpy(info->driver, CE1000_NAME, sizeof(info->driver));
	strscpy(info->bus_info, pci_name(ad->pdev), sizeof(info->bus_info));
}

static int ce1000_get_link_ksettings(struct net_device *netdev,
				     struct ethtool_link_ksettings *ks)
{
	struct ce1000 *ad = netdev_priv(netdev);
	int speed;
	bool fd;

	ks->base.port = PORT_TP;
	ks->base.phy_address = PHY_ADDR;
	ks->base.autoneg = AUTONEG_ENABLE;

	if (netif_carrier_ok(netdev) && ce1000_link_up(ad, &speed, &fd)) {
		ks->base.speed = speed;
		ks->base.duplex = fd ? DUPLEX_FULL : DUPLEX_HALF;
	} else {
		ks->base.speed = SPEED_UNKNOWN;
		ks->base.duplex = DUPLEX_UNKNOWN;
	}
	return 0;
}

/*
 * The first twelve words are where mainline e1000 puts them, so a script
 * reads RCTL at word 2 of either driver's dump.
 */
static const u32 ce1000_dump_regs[] = {
	CTRL, STATUS, RCTL, RDLEN, RDH, RDT, RDTR, TCTL, TDLEN, TDH, TDT, TIDV,
	ITR, IMS, RDBAL, RDBAH, TDBAL, TDBAH, TIPG, RADV, TADV, RAL(0), RAH(0),
	CTRL_EXT, EECD, MDIC,
};

static int ce1000_get_regs_len(struct net_device *netdev)
{
	return sizeof(ce1000_dump_regs);
}

static void ce1000_get_regs(struct net_device *netdev,
			    struct ethtool_regs *regs, void *p)
{
	struct ce1000 *ad = netdev_priv(netdev);
	u32 *buf = p;
	int i;

	regs->version = (1 << 24) | (ad->pdev->revision << 16) |
			ad->pdev->device;
	for (i = 0; i < ARRAY_SIZE(ce1000_dump_regs); i++)
		buf[i] = ce1000_rd(ad, ce1000_dump_regs[i]);
}

static void ce1000_get_ringparam(struct net_device *netdev,
				 struct ethtool_ringparam *ring,
				 struct kernel_ethtool_ringparam *kring,
				 struct netlink_ext_ack *extack)
{
	struct ce1000 *ad = netdev_priv(netdev);

	ring->rx_max_pending = CE1000_RING_MAX;
	ring->tx_max_pending = CE1000_RING_MAX;
	ring->rx_pending = ad->rx_ring_size;
	ring->tx_pending = ad->tx_ring_size;
}

/* The core has checked the maximum against get_ringparam(). */
static int ce1000_set_ringparam(struct net_device *netdev,
				struct ethtool_ringparam *ring,
				struct kernel_ethtool_ringparam *kring,
				struct netlink_ext_ack *extack)
{
	struct ce1000 *ad = netdev_priv(netdev);
	unsigned int tx, rx;

	if (ring->rx_mini_pending || ring->rx_jumbo_pending)
		return -EINVAL;
	if (ring->tx_pending < CE1000_RING_MIN ||
	    ring->rx_pending < CE1000_RING_MIN) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "rings have at least %d descriptors",
				       CE1000_RING_MIN);
		return -EINVAL;
	}
	tx = ce1000_ring_size(ring->tx_pending);
	rx = ce1000_ring_size(ring->rx_pending);
	if (tx == ad->tx_ring_size && rx == ad->rx_ring_size)
		return 0;
	return ce1000_resize(ad, tx, rx);
}

/* ITR counts 256 ns; rx-usecs reports what the device applies (16 bits). */
static int ce1000_get_coalesce(struct net_device *netdev,
			       struct ethtool_coalesce *ec,
			       struct kernel_ethtool_coalesce *kec,
			       struct netlink_ext_ack *extack)
{
	struct ce1000 *ad = netdev_priv(netdev);
	u32 units = ad->itr_reg & 0xffff;

	ec->rx_coalesce_usecs = DIV_ROUND_CLOSEST(units * 256, 1000);
	return 0;
}

static int ce1000_set_coalesce(struct net_device *netdev,
			       struct ethtool_coalesce *ec,
			       struct kernel_ethtool_coalesce *kec,
			       struct netlink_ext_ack *extack)
{
	struct ce1000 *ad = netdev_priv(netdev);

	if (ec->rx_coalesce_usecs > CE1000_ITR_MAX_USECS) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "rx-usecs is 0..%d",
				       CE1000_ITR_MAX_USECS);
		return -EINVAL;
	}
	WRITE_ONCE(ad->itr_reg,
		   DIV_ROUND_CLOSEST(ec->rx_coalesce_usecs * 1000, 256));
	if (netif_running(netdev))
		ce1000_write_itr(ad);
	return 0;
}

/* ---- Private flags ------------------------------------------------------ */

enum {
	CE1000_PF_PREFETCH,
	CE1000_PF_RUST_ITR,
	CE1000_PF_COUNT,
};

static const char ce1000_pf_names[CE1000_PF_COUNT][ETH_GSTRING_LEN] = {
	[CE1000_PF_PREFETCH] = "prefetch",
	[CE1000_PF_RUST_ITR] = "rust-port-itr",
};

static u32 ce1000_get_priv_flags(struct net_device *netdev)
{
	struct ce1000 *ad = netdev_priv(netdev);
	u32 flags = 0;

	if (ad->prefetch)
		flags |= BIT(CE1000_PF_PREFETCH);
	if (ad->itr_reg == CE1000_ITR_RUST_PORT)
		flags |= BIT(CE1000_PF_RUST_ITR);
	return flags;
}

static int ce1000_set_priv_flags(struct net_device *netdev, u32 flags)
{
	struct ce1000 *ad = netdev_priv(netdev);
	bool rust_itr = flags & BIT(CE1000_PF_RUST_ITR);
	bool was_rust_itr = ad->itr_reg == CE1000_ITR_RUST_PORT;

	WRITE_ONCE(ad->prefetch, flags & BIT(CE1000_PF_PREFETCH));
	if (rust_itr != was_rust_itr) {
		/* Off again: back to what was set before (parameter or -C). */
		if (rust_itr)
			ad->itr_user = ad->itr_reg;
		WRITE_ONCE(ad->itr_reg,
			   rust_itr ? CE1000_ITR_RUST_PORT : ad->itr_user);
		if (netif_running(netdev))
			ce1000_write_itr(ad);
	}
	return 0;
}

/* ---- Statistics ---------------------------------------------------------- */

/*
 * A statistic: where it is in struct ce1000, and for a ring counter the
 * u64_stats_sync that its writer holds (0: none, a plain u64 with one
 * writer, or a hardware counter under stats_lock).
 */
struct ce1000_stat {
	char name[ETH_GSTRING_LEN];
	size_t offset;
	size_t syncp;
};

#define CE1000_RX(n, m)	{ n, offsetof(struct ce1000, rx_stats.m),	\
				  offsetof(struct ce1000, rx_stats.syncp) }
#define CE1000_TX(n, m)	{ n, offsetof(struct ce1000, tx_stats.m),	\
				  offsetof(struct ce1000, tx_stats.syncp) }
#define CE1000_SW(n, m)	{ n, offsetof(struct ce1000, m), 0 }
#define CE1000_HW(n, m)	{ n, offsetof(struct ce1000, hw_stats.m), 0 }

static const struct ce1000_stat ce1000_stats[] = {
	CE1000_RX("rx_packets", packets),
	CE1000_RX("rx_bytes", bytes),
	CE1000_TX("tx_packets", packets),
	CE1000_TX("tx_bytes", bytes),
	CE1000_SW("rx_alloc_failed", rx_alloc_failed),
	CE1000_SW("rx_frame_errors", rx_frame_errors),
	CE1000_SW("tx_dma_errors", tx_dma_errors),
	CE1000_SW("tx_offload_errors", tx_offload_errors),
	CE1000_SW("tx_timeouts", tx_timeouts),
	CE1000_SW("interrupts", irqs),
	CE1000_HW("hw_rx_good_packets", gprc),
	CE1000_HW("hw_rx_good_bytes", gorc),
	CE1000_HW("hw_rx_total_packets", tpr),
	CE1000_HW("hw_rx_broadcast", bprc),
	CE1000_HW("hw_rx_multicast", mprc),
	CE1000_HW("hw_rx_missed", mpc),
	CE1000_HW("hw_rx_no_buffer", rnbc),
	CE1000_HW("hw_rx_crc_errors", crcerrs),
	CE1000_HW("hw_rx_align_errors", algnerrc),
	CE1000_HW("hw_rx_errors", rxerrc),
	CE1000_HW("hw_rx_undersize", ruc),
	CE1000_HW("hw_rx_oversize", roc),
	CE1000_HW("hw_tx_good_packets", gptc),
	CE1000_HW("hw_tx_good_bytes", gotc),
	CE1000_HW("hw_tx_total_packets", tpt),
	CE1000_HW("hw_tx_broadcast", bptc),
	CE1000_HW("hw_tx_multicast", mptc),
	CE1000_HW("hw_collisions", colc),
	/* TSO packets the NIC segmented (TSCTC), named as in mainline */
	CE1000_HW("tx_tcp_seg_good", tsctc),
};

static int ce1000_get_sset_count(struct net_device *netdev, int sset)
{
	switch (sset) {
	case ETH_SS_STATS:
		return ARRAY_SIZE(ce1000_stats);
	case ETH_SS_PRIV_FLAGS:
		return CE1000_PF_COUNT;
	default:
		return -EOPNOTSUPP;
	}
}

static void ce1000_get_strings(struct net_device *netdev, u32 sset, u8 *data)
{
	int i;

	switch (sset) {
	case ETH_SS_STATS:
		for (i = 0; i < ARRAY_SIZE(ce1000_stats); i++)
			ethtool_puts(&data, ce1000_stats[i].name);
		break;
	case ETH_SS_PRIV_FLAGS:
		for (i = 0; i < CE1000_PF_COUNT; i++)
			ethtool_puts(&data, ce1000_pf_names[i]);
		break;
	}
}

static u64 ce1000_read_stat(struct ce1000 *ad, const struct ce1000_stat *st)
{
	const u64 *p = (const u64 *)((u8 *)ad + st->offset);
	const struct u64_stats_sync *syncp;
	unsigned int start;
	u64 v;

	if (!st->syncp)
		return READ_ONCE(*p);
	syncp = (const struct u64_stats_sync *)((u8 *)ad + st->syncp);
	do {
		start = u64_stats_fetch_begin(syncp);
		v = *p;
	} while (u64_stats_fetch_retry(syncp, start));
	return v;
}

static void ce1000_get_ethtool_stats(struct net_device *netdev,
				     struct ethtool_stats *stats, u64 *data)
{
	struct ce1000 *ad = netdev_priv(netdev);
	unsigned long flags;
	int i;

	ce1000_update_hw_stats(ad);
	spin_lock_irqsave(&ad->stats_lock, flags);
	for (i = 0; i < ARRAY_SIZE(ce1000_stats); i++)
		data[i] = ce1000_read_stat(ad, &ce1000_stats[i]);
	spin_unlock_irqrestore(&ad->stats_lock, flags);
}

const struct ethtool_ops ce1000_ethtool_ops = {
	.supported_coalesce_params = ETHTOOL_COALESCE_RX_USECS,
	.get_drvinfo		= ce1000_get_drvinfo,
	.get_link_ksettings	= ce1000_get_link_ksettings,
	.get_link		= ethtool_op_get_link,
	.get_regs_len		= ce1000_get_regs_len,
	.get_regs		= ce1000_get_regs,
	.get_ringparam		= ce1000_get_ringparam,
	.set_ringparam		= ce1000_set_ringparam,
	.get_coalesce		= ce1000_get_coalesce,
	.set_coalesce		= ce1000_set_coalesce,
	.get_priv_flags		= ce1000_get_priv_flags,
	.set_priv_flags		= ce1000_set_priv_flags,
	.get_sset_count		= ce1000_get_sset_count,
	.get_strings		= ce1000_get_strings,
	.get_ethtool_stats	= ce1000_get_ethtool_stats,
};
