#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the comparison of the C and Rust builds and write it to a report.

Inputs: the suite share (modules.tsv, the .ko files) and the results
directory of a `--mode compare` run (results.tsv, bench.tsv). Sizes are
measured here with llvm-size from the tool root; load outcomes and
benchmark rounds come from the guest.
"""

import collections
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import features  # noqa: E402
import plots  # noqa: E402
import unsafe_count  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Rust/C binary size ratios of the paper's Figure 7, by driver directory.
PAPER_SIZE_RATIO = {"semaphore": 1.93, "gpio_pl061": 2.41, "binder": 1.16}


def sizes(ko):
    """text, data, bss (Berkeley, as size(1) prints) and debug bytes."""
    out = subprocess.run(["llvm-size", "--format=berkeley", ko],
                         capture_output=True, text=True, check=True).stdout
    text, data, bss = (int(x) for x in out.splitlines()[1].split()[:3])
    out = subprocess.run(["llvm-size", "--format=sysv", ko],
                         capture_output=True, text=True, check=True).stdout
    debug = sum(int(line.split()[1]) for line in out.splitlines()
                if line.startswith(".debug_"))
    return text, data, bss, debug


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
    out = ["| " + " | ".join(str(c) for c in head) + " |",
           "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


class Report:
    def __init__(self):
        self.text, self.md = [], []

    def section(self, title, note, head, rows, numeric=()):
        self.text += [f"\n{title}", note, "", table(head, rows, numeric)]
        self.md += [f"\n## {title}\n", note, "", markdown(head, rows)]


def module_rows(suite, rel, loads):
    rows = []
    for line in open(os.path.join(suite, "modules.tsv")):
        name, path, size = line.rstrip("\n").split("\t")
        if path.startswith("extra/tests/"):
            continue
        ko = os.path.join(suite, "lib", "modules", rel, path)
        d = loads.get(name, {})
        load = d.get("load", "not run")
        if load == "ok" and d.get("unload") == "permanent":
            load = "ok (permanent)"
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
                     f"{r_total / c_total:.2f}",
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
        ratio = f"{size / sum(c[4:7]):.2f}" if c else "-"
        rows.append([name, what, r[3], *r[4:8], size, ratio])
    rep.section(
        "gpio_pl061 sizes",
        "Bytes from llvm-size; size = text + data + bss; ratio = size / "
        "cpl061's. The paper's Rust/C ratio for gpio_pl061 is "
        f"{PAPER_SIZE_RATIO['gpio_pl061']:.2f}.",
        ("module", "what", ".ko", "text", "data", "bss", "debug", "size",
         "ratio"),
        rows, numeric=(2, 3, 4, 5, 6, 7, 8))


def spread(values):
    return (f"{statistics.median(values):.0f} "
            f"[{min(values):.0f}..{max(values):.0f}]")


def semaphore_rows(bench):
    runs = collections.defaultdict(list)
    for d in bench:
        if d.get("bench") == "semaphore":
            runs[(int(d["threads"]), d["impl"])].append(
                float(d["roundtrips_per_s"]))
    rows = []
    for threads in sorted({k[0] for k in runs}):
        c, r = runs.get((threads, "csemaphore")), runs.get((threads, "rsemaphore"))
        if not c or not r:
            continue
        rows.append([threads, len(c), spread(c), spread(r),
                     f"{statistics.median(r) / statistics.median(c):.2f}"])
    return rows


def nullblk_rows(bench):
    """IOPS per cell, median [min..max], and each driver's ratio to null_blk."""
    runs = collections.defaultdict(list)
    skipped = {}
    for d in bench:
        if d.get("bench") != "nullblk":
            continue
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
                row.append(skipped.get((cell[0], impl), "not run"))
                if impl != "null_blk":
                    row.append("-")
                continue
            row.append(spread(v))
            if impl != "null_blk":
                row.append(f"{statistics.median(v) / statistics.median(ref):.2f}"
                           if ref else "-")
        rows.append(row)
    return rows


# Rust drivers for the unsafe table: name, origin, paths (relative to the
# kernel tree for mainline ones, to the project for ours).
RUST_DRIVERS = [
    ("rnull", "mainline", "k", ["drivers/block/rnull"]),
    ("rust_binder", "mainline", "k", ["drivers/android/binder"]),
    ("rust_misc_device", "sample", "k", ["samples/rust/rust_misc_device.rs"]),
    ("rhello", "ours", "p", ["drivers/hello/rhello.rs"]),
    ("rsemaphore", "ours", "p", ["drivers/semaphore/rsemaphore.rs"]),
]


