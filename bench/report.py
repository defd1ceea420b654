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
# Not a paper figure: the project's goal for cnull, a fraction of
# null_blk's IOPS in every fio cell (the null block issue).
CNULL_IOPS_TARGET = 0.97

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
    """Sections (title, note, table) rendered as text, Markdown and HTML
    from one list, so the three say the same."""

    def __init__(self):
        self.sections = []

    def section(self, title, note, head, rows, numeric=()):
        self.sections.append((title, note, head, rows, numeric))

    def text(self):
        out = []
        for title, note, head, rows, numeric in self.sections:
            out += [f"\n{title}", note]
            if head:
                out += ["", table(head, rows, numeric)]
        return "\n".join(out)

    def markdown(self, intro, plots):
        out = ["# Comparison report", "", intro]
        for title, note, head, rows, _ in self.sections:
            out += ["", f"## {title}", "", note]
            if head:
                out += ["", markdown(head, rows)]
        if plots:
            out += ["", "## Plots", ""] + [f"![{t}]({f})" for t, f in plots]
        return "\n".join(out) + "\n"

    def html(self, intro, plots):
        return render_html(intro, self.sections, plots)


def render_html(intro, sections, plots):
    """A small self-contained page: the same sections as report.md, each
    table an HTML table, the plots as <img> links to the SVGs."""
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           "<title>rfl-drivers comparison report</title>", "<style>",
           "body{font-family:sans-serif;max-width:75em;margin:1em auto;"
           "padding:0 1em}",
           "table{border-collapse:collapse;margin:.5em 0}",
           "th,td{border:1px solid #bbb;padding:.2em .5em;font-size:90%}",
           "th{background:#eee}td.n{text-align:right}",
           "td.failed{background:#fdd}td.xfail{background:#ffd}",
           "img{max-width:100%}",
           "</style></head><body>", "<h1>Comparison report</h1>",
           f"<p>{e(intro)}</p>", "<ul>"]
    anchors = []
    for k, (title, *_rest) in enumerate(sections):
        anchors.append(f"s{k}")
        out.append(f'<li><a href="#s{k}">{e(title)}</a></li>')
    if plots:
        out.append('<li><a href="#plots">Plots</a></li>')
    out.append("</ul>")
    for anchor, (title, note, head, rows, numeric) in zip(anchors, sections):
        out += [f'<h2 id="{anchor}">{e(title)}</h2>', f"<p>{e(note)}</p>"]
        if not head:
            continue
        out.append("<table><tr>" + "".join(f"<th>{e(str(h))}</th>"
                                           for h in head) + "</tr>")
        for r in rows:
            cells = []
            for j, c in enumerate(r):
                c = str(c)
                cls = "failed" if c.startswith(("failed", "FAIL")) else \
                    "xfail" if c.startswith(("known bug", "xfail")) else \
                    "n" if j in numeric else ""
                cells.append(f'<td class="{cls}">{e(c)}</td>' if cls
                             else f"<td>{e(c)}</td>")
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</table>")
    if plots:
        out.append('<h2 id="plots">Plots</h2>')
        for title, f in plots:
            out.append(f'<figure><a href="{e(f)}"><img src="{e(f)}" '
                       f'alt="{e(title)}"></a><figcaption>{e(title)}'
                       "</figcaption></figure>")
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


def median(values):
    return statistics.median(values) if values else None


def semaphore_rows(bench, missing=not_run):
    runs = collections.defaultdict(list)
    for d in usable(bench, "semaphore"):
        runs[(int(d["threads"]), d["impl"])].append(
            float(d["roundtrips_per_s"]))
    rows = []
    for threads in sorted({k[0] for k in runs}):
        c, r = runs.get((threads, "csemaphore")), runs.get((threads, "rsemaphore"))
        rows.append([threads, len(c or r),
                     spread(c) if c else missing("semaphore"),
                     spread(r) if r else missing("semaphore"),
                     ratio(median(r), median(c))])
    if not rows and missing("semaphore") != "not run":
        rows.append(["-", 0, missing("semaphore"), missing("semaphore"), "-"])
    return rows


