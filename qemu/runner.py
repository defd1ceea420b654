#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Boot the suite's QEMU machine and run the guest-side tests in it.

The machine: arm64 `virt` under TCG with the built-in PL061, or (--arch
x86_64) a PC, `q35`, under KVM when the host can run it and TCG otherwise;
2 vCPUs, two e1000 NICs joined only to each other by an internal hub, an
NVMe controller backed by a file, the guest root and the suite as read-only
9p shares, and two virtio serial ports: `rfl.tap` carries results from the
guest runner (qemu/guest/rfl-run-tests), `rfl.host` carries requests from
tests to this runner (press the power button, ...).

Modes:
  run      interactive shell on the console (Ctrl-A x leaves)
  test     run the test cases, print one line per case and a summary
  compare  run the bench programs and collect their RESULT lines
  list     print the names of the test cases

A case that outlives its timeout, or a guest that dies, fails the case with
the last console lines; the guest is then booted again and resumes after it.
So does a guest that asks for a fresh one (REBOOT: after a splat, a new
taint or a timeout, see qemu/guest/rfl-run-tests).
"""

import argparse
import collections
import ctypes
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import results

BOOT_TIMEOUT = 300  # seconds from power-on to the guest runner's PLAN
# Per guest architecture: the kernel image in a build directory, QEMU, its
# machine and CPU under TCG, the console.
# Per guest architecture: the image in a build directory, QEMU, the machine,
# the console, and what QMP's system_powerdown does to the guest.
ARCHES = {
    "arm64": ("arch/arm64/boot/Image", "qemu-system-aarch64",
              ["-M", "virt", "-cpu", "cortex-a57"], "ttyAMA0",
              "pulses PL061 line 3"),
    "x86_64": ("arch/x86/boot/bzImage", "qemu-system-x86_64",
               ["-M", "q35", "-cpu", "max"], "ttyS0",
               "presses the ACPI power button"),
}
TAIL_LINES = 40
PR_SET_PDEATHSIG = 1


def die_with_parent():
    """In the QEMU child: be killed when the runner goes, however it goes."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def stop_with_parent():
    """In a shard's runner: SIGTERM when the parent runner goes, however it
    goes, so it still stops its guest."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def raise_on_signal(signum, _frame):
    # 128 + signal, as a shell reports it: `make compare` tells a stopped
    # run from one whose cases failed.
    print(f"runner stopped by signal {signum}", file=sys.stderr)
    raise SystemExit(128 + signum)


def behind_root_port(slot, device):
    """@device behind its own PCIe root port in @slot of pcie.0, so that it
    is a PCIe device with a PM capability saying "no soft reset": the
    guest's virtio-pci then leaves it alone across a system suspend. 9p has
    no freeze/restore, so without this a suspend test (pm_test) would kill
    the guest's root. The other devices keep slots 3, 4, 5."""
    return ["-device", f"pcie-root-port,id=rp{slot},bus=pcie.0,"
            f"addr={slot},chassis={slot}",
            "-device", f"{device},bus=rp{slot},x-pcie-pm-no-soft-reset=on"]


def kvm_usable(args):
    """Whether this host's KVM can run the x86_64 guest, as (yes, why).
    Probed once: the kernel boots under KVM until it panics for want of a
    root, seconds when KVM works; an error or silence means no. The answer
    is cached per host kernel and QEMU version (a host whose /dev/kvm opens
    but cannot run a normal guest is why a plain check is not enough)."""
    qemu = ARCHES["x86_64"][1]
    version = subprocess.run([qemu, "--version"], capture_output=True,
                             text=True).stdout.splitlines()[:1]
    key = f"{os.uname().release} {version}"
    cache = os.path.join(os.environ.get("CACHE", args.state), "kvm-probe")
    path = os.path.join(cache, "".join(c if c.isalnum() else "_"
                                       for c in key))
    if os.path.exists(path):
        with open(path) as f:
            answer = f.read().strip()
        return answer == "yes", answer
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        answer = "no: /dev/kvm cannot be opened"
    else:
        try:
            p = subprocess.run(
                [qemu, "-M", "q35", "-accel", "kvm", "-cpu", "host",
                 "-m", "256", "-nodefaults", "-display", "none",
                 "-no-reboot", "-serial", "stdio", "-kernel", args.kernel,
                 "-append", "console=ttyS0 panic=-1 root=/dev/rfl-none"],
                stdin=subprocess.DEVNULL, capture_output=True, text=True,
                errors="replace", timeout=60)
            out = p.stdout + p.stderr
            answer = "yes" if "Kernel panic" in out else \
                "no: " + (out.strip().splitlines() or ["no output"])[-1]
        except subprocess.TimeoutExpired:
            answer = "no: the probe's kernel did not reach its panic in 60 s"
    os.makedirs(cache, exist_ok=True)
    with open(path, "w") as f:
        f.write(answer + "\n")
    return answer == "yes", answer


