"""What a row is about, in SQL: the identity and short key of an outcome and of an indicator, the agencies of a
line (a joint sub-output lists several and is never split), whether it is of its country's current plan, and the
names of UN entities.

Outcome codes are not unique across plans or strategic priorities (real UN INFO data), so an outcome is
identified by (plan, outcome_code, outcome_title); `Filters.outcome` holds its short key (`outcome_key()`),
which is what a page passes around.
"""

from __future__ import annotations

import hashlib

import duckdb

from analytics.sql import rows
from core.formatting import NO_AGENCY, is_missing
from core.summaries import PLAN_YEARS

#: outcome identity (plan, code, title), and its short key for URLs and selections
OUTCOME_IDENTITY = "(coalesce(plan, ''), coalesce(outcome_code, ''), coalesce(outcome_title, ''))"
OUTCOME_KEY = (
    "substr(md5(concat_ws(chr(31), coalesce(plan, ''), coalesce(outcome_code, ''),"
    " coalesce(outcome_title, ''))), 1, 10)"
)
#: an indicator is its country, plan and code
INDICATOR_KEY = (
    "substr(md5(concat_ws(chr(31), coalesce(country, ''), coalesce(plan, ''), coalesce(indicator_code, ''))), 1, 10)"
)

#: a sub-output carried out by several entities (money not split)
JOINT = "(coalesce(joint, false) OR coalesce(contains(agency, ';'), false))"
JOINT_LABEL = "Joint"
#: the agency a by-agency view shows: the entity code, 'Joint', or '(no agency)' for a line without one
AGENCY_GROUP = f"CASE WHEN {JOINT} THEN '{JOINT_LABEL}' ELSE coalesce(nullif(trim(agency), ''), '{NO_AGENCY}') END"
#: an action's responsible agency when none is given
NOT_ASSIGNED = "Not assigned"
#: by-agency rows that stand for no one agency (a click on them narrows nothing)
GROUP_LABELS = frozenset({JOINT_LABEL, NO_AGENCY, NOT_ASSIGNED})
#: the entity codes of a line (one for an agency line, several for a joint sub-output)
AGENCY_LIST = r"regexp_split_to_array(agency, '\s*;\s*')"
#: a line belongs to agency ? when it is that agency's line or a joint line listing it
AGENCY_MATCH = f"(agency = ? OR (contains(agency, ';') AND list_contains({AGENCY_LIST}, ?)))"


#: which of a country's plans is current in year {year}: the one whose years hold it (the latest-starting when several
#: do), else the latest-starting one that has begun, else the first to come
CURRENT_FIRST = """(first_year <= {year} AND last_year >= {year}) DESC, (first_year <= {year}) DESC,
    CASE WHEN first_year <= {year} THEN -first_year ELSE first_year END, plan"""
#: (country, plan) of the plans with data that are not their country's current plan this year
_NOT_CURRENT = f"""(SELECT country, plan FROM {PLAN_YEARS}
    QUALIFY row_number() OVER (PARTITION BY country ORDER BY {CURRENT_FIRST.format(year="year(current_date)")}) > 1)"""


def current_plan(alias: str = "") -> str:
    """SQL: the row (of the view aliased `alias`) is of the current plan of its country — or of a plan known from no
    budget line or indicator (an evaluation's actions, a plan whose sub-outputs have no figure yet), which no other
    plan of its country is current instead of."""
    return f"(coalesce({alias}country, ''), coalesce({alias}plan, '')) NOT IN {_NOT_CURRENT}"


def outcome_key(plan: object, outcome_code: object, outcome_title: object) -> str:
    """The short key of an outcome; equal to SQL `OUTCOME_KEY` (pages take it from SQL): md5 of the parts joined
    by chr(31), a missing part (None, NaN, NA) as ''."""
    joined = "\x1f".join("" if is_missing(p) else str(p) for p in (plan, outcome_code, outcome_title))
    return hashlib.md5(joined.encode("utf-8")).hexdigest()[:10]


def entity_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Entity code → full name."""
    return {code: name for code, name in rows(con, "SELECT code, name FROM entities WHERE code IS NOT NULL")}
