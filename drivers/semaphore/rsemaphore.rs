// SPDX-License-Identifier: GPL-2.0

//! rsemaphore: a counting semaphore as a misc device, `/dev/rsemaphore`.
//!
//! A write of n bytes adds n tokens. A read of one byte or more at offset 0
//! waits for a token, takes it and returns one zero byte; the file position
//! then moves to 1, so `cat` takes exactly one token (pread at offset 0 takes
//! one each time). Every open file counts the tokens it took.
//!
//! csemaphore.c is the same driver in C: same state, same names, same order
//! of functions. README.md maps one onto the other. One thing is missing
//! here: `poll`, because `kernel::miscdevice` in Linux 7.3 has no poll hook.

use core::ptr;
use kernel::{
    fs::{file::flags, File, Kiocb, LocalFile},
    ioctl::{_IOR, _IOW},
    iov::{IovIterDest, IovIterSource},
    miscdevice::{MiscDevice, MiscDeviceOptions, MiscDeviceRegistration},
    new_condvar, new_mutex,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        Arc, CondVar, Mutex,
    },
    uaccess::{UserPtr, UserSlice},
};

// The numbers of include/uapi/rfl_semaphore.h, which the C side includes.
const SEMAPHORE_IOC_MAGIC: u32 = b'c' as u32;
const SEMAPHORE_GET_READS: u32 = _IOR::<u64>(SEMAPHORE_IOC_MAGIC, 1);
const SEMAPHORE_SET_READS: u32 = _IOW::<u64>(SEMAPHORE_IOC_MAGIC, 1);
const SEMAPHORE_GET_COUNT: u32 = _IOR::<u64>(SEMAPHORE_IOC_MAGIC, 2);

module! {
    type: RSemaphoreModule,
    name: "rsemaphore",
    authors: ["rfl-drivers"],
    description: "Counting semaphore misc device (Rust twin of csemaphore)",
    license: "GPL",
    params: {
        initial_count: u64 {
            default: 0,
            description: "Tokens the semaphore starts with (default 0)",
        },
    },
}

/// The semaphore every open file shares, found through its misc device.
#[pin_data]
struct RSemaphore {
    /// Protects `count`.
    #[pin]
    inner: Mutex<RSemaphoreInner>,
    /// Readers wait here for count > 0.
    #[pin]
    changed: CondVar,
}

struct RSemaphoreInner {
    count: u64,
}

/// One open file.
struct RSemaphoreFile {
    sem: Arc<RSemaphore>,
    /// Tokens taken through this file.
    reads: Atomic<u64>,
}

impl RSemaphore {
    fn new(count: u64) -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                inner <- new_mutex!(RSemaphoreInner { count }),
                changed <- new_condvar!(),
            }),
            GFP_KERNEL,
        )
    }

    /// Wait for a token and take it.
    fn take(&self, block: bool) -> Result {
        let mut inner = self.inner.lock();
        while inner.count == 0 {
            if !block {
                return Err(EAGAIN);
            }
            // Sleeps with the lock dropped; true when a signal is pending.
            // A token that came with the signal is taken, as the C twin's
            // wait_event_interruptible() checks its condition first.
            if self.changed.wait_interruptible(&mut inner) && inner.count == 0 {
                return Err(ERESTARTSYS);
            }
        }
        inner.count -= 1;
        Ok(())
    }

    /// Add `n` tokens, saturating at `u64::MAX`, and wake the readers.
    fn give(&self, n: u64) {
        let mut inner = self.inner.lock();
        inner.count = inner.count.saturating_add(n);
        drop(inner);
        self.changed.notify_all();
    }

    fn count(&self) -> u64 {
        self.inner.lock().count
    }
}

/// Whether the reader opened the file (or later set it) O_NONBLOCK.
fn nonblocking(kiocb: &Kiocb<'_, KBox<RSemaphoreFile>>) -> bool {
    // SAFETY: A `Kiocb` is valid for the whole read, and so is the file it
    // was issued on (the read holds a reference to it); `Kiocb` gives no
    // safe access to that file. The `LocalFile` lives only in this call, on
    // the reading thread, as `from_raw_file` requires of any `fdget_pos`.
    let file = unsafe { LocalFile::from_raw_file((*kiocb.as_raw()).ki_filp) };
    // fcntl(F_SETFL) may change O_NONBLOCK while the read runs: `flags()`
    // reads f_flags once, volatile (READ_ONCE), and either value is an
    // answer the reader could have got.
    file.flags() & flags::O_NONBLOCK != 0
}

#[vtable]
impl MiscDevice for RSemaphoreFile {
    type Ptr = KBox<Self>;

    fn open(_file: &File, misc: &MiscDeviceRegistration<Self>) -> Result<KBox<Self>> {
        let misc = ptr::from_ref(misc).cast_mut();
        // SAFETY: Every `MiscDeviceRegistration<RSemaphoreFile>` is the `misc`
        // field of the pinned `RSemaphoreModule`, which outlives every open
        // file because an open file pins the module.
        let module = unsafe { &*kernel::container_of!(misc, RSemaphoreModule, misc) };
        Ok(KBox::new(
            Self {
                sem: module.sem.clone(),
                reads: Atomic::new(0),
            },
            GFP_KERNEL,
        )?)
    }

    fn read_iter(mut kiocb: Kiocb<'_, Self::Ptr>, iov: &mut IovIterDest<'_>) -> Result<usize> {
        let me = kiocb.file();

        // Only a non-empty read at offset 0 takes a token.
        if iov.is_empty() || kiocb.ki_pos() != 0 {
            return Ok(0);
        }

        me.sem.take(!nonblocking(&kiocb))?;
        if iov.copy_to_iter(&[0u8]) != 1 {
            // The reader's buffer is bad: the token goes back.
            me.sem.give(1);
            return Err(EFAULT);
        }
        me.reads.add(1, Relaxed);
        *kiocb.ki_pos_mut() += 1;
        Ok(1)
    }

    fn write_iter(kiocb: Kiocb<'_, Self::Ptr>, iov: &mut IovIterSource<'_>) -> Result<usize> {
        let me = kiocb.file();
        let n = iov.len();

        if n != 0 {
            me.sem.give(n as u64);
        }
        // The bytes carry nothing: consume them without copying.
        iov.advance(n);
        Ok(n)
    }

    fn ioctl(me: &Self, _file: &File, cmd: u32, arg: usize) -> Result<isize> {
        let arg = UserSlice::new(UserPtr::from_addr(arg), size_of::<u64>());

        match cmd {
            SEMAPHORE_GET_READS => arg.writer().write(&me.reads.load(Relaxed))?,
            SEMAPHORE_SET_READS => me.reads.store(arg.reader().read::<u64>()?, Relaxed),
            SEMAPHORE_GET_COUNT => arg.writer().write(&me.sem.count())?,
            _ => return Err(ENOTTY),
        }
        Ok(0)
    }
}

#[pin_data]
struct RSemaphoreModule {
    // Dropped first: no open can come after the semaphore is gone.
    #[pin]
    misc: MiscDeviceRegistration<RSemaphoreFile>,
    sem: Arc<RSemaphore>,
}

impl kernel::InPlaceModule for RSemaphoreModule {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            // The semaphore exists before the device can be opened.
            sem: RSemaphore::new(module_parameters::initial_count.value())?,
            misc <- MiscDeviceRegistration::register(MiscDeviceOptions {
                name: c"rsemaphore",
            }),
        })
    }
}
