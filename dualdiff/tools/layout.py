"""A small pure-Python drawing of a graph as SVG, for notebooks and machines without Graphviz.

Boxes are placed in columns, left to right (a box's column is the longest path to it from a
source); an arrow that skips columns passes through each of them at a point of its own, so it
goes around the boxes, not through them. Within a column, boxes are ordered by where their
neighbours are (a few sweeps of the barycentre rule), which keeps most arrows from crossing.
It needs nothing but the standard library; `dualdiff.tools.graph` prefers Graphviz's ``dot`` when
it is installed.

>>> from xml.etree import ElementTree
>>> picture = draw([Box("x", "x = 0", "dz/dx = 1", "input"), Box("sin", "z = 0", "dz/dz = 1"), Box("", kind="end")],
...                [Arrow(0, 1), Arrow(1, 2)], "z = sin(x)")
>>> [t.text for t in ElementTree.fromstring(picture).iter("{http://www.w3.org/2000/svg}text")]
['z = sin(x)', 'x', 'x = 0', 'dz/dx = 1', 'sin', 'z = 0', 'dz/dz = 1']
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

MAX_BOXES = 150  # beyond this a drawing is unreadable: draw a note saying what to do instead
CHAR, LINE = 7.2, 15  # a 12px monospace character's width, and a line's height, in pixels
PAD, ROW_GAP, COL_GAP, PORT = 10, 26, 50, 18
RED = "#c00000"


@dataclass
class Box:
    """One node: ``label`` in bold (the operation, or an input's name), then its ``value`` and its
    ``grad`` (in red) when given. ``kind`` is "input", "constant", "op" or "end" (a dot where an
    output leaves)."""

    label: str
    value: str = ""
    grad: str = ""
    kind: str = "op"


@dataclass
class Arrow:
    """An edge from box ``src`` to box ``dst`` (indices), with an optional ``label`` drawn in red
    where it leaves ``src`` (the share of the gradient flowing back along this edge)."""

    src: int
    dst: int
    label: str = ""


def layers(n: int, arrows: list[Arrow], sources_left: set[int]) -> list[int]:
    """Each box's column: the longest path to it. A source that is not in ``sources_left`` (a
    constant) moves right, to just before the first box that uses it.

    >>> layers(4, [Arrow(0, 2), Arrow(2, 3), Arrow(1, 3)], {0})
    [0, 1, 1, 2]
    """
    into: list[list[int]] = [[] for _ in range(n)]
    out: list[list[int]] = [[] for _ in range(n)]
    for a in arrows:
        into[a.dst].append(a.src)
        out[a.src].append(a.dst)
    layer = [0] * n
    for i in _order(n, into):
        layer[i] = 1 + max((layer[s] for s in into[i]), default=-1)
    for i in range(n):
        if not into[i] and out[i] and i not in sources_left:
            layer[i] = max(0, min(layer[d] for d in out[i]) - 1)
    return layer


def _order(n: int, into: list[list[int]]) -> list[int]:
    """The boxes, each after all the boxes that feed it (Kahn's algorithm; a cycle keeps list order)."""
    waiting = [len(set(s)) for s in into]
    users: list[set[int]] = [set() for _ in range(n)]
    for i, srcs in enumerate(into):
        for s in set(srcs):
            users[s].add(i)
    ready = [i for i in range(n) if waiting[i] == 0]
    done: list[int] = []
    while ready:
        i = ready.pop(0)
        done.append(i)
        for u in sorted(users[i]):
            waiting[u] -= 1
            if waiting[u] == 0:
                ready.append(u)
    seen = set(done)
    return done + [i for i in range(n) if i not in seen]


def draw(boxes: list[Box], arrows: list[Arrow], title: str = "", max_boxes: int = MAX_BOXES) -> str:
    """The SVG text of the boxes and arrows, laid out left to right (see the module's docstring).

    More than ``max_boxes`` boxes draw a note instead: a picture that size is unreadable.

    >>> "200 nodes are too many" in draw([Box("x")] * 200, [])
    True
    """
    if len(boxes) > max_boxes:
        return _note(title, f"{len(boxes)} nodes are too many to draw readably (the limit is {max_boxes}): "
                            "print g.text(), or save g.dot() and render it with Graphviz")
    n = len(boxes)
    col = layers(n, arrows, {i for i, b in enumerate(boxes) if b.kind == "input"})
    # an arrow skipping columns gets a waypoint (ids n, n+1, ...) in each column it crosses
    paths: list[list[int]] = []
    for a in arrows:
        path = [a.src]
        for between in range(col[a.src] + 1, col[a.dst]):
            col.append(between)
            path.append(len(col) - 1)
        paths.append(path + [a.dst])
    ncols = max(col, default=-1) + 1
    columns: list[list[int]] = [[] for _ in range(ncols)]
    for i, at in enumerate(col):
        columns[at].append(i)
    left: list[list[int]] = [[] for _ in col]
    right: list[list[int]] = [[] for _ in col]
    for path in paths:
        for u, v in zip(path[:-1], path[1:], strict=True):
            right[u].append(v)
            left[v].append(u)
    rank = {i: float(k) for c in columns for k, i in enumerate(c)}
    for sweep in range(4):  # barycentre sweeps, left to right then back
        for c in columns if sweep % 2 == 0 else columns[::-1]:
            near = left if sweep % 2 == 0 else right
            c.sort(key=lambda i: sum(rank[j] for j in near[i]) / len(near[i]) if near[i] else rank[i])
            rank.update({i: float(k) for k, i in enumerate(c)})
    size = [_size(b, max(len(left[i]), len(right[i]))) for i, b in enumerate(boxes)] + [(0.0, 2.0)] * (len(col) - n)
    widths = [max(size[i][0] for i in c) for c in columns]
    gaps = [max([COL_GAP] + [CHAR * len(a.label) + 2 * PAD + 20 for a in arrows if col[a.src] == k]) for k in range(ncols)]
    heights = [sum(size[i][1] + (ROW_GAP if i < n else ROW_GAP / 2) for i in c) for c in columns]
    total_h = max(heights, default=0.0)
    top = PAD + (2 * LINE if title else 0)
    pos: list[tuple[float, float]] = [(0.0, 0.0)] * len(col)
    x = float(PAD)
    for k, c in enumerate(columns):
        y = top + (total_h - heights[k]) / 2
        for i in c:
            y += (ROW_GAP if i < n else ROW_GAP / 2) / 2
            pos[i] = (x + (widths[k] - size[i][0]) / 2, y)
            y += size[i][1] + (ROW_GAP if i < n else ROW_GAP / 2) / 2
        x += widths[k] + gaps[k]
    width = max(x - (gaps[-1] if gaps else 0) + PAD, CHAR * len(title) + 2 * PAD)
    parts = [_head(width, top + total_h + PAD)]
    if title:
        parts.append(_text(PAD, PAD + LINE, title, 'font-weight="bold"'))
    parts += [_box(b, *pos[i], *size[i]) for i, b in enumerate(boxes)]
    # ports: where the arrows leave and enter a box, spread along its side in the order of their other ends
    port: dict[tuple[int, int, str], float] = {}
    for i in range(n):
        for side, ends in (("out", right[i]), ("in", left[i])):
            order = sorted(range(len(ends)), key=lambda k: (rank[ends[k]], k))
            for slot, k in enumerate(order):
                port[(i, k, side)] = pos[i][1] + size[i][1] * (slot + 1) / (len(ends) + 1)
    used = {(i, side): 0 for i in range(n) for side in ("in", "out")}
    for a, path in zip(arrows, paths, strict=True):
        y_out = port[(a.src, used[(a.src, "out")], "out")]
        y_in = port[(a.dst, used[(a.dst, "in")], "in")]
        used[(a.src, "out")] += 1
        used[(a.dst, "in")] += 1
        points = [(pos[a.src][0] + size[a.src][0], y_out)]
        for w in path[1:-1]:
            k = col[w]
            left_x = sum(widths[:k]) + sum(gaps[:k]) + PAD
            points += [(left_x, pos[w][1] + 1), (left_x + widths[k], pos[w][1] + 1)]
        points.append((pos[a.dst][0], y_in))
        parts.append(_arrow(points, a.label))
    return "\n".join(parts + ["</svg>"])


def _size(b: Box, ports: int) -> tuple[float, float]:
    if b.kind == "end":
        return 8.0, 8.0
    lines = [s for s in (b.label, b.value, b.grad) if s]
    return max(CHAR * max(map(len, lines), default=1) + 2 * PAD, 40.0), max(len(lines) * LINE + PAD, PORT * (ports + 1))


def _head(w: float, h: float) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" viewBox="0 0 {w:.0f} {h:.0f}" '
            'font-family="monospace" font-size="12">\n'
            '<defs><marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
            'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="black"/></marker></defs>')


