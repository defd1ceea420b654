# SPDX-License-Identifier: GPL-2.0
"""bench/unsafe_count.py on small Rust snippets whose counts are known by
reading them: the lexer's hard cases (strings, comments, raw strings,
nested block comments, char literals against lifetimes) must not count,
and every kind of real `unsafe` must."""

import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import unsafe_count  # noqa: E402


def counts(src):
    return unsafe_count.count(unsafe_count.tokens(src))


NONE = {"block": 0, "fn": 0, "impl": 0}


class HardCases(unittest.TestCase):
    def test_plain_kinds(self):
        src = """
            unsafe fn f() {}
            fn g() { unsafe { f() } }
            unsafe impl Send for X {}
            unsafe trait T {}
            pub unsafe extern "C" fn cb(x: i32) {}
        """
        self.assertEqual(counts(src), {"block": 1, "fn": 2, "impl": 2})

    def test_in_strings(self):
        src = r'''
            let a = "unsafe { x }";
            let b = "a \" unsafe { quoted } \\";
            let c = b"unsafe fn f()";
            let d = c"unsafe impl";
        '''
        self.assertEqual(counts(src), NONE)

    def test_in_comments(self):
        src = """
            // unsafe { line comment }
            /// unsafe fn doc() {}
            /* unsafe impl Send for X {} */
        """
        self.assertEqual(counts(src), NONE)

    def test_nested_block_comment(self):
        # The first */ closes only the inner comment: the unsafe fn
        # after it is still inside the outer one.
        src = "/* a /* b unsafe { */ unsafe fn x() {} */ unsafe { y() }"
        self.assertEqual(counts(src), {"block": 1, "fn": 0, "impl": 0})

    def test_raw_strings(self):
        src = r'''
            let r = r#"unsafe { "inner" } "#;
            let s = r##"a "# unsafe fn f() {} "##;
            let t = br"unsafe impl";
            unsafe impl Sync for X {}
        '''
        self.assertEqual(counts(src), {"block": 0, "fn": 0, "impl": 1})

    def test_char_literal_is_not_a_string(self):
        # '"' must not open a string that would swallow the block.
        src = """let c = '"'; let e = '\\''; unsafe { z() }"""
        self.assertEqual(counts(src), {"block": 1, "fn": 0, "impl": 0})

    def test_lifetimes(self):
        src = "fn a<'a>(x: &'a str) -> &'static str { 'l: loop { unsafe { b() } } }"
        self.assertEqual(counts(src), {"block": 1, "fn": 0, "impl": 0})

    def test_unsafe_extern(self):
        # An unsafe extern fn is an unsafe fn; an `unsafe extern` block
        # (Rust 2024) is none of the three kinds; fn-pointer types are not
        # declarations.
        src = """
            unsafe extern "C" fn a() {}
            unsafe extern "C" { fn b(); }
            let p: unsafe fn() = a;
            let q: unsafe extern "C" fn() = a;
        """
        self.assertEqual(counts(src), {"block": 0, "fn": 1, "impl": 0})

    def test_kernel_modules(self):
        src = """
            use kernel::{prelude::*, block::mq, sync::{Arc, Mutex}};
            fn f() -> kernel::error::Result { Ok(()) }
            // kernel::net in a comment
        """
        mods = unsafe_count.kernel_modules(unsafe_count.tokens(src))
        self.assertEqual(mods, {"block", "sync", "error"})

    def test_driver_counts_split(self):
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "rust", "kernel", "sync"))
            with open(os.path.join(d, "rust", "kernel", "sync.rs"), "w") as f:
                f.write("pub unsafe fn a() {}\nunsafe impl Send for L {}\n")
            with open(os.path.join(d, "rust", "kernel", "sync", "arc.rs"),
                      "w") as f:
                f.write("fn b() { unsafe { c() } unsafe { d() } }\n")
            drv = os.path.join(d, "drv.rs")
            with open(drv, "w") as f:
                f.write("use kernel::sync::Arc;\nfn e() { unsafe { f() } }\n")
            c_drv, c_abs, mods, files = unsafe_count.driver_counts(d, [drv])
        self.assertEqual(c_drv, {"block": 1, "fn": 0, "impl": 0})
        self.assertEqual(c_abs, {"block": 2, "fn": 1, "impl": 1})
        self.assertEqual(mods, ["sync"])
        self.assertEqual(files, [drv])


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


class PatchLayer(unittest.TestCase):
    """What a kernel patch adds: its new files whole, of a changed file
    only the lines it adds (lib.rs: the unsafe impl there before does not
    count, the added unsafe block does), and helpers by definition."""

    PATCH = (
        "Subject: test\n---\n"
        "--- a/rust/kernel/lib.rs\n+++ b/rust/kernel/lib.rs\n@@\n+pub mod gpio;\n"
        " unsafe impl Send for X {}\n-old line\n"
        "+fn d() { unsafe { e() } }\n"
        "--- /dev/null\n+++ b/rust/kernel/gpio.rs\n@@\n"
        "--- /dev/null\n+++ b/rust/kernel/sync/lock/raw.rs\n@@\n"
        "--- /dev/null\n+++ b/rust/helpers/gpio.c\n@@\n"
    )

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        d = self.tmp.name
        write(d, "rust/kernel/lib.rs", "unsafe impl Send for X {}\n")
        write(d, "rust/kernel/gpio.rs",
              "fn a() { unsafe { b() } }\nunsafe fn c() {}\n")
        write(d, "rust/kernel/sync/lock/raw.rs", "unsafe impl B for R {}\n")
        write(d, "rust/helpers/gpio.c",
              "void rust_helper_one(int a)\n{\n}\n"
              "int rust_helper_two(void)\n{\n\treturn 0;\n}\n")
        self.patch = write(d, "0001.patch", self.PATCH)

    def tearDown(self):
        self.tmp.cleanup()

    def test_patch_layer(self):
        counts, helpers, mods = unsafe_count.patch_layer(self.tmp.name,
                                                         self.patch)
        self.assertEqual(counts, {"block": 2, "fn": 1, "impl": 1})
        self.assertEqual(helpers, 2)
        self.assertEqual(mods, ["gpio", "sync::lock::raw"])

    def test_patched_counts_of_a_driver(self):
        d = self.tmp.name
        self.assertEqual(
            unsafe_count.patched_counts(d, ["gpio", "io"], [self.patch]),
            {"block": 1, "fn": 1, "impl": 0})
        self.assertEqual(
            unsafe_count.patched_counts(d, ["sync"], [self.patch]),
            {"block": 0, "fn": 0, "impl": 1})
        # Lines added to a file the patch changes count for its module.
        self.assertEqual(
            unsafe_count.patched_counts(d, ["lib"], [self.patch]),
            {"block": 1, "fn": 0, "impl": 0})


if __name__ == "__main__":
    unittest.main()
