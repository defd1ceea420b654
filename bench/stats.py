# SPDX-License-Identifier: GPL-2.0
"""The statistics of the comparison report, in one place.

A ratio of two implementations is computed per round, from the two runs
of the same round (paired: both ran in one boot, interleaved, so what
drifted during the boot cancels), and reported as the median of those
per-round ratios with a 95% percentile bootstrap confidence interval over
rounds. A verdict is stated only where the interval excludes 1 (and
there are at least MIN_ROUNDS rounds).

The bootstrap is seeded (SEED, printed in the report) so a report made
twice from the same rows says the same. The bench programs shuffle their
order within each round with the same seed (they get it from the runner
as rfl.seed).
"""

import random
import statistics

# The seed of the bootstrap and of the guests' shuffles.
SEED = 18
RESAMPLES = 2000
LEVEL = 0.95
# Fewer rounds than this make no verdict: the bootstrap of one or two
# values is a point or their range, whatever the noise.
MIN_ROUNDS = 3
NO_DIFFERENCE = "no difference measurable here"


class Ratio:
    """The median of per-round ratios and its bootstrap interval."""

    def __init__(self, per_round, seed=SEED):
        self.values = list(per_round)
        self.n = len(self.values)
        self.median = statistics.median(self.values) if self.values else None
        self.lo, self.hi = bootstrap(self.values, seed) if self.values \
            else (None, None)

    def __bool__(self):
        return self.n > 0

    def excludes_one(self):
        return self.n >= MIN_ROUNDS and (self.lo > 1 or self.hi < 1)

    def __str__(self):
        """'0.97 [0.95..0.99]' (median [interval]), or '-'."""
        if not self:
            return "-"
        return f"{self.median:.2f} [{self.lo:.2f}..{self.hi:.2f}]"


def bootstrap(values, seed=SEED, resamples=RESAMPLES, level=LEVEL):
    """(lo, hi): the percentile interval of the median of @values
    resampled with replacement; one value gives (value, value)."""
    rng = random.Random(seed)
    n = len(values)
    meds = sorted(statistics.median(rng.choices(values, k=n))
                  for _ in range(resamples))
    tail = (1 - level) / 2
    return meds[int(tail * resamples)], meds[int((1 - tail) * resamples) - 1]


def paired(num, den, seed=SEED):
    """Ratio of {round: value} @num over {round: value} @den, from the
    rounds both have (a round one of them lacks is no pair)."""
    return Ratio([num[r] / den[r] for r in sorted(num) if r in den and
                  den[r]], seed)


def verdict(ratio, above, below):
    """@above when the interval lies above 1, @below when below 1, else
    NO_DIFFERENCE (also when there is no ratio)."""
    if not ratio.excludes_one():
        return NO_DIFFERENCE
    return above if ratio.lo > 1 else below


def against_goal(ratio, goal, higher_is_better=True):
    """Where @ratio stands against a goal ratio: "met" when the whole
    interval is on the good side of the goal, "missed" when it is wholly
    on the bad side and excludes 1, else NO_DIFFERENCE."""
    sign = ">=" if higher_is_better else "<="
    if not ratio:
        return "not measured"
    lo, hi = (ratio.lo, ratio.hi) if higher_is_better else \
        (-ratio.hi, -ratio.lo)
    g = goal if higher_is_better else -goal
    if lo >= g:
        return f"met (goal {sign} {goal:.2f})"
    if hi < g and ratio.excludes_one():
        return f"missed (goal {sign} {goal:.2f})"
    return f"{NO_DIFFERENCE} (goal {sign} {goal:.2f})"
