"""Shared Streamlit glue: the one connection, cached queries, the filter bar, palettes, cards and
`chart_with_table`. Pages import this and `etl.queries`; they hold no SQL and no metric logic.

Stored text never reaches HTML: tables go through st.dataframe, chart text is entity-escaped
(`plot_text`) so Plotly shows it literally, and markdown gets `md_escape`d text only.

An unexpected failure costs one part of a page, never the page: `section()` around each part, a
catch-all in `run_page` and `guarded` callbacks log it with a short id and show a plain message.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import re
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import duckdb
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.logger import get_logger

import store.connection
from core.errors import StoreUnavailable
from core.formatting import (
    DASH,
    UNTITLED_OUTCOME,
    UNTITLED_OUTPUT,
    count_of,
    format_count,
    format_money,
    format_rate,
    is_missing,
    shorten,
    text,
    titled,
)
from etl import queries
from etl.export import safe_csv_bytes
from etl.queries import Filters

# --------------------------------------------------------------------------------------------------
# Palettes: one colour per meaning, the same on every page (colour-blind-safe Okabe–Ito base).
# --------------------------------------------------------------------------------------------------

MONEY_COLORS = {
    "required": "#9AA5B1",       # slate grey
    "available": "#0072B2",      # blue
    "expenditure": "#009E73",    # bluish green
    "gap": "#D55E00",            # vermillion
    "surplus": "#56B4E9",        # sky blue
    "not_reported": "#DADDE1",   # light grey
}
MONEY_NAMES = {
    "required": "Required", "available": "Available", "expenditure": "Spent", "gap": "Funding gap",
    "surplus": "Surplus (over-funded)", "not_reported": "Available not reported",
}

INDICATOR_STATUS_COLORS = {
    "achieved": "#00593C",
    "on track": "#009E73",
    "off track": "#D55E00",
    "no data": "#BDBDBD",
}

ACTION_STATUS_COLORS = {
    "completed": "#009E73",
    "ongoing": "#0072B2",
    "not_started": "#E69F00",
    "continuous": "#56B4E9",
    "no_longer_applicable": "#BDBDBD",
    "deprioritized": "#8C7B6B",
}
ACTION_STATUS_LABELS = {
    "completed": "Completed", "ongoing": "Ongoing", "not_started": "Not started", "continuous": "Continuous",
    "no_longer_applicable": "No longer applicable", "deprioritized": "Deprioritized",
}
OVERDUE_COLOR = "#B2182B"

AGEING_COLORS = {
    "Not yet due": "#56B4E9",
    "1–90 days late": "#FDB863",
    "91–180 days late": "#F08A3C",
    "181–365 days late": "#D55E00",
    "More than a year late": "#8B1E00",
    "No deadline": "#BDBDBD",
}

JOINT_COLOR = "#4D4D4D"
_AGENCY_FIXED = {
    "UNDP": "#0468B1", "UNICEF": "#1CABE2", "WHO": "#7F3C8D", "FAO": "#3E8E41", "UNFPA": "#E68310",
    "UN Women": "#008B8B", "UN-Women": "#008B8B", "ILO": "#A5AA99", "UNESCO": "#CF1C90", "WFP": "#E73F74",
    "UNHCR": "#11A579", "IOM": "#3969AC", "UNODC": "#F2B701", "UNEP": "#80BA5A", "UNIDO": "#E17C05",
    "OHCHR": "#4B4B8F", "UN-Habitat": "#008695", "UNAIDS": "#C0392B", "RCO": "#6F6F6F", "UNOPS": "#9C6B30",
    "IFAD": "#5F4690", "UNV": "#1D6996", "OCHA": "#994E95", "ITC": "#666666", "UNCTAD": "#38A6A5",
}
_AGENCY_CYCLE = ("#5F4690", "#1D6996", "#38A6A5", "#0F8554", "#73AF48", "#EDAD08", "#E17C05", "#CC503E",
                 "#94346E", "#6F4070", "#994E95", "#666666")


def agency_color(code: str) -> str:
    """The agency's colour on every page ('Joint' is dark grey; unknown codes get a stable colour)."""
    if code == queries.JOINT_LABEL or str(code).startswith("Joint"):
        return JOINT_COLOR
    if code in _AGENCY_FIXED:
        return _AGENCY_FIXED[code]
    digest = int(hashlib.md5(str(code).encode()).hexdigest(), 16)
    return _AGENCY_CYCLE[digest % len(_AGENCY_CYCLE)]


# --------------------------------------------------------------------------------------------------
# Safe text
# --------------------------------------------------------------------------------------------------

def plot_text(value: object) -> str:
    """Text for a Plotly label or hover: entities escaped so '<b>' shows as typed, never as markup."""
    if is_missing(value):
        return ""
    return html.escape(str(value), quote=False)