def qemu_base(args):
    """The machine, without console or sockets."""
    if args.initrd:
        # dracut's virtfs module mounts the 9p root (Debian's kernel has 9p
        # as modules); a failed boot powers off instead of waiting at a
        # shell.
        root = ["root=virtfs:/dev/root", "rd.shell=0", "rd.emergency=poweroff"]
    else:
        root = ["root=/dev/root", "rootfstype=9p", "rootflags=trans=virtio,"
                "version=9p2000.L,msize=262144,cache=loose"]
    _, qemu, machine, console, _ = ARCHES[args.arch]
    append = " ".join([f"console={console}"] + root + [
        "ro", "init=/sbin/rfl-init", "panic=-1",
        # pr_info() on the console for a person at the shell; tests read
        # the kernel log with dmesg instead.
        "loglevel=7" if args.mode == "run" else "loglevel=6",
        f"rfl.mode={args.mode}",
    ] + args.append)
    nvme = os.path.join(args.state, "nvme.img")
    if not os.path.exists(nvme):
        with open(nvme, "wb") as f:
            f.truncate(64 << 20)
    if args.arch == "x86_64" and kvm_usable(args)[0]:
        machine = ["-M", "q35", "-accel", "kvm", "-cpu", "host"]
    return [
        qemu, *machine,
        "-smp", "2", "-m", str(args.memory), "-no-reboot",
        "-nodefaults", "-nic", "none", "-display", "none",
        "-kernel", args.kernel, "-append", append,
        *(["-initrd", args.initrd] if args.initrd else []),
        "-fsdev", f"local,id=rootfs,path={args.rootfs},"
                  "security_model=none,readonly=on",
        *behind_root_port(1, "virtio-9p-pci,fsdev=rootfs,mount_tag=/dev/root"),
        "-fsdev", f"local,id=suite,path={args.suite},"
                  "security_model=none,readonly=on",
        *behind_root_port(2, "virtio-9p-pci,fsdev=suite,mount_tag=suite"),
        # Two NICs on one internal hub: their packets never leave QEMU.
        "-netdev", "hubport,id=nic0,hubid=0",
        "-device", "e1000,netdev=nic0,romfile=,mac=52:54:00:00:00:01",
        "-netdev", "hubport,id=nic1,hubid=0",
        "-device", "e1000,netdev=nic1,romfile=,mac=52:54:00:00:00:02",
        "-drive", f"file={nvme},if=none,id=nvm,format=raw",
        "-device", "nvme,serial=rfl0001,drive=nvm",
        *behind_root_port(6, "virtio-serial-pci,id=vser"),
    ]


class Qmp:
    """A QMP connection that QEMU made to us."""

    def __init__(self, conn):
        self.f = conn.makefile("rw")
        self._read()  # greeting
        self.execute("qmp_capabilities")

    def _read(self):
        while True:
            line = self.f.readline()
            if not line:
                raise EOFError("QMP closed")
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def execute(self, cmd, **arguments):
        req = {"execute": cmd}
        if arguments:
            req["arguments"] = arguments
        self.f.write(json.dumps(req) + "\n")
        self.f.flush()
        reply = self._read()
        if "error" in reply:
            raise RuntimeError(reply["error"].get("desc", str(reply)))
        return reply.get("return")


