// SPDX-License-Identifier: GPL-2.0
/*
 * ce1000_ring.c: the descriptor rings and the data path.
 *
 * Both rings live in coherent DMA memory that the CPU and the NIC share;
 * packet buffers are mapped with the streaming DMA API for one transfer.
 *
 *   TX: start_xmit fills the descriptor at TDT and moves TDT on; the NIC
 *       sends it, sets DD and raises TXDW; the NAPI poll frees the skb.
 *   RX: the driver gives the NIC empty buffers up to RDT; the NIC writes a
 *       frame, sets DD and raises RXT0; the NAPI poll hands the skb up and
 *       gives the slot a fresh buffer.
 *
 * One slot of each ring stays empty so that head == tail means "nothing
 * for the NIC" and never "everything".
 */
#include <linux/dma-mapping.h>
#include <linux/prefetch.h>
#include <net/netdev_queues.h>

#include "ce1000.h"

static unsigned int ce1000_next(unsigned int i, unsigned int count)
{
	return i + 1 == count ? 0 : i + 1;
}

/* Free TX descriptors; start_xmit and the NAPI poll may race on it. */
static unsigned int ce1000_tx_free(const struct ce1000_tx_ring *tx)
{
	unsigned int use = READ_ONCE(tx->next_to_use);
	/* Pairs with the release in ce1000_clean_tx(). */
	unsigned int clean = smp_load_acquire(&tx->next_to_clean);

	return (clean + tx->count - use - 1) % tx->count;
}

/* RX slots without a buffer, not counting the one that stays empty. */
unsigned int ce1000_rx_unfilled(const struct ce1000_rx_ring *rx)
{
	return (rx->next_to_clean + rx->count - rx->next_to_fill - 1) %
		rx->count;
}

int ce1000_alloc_tx_ring(struct ce1000 *ad, struct ce1000_tx_ring *tx,
			 unsigned int count)
{
	tx->count = count;
	tx->buf = kcalloc(count, sizeof(*tx->buf), GFP_KERNEL);
	if (!tx->buf)
		return -ENOMEM;
	tx->desc = dma_alloc_coherent(&ad->pdev->dev, count * sizeof(*tx->desc),
				      &tx->dma, GFP_KERNEL);
	if (!tx->desc) {
		kfree(tx->buf);
		tx->buf = NULL;
		return -ENOMEM;
	}
	tx->next_to_use = 0;
	tx->next_to_clean = 0;
	return 0;
}

int ce1000_alloc_rx_ring(struct ce1000 *ad, struct ce1000_rx_ring *rx,
			 unsigned int count)
{
	rx->count = count;
	rx->buf = kcalloc(count, sizeof(*rx->buf), GFP_KERNEL);
	if (!rx->buf)
		return -ENOMEM;
	rx->desc = dma_alloc_coherent(&ad->pdev->dev, count * sizeof(*rx->desc),
				      &rx->dma, GFP_KERNEL);
	if (!rx->desc) {
		kfree(rx->buf);
		rx->buf = NULL;
		return -ENOMEM;
	}
	rx->next_to_clean = 0;
	rx->next_to_fill = 0;
	rx->discard = false;
	return 0;
}

void ce1000_free_tx_ring(struct ce1000 *ad, struct ce1000_tx_ring *tx)
{
	if (!tx->desc)
		return;
	dma_free_coherent(&ad->pdev->dev, tx->count * sizeof(*tx->desc),
			  tx->desc, tx->dma);
	kfree(tx->buf);
	tx->desc = NULL;
	tx->buf = NULL;
}

void ce1000_free_rx_ring(struct ce1000 *ad, struct ce1000_rx_ring *rx)
{
	if (!rx->desc)
		return;
	dma_free_coherent(&ad->pdev->dev, rx->count * sizeof(*rx->desc),
			  rx->desc, rx->dma);
	kfree(rx->buf);
	rx->desc = NULL;
	rx->buf = NULL;
}

