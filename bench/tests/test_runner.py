# SPDX-License-Identifier: GPL-2.0
"""qemu/runner.py's loop over boots, with a scripted guest in place of
QEMU: what each boot is asked to resume at, and the results it keeps."""

import argparse
import collections
import contextlib
import io
import os
import re
import sys
import tempfile
import unittest
import unittest.mock

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [os.path.join(TOP, "qemu")]
import results  # noqa: E402
import runner  # noqa: E402


class ScriptedBoot:
    """A Boot whose guest sends the lines of the next script in SCRIPTS,
    then powers off (an "eof" after them, as QEMU's console closes)."""

    SCRIPTS = []
    starts = []
    console = []

    def __init__(self, _args, start, _sockdir, _console_log):
        self.starts.append(start)
        self.script = self.SCRIPTS.pop(0)
        self.tail = collections.deque(["last console line"])

    def lines(self, _timeout):
        script, self.script = self.script, []
        yield from (("tap", line) for line in script)
        yield "eof", ""

    def finish(self, grace=30):
        pass

    def kill(self):
        pass


def run(scripts, append=(), out=None):
    """run_cases() over @scripts, one per boot: (exit status, the start
    of each boot, the results); what it prints goes to @out."""
    ScriptedBoot.SCRIPTS, ScriptedBoot.starts = list(scripts), []
    with tempfile.TemporaryDirectory() as d:
        args = argparse.Namespace(out=d, mode="test", filter="*",
                                  append=list(append), verbose=False)
        with unittest.mock.patch.object(runner, "Boot", ScriptedBoot), \
                contextlib.redirect_stdout(out or io.StringIO()):
            rc = runner.run_cases(args)
        with open(os.path.join(d, "console.log")) as f:
            ScriptedBoot.console = f.readlines()
        return rc, ScriptedBoot.starts, results.read_dir(d)


ONE_BOOT = ["PLAN 3", "RUN 1 runner/boot/kernel-log timeout=1",
            "ok 1 runner/boot/kernel-log", "RUN 2 a/b/c", "ok 2 a/b/c",
            "RUN 3 g/m/stale", "not ok 3 g/m/stale # TODO stale (see X)",
            "DONE"]


class Boots(unittest.TestCase):
    def test_fresh_guest_after_a_splat(self):
        """Case 2 planted a splat: the guest asks for a fresh one, which
        resumes at case 3; a clean later boot reports nothing of its own."""
        rc, starts, got = run([
            ["PLAN 4", "RUN 1 runner/boot/kernel-log timeout=1",
             "ok 1 runner/boot/kernel-log",
             "RUN 2 runner/selftest/planted-warn expect=splat",
             "# kernel: WARNING: at rfl_splat_init",
             "ok 2 runner/selftest/planted-warn # splat caught",
             "REBOOT splat or taint in case 2"],
            ["PLAN 4", "RUN 3 a/b/c", "ok 3 a/b/c", "RUN 4 a/b/d",
             "ok 4 a/b/d # SKIP no d", "DONE"]])
        self.assertEqual((rc, starts), (0, [1, 3]))
        self.assertEqual([(r.name, r.status) for r in got], [
            ("runner/boot/kernel-log", "pass"),
            ("runner/selftest/planted-warn", "pass"), ("a/b/c", "pass"),
            ("a/b/d", "skip")])
        self.assertEqual(ScriptedBoot.console, ["runner: REBOOT splat or "
                                                "taint in case 2: booting a "
                                                "fresh guest\n"])
        self.assertEqual(got[1].diag, ["kernel: WARNING: at rfl_splat_init"])

    def test_later_boot_log_fails(self):
        """A later boot with a splat in its own log reports it numbered
        as the case before its first, so it still resumes at case 3."""
        rc, starts, got = run([
            ["PLAN 3", "RUN 1 runner/boot/kernel-log timeout=1",
             "ok 1 runner/boot/kernel-log", "RUN 2 a/b/c timeout=5",
             "# Killed", "# killed after 5s", "not ok 2 a/b/c",
             "REBOOT case 2 timed out"],
            ["PLAN 3", "RUN 2 runner/boot/kernel-log timeout=1",
             "# kernel: BUG: sleeping function called", "not ok 2 "
             "runner/boot/kernel-log", "RUN 3 a/b/d", "ok 3 a/b/d", "DONE"]])
        self.assertEqual((rc, starts), (1, [1, 3]))
        self.assertEqual([(r.name, r.status) for r in got], [
            ("runner/boot/kernel-log", "pass"), ("a/b/c", "fail"),
            ("runner/boot/kernel-log", "fail"), ("a/b/d", "pass")])
        # a failure says why in results.tsv and JUnit, not only in TAP
        self.assertEqual(got[1].reason, "killed after 5s")

    def test_death_still_resumes_after_the_case(self):
        rc, starts, got = run([
            ["PLAN 3", "RUN 1 runner/boot/kernel-log timeout=1",
             "ok 1 runner/boot/kernel-log", "RUN 2 a/b/c timeout=5"],
            ["PLAN 3", "RUN 3 a/b/d", "ok 3 a/b/d", "DONE"]])
        self.assertEqual((rc, starts), (1, [1, 3]))
        self.assertEqual((got[1].status, got[1].reason),
                         ("fail", "guest died in this case"))
        self.assertEqual(got[1].diag[-2:], ["last console lines:",
                                            "last console line"])



