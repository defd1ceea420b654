/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the C bench programs (bench/<driver>/<name>.c), the
 * counterpart of tests/lib/benchlib.sh: the seeded order of a round and
 * the cfg_ words every RESULT line carries. RFL_SEED comes from the
 * runner (rfl.seed, the report's seed); by hand it defaults to 1.
 */
#ifndef RFL_BENCH_H
#define RFL_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline unsigned int rfl_bench_seed(void)
{
	const char *s = getenv("RFL_SEED");

	return s ? strtoul(s, NULL, 10) : 1;
}

/*
 * @order: 0 .. @n - 1 in a random order for @turn, seeded, so a run can be
 * redone with the same order (Fisher-Yates on rand_r).
 */
static inline void rfl_bench_order(size_t *order, size_t n, unsigned int turn)
{
	unsigned int state = rfl_bench_seed() * 1000 + turn;

	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n; i > 1; i--) {
		size_t j = rand_r(&state) % i, t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
}

/* The first line of @path starting with @key, after it, or "?". */
static inline void rfl_bench_read(const char *path, const char *key,
				  char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[256];

	snprintf(buf, len, "?");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, strlen(key)))
			continue;
		snprintf(buf, len, "%s", line + strlen(key) +
			 strspn(line + strlen(key), " \t"));
		buf[strcspn(buf, "\n")] = 0;
		break;
	}
	fclose(f);
}

/*
 * The cfg_ words, read back: the CPUs this process may run on now (after
 * any pinning), the guest's online vCPUs, the seed of the order.
 */
static inline void rfl_bench_config(char *buf, size_t len)
{
	char cpus[64], online[64];

	rfl_bench_read("/proc/self/status", "Cpus_allowed_list:", cpus,
		       sizeof(cpus));
	rfl_bench_read("/sys/devices/system/cpu/online", "", online,
		       sizeof(online));
	snprintf(buf, len, "cfg_cpus=%s cfg_vcpus=%s cfg_seed=%u", cpus,
		 online, rfl_bench_seed());
}

#endif
