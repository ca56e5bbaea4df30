"""Temporary elision: in ``a * b + c`` the Dual ``a * b`` is held by nothing but the expression, so
``+`` may write its result into that Dual's arrays instead of allocating new ones.

NumPy does the same for its own arrays. On arrays of 10**6 entries a new buffer costs about as much
as the arithmetic that fills it (fresh pages, a cold cache), and a Dual's expression allocates two
arrays an operation. It is safe only where nothing else can see the arrays, so every condition
below must hold, or the operator allocates as usual:
- CPython 3.11 to 3.13 with the GIL, whose reference counts count every holder (3.14 lends a
  variable to the stack without counting it), and a probe at import that tells a temporary from a
  variable by its count;
- the operator was called by a binary operator of Python code, and the bytecode shows that the
  operand is the result of another arithmetic operation of the same expression (not a variable, an
  attribute or an item, which C code such as an object array's loop may pass without counting it);
- the Dual is held by the expression alone, and each of its arrays by the Dual alone, owns its
  memory (no view of the user's array) and is large.
"""

from __future__ import annotations

import dis
import sys
import sysconfig
from types import CodeType
from typing import Any

import numpy as np

MIN_SIZE = 1 << 15  # NumPy's threshold too (256 KB of float64): below it a new buffer is cheap
_getrefcount = getattr(sys, "getrefcount", None)
_BINARY_OP = dis.opmap.get("BINARY_OP", -1)
_RESULTS = {"BINARY_OP", "UNARY_NEGATIVE"}  # instructions whose push is a new arithmetic result
_LOADS = {"LOAD_FAST", "LOAD_CONST", "LOAD_DEREF", "LOAD_NAME", "LOAD_GLOBAL", "LOAD_FAST_CHECK", "LOAD_FAST_LOAD_FAST"}
_SITES: dict[tuple[CodeType, int], tuple[bool, bool]] = {}  # (code, offset) -> operands that are results


def _pops_pushes(ins: dis.Instruction) -> tuple[int, int] | None:
    """What a straight-line expression instruction takes from the stack and puts on it; None for any
    other instruction (then no operand is proven a temporary)."""
    name = ins.opname
    if name in _LOADS:
        return 0, dis.stack_effect(ins.opcode, ins.arg)
    if name == "LOAD_ATTR":
        return 1, 1 + dis.stack_effect(ins.opcode, ins.arg)
    if name in ("BINARY_OP", "BINARY_SUBSCR"):
        return 2, 1
    if name in ("UNARY_NEGATIVE", "UNARY_POSITIVE"):
        return 1, 1
    if name in ("NOP", "CACHE"):
        return 0, 0
    return None


def _site(code: CodeType, offset: int) -> tuple[bool, bool]:
    """For the binary operator at ``offset``: is its left operand, and its right one, the result of
    an arithmetic instruction of the same straight-line expression?"""
    found = _SITES.get((code, offset))
    if found is None:
        ins = list(dis.get_instructions(code))
        at = next((i for i, x in enumerate(ins) if x.offset == offset), None)
        found = (_producer_is_result(ins, at, 1), _producer_is_result(ins, at, 0)) if at is not None else (False, False)
        if len(_SITES) > 10_000:  # code made by exec in a loop: forget, rather than grow without end
            _SITES.clear()
        _SITES[(code, offset)] = found
    return found


def _producer_is_result(ins: list[dis.Instruction], at: int, depth: int) -> bool:
    """Walk back from instruction ``at`` to the one that pushed the stack entry ``depth`` below the top."""
    if ins[at].is_jump_target:
        return False
    for j in range(at - 1, -1, -1):
        effect = _pops_pushes(ins[j])
        if effect is None:
            return False
        pops, pushes = effect
        if depth < pushes:
            return ins[j].opname in _RESULTS
        depth += pops - pushes
        if ins[j].is_jump_target:  # control may come from elsewhere, with another stack
            return False
    return False


def _count(x: Any) -> int:
    """x's reference count (-1 without one, off CPython). The probe and `reusable` both call it, so
    the frame it adds counts alike in both."""
    return _getrefcount(x) if _getrefcount is not None else -1


class _Probe:
    """A number whose operator reports its operand's reference count, as `reusable` will see it."""

    def __add__(self, other: Any) -> int:
        return _count(self)


def _calibrate() -> int:
    """The reference count of a temporary operand inside an operator (-1: elision off)."""
    if sys.implementation.name != "cpython" or not (3, 11) <= sys.version_info[:2] <= (3, 13):
        return -1
    if sysconfig.get_config_var("Py_GIL_DISABLED"):
        return -1
    named = _Probe()
    temporary, held = _Probe() + 1, named + 1
    return temporary if held == temporary + 1 else -1  # type: ignore[operator,no-any-return]


_TEMPORARY = _calibrate()


def reusable(x: Any, left: bool, held: int = 0, other: Any = None) -> bool:
    """May the operator that ``x`` is an operand of (``left`` or right, ``other`` the other operand)
    write its result into x's arrays, which must then have the result's shapes and dtypes?
    ``held``: how many local names of the operator hold ``x``'s value array.

    >>> from dualdiff import Dual
    >>> reusable(Dual(np.ones(3), np.ones(3)), True)    # not called by an operator of an expression
    False
    """
    if _count(x) != _TEMPORARY + 1:  # +1: this function's own reference
        return False
    v, d = x._v, x._d
    if type(v) is not np.ndarray or type(d) is not np.ndarray or v.size < MIN_SIZE:
        return False
    if _count(v) != 4 + held or _count(d) != 4 or v.base is not None or d.base is not None:
        return False  # 4: the Dual, the local name here, _count's argument and getrefcount's
    if not (v.flags.writeable and d.flags.writeable):
        return False
    ov, od = (other._v, other._d) if hasattr(other, "_d") else (other, None)
    if np.result_type(v, ov) != v.dtype or np.broadcast_shapes(v.shape, np.shape(ov)) != v.shape:
        return False
    if od is not None and (np.result_type(d, od, v, ov) != d.dtype or np.broadcast_shapes(d.shape, np.shape(od)) != d.shape):
        return False
    frame = sys._getframe(2)  # the Python code whose binary operator called the operator
    if frame.f_code.co_code[frame.f_lasti] != _BINARY_OP:
        return False
    return _site(frame.f_code, frame.f_lasti)[0 if left else 1]