def unsafe_rows(ksrc):
    rows = []
    for name, origin, base, paths in RUST_DRIVERS:
        root = ksrc if base == "k" else TOP
        full = [os.path.join(root, p) for p in paths]
        if not all(os.path.exists(p) for p in full):
            continue
        drv, abst, mods, files = unsafe_count.driver_counts(ksrc, full)
        rows.append([name, origin, len(files), drv["block"], drv["fn"],
                     drv["impl"], abst["block"], abst["fn"], abst["impl"],
                     " ".join(mods)])
    return rows


def rounds(bench, name, keys, value):
    """{(key values...): {impl: [round values]}} of one benchmark."""
    out = collections.defaultdict(lambda: collections.defaultdict(list))
    for d in bench:
        if d.get("bench") == name and value in d:
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


def findings(pairs, sem, nullblk, unsafe):
    """Sentences filled from this run's tables; nothing typed in."""
    out = []
    for r in pairs:
        paper = f" (paper: {r[8]}x)" if r[8] != "-" else ""
        out.append(f"{r[4]} is {r[7]}x the size (text+data+bss) of "
                   f"{r[1]}{paper}.")
    for r in sem:
        out.append(f"Semaphore round trips with {r[0]} thread(s): "
                   f"rsemaphore runs at {r[4]}x csemaphore's rate "
                   f"(medians of {r[1]} rounds).")
    if nullblk:
        c = ratio_range(r[7] for r in nullblk)
        rn = ratio_range(r[9] for r in nullblk)
        if c:
            low = min(float(r[7]) for r in nullblk if r[7] != "-")
            where = "met in every cell" if low >= 0.97 else \
                "missed in at least one cell"
            out.append(f"cnull reaches {c}x of null_blk's IOPS over "
                       f"{len(nullblk)} fio cells: the 0.97x target is "
                       f"{where}.")
        if rn:
            out.append(f"rnull reaches {rn}x of null_blk's IOPS where it "
                       "can run (no memory backing).")
    for r in unsafe:
        if r[1] == "ours" or r[0] in ("rnull", "rust_binder"):
            out.append(f"{r[0]}: {r[3]} unsafe blocks, {r[4]} unsafe fns, "
                       f"{r[5]} unsafe impls in the driver; {r[6]} blocks "
                       "in the kernel crate modules it uses.")
    return [[f] for f in out]


def machine():
    """The host the numbers come from."""
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"QEMU virt arm64 under TCG on {os.cpu_count()} x {model}"
# The paper's binder ping: seconds for 1M round trips on a Raspberry Pi 4.
PAPER_BINDER_1M = {"binder_linux": 131.6, "rust_binder": 124.0}


def binder_section(rep, bench, modules):
    """Binder ping: median [min..max] microseconds per round trip for each
    implementation, the ratio to the C binder, the paper's figures, and
    the size of cbinder next to binder_linux."""
    runs = collections.defaultdict(list)
    for d in bench:
        if d.get("bench") == "binder":
            runs[(int(d["threads"]), d["impl"])].append(
                float(d["us_per_roundtrip"]))
    if not runs:
        return
    rows = []
    for threads in sorted({k[0] for k in runs}):
        base = runs.get((threads, "binder_linux"))
        for impl in ("cbinder", "binder_linux", "rust_binder"):
            v = runs.get((threads, impl))
            if not v:
                continue
            med = statistics.median(v)
            ratio = f"{med / statistics.median(base):.2f}" if base else "-"
            paper = PAPER_BINDER_1M.get(impl) if threads == 1 else None
            rows.append([threads, impl, len(v),
                         f"{med:.1f} [{min(v):.1f}..{max(v):.1f}]", ratio,
                         f"{med:.1f}",
                         f"{paper:.1f}" if paper else "-"])
    size = {r[0]: sum(r[4:7]) for r in modules}
    note = ("Client and server processes, 4 KiB mappings, empty "
            "transactions to handle 0; microseconds per round trip, "
            "median [min..max] over interleaved rounds in one boot; "
            "ratio = median / binder_linux median. 1M s = seconds for the "
            "paper's 1M round trips at that median; the paper measured C "
            "131.6 s and Rust 124.0 s on a Raspberry Pi 4 (Rust/C 0.94). "
            "QEMU TCG: only ratios carry over. The Rust binder runs only "
            "in the rustbinder kernel, where the C binder does not exist.")
    if "cbinder" in size and "binder_linux" in size:
        note += (f" Size (text+data+bss): cbinder {size['cbinder']} B, "
                 f"binder_linux {size['binder_linux']} B "
                 f"({size['cbinder'] / size['binder_linux']:.2f}x).")
    rep.section("Binder ping round trips (the paper's binder benchmark)",
                note, ("threads", "impl", "runs", "us/round trip", "vs C",
                       "1M s", "paper 1M s"), rows, numeric=(0, 2, 4, 5, 6))
