"""Cell value parsers (SPEC §2, §3): one raw cell in, one canonical value out, or a ParseError.

A raw cell is what python-calamine or the csv module gives: str, int, float, bool,
datetime.date, datetime.datetime, datetime.time or None. Each parser either returns the
canonical value or raises ParseError saying, in the user's words, what was expected.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from typing import TypeGuard

from core.errors import ParseError
from core.vocabulary import CURRENCIES, RESPONSE_WORDS, SOURCE_TYPES, STATUS_WORDS

MONEY = "an amount such as 1,234.50 or USD 1,234"
NUMBER = "a number such as 42, 1,234.5 or 45%"
YEAR = "a year between 2000 and 2100"
DATE = "a date such as 2018-12-31, 31/12/2018 or 31 Dec 2018"
DEADLINE = "a month or a day such as 2018/12, Dec 2018 or 2018-12-31"
PERIOD = "a period such as 2019, 2019-Q3 or 2019-H1"
CURRENCY = "a 3-letter ISO 4217 currency code such as USD"
STATUS = "a status: " + ", ".join(STATUS_WORDS)
RESPONSE = "a management response: " + ", ".join(RESPONSE_WORDS)
SOURCE_TYPE = "a source type: " + ", ".join(SOURCE_TYPES)
TEXT = "text"
#: the largest amount one money cell may hold, in its currency: ten trillion is beyond any plan's budget, and
#: 200,000 such cells still sum far below a double's range, so no total can become infinite
MAX_AMOUNT = 1e13
#: the largest size of a number (baseline, target, actual): 10^15 is the largest power of ten below 2^53,
#: so every whole number up to it is kept exactly, and no indicator reaches it (world GDP is ~10^14 USD)
MAX_NUMBER = 1e15
#: the smallest size of a figure other than 0: with it and the bounds above, no ratio of figures (progress,
#: delivery rate, coverage) can overflow to infinity; formula noise (1e-17) lies far above it
MIN_MAGNITUDE = 1e-100
MONEY_BOUND = f"an amount below {MAX_AMOUNT:,.0f}"
NUMBER_BOUND = f"a number below {MAX_NUMBER:,.0f} in size"
TINY = "0, or a figure above 1e-100 in size (one this small is no real figure)"
#: what a cell holding an Excel error such as #REF! should have held instead
_NOUN = {
    MONEY: "a number",
    NUMBER: "a number",
    YEAR: "a year",
    DATE: "a date",
    DEADLINE: "a date",
    PERIOD: "a period",
    CURRENCY: "a currency code",
    STATUS: "a status",
    RESPONSE: "a management response",
    SOURCE_TYPE: "a source type",
    TEXT: "text",
}

FIRST_YEAR, LAST_YEAR = 2000, 2100
#: Excel serial day numbers accepted as dates (1954-10-03 … 2119-01-10, 1900 date system)
SERIAL_MIN, SERIAL_MAX = 20000, 80000
EXCEL_EPOCH = dt.date(1899, 12, 30)

_DASHES = {"-", "–", "—"}
_NOT_AVAILABLE = {"na", "n/a", "null"}
_EXCEL_ERROR = re.compile(
    r"#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|SPILL!|CALC!|FIELD!|BLOCKED!|CONNECT!|BUSY!|UNKNOWN!|GETTING_DATA)",
    re.IGNORECASE,
)
#: non-breaking, narrow non-breaking, thin and figure spaces (thousands separators) and the minus sign
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u2212": "-"})
_NUMBER_TEXT = re.compile(
    r"""(?P<sign>[-+])?\s*(?P<prefix>US\s?\$|USD|\$)?\s*(?P<sign2>[-+])?\s*
        (?P<int>\d[\d, ]*)?(?:\.(?P<frac>\d*))?(?P<exp>[eE][-+]?\d+)?
        \s*(?P<suffix>USD|US\$)?\s*(?P<percent>%)?""",
    re.VERBOSE | re.IGNORECASE,
)
_GROUPED = re.compile(r"\d{1,3}(?:(?P<sep>[, ])\d{3})(?:(?P=sep)\d{3})*")

_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, 1)} | {name[:3]: i for i, name in enumerate(_MONTH_NAMES, 1)}
_MONTHS["sept"] = 9
_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"

_ISO_DATE = re.compile(
    r"(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_DAY_FIRST = re.compile(r"(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4})")
_DAY_MONTH_NAME = re.compile(
    rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?[\s-]*{_MONTH}[\s,-]*(?P<year>\d{{4}})", re.IGNORECASE
)
_MONTH_NAME_DAY = re.compile(rf"{_MONTH}\s*(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s*(?P<year>\d{{4}})", re.IGNORECASE)
_DATE_FORMS = (_ISO_DATE, _DAY_FIRST, _DAY_MONTH_NAME, _MONTH_NAME_DAY)

_YEAR_MONTH = re.compile(r"(?P<year>\d{4})\s*[-/.]\s*(?P<month>\d{1,2})")
_MONTH_YEAR = re.compile(r"(?P<month>\d{1,2})\s*[-/.]\s*(?P<year>\d{4})")
_MONTH_NAME_YEAR = re.compile(rf"{_MONTH}[\s,'-]*(?P<year>\d{{4}}|\d{{2}})", re.IGNORECASE)
_MONTH_FORMS = (_YEAR_MONTH, _MONTH_YEAR, _MONTH_NAME_YEAR)
_DEADLINE_PREFIX = re.compile(r"^(?:by|before|end of|end|until)\s+", re.IGNORECASE)

_YEAR_TEXT = re.compile(r"(?:FY\s*)?(?P<year>\d{4})(?:\.0*)?", re.IGNORECASE)
_PERIOD_YEAR_FIRST = re.compile(r"(?:FY\s*)?(?P<year>\d{4})\s*[-/ ]?\s*(?P<part>[QHS])\s*(?P<n>\d)", re.IGNORECASE)
_PERIOD_PART_FIRST = re.compile(r"(?P<part>[QHS])\s*(?P<n>\d)\s*[-/, ]?\s*(?:FY\s*)?(?P<year>\d{4})", re.IGNORECASE)


def is_blank(value: object) -> bool:
    """None, NaN, empty or whitespace-only text, or a lone dash."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and (not value.strip() or value.strip() in _DASHES)


