"""Validation: sheets of raw cells → canonical rows of one dataset kind, with every problem listed.

A problem names the file, sheet, cell, column, the bad value and what was expected; errors stop a
load, warnings do not. Nothing here touches the database (the entity list is passed in).
"""
from __future__ import annotations

import datetime as dt
import itertools
import operator
import re
from dataclasses import dataclass, field
from typing import Callable

from etl import parse
from etl.entities import Entity, EntityResolver
from etl.parse import ParseError
from etl.read import FORMULA_WITHOUT_VALUE, Sheet, cell_position, cell_ref
from etl.schema import KINDS, Kind, header_currency, header_key

HEADER_SCAN_ROWS = 30
#: a total row's label: 'Total', 'Sub-total', 'Grand total', alone or followed by what it totals ('Total:',
#: 'Total 2025', 'Total for outcome 1', 'Total (USD)', 'Total budget') — not a sentence that merely begins
#: with the word ('Total enrolment in primary school increased' is an outcome title)
TOTAL_LABEL = re.compile(
    r"^\s*(grand\s+total|sub-?\s*total|total)"
    r"(\s*$|\s*[:(\-–—=,.]|\s+(for|of|per|by|in|all|\d)"
    r"|\s+(budget|amount|usd|required|available|funded|funding|expenditures?|resources|costs?)\s*$"
    r"|\s+(outcomes?|outputs?|priority|agency|year)(\s+[\w.]+)?\s*$)",
    re.IGNORECASE)
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


@dataclass
class Problem:
    file: str
    sheet: str | None
    cell: str | None
    column: str | None
    value: object
    expected: str
    severity: str = "error"  # or "warning"

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    def __str__(self) -> str:
        parts = [self.file]
        if self.where:
            parts.append(self.where)
        if self.column:
            parts.append(f"column {self.column}")
        head = " ".join(parts)
        value = "" if self.value is None or self.value == "" else f" {self.value!r}:"
        return f"{head}:{value} {self.expected}"


@dataclass
class Dataset:
    """What a file holds once validated: the kind, its canonical rows and every problem."""

    file_name: str
    kind: str | None = None
    layout: str = "canonical"  # or "uninfo"
    rows: list[dict] = field(default_factory=list)
    suboutputs: list[dict] = field(default_factory=list)  # UN INFO: one per sub-output
    new_entities: list[Entity] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    #: UN INFO text cells repaired from a garbled encoding: (sheet, cell, as written, as repaired)
    repaired: list[tuple] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def error(self, sheet, cell, column, value, expected):
        self.problems.append(Problem(self.file_name, sheet, cell, column, value, expected, "error"))

    def warn(self, sheet, cell, column, value, expected):
        self.problems.append(Problem(self.file_name, sheet, cell, column, value, expected, "warning"))


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


def is_uninfo_header(cells: list) -> bool:
    names = {str(c).strip() for c in cells if isinstance(c, str)}
    return {"ID", "Agency abbreviations", "Total required resources"} <= names and any(
        YEAR_BLOCK.match(n) for n in names)


@dataclass
class HeaderFit:
    sheet: Sheet
    row: int
    kind: str
    layout: str
    columns: dict[int, str]
    score: int


def find_header(sheet: Sheet, kind: str | None) -> HeaderFit | None:
    """The row among the first rows that best fits a kind (or the given kind)."""
    best = None
    for r, cells in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        if is_uninfo_header(cells):
            if kind in (None, "budget"):
                return HeaderFit(sheet, r, "budget", "uninfo", {}, 1000)
            continue
        for name in ([kind] if kind else KINDS):
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


def _is_total_row(cells: list) -> bool:
    return any(isinstance(c, str) and TOTAL_LABEL.match(c) for c in cells[:6])


