"""The report's "What changed" part for a model continued from a previous one (`topics report --since`,
`fit(corpus, previous=...)`): the section at the top of the page, its table in report.md, changes.csv."""

from __future__ import annotations

import html

import pandas as pd

CHANGES_PLOT = "theme-changes"
ORDER = {"new": 0, "split": 1, "merged": 2, "grew": 3, "shrank": 4, "faded": 5, "same": 6}
INTRO = ("Topics and themes matched to the previous run by the papers they share: a matched one keeps its "
         "number and name. New: not in the previous run; faded: gone; split / merged: its papers went to "
         "several / came from several; grew / shrank: its share of the papers changed by a quarter.")


def changes_of(model) -> pd.DataFrame | None:
    """`changes_` of the fitted model behind `model` (a TopicModel or the report's all-papers view)."""
    fitted = getattr(model, "model", model)
    return getattr(fitted, "changes_", None)


def flat_table(changes: pd.DataFrame) -> pd.DataFrame:
    """changes.csv: one row per topic and theme, lists as text ("3; 5", titles joined by " | ")."""
    table = changes.copy()
    table["previous"] = [("; ".join(str(p) for p in value) if isinstance(value, (list, tuple)) else value)
                         for value in table["previous"]]
    table["new_titles"] = [(" | ".join(value) if isinstance(value, (list, tuple)) else value)
                           for value in table["new_titles"]]
    return table


def _ordered(rows: pd.DataFrame) -> pd.DataFrame:
    key = rows["status"].map(ORDER).fillna(len(ORDER))
    return rows.assign(_key=key).sort_values(["_key", "papers_after"], ascending=[True, False],
                                             kind="stable").drop(columns="_key")


def _number(value) -> str:
    return "—" if value is None or value != value else str(int(value))


def _previous(value) -> str:
    return ", ".join(str(p) for p in value) if isinstance(value, (list, tuple)) and value else "—"


def section_html(changes: pd.DataFrame, summary: str, figure: str) -> str:
    """The "What changed" section: the summary line, themes then topics by status, the sizes plot."""
    e = html.escape
    parts = []
    with_notes = bool(changes["note"].fillna("").astype(str).str.strip().any())
    for level, title in (("theme", "Themes"), ("topic", "Topics")):
        rows = []
        for _, row in _ordered(changes[changes["level"] == level]).iterrows():
            label = row["label"] if isinstance(row["label"], str) and row["label"] else row["previous_label"]
            link = (f'<a href="#{level}-{_number(row["id"])}">{_number(row["id"])}</a>'
                    if _number(row["id"]) != "—" else "—")
            titles = "".join(f"<li>{e(t)}</li>" for t in (row["new_titles"] or []))
            new = f'{int(row["new_papers"])}' + (f"<ul>{titles}</ul>" if titles else "")
            status = e(row["status"])
            rows.append(f'<tr class="status-{status}"><td>{link}</td><td><b>{status}</b></td>'
                        f"<td>{e(str(label))}</td><td>{e(_previous(row['previous']))}</td>"
                        f'<td class="num">{int(row["papers_before"])} → {int(row["papers_after"])}</td>'
                        f"<td>{new}</td>"
                        + (f"<td>{e(str(row['note'] or ''))}</td>" if with_notes else "") + "</tr>")
        parts.append(f"<h3>{title}</h3><table class=\"changes\"><thead><tr><th>now</th><th>status</th>"
                     "<th>label</th><th>before</th><th class=\"num\">papers</th><th>new papers</th>"
                     + ("<th>note</th>" if with_notes else "")
                     + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    return (f'<section id="changes"><h2>What changed</h2><p class="sub">{e(summary)}</p>'
            f'<p class="meta">{e(INTRO)}</p>{figure}{"".join(parts)}</section>')


def section_markdown(changes: pd.DataFrame, summary: str, escape) -> list[str]:
    """The same as Markdown lines (`escape` is the report's Markdown escaping)."""
    out = ["## What changed", "", escape(summary), ""]
    for level, title in (("theme", "Themes"), ("topic", "Topics")):
        out += [f"### {title}", "", "| now | status | label | before | papers | new papers |",
                "|---:|---|---|---|---:|---:|"]
        for _, row in _ordered(changes[changes["level"] == level]).iterrows():
            label = row["label"] if isinstance(row["label"], str) and row["label"] else row["previous_label"]
            out.append(f"| {_number(row['id'])} | {row['status']} | {escape(str(label))} | "
                       f"{_previous(row['previous'])} | {int(row['papers_before'])} → "
                       f"{int(row['papers_after'])} | {int(row['new_papers'])} |")
        out.append("")
    return out
