// SPDX-License-Identifier: GPL-2.0

//! re1000: a PCI network driver for the Intel 82540EM (8086:100e), the e1000 that QEMU
//! emulates. The Rust twin of ce1000, on the project's `kernel::net` abstractions
//! (kernel/patches/0002), with the same features, parameters and knobs.
//!
//!   probe   `probe()`: PCI, BAR0, descriptor memory, reset, EEPROM MAC, PHY, the interrupt,
//!           register the net device
//!   open    `open()`: ring slots, `up()`
//!   logic   `start_xmit()`, `intr()` -> `poll()` (NAPI), `watchdog()` (link, statistics)
//!   stop    `stop()`: `down()`, ring slots
//!   remove  `unbind()`, then the drop of the driver data: the reverse of probe
//!
//! Files: re1000_hw.rs (device registers), re1000_ring.rs (rings and data path),
//! re1000_ethtool.rs, and this one (PCI, net device, interrupt, NAPI, works, module).
//!
//! One difference in shape: the interrupt is requested at probe and held until remove (a
//! Rust interrupt registration needs the bound device, which `open` does not have); the handler
//! ignores it while the interface is down, as ce1000's does. All of it is safe Rust: the DMA
//! mask is set by the PCI layer before probe (`pci::Driver::DMA_MASK`), and the interrupt is an
//! `irq::ManagedRegistration`, freed at unbind even if forgotten (kernel/patches/0003).

use kernel::{
    c_str,
    device::Core,
    dma::{Coherent, DmaMask},
    irq,
    net::dev as netdev,
    net::dev::WorkId,
    pci,
    prelude::*,
    sync::aref::ARef,
    sync::atomic::Atomic,
    sync::atomic::Relaxed,
    sync::new_spinlock_bh,
    sync::new_spinlock_irq,
    sync::SpinLockBh,
    sync::SpinLockIrq,
    time::msecs_to_jiffies,
};

mod re1000_ethtool;
mod re1000_hw;
mod re1000_ring;

use re1000_hw::*;
use re1000_ring::*;

const NAME: &CStr = c_str!("re1000");

/// The net device as the driver's callbacks see it.
pub(crate) type NetDevice = netdev::Device<Re1000>;

/// An Ethernet address printed as `aa:bb:cc:dd:ee:ff` (C's `%pM`).
struct Mac<'a>(&'a [u8; netdev::ETH_ALEN]);

