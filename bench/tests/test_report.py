# SPDX-License-Identifier: GPL-2.0
"""bench/report.py, features.py, compare.py and the compare side of
qemu/runner.py on fixtures whose answers are worked out by hand (in the
comments next to each assertion)."""

import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import unittest.mock

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
TOP = os.path.dirname(BENCH)
FIX = os.path.join(HERE, "fixtures")
sys.path[:0] = [BENCH, os.path.join(TOP, "qemu")]
import compare  # noqa: E402
import features  # noqa: E402
import report  # noqa: E402
import results  # noqa: E402
import runner  # noqa: E402

R = results.Result


def shown(rows):
    """Table rows as printed: each ratio (stats.Ratio) as its text."""
    return [[str(c) if isinstance(c, report.stats.Ratio) else c for c in r]
            for r in rows]

BERKELEY = """   text	   data	    bss	    dec	    hex	filename
   1234	     56	      8	   1298	    512	cfoo.ko
"""
SYSV = """cfoo.ko  :
section              size   addr
.text                1000      0
.init.text            234      0
.data                  56      0
.bss                    8      0
.debug_info           300      0
.debug_str             45      0
.comment               20      0
Total                1863
"""


class Parsing(unittest.TestCase):
    def test_llvm_size_output(self):
        self.assertEqual(report.parse_berkeley(BERKELEY), (1234, 56, 8))
        # .debug_info + .debug_str; .comment is not debug
        self.assertEqual(report.parse_sysv_debug(SYSV), 345)

    def test_bench_line(self):
        case, kv = report.parse_bench_line(
            "compare/nullblk/fio\tbench=nullblk impl=cnull config=backed "
            "engine=psync rw=randread jobs=1 round=2 iops=12345.5\n")
        self.assertEqual(case, "compare/nullblk/fio")
        self.assertEqual(kv["impl"], "cnull")
        self.assertEqual(kv["iops"], "12345.5")
        self.assertEqual(len(kv), 8)

    def test_bench_dir(self):
        self.assertEqual(report.bench_dir("compare/modules/load-unload"),
                         "modules")
        self.assertEqual(report.bench_dir("compare/e1000/ping-iperf3"), "e1000")
        self.assertEqual(report.bench_dir("binder/interleaved/ping"), "binder")


@unittest.skipUnless(shutil.which("llvm-mc") and shutil.which("llvm-size"),
                     "needs llvm-mc and llvm-size (the tool root has them)")
