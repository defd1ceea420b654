// SPDX-License-Identifier: GPL-2.0

//! re1000_ring.rs: the descriptor rings and the data path; the twin of ce1000_ring.c.
//!
//! Both rings live in coherent DMA memory that the CPU and the NIC share; packet buffers are
//! mapped with the streaming DMA API for one transfer ([`MappedSkb`]: unmapped when dropped).
//!
//!   TX: start_xmit fills the descriptor at TDT and moves TDT on; the NIC sends it, sets DD and
//!       raises TXDW; the NAPI poll frees the skb.
//!   RX: the driver gives the NIC empty buffers up to RDT; the NIC writes a frame, sets DD and
//!       raises RXT0; the NAPI poll hands the skb up and gives the slot a fresh buffer.
//!
//! One slot of each ring stays empty so that head == tail means "nothing for the NIC" and never
//! "everything".
//!
//! Differences from the C twin, both forced by the abstractions: the descriptor memory is
//! allocated once at probe for the largest ring (a coherent allocation needs the bound PCI
//! device, which only probe has), and each ring is under a spinlock that disables bottom halves
//! where ce1000 relies on the NAPI/TX-lock/RTNL protocol with acquire/release indices.

use kernel::{
    dma::{Coherent, DataDirection},
    io::{io_read, io_write},
    net::{
        dev::{NapiPoll, TxOutcome},
        skbuff::{self, MappedSkb, SkBuff},
    },
    prelude::*,
    sync::{
        atomic::Relaxed,
        barrier::{dma_mb, Read},
    },
    warn_on,
};

use crate::{re1000_hw::*, NetDevice, Re1000};

/// Ring sizes: TDLEN and RDLEN must be multiples of 128 bytes, that is of 8 descriptors; the
/// limits are mainline e1000's for the 82540.
pub(crate) const RING_MIN: u32 = 48;
pub(crate) const RING_MAX: u32 = 4096;
pub(crate) const RING_DEFAULT: u32 = 256;
const RING_ALIGN: u32 = 8;

/// RCTL_BSIZE_2048.
const RX_BUF_LEN: u32 = 2048;

/// A descriptor is 16 bytes, two little-endian 64-bit words (SDM 3.2.3 and 3.3.3): the buffer
/// address, then length, checksum or command, status, errors and special. Each is read and
/// written whole, so status, errors and length of one descriptor come from one load.
const DESC_WORDS: usize = 2;
const DESC_BYTES: u32 = 16;

// Word 1 of an RX descriptor.
const RXD_LEN_MASK: u64 = 0xffff;
const RXD_STATUS_SHIFT: u32 = 32;
const RXD_ERRORS_SHIFT: u32 = 40;
const RXD_STAT_DD: u8 = 1 << 0; // descriptor done
const RXD_STAT_EOP: u8 = 1 << 1; // end of packet
/// CRC, symbol, sequence, carrier extension and RX data errors.
const RXD_ERR_FRAME: u8 = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 4) | (1 << 7);

// Word 1 of a TX descriptor.
const TXD_CMD_SHIFT: u32 = 24;
const TXD_STATUS_SHIFT: u32 = 32;
const TXD_CMD_EOP: u64 = 1 << 0; // end of packet
const TXD_CMD_IFCS: u64 = 1 << 1; // insert the CRC
const TXD_CMD_RS: u64 = 1 << 3; // report status: write DD back
const TXD_STAT_DD: u64 = 1 << 0;

/// Descriptor counts rounded up to what TDLEN/RDLEN accept, as mainline e1000 does; the callers
/// check the range first.
pub(crate) const fn ring_size(count: u32) -> u32 {
    count.div_ceil(RING_ALIGN) * RING_ALIGN
}

/// Whether `count` descriptors is a ring size the device and the driver accept.
pub(crate) const fn ring_size_ok(count: u32) -> bool {
    count >= RING_MIN && count <= RING_MAX
}

/// The coherent memory of a ring's descriptors, `RING_MAX` of them.
pub(crate) type DescMem = Coherent<[u64]>;

fn desc_read(mem: &DescMem, i: usize, word: usize) -> Result<u64> {
    Ok(u64::from_le(io_read!(mem, [try: DESC_WORDS * i + word])))
}

fn desc_write(mem: &DescMem, i: usize, word: usize, val: u64) -> Result {
    io_write!(mem, [try: DESC_WORDS * i + word], val.to_le());
    Ok(())
}

/// Zeroes the first `count` descriptors.
fn desc_clear(mem: &DescMem, count: usize) {
    for i in 0..count {
        let _ = desc_write(mem, i, 0, 0);
        let _ = desc_write(mem, i, 1, 0);
    }
}

