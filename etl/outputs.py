"""The commands of `python -m etl` that write a file for people to read: `export` (a dataset's rows, as the Data
export page offers them), `brief` (the UNCT meeting brief) and `template` (an empty upload template)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import store.writes
from core.formatting import printable
from etl.console import EXIT_ERRORS, EXIT_OK, connect, say, usage


def cmd_export(args) -> int:
    from analytics import exports
    from analytics.filters import Filters, parse_day
    from store import history

    day = parse_day(args.as_of)
    if args.as_of and day is None:
        return usage(f"--as-of {args.as_of!r} is not a date: write it as YYYY-MM-DD, e.g. 2025-09-30.")
    con = connect(args, writes=False)
    filters = Filters(
        country=args.country, plan=args.plan, agency=args.agency, year_from=args.year, year_to=args.year, as_of=day
    )
    detail = exports.BudgetDetail(
        strategic_priority=args.strategic_priority,
        suboutput_status=args.suboutput_status,
        sdg_goal=args.sdg_goal,
        partner=args.partner,
    )
    if args.kind != "budget" and detail != exports.BudgetDetail():
        return usage("--strategic-priority, --suboutput-status, --sdg-goal and --partner narrow a budget export only.")
    frame = exports.rows(history.as_of(con, day), filters, args.kind, detail=detail)
    if args.output is None:
        data = exports.safe_csv_bytes(frame)
        if sys.stdout.isatty():  # read, not saved: a carriage return inside a cell shows too (no byte-order mark)
            data = printable(data.decode("utf-8-sig").replace("\r\n", "\n"), keep="\t\n").encode()
        sys.stdout.buffer.write(data)
        return EXIT_OK
    data = (
        exports.safe_excel_bytes(frame, sheet_name=args.kind)
        if args.output.suffix.lower() == ".xlsx"
        else exports.safe_csv_bytes(frame)
    )
    if not _write_file(args.output, data):
        return EXIT_ERRORS
    say(f"{len(frame)} row(s) written to {args.output}")
    return EXIT_OK


def _write_file(path: Path, data: bytes) -> bool:
    """Write an output file; a one-line message when it cannot be."""
    try:
        path.write_bytes(data)
    except OSError as exc:
        say(f"{path}: cannot be written ({exc.strerror or exc})", err=True)
        return False
    return True


def cmd_brief(args) -> int:
    from analytics.filters import parse_day
    from brief import FORMATS, BriefError, Period, PeriodError, build
    from brief.pdf import PdfError

    fmt = args.output.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        return usage(f"-o {args.output}: the brief is written as FILE.pdf or FILE.xlsx")
    try:
        period = Period.parse(args.year, args.quarter)
    except PeriodError as exc:
        return usage(str(exc))
    day = parse_day(args.as_of)
    if args.as_of and day is None:
        return usage(f"--as-of {args.as_of!r} is not a date: write it as YYYY-MM-DD, e.g. 2025-09-30.")
    # the brief draws with the dashboard's chart builders, whose module caches say, outside a dashboard, that they
    # cache in memory: true, and no concern of the command line's user
    logging.getLogger("streamlit.runtime.caching.cache_data_api").addFilter(
        lambda record: "No runtime found" not in record.getMessage()
    )
    con = connect(args, writes=False)
    try:
        data = build(con, args.country, args.plan, period, fmt, as_of=day)
    except (BriefError, PdfError) as exc:
        say(exc, err=True)
        return EXIT_ERRORS
    if not _write_file(args.output, data):
        return EXIT_ERRORS
    say(
        f"Brief for {args.country}, {period.label}{f', as of {day:%-d %b %Y}' if day else ''}, written to {args.output}"
    )
    return EXIT_OK


def cmd_template(args) -> int:
    from etl import template

    con = connect(args, writes=False)
    if not _write_file(args.output, template.template_bytes(args.kind, store.writes.entities(con))):
        return EXIT_ERRORS
    say(f"Template for {args.kind} written to {args.output}")
    return EXIT_OK
