// SPDX-License-Identifier: GPL-2.0
/*
 * One test program for both semaphore twins, /dev/csemaphore (C) and
 * /dev/rsemaphore (Rust): every case loads the module fresh, so the count
 * starts at initial_count, and unloads it afterwards.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rfl_semaphore.h>

#include "rfl_harness.h"
#include "rfl_module.h"

#define MODDIR "drivers/semaphore"
#define U64_MAX ((__u64)~0ULL)

/* Addresses no read may write to; not constants, so the compiler lets us. */
long bad_address[] = { 0, -4096 };

FIXTURE(semaphore) {
	int fd;
};

FIXTURE_VARIANT(semaphore) {
	const char *module;
	const char *dev;
	/* why poll cannot be tested, or NULL when it can */
	const char *no_poll;
	int overflow_errno;
};

FIXTURE_VARIANT_ADD(semaphore, csemaphore) {
	.module = "csemaphore",
	.dev = "/dev/csemaphore",
	.no_poll = NULL,
	/* param_set_ullong() passes on kstrtoull()'s -ERANGE */
	.overflow_errno = ERANGE,
};

FIXTURE_VARIANT_ADD(semaphore, rsemaphore) {
	.module = "rsemaphore",
	.dev = "/dev/rsemaphore",
	.no_poll = "kernel::miscdevice in Linux 7.3 has no poll hook",
	/* the Rust parameter parser reports every bad number as -EINVAL */
	.overflow_errno = EINVAL,
};

static int dev_open(const char *dev, int flags)
{
	return open(dev, flags | O_RDWR | O_CLOEXEC);
}

static __u64 count_of(int fd)
{
	__u64 count = U64_MAX;

	if (ioctl(fd, SEMAPHORE_GET_COUNT, &count))
		return U64_MAX - 1;
	return count;
}

static __u64 reads_of(int fd)
{
	__u64 reads = U64_MAX;

	if (ioctl(fd, SEMAPHORE_GET_READS, &reads))
		return U64_MAX - 1;
	return reads;
}

/* Take one token at offset 0: 1, or -errno. */
static int take(int fd)
{
	char b = 'x';
	ssize_t n = pread(fd, &b, 1, 0);

	if (n < 0)
		return -errno;
	return n == 1 && b == 0 ? 1 : -EPROTO;
}

static int give(int fd, size_t n)
{
	static char buf[1 << 16];
	ssize_t ret = write(fd, buf, n);

	return ret < 0 ? -errno : (int)ret;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

FIXTURE_SETUP(semaphore)
{
	if (rfl_loaded(variant->module))
		ASSERT_EQ(0, rfl_unload(variant->module));
	ASSERT_EQ(0, rfl_load(MODDIR, variant->module, ""));
	self->fd = dev_open(variant->dev, 0);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", variant->dev, strerror(errno));
}

FIXTURE_TEARDOWN(semaphore)
{
	if (self->fd >= 0)
		close(self->fd);
	if (rfl_loaded(variant->module))
		EXPECT_EQ(0, rfl_unload(variant->module));
}

TEST_F(semaphore, starts_empty)
{
	EXPECT_EQ(0, count_of(self->fd));
	EXPECT_EQ(0, reads_of(self->fd));
}

TEST_F(semaphore, write_adds_tokens)
{
	EXPECT_EQ(1, give(self->fd, 1));
	EXPECT_EQ(1, count_of(self->fd));
	EXPECT_EQ(65536, give(self->fd, 65536));
	EXPECT_EQ(65537, count_of(self->fd));
	/* An empty write adds nothing. */
	EXPECT_EQ(0, give(self->fd, 0));
	EXPECT_EQ(65537, count_of(self->fd));
	/*
	 * Only the length counts: the buffer is never read (README). The raw
	 * syscall, as libc's write() is declared to read its buffer.
	 */
	EXPECT_EQ(5, syscall(SYS_write, self->fd, NULL, 5));
	EXPECT_EQ(65542, count_of(self->fd));
}

TEST_F(semaphore, read_takes_one_token)
{
	char buf[4096];

	ASSERT_EQ(3, give(self->fd, 3));
	EXPECT_EQ(1, take(self->fd));
	EXPECT_EQ(2, count_of(self->fd));
	/* read() moves the position to 1, so the next read is end of file. */
	memset(buf, 'x', sizeof(buf));
	EXPECT_EQ(1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, buf[0]);
	EXPECT_EQ('x', buf[1]);
	EXPECT_EQ(0, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(1, count_of(self->fd));
	EXPECT_EQ(2, reads_of(self->fd));
}

TEST_F(semaphore, empty_read_takes_nothing)
{
	char b;

	ASSERT_EQ(1, give(self->fd, 1));
	EXPECT_EQ(0, pread(self->fd, &b, 0, 0));
	EXPECT_EQ(1, count_of(self->fd));
	EXPECT_EQ(0, reads_of(self->fd));
}

TEST_F(semaphore, nonblocking_read)
{
	int fd = dev_open(variant->dev, O_NONBLOCK);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EAGAIN, take(fd));
	EXPECT_EQ(0, count_of(fd));
	ASSERT_EQ(1, give(fd, 1));
	EXPECT_EQ(1, take(fd));
	/* O_NONBLOCK set later, with fcntl, counts too. */
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, take(self->fd));
	close(fd);
}

