# ruff: noqa: E501 - the page's fragments read better with long lines
"""index.html: one self-contained page (inline CSS, JS, PNGs and data); works offline and from file://.

The page's skeleton, stylesheet and script are files in `topics/report/assets/` (page.html, report.css,
report.js), read with `importlib.resources` and inlined when the page is written. A Content-Security-Policy
``<meta>`` admits only those two inline blocks, by their SHA-256 computed at write time, and data: images:
no other script or style runs, nothing is fetched or sent, so an escaping slip cannot load or leak anything.
Colours are classes (``c0 {--c: ...}``, `ColorClasses`), since such a policy ignores ``style=""``.

Every piece of corpus text goes through `html.escape`; the data for the interactive map is JSON inside a
``<script type="application/json">`` block with ``<``, ``>`` and ``&`` written as ``\\u003c`` etc., and the
script only ever puts it into the page with ``textContent``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import unicodedata
from functools import cache
from html import escape
from importlib import resources
from string import Template

import numpy as np

from topics.plots import palette
from topics.plots._figure import wrap_label
from topics.plots.labels import layout_labels, leader_end
from topics.report.changes import CHANGES_PLOT, section_html
from topics.report.content import (
    NAMED_THEMES_INTRO,
    Content,
    NamedThemesContent,
    Paper,
    Reading,
    Topic,
)
from topics.report.emerging import PLOTS as EMERGING_PLOTS
from topics.report.emerging import section_html as emerging_section
from topics.wording import plural

MAP_WIDTH, MAP_HEIGHT, MAP_PAD = 1000, 680, 16
_HEX_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
LABEL_FONT, LABEL_FONT_MANY, LINE_HEIGHT = 13.0, 11.0, 1.15  # SVG units (the map is ~1,000 px wide)
LABEL_HALO = 3.0  # the white outline around label text, in SVG units
# advance widths in ems of DejaVu Sans Bold (Linux's usual sans-serif, wider than Segoe UI, San Francisco or
# Roboto), to size label boxes before the browser draws them; other letters 0.72, capitals 0.85, CJK 1.0
_EMS = dict(zip(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ·-.,:;'()",
    (0.68, 0.72, 0.6, 0.72, 0.68, 0.44, 0.72, 0.72, 0.35, 0.35, 0.67, 0.35, 1.05, 0.72, 0.69, 0.72, 0.72,
     0.5, 0.6, 0.48, 0.72, 0.66, 0.93, 0.65, 0.66, 0.59, 0.78, 0.77, 0.74, 0.83, 0.69, 0.69, 0.83, 0.84, 0.38,
     0.38, 0.78, 0.64, 1.0, 0.84, 0.85, 0.74, 0.85, 0.77, 0.72, 0.69, 0.82, 0.78, 1.11, 0.78, 0.73, 0.73,
     *[0.7] * 10, 0.35, 0.38, 0.42, 0.38, 0.38, 0.4, 0.4, 0.31, 0.46, 0.46), strict=True))


def safe_json(data) -> str:
    """JSON that can sit inside a <script> element: no '<', '>' or '&' characters at all."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def e(value) -> str:
    return escape(str(value), quote=True)


def _to_svg(model):
    """A function taking map coordinates (n, 2) to the SVG's view box (aspect kept, y downwards)."""
    xy = np.asarray(model.map_, dtype=float)
    low, high = xy.min(axis=0), xy.max(axis=0)
    span = np.where(high - low > 0, high - low, 1.0)
    scale = min((MAP_WIDTH - 2 * MAP_PAD) / span[0], (MAP_HEIGHT - 2 * MAP_PAD) / span[1])
    offset = (np.array([MAP_WIDTH, MAP_HEIGHT]) - span * scale) / 2

    def to_svg(points: np.ndarray) -> np.ndarray:
        points = np.asarray(points, dtype=float).reshape(-1, 2)
        x = offset[0] + (points[:, 0] - low[0]) * scale
        y = MAP_HEIGHT - (offset[1] + (points[:, 1] - low[1]) * scale)  # SVG's y grows downwards
        return np.column_stack([x, y])

    return to_svg


