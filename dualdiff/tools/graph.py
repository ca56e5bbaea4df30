"""The computational graph: what backpropagation looks like, drawn from the reverse-mode tape.

`trace_graph` runs a function once on tape variables (`dualdiff.Var`), runs the backward pass,
and keeps one node per operation ("+", "*", "**2", "sin", ...) with edges for the data flow. Each
edge carries its forward value and, from the backward pass, the gradient flowing back along it:
1 at the output (dz/dz), then each node's local derivative multiplied in. The graph prints as
plain text (for terminals and doctests) or as Graphviz DOT text; it draws itself as SVG (a notebook
shows it) with Graphviz's ``dot`` program when that is installed, else with the small pure-Python
layout of `dualdiff.tools.layout`, and renders to PNG/PDF with Graphviz.

>>> g = trace_graph(lambda x, y: (x + y) ** 2, x=1.0, y=2.0)
>>> [n.op for n in g.ops]
['+', '**2']
>>> print(g.text())
z = (x + y)**2 at x = 1, y = 2
forward pass (values, from the inputs):
  x = 1
  y = 2
  t = x + y = 3
  z = t**2 = 9
backward pass (gradients, from the output; each step multiplies in a local derivative):
  dz/dz = 1
  dz/dt = dz/dz * d(t**2)/dt = 1 * 6 = 6
  dz/dx = dz/dt * d(x + y)/dx = 6 * 1 = 6
  dz/dy = dz/dt * d(x + y)/dy = 6 * 1 = 6
edges (value flowing forward | gradient flowing back):
  x: input -> +   1 | 6
  y: input -> +   2 | 6
  t: + -> **2     3 | 6
  z: **2 -> out   9 | 1
"""

from __future__ import annotations

import inspect
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..core.number import Number
from ..core.tape import Var
from .layout import MAX_BOXES, Arrow, Box, draw

FORMATS = ("svg", "png", "pdf")
# operator label -> (how it is written, precedence); anything else is written as a call, op(a, b)
_INFIX = {"+": 1, "-": 1, "*": 2, "/": 2, "%": 2, "//": 2, "**": 4}
_SPELLED = {"remainder": "%", "floor_divide": "//", "power": "**", "negative": "neg"}  # tape labels written as operators
_NEG = 3  # unary minus binds tighter than * but looser than **
_ATOM = 9


class GraphvizMissing(RuntimeError):
    """Rendering needs Graphviz's ``dot`` program, which is not installed (or it failed)."""


@dataclass(eq=False)
class Node:
    """One node of the graph: an input, a constant, or an operation with the value it computed.

    ``grad`` is d(output)/d(this node) after the backward pass (None for constants); ``inputs`` are
    the edges coming in, in argument order; ``formula`` is the operation on its arguments' names.
    """

    name: str
    op: str
    value: Any
    grad: Any
    kind: str  # "input", "constant" or "op"
    inputs: list[Edge] = field(default_factory=list)
    formula: str = ""

    @property
    def label(self) -> str:
        """What a drawing shows in the node: the operation, or "input" / "const"."""
        return self.op if self.kind == "op" else ("input" if self.kind == "input" else "const")


@dataclass(eq=False)
class Edge:
    """Data flowing from ``src`` into ``dst``: its forward ``value`` and the ``grad`` flowing back.

    ``local`` is the local derivative d(dst)/d(src) of the operation at ``dst`` (None for arrays
    and constants), so ``grad = dst.grad * local``. ``dst`` is None for the edge leaving the output.
    """

    src: Node
    dst: Node | None
    value: Any
    grad: Any
    local: Any


