"""A Pyomo model built from labelled blocks, with its matrix kept alongside.

:class:`LinearModel` owns a :class:`pyomo.environ.ConcreteModel` (``model.m``). Each variable
family becomes one indexed Pyomo ``Var`` labelled by its coordinates (``m.spend['KE01',
2026, 'treasury']``); each constraint family becomes one Pyomo ``MatrixConstraint`` (Pyomo's
component for constraints given as a sparse matrix, which bypasses the per-term expression
system); parameters that sweeps change are mutable Pyomo ``Param``s. Because the families are
built from arrays, the same arrays give the solver its matrix directly: nothing is walked
term by term. Constraints that users add as ordinary Pyomo components (the extension hook) are
read with Pyomo's own ``generate_standard_repn``.

Row and column numbers are global; every family records which rows/columns it owns and a
phrase describing a row in roadmap terms, used to explain infeasibility.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
import xarray as xr
from pyomo.core.base.matrix_constraint import MatrixConstraint, _MatrixConstraintData
from pyomo.core.expr.numeric_expr import LinearExpression

from stisim.optimize.linear import TERM, LinExpr, Variable

INF = float("inf")
SENSES = ("<=", ">=", "==")

# describe(labels) -> plain-language phrase for one row or column of a family
Describe = Callable[[dict[str, Any]], str]


@dataclass
class ConstraintBlock:
    """One constraint family: rows ``start .. start+n`` of the model's matrix."""

    name: str
    dims: tuple[str, ...]
    coords: dict[str, np.ndarray]
    shape: tuple[int, ...]
    cells: np.ndarray  # flat cell index (in the dims' full grid) of each row
    start: int
    sense: str
    matrix: sp.csr_matrix  # rows x all columns at creation time
    lower: np.ndarray
    upper: np.ndarray
    rhs: Callable[[], Any] | None
    params: tuple[str, ...]
    describe: Describe | None
    doc: str
    component: Any = None
    from_pyomo: bool = False

    @property
    def n(self) -> int:
        return len(self.cells)

    @property
    def rows(self) -> np.ndarray:
        return np.arange(self.start, self.start + self.n)

    def labels(self, local_row: int) -> dict[str, Any]:
        idx = np.unravel_index(self.cells[local_row], self.shape) if self.shape else ()
        return {d: _py(self.coords[d][i]) for d, i in zip(self.dims, idx)}

    def row_of(self, **labels: Any) -> int:
        """Global row number of the cell with the given labels."""
        pos = tuple(int(np.flatnonzero(self.coords[d] == labels[d])[0]) for d in self.dims)
        cell = np.ravel_multi_index(pos, self.shape) if self.shape else 0
        hit = np.flatnonzero(self.cells == cell)
        if not hit.size:
            raise KeyError(f"{self.name} has no row for {labels}")
        return self.start + int(hit[0])

    def phrase(self, local_row: int) -> str:
        labels = self.labels(local_row)
        if self.describe is not None:
            return self.describe(labels)
        inner = ", ".join(str(v) for v in labels.values())
        return f"{self.name}[{inner}]" if inner else self.name

    def to_dataarray(self, values: np.ndarray, fill: float = np.nan) -> xr.DataArray:
        """Row values (e.g. duals) laid out on the family's dims."""
        grid = np.full(int(np.prod(self.shape)) if self.shape else 1, fill)
        grid[self.cells] = values[self.start:self.start + self.n]
        return xr.DataArray(grid.reshape(self.shape), dims=self.dims,
                            coords={d: self.coords[d] for d in self.dims})


@dataclass
class ParamEntry:
    name: str
    values: xr.DataArray
    component: Any
    doc: str
    units: str


@dataclass
class Changes:
    """What changed since the solver last saw the model."""

    rows: list[np.ndarray] = field(default_factory=list)
    lower: list[np.ndarray] = field(default_factory=list)
    upper: list[np.ndarray] = field(default_factory=list)
    cols: list[np.ndarray] = field(default_factory=list)
    objective: bool = False

    def empty(self) -> bool:
        return not self.rows and not self.cols and not self.objective