#: CommonMark lets a backslash escape any ASCII punctuation: links, emphasis, HTML, :colour[…] directives, $LaTeX$
_MD_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
#: Streamlit turns some plain text into links or icons after the Markdown is parsed, where escapes no longer
#: count: bare URLs (https://…, www.…), e-mail addresses and :material/…: icons. An invisible word joiner
#: after such a colon, between "www" and its dot and before "@" breaks each of them.
_AUTOLINK_SEAMS = re.compile(r"(?<=:)(?=\S)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def md_escape(value: object) -> str:
    """Stored or URL text for anything that renders Markdown (st.markdown, caption, title, subheader,
    info/warning/error/success, widget, button and metric labels, progress texts, st.table cells): shown
    as typed, never as a link, emphasis, colour, icon, LaTeX or HTML."""
    plain = "" if is_missing(value) else str(value)
    return _MD_PUNCTUATION.sub(r"\\\1", _AUTOLINK_SEAMS.sub(WORD_JOINER, plain))


# --------------------------------------------------------------------------------------------------
# Error boundary: an unexpected failure shows a plain message with the id it is logged under
# --------------------------------------------------------------------------------------------------

_log = get_logger("unct.dashboard")
FAILURE_MESSAGE = "This part of the page could not be drawn; the error is logged as {error_id}."


def report_failure(where: str) -> str:
    """Log the exception being handled, with its traceback and a short id, on the server; the plain message
    that names the id (Streamlit's own error box would name Streamlit Cloud and chat assistants)."""
    error_id = f"E-{secrets.token_hex(3)}"
    _log.error("%s: %s could not be drawn", error_id, where, exc_info=True)
    return FAILURE_MESSAGE.format(error_id=error_id)


@contextlib.contextmanager
def section(title: str | None = None) -> Iterator[None]:
    """One part of a page (under its subheader `title`, plain text or escaped): an unexpected exception in
    it replaces what it drew with the plain message, and the rest of the page is drawn. st.stop, st.rerun
    and st.switch_page raise BaseException, not Exception, and pass through."""
    if title:
        st.subheader(title)
    slot = st.empty()
    try:
        with slot.container():
            yield
    except Exception:
        slot.error(report_failure(title or "a section"), icon=":material/error:")


def guarded(callback: Callable[..., None]) -> Callable[..., None]:
    """A widget callback whose unexpected exception shows the plain message at the top of the page (a
    callback runs before the script, outside any section)."""
    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            callback(*args, **kwargs)
        except Exception:
            st.error(report_failure(f"callback {callback.__name__}"), icon=":material/error:")
    return run


# --------------------------------------------------------------------------------------------------
# Frame: every page runs inside dashboard.py (page config, filter bar)
# --------------------------------------------------------------------------------------------------

_frame = threading.local()


def run_page(page: Any) -> None:
    """Run the selected st.navigation page inside the frame; an exception outside the page's sections
    ends the page there with the plain message (what was drawn stays)."""
    _frame.active = True
    try:
        page.run()
    except Exception:
        st.error(report_failure(f"page {getattr(page, 'title', page)}"), icon=":material/error:")
    finally:
        _frame.active = False


def require_frame() -> None:
    """First line of every page. Streamlit treats an app with a `pages/` folder as a legacy multipage
    app until the entry script has called st.navigation once; a bookmarked page opened first after a
    server start would then run bare, without the filter bar. Switch the legacy mode off and rerun
    through dashboard.py, which lands on the same page (its url_path is the file name)."""
    if getattr(_frame, "active", False):
        return
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()


# --------------------------------------------------------------------------------------------------
# Connection and cached queries
# --------------------------------------------------------------------------------------------------

@st.cache_resource(show_spinner=False)
def _connect(path: str) -> duckdb.DuckDBPyConnection:
    return store.connection.connect(path)


def db_path() -> str:
    return str(store.connection.db_path())


def connection() -> duckdb.DuckDBPyConnection:
    """The process's one DuckDB connection (the Upload page writes through it too)."""
    try:
        return _connect(db_path())
    except (StoreUnavailable, duckdb.IOException) as error:  # held by another process, damaged, unwritable
        st.error(md_escape(error) if isinstance(error, StoreUnavailable) else
                 f"The database {md_escape(db_path())} cannot be opened: {md_escape(error)}")
        st.stop()
        raise  # st.stop() raises; this line only reassures type checkers


def data_version() -> tuple:
    """Submissions' fingerprint; a new submission or roll-back invalidates every cached query."""
    con = connection()
    if queries.missing_surface(con):
        return ("no-surface",)
    return queries.data_version(con)


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached(db: str, version: tuple, name: str, filters: tuple, args: tuple) -> Any:
    function = getattr(queries, name)
    if name in _KIND_FIRST:  # export_rows(con, kind, filters, …)
        return function(_connect(db), args[0], Filters(*filters), *args[1:])
    return function(_connect(db), Filters(*filters), *args)


_KIND_FIRST = {"export_rows", "export_count"}


def query(name: str, *args: Any, filters: Filters | None = None) -> Any:
    """`queries.<name>(con, filters, *args)`, cached per (database, data version, filters, args)."""
    f = filters if filters is not None else current_filters()
    version = st.session_state.get("_data_version") or data_version()
    return _cached(db_path(), version, name, f.as_tuple(), tuple(args))


def current_filters() -> Filters:
    return st.session_state.get("_filters") or Filters()


def options() -> dict[str, Any]:
    """The filter bar's options for the whole database (has_budget etc. say what data exists)."""
    return st.session_state.get("_options") or _EMPTY_OPTIONS


_EMPTY_OPTIONS: dict[str, Any] = {
    "countries": [], "plans": [], "year_min": None, "year_max": None, "outcomes": [], "agencies": [],
    "has_budget": False, "has_indicators": False, "has_actions": False, "has_submissions": False,
}

# --------------------------------------------------------------------------------------------------
# Filter bar (state in the URL: each widget is bound to a query parameter of the same name)
# --------------------------------------------------------------------------------------------------

FILTER_KEYS = ("country", "plan", "years", "outcome", "agency")


def clear_filters(*keys: str) -> None:
    for key in keys:
        if key == "years":
            bounds = st.session_state.get("_year_bounds")
            if bounds:
                st.session_state["years"] = bounds
        elif key in st.session_state:
            st.session_state[key] = None


def _with_current(values: list, key: str) -> list:
    current = st.session_state.get(key)
    return values + [current] if current and current not in values else values


def filter_bar() -> Filters:
    """Country, plan, year range, outcome and agency in the sidebar; returns the Filters they set."""
    st.session_state["_data_version"] = version = data_version()
    if version == ("no-surface",):
        st.session_state["_options"] = _EMPTY_OPTIONS
        st.session_state["_filters"] = Filters()
        return Filters()
    db = db_path()
    every = _cached(db, version, "filter_options", Filters().as_tuple(), ())
    st.session_state["_options"] = every
    # what the address asks for, read before the widgets take (or drop) it: see unrecognised_link_filters
    asked = {key: st.query_params.get_all(key) for key in ("country", "plan", "years", "outcome", "agency")}
    bar = st.sidebar
    bar.header("Filters")

    country = bar.selectbox(
        "Country", _with_current(every["countries"], "country"), index=None, placeholder="All countries",
        key="country", bind="query-params", on_change=clear_filters, args=("plan", "outcome"))
    in_country = every if not country else _cached(
        db, version, "filter_options", Filters(country=country).as_tuple(), ())
    plan = bar.selectbox(
        "Plan (Cooperation Framework)", _with_current(in_country["plans"], "plan"), index=None,
        placeholder="All plans", key="plan", bind="query-params", on_change=clear_filters, args=("outcome",))

    year_from = year_to = None
    lo, hi = every["year_min"], every["year_max"]
    if lo is not None and hi is not None and lo < hi:
        bounds, previous = (int(lo), int(hi)), st.session_state.get("_year_bounds")
        st.session_state["_year_bounds"] = bounds
        chosen = st.session_state.get("years")
        if chosen and previous and tuple(chosen) == tuple(previous) and bounds != tuple(previous):
            # the whole range was shown and the data's years changed (an upload, a roll-back): keep showing
            # the whole range rather than silently filtering the new years out
            st.session_state["years"] = chosen = bounds
        if chosen and (chosen[0] < lo or chosen[1] > hi):  # the data's years changed since it was chosen
            st.session_state["years"] = (min(max(int(chosen[0]), int(lo)), int(hi)),
                                         max(min(int(chosen[1]), int(hi)), int(lo)))
        chosen = bar.slider("Years", int(lo), int(hi), value=(int(lo), int(hi)), step=1, key="years",
                            bind="query-params")
        if tuple(chosen) != (int(lo), int(hi)):
            year_from, year_to = int(chosen[0]), int(chosen[1])
    elif lo is not None:
        bar.caption(f"Years: {int(lo)} (the only year with data)")

    in_plan = in_country if not plan else _cached(
        db, version, "filter_options", Filters(country=country, plan=plan).as_tuple(), ())
    # the URL carries the outcome's label (stable: unique over all outcomes), the page gets its key
    outcome_labels = {o["key"]: o["label"] for o in every["outcomes"]}
    outcome = bar.selectbox(
        "Outcome", _with_current([o["key"] for o in in_plan["outcomes"]], "outcome"), index=None,
        placeholder="All outcomes", key="outcome", bind="query-params",
        format_func=lambda k: outcome_labels.get(k, f"(outcome {k})"))

    agency_names = {a["code"]: a["name"] for a in every["agencies"]}
    agency = bar.selectbox(
        "Agency", _with_current([a["code"] for a in every["agencies"]], "agency"), index=None,
        placeholder="All agencies", key="agency", bind="query-params",
        help="UN entity code. Joint sub-outputs that list the agency are included.")
    if agency and agency_names.get(agency):
        bar.caption(md_escape(agency_names[agency]))

    filters = Filters(country=country, plan=plan, year_from=year_from, year_to=year_to, outcome=outcome,
                      agency=agency)
    shown = {"country": country, "plan": plan, "agency": agency, "outcome": outcome_labels.get(outcome),
             "years": [str(v) for v in chosen] if lo is not None and hi is not None and lo < hi else None}
    dropped = unrecognised_link_filters(asked, shown)
    if dropped:
        st.warning("This link asks for " + "; ".join(dropped) + ", which the data do not have: the page shows "
                   "everything else the link asks for. The link may be older than the data, or mistyped.",
                   icon=":material/link_off:")
    st.session_state["_filters"] = filters
    if not filters.is_empty:
        bar.button("Clear all filters", on_click=clear_filters, args=FILTER_KEYS, key="clear-filters",
                   width="stretch")
    bar.caption("These filters are kept in the page address: bookmark it or send it to a colleague "
                "to share exactly this view.")
    if any("(demo data)" in (p or "") for p in every.get("plans", [])):
        st.warning("**Demo data.** The figures of \"Demoland\" are generated for demonstration; they are not a "
                   "real country team's. Run `python -m etl load` or use the Upload page to load real files.",
                   icon=":material/science:")
    if agency:
        bar.caption(f"Agency {md_escape(agency)}: its own budget lines plus joint sub-outputs it takes part "
                    "in (their money is not split between agencies).")
    return filters


def unrecognised_link_filters(asked: Mapping[str, list[str]], shown: Mapping[str, Any]) -> list[str]:
    """The filters an address asked for that the filter bar could not take (a value not in the data),
    as 'agency “XYZ”'; Streamlit drops such values from the address without a word."""
    dropped = []
    for key, values in asked.items():
        if not values:
            continue
        taken = shown.get(key)
        if key == "years":
            if taken != values:
                dropped.append(f"years “{'–'.join(values)}”")
        elif taken != values[0]:
            dropped.append(f"{key} “{values[0]}”")
    return [md_escape(d) for d in dropped]


def page_start(title: str, subtitle: str, kind: str) -> Filters:
    """Title, caption and the empty state of a page about one dataset: the filters, or the script
    stops with what the user should do."""
    st.title(title)
    st.caption(f"{subtitle} · {filter_summary(kind=kind)}")
    if no_surface_notice():
        st.stop()
    if not has_data(kind):
        empty_state(kind)
        st.stop()
    return current_filters()


def budget_page(title: str, subtitle: str) -> tuple[Filters, dict]:
    """`page_start` for a budget page, plus its totals (stops when the filters match nothing)."""
    filters = page_start(title, subtitle, "budget")
    totals = query("budget_totals")
    if not totals["lines"]:  # sub-outputs without figures may be all there is in view: say so
        note = suboutputs_note(query("suboutput_totals"))
        if note:
            st.info(note)
        else:
            empty_state("filtered")
        st.stop()
    return filters, totals


def recommendation_label(number: object, text: object) -> str:
    """'R3. Strengthen partnerships…'; a work-plan priority area without a number shows its text alone."""
    has_number = isinstance(number, str) and number.strip()
    has_text = isinstance(text, str) and text.strip()
    if has_number and has_text:
        return f"{number}. {text}"
    return str(text) if has_text else (str(number) if has_number else "(no recommendation given)")


def outcome_label(key: str | None) -> str:
    for o in options().get("outcomes", []):
        if o["key"] == key:
            return o["label"]
    return str(key)


def outcome_title(key: str | None) -> str:
    """The chosen outcome in full: 'code · title (plan)'."""
    for o in options().get("outcomes", []):
        if o["key"] == key:
            return f"{titled(o['outcome_code'], o['outcome_title'])} ({o['plan']})"
    return str(key)


def filter_summary(filters: Filters | None = None, kind: str = "budget") -> str:
    """'Angola · 2024–2025 · UNDP' — what the page is narrowed to, markdown-escaped (`kind`: the dataset
    the page shows; only budget lines have joint sub-outputs)."""
    f = filters or current_filters()
    parts = []
    if f.country:
        parts.append(f.country)
    if f.plan:
        parts.append(f.plan)
    if f.year_from is not None:
        parts.append(str(f.year_from) if f.year_from == f.year_to else f"{f.year_from}–{f.year_to}")
    if f.outcome:
        label = outcome_label(f.outcome)
        parts.append(label if label.lower().startswith("outcome") else "outcome " + label)
    if f.agency:
        parts.append(f"agency {f.agency}" + (" (incl. joint sub-outputs)" if kind == "budget" else ""))
    return md_escape(" · ".join(parts)) if parts else "All data"


# --------------------------------------------------------------------------------------------------
# Empty states, cards, tables
# --------------------------------------------------------------------------------------------------

EMPTY = {
    "budget": "No budget data yet — upload a CBF or UN INFO export on the Upload page, "
              "or run `python -m etl demo` to load the demo data.",
    "indicators": "No indicator data yet — upload an indicators workbook on the Upload page, "
                  "or run `python -m etl demo`.",
    "actions": "No recommendations or actions yet — upload a management response or work plan on the "
               "Upload page, or run `python -m etl demo`.",
    "submissions": "No submissions yet — upload a file on the Upload page, or run `python -m etl demo`.",
    "filtered": "Nothing matches these filters: clear one in the sidebar (each filter shows what it is set "
                "to), or widen the year range.",
}


def has_data(kind: str) -> bool:
    return bool(options().get(f"has_{kind}"))


def empty_state(kind: str) -> None:
    st.info(EMPTY[kind])


def no_surface_notice() -> bool:
    """Shows what to do when the database has no query surface yet; True when it was shown."""
    if st.session_state.get("_data_version") == ("no-surface",):
        st.warning(f"The database {md_escape(db_path())} has no data yet — run `python -m etl demo` to build "
                   "the demo database, or load files on the Upload page.")
        return True
    return False


def card(column: Any, label: str, value: str, help: str | None = None, caption: str | None = None) -> None:
    with column:
        st.metric(label, value, help=help, border=True)
        if caption:
            st.caption(caption)


def text_columns(*names: str, width: str = "large") -> dict[str, Any]:
    return {n: st.column_config.TextColumn(n, width=width) for n in names}


def show_table(table: pd.DataFrame, *, column_config: dict | None = None, key: str | None = None,
               height: int | str = "auto") -> None:
    st.dataframe(table, hide_index=True, column_config=column_config, placeholder=DASH, key=key,
                 height=height)


def download_csv(table: pd.DataFrame, name: str, label: str = "Download this table (CSV)") -> None:
    """A formula-safe CSV download of exactly `table`."""
    # the bytes are made when the button is clicked, not on every run of the page
    st.download_button(label, data=functools.partial(safe_csv_bytes, table), file_name=f"{_slug(name)}.csv",
                       mime="text/csv", key=f"download-{_slug(name)}", on_click="ignore",
                       icon=":material/download:")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "table"


# --------------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------------

FONT = dict(family="Source Sans Pro, Segoe UI, Arial, sans-serif", size=14, color="#262730")
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
                 "toImageButtonOptions": {"format": "png", "scale": 2}}


