"""Validation: sheets of raw cells → canonical rows of one dataset kind, with every problem listed.

A problem names the file, sheet, cell, column, the bad value and what was expected; errors stop a
load, warnings do not. Nothing here touches the database (the entity list is passed in). UN INFO
exports are read by etl/uninfo.py, a budget's indirect-cost rows by etl/indirect.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from core import parse
from core.entities import Entity, EntityResolver
from core.errors import ParseError
from core.registry import Kind
from core.schema import KINDS
from core.vocabulary import header_currency, header_key
from etl.dataset import Dataset, HeaderFit, is_total_label, is_total_row
from etl.indirect import IndirectCosts, differs
from etl.read import FORMULA_WITHOUT_VALUE, Sheet, cell_position, cell_ref
from etl.uninfo import is_uninfo_header, validate_uninfo

HEADER_SCAN_ROWS = 30


# ---------------------------------------------------------------- header matching


def _synonym_index(kind: Kind) -> dict[str, str]:
    """Folded header text → canonical column; canonical names win over another column's synonym."""
    index = {header_key(column.name): column.name for column in kind.columns}
    for column in kind.columns:
        for name in column.synonyms:
            index.setdefault(header_key(name), column.name)
    return index


SYNONYMS = {name: _synonym_index(kind) for name, kind in KINDS.items()}


def match_header(cells: list, kind: str) -> dict[int, str]:
    """Column index → canonical column for one candidate header row (first match wins)."""
    index, matched, taken = SYNONYMS[kind], {}, set()
    for i, cell in enumerate(cells):
        canonical = index.get(header_key(cell))
        if canonical and canonical not in taken:
            matched[i] = canonical
            taken.add(canonical)
    return matched


def find_header(sheet: Sheet, kind: str | None) -> HeaderFit | None:
    """The row among the first rows that best fits a kind (or the given kind)."""
    best = None
    for r, cells in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        if is_uninfo_header(cells):
            if kind in (None, "budget"):
                return HeaderFit(sheet, r, "budget", "uninfo", {}, 1000)
            continue
        for name in [kind] if kind else KINDS:
            columns = match_header(cells, name)
            required = [c for c in KINDS[name].required_columns if not KINDS[name].column(c).file_level]
            hits = sum(c in columns.values() for c in required)
            score = hits * 10 + len(columns)
            # a header must carry most of the required columns of its kind
            if hits >= max(2, len(required) - 2) and (best is None or score > best.score):
                best = HeaderFit(sheet, r, name, "canonical", columns, score)
    return best


# ---------------------------------------------------------------- parsing cells


def _parser(column_type: str, resolver: EntityResolver) -> Callable[[object], object]:
    return {
        "text": parse.parse_text,
        "int": parse.parse_optional_year,
        "year": parse.parse_optional_year,
        "money": parse.parse_money,
        "number": parse.parse_number,
        "date": parse.parse_date,
        "deadline": parse.parse_deadline,
        "status": parse.parse_status,
        "response": parse.parse_response,
        "period": lambda v: None if parse.is_blank(v) else parse.parse_period(v),
        "source_type": parse.parse_source_type,
        "currency": parse.parse_currency,
        "agency": lambda v: None if parse.is_blank(v) else resolver.resolve(v),
    }[column_type]


CODE_COLUMNS = {"outcome_code", "output_code", "indicator_code", "result_code", "recommendation_no", "action_no"}


