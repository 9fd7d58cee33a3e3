"""Dataset kinds: canonical columns, synonyms, types and grain (SPEC §2).

One definition per kind, used by the readers (header matching), the validator (types and
required columns), the templates (drop-downs, instructions) and the docs.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # text, int, year, money, number, date, deadline, agency, status, response, period, source_type, currency
    required: bool = False
    synonyms: tuple[str, ...] = ()
    description: str = ""
    example: str = ""
    #: may be given once for the whole file at upload time instead (plan, source_title, a budget's agency; the
    #: optional country): then required only where that is not done
    file_level: bool = False


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    grain: str
    columns: tuple[Column, ...]
    #: columns that identify one row inside a file (duplicates are refused)
    key: tuple[str, ...]
    #: groups of which at least one column must be present
    one_of: tuple[tuple[str, ...], ...] = ()
    sheet_title: str = ""

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


#: the ISO 4217 currency codes a money header or currency cell may name
CURRENCIES = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP
GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD
KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK
NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS
SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST
XAF XCD XCG XDR XOF XPF YER ZAR ZMW ZWG ZWL
""".split())

#: a currency a header carries: '(EUR)', '(US$)', '(€)', 'in GBP', a trailing 'USD'
_HEADER_CURRENCY = re.compile(r"\(\s*(?:in\s+)?([a-z]{3}|us\$|\$|€|£)\s*\)|\bin\s+([a-z]{3})\s*$|\b(usd|eur|gbp|chf)\s*$"
                              r"|\b(us\$)", re.IGNORECASE)
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


#: a plan is a plan of a country, and one plan name is used in many (27 countries call theirs "United Nations
#: Sustainable Development Cooperation Framework" in UN INFO): rows may name their country (etl.load)
COUNTRY_SYNONYMS = ("country name", "programme country", "program country")
COUNTRY_HELP = ("Country of the plan; blank: the country chosen for the file, else the plan's country when the "
                "plan's name is known in one country only")

BUDGET = Kind(
    name="budget",
    title="Common Budgetary Framework and expenditure",
    grain="one row per plan × year × output × agency (× funding source)",
    sheet_title="Budget",
    key=("plan", "country", "year", "output_code", "agency", "funding_source"),
    columns=(
        Column("plan", "text", True, ("framework", "cooperation framework", "unsdcf", "undaf", "one plan", "plan name"),
               "Name of the Cooperation Framework", "UNSDCF 2023-2027", file_level=True),
        Column("country", "text", False, COUNTRY_SYNONYMS, COUNTRY_HELP, "Angola", file_level=True),
        Column("year", "year", True, ("fiscal year", "fy", "budget year"), "Calendar year of the figures (2000–2100)", "2025"),
        Column("outcome_code", "text", True, ("outcome", "outcome no", "outcome number", "outcome code"),
               "Outcome number as in the plan", "4.1"),
        Column("outcome_title", "text", False, ("outcome description", "outcome title", "outcome statement"),
               "Outcome statement", "People live free from violence"),
        Column("output_code", "text", True, ("output", "output no", "output number", "output code"),
               "Output number as in the plan", "4.1.2"),
        Column("output_title", "text", False, ("output description", "output title", "output statement"),
               "Output statement", "Justice institutions strengthened"),
        Column("agency", "agency", True, ("un entity", "organization", "organisation", "puno", "agency fund programme",
                                          "agency/fund/programme", "entity"),
               "UN entity code (see the list on the Instructions sheet)", "UNDP", file_level=True),
        Column("funding_source", "text", False, ("source", "core non core", "core/non-core", "fund", "funding"),
               "Core, non-core or the fund's name", "Core"),
        Column("required", "money", True, ("total required resources", "required resources", "planned budget", "budget",
                                           "requested funds", "required"),
               "Money required for the year (≥ 0)", "250000"),
        Column("available", "money", False, ("available resources", "total available resources", "funded", "secured",
                                             "resources available"),
               "Money available (secured) for the year (≥ 0); blank = not reported", "180000"),
        Column("expenditure", "money", False, ("expenditures", "spent", "delivery", "actual", "total expenditure resources",
                                               "expenditure resources"),
               "Money spent in the year (≥ 0); blank = not reported", "120000"),
        Column("currency", "currency", False, ("ccy",), "ISO 4217 code; default USD", "USD"),
    ),
)

