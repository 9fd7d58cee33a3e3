"""Recommendations: status by source and recommendation, the overdue list, by agency, and ageing."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from app import ui
from core.formatting import UNTITLED_SOURCE, format_count, format_rate, text
from etl.queries import ACTION_STATUSES

ui.require_frame()

filters = ui.page_start("Recommendations and actions", "Key actions from evaluations, audits, reviews and work plans", "actions")
totals = ui.query("action_totals")
if not totals["actions"]:
    ui.empty_state("filtered")
    st.stop()

with ui.section():
    row = st.columns(5)
    ui.card(row[0], "Actions", format_count(totals["actions"]))
    ui.card(row[1], "Completed", format_count(totals["completed"]))
    ui.card(row[2], "Implementation rate", format_rate(totals["implementation_rate"]),
            help="Completed ÷ all actions except those no longer applicable or deprioritized.")
    ui.card(row[3], "Open", format_count(totals["open"]), help="Ongoing or not started.")
    ui.card(row[4], "Overdue", format_count(totals["overdue"]),
            help="Ongoing or not started and past the deadline (the end of the month when only a month was given).")
    notes = []
    if filters.outcome:
        notes.append("Actions are not linked to outcomes: the outcome filter does not apply on this page.")
    if filters.year_from is not None:
        notes.append("The year range applies to deadlines; actions without a deadline are always shown.")
    if filters.country:
        notes.append("The country filter keeps actions of that country's plans.")
    if notes:
        st.caption(" ".join(notes))


def status_bars(df, label_column: str, name: str, *, drill=None, key_column: str | None = None,
                label_width: int = 50, note: str | None = None) -> None:
    """Horizontal stacked bars of action counts per status, one bar per row of df."""
    labels = ui.axis_labels(df[label_column], width=label_width)
    full = [ui.plot_text(v) for v in df[label_column]]
    keys = list(df[key_column]) if key_column else [""] * len(df)
    fig = go.Figure()
    for status in ACTION_STATUSES:
        if not (df[status] > 0).any():
            continue
        fig.add_bar(y=labels, x=df[status], orientation="h", name=ui.ACTION_STATUS_LABELS[status],
                    marker_color=ui.ACTION_STATUS_COLORS[status], customdata=[[k] for k in keys],
                    hovertext=[f"{f}<br>{ui.ACTION_STATUS_LABELS[status]}: {v}" for f, v in zip(full, df[status])],
                    hoverinfo="text")
    ui.layout(fig, height=ui.bar_height(len(df), per_bar=46), x_title="Actions")
    fig.update_layout(barmode="stack")
    ui.category_rows(fig)
    ui.count_axis(fig, df["actions"].max())
    table = df.drop(columns=["label"], errors="ignore")
    table["implementation_rate"] = ui.percent(table["implementation_rate"])
    table = table.rename(columns={**{s: ui.ACTION_STATUS_LABELS[s] for s in ACTION_STATUSES},
                                  "source_type": "Source type", "source_title": "Source",
                                  "recommendation_no": "Recommendation no.", "recommendation": "Recommendation",
                                  "management_response": "Management response", "agency": "Agency",
                                  "agency_name": "Name", "actions": "Actions", "overdue": "Overdue",
                                  "implementation_rate": "Implementation rate (%)"})
    ui.chart_with_table(fig, table, name, column_config=ui.budget_column_config(table), drill=drill, note=note)


with ui.section(f"Overdue actions ({format_count(totals['overdue'])})"):
    overdue = ui.query("overdue_actions")
    if overdue.empty:
        st.success("No action is overdue.")
    else:
        # what is late, by how much and who owns it first; the long texts after
        table = overdue[["action_no", "days_late", "deadline", "status", "agency", "action", "responsible",
                         "source_title", "recommendation_no", "comments", "as_of"]].rename(columns={
            "source_title": "Source", "recommendation_no": "Recommendation no.", "action_no": "Action no.",
            "action": "Action", "responsible": "Responsible", "agency": "Agency", "deadline": "Deadline",
            "days_late": "Days late", "status": "Status", "comments": "Comments", "as_of": "Status as of"})
        table["Status"] = [ui.ACTION_STATUS_LABELS.get(s, s) for s in table["Status"]]
        ui.show_table(table, key="table-overdue", column_config={
            "Action no.": st.column_config.TextColumn("Action no.", width="small"),
            "Action": st.column_config.TextColumn("Action", width="large"),
            "Deadline": st.column_config.DateColumn("Deadline", format="YYYY-MM-DD", width="small"),
            "Days late": st.column_config.NumberColumn("Days late", width="small"),
            "Status": st.column_config.TextColumn("Status", width="small"),
            "Agency": st.column_config.TextColumn("Agency", width="small"),
            "Source": st.column_config.TextColumn("Source", width="medium"),
            "Status as of": st.column_config.DateColumn("Status as of", format="YYYY-MM-DD"),
        })
        ui.download_csv(table, "overdue-actions")
        st.caption("Longest overdue first. Overdue = ongoing or not started, and past the deadline (the end of the "
                   "month when only a month was given).")

all_sources = ui.query("actions_by_source")
with ui.section("Status by source"):
    sources, cut = ui.top_rows(all_sources, "sources", measure="the most actions", sort_by="actions")
    status_bars(sources.assign(label=[text(t) or UNTITLED_SOURCE for t in sources["source_title"]]), "label",
                "actions-by-source", note=cut)

with ui.section("Status by recommendation"):
    titles = list(all_sources["source_title"])
    source = titles[0] if len(titles) == 1 else st.selectbox(
        "Source", titles, key="recommendation-source", format_func=lambda t: text(t) or UNTITLED_SOURCE)
    recommendations = ui.query("actions_by_recommendation", source)
    recommendations = recommendations.assign(
        label=[ui.recommendation_label(no, text) for no, text in
               zip(recommendations["recommendation_no"], recommendations["recommendation"])])
    recommendations, cut = ui.top_rows(recommendations, "recommendations", measure="the most actions",
                                       sort_by="actions")
    status_bars(recommendations.drop(columns=["source_title"]), "label", "actions-by-recommendation", label_width=60,
                note=cut)

left, right = st.columns(2, gap="large")
with left, ui.section("By responsible agency"):
    agencies, cut = ui.top_rows(ui.query("actions_by_agency"), "agencies", measure="the most actions",
                                sort_by="actions")
    status_bars(agencies, "agency", "actions-by-agency", drill=ui.drill_to_agency, key_column="agency",
                note=ui.join_notes("Click an agency to narrow the dashboard to it.", cut))
with right, ui.section("Ageing of open actions"):
    ageing = ui.query("action_ageing")
    fig = go.Figure(go.Bar(
        y=ageing["ageing"], x=ageing["open_actions"], orientation="h",
        marker_color=[ui.AGEING_COLORS[b] for b in ageing["ageing"]],
        text=ageing["open_actions"], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x} open actions<extra></extra>"))
    ui.layout(fig, height=360, legend=False, x_title="Open actions")
    ui.category_rows(fig)
    ui.count_axis(fig, ageing["open_actions"].max())
    table = ageing.rename(columns={"ageing": "Time past deadline", "open_actions": "Open actions"})
    ui.chart_with_table(fig, table, "action-ageing",
                        note="Open = ongoing or not started, counted by how far past the deadline they are today.")
