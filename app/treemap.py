"""The requirement treemap of the Funding gaps page: outcome → output → agency tiles sized by what is required and
coloured by coverage on core.palette's scale (its legend beside), with the table behind it."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from analytics import metrics
from app.charts import FONT, chart_with_table, layout
from app.frame import empty_state
from app.tables import budget_column_config, percent
from app.text import plot_text
from core import palette
from core.formatting import format_money, format_rate, is_missing, shorten


def coverage_color(coverage: object) -> str:
    """A tile's colour on the coverage scale (coverage above 100 % as 100 %); grey without a coverage."""
    if is_missing(coverage):
        return palette.TREEMAP_COLORS["no_coverage"]
    return sample_colorscale(palette.COVERAGE_SCALE, [max(0.0, min(1.0, float(coverage)))])[0]  # type: ignore[arg-type]


def requirement_treemap(tree: pd.DataFrame, leaves: int) -> None:
    """Treemap of the requirement: outcome → output → agency (joint sub-outputs as one 'Joint: …' tile),
    agency tiles coloured by coverage, with the colour scale beside; with the table behind it."""
    if tree.empty:
        empty_state("filtered")
        return
    ids, labels, parents, values, colors, hover = (list(column) for column in zip(*_treemap_tiles(tree)))
    fig = go.Figure(
        go.Treemap(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            marker=dict(colors=colors, line=dict(width=1, color=palette.TREEMAP_COLORS["border"])),
            hovertext=hover,
            hoverinfo="text",
            customdata=[format_money(v) for v in values],
            texttemplate="%{label}<br>%{customdata}",
            maxdepth=3,
            pathbar=dict(visible=True),
        )
    )
    # the colour scale's legend: a trace without points that only draws the scale
    fig.add_scatter(
        x=[None],
        y=[None],
        mode="markers",
        hoverinfo="skip",
        showlegend=False,
        marker=dict(
            colorscale=palette.COVERAGE_SCALE,
            cmin=0,
            cmax=100,
            color=[0],
            showscale=True,
            colorbar=dict(
                title=dict(text="Coverage", font=dict(size=14, color=FONT["color"])),
                ticksuffix=" %",
                tickfont=dict(size=14, color=FONT["color"]),
                len=0.8,
            ),
        ),
    )
    layout(fig, height=640, legend=False)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    # a label too small to read is left out (the tile keeps its hover; a click zooms into it)
    fig.update_layout(uniformtext=dict(minsize=11, mode="hide"))
    fig.update_layout(margin=dict(l=0, r=0, t=30, b=0))
    table = tree[
        ["outcome", "output", "agency_label", "required", "available", "coverage", "lines_without_available"]
    ].copy()
    table["coverage"] = percent(table["coverage"])
    table = table.rename(
        columns={
            "outcome": "Outcome",
            "output": "Output",
            "agency_label": "Agency",
            **{
                m.name: m.header
                for m in (metrics.REQUIRED, metrics.AVAILABLE, metrics.COVERAGE, metrics.LINES_WITHOUT_AVAILABLE)
            },
        }
    )
    note = (
        "Tile size = required; colour = coverage (available ÷ required): red where little of the requirement is "
        "funded, blue where it is; grey = no available figure reported. Joint sub-outputs are one tile (money "
        "not split)."
    )
    if leaves > len(tree):
        note += f" The {len(tree)} largest of {leaves} tiles are shown."
    chart_with_table(fig, table, "requirement-treemap", column_config=budget_column_config(table), note=note)


def _treemap_tiles(tree: pd.DataFrame) -> list[tuple[str, str, str, float, str, str]]:
    """The treemap's tiles as (id, label, parent, value, colour, hover): the outcomes, their outputs (light
    grey), and the outputs' agencies (coloured by coverage); a parent carries the sum of the tiles shown under it
    (branchvalues="total")."""
    # an output is its outcome and its code and title as stored (a missing one apart from an empty one)
    outputs = tree.groupby(["outcome_key", "output_code", "output_title"], dropna=False, sort=False).ngroup()
    leaves = tree.assign(
        required=pd.to_numeric(tree["required"], errors="coerce").fillna(0.0),
        output_id=[f"{k}/{n}" for k, n in zip(tree["outcome_key"], outputs)],
    )
    # each parent's label and the sum under it, grouped at once (iterating over the groups cost 0.3 s a page run)
    outcomes = leaves.groupby("outcome_key", sort=False).agg(label=("outcome", "first"), total=("required", "sum"))
    outputs_shown = leaves.groupby("output_id", sort=False).agg(
        label=("output", "first"), parent=("outcome_key", "first"), total=("required", "sum")
    )
    tiles = [
        (
            str(key),
            plot_text(shorten(label, 40)),
            "",
            float(total),
            palette.TREEMAP_COLORS["outcome"],
            f"{plot_text(label)}<br>Required: {format_money(total)}",
        )
        for key, label, total in zip(outcomes.index, outcomes["label"], outcomes["total"])
    ]
    tiles += [
        (
            str(output_id),
            plot_text(shorten(label, 36)),
            parent,
            float(total),
            palette.TREEMAP_COLORS["output"],
            f"{plot_text(label)}<br>Required: {format_money(total)}",
        )
        for output_id, label, parent, total in zip(
            outputs_shown.index, outputs_shown["label"], outputs_shown["parent"], outputs_shown["total"]
        )
    ]
    for leaf, (oid, label, req, avail, cov) in enumerate(
        zip(leaves["output_id"], leaves["agency_label"], leaves["required"], leaves["available"], leaves["coverage"])
    ):
        tiles.append(
            (
                f"{oid}/{leaf}",
                plot_text(label),
                oid,
                float(req),
                coverage_color(cov),
                f"{plot_text(label)}<br>Required: {format_money(req)}<br>Available: {format_money(avail)}"
                f"<br>Coverage: {format_rate(cov)}",
            )
        )
    return tiles