class Boot:
    """One power-on of the guest in test or compare mode."""

    def __init__(self, args, start, sockdir, console_log):
        self.args = args
        listeners = {}
        for name in ("tap", "host", "qmp"):
            path = os.path.join(sockdir, name + ".sock")
            if os.path.exists(path):
                os.unlink(path)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(path)
            s.listen(1)
            listeners[name] = (s, path)
        cmd = qemu_base(args) + [
            "-serial", "stdio",
            "-chardev", f"socket,id=tap,path={listeners['tap'][1]}",
            "-device", "virtserialport,bus=vser.0,chardev=tap,name=rfl.tap",
            "-chardev", f"socket,id=host,path={listeners['host'][1]}",
            "-device", "virtserialport,bus=vser.0,chardev=host,name=rfl.host",
            "-chardev", f"socket,id=qmp,path={listeners['qmp'][1]}",
            "-mon", "chardev=qmp,mode=control",
        ]
        cmd[cmd.index("-append") + 1] += f" rfl.start={start}"
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT,
                                     preexec_fn=die_with_parent)
        self.conns = {}
        try:
            deadline = time.monotonic() + 30
            for name, (s, _) in listeners.items():
                s.settimeout(max(1, deadline - time.monotonic()))
                self.conns[name], _ = s.accept()
            self.qmp = Qmp(self.conns["qmp"])
        except (OSError, EOFError) as e:
            self.kill()
            out = self.proc.stdout.read().decode(errors="replace")
            raise RuntimeError(f"QEMU did not start ({e}):\n{out}") from e
        finally:
            for s, _ in listeners.values():
                s.close()
        self.console_log = console_log
        self.tail = collections.deque(maxlen=TAIL_LINES)
        self.bufs = {"console": b"", "tap": b"", "host": b""}
        self.host_file = self.conns["host"].makefile("w")

    def lines(self, timeout):
        """Yield (source, line) until timeout passes with nothing new."""
        fds = {self.proc.stdout.fileno(): "console",
               self.conns["tap"].fileno(): "tap",
               self.conns["host"].fileno(): "host"}
        ready, _, _ = select.select(list(fds), [], [], timeout)
        for fd in ready:
            src = fds[fd]
            data = os.read(fd, 65536)
            if not data:
                if src == "console":
                    yield "eof", ""
                continue
            if src == "console":
                self.console_log.write(data)
                self.console_log.flush()
                if self.args.verbose:
                    sys.stdout.buffer.write(data)
                    sys.stdout.flush()
            buf = self.bufs[src] + data
            *complete, self.bufs[src] = buf.split(b"\n")
            for raw in complete:
                line = raw.decode(errors="replace").rstrip("\r")
                if src == "console":
                    self.tail.append(line)
                yield src, line

    def answer(self, request):
        """Act on a request of a guest test (rfl-host) and reply."""
        words = request.split()
        try:
            if words == ["powerdown"]:
                self.qmp.execute("system_powerdown")
                text = ""
            elif words == ["info-network"]:
                text = self.qmp.execute("human-monitor-command",
                                        **{"command-line": "info network"})
            elif (len(words) == 3 and words[0] == "set-link" and
                  words[1] in ("nic0", "nic1") and words[2] in ("up", "down")):
                # The hub port's link; QEMU passes it on to the e1000 as a
                # link status change.
                self.qmp.execute("set_link", name=words[1],
                                 up=words[2] == "up")
                text = ""
            else:
                raise ValueError(f"unknown request '{request}'")
            for line in text.splitlines():
                self.host_file.write(f"| {line}\n")
            self.host_file.write("OK\n")
        except (ValueError, RuntimeError, EOFError) as e:
            self.host_file.write(f"ERR {e}\n")
        self.host_file.flush()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def finish(self, grace=30):
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill()
        for c in self.conns.values():
            c.close()


def elapsed(seconds):
    m, s = divmod(int(seconds), 60)
    return f"{m}:{s:02d}"


def kv_words(text):
    """{key: value} of the key=value words of a line."""
    return dict(w.split("=", 1) for w in text.split() if "=" in w)


