# SPDX-License-Identifier: GPL-2.0
"""qemu/results.py, the one reader and writer of results, and the runner's
use of it: TAP lines as the guest sends them, the three files of a results
directory, the shards of a run merged, and the closing line."""

import contextlib
import io
import os
import re
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [os.path.join(TOP, "qemu")]
import results  # noqa: E402
import runner  # noqa: E402

R = results.Result


def sample():
    return [R("drv/cfoo/open", "pass", "", 0.5, ["opened /dev/foo"]),
            R("drv/cfoo/write", "fail", "", 1.25,
              ["FAIL: wrote 3 of 4", "exit status 1"]),
            R("drv/rfoo/ioctl", "skip", "no ioctl in rfoo", 0.1)]


class TapLines(unittest.TestCase):
    def test_outcomes(self):
        p = results.parse_tap_line
        self.assertEqual(p("ok 1 a/b/c"), (1, "a/b/c", "pass", ""))
        self.assertEqual(p("not ok 2 a/b/c"), (2, "a/b/c", "fail", ""))
        self.assertEqual(p("ok 3 a/b/c # SKIP no ioctl"),
                         (3, "a/b/c", "skip", "no ioctl"))
        self.assertEqual(p("ok 4 a/b/c # SKIP"),
                         (4, "a/b/c", "skip", "no reason given"))
        # why a self-test passed
        self.assertEqual(p("ok 5 runner/x/y # splat caught"),
                         (5, "runner/x/y", "pass", "splat caught"))

    def test_xfail_is_tap_todo(self):
        """TAP's expected failure: neither a pass nor a failure to a TAP
        reader that knows nothing of xfail."""
        line = "not ok 6 g/gpio_pl061/no_stale_edge # TODO stale (see X)"
        self.assertEqual(results.parse_tap_line(line),
                         (6, "g/gpio_pl061/no_stale_edge", "xfail",
                          "stale (see X)"))
        r = R("g/gpio_pl061/no_stale_edge", "xfail", "stale (see X)", 0,
              ["1 stale event"])
        self.assertEqual(results.tap_entry(6, r), line + "\n# 1 stale "
                         "event\n")

    def test_elsewhere(self):
        """A case that runs in the other boot (tests/lib/rfl.sh elsewhere,
        RFL_ELSEWHERE): the guest sends it as a skip with this prefix."""
        self.assertEqual(results.parse_tap_line(
            "ok 3 b/rust_binder/ping # SKIP elsewhere: second boot"),
            (3, "b/rust_binder/ping", "elsewhere", "second boot"))

    def test_not_ok_is_a_failure_whatever_it_says(self):
        """A case that skipped but splatted: the guest says "not ok"."""
        self.assertEqual(results.parse_tap_line("not ok 7 a/b/c # SKIP x"),
                         (7, "a/b/c", "fail", ""))

    def test_other_lines(self):
        for line in ("# ok 1 a/b/c", "1..3", "okay 1 x", "ok x a/b/c",
                     "RUN 1 a/b/c timeout=1", ""):
            self.assertIsNone(results.parse_tap_line(line), line)