void ce1000_configure_tx(struct ce1000 *ad)
{
	struct ce1000_tx_ring *tx = &ad->tx;

	memset(tx->desc, 0, tx->count * sizeof(*tx->desc));
	tx->next_to_use = 0;
	tx->next_to_clean = 0;
	ce1000_wr(ad, TDBAL, lower_32_bits(tx->dma));
	ce1000_wr(ad, TDBAH, upper_32_bits(tx->dma));
	ce1000_wr(ad, TDLEN, tx->count * sizeof(*tx->desc));
	ce1000_wr(ad, TDH, 0);
	ce1000_wr(ad, TDT, 0);
	ce1000_wr(ad, TIPG, TIPG_COPPER);
	/* No per-descriptor delay: ITR alone paces the interrupts. */
	ce1000_wr(ad, TIDV, 0);
	ce1000_wr(ad, TADV, 0);
	ce1000_wr(ad, TCTL, TCTL_EN | TCTL_PSP | TCTL_CT | TCTL_COLD_FD);
	netdev_reset_queue(ad->netdev);
}

/*
 * The receiver is left disabled: the caller gives it buffers first, then
 * sets RCTL.EN.
 */
void ce1000_configure_rx(struct ce1000 *ad)
{
	struct ce1000_rx_ring *rx = &ad->rx;

	memset(rx->desc, 0, rx->count * sizeof(*rx->desc));
	rx->next_to_clean = 0;
	rx->next_to_fill = 0;
	rx->discard = false;
	ce1000_wr(ad, RCTL, 0);
	ce1000_wr(ad, RDBAL, lower_32_bits(rx->dma));
	ce1000_wr(ad, RDBAH, upper_32_bits(rx->dma));
	ce1000_wr(ad, RDLEN, rx->count * sizeof(*rx->desc));
	ce1000_wr(ad, RDH, 0);
	ce1000_wr(ad, RDT, 0);
	ce1000_wr(ad, RDTR, 0);
	ce1000_wr(ad, RADV, 0);
	ce1000_set_rar(ad, 0, ad->netdev->dev_addr);
	netif_addr_lock_bh(ad->netdev);
	ce1000_wr(ad, RCTL, RCTL_BAM | RCTL_BSIZE_2048 | RCTL_SECRC);
	ce1000_set_rx_mode(ad->netdev);
	netif_addr_unlock_bh(ad->netdev);
}

/*
 * Stop both DMA engines. A transfer in progress completes; give it the
 * time the SDM asks for before the buffers go away.
 */
void ce1000_stop_dma(struct ce1000 *ad)
{
	netif_addr_lock_bh(ad->netdev);
	ce1000_wr(ad, RCTL, ce1000_rd(ad, RCTL) & ~RCTL_EN);
	netif_addr_unlock_bh(ad->netdev);
	ce1000_wr(ad, TCTL, ce1000_rd(ad, TCTL) & ~TCTL_EN);
	ce1000_flush(ad);
	usleep_range(10000, 20000);
}

/* After ce1000_stop_dma(): unmap and free every buffer of both rings. */
void ce1000_clean_all(struct ce1000 *ad)
{
	struct device *dev = &ad->pdev->dev;
	unsigned int i;

	for (i = 0; i < ad->tx.count; i++) {
		struct ce1000_tx_buf *b = &ad->tx.buf[i];

		if (!b->skb)
			continue;
		dma_unmap_single(dev, b->dma, b->len, DMA_TO_DEVICE);
		dev_kfree_skb_any(b->skb);
		b->skb = NULL;
	}
	netdev_reset_queue(ad->netdev);

	for (i = 0; i < ad->rx.count; i++) {
		struct ce1000_rx_buf *b = &ad->rx.buf[i];

		if (!b->skb)
			continue;
		dma_unmap_single(dev, b->dma, CE1000_RX_BUF_LEN,
				 DMA_FROM_DEVICE);
		dev_kfree_skb_any(b->skb);
		b->skb = NULL;
	}
}

