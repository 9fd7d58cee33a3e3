"""The Closed periods page (administrators): close and reopen a plan's year or quarter; the log; the Upload page
names what is closed."""

from __future__ import annotations

import store.connection
from app.text import md_escape
from store import periods
from tests.fixtures import ANGOLA, PLAN_A
from tests.test_upload import db, open_app  # noqa: F401  (fixture)


def test_an_administrator_closes_and_reopens_a_year(db):  # noqa: F811
    app = open_app("closed_periods", "root")
    assert [m.value for m in app.markdown if m.value.startswith("**")] == ["**Close a period**", "**Reopen a period**"]
    app.selectbox(key="periods_plan").set_value((ANGOLA, PLAN_A))
    app.number_input(key="periods_year").set_value(2025).run()
    app.button(key="periods_close").click().run()
    assert [s.value for s in app.success] == [md_escape(f"Closed {PLAN_A} (Angola) 2025.")]
    con = store.connection.connect(db)
    closed = periods.closed(con)
    assert [(p["country"], p["plan"], p["year"], p["quarter"], p["user_name"]) for p in closed] == [
        (ANGOLA, PLAN_A, 2025, None, "root")
    ]
    log = app.dataframe[-1].value  # the log: the only table of the page
    assert list(log["action"]) == ["closed"] and list(log["by"]) == ["root"]
    # the Upload page names it
    upload = open_app("upload", "root")
    at = closed[0]["changed_at"]
    expected = "Closed periods — loads and roll-backs that would change them are refused: " + md_escape(
        f"{PLAN_A} (Angola) 2025 (closed by root on {at:%Y-%m-%d %H:%M} UTC)"
    )
    assert expected in [c.value for c in upload.caption]
    # closing it again says so; reopening it is logged
    app.selectbox(key="periods_plan").set_value((ANGOLA, PLAN_A))
    app.number_input(key="periods_year").set_value(2025).run()
    app.button(key="periods_close").click().run()
    assert app.error[0].value.startswith(md_escape(f"{PLAN_A} (Angola) 2025 is already closed (closed by root on "))
    app.selectbox(key="periods_reopen_choice").set_value(f"{PLAN_A} (Angola) 2025").run()
    app.button(key="periods_reopen").click().run()
    assert [s.value for s in app.success] == [md_escape(f"Reopened {PLAN_A} (Angola) 2025.")]
    assert periods.closed(con) == [] and [e["action"] for e in periods.log(con)] == ["reopened", "closed"]


def test_only_administrators_use_the_page(db):  # noqa: F811
    for user in ("amina", None):
        app = open_app("closed_periods", user)
        assert app.info[0].value.startswith("Only administrators close and reopen periods.")
        assert not app.button