class SizeTable(unittest.TestCase):
    """Modules assembled with known section sizes, measured by the same
    code as the report's size tables."""

    def obj(self, path, text, data, bss, debug, rust=False):
        sym = "_RNvCs1_4rfoo4main" if rust else "cfoo_main"
        src = (f".text\n.globl {sym}\n{sym}:\n.space {text}\n"
               f".data\n.space {data}\n.bss\n.zero {bss}\n"
               f'.section .debug_info,"",@progbits\n.space {debug}\n')
        subprocess.run(["llvm-mc", "-filetype=obj",
                        "-triple=aarch64-linux-gnu", "-o", path, "-"],
                       input=src, text=True, check=True)

    def test_sizes_and_twins(self):
        with tempfile.TemporaryDirectory() as d:
            mods = os.path.join(d, "lib", "modules", "7.3.0", "extra",
                                "drivers", "foo")
            os.makedirs(mods)
            self.obj(os.path.join(mods, "cfoo.ko"), 100, 20, 40, 7)
            self.obj(os.path.join(mods, "rfoo.ko"), 200, 40, 80, 9, True)
            self.assertEqual(report.sizes(os.path.join(mods, "cfoo.ko")),
                             (100, 20, 40, 7))
            with open(os.path.join(d, "modules.tsv"), "w") as f:
                for n in ("cfoo", "rfoo"):
                    f.write(f"{n}\textra/drivers/foo/{n}.ko\t1\n")
            rows = report.module_rows(d, "7.3.0", {
                "cfoo": {"load": "ok", "unload": "ok"},
                "rfoo": {"load": "already-loaded", "unload": "permanent"}})
        self.assertEqual([r[:3] for r in rows],
                         [["cfoo", "ours", "C"], ["rfoo", "ours", "Rust"]])
        self.assertEqual(rows[0][4:9], [100, 20, 40, 7, "ok"])
        self.assertEqual(rows[1][8],
                         "ok (permanent, loaded by an earlier bench)")
        # C 160 bytes, Rust 320: ratio 2.00, no paper figure for "foo"
        self.assertEqual(report.pair_rows(rows),
                         [["foo", "cfoo", 160, 7, "rfoo", 320, 9, "2.00",
                           "-"]])

    def test_whole_report(self):
        """main() on the fixture boots: every output file, the failed
        cells in each, and a non-zero status for the failed bench."""
        with tempfile.TemporaryDirectory() as d:
            suite = os.path.join(d, "suite-main")
            mods = os.path.join(suite, "lib", "modules", "7.3.0", "extra")
            os.makedirs(mods)
            self.obj(os.path.join(mods, "cnull.ko"), 10, 0, 0, 0)
            with open(os.path.join(suite, "modules.tsv"), "w") as f:
                f.write("cnull\textra/cnull.ko\t1\n")
            out = os.path.join(d, "report.new")
            os.makedirs(out)
            with open(os.path.join(out, "versions.txt"), "w") as f:
                f.write("rustc     rustc 1.85.1\nproject   git abc-dirty\n")
            argv = ["report.py", "--suite", suite, "--out", out,
                    "--tests", os.path.join(FIX, "results.tsv"),
                    "--run", f"main={FIX}/runs/main",
                    "--run", f"rustbinder={FIX}/runs/rustbinder"]
            with contextlib.redirect_stdout(io.StringIO()) as text, \
                    unittest.mock.patch.object(sys, "argv", argv):
                rc = report.main()
            self.assertEqual(rc, 1)
            self.assertIn("benchmarks that failed: modules (main boot)",
                          text.getvalue())
            # rust_binder's only round in the fixture: 30 us
            rust = "30.0 [30.0..30.0]"
            why = "failed: compare/nullblk/fio: FAIL: fio randread; exit " \
                "status 1"
            for name in ("report.md", "report.txt", "index.html"):
                with open(os.path.join(out, name)) as f:
                    page = f.read()
                self.assertIn(why, page, name)
                self.assertIn("git abc-dirty", page, name)
                self.assertIn(rust, page, name)
            with open(os.path.join(out, "index.html")) as f:
                self.assertIn(f'<td class="failed">{why}</td>', f.read())