/*
 * Give the NIC an empty buffer in every free slot, then move RDT past the
 * last one. Runs in the NAPI poll and in open. On allocation failure the
 * slot stays empty; the next poll or the watchdog tries again.
 */
unsigned int ce1000_refill_rx(struct ce1000 *ad)
{
	struct ce1000_rx_ring *rx = &ad->rx;
	struct device *dev = &ad->pdev->dev;
	unsigned int n = ce1000_rx_unfilled(rx), done;
	unsigned int i = rx->next_to_fill;

	for (done = 0; done < n; done++) {
		struct ce1000_rx_buf *b = &rx->buf[i];
		struct ce1000_rx_desc *d = &rx->desc[i];
		struct sk_buff *skb;
		dma_addr_t dma;

		skb = netdev_alloc_skb_ip_align(ad->netdev, CE1000_RX_BUF_LEN);
		if (!skb)
			goto failed;
		dma = dma_map_single(dev, skb->data, CE1000_RX_BUF_LEN,
				     DMA_FROM_DEVICE);
		if (dma_mapping_error(dev, dma)) {
			dev_kfree_skb_any(skb);
			goto failed;
		}
		b->skb = skb;
		b->dma = dma;
		d->addr = cpu_to_le64(dma);
		d->status = 0;
		i = ce1000_next(i, rx->count);
	}
	goto out;

failed:
	ce1000_count(&ad->rx_alloc_failed);
out:
	if (done) {
		rx->next_to_fill = i;
		/* writel() orders the descriptor writes before the tail. */
		ce1000_wr(ad, RDT, i);
	}
	return done;
}

netdev_tx_t ce1000_xmit(struct sk_buff *skb, struct net_device *netdev)
{
	struct netdev_queue *txq = netdev_get_tx_queue(netdev, 0);
	struct ce1000 *ad = netdev_priv(netdev);
	struct ce1000_tx_ring *tx = &ad->tx;
	struct device *dev = &ad->pdev->dev;
	unsigned int i = tx->next_to_use;
	struct ce1000_tx_desc *d;
	dma_addr_t dma;

	/* The queue is stopped before the ring fills; this is a bug. */
	if (WARN_ON_ONCE(!ce1000_tx_free(tx))) {
		netif_tx_stop_queue(txq);
		return NETDEV_TX_BUSY;
	}

	/* No NETIF_F_SG: the stack hands us linear skbs only. */
	dma = dma_map_single(dev, skb->data, skb->len, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, dma)) {
		ce1000_count(&ad->tx_dma_errors);
		dev_kfree_skb_any(skb);
		/* Frames queued with xmit_more before this one still need it. */
		if (!netdev_xmit_more())
			ce1000_wr(ad, TDT, tx->next_to_use);
		return NETDEV_TX_OK;
	}
	tx->buf[i].skb = skb;
	tx->buf[i].dma = dma;
	tx->buf[i].len = skb->len;

	d = &tx->desc[i];
	d->addr = cpu_to_le64(dma);
	d->length = cpu_to_le16(skb->len);
	d->cso = 0;
	d->cmd = TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS;
	d->status = 0;
	d->css = 0;
	d->special = 0;
	skb_tx_timestamp(skb);

	/* Pairs with the acquire in ce1000_clean_tx(): the slot is filled. */
	smp_store_release(&tx->next_to_use, ce1000_next(i, tx->count));
	/* Stop while one slot is left; wake when a quarter is free again. */
	netif_txq_maybe_stop(txq, ce1000_tx_free(tx), 1, tx->count / 4);
	/* Ring the doorbell unless more packets follow right away. */
	if (__netdev_tx_sent_queue(txq, skb->len, netdev_xmit_more()))
		ce1000_wr(ad, TDT, tx->next_to_use);
	return NETDEV_TX_OK;
}

