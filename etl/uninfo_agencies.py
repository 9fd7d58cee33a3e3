"""The agencies of a UN INFO sub-output: its 'Agency abbreviations' resolved against the UN entity list, and an
abbreviation the list lacks added with its full name from the 'Agencies' column (matched by initials)."""

from __future__ import annotations

import itertools
import re

from core import parse
from core.entities import Entity


def uninfo_agencies(ds, sheet_name, cell, codes_value, names_value, resolver, known_new) -> tuple[str | None, bool]:
    """'FAO; WHO' → ('FAO;WHO', True); unknown abbreviations are added from the Agencies column.

    Real exports list the full names in their own (alphabetical) order, so an unknown abbreviation
    takes a full name left over once the names of known entities are set aside; with several unknowns,
    each takes the name whose initials match it best (UNSOA ↔ "United Nations Support Office for AMISOM").
    """
    items = resolver.split(parse.parse_text(codes_value) or "")
    if not items:
        ds.warn(
            sheet_name,
            cell,
            "Agency abbreviations",
            codes_value,
            "no agency given: shown as 'Unknown'",
            code="agency_missing",
        )
        return None, False
    codes = [item if item in known_new else resolver.try_resolve(item) for item in items]
    unknown = [item for item, code in zip(items, codes) if code is None]
    if unknown:
        # full names hold commas ("…Educational, Scientific and Cultural…"): they split on ';' only
        names = [n.strip() for n in parse.repair_mojibake(parse.parse_text(names_value) or "").split(";") if n.strip()]
        spare = [n for n in names if resolver.try_resolve(n) is None and n not in {e.name for e in known_new.values()}]
        matched = _match_by_initials(unknown, spare) if len(spare) == len(unknown) else {}
        for item in unknown:
            name = matched.get(item, item)
            known_new[item] = Entity(item, name, ())
            ds.warn(
                sheet_name,
                cell,
                "Agency abbreviations",
                item,
                f"not in the UN entity list: added as '{item}' ({name}) from the file's Agencies column",
                code="entity_added",
            )
        codes = [code or item for item, code in zip(items, codes)]
    distinct = list(dict.fromkeys(codes))
    return ";".join(distinct), len(distinct) > 1


_MINOR_WORDS = {"of", "for", "the", "in", "and", "on", "to", "de", "des", "du", "la", "le", "et", "a", "an"}


def _initials(name: str) -> str:
    """'United Nations Support Office for AMISOM' → 'UNSOA' (minor words left out)."""
    return "".join(w[0] for w in re.findall(r"[A-Za-z][\w'-]*", name) if w.lower() not in _MINOR_WORDS).upper()


def _common_run(a: str, b: str) -> int:
    """Length of the longest common subsequence of two short strings."""
    row = [0] * (len(b) + 1)
    for ch in a:
        previous = 0
        for j, other in enumerate(b, 1):
            previous, row[j] = row[j], previous + 1 if ch == other else max(row[j], row[j - 1])
    return row[-1]


def _match_by_initials(codes: list[str], names: list[str]) -> dict[str, str]:
    """Pair each abbreviation with one name, the pairing whose initials agree best (ties: the file's order)."""
    if len(codes) == 1:
        return {codes[0]: names[0]}
    if len(codes) > 7:  # too many to try every pairing; real rows have two or three
        return dict(zip(codes, names))
    initials = [_initials(n) for n in names]
    best = max(
        itertools.permutations(range(len(names))),
        key=lambda order: sum(_common_run(c.upper(), initials[i]) for c, i in zip(codes, order)),
    )
    return {c: names[i] for c, i in zip(codes, best)}