struct reader {
	int fd;
	int ret;
	int done;		/* __atomic: the test thread polls it */
};

static void *reader_thread(void *arg)
{
	struct reader *r = arg;

	r->ret = take(r->fd);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static bool wait_done(struct reader *r, long ms)
{
	long end = now_ms() + ms;

	while (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) && now_ms() < end)
		usleep(10000);
	return __atomic_load_n(&r->done, __ATOMIC_ACQUIRE);
}

TEST_F(semaphore, blocking_read_wakes_on_write)
{
	struct reader r = { .fd = self->fd };
	int wfd, status;
	pthread_t t;
	pid_t child;

	ASSERT_EQ(0, pthread_create(&t, NULL, reader_thread, &r));
	EXPECT_FALSE(wait_done(&r, 300)) TH_LOG("read did not block on count 0");
	/* A write from another open file and another process wakes it. */
	wfd = dev_open(variant->dev, 0);
	ASSERT_LE(0, wfd);
	child = fork();
	if (child == 0)
		_exit(give(wfd, 1) == 1 ? 0 : 1);
	EXPECT_TRUE(wait_done(&r, 10000));
	EXPECT_EQ(1, r.ret);
	pthread_join(t, NULL);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, count_of(self->fd));
	close(wfd);
}

static void on_signal(int sig)
{
	(void)sig;
}

TEST_F(semaphore, signal_interrupts_read)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	struct reader r = { .fd = self->fd };
	pthread_t t;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&t, NULL, reader_thread, &r));
	EXPECT_FALSE(wait_done(&r, 300));
	pthread_kill(t, SIGUSR1);
	EXPECT_TRUE(wait_done(&r, 10000));
	EXPECT_EQ(-EINTR, r.ret);
	pthread_join(t, NULL);
	/* The interrupted read took nothing: the next token stays. */
	ASSERT_EQ(1, give(self->fd, 1));
	EXPECT_EQ(1, count_of(self->fd));
	EXPECT_EQ(0, reads_of(self->fd));
}

TEST_F(semaphore, close_while_blocked)
{
	struct reader r;
	pthread_t t;

	r.fd = dev_open(variant->dev, 0);
	r.done = 0;
	ASSERT_LE(0, r.fd);
	ASSERT_EQ(0, pthread_create(&t, NULL, reader_thread, &r));
	EXPECT_FALSE(wait_done(&r, 300));
	/* The read holds the file; close only drops the descriptor. */
	EXPECT_EQ(0, close(r.fd));
	ASSERT_EQ(1, give(self->fd, 1));
	EXPECT_TRUE(wait_done(&r, 10000));
	EXPECT_EQ(1, r.ret);
	pthread_join(t, NULL);
	EXPECT_EQ(0, count_of(self->fd));
}

