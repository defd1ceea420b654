#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The report generator's unit tests, for `make test`: one line when they
pass, unittest's full output when one fails. Exit status 1 on a failure."""

import io
import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))
suite = unittest.defaultTestLoader.discover(here, top_level_dir=here)
out = io.StringIO()
result = unittest.TextTestRunner(stream=out, verbosity=2).run(suite)
if not result.wasSuccessful():
    sys.stdout.write(out.getvalue())
    sys.exit(1)
print(f"ok   bench/tests: {result.testsRun} unit tests of the report "
      f"generator ({len(result.skipped)} skipped)")