def text_width(text: str, size: float) -> float:
    """The width of `text` in bold sans-serif at font size `size`, from DejaVu Sans Bold's advances."""
    ems = 0.0
    for c in text:
        if c in _EMS:
            ems += _EMS[c]
        elif unicodedata.east_asian_width(c) in "WF":
            ems += 1.0
        else:
            ems += 0.85 if c.isupper() else 0.72
    return ems * size


def map_labels(model) -> list[dict]:
    """Topic labels for the SVG map at their topics' centres, placed without overlaps like the PNG map's
    (`topics.plots.labels.layout_labels`), largest topic first; positions in the view box."""
    if not model.n_topics_:
        return []
    from topics.plots.map import topic_anchors

    to_svg = _to_svg(model)
    anchors = to_svg(topic_anchors(model))
    points = to_svg(model.map_)
    size = LABEL_FONT if model.n_topics_ <= 30 else LABEL_FONT_MANY
    order = np.argsort(-np.asarray(model.topic_sizes_), kind="stable")
    lines = [wrap_label(str(model.topic_labels_[t]), 22).split("\n") for t in order]
    sizes = [(max(text_width(line, size) for line in text) + LABEL_HALO,
              len(text) * size * LINE_HEIGHT + LABEL_HALO) for text in lines]

    def flip(xy: np.ndarray) -> np.ndarray:  # layout_labels works with y upwards
        return np.column_stack([xy[:, 0], MAP_HEIGHT - xy[:, 1]])

    placements = layout_labels(flip(anchors[order]), sizes, (0.0, 0.0, MAP_WIDTH, MAP_HEIGHT), flip(points),
                               pad=4.0)
    topic_colors = palette.topic_colors(model)
    labels = []
    for t, text, placement in zip(order, lines, placements, strict=True):
        t = int(t)
        anchor = (float(anchors[t, 0]), MAP_HEIGHT - float(anchors[t, 1]))
        label = {
            "topic": t, "theme": int(model.topic_themes_[t]), "lines": text,
            "size": round(size * placement.scale, 1),
            "x": round(placement.x, 1), "y": round(MAP_HEIGHT - placement.y, 1),
            "color": palette.shade(topic_colors[t], 0.1), "leader": None,
        }
        if placement.leader:
            end = leader_end(anchor, placement.box)
            label["leader"] = [round(anchor[0], 1), round(MAP_HEIGHT - anchor[1], 1), round(end[0], 1),
                               round(MAP_HEIGHT - end[1], 1)]
        labels.append(label)
    return labels


def _svg_labels(labels: list[dict]) -> str:
    """The labels as SVG markup (drawn above the points, which the script inserts before this group)."""
    out = []
    for label in labels:
        if label["leader"]:
            x1, y1, x2, y2 = label["leader"]
            out.append(f'<line class="leader" data-topic="{label["topic"]}" data-theme="{label["theme"]}" '
                       f'x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{label["color"]}"/>')
        step = label["size"] * LINE_HEIGHT
        top = label["y"] - step * (len(label["lines"]) - 1) / 2
        spans = "".join(f'<tspan x="{label["x"]}" y="{round(top + i * step, 1)}">{e(line)}</tspan>'
                        for i, line in enumerate(label["lines"]))
        out.append(f'<text class="label" data-topic="{label["topic"]}" data-theme="{label["theme"]}" '
                   f'font-size="{label["size"]:g}" fill="{label["color"]}">{spans}</text>')
    return f'<g id="map-labels">{"".join(out)}</g>'


def map_data(model, content: Content) -> dict:
    """Point positions scaled into the SVG's view box (aspect kept), colours and labels for the script."""
    x, y = _to_svg(model)(model.map_).T
    colors = palette.document_colors(model)
    topic_colors = palette.topic_colors(model)
    return {
        "width": MAP_WIDTH, "height": MAP_HEIGHT,
        "x": [round(float(v), 1) for v in x], "y": [round(float(v), 1) for v in y],
        "topic": [p.topic for p in content.papers], "theme": [p.theme for p in content.papers],
        "outlier": [int(p.is_outlier) for p in content.papers],
        "color": colors, "title": [p.title for p in content.papers],
        # indexed by topic id (the script looks up D.topics[topic]), not in the legend's theme order
        "topics": [{"label": t.label, "theme": t.theme, "color": topic_colors[t.topic]}
                   for t in sorted((t for h in content.themes for t in h.topics), key=lambda t: t.topic)],
        "themes": [{"label": h.label, "color": palette.theme_color(h.theme)} for h in content.themes],
    }