def money_scale(values: Sequence[float]) -> tuple[float, str]:
    """A divisor and axis title so money axes read 'USD million' instead of long numbers."""
    clean = [abs(float(v)) for v in values if not is_missing(v)]
    top = max(clean) if clean else 0
    if top >= 1e9:
        return 1e9, "USD billion"
    if top >= 1e6:
        return 1e6, "USD million"
    if top >= 1e3:
        return 1e3, "USD thousand"
    return 1.0, "USD"


def layout(fig: go.Figure, *, title: str | None = None, height: int | None = None, legend: bool = True,
           x_title: str | None = None, y_title: str | None = None) -> go.Figure:
    fig.update_layout(
        title=dict(text=plot_text(title), x=0, xanchor="left", font=dict(size=17)) if title else None,
        font=FONT, height=height, margin=dict(l=10, r=20, t=56 if title else 20, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0, title_text="",
                    traceorder="normal") if legend else None,
        showlegend=legend, hoverlabel=dict(font_size=14, align="left"), bargap=0.25,
        separators=".,",
    )
    if x_title is not None:
        fig.update_xaxes(title_text=plot_text(x_title))
    if y_title is not None:
        fig.update_yaxes(title_text=plot_text(y_title))
    fig.update_xaxes(automargin=True, tickfont=dict(size=13), title_font=dict(size=14))
    fig.update_yaxes(automargin=True, tickfont=dict(size=13), title_font=dict(size=14))
    return fig


