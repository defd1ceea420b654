#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""`make compare`: boot the bench kernel (main's options without the debug
checks) and run the bench programs, boot the benchbinder kernel (the
same with the Rust binder, which is built in and excludes the C binder)
and run the binder bench there, then write the report. The boots keep
their roles' names in the report (main, rustbinder); each records the
variant it booted, its kernel .config and the host's CPU and load.

The report goes to a new directory next to the final one (NAME.new) and
is moved into place only when every boot has run its bench programs (a
benchmark may have failed: its cells say so): an interrupted run, or a
boot that produced nothing (QEMU did not start, no kernel Image, a guest
that hung before or between cases), never replaces a previous report; it
stays at NAME.new for a look. The previous report is kept as NAME.prev.
NAME is BUILD/report, or BUILD/report-DRIVER with ONLY=DRIVER (a partial
run never replaces the full report either).

Exit status: non-zero when a benchmark or a boot failed or on bad
arguments.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(TOP, "qemu"), os.path.join(TOP, "bench")]
import results  # noqa: E402
import stats  # noqa: E402
# The boots: their name in the report, the kernel variant booted. The
# second runs only the binder bench (the Rust binder's kernel).
FIRST_BOOT = ("main", "bench")
SECOND_BOOT = ("rustbinder", "benchbinder")
SECOND_BENCH = "binder"


def bench_names(top=TOP):
    """Bench directories: those with a program (*.sh or *.c) in them."""
    names = []
    for d in sorted(os.listdir(os.path.join(top, "bench"))):
        path = os.path.join(top, "bench", d)
        if os.path.isdir(path) and any(f.endswith((".sh", ".c"))
                                       for f in os.listdir(path)):
            names.append(d)
    return names


def check_only(only, top=TOP):
    """None if @only is empty or a bench directory, else the error text."""
    valid = bench_names(top)
    if not only or only in valid:
        return None
    return (f"ONLY={only}: no benchmark by that name; valid names: "
            f"{' '.join(valid)}")


def host_state(path, when):
    """Append the host's CPU model and count and its load average now to
    @path ('key value' lines, read by report.machine)."""
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    with open(path, "a") as f:
        if when == "before":
            f.write(f"cpu_model {model}\ncpus {os.cpu_count()}\n")
        f.write(f"load_{when} {load}\n")


def record_kernel(build, variant, out):
    """The variant booted, its release and its .config, into @out."""
    kdir = os.path.join(build, f"kernel-{variant}")
    rel = os.path.join(kdir, "include", "config", "kernel.release")
    release = "unknown"
    if os.path.exists(rel):
        with open(rel) as f:
            release = f.read().strip()
    with open(os.path.join(out, "kernel"), "w") as f:
        f.write(f"variant {variant}\nrelease {release} "
                f"({os.path.basename(os.path.realpath(kdir))})\n")
    if os.path.exists(os.path.join(kdir, ".config")):
        shutil.copy(os.path.join(kdir, ".config"),
                    os.path.join(out, "kernel.config"))


def boot(args, variant, out, only):
    """One runner boot in compare mode; its exit status (negative: killed
    by that signal)."""
    build = args.build
    cmd = [sys.executable, os.path.join(TOP, "qemu", "runner.py"),
           "--mode", "compare",
           "--arch", os.environ.get("RFL_ARCH", "arm64"),
           "--kernel", f"{build}/kernel-{variant}",
           "--rootfs", f"{build}/rootfs", "--suite", f"{build}/suite-{variant}",
           "--state", f"{build}/state-{variant}",
           "--timeout", str(args.timeout), "--out", out,
           "--append", f"rfl.seed={stats.SEED}"]
    if only:
        cmd += ["--only", only]
    if args.verbose:
        cmd.append("--verbose")
    if args.full:
        cmd += ["--append", "rfl.full=1"]
    print(f"== boot: {variant} kernel"
          f"{', bench/' + only if only else ', every bench'}", flush=True)
    return subprocess.run(cmd).returncode


def versions(args):
    out = subprocess.run([os.path.join(TOP, "scripts", "versions.sh")],
                         capture_output=True, text=True).stdout
    lines = out.splitlines()
    for variant in ("main", FIRST_BOOT[1], SECOND_BOOT[1]):
        kdir = os.path.join(args.build, f"kernel-{variant}")
        rel = os.path.join(kdir, "include", "config", "kernel.release")
        if os.path.exists(rel):
            with open(rel) as f:
                release = f.read().strip()
            lines.append(f"{variant:<11} {release} "
                         f"({os.path.basename(os.path.realpath(kdir))})")
    lines.append(f"{'project':<11} git {args.git_rev or 'unknown'}")
    return "\n".join(lines) + "\n"


