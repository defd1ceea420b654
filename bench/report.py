#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the comparison of the C and Rust builds and write it to a report.

Inputs: the suite share (modules.tsv, the .ko files), the results
directories of the `--mode compare` boots (results.tsv, bench.tsv; one per
kernel variant: main, and rustbinder for the Rust binder), and the
results.tsv of `make test` for the feature matrices. Sizes are measured
here with llvm-size from the tool root; load outcomes and benchmark rounds
come from the guest. Writes report.md, report.txt, index.html and the SVG
plots to --out.

A bench program that failed (non-zero exit, no RESULT lines, a guest that
hung or died) leaves its cells as "failed: <reason>"; the report is still
written.
"""

import argparse
import collections
import glob
import html
import os
import statistics
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(TOP, "bench"), os.path.join(TOP, "qemu")]
import features  # noqa: E402
import plots  # noqa: E402
import results  # noqa: E402
import robustness  # noqa: E402
import stats  # noqa: E402
import unsafe_count  # noqa: E402

# The paper's figures (Li et al., "An Empirical Study of Rust-for-Linux",
# USENIX ATC 2024), as quoted in /work/shared/DESIGN.md. Only these are
# printed as paper figures, each next to the ratio it corresponds to.
# Rust/C binary size ratios of the paper's Figure 7, by driver directory.
PAPER_SIZE_RATIO = {"semaphore": 1.93, "gpio_pl061": 2.41, "binder": 1.16}
# The paper's binder ping (RQ2, performance): seconds for 1M round trips
# on a Raspberry Pi 4, mainline C binder and Rust binder. Their ratio
# (0.94) is Rust binder / mainline C binder: rust_binder vs binder_linux.
PAPER_BINDER_1M = {"binder_linux": 131.6, "rust_binder": 124.0}
# The paper's e1000 ping (RQ2): average round trip over 100 pings, ms,
# mainline C e1000 and the Rust e1000 port.
PAPER_E1000_PING_MS = {"C": 0.672, "Rust": 8.061}
# Not a paper figure: the ITR value the Rust e1000 port writes, 1e9 /
# (3 * 256) (DESIGN.md, e1000), as bench/e1000 sets it for ce1000-rustitr
# and re1000-rustitr.
RUST_PORT_ITR = 1302083
# bench/e1000's configurations, in table order: mainline, then each of our
# drivers (ce1000, its Rust twin re1000) with its two knobs.
E1000_OURS = ("ce1000", "re1000")
E1000_CONFIGS = ("e1000",) + tuple(f"{d}{k}" for d in E1000_OURS
                                   for k in ("", "-noprefetch", "-rustitr"))
# Not a paper figure: the project's goal for cnull, its IOPS over
# null_blk's (issue 18: >= 1.00).
CNULL_IOPS_GOAL = 1.0

# Keys every RESULT row of a benchmark must have, with their type; a row
# without one of them, or with a value that does not parse, fails that
# benchmark (bad_row). nullblk rows with skip= carry no figures.
RESULT_KEYS = {
    "semaphore": {"impl": str, "round": int, "threads": int,
                  "roundtrips_per_s": float},
    "nullblk": {"impl": str, "round": int, "config": str, "engine": str,
                "rw": str, "jobs": int, "iops": float},
    "binder": {"impl": str, "round": int, "threads": int,
               "us_per_roundtrip": float},
    "e1000": {"impl": str, "round": int, "ping_min_ms": float,
              "ping_avg_ms": float, "ping_max_ms": float,
              "ping_mdev_ms": float, "tcp_mbit_s": float},
}


def lines_of(path):
    """The lines of a text file, the file closed again."""
    with open(path) as f:
        return f.readlines()


def parse_berkeley(out):
    """(text, data, bss) of the first file in `llvm-size -B` output."""
    text, data, bss = (int(x) for x in out.splitlines()[1].split()[:3])
    return text, data, bss


def parse_sysv_debug(out):
    """Bytes of the .debug_* sections in `llvm-size -A` output."""
    return sum(int(line.split()[1]) for line in out.splitlines()
               if line.startswith(".debug_"))


def sizes(ko):
    """text, data, bss (Berkeley, as size(1) prints) and debug bytes."""
    out = subprocess.run(["llvm-size", "--format=berkeley", ko],
                         capture_output=True, text=True, check=True).stdout
    text, data, bss = parse_berkeley(out)
    out = subprocess.run(["llvm-size", "--format=sysv", ko],
                         capture_output=True, text=True, check=True).stdout
    return text, data, bss, parse_sysv_debug(out)


def language(ko):
    """Rust if the module defines any Rust (v0-mangled) symbol."""
    out = subprocess.run(["llvm-nm", "--defined-only", ko],
                         capture_output=True, text=True, check=True).stdout
    return "Rust" if any(line.split()[-1].startswith("_R")
                         for line in out.splitlines() if line.split()) else "C"


def table(head, rows, numeric=()):
    """Plain-text table: numeric columns right-aligned."""
    cells = [tuple(str(c) for c in head)] + \
        [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(head))]
    lines = []
    for i, r in enumerate(cells):
        lines.append("  ".join(c.rjust(w) if j in numeric else c.ljust(w)
                               for j, (c, w) in enumerate(zip(r, widths)))
                     .rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown(head, rows):
    def cell(c):
        # A | in a failure reason would split the cell.
        return str(c).replace("|", "\\|")
    out = ["| " + " | ".join(cell(c) for c in head) + " |",
           "|" + "---|" * len(head)]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


class Report:
    """Sections (title, note, table, plots beside it) rendered as text,
    Markdown and HTML from one list, so the three say the same."""

    def __init__(self):
        self.sections = []

    def section(self, title, note, head, rows, numeric=(), plots=(),
                at=None):
        """A section at the end, or at index @at (the summary goes first
        but needs every table made before it)."""
        sec = (title, note, head, rows, numeric, plots)
        self.sections.insert(len(self.sections) if at is None else at, sec)

    def attach(self, title, plots):
        """Put @plots beside the table of the section titled @title."""
        for k, sec in enumerate(self.sections):
            if sec[0] == title:
                self.sections[k] = sec[:5] + (tuple(sec[5]) + tuple(plots),)

    def text(self):
        out = []
        for title, note, head, rows, numeric, plots in self.sections:
            out += [f"\n{title}", note]
            if head:
                out += ["", table(head, rows, numeric)]
            out += [f"plot: {f}" for _, f in plots]
        return "\n".join(out)

    def markdown(self, intro):
        out = ["# Comparison report", "", intro]
        for title, note, head, rows, _, plots in self.sections:
            out += ["", f"## {title}", "", note]
            if head:
                out += ["", markdown(head, rows)]
            out += [f"\n![{t}]({f})" for t, f in plots]
        return "\n".join(out) + "\n"

    def html(self, intro):
        return render_html(intro, self.sections)


def render_html(intro, sections):
    """A small self-contained page: the same sections as report.md, each
    table an HTML table with its plots (links to the SVGs) beside it."""
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           "<title>rfl-drivers comparison report</title>", "<style>",
           "body{font-family:sans-serif;max-width:90em;margin:1em auto;"
           "padding:0 1em}",
           "table{border-collapse:collapse;margin:.5em 0}",
           "th,td{border:1px solid #bbb;padding:.2em .5em;font-size:90%}",
           "th{background:#eee}td.n{text-align:right}",
           "td.failed{background:#fdd}td.xfail{background:#ffd}",
           ".side{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}",
           ".side>div{flex:1 1 40em;overflow-x:auto}",
           "figure{flex:1 1 30em;margin:0}img{max-width:100%}",
           "</style></head><body>", "<h1>Comparison report</h1>",
           f"<p>{e(intro)}</p>", "<ul>"]
    for k, (title, *_rest) in enumerate(sections):
        out.append(f'<li><a href="#s{k}">{e(title)}</a></li>')
    out.append("</ul>")
    for k, (title, note, head, rows, numeric, plots) in enumerate(sections):
        out += [f'<h2 id="s{k}">{e(title)}</h2>', f"<p>{e(note)}</p>",
                '<div class="side"><div>']
        if head:
            out.append("<table><tr>" + "".join(f"<th>{e(str(h))}</th>"
                                               for h in head) + "</tr>")
            for r in rows:
                cells = []
                for j, c in enumerate(r):
                    c = str(c)
                    cls = "failed" if c.startswith(("failed", "FAIL")) \
                        else "xfail" if c.startswith(("known bug", "xfail")) \
                        else "n" if j in numeric else ""
                    cells.append(f'<td class="{cls}">{e(c)}</td>' if cls
                                 else f"<td>{e(c)}</td>")
                out.append("<tr>" + "".join(cells) + "</tr>")
            out.append("</table>")
        out.append("</div>")
        for t, f in plots:
            out.append(f'<figure><a href="{e(f)}"><img src="{e(f)}" '
                       f'alt="{e(t)}"></a><figcaption>{e(t)}'
                       "</figcaption></figure>")
        out.append("</div>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def module_rows(suite, rel, loads):
    rows = []
    for line in lines_of(os.path.join(suite, "modules.tsv")):
        name, path, size = line.rstrip("\n").split("\t")
        if path.startswith("extra/tests/"):
            continue
        ko = os.path.join(suite, "lib", "modules", rel, path)
        d = loads.get(name, {})
        load = d.get("load", "not run")
        if load == "ok" and d.get("unload") == "permanent":
            load = "ok (permanent)"
        elif load == "already-loaded" and d.get("unload") == "permanent":
            load = "ok (permanent, loaded by an earlier bench)"
        elif load == "ok" and d.get("unload") != "ok":
            load = "unload failed"
        origin = "ours" if path.startswith("extra/") else "mainline"
        rows.append([name, origin, language(ko), int(size), *sizes(ko), load,
                     path])
    return rows


# The guest machine of each architecture, as the intro names it, and the
# Debian architecture of its packages.
GUESTS = {"arm64": ("QEMU virt arm64", "arm64"),
          "x86_64": ("QEMU q35 x86_64", "amd64")}


def guest_arch(suite):
    """The architecture of the kernel the suite was built for, from its
    .config (arm64 when it says neither, or there is none)."""
    path = os.path.join(suite, "kernel.config")
    for line in lines_of(path) if os.path.exists(path) else []:
        if line.startswith("CONFIG_X86_64=y"):
            return "x86_64"
    return "arm64"


def not_applicable(suite):
    """{implementation or case: reason} of the suite's not-applicable file
    (scripts/suite.sh): what this kernel or machine cannot have."""
    path = os.path.join(suite, "not-applicable")
    if not os.path.exists(path):
        return {}
    return {w[0]: w[1] for w in (line.rstrip("\n").split(" ", 1)
                                 for line in lines_of(path)) if len(w) == 2}


def pair_rows(modules):
    """Our C/Rust twins: c<name> and r<name> in one drivers/ directory."""
    ours = {r[0]: r for r in modules if r[1] == "ours"}
    rows = []
    for name, r in sorted(ours.items()):
        twin = "r" + name[1:]
        if not name.startswith("c") or twin not in ours:
            continue
        rust = ours[twin]
        driver = r[9].split("/")[-2]
        c_total, r_total = sum(r[4:7]), sum(rust[4:7])
        paper = PAPER_SIZE_RATIO.get(driver)
        rows.append([driver, name, c_total, r[7], twin, r_total, rust[7],
                     ratio(r_total, c_total),
                     f"{paper:.2f}" if paper else "-"])
    return rows


def gpio_pl061_section(rep, modules):
    """cpl061 (ours), gpio_pl061 (mainline C) and rpl061 (our Rust twin,
    once it exists): sizes and the ratio to cpl061."""
    # modules.tsv names modules after their .ko file: gpio-pl061
    by_name = {r[0].replace("-", "_"): r for r in modules}
    c = by_name.get("cpl061")
    rows = []
    for name, what in (("cpl061", "C, ours"), ("gpio_pl061", "C, mainline"),
                       ("rpl061", "Rust, ours")):
        r = by_name.get(name)
        if not r:
            rows.append([name, what, "not built yet", "", "", "", "", "", ""])
            continue
        size = sum(r[4:7])
        rows.append([name, what, r[3], *r[4:8], size,
                     ratio(size, sum(c[4:7])) if c else "-"])
    rep.section(
        "gpio_pl061 sizes",
        "Bytes from llvm-size; size = text + data + bss; ratio = size / "
        "cpl061's. The paper's Rust/C ratio for gpio_pl061 is "
        f"{PAPER_SIZE_RATIO['gpio_pl061']:.2f}.",
        ("module", "what", ".ko", "text", "data", "bss", "debug", "size",
         "ratio"),
        rows, numeric=(2, 3, 4, 5, 6, 7, 8))


def not_run(_driver, _boot="main"):
    return "not run"


def parse_bench_line(line):
    """(case, {key: value}) of one bench.tsv line: the case name, a tab,
    the words of a RESULT line after "RESULT "."""
    case, kv = line.rstrip("\n").split("\t", 1)
    return case, dict(w.split("=", 1) for w in kv.split() if "=" in w)


def bad_row(kv):
    """Why a benchmark's RESULT row cannot be used (a key missing, a value
    that is not a number), or None."""
    if "skip" in kv:
        return None
    for key, kind in RESULT_KEYS.get(kv.get("bench"), {}).items():
        if key not in kv:
            return f"RESULT line without {key}="
        try:
            kind(kv[key])
        except ValueError:
            return f"bad RESULT value {key}={kv[key]!r}"
    return None


def ratio(num, den):
    """num / den with two decimals, "-" when either is absent or den is 0."""
    if not num or not den:
        return "-"
    return f"{num / den:.2f}"


def bench_dir(case):
    """The bench directory a compare case comes from, by its name:
    compare/DIR/CASE (shell, as compare/modules/load-unload; the older
    compare/MODULE/load is bench/modules too) or
    DIR/VARIANT/TEST (C, kselftest harness: the fixture is the directory)."""
    parts = case.split("/")
    if parts[0] == "compare" and len(parts) == 3:
        return "modules" if parts[2] == "load" else parts[1]
    return parts[0]


class Runs:
    """Everything the compare boots left: benchmark rows (each with the
    "boot" it came from), module load outcomes, and which bench programs
    failed and why."""

    def __init__(self, runs):
        self.bench, self.loads, self.notes = [], {}, []
        self.failed, self.ran, self.seconds = {}, set(), {}
        # (boot, bench dir): rounds planned (PROGRESS), rounds with rows
        self.planned, self.got = {}, collections.defaultdict(set)
        rows = []
        for boot, d in runs:
            if os.path.exists(os.path.join(d, "seconds")):
                self.seconds[boot] = lines_of(os.path.join(d, "seconds"))[0] \
                    .strip()
            res = os.path.join(d, "results.tsv")
            if not os.path.exists(res):
                self.failed[(boot, "*")] = "the boot did not finish"
                continue
            for r in results.counted(results.read_tsv(res)):
                name, status, reason = r.name, r.status, r.reason
                if name.startswith("runner/"):
                    if status == "fail":
                        self.notes.append(f"{boot} boot: {name} failed: "
                                          f"{reason or 'see console.log'}")
                        if name == "runner/boot":
                            self.failed[(boot, "*")] = reason
                    continue
                drv = bench_dir(name)
                self.ran.add((boot, drv))
                if status == "fail" and (boot, drv) not in self.failed:
                    self.failed[(boot, drv)] = \
                        f"{name}: {reason or 'see console.log'}"
            path = os.path.join(d, "bench.tsv")
            if not os.path.exists(path):
                continue
            for line in lines_of(path):
                if "\t" not in line:
                    continue
                case, kv = parse_bench_line(line)
                drv = bench_dir(case)
                if line.split("\t", 1)[1].startswith("PROGRESS "):
                    self.planned[(boot, drv)] = kv.get("rounds", "?")
                    continue
                if "module" in kv:
                    if boot == "main":
                        self.loads[kv["module"]] = kv
                    continue
                bad = bad_row(kv)
                if bad and (boot, drv) not in self.failed:
                    self.failed[(boot, drv)] = f"{case}: {bad}"
                if "round" in kv:
                    self.got[(boot, drv)].add(kv["round"])
                # Rows of other boots: the Rust binder keeps its name, the
                # rest (cbinder measured again there) say where they ran.
                if boot != "main" and "impl" in kv and \
                        kv["impl"] != "rust_binder":
                    kv["impl"] = f"{kv['impl']} ({boot} boot)"
                kv["boot"] = boot
                rows.append((drv, kv))
        # A bench program that failed part-way: its rows are not figures
        # (missing() says how many rounds it got through).
        self.bench = [kv for drv, kv in rows
                      if (kv["boot"], drv) not in self.failed]

    def failure(self, driver, boot="main"):
        return self.failed.get((boot, driver)) or self.failed.get((boot, "*"))

    def missing(self, driver, boot="main"):
        """The cell text of a figure that is not there: not run, or failed
        with the reason and the rounds it got through."""
        why = self.failure(driver, boot)
        if not why:
            return "not run"
        k, n = len(self.got[(boot, driver)]), \
            self.planned.get((boot, driver))
        if k or n:
            why += f" ({k} of {n or '?'} rounds)"
        return f"failed: {why}"


def spread(values, digits=0):
    """median [min..max] of a list of numbers."""
    return (f"{statistics.median(values):.{digits}f} "
            f"[{min(values):.{digits}f}..{max(values):.{digits}f}]")


def usable(bench, name):
    """The rows of one benchmark that have its figures (bad_row: none)."""
    return [d for d in bench if d.get("bench") == name and not bad_row(d)]


def semaphore_rows(bench, missing=not_run):
    """Round trips per second per thread count, median [min..max] of each
    twin, and rsemaphore / csemaphore paired by round."""
    data = by_round(bench, "semaphore", ("threads",), "roundtrips_per_s")
    rows = []
    for key in sorted(data, key=lambda k: int(k[0])):
        c, r = data[key].get("csemaphore"), data[key].get("rsemaphore")
        rows.append([int(key[0]), len(c or r),
                     spread(c.values()) if c else missing("semaphore"),
                     spread(r.values()) if r else missing("semaphore"),
                     stats.paired(r or {}, c or {})])
    if not rows and missing("semaphore") != "not run":
        rows.append(["-", 0, missing("semaphore"), missing("semaphore"),
                     stats.Ratio([])])
    return rows


# bench/nullblk's implementations, the reference first.
NULLBLK_IMPLS = ("null_blk", "cnull", "rnull")


def nullblk_rows(bench, missing=not_run):
    """IOPS per cell, median [min..max], each driver's ratio to null_blk
    and cnull / rnull, paired by round."""
    data = by_round(bench, "nullblk", ("config", "engine", "rw", "jobs"),
                    "iops")
    skipped = {(d["config"], d["impl"]): d["skip"]
               for d in usable(bench, "nullblk") if "skip" in d}
    rows = []
    for cell in sorted(data):
        runs = data[cell]
        ref = runs.get("null_blk", {})
        row = [*cell[:3], int(cell[3]), len(ref)]
        for impl in NULLBLK_IMPLS:
            v = runs.get(impl)
            row.append(spread(v.values()) if v else
                       skipped.get((cell[0], impl), missing("nullblk")))
            if impl != "null_blk":
                row.append(stats.paired(v or {}, ref))
        row.append(stats.paired(runs.get("cnull", {}), runs.get("rnull", {})))
        rows.append(row)
    if not rows and missing("nullblk") != "not run":
        m, none = missing("nullblk"), stats.Ratio([])
        rows.append(["-", "-", "-", "-", 0, m, m, none, m, none, none])
    return rows


# Rust drivers for the unsafe table: name, origin, paths (relative to the
# kernel tree for mainline ones, to the project for ours).
RUST_DRIVERS = [
    ("rnull", "mainline", "k", ["drivers/block/rnull"]),
    ("rust_binder", "mainline", "k", ["drivers/android/binder"]),
    ("rust_misc_device", "sample", "k", ["samples/rust/rust_misc_device.rs"]),
    ("rhello", "ours", "p", ["drivers/hello/rhello.rs"]),
    ("rsemaphore", "ours", "p", ["drivers/semaphore/rsemaphore.rs"]),
    ("rpl061", "ours", "p", ["drivers/gpio_pl061/rpl061.rs"]),
    # the Rust files of drivers/e1000/, once there are any
    ("re1000", "ours", "p", ["drivers/e1000"]),
]
PATCHES = sorted(glob.glob(os.path.join(TOP, "kernel", "patches", "*.patch")))


def unsafe_rows(ksrc):
    rows = []
    for name, origin, base, paths in RUST_DRIVERS:
        root = ksrc if base == "k" else TOP
        full = [os.path.join(root, p) for p in paths]
        if not all(os.path.exists(p) for p in full):
            continue
        drv, abst, mods, files = unsafe_count.driver_counts(ksrc, full)
        if not files:
            continue
        ours = unsafe_count.patched_counts(ksrc, mods, PATCHES)
        rows.append([name, origin, len(files), drv["block"], drv["fn"],
                     drv["impl"], abst["block"], abst["fn"], abst["impl"],
                     ours["block"], " ".join(mods)])
    return rows


def patch_rows(ksrc):
    """The abstraction layer our kernel patches add, patch by patch."""
    rows = []
    for patch in PATCHES:
        counts, helpers, mods = unsafe_count.patch_layer(ksrc, patch)
        rows.append([os.path.basename(patch), counts["block"], counts["fn"],
                     counts["impl"], helpers, " ".join(mods)])
    return rows


def by_round(bench, name, keys, value):
    """{(key values...): {impl: {round: value}}} of one benchmark: the
    round is what pairs two implementations' runs (stats.paired)."""
    out = collections.defaultdict(lambda: collections.defaultdict(dict))
    for d in usable(bench, name):
        if value in d:
            out[tuple(d[k] for k in keys)][d["impl"]][int(d["round"])] = \
                float(d[value])
    return out


