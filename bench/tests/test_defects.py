# SPDX-License-Identifier: GPL-2.0
"""Cases of the report generator, compare.py and the bench programs' own
parsing that went wrong once: merged test results, benchmarks that failed
part-way, boots that produced nothing, bad RESULT values, paper figures,
the e1000 table, and the fio and ping parsing of the bench scripts. The
expected values are worked out by hand in the comments."""

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import unittest.mock

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
TOP = os.path.dirname(BENCH)
FIX = os.path.join(HERE, "fixtures")
sys.path[:0] = [BENCH, os.path.join(TOP, "qemu")]
import compare  # noqa: E402
import report  # noqa: E402
from test_report import shown  # noqa: E402

HEAD = "name\tstatus\treason\tseconds\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


class MergedTests(unittest.TestCase):
    def test_outcome_over_skip_and_fail_over_pass(self):
        with tempfile.TemporaryDirectory() as d:
            main, rust = os.path.join(d, "main.tsv"), os.path.join(d, "r.tsv")
            write(main, HEAD +
                  "binder/rust_binder/ping\tskip\tRust binder: in make "
                  "test's second boot (rustbinder)\t0.00\n"
                  "binder/rust_binder/death\tskip\tsecond boot\t0.00\n"
                  "binder/rust_binder/unload\tskip\tsecond boot\t0.00\n"
                  "binder/cbinder/ping\tpass\t\t0.10\n"
                  "drv/cfoo/open\tpass\t\t0.10\n"
                  "pipeline/rust_binder/fs\telsewhere\tsecond boot\t0\n")
            write(rust, HEAD +
                  "binder/rust_binder/ping\tpass\t\t0.20\n"
                  "binder/rust_binder/death\tfail\tno reply\t0.20\n"
                  "binder/rust_binder/unload\tskip\tbuilt in\t0.00\n"
                  "drv/cfoo/open\tfail\tEIO\t0.10\n"
                  "binder/cbinder/ping\tskip\tnot here\t0.00\n")
            got = {r.name: [r.status, r.reason] for r in report.load_tests(
                [main, rust, os.path.join(d, "none.tsv")])}
        self.assertEqual(got, {
            "binder/rust_binder/ping": ["pass", ""],
            "binder/rust_binder/death": ["fail", "no reply"],
            "binder/rust_binder/unload": ["skip", "built in"],
            "binder/cbinder/ping": ["pass", ""],
            "drv/cfoo/open": ["fail", "EIO"]})


BINDER = ("binder/interleaved/ping\tbench=binder impl={} threads=1 "
          "round={} roundtrips=2000 seconds=0.02 us_per_roundtrip={}\n")


class PartialBench(unittest.TestCase):
    """A bench that failed in round 3 of 5: its rows of rounds 1 and 2 are
    no figures."""

    def runs(self, d):
        write(os.path.join(d, "main", "results.tsv"), HEAD +
              "binder/interleaved/ping\tfail\tguest hung in this case\t9\n"
              "semaphore/interleaved/roundtrips\tpass\t\t1\n")
        write(os.path.join(d, "main", "bench.tsv"),
              "binder/interleaved/ping\tPROGRESS bench=binder rounds=5\n" +
              "".join(BINDER.format(i, r, v) for r, v in ((1, 10), (2, 12))
                      for i in ("cbinder", "binder_linux")) +
              BINDER.format("cbinder", 3, 11) +
              "semaphore/interleaved/roundtrips\tbench=semaphore "
              "impl=csemaphore threads=1 round=1 roundtrips_per_s=5\n")
        return report.Runs([("main", os.path.join(d, "main"))])

    def test_cells_failed_with_rounds(self):
        with tempfile.TemporaryDirectory() as d:
            runs = self.runs(d)
        why = "failed: binder/interleaved/ping: guest hung in this case " \
            "(3 of 5 rounds)"
        self.assertEqual(runs.missing("binder"), why)
        self.assertEqual({b["bench"] for b in runs.bench}, {"semaphore"})
        rows = report.binder_section(report.Report(), runs.bench, [],
                                     runs.missing)
        by = {r[1]: r for r in rows}
        self.assertEqual(by["cbinder"][3], why)
        self.assertEqual(by["binder_linux"][3], why)
        found = report.findings([], [], [], [], rows)
        self.assertFalse([f for f in found if "Binder" in f[0]], found)


