"""The filter bar: one sidebar widget per entry of the Filter registry (`analytics.filters.FILTERS`), each bound
to the URL query parameter of its key, so the address always reproduces the view; and what the bar is set to,
in words (`filter_summary`, `outcome_title`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from analytics import activity
from analytics import filters as registry
from analytics import scope as scope_reads
from analytics.filters import FILTER_KEYS, FILTERS, AsOfDate, Choice, Filters, PlanView, YearRange
from app import data, scope
from app.text import md_escape
from core.formatting import titled
from store import history

_BY_KEY = {flt.key: flt for flt in FILTERS}
#: the value a box named by the address is given on the next run (see _choice: the back and forward buttons)
_NAMED = "_named_{}"


def clear_filters(*keys: str) -> None:
    """Widget callback: the filters of these keys back to all (the year range to every year)."""
    for key in keys:
        if isinstance(_BY_KEY.get(key), YearRange):
            bounds = st.session_state.get("_year_bounds")
            if bounds:
                st.session_state[key] = bounds
        elif isinstance(_BY_KEY.get(key), PlanView):  # back to the view the dashboard opens on
            st.session_state[key] = False
        elif key in st.session_state:
            st.session_state[key] = None


def filter_bar(page: str | None = None) -> Filters:
    """The filters in the sidebar; returns the Filters they set (also kept for `data.current_filters`). `page`: the
    page shown (its url_path): when it changes, the address's filters are taken (a link to a narrowed page)."""
    st.session_state["_data_version"] = version = data.data_version()
    if version == data.NO_SURFACE:
        st.session_state["_options"] = data.EMPTY_OPTIONS
        st.session_state["_filters"] = Filters()
        return Filters()
    every = data.cached(activity.filter_options, Filters())
    st.session_state["_options"] = every
    if page is not None and st.session_state.get("_page") not in (None, page):
        _take_address(every)
    st.session_state["_page"] = page
    # what the address asks for, read before the widgets take (or drop) it: see unrecognised_link_filters
    asked = {key: st.query_params.get_all(key) for key in FILTER_KEYS}
    bar = st.sidebar
    bar.header("Filters")
    chosen: dict[str, Any] = {}  # Filters fields
    shown: dict[str, Any] = {}  # what each widget shows, as the address writes it (a plan: its name or its label)
    for flt in FILTERS:
        if isinstance(flt, YearRange):
            values, shown[flt.key] = _year_range(flt, chosen)
        elif isinstance(flt, AsOfDate):
            values, shown[flt.key] = _as_of(flt)
        elif isinstance(flt, PlanView):
            values, shown[flt.key] = _plan_view(flt, chosen)
        else:
            values, shown[flt.key] = _choice(flt, every, chosen)
        chosen.update(values)
    filters = Filters(**chosen)
    dropped = unrecognised_link_filters(asked, shown)
    if dropped:
        st.container(key="banner-link").warning(
            "This link asks for " + "; ".join(dropped) + ", which the data do not have: the page shows "
            "everything else the link asks for. The link may be older than the data, or mistyped.",
            icon=":material/link_off:",
        )
    st.session_state["_filters"] = filters
    _foot(filters, every)
    return filters


def _take_address(every: Mapping[str, Any]) -> None:
    """On arriving at another page, the filters become what its address says: a link that narrows a page (the
    Overview's "Needs attention") is followed even though the widgets hold the previous page's values (Streamlit
    keeps a widget's value over the address's once the widget exists)."""
    for flt in FILTERS:
        asked = st.query_params.get_all(flt.key)
        if isinstance(flt, PlanView):
            st.session_state[flt.key] = bool(asked) and asked[-1].lower() == "true"
            continue
        if isinstance(flt, YearRange):
            years = sorted(int(y) for y in asked if y.strip().isdigit())
            if years:
                st.session_state[flt.key] = (years[0], years[-1])
            else:
                st.session_state.pop(flt.key, None)
            continue
        if isinstance(flt, AsOfDate):  # the date box holds a date: the address's, when it is one
            st.session_state[flt.key] = registry.parse_day(asked[-1]) if asked else None
            continue
        value = asked[-1] if asked else None
        if value is not None and flt.labels:  # the address carries an outcome's label
            value = {label: key for key, label in flt.labels(every).items()}.get(value, value)
        if value is None or value not in flt.options(every):
            # a value the data do not have is left to the address (the box drops it and the link's warning names
            # it, as on opening the link), never put in the box; a plan's label is resolved by its box (_choice)
            st.session_state.pop(flt.key, None)
            continue
        st.session_state[flt.key] = value


