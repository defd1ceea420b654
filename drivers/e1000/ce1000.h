/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ce1000: the Intel 82540EM (8086:100e, QEMU's "-device e1000") in C.
 *
 * Register names follow Intel's "PCI/PCI-X Family of Gigabit Ethernet
 * Controllers Software Developer's Manual" (8254x SDM); section numbers
 * in comments refer to it.
 */
#ifndef CE1000_H
#define CE1000_H

#include <linux/bits.h>
#include <linux/etherdevice.h>
#include <linux/io.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>

#define CE1000_NAME		"ce1000"

/* ---- Registers (SDM 13.4), byte offsets into BAR0 ---------------------- */

#define CTRL		0x0000	/* device control */
#define STATUS		0x0008	/* device status */
#define EECD		0x0010	/* EEPROM/flash control */
#define EERD		0x0014	/* EEPROM read */
#define CTRL_EXT	0x0018	/* extended device control */
#define MDIC		0x0020	/* MDI (PHY) control */
#define ICR		0x00c0	/* interrupt cause read (clears on read) */
#define ITR		0x00c4	/* interrupt throttling, 256 ns units */
#define ICS		0x00c8	/* interrupt cause set */
#define IMS		0x00d0	/* interrupt mask set/read */
#define IMC		0x00d8	/* interrupt mask clear */
#define RCTL		0x0100	/* receive control */
#define TCTL		0x0400	/* transmit control */
#define TIPG		0x0410	/* transmit inter-packet gap */
#define RDBAL		0x2800	/* RX descriptor base, low and high */
#define RDBAH		0x2804
#define RDLEN		0x2808	/* RX ring length in bytes */
#define RDH		0x2810	/* RX head: next descriptor the NIC fills */
#define RDT		0x2818	/* RX tail: first descriptor the NIC may not use */
#define RDTR		0x2820	/* RX delay timer */
#define RADV		0x282c	/* RX absolute delay */
#define TDBAL		0x3800
#define TDBAH		0x3804
#define TDLEN		0x3808
#define TDH		0x3810	/* TX head: next descriptor the NIC sends */
#define TDT		0x3818	/* TX tail: one past the last one we queued */
#define TIDV		0x3820	/* TX interrupt delay */
#define TADV		0x382c
#define MTA(i)		(0x5200 + 4 * (i))	/* multicast table, 128 x 32 bits */
#define RAL(i)		(0x5400 + 8 * (i))	/* receive address, 16 entries */
#define RAH(i)		(0x5404 + 8 * (i))

/* Statistics (SDM 13.7): all clear on read. */
#define CRCERRS		0x4000
#define ALGNERRC	0x4004
#define RXERRC		0x400c
#define MPC		0x4010	/* missed: no RX descriptor free */
#define COLC		0x4028
#define GPRC		0x4074	/* good packets received */
#define BPRC		0x4078
#define MPRC		0x407c
#define GPTC		0x4080	/* good packets transmitted */
#define GORCL		0x4088	/* good octets received, 64 bits */
#define GORCH		0x408c
#define GOTCL		0x4090
#define GOTCH		0x4094
#define RNBC		0x40a0	/* receive no buffers */
#define RUC		0x40a4	/* undersize */
#define ROC		0x40ac	/* oversize */
#define TPR		0x40d0	/* total packets received */
#define TPT		0x40d4
#define MPTC		0x40f0
#define BPTC		0x40f4
#define TSCTC		0x40f8	/* TCP segmentation contexts sent */

#define CTRL_FD			BIT(0)	/* full duplex */
#define CTRL_LRST		BIT(3)	/* link reset */
#define CTRL_ASDE		BIT(5)	/* auto speed detection */
#define CTRL_SLU		BIT(6)	/* set link up */
#define CTRL_ILOS		BIT(7)	/* invert loss of signal */
#define CTRL_RST		BIT(26)	/* device reset, self-clearing */
#define CTRL_PHY_RST		BIT(31)

#define STATUS_FD		BIT(0)
#define STATUS_LU		BIT(1)	/* link up */
#define STATUS_SPEED_SHIFT	6
#define STATUS_SPEED_MASK	(3 << STATUS_SPEED_SHIFT)

#define EERD_START		BIT(0)
#define EERD_DONE		BIT(4)
#define EERD_ADDR_SHIFT		8
#define EERD_DATA_SHIFT		16

#define MDIC_REG_SHIFT		16
#define MDIC_PHY_SHIFT		21
#define MDIC_OP_WRITE		BIT(26)
#define MDIC_OP_READ		(2 << 26)
#define MDIC_READY		BIT(28)
#define MDIC_ERROR		BIT(30)

/* Interrupt causes, the same bits in ICR, ICS, IMS and IMC. */
#define INT_TXDW		BIT(0)	/* a descriptor with RS was written back */
#define INT_LSC			BIT(2)	/* link status change */
#define INT_RXDMT0		BIT(4)	/* RX ring below the minimum threshold */
#define INT_RXO			BIT(6)	/* RX overrun */
#define INT_RXT0		BIT(7)	/* RX timer: a frame arrived */
#define INT_ENABLED	(INT_TXDW | INT_LSC | INT_RXDMT0 | INT_RXO | INT_RXT0)

#define RCTL_EN			BIT(1)
#define RCTL_UPE		BIT(3)	/* unicast promiscuous */
#define RCTL_MPE		BIT(4)	/* multicast promiscuous */
#define RCTL_BAM		BIT(15)	/* accept broadcast */
#define RCTL_BSIZE_2048		(0 << 16)
#define RCTL_SECRC		BIT(26)	/* strip the Ethernet CRC */

#define TCTL_EN			BIT(1)
#define TCTL_PSP		BIT(3)	/* pad short packets */
#define TCTL_CT			(0x0f << 4)	/* collision threshold */
#define TCTL_COLD_FD		(0x40 << 12)	/* collision distance, full duplex */

/* Inter-packet gap for copper (SDM 13.4.34): IPGT 8, IPGR1 8, IPGR2 6. */
#define TIPG_COPPER		(8 | (8 << 10) | (6 << 20))

#define RAH_AV			BIT(31)	/* address valid */

/* PHY registers (IEEE 802.3 clause 22) on MDIO address 1. */
#define PHY_ADDR		1
#define PHY_BMCR		0x00
#define PHY_ID1			0x02
#define PHY_ID2			0x03
#define BMCR_ANRESTART		BIT(9)
#define BMCR_ANENABLE		BIT(12)

/* EEPROM words (SDM 5.6): the MAC in words 0..2, checksum over 0..0x3f. */
#define EEPROM_WORDS_SUMMED	0x40
#define EEPROM_SUM		0xbaba

/* ---- Descriptors (SDM 3.2.3 and 3.3.3), little endian in DMA memory ---- */

struct ce1000_rx_desc {
	__le64 addr;
	__le16 length;
	__le16 csum;
	u8 status;
	u8 errors;
	__le16 special;
};

#define RXD_STAT_DD		BIT(0)	/* descriptor done */
#define RXD_STAT_EOP		BIT(1)	/* end of packet */
/* CRC, symbol, sequence, carrier extension and RX data errors */
#define RXD_ERR_FRAME		(BIT(0) | BIT(1) | BIT(2) | BIT(4) | BIT(7))

/*
 * A TX descriptor is two little-endian 64-bit words. Every packet goes out
 * in extended data descriptors (SDM 3.3.7), behind a context descriptor
 * (SDM 3.3.6) when it asks for an offload:
 *
 *   data:    addr = buffer address
 *            ctl  = length 19:0, DTYP 23:20 (D), DCMD 31:24,
 *                   STA 35:32, POPTS 47:40, special 63:48
 *   context: addr = IPCSS 7:0, IPCSO 15:8, IPCSE 31:16,
 *                   TUCSS 39:32, TUCSO 47:40, TUCSE 63:48
 *            ctl  = PAYLEN 19:0, DTYP 23:20 (C, 0), TUCMD 31:24,
 *                   STA 35:32, HDRLEN 47:40, MSS 63:48
 *
 * Offsets are from the start of the frame; an end offset of 0 means "to
 * the end of the frame".
 */
struct ce1000_tx_desc {
	__le64 addr;
	__le64 ctl;
};

#define TXD_LEN			GENMASK_ULL(19, 0)	/* PAYLEN in a context */
#define TXD_DTYP_D		BIT_ULL(20)	/* data; 0 is a context */
#define TXD_CMD_EOP		BIT_ULL(24)	/* end of packet */
#define TXD_CMD_TCP		BIT_ULL(24)	/* context: segment TCP, not UDP */
#define TXD_CMD_IFCS		BIT_ULL(25)	/* insert the CRC */
#define TXD_CMD_IP		BIT_ULL(25)	/* context: IPv4, not IPv6 */
#define TXD_CMD_TSE		BIT_ULL(26)	/* TCP segmentation */
#define TXD_CMD_RS		BIT_ULL(27)	/* report status: write DD back */
#define TXD_CMD_DEXT		BIT_ULL(29)	/* extended (data or context) */
#define TXD_STAT_DD		BIT_ULL(32)	/* descriptor done */
#define TXD_POPTS_IXSM		BIT_ULL(40)	/* insert the IP checksum */
#define TXD_POPTS_TXSM		BIT_ULL(41)	/* insert the TCP/UDP checksum */
#define TXD_HDRLEN		GENMASK_ULL(47, 40)	/* context */
#define TXD_MSS			GENMASK_ULL(63, 48)	/* context */

/* The first word of a context descriptor. */
#define TXC_IPCSS		GENMASK_ULL(7, 0)
#define TXC_IPCSO		GENMASK_ULL(15, 8)
#define TXC_IPCSE		GENMASK_ULL(31, 16)
#define TXC_TUCSS		GENMASK_ULL(39, 32)
#define TXC_TUCSO		GENMASK_ULL(47, 40)
#define TXC_TUCSE		GENMASK_ULL(63, 48)

/* Bytes one data descriptor may carry: mainline's 1 << E1000_MAX_TXD_PWR. */
#define CE1000_TXD_MAX_DATA	4096

/*
 * The most descriptors one skb can take: a context, the head and every
 * frag each cut into pieces of CE1000_TXD_MAX_DATA. At most 64 KiB in all
 * (the TSO limit the core keeps for a device that sets none), and each
 * piece adds at most one descriptor to its share of those. The queue stops
 * while fewer are free.
 */
#define CE1000_TX_DESC_MAX	(1 + (MAX_SKB_FRAGS + 1) +		\
				 GSO_LEGACY_MAX_SIZE / CE1000_TXD_MAX_DATA)