def count_axis(fig: go.Figure, maximum: float, axis: str = "x") -> None:
    """Whole numbers only on an axis that counts things."""
    settings = dict(rangemode="tozero", tickformat=",d")
    if maximum <= 12:
        settings["dtick"] = 1
    (fig.update_xaxes if axis == "x" else fig.update_yaxes)(**settings)


CHART_ROWS = 25


def top_rows(df: pd.DataFrame, what: str, n: int = CHART_ROWS, measure: str = "the largest requirement",
             sort_by: str | None = None) -> tuple[pd.DataFrame, str | None]:
    """The first `n` rows (largest first: the query's order, or `sort_by` descending) and a note when
    some were left out, so a chart stays readable and its table is exactly what it shows."""
    if len(df) <= n:
        return df, None
    top = df.sort_values(sort_by, ascending=False, kind="stable").head(n) if sort_by else df.head(n)
    return top, (f"The chart and its table show the {n} {what} with {measure}, of {len(df):,}. "
                 "Narrow the view with the filters, or get every row on the Data export page.")


def join_notes(*notes: str | None) -> str | None:
    text = " ".join(n for n in notes if n)
    return text or None


def bar_height(n: int, per_bar: int = 44, minimum: int = 260, maximum: int = 2400) -> int:
    return max(minimum, min(maximum, 110 + per_bar * n))


