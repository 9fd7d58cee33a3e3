"""Stored or URL text made safe for what shows it: Plotly labels and hovers (`plot_text`) and everything
Streamlit renders as Markdown (`md_escape`); and the labels pages build from stored text. Stored text never
reaches HTML: tables go through st.dataframe, which shows text as it is."""

from __future__ import annotations

import html
import re

from core.formatting import is_missing

#: CommonMark lets a backslash escape any ASCII punctuation: links, emphasis, HTML, :colour[…] directives, $LaTeX$
_MD_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
#: Streamlit turns some plain text into links or icons after the Markdown is parsed, where escapes no longer
#: count: bare URLs (https://…, www.…), e-mail addresses and :material/…: icons. An invisible word joiner
#: after such a colon, between "www" and its dot and before "@" breaks each of them.
_AUTOLINK_SEAMS = re.compile(r"(?<=:)(?=\S)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def plot_text(value: object) -> str:
    """Text for a Plotly label or hover: entities escaped so '<b>' shows as typed, never as markup."""
    if is_missing(value):
        return ""
    return html.escape(str(value), quote=False)


def md_escape(value: object) -> str:
    """Stored or URL text for anything that renders Markdown (st.markdown, caption, title, subheader,
    info/warning/error/success, widget, button and metric labels, progress texts, st.table cells): shown
    as typed, never as a link, emphasis, colour, icon, LaTeX or HTML."""
    plain = "" if is_missing(value) else str(value)
    return _MD_PUNCTUATION.sub(r"\\\1", _AUTOLINK_SEAMS.sub(WORD_JOINER, plain))


def recommendation_label(number: object, text: object) -> str:
    """'R3. Strengthen partnerships…'; a work-plan priority area without a number shows its text alone."""
    has_number = isinstance(number, str) and number.strip()
    has_text = isinstance(text, str) and text.strip()
    if has_number and has_text:
        return f"{number}. {text}"
    return str(text) if has_text else (str(number) if has_number else "(no recommendation given)")


def slug(text: str) -> str:
    """'Delivery by year' → 'delivery-by-year': widget keys and file names."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "table"