class Files(unittest.TestCase):
    def test_tap_keeps_diagnostics(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "results.tap")
            results.write_tap(path, sample(), "two guests")
            with open(path) as f:
                text = f.read()
            got = results.read_tap(path)
        self.assertEqual(text.splitlines()[:4], [
            "# two guests", "ok 1 drv/cfoo/open", "# opened /dev/foo",
            "not ok 2 drv/cfoo/write"])
        self.assertTrue(text.endswith("ok 3 drv/rfoo/ioctl # SKIP no ioctl "
                                      "in rfoo\n1..3\n"))
        # TAP has no seconds
        self.assertEqual([(r.name, r.status, r.reason, r.diag) for r in got],
                         [(r.name, r.status, r.reason, r.diag)
                          for r in sample()])

    def test_tsv_round_trip_and_one_line_reasons(self):
        rows = sample() + [R("drv/rfoo/open", "fail", "two\tfields\nand "
                             "a line", 2)]
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "results.tsv")
            results.write_tsv(path, rows)
            with open(path) as f:
                lines = f.readlines()
            got = results.read_tsv(path)
        self.assertEqual(lines[0], "name\tstatus\treason\tseconds\n")
        self.assertEqual(lines[2], "drv/cfoo/write\tfail\t\t1.25\n")
        self.assertEqual(lines[4], "drv/rfoo/open\tfail\ttwo fields and a "
                         "line\t2.00\n")
        self.assertEqual([(r.name, r.status, r.seconds) for r in got],
                         [(r.name, r.status, r.seconds) for r in rows])
        self.assertEqual(got[3].reason, "two fields and a line")
        self.assertEqual(got[0].diag, [])

    def test_tsv_with_a_tab_in_a_reason(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "results.tsv")
            with open(path, "w") as f:
                f.write(results.HEADER + "a/b/c\tskip\tx\ty\t0.50\n")
            self.assertEqual(results.read_tsv(path),
                             [R("a/b/c", "skip", "x y", 0.5)])

    def test_junit(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "junit.xml")
            results.write_junit(path, sample())
            root = ET.parse(path).getroot()
        suite = root.find("testsuite")
        self.assertEqual({k: suite.get(k) for k in
                          ("tests", "failures", "skipped", "time")},
                         {"tests": "3", "failures": "1", "skipped": "1",
                          "time": "1.85"})
        cases = suite.findall("testcase")
        self.assertEqual([(c.get("classname"), c.get("name"))
                          for c in cases],
                         [("drv.cfoo", "open"), ("drv.cfoo", "write"),
                          ("drv.rfoo", "ioctl")])
        self.assertIsNone(cases[0].find("failure"))
        self.assertEqual(cases[1].find("system-out").text,
                         "FAIL: wrote 3 of 4\nexit status 1\n")
        self.assertEqual(cases[2].find("skipped").get("message"),
                         "no ioctl in rfoo")

    def test_junit_xfail_apart(self):
        """JUnit has no expected failure: a <skipped> of type xfail."""
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "junit.xml")
            results.write_junit(path, [R("a/b/c", "xfail", "stale (see X)"),
                                       R("a/b/d", "pass")])
            suite = ET.parse(path).getroot().find("testsuite")
        self.assertEqual((suite.get("failures"), suite.get("skipped")),
                         ("0", "1"))
        skipped = suite.find("testcase/skipped")
        self.assertEqual((skipped.get("type"), skipped.get("message")),
                         ("xfail", "known bug: stale (see X)"))

    def test_directory(self):
        with tempfile.TemporaryDirectory() as d:
            results.write_dir(d, sample())
            self.assertEqual(sorted(os.listdir(d)), sorted(results.FILES))
            self.assertEqual(results.read_dir(d), sample())
            rows = sample() + [R("a/b/c", "xfail", "stale (see X)", 1,
                                 ["stale"])]
            results.write_dir(d, rows)
            self.assertEqual(results.read_dir(d), rows)

    def test_update_replaces_the_cases_a_run_ran(self):
        old = [R("d/a/x", "fail", "old", 1, ["old x"]),
               R("d/b/y", "pass", "", 2, ["old y"])]
        new = [R("d/a/x", "pass", "", 3, ["new x"]),
               R("d/c/z", "skip", "none", 4, [])]
        with tempfile.TemporaryDirectory() as acc, \
                tempfile.TemporaryDirectory() as last:
            results.write_dir(last, new)
            # the first run: nothing to fold into
            self.assertEqual(results.update(acc, last), new)
            results.write_dir(acc, old)
            results.update(acc, last)
            got = results.read_dir(acc)
        # x from the new run, y kept, z added; sorted by name
        self.assertEqual([(r.name, r.status, r.diag) for r in got],
                         [("d/a/x", "pass", ["new x"]),
                          ("d/b/y", "pass", ["old y"]),
                          ("d/c/z", "skip", [])])

    def test_elsewhere_is_no_result(self):
        """In results.tsv only (make test looks there for a second boot
        due), not in TAP or JUnit; the diagnostics still line up."""
        rows = [R("b/rust_binder/ping", "elsewhere", "second boot")] + \
            sample()
        with tempfile.TemporaryDirectory() as d:
            results.write_dir(d, rows)
            with open(os.path.join(d, "results.tap")) as f:
                tap = f.read()
            self.assertEqual(results.read_dir(d), rows)
            suite = ET.parse(os.path.join(d, "junit.xml")).getroot()
        self.assertNotIn("rust_binder", tap)
        self.assertTrue(tap.startswith("ok 1 drv/cfoo/open\n"))
        self.assertTrue(tap.endswith("\n1..3\n"))
        self.assertEqual(suite.find("testsuite").get("tests"), "3")
        self.assertEqual(results.summary(results.counts(rows)),
                         "1 passed, 1 failed, 1 skipped")


