"""What the stored data decide about a file being loaded, inside its load's transaction: the country of its rows
(a plan name several countries use), whether its rows cross another agency's (agency boundaries), and the
preview's totals before → after and its sample of the rows added and replaced. Called by etl/load.py."""

from __future__ import annotations

from core.schema import KINDS, PLAN_COUNTRIES, SAME_COUNTRY
from etl.dataset import Dataset
from etl.validate import check_duplicate_keys

# ---------------------------------------------------------------- what the stored data decide

CHOOSE_COUNTRY = "choose the country (--country, or the Upload page's Country field)"


def settle_countries(cur, ds: Dataset) -> None:
    """The country rule (README, Load), on the rows of a budget, indicators or actions file, at write time.

    A plan is a plan of a country, and one plan name is used in many. A row without a country (the file's
    column and the country chosen for the file both blank) takes its plan's when the plan's name is known
    in exactly one country (the current data, and the file's own rows with a country); a plan known in
    several countries refuses the file, naming them; an unknown plan loads without a country, with a
    warning. The country is stored in the rows: a later load never changes how they are shown.
    """
    if ds.layout == "uninfo":  # every sub-output names its country
        return
    open_rows: dict[str, list[dict]] = {}
    named: dict[str, set[str]] = {}
    for row in ds.rows:
        if not row.get("plan"):
            continue
        if row.get("country") is None:
            open_rows.setdefault(row["plan"], []).append(row)
        else:
            named.setdefault(row["plan"], set()).add(row["country"])
    if not open_rows:
        return
    known = dict(
        cur.execute(
            f"""SELECT plan, list(DISTINCT country) FROM ({PLAN_COUNTRIES})
                                 WHERE plan IN (SELECT unnest(?)) AND coalesce(country, '') <> ''
                                 GROUP BY plan""",
            [list(open_rows)],
        ).fetchall()
    )
    filled = False
    for plan, rows in open_rows.items():
        countries = sorted(set(known.get(plan) or ()) | named.get(plan, set()))
        if len(countries) == 1:
            for row in rows:
                row["country"] = countries[0]
            filled = True
        elif countries:
            ds.error(
                rows[0]["_sheet"],
                None,
                "country",
                None,
                f"plan '{plan}' exists in {', '.join(countries)} ({len(countries)} countries): {CHOOSE_COUNTRY}",
                code="country_ambiguous",
            )
        else:
            ds.warn(
                rows[0]["_sheet"],
                None,
                "country",
                None,
                f"plan '{plan}' is not known in any country yet: {len(rows):,} row(s) loaded without a country "
                f"show only under 'All countries' (to place them in a country, {CHOOSE_COUNTRY})",
                code="country_unknown",
            )
    if filled and not ds.errors:  # rows that now have the same country may repeat one another
        for sheet in ds.sheets:
            check_duplicate_keys(ds, KINDS[ds.kind], sheet)


def check_boundaries(cur, ds: Dataset, allowed: set[str], sid: int | None = None) -> None:
    """A submission may retire only rows of the uploader's agencies (SPEC §2.1b, §10): each staged row that
    would retire a current row of another agency (a joint row: of none of the uploader's) is an error naming
    the row and the owner. Runs on the `retiring` table (`store.writes.stage_retiring`; `sid`: this UN INFO file's)."""
    mine = " or ".join(f"{code}'s" for code in sorted(allowed)) or "no agency's"
    owners: dict[str, set[str]] = {}
    for ref, agency, scope, country in _foreign(cur, allowed, sid):
        owners.setdefault(ref, set()).add(_owner(agency, scope, country, ds.layout))
    if ds.layout == "uninfo":
        rows = {sub["suboutput_id"]: sub for sub in ds.suboutputs}
        for ref, found in sorted(owners.items(), key=lambda o: rows[o[0]]["_row"]):
            row = rows[ref]
            ds.error(
                row["_sheet"],
                f"row {row['_row']}",
                "ID",
                None,
                f"ID {ref} is a sub-output of {' and '.join(sorted(found))}; your account may replace only {mine} rows",
                code="replaces_other_agency",
            )
        return
    for ref, found in sorted(owners.items(), key=lambda o: int(o[0])):
        row = ds.rows[int(ref)]
        ds.error(
            row["_sheet"],
            f"row {row['_row']}",
            "agency",
            row.get("agency"),
            f"it would replace current rows of {' and '.join(sorted(found))}; your account may replace only "
            f"{mine} rows",
            code="replaces_other_agency",
        )


