/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rfl_harness.h: run a kselftest_harness.h program under the suite's runner.
 *
 * A fixture is a driver, a variant an implementation, a test a case, so
 * FIXTURE(nullblk) + FIXTURE_VARIANT_ADD(nullblk, cnull) + TEST_F(nullblk,
 * power) is the case "nullblk/cnull/power". Instead of TEST_HARNESS_MAIN,
 * main() returns rfl_harness_main(argc, argv), which adds
 *   --list       print every case name and its timeout, one per line
 *   --run NAME   run that one case
 * and otherwise behaves as the kernel's harness (-l, -r, -v, ...).
 */
#ifndef RFL_HARNESS_H
#define RFL_HARNESS_H

#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"

/*
 * RFL_XFAIL(statement, ref, fmt, ...): a known bug of a mainline driver
 * showed, as SKIP() but reported "# XFAIL"; @ref is a string literal that
 * says where the bug is described (a commit, a URL, a README section).
 * This kernel's harness has XFAIL_ADD() for a case that always fails, not
 * a way to say so from inside a case whose outcome depends on timing.
 */
#define RFL_XFAIL(statement, ref, fmt, ...) do { \
	snprintf(_metadata->results->reason, \
		 sizeof(_metadata->results->reason), \
		 fmt " (see " ref ")", ##__VA_ARGS__); \
	_metadata->exit_code = KSFT_XFAIL; \
	_metadata->trigger = 0; \
	statement; \
} while (0)

/*
 * RFL_ELSEWHERE(statement, fmt, ...): this case runs in another boot
 * (another kernel variant), so here it is no result at all, not a skip.
 */
#define RFL_ELSEWHERE(statement, fmt, ...) \
	SKIP(statement, "elsewhere: " fmt, ##__VA_ARGS__)

static int rfl_list_cases(void)
{
	struct __fixture_variant_metadata *v;
	struct __fixture_metadata *f;
	struct __test_metadata *t;

	for (f = __fixture_list; f; f = f->next)
		for (v = f->variant; v; v = v->next)
			/* the harness kills a case at t->timeout; give it time */
			for (t = f->tests; t; t = t->next)
				printf("%s/%s/%s timeout=%d\n", f->name, v->name,
				       t->name, t->timeout + 30);
	return 0;
}

static int rfl_harness_main(int argc, char **argv)
{
	char name[256], *hv[4];

	if (argc == 2 && !strcmp(argv[1], "--list"))
		return rfl_list_cases();
	if (argc == 3 && !strcmp(argv[1], "--run")) {
		/* -r takes fixture.variant.test */
		snprintf(name, sizeof(name), "%s", argv[2]);
		for (char *p = name; *p; p++)
			if (*p == '/')
				*p = '.';
		hv[0] = argv[0];
		hv[1] = "-r";
		hv[2] = name;
		hv[3] = NULL;
		return test_harness_run(3, hv);
	}
	return test_harness_run(argc, argv);
}

#endif /* RFL_HARNESS_H */
