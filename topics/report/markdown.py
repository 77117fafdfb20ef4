"""report.md: the report as GitHub-flavoured Markdown, with relative links to the PNG plots."""

from __future__ import annotations

import re

from topics.report.content import Content, Paper

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


def render(content: Content, images: dict[str, tuple[str, str]]) -> str:
    """The Markdown text; `images` maps plot name -> (file name, caption)."""
    out: list[str] = [f"# Topics in {escape(content.name)}", ""]
    out.append(" · ".join(f"**{escape(value)}** {key}" for key, value in content.overview))
    out.append("")
    if "map" in images:
        file, caption = images["map"]
        out += [f"![{escape(caption)}]({file})", ""]
    out += ["## Themes and topics", ""]
    out += ["| theme | topic | papers | label |", "|---:|---:|---:|---|"]
    for theme in content.themes:
        for topic in theme.topics:
            out.append(f"| {theme.theme} | [{topic.topic}](#topic-{topic.topic}) | {topic.size} | "
                       f"{escape(topic.label)} |")
    out.append("")
    plots = [name for name in images if name != "map"]
    if plots:
        out += ["## Plots", ""]
        for name in plots:
            file, caption = images[name]
            out += [f"### {escape(caption)}", "", f"![{escape(caption)}]({file})", ""]
    for theme in content.themes:
        out += [f"## Theme {theme.theme}: {escape(theme.label)}", ""]
        out.append(f"{theme.size} papers in {len(theme.topics)} topics. Keywords: "
                   + ", ".join(f"{escape(w)} ({s:.3f})" for w, s in theme.keywords))
        out.append("")
        for topic in theme.topics:
            out += [f'<a id="topic-{topic.topic}"></a>', "",
                    f"### Topic {topic.topic}: {escape(topic.label)}", ""]
            stability = f" {escape(topic.stability.capitalize())}." if topic.stability else ""
            out.append(f"{topic.size} papers ({topic.share:.1%}).{stability} Keywords: "
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
    out += ["", "Data: [documents.csv](documents.csv) · [topics.csv](topics.csv) · [run.json](run.json)", ""]
    return "\n".join(out)