class Progress:
    """Benchmark progress on the terminal, from the lines a bench program
    sends while it runs: `PROGRESS bench=B rounds=N` once, then a RESULT
    line (bench=B impl=I round=K ...) per measurement. One line per RESULT
    as it arrives: elapsed time, bench, round k of n, the implementation
    and the rest of the measurement's words."""

    def __init__(self, t0):
        self.t0 = t0
        self.start(None)

    def start(self, case):
        self.case, self.rounds = case, "?"
        if case and not case.startswith("runner/"):
            print(f"  [{elapsed(time.monotonic() - self.t0)}] {case}: "
                  "running", flush=True)

    def line(self, text):
        if text.startswith("PROGRESS "):
            self.rounds = kv_words(text).get("rounds", "?")
        elif text.startswith("RESULT "):
            kv = kv_words(text)
            if "round" not in kv or "impl" not in kv:
                return
            # The configuration read back (cfg_*) is for the report.
            rest = " ".join(w for w in text.split()[1:]
                            if w.split("=", 1)[0] not in
                            ("bench", "impl", "round")
                            and not w.startswith("cfg_"))
            print(f"  [{elapsed(time.monotonic() - self.t0)}] "
                  f"{kv.get('bench', self.case)} round {kv['round']}/"
                  f"{self.rounds}: {kv['impl']} {rest}"[:160].rstrip(),
                  flush=True)


def bench_lines(name, diag):
    """The bench.tsv lines of a case's output: its RESULT lines (without
    the word RESULT) and its PROGRESS line (the rounds planned, so that the
    report can say how far a bench that failed got)."""
    out = []
    for d in diag:
        if d.startswith("RESULT "):
            out.append(f"{name}\t{d[7:]}\n")
        elif d.startswith("PROGRESS "):
            out.append(f"{name}\t{d}\n")
    return out


def failure_reason(diag):
    """Why a case failed, in a few words, from its output: the guest
    runner's verdict (timeout, exit status) and the first FAIL line."""
    why = [d for d in diag if d.startswith(("killed after", "exit status",
                                            "kernel log splat",
                                            "expected a splat"))]
    fail = [d for d in diag if d.startswith(("FAIL", "# FAIL", "not ok"))
            or "Expected" in d]
    return "; ".join(fail[:1] + why[-1:])[:200]


class Results:
    """The results of one runner: a line per case on the terminal as it
    ends, results.tap as it goes (so an interrupted run leaves what it
    had), and every results file at the end (qemu/results.py)."""

    def __init__(self, out_dir):
        self.rows = []
        self.out_dir = out_dir
        self.tap = open(os.path.join(out_dir, "results.tap"), "w")

    def add(self, name, status, reason, seconds, diag):
        r = results.Result(name, status, reason, seconds, diag)
        self.rows.append(r)
        mark = {"pass": "ok  ", "fail": "FAIL", "skip": "SKIP",
                "xfail": "XFAIL", "elsewhere": "elsewhere"}[status]
        extra = f" ({reason})" if reason else ""
        print(f"{mark} {name}{extra} [{seconds:.1f}s]", flush=True)
        if status == "fail" and diag:
            for d in diag[-60:]:
                print(f"     {d}")
        self.tap.write(results.tap_entry(len(results.counted(self.rows)), r))
        self.tap.flush()

    def write(self):
        self.tap.close()
        results.write_dir(self.out_dir, self.rows)


