# ruff: noqa: E501 - the page template, its CSS and its script read better with long lines
"""index.html: one self-contained page (inline CSS, JS, PNGs and data); works offline and from file://.

Every piece of corpus text goes through `html.escape`; the data for the interactive map is JSON inside a
``<script type="application/json">`` block with ``<``, ``>`` and ``&`` written as ``\\u003c`` etc., and the
script only ever puts it into the page with ``textContent``.
"""

from __future__ import annotations

import base64
import json
import unicodedata
from html import escape

import numpy as np

from topics.plots import palette
from topics.plots._figure import wrap_label
from topics.plots.labels import layout_labels, leader_end
from topics.report.content import (
    NAMED_THEMES_INTRO,
    Content,
    NamedThemesContent,
    Paper,
    Reading,
    Topic,
)
from topics.wording import plural

MAP_WIDTH, MAP_HEIGHT, MAP_PAD = 1000, 680, 16
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
    representative = "".join(
        f'<li><a class="ptitle" href="#paper-{p.index}">{e(p.title)}</a><span class="summary">{e(p.summary)}'
        "</span></li>" for p in topic.representative)
    papers = "".join(_paper_item(p, False) for p in topic.papers)
    stability = f' · <span class="stability">{e(topic.stability)}</span>' if topic.stability else ""
    return f"""
<article class="topic" id="topic-{topic.topic}" style="--c:{color}">
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


def _named_themes(named: NamedThemesContent, images: dict[str, tuple[bytes, str]]) -> str:
    """The theme overview: papers per named theme with its topics, the plot over time, papers between two."""
    rows = []
    for theme in named.themes:
        topics = ", ".join(f'<a href="#topic-{t}">{t}: {e(label)}</a> <span class="score">{e(match)}</span>'
                           for t, label, match in theme.topics) or "—"
        moved = f" ({theme.by_paper} by their own match)" if theme.by_paper else ""
        rows.append(f'<tr style="--c:{theme.color}"><th><span class="swatch"></span>{e(theme.name)}</th>'
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


CSS = """
:root{--fg:#1d1d1f;--muted:#5a5a5f;--line:#e3e3e8;--bg:#fff;--soft:#f6f6f8;--accent:#0072B2}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--fg);background:var(--bg)}
main{max-width:1120px;margin:0 auto;padding:1rem 1.25rem 3rem}
h1{font-size:1.9rem;margin:.6rem 0 .2rem;line-height:1.2}h2{font-size:1.45rem;margin:2.2rem 0 .6rem}
h3{font-size:1.15rem;margin:0 0 .2rem}h4{font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;
color:var(--muted);margin:.9rem 0 .3rem}
a{color:var(--accent)}.sub,.meta{color:var(--muted);margin:.1rem 0 .6rem}
nav{display:flex;flex-wrap:wrap;gap:.4rem 1rem;margin:.6rem 0 1rem;font-size:.95rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(130px,1fr));gap:.6rem;margin:1rem 0}
.card{background:var(--soft);border-radius:10px;padding:.7rem .9rem}
.card b{display:block;font-size:1.6rem;line-height:1.2}.card span{color:var(--muted);font-size:.9rem}
.tools{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.4rem 0}
#search{flex:1 1 240px;font:inherit;padding:.45rem .7rem;border:1px solid #bbb;border-radius:8px;min-width:0}
button{font:inherit;font-size:.9rem;cursor:pointer;border:1px solid var(--line);background:#fff;border-radius:8px;
padding:.25rem .6rem;color:var(--fg)}
button[aria-pressed=true]{border-color:var(--fg);background:var(--soft);font-weight:600}
#status{color:var(--muted);font-size:.9rem}
.mapbox{position:relative;border:1px solid var(--line);border-radius:10px;background:#fcfcfd;overflow:hidden}
#map{display:block;width:100%;height:auto;touch-action:manipulation}
#map circle{stroke:#fff;stroke-width:.6;cursor:pointer;transition:opacity .15s}
#map circle.dim{opacity:.08}#map circle.hit{stroke:#000;stroke-width:2}
#map .label{font-weight:700;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round;
dominant-baseline:central;text-anchor:middle;pointer-events:none;transition:opacity .15s}
#map .leader{stroke-width:1;opacity:.8;pointer-events:none}#map .dim{opacity:.12}
#tip{position:absolute;pointer-events:none;background:rgba(20,20,25,.92);color:#fff;padding:.35rem .55rem;
border-radius:6px;font-size:.85rem;max-width:320px;line-height:1.3;z-index:2}
#tip b{display:block;font-weight:600}#tip span{opacity:.85}
#results{list-style:none;padding:0;margin:.4rem 0;max-height:14rem;overflow:auto}
#results li{padding:.15rem 0;border-bottom:1px solid var(--soft)}
.legend{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:.6rem;margin:.8rem 0}
.legend .group{border-left:4px solid var(--c);padding-left:.5rem}
.legend .topics{display:flex;flex-wrap:wrap;gap:.25rem;margin-top:.3rem}
.legend .topics button{font-size:.8rem;padding:.1rem .45rem}
.swatch{display:inline-block;width:.8em;height:.8em;border-radius:50%;background:var(--c);margin-right:.35em;
vertical-align:baseline}
figure{margin:1.2rem 0}figure img{max-width:100%;height:auto;border:1px solid var(--line);border-radius:8px}
figcaption{color:var(--muted);font-size:.9rem}
.theme{border-top:4px solid var(--c);margin-top:2.4rem;padding-top:.2rem}
.topic{background:var(--soft);border-radius:10px;padding:.9rem 1rem;margin:1rem 0;border-left:5px solid var(--c)}
.keywords{display:flex;flex-wrap:wrap;gap:.3rem;list-style:none;padding:0;margin:0}
.keywords li{background:#fff;border:1px solid var(--line);border-radius:999px;padding:.05rem .55rem;font-size:.9rem}
.score{color:var(--muted);font-size:.78rem;font-variant-numeric:tabular-nums}
ol{padding-left:1.4rem}.representative li{margin:.35rem 0}
.ptitle{font-weight:600;display:block}a.ptitle{color:inherit;text-decoration:none}
a.ptitle:hover{text-decoration:underline}.summary{display:block;color:var(--muted);font-size:.92rem}
.papers li{display:flex;justify-content:space-between;gap:1rem;padding:.15rem 0;border-bottom:1px solid var(--line)}
.papers .ptitle{font-weight:400}.conf{font-variant-numeric:tabular-nums;color:var(--muted);white-space:nowrap}
.named-themes tr th{border-left:5px solid var(--c)}
.named-themes th,.named-themes td{word-break:normal;overflow-wrap:normal}
.named-themes tbody th{min-width:10em}.named-themes td:nth-child(2){min-width:8em}
.named-themes .num{white-space:nowrap;text-align:right}.named-themes td:last-child{overflow-wrap:anywhere}
.reading{background:var(--soft);border-left:4px solid #999;padding:.45rem .7rem;border-radius:6px;margin:.4rem 0 .8rem}
.reading p{margin:0}.reading ul{margin:.3rem 0 0;padding-left:1.2rem;font-size:.9rem;color:var(--muted)}
.flag{background:#eee;border-radius:4px;padding:0 .3rem;font-size:.75rem}
li.found{background:#fff3c4}.sample{background:#fff8e1;border-left:4px solid #E69F00;padding:.45rem .7rem;
border-radius:6px;margin:.4rem 0 .8rem}
details summary{cursor:pointer;margin-top:.8rem;color:var(--accent)}
table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{text-align:left;padding:.3rem .5rem;
border-bottom:1px solid var(--line);vertical-align:top;word-break:break-word}
footer{margin-top:3rem;color:var(--muted);font-size:.9rem}
@media (max-width:600px){body{font-size:15px}main{padding:.6rem .7rem 2rem}h1{font-size:1.45rem}
.papers li{flex-direction:column;gap:0}.topic{padding:.7rem}
.named-themes tbody th,.named-themes td:nth-child(2){min-width:0}}
"""

SCRIPT = r"""
(function(){
"use strict";
var D=JSON.parse(document.getElementById("topics-data").textContent);
var NS="http://www.w3.org/2000/svg",svg=document.getElementById("map"),tip=document.getElementById("tip");
var n=D.x.length,r=Math.max(2.5,Math.min(8,260/Math.sqrt(Math.max(n,1)))),marks=new Array(n);
svg.setAttribute("viewBox","0 0 "+D.width+" "+D.height);
var order=[];for(var i=0;i<n;i++){if(D.outlier[i])order.push(i);}
for(i=0;i<n;i++){if(!D.outlier[i])order.push(i);}
var labels=document.getElementById("map-labels");
order.forEach(function(i){var c=document.createElementNS(NS,"circle");
 c.setAttribute("cx",D.x[i]);c.setAttribute("cy",D.y[i]);c.setAttribute("r",r);c.setAttribute("fill",D.color[i]);
 c.setAttribute("class","pt");c.dataset.i=i;svg.insertBefore(c,labels);marks[i]=c;});
function topicName(i){var t=D.topic[i];return t<0?"no topic":"Topic "+t+": "+D.topics[t].label;}
function showTip(i,evt){var box=svg.parentNode.getBoundingClientRect();tip.textContent="";
 var b=document.createElement("b");b.textContent=D.title[i];var s=document.createElement("span");
 s.textContent=topicName(i)+(D.outlier[i]?" (outlier)":"");tip.appendChild(b);tip.appendChild(s);tip.hidden=false;
 var x=evt.clientX-box.left+12,y=evt.clientY-box.top+12;
 if(x+tip.offsetWidth>box.width)x=Math.max(0,box.width-tip.offsetWidth-4);
 if(y+tip.offsetHeight>box.height)y=Math.max(0,evt.clientY-box.top-tip.offsetHeight-10);
 tip.style.left=x+"px";tip.style.top=y+"px";}
svg.addEventListener("mousemove",function(evt){var t=evt.target;
 if(t.classList&&t.classList.contains("pt")){showTip(+t.dataset.i,evt);}else{tip.hidden=true;}});
svg.addEventListener("mouseleave",function(){tip.hidden=true;});
svg.addEventListener("click",function(evt){var t=evt.target;if(t.classList&&t.classList.contains("pt")){reveal(+t.dataset.i);}});
var state={theme:null,topic:null,query:""},status=document.getElementById("status"),
 results=document.getElementById("results"),search=document.getElementById("search");
function matches(i){if(state.topic!==null&&D.topic[i]!==state.topic)return false;
 if(state.theme!==null&&D.theme[i]!==state.theme)return false;
 if(state.query&&D.title[i].toLowerCase().indexOf(state.query)<0)return false;return true;}
function apply(){var shown=0,hits=[];var any=state.theme!==null||state.topic!==null||state.query;
 for(var i=0;i<n;i++){var on=matches(i);marks[i].classList.toggle("dim",any&&!on);
  marks[i].classList.toggle("hit",!!state.query&&on);if(on){shown++;if(state.query)hits.push(i);}}
 labels.querySelectorAll("[data-topic]").forEach(function(l){
  var off=(state.topic!==null&&+l.dataset.topic!==state.topic)||(state.theme!==null&&+l.dataset.theme!==state.theme);
  l.classList.toggle("dim",off);});
 document.querySelectorAll("[data-filter-theme]").forEach(function(b){
  b.setAttribute("aria-pressed",String(+b.dataset.filterTheme===state.theme));});
 document.querySelectorAll("[data-filter-topic]").forEach(function(b){
  b.setAttribute("aria-pressed",String(+b.dataset.filterTopic===state.topic));});
 status.textContent=any?shown+" of "+n+" papers shown":n+" papers";
 results.textContent="";hits.slice(0,25).forEach(function(i){var li=document.createElement("li"),
  a=document.createElement("a");a.href="#paper-"+i;a.textContent=D.title[i];a.addEventListener("click",function(ev){
  ev.preventDefault();reveal(i);});var s=document.createElement("span");s.className="score";
  s.textContent=" · "+topicName(i);li.appendChild(a);li.appendChild(s);results.appendChild(li);});
 if(state.query&&!hits.length){var li=document.createElement("li");li.textContent="No paper title matches.";
  results.appendChild(li);}}
function target(id){var el=id?document.getElementById(id):null;if(!el)return null;
 for(var p=el.parentNode;p;p=p.parentNode){if(p.tagName==="DETAILS"&&!p.open)p.open=true;}return el;}
function show(el){document.querySelectorAll("li.found").forEach(function(x){x.classList.remove("found");});
 if(el.hasAttribute("data-paper"))el.classList.add("found");el.scrollIntoView({block:"center"});}
function reveal(i){var el=target("paper-"+i);if(!el)return;show(el);
 try{history.replaceState(null,"","#paper-"+i);}catch(err){}}
function fromHash(){var id="";try{id=decodeURIComponent(location.hash.slice(1));}catch(err){return;}
 var el=target(id);if(el)show(el);}
/* a link to a paper inside a closed <details> opens it (before the browser scrolls), on click and on
   any change of the address's #fragment, e.g. a shared link or the back button */
document.addEventListener("click",function(evt){var a=evt.target.closest?evt.target.closest('a[href^="#"]'):null;
 if(!a||evt.defaultPrevented)return;var id="",now="";
 try{id=decodeURIComponent(a.getAttribute("href").slice(1));now=decodeURIComponent(location.hash.slice(1));}catch(err){return;}
 var el=target(id);if(el&&id===now){evt.preventDefault();show(el);}});  /* same #fragment: no hashchange follows */
window.addEventListener("hashchange",fromHash);
if(location.hash)fromHash();
document.querySelectorAll("[data-filter-theme]").forEach(function(b){b.addEventListener("click",function(){
 var h=+b.dataset.filterTheme;state.topic=null;state.theme=state.theme===h?null:h;apply();});});
document.querySelectorAll("[data-filter-topic]").forEach(function(b){b.addEventListener("click",function(){
 var t=+b.dataset.filterTopic;state.theme=null;state.topic=state.topic===t?null:t;apply();});});
document.getElementById("reset").addEventListener("click",function(){state.theme=null;state.topic=null;
 state.query="";search.value="";apply();});
search.addEventListener("input",function(){var q=search.value.trim().toLowerCase();state.query=q;apply();});
apply();
})();
"""


def render(model, content: Content, images: dict[str, tuple[bytes, str]]) -> str:
    """The page; `images` maps plot name -> (PNG bytes, caption)."""
    themes_html = []
    legend = []
    for theme in content.themes:
        color = palette.theme_color(theme.theme)
        topic_colors = palette.topic_colors(model)
        topic_buttons = "".join(
            f'<button type="button" data-filter-topic="{t.topic}" aria-pressed="false" style="--c:{topic_colors[t.topic]}">'
            f'<span class="swatch"></span>{t.topic}: {e(t.label)} ({t.size})</button>' for t in theme.topics)
        legend.append(
            f'<div class="group" style="--c:{color}"><button type="button" data-filter-theme="{theme.theme}" '
            f'aria-pressed="false"><span class="swatch"></span>Theme {theme.theme}: {e(theme.label)} '
            f'({theme.size})</button><div class="topics">{topic_buttons}</div></div>')
        topics_html = "".join(_topic(t, topic_colors[t.topic]) for t in theme.topics)
        themes_html.append(f"""
<section class="theme" id="theme-{theme.theme}" style="--c:{color}">
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
    named_themes = _named_themes(content.named_themes, images) if content.named_themes else ""
    named_nav = '<a href="#named-themes">Theme overview</a>' if content.named_themes else ""
    figures = "".join(
        f'<figure id="plot-{e(name)}"><img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" '
        f'alt="{e(caption)}"><figcaption>{e(caption)}</figcaption></figure>'
        for name, (png, caption) in images.items() if not (content.named_themes and name == NAMED_THEMES_PLOT))
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
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="topics">
<title>Topics in {e(content.name)}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<header>
  <h1>Topics in {e(content.name)}</h1>
  <p class="sub">{plural(content.n_documents, 'paper')} grouped into {plural(content.n_topics, 'topic')} and {plural(content.n_themes, 'theme')}.</p>{reading}{sample}
  <div class="cards">{cards}</div>
  <nav>{named_nav}<a href="#map-section">Map</a><a href="#plots">Plots</a><a href="#themes">Themes and topics</a>
  <a href="#settings">Settings</a><a href="report.md">Markdown</a><a href="documents.csv">documents.csv</a>
  <a href="topics.csv">topics.csv</a><a href="run.json">run.json</a></nav>
</header>
<section id="map-section">
  <h2>Map of the papers</h2>
  <p class="meta">Each dot is a paper; nearby papers use similar words. Hover for the title, click a dot to jump to
  it, click a theme or topic below to show only its papers.</p>
  <div class="tools"><input id="search" type="search" placeholder="Find a paper by its title" aria-label="Find a paper">
  <button type="button" id="reset">Show all</button><span id="status" aria-live="polite"></span></div>
  <ul id="results"></ul>
  <div class="mapbox"><svg id="map" role="img" aria-label="Map of the papers" viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}">{_svg_labels(map_labels(model))}</svg><div id="tip" hidden></div></div>
  <div class="legend">{''.join(legend)}</div>
</section>
{named_themes}
<section id="plots"><h2>Plots</h2>{figures}</section>
<div id="themes">{''.join(themes_html)}</div>
<section id="settings"><h2>Settings</h2><table>{settings}</table>{metrics}{notes}</section>
<footer>Made with topics {e(_version())}. Data: <a href="documents.csv">documents.csv</a>,
<a href="topics.csv">topics.csv</a>, <a href="run.json">run.json</a>, the model in <code>model/</code>.</footer>
</main>
<script type="application/json" id="topics-data">{safe_json(map_data(model, content))}</script>
<script>{SCRIPT}</script>
</body>
</html>
"""


def _version() -> str:
    from topics import __version__

    return __version__