def _keywords(words: list[tuple[str, float]]) -> str:
    return "".join(f'<li><span class="kw">{e(w)}</span> <span class="score">{s:.3f}</span></li>' for w, s in words)


def _paper_item(paper: Paper, summary: bool) -> str:
    flag = ' <span class="flag">outlier</span>' if paper.is_outlier else ""
    body = f'<span class="ptitle">{e(paper.title)}</span>'
    if summary and paper.summary:
        body += f'<span class="summary">{e(paper.summary)}</span>'
    return (f'<li id="paper-{paper.index}" data-paper="{paper.index}">{body}'
            f'<span class="conf" title="confidence">{paper.confidence:.2f}{flag}</span></li>')


def _topic(topic: Topic, color: str) -> str:
    """A topic's article; `color` is the class of its colour (`ColorClasses`)."""
    representative = "".join(
        f'<li><a class="ptitle" href="#paper-{p.index}">{e(p.title)}</a><span class="summary">{e(p.summary)}'
        "</span></li>" for p in topic.representative)
    papers = "".join(_paper_item(p, False) for p in topic.papers)
    stability = f' · <span class="stability">{e(topic.stability)}</span>' if topic.stability else ""
    return f"""
<article class="topic {color}" id="topic-{topic.topic}">
  <h3><span class="swatch"></span>Topic {topic.topic}: {e(topic.label)}</h3>
  <p class="meta">{plural(topic.size, 'paper')} · {topic.share:.1%} of the corpus{stability}</p>
  <h4>Keywords</h4><ul class="keywords">{_keywords(topic.keywords)}</ul>
  <h4>Representative papers</h4><ol class="representative">{representative}</ol>
  <details><summary>{'The paper' if topic.size == 1 else f'All {topic.size:,} papers, most confident first'}</summary>
    <ol class="papers">{papers}</ol></details>
</article>"""


NAMED_THEMES_PLOT = "named-themes-over-time"


def _reading(reading: Reading) -> str:
    """What reading the input dropped or kept, with the first malformed entries (their line numbers)."""
    items = "".join(f"<li>{e(s)}</li>" for s in reading.skipped)
    more = reading.n_skipped - len(reading.skipped)
    items += f"<li>… and {more:,} more</li>" if more > 0 and items else ""
    skipped = f'<ul class="skipped">{items}</ul>' if items else ""
    return f'\n  <div class="reading" id="reading"><p>{e(" ".join(reading.sentences))}</p>{skipped}</div>'


def _figure(name: str, png: bytes, caption: str) -> str:
    return (f'<figure id="plot-{e(name)}"><img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" '
            f'alt="{e(caption)}"><figcaption>{e(caption)}</figcaption></figure>')


