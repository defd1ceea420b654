// SPDX-License-Identifier: GPL-2.0
/*
 * ce1000_ring.c: the descriptor rings and the data path.
 *
 * Both rings live in coherent DMA memory that the CPU and the NIC share;
 * packet buffers are mapped with the streaming DMA API for one transfer.
 *
 *   TX: start_xmit fills descriptors from TDT on (a context descriptor
 *       when the skb asks for a checksum or segmentation, then one data
 *       descriptor per 4 KiB of head and of each frag) and moves TDT on;
 *       the NIC sends the packet, sets DD in its last descriptor and
 *       raises TXDW; the NAPI poll unmaps the pieces and frees the skb.
 *   RX: the driver gives the NIC empty buffers up to RDT; the NIC writes a
 *       frame, sets DD and raises RXT0; the NAPI poll hands the skb up and
 *       gives the slot a fresh buffer.
 *
 * One slot of each ring stays empty so that head == tail means "nothing
 * for the NIC" and never "everything".
 */
#include <linux/bitfield.h>
#include <linux/dma-mapping.h>
#include <linux/prefetch.h>
#include <net/ip.h>
#include <net/netdev_queues.h>
#include <net/tcp.h>

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

/*
 * Free descriptors at which a stopped queue starts again: a quarter of the
 * ring, and never fewer than the largest skb needs.
 */
static unsigned int ce1000_tx_wake_at(const struct ce1000_tx_ring *tx)
{
	return max(tx->count / 4, CE1000_TX_DESC_MAX);
}

