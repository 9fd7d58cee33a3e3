"""Every colour of the product, one per meaning: the pages' charts, the validation report and the templates.

Chart colours are CSS hex ('#RRGGBB'); the Excel colours are openpyxl's 'RRGGBB'. The Streamlit theme (the
page's own blue, background and text) is set in .streamlit/config.toml, which Streamlit reads itself.
"""

from __future__ import annotations

import hashlib

# ---------------------------------------------------------------- charts (colour-blind-safe Okabe–Ito base)

#: money measures, the same on every page
MONEY_COLORS = {
    "required": "#9AA5B1",  # slate grey
    "available": "#0072B2",  # blue
    "expenditure": "#009E73",  # bluish green
    "gap": "#D55E00",  # vermillion
    "surplus": "#56B4E9",  # sky blue
    "not_reported": "#DADDE1",  # light grey
}

#: achieved and on track are different hues (blue, green), not two shades of one
INDICATOR_STATUS_COLORS = {
    "achieved": "#0072B2",
    "on track": "#009E73",
    "off track": "#D55E00",
    "no data": "#BDBDBD",
}
#: an indicator's trend: its reported values and the baseline and target lines (the target in dark green)
INDICATOR_TREND_COLORS = {
    "reported": MONEY_COLORS["available"],
    "baseline": MONEY_COLORS["required"],
    "target": "#00593C",
}

ACTION_STATUS_COLORS = {
    "completed": "#009E73",
    "ongoing": "#0072B2",
    "not_started": "#E69F00",
    "continuous": "#56B4E9",
    "no_longer_applicable": "#BDBDBD",
    "deprioritized": "#8C7B6B",
}

AGEING_COLORS = {
    "Not yet due": "#56B4E9",
    "1–90 days late": "#FDB863",
    "91–180 days late": "#F08A3C",
    "181–365 days late": "#D55E00",
    "More than a year late": "#8B1E00",
    "No deadline": "#BDBDBD",
}

#: chart text, axes and marks drawn in ink (the indicator page's expected-progress marks and 100 % line)
INK = "#262730"
#: the treemap's outcome and output tiles (under the agencies' coverage colours), the lines between tiles and an
#: agency's tile without a coverage
TREEMAP_COLORS = {"outcome": "#E8ECF1", "output": "#F4F6F8", "border": "white", "no_coverage": "#BDBDBD"}
#: coverage 0 → 100 %: vermillion (little funded) through pale to blue (funded), readable by the colour-blind
COVERAGE_SCALE = [[0.0, "#D55E00"], [0.5, "#F7F0D8"], [1.0, "#0072B2"]]
#: year on year: the earlier year light, the later dark (one hue: the years differ, not the measures)
COMPARE_YEAR_COLORS = ("#9ECAE1", "#08519C")

JOINT_COLOR = "#4D4D4D"
AGENCY_COLORS = {
    "UNDP": "#0468B1",
    "UNICEF": "#1CABE2",
    "WHO": "#7F3C8D",
    "FAO": "#3E8E41",
    "UNFPA": "#E68310",
    "UN Women": "#008B8B",
    "UN-Women": "#008B8B",
    "ILO": "#A5AA99",
    "UNESCO": "#CF1C90",
    "WFP": "#E73F74",
    "UNHCR": "#11A579",
    "IOM": "#3969AC",
    "UNODC": "#F2B701",
    "UNEP": "#80BA5A",
    "UNIDO": "#E17C05",
    "OHCHR": "#4B4B8F",
    "UN-Habitat": "#008695",
    "UNAIDS": "#C0392B",
    "RCO": "#6F6F6F",
    "UNOPS": "#9C6B30",
    "IFAD": "#5F4690",
    "UNV": "#1D6996",
    "OCHA": "#994E95",
    "ITC": "#666666",
    "UNCTAD": "#38A6A5",
}
#: the colours of agencies not listed above, each agency always given the same one
AGENCY_CYCLE = (
    "#5F4690",
    "#1D6996",
    "#38A6A5",
    "#0F8554",
    "#73AF48",
    "#EDAD08",
    "#E17C05",
    "#CC503E",
    "#94346E",
    "#6F4070",
    "#994E95",
    "#666666",
)


def agency_color(code: str) -> str:
    """The agency's colour on every page ('Joint …' is dark grey; unknown codes get a stable colour)."""
    if str(code).startswith("Joint"):
        return JOINT_COLOR
    if code in AGENCY_COLORS:
        return AGENCY_COLORS[code]
    digest = int(hashlib.md5(str(code).encode()).hexdigest(), 16)
    return AGENCY_CYCLE[digest % len(AGENCY_CYCLE)]


# ---------------------------------------------------------------- Excel: the validation report and the templates

#: header rows: the report's, and the template's required columns
EXCEL_HEADER_FILL = "1F4E79"
EXCEL_HEADER_TEXT = "FFFFFF"
#: the template's optional columns and its instructions' table header
EXCEL_OPTIONAL_FILL = "BDD7EE"
EXCEL_OPTIONAL_TEXT = "1F1F1F"
EXCEL_BORDER = "7F7F7F"
#: a cell with an error (Excel's "Bad" red) or a warning (Excel's "Neutral" amber), and their text
EXCEL_ERROR_FILL = "FFC7CE"
EXCEL_ERROR_TEXT = "9C0006"
EXCEL_WARNING_FILL = "FFEB9C"
EXCEL_WARNING_TEXT = "9C5700"
#: a link to the marked cell, as Excel draws links
EXCEL_LINK = "0563C1"