def wrap_label(value: object, width: int = 42, lines: int = 2) -> str:
    """Text on up to `lines` lines of about `width` characters (escaped, joined with <br>)."""
    words = " ".join(str("" if is_missing(value) else value).split()).split(" ")
    out: list[str] = []
    current = ""
    for i, word in enumerate(words):
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width or not current:
            current = candidate
            continue
        out.append(current)
        current = word
        if len(out) == lines - 1:
            current = shorten(" ".join(words[i:]), width)
            break
    out.append(current)
    return "<br>".join(plot_text(line) for line in out[:lines])


def axis_labels(labels: Sequence[object], width: int = 42, lines: int = 2) -> list[str]:
    """Escaped, wrapped (two lines), unique category labels for a chart axis."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for label in labels:
        text = wrap_label(label, width, lines)
        n = seen.get(text, 0)
        seen[text] = n + 1
        out.append(text if n == 0 else f"{text} ({n + 1})")
    return out


def category_rows(fig: go.Figure) -> None:
    """Horizontal bars: one row per label, top to bottom in the table's order. The axis is a category axis
    even when the labels read as numbers: outcomes without titles are labelled by their bare codes ('1',
    '2'), and Plotly would draw a number axis and drop every other row."""
    fig.update_yaxes(type="category", autorange="reversed")


def money_hover(name: str, values: Sequence[float], extra: Sequence[str] | None = None) -> list[str]:
    """Hover lines for a money trace: '<b>Available</b>: USD 1.2 M' plus optional escaped detail."""
    lines = []
    for i, v in enumerate(values):
        line = f"{name}: {format_money(v)}"
        if extra is not None:
            line = f"{extra[i]}<br>{line}"
        lines.append(line)
    return lines


def chart_with_table(fig: go.Figure, table: pd.DataFrame, name: str, *, column_config: dict | None = None,
                     note: str | None = None, drill: Callable[[str], None] | None = None) -> None:
    """A chart, and one click away the table behind it with a formula-safe CSV of exactly that table.

    `drill(chart_key)` runs when the user clicks a bar (e.g. `drill_to_outcome`)."""
    chart_key = f"chart-{_slug(name)}"
    chart_tab, table_tab = st.tabs(["Chart", "Table"])
    with chart_tab:
        st.plotly_chart(fig, key=chart_key, on_select=functools.partial(drill, chart_key) if drill else "ignore",
                        selection_mode="points", config=PLOTLY_CONFIG, theme="streamlit",
                        alt=name.replace("-", " ").capitalize())
    with table_tab:
        show_table(table, column_config=column_config, key=f"table-{_slug(name)}")
        download_csv(table, name)
    if note:
        st.caption(note)


def selected_customdata(chart_key: str) -> list:
    """customdata[0] of the points clicked in a chart (for drill-down callbacks)."""
    state = st.session_state.get(chart_key)
    if not state:
        return []
    try:
        points = state["selection"]["points"]
    except (KeyError, TypeError):
        return []
    values = []
    for point in points:
        data = point.get("customdata")
        if isinstance(data, (list, tuple)) and data:
            values.append(data[0])
        elif data is not None:
            values.append(data)
    return values


@guarded
def drill_to_outcome(chart_key: str) -> None:
    """Callback: a click on an outcome's bar narrows the whole dashboard to that outcome."""
    keys = [text(k) for k in selected_customdata(chart_key) if text(k)]
    if keys:
        st.session_state["outcome"] = keys[0]


