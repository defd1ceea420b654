# SPDX-License-Identifier: GPL-2.0
"""bench/stats.py: paired ratios, the bootstrap interval, verdicts."""

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
import stats  # noqa: E402


class Stats(unittest.TestCase):
    def test_paired_by_round(self):
        # Round 3 of num has no partner and round 2's den is 0: both left
        # out; the ratios are 2/1 and 9/3.
        r = stats.paired({1: 2.0, 3: 5.0, 4: 9.0, 2: 1.0},
                         {1: 1.0, 2: 0.0, 4: 3.0})
        self.assertEqual(sorted(r.values), [2.0, 3.0])
        self.assertEqual(r.median, 2.5)

    def test_interval_within_the_values_and_seeded(self):
        v = [0.9, 1.1, 1.0, 1.3, 0.95, 1.05, 1.2]
        r = stats.Ratio(v)
        self.assertTrue(min(v) <= r.lo <= r.median <= r.hi <= max(v))
        self.assertEqual((r.lo, r.hi), (stats.Ratio(v).lo,
                                        stats.Ratio(v).hi))
        # Another seed, other resamples: the interval may move, never
        # outside the values.
        o = stats.Ratio(v, seed=1)
        self.assertTrue(min(v) <= o.lo and o.hi <= max(v))

    def test_one_value(self):
        r = stats.Ratio([1.5])
        self.assertEqual((r.lo, r.median, r.hi), (1.5, 1.5, 1.5))
        self.assertEqual(str(r), "1.50 [1.50..1.50]")

    def test_empty(self):
        r = stats.paired({}, {1: 1.0})
        self.assertFalse(r)
        self.assertEqual(str(r), "-")
        self.assertEqual(stats.verdict(r, "up", "down"), stats.NO_DIFFERENCE)

    def test_verdict_only_when_one_is_excluded(self):
        above = stats.Ratio([1.2, 1.3, 1.25, 1.22, 1.28])
        below = stats.Ratio([0.8, 0.82, 0.79, 0.85, 0.81])
        # Medians 1.02 and 0.98 apart, but the interval spans 1.
        across = stats.Ratio([0.9, 1.1, 0.95, 1.08, 1.02])
        self.assertEqual(stats.verdict(above, "up", "down"), "up")
        self.assertEqual(stats.verdict(below, "up", "down"), "down")
        self.assertEqual(stats.verdict(across, "up", "down"),
                         stats.NO_DIFFERENCE)

    def test_no_verdict_from_two_rounds(self):
        # Two rounds far above 1: their interval excludes 1, but two
        # values say nothing of the noise.
        r = stats.Ratio([2.0, 2.1])
        self.assertGreater(r.lo, 1)
        self.assertEqual(stats.verdict(r, "up", "down"), stats.NO_DIFFERENCE)
        self.assertEqual(stats.verdict(stats.Ratio([2.0, 2.1, 2.2]), "up",
                                       "down"), "up")

    def test_goal(self):
        low = stats.Ratio([0.9, 0.91, 0.92, 0.9, 0.93])
        self.assertTrue(stats.against_goal(low, 1.0).startswith("missed"))
        self.assertTrue(stats.against_goal(low, 0.85).startswith("met"))
        # Lower is better (a round trip time): 0.9 meets <= 1.00.
        self.assertTrue(stats.against_goal(low, 1.0, False).startswith("met"))
        across = stats.Ratio([0.9, 1.1, 0.95, 1.08, 1.02])
        self.assertTrue(stats.against_goal(across, 1.0).startswith(
            stats.NO_DIFFERENCE))
        self.assertEqual(stats.against_goal(stats.Ratio([]), 1.0),
                         "not measured")


if __name__ == "__main__":
    unittest.main()


class Shuffle(unittest.TestCase):
    """tests/lib/benchlib.sh's shuffle: the seeded order of a round."""

    def order(self, seed, rnd, words="a b c d e f g"):
        lib = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__)))), "tests", "lib", "benchlib.sh")
        out = subprocess.run(
            ["sh", "-c", f'. "{lib}"; shuffle {rnd} {words}'],
            env={"RFL_SEED": str(seed), "PATH": os.environ["PATH"]},
            capture_output=True, text=True, check=True).stdout
        self.assertEqual(out.count("\n"), 1, out)  # one line
        return out.split()

    def test_a_permutation_redone_by_its_seed(self):
        a = self.order(18, 1)
        self.assertEqual(sorted(a), list("abcdefg"))
        self.assertEqual(a, self.order(18, 1))
        # Words over several lines are shuffled together, not line by line.
        self.assertEqual(sorted(self.order(18, 1, '"a\nb\nc d"')),
                         list("abcd"))
        # Other rounds, other orders (not all seven the same by chance).
        self.assertGreater(len({tuple(self.order(18, r))
                                for r in range(1, 8)}), 1)
