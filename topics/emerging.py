"""Emerging topics in one dated corpus: each topic's share of the last period's papers against its share of
the papers before (`TopicModel.emerging_topics`, the report's "Emerging topics").

Periods are those of the plot over time (`topics.corpus.dates.date_periods`: years, months or days). The
last period is the latest one; when it holds fewer than `MIN_LAST` papers, or fewer than `PARTIAL` of a
typical earlier period (the median), the period before it is joined to it, as often as needed while two
periods remain; a last period short of half a typical one is still said to be perhaps incomplete. Papers
without a date are counted and said, never counted in a period; outliers count in the periods' totals.

Per topic: ``papers_last`` (a) and ``papers_before`` (b) among the dated papers of the last period (n1)
and the periods before (n0); ``share_last`` = a / n1, ``share_before`` = b / n0, ``growth`` their ratio
(infinite for a topic without papers before). The test is the exact conditional one for two rates: were the
topic's papers spread over time like all papers, a would be Binomial(a + b, n1 / (n0 + n1)); ``p_value``
is P(X >= a) for a topic whose share rose, P(X <= a) for one whose share fell. A change counts when that p
is below `ALPHA` divided by the number of topics (Bonferroni). Statuses: *emerging*, at least `MIN_PAPERS`
papers in the last period and a share at least `EMERGING_GROWTH` times the share before (or no paper
before), the rise counting; *growing*, the same with a smaller rise; *fading*, at least `MIN_PAPERS` papers
before and the fall counting; *steady*, everything else (a topic too small to tell included). The same
counts give the same table: nothing is random.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binom

from topics.corpus.dates import date_periods, paper_dates
from topics.errors import ModelError
from topics.wording import plural

__all__ = ["ALPHA", "COLUMNS", "EMERGING_GROWTH", "MIN_LAST", "MIN_PAPERS", "STATUSES", "emerging_topics",
           "find_emerging", "method", "summary"]

MIN_PAPERS = 5  # papers a topic needs in the last period to be emerging or growing (before, to be fading)
EMERGING_GROWTH = 2.0  # share of the last period over the share before from which a rise is "emerging"
ALPHA = 0.05  # family-wise error over all topics (Bonferroni: each topic is tested at ALPHA / topics)
MIN_LAST = 20  # dated papers the last period needs, else the period before is joined to it
PARTIAL = 0.25  # ... and this share of a typical (median) earlier period
STATUSES = ("emerging", "growing", "steady", "fading")
COLUMNS = ["topic", "theme", "label", "status", "papers_last", "papers_before", "share_last", "share_before",
           "growth", "p_value"]


def _dated(model) -> tuple[pd.Series, int]:
    """The dates of the dated papers (index: their rows) and the number of papers without one."""
    dates = paper_dates(getattr(model, "corpus_", None))
    if dates is None:
        raise ModelError("the corpus has no dates: emerging topics need a date column (date_column=...), "
                         "dates in a papers listing, or arXiv ids")
    known = dates.dropna()
    return known, int(len(dates) - len(known))


def _last_period(periods: pd.Series, unit: str) -> tuple[list[str], list[str], list[str]]:
    """(the periods joined into the last one, the periods before, notes)."""
    counts = periods.value_counts().sort_index()
    names = [str(p) for p in counts.index]
    sizes = [int(c) for c in counts.to_numpy()]
    joined = 1
    while len(names) - joined >= 2:
        last, typical = sum(sizes[-joined:]), float(np.median(sizes[:-joined]))
        if last >= MIN_LAST and last >= PARTIAL * typical:
            break
        joined += 1
    notes = []
    if joined > 1:
        notes.append(f"the latest {unit} ({names[-1]}) holds only {plural(sizes[-1], 'paper')}, too few to "
                     f"compare: it is joined with the {plural(joined - 1, unit)} before it")
    last, typical = sum(sizes[-joined:]), float(np.median(sizes[:-joined])) if len(names) > joined else 0.0
    if joined == 1 and typical and last < 0.5 * typical:
        notes.append(f"the last {unit} ({names[-1]}) holds {plural(last, 'paper')} against a median of "
                     f"{typical:,.0f} in the {unit}s before: it may be incomplete (shares still compare)")
    return names[-joined:], names[:-joined], notes


def _span(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{names[0]} to {names[-1]}"


def find_emerging(model, *, min_papers: int = MIN_PAPERS, alpha: float = ALPHA) -> pd.DataFrame | None:
    """`emerging_topics`, or None when the papers have no dates or all of them fall in one period."""
    try:
        return emerging_topics(model, min_papers=min_papers, alpha=alpha)
    except ModelError:
        return None


def emerging_topics(model, *, min_papers: int = MIN_PAPERS, alpha: float = ALPHA) -> pd.DataFrame:
    """Per topic of a fitted `model` (a TopicModel or the report's all-papers view): its papers and share in
    the last period and before, their ratio, the p-value and a status (see the module's text). Sorted by
    status (emerging first), then by growth. ``table.attrs["emerging"]`` holds the periods and counts:
    ``unit``, ``last`` and ``before`` (the periods), ``n_last``, ``n_before``, ``n_undated``,
    ``threshold`` (the p a change needs), ``min_papers``, ``notes``.

    Raises ModelError when the papers have no dates, or their dates fall in one period."""
    dates, n_undated = _dated(model)
    if dates.nunique() < 2:
        raise ModelError("emerging topics need papers dated in at least two periods; "
                         f"{plural(len(dates), 'paper')} {'has' if len(dates) == 1 else 'have'} a date, "
                         f"{'all on one day' if len(dates) else 'none'}")
    periods, unit = date_periods(dates)
    last_names, before_names, notes = _last_period(periods, unit)
    if not before_names:
        raise ModelError(f"emerging topics need papers dated in at least two periods; every dated paper is "
                         f"in the {unit} {last_names[0]}")
    in_last = periods.isin(last_names).to_numpy()
    topics = np.asarray(model.document_topics_)[dates.index.to_numpy()]
    n_topics = int(model.n_topics_)
    last = np.bincount(topics[in_last & (topics >= 0)], minlength=n_topics)[:n_topics]
    before = np.bincount(topics[~in_last & (topics >= 0)], minlength=n_topics)[:n_topics]
    n_last, n_before = int(in_last.sum()), int((~in_last).sum())
    threshold = alpha / max(n_topics, 1)
    share_last, share_before = last / n_last, before / n_before
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where(before > 0, share_last / np.where(share_before > 0, share_before, 1), np.inf)
    growth = np.where((last == 0) & (before == 0), np.nan, growth)
    q = n_last / (n_last + n_before)
    total = last + before
    p_up = binom.sf(last - 1, total, q)
    p_down = binom.cdf(last, total, q)
    rising = share_last >= share_before
    p_value = np.where(rising, p_up, p_down)
    status = np.full(n_topics, "steady", dtype=object)
    grows = rising & (last >= min_papers) & (p_up < threshold)
    status[grows] = "growing"
    status[grows & (growth >= EMERGING_GROWTH)] = "emerging"
    status[~rising & (before >= min_papers) & (p_down < threshold)] = "fading"
    table = pd.DataFrame({
        "topic": np.arange(n_topics), "theme": np.asarray(model.topic_themes_, dtype=int)[:n_topics],
        "label": [str(label) for label in model.topic_labels_[:n_topics]], "status": status,
        "papers_last": last.astype(int), "papers_before": before.astype(int),
        "share_last": share_last, "share_before": share_before, "growth": growth, "p_value": p_value,
    }, columns=COLUMNS)
    order = table["status"].map({s: i for i, s in enumerate(STATUSES)})
    table = (table.assign(_order=order, _growth=table["growth"].fillna(0.0))
             .sort_values(["_order", "_growth", "topic"], ascending=[True, False, True], kind="stable")
             .drop(columns=["_order", "_growth"]).reset_index(drop=True))
    table.attrs["emerging"] = {
        "unit": unit, "last": _span(last_names), "before": _span(before_names),
        "n_periods_before": len(before_names), "n_last": n_last, "n_before": n_before,
        "n_undated": n_undated, "threshold": threshold, "alpha": float(alpha), "min_papers": int(min_papers),
        "notes": notes,
    }
    return table


def summary(table: pd.DataFrame) -> str:
    """One or two sentences: which periods were compared, how many topics have each status, what was left
    out (papers without a date)."""
    info = table.attrs["emerging"]
    counts = table["status"].value_counts()
    found = [f"{int(counts[s])} {s}" for s in STATUSES if s != "steady" and counts.get(s)]
    if found:  # "2 topics emerging, 1 growing"
        first = int(found[0].split()[0])
        found[0] = f"{plural(first, 'topic')} {found[0].split()[1]}"
    unit = info["unit"]
    last = info["last"] if " to " not in info["last"] else f"{info['last']} (joined)"
    before = (f"{plural(info['n_periods_before'], unit)} before ({info['before']}: "
              f"{plural(info['n_before'], 'paper')})")
    text = (f"Papers of the last {unit} ({last}: {plural(info['n_last'], 'paper')}) against the {before}: "
            + (", ".join(found) if found else "no topic stands out") + ".")
    if info["n_undated"]:
        text += (f" {plural(info['n_undated'], 'paper')} without a date "
                 f"{'is' if info['n_undated'] == 1 else 'are'} not counted.")
    return text


def method(table: pd.DataFrame) -> str:
    """How the statuses were decided, in words, with the numbers used."""
    info = table.attrs["emerging"]
    unit = info["unit"]
    return (f"A topic's share is its papers over all dated papers of the period (outliers included). "
            f"Emerging: at least {info['min_papers']} papers in the last {unit} and a share at least "
            f"{EMERGING_GROWTH:g} times the share before (or none before); growing: a smaller rise; "
            f"fading: a fall. A rise or fall counts when it is unlikely by chance: p below "
            f"{info['threshold']:.2g} ({info['alpha']:g} over the {plural(len(table), 'topic')}), where p is "
            f"the chance of the topic's papers falling in the last {unit} so often (or so rarely) were they "
            f"spread over time like all papers (binomial). Steady: everything else, topics too small to tell "
            f"included.")
