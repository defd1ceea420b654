// SPDX-License-Identifier: GPL-2.0

//! rpl061: the ARM PrimeCell PL061 GPIO controller, 8 lines and an interrupt controller for them,
//! as an AMBA driver. The Rust twin of cpl061.c, on the project's `kernel::amba` and
//! `kernel::gpio` abstractions (kernel/patches/), with no `unsafe`.
//!
//! Same features and order as cpl061.c. Data sheet: ARM DDI 0190B, "PrimeCell GPIO (PL061)
//! Technical Reference Manual".
//!
//!   probe      `probe()`: map, mask every interrupt, register a gpio chip with an irq chip
//!   logic      gpio ops (`get_direction` ... `set`), irq chip ops (`irq_*`), chained handler
//!              `irq_handler()`
//!   PM         `suspend()` / `resume()` save and restore the registers
//!   cleanup    devres, in reverse order of probe: the chip, then the mapping; no unbind
//!
//! What the C twin does by hand and the abstraction does here: `gpiochip_disable_irq()` /
//! `gpiochip_enable_irq()` around mask and unmask, `irq_set_handler_locked()` with the flow
//! handler `irq_set_type()` returns, `chained_irq_enter()` / `chained_irq_exit()` around
//! `irq_handler()`, and the chip's name in /proc/interrupts.

use kernel::{
    amba,
    device::Core,
    devres::DevresGuard,
    gpio::{self, FlowHandler, LineDirection, Trigger},
    io::{mem::DevresExclusiveIoMem, mem::ExclusiveIoMem, Io},
    new_raw_spinlock_irq,
    prelude::*,
    sync::{RawSpinLockIrq, RawSpinLockIrqGuard},
};

// Registers (DDI 0190B, section 3.2). GPIODATA is 256 words at 0x000: address bits [9:2] mask
// which lines a read or write touches, so line n alone is at BIT(n + 2), and 0x3fc reaches all
// eight.
const fn gpiodata(line: u32) -> usize {
    1 << (line + 2)
}
const GPIODATA_ALL: usize = 0x3fc;
const GPIODIR: usize = 0x400; // 1 = output
const GPIOIS: usize = 0x404; // interrupt sense: 1 = level, 0 = edge
const GPIOIBE: usize = 0x408; // both edges (overrides GPIOIEV)
const GPIOIEV: usize = 0x40c; // event: 1 = rising edge / high level
const GPIOIE: usize = 0x410; // interrupt mask: 1 = enabled
const GPIOMIS: usize = 0x418; // masked interrupt status
const GPIOIC: usize = 0x41c; // interrupt clear (write 1)

/// The register block's size: one 4 KiB page, so every offset above is checked at build time.
const PL061_SIZE: usize = 0x1000;
const RPL061_NR_LINES: u16 = 8;

/// What a suspend keeps of the registers, to write back on resume.
#[derive(Clone, Copy, Default)]
struct Saved {
    data: u8, // output values
    dir: u8,
    is: u8,
    ibe: u8,
    iev: u8,
    ie: u8,
}

/// What the lock protects besides the registers' read-modify-write.
#[derive(Default)]
struct State {
    /// Lines with a trigger (`irq_set_type()` with one): only they are unmasked in GPIOIE. A line
    /// requested without one keeps `IRQ_TYPE_NONE` and `handle_bad_irq`, which never acks:
    /// enabled, the reset sense (falling edge) would latch an edge nobody clears and the parent
    /// would fire for ever.
    typed: u8,
    saved: Saved,
}

type Regs<'a> = ExclusiveIoMem<'a, PL061_SIZE>;
type Locked<'a> = RawSpinLockIrqGuard<'a, State>;

#[pin_data]
struct Pl061 {
    /// Read-modify-write of the shared registers (GPIODIR, GPIOIS, GPIOIBE, GPIOIEV, GPIOIE),
    /// and the `State`. Raw: the irq chip ops run under the irq descriptor's raw lock, also on
    /// PREEMPT_RT.
    #[pin]
    lock: RawSpinLockIrq<State>,
    #[pin]
    base: DevresExclusiveIoMem<PL061_SIZE>,
}

// ---- gpio ops ----------------------------------------------------------------------------------

impl Pl061 {
    /// The registers, unless the device is being unbound and they are gone (the chip is removed
    /// before, so the operations always find them).
    fn regs(&self) -> Result<DevresGuard<'_, Regs<'static>>> {
        self.base.try_access().ok_or(ENODEV)
    }

