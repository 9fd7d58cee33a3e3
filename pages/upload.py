"""Upload: template download, upload, validation report or preview, commit, history and rollback.

Nothing is written before Commit: the preview is a dry run of the very load Commit performs
(etl.load), so "rows to add / replace" and "totals before → after" are exactly what will happen.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from app import auth, ui
from etl import accounts, queries, store
from etl.formatting import format_money
from etl.load import load_bytes
from etl.report import error_report_bytes, how_to_fix
from etl.schema import KINDS
from etl.template import TEMPLATE_FILE_NAMES, template_bytes

ui.require_frame()
con = ui.connection()
user = auth.current_user(con)

st.title("Upload")
if not auth.can_upload(user):
    if user:
        st.warning(f"Your account ({ui.md_escape(user['user_name'])}) is a {user['role']}: only focal points and "
                   "administrators upload data.")
    else:
        st.info("Sign in to upload your agency's spreadsheets.")
        auth.login_form(con, key="upload_login")
    st.stop()

is_admin = user["role"] == "admin"
my_agencies = None if is_admin else set(user["agencies"])
st.caption(f"Signed in as **{ui.md_escape(user['user_name'])}** ({user['role']}"
           + ("" if is_admin else f", {ui.md_escape(', '.join(sorted(my_agencies)))}") + ")")

template_tab, upload_tab, history_tab = st.tabs(["1 · Template", "2 · Upload and check", "3 · History"])

# ------------------------------------------------------------------------------------------ templates
with template_tab:
    st.markdown("Download the template of the dataset you report, fill it from your agency's records "
                "and upload it in step 2. The Instructions sheet explains every column.")
    columns = st.columns(len(KINDS))
    for column, kind in zip(columns, KINDS.values()):
        with column:
            st.markdown(f"**{kind.title}**  \n{kind.grain}")
            st.download_button(f"Download the {kind.name} template", template_bytes(kind.name, store.entities(con)),
                               file_name=TEMPLATE_FILE_NAMES[kind.name], key=f"template_{kind.name}",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

# ------------------------------------------------------------------------------------------ upload
KIND_CHOICES = {"Recognise from the header": None, **{k.title: k.name for k in KINDS.values()}}


def _options_form() -> dict:
    plans = queries.plan_names(con)
    left, right = st.columns(2)
    with left:
        kind_label = st.selectbox("Dataset", list(KIND_CHOICES), key="upload_kind")
        plan_choice = st.selectbox("Plan (for a file without a plan column)", ["— the file names it —", *plans,
                                                                                "Another plan…"], key="upload_plan")
        plan = st.text_input("Plan name", key="upload_plan_other") if plan_choice == "Another plan…" else (
            None if plan_choice.startswith("—") else plan_choice)
    with right:
        agency_list = sorted(my_agencies) if my_agencies is not None else [e.code for e in store.entities(con)]
        agency = st.selectbox("Agency (for a file without an agency column)", ["— the file names it —", *agency_list],
                              key="upload_agency")
        source = st.text_input("Source title (for recommendations without one)", key="upload_source",
                               placeholder="e.g. Evaluation of UN Women strategic partnerships")
    return {"kind": KIND_CHOICES[kind_label], "plan": plan or None, "source": source.strip() or None,
            "agency": None if agency.startswith("—") else agency}


def _check(data: bytes, name: str, options: dict):
    bar = st.progress(0.0, text=f"Reading {name}…")
    result = load_bytes(con, data, name, dry_run=True, user=user["user_name"], allowed_agencies=my_agencies,
                        progress=lambda fraction, text: bar.progress(min(fraction, 1.0), text=text), **options)
    bar.empty()
    return result


def _problem_table(problems) -> pd.DataFrame:
    return pd.DataFrame([{"sheet": p.sheet or "", "cell": p.cell or "", "column": p.column or "",
                          "value": "" if p.value is None else str(p.value), "what was expected": p.expected,
                          "how to fix": how_to_fix(p)} for p in problems])


def _show_preview(result) -> None:
    st.success(f"**{ui.md_escape(result.file_name)}** is valid: {result.rows_added} row(s) to add, "
               f"{result.rows_replaced} current row(s) it replaces (kept in the history, can be rolled back).")
    before, after = result.preview["before"], result.preview["after"]
    if "required" in before:
        table = pd.DataFrame({
            "": ["Rows", "Required", "Available", "Expenditure"],
            "before": [before["rows"], *(format_money(before[k]) for k in ("required", "available", "expenditure"))],
            "after": [after["rows"], *(format_money(after[k]) for k in ("required", "available", "expenditure"))],
        })
        st.markdown("Totals for the plan and agencies in this file, before → after:")
    else:
        table = pd.DataFrame({"": ["Rows"], "before": [before["rows"]], "after": [after["rows"]]})
    st.dataframe(table, hide_index=True, width="content")
    if result.warnings:
        with st.expander(f"{len(result.warnings)} warning(s) — the file loads, but read them"):
            st.dataframe(_problem_table(result.warnings), hide_index=True, width="stretch")


with upload_tab:
    options = _options_form()
    uploaded = st.file_uploader("Workbook (.xlsx, .xlsm) or CSV", type=["xlsx", "xlsm", "csv"], key="upload_file")
    if uploaded is None:
        st.caption("Nothing is written until you press Commit after the check.")
    else:
        data = uploaded.getvalue()
        check_key = (uploaded.name, len(data), hash(data), tuple(sorted(options.items())))
        if st.session_state.get("_checked_key") != check_key:
            st.session_state["_checked_key"] = check_key
            st.session_state["_checked"] = _check(data, uploaded.name, options)
            st.session_state.pop("_committed", None)
        result = st.session_state["_checked"]
        committed = st.session_state.get("_committed")
        if committed is not None:
            st.success(f"Committed as submission {committed.submission_id}: {committed.rows_added} row(s) added, "
                       f"{committed.rows_replaced} replaced. The dashboards show the new figures now.")
        elif result.status == "duplicate":
            previous = result.duplicate_of
            st.info(f"This file was already loaded on {previous['created_at']:%Y-%m-%d %H:%M} by "
                    f"{ui.md_escape(previous.get('user_name') or 'an unnamed user')} "
                    f"(submission {previous['submission_id']}). Nothing to do.")
        elif result.status == "rejected":
            st.error(f"**{ui.md_escape(result.file_name)}** has {len(result.errors)} error(s). Nothing was loaded. "
                     "Fix them in your file and upload it again.")
            st.dataframe(_problem_table(result.errors), hide_index=True, width="stretch")
            st.download_button("Download the validation report (.xlsx, errors highlighted)",
                               error_report_bytes(result.file_name, data, result.errors + result.warnings),
                               file_name=f"validation-report-{uploaded.name.rsplit('.', 1)[0]}.xlsx",
                               key="report_download")
        else:
            _show_preview(result)
            if st.button("Commit", type="primary", key="commit"):
                with st.spinner("Writing…"):
                    done = load_bytes(con, data, uploaded.name, user=user["user_name"], allowed_agencies=my_agencies,
                                      **options)
                st.session_state["_committed"] = done
                st.rerun()

# ------------------------------------------------------------------------------------------ history
with history_tab:
    history = queries.submission_history(con)
    if history.empty:
        ui.empty_state("submissions")
    else:
        st.dataframe(history, hide_index=True, width="stretch",
                     column_config={"when": st.column_config.DatetimeColumn("when", format="YYYY-MM-DD HH:mm")})
        left, right = st.columns(2)
        with left:
            committed_ids = history.loc[history["status"] == "committed", "id"].tolist()
            allowed = [sid for sid in committed_ids
                       if is_admin or set(str(history.loc[history["id"] == sid, "agency"].iloc[0] or "").split(";"))
                       - {""} <= (my_agencies or set()) and history.loc[history["id"] == sid, "agency"].iloc[0]]
            target = st.selectbox("Roll back a submission of your agency", allowed, index=None,
                                  placeholder="Choose a submission", key="rollback_choice")
            if st.button("Roll back", disabled=target is None, key="rollback"):
                try:
                    accounts.check_rollback(con, user["user_name"], int(target))
                    done = store.rollback(con, int(target), user["user_name"])
                    st.success(f"Submission {target} rolled back: {done['rows_hidden']} row(s) withdrawn, "
                               f"{done['rows_restored']} earlier row(s) restored.")
                except (store.RollbackError, accounts.PermissionDenied) as error:
                    st.error(ui.md_escape(error))
        with right:
            stored = history.loc[history["has_file"], "id"].tolist()
            chosen = st.selectbox("Download the original file of a submission", stored, index=None,
                                  placeholder="Choose a submission", key="original_choice")
            if chosen is not None:
                name, content = store.original_file(con, int(chosen))
                st.download_button(f"Download {name}", content, file_name=name, key="original_download")
