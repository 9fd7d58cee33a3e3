"""Validation: sheets of raw cells → canonical rows of one dataset kind, with every problem listed.

A problem names the file, sheet, cell, column, the bad value and what was expected; errors stop a
load, warnings do not. Nothing here touches the database (the entity list is passed in).
"""
from __future__ import annotations

import datetime as dt
import itertools
import operator
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable

from core import parse
from core.entities import Entity, EntityResolver
from core.errors import ParseError, Problem
from core.schema import KINDS, Kind, header_currency, header_key
from etl.read import FORMULA_WITHOUT_VALUE, Sheet, cell_position, cell_ref, column_letter

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
#: an indirect-cost row's label (text folded by `_fold`: no accents, lower case, straight apostrophes), in English,
#: French and Spanish: costs on top of the programme lines, which are not programme lines themselves
_LABEL_START = r"^\W*(?:(?:\d{1,2}|[ivx]{1,4}|[a-h])[.)]\s*|(?:add|plus)\b:?\s*)?"
INDIRECT_LABELS = {
    # support costs on the direct costs (programme support cost, GMS, indirect support cost…)
    "support": re.compile(_LABEL_START + r"""(?:
        programm?e?s?\s+support\s+costs?|p\.?s\.?c\b|i\.?s\.?c\b|indirect\s+(?:support\s+)?costs?
        |g\.?m\.?s\b|general\s+management\s+support
        |(?:couts?|frais)\s+d'appui\s+(?:au|aux)\s+programmes?|(?:couts?|frais)\s+(?:d'appui\s+)?indirects?
        |(?:costos?|gastos?)\s+de\s+apoyo\s+(?:a|al)\s+(?:los\s+)?programas?|(?:costos?|gastos?)\s+indirectos?)""",
                          re.VERBOSE),
    # the administrative agent's fee of a pooled fund, on the contributions it receives
    "fee": re.compile(_LABEL_START + r"""(?:
        administrative\s+agent'?s?\s+fees?|a\.?a\.?\s+fees?|mptf\s*(?:o|office)?\s+fees?
        |(?:frais|commission)\s+(?:de\s+l'|d'|de\s+)?agent\s+administratif
        |(?:honorarios|comision|gastos|costos?)\s+(?:del\s+|de\s+)?agente\s+administrativo)""", re.VERBOSE),
}
INDIRECT_COST_NAMES = {"support": "programme support cost", "fee": "administrative agent fee"}
_RATE = re.compile(r"(\d{1,2}(?:[.,]\d+)?)\s*%")
#: amounts that differ by at most a cent agree (a figure rounded to the cent)
CENT = 0.01
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
class Dataset:
    """What a file holds once validated: the kind, its canonical rows and every problem."""

    file_name: str
    kind: str | None = None
    layout: str = "canonical"  # or "uninfo"
    rows: list[dict] = field(default_factory=list)
    suboutputs: list[dict] = field(default_factory=list)  # UN INFO: one per sub-output
    #: a budget's indirect costs (programme support cost, administrative agent fee…), apart from its lines
    indirect_costs: list[dict] = field(default_factory=list)
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

    def error(self, sheet, cell, column, value, expected: str, *, code: str, suggestion: str | None = None):
        self.problems.append(Problem(self.file_name, sheet, cell, column, value, expected, "error", code=code,
                                     suggestion=suggestion))

    def warn(self, sheet, cell, column, value, expected: str, *, code: str):
        self.problems.append(Problem(self.file_name, sheet, cell, column, value, expected, "warning", code=code))

    def unreadable(self, sheet, cell, column, value, exc: ParseError):
        """An error for a cell the parser refused: what it expected, its code and suggestion."""
        self.error(sheet, cell, column, value, exc.expected, code=exc.code, suggestion=exc.suggestion)


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


def _is_total_label(cell: object) -> bool:
    return isinstance(cell, str) and bool(TOTAL_LABEL.match(cell))