def e1000_section(rep, bench, modules):
    """bench/e1000: ping latency and TCP throughput of mainline e1000 and
    ce1000 with its two knobs, medians over rounds, ratios to e1000, and
    which knob explains the paper's C/Rust ping gap."""
    paper_c_ms, paper_rust_ms = 0.672, 8.061
    rust_itr = 1302083
    keys = ("ping_min_ms", "ping_avg_ms", "ping_max_ms", "ping_mdev_ms",
            "tcp_mbit_s")
    runs = collections.defaultdict(lambda: collections.defaultdict(list))
    for d in bench:
        if d.get("bench") == "e1000":
            for k in keys:
                runs[d["impl"]][k].append(float(d[k]))
    if "e1000" not in runs:
        return
    med = {c: {k: statistics.median(v) for k, v in m.items()}
           for c, m in runs.items()}
    base = med["e1000"]
    rows = []
    for c in ("e1000", "ce1000", "ce1000-noprefetch", "ce1000-rustitr"):
        if c not in med:
            continue
        m = med[c]
        rows.append([c, len(runs[c]["ping_avg_ms"]),
                     *(f"{m[k]:.3f}" for k in keys[:4]),
                     f"{m['ping_avg_ms'] / base['ping_avg_ms']:.2f}",
                     f"{m['tcp_mbit_s']:.0f}",
                     f"{m['tcp_mbit_s'] / base['tcp_mbit_s']:.2f}"])
    notes = ["Ping rfl0 -> rfl1 and iperf3 TCP between the guest's two NICs; "
             "median over interleaved rounds in one boot; ratio = config / "
             "mainline e1000. QEMU TCG has no cache model: prefetch can only "
             "cost instructions here."]
    sizes = {r[0]: r for r in modules if r[0] in ("ce1000", "e1000")}
    if sizes:
        notes.append("Module size: " + "; ".join(
            f"{n} {sizes[n][3]} bytes .ko, {sum(sizes[n][4:7])} bytes "
            "text+data+bss" for n in ("ce1000", "e1000") if n in sizes) + ".")
    need = ("ce1000", "ce1000-noprefetch", "ce1000-rustitr")
    if all(c in med for c in need):
        on, off, itr = (med[c]["ping_avg_ms"] for c in need)
        d_pf, d_itr = off - on, itr - on
        delay_ms = (rust_itr & 0xffff) * 256 / 1e6
        notes.append(
            f"Prefetch off moves ce1000's median average round trip from "
            f"{on:.3f} to {off:.3f} ms ({d_pf:+.3f} ms); the Rust port's ITR "
            f"({rust_itr}, kept by the device as {rust_itr & 0xffff}, "
            f"{delay_ms:.1f} ms between interrupts) moves it to {itr:.3f} ms "
            f"({d_itr:+.3f} ms, {itr / on:.1f}x).")
        if abs(d_itr) > abs(d_pf):
            notes.append(
                f"So interrupt throttling, not prefetch, explains the paper's "
                f"{paper_c_ms} ms (C) vs {paper_rust_ms} ms (Rust) average "
                f"ping ({paper_rust_ms / paper_c_ms:.1f}x): here the ITR "
                f"value alone makes {itr / on:.1f}x, prefetch "
                f"{off / on:.2f}x.")
        else:
            notes.append(
                f"Here prefetch ({off / on:.2f}x) weighs more than the ITR "
                f"value ({itr / on:.1f}x) against the paper's "
                f"{paper_rust_ms / paper_c_ms:.1f}x gap "
                f"({paper_c_ms} vs {paper_rust_ms} ms).")
    rep.section("e1000 ping latency and TCP throughput", " ".join(notes),
                ("config", "rounds", "min ms", "avg ms", "max ms", "mdev ms",
                 "avg/e1000", "TCP Mbit/s", "TCP/e1000"),
                rows, numeric=(1, 2, 3, 4, 5, 6, 7, 8))


