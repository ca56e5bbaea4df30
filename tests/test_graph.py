"""The computational graph: structure, forward values, backward gradients, text and DOT."""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest

import dualdiff as dd
from dualdiff.core.tape import Var
from dualdiff.tools.cli import evaluate, parse
from dualdiff.tools.graph import Graph, GraphvizMissing, check_target, trace_expression, trace_graph


def by_name(g: Graph) -> dict[str, object]:
    return {n.name: n for n in g.nodes if n.kind != "constant"}


def test_seed_example_structure_and_annotations() -> None:
    g = trace_graph(lambda x, y: (x + y) ** 2, x=1.0, y=2.0)
    assert [n.kind for n in g.nodes] == ["input", "input", "op", "op"]
    assert [(n.name, n.op, n.formula) for n in g.ops] == [("t", "+", "x + y"), ("z", "**2", "t**2")]
    x, y, t, z = g.nodes
    assert (t.value, z.value) == (3.0, 9.0)  # forward
    assert (z.grad, t.grad, x.grad, y.grad) == (1.0, 6.0, 6.0, 6.0)  # backward: 1, 2t = 6, 6 * 1
    edges = [(e.src.name, e.dst.name if e.dst else None, e.value, e.grad, e.local) for e in g.edges]
    assert edges == [
        ("x", "t", 1.0, 6.0, 1.0),
        ("y", "t", 2.0, 6.0, 1.0),
        ("t", "z", 3.0, 6.0, 6.0),  # local derivative of t**2 is 2t = 6
        ("z", None, 9.0, 1.0, None),  # dz/dz = 1 leaves the output
    ]
    assert g.title == "z = (x + y)**2 at x = 1, y = 2"


def test_text_tells_the_chain_rule() -> None:
    text = trace_graph(lambda x, y: (x + y) ** 2, x=1.0, y=2.0).text()
    assert "  t = x + y = 3\n  z = t**2 = 9" in text
    assert "  dz/dz = 1\n  dz/dt = dz/dz * d(t**2)/dt = 1 * 6 = 6\n  dz/dx = dz/dt * d(x + y)/dx = 6 * 1 = 6" in text


def test_a_node_used_twice_has_two_edges_whose_gradients_add() -> None:
    g = trace_graph(lambda a: a * a + a, a=3.0)
    into = [e for e in g.edges if e.src.name == "a"]
    assert [e.grad for e in into] == [3.0, 3.0, 1.0]
    assert g.inputs[0].grad == 7.0 == sum(e.grad for e in into)
    assert "dz/da = dz/dt * d(a * a)/da + dz/dt * d(a * a)/da + dz/dz * d(t + a)/da = 1 * 3 + 1 * 3 + 1 * 1 = 7" in g.text()


EXPRESSIONS = [
    "(x + y)**2",
    "2*x**2 + 2",
    "sin(x) * exp(y) - x / y",
    "2 - x",
    "x - 2",
    "2 / x + x / 2",
    "3 * (x - y) - (y - x) * 0.5",
    "x - (y - x)",
    "(x - y) - x",
    "x / (y * x)",
    "-(x**2) + (-x)**2",
    "-x**2",
    "2**x**y",
    "(2**x)**y",
    "hypot(x, y) * arctan2(y, x)",
    "maximum(x, y) + minimum(x, y)",
    "x**y + log(x + y)",
    "x % 0.3 + x // 0.3",
    "sqrt(x*x + y*y) / (1 + x)",
]


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_gradients_match_forward_mode_and_edges_multiply_locals(expr: str) -> None:
    point = {"x": 0.8, "y": 1.7}
    g = trace_expression(expr, point)
    e = parse(expr, list(point))
    exact = dd.gradient(lambda v: evaluate(e, {"x": v[0], "y": v[1]}), [point["x"], point["y"]])
    nodes = by_name(g)
    assert [nodes["x"].grad, nodes["y"].grad] == pytest.approx(exact, rel=1e-12, abs=1e-15)  # type: ignore[attr-defined]
    assert g.output.value == pytest.approx(evaluate(e, point), rel=1e-15)
    for edge in g.edges:
        if edge.dst is not None and edge.local is not None:
            assert edge.grad == pytest.approx(edge.dst.grad * edge.local, rel=1e-15, abs=1e-300)
    for n in g.nodes:  # each node's gradient is the sum of what flows back along its outgoing edges
        if n.kind != "constant" and n is not g.output:
            out = [edge.grad for edge in g.edges if edge.src is n]
            assert n.grad == pytest.approx(sum(out), rel=1e-14, abs=1e-15)


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_expression_is_written_back_faithfully(expr: str) -> None:
    point = {"x": 0.8, "y": 1.7}
    g = trace_expression(expr, point)
    written = g.expression()
    again = evaluate(parse(written, ["x", "y"]), point)  # the text means the same computation
    assert again == pytest.approx(g.output.value, rel=1e-15)