def validate_canonical(ds: Dataset, fit: HeaderFit, resolver: EntityResolver, fill: dict[str, str]) -> None:
    kind = KINDS[fit.kind]
    sheet = fit.sheet
    _check_header(ds, fit, kind, fill)
    if ds.errors:
        return
    money_currency = _header_currency(ds, fit, kind)
    if money_currency is False:
        return
    parsers = {
        i: (
            name,
            kind.column(name),
            parse.parse_code if name in CODE_COLUMNS else _parser(kind.column(name).type, resolver),
        )
        for i, name in fit.columns.items()
    }
    unsaved = {cell_position(ref) for ref in sheet.formulas_without_value}
    costs = IndirectCosts(ds, fit, parsers, fill, money_currency, unsaved) if fit.kind == "budget" else None
    for r in range(fit.row + 1, len(sheet.rows)):
        cells = sheet.rows[r]
        if all(parse.is_blank(c) for c in cells) and not any(u[0] == r for u in unsaved):
            continue
        if is_total_row(cells) or (costs is not None and costs.is_total_beside(cells)):
            at = next(i for i, c in enumerate(cells) if is_total_label(c))
            ds.warn(
                sheet.name,
                cell_ref(r, at),
                None,
                cells[at],
                "total row skipped (totals are computed, never loaded)",
                code="total_row",
            )
            if costs is not None:
                costs.total(r, cells)
            continue
        if costs is not None and costs.take(r, cells):
            continue
        row = _read_cells(ds, sheet.name, r, cells, parsers, unsaved, fill)
        for name, value in fill.items():
            if name in kind.column_names and row.get(name) is None:
                row[name] = value
        if money_currency:  # the money headers' currency, unless the row's currency cell says it
            _row_currency(ds, fit, r, cells, row, money_currency)
        _check_one_of(ds, fit, kind, r, row)
        _check_ceilings(ds, kind, fit, r, row)
        ds.rows.append(row)
        if costs is not None:
            costs.line(row)
    if costs is not None:
        costs.finish()
    check_duplicate_keys(ds, kind, sheet.name)


def _check_header(ds: Dataset, fit: HeaderFit, kind: Kind, fill: dict[str, str]) -> None:
    """Unknown columns are warned about; each required column (or one-of group) the header lacks is an error."""
    sheet = fit.sheet
    header = sheet.rows[fit.row]
    for i, cell in enumerate(header):
        if i not in fit.columns and not parse.is_blank(cell):
            ds.warn(
                sheet.name,
                cell_ref(fit.row, i),
                None,
                cell,
                f"unknown column ignored (the {kind.name} columns are: {', '.join(c.name for c in kind.columns)})",
                code="unknown_column",
            )
    present = set(fit.columns.values())
    for column in kind.columns:
        if column.required and column.name not in present and not (column.file_level and fill.get(column.name)):
            hint = " (or choose it for the whole file at upload time)" if column.file_level else ""
            synonyms = ", ".join(column.synonyms[:4])
            ds.error(
                sheet.name,
                cell_ref(fit.row, 0),
                column.name,
                None,
                f"missing required column '{column.name}' (also accepted: {synonyms}){hint}",
                code="missing_column",
            )
    for group in kind.one_of:
        if not present & set(group):
            ds.error(
                sheet.name,
                cell_ref(fit.row, 0),
                " / ".join(group),
                None,
                f"one of the columns {' or '.join(group)} is required",
                code="missing_one_of_columns",
            )


def _read_cells(
    ds: Dataset, sheet: str, r: int, cells: list, parsers: dict, unsaved: set[tuple[int, int]], fill: dict[str, str]
) -> dict:
    """Row `r`'s cells read by their columns' parsers; a refused, missing or negative value is an error."""
    row: dict = {"_sheet": sheet, "_row": r + 1}
    for i, (name, column, parser) in parsers.items():
        value = cells[i] if i < len(cells) else None
        if (r, i) in unsaved:  # the cell holds a formula Excel never computed: no value to load
            required = column.required and not (column.file_level and fill.get(name))
            (ds.error if required else ds.warn)(
                sheet,
                cell_ref(r, i),
                name,
                None,
                FORMULA_WITHOUT_VALUE + ("" if required else " (left empty)"),
                code="formula_without_value" if required else "formula_left_empty",
            )
            row[name] = None
            continue
        try:
            row[name] = parser(value)
        except ParseError as exc:
            ds.unreadable(sheet, cell_ref(r, i), name, value, exc)
            row[name] = None
            continue
        if row[name] is None and column.required and not (column.file_level and fill.get(name)):
            ds.error(
                sheet,
                cell_ref(r, i),
                name,
                value,
                f"a value (the {column.name} column must be filled in)",
                code="value_required",
            )
        if column.type == "money" and row[name] is not None and row[name] < 0:
            ds.error(sheet, cell_ref(r, i), name, value, "an amount ≥ 0", code="negative_amount")
    return row