class Figures(unittest.TestCase):
    def setUp(self):
        self.runs = report.Runs([
            ("main", os.path.join(FIX, "runs", "main")),
            ("rustbinder", os.path.join(FIX, "runs", "rustbinder")),
            ("gone", os.path.join(FIX, "runs", "no-such-boot"))])

    def test_runs(self):
        r = self.runs
        self.assertEqual(r.loads["rnull_mod"]["load"], "failed")
        self.assertEqual(r.missing("nullblk"),
                         "failed: compare/nullblk/fio: FAIL: fio randread; "
                         "exit status 1")
        self.assertEqual(r.missing("modules"),
                         "failed: compare/modules/load-unload: FAIL: modules "
                         "that did not load and unload: rnull_mod; exit "
                         "status 1")
        self.assertEqual(r.missing("e1000"), "not run")
        self.assertEqual(r.missing("binder", "gone"),
                         "failed: the boot did not finish")
        self.assertEqual(r.seconds, {"rustbinder": "81"})
        impls = {d["impl"] for d in r.bench if d["boot"] == "rustbinder"}
        self.assertEqual(impls, {"rust_binder", "cbinder (rustbinder boot)"})

    def test_semaphore(self):
        # csemaphore 100 300 170 -> 170 (mean 190); rsemaphore 150 350
        # 250 -> 250. Paired by round: 1.50, 1.17, 1.47 -> median 1.47
        # (not 250 / 170 = 1.47 by chance: the ratio of the medians), all
        # above 1, so the interval is too.
        rows = report.semaphore_rows(self.runs.bench)
        self.assertEqual(shown(rows)[0][:4],
                         [1, 3, "170 [100..300]", "250 [150..350]"])
        r = rows[0][4]
        self.assertEqual(sorted(round(v, 2) for v in r.values),
                         [1.17, 1.47, 1.5])
        self.assertTrue(r.excludes_one())
        self.assertTrue(1.16 < r.lo <= r.median <= r.hi <= 1.5)

    def test_failed_bench_keeps_its_cells(self):
        rows = report.nullblk_rows(self.runs.bench, self.runs.missing)
        why = self.runs.missing("nullblk")
        self.assertEqual(shown(rows), [["-", "-", "-", "-", 0, why, why,
                                        "-", why, "-", "-"]])
        # not failed, not run: no section at all
        self.assertEqual(report.nullblk_rows(self.runs.bench), [])
        rep = report.Report()
        report.e1000_section(rep, self.runs.bench, [],
                             lambda d, b="main": "failed: guest hung")
        self.assertEqual(rep.sections[0][3][0][:3],
                         ["e1000", 0, "failed: guest hung"])

    def test_nullblk(self):
        bench = [{"bench": "nullblk", "impl": i, "config": "nobacked",
                  "engine": "psync", "rw": "randread", "jobs": "1",
                  "round": str(r), "iops": str(v)}
                 for i, vals in (("null_blk", (100, 120, 110)),
                                 ("cnull", (99, 90, 120)),
                                 ("rnull", (50, 55, 70)))
                 for r, v in enumerate(vals, 1)]
        bench.append({"bench": "nullblk", "impl": "rnull", "config": "backed",
                      "round": "1", "skip": "no-memory-backing"})
        # medians 110, 99, 55; paired by round: cnull 0.99 0.75 1.09 ->
        # 0.99 (the ratio of the medians would be 0.90), rnull 0.50
        # 0.458 0.636 -> 0.50, cnull / rnull 1.98 1.64 1.71 -> 1.71
        rows = report.nullblk_rows(bench)
        self.assertEqual(shown(rows)[0][:7] + [shown(rows)[0][8]],
                         ["nobacked", "psync", "randread", 1, 3,
                          "110 [100..120]", "99 [90..120]", "55 [50..70]"])
        self.assertEqual([round(rows[0][k].median, 2) for k in (7, 9, 10)],
                         [0.99, 0.5, 1.71])
        # cnull's ratios straddle 1: no verdict; rnull's all lie below.
        self.assertFalse(rows[0][7].excludes_one())
        self.assertTrue(rows[0][9].excludes_one())

    def test_binder_across_boots(self):
        rep = report.Report()
        rows = report.binder_section(rep, self.runs.bench, [],
                                     self.runs.missing)
        by = {r[1]: r for r in rows}
        # medians: cbinder 20, binder_linux 20, rust_binder 30, cbinder in
        # the rustbinder boot 15
        # cbinder / binder_linux by round: 10/20 20/10 30/40 -> 0.75
        self.assertEqual(shown(rows)[0][3:6], ["20.0 [10.0..30.0]",
                                              str(by["cbinder"][4]),
                                              "1.00 [1.00..1.00]"])
        self.assertEqual(by["cbinder"][4].median, 0.75)
        # rust_binder's one round (30) against round 1 of binder_linux
        # (20) and of cbinder in its own boot (15)
        self.assertEqual([str(r) for r in by["rust_binder"][4:6]],
                         ["1.50 [1.50..1.50]", "2.00 [2.00..2.00]"])
        self.assertEqual(str(by["cbinder (rustbinder boot)"][4]),
                         "0.75 [0.75..0.75]")
        # 1M round trips at 30 us each: 30 s
        self.assertEqual(by["rust_binder"][6], "30.0")
        # the paper's column only where the paper has a figure
        self.assertNotEqual(by["rust_binder"][7], "-")
        self.assertEqual(by["cbinder"][7], "-")
        self.assertIn("second boot", rep.sections[0][1])
        # a Rust binder boot that failed: its cell says so
        rep = report.Report()
        rows = report.binder_section(
            rep, [d for d in self.runs.bench if d["boot"] == "main"], [],
            lambda d, b="main": "failed: exit status 1"
            if b == "rustbinder" else "not run")
        self.assertIn([1, "rust_binder", 0, "failed: exit status 1", "-",
                       "-", "-", "-"], shown(rows))


class FeatureMatrix(unittest.TestCase):
    def test_matrix(self):
        got = features.matrices(os.path.join(FIX, "top"),
                                os.path.join(FIX, "results.tsv"),
                                {"cfoo": 0, "rfoo": 1})
        self.assertEqual(got, [("drv", ["cfoo", "rfoo"], [
            ["open the device", "pass", "pass"],
            ["ioctl", "pass", "no: no ioctl in rfoo"],
            # cfoo's write failed; rfoo has no result for "read"
            ["write and read back", "FAIL: write", "partial: some not run"],
            # "power management" has no test in the results: no row
        ])])

    def test_differential(self):
        got = report.differential(os.path.join(FIX, "results.tsv"))
        self.assertEqual(got["drv"][0], ["cfoo", "rfoo"])
        self.assertIn(("ioctl", ["pass", "skip: no ioctl in rfoo"]),
                      got["drv"][1])
        self.assertNotIn("runner", got)


