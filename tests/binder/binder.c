// SPDX-License-Identifier: GPL-2.0
/*
 * One test program for three binder implementations: cbinder (ours,
 * /dev/cbinder), the mainline C binder (binder_linux, /dev/binder) and the
 * mainline Rust binder (built in only in VARIANT=rustbinder, its devices in
 * a binderfs mount). Every case does the same steps against each; where
 * they legitimately differ, the variant says what each does, and the
 * difference is listed in drivers/binder/README.md.
 *
 * Most cases run in one thread: a binder "thread" is a (process, task)
 * pair, and an open file is a binder process, so one task can be the
 * client on one file and the server's looper on another, step by step.
 * Cases about process death fork a real server process.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "binderlib.h"
#include "rfl_harness.h"
#include "rfl_module.h"

#define MODDIR "drivers/binder"
#define MAP_SIZE (256 * 1024)
#define TMO 5000		/* ms to wait for something that must come */

enum impl { CBINDER, BINDER_C, BINDER_RUST };

/* Codes the test servers understand. */
enum { CODE_ECHO = 1, CODE_TID, CODE_HOLD, CODE_QUIT };

FIXTURE(binder) {
	char dev[64];
};

FIXTURE_VARIANT(binder) {
	enum impl impl;
	/* BC_FREE_BUFFER of a buffer not (or no longer) owned: errno, 0 = ignored */
	int bad_free_errno;
	/* BC_RELEASE etc. on a handle that does not exist: errno, 0 = ignored */
	int bad_ref_errno;
	/* a command cut off by the end of the write buffer, unmapped page next */
	int truncated_errno;
	/* BINDER_VERSION with a bad pointer */
	int version_fault_errno;
	/* a freed buffer's page stays mapped (kept for reuse) */
	bool freed_page_mapped;
	/* BINDER_SET_CONTEXT_MGR_EXT naming a node of ours by another cookie */
	int mgr_cookie_errno;
};

FIXTURE_VARIANT_ADD(binder, cbinder) {
	.impl = CBINDER,
	.bad_free_errno = EINVAL,
	.bad_ref_errno = EINVAL,
	.truncated_errno = EINVAL,	/* checks the command fits first */
	.version_fault_errno = EFAULT,
	.freed_page_mapped = false,	/* freed and zapped with its buffer */
	.mgr_cookie_errno = EINVAL,
};

FIXTURE_VARIANT_ADD(binder, binder_linux) {
	.impl = BINDER_C,
	.bad_free_errno = 0,		/* binder_user_error(), then goes on */
	.bad_ref_errno = 0,
	.truncated_errno = EFAULT,	/* reads past the end, hits the hole */
	.version_fault_errno = EINVAL,	/* binder_ioctl() maps the fault so */
	.freed_page_mapped = true,	/* on an LRU until the shrinker runs */
	.mgr_cookie_errno = 0,		/* adopts the node, keeps its cookie */
};

/* Runs in the second boot of `make test`, on the rustbinder kernel. */
FIXTURE_VARIANT_ADD(binder, rust_binder) {
	.impl = BINDER_RUST,
	.bad_free_errno = 0,
	.bad_ref_errno = 0,
	.truncated_errno = EFAULT,
	.version_fault_errno = EFAULT,
	.freed_page_mapped = true,	/* ShrinkablePageRange keeps it */
	.mgr_cookie_errno = EINVAL,	/* get_node_inner() checks it */
};

FIXTURE_SETUP(binder)
{
	switch (variant->impl) {
	case CBINDER:
		if (!rfl_loaded("cbinder"))
			ASSERT_EQ(0, rfl_load(MODDIR, "cbinder", ""));
		snprintf(self->dev, sizeof(self->dev), "/dev/cbinder");
		break;
	case BINDER_C:
		if (rfl_loaded("rust_binder"))
			RFL_ELSEWHERE(return, "C binder: on the main kernel (Rust excludes it)");
		if (!rfl_loaded("binder_linux"))
			ASSERT_EQ(0, system("modprobe binder_linux"));
		snprintf(self->dev, sizeof(self->dev), "/dev/binder");
		break;
	case BINDER_RUST:
		if (!rfl_loaded("rust_binder"))
			RFL_ELSEWHERE(return, "Rust binder: make test's second boot (rustbinder)");
		/* Its devices live in binderfs; the first mount makes them. */
		if (access("/dev/binderfs/binder", F_OK)) {
			mkdir("/dev/binderfs", 0755);
			ASSERT_EQ(0, mount("binder", "/dev/binderfs", "binder", 0, NULL));
		}
		snprintf(self->dev, sizeof(self->dev), "/dev/binderfs/binder");
		break;
	}
}

FIXTURE_TEARDOWN(binder)
{
	/* Every file is closed by now: cbinder must unload at this point. */
	if (variant->impl == CBINDER && rfl_loaded("cbinder"))
		EXPECT_EQ(0, rfl_unload("cbinder"));
}

static pid_t gettid_(void)
{
	return syscall(SYS_gettid);
}

/* BINDER_SET_CONTEXT_MGR_EXT with @fbo, retrying while a dead one goes. */
static int set_mgr_ext(struct bl *b, struct flat_binder_object *fbo)
{
	int ret, i;

	for (i = 0; i < 200; i++) {
		ret = bl_ioctl_of(b, BINDER_SET_CONTEXT_MGR_EXT, fbo);
		if (ret != -EBUSY)
			break;
		usleep(10000);
	}
	return ret;
}

/*
 * The server side of a step-by-step case, in a remote (a helper process
 * sharing our memory and files, see binderlib.h): open, map, become
 * context manager with a node of @flags (retrying while a dead manager is
 * still being torn down: the C binder releases files in a workqueue),
 * enter the looper.
 */
static int open_server_flags(struct bl *s, const char *dev, size_t map_size,
			     __u32 flags)
{
	struct flat_binder_object fbo = { .flags = flags };
	struct bl_remote *rem = bl_remote_start();
	struct bl_cmds c = {};
	int ret;

	if (!rem)
		return -EAGAIN;
	ret = bl_open_in(s, rem, dev, map_size);
	if (ret) {
		bl_remote_stop(rem);
		return ret;
	}
	ret = set_mgr_ext(s, &fbo);
	if (ret)
		return ret;
	bl_cmd(&c, BC_ENTER_LOOPER);
	return bl_write(s, &c);
}

static int open_server(struct bl *s, const char *dev, size_t map_size)
{
	return open_server_flags(s, dev, map_size, 0);
}

/* The next return command must be @cmd; 0 or why not. */
static int expect(struct bl *b, __u32 cmd, struct bl_ret *r)
{
	int ret = bl_next(b, r, TMO);

	if (ret <= 0)
		return ret ? ret : -ETIMEDOUT;
	if (r->cmd != cmd) {
		fprintf(stderr, "#  got %s, want %s\n", bl_cmd_name(r->cmd),
			bl_cmd_name(cmd));
		return -EPROTO;
	}
	return 0;
}

/*
 * If @r asks @b to hold one of its objects (BR_INCREFS, BR_ACQUIRE), say
 * it does: 1. 0 for any other command, -errno if the answer failed.
 */
static int ack_refcount(struct bl *b, const struct bl_ret *r)
{
	struct bl_cmds cmds = {};
	int ret;

	if (r->cmd != BR_INCREFS && r->cmd != BR_ACQUIRE)
		return 0;
	bl_cmd_ptr_cookie(&cmds, r->cmd == BR_INCREFS ? BC_INCREFS_DONE :
			  BC_ACQUIRE_DONE, r->pc.ptr, r->pc.cookie);
	ret = bl_write(b, &cmds);
	return ret ? ret : 1;
}

/*
 * A one-way call of @len bytes from @c reaches @s: the sender's
 * BR_TRANSACTION_COMPLETE, the receiver's BR_TRANSACTION, its buffer freed.
 * 0 or the first error.
 */
static int oneway_goes_through(struct bl *c, struct bl *s, const void *data,
			       size_t len)
{
	struct bl_cmds cmds = {};
	struct bl_ret r;
	int ret;

	bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, TF_ONE_WAY, data, len,
			   NULL, 0);
	ret = bl_write(c, &cmds);
	if (!ret)
		ret = expect(c, BR_TRANSACTION_COMPLETE, &r);
	if (!ret)
		ret = expect(s, BR_TRANSACTION, &r);
	if (!ret)
		ret = bl_free(s, r.tr.data.ptr.buffer);
	return ret;
}

/* Refcount traffic settles: requests acked, releases taken, nothing else. */
static bool settle(struct bl *b)
{
	struct bl_ret r;

	while (bl_next(b, &r, 100) > 0) {
		if (ack_refcount(b, &r) > 0 || r.cmd == BR_RELEASE ||
		    r.cmd == BR_DECREFS)
			continue;
		fprintf(stderr, "#  unexpected %s\n", bl_cmd_name(r.cmd));
		return false;
	}
	return true;
}

/* Nothing more may come within @ms. */
static bool quiet(struct bl *b, int ms)
{
	struct bl_ret r;
	int ret = bl_next(b, &r, ms);

	if (ret > 0)
		fprintf(stderr, "#  unexpected %s\n", bl_cmd_name(r.cmd));
	return ret == 0;
}

/*
 * Server step: take a transaction, free it, reply with its data; the
 * sender_pid it was read with goes to @sender_pid if not NULL.
 */
static int serve_echo(struct bl *s, pid_t *sender_pid)
{
	static __u8 copy[64 * 1024 + 64];
	struct bl_cmds c = {};
	struct bl_ret r;
	size_t n;
	int ret;

	ret = expect(s, BR_TRANSACTION, &r);
	if (ret)
		return ret;
	if (sender_pid)
		*sender_pid = r.tr.sender_pid;
	n = r.tr.data_size < sizeof(copy) ? r.tr.data_size : sizeof(copy);
	memcpy(copy, bl_data(&r), n);
	bl_cmd_ptr(&c, BC_FREE_BUFFER, r.tr.data.ptr.buffer);
	bl_cmd_transaction(&c, true, 0, r.tr.code, 0, copy, n, NULL, 0);
	ret = bl_write(s, &c);
	if (ret)
		return ret;
	return expect(s, BR_TRANSACTION_COMPLETE, &r);
}

/* Client step after serve_echo(): TC, then the reply, which is freed. */
static int take_reply(struct bl *b, struct bl_ret *r)
{
	int ret = expect(b, BR_TRANSACTION_COMPLETE, r);

	if (ret)
		return ret;
	ret = expect(b, BR_REPLY, r);
	if (ret)
		return ret;
	return 0;
}

/* One whole round trip, client @c to server @s, step by step. */
static int ping(struct bl *c, struct bl *s, const void *data, size_t size)
{
	struct bl_cmds cmds = {};
	struct bl_ret r;
	int ret;

	bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, 0, data, size, NULL, 0);
	ret = bl_write(c, &cmds);
	if (!ret)
		ret = serve_echo(s, NULL);
	if (!ret)
		ret = take_reply(c, &r);
	if (ret)
		return ret;
	if (r.tr.data_size != size || memcmp(bl_data(&r), data, size))
		ret = -EBADMSG;
	bl_free(c, r.tr.data.ptr.buffer);
	return ret;
}

/*
 * Callee of call @i frees its buffer and answers it with @i; its part is
 * done (BR_TRANSACTION_COMPLETE) even when the answer goes nowhere.
 */
static int answer(struct bl *callee, int i, binder_uintptr_t buf)
{
	struct bl_cmds cmds = {};
	struct bl_ret r;

	bl_cmd_ptr(&cmds, BC_FREE_BUFFER, buf);
	bl_cmd_transaction(&cmds, true, 0, 0, 0, &i, sizeof(i), NULL, 0);
	return bl_write(callee, &cmds) ?:
	       expect(callee, BR_TRANSACTION_COMPLETE, &r);
}

TEST_F(binder, version)
{
	int fd = bl_open_fd(self->dev);

	ASSERT_LE(0, fd);
	EXPECT_EQ(BINDER_CURRENT_PROTOCOL_VERSION, bl_version(fd));
	EXPECT_EQ(-1, ioctl(fd, BINDER_VERSION, NULL));
	EXPECT_EQ(variant->version_fault_errno, errno);
	close(fd);
}

TEST_F(binder, context_manager_once)
{
	struct flat_binder_object fbo = { .binder = 0x1000, .cookie = 0x2000 };
	struct bl a, b;

	ASSERT_EQ(0, open_server(&a, self->dev, 0));	/* @a is the manager */
	ASSERT_EQ(0, bl_open(&b, self->dev, 0));
	EXPECT_EQ(-EBUSY, bl_become_mgr(&a));
	EXPECT_EQ(-EBUSY, bl_become_mgr(&b));
	EXPECT_EQ(-EBUSY, bl_ioctl_of(&b, BINDER_SET_CONTEXT_MGR_EXT, &fbo));
	bl_close(&a);
	/* Once the manager is gone, another process may take the role. */
	EXPECT_EQ(0, set_mgr_ext(&b, &fbo));
	bl_close(&b);
}

TEST_F(binder, ping_payloads)
{
	static const size_t sizes[] = { 0, 8, 4096, 64 * 1024 };
	static __u8 data[64 * 1024];
	struct bl s, c;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = i * 7 + 1;
	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
			TH_LOG("round %d, %zu bytes", round, sizes[i]);
			ASSERT_EQ(0, ping(&c, &s, data, sizes[i]));
		}
	EXPECT_TRUE(quiet(&s, 100));
	EXPECT_TRUE(quiet(&c, 100));
	bl_close(&c);
	bl_close(&s);
}

