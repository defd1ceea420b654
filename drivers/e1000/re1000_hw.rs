// SPDX-License-Identifier: GPL-2.0

//! re1000_hw.rs: the 82540EM below the rings: registers, reset, EEPROM, PHY, receive filters,
//! interrupt mask and throttling, statistics, link state. The twin of ce1000_hw.c and the
//! register half of ce1000.h; section numbers refer to Intel's 8254x SDM.

use kernel::{
    io::{poll::read_poll_timeout, Io},
    net::dev::{AddrLockGuard, ETH_ALEN},
    prelude::*,
    time::{delay::fsleep, Delta},
};

use crate::{NetDevice, Re1000};

// ---- Registers (SDM 13.4), byte offsets into BAR0 ----------------------------------------------

pub(crate) const CTRL: usize = 0x0000; // device control
pub(crate) const STATUS: usize = 0x0008; // device status
pub(crate) const EECD: usize = 0x0010; // EEPROM/flash control
const EERD: usize = 0x0014; // EEPROM read
pub(crate) const CTRL_EXT: usize = 0x0018; // extended device control
pub(crate) const MDIC: usize = 0x0020; // MDI (PHY) control
pub(crate) const ICR: usize = 0x00c0; // interrupt cause read (clears on read)
pub(crate) const ITR: usize = 0x00c4; // interrupt throttling, 256 ns units
pub(crate) const ICS: usize = 0x00c8; // interrupt cause set
pub(crate) const IMS: usize = 0x00d0; // interrupt mask set/read
pub(crate) const IMC: usize = 0x00d8; // interrupt mask clear
pub(crate) const RCTL: usize = 0x0100; // receive control
pub(crate) const TCTL: usize = 0x0400; // transmit control
pub(crate) const TIPG: usize = 0x0410; // transmit inter-packet gap
pub(crate) const RDBAL: usize = 0x2800; // RX descriptor base, low and high
pub(crate) const RDBAH: usize = 0x2804;
pub(crate) const RDLEN: usize = 0x2808; // RX ring length in bytes
pub(crate) const RDH: usize = 0x2810; // RX head: next descriptor the NIC fills
pub(crate) const RDT: usize = 0x2818; // RX tail: first descriptor the NIC may not use
pub(crate) const RDTR: usize = 0x2820; // RX delay timer
pub(crate) const RADV: usize = 0x282c; // RX absolute delay
pub(crate) const TDBAL: usize = 0x3800;
pub(crate) const TDBAH: usize = 0x3804;
pub(crate) const TDLEN: usize = 0x3808;
pub(crate) const TDH: usize = 0x3810; // TX head: next descriptor the NIC sends
pub(crate) const TDT: usize = 0x3818; // TX tail: one past the last one we queued
pub(crate) const TIDV: usize = 0x3820; // TX interrupt delay
pub(crate) const TADV: usize = 0x382c;
const fn mta(i: usize) -> usize {
    0x5200 + 4 * i // multicast table, 128 x 32 bits
}
pub(crate) const fn ral(i: usize) -> usize {
    0x5400 + 8 * i // receive address, 16 entries
}
pub(crate) const fn rah(i: usize) -> usize {
    0x5404 + 8 * i
}

/// BAR0's size: 128 KiB of registers.
pub(crate) const BAR0_SIZE: usize = 0x20000;

// Statistics (SDM 13.7): all clear on read.
const CRCERRS: usize = 0x4000;
const ALGNERRC: usize = 0x4004;
const RXERRC: usize = 0x400c;
const MPC: usize = 0x4010; // missed: no RX descriptor free
const COLC: usize = 0x4028;
const GPRC: usize = 0x4074; // good packets received
const BPRC: usize = 0x4078;
const MPRC: usize = 0x407c;
const GPTC: usize = 0x4080; // good packets transmitted
const GORCL: usize = 0x4088; // good octets received, 64 bits
const GORCH: usize = 0x408c;
const GOTCL: usize = 0x4090;
const GOTCH: usize = 0x4094;
const RNBC: usize = 0x40a0; // receive no buffers
const RUC: usize = 0x40a4; // undersize
const ROC: usize = 0x40ac; // oversize
const TPR: usize = 0x40d0; // total packets received
const TPT: usize = 0x40d4;
const MPTC: usize = 0x40f0;
const BPTC: usize = 0x40f4;
const TSCTC: usize = 0x40f8; // TCP segmentation contexts sent

