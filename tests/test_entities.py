"""UN entities: the shipped list, alias resolution, suggestions for typos and multi-agency cells."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.entities import SHIPPED_ENTITIES, Entity, EntityResolver, entity_key
from core.errors import ParseError

resolver = EntityResolver(SHIPPED_ENTITIES)

REQUIRED_CODES = (
    """UNDP UNICEF UNFPA WHO FAO ILO UNESCO UNIDO UNAIDS UNODC UNV OHCHR UNHCR IOM WFP OCHA IFAD UNOPS
UNEP ITC UNCTAD ESCAP ECA ECLAC ESCWA ECE UNDRR UNFCCC RCO UNCDF ITU IAEA UNITAR UNU UNMAS WMO UNICRI UNOCT
UNDPPA UNDPO UNIC UNGC UNSSC UPU ICAO IMO UNWTO WIPO UNRWA""".split()
    + ["UN Women", "UN-Habitat", "UN DESA", "World Bank"]
)


def test_shipped_list_covers_the_entities_of_the_spec():
    codes = [entity.code for entity in SHIPPED_ENTITIES]
    assert set(REQUIRED_CODES) <= set(codes)
    assert len(codes) == len(set(codes))
    assert all(entity.name and entity.name != entity.code for entity in SHIPPED_ENTITIES)


def test_no_label_points_at_two_entities():
    owner: dict[str, str] = {}
    for entity in SHIPPED_ENTITIES:
        for label in (entity.code, entity.name, *entity.aliases):
            assert owner.setdefault(entity_key(label), entity.code) == entity.code, label


def test_every_code_name_and_alias_resolves_to_its_entity():
    for entity in SHIPPED_ENTITIES:
        for label in (entity.code, entity.name, *entity.aliases):
            assert resolver.resolve(label) == entity.code
            assert resolver.resolve(label.lower()) == entity.code


@pytest.mark.parametrize(
    "value, code",
    [
        ("UNDP", "UNDP"),
        ("undp", "UNDP"),
        (" UNDP ", "UNDP"),
        ("U.N.D.P.", "UNDP"),
        ("United Nations Development Programme", "UNDP"),
        ("united  nations development programme", "UNDP"),
        ("un women", "UN Women"),
        ("UN-Women", "UN Women"),
        ("UNWomen", "UN Women"),
        ("Un Women", "UN Women"),
        ("UN WOMEN", "UN Women"),
        ("UN  Women", "UN Women"),
        ("UN_Women", "UN Women"),
        ("UN-HABITAT", "UN-Habitat"),
        ("UNHABITAT", "UN-Habitat"),
        ("UN Habitat", "UN-Habitat"),
        ("United Nations Human Settlement Programme", "UN-Habitat"),
        ("WTO-ITC", "ITC"),
        ("World Trade Organization - International Trade Centre", "ITC"),
        ("UN ESCAP", "ESCAP"),
        ("UNESCAP", "ESCAP"),
        ("UN ECA", "ECA"),
        ("UNECA", "ECA"),
        ("UN RCO", "RCO"),
        ("UNRCO", "RCO"),
        ("Resident Coordinator Office", "RCO"),
        ("Resident Coordinator's Office", "RCO"),
        ("United Nations Resident Coordinator Office", "RCO"),
        ("UN DESA", "UN DESA"),
        ("DESA", "UN DESA"),
        ("UNDESA", "UN DESA"),
        ("UN DPPA", "UNDPPA"),
        ("DPPA", "UNDPPA"),
        ("DPO", "UNDPO"),
        ("UN Global Compact", "UNGC"),
        ("UN Tourism", "UNWTO"),
        ("World Bank", "World Bank"),
        ("The World Bank", "World Bank"),
        ("IBRD", "World Bank"),
        ("International Labour Organisation", "ILO"),
        ("World Meteorological Organisation", "WMO"),
        ("United Nations Educational, Scientific and Cultural Organisation", "UNESCO"),
        ("United Nations Children's Fund", "UNICEF"),
        ("United Nations Childrens Fund", "UNICEF"),
        ("Joint United Nations Programme on HIV/AIDS", "UNAIDS"),
        ("United Nations High Commissioner for Human Rights", "OHCHR"),
        ("United Nations World Food Programme", "WFP"),
        ("UN Environment", "UNEP"),
    ],
)
def test_resolve(value, code):
    assert resolver.resolve(value) == code
    assert resolver.try_resolve(value) == code


@pytest.mark.parametrize(
    "value, message",
    [
        ("UNDPP", '"UNDPP" is not a known UN entity — did you mean UNDP?'),
        ("UNICF", '"UNICF" is not a known UN entity — did you mean UNICEF?'),
        (" UN Wmen ", '"UN Wmen" is not a known UN entity — did you mean UN Women?'),
        ("UNHRC", '"UNHRC" is not a known UN entity — did you mean UNHCR?'),
        ("UNESCAP-CSAM", '"UNESCAP-CSAM" is not a known UN entity — did you mean ESCAP?'),
        (
            "Ministry of Health",
            '"Ministry of Health" is not a known UN entity — use a code from the list of UN entities',
        ),
    ],
)
def test_unknown_entity_is_an_error_suggesting_the_closest(value, message):
    with pytest.raises(ParseError) as error:
        resolver.resolve(value)
    assert str(error.value) == message
    assert resolver.try_resolve(value) is None


def test_unknown_entity_expected_names_the_suggestion():
    with pytest.raises(ParseError) as error:
        resolver.resolve("UNDPP")
    assert error.value.expected == "a known UN entity — did you mean UNDP?"


@pytest.mark.parametrize("value", [None, "", "  ", "-"])
def test_blank_entity(value):
    assert resolver.try_resolve(value) is None
    with pytest.raises(ParseError, match="^expected a UN entity code such as UNDP$"):
        resolver.resolve(value)


def test_resolver_uses_the_list_it_is_given():
    extended = EntityResolver([*SHIPPED_ENTITIES, Entity("IDLO", "International Development Law Organization")])
    assert extended.resolve("idlo") == "IDLO"
    assert extended.resolve("International Development Law Organisation") == "IDLO"
    assert resolver.try_resolve("IDLO") is None
    small = EntityResolver([Entity("UNDP", "United Nations Development Programme")])
    assert small.try_resolve("UNICEF") is None


def test_an_alias_never_takes_over_a_code():
    hijack = EntityResolver([*SHIPPED_ENTITIES, Entity("XYZ", "Some office", ("UNDP",))])
    assert hijack.resolve("UNDP") == "UNDP"


@pytest.mark.parametrize(
    "text, items",
    [
        ("IOM; OHCHR; UNDP", ["IOM", "OHCHR", "UNDP"]),
        ("UNDP, UNICEF", ["UNDP", "UNICEF"]),
        ("UNDP;UNICEF,WFP", ["UNDP", "UNICEF", "WFP"]),
        ("  UNDP ;; ; UNICEF; ", ["UNDP", "UNICEF"]),
        ("UNICEF; UNDP; UNICEF", ["UNICEF", "UNDP"]),
        ("UN Women", ["UN Women"]),
        ("UNDPP; UNDP", ["UNDPP", "UNDP"]),
        ("", []),
        (None, []),
        (";", []),
        ("-", []),
    ],
)
def test_split(text, items):
    assert resolver.split(text) == items


@given(st.one_of(st.text(), st.none(), st.integers(), st.floats(), st.booleans()))
def test_resolve_returns_a_known_code_or_raises_parse_error(value):
    codes = {entity.code for entity in SHIPPED_ENTITIES}
    try:
        assert resolver.resolve(value) in codes
    except ParseError as error:
        assert error.expected
    assert resolver.try_resolve(value) in codes | {None}


@given(st.text())
def test_split_items_are_trimmed_unique_and_non_empty(text):
    items = resolver.split(text)
    assert all(item and item == item.strip() and not set(item) & {";", ","} for item in items)
    assert len(items) == len(set(items))
