"""Exports (SPEC §7): the filtered rows of a dataset, and CSV and Excel bytes in which no text cell can run as
a formula.

A text cell that begins with = + - − @, a tab or a carriage return is prefixed with an apostrophe,
so Excel, LibreOffice and Google Sheets show it as text. Numbers, dates and booleans stay typed.
Control characters (which an .xlsx cannot hold: one such cell used to break the whole workbook, and
which a terminal runs as escapes) and the bidi controls that reverse text ('U+202E gnp.exe' reads
'exe.png') are shown visibly ('␛', '<U+202E>'), in both formats; tab, newline and carriage return,
and the bidi marks right-to-left text uses (U+200E, U+200F, U+061C), are kept.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics import sql
from analytics.filters import Filters, where
from analytics.metrics import METRICS
from analytics.sql import Where
from core.formatting import FORMULA_TRIGGERS, printable
from core.registry import Dataset
from core.schema import EXPORTS
from core.summaries import BUDGET_DETAILS, BUDGET_ROLLUP

#: the SDG goals of a sub-output ('5 Gender Equality; 10 Reduced Inequalities' → a list)
SDG_GOALS = r"list_transform(string_split(coalesce(sdg_goals, ''), ';'), g -> trim(g))"


@dataclass(frozen=True)
class BudgetDetail:
    """Refinements of a budget export on the UN INFO fields kept for filtering (SPEC §2.1b)."""

    strategic_priority: str | None = None  # its title, as the export writes it
    suboutput_status: str | None = None  # implementation, closed, pipeline…
    sdg_goal: str | None = None  # one goal as written, e.g. '5 Gender Equality'
    partner: str | None = None  # text a contributing partner's name contains (any case)

    def add_to(self, w: Where) -> None:
        if self.strategic_priority:
            w.add("strategic_priority = ?", self.strategic_priority)
        if self.suboutput_status:
            w.add("suboutput_status = ?", self.suboutput_status)
        if self.sdg_goal:
            w.add(f"list_contains({SDG_GOALS}, ?)", self.sdg_goal)
        if self.partner:
            w.add("contains(lower(contributing_partners), lower(?))", self.partner)


def budget_detail_options(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, list[str]]:
    """The values the budget export's UN INFO refinements can take within the filters (empty lists
    when the budget in view has no UN INFO rows), read from the details the store keeps (core.summaries)."""
    w = where("budget", filters)

    def distinct(expression: str) -> list[str]:
        return [
            r[0]
            for r in sql.rows(
                con, f"SELECT DISTINCT {expression} AS v FROM {BUDGET_DETAILS}{w.sql()} ORDER BY v", w.params
            )
            if r[0]
        ]

    goals = sql.rows(
        con,
        f"""SELECT DISTINCT g FROM (SELECT unnest({SDG_GOALS}) AS g FROM {BUDGET_DETAILS}{w.sql()})
                              WHERE g <> '' ORDER BY try_cast(split_part(g, ' ', 1) AS INTEGER), g""",
        w.params,
    )
    return {
        "strategic_priority": distinct("strategic_priority"),
        "suboutput_status": distinct("suboutput_status"),
        "sdg_goal": [g[0] for g in goals],
    }


def _where(kind: str, filters: Filters, detail: BudgetDetail | None) -> tuple[Dataset, Where]:
    """The dataset exported (an unknown or unexported name is the registry's error, naming those exported) and
    the WHERE of the filters and the budget refinements."""
    dataset = EXPORTS[kind]
    w = where(kind, filters)
    if detail and kind == "budget":
        detail.add_to(w)
    return dataset, w


def _rolled_up(kind: str, detail: BudgetDetail | None) -> bool:
    """Whether the rows asked for are counted and placed from the budget's rollup (core.summaries): a budget export
    without UN INFO refinements (the rollup has none of their fields)."""
    return kind == "budget" and (detail is None or not any(vars(detail).values()))


def count(con: duckdb.DuckDBPyConnection, filters: Filters, kind: str, detail: BudgetDetail | None = None) -> int:
    """How many rows `rows` returns (without a limit); a budget export's lines counted from the rollup."""
    dataset, w = _where(kind, filters, detail)
    if _rolled_up(kind, detail):
        return int(sql.rows(con, f"SELECT coalesce(sum(_lines), 0) FROM {BUDGET_ROLLUP}{w.sql()}", w.params)[0][0])
    return int(sql.rows(con, f"SELECT count(*) FROM {dataset.view.name}{w.sql()}", w.params)[0][0])


def rows(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    kind: str,
    limit: int | None = None,
    detail: BudgetDetail | None = None,
) -> pd.DataFrame:
    """The filtered rows of a dataset (budget, indicators, actions, submissions), all view columns, in the
    dataset's order; `detail` narrows a budget export further. The first `limit` budget lines (the page's
    preview) are found through the rollup: which groups of the order hold them, then only those lines sorted
    (at 10 M lines 1.07 -> 0.19 s: sorting every line for 200 of them is what it saves)."""
    dataset, w = _where(kind, filters, detail)
    limit_sql = ""
    if limit is not None:
        if _rolled_up(kind, detail):
            _narrow_to_first(con, w, dataset.export_order or "", limit)
        limit_sql = " LIMIT ?"
    params = [*w.params, *([] if limit is None else [int(limit)])]
    return sql.frame(
        con, f"SELECT * FROM {dataset.view.name}{w.sql()} ORDER BY {dataset.export_order}{limit_sql}", params
    )


def _narrow_to_first(con: duckdb.DuckDBPyConnection, w: Where, order: str, limit: int) -> None:
    """Add to `w` a condition every one of the first `limit` budget lines in `order` meets and few others do: the
    groups of the order (its columns) holding them are read from the rollup with their numbers of lines; the lines
    of the first and the last of them, and of every group between, share the order's leading values and lie in a
    range of the next one (NULLs sort last). Constants, so DuckDB prunes the scan by them (a chain of equalities
    per group would cost seconds to plan)."""
    columns = [c.strip() for c in order.split(",")]
    groups = sql.rows(
        con,
        f"""SELECT {order} FROM (
                SELECT {order}, sum(lines) OVER (ORDER BY {order} ROWS UNBOUNDED PRECEDING) - lines AS before
                FROM (SELECT {order}, sum(_lines) AS lines FROM {BUDGET_ROLLUP}{w.sql()} GROUP BY {order}))
            WHERE before < ? ORDER BY {order}""",
        [*w.params, limit],
    )
    if not groups:
        return
    for column, first, last in zip(columns, groups[0], groups[-1]):
        if first == last:
            if first is None:
                w.add(f"{column} IS NULL")
            else:
                w.add(f"{column} = ?", first)
            continue
        if last is None:  # NULLs last: from the first value on, and the NULLs
            w.add(f"({column} >= ? OR {column} IS NULL)", first)
        else:
            w.add(f"{column} BETWEEN ? AND ?", first, last)
        break


# --- formula-safe bytes -----------------------------------------------------------------------------
#: characters `printable` leaves in exported text
KEPT = "\t\n\r\u200e\u200f\u061c"


def neutralise(value: object) -> object:
    """The value, with control characters shown visibly and an apostrophe in front when it is text that a
    spreadsheet would evaluate."""
    if isinstance(value, str):
        value = printable(value, keep=KEPT)
        if value.startswith(FORMULA_TRIGGERS):
            return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose text cells are neutralised (see `neutralise`) and whose timestamps are whole seconds;
    numeric, date and boolean columns otherwise untouched."""
    out = df.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_datetime64_any_dtype(series):  # to the second: no microseconds in a file
            out[column] = series.dt.floor("s")
            continue
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        out[column] = series.map(neutralise, na_action="ignore")
    # column names are text cells too
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def safe_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark (so Excel picks the encoding) and CRLF line ends (RFC 4180,
    which also makes a cell holding a lone carriage return quoted), formula-safe."""
    return safe_frame(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def safe_excel_bytes(df: pd.DataFrame, sheet_name: str = "Data", about: Sequence[tuple[str, object]] = ()) -> bytes:
    """An .xlsx workbook with one sheet, formula-safe: every text cell is written as text (never a
    formula or a link), numbers and dates stay numbers and dates. `about`: (what, value) rows of a second
    sheet, "Filters" (what was applied, when, by whom, data as of), as formula-safe as the data."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    safe = safe_frame(df)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name[:31])
    sheet.freeze_panes = "A2"
    for i, column in enumerate(safe.columns):
        sheet.column_dimensions[_letter(i)].width = min(60, max(10, len(str(column)) + 2))
    bold = Font(bold=True)

    def text_cell(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell

    header = []
    for name in safe.columns:
        cell = text_cell(str(name))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in safe.itertuples(index=False, name=None):
        sheet.append([text_cell(v) if isinstance(v, str) else _excel_value(v) for v in row])
    if about:
        notes = book.create_sheet("Filters")
        notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = 22, 80
        for what, value in about:
            shown = neutralise(value if isinstance(value, str) else str(value))
            notes.append([text_cell(neutralise(what)), text_cell(shown)])  # type: ignore[arg-type]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _excel_value(value):
    """Missing → empty cell; time-zone-aware timestamps lose the zone (Excel has none)."""
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.tz_localize(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def file_stem(kind: str, parts: Sequence[object]) -> str:
    """A download's name from its dataset and the filters applied, 'budget-jordan-2023-2025' (each part cut to 40
    characters; letters and digits only, so any system can store it)."""
    words = [re.sub(r"[^a-z0-9]+", "-", str(p).lower()).strip("-")[:40].strip("-") for p in (kind, *parts) if p]
    return "-".join(w for w in words if w) or kind


#: a column of an export → its label for people ('outcome_code' → 'Outcome code'), where the plain rule would not do
_LABELS = {
    "suboutput_id": "Sub-output ID",
    "suboutput_code": "Sub-output code",
    "suboutput_title": "Sub-output",
    "suboutput_status": "Sub-output status",
    "sdg_goals": "SDG goals",
    "sdg_targets": "SDG targets",
    "outcome_title": "Outcome",
    "output_title": "Output",
    "id": "ID",
    "as_of": "As of",
    "submission_id": "Submission",
    "sha256": "File fingerprint (SHA-256)",
    "created_at": "Loaded at",
    "user_name": "Loaded by",
    "rows_added": "Rows added",
    "rows_replaced": "Rows replaced",
    "rows_rejected": "Rows refused",
    "recommendation_no": "Recommendation no.",
    "action_no": "Action no.",
    "period_end": "Period end",
    "gms_rate": "GMS rate",
    "reported_on": "Data reported on",
    "reported_from": "Report date from",
}


def human_labels(columns: Sequence[str]) -> dict[str, str]:
    """Column → a label for people: the Metric registry's label for a metric ('Required'; the rows carry their
    currency), else the words with spaces ('Funding source')."""
    return {
        c: _LABELS.get(c) or (METRICS[c].label if c in METRICS else c.replace("_", " ").capitalize()) for c in columns
    }
