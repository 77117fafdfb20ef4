"""Placing text labels on a scatter plot so that they overlap neither each other nor the plot edge.

Greedy, largest topic first: each label tries positions on rings of growing radius around its anchor,
measured with the renderer (real text extents, not guesses); a position is allowed when its box,
padded, touches no label placed before and stays inside the axes; among the allowed positions of the
nearest ring the one covering the fewest points wins. A label that had to move away from its anchor
gets a thin leader line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib import patheffects


@dataclass
class Label:
    x: float
    y: float
    text: str
    color: str = "#222222"
    size: float = 9.0


def _overlaps(box, boxes, pad: float) -> bool:
    x0, y0, x1, y1 = box
    for a0, b0, a1, b1 in boxes:
        if x0 < a1 + pad and x1 > a0 - pad and y0 < b1 + pad and y1 > b0 - pad:
            return True
    return False


def _covered(box, points: np.ndarray) -> int:
    if len(points) == 0:
        return 0
    x0, y0, x1, y1 = box
    inside = (points[:, 0] >= x0) & (points[:, 0] <= x1) & (points[:, 1] >= y0) & (points[:, 1] <= y1)
    return int(inside.sum())


def place_labels(ax, labels: list[Label], points: np.ndarray | None = None, *, pad: float = 3.0,
                 halo: str = "white", max_rings: int = 40) -> list:
    """Draw `labels` on `ax` without overlaps; returns the Text artists (in the order given).

    Set the axes limits before calling: positions are computed in display space.
    """
    figure = ax.figure
    renderer = figure.canvas.get_renderer()
    to_display = ax.transData.transform
    to_data = ax.transData.inverted().transform
    frame = ax.get_window_extent(renderer)
    shown = np.asarray(to_display(points)) if points is not None and len(points) else np.zeros((0, 2))
    placed_boxes: list[tuple[float, float, float, float]] = []
    artists = []
    effects = [patheffects.withStroke(linewidth=3, foreground=halo)]
    for label in labels:
        text = ax.text(label.x, label.y, label.text, ha="center", va="center", fontsize=label.size,
                       color=label.color, fontweight="bold", zorder=5, path_effects=effects,
                       linespacing=1.05)
        extent = text.get_window_extent(renderer)
        width, height = extent.width, extent.height
        ax_display = to_display((label.x, label.y))
        best = None
        fallback = None
        step = max(height * 0.6, 6.0)
        candidates = []
        first_free = None
        for ring in range(max_rings):
            if first_free is not None and ring > first_free + 3:
                break
            radius = ring * step
            n_angles = 1 if ring == 0 else 8 + 4 * min(ring, 6)
            for k in range(n_angles):
                angle = 2 * math.pi * k / n_angles + math.pi / 2
                cx = ax_display[0] + radius * math.cos(angle) * 1.4
                cy = ax_display[1] + radius * math.sin(angle)
                box = (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)
                inside = (box[0] >= frame.x0 + 2 and box[2] <= frame.x1 - 2
                          and box[1] >= frame.y0 + 2 and box[3] <= frame.y1 - 2)
                if not inside:
                    continue
                if fallback is None:
                    fallback = (cx, cy, box)
                if _overlaps(box, placed_boxes, pad):
                    continue
                if first_free is None:
                    first_free = ring
                # covering a point costs as much as moving two rings further out
                candidates.append((2 * _covered(box, shown) + ring, ring, k, cx, cy, box))
        if candidates:
            candidates.sort(key=lambda c: c[:3])
            best = candidates[0][3:]
        if best is None:  # nowhere free: keep it inside the axes at least
            best = fallback or (ax_display[0], ax_display[1], (
                ax_display[0] - width / 2, ax_display[1] - height / 2,
                ax_display[0] + width / 2, ax_display[1] + height / 2))
        cx, cy, box = best
        text.set_position(tuple(to_data((cx, cy))))
        placed_boxes.append(box)
        distance = math.hypot(cx - ax_display[0], cy - ax_display[1])
        if distance > max(width, height) * 0.6:
            # leader line from the anchor to the nearest point of the label's box
            nx = min(max(ax_display[0], box[0]), box[2])
            ny = min(max(ax_display[1], box[1]), box[3])
            (x0, y0), (x1, y1) = to_data(ax_display), to_data((nx, ny))
            ax.plot([x0, x1], [y0, y1], color=label.color, linewidth=0.8, alpha=0.8, zorder=4)
        artists.append(text)
    return artists