TEST_F(binder, transaction_fields)
{
	struct bl_cmds cmds = {};
	__u32 v = 0xfeedf00d;
	struct bl s, c;
	struct bl_ret r;

	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	bl_cmd_transaction(&cmds, false, 0, 0x4242, 0, &v, sizeof(v), NULL, 0);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	ASSERT_EQ(0, expect(&s, BR_TRANSACTION, &r));
	EXPECT_EQ(0x4242, r.tr.code);
	EXPECT_EQ(getpid(), r.tr.sender_pid);
	EXPECT_EQ(geteuid(), r.tr.sender_euid);
	EXPECT_EQ(0, r.tr.target.ptr);		/* the manager's node, ptr 0 */
	EXPECT_EQ(sizeof(v), r.tr.data_size);
	EXPECT_EQ(0, r.tr.offsets_size);
	/* The data is in the server's mapping, read-only. */
	EXPECT_LE((uintptr_t)s.map, r.tr.data.ptr.buffer);
	EXPECT_GT((uintptr_t)s.map + MAP_SIZE, r.tr.data.ptr.buffer);
	EXPECT_EQ(v, *(const __u32 *)bl_data(&r));
	bl_cmd_ptr(&cmds, BC_FREE_BUFFER, r.tr.data.ptr.buffer);
	bl_cmd_transaction(&cmds, true, 0, 0, 0, &v, sizeof(v), NULL, 0);
	ASSERT_EQ(0, bl_write(&s, &cmds));
	ASSERT_EQ(0, expect(&s, BR_TRANSACTION_COMPLETE, &r));
	ASSERT_EQ(0, take_reply(&c, &r));
	EXPECT_EQ(0, r.tr.sender_pid);		/* replies carry no pid */
	EXPECT_EQ(0, r.tr.flags & TF_ONE_WAY);
	EXPECT_LE((uintptr_t)c.map, r.tr.data.ptr.buffer);
	EXPECT_GT((uintptr_t)c.map + MAP_SIZE, r.tr.data.ptr.buffer);
	EXPECT_EQ(0, bl_free(&c, r.tr.data.ptr.buffer));
	bl_close(&c);
	bl_close(&s);
}

/* What the server reads as sender_pid for one call from @c; -1 on error. */
static pid_t sender_pid_seen(struct bl *c, struct bl *s)
{
	struct bl_cmds cmds = {};
	struct bl_ret r;
	pid_t pid;

	bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, 0, "p", 1, NULL, 0);
	if (bl_write(c, &cmds) || serve_echo(s, &pid) || take_reply(c, &r) ||
	    bl_free(c, r.tr.data.ptr.buffer))
		return -1;
	return pid;
}

/*
 * sender_pid is the caller's tgid as the reader's pid namespace sees it:
 * the global pid from outside, 0 when the caller is not in the reader's
 * namespace. Remotes started after unshare() live in a new namespace.
 */
TEST_F(binder, sender_pid_in_pid_namespace)
{
	struct bl_remote *inside;
	struct bl s, c, here;
	int err = 0;

	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));	/* outside */
	if (unshare(CLONE_NEWPID))
		err = errno;
	if (err) {
		bl_close(&s);
		ASSERT_EQ(EINVAL, err);
		SKIP(return, "kernel without CONFIG_PID_NS");
	}
	inside = bl_remote_start();
	ASSERT_NE(NULL, inside);
	ASSERT_EQ(0, bl_open_in(&c, inside, self->dev, MAP_SIZE));
	EXPECT_EQ(c.rem->pid, sender_pid_seen(&c, &s));	/* pid 1 inside */
	bl_close(&s);
	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));	/* inside */
	EXPECT_EQ(1, sender_pid_seen(&c, &s));
	ASSERT_EQ(0, bl_open(&here, self->dev, MAP_SIZE));
	EXPECT_EQ(0, sender_pid_seen(&here, &s));	/* not in its namespace */
	bl_close(&here);
	bl_close(&s);
	bl_close(&c);
}

/* ---- threads: a server process with loopers, clients in parallel ---- */

/* Shared with the server process (MAP_SHARED): counters are __atomic. */
struct server {
	pid_t pid;
	int loopers;
	int hold_ms;			/* one-way: hold each buffer this long */
	int err;			/* first error of any looper */
	__u32 log[2048];		/* one-way payloads, in arrival order */
	int nlog;
	int async_now, async_max;	/* one-way buffers held at once */
	struct bl b;			/* the server's file, in the server */
};

static void server_fail(struct server *sv, int err)
{
	int zero = 0;

	__atomic_compare_exchange_n(&sv->err, &zero, err, false,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static void *looper(void *arg)
{
	struct server *sv = arg;
	struct bl b = sv->b;	/* own read buffer, shared file */
	struct bl_cmds c = {};
	__u8 copy[256];
	struct bl_ret r;
	__u32 tid;
	int ret, now, max, i;

	b.rlen = 0;
	b.rpos = 0;
	bl_cmd(&c, BC_ENTER_LOOPER);
	ret = bl_write(&b, &c);
	while (!ret) {
		ret = bl_next(&b, &r, -1);
		if (ret < 0)
			break;
		ret = 0;
		if (r.cmd == BR_TRANSACTION_COMPLETE)
			continue;
		if (r.cmd != BR_TRANSACTION) {
			ret = -EPROTO;
			break;
		}
		if (r.tr.flags & TF_ONE_WAY) {
			now = __atomic_add_fetch(&sv->async_now, 1, __ATOMIC_SEQ_CST);
			max = __atomic_load_n(&sv->async_max, __ATOMIC_SEQ_CST);
			while (now > max &&
			       !__atomic_compare_exchange_n(&sv->async_max, &max, now,
							    false, __ATOMIC_SEQ_CST,
							    __ATOMIC_SEQ_CST))
				;
			if (r.tr.data_size == 4) {
				i = __atomic_load_n(&sv->nlog, __ATOMIC_SEQ_CST);
				if (i < 2048)
					sv->log[i] = *(const __u32 *)bl_data(&r);
				__atomic_store_n(&sv->nlog, i + 1, __ATOMIC_SEQ_CST);
			}
			if (__atomic_load_n(&sv->hold_ms, __ATOMIC_SEQ_CST))
				usleep(sv->hold_ms * 1000);
			__atomic_sub_fetch(&sv->async_now, 1, __ATOMIC_SEQ_CST);
			bl_cmd_ptr(&c, BC_FREE_BUFFER, r.tr.data.ptr.buffer);
			ret = bl_write(&b, &c);
			continue;
		}
		if (r.tr.data_size > sizeof(copy) - 4) {
			ret = -EMSGSIZE;
			break;
		}
		/* Reply with the data and which looper answered. */
		memcpy(copy, bl_data(&r), r.tr.data_size);
		tid = gettid_();
		memcpy(copy + r.tr.data_size, &tid, 4);
		bl_cmd_ptr(&c, BC_FREE_BUFFER, r.tr.data.ptr.buffer);
		bl_cmd_transaction(&c, true, 0, r.tr.code, 0, copy,
				   r.tr.data_size + 4, NULL, 0);
		ret = bl_write(&b, &c);
		if (r.tr.code == CODE_QUIT)
			return NULL;
	}
	server_fail(sv, ret ? ret : -EPROTO);
	return NULL;
}

/* A server process with @loopers looper threads; *@svp is shared with it. */
static int server_start(struct server **svp, const char *dev, int loopers)
{
	struct server *sv;
	int p[2];
	char x;

	sv = mmap(NULL, sizeof(*sv), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sv == MAP_FAILED || pipe(p))
		return -ENOMEM;
	sv->loopers = loopers;
	*svp = sv;
	sv->pid = fork();
	if (sv->pid == 0) {
		pthread_t th[8];
		int i, ret;

		close(p[0]);
		if (bl_open(&sv->b, dev, MAP_SIZE))
			_exit(1);
		for (i = 0; i < 200; i++) {
			ret = bl_become_mgr(&sv->b);
			if (ret != -EBUSY)
				break;
			usleep(10000);
		}
		if (ret)
			_exit(1);
		for (i = 0; i < loopers; i++)
			if (pthread_create(&th[i], NULL, looper, sv))
				_exit(1);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		for (i = 0; i < loopers; i++)
			pthread_join(th[i], NULL);
		_exit(0);
	}
	close(p[1]);
	if (sv->pid < 0 || read(p[0], &x, 1) != 1) {
		close(p[0]);
		return -EIO;
	}
	close(p[0]);
	return 0;
}

/* One CODE_QUIT per looper, from @c, then reap the server. */
static int server_stop(struct server *sv, struct bl *c)
{
	struct bl_ret r;
	int ret = 0, status = 0;

	for (int i = 0; i < sv->loopers; i++) {
		if (bl_call(c, 0, CODE_QUIT, NULL, 0, NULL, 0, &r) != BR_REPLY) {
			ret = -EPROTO;
			break;
		}
		bl_free(c, r.tr.data.ptr.buffer);
	}
	if (ret)
		kill(sv->pid, SIGKILL);
	waitpid(sv->pid, &status, 0);
	if (!ret && status)
		ret = -ECHILD;
	if (!ret)
		ret = sv->err;
	munmap(sv, sizeof(*sv));
	return ret;
}

struct client {
	struct bl b;
	int calls;
	int ok;
};

static void *client_thread(void *arg)
{
	struct client *cl = arg;
	struct bl b = cl->b;
	__u32 me = gettid_();
	struct bl_ret r;

	b.rlen = 0;
	b.rpos = 0;
	for (int i = 0; i < cl->calls; i++) {
		if (bl_call(&b, 0, CODE_TID, &me, 4, NULL, 0, &r) != BR_REPLY)
			return NULL;
		/* Our own reply: it carries our tid back. */
		if (r.tr.data_size != 8 || *(const __u32 *)bl_data(&r) != me)
			return NULL;
		if (bl_free(&b, r.tr.data.ptr.buffer))
			return NULL;
	}
	cl->ok = 1;
	return NULL;
}

TEST_F_TIMEOUT(binder, replies_to_the_right_thread, 200)
{
	struct client cl[8];
	struct server *sv;
	pthread_t t[8];
	struct bl c;

	ASSERT_EQ(0, server_start(&sv, self->dev, 4));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	for (int i = 0; i < 8; i++) {
		cl[i] = (struct client){ .b = c, .calls = 40 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, client_thread, &cl[i]));
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		EXPECT_TRUE(cl[i].ok) TH_LOG("client %d", i);
	}
	EXPECT_EQ(0, server_stop(sv, &c));
	bl_close(&c);
}

TEST_F_TIMEOUT(binder, oneway_in_order_one_at_a_time, 300)
{
	struct bl_cmds cmds = {};
	struct server *sv;
	struct bl_ret r;
	struct bl c;
	__u32 v;
	int i;

	ASSERT_EQ(0, server_start(&sv, self->dev, 2));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	for (i = 0; i < 1000; i++) {
		v = i;
		/* 1 in 50 held a while, so the next ones queue up behind it. */
		__atomic_store_n(&sv->hold_ms, i % 50 == 0 ? 5 : 0,
				 __ATOMIC_SEQ_CST);
		bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, TF_ONE_WAY, &v,
				   sizeof(v), NULL, 0);
		ASSERT_EQ(0, bl_write(&c, &cmds));
		ASSERT_EQ(0, expect(&c, BR_TRANSACTION_COMPLETE, &r));
	}
	for (i = 0; i < 1000; i++) {
		v = __atomic_load_n(&sv->nlog, __ATOMIC_SEQ_CST);
		if (v == 1000)
			break;
		usleep(10000);
	}
	ASSERT_EQ(1000, v);
	for (i = 0; i < 1000; i++)
		ASSERT_EQ(i, sv->log[i]);
	/* Two loopers, yet never two one-way calls of one node at once. */
	EXPECT_EQ(1, sv->async_max);
	EXPECT_EQ(0, server_stop(sv, &c));
	bl_close(&c);
}

/* ---- objects: nodes, handles, reference counts ---- */

#define OBJ_PTR 0xa11ce000
#define OBJ_COOKIE 0xc00c1e

static struct flat_binder_object obj(__u32 type, __u64 ptr_or_handle,
				     __u64 cookie)
{
	struct flat_binder_object o = { .hdr.type = type, .cookie = cookie };

	if (type == BINDER_TYPE_HANDLE || type == BINDER_TYPE_WEAK_HANDLE)
		o.handle = ptr_or_handle;
	else
		o.binder = ptr_or_handle;
	return o;
}