fn next(i: usize, count: usize) -> usize {
    if i + 1 == count {
        0
    } else {
        i + 1
    }
}

/// The TX ring; its slots exist while the interface is up.
pub(crate) struct TxRing {
    pub(crate) desc: DescMem,
    /// What each slot holds until the NIC is done with it.
    slots: KVec<Option<MappedSkb>>,
    next_to_use: usize,
    pub(crate) next_to_clean: usize,
}

/// The RX ring; its slots exist while the interface is up.
pub(crate) struct RxRing {
    pub(crate) desc: DescMem,
    /// An empty skb the NIC will fill, per slot.
    slots: KVec<Option<MappedSkb>>,
    /// Next descriptor to look at.
    next_to_clean: usize,
    /// Next slot that needs a buffer.
    next_to_fill: usize,
    /// Inside a frame that spans buffers.
    discard: bool,
}

impl TxRing {
    pub(crate) fn new(desc: DescMem) -> Self {
        Self {
            desc,
            slots: KVec::new(),
            next_to_use: 0,
            next_to_clean: 0,
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.slots.len()
    }

    /// Free TX descriptors.
    fn free(&self) -> usize {
        let count = self.count();
        if count == 0 {
            return 0;
        }
        (self.next_to_clean + count - self.next_to_use - 1) % count
    }
}

impl RxRing {
    pub(crate) fn new(desc: DescMem) -> Self {
        Self {
            desc,
            slots: KVec::new(),
            next_to_clean: 0,
            next_to_fill: 0,
            discard: false,
        }
    }

    pub(crate) fn count(&self) -> usize {
        self.slots.len()
    }

    /// RX slots without a buffer, not counting the one that stays empty.
    pub(crate) fn unfilled(&self) -> usize {
        let count = self.count();
        if count == 0 {
            return 0;
        }
        (self.next_to_clean + count - self.next_to_fill - 1) % count
    }
}

/// `count` empty slots.
fn alloc_slots(count: u32) -> Result<KVec<Option<MappedSkb>>> {
    let count = count as usize;
    let mut slots = KVec::with_capacity(count, GFP_KERNEL)?;
    for _ in 0..count {
        slots.push(None, GFP_KERNEL)?;
    }
    Ok(slots)
}

/// The slots of a ring of `count` descriptors, allocated before the old ones go (resize).
pub(crate) struct RingSlots {
    tx: KVec<Option<MappedSkb>>,
    rx: KVec<Option<MappedSkb>>,
}

impl Re1000 {
    /// The slots of new TX and RX rings: the part of `ce1000_alloc_tx_ring()` and
    /// `ce1000_alloc_rx_ring()` that is not allocated at probe.
    pub(crate) fn alloc_rings(&self, tx: u32, rx: u32) -> Result<RingSlots> {
        Ok(RingSlots {
            tx: alloc_slots(tx)?,
            rx: alloc_slots(rx)?,
        })
    }

    /// Installs new slots (interface down or DMA stopped); the old ones, empty after
    /// `clean_all()`, are freed.
    pub(crate) fn install_rings(&self, slots: RingSlots) {
        self.tx.lock().slots = slots.tx;
        self.rx.lock().slots = slots.rx;
    }

    /// `ce1000_free_tx_ring()` and `ce1000_free_rx_ring()`: no slots until the next open.
    pub(crate) fn free_rings(&self) {
        self.install_rings(RingSlots {
            tx: KVec::new(),
            rx: KVec::new(),
        });
    }

    pub(crate) fn configure_tx(&self, dev: &NetDevice) {
        let mut tx = self.tx.lock();
        let count = tx.count();

        desc_clear(&tx.desc, count);
        tx.next_to_use = 0;
        tx.next_to_clean = 0;
        let dma = tx.desc.dma_address();
        self.wr(TDBAL, dma as u32);
        self.wr(TDBAH, (dma >> 32) as u32);
        self.wr(TDLEN, count as u32 * DESC_BYTES);
        self.wr(TDH, 0);
        self.wr(TDT, 0);
        self.wr(TIPG, TIPG_COPPER);
        // No per-descriptor delay: ITR alone paces the interrupts.
        self.wr(TIDV, 0);
        self.wr(TADV, 0);
        self.wr(TCTL, TCTL_EN | TCTL_PSP | TCTL_CT | TCTL_COLD_FD);
        dev.reset_queue();
    }

