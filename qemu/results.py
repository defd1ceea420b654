# SPDX-License-Identifier: GPL-2.0
"""Test results: the outcome of each case and the files that hold them.

The runner (qemu/runner.py) writes them, `make compare` (bench/) reads
them; both go through this module, so every reader agrees on what a line
means.

A results directory holds, for the same cases in the same order:

  results.tsv   a header, then name, status, reason, seconds per case
  results.tap   TAP: a line per case, its diagnostics after it as "# " lines
  junit.xml     JUnit XML, for CI systems

Statuses (STATUSES):

  pass       the case passed
  fail       it failed, or the kernel splatted or was tainted during it
  skip       the case did not run: a feature the implementation lacks by
             design, or an environment it needs; the reason says which
  xfail      a known bug of a mainline driver showed; the reason names it
             and a reference (commit, URL or README section). Not a
             failure, and not a pass either: counted and shown apart
  elsewhere  the case runs in another boot (the Rust binder's cases on the
             main kernel): not a result at all, so it is in results.tsv
             only, for `make test` to see that a second boot is due

TAP is read and written in one dialect, which is also what the guest
runner sends: "ok N name", "not ok N name", "ok N name # SKIP reason" and
"not ok N name # TODO reason", TAP's expected failure, for an xfail (so a
TAP reader that knows nothing of xfail counts it neither as a pass nor as
a failure). A "not ok" line is a failure whatever else it says, but for
the TODO directive. The guest also sends "ok N name # SKIP elsewhere:
reason" (tests/lib/rfl.sh elsewhere, rfl_harness.h RFL_ELSEWHERE), which
is read as elsewhere.
"""

import collections
import os
import re
import sys
import xml.etree.ElementTree as ET

STATUSES = ("pass", "fail", "skip", "xfail", "elsewhere")
HEADER = "name\tstatus\treason\tseconds\n"
# The start of a skip reason that means "runs in another boot".
ELSEWHERE_PREFIX = "elsewhere: "
# The start of the reason the guest runner gives the cases of an
# implementation this kernel or machine cannot have (the suite's
# not-applicable file: Debian's kernel has no Rust twins, a PC no PL061).
NOT_APPLICABLE_PREFIX = "not applicable: "
# Which outcome of a case wins when two runs have it: the one that says
# most about the driver (see merge()).
RANK = {"elsewhere": 0, "skip": 1, "pass": 2, "xfail": 3, "fail": 4}


class Result:
    """One case's outcome; diag is its output (TAP diagnostics)."""

    def __init__(self, name, status, reason="", seconds=0.0, diag=()):
        if status not in STATUSES:
            raise ValueError(f"{name}: unknown status '{status}'")
        self.name, self.status, self.reason = name, status, reason
        self.seconds, self.diag = float(seconds), list(diag)

    def __eq__(self, other):
        return vars(self) == vars(other)

    def __repr__(self):
        return f"Result({self.name!r}, {self.status!r}, {self.reason!r})"


def one_line(text):
    """A reason fit for one TSV field and one TAP line."""
    return " ".join(text.split())


# ---- TAP ------------------------------------------------------------------

TAP_LINE = re.compile(r"(not )?ok ([0-9]+) (\S+)\s*(?:#\s*(.*))?$")


def parse_tap_line(line):
    """(number, name, status, reason) of a TAP result line, or None for any
    other line. The reason of a pass is the text after " # " if any (the
    runner says why a self-test passed)."""
    m = TAP_LINE.match(line)
    if not m:
        return None
    failed, number, name = m.group(1), int(m.group(2)), m.group(3)
    directive = (m.group(4) or "").strip()
    word, _, reason = directive.partition(" ")
    reason = reason.strip()
    if failed:
        if word.upper() == "TODO":
            return number, name, "xfail", reason or "no reason given"
        return number, name, "fail", ""
    if word.upper() != "SKIP":
        return number, name, "pass", directive
    if reason.startswith(ELSEWHERE_PREFIX):
        return number, name, "elsewhere", reason[len(ELSEWHERE_PREFIX):]
    return number, name, "skip", reason or "no reason given"


