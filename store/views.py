"""The views of the query surface (SPEC §9) as SQL: what `migrations.migrate` (re)creates and what
`history.as_of_views` turns into the views of an earlier moment. core.schema declares them."""

from __future__ import annotations

from core.registry import View
from core.schema import DATASETS


def _view_sql(view: View) -> str:
    """The statement that (re)creates a view of the query surface (core.schema declares them)."""
    where = " WHERE current" if view.current_only else ""
    return f"CREATE OR REPLACE VIEW {view.name} AS SELECT {', '.join(view.select)} FROM {view.source}{where}"


VIEWS = [_view_sql(d.view) for d in DATASETS.values()]
