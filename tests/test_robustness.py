"""Robustness: what a demanding user does that a happy path never does.

1. Identity: memoisation (functools.lru_cache, a dict keyed by value) must not hand the Dual of one
   differentiation to the next, and hand-made tags never collide with automatic ones.
2. User rules see their module's globals as they are when the rule runs on a float.
3. Results that are not numbers (a tuple with a string, None, a dict) are refused, in both modes.
4. The graph drawer and the command line: tuples are drawn as outputs, titles stay short, bad
   input ends with a message and exit code 2, never a traceback.
"""

from __future__ import annotations

import functools
import gc
import json
import math
import threading
import weakref
from typing import Any

import numpy as np
import pytest

import dualdiff as dd
from dualdiff import Dual, Var
from dualdiff.api import reverse
from dualdiff.core import dual as core_dual
from dualdiff.core.number import Number, plain
from dualdiff.rules import TABLE
from dualdiff.tools.cli import main
from dualdiff.tools.graph import Graph, trace_graph

MODES = ("forward", "reverse")


# --- 1. the identity of a Dual ---


@pytest.mark.parametrize("mode", MODES)
def test_lru_cache_never_hands_a_finished_differentiation_to_the_next(mode: str) -> None:
    @functools.lru_cache(None)
    def sq(x: Any) -> Any:
        return x * x

    first = dd.gradient(sq, 3.0, mode=mode) if mode == "reverse" else dd.derivative(sq, 3.0)
    second = dd.gradient(sq, 3.0, mode=mode) if mode == "reverse" else dd.derivative(sq, 3.0)
    assert (first, second) == (6.0, 6.0)
    assert sq.cache_info().hits == 0  # a new Dual (or Var) is a new key: the cache misses, as it should


@pytest.mark.parametrize("mode", MODES)
def test_lru_cache_of_a_function_of_an_array(mode: str) -> None:
    @functools.lru_cache(None)
    def energy(v: Any) -> Any:
        return np.sum(v**2)

    for _ in range(2):  # array Duals are hashable too (by identity), and never found again
        np.testing.assert_array_equal(dd.gradient(energy, [1.0, 2.0], mode=mode), [2.0, 4.0])