/*
 * Ring sizes: TDLEN and RDLEN must be multiples of 128 bytes, that is of 8
 * descriptors; the limits are mainline e1000's for the 82540.
 */
#define CE1000_RING_MIN		48
#define CE1000_RING_MAX		4096
#define CE1000_RING_DEFAULT	256
#define CE1000_RING_ALIGN	8

#define CE1000_RX_BUF_LEN	2048	/* RCTL_BSIZE_2048 */
#define CE1000_MAX_FRAME	(ETH_DATA_LEN + ETH_HLEN + VLAN_HLEN)
/*
 * The multicast table (MTA) is a 4096-bit hash filter. Past 128 addresses
 * it lets through so much that all-multicast costs hardly more, and the
 * driver switches to it (RCTL.MPE).
 */
#define CE1000_MTA_REGS		128
#define CE1000_MC_MAX		128

/*
 * Interrupt throttling. ITR holds the minimum gap between interrupts in
 * 256 ns units, 16 bits wide. The Rust port wrote 1e9 / (3 * 256): mainline
 * e1000's mode number 3 ("dynamic conservative") taken as a rate.
 */
#define CE1000_ITR_DEFAULT	20000		/* interrupts per second */
#define CE1000_ITR_RUST_PORT	1302083		/* raw, see shared/DESIGN.md */
#define CE1000_ITR_MAX_USECS	16776		/* 0xffff * 256 ns */