def plot_all(bench, outdir):
    """One SVG per performance figure; {bench: [(title, file)]} of those
    written, to stand beside the bench's table."""
    # The paper's figures in the plots' units, as dashed lines: binder
    # seconds per 1M round trips are microseconds per round trip.
    binder_marks = [(f"paper, {i} (Raspberry Pi 4)", v)
                    for i, v in PAPER_BINDER_1M.items()]
    ping_marks = [(f"paper, {k} e1000", v)
                  for k, v in PAPER_E1000_PING_MS.items()]
    charts = [
        ("semaphore", "Semaphore round trips", "round trips/s",
         ("threads",), "roundtrips_per_s", ()),
        ("nullblk", "Null block IOPS", "IOPS",
         ("config", "engine", "rw", "jobs"), "iops", ()),
        ("binder", "Binder ping round trip", "microseconds",
         ("threads",), "us_per_roundtrip", binder_marks),
        ("e1000", "e1000 ping latency (average per round)", "ms", (),
         "ping_avg_ms", ping_marks),
        ("e1000", "e1000 TCP throughput", "Mbit/s", (), "tcp_mbit_s", ()),
    ]
    done = collections.defaultdict(list)
    for name, title, ylabel, keys, value, marks in charts:
        data = by_round(bench, name, keys, value)
        if not data:
            continue
        groups = sorted(data)
        impls = sorted({i for g in groups for i in data[g]})
        series = {i: [list(data[g].get(i, {}).values()) for g in groups]
                  for i in impls}
        svg = f"{name}-{value}.svg"
        try:
            plots.bars(os.path.join(outdir, svg), title, ylabel,
                       ["/".join(g) or name for g in groups], series, marks)
        except ImportError as e:
            print(f"no plots: {e} (the tool root needs python3-matplotlib)")
            return done
        done[name].append((title, svg))
    return done


