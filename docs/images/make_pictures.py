"""Draw the documentation's pictures of the chain rule as SVG files: ``python docs/images/make_pictures.py``.

Every number in them is computed here by dualdiff (the tape for gradients, Duals for tangents,
``derivative`` for each edge's local derivative), none is typed in; tests/test_site.py checks that
the committed files are what this script draws now. The pictures:

- ``apple.svg``: the book's apple purchase (2 apples at 100 yen, tax 1.1) as a graph, with the value
  of each edge forward, its gradient backward and its local derivative;
- ``node-rules.svg``: what an add node and a multiply node do to the gradient on the way back;
- ``forward-reverse.svg``: forward mode's tangents flowing left to right beside reverse mode's
  gradients flowing right to left, on the same graph.

>>> svg = pictures()["apple.svg"]
>>> all(f">{n}<" in svg for n in ("100", "200", "220", "2.2", "110", "1.1"))
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from dualdiff import Dual, Var, derivative, vjp

HERE = Path(__file__).resolve().parent
INK, GRAD, LOCAL, TANGENT, MUTED = "#222222", "#c62828", "#1565c0", "#2e7d32", "#666666"
RADIUS = 22  # of an operation's circle


def num(v: float) -> str:
    """A number as a picture shows it: 6 significant digits, no trailing zeros (220.00000000000003 is 220)."""
    return f"{float(v):.6g}"


@dataclass
class Edge:
    """An arrow from (x1, y1) to (x2, y2) with its labels: ``value`` beside it, ``back`` (the gradient,
    or a tangent) on the other side with an arrow of its own, and ``local`` in a pill on the edge."""

    x1: float
    y1: float
    x2: float
    y2: float
    value: str = ""
    back: str = ""
    local: str = ""
    back_color: str = GRAD
    back_forward: bool = False  # the second arrow points along the edge (a tangent), not against it (a gradient)


class Picture:
    """A small SVG canvas: text, operation nodes and labelled edges."""

    def __init__(self, width: int, height: int, title: str) -> None:
        self.width, self.height = width, height
        self.parts = [f"<title>{title}</title>", f'<rect width="{width}" height="{height}" fill="#ffffff"/>']

    def text(self, x: float, y: float, s: str, color: str = INK, anchor: str = "middle", size: int = 14, weight: str = "normal") -> None:
        self.parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" fill="{color}" font-size="{size}" font-weight="{weight}" '
            f'text-anchor="{anchor}" dominant-baseline="middle">{s}</text>'
        )

    def node(self, x: float, y: float, op: str) -> None:
        self.parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{RADIUS}" fill="#fff8e1" stroke="{INK}" stroke-width="1.5"/>')
        self.text(x, y + 1, op, size=18)

    def arrow(self, x1: float, y1: float, x2: float, y2: float, color: str, dashed: bool = False) -> None:
        dash = ' stroke-dasharray="5 3"' if dashed else ""
        self.parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{color}" stroke-width="1.5"{dash}/>'
        )
        ux, uy = _unit(x1, y1, x2, y2)
        left = (x2 - 9 * ux + 4.5 * uy, y2 - 9 * uy - 4.5 * ux)
        right = (x2 - 9 * ux - 4.5 * uy, y2 - 9 * uy + 4.5 * ux)
        self.parts.append(
            f'<polygon points="{x2:.1f},{y2:.1f} {left[0]:.1f},{left[1]:.1f} {right[0]:.1f},{right[1]:.1f}" fill="{color}"/>'
        )

    def edge(self, e: Edge) -> None:
        """The edge, its value on the left of its direction, the second arrow and its label on the right."""
        self.arrow(e.x1, e.y1, e.x2, e.y2, INK)
        ux, uy = _unit(e.x1, e.y1, e.x2, e.y2)
        nx, ny = -uy, ux  # the right-hand side of the direction (SVG's y points down): below a rightward edge
        mx, my = (e.x1 + e.x2) / 2, (e.y1 + e.y2) / 2
        vertical = abs(ux) < 0.5
        if e.value:
            self._beside(mx - 14 * nx, my - 14 * ny, e.value, INK, -nx, vertical)
        if e.back:
            ox, oy = 12 * nx, 12 * ny  # the second arrow runs beside the edge
            a = (e.x1 + 0.2 * (e.x2 - e.x1) + ox, e.y1 + 0.2 * (e.y2 - e.y1) + oy)
            b = (e.x1 + 0.8 * (e.x2 - e.x1) + ox, e.y1 + 0.8 * (e.y2 - e.y1) + oy)
            start, end = (a, b) if e.back_forward else (b, a)
            self.arrow(*start, *end, e.back_color, dashed=True)
            self._beside(mx + 28 * nx, my + 28 * ny, e.back, e.back_color, nx, vertical)
        if e.local:
            w = 8 + 7.2 * len(e.local)
            px, py = (mx + e.x2) / 2 - 6 * ux, (my + e.y2) / 2 - 6 * uy  # nearer the node the derivative belongs to
            self.parts.append(
                f'<rect x="{px - w / 2:.1f}" y="{py - 10:.1f}" width="{w:.1f}" height="20" rx="10" '
                f'fill="#e3f2fd" stroke="{LOCAL}" stroke-width="1"/>'
            )
            self.text(px, py + 1, e.local, LOCAL, size=12)

    def _beside(self, x: float, y: float, s: str, color: str, side: float, vertical: bool) -> None:
        if vertical:  # a vertical edge: the label to its left or right, anchored away from it
            self.text(x, y, s, color, anchor="start" if side > 0 else "end")
        else:
            self.text(x, y, s, color)

    def svg(self) -> str:
        body = "\n".join("  " + p for p in self.parts)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{self.height}" '
            f'viewBox="0 0 {self.width} {self.height}" font-family="Helvetica, Arial, sans-serif">\n{body}\n</svg>\n'
        )


def _unit(x1: float, y1: float, x2: float, y2: float) -> tuple[float, float]:
    d = math.hypot(x2 - x1, y2 - y1)
    return (x2 - x1) / d, (y2 - y1) / d


# the apple purchase: price per apple, number of apples, tax
PRICE, COUNT, TAX = 100.0, 2.0, 1.1
# where its nodes stand: the two multiplications on one line, the second inputs coming up from below
ROW, A, B, IN_X, OUT_X, LOW = 70, 300, 560, 60, 720, 220


def apple_numbers() -> dict[str, float]:
    """The apple graph's numbers, by dualdiff: values and gradients from one backward sweep of the tape,
    each edge's local derivative (d output / d input at its node) by ``derivative``.

    >>> n = apple_numbers()
    >>> n["total"], n["d_price"], n["d_count"], n["d_tax"]
    (220.00000000000003, 2.2, 110.00000000000001, 200.0)
    """
    price, count, tax = Var(PRICE, name="price"), Var(COUNT, name="count"), Var(TAX, name="tax")
    subtotal = price * count
    total = subtotal * tax
    total.backward()
    return {
        "price": price.value, "count": count.value, "tax": tax.value, "subtotal": subtotal.value, "total": total.value,
        "d_price": price.grad, "d_count": count.grad, "d_tax": tax.grad, "d_subtotal": subtotal.grad, "d_total": total.grad,
        # the local derivatives: of a product, with respect to one factor, the other factor's value
        "l_price": derivative(lambda p: p * count.value, price.value),
        "l_count": derivative(lambda c: price.value * c, count.value),
        "l_subtotal": derivative(lambda s: s * tax.value, subtotal.value),
        "l_tax": derivative(lambda t: subtotal.value * t, tax.value),
    }


def apple_tangents() -> dict[str, float]:
    """Forward mode on the same graph: the price moves at speed 1, the count and the tax hold still.

    >>> t = apple_tangents()
    >>> t["price"], t["subtotal"], t["total"]
    (1.0, 2.0, 2.2)
    """
    price, count, tax = Dual(PRICE, 1.0), Dual(COUNT, 0.0), Dual(TAX, 0.0)
    subtotal = price * count
    total = subtotal * tax
    return {"price": price.derivative, "count": count.derivative, "tax": tax.derivative,
            "subtotal": subtotal.derivative, "total": total.derivative}


def _apple_frame(p: Picture, top: float) -> None:
    """The apple graph's nodes and the names of its inputs and output, with its top at ``top``."""
    p.node(A, top + ROW, "×")
    p.node(B, top + ROW, "×")
    p.text(IN_X - 10, top + ROW - 24, "price of an apple", MUTED, anchor="start", size=12)
    p.text(A, top + LOW + 16, "number of apples", MUTED, size=12)
    p.text(B, top + LOW + 16, "tax", MUTED, size=12)
    p.text(OUT_X + 8, top + ROW - 24, "total", MUTED, anchor="end", size=12)


