"""UN INFO "Data Explorer" exports (SPEC §2.1b): one sub-output per row, its year blocks → budget rows.

A real export must load: cells a parser refuses are left empty with a warning, the same sub-output twice
counts once (a differing later row wins), unknown agency abbreviations are added from the Agencies column.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable

from core import parse
from core.entities import Entity, EntityResolver
from core.errors import ParseError
from etl.dataset import Dataset, HeaderFit, is_total_row
from etl.read import FORMULA_WITHOUT_VALUE, cell_position, cell_ref, column_letter
from etl.uninfo_agencies import uninfo_agencies

YEAR_BLOCK = re.compile(r"^\s*((?:19|20)\d\d)\s+(required|available|expenditure|narrative)\s*$", re.IGNORECASE)

#: UN INFO export columns (SPEC §2.1b) → what we keep
UNINFO_COLUMNS = {
    "country": "Country",
    "plan": "Plan name",
    "strategic_priority_code": "Strategic priority code",
    "strategic_priority": "Strategic priority",
    "outcome_code": "Outcome code",
    "outcome_title": "Outcome",
    "output_code": "Output code",
    "output_title": "Output",
    "suboutput_code": "Sub-Output code",
    "suboutput_title": "Sub-Output",
    "suboutput_id": "ID",
    "start_date": "Start date",
    "end_date": "End date",
    "suboutput_status": "Status",
    "agency_codes": "Agency abbreviations",
    "agency_names": "Agencies",
    "contributing_partners": "Contributing partners",
    "sdg_goals": "SDG Goals",
    "total_required": "Total required resources",
    "total_available": "Total available resources",
    "total_expenditure": "Total expenditure resources",
}
UNINFO_REQUIRED = ("country", "plan", "suboutput_id", "agency_codes", "total_required")
UNINFO_UNKNOWN_OK = ("strategic_priority_code", "outcome_code", "suboutput_code")


def is_uninfo_header(cells: list) -> bool:
    names = {str(c).strip() for c in cells if isinstance(c, str)}
    return {"ID", "Agency abbreviations", "Total required resources"} <= names and any(
        YEAR_BLOCK.match(n) for n in names
    )


def _cell_text(ds: Dataset, sheet: str, r: int, i: int | None, column: str, value) -> str | None:
    """Text of a UN INFO cell, garbled accents repaired (`parse.repair_mojibake`); the common case (plain
    text, '-' for empty) without the general parser."""
    if type(value) is str:
        text: str | None = value.strip()
        if not text or text in ("-", "–", "—"):
            return None
        if text.startswith("#"):  # perhaps an Excel error (#REF!): the parser decides
            text = _parsed_or_warned(ds, sheet, r, i, column, value, parse.parse_text)
    else:
        text = _parsed_or_warned(ds, sheet, r, i, column, value, parse.parse_text)
    if text is None or text.isascii():
        return text
    fixed = parse.repair_mojibake(text)
    if fixed != text:
        ds.repaired.append((sheet, cell_ref(r, i) if i is not None else None, text, fixed))
    return fixed


def _cell_code(ds: Dataset, sheet: str, r: int, i: int | None, column: str, value) -> str | None:
    if type(value) is float and value.is_integer():
        return str(int(value))
    if (
        type(value) is str
        and value
        and value[-1] not in " .:"
        and value[0] != " "
        and "  " not in value
        and value != "-"
        and not value.startswith("#")
    ):
        return value
    return _parsed_or_warned(ds, sheet, r, i, column, value, parse.parse_code)


def _parsed_or_warned(ds: Dataset, sheet: str, r: int, i: int | None, column: str, value, parser) -> str | None:
    """A real export must load: a cell the parser refuses (an Excel error such as #NAME?) is left
    empty with a warning naming it."""
    if parse.is_blank(value):
        return None
    try:
        return parser(value)
    except ParseError as exc:
        ds.warn(sheet, cell_ref(r, i or 0), column, value, exc.expected + " (left empty)", code="value_left_empty")
        return None


def validate_uninfo(ds: Dataset, fit: HeaderFit, resolver: EntityResolver) -> None:
    """One sub-output per row; one budget row per sub-output × year that has any figure (SPEC §2.1b)."""
    columns = _columns(ds, fit)
    if columns is None:
        return
    export = _ExportSheet(ds, fit, resolver, *columns)
    for r in range(fit.row + 1, len(fit.sheet.rows)):
        export.read_row(r)
    export.finish()


def _columns(ds: Dataset, fit: HeaderFit) -> tuple[list[str], dict[str, int | None]] | None:
    """The header's names and where each kept column is; None (with an error each) when a required one is missing."""
    header = [str(c).strip() if c is not None else "" for c in fit.sheet.rows[fit.row]]
    position = {name: i for i, name in reversed(list(enumerate(header)))}
    col = {key: position.get(name) for key, name in UNINFO_COLUMNS.items()}
    for key in UNINFO_REQUIRED:
        if col[key] is None:
            ds.error(
                fit.sheet.name,
                cell_ref(fit.row, 0),
                UNINFO_COLUMNS[key],
                None,
                f"missing column '{UNINFO_COLUMNS[key]}' of the UN INFO export",
                code="uninfo_missing_column",
            )
    return None if ds.errors else (header, col)


def _money_columns(header: list[str]) -> tuple[list[tuple[int, str, int]], Callable[[list], tuple]]:
    """The (year, measure, column index) of every money column of the year blocks, and a getter of their cells."""
    money_columns = []
    for i, name in enumerate(header):
        match = YEAR_BLOCK.match(name)
        if match and match.group(2).lower() != "narrative":
            money_columns.append((int(match.group(1)), match.group(2).lower(), i))
    if not money_columns:
        return money_columns, lambda cells: ()
    getter = operator.itemgetter(*[i for _, _, i in money_columns])
    if len(money_columns) == 1:
        return money_columns, lambda cells: (getter(cells),)
    return money_columns, getter


TEXT_KEYS = (
    "country",
    "plan",
    "strategic_priority",
    "outcome_title",
    "output_title",
    "suboutput_title",
    "suboutput_status",
    "contributing_partners",
    "sdg_goals",
)
CODE_KEYS = ("strategic_priority_code", "outcome_code", "output_code", "suboutput_code", "suboutput_id")


class _ExportSheet:
    """The rows of one export sheet read in order, with what a row needs of the rows before it: the sub-outputs
    kept so far (a later row of the same ID replaces an earlier one where it stood), exact repeats, the agencies
    resolved and the entities added."""

    def __init__(
        self, ds: Dataset, fit: HeaderFit, resolver: EntityResolver, header: list[str], col: dict[str, int | None]
    ):
        self.ds, self.sheet, self.resolver, self.header, self.col = ds, fit.sheet, resolver, header, col
        self.money_columns, self.money_getter = _money_columns(header)
        self.text_keys = [(k, col[k]) for k in TEXT_KEYS]
        self.code_keys = [(k, col[k]) for k in CODE_KEYS]
        id_col = col["suboutput_id"]
        assert id_col is not None  # a required column
        self.id_col = id_col
        self.width = len(header)
        self.known_new: dict[str, Entity] = {}
        self.agency_cache: dict[object, tuple[str | None, bool]] = {}
        self.kept: dict[str, int] = {}  # sub-output ID → index of the row whose content is kept
        #: per sub-output ID, in the order first seen: the sub-output and its figure rows
        self.by_id: dict[str, tuple[dict, list[dict]]] = {}
        self.identical: list[tuple[int, int]] = []  # (row, the earlier row it repeats), 1-based
        self.unsaved_by_row: dict[int, list[int]] = {}
        for ref in self.sheet.formulas_without_value:
            r, c = cell_position(ref)
            self.unsaved_by_row.setdefault(r, []).append(c)

    def read_row(self, r: int) -> None:
        """Row `r`: a sub-output and its figure rows, a repeat, or a row passed over (blank, a total)."""
        cells = self.sheet.rows[r]
        if len(cells) < self.width:
            cells = cells + [None] * (self.width - len(cells))
        if self._passed_over(r, cells):
            return
        self._report_unsaved(r)
        sub = self._suboutput(r, cells)
        if sub is None or self._repeats(r, cells, sub["suboutput_id"]):
            return
        self.kept[sub["suboutput_id"]] = r
        self._warn_missing_codes(r, cells, sub)
        self._dates(r, cells, sub)
        sub["agency"], sub["joint"] = self._agency(r, cells)
        self.by_id[sub["suboutput_id"]] = (sub, self._figures(r, cells, sub["suboutput_id"]))

    def _passed_over(self, r: int, cells: list) -> bool:
        """A row without an ID that is blank, or a total row (with a warning)."""
        if not parse.is_blank(cells[self.id_col]):
            return False
        if all(parse.is_blank(c) for c in cells):
            return True
        if is_total_row(cells):
            self.ds.warn(
                self.sheet.name,
                cell_ref(r, 0),
                None,
                next(c for c in cells if not parse.is_blank(c)),
                "total row skipped (totals are computed, never loaded)",
                code="total_row",
            )
            return True
        return False

    def _report_unsaved(self, r: int) -> None:
        """Formulas Excel never computed: the ID is required, the rest left empty."""
        for i in self.unsaved_by_row.get(r, ()):
            column = self.header[i] if i < len(self.header) else None
            if i == self.id_col:
                self.ds.error(
                    self.sheet.name, cell_ref(r, i), column, None, FORMULA_WITHOUT_VALUE, code="formula_without_value"
                )
            else:
                self.ds.warn(
                    self.sheet.name,
                    cell_ref(r, i),
                    column,
                    None,
                    FORMULA_WITHOUT_VALUE + " (left empty)",
                    code="formula_left_empty",
                )

    def _suboutput(self, r: int, cells: list) -> dict | None:
        """The sub-output's texts and codes; None (with an error) when it has no ID."""
        ds, name = self.ds, self.sheet.name
        sub: dict = {"_sheet": name, "_row": r + 1}
        for key, i in self.text_keys:
            sub[key] = None if i is None else _cell_text(ds, name, r, i, UNINFO_COLUMNS[key], cells[i])
        for key, i in self.code_keys:
            sub[key] = None if i is None else _cell_code(ds, name, r, i, UNINFO_COLUMNS[key], cells[i])
        if sub["suboutput_id"] is None:
            ds.error(
                name,
                cell_ref(r, self.id_col),
                "ID",
                cells[self.id_col],
                "the sub-output's ID (the key of a UN INFO row)",
                code="suboutput_id_missing",
            )
            return None
        return sub

    def _repeats(self, r: int, cells: list, sub_id: str) -> bool:
        """The same sub-output again: an exact copy counts once (True); a different row wins (with a warning)."""
        earlier = self.kept.get(sub_id)
        if earlier is None:
            return False
        differ = _differing_columns(self.header, self.sheet.rows[earlier], cells)
        if not differ:
            self.identical.append((r + 1, earlier + 1))
            return True
        self.ds.warn(
            self.sheet.name,
            cell_ref(r, self.id_col),
            "ID",
            sub_id,
            f"the same sub-output as row {earlier + 1}, differing in {', '.join(differ)}: this later row "
            f"wins (its details and figures replace those of row {earlier + 1})",
            code="suboutput_differs",
        )
        return False

    def _warn_missing_codes(self, r: int, cells: list, sub: dict) -> None:
        for key in UNINFO_UNKNOWN_OK:
            i = self.col[key]
            if sub[key] is None and i is not None:
                self.ds.warn(
                    self.sheet.name,
                    cell_ref(r, i),
                    UNINFO_COLUMNS[key],
                    cells[i],
                    "code missing: kept as unknown (the ID is the key)",
                    code="code_missing",
                )
        if sub["suboutput_status"]:
            sub["suboutput_status"] = sub["suboutput_status"].lower()

    def _dates(self, r: int, cells: list, sub: dict) -> None:
        """Start and end dates; one that does not read as a date is left empty with a warning."""
        for key in ("start_date", "end_date"):
            i = self.col[key]
            value = cells[i] if i is not None else None
            if type(value) is dt.date:
                sub[key] = value
                continue
            try:
                sub[key] = parse.parse_date(value)
            except ParseError as exc:
                self.ds.warn(
                    self.sheet.name,
                    cell_ref(r, i or 0),
                    UNINFO_COLUMNS[key],
                    value,
                    exc.expected + " (left empty)",
                    code="value_left_empty",
                )
                sub[key] = None

    def _agency(self, r: int, cells: list) -> tuple[str | None, bool]:
        """The agency codes and whether the sub-output is joint; the same cell text is resolved once, unless it
        adds entities (each row then names them)."""
        at = self.col["agency_codes"]
        assert at is not None  # a required column
        codes_value = cells[at]
        if codes_value in self.agency_cache:
            return self.agency_cache[codes_value]
        names_at = self.col["agency_names"]
        names_value = cells[names_at] if names_at is not None else None
        found = len(self.known_new)
        agency = uninfo_agencies(
            self.ds, self.sheet.name, cell_ref(r, at), codes_value, names_value, self.resolver, self.known_new
        )
        if len(self.known_new) == found and agency[0] is not None:
            self.agency_cache[codes_value] = agency
        return agency

    def _figures(self, r: int, cells: list, sub_id: str) -> list[dict]:
        """One budget row per year with any figure; an amount that is refused or negative is an error."""
        figures: dict[int, list] = {}
        values = self.money_getter(cells)
        for j in [j for j, v in enumerate(values) if v != "" and v is not None]:  # most year cells are empty
            year, measure, i = self.money_columns[j]
            amount = _amount(self.ds, self.sheet.name, r, i, f"{year} {measure.title()}", values[j])
            if amount is not _REFUSED:
                figures.setdefault(year, [None, None, None])[MEASURE_INDEX[measure]] = amount
        return [
            {
                "suboutput_id": sub_id,
                "year": year,
                "required": required,
                "available": available,
                "expenditure": expenditure,
            }
            for year, (required, available, expenditure) in sorted(figures.items())
            if required is not None or available is not None or expenditure is not None
        ]

    def finish(self) -> None:
        """Hand the sub-outputs and their rows to the dataset, in the order first seen; warn once for the file
        about exact repeats and sub-outputs without money."""
        ds, name, id_col = self.ds, self.sheet.name, self.id_col
        ds.new_entities = list(self.known_new.values())
        for sub, lines in self.by_id.values():
            ds.suboutputs.append(sub)
            ds.rows.extend(lines)
        if self.identical:  # one warning for the file, naming the first copies
            identical = self.identical
            shown = ", ".join(f"row {row} = row {first}" for row, first in identical[:5])
            more = f" and {len(identical) - 5:,} more" if len(identical) > 5 else ""
            ds.warn(
                name,
                cell_ref(identical[0][0] - 1, id_col),
                "ID",
                None,
                f"{len(identical):,} row(s) repeat an earlier row of the same ID exactly ({shown}{more}): "
                "each sub-output is counted once",
                code="suboutput_repeated",
            )
        moneyless = [sub for sub, lines in self.by_id.values() if not lines]
        if moneyless:
            ds.warn(
                name,
                cell_ref(moneyless[0]["_row"] - 1, id_col),
                "ID",
                moneyless[0]["suboutput_id"],
                f"{len(moneyless):,} of {len(self.by_id):,} sub-output(s) have no money figure in any year: kept "
                "in the plan and counted (this is the first)",
                code="suboutput_without_money",
            )


#: what `_amount` returns for a cell it refused (None is an empty amount)
_REFUSED = object()


def _amount(ds: Dataset, sheet: str, r: int, i: int, column: str, value: object) -> float | None | object:
    """The amount of a year cell (a float in bounds as it is: the common case), or `_REFUSED` with an error."""
    if type(value) is float and (parse.MIN_MAGNITUDE <= value <= parse.MAX_AMOUNT or value == 0):
        return value
    try:
        amount = parse.parse_money(value)
    except ParseError as exc:
        ds.unreadable(sheet, cell_ref(r, i), column, value, exc)
        return _REFUSED
    if amount is not None and amount < 0:
        ds.error(sheet, cell_ref(r, i), column, value, "an amount ≥ 0", code="negative_amount")
        return _REFUSED
    return amount


def _differing_columns(header: list[str], first: list, second: list) -> list[str]:
    """The header names of the columns where two rows of an export differ (spaces and '-' for empty ignored)."""

    def value(cells, i):
        cell = cells[i] if i < len(cells) else None
        if isinstance(cell, str):
            cell = cell.strip()
            return None if cell in ("", "-", "–", "—") else cell
        return cell

    width = max(len(header), len(first), len(second))
    return [
        (header[i] if i < len(header) and header[i] else column_letter(i))
        for i in range(width)
        if value(first, i) != value(second, i)
    ]


MEASURE_INDEX = {"required": 0, "available": 1, "expenditure": 2}