TEST_F(binder, objects_and_refcounts)
{
	struct flat_binder_object o = obj(BINDER_TYPE_BINDER, OBJ_PTR, OBJ_COOKIE);
	binder_size_t off = 0;
	const struct flat_binder_object *in;
	struct bl_cmds cmds = {};
	bool increfs = false, acquire = false;
	struct bl s, c;
	struct bl_ret r;
	__u32 h;

	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));

	/* The client sends its object: the server sees a handle. */
	bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, 0, &o, sizeof(o), &off, 1);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	ASSERT_EQ(0, expect(&s, BR_TRANSACTION, &r));
	ASSERT_EQ(sizeof(o), r.tr.data_size);
	ASSERT_EQ(sizeof(off), r.tr.offsets_size);
	EXPECT_EQ(0, bl_offsets(&r)[0]);
	in = bl_data(&r);
	EXPECT_EQ(BINDER_TYPE_HANDLE, in->hdr.type);
	EXPECT_NE(0, in->handle);
	EXPECT_EQ(0, in->cookie);
	h = in->handle;
	/* Keep a strong ref past the buffer; send the handle back. */
	o = obj(BINDER_TYPE_HANDLE, h, 0);
	bl_cmd_u32(&cmds, BC_ACQUIRE, h);
	bl_cmd_ptr(&cmds, BC_FREE_BUFFER, r.tr.data.ptr.buffer);
	bl_cmd_transaction(&cmds, true, 0, 0, 0, &o, sizeof(o), &off, 1);
	ASSERT_EQ(0, bl_write(&s, &cmds));
	ASSERT_EQ(0, expect(&s, BR_TRANSACTION_COMPLETE, &r));

	/* The owner is asked to hold its object, and gets it back as itself. */
	for (;;) {
		ASSERT_LT(0, bl_next(&c, &r, TMO));
		if (r.cmd == BR_INCREFS || r.cmd == BR_ACQUIRE) {
			EXPECT_EQ(OBJ_PTR, r.pc.ptr);
			EXPECT_EQ(OBJ_COOKIE, r.pc.cookie);
			*(r.cmd == BR_INCREFS ? &increfs : &acquire) = true;
			ASSERT_EQ(1, ack_refcount(&c, &r));
			continue;
		}
		if (r.cmd == BR_TRANSACTION_COMPLETE)
			continue;
		ASSERT_EQ(BR_REPLY, r.cmd) TH_LOG("%s", bl_cmd_name(r.cmd));
		break;
	}
	EXPECT_TRUE(increfs);
	EXPECT_TRUE(acquire);
	in = bl_data(&r);
	EXPECT_EQ(BINDER_TYPE_BINDER, in->hdr.type);
	EXPECT_EQ(OBJ_PTR, in->binder);
	EXPECT_EQ(OBJ_COOKIE, in->cookie);
	ASSERT_EQ(0, bl_free(&c, r.tr.data.ptr.buffer));

	/* The server calls back through its handle: the client serves it. */
	bl_cmd(&cmds, BC_ENTER_LOOPER);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	bl_cmd_transaction(&cmds, false, h, 7, 0, "cb", 2, NULL, 0);
	ASSERT_EQ(0, bl_write(&s, &cmds));
	ASSERT_EQ(0, expect(&c, BR_TRANSACTION, &r));
	EXPECT_EQ(OBJ_PTR, r.tr.target.ptr);
	EXPECT_EQ(OBJ_COOKIE, r.tr.cookie);
	EXPECT_EQ(7, r.tr.code);
	bl_cmd_ptr(&cmds, BC_FREE_BUFFER, r.tr.data.ptr.buffer);
	bl_cmd_transaction(&cmds, true, 0, 0, 0, NULL, 0, NULL, 0);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	ASSERT_EQ(0, expect(&c, BR_TRANSACTION_COMPLETE, &r));
	ASSERT_EQ(0, take_reply(&s, &r));
	ASSERT_EQ(0, bl_free(&s, r.tr.data.ptr.buffer));

	/* Its last reference gone, the owner is told to let go. */
	bl_cmd_u32(&cmds, BC_RELEASE, h);
	ASSERT_EQ(0, bl_write(&s, &cmds));
	ASSERT_EQ(0, expect(&c, BR_RELEASE, &r));
	EXPECT_EQ(OBJ_PTR, r.pc.ptr);
	ASSERT_EQ(0, expect(&c, BR_DECREFS, &r));
	EXPECT_EQ(OBJ_COOKIE, r.pc.cookie);
	EXPECT_TRUE(quiet(&c, 100));
	/* The handle is gone now. */
	bl_cmd_u32(&cmds, BC_RELEASE, h);
	EXPECT_EQ(-variant->bad_ref_errno, bl_write(&s, &cmds));
	bl_cmd_transaction(&cmds, false, h, 7, 0, NULL, 0, NULL, 0);
	ASSERT_EQ(0, bl_write(&s, &cmds));
	ASSERT_EQ(0, expect(&s, BR_FAILED_REPLY, &r));
	/* And everything still works. */
	ASSERT_EQ(0, ping(&c, &s, "x", 1));
	bl_close(&c);
	bl_close(&s);
}

TEST_F(binder, weak_objects)
{
	struct flat_binder_object o = obj(BINDER_TYPE_WEAK_BINDER, OBJ_PTR, 0);
	const struct flat_binder_object *in;
	struct bl_cmds cmds = {};
	binder_size_t off = 0;
	unsigned int seen[32] = {};
	struct bl s, c;
	struct bl_ret r;
	__u32 h;

	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, 0, &o, sizeof(o), &off, 1);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	ASSERT_EQ(0, expect(&s, BR_TRANSACTION, &r));
	in = bl_data(&r);
	EXPECT_EQ(BINDER_TYPE_WEAK_HANDLE, in->hdr.type);
	EXPECT_NE(0, in->handle);
	h = in->handle;
	/* Keep a weak ref past the buffer. */
	bl_cmd_u32(&cmds, BC_INCREFS, h);
	bl_cmd_ptr(&cmds, BC_FREE_BUFFER, r.tr.data.ptr.buffer);
	bl_cmd_transaction(&cmds, true, 0, 0, 0, NULL, 0, NULL, 0);
	ASSERT_EQ(0, bl_write(&s, &cmds));
	ASSERT_EQ(0, expect(&s, BR_TRANSACTION_COMPLETE, &r));
	ASSERT_EQ(1, bl_wait_for(&c, BR_REPLY, &r, TMO, seen));
	ASSERT_EQ(BR_REPLY, r.cmd);
	/* A weak object: BR_INCREFS only, never BR_ACQUIRE. */
	EXPECT_EQ(1, seen[_IOC_NR(BR_INCREFS)]);
	EXPECT_EQ(0, seen[_IOC_NR(BR_ACQUIRE)]);
	bl_cmd_ptr(&cmds, BC_FREE_BUFFER, r.tr.data.ptr.buffer);
	bl_cmd_ptr_cookie(&cmds, BC_INCREFS_DONE, OBJ_PTR, 0);
	bl_cmd(&cmds, BC_ENTER_LOOPER);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	/* A _DONE for what was never asked is refused or ignored. */
	bl_cmd_ptr_cookie(&cmds, BC_ACQUIRE_DONE, OBJ_PTR, 0);
	EXPECT_EQ(-variant->bad_ref_errno, bl_write(&c, &cmds));
	/* The weak ref goes: the owner may drop its object. */
	bl_cmd_u32(&cmds, BC_DECREFS, h);
	ASSERT_EQ(0, bl_write(&s, &cmds));
	ASSERT_EQ(0, expect(&c, BR_DECREFS, &r));
	EXPECT_EQ(OBJ_PTR, r.pc.ptr);
	EXPECT_TRUE(quiet(&c, 100));
	ASSERT_EQ(0, ping(&c, &s, "y", 1));
	bl_close(&c);
	bl_close(&s);
}

/*
 * The server gets a weak handle to an object of the client and keeps it
 * (BC_INCREFS); the client answers BR_INCREFS and loops. Returns the handle.
 */
static int weak_handle_to_client(struct bl *s, struct bl *c, __u32 *h)
{
	struct flat_binder_object o = obj(BINDER_TYPE_WEAK_BINDER, OBJ_PTR, 0);
	struct bl_cmds cmds = {};
	binder_size_t off = 0;
	struct bl_ret r;
	int ret;

	bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, 0, &o, sizeof(o), &off, 1);
	ret = bl_write(c, &cmds) ?: expect(s, BR_TRANSACTION, &r);
	if (ret)
		return ret;
	*h = ((const struct flat_binder_object *)bl_data(&r))->handle;
	bl_cmd_u32(&cmds, BC_INCREFS, *h);
	bl_cmd_ptr(&cmds, BC_FREE_BUFFER, r.tr.data.ptr.buffer);
	bl_cmd_transaction(&cmds, true, 0, 0, 0, NULL, 0, NULL, 0);
	ret = bl_write(s, &cmds) ?: expect(s, BR_TRANSACTION_COMPLETE, &r);
	if (ret)
		return ret;
	if (bl_wait_for(c, BR_REPLY, &r, TMO, NULL) != 1 || r.cmd != BR_REPLY)
		return -EPROTO;
	bl_cmd_ptr(&cmds, BC_FREE_BUFFER, r.tr.data.ptr.buffer);
	bl_cmd_ptr_cookie(&cmds, BC_INCREFS_DONE, OBJ_PTR, 0);
	bl_cmd(&cmds, BC_ENTER_LOOPER);
	return bl_write(c, &cmds);
}

/* The client calls the server, which replies with object @o; the reply. */
static int reply_with(struct bl *c, struct bl *s,
		      struct flat_binder_object o, struct bl_ret *r)
{
	struct bl_cmds cmds = {};
	binder_size_t off = 0;
	int ret;

	bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, 0, NULL, 0, NULL, 0);
	ret = bl_write(c, &cmds) ?: expect(s, BR_TRANSACTION, r);
	if (ret)
		return ret;
	bl_cmd_ptr(&cmds, BC_FREE_BUFFER, r->tr.data.ptr.buffer);
	bl_cmd_transaction(&cmds, true, 0, 0, 0, &o, sizeof(o), &off, 1);
	ret = bl_write(s, &cmds) ?: expect(s, BR_TRANSACTION_COMPLETE, r);
	if (ret)
		return ret;
	return bl_wait_for(c, BR_REPLY, r, TMO, NULL) == 1 ? 0 : -ETIMEDOUT;
}

/*
 * A weak handle is not a strong one: it cannot be called, sent as a
 * strong object or made strong with BC_ACQUIRE. Otherwise the owner
 * would be asked to revive an object it may have destroyed already.
 */
TEST_F(binder, weak_is_not_strong)
{
	const struct flat_binder_object *in;
	struct bl_cmds cmds = {};
	struct bl s, c;
	struct bl_ret r;
	__u32 h;

	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	ASSERT_EQ(0, weak_handle_to_client(&s, &c, &h));

	TH_LOG("a call through the weak handle");
	bl_cmd_transaction(&cmds, false, h, 7, 0, "w", 1, NULL, 0);
	ASSERT_EQ(0, bl_write(&s, &cmds));
	ASSERT_EQ(1, bl_wait_for(&s, BR_FAILED_REPLY, &r, TMO, NULL));
	EXPECT_EQ(BR_FAILED_REPLY, r.cmd) TH_LOG("%s", bl_cmd_name(r.cmd));
	EXPECT_TRUE(quiet(&c, 100));

	TH_LOG("the weak handle sent as a strong one");
	ASSERT_EQ(0, reply_with(&c, &s, obj(BINDER_TYPE_HANDLE, h, 0), &r));
	EXPECT_EQ(BR_FAILED_REPLY, r.cmd) TH_LOG("%s", bl_cmd_name(r.cmd));
	EXPECT_TRUE(quiet(&c, 100));
	TH_LOG("and as a weak one: the owner gets its object back");
	ASSERT_EQ(0, reply_with(&c, &s, obj(BINDER_TYPE_WEAK_HANDLE, h, 0), &r));
	ASSERT_EQ(BR_REPLY, r.cmd) TH_LOG("%s", bl_cmd_name(r.cmd));
	in = bl_data(&r);
	EXPECT_EQ(BINDER_TYPE_WEAK_BINDER, in->hdr.type);
	EXPECT_EQ(OBJ_PTR, in->binder);
	ASSERT_EQ(0, bl_free(&c, r.tr.data.ptr.buffer));

	TH_LOG("BC_ACQUIRE on the weak handle: refused or ignored");
	bl_cmd_u32(&cmds, BC_ACQUIRE, h);
	EXPECT_EQ(-variant->bad_ref_errno, bl_write(&s, &cmds));
	/* Never BR_ACQUIRE for it. */
	EXPECT_TRUE(quiet(&c, 100));
	/* The weak ref goes: only BR_DECREFS, nothing strong to undo. */
	bl_cmd_u32(&cmds, BC_DECREFS, h);
	ASSERT_EQ(0, bl_write(&s, &cmds));
	ASSERT_EQ(0, expect(&c, BR_DECREFS, &r));
	EXPECT_TRUE(quiet(&c, 100));
	ASSERT_EQ(0, ping(&c, &s, "ok", 2));
	bl_close(&c);
	bl_close(&s);
}

/*
 * A process that already has a node becomes the context manager with it:
 * only with the node's own cookie. Afterwards handle 0 reaches the new
 * manager, also for a client that held a reference to the old one.
 */