def _is_missing(value: object) -> bool:
    """Blank, or NA / N/A / NULL — "no figure" in a numeric or date column."""
    return is_blank(value) or (isinstance(value, str) and value.strip().lower() in _NOT_AVAILABLE)


def _text(value: str, expected: str) -> str:
    """Stripped text; an Excel error such as #REF! is refused, naming the error."""
    text = value.strip()
    if _EXCEL_ERROR.fullmatch(text):
        raise ParseError(f"{_NOUN[expected]} (the cell holds the Excel error {text.upper()})", code="excel_error")
    return text


def _number_text(text: str, expected: str, percent_allowed: bool, currency_allowed: bool) -> float:
    """Read '1,234.50', '1 234', '(1,000)', 'USD 1,234', '45%' … as a float."""
    text = text.translate(_SPACES).strip()
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1].strip()
    match = _NUMBER_TEXT.fullmatch(text)
    if not match or not (match["int"] or match["frac"]):
        raise ParseError(expected)
    signs = [s for s in (match["sign"], match["sign2"]) if s]
    has_currency = bool(match["prefix"] or match["suffix"])
    if (
        len(signs) > 1
        or (negative and signs)
        or (match["prefix"] and match["suffix"])
        or (has_currency and not currency_allowed)
        or (match["percent"] and not percent_allowed)
    ):
        raise ParseError(expected)
    whole = (match["int"] or "0").rstrip()
    if not whole.isdigit():
        if not _GROUPED.fullmatch(whole):
            raise ParseError(expected)
        whole = re.sub(r"[, ]", "", whole)
    number = float(f"{whole}.{match['frac'] or '0'}{match['exp'] or ''}")
    if not math.isfinite(number):
        raise ParseError(expected)
    return -number if negative or signs == ["-"] else number


def _numeric(value: object, expected: str, percent_allowed: bool, currency_allowed: bool) -> float | None:
    if _is_missing(value):
        return None
    if isinstance(value, bool):
        raise ParseError(expected)
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # an int too large for a float
            raise ParseError(expected) from None
        if not math.isfinite(number):
            raise ParseError(expected)
        return number
    if isinstance(value, str):
        return _number_text(_text(value, expected), expected, percent_allowed, currency_allowed)
    raise ParseError(expected)


def _bounded(number: float | None, largest: float, too_large: str) -> float | None:
    """The figure, unless its size lies outside what a real figure can be (see MAX_AMOUNT, MIN_MAGNITUDE)."""
    if number is None or number == 0 or MIN_MAGNITUDE <= abs(number) <= largest:
        return number
    raise ParseError(too_large if abs(number) > largest else TINY, code="figure_out_of_bounds")