def _choice(flt: Choice, every: Mapping[str, Any], chosen: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    """A select box of the values of `flt` within the filters it is narrowed by; its value, and what it shows."""
    narrowing = {key: chosen[key] for key in flt.narrowed_by if chosen.get(key)}
    options = data.cached(scope_reads.filter_options, Filters(**narrowing)) if narrowing else every
    labels = flt.labels(every) if flt.labels else None  # over all values, so that a label never changes
    # a plan is listed with its years ("… (2023–2027)"); the address keeps its name
    shown_as = scope.plan_names(chosen.get("country")) if flt.key == "plan" else {}
    asked = st.query_params.get_all(flt.key)
    named = scope.plan_asked(asked[-1], shown_as) if asked and shown_as else None
    restored = st.session_state.pop(_NAMED.format(flt.key), None)
    if restored is not None:
        st.session_state[flt.key] = restored
    elif named and asked[-1] != shown_as[named]:
        # the address names the plan (a bookmark, a link the pages write), or labels it with other years (the data
        # grew since): the box's address holds what it shows
        st.session_state[flt.key] = named
    on_change, args = (
        (scope.open_country, None)
        if flt.key == "country"
        else (clear_filters if flt.clears else None, flt.clears or None)
    )
    # no plan chosen: the plans in view are each country's current one, unless every plan was asked for
    current = flt.key == "plan" and not chosen.get("country") and not _everything_asked()
    value = st.sidebar.selectbox(
        flt.label,
        _with_current(flt.options(options), flt.key),
        index=None,
        placeholder=scope.CURRENT_PLANS if current else flt.placeholder,
        key=flt.key,
        bind="query-params",
        on_change=on_change,
        args=args,
        format_func=(lambda v: labels.get(v, f"({flt.key} {v})"))
        if labels is not None
        else (lambda v: shown_as.get(v, str(v))),
        help=flt.help,
    )
    if named and value is None and restored is None and _history_navigation():
        # the back or forward button reran the page of an address naming the plan by its bare name (an older link):
        # Streamlit seeds a box bound to the address only with an option as shown ("Plan (years)"), over the value
        # set above, and so dropped it; the next run gives the box the plan, and the box writes its label
        st.session_state[_NAMED.format(flt.key)] = named
        st.rerun()
    names = flt.names(every) if flt.names else {}
    if value and names.get(value):
        st.sidebar.caption(md_escape(names[value]))
    if labels is not None and value:
        return {flt.key: value}, labels.get(value)
    return {flt.key: value}, (
        {value, shown_as[value], *asked[-1:]}
        if value in shown_as and named == value
        else {value, shown_as[value]}
        if value in shown_as
        else value
    )


def _history_navigation() -> bool:
    """Whether this run was started by the browser's back or forward button (Streamlit's run context says so)."""
    ctx = get_script_run_ctx()
    return bool(getattr(ctx, "is_history_navigation", False))


def _everything_asked() -> bool:
    """Whether the "All plans and years" toggle is on (its value, or before it is drawn, the address's)."""
    key = next(flt.key for flt in FILTERS if isinstance(flt, PlanView))
    if key in st.session_state:
        return bool(st.session_state[key])
    return st.query_params.get(key, "").lower() == "true"


def _plan_view(flt: PlanView, chosen: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    """Under the plan box while no country or plan is chosen: the toggle from the current plan of each country, years
    to date (off: the view the dashboard opens on) to every plan and year; whether the current plans are shown, and
    what the toggle shows."""
    if chosen.get("country") or chosen.get("plan"):
        return {"current_plans": False}, None
    everything = st.sidebar.toggle(flt.label, key=flt.key, bind="query-params", help=flt.help)
    return {"current_plans": not everything}, ("true" if everything else None)


def _year_range(flt: YearRange, chosen_filters: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
    """The years slider over the years of the chosen country's and plan's data (all data's when neither is
    chosen; the current plans' up to this year in the view the dashboard opens on); the range chosen (none when it
    is every year), and what it shows."""
    lo, hi = data.cached(
        scope_reads.year_bounds,
        Filters(
            country=chosen_filters.get("country"),
            plan=chosen_filters.get("plan"),
            current_plans=bool(chosen_filters.get("current_plans")),
        ),
    )
    if lo is None or hi is None or lo >= hi:
        if lo is not None:
            st.sidebar.caption(f"{flt.label}: {int(lo)} (the only year with data)")
        return {}, None
    bounds, previous = (int(lo), int(hi)), st.session_state.get("_year_bounds")
    st.session_state["_year_bounds"] = bounds
    chosen = st.session_state.get(flt.key)
    if chosen and previous and tuple(chosen) == tuple(previous) and bounds != tuple(previous):
        # the whole range was shown and the data's years changed (an upload, a roll-back): keep showing
        # the whole range rather than silently filtering the new years out
        st.session_state[flt.key] = chosen = bounds
    if chosen and (chosen[0] < lo or chosen[1] > hi):  # the data's years changed since it was chosen
        st.session_state[flt.key] = (
            min(max(int(chosen[0]), int(lo)), int(hi)),
            max(min(int(chosen[1]), int(hi)), int(lo)),
        )
    chosen = st.sidebar.slider(flt.label, int(lo), int(hi), value=bounds, step=1, key=flt.key, bind="query-params")
    shown = [str(v) for v in chosen]
    if tuple(chosen) == bounds:
        return {}, shown
    return {"year_from": int(chosen[0]), "year_to": int(chosen[1])}, shown


def _as_of(flt: AsOfDate) -> tuple[dict[str, Any], Any]:
    """The as-of date box (empty: the figures as they are now); its date, and what it shows."""
    day = st.sidebar.date_input(
        flt.label,
        value=None,
        min_value=dt.date(2000, 1, 1),
        max_value=history.now().date(),
        key=flt.key,
        bind="query-params",
        help=flt.help,
        format="YYYY-MM-DD",
    )
    return {"as_of": day}, (day.isoformat() if day else None)


def _with_current(values: list, key: str) -> list:
    current = st.session_state.get(key)
    return values + [current] if current and current not in values else values


def _foot(filters: Filters, every: Mapping[str, Any]) -> None:
    """Below the widgets: clearing and sharing the view, the demo-data warning, the notes of the filters set."""
    bar = st.sidebar
    if not filters.is_empty:
        bar.button("Clear all filters", on_click=clear_filters, args=FILTER_KEYS, key="clear-filters", width="stretch")
    bar.caption(scope.DEFAULT_VIEW_NOTE)
    bar.caption(
        "These filters are kept in the page address: bookmark it or send it to a colleague to share exactly this view."
    )
    in_view = data.cached(scope_reads.in_view, filters, ("budget", "indicators", "actions"))
    if any("(demo data)" in (p["plan"] or "") for p in in_view):  # only when demo figures are in view
        st.container(key="banner-demo").warning(
            '**Demo data.** The figures of "Demoland" are generated for demonstration; they are not a real country '
            "team's. Run `python -m etl load` or use the Upload page to load real files.",
            icon=":material/science:",
        )
    for flt in FILTERS:
        if isinstance(flt, Choice) and flt.sidebar_note and flt.is_set(filters):
            bar.caption(flt.sidebar_note.format(md_escape(getattr(filters, flt.key))))


def unrecognised_link_filters(asked: Mapping[str, list[str]], shown: Mapping[str, Any]) -> list[str]:
    """The filters an address asked for that the filter bar could not take (a value not in the data),
    as 'agency “XYZ”'; Streamlit drops such values from the address without a word."""
    dropped = []
    for key, values in asked.items():
        if not values or isinstance(_BY_KEY[key], PlanView):  # a toggle: every value is one it can take
            continue
        taken = shown.get(key)
        if isinstance(_BY_KEY[key], YearRange):
            if taken != values:
                dropped.append(f"{key} “{'–'.join(values)}”")
        elif values[0] not in (taken if isinstance(taken, set) else {taken}):  # a plan: its name or its label
            dropped.append(f"{key} “{values[0]}”")
    return [md_escape(d) for d in dropped]


def outcome_labels() -> dict[str, str]:
    """Outcome key → its label in the filter bar."""
    return {o["key"]: o["label"] for o in data.options().get("outcomes", [])}


def value_labels(filters: Filters | None = None) -> dict[str, str]:
    """What the filter bar shows for a value: outcome key → its label, plan → 'Plan name (years)' (for summaries)."""
    return {**outcome_labels(), **scope.plan_names((filters or data.current_filters()).country)}


def outcome_title(key: str | None) -> str:
    """The chosen outcome in full: 'code · title (plan)'."""
    for o in data.options().get("outcomes", []):
        if o["key"] == key:
            return f"{titled(o['outcome_code'], o['outcome_title'])} ({o['plan']})"
    return str(key)


def filter_summary(filters: Filters | None = None, kind: str = "budget") -> str:
    """'Angola · 2024–2025 · UNDP' — what the page is narrowed to, markdown-escaped (`kind`: the dataset
    the page shows; only budget lines have joint sub-outputs)."""
    parts = registry.summary(filters or data.current_filters(), kind, value_labels(filters))
    return md_escape(" · ".join(parts)) if parts else "All data"
