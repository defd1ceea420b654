// SPDX-License-Identifier: GPL-2.0

//! re1000_ethtool.rs: link, rings, statistics, register dump, and the two knobs of the paper's
//! comparison; the twin of ce1000_ethtool.c:
//!
//!   ethtool -C DEV rx-usecs N        interrupt throttling: at least N us between interrupts
//!                                    (0: off)
//!   ethtool --set-priv-flags DEV prefetch on|off
//!   ethtool --set-priv-flags DEV rust-port-itr on|off
//!                                    ITR = 1302083, the Rust port's value
//!
//! `ethtool -i` (driver and bus) and the link state come from the `kernel::net` layer.

use kernel::{
    c_str,
    net::ethtool::{self, Coalesce, ExtAck, LinkSettings, RingParam},
    prelude::*,
    sync::atomic::Relaxed,
};

use crate::{re1000_hw::*, re1000_ring::*, NetDevice, Re1000};

/// The first twelve words are where mainline e1000 puts them, so a script reads RCTL at word 2
/// of either driver's dump.
const DUMP_REGS: [usize; 26] = [
    CTRL,
    STATUS,
    RCTL,
    RDLEN,
    RDH,
    RDT,
    RDTR,
    TCTL,
    TDLEN,
    TDH,
    TDT,
    TIDV,
    ITR,
    IMS,
    RDBAL,
    RDBAH,
    TDBAL,
    TDBAH,
    TIPG,
    RADV,
    TADV,
    ral(0),
    rah(0),
    CTRL_EXT,
    EECD,
    MDIC,
];

// Private flags, bit n for name n.
const PF_PREFETCH: u32 = 1 << 0;
const PF_RUST_ITR: u32 = 1 << 1;

/// How a statistic is read: from the software counters or the hardware ones.
type StatFn = fn(&Re1000, &HwStats) -> u64;

/// The statistics of `ethtool -S`, in order: name and where the value comes from.
const STAT_TABLE: [(&CStr, StatFn); 29] = [
    (c_str!("rx_packets"), |a, _| {
        a.rx_stats.packets.load(Relaxed)
    }),
    (c_str!("rx_bytes"), |a, _| a.rx_stats.bytes.load(Relaxed)),
    (c_str!("tx_packets"), |a, _| {
        a.tx_stats.packets.load(Relaxed)
    }),
    (c_str!("tx_bytes"), |a, _| a.tx_stats.bytes.load(Relaxed)),
    (c_str!("rx_alloc_failed"), |a, _| {
        a.rx_alloc_failed.load(Relaxed)
    }),
    (c_str!("rx_frame_errors"), |a, _| {
        a.rx_frame_errors.load(Relaxed)
    }),
    (c_str!("tx_dma_errors"), |a, _| {
        a.tx_dma_errors.load(Relaxed)
    }),
    (c_str!("tx_offload_errors"), |a, _| {
        a.tx_offload_errors.load(Relaxed)
    }),
    (c_str!("tx_timeouts"), |a, _| a.tx_timeouts.load(Relaxed)),
    (c_str!("interrupts"), |a, _| a.irqs.load(Relaxed)),
    (c_str!("hw_rx_good_packets"), |_, h| h.gprc),
    (c_str!("hw_rx_good_bytes"), |_, h| h.gorc),
    (c_str!("hw_rx_total_packets"), |_, h| h.tpr),
    (c_str!("hw_rx_broadcast"), |_, h| h.bprc),
    (c_str!("hw_rx_multicast"), |_, h| h.mprc),
    (c_str!("hw_rx_missed"), |_, h| h.mpc),
    (c_str!("hw_rx_no_buffer"), |_, h| h.rnbc),
    (c_str!("hw_rx_crc_errors"), |_, h| h.crcerrs),
    (c_str!("hw_rx_align_errors"), |_, h| h.algnerrc),
    (c_str!("hw_rx_errors"), |_, h| h.rxerrc),
    (c_str!("hw_rx_undersize"), |_, h| h.ruc),
    (c_str!("hw_rx_oversize"), |_, h| h.roc),
    (c_str!("hw_tx_good_packets"), |_, h| h.gptc),
    (c_str!("hw_tx_good_bytes"), |_, h| h.gotc),
    (c_str!("hw_tx_total_packets"), |_, h| h.tpt),
    (c_str!("hw_tx_broadcast"), |_, h| h.bptc),
    (c_str!("hw_tx_multicast"), |_, h| h.mptc),
    (c_str!("hw_collisions"), |_, h| h.colc),
    // TSO packets sent in more than one frame; mainline's name.
    (c_str!("tx_tcp_seg_good"), |_, h| h.tsctc),
];

/// The names of `STAT_TABLE`, for the layer's string set.
const STAT_NAMES: [&CStr; STAT_TABLE.len()] = {
    let mut names = [c_str!(""); STAT_TABLE.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = STAT_TABLE[i].0;
        i += 1;
    }
    names
};