def nullblk_rows(bench, missing=not_run):
    """IOPS per cell, median [min..max], and each driver's ratio to null_blk."""
    runs = collections.defaultdict(list)
    skipped = {}
    for d in usable(bench, "nullblk"):
        if "skip" in d:
            skipped[(d["config"], d["impl"])] = d["skip"]
            continue
        cell = (d["config"], d["engine"], d["rw"], int(d["jobs"]))
        runs[cell + (d["impl"],)].append(float(d["iops"]))
    rows = []
    for cell in sorted({k[:4] for k in runs}):
        ref = runs.get(cell + ("null_blk",))
        row = [*cell, len(ref) if ref else 0]
        for impl in ("null_blk", "cnull", "rnull"):
            v = runs.get(cell + (impl,))
            if not v:
                row.append(skipped.get((cell[0], impl),
                                       missing("nullblk")))
                if impl != "null_blk":
                    row.append("-")
                continue
            row.append(spread(v))
            if impl != "null_blk":
                row.append(ratio(median(v), median(ref)))
        rows.append(row)
    if not rows and missing("nullblk") != "not run":
        m = missing("nullblk")
        rows.append(["-", "-", "-", "-", 0, m, m, "-", m, "-"])
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


def rounds(bench, name, keys, value):
    """{(key values...): {impl: [round values]}} of one benchmark."""
    out = collections.defaultdict(lambda: collections.defaultdict(list))
    for d in usable(bench, name):
        if value in d:
            out[tuple(d[k] for k in keys)][d["impl"]].append(float(d[value]))
    return out


def plot_all(bench, outdir):
    """One SVG per performance table; [(title, file)] of those written."""
    charts = [
        ("semaphore", "Semaphore round trips", "round trips/s",
         ("threads",), "roundtrips_per_s"),
        ("nullblk", "Null block IOPS", "IOPS",
         ("config", "engine", "rw", "jobs"), "iops"),
        ("binder", "Binder ping round trip", "microseconds",
         ("threads",), "us_per_roundtrip"),
        ("e1000", "e1000 ping latency (average per round)", "ms", (),
         "ping_avg_ms"),
        ("e1000", "e1000 TCP throughput", "Mbit/s", (), "tcp_mbit_s"),
    ]
    done = []
    for name, title, ylabel, keys, value in charts:
        data = rounds(bench, name, keys, value)
        if not data:
            continue
        groups = sorted(data)
        impls = sorted({i for g in groups for i in data[g]})
        series = {i: [data[g].get(i) for g in groups] for i in impls}
        svg = f"{name}-{value}.svg"
        try:
            plots.bars(os.path.join(outdir, svg), title, ylabel,
                       ["/".join(g) or name for g in groups], series)
        except ImportError as e:
            print(f"no plots: {e} (the tool root needs python3-matplotlib)")
            return done
        done.append((title, svg))
    return done


def ratio_range(values):
    """'a..b' of a list of ratio strings, skipping non-numbers."""
    nums = sorted(float(v) for v in values if v not in ("-", ""))
    if not nums:
        return None
    return f"{nums[0]:.2f}" if len(nums) == 1 else \
        f"{nums[0]:.2f}..{nums[-1]:.2f}"


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
        if r[4] == "-":
            continue
        out.append(f"Semaphore round trips with {r[0]} thread(s): "
                   f"rsemaphore runs at {r[4]}x csemaphore's rate "
                   f"(medians of {r[1]} rounds).")
    if nullblk:
        nullblk = [r for r in nullblk if r[4]]
        c = ratio_range(r[7] for r in nullblk)
        rn = ratio_range(r[9] for r in nullblk)
        if c:
            low = min(float(r[7]) for r in nullblk if r[7] != "-")
            where = "met in every cell" if low >= CNULL_IOPS_TARGET else \
                "missed in at least one cell"
            out.append(f"cnull reaches {c}x of null_blk's IOPS over "
                       f"{len(nullblk)} fio cells: the project's "
                       f"{CNULL_IOPS_TARGET:.2f}x target is {where}.")
        if rn:
            out.append(f"rnull reaches {rn}x of null_blk's IOPS where it "
                       "can run (no memory backing).")
    for r in e1000 or []:
        if r[0] != "e1000" and r[1] and r[3] != "-":
            out.append(f"e1000: {r[0]} pings in {r[3]}x the average round "
                       f"trip of mainline e1000 and moves {r[6]}x its TCP "
                       "throughput.")
    paper_binder = PAPER_BINDER_1M["rust_binder"] / \
        PAPER_BINDER_1M["binder_linux"]
    for r in binder or []:
        if r[1] == "rust_binder" and r[2]:
            # The paper's ratio is Rust binder / mainline C binder: it goes
            # next to vs binder_linux, and only for its one-thread ping.
            paper = f"; paper: {paper_binder:.2f}x" if r[0] == 1 else ""
            out.append(f"Binder ping, {r[0]} thread(s): rust_binder takes "
                       f"{r[6]} us a round trip, {r[4]}x binder_linux's "
                       f"(across boots{paper}) and {r[5]}x cbinder's in its "
                       "own boot.")
        elif r[1] == "cbinder" and r[2]:
            out.append(f"Binder ping, {r[0]} thread(s): cbinder takes "
                       f"{r[6]} us a round trip, {r[4]}x binder_linux's.")
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