class BadRows(unittest.TestCase):
    def test_empty_value_is_a_failed_cell(self):
        """fio.sh's old iops= (no terse line): the bench's cells say why,
        and the report is still made."""
        with tempfile.TemporaryDirectory() as d:
            write(os.path.join(d, "results.tsv"), HEAD +
                  "compare/nullblk/fio\tpass\t\t30\n")
            write(os.path.join(d, "bench.tsv"),
                  "compare/nullblk/fio\tbench=nullblk impl=cnull "
                  "config=nobacked engine=psync rw=randread jobs=1 round=1 "
                  "iops=\n"
                  "compare/nullblk/fio\tbench=nullblk impl=null_blk "
                  "config=nobacked engine=psync rw=randread jobs=1 round=1 "
                  "iops=100\n")
            runs = report.Runs([("main", d)])
        why = "failed: compare/nullblk/fio: bad RESULT value iops='' " \
            "(1 of ? rounds)"
        self.assertEqual(runs.missing("nullblk"), why)
        self.assertEqual(shown(report.nullblk_rows(runs.bench, runs.missing)),
                         [["-", "-", "-", "-", 0, why, why, "-", why, "-",
                           "-"]])
        self.assertIn(("main", "nullblk"), runs.failed)

    def test_bad_rows_skipped_by_the_tables(self):
        bench = [{"bench": "semaphore", "impl": "csemaphore", "round": "1",
                  "threads": "x", "roundtrips_per_s": "1"},
                 {"bench": "semaphore", "impl": "csemaphore", "round": "1",
                  "threads": "1"}]
        self.assertEqual(report.semaphore_rows(bench), [])

    def test_zero_base_is_a_dash(self):
        sem = [{"bench": "semaphore", "impl": i, "threads": "1", "round": "1",
                "roundtrips_per_s": v}
               for i, v in (("csemaphore", "0"), ("rsemaphore", "5"))]
        self.assertEqual(str(report.semaphore_rows(sem)[0][4]), "-")
        e1000 = [{"bench": "e1000", "impl": i, "round": "1",
                  "ping_min_ms": "0", "ping_avg_ms": "0", "ping_max_ms": "0",
                  "ping_mdev_ms": "0", "tcp_mbit_s": t}
                 for i, t in (("e1000", "0"), ("ce1000", "10"))]
        rows = report.e1000_section(report.Report(), e1000, [])
        self.assertEqual([str(r[3]) for r in rows], ["-", "-"])
        self.assertEqual([str(r[6]) for r in rows], ["-", "-"])
        binder = [{"bench": "binder", "impl": i, "threads": "1",
                   "round": "1", "us_per_roundtrip": v}
                  for i, v in (("binder_linux", "0"), ("cbinder", "3"))]
        rows = report.binder_section(report.Report(), binder, [])
        self.assertEqual({r[1]: str(r[4]) for r in rows if r[2]},
                         {"cbinder": "-", "binder_linux": "-"})


class PaperFigures(unittest.TestCase):
    def test_binder_paper_ratio_next_to_the_mainline_ratio(self):
        rows = [[1, "rust_binder", 3, "30.0 [30.0..30.0]",
                 report.stats.Ratio([1.5]), report.stats.Ratio([2.0]),
                 "30.0", "124.0"]]
        found = report.findings([], [], [], [], rows)
        # the paper: Rust 124.0 s / C 131.6 s = 0.942; rust_binder /
        # binder_linux here is 1.50 (one round: the interval is 1.50
        # too, but one round makes no verdict)
        self.assertIn("across boots (paper: 0.94x): 1.50 [1.50..1.50]",
                      found[0][0])
        self.assertIn("no difference measurable here", found[0][0])
        self.assertIn("rustbinder boot: 2.00 [2.00..2.00]", found[1][0])

    def test_no_paper_figure_typed_in(self):
        """Numbers in the sentences and notes come from named constants."""
        with open(os.path.join(BENCH, "report.py")) as f:
            src = f.read()
        body = src[src.index("\ndef "):]
        for lit in ("0.97", "0.94", "131.6", "124.0", "0.672", "8.061",
                    "1302083", "1.16", "2.41", "1.93"):
            self.assertFalse(lit in body, lit)