def _named_themes(named: NamedThemesContent, images: dict[str, tuple[bytes, str]], colors: ColorClasses) -> str:
    """The theme overview: papers per named theme with its topics, the plot over time, papers between two."""
    rows = []
    for theme in named.themes:
        topics = ", ".join(f'<a href="#topic-{t}">{t}: {e(label)}</a> <span class="score">{e(match)}</span>'
                           for t, label, match in theme.topics) or "—"
        moved = f" ({theme.by_paper} by their own match)" if theme.by_paper else ""
        rows.append(f'<tr class="{colors(theme.color)}"><th><span class="swatch"></span>{e(theme.name)}</th>'
                    f'<td>{theme.size}{moved}</td><td class="num">{theme.share:.0%}</td><td>{topics}</td></tr>')
    plot = _figure(NAMED_THEMES_PLOT, *images[NAMED_THEMES_PLOT]) if NAMED_THEMES_PLOT in images else ""
    between = "".join(
        f'<li><a href="#paper-{p.index}">{e(p.title)}</a> <span class="score">{e(first)} {a:.2f} · '
        f"{e(second)} {b:.2f}</span></li>" for p, first, a, second, b in named.between)
    between = (f"<h3>Papers between two themes</h3><ul>{between}</ul>" if between
               else "<p class=\"meta\">No paper sits between two themes.</p>")
    moved = "".join(
        f'<li><a href="#paper-{p.index}">{e(p.title)}</a> <span class="score">topic: {e(was)} → '
        f"{e(now)} {score:.2f}</span></li>" for p, was, now, score in named.moved)
    moved = f"<h3>Papers placed by their own match, not their topic</h3><ul>{moved}</ul>" if moved else ""
    rules = "".join(f"<li>{e(r)}</li>" for r in named.rules)
    notes = "".join(f"<li>{e(n)}</li>" for n in named.notes)
    notes = f"<h4>Notes</h4><ul>{notes}</ul>" if notes else ""
    return f"""
<section id="named-themes">
  <h2>Theme overview</h2>
  <p class="meta">{e(NAMED_THEMES_INTRO)}</p>
  <table class="named-themes"><thead><tr><th>theme</th><th>papers</th><th class="num">share</th><th>topics (z)</th></tr></thead>
  <tbody>{''.join(rows)}</tbody></table>
  {plot}{between}{moved}
  <details><summary>How papers and topics get their theme</summary><ul>{rules}</ul>{notes}</details>
</section>"""


def render(model, content: Content, images: dict[str, tuple[bytes, str]]) -> str:
    """The page; `images` maps plot name -> (PNG bytes, caption)."""
    themes_html = []
    legend = []
    colors = ColorClasses()
    topic_colors = palette.topic_colors(model)
    for theme in content.themes:
        color = colors(palette.theme_color(theme.theme))
        topic_buttons = "".join(
            f'<button type="button" class="{colors(topic_colors[t.topic])}" data-filter-topic="{t.topic}" aria-pressed="false">'
            f'<span class="swatch"></span>{t.topic}: {e(t.label)} ({t.size})</button>' for t in theme.topics)
        legend.append(
            f'<div class="group {color}"><button type="button" data-filter-theme="{theme.theme}" '
            f'aria-pressed="false"><span class="swatch"></span>Theme {theme.theme}: {e(theme.label)} '
            f'({theme.size})</button><div class="topics">{topic_buttons}</div></div>')
        topics_html = "".join(_topic(t, colors(topic_colors[t.topic])) for t in theme.topics)
        themes_html.append(f"""
<section class="theme {color}" id="theme-{theme.theme}">
  <h2><span class="swatch"></span>Theme {theme.theme}: {e(theme.label)}</h2>
  <p class="meta">{plural(theme.size, 'paper')} in {plural(len(theme.topics), 'topic')}:
  {', '.join(f'<a href="#topic-{t.topic}">{t.topic}</a>' for t in theme.topics)}</p>
  <ul class="keywords">{_keywords(theme.keywords)}</ul>
  {topics_html}
</section>""")
    if content.unassigned:
        items = "".join(_paper_item(p, False) for p in content.unassigned)
        themes_html.append(f'<section id="unassigned"><h2>Papers without a topic</h2><ol class="papers">{items}'
                           "</ol></section>")
    named_themes = _named_themes(content.named_themes, images, colors) if content.named_themes else ""
    named_nav = '<a href="#named-themes">Theme overview</a>' if content.named_themes else ""
    figures = "".join(
        f'<figure id="plot-{e(name)}"><img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" '
        f'alt="{e(caption)}"><figcaption>{e(caption)}</figcaption></figure>'
        for name, (png, caption) in images.items()
        if not (content.named_themes and name == NAMED_THEMES_PLOT) and name != CHANGES_PLOT
        and not (content.emerging is not None and name in EMERGING_PLOTS))
    changes, changes_nav = "", ""
    if content.changes is not None:
        plot = _figure(CHANGES_PLOT, *images[CHANGES_PLOT]) if CHANGES_PLOT in images else ""
        changes = section_html(content.changes, content.changes_summary, plot)
        changes_nav = '<a href="#changes">What changed</a><a href="changes.csv">changes.csv</a>'
    emerging, emerging_nav = "", ""
    if content.emerging is not None:  # the plot over time moves into the section
        plot = "".join(_figure(name, *images[name]) for name in EMERGING_PLOTS if name in images)
        emerging = emerging_section(content.emerging, content.emerging_summary, content.emerging_method, plot,
                                    lambda t: colors(topic_colors[t]))
        emerging_nav = '<a href="#emerging">Emerging topics</a><a href="emerging.csv">emerging.csv</a>'

    cards = "".join(f'<div class="card"><b>{e(v)}</b><span>{e(k)}</span></div>' for k, v in content.overview)
    settings = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in content.settings)
    metrics = ""
    if content.metrics:
        rows = "".join(f"<tr><th>{e(k)}</th><td>{v:.4f}</td></tr>" for k, v in content.metrics.items())
        metrics = f'<h3>Quality</h3><table class="metrics">{rows}</table>'
    notes = "".join(f"<li>{e(n)}</li>" for n in content.notes)
    notes = f"<h3>Notes</h3><ul>{notes}</ul>" if notes else ""
    sample = f'\n  <p class="sample" id="sample-note">{e(content.sample_note)}</p>' if content.sample_note else ""
    reading = _reading(content.reading) if content.reading else ""
    style = "\n" + asset("report.css") + colors.rules()
    script = "\n" + asset("report.js")
    return page_template().substitute(
        csp=content_security_policy(script, style), name=e(content.name), style=style, script=script,
        summary=f"{plural(content.n_documents, 'paper')} grouped into {plural(content.n_topics, 'topic')} and "
                f"{plural(content.n_themes, 'theme')}.",
        reading=reading, sample=sample, cards=cards, named_nav=changes_nav + named_nav + emerging_nav, changes=changes, emerging=emerging, map_width=MAP_WIDTH,
        map_height=MAP_HEIGHT, map_labels=_svg_labels(map_labels(model)), legend="".join(legend),
        named_themes=named_themes, figures=figures, themes="".join(themes_html), settings=settings,
        metrics=metrics, notes=notes, version=e(_version()), data=safe_json(map_data(model, content)),
    )


