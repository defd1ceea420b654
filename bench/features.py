# SPDX-License-Identifier: GPL-2.0
"""Feature matrices for the comparison report, read from test results.

tests/<driver>/features lists the rows: a feature, a tab, and the cases
(the last part of driver/implementation/case) behind it. Each cell is what
those cases gave for that implementation in results.tsv of `make test`:

  pass                 every case passed
  FAIL: case           a case failed (the first one named)
  known bug: reason    a known bug of the (mainline) driver showed (xfail)
  no: reason           every case was skipped (the first skip reason)
  partial: reason      some passed, some were skipped
  not run              no result for any of the cases

A row whose cases are not in the results at all is dropped, so no row
appears without a test behind it.
"""

import collections
import os

import results


def load_results(path):
    """{driver: {impl: {case: (status, reason)}}} from results.tsv."""
    res = collections.defaultdict(lambda: collections.defaultdict(dict))
    for r in results.counted(results.read_tsv(path)):
        parts = r.name.split("/")
        if len(parts) == 3:
            res[parts[0]][parts[1]][parts[2]] = (r.status, r.reason)
    return res


def cell(outcomes):
    got = [(c, o) for c, o in outcomes if o]
    if not got:
        return "not run"
    failed = [c for c, o in got if o[0] == "fail"]
    if failed:
        return f"FAIL: {failed[0]}"
    xfails = [o[1] for _, o in got if o[0] == "xfail"]
    if xfails:
        return f"known bug: {xfails[0]}"
    skips = [o[1] for _, o in got if o[0] == "skip"]
    if not skips and len(got) == len(outcomes):
        return "pass"
    if len(skips) == len(got):
        return f"no: {skips[0]}"
    return f"partial: {skips[0]}" if skips else "partial: some not run"


def matrices(top, results_tsv, impl_order=None):
    """[(driver, impls, rows)] for every driver with a features file."""
    res = load_results(results_tsv)
    out = []
    for driver in sorted(os.listdir(os.path.join(top, "tests"))):
        path = os.path.join(top, "tests", driver, "features")
        if not os.path.exists(path) or driver not in res:
            continue
        impls = sorted(res[driver], key=lambda i: (impl_order or {}).get(i, 9))
        rows = []
        with open(path) as f:
            for line in f:
                if line.startswith("#") or "\t" not in line:
                    continue
                feature, cases = line.rstrip("\n").split("\t", 1)
                cases = cases.split()
                if not any(c in res[driver][i] for i in impls for c in cases):
                    continue
                rows.append([feature] + [
                    cell([(c, res[driver][i].get(c)) for c in cases])
                    for i in impls])
        if rows:
            out.append((driver, impls, rows))
    return out
