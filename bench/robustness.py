# SPDX-License-Identifier: GPL-2.0
"""The robustness table of the report: what the fault-injection sweep
(`make faults`, faults/sweep/sweep.sh) and the suite on the sanitizer
kernel (`make test VARIANT=sanitize`) found, per implementation.

A sweep case is one path (module load, configfs, open, ...) of one
implementation; rfl-failnth prints a line per injected fault and a
RESULT line at the end, the guest runner adds what the kernel said. How
a case is counted:

  clean    every injected fault ended in an error returned to the caller
           (or was absorbed), the state as before, no splat, no leak
  unclean  rfl-failnth saw a fault leave its state changed (UNCLEAN lines)
  splat    the kernel log had a splat during the case
  leak     kmemleak reported an unreferenced object after the case
  hang     the guest hung or died in the case
  timeout  the case was killed at its timeout: the sweep did not finish
           in time (a task stuck in the kernel is a splat of the hung-task
           detector first)

A case that is an xfail (a splat the case names as a known bug of a
mainline driver, tests/README.md "known=") counts as its kind too, and is
listed with its reference.
"""

import collections
import re

import results

KINDS = ("splat", "leak", "hang", "timeout")


def case_kinds(r):
    """The failure kinds of one sweep case (a subset of KINDS), from the
    guest runner's diagnostics."""
    kinds = set()
    diag = "\n".join(r.diag)
    if "kmemleak after the case" in diag:
        kinds.add("leak")
    if re.search(r"^kernel: .*(BUG:|WARNING:|Oops|KASAN|UBSAN|Unable to "
                 r"handle|possible recursive|circular locking|inconsistent "
                 r"lock|suspicious RCU|blocked for more than|hung task)",
                 diag, re.M):
        kinds.add("splat")
    if re.search(r"guest (hung|died)", diag + r.reason):
        kinds.add("hang")
    elif re.search(r"^killed after", diag, re.M):
        kinds.add("timeout")
    return kinds


def sweep_figures(r):
    """(faults injected, clean errors, absorbed, unclean) of a sweep case:
    from its RESULT line, or counted from its per-fault lines when the
    case died before it."""
    for d in r.diag:
        if d.startswith("RESULT path="):
            kv = dict(w.split("=", 1) for w in d.split()[1:] if "=" in w)
            return tuple(int(kv.get(k, 0)) for k in
                         ("injected", "clean", "absorbed", "unclean"))
    clean = sum(1 for d in r.diag if re.match(r"n=\d+ E[A-Z0-9]+$", d))
    absorbed = sum(1 for d in r.diag if re.match(r"n=\d+ absorbed$", d))
    unclean = sum(1 for d in r.diag if d.startswith("UNCLEAN: "))
    return clean + absorbed + unclean, clean, absorbed, unclean


def sweep_rows(rows):
    """[driver, implementation, paths, clean paths, faults injected, clean
    errors, absorbed, unclean, splats, leaks, hangs, timeouts, skipped
    paths] per
    implementation, from the sweep's results (with diagnostics)."""
    acc = collections.defaultdict(collections.Counter)
    for r in results.counted(rows):
        parts = r.name.split("/")
        if len(parts) != 3 or parts[0] == "runner":
            continue
        c = acc[tuple(parts[:2])]
        if r.status == "skip":
            c["skipped"] += 1
            continue
        c["paths"] += 1
        injected, clean, absorbed, unclean = sweep_figures(r)
        c["injected"] += injected
        c["clean"] += clean
        c["absorbed"] += absorbed
        c["unclean"] += unclean
        # An xfail is a known bug of a mainline driver: still a splat.
        kinds = case_kinds(r) if r.status in ("fail", "xfail") else set()
        for k in kinds:
            c[k] += 1
        if r.status == "pass":
            c["clean paths"] += 1
    return [[*key] + [c[k] for k in ("paths", "clean paths", "injected",
                                     "clean", "absorbed", "unclean",
                                     *KINDS, "skipped")]
            for key, c in sorted(acc.items())]


