/* SPDX-License-Identifier: GPL-2.0 */
/*
 * binderlib.h: a small user-space binder library for the tests and the
 * benchmark. It speaks the kernel's UAPI (<linux/android/binder.h>) and
 * nothing else, so one program runs against cbinder, the C binder and the
 * Rust binder.
 *
 *   struct bl b;
 *   bl_open(&b, "/dev/cbinder", 128 * 1024);     open + mmap (read-only)
 *   bl_cmd_transaction(&c, 0, 0, code, 0, data, size, NULL, 0);
 *   bl_write(&b, &c);                            BINDER_WRITE_READ, write only
 *   bl_next(&b, &r, -1);                         the next return command
 *
 * bl_next() reads into a buffer of its own and hands out one return
 * command at a time (BR_NOOP and BR_SPAWN_LOOPER are skipped).
 *
 * A struct bl may belong to a "remote": a helper process that shares this
 * one's memory and files (clone(CLONE_VM | CLONE_FILES)) and makes the
 * binder system calls for it. Binder ties a file to the process that
 * opened it (the Rust binder refuses calls from any other, the C binder
 * refuses a context manager's own process as a client), so a test that
 * plays client and server step by step in one thread keeps the server's
 * file in a remote.
 */
#ifndef BINDERLIB_H
#define BINDERLIB_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/android/binder.h>

/* A helper process that makes system calls for us; see above. */
struct bl_remote {
	int req[2], resp[2];	/* one byte each way per call */
	long nr, a[6], ret;
	int err;
	pid_t pid;
	void *stack;
};

struct bl {
	struct bl_remote *rem;	/* NULL: calls are made here */
	int fd;
	void *map;
	size_t map_size;
	__u8 rbuf[1024];	/* what the last read returned */
	size_t rlen, rpos;
	unsigned int spawn_looper;	/* BR_SPAWN_LOOPER seen */
};

/* Commands to write, built up with the bl_cmd_*() helpers. */
struct bl_cmds {
	__u8 buf[1024];
	size_t len;
};

/* One return command and its payload. */
struct bl_ret {
	__u32 cmd;
	union {
		struct binder_transaction_data tr;
		struct binder_ptr_cookie pc;
		binder_uintptr_t cookie;
		__s32 err;
	};
};

#define BL_REMOTE_STACK (256 * 1024)

static int bl_remote_main(void *arg)
{
	struct bl_remote *r = arg;
	char x;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	while (read(r->req[0], &x, 1) == 1) {
		r->ret = syscall(r->nr, r->a[0], r->a[1], r->a[2], r->a[3],
				 r->a[4], r->a[5]);
		r->err = r->ret == -1 ? errno : 0;
		if (write(r->resp[1], &x, 1) != 1)
			break;
	}
	syscall(SYS_exit, 0);
	return 0;
}

static inline struct bl_remote *bl_remote_start(void)
{
	struct bl_remote *r = calloc(1, sizeof(*r));

	if (!r || pipe2(r->req, O_CLOEXEC) || pipe2(r->resp, O_CLOEXEC))
		return NULL;
	r->stack = malloc(BL_REMOTE_STACK);
	if (!r->stack)
		return NULL;
	r->pid = clone(bl_remote_main, (char *)r->stack + BL_REMOTE_STACK,
		       CLONE_VM | CLONE_FILES | CLONE_FS | SIGCHLD, r);
	return r->pid > 0 ? r : NULL;
}

static inline void bl_remote_stop(struct bl_remote *r)
{
	close(r->req[1]);	/* its read sees the end and it exits */
	kill(r->pid, SIGKILL);	/* even if a fork of ours kept the pipe open */
	waitpid(r->pid, NULL, 0);
	close(r->req[0]);
	close(r->resp[0]);
	close(r->resp[1]);
	free(r->stack);
	free(r);
}

/* syscall(), here or in @b's remote; -1 and errno on failure. */
static inline long bl_sys(struct bl *b, long nr, long a0, long a1, long a2,
			  long a3, long a4, long a5)
{
	struct bl_remote *r = b->rem;
	char x = 'c';

	if (!r)
		return syscall(nr, a0, a1, a2, a3, a4, a5);
	r->nr = nr;
	r->a[0] = a0;
	r->a[1] = a1;
	r->a[2] = a2;
	r->a[3] = a3;
	r->a[4] = a4;
	r->a[5] = a5;
	if (write(r->req[1], &x, 1) != 1 || read(r->resp[0], &x, 1) != 1) {
		errno = EPIPE;
		return -1;
	}
	if (r->ret == -1)
		errno = r->err;
	return r->ret;
}