def _is_total_row(cells: list) -> bool:
    return any(_is_total_label(c) for c in cells[:6])


def _fold(text: str) -> str:
    """Text for matching labels: accents dropped, lower case, one kind of apostrophe and space."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(plain.casefold().replace("\u2019", "'").replace("`", "'").split())


def indirect_cost_label(text: object) -> tuple[str, float | None] | None:
    """('support' or 'fee', the rate the label states or None) for an indirect-cost label, else None:
    'Programme support cost (7%)' → ('support', 0.07); "Administrative Agent's fee (1% of contributions
    received)" → ('fee', 0.01); 'Frais de l’agent administratif' → ('fee', None)."""
    if not isinstance(text, str):
        return None
    folded = _fold(text)
    for cost_type, pattern in INDIRECT_LABELS.items():
        if pattern.match(folded):
            rate = _RATE.search(folded)
            return cost_type, float(rate.group(1).replace(",", ".")) / 100 if rate else None
    return None


class IndirectCosts:
    """The indirect-cost rows of one budget sheet (programme support cost, GMS, administrative agent fee…),
    recognised below or beside the programme lines, kept apart from them, and checked against them.

    A row is one when a cell reads as an indirect cost's label and the row has no outcome or output code
    (the label may sit in any column). Its amount is the required column's, or the one amount on the row.
    The programme lines above it, back to the previous indirect-cost rows, are its block: the rows take the
    block's plan, year, agency and currency when they state none, and their arithmetic is checked on it.
    """

    def __init__(self, ds: Dataset, fit: HeaderFit, parsers: dict, fill: dict[str, str], currency: str | None,
                 unsaved: set[tuple[int, int]]):
        self.ds, self.sheet, self.parsers, self.fill, self.currency = ds, fit.sheet.name, parsers, fill, currency
        self.unsaved = unsaved
        self.at = {name: i for i, name in fit.columns.items()}
        self.codes = [self.at[name] for name in ("outcome_code", "output_code") if name in self.at]
        self.money = {self.at[name] for name in ("required", "available", "expenditure") if name in self.at}
        self.blocks: list[dict] = [self._block()]

    @staticmethod
    def _block() -> dict:
        return {"lines": [], "costs": [], "totals": []}

    def line(self, row: dict) -> None:
        """A programme line; the first after indirect-cost rows opens a new block."""
        if self.blocks[-1]["costs"]:
            self.blocks.append(self._block())
        self.blocks[-1]["lines"].append(row)

    def is_total_beside(self, cells: list) -> bool:
        """A total row whose label lies beyond the first columns (beside the table), without codes."""
        return self._label(cells, _is_total_label) is not None

    def total(self, r: int, cells: list) -> None:
        """A total row: below indirect-cost rows it is a grand total, checked against the block."""
        if self.blocks[-1]["costs"]:
            label = self._label(cells, _is_total_label)
            at, amount = self._amount(r, cells, label[0] if label else None, quiet=True)
            if amount is not None:
                self.blocks[-1]["totals"].append((cell_ref(r, at), amount))

    def _label(self, cells: list, read: Callable[[object], object]) -> tuple[int, object] | None:
        """(column, what `read` makes of it) of the first cell `read` recognises, on a row without outcome
        and output codes (a code column may hold the row's one amount); None otherwise."""
        if self.codes and all(i < len(cells) and not parse.is_blank(cells[i]) for i in self.codes):
            return None  # a programme line (the common case, decided without reading labels)
        found = next(((i, what) for i, cell in enumerate(cells) if (what := read(cell))), None)
        if found is None:
            return None
        amounts = self._candidates(cells, found[0])
        lone = amounts[0] if len(amounts) == 1 else None
        if any(i not in (found[0], lone) and i < len(cells) and not parse.is_blank(cells[i]) for i in self.codes):
            return None
        return found

    def take(self, r: int, cells: list) -> bool:
        """Keep row `r` as an indirect cost if it is one (True), else leave it to the programme lines."""
        found = self._label(cells, indirect_cost_label)
        if found is None:
            return False
        label_at, (cost_type, rate) = found
        ds, sheet = self.ds, self.sheet
        cost = {"_sheet": sheet, "_row": r + 1, "_cell": cell_ref(r, label_at), "cost_type": cost_type,
                "label": " ".join(str(cells[label_at]).split()), "rate": rate}
        errors = len(ds.errors)
        amount_at, cost["required"] = self._amount(r, cells, label_at)
        cost["_amount_cell"] = cell_ref(r, amount_at if amount_at is not None else label_at)
        for name in ("plan", "year", "agency", "currency", "available", "expenditure"):
            i = self.at.get(name)
            if i is None or i in (label_at, amount_at) or i >= len(cells) or parse.is_blank(cells[i]):
                continue
            try:
                cost[name] = self.parsers[i][2](cells[i])
            except ParseError as exc:
                ds.unreadable(sheet, cell_ref(r, i), name, cells[i], exc)
                continue
            if name in ("available", "expenditure") and cost[name] is not None and cost[name] < 0:
                ds.error(sheet, cell_ref(r, i), name, cells[i], "an amount ≥ 0", code="negative_amount")
        if all(cost.get(m) is None for m in ("required", "available", "expenditure")) and len(ds.errors) == errors:
            ds.error(sheet, cost["_cell"], "required", cells[label_at],
                     f"an amount for this {INDIRECT_COST_NAMES[cost_type]}: in the required column, or alone on "
                     "its row", code="indirect_cost_without_amount")
        for name, value in self.fill.items():
            if name in ("plan", "agency") and cost.get(name) is None:
                cost[name] = value
        of = ("the direct costs above it" if cost_type == "support" else
              "the contributions: the programme lines above it and their support costs")
        ds.warn(sheet, cost["_cell"], None, cost["label"],
                f"{INDIRECT_COST_NAMES[cost_type]}: kept apart from the programme lines, as an indirect cost of "
                + (f"the plan ({_percent(rate)} of {of})" if rate is not None else
                   "the plan (no rate in its label, so its arithmetic is not checked)"), code="indirect_cost")
        self.blocks[-1]["costs"].append(cost)
        return True

    def _amount(self, r: int, cells: list, label_at: int | None, quiet: bool = False) -> tuple[int | None, float | None]:
        """(column, amount) of an indirect-cost or total row: the required column's, else the one amount on
        the row outside the money columns (a valid year in the year column is the year); the amount is None
        when there is none or it is refused (with an error, unless `quiet`)."""
        required = self.at.get("required")
        if required is not None and (r, required) in self.unsaved:
            if not quiet:
                self.ds.error(self.sheet, cell_ref(r, required), "required", None, FORMULA_WITHOUT_VALUE,
                              code="formula_without_value")
            return None, None
        candidates = self._candidates(cells, label_at)
        if len(candidates) > 1:
            if not quiet:
                self.ds.error(self.sheet, cell_ref(r, candidates[1]), "required", cells[candidates[1]],
                              "one amount for an indirect cost: in the required column, or alone on its row",
                              code="indirect_cost_two_amounts")
            return None, None
        if not candidates:
            return None, None
        at = candidates[0]
        try:
            amount = parse.parse_money(cells[at])
        except ParseError as exc:
            if not quiet:
                self.ds.unreadable(self.sheet, cell_ref(r, at), "required", cells[at], exc)
            return at, None
        if amount is not None and amount < 0:
            if not quiet:
                self.ds.error(self.sheet, cell_ref(r, at), "required", cells[at], "an amount ≥ 0",
                              code="negative_amount")
            return at, None
        return at, amount

    def _candidates(self, cells: list, label_at: int | None) -> list[int]:
        """Where the amount of a label row may be: the required column when it holds a value, else every cell
        holding an amount outside the money columns (a valid year in the year column is the year)."""
        required = self.at.get("required")
        if required is not None and required < len(cells) and not parse.is_blank(cells[required]):
            return [required]
        year = self.at.get("year")
        return [i for i, cell in enumerate(cells) if i != label_at and i not in self.money
                and _is_amount(cell) and not (i == year and _is_year(cell))]

    def finish(self) -> None:
        """Give each indirect cost its block's plan, year, agency and currency, and check the arithmetic."""
        for block in self.blocks:
            if not block["costs"]:
                continue
            lines = block["lines"]
            for cost in block["costs"]:
                for name in ("plan", "year", "agency", "currency"):
                    if cost.get(name) is None:
                        cost[name] = _one({line.get(name) for line in lines})
                cost["currency"] = cost["currency"] or self.currency or "USD"
                if cost["plan"] is None:
                    plans = {line.get("plan") for line in lines} - {None}
                    self.ds.error(self.sheet, cost["_cell"], "plan", cost["label"],
                                  "the plan this indirect cost belongs to: "
                                  + ("the programme lines above it name several" if len(plans) > 1 else
                                     "the programme lines above it name none" if lines else
                                     "there are no programme lines above it"), code="indirect_cost_without_plan")
                self.ds.indirect_costs.append(cost)
            if lines and all(line.get("required") is not None for line in lines):
                self._check(block, sum(line["required"] for line in lines))

    def _check(self, block: dict, programme: float) -> None:
        """Support cost = rate × direct costs; fee = rate × contributions (programme + support costs); a grand
        total = programme + support costs + fees: a warning with the cell when one is off by more than a cent."""
        kinds = {k: [c for c in block["costs"] if c["cost_type"] == k] for k in INDIRECT_COST_NAMES}
        spent = {k: sum(c["required"] or 0.0 for c in costs) for k, costs in kinds.items()}
        bases = {"support": (programme, f"the direct costs above it ({programme:,.2f})"),
                 "fee": (programme + spent["support"], f"the contributions (programme {programme:,.2f} + support "
                                                      f"costs {spent['support']:,.2f})")}
        for cost_type, costs in kinds.items():
            rated = [c for c in costs if c["rate"] is not None and c["required"] is not None]
            if len(costs) > 1 and rated:
                self.ds.warn(self.sheet, costs[1]["_cell"], None, costs[1]["label"],
                             f"{len(costs)} {INDIRECT_COST_NAMES[cost_type]} rows below the same programme lines: "
                             "each is kept; their arithmetic is not checked", code="indirect_costs_unchecked")
            elif rated:
                cost = rated[0]
                base, named = bases[cost_type]
                expected = cost["rate"] * base
                if _differs(cost["required"], expected):
                    self.ds.warn(self.sheet, cost["_amount_cell"], "required", cost["required"],
                                 f"{_percent(cost['rate'])} of {named} is {expected:,.2f}: this "
                                 f"{INDIRECT_COST_NAMES[cost_type]} differs by {cost['required'] - expected:+,.2f} "
                                 "(kept as written)", code="indirect_cost_arithmetic")
        whole = programme + spent["support"] + spent["fee"]
        for cell, stated in block["totals"]:
            if _differs(stated, whole):
                self.ds.warn(self.sheet, cell, None, stated,
                             f"programme {programme:,.2f} + support costs {spent['support']:,.2f} + fees "
                             f"{spent['fee']:,.2f} = {whole:,.2f}: this total differs by {stated - whole:+,.2f} "
                             "(totals are computed, never loaded)", code="total_arithmetic")