TEST_F(binder, context_manager_changes)
{
	struct flat_binder_object o = obj(BINDER_TYPE_BINDER, OBJ_PTR, OBJ_COOKIE);
	struct flat_binder_object fbo = { .binder = OBJ_PTR, .cookie = 1 };
	struct bl_cmds cmds = {};
	binder_size_t off = 0;
	struct bl s, x, c;
	struct bl_ret r;
	int ret;

	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open_in(&x, bl_remote_start(), self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	/* The client holds handle 0 of the first manager. */
	bl_cmd_u32(&cmds, BC_ACQUIRE, 0);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	ASSERT_EQ(0, ping(&c, &s, "1", 1));
	/*
	 * x gives the first manager its object, which keeps a handle to it:
	 * x is asked to hold the object and never acks, so its node outlives
	 * the manager.
	 */
	bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, 0, &o, sizeof(o), &off, 1);
	ASSERT_EQ(0, bl_write(&x, &cmds));
	ASSERT_EQ(0, expect(&s, BR_TRANSACTION, &r));
	bl_cmd_u32(&cmds, BC_ACQUIRE,
		   ((const struct flat_binder_object *)bl_data(&r))->handle);
	ASSERT_EQ(0, bl_write(&s, &cmds));
	ASSERT_EQ(0, answer(&s, 1, r.tr.data.ptr.buffer));
	ASSERT_EQ(1, bl_wait_for(&x, BR_ACQUIRE, &r, TMO, NULL));
	ASSERT_EQ(BR_ACQUIRE, r.cmd) TH_LOG("%s", bl_cmd_name(r.cmd));
	ASSERT_EQ(1, bl_wait_for(&x, BR_REPLY, &r, TMO, NULL));
	ASSERT_EQ(BR_REPLY, r.cmd) TH_LOG("%s", bl_cmd_name(r.cmd));
	ASSERT_EQ(0, bl_free(&x, r.tr.data.ptr.buffer));
	bl_close(&s);

	/* x's node by its address, with another cookie: refused or adopted. */
	ret = set_mgr_ext(&x, &fbo);
	EXPECT_EQ(-variant->mgr_cookie_errno, ret);
	fbo.cookie = OBJ_COOKIE;
	if (ret)
		ASSERT_EQ(0, set_mgr_ext(&x, &fbo));
	bl_cmd(&cmds, BC_ENTER_LOOPER);
	ASSERT_EQ(0, bl_write(&x, &cmds));
	/* The client's handle 0 now reaches x's node, with its cookie. */
	bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, 0, "2", 1, NULL, 0);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	ASSERT_EQ(1, bl_wait_for(&x, BR_TRANSACTION, &r, TMO, NULL));
	ASSERT_EQ(BR_TRANSACTION, r.cmd) TH_LOG("%s", bl_cmd_name(r.cmd));
	EXPECT_EQ(OBJ_PTR, r.tr.target.ptr);
	EXPECT_EQ(OBJ_COOKIE, r.tr.cookie);
	bl_cmd_ptr(&cmds, BC_FREE_BUFFER, r.tr.data.ptr.buffer);
	bl_cmd_transaction(&cmds, true, 0, 0, 0, "3", 1, NULL, 0);
	ASSERT_EQ(0, bl_write(&x, &cmds));
	ASSERT_EQ(1, bl_wait_for(&c, BR_REPLY, &r, TMO, NULL));
	ASSERT_EQ(BR_REPLY, r.cmd) TH_LOG("%s", bl_cmd_name(r.cmd));
	EXPECT_EQ(0, bl_free(&c, r.tr.data.ptr.buffer));
	bl_close(&c);
	bl_close(&x);
}

TEST_F(binder, nested_call_comes_back_to_the_caller)
{
	struct flat_binder_object o = obj(BINDER_TYPE_BINDER, OBJ_PTR, OBJ_COOKIE);
	const struct flat_binder_object *in;
	struct bl_cmds cmds = {};
	binder_size_t off = 0;
	binder_uintptr_t outer;
	struct bl s, c;
	struct bl_ret r;
	__u32 h;

	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	/* The client (no looper) calls the server with its object... */
	bl_cmd_transaction(&cmds, false, 0, 1, 0, &o, sizeof(o), &off, 1);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	ASSERT_EQ(0, expect(&s, BR_TRANSACTION, &r));
	outer = r.tr.data.ptr.buffer;
	in = bl_data(&r);
	ASSERT_EQ(BINDER_TYPE_HANDLE, in->hdr.type);
	h = in->handle;
	/* ...which, before it answers, calls that object back. */
	bl_cmd_transaction(&cmds, false, h, 2, 0, "in", 2, NULL, 0);
	ASSERT_EQ(0, bl_write(&s, &cmds));
	/* The call lands on the client thread that waits for the server. */
	for (;;) {
		ASSERT_LT(0, bl_next(&c, &r, TMO));
		if (r.cmd == BR_TRANSACTION_COMPLETE)	/* of the outer call */
			continue;
		if (ack_refcount(&c, &r))
			continue;
		ASSERT_EQ(BR_TRANSACTION, r.cmd) TH_LOG("%s", bl_cmd_name(r.cmd));
		break;
	}
	EXPECT_EQ(2, r.tr.code);
	EXPECT_EQ(OBJ_PTR, r.tr.target.ptr);
	bl_cmd_ptr(&cmds, BC_FREE_BUFFER, r.tr.data.ptr.buffer);
	bl_cmd_transaction(&cmds, true, 0, 0, 0, "back", 4, NULL, 0);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	ASSERT_EQ(0, expect(&c, BR_TRANSACTION_COMPLETE, &r));
	/* The server gets the inner reply, then answers the outer call. */
	ASSERT_EQ(0, take_reply(&s, &r));
	EXPECT_EQ(4, r.tr.data_size);
	bl_cmd_ptr(&cmds, BC_FREE_BUFFER, r.tr.data.ptr.buffer);
	bl_cmd_ptr(&cmds, BC_FREE_BUFFER, outer);
	bl_cmd_transaction(&cmds, true, 0, 0, 0, "out", 3, NULL, 0);
	ASSERT_EQ(0, bl_write(&s, &cmds));
	ASSERT_EQ(0, expect(&s, BR_TRANSACTION_COMPLETE, &r));
	ASSERT_EQ(0, expect(&c, BR_REPLY, &r));
	EXPECT_EQ(3, r.tr.data_size);
	EXPECT_EQ(0, bl_free(&c, r.tr.data.ptr.buffer));
	bl_close(&c);
	bl_close(&s);
}

/*
 * The next transaction, reply or error for @b, with the refcount traffic
 * on the way handled (requests acked, releases taken; when they come
 * differs between the drivers) and BR_TRANSACTION_COMPLETE skipped: its
 * command.
 */
static int next_call(struct bl *b, struct bl_ret *r)
{
	int ret;

	for (;;) {
		ret = bl_next(b, r, TMO);
		if (ret <= 0)
			return ret ? ret : -ETIMEDOUT;
		ret = ack_refcount(b, r);
		if (ret < 0)
			return ret;
		if (!ret && r->cmd != BR_TRANSACTION_COMPLETE &&
		    r->cmd != BR_RELEASE && r->cmd != BR_DECREFS)
			return r->cmd;
	}
}

#define NEST_MAX 8

/*
 * Calls nested @depth deep: the client @c calls the server @s (handle 0)
 * with its object, the server calls back through that handle, the client
 * calls the server again, and so on; each call must reach the thread that
 * waits in the other process. bufs[i] is call i's buffer at its callee.
 */
static int nest(struct bl *c, struct bl *s, int depth,
		binder_uintptr_t bufs[NEST_MAX + 1])
{
	struct flat_binder_object o = obj(BINDER_TYPE_BINDER, OBJ_PTR, OBJ_COOKIE);
	struct bl_cmds cmds = {};
	binder_size_t off = 0;
	struct bl_ret r;
	__u32 h = 0;
	int i, ret;

	for (i = 1; i <= depth; i++) {
		struct bl *from = i % 2 ? c : s, *to = i % 2 ? s : c;

		bl_cmd_transaction(&cmds, false, i % 2 ? 0 : h, i, 0, &o,
				   sizeof(o), &off, i == 1);
		ret = bl_write(from, &cmds);
		if (ret)
			return ret;
		ret = next_call(to, &r);
		if (ret != BR_TRANSACTION || r.tr.code != i) {
			fprintf(stderr, "#  call %d: %s\n", i,
				ret < 0 ? strerror(-ret) : bl_cmd_name(ret));
			return -EPROTO;
		}
		if (i == 1)
			h = ((const struct flat_binder_object *)bl_data(&r))->handle;
		bufs[i] = r.tr.data.ptr.buffer;
	}
	return 0;
}

/* Answer calls @depth..1 as nest() made them; each caller gets its own. */
static int unnest(struct bl *c, struct bl *s, int depth,
		  binder_uintptr_t bufs[NEST_MAX + 1])
{
	struct bl_ret r;
	int i, ret;

	for (i = depth; i >= 1; i--) {
		struct bl *caller = i % 2 ? c : s, *callee = i % 2 ? s : c;

		ret = answer(callee, i, bufs[i]);
		if (ret)
			return ret;
		ret = next_call(caller, &r);
		if (ret != BR_REPLY || r.tr.data_size != sizeof(i) ||
		    *(const int *)bl_data(&r) != i) {
			fprintf(stderr, "#  reply %d: %s\n", i,
				ret < 0 ? strerror(-ret) : bl_cmd_name(ret));
			return -EPROTO;
		}
		ret = bl_free(caller, r.tr.data.ptr.buffer);
		if (ret)
			return ret;
	}
	return 0;
}

/* A->B, B->A, A->B, ...: every call reaches the thread waiting in the chain. */
TEST_F(binder, nested_calls_of_any_depth)
{
	binder_uintptr_t bufs[NEST_MAX + 1];
	struct bl s, c;

	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	ASSERT_EQ(0, nest(&c, &s, 3, bufs));
	ASSERT_EQ(0, unnest(&c, &s, 3, bufs));
	ASSERT_EQ(0, nest(&c, &s, NEST_MAX, bufs));
	ASSERT_EQ(0, unnest(&c, &s, NEST_MAX, bufs));
	EXPECT_TRUE(settle(&c));
	EXPECT_TRUE(quiet(&s, 100));
	ASSERT_EQ(0, ping(&c, &s, "ok", 2));
	bl_close(&c);
	bl_close(&s);
}

/* Only the call on top of a thread's stack, one it took, can be answered. */
TEST_F(binder, reply_without_a_call)
{
	binder_uintptr_t bufs[NEST_MAX + 1];
	struct bl_cmds cmds = {};
	struct bl s, c;
	struct bl_ret r;

	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	TH_LOG("a thread that took no call");
	bl_cmd_transaction(&cmds, true, 0, 0, 0, "r", 1, NULL, 0);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	ASSERT_EQ(0, expect(&c, BR_FAILED_REPLY, &r));
	TH_LOG("a thread whose top call is one it made");
	ASSERT_EQ(0, nest(&c, &s, 2, bufs));
	bl_cmd_transaction(&cmds, true, 0, 0, 0, "r", 1, NULL, 0);
	ASSERT_EQ(0, bl_write(&s, &cmds));
	ASSERT_EQ(BR_FAILED_REPLY, next_call(&s, &r));
	EXPECT_TRUE(quiet(&c, 100));
	/* Both calls are still there, and are answered as usual. */
	ASSERT_EQ(0, unnest(&c, &s, 2, bufs));
	EXPECT_TRUE(settle(&c));
	ASSERT_EQ(0, ping(&c, &s, "ok", 2));
	bl_close(&c);
	bl_close(&s);
}

/*
 * Calls nested 3 deep, then the thread of @leaver (the client @c or the
 * server @s) exits: the other one, left with two calls, gets a dead reply
 * for its own call each time it has answered the one above it, and is
 * free again afterwards.
 */
static int nested_thread_exit(struct bl *c, struct bl *s, struct bl *leaver)
{
	struct bl *other = leaver == c ? s : c;
	binder_uintptr_t bufs[NEST_MAX + 1];
	struct bl_ret r;
	int unused = 0, ret;

	ret = nest(c, s, 3, bufs) ?:
	      bl_ioctl_of(leaver, BINDER_THREAD_EXIT, &unused);
	if (ret)
		return ret;
	if (leaver == s) {
		/* Call 3 was the server's to answer: the client hears now. */
		ret = next_call(c, &r);
		if (ret != BR_DEAD_REPLY)
			return -EPROTO;
		/* The server made call 2: the client's answer goes nowhere... */
		ret = answer(c, 2, bufs[2]);
	} else {
		ret = answer(s, 3, bufs[3]);
	}
	if (ret)
		return ret;
	/* ...and call 1 (the client's) or 2 (the server's) fails with it. */
	ret = next_call(other, &r);
	if (ret != BR_DEAD_REPLY) {
		fprintf(stderr, "#  got %s\n", ret < 0 ? strerror(-ret) :
			bl_cmd_name(ret));
		return -EPROTO;
	}
	if (leaver == c) {
		/* Call 1 is left to the server: its answer goes nowhere. */
		ret = answer(s, 1, bufs[1]);
		if (ret)
			return ret;
	}
	return quiet(other, 100) ? 0 : -EPROTO;
}

TEST_F(binder, nested_caller_thread_exits)
{
	struct bl s, c;

	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	ASSERT_EQ(0, nested_thread_exit(&c, &s, &c));
	/* A new thread of the client calls the server, which is free. */
	ASSERT_EQ(0, ping(&c, &s, "ok", 2));
	bl_close(&c);
	bl_close(&s);
}

TEST_F(binder, nested_callee_thread_exits)
{
	struct bl_cmds cmds = {};
	struct bl s, c;

	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	ASSERT_EQ(0, nested_thread_exit(&c, &s, &s));
	bl_cmd(&cmds, BC_ENTER_LOOPER);
	ASSERT_EQ(0, bl_write(&s, &cmds));
	ASSERT_EQ(0, ping(&c, &s, "ok", 2));
	bl_close(&c);
	bl_close(&s);
}