def test_constants_are_drawn_as_constant_nodes() -> None:
    g = trace_graph(lambda x: 2 * x**2 + 2, x=5.0)
    assert [n.formula for n in g.ops] == ["x**2", "2 * t1", "t2 + 2"]
    constants = [n for n in g.nodes if n.kind == "constant"]
    assert [c.value for c in constants] == [2.0, 2.0] and all(c.grad is None for c in constants)
    assert g.inputs[0].grad == 20.0  # the seed's tangent slope at 5
    assert [(e.src.kind, e.grad) for e in g.edges if e.src.kind == "constant"] == [("constant", None)] * 2


def test_names_do_not_clash_with_inputs() -> None:
    g = trace_graph(lambda t, z: t * z + z, t=2.0, z=3.0)
    assert [n.name for n in g.nodes if n.kind != "constant"] == ["t", "z", "u", "f"]


def test_positional_point_takes_the_parameter_names() -> None:
    def f(a: float, b: float) -> float:
        return a * b

    g = trace_graph(f, 2.0, 5.0)
    assert [(n.name, n.grad) for n in g.inputs] == [("a", 5.0), ("b", 2.0)]
    with pytest.raises(TypeError, match="either by position or by name"):
        trace_graph(f, 2.0, b=5.0)


def test_unused_input_gets_zero() -> None:
    g = trace_graph(lambda x, y: x * 3, x=1.0, y=2.0)
    assert [(n.name, n.grad) for n in g.inputs] == [("x", 3.0), ("y", 0.0)]
    assert "dz/dy = 0   (y is not used)" in g.text()


def test_constant_function() -> None:
    g = trace_graph(lambda x: 4.0, x=1.0)
    assert g.output.kind == "constant" and g.output.value == 4.0 and g.out_edge.grad is None
    assert "digraph" in g.dot() and "x = 1" in g.text()
    assert g.title == "z = 4 (a constant) at x = 1"


def test_output_that_is_an_input() -> None:
    g = trace_graph(lambda x, y: x, x=3.0, y=1.0)
    assert g.title == "z = x at x = 3, y = 1" and g.output.kind == "input"
    assert [(n.name, n.grad) for n in g.inputs] == [("x", 1.0), ("y", 0.0)]


def test_deep_graph_needs_no_recursion() -> None:
    def chain(x: Var) -> Var:
        for _ in range(2000):  # 4000 operations: deeper than Python's recursion limit
            x = x * 1.0001 + 0.0
        return x

    g = trace_graph(chain, x=1.0)
    assert len(g.ops) == 4000
    assert g.inputs[0].grad == pytest.approx(1.0001**2000, rel=1e-12)
    assert len(g.text().splitlines()) > 12000 and g.title == "z = ... (4000 operations) at x = 1"