const CTRL_LRST: u32 = 1 << 3; // link reset
const CTRL_ASDE: u32 = 1 << 5; // auto speed detection
const CTRL_SLU: u32 = 1 << 6; // set link up
const CTRL_ILOS: u32 = 1 << 7; // invert loss of signal
const CTRL_RST: u32 = 1 << 26; // device reset, self-clearing
const CTRL_PHY_RST: u32 = 1 << 31;

const STATUS_FD: u32 = 1 << 0;
const STATUS_LU: u32 = 1 << 1; // link up
const STATUS_SPEED_SHIFT: u32 = 6;

const EERD_START: u32 = 1 << 0;
const EERD_DONE: u32 = 1 << 4;
const EERD_ADDR_SHIFT: u32 = 8;
const EERD_DATA_SHIFT: u32 = 16;

const MDIC_REG_SHIFT: u32 = 16;
const MDIC_PHY_SHIFT: u32 = 21;
const MDIC_OP_WRITE: u32 = 1 << 26;
const MDIC_OP_READ: u32 = 2 << 26;
const MDIC_READY: u32 = 1 << 28;
const MDIC_ERROR: u32 = 1 << 30;

// Interrupt causes, the same bits in ICR, ICS, IMS and IMC.
pub(crate) const INT_TXDW: u32 = 1 << 0; // a descriptor with RS was written back
pub(crate) const INT_LSC: u32 = 1 << 2; // link status change
pub(crate) const INT_RXDMT0: u32 = 1 << 4; // RX ring below the minimum threshold
pub(crate) const INT_RXO: u32 = 1 << 6; // RX overrun
pub(crate) const INT_RXT0: u32 = 1 << 7; // RX timer: a frame arrived
const INT_ENABLED: u32 = INT_TXDW | INT_LSC | INT_RXDMT0 | INT_RXO | INT_RXT0;

pub(crate) const RCTL_EN: u32 = 1 << 1;
const RCTL_UPE: u32 = 1 << 3; // unicast promiscuous
const RCTL_MPE: u32 = 1 << 4; // multicast promiscuous
pub(crate) const RCTL_BAM: u32 = 1 << 15; // accept broadcast
pub(crate) const RCTL_BSIZE_2048: u32 = 0;
pub(crate) const RCTL_SECRC: u32 = 1 << 26; // strip the Ethernet CRC

pub(crate) const TCTL_EN: u32 = 1 << 1;
pub(crate) const TCTL_PSP: u32 = 1 << 3; // pad short packets
pub(crate) const TCTL_CT: u32 = 0x0f << 4; // collision threshold
pub(crate) const TCTL_COLD_FD: u32 = 0x40 << 12; // collision distance, full duplex

/// Inter-packet gap for copper (SDM 13.4.34): IPGT 8, IPGR1 8, IPGR2 6.
pub(crate) const TIPG_COPPER: u32 = 8 | (8 << 10) | (6 << 20);

const RAH_AV: u32 = 1 << 31; // address valid

// PHY registers (IEEE 802.3 clause 22) on MDIO address 1.
pub(crate) const PHY_ADDR: u8 = 1;
const PHY_BMCR: u32 = 0x00;
const PHY_ID1: u32 = 0x02;
const PHY_ID2: u32 = 0x03;
const BMCR_ANRESTART: u16 = 1 << 9;
const BMCR_ANENABLE: u16 = 1 << 12;

// EEPROM words (SDM 5.6): the MAC in words 0..2, checksum over 0..0x3f.
const EEPROM_WORDS_SUMMED: u32 = 0x40;
const EEPROM_SUM: u16 = 0xbaba;