def summary_cells(sweep):
    """{implementation: text} for the report's summary table: how many of
    its swept paths ended clean, and the kinds of what did not."""
    out = {}
    for r in sweep_rows(sweep):
        paths, clean = r[2], r[3]
        bad = [f"{n} {k}" for n, k in zip(r[8:12], KINDS) if n] + \
            ([f"{r[7]} unclean"] if r[7] else [])
        out[r[1]] = f"fault sweep: {clean}/{paths} paths clean" + \
            (f" ({', '.join(bad)})" if bad else "")
    return out


def sanitizer_counts(rows):
    """{(driver, implementation): Counter of statuses} of the suite's run
    on the sanitizer kernel."""
    acc = collections.defaultdict(collections.Counter)
    for r in results.counted(rows):
        parts = r.name.split("/")
        if len(parts) == 3 and parts[0] not in ("runner", "pipeline"):
            acc[tuple(parts[:2])][r.status] += 1
    return acc


def table_rows(sweep, sanitize):
    """The report's rows: the sweep's figures and the sanitizer run's
    pass/fail per implementation, "-" where a run has no such one."""
    san = sanitizer_counts(sanitize)
    by_key = {tuple(r[:2]): r[2:] for r in sweep_rows(sweep)}
    # The sanitizer run's rows of the drivers the sweep knows (not the
    # bench pipeline checks); all of them when there is no sweep.
    drivers = {k[0] for k in by_key}
    keys = set(by_key) | {k for k in san if not drivers or k[0] in drivers}
    out = []
    for key in sorted(keys):
        figures = by_key.get(key, ["-"] * 12)
        c = san.get(key)
        suite = f"{c['pass']} pass, {c['fail']} fail" if c else "-"
        out.append([*key, *figures, suite])
    return out


# The head of a splat or leak report, and the frames worth reading (not
# the allocator's own).
REPORT_HEAD = re.compile(r"BUG:|WARNING:|Oops|KASAN|UBSAN|Unable to handle|"
                         r"unreferenced object|possible recursive|circular "
                         r"locking|inconsistent lock|suspicious RCU|blocked "
                         r"for more than|hung task")
ALLOCATOR = re.compile(r"kmemleak_alloc|kmalloc|kmem_cache|kstrdup|"
                       r"__alloc_pages|alloc_pages")


def first_lines(diag, frames=3):
    """The first report line of the kernel log in @diag and the @frames
    frames after it that are not the allocator's."""
    lines = [d[len("kernel: "):].strip() for d in diag
             if d.startswith("kernel: ")]
    for i, line in enumerate(lines):
        if REPORT_HEAD.search(line):
            out = [re.sub(r"^\[ *[0-9.]+\] ", "", line)]
            for f in lines[i + 1:]:
                if len(out) > frames:
                    break
                if "+0x" in f and not ALLOCATOR.search(f):
                    out.append(f)
            return out
    return []


def findings(sweep):
    """One line per failed sweep case (and per xfail: a known bug of a
    mainline driver, its reference given): what went wrong and the first
    kernel lines of it, so that a splat in a mainline driver is shown as
    a finding, not hidden."""
    out = []
    for r in results.counted(sweep):
        if r.status not in ("fail", "xfail"):
            continue
        kinds = sorted(case_kinds(r)) or ["unclean" if any(
            d.startswith("UNCLEAN") for d in r.diag) else "failed"]
        if r.status == "xfail":
            kinds.append(f"xfail: {r.reason}")
        first = first_lines(r.diag) or \
            [d for d in r.diag if d.startswith(("UNCLEAN", "FAIL"))][:2]
        out.append([r.name, ", ".join(kinds),
                    " / ".join(first) or r.reason])
    return out


HEAD = ("driver", "implementation", "paths", "clean paths", "faults",
        "clean errors", "absorbed", "unclean", "splats", "leaks", "hangs",
        "timeouts", "skipped", "sanitizer suite")