def test_array_nodes() -> None:
    g = trace_graph(lambda w: np.sum(w**2), w=np.array([1.0, 2.0, 3.0]))
    assert [n.op for n in g.ops] == ["**2", "sum"]
    np.testing.assert_array_equal(g.inputs[0].grad, [2.0, 4.0, 6.0])
    assert all(e.local is None for e in g.edges)  # local derivatives of arrays are matrices: not drawn
    np.testing.assert_array_equal(g.edges[0].grad, [2.0, 4.0, 6.0])
    assert "[2, 4, 6]" in g.text() and "[2., 4., 6.]" not in g.text()


def test_from_var_needs_a_gradient_for_arrays() -> None:
    w = Var(np.array([1.0, 2.0]), name="w")
    with pytest.raises(ValueError, match="reduce it to a number"):
        Graph.from_var(w * 2.0)
    y = w * 2.0
    y.backward(np.array([1.0, 1.0]))
    assert Graph.from_var(y).inputs[0].grad.tolist() == [2.0, 2.0]


def _dot_is_well_formed(text: str) -> None:
    lines = text.splitlines()
    assert lines[0] == "digraph computation {" and lines[-1] == "}"
    declared = {m.group(1) for m in (re.match(r"\s+(\w+) \[", line) for line in lines) if m}
    for line in lines:
        m = re.match(r"\s+(\w+) -> (\w+) \[(.*)\];$", line)
        if m:
            assert m.group(1) in declared and m.group(2) in declared
            assert m.group(3).count('"') % 2 == 0


def test_dot_text() -> None:
    g = trace_graph(lambda x, y: (x + y) ** 2, x=1.0, y=2.0)
    text = g.dot()
    _dot_is_well_formed(text)
    forward = re.findall(r'label="(\w+ = [\d.]+)"\]', text)
    backward = re.findall(r'label="(dz/d\w+ = [\d.]+)", dir=back', text)
    assert forward == ["x = 1", "y = 2", "t = 3", "z = 9"]
    assert backward == ["dz/dx = 6", "dz/dy = 6", "dz/dt = 6", "dz/dz = 1"]
    assert 'label="+"' in text and 'label="**2"' in text


def test_dot_escapes_quotes() -> None:
    g = trace_graph(lambda x: x * 2.0, x=1.0, title='say "hi"')
    assert 'label="say \\"hi\\""' in g.dot()
    _dot_is_well_formed(g.dot())