/// The multicast table (MTA) is a 4096-bit hash filter. Past 128 addresses it lets through so
/// much that all-multicast costs hardly more, and the driver switches to it (RCTL.MPE).
const MTA_REGS: usize = 128;
const MC_MAX: usize = 128;

/// Interrupt throttling: ITR holds the minimum gap between interrupts in 256 ns units, 16 bits
/// wide. The Rust port wrote 1e9 / (3 * 256): mainline e1000's mode number 3 ("dynamic
/// conservative") taken as a rate.
pub(crate) const ITR_DEFAULT: u32 = 20000; // interrupts per second
pub(crate) const ITR_RUST_PORT: u32 = 1302083; // raw, see shared/DESIGN.md
pub(crate) const ITR_MAX_USECS: u32 = 16776; // 0xffff * 256 ns

/// The link as STATUS reports it.
pub(crate) struct Link {
    pub(crate) up: bool,
    pub(crate) speed: u32,
    pub(crate) full_duplex: bool,
}

/// Hardware counters, accumulated because they clear on read.
#[derive(Default, Clone, Copy)]
pub(crate) struct HwStats {
    pub(crate) crcerrs: u64,
    pub(crate) algnerrc: u64,
    pub(crate) rxerrc: u64,
    pub(crate) mpc: u64,
    pub(crate) colc: u64,
    pub(crate) gprc: u64,
    pub(crate) bprc: u64,
    pub(crate) mprc: u64,
    pub(crate) gptc: u64,
    pub(crate) gorc: u64,
    pub(crate) gotc: u64,
    pub(crate) rnbc: u64,
    pub(crate) ruc: u64,
    pub(crate) roc: u64,
    pub(crate) tpr: u64,
    pub(crate) tpt: u64,
    pub(crate) mptc: u64,
    pub(crate) bptc: u64,
    pub(crate) tsctc: u64,
}

impl Re1000 {
    /// Reads register `reg`; all ones once the device is unbound, as a PCI read of a removed
    /// device returns.
    #[inline]
    pub(crate) fn rd(&self, reg: usize) -> u32 {
        self.regs
            .try_access()
            .and_then(|r| r.try_read32(reg).ok())
            .unwrap_or(u32::MAX)
    }

    /// Writes register `reg`; nothing once the device is unbound.
    #[inline]
    pub(crate) fn wr(&self, reg: usize, val: u32) {
        if let Some(r) = self.regs.try_access() {
            let _ = r.try_write32(val, reg);
        }
    }

    /// Posts writes before a delay: a read forces them through the bus.
    pub(crate) fn flush(&self) {
        self.rd(STATUS);
    }

    /// Polls `reg` every `sleep_us` until `done` holds or `timeout_us` passed.
    fn poll(
        &self,
        reg: usize,
        done: impl Fn(u32) -> bool,
        sleep_us: i64,
        timeout_us: i64,
    ) -> Result<u32> {
        read_poll_timeout(
            || Ok(self.rd(reg)),
            |v: &u32| done(*v),
            Delta::from_micros(sleep_us),
            Delta::from_micros(timeout_us),
        )
    }

    /// A global reset (SDM 14.5) returns every register to its power-on value and stops DMA.
    /// Interrupts are masked before and after: the reset clears the mask, and a pending cause
    /// is read away.
    pub(crate) fn hw_reset(&self) -> Result {
        self.wr(IMC, !0);
        self.wr(RCTL, 0);
        self.wr(TCTL, TCTL_PSP);
        self.flush();
        // Let a DMA transaction in progress finish (SDM 14.5).
        fsleep(Delta::from_millis(10));

        self.wr(CTRL, self.rd(CTRL) | CTRL_RST);
        // RST clears itself; 82540 needs about 1 ms before access (SDM 14.5).
        fsleep(Delta::from_millis(1));
        if self.poll(CTRL, |v| v & CTRL_RST == 0, 100, 20000).is_err() {
            dev_err!(self.pdev.as_ref(), "device reset did not complete\n");
            return Err(ETIMEDOUT);
        }
        self.wr(IMC, !0);
        self.rd(ICR);
        Ok(())
    }