@guarded
def drill_to_agency(chart_key: str) -> None:
    """Callback: a click on an agency's bar narrows the dashboard to that agency (not for 'Joint', '(no
    agency)' or 'Not assigned')."""
    codes = [text(c) for c in selected_customdata(chart_key) if text(c) and c not in queries.GROUP_LABELS]
    if codes:
        st.session_state["agency"] = codes[0]


# --------------------------------------------------------------------------------------------------
# Common pieces of budget pages
# --------------------------------------------------------------------------------------------------

def missing_figures_note(totals: Mapping[str, Any], expenditure: bool = True) -> str | None:
    """'2 of 16 budget lines have no available figure; 1 has no expenditure figure…' or None when every
    figure is reported (`expenditure=False` leaves spending out, for pages that do not show it)."""
    missing = [(totals["lines_without_required"], "required figure", totals["available_without_required"]),
               (totals["lines_without_available"], "available figure", None),
               (totals["lines_without_expenditure"] if expenditure else 0, "expenditure figure", None)]
    parts = []
    for count, what, available in missing:
        if not count:
            continue
        subject = format_count(count) if parts else f"{format_count(count)} of {count_of(totals['lines'], 'budget line')}"
        verb = "has" if count == 1 else "have"
        detail = f" ({format_money(available or 0)} available on them)" if available is not None else ""
        parts.append(f"{subject} {verb} no {what}{detail}")
    if not parts:
        return None
    return ("; ".join(parts) + ". Not reported is not zero: those lines are left out of both sides of each "
            "ratio (coverage, delivery rate) and of the funding gap, so the gap can differ from required "
            "minus available.")


def suboutputs_note(counts: Mapping[str, Any]) -> str | None:
    """'12 of 340 sub-outputs have no budget figures yet…' (`queries.suboutput_totals`), or None when every
    sub-output in view has some."""
    missing = counts.get("suboutputs_without_figures") or 0
    if not missing:
        return None
    has, they, are, add = ("has", "It", "is", "adds") if missing == 1 else ("have", "They", "are", "add")
    return (f"{format_count(missing)} of {count_of(counts['suboutputs'], 'sub-output')} {has} no budget figures "
            f"yet. {they} {are} part of the plan, counted among the {count_of(counts['outputs'], 'output')} and "
            f"{count_of(counts['suboutputs'], 'sub-output')} in view whatever the year range ({they.lower()} {has} "
            f"no year), but {add} nothing to the amounts.")


def indirect_costs_note(summary: pd.DataFrame) -> str | None:
    """'Plan X: programme USD 21,716,630.00 + support costs USD 1,520,164.10 + fees USD 232,367.94 = total USD
    23,469,162.04' per plan with indirect costs (`queries.plan_budget_summary`), markdown-escaped; None if none."""
    if summary is None or not len(summary):
        return None

    def amount(value: object, currency: str) -> str:
        return f"{currency} {float(value):,.2f}"

    return md_escape(" · ".join(
        f"{row.plan}{f' ({row.country})' if isinstance(row.country, str) and row.country else ''}: programme {amount(row.programme, row.currency)} + support costs "
        f"{amount(row.support_costs, row.currency)} + fees {amount(row.fees, row.currency)} = total "
        f"{amount(row.total, row.currency)}" for row in summary.itertuples()))