class E1000Table(unittest.TestCase):
    def test_median_min_max_over_rounds(self):
        bench = []
        for impl, avgs, tcps in (("e1000", (3, 1, 2), (100, 300, 200)),
                                 ("ce1000", (2, 6, 4), (150, 50, 100))):
            for r, (a, t) in enumerate(zip(avgs, tcps), 1):
                bench.append({"bench": "e1000", "impl": impl,
                              "round": str(r), "ping_min_ms": "0.1",
                              "ping_avg_ms": str(a), "ping_max_ms": "9",
                              "ping_mdev_ms": "0.5", "tcp_mbit_s": str(t)})
        rows = report.e1000_section(report.Report(), bench, [])
        # e1000: avg 3 1 2 -> 2, TCP 100 300 200 -> 200; ce1000: avg 2 6 4
        # -> 4, TCP 150 50 100 -> 100. Paired by round: ping 2/3 6/1 4/2
        # -> median 2.00, TCP 1.5 1/6 0.5 -> median 0.50; the intervals
        # lie within the per-round ratios.
        self.assertEqual(shown(rows)[0], [
            "e1000", 3, "2.000 [1.000..3.000]", "1.00 [1.00..1.00]",
            "0.500 [0.500..0.500]", "200 [100..300]", "1.00 [1.00..1.00]"])
        self.assertEqual(shown(rows)[1][:3] + [rows[1][3].median],
                         ["ce1000", 3, "4.000 [2.000..6.000]", 2.0])
        self.assertEqual(rows[1][6].median, 0.5)
        self.assertTrue(2 / 3 <= rows[1][3].lo and rows[1][3].hi <= 6.0)

    @staticmethod
    def rows_of(impls, rounds=1):
        """@rounds rounds of bench/e1000 for each (impl, ping avg, TCP),
        the same figures in each."""
        return [{"bench": "e1000", "impl": i, "round": str(r),
                 "ping_min_ms": "0.1", "ping_avg_ms": str(a),
                 "ping_max_ms": "9", "ping_mdev_ms": "0.5",
                 "tcp_mbit_s": str(t)} for i, a, t in impls
                for r in range(1, rounds + 1)]

    @staticmethod
    def module(name):
        # module_rows: name, origin, lang, .ko, text, data, bss, debug,
        # load, path
        return [name, "ours", "C", 1000, 100, 10, 1, 500, "ok",
                f"extra/drivers/e1000/{name}.ko"]

    def test_re1000_not_built(self):
        bench = self.rows_of((c, 1, 100) for c in (
            "e1000", "ce1000", "ce1000-noprefetch", "ce1000-rustitr"))
        modules = [self.module("ce1000"), self.module("e1000")]
        rep = report.Report()
        rows = report.e1000_section(rep, bench, modules)
        self.assertEqual([r[0] for r in rows], list(report.E1000_CONFIGS))
        for r in shown(rows[4:]):
            self.assertEqual(r, [r[0], 0, "not built", "-", "",
                                 "not built", "-"])
        self.assertNotIn("re1000 / ce1000", rep.sections[0][1])
        # not built rows are no findings
        found = report.findings([], [], [], [], e1000=rows)
        self.assertFalse([f for f in found if "re1000" in f[0]])

    def test_re1000_next_to_ce1000(self):
        # re1000 pings in 2x ce1000's time (4 / 2) and moves 0.5x its TCP
        # (50 / 100) with the defaults; 3 / 3 and 60 / 60 without prefetch
        bench = self.rows_of((
            ("e1000", 1, 100), ("ce1000", 2, 100),
            ("ce1000-noprefetch", 3, 60), ("ce1000-rustitr", 20, 10),
            ("re1000", 4, 50), ("re1000-noprefetch", 3, 60),
            ("re1000-rustitr", 40, 5)), rounds=3)
        modules = [self.module(n) for n in ("ce1000", "re1000", "e1000")]
        rep = report.Report()
        rows = report.e1000_section(rep, bench, modules)
        self.assertEqual([r[0] for r in rows], list(report.E1000_CONFIGS))
        self.assertEqual(shown(rows)[4], [
            "re1000", 3, "4.000 [4.000..4.000]", "4.00 [4.00..4.00]",
            "0.500 [0.500..0.500]", "50 [50..50]", "0.50 [0.50..0.50]"])
        note = rep.sections[0][1]
        # Three equal rounds: every interval is a point; 3 / 3 = 1
        # includes 1.
        self.assertIn("re1000 / ce1000 (defaults), ping: 2.00 [2.00..2.00] "
                      "(median [95% interval] of 3 per-round ratios): "
                      "re1000 is slower.", note)
        self.assertIn("re1000 / ce1000 (noprefetch), ping: 1.00 "
                      "[1.00..1.00] (median [95% interval] of 3 per-round "
                      "ratios): no difference measurable here.", note)
        # ce1000: ITR 20 / 2 = 10x, prefetch off 3 / 2 = 1.5x: both
        # exclude 1, the ITR's interval lies above prefetch's.
        self.assertIn("So, on ce1000, interrupt throttling, not prefetch",
                      note)
        self.assertIn("So, on re1000, interrupt throttling", note)
        self.assertIn("re1000 1000 bytes .ko", note)

    def test_bench_script_measures_every_config(self):
        """bench/e1000 runs the configurations the report lists, in its
        order."""
        with open(os.path.join(TOP, "bench", "e1000", "e1000.sh")) as f:
            m = re.search(r'^ALL_CONFIGS="([^"]*)"$', f.read(), re.M)
        self.assertEqual(tuple(m.group(1).split()), report.E1000_CONFIGS)