def run_cases(args):
    """Boot, run cases, and boot again after a death or a REBOOT until
    every case ran."""
    os.makedirs(args.out, exist_ok=True)
    res = Results(args.out)
    bench = open(os.path.join(args.out, "bench.tsv"), "w")
    sockdir = tempfile.mkdtemp(prefix="rfl-qemu-")
    console_log = open(os.path.join(args.out, "console.log"), "wb")
    start, plan, boots = 1, None, 0
    # rfl.within: this run is the other boot of `make test` (the Rust
    # binder's), where no case may say it runs elsewhere.
    within = kv_words(" ".join(args.append)).get("rfl.within")
    t0 = time.monotonic()
    progress = Progress(t0)
    boot = None
    try:
        while plan is None or start <= plan:
            boots += 1
            boot_t0 = time.monotonic()
            boot = Boot(args, start, sockdir, console_log)
            current = None  # (index, name, deadline, expect, started, diag)
            deadline = boot_t0 + BOOT_TIMEOUT
            done = died = reboot = False
            while not done:
                now = time.monotonic()
                if now > deadline:
                    break
                for src, line in boot.lines(min(1.0, deadline - now)):
                    if src == "eof":
                        died = True
                        break
                    if src == "host":
                        boot.answer(line)
                    elif src == "console":
                        continue
                    elif line.startswith("CASE "):
                        print(line[5:], flush=True)
                        plan = 0
                    elif line.startswith("PLAN "):
                        plan = int(line.split()[1])
                        if boots == 1:
                            print(f"guest up in {time.monotonic() - boot_t0:.1f}s; "
                                  f"{plan} cases", flush=True)
                        if plan == 0:
                            done = True
                    elif line.startswith("RUN "):
                        _, idx, name, *meta = line.split()
                        kv = dict(m.split("=", 1) for m in meta)
                        tmo = float(kv.get("timeout", 120))
                        current = [int(idx), name, kv.get("expect", "none"),
                                   time.monotonic(), []]
                        if args.mode == "compare":
                            progress.start(name)
                        # The guest enforces the timeout itself; this
                        # margin is for a guest that hangs.
                        deadline = time.monotonic() + tmo + 30
                        if kv.get("expect") == "hang":
                            # In compare mode rfl-run-tests sends nothing
                            # of such a case's output (no bench uses
                            # expect=hang; the runner self-test does, in
                            # test mode, where the output comes at the end).
                            deadline = time.monotonic() + tmo
                    elif line.startswith("# ") and current:
                        current[4].append(line[2:])
                        if args.mode == "compare":
                            progress.line(line[2:])
                    elif current and (verdict := results.parse_tap_line(line)):
                        _, _, status, reason = verdict
                        found = [d for d in current[4]
                                 if d.startswith("RESULT ")]
                        if status == "fail" and not reason:
                            reason = failure_reason(current[4])
                        elif args.mode == "compare" and status == "pass" \
                                and not found and \
                                not current[1].startswith("runner/"):
                            status, reason = "fail", "no RESULT lines"
                        elif status == "elsewhere" and within:
                            status, reason = "fail", (
                                f"this boot is the one for {within}, but "
                                f"the case says it runs elsewhere: {reason}")
                        res.add(current[1], status, reason,
                                time.monotonic() - current[3], current[4])
                        bench.writelines(bench_lines(current[1],
                                                     current[4]))
                        bench.flush()
                        start = current[0] + 1
                        current = None
                        deadline = time.monotonic() + BOOT_TIMEOUT
                    elif line.startswith("REBOOT"):
                        # The guest powers off so that the next case has
                        # a fresh one; start is the case after the last.
                        # Said in the console log, where the guest's own
                        # last words may not reach before it powers off.
                        console_log.write(f"runner: {line}: booting a "
                                          "fresh guest\n".encode())
                        done = reboot = True
                    elif line == "DONE":
                        done = True
                if died:
                    break
            if done:
                boot.finish()
                if args.mode == "list":
                    return 0
                if reboot:
                    continue
                break
            # The guest hung or died.
            boot.kill()
            boot.finish(0)
            what = "died" if died else "hung"
            tail = list(boot.tail)
            if current is None:
                res.add("runner/boot", "fail",
                        f"guest {what} before a case started", 0,
                        ["last console lines:"] + tail)
                break
            idx, name, expect, started, diag = current
            bench.writelines(bench_lines(name, diag))
            bench.flush()
            if expect == "hang" and not died:
                res.add(name, "pass",
                        "hang caught, as this self-test expects",
                        time.monotonic() - started, [])
            else:
                res.add(name, "fail", f"guest {what} in this case",
                        time.monotonic() - started,
                        diag + ["last console lines:"] + tail)
            start = idx + 1
    finally:
        if boot:
            boot.kill()
        console_log.close()
        bench.close()
        shutil.rmtree(sockdir, ignore_errors=True)
    shard = kv_words(" ".join(args.append)).get("rfl.shard")
    # A shard sees only some of an implementation's cases: its parent
    # judges them all.
    if args.mode in ("test", "faults") and not shard and \
            whole_implementations(args.filter):
        for r in results.all_skipped(res.rows):
            res.add(r.name, r.status, r.reason, 0, [])
    res.write()
    count = results.counts(res.rows)
    # PLAN counts the boot check: 1 means the filter chose nothing (a
    # shard may legitimately get nothing; its parent decides).
    if plan == 0 or (plan == 1 and args.mode in ("test", "faults")
                     and not shard):
        print(f"no case matches '{args.filter}'; 'make list' shows them")
        count["fail"] += 1
    print(f"results: {args.out} ({time.monotonic() - t0:.0f}s, {boots} boot(s))")
    # A guest of a sharded run says whose its counts are: the closing line
    # of the run is its parent's, all guests merged.
    prefix = f"guest {shard}: " if shard else ""
    for line in results.summary(count).splitlines():
        print(prefix + line)
    return 1 if count["fail"] else 0