def machine():
    """The host the numbers come from."""
    model = "unknown CPU"
    try:
        for line in lines_of("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"QEMU virt arm64 under TCG on {os.cpu_count()} x {model}"



def binder_section(rep, bench, modules, missing=not_run):
    """Binder ping: median [min..max] microseconds per round trip for each
    implementation, the ratio to the C binder, the paper's figures, and
    the size of cbinder next to binder_linux. The Rust binder comes from
    the second boot (the rustbinder kernel), where cbinder is measured
    again: its ratio to cbinder there is within one boot."""
    runs = collections.defaultdict(list)
    for d in usable(bench, "binder"):
        runs[(int(d["threads"]), d["impl"])].append(
            float(d["us_per_roundtrip"]))
    failed = missing("binder") != "not run" or \
        missing("binder", "rustbinder") != "not run"
    if not runs and not failed:
        return
    second = "cbinder (rustbinder boot)"
    # impl, the boot it runs in
    impls = (("cbinder", "main"), ("binder_linux", "main"),
             ("rust_binder", "rustbinder"), (second, "rustbinder"))
    rows = []
    for threads in sorted({k[0] for k in runs}) or [1]:
        base = runs.get((threads, "binder_linux"))
        for impl, boot in impls:
            v = runs.get((threads, impl))
            if not v:
                if missing("binder", boot) != "not run" or \
                        impl == "rust_binder":
                    rows.append([threads, impl, 0, missing("binder", boot),
                                 "-", "-", "-", "-"])
                continue
            med = statistics.median(v)
            # Within one boot: rust_binder against cbinder beside it.
            peer = runs.get((threads, second if boot != "main"
                             else "cbinder"))
            paper = PAPER_BINDER_1M.get(impl) if threads == 1 else None
            rows.append([threads, impl, len(v),
                         f"{med:.1f} [{min(v):.1f}..{max(v):.1f}]",
                         ratio(med, median(base)), ratio(med, median(peer)),
                         f"{med:.1f}",
                         f"{paper:.1f}" if paper else "-"])
    size = {r[0]: sum(r[4:7]) for r in modules}
    paper_ratio = ratio(PAPER_BINDER_1M["rust_binder"],
                        PAPER_BINDER_1M["binder_linux"])
    note = ("Client and server processes, 4 KiB mappings, empty "
            "transactions to handle 0; microseconds per round trip, "
            "median [min..max] over interleaved rounds in one boot; "
            "vs binder_linux = median / binder_linux median; vs cbinder = "
            "median / cbinder median in the same boot. 1M s = seconds for "
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
    median [min..max] over rounds, ratios of the medians to e1000, re1000
    against ce1000 knob for knob, and which knob explains the paper's
    C/Rust ping gap. A driver missing from the suite (@modules, when
    given) has its rows marked not built."""
    paper_c_ms, paper_rust_ms = PAPER_E1000_PING_MS["C"], \
        PAPER_E1000_PING_MS["Rust"]
    rust_itr = RUST_PORT_ITR
    keys = ("ping_avg_ms", "ping_mdev_ms", "tcp_mbit_s")
    runs = collections.defaultdict(lambda: collections.defaultdict(list))
    for d in usable(bench, "e1000"):
        for k in keys:
            runs[d["impl"]][k].append(float(d[k]))
    if not runs and missing("e1000") == "not run":
        return
    med = {c: {k: statistics.median(v) for k, v in m.items()}
           for c, m in runs.items()}
    base = med.get("e1000", {})
    built = {r[0] for r in modules}
    rows = []
    for c in E1000_CONFIGS:
        if c not in med:
            if modules and c.split("-")[0] not in built:
                rows.append([c, 0, "not built", "-", "", "not built", "-"])
            elif missing("e1000") != "not run":
                rows.append([c, 0, missing("e1000"), "-", "",
                             missing("e1000"), "-"])
            continue
        m, v = med[c], runs[c]
        rows.append([c, len(v["ping_avg_ms"]),
                     spread(v["ping_avg_ms"], 3),
                     ratio(m["ping_avg_ms"], base.get("ping_avg_ms")),
                     f"{m['ping_mdev_ms']:.3f}",
                     spread(v["tcp_mbit_s"]),
                     ratio(m["tcp_mbit_s"], base.get("tcp_mbit_s"))])
    notes = ["Ping rfl0 -> rfl1 and iperf3 TCP between the guest's two NICs; "
             "median [min..max] over interleaved rounds in one boot of each "
             "round's average round trip and TCP throughput (mdev: median "
             "over rounds); ratio = median / mainline e1000's median. "
             "QEMU TCG has no cache model: prefetch can only cost "
             "instructions here."]
    names = ("ce1000", "re1000", "e1000")
    sizes = {r[0]: r for r in modules if r[0] in names}
    if sizes:
        notes.append("Module size: " + "; ".join(
            f"{n} {sizes[n][3]} bytes .ko, {sum(sizes[n][4:7])} bytes "
            "text+data+bss" for n in names if n in sizes) + ".")
    twins = []
    for knob in ("", "-noprefetch", "-rustitr"):
        c, r = med.get(f"ce1000{knob}"), med.get(f"re1000{knob}")
        if c and r:
            twins.append(f"{knob[1:] or 'defaults'}: ping "
                         f"{ratio(r['ping_avg_ms'], c['ping_avg_ms'])}x, "
                         f"TCP {ratio(r['tcp_mbit_s'], c['tcp_mbit_s'])}x")
    if twins:
        notes.append("re1000 against ce1000 with the same knobs (median / "
                     "median): " + "; ".join(twins) + ".")
    for drv in E1000_OURS:
        need = (drv, f"{drv}-noprefetch", f"{drv}-rustitr")
        if not all(c in med for c in need) or med[drv]["ping_avg_ms"] <= 0:
            continue
        on, off, itr = (med[c]["ping_avg_ms"] for c in need)
        d_pf, d_itr = off - on, itr - on
        delay_ms = (rust_itr & 0xffff) * 256 / 1e6
        notes.append(
            f"Prefetch off moves {drv}'s median average round trip from "
            f"{on:.3f} to {off:.3f} ms ({d_pf:+.3f} ms); the Rust port's ITR "
            f"({rust_itr}, kept by the device as {rust_itr & 0xffff}, "
            f"{delay_ms:.1f} ms between interrupts) moves it to {itr:.3f} ms "
            f"({d_itr:+.3f} ms, {itr / on:.1f}x).")
        if abs(d_itr) > abs(d_pf):
            notes.append(
                f"So, on {drv}, interrupt throttling, not prefetch, explains "
                f"the paper's {paper_c_ms} ms (C) vs {paper_rust_ms} ms "
                f"(Rust) average ping ({paper_rust_ms / paper_c_ms:.1f}x): "
                f"here the ITR value alone makes {itr / on:.1f}x, prefetch "
                f"{off / on:.2f}x.")
        else:
            notes.append(
                f"Here, on {drv}, prefetch ({off / on:.2f}x) weighs more "
                f"than the ITR value ({itr / on:.1f}x) against the paper's "
                f"{paper_rust_ms / paper_c_ms:.1f}x gap "
                f"({paper_c_ms} vs {paper_rust_ms} ms).")
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


def robustness_sections(rep, faults, sanitize):
    """The robustness table (bench/robustness.py) of the fault-injection
    sweep in @faults and the suite's run on the sanitizer kernel in
    @sanitize (results directories; either may be missing), and the
    sweep's failures, each with its first kernel lines."""
    sweep = results.read_dir(faults) if os.path.exists(
        os.path.join(faults, "results.tsv")) else []
    san = results.read_tsv(os.path.join(sanitize, "results.tsv")) \
        if os.path.exists(os.path.join(sanitize, "results.tsv")) else []
    if not sweep and not san:
        rep.section("Robustness", "No fault-injection sweep (make faults) "
                    "and no sanitizer run (make test VARIANT=sanitize) in "
                    "this build directory.", (), [])
        return
    rep.section(
        "Robustness: fault injection and the sanitizer kernel",
        "make faults: every path of every implementation swept with "
        "fail-nth, one injected fault at a time until the path succeeds "
        "with none left (faults/sweep/sweep.sh); faults = faults injected, "
        "clean errors = the caller got an error and the state was as "
        "before, absorbed = the path succeeded anyway; splats, leaks "
        "(kmemleak) and hangs count paths. Only the calling task's faults "
        "are injected (not a workqueue's or an interrupt's). Sanitizer "
        "suite = make test on the KASAN/UBSAN/kmemleak kernel. From "
        f"{faults if sweep else '(no sweep)'} and "
        f"{sanitize if san else '(no sanitizer run)'}.",
        robustness.HEAD, robustness.table_rows(sweep, san),
        numeric=tuple(range(2, 12)))
    rows = robustness.findings(sweep)
    if rows:
        rep.section("Robustness findings",
                    "Sweep paths that did not end cleanly, with the first "
                    "kernel lines of what happened.",
                    ("case", "what", "first lines"), rows)


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
    args = p.parse_args()
    suite, out = args.suite, args.out
    build = os.path.dirname(os.path.abspath(suite))
    rel = os.listdir(os.path.join(suite, "lib", "modules"))[0]
    runs = Runs([r.split("=", 1) for r in args.run])
    bench, missing = runs.bench, runs.missing

    modules = module_rows(suite, rel, runs.loads)
    rep = Report()
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
                 for b, _ in (r.split("=", 1) for r in args.run)] +
                [["-", "-", "-", n] for n in runs.notes], numeric=(1,))
    rep.section(
        "Modules", f"Kernel {rel}; sizes in bytes from llvm-size "
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
    rows = semaphore_rows(bench, missing)
    if rows:
        rep.section(
            "Semaphore round trips per second",
            "Write one token and take it back; median [min..max] over "
            "interleaved rounds in one boot. QEMU TCG on the build host: "
            "only the ratio carries over.",
            ("threads", "rounds", "csemaphore", "rsemaphore", "Rust/C"),
            rows, numeric=(0, 1, 4))
    rows = nullblk_rows(bench, missing)
    if rows:
        rep.section(
            "Null block IOPS (paper's RQ2)",
            "fio 4k, 4 GiB disk, irqmode 0, depth 256, no scheduler; psync "
            "at depth 1, io_uring at depth 32; median [min..max] IOPS over "
            "interleaved rounds in one boot; ratios to null_blk. QEMU TCG "
            "on the build host: only the ratios carry over.",
            ("config", "engine", "rw", "jobs", "rounds", "null_blk",
             "cnull", "cnull/null_blk", "rnull", "rnull/null_blk"),
            rows, numeric=(3, 4, 7, 9))
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
    binder = binder_section(rep, bench, modules, missing)
    e1000 = e1000_section(rep, bench, modules, missing)
    merged = load_tests(args.tests)
    if merged:
        tests = os.path.join(out, "tests.tsv")
        results.write_tsv(tests, merged)
        src = ", ".join(t for t in args.tests if os.path.exists(t))
        order = {"cnull": 0, "csemaphore": 0, "chello": 0, "cpl061": 0,
                 "cbinder": 0, "ce1000": 0, "rnull": 1, "rsemaphore": 1,
                 "rhello": 1, "rust_binder": 1, "re1000": 1}
        tests_sections(rep, merged, src)
        for driver, impls, rows in features.matrices(TOP, tests, order):
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
    robustness_sections(rep, args.faults, args.sanitize)
    rep.section("Findings", f"From this run's numbers; {machine()}: only "
                "ratios carry over to other machines.", ("finding",),
                findings(pair_rows(modules), semaphore_rows(bench),
                         nullblk_rows(bench), unsafe, binder, e1000,
                         binder_sizes))
    os.makedirs(out, exist_ok=True)
    charts = plot_all(bench, out)
    intro = f"{machine()}."
    text = rep.text()
    print(text)
    final = args.final or out
    if charts:
        print("\nplots: " + " ".join(os.path.join(final, f)
                                     for _, f in charts))
    with open(os.path.join(out, "report.txt"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(rep.markdown(intro, charts))
    with open(os.path.join(out, "index.html"), "w") as f:
        f.write(rep.html(intro, charts))
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
