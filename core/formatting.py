"""Numbers and labels for humans: money as 'USD 12.4 M', ratios as '63 %', '—' when undefined.

Shared by the pages, the exports' previews and the tests, so that a card and its test agree.
"""

from __future__ import annotations

import functools
import math
import re
from numbers import Number

DASH = "—"
#: what a label says where stored text is missing (never "nan" or "None")
NO_CODE = "(no code)"
UNTITLED_OUTCOME = "(untitled outcome)"
UNTITLED_OUTPUT = "(untitled output)"
UNTITLED_INDICATOR = "(untitled indicator)"
UNTITLED_SOURCE = "(untitled source)"
NO_AGENCY = "(no agency)"
NO_PLAN = "(no plan)"


def is_missing(x: object) -> bool:
    """True for None, NaN and pandas' NA/NaT: a figure that was not reported or is undefined."""
    if x is None:
        return True
    if isinstance(x, Number) and not isinstance(x, bool):
        try:
            return math.isnan(float(x))  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            return False
    try:
        import pandas as pd

        result = pd.isna(x)
    except (TypeError, ValueError, ImportError):
        return False
    return result is True or (hasattr(result, "dtype") and result.shape == () and bool(result))


def text(value: object) -> str | None:
    """Stored text, or None where there is none: None, NaN, pandas' NA, '' or only spaces. Under pandas 3 a
    missing text in a query's frame is NaN, which `value or ""` lets through; `text(value) or "…"` does not."""
    if is_missing(value):
        return None
    s = str(value)
    return s if s.strip() else None


def format_money(x: object, currency: str = "USD") -> str:
    """'USD 12.4 M', 'USD 450 K', 'USD 950', 'USD -1.2 M'; '—' when missing or not finite."""
    if is_missing(x) or not math.isfinite(float(x)):  # type: ignore[arg-type]
        return DASH
    value = float(x)  # type: ignore[arg-type]
    sign = "-" if value < 0 else ""
    a = abs(value)
    if round(a / 1e9, 1) >= 1:
        text = f"{a / 1e9:,.1f} B"
    elif round(a / 1e6, 1) >= 1:
        text = f"{a / 1e6:.1f} M"
        if text.startswith("1000.0"):
            text = "1.0 B"
    elif round(a / 1e3) >= 1:
        text = f"{a / 1e3:.0f} K"
        if text == "1000 K":
            text = "1.0 M"
    else:
        text = f"{a:.0f}"
    return f"{currency} {sign}{text}"


def format_rate(x: object) -> str:
    """A ratio as a whole percentage, '63 %'; '—' when the denominator was zero or unknown."""
    if is_missing(x):
        return DASH
    value = float(x)  # type: ignore[arg-type]
    if math.isinf(value):
        return DASH
    return f"{value * 100:.0f} %"


def format_count(x: object) -> str:
    """'1,234'; '—' when missing or not finite."""
    if is_missing(x) or not math.isfinite(float(x)):  # type: ignore[arg-type]
        return DASH
    return f"{int(x):,}"  # type: ignore[call-overload]