def merge_shards(out, jobs, filt):
    """The results of the guests of a sharded run (out/shard<K>/) in one
    list, written to @out with each case's diagnostics; a guest that wrote
    nothing is a failure, and so is an implementation that skipped every
    case (results.all_skipped)."""
    rows = []
    for k in range(jobs):
        shard = os.path.join(out, f"shard{k}")
        if not os.path.exists(os.path.join(shard, "results.tsv")):
            rows.append(results.Result(f"runner/shard{k}", "fail",
                                       "the guest runner wrote no results"))
            continue
        rows += results.read_dir(shard)
    if whole_implementations(filt):
        rows += results.all_skipped(rows)
    results.write_dir(out, rows, f"{jobs} guests; console logs in shard*/")
    return rows


def whole_implementations(filt):
    """Whether the filter @filt takes every case of each implementation it
    touches ('*', 'DRIVER/*', 'DRIVER/IMPL/*'): only then is an
    implementation whose cases all skipped a failure of the run; a filter
    that picks single cases may pick only what one implementation lacks."""
    parts = filt.split("/")
    return parts[-1] == "*" and len(parts) <= 3 and \
        not any(c in "".join(parts[:-1]) for c in "*?[")


def run_sharded(args):
    """Test (or faults) mode on args.jobs guests at once. Each guest takes every Nth
    case (rfl.shard=K/N) and has its own state and results directory; the
    results are merged into args.out. Under TCG a guest keeps about one
    host core busy, so two guests on two cores take about half the time."""
    # Nothing of an earlier run may pass for this one's: a shard runner
    # that dies early writes no results.tsv.
    os.makedirs(args.out, exist_ok=True)
    for old in os.listdir(args.out):
        path = os.path.join(args.out, old)
        if old.startswith("shard") and os.path.isdir(path):
            shutil.rmtree(path)
        elif old in ("console.log", "bench.tsv") + results.FILES:
            os.unlink(path)
    t0 = time.monotonic()
    procs = []
    try:
        for k in range(args.jobs):
            cmd = [sys.executable, os.path.abspath(__file__),
                   "--mode", args.mode, "--jobs", "1",
                   "--kernel", args.kernel, "--rootfs", args.rootfs,
                   "--suite", args.suite,
                   "--state", os.path.join(args.state, f"shard{k}"),
                   "--out", os.path.join(args.out, f"shard{k}"),
                   "--filter", args.filter, "--timeout", str(args.timeout),
                   "--memory", str(args.memory)]
            if args.verbose:
                cmd.append("--verbose")
            cmd += ["--arch", args.arch]
            if args.initrd:
                cmd += ["--initrd", args.initrd]
            for word in args.append + [f"rfl.shard={k}/{args.jobs}"]:
                cmd += ["--append", word]
            # Each prints whole lines, one write() each: they interleave
            # by line on the terminal.
            procs.append(subprocess.Popen(cmd, preexec_fn=stop_with_parent))
        codes = [p.wait() for p in procs]
    finally:
        # A second signal must not cut the cleanup short.
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)
        for p in procs:
            if p.poll() is None:
                p.terminate()
                p.wait()
    rows = merge_shards(args.out, args.jobs, args.filter)
    count = results.counts(rows)
    if all(r.name.startswith("runner/boot/") for r in rows):
        print(f"no case matches '{args.filter}'; 'make list' shows them")
        count["fail"] += 1
    print(f"results: {args.out} ({time.monotonic() - t0:.0f}s, "
          f"{args.jobs} guests at once)")
    print(results.summary(count))
    return 1 if count["fail"] or any(codes) else 0