def parse_money(value: object) -> float | None:
    """An amount of money; blank → None (not reported). Negative amounts are returned as such; a size
    above MAX_AMOUNT (or, unless 0, below MIN_MAGNITUDE) is refused."""
    return _bounded(_numeric(value, MONEY, percent_allowed=False, currency_allowed=True), MAX_AMOUNT, MONEY_BOUND)


def parse_number(value: object) -> float | None:
    """A number such as a baseline, target or actual; '45%' reads as 45.0; blank → None; a size above
    MAX_NUMBER (or, unless 0, below MIN_MAGNITUDE) is refused."""
    return _bounded(_numeric(value, NUMBER, percent_allowed=True, currency_allowed=False), MAX_NUMBER, NUMBER_BOUND)


def _year(value: object, expected: str) -> int:
    if isinstance(value, bool):
        raise ParseError(expected)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        match = _YEAR_TEXT.fullmatch(_text(value, expected))
        value = int(match["year"]) if match else None
    if isinstance(value, int) and FIRST_YEAR <= value <= LAST_YEAR:
        return value
    raise ParseError(expected)


def parse_year(value: object) -> int:
    """A calendar year 2000–2100: 2025, 2025.0, '2025', 'FY2025' or 'FY 2025'."""
    return _year(value, YEAR)


def parse_optional_year(value: object) -> int | None:
    """A year, or None when the cell is blank or says NA."""
    return None if _is_missing(value) else parse_year(value)


def _is_number(value: object) -> TypeGuard[float]:
    """An int or float cell (not a bool); typed as float, which an int is usable as."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _serial_date(value: float, expected: str) -> dt.date:
    """An Excel serial day number (1900 date system); a time of day is dropped."""
    if not SERIAL_MIN <= value <= SERIAL_MAX:
        raise ParseError(expected)
    return EXCEL_EPOCH + dt.timedelta(days=int(value))


def _month_number(text: str) -> int:
    return int(text) if text.isdigit() else _MONTHS[text.casefold()]


def _make_date(year: int, month: int, day: int, expected: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ParseError(expected) from None


def _date_text(text: str, expected: str) -> dt.date | None:
    """A full date written as text, or None when the text is not in a full-date form."""
    for form in _DATE_FORMS:
        match = form.fullmatch(text)
        if match:
            month = _month_number(match["month"])
            return _make_date(int(match["year"]), month, int(match["day"]), expected)
    return None


def _date_or_text(value: object, expected: str) -> dt.date | str:
    """A date cell as its day, text with its spaces normalised; anything else is refused."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return " ".join(_text(value, expected).split())
    raise ParseError(expected)


def parse_date(value: object) -> dt.date | None:
    """A day: a date cell, an Excel serial number, '2018-12-31', '31/12/2018' (day first),
    '31.12.2018', '31 Dec 2018' or 'December 31, 2018'; blank → None."""
    if _is_missing(value):
        return None
    if _is_number(value):
        return _serial_date(value, DATE)
    found = _date_or_text(value, DATE)
    if not isinstance(found, str):
        return found
    day = _date_text(found, DATE)
    if day is None:
        raise ParseError(DATE)
    return day


def _last_day(year: int, month: int, expected: str) -> dt.date:
    if not 1 <= month <= 12:
        raise ParseError(expected)
    return _make_date(year, month, calendar.monthrange(year, month)[1], expected)


def parse_deadline(value: object) -> dt.date | None:
    """A due date: a day as in parse_date, or a month, quarter, half or year meaning its last day.

    '2018/12', '12/2018', 'Dec 2018', 'Dec-18' → 2018-12-31; '2019' → 2019-12-31;
    'Q3 2019' → 2019-09-30. A date cell is kept as is, even on the first of a month.
    """
    if _is_missing(value):
        return None
    if _is_number(value):
        if FIRST_YEAR <= value <= LAST_YEAR and value == int(value):
            return dt.date(int(value), 12, 31)
        return _serial_date(value, DEADLINE)
    found = _date_or_text(value, DEADLINE)
    if not isinstance(found, str):
        return found
    text = _DEADLINE_PREFIX.sub("", found)
    day = _date_text(text, DEADLINE)
    if day is not None:
        return day
    for form in _MONTH_FORMS:
        match = form.fullmatch(text)
        if match:
            year = int(match["year"]) + (2000 if len(match["year"]) == 2 else 0)  # 'Dec-18' is 2018
            return _last_day(year, _month_number(match["month"]), DEADLINE)
    try:
        return period_end(text)
    except ParseError:
        raise ParseError(DEADLINE) from None