def _foreign(cur, agencies: set[str], sid: int | None = None) -> list[tuple]:
    """Rows of `retiring` that belong to none of `agencies` (a joint row belongs to each of its agencies, a
    row without an agency to none): (staged row, agency, scope, country)."""
    return cur.execute(
        """SELECT ref, agency, scope, country FROM retiring
                          WHERE NOT coalesce(list_has_any(string_split(agency, ';'), ?::VARCHAR[]), FALSE)
                            AND coalesce(sid = ?, TRUE) ORDER BY ALL""",
        [sorted(agencies), sid],
    ).fetchall()


def _owner(agency: str | None, scope: str | None, country: str | None, layout: str) -> str:
    """'UNICEF', 'UNDP and UNICEF (joint)' or 'no agency'; with the plan or source outside UN INFO exports."""
    codes = [c for c in (agency or "").split(";") if c]
    who = " and ".join(codes) + (" (joint)" if len(codes) > 1 else "") if codes else "no agency"
    if layout == "uninfo":
        return who
    return f"{who} in '{scope}'" + (f" ({country})" if country else "")


# ---------------------------------------------------------------- the preview: totals before → after


def preview_before(cur, kind: str, datasets: list[Dataset]) -> dict:
    """Fix what the preview covers (`preview_scope`), then measure it before the write: {'before', 'others'}."""
    uninfo = datasets[0].layout == "uninfo"
    source = "staged_suboutputs" if uninfo else "staged"
    cur.execute(f"""CREATE OR REPLACE TEMP TABLE preview_scope AS
                    SELECT DISTINCT {KINDS[kind].table.scope_key} AS scope, country, agency FROM {source}
                    UNION SELECT DISTINCT scope, country, agency FROM retiring""")
    own = {
        code
        for ds in datasets
        for row in (ds.suboutputs if uninfo else ds.rows)
        for code in (row.get("agency") or "").split(";")
        if code
    }
    others = sorted({agency or "" for _, agency, _, _ in _foreign(cur, own)})
    return {"before": preview_totals(cur, kind), "others": others}


def preview_totals(con, kind: str) -> dict:
    """Totals of the current rows in the preview's scope, in all and per agency (for before → after).

    The scope (`preview_scope`) is each plan (or evaluation) of a country and agency that the staged rows
    hold or that the rows they would retire belong to: a file that replaces another agency's rows shows
    that agency's change too. A plan is a plan of a country (`core.schema.SAME_COUNTRY`, the rule replacements
    follow): plans of the same name in other countries are outside it."""
    cur = con  # the loading connection: it sees the staged tables and its own open transaction
    view, measures = KINDS[kind].view.name, ("rows", *KINDS[kind].totals)
    sums = "".join(f", sum(t.{m})" for m in measures[1:])
    found = cur.execute(f"""SELECT grouping(t.agency) = 1, t.agency, count(*){sums} FROM {view} t
        WHERE EXISTS (SELECT 1 FROM preview_scope s WHERE s.scope = t.{KINDS[kind].table.scope_key}
                      AND {SAME_COUNTRY} AND s.agency IS NOT DISTINCT FROM t.agency)
        GROUP BY GROUPING SETS ((t.agency), ())""").fetchall()
    total = next((row[2:] for row in found if row[0]), (0, *[None] * (len(measures) - 1)))
    by_agency = {row[1]: dict(zip(measures, row[2:])) for row in found if not row[0]}
    return {**dict(zip(measures, total)), "by_agency": by_agency, **preview_scope(cur, kind)}


def preview_scope(con, kind: str) -> dict:
    """What the before → after totals cover: the plans (or evaluations) of a country and the agencies, sorted."""
    scopes = [
        f"{scope} ({country})" if country else scope
        for scope, country in con.execute(
            "SELECT DISTINCT scope, country FROM preview_scope WHERE scope IS NOT NULL ORDER BY 1, 2"
        ).fetchall()
    ]
    agencies = [
        r[0]
        for r in con.execute("SELECT DISTINCT agency FROM preview_scope WHERE agency IS NOT NULL ORDER BY 1").fetchall()
    ]
    return {"scopes": scopes, "agencies": agencies}


#: the rows a preview's sample shows of each part (columns: the kind's `sample`)
SAMPLE_ROWS = 5


def preview_sample(cur, kind: str, sids: list[int]) -> dict:
    """A few of the rows Commit would add and of the current rows it would replace (inside the dry run's
    transaction, after the write): {'added': DataFrame, 'replaced': DataFrame}."""
    table, columns = KINDS[kind].table.name, ", ".join(KINDS[kind].sample)
    marks = ", ".join("?" * len(sids))
    return {
        "added": cur.execute(
            f"SELECT {columns} FROM {table} WHERE submission_id IN ({marks}) AND current LIMIT {SAMPLE_ROWS}", sids
        ).df(),
        "replaced": cur.execute(
            f"SELECT {columns} FROM {table} WHERE replaced_by IN ({marks}) LIMIT {SAMPLE_ROWS}", sids
        ).df(),
    }