def run_interactive(args):
    qmp = os.path.join(args.state, "qmp.sock")
    cmd = qemu_base(args) + [
        "-serial", "mon:stdio",
        "-qmp", f"unix:{qmp},server=on,wait=off",
    ]
    print(f"QMP socket: {qmp} (e.g. system_powerdown "
          f"{ARCHES[args.arch][4]}). Ctrl-A x leaves.", flush=True)
    os.execvp(cmd[0], cmd)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--mode", choices=["run", "test", "compare", "faults",
                                     "list"],
                   default="test")
    p.add_argument("--arch", choices=sorted(ARCHES), default="arm64",
                   help="the guest's architecture")
    p.add_argument("--kernel", required=True,
                   help="kernel image, or a kernel build directory")
    p.add_argument("--initrd", help="initramfs that mounts the root "
                   "(Debian's kernel: dracut's)")
    p.add_argument("--rootfs", required=True, help="guest root directory")
    p.add_argument("--suite", required=True, help="suite share directory")
    p.add_argument("--state", required=True,
                   help="directory for the NVMe backing file and sockets")
    p.add_argument("--out", help="results directory (test, compare)")
    p.add_argument("--filter", default="*", help="glob over case names")
    p.add_argument("--timeout", type=int, default=120,
                   help="default per-case timeout, seconds")
    p.add_argument("--memory", type=int, default=1024, help="MiB")
    p.add_argument("--verbose", action="store_true",
                   help="copy the guest console to the terminal")
    p.add_argument("--append", action="append", default=[],
                   help="extra kernel command line words")
    p.add_argument("--jobs", type=int, default=1,
                   help="test: guests at once, each with every Nth case")
    p.add_argument("--only", default="",
                   help="compare: only the bench programs of bench/ONLY/")
    args = p.parse_args()
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, raise_on_signal)
    os.makedirs(args.state, exist_ok=True)
    if os.path.isdir(args.kernel):
        args.kernel = os.path.join(args.kernel, ARCHES[args.arch][0])
    for path in (args.kernel, args.rootfs, args.suite):
        if not os.path.exists(path):
            sys.exit(f"error: {path} is missing; 'make modules rootfs' builds it")
    kvm, why = kvm_usable(args) if args.arch == "x86_64" else (False, "")
    if args.arch == "x86_64" and "rfl.shard=" not in " ".join(args.append):
        print("x86_64 guest under KVM" if kvm else
              f"x86_64 guest under TCG: KVM is not usable here ({why[4:]})",
              flush=True)
    if args.out:
        # For the report's Machine section.
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "accel"), "w") as f:
            f.write(f"{args.arch} {'kvm' if kvm else 'tcg'}\n")
    if args.mode == "run":
        return run_interactive(args)
    if args.mode in ("test", "faults") and args.jobs > 1:
        return run_sharded(args)
    if args.only:
        bench = os.path.join(args.suite, "bench")
        valid = sorted(d for d in os.listdir(bench) if d != "lib")
        if args.only not in valid:
            sys.exit(f"error: ONLY={args.only}: no such benchmark; "
                     f"valid names: {' '.join(valid)}")
        args.append.append(f"rfl.only={args.only}")
    args.append += [f"rfl.filter={args.filter}", f"rfl.timeout={args.timeout}"]
    try:
        return run_cases(args)
    except RuntimeError as e:
        sys.exit(f"error: {e}")


if __name__ == "__main__":
    sys.exit(main())
