"""Budget reads (view `budget`): totals, summaries by outcome, output, agency, year or funding source, the
requirement's tree, the lines themselves; the plan's structure as UN INFO lists it (sub-outputs with or
without money, view `suboutput_list`) and its indirect costs (view `indirect_costs`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb
import pandas as pd

from analytics import metrics
from analytics.filters import Filters, where
from analytics.identity import AGENCY_GROUP, JOINT, JOINT_LABEL, OUTCOME_IDENTITY, OUTCOME_KEY, entity_names
from analytics.sql import frame, record, rows
from core.formatting import NO_AGENCY, NO_CODE, is_missing, outcome_label, output_label, text, unique_labels
from core.summaries import BUDGET_CUBE, BUDGET_ROLLUP, FUNDED_SUBOUTPUTS, MISSING_PATTERN


def totals(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """Required, available, expenditure, gap and rates over the filtered lines, with the counts of
    lines lacking a figure and the currencies involved."""
    w = where("budget", filters)
    result = record(
        con,
        f"""
        SELECT {metrics.BUDGET_METRICS_OF_PARTIALS},
               coalesce(sum(_lines) FILTER (WHERE is_joint), 0)::BIGINT AS joint_lines,
               list(DISTINCT currency) AS currencies
        FROM (SELECT {JOINT} AS is_joint, currency, {metrics.PARTIAL_SUMS_OF_CUBE} FROM {BUDGET_ROLLUP}{w.sql()}
              GROUP BY is_joint, currency, {MISSING_PATTERN})""",
        w.params,
    )
    result["currencies"] = sorted(c for c in (result.get("currencies") or []) if c)
    return result


_LEVELS: dict[str, tuple[str, ...]] = {
    "outcome": ("plan", "outcome_code", "outcome_title"),
    "output": ("plan", "outcome_code", "outcome_title", "output_code", "output_title"),
    "agency": ("agency",),
    "year": ("year",),
    "funding_source": ("funding_source",),
    "output_agency": ("plan", "outcome_code", "outcome_title", "output_code", "output_title", "agency"),
}


def by(con: duckdb.DuckDBPyConnection, filters: Filters, level: str) -> pd.DataFrame:
    """Budget metrics grouped by `level`: outcome, output, agency (joint lines as 'Joint'), year,
    funding_source, or output_agency (outcome → output → agency, the delivery table).

    Adds a readable, unique label column (`outcome`, `output`, `agency`, `funding_source`) and the
    outcome key where outcomes are involved."""
    if level not in _LEVELS:
        raise ValueError(f"unknown grouping {level!r}; expected one of {', '.join(_LEVELS)}")
    w = where("budget", filters)
    columns = list(_LEVELS[level])
    select = []
    for c in columns:
        if c == "agency":
            select.append(f"{AGENCY_GROUP} AS agency")
            if level == "output_agency":
                select.append("agency AS agencies")
        elif c == "funding_source":
            select.append("coalesce(nullif(trim(funding_source), ''), 'Not specified') AS funding_source")
        else:
            select.append(c)
    group = ", ".join(str(i + 1) for i in range(len(select)))
    names = ", ".join(c.rsplit(" AS ", 1)[-1] for c in select)  # the groups' columns in the partial sums
    if "outcome_title" in columns:
        names += f", {OUTCOME_KEY} AS outcome_key"
    order = "year" if level == "year" else "required DESC NULLS LAST"
    source = BUDGET_CUBE if level == "funding_source" else BUDGET_ROLLUP  # the rollup has no funding source
    df = frame(
        con,
        f"""
        SELECT {names}, {metrics.BUDGET_METRICS_OF_PARTIALS}
        FROM (SELECT {", ".join(select)}, {metrics.PARTIAL_SUMS_OF_CUBE} FROM {source}{w.sql()}
              GROUP BY {group}, {MISSING_PATTERN})
        GROUP BY {group} ORDER BY {order}""",
        w.params,
    )
    if level in ("outcome", "output", "output_agency"):
        _label_outcomes(df, level)
    if "agency" in df.columns:
        full_names = entity_names(con)
        df.insert(
            df.columns.get_loc("agency") + 1,
            "agency_name",
            ["Joint sub-outputs (money not split)" if a == JOINT_LABEL else full_names.get(a, a) for a in df["agency"]],
        )
    return df


def _label_outcomes(df: pd.DataFrame, level: str) -> None:
    """The outcome key first, then the outcome's label (unique across plans when grouped by outcome) and, below
    an outcome, the output's label (unique across plans and outcomes when grouped by output)."""
    df.insert(0, "outcome_key", df.pop("outcome_key"))
    outcome_labels = _each_distinct(list(zip(df["outcome_code"], df["outcome_title"])), outcome_label)
    if level == "outcome":
        df.insert(0, "outcome", unique_labels(outcome_labels, list(df["plan"])))
        return
    df.insert(0, "outcome", outcome_labels)
    output_labels = _each_distinct(list(zip(df["output_code"], df["output_title"])), output_label)
    if level == "output":
        extras = [f"{text(p) or ''} · outcome {text(c) or NO_CODE}" for p, c in zip(df["plan"], df["outcome_code"])]
        output_labels = unique_labels(output_labels, extras)
    df.insert(1, "output", output_labels)


