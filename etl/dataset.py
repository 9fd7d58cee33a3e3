"""What validating a file produces and what its steps share: the Dataset (rows, problems), the header row
found for a kind (HeaderFit), and total rows (computed, never loaded)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.entities import Entity
from core.errors import ParseError, Problem
from etl.read import Sheet

#: a total row's label: 'Total', 'Sub-total', 'Grand total', alone or followed by what it totals ('Total:',
#: 'Total 2025', 'Total for outcome 1', 'Total (USD)', 'Total budget') — not a sentence that merely begins
#: with the word ('Total enrolment in primary school increased' is an outcome title)
TOTAL_LABEL = re.compile(
    r"^\s*(grand\s+total|sub-?\s*total|total)"
    r"(\s*$|\s*[:(\-–—=,.]|\s+(for|of|per|by|in|all|\d)"
    r"|\s+(budget|amount|usd|required|available|funded|funding|expenditures?|resources|costs?)\s*$"
    r"|\s+(outcomes?|outputs?|priority|agency|year)(\s+[\w.]+)?\s*$)",
    re.IGNORECASE,
)


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
        self.problems.append(
            Problem(self.file_name, sheet, cell, column, value, expected, "error", code=code, suggestion=suggestion)
        )

    def warn(self, sheet, cell, column, value, expected: str, *, code: str):
        self.problems.append(Problem(self.file_name, sheet, cell, column, value, expected, "warning", code=code))

    def unreadable(self, sheet, cell, column, value, exc: ParseError):
        """An error for a cell the parser refused: what it expected, its code and suggestion."""
        self.error(sheet, cell, column, value, exc.expected, code=exc.code, suggestion=exc.suggestion)


@dataclass
class HeaderFit:
    sheet: Sheet
    row: int
    kind: str
    layout: str
    columns: dict[int, str]
    score: int


def is_total_label(cell: object) -> bool:
    return isinstance(cell, str) and bool(TOTAL_LABEL.match(cell))


def is_total_row(cells: list) -> bool:
    return any(is_total_label(c) for c in cells[:6])