def finding(what, r, above, below):
    """One sentence: @what, the paired ratio with its interval, and a
    verdict only where the interval excludes 1 (stats.verdict)."""
    return (f"{what}: {r} (median [95% interval] of {r.n} per-round "
            f"ratios): {stats.verdict(r, above, below)}.")


def findings(pairs, sem, nullblk, unsafe, binder=None, e1000=None,
             binder_sizes=None):
    """Sentences filled from this run's tables; nothing typed in."""
    out = []
    if binder_sizes:
        c, r = binder_sizes
        out.append(f"The Rust binder's objects are {ratio(r[5], c[5])}x the "
                   f"size (text+data+bss) of the C binder's (paper: "
                   f"{PAPER_SIZE_RATIO['binder']:.2f}x).")
    for r in pairs:
        paper = f" (paper: {r[8]}x)" if r[8] != "-" else ""
        out.append(f"{r[4]} is {r[7]}x the size (text+data+bss) of "
                   f"{r[1]}{paper}.")
    for r in sem:
        if r[4]:
            out.append(finding(
                f"Semaphore, {r[0]} thread(s), rsemaphore / csemaphore "
                "round trips per second", r[4], "rsemaphore is faster",
                "rsemaphore is slower"))
    for r in nullblk or []:
        cell = f"{r[0]} {r[1]} {r[2]} numjobs {r[3]}"
        for k, what in ((7, "cnull / null_blk"), (9, "rnull / null_blk"),
                        (10, "cnull / rnull")):
            if r[k]:
                out.append(finding(f"Null block IOPS, {cell}, {what}", r[k],
                                   f"{what.split()[0]} is faster",
                                   f"{what.split()[0]} is slower"))
        if r[7]:
            out.append(f"Null block, {cell}: cnull against the project's "
                       f"goal for null_blk's IOPS: "
                       f"{stats.against_goal(r[7], CNULL_IOPS_GOAL)}.")
    for r in e1000 or []:
        if r[0] != "e1000" and r[3]:
            out.append(finding(f"e1000, {r[0]} / mainline e1000 average "
                               "ping round trip", r[3],
                               f"{r[0]} is slower", f"{r[0]} is faster"))
        if r[0] != "e1000" and r[6]:
            out.append(finding(f"e1000, {r[0]} / mainline e1000 TCP "
                               "throughput", r[6], f"{r[0]} is faster",
                               f"{r[0]} is slower"))
    paper_binder = PAPER_BINDER_1M["rust_binder"] / \
        PAPER_BINDER_1M["binder_linux"]
    for r in binder or []:
        if r[1] == "rust_binder" and r[2]:
            # The paper's ratio is Rust binder / mainline C binder: it goes
            # next to vs binder_linux, and only for its one-thread ping.
            paper = f" (paper: {paper_binder:.2f}x)" if r[0] == 1 else ""
            out.append(finding(
                f"Binder ping, {r[0]} thread(s), rust_binder / "
                f"binder_linux round trip time, across boots{paper}", r[4],
                "rust_binder is slower", "rust_binder is faster"))
            out.append(finding(
                f"Binder ping, {r[0]} thread(s), rust_binder / cbinder in "
                "the rustbinder boot", r[5], "rust_binder is slower",
                "rust_binder is faster"))
        elif r[1] == "cbinder" and r[2]:
            out.append(finding(
                f"Binder ping, {r[0]} thread(s), cbinder / binder_linux "
                "round trip time", r[4], "cbinder is slower",
                "cbinder is faster"))
            out.append(f"Binder ping, {r[0]} thread(s): cbinder against the "
                       "project's goal for binder_linux's round trip: "
                       f"{stats.against_goal(r[4], 1.0, False)}.")
    for r in unsafe:
        if r[1] == "ours" or r[0] in ("rnull", "rust_binder"):
            # Modules are counted whole: a mainline driver that uses
            # kernel::sync counts our raw spinlock too; say it for ours.
            ours = f", {r[9]} of them in our patches' abstractions" \
                if r[9] and r[1] == "ours" else ""
            out.append(f"{r[0]}: {r[3]} unsafe blocks, {r[4]} unsafe fns, "
                       f"{r[5]} unsafe impls in the driver; {r[6]} blocks "
                       f"in the kernel crate modules it uses{ours}.")
    return [[f] for f in out]


