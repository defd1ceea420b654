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
    rows = semaphore_rows(bench)
    if rows:
        rep.section(
            "Semaphore round trips per second",
            "Write one token and take it back; median [min..max] over "
            "interleaved rounds in one boot. QEMU TCG on the build host: "
            "only the ratio carries over.",
            ("threads", "rounds", "csemaphore", "rsemaphore", "Rust/C"),
            rows, numeric=(0, 1, 4))
    binder_section(rep, bench, modules)
    if tests and os.path.exists(tests):
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
    print("\n".join(rep.text))
    os.makedirs(results, exist_ok=True)
    report = os.path.join(results, "report.md")
    with open(report, "w") as f:
        f.write("# Comparison report\n\nQEMU virt arm64 under TCG on the "
                "build host.\n" + "\n".join(rep.md) + "\n")
    print(f"\nreport: {report}")
    failed = [r[0] for r in modules if not r[8].startswith("ok")]
    if failed:
        print(f"modules that did not load and unload: {' '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