class Xfail(unittest.TestCase):
    """A known bug of a mainline driver: its own cell, count and table."""

    def write_results(self, d):
        path = os.path.join(d, "results.tsv")
        results.write_tsv(path, [
            R("drv/cfoo/write", "pass"), R("drv/cfoo/read", "pass"),
            R("drv/foo/write", "pass"),
            R("drv/foo/read", "xfail", "stale data (see README.md: foo)"),
            R("runner/boot/kernel-log", "pass")])
        return path

    def test_feature_cell_and_differential(self):
        with tempfile.TemporaryDirectory() as d:
            path = self.write_results(d)
            got = features.matrices(os.path.join(FIX, "top"), path)
            diff = report.differential(path)
        self.assertEqual(got[0][2][0], ["write and read back", "pass",
                                        "known bug: stale data (see "
                                        "README.md: foo)"])
        self.assertIn(("read", ["pass", "xfail: stale data (see README.md: "
                                "foo)"]), diff["drv"][1])

    def test_sections(self):
        with tempfile.TemporaryDirectory() as d:
            merged = results.read_tsv(self.write_results(d))
        rep = report.Report()
        report.tests_sections(rep, merged, "results.tsv")
        (_, _, _, counts, _, _), (title, _, _, bugs, _, _) = rep.sections
        self.assertEqual(counts, [["drv", "cfoo", 2, 0, 0, 0],
                                  ["drv", "foo", 1, 0, 0, 1]])
        self.assertIn("xfail", title)
        self.assertEqual(bugs, [["drv/foo/read", "stale data (see "
                                 "README.md: foo)"]])
        page = report.render_html("", [("F", "", ("f", "foo"),
                                        [["read", "known bug: stale"]],
                                        (), ())])
        self.assertIn('<td class="xfail">known bug: stale</td>', page)


class Debian(unittest.TestCase):
    """make test VARIANT=debian beside make test: counts per
    implementation and the cases whose outcome changed."""

    def test_rows(self):
        ours = [R("drv/cfoo/write", "pass"), R("drv/cfoo/read", "pass"),
                R("drv/rfoo/read", "pass"), R("drv/foo/read", "xfail", "x"),
                R("pipeline/foo/load-unload", "pass")]
        debian = [R("drv/cfoo/write", "pass"), R("drv/cfoo/read", "fail"),
                  R("drv/rfoo/read", "skip", "Rust twin"),
                  R("drv/foo/read", "xfail", "x"),
                  R("pipeline/foo/load-unload", "skip", "built in")]
        self.assertEqual(report.debian_rows(ours, debian), [
            # cfoo: 2 pass on ours; 1 pass 1 fail on Debian's, read changed
            ["drv", "cfoo", "2 pass / 0 fail / 0 skip / 0 xfail",
             "1 pass / 1 fail / 0 skip / 0 xfail", "read: pass -> fail"],
            ["drv", "foo", "0 pass / 0 fail / 0 skip / 1 xfail",
             "0 pass / 0 fail / 0 skip / 1 xfail", "none"],
            ["drv", "rfoo", "1 pass / 0 fail / 0 skip / 0 xfail",
             "0 pass / 0 fail / 1 skip / 0 xfail", "read: pass -> skip"]])

    def test_section_only_with_results(self):
        rep = report.Report()
        report.debian_section(rep, [], "/nonexistent/results.tsv")
        self.assertEqual(rep.sections, [])


class Html(unittest.TestCase):
    def test_tables_escaped(self):
        page = report.render_html(
            "machine <x>", [("T & U", "a note", ("h1", "h2"),
                             [["<b>", "failed: no RESULT lines"], ["1", 2]],
                             (1,), [("Plot", "p.svg")])])
        self.assertIn("<h2 id=\"s0\">T &amp; U</h2>", page)
        self.assertIn("<td>&lt;b&gt;</td>", page)
        self.assertIn('<td class="failed">failed: no RESULT lines</td>', page)
        self.assertIn('<td class="n">2</td>', page)
        self.assertIn('<img src="p.svg"', page)
        self.assertNotIn("<b>", page)


