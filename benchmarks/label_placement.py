"""The map's label placement (`topics.plots.labels.place_labels`) against adjustText (issue 22, 3).

    pip install adjustText
    python benchmarks/label_placement.py --markdown

For each corpus, `topics.TopicModel(progress=False).fit` (TF-IDF features, default seed), then the map as
the report draws it (`topics.plots.map.plot_map` without labels), and the topic labels (the report's text,
colour, size and halo, largest topic first, anchored at `topic_anchors`) placed on it twice: by ours, and
by ``adjust_text`` with its defaults (given the papers' positions to avoid, and leader lines). Measured on
the drawn figure, in display pixels: pairs of labels whose boxes overlap, labels reaching outside the map's
axes, papers under a label, median distance from a label's centre to its anchor, the time to place
(measuring the text included), and whether a second run gives the same positions. datamapplot is not
measured: its labels go around the map's edge with arrows in its own figure (another design, not a drop-in
for a placement on our figure), and it brings datashader, bokeh and dask with it.
Corpora: the 58 sample papers, BBC News (2,225), 3,000 AI-conference papers (seed 0).
Raw results: benchmarks/results/label_placement.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import matplotlib
from _doc import run_record, write_section

matplotlib.use("Agg")
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("TOPICS_SHARED_DATA", ROOT.parent / "shared" / "data"))
OUT = ROOT / "benchmarks" / "results" / "label_placement.json"
COMMAND = "python benchmarks/label_placement.py --markdown"

import topics  # noqa: E402
from topics import TopicsWarning  # noqa: E402
from topics.plots import palette  # noqa: E402
from topics.plots._figure import wrap_label  # noqa: E402
from topics.plots.labels import Label, place_labels  # noqa: E402
from topics.plots.map import plot_map, topic_anchors  # noqa: E402


def corpora() -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TopicsWarning)
        return {"sample papers": topics.datasets.load_sample_papers(),
                "bbc-news": topics.read_corpus(DATA / "bbc-news.csv.gz"),
                "ai-conference (3,000)": topics.read_corpus(DATA / "ai-conference-papers.csv.gz")
                .sample(3000, random_state=0)}


def labels_of(model) -> list[Label]:
    """The labels as `plot_map` makes them."""
    anchors, colors = topic_anchors(model), palette.topic_colors(model)
    many = model.n_topics_ > 30
    order = np.argsort(-np.asarray(model.topic_sizes_), kind="stable")
    return [Label(anchors[t, 0], anchors[t, 1], wrap_label(model.topic_labels_[t], 22),
                  palette.shade(colors[t], 0.1), 7.5 if many else 8.5) for t in order]


def place_adjusttext(ax, labels: list[Label], xy: np.ndarray) -> list:
    from adjustText import adjust_text
    from matplotlib import patheffects

    effects = [patheffects.withStroke(linewidth=3, foreground="white")]
    texts = [ax.text(label.x, label.y, label.text, ha="center", va="center", fontsize=label.size,
                     color=label.color, fontweight="bold", zorder=5, path_effects=effects, linespacing=1.05)
             for label in labels]
    adjust_text(texts, x=xy[:, 0], y=xy[:, 1], ax=ax, arrowprops={"arrowstyle": "-", "lw": 0.8})
    return texts


def measure(model, placer) -> dict:
    """Place the labels on a fresh map with `placer`; what the drawn figure shows."""
    figure = plot_map(model, label_topics=False)
    ax = figure.axes[0]
    xy = np.asarray(model.map_, dtype=float)
    labels = labels_of(model)
    figure.canvas.draw()
    started = time.perf_counter()
    texts = placer(ax, labels, xy)
    seconds = time.perf_counter() - started
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    boxes = [text.get_window_extent(renderer) for text in texts]
    frame = ax.get_window_extent(renderer)
    points = ax.transData.transform(xy)
    anchors = ax.transData.transform([(label.x, label.y) for label in labels])
    overlaps = sum(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    outside = sum(b.x0 < frame.x0 or b.x1 > frame.x1 or b.y0 < frame.y0 or b.y1 > frame.y1 for b in boxes)
    covered = sum(int(((points[:, 0] >= b.x0) & (points[:, 0] <= b.x1) & (points[:, 1] >= b.y0)
                       & (points[:, 1] <= b.y1)).sum()) for b in boxes)
    distance = [float(np.hypot((b.x0 + b.x1) / 2 - a[0], (b.y0 + b.y1) / 2 - a[1]))
                for a, b in zip(anchors, boxes, strict=True)]
    positions = [tuple(np.round([b.x0, b.y0], 2)) for b in boxes]
    import matplotlib.pyplot as plt

    plt.close(figure)
    return {"labels": len(texts), "overlapping_pairs": int(overlaps), "outside_map": int(outside),
            "papers_under_labels": covered, "median_distance_px": round(float(np.median(distance)), 1),
            "seconds": round(seconds, 3), "positions": positions}


def run() -> dict:
    results = {}
    for name, corpus in corpora().items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = topics.TopicModel(progress=False).fit(corpus)
        row = {"papers": len(corpus), "topics": int(model.n_topics_)}
        for label, placer in (("ours", lambda ax, labels, xy: place_labels(ax, labels, xy)),
                              ("adjustText", place_adjusttext)):
            first, second = measure(model, placer), measure(model, placer)
            first["deterministic"] = first.pop("positions") == second.pop("positions")
            first["seconds"] = min(first["seconds"], second["seconds"])
            row[label] = first
        results[name] = row
    return results


def markdown(summary: dict) -> str:
    lines = [f"`{summary['command']}` ({summary['machine']}, {summary['date']}; adjustText "
             f"{summary['versions']['adjustText']}, matplotlib {summary['versions']['matplotlib']})", "",
             "| map (papers, topic labels) | placer | overlapping label pairs | labels outside the map | "
             "papers under labels | median distance to anchor (px) | time (s) | same twice |",
             "|---|---|---:|---:|---:|---:|---:|---|"]
    for name, row in summary["results"].items():
        for placer in ("ours", "adjustText"):
            r = row[placer]
            lines.append(f"| {name} ({row['papers']:,}, {r['labels']}) | {placer} | "
                         f"{r['overlapping_pairs']} | {r['outside_map']} | {r['papers_under_labels']} | "
                         f"{r['median_distance_px']:.0f} | "
                         f"{r['seconds']:.2f} | {'yes' if r['deterministic'] else 'no'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--markdown", action="store_true", help="print the table for docs/benchmarks.md")
    args = parser.parse_args(argv)
    summary = {**run_record(COMMAND, ("adjustText", "matplotlib")), "results": run()}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    print(markdown(summary) if args.markdown else json.dumps(summary["results"], indent=1))
    if args.markdown:
        title = "## Map labels: our placement against adjustText"
        write_section("label_placement.py", f"{title}\n\n{markdown(summary)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
