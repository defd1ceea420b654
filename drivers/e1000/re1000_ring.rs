// SPDX-License-Identifier: GPL-2.0

//! re1000_ring.rs: the descriptor rings and the data path; the twin of ce1000_ring.c.
//!
//! Both rings live in coherent DMA memory that the CPU and the NIC share; packet buffers are
//! mapped with the streaming DMA API for one transfer ([`MappedSkb`]: unmapped when dropped).
//!
//!   TX: start_xmit fills descriptors from TDT on (a context descriptor when the skb asks for a
//!       checksum or segmentation, then one data descriptor per piece of head and frags) and
//!       moves TDT past them; the NIC sends the packet, sets DD in its last descriptor and raises
//!       TXDW; the NAPI poll unmaps the pieces and frees the skb.
//!   RX: the driver gives the NIC empty buffers up to RDT; the NIC writes a frame, sets DD and
//!       raises RXT0; the NAPI poll hands the skb up and gives the slot a fresh buffer.
//!
//! One slot of each ring stays empty so that head == tail means "nothing for the NIC" and never
//! "everything".
//!
//! Differences from the C twin, forced by the abstractions: the descriptor memory is allocated
//! once at probe for the largest ring (a coherent allocation needs the bound PCI device, which
//! only probe has); each ring is under a spinlock that disables bottom halves where ce1000
//! relies on the NAPI/TX-lock/RTNL protocol with acquire/release indices; and a sent packet's
//! mappings are owned by the packet ([`MappedTxSkb`], in the slot of its last descriptor), not
//! by the slots of the pieces' first descriptors.