static inline int bl_open_fd(const char *dev)
{
	int fd = open(dev, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/*
 * Open @dev and map @map_size bytes of it (none if 0), in @rem if not
 * NULL; 0 or -errno.
 */
static inline int bl_open_in(struct bl *b, struct bl_remote *rem,
			     const char *dev, size_t map_size)
{
	int err;

	memset(b, 0, sizeof(*b));
	b->rem = rem;
	b->map = MAP_FAILED;
	b->fd = bl_sys(b, SYS_openat, AT_FDCWD, (long)dev, O_RDWR | O_CLOEXEC,
		       0, 0, 0);
	if (b->fd < 0)
		return -errno;
	if (!map_size)
		return 0;
	b->map = (void *)bl_sys(b, SYS_mmap, 0, map_size, PROT_READ,
				MAP_PRIVATE, b->fd, 0);
	if (b->map == MAP_FAILED) {
		err = -errno;
		bl_sys(b, SYS_close, b->fd, 0, 0, 0, 0, 0);
		b->fd = -1;
		return err;
	}
	b->map_size = map_size;
	return 0;
}

static inline int bl_open(struct bl *b, const char *dev, size_t map_size)
{
	return bl_open_in(b, NULL, dev, map_size);
}

/* Unmap and close; a remote of its own goes too. */
static inline void bl_close(struct bl *b)
{
	if (b->map != MAP_FAILED && b->map_size)
		bl_sys(b, SYS_munmap, (long)b->map, b->map_size, 0, 0, 0, 0);
	b->map = MAP_FAILED;
	if (b->fd >= 0)
		bl_sys(b, SYS_close, b->fd, 0, 0, 0, 0, 0);
	b->fd = -1;
	if (b->rem)
		bl_remote_stop(b->rem);
	b->rem = NULL;
}

/* BINDER_VERSION: the protocol version, or -errno. */
static inline int bl_version(int fd)
{
	struct binder_version v = { .protocol_version = -1 };

	if (ioctl(fd, BINDER_VERSION, &v))
		return -errno;
	return v.protocol_version;
}

/* ioctl() on @b's file, where it belongs; 0 or -errno. */
static inline int bl_ioctl_of(struct bl *b, unsigned long cmd, void *arg)
{
	return bl_sys(b, SYS_ioctl, b->fd, cmd, (long)arg, 0, 0, 0) ? -errno : 0;
}

static inline int bl_become_mgr(struct bl *b)
{
	return bl_ioctl_of(b, BINDER_SET_CONTEXT_MGR, 0);
}

/* One BINDER_WRITE_READ on a file of this process; 0 or -errno. */
static inline int bl_ioctl(int fd, struct binder_write_read *bwr)
{
	return ioctl(fd, BINDER_WRITE_READ, bwr) ? -errno : 0;
}

/* poll() for POLLIN: 1 readable, 0 timeout, -errno. */
static inline int bl_poll(struct bl *b, int timeout_ms)
{
	struct pollfd p = { .fd = b->fd, .events = POLLIN };
	struct timespec ts = {
		.tv_sec = timeout_ms / 1000,
		.tv_nsec = (timeout_ms % 1000) * 1000000L,
	};
	long ret = bl_sys(b, SYS_ppoll, (long)&p, 1, (long)&ts, 0, 0, 0);

	if (ret < 0)
		return -errno;
	return ret && (p.revents & POLLIN);
}

/* Write all of @c (no read); 0 or -errno. */
static inline int bl_write(struct bl *b, struct bl_cmds *c)
{
	struct binder_write_read bwr = {
		.write_size = c->len,
		.write_buffer = (binder_uintptr_t)c->buf,
	};
	int ret = bl_ioctl_of(b, BINDER_WRITE_READ, &bwr);

	c->len = 0;
	if (!ret && bwr.write_consumed != bwr.write_size)
		ret = -EPROTO;	/* stopped at a failed transaction */
	return ret;
}

/* ---- command builders ---- */

static inline void bl_put(struct bl_cmds *c, const void *p, size_t n)
{
	if (c->len + n <= sizeof(c->buf)) {
		memcpy(c->buf + c->len, p, n);
		c->len += n;
	} else {
		c->len = sizeof(c->buf) + 1;	/* poisons the write: EINVAL */
	}
}

static inline void bl_cmd(struct bl_cmds *c, __u32 cmd)
{
	bl_put(c, &cmd, sizeof(cmd));
}

/* BC_INCREFS, BC_ACQUIRE, BC_RELEASE, BC_DECREFS */
static inline void bl_cmd_u32(struct bl_cmds *c, __u32 cmd, __u32 v)
{
	bl_cmd(c, cmd);
	bl_put(c, &v, sizeof(v));
}

/* BC_FREE_BUFFER, BC_DEAD_BINDER_DONE */
static inline void bl_cmd_ptr(struct bl_cmds *c, __u32 cmd,
			      binder_uintptr_t v)
{
	bl_cmd(c, cmd);
	bl_put(c, &v, sizeof(v));
}

/* BC_INCREFS_DONE, BC_ACQUIRE_DONE */
static inline void bl_cmd_ptr_cookie(struct bl_cmds *c, __u32 cmd,
				     binder_uintptr_t ptr,
				     binder_uintptr_t cookie)
{
	struct binder_ptr_cookie pc = { .ptr = ptr, .cookie = cookie };

	bl_cmd(c, cmd);
	bl_put(c, &pc, sizeof(pc));
}

/* BC_REQUEST_DEATH_NOTIFICATION, BC_CLEAR_DEATH_NOTIFICATION */
static inline void bl_cmd_handle_cookie(struct bl_cmds *c, __u32 cmd,
					__u32 handle,
					binder_uintptr_t cookie)
{
	struct binder_handle_cookie hc = { .handle = handle, .cookie = cookie };

	bl_cmd(c, cmd);
	bl_put(c, &hc, sizeof(hc));
}

/* BC_TRANSACTION (@reply false) or BC_REPLY; the data stays where it is. */
static inline void bl_cmd_transaction(struct bl_cmds *c, bool reply,
				      __u32 handle, __u32 code,
				      __u32 flags, const void *data,
				      size_t size, const binder_size_t *offsets,
				      size_t noffsets)
{
	struct binder_transaction_data tr = {
		.target.handle = handle,
		.code = code,
		.flags = flags,
		.data_size = size,
		.offsets_size = noffsets * sizeof(binder_size_t),
		.data.ptr.buffer = (binder_uintptr_t)data,
		.data.ptr.offsets = (binder_uintptr_t)offsets,
	};

	bl_cmd(c, reply ? BC_REPLY : BC_TRANSACTION);
	bl_put(c, &tr, sizeof(tr));
}

/* ---- return parser ---- */

static inline size_t bl_ret_size(__u32 cmd)
{
	return _IOC_SIZE(cmd);
}

/*
 * Parse one return command at rbuf[rpos]; 1 when there was one, 0 when the
 * buffer is used up, -EPROTO when it ends in the middle of one.
 */
static inline int bl_parse(struct bl *b, struct bl_ret *r)
{
	size_t n;

	while (b->rpos < b->rlen) {
		if (b->rlen - b->rpos < sizeof(__u32))
			return -EPROTO;
		memcpy(&r->cmd, b->rbuf + b->rpos, sizeof(__u32));
		n = bl_ret_size(r->cmd);
		if (n > sizeof(r->tr) || b->rlen - b->rpos - 4 < n)
			return -EPROTO;
		memset(&r->tr, 0, sizeof(r->tr));
		memcpy(&r->tr, b->rbuf + b->rpos + 4, n);
		b->rpos += 4 + n;
		if (r->cmd == BR_SPAWN_LOOPER)
			b->spawn_looper++;
		if (r->cmd != BR_NOOP && r->cmd != BR_SPAWN_LOOPER)
			return 1;
	}
	return 0;
}

/*
 * The next return command: from what an earlier read returned, or from a
 * new read. @timeout_ms < 0 waits as long as it takes; otherwise poll()
 * first and return 0 when nothing came. 1 when @r was filled, or -errno.
 */
static inline int bl_next(struct bl *b, struct bl_ret *r, int timeout_ms)
{
	struct binder_write_read bwr = {};
	int ret, flags = 0;

	for (;;) {
		ret = bl_parse(b, r);
		if (ret)
			return ret;
		if (timeout_ms >= 0) {
			ret = bl_poll(b, timeout_ms);
			if (ret <= 0)
				return ret;
			/*
			 * Readable may mean work that produces no return
			 * command (a node nobody needs any more): read
			 * without blocking, and poll again if that was all.
			 */
			flags = bl_sys(b, SYS_fcntl, b->fd, F_GETFL, 0, 0, 0, 0);
			bl_sys(b, SYS_fcntl, b->fd, F_SETFL, flags | O_NONBLOCK,
			       0, 0, 0);
		}
		bwr.read_size = sizeof(b->rbuf);
		bwr.read_buffer = (binder_uintptr_t)b->rbuf;
		bwr.read_consumed = 0;
		do {
			ret = bl_ioctl_of(b, BINDER_WRITE_READ, &bwr);
		} while (ret == -EINTR);
		if (timeout_ms >= 0)
			bl_sys(b, SYS_fcntl, b->fd, F_SETFL, flags, 0, 0, 0);
		b->rlen = bwr.read_consumed;
		b->rpos = 0;
		if (ret == -EAGAIN && timeout_ms >= 0)
			continue;
		if (ret)
			return ret;
	}
}

/* Read until @cmd comes; the others are counted in @seen (by _IOC_NR). */
static inline int bl_wait_for(struct bl *b, __u32 cmd, struct bl_ret *r,
			      int timeout_ms, unsigned int seen[32])
{
	int ret;

	for (;;) {
		ret = bl_next(b, r, timeout_ms);
		if (ret <= 0)
			return ret ? ret : -ETIMEDOUT;
		if (r->cmd == cmd)
			return 1;
		if (seen)
			seen[_IOC_NR(r->cmd) & 31]++;
		/* an error ends the wait: the caller looks at r->cmd */
		if (r->cmd == BR_DEAD_REPLY || r->cmd == BR_FAILED_REPLY ||
		    r->cmd == BR_ERROR)
			return 1;
	}
}

/* A transaction's data, as the receiver sees it in its mapping. */
static inline const void *bl_data(const struct bl_ret *r)
{
	return (const void *)(uintptr_t)r->tr.data.ptr.buffer;
}

static inline const binder_size_t *bl_offsets(const struct bl_ret *r)
{
	return (const binder_size_t *)(uintptr_t)r->tr.data.ptr.offsets;
}

/*
 * A sync call: BC_TRANSACTION to @handle, then wait for BR_REPLY (or an
 * error). @r gets the reply, whose buffer the caller frees. Returns the
 * final return command (BR_REPLY, BR_DEAD_REPLY, ...) or -errno.
 */
static inline int bl_call(struct bl *b, __u32 handle, __u32 code,
			  const void *data, size_t size,
			  const binder_size_t *offsets, size_t noffsets,
			  struct bl_ret *r)
{
	struct bl_cmds c = {};
	int ret;

	bl_cmd_transaction(&c, false, handle, code, 0, data, size, offsets,
			   noffsets);
	ret = bl_write(b, &c);
	if (ret && ret != -EPROTO)
		return ret;
	for (;;) {
		ret = bl_next(b, r, -1);
		if (ret < 0)
			return ret;
		switch (r->cmd) {
		case BR_REPLY:
		case BR_DEAD_REPLY:
		case BR_FAILED_REPLY:
		case BR_ERROR:
			return r->cmd;
		}
	}
}

static inline int bl_free(struct bl *b, binder_uintptr_t buffer)
{
	struct bl_cmds c = {};

	bl_cmd_ptr(&c, BC_FREE_BUFFER, buffer);
	return bl_write(b, &c);
}

static inline const char *bl_cmd_name(__u32 cmd)
{
	static const char * const names[] = {
		"BR_ERROR", "BR_OK", "BR_TRANSACTION", "BR_REPLY",
		"BR_ACQUIRE_RESULT", "BR_DEAD_REPLY", "BR_TRANSACTION_COMPLETE",
		"BR_INCREFS", "BR_ACQUIRE", "BR_RELEASE", "BR_DECREFS",
		"BR_ATTEMPT_ACQUIRE", "BR_NOOP", "BR_SPAWN_LOOPER", "BR_FINISHED",
		"BR_DEAD_BINDER", "BR_CLEAR_DEATH_NOTIFICATION_DONE",
		"BR_FAILED_REPLY", "BR_FROZEN_REPLY", "BR_ONEWAY_SPAM_SUSPECT",
	};

	const unsigned int n = sizeof(names) / sizeof(*names);

	if (_IOC_TYPE(cmd) == 'r' && _IOC_NR(cmd) < n)
		return names[_IOC_NR(cmd)];
	return "BR_?";
}

#endif /* BINDERLIB_H */