def boot_problem(out):
    """Why the compare boot that wrote @out produced nothing a report can
    stand on, or None: no results.tsv (the runner stopped before or while
    booting: QEMU did not start, the kernel Image is missing), no bench
    case in it, or a guest that hung or died outside a case."""
    res = os.path.join(out, "results.tsv")
    if not os.path.exists(res):
        return "no results.tsv: the runner stopped before the guest ran"
    rows = results.counted(results.read_tsv(res))
    for r in rows:
        if r.name == "runner/boot" and r.status == "fail":
            return f"runner/boot failed: {r.reason or 'see console.log'}"
    if all(r.name.startswith("runner/") for r in rows):
        return "no bench case ran"
    return None


def replace_dir(new, final):
    """Move @new to @final, keeping the old @final as @final.prev."""
    prev = final + ".prev"
    if os.path.exists(final):
        shutil.rmtree(prev, ignore_errors=True)
        os.rename(final, prev)
    os.rename(new, final)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--build", required=True)
    p.add_argument("--only", default="")
    p.add_argument("--full", action="store_true")
    p.add_argument("--timeout", type=int, default=120)
    p.add_argument("--verbose", action="store_true")
    p.add_argument("--git-rev", default="")
    p.add_argument("--check", action="store_true",
                   help="only check ONLY and exit")
    args = p.parse_args(argv)
    err = check_only(args.only)
    if err:
        sys.exit(f"error: {err}")
    if args.check:
        return 0
    final = os.path.join(args.build, "report" +
                         (f"-{args.only}" if args.only else ""))
    new = final + ".new"
    shutil.rmtree(new, ignore_errors=True)
    os.makedirs(os.path.join(new, "runs"))
    t0 = time.monotonic()
    status = {}
    boots = [FIRST_BOOT + (args.only,)]
    if args.only in ("", SECOND_BENCH):
        boots.append(SECOND_BOOT + (SECOND_BENCH,))
    for name, variant, only in boots:
        b0 = time.monotonic()
        out = os.path.join(new, "runs", name)
        os.makedirs(out)
        record_kernel(args.build, variant, out)
        host_state(os.path.join(out, "host"), "before")
        rc = boot(args, variant, out, only)
        host_state(os.path.join(out, "host"), "after")
        with open(os.path.join(out, "seconds"), "w") as f:
            f.write(f"{time.monotonic() - b0:.0f}\n")
        if rc < 0 or rc >= 128:
            sys.exit(f"error: the {name} boot was stopped (signal "
                     f"{-rc if rc < 0 else rc - 128}); "
                     f"the previous report is left as it was; partial "
                     f"results in {new}")
        status[name] = rc
    with open(os.path.join(new, "versions.txt"), "w") as f:
        f.write(versions(args))
    cmd = [sys.executable, os.path.join(TOP, "bench", "report.py"),
           "--suite", os.path.join(args.build, "suite-main"),
           "--tests", os.path.join(args.build, "results-main", "results.tsv"),
           "--tests", os.path.join(args.build, "results-rustbinder",
                                   "results.tsv"),
           "--faults", os.path.join(args.build, "results-faults"),
           "--sanitize", os.path.join(args.build, "results-sanitize"),
           "--debian", os.path.join(args.build, "results-debian",
                                    "results.tsv"),
           "--out", new, "--final", final]
    for name, _, _ in boots:
        cmd += ["--run", f"{name}={os.path.join(new, 'runs', name)}"]
    if args.only:
        cmd += ["--only", args.only]
    rc = subprocess.run(cmd).returncode
    if rc < 0 or not os.path.exists(os.path.join(new, "index.html")):
        sys.exit(f"error: the report generator did not finish (status {rc});"
                 f" the previous report is left as it was; this one is in "
                 f"{new}")
    problems = [f"{v} boot: {why}" for v, _, _ in boots
                for why in [boot_problem(os.path.join(new, "runs", v))]
                if why]
    if problems:
        print("compare: " + "; ".join(problems) + f". The previous report "
              f"is left as it was ({final}); this one is in {new}",
              flush=True)
        return 1
    replace_dir(new, final)
    failed = [v for v, s in status.items() if s]
    prev = f" (previous: {final}.prev)" if os.path.exists(final + ".prev") \
        else ""
    print(f"compare: {time.monotonic() - t0:.0f}s; report in {final}"
          f"/index.html{prev}")
    if failed or rc:
        print("compare: failed: " + ", ".join(
            [f"benchmarks of the {v} boot" for v in failed] +
            (["the report (see above)"] if rc else [])))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