def validate_canonical(ds: Dataset, fit: HeaderFit, resolver: EntityResolver, fill: dict[str, str]) -> None:
    kind = KINDS[fit.kind]
    sheet = fit.sheet
    header = sheet.rows[fit.row]
    for i, cell in enumerate(header):
        if i not in fit.columns and not parse.is_blank(cell):
            ds.warn(sheet.name, cell_ref(fit.row, i), None, cell,
                    f"unknown column ignored (the {kind.name} columns are: {', '.join(c.name for c in kind.columns)})")
    present = set(fit.columns.values())
    for column in kind.columns:
        if column.required and column.name not in present and not (column.file_level and fill.get(column.name)):
            hint = " (or choose it for the whole file at upload time)" if column.file_level else ""
            synonyms = ", ".join(column.synonyms[:4])
            ds.error(sheet.name, cell_ref(fit.row, 0), column.name, None,
                     f"missing required column '{column.name}' (also accepted: {synonyms}){hint}")
    for group in kind.one_of:
        if not present & set(group):
            ds.error(sheet.name, cell_ref(fit.row, 0), " / ".join(group), None,
                     f"one of the columns {' or '.join(group)} is required")
    if ds.errors:
        return
    money_currency = _header_currency(ds, fit, kind)
    if money_currency is False:
        return
    parsers = {i: (name, kind.column(name), parse.parse_code if name in CODE_COLUMNS
                   else _parser(kind.column(name).type, resolver)) for i, name in fit.columns.items()}
    unsaved = {cell_position(ref) for ref in sheet.formulas_without_value}
    for r in range(fit.row + 1, len(sheet.rows)):
        cells = sheet.rows[r]
        if all(parse.is_blank(c) for c in cells) and not any(u[0] == r for u in unsaved):
            continue
        if _is_total_row(cells):
            ds.warn(sheet.name, cell_ref(r, 0), None, next(c for c in cells if not parse.is_blank(c)),
                    "total row skipped (totals are computed, never loaded)")
            continue
        row = {"_sheet": sheet.name, "_row": r + 1}
        for i, (name, column, parser) in parsers.items():
            value = cells[i] if i < len(cells) else None
            if (r, i) in unsaved:  # the cell holds a formula Excel never computed: no value to load
                required = column.required and not (column.file_level and fill.get(name))
                (ds.error if required else ds.warn)(sheet.name, cell_ref(r, i), name, None,
                                                    FORMULA_WITHOUT_VALUE + ("" if required else " (left empty)"))
                row[name] = None
                continue
            try:
                row[name] = parser(value)
            except ParseError as exc:
                ds.error(sheet.name, cell_ref(r, i), name, value, exc.expected)
                row[name] = None
                continue
            if row[name] is None and column.required and not (column.file_level and fill.get(name)):
                ds.error(sheet.name, cell_ref(r, i), name, value, f"a value: {column.name} is required")
            if column.type == "money" and row[name] is not None and row[name] < 0:
                ds.error(sheet.name, cell_ref(r, i), name, value, "an amount ≥ 0")
        for name, value in fill.items():
            if name in kind.column_names and row.get(name) is None:
                row[name] = value
        if money_currency:  # the money headers' currency, unless the row's currency cell says it
            at = next((i for i, n in fit.columns.items() if n == "currency"), None)
            written = cells[at] if at is not None and at < len(cells) else None
            if parse.is_blank(written):
                row["currency"] = money_currency
            elif row.get("currency") not in (None, money_currency):
                ds.error(sheet.name, cell_ref(r, at), "currency", written,
                         f"{money_currency}, the currency the money columns' headers name")
        for group in kind.one_of:  # e.g. a key action needs its recommendation's number or text
            if all(row.get(name) is None for name in group):
                at = next(i for i, name in fit.columns.items() if name in group)
                ds.error(sheet.name, cell_ref(r, at), " / ".join(group), None,
                         f"a value in {' or '.join(group)} (one of the two is required on every row)")
        ds.rows.append(row)
    _check_duplicate_keys(ds, kind, sheet.name)


def _header_currency(ds: Dataset, fit: HeaderFit, kind: Kind) -> str | None | bool:
    """The currency the money columns' headers carry ('Required (EUR)'), None when they name none, or
    False (with an error) when two headers name different currencies."""
    header = fit.sheet.rows[fit.row]
    named = {i: header_currency(header[i]) for i, name in fit.columns.items() if kind.column(name).type == "money"}
    codes = {code for code in named.values() if code}
    if len(codes) > 1:
        ds.error(fit.sheet.name, cell_ref(fit.row, min(i for i, c in named.items() if c)), None,
                 " / ".join(sorted(codes)), "one currency for every money column of a sheet (convert the "
                 "amounts, or split the file)")
        return False
    return codes.pop() if codes else None


def _check_duplicate_keys(ds: Dataset, kind: Kind, sheet: str) -> None:
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
            ds.error(sheet, f"row {row['_row']}", ", ".join(kind.key), " / ".join(str(k) for k in key if k is not None),
                     f"a unique row: the same {', '.join(kind.key)} is already on {place}")