def _py(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _index_tuples(coords: dict[str, np.ndarray], shape: tuple[int, ...],
                  flat: np.ndarray) -> list:
    """Pyomo index labels (python scalars or tuples) of the given flat cells."""
    if not shape:
        return [None]
    pos = np.unravel_index(flat, shape)
    columns = [coords[d][p].tolist() for d, p in zip(coords, pos)]
    if len(columns) == 1:
        return columns[0]
    return list(zip(*columns))


class _LabelledRow(_MatrixConstraintData):
    """A matrix row whose Pyomo index is its family's labels (``budget[treasury,2026]``)."""

    __slots__ = ()

    def index(self):
        return self.parent_component()._labels[self._index]

    def to_bounded_expression(self, evaluate_bounds=False):
        comp = self.parent_component()
        lower, upper = comp._lower[self._index], comp._upper[self._index]
        if evaluate_bounds:
            lower = self._evaluate_bound(lower, -INF)
            upper = self._evaluate_bound(upper, INF)
        return lower, self.body, upper

    @property
    def lb(self):
        return self.to_bounded_expression(True)[0]

    @property
    def ub(self):
        return self.to_bounded_expression(True)[2]

    @property
    def expr(self):
        lower, body, upper = self.to_bounded_expression()
        if lower is not None and lower == upper:
            return body == upper
        return pyo.inequality(lower, body, upper)


class BlockConstraint(MatrixConstraint):
    """Pyomo's ``MatrixConstraint`` (rows given as a CSR matrix over a list of variables),
    indexed by the family's coordinate labels and usable by Pyomo's writers and solvers."""

    def __init__(self, A_data, A_indices, A_indptr, lb, ub, x, labels, doc=""):
        super().__init__(A_data, A_indices, A_indptr, lb, ub, x)
        self._label_source = labels  # a list, or a callable producing it on first use
        self._label_list = None
        self._position = None
        self.doc = doc

    @property
    def _labels(self) -> list:
        if self._label_list is None:
            src = self._label_source
            self._label_list = src() if callable(src) else src
        return self._label_list

    def construct(self, data=None):
        # Row objects are created on first access: the solver reads the matrix, not them.
        self._constructed = True

    @property
    def _data(self):
        rows = self.__dict__.get("_rows")
        if self._constructed and not isinstance(rows, tuple):
            ref = weakref.ref(self)
            rows = tuple(_LabelledRow(i, ref) for i in range(len(self._lower)))
            self.__dict__["_rows"] = rows
        return rows if rows is not None else {}

    @_data.setter
    def _data(self, value):
        self.__dict__["_rows"] = value

    def _positions(self) -> dict:
        if self._position is None:
            self._position = {label: i for i, label in enumerate(self._labels)}
        return self._position

    def __getitem__(self, key):
        return self._data[self._positions()[key]]

    def __len__(self) -> int:
        return len(self._lower)

    def __contains__(self, key) -> bool:
        return key in self._positions()

    def __iter__(self):
        return iter(self._labels)

    def keys(self, sort=None, ordered=None):
        return iter(self._labels)

    def values(self, sort=None, ordered=None):
        return iter(self._data)

    def items(self, sort=None, ordered=None):
        return zip(self._labels, self._data)


class LinearModel:
    """Labelled variable and constraint families in a Pyomo model plus their matrix."""

    def __init__(self, name: str = "stisim"):
        self.m = pyo.ConcreteModel(name=name)
        self.variables: dict[str, Variable] = {}
        self.constraints: dict[str, ConstraintBlock] = {}
        self.params: dict[str, ParamEntry] = {}
        self.ncols = 0
        self.nrows = 0
        self._columns: list[Any] = []  # Pyomo VarData per column
        self._col_lower: list[np.ndarray] = []
        self._col_upper: list[np.ndarray] = []
        self._col_integer: list[np.ndarray] = []
        self._col_owner: list[tuple[str, int]] = []  # (variable name, first column)
        self._objective: Callable[[], LinExpr] | None = None
        self._objective_params: tuple[str, ...] = ()
        self.sense = "max"
        self.cost = np.zeros(0)
        self.offset = 0.0
        self._changes = Changes()
        self._pyomo_done: set[int] = set()  # ids of Pyomo components already in the matrix
        self._var_col: dict[int, int] | None = None

    # -- parameters ----------------------------------------------------------------------
    def add_param(self, name: str, values: xr.DataArray | float, doc: str = "",
                  units: str = "") -> xr.DataArray:
        """A mutable Pyomo Param holding ``values`` (labelled by its dims)."""
        values = values if isinstance(values, xr.DataArray) else xr.DataArray(float(values))
        values = values.astype(float)
        if values.dims:
            coords = {d: np.asarray(values.coords[d].values) for d in values.dims}
            index = _index_tuples(coords, values.shape, np.arange(values.size))
            init = dict(zip(index, values.values.ravel().tolist()))
            comp = pyo.Param(index, initialize=init, mutable=True, within=pyo.Any, doc=doc)
        else:
            comp = pyo.Param(initialize=float(values), mutable=True, within=pyo.Any, doc=doc)
        self.m.add_component(name, comp)
        self.params[name] = ParamEntry(name, values.copy(), comp, doc, units)
        return self.params[name].values

    def param(self, name: str) -> xr.DataArray:
        return self.params[name].values

    def set_param(self, name: str, values: xr.DataArray | float | dict) -> None:
        """Change a mutable parameter; the solver picks the change up at the next solve."""
        entry = self.params[name]
        if isinstance(values, dict):
            new = entry.values.copy()
            for key, v in values.items():
                sel = dict(zip(new.dims, key if isinstance(key, tuple) else (key,)))
                new.loc[sel] = v
        elif isinstance(values, xr.DataArray):
            new = values.broadcast_like(entry.values).transpose(*entry.values.dims)
            new = new.astype(float)
        else:
            new = xr.full_like(entry.values, float(values))
        comp = entry.component
        if new.dims:
            for pdata, v in zip(comp.values(), new.values.ravel().tolist()):
                pdata.set_value(v)
        else:
            comp.set_value(float(new))
        self._param_changed(name, new)

    def sync_params(self) -> None:
        """Pick up values set directly on the Pyomo Params (``m.budget_amount[s, y] = v``)."""
        for name, entry in self.params.items():
            comp = entry.component
            if entry.values.dims:
                current = np.fromiter((pyo.value(p) for p in comp.values()), float,
                                      count=entry.values.size).reshape(entry.values.shape)
            else:
                current = np.asarray(float(pyo.value(comp)))
            if not np.array_equal(current, entry.values.values):
                self._param_changed(name, entry.values.copy(data=current))

    def _param_changed(self, name: str, new: xr.DataArray) -> None:
        self.params[name].values = new
        for block in self.constraints.values():
            if name in block.params:
                self._refresh_block(block)
        if name in self._objective_params:
            self._rebuild_objective()

    # -- variables -----------------------------------------------------------------------
    def add_variables(self, name: str, coords: Sequence[tuple[str, Sequence]],
                      lower: Any = 0.0, upper: Any = INF, mask: xr.DataArray | None = None,
                      kind: str = "continuous", doc: str = "", units: str = "",
                      integer: xr.DataArray | None = None) -> Variable:
        """A variable family on the grid of ``coords`` (cells where ``mask`` is False are
        left out); bounds broadcast by dim name. ``kind`` is continuous, binary or integer;
        ``integer`` (a boolean array) makes only some cells integer."""
        dims = [d for d, _ in coords]
        cvals = {d: np.asarray(v) for d, v in coords}
        shape = tuple(len(cvals[d]) for d in dims)
        grid = xr.DataArray(np.zeros(shape, dtype=bool), dims=dims, coords=cvals)
        keep = np.ones(shape, dtype=bool) if mask is None else (
            mask.broadcast_like(grid).transpose(*dims).values.astype(bool))
        flat = np.flatnonzero(keep.ravel())
        n = flat.size
        labels = np.full(int(np.prod(shape)) if shape else 1, -1, dtype=np.int64)
        labels[flat] = np.arange(self.ncols, self.ncols + n)
        labels_da = xr.DataArray(labels.reshape(shape), dims=dims, coords=cvals)
        lo = _broadcast_flat(lower, grid, dims)[flat]
        hi = _broadcast_flat(upper, grid, dims)[flat]
        if kind == "binary":
            lo, hi = np.maximum(lo, 0.0), np.minimum(hi, 1.0)
        is_int = np.full(n, kind != "continuous")
        if integer is not None:
            is_int = _broadcast_flat(integer, grid, dims)[flat].astype(bool)
        var = Variable(name, labels_da, kind, doc, units)
        domain = {"continuous": pyo.Reals, "binary": pyo.Binary, "integer": pyo.Integers}[kind]
        index = _index_tuples(cvals, shape, flat) if dims else None
        uniform = n > 0 and lo.min() == lo.max() and hi.min() == hi.max()
        bounds = ((None if lo[0] == -INF else float(lo[0]), None if hi[0] == INF else
                   float(hi[0])) if uniform else None)
        comp = pyo.Var(index, domain=domain, dense=True, doc=doc, bounds=bounds) if dims \
            else pyo.Var(domain=domain, doc=doc, bounds=bounds)
        self.m.add_component(name, comp)
        datas = list(comp.values())
        if not uniform:
            for vd, a, b in zip(datas, lo.tolist(), hi.tolist()):
                vd.setlb(None if a == -INF else a)
                vd.setub(None if b == INF else b)
        if integer is not None:
            for k in np.flatnonzero(is_int).tolist():
                datas[k].domain = pyo.Integers
        var.component = comp
        self._columns.extend(datas)
        self._col_lower.append(lo)
        self._col_upper.append(hi)
        self._col_integer.append(is_int)
        self._col_owner.append((name, self.ncols))
        self.ncols += n
        self.variables[name] = var
        self._var_col = None
        return var

    def col_bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        def cat(xs):
            return (np.concatenate(xs) if xs else np.zeros(0))
        return cat(self._col_lower), cat(self._col_upper), cat(self._col_integer).astype(bool)

    def set_col_bounds(self, var: Variable, lower: Any = None, upper: Any = None) -> None:
        """Change bounds of a variable family (e.g. to fix or relax) in place."""
        lo, hi, _ = self.col_bounds()
        cols = var.columns
        grid = xr.zeros_like(var.labels, dtype=float)
        flat = np.flatnonzero(var.labels.values.ravel() >= 0)
        if lower is not None:
            lo[cols] = _broadcast_flat(lower, grid, list(var.dims))[flat]
        if upper is not None:
            hi[cols] = _broadcast_flat(upper, grid, list(var.dims))[flat]
        self._col_lower, self._col_upper = [lo], [hi]
        self._changes.cols.append(cols)
        for c in cols:
            vd = self._columns[c]
            vd.setlb(None if lo[c] == -INF else lo[c])
            vd.setub(None if hi[c] == INF else hi[c])

    def column_owner(self, col: int) -> tuple[Variable, dict[str, Any]]:
        """The variable family and labels of a column."""
        starts = [s for _, s in self._col_owner]
        k = int(np.searchsorted(starts, col, side="right") - 1)
        var = self.variables[self._col_owner[k][0]]
        flat = np.flatnonzero(var.labels.values.ravel() == col)[0]
        pos = np.unravel_index(flat, var.labels.shape)
        labels = {d: _py(var.labels.coords[d].values[p]) for d, p in zip(var.dims, pos)}
        return var, labels

    # -- constraints ---------------------------------------------------------------------
    def add_constraints(self, name: str, lhs: LinExpr | Variable, sense: str,
                        rhs: Any = 0.0, mask: xr.DataArray | None = None,
                        params: Sequence[str] = (), describe: Describe | None = None,
                        doc: str = "") -> ConstraintBlock | None:
        """One constraint family ``lhs sense rhs`` on the dims of lhs and rhs.

        ``rhs`` may be a callable returning the right-hand side from current parameter
        values (name them in ``params``) so re-solves after a parameter change only update
        row bounds. Cells whose row is empty and satisfied are dropped; empty but violated
        rows are kept so the solver (and its IIS) sees the conflict.
        """
        if sense not in SENSES:
            raise ValueError(f"sense must be one of {SENSES}")
        if isinstance(lhs, Variable):
            lhs = lhs.to_linexpr()
        rhs_value = rhs() if callable(rhs) else rhs
        target = _as_da(rhs_value) - lhs.const
        vars_, target = xr.broadcast(lhs.vars, target, exclude=[TERM])
        coefs, _ = xr.broadcast(lhs.coefs, target, exclude=[TERM])
        # Rows are labelled in the order of the right-hand side's dims, then the lhs's
        # (budget rows are (source, year) like the budget table).
        rhs_dims = [d for d in _as_da(rhs_value).dims if d in vars_.dims]
        dims = rhs_dims + [d for d in vars_.dims if d != TERM and d not in rhs_dims]
        vars_ = vars_.transpose(*dims, TERM)
        coefs = coefs.transpose(*dims, TERM)
        target = target.transpose(*dims)
        shape = tuple(vars_.sizes[d] for d in dims)
        coords = {d: np.asarray(vars_.coords[d].values) for d in dims}
        ncell = int(np.prod(shape)) if shape else 1
        v2 = vars_.values.reshape(ncell, -1)
        c2 = coefs.values.reshape(ncell, -1)
        b = np.broadcast_to(target.values, shape).reshape(ncell).astype(float)
        valid = (v2 >= 0) & (c2 != 0) & np.isfinite(c2)
        nonempty = valid.any(axis=1)
        keep = np.ones(ncell, dtype=bool)
        if mask is not None:
            grid = xr.DataArray(np.zeros(shape), dims=dims, coords=coords)
            keep = mask.broadcast_like(grid).transpose(*dims).values.reshape(ncell).astype(bool)
        lower, upper = _bounds(sense, b)
        violated_empty = ~nonempty & ((lower > 1e-9) | (upper < -1e-9))
        # Rows whose bounds come from parameters stay even when currently free, so a later
        # parameter change only updates bounds.
        free = np.isinf(lower) & np.isinf(upper)
        keep &= (nonempty | violated_empty) & (~free if not callable(rhs) else nonempty)
        cells = np.flatnonzero(keep)
        if not cells.size:
            return None
        sub_valid = valid[cells]
        r = np.repeat(np.arange(cells.size), sub_valid.sum(axis=1))
        matrix = sp.csr_matrix((c2[cells][sub_valid], (r, v2[cells][sub_valid])),
                               shape=(cells.size, self.ncols))
        matrix.sum_duplicates()
        matrix.eliminate_zeros()
        block = ConstraintBlock(
            name=name, dims=tuple(dims), coords=coords, shape=shape, cells=cells,
            start=self.nrows, sense=sense, matrix=matrix, lower=lower[cells].copy(),
            upper=upper[cells].copy(), rhs=rhs if callable(rhs) else None,
            params=tuple(params), describe=describe, doc=doc)
        block.component = BlockConstraint(
            matrix.data.tolist(), matrix.indices.tolist(), matrix.indptr.tolist(),
            [None if v == -INF else v for v in block.lower.tolist()],
            [None if v == INF else v for v in block.upper.tolist()],
            self._columns,
            (lambda: _index_tuples(coords, shape, cells)) if dims else [None], doc=doc)
        self.m.add_component(name, block.component)
        self.constraints[name] = block
        self.nrows += block.n
        return block

    def _refresh_block(self, block: ConstraintBlock) -> None:
        if block.rhs is None:
            return
        target = _as_da(block.rhs())
        grid = xr.DataArray(np.zeros(block.shape), dims=block.dims,
                            coords={d: block.coords[d] for d in block.dims})
        b = target.broadcast_like(grid).transpose(*block.dims).values.ravel()[block.cells]
        lower, upper = _bounds(block.sense, b.astype(float))
        if np.array_equal(lower, block.lower) and np.array_equal(upper, block.upper):
            return
        block.lower, block.upper = lower, upper
        comp = block.component
        comp._lower[:] = [None if v == -INF else v for v in lower.tolist()]
        comp._upper[:] = [None if v == INF else v for v in upper.tolist()]
        self._changes.rows.append(block.rows)
        self._changes.lower.append(lower)
        self._changes.upper.append(upper)

    # -- objective -----------------------------------------------------------------------
    def set_objective(self, expr: LinExpr | Callable[[], LinExpr], sense: str = "max",
                      params: Sequence[str] = ()) -> None:
        """The objective; pass a callable (and its ``params``) when it reads parameters."""
        self.sense = sense
        self._objective = expr if callable(expr) else (lambda: expr)
        self._objective_params = tuple(params)
        self._rebuild_objective()

    def _rebuild_objective(self) -> None:
        expr = self._objective()
        cols, coefs = expr.flat()
        self.cost = np.bincount(cols, weights=coefs, minlength=self.ncols)
        self.offset = float(expr.const.sum())
        nz = np.flatnonzero(self.cost)
        body = LinearExpression(constant=self.offset,
                                    linear_coefs=self.cost[nz].tolist(),
                                    linear_vars=[self._columns[i] for i in nz])
        sense = pyo.maximize if self.sense == "max" else pyo.minimize
        if hasattr(self.m, "objective"):
            self.m.del_component("objective")
        self.m.objective = pyo.Objective(expr=body, sense=sense)
        self._changes.objective = True

    # -- Pyomo components added by users -------------------------------------------------
    def pyomo_extras(self) -> tuple[list, list]:
        """Variables and constraints on ``m`` that were added as plain Pyomo components."""
        ours = {id(v.component) for v in self.variables.values()}
        ours |= {id(b.component) for b in self.constraints.values()}
        ours |= {id(p.component) for p in self.params.values()}
        new_vars = [c for c in self.m.component_objects(pyo.Var, descend_into=True)
                    if id(c) not in ours and id(c) not in self._pyomo_done]
        new_cons = [c for c in self.m.component_objects(pyo.Constraint, active=True,
                                                        descend_into=True)
                    if id(c) not in ours and id(c) not in self._pyomo_done]
        return new_vars, new_cons

    def absorb_pyomo(self) -> None:
        """Add user Pyomo variables/constraints to the matrix (Pyomo's standard repn)."""
        from pyomo.repn.standard_repn import generate_standard_repn

        new_vars, new_cons = self.pyomo_extras()
        for comp in new_vars:
            datas = list(comp.values())
            n = len(datas)
            lo = np.array([-INF if v.lb is None else v.lb for v in datas], float)
            hi = np.array([INF if v.ub is None else v.ub for v in datas], float)
            integer = np.array([v.is_integer() or v.is_binary() for v in datas])
            labels = xr.DataArray(np.arange(self.ncols, self.ncols + n), dims=["index"],
                                  coords={"index": [str(k) for k in comp]})
            var = Variable(comp.local_name, labels, "integer" if integer.any() else
                           "continuous", comp.doc or "user variable")
            var.component = comp
            self.variables[comp.local_name] = var
            self._columns.extend(datas)
            self._col_lower.append(lo)
            self._col_upper.append(hi)
            self._col_integer.append(integer)
            self._col_owner.append((comp.local_name, self.ncols))
            self.ncols += n
            self._pyomo_done.add(id(comp))
        col_of = {id(v): i for i, v in enumerate(self._columns)}
        for comp in new_cons:
            datas = [c for c in comp.values() if c.active]
            rows, cols, vals, lower, upper = [], [], [], [], []
            for k, con in enumerate(datas):
                repn = generate_standard_repn(con.body, quadratic=False)
                if repn.nonlinear_expr is not None or repn.quadratic_vars:
                    raise ValueError(f"constraint {con.name} is not linear")
                for v, c in zip(repn.linear_vars, repn.linear_coefs):
                    rows.append(k)
                    cols.append(col_of[id(v)])
                    vals.append(float(c))
                const = float(pyo.value(repn.constant))
                lower.append(-INF if con.lower is None else pyo.value(con.lower) - const)
                upper.append(INF if con.upper is None else pyo.value(con.upper) - const)
            matrix = sp.csr_matrix((vals, (rows, cols)), shape=(len(datas), self.ncols))
            matrix.sum_duplicates()
            keys = [str(c.index()) for c in datas]
            block = ConstraintBlock(
                name=comp.local_name, dims=("index",), coords={"index": np.array(keys)},
                shape=(len(datas),), cells=np.arange(len(datas)), start=self.nrows,
                sense="range", matrix=matrix, lower=np.array(lower, float),
                upper=np.array(upper, float), rhs=None, params=(),
                describe=lambda lab, n=comp.local_name, d=comp.doc: (
                    f"the added constraint {n}[{lab['index']}]" + (f" ({d})" if d else "")),
                doc=comp.doc or "user constraint", component=comp, from_pyomo=True)
            self.constraints[comp.local_name] = block
            self.nrows += block.n
            self._pyomo_done.add(id(comp))
        if new_vars and self._objective is not None:
            self.cost = np.concatenate([self.cost, np.zeros(self.ncols - self.cost.size)])

    # -- the whole matrix ----------------------------------------------------------------
    def matrix(self) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
        """The constraint matrix (rows x columns) and row bounds."""
        blocks = sorted(self.constraints.values(), key=lambda b: b.start)
        mats = []
        for b in blocks:
            m = b.matrix
            if m.shape[1] < self.ncols:
                m = sp.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], self.ncols))
            mats.append(m)
        if not mats:
            return sp.csr_matrix((0, self.ncols)), np.zeros(0), np.zeros(0)
        a = sp.vstack(mats, format="csr")
        lower = np.concatenate([b.lower for b in blocks])
        upper = np.concatenate([b.upper for b in blocks])
        return a, lower, upper

    def row_owner(self, row: int) -> tuple[ConstraintBlock, int]:
        for b in self.constraints.values():
            if b.start <= row < b.start + b.n:
                return b, row - b.start
        raise IndexError(row)

    def take_changes(self) -> Changes:
        changes, self._changes = self._changes, Changes()
        return changes

    def write_lp(self, path: str) -> None:
        """Write the model in CPLEX LP format with Pyomo's writer (symbolic names)."""
        self.m.write(str(path), io_options={"symbolic_solver_labels": True})


def _as_da(value: Any) -> xr.DataArray:
    return value if isinstance(value, xr.DataArray) else xr.DataArray(np.asarray(value, float))


def _broadcast_flat(value: Any, grid: xr.DataArray, dims: list) -> np.ndarray:
    da = _as_da(value).astype(float)
    return da.broadcast_like(grid).transpose(*dims).values.ravel() if dims else (
        np.atleast_1d(da.values).astype(float))


def _bounds(sense: str, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if sense == "<=":
        return np.full_like(b, -INF), b.copy()
    if sense == ">=":
        return b.copy(), np.full_like(b, INF)
    return b.copy(), b.copy()