class ColorClasses:
    """The page's colours as classes (``c0``, ``c1``, ...) and the rules that set them (``--c``): a
    Content-Security-Policy that admits only the page's own stylesheet ignores ``style=""`` attributes."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def __call__(self, color: str) -> str:
        """The class of `color` (a hex colour such as ``#0072B2``)."""
        if not _HEX_COLOR.fullmatch(color):
            raise ValueError(f"not a hex colour: {color!r}")
        return self.names.setdefault(color, f"c{len(self.names)}")

    def rules(self) -> str:
        """One CSS rule per colour used, in the order they were first used."""
        return "".join(f".{name}{{--c:{color}}}\n" for color, name in self.names.items())


def content_security_policy(script: str, style: str) -> str:
    """The page's policy: nothing from anywhere (no network, no plugins, no forms, no <base>) but its own
    inline `script` and `style` blocks, named by their SHA-256, and data: images (the plots)."""
    return (f"default-src 'none'; script-src {_source_hash(script)}; style-src {_source_hash(style)}; "
            "img-src data:; base-uri 'none'; form-action 'none'")


def _source_hash(text: str) -> str:
    """A CSP hash source for an inline block whose text is `text` (as it stands between its tags)."""
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode('utf-8')).digest()).decode('ascii')}'"


@cache
def asset(name: str) -> str:
    """The text of a file of `topics/report/assets/` (the page's CSS, script and template)."""
    return resources.files("topics.report").joinpath("assets", name).read_text(encoding="utf-8")


def page_template() -> Template:
    """index.html around its parts: ``${name}`` placeholders (`string.Template`), assets/page.html."""
    return Template(asset("page.html"))


def _version() -> str:
    from topics import __version__

    return __version__
