"""Reading and writing portfolio files: YAML, a directory of CSV tables, or an XLSX workbook.

All three hold the same schema (``attributes.yml``). YAML nests effects inside actions; the
tabular forms use one table (CSV file or sheet) per component:

=============  ==========================================================================
table          columns
=============  ==========================================================================
portfolio      ``key``, ``value`` (name, country, currency, horizon "2025-2034", ...)
sources        id, name, kind, channel, budget (one number) or ``budget_<year>`` columns,
               carry_over
actions        one column per action attribute; ``cost_<year>`` columns or ``cost`` as
               "5;5;5" from ``start``; ``sources`` as "treasury;donor:0.5";
               ``depends_on`` as "A;B"
effects        action, indicator, change, lag, response ("linear", "concave", "0:0;0.5:0.7;1:1")
agencies       id, name, capacity or ``capacity_<year>`` columns
regions        id, name, min_share
floors         name, indicator or goal, target, year
scenarios      id, probability, effect_factor, budget_factor, value_factor, ...
=============  ==========================================================================

Every loader returns the raw mapping plus a locator naming the file, sheet and row of each
item, so validation errors point at the cell to fix.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from stisim.errors import ConfigError, Problem
from stisim.roadmap.schema import Locator

TABLES = ("portfolio", "sources", "actions", "effects", "agencies", "regions", "floors",
          "scenarios")
LIST_KEYS = {"sources": "source", "actions": "action", "agencies": "agency",
             "regions": "region", "floors": "floor", "scenarios": "scenario"}
YEAR_COLUMN = re.compile(r"^(budget|cost|capacity)_(\d{4})$")
FORMATS = ("yaml", "csv", "xlsx")


def portfolio_format(path: Path) -> str:
    if path.is_dir() or path.suffix.lower() == ".csv":
        return "csv"
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return "xlsx"
    if path.suffix.lower() in (".yaml", ".yml"):
        return "yaml"
    raise ConfigError([Problem("portfolio", "unknown portfolio file type", str(path),
                               ".yaml/.yml, .xlsx, a .csv table or a directory of CSV tables")])


def read_portfolio_file(path: str | Path) -> tuple[dict[str, Any], Locator, str]:
    """The raw portfolio mapping of a file, a locator for messages, and the file label."""
    path = Path(path)
    if not path.exists():
        raise ConfigError([Problem("portfolio", "file not found", str(path))])
    fmt = portfolio_format(path)
    if fmt == "yaml":
        return _read_yaml(path)
    directory = path if path.is_dir() else path.parent
    if fmt == "csv":
        tables = {}
        for name in TABLES:
            file = directory / f"{name}.csv"
            if file.exists():
                tables[name] = read_csv_table(file)
        label = str(directory)
        if "actions" not in tables:
            raise ConfigError([Problem("actions", "a CSV portfolio needs actions.csv", label,
                                       ", ".join(f"{t}.csv" for t in TABLES))],
                              title=f"invalid portfolio {label}")

        def where_csv(table: str, row: int | None) -> str:
            file = directory / f"{table}.csv"
            return f"{file}" + (f", row {row + 2}" if row is not None else "")

        return _from_tables(tables, where_csv, label)
    return _read_xlsx(path)


# -- YAML --------------------------------------------------------------------------------
def _read_yaml(path: Path) -> tuple[dict[str, Any], Locator, str]:
    from stisim.io import check_file_size, check_yaml

    label = str(path)
    check_file_size(path)
    text = _decode(path.read_bytes(), label, "YAML")
    check_yaml(text, label)
    if text.lstrip().replace(" ", "").startswith("#@package_global_"):
        raise ConfigError([Problem("<file>", "this is a scenario file, not a portfolio",
                                   None, "a plain YAML portfolio (see docs/roadmap.md)",
                                   label)], title=f"invalid portfolio {label}")
    # One parse (libyaml's C parser where PyYAML has it): the node tree gives the line numbers
    # of list items for messages, and the data is constructed from the same tree.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        raw = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{label}:{mark.line + 1}" if mark is not None else label
        raise ConfigError([Problem("<file>", f"not valid YAML: {exc}", None, None, where)],
                          title=f"invalid portfolio {label}") from None
    finally:
        loader.dispose()
    if not isinstance(raw, Mapping):
        raise ConfigError([Problem("<file>", "a portfolio file must hold a mapping",
                                   type(raw).__name__, None, label)],
                          title=f"invalid portfolio {label}")
    lines = _item_lines(node)

    def locate(component: str, position: int | None, item_id: str | None) -> str:
        line = lines.get((component, position))
        return f"{label}:{line}" if line else label

    return dict(raw), locate, label


def _item_lines(node: Any) -> dict[tuple[str, int], int]:
    """Line numbers of the items of each top-level list (for error messages)."""
    out: dict[tuple[str, int], int] = {}
    if not isinstance(node, yaml.MappingNode):
        return out
    for key, value in node.value:
        component = LIST_KEYS.get(getattr(key, "value", None))
        if component and isinstance(value, yaml.SequenceNode):
            for i, item in enumerate(value.value):
                out[(component, i)] = item.start_mark.line + 1
    return out


# -- XLSX --------------------------------------------------------------------------------
def _read_xlsx(path: Path) -> tuple[dict[str, Any], Locator, str]:
    from openpyxl import load_workbook

    from stisim.io import check_workbook

    label = str(path)
    check_workbook(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on bad files
        raise ConfigError([Problem("<file>", f"cannot read workbook: {exc}", None, None,
                                   label)], title=f"invalid portfolio {label}") from None
    tables = {}
    try:
        for name in TABLES:
            if name not in wb.sheetnames:
                continue
            rows = list(wb[name].iter_rows(values_only=True))
            if not rows:
                continue
            header = [str(h).strip() if h is not None else "" for h in rows[0]]
            keep = [i for i, h in enumerate(header) if h]
            records = [[r[i] if i < len(r) else None for i in keep] for r in rows[1:]]
            df = pd.DataFrame(records, columns=[header[i] for i in keep], dtype=object)
            tables[name] = df
    finally:
        wb.close()
    formulas = _uncalculated_formulas(path, tables)
    if formulas:
        raise ConfigError(formulas, title=f"invalid portfolio {label}")
    if "actions" not in tables:
        raise ConfigError([Problem("actions", "the workbook needs an 'actions' sheet", label,
                                   ", ".join(TABLES))], title=f"invalid portfolio {label}")

    def where_xlsx(table: str, row: int | None) -> str:
        return f"{label}, sheet '{table}'" + (f" row {row + 2}" if row is not None else "")

    return _from_tables(tables, where_xlsx, label)


def _uncalculated_formulas(path: Path, tables: dict[str, pd.DataFrame]) -> list[Problem]:
    """Formula cells without a stored result (a workbook written by a program and never
    opened in a spreadsheet): their value is unknown, not missing."""
    from openpyxl import load_workbook

    empty = {name for name, df in tables.items() if df.isna().to_numpy().any()}
    if not empty:
        return []
    problems: list[Problem] = []
    wb = load_workbook(path, read_only=True, data_only=False)
    try:
        for name in sorted(empty):
            for r, row in enumerate(wb[name].iter_rows(min_row=2), start=2):
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        problems.append(Problem(
                            f"{name}!{cell.coordinate}", "formula without a stored value "
                            "(the workbook was never recalculated)", cell.value,
                            "numbers, or open and save the workbook in a spreadsheet program "
                            "so the formula's result is stored", f"{path}, sheet '{name}' "
                            f"row {r}"))
                        if len(problems) >= 20:
                            return problems
    finally:
        wb.close()
    return problems


# -- CSV ---------------------------------------------------------------------------------
def _decode(data: bytes, label: str, kind: str) -> str:
    """UTF-8 text of a file, or one message saying what it is instead."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4096]:
        what = "UTF-16 text" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "a binary file"
        raise ConfigError([Problem("<file>", f"not UTF-8 {kind}: it looks like {what}", None,
                                   f"{kind} saved as UTF-8 (e.g. 'CSV UTF-8' in Excel)",
                                   label)], title=f"invalid portfolio {label}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ConfigError([Problem("<file>", f"not UTF-8 {kind}: byte {data[exc.start]:#04x} "
                                   f"on line {line} (Windows-1252 or Latin-1?)", None,
                                   f"{kind} saved as UTF-8 (e.g. 'CSV UTF-8' in Excel)",
                                   f"{label}:{line}")],
                          title=f"invalid portfolio {label}") from None