def _row_currency(ds: Dataset, fit: HeaderFit, r: int, cells: list, row: dict, money_currency: str) -> None:
    """The money headers' currency for a row whose currency cell is blank; a different one written is an error."""
    at = next((i for i, n in fit.columns.items() if n == "currency"), None)
    written = cells[at] if at is not None and at < len(cells) else None
    if parse.is_blank(written):
        row["currency"] = money_currency
    elif at is not None and row.get("currency") not in (None, money_currency):  # written: `at` is its column
        ds.error(
            fit.sheet.name,
            cell_ref(r, at),
            "currency",
            written,
            f"{money_currency}, the currency the money columns' headers name",
            code="currency_conflict",
        )


def _check_one_of(ds: Dataset, fit: HeaderFit, kind: Kind, r: int, row: dict) -> None:
    for group in kind.one_of:  # e.g. a key action needs its recommendation's number or text
        if all(row.get(name) is None for name in group):
            at = next(i for i, name in fit.columns.items() if name in group)
            ds.error(
                fit.sheet.name,
                cell_ref(r, at),
                " / ".join(group),
                None,
                f"a value in {' or '.join(group)} (one of the two is required on every row)",
                code="missing_one_of_values",
            )


def _check_ceilings(ds: Dataset, kind: Kind, fit: HeaderFit, r: int, row: dict) -> None:
    """A warning on the figure's cell for each figure above its ceiling on the row (`Kind.not_above`: funds
    secured above a deliverable's cost); the row loads as written."""
    at = {name: i for i, name in fit.columns.items()}
    for figure, ceiling in kind.not_above:
        value, limit = row.get(figure), row.get(ceiling)
        if value is not None and limit is not None and value > limit >= 0 and differs(value, limit):
            ds.warn(
                fit.sheet.name,
                cell_ref(r, at[figure]),
                figure,
                fit.sheet.rows[r][at[figure]],
                f"at most the {ceiling} ({limit:,.2f} in {cell_ref(r, at[ceiling])}): {figure} is "
                f"{value - limit:,.2f} above it (kept as written)",
                code="above_ceiling",
            )


def _header_currency(ds: Dataset, fit: HeaderFit, kind: Kind) -> str | None | Literal[False]:
    """The currency the money columns' headers carry ('Required (EUR)'), None when they name none, or
    False (with an error) when two headers name different currencies."""
    header = fit.sheet.rows[fit.row]
    named = {i: header_currency(header[i]) for i, name in fit.columns.items() if kind.column(name).type == "money"}
    codes = {code for code in named.values() if code}
    if len(codes) > 1:
        ds.error(
            fit.sheet.name,
            cell_ref(fit.row, min(i for i, c in named.items() if c)),
            None,
            " / ".join(sorted(codes)),
            "one currency for every money column of a sheet (convert the amounts, or split the file)",
            code="two_currencies",
        )
        return False
    return codes.pop() if codes else None