#[vtable]
impl ethtool::Operations for Re1000 {
    const PRIV_FLAGS: &'static [&'static CStr] = &[c_str!("prefetch"), c_str!("rust-port-itr")];
    const STATS: &'static [&'static CStr] = &STAT_NAMES;
    const SUPPORTED_COALESCE: u32 = ethtool::COALESCE_RX_USECS;

    fn get_link_ksettings(dev: &NetDevice) -> LinkSettings {
        let link = dev.data().link_up();
        let known = dev.carrier_ok() && link.up;

        LinkSettings {
            speed: known.then_some(link.speed),
            full_duplex: known.then_some(link.full_duplex),
            autoneg: true,
            phy_address: PHY_ADDR,
            twisted_pair: true,
        }
    }

    fn get_regs_len(_dev: &NetDevice) -> usize {
        DUMP_REGS.len() * 4
    }

    fn get_regs(dev: &NetDevice, buf: &mut [u8]) -> u32 {
        let ad = dev.data();
        for (chunk, reg) in buf.chunks_exact_mut(4).zip(DUMP_REGS) {
            chunk.copy_from_slice(&ad.rd(reg).to_ne_bytes());
        }
        (1 << 24) | (u32::from(ad.pdev.revision_id()) << 16) | u32::from(ad.pdev.device_id())
    }

    fn get_ringparam(dev: &NetDevice) -> RingParam {
        let ad = dev.data();
        RingParam {
            rx_max_pending: RING_MAX,
            tx_max_pending: RING_MAX,
            rx_pending: ad.rx_ring_size.load(Relaxed),
            tx_pending: ad.tx_ring_size.load(Relaxed),
            ..Default::default()
        }
    }

    /// The core has checked the maximum against `get_ringparam()`.
    fn set_ringparam(dev: &NetDevice, ring: &RingParam, extack: &mut ExtAck) -> Result {
        let ad = dev.data();
        if ring.rx_mini_pending != 0 || ring.rx_jumbo_pending != 0 {
            return Err(EINVAL);
        }
        if ring.tx_pending < RING_MIN || ring.rx_pending < RING_MIN {
            extack.set_message(c_str!("re1000: rings have at least 48 descriptors"));
            return Err(EINVAL);
        }
        let tx = ring_size(ring.tx_pending);
        let rx = ring_size(ring.rx_pending);
        if tx == ad.tx_ring_size.load(Relaxed) && rx == ad.rx_ring_size.load(Relaxed) {
            return Ok(());
        }
        ad.resize(dev, tx, rx)
    }

    /// ITR counts 256 ns; rx-usecs reports what the device applies (16 bits).
    fn get_coalesce(dev: &NetDevice) -> Result<Coalesce> {
        let units = dev.data().itr_reg.load(Relaxed) & 0xffff;
        Ok(Coalesce {
            rx_usecs: (units * 256 + 500) / 1000,
        })
    }

    fn set_coalesce(dev: &NetDevice, c: &Coalesce, extack: &mut ExtAck) -> Result {
        let ad = dev.data();
        if c.rx_usecs > ITR_MAX_USECS {
            extack.set_message(c_str!("re1000: rx-usecs is 0..16776"));
            return Err(EINVAL);
        }
        ad.itr_reg.store((c.rx_usecs * 1000 + 128) / 256, Relaxed);
        if dev.is_running() {
            ad.write_itr();
        }
        Ok(())
    }

    fn get_priv_flags(dev: &NetDevice) -> u32 {
        let ad = dev.data();
        let mut flags = 0;
        if ad.prefetch.load(Relaxed) {
            flags |= PF_PREFETCH;
        }
        if ad.itr_reg.load(Relaxed) == ITR_RUST_PORT {
            flags |= PF_RUST_ITR;
        }
        flags
    }

    fn set_priv_flags(dev: &NetDevice, flags: u32) -> Result {
        let ad = dev.data();
        let rust_itr = flags & PF_RUST_ITR != 0;
        let was_rust_itr = ad.itr_reg.load(Relaxed) == ITR_RUST_PORT;

        ad.prefetch.store(flags & PF_PREFETCH != 0, Relaxed);
        if rust_itr != was_rust_itr {
            // Off again: back to what was set before (parameter or -C).
            if rust_itr {
                ad.itr_user.store(ad.itr_reg.load(Relaxed), Relaxed);
            }
            let itr = if rust_itr {
                ITR_RUST_PORT
            } else {
                ad.itr_user.load(Relaxed)
            };
            ad.itr_reg.store(itr, Relaxed);
            if dev.is_running() {
                ad.write_itr();
            }
        }
        Ok(())
    }

    fn get_stats(dev: &NetDevice, data: &mut [u64]) {
        let ad = dev.data();
        ad.update_hw_stats();
        let hw = *ad.hw_stats.lock();
        for (out, (_, read)) in data.iter_mut().zip(STAT_TABLE) {
            *out = read(ad, &hw);
        }
    }
}