def differential(tests):
    """Outcome of each case for every implementation of a driver, from the
    results.tsv of `make test`: {driver: (impls, [(case, outcomes)])}."""
    by_driver = collections.defaultdict(dict)
    for line in list(open(tests))[1:]:
        name, status, reason, _ = line.rstrip("\n").split("\t")
        parts = name.split("/")
        if len(parts) != 3 or parts[0] in ("runner", "pipeline"):
            continue
        driver, impl, case = parts
        cell = status if status != "skip" else f"skip: {reason}"
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


def main():
    suite, results = sys.argv[1], sys.argv[2]
    tests = sys.argv[3] if len(sys.argv) > 3 else None
    rel = os.listdir(os.path.join(suite, "lib", "modules"))[0]
    loads, bench = {}, []
    path = os.path.join(results, "bench.tsv")
    if os.path.exists(path):
        for line in open(path):
            _, kv = line.rstrip("\n").split("\t", 1)
            d = dict(w.split("=", 1) for w in kv.split())
            if "module" in d:
                loads[d["module"]] = d
            else:
                bench.append(d)

    modules = module_rows(suite, rel, loads)
    rep = Report()
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
    gpio_pl061_section(rep, modules)
    rows = semaphore_rows(bench)
    if rows:
        rep.section(
            "Semaphore round trips per second",
            "Write one token and take it back; median [min..max] over "
            "interleaved rounds in one boot. QEMU TCG on the build host: "
            "only the ratio carries over.",
            ("threads", "rounds", "csemaphore", "rsemaphore", "Rust/C"),
            rows, numeric=(0, 1, 4))
    rows = nullblk_rows(bench)
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
    ksrc = os.path.join(os.environ.get("BUILD", os.path.join(TOP, "build")),
                        "linux")
    unsafe = unsafe_rows(ksrc) if os.path.isdir(ksrc) else []
    if unsafe:
        rep.section(
            "Unsafe usage (paper's unsafe table)",
            "Counted on tokens of a Rust lexer (bench/unsafe_count.py): "
            "blocks = `unsafe {`, fns = `unsafe fn NAME`, impls = `unsafe "
            "impl`/`trait`. Driver = the driver's own files; abstractions = "
            "the kernel crate modules it names, counted whole. Limits: "
            "macros are not expanded (a macro_rules! body counts once, "
            "proc-macro output not at all).",
            ("driver", "origin", "files", "blocks", "fns", "impls",
             "abs blocks", "abs fns", "abs impls", "kernel modules used"),
            unsafe, numeric=(2, 3, 4, 5, 6, 7, 8))
    binder_section(rep, bench, modules)
    e1000_section(rep, bench, modules)
    if tests and os.path.exists(tests):
        order = {"cnull": 0, "csemaphore": 0, "chello": 0, "cpl061": 0,
                 "cbinder": 0, "ce1000": 0, "rnull": 1, "rsemaphore": 1,
                 "rhello": 1, "rust_binder": 1}
        for driver, impls, rows in features.matrices(TOP, tests, order):
            rep.section(f"Features: {driver}",
                        "Each cell is the outcome of the tests behind the "
                        f"feature (tests/{driver}/features), from {tests}.",
                        ("feature", *impls), rows)
        for driver, (impls, cases) in differential(tests).items():
            rows = [[case, *cells,
                     "yes" if len(set(cells)) == 1 else "DIFFERS"]
                    for case, cells in cases]
            rep.section(f"Differential tests: {driver}",
                        f"One test program, every implementation; from "
                        f"{tests}.", ("case", *impls, "same"), rows)
    else:
        rep.text.append(f"\n(no test results at {tests}: run 'make test' "
                        "for the differential tables)")
    rep.section("Findings", f"From this run's numbers; {machine()}: only "
                "ratios carry over to other machines.", ("finding",),
                findings(pair_rows(modules), semaphore_rows(bench),
                         nullblk_rows(bench), unsafe))
    os.makedirs(results, exist_ok=True)
    charts = plot_all(bench, results)
    if charts:
        rep.md.append("\n## Plots\n")
        rep.md += [f"![{t}]({f})" for t, f in charts]
        rep.text.append("\nplots: " + " ".join(
            os.path.join(results, f) for _, f in charts))
    print("\n".join(rep.text))
    report = os.path.join(results, "report.md")
    with open(report, "w") as f:
        f.write(f"# Comparison report\n\n{machine()}.\n" +
                "\n".join(rep.md) + "\n")
    print(f"\nreport: {report}")
    failed = [r[0] for r in modules if not r[8].startswith("ok")]
    if failed:
        print(f"modules that did not load and unload: {' '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