/* The client calls CODE_HOLD; the server takes the call and keeps it. */
static int held_call(struct bl *c, struct bl *s, binder_uintptr_t *held)
{
	struct bl_cmds cmds = {};
	struct bl_ret r;
	int ret;

	bl_cmd_transaction(&cmds, false, 0, CODE_HOLD, 0, NULL, 0, NULL, 0);
	ret = bl_write(c, &cmds) ?: expect(s, BR_TRANSACTION, &r);
	if (!ret)
		*held = r.tr.data.ptr.buffer;
	return ret;
}

/*
 * The server's thread has left: the process goes on, the buffer is its
 * to free, a new thread serves.
 */
static int serve_again(struct bl *s, binder_uintptr_t held)
{
	struct bl_cmds cmds = {};

	bl_cmd(&cmds, BC_ENTER_LOOPER);
	return bl_free(s, held) ?: bl_write(s, &cmds);
}

TEST_F(binder, thread_exit_fails_its_callers)
{
	binder_uintptr_t held;
	struct bl s, c;
	struct bl_ret r;
	int unused = 0;

	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	ASSERT_EQ(0, held_call(&c, &s, &held));
	/* The server thread leaves without answering: the caller hears it. */
	ASSERT_EQ(0, bl_ioctl_of(&s, BINDER_THREAD_EXIT, &unused));
	ASSERT_EQ(1, bl_wait_for(&c, BR_DEAD_REPLY, &r, TMO, NULL));
	EXPECT_EQ(BR_DEAD_REPLY, r.cmd) TH_LOG("%s", bl_cmd_name(r.cmd));
	ASSERT_EQ(0, serve_again(&s, held));
	ASSERT_EQ(0, ping(&c, &s, "again", 5));
	bl_close(&c);
	bl_close(&s);
}

/*
 * A caller's own error (a failed command) and the error of the call it
 * waits on are kept apart: with both pending, both arrive.
 */
TEST_F(binder, two_errors_pending_at_once)
{
	unsigned int seen[32] = {};
	struct bl_cmds cmds = {};
	binder_uintptr_t held;
	struct bl s, c;
	struct bl_ret r;
	int unused = 0;

	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	ASSERT_EQ(0, held_call(&c, &s, &held));
	/* The caller's own error: a one-way call to a handle it lacks... */
	bl_cmd_transaction(&cmds, false, 4242, CODE_ECHO, TF_ONE_WAY, NULL, 0,
			   NULL, 0);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	/* ...and, unread, the call it waits on fails too. */
	ASSERT_EQ(0, bl_ioctl_of(&s, BINDER_THREAD_EXIT, &unused));
	while (!seen[_IOC_NR(BR_FAILED_REPLY)] || !seen[_IOC_NR(BR_DEAD_REPLY)]) {
		if (bl_next(&c, &r, TMO) <= 0)
			break;
		seen[_IOC_NR(r.cmd) & 31]++;
	}
	EXPECT_EQ(1, seen[_IOC_NR(BR_FAILED_REPLY)]);
	EXPECT_EQ(1, seen[_IOC_NR(BR_DEAD_REPLY)]);
	EXPECT_TRUE(quiet(&c, 100));
	ASSERT_EQ(0, serve_again(&s, held));
	ASSERT_EQ(0, ping(&c, &s, "ok", 2));
	bl_close(&c);
	bl_close(&s);
}

/* ---- process death ---- */

/* A server process: manager, looper; on CODE_HOLD it tells @fd and stops. */
static pid_t fork_server(const char *dev, int *ready_fd)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct bl s;
		struct bl_ret r;
		char x = 'r';

		close(p[0]);
		if (open_server(&s, dev, MAP_SIZE))
			_exit(1);
		if (write(p[1], &x, 1) != 1)
			_exit(1);
		for (;;) {
			if (bl_next(&s, &r, -1) < 0)
				_exit(1);
			if (r.cmd == BR_TRANSACTION && r.tr.code == CODE_HOLD) {
				x = 'h';
				if (write(p[1], &x, 1) != 1)
					_exit(1);
			}
			/* Keep every buffer, answer nothing. */
		}
	}
	close(p[1]);
	*ready_fd = p[0];
	return pid;
}

static bool wait_byte(int fd, char want)
{
	char x = 0;

	return read(fd, &x, 1) == 1 && x == want;
}

TEST_F(binder, death_notification)
{
	struct bl_cmds cmds = {};
	struct bl_ret r;
	struct bl c;
	int ready, status;
	pid_t pid;

	pid = fork_server(self->dev, &ready);
	ASSERT_LT(0, pid);
	ASSERT_TRUE(wait_byte(ready, 'r'));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	/* A weak ref on handle 0 is enough to ask for a death notice. */
	bl_cmd_u32(&cmds, BC_INCREFS, 0);
	bl_cmd_handle_cookie(&cmds, BC_REQUEST_DEATH_NOTIFICATION, 0, 0xdead);
	bl_cmd(&cmds, BC_ENTER_LOOPER);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	EXPECT_TRUE(quiet(&c, 100));

	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, expect(&c, BR_DEAD_BINDER, &r));
	EXPECT_EQ(0xdead, r.cookie);
	bl_cmd_ptr(&cmds, BC_DEAD_BINDER_DONE, 0xdead);
	bl_cmd_handle_cookie(&cmds, BC_CLEAR_DEATH_NOTIFICATION, 0, 0xdead);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	ASSERT_EQ(0, expect(&c, BR_CLEAR_DEATH_NOTIFICATION_DONE, &r));
	EXPECT_EQ(0xdead, r.cookie);
	bl_cmd_u32(&cmds, BC_DECREFS, 0);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	EXPECT_TRUE(quiet(&c, 100));
	close(ready);
	bl_close(&c);
}

TEST_F(binder, dead_reply)
{
	struct bl_cmds cmds = {};
	struct bl_ret r;
	struct bl c;
	int ready, status;
	pid_t pid;

	pid = fork_server(self->dev, &ready);
	ASSERT_LT(0, pid);
	ASSERT_TRUE(wait_byte(ready, 'r'));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	bl_cmd_transaction(&cmds, false, 0, CODE_HOLD, 0, NULL, 0, NULL, 0);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	ASSERT_TRUE(wait_byte(ready, 'h'));
	/* The server took the call and dies before it answers. */
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(1, bl_wait_for(&c, BR_DEAD_REPLY, &r, TMO, NULL));
	EXPECT_EQ(BR_DEAD_REPLY, r.cmd) TH_LOG("%s", bl_cmd_name(r.cmd));
	/* No manager now (or one still dying): a call is a dead reply too. */
	EXPECT_EQ(BR_DEAD_REPLY, bl_call(&c, 0, CODE_ECHO, NULL, 0, NULL, 0, &r));
	close(ready);
	bl_close(&c);
}

TEST_F(binder, exit_with_everything_outstanding)
{
	struct flat_binder_object o = obj(BINDER_TYPE_BINDER, OBJ_PTR, OBJ_COOKIE);
	binder_size_t off = 0;
	struct bl_cmds cmds = {};
	unsigned int seen[32] = {};
	struct bl_ret r;
	struct bl c;
	int ready, status, i;
	pid_t pid;

	pid = fork_server(self->dev, &ready);
	ASSERT_LT(0, pid);
	ASSERT_TRUE(wait_byte(ready, 'r'));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	bl_cmd(&cmds, BC_ENTER_LOOPER);
	bl_cmd_u32(&cmds, BC_ACQUIRE, 0);
	bl_cmd_handle_cookie(&cmds, BC_REQUEST_DEATH_NOTIFICATION, 0, 0xd1e);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	/* One-way calls the server never frees, one carrying our object... */
	for (i = 0; i < 5; i++) {
		bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, TF_ONE_WAY, &o,
				   sizeof(o), &off, i == 0);
		ASSERT_EQ(0, bl_write(&c, &cmds));
	}
	/* ...and a sync call it sits on. */
	bl_cmd_transaction(&cmds, false, 0, CODE_HOLD, 0, NULL, 0, NULL, 0);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	ASSERT_TRUE(wait_byte(ready, 'h'));
	/* The server holds our object: we are asked to keep it alive. */
	while (!seen[_IOC_NR(BR_INCREFS)] || !seen[_IOC_NR(BR_ACQUIRE)]) {
		ASSERT_LT(0, bl_next(&c, &r, TMO));
		seen[_IOC_NR(r.cmd) & 31]++;
		ASSERT_LE(0, ack_refcount(&c, &r));
	}
	memset(seen, 0, sizeof(seen));
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	/* The call fails, the death is told, our object is let go. */
	for (i = 0; i < 40 && !(seen[_IOC_NR(BR_DEAD_REPLY)] &&
				seen[_IOC_NR(BR_DEAD_BINDER)] &&
				seen[_IOC_NR(BR_DECREFS)]); i++) {
		if (bl_next(&c, &r, TMO) <= 0)
			break;
		seen[_IOC_NR(r.cmd) & 31]++;
		ASSERT_LE(0, ack_refcount(&c, &r));
	}
	EXPECT_EQ(1, seen[_IOC_NR(BR_DEAD_REPLY)]);
	EXPECT_EQ(1, seen[_IOC_NR(BR_DEAD_BINDER)]);
	EXPECT_EQ(1, seen[_IOC_NR(BR_RELEASE)]);
	EXPECT_EQ(1, seen[_IOC_NR(BR_DECREFS)]);
	close(ready);
	/* We go with our own death notice and refs still set: no leak, no splat. */
	bl_close(&c);
}

/* ---- bad input ---- */