INDICATORS = Kind(
    name="indicators",
    title="Results indicators and their values",
    grain="one row per indicator × reporting period",
    sheet_title="Indicators",
    key=("plan", "country", "indicator_code", "period", "agency"),
    columns=(
        Column("plan", "text", True, ("framework", "cooperation framework", "unsdcf", "undaf", "one plan", "plan name"),
               "Name of the Cooperation Framework", "UNSDCF 2023-2027", file_level=True),
        Column("country", "text", False, COUNTRY_SYNONYMS, COUNTRY_HELP, "Angola", file_level=True),
        Column("indicator_code", "text", True, ("indicator code", "indicator no", "indicator number", "indicator id"),
               "Indicator number as in the results framework", "1.1.a"),
        Column("indicator", "text", True, ("indicator name", "indicator description", "indicator wording", "indicator title"),
               "Wording of the indicator", "Share of births attended by skilled personnel"),
        Column("result_code", "text", True, ("result", "result code", "outcome output", "outcome/output", "measures"),
               "Outcome or output code the indicator measures", "1.1"),
        Column("unit", "text", False, ("unit of measure", "measure", "uom"), "%, number, index or yes/no", "%"),
        Column("baseline", "number", True, ("baseline value",), "Baseline value", "42"),
        Column("baseline_year", "year", False, ("baseline year",), "Year of the baseline", "2022"),
        Column("target", "number", True, ("target value", "end target"), "Target value", "60"),
        Column("target_year", "year", False, ("target year",), "Year the target should be met", "2027"),
        Column("period", "period", True, ("reporting period", "reporting year", "year", "as of period"),
               "Reporting period: 2025, 2025-Q3 or 2025-H1", "2025"),
        Column("actual", "number", False, ("actual value", "value", "result value", "achieved", "progress"),
               "Value reached in the period; blank = not reported", "51"),
        Column("agency", "agency", False, ("un entity", "organization", "organisation", "reporting agency", "entity"),
               "UN entity reporting the value", "UNICEF"),
        Column("means_of_verification", "text", False, ("means of verification", "mov", "source of data", "data source",
                                                        "source"),
               "Where the value comes from", "DHS 2025"),
    ),
)

ACTIONS = Kind(
    name="actions",
    title="Recommendations, work-plan deliverables and their key actions",
    grain="one row per key action (or deliverable)",
    sheet_title="Actions",
    key=("source_title", "country", "recommendation_no", "recommendation", "action_no"),
    one_of=(("recommendation_no", "recommendation"),),
    columns=(
        Column("source_type", "source_type", False, ("source type", "type of source"),
               "evaluation, audit, review, human_rights_mechanism or workplan (default evaluation)", "evaluation"),
        Column("source_title", "text", True, ("source", "evaluation", "evaluation title", "source title", "report"),
               "Title of the evaluation, audit, review or work plan",
               "Evaluation of UN Women strategic partnerships", file_level=True),
        Column("country", "text", False, COUNTRY_SYNONYMS, COUNTRY_HELP, "Angola", file_level=True),
        Column("recommendation_no", "text", False, ("rec no", "recommendation no", "recommendation number", "rec"),
               "Number of the recommendation", "R3"),
        Column("recommendation", "text", False, ("evaluation recommendation", "priority area", "finding",
                                                 "recommendation text"),
               "Text of the recommendation", "Strengthen partnerships with civil society"),
        Column("management_response", "response", False, ("management response category", "response category",
                                                          "management response"),
               "accepted, partially_accepted, rejected or noted", "accepted"),
        Column("action_no", "text", True, ("key action no", "deliverable no", "action number", "key action number",
                                           "action no"),
               "Number of the key action", "3.1"),
        Column("action", "text", True, ("key action", "key actions", "deliverable", "concrete deliverable",
                                        "action description"),
               "What will be done", "Develop a partnership strategy"),
        Column("responsible", "text", False, ("responsible unit", "responsible units", "lead", "leads",
                                              "responsible unit(s)", "lead(s)"),
               "Units or agencies responsible (free text)", "Strategic Partnerships Division"),
        Column("agency", "agency", False, ("un entity", "organization", "organisation", "owner", "entity"),
               "UN entity that owns the action", "UN Women"),
        Column("deadline", "deadline", False, ("due date", "timeline", "deadline date", "time frame", "timeframe"),
               "A month (2026/12, Dec 2026) or a day (2026-12-31)", "2026/12"),
        Column("status", "status", True, ("implementation status", "status of implementation", "progress status"),
               "completed, ongoing, not_started, continuous, no_longer_applicable, deprioritized", "ongoing"),
        Column("comments", "text", False, ("comment", "remarks", "notes", "progress comments"), "Progress notes",
               "Draft strategy circulated"),
        Column("as_of", "date", False, ("as of", "status date", "reported on", "date of update"),
               "Date the status was reported (default: upload date)", "2026-06-30"),
    ),
)

KINDS: dict[str, Kind] = {k.name: k for k in (BUDGET, INDICATORS, ACTIONS)}

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

RESPONSE_WORDS: dict[str, tuple[str, ...]] = {
    "accepted": ("accepted", "agree", "agreed", "accept"),
    "partially_accepted": ("partially accepted", "partially agree", "partially agreed", "partly accepted"),
    "rejected": ("rejected", "disagree", "not accepted", "reject"),
    "noted": ("noted",),
}
RESPONSES = tuple(RESPONSE_WORDS)

SOURCE_TYPES = ("evaluation", "audit", "review", "human_rights_mechanism", "workplan")

#: UN INFO sub-output status vocabulary (SPEC §2.1b)
SUBOUTPUT_STATUSES = ("pipeline", "implementation", "finalisation", "closed", "suspended", "cancelled")