def read_csv_table(file: Path) -> pd.DataFrame:
    """One CSV table of a portfolio, all cells as text; malformed files give one message
    naming the file and line (encoding, separator, quotes, column count)."""
    import io

    from stisim.io import check_file_size

    label = str(file)
    check_file_size(file)
    text = _decode(file.read_bytes(), label, "CSV")
    header = text.splitlines()[0] if text.strip() else ""
    if ";" in header and "," not in header:
        raise ConfigError([Problem("<file>", "columns are separated by ';'", header[:80],
                                   "comma-separated values (header key,value or id,...)",
                                   f"{label}:1")], title=f"invalid portfolio {label}")
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        message = str(exc).strip().splitlines()[0]
        match = re.search(r"line (\d+)", message)
        where = f"{label}:{match.group(1)}" if match else label
        raise ConfigError([Problem("<file>", f"not a valid CSV table: {message}", None,
                                   "one header row, the same number of columns in every row, "
                                   "quotes closed on the line they open", where)],
                          title=f"invalid portfolio {label}") from None


# -- tables -> raw mapping ---------------------------------------------------------------
def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for _, row in df.iterrows():
        record: dict[str, Any] = {}
        series: dict[str, dict[int, Any]] = {}
        for col, value in row.items():
            if _empty(value):
                continue
            match = YEAR_COLUMN.match(str(col))
            if match:
                series.setdefault(match.group(1), {})[int(match.group(2))] = _clean(value)
            else:
                record[str(col)] = _clean(value)
        for key, values in series.items():
            record[key] = values
        if record:
            out.append(record)
        else:
            out.append({})  # keep row numbering; empty rows are dropped below
    return out