def _each_distinct(values: list[tuple], function: Callable[..., Any]) -> list:
    """function(*value) for each value, computed once per distinct value (labels of big groupings)."""
    done: dict[tuple, Any] = {}
    out = []
    for value in values:
        if value not in done:
            done[value] = function(*value)
        out.append(done[value])
    return out


def tree(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 300) -> tuple[pd.DataFrame, int]:
    """Outcome → output → agency leaves (joint lines as one 'Joint: A + B' leaf) with required,
    available and coverage; the `limit` leaves with the largest requirement, and how many there were."""
    w = where("budget", filters)
    df = frame(
        con,
        f"""
        SELECT plan, outcome_code, outcome_title, output_code, output_title, agency, {JOINT} AS joint,
               {OUTCOME_KEY} AS outcome_key, sum(required) AS required, sum(available) AS available,
               {metrics.of_partials(metrics.COVERAGE.sql)} AS coverage,
               {metrics.of_partials(metrics.LINES_WITHOUT_AVAILABLE.sql)} AS lines_without_available,
               count(*) OVER () AS leaves
        FROM {BUDGET_ROLLUP}{w.sql()}
        GROUP BY plan, outcome_code, outcome_title, output_code, output_title, agency, {JOINT}
        ORDER BY required DESC NULLS LAST LIMIT ?""",
        [*w.params, limit],
    )
    total = int(df["leaves"].iloc[0]) if len(df) else 0
    df = df.drop(columns="leaves")
    df.insert(0, "outcome_key", df.pop("outcome_key"))
    df.insert(1, "outcome", _each_distinct(list(zip(df["outcome_code"], df["outcome_title"])), outcome_label))
    df.insert(2, "output", _each_distinct(list(zip(df["output_code"], df["output_title"])), output_label))
    df["agency_label"] = [tile_label(a, j) for a, j in zip(df["agency"], df["joint"])]
    return df, int(total)


def tile_label(agency: object, joint: object) -> str:
    """A treemap leaf: the agency, 'Joint: FAO + WHO' for a joint sub-output, '(no agency)' without one."""
    codes = [c.strip() for c in (text(agency) or "").split(";") if c.strip()]
    if (not is_missing(joint) and bool(joint)) or len(codes) > 1:
        return "Joint: " + " + ".join(codes) if codes else JOINT_LABEL
    return codes[0] if codes else NO_AGENCY


LINE_COLUMNS = (
    "plan",
    "outcome_code",
    "outcome_title",
    "output_code",
    "output_title",
    "suboutput_title",
    "agency",
    "funding_source",
    "year",
    "required",
    "available",
    "expenditure",
    "currency",
)


