// SPDX-License-Identifier: GPL-2.0
/*
 * Semaphore round trips (write one token, take it back) per second, for
 * csemaphore and rsemaphore in turn, round after round in one boot, with
 * 1 and 4 threads; within a round in a seeded random order, each run
 * after a warm-up run that is not recorded. Prints one RESULT line per
 * measurement; `make compare` pairs them by round into the Rust/C ratio.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "rfl_bench.h"
#include "rfl_harness.h"
#include "rfl_module.h"

#define MODDIR "drivers/semaphore"

static const char * const twins[] = { "csemaphore", "rsemaphore" };

struct worker {
	const char *dev;
	double seconds;
	long trips;
	int err;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *worker(void *arg)
{
	struct worker *w = arg;
	int fd = open(w->dev, O_RDWR | O_CLOEXEC);
	double end = now() + w->seconds;
	char b = 0;

	if (fd < 0) {
		w->err = errno;
		return NULL;
	}
	while (now() < end) {
		/* Each thread takes back the token it gave, so none waits long. */
		if (write(fd, &b, 1) != 1 || pread(fd, &b, 1, 0) != 1) {
			w->err = errno;
			break;
		}
		w->trips++;
	}
	close(fd);
	return NULL;
}

/* Round trips per second over @seconds with @threads threads. */
static double measure(const char *dev, int threads, double seconds)
{
	struct worker w[16] = {};
	pthread_t t[16];
	long trips = 0;
	double start = now();

	for (int i = 0; i < threads; i++) {
		w[i] = (struct worker){ .dev = dev, .seconds = seconds };
		if (pthread_create(&t[i], NULL, worker, &w[i]))
			return -1;
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		if (w[i].err)
			return -w[i].err;
		trips += w[i].trips;
	}
	return trips / (now() - start);
}

FIXTURE(semaphore) {
};

FIXTURE_VARIANT(semaphore) {
	int rounds;
	double seconds;
};

/* The default; RFL_FULL=1 in the environment gives the long run. */
FIXTURE_VARIANT_ADD(semaphore, interleaved) {
	.rounds = 5,
	.seconds = 1.0,
};

FIXTURE_SETUP(semaphore)
{
	for (size_t i = 0; i < ARRAY_SIZE(twins); i++) {
		if (!rfl_loaded(twins[i]))
			ASSERT_EQ(0, rfl_load(MODDIR, twins[i], ""));
	}
}

FIXTURE_TEARDOWN(semaphore)
{
	for (size_t i = 0; i < ARRAY_SIZE(twins); i++)
		rfl_unload(twins[i]);
}

TEST_F_TIMEOUT(semaphore, roundtrips, 600)
{
	static const int threads[] = { 1, 4 };
	int rounds = variant->rounds;
	double seconds = variant->seconds;
	size_t order[ARRAY_SIZE(twins)];
	char dev[64], config[256];

	if (getenv("RFL_FULL")) {
		rounds = 10;
		seconds = 5.0;
	}
	/* For the host's progress line (qemu/runner.py). */
	fprintf(stderr, "PROGRESS bench=semaphore rounds=%d\n", rounds);
	for (int r = 1; r <= rounds; r++) {
		for (size_t n = 0; n < ARRAY_SIZE(threads); n++) {
			/* Neither twin always runs first, nor always warms the other. */
			rfl_bench_order(order, ARRAY_SIZE(twins),
					r * ARRAY_SIZE(threads) + n);
			for (size_t k = 0; k < ARRAY_SIZE(twins); k++) {
				const char *twin = twins[order[k]];
				double rate;

				snprintf(dev, sizeof(dev), "/dev/%s", twin);
				/* Warm-up after the switch: not recorded. */
				rate = measure(dev, threads[n], seconds / 5);
				if (rate > 0)
					rate = measure(dev, threads[n], seconds);
				ASSERT_LT(0, rate) TH_LOG("%s: %s", twin, strerror((int)-rate));
				rfl_bench_config(config, sizeof(config));
				printf("RESULT bench=semaphore impl=%s threads=%d ",
				       twin, threads[n]);
				printf("round=%d roundtrips_per_s=%.0f %s\n", r, rate,
				       config);
				fflush(stdout);
			}
		}
	}
}

int main(int argc, char **argv)
{
	return rfl_harness_main(argc, argv);
}
