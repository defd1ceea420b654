#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the comparison of the C and Rust builds and write it to a report.

Inputs: the suite share (modules.tsv, the .ko files) and the results
directory of a `--mode compare` run (results.tsv, bench.tsv). Sizes are
measured here with llvm-size from the tool root; load outcomes come from
the guest.
"""

import os
import subprocess
import sys


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


def main():
    suite, results = sys.argv[1], sys.argv[2]
    rel = os.listdir(os.path.join(suite, "lib", "modules"))[0]
    loads = {}
    bench = os.path.join(results, "bench.tsv")
    if os.path.exists(bench):
        for line in open(bench):
            _, kv = line.rstrip("\n").split("\t", 1)
            d = dict(w.split("=", 1) for w in kv.split())
            loads[d["module"]] = d
    rows = []
    for line in open(os.path.join(suite, "modules.tsv")):
        name, path, size = line.rstrip("\n").split("\t")
        if path.startswith("extra/tests/"):
            continue
        ko = os.path.join(suite, "lib", "modules", rel, path)
        origin = "ours" if path.startswith("extra/") else "mainline"
        text, data, bss, debug = sizes(ko)
        d = loads.get(name, {})
        load = d.get("load", "not run")
        if load == "ok" and d.get("unload") == "permanent":
            load = "ok (permanent)"
        elif load == "ok" and d.get("unload") != "ok":
            load = "unload failed"
        rows.append((name, origin, language(ko), int(size), text, data, bss,
                     debug, load))

    head = ("module", "origin", "lang", ".ko bytes", "text", "data", "bss",
            "debug", "load/unload")
    table = [head] + [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    lines = []
    for i, r in enumerate(table):
        lines.append("  ".join(c.rjust(w) if 3 <= j <= 7 else c.ljust(w)
                               for j, (c, w) in enumerate(zip(r, widths)))
                     .rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    report = "\n".join(lines)
    print(f"\nModules of kernel {rel} (sizes from llvm-size; "
          "debug = .debug_* sections)\n")
    print(report)
    os.makedirs(results, exist_ok=True)
    with open(os.path.join(results, "report.md"), "w") as f:
        f.write(f"# Comparison report\n\nKernel {rel}, QEMU virt arm64 "
                "under TCG.\n\n## Modules\n\n")
        f.write("| " + " | ".join(head) + " |\n")
        f.write("|" + "---|" * len(head) + "\n")
        for r in rows:
            f.write("| " + " | ".join(str(c) for c in r) + " |\n")
    print(f"\nreport: {os.path.join(results, 'report.md')}")
    failed = [r[0] for r in rows if not r[8].startswith("ok")]
    if failed:
        print(f"modules that did not load and unload: {' '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