class Counting(unittest.TestCase):
    def test_closing_line(self):
        """CI reads exactly this line."""
        line = results.summary(results.counts(sample()))
        self.assertEqual(line, "1 passed, 1 failed, 1 skipped")
        self.assertRegex(line, r"^\d+ passed, \d+ failed(, \d+ skipped)?$")

    def test_closing_line_with_xfail(self):
        """Known bugs on a line of their own, before the closing line,
        which stays the last and the same."""
        rows = sample() + [R("a/b/c", "xfail", "stale (see X)")] * 2
        lines = results.summary(results.counts(rows)).splitlines()
        self.assertEqual(lines, [
            "2 xfail: known bugs of mainline drivers (not failures)",
            "1 passed, 1 failed, 1 skipped"])

    def test_merge(self):
        main = [R("b/rust_binder/ping", "skip", "second boot"),
                R("b/rust_binder/unload", "skip", "second boot"),
                R("b/cbinder/ping", "pass"), R("d/c/x", "pass")]
        main += [R("g/m/stale", "xfail", "stale"), R("g/m/late", "xfail"),
                 R("p/rust_binder/fs", "elsewhere", "rustbinder"),
                 R("p/binder_linux/x", "elsewhere", "main")]
        second = [R("b/rust_binder/ping", "pass"),
                  R("b/rust_binder/unload", "skip", "built in"),
                  R("d/c/x", "fail", "EIO"), R("g/m/stale", "pass"),
                  R("g/m/late", "fail", "EBUSY"),
                  R("p/rust_binder/fs", "skip", "no binderfs")]
        got = {r.name: (r.status, r.reason)
               for r in results.merge([main, second])}
        self.assertEqual(got, {"b/rust_binder/ping": ("pass", ""),
                               "b/rust_binder/unload": ("skip", "built in"),
                               "b/cbinder/ping": ("pass", ""),
                               "d/c/x": ("fail", "EIO"),
                               # a known bug that showed once says more
                               # than a pass, a failure more than both
                               "g/m/stale": ("xfail", "stale"),
                               "g/m/late": ("fail", "EBUSY"),
                               # any outcome over "elsewhere"
                               "p/rust_binder/fs": ("skip", "no binderfs"),
                               "p/binder_linux/x": ("elsewhere", "main")})

    def test_an_implementation_that_skipped_every_case(self):
        rows = [R("d/cfoo/a", "pass"), R("d/cfoo/b", "skip", "no b"),
                R("d/rfoo/a", "skip", "no rfoo here"), R("d/rfoo/b", "skip"),
                R("d/rfoo/c", "elsewhere", "rustbinder"),
                R("b/rust_binder/a", "elsewhere", "second boot"),
                R("d/mfoo/a", "xfail", "stale"),
                R("pipeline/binder_linux/load-unload", "skip", "permanent"),
                R("runner/x/y", "skip")]
        self.assertEqual(results.all_skipped(rows), [
            R("runner/all-skipped/d/rfoo", "fail", "every one of its 2 "
              "case(s) skipped, the first: no rfoo here")])

    def test_not_applicable_is_no_failure(self):
        """An implementation this kernel cannot have (every skip says so)
        is not a failure; one not-applicable skip among others is."""
        na = results.NOT_APPLICABLE_PREFIX
        rows = [R("d/rtwin/a", "skip", na + "Rust twin"),
                R("d/rtwin/b", "skip", na + "Rust twin"),
                R("d/cfoo/a", "skip", na + "no PL061"),
                R("d/cfoo/b", "skip", "no b")]
        self.assertEqual(results.all_skipped(rows), [
            R("runner/all-skipped/d/cfoo", "fail", "every one of its 2 "
              "case(s) skipped, the first: " + na + "no PL061")])

    def test_both_boots_add_up(self):
        """make test's last line after its second boot: the main boot
        does not count the cases it says run elsewhere."""
        with tempfile.TemporaryDirectory() as d:
            main, second = os.path.join(d, "main"), os.path.join(d, "rb")
            os.makedirs(main)
            os.makedirs(second)
            results.write_dir(main, sample() + [
                R("b/rust_binder/ping", "elsewhere", "second boot")])
            results.write_dir(second, [R("b/rust_binder/ping", "pass"),
                                       R("runner/boot/kernel-log", "pass")])
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                rc = results.main([main, second])
            self.assertEqual((rc, out.getvalue()),
                             (1, "3 passed, 1 failed, 1 skipped\n"))
            with contextlib.redirect_stdout(io.StringIO()) as out:
                rc = results.main([second, os.path.join(d, "none")])
            self.assertEqual((rc, out.getvalue().splitlines()[-1]),
                             (1, "2 passed, 1 failed, 0 skipped"))