def _apple_edges(top: float, value: dict[str, str], back: dict[str, str], local: dict[str, str], color: str, forward: bool) -> list[Edge]:
    y = top + ROW

    def e(name: str, x1: float, y1: float, x2: float, y2: float) -> Edge:
        return Edge(x1, y1, x2, y2, value.get(name, ""), back.get(name, ""), local.get(name, ""), color, forward)

    return [
        e("price", IN_X, y, A - RADIUS, y),
        e("count", A, top + LOW, A, y + RADIUS),
        e("subtotal", A + RADIUS, y, B - RADIUS, y),
        e("tax", B, top + LOW, B, y + RADIUS),
        e("total", B + RADIUS, y, OUT_X, y),
    ]


def apple_svg() -> str:
    n = apple_numbers()
    p = Picture(780, 350, "The apple purchase: values forward, gradients backward, a local derivative on each edge")
    _apple_frame(p, 0)
    names = ("price", "count", "subtotal", "tax", "total")
    value = {k: num(n[k]) for k in names}
    back = {k: num(n["d_" + k]) for k in names}
    local = {k: "∂ " + num(n["l_" + k]) for k in names if "l_" + k in n}
    for edge in _apple_edges(0, value, back, local, GRAD, False):
        p.edge(edge)
    y = 290
    p.text(20, y, "black: the value, forward", INK, anchor="start", size=12)
    p.text(20, y + 20, "red: the gradient of the total, backward (one sweep gives all of them)", GRAD, anchor="start", size=12)
    p.text(20, y + 40, "blue ∂: the edge's local derivative; the gradient on an edge is the gradient after its node times ∂",
           LOCAL, anchor="start", size=12)
    return p.svg()


