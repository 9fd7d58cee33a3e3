"""The errors users read: each names what is wrong in their words (CONVENTIONS: small named exceptions).

A `Problem` is one thing wrong with an uploaded file (an error: nothing is loaded) or worth knowing about it (a
warning). Its `code`, a short stable name such as "missing_column" or "total_row", says what kind of problem it
is: the validation report's "how to fix" line keys on it (etl.report.HINTS), never on the message's words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.formatting import as_typed


class ParseError(ValueError):
    """A cell value that cannot be read; `expected` is a short phrase of what would be accepted, `code` the
    code of the problem it makes and `suggestion` a value the user probably meant (an entity code)."""

    def __init__(
        self, expected: str, message: str | None = None, code: str = "bad_value", suggestion: str | None = None
    ):
        super().__init__(message or f"expected {expected}")
        self.expected = expected
        self.code = code
        self.suggestion = suggestion


class FileError(ValueError):
    """A file that cannot be read at all; the text names the file and says why."""

    def __init__(self, file_name: str, reason: str):
        super().__init__(f"{file_name}: {reason}")
        self.file_name = file_name
        self.reason = reason


@dataclass
class Problem:
    """Where in which file (sheet, cell 'E14' or 'row 7', column), the value found and what was expected."""

    file: str
    sheet: str | None
    cell: str | None
    column: str | None
    value: object
    expected: str
    severity: str = "error"  # or "warning"
    code: str = field(kw_only=True)
    #: a value the user probably meant ('UNDP' for 'UNDPP'), for the hint
    suggestion: str | None = field(default=None, kw_only=True)

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
        value = (
            ""
            if self.value is None or self.value == ""
            else (f" {self.value!r}:" if isinstance(self.value, str) else f" {as_typed(self.value)}:")
        )
        return f"{head}:{value} {self.expected}"


class RollbackError(ValueError):
    """A submission that cannot be rolled back; the text says why and what to do."""


class StoreUnavailable(RuntimeError):
    """The database cannot be used now; the text says why and what to do (SPEC §8: exit code 3 or 4)."""


class DatabaseBusy(StoreUnavailable):
    """Another process holds the database file (SPEC §7: say plainly what to do)."""


class WriteConflict(DatabaseBusy):
    """Other processes kept changing the shared store for longer than a write may wait; nothing of it was stored."""


class DatabaseDamaged(StoreUnavailable):
    """The database file (or its write-ahead log) is damaged, cut short or not a DuckDB database."""


class DatabaseUnwritable(StoreUnavailable):
    """The database cannot be written: a read-only file system, no permission, a full disk."""

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason  # 'the disk is full', …