def test_duals_hash_by_identity_and_compare_by_value() -> None:
    a, b = Dual(3.0, 1.0), Dual(3.0, 2.0)
    assert a == b and a == 3.0  # comparisons look at values, as before
    assert {a: "a", b: "b"} == {a: "a", b: "b"} and len({a, b}) == 2  # but they are two keys
    assert {a: 1}.get(b) is None and {a: 1}[a] == 1
    assert 3.0 not in {a: 1}  # a float of the same value is not the Dual
    u = Dual(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    assert {u: "u"}[u] == "u" and Dual(np.array([1.0, 2.0])) not in {u: 1}
    assert (u == np.array([1.0, 5.0])).tolist() == [True, False]  # elementwise, as NumPy's
    p, q = Var(3.0), Var(np.array([1.0, 2.0]))  # Vars were identities already: the same rules
    assert p == Var(3.0) and len({p, Var(3.0), q}) == 3 and {q: 1}[q] == 1


def test_hand_made_tags_never_collide_with_automatic_ones() -> None:
    AUTO_TAGS = core_dual.AUTO_TAGS  # noqa: N806
    seen: list[int] = []
    dd.derivative(lambda x: seen.append(x.tag) or x, 1.0)
    assert seen[0] >= AUTO_TAGS
    nxt = seen[0] + 1  # the tag the next differentiation takes
    with pytest.raises(ValueError, match="reserved"):
        Dual(2.0, 1.0, tag=nxt)  # would have been taken for the next call's own variable
    with pytest.raises(TypeError, match="integer tag"):
        Dual(2.0, 1.0, tag=1.5)
    c = Dual(2.0, 1.0, tag=AUTO_TAGS - 1)  # the largest hand-made tag: a constant to every call
    r = dd.derivative(lambda x: x * c, 3.0)
    assert isinstance(r, Dual) and (r.value, r.derivative, r.tag) == (2.0, 1.0, AUTO_TAGS - 1)


def test_nesting_by_hand_still_works() -> None:
    a, b = Dual(2.0, 1.0, tag=1), Dual(3.0, 1.0, tag=2)
    assert repr(a * b) == "Dual(Dual(6.0, 3.0, tag=1), Dual(2.0, 1.0, tag=1), tag=2)"


@pytest.mark.parametrize("mode", MODES)
def test_no_call_returns_a_dual_of_a_finished_differentiation(mode: str) -> None:
    leak: list[Any] = []
    dd.derivative(lambda y: leak.append(y) or y * y, 2.0)  # leak[0]: Dual(2, 1) of a finished call
    if mode == "forward":
        r = dd.derivative(lambda x: x * leak[0], 3.0)
        h = dd.hessian(lambda v: v[0] * leak[0] * v[0], [3.0])
    else:
        r = dd.gradient(lambda v: v[0] * leak[0], [3.0], mode="reverse")[0]
        h = dd.hessian(lambda v: v[0] * leak[0] * v[0], [3.0], mode="reverse")
    assert type(r) in (float, np.float64) and r == 2.0  # leak[0] is the constant 2 now
    assert not isinstance(h, Number) and h.dtype == float and h.tolist() == [[4.0]]
    _, t = dd.jvp(lambda x: x * leak[0], 3.0, 1.0)
    assert t == 2.0 and not isinstance(t, Number)


@pytest.mark.parametrize("mode", MODES)
def test_a_memoised_result_of_an_earlier_call_is_refused(mode: str) -> None:
    cache: dict[float, Any] = {}

    def sq(v: Any) -> Any:  # memoised by value: the second call gets the first call's Dual (or Var)
        key = float(np.ravel(plain(v))[0])
        if key not in cache:
            cache[key] = np.sum(v * v)
        return cache[key]

    assert dd.gradient(sq, [3.0], mode=mode).tolist() == [6.0]
    with pytest.raises(TypeError, match="finished before this one started"):
        dd.gradient(sq, [3.0], mode=mode)  # not a confident 0


def test_the_closure_that_mutates_a_captured_variable_is_still_right() -> None:
    def outer(x: Any) -> Any:  # ForwardDiff.jl issue 443: a finished call's Dual inside this one's result
        box = [x]

        def f(y: Any) -> Any:
            box[0] = box[0] * y
            return box[0]

        dd.derivative(f, 1.0)
        r = dd.derivative(f, 1.0)
        assert not isinstance(r, Dual) or r.tag != 0  # only the outer call's Dual, never a finished one
        return r

    assert dd.derivative(outer, 1.0) == 1.0


# --- 2. user rules see live state ---


@pytest.fixture
def namespace() -> Any:
    """A module-like namespace for user rules; the rules' methods are removed afterwards."""
    names: list[str] = []
    ns: dict[str, Any] = {"np": np, "math": math, "cos": dd.cos, "sin": dd.sin}

    def register(name: str, partial_source: str, scalar: Any = math.sin) -> Any:
        exec(f"def {name}_partial(x, out):\n    return {partial_source}\n", ns)
        rule = dd.register_elementwise(lambda x: np.sin(x), ns[f"{name}_partial"], scalar=scalar, name=name)
        names.append(name)
        return rule

    yield ns, register
    for name in names:
        if name in vars(Number):
            delattr(Number, name)


def test_a_rule_sees_a_constant_its_module_changes(namespace: Any) -> None:
    ns, register = namespace
    ns["K"] = 2.0
    rule = register("k_times_sin", "K * cos(x)")  # a global and a rule: bound, then looked up live
    assert dd.derivative(rule, 0.0) == 2.0  # the float fast path
    ns["K"] = 3.0
    assert dd.derivative(rule, 0.0) == 3.0
    assert dd.gradient(lambda v: rule(v[0]), [0.0], mode="reverse").tolist() == [3.0]
    ns["K"] = 5.0
    with_builtin = register("k_float_sin", "float(K) * cos(x)")  # a builtin too: the exact lookup
    assert dd.derivative(with_builtin, 0.0) == 5.0
    ns["K"] = 7.0
    assert dd.derivative(with_builtin, 0.0) == 7.0


def test_a_rule_finds_a_helper_its_module_defines_later(namespace: Any) -> None:
    ns, register = namespace
    first = register("first_rule", "cos(x)")
    assert dd.derivative(first, 0.0) == 1.0  # the module's rules are now in use on floats
    exec("def helper(x):\n    return 4.0 * x\n", ns)
    later = register("later_rule", "helper(cos(x))")
    assert dd.derivative(later, 0.0) == 4.0  # not a NameError from a copy taken before helper existed


def test_a_rule_that_names_an_unknown_helper_raises_name_error(namespace: Any) -> None:
    ns, register = namespace
    rule = register("broken_rule", "no_such_helper(x) * cos(x)")
    with pytest.raises(NameError, match="no_such_helper"):
        dd.derivative(rule, 0.0)


def test_a_rule_keeps_no_module_alive(namespace: Any) -> None:
    ns, register = namespace

    class Big:
        pass

    ns["BIG"] = Big()
    ref = weakref.ref(ns["BIG"])
    rule = register("big_rule", "cos(x) + 0 * (BIG is None)")
    assert dd.derivative(rule, 0.0) == 1.0
    del rule, ns["big_rule_partial"]
    ns.clear()
    delattr(Number, "big_rule")
    gc.collect()
    assert ref() is None  # no copy of the namespace outlives it


def test_the_table_partials_keep_their_meaning_on_floats() -> None:
    for f, df, x in [(dd.sin, math.cos, 0.7), (dd.cos, lambda v: -math.sin(v), 0.7), (dd.arcsin, lambda v: 1 / math.sqrt(1 - v * v), 0.3),
                     (dd.log2, lambda v: 1 / (v * math.log(2)), 3.0), (dd.deg2rad, lambda v: math.pi / 180, 10.0)]:
        assert dd.derivative(f, x) == pytest.approx(df(x), rel=1e-15)


FLOAT_POINTS = [0.0, -0.0, 1e-300, 1e-8, 0.3, 1.0, 2.5, 19.0, 40.0, 354.0, 356.0, 711.0, 1e300, math.inf, math.nan]


@pytest.mark.parametrize("rule", [r for r in TABLE.values() if r.floats is not None], ids=lambda r: r.name)
def test_a_float_partial_agrees_with_the_general_one(rule: Any) -> None:
    """A rule's `floats=` partial (the fast path on Python floats) gives what the general partial gives
    wherever math does not raise, and derivatives through dualdiff agree with it everywhere else."""
    checked = 0
    for x in FLOAT_POINTS + [-p for p in FLOAT_POINTS]:
        with np.errstate(all="ignore"):
            general = rule.partial(0, (np.float64(x),), rule.ufunc(np.float64(x)))
        try:
            fast = rule.float_partials()[0](x, rule.scalar(x))
        except (ValueError, OverflowError, ZeroDivisionError):  # then the caller falls back to the general one
            fast = None
        if fast is not None:
            checked += 1
            assert fast == pytest.approx(float(general), rel=1e-15, nan_ok=True), x
        d = dd.derivative(getattr(dd, rule.name), x)
        assert d == pytest.approx(float(general), rel=1e-15, nan_ok=True) or (math.isnan(d) and math.isnan(general)), x
    assert checked >= 10


# --- 3. results that are not numbers ---

NOT_NUMBERS = [
    (lambda v: (np.sum(v**2), "aux"), "tuple holding a str"),
    (lambda v: [np.sum(v**2), None], "list holding a NoneType"),
    (lambda v: (np.sum(v**2), {"loss": 1.0}), "tuple holding a dict"),
    (lambda v: (np.sum(v**2), object()), "tuple holding a object"),
    (lambda v: "aux", "returned a str"),
    (lambda v: None, "returned a NoneType"),
    (lambda v: np.array(["a", "b"]), "array of dtype <U1"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("f, message", NOT_NUMBERS)
def test_a_result_that_is_not_numbers_is_refused(mode: str, f: Any, message: str) -> None:
    x = np.array([2.0, 3.0])
    for call in (lambda: dd.gradient(f, x, mode=mode), lambda: dd.jacobian(f, x, mode=mode), lambda: dd.hessian(f, x, mode=mode)):
        with pytest.raises(TypeError, match=message):
            call()
    if mode == "forward":
        with pytest.raises(TypeError, match=message):
            dd.jvp(f, x, np.ones(2))
        with pytest.raises(TypeError, match=message):
            dd.derivative(lambda t: f(t * x), 1.0)
    else:
        with pytest.raises(TypeError, match=message):
            dd.vjp(f, x, np.ones(2))
        with pytest.raises(TypeError, match=message):
            dd.hvp(f, x, np.ones(2))


@pytest.mark.parametrize("mode", MODES)
def test_a_tuple_of_numbers_is_one_vector(mode: str) -> None:
    f = lambda v: (v[0] * v[1], 2.0)  # noqa: E731
    np.testing.assert_array_equal(dd.jacobian(f, [2.0, 3.0], mode=mode), [[3.0, 2.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match=r"returned shape \(2,\)"):
        dd.gradient(f, [2.0, 3.0], mode=mode)  # a tuple of two numbers is not a scalar


def test_a_tuple_of_duals_and_numbers_in_reverse_mode() -> None:
    # forward over reverse: the tuple's entries are Duals (of the outer derivative) and numbers
    r = dd.derivative(lambda t: reverse.jacobian(lambda v: (t * v[0], 1.0), np.array([2.0]))[0, 0], 1.0)
    assert r == 1.0


# --- 4. the graph drawer ---


def test_a_tuple_valued_function_is_drawn_as_its_outputs() -> None:
    g = trace_graph(lambda x, y: (x * y, x + y), x=2.0, y=3.0)
    assert g.title == "z1, z2 = x * y, x + y at x = 2, y = 3" and "constant" not in g.title
    assert [(o.name, o.op, o.value) for o in g.outputs] == [("z1", "*", 6.0), ("z2", "+", 5.0)]
    assert [[(n.name, n.grad) for n in p.inputs] for p in g.parts] == [[("x", 3.0), ("y", 2.0)], [("x", 1.0), ("y", 1.0)]]
    assert all(n.grad is None for n in g.nodes) and all(e.grad is None for e in g.edges)  # a gradient is of one output
    text = g.text()
    assert "  z1 = x * y = 6\n  z2 = x + y = 5" in text
    assert "backward pass of z1" in text and "dz2/dx = dz2/dz2 * d(x + y)/dx = 1 * 1 = 1" in text
    dot = g.dot()
    assert "out1" in dot and "out2" in dot and "dir=back" not in dot


def test_a_tuple_with_a_constant_and_an_input() -> None:
    g = trace_graph(lambda x, y: (x, 2.0, x * y), x=1.0, y=2.0)
    assert g.title == "z1, z2, z3 = x, 2, x * y at x = 1, y = 2"
    assert [o.kind for o in g.outputs] == ["input", "constant", "op"] and g.outputs[2].name == "z3"
    assert "dz2/dy = 0   (y is not used)" in g.text()
    a, b = Var(2.0, name="a"), Var(5.0, name="b")
    gv = Graph.from_var([a * b, a + b])
    assert [p.inputs[0].grad for p in gv.parts] == [5.0, 1.0]


def test_a_graph_result_that_is_not_numbers_is_refused() -> None:
    with pytest.raises(TypeError, match="tuple holding a str"):
        trace_graph(lambda x: (x * x, "aux"), x=1.0)
    with pytest.raises(TypeError, match="returned a str"):
        trace_graph(lambda x: "aux", x=1.0)
    with pytest.raises(TypeError, match="empty tuple"):
        trace_graph(lambda x: (), x=1.0)


def _squares(n: int) -> Any:
    def f(x: Any) -> Any:
        for _ in range(n):
            x = x * x
        return x

    return f


def test_a_graph_title_never_grows_exponentially() -> None:
    for n in (20, 40):  # 20 doubles the text a million times over; 40 would need a terabyte
        done: list[Graph] = []
        worker = threading.Thread(target=lambda: done.append(trace_graph(_squares(n), x=1.0)), daemon=True)
        worker.start()
        worker.join(20)
        assert done, f"tracing {n} self-multiplications did not finish"
        g = done[0]
        assert len(g.title) < 300 and len(g.expression()) < 300
        assert g.title.startswith("z = t") and g.title.endswith(" at x = 1")
    assert trace_graph(lambda a, b: 2 * (a - b) ** 3 / -b, a=1.0, b=2.0).expression() == "2 * (a - b)**3 / -b"


# --- 4. the command line ---


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("value", ["1e308*10", "-1e308*10", "10**400", "exp(1000)"])
def test_an_infinite_value_is_refused_like_nan(capsys: pytest.CaptureFixture[str], value: str) -> None:
    code, out, err = run(capsys, "x", f"x={value}")
    assert code == 2 and out == "" and "infinite" in err and "Traceback" not in err


def test_an_expression_that_starts_with_two_dashes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--x", "x=1")
    assert code == 2 and "unrecognized arguments: --x;" in err and "dualdiff -- --x x=1" in err
    code, out, err = run(capsys, "--", "--x", "x=1")  # what the message says to do
    assert code == 0 and "df/dx    1" in out
    code, out, err = run(capsys, "--", "-x", "x=1")
    assert code == 0 and "df/dx    -1" in out
    code, out, err = run(capsys, "x", "--hesian", "x=1")
    assert code == 2 and "did you mean --hessian?" in err and "lone --" not in err
    code, out, err = run(capsys, "--x", "x=1", "--json")
    assert code == 2 and "lone --" in json.loads(out)["error"]


def test_starred_arguments_are_named(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "hypot(*x)", "x=1")
    assert code == 2 and "starred arguments (*x) are not allowed" in err and "takes 2 argument" not in err
    code, out, err = run(capsys, "hypot(**x)", "x=1")
    assert code == 2 and "** unpacking" in err


def test_a_rules_type_error_is_a_message_and_exit_code_2(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("scipy")
    code, out, err = run(capsys, "jv(x, y)", "x=1.3", "y=0.7")
    assert code == 2 and out == "" and "Traceback" not in err
    assert "cannot differentiate jv(x, y)" in err and "order" in err
    code, out, err = run(capsys, "jv(x, y)", "x=1.3", "y=0.7", "--json")
    assert code == 2 and "order" in json.loads(out)["error"]
    code, out, err = run(capsys, "jv(1.3, y)", "y=0.7")  # the order as a number: fine
    assert code == 0


# --- a complex input point: f'(z) for a holomorphic f; a step that is not analytic refuses ---
@pytest.mark.parametrize(
    "f, df",
    [
        (np.exp, np.exp),
        (lambda z: z**3 / (1 + z), lambda z: (3 * z**2 * (1 + z) - z**3) / (1 + z) ** 2),
        (lambda z: np.sin(z) * np.log(z), lambda z: np.cos(z) * np.log(z) + np.sin(z) / z),
        (lambda z: np.sum(np.fft.fft(np.stack([z, 2 * z, z * z]))), lambda z: np.sum(np.fft.fft(np.array([1, 2, 2 * z])))),
    ],
)
def test_a_complex_point_gives_the_complex_derivative_of_a_holomorphic_function(f, df):
    z = 0.3 + 0.4j
    np.testing.assert_allclose(dd.derivative(f, z), df(z), rtol=1e-13)
    h = 1e-7  # the derivative of a holomorphic f is the same along the real and the imaginary axis
    np.testing.assert_allclose(dd.derivative(f, z), (f(z + h) - f(z - h)) / (2 * h), rtol=1e-6)
    np.testing.assert_allclose(dd.derivative(f, z), (f(z + 1j * h) - f(z - 1j * h)) / (2j * h), rtol=1e-6)


def test_jacobian_and_jvp_take_complex_points():
    z = np.array([0.3 + 0.4j, -1.0j])
    np.testing.assert_allclose(dd.jacobian(np.sin, z), np.diag(np.cos(z)), rtol=1e-14)
    np.testing.assert_allclose(dd.jvp(np.exp, z, np.ones(2))[1], np.exp(z), rtol=1e-14)


@pytest.mark.parametrize("f", [np.conj, np.abs, np.real, np.imag, np.angle, lambda z: z * np.conj(z)])
def test_a_step_that_is_not_analytic_refuses_at_a_complex_point(f):
    with pytest.raises(TypeError, match="not complex-differentiable"):
        dd.derivative(f, 0.3 + 0.4j)


def test_real_valued_functions_of_a_complex_point_are_refused_by_gradient():
    with pytest.raises(TypeError, match="split z"):
        dd.gradient(lambda z: np.sum(np.abs(z) ** 2), np.array([1 + 2j]))
    with pytest.raises(TypeError, match="split z"):
        dd.gradient(lambda z: np.sum(np.abs(z) ** 2), np.array([1 + 2j]), mode="reverse")
