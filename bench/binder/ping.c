// SPDX-License-Identifier: GPL-2.0
/*
 * The paper's binder ping benchmark: a server process sets itself context
 * manager, enters the looper and replies to every transaction; a client
 * process does N BC_TRANSACTION round trips to handle 0. Both map 4 KiB of
 * the device, as in the paper. Rounds interleave cbinder, the C binder and
 * (in VARIANT=rustbinder) the Rust binder in one boot, with 1 and 4 client
 * threads (the server then has 4 loopers): 1 client on CPU 0, 4 on every
 * CPU (see place()); within a round in a seeded random order, each run
 * after a warm-up run of a twentieth of its round trips that is not
 * recorded. One RESULT line per run.
 *
 * Quick mode: 2000 round trips a run (a few seconds under TCG with the
 * debug kernel). RFL_FULL=1: the paper's 1M. RFL_BINDER_TRIPS=N by hand.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "binderlib.h"
#include "rfl_bench.h"
#include "rfl_harness.h"
#include "rfl_module.h"

#define MAP 4096
#define CODE_PING 1
#define CODE_QUIT 2

struct impl {
	const char *name;
	const char *dev;
	bool present;
};

static struct impl impls[] = {
	{ "cbinder", "/dev/cbinder" },
	{ "binder_linux", "/dev/binder" },
	{ "rust_binder", "/dev/binderfs/binder" },
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A server looper: free each buffer and reply empty, until CODE_QUIT. */
static void *server_looper(void *arg)
{
	struct bl b = *(struct bl *)arg;
	struct bl_cmds c = {};
	struct bl_ret r;

	b.rlen = 0;
	b.rpos = 0;
	bl_cmd(&c, BC_ENTER_LOOPER);
	if (bl_write(&b, &c))
		return (void *)1;
	while (bl_next(&b, &r, -1) > 0) {
		if (r.cmd == BR_TRANSACTION_COMPLETE)
			continue;
		if (r.cmd != BR_TRANSACTION)
			return (void *)1;
		bl_cmd_ptr(&c, BC_FREE_BUFFER, r.tr.data.ptr.buffer);
		bl_cmd_transaction(&c, true, 0, 0, 0, NULL, 0, NULL, 0);
		if (bl_write(&b, &c))
			return (void *)1;
		if (r.tr.code == CODE_QUIT)
			return NULL;
	}
	return (void *)1;
}

/* The server process; writes one byte to @ready once it serves. */
static int server(const char *dev, int loopers, int ready)
{
	pthread_t t[8];
	struct bl b;
	int i, ret = 0;

	if (bl_open(&b, dev, MAP))
		return 1;
	/* A manager from the last run may still be going away. */
	for (i = 0; i < 500; i++) {
		ret = bl_become_mgr(&b);
		if (ret != -EBUSY)
			break;
		usleep(10000);
	}
	if (ret)
		return 1;
	for (i = 0; i < loopers; i++)
		if (pthread_create(&t[i], NULL, server_looper, &b))
			return 1;
	if (write(ready, "r", 1) != 1)
		return 1;
	for (i = 0; i < loopers; i++) {
		void *res;

		pthread_join(t[i], &res);
		ret |= !!res;
	}
	return ret;
}

struct client {
	struct bl b;
	long trips;
	int err;
};

/*
 * @trips round trips, one BINDER_WRITE_READ each: free the last reply,
 * send the next call, read up to its reply.
 */
static void *client_thread(void *arg)
{
	struct client *cl = arg;
	struct bl b = cl->b;
	binder_uintptr_t last = 0;
	struct binder_write_read bwr;
	struct bl_cmds c;
	struct bl_ret r;

	b.rlen = 0;
	b.rpos = 0;
	for (long i = 0; i < cl->trips; i++) {
		c.len = 0;
		if (last)
			bl_cmd_ptr(&c, BC_FREE_BUFFER, last);
		bl_cmd_transaction(&c, false, 0, CODE_PING, 0, NULL, 0, NULL, 0);
		bwr = (struct binder_write_read){
			.write_size = c.len, .write_buffer = (uintptr_t)c.buf,
			.read_size = sizeof(b.rbuf),
			.read_buffer = (uintptr_t)b.rbuf,
		};
		if (bl_ioctl(b.fd, &bwr) || bwr.write_consumed != c.len) {
			cl->err = EPROTO;
			return NULL;
		}
		b.rlen = bwr.read_consumed;
		b.rpos = 0;
		for (;;) {
			if (bl_next(&b, &r, -1) <= 0) {
				cl->err = EIO;
				return NULL;
			}
			if (r.cmd == BR_REPLY)
				break;
			if (r.cmd != BR_TRANSACTION_COMPLETE) {
				cl->err = EPROTO;
				return NULL;
			}
		}
		last = r.tr.data.ptr.buffer;
	}
	if (last && bl_free(&b, last))
		cl->err = EPROTO;
	return NULL;
}

/*
 * One client: client and server on CPU 0. Under TCG a wakeup across vCPUs
 * waits for the host to schedule another QEMU thread, milliseconds of
 * noise on a busy host; on one vCPU a round trip is two context switches,
 * as on a quiet machine. Four clients: every CPU, so that clients and
 * loopers run at once and contend for the driver's locks (on one CPU they
 * only take turns, and a device-wide lock costs nothing).
 */