def plan_notes(indirect_costs: str = "always") -> list[str]:
    """The notes on the plan's structure a budget page shows under its cards: sub-outputs without budget
    figures, and a plan's 'programme + support costs + fees = total' (`indirect_costs`: 'always', 'never',
    or 'one plan': only when one plan is in view)."""
    notes = [suboutputs_note(query("suboutput_totals"))]
    one_plan = bool(current_filters().plan) or len(options().get("plans", [])) == 1
    if indirect_costs == "always" or (indirect_costs == "one plan" and one_plan):
        notes.append(indirect_costs_note(query("plan_budget_summary")))
    return [note for note in notes if note]


def joint_note(joint_lines: int) -> str | None:
    if not joint_lines:
        return None
    verb = "is a joint sub-output" if joint_lines == 1 else "are joint sub-outputs"
    return (f"{count_of(joint_lines, 'budget line')} {verb} of several agencies: they appear "
            "as “Joint” in by-agency views, and their money is never split or counted twice.")


# --------------------------------------------------------------------------------------------------
# Tables behind charts: human headers; rates as percentages (75.2, not 0.752) so CSVs read right
# --------------------------------------------------------------------------------------------------

BUDGET_HEADERS = {
    "required": "Required (USD)",
    "available": "Available (USD)",
    "expenditure": "Spent (USD)",
    "funding_gap": "Funding gap (USD)",
    "coverage": "Coverage (%)",
    "delivery_rate": "Delivery rate (%)",
    "burn_rate": "Spent of required (%)",
    "lines": "Budget lines",
    "lines_without_available": "Lines, no available figure",
    "lines_without_expenditure": "Lines, no spent figure",
    "required_without_available": "Required, available not reported (USD)",
    "available_without_required": "Available, no requirement stated (USD)",
    "lines_without_required": "Lines, no required figure",
    "available_with_expenditure": "Available, spending reported (USD)",
    "expenditure_with_available": "Spent, available reported (USD)",
}
RATE_COLUMNS = ("coverage", "delivery_rate", "burn_rate", "completeness", "implementation_rate", "progress",
                "expected_progress")
DEFAULT_BUDGET_METRICS = ("required", "available", "expenditure", "funding_gap", "coverage", "delivery_rate",
                          "lines_without_available", "lines_without_expenditure")


def percent(series: pd.Series) -> pd.Series:
    """A ratio column as percentages (NULL stays NULL and shows '—')."""
    return pd.to_numeric(series, errors="coerce") * 100


def budget_table(df: pd.DataFrame, labels: dict[str, str],
                 metrics: Sequence[str] = DEFAULT_BUDGET_METRICS) -> pd.DataFrame:
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


def gap_segments(df: pd.DataFrame) -> pd.DataFrame:
    """Bar segments that add up to the requirement: funded, gap, not reported (+ surplus beyond it).

    funded = available up to the requirement of the lines that report both; gap = the positive funding
    gap; surplus = the negative one; not reported = required of lines with no available figure. Money
    available on lines with no requirement stated is no part of a requirement bar (the table shows it)."""
    def number(column: str) -> pd.Series:
        return pd.to_numeric(df[column], errors="coerce").fillna(0.0)

    required_without = number("required_without_available")
    gap = number("funding_gap")
    available = number("available") - number("available_without_required")
    return pd.DataFrame({
        "funded": available - (-gap).clip(lower=0),
        "gap": gap.clip(lower=0),
        "surplus": (-gap).clip(lower=0),
        "not_reported": required_without,
    }, index=df.index)


def full_names(df: pd.DataFrame, label_column: str) -> list[str]:
    """The untruncated name of each row of a budget summary: 'code · title' for outcomes and outputs
    (labels in the filter bar are shortened; axes and hovers can show more)."""
    if label_column == "outcome" and "outcome_title" in df:
        return [titled(c, t, UNTITLED_OUTCOME) for c, t in zip(df["outcome_code"], df["outcome_title"])]
    if label_column == "output" and "output_title" in df:
        return [titled(c, t, UNTITLED_OUTPUT) for c, t in zip(df["output_code"], df["output_title"])]
    return ["" if is_missing(v) else str(v) for v in df[label_column]]


def hover_names(df: pd.DataFrame, label_column: str) -> list[str]:
    """Escaped full names for hovers, with the plan on a second line where there is one."""
    names = [plot_text(n) for n in full_names(df, label_column)]
    if "plan" in df and label_column in ("outcome", "output"):
        return [f"{n}<br>{plot_text(p)}" for n, p in zip(names, df["plan"])]
    return names


