// SPDX-License-Identifier: GPL-2.0
/*
 * ce1000_hw.c: the 82540EM below the rings: reset, EEPROM, PHY, receive
 * filters, interrupt mask and throttling, statistics, link state.
 */
#include <linux/delay.h>
#include <linux/ethtool.h>
#include <linux/iopoll.h>

#include "ce1000.h"

/*
 * A global reset (SDM 14.5) returns every register to its power-on value
 * and stops DMA. Interrupts are masked before and after: the reset clears
 * the mask, and a pending cause is read away.
 */
int ce1000_hw_reset(struct ce1000 *ad)
{
	u32 ctrl;
	int err;

	ce1000_wr(ad, IMC, ~0u);
	ce1000_wr(ad, RCTL, 0);
	ce1000_wr(ad, TCTL, TCTL_PSP);
	ce1000_flush(ad);
	/* Let a DMA transaction in progress finish (SDM 14.5). */
	usleep_range(10000, 20000);

	ce1000_wr(ad, CTRL, ce1000_rd(ad, CTRL) | CTRL_RST);
	/* RST clears itself; 82540 needs about 1 ms before access (SDM 14.5). */
	usleep_range(1000, 2000);
	err = readl_poll_timeout(ad->regs + CTRL, ctrl, !(ctrl & CTRL_RST),
				 100, 20000);
	if (err) {
		dev_err(&ad->pdev->dev, "device reset did not complete\n");
		return err;
	}
	ce1000_wr(ad, IMC, ~0u);
	ce1000_rd(ad, ICR);
	return 0;
}

static int ce1000_eeprom_read(struct ce1000 *ad, u16 word, u16 *val)
{
	u32 eerd;
	int err;

	ce1000_wr(ad, EERD, (word << EERD_ADDR_SHIFT) | EERD_START);
	err = readl_poll_timeout(ad->regs + EERD, eerd, eerd & EERD_DONE,
				 5, 10000);
	if (err)
		return err;
	*val = eerd >> EERD_DATA_SHIFT;
	return 0;
}

/*
 * The MAC is in EEPROM words 0..2, low byte first. The checksum word makes
 * words 0..0x3f add up to 0xbaba; a bad sum means the MAC cannot be
 * trusted, and the caller picks a random one.
 */
int ce1000_read_mac(struct ce1000 *ad, u8 *mac)
{
	u16 sum = 0, val;
	int i, err;

	for (i = 0; i < EEPROM_WORDS_SUMMED; i++) {
		err = ce1000_eeprom_read(ad, i, &val);
		if (err)
			return err;
		if (i < ETH_ALEN / 2) {
			mac[2 * i] = val & 0xff;
			mac[2 * i + 1] = val >> 8;
		}
		sum += val;
	}
	return sum == EEPROM_SUM ? 0 : -EILSEQ;
}

static int ce1000_phy_read(struct ce1000 *ad, u32 reg, u16 *val)
{
	u32 mdic;
	int err;

	ce1000_wr(ad, MDIC, MDIC_OP_READ | (PHY_ADDR << MDIC_PHY_SHIFT) |
		  (reg << MDIC_REG_SHIFT));
	err = readl_poll_timeout(ad->regs + MDIC, mdic, mdic & MDIC_READY,
				 10, 10000);
	if (err)
		return err;
	if (mdic & MDIC_ERROR)
		return -EIO;
	*val = mdic & 0xffff;
	return 0;
}

static int ce1000_phy_write(struct ce1000 *ad, u32 reg, u16 val)
{
	u32 mdic;
	int err;

	ce1000_wr(ad, MDIC, MDIC_OP_WRITE | (PHY_ADDR << MDIC_PHY_SHIFT) |
		  (reg << MDIC_REG_SHIFT) | val);
	err = readl_poll_timeout(ad->regs + MDIC, mdic, mdic & MDIC_READY,
				 10, 10000);
	if (err)
		return err;
	return mdic & MDIC_ERROR ? -EIO : 0;
}

/*
 * Bring up the copper link: the MAC takes speed and duplex from the PHY
 * (ASDE) and is told the link may come up (SLU); the PHY autonegotiates.
 * The result arrives later as a link status change interrupt.
 */
int ce1000_phy_init(struct ce1000 *ad)
{
	u16 id1, id2;
	u32 ctrl;
	int err;

	ctrl = ce1000_rd(ad, CTRL);
	ctrl &= ~(CTRL_LRST | CTRL_PHY_RST | CTRL_ILOS);
	ce1000_wr(ad, CTRL, ctrl | CTRL_ASDE | CTRL_SLU);

	err = ce1000_phy_read(ad, PHY_ID1, &id1);
	if (!err)
		err = ce1000_phy_read(ad, PHY_ID2, &id2);
	if (err) {
		dev_err(&ad->pdev->dev, "PHY does not answer on MDIO: %d\n", err);
		return err;
	}
	dev_dbg(&ad->pdev->dev, "PHY id %04x:%04x\n", id1, id2);
	return ce1000_phy_write(ad, PHY_BMCR, BMCR_ANENABLE | BMCR_ANRESTART);
}