# ---------------------------------------------------------------- UN INFO exports

def _cell_text(ds: Dataset, sheet: str, r: int, i: int | None, column: str, value) -> str | None:
    """Text of a UN INFO cell, garbled accents repaired (`parse.repair_mojibake`); the common case (plain
    text, '-' for empty) without the general parser."""
    if type(value) is str:
        text = value.strip()
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
    if type(value) is str and value and value[-1] not in " .:" and value[0] != " " and "  " not in value \
            and value != "-" and not value.startswith("#"):
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
        ds.warn(sheet, cell_ref(r, i or 0), column, value, exc.expected + " (left empty)")
        return None


def validate_uninfo(ds: Dataset, fit: HeaderFit, resolver: EntityResolver) -> None:
    """One sub-output per row; one budget row per sub-output × year that has any figure (SPEC §2.1b)."""
    sheet = fit.sheet
    header = [str(c).strip() if c is not None else "" for c in sheet.rows[fit.row]]
    position = {name: i for i, name in reversed(list(enumerate(header)))}
    col = {key: position.get(name) for key, name in UNINFO_COLUMNS.items()}
    for key in UNINFO_REQUIRED:
        if col[key] is None:
            ds.error(sheet.name, cell_ref(fit.row, 0), UNINFO_COLUMNS[key], None,
                     f"missing column '{UNINFO_COLUMNS[key]}' of the UN INFO export")
    if ds.errors:
        return
    money_columns = []  # (year, measure, column index)
    for i, name in enumerate(header):
        match = YEAR_BLOCK.match(name)
        if match and match.group(2).lower() != "narrative":
            money_columns.append((int(match.group(1)), match.group(2).lower(), i))
    money_getter = operator.itemgetter(*[i for _, _, i in money_columns]) if money_columns else (lambda cells: ())
    if len(money_columns) == 1:
        single = money_getter
        money_getter = lambda cells: (single(cells),)  # noqa: E731
    known_new: dict[str, Entity] = {}
    agency_cache: dict[object, tuple[str | None, bool]] = {}
    seen_ids: dict[str, int] = {}
    text_keys = [(k, col[k]) for k in ("country", "plan", "strategic_priority", "outcome_title", "output_title",
                                       "suboutput_title", "suboutput_status", "contributing_partners", "sdg_goals")]
    code_keys = [(k, col[k]) for k in ("strategic_priority_code", "outcome_code", "output_code", "suboutput_code",
                                       "suboutput_id")]
    id_col, width = col["suboutput_id"], len(header)
    unsaved_by_row: dict[int, list[int]] = {}
    for ref in sheet.formulas_without_value:
        r, c = cell_position(ref)
        unsaved_by_row.setdefault(r, []).append(c)

    for r in range(fit.row + 1, len(sheet.rows)):
        cells = sheet.rows[r]
        if len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        if parse.is_blank(cells[id_col]):
            if all(parse.is_blank(c) for c in cells):
                continue
            if _is_total_row(cells):
                ds.warn(sheet.name, cell_ref(r, 0), None, next(c for c in cells if not parse.is_blank(c)),
                        "total row skipped (totals are computed, never loaded)")
                continue
        for i in unsaved_by_row.get(r, ()):  # formulas Excel never computed: the ID is required, the rest left empty
            column = header[i] if i < len(header) else None
            if i == id_col:
                ds.error(sheet.name, cell_ref(r, i), column, None, FORMULA_WITHOUT_VALUE)
            else:
                ds.warn(sheet.name, cell_ref(r, i), column, None, FORMULA_WITHOUT_VALUE + " (left empty)")
        sub = {"_sheet": sheet.name, "_row": r + 1}
        for key, i in text_keys:
            sub[key] = None if i is None else _cell_text(ds, sheet.name, r, i, UNINFO_COLUMNS[key], cells[i])
        for key, i in code_keys:
            sub[key] = None if i is None else _cell_code(ds, sheet.name, r, i, UNINFO_COLUMNS[key], cells[i])
        sub_id = sub["suboutput_id"]
        if sub_id is None:
            ds.error(sheet.name, cell_ref(r, id_col), "ID", cells[id_col],
                     "the sub-output's ID (the key of a UN INFO row)")
            continue
        if sub_id in seen_ids:
            ds.error(sheet.name, cell_ref(r, id_col), "ID", sub_id,
                     f"a unique ID: the same sub-output is already on row {seen_ids[sub_id]}")
            continue
        seen_ids[sub_id] = r + 1
        for key in UNINFO_UNKNOWN_OK:
            if sub[key] is None and col[key] is not None:
                ds.warn(sheet.name, cell_ref(r, col[key]), UNINFO_COLUMNS[key], cells[col[key]],
                        "code missing: kept as unknown (the ID is the key)")
        if sub["suboutput_status"]:
            sub["suboutput_status"] = sub["suboutput_status"].lower()
        for key in ("start_date", "end_date"):
            i = col[key]
            value = cells[i] if i is not None else None
            if type(value) is dt.date:
                sub[key] = value
                continue
            try:
                sub[key] = parse.parse_date(value)
            except ParseError as exc:
                ds.warn(sheet.name, cell_ref(r, i), UNINFO_COLUMNS[key], value, exc.expected + " (left empty)")
                sub[key] = None
        codes_value = cells[col["agency_codes"]]
        if codes_value in agency_cache:
            sub["agency"], sub["joint"] = agency_cache[codes_value]
        else:
            names_value = cells[col["agency_names"]] if col["agency_names"] is not None else None
            found = len(known_new)
            sub["agency"], sub["joint"] = _uninfo_agencies(ds, sheet.name, cell_ref(r, col["agency_codes"]),
                                                           codes_value, names_value, resolver, known_new)
            if len(known_new) == found and sub["agency"] is not None:
                agency_cache[codes_value] = (sub["agency"], sub["joint"])
        ds.suboutputs.append(sub)
        figures = {}
        values = money_getter(cells)
        for j in [j for j, v in enumerate(values) if v != "" and v is not None]:  # most year cells are empty
            year, measure, i = money_columns[j]
            value = values[j]
            if type(value) is float and value >= 0:
                amount = value
            else:
                try:
                    amount = parse.parse_money(value)
                except ParseError as exc:
                    ds.error(sheet.name, cell_ref(r, i), f"{year} {measure.title()}", value, exc.expected)
                    continue
                if amount is not None and amount < 0:
                    ds.error(sheet.name, cell_ref(r, i), f"{year} {measure.title()}", value, "an amount ≥ 0")
                    continue
            figures.setdefault(year, [None, None, None])[MEASURE_INDEX[measure]] = amount
        for year, (required, available, expenditure) in sorted(figures.items()):
            if required is not None or available is not None or expenditure is not None:
                ds.rows.append({"suboutput_id": sub_id, "year": year, "required": required,
                                "available": available, "expenditure": expenditure})
    ds.new_entities = list(known_new.values())