def node_rules_svg() -> str:
    """The add and multiply nodes at x = 3, y = 4, with the gradient g = 1.5 coming back from further on."""
    x, y, g = 3.0, 4.0, 1.5
    p = Picture(800, 250, "Backward through an add node and a multiply node")
    for left, op, f, locals_, title in (
        (0, "+", lambda v: v[0] + v[1], ("∂ 1", "∂ 1"), "add: the gradient passes on unchanged"),
        (410, "×", lambda v: v[0] * v[1], ("∂ y", "∂ x"), "multiply: each input gets g times the other one"),
    ):
        z, (gx, gy) = vjp(f, [x, y], g)
        cx, cy = left + 230, 120
        p.text(left + 20, 24, title, INK, anchor="start", size=13, weight="bold")
        p.node(cx, cy, op)
        sym = ("g", "g") if op == "+" else ("g·y", "g·x")
        p.edge(Edge(left + 40, cy - 60, cx - RADIUS * 0.8, cy - RADIUS * 0.6, f"x = {num(x)}", f"{sym[0]} = {num(gx)}", locals_[0]))
        p.edge(Edge(left + 40, cy + 60, cx - RADIUS * 0.8, cy + RADIUS * 0.6, f"y = {num(y)}", f"{sym[1]} = {num(gy)}", locals_[1]))
        p.edge(Edge(cx + RADIUS, cy, left + 360, cy, f"z = {num(z)}", f"g = {num(g)}"))
    p.text(20, 225, "black: values forward; red: gradients backward, g = dL/dz arriving from the rest of the graph; "
           "blue ∂: the local derivative", MUTED, anchor="start", size=12)
    return p.svg()


def forward_reverse_svg() -> str:
    n, t = apple_numbers(), apple_tangents()
    names = ("price", "count", "subtotal", "tax", "total")
    values = {k: num(n[k]) for k in names}
    p = Picture(780, 620, "Forward mode's tangents left to right beside reverse mode's gradients right to left")
    for top, title, back, color, forward, result in (
        (40, "forward mode: the price moves at speed 1, the tangents flow left to right with the values",
         {k: "speed " + num(t[k]) for k in names}, TANGENT, True,
         f"one pass gives d total / d price = {num(t['total'])}; the number of apples and the tax need a pass each"),
        (340, "reverse mode: the total's gradient 1 flows right to left, after the values are recorded",
         {k: num(n["d_" + k]) for k in names}, GRAD, False,
         f"one sweep gives d total / d (price, number, tax) = {num(n['d_price'])}, {num(n['d_count'])}, {num(n['d_tax'])}"),
    ):
        p.text(20, top, title, color, anchor="start", size=13, weight="bold")
        _apple_frame(p, top)
        for edge in _apple_edges(top, values, back, {}, color, forward):
            p.edge(edge)
        p.text(20, top + LOW + 44, result, color, anchor="start", size=12)
    return p.svg()


def pictures() -> dict[str, str]:
    """File name -> SVG text, for every picture this script draws."""
    return {"apple.svg": apple_svg(), "node-rules.svg": node_rules_svg(), "forward-reverse.svg": forward_reverse_svg()}


if __name__ == "__main__":
    for name, svg in pictures().items():
        (HERE / name).write_text(svg)
        print(f"wrote docs/images/{name}")