void ce1000_set_rar(struct ce1000 *ad, int index, const u8 *addr)
{
	u32 low = addr[0] | addr[1] << 8 | addr[2] << 16 | addr[3] << 24;
	u32 high = addr[4] | addr[5] << 8 | RAH_AV;

	ce1000_wr(ad, RAL(index), low);
	ce1000_wr(ad, RAH(index), high);
}

/*
 * MTA hash for RCTL.MO = 0: bits 47..36 of the address (SDM 13.5.1); the
 * upper 7 bits pick the register, the lower 5 the bit.
 */
static u32 ce1000_mta_hash(const u8 *addr)
{
	return ((addr[4] >> 4) | (addr[5] << 4)) & 0xfff;
}

/* ndo_set_rx_mode: may run in atomic context, so registers only. */
void ce1000_set_rx_mode(struct net_device *netdev)
{
	struct ce1000 *ad = netdev_priv(netdev);
	u32 mta[CE1000_MTA_REGS] = {};
	struct netdev_hw_addr *ha;
	u32 rctl;
	int i;

	rctl = ce1000_rd(ad, RCTL) & ~(RCTL_UPE | RCTL_MPE);
	if (netdev->flags & IFF_PROMISC)
		rctl |= RCTL_UPE | RCTL_MPE;
	else if (netdev->flags & IFF_ALLMULTI ||
		 netdev_mc_count(netdev) > CE1000_MC_MAX)
		rctl |= RCTL_MPE;

	netdev_for_each_mc_addr(ha, netdev) {
		u32 hash = ce1000_mta_hash(ha->addr);

		mta[hash >> 5] |= BIT(hash & 0x1f);
	}
	for (i = 0; i < CE1000_MTA_REGS; i++)
		ce1000_wr(ad, MTA(i), mta[i]);
	ce1000_wr(ad, RCTL, rctl);
}

void ce1000_irq_enable(struct ce1000 *ad)
{
	ce1000_wr(ad, IMS, INT_ENABLED);
	ce1000_flush(ad);
}

void ce1000_irq_disable(struct ce1000 *ad)
{
	ce1000_wr(ad, IMC, ~0u);
	ce1000_flush(ad);
}

/* Interrupts per second to the ITR register (256 ns units); 0 is off. */
u32 ce1000_itr_from_rate(unsigned int per_sec)
{
	return per_sec ? DIV_ROUND_CLOSEST(NSEC_PER_SEC / 256, per_sec) : 0;
}

/*
 * Written as is: the Rust port's 1302083 reaches the device, which keeps
 * the low 16 bits (56899, 14.6 ms) just as it did for the paper.
 */
void ce1000_write_itr(struct ce1000 *ad)
{
	ce1000_wr(ad, ITR, READ_ONCE(ad->itr_reg));
}

void ce1000_update_hw_stats(struct ce1000 *ad)
{
	struct ce1000_hw_stats *s = &ad->hw_stats;
	unsigned long flags;

	spin_lock_irqsave(&ad->stats_lock, flags);
	s->crcerrs += ce1000_rd(ad, CRCERRS);
	s->algnerrc += ce1000_rd(ad, ALGNERRC);
	s->rxerrc += ce1000_rd(ad, RXERRC);
	s->mpc += ce1000_rd(ad, MPC);
	s->colc += ce1000_rd(ad, COLC);
	s->gprc += ce1000_rd(ad, GPRC);
	s->bprc += ce1000_rd(ad, BPRC);
	s->mprc += ce1000_rd(ad, MPRC);
	s->gptc += ce1000_rd(ad, GPTC);
	/* The 64-bit counters clear when their high half is read: low first. */
	s->gorc += ce1000_rd(ad, GORCL);
	s->gorc += (u64)ce1000_rd(ad, GORCH) << 32;
	s->gotc += ce1000_rd(ad, GOTCL);
	s->gotc += (u64)ce1000_rd(ad, GOTCH) << 32;
	s->rnbc += ce1000_rd(ad, RNBC);
	s->ruc += ce1000_rd(ad, RUC);
	s->roc += ce1000_rd(ad, ROC);
	s->tpr += ce1000_rd(ad, TPR);
	s->tpt += ce1000_rd(ad, TPT);
	s->mptc += ce1000_rd(ad, MPTC);
	s->bptc += ce1000_rd(ad, BPTC);
	s->tsctc += ce1000_rd(ad, TSCTC);
	spin_unlock_irqrestore(&ad->stats_lock, flags);
}

bool ce1000_link_up(struct ce1000 *ad, int *speed, bool *full_duplex)
{
	static const int speeds[] = { SPEED_10, SPEED_100, SPEED_1000,
				      SPEED_1000 };
	u32 status = ce1000_rd(ad, STATUS);

	if (speed)
		*speed = speeds[(status & STATUS_SPEED_MASK) >>
				STATUS_SPEED_SHIFT];
	if (full_duplex)
		*full_duplex = status & STATUS_FD;
	return status & STATUS_LU;
}