class Elsewhere(unittest.TestCase):
    SCRIPT = ["PLAN 3", "RUN 1 runner/boot/kernel-log timeout=1",
              "ok 1 runner/boot/kernel-log", "RUN 2 b/rust_binder/ping",
              "ok 2 b/rust_binder/ping # SKIP elsewhere: second boot",
              "RUN 3 a/b/c", "ok 3 a/b/c", "DONE"]

    def test_not_counted(self):
        out = io.StringIO()
        rc, _, got = run([self.SCRIPT], out=out)
        self.assertEqual(rc, 0)
        self.assertEqual(got[1].status, "elsewhere")
        self.assertEqual(out.getvalue().splitlines()[-1],
                         "2 passed, 0 failed, 0 skipped")

    def test_a_failure_in_the_boot_meant_for_it(self):
        """make test's second boot runs WITHIN='*/rust_binder/*': a case
        there that says it runs elsewhere never runs anywhere."""
        rc, _, got = run([self.SCRIPT], ["rfl.within=*/rust_binder/*"])
        self.assertEqual(rc, 1)
        self.assertEqual(got[1].status, "fail")
        self.assertIn("runs elsewhere: second boot", got[1].reason)


class AllSkipped(unittest.TestCase):
    SCRIPT = ["PLAN 3", "RUN 1 runner/boot/kernel-log timeout=1",
              "ok 1 runner/boot/kernel-log", "RUN 2 e/e1000/coalesce",
              "ok 2 e/e1000/coalesce # SKIP no ITR on the 82540",
              "RUN 3 e/ce1000/coalesce", "ok 3 e/ce1000/coalesce", "DONE"]

    def test_a_failure_of_the_run(self):
        rc, _, got = run([self.SCRIPT])
        self.assertEqual(rc, 1)
        self.assertEqual((got[-1].name, got[-1].status),
                         ("runner/all-skipped/e/e1000", "fail"))

    def test_left_to_the_parent_of_a_guest_of_several(self):
        rc, _, got = run([self.SCRIPT], ["rfl.shard=0/2"])
        self.assertEqual(rc, 0)
        self.assertEqual(len(got), 3)


class ClosingLine(unittest.TestCase):
    """CI reads the last line: exactly N passed, N failed, N skipped."""

    def test_one_guest(self):
        out = io.StringIO()
        rc, _, _ = run([ONE_BOOT], out=out)
        lines = out.getvalue().splitlines()
        self.assertEqual(rc, 0)
        self.assertEqual(lines[-2:], [
            "1 xfail: known bugs of mainline drivers (not failures)",
            "2 passed, 0 failed, 0 skipped"])

    def test_a_guest_of_several_says_so(self):
        """Only the parent of a sharded run prints the closing line."""
        out = io.StringIO()
        run([ONE_BOOT], ["rfl.shard=1/2"], out)
        lines = out.getvalue().splitlines()
        self.assertEqual(lines[-1], "guest 1/2: 2 passed, 0 failed, 0 "
                         "skipped")
        self.assertFalse([x for x in lines
                          if re.match(r"\d+ passed, \d+ failed", x)])


if __name__ == "__main__":
    unittest.main()