/* ---- Driver state ------------------------------------------------------- */

/*
 * What a TX slot holds until the NIC is done with it. A packet takes the
 * slots first..last: its first slot says where its last one is, and the
 * last holds the skb and what the packet counts for on the wire.
 */
struct ce1000_tx_buf {
	struct sk_buff *skb;	/* last slot only */
	dma_addr_t dma;
	unsigned int len;	/* 0: nothing mapped (a context descriptor) */
	bool page;		/* mapped with skb_frag_dma_map() */
	unsigned int last;	/* first slot only */
	unsigned int segs;	/* last slot only: frames on the wire */
	unsigned int bytes;	/* last slot only: bytes on the wire */
};

/* What an RX slot holds: an empty skb the NIC will fill. */
struct ce1000_rx_buf {
	struct sk_buff *skb;
	dma_addr_t dma;
};

struct ce1000_ring_stats {
	u64 packets;
	u64 bytes;
	struct u64_stats_sync syncp;
};

struct ce1000_tx_ring {
	struct ce1000_tx_desc *desc;	/* coherent DMA memory */
	dma_addr_t dma;
	struct ce1000_tx_buf *buf;
	unsigned int count;
	unsigned int next_to_use;	/* written by start_xmit */
	unsigned int next_to_clean;	/* written by the NAPI poll */
};

struct ce1000_rx_ring {
	struct ce1000_rx_desc *desc;
	dma_addr_t dma;
	struct ce1000_rx_buf *buf;
	unsigned int count;
	unsigned int next_to_clean;	/* next descriptor to look at */
	unsigned int next_to_fill;	/* next slot that needs a buffer */
	bool discard;			/* inside a frame that spans buffers */
};

/* Hardware counters, accumulated because they clear on read. */
struct ce1000_hw_stats {
	u64 crcerrs, algnerrc, rxerrc, mpc, colc, gprc, bprc, mprc, gptc;
	u64 gorc, gotc, rnbc, ruc, roc, tpr, tpt, mptc, bptc, tsctc;
};