def check_duplicate_keys(ds: Dataset, kind: Kind, sheet: str) -> None:
    """Refuse the rows of `sheet` whose key an earlier row of the file already has (in this sheet or an
    earlier one: the same row in two sheets would otherwise be loaded twice)."""
    seen: dict[tuple, tuple[str, int]] = {}
    for row in ds.rows:
        key = tuple(row.get(k) for k in kind.key)
        if key not in seen:
            seen[key] = (row["_sheet"], row["_row"])
        elif row["_sheet"] == sheet:
            where, first = seen[key]
            place = f"row {first}" if where == sheet else f"row {first} of sheet '{where}'"
            ds.error(
                sheet,
                f"row {row['_row']}",
                ", ".join(kind.key),
                " / ".join(str(k) for k in key if k is not None),
                f"a unique row: the same {', '.join(kind.key)} is already on {place}",
                code="duplicate_row",
            )


# ---------------------------------------------------------------- entry point


def validate(
    sheets: list[Sheet],
    file_name: str,
    entities: list[Entity],
    kind: str | None = None,
    fill: dict[str, str | None] | None = None,
) -> Dataset:
    """Find the sheets that hold a dataset kind and validate them into one Dataset."""
    given = {k: v for k, v in (fill or {}).items() if v}  # blank choices fill nothing
    ds = Dataset(file_name)
    if kind is not None and kind not in KINDS:
        ds.error(None, None, None, kind, f"a dataset kind: {', '.join(KINDS)}", code="unknown_kind")
        return ds
    resolver = EntityResolver(entities)
    fits = []
    for sheet in sheets:
        # the template's own Instructions and hidden Lists sheets (etl.template marks them in A1) are not data:
        # passed over without a warning, so a filled template loads with none
        if sheet.rows and sheet.rows[0] and sheet.rows[0][0] in ("UNCT template instructions", "UNCT template lists"):
            continue
        if not sheet.visible:
            ds.warn(sheet.name, None, None, None, "hidden sheet not read", code="hidden_sheet")
            continue
        fit = find_header(sheet, kind)
        if fit is None:
            if any(any(not parse.is_blank(c) for c in row) for row in sheet.rows):
                ds.warn(
                    sheet.name,
                    None,
                    None,
                    None,
                    "passed over: no header row of a dataset kind was found",
                    code="sheet_passed_over",
                )
            continue
        fits.append(fit)
    if not fits:
        wanted = (
            f"the {kind} columns ({', '.join(KINDS[kind].required_columns)})"
            if kind
            else "a header row of a dataset kind (budget, indicators or actions) in the first 30 rows"
        )
        ds.error(None, None, None, None, f"no sheet holds {wanted}", code="no_header")
        return ds
    chosen = kind or max(fits, key=lambda f: f.score).kind
    for fit in fits:
        if fit.kind != chosen:
            ds.warn(
                fit.sheet.name,
                None,
                None,
                None,
                f"passed over: it holds {fit.kind}, not {chosen}",
                code="sheet_passed_over",
            )
            continue
        if ds.layout == "uninfo" or (ds.sheets and fit.layout == "uninfo"):
            ds.warn(
                fit.sheet.name,
                None,
                None,
                None,
                "passed over: one UN INFO export sheet per file",
                code="sheet_passed_over",
            )
            continue
        ds.kind, ds.layout = fit.kind, fit.layout
        ds.sheets.append(fit.sheet.name)
        if fit.layout == "uninfo":
            validate_uninfo(ds, fit, resolver)
        else:
            validate_canonical(ds, fit, resolver, given)
    if not ds.rows and not ds.suboutputs and not ds.errors:  # an export's sub-outputs count without figures
        ds.error(
            ds.sheets[0] if ds.sheets else None,
            None,
            None,
            None,
            "at least one data row below the header (the file has a header only)",
            code="no_data_rows",
        )
    if ds.repaired:  # one warning for the file, with its first case
        sheet, cell, written, fixed = ds.repaired[0]
        ds.warn(
            sheet,
            cell,
            None,
            written,
            f"{len(ds.repaired):,} text cell(s) had garbled accents and "
            f"punctuation (UTF-8 read as Mac Roman) and were repaired, e.g. this one to '{fixed}'",
            code="text_repaired",
        )
    return ds
