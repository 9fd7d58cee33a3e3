"""Recommendations: status by source and recommendation, the overdue list, by agency, and ageing."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from analytics import actions, metrics
from analytics import filters as registry
from analytics.actions import ACTION_STATUSES
from app import cards, charts, data, frame, notes, tables
from app.text import md_escape, plot_text, recommendation_label
from core import palette
from core.formatting import UNTITLED_SOURCE, format_count, format_money, text

frame.require_frame()

filters = frame.page_start(
    "Recommendations and actions", "Key actions from evaluations, audits, reviews and work plans", "actions"
)
totals = data.cached(actions.totals, filters)
if not totals["actions"]:
    frame.nothing_in_view("actions", filters)
    st.stop()

then = cards.then(actions.totals, filters)  # the same figures as of the "Change since" date
with frame.section():
    row = st.columns(5)
    for column, metric in zip(
        row, (metrics.ACTIONS, metrics.COMPLETED, metrics.IMPLEMENTATION_RATE, metrics.OPEN, metrics.OVERDUE)
    ):
        cards.metric_card(column, metric, totals[metric.name], then=then)
    filter_notes = registry.notes("actions", filters)
    if filter_notes:
        st.caption(" ".join(filter_notes))


def status_bars(
    df,
    label_column: str,
    name: str,
    *,
    drill=None,
    key_column: str | None = None,
    label_width: int = 50,
    note: str | None = None,
) -> None:
    """Horizontal stacked bars of action counts per status, one bar per row of df."""
    labels = charts.axis_labels(df[label_column], width=label_width)
    full = [plot_text(v) for v in df[label_column]]
    keys = list(df[key_column]) if key_column else [""] * len(df)
    fig = go.Figure()
    for status in ACTION_STATUSES:
        if not (df[status] > 0).any():
            continue
        fig.add_bar(
            y=labels,
            x=df[status],
            orientation="h",
            name=charts.ACTION_STATUS_LABELS[status],
            marker_color=palette.ACTION_STATUS_COLORS[status],
            customdata=[[k] for k in keys],
            hovertext=[f"{f}<br>{charts.ACTION_STATUS_LABELS[status]}: {v}" for f, v in zip(full, df[status])],
            hoverinfo="text",
        )
    charts.layout(fig, height=charts.bar_height(len(df), per_bar=46), x_title="Actions")
    fig.update_layout(barmode="stack")
    charts.category_rows(fig)
    charts.count_axis(fig, df["actions"].max())
    table = df.drop(columns=["label"], errors="ignore")
    table["implementation_rate"] = tables.percent(table["implementation_rate"])
    table = table.rename(
        columns={
            **{s: charts.ACTION_STATUS_LABELS[s] for s in ACTION_STATUSES},
            "source_type": "Source type",
            "source_title": "Source",
            "recommendation_no": "Recommendation no.",
            "recommendation": "Recommendation",
            "management_response": "Management response",
            "agency": "Agency",
            "agency_name": "Name",
            **{m.name: m.header for m in (metrics.ACTIONS, metrics.OVERDUE, metrics.IMPLEMENTATION_RATE)},
        }
    )
    charts.chart_with_table(fig, table, name, column_config=tables.budget_column_config(table), drill=drill, note=note)


with frame.section(f"Overdue actions ({format_count(totals['overdue'])})"):
    overdue = data.cached(actions.overdue, filters)
    if overdue.empty:
        st.success("No action is overdue.")
    else:
        # what is late, by how much and who owns it first; the long texts after
        table = overdue[
            [
                "action_no",
                "days_late",
                "deadline",
                "status",
                "agency",
                "action",
                "responsible",
                "source_title",
                "recommendation_no",
                "comments",
                "as_of",
            ]
        ].rename(
            columns={
                "source_title": "Source",
                "recommendation_no": "Recommendation no.",
                "action_no": "Action no.",
                "action": "Action",
                "responsible": "Responsible",
                "agency": "Agency",
                "deadline": "Deadline",
                "days_late": "Days late",
                "status": "Status",
                "comments": "Comments",
                "as_of": "Status as of",
            }
        )
        table["Status"] = [charts.ACTION_STATUS_LABELS.get(s, s) for s in table["Status"]]
        tables.show_table(
            table,
            key="table-overdue",
            column_config={
                "Action no.": st.column_config.TextColumn("Action no.", width="small"),
                "Action": st.column_config.TextColumn("Action", width="large"),
                "Deadline": st.column_config.DateColumn("Deadline", format="YYYY-MM-DD", width="small"),
                "Days late": st.column_config.NumberColumn("Days late", width="small"),
                "Status": st.column_config.TextColumn("Status", width="small"),
                "Agency": st.column_config.TextColumn("Agency", width="small"),
                "Source": st.column_config.TextColumn("Source", width="medium"),
                "Status as of": st.column_config.DateColumn("Status as of", format="YYYY-MM-DD"),
            },
        )
        tables.download_csv(table, "overdue-actions")
        st.caption(
            "Longest overdue first. Overdue = ongoing or not started, and past the deadline (the end of the "
            "month when only a month was given)."
        )

all_sources = data.cached(actions.by_source, filters)
with frame.section("Status by source"):
    sources, cut = tables.top_rows(all_sources, "sources", measure="the most actions", sort_by="actions")
    status_bars(
        sources.assign(label=[text(t) or UNTITLED_SOURCE for t in sources["source_title"]]),
        "label",
        "actions-by-source",
        note=cut,
    )

with frame.section("Status by recommendation"):
    titles = list(all_sources["source_title"])
    source = (
        titles[0]
        if len(titles) == 1
        else st.selectbox(
            "Source", titles, key="recommendation-source", format_func=lambda t: text(t) or UNTITLED_SOURCE
        )
    )
    recommendations = data.cached(actions.by_recommendation, filters, source)
    recommendations = recommendations.assign(
        label=[
            recommendation_label(no, text)
            for no, text in zip(recommendations["recommendation_no"], recommendations["recommendation"])
        ]
    )
    recommendations, cut = tables.top_rows(
        recommendations, "recommendations", measure="the most actions", sort_by="actions"
    )
    status_bars(
        recommendations.drop(columns=["source_title"]), "label", "actions-by-recommendation", label_width=60, note=cut
    )

left, right = st.columns(2, gap="large")
with left, frame.section("By responsible agency"):
    agencies, cut = tables.top_rows(
        data.cached(actions.by_agency, filters), "agencies", measure="the most actions", sort_by="actions"
    )
    status_bars(
        agencies,
        "agency",
        "actions-by-agency",
        drill=charts.drill_to_agency,
        key_column="agency",
        note=notes.join_notes("Click an agency to narrow the dashboard to it.", cut),
    )
with right, frame.section("Ageing of open actions"):
    ageing = data.cached(actions.ageing, filters)
    fig = go.Figure(
        go.Bar(
            y=ageing["ageing"],
            x=ageing["open_actions"],
            orientation="h",
            marker_color=[palette.AGEING_COLORS[b] for b in ageing["ageing"]],
            text=ageing["open_actions"],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x} open actions<extra></extra>",
        )
    )
    charts.layout(fig, height=360, legend=False, x_title="Open actions")
    charts.category_rows(fig)
    charts.count_axis(fig, ageing["open_actions"].max())
    table = ageing.rename(columns={"ageing": "Time past deadline", "open_actions": "Open actions"})
    charts.chart_with_table(
        fig,
        table,
        "action-ageing",
        note="Open = ongoing or not started, counted by how far past the deadline they are today.",
    )

# --- costed work plans: cost, funds secured and gap by status and by group; quarterly status changes ----------
#: the cost figures under the names the funding-gap bars draw (required → planned cost, available → funds secured)
AS_GAP_BARS = {
    "planned_cost": "required",
    "funded": "available",
    "cost_gap": "funding_gap",
    "funded_share": "coverage",
    "cost_without_funding": "required_without_available",
    "funded_without_cost": "available_without_required",
}
COST_COLUMNS = (
    "planned_cost",
    "funded",
    "cost_gap",
    "funded_share",
    "actions",
    "costed",
    "without_cost",
    "cost_without_funding",
)


def cost_table(df, labels: dict[str, str]):
    """A cost summary with readable headers (the Metric registry's), its share as a percentage."""
    table = df[[*labels, *COST_COLUMNS]].copy()
    table["funded_share"] = tables.percent(table["funded_share"])
    return table.rename(columns={**labels, **metrics.COST_HEADERS})


#: what the cost bars say when every cost stated is 0 with no funds above it (a bar is a cost, split): nothing to draw
ZERO_COSTS = (
    "Every cost stated here is 0, with no funds secured above it: there is no bar to draw. The table lists each row."
)


def cost_bars(df, label_column: str, name: str, labels: dict[str, str], note: str | None = None) -> None:
    """Each costed row's cost as a bar: funds secured, gap, funding not reported (the Funding gaps page's bars);
    the table lists every row, costed or not."""
    costed = df[df["planned_cost"].notna()]
    table = cost_table(df, labels)
    if costed.empty:
        st.caption("None of these states a planned cost.")
        tables.show_table(table, column_config=tables.budget_column_config(table), key=f"table-{name}")
        return
    fig = charts.gap_bars(costed.rename(columns=AS_GAP_BARS), label_column)
    charts.chart_with_table(
        fig, table, name, column_config=tables.budget_column_config(table), note=note, empty=ZERO_COSTS
    )


costs = data.cached(actions.cost_totals, filters)
with frame.section("Cost of the work plans"):
    if not costs["costed"] and costs["funded"] is None:
        st.caption(
            "No deliverable or action in view states a planned cost. A costed work plan adds the columns "
            "planned_cost, funded and funding_source (see the actions template on the Upload page)."
        )
    else:
        cost_then = then.also(actions.cost_totals) if then else None
        row = st.columns(4)
        cards.metric_card(
            row[0],
            metrics.PLANNED_COST,
            costs["planned_cost"],
            then=cost_then,
            caption=f"{format_count(costs['costed'])} of {format_count(costs['actions'])} costed",
        )
        cards.metric_card(row[1], metrics.FUNDED, costs["funded"], then=cost_then)
        surplus = costs["cost_gap"] is not None and costs["cost_gap"] < 0
        gap = -costs["cost_gap"] if surplus else costs["cost_gap"]
        before = cards.earlier(cost_then, "cost_gap", metrics.COST_GAP) if cost_then else None
        cards.card(
            row[2],
            "Funds above cost" if surplus else metrics.COST_GAP.label,
            metrics.COST_GAP.shown(gap),
            help=metrics.COST_GAP.help,
            worse_up=not surplus,
            delta=cards.change(
                metrics.COST_GAP, gap, -before if surplus and before is not None else before, cost_then.day
            )
            if cost_then
            else None,
        )
        cards.metric_card(row[3], metrics.FUNDED_SHARE, costs["funded_share"], then=cost_then)
        said = (
            [
                f"{format_count(costs['without_cost'])} of {format_count(costs['actions'])} deliverables and actions "
                "state no cost: they are left out of the sums, not counted as zero."
            ]
            if costs["without_cost"]
            else []
        )
        if costs["cost_without_funding"]:  # USD 0 of cost without a funding figure is nothing to say
            said.append(
                f"{format_money(costs['cost_without_funding'])} of cost has no funding figure: it is outside "
                "the gap and the funded share."
            )
        if costs["funded_without_cost"]:
            said.append(f"{format_money(costs['funded_without_cost'])} is secured for deliverables that state no cost.")
        if len(costs["currencies"]) > 1:
            st.warning(
                "Costs are in several currencies ("
                + md_escape(", ".join(costs["currencies"]))
                + "): the sums add them as written."
            )
        st.caption(" ".join(said))
        by_status = data.cached(actions.cost_by, filters, "status").assign(
            label=lambda d: [charts.ACTION_STATUS_LABELS.get(s, s) for s in d["status"]]
        )
        cost_bars(by_status, "label", "cost-by-status", {"label": "Status"})
        groups, cut = tables.top_rows(
            data.cached(actions.cost_by, filters, "group"), "groups", measure="the largest cost", sort_by="planned_cost"
        )
        groups = groups.assign(
            label=[
                f"{text(g) or '(no group)'} · {text(s) or UNTITLED_SOURCE}"
                for g, s in zip(groups["work_group"], groups["source_title"])
            ]
        )
        st.markdown("**By group or pillar**")
        cost_bars(
            groups,
            "label",
            "cost-by-group",
            {"work_group": "Group or pillar", "source_title": "Source"},
            note=notes.join_notes(
                "A deliverable's group is its working group, results group or pillar column, else its priority area.",
                cut,
            ),
        )

with frame.section(f"Status change since {then.day:%-d %b %Y}" if then else "Status change since a date"):
    if then is None:
        st.caption(
            "Choose a “Change since” date in the sidebar before the figures' date to see which statuses "
            "changed since then."
        )
    else:
        # each action's status now and as it stood at the date: both read from the store's history, compared in SQL
        changes = data.cached_since(actions.status_changes, then.day, filters, False, True)  # all actions, moved only
        counts, moved = changes.counts, changes.rows
        st.caption(
            f"Since {then.day:%-d %b %Y} (the sidebar's “Change since”): "
            f"{format_count(counts['changed'])} changed status, "
            f"{format_count(counts['new'])} new (loaded since), "
            f"{format_count(counts['unchanged'])} unchanged. Statuses as the dashboard showed them at "
            "the end of that day."
        )
        if not moved.empty:
            table = moved[
                [
                    "source_title",
                    "work_group",
                    "action_no",
                    "action",
                    "agency",
                    "previous_status",
                    "status",
                    "change",
                    "planned_cost",
                    "funded",
                ]
            ].copy()
            for column in ("previous_status", "status"):
                table[column] = [charts.ACTION_STATUS_LABELS.get(s, s) for s in table[column]]
            table = table.rename(
                columns={
                    "source_title": "Source",
                    "work_group": "Group or pillar",
                    "action_no": "Action no.",
                    "action": "Action",
                    "agency": "Agency",
                    "previous_status": f"Status on {then.day:%-d %b %Y}",
                    "status": "Status now",
                    "change": "Change",
                    **metrics.COST_HEADERS,
                }
            )
            tables.show_table(table, column_config=tables.budget_column_config(table), key="table-status-changes")
            tables.download_csv(table, "status-changes")