/* ce1000.flags: set from ce1000_down() until ce1000_up() is done. */
#define CE1000_DOWN		0

struct ce1000 {
	struct net_device *netdev;
	struct pci_dev *pdev;
	u8 __iomem *regs;

	/* The rings exist while the interface is up. */
	struct ce1000_tx_ring tx;
	struct ce1000_rx_ring rx;
	struct napi_struct napi;
	unsigned long flags;		/* CE1000_DOWN */

	/*
	 * Software counters; they outlive the rings. Each has one writer at a
	 * time (noted) and lock-free readers (ethtool, get_stats64): written
	 * with ce1000_count(), read with READ_ONCE().
	 */
	struct ce1000_ring_stats tx_stats;
	struct ce1000_ring_stats rx_stats;
	u64 tx_dma_errors;		/* start_xmit only */
	u64 tx_offload_errors;		/* start_xmit only */
	u64 rx_alloc_failed;		/* NAPI poll and open only */
	u64 rx_frame_errors;		/* NAPI poll only */

	/* Set under RTNL; used by open and set_ringparam. */
	unsigned int tx_ring_size;
	unsigned int rx_ring_size;

	/* The two knobs: read in the data path, changed under RTNL. */
	bool prefetch;
	u32 itr_reg;		/* raw value written to ITR */
	u32 itr_user;		/* ITR that rust-port-itr off goes back to */

	struct delayed_work watchdog;	/* link state and statistics */
	struct work_struct reset_task;	/* after a TX timeout */

	spinlock_t stats_lock;	/* hw_stats */
	struct ce1000_hw_stats hw_stats;
	u64 tx_timeouts;		/* ndo_tx_timeout only */
	u64 irqs;			/* the interrupt handler only */
};

/* One more on a counter with a single writer and lock-free readers. */
static inline void ce1000_count(u64 *counter)
{
	WRITE_ONCE(*counter, *counter + 1);
}

static inline u32 ce1000_rd(struct ce1000 *ad, u32 reg)
{
	return readl(ad->regs + reg);
}

static inline void ce1000_wr(struct ce1000 *ad, u32 reg, u32 val)
{
	writel(val, ad->regs + reg);
}

/* Post writes before a delay: a read forces them through the bus. */
static inline void ce1000_flush(struct ce1000 *ad)
{
	ce1000_rd(ad, STATUS);
}

/* ce1000_hw.c: the device, below the rings */
int ce1000_hw_reset(struct ce1000 *ad);
int ce1000_read_mac(struct ce1000 *ad, u8 *mac);
int ce1000_phy_init(struct ce1000 *ad);
void ce1000_set_rar(struct ce1000 *ad, int index, const u8 *addr);
void ce1000_set_rx_mode(struct net_device *netdev);
void ce1000_irq_enable(struct ce1000 *ad);
void ce1000_irq_disable(struct ce1000 *ad);
void ce1000_write_itr(struct ce1000 *ad);
u32 ce1000_itr_from_rate(unsigned int per_sec);
void ce1000_update_hw_stats(struct ce1000 *ad);
bool ce1000_link_up(struct ce1000 *ad, int *speed, bool *full_duplex);

/* ce1000_ring.c: descriptor rings and the data path */
int ce1000_alloc_tx_ring(struct ce1000 *ad, struct ce1000_tx_ring *tx,
			 unsigned int count);
int ce1000_alloc_rx_ring(struct ce1000 *ad, struct ce1000_rx_ring *rx,
			 unsigned int count);
void ce1000_free_tx_ring(struct ce1000 *ad, struct ce1000_tx_ring *tx);
void ce1000_free_rx_ring(struct ce1000 *ad, struct ce1000_rx_ring *rx);
void ce1000_configure_tx(struct ce1000 *ad);
void ce1000_configure_rx(struct ce1000 *ad);
void ce1000_stop_dma(struct ce1000 *ad);
void ce1000_clean_all(struct ce1000 *ad);
unsigned int ce1000_rx_unfilled(const struct ce1000_rx_ring *rx);
unsigned int ce1000_refill_rx(struct ce1000 *ad);
netdev_tx_t ce1000_xmit(struct sk_buff *skb, struct net_device *netdev);
void ce1000_clean_tx(struct ce1000 *ad, int budget);
int ce1000_clean_rx(struct ce1000 *ad, int budget);

/* ce1000_ethtool.c */
extern const struct ethtool_ops ce1000_ethtool_ops;

/* ce1000_main.c */
void ce1000_down(struct ce1000 *ad);
void ce1000_up(struct ce1000 *ad);
int ce1000_resize(struct ce1000 *ad, unsigned int tx, unsigned int rx);
unsigned int ce1000_ring_size(unsigned int count);

#endif /* CE1000_H */
