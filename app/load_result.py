"""A load's result on the Upload page: the problems of a refused file (another agency's rows summed up per
owner) with its validation report, the warnings, the totals before → after (in all and per agency), a sample of
the rows added and replaced, a duplicate, and what Commit did. Drawn from etl.load's LoadResult."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pandas as pd
import streamlit as st

from app import tables
from app.text import md_escape
from core.errors import Problem
from core.formatting import as_typed, is_missing
from etl.load import LoadResult
from etl.report import error_report_bytes, how_to_fix

#: up to this many errors are shown as a plain table with wrapped text; more go in a scrollable grid
TABLE_LIMIT = 100


def problem_table(problems) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "sheet": p.sheet or "",
                "cell": p.cell or "",
                "column": p.column or "",
                "value": as_typed(p.value),
                "what was expected": p.expected,
                "how to fix": how_to_fix(p),
            }
            for p in problems
        ],
        columns=["sheet", "cell", "column", "value", "what was expected", "how to fix"],
    )


#: what an agency-boundary error says, and whose the rows are (etl.load.check_boundaries)
_BOUNDARY = re.compile(
    r"(?:is a sub-output of|would replace current rows of) (?P<owner>.+?); (?P<rule>your account "
    r"may replace only .+)$"
)


def summarised(problems: list[Problem]) -> list[Problem]:
    """The problems, with the rows refused because they belong to another agency summed up in one line per owner
    (the agency, how many rows, the first of them) instead of one near-identical line per row."""
    kept: list[Problem] = []
    owners: dict[tuple, list[Problem]] = {}
    for p in problems:
        found = _BOUNDARY.search(p.expected or "")
        if found:
            owners.setdefault((p.sheet, found["owner"], found["rule"]), []).append(p)
        else:
            kept.append(p)
    for (_, owner, rule), rows in owners.items():
        first = ", ".join(p.cell for p in rows[:5] if p.cell) + (" …" if len(rows) > 5 else "")
        kept.append(
            replace(
                rows[0], cell=first, value=None, expected=f"{len(rows):,} row(s) would replace rows of {owner}; {rule}"
            )
        )
    return kept


def show_problems(problems, *, key: str) -> None:
    table = problem_table(summarised(problems))
    if len(table) <= TABLE_LIMIT:  # st.table renders Markdown in its cells: the values are shown as typed
        st.table(table.style.format(md_escape), hide_index=True)
    else:
        st.dataframe(
            table, hide_index=True, key=key, column_config=tables.text_columns("what was expected", "how to fix")
        )


def totals_table(preview: dict) -> pd.DataFrame:
    """Before → after for the plans and agencies the file covers, as numbers (an empty scope counts 0;
    a sum over figures nobody reported stays empty)."""
    before, after = preview["before"], preview["after"]
    rows = [("Rows", before["rows"], after["rows"])]
    for key, label in (
        ("required", "Required (USD)"),
        ("available", "Available (USD)"),
        ("expenditure", "Spent (USD)"),
    ):
        if key in before:
            rows.append((label, before[key], after[key]))
    out = []
    for label, b, a in rows:
        b = 0.0 if (b is None and not before["rows"]) else b
        a = 0.0 if (a is None and not after["rows"]) else a
        b, a = (None if is_missing(v) else float(v) for v in (b, a))
        out.append({"": label, "before": b, "after": a, "change": None if a is None or b is None else a - b})
    return pd.DataFrame(out, columns=["", "before", "after", "change"]).astype(
        {"before": "float64", "after": "float64", "change": "float64"}
    )


def agency_table(preview: dict) -> pd.DataFrame:
    """Before → after per agency whose rows the file holds or replaces (a joint sub-output: its agencies); an
    agency without rows on one side counts 0 there."""
    before, after = preview["before"]["by_agency"], preview["after"]["by_agency"]
    money = "required" in preview["before"]
    rows = []
    for agency in sorted(set(before) | set(after), key=lambda a: (a is None, a or "")):
        was, will = before.get(agency, {"rows": 0, "required": 0.0}), after.get(agency, {"rows": 0, "required": 0.0})
        row = {"agency": agency or "(no agency)", "rows before": was["rows"], "rows after": will["rows"]}
        if money:
            b, a = (None if is_missing(v) else float(v) for v in (was["required"], will["required"]))
            row |= {
                "required before (USD)": b,
                "required after (USD)": a,
                "change (USD)": None if a is None or b is None else a - b,
            }
        rows.append(row)
    return pd.DataFrame(rows)


def show_totals(kind: str | None, preview: dict, heading: str, key: str) -> None:
    """The before → after totals, and per agency when the file changes several agencies' rows; another agency's
    rows that Commit replaces (an administrator's upload) are pointed out."""
    st.markdown(heading.format(scope=scope_text(kind, preview)))
    st.table(styled(totals_table(preview)), hide_index=True, width="content")
    others = preview.get("others") or []
    if others:
        st.warning(
            f"This file replaces current rows of {listed([o or '(no agency)' for o in others])}, which it "
            "does not hold for them (sub-outputs whose ID it re-uses): their totals change as shown below.",
            icon=":material/warning:",
        )
    table = agency_table(preview)
    if len(table) > 1 or others:
        st.dataframe(
            table,
            hide_index=True,
            key=key,
            placeholder="—",
            column_config={name: st.column_config.NumberColumn(name, format="localized") for name in table.columns[1:]},
        )


def styled(table: pd.DataFrame):
    """Numbers stay numbers (so they are right-aligned, digits lined up); shown with thousands separators,
    money with cents, the row count whole, changes signed and '—' where a figure is missing."""

    def shown(places: int, sign: str = ""):
        return lambda v: "—" if is_missing(v) else f"{v:{sign},.{places}f}"

    rows, money = table.index[:1], table.index[1:]
    return (
        table.style.format(shown(0), subset=pd.IndexSlice[rows, ["before", "after"]])
        .format(shown(0, "+"), subset=pd.IndexSlice[rows, ["change"]])
        .format(shown(2), subset=pd.IndexSlice[money, ["before", "after"]])
        .format(shown(2, "+"), subset=pd.IndexSlice[money, ["change"]])
    )


def listed(names: list[str], limit: int = 4) -> str:
    """'A', 'A and B', 'A, B, C and 2 more' — each name escaped and bold."""
    shown = [f"**{md_escape(n)}**" for n in names[:limit]]
    if len(names) > limit:
        shown.append(f"{len(names) - limit} more")
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def scope_text(kind: str | None, preview: dict) -> str:
    """What the before → after totals cover, named: 'for plan X (Country) and agencies A and B'."""
    after = preview.get("after") or {}
    scopes, agencies = after.get("scopes") or [], after.get("agencies") or []
    if not scopes:
        return "for the plan(s) and agencies in this file"
    noun = "evaluation" if kind == "actions" else "plan"
    text = f"for {noun}{'s' if len(scopes) > 1 else ''} {listed(scopes)}"
    if agencies:
        text += f" and agenc{'ies' if len(agencies) > 1 else 'y'} {listed(agencies)}"
    return text


def kind_text(result: LoadResult) -> str:
    if not result.kind:
        return "file"
    return f"{result.kind} file" + (" (UN INFO export)" if result.layout == "uninfo" else "")


def show_warnings(result: LoadResult, key: str) -> None:
    if result.warnings:
        # a refused file does not load: its warnings are only worth reading with the errors
        loads = result.status != "rejected"
        with st.expander(
            f"{len(result.warnings)} warning(s)" + (" — the file loads, but read them" if loads else " as well")
        ):
            show_problems(result.warnings, key=key)


def when_text(value: object) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if isinstance(value, dt.datetime) else str(value or "an earlier date")


def show_duplicate(result: LoadResult) -> None:
    previous = result.duplicate_of or {}
    st.info(
        f"**{md_escape(result.file_name)}** was already loaded on {when_text(previous.get('created_at'))} "
        f"by {md_escape(previous.get('user_name') or 'an unnamed user')} "
        f"(submission {previous.get('submission_id')}). Nothing changed.",
        icon=":material/content_copy:",
    )


def show_rejected(result: LoadResult, data: bytes, name: str) -> None:
    count = len(result.errors)
    st.error(
        f"**{md_escape(result.file_name)}** has {count} error{'s' if count != 1 else ''}. Nothing was "
        "loaded. Fix them in your file and upload it again.",
        icon=":material/error:",
    )
    show_problems(result.errors, key="upload_errors")
    report_name = f"validation-report-{name.rsplit('.', 1)[0]}.xlsx"
    st.download_button(
        "Download the validation report (.xlsx, errors highlighted)",
        lambda: error_report_bytes(result.file_name, data, result.errors + result.warnings),
        file_name=report_name,
        mime=tables.XLSX,
        key="upload_report",
        icon=":material/download:",
        on_click="ignore",
    )
    st.caption(
        "The report lists every error and holds a copy of your sheets with each offending cell in red "
        "and a note saying what to change."
    )
    show_warnings(result, "upload_report_warnings")


def show_sample(result: LoadResult) -> None:
    """A few of the rows Commit will add, and of the current rows it will replace (the preview's sample)."""
    sample = (result.preview or {}).get("sample") or {}
    for part, count, what in (
        ("added", result.rows_added, "to be added"),
        ("replaced", result.rows_replaced, "to be replaced"),
    ):
        rows = sample.get(part)
        if rows is not None and len(rows):
            st.markdown(f"Rows {what}: the first {len(rows)} of {count:,}")
            tables.show_table(rows, key=f"upload_sample_{part}")


def show_committed(last: dict) -> None:
    result: LoadResult = last["result"]
    if result.status == "committed":
        st.success(
            f"**{md_escape(result.file_name)}** committed as submission {result.submission_id}: "
            f"{result.rows_added:,} row(s) added, {result.rows_replaced:,} replaced. Every page shows the "
            "new figures now; the submission is in ③ History, where it can be rolled back.",
            icon=":material/task_alt:",
        )
        if last.get("preview"):
            show_totals(result.kind, last["preview"], "Totals {scope}, before → after:", "upload_committed_by_agency")
        st.page_link("pages/overview.py", label="See the Overview", icon=":material/dashboard:")
    elif result.status == "duplicate":
        show_duplicate(result)
    else:  # the data changed between the check and Commit in a way that makes the file invalid
        st.error(
            f"**{md_escape(result.file_name)}** was not committed: {len(result.errors)} error(s). Nothing "
            "was loaded. Upload it again to see them."
        )