class E1000Cases(unittest.TestCase):
    def test_features_name_cases_the_test_has(self):
        """Every case in tests/e1000/features is one that e1000.sh runs."""
        with open(os.path.join(TOP, "tests", "e1000", "e1000.sh")) as f:
            src = f.read()
        body = src[src.index("\ne1000_case() {"):]
        body = body[:body.index("\n}\n")]
        cases = set(re.findall(r"^\t([a-z0-9-]+)\) t_", body, re.M))
        with open(os.path.join(TOP, "tests", "e1000", "features")) as f:
            named = {c for line in f if "\t" in line
                     and not line.startswith("#")
                     for c in line.rstrip("\n").split("\t", 1)[1].split()}
        self.assertTrue(named)
        self.assertEqual(named - cases, set())
        self.assertEqual(cases - named, set())


def shell_program(script, func, tool):
    """The quoted program of the first `tool '...'` in a shell function."""
    with open(os.path.join(TOP, script)) as f:
        src = f.read()
    body = src[src.index(f"\n{func}() {{"):]
    body = body[:body.index("\n}\n")]
    return re.search(tool + r" (?:-F';' |-n )?'([^']*)'", body).group(1)


# fio --output-format=terse --terse-version=3: 5 header fields (version,
# fio version, job, group, error), then 41 read fields (IOPS the third)
# and 41 write fields, then the CPU, depth, latency and disk fields.
def terse(error, read_iops, write_iops):
    f = ["0"] * 130
    f[:5] = ["3", "fio-3.39", "b", "0", str(error)]
    f[7], f[48] = str(read_iops), str(write_iops)  # fields 8 and 49
    return ";".join(f) + "\n"


class FioTerse(unittest.TestCase):
    def awk(self, text):
        prog = shell_program("bench/nullblk/fio.sh", "iops", "awk")
        return subprocess.run(["awk", "-F;", prog], input=text,
                              capture_output=True, text=True)

    def test_iops(self):
        r = self.awk("fio: some warning\n" + terse(0, 2345.5, 0))
        self.assertEqual((r.returncode, r.stdout), (0, "2345.5\n"))
        r = self.awk(terse(0, 0, 812))
        self.assertEqual((r.returncode, r.stdout), (0, "812\n"))

    def test_error_and_no_terse_line_fail(self):
        r = self.awk(terse(5, 2345, 0))
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(r.stdout, "")
        r = self.awk("fio: engine io_uring not loadable\n")
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(r.stdout, "")


IPUTILS = """PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.
64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=1.00 ms
64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=2.00 ms
64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time=3.00 ms
64 bytes from 10.0.0.2: icmp_seq=4 ttl=64 time=6.00 ms

--- 10.0.0.2 ping statistics ---
4 packets transmitted, 4 received, 0% packet loss, time 3005ms
rtt min/avg/max/mdev = 1.000/3.000/6.000/1.871 ms
"""
BUSYBOX = """PING 10.0.0.2 (10.0.0.2): 56 data bytes
64 bytes from 10.0.0.2: seq=0 ttl=64 time=0.500 ms
64 bytes from 10.0.0.2: seq=1 ttl=64 time=0.700 ms
64 bytes from 10.0.0.2: seq=2 ttl=64 time=0.600 ms

--- 10.0.0.2 ping statistics ---
3 packets transmitted, 3 packets received, 0% packet loss
round-trip min/avg/max = 0.500/0.600/0.700 ms
"""