def shorten(text: object, width: int = 60) -> str:
    """Text cut at a word boundary to at most `width` characters, with an ellipsis when cut."""
    s = " ".join(("" if is_missing(text) else str(text)).split())
    if len(s) <= width:
        return s
    cut = s[: width - 1]
    if " " in cut[width // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-–") + "…"


def titled(code: object, title: object, missing: str = NO_CODE) -> str:
    """'4.1 · People live free from violence' — without repeating a code the title already starts with
    (UN INFO titles read 'Outcome 1.1 - By 2027, …'); the code or the title alone when the other is
    missing, `missing` when both are."""
    code_s = (text(code) or "").strip()
    title_s = " ".join((text(title) or "").split())
    if code_s and title_s:
        head = title_s.lower()
        for prefix in ("", "outcome ", "output ", "sub-output "):
            if head.startswith(prefix + code_s.lower()):
                return title_s
        return f"{code_s} · {title_s}"
    return code_s or title_s or missing


def outcome_label(code: object, title: object, width: int = 60, missing: str = UNTITLED_OUTCOME) -> str:
    """'4.1 · People live free from violence…' (shortened; the code alone when there is no title)."""
    return shorten(titled(code, title, missing), width + 6)


def output_label(code: object, title: object, width: int = 60) -> str:
    """'4.1.2 · Clinics equipped' (shortened), '(untitled output)' without code or title."""
    return outcome_label(code, title, width, UNTITLED_OUTPUT)


def indicator_label(code: object, wording: object) -> str:
    """'1.1.a Share of births attended…' — code and wording, whichever are given."""
    return " ".join(t for t in (text(code), text(wording)) if t) or UNTITLED_INDICATOR


def unique_labels(labels: list[str], extras: list[str]) -> list[str]:
    """Make chart labels unique: duplicates get their extra (e.g. the plan) appended, then a number."""
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    out = [
        f"{label} ({shorten(extra, 30)})" if counts[label] > 1 and text(extra) else label
        for label, extra in zip(labels, extras)
    ]
    seen: dict[str, int] = {}
    result = []
    for label in out:
        n = seen.get(label, 0) + 1
        seen[label] = n
        result.append(label if n == 1 else f"{label} #{n}")
    return result


def format_number(x: object) -> str:
    """An indicator value as people write it: '60', '18.5', '1,250'; '—' when missing or not finite."""
    if is_missing(x) or not math.isfinite(float(x)):  # type: ignore[arg-type]
        return DASH
    value = float(x)  # type: ignore[arg-type]
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def count_of(n: object, singular: str, plural: str | None = None) -> str:
    """'1 budget line', '16 budget lines', '1,204 lines'."""
    number = 0 if is_missing(n) else int(n)  # type: ignore[call-overload]
    word = singular if number == 1 else (plural or singular + "s")
    return f"{number:,} {word}"


#: characters that must never reach a terminal, a spreadsheet or a page unseen: C0 and C1 controls and DEL
#: (terminal escapes: ESC [2J clears the screen), the invisible characters that reorder text (bidi
#: embeddings, overrides, isolates and marks: 'U+202E gnp.exe' reads 'exe.png') or break lines, and the
#: two noncharacters XML cannot hold
_VISIBLE = {
    c: (chr(0x2400 + c) if c < 0x20 else "\u2421" if c == 0x7F else f"<U+{c:04X}>")
    for c in [
        *range(0x20),
        *range(0x7F, 0xA0),
        0x061C,
        0x200E,
        0x200F,
        0x2028,
        0x2029,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        0xFFFE,
        0xFFFF,
    ]
}


def printable(text: object, keep: str = "") -> str:
    """The text with each control or bidi character shown visibly: ESC as '␛', a newline as '␊' (C0 controls as
    their Unicode control pictures), DEL as '␡', the others as '<U+202E>'. `keep` lists characters left as
    they are (an export keeps tab, newline and carriage return). For every user-controlled string printed to a
    terminal or shown as a file name; pages show stored names through it too."""
    s = "" if is_missing(text) else str(text)
    if s.isprintable():
        return s  # the common case, at C speed (str.isprintable is false for every character replaced here)
    return s.translate(_visible_except(keep))


@functools.lru_cache(maxsize=8)
def _visible_except(keep: str) -> dict[int, str]:
    return {c: v for c, v in _VISIBLE.items() if chr(c) not in keep}


#: first characters that make a spreadsheet treat a text cell as a formula (OWASP CSV injection): exports and
#: the validation report write such text with an apostrophe in front
FORMULA_TRIGGERS = ("=", "+", "-", "\u2212", "@", "\t", "\r")


def year_span(first: object, last: object) -> str:
    """'2023–2027', '2024' for one year, '' when unknown."""
    if is_missing(first) or is_missing(last):
        return ""
    return str(int(first)) if int(first) == int(last) else f"{int(first)}–{int(last)}"  # type: ignore[call-overload]


#: a year as a plan's name states it ('UNSDCF 2019-2023')
A_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def plan_label(plan: object, first: object = None, last: object = None, countries: int = 1) -> str:
    """A plan as every list and statement names it: 'UNSDCF (2023–2027)' (a name stating a year as it is), with
    how many countries use the name when several do ('… (2016–2028, 27 countries)'); '(no plan)' without one."""
    name = text(plan) or NO_PLAN
    span = year_span(first, last)
    # a name that states its years already ('UNSDCF 2023–2027') is not followed by the data's years too
    details = [span] if span and not A_YEAR.search(name) else []
    if countries > 1:
        details.append(f"{countries} countries")
    return f"{name} ({', '.join(details)})" if details else name


def as_typed(value: object) -> str:
    """A cell's value as the user typed it, for messages: '20019', not '20019.0' (a spreadsheet stores every
    number as a float); '' when missing."""
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


#: the source of a day that is only the load's (analytics.activity.REPORTED_FROM)
LOADED = "loaded"


def format_day(day: object) -> str:
    """'12 Mar 2025'; '—' when missing."""
    if is_missing(day):
        return DASH
    return f"{day:%-d %b %Y}" if hasattr(day, "strftime") else str(day)


def reported_phrase(day: object, source: object) -> str:
    """When data were reported, saying which day it is: 'reported 12 Mar 2025 (export date)' when the file states
    it, 'loaded 14 Mar 2025' when only the load dates it; '—' without a day."""
    if is_missing(day):
        return DASH
    said = text(source)
    return f"{LOADED} {format_day(day)}" if not said or said == LOADED else f"reported {format_day(day)} ({said})"