TEST_F(binder, bad_ioctls)
{
	static const unsigned long unknown[] = {
		0, _IO('b', 99), _IOW('b', 50, int), _IO('x', 1), 0xffffffff,
	};
	struct binder_write_read bwr = {};
	__u32 cmd = BC_ENTER_LOOPER;
	struct bl c;

	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	for (size_t i = 0; i < ARRAY_SIZE(unknown); i++) {
		TH_LOG("cmd %#lx", unknown[i]);
		EXPECT_EQ(-1, ioctl(c.fd, unknown[i], 0));
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_EQ(-EFAULT, bl_ioctl(c.fd, NULL));
	EXPECT_EQ(-EFAULT, bl_ioctl(c.fd, (void *)1));
	bwr.write_size = 4;
	bwr.write_buffer = 16;
	EXPECT_EQ(-EFAULT, bl_ioctl(c.fd, &bwr));
	EXPECT_EQ(0, bwr.write_consumed);
	bwr = (struct binder_write_read){
		.write_size = 4, .write_buffer = (uintptr_t)&cmd,
		.read_size = 64, .read_buffer = 16,
	};
	EXPECT_EQ(-EFAULT, bl_ioctl(c.fd, &bwr));
	EXPECT_EQ(4, bwr.write_consumed);
	EXPECT_EQ(BINDER_CURRENT_PROTOCOL_VERSION, bl_version(c.fd));
	bl_close(&c);
}

TEST_F(binder, bad_commands)
{
	static const __u32 unknown[] = {
		0, 0xffffffff, _IO('c', 99), BC_ATTEMPT_ACQUIRE, BC_ACQUIRE_RESULT,
	};
	struct binder_write_read bwr;
	struct bl s, c;
	__u8 *page;

	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	for (size_t i = 0; i < ARRAY_SIZE(unknown); i++) {
		__u32 buf[16] = { unknown[i] };

		TH_LOG("command %#x", unknown[i]);
		bwr = (struct binder_write_read){
			.write_size = sizeof(buf), .write_buffer = (uintptr_t)buf,
		};
		EXPECT_EQ(-EINVAL, bl_ioctl(c.fd, &bwr));
		EXPECT_EQ(0, bwr.write_consumed);
	}
	/* BC_INCREFS cut short: its handle runs into an unmapped page. */
	page = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	ASSERT_EQ(0, munmap(page + 4096, 4096));
	*(__u32 *)(page + 4096 - 6) = BC_INCREFS;
	bwr = (struct binder_write_read){
		.write_size = 6, .write_buffer = (uintptr_t)(page + 4096 - 6),
	};
	EXPECT_EQ(-variant->truncated_errno, bl_ioctl(c.fd, &bwr));
	EXPECT_EQ(0, bwr.write_consumed);
	munmap(page, 4096);
	/* A refcount command on a handle nobody has. */
	{
		struct bl_cmds cmds = {};

		bl_cmd_u32(&cmds, BC_ACQUIRE, 1234);
		EXPECT_EQ(-variant->bad_ref_errno, bl_write(&c, &cmds));
		bl_cmd_handle_cookie(&cmds, BC_REQUEST_DEATH_NOTIFICATION, 1234, 1);
		EXPECT_EQ(-variant->bad_ref_errno, bl_write(&c, &cmds));
	}
	/* Nothing broke. */
	ASSERT_EQ(0, ping(&c, &s, "ok", 2));
	EXPECT_TRUE(quiet(&s, 100));
	bl_close(&c);
	bl_close(&s);
}

/* A transaction that must fail with @want, leaving everything as it was. */
static int bad_call(struct bl *c, struct bl *s, __u32 handle,
		    const void *data, size_t size, const binder_size_t *offs,
		    size_t offs_size, __u32 want)
{
	struct bl_cmds cmds = {};
	struct binder_transaction_data tr = {
		.target.handle = handle,
		.data_size = size,
		.offsets_size = offs_size,
		.data.ptr.buffer = (uintptr_t)data,
		.data.ptr.offsets = (uintptr_t)offs,
	};
	struct bl_ret r;
	int ret;

	bl_cmd(&cmds, BC_TRANSACTION);
	bl_put(&cmds, &tr, sizeof(tr));
	ret = bl_write(c, &cmds);
	if (ret)
		return ret;
	ret = bl_next(c, &r, TMO);
	if (ret <= 0)
		return ret ? ret : -ETIMEDOUT;
	if (r.cmd != want) {
		fprintf(stderr, "#  got %s, want %s\n", bl_cmd_name(r.cmd),
			bl_cmd_name(want));
		return -EPROTO;
	}
	/* The server saw nothing of it. */
	return quiet(s, 50) ? 0 : -EPROTO;
}

TEST_F(binder, bad_transactions)
{
	struct flat_binder_object two[2] = {
		obj(BINDER_TYPE_BINDER, OBJ_PTR, 1),
		obj(BINDER_TYPE_BINDER, OBJ_PTR + 64, 2),
	};
	struct binder_fd_object fdo = { .hdr.type = BINDER_TYPE_FD, .fd = 0 };
	struct flat_binder_object h = obj(BINDER_TYPE_HANDLE, 77, 0);
	struct flat_binder_object unknown = obj(0x7a7a7a7a, OBJ_PTR, 0);
	binder_size_t offs[2] = { 0, 8 };
	static __u8 big[64];
	struct bl s, c;

	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	TH_LOG("a handle that does not exist");
	EXPECT_EQ(0, bad_call(&c, &s, 77, big, 8, NULL, 0, BR_FAILED_REPLY));
	TH_LOG("bad data pointer");
	EXPECT_EQ(0, bad_call(&c, &s, 0, (void *)8, 8, NULL, 0, BR_FAILED_REPLY));
	TH_LOG("bad offsets pointer");
	EXPECT_EQ(0, bad_call(&c, &s, 0, two, sizeof(two), (void *)8, 8,
			      BR_FAILED_REPLY));
	TH_LOG("offsets size not a multiple of 8");
	EXPECT_EQ(0, bad_call(&c, &s, 0, two, sizeof(two), offs, 4,
			      BR_FAILED_REPLY));
	TH_LOG("object beyond the data");
	offs[0] = sizeof(two) - 8;
	EXPECT_EQ(0, bad_call(&c, &s, 0, two, sizeof(two), offs, 8,
			      BR_FAILED_REPLY));
	TH_LOG("object not aligned");
	offs[0] = 2;
	EXPECT_EQ(0, bad_call(&c, &s, 0, two, sizeof(two), offs, 8,
			      BR_FAILED_REPLY));
	TH_LOG("objects overlapping");
	offs[0] = 0;
	offs[1] = 8;
	EXPECT_EQ(0, bad_call(&c, &s, 0, two, sizeof(two), offs, 16,
			      BR_FAILED_REPLY));
	TH_LOG("a handle object the sender does not hold");
	offs[0] = 0;
	EXPECT_EQ(0, bad_call(&c, &s, 0, &h, sizeof(h), offs, 8,
			      BR_FAILED_REPLY));
	TH_LOG("a file descriptor to a node that does not accept them");
	EXPECT_EQ(0, bad_call(&c, &s, 0, &fdo, sizeof(fdo), offs, 8,
			      BR_FAILED_REPLY));
	TH_LOG("an object of an unknown type");
	EXPECT_EQ(0, bad_call(&c, &s, 0, &unknown, sizeof(unknown), offs, 8,
			      BR_FAILED_REPLY));
	TH_LOG("offsets_size huge, and huge and not a multiple of 8");
	EXPECT_EQ(0, bad_call(&c, &s, 0, two, sizeof(two), offs, 1ULL << 40,
			      BR_FAILED_REPLY));
	EXPECT_EQ(0, bad_call(&c, &s, 0, two, sizeof(two), offs, ~7ULL + 4,
			      BR_FAILED_REPLY));
	TH_LOG("more data than the receiver's whole mapping");
	EXPECT_EQ(0, bad_call(&c, &s, 0, big, MAP_SIZE + 4096, NULL, 0,
			      BR_FAILED_REPLY));
	/* The first object was translated before the overlap was seen: undone. */
	EXPECT_TRUE(quiet(&c, 100));
	ASSERT_EQ(0, ping(&c, &s, "ok", 2));
	bl_close(&c);
	bl_close(&s);
}

TEST_F(binder, fd_passing)
{
	struct binder_fd_object fdo = { .hdr.type = BINDER_TYPE_FD };
	const struct binder_fd_object *in;
	struct bl_cmds cmds = {};
	binder_size_t off = 0;
	char got[8] = "";
	struct bl s, c;
	int p[2];
	struct bl_ret r;

	/* A manager whose node takes file descriptors. */
	ASSERT_EQ(0, open_server_flags(&s, self->dev, MAP_SIZE,
				       FLAT_BINDER_FLAG_ACCEPTS_FDS));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	ASSERT_EQ(0, pipe(p));
	fdo.fd = p[0];
	bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, 0, &fdo, sizeof(fdo),
			   &off, 1);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	ASSERT_EQ(0, expect(&s, BR_TRANSACTION, &r));
	in = bl_data(&r);
	ASSERT_EQ(BINDER_TYPE_FD, in->hdr.type);
	/* A new descriptor of the receiver for the same pipe. */
	ASSERT_LE(0, (int)in->fd);
	EXPECT_NE(p[0], (int)in->fd);
	ASSERT_EQ(2, write(p[1], "hi", 2));
	EXPECT_EQ(2, bl_sys(&s, SYS_read, in->fd, (long)got, 2, 0, 0, 0));
	EXPECT_STREQ("hi", got);
	EXPECT_EQ(0, bl_sys(&s, SYS_close, in->fd, 0, 0, 0, 0, 0));
	/* A reply may carry one only if the call said TF_ACCEPT_FDS. */
	bl_cmd_ptr(&cmds, BC_FREE_BUFFER, r.tr.data.ptr.buffer);
	bl_cmd_transaction(&cmds, true, 0, 0, 0, &fdo, sizeof(fdo), &off, 1);
	ASSERT_EQ(0, bl_write(&s, &cmds));
	ASSERT_EQ(1, bl_wait_for(&c, BR_FAILED_REPLY, &r, TMO, NULL));
	EXPECT_EQ(BR_FAILED_REPLY, r.cmd) TH_LOG("%s", bl_cmd_name(r.cmd));
	ASSERT_EQ(0, expect(&s, BR_TRANSACTION_COMPLETE, &r));	/* replier's part */
	/* A descriptor that is not open. */
	fdo.fd = 999;
	EXPECT_EQ(0, bad_call(&c, &s, 0, &fdo, sizeof(fdo), &off, 8,
			      BR_FAILED_REPLY));
	close(p[0]);
	close(p[1]);
	bl_close(&c);
	bl_close(&s);
}

/*
 * The receiver has no descriptor left for a file in a call: the call
 * fails as a whole (the sender hears it, the receiver sees nothing), and
 * works again once the receiver has room.
 */
TEST_F(binder, receiver_out_of_fds)
{
	struct binder_fd_object fdo = { .hdr.type = BINDER_TYPE_FD };
	struct rlimit lim = { .rlim_cur = 32, .rlim_max = 32 };
	const struct binder_fd_object *in;
	struct bl_cmds cmds = {};
	binder_size_t off = 0;
	int p[2], fill[32], n = 0;
	struct bl s, c;
	struct bl_ret r;

	ASSERT_EQ(0, open_server_flags(&s, self->dev, MAP_SIZE,
				       FLAT_BINDER_FLAG_ACCEPTS_FDS));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	ASSERT_EQ(0, pipe(p));
	fdo.fd = p[0];
	/* The server shares our descriptor table: fill it below its limit. */
	ASSERT_EQ(0, prlimit(s.rem->pid, RLIMIT_NOFILE, &lim, NULL));
	while (n < 32) {
		fill[n] = dup(0);
		ASSERT_LE(0, fill[n]);
		if (fill[n++] >= 31)
			break;
	}
	bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, 0, &fdo, sizeof(fdo),
			   &off, 1);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	EXPECT_TRUE(quiet(&s, 200));
	ASSERT_EQ(1, bl_wait_for(&c, BR_FAILED_REPLY, &r, TMO, NULL));
	EXPECT_EQ(BR_FAILED_REPLY, r.cmd) TH_LOG("%s", bl_cmd_name(r.cmd));
	/* Room again: the same call goes through. */
	while (n)
		close(fill[--n]);
	bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, 0, &fdo, sizeof(fdo),
			   &off, 1);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	ASSERT_EQ(0, expect(&s, BR_TRANSACTION, &r));
	in = bl_data(&r);
	ASSERT_EQ(BINDER_TYPE_FD, in->hdr.type);
	EXPECT_EQ(0, bl_sys(&s, SYS_close, in->fd, 0, 0, 0, 0, 0));
	bl_cmd_ptr(&cmds, BC_FREE_BUFFER, r.tr.data.ptr.buffer);
	bl_cmd_transaction(&cmds, true, 0, 0, 0, NULL, 0, NULL, 0);
	ASSERT_EQ(0, bl_write(&s, &cmds));
	ASSERT_EQ(0, expect(&s, BR_TRANSACTION_COMPLETE, &r));
	ASSERT_EQ(0, take_reply(&c, &r));
	EXPECT_EQ(0, bl_free(&c, r.tr.data.ptr.buffer));
	close(p[0]);
	close(p[1]);
	bl_close(&c);
	bl_close(&s);
}

TEST_F(binder, free_buffer_twice)
{
	struct bl_cmds cmds = {};
	struct bl s, c;
	struct bl_ret r;
	binder_uintptr_t buf;

	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, TF_ONE_WAY, "abcd", 4,
			   NULL, 0);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	ASSERT_EQ(0, expect(&s, BR_TRANSACTION, &r));
	buf = r.tr.data.ptr.buffer;
	EXPECT_EQ(0, bl_free(&s, buf));
	EXPECT_EQ(-variant->bad_free_errno, bl_free(&s, buf));
	/* One never given, and one outside the mapping. */
	EXPECT_EQ(-variant->bad_free_errno, bl_free(&s, buf + 4096 * 3));
	EXPECT_EQ(-variant->bad_free_errno, bl_free(&s, 0x10));
	ASSERT_EQ(0, expect(&c, BR_TRANSACTION_COMPLETE, &r));
	ASSERT_EQ(0, ping(&c, &s, "ok", 2));
	bl_close(&c);
	bl_close(&s);
}

/*
 * A call whose data the server checks in place (when it has no objects)
 * and answers empty.
 */
static int call_big(struct bl *c, struct bl *s, const void *data,
		    size_t size, const binder_size_t *offs, size_t noffs)
{
	struct bl_cmds cmds = {};
	struct bl_ret r;
	int ret;

	bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, 0, data, size, offs,
			   noffs);
	ret = bl_write(c, &cmds) ?: expect(s, BR_TRANSACTION, &r);
	if (ret)
		return ret;
	if (r.tr.data_size != size || (!noffs && memcmp(bl_data(&r), data, size)))
		return -EBADMSG;
	bl_cmd_ptr(&cmds, BC_FREE_BUFFER, r.tr.data.ptr.buffer);
	bl_cmd_transaction(&cmds, true, 0, 0, 0, NULL, 0, NULL, 0);
	ret = bl_write(s, &cmds) ?: expect(s, BR_TRANSACTION_COMPLETE, &r);
	if (ret)
		return ret;
	if (next_call(c, &r) != BR_REPLY)
		return -EPROTO;
	return bl_free(c, r.tr.data.ptr.buffer);
}

TEST_F(binder, mmap_rules)
{
	static __u8 data[2 * 1024 * 1024];
	struct bl s, c;
	void *m;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = i ^ (i >> 12);
	ASSERT_EQ(0, bl_open(&c, self->dev, 0));
	/* Writable: refused. */
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, c.fd, 0);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(EPERM, errno);
	/* Larger than 4 MiB: accepted, only 4 MiB of it used. */
	c.map = mmap(NULL, 8 << 20, PROT_READ, MAP_PRIVATE, c.fd, 0);
	ASSERT_NE(MAP_FAILED, c.map);
	c.map_size = 8 << 20;
	/* It cannot become writable, and there is only one per file. */
	EXPECT_EQ(-1, mprotect(c.map, 4096, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, c.fd, 0);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(EBUSY, errno);
	/* The server's 4 MiB take 2 MiB; 4.5 MiB do not fit. */
	ASSERT_EQ(0, open_server(&s, self->dev, 8 << 20));
	ASSERT_EQ(0, call_big(&c, &s, data, sizeof(data), NULL, 0));
	EXPECT_EQ(0, bad_call(&c, &s, 0, data, (4 << 20) + (512 << 10), NULL, 0,
			      BR_FAILED_REPLY));
	bl_close(&c);
	bl_close(&s);
}

static void *mmap_in_thread(void *arg)
{
	struct bl *c = arg;

	c->map = mmap(NULL, MAP_SIZE, PROT_READ, MAP_PRIVATE, c->fd, 0);
	return NULL;
}