class Markdown(unittest.TestCase):
    def test_table(self):
        self.assertEqual(report.markdown(("a", "b"), [["x|y", 2]]),
                         "| a | b |\n|---|---|\n| x\\|y | 2 |")


class Runner(unittest.TestCase):
    def test_failure_reason(self):
        diag = ["RESULT bench=x impl=a round=1 v=1", "FAIL: fio randread",
                "killed after 1800s"]
        self.assertEqual(runner.failure_reason(diag),
                         "FAIL: fio randread; killed after 1800s")
        self.assertEqual(runner.failure_reason(["exit status 4"]),
                         "exit status 4")

    def test_progress_line_per_result(self):
        """A line as each RESULT arrives, naming bench, round k of n and
        the implementation; nothing for other lines."""
        p = runner.Progress(time.monotonic())
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            p.start("binder/interleaved/ping")
            self.assertEqual(out.getvalue(),
                             "  [0:00] binder/interleaved/ping: running\n")
            out.truncate(0)
            out.seek(0)
            p.line("PROGRESS bench=binder rounds=5")
            p.line("# cbinder, 4 threads")
            self.assertEqual(out.getvalue(), "")
            p.line("RESULT bench=binder impl=cbinder threads=1 round=1 x=1 "
                   "cfg_cpus=0")
            self.assertEqual(out.getvalue(),
                             "  [0:00] binder round 1/5: cbinder threads=1 "
                             "x=1\n")
            p.line("RESULT bench=binder impl=binder_linux threads=1 round=1")
            p.line("RESULT module=cnull load=ok")
        lines = out.getvalue().splitlines()
        self.assertEqual(len(lines), 2)
        self.assertEqual(lines[1], "  [0:00] binder round 1/5: binder_linux "
                         "threads=1")

    def test_bench_lines(self):
        """bench.tsv keeps the RESULT lines and the rounds planned."""
        self.assertEqual(runner.bench_lines("b/x/y", [
            "PROGRESS bench=b rounds=3", "# noise", "RESULT bench=b v=1",
            "FAIL: x"]),
            ["b/x/y\tPROGRESS bench=b rounds=3\n", "b/x/y\tbench=b v=1\n"])


class ReportDir(unittest.TestCase):
    def test_replace_keeps_the_previous(self):
        with tempfile.TemporaryDirectory() as d:
            final, new = os.path.join(d, "report"), os.path.join(d, "r.new")
            for path, text in ((final, "old"), (new, "new")):
                os.makedirs(path)
                with open(os.path.join(path, "report.md"), "w") as f:
                    f.write(text)
            compare.replace_dir(new, final)
            for path, text in ((final, "new"), (final + ".prev", "old")):
                with open(os.path.join(path, "report.md")) as f:
                    self.assertEqual(f.read(), text)
            self.assertFalse(os.path.exists(new))


class Only(unittest.TestCase):
    def test_names(self):
        with tempfile.TemporaryDirectory() as d:
            for sub, f in (("a", "x.sh"), ("b", "y.c"), ("tests", "t.py")):
                os.makedirs(os.path.join(d, "bench", sub))
                open(os.path.join(d, "bench", sub, f), "w").close()
            self.assertEqual(compare.bench_names(d), ["a", "b"])
            self.assertIsNone(compare.check_only("", d))
            self.assertIsNone(compare.check_only("b", d))
            self.assertEqual(compare.check_only("tests", d),
                             "ONLY=tests: no benchmark by that name; valid "
                             "names: a b")


if __name__ == "__main__":
    unittest.main()


