"""Upload: template download, upload, validation report or preview, commit, history and rollback.

Nothing is written before Commit: the check is a dry run of the very load Commit performs
(etl.load), so "rows to add / replace" and "totals before → after" are exactly what will happen.
Focal points load and roll back only their agencies' rows (SPEC §10); administrators any.
Session keys of this page start with "upload_" (cleared at sign-out, see app.auth).
"""

from __future__ import annotations

import datetime as dt
import time

import pandas as pd
import streamlit as st

import store.writes
from analytics import activity
from analytics.rollback import rollback_preview
from app import auth, frame, load_result, tables
from app.data import connection, current_filters
from app.filter_bar import filter_summary
from app.text import md_escape
from core.formatting import format_day, is_missing, text
from core.schema import KINDS
from etl.load import LoadResult, load_bytes
from etl.template import TEMPLATE_FILE_NAMES, template_bytes
from store import accounts, periods

RECOGNISE = "Recognise from the header"
FROM_FILE = "As in the file (its plan column)"
OTHER_PLAN = "Another plan…"
COUNTRY_FROM_PLAN = "From the file or plan"
OTHER_COUNTRY = "Another country…"
KIND_LABELS = {
    "budget": "Budget (CBF or UN INFO export)",
    "indicators": "Indicators",
    "actions": "Recommendations and actions",
}

frame.require_frame()
con = connection()
user = auth.current_user(con)

st.title("Upload")
if not auth.can_upload(user):
    if user:
        st.warning(
            f"You are signed in as {md_escape(auth.describe(user))}: only focal points and "
            "administrators upload data. Ask an administrator if your role should change."
        )
    else:
        st.info("Sign in to upload your agency's spreadsheets. The dashboards themselves need no account.")
        left, _ = st.columns([1, 1])
        with left:
            auth.login_form(key="upload_login")
    st.stop()

is_admin = user["role"] == "admin"
my_agencies: set[str] | None = None if is_admin else set(user["agencies"])
if is_admin:
    st.caption(f"Signed in as **{md_escape(auth.describe(user))}**: you may upload and roll back data of any agency.")
else:
    st.caption(
        f"Signed in as **{md_escape(auth.describe(user))}**: you upload data of "
        f"{md_escape(', '.join(sorted(my_agencies)))} only — a file holding a row of another agency "
        "is refused whole."
    )

st.markdown(
    "**How it works:** ① download the template of your dataset and fill it (a UN INFO export loads as "
    "it is) → ② upload the file: it is checked at once and you see either every error with its cell, or "
    "a preview of what will change, with a **Commit** button. Nothing is written before Commit. "
    "③ History lists every submission; one can be rolled back, and its original file downloaded."
)

# ------------------------------------------------------------------------------------------ 1 templates
st.subheader("① Templates", anchor="templates")
entities = store.writes.entities(con)
columns = st.columns(len(KINDS))
for column, kind in zip(columns, KINDS.values()):
    with column.container(border=True, height="stretch"):
        st.markdown(f"**{md_escape(kind.title)}**  \n{md_escape(kind.grain)}")
        st.download_button(
            f"Download the {kind.name} template",
            lambda k=kind.name: template_bytes(k, entities),
            file_name=TEMPLATE_FILE_NAMES[kind.name],
            mime=tables.XLSX,
            key=f"upload_template_{kind.name}",
            icon=":material/download:",
            on_click="ignore",
        )
st.caption(
    "Each template has drop-down lists for agencies and statuses and an Instructions sheet that explains "
    "every column. Keep the header row; add rows below it."
)


# ------------------------------------------------------------------------------------------ 2 upload
def plan_label(plan: str, country: str | None, first: int | None, last: int | None) -> str:
    """'UNSDCF 2023-2027 (Angola, 2023–2027)': a plan is a plan of a country; the years are its budget's."""
    years = None if first is None else f"{first}" if first == last else f"{first}–{last}"
    details = ", ".join(d for d in (country, years) if d)
    return f"{plan} ({details})" if details else plan