TEST_F(semaphore, saturates_at_u64_max)
{
	char params[64];

	close(self->fd);
	ASSERT_EQ(0, rfl_unload(variant->module));
	snprintf(params, sizeof(params), "initial_count=%llu",
		 (unsigned long long)(U64_MAX - 10));
	ASSERT_EQ(0, rfl_load(MODDIR, variant->module, params));
	self->fd = dev_open(variant->dev, 0);
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(U64_MAX - 10, count_of(self->fd));
	EXPECT_EQ(65536, give(self->fd, 65536));
	EXPECT_EQ(U64_MAX, count_of(self->fd));
	EXPECT_EQ(1, give(self->fd, 1));
	EXPECT_EQ(U64_MAX, count_of(self->fd));
	EXPECT_EQ(1, take(self->fd));
	EXPECT_EQ(U64_MAX - 1, count_of(self->fd));
}

TEST_F(semaphore, bad_module_params)
{
	static const char * const bad[] = { "initial_count=abc",
					    "initial_count=-1",
					    "initial_count=",
					    "initial_count=12x" };

	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, rfl_unload(variant->module));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		TH_LOG("%s", bad[i]);
		EXPECT_EQ(-EINVAL, rfl_load(MODDIR, variant->module, bad[i]));
		EXPECT_FALSE(rfl_loaded(variant->module));
	}
	EXPECT_EQ(-variant->overflow_errno,
		  rfl_load(MODDIR, variant->module,
			   "initial_count=18446744073709551616"));
	EXPECT_FALSE(rfl_loaded(variant->module));
}

TEST_F(semaphore, read_counter_per_open)
{
	int fd2 = dev_open(variant->dev, 0);
	__u64 v = 100;

	ASSERT_LE(0, fd2);
	ASSERT_EQ(3, give(self->fd, 3));
	EXPECT_EQ(1, take(self->fd));
	EXPECT_EQ(1, take(self->fd));
	EXPECT_EQ(1, take(fd2));
	EXPECT_EQ(2, reads_of(self->fd));
	EXPECT_EQ(1, reads_of(fd2));
	EXPECT_EQ(0, ioctl(self->fd, SEMAPHORE_SET_READS, &v));
	EXPECT_EQ(100, reads_of(self->fd));
	EXPECT_EQ(1, reads_of(fd2));
	ASSERT_EQ(1, give(fd2, 1));
	EXPECT_EQ(1, take(self->fd));
	EXPECT_EQ(101, reads_of(self->fd));
	close(fd2);
}

TEST_F(semaphore, bad_ioctls)
{
	static const unsigned long unknown[] = {
		0, _IO('c', 1), _IOR('c', 3, __u64), _IOW('c', 2, __u64),
		_IOR('c', 1, __u32), _IOR('x', 1, __u64), 0xffffffff,
	};
	__u64 v = 7;

	for (size_t i = 0; i < ARRAY_SIZE(unknown); i++) {
		TH_LOG("cmd %#lx", unknown[i]);
		EXPECT_EQ(-1, ioctl(self->fd, unknown[i], &v));
		EXPECT_EQ(ENOTTY, errno);
	}
	ASSERT_EQ(0, ioctl(self->fd, SEMAPHORE_SET_READS, &v));
	EXPECT_EQ(-1, ioctl(self->fd, SEMAPHORE_GET_READS, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, SEMAPHORE_GET_READS, (void *)1));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, SEMAPHORE_SET_READS, (void *)1));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, SEMAPHORE_GET_COUNT, (void *)-1L));
	EXPECT_EQ(EFAULT, errno);
	/* Nothing changed on the way. */
	EXPECT_EQ(7, reads_of(self->fd));
	EXPECT_EQ(0, count_of(self->fd));
}

TEST_F(semaphore, bad_read_buffer)
{
	ASSERT_EQ(2, give(self->fd, 2));
	for (size_t i = 0; i < ARRAY_SIZE(bad_address); i++) {
		TH_LOG("buffer at %#lx", bad_address[i]);
		EXPECT_EQ(-1, pread(self->fd, (void *)bad_address[i], 1, 0));
		EXPECT_EQ(EFAULT, errno);
	}
	/* The tokens went back. */
	EXPECT_EQ(2, count_of(self->fd));
	EXPECT_EQ(0, reads_of(self->fd));
}