    fn eeprom_read(&self, word: u32) -> Result<u16> {
        self.wr(EERD, (word << EERD_ADDR_SHIFT) | EERD_START);
        let eerd = self.poll(EERD, |v| v & EERD_DONE != 0, 5, 10000)?;
        Ok((eerd >> EERD_DATA_SHIFT) as u16)
    }

    /// The MAC is in EEPROM words 0..2, low byte first. The checksum word makes words 0..0x3f
    /// add up to 0xbaba; a bad sum (`EILSEQ`, with the MAC read) means the MAC cannot be
    /// trusted, and the caller picks a random one.
    pub(crate) fn read_mac(&self) -> Result<[u8; ETH_ALEN], ([u8; ETH_ALEN], Error)> {
        let mut mac = [0u8; ETH_ALEN];
        let mut sum = 0u16;

        for i in 0..EEPROM_WORDS_SUMMED {
            let val = self.eeprom_read(i).map_err(|e| (mac, e))?;
            if let Some(pair) = mac.chunks_exact_mut(2).nth(i as usize) {
                pair.copy_from_slice(&val.to_le_bytes());
            }
            sum = sum.wrapping_add(val);
        }
        if sum == EEPROM_SUM {
            Ok(mac)
        } else {
            Err((mac, EILSEQ))
        }
    }

    fn phy_read(&self, reg: u32) -> Result<u16> {
        self.wr(
            MDIC,
            MDIC_OP_READ | (u32::from(PHY_ADDR) << MDIC_PHY_SHIFT) | (reg << MDIC_REG_SHIFT),
        );
        let mdic = self.poll(MDIC, |v| v & MDIC_READY != 0, 10, 10000)?;
        if mdic & MDIC_ERROR != 0 {
            return Err(EIO);
        }
        Ok(mdic as u16)
    }

    fn phy_write(&self, reg: u32, val: u16) -> Result {
        self.wr(
            MDIC,
            MDIC_OP_WRITE
                | (u32::from(PHY_ADDR) << MDIC_PHY_SHIFT)
                | (reg << MDIC_REG_SHIFT)
                | u32::from(val),
        );
        let mdic = self.poll(MDIC, |v| v & MDIC_READY != 0, 10, 10000)?;
        if mdic & MDIC_ERROR != 0 {
            return Err(EIO);
        }
        Ok(())
    }

    /// Brings up the copper link: the MAC takes speed and duplex from the PHY (ASDE) and is
    /// told the link may come up (SLU); the PHY autonegotiates. The result arrives later as a
    /// link status change interrupt.
    pub(crate) fn phy_init(&self) -> Result {
        let ctrl = self.rd(CTRL) & !(CTRL_LRST | CTRL_PHY_RST | CTRL_ILOS);
        self.wr(CTRL, ctrl | CTRL_ASDE | CTRL_SLU);

        let id = self
            .phy_read(PHY_ID1)
            .and_then(|id1| Ok((id1, self.phy_read(PHY_ID2)?)));
        let (id1, id2) = id.inspect_err(|e| {
            dev_err!(
                self.pdev.as_ref(),
                "PHY does not answer on MDIO: {}\n",
                e.to_errno()
            )
        })?;
        dev_dbg!(self.pdev.as_ref(), "PHY id {:04x}:{:04x}\n", id1, id2);
        self.phy_write(PHY_BMCR, BMCR_ANENABLE | BMCR_ANRESTART)
    }

    pub(crate) fn set_rar(&self, index: usize, addr: &[u8; ETH_ALEN]) {
        let low = u32::from_le_bytes([addr[0], addr[1], addr[2], addr[3]]);
        let high = u32::from(u16::from_le_bytes([addr[4], addr[5]])) | RAH_AV;

        self.wr(ral(index), low);
        self.wr(rah(index), high);
    }