def options_form() -> dict:
    """Dataset kind, plan and country, agency (limited to the account's) and source title, for the whole file."""
    kinds = {RECOGNISE: None, **{KIND_LABELS.get(k.name, k.title): k.name for k in KINDS.values()}}
    known = activity.plan_choices(con)
    plans = {plan_label(*p): (p[0], p[1]) for p in known}
    countries = sorted({country for _, country, _, _ in known if country})
    if my_agencies is not None and len(my_agencies) == 1:
        agency_options = sorted(my_agencies)
    else:
        agency_options = [
            "Any of my agencies (as in the file)" if my_agencies else "Any agency (as in the file)",
            *(sorted(my_agencies) if my_agencies else [e.code for e in entities]),
        ]
    first, second, third, fourth, fifth = st.columns([1.1, 1.5, 1, 1, 1.1])
    with first:
        kind_label = st.selectbox(
            "Dataset", list(kinds), key="upload_kind", help="Leave it to be recognised from the header row, or name it."
        )
    with second:
        plan_choice = st.selectbox(
            "Plan",
            [FROM_FILE, *plans, OTHER_PLAN],
            key="upload_plan",
            help="For a file without a plan column, or rows with the plan left blank. "
            "The file's own plan column wins. Plans are shown with their country "
            "and years: many countries use the same plan name.",
        )
        plan, plan_country = plans.get(plan_choice, (None, None))
        if plan_choice == OTHER_PLAN:
            plan = st.text_input("Plan name", key="upload_plan_other", placeholder="e.g. UNSDCF 2023-2027")
    with third:
        if plan_country:  # the chosen plan is a plan of this country
            st.selectbox("Country", [plan_country], disabled=True, help="The chosen plan's country.")
            country = plan_country
        else:
            country_choice = st.selectbox(
                "Country",
                [COUNTRY_FROM_PLAN, *countries, OTHER_COUNTRY],
                key="upload_country",
                help="For rows without a country. Left as it is, a row takes its plan's country when the plan's "
                "name is known in one country only; a plan name several countries use needs the country.",
            )
            country = (
                st.text_input("Country name", key="upload_country_other", placeholder="e.g. Angola")
                if country_choice == OTHER_COUNTRY
                else None
                if country_choice == COUNTRY_FROM_PLAN
                else country_choice
            )
    with fourth:
        agency = st.selectbox(
            "Agency",
            agency_options,
            key="upload_agency",
            help="The agency you report for: a row of any other agency refuses the whole file. "
            "In indicators and actions files, rows with no agency get this one.",
        )
    kind = kinds[kind_label]
    with fifth:
        source = st.text_input(
            "Source title (actions files)",
            key="upload_source",
            disabled=kind not in (None, "actions"),
            placeholder="e.g. Evaluation of …",
            help="For recommendations and actions without a source_title column: the "
            "evaluation, audit or work plan they come from.",
        )
    source = source if kind in (None, "actions") else None
    chosen_agency = agency if agency in (my_agencies or {e.code for e in entities}) else None
    return {
        "kind": kind,
        "plan": (plan or "").strip() or None,
        "country": (country or "").strip() or None,
        "source": (source or "").strip() or None,
        "agency": chosen_agency,
    }


def scope(options: dict) -> set[str] | None:
    """The agencies this upload may hold: the chosen one, else the account's (None: any)."""
    return {options["agency"]} if options["agency"] else my_agencies


def check(data: bytes, name: str, options: dict) -> LoadResult:
    """The dry run, with a progress bar while the file is read, checked and measured."""
    bar = st.progress(0.0, text=f"Reading and checking {md_escape(name)}…")
    started = time.monotonic()

    def step(fraction: float, text: str) -> None:
        label = {"done": "finished"}.get(text, text)
        bar.progress(min(max(fraction, 0.0), 1.0), text=f"{md_escape(name)}: {md_escape(label)}…")

    result = load_bytes(
        con,
        data,
        name,
        dry_run=True,
        record_rejected=True,
        user=user["user_name"],
        allowed_agencies=scope(options),
        progress=step,
        **options,
    )
    bar.progress(1.0, text=f"Read and checked {md_escape(name)} in {time.monotonic() - started:.1f} s.")
    return result


@frame.guarded
def commit(data: bytes, name: str, options: dict, preview: dict | None) -> None:
    """Commit button callback: the real load (it re-checks everything inside its transaction), through this run's
    connection (the run that drew the button may have let the database go)."""
    done = load_bytes(connection(), data, name, user=user["user_name"], allowed_agencies=scope(options), **options)
    st.session_state["upload_last"] = {"result": done, "preview": preview}
    st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1  # an empty uploader
    st.session_state.pop("upload_checked", None)