def _differs(stated: float, expected: float) -> bool:
    """More than a cent apart (a figure rounded to the cent agrees; float noise below a millionth ignored)."""
    return round(abs(stated - expected), 6) > CENT


def _percent(rate: float) -> str:
    return f"{rate * 100:g} %"


def _one(values: set):
    """The single value of a set (None ignored), else None."""
    values.discard(None)
    return values.pop() if len(values) == 1 else None


def _is_amount(cell: object) -> bool:
    """A number, or text that reads as an amount (one out of bounds included: it is refused as such)."""
    if isinstance(cell, bool) or parse.is_blank(cell):
        return False
    if isinstance(cell, (int, float)):
        return True
    try:
        return isinstance(cell, str) and parse.parse_money(cell) is not None
    except ParseError as exc:
        return exc.code == "figure_out_of_bounds"


def _is_year(cell: object) -> bool:
    try:
        parse.parse_year(cell)
        return True
    except ParseError:
        return False


def validate_canonical(ds: Dataset, fit: HeaderFit, resolver: EntityResolver, fill: dict[str, str]) -> None:
    kind = KINDS[fit.kind]
    sheet = fit.sheet
    header = sheet.rows[fit.row]
    for i, cell in enumerate(header):
        if i not in fit.columns and not parse.is_blank(cell):
            ds.warn(sheet.name, cell_ref(fit.row, i), None, cell,
                    f"unknown column ignored (the {kind.name} columns are: {', '.join(c.name for c in kind.columns)})",
                    code="unknown_column")
    present = set(fit.columns.values())
    for column in kind.columns:
        if column.required and column.name not in present and not (column.file_level and fill.get(column.name)):
            hint = " (or choose it for the whole file at upload time)" if column.file_level else ""
            synonyms = ", ".join(column.synonyms[:4])
            ds.error(sheet.name, cell_ref(fit.row, 0), column.name, None,
                     f"missing required column '{column.name}' (also accepted: {synonyms}){hint}",
                     code="missing_column")
    for group in kind.one_of:
        if not present & set(group):
            ds.error(sheet.name, cell_ref(fit.row, 0), " / ".join(group), None,
                     f"one of the columns {' or '.join(group)} is required", code="missing_one_of_columns")
    if ds.errors:
        return
    money_currency = _header_currency(ds, fit, kind)
    if money_currency is False:
        return
    parsers = {i: (name, kind.column(name), parse.parse_code if name in CODE_COLUMNS
                   else _parser(kind.column(name).type, resolver)) for i, name in fit.columns.items()}
    unsaved = {cell_position(ref) for ref in sheet.formulas_without_value}
    costs = IndirectCosts(ds, fit, parsers, fill, money_currency, unsaved) if fit.kind == "budget" else None
    for r in range(fit.row + 1, len(sheet.rows)):
        cells = sheet.rows[r]
        if all(parse.is_blank(c) for c in cells) and not any(u[0] == r for u in unsaved):
            continue
        if _is_total_row(cells) or (costs is not None and costs.is_total_beside(cells)):
            at = next(i for i, c in enumerate(cells) if _is_total_label(c))
            ds.warn(sheet.name, cell_ref(r, at), None, cells[at],
                    "total row skipped (totals are computed, never loaded)", code="total_row")
            if costs is not None:
                costs.total(r, cells)
            continue
        if costs is not None and costs.take(r, cells):
            continue
        row = {"_sheet": sheet.name, "_row": r + 1}
        for i, (name, column, parser) in parsers.items():
            value = cells[i] if i < len(cells) else None
            if (r, i) in unsaved:  # the cell holds a formula Excel never computed: no value to load
                required = column.required and not (column.file_level and fill.get(name))
                (ds.error if required else ds.warn)(sheet.name, cell_ref(r, i), name, None,
                                                    FORMULA_WITHOUT_VALUE + ("" if required else " (left empty)"),
                                                    code="formula_without_value" if required else "formula_left_empty")
                row[name] = None
                continue
            try:
                row[name] = parser(value)
            except ParseError as exc:
                ds.unreadable(sheet.name, cell_ref(r, i), name, value, exc)
                row[name] = None
                continue
            if row[name] is None and column.required and not (column.file_level and fill.get(name)):
                ds.error(sheet.name, cell_ref(r, i), name, value, f"a value (the {column.name} column must be filled in)",
                         code="value_required")
            if column.type == "money" and row[name] is not None and row[name] < 0:
                ds.error(sheet.name, cell_ref(r, i), name, value, "an amount ≥ 0", code="negative_amount")
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
                         f"{money_currency}, the currency the money columns' headers name", code="currency_conflict")
        for group in kind.one_of:  # e.g. a key action needs its recommendation's number or text
            if all(row.get(name) is None for name in group):
                at = next(i for i, name in fit.columns.items() if name in group)
                ds.error(sheet.name, cell_ref(r, at), " / ".join(group), None,
                         f"a value in {' or '.join(group)} (one of the two is required on every row)",
                         code="missing_one_of_values")
        _check_ceilings(ds, kind, fit, r, row)
        ds.rows.append(row)
        if costs is not None:
            costs.line(row)
    if costs is not None:
        costs.finish()
    _check_duplicate_keys(ds, kind, sheet.name)


