"""Overview: the headline figures, one chart per concern, and how fresh each agency's data is."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from app import ui
from core.formatting import NO_PLAN, count_of, format_count, format_money, format_rate, text

ui.require_frame()

st.title("UNCT Results Dashboard")
st.caption(f"Overview · {ui.filter_summary()}")

if ui.no_surface_notice():
    st.stop()
if not (ui.has_data("budget") or ui.has_data("indicators") or ui.has_data("actions")):
    ui.empty_state("budget")
    st.stop()

h = ui.query("headline")

# --- headline cards ---------------------------------------------------------------------------------
with ui.section():
    gap = h["funding_gap"]
    row = st.columns(4)
    ui.card(row[0], "Required", format_money(h["required"]),
            help="Total required resources of the budget lines in view.",
            caption=count_of(h['lines'], "budget line"))
    ui.card(row[1], "Available", format_money(h["available"]),
            help="Resources available (secured). Lines with no available figure are not counted as zero.",
            caption=(count_of(h['lines_without_available'], "line") + " not reported"
                     if h["lines_without_available"] else f"Coverage {format_rate(h['coverage'])}"))
    ui.card(row[2], "Spent", format_money(h["expenditure"]),
            help="Expenditure. Lines with no expenditure figure are not counted as zero.",
            caption=(count_of(h['lines_without_expenditure'], "line") + " not reported"
                     if h["lines_without_expenditure"] else None))
    ui.card(row[3], "Funding gap" if gap is None or gap >= 0 else "Funding surplus",
            format_money(gap if gap is None or gap >= 0 else -gap),
            help="Required minus available, over the lines whose available figure is reported.",
            caption=f"Coverage {format_rate(h['coverage'])}")

    row = st.columns(4)
    ui.card(row[0], "Delivery rate", format_rate(h["delivery_rate"]),
            help="Spent ÷ available, over the lines where both are reported. '—' when nothing is available.")
    on_track = h["indicators_on_track"] + h["indicators_achieved"]
    ui.card(row[1], "Indicators on track", f"{on_track} of {h['indicators']}" if h["indicators"] else "—",
            help="Achieved or on track: progress to target at least the share of the baseline-to-target period "
                 "that has elapsed.",
            caption=(f"{h['indicators_achieved']} achieved · {h['indicators_on_track']} on track · "
                     f"{h['indicators_off_track']} off track · {h['indicators_no_data']} no data" if h["indicators"]
                     else "No indicator values reported for the period in view"))
    ui.card(row[2], "Actions completed", f"{h['actions_completed']} of {h['actions']}" if h["actions"] else "—",
            help="Key actions and deliverables marked completed.",
            caption=None if not h["actions"] else (
                f"Implementation rate {format_rate(h['actions_implementation_rate'])} of "
                f"{count_of(h['actions'] - h['actions_set_aside'], 'applicable action')}" if h["actions_set_aside"]
                else f"Implementation rate {format_rate(h['actions_implementation_rate'])}"))
    ui.card(row[3], "Actions overdue", format_count(h["actions_overdue"]) if h["actions"] else "—",
            help="Ongoing or not started, and past the deadline.",
            caption=count_of(h['actions_open'], "open action") if h["actions"] else None)

    if len(h["currencies"]) > 1:
        st.warning("Amounts are in several currencies (" + ui.md_escape(", ".join(h["currencies"])) +
                   "); totals add them without conversion.")
    for note in (ui.missing_figures_note(h),
                 ui.joint_note(h["joint_lines"]), *ui.plan_notes(indirect_costs="one plan")):
        if note:
            st.caption(note)

# --- one chart per concern ----------------------------------------------------------------------------
left, right = st.columns(2, gap="large")

with left, ui.section("Money by year"):
    if not ui.has_data("budget"):
        ui.empty_state("budget")
    elif not h["lines"]:
        ui.empty_state("filtered")
    else:
        years = ui.query("budget_by", "year")
        divisor, unit = ui.money_scale(list(years["required"]) + list(years["available"]))
        fig = go.Figure()
        for column in ("required", "available", "expenditure"):
            fig.add_bar(x=[str(y) for y in years["year"]], y=years[column] / divisor, name=ui.MONEY_NAMES[column],
                        marker_color=ui.MONEY_COLORS[column],
                        hovertext=ui.money_hover(ui.MONEY_NAMES[column], years[column]), hoverinfo="text")
        ui.layout(fig, height=360, x_title="Year", y_title=unit)
        fig.update_layout(barmode="group")
        fig.update_xaxes(type="category")
        table = ui.budget_table(years, {"year": "Year"})
        ui.chart_with_table(fig, table, "money-by-year", column_config=ui.budget_column_config(table))

with right, ui.section("Indicator status"):
    if not ui.has_data("indicators"):
        ui.empty_state("indicators")
    elif not h["indicators"]:
        ui.empty_state("filtered")
    else:
        counts = ui.query("indicator_status_counts")
        fig = go.Figure(go.Bar(
            x=counts["indicators"], y=[s.capitalize() for s in counts["status"]], orientation="h",
            marker_color=[ui.INDICATOR_STATUS_COLORS[s] for s in counts["status"]],
            text=counts["indicators"], textposition="outside", cliponaxis=False,
            hovertemplate="%{y}: %{x} indicators<extra></extra>"))
        ui.layout(fig, height=300, legend=False, x_title="Indicators")
        ui.category_rows(fig)
        ui.count_axis(fig, counts["indicators"].max())
        table = counts.rename(columns={"status": "Status", "indicators": "Indicators"})
        ui.chart_with_table(fig, table, "indicator-status")

left, right = st.columns(2, gap="large")

with left, ui.section("Recommendations and actions"):
    if not ui.has_data("actions"):
        ui.empty_state("actions")
    elif not h["actions"]:
        ui.empty_state("filtered")
    else:
        counts = ui.query("action_status_counts")
        labels = [ui.ACTION_STATUS_LABELS[s] for s in counts["status"]]
        fig = go.Figure(go.Bar(
            x=counts["actions"], y=labels, orientation="h",
            marker_color=[ui.ACTION_STATUS_COLORS[s] for s in counts["status"]],
            text=counts["actions"], textposition="outside", cliponaxis=False,
            hovertemplate="%{y}: %{x} actions<extra></extra>"))
        ui.layout(fig, height=330, legend=False, x_title="Actions")
        ui.category_rows(fig)
        ui.count_axis(fig, counts["actions"].max())
        table = counts.assign(status=labels).rename(columns={"status": "Status", "actions": "Actions"})
        ui.chart_with_table(fig, table, "action-status",
                            note=ui.join_notes(
                                f"{format_count(h['actions_overdue'])} overdue (ongoing or not started, past the "
                                "deadline) — see the Recommendations page.",
                                "Actions are not linked to outcomes: the outcome filter does not apply to them "
                                "(nor to the action cards above)." if ui.current_filters().outcome else None))

with right, ui.section("Data freshness"):
    if not ui.has_data("submissions") and not ui.has_data("budget"):
        ui.empty_state("submissions")
    else:
        fresh = ui.query("freshness")
        table = fresh[["agency", "last_submission", "days_since", "last_budget", "last_indicators", "last_actions",
                       "last_file", "agency_name"]].rename(columns={
            "agency": "Agency", "agency_name": "Name", "last_submission": "Last submission",
            "days_since": "Days since", "last_budget": "Budget", "last_indicators": "Indicators",
            "last_actions": "Actions", "last_file": "Last file"})
        dates = {c: st.column_config.DatetimeColumn(c, format="YYYY-MM-DD", width="small" if c != "Last submission"
                                                    else None)
                 for c in ("Last submission", "Budget", "Indicators", "Actions")}
        ui.show_table(table, key="table-freshness", column_config={
            **dates,
            "Agency": st.column_config.TextColumn("Agency", width="small", pinned=True),
            "Days since": st.column_config.NumberColumn("Days since", help="Days since the last submission",
                                                        width="small"),
            "Last file": st.column_config.TextColumn("Last file", width="medium"),
            "Name": st.column_config.TextColumn("Name", width="medium"),
        })
        ui.download_csv(table, "data-freshness")
        st.caption("When each agency's current data last arrived (a joint sub-output counts for each of its "
                   "agencies), oldest first.")
        completeness = ui.query("reporting_completeness")
        if len(completeness) <= 3:  # a sentence per plan
            shared_plans = completeness["plan"].duplicated(keep=False).any()
            for rec in completeness.itertuples():
                pending = f" — not yet: {rec.not_reported}" if isinstance(rec.not_reported, str) else ""
                unspent = (f" Spending for {rec.year} not reported by: {rec.no_expenditure}."
                           if isinstance(rec.no_expenditure, str) else "")
                # a plan name can be two countries' (UN INFO's "United Nations Sustainable Development…")
                plan = text(rec.plan) or NO_PLAN
                where = f"{plan} ({text(rec.country)})" if text(rec.country) and shared_plans else plan
                st.caption(ui.md_escape(
                    f"Reporting completeness, {where}: {rec.agencies_reported} of {rec.agencies_expected} "
                    f"agencies have submitted data for {rec.year} ({format_rate(rec.completeness)}){pending}."
                    f"{unspent}"))
        else:  # many plans (UN INFO exports of several countries): one table, least complete first
            st.markdown("**Reporting completeness per plan**")
            table = completeness.assign(completeness=ui.percent(completeness["completeness"]))[[
                "country", "completeness", "agencies_reported", "agencies_expected", "year", "not_reported",
                "no_expenditure", "plan"]].rename(columns={
                    "country": "Country", "plan": "Plan", "year": "Year", "completeness": "Completeness (%)",
                    "agencies_reported": "Submitted", "agencies_expected": "Expected",
                    "not_reported": "Not yet submitted", "no_expenditure": "Spending not reported"})
            ui.show_table(table, key="table-completeness", column_config={
                **ui.budget_column_config(table), "Year": st.column_config.NumberColumn("Year", format="%d"),
                **ui.text_columns("Plan", "Not yet submitted", "Spending not reported", width="medium")})
            ui.download_csv(table, "reporting-completeness")
            st.caption("Each plan in its own reporting year (the end of the year filter, else its latest year "
                       "with spending reported): agencies with data for that year ÷ agencies with a budget line "
                       "in the plan.")