def gap_bars(df: pd.DataFrame, label_column: str, key_column: str | None = None, *,
             horizontal: bool = True) -> go.Figure:
    """Stacked bars of funded / gap / not reported / surplus per row, in the money colours."""
    segments = gap_segments(df)
    divisor, unit = money_scale(list(df["required"]) + list(df["available"].fillna(0)))
    names = full_names(df, label_column)
    labels = axis_labels(names) if horizontal else [plot_text(v) for v in names]
    full = hover_names(df, label_column)
    keys = list(df[key_column]) if key_column else [""] * len(df)
    detail = [f"{f}<br>Required: {format_money(r)}<br>Available: {format_money(a)}<br>"
              f"Gap: {format_money(g)}<br>Coverage: {format_rate(c)}"
              for f, r, a, g, c in zip(full, df["required"], df["available"], df["funding_gap"], df["coverage"])]
    fig = go.Figure()
    names = {"funded": "Available (funded)", "gap": "Funding gap", "not_reported": "Available not reported",
             "surplus": "Surplus (over-funded)"}
    colors = {"funded": MONEY_COLORS["available"], "gap": MONEY_COLORS["gap"],
              "not_reported": MONEY_COLORS["not_reported"], "surplus": MONEY_COLORS["surplus"]}
    for part in ("funded", "gap", "not_reported", "surplus"):
        values = segments[part] / divisor
        if not (segments[part] > 0).any():
            continue
        common = dict(name=names[part], marker_color=colors[part], customdata=[[k] for k in keys],
                      hovertext=[f"{d}<br><i>{names[part]}: {format_money(v)}</i>" for d, v in
                                 zip(detail, segments[part])], hoverinfo="text")
        if horizontal:
            fig.add_bar(y=labels, x=values, orientation="h", **common)
        else:
            fig.add_bar(x=labels, y=values, **common)
    layout(fig, height=bar_height(len(df), per_bar=40) if horizontal else 380,
           x_title=unit if horizontal else None, y_title=None if horizontal else unit)
    fig.update_layout(barmode="stack")
    if horizontal:
        category_rows(fig)
    else:
        fig.update_xaxes(type="category")
    return fig


def treemap_section(tree: pd.DataFrame, leaves: int) -> None:
    """Treemap of the requirement: outcome → output → agency (joint sub-outputs as one 'Joint: …' tile),
    tiles coloured by agency; with the table behind it."""
    if tree.empty:
        empty_state("filtered")
        return
    ids: list[str] = []
    labels: list[str] = []
    parents: list[str] = []
    values: list[float] = []
    colors: list[str] = []
    hover: list[str] = []
    # an output is its outcome and its code and title as stored (a missing one apart from an empty one)
    outputs = tree.groupby(["outcome_key", "output_code", "output_title"], dropna=False, sort=False).ngroup()
    tiles = tree.assign(
        required=pd.to_numeric(tree["required"], errors="coerce").fillna(0.0),
        output_id=[f"{k}/{n}" for k, n in zip(tree["outcome_key"], outputs)])
    # parents carry the sum of the tiles shown under them (branchvalues="total")
    for key, group in tiles.groupby("outcome_key", sort=False):
        label, total = group["outcome"].iloc[0], float(group["required"].sum())
        ids.append(key); labels.append(plot_text(shorten(label, 40))); parents.append("")
        values.append(total); colors.append("#E8ECF1")
        hover.append(f"{plot_text(label)}<br>Required: {format_money(total)}")
    for output_id, group in tiles.groupby("output_id", sort=False):
        label, total = group["output"].iloc[0], float(group["required"].sum())
        ids.append(output_id); labels.append(plot_text(shorten(label, 36)))
        parents.append(group["outcome_key"].iloc[0])
        values.append(total); colors.append("#F4F6F8")
        hover.append(f"{plot_text(label)}<br>Required: {format_money(total)}")
    for leaf, (oid, label, req, avail, cov) in enumerate(zip(tiles["output_id"], tiles["agency_label"],
                                                             tiles["required"], tiles["available"], tiles["coverage"])):
        ids.append(f"{oid}/{leaf}"); labels.append(plot_text(label)); parents.append(oid)
        values.append(float(req)); colors.append(agency_color(label))
        hover.append(f"{plot_text(label)}<br>Required: {format_money(req)}<br>Available: {format_money(avail)}"
                     f"<br>Coverage: {format_rate(cov)}")
    fig = go.Figure(go.Treemap(
        ids=ids, labels=labels, parents=parents, values=values, branchvalues="total",
        marker=dict(colors=colors, line=dict(width=1, color="white")), hovertext=hover, hoverinfo="text",
        customdata=[format_money(v) for v in values], texttemplate="%{label}<br>%{customdata}", maxdepth=3,
        pathbar=dict(visible=True)))
    layout(fig, height=640, legend=False)
    # a label too small to read is left out (the tile keeps its hover; a click zooms into it)
    fig.update_layout(uniformtext=dict(minsize=11, mode="hide"))
    fig.update_layout(margin=dict(l=0, r=0, t=30, b=0))
    table = tree[["outcome", "output", "agency_label", "required", "available", "coverage",
                  "lines_without_available"]].copy()
    table["coverage"] = percent(table["coverage"])
    table = table.rename(columns={"outcome": "Outcome", "output": "Output", "agency_label": "Agency",
                                  "required": "Required (USD)", "available": "Available (USD)",
                                  "coverage": "Coverage (%)",
                                  "lines_without_available": "Lines, no available figure"})
    note = "Tile size = required; colour = agency (dark grey = joint sub-output, money not split)."
    if leaves > len(tree):
        note += f" The {len(tree)} largest of {leaves} tiles are shown."
    chart_with_table(fig, table, "requirement-treemap", column_config=budget_column_config(table), note=note)