def tap_entry(number, result):
    """The TAP lines of one result: its line, then its diagnostics (none
    for a case that runs elsewhere: it is not a result)."""
    if result.status == "elsewhere":
        return ""
    line = {"pass": f"ok {number} {result.name}",
            "fail": f"not ok {number} {result.name}",
            "skip": f"ok {number} {result.name} # SKIP {result.reason}",
            "xfail": f"not ok {number} {result.name} # TODO {result.reason}",
            }[result.status]
    if result.status == "pass" and result.reason:
        line += f" # {result.reason}"
    return "".join([line.rstrip() + "\n"] + [f"# {d}\n" for d in result.diag])


def counted(results):
    """The results that are results: all but the cases run elsewhere."""
    return [r for r in results if r.status != "elsewhere"]


def write_tap(path, results, comment=None):
    rows = counted(results)
    with open(path, "w") as f:
        if comment:
            f.write(f"# {comment}\n")
        for n, r in enumerate(rows, 1):
            f.write(tap_entry(n, r))
        f.write(f"1..{len(rows)}\n")


def read_tap(path):
    """[Result] of a TAP file, each with the "# " lines after it (seconds
    are not in TAP: 0)."""
    out = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            parsed = parse_tap_line(line)
            if parsed:
                _, name, status, reason = parsed
                out.append(Result(name, status, reason))
            elif line.startswith("# ") and out:
                out[-1].diag.append(line[2:])
    return out


# ---- TSV -----------------------------------------------------------------

def write_tsv(path, results):
    with open(path, "w") as f:
        f.write(HEADER)
        for r in results:
            f.write(f"{r.name}\t{r.status}\t{one_line(r.reason)}\t"
                    f"{r.seconds:.2f}\n")


def read_tsv(path):
    """[Result] of a results.tsv. A reason that held a tab (written before
    reasons were made one line) is joined back with a space."""
    out = []
    with open(path) as f:
        lines = f.readlines()
    for line in lines[1:]:
        fields = line.rstrip("\n").split("\t")
        if len(fields) < 4:
            continue
        name, status, *reason, seconds = fields
        try:
            seconds = float(seconds)
        except ValueError:
            seconds = 0.0
        out.append(Result(name, status, " ".join(reason), seconds))
    return out


# ---- JUnit XML -----------------------------------------------------------

def junit_case(r):
    """A <testcase> of one result: classname driver.implementation, name
    the case. An xfail is a <skipped> of type xfail, as pytest writes
    one: JUnit has no expected failure."""
    driver, _, case = r.name.rpartition("/")
    el = ET.Element("testcase", classname=driver.replace("/", "."),
                    name=case, time=f"{r.seconds:.2f}")
    if r.status == "fail":
        ET.SubElement(el, "failure", message=r.reason or "failed")
    elif r.status == "skip":
        ET.SubElement(el, "skipped", message=r.reason)
    elif r.status == "xfail":
        ET.SubElement(el, "skipped", type="xfail",
                      message=f"known bug: {r.reason}")
    if r.diag:
        ET.SubElement(el, "system-out").text = "\n".join(r.diag) + "\n"
    return el


def write_junit(path, results, suite="rfl-drivers"):
    results = counted(results)
    c = counts(results)
    attrs = {"name": suite, "tests": str(len(results)),
             "failures": str(c["fail"]), "errors": "0",
             "skipped": str(c["skip"] + c["xfail"]),
             "time": f"{sum(r.seconds for r in results):.2f}"}
    root = ET.Element("testsuites", attrs)
    ts = ET.SubElement(root, "testsuite", attrs)
    for r in results:
        ts.append(junit_case(r))
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


# ---- A results directory -------------------------------------------------

FILES = ("results.tsv", "results.tap", "junit.xml")


def write_dir(out_dir, results, comment=None):
    """results.tsv, results.tap and junit.xml of @results in @out_dir."""
    write_tsv(os.path.join(out_dir, "results.tsv"), results)
    write_tap(os.path.join(out_dir, "results.tap"), results, comment)
    write_junit(os.path.join(out_dir, "junit.xml"), results)