MEASURE_INDEX = {"required": 0, "available": 1, "expenditure": 2}


def _uninfo_agencies(ds, sheet_name, cell, codes_value, names_value, resolver, known_new) -> tuple[str | None, bool]:
    """'FAO; WHO' → ('FAO;WHO', True); unknown abbreviations are added from the Agencies column.

    Real exports list the full names in their own (alphabetical) order, so an unknown abbreviation
    takes a full name left over once the names of known entities are set aside; with several unknowns,
    each takes the name whose initials match it best (UNSOA ↔ "United Nations Support Office for AMISOM").
    """
    items = resolver.split(parse.parse_text(codes_value) or "")
    if not items:
        ds.warn(sheet_name, cell, "Agency abbreviations", codes_value, "no agency given: shown as 'Unknown'")
        return None, False
    codes = [item if item in known_new else resolver.try_resolve(item) for item in items]
    unknown = [item for item, code in zip(items, codes) if code is None]
    if unknown:
        # full names hold commas ("…Educational, Scientific and Cultural…"): they split on ';' only
        names = [n.strip() for n in parse.repair_mojibake(parse.parse_text(names_value) or "").split(";") if n.strip()]
        spare = [n for n in names if resolver.try_resolve(n) is None and n not in
                 {e.name for e in known_new.values()}]
        matched = _match_by_initials(unknown, spare) if len(spare) == len(unknown) else {}
        for item in unknown:
            name = matched.get(item, item)
            known_new[item] = Entity(item, name, ())
            ds.warn(sheet_name, cell, "Agency abbreviations", item,
                    f"not in the UN entity list: added as '{item}' ({name}) from the file's Agencies column")
        codes = [code or item for item, code in zip(items, codes)]
    distinct = list(dict.fromkeys(codes))
    return ";".join(distinct), len(distinct) > 1