def read_kv(path):
    """{key: rest of line} of a 'key value' file, {} when it is absent."""
    if not os.path.exists(path):
        return {}
    return dict((line.rstrip("\n").split(None, 1) + [""])[:2]
                for line in lines_of(path) if line.strip())


# Kernel options the report names for each boot: the debug checks the
# bench variant turns off, read from the .config of the Image booted.
KERNEL_OPTIONS = ("PROVE_LOCKING", "DEBUG_LIST", "DEBUG_ATOMIC_SLEEP",
                  "KASAN", "DEBUG_INFO", "PREEMPT_LAZY", "HZ")


def kernel_options(path):
    """'SYM=v ...' of KERNEL_OPTIONS in a kernel .config (n: not set)."""
    if not os.path.exists(path):
        return "not recorded"
    conf = {}
    for line in lines_of(path):
        if line.startswith("CONFIG_"):
            k, v = line.rstrip("\n").split("=", 1)
            conf[k[7:]] = v
    return " ".join(f"{k}={conf.get(k, 'n')}" for k in KERNEL_OPTIONS)


def machine(runs=()):
    """The machine the numbers come from, as each boot recorded it
    (compare.py: runs/BOOT/host, kernel.config; the guest's vCPUs from
    its RESULT lines): [(boot, what)]."""
    rows = []
    for boot, d in runs:
        host = read_kv(os.path.join(d, "host"))
        if host:
            rows.append([boot, "host", f"{host.get('cpus', '?')} x "
                         f"{host.get('cpu_model', '?')}; load average "
                         f"(1, 5, 15 min) {host.get('load_before', '?')} "
                         f"before the boot, {host.get('load_after', '?')} "
                         "after it"])
        accel = lines_of(os.path.join(d, "accel")) \
            if os.path.exists(os.path.join(d, "accel")) else []
        if accel:
            guest, how = accel[0].split()
            rows.append([boot, "guest", f"{GUESTS[guest][0]} under "
                         f"{how.upper()}"])
        kern = read_kv(os.path.join(d, "kernel"))
        if kern:
            rows.append([boot, "kernel", f"variant {kern.get('variant')}, "
                         f"{kern.get('release')}: " + kernel_options(
                             os.path.join(d, "kernel.config"))])
    return rows


def config_rows(bench):
    """What each bench read back from the guest (its RESULT keys cfg_*),
    per benchmark and implementation; a key that changed between rows
    shows every value it took."""
    seen = collections.defaultdict(lambda: collections.defaultdict(set))
    for d in bench:
        if "impl" not in d:
            continue
        for k, v in d.items():
            if k.startswith("cfg_"):
                seen[(d["bench"], d["impl"])][k[4:]].add(v)
    return [[b, i, " ".join(f"{k}={'|'.join(sorted(v))}"
                            for k, v in sorted(seen[(b, i)].items()))]
            for b, i in sorted(seen)]


# The summary's rows: a driver (its tests/ and bench/ directory) and its
# implementations by column: ours in C, our Rust twin, mainline C,
# mainline Rust (None: there is none).
SUMMARY = (("nullblk", ("cnull", None, "null_blk", "rnull")),
           ("e1000", ("ce1000", "re1000", "e1000", None)),
           ("binder", ("cbinder", None, "binder_linux", "rust_binder")),
           ("semaphore", ("csemaphore", "rsemaphore", None, None)),
           ("gpio_pl061", ("cpl061", "rpl061", "gpio_pl061", None)))
SUMMARY_COLUMNS = ("ours, C", "ours, Rust", "mainline C", "mainline Rust")
# Module names where they differ from the implementation's name.
MODULE_OF = {"rnull": "rnull_mod", "gpio_pl061": "gpio-pl061"}


