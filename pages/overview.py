"""Overview: the headline figures, one chart per concern, and how fresh each agency's data is."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from analytics import actions, activity, budget, metrics
from analytics import filters as registry
from analytics import scope as scope_reads
from app import attention, cards, charts, data, frame, meeting_brief, notes, scope, tables
from app.text import md_escape
from core import palette
from core.formatting import count_of, format_count, format_rate, reported_phrase, text

frame.require_frame()

st.title("UNCT Results Dashboard")
st.caption("Overview")

if frame.no_surface_notice():
    st.stop()
if not (data.has_data("budget") or data.has_data("indicators") or data.has_data("actions")):
    frame.empty_state("budget")
    st.stop()
scope.show_statement("budget", ("budget", "indicators"))

filters = data.current_filters()
with frame.section():  # where the problem is, in a line, above the cards: the panel below has the list
    attention.attention_line(filters)
h = data.cached(activity.headline, filters)
then = cards.then(activity.headline, filters)  # the same figures as of the "Change since" date

# --- headline cards ---------------------------------------------------------------------------------
with frame.section():
    row = st.columns(4)
    cards.metric_card(row[0], metrics.REQUIRED, h["required"], caption=count_of(h["lines"], "budget line"), then=then)
    cards.metric_card(
        row[1],
        metrics.AVAILABLE,
        h["available"],
        then=then,
        caption=(
            count_of(h["lines_without_available"], "line") + " not reported"
            if h["lines_without_available"]
            else f"Coverage {format_rate(h['coverage'])}"
        ),
    )
    cards.metric_card(
        row[2],
        metrics.EXPENDITURE,
        h["expenditure"],
        then=then,
        caption=(
            count_of(h["lines_without_expenditure"], "line") + " not reported"
            if h["lines_without_expenditure"]
            else None
        ),
    )
    cards.gap_card(
        row[3],
        h,
        caption=f"Coverage {format_rate(h['coverage'])}"
        + (f" ({basis})" if (basis := cards.basis_note(h["coverage_basis"], "required")) else ""),
        then=then,
    )
    if h["lines"]:
        st.caption(cards.budget_sum(h))

    row = st.columns(4)
    cards.ratio_card(
        row[0], metrics.DELIVERY_RATE, h["delivery_rate"], h["delivery_basis"], "available funds", then=then
    )
    on_track = h["indicators_on_track"] + h["indicators_achieved"]
    cards.card(
        row[1],
        "Indicators on track",
        f"{on_track} of {h['indicators']}" if h["indicators"] else "—",
        help="Achieved or on track: progress to target at least the share of the baseline-to-target period "
        "that has elapsed.",
        caption=(
            f"{h['indicators_achieved']} achieved · {h['indicators_on_track']} on track · "
            f"{h['indicators_off_track']} off track · {h['indicators_no_data']} no data"
            if h["indicators"]
            else "No indicator values reported for the period in view"
        ),
    )
    cards.card(
        row[2],
        "Actions completed",
        f"{h['actions_completed']} of {h['actions']}" if h["actions"] else "—",
        help=metrics.COMPLETED.help,
        caption=None
        if not h["actions"]
        else (
            f"Implementation rate {format_rate(h['actions_implementation_rate'])} of "
            f"{count_of(h['actions'] - h['actions_set_aside'], 'applicable action')}"
            if h["actions_set_aside"]
            else f"Implementation rate {format_rate(h['actions_implementation_rate'])}"
        ),
    )
    cards.metric_card(
        row[3],
        metrics.OVERDUE,
        h["actions_overdue"] if h["actions"] else None,
        label="Actions overdue",
        then=then,
        name="actions_overdue",
        caption=count_of(h["actions_open"], "open action") if h["actions"] else None,
    )

    if len(h["currencies"]) > 1:
        st.warning(
            "Amounts are in several currencies ("
            + md_escape(", ".join(h["currencies"]))
            + "); totals add them without conversion."
        )
    for note in (
        notes.missing_figures_note(h),
        notes.joint_note(h["joint_lines"]),
        *notes.plan_notes(indirect_costs="one plan"),
    ):
        if note:
            st.caption(note)

# --- where the problem is: each item a link to its page, narrowed to it -----------------------------------
with frame.section():
    attention.attention_panel(filters)

# --- one chart per concern ----------------------------------------------------------------------------
left, right = st.columns(2, gap="large")

with left, frame.section("Money by year"):
    if not h["lines"]:
        frame.nothing_in_view("budget")
    else:
        years = data.cached(budget.by, filters, "year")
        divisor, unit = charts.money_scale(list(years["required"]) + list(years["available"]))
        fig = go.Figure()
        for column in ("required", "available", "expenditure"):
            fig.add_bar(
                x=[str(y) for y in years["year"]],
                y=years[column] / divisor,
                name=charts.MONEY_NAMES[column],
                marker_color=palette.MONEY_COLORS[column],
                hovertext=charts.money_hover(charts.MONEY_NAMES[column], years[column]),
                hoverinfo="text",
            )
        charts.layout(fig, height=360, x_title="Year", y_title=unit)
        fig.update_layout(barmode="group")
        fig.update_xaxes(type="category")
        table = tables.budget_table(years, {"year": "Year"})
        charts.chart_with_table(fig, table, "money-by-year", column_config=tables.budget_column_config(table))

with right, frame.section("Indicator status"):
    if not h["indicators"]:
        frame.nothing_in_view("indicators")
    else:
        counts = h["indicator_statuses"]
        fig = charts.indicator_status_bars(counts)
        table = counts.rename(columns={"status": "Status", "indicators": "Indicators"})
        charts.chart_with_table(fig, table, "indicator-status")

left, right = st.columns(2, gap="large")

with left, frame.section("Recommendations and actions"):
    if not h["actions"]:
        frame.nothing_in_view("actions")
    else:
        counts = data.cached(actions.status_counts, filters)
        labels = [charts.ACTION_STATUS_LABELS[s] for s in counts["status"]]
        fig = charts.action_status_bars(counts)
        table = counts.assign(status=labels).rename(columns={"status": "Status", "actions": "Actions"})
        charts.chart_with_table(
            fig,
            table,
            "action-status",
            note=notes.join_notes(
                f"{format_count(h['actions_overdue'])} overdue (ongoing or not started, past the "
                "deadline) — see the Recommendations page.",
                *registry.notes("actions", filters, only_ignored=True),
            ),
        )

with right, frame.section("Data freshness"):
    if not data.has_data("submissions") and not data.has_data("budget"):
        frame.empty_state("submissions")
    else:
        fresh = data.cached(activity.freshness, filters)
        table = tables.freshness_table(fresh)
        tables.show_table(table, key="table-freshness", column_config=tables.freshness_column_config())
        tables.download_csv(table, "data-freshness")
        st.caption(
            "When each agency's current data were last reported, oldest first: the export's or file's own date when "
            "it states one (a UN INFO export's date, a date in the file or its name, the day the workbook was saved), "
            "else the day it was loaded; days since count from it. A joint sub-output counts for each of its agencies."
        )
        completeness = data.cached(activity.reporting_completeness, filters)
        # a plan that has ended is never judged ("0 of 14 agencies have submitted for 2024" for a 2018–2022 plan)
        ended = data.cached(scope_reads.ended_plans, filters)
        has_ended = [(text(c), p) in ended for c, p in zip(completeness["country"], completeness["plan"])]
        completeness = completeness.assign(plan=scope.plan_names_of(completeness["plan"], completeness["country"]))
        if any(has_ended):
            names = sorted({p for p, e in zip(completeness["plan"], has_ended) if e})
            st.caption(
                md_escape(
                    f"Reporting completeness is not assessed for plans that have ended "
                    f"({len(names)}): {'; '.join(names[:5])}{' and others' if len(names) > 5 else ''}."
                )
            )
            completeness = completeness[[not e for e in has_ended]]
        if len(completeness) <= 3:  # a sentence per plan (none when every plan in view has ended)
            shared_plans = completeness["plan"].duplicated(keep=False).any()
            for rec in completeness.itertuples():
                pending = f" — not yet: {rec.not_reported}" if isinstance(rec.not_reported, str) else ""
                unspent = (
                    f" Spending for {rec.year} not reported by: {rec.no_expenditure}."
                    if isinstance(rec.no_expenditure, str)
                    else ""
                )
                # a plan name can be two countries' (UN INFO's "United Nations Sustainable Development…")
                where = f"{rec.plan} ({text(rec.country)})" if text(rec.country) and shared_plans else rec.plan
                st.caption(
                    md_escape(
                        f"Reporting completeness, {where}: {rec.agencies_reported} of {rec.agencies_expected} "
                        f"agencies have submitted data for {rec.year} ({format_rate(rec.completeness)}){pending}."
                        f"{unspent} Data last {reported_phrase(rec.last_reported, rec.reported_from)}."
                    )
                )
        else:  # many plans (UN INFO exports of several countries): one table, least complete first
            st.markdown("**Reporting completeness per plan**")
            table = completeness.assign(
                completeness=tables.percent(completeness["completeness"]),
                last_reported=[
                    reported_phrase(d, f) for d, f in zip(completeness["last_reported"], completeness["reported_from"])
                ],
            )[
                [
                    "country",
                    "completeness",
                    "agencies_reported",
                    "agencies_expected",
                    "year",
                    "not_reported",
                    "no_expenditure",
                    "last_reported",
                    "plan",
                ]
            ].rename(
                columns={
                    "country": "Country",
                    "plan": "Plan",
                    "year": "Year",
                    "completeness": metrics.COMPLETENESS.header,
                    "agencies_reported": "Submitted",
                    "agencies_expected": "Expected",
                    "not_reported": "Not yet submitted",
                    "no_expenditure": "Spending not reported",
                    "last_reported": "Data last",
                }
            )
            tables.show_table(
                table,
                key="table-completeness",
                column_config={
                    **tables.budget_column_config(table),
                    "Year": st.column_config.NumberColumn("Year", format="%d"),
                    **tables.text_columns("Plan", "Not yet submitted", "Spending not reported", width="medium"),
                },
            )
            tables.download_csv(table, "reporting-completeness")
            st.caption(
                "Each plan in its own reporting year (the end of the year filter, else its latest year "
                "with spending reported): agencies with data for that year ÷ agencies with a budget line "
                "in the plan."
            )

# --- the UNCT meeting brief of this view, as PDF and Excel -----------------------------------------------
with frame.section():
    meeting_brief.meeting_brief_panel(filters)
