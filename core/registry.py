"""The registry's entry types: what a dataset kind, a dataset, a column, a fact table and a view declare about
themselves (the entries are in core.schema). A `Registry` holds entries by name; an unknown name is an error
naming the known ones, never a silent default."""

from __future__ import annotations

from dataclasses import dataclass


class UnknownKind(ValueError):
    """A dataset or kind name that is not in the registry; the text lists the known ones."""


class Registry(dict):
    """Entries by name; looking up an unknown name raises UnknownKind naming the known ones."""

    def __init__(self, what: str, entries):
        super().__init__((entry.name, entry) for entry in entries)
        self.what = what

    def __missing__(self, name):
        raise UnknownKind(f"unknown {self.what} {name!r}; one of {', '.join(self)}")


@dataclass(frozen=True)
class Column:
    """A column of an uploaded file, as the readers match it and the validator reads it."""

    name: str
    type: str  # text, int, year, money, number, date, deadline, agency, status, response, period, source_type, currency
    required: bool = False
    synonyms: tuple[str, ...] = ()
    description: str = ""
    example: str = ""
    #: may be given once for the whole file at upload time instead (plan, source_title, a budget's agency; the
    #: optional country): then required only where that is not done
    file_level: bool = False


@dataclass(frozen=True)
class Stored:
    """A column of a fact table and its SQL type (the staging Arrow tables of etl.load follow it)."""

    name: str
    type: str = "VARCHAR"  # VARCHAR, DOUBLE, INTEGER, DATE, BOOLEAN


def stored(names: str) -> tuple[Stored, ...]:
    """'country plan year:INTEGER' → the stored columns, VARCHAR where no type is written."""
    return tuple(Stored(*word.split(":")) for word in names.split())


@dataclass(frozen=True)
class Table:
    """A versioned fact table: besides its columns every row carries the submission that brought it, a
    `current` flag and, once replaced, the submission that replaced it (`replaced_by`; see store.writes)."""

    name: str
    columns: tuple[Stored, ...]
    #: SQL condition that stored row `t` lies in the scope of staged row `s`: the current rows a load of `s`
    #: replaces, and that a rollback gives back (None: replaced by UN INFO sub-output ID only)
    replace_scope: str | None = None
    #: what names a scope besides its country and agency (a plan, or an actions row's source)
    scope_key: str | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class View:
    """A view of the query surface (SPEC §9): its select list (column names or 'expression AS name') over
    one table, of the current rows only unless `current_only` is False."""

    name: str
    source: str
    select: tuple[str, ...]
    current_only: bool = True

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(item.rsplit(" AS ", 1)[-1] for item in self.select)


@dataclass(frozen=True, kw_only=True)
class Dataset:
    """What the dashboard reads, filters and (when it has an export order) exports: one view's rows."""

    name: str
    view: View
    #: the Data export page's name for it; its rows' order in an export (None: not exported)
    export_title: str = ""
    export_order: str | None = None
    #: shown where a page has none of its rows; what the dashboard's filters do to it on the export page
    empty: str = ""
    filter_note: str = ""
    #: the year of a row, SQL over its view (the period statement's data years); None: rows have no year
    year: str | None = None

    @property
    def exportable(self) -> bool:
        return self.export_order is not None


@dataclass(frozen=True, kw_only=True)
class Kind(Dataset):
    """A dataset kind users upload: how its files are read and checked, where its rows are stored."""

    title: str
    grain: str
    columns: tuple[Column, ...]
    #: columns that identify one row inside a file (duplicates are refused)
    key: tuple[str, ...]
    #: groups of which at least one column must be present
    one_of: tuple[tuple[str, ...], ...] = ()
    #: the template's data sheet; the Upload page's name for the kind
    sheet_title: str
    upload_label: str
    #: where its rows go; other tables its uploads fill (a UN INFO export's sub-outputs, a budget's indirect costs)
    table: Table
    parts: tuple[Table, ...] = ()
    #: the figures the upload preview totals before → after, besides the number of rows; the columns its sample
    #: of the rows added and replaced shows
    totals: tuple[str, ...] = ()
    sample: tuple[str, ...] = ()
    #: (figure, ceiling) pairs: a row whose figure exceeds its ceiling is warned on the figure's cell (funds
    #: secured above a deliverable's cost)
    not_above: tuple[tuple[str, str], ...] = ()

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def tables(self) -> tuple[Table, ...]:
        return (self.table, *self.parts)

    @property
    def template_file(self) -> str:
        return f"unct-{self.name}-template.xlsx"
