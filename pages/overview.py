"""Overview: the headline figures, one chart per concern, and how fresh each agency's data is."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from analytics import actions, activity, budget, indicators, metrics
from analytics import filters as registry
from app import cards, charts, data, frame, notes, tables
from app.filter_bar import filter_summary
from app.text import md_escape
from core import palette
from core.formatting import NO_PLAN, count_of, format_count, format_rate, text

frame.require_frame()

st.title("UNCT Results Dashboard")
st.caption(f"Overview · {filter_summary()}")

if frame.no_surface_notice():
    st.stop()
if not (data.has_data("budget") or data.has_data("indicators") or data.has_data("actions")):
    frame.empty_state("budget")
    st.stop()

filters = data.current_filters()
h = data.cached(activity.headline, filters)

# --- headline cards ---------------------------------------------------------------------------------
with frame.section():
    row = st.columns(4)
    cards.metric_card(row[0], metrics.REQUIRED, h["required"], caption=count_of(h['lines'], "budget line"))
    cards.metric_card(row[1], metrics.AVAILABLE, h["available"],
                      caption=(count_of(h['lines_without_available'], "line") + " not reported"
                               if h["lines_without_available"] else f"Coverage {format_rate(h['coverage'])}"))
    cards.metric_card(row[2], metrics.EXPENDITURE, h["expenditure"],
                      caption=(count_of(h['lines_without_expenditure'], "line") + " not reported"
                               if h["lines_without_expenditure"] else None))
    cards.gap_card(row[3], h["funding_gap"], caption=f"Coverage {format_rate(h['coverage'])}")

    row = st.columns(4)
    cards.metric_card(row[0], metrics.DELIVERY_RATE, h["delivery_rate"])
    on_track = h["indicators_on_track"] + h["indicators_achieved"]
    cards.card(row[1], "Indicators on track", f"{on_track} of {h['indicators']}" if h["indicators"] else "—",
               help="Achieved or on track: progress to target at least the share of the baseline-to-target period "
                    "that has elapsed.",
               caption=(f"{h['indicators_achieved']} achieved · {h['indicators_on_track']} on track · "
                        f"{h['indicators_off_track']} off track · {h['indicators_no_data']} no data"
                        if h["indicators"] else "No indicator values reported for the period in view"))
    cards.card(row[2], "Actions completed", f"{h['actions_completed']} of {h['actions']}" if h["actions"] else "—",
               help=metrics.COMPLETED.help,
               caption=None if not h["actions"] else (
                   f"Implementation rate {format_rate(h['actions_implementation_rate'])} of "
                   f"{count_of(h['actions'] - h['actions_set_aside'], 'applicable action')}"
                   if h["actions_set_aside"]
                   else f"Implementation rate {format_rate(h['actions_implementation_rate'])}"))
    cards.metric_card(row[3], metrics.OVERDUE, h["actions_overdue"] if h["actions"] else None, label="Actions overdue",
                      caption=count_of(h['actions_open'], "open action") if h["actions"] else None)

    if len(h["currencies"]) > 1:
        st.warning("Amounts are in several currencies (" + md_escape(", ".join(h["currencies"])) +
                   "); totals add them without conversion.")
    for note in (notes.missing_figures_note(h),
                 notes.joint_note(h["joint_lines"]), *notes.plan_notes(indirect_costs="one plan")):
        if note:
            st.caption(note)

# --- one chart per concern ----------------------------------------------------------------------------
left, right = st.columns(2, gap="large")

with left, frame.section("Money by year"):
    if not data.has_data("budget"):
        frame.empty_state("budget")
    elif not h["lines"]:
        frame.empty_state("filtered")
    else:
        years = data.cached(budget.by, filters, "year")
        divisor, unit = charts.money_scale(list(years["required"]) + list(years["available"]))
        fig = go.Figure()
        for column in ("required", "available", "expenditure"):
            fig.add_bar(x=[str(y) for y in years["year"]], y=years[column] / divisor,
                        name=charts.MONEY_NAMES[column], marker_color=palette.MONEY_COLORS[column],
                        hovertext=charts.money_hover(charts.MONEY_NAMES[column], years[column]), hoverinfo="text")
        charts.layout(fig, height=360, x_title="Year", y_title=unit)
        fig.update_layout(barmode="group")
        fig.update_xaxes(type="category")
        table = tables.budget_table(years, {"year": "Year"})
        charts.chart_with_table(fig, table, "money-by-year", column_config=tables.budget_column_config(table))

with right, frame.section("Indicator status"):
    if not data.has_data("indicators"):
        frame.empty_state("indicators")
    elif not h["indicators"]:
        frame.empty_state("filtered")
    else:
        counts = data.cached(indicators.status_counts, filters)
        fig = go.Figure(go.Bar(
            x=counts["indicators"], y=[s.capitalize() for s in counts["status"]], orientation="h",
            marker_color=[palette.INDICATOR_STATUS_COLORS[s] for s in counts["status"]],
            text=counts["indicators"], textposition="outside", cliponaxis=False,
            hovertemplate="%{y}: %{x} indicators<extra></extra>"))
        charts.layout(fig, height=300, legend=False, x_title="Indicators")
        charts.category_rows(fig)
        charts.count_axis(fig, counts["indicators"].max())
        table = counts.rename(columns={"status": "Status", "indicators": "Indicators"})
        charts.chart_with_table(fig, table, "indicator-status")

left, right = st.columns(2, gap="large")

with left, frame.section("Recommendations and actions"):
    if not data.has_data("actions"):
        frame.empty_state("actions")
    elif not h["actions"]:
        frame.empty_state("filtered")
    else:
        counts = data.cached(actions.status_counts, filters)
        labels = [charts.ACTION_STATUS_LABELS[s] for s in counts["status"]]
        fig = go.Figure(go.Bar(
            x=counts["actions"], y=labels, orientation="h",
            marker_color=[palette.ACTION_STATUS_COLORS[s] for s in counts["status"]],
            text=counts["actions"], textposition="outside", cliponaxis=False,
            hovertemplate="%{y}: %{x} actions<extra></extra>"))
        charts.layout(fig, height=330, legend=False, x_title="Actions")
        charts.category_rows(fig)
        charts.count_axis(fig, counts["actions"].max())
        table = counts.assign(status=labels).rename(columns={"status": "Status", "actions": "Actions"})
        charts.chart_with_table(fig, table, "action-status",
                                note=notes.join_notes(
                                    f"{format_count(h['actions_overdue'])} overdue (ongoing or not started, past the "
                                    "deadline) — see the Recommendations page.",
                                    *registry.notes("actions", filters, only_ignored=True)))

with right, frame.section("Data freshness"):
    if not data.has_data("submissions") and not data.has_data("budget"):
        frame.empty_state("submissions")
    else:
        fresh = data.cached(activity.freshness, filters)
        table = fresh[["agency", "last_submission", "days_since", "last_budget", "last_indicators", "last_actions",
                       "last_file", "agency_name"]].rename(columns={
            "agency": "Agency", "agency_name": "Name", "last_submission": "Last submission",
            "days_since": "Days since", "last_budget": "Budget", "last_indicators": "Indicators",
            "last_actions": "Actions", "last_file": "Last file"})
        dates = {c: st.column_config.DatetimeColumn(c, format="YYYY-MM-DD", width="small" if c != "Last submission"
                                                    else None)
                 for c in ("Last submission", "Budget", "Indicators", "Actions")}
        tables.show_table(table, key="table-freshness", column_config={
            **dates,
            "Agency": st.column_config.TextColumn("Agency", width="small", pinned=True),
            "Days since": st.column_config.NumberColumn("Days since", help="Days since the last submission",
                                                        width="small"),
            "Last file": st.column_config.TextColumn("Last file", width="medium"),
            "Name": st.column_config.TextColumn("Name", width="medium"),
        })
        tables.download_csv(table, "data-freshness")
        st.caption("When each agency's current data last arrived (a joint sub-output counts for each of its "
                   "agencies), oldest first.")
        completeness = data.cached(activity.reporting_completeness, filters)
        if len(completeness) <= 3:  # a sentence per plan
            shared_plans = completeness["plan"].duplicated(keep=False).any()
            for rec in completeness.itertuples():
                pending = f" — not yet: {rec.not_reported}" if isinstance(rec.not_reported, str) else ""
                unspent = (f" Spending for {rec.year} not reported by: {rec.no_expenditure}."
                           if isinstance(rec.no_expenditure, str) else "")
                # a plan name can be two countries' (UN INFO's "United Nations Sustainable Development…")
                plan = text(rec.plan) or NO_PLAN
                where = f"{plan} ({text(rec.country)})" if text(rec.country) and shared_plans else plan
                st.caption(md_escape(
                    f"Reporting completeness, {where}: {rec.agencies_reported} of {rec.agencies_expected} "
                    f"agencies have submitted data for {rec.year} ({format_rate(rec.completeness)}){pending}."
                    f"{unspent}"))
        else:  # many plans (UN INFO exports of several countries): one table, least complete first
            st.markdown("**Reporting completeness per plan**")
            table = completeness.assign(completeness=tables.percent(completeness["completeness"]))[[
                "country", "completeness", "agencies_reported", "agencies_expected", "year", "not_reported",
                "no_expenditure", "plan"]].rename(columns={
                    "country": "Country", "plan": "Plan", "year": "Year", "completeness": metrics.COMPLETENESS.header,
                    "agencies_reported": "Submitted", "agencies_expected": "Expected",
                    "not_reported": "Not yet submitted", "no_expenditure": "Spending not reported"})
            tables.show_table(table, key="table-completeness", column_config={
                **tables.budget_column_config(table), "Year": st.column_config.NumberColumn("Year", format="%d"),
                **tables.text_columns("Plan", "Not yet submitted", "Spending not reported", width="medium")})
            tables.download_csv(table, "reporting-completeness")
            st.caption("Each plan in its own reporting year (the end of the year filter, else its latest year "
                       "with spending reported): agencies with data for that year ÷ agencies with a budget line "
                       "in the plan.")
