"""Data export: any dataset, filtered like the rest of the dashboard, as CSV or Excel (formula-safe)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from analytics import exports
from analytics import filters as registry
from app import auth, data, frame, tables
from app.filter_bar import filter_summary, outcome_labels, value_labels
from core.formatting import format_count

frame.require_frame()

st.title("Data export")
st.caption(f"Filtered rows for Excel or further analysis · {filter_summary()}")

if frame.no_surface_notice():
    st.stop()

DATASET_TITLES = {
    "budget": "Budget (CBF and expenditure)",
    "indicators": "Indicator values",
    "actions": "Recommendations and actions",
    "submissions": "Submissions",
}
FILTER_NOTES = {
    "budget": "All filters apply. The agency filter keeps joint sub-outputs that list the agency.",
    "indicators": "Country, plan, agency and outcome (indicators whose result code is the outcome's or its "
    "outputs' code) apply; the year range applies to the reporting period.",
    "actions": "Country (through the plan), plan and agency apply; the year range applies to deadlines "
    "(actions without a deadline are kept); actions have no outcome.",
    "submissions": "Country (through the plan), plan and agency apply; years and outcome do not.",
}
PREVIEW_ROWS = 200
EXCEL_MAX_ROWS = 1_048_575

kind = st.radio(
    "Dataset", list(DATASET_TITLES), format_func=DATASET_TITLES.get, horizontal=True, key="dataset", bind="query-params"
)
filters = data.current_filters()
if not data.has_data(kind):
    frame.empty_state(kind)
    st.stop()

detail = None
if kind == "budget":  # UN INFO exports keep more about each sub-output: narrow the export on it too
    choices = data.cached(exports.budget_detail_options, filters)
    if any(choices.values()):
        with st.expander(
            "More budget filters — strategic priority, sub-output status, SDG goal, partner",
            expanded=any(k in st.query_params for k in ("priority", "status", "sdg", "partner")),
        ):
            first, second = st.columns(2)
            detail = exports.BudgetDetail(
                strategic_priority=first.selectbox(
                    "Strategic priority",
                    choices["strategic_priority"],
                    index=None,
                    placeholder="Any strategic priority",
                    key="priority",
                    bind="query-params",
                ),
                suboutput_status=second.selectbox(
                    "Sub-output status",
                    choices["suboutput_status"],
                    index=None,
                    placeholder="Any status",
                    key="status",
                    bind="query-params",
                ),
                sdg_goal=first.selectbox(
                    "SDG goal", choices["sdg_goal"], index=None, placeholder="Any goal", key="sdg", bind="query-params"
                ),
                partner=second.text_input(
                    "Contributing partner contains",
                    key="partner",
                    bind="query-params",
                    placeholder="e.g. European Union",
                ).strip()
                or None,
            )
            st.caption(
                "From UN INFO exports (agency spreadsheets do not carry these fields): a sub-output counts "
                "for each SDG goal it lists."
            )
        if detail == exports.BudgetDetail():
            detail = None

count = data.cached(exports.count, filters, kind, detail)
st.caption(FILTER_NOTES[kind])
if not count:
    if detail:
        st.info(
            "No budget line matches the sidebar filters together with the “More budget filters” above: "
            "clear one of those first."
        )
    else:
        frame.nothing_in_view(kind, filters)
    st.stop()

st.metric("Rows matching the filters", format_count(count))
readable = st.toggle("Readable column names (“Outcome code”, not “outcome_code”)", key="labels", bind="query-params")
# the file's name carries the filters: budget-jordan-2023-2025.csv
years = registry.summary(filters.without("country", "plan", "outcome", "agency", "current_plans"), kind, {})
outcome = outcome_labels().get(filters.outcome) if filters.outcome else None
base_name = exports.file_stem(
    kind,
    [
        "current plans" if filters.current_plans else None,
        filters.country,
        filters.plan,
        *years,
        outcome,
        filters.agency,
    ],
)


def labelled(rows):
    return rows.rename(columns=exports.human_labels(list(rows.columns))) if readable else rows


# the files are made when a button is clicked, outside the page's run (data.on_click: as of the filters' date too)
def csv_bytes(con) -> bytes:
    return exports.safe_csv_bytes(labelled(exports.rows(con, filters, kind, detail=detail)))


# read while the page runs (the file is made when its button is clicked, outside the page's run)
user = auth.current_user(data.connection())
version = st.session_state.get("_data_version") or ()


def about() -> list[tuple[str, object]]:
    """The Excel file's "Filters" sheet: what was applied, when, by whom, and how recent the data are."""
    applied = " · ".join(registry.summary(filters, kind, value_labels(filters))) or "All data"
    return [
        ("Dataset", DATASET_TITLES[kind]),
        ("Filters", applied),
        *(
            (name, value)
            for name, value in (
                ("Strategic priority", detail and detail.strategic_priority),
                ("Sub-output status", detail and detail.suboutput_status),
                ("SDG goal", detail and detail.sdg_goal),
                ("Contributing partner contains", detail and detail.partner),
            )
            if value
        ),
        ("Rows", count),
        ("Exported at", f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}"),
        ("Exported by", auth.describe(user) if user else "a viewer not signed in"),
        (
            "Data as of",
            f"the latest submission, loaded {str(version[2])[:19]}"
            if len(version) > 2 and version[2]
            else "no submission yet",
        ),
        ("How filters apply", FILTER_NOTES[kind]),
    ]


def excel_bytes(con) -> bytes:
    return exports.safe_excel_bytes(
        labelled(exports.rows(con, filters, kind, limit=EXCEL_MAX_ROWS, detail=detail)),
        sheet_name=kind.capitalize(),
        about=about(),
    )


left, right, _ = st.columns([1, 1, 3])
with left:
    st.download_button(
        "Download CSV",
        data=data.on_click(csv_bytes, filters),
        file_name=f"{base_name}.csv",
        mime="text/csv",
        key="export-csv",
        on_click="ignore",
        icon=":material/download:",
        type="primary",
    )
with right:
    st.download_button(
        "Download Excel",
        data=data.on_click(excel_bytes, filters),
        file_name=f"{base_name}.xlsx",
        mime=tables.XLSX,
        key="export-xlsx",
        on_click="ignore",
        icon=":material/table:",
    )
if count > EXCEL_MAX_ROWS:
    st.warning(
        f"Excel holds at most {format_count(EXCEL_MAX_ROWS)} rows: the Excel file has the first "
        f"{format_count(EXCEL_MAX_ROWS)}; the CSV has them all."
    )
st.caption(
    "Text that a spreadsheet would run as a formula (starting with = + - @) is saved with an apostrophe "
    "in front, so opening the file is safe."
    + (" Blank money cells mean “not reported”, not zero." if kind == "budget" else "")
)

with frame.section("Preview"):
    preview = data.cached(exports.rows, filters, kind, PREVIEW_ROWS, detail)
    if count > len(preview):
        st.caption(
            f"The first {format_count(len(preview))} of {format_count(count)} rows; the downloads have all of them."
        )
    tables.show_table(labelled(preview), key="table-export-preview", height=460)
