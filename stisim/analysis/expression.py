"""Outcomes and failure conditions written as small expressions over a result Dataset.

An expression reads like Python and is evaluated by a whitelist walker (never ``eval``)::

    goal_score(goal=9, time=2030) < 50
    sdg_index(time=2030) - sdg_index(time=2022) < 5 or goal_score(goal=7, time=2030) < 60
    indicator_value(indicator="9.5.1", time=2030) < quantile(indicator_value(indicator="9.5.1",
        time=2030), 0.25)

Grammar:

- ``VARIABLE(dim=label, ...)``: a Dataset variable, selected by labels. ``time`` takes a
  calendar year (nearest simulated step within half a year); ``indicator`` takes a code in
  quotes; ``goal`` a number. Dims left unselected stay in the result.
- numbers, ``+ - * /``, comparisons ``< <= > >= == !=`` (chains allowed), ``and``, ``or``,
  ``not``, parentheses;
- functions over the ensemble (all runs and replicates unless ``dim=`` names dims):
  ``mean(x)``, ``median(x)``, ``min(x)``, ``max(x)``, ``quantile(x, q)``, and ``abs(x)``.

A *condition* must give a boolean per ensemble member (dims ⊆ run, replicate, strategy,
scenario); an *outcome* a number per member. Anything else is an error naming the expression,
the offending part and what is allowed.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable

import xarray as xr

from stisim.analysis.datasets import select_time
from stisim.errors import DataError, StisimError

ENSEMBLE_DIMS = ("run", "replicate", "strategy", "scenario", "member", "case")
FUNCTIONS = ("mean", "median", "min", "max", "quantile", "abs")

_COMPARE = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
            ast.GtE: operator.ge, ast.Eq: operator.eq, ast.NotEq: operator.ne}
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv}


class ExpressionError(StisimError):
    """An outcome or condition expression that cannot be evaluated on a Dataset."""


Value = xr.DataArray | float | str


class _Evaluator:
    def __init__(self, ds: xr.Dataset, text: str):
        self.ds, self.text = ds, text

    def fail(self, node: ast.AST | None, message: str) -> ExpressionError:
        part = ast.get_source_segment(self.text, node) if node is not None else None
        where = f" at {part!r}" if part else ""
        return ExpressionError(f"expression {self.text!r}{where}: {message}")

    def __call__(self, node: ast.AST) -> Value:
        method: Callable | None = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise self.fail(node, f"{type(node).__name__} is not allowed; use variables "
                            "called with labels, numbers, + - * /, comparisons, and/or/not, "
                            f"and the functions {', '.join(FUNCTIONS)}")
        return method(node)

    def _Expression(self, node: ast.Expression) -> Value:
        return self(node.body)

    def _Constant(self, node: ast.Constant) -> Value:
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float, str)):
            raise self.fail(node, "only numbers and quoted labels are allowed as constants")
        return node.value

    def _Name(self, node: ast.Name) -> Value:
        if node.id in self.ds.data_vars:
            return self.ds[node.id]
        raise self.fail(node, f"unknown variable {node.id!r}; variables: "
                        f"{', '.join(sorted(map(str, self.ds.data_vars)))}")

    def _UnaryOp(self, node: ast.UnaryOp) -> Value:
        value = self(node.operand)
        if isinstance(node.op, ast.Not):
            return ~self._boolean(node.operand, value)
        if isinstance(node.op, ast.USub):
            return -value
        if isinstance(node.op, ast.UAdd):
            return value
        raise self.fail(node, "unsupported unary operator")

    def _BinOp(self, node: ast.BinOp) -> Value:
        op = _BINARY.get(type(node.op))
        if op is None:
            raise self.fail(node, "only + - * / are allowed")
        return op(self._number(node.left, self(node.left)),
                  self._number(node.right, self(node.right)))

    def _Compare(self, node: ast.Compare) -> Value:
        left = self._number(node.left, self(node.left))
        result = None
        for op_node, right_node in zip(node.ops, node.comparators, strict=True):
            op = _COMPARE.get(type(op_node))
            if op is None:
                raise self.fail(node, "only < <= > >= == != comparisons are allowed")
            right = self._number(right_node, self(right_node))
            part = op(left, right)
            result = part if result is None else result & part
            left = right
        return result

    def _BoolOp(self, node: ast.BoolOp) -> Value:
        values = [self._boolean(v, self(v)) for v in node.values]
        out = values[0]
        for v in values[1:]:
            out = (out & v) if isinstance(node.op, ast.And) else (out | v)
        return out

    def _Call(self, node: ast.Call) -> Value:
        if not isinstance(node.func, ast.Name):
            raise self.fail(node, "call a variable or a function by its plain name")
        name = node.func.id
        if name in FUNCTIONS:
            return self._function(node, name)
        var = self._Name(node.func)
        if node.args:
            raise self.fail(node, f"select {name} by labels, e.g. {name}(time=2030)")
        for kw in node.keywords:
            if kw.arg is None:
                raise self.fail(node, "** is not allowed")
            if kw.arg not in var.dims:
                raise self.fail(kw.value, f"{name} has no dim {kw.arg!r}; dims: "
                                f"{', '.join(map(str, var.dims))}")
            label = self(kw.value)
            var = self._select(kw.value, var, kw.arg, label)
        return var

    def _select(self, node: ast.AST, var: xr.DataArray, dim: str, label: Value) -> xr.DataArray:
        if isinstance(label, xr.DataArray):
            raise self.fail(node, "labels must be constants")
        if dim == "time":
            try:
                return select_time(var, float(label), what="time")
            except (TypeError, ValueError):
                raise self.fail(node, "time takes a calendar year") from None
            except DataError as exc:
                raise self.fail(node, str(exc)) from None
        index = var.indexes.get(dim)
        values = list(index) if index is not None else []
        for candidate in (label, str(label)):
            if candidate in values:
                return var.sel({dim: candidate})
        if isinstance(label, str):
            for v in values:  # numeric dims written as strings, e.g. goal="9"
                if str(v) == label:
                    return var.sel({dim: v})
        shown = ", ".join(map(str, values[:30])) + (" ..." if len(values) > 30 else "")
        raise self.fail(node, f"{dim}={label!r} not found; {dim} labels: {shown}")

    def _function(self, node: ast.Call, name: str) -> Value:
        kwargs = {kw.arg: self(kw.value) for kw in node.keywords}
        unknown = set(kwargs) - {"dim", "q"}
        if unknown:
            raise self.fail(node, f"{name}() takes only dim= (and q= for quantile)")
        args = [self(a) for a in node.args]
        if not args:
            raise self.fail(node, f"{name}() needs an argument")
        x = self._number(node.args[0], args[0])
        if name == "abs":
            return abs(x)
        if not isinstance(x, xr.DataArray):
            raise self.fail(node, f"{name}() needs a variable, not a number")
        dim = kwargs.get("dim")
        dims = [dim] if isinstance(dim, str) else [d for d in x.dims if d in ENSEMBLE_DIMS]
        missing = [d for d in dims if d not in x.dims]
        if missing:
            raise self.fail(node, f"{name}() over {missing}: not a dim of its argument "
                            f"({', '.join(map(str, x.dims))})")
        if name == "quantile":
            q = kwargs.get("q", args[1] if len(args) > 1 else None)
            if not isinstance(q, (int, float)) or not 0 <= q <= 1:
                raise self.fail(node, "quantile(x, q) needs 0 <= q <= 1")
            return x.quantile(float(q), dim=dims, skipna=True).drop_vars("quantile")
        reduce = {"mean": x.mean, "median": x.median, "min": x.min, "max": x.max}[name]
        return reduce(dim=dims, skipna=True)

    def _number(self, node: ast.AST, value: Value) -> Value:
        if isinstance(value, str):
            raise self.fail(node, "a quoted label is only allowed as a selection, "
                            'e.g. indicator_value(indicator="9.5.1")')
        if isinstance(value, xr.DataArray) and value.dtype.kind not in "biuf":
            raise self.fail(node, f"{value.name} is not numeric")
        return value

    def _boolean(self, node: ast.AST, value: Value) -> xr.DataArray:
        if not isinstance(value, xr.DataArray) or value.dtype != bool:
            raise self.fail(node, "and/or/not need comparisons on both sides")
        return value


def evaluate(ds: xr.Dataset, text: str) -> xr.DataArray:
    """Evaluate expression ``text`` on ``ds`` (see the module docstring for the grammar)."""
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ExpressionError(f"expression of {len(text):,} characters is too long; allowed: "
                              f"at most {MAX_EXPRESSION_CHARS:,}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
        depth = _depth(tree)
    except SyntaxError as exc:
        raise ExpressionError(f"expression {text!r}: syntax error ({exc.msg}) at column "
                              f"{exc.offset}") from None
    except (RecursionError, MemoryError):
        depth = MAX_EXPRESSION_DEPTH + 1
    if depth > MAX_EXPRESSION_DEPTH:
        raise ExpressionError(f"expression {_clip(text)!r} is nested too deeply (more than "
                              f"{MAX_EXPRESSION_DEPTH} levels of operators); allowed: split it "
                              "or use sum()/mean() over a dim")
    value = _Evaluator(ds, text.strip())(tree)
    if not isinstance(value, xr.DataArray):
        value = xr.DataArray(value)
    return value


MAX_EXPRESSION_CHARS = 10_000
MAX_EXPRESSION_DEPTH = 100


def _clip(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[:n] + "..."


def _depth(tree: ast.AST) -> int:
    """Nesting depth of an expression tree (iterative: no recursion on deep trees)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        if d <= MAX_EXPRESSION_DEPTH:
            stack.extend((child, d + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _check_dims(text: str, value: xr.DataArray, what: str) -> xr.DataArray:
    extra = [d for d in value.dims if d not in ENSEMBLE_DIMS]
    if extra:
        raise ExpressionError(f"{what} {text!r} leaves dims {extra} unselected; select them, "
                              f"e.g. {extra[0]}=..., so there is one value per run")
    return value


def condition(ds: xr.Dataset, text: str) -> xr.DataArray:
    """A boolean per ensemble member (True = the condition of interest, e.g. failure)."""
    value = evaluate(ds, text)
    if value.dtype != bool:
        raise ExpressionError(f"condition {text!r} is not a comparison; write e.g. "
                              "goal_score(goal=9, time=2030) < 50")
    return _check_dims(text, value, "condition")


def outcome(ds: xr.Dataset, text: str, allow_extra_dims: bool = False) -> xr.DataArray:
    """A number per ensemble member; with ``allow_extra_dims`` unselected outcome dims (e.g.
    ``goal``) may remain, giving one outcome per label."""
    value = evaluate(ds, text)
    if value.dtype == bool or value.dtype.kind not in "iuf":
        raise ExpressionError(f"outcome {text!r} must be numeric, not a comparison")
    extra = [d for d in value.dims if d not in ENSEMBLE_DIMS]
    if extra and not allow_extra_dims:
        raise ExpressionError(f"outcome {text!r} leaves dims {extra} unselected; select them, "
                              f"e.g. {extra[0]}=...")
    return value.astype(float)


def describe(text: str) -> str:
    """The expression with normalised spacing, for titles and reports."""
    try:
        return ast.unparse(ast.parse(text.strip(), mode="eval"))
    except SyntaxError:
        return text.strip()

