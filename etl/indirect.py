"""Indirect-cost rows of a canonical budget sheet (programme support cost, GMS, administrative agent fee…):
recognised by their label in English, French or Spanish, kept apart from the programme lines, and their
arithmetic checked against those lines."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any, cast

from core import parse
from core.errors import ParseError
from etl.dataset import Dataset, HeaderFit, is_total_label
from etl.read import FORMULA_WITHOUT_VALUE, cell_ref

#: an indirect-cost row's label (text folded by `_fold`: no accents, lower case, straight apostrophes), in English,
#: French and Spanish: costs on top of the programme lines, which are not programme lines themselves
_LABEL_START = r"^\W*(?:(?:\d{1,2}|[ivx]{1,4}|[a-h])[.)]\s*|(?:add|plus)\b:?\s*)?"
INDIRECT_LABELS = {
    # support costs on the direct costs (programme support cost, GMS, indirect support cost…)
    "support": re.compile(
        _LABEL_START
        + r"""(?:
        programm?e?s?\s+support\s+costs?|p\.?s\.?c\b|i\.?s\.?c\b|indirect\s+(?:support\s+)?costs?
        |g\.?m\.?s\b|general\s+management\s+support
        |(?:couts?|frais)\s+d'appui\s+(?:au|aux)\s+programmes?|(?:couts?|frais)\s+(?:d'appui\s+)?indirects?
        |(?:costos?|gastos?)\s+de\s+apoyo\s+(?:a|al)\s+(?:los\s+)?programas?|(?:costos?|gastos?)\s+indirectos?)""",
        re.VERBOSE,
    ),
    # the administrative agent's fee of a pooled fund, on the contributions it receives
    "fee": re.compile(
        _LABEL_START
        + r"""(?:
        administrative\s+agent'?s?\s+fees?|a\.?a\.?\s+fees?|mptf\s*(?:o|office)?\s+fees?
        |(?:frais|commission)\s+(?:de\s+l'|d'|de\s+)?agent\s+administratif
        |(?:honorarios|comision|gastos|costos?)\s+(?:del\s+|de\s+)?agente\s+administrativo)""",
        re.VERBOSE,
    ),
}
INDIRECT_COST_NAMES = {"support": "programme support cost", "fee": "administrative agent fee"}
_RATE = re.compile(r"(\d{1,2}(?:[.,]\d+)?)\s*%")
#: amounts that differ by at most a cent agree (a figure rounded to the cent)
CENT = 0.01


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

    def __init__(
        self,
        ds: Dataset,
        fit: HeaderFit,
        parsers: dict,
        fill: dict[str, str],
        currency: str | None,
        unsaved: set[tuple[int, int]],
    ):
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
        return self._label(cells, is_total_label) is not None

    def total(self, r: int, cells: list) -> None:
        """A total row: below indirect-cost rows it is a grand total, checked against the block."""
        if self.blocks[-1]["costs"]:
            label = self._label(cells, is_total_label)
            at, amount = self._amount(r, cells, label[0] if label else None, quiet=True)
            if amount is not None and at is not None:  # an amount is always found at a column
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
        label_at, what = found
        cost_type, rate = cast(tuple[str, float | None], what)  # what indirect_cost_label returns
        ds, sheet = self.ds, self.sheet
        cost: dict[str, Any] = {
            "_sheet": sheet,
            "_row": r + 1,
            "_cell": cell_ref(r, label_at),
            "cost_type": cost_type,
            "label": " ".join(str(cells[label_at]).split()),
            "rate": rate,
        }
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
            ds.error(
                sheet,
                cost["_cell"],
                "required",
                cells[label_at],
                f"an amount for this {INDIRECT_COST_NAMES[cost_type]}: in the required column, or alone on its row",
                code="indirect_cost_without_amount",
            )
        for name, value in self.fill.items():
            if name in ("plan", "agency") and cost.get(name) is None:
                cost[name] = value
        of = (
            "the direct costs above it"
            if cost_type == "support"
            else "the contributions: the programme lines above it and their support costs"
        )
        ds.warn(
            sheet,
            cost["_cell"],
            None,
            cost["label"],
            f"{INDIRECT_COST_NAMES[cost_type]}: kept apart from the programme lines, as an indirect cost of "
            + (
                f"the plan ({_percent(rate)} of {of})"
                if rate is not None
                else "the plan (no rate in its label, so its arithmetic is not checked)"
            ),
            code="indirect_cost",
        )
        self.blocks[-1]["costs"].append(cost)
        return True

    def _amount(
        self, r: int, cells: list, label_at: int | None, quiet: bool = False
    ) -> tuple[int | None, float | None]:
        """(column, amount) of an indirect-cost or total row: the required column's, else the one amount on
        the row outside the money columns (a valid year in the year column is the year); the amount is None
        when there is none or it is refused (with an error, unless `quiet`)."""
        required = self.at.get("required")
        if required is not None and (r, required) in self.unsaved:
            if not quiet:
                self.ds.error(
                    self.sheet,
                    cell_ref(r, required),
                    "required",
                    None,
                    FORMULA_WITHOUT_VALUE,
                    code="formula_without_value",
                )
            return None, None
        candidates = self._candidates(cells, label_at)
        if len(candidates) > 1:
            if not quiet:
                self.ds.error(
                    self.sheet,
                    cell_ref(r, candidates[1]),
                    "required",
                    cells[candidates[1]],
                    "one amount for an indirect cost: in the required column, or alone on its row",
                    code="indirect_cost_two_amounts",
                )
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
                self.ds.error(
                    self.sheet, cell_ref(r, at), "required", cells[at], "an amount ≥ 0", code="negative_amount"
                )
            return at, None
        return at, amount

    def _candidates(self, cells: list, label_at: int | None) -> list[int]:
        """Where the amount of a label row may be: the required column when it holds a value, else every cell
        holding an amount outside the money columns (a valid year in the year column is the year)."""
        required = self.at.get("required")
        if required is not None and required < len(cells) and not parse.is_blank(cells[required]):
            return [required]
        year = self.at.get("year")
        return [
            i
            for i, cell in enumerate(cells)
            if i != label_at and i not in self.money and _is_amount(cell) and not (i == year and _is_year(cell))
        ]

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
                    self.ds.error(
                        self.sheet,
                        cost["_cell"],
                        "plan",
                        cost["label"],
                        "the plan this indirect cost belongs to: "
                        + (
                            "the programme lines above it name several"
                            if len(plans) > 1
                            else "the programme lines above it name none"
                            if lines
                            else "there are no programme lines above it"
                        ),
                        code="indirect_cost_without_plan",
                    )
                self.ds.indirect_costs.append(cost)
            if lines and all(line.get("required") is not None for line in lines):
                self._check(block, sum(line["required"] for line in lines))

    def _check(self, block: dict, programme: float) -> None:
        """Support cost = rate × direct costs; fee = rate × contributions (programme + support costs); a grand
        total = programme + support costs + fees: a warning with the cell when one is off by more than a cent."""
        kinds = {k: [c for c in block["costs"] if c["cost_type"] == k] for k in INDIRECT_COST_NAMES}
        spent = {k: sum(c["required"] or 0.0 for c in costs) for k, costs in kinds.items()}
        bases = {
            "support": (programme, f"the direct costs above it ({programme:,.2f})"),
            "fee": (
                programme + spent["support"],
                f"the contributions (programme {programme:,.2f} + support costs {spent['support']:,.2f})",
            ),
        }
        for cost_type, costs in kinds.items():
            rated = [c for c in costs if c["rate"] is not None and c["required"] is not None]
            if len(costs) > 1 and rated:
                self.ds.warn(
                    self.sheet,
                    costs[1]["_cell"],
                    None,
                    costs[1]["label"],
                    f"{len(costs)} {INDIRECT_COST_NAMES[cost_type]} rows below the same programme lines: "
                    "each is kept; their arithmetic is not checked",
                    code="indirect_costs_unchecked",
                )
            elif rated:
                cost = rated[0]
                base, named = bases[cost_type]
                expected = cost["rate"] * base
                if differs(cost["required"], expected):
                    self.ds.warn(
                        self.sheet,
                        cost["_amount_cell"],
                        "required",
                        cost["required"],
                        f"{_percent(cost['rate'])} of {named} is {expected:,.2f}: this "
                        f"{INDIRECT_COST_NAMES[cost_type]} differs by {cost['required'] - expected:+,.2f} "
                        "(kept as written)",
                        code="indirect_cost_arithmetic",
                    )
        whole = programme + spent["support"] + spent["fee"]
        for cell, stated in block["totals"]:
            if differs(stated, whole):
                self.ds.warn(
                    self.sheet,
                    cell,
                    None,
                    stated,
                    f"programme {programme:,.2f} + support costs {spent['support']:,.2f} + fees "
                    f"{spent['fee']:,.2f} = {whole:,.2f}: this total differs by {stated - whole:+,.2f} "
                    "(totals are computed, never loaded)",
                    code="total_arithmetic",
                )


def differs(stated: float, expected: float) -> bool:
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
