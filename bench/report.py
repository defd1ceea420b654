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
    rows = semaphore_rows(bench)
    if rows:
        rep.section(
            "Semaphore round trips per second",
            "Write one token and take it back; median [min..max] over "
            "interleaved rounds in one boot. QEMU TCG on the build host: "
            "only the ratio carries over.",
            ("threads", "rounds", "csemaphore", "rsemaphore", "Rust/C"),
            rows, numeric=(0, 1, 4))
    e1000_section(rep, bench, modules)
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