impl kernel::fmt::Display for Mac<'_> {
    fn fmt(&self, f: &mut kernel::fmt::Formatter<'_>) -> kernel::fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

// ---- Module parameters ----------------------------------------------------------------------

module! {
    type: Re1000Module,
    name: "re1000",
    authors: ["rfl-drivers"],
    description: "Intel 82540EM (e1000) network driver in Rust, the twin of ce1000",
    license: "GPL",
    params: {
        tx_ring_size: u32 {
            default: crate::RING_DEFAULT,
            description: "TX descriptors, 48..4096, rounded up to 8 (default 256)",
        },
        rx_ring_size: u32 {
            default: crate::RING_DEFAULT,
            description: "RX descriptors, 48..4096, rounded up to 8 (default 256)",
        },
        prefetch: bool {
            default: true,
            description: "Prefetch in the RX path as mainline e1000 does (default on; at run time: ethtool private flag)",
        },
        itr: u32 {
            default: crate::ITR_DEFAULT,
            description: "Interrupt throttling in interrupts per second: 0 off, or 100..100000 (default 20000; at run time: ethtool -C rx-usecs)",
        },
        itr_raw: u32 {
            default: 0,
            description: "Write this raw value to ITR instead (256 ns units; the device keeps 16 bits); 1302083 is the Rust port's (default 0: use itr)",
        },
    },
}

// ---- Driver state -----------------------------------------------------------------------------

/// A counter with one writer at a time and lock-free readers (ethtool, get_stats64).
pub(crate) type Counter = Atomic<u64>;

/// Packets and bytes of one direction, written by the NAPI poll only.
pub(crate) struct RingStats {
    pub(crate) packets: Counter,
    pub(crate) bytes: Counter,
}

impl RingStats {
    fn new() -> Self {
        Self {
            packets: Atomic::new(0),
            bytes: Atomic::new(0),
        }
    }

    pub(crate) fn add(&self, pkts: u32, bytes: u32) {
        self.packets
            .store(self.packets.load(Relaxed) + u64::from(pkts), Relaxed);
        self.bytes
            .store(self.bytes.load(Relaxed) + u64::from(bytes), Relaxed);
    }
}

/// The deferred works of the device (`kernel::net` owns and cancels them).
const WATCHDOG: WorkId = WorkId::new(0); // link state and statistics
const RESET: WorkId = WorkId::new(1); // after a TX timeout

/// Every two seconds, and at once on a link status change interrupt.
const WATCHDOG_PERIOD_MS: u32 = 2000;

/// The driver's data, in the net device's private area.
#[pin_data]
pub(crate) struct Re1000 {
    pdev: ARef<pci::Device>,
    regs: pci::DevresBar<BAR0_SIZE>,

    /// The rings; their slots exist while the interface is up. Bottom-half locks: the NAPI
    /// poll and start_xmit take them in softirq context, open, stop and resize in process
    /// context.
    #[pin]
    tx: SpinLockBh<TxRing>,
    #[pin]
    rx: SpinLockBh<RxRing>,
    /// Set from `down()` until `up()` is done.
    down: Atomic<bool>,

    // Software counters; they outlive the rings. Each has one writer at a time (noted).
    tx_stats: RingStats,
    rx_stats: RingStats,
    tx_dma_errors: Counter,     // start_xmit only
    tx_offload_errors: Counter, // start_xmit only
    rx_alloc_failed: Counter,   // NAPI poll and open only
    rx_frame_errors: Counter,   // NAPI poll only
    tx_timeouts: Counter,       // ndo_tx_timeout only
    irqs: Counter,              // the interrupt handler only

    /// Set under RTNL; used by open and set_ringparam.
    tx_ring_size: Atomic<u32>,
    rx_ring_size: Atomic<u32>,

    /// The two knobs: read in the data path, changed under RTNL.
    prefetch: Atomic<bool>,
    /// Raw value written to ITR.
    itr_reg: Atomic<u32>,
    /// ITR that rust-port-itr off goes back to.
    itr_user: Atomic<u32>,

    /// Hardware counters; irq-safe because get_stats64 may run in any context.
    #[pin]
    hw_stats: SpinLockIrq<HwStats>,
}

impl Re1000 {
    /// One more on a counter with a single writer and lock-free readers.
    pub(crate) fn count(&self, counter: &Counter) {
        counter.store(counter.load(Relaxed) + 1, Relaxed);
    }
}

// ---- Interrupt and NAPI -----------------------------------------------------------------------

impl Re1000 {
    /// Legacy INTx, possibly shared: reading ICR tells whether the interrupt is ours and
    /// acknowledges it. The work happens in NAPI with interrupts masked.
    fn intr(&self, dev: &NetDevice) -> irq::IrqReturn {
        let icr = self.rd(ICR);

        // All ones: the device is gone.
        if icr == 0 || icr == u32::MAX {
            return irq::IrqReturn::None;
        }
        self.count(&self.irqs);
        if self.down.load(Relaxed) {
            return irq::IrqReturn::Handled;
        }

        if icr & INT_LSC != 0 {
            dev.mod_work(WATCHDOG, 0);
        }
        dev.napi().schedule_with(|| self.wr(IMC, !0));
        irq::IrqReturn::Handled
    }
}

/// The interrupt handler owns the net device: the driver data is an `irq::Registration` of it,
/// so the interrupt is freed before the net device goes.
struct IrqHandler {
    netdev: netdev::Registration<Re1000>,
}

impl irq::Handler for IrqHandler {
    fn handle(&self) -> irq::IrqReturn {
        let dev = self.netdev.device();
        dev.data().intr(dev)
    }
}

// ---- Link watchdog and reset ------------------------------------------------------------------

impl Re1000 {
    /// The carrier follows STATUS.LU, and the clear-on-read counters are folded in before they
    /// can wrap.
    fn watchdog(&self, dev: &NetDevice) {
        // A run queued by an interrupt that raced with `down()`: nothing to watch.
        if self.down.load(Relaxed) {
            return;
        }
        let link = self.link_up();
        if link.up && !dev.carrier_ok() {
            dev_info!(
                dev,
                "link up, {} Mbps, {} duplex\n",
                link.speed,
                if link.full_duplex { "full" } else { "half" }
            );
            dev.carrier_on();
        } else if !link.up && dev.carrier_ok() {
            dev_info!(dev, "link down\n");
            dev.carrier_off();
        }
        self.update_hw_stats();

        // A ring left without buffers raises no RX interrupt: make one.
        let (unfilled, count) = self.rx_unfilled();
        if count > 0 && unfilled == count - 1 {
            self.wr(ICS, INT_RXDMT0);
        }

        dev.queue_work(WATCHDOG, msecs_to_jiffies(WATCHDOG_PERIOD_MS));
    }

    /// Under RTNL, with ring slots allocated.
    fn up(&self, dev: &NetDevice) {
        self.configure_tx(dev);
        self.configure_rx(dev);
        self.refill_rx_all(dev);
        self.write_itr();
        {
            let _locked = dev.addr_lock();
            self.wr(RCTL, self.rd(RCTL) | RCTL_EN);
        }

        self.down.store(false, Relaxed);
        dev.napi_enable();
        self.irq_enable();
        // Wake, not start: after a reset or a ring resize the qdisc is live and may hold a
        // packet requeued while the queue was stopped; only a wake reschedules it.
        dev.wake_queue();
        // The carrier waits for the watchdog to see the link.
        dev.queue_work(WATCHDOG, 0);
    }

    /// Under RTNL: stop everything that could touch the rings, in the order that keeps each
    /// stopped thing stopped (a poll re-enables interrupts, an interrupt schedules a poll and
    /// the watchdog), then free the buffers.
    fn down(&self, dev: &NetDevice) {
        // DOWN and the end of NAPI first: a poll still running could wake the queue again
        // after tx_disable(), and ring resize and the reset task come here with the qdisc live.
        // Down already (a reset that failed left it so): nothing to stop.
        if self.down.xchg(true, Relaxed) {
            return;
        }
        dev.napi_disable();
        dev.tx_disable();
        // The handler sees DOWN and only reads ICR; the watchdog it may still have queued
        // sees DOWN and returns.
        self.irq_disable();
        self.stop_dma(dev);
        dev.cancel_work_sync(WATCHDOG);
        dev.carrier_off();
        self.update_hw_stats();
        self.clean_all(dev);
    }

    /// After a TX timeout: reset the device under RTNL and start again.
    fn reset_task(&self, dev: &NetDevice) {
        let _rtnl = netdev::rtnl_lock();
        if dev.is_running() {
            self.down(dev);
            // A device that does not come out of reset stays down (its queue stopped, no
            // carrier) until the interface is closed and opened again; `stop()` finds it
            // down already.
            if self.hw_reset().and_then(|()| self.phy_init()).is_err() {
                dev_err!(
                    dev,
                    "reset failed; the interface stays down until reopened\n"
                );
            } else {
                self.up(dev);
            }
        }
    }

    /// New ring sizes, under RTNL. The new slots are allocated before the old ones go, so a
    /// failure leaves the interface as it was.
    pub(crate) fn resize(&self, dev: &NetDevice, tx_count: u32, rx_count: u32) -> Result {
        if dev.is_running() {
            let slots = self.alloc_rings(tx_count, rx_count)?;
            self.down(dev);
            self.install_rings(slots);
            self.up(dev);
        }
        self.tx_ring_size.store(tx_count, Relaxed);
        self.rx_ring_size.store(rx_count, Relaxed);
        Ok(())
    }
}

// ---- net_device operations ----------------------------------------------------------------------

#[vtable]
impl netdev::Operations for Re1000 {
    fn open(dev: &NetDevice) -> Result {
        let ad = dev.data();
        let slots = ad.alloc_rings(ad.tx_ring_size.load(Relaxed), ad.rx_ring_size.load(Relaxed))?;
        ad.install_rings(slots);
        ad.up(dev);
        Ok(())
    }

    fn stop(dev: &NetDevice) -> Result {
        let ad = dev.data();
        ad.down(dev);
        ad.free_rings();
        Ok(())
    }

    fn start_xmit(dev: &NetDevice, skb: SkBuff) -> netdev::TxOutcome {
        dev.data().xmit(dev, skb)
    }

    fn tx_timeout(dev: &NetDevice, _queue: u32) {
        let ad = dev.data();
        ad.count(&ad.tx_timeouts);
        // Not under the lock while printing: a console on this NIC would send through it.
        let next_to_clean = ad.tx.lock().next_to_clean;
        dev_warn!(
            dev,
            "TX stuck: TDH {} TDT {}, next to clean {}; resetting\n",
            ad.rd(TDH),
            ad.rd(TDT),
            next_to_clean
        );
        dev.queue_work(RESET, 0);
    }

    fn get_stats64(dev: &NetDevice, st: &mut netdev::LinkStats) {
        let ad = dev.data();

        st.rx_packets = ad.rx_stats.packets.load(Relaxed);
        st.rx_bytes = ad.rx_stats.bytes.load(Relaxed);
        st.tx_packets = ad.tx_stats.packets.load(Relaxed);
        st.tx_bytes = ad.tx_stats.bytes.load(Relaxed);
        // No received frame is dropped for want of a buffer: an empty slot makes the NIC
        // miss frames (rx_missed_errors, MPC), and a refill failure is in ethtool -S
        // (rx_alloc_failed). A frame that could not be mapped or offloaded for sending is
        // dropped.
        st.tx_dropped = ad.tx_dma_errors.load(Relaxed) + ad.tx_offload_errors.load(Relaxed);
        let hw = ad.hw_stats.lock();
        st.multicast = hw.mprc;
        st.collisions = hw.colc;
        st.rx_crc_errors = hw.crcerrs;
        st.rx_frame_errors = hw.algnerrc;
        st.rx_length_errors = hw.ruc + hw.roc;
        st.rx_missed_errors = hw.mpc;
        st.rx_errors = hw.rxerrc
            + hw.crcerrs
            + hw.algnerrc
            + st.rx_length_errors
            + ad.rx_frame_errors.load(Relaxed);
    }

    fn set_rx_mode(dev: &NetDevice, locked: &netdev::AddrLockGuard<'_, Re1000>) {
        dev.data().set_rx_mode(dev, locked);
    }

    fn set_mac_address(dev: &NetDevice, addr: &[u8; netdev::ETH_ALEN]) -> Result {
        // RAR0 is the filter the NIC matches unicast frames against.
        dev.data().set_rar(0, addr);
        Ok(())
    }

    /// Every MTU the core lets through (68..1500) fits a 2048-byte buffer with RCTL.LPE clear,
    /// so nothing but the number changes; no jumbo frames.
    fn change_mtu(dev: &NetDevice, new_mtu: u32) -> Result {
        dev_dbg!(dev, "MTU {} -> {}\n", dev.mtu(), new_mtu);
        Ok(())
    }

    /// Clean TX completely, RX up to the budget. Interrupts come back on only when RX is done;
    /// otherwise NAPI polls again.
    fn poll(dev: &NetDevice, poll: &netdev::NapiPoll<'_>) -> i32 {
        let ad = dev.data();

        ad.clean_tx(dev, poll);
        let done = ad.clean_rx(dev, poll);
        if done < poll.budget() && poll.complete_done(done) {
            ad.irq_enable();
        }
        done
    }

    fn work(dev: &NetDevice, id: WorkId) {
        if id == WATCHDOG {
            dev.data().watchdog(dev);
        } else if id == RESET {
            dev.data().reset_task(dev);
        }
    }
}

use kernel::net::skbuff::SkBuff;

// ---- PCI probe and remove ---------------------------------------------------------------------

/// The PCI driver's data: the interrupt, whose handler owns the net device.
#[pin_data]
struct Re1000Pci {
    #[pin]
    irq: irq::ManagedRegistration<IrqHandler>,
}

struct Re1000Driver;

kernel::pci_device_table!(
    PCI_TABLE,
    <Re1000Driver as pci::Driver>::IdInfo,
    [(pci::DeviceId::from_id(pci::Vendor::INTEL, 0x100e), ())] // 82540EM
);

impl Re1000Driver {
    /// Everything of probe up to the interrupt: the device reset and its net device,
    /// allocated but not registered.
    fn setup(pdev: &pci::Device<Core<'_>>) -> Result<netdev::Registration<Re1000>> {
        // Unlike pcim_enable_device(), undone by the PCI core after remove or a failed probe.
        pdev.enable_device_mem()?;
        let regs = pdev
            .iomap_region_sized::<BAR0_SIZE>(0, NAME)?
            .into_devres()?;
        // The DMA mask is set already (`DMA_MASK`, below).
        pdev.set_master();
        let dev = pdev.as_ref();
        let words = RING_MAX as usize * 2;
        let tx_desc = Coherent::<u64>::zeroed_slice(dev, words, GFP_KERNEL)?;
        let rx_desc = Coherent::<u64>::zeroed_slice(dev, words, GFP_KERNEL)?;
        let itr_param = module_parameters::itr.value();
        let itr_raw_param = module_parameters::itr_raw.value();
        let itr_reg = if itr_raw_param != 0 {
            itr_raw_param
        } else {
            itr_from_rate(itr_param)
        };
        let itr_user = if itr_reg == ITR_RUST_PORT {
            itr_from_rate(itr_param)
        } else {
            itr_reg
        };

        let data = pin_init!(Re1000 {
            pdev: pdev.into(),
            regs,
            tx <- new_spinlock_bh!(TxRing::new(tx_desc), "re1000_tx"),
            rx <- new_spinlock_bh!(RxRing::new(rx_desc), "re1000_rx"),
            down: Atomic::new(true),
            tx_stats: RingStats::new(),
            rx_stats: RingStats::new(),
            tx_dma_errors: Atomic::new(0),
            tx_offload_errors: Atomic::new(0),
            rx_alloc_failed: Atomic::new(0),
            rx_frame_errors: Atomic::new(0),
            tx_timeouts: Atomic::new(0),
            irqs: Atomic::new(0),
            tx_ring_size: Atomic::new(ring_size(module_parameters::tx_ring_size.value())),
            rx_ring_size: Atomic::new(ring_size(module_parameters::rx_ring_size.value())),
            prefetch: Atomic::new(module_parameters::prefetch.value()),
            itr_reg: Atomic::new(itr_reg),
            itr_user: Atomic::new(itr_user),
            hw_stats <- new_spinlock_irq!(HwStats::default(), "re1000_hw_stats"),
        });
        // The data moves into the net device whole; the MAC is read through it and set before
        // the device is registered.
        let netdev = netdev::Registration::new(
            dev,
            netdev::Config {
                driver_name: NAME,
                watchdog_timeo: msecs_to_jiffies(5000),
                min_mtu: 68,
                max_mtu: 1500,
                live_addr_change: true,
                // The offloads mainline e1000 turns on for the 82540, toggled with `ethtool -K`:
                // the core stops asking for one the user turned off. The NIC's checksum is
                // generic (any start, any place), so HW_CSUM, not IP_CSUM: IPv6 and UDP too.
                // TSO is IPv4 TCP only.
                offloads: netdev::Offloads::SG | netdev::Offloads::HW_CSUM | netdev::Offloads::TSO,
            },
            data,
        )?;
        let ad = netdev.device().data();

        ad.hw_reset()?;
        match ad.read_mac() {
            Ok(mac) if netdev.set_mac(&mac).is_ok() => (),
            Ok(mac) | Err((mac, EILSEQ)) => {
                dev_warn!(
                    dev,
                    "EEPROM checksum or MAC {} bad; using a random MAC\n",
                    Mac(&mac)
                );
            }
            Err((_, e)) => {
                dev_err!(dev, "EEPROM does not answer: {}\n", e.to_errno());
                return Err(e);
            }
        }
        if let Err(e) = ad.phy_init() {
            let _ = ad.hw_reset();
            return Err(e);
        }
        Ok(netdev)
    }
}

impl pci::Driver for Re1000Driver {
    type IdInfo = ();
    type Data<'bound> = Re1000Pci;
    const ID_TABLE: pci::IdTable<Self::IdInfo> = &PCI_TABLE;
    // A conventional PCI 82540 is a 32-bit DMA master in mainline too. The PCI layer sets the
    // mask before `probe()`, when nothing can be allocating DMA memory for the device.
    const DMA_MASK: Option<DmaMask> = Some(DmaMask::new::<32>());

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        _id_info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        try_pin_init!(Re1000Pci {
            irq <- {
                let netdev = Self::setup(pdev)?;
                let request = pdev.intx_irq()?;
                irq::ManagedRegistration::new(
                    request,
                    irq::Flags::SHARED,
                    NAME,
                    Ok::<_, Error>(IrqHandler { netdev }),
                )
            },
        })
        .pin_chain(|this| {
            let netdev = &this.irq.handler().netdev;
            if let Err(e) = netdev.register() {
                let _ = netdev.device().data().hw_reset();
                return Err(e);
            }
            let dev = netdev.device();
            let pdev: &pci::Device = &dev.data().pdev;
            dev_info!(
                dev,
                "82540EM at {}, MAC {}\n",
                pdev.as_ref().name(),
                Mac(&dev.dev_addr())
            );
            Ok(())
        })
    }

    fn unbind<'bound>(_pdev: &'bound pci::Device<Core<'_>>, this: Pin<&Self::Data<'bound>>) {
        let netdev = &this.irq.handler().netdev;
        // Closes the interface if it is up: `stop()` runs here.
        netdev.unregister();
        let dev = netdev.device();
        dev.cancel_work_sync(RESET);
        // Leave the device quiet: no DMA, no interrupts. The interrupt, the works, NAPI and
        // the net device go when the driver data is dropped, in that order.
        let _ = dev.data().hw_reset();
    }
}

// ---- Module -------------------------------------------------------------------------------------

/// The module: checks the parameters, then registers the PCI driver.
#[pin_data]
struct Re1000Module {
    #[pin]
    driver: kernel::driver::Registration<pci::Adapter<Re1000Driver>>,
}

impl kernel::InPlaceModule for Re1000Module {
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            driver <- {
                if !ring_size_ok(module_parameters::tx_ring_size.value())
                    || !ring_size_ok(module_parameters::rx_ring_size.value())
                {
                    pr_err!("re1000: ring sizes are {}..{}\n", RING_MIN, RING_MAX);
                    return Err(EINVAL);
                }
                let itr = module_parameters::itr.value();
                if itr != 0 && !(100..=100000).contains(&itr) {
                    pr_err!("re1000: itr is 0 or 100..100000 interrupts/s\n");
                    return Err(EINVAL);
                }
                kernel::driver::Registration::new(NAME, module)
            },
        })
    }
}
