#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count `unsafe` in Rust drivers, as the paper's unsafe-usage table.

A Rust lexer (comments, nested block comments, strings, raw strings, byte
and C strings, char literals versus lifetimes) turns each file into tokens;
the counts come from the tokens that follow the `unsafe` keyword:

  unsafe {                       an unsafe block
  unsafe [extern "abi"] fn NAME  an unsafe fn (a declaration, not a type)
  unsafe impl                    an unsafe impl
  unsafe trait                   an unsafe trait (listed with impls)

Limits, stated next to the table in the report: macros are not expanded,
so an `unsafe` block written once in a macro_rules! body counts once however
often the macro is used, and code that a proc macro (module!, vtable,
pin_data) generates is not counted; unsafe fn-pointer types and
`#[unsafe(...)]` attributes are not counted. "Driver" is the driver's own
files; "abstractions" are the kernel crate modules the driver names
(`kernel::<module>` paths and `use kernel::{...}` trees), each counted
once per driver, so shared modules appear in several drivers' rows.

Usage: unsafe_count.py KERNEL_SRC NAME=PATH[,PATH...] ...
"""

import os
import re
import sys

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
RAW_STR = re.compile(r'(?:br|cr|r)(#*)"')


def tokens(src):
    """Identifiers, single punctuation and literal placeholders of @src."""
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if c.isspace():
            i += 1
        elif src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
        elif src.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if src.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif src.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif (m := RAW_STR.match(src, i)):
            end = '"' + m.group(1)
            j = src.find(end, m.end())
            i = n if j < 0 else j + len(end)
            out.append("<str>")
        elif c == '"' or (c in "bc" and src.startswith('"', i + 1)):
            i += 1 if c == '"' else 2
            while i < n and src[i] != '"':
                i += 2 if src[i] == "\\" else 1
            i += 1
            out.append("<str>")
        elif c == "'" or (c == "b" and src.startswith("'", i + 1)):
            j = i + (1 if c == "'" else 2)
            if src.startswith("\\", j):
                # an escaped char literal: '\n', '\'', '\u{1F600}'
                k = src.find("'", j + 2)
                i = k + 1
                out.append("<char>")
            elif j + 1 < n and src[j + 1] == "'":
                i = j + 2
                out.append("<char>")
            else:
                # a lifetime or loop label: 'a, 'static
                m = IDENT.match(src, j)
                i = m.end() if m else j
                out.append("<lifetime>")
        elif (m := IDENT.match(src, i)):
            out.append(m.group(0))
            i = m.end()
        elif c.isdigit():
            j = i
            while j < n and (src[j].isalnum() or src[j] == "_"):
                j += 1
            i = j
            out.append("<num>")
        elif src.startswith("::", i):
            out.append("::")
            i += 2
        else:
            out.append(c)
            i += 1
    return out


def count(toks):
    """{block, fn, impl} counts of one token list."""
    c = {"block": 0, "fn": 0, "impl": 0}
    for k, t in enumerate(toks):
        if t != "unsafe":
            continue
        nxt = toks[k + 1:k + 5]
        if nxt[:1] == ["{"]:
            c["block"] += 1
        elif nxt[:1] in (["impl"], ["trait"]):
            c["impl"] += 1
        elif nxt[:1] == ["fn"] and len(nxt) > 1 and IDENT.fullmatch(nxt[1]):
            c["fn"] += 1
        elif nxt[:3] == ["extern", "<str>", "fn"] and IDENT.fullmatch(nxt[3]):
            c["fn"] += 1
    return c


def kernel_modules(toks):
    """Top-level kernel crate modules a driver names."""
    mods = set()
    for k in range(len(toks) - 2):
        if toks[k] != "kernel" or toks[k + 1] != "::":
            continue
        if toks[k + 2] != "{":
            mods.add(toks[k + 2])
            continue
        depth, expect = 0, True
        for t in toks[k + 2:]:
            if t == "{":
                depth += 1
                expect = depth == 1
            elif t == "}":
                depth -= 1
                if depth == 0:
                    break
            elif t == ",":
                expect = depth == 1
            elif expect and depth == 1 and IDENT.fullmatch(t):
                mods.add(t)
                expect = False
    return {m for m in mods if IDENT.fullmatch(m)} - {"prelude", "self", "bindings"}


def rust_files(path):
    if os.path.isfile(path):
        return [path] if path.endswith(".rs") else []
    found = []
    for root, _, files in os.walk(path):
        found += [os.path.join(root, f) for f in files if f.endswith(".rs")]
    return sorted(found)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def add(a, b):
    return {k: a[k] + b[k] for k in a}


def driver_counts(ksrc, paths):
    """(driver counts, abstraction counts, abstraction modules, files)."""
    files = [f for p in paths for f in rust_files(p)]
    drv = {"block": 0, "fn": 0, "impl": 0}
    mods = set()
    for f in files:
        toks = tokens(read(f))
        drv = add(drv, count(toks))
        mods |= kernel_modules(toks)
    abst = {"block": 0, "fn": 0, "impl": 0}
    found = []
    for m in sorted(mods):
        base = os.path.join(ksrc, "rust", "kernel", m)
        for f in rust_files(base + ".rs") + rust_files(base):
            abst = add(abst, count(tokens(read(f))))
        if os.path.exists(base + ".rs") or os.path.isdir(base):
            found.append(m)
    return drv, abst, found, files


ADDED = re.compile(r"^--- /dev/null\n\+\+\+ b/(\S+)$", re.M)
HELPER = re.compile(r"\brust_helper_\w+\s*\(")


def added_files(patch):
    """Paths (relative to the kernel tree) that the patch file @patch adds."""
    return ADDED.findall(read(patch))


CHANGED = re.compile(r"^--- a/(\S+)\n\+\+\+ b/\S+\n(.*?)(?=^--- |\Z)", re.M | re.S)


def changed_lines(patch):
    """{path: the lines the patch file @patch adds to a file that existed
    before it}: what a patch adds to a kernel file it only changes."""
    out = {}
    for path, body in CHANGED.findall(read(patch)):
        added = [line[1:] for line in body.splitlines()
                 if line.startswith("+") and not line.startswith("+++")]
        out[path] = out.get(path, "") + "\n".join(added) + "\n"
    return out


def module_of(path):
    """'rust/kernel/sync/lock/raw_spinlock.rs' -> 'sync::lock::raw_spinlock'."""
    rel = path[len("rust/kernel/"):-len(".rs")]
    return rel.replace("/", "::")


def patch_layer(ksrc, patch):
    """What one of our kernel patches adds, as applied in @ksrc: the unsafe
    counts of its new Rust files and of the lines it adds to others, the
    number of C helpers (rust_helper_*) it defines, new files or not, and
    the kernel crate modules it adds."""
    counts = {"block": 0, "fn": 0, "impl": 0}
    helpers, mods = 0, []
    for path in added_files(patch):
        text = read(os.path.join(ksrc, path))
        if path.endswith(".rs"):
            counts = add(counts, count(tokens(text)))
            if path.startswith("rust/kernel/"):
                mods.append(module_of(path))
        elif path.startswith("rust/helpers/") and path.endswith(".c"):
            helpers += len(HELPER.findall(text))
    for path, text in changed_lines(patch).items():
        if path.endswith(".rs"):
            counts = add(counts, count(tokens(text)))
        elif path.startswith("rust/helpers/") and path.endswith(".c"):
            helpers += len(HELPER.findall(text))
    return counts, helpers, mods


def patched_counts(ksrc, mods, patches):
    """Unsafe counts of what our @patches add under the kernel crate
    modules @mods (a driver's): their new files and the lines they add to
    others, the part of its abstractions that is ours."""
    counts = {"block": 0, "fn": 0, "impl": 0}

    def ours(path):
        top = path[len("rust/kernel/"):].split("/")[0].removesuffix(".rs")
        return path.startswith("rust/kernel/") and path.endswith(".rs") and \
            top in mods

    for patch in patches:
        for path in added_files(patch):
            if ours(path):
                counts = add(counts, count(tokens(read(os.path.join(ksrc, path)))))
        for path, text in changed_lines(patch).items():
            if ours(path):
                counts = add(counts, count(tokens(text)))
    return counts


def main():
    ksrc = sys.argv[1]
    for arg in sys.argv[2:]:
        name, paths = arg.split("=", 1)
        drv, abst, mods, files = driver_counts(ksrc, paths.split(","))
        print(f"{name}: {len(files)} files, driver {drv}, "
              f"abstractions {abst} ({' '.join(mods)})")


if __name__ == "__main__":
    main()