def show_preview(result: LoadResult, data: bytes, name: str, options: dict) -> None:
    st.success(
        f"**{md_escape(result.file_name)}** is a valid {load_result.kind_text(result)}. Commit will add "
        f"**{result.rows_added:,}** row(s) and replace **{result.rows_replaced:,}** current row(s) (the "
        "replaced rows are kept: rolling the submission back restores them).",
        icon=":material/check_circle:",
    )
    if result.preview:
        load_result.show_totals(
            result.kind,
            result.preview,
            "Totals of the current data {scope}, before → after Commit:",
            "upload_preview_by_agency",
        )
        load_result.show_sample(result)
    load_result.show_warnings(result, "upload_preview_warnings")
    st.button(
        "Commit",
        type="primary",
        key="upload_commit",
        icon=":material/cloud_upload:",
        on_click=commit,
        args=(data, name, options, result.preview),
    )
    st.caption("Nothing has been written yet. Not right? Fix the file and upload it again instead.")


st.subheader("② Upload, check and commit", anchor="upload")
options = options_form()
last = st.session_state.pop("upload_last", None)
if last:
    load_result.show_committed(last)
uploaded = st.file_uploader(
    "Workbook (.xlsx, .xlsm) or CSV file",
    type=["xlsx", "xlsm", "csv"],
    key=f"upload_file_{st.session_state.get('upload_round', 0)}",
    help="One dataset per file. The check starts as soon as the file is uploaded.",
)
if uploaded is None:
    st.session_state.pop("upload_checked", None)
    if not last:
        st.caption("Nothing is written until you press Commit after the check.")
else:
    data = uploaded.getvalue()
    check_key = (uploaded.file_id, uploaded.name, len(data), tuple(sorted(options.items())), activity.data_version(con))
    checked = st.session_state.get("upload_checked")
    if not checked or checked[0] != check_key:
        checked = (check_key, check(data, uploaded.name, options))
        st.session_state["upload_checked"] = checked
    result = checked[1]
    if result.status == "duplicate":
        load_result.show_duplicate(result)
    elif result.status == "rejected":
        load_result.show_rejected(result, data, uploaded.name)
    else:
        show_preview(result, data, uploaded.name, options)


# ------------------------------------------------------------------------------------------ 3 history
@frame.guarded
def roll_back(submission_id: int) -> None:
    """Roll back button callback."""
    try:
        accounts.check_rollback(connection(), user["user_name"], submission_id)  # this run's connection
        done = store.writes.rollback(connection(), submission_id, user["user_name"])
    except (store.writes.RollbackError, accounts.PermissionDenied) as error:
        st.session_state["upload_rollback_message"] = ("error", str(error))
    else:
        st.session_state["upload_rollback_message"] = (
            "success",
            f"Submission {submission_id} rolled back: {done['rows_hidden']:,} row(s) withdrawn, "
            f"{done['rows_restored']:,} earlier row(s) restored.",
        )
    st.session_state["upload_rollback_choice"] = None
    st.session_state.pop("upload_rollback_pending", None)


def ask_rollback(submission_id: int) -> None:
    """Roll back button callback: ask for confirmation first."""
    st.session_state["upload_rollback_pending"] = submission_id


def cancel_rollback() -> None:
    st.session_state.pop("upload_rollback_pending", None)


def confirm_rollback(submission_id: int) -> None:
    """What the roll-back will withdraw and restore, named, with the buttons to do it or not."""
    what = rollback_preview(con, submission_id)
    when = f"{what['created_at']:%Y-%m-%d %H:%M}" if isinstance(what.get("created_at"), dt.datetime) else ""
    about = " · ".join(
        x
        for x in (
            text(what.get("file_name")),
            text(what.get("kind")),
            text(what.get("agency")) or "several agencies",
            text(what.get("plan")),
            f"loaded {when}" if when else None,
            f"by {text(what.get('user_name'))}" if text(what.get("user_name")) else None,
        )
        if x
    )
    st.warning(
        f"Roll back submission {submission_id} ({md_escape(about)})? Its **{what['withdrawn']:,}** current "
        f"row(s) will be withdrawn, and up to **{what['restored']:,}** earlier row(s) it replaced will be "
        "current again (a row a later submission has replaced since stays with that one).",
        icon=":material/warning:",
    )
    yes, no, _ = st.columns([2, 1, 2])  # the question's button names the submission: room for it
    yes.button(
        f"Yes, roll back submission {submission_id}",
        key="upload_rollback_confirm",
        type="primary",
        on_click=roll_back,
        args=(submission_id,),
    )
    no.button("Cancel", key="upload_rollback_cancel", on_click=cancel_rollback)


def label(history: pd.DataFrame):
    rows = {int(r.id): r for r in history.itertuples()}

    def described(sid: int) -> str:
        r = rows[sid]
        when = f"{r.when:%Y-%m-%d %H:%M}" if not is_missing(r.when) else ""
        return " · ".join(
            str(x)
            for x in (sid, text(r.file), text(r.dataset), text(r.agency) or "several agencies", when, text(r.user))
            if x
        )

    return described