static void place(int threads)
{
	cpu_set_t set;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	CPU_ZERO(&set);
	for (long i = 0; i < (threads == 1 ? 1 : n); i++)
		CPU_SET(i, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Seconds for @trips round trips with @threads clients; < 0 on error. */
static double run(const char *dev, int threads, long trips)
{
	struct client cl[8];
	pthread_t t[8];
	double start, secs;
	int p[2], status, err = 0;
	struct bl b;
	struct bl_ret r;
	pid_t pid;
	char x;

	if (pipe(p))
		return -1;
	place(threads);	/* the server and the client threads inherit it */
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		_exit(server(dev, threads, p[1]));
	}
	close(p[1]);
	if (read(p[0], &x, 1) != 1 || bl_open(&b, dev, MAP)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return -1;
	}
	close(p[0]);
	start = now();
	for (int i = 0; i < threads; i++) {
		cl[i] = (struct client){ .b = b, .trips = trips / threads };
		pthread_create(&t[i], NULL, client_thread, &cl[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		err |= cl[i].err;
	}
	secs = now() - start;
	/* One quit per looper. */
	for (int i = 0; i < threads; i++) {
		if (bl_call(&b, 0, CODE_QUIT, NULL, 0, NULL, 0, &r) == BR_REPLY)
			bl_free(&b, r.tr.data.ptr.buffer);
		else
			err = 1;
	}
	bl_close(&b);
	if (waitpid(pid, &status, 0) != pid || status)
		err = 1;
	return err ? -1 : secs;
}

FIXTURE(binder) {
};

FIXTURE_VARIANT(binder) {
	int rounds;
	long trips;
};

FIXTURE_VARIANT_ADD(binder, interleaved) {
	.rounds = 5,
	.trips = 2000,		/* ~2 ms a round trip under TCG: ~4 s a run */
};

FIXTURE_SETUP(binder)
{
	if (!rfl_loaded("cbinder"))
		ASSERT_EQ(0, rfl_load("drivers/binder", "cbinder", ""));
	impls[0].present = true;
	if (rfl_loaded("rust_binder")) {
		if (access(impls[2].dev, F_OK)) {
			mkdir("/dev/binderfs", 0755);
			ASSERT_EQ(0, mount("binder", "/dev/binderfs", "binder", 0, NULL));
		}
		impls[2].present = true;
	} else {
		if (!rfl_loaded("binder_linux"))
			ASSERT_EQ(0, system("modprobe binder_linux"));
		impls[1].present = true;
	}
}

FIXTURE_TEARDOWN(binder)
{
	rfl_unload("cbinder");
}

static void rounds_of(struct __test_metadata *_metadata, int rounds,
		      long trips)
{
	static const int threads[] = { 1, 4 };
	size_t order[ARRAY_SIZE(impls)];
	char config[256];

	if (getenv("RFL_BINDER_TRIPS"))	/* by hand: a shorter run */
		trips = atol(getenv("RFL_BINDER_TRIPS"));
	fprintf(stderr, "# %d rounds of %ld round trips\n", rounds, trips);
	/* For the host's progress line (qemu/runner.py). */
	fprintf(stderr, "PROGRESS bench=binder rounds=%d\n", rounds);
	for (int r = 1; r <= rounds; r++) {
		for (size_t n = 0; n < ARRAY_SIZE(threads); n++) {
			/* No one always goes first, nor always warms up the others. */
			rfl_bench_order(order, ARRAY_SIZE(impls),
					r * ARRAY_SIZE(threads) + n);
			for (size_t k = 0; k < ARRAY_SIZE(impls); k++) {
				struct impl *im = &impls[order[k]];
				double secs;

				if (!im->present)
					continue;
				fprintf(stderr, "# %s, %d threads\n", im->name,
					threads[n]);
				/* Warm-up after the switch: not recorded. */
				secs = run(im->dev, threads[n], trips / 20 + 1);
				if (secs > 0)
					secs = run(im->dev, threads[n], trips);
				ASSERT_LT(0, secs) TH_LOG("%s, %d threads", im->name,
							  threads[n]);
				printf("RESULT bench=binder impl=%s threads=%d round=%d ",
				       im->name, threads[n], r);
				rfl_bench_config(config, sizeof(config));
				printf("roundtrips=%ld seconds=%.3f us_per_roundtrip=%.2f %s\n",
				       trips, secs, secs * 1e6 / trips, config);
				fflush(stdout);
			}
		}
	}
}

/* Quick: a few minutes in all. */
TEST_F_TIMEOUT(binder, ping, 1800)
{
	if (getenv("RFL_FULL"))
		SKIP(return, "FULL=1 runs ping_1m instead");
	rounds_of(_metadata, variant->rounds, variant->trips);
}

/* The paper's 1M round trips a run: hours under TCG. */
TEST_F_TIMEOUT(binder, ping_1m, 3600 * 48)
{
	if (!getenv("RFL_FULL"))
		SKIP(return, "the paper's 1M round trips run with FULL=1");
	rounds_of(_metadata, variant->rounds, 1000000);
}

int main(int argc, char **argv)
{
	return rfl_harness_main(argc, argv);
}