def _check_ceilings(ds: Dataset, kind: Kind, fit: HeaderFit, r: int, row: dict) -> None:
    """A warning on the figure's cell for each figure above its ceiling on the row (`Kind.not_above`: funds
    secured above a deliverable's cost); the row loads as written."""
    at = {name: i for i, name in fit.columns.items()}
    for figure, ceiling in kind.not_above:
        value, limit = row.get(figure), row.get(ceiling)
        if value is not None and limit is not None and value > limit >= 0 and _differs(value, limit):
            ds.warn(fit.sheet.name, cell_ref(r, at[figure]), figure, fit.sheet.rows[r][at[figure]],
                    f"at most the {ceiling} ({limit:,.2f} in {cell_ref(r, at[ceiling])}): {figure} is "
                    f"{value - limit:,.2f} above it (kept as written)", code="above_ceiling")


def _header_currency(ds: Dataset, fit: HeaderFit, kind: Kind) -> str | None | bool:
    """The currency the money columns' headers carry ('Required (EUR)'), None when they name none, or
    False (with an error) when two headers name different currencies."""
    header = fit.sheet.rows[fit.row]
    named = {i: header_currency(header[i]) for i, name in fit.columns.items() if kind.column(name).type == "money"}
    codes = {code for code in named.values() if code}
    if len(codes) > 1:
        ds.error(fit.sheet.name, cell_ref(fit.row, min(i for i, c in named.items() if c)), None,
                 " / ".join(sorted(codes)), "one currency for every money column of a sheet (convert the "
                 "amounts, or split the file)", code="two_currencies")
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
                     f"a unique row: the same {', '.join(kind.key)} is already on {place}", code="duplicate_row")


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
        ds.warn(sheet, cell_ref(r, i or 0), column, value, exc.expected + " (left empty)", code="value_left_empty")
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
                     f"missing column '{UNINFO_COLUMNS[key]}' of the UN INFO export", code="uninfo_missing_column")
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
    kept: dict[str, int] = {}  # sub-output ID → index of the row whose content is kept
    #: per sub-output ID, in the order first seen: the sub-output and its figure rows (a later row of the
    #: same ID replaces them where it stood)
    by_id: dict[str, tuple[dict, list[dict]]] = {}
    identical: list[tuple[int, int]] = []  # (row, the earlier row it repeats), 1-based
    text_keys = [(k, col[k]) for k in ("country", "plan", "strategic_priority", "outcome_title", "output_title",
                                       "suboutput_title", "suboutput_status", "contributing_partners", "sdg_goals")]
    code_keys = [(k, col[k]) for k in ("strategic_priority_code", "outcome_code", "output_code", "suboutput_code",
                                       "suboutput_id")]
    id_col, width = col["suboutput_id"], len(header)
    smallest, largest = parse.MIN_MAGNITUDE, parse.MAX_AMOUNT  # an amount outside is refused by parse_money
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
                        "total row skipped (totals are computed, never loaded)", code="total_row")
                continue
        for i in unsaved_by_row.get(r, ()):  # formulas Excel never computed: the ID is required, the rest left empty
            column = header[i] if i < len(header) else None
            if i == id_col:
                ds.error(sheet.name, cell_ref(r, i), column, None, FORMULA_WITHOUT_VALUE, code="formula_without_value")
            else:
                ds.warn(sheet.name, cell_ref(r, i), column, None, FORMULA_WITHOUT_VALUE + " (left empty)",
                        code="formula_left_empty")
        sub = {"_sheet": sheet.name, "_row": r + 1}
        for key, i in text_keys:
            sub[key] = None if i is None else _cell_text(ds, sheet.name, r, i, UNINFO_COLUMNS[key], cells[i])
        for key, i in code_keys:
            sub[key] = None if i is None else _cell_code(ds, sheet.name, r, i, UNINFO_COLUMNS[key], cells[i])
        sub_id = sub["suboutput_id"]
        if sub_id is None:
            ds.error(sheet.name, cell_ref(r, id_col), "ID", cells[id_col],
                     "the sub-output's ID (the key of a UN INFO row)", code="suboutput_id_missing")
            continue
        if sub_id in kept:  # the same sub-output again: a copy counts once, a different row wins
            earlier = kept[sub_id]
            differ = _differing_columns(header, sheet.rows[earlier], cells)
            if not differ:
                identical.append((r + 1, earlier + 1))
                continue
            ds.warn(sheet.name, cell_ref(r, id_col), "ID", sub_id,
                    f"the same sub-output as row {earlier + 1}, differing in {', '.join(differ)}: this later row "
                    f"wins (its details and figures replace those of row {earlier + 1})", code="suboutput_differs")
        kept[sub_id] = r
        for key in UNINFO_UNKNOWN_OK:
            if sub[key] is None and col[key] is not None:
                ds.warn(sheet.name, cell_ref(r, col[key]), UNINFO_COLUMNS[key], cells[col[key]],
                        "code missing: kept as unknown (the ID is the key)", code="code_missing")
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
                ds.warn(sheet.name, cell_ref(r, i), UNINFO_COLUMNS[key], value, exc.expected + " (left empty)",
                        code="value_left_empty")
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
        lines: list[dict] = []
        by_id[sub_id] = (sub, lines)
        figures = {}
        values = money_getter(cells)
        for j in [j for j, v in enumerate(values) if v != "" and v is not None]:  # most year cells are empty
            year, measure, i = money_columns[j]
            value = values[j]
            if type(value) is float and (smallest <= value <= largest or value == 0):
                amount = value
            else:
                try:
                    amount = parse.parse_money(value)
                except ParseError as exc:
                    ds.unreadable(sheet.name, cell_ref(r, i), f"{year} {measure.title()}", value, exc)
                    continue
                if amount is not None and amount < 0:
                    ds.error(sheet.name, cell_ref(r, i), f"{year} {measure.title()}", value, "an amount ≥ 0",
                             code="negative_amount")
                    continue
            figures.setdefault(year, [None, None, None])[MEASURE_INDEX[measure]] = amount
        for year, (required, available, expenditure) in sorted(figures.items()):
            if required is not None or available is not None or expenditure is not None:
                lines.append({"suboutput_id": sub_id, "year": year, "required": required,
                                "available": available, "expenditure": expenditure})
    ds.new_entities = list(known_new.values())
    for sub, lines in by_id.values():
        ds.suboutputs.append(sub)
        ds.rows.extend(lines)
    if identical:  # one warning for the file, naming the first copies
        shown = ", ".join(f"row {row} = row {first}" for row, first in identical[:5])
        more = f" and {len(identical) - 5:,} more" if len(identical) > 5 else ""
        ds.warn(sheet.name, cell_ref(identical[0][0] - 1, id_col), "ID", None,
                f"{len(identical):,} row(s) repeat an earlier row of the same ID exactly ({shown}{more}): "
                "each sub-output is counted once", code="suboutput_repeated")
    moneyless = [sub for sub, lines in by_id.values() if not lines]
    if moneyless:
        ds.warn(sheet.name, cell_ref(moneyless[0]["_row"] - 1, id_col), "ID", moneyless[0]["suboutput_id"],
                f"{len(moneyless):,} of {len(by_id):,} sub-output(s) have no money figure in any year: kept in the "
                "plan and counted (this is the first)", code="suboutput_without_money")