    /// Set or clear `bits` in register `reg`, under the lock (`_locked` proves it is held).
    #[inline(always)]
    fn update_bits(_locked: &Locked<'_>, regs: &Regs<'_>, reg: usize, bits: u8, set: bool) {
        let val = regs.read8(reg);

        regs.write8(if set { val | bits } else { val & !bits }, reg);
    }
}

#[vtable]
impl gpio::Chip for Pl061 {
    fn get_direction(&self, line: u32) -> Result<LineDirection> {
        if self.regs()?.read8(GPIODIR) & (1 << line) != 0 {
            return Ok(LineDirection::Out);
        }
        Ok(LineDirection::In)
    }

    fn direction_input(&self, line: u32) -> Result {
        let regs = self.regs()?;
        let locked = self.lock.lock();

        Self::update_bits(&locked, &regs, GPIODIR, 1 << line, false);
        Ok(())
    }

    fn direction_output(&self, line: u32, value: bool) -> Result {
        let regs = self.regs()?;
        let bit = u8::from(value) << line;
        let locked = self.lock.lock();

        // The value goes in before the switch, so a PL061 that latches data for inputs drives
        // it at once, and again after it: one that ignores data writes to inputs (QEMU's does)
        // would otherwise keep the old value.
        regs.try_write8(bit, gpiodata(line))?;
        Self::update_bits(&locked, &regs, GPIODIR, 1 << line, true);
        regs.try_write8(bit, gpiodata(line))
    }

    fn get(&self, line: u32) -> Result<bool> {
        // Reads back the driven value of outputs, the pin of inputs.
        Ok(self.regs()?.try_read8(gpiodata(line))? != 0)
    }

    fn set(&self, line: u32, value: bool) -> Result {
        // The address mask makes this one write atomic: no lock needed.
        self.regs()?
            .try_write8(u8::from(value) << line, gpiodata(line))
    }

    // ---- irq chip ------------------------------------------------------------------------------

    fn irq_set_type(&self, line: u32, trigger: Trigger) -> Result<FlowHandler> {
        let regs = self.regs()?;
        let bit = 1 << line;
        // (level, both edges, high / rising) and the flow handler of each trigger; a level and
        // an edge at once never gets here (the abstraction answers EINVAL).
        let (level, both, high, flow) = match trigger {
            Trigger::LevelHigh => (true, false, true, FlowHandler::Level),
            Trigger::LevelLow => (true, false, false, FlowHandler::Level),
            Trigger::EdgeRising => (false, false, true, FlowHandler::Edge),
            Trigger::EdgeFalling => (false, false, false, FlowHandler::Edge),
            Trigger::EdgeBoth => (false, true, false, FlowHandler::Edge),
            Trigger::None => (false, false, false, FlowHandler::Bad), // detect nothing
        };
        let mut locked = self.lock.lock();

        if trigger == Trigger::None {
            locked.typed &= !bit;
            Self::update_bits(&locked, &regs, GPIOIE, bit, false);
        } else {
            locked.typed |= bit;
        }
        Self::update_bits(&locked, &regs, GPIOIS, bit, level);
        Self::update_bits(&locked, &regs, GPIOIBE, bit, both);
        Self::update_bits(&locked, &regs, GPIOIEV, bit, high);
        // An edge latched under the old sense (or while the line was an output) is not an event
        // of the new one: clear it before the line is unmasked, as the PL061-derived Stellaris
        // data sheets prescribe.
        regs.write8(bit, GPIOIC);
        Ok(flow)
    }

    fn irq_mask(&self, line: u32) {
        if let Ok(regs) = self.regs() {
            Self::update_bits(&self.lock.lock(), &regs, GPIOIE, 1 << line, false);
        }
    }

    fn irq_unmask(&self, line: u32) {
        if let Ok(regs) = self.regs() {
            let locked = self.lock.lock();
            Self::update_bits(&locked, &regs, GPIOIE, (1 << line) & locked.typed, true);
        }
    }

    /// Edge interrupts stay latched until cleared; handle_edge_irq() acks before the handler
    /// runs so an edge during it is not lost. Level interrupts follow the pin, the ack only
    /// drops the copy latched so far.
    fn irq_ack(&self, line: u32) {
        // GPIOIC is write-one-to-clear: no read-modify-write, no lock.
        if let Ok(regs) = self.regs() {
            regs.write8(1 << line, GPIOIC);
        }
    }