def _fold(text: str) -> str:
    """Text folded for matching words: case, spaces, brackets and punctuation ignored."""
    return re.sub(r"[\W_]+", "", text.casefold())


def _word(value: object, words: dict[str, tuple[str, ...]], expected: str) -> str:
    """The canonical word whose accepted spellings (or own name) match the cell."""
    if not isinstance(value, str):
        raise ParseError(expected)
    key = _fold(_text(value, expected))
    for canonical, spellings in words.items():
        if key and key in {_fold(canonical), *map(_fold, spellings)}:
            return canonical
    raise ParseError(expected)


def parse_status(value: object) -> str:
    """Status of an action (SPEC §3): 'In progress', '[COMPLETED]', '(Ongoing)' … → canonical word."""
    return _word(value, STATUS_WORDS, STATUS)


def parse_response(value: object) -> str | None:
    """Management response (SPEC §2.3): 'Agree', 'Partially accepted' … → canonical word; blank → None."""
    return None if is_blank(value) else _word(value, RESPONSE_WORDS, RESPONSE)


def parse_source_type(value: object) -> str:
    """Kind of source of a recommendation; 'Human rights mechanism', 'Work plan' …; blank → evaluation."""
    if is_blank(value):
        return "evaluation"
    return _word(value, {name: () for name in SOURCE_TYPES}, SOURCE_TYPE)


def parse_period(value: object) -> str:
    """A reporting period normalised to 'YYYY', 'YYYY-Qn' or 'YYYY-Hn' ('Q3 2019', '2019 S1' …)."""
    if not isinstance(value, str) or _YEAR_TEXT.fullmatch(value.strip()):
        return str(_year(value, PERIOD))
    text = _text(value, PERIOD)
    match = _PERIOD_YEAR_FIRST.fullmatch(text) or _PERIOD_PART_FIRST.fullmatch(text)
    if not match:
        raise ParseError(PERIOD)
    part = "H" if match["part"].upper() in "HS" else "Q"
    number = int(match["n"])
    if not 1 <= number <= (2 if part == "H" else 4):
        raise ParseError(PERIOD)
    return f"{_year(match['year'], PERIOD)}-{part}{number}"


def period_end(period: str) -> dt.date:
    """Last day of a period: '2019' → 2019-12-31, '2019-Q3' → 2019-09-30, '2019-H1' → 2019-06-30."""
    canonical = parse_period(period)
    year = int(canonical[:4])
    if len(canonical) == 4:
        return dt.date(year, 12, 31)
    months_per_part = 3 if canonical[5] == "Q" else 6
    return _last_day(year, int(canonical[6]) * months_per_part, PERIOD)


def period_year(period: str) -> int:
    """Calendar year of a period: '2019-Q3' → 2019."""
    return int(parse_period(period)[:4])


def repair_mojibake(text: str) -> str:
    """UTF-8 text once decoded as Mac Roman, as in some real UN INFO exports ('D‚Äôici' for 'D’ici',
    'Gesti√≥n' for 'Gestión'), back to what was typed; any other text unchanged. The round trip only
    succeeds on such text: a genuine 'é', '’' or '–' is no valid UTF-8 once encoded as Mac Roman."""
    if text.isascii():
        return text
    try:
        return text.encode("mac_roman").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def parse_text(value: object) -> str | None:
    """Trimmed text; whole numbers read as '4' (not '4.0'); 'NA', leading zeros and '=…' kept verbatim."""
    if is_blank(value):
        return None
    if isinstance(value, str):
        return _text(value, TEXT)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def parse_code(value: object) -> str | None:
    """A code such as an outcome or output number: ' 1.1.2.1.3:' → '1.1.2.1.3', '2.1.1.' → '2.1.1'."""
    text = parse_text(value)
    if text is None:
        return None
    return re.sub(r"[\s:.]+$", "", " ".join(text.split())) or None


def parse_currency(value: object) -> str:
    """ISO 4217 currency code, upper case; '$' and 'US$' read as USD; blank → USD."""
    if is_blank(value):
        return "USD"
    if not isinstance(value, str):
        raise ParseError(CURRENCY)
    code = _text(value, CURRENCY).upper()
    code = "USD" if code in {"$", "US$"} else code
    if code not in CURRENCIES:
        raise ParseError(CURRENCY)
    return code