st.subheader("③ History", anchor="history")
filters = current_filters().applying_to("submissions")
history = activity.submission_history(con, filters)
closed_now = periods.closed(con)
if closed_now:  # the closings and reopenings themselves: the Closed periods page (administrators)
    st.caption(
        "Closed periods — loads and roll-backs that would change them are refused: "
        + md_escape(
            "; ".join(
                f"{periods.Period(p['country'], p['plan'], p['year'], p['quarter'])} (closed by "
                f"{p['user_name'] or 'an unnamed user'} on {p['changed_at']:%Y-%m-%d %H:%M} UTC)"
                for p in closed_now
            )
        )
    )
message = st.session_state.pop("upload_rollback_message", None)
if message:
    (st.success if message[0] == "success" else st.error)(md_escape(message[1]))
if history.empty:
    frame.empty_state("submissions" if filters.is_empty else "filtered")
else:
    if not filters.is_empty:
        st.caption(f"Submissions for {filter_summary(filters)} (the sidebar filters apply).")
    # a refused file is recorded each time it is checked (every change of an option checks it again): hidden
    # unless asked for, so the history lists what changed the data
    refused_files = int((history["status"] == "rejected").sum())
    if refused_files and not st.toggle(f"Show refused files ({refused_files:,})", key="upload_history_refused"):
        history = history[history["status"] != "rejected"]
    shown = history.assign(
        status=lambda d: d["status"].str.replace("_", " "),
        reported=[
            f"{format_day(d)} ({f})" if not is_missing(d) else ""
            for d, f in zip(history["reported_on"], history["reported_from"])
        ],
    )[
        [
            "id",
            "when",
            "reported",
            "user",
            "file",
            "dataset",
            "agency",
            "status",
            "added",
            "replaced",
            "rejected",
            "plan",
        ]
    ]
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        key="upload_history",
        placeholder="—",
        column_config={
            "id": st.column_config.NumberColumn("id", width="small"),
            "when": st.column_config.DatetimeColumn("when", format="YYYY-MM-DD HH:mm"),
            "file": st.column_config.TextColumn("file", width="medium"),
            "added": st.column_config.NumberColumn("rows added", format="localized"),
            "replaced": st.column_config.NumberColumn("rows replaced", format="localized"),
            "rejected": st.column_config.NumberColumn("rows rejected", format="localized"),
            "reported": st.column_config.TextColumn(
                "data reported",
                help="The day the file says its data were reported (a UN INFO export's date, a date in the file or "
                "its name, the day the workbook was saved); blank when it says none",
            ),
        },
    )
    described = label(history)
    left, right = st.columns(2)
    with left, st.container(border=True):
        st.markdown("**Roll back a submission**")
        committed = [int(r.id) for r in history.itertuples() if r.status == "committed"]
        refused = accounts.rollback_refusals(con, user["user_name"], committed)
        candidates = [sid for sid in committed if sid not in refused]
        target = st.selectbox(
            "Submission to roll back",
            candidates,
            index=None,
            format_func=described,
            placeholder="Choose a submission" if candidates else "Nothing you may roll back",
            key="upload_rollback_choice",
        )
        st.caption(
            "Administrators may roll back any submission."
            if is_admin
            else f"You may roll back submissions of {md_escape(', '.join(sorted(my_agencies or [])))} that "
            "replaced no other agency's rows."
        )
        if target is not None:
            st.caption(
                "Its rows are withdrawn and the rows it replaced become current again — unless a later "
                "submission has replaced them since: they then stay with that one."
            )
        pending = st.session_state.get("upload_rollback_pending")
        if pending is not None and pending == target:
            confirm_rollback(pending)
        else:
            st.button(
                "Roll back…",
                key="upload_rollback",
                disabled=target is None,
                icon=":material/undo:",
                on_click=ask_rollback,
                args=(target,),
            )
    with right, st.container(border=True):
        st.markdown("**Download the original file of a submission**")
        stored = [int(r.id) for r in history.itertuples() if r.has_file]
        chosen = st.selectbox(
            "Submission",
            stored,
            index=None,
            format_func=described,
            key="upload_original_choice",
            placeholder="Choose a submission" if stored else "No file kept yet",
        )
        if chosen is not None:
            kept = store.writes.original_file(con, chosen)
            if kept:
                st.download_button(
                    f"Download {md_escape(kept[0])}",
                    kept[1],
                    file_name=kept[0],
                    key="upload_original",
                    icon=":material/download:",
                    on_click="ignore",
                )
