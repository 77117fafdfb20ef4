"""report.md: the report as GitHub-flavoured Markdown, with relative links to the PNG plots."""

from __future__ import annotations

import re

from topics.report.changes import CHANGES_PLOT, section_markdown
from topics.report.content import NAMED_THEMES_INTRO, Content, NamedThemesContent, Paper, Reading
from topics.report.emerging import PLOTS as EMERGING_PLOTS
from topics.report.emerging import section_markdown as emerging_markdown
from topics.wording import plural

NAMED_THEMES_PLOT = "named-themes-over-time"

# every ASCII punctuation character that means something in (GitHub) Markdown or HTML
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&:@$=\"'])")


def escape(text: str) -> str:
    """`text` as literal Markdown text on one line: markup characters backslash-escaped, no raw HTML."""
    text = " ".join(str(text).split())
    return _SPECIAL.sub(r"\\\1", text)


def _paper_line(paper: Paper, with_summary: bool) -> str:
    flag = " · outlier" if paper.is_outlier else ""
    line = f"- **{escape(paper.title)}** ({paper.confidence:.2f}{flag})"
    if with_summary and paper.summary:
        line += f"  \n  {escape(paper.summary)}"
    return line


def _named_themes(named: NamedThemesContent, images: dict[str, tuple[str, str]]) -> list[str]:
    out = ["## Theme overview", "",
           escape(NAMED_THEMES_INTRO), "",
           "| theme | papers | share | topics (z) |", "|---|---:|---:|---|"]
    for theme in named.themes:
        topics = ", ".join(f"[{t}](#topic-{t}): {escape(label)} ({escape(match)})"
                           for t, label, match in theme.topics)
        moved = f" ({theme.by_paper} by their own match)" if theme.by_paper else ""
        out.append(f"| {escape(theme.name)} | {theme.size}{moved} | {theme.share:.0%} | {topics or '—'} |")
    out.append("")
    if NAMED_THEMES_PLOT in images:
        file, caption = images[NAMED_THEMES_PLOT]
        out += [f"![{escape(caption)}]({file})", ""]
    if named.between:
        out += ["### Papers between two themes", ""]
        out += [f"- **{escape(p.title)}**: {escape(first)} {a:.2f} · {escape(second)} {b:.2f}"
                for p, first, a, second, b in named.between]
        out.append("")
    else:
        out += ["No paper sits between two themes.", ""]
    if named.moved:
        out += ["### Papers placed by their own match, not their topic", ""]
        out += [f"- **{escape(p.title)}**: topic: {escape(was)} → {escape(now)} ({score:.2f})"
                for p, was, now, score in named.moved]
        out.append("")
    out += ["How papers and topics get their theme:", ""] + [f"- {escape(r)}" for r in named.rules]
    out += [f"- {escape(n)}" for n in named.notes]
    out.append("")
    return out


def _reading(reading: Reading) -> list[str]:
    """What reading the input dropped, as a quoted paragraph with the first malformed entries."""
    out = [f"> {escape(' '.join(reading.sentences))}"]
    if reading.skipped:
        more = reading.n_skipped - len(reading.skipped)
        out += [">", "> Skipped:", ">"] + [f"> - {escape(s)}" for s in reading.skipped]
        if more > 0:
            out.append(f"> - {escape(f'... and {more:,} more')}")
    return [*out, ""]


def render(content: Content, images: dict[str, tuple[str, str]]) -> str:
    """The Markdown text; `images` maps plot name -> (file name, caption)."""
    out: list[str] = [f"# Topics in {escape(content.name)}", ""]
    out.append(" · ".join(f"**{escape(value)}** {key}" for key, value in content.overview))
    out.append("")
    if content.reading:
        out += _reading(content.reading)
    if content.sample_note:
        out += [f"> {escape(content.sample_note)}", ""]
    if content.changes is not None:
        out += section_markdown(content.changes, content.changes_summary, escape)
        if CHANGES_PLOT in images:
            file, caption = images[CHANGES_PLOT]
            out += [f"![{escape(caption)}]({file})", ""]
    if "map" in images:
        file, caption = images["map"]
        out += [f"![{escape(caption)}]({file})", ""]
    if content.named_themes:
        out += _named_themes(content.named_themes, images)
    out += ["## Themes and topics", ""]
    out += ["| theme | topic | papers | label |", "|---:|---:|---:|---|"]
    for theme in content.themes:
        for topic in theme.topics:
            out.append(f"| {theme.theme} | [{topic.topic}](#topic-{topic.topic}) | {topic.size} | "
                       f"{escape(topic.label)} |")
    out.append("")
    if content.emerging is not None:
        out += emerging_markdown(content.emerging, content.emerging_summary, content.emerging_method, escape)
        for name in (name for name in EMERGING_PLOTS if name in images):
            file, caption = images[name]
            out += [f"![{escape(caption)}]({file})", ""]
    plots = [name for name in images if name not in ("map", CHANGES_PLOT)
             and not (content.named_themes and name == NAMED_THEMES_PLOT)
             and not (content.emerging is not None and name in EMERGING_PLOTS)]
    if plots:
        out += ["## Plots", ""]
        for name in plots:
            file, caption = images[name]
            out += [f"### {escape(caption)}", "", f"![{escape(caption)}]({file})", ""]
    for theme in content.themes:
        out += [f"## Theme {theme.theme}: {escape(theme.label)}", ""]
        out.append(f"{plural(theme.size, 'paper')} in {plural(len(theme.topics), 'topic')}. Keywords: "
                   + ", ".join(f"{escape(w)} ({s:.3f})" for w, s in theme.keywords))
        out.append("")
        for topic in theme.topics:
            out += [f'<a id="topic-{topic.topic}"></a>', "",
                    f"### Topic {topic.topic}: {escape(topic.label)}", ""]
            stability = f" {escape(topic.stability.capitalize())}." if topic.stability else ""
            out.append(f"{plural(topic.size, 'paper')} ({topic.share:.1%}).{stability} Keywords: "
                       + ", ".join(f"{escape(w)} ({s:.3f})" for w, s in topic.keywords))
            out += ["", "Representative papers:", ""]
            out += [_paper_line(p, True) for p in topic.representative]
            out += ["", "<details><summary>All papers with their confidence</summary>", ""]
            out += [_paper_line(p, False) for p in topic.papers]
            out += ["", "</details>", ""]
    if content.unassigned:
        out += ["## Papers without a topic", ""]
        out += [_paper_line(p, False) for p in content.unassigned]
        out.append("")
    out += ["## Settings", "", "| setting | value |", "|---|---|"]
    out += [f"| {escape(k)} | {escape(v)} |" for k, v in content.settings]
    if content.metrics:
        out += ["", "## Quality", "", "| metric | value |", "|---|---:|"]
        out += [f"| {escape(k)} | {v:.4f} |" for k, v in content.metrics.items()]
    if content.notes:
        out += ["", "## Notes", ""] + [f"- {escape(n)}" for n in content.notes]
    emerging = " · [emerging.csv](emerging.csv)" if content.emerging is not None else ""
    out += ["", f"Data: [documents.csv](documents.csv) · [topics.csv](topics.csv){emerging} · "
            "[run.json](run.json)", ""]
    return "\n".join(out)
