"""The report's "Emerging topics" part for a corpus whose papers carry dates in two periods or more
(`topics.emerging`): the section beside the plot of topics over time, its table in report.md, emerging.csv.

Topics that changed (emerging, growing, fading) are listed; the steady ones are folded away on the page and
left out of report.md (emerging.csv has them all)."""

from __future__ import annotations

import html
import math
from collections.abc import Callable

import pandas as pd

OVER_TIME_PLOT = "topics-over-time"  # the plot shown in the section (else among the other plots)
EMERGING_PLOT = "emerging-topics"  # the changed topics' shares per period
PLOTS = (EMERGING_PLOT, OVER_TIME_PLOT)  # the section's plots, in this order


def changed_topics(table: pd.DataFrame) -> list[int]:
    """The topics that emerged, grew or faded."""
    return [int(t) for t in table.loc[table["status"] != "steady", "topic"]]
CSV_DIGITS = 6  # significant digits of the shares, growth and p in emerging.csv


def csv_table(table: pd.DataFrame) -> pd.DataFrame:
    """emerging.csv: every topic, shares, growth and p rounded; growth "inf" for a topic new in the last
    period, empty for one without dated papers."""
    out = table.copy()
    for column in ("share_last", "share_before", "growth", "p_value"):
        out[column] = [_significant(v) for v in out[column]]
    return out


def _significant(value: float) -> float:
    if value is None or not math.isfinite(value) or value == 0:
        return value
    return float(f"{value:.{CSV_DIGITS}g}")


def growth_text(value: float) -> str:
    """×2.1, "new" (no paper before), "—" (no dated paper at all)."""
    if value != value:
        return "—"
    return "new" if math.isinf(value) else f"×{value:.2f}"


def _p_text(value: float) -> str:
    return "< 0.0001" if value < 1e-4 else f"{value:.4f}"


def _cells(row) -> list[str]:
    """Papers (share) last and before, growth, p: as shown on the page and in report.md."""
    return [f"{int(row.papers_last):,} ({row.share_last:.1%})",
            f"{int(row.papers_before):,} ({row.share_before:.1%})",
            growth_text(row.growth), _p_text(row.p_value)]


def section_html(table: pd.DataFrame, summary: str, method: str, figure: str,
                 color_class: Callable[[int], str]) -> str:
    """The section: the summary line, the changed topics (then the steady ones, folded), the plot over
    time, how the statuses are decided; `color_class(topic)` is the class of a topic's colour."""
    e = html.escape
    info = table.attrs["emerging"]

    def rows(part: pd.DataFrame) -> str:
        out = []
        for row in part.itertuples():
            cells = "".join(f'<td class="num">{e(c)}</td>' for c in _cells(row))
            topic = int(row.topic)
            out.append(f'<tr class="status-{e(row.status)} {color_class(topic)}"><td>'
                       f'<a href="#topic-{topic}"><span class="swatch"></span>{topic}</a></td>'
                       f"<td><b>{e(row.status)}</b></td><td>{e(str(row.label))}</td>{cells}</tr>")
        return "".join(out)

    head = ('<thead><tr><th>topic</th><th>status</th><th>label</th>'
            f'<th class="num">last {e(info["unit"])}</th><th class="num">before</th>'
            '<th class="num">growth</th><th class="num">p</th></tr></thead>')
    changed = table[table["status"] != "steady"]
    steady = table[table["status"] == "steady"]
    parts = []
    if len(changed):
        parts.append(f'<table class="emerging">{head}<tbody>{rows(changed)}</tbody></table>')
    if len(steady):
        what = "The steady topics" if len(changed) else "Every topic"
        parts.append(f"<details><summary>{what} ({len(steady)})</summary>"
                     f'<table class="emerging">{head}<tbody>{rows(steady)}</tbody></table></details>')
    notes = "".join(f"<li>{e(n[:1].upper() + n[1:])}.</li>" for n in info["notes"])
    notes = f'<ul class="meta">{notes}</ul>' if notes else ""
    return (f'<section id="emerging"><h2>Emerging topics</h2><p class="sub">{e(summary)}</p>{notes}'
            f'{"".join(parts)}{figure}<p class="meta">{e(method)}</p></section>')


def section_markdown(table: pd.DataFrame, summary: str, method: str, escape) -> list[str]:
    """The same as Markdown lines (`escape` is the report's Markdown escaping); steady topics left out."""
    info = table.attrs["emerging"]
    out = ["## Emerging topics", "", escape(summary), ""]
    out += [f"- {escape(n[:1].upper() + n[1:])}." for n in info["notes"]]
    if info["notes"]:
        out.append("")
    changed = table[table["status"] != "steady"]
    if len(changed):
        out += [f"| topic | status | label | last {info['unit']} | before | growth | p |",
                "|---:|---|---|---:|---:|---:|---:|"]
        for row in changed.itertuples():
            cells = " | ".join(escape(c) for c in _cells(row))
            topic = int(row.topic)
            out.append(f"| [{topic}](#topic-{topic}) | {row.status} | {escape(str(row.label))} | {cells} |")
        out.append("")
    steady = int((table["status"] == "steady").sum())
    out += [f"{steady} steady {'topic' if steady == 1 else 'topics'} not listed; every topic is in "
            "[emerging.csv](emerging.csv).", "", escape(method), ""]
    return out