class Summary(unittest.TestCase):
    """The tables that open the report and what the run recorded."""

    def test_kernel_options_from_the_config(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "kernel.config")
            with open(path, "w") as f:
                f.write("CONFIG_PROVE_LOCKING=y\n# CONFIG_DEBUG_LIST is not "
                        "set\nCONFIG_HZ=250\n")
            got = report.kernel_options(path)
        self.assertIn("PROVE_LOCKING=y", got)
        self.assertIn("DEBUG_LIST=n", got)
        self.assertIn("HZ=250", got)
        self.assertEqual(report.kernel_options("/nonexistent"),
                         "not recorded")

    def test_machine_from_the_run(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "host"), "w") as f:
                f.write("cpu_model Some CPU\ncpus 2\nload_before 1.00 0.50 "
                        "0.25\nload_after 2.00 1.00 0.50\n")
            with open(os.path.join(d, "kernel"), "w") as f:
                f.write("variant bench\nrelease 7.3.4 (build-bench-x)\n")
            rows = report.machine([("main", d)])
        self.assertEqual(rows[0][:2], ["main", "host"])
        self.assertIn("2 x Some CPU", rows[0][2])
        self.assertIn("1.00 0.50 0.25 before the boot, 2.00 1.00 0.50 after",
                      rows[0][2])
        self.assertIn("variant bench, 7.3.4", rows[1][2])

    def test_config_read_back(self):
        bench = [{"bench": "nullblk", "impl": "cnull", "cfg_depth": "256",
                  "cfg_backed": b} for b in ("1", "0", "1")]
        bench.append({"bench": "nullblk", "module": "x"})
        self.assertEqual(report.config_rows(bench),
                         [["nullblk", "cnull", "backed=0|1 depth=256"]])

    def test_summary_and_goals(self):
        Ratio = report.stats.Ratio
        low = Ratio([0.9, 0.91, 0.92])
        nullblk = [["backed", "psync", "randread", 4, 3, "", "", low, "",
                    Ratio([]), Ratio([])],
                   ["nobacked", "psync", "randread", 4, 3, "", "",
                    Ratio([1.0, 1.0, 1.0]), "", Ratio([2.0, 2.1, 2.2]),
                    Ratio([0.5, 0.5, 0.5])]]
        heads = report.headlines([], nullblk, [], [])
        # cnull from the paper's cell (backed), rnull from where it ran
        self.assertIn("0.91 [0.90..0.92] of null_blk's (backed",
                      heads["cnull"])
        self.assertIn("2.10 [2.00..2.20] of null_blk's (nobacked",
                      heads["rnull"])
        modules = [["cnull", "ours", "C", 0, 100, 0, 0, 0, "ok", ""],
                   ["rnull_mod", "mainline", "Rust", 0, 150, 0, 0, 0, "ok",
                    ""]]
        feats = [("nullblk", ["cnull", "rnull"],
                  [["a", "pass", "pass"], ["b", "pass", "no: x"]])]
        rows = report.summary_rows(modules, [], feats, heads)
        self.assertEqual(rows[0][0], "nullblk")
        self.assertTrue(rows[0][1].startswith("2/2 features passed; size 1 "
                                              "(reference); IOPS 0.91"))
        self.assertEqual(rows[0][2], "-")
        self.assertTrue(rows[0][4].startswith("1/2 features passed; size "
                                              "1.50; IOPS 2.10"))
        goals = report.goal_rows(nullblk, [], [], [])
        self.assertEqual(goals[0][2], "missed (goal >= 1.00)")
        self.assertEqual(goals[1][2], "cnull is slower")

    def test_guest_arch_and_not_applicable(self):
        with tempfile.TemporaryDirectory() as d:
            # No .config line names x86_64, no not-applicable file: arm64,
            # everything applicable.
            with open(os.path.join(d, "kernel.config"), "w") as f:
                f.write("CONFIG_ARM64=y\n")
            self.assertEqual(report.guest_arch(d), "arm64")
            self.assertEqual(report.not_applicable(d), {})
            with open(os.path.join(d, "kernel.config"), "w") as f:
                f.write("CONFIG_64BIT=y\nCONFIG_X86_64=y\n")
            with open(os.path.join(d, "not-applicable"), "w") as f:
                f.write("cpl061 no PL061 on a PC\n"
                        "pipeline/qemu/power-button no PL061 either\n")
            self.assertEqual(report.guest_arch(d), "x86_64")
            na = report.not_applicable(d)
            self.assertEqual(na["cpl061"], "no PL061 on a PC")
            self.assertEqual(na["pipeline/qemu/power-button"],
                             "no PL061 either")
        # The summary says why instead of sizing a module never built.
        rows = report.summary_rows([], [], [], {}, None, na)
        pl061 = [r for r in rows if r[0] == "gpio_pl061"][0]
        self.assertEqual(pl061[1], "not applicable: no PL061 on a PC")
        self.assertTrue(pl061[2].startswith("features: no results"))