class Runner(unittest.TestCase):
    def test_shards_merged_with_their_diagnostics(self):
        with tempfile.TemporaryDirectory() as d:
            for k, rows in enumerate((sample()[:2], sample()[2:])):
                os.makedirs(os.path.join(d, f"shard{k}"))
                results.write_dir(os.path.join(d, f"shard{k}"), rows)
            got = runner.merge_shards(d, 3, "*")
            self.assertEqual(got[:3], sample())
            self.assertEqual(got[3], R("runner/shard2", "fail", "the guest "
                                       "runner wrote no results"))
            # rfoo's one case, in shard 1, skipped
            self.assertEqual(got[4].name, "runner/all-skipped/drv/rfoo")
            self.assertEqual(results.read_dir(d), got)
            with open(os.path.join(d, "results.tap")) as f:
                self.assertIn("not ok 2 drv/cfoo/write\n# FAIL: wrote 3 of "
                              "4\n", f.read())

    def test_whole_implementations(self):
        for filt, whole in (("*", True), ("nullblk/*", True),
                            ("nullblk/rnull/*", True),
                            ("nullblk/*/discard", False),
                            ("*/rnull/*", False), ("nullblk/r*/*", False),
                            ("nullblk/rnull/discard", False)):
            self.assertEqual(runner.whole_implementations(filt), whole, filt)

    def test_results_as_they_come(self):
        with tempfile.TemporaryDirectory() as d, \
                contextlib.redirect_stdout(io.StringIO()) as out:
            res = runner.Results(d)
            for r in sample():
                res.add(r.name, r.status, r.reason, r.seconds, r.diag)
            with open(os.path.join(d, "results.tap")) as f:
                partial = f.read()
            res.write()
            self.assertEqual(results.read_dir(d), sample())
        # before write(): every case but no plan line
        self.assertNotIn("1..", partial)
        self.assertIn("ok 3 drv/rfoo/ioctl # SKIP", partial)
        self.assertTrue(re.search(r"^FAIL drv/cfoo/write \[1\.2s\]$",
                                  out.getvalue(), re.M), out.getvalue())


if __name__ == "__main__":
    unittest.main()
