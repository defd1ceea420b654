#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The unit tests of the results module, the runner's parsing and the
report generator, for `make test`: one line when they pass, unittest's
full output when one fails. Exit status 1 on a failure."""

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
print(f"ok   bench/tests: {result.testsRun} unit tests of the results, "
      f"the runner and the report ({len(result.skipped)} skipped)")