def _text(x: float, y: float, s: str, extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" {extra}>{escape(s)}</text>'


def _box(b: Box, x: float, y: float, w: float, h: float) -> str:
    if b.kind == "end":
        return f'<circle cx="{x + 4:.1f}" cy="{y + 4:.1f}" r="3" fill="black"/>'
    fill, stroke = {"input": ("#e8f0fe", "#1a56b0"), "constant": ("#f4f4f4", "#999999")}.get(b.kind, ("white", "black"))
    out = [f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="6" fill="{fill}" stroke="{stroke}"/>']
    lines = [(s, style) for s, style in ((b.label, 'font-weight="bold"'), (b.value, ""), (b.grad, f'fill="{RED}"')) if s]
    first = y + h / 2 - LINE * (len(lines) - 1) / 2 + 4
    out += [_text(x + w / 2, first + LINE * k, s, f'text-anchor="middle" {style}'.rstrip()) for k, (s, style) in enumerate(lines)]
    return "\n".join(out)


def _arrow(points: list[tuple[float, float]], label: str) -> str:
    """A path through ``points``: curves across the gaps between columns, straight through a column."""
    (x0, y0), d = points[0], [f"M{points[0][0]:.1f},{points[0][1]:.1f}"]
    for k, (x1, y1) in enumerate(points[1:]):
        if k % 2 == 0:  # a gap between columns
            bend = (x1 - x0) / 2
            d.append(f"C{x0 + bend:.1f},{y0:.1f} {x1 - bend:.1f},{y1:.1f} {x1:.1f},{y1:.1f}")
        else:
            d.append(f"L{x1:.1f},{y1:.1f}")
        x0, y0 = x1, y1
    out = [f'<path d="{" ".join(d)}" fill="none" stroke="black" marker-end="url(#head)"/>']
    if label:
        out.append(_text(points[0][0] + 4, points[0][1] - 3, label, f'fill="{RED}"'))
    return "\n".join(out)


def _note(title: str, message: str) -> str:
    w = CHAR * max(len(title), len(message)) + 2 * PAD
    lines = [title, message] if title else [message]
    body = [_text(PAD, PAD + LINE * (k + 1), s) for k, s in enumerate(lines)]
    return "\n".join([_head(w, 2 * PAD + LINE * len(lines) + 4), *body, "</svg>"])
