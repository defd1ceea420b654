/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * rfl_semaphore.h: ioctls of the counting-semaphore misc devices
 * /dev/csemaphore (drivers/semaphore/csemaphore.c) and /dev/rsemaphore
 * (drivers/semaphore/rsemaphore.rs, which repeats these numbers).
 */
#ifndef _UAPI_RFL_SEMAPHORE_H
#define _UAPI_RFL_SEMAPHORE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define SEMAPHORE_IOC_MAGIC 'c'

/* Reads that took a token through this open file; per open, settable. */
#define SEMAPHORE_GET_READS _IOR(SEMAPHORE_IOC_MAGIC, 1, __u64)
#define SEMAPHORE_SET_READS _IOW(SEMAPHORE_IOC_MAGIC, 1, __u64)
/* Tokens available now, shared by every open; read-only. */
#define SEMAPHORE_GET_COUNT _IOR(SEMAPHORE_IOC_MAGIC, 2, __u64)

#endif /* _UAPI_RFL_SEMAPHORE_H */