def lines(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 1000) -> tuple[pd.DataFrame, int]:
    """The filtered budget lines themselves (for an agency's or an outcome's drill-down), largest first,
    at most `limit`; and how many lines there are."""
    w = where("budget", filters)
    total = rows(con, f"SELECT count(*) FROM budget{w.sql()}", w.params)[0][0]
    # one line's delivery rate: the delivery rate over a group of one line
    df = frame(
        con,
        f"""
        SELECT {", ".join(LINE_COLUMNS)}, expenditure / NULLIF(available, 0) AS delivery_rate
        FROM budget{w.sql()}
        ORDER BY plan, outcome_code, outcome_title, output_code, year, agency LIMIT ?""",
        [*w.params, limit],
    )
    return df, int(total)


# --- the plan's structure (UN INFO sub-outputs, with or without money) and its indirect costs --------

#: the sub-outputs with a budget line; a sub-output outside it has no money figure in any year
_FUNDED = f"LEFT JOIN (SELECT DISTINCT suboutput_id AS funded FROM {FUNDED_SUBOUTPUTS}) f ON f.funded = s.suboutput_id"
#: sub-outputs in view without any budget figure (part of the plan, counted, adding nothing to the amounts)
SUBOUTPUTS_WITHOUT_FIGURES = "count(DISTINCT s.suboutput_id) FILTER (WHERE f.funded IS NULL)"
_OUTPUT_IDENTITY = "(coalesce(s.output_code, ''), coalesce(s.output_title, ''))"


def suboutputs_by_outcome(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per outcome (plan, code, title), its outputs and sub-outputs as the UN INFO exports list them, with or
    without money, and how many of the sub-outputs have no budget figure in any year."""
    w = where("suboutputs", filters)
    return frame(
        con,
        f"""
        SELECT {OUTCOME_KEY} AS outcome_key, plan, outcome_code, outcome_title,
               count(DISTINCT {_OUTPUT_IDENTITY}) AS outputs, count(DISTINCT s.suboutput_id) AS suboutputs,
               {SUBOUTPUTS_WITHOUT_FIGURES} AS suboutputs_without_figures
        FROM suboutput_list s {_FUNDED}{w.sql()}
        GROUP BY plan, outcome_code, outcome_title ORDER BY plan, outcome_code, outcome_title""",
        w.params,
    )


def suboutput_totals(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, Any]:
    """Outcomes, outputs and sub-outputs in view (UN INFO, with or without money), and how many of the
    sub-outputs have no budget figure in any year."""
    w = where("suboutputs", filters)
    return record(
        con,
        f"""
        SELECT count(DISTINCT {OUTCOME_IDENTITY}) AS outcomes,
               count(DISTINCT ({OUTCOME_IDENTITY}, {_OUTPUT_IDENTITY})) AS outputs,
               count(DISTINCT s.suboutput_id) AS suboutputs,
               {SUBOUTPUTS_WITHOUT_FIGURES} AS suboutputs_without_figures
        FROM suboutput_list s {_FUNDED}{w.sql()}""",
        w.params,
    )


def plan_summary(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per plan (of a country) with indirect costs in view: programme (its budget lines' required) + support
    costs + fees = total. An outcome has no indirect costs, so none are summed for one (an empty table)."""
    w, iw = where("budget", filters), where("indirect_costs", filters)
    return frame(
        con,
        f"""
        WITH costs AS (
            SELECT country, plan, coalesce(sum(required) FILTER (WHERE cost_type = 'support'), 0) AS support_costs,
                   coalesce(sum(required) FILTER (WHERE cost_type = 'fee'), 0) AS fees, min(currency) AS currency
            FROM indirect_costs{iw.sql()} GROUP BY country, plan),
        lines AS (SELECT country, plan, sum(required) AS programme FROM {BUDGET_ROLLUP}{w.sql()} GROUP BY ALL)
        SELECT c.country, c.plan, coalesce(l.programme, 0) AS programme, c.support_costs, c.fees,
               coalesce(l.programme, 0) + c.support_costs + c.fees AS total, c.currency
        FROM costs c LEFT JOIN lines l ON l.plan = c.plan AND l.country IS NOT DISTINCT FROM c.country
        ORDER BY c.country, c.plan""",
        [*iw.params, *w.params],
    )