def headlines(sem, nullblk, binder, e1000):
    """{impl: text} of the headline performance ratio of each
    implementation, with its interval and what it is a ratio of."""
    out = {}
    # The paper's fio cell first (backed, psync randread, numjobs 4).
    for r in sorted(nullblk or [], key=lambda r: (r[0] != "backed",
                                                  r[3] != 4)):
        for impl, k in (("cnull", 7), ("rnull", 9)):
            if impl not in out and isinstance(r[k], stats.Ratio) and r[k]:
                out[impl] = (f"IOPS {r[k]} of null_blk's ({r[0]}, {r[1]} "
                             f"{r[2]}, numjobs {r[3]})")
    for r in e1000 or []:
        if r[0] in E1000_OURS and r[3]:
            out[r[0]] = f"ping {r[3]} of e1000's; TCP {r[6]}"
    for r in binder or []:
        if r[0] == 1 and r[1] in ("cbinder", "rust_binder") and r[4]:
            out[r[1]] = f"round trip {r[4]} of binder_linux's"
    for r in sem:
        if r[0] == 1 and r[4]:
            out["rsemaphore"] = f"round trips/s {r[4]} of csemaphore's"
    return out


def summary_rows(modules, binder_sizes, feats, heads, robust=None, na=None):
    """A row per driver, a cell per implementation: features passed,
    size / ours in C, the headline performance ratio, the fault sweep's
    clean paths (@robust: robustness.summary_cells); an implementation
    this machine cannot have (@na: not_applicable()) says why instead."""
    size = {r[0]: sum(r[4:7]) for r in modules}
    if binder_sizes:
        size["binder_linux_objects"] = binder_sizes[0][5]
        size["rust_binder"] = binder_sizes[1][5]
    passed = {}
    for driver, impls, rows in feats:
        for k, impl in enumerate(impls, 1):
            passed[(driver, impl)] = (
                f"{sum(r[k] == 'pass' for r in rows)}/{len(rows)} "
                "features passed")
    out = []
    for driver, impls in SUMMARY:
        ref = size.get(impls[0])
        row = [driver]
        for impl in impls:
            if impl is None:
                row.append("-")
                continue
            if impl in (na or {}):
                row.append(f"not applicable: {na[impl]}")
                continue
            mine = size.get(MODULE_OF.get(impl, impl))
            if impl == "rust_binder" and "binder_linux_objects" in size:
                # Built in: its objects against binder_linux's objects.
                sz = f"size {ratio(mine, size['binder_linux_objects'])}" \
                    " of binder_linux's (objects)"
            else:
                sz = "size 1 (reference)" if impl == impls[0] else \
                    f"size {ratio(mine, ref)}"
            cells = [passed.get((driver, impl), "features: no results"), sz]
            if impl in heads:
                cells.append(heads[impl])
            if impl in (robust or {}):
                cells.append(robust[impl])
            row.append("; ".join(cells))
        out.append(row)
    return out


def goal_rows(nullblk, binder, e1000, sem):
    """The project's performance goals (issue 18), each as a ratio with
    its interval and where it stands."""
    rows = []
    for r in nullblk or []:
        if r[0] == "backed" and r[7]:
            rows.append([f"cnull / null_blk IOPS, {r[1]} {r[2]} numjobs "
                         f"{r[3]}", r[7],
                         stats.against_goal(r[7], CNULL_IOPS_GOAL)])
        if r[0] == "nobacked" and r[10]:
            rows.append([f"cnull / rnull IOPS (no backing), {r[1]} {r[2]} "
                         f"numjobs {r[3]}", r[10],
                         stats.verdict(r[10], "cnull is faster",
                                       "cnull is slower")])
    for r in e1000 or []:
        if r[0] == "ce1000" and r[3]:
            rows.append(["ce1000 / e1000 ping round trip", r[3],
                         stats.against_goal(r[3], 1.0, False)])
            rows.append(["ce1000 / e1000 TCP throughput", r[6],
                         stats.against_goal(r[6], 1.0)])
    for r in binder or []:
        if r[0] == 1 and r[1] == "cbinder" and r[4]:
            rows.append(["cbinder / binder_linux round trip", r[4],
                         stats.against_goal(r[4], 1.0, False)])
    for r in sem:
        if r[0] == 1 and r[4]:
            c = stats.Ratio([1 / v for v in r[4].values])
            rows.append(["csemaphore / rsemaphore round trips/s", c,
                         stats.verdict(c, "csemaphore is faster",
                                       "csemaphore is slower")])
    return rows


def binder_section(rep, bench, modules, missing=not_run):
    """Binder ping: median [min..max] microseconds per round trip for each
    implementation, the ratio to the C binder, the paper's figures, and
    the size of cbinder next to binder_linux. The Rust binder comes from
    the second boot (the rustbinder kernel), where cbinder is measured
    again: its ratio to cbinder there is within one boot."""
    data = by_round(bench, "binder", ("threads",), "us_per_roundtrip")
    failed = missing("binder") != "not run" or \
        missing("binder", "rustbinder") != "not run"
    if not data and not failed:
        return
    second = "cbinder (rustbinder boot)"
    # impl, the boot it runs in
    impls = (("cbinder", "main"), ("binder_linux", "main"),
             ("rust_binder", "rustbinder"), (second, "rustbinder"))
    rows = []
    for key in sorted(data, key=lambda k: int(k[0])) or [("1",)]:
        threads, runs = int(key[0]), data.get(key, {})
        base = runs.get("binder_linux", {})
        for impl, boot in impls:
            v = runs.get(impl)
            if not v:
                if missing("binder", boot) != "not run" or \
                        impl == "rust_binder":
                    rows.append([threads, impl, 0, missing("binder", boot),
                                 stats.Ratio([]), stats.Ratio([]), "-",
                                 "-"])
                continue
            med = statistics.median(v.values())
            # Within one boot: rust_binder against cbinder beside it.
            peer = runs.get(second if boot != "main" else "cbinder", {})
            paper = PAPER_BINDER_1M.get(impl) if threads == 1 else None
            rows.append([threads, impl, len(v),
                         spread(v.values(), 1), stats.paired(v, base),
                         stats.paired(v, peer), f"{med:.1f}",
                         f"{paper:.1f}" if paper else "-"])
    size = {r[0]: sum(r[4:7]) for r in modules}
    paper_ratio = ratio(PAPER_BINDER_1M["rust_binder"],
                        PAPER_BINDER_1M["binder_linux"])
    note = ("Client and server processes, 4 KiB mappings, empty "
            "transactions to handle 0; microseconds per round trip, "
            "median [min..max] over interleaved rounds in one boot; "
            "vs binder_linux, vs cbinder: median [95% interval] of the "
            "per-round ratios (cbinder: the one in the same boot; "
            "rust_binder vs binder_linux pairs round k of one boot with "
            "round k of the other). 1 thread: client and server on CPU 0; "
            "4 threads: on both vCPUs, so clients and loopers contend "
            "for the drivers' locks (with TCG's cross-vCPU wakeups in the "
            "figure). 1M s = seconds for "
            "the paper's 1M round trips at that median; the paper measured "
            f"C {PAPER_BINDER_1M['binder_linux']} s and Rust "
            f"{PAPER_BINDER_1M['rust_binder']} s on a Raspberry Pi 4 "
            f"(Rust/C {paper_ratio}). "
            "QEMU TCG: only ratios carry over. The Rust binder "
            "(CONFIG_ANDROID_BINDER_IPC_RUST, built in) excludes the C "
            "binder, so its figures come from a second boot, of the "
            "rustbinder kernel, which differs from the main one only in "
            "the binder config: rust_binder vs binder_linux is a ratio "
            "across boots, unlike the other ratios of this report; cbinder "
            "runs in both boots, so 'cbinder (rustbinder boot)' vs "
            "binder_linux shows the drift between boots, and rust_binder "
            "vs cbinder is within one boot.")
    if "cbinder" in size and "binder_linux" in size:
        note += (f" Size (text+data+bss): cbinder {size['cbinder']} B, "
                 f"binder_linux {size['binder_linux']} B "
                 f"({ratio(size['cbinder'], size['binder_linux'])}x).")
    rep.section("Binder ping round trips (the paper's binder benchmark)",
                note, ("threads", "impl", "runs", "us/round trip",
                       "vs binder_linux", "vs cbinder", "1M s",
                       "paper 1M s"), rows, numeric=(0, 2, 4, 5, 6, 7))
    return rows