_MINOR_WORDS = {"of", "for", "the", "in", "and", "on", "to", "de", "des", "du", "la", "le", "et", "a", "an"}


def _initials(name: str) -> str:
    """'United Nations Support Office for AMISOM' → 'UNSOA' (minor words left out)."""
    return "".join(w[0] for w in re.findall(r"[A-Za-z][\w'-]*", name) if w.lower() not in _MINOR_WORDS).upper()


def _common_run(a: str, b: str) -> int:
    """Length of the longest common subsequence of two short strings."""
    row = [0] * (len(b) + 1)
    for ch in a:
        previous = 0
        for j, other in enumerate(b, 1):
            previous, row[j] = row[j], previous + 1 if ch == other else max(row[j], row[j - 1])
    return row[-1]


def _match_by_initials(codes: list[str], names: list[str]) -> dict[str, str]:
    """Pair each abbreviation with one name, the pairing whose initials agree best (ties: the file's order)."""
    if len(codes) == 1:
        return {codes[0]: names[0]}
    if len(codes) > 7:  # too many to try every pairing; real rows have two or three
        return dict(zip(codes, names))
    initials = [_initials(n) for n in names]
    best = max(itertools.permutations(range(len(names))),
               key=lambda order: sum(_common_run(c.upper(), initials[i]) for c, i in zip(codes, order)))
    return {c: names[i] for c, i in zip(codes, best)}


# ---------------------------------------------------------------- entry point

def validate(sheets: list[Sheet], file_name: str, entities: list[Entity], kind: str | None = None,
             fill: dict[str, str] | None = None) -> Dataset:
    """Find the sheets that hold a dataset kind and validate them into one Dataset."""
    fill = {k: v for k, v in (fill or {}).items() if v}
    ds = Dataset(file_name)
    if kind is not None and kind not in KINDS:
        ds.error(None, None, None, kind, f"a dataset kind: {', '.join(KINDS)}")
        return ds
    resolver = EntityResolver(entities)
    fits = []
    for sheet in sheets:
        # the template's own Instructions and hidden Lists sheets (etl.template marks them in A1) are not data:
        # passed over without a warning, so a filled template loads with none
        if sheet.rows and sheet.rows[0] and sheet.rows[0][0] in ("UNCT template instructions", "UNCT template lists"):
            continue
        if not sheet.visible:
            ds.warn(sheet.name, None, None, None, "hidden sheet not read")
            continue
        fit = find_header(sheet, kind)
        if fit is None:
            if any(any(not parse.is_blank(c) for c in row) for row in sheet.rows):
                ds.warn(sheet.name, None, None, None, "passed over: no header row of a dataset kind was found")
            continue
        fits.append(fit)
    if not fits:
        wanted = f"the {kind} columns ({', '.join(KINDS[kind].required_columns)})" if kind else \
            "a header row of a dataset kind (budget, indicators or actions) in the first 30 rows"
        ds.error(None, None, None, None, f"no sheet holds {wanted}")
        return ds
    chosen = kind or max(fits, key=lambda f: f.score).kind
    for fit in fits:
        if fit.kind != chosen:
            ds.warn(fit.sheet.name, None, None, None, f"passed over: it holds {fit.kind}, not {chosen}")
            continue
        if ds.layout == "uninfo" or (ds.sheets and fit.layout == "uninfo"):
            ds.warn(fit.sheet.name, None, None, None, "passed over: one UN INFO export sheet per file")
            continue
        ds.kind, ds.layout = fit.kind, fit.layout
        ds.sheets.append(fit.sheet.name)
        if fit.layout == "uninfo":
            validate_uninfo(ds, fit, resolver)
        else:
            validate_canonical(ds, fit, resolver, fill)
    if not ds.rows and not ds.errors:
        ds.error(ds.sheets[0] if ds.sheets else None, None, None, None,
                 "at least one data row below the header (the file has a header only)")
    if ds.repaired:  # one warning for the file, with its first case
        sheet, cell, written, fixed = ds.repaired[0]
        ds.warn(sheet, cell, None, written, f"{len(ds.repaired):,} text cell(s) had garbled accents and "
                f"punctuation (UTF-8 read as Mac Roman) and were repaired, e.g. this one to '{fixed}'")
    return ds