/* Undo the mapping a slot holds, if any. */
static void ce1000_tx_unmap(struct device *dev, struct ce1000_tx_buf *b)
{
	if (!b->len)
		return;
	if (b->page)
		dma_unmap_page(dev, b->dma, b->len, DMA_TO_DEVICE);
	else
		dma_unmap_single(dev, b->dma, b->len, DMA_TO_DEVICE);
	b->len = 0;
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

		ce1000_tx_unmap(dev, b);
		if (!b->skb)
			continue;
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

/* Data descriptors for len bytes. */
static unsigned int ce1000_txd_count(unsigned int len)
{
	return DIV_ROUND_UP(len, CE1000_TXD_MAX_DATA);
}

/* Descriptors the skb takes: a context if it asks for one, head, frags. */
static unsigned int ce1000_tx_descs(const struct sk_buff *skb)
{
	const struct skb_shared_info *sh = skb_shinfo(skb);
	unsigned int n = ce1000_txd_count(skb_headlen(skb));
	unsigned int f;

	if (skb_is_gso(skb) || skb->ip_summed == CHECKSUM_PARTIAL)
		n++;
	for (f = 0; f < sh->nr_frags; f++)
		n += ce1000_txd_count(skb_frag_size(&sh->frags[f]));
	return n;
}

/*
 * For an skb that asks for TSO or a checksum, write the context descriptor
 * at next_to_use. *dctl gets the bits of the second word its data
 * descriptors carry. Returns the descriptors used (0 or 1) or an error.
 */
static int ce1000_tx_offload(struct ce1000_tx_ring *tx, struct sk_buff *skb,
			     u64 *dctl)
{
	struct ce1000_tx_desc *d = &tx->desc[tx->next_to_use];
	unsigned int css, cso, hdr, ip, l4;
	u64 ctx = TXD_CMD_DEXT;
	struct iphdr *iph;
	int err;

	*dctl = TXD_CMD_DEXT | TXD_DTYP_D | TXD_CMD_IFCS;
	if (skb_is_gso(skb)) {
		/* IPv4 TCP is all NETIF_F_TSO lets the stack hand us. */
		if (!(skb_shinfo(skb)->gso_type & SKB_GSO_TCPV4) ||
		    skb->protocol != htons(ETH_P_IP))
			return -EPROTONOSUPPORT;
		/* The headers are changed below: a clone must get its own. */
		err = skb_cow_head(skb, 0);
		if (err)
			return err;
		ip = skb_network_offset(skb);
		l4 = skb_transport_offset(skb);
		hdr = skb_tcp_all_headers(skb);
		/*
		 * The NIC puts each segment's length into tot_len and into the
		 * TCP checksum, and sums the IP header itself: both start from
		 * a header with no length in it.
		 */
		iph = ip_hdr(skb);
		iph->tot_len = 0;
		iph->check = 0;
		tcp_hdr(skb)->check = ~tcp_v4_check(0, iph->saddr, iph->daddr, 0);
		d->addr = cpu_to_le64(FIELD_PREP(TXC_IPCSS, ip) |
			FIELD_PREP(TXC_IPCSO, ip + offsetof(struct iphdr, check)) |
			FIELD_PREP(TXC_IPCSE, l4 - 1) |
			FIELD_PREP(TXC_TUCSS, l4) |
			FIELD_PREP(TXC_TUCSO, l4 + offsetof(struct tcphdr, check)));
		ctx |= TXD_CMD_TSE | TXD_CMD_IP | TXD_CMD_TCP |
		       FIELD_PREP(TXD_LEN, skb->len - hdr) |
		       FIELD_PREP(TXD_HDRLEN, hdr) |
		       FIELD_PREP(TXD_MSS, skb_shinfo(skb)->gso_size);
		*dctl |= TXD_CMD_TSE | TXD_POPTS_IXSM | TXD_POPTS_TXSM;
	} else if (skb->ip_summed == CHECKSUM_PARTIAL) {
		/*
		 * NETIF_F_HW_CSUM: the NIC sums from css to the end of the
		 * frame and stores the sum at cso, which is all the stack
		 * asks for any protocol (the pseudo-header is in the seed).
		 * The offsets are 8 bits wide; deeper ones (tunnels) are
		 * summed here.
		 */
		css = skb_checksum_start_offset(skb);
		cso = css + skb->csum_offset;
		if (cso > FIELD_MAX(TXC_TUCSO))
			return skb_checksum_help(skb);
		d->addr = cpu_to_le64(FIELD_PREP(TXC_TUCSS, css) |
				      FIELD_PREP(TXC_TUCSO, cso));
		*dctl |= TXD_POPTS_TXSM;
	} else {
		return 0;
	}
	d->ctl = cpu_to_le64(ctx);
	tx->buf[tx->next_to_use].len = 0;
	return 1;
}

/*
 * Map the head and each frag of the skb, and describe them in data
 * descriptors from slot i on, CE1000_TXD_MAX_DATA bytes at most each. A
 * slot keeps the mapping of the piece whose first descriptor it has.
 * Returns the slot of the last descriptor, or an error once everything
 * it mapped is unmapped again.
 */
static int ce1000_tx_map(struct ce1000 *ad, struct sk_buff *skb,
			 unsigned int i, u64 dctl)
{
	const struct skb_shared_info *sh = skb_shinfo(skb);
	struct ce1000_tx_ring *tx = &ad->tx;
	struct device *dev = &ad->pdev->dev;
	unsigned int start = i, last = i, f, len, off, size;
	dma_addr_t dma;

	/* Piece 0 is the head, piece f > 0 frag f - 1. */
	for (f = 0; f <= sh->nr_frags; f++) {
		len = f ? skb_frag_size(&sh->frags[f - 1]) : skb_headlen(skb);
		if (!len)
			continue;
		if (f)
			dma = skb_frag_dma_map(dev, &sh->frags[f - 1], 0, len,
					       DMA_TO_DEVICE);
		else
			dma = dma_map_single(dev, skb->data, len,
					     DMA_TO_DEVICE);
		if (dma_mapping_error(dev, dma))
			goto unwind;
		tx->buf[i].dma = dma;
		tx->buf[i].page = f > 0;
		for (off = 0; off < len; off += size) {
			size = min(len - off, CE1000_TXD_MAX_DATA);
			tx->buf[i].len = off ? 0 : len;
			tx->desc[i].addr = cpu_to_le64(dma + off);
			tx->desc[i].ctl = cpu_to_le64(dctl | size);
			last = i;
			i = ce1000_next(i, tx->count);
		}
	}
	/* Status only for the whole packet: one DD to look at. */
	tx->desc[last].ctl |= cpu_to_le64(TXD_CMD_EOP | TXD_CMD_RS);
	return last;

unwind:
	for (; start != i; start = ce1000_next(start, tx->count))
		ce1000_tx_unmap(dev, &tx->buf[start]);
	return -ENOMEM;
}

netdev_tx_t ce1000_xmit(struct sk_buff *skb, struct net_device *netdev)
{
	struct netdev_queue *txq = netdev_get_tx_queue(netdev, 0);
	struct ce1000 *ad = netdev_priv(netdev);
	struct ce1000_tx_ring *tx = &ad->tx;
	unsigned int first = tx->next_to_use;
	unsigned int segs, bytes;
	int used, last;
	u64 dctl;

	/* The queue stops before an skb can lack room; this is a bug. */
	if (WARN_ON_ONCE(ce1000_tx_descs(skb) > ce1000_tx_free(tx))) {
		netif_tx_stop_queue(txq);
		return NETDEV_TX_BUSY;
	}

	used = ce1000_tx_offload(tx, skb, &dctl);
	if (used < 0) {
		ce1000_count(&ad->tx_offload_errors);
		goto drop;
	}
	last = ce1000_tx_map(ad, skb, (first + used) % tx->count, dctl);
	if (last < 0) {
		ce1000_count(&ad->tx_dma_errors);
		goto drop;
	}

	/* What the wire sees: each segment repeats the headers. */
	segs = skb_is_gso(skb) ? skb_shinfo(skb)->gso_segs : 1;
	bytes = skb->len;
	if (segs > 1)
		bytes += (segs - 1) * skb_tcp_all_headers(skb);
	tx->buf[first].last = last;
	tx->buf[last].skb = skb;
	tx->buf[last].segs = segs;
	tx->buf[last].bytes = bytes;
	skb_tx_timestamp(skb);

	/* Pairs with the acquire in ce1000_clean_tx(): the slots are set. */
	smp_store_release(&tx->next_to_use, ce1000_next(last, tx->count));
	/* Stop while the largest skb might not fit. */
	netif_txq_maybe_stop(txq, ce1000_tx_free(tx), CE1000_TX_DESC_MAX,
			     ce1000_tx_wake_at(tx));
	/* Ring the doorbell unless more packets follow right away. */
	if (__netdev_tx_sent_queue(txq, bytes, netdev_xmit_more()))
		ce1000_wr(ad, TDT, tx->next_to_use);
	return NETDEV_TX_OK;

drop:
	dev_kfree_skb_any(skb);
	/* Frames queued with xmit_more before this one still need it. */
	if (!netdev_xmit_more())
		ce1000_wr(ad, TDT, tx->next_to_use);
	return NETDEV_TX_OK;
}

/*
 * Free what the NIC has sent, a packet at a time: DD in its last
 * descriptor says the NIC is done with all of them. The ring bounds the
 * work, not the budget.
 */
void ce1000_clean_tx(struct ce1000 *ad, int budget)
{
	struct netdev_queue *txq = netdev_get_tx_queue(ad->netdev, 0);
	struct ce1000_tx_ring *tx = &ad->tx;
	struct device *dev = &ad->pdev->dev;
	unsigned int i = tx->next_to_clean;
	/* Pairs with the release in ce1000_xmit(): slots up to it are set. */
	unsigned int use = smp_load_acquire(&tx->next_to_use);
	unsigned int pkts = 0, bytes = 0;

	while (i != use) {
		unsigned int last = tx->buf[i].last;
		struct ce1000_tx_buf *b = &tx->buf[last];

		if (!(le64_to_cpu(READ_ONCE(tx->desc[last].ctl)) & TXD_STAT_DD))
			break;
		/* Nothing of the packet is touched before DD is seen. */
		dma_rmb();
		pkts += b->segs;
		bytes += b->bytes;
		for (; i != last; i = ce1000_next(i, tx->count))
			ce1000_tx_unmap(dev, &tx->buf[i]);
		ce1000_tx_unmap(dev, b);
		napi_consume_skb(b->skb, budget);
		b->skb = NULL;
		i = ce1000_next(last, tx->count);
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
				 ce1000_tx_wake_at(tx));
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