def e1000_section(rep, bench, modules, missing=not_run):
    """bench/e1000: ping latency and TCP throughput of mainline e1000 and
    our drivers (ce1000 and its Rust twin re1000) with their two knobs,
    median [min..max] over rounds, paired ratios to e1000, re1000
    against ce1000 knob for knob, and which knob explains the paper's
    C/Rust ping gap (a verdict only where the intervals say so). A driver
    missing from the suite (@modules, when given) has its rows marked not
    built."""
    rust_itr = RUST_PORT_ITR
    runs = {k: by_round(bench, "e1000", (), k).get((), {})
            for k in ("ping_avg_ms", "ping_mdev_ms", "tcp_mbit_s")}
    ping, tcp = runs["ping_avg_ms"], runs["tcp_mbit_s"]
    if not ping and missing("e1000") == "not run":
        return
    built = {r[0] for r in modules}
    none = stats.Ratio([])
    rows = []
    for c in E1000_CONFIGS:
        if c not in ping:
            if modules and c.split("-")[0] not in built:
                rows.append([c, 0, "not built", none, "", "not built",
                             none])
            elif missing("e1000") != "not run":
                rows.append([c, 0, missing("e1000"), none, "",
                             missing("e1000"), none])
            continue
        rows.append([c, len(ping[c]), spread(ping[c].values(), 3),
                     stats.paired(ping[c], ping.get("e1000", {})),
                     spread(runs["ping_mdev_ms"][c].values(), 3),
                     spread(tcp[c].values()),
                     stats.paired(tcp[c], tcp.get("e1000", {}))])
    notes = ["Ping rfl0 -> rfl1 and iperf3 TCP between the guest's two NICs; "
             "median [min..max] over interleaved rounds in one boot of each "
             "round's average round trip and TCP throughput (mdev: median "
             "over rounds); vs e1000: median [95% interval] of the "
             "per-round ratios to mainline e1000. "
             "QEMU TCG has no cache model: prefetch can only cost "
             "instructions here. Not like for like: mainline e1000 copies "
             "small received frames into a new skb (copybreak, "
             "e1000_copybreak, 256 bytes: ping's frames), ce1000 and re1000 "
             "never do."]
    names = ("ce1000", "re1000", "e1000")
    sizes = {r[0]: r for r in modules if r[0] in names}
    if sizes:
        notes.append("Module size: " + "; ".join(
            f"{n} {sizes[n][3]} bytes .ko, {sum(sizes[n][4:7])} bytes "
            "text+data+bss" for n in names if n in sizes) + ".")
    twins = []
    for knob in ("", "-noprefetch", "-rustitr"):
        c, r = f"ce1000{knob}", f"re1000{knob}"
        if c in ping and r in ping:
            twins.append(finding(
                f"re1000 / ce1000 ({knob[1:] or 'defaults'}), ping",
                stats.paired(ping[r], ping[c]), "re1000 is slower",
                "re1000 is faster"))
            twins.append(finding(
                f"re1000 / ce1000 ({knob[1:] or 'defaults'}), TCP",
                stats.paired(tcp[r], tcp[c]), "re1000 is faster",
                "re1000 is slower"))
    notes += twins
    gap = PAPER_E1000_PING_MS["Rust"] / PAPER_E1000_PING_MS["C"]
    for drv in E1000_OURS:
        on, off, itr = (ping.get(c) for c in
                        (drv, f"{drv}-noprefetch", f"{drv}-rustitr"))
        if not (on and off and itr):
            continue
        pf, th = stats.paired(off, on), stats.paired(itr, on)
        notes.append(finding(f"{drv}, prefetch off / on, ping", pf,
                             "prefetch shortens the round trip",
                             "prefetch lengthens the round trip"))
        notes.append(finding(
            f"{drv}, the Rust port's ITR ({rust_itr}, kept by the device as "
            f"{rust_itr & 0xffff}, {(rust_itr & 0xffff) * 256 / 1e6:.1f} ms "
            "between interrupts) / 20000 interrupts/s, ping", th,
            "the Rust port's ITR lengthens the round trip",
            "the Rust port's ITR shortens the round trip"))
        # Which knob explains the paper's gap: only when one knob's
        # interval lies above 1 and above the other's.
        if th.lo > 1 and th.lo > pf.hi:
            notes.append(
                f"So, on {drv}, interrupt throttling, not prefetch, explains "
                f"the paper's {PAPER_E1000_PING_MS['C']} ms (C) vs "
                f"{PAPER_E1000_PING_MS['Rust']} ms (Rust) average ping "
                f"({gap:.1f}x; the paper, RQ2).")
        elif pf.lo > 1 and pf.lo > th.hi:
            notes.append(f"So, on {drv}, prefetch, not the ITR value, weighs "
                         f"more against the paper's {gap:.1f}x gap.")
        else:
            notes.append(f"Which knob explains the paper's {gap:.1f}x gap, "
                         f"on {drv}: {stats.NO_DIFFERENCE}.")
    rep.section("e1000 ping latency and TCP throughput", " ".join(notes),
                ("config", "rounds", "ping avg ms", "avg/e1000", "mdev ms",
                 "TCP Mbit/s", "TCP/e1000"),
                rows, numeric=(1, 2, 3, 4, 5, 6))
    return rows


def differential(tests):
    """Outcome of each case for every implementation of a driver, from the
    results.tsv of `make test`: {driver: (impls, [(case, outcomes)])}."""
    by_driver = collections.defaultdict(dict)
    for r in results.counted(results.read_tsv(tests)):
        parts = r.name.split("/")
        if len(parts) != 3 or parts[0] in ("runner", "pipeline"):
            continue
        driver, impl, case = parts
        cell = f"{r.status}: {r.reason}" if r.status in ("skip", "xfail") \
            else r.status
        by_driver[driver].setdefault(case, {})[impl] = cell
    out = {}
    for driver, cases in sorted(by_driver.items()):
        impls = sorted({i for c in cases.values() for i in c})
        if len(impls) < 2:
            continue
        out[driver] = (impls, [(case, [cases[case].get(i, "not run")
                                       for i in impls])
                               for case in cases])
    return out


def mainline_binder_sizes(build):
    """The paper's binder size pair (Figure 7): the C binder's
    objects in the main kernel build against the Rust binder's in the
    rustbinder build (built in, so objects rather than a .ko), as
    [(what, objects, text, data, bss, size)]."""
    pairs = (("binder_linux (C)", "main", "drivers/android",
              ("binder.o", "binder_alloc.o")),
             ("rust_binder (Rust)", "rustbinder", "drivers/android/binder",
              ("rust_binder_main.o", "rust_binder_events.o")))
    rows = []
    for what, variant, sub, objs in pairs:
        paths = [os.path.join(build, f"kernel-{variant}", sub, o)
                 for o in objs]
        if not all(os.path.exists(p) for p in paths):
            return []
        tot = [0, 0, 0]
        for p in paths:
            tot = [a + b for a, b in zip(tot, sizes(p)[:3])]
        rows.append([what, " ".join(objs), *tot, sum(tot)])
    return rows


def outcome_rows(merged):
    """[driver, implementation, passed, failed, skipped, xfail] of the
    driver cases of `make test` (runner and pipeline checks left out)."""
    counts = collections.defaultdict(collections.Counter)
    for r in merged:
        parts = r.name.split("/")
        if len(parts) == 3 and parts[0] not in ("runner", "pipeline"):
            counts[tuple(parts[:2])][r.status] += 1
    return [[*key, c["pass"], c["fail"], c["skip"], c["xfail"]]
            for key, c in sorted(counts.items())]


