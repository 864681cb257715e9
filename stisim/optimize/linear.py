"""Labelled linear expressions over blocks of variables (vectorised, no per-term Python).

A :class:`Variable` is a labelled array of column numbers (``-1`` where masked) with the
dims of the data it belongs to (``action``, ``year``, ``source``, ``scenario``). Arithmetic on
variables builds a :class:`LinExpr`: arrays of column numbers and coefficients with one
extra ``_term`` dim, broadcast by dim name like xarray (the idea of linopy's expressions).
Constraint families are then written as whole-array statements, e.g.::

    spend.sum("source") - cost * scale      # dims (action, year), 4 terms per cell

and turned into one sparse matrix block at once.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import xarray as xr

TERM = "_term"


def _as_array(value: Any) -> xr.DataArray:
    return value if isinstance(value, xr.DataArray) else xr.DataArray(np.asarray(value, float))


class Variable:
    """A family of decision variables: column numbers labelled by dims (``-1`` = masked)."""

    def __init__(self, name: str, labels: xr.DataArray, kind: str, doc: str = "",
                 units: str = ""):
        self.name = name
        self.labels = labels
        self.kind = kind
        self.doc = doc
        self.units = units
        self.component = None  # the Pyomo Var

    @property
    def dims(self) -> tuple[Hashable, ...]:
        return self.labels.dims

    @property
    def mask(self) -> xr.DataArray:
        return self.labels >= 0

    @property
    def columns(self) -> np.ndarray:
        flat = self.labels.values.ravel()
        return flat[flat >= 0]

    def __repr__(self) -> str:
        return f"Variable({self.name}, dims={dict(self.labels.sizes)}, n={self.columns.size})"

    def to_linexpr(self, coef: Any = 1.0) -> LinExpr:
        coefs = xr.ones_like(self.labels, dtype=float) * _as_array(coef)
        labels, coefs = xr.broadcast(self.labels, coefs)
        return LinExpr(labels.expand_dims(TERM, axis=-1), coefs.expand_dims(TERM, axis=-1))

    # Arithmetic delegates to LinExpr.
    def __mul__(self, other: Any) -> LinExpr:
        return self.to_linexpr(other)

    __rmul__ = __mul__

    def __neg__(self) -> LinExpr:
        return self.to_linexpr(-1.0)

    def __add__(self, other: Any) -> LinExpr:
        return self.to_linexpr() + other

    __radd__ = __add__

    def __sub__(self, other: Any) -> LinExpr:
        return self.to_linexpr() - other

    def __rsub__(self, other: Any) -> LinExpr:
        return (-self) + other

    def sum(self, dims: str | Sequence[str] | None = None) -> LinExpr:
        return self.to_linexpr().sum(dims)

    def sel(self, **indexers: Any) -> Variable:
        """A view on some cells (labels only; xarray ``sel`` semantics, vectorised indexers
        such as ``action=DataArray(actions_of_effects, dims="effect")`` allowed)."""
        view = Variable(self.name, self.labels.sel(indexers), self.kind, self.doc, self.units)
        view.component = self.component
        return view

    def where(self, cond: xr.DataArray) -> LinExpr:
        return self.to_linexpr().where(cond)


class LinExpr:
    """Σ coefs·x[vars] + const, labelled by dims; the last dim ``_term`` holds the terms."""

    def __init__(self, vars: xr.DataArray, coefs: xr.DataArray, const: Any = 0.0):
        self.vars = vars
        self.coefs = coefs
        self.const = _as_array(const)

    @property
    def dims(self) -> tuple[Hashable, ...]:
        return tuple(d for d in self.vars.dims if d != TERM)

    @property
    def nterm(self) -> int:
        return self.vars.sizes[TERM]

    def __repr__(self) -> str:
        sizes = {d: self.vars.sizes[d] for d in self.dims}
        return f"LinExpr(dims={sizes}, terms={self.nterm})"

    @staticmethod
    def _lift(other: Any) -> LinExpr:
        if isinstance(other, LinExpr):
            return other
        if isinstance(other, Variable):
            return other.to_linexpr()
        const = _as_array(other)
        empty = xr.full_like(const, -1, dtype=np.int64).expand_dims(TERM, axis=-1)
        return LinExpr(empty, xr.zeros_like(empty, dtype=float), const)

    def __add__(self, other: Any) -> LinExpr:
        other = self._lift(other)
        with xr.set_options(arithmetic_join="exact"):
            v1, v2 = xr.broadcast(self.vars, other.vars, exclude=[TERM])
            c1, c2 = xr.broadcast(self.coefs, other.coefs, exclude=[TERM])
            dims = [d for d in v1.dims if d != TERM]
            parts_v = [v.transpose(*dims, TERM) for v in (v1, v2)]
            parts_c = [c.transpose(*dims, TERM) for c in (c1, c2)]
            vars_ = xr.concat(parts_v, dim=TERM, coords="minimal", compat="override")
            coefs = xr.concat(parts_c, dim=TERM, coords="minimal", compat="override")
            const = self.const + other.const
        return LinExpr(vars_, coefs, const)

    __radd__ = __add__

    def __neg__(self) -> LinExpr:
        return LinExpr(self.vars, -self.coefs, -self.const)

    def __sub__(self, other: Any) -> LinExpr:
        return self + (-self._lift(other))

    def __rsub__(self, other: Any) -> LinExpr:
        return (-self) + other

    def __mul__(self, other: Any) -> LinExpr:
        if isinstance(other, (LinExpr, Variable)):
            raise TypeError("products of decision variables are not linear")
        factor = _as_array(other)
        with xr.set_options(arithmetic_join="exact"):
            coefs = self.coefs * factor
            vars_, coefs = xr.broadcast(self.vars, coefs)
            dims = [d for d in coefs.dims if d != TERM]
            return LinExpr(vars_.transpose(*dims, TERM), coefs.transpose(*dims, TERM),
                           self.const * factor)

    __rmul__ = __mul__

    def where(self, cond: xr.DataArray) -> LinExpr:
        """Keep terms where ``cond`` holds (others become empty)."""
        with xr.set_options(arithmetic_join="exact"):
            vars_ = self.vars.where(cond, -1).astype(np.int64)
            coefs = self.coefs.where(cond, 0.0)
            vars_, coefs = xr.broadcast(vars_, coefs)
            dims = [d for d in vars_.dims if d != TERM]
        return LinExpr(vars_.transpose(*dims, TERM), coefs.transpose(*dims, TERM),
                       self.const.where(cond, 0.0) if self.const.dims else self.const)

    def sum(self, dims: str | Sequence[str] | None = None) -> LinExpr:
        """Sum over ``dims`` (all dims when None): their cells become terms."""
        if dims is None:
            dims = list(self.dims)
        elif isinstance(dims, str):
            dims = [dims]
        keep = [d for d in self.dims if d not in dims]
        order = [*keep, *dims, TERM]
        v = self.vars.transpose(*order)
        c = self.coefs.transpose(*order)
        shape = (*tuple(v.sizes[d] for d in keep), -1)
        coords = {d: v.coords[d] for d in keep if d in v.coords}
        vars_ = xr.DataArray(v.values.reshape(shape), dims=(*keep, TERM), coords=coords)
        coefs = xr.DataArray(c.values.reshape(shape), dims=(*keep, TERM), coords=coords)
        const = self.const.sum([d for d in dims if d in self.const.dims])
        if len(dims) and any(d not in self.const.dims for d in dims):
            # A constant that does not vary along a summed dim is counted once per cell.
            for d in dims:
                if d not in self.const.dims:
                    const = const * self.vars.sizes[d]
        return LinExpr(vars_, coefs, const)

    def isel(self, **indexers: Any) -> LinExpr:
        """Cells by position (vectorised indexers allowed, as in xarray ``isel``)."""
        vars_ = self.vars.isel(indexers)
        coefs = self.coefs.isel(indexers)
        dims = [d for d in vars_.dims if d != TERM]
        const = self.const.isel({k: v for k, v in indexers.items() if k in self.const.dims})
        return LinExpr(vars_.transpose(*dims, TERM), coefs.transpose(*dims, TERM), const)

    def groupby_sum(self, dim: str, groups: np.ndarray, new_dim: str,
                    labels: Sequence) -> LinExpr:
        """Sum the cells of ``dim`` that share a group (``groups[k]`` is the group label of
        cell k): the result has ``new_dim`` (one cell per label) instead of ``dim``."""
        groups = np.asarray(groups)
        members = [np.flatnonzero(groups == g) for g in labels]
        width = max((len(m) for m in members), default=0) or 1
        pos = np.full((len(labels), width), -1, dtype=np.int64)
        for k, m in enumerate(members):
            pos[k, : len(m)] = m
        idx = xr.DataArray(np.clip(pos, 0, None), dims=(new_dim, "_slot"),
                           coords={new_dim: list(labels)})
        present = xr.DataArray(pos >= 0, dims=(new_dim, "_slot"), coords={new_dim: list(labels)})
        vars_ = self.vars.isel({dim: idx}).where(present, -1).astype(np.int64)
        coefs = self.coefs.isel({dim: idx}).where(present, 0.0)
        dims = [d for d in vars_.dims if d not in (TERM, "_slot")]
        expr = LinExpr(vars_.transpose(*dims, "_slot", TERM),
                       coefs.transpose(*dims, "_slot", TERM))
        return expr.sum("_slot")

    def flat(self) -> tuple[np.ndarray, np.ndarray]:
        """All (column, coefficient) terms with a column, ignoring cells."""
        v = self.vars.values.ravel()
        c = self.coefs.values.ravel()
        ok = (v >= 0) & (c != 0)
        return v[ok], c[ok]

    def value(self, x: np.ndarray) -> xr.DataArray:
        """The expression evaluated at the column values ``x``."""
        v = self.vars.values
        xv = np.where(v >= 0, x[np.clip(v, 0, None)], 0.0)
        total = (self.coefs.values * xv).sum(axis=-1)
        out = xr.DataArray(total, dims=self.dims,
                           coords={d: self.vars.coords[d] for d in self.dims
                                   if d in self.vars.coords})
        return out + self.const