def read_dir(out_dir):
    """[Result] of a results directory: results.tsv, with each case's
    diagnostics from results.tap where it has them."""
    results = read_tsv(os.path.join(out_dir, "results.tsv"))
    tap = os.path.join(out_dir, "results.tap")
    if os.path.exists(tap):
        # Both list the counted results in the same order.
        for r, t in zip(counted(results), read_tap(tap)):
            if r.name == t.name:
                r.diag = t.diag
    return results


# ---- Counting and merging ------------------------------------------------

def counts(results):
    c = collections.Counter(r.status for r in results)
    return {s: c[s] for s in STATUSES}


def summary(c):
    """The closing lines of a run from its counts(). The last is exactly
    "N passed, N failed, N skipped" (CI reads that line); known bugs, when
    there are any, go on a line of their own before it."""
    lines = []
    if c["xfail"]:
        lines.append(f"{c['xfail']} xfail: known bugs of mainline drivers "
                     "(not failures)")
    lines.append(f"{c['pass']} passed, {c['fail']} failed, "
                 f"{c['skip']} skipped")
    return "\n".join(lines)


def all_skipped(results):
    """A failure for each implementation of a driver (driver/impl/case)
    that skipped every case it ran: a run that tested nothing of it is a
    failure of the run, not a row of skips (the runner and pipeline
    checks are no implementation). An implementation not applicable here
    (every case's reason says so) was never meant to run."""
    by_impl = collections.defaultdict(list)
    for r in counted(results):
        parts = r.name.split("/")
        if len(parts) == 3 and parts[0] not in ("runner", "pipeline"):
            by_impl["/".join(parts[:2])].append(r)
    out = []
    for impl, rows in sorted(by_impl.items()):
        if all(r.status == "skip" for r in rows) and not all(
                r.reason.startswith(NOT_APPLICABLE_PREFIX) for r in rows):
            out.append(Result(f"runner/all-skipped/{impl}", "fail",
                              f"every one of its {len(rows)} case(s) "
                              f"skipped, the first: {rows[0].reason}"))
    return out


def merge(runs):
    """One list from the results of several runs (e.g. the main boot and
    the rustbinder boot): a case in two keeps the outcome that says most,
    a fail over an xfail over a pass over a skip over elsewhere, and on a
    tie the later run's (the main boot says the Rust binder's cases run
    elsewhere, the rustbinder boot, given later, has their outcomes and
    the real reasons of its own skips)."""
    best = {}
    for results in runs:
        for r in results:
            old = best.get(r.name)
            if old is None or RANK[r.status] >= RANK[old.status]:
                best[r.name] = r
    return list(best.values())


def update(acc_dir, new_dir):
    """Fold the run in @new_dir into the results in @acc_dir: each case
    of the new run replaces the same case's older outcome, cases it did
    not run keep theirs (`make faults T=...` reruns part of the sweep).
    Written back to @acc_dir with every case's diagnostics."""
    old = read_dir(acc_dir) if os.path.exists(
        os.path.join(acc_dir, "results.tsv")) else []
    new = read_dir(new_dir)
    names = {r.name for r in new}
    rows = [r for r in old if r.name not in names] + new
    write_dir(acc_dir, sorted(rows, key=lambda r: r.name),
              "the latest outcome of each case (make faults)")
    return rows


def main(dirs):
    """The closing lines of several runs together: `make test` after its
    second boot. Their counts add up, as the cases a run says run
    elsewhere are not counted in it. Exit status 1 when a case failed or
    a run wrote no results."""
    total = counts([])
    for d in dirs:
        path = os.path.join(d, "results.tsv")
        if not os.path.exists(path):
            print(f"{d}: no results.tsv")
            total["fail"] += 1
            continue
        for status, n in counts(read_tsv(path)).items():
            total[status] += n
    print(summary(total))
    return 1 if total["fail"] else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--update"] and len(sys.argv) == 4:
        update(sys.argv[2], sys.argv[3])
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