    /// `ndo_set_rx_mode`, under the address lock: may run in atomic context, so registers only.
    pub(crate) fn set_rx_mode(&self, dev: &NetDevice, locked: &AddrLockGuard<'_, Re1000>) {
        let mut table = [0u32; MTA_REGS];
        let mut rctl = self.rd(RCTL) & !(RCTL_UPE | RCTL_MPE);

        if dev.is_promisc() {
            rctl |= RCTL_UPE | RCTL_MPE;
        } else if dev.is_allmulti() || locked.mc_count() > MC_MAX {
            rctl |= RCTL_MPE;
        }
        locked.for_each_mc_addr(|addr| {
            let hash = mta_hash(addr);
            table[hash >> 5] |= 1 << (hash & 0x1f);
        });
        for (i, word) in table.iter().enumerate() {
            self.wr(mta(i), *word);
        }
        self.wr(RCTL, rctl);
    }

    pub(crate) fn irq_enable(&self) {
        self.wr(IMS, INT_ENABLED);
        self.flush();
    }

    pub(crate) fn irq_disable(&self) {
        self.wr(IMC, !0);
        self.flush();
    }

    /// Written as is: the Rust port's 1302083 reaches the device, which keeps the low 16 bits
    /// (56899, 14.6 ms) just as it did for the paper.
    pub(crate) fn write_itr(&self) {
        self.wr(ITR, self.itr_reg.load(kernel::sync::atomic::Relaxed));
    }

    /// Folds the clear-on-read counters into `hw_stats`.
    pub(crate) fn update_hw_stats(&self) {
        let mut s = self.hw_stats.lock();

        s.crcerrs += u64::from(self.rd(CRCERRS));
        s.algnerrc += u64::from(self.rd(ALGNERRC));
        s.rxerrc += u64::from(self.rd(RXERRC));
        s.mpc += u64::from(self.rd(MPC));
        s.colc += u64::from(self.rd(COLC));
        s.gprc += u64::from(self.rd(GPRC));
        s.bprc += u64::from(self.rd(BPRC));
        s.mprc += u64::from(self.rd(MPRC));
        s.gptc += u64::from(self.rd(GPTC));
        // The 64-bit counters clear when their high half is read: low first.
        s.gorc += u64::from(self.rd(GORCL));
        s.gorc += u64::from(self.rd(GORCH)) << 32;
        s.gotc += u64::from(self.rd(GOTCL));
        s.gotc += u64::from(self.rd(GOTCH)) << 32;
        s.rnbc += u64::from(self.rd(RNBC));
        s.ruc += u64::from(self.rd(RUC));
        s.roc += u64::from(self.rd(ROC));
        s.tpr += u64::from(self.rd(TPR));
        s.tpt += u64::from(self.rd(TPT));
        s.mptc += u64::from(self.rd(MPTC));
        s.bptc += u64::from(self.rd(BPTC));
        s.tsctc += u64::from(self.rd(TSCTC));
    }

    pub(crate) fn link_up(&self) -> Link {
        const SPEEDS: [u32; 4] = [10, 100, 1000, 1000];
        let status = self.rd(STATUS);

        Link {
            up: status & STATUS_LU != 0,
            speed: SPEEDS[((status >> STATUS_SPEED_SHIFT) & 3) as usize],
            full_duplex: status & STATUS_FD != 0,
        }
    }
}

/// Interrupts per second to the ITR register (256 ns units); 0 is off.
pub(crate) const fn itr_from_rate(per_sec: u32) -> u32 {
    if per_sec == 0 {
        return 0;
    }
    (1_000_000_000 / 256 + per_sec / 2) / per_sec
}

/// MTA hash for RCTL.MO = 0: bits 47..36 of the address (SDM 13.5.1); the upper 7 bits pick
/// the register, the lower 5 the bit.
fn mta_hash(addr: &[u8]) -> usize {
    match addr {
        [_, _, _, _, a4, a5, ..] => ((usize::from(*a4) >> 4) | (usize::from(*a5) << 4)) & 0xfff,
        _ => 0,
    }
}
