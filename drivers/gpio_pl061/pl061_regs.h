/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PL061's registers, for cpl061 and the gpio_pl061 suite's test
 * modules (rpl061 has its own constants: Rust does not include C headers).
 */
#ifndef PL061_REGS_H
#define PL061_REGS_H

#include <linux/bits.h>

/*
 * Registers (DDI 0190B, section 3.2). GPIODATA is 256 words at 0x000:
 * address bits [9:2] mask which lines a read or write touches, so line n
 * alone is at BIT(n + 2), and 0x3fc reaches all eight.
 */
#define GPIODATA(line)	BIT((line) + 2)
#define GPIODATA_ALL	0x3fc
#define GPIODIR		0x400	/* 1 = output */
#define GPIOIS		0x404	/* interrupt sense: 1 = level, 0 = edge */
#define GPIOIBE		0x408	/* both edges (overrides GPIOIEV) */
#define GPIOIEV		0x40c	/* event: 1 = rising edge / high level */
#define GPIOIE		0x410	/* interrupt mask: 1 = enabled */
#define GPIORIS		0x414	/* raw interrupt status */
#define GPIOMIS		0x418	/* masked interrupt status */
#define GPIOIC		0x41c	/* interrupt clear (write 1) */

#endif /* PL061_REGS_H */
