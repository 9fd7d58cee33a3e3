"""The tables pages show, and behind every chart: readable headers (the Metric registry's), rates as
percentages (75.2, not 0.752) so their CSVs read right, full names, and a formula-safe CSV download."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, Literal

import pandas as pd
import streamlit as st

from analytics.exports import safe_csv_bytes
from analytics.metrics import BUDGET_HEADERS, COVERAGE, RATE_COLUMNS, REQUIRED
from app.text import slug
from core.formatting import DASH, UNTITLED_OUTCOME, UNTITLED_OUTPUT, is_missing, reported_phrase, titled

DEFAULT_BUDGET_METRICS = (
    "required",
    "available",
    "expenditure",
    "funding_gap",
    "coverage",
    "delivery_rate",
    "lines_without_available",
    "lines_without_expenditure",
)
#: charts show at most this many rows (bars); their tables show the same rows
CHART_ROWS = 25
#: the MIME type of an Excel workbook, for download buttons
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def percent(series: pd.Series) -> pd.Series:
    """A ratio column as percentages (NULL stays NULL and shows '—')."""
    return pd.to_numeric(series, errors="coerce") * 100


def full_names(df: pd.DataFrame, label_column: str) -> list[str]:
    """The untruncated name of each row of a budget summary: 'code · title' for outcomes and outputs
    (labels in the filter bar are shortened; axes and hovers can show more)."""
    if label_column == "outcome" and "outcome_title" in df:
        return [titled(c, t, UNTITLED_OUTCOME) for c, t in zip(df["outcome_code"], df["outcome_title"])]
    if label_column == "output" and "output_title" in df:
        return [titled(c, t, UNTITLED_OUTPUT) for c, t in zip(df["output_code"], df["output_title"])]
    return ["" if is_missing(v) else str(v) for v in df[label_column]]


def budget_table(
    df: pd.DataFrame, labels: dict[str, str], metrics: Sequence[str] = DEFAULT_BUDGET_METRICS
) -> pd.DataFrame:
    """The chart's rows with readable headers: the row's name first, then the metrics, then long context
    columns (plan, agency name), so the figures are in sight without scrolling sideways."""
    trailing = [c for c in labels if c in ("plan", "agency_name")]
    table = df[[c for c in labels if c not in trailing] + list(metrics) + trailing].copy()
    for column in ("outcome", "output"):  # full titles in tables and their CSVs (axes shorten them)
        if column in labels and f"{column}_title" in df:
            table[column] = full_names(df, column)
    for column in metrics:
        if column in RATE_COLUMNS:
            table[column] = percent(table[column])
    return table.rename(columns={**labels, **{m: BUDGET_HEADERS[m] for m in metrics}})


def budget_column_config(table: pd.DataFrame) -> dict[str, Any]:
    """Money with thousands separators, rates as whole percentages, long labels wide."""
    config: dict[str, Any] = {}
    for column in table.columns:
        name = str(column)
        if name.endswith("(USD)"):
            config[name] = st.column_config.NumberColumn(name, format="localized")
        elif name.endswith("(%)"):
            config[name] = st.column_config.NumberColumn(name, format="%.0f %%")
        elif name in ("Outcome", "Output", "Indicator", "Action", "Recommendation", "Source", "Comments"):
            config[name] = st.column_config.TextColumn(name, width="large")
    return config


def text_columns(*names: str, width: Literal["small", "medium", "large"] = "large") -> dict[str, Any]:
    return {n: st.column_config.TextColumn(n, width=width) for n in names}


def top_rows(
    df: pd.DataFrame,
    what: str,
    n: int = CHART_ROWS,
    measure: str = "the largest requirement",
    sort_by: str | None = None,
) -> tuple[pd.DataFrame, str | None]:
    """The first `n` rows (largest first: the query's order, or `sort_by` descending) and a note when
    some were left out, so a chart stays readable and its table is exactly what it shows."""
    if len(df) <= n:
        return df, None
    top = df.sort_values(sort_by, ascending=False, kind="stable").head(n) if sort_by else df.head(n)
    return top, (
        f"The chart and its table show the {n} {what} with {measure}, of {len(df):,}. "
        "Narrow the view with the filters, or get every row on the Data export page."
    )


def show_table(
    table: pd.DataFrame,
    *,
    column_config: dict | None = None,
    key: str | None = None,
    height: int | Literal["auto", "stretch", "content"] = "auto",
) -> None:
    st.dataframe(table, hide_index=True, column_config=column_config, placeholder=DASH, key=key, height=height)


#: what a table's CSV rounds to (decimal places), by the unit its header ends with: the Metric registry's precision
CSV_PRECISION = {"(%)": COVERAGE.precision, "(USD)": REQUIRED.precision}
CSV_PRECISION_NOTE = "Percentages rounded to one decimal, money to the cent."


def rounded(table: pd.DataFrame) -> pd.DataFrame:
    """The table with its percentages and money rounded to the stated precision (`CSV_PRECISION`)."""
    out = table.copy()
    for column in out.columns:
        places = next((p for unit, p in CSV_PRECISION.items() if str(column).endswith(unit)), None)
        if places is not None and pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].round(places)
    return out


def download_csv(table: pd.DataFrame, name: str, label: str = "Download this table (CSV)") -> None:
    """A formula-safe CSV download of exactly `table`, rounded to the stated precision."""
    # the bytes are made when the button is clicked, not on every run of the page
    st.download_button(
        label,
        data=functools.partial(safe_csv_bytes, rounded(table)),
        file_name=f"{slug(name)}.csv",
        mime="text/csv",
        key=f"download-{slug(name)}",
        on_click="ignore",
        icon=":material/download:",
        help=CSV_PRECISION_NOTE,
    )


def freshness_table(fresh: pd.DataFrame) -> pd.DataFrame:
    """`activity.freshness` as the Overview shows it: the day each agency's data were last reported, saying which
    day it is ('reported 11 Jun 2025 (export date)', 'loaded 30 Nov 2026'), the days since, per dataset, when the
    latest was loaded and its file."""
    said = [reported_phrase(d, f) for d, f in zip(fresh["last_reported"], fresh["reported_from"])]
    columns = {
        "agency": "Agency",
        "said": "Last reported",
        "days_since": "Days since",
        "last_budget": "Budget",
        "last_indicators": "Indicators",
        "last_actions": "Actions",
        "last_submission": "Loaded",
        "last_file": "Last file",
        "agency_name": "Name",
    }
    return fresh.assign(said=said)[list(columns)].rename(columns=columns)


def freshness_column_config() -> dict[str, Any]:
    days = {
        c: st.column_config.DateColumn(
            c, format="YYYY-MM-DD", width="small", help=f"When the agency's {c.lower()} data were last reported"
        )
        for c in ("Budget", "Indicators", "Actions")
    }
    return {
        **days,
        "Agency": st.column_config.TextColumn("Agency", width="small", pinned=True),
        "Last reported": st.column_config.TextColumn(
            "Last reported",
            width="medium",
            help="The export's or file's own date when it states one (which date is said in brackets), else the day "
            "the file was loaded",
        ),
        "Days since": st.column_config.NumberColumn(
            "Days since", width="small", help="Days since the data were last reported"
        ),
        "Loaded": st.column_config.DatetimeColumn(
            "Loaded", format="YYYY-MM-DD HH:mm", width="small", help="When the latest of these files was loaded"
        ),
        "Last file": st.column_config.TextColumn("Last file", width="medium"),
        "Name": st.column_config.TextColumn("Name", width="medium"),
    }
