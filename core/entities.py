"""UN entities (SPEC §4): the shipped list and the resolver that turns a cell into an entity code.

An agency value is normalised to its entity's code. Matching ignores case, spaces and punctuation
and accepts the code, the full name or an alias; an unknown value is an error suggesting the
closest known code, so a typo never creates an agency.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from core.errors import ParseError
from core.parse import is_blank


@dataclass(frozen=True)
class Entity:
    code: str
    name: str
    aliases: tuple[str, ...] = ()


SHIPPED_ENTITIES: tuple[Entity, ...] = (
    Entity("UNDP", "United Nations Development Programme"),
    Entity("UNICEF", "United Nations Children's Fund", ("UN Children's Fund",)),
    Entity("UNFPA", "United Nations Population Fund"),
    Entity(
        "UN Women",
        "United Nations Entity for Gender Equality and the Empowerment of Women",
        ("UN-Women", "UNWomen", "UN WOMEN"),
    ),
    Entity("WHO", "World Health Organization"),
    Entity("FAO", "Food and Agriculture Organization of the United Nations", ("Food and Agriculture Organization",)),
    Entity("ILO", "International Labour Organization", ("International Labor Organization",)),
    Entity("UNESCO", "United Nations Educational, Scientific and Cultural Organization"),
    Entity("UNIDO", "United Nations Industrial Development Organization"),
    Entity(
        "UNAIDS",
        "Joint United Nations Programme on HIV/AIDS",
        ("United Nations Joint Programme on HIV and AIDS Secretariat",),
    ),
    Entity(
        "UN-Habitat",
        "United Nations Human Settlements Programme",
        ("UN-HABITAT", "UNHABITAT", "UN Habitat", "United Nations Human Settlement Programme"),
    ),
    Entity("UNODC", "United Nations Office on Drugs and Crime"),
    Entity("UNV", "United Nations Volunteers", ("UN Volunteers",)),
    Entity(
        "OHCHR",
        "Office of the United Nations High Commissioner for Human Rights",
        ("UN Human Rights", "United Nations High Commissioner for Human Rights"),
    ),
    Entity(
        "UNHCR",
        "Office of the United Nations High Commissioner for Refugees",
        ("United Nations High Commissioner for Refugees", "UN Refugee Agency"),
    ),
    Entity("IOM", "International Organization for Migration"),
    Entity("WFP", "World Food Programme", ("United Nations World Food Programme",)),
    Entity("OCHA", "United Nations Office for the Coordination of Humanitarian Affairs", ("UNOCHA",)),
    Entity("IFAD", "International Fund for Agricultural Development"),
    Entity("UNOPS", "United Nations Office for Project Services"),
    Entity("UNEP", "United Nations Environment Programme", ("UN Environment", "UN Environment Programme")),
    Entity("ITC", "International Trade Centre", ("WTO-ITC", "World Trade Organization - International Trade Centre")),
    Entity("UNCTAD", "United Nations Conference on Trade and Development", ("UN Trade and Development",)),
    Entity(
        "ESCAP",
        "Economic and Social Commission for Asia and the Pacific",
        ("UN ESCAP", "UNESCAP", "United Nations Economic and Social Commission for Asia and the Pacific"),
    ),
    Entity(
        "ECA", "Economic Commission for Africa", ("UN ECA", "UNECA", "United Nations Economic Commission for Africa")
    ),
    Entity(
        "ECLAC",
        "Economic Commission for Latin America and the Caribbean",
        ("UN ECLAC", "UNECLAC", "CEPAL", "United Nations Economic Commission for Latin America and the Caribbean"),
    ),
    Entity(
        "ESCWA",
        "Economic and Social Commission for Western Asia",
        ("UN ESCWA", "United Nations Economic and Social Commission for Western Asia"),
    ),
    Entity("ECE", "Economic Commission for Europe", ("UNECE", "United Nations Economic Commission for Europe")),
    Entity("UNDRR", "United Nations Office for Disaster Risk Reduction", ("UNISDR",)),
    Entity("UNFCCC", "United Nations Framework Convention on Climate Change"),
    Entity(
        "RCO",
        "United Nations Resident Coordinator Office",
        (
            "UN RCO",
            "UNRCO",
            "Resident Coordinator Office",
            "Resident Coordinator's Office",
            "RC Office",
            "Office of the Resident Coordinator",
        ),
    ),
    Entity("UNCDF", "United Nations Capital Development Fund"),
    Entity("ITU", "International Telecommunication Union"),
    Entity("IAEA", "International Atomic Energy Agency"),
    Entity("UNITAR", "United Nations Institute for Training and Research"),
    Entity("UNU", "United Nations University"),
    Entity("UN DESA", "United Nations Department of Economic and Social Affairs", ("DESA", "UNDESA")),
    Entity("UNMAS", "United Nations Mine Action Service"),
    Entity("WMO", "World Meteorological Organization"),
    Entity("UNICRI", "United Nations Interregional Crime and Justice Research Institute"),
    Entity("UNOCT", "United Nations Office of Counter-Terrorism", ("OCT", "UN OCT")),
    Entity("UNDPPA", "United Nations Department of Political and Peacebuilding Affairs", ("DPPA", "UN DPPA")),
    Entity("UNDPO", "United Nations Department of Peace Operations", ("DPO", "UN DPO")),
    Entity("UNIC", "United Nations Information Centre", ("United Nations Information Centres",)),
    Entity("UNGC", "United Nations Global Compact", ("UN Global Compact",)),
    Entity("UNSSC", "United Nations System Staff College"),
    Entity("UPU", "Universal Postal Union"),
    Entity("ICAO", "International Civil Aviation Organization"),
    Entity("IMO", "International Maritime Organization"),
    Entity("UNWTO", "World Tourism Organization (UN Tourism)", ("UN Tourism", "World Tourism Organization")),
    Entity("WIPO", "World Intellectual Property Organization"),
    Entity("UNRWA", "United Nations Relief and Works Agency for Palestine Refugees in the Near East"),
    Entity("World Bank", "World Bank Group", ("IBRD", "International Bank for Reconstruction and Development", "WBG")),
    Entity("UNODA", "United Nations Office for Disarmament Affairs"),
    Entity("UNDCO", "United Nations Development Coordination Office", ("DCO",)),
)


def entity_key(text: str) -> str:
    """Text folded for matching: case, spaces, punctuation and a leading 'The' ignored;
    'Organisation' reads as 'Organization'."""
    text = re.sub(r"^\s*the\s+", "", text.casefold())
    return re.sub(r"[\W_]+", "", text).replace("organisation", "organization")


class EntityResolver:
    """Resolves agency cells to entity codes for a given list of entities (shipped or extended)."""

    def __init__(self, entities: Iterable[Entity]):
        self.entities = tuple(entities)
        self._code_by_key: dict[str, str] = {}
        # codes first, so an admin's alias can never take over another entity's code
        for entity in self.entities:
            self._code_by_key.setdefault(entity_key(entity.code), entity.code)
        for entity in self.entities:
            for label in (entity.name, *entity.aliases):
                self._code_by_key.setdefault(entity_key(label), entity.code)
        self._rank = {entity.code: i for i, entity in enumerate(self.entities)}

    def try_resolve(self, value: object) -> str | None:
        """The entity code for a code, full name or alias, or None when unknown or blank."""
        return None if is_blank(value) else self._code_by_key.get(entity_key(str(value)))

    def resolve(self, value: object) -> str:
        """The entity code for a code, full name or alias; unknown → ParseError naming the closest code."""
        if is_blank(value):
            raise ParseError("a UN entity code such as UNDP", code="unknown_agency")
        code = self.try_resolve(value)
        if code is not None:
            return code
        text = str(value).strip()
        suggestion = self.closest(text)
        if suggestion:
            raise ParseError(
                f"a known UN entity — did you mean {suggestion}?",
                f'"{text}" is not a known UN entity — did you mean {suggestion}?',
                code="unknown_agency",
                suggestion=suggestion,
            )
        raise ParseError(
            "a known UN entity code such as UNDP",
            f'"{text}" is not a known UN entity — use a code from the list of UN entities',
            code="unknown_agency",
        )

    def closest(self, text: str) -> str | None:
        """The code of the entity whose code, name or alias is nearest to the text, if any is near.

        difflib shortlists similar labels; the fewest edits then wins, ties going to the entity
        listed first (so "UNDPP" suggests UNDP rather than UNDPPA).
        """
        key = entity_key(text)
        near = difflib.get_close_matches(key, self._code_by_key, n=5, cutoff=0.6)
        if not near:
            return None
        best = min(near, key=lambda label: (_edit_distance(key, label), self._rank[self._code_by_key[label]]))
        return self._code_by_key[best]

    @staticmethod
    def split(text: object) -> list[str]:
        """Items of a multi-agency cell ('IOM; OHCHR; UNDP', 'UNDP, UNICEF'), trimmed, unresolved,
        in order, without empty items or repeats."""
        if is_blank(text):
            return []
        items = (item.strip() for item in re.split(r"[;,]", str(text)))
        return list(dict.fromkeys(item for item in items if item))


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions needed to turn a into b."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]