TEST_F(semaphore, poll)
{
	struct pollfd p = { .fd = self->fd, .events = POLLIN | POLLOUT };
	pid_t child;
	int status;

	if (variant->no_poll)
		SKIP(return, "%s", variant->no_poll);
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLOUT, p.revents);
	/* A write from another process wakes a reader sleeping in poll. */
	child = fork();
	if (child == 0) {
		usleep(300000);
		_exit(give(self->fd, 1) == 1 ? 0 : 1);
	}
	p.events = POLLIN;
	EXPECT_EQ(1, poll(&p, 1, 10000));
	EXPECT_EQ(POLLIN, p.revents);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_EQ(1, take(self->fd));
	p.events = POLLIN;
	EXPECT_EQ(0, poll(&p, 1, 0));
}

#define STRESS_READERS 8
#define STRESS_WRITERS 4
#define STRESS_WRITTEN 2000	/* tokens per writer */
#define STRESS_TAKEN 900	/* tokens per reader: 7200 of 8000 */

struct stress {
	const char *dev;
	int ok;
};

static void *stress_reader(void *arg)
{
	struct stress *s = arg;
	int fd = dev_open(s->dev, 0);

	for (int i = 0; fd >= 0 && i < STRESS_TAKEN; i++)
		if (take(fd) != 1)
			goto out;
	s->ok = reads_of(fd) == STRESS_TAKEN;
out:
	close(fd);
	return NULL;
}

static void *stress_writer(void *arg)
{
	struct stress *s = arg;
	int fd = dev_open(s->dev, 0);
	unsigned int seed = fd;
	int left = STRESS_WRITTEN;

	while (fd >= 0 && left) {
		int n = 1 + rand_r(&seed) % 64;

		n = n < left ? n : left;
		if (give(fd, n) != n)
			goto out;
		left -= n;
	}
	s->ok = !left;
out:
	close(fd);
	return NULL;
}

TEST_F_TIMEOUT(semaphore, stress_conservation, 300)
{
	struct stress s[STRESS_READERS + STRESS_WRITERS];
	pthread_t t[STRESS_READERS + STRESS_WRITERS];
	int i;

	for (i = 0; i < STRESS_READERS + STRESS_WRITERS; i++) {
		s[i] = (struct stress){ .dev = variant->dev };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, i < STRESS_READERS ?
					    stress_reader : stress_writer, &s[i]));
	}
	for (i = 0; i < STRESS_READERS + STRESS_WRITERS; i++) {
		pthread_join(t[i], NULL);
		EXPECT_TRUE(s[i].ok) TH_LOG("thread %d", i);
	}
	/* written == read + left */
	EXPECT_EQ(STRESS_WRITERS * STRESS_WRITTEN - STRESS_READERS * STRESS_TAKEN,
		  count_of(self->fd));
}

TEST_F(semaphore, unload_while_open)
{
	ASSERT_EQ(1, give(self->fd, 1));
	/* An open file pins the module; the device keeps working. */
	EXPECT_EQ(-EWOULDBLOCK, rfl_unload(variant->module));
	EXPECT_TRUE(rfl_loaded(variant->module));
	EXPECT_EQ(1, take(self->fd));
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, rfl_unload(variant->module));
}

TEST_F_TIMEOUT(semaphore, load_unload_cycles, 300)
{
	long before, after;

	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, rfl_unload(variant->module));
	/* Warm up caches that fill once, then measure. */
	for (int i = 0; i < 5; i++) {
		ASSERT_EQ(0, rfl_load(MODDIR, variant->module, ""));
		ASSERT_EQ(0, rfl_unload(variant->module));
	}
	before = rfl_memfree_kib();
	for (int i = 0; i < 100; i++) {
		int fd;

		ASSERT_EQ(0, rfl_load(MODDIR, variant->module, ""));
		fd = dev_open(variant->dev, 0);
		ASSERT_LE(0, fd);
		ASSERT_EQ(1, give(fd, 1));
		ASSERT_EQ(1, take(fd));
		close(fd);
		ASSERT_EQ(0, rfl_unload(variant->module));
	}
	after = rfl_memfree_kib();
	TH_LOG("MemFree %ld -> %ld KiB", before, after);
	/* 2 MiB over 100 cycles: 20 KiB a cycle would be a leak. */
	EXPECT_LT(before - after, 2048);
}

int main(int argc, char **argv)
{
	return rfl_harness_main(argc, argv);
}
