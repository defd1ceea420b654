// SPDX-License-Identifier: GPL-2.0

//! rhello: the smallest useful module, the Rust half of the first lesson.
//!
//! `init` checks its parameter and greets, `drop` says goodbye; chello.c is
//! the same module in C, line for line.

use kernel::prelude::*;

const RHELLO_MAX_GREETINGS: u32 = 8;

module! {
    type: RHello,
    name: "rhello",
    authors: ["rfl-drivers"],
    description: "Hello module: the Rust half of the first lesson",
    license: "GPL",
    params: {
        greetings: u32 {
            default: 1,
            description: "Greetings printed at load, 1..8 (default 1)",
        },
    },
}

struct RHello;

impl kernel::Module for RHello {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let greetings = module_parameters::greetings.value();

        // A bad parameter fails the load: nothing is set up yet to undo.
        if !(1..=RHELLO_MAX_GREETINGS).contains(&greetings) {
            pr_err!("rhello: greetings={greetings} is out of range 1..{RHELLO_MAX_GREETINGS}\n");
            return Err(EINVAL);
        }

        for i in 0..greetings {
            pr_info!("rhello: hello from Rust ({} of {greetings})\n", i + 1);
        }
        Ok(RHello)
    }
}

impl Drop for RHello {
    fn drop(&mut self) {
        pr_info!("rhello: goodbye from Rust\n");
    }
}
