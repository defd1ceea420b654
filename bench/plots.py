# SPDX-License-Identifier: GPL-2.0
"""SVG bar charts for the comparison report: one chart per performance
table, a bar per implementation and cell at the median, whiskers from the
minimum to the maximum of the rounds. Uses matplotlib from the tool root
(Debian's python3-matplotlib)."""

import statistics


def bars(path, title, ylabel, groups, series, marks=()):
    """groups: labels on the x axis; series: {impl: [values or None]}, one
    list of round values per group; marks: [(label, value)] drawn as
    dashed lines across (the paper's figures). Writes an SVG to @path."""
    import matplotlib
    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    impls = list(series)
    width = 0.8 / max(1, len(impls))
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(groups)), 4))
    for k, impl in enumerate(impls):
        xs, med, lo, hi = [], [], [], []
        for g, values in enumerate(series[impl]):
            if not values:
                continue
            m = statistics.median(values)
            xs.append(g + (k - (len(impls) - 1) / 2) * width)
            med.append(m)
            lo.append(m - min(values))
            hi.append(max(values) - m)
        ax.bar(xs, med, width, yerr=[lo, hi], capsize=3, label=impl)
    for k, (label, value) in enumerate(marks):
        ax.axhline(value, linestyle="--", linewidth=1, color=f"C{7 + k}",
                   label=label)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, format="svg")
    plt.close(fig)