/* Only the opener's thread group may map the file (and read its calls). */
TEST_F(binder, mmap_only_by_the_opener)
{
	struct bl s, c;
	pthread_t th;
	int status;
	pid_t pid;

	ASSERT_EQ(0, bl_open(&c, self->dev, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		void *m = mmap(NULL, MAP_SIZE, PROT_READ, MAP_PRIVATE, c.fd, 0);

		_exit(m == MAP_FAILED ? errno : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(EINVAL, WEXITSTATUS(status));
	/* Another thread of the opener may. */
	ASSERT_EQ(0, pthread_create(&th, NULL, mmap_in_thread, &c));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_NE(MAP_FAILED, c.map);
	c.map_size = MAP_SIZE;
	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, ping(&c, &s, "ok", 2));
	bl_close(&c);
	bl_close(&s);
}

TEST_F(binder, buffer_exhaustion)
{
	static __u8 data[16 * 1024];
	binder_uintptr_t kept[16];
	struct bl_cmds cmds = {};
	struct bl s, c;
	struct bl_ret r;
	int n = 0, ret;

	ASSERT_EQ(0, open_server(&s, self->dev, 64 * 1024));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	/* The server keeps every buffer until its 64 KiB are full. */
	for (;;) {
		bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, 0, data,
				   sizeof(data), NULL, 0);
		ASSERT_EQ(0, bl_write(&c, &cmds));
		ret = bl_next(&s, &r, 200);
		if (ret == 0)
			break;
		ASSERT_EQ(BR_TRANSACTION, r.cmd);
		kept[n++] = r.tr.data.ptr.buffer;
		ASSERT_GT(16, n);
		bl_cmd_transaction(&cmds, true, 0, 0, 0, NULL, 0, NULL, 0);
		ASSERT_EQ(0, bl_write(&s, &cmds));
		ASSERT_EQ(0, expect(&s, BR_TRANSACTION_COMPLETE, &r));
		ASSERT_EQ(0, take_reply(&c, &r));
		ASSERT_EQ(0, bl_free(&c, r.tr.data.ptr.buffer));
	}
	TH_LOG("%d buffers of 16 KiB fit in 64 KiB", n);
	EXPECT_LE(2, n);
	EXPECT_GE(4, n);
	ASSERT_EQ(0, expect(&c, BR_FAILED_REPLY, &r));
	/* One buffer back, and calls go through again. */
	ASSERT_EQ(0, bl_free(&s, kept[--n]));
	ASSERT_EQ(0, ping(&c, &s, data, sizeof(data)));
	while (n)
		ASSERT_EQ(0, bl_free(&s, kept[--n]));
	ASSERT_EQ(0, ping(&c, &s, data, sizeof(data)));
	bl_close(&c);
	bl_close(&s);
}

TEST_F(binder, oneway_space_is_half_the_mapping)
{
	static __u8 data[20 * 1024];
	struct bl_cmds cmds = {};
	binder_uintptr_t held;
	struct bl s, c;
	struct bl_ret r;

	ASSERT_EQ(0, open_server(&s, self->dev, 64 * 1024));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, TF_ONE_WAY, data,
			   sizeof(data), NULL, 0);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	ASSERT_EQ(0, expect(&c, BR_TRANSACTION_COMPLETE, &r));
	ASSERT_EQ(0, expect(&s, BR_TRANSACTION, &r));
	held = r.tr.data.ptr.buffer;
	/* 20 + 20 KiB of one-way calls do not fit in half of 64 KiB... */
	bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, TF_ONE_WAY, data,
			   sizeof(data), NULL, 0);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	ASSERT_EQ(0, expect(&c, BR_FAILED_REPLY, &r));
	EXPECT_TRUE(quiet(&s, 50));
	/* ...a sync call of the same size does, */
	ASSERT_EQ(0, call_big(&c, &s, data, sizeof(data), NULL, 0));
	/* and once the first is freed, one-way calls fit again. */
	ASSERT_EQ(0, bl_free(&s, held));
	ASSERT_EQ(0, oneway_goes_through(&c, &s, data, sizeof(data)));
	bl_close(&c);
	bl_close(&s);
}

static sigjmp_buf probe_env;

static void on_sigbus(int sig)
{
	siglongjmp(probe_env, 1);
}

/* Can this process read the byte at @p, or does it get SIGBUS? */
static bool readable(const __u8 *p)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	bool ok = false;

	sigaction(SIGBUS, &sa, &old);
	if (!sigsetjmp(probe_env, 1)) {
		(void)__atomic_load_n(p, __ATOMIC_RELAXED);	/* a real load */
		ok = true;
	}
	sigaction(SIGBUS, &old, NULL);
	return ok;
}

TEST_F(binder, pages_come_and_go)
{
	struct bl_cmds cmds = {};
	binder_uintptr_t buf;
	struct bl s, c;
	struct bl_ret r;

	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	/* Nothing is mapped before a buffer needs it. */
	EXPECT_FALSE(readable(s.map));
	EXPECT_FALSE(readable((__u8 *)s.map + MAP_SIZE - 1));
	bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, TF_ONE_WAY, "page", 4,
			   NULL, 0);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	ASSERT_EQ(0, expect(&s, BR_TRANSACTION, &r));
	buf = r.tr.data.ptr.buffer;
	EXPECT_TRUE(readable((__u8 *)buf));
	EXPECT_EQ(0, memcmp((void *)buf, "page", 4));
	EXPECT_FALSE(readable((__u8 *)s.map + MAP_SIZE - 1));
	ASSERT_EQ(0, bl_free(&s, buf));
	/* Freed with its buffer, or kept mapped for the next one. */
	EXPECT_EQ(variant->freed_page_mapped, readable((__u8 *)buf));
	bl_close(&c);
	bl_close(&s);
}

TEST_F(binder, poll)
{
	struct bl_cmds cmds = {};
	struct bl s, c;
	struct bl_ret r;

	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	EXPECT_EQ(0, bl_poll(&s, 50));
	bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, TF_ONE_WAY, "p", 1,
			   NULL, 0);
	ASSERT_EQ(0, bl_write(&c, &cmds));
	EXPECT_EQ(1, bl_poll(&s, TMO));
	ASSERT_EQ(0, expect(&s, BR_TRANSACTION, &r));
	EXPECT_EQ(0, bl_free(&s, r.tr.data.ptr.buffer));
	EXPECT_EQ(0, bl_poll(&s, 50));
	bl_close(&c);
	bl_close(&s);
}

TEST_F(binder, spawn_looper)
{
	struct bl_cmds cmds = {};
	__u32 max = 1;
	struct bl s, c;
	struct bl_ret r;

	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_ioctl_of(&s, BINDER_SET_MAX_THREADS, &max));
	/*
	 * No looper is left waiting after the first read, so the driver asks
	 * for one: once, and not again on the second until a thread registers.
	 */
	for (int i = 0; i < 2; i++) {
		bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, TF_ONE_WAY, "s",
				   1, NULL, 0);
		ASSERT_EQ(0, bl_write(&c, &cmds));
		ASSERT_EQ(0, expect(&s, BR_TRANSACTION, &r));
		EXPECT_EQ(1, s.spawn_looper) TH_LOG("after call %d", i + 1);
		ASSERT_EQ(0, bl_free(&s, r.tr.data.ptr.buffer));
	}
	bl_close(&c);
	bl_close(&s);
}

/* ---- lifetimes: files, modules, memory ---- */

TEST_F_TIMEOUT(binder, open_mmap_close_cycles, 200)
{
	long before = 0, after;
	struct bl s, c;

	for (int i = 0; i < 110; i++) {
		if (i == 10)
			before = rfl_memfree_kib();
		ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
		ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
		ASSERT_EQ(0, ping(&c, &s, "cycle", 5));
		bl_close(&c);
		bl_close(&s);
	}
	usleep(200000);	/* the C binder frees in a workqueue */
	after = rfl_memfree_kib();
	TH_LOG("MemFree %ld -> %ld KiB", before, after);
	EXPECT_LT(before - after, 4096);
}

TEST_F(binder, unload_while_open)
{
	struct bl s, c;

	if (variant->impl == BINDER_C)
		SKIP(return, "binder_linux has no module_exit: it stays loaded");
	if (variant->impl == BINDER_RUST)
		SKIP(return, "the Rust binder is built in");
	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	EXPECT_EQ(-EWOULDBLOCK, rfl_unload("cbinder"));
	ASSERT_EQ(0, ping(&c, &s, "x", 1));
	bl_close(&c);
	EXPECT_EQ(-EWOULDBLOCK, rfl_unload("cbinder"));
	bl_close(&s);
	EXPECT_EQ(0, rfl_unload("cbinder"));
}

TEST_F_TIMEOUT(binder, load_unload_cycles, 300)
{
	long before = 0, after;
	struct bl s, c;

	if (variant->impl == BINDER_C)
		SKIP(return, "binder_linux has no module_exit: it stays loaded");
	if (variant->impl == BINDER_RUST)
		SKIP(return, "the Rust binder is built in");
	ASSERT_EQ(0, rfl_unload("cbinder"));
	for (int i = 0; i < 60; i++) {
		if (i == 10)
			before = rfl_memfree_kib();
		ASSERT_EQ(0, rfl_load(MODDIR, "cbinder", ""));
		ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
		ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
		ASSERT_EQ(0, ping(&c, &s, "cycle", 5));
		bl_close(&c);
		bl_close(&s);
		ASSERT_EQ(0, rfl_unload("cbinder"));
	}
	after = rfl_memfree_kib();
	TH_LOG("MemFree %ld -> %ld KiB", before, after);
	EXPECT_LT(before - after, 2048);
}

/* @n objects of distinct nodes of the sender, laid out one after another. */
static void distinct_objects(struct flat_binder_object *o, binder_size_t *offs,
			     size_t n)
{
	for (size_t i = 0; i < n; i++) {
		o[i] = obj(BINDER_TYPE_WEAK_BINDER, OBJ_PTR + 64 * i, 0);
		offs[i] = i * sizeof(*o);
	}
}

#define MANY 32768	/* objects: 1 MiB of data and offsets */

struct prober {
	int fd;
	bool stop;		/* __atomic: set by the test thread */
	double worst;		/* seconds, the slowest BINDER_VERSION */
	int err;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Another process's view of the device: how long a trivial ioctl takes. */
static void *probe(void *arg)
{
	struct prober *p = arg;

	while (!__atomic_load_n(&p->stop, __ATOMIC_RELAXED)) {
		double t = now_s();

		if (bl_version(p->fd) != BINDER_CURRENT_PROTOCOL_VERSION)
			p->err = 1;
		t = now_s() - t;
		if (t > p->worst)
			p->worst = t;
		usleep(20000);
	}
	return NULL;
}

/*
 * A call with MANY objects, each a new node of the sender: lookups stay
 * logarithmic, so the call is answered in bounded time, and another
 * process gets its ioctls through meanwhile.
 */
TEST_F_TIMEOUT(binder, many_objects_stay_bounded, 300)
{
	static struct flat_binder_object o[MANY];
	static binder_size_t offs[MANY];
	struct bl_cmds cmds = {};
	struct prober p = {};
	struct bl s, c, other;
	struct bl_ret r;
	pthread_t th;
	int status;
	double t0;
	pid_t pid;

	distinct_objects(o, offs, MANY);
	ASSERT_EQ(0, open_server(&s, self->dev, 2 << 20));
	ASSERT_EQ(0, bl_open(&other, self->dev, 0));
	p.fd = other.fd;
	ASSERT_EQ(0, pthread_create(&th, NULL, probe, &p));
	t0 = now_s();
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (bl_open(&c, self->dev, MAP_SIZE))
			_exit(1);
		bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, 0, o, sizeof(o),
				   offs, MANY);
		if (bl_write(&c, &cmds))
			_exit(2);
		/* Refcount requests come first; do not ack, just wait. */
		if (bl_wait_for(&c, BR_REPLY, &r, 120000, NULL) != 1 ||
		    r.cmd != BR_REPLY)
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(1, bl_next(&s, &r, 120000));
	ASSERT_EQ(BR_TRANSACTION, r.cmd);
	EXPECT_EQ(sizeof(offs), r.tr.offsets_size);
	TH_LOG("call delivered after %.1f s", now_s() - t0);
	bl_cmd_ptr(&cmds, BC_FREE_BUFFER, r.tr.data.ptr.buffer);
	bl_cmd_transaction(&cmds, true, 0, 0, 0, NULL, 0, NULL, 0);
	ASSERT_EQ(0, bl_write(&s, &cmds));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	TH_LOG("answered after %.1f s; slowest ioctl of another process %.2f s",
	       now_s() - t0, p.worst);
	__atomic_store_n(&p.stop, true, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(0, p.err);
	/* Generous for TCG; a list walk per object takes minutes here. */
	EXPECT_GT(60, now_s() - t0);
	EXPECT_GT(10, p.worst);
	ASSERT_EQ(1, bl_wait_for(&s, BR_TRANSACTION_COMPLETE, &r, TMO, NULL));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	ASSERT_EQ(0, ping(&c, &s, "ok", 2));
	bl_close(&c);
	bl_close(&other);
	bl_close(&s);
}

/*
 * Slow user memory: pages of a null_blk device whose reads complete after
 * SLOW_S seconds, mapped shared, so a first touch (the driver's user copy)
 * waits that long, as a page of userfaultfd or FUSE would (this kernel has
 * neither). Offsets 16 MiB apart, beyond each other's readahead.
 */
#define SLOW_S 2
#define SLOW_SPAN (16 << 20)

/* Map 2 pages: an ordinary one, then at *@slow a slow one; NULL on error. */
static __u8 *map_slow(int fd, off_t off, __u8 **slow)
{
	long pg = sysconf(_SC_PAGESIZE);
	__u8 *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	p[0] = 1;	/* faulted in now, not in the driver */
	*slow = mmap(p + pg, pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		     fd, off);
	return *slow == MAP_FAILED ? NULL : p;
}

/*
 * Child: a call whose data sits in a slow page (@read false), or whose
 * reply is read into a buffer that runs from an ordinary page into a slow
 * one (@read true). Exit 0 when it got its reply, after >= SLOW_S - 0.5 s
 * (so the copy really was slow and overlapped the parent's round trip).
 * A byte on @go says it is about to start.
 */
static void slow_child(const char *dev, int fd, off_t off, bool read,
		       int go)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct binder_write_read bwr = {};
	struct bl_cmds cmds = {};
	__u8 *p, *slow, *q;
	struct bl_ret r;
	struct bl c;
	__u32 cmd;
	double t0;