def tests_sections(rep, merged, src):
    """The outcome counts and the known bugs (xfail) of `make test`, each
    apart from pass, fail and skip."""
    rep.section("Test outcomes", f"Cases of `make test` per implementation, "
                f"from {src}. xfail: a known bug of a mainline driver showed "
                "(not a failure of this project, not a pass either).",
                ("driver", "implementation", "pass", "fail", "skip",
                 "xfail"), outcome_rows(merged), numeric=(2, 3, 4, 5))
    rows = [[r.name, r.reason] for r in merged if r.status == "xfail"]
    if rows:
        rep.section("Known bugs of mainline drivers (xfail)",
                    "Cases where a known bug of a mainline driver showed in "
                    "this run, each with where it is described.",
                    ("case", "bug and reference"), rows)


def debian_rows(merged, debian):
    """[driver, implementation, on our kernel, on Debian's, cases whose
    outcome differs] of the driver cases of `make test` (@merged) and of
    `make test VARIANT=debian` (@debian), for the implementations Debian's
    run has; an outcome is "P pass / F fail / S skip / X xfail"."""
    def counts(res):
        return {tuple(k[:2]): k[2:] for k in outcome_rows(res)}

    ours, deb = counts(merged), counts(debian)
    by_name = {r.name: r.status for r in merged}
    rows = []
    for key, d in sorted(deb.items()):
        o = ours.get(key)
        text = [f"{c[0]} pass / {c[1]} fail / {c[2]} skip / {c[3]} xfail"
                if c else "not run" for c in (o, d)]
        differ = sorted(
            f"{r.name.split('/', 2)[2]}: {by_name[r.name]} -> {r.status}"
            for r in debian if r.name.startswith("/".join(key) + "/")
            and r.name in by_name and by_name[r.name] != r.status)
        rows.append([*key, *text, "; ".join(differ) or "none"])
    return rows


def debian_section(rep, merged, path, arch="arm64"):
    """The section comparing `make test` on our kernel with its run on
    Debian's packaged kernel (results.tsv at @path), when that exists."""
    if not os.path.exists(path):
        return
    debian = results.counted(results.read_tsv(path))
    rep.section(
        "On Debian's kernel (make test VARIANT=debian)",
        f"The same cases on Debian's own {GUESTS[arch][1]} kernel package "
        "(its config, "
        "gcc-built; our C drivers built against its headers package, "
        f"dracut's initramfs), from {path}, beside the project's kernel. "
        "Rust twins are skips there: Debian's headers carry no Rust "
        "metadata.", ("driver", "implementation", "our kernel",
                      "Debian's kernel", "cases that differ"),
        debian_rows(merged, debian))


def robustness_sections(rep, faults, sanitize):
    """The robustness table (bench/robustness.py) of the fault-injection
    sweep in @faults and the suite's run on the sanitizer kernel in
    @sanitize (results directories; either may be missing), and the
    sweep's failures, each with its first kernel lines. Returns the
    sweep's results."""
    sweep = results.read_dir(faults) if os.path.exists(
        os.path.join(faults, "results.tsv")) else []
    san = results.read_tsv(os.path.join(sanitize, "results.tsv")) \
        if os.path.exists(os.path.join(sanitize, "results.tsv")) else []
    if not sweep and not san:
        rep.section("Robustness", "No fault-injection sweep (make faults) "
                    "and no sanitizer run (make test VARIANT=sanitize) in "
                    "this build directory.", (), [])
        return sweep
    rep.section(
        "Robustness: fault injection and the sanitizer kernel",
        "make faults: every path of every implementation swept with "
        "fail-nth, one injected fault at a time until the path succeeds "
        "with none left (faults/sweep/sweep.sh); faults = faults injected, "
        "clean errors = the caller got an error and the state was as "
        "before, absorbed = the path succeeded anyway; splats, leaks "
        "(kmemleak), hangs and timeouts (a sweep that did not finish in "
        "its time) count paths. Only the calling task's faults "
        "are injected (not a workqueue's or an interrupt's). Sanitizer "
        "suite = make test on the KASAN/UBSAN/kmemleak kernel. From "
        f"{faults if sweep else '(no sweep)'} and "
        f"{sanitize if san else '(no sanitizer run)'}.",
        robustness.HEAD, robustness.table_rows(sweep, san),
        numeric=tuple(range(2, 13)))
    rows = robustness.findings(sweep)
    if rows:
        rep.section("Robustness findings",
                    "Sweep paths that did not end cleanly, with the first "
                    "kernel lines of what happened.",
                    ("case", "what", "first lines"), rows)
    return sweep