use kernel::{
    dma::{Coherent, DataDirection},
    io::{io_read, io_write},
    net::{
        dev::{NapiPoll, TxOutcome},
        skbuff::{self, MappedSkb, MappedTxSkb, SkBuff, TX_PIECES},
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

// Every packet goes out in extended data descriptors (SDM 3.3.7), behind a context descriptor
// (SDM 3.3.6) when it asks for an offload:
//
//   data:    word 0 = buffer address
//            word 1 = length 19:0, DTYP 23:20 (D), DCMD 31:24, STA 35:32, POPTS 47:40,
//                     special 63:48
//   context: word 0 = IPCSS 7:0, IPCSO 15:8, IPCSE 31:16, TUCSS 39:32, TUCSO 47:40,
//                     TUCSE 63:48
//            word 1 = PAYLEN 19:0, DTYP 23:20 (C, 0), TUCMD 31:24, STA 35:32, HDRLEN 47:40,
//                     MSS 63:48
//
// Offsets are from the start of the frame; an end offset of 0 means "to the end of the frame".
const TXD_LEN: u64 = 0xf_ffff; // PAYLEN in a context
const TXD_DTYP_D: u64 = 1 << 20; // data; 0 is a context
const TXD_CMD_EOP: u64 = 1 << 24; // end of packet
const TXD_CMD_TCP: u64 = 1 << 24; // context: segment TCP, not UDP
const TXD_CMD_IFCS: u64 = 1 << 25; // insert the CRC
const TXD_CMD_IP: u64 = 1 << 25; // context: IPv4, not IPv6
const TXD_CMD_TSE: u64 = 1 << 26; // TCP segmentation
const TXD_CMD_RS: u64 = 1 << 27; // report status: write DD back
const TXD_CMD_DEXT: u64 = 1 << 29; // extended (data or context)
const TXD_STAT_DD: u64 = 1 << 32; // descriptor done
const TXD_POPTS_IXSM: u64 = 1 << 40; // insert the IP checksum
const TXD_POPTS_TXSM: u64 = 1 << 41; // insert the TCP/UDP checksum
const TXD_HDRLEN_SHIFT: u32 = 40; // context
const TXD_MSS_SHIFT: u32 = 48; // context

// Word 0 of a context descriptor; IPCSS is bits 7:0.
const TXC_IPCSO_SHIFT: u32 = 8;
const TXC_IPCSE_SHIFT: u32 = 16;
const TXC_TUCSS_SHIFT: u32 = 32;
const TXC_TUCSO_SHIFT: u32 = 40;

/// Bytes one data descriptor may carry: mainline's `1 << E1000_MAX_TXD_PWR`.
const TXD_MAX_DATA: usize = 4096;

/// The most descriptors one skb can take: a context, the head and every frag each cut into
/// pieces of `TXD_MAX_DATA`. At most 64 KiB in all (the TSO limit the core keeps for a device
/// that sets none), and each piece adds at most one descriptor to its share of those. The queue
/// stops while fewer are free.
const TX_DESC_MAX: usize = 1 + TX_PIECES + 65536 / TXD_MAX_DATA;

// The smallest ring must hold the largest skb and the empty slot.
const _: () = assert!(TX_DESC_MAX < RING_MIN as usize);

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

/// What a TX slot holds until the NIC is done with it. A packet takes the slots first..=last:
/// its first slot says where its last one is, and the last holds the packet, its pieces mapped,
/// and what it counts for on the wire.
#[derive(Default)]
pub(crate) struct TxSlot {
    /// Last slot only: dropping it unmaps every piece and frees the skb.
    pkt: Option<MappedTxSkb>,
    /// First slot only.
    last: usize,
    /// Last slot only: frames and bytes on the wire.
    segs: u32,
    bytes: u32,
}

/// What `tx_offload()` found an skb to ask for.
struct TxOffload {
    /// The bits of the second word its data descriptors carry.
    dctl: u64,
    /// Context descriptors written: 0 or 1.
    used: usize,
    /// Frames and header length on the wire (TSO; else 1 and 0).
    segs: u32,
    header_len: u32,
}

/// The TX ring; its slots exist while the interface is up.
pub(crate) struct TxRing {
    pub(crate) desc: DescMem,
    /// What each slot holds until the NIC is done with it.
    slots: KVec<TxSlot>,
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

    /// Free descriptors at which a stopped queue starts again: a quarter of the ring, and never
    /// fewer than the largest skb needs.
    fn wake_at(&self) -> usize {
        (self.count() / 4).max(TX_DESC_MAX)
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
fn alloc_slots<S: Default>(count: u32) -> Result<KVec<S>> {
    let count = count as usize;
    let mut slots = KVec::with_capacity(count, GFP_KERNEL)?;
    for _ in 0..count {
        slots.push(S::default(), GFP_KERNEL)?;
    }
    Ok(slots)
}

/// The slots of a ring of `count` descriptors, allocated before the old ones go (resize).
pub(crate) struct RingSlots {
    tx: KVec<TxSlot>,
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
            drop(slot.pkt.take());
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

    /// For an skb that asks for TSO or a checksum, writes the context descriptor at
    /// `next_to_use`. Returns the bits of the second word its data descriptors carry, the
    /// descriptors used (0 or 1), and its frames and header length on the wire.
    fn tx_offload(tx: &TxRing, skb: &mut SkBuff) -> Result<TxOffload> {
        let mut off = TxOffload {
            dctl: TXD_CMD_DEXT | TXD_DTYP_D | TXD_CMD_IFCS,
            used: 0,
            segs: 1,
            header_len: 0,
        };
        let (addr, ctl) = if let Some(tso) = skb.tso_v4_prepare()? {
            // The layer zeroed tot_len and the IP checksum and seeded the TCP checksum with the
            // pseudo-header's: the NIC puts each segment's length into both and sums the IP
            // header itself. The context's offsets are 8 bits wide.
            let (Ok(ipcss), Ok(ipcso), Ok(tucss), Ok(tucso), Ok(hdr), Ok(mss)) = (
                u8::try_from(tso.ip_start),
                u8::try_from(tso.ip_check),
                u8::try_from(tso.tcp_start),
                u8::try_from(tso.tcp_check),
                u8::try_from(tso.header_len),
                u16::try_from(tso.mss),
            ) else {
                return Err(EINVAL);
            };
            let addr = u64::from(ipcss)
                | u64::from(ipcso) << TXC_IPCSO_SHIFT
                | u64::from(tucss - 1) << TXC_IPCSE_SHIFT
                | u64::from(tucss) << TXC_TUCSS_SHIFT
                | u64::from(tucso) << TXC_TUCSO_SHIFT;
            let ctl = TXD_CMD_DEXT
                | TXD_CMD_TSE
                | TXD_CMD_IP
                | TXD_CMD_TCP
                | (u64::from(skb.len() - tso.header_len) & TXD_LEN)
                | u64::from(hdr) << TXD_HDRLEN_SHIFT
                | u64::from(mss) << TXD_MSS_SHIFT;
            off.dctl |= TXD_CMD_TSE | TXD_POPTS_IXSM | TXD_POPTS_TXSM;
            off.segs = tso.segs;
            off.header_len = tso.header_len;
            (addr, ctl)
        } else if let Some(csum) = skb.tx_checksum() {
            // NETIF_F_HW_CSUM: the NIC sums from css to the end of the frame and stores the sum
            // at cso, which is all the stack asks for any protocol (the pseudo-header is in the
            // seed). The offsets are 8 bits wide; deeper ones (tunnels) are summed here.
            let cso = csum.start + i32::from(csum.offset);
            let (Ok(css), Ok(cso)) = (u8::try_from(csum.start), u8::try_from(cso)) else {
                skb.checksum_help()?;
                return Ok(off);
            };
            off.dctl |= TXD_POPTS_TXSM;
            (
                u64::from(css) << TXC_TUCSS_SHIFT | u64::from(cso) << TXC_TUCSO_SHIFT,
                TXD_CMD_DEXT,
            )
        } else {
            return Ok(off);
        };
        desc_write(&tx.desc, tx.next_to_use, 0, addr)?;
        desc_write(&tx.desc, tx.next_to_use, 1, ctl)?;
        off.used = 1;
        Ok(off)
    }

    /// Maps the head and each frag of the skb, and describes them in data descriptors from
    /// slot `i` on, `TXD_MAX_DATA` bytes at most each. Returns the slot of the last descriptor
    /// and the mapped skb; on an error the skb is freed with everything it mapped unmapped
    /// again (the drop of [`MappedTxSkb`]).
    fn tx_map(
        &self,
        tx: &TxRing,
        skb: SkBuff,
        mut i: usize,
        dctl: u64,
    ) -> Result<(usize, MappedTxSkb)> {
        let mapped = skb.map_tx(self.pdev.as_ref())?;
        let count = tx.count();
        // The queue stops before an skb can lack room (`TX_DESC_MAX`); this is a bug.
        let need: usize = mapped
            .pieces()
            .iter()
            .map(|p| p.len().div_ceil(TXD_MAX_DATA))
            .sum();
        // The context descriptor, if any, is between `next_to_use` and `i`.
        let used = (i + count - tx.next_to_use) % count;
        if need == 0 || warn_on!(need + used > tx.free()) {
            return Err(EINVAL);
        }
        let (mut last, mut last_ctl) = (i, 0);
        for p in mapped.pieces() {
            let mut off = 0;
            while off < p.len() {
                let size = (p.len() - off).min(TXD_MAX_DATA);
                last_ctl = dctl | size as u64;
                desc_write(&tx.desc, i, 0, p.dma_address() + off as u64)?;
                desc_write(&tx.desc, i, 1, last_ctl)?;
                last = i;
                i = next(i, count);
                off += size;
            }
        }
        // Status only for the whole packet: one DD to look at.
        desc_write(&tx.desc, last, 1, last_ctl | TXD_CMD_EOP | TXD_CMD_RS)?;
        Ok((last, mapped))
    }

    pub(crate) fn xmit(&self, dev: &NetDevice, mut skb: SkBuff) -> TxOutcome {
        let mut tx = self.tx.lock();

        // The queue stops before an skb can lack room; this is a bug.
        if warn_on!(tx.free() < TX_DESC_MAX) {
            dev.stop_queue();
            return TxOutcome::Busy(skb);
        }

        let first = tx.next_to_use;
        let count = tx.count();
        skb.tx_timestamp();
        let Ok(off) = Self::tx_offload(&tx, &mut skb) else {
            self.count(&self.tx_offload_errors);
            drop(skb);
            return self.tx_dropped(&tx);
        };
        // What the wire sees: each segment repeats the headers.
        let bytes = skb.len() + (off.segs - 1) * off.header_len;
        let (last, mapped) = match self.tx_map(&tx, skb, (first + off.used) % count, off.dctl) {
            Ok(m) => m,
            Err(_) => {
                // The skb is freed, what it mapped unmapped.
                self.count(&self.tx_dma_errors);
                return self.tx_dropped(&tx);
            }
        };
        if let Some(s) = tx.slots.get_mut(first) {
            s.last = last;
        }
        if let Some(s) = tx.slots.get_mut(last) {
            s.pkt = Some(mapped);
            s.segs = off.segs;
            s.bytes = bytes;
        }
        tx.next_to_use = next(last, count);

        // Stop while the largest skb might not fit; the poll wakes it at `wake_at()`. The lock
        // serialises this with the poll's check, so no wake-up is missed.
        if tx.free() < TX_DESC_MAX {
            dev.stop_queue();
        }
        // Ring the doorbell unless more packets follow right away.
        if dev.sent_queue(bytes) {
            self.wr(TDT, tx.next_to_use as u32);
        }
        TxOutcome::Ok
    }

    /// After an skb that could not be sent was dropped: frames queued with xmit_more before it
    /// still need the doorbell.
    fn tx_dropped(&self, tx: &TxRing) -> TxOutcome {
        if !skbuff::xmit_more() {
            self.wr(TDT, tx.next_to_use as u32);
        }
        TxOutcome::Ok
    }

    /// Frees what the NIC has sent, a packet at a time: DD in its last descriptor says the NIC
    /// is done with all of them. The ring bounds the work, not the budget.
    pub(crate) fn clean_tx(&self, dev: &NetDevice, poll: &NapiPoll<'_>) {
        let mut tx = self.tx.lock();
        let count = tx.count();
        let mut i = tx.next_to_clean;
        let (mut pkts, mut bytes) = (0u32, 0u32);

        while i != tx.next_to_use {
            let last = tx.slots.get(i).map_or(i, |s| s.last);
            let done = desc_read(&tx.desc, last, 1).is_ok_and(|w| w & TXD_STAT_DD != 0);
            if !done {
                break;
            }
            // Nothing of the packet is touched before DD is seen.
            dma_mb(Read);
            if let Some(s) = tx.slots.get_mut(last) {
                if let Some(pkt) = s.pkt.take() {
                    pkts += s.segs;
                    bytes += s.bytes;
                    pkt.unmap().consume_in_poll(poll);
                }
            }
            i = next(last, count);
        }
        tx.next_to_clean = i;
        if pkts == 0 {
            return;
        }

        self.tx_stats.add(pkts, bytes);
        dev.completed_queue(pkts, bytes);
        if dev.queue_stopped() && tx.free() >= tx.wake_at() && !self.down.load(Relaxed) {
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