	p = map_slow(fd, off, &slow);
	if (!p || bl_open(&c, dev, MAP_SIZE) || write(go, "g", 1) != 1)
		_exit(10);
	t0 = now_s();
	if (!read) {
		if (bl_call(&c, 0, CODE_ECHO, slow, 4, NULL, 0, &r) != BR_REPLY)
			_exit(11);
		_exit(now_s() - t0 < SLOW_S - 0.5 ? 12 : 0);
	}
	bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, 0, "ping", 4, NULL, 0);
	if (bl_write(&c, &cmds))
		_exit(13);
	usleep(100000);		/* the reply is there before we read */
	/* BR_NOOP and BR_TRANSACTION_COMPLETE fit before the slow page. */
	bwr.read_buffer = (binder_uintptr_t)(slow - 8);
	bwr.read_size = 256;
	if (bl_ioctl(c.fd, &bwr))
		_exit(14);
	for (q = slow - 8; q < slow - 8 + bwr.read_consumed;
	     q += 4 + _IOC_SIZE(cmd)) {
		memcpy(&cmd, q, 4);
		if (cmd == BR_REPLY)
			break;
	}
	if (cmd != BR_REPLY)
		_exit(15);
	memcpy(&r.tr, q + 4, sizeof(r.tr));
	if (r.tr.data_size != 8 || memcmp(bl_data(&r), "ping", 4))
		_exit(16);
	bl_free(&c, r.tr.data.ptr.buffer);
	munmap(p, 2 * pg);
	_exit(now_s() - t0 < SLOW_S - 0.5 ? 17 : 0);
}

/*
 * A process whose user memory is slow to fault in, as the source of a
 * call's data or as the buffer a reply is read into, holds up no other
 * process on the device: a round trip from another client meanwhile takes
 * well under the fault's SLOW_S seconds, and the slow one completes too.
 */
TEST_F_TIMEOUT(binder, slow_user_memory_stalls_nobody, 120)
{
	struct server *sv;
	struct bl_ret r;
	struct bl other;
	char load[128];
	int fd, status, go[2];
	double t;
	pid_t pid;

	snprintf(load, sizeof(load),
		 "modprobe null_blk nr_devices=1 irqmode=2 completion_nsec=%d000000000",
		 SLOW_S);
	if (rfl_loaded("null_blk"))
		ASSERT_EQ(0, rfl_unload("null_blk"));
	ASSERT_EQ(0, system(load));
	fd = open("/dev/nullb0", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, server_start(&sv, self->dev, 2));
	ASSERT_EQ(0, bl_open(&other, self->dev, MAP_SIZE));
	ASSERT_EQ(0, pipe(go));
	for (int read = 0; read < 2; read++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			slow_child(self->dev, fd, read * SLOW_SPAN, read, go[1]);
		ASSERT_TRUE(wait_byte(go[0], 'g'));
		usleep(300000);		/* the child is in its slow copy */
		t = now_s();
		ASSERT_EQ(BR_REPLY, bl_call(&other, 0, CODE_ECHO, "x", 1, NULL, 0, &r));
		t = now_s() - t;
		ASSERT_EQ(0, bl_free(&other, r.tr.data.ptr.buffer));
		/* Still in it: the round trip really ran alongside. */
		EXPECT_EQ(0, waitpid(pid, &status, WNOHANG));
		TH_LOG("%s: another client's round trip took %.2f s",
		       read ? "reply read into a slow page" :
			      "call data in a slow page", t);
		EXPECT_GT(1.0, t);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("slow child: status %#x", status);
	}
	EXPECT_EQ(0, server_stop(sv, &other));
	bl_close(&other);
	close(go[0]);
	close(go[1]);
	close(fd);
	EXPECT_EQ(0, rfl_unload("null_blk"));
}

/*
 * The target dies while a call's data is still faulting in: the driver
 * copies into a buffer of a process that is gone meanwhile, and the
 * caller gets BR_DEAD_REPLY (cbinder pins the target's buffers until the
 * copy is done, then sees it died). Nothing leaks (the sanitizer kernel
 * checks).
 */
TEST_F_TIMEOUT(binder, target_dies_during_a_slow_copy, 120)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fd, ready, status;
	struct bl_ret r;
	__u8 *p, *slow;
	pid_t server;
	struct bl c;
	double t;

	if (rfl_loaded("null_blk"))
		ASSERT_EQ(0, rfl_unload("null_blk"));
	ASSERT_EQ(0, system("modprobe null_blk nr_devices=1 irqmode=2 completion_nsec=2000000000"));
	fd = open("/dev/nullb0", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	p = map_slow(fd, 0, &slow);
	ASSERT_NE(NULL, p);
	server = fork_server(self->dev, &ready);
	ASSERT_LT(0, server);
	ASSERT_TRUE(wait_byte(ready, 'r'));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	/* Kill the server 0.5 s into our slow copy, from a helper. */
	if (fork() == 0) {
		usleep(500000);
		kill(server, SIGKILL);
		_exit(0);
	}
	t = now_s();
	EXPECT_EQ(BR_DEAD_REPLY, bl_call(&c, 0, CODE_ECHO, slow, 4, NULL, 0, &r))
		TH_LOG("got %s", bl_cmd_name(r.cmd));
	t = now_s() - t;
	TH_LOG("the call ended after %.2f s", t);
	EXPECT_LT(SLOW_S - 0.5, t);	/* the server died during the copy */
	ASSERT_EQ(server, waitpid(server, &status, 0));
	while (wait(NULL) > 0)
		;
	close(ready);
	bl_close(&c);
	munmap(p, 2 * pg);
	close(fd);
	EXPECT_EQ(0, rfl_unload("null_blk"));
}

static int thread_ioctl_ret;

static void *version_in_thread(void *arg)
{
	thread_ioctl_ret = bl_version(*(int *)arg);
	return NULL;
}

/* In a new thread: BINDER_VERSION on @fd, its result. */
static int version_from_new_thread(int fd)
{
	pthread_t th;

	if (pthread_create(&th, NULL, version_in_thread, &fd) ||
	    pthread_join(th, NULL))
		return -EAGAIN;
	return thread_ioctl_ret;
}

/*
 * Per-process limits (module parameters): past one the command fails
 * with an error the caller sees, and once below it, works again.
 */
TEST_F(binder, limits_reached_and_recovered)
{
	struct flat_binder_object o[8];
	binder_size_t offs[8];
	struct bl_cmds cmds = {};
	binder_uintptr_t held;
	struct bl s, c1, c2;
	struct bl_ret r;
	int unused = 0;

	if (variant->impl != CBINDER)
		SKIP(return, "no per-process limits: binder's only bound is memory");
	ASSERT_EQ(0, rfl_unload("cbinder"));
	ASSERT_EQ(0, rfl_load(MODDIR, "cbinder",
			      "max_refs=8 max_nodes=6 max_proc_threads=2"));
	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c1, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c2, self->dev, MAP_SIZE));
	distinct_objects(o, offs, 8);

	TH_LOG("handles: the server holds 5 of c1's, c2's 5 more do not fit");
	bl_cmd_transaction(&cmds, false, 0, CODE_HOLD, 0, o, 5 * sizeof(*o),
			   offs, 5);
	ASSERT_EQ(0, bl_write(&c1, &cmds));
	ASSERT_EQ(0, expect(&s, BR_TRANSACTION, &r));
	held = r.tr.data.ptr.buffer;
	EXPECT_EQ(0, bad_call(&c2, &s, 0, o, 5 * sizeof(*o), offs,
			      5 * sizeof(*offs), BR_FAILED_REPLY));
	bl_cmd_ptr(&cmds, BC_FREE_BUFFER, held);
	bl_cmd_transaction(&cmds, true, 0, 0, 0, NULL, 0, NULL, 0);
	ASSERT_EQ(0, bl_write(&s, &cmds));
	ASSERT_EQ(0, expect(&s, BR_TRANSACTION_COMPLETE, &r));
	ASSERT_EQ(BR_REPLY, next_call(&c1, &r));
	ASSERT_EQ(0, bl_free(&c1, r.tr.data.ptr.buffer));
	/* Freed: they fit now. */
	ASSERT_EQ(0, call_big(&c2, &s, o, 5 * sizeof(*o), offs, 5));

	TH_LOG("objects: c1 may own 6, not 7");
	EXPECT_EQ(0, bad_call(&c1, &s, 0, o, 7 * sizeof(*o), offs,
			      7 * sizeof(*offs), BR_FAILED_REPLY));
	ASSERT_EQ(0, call_big(&c1, &s, o, 6 * sizeof(*o), offs, 6));

	TH_LOG("threads: 2 per process");
	EXPECT_EQ(BINDER_CURRENT_PROTOCOL_VERSION, bl_version(c1.fd));
	EXPECT_EQ(BINDER_CURRENT_PROTOCOL_VERSION, version_from_new_thread(c1.fd));
	EXPECT_EQ(-EAGAIN, version_from_new_thread(c1.fd));
	ASSERT_EQ(0, ioctl(c1.fd, BINDER_THREAD_EXIT, &unused));
	EXPECT_EQ(BINDER_CURRENT_PROTOCOL_VERSION, version_from_new_thread(c1.fd));
	bl_close(&c1);
	bl_close(&c2);
	bl_close(&s);
}

/*
 * A sender that never reads its BR_TRANSACTION_COMPLETEs, making one-way
 * calls to a receiver that frees each: cbinder (max_completions=8) fails
 * the 9th with BR_FAILED_REPLY; the sender reads its 8 completions and the
 * error, and its next call goes through. Binder queues a completion per
 * call, without bound (xfail).
 */
TEST_F(binder, oneway_completions_bounded)
{
	const int limit = 8;
	struct bl_cmds cmds = {};
	int i, delivered = 0;
	struct bl s, c;
	struct bl_ret r;

	if (variant->impl == CBINDER) {
		ASSERT_EQ(0, rfl_unload("cbinder"));
		ASSERT_EQ(0, rfl_load(MODDIR, "cbinder", "max_completions=8"));
	}
	ASSERT_EQ(0, open_server(&s, self->dev, MAP_SIZE));
	ASSERT_EQ(0, bl_open(&c, self->dev, MAP_SIZE));
	for (i = 0; i <= limit; i++) {
		bl_cmd_transaction(&cmds, false, 0, CODE_ECHO, TF_ONE_WAY, &i,
				   sizeof(i), NULL, 0);
		ASSERT_EQ(0, bl_write(&c, &cmds));
		if (bl_next(&s, &r, i < limit ? TMO : 100) <= 0)
			break;
		ASSERT_EQ(BR_TRANSACTION, r.cmd);
		ASSERT_EQ(0, bl_free(&s, r.tr.data.ptr.buffer));
		delivered++;
	}
	for (i = 0; i < delivered; i++)
		ASSERT_EQ(0, expect(&c, BR_TRANSACTION_COMPLETE, &r));
	if (variant->impl != CBINDER) {
		ASSERT_EQ(limit + 1, delivered);
		bl_close(&c);
		bl_close(&s);
		RFL_XFAIL(return, "drivers/binder/README.md, Known limits",
			  "call %d accepted with %d completions unread: no bound",
			  limit + 1, limit);
	}
	ASSERT_EQ(limit, delivered);
	ASSERT_EQ(0, expect(&c, BR_FAILED_REPLY, &r));
	/* Read: the next one goes through. */
	ASSERT_EQ(0, oneway_goes_through(&c, &s, &i, sizeof(i)));
	bl_close(&c);
	bl_close(&s);
}

TEST_F(binder, devices_parameter)
{
	struct bl a, b;

	if (variant->impl != CBINDER)
		SKIP(return, "only cbinder is a module with a devices parameter here");
	ASSERT_EQ(0, rfl_unload("cbinder"));
	EXPECT_EQ(-EINVAL, rfl_load(MODDIR, "cbinder", "devices=a/b"));
	EXPECT_EQ(-EINVAL, rfl_load(MODDIR, "cbinder", "devices=cb1,,cb2"));
	EXPECT_EQ(-EINVAL, rfl_load(MODDIR, "cbinder", "devices=cb1,cb1"));
	EXPECT_FALSE(rfl_loaded("cbinder"));
	ASSERT_EQ(0, rfl_load(MODDIR, "cbinder", "devices=cb1,cb2"));
	EXPECT_NE(0, access("/dev/cbinder", F_OK));
	/* Each device has its own context manager. */
	ASSERT_EQ(0, open_server(&a, "/dev/cb1", MAP_SIZE));
	ASSERT_EQ(0, open_server(&b, "/dev/cb2", MAP_SIZE));
	bl_close(&a);
	bl_close(&b);
	ASSERT_EQ(0, rfl_unload("cbinder"));
}

int main(int argc, char **argv)
{
	return rfl_harness_main(argc, argv);
}