class Graph:
    """A traced computation: nodes in forward order (inputs first, the output last) and their edges.

    >>> g = trace_graph(lambda x: 2 * x**2 + 2, x=5.0)
    >>> g.output.value, g.inputs[0].grad
    (52.0, 20.0)
    >>> g.expression()
    '2 * x**2 + 2'
    >>> g.dot().splitlines()[0]
    'digraph computation {'
    """

    def __init__(self, nodes: list[Node], output: Node, title: str = "", outputs: list[Node] | None = None,
                 parts: list[Graph] | None = None, output_name: str = "z") -> None:
        self.nodes = nodes
        self.output = output
        self.title = title
        self.output_name = output_name  # what a constant output is called (an op output has its node's name)
        # a function of several outputs (a tuple): each output, and each one's own graph with its backward pass
        self.outputs = outputs if outputs else [output]
        self.parts = parts if parts else []
        several = len(self.outputs) > 1
        self.out_edges = [Edge(o, None, o.value, None if o.kind == "constant" or several else 1.0, None) for o in self.outputs]
        self.out_edge = self.out_edges[0]

    @property
    def inputs(self) -> list[Node]:
        """The input nodes (the variables), in the order they were given."""
        return [n for n in self.nodes if n.kind == "input"]

    @property
    def ops(self) -> list[Node]:
        """The operation nodes, in forward order."""
        return [n for n in self.nodes if n.kind == "op"]

    @property
    def edges(self) -> list[Edge]:
        """Every edge in forward order, ending with the one(s) that leave the output(s) (``dst`` None)."""
        return [e for n in self.nodes for e in n.inputs] + self.out_edges

    @classmethod
    def from_var(cls, y: Any, output: str = "z", title: str = "") -> Graph:
        """The graph of a result computed on tape variables (runs ``y.backward()`` for a scalar y).

        A tuple or list of results is drawn as its outputs (named z1, z2, ...): the forward pass of
        all of them, and in ``parts`` each output's own graph with its backward pass (a gradient
        belongs to one output, so the whole graph's nodes and edges carry none).

        >>> from dualdiff import Var
        >>> a = Var(3.0, name="a")
        >>> g = Graph.from_var(a * a + a)
        >>> [e.grad for e in g.edges if e.src.name == "a"]
        [3.0, 3.0, 1.0]
        >>> g.inputs[0].grad
        7.0
        """
        if isinstance(y, (tuple, list)):
            return _several(y, output, title)
        _check_output(y, y)
        if not isinstance(y, Var):
            node = Node(_fmt(y), "", _plain(y), None, "constant")
            return cls([node], node, title, output_name=output)
        _backward(y, "the result")
        names, output = _names(_topo([y]), [y], output)
        return _build([y], names, title, output)

    def expression(self, width: int = 80) -> str:
        """The output written out in terms of the inputs, as one expression (the outputs, separated
        by commas, for a function of several). A part longer than ``width`` characters is written
        as its intermediate's name (t3), which the forward pass defines: a value used twice, twice
        again, ... would otherwise double the text at every step.

        >>> trace_graph(lambda a, b: 2 * (a - b) ** 3 / -b, a=1.0, b=2.0).expression()
        '2 * (a - b)**3 / -b'
        """
        text: dict[int, tuple[str, int]] = {}
        for n in self.nodes:
            if n.kind == "op":
                args = [text[id(e.src)] if len(text[id(e.src)][0]) <= width else (e.src.name, _ATOM) for e in n.inputs]
                text[id(n)] = _inline(n.op, args)
            else:
                text[id(n)] = (n.name, _NEG if n.name.startswith("-") else _ATOM)
        return ", ".join(text[id(o)][0] for o in self.outputs)

    # --- plain text ---
    def text(self, digits: int = 6) -> str:
        """The graph as plain text: the forward pass, the backward pass, and the annotated edges."""
        f = lambda v: _fmt(v, digits)
        lines = [self.title] if self.title else []
        lines.append("forward pass (values, from the inputs):")
        for n in self.nodes:
            if n.kind == "input":
                lines.append(f"  {n.name} = {f(n.value)}")
            elif n.kind == "op":
                lines.append(f"  {n.name} = {n.formula} = {f(n.value)}")
        if len(self.outputs) == 1:
            lines.append("backward pass (gradients, from the output; each step multiplies in a local derivative):")
            lines += self._backward_lines(f)
        else:
            for part in self.parts:
                name = part.output_name if part.output.kind != "input" else f"{part.output_name} (the input {part.output.name})"
                lines.append(f"backward pass of {name} (gradients from it; each step multiplies in a local derivative):")
                lines += part._backward_lines(f)
        rows = [(f"{e.src.name}: {e.src.label} -> {e.dst.label if e.dst else 'out'}", f(e.value),
                 "" if e.grad is None else f(e.grad)) for e in self.edges]
        w1, w2 = (max(len(r[i]) for r in rows) for i in (0, 1))
        lines.append("edges (value flowing forward | gradient flowing back):" if len(self.outputs) == 1 else
                     "edges (value flowing forward; each output's gradients are in its backward pass above):")
        lines += [f"  {a.ljust(w1)}   {b.rjust(w2)} | {c}".rstrip() for a, b, c in rows]
        return "\n".join(lines)

    def _backward_lines(self, f: Callable[[Any], str]) -> list[str]:
        """The backward pass of a one-output graph, from the output to every input."""
        z = self.output.name if self.output.kind != "constant" else self.output_name
        lines = [] if self.output.kind == "constant" else [f"  d{z}/d{z} = 1"]
        outgoing: dict[int, list[Edge]] = {}
        for e in self.edges:
            if e.dst is not None:
                outgoing.setdefault(id(e.src), []).append(e)
        for n in [m for m in reversed(self.nodes) if m.kind == "op"] + self.inputs:
            if n is self.output:
                continue
            uses = outgoing.get(id(n), [])
            if not uses:
                lines.append(f"  d{z}/d{n.name} = 0   ({n.name} is not used)")
                continue
            chain = " + ".join(f"d{z}/d{e.dst.name} * d({e.dst.formula})/d{n.name}" for e in uses if e.dst)
            if all(e.local is not None for e in uses):
                numbers = " + ".join(f"{f(e.dst.grad)} * {f(e.local)}" for e in uses if e.dst)
                lines.append(f"  d{z}/d{n.name} = {chain} = {numbers} = {f(n.grad)}")
            else:
                lines.append(f"  d{z}/d{n.name} = {chain} = {f(n.grad)}")
        return lines

    # --- Graphviz ---
    def dot(self, digits: int = 6) -> str:
        """The graph as Graphviz DOT text: black arrows carry values forward, red dashed ones carry
        gradients back (the book's figure 5-7). Needs nothing installed; render it with `save`.

        >>> g = trace_graph(lambda x, y: (x + y) ** 2, x=1.0, y=2.0)
        >>> print("\\n".join(line for line in g.dot().splitlines() if "->" in line))
          n0 -> n2 [label="x = 1"];
          n0 -> n2 [label="dz/dx = 6", dir=back, color=red, fontcolor=red, style=dashed];
          n1 -> n2 [label="y = 2"];
          n1 -> n2 [label="dz/dy = 6", dir=back, color=red, fontcolor=red, style=dashed];
          n2 -> n3 [label="t = 3"];
          n2 -> n3 [label="dz/dt = 6", dir=back, color=red, fontcolor=red, style=dashed];
          n3 -> out [label="z = 9"];
          n3 -> out [label="dz/dz = 1", dir=back, color=red, fontcolor=red, style=dashed];
        """
        f = lambda v: _fmt(v, digits)
        z = self.output.name
        ids = {id(n): f"n{i}" for i, n in enumerate(self.nodes)}
        ends = ["out"] if len(self.out_edges) == 1 else [f"out{i}" for i in range(1, len(self.out_edges) + 1)]
        out = [
            "digraph computation {",
            "  rankdir=LR;",
            '  graph [fontname="Helvetica"]; node [fontname="Helvetica"]; edge [fontname="Helvetica", fontsize=11];',
        ]
        if self.title:
            out.append(f'  labelloc=t; label="{_esc(self.title)}";')
        for n in self.nodes:
            if n.kind == "op":
                shape = "circle" if len(n.op) <= 3 else "ellipse"
                out.append(f'  {ids[id(n)]} [label="{_esc(n.op)}", shape={shape}];')
            else:
                style = "fontsize=16" if n.kind == "input" else "fontcolor=gray40"
                out.append(f'  {ids[id(n)]} [label="{_esc(n.name)}", shape=plaintext, {style}];')
        out += [f'  {end} [label="", shape=point, width=0.05];' for end in ends]
        leaving = iter(ends)
        for e in self.edges:
            a, b = ids[id(e.src)], (next(leaving) if e.dst is None else ids[id(e.dst)])
            if e.src.kind == "constant":
                out.append(f"  {a} -> {b} [color=gray50];")
                continue
            out.append(f'  {a} -> {b} [label="{_esc(e.src.name)} = {_esc(f(e.value))}"];')
            if e.grad is not None:
                out.append(f'  {a} -> {b} [label="d{_esc(z)}/d{_esc(e.src.name)} = {_esc(f(e.grad))}", '
                           "dir=back, color=red, fontcolor=red, style=dashed];")
        out.append("}")
        return "\n".join(out)

    def save(self, path: str | Path, digits: int = 6) -> Path:
        """Write the graph to ``path``: ``.dot`` as DOT text, ``.svg`` as `svg` draws it (both always
        work), ``.png`` or ``.pdf`` rendered by Graphviz's ``dot`` program (`GraphvizMissing` when it
        is not installed). `check_target` says beforehand whether ``path`` can be written.

        >>> import pathlib, tempfile
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "g.dot"
        >>> trace_graph(lambda x: x * x, x=3.0).save(p).read_text().startswith("digraph")
        True
        """
        path = check_target(path)
        kind = path.suffix.lower().lstrip(".")
        program = shutil.which("dot")
        if kind in ("dot", "gv"):
            path.write_text(self.dot(digits) + "\n")
        elif kind == "svg" and program is None:
            path.write_text(self.drawing(digits) + "\n")
        else:
            self._graphviz(str(program), [f"-T{kind}", "-o", str(path)], digits)
        return path

    def svg(self, digits: int = 6) -> str:
        """The graph as SVG text, as a notebook shows it (``_repr_svg_``): drawn by Graphviz's ``dot``
        when it is installed, else by `drawing`. A graph of more than `MAX_BOXES` nodes draws a
        note saying what to do instead.

        >>> from xml.etree import ElementTree
        >>> ElementTree.fromstring(trace_graph(lambda x: x * x, x=3.0).svg()).tag
        '{http://www.w3.org/2000/svg}svg'
        """
        program = shutil.which("dot")
        if program is not None and len(self.nodes) <= MAX_BOXES:
            try:
                return self._graphviz(program, ["-Tsvg"], digits).decode()
            except GraphvizMissing:
                pass  # a broken Graphviz: the pure-Python drawing still shows the graph
        return self.drawing(digits)

    def _repr_svg_(self) -> str:
        return self.svg()

    def drawing(self, digits: int = 6) -> str:
        """The graph drawn as SVG without Graphviz (`dualdiff.tools.layout`): operations in boxes,
        left to right, each with its value and, in red, its gradient; a value used several times
        has each use's share of its gradient on that arrow.

        >>> picture = trace_graph(lambda x, y: (x + y) ** 2, x=1.0, y=2.0).drawing()
        >>> [line.split(">")[1].split("<")[0] for line in picture.splitlines() if "#c00000" in line]
        ['dz/dx = 6', 'dz/dy = 6', 'dz/dt = 6', 'dz/dz = 1']
        """
        f = lambda v: " ".join(_fmt(v, digits).split())  # an array's text on one line
        z = self.output.name
        index = {id(n): i for i, n in enumerate(self.nodes)}
        boxes = [Box(n.name, kind="constant") if n.kind == "constant" else
                 Box(n.op or n.name, f"{n.name} = {f(n.value)}", "" if n.grad is None else f"d{z}/d{n.name} = {f(n.grad)}", n.kind)
                 for n in self.nodes]
        uses: dict[int, int] = {}
        for e in self.edges:
            uses[id(e.src)] = uses.get(id(e.src), 0) + 1
        arrows = []
        for e in self.edges:  # a value used several times: each use's share of its gradient on its arrow
            if e.dst is None:
                boxes.append(Box("", kind="end"))
            share = "" if e.grad is None or uses[id(e.src)] == 1 else f(e.grad)
            arrows.append(Arrow(index[id(e.src)], len(boxes) - 1 if e.dst is None else index[id(e.dst)], share))
        return draw(boxes, arrows, self.title)

    def _graphviz(self, program: str, args: list[str], digits: int) -> bytes:
        """Run Graphviz's dot on the DOT text; what it printed (GraphvizMissing when it fails)."""
        try:
            done = subprocess.run([program, *args], input=self.dot(digits).encode(), capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise GraphvizMissing(f"Graphviz's dot could not run: {e}") from None
        if done.returncode != 0:
            raise GraphvizMissing(f"Graphviz's dot failed: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout

    def __repr__(self) -> str:
        title = self.title if len(self.title) <= 60 else self.title[:57] + "..."
        return f"<Graph {title!r}: {_count(len(self.inputs), 'input')}, {_count(len(self.ops), 'operation')}>"


def check_target(path: str | Path) -> Path:
    """``path`` as a `Path` if `Graph.save` can write it, checked before anything is computed; else
    ValueError (an extension it does not write), `GraphvizMissing` (.png or .pdf without Graphviz's
    dot) or OSError (no such folder, a folder, no permission).

    >>> check_target("graph.txt")
    Traceback (most recent call last):
    ValueError: cannot write a graph as .txt: use .dot, .svg, .png or .pdf
    """
    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in ("dot", "gv", *FORMATS):
        raise ValueError(f"cannot write a graph as {path.suffix or 'a file without extension'}: use .dot, .svg, .png or .pdf")
    if kind in ("png", "pdf") and shutil.which("dot") is None:
        raise GraphvizMissing(
            f"rendering {path.name} needs Graphviz's dot program, which is not installed "
            "(apt-get install graphviz, brew install graphviz or conda install graphviz); "
            f"without it, save {path.with_suffix('.svg').name} (a simpler drawing) or {path.with_suffix('.dot').name} (DOT text)"
        )
    folder = path.parent
    if path.is_dir():
        raise IsADirectoryError(f"cannot write the graph to {path}: it is a folder; give a file name")
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot write the graph to {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise PermissionError(f"cannot write the graph to {path}: permission denied")
    return path


def _count(k: int, word: str) -> str:
    return f"{k} {word}" + ("" if k == 1 else "s")


def _esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def _plain(v: Any) -> Any:
    while hasattr(v, "value") and not isinstance(v, (np.ndarray, np.generic)):
        v = v.value
    return v


def _fmt(v: Any, digits: int = 6) -> str:
    v = _plain(v)
    if isinstance(v, np.ndarray) and v.ndim > 0:
        return np.array2string(v, separator=", ", threshold=12, formatter={"float_kind": lambda e: _fmt(e, digits)})
    try:
        return f"{float(v) + 0.0:.{digits}g}"  # + 0.0: no "-0"
    except (TypeError, ValueError):
        return str(v)


def _inline(op: str, args: list[tuple[str, int]]) -> tuple[str, int]:
    """Write ``op`` applied to already-written arguments, with parentheses only where needed."""
    def wrap(a: tuple[str, int], need: int) -> str:
        return a[0] if a[1] >= need else f"({a[0]})"

    op = _SPELLED.get(op, op)
    if _in_label(op) and len(args) == 1:  # "**2": the exponent is in the label
        return f"{wrap(args[0], _INFIX['**'] + 1)}{op}", _INFIX["**"]
    if op in _INFIX and len(args) == 2:
        p = _INFIX[op]
        left, right = (p + 1, p) if op == "**" else (p, p + 1)  # ** groups to the right, the others left
        return f"{wrap(args[0], left)}{'**' if op == '**' else f' {op} '}{wrap(args[1], right)}", p
    if op == "neg" and len(args) == 1:
        return f"-{wrap(args[0], _NEG)}", _NEG
    return f"{op}({', '.join(a[0] for a in args)})", _ATOM


def _topo(ys: list[Var]) -> list[Var]:
    """The Vars ``ys`` depend on, each once, parents before children (iterative: graphs can be deep)."""
    order: list[Var] = []
    visited: set[int] = set()
    stack: list[tuple[Var, bool]] = [(y, False) for y in reversed(ys)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif id(node) not in visited:
            visited.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(node.parents) if id(p) not in visited)
    return order


def _names(vars_: list[Var], outputs: list[Any], output: str) -> tuple[dict[int, str], str]:
    """Inputs keep their names; intermediates are t (or t1, t2, ...); the output is ``output``, or
    for several outputs ``output`` numbered by position (z1, z2, ...). Also returns the output name
    used (another one when an input has taken it)."""
    leaves = [v for v in vars_ if not v.parents]
    taken = {v.name for v in leaves if v.name}
    names: dict[int, str] = {}
    k = 0
    for v in leaves:
        if not v.name:
            k += 1
            while f"x{k}" in taken:
                k += 1
            taken.add(f"x{k}")
        names[id(v)] = v.name or f"x{k}"
    output = _output_base(output, len(outputs), taken)
    ends = _ends(output, len(outputs))
    first: dict[int, str] = {}
    for y, end in zip(outputs, ends, strict=True):  # a Var given twice keeps its first name
        if isinstance(y, Var) and y.parents:
            first.setdefault(id(y), end)
    middle = [v for v in vars_ if v.parents and id(v) not in first]
    prefix = next(p for p in ("t", "u", "v", "w", "tmp") if not any(re.fullmatch(p + r"\d*", s) for s in taken | set(ends)))
    for i, v in enumerate(middle, 1):
        names[id(v)] = prefix if len(middle) == 1 else f"{prefix}{i}"
    names.update(first)
    return names, output


def _ends(output: str, k: int) -> list[str]:
    """The names of k outputs: z for one, z1, z2, ... for several."""
    return [output] if k == 1 else [f"{output}{i}" for i in range(1, k + 1)]


def _output_base(output: str, k: int, taken: set[str]) -> str:
    """``output``, or the first of z, f, out, result whose name(s) no input has taken."""
    def free(base: str) -> bool:
        return base not in taken if k == 1 else not any(f"{base}{i}" in taken for i in range(1, k + 1))

    return output if free(output) else next(c for c in ("z", "f", "out", "result", "output") if free(c))


def _arguments(v: Var) -> list[Any]:
    """The operation's arguments in order: its parent Vars, and constants as plain numbers.

    The tape keeps the arguments of a general elementwise node; its scalar shortcuts (``x * 2``,
    ``x + 1``, ...) keep only the local derivative, so there the constant is recovered from the
    values and the local derivative. "**2" has its exponent in the label.
    """
    saved = getattr(v, "_saved", None)
    if isinstance(saved, tuple) and len(saved) == 4 and hasattr(saved[0], "partials") and not _in_label(v.op):
        _, xs, _, pos = saved
        parents = iter(v.parents)
        return [next(parents) if i in pos else x for i, x in enumerate(xs)]
    if len(v.parents) == 1 and v.op in ("+", "-", "*", "/") and type(v.value) is float:
        (p,) = v.parents
        x, out, local = p.value, v.value, _edge_grads(v, 1.0)[0]
        if type(x) is float and isinstance(local, float):
            if v.op == "+":
                return [p, out - x]
            if v.op == "-":
                return [p, x - out] if local > 0 else [out + x, p]
            if v.op == "*":
                return [local, p]
            if out == x * local or (local != 0 and abs(out - x * local) <= 1e-12 * abs(out)):
                return [p, 1.0 / local] if local != 0 else [p, float("inf")]
            return [out * x, p]
    return list(v.parents)


def _in_label(op: str) -> bool:
    return op.startswith("**") and len(op) > 2


def _edge_grads(v: Var, g: Any) -> list[Any]:
    """What each parent receives from ``v`` when ``g`` arrives at ``v``: the tape's own backward step."""
    if g is None or not v.parents:
        return [None] * len(v.parents)
    return [_plain(c) for c in v.backward_step(g)]


def _build(ys: list[Var], names: dict[int, str], title: str, output: str, grads: bool = True) -> Graph:
    """The graph of ``ys`` (one output, or several drawn without gradients: ``grads=False``)."""
    vars_ = _topo(ys)
    nodes: dict[int, Node] = {}
    ordered: list[Node] = []
    for v in vars_:
        if not v.parents:
            node = Node(names[id(v)], "", v.value, (0.0 if v.grad is None else v.grad) if grads else None, "input")
        else:
            node = Node(names[id(v)], v.op, v.value, v.grad if grads else None, "op")
            grads_in = iter(_edge_grads(v, v.grad if grads else None))
            locs = iter(_edge_grads(v, 1.0) if np.ndim(v.value) == 0 else [None] * len(v.parents))
            for a in _arguments(v):
                if isinstance(a, Var):
                    src = nodes[id(a)]
                    local = next(locs)
                    node.inputs.append(Edge(src, node, a.value, next(grads_in), local if np.ndim(a.value) == 0 else None))
                else:
                    const = Node(_fmt(a), "", a, None, "constant")
                    ordered.append(const)
                    node.inputs.append(Edge(const, node, a, None, None))
            node.formula = _inline(node.op, [(e.src.name, _NEG if e.src.name.startswith("-") else _ATOM) for e in node.inputs])[0]
        nodes[id(v)] = node
        ordered.append(node)
    outs = [nodes[id(y)] for y in ys]
    return Graph(ordered, outs[0], title, outputs=outs if len(outs) > 1 else None, output_name=output)


_NUMBERS = (float, int, np.number, np.bool_)


def _check_output(y: Any, result: Any) -> None:
    """A graph draws numbers, arrays of them and Vars: anything else in a result is a mistake."""
    if isinstance(y, (Var, Number, *_NUMBERS)) or (isinstance(y, np.ndarray) and y.dtype.kind in "biuf"):
        return
    inside = "" if y is result else f"{type(result).__name__} holding a "
    raise TypeError(
        f"the function returned a {inside}{type(y).__name__} ({_short(y)}); a graph draws a function that returns a "
        "number (computed from its inputs), or a tuple of them: return only the numbers"
    )


def _short(v: Any) -> str:
    r = repr(v)
    return r if len(r) <= 40 else r[:37] + "..."


def _backward(y: Var, what: str) -> None:
    """Run the backward pass from a scalar output (an array needs the user's y.backward(grad))."""
    if np.ndim(y.value) == 0:
        y.backward()
    elif y.grad is None:
        raise ValueError(
            f"{what} has shape {np.shape(y.value)}: reduce it to a number (np.sum) or call "
            "y.backward(grad) first, so that the graph can show the gradients"
        )


def _several(result: tuple[Any, ...] | list[Any], output: str, title: str) -> Graph:
    """The graph of a tuple of results: every output's forward pass, and each one's backward pass
    in its own graph (``parts``), since a gradient is always of one output."""
    if not result:
        raise TypeError(f"the function returned an empty {type(result).__name__}: a graph draws a function that returns a number, "
                        "or a tuple of them")
    ys = list(result)
    for y in ys:
        _check_output(y, result)
        if isinstance(y, (tuple, list)):
            raise TypeError("the function returned a tuple holding a tuple: return the outputs in one flat tuple")
    if len(ys) == 1:
        return Graph.from_var(ys[0], output, title)
    vs = [y for y in ys if isinstance(y, Var)]
    for i, y in enumerate(ys, 1):
        if isinstance(y, Var) and np.ndim(y.value):
            raise ValueError(
                f"output {i} of {len(ys)} has shape {np.shape(y.value)}: a graph of several outputs draws numbers; "
                "reduce it (np.sum), or draw it alone with Graph.from_var after y.backward(grad)"
            )
    names, base = _names(_topo(vs), ys, output)
    whole = _build(vs, names, title, base, grads=False) if vs else None
    nodes = list(whole.nodes) if whole else []
    by_var = {id(y): o for y, o in zip(vs, whole.outputs if whole else [], strict=True)}
    outputs, parts = [], []
    for y, end in zip(ys, _ends(base, len(ys)), strict=True):
        if isinstance(y, Var):
            outputs.append(by_var[id(y)])
            _backward(y, f"output {end}")
            part = _build([y], names, "", end)
        else:
            const = Node(_fmt(y), "", _plain(y), None, "constant")
            nodes.append(const)
            outputs.append(const)
            part = Graph([const], const, output_name=end)
        parts.append(part)
    g = Graph(nodes, outputs[0], title, outputs=outputs, parts=parts, output_name=base)
    inputs = [(n.name, n.value) for n in g.inputs]
    for part in parts:
        _complete_inputs(part, inputs)
    return g


def _complete_inputs(g: Graph, inputs: list[tuple[str, Any]]) -> None:
    """Give ``g`` every input (those it does not use with gradient 0), inputs first in this order."""
    for name, value in inputs:
        if not any(n.kind == "input" and n.name == name for n in g.nodes):
            g.nodes.insert(0, Node(name, "", value, 0.0, "input"))
    order = {name: i for i, (name, _) in enumerate(inputs)}
    g.nodes.sort(key=lambda n: (0, order.get(n.name, 0)) if n.kind == "input" else (1, 0))


def trace_graph(f: Callable[..., Any], *args: Any, output: str = "z", title: str | None = None, **inputs: Any) -> Graph:
    """Run ``f`` once at a point on tape variables and return its computational `Graph`, with the
    forward values and the backward gradients on every edge.

    Give the point by name (``x=1.0, y=2.0``) or by position (names come from f's parameters).

    >>> g = trace_graph(lambda x, y: (x + y) ** 2, 1.0, 2.0)
    >>> [(n.name, n.op, n.value, n.grad) for n in g.nodes]
    [('x', '', 1.0, 6.0), ('y', '', 2.0, 6.0), ('t', '+', 3.0, 6.0), ('z', '**2', 9.0, 1.0)]
    """
    if args and inputs:
        raise TypeError("give the point either by position or by name, not both")
    if args:
        try:
            params = [p.name for p in inspect.signature(f).parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        except (TypeError, ValueError):
            params = []
        names = params[: len(args)] if len(params) >= len(args) else [f"x{i + 1}" for i in range(len(args))]
        point = dict(zip(names, args, strict=True))
    else:
        point = dict(inputs)
    xs = {n: Var(v, name=n) for n, v in point.items()}
    y = f(*xs.values()) if args else f(**xs)
    g = Graph.from_var(y, output)
    given = [(name, x.value) for name, x in xs.items()]  # inputs f did not use still belong to the picture
    for part in [g, *g.parts]:
        _complete_inputs(part, given)
    if title is None:
        at = ", ".join(f"{n} = {_fmt(v)}" for n, v in point.items())
        several = len(g.outputs) > 1
        named = [p.output_name for p in g.parts] if several else [g.output.name if g.output.kind == "op" else output]
        what = g.expression() if len(g.ops) <= 100 else f"... ({len(g.ops)} operations)"
        what = what if g.output.kind != "constant" or several else f"{what} (a constant)"
        title = f"{', '.join(named)} = {what}" + (f" at {at}" if at else "")
    g.title = title
    return g


def trace_expression(text: str, point: dict[str, float], output: str = "z") -> Graph:
    """The graph of a command-line expression (see `dualdiff.cli`) at ``point``.

    >>> print(trace_expression("sin(x) * x", {"x": 0.0}).text().splitlines()[3])
      t = sin(x) = 0
    """
    from .expression import evaluate, parse

    expr = parse(text, list(point))
    return trace_graph(lambda **kw: evaluate(expr, kw), output=output, **point)
