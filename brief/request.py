"""What a brief is asked for — a country, a plan, a period, the moment its figures are taken at — and the errors
of a request it cannot take. Light on purpose (the standard library only): the command line and the Overview read
it before the heavy imports, so Chromium can start meanwhile."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass


class BriefError(ValueError):
    """A brief that cannot be made as asked (unknown country or plan, a date it cannot take); the text is what
    the user reads."""


class PeriodError(ValueError):
    """A --year or --quarter the brief cannot take; its text is what the user reads."""


_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]\s*([1-4])\s*$")
_QUARTER_MONTHS = {1: "Jan–Mar", 2: "Apr–Jun", 3: "Jul–Sep", 4: "Oct–Dec"}


@dataclass(frozen=True)
class Period:
    """The period a brief covers: one year, one quarter of a year, or (neither) every year in view."""

    year: int | None = None
    quarter: int | None = None

    @classmethod
    def parse(cls, year: int | None = None, quarter: str | None = None) -> Period:
        """From --year Y or --quarter 2025Q3 (also 2025-Q3, 2025 q3); at most one of the two."""
        if year is not None and quarter:
            raise PeriodError("Give --year or --quarter, not both.")
        if quarter:
            match = _QUARTER.match(quarter)
            if not match:
                raise PeriodError(f"--quarter {quarter!r}: a quarter such as 2025Q3 (year, Q, 1 to 4)")
            year, number = int(match.group(1)), int(match.group(2))
            cls._check_year(year, "--quarter")
            return cls(year=year, quarter=number)
        if year is not None:
            cls._check_year(year, "--year")
            return cls(year=year)
        return cls()

    @staticmethod
    def _check_year(year: int, option: str) -> None:
        if not 2000 <= year <= 2100:
            raise PeriodError(f"{option}: {year} is not a year from 2000 to 2100")

    @property
    def label(self) -> str:
        if self.quarter:
            return f"{self.year} Q{self.quarter} ({_QUARTER_MONTHS[self.quarter]} {self.year})"
        return str(self.year) if self.year else "All years"

    @property
    def end(self) -> dt.date | None:
        """The period's last day (None for every year)."""
        if self.year is None:
            return None
        if self.quarter:
            month = self.quarter * 3
            return dt.date(self.year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        return dt.date(self.year, 12, 31)


def file_name(country: str, plan: str | None, period: Period, as_of: dt.date | None, fmt: str) -> str:
    """A brief's file name carrying what it covers: 'meeting-brief-nepal-2024-as-of-2025-09-30.pdf' (as the
    exports' names: letters and digits only, each part cut to 40 characters)."""
    from analytics.exports import file_stem

    return (
        file_stem(
            "meeting-brief",
            [
                country,
                plan,
                period.label.split(" (")[0] if period.year else None,
                f"as-of-{as_of.isoformat()}" if as_of else None,
            ],
        )
        + f".{fmt}"
    )