    fn irq_set_wake(&self, _line: u32, on: bool, parent: &gpio::ParentIrq) -> Result {
        // Every line shares the one interrupt to the GIC.
        parent.set_wake(on)
    }

    /// The GIC interrupt of the PL061: dispatch every line that is pending.
    fn irq_handler(&self, domain: &gpio::IrqDomain) {
        let Ok(regs) = self.regs() else {
            return;
        };
        let pending = regs.read8(GPIOMIS);

        for line in (0..u32::from(RPL061_NR_LINES)).filter(|line| pending & (1 << line) != 0) {
            // A line without a mapping has no user: nothing to run.
            let _ = domain.handle(line);
        }
    }
}

// ---- probe and PM ------------------------------------------------------------------------------

struct Rpl061;

kernel::amba_device_table!(
    RPL061_IDS,
    <Rpl061 as amba::Driver>::IdInfo,
    // Peripheral id 0x?0041061: ARM (0x41), part 0x061; any revision.
    [(amba::DeviceId::new(0x00041061, 0x000fffff), ())]
);

#[vtable]
impl amba::Driver for Rpl061 {
    type IdInfo = ();
    /// The chip's state, owned by the device's devres; the PM callbacks use it.
    type Data<'bound> = &'bound Pl061;
    const ID_TABLE: amba::IdTable<Self::IdInfo> = &RPL061_IDS;

    fn probe<'bound>(
        adev: &'bound amba::Device<Core<'_>>,
        _id_info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        let dev = adev.as_ref();
        let base = adev.io_request().iomap_exclusive_sized::<PL061_SIZE>()?;

        // No line interrupts until a line is requested as one.
        base.write8(0, GPIOIE);
        base.write8(0xff, GPIOIC);

        let irq = adev.irq_by_index(0).ok();
        if irq.is_none() {
            dev_warn!(dev, "no interrupt: lines work, line events do not\n");
        }

        // From here on gpiolib (and the PM callbacks, once probe returns) may call the chip.
        let pl = gpio::Registration::register(
            dev,
            RPL061_NR_LINES,
            irq,
            try_pin_init!(Pl061 {
                lock <- new_raw_spinlock_irq!(State::default()),
                base <- base.into_devres()?,
            }),
        )
        .inspect_err(|e| dev_err!(dev, "cannot add the gpio chip: {e:?}\n"))?;
        Ok(pl)
    }

    /// The PL061 may lose its registers while the system sleeps: keep them. Also used for
    /// hibernation (freeze/poweroff, thaw/restore).
    fn suspend<'bound>(
        _adev: &'bound amba::Device<Core<'_>>,
        this: Pin<&Self::Data<'bound>>,
    ) -> Result {
        let pl = *this;
        let regs = pl.regs()?;
        let mut locked = pl.lock.lock();
        let s = &mut locked.saved;

        s.dir = regs.read8(GPIODIR);
        s.data = regs.read8(GPIODATA_ALL) & s.dir;
        s.is = regs.read8(GPIOIS);
        s.ibe = regs.read8(GPIOIBE);
        s.iev = regs.read8(GPIOIEV);
        s.ie = regs.read8(GPIOIE);
        Ok(())
    }

    fn resume<'bound>(
        _adev: &'bound amba::Device<Core<'_>>,
        this: Pin<&Self::Data<'bound>>,
    ) -> Result {
        let pl = *this;
        let regs = pl.regs()?;
        let locked = pl.lock.lock();
        let s = &locked.saved;

        // Outputs: value, direction, value again, as direction_output().
        regs.write8(s.data, GPIODATA_ALL);
        regs.write8(s.dir, GPIODIR);
        regs.write8(s.data, GPIODATA_ALL);
        regs.write8(s.is, GPIOIS);
        regs.write8(s.ibe, GPIOIBE);
        regs.write8(s.iev, GPIOIEV);
        // As in irq_set_type(): an edge latched while the registers were lost (reset sense,
        // falling edge) or by the writes above is no event of the restored sense; clear it
        // before the lines are unmasked.
        regs.write8(0xff, GPIOIC);
        regs.write8(s.ie, GPIOIE);
        Ok(())
    }
}

kernel::module_amba_driver! {
    type: Rpl061,
    name: "rpl061",
    authors: ["rfl-drivers"],
    description: "ARM PrimeCell PL061 GPIO controller (rfl-drivers Rust twin)",
    license: "GPL",
}