def _differing_columns(header: list[str], first: list, second: list) -> list[str]:
    """The header names of the columns where two rows of an export differ (spaces and '-' for empty ignored)."""
    def value(cells, i):
        cell = cells[i] if i < len(cells) else None
        if isinstance(cell, str):
            cell = cell.strip()
            return None if cell in ("", "-", "–", "—") else cell
        return cell
    width = max(len(header), len(first), len(second))
    return [(header[i] if i < len(header) and header[i] else column_letter(i)) for i in range(width)
            if value(first, i) != value(second, i)]


MEASURE_INDEX = {"required": 0, "available": 1, "expenditure": 2}


def _uninfo_agencies(ds, sheet_name, cell, codes_value, names_value, resolver, known_new) -> tuple[str | None, bool]:
    """'FAO; WHO' → ('FAO;WHO', True); unknown abbreviations are added from the Agencies column.

    Real exports list the full names in their own (alphabetical) order, so an unknown abbreviation
    takes a full name left over once the names of known entities are set aside; with several unknowns,
    each takes the name whose initials match it best (UNSOA ↔ "United Nations Support Office for AMISOM").
    """
    items = resolver.split(parse.parse_text(codes_value) or "")
    if not items:
        ds.warn(sheet_name, cell, "Agency abbreviations", codes_value, "no agency given: shown as 'Unknown'",
                code="agency_missing")
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
                    f"not in the UN entity list: added as '{item}' ({name}) from the file's Agencies column",
                    code="entity_added")
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
                ds.warn(sheet.name, None, None, None, "passed over: no header row of a dataset kind was found",
                        code="sheet_passed_over")
            continue
        fits.append(fit)
    if not fits:
        wanted = f"the {kind} columns ({', '.join(KINDS[kind].required_columns)})" if kind else \
            "a header row of a dataset kind (budget, indicators or actions) in the first 30 rows"
        ds.error(None, None, None, None, f"no sheet holds {wanted}", code="no_header")
        return ds
    chosen = kind or max(fits, key=lambda f: f.score).kind
    for fit in fits:
        if fit.kind != chosen:
            ds.warn(fit.sheet.name, None, None, None, f"passed over: it holds {fit.kind}, not {chosen}",
                    code="sheet_passed_over")
            continue
        if ds.layout == "uninfo" or (ds.sheets and fit.layout == "uninfo"):
            ds.warn(fit.sheet.name, None, None, None, "passed over: one UN INFO export sheet per file",
                    code="sheet_passed_over")
            continue
        ds.kind, ds.layout = fit.kind, fit.layout
        ds.sheets.append(fit.sheet.name)
        if fit.layout == "uninfo":
            validate_uninfo(ds, fit, resolver)
        else:
            validate_canonical(ds, fit, resolver, fill)
    if not ds.rows and not ds.suboutputs and not ds.errors:  # an export's sub-outputs count without figures
        ds.error(ds.sheets[0] if ds.sheets else None, None, None, None,
                 "at least one data row below the header (the file has a header only)", code="no_data_rows")
    if ds.repaired:  # one warning for the file, with its first case
        sheet, cell, written, fixed = ds.repaired[0]
        ds.warn(sheet, cell, None, written, f"{len(ds.repaired):,} text cell(s) had garbled accents and "
                f"punctuation (UTF-8 read as Mac Roman) and were repaired, e.g. this one to '{fixed}'",
                code="text_repaired")
    return ds