    /// The receiver is left disabled: the caller gives it buffers first, then sets RCTL.EN.
    pub(crate) fn configure_rx(&self, dev: &NetDevice) {
        {
            let mut rx = self.rx.lock();
            let count = rx.count();

            desc_clear(&rx.desc, count);
            rx.next_to_clean = 0;
            rx.next_to_fill = 0;
            rx.discard = false;
            self.wr(RCTL, 0);
            let dma = rx.desc.dma_address();
            self.wr(RDBAL, dma as u32);
            self.wr(RDBAH, (dma >> 32) as u32);
            self.wr(RDLEN, count as u32 * DESC_BYTES);
        }
        self.wr(RDH, 0);
        self.wr(RDT, 0);
        self.wr(RDTR, 0);
        self.wr(RADV, 0);
        self.set_rar(0, &dev.dev_addr());
        let locked = dev.addr_lock();
        self.wr(RCTL, RCTL_BAM | RCTL_BSIZE_2048 | RCTL_SECRC);
        self.set_rx_mode(dev, &locked);
    }

    /// Stops both DMA engines. A transfer in progress completes; give it the time the SDM asks
    /// for before the buffers go away.
    pub(crate) fn stop_dma(&self, dev: &NetDevice) {
        {
            let _locked = dev.addr_lock();
            self.wr(RCTL, self.rd(RCTL) & !RCTL_EN);
        }
        self.wr(TCTL, self.rd(TCTL) & !TCTL_EN);
        self.flush();
        kernel::time::delay::fsleep(kernel::time::Delta::from_millis(10));
    }

    /// After `stop_dma()`: unmaps and frees every buffer of both rings (dropping a
    /// `MappedSkb` does both).
    pub(crate) fn clean_all(&self, dev: &NetDevice) {
        for slot in self.tx.lock().slots.iter_mut() {
            drop(slot.take());
        }
        dev.reset_queue();
        for slot in self.rx.lock().slots.iter_mut() {
            drop(slot.take());
        }
    }

    /// Gives the NIC an empty buffer in every free slot, then moves RDT past the last one. Runs
    /// in the NAPI poll and in open. On allocation failure the slot stays empty; the next poll
    /// or the watchdog tries again.
    pub(crate) fn refill_rx(&self, dev: &NetDevice, rx: &mut RxRing) -> usize {
        let n = rx.unfilled();
        let count = rx.count();
        let mut i = rx.next_to_fill;
        let mut done = 0;

        while done < n {
            let mapped = SkBuff::alloc_rx(dev, RX_BUF_LEN).and_then(|skb| {
                skb.map(
                    self.pdev.as_ref(),
                    DataDirection::FromDevice,
                    RX_BUF_LEN as usize,
                )
            });
            let Ok(mapped) = mapped else {
                self.count(&self.rx_alloc_failed);
                break;
            };
            let _ = desc_write(&rx.desc, i, 0, mapped.dma_address());
            let _ = desc_write(&rx.desc, i, 1, 0);
            if let Some(slot) = rx.slots.get_mut(i) {
                *slot = Some(mapped);
            }
            i = next(i, count);
            done += 1;
        }
        if done > 0 {
            rx.next_to_fill = i;
            // The MMIO write orders the descriptor writes before the tail.
            self.wr(RDT, i as u32);
        }
        done
    }

    /// Fills every free RX slot (open); see `refill_rx()`.
    pub(crate) fn refill_rx_all(&self, dev: &NetDevice) {
        let mut rx = self.rx.lock();
        self.refill_rx(dev, &mut rx);
    }

    /// RX slots without a buffer and the ring size (the watchdog's check).
    pub(crate) fn rx_unfilled(&self) -> (usize, usize) {
        let rx = self.rx.lock();
        (rx.unfilled(), rx.count())
    }

    pub(crate) fn xmit(&self, dev: &NetDevice, mut skb: SkBuff) -> TxOutcome {
        let mut tx = self.tx.lock();

        // The queue is stopped before the ring fills; this is a bug.
        if warn_on!(tx.free() == 0) {
            dev.stop_queue();
            return TxOutcome::Busy(skb);
        }

        let len = skb.len();
        skb.tx_timestamp();
        // No NETIF_F_SG: the stack hands us linear skbs only.
        let Ok(mapped) = skb.map(self.pdev.as_ref(), DataDirection::ToDevice, len as usize) else {
            self.count(&self.tx_dma_errors);
            // Frames queued with xmit_more before this one still need it.
            if !skbuff::xmit_more() {
                self.wr(TDT, tx.next_to_use as u32);
            }
            return TxOutcome::Ok;
        };
        let i = tx.next_to_use;
        let count = tx.count();
        let cmd = TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS;
        let _ = desc_write(&tx.desc, i, 0, mapped.dma_address());
        let _ = desc_write(&tx.desc, i, 1, u64::from(len) | (cmd << TXD_CMD_SHIFT));
        if let Some(slot) = tx.slots.get_mut(i) {
            *slot = Some(mapped);
        }
        tx.next_to_use = next(i, count);

        // Stop while one slot is left; the poll wakes it when a quarter is free again. The
        // lock serialises this with the poll's check, so no wake-up is missed.
        if tx.free() < 1 {
            dev.stop_queue();
        }
        // Ring the doorbell unless more packets follow right away.
        if dev.sent_queue(len) {
            self.wr(TDT, tx.next_to_use as u32);
        }
        TxOutcome::Ok
    }