def _from_tables(tables: dict[str, pd.DataFrame], where, label: str
                 ) -> tuple[dict[str, Any], Locator, str]:
    raw: dict[str, Any] = {}
    positions: dict[tuple[str, int], int] = {}
    problems: list[Problem] = []
    if "portfolio" in tables:
        df = tables["portfolio"]
        cols = [c.lower() for c in df.columns]
        if cols[:2] != ["key", "value"]:
            problems.append(Problem("portfolio", "the portfolio table needs columns key, value",
                                    list(df.columns), "key, value", where("portfolio", None)))
        else:
            for _, row in df.iterrows():
                key, value = row.iloc[0], row.iloc[1]
                if _empty(key) or _empty(value):
                    continue
                raw[str(key).strip()] = _clean(value)
    for table, component in LIST_KEYS.items():
        if table not in tables:
            continue
        items = []
        for row_number, record in enumerate(_records(tables[table])):
            if not record:
                continue
            positions[(component, len(items))] = row_number
            items.append(record)
        raw[table] = items
    if "effects" in tables:
        by_id = {str(a.get("id")): a for a in raw.get("actions", [])}
        for row_number, record in enumerate(_records(tables["effects"])):
            if not record:
                continue
            action_id = str(record.pop("action", "")).strip()
            if action_id not in by_id:
                problems.append(Problem("effects.action", "effect of an unknown action",
                                        action_id or None, ", ".join(by_id) or None,
                                        where("effects", row_number)))
                continue
            by_id[action_id].setdefault("effects", []).append(record)
    if problems:
        raise ConfigError(problems, title=f"invalid portfolio {label}")

    def locate(component: str, position: int | None, item_id: str | None) -> str:
        table = next(t for t, c in LIST_KEYS.items() if c == component) \
            if component in LIST_KEYS.values() else "portfolio"
        row = positions.get((component, position)) if position is not None else None
        return where(table, row)

    return raw, locate, label


# -- raw mapping -> tables (templates, conversion) ---------------------------------------
def portfolio_tables(raw: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
    """The tabular form of a raw portfolio mapping (as read from YAML)."""
    scalars = []
    for key, value in raw.items():
        if key in LIST_KEYS:
            continue
        if key == "horizon":
            value = f"{value[0]}-{value[1]}"
        elif isinstance(value, Mapping):
            value = ";".join(f"{k}:{v}" for k, v in value.items())
        scalars.append({"key": key, "value": value})
    tables = {"portfolio": pd.DataFrame(scalars, columns=["key", "value"])}
    effects = []
    for table in LIST_KEYS:
        rows = []
        for item in raw.get(table, []) or []:
            row: dict[str, Any] = {}
            for key, value in item.items():
                if key == "effects":
                    for eff in value or []:
                        e = {"action": item["id"], **eff}
                        if isinstance(e.get("response"), list):
                            e["response"] = ";".join(f"{x}:{y}" for x, y in e["response"])
                        effects.append(e)
                    continue
                if key in ("budget", "cost", "capacity") and isinstance(value, Mapping):
                    for year, amount in value.items():
                        row[f"{key}_{year}"] = amount
                elif key in ("budget", "cost", "capacity") and isinstance(value, list):
                    row[key] = ";".join(str(v) for v in value)
                elif key == "sources" and isinstance(value, Mapping):
                    row[key] = ";".join(f"{k}:{v}" for k, v in value.items())
                elif isinstance(value, list):
                    row[key] = ";".join(str(v) for v in value)
                elif isinstance(value, Mapping):
                    row[key] = ";".join(f"{k}:{v}" for k, v in value.items())
                else:
                    row[key] = value
            rows.append(row)
        if rows:
            tables[table] = pd.DataFrame(rows)
    if effects:
        tables["effects"] = pd.DataFrame(effects)
    return tables


def write_portfolio(raw: Mapping[str, Any], path: str | Path) -> Path:
    """Write a raw portfolio mapping as YAML, a CSV directory (path without suffix or an
    existing directory) or an XLSX workbook."""
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        path.write_text(yaml.safe_dump(dict(raw), sort_keys=False, allow_unicode=True),
                        encoding="utf-8")
        return path
    tables = portfolio_tables(raw)
    if path.suffix.lower() == ".xlsx":
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            for name, df in tables.items():
                df.to_excel(writer, sheet_name=name, index=False)
        return path
    path.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        df.to_csv(path / f"{name}.csv", index=False)
    return path