def load_tests(paths):
    """The results of the results.tsv files of `make test` that exist,
    merged (results.merge: the main run and the rustbinder run); a case
    that only ever said it runs elsewhere is no result."""
    return results.counted(results.merge([results.read_tsv(p) for p in paths
                                          if os.path.exists(p)]))


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--suite", required=True, help="suite share (main)")
    p.add_argument("--run", action="append", default=[],
                   metavar="BOOT=DIR", help="results of a compare boot")
    p.add_argument("--tests", action="append", default=[],
                   help="results.tsv of `make test` (repeatable)")
    p.add_argument("--out", required=True, help="report directory")
    p.add_argument("--final", help="where --out is moved to (for links)")
    p.add_argument("--only", default="", help="the bench directory run")
    p.add_argument("--faults", default="",
                   help="results directory of make faults")
    p.add_argument("--sanitize", default="",
                   help="results directory of make test VARIANT=sanitize")
    p.add_argument("--debian", default="",
                   help="results.tsv of make test VARIANT=debian")
    args = p.parse_args()
    suite, out = args.suite, args.out
    build = os.path.dirname(os.path.abspath(suite))
    rel = os.listdir(os.path.join(suite, "lib", "modules"))[0]
    runs = Runs([r.split("=", 1) for r in args.run])
    bench, missing = runs.bench, runs.missing

    modules = module_rows(suite, rel, runs.loads)
    arch, na = guest_arch(suite), not_applicable(suite)
    rep = Report()
    os.makedirs(out, exist_ok=True)
    charts = plot_all(bench, out)
    boots = [r.split("=", 1) for r in args.run]
    interval = (f"median [95% interval] of the per-round ratios (paired: "
                f"both runs of a ratio from the same round; percentile "
                f"bootstrap over rounds, {stats.RESAMPLES} resamples, seed "
                f"{stats.SEED}; order within a round shuffled with that "
                "seed; a warm-up run, not recorded, after every driver or "
                "knob change)")
    sem = semaphore_rows(bench, missing)
    if sem:
        rep.section(
            "Semaphore round trips per second",
            "Write one token and take it back; median [min..max] over "
            f"interleaved rounds in one boot; Rust/C: {interval}. QEMU TCG "
            "on the build host: only the ratio carries over.",
            ("threads", "rounds", "csemaphore", "rsemaphore", "Rust/C"),
            sem, numeric=(0, 1, 4), plots=charts.get("semaphore", ()))
    nullblk = nullblk_rows(bench, missing)
    if nullblk:
        rep.section(
            "Null block IOPS (paper's RQ2)",
            "fio direct 4 KiB, memory-backed (backed; rnull has no backing) "
            "or not (nobacked), reads of a device written in full first "
            "(prefilled), queue and CPU settings as read back (see "
            "'Configuration read back'); median [min..max] IOPS over "
            f"interleaved rounds in one boot; ratios: {interval}. Like for "
            "like in the backed mode: cnull, as null_blk, makes a memory-"
            "backed device's queue BLK_MQ_F_BLOCKING and allocates its "
            "pages with GFP_NOIO outside its lock (null_blk's configfs "
            "'blocking' is read back; cnull's by its source, "
            "drivers/nullblk/cnull.c). QEMU TCG on the build host: only "
            "the ratios carry over.",
            ("config", "engine", "rw", "jobs", "rounds", "null_blk",
             "cnull", "cnull/null_blk", "rnull", "rnull/null_blk",
             "cnull/rnull"),
            nullblk, numeric=(3, 4), plots=charts.get("nullblk", ()))
    binder = binder_section(rep, bench, modules, missing)
    rep.attach("Binder ping round trips (the paper's binder benchmark)",
               charts.get("binder", ()))
    e1000 = e1000_section(rep, bench, modules, missing)
    rep.attach("e1000 ping latency and TCP throughput",
               charts.get("e1000", ()))
    rows = config_rows(bench)
    if rows:
        rep.section("Configuration read back",
                    "What each bench program read back from the guest "
                    "after setting it up (RESULT keys cfg_*), not what it "
                    "meant to set; a|b: the value changed between rows.",
                    ("bench", "impl", "read back"), rows)
    rep.section("Machine", "Recorded by the run: the host by compare.py "
                "around each boot, the kernel options from the .config of "
                "the Image booted.", ("boot", "what", "value"),
                machine(boots))
    vfile = os.path.join(out, "versions.txt")
    if os.path.exists(vfile):
        rep.section("Versions", "What this report was made with "
                    "(scripts/versions.sh and the project's git revision; "
                    "-dirty: uncommitted changes).", ("what", "version"),
                    [line.rstrip("\n").split(None, 1)
                     for line in lines_of(vfile) if line.strip()])
    scope = f"only bench/{args.only}" if args.only else "every bench program"
    rep.section("Runs", f"This run: {scope}; FULL=1 gives the paper's run "
                "lengths. Boot outputs (bench.tsv, results.tsv, console.log) "
                "are in runs/BOOT/.", ("boot", "seconds", "bench programs",
                                       "outcome"),
                [[b, runs.seconds.get(b, "-"),
                  " ".join(sorted(d for bb, d in runs.ran if bb == b)),
                  "; ".join(f"{d}: failed: {w}"
                            for (bb, d), w in sorted(runs.failed.items())
                            if bb == b) or "ok"]
                 for b, _ in boots] +
                [["-", "-", "-", n] for n in runs.notes], numeric=(1,))
    rep.section(
        "Modules", f"Kernel {rel} (the main kernel's build: sizes with its "
        "debug options); sizes in bytes from llvm-size "
        "(debug = the .debug_* sections); load/unload in the guest.",
        ("module", "origin", "lang", ".ko", "text", "data", "bss", "debug",
         "load/unload"),
        [r[:9] for r in modules], numeric=(3, 4, 5, 6, 7))
    rep.section(
        "Size of the twins (paper's Figure 7)",
        "size = text + data + bss; ratio = Rust/C of size; the paper's "
        "ratio where it has one.",
        ("driver", "C", "size", "debug", "Rust", "size", "debug", "ratio",
         "paper"),
        pair_rows(modules), numeric=(2, 3, 5, 6, 7, 8))
    rows = binder_sizes = mainline_binder_sizes(build)
    if rows:
        rep.section(
            "Mainline binder sizes, C and Rust (paper's Figure 7)",
            "Object files of the two kernel builds (the Rust binder is "
            "built in, so there is no .ko): binder.o + binder_alloc.o of "
            "binder_linux (main kernel) against rust_binder_main.o + "
            "rust_binder_events.o (its tracepoints; binder.o has its own) "
            "of the rustbinder kernel; binderfs and binder_netlink.o left "
            "out. size = text + data + bss. Rust/C = "
            f"{ratio(rows[1][5], rows[0][5])} (paper: "
            f"{PAPER_SIZE_RATIO['binder']:.2f}).",
            ("binder", "objects", "text", "data", "bss", "size"), rows,
            numeric=(2, 3, 4, 5))
    gpio_pl061_section(rep, modules)
    ksrc = os.path.join(build, "linux")
    unsafe = unsafe_rows(ksrc) if os.path.isdir(ksrc) else []
    if unsafe:
        rep.section(
            "Unsafe usage (paper's unsafe table)",
            "Counted on tokens of a Rust lexer (bench/unsafe_count.py): "
            "blocks = `unsafe {`, fns = `unsafe fn NAME`, impls = `unsafe "
            "impl`/`trait`. Driver = the driver's own files; abstractions = "
            "the kernel crate modules it names, counted whole (so a driver "
            "that uses kernel::sync counts the raw spinlock our patch adds "
            "there). Limits: "
            "macros are not expanded (a macro_rules! body counts once, "
            "proc-macro output not at all).",
            ("driver", "origin", "files", "blocks", "fns", "impls",
             "abs blocks", "abs fns", "abs impls",
             "abs blocks in our patches", "kernel modules used"),
            unsafe, numeric=(2, 3, 4, 5, 6, 7, 8, 9))
    patches = patch_rows(ksrc) if os.path.isdir(ksrc) else []
    if patches:
        rep.section(
            "Our kernel patches (the abstraction layer of our Rust twins)",
            "What kernel/patches/ adds to the kernel crate, counted as "
            "above on the files each patch adds; helpers = C functions "
            "(rust_helper_*) it adds for static inlines the Rust side calls.",
            ("patch", "blocks", "fns", "impls", "C helpers",
             "kernel modules added"),
            patches, numeric=(1, 2, 3, 4))
    merged = load_tests(args.tests)
    feats = []
    if merged:
        tests = os.path.join(out, "tests.tsv")
        results.write_tsv(tests, merged)
        src = ", ".join(t for t in args.tests if os.path.exists(t))
        order = {"cnull": 0, "csemaphore": 0, "chello": 0, "cpl061": 0,
                 "cbinder": 0, "ce1000": 0, "rnull": 1, "rsemaphore": 1,
                 "rhello": 1, "rust_binder": 1, "re1000": 1}
        tests_sections(rep, merged, src)
        debian_section(rep, merged, args.debian, arch)
        feats = features.matrices(TOP, tests, order)
        for driver, impls, rows in feats:
            rep.section(f"Features: {driver}",
                        "Each cell is the outcome of the tests behind the "
                        f"feature (tests/{driver}/features), from {src}.",
                        ("feature", *impls), rows)
        for driver, (impls, cases) in differential(tests).items():
            rows = [[case, *cells,
                     "yes" if len(set(cells)) == 1 else "DIFFERS"]
                    for case, cells in cases]
            rep.section(f"Differential tests: {driver}",
                        f"One test program, every implementation; from "
                        f"{src}.", ("case", *impls, "same"), rows)
    else:
        rep.section("Features", f"No test results at {' '.join(args.tests)}"
                    ": run 'make test' for the feature matrices.", (), [])
    sweep = robustness_sections(rep, args.faults, args.sanitize)
    rep.section("Findings", "From this run's numbers; a verdict only where "
                "the interval excludes 1. QEMU TCG: only ratios carry over "
                "to other machines.", ("finding",),
                findings(pair_rows(modules), sem, nullblk, unsafe, binder,
                         e1000, binder_sizes), at=0)
    rep.section("Goals", "The project's performance goals (issue 18), each "
                f"as a ratio: {interval}. met / missed only where the "
                "interval says so.", ("goal", "ratio", "where it stands"),
                goal_rows(nullblk, binder, e1000, sem), at=0)
    rep.section("Summary", "A row per driver, a column per implementation: "
                "features passed of the driver's feature rows (make test), "
                "size (text+data+bss) / ours in C, the headline performance "
                f"ratio ({interval}), the fault sweep's clean paths (make "
                "faults). Details in the sections below.",
                ("driver", *SUMMARY_COLUMNS),
                summary_rows(modules, binder_sizes, feats,
                             headlines(sem, nullblk, binder, e1000),
                             robustness.summary_cells(sweep), na), at=0)
    intro = ("C drivers against their Rust twins and the mainline "
             f"drivers, {GUESTS[arch][0]}; machine, kernel and accelerator "
             "as recorded in 'Machine'.")
    text = rep.text()
    print(text)
    final = args.final or out
    with open(os.path.join(out, "report.txt"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(rep.markdown(intro))
    with open(os.path.join(out, "index.html"), "w") as f:
        f.write(rep.html(intro))
    print(f"\nreport: {os.path.join(final, 'report.md')}, "
          f"{os.path.join(final, 'index.html')}")
    rc = 0
    if ("main", "modules") in runs.ran:
        failed = [r[0] for r in modules if not r[8].startswith("ok")]
        if failed:
            print("modules that did not load and unload: " + " ".join(failed))
            rc = 1
    if runs.failed:
        print("benchmarks that failed: " + "; ".join(
            f"{d} ({b} boot): {w}" for (b, d), w in sorted(runs.failed.items())))
        rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
