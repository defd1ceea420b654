// SPDX-License-Identifier: GPL-2.0
/*
 * The first lesson's test: chello and rhello load, greet, check their
 * parameter and unload the same way. One fixture, one variant per twin.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "rfl_harness.h"
#include "rfl_module.h"

static int load(const char *module, const char *params)
{
	return rfl_load("drivers/hello", module, params);
}

/* Count the kernel log lines containing @needle written after @fd opened. */
static int count_log(int fd, const char *needle)
{
	char rec[1024];
	int n = 0;
	ssize_t len;

	while ((len = read(fd, rec, sizeof(rec) - 1)) > 0) {
		rec[len] = '\0';
		if (strstr(rec, needle))
			n++;
	}
	return n;
}

FIXTURE(hello) {
	int kmsg;
};

FIXTURE_VARIANT(hello) {
	const char *module;
	const char *greeting;
	int overflow_errno;
};

FIXTURE_VARIANT_ADD(hello, chello) {
	.module = "chello",
	.greeting = "hello from C",
	/* param_set_uint() passes on kstrtouint()'s -ERANGE */
	.overflow_errno = ERANGE,
};

FIXTURE_VARIANT_ADD(hello, rhello) {
	.module = "rhello",
	.greeting = "hello from Rust",
	/* the Rust parameter parser reports every bad number as -EINVAL */
	.overflow_errno = EINVAL,
};

FIXTURE_SETUP(hello)
{
	if (rfl_loaded(variant->module))
		ASSERT_EQ(0, rfl_unload(variant->module));
	self->kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, self->kmsg);
	lseek(self->kmsg, 0, SEEK_END);
}

FIXTURE_TEARDOWN(hello)
{
	if (rfl_loaded(variant->module))
		rfl_unload(variant->module);
	close(self->kmsg);
}

TEST_F(hello, load_unload)
{
	ASSERT_EQ(0, load(variant->module, ""));
	ASSERT_TRUE(rfl_loaded(variant->module));
	ASSERT_EQ(1, count_log(self->kmsg, variant->greeting));
	ASSERT_EQ(0, rfl_unload(variant->module));
	ASSERT_FALSE(rfl_loaded(variant->module));
}

TEST_F(hello, greetings_param)
{
	ASSERT_EQ(0, load(variant->module, "greetings=3"));
	EXPECT_EQ(3, count_log(self->kmsg, variant->greeting));
	ASSERT_EQ(0, rfl_unload(variant->module));
}

TEST_F(hello, already_loaded)
{
	ASSERT_EQ(0, load(variant->module, ""));
	EXPECT_EQ(-EEXIST, load(variant->module, ""));
	ASSERT_EQ(0, rfl_unload(variant->module));
}

TEST_F(hello, bad_param)
{
	static const char * const bad[] = { "greetings=0", "greetings=9",
					    "greetings=-1", "greetings=abc",
					    "greetings=", "greetings=1x" };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		TH_LOG("%s", bad[i]);
		EXPECT_EQ(-EINVAL, load(variant->module, bad[i]));
		EXPECT_FALSE(rfl_loaded(variant->module));
	}
	/* Out of u32 range: the one place where the twins' errors differ. */
	EXPECT_EQ(-variant->overflow_errno,
		  load(variant->module, "greetings=99999999999"));
	EXPECT_FALSE(rfl_loaded(variant->module));
}

int main(int argc, char **argv)
{
	return rfl_harness_main(argc, argv);
}
