"""Header matching (SPEC §2): case-, space- and punctuation-insensitive, synonyms accepted; any
header text is either matched to the right column or left unmatched, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.schema import KINDS
from etl.validate import match_header

ALL_NAMES = [
    (kind.name, column.name, name)
    for kind in KINDS.values()
    for column in kind.columns
    for name in (column.name, *column.synonyms)
]


@pytest.mark.parametrize(
    "kind,canonical,header",
    [
        ("budget", "required", "Total Required Resources (USD)"),
        ("budget", "required", "  REQUIRED  "),
        ("budget", "available", "Available resources"),
        ("budget", "expenditure", "Expenditure Resources"),
        ("budget", "agency", "Agency/Fund/Programme"),
        ("budget", "year", "F.Y."),
        ("budget", "outcome_code", "Outcome No."),
        ("indicators", "indicator_code", "Indicator code"),
        ("indicators", "means_of_verification", "Means of verification"),
        ("actions", "recommendation_no", "Rec. No."),
        ("actions", "recommendation", "Recommendation"),
        ("actions", "action", "Key action(s)"),
        ("actions", "responsible", "Responsible unit(s)"),
        ("actions", "management_response", "Management response category"),
        ("actions", "deadline", "Due date"),
    ],
)
def test_known_headers(kind, canonical, header):
    assert match_header([header], kind) == {0: canonical}


def decorate(text: str, draw_case, draw_punct) -> str:
    cased = "".join(c.upper() if flip else c.lower() for c, flip in zip(text, draw_case))
    return draw_punct[0] + cased.replace(" ", draw_punct[1]) + draw_punct[2]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(ALL_NAMES),
    st.lists(st.booleans(), min_size=60, max_size=60),
    st.tuples(
        st.sampled_from(["", " ", "  ", "*"]),
        st.sampled_from([" ", "_", "-", ".", "  "]),
        st.sampled_from(["", " ", ":", "."]),
    ),
)
def test_any_casing_and_punctuation_of_a_synonym_matches_its_column(name, case, punct):
    kind, canonical, header = name
    matched = match_header([decorate(header, case, punct)], kind)
    assert matched == {0: canonical}


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.text(max_size=40), st.integers(), st.floats(allow_nan=True), st.none()), max_size=30),
    st.sampled_from(list(KINDS)),
)
def test_any_header_row_is_matched_or_left_alone_never_a_crash(cells, kind):
    matched = match_header(cells, kind)
    names = [c.name for c in KINDS[kind].columns]
    assert all(0 <= i < len(cells) for i in matched)
    assert all(column in names for column in matched.values())
    assert len(set(matched.values())) == len(matched)  # a column is matched once