    /// Frees what the NIC has sent. The ring bounds the work, not the budget.
    pub(crate) fn clean_tx(&self, dev: &NetDevice, poll: &NapiPoll<'_>) {
        let mut tx = self.tx.lock();
        let count = tx.count();
        let mut i = tx.next_to_clean;
        let (mut pkts, mut bytes) = (0u32, 0u32);

        while i != tx.next_to_use {
            let done =
                desc_read(&tx.desc, i, 1).is_ok_and(|w| w >> TXD_STATUS_SHIFT & TXD_STAT_DD != 0);
            if !done {
                break;
            }
            // Read the rest only after seeing DD.
            dma_mb(Read);
            if let Some(mapped) = tx.slots.get_mut(i).and_then(Option::take) {
                pkts += 1;
                bytes += mapped.len() as u32;
                mapped.unmap().consume_in_poll(poll);
            }
            // DD stays set in the descriptor: clear it for the next lap.
            let _ = desc_write(&tx.desc, i, 1, 0);
            i = next(i, count);
        }
        tx.next_to_clean = i;
        if pkts == 0 {
            return;
        }

        self.tx_stats.add(pkts, bytes);
        dev.completed_queue(pkts, bytes);
        if dev.queue_stopped() && tx.free() >= count / 4 && !self.down.load(Relaxed) {
            dev.wake_queue();
        }
    }

    /// Hands up to `budget` frames to the stack. Prefetch sits where mainline
    /// `e1000_clean_rx_irq()` has it: the frame's first cache line right after the descriptor
    /// is read (`eth_type_trans()` touches it next), and the next descriptor (the next iteration
    /// reads it).
    pub(crate) fn clean_rx(&self, dev: &NetDevice, poll: &NapiPoll<'_>) -> i32 {
        let budget = poll.budget();
        let prefetch_on = self.prefetch.load(Relaxed);
        let mut rx = self.rx.lock();
        let count = rx.count();
        let mut i = rx.next_to_clean;
        let (mut pkts, mut bytes) = (0u32, 0u32);
        let mut done = 0;

        while done < budget && count > 0 {
            let Ok(word) = desc_read(&rx.desc, i, 1) else {
                break;
            };
            let status = (word >> RXD_STATUS_SHIFT) as u8;
            if status & RXD_STAT_DD == 0 {
                break;
            }
            // The frame the NIC wrote is read only after seeing DD.
            dma_mb(Read);
            let errors = (word >> RXD_ERRORS_SHIFT) as u8;
            let len = (word & RXD_LEN_MASK) as u32;
            // The slot may wait empty for a buffer: no stale DD then.
            let _ = desc_write(&rx.desc, i, 1, 0);
            let mapped = rx.slots.get_mut(i).and_then(Option::take);
            if prefetch_on {
                if let Some(m) = &mapped {
                    m.prefetch_data();
                }
            }

            i = next(i, count);
            if prefetch_on {
                skbuff::prefetch(rx.desc.as_ptr().cast::<u64>().wrapping_add(DESC_WORDS * i));
            }

            let Some(mapped) = mapped else {
                break;
            };
            let mut skb = mapped.unmap();
            done += 1;

            // Frames longer than a buffer cannot arrive with RCTL.LPE clear; drop all pieces
            // of one anyway, and bad frames.
            if status & RXD_STAT_EOP == 0
                || rx.discard
                || errors & RXD_ERR_FRAME != 0
                || len > RX_BUF_LEN
            {
                rx.discard = status & RXD_STAT_EOP == 0;
                self.count(&self.rx_frame_errors);
                skb.consume_in_poll(poll);
                continue;
            }

            if skb.put(len).is_err() || skb.eth_type_trans(dev).is_err() {
                self.count(&self.rx_frame_errors);
                skb.consume_in_poll(poll);
                continue;
            }
            poll.gro_receive(skb);
            pkts += 1;
            bytes += len;
        }
        rx.next_to_clean = i;
        // Always: a ring left empty by failed allocations must recover.
        self.refill_rx(dev, &mut rx);
        drop(rx);

        self.rx_stats.add(pkts, bytes);
        done
    }
}