def test_save(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    g = trace_graph(lambda x: math.pi * x, x=1.0)
    assert g.save(tmp_path / "g.dot").read_text() == g.dot() + "\n"
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(GraphvizMissing, match="apt-get install graphviz"):
        g.save(tmp_path / "g.png")
    with pytest.raises(ValueError, match="use .dot, .svg, .png or .pdf"):
        g.save(tmp_path / "g.jpeg")


# --- notebooks: a short repr and a picture, with or without Graphviz ---

SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> list[str]:
    return [t.text or "" for t in ElementTree.fromstring(svg).iter(SVG + "text")]


def test_repr_is_short() -> None:
    g = trace_graph(lambda x, y: (x + y) ** 2, x=1.0, y=2.0)
    assert repr(g) == "<Graph 'z = (x + y)**2 at x = 1, y = 2': 2 inputs, 2 operations>"
    long = trace_graph(lambda x: np.sin(np.cos(np.tan(np.exp(np.log1p(x * x + x))))) * np.arctan(np.sinh(x) + np.cosh(x)), x=0.5)
    assert len(repr(long)) < 120 and "..." in repr(long) and "1 input, " in repr(long)


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_drawing_without_graphviz_shows_every_node_and_gradient(expr: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    g = trace_expression(expr, {"x": 0.8, "y": 1.7})
    svg = g._repr_svg_()
    assert svg == g.drawing()  # no Graphviz: the pure-Python layout
    texts = _texts(svg)
    for n in g.nodes:
        label = n.name if n.kind != "op" else n.op
        assert label in texts, (label, texts)
        if n.kind != "constant":
            assert f"{n.name} = {n.value:.6g}".replace("-0 ", "0 ") in texts or n.kind == "constant"
            assert f"dz/d{n.name} = {n.grad + 0.0:.6g}" in texts
    assert texts[0] == g.title


def test_drawing_places_columns_left_to_right_by_longest_path() -> None:
    g = trace_graph(lambda x, y: (x + y) ** 2 * x, x=1.0, y=2.0)  # x feeds + (column 1) and * (column 3)
    root = ElementTree.fromstring(g.drawing())
    rects = root.findall(SVG + "rect")
    labels = [t.text for t in root.iter(SVG + "text") if t.get("font-weight") == "bold"][1:]  # after the title
    mid = {label: float(r.get("x", 0)) + float(r.get("width", 0)) / 2 for label, r in zip(labels, rects, strict=True)}
    assert mid["x"] == mid["y"] < mid["+"] < mid["**2"] < mid["*"]
    ends = [p.get("d", "") for p in root.findall(SVG + "path") if p.get("marker-end")]
    assert len(ends) == len(g.edges)  # one arrow an edge, each with its arrowhead
    skip = [d for d in ends if " L" in d]  # x -> * skips two columns: it passes beside them, not through the boxes
    assert len(skip) == 1


def test_drawing_labels_each_use_of_a_value_with_its_share_of_the_gradient() -> None:
    g = trace_graph(lambda a: a * a + a, a=3.0)
    root = ElementTree.fromstring(g.drawing())
    shares = sorted(t.text or "" for t in root.iter(SVG + "text") if t.get("text-anchor") is None and t.get("fill"))
    assert shares == ["1", "3", "3"] and "dz/da = 7" in _texts(g.drawing())  # 3 + 3 + 1 = 7


def test_drawing_of_several_outputs_and_of_arrays() -> None:
    texts = _texts(trace_graph(lambda x, y: (x * y, x + y, 2.0), x=2.0, y=3.0).drawing())
    assert {"z1 = 6", "z2 = 5", "2", "*", "+"} <= set(texts) and not any(t.startswith("dz") for t in texts)
    texts = _texts(trace_graph(lambda w: np.sum(w**2), w=np.array([1.0, 2.0, 3.0])).drawing())
    assert "w = [1, 2, 3]" in texts and "dz/dw = [2, 4, 6]" in texts


def test_huge_graph_draws_a_note_instead(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)

    def chain(x: Var) -> Var:
        for _ in range(200):
            x = x * 1.0001 + 0.0
        return x

    texts = _texts(trace_graph(chain, x=1.0)._repr_svg_())
    assert len(texts) == 2 and "too many to draw readably" in texts[1] and "g.text()" in texts[1]


def test_svg_uses_graphviz_when_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "dot"  # a stand-in for Graphviz that answers with a recognisable SVG
    fake.write_text(f"#!{sys.executable}\nimport sys\nsys.stdin.read()\n"
                    "print('<svg xmlns=\"http://www.w3.org/2000/svg\"><text>' + ' '.join(sys.argv[1:]) + '</text></svg>')\n")
    fake.chmod(0o755)
    monkeypatch.setattr("shutil.which", lambda name: str(fake) if name == "dot" else None)
    g = trace_graph(lambda x: x * x, x=3.0)
    assert _texts(g._repr_svg_()) == ["-Tsvg"]
    fake.write_text("#!/bin/sh\nexit 1\n")  # a broken Graphviz: the pure-Python drawing instead
    assert g._repr_svg_() == g.drawing()


def test_save_svg_without_graphviz_and_targets_checked_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    g = trace_graph(lambda x: math.pi * x, x=1.0)
    assert g.save(tmp_path / "g.svg").read_text() == g.drawing() + "\n"
    with pytest.raises(FileNotFoundError, match="does not exist"):
        check_target(tmp_path / "no" / "g.svg")
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        (tmp_path / "folder.svg").mkdir()
        check_target(tmp_path / "folder.svg")
    with pytest.raises(GraphvizMissing, match="g.svg"):
        check_target(tmp_path / "g.pdf")
    assert check_target(str(tmp_path / "G.DOT")) == tmp_path / "G.DOT"
