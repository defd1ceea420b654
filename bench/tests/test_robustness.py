# SPDX-License-Identifier: GPL-2.0
"""bench/robustness.py on results worked out by hand."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
sys.path[:0] = [BENCH, os.path.join(os.path.dirname(BENCH), "qemu")]
import results  # noqa: E402
import robustness  # noqa: E402

R = results.Result

CLEAN = R("nullblk/cnull/load", "pass", "", 50, [
    "n=1 ENOMEM", "n=2 absorbed", "n=3 ENOMEM",
    "RESULT path=load injected=3 clean=2 absorbed=1 unclean=0"])
LEAK = R("gpio_pl061/gpio_pl061/probe", "fail", "", 60, [
    "n=1 ENOMEM",
    "RESULT path=bind injected=1 clean=1 absorbed=0 unclean=0",
    "kernel: kmemleak after the case:",
    "kernel: unreferenced object 0xffff000001 (size 32):",
    "kernel log splat or taint during the case"])
# Died at its third fault: no RESULT line, a WARNING in the log.
SPLAT = R("e1000/e1000/ifup", "fail", "", 30, [
    "n=1 ENOMEM", "n=2 absorbed",
    "kernel: [ 12.0] WARNING: CPU: 0 PID: 9 at net/core/dev.c:1 x+0x1",
    "kernel log splat or taint during the case"])
HANG = R("binder/cbinder/transaction", "fail", "guest hung in this case", 930,
         ["n=1 ENOMEM"])
UNCLEAN = R("e1000/ce1000/ring-resize", "fail", "", 40, [
    "n=1 ENOMEM", "UNCLEAN: n=2: rings failed (ENOMEM) and left its state "
    "changed", "RESULT path=rings injected=2 clean=1 absorbed=0 unclean=1",
    "FAIL: ring resize: a fault did not end cleanly (see above)"])
KNOWN = R("nullblk/rnull/load", "xfail", "known bug of a mainline driver, "
          "a splat in configfs_unregister_subsystem (see X)", 60, [
              "n=1 ENOMEM",
              "kernel: [ 3.0] Unable to handle kernel paging request at x",
              "kernel: [ 3.1]  configfs_unregister_subsystem+0x54/0x334"])
SLOW = R("e1000/e1000/load", "fail", "", 900, [
    "n=1 ENOMEM", "Killed", "killed after 900s"])
SKIPPED = R("nullblk/rnull/configfs", "skip", "no fail-nth", 1, [])


class SweepTest(unittest.TestCase):
    def test_figures_from_result_line(self):
        self.assertEqual((3, 2, 1, 0), robustness.sweep_figures(CLEAN))

    def test_figures_counted_when_the_case_died(self):
        # n=1 a clean error, n=2 absorbed: two faults injected
        self.assertEqual((2, 1, 1, 0), robustness.sweep_figures(SPLAT))

    def test_kinds(self):
        self.assertEqual({"leak"}, robustness.case_kinds(LEAK))
        self.assertEqual({"splat"}, robustness.case_kinds(SPLAT))
        self.assertEqual({"hang"}, robustness.case_kinds(HANG))
        self.assertEqual({"timeout"}, robustness.case_kinds(SLOW))
        self.assertEqual(set(), robustness.case_kinds(UNCLEAN))

    def test_rows_per_implementation(self):
        rows = robustness.sweep_rows([CLEAN, LEAK, SPLAT, HANG, UNCLEAN,
                                      SKIPPED])
        by = {tuple(r[:2]): r[2:] for r in rows}
        # paths, clean paths, faults, clean, absorbed, unclean, splats,
        # leaks, hangs, timeouts, skipped
        self.assertEqual([1, 1, 3, 2, 1, 0, 0, 0, 0, 0, 0],
                         by[("nullblk", "cnull")])
        self.assertEqual([1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0],
                         by[("gpio_pl061", "gpio_pl061")])
        self.assertEqual([1, 0, 2, 1, 1, 0, 1, 0, 0, 0, 0],
                         by[("e1000", "e1000")])
        self.assertEqual([1, 0, 2, 1, 0, 1, 0, 0, 0, 0, 0],
                         by[("e1000", "ce1000")])
        self.assertEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
                         by[("nullblk", "rnull")])

    def test_a_known_mainline_bug_is_a_splat_with_its_reference(self):
        row = robustness.sweep_rows([KNOWN])[0]
        # 1 path, not clean, 1 fault, 1 clean error, a splat
        self.assertEqual(["nullblk", "rnull", 1, 0, 1, 1, 0, 0, 1, 0, 0, 0,
                          0], row)
        what = robustness.findings([KNOWN])[0][1]
        self.assertEqual("splat, xfail: known bug of a mainline driver, a "
                         "splat in configfs_unregister_subsystem (see X)",
                         what)

    def test_summary_cells(self):
        cells = robustness.summary_cells([CLEAN, SPLAT, HANG, UNCLEAN])
        self.assertEqual("fault sweep: 1/1 paths clean", cells["cnull"])
        self.assertEqual("fault sweep: 0/1 paths clean (1 splat)",
                         cells["e1000"])
        self.assertEqual("fault sweep: 0/1 paths clean (1 unclean)",
                         cells["ce1000"])

    def test_table_joins_the_sanitizer_run(self):
        san = [R("nullblk/cnull/a", "pass"), R("nullblk/cnull/b", "fail"),
               R("semaphore/csemaphore/a", "pass"), R("runner/boot/x", "fail"),
               R("bench/binder/ping-quick", "pass")]
        rows = {tuple(r[:2]): r[2:] for r in
                robustness.table_rows([CLEAN, R("semaphore/rsemaphore/open",
                                                "pass")], san)}
        self.assertEqual("1 pass, 1 fail", rows[("nullblk", "cnull")][-1])
        # in the sanitizer run only: no sweep figures
        self.assertEqual(["-"] * 12 + ["1 pass, 0 fail"],
                         rows[("semaphore", "csemaphore")])
        self.assertNotIn(("runner", "boot"), rows)
        # a driver the sweep does not know: not an implementation
        self.assertNotIn(("bench", "binder"), rows)

    def test_findings_name_what_and_first_lines(self):
        f = {r[0]: r[1:] for r in robustness.findings(
            [CLEAN, LEAK, SPLAT, UNCLEAN])}
        self.assertNotIn("nullblk/cnull/load", f)
        self.assertEqual("leak", f["gpio_pl061/gpio_pl061/probe"][0])
        self.assertIn("unreferenced object",
                      f["gpio_pl061/gpio_pl061/probe"][1])
        self.assertEqual("splat", f["e1000/e1000/ifup"][0])
        self.assertIn("WARNING", f["e1000/e1000/ifup"][1])
        self.assertEqual("unclean", f["e1000/ce1000/ring-resize"][0])
        self.assertIn("UNCLEAN: n=2", f["e1000/ce1000/ring-resize"][1])


if __name__ == "__main__":
    unittest.main()
