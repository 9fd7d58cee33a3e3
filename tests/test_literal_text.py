"""Stored and URL text is shown as typed wherever Streamlit renders Markdown (captions, subheaders, alerts,
labels, st.table cells…): no link, emphasis, colour, icon, LaTeX or image comes out of it.

Escaping Markdown is not enough in Streamlit 1.67: bare URLs, `www.` addresses, e-mail addresses and
`:material/…:` icons are made after the Markdown is parsed, so `md_escape` also puts an invisible word
joiner into them. Here the escaped text is checked under AppTest; tests/test_hostile_browser.py checks
what the browser draws.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

import store.connection
import store.summaries
import store.writes
from analytics import activity
from app.testing import open_page
from app.text import WORD_JOINER, md_escape
from tests.hostile.make_corpus import markdown_payloads

#: what Streamlit links, styles or draws once backslash escapes are resolved
LIVE = re.compile(r"://|www\.|\w@\w|:material/|:[a-z-]+\[", re.IGNORECASE)


def as_read(markdown: str) -> str:
    """What a reader sees of md_escape'd text: escapes resolved, the invisible joiners gone."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "")


@given(st.text())
def test_escaped_text_reads_as_typed(value):
    assert as_read(md_escape(value)) == value


@pytest.mark.parametrize("payload", markdown_payloads())
def test_escaped_payloads_hold_nothing_live(payload):
    escaped = md_escape(payload)
    bare = re.sub(r"\\[!-/:-@\[-`{-~]", "", escaped)
    assert re.search(r"[!-/:-@\[-`{-~]", bare) is None  # every punctuation mark escaped
    assert LIVE.search(escaped.replace("\\", "")) is None  # and no autolink or icon left to make


# --- the pages -------------------------------------------------------------------------------------------


def as_agency(payload: str) -> str:
    """The payload as an agency code: ';' separates the agencies of a joint sub-output, so it goes."""
    return payload.replace(";", "")


def add_payloads(db: Path, payloads: list[str]) -> None:
    """Each payload as a country, plan, outcome and output title, agency (an entity named by it too), funding
    source, indicator wording and unit, action texts, and submitted file name, in `db` (a copy of the seeded
    database): every field a page may put into a caption, subheader, label or table."""
    con = store.connection.connect(db)
    try:
        next_id = con.execute("SELECT max(submission_id) + 1 FROM submission_log").fetchone()[0]
        this_year = dt.date.today().year
        for i, p in enumerate(payloads):
            sid = next_id + i
            store.writes.add_entity(con, as_agency(p), f"Entity {p}", origin="test")
            con.execute(
                """INSERT INTO submission_log (submission_id, kind, file_name, sha256, user_name, agency,
                                                       plan, created_at, rows_added, status)
                           VALUES (?, 'budget', ?, ?, ?, ?, ?, ?, 3, 'committed')""",
                [sid, f"{p}.xlsx", f"{sid:064x}", p, as_agency(p), p, dt.datetime(2025, 8, 1, 9, 0)],
            )
            con.execute("INSERT INTO submission_files VALUES (?, ?)", [sid, b"PK"])
            con.execute(
                """INSERT INTO budget_lines (country, plan, outcome_code, outcome_title, output_code,
                               output_title, agency, funding_source, year, required, available, expenditure,
                               submission_id) VALUES (?, ?, '1', ?, '1.1', ?, ?, ?, ?, 100, 50, 80, ?)""",
                [p, p, p, p, as_agency(p), p, this_year, sid],
            )  # a running plan: completeness is shown
            con.execute("INSERT INTO plans (country, plan) VALUES (?, ?) ON CONFLICT DO NOTHING", [p, p])
            con.execute(
                """INSERT INTO indicator_rows (country, plan, indicator_code, indicator, result_code, unit,
                               baseline, target, period, period_end, actual, agency, submission_id)
                           VALUES (?, ?, '1.a', ?, '1', ?, 0, 10, '2024', DATE '2024-12-31', 5, ?, ?)""",
                [p, p, p, p, as_agency(p), sid],
            )
            con.execute(
                """INSERT INTO action_rows (plan, source_type, source_title, recommendation_no, recommendation,
                               action_no, action, responsible, agency, deadline, status, comments, submission_id)
                           VALUES (?, 'evaluation', ?, '1', ?, '1.1', ?, ?, ?, DATE '2020-01-31', 'ongoing', ?, ?)""",
                [p, p, p, p, p, as_agency(p), p, sid],
            )
        store.summaries.refresh(con)  # each plan's years (the rows bypassed the loads)
        con.execute("CHECKPOINT")
    finally:
        con.close()


def payload_links(db: Path, payloads: list[str]) -> list[tuple[str, dict]]:
    """For each payload, the views that bring it into Markdown: its agency chosen (Delivery); its country,
    plan and outcome chosen (Funding gaps); its country and plan with a link to an agency the data do not
    have (Overview: reporting completeness and the link warning)."""
    con = store.connection.connect(db)
    try:
        labels = {o["outcome_title"]: o["label"] for o in activity.filter_options(con)["outcomes"]}
    finally:
        con.close()
    views = []
    for p in payloads:
        views.append(("delivery", {"agency": as_agency(p)}))
        views.append(("funding_gaps", {"country": p, "plan": p, "outcome": labels[p]}))
        views.append(("overview", {"country": p, "plan": p, "agency": f"{p} (old link)"}))
    return views


@pytest.fixture(scope="module")
def payload_db(tmp_path_factory, seeded_db_path) -> Path:
    db = tmp_path_factory.mktemp("payloads") / "payloads.duckdb"
    shutil.copy(seeded_db_path, db)
    add_payloads(db, markdown_payloads())
    return db


def markdown_texts(app) -> list[str]:
    """The values of every element that renders Markdown."""
    texts = [
        e.value
        for kind in ("title", "subheader", "caption", "markdown", "info", "warning", "success", "error")
        for e in getattr(app, kind)
    ]
    texts += [m.label for m in app.metric] + [b.label for b in app.button]
    texts += [b.proto.label for b in app.get("download_button")] + [e.label for e in app.expander]
    return texts


@pytest.mark.parametrize("payload", markdown_payloads())
def test_every_payload_reaches_the_page_escaped(payload_db, payload):
    shown = []
    with mock.patch.dict(os.environ, {"UNCT_DB": str(payload_db)}):
        for page, params in payload_links(payload_db, [payload]):
            app = open_page(page, params)
            assert not app.exception and not app.error, [e.value for e in app.error]
            texts = markdown_texts(app)
            live = [t for t in texts if LIVE.search(t.replace("\\", "")) or payload in t or as_agency(payload) in t]
            assert not live, (page, live)
            shown += [as_read(t) for t in texts]
    agency = as_agency(payload)
    for expected in (
        f"Budget lines of {agency}",
        f"agency {agency} (incl. joint sub-outputs)",
        f"Entity {payload}",
        f"Over 100 %: {agency} reported",
        f"Every budget line in view has the same funding source: {payload}",
        f"1 · {payload} ({payload})",
        f"agency “{payload} (old link)”",
    ):
        assert any(expected in t for t in shown), expected
    # the plan, named with its years (a name stating a year already is left as it is)
    assert any(
        f"Reporting completeness, {payload} (" in t or f"Reporting completeness, {payload}:" in t for t in shown
    ), payload
