"""Tiny, safe value expressions used by rule conditions.

``value: min + sec / 60`` or ``value: abs(offset_ms)``. Only names, numbers, + - * /,
unary minus and abs/min/max are allowed: no attribute access, no calls to anything else.
A bare name returns the captured text itself (so ``value: loglevel`` compares strings).
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FUNCTIONS = {"abs": abs, "min": min, "max": max}
_OPERATORS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b if b else math.inf,
}


class ExpressionError(ValueError):
    """The expression is not one this language allows."""


class MissingValue(Exception):
    """A name in the expression has no value (the line or field was not there)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


@dataclass(frozen=True)
class Expression:
    """A compiled value expression."""

    source: str
    tree: ast.Expression | None  # None for a bare name

    @property
    def is_name(self) -> bool:
        return self.tree is None

    def evaluate(self, names: Mapping[str, Any]) -> Any:
        """The value (text for a bare name, a float otherwise). Raises MissingValue."""
        if self.tree is None:
            value = names.get(self.source)
            if value is None:
                raise MissingValue(self.source)
            return value
        return _eval(self.tree.body, names)


def compile_expression(source: str) -> Expression:
    """Compile ``source``; raises ExpressionError naming what is not allowed."""
    text = source.strip()
    if _NAME.match(text):
        return Expression(text, None)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"expression {source!r} is not valid: {exc.msg}") from None
    for node in ast.walk(tree):
        allowed = (
            ast.Expression,
            ast.BinOp,
            ast.UnaryOp,
            ast.USub,
            ast.UAdd,
            ast.Constant,
            ast.Name,
            ast.Load,
            ast.Call,
            *(_OPERATORS.keys()),
        )
        if not isinstance(node, allowed):
            raise ExpressionError(
                f"expression {source!r}: '{type(node).__name__}' is not allowed "
                "(use names, numbers, + - * / and abs/min/max)"
            )
        if isinstance(node, ast.Call) and not (
            isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS
        ):
            raise ExpressionError(f"expression {source!r}: only abs, min and max may be called")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
            raise ExpressionError(f"expression {source!r}: only numbers may appear as constants")
    return Expression(text, tree)


def to_number(value: Any, name: str = "value") -> float:
    """A captured value as a number; raises ValueError with the name when it is not one."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip().lstrip("+"))
    except ValueError:
        raise ValueError(f"{name} = {value!r} is not a number") from None


def _eval(node: ast.AST, names: Mapping[str, Any]) -> float:
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in names or names[node.id] is None:
            raise MissingValue(node.id)
        return to_number(names[node.id], node.id)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, names)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        return float(_OPERATORS[type(node.op)](_eval(node.left, names), _eval(node.right, names)))
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        return float(_FUNCTIONS[node.func.id](*(_eval(arg, names) for arg in node.args)))
    raise ExpressionError(f"cannot evaluate {ast.dump(node)}")  # pragma: no cover
