"""The command line: outputs, exit codes, and hostile input refused without effect."""

from __future__ import annotations

import ast
import builtins
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest

from dualdiff.__main__ import main as program
from dualdiff.tools import cli
from dualdiff.tools.cli import InputError, analyze, evaluate, main, parse

ROOT = Path(__file__).resolve().parents[1]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- what a user sees ---


def test_seed_example_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "(x + y)**2", "x=1", "y=2")
    assert code == 0 and err == ""
    assert "value  f = 9" in out
    rows = [line.split() for line in out.splitlines() if line.strip().startswith("df/")]
    assert rows == [["df/dx", "6", "6", "yes"], ["df/dy", "6", "6", "yes"]]


def test_json_for_scripts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sin(x) * exp(y)", "x=pi/4", "y=0", "--json", "--hessian")
    assert code == 0
    r = json.loads(out)
    s = math.sqrt(0.5)
    assert r["value"] == pytest.approx(s, abs=1e-15)
    assert r["forward"]["x"] == pytest.approx(s, abs=1e-15) and r["forward"]["y"] == pytest.approx(s, abs=1e-15)
    assert r["reverse"] == pytest.approx(r["forward"], abs=1e-15) and r["agree"] is True
    # d2/dx2 = -sin x e^y, d2/dxdy = cos x e^y, d2/dy2 = sin x e^y
    assert np.allclose(r["hessian"], [[-s, s], [s, s]], rtol=0, atol=1e-15)


def test_json_non_finite_numbers_are_strings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sqrt(x)", "x=0", "--json")
    r = json.loads(out)
    assert code == 0 and r["value"] == 0.0 and r["forward"]["x"] == "inf" and r["reverse"]["x"] == "inf"


def test_hessian_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "x**2 * y", "x=1", "y=2", "--hessian")
    assert code == 0
    block = out.split("second derivatives")[1].splitlines()[1:]
    assert [line.split() for line in block] == [["Hessian", "x", "y"], ["x", "4", "2"], ["y", "2", "0"]]


@pytest.mark.parametrize(
    ("expr", "point", "exact"),
    [
        ("2*x**2 + 2", {"x": 5.0}, {"x": 20.0}),  # the seed's tangent slope
        ("2*x**3 + 4", {"x": 5.0}, {"x": 150.0}),
        ("1 + 2*x1 + 3*x2", {"x1": 4.0, "x2": 5.0}, {"x1": 2.0, "x2": 3.0}),
        ("(x + y)**2", {"x": 1.0, "y": 2.0}, {"x": 6.0, "y": 6.0}),
        ("x**-1", {"x": 2.0}, {"x": -0.25}),
        ("hypot(x, y)", {"x": 3.0, "y": 4.0}, {"x": 0.6, "y": 0.8}),
        ("x % 3 + x // 2", {"x": 7.5}, {"x": 1.0}),
        ("maximum(x, y)", {"x": 2.0, "y": 2.0}, {"x": 0.0, "y": 1.0}),  # a tie goes to the second
        ("x**0", {"x": 0.0}, {"x": 0.0}),
        ("-x**2", {"x": 3.0}, {"x": -6.0}),  # ** binds tighter than unary minus, as in Python
    ],
)
def test_exact_partials_in_both_modes(expr: str, point: dict[str, float], exact: dict[str, float]) -> None:
    r = analyze(expr, point)
    assert r.forward == pytest.approx(exact, abs=1e-14)
    assert r.reverse == pytest.approx(exact, abs=1e-14)
    assert r.agree is True


@pytest.mark.parametrize(
    "expr",
    ["sin(x) * cos(y) / (1 + x**2)", "exp(-x*y) + log1p(x) - tanh(y)", "arctan2(y, x) * sqrt(x*x + y*y)", "x**y + cbrt(y)"],
)
def test_partials_match_central_differences(expr: str) -> None:
    point = {"x": 0.7, "y": 1.3}
    r = analyze(expr, point)
    e = parse(expr, list(point))
    h = 1e-6
    for name in point:
        up, down = dict(point), dict(point)
        up[name] += h
        down[name] -= h
        fd = (evaluate(e, up) - evaluate(e, down)) / (2 * h)
        assert r.forward[name] == pytest.approx(fd, rel=1e-7, abs=1e-8)
        assert r.reverse is not None and r.reverse[name] == pytest.approx(r.forward[name], rel=1e-12)


