"""The vocabularies users write: currencies (and the currency a column header carries), action statuses,
management responses and source types, each canonical value with the spellings accepted for it (SPEC §3).
core.parse reads cells into these values; core.schema and analytics build SQL from them (`sql_list`)."""

from __future__ import annotations

import functools
import re

#: the ISO 4217 currency codes a money header or currency cell may name
CURRENCIES = frozenset(
    """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP
GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD
KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK
NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS
SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST
XAF XCD XCG XDR XOF XPF YER ZAR ZMW ZWG ZWL
""".split()
)

#: a currency a header carries: '(EUR)', '(US$)', '(€)', 'in GBP', a trailing 'USD'
_HEADER_CURRENCY = re.compile(
    r"\(\s*(?:in\s+)?([a-z]{3}|us\$|\$|€|£)\s*\)|\bin\s+([a-z]{3})\s*$|\b(usd|eur|gbp|chf)\s*$"
    r"|\b(us\$)",
    re.IGNORECASE,
)
_SYMBOLS = {"$": "USD", "us$": "USD", "US$": "USD", "€": "EUR", "£": "GBP"}
_COMMON = {"usd", "eur", "gbp", "chf", "us$"}


@functools.lru_cache(maxsize=8192)
def header_currency(text: object) -> str | None:
    """The ISO 4217 code a column header carries ('Total Required Resources (USD)' → 'USD'), else None."""
    for match in _HEADER_CURRENCY.finditer(str(text or "")):
        written = next(g for g in match.groups() if g)
        code = _SYMBOLS.get(written.lower(), written.upper())
        # a lower-case word is a currency only when it is a common one ('(all)' is no Albanian lek)
        if code in CURRENCIES and (written.isupper() or written.lower() in _COMMON or written in _SYMBOLS):
            return code
    return None


@functools.lru_cache(maxsize=8192)  # header rows repeat from sheet to sheet and file to file
def header_key(text: object) -> str:
    """Header text folded for matching: case, spaces, punctuation and a currency it carries ignored."""
    s = str(text or "").strip()
    if header_currency(s):
        s = _HEADER_CURRENCY.sub(" ", s)
    return re.sub(r"[^a-z0-9]+", "", s.lower())


#: canonical status ← accepted spellings (SPEC §3), compared after folding case and brackets
STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "completed": ("completed", "complete", "done", "implemented", "closed", "fully implemented"),
    "ongoing": ("ongoing", "in progress", "initiated", "under way", "underway", "partially implemented", "started"),
    "not_started": ("not started", "not initiated", "pending", "planned"),
    "continuous": ("continuous", "continuing", "recurrent"),
    "no_longer_applicable": ("no longer applicable", "n/a", "not applicable", "cancelled", "canceled", "withdrawn"),
    "deprioritized": ("de-prioritized", "deprioritized", "deprioritised", "on hold"),
}
STATUSES = tuple(STATUS_WORDS)
#: an open action: ongoing or not started (the view's `overdue` flag; analytics' open-action metrics)
OPEN_ACTION_STATUSES = ("ongoing", "not_started")


def sql_list(values: tuple[str, ...]) -> str:
    """A tuple of fixed vocabulary words as an SQL list: ('a', 'b'). Only for constants, never user text."""
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


RESPONSE_WORDS: dict[str, tuple[str, ...]] = {
    "accepted": ("accepted", "agree", "agreed", "accept"),
    "partially_accepted": ("partially accepted", "partially agree", "partially agreed", "partly accepted"),
    "rejected": ("rejected", "disagree", "not accepted", "reject"),
    "noted": ("noted",),
}
RESPONSES = tuple(RESPONSE_WORDS)

SOURCE_TYPES = ("evaluation", "audit", "review", "human_rights_mechanism", "workplan")