/* Free what the NIC has sent. The ring bounds the work, not the budget. */
void ce1000_clean_tx(struct ce1000 *ad, int budget)
{
	struct netdev_queue *txq = netdev_get_tx_queue(ad->netdev, 0);
	struct ce1000_tx_ring *tx = &ad->tx;
	unsigned int i = tx->next_to_clean;
	/* Pairs with the release in ce1000_xmit(): slots up to it are set. */
	unsigned int use = smp_load_acquire(&tx->next_to_use);
	unsigned int pkts = 0, bytes = 0;

	while (i != use) {
		struct ce1000_tx_buf *b = &tx->buf[i];

		if (!(READ_ONCE(tx->desc[i].status) & TXD_STAT_DD))
			break;
		/* Read the rest only after seeing DD. */
		dma_rmb();
		dma_unmap_single(&ad->pdev->dev, b->dma, b->len, DMA_TO_DEVICE);
		pkts++;
		bytes += b->len;
		napi_consume_skb(b->skb, budget);
		b->skb = NULL;
		/* DD stays set in the descriptor: clear it for the next lap. */
		tx->desc[i].status = 0;
		i = ce1000_next(i, tx->count);
	}
	/* Pairs with ce1000_tx_free() in xmit: the slots are empty. */
	smp_store_release(&tx->next_to_clean, i);
	if (!pkts)
		return;

	u64_stats_update_begin(&ad->tx_stats.syncp);
	ad->tx_stats.packets += pkts;
	ad->tx_stats.bytes += bytes;
	u64_stats_update_end(&ad->tx_stats.syncp);
	netif_txq_completed_wake(txq, pkts, bytes, ce1000_tx_free(tx),
				 tx->count / 4);
}

/*
 * Hand up to budget frames to the stack. Prefetch sits where mainline
 * e1000_clean_rx_irq() has it: the frame's first cache line right after
 * the descriptor is read (eth_type_trans() touches it next), and the next
 * descriptor (the next iteration reads it).
 */
int ce1000_clean_rx(struct ce1000 *ad, int budget)
{
	struct ce1000_rx_ring *rx = &ad->rx;
	bool prefetch_on = READ_ONCE(ad->prefetch);
	unsigned int i = rx->next_to_clean;
	unsigned int pkts = 0, bytes = 0;
	int done = 0;

	while (done < budget) {
		struct ce1000_rx_desc *d = &rx->desc[i];
		struct ce1000_rx_buf *b = &rx->buf[i];
		struct sk_buff *skb;
		unsigned int len;
		u8 status, errors;

		status = READ_ONCE(d->status);
		if (!(status & RXD_STAT_DD))
			break;
		dma_rmb();
		errors = d->errors;
		len = le16_to_cpu(d->length);
		/* The slot may wait empty for a buffer: no stale DD then. */
		d->status = 0;
		skb = b->skb;
		if (prefetch_on)
			prefetch(skb->data);

		i = ce1000_next(i, rx->count);
		if (prefetch_on)
			prefetch(&rx->desc[i]);

		dma_unmap_single(&ad->pdev->dev, b->dma, CE1000_RX_BUF_LEN,
				 DMA_FROM_DEVICE);
		b->skb = NULL;
		done++;

		/*
		 * Frames longer than a buffer cannot arrive with RCTL.LPE
		 * clear; drop all pieces of one anyway, and bad frames.
		 */
		if (!(status & RXD_STAT_EOP) || rx->discard ||
		    (errors & RXD_ERR_FRAME) || len > CE1000_RX_BUF_LEN) {
			rx->discard = !(status & RXD_STAT_EOP);
			ce1000_count(&ad->rx_frame_errors);
			napi_consume_skb(skb, budget);
			continue;
		}

		skb_put(skb, len);
		skb->protocol = eth_type_trans(skb, ad->netdev);
		napi_gro_receive(&ad->napi, skb);
		pkts++;
		bytes += len;
	}
	rx->next_to_clean = i;
	/* Always: a ring left empty by failed allocations must recover. */
	ce1000_refill_rx(ad);

	u64_stats_update_begin(&ad->rx_stats.syncp);
	ad->rx_stats.packets += pkts;
	ad->rx_stats.bytes += bytes;
	u64_stats_update_end(&ad->rx_stats.syncp);
	return done;
}