def test_expression_may_start_with_minus_and_values_may_be_expressions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "-sin(x)", "x=pi/2", "--digits", "6")
    assert code == 0 and "value  f = -1" in out


def test_variable_not_used_has_zero_partial() -> None:
    r = analyze("x**2", {"x": 3.0, "y": 1.0})
    assert r.forward == {"x": 6.0, "y": 0.0} and r.reverse == {"x": 6.0, "y": 0.0}


def test_constant_expression(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "2*pi")
    assert code == 0 and "6.28318530718" in out and "nothing to differentiate" in out


def test_disagreement_exits_1(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_reverse", lambda expr, point: {n: 0.5 for n in point})
    code, out, _ = run(capsys, "x*3", "x=1")
    assert code == 1 and "DISAGREE: please report" in out and "NO (differ by 2.5)" in out


def test_disagreement_at_a_singular_point_points_to_the_conventions(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_reverse", lambda expr, point: {n: math.nan for n in point})
    code, out, _ = run(capsys, "sqrt(x)", "x=0")
    assert code == 1 and "NO (differ by nan)" in out and "singular point" in out and "conventions" in out


def test_help_shows_examples(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0 and 'dualdiff "(x + y)**2" x=1 y=2' in out and "exit codes" in out


def test_no_arguments_prints_the_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert program([]) == 0
    assert "dz/dx = dz/dt * dt/dx = 2t * 1 = 6" in capsys.readouterr().out


def test_python_dash_m_runs_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "dualdiff", "(x + y)**2", "x=1", "y=2", "--json"],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["forward"] == {"x": 6.0, "y": 6.0}
    bad = subprocess.run(
        [sys.executable, "-m", "dualdiff", "__import__('os').system('echo hacked')", "x=1"],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and bad.stdout == ""
    assert "^" in bad.stderr


# --- the graph options ---


def test_graph_text_and_dot(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "(x + y)**2", "x=1", "y=2", "--graph", "text")
    assert code == 0 and "t = x + y = 3" in out and "dz/dx = dz/dt * d(x + y)/dx = 6 * 1 = 6" in out
    code, out, _ = run(capsys, "(x + y)**2", "x=1", "y=2", "--graph=dot")
    assert code == 0 and "digraph computation {" in out and 'label="dz/dx = 6"' in out


def test_graph_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "x*x", "x=3", "--graph", "dot", "--json")
    assert code == 0 and json.loads(out)["graph"].startswith("digraph")


def test_graph_out_dot_needs_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    target = tmp_path / "g.dot"
    code, _, err = run(capsys, "(x + y)**2", "x=1", "y=2", "--graph-out", str(target))
    assert code == 0 and target.read_text().startswith("digraph") and "wrote" in err


def test_graph_out_png_without_graphviz_says_so_before_computing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.setattr(cli, "analyze", lambda *a, **k: pytest.fail("computed before checking the output"))
    code, out, err = run(capsys, "(x + y)**2", "x=1", "y=2", "--graph-out", str(tmp_path / "g.png"))
    assert code == 3 and "needs Graphviz's dot program" in err and "g.svg" in err and "g.dot" in err
    assert out == "" and not (tmp_path / "g.png").exists()


def test_graph_out_svg_without_graphviz_draws_it_in_python(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    target = tmp_path / "g.svg"
    code, out, err = run(capsys, "(x + y)**2", "x=1", "y=2", "--graph-out", str(target))
    texts = [t.text for t in ElementTree.parse(target).iter("{http://www.w3.org/2000/svg}text")]
    assert code == 0 and "value  f = 9" in out and "wrote" in err
    assert {"+", "**2", "t = 3", "z = 9", "dz/dx = 6", "dz/dt = 6"} <= set(texts)


def test_graph_svg_printed(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    code, out, _ = run(capsys, "x*x", "x=3", "--graph", "svg", "--json")
    root = ElementTree.fromstring(json.loads(out)["graph"])
    assert code == 0 and "dz/dx = 6" in [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]


@pytest.mark.parametrize("target, message", [
    ("g.txt", "use .dot, .svg, .png or .pdf"),
    ("g", "a file without extension"),
    ("missing/g.svg", "does not exist"),
    ("folder.svg", "it is a folder"),
])
def test_graph_out_that_cannot_be_written_is_exit_3_before_computing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, message: str
) -> None:
    monkeypatch.setattr(cli, "analyze", lambda *a, **k: pytest.fail("computed before checking the output"))
    (tmp_path / "folder.svg").mkdir()
    code, out, err = run(capsys, "x", "x=1", "--graph-out", str(tmp_path / target))
    assert code == 3 and message in err and out == "" and "Traceback" not in err
    code, out, _ = run(capsys, "x", "x=1", "--json", "--graph-out", str(tmp_path / target))
    assert code == 3 and message in json.loads(out)["error"]


def test_exit_codes_tell_the_outcomes_apart(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(capsys, "x*x", "x=3", "--graph-out", str(tmp_path / "g.dot"))[0] == 0
    assert run(capsys, "x*", "x=3")[0] == 2
    assert run(capsys, "x*x", "x=3", "--graph-out", str(tmp_path / "g.jpeg"))[0] == 3
    assert run(capsys, "x*", "x=3", "--graph-out", str(tmp_path / "g.jpeg"))[0] == 3  # the output is checked first
    monkeypatch.setattr(cli, "_reverse", lambda expr, point: {n: 0.5 for n in point})  # a disagreement, forced
    assert run(capsys, "x*x", "x=3")[0] == 1


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    import dualdiff

    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"dualdiff {dualdiff.__version__}" and dualdiff.__version__.count(".") == 2


def test_graph_out_svg_calls_dot(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "dot"  # a stand-in for Graphviz: records its arguments and its input
    fake.write_text(f"#!{sys.executable}\nimport sys\nopen(sys.argv[-1], 'w').write(' '.join(sys.argv[1:]) + '\\n' + sys.stdin.read())\n")
    fake.chmod(0o755)
    monkeypatch.setattr("shutil.which", lambda name: str(fake) if name == "dot" else None)
    target = tmp_path / "g.svg"
    code, _, _ = run(capsys, "(x + y)**2", "x=1", "y=2", "--graph-out", str(target))
    written = target.read_text()
    assert code == 0 and written.startswith(f"-Tsvg -o {target}") and "digraph computation" in written




# --- bad input: exit 2, a message with a caret, no traceback, nothing executed ---

HOSTILE = [
    "__import__('os')",
    "__import__('os').system('touch pwned')",
    "().__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__dict__",
    "lambda: 1",
    "(lambda: 1)()",
    "[a for a in b]",
    "{a: 1 for a in b}",
    "x[0]",
    "open('f')",
    "open('pwned', 'w')",
    "exec('1')",
    "eval('1')",
    "globals()",
    "sin.__globals__",
    "1e999999**9",
    "9" * 5000,
    "x if x else 1",
    "(y := 2)",
    "x < 1",
    "x and y",
    "'abc'",
    "f'{x}'",
    "b'x'",
    "1j * x",
    "True + x",
    "x ^ 2",
    "x @ x",
    "~x",
    "not x",
    "*x",
    "x; y",
    "x\nimport os",
    "x = 1",
    "sin(x=1)",
    "sin(*[x])",
    "sin(x, y)",
    "sin",
    "x(1)",
    "unknown(x)",
    "z + x",
    "__x__",
    "x\u00b2",
    "",
    "(" * 10000 + "x" + ")" * 10000,
    "x+" * 100000 + "x",
]


@pytest.mark.parametrize("expr", HOSTILE, ids=[repr(h)[:40] for h in HOSTILE])
def test_hostile_input_is_refused_without_effect(
    expr: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    called: list[tuple[str, tuple[object, ...]]] = []
    for name in ("eval", "exec", "compile", "open"):
        real = getattr(builtins, name)
        monkeypatch.setattr(builtins, name, lambda *a, _n=name, _r=real, **k: called.append((_n, a + tuple(k.values()))) or _r(*a, **k))
    code, out, err = run(capsys, expr, "x=1", "y=2")
    monkeypatch.undo()
    assert code == 2, (out, err)
    assert out == "" and err.startswith("dualdiff: ") and "Traceback" not in err
    assert len(err) < 2000  # a message, not an echo of a huge input
    # ast.parse compiles to a tree only (PyCF_ONLY_AST); nothing may be compiled to code, run or opened
    assert all(n == "compile" and int(a[3]) & ast.PyCF_ONLY_AST for n, a in called), called
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("expr", "message", "caret_under"),
    [
        ("x + __import__('os')", "dunder names", "__import__"),
        ("sin(x).real", "attribute access", ".real"),
        ("x + z", "unknown name 'z'", "z"),
        ("2 * x ^ 2", "^ is not a power", "^"),
        ("exp(x, y)", "exp() takes 1 argument(s), got 2", "exp(x, y)"),
        ("1e999 + x", "too large for a float", "1e999"),
        ("sqrt(x) + x[1]", "subscripts", "x[1]"),
    ],
)
def test_messages_point_at_the_offending_part(expr: str, message: str, caret_under: str) -> None:
    with pytest.raises(InputError) as info:
        parse(expr, ["x", "y"])
    text = str(info.value).splitlines()
    assert message in text[0]
    start = text[2].index("^") - 2
    assert text[1][2:][start: start + len(caret_under)] == caret_under
    assert text[2].count("^") == len(caret_under)


def test_huge_powers_are_bounded_not_hanging(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "9**9**9**9 + x", "x=1", "--json")
    r = json.loads(out)
    assert code == 0 and r["value"] == "inf" and r["forward"]["x"] == 1.0  # floats overflow to inf at once
    code, out, _ = run(capsys, "x**9**9**9", "x=2", "--json")
    assert code == 0 and json.loads(out)["value"] == "inf"


def test_long_flat_sum_is_fine_within_the_length_limit() -> None:
    r = analyze("+".join(["x"] * 600), {"x": 1.0})
    assert r.value == 600.0 and r.forward == {"x": 600.0} and r.reverse == {"x": 600.0}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["x", "x"], "expected name=value"),
        (["x", "x=abc"], "in the value of x: unknown name 'abc'"),
        (["x", "x=1e999"], "too large"),
        (["x", "x=1", "x=2"], "x is given twice"),
        (["x", "sin=1"], "sin is the name of a dualdiff function"),
        (["e", "e=1"], "e is the name of a dualdiff constant"),
        (["x", "_x=1"], "is not a variable name"),
        (["x", "1x=1"], "is not a variable name"),
        (["x", "x=__import__('os')"], "dunder names"),
        (["x", "x=1", "--graph", "png"], "invalid choice"),
        (["x", "x=1", "--digits", "99"], "invalid choice"),
        (["x", "x=1", "--bogus"], "unrecognized arguments"),
        ([], "the following arguments are required"),
        (["x"] + [f"v{i}=1" for i in range(201)], "too many variables (201; the limit is 200)"),
    ],
)
def test_bad_arguments_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2 and message in err and "Traceback" not in err


def test_json_error_for_scripts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "x +", "x=1", "--json")
    assert code == 2 and json.loads(out)["error"].startswith("syntax error") and "^" in err


def test_the_command_line_runs_without_scipy():
    # SciPy is optional: the README's first command must work on a machine without it
    code = (
        "import sys; sys.modules['scipy'] = None; sys.modules['scipy.special'] = None\n"
        "import dualdiff\n"
        "assert getattr(dualdiff, 'special', None) is None\n"
        "from dualdiff.tools.cli import main\n"
        "raise SystemExit(main(['(x + y)**2', 'x=1', 'y=2']))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr
    assert "df/dx" in r.stdout and "Traceback" not in r.stderr


# --- --order: Taylor mode on the command line ---
def test_order_prints_the_derivatives_and_the_polynomial(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["x**4", "x=2", "--order", "5"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.startswith("  ") and line.split()[0].isdigit()}
    assert [rows[str(k)][0] for k in range(6)] == ["16", "32", "48", "48", "24", "0"]  # 4!/(4-k)! x^(4-k)
    assert "16 + 32 (x - 2) + 24 (x - 2)^2 + 8 (x - 2)^3 + (x - 2)^4" in out


def test_order_json_matches_taylor(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["exp(sin(x))", "x=0.3", "--order", "6", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)["taylor"]
    from dualdiff import taylor

    want = taylor(lambda x: np.exp(np.sin(x)), 0.3, 6)
    assert got["coefficients"] == want.tolist()
    assert got["derivatives"] == [c * math.factorial(k) for k, c in enumerate(want.tolist())]


def test_order_needs_one_variable_and_a_sensible_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["x * y", "x=1", "y=2", "--order", "3"]) == 2
    assert "exactly one" in capsys.readouterr().err
    assert main(["x", "x=1", "--order", "0"]) == 2
    assert main(["x", "x=1", "--order", "two"]) == 2
