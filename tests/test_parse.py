"""Cell value parsers: tables of raw cell → canonical value, the exact error texts, and properties."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.parse import (
    ParseError,
    is_blank,
    parse_code,
    parse_currency,
    parse_date,
    parse_deadline,
    parse_money,
    parse_number,
    parse_optional_year,
    parse_period,
    parse_response,
    parse_source_type,
    parse_status,
    parse_text,
    parse_year,
    period_end,
    period_year,
)
from core.vocabulary import RESPONSES, SOURCE_TYPES, STATUSES

D = dt.date


@pytest.mark.parametrize(
    "value, blank",
    [
        (None, True),
        ("", True),
        ("   ", True),
        ("\u00a0", True),
        ("-", True),
        (" – ", True),
        ("—", True),
        (float("nan"), True),
        ("NA", False),
        ("0", False),
        (0, False),
        (0.0, False),
        (False, False),
        ("x", False),
    ],
)
def test_is_blank(value, blank):
    assert is_blank(value) is blank


@pytest.mark.parametrize(
    "value, expected",
    [
        (1234.5, 1234.5),
        (250000, 250000.0),
        (0, 0.0),
        (-3.5, -3.5),
        ("1,234.50", 1234.5),
        ("USD 1,234", 1234.0),
        ("1 234", 1234.0),
        ("1\u00a0234", 1234.0),
        ("1\u202f234\u202f567", 1234567.0),
        ("1\u2009234", 1234.0),
        ("$1,234", 1234.0),
        ("1,234 USD", 1234.0),
        ("US$ 2.5", 2.5),
        ("US$2.5", 2.5),
        ("usd 10", 10.0),
        ("(1,000)", -1000.0),
        ("(USD 1,000)", -1000.0),
        ("-500", -500.0),
        ("\u2212500", -500.0),
        ("-$500", -500.0),
        ("$-500", -500.0),
        ("+12", 12.0),
        (" 1234 ", 1234.0),
        ("1234.", 1234.0),
        (".5", 0.5),
        ("0.25", 0.25),
        ("1.5E+06", 1500000.0),
        ("1,234,567.89", 1234567.89),
        ("1 234 567", 1234567.0),
        ("", None),
        ("  ", None),
        (None, None),
        ("-", None),
        ("–", None),
        ("—", None),
        ("NA", None),
        ("n/a", None),
        ("NULL", None),
        (float("nan"), None),
    ],
)
def test_parse_money(value, expected):
    assert parse_money(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "12%",
        "12abc",
        "TBD",
        "1,23,4",
        "1,2345",
        "12,34,567",
        "1,234,",
        "1.234,50",
        "1234,5",
        "1 234,5",
        "$",
        ".",
        "--5",
        "(-5)",
        "USD 5 USD",
        "EUR 5",
        "5 EUR",
        "1 2 3",
        "nan",
        "inf",
        "1e999",
        "abc123",
        True,
        False,
        D(2020, 1, 1),
        dt.datetime(2020, 1, 1),
        dt.time(12, 0),
        float("inf"),
        10**400,
        [1],
    ],
)
def test_parse_money_refuses(value):
    with pytest.raises(ParseError) as error:
        parse_money(value)
    assert error.value.expected == "an amount such as 1,234.50 or USD 1,234"


@pytest.mark.parametrize(
    "value, expected",
    [
        (1e13, 1e13),
        ("10,000,000,000,000", 1e13),
        (-1e13, -1e13),
        (1e-100, 1e-100),
        (5.55e-17, 5.55e-17),
        ("0.0", 0.0),
        (-0.0, 0.0),
    ],
)
def test_money_up_to_its_bound(value, expected):
    assert parse_money(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (1e308, "an amount below 10,000,000,000,000"),
        ("1e308", "an amount below 10,000,000,000,000"),
        (10_000_000_000_000.01, "an amount below 10,000,000,000,000"),
        ("USD 20,000,000,000,000", "an amount below 10,000,000,000,000"),
        (-1e308, "an amount below 10,000,000,000,000"),
        (10**20, "an amount below 10,000,000,000,000"),
        (1e-300, "0, or a figure above 1e-100 in size (one this small is no real figure)"),
        ("5e-324", "0, or a figure above 1e-100 in size (one this small is no real figure)"),
    ],
)
def test_money_beyond_a_sane_bound_is_refused(value, expected):
    """Two amounts of 1e308 once summed to infinity ('USD inf B' on every card); a tiny one makes a ratio infinite."""
    with pytest.raises(ParseError) as error:
        parse_money(value)
    assert error.value.expected == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (1e16, "a number below 1,000,000,000,000,000 in size"),
        ("-2e15", "a number below 1,000,000,000,000,000 in size"),
        ("1e-200%", "0, or a figure above 1e-100 in size (one this small is no real figure)"),
    ],
)
def test_numbers_beyond_a_sane_bound_are_refused(value, expected):
    with pytest.raises(ParseError) as error:
        parse_number(value)
    assert error.value.expected == expected
    assert parse_number(1e15) == 1e15 and parse_number("-1,000,000,000,000,000") == -1e15


@given(
    st.floats(-1e15, 1e15, allow_nan=False).filter(lambda x: x == 0 or abs(x) >= 1e-100),
    st.floats(-1e15, 1e15, allow_nan=False).filter(lambda x: x == 0 or abs(x) >= 1e-100),
    st.floats(-1e15, 1e15, allow_nan=False).filter(lambda x: x == 0 or abs(x) >= 1e-100),
)
def test_progress_of_accepted_numbers_is_never_infinite(baseline, target, actual):
    """(actual − baseline) ÷ (target − baseline), as SPEC §5 defines it, over any numbers the parser accepts."""
    import math

    baseline, target, actual = (parse_number(x) for x in (baseline, target, actual))
    if target != baseline:
        assert math.isfinite((actual - baseline) / (target - baseline))


@pytest.mark.parametrize(
    "value, error",
    [
        ("#REF!", "#REF!"),
        ("#DIV/0!", "#DIV/0!"),
        ("#N/A", "#N/A"),
        ("#VALUE!", "#VALUE!"),
        ("#NAME?", "#NAME?"),
        (" #ref! ", "#REF!"),
        ("#NUM!", "#NUM!"),
        ("#NULL!", "#NULL!"),
    ],
)
def test_excel_errors_are_named(value, error):
    for parse in (parse_money, parse_number):
        with pytest.raises(ParseError) as raised:
            parse(value)
        assert raised.value.expected == f"a number (the cell holds the Excel error {error})"
    with pytest.raises(ParseError) as raised:
        parse_date(value)
    assert str(raised.value) == f"expected a date (the cell holds the Excel error {error})"


def test_parse_error_message():
    with pytest.raises(ParseError) as error:
        parse_money("TBD")
    assert str(error.value) == "expected an amount such as 1,234.50 or USD 1,234"
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize(
    "value, expected",
    [
        (42, 42.0),
        (0.5, 0.5),
        (-3, -3.0),
        ("45%", 45.0),
        ("45 %", 45.0),
        ("-2.5%", -2.5),
        ("1,234.5", 1234.5),
        ("1 234", 1234.0),
        ("(12)", -12.0),
        ("0", 0.0),
        ("", None),
        ("N/A", None),
        ("-", None),
        (None, None),
    ],
)
def test_parse_number(value, expected):
    assert parse_number(value) == expected


@pytest.mark.parametrize("value", ["$5", "USD 5", "5 USD", "yes", "45%%", "1,23", True, D(2020, 1, 1)])
def test_parse_number_refuses(value):
    with pytest.raises(ParseError) as error:
        parse_number(value)
    assert error.value.expected == "a number such as 42, 1,234.5 or 45%"


@pytest.mark.parametrize(
    "value, expected",
    [
        (2025, 2025),
        (2025.0, 2025),
        ("2025", 2025),
        (" 2025 ", 2025),
        ("2025.0", 2025),
        ("FY2025", 2025),
        ("FY 2025", 2025),
        ("fy2025", 2025),
        (2000, 2000),
        (2100, 2100),
    ],
)
def test_parse_year(value, expected):
    assert parse_year(value) == expected
    assert parse_optional_year(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        " ",
        "-",
        "NA",
        1999,
        2101,
        2025.5,
        "25",
        "2025-26",
        "year 2025",
        True,
        D(2025, 1, 1),
        10**400,
        float("inf"),
    ],
)
def test_parse_year_refuses(value):
    with pytest.raises(ParseError, match="^expected a year between 2000 and 2100$"):
        parse_year(value)


@pytest.mark.parametrize("value", [None, "", "  ", "-", "NA", "n/a", "NULL"])
def test_parse_optional_year_blank(value):
    assert parse_optional_year(value) is None


def test_parse_optional_year_refuses_bad_year():
    with pytest.raises(ParseError):
        parse_optional_year("1850")


DATES = [
    (D(2018, 12, 31), D(2018, 12, 31)),
    (dt.datetime(2018, 12, 31, 15, 30), D(2018, 12, 31)),
    (43465, D(2018, 12, 31)),
    (43465.0, D(2018, 12, 31)),
    (43465.75, D(2018, 12, 31)),
    (45658, D(2025, 1, 1)),
    ("2018-12-31", D(2018, 12, 31)),
    ("2018-12-31 00:00:00", D(2018, 12, 31)),
    ("2018-12-31T10:00", D(2018, 12, 31)),
    ("2018/12/31", D(2018, 12, 31)),
    ("2018-1-5", D(2018, 1, 5)),
    ("31/12/2018", D(2018, 12, 31)),
    ("05/01/2018", D(2018, 1, 5)),
    ("5/1/2018", D(2018, 1, 5)),
    ("31.12.2018", D(2018, 12, 31)),
    ("31-12-2018", D(2018, 12, 31)),
    ("31 Dec 2018", D(2018, 12, 31)),
    ("31 December 2018", D(2018, 12, 31)),
    ("31-Dec-2018", D(2018, 12, 31)),
    ("31st December, 2018", D(2018, 12, 31)),
    ("1 sept 2018", D(2018, 9, 1)),
    ("December 31, 2018", D(2018, 12, 31)),
    ("Dec 31 2018", D(2018, 12, 31)),
    ("dec. 31, 2018", D(2018, 12, 31)),
    (" 31  Dec  2018 ", D(2018, 12, 31)),
    ("29/02/2024", D(2024, 2, 29)),
    (None, None),
    ("", None),
    ("-", None),
    ("N/A", None),
]


@pytest.mark.parametrize("value, expected", DATES)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "12/31/2018",
        "31/02/2018",
        "29/02/2023",
        "2018-13-01",
        "2018-12",
        "Dec 2018",
        "2019",
        "Q3 2019",
        "soon",
        "31 Foo 2018",
        2019,
        19999,
        80001,
        -1,
        True,
        dt.time(10, 0),
        float("inf"),
        10**400,
    ],
)
def test_parse_date_refuses(value):
    with pytest.raises(ParseError) as error:
        parse_date(value)
    assert error.value.expected == "a date such as 2018-12-31, 31/12/2018 or 31 Dec 2018"


@pytest.mark.parametrize(
    "value, expected",
    [
        *DATES,
        ("2018/12", D(2018, 12, 31)),
        ("2018-12", D(2018, 12, 31)),
        ("2018-02", D(2018, 2, 28)),
        ("2020/2", D(2020, 2, 29)),
        ("12/2018", D(2018, 12, 31)),
        ("6/2019", D(2019, 6, 30)),
        ("12.2018", D(2018, 12, 31)),
        ("Dec 2018", D(2018, 12, 31)),
        ("December 2018", D(2018, 12, 31)),
        ("Dec-18", D(2018, 12, 31)),
        ("Dec-2018", D(2018, 12, 31)),
        ("December, 2018", D(2018, 12, 31)),
        ("sept 2019", D(2019, 9, 30)),
        ("Jun '20", D(2020, 6, 30)),
        ("2019", D(2019, 12, 31)),
        (2019, D(2019, 12, 31)),
        (2019.0, D(2019, 12, 31)),
        ("FY2019", D(2019, 12, 31)),
        ("Q3 2019", D(2019, 9, 30)),
        ("2019-Q1", D(2019, 3, 31)),
        ("Q4 2019", D(2019, 12, 31)),
        ("H1 2020", D(2020, 6, 30)),
        ("end of 2019", D(2019, 12, 31)),
        ("By June 2020", D(2020, 6, 30)),
        ("end Dec 2018", D(2018, 12, 31)),
        ("\u017fept 2019", D(2019, 9, 30)),
        # a date cell Excel shows as "Dec-18" holds the first of the month: that exact day is kept
        (dt.datetime(2018, 12, 1), D(2018, 12, 1)),
        (D(2018, 12, 1), D(2018, 12, 1)),
    ],
)
def test_parse_deadline(value, expected):
    assert parse_deadline(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "Ongoing",
        "continuous",
        "13/2018",
        "2018-13",
        "Foo 2018",
        "Q5 2019",
        "1999",
        "12/31/2018",
        "0000-12",
        True,
        dt.time(9, 0),
        1999,
        19999.0,
    ],
)
def test_parse_deadline_refuses(value):
    with pytest.raises(ParseError) as error:
        parse_deadline(value)
    assert error.value.expected == "a month or a day such as 2018/12, Dec 2018 or 2018-12-31"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("completed", "completed"),
        ("Complete", "completed"),
        ("DONE", "completed"),
        ("[COMPLETED]", "completed"),
        ("Fully implemented", "completed"),
        ("Closed.", "completed"),
        ("(Ongoing)", "ongoing"),
        ("In progress", "ongoing"),
        ("in-progress", "ongoing"),
        ("Under way", "ongoing"),
        ("underway", "ongoing"),
        ("Partially Implemented", "ongoing"),
        ("Initiated", "ongoing"),
        ("  started  ", "ongoing"),
        ("Not started", "not_started"),
        ("not_started", "not_started"),
        ("NOT INITIATED", "not_started"),
        ("Pending", "not_started"),
        ("Planned", "not_started"),
        ("Continuous", "continuous"),
        ("continuing", "continuous"),
        ("Recurrent", "continuous"),
        ("No longer applicable", "no_longer_applicable"),
        ("N/A", "no_longer_applicable"),
        ("n/a", "no_longer_applicable"),
        ("Not applicable", "no_longer_applicable"),
        ("Cancelled", "no_longer_applicable"),
        ("canceled", "no_longer_applicable"),
        ("Withdrawn", "no_longer_applicable"),
        ("De-prioritized", "deprioritized"),
        ("Deprioritised", "deprioritized"),
        ("On hold", "deprioritized"),
        ("- ongoing -", "ongoing"),
        ("*Completed*", "completed"),
    ],
)
def test_parse_status(value, expected):
    assert parse_status(value) == expected


@pytest.mark.parametrize("value", ["", None, "-", "finished soon", "Completed 2019", "1", 1, True, "#REF!"])
def test_parse_status_refuses(value):
    with pytest.raises(ParseError):
        parse_status(value)


def test_parse_status_error_lists_the_accepted_words():
    with pytest.raises(ParseError) as error:
        parse_status("finished")
    assert error.value.expected == (
        "a status: completed, ongoing, not_started, continuous, no_longer_applicable, deprioritized"
    )


@pytest.mark.parametrize(
    "value, expected",
    [
        ("accepted", "accepted"),
        ("Agree", "accepted"),
        ("AGREED", "accepted"),
        ("Accept", "accepted"),
        ("Partially accepted", "partially_accepted"),
        ("partially agree", "partially_accepted"),
        ("Partly accepted", "partially_accepted"),
        ("partially_accepted", "partially_accepted"),
        ("Rejected", "rejected"),
        ("Disagree", "rejected"),
        ("Not accepted", "rejected"),
        ("Noted", "noted"),
        ("[Noted]", "noted"),
        ("", None),
        (None, None),
        ("-", None),
    ],
)
def test_parse_response(value, expected):
    assert parse_response(value) == expected


@pytest.mark.parametrize("value", ["maybe", "NA", 1, True])
def test_parse_response_refuses(value):
    with pytest.raises(ParseError) as error:
        parse_response(value)
    assert error.value.expected == "a management response: accepted, partially_accepted, rejected, noted"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("", "evaluation"),
        (None, "evaluation"),
        ("Evaluation", "evaluation"),
        ("AUDIT", "audit"),
        ("Review", "review"),
        ("Human rights mechanism", "human_rights_mechanism"),
        ("human_rights_mechanism", "human_rights_mechanism"),
        ("Human-Rights Mechanism", "human_rights_mechanism"),
        ("work plan", "workplan"),
        ("Workplan", "workplan"),
        ("Work-plan", "workplan"),
    ],
)
def test_parse_source_type(value, expected):
    assert parse_source_type(value) == expected


@pytest.mark.parametrize("value", ["survey", "UPR", 3])
def test_parse_source_type_refuses(value):
    with pytest.raises(ParseError) as error:
        parse_source_type(value)
    assert error.value.expected == ("a source type: evaluation, audit, review, human_rights_mechanism, workplan")


@pytest.mark.parametrize(
    "value, expected",
    [
        (2019, "2019"),
        (2019.0, "2019"),
        ("2019", "2019"),
        ("2019.0", "2019"),
        ("FY2019", "2019"),
        ("2019-Q3", "2019-Q3"),
        ("Q3 2019", "2019-Q3"),
        ("2019 Q3", "2019-Q3"),
        ("2019q3", "2019-Q3"),
        ("q3-2019", "2019-Q3"),
        ("2019/Q4", "2019-Q4"),
        ("2019-H1", "2019-H1"),
        ("H1 2019", "2019-H1"),
        ("2019-S1", "2019-H1"),
        ("S2 2019", "2019-H2"),
        (" 2019 - H2 ", "2019-H2"),
    ],
)
def test_parse_period(value, expected):
    assert parse_period(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        "-",
        "2019-Q5",
        "2019-Q0",
        "2019-H3",
        "2019-12",
        "Q3",
        "1999",
        "2101-Q1",
        2019.5,
        True,
        D(2019, 1, 1),
        "twenty nineteen",
    ],
)
def test_parse_period_refuses(value):
    with pytest.raises(ParseError, match=r"^expected a period such as 2019, 2019-Q3 or 2019-H1$"):
        parse_period(value)


@pytest.mark.parametrize(
    "period, end, year",
    [
        ("2019", D(2019, 12, 31), 2019),
        ("2019-Q1", D(2019, 3, 31), 2019),
        ("2019-Q2", D(2019, 6, 30), 2019),
        ("2019-Q3", D(2019, 9, 30), 2019),
        ("2019-Q4", D(2019, 12, 31), 2019),
        ("2020-H1", D(2020, 6, 30), 2020),
        ("2020-H2", D(2020, 12, 31), 2020),
    ],
)
def test_period_end_and_year(period, end, year):
    assert period_end(period) == end
    assert period_year(period) == year


@pytest.mark.parametrize(
    "value, expected",
    [
        ("  Some text  ", "Some text"),
        (4.0, "4"),
        (4, "4"),
        (4.1, "4.1"),
        (0.1, "0.1"),
        ("007", "007"),
        ("NA", "NA"),
        ("N/A", "N/A"),
        ("NULL", "NULL"),
        ("=SUM(A1:A3)", "=SUM(A1:A3)"),
        ("+1", "+1"),
        ("@x", "@x"),
        ("a  b", "a  b"),
        (True, "TRUE"),
        (False, "FALSE"),
        (D(2020, 1, 31), "2020-01-31"),
        (dt.datetime(2020, 1, 31), "2020-01-31"),
        (dt.datetime(2020, 1, 31, 8, 5), "2020-01-31T08:05:00"),
        (dt.time(8, 5), "08:05:00"),
        ("", None),
        ("   ", None),
        (None, None),
        ("-", None),
    ],
)
def test_parse_text(value, expected):
    assert parse_text(value) == expected


def test_parse_text_refuses_excel_error():
    with pytest.raises(ParseError, match=r"^expected text \(the cell holds the Excel error #N/A\)$"):
        parse_text("#N/A")


@pytest.mark.parametrize(
    "value, expected",
    [
        (" 1.1.2.1.3:", "1.1.2.1.3"),
        ("2.1.1.", "2.1.1"),
        ("4.1", "4.1"),
        (4.1, "4.1"),
        (1.0, "1"),
        (3, "3"),
        ("2025  4.1.4 ", "2025 4.1.4"),
        ("5.1 (sub-outcome)", "5.1 (sub-outcome)"),
        ("1.2.05", "1.2.05"),
        ("R3", "R3"),
        ("1.1. :", "1.1"),
        ("Recommendation 2", "Recommendation 2"),
        (".", None),
        ("", None),
        (None, None),
        ("-", None),
    ],
)
def test_parse_code(value, expected):
    assert parse_code(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("", "USD"),
        (None, "USD"),
        ("USD", "USD"),
        ("usd", "USD"),
        (" eur ", "EUR"),
        ("XOF", "XOF"),
        ("$", "USD"),
        ("US$", "USD"),
    ],
)
def test_parse_currency(value, expected):
    assert parse_currency(value) == expected


@pytest.mark.parametrize("value", ["UDS", "US", "Dollars", "EURO", "€", 840, True])
def test_parse_currency_refuses(value):
    with pytest.raises(ParseError, match=r"^expected a 3-letter ISO 4217 currency code such as USD$"):
        parse_currency(value)


def test_vocabularies_resolve_to_themselves():
    assert [parse_status(word) for word in STATUSES] == list(STATUSES)
    assert [parse_response(word) for word in RESPONSES] == list(RESPONSES)
    assert [parse_source_type(word) for word in SOURCE_TYPES] == list(SOURCE_TYPES)


# Any cell a reader can give: each parser returns its type or raises ParseError, never anything else.
cells = st.one_of(
    st.none(),
    st.text(),
    st.floats(),
    st.integers(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.from_regex(r"\s*[-+(]?\s*(US\$|USD|\$)?\s*[\d, .]{0,12}\s*(USD|%)?\s*\)?\s*", fullmatch=True),
    st.from_regex(r"\s*([QHS]\d)?\s*[-/. ]?\d{1,4}\s*[-/. ]?\s*([QHS]\d|\d{1,4})?\s*", fullmatch=True),
    st.from_regex(r"(by |end )?\d{0,4}(st)?[-/., ]?(Jan|sept?|DEC|May|\d{1,2})?[-/., ']*\d{0,4}", fullmatch=True),
)
PARSERS = [
    (parse_money, (float, type(None))),
    (parse_number, (float, type(None))),
    (parse_year, int),
    (parse_optional_year, (int, type(None))),
    (parse_date, (dt.date, type(None))),
    (parse_deadline, (dt.date, type(None))),
    (parse_status, str),
    (parse_response, (str, type(None))),
    (parse_source_type, str),
    (parse_period, str),
    (parse_text, (str, type(None))),
    (parse_code, (str, type(None))),
    (parse_currency, str),
]


@pytest.mark.parametrize("parse, result_type", PARSERS, ids=[parse.__name__ for parse, _ in PARSERS])
@given(value=cells)
def test_parsers_return_their_type_or_raise_parse_error(parse, result_type, value):
    try:
        result = parse(value)
    except ParseError as error:
        assert error.expected
        return
    assert isinstance(result, result_type)
    if isinstance(result, dt.datetime):
        pytest.fail("a date parser returned a datetime")


@given(
    st.one_of(
        st.integers(-(10**6), 10**6),
        st.floats(-1e12, 1e12, allow_nan=False).filter(lambda x: x == 0 or abs(x) >= 1e-100),
    )
)
def test_money_reads_numbers_and_their_text(number):
    assert parse_money(number) == float(number)
    assert parse_money(repr(float(number))) == float(number)


@given(st.integers(0, 10**12))
def test_money_reads_thousands_separators(number):
    assert parse_money(f"{number:,}") == number
    assert parse_money(f"{number:,}".replace(",", "\u00a0")) == number
    assert parse_money(f"({number:,})") == -number


@given(st.dates(D(2000, 1, 1), D(2100, 12, 31)))
def test_dates_round_trip(day):
    assert parse_date(day.isoformat()) == day
    assert parse_date(day.strftime("%d/%m/%Y")) == day
    assert parse_deadline(day.isoformat()) == day


@given(st.integers(2000, 2100), st.sampled_from(["", "-Q1", "-Q2", "-Q3", "-Q4", "-H1", "-H2"]))
def test_period_is_canonical(year, part):
    period = f"{year}{part}"
    assert parse_period(period) == period
    assert period_year(period) == year
    assert period_end(period).year == year


@pytest.mark.parametrize(
    "written, meant",
    [
        ("D‚Äôici 2025", "D’ici 2025"),  # as in the real UN INFO exports
        ("UNSDCF 2022 ‚Äì 2026", "UNSDCF 2022 – 2026"),
        ("Gesti√≥n y poblaci√≥n", "Gestión y población"),
        ("CADRE DE COOP√âRATION", "CADRE DE COOPÉRATION"),
        ("Développement durable", "Développement durable"),  # genuine accents stay
        ("Viet Nam’s framework – 2026", "Viet Nam’s framework – 2026"),
        ("Côte d’Ivoire · Ça va", "Côte d’Ivoire · Ça va"),
        ("plain ASCII", "plain ASCII"),
        ("√ alone", "√ alone"),  # a lone symbol that decodes to nothing valid
    ],
)
def test_text_garbled_by_a_mac_roman_reading_is_repaired_and_nothing_else_changes(written, meant):
    from core.parse import repair_mojibake

    assert repair_mojibake(written) == meant