class PingStats(unittest.TestCase):
    def stats(self, text):
        sed = shell_program("bench/e1000/e1000.sh", "ping_stats", "sed")
        awk = shell_program("bench/e1000/e1000.sh", "ping_stats", "awk")
        times = subprocess.run(["sed", "-n", sed], input=text,
                               capture_output=True, text=True,
                               check=True).stdout
        return subprocess.run(["awk", awk], input=times,
                              capture_output=True, text=True)

    def test_iputils(self):
        # 1 2 3 6: mean 3; mean of squares 50 / 4 = 12.5; mdev =
        # sqrt(12.5 - 9) = 1.871 (iputils says the same)
        r = self.stats(IPUTILS)
        self.assertEqual(r.stdout, "4 1.000 3.000 6.000 1.871\n")

    def test_busybox(self):
        # 0.5 0.7 0.6: mean 0.6; squares 1.10 / 3 = 0.36667; mdev =
        # sqrt(0.36667 - 0.36) = 0.0816
        r = self.stats(BUSYBOX)
        self.assertEqual(r.stdout, "3 0.500 0.600 0.700 0.082\n")

    def test_no_reply(self):
        r = self.stats("PING 10.0.0.2\n\n--- 10.0.0.2 ping statistics ---\n"
                       "3 packets transmitted, 0 received, 100% loss\n")
        self.assertNotEqual(r.returncode, 0)


class CompareSwap(unittest.TestCase):
    """compare.main: a boot that produced nothing keeps the last report."""

    def test_boot_problem(self):
        self.assertIsNone(compare.boot_problem(os.path.join(FIX, "runs",
                                                            "main")))
        with tempfile.TemporaryDirectory() as d:
            self.assertIn("no results.tsv", compare.boot_problem(d))
            write(os.path.join(d, "results.tsv"), HEAD +
                  "runner/boot/kernel-log\tpass\t\t0.2\n")
            self.assertEqual(compare.boot_problem(d), "no bench case ran")
            write(os.path.join(d, "results.tsv"), HEAD +
                  "semaphore/interleaved/roundtrips\tpass\t\t1\n"
                  "runner/boot\tfail\tguest hung before a case started\t0\n")
            self.assertEqual(compare.boot_problem(d), "runner/boot failed: "
                             "guest hung before a case started")

    def run_main(self, build, rustbinder_ran):
        self.booted = []

        def boot(_args, variant, out, _only):
            name = os.path.basename(out)
            self.booted.append((name, variant))
            if name == "main" or rustbinder_ran:
                for f in ("results.tsv", "bench.tsv"):
                    shutil.copy(os.path.join(FIX, "runs", name, f), out)
                return 1 if name == "main" else 0
            return 1  # the runner's sys.exit("error: ...")

        def generator(cmd, **_kw):
            new = cmd[cmd.index("--out") + 1]
            write(os.path.join(new, "index.html"), "new")
            return subprocess.CompletedProcess(cmd, 0)

        with unittest.mock.patch.object(compare, "boot", boot), \
                unittest.mock.patch.object(compare, "versions",
                                           lambda _a: ""), \
                unittest.mock.patch.object(compare.subprocess, "run",
                                           generator), \
                contextlib.redirect_stdout(io.StringIO()) as text:
            rc = compare.main(["--build", build])
        return rc, text.getvalue()

    def test_nothing_from_a_boot_keeps_the_report(self):
        with tempfile.TemporaryDirectory() as d:
            final = os.path.join(d, "report")
            write(os.path.join(final, "index.html"), "old")
            for _ in range(2):
                rc, text = self.run_main(d, False)
                self.assertEqual(rc, 1)
                self.assertIn("rustbinder boot: no results.tsv", text)
                with open(os.path.join(final, "index.html")) as f:
                    self.assertEqual(f.read(), "old")
                with open(os.path.join(final + ".new", "index.html")) as f:
                    self.assertEqual(f.read(), "new")
            # both boots ran (a benchmark failed in main): swapped in
            rc, text = self.run_main(d, True)
            self.assertEqual(rc, 1)
            # the bench kernels, not the debug ones make test boots
            self.assertEqual(self.booted, [("main", "bench"),
                                           ("rustbinder", "benchbinder")])
            with open(os.path.join(final, "runs", "main", "host")) as f:
                self.assertRegex(f.read(), r"(?m)^load_before [0-9.]+ "
                                 r"[0-9.]+ [0-9.]+\nload_after ")
            for path, want in ((final, "new"), (final + ".prev", "old")):
                with open(os.path.join(path, "index.html")) as f:
                    self.assertEqual(f.read(), want)


if __name__ == "__main__":
    unittest.main()
