"""Unit tests for opportunities.matching: normalisation, scoring and the company index (no database)."""

from __future__ import annotations

import random

import pytest

from opportunities.matching import (
    MATCH_THRESHOLD,
    CompanyIndex,
    normalise_domain,
    normalise_name,
    normalise_vat,
    registrable_domain,
)

GENERIC = "Group Holdings International Technologies Systems Services Solutions Capital Partners Industries".split()
LEGAL = ["Inc", "LLC", "Ltd", "GmbH", "AG", "S.A.", "Corp", "plc", "B.V.", "Oy", ""]
COUNTRIES = ["US", "DE", "GB", "FR", "JP"]


def fake_word(rng: random.Random) -> str:
    """Return a pronounceable made-up word."""
    syllables = ["ka", "lo", "mi", "ra", "ven", "tor", "sil", "dra", "qua", "ne", "bri", "zo", "pel", "ust", "gar"]
    return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))).capitalize()


def background(n: int, seed: int = 7) -> list[tuple[str, str, str | None, str, None]]:
    """Return n synthetic (id, name, domain, country, vat) records of made-up companies."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        words = [fake_word(rng) for _ in range(rng.randint(1, 2))]
        if rng.random() < 0.6:
            words.append(rng.choice(GENERIC))
        name = " ".join([*words, rng.choice(LEGAL)]).strip()
        domain = f"{words[0].lower()}{i}.com" if rng.random() < 0.3 else None
        rows.append((f"bg{i}", name, domain, rng.choice(COUNTRIES), None))
    return rows


REAL = [
    ("delta-air", "Delta Air Lines, Inc.", "delta.com", "US", None),
    ("delta-dental", "Delta Dental Plans Association", None, "US", None),
    ("esco", "ESCO Technologies Inc.", None, "US", None),
    ("post", "Post Holdings, Inc.", None, "US", None),
    ("siemens", "Siemens AG", "siemens.com", "DE", "DE 129 274 202"),
    ("aos", "Alpha and Omega Semiconductor, Ltd.", None, "US", None),
    ("renesas", "Renesas Electronics Corporation", None, "JP", None),
    ("hunt", "J.B. Hunt Transport Services, Inc.", None, "US", None),
    ("bank-hawaii", "Bank of Hawaii Corporation", None, "US", None),
    ("acme-de", "Acme Werkzeuge GmbH", None, "DE", None),
    ("smucker", "The J.M. Smucker Company", None, "US", None),
    ("duerr", "Dürr Aktiengesellschaft", None, "DE", None),
    ("nestle", "Nestlé S.A.", None, "CH", None),
]


@pytest.fixture(scope="module")
def index() -> CompanyIndex:
    """An index of 3,000 made-up companies plus a few real ones."""
    idx = CompanyIndex()
    idx.add_many(background(3000))
    idx.add_many(REAL)
    return idx


def ids(matches: list) -> list[str]:
    """Return the record ids of matches."""
    return [m.record_id for m in matches]


# --- normalisation -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "plain"),
    [
        ("Siemens Aktiengesellschaft", "Siemens"),
        ("Siemens AG", "Siemens"),
        ("Volvo AB (publ)", "Volvo"),
        ("Nokia Oyj", "Nokia"),
        ("Unilever N.V.", "Unilever"),
        ("Enel S.p.A.", "Enel"),
        ("Orlen Sp. z o.o.", "Orlen"),
        ("Fresenius SE & Co. KGaA", "Fresenius"),
        ("Accor Société anonyme", "Accor"),
        ("Aviva Public Limited Company", "Aviva"),
        ("Grupo Bimbo, S.A.B. de C.V.", "Grupo Bimbo"),
        ("Gazprom PAO", "Gazprom"),
        ("BHP Group Pty Ltd", "BHP Group"),
        ("Leggett & Platt Incorrporated", "Leggett and Platt"),
        ("腾讯控股有限公司", "腾讯控股"),
        ("トヨタ自動車株式会社", "トヨタ自動車"),
    ],
)
def test_legal_forms_are_removed(variant: str, plain: str) -> None:
    """Legal forms of many countries, spelt out or abbreviated, leave the same base name."""
    assert normalise_name(variant).base == normalise_name(plain).base
    assert normalise_name(variant).base


def test_accents_punctuation_and_the() -> None:
    """Accents fold, punctuation goes, a leading "The" goes, "&" is "and"."""
    assert normalise_name("Nestlé S.A.").base == "nestle"
    assert normalise_name("Dürr AG").compact == normalise_name("Duerr AG").compact
    assert normalise_name("The Coca-Cola Company").compact == normalise_name("Coca Cola Co.").compact
    assert normalise_name("Alpha & Omega").compact == normalise_name("Alpha and Omega").compact
    assert normalise_name("J.B. Hunt").tokens == ("jb", "hunt")
    assert normalise_name("McDonald’s Corp").base == "mcdonalds"
    assert normalise_name("The Walt Disney Company").base == "walt disney"
    assert normalise_name("The").base == "the"  # never empty


def test_qualifiers_are_set_apart() -> None:
    """Bracketed and dash-separated site qualifiers leave the base name."""
    assert normalise_name("Siemens AG (Germany)").base == "siemens"
    assert normalise_name("Siemens AG (Germany)").qualifiers == ("germany",)
    assert normalise_name("Acme Corp - US").base == "acme"
    assert normalise_name("A.P. Møller - Mærsk A/S").base == "ap moller maersk"
    assert normalise_name("HCI Group Inc Tampa", city="Tampa").base == "hci group"


def test_acronym() -> None:
    """The acronym takes the initials of significant words."""
    assert normalise_name("Alpha and Omega Semiconductor, Ltd.").acronym == "aos"
    assert normalise_name("Sompo Japan Nipponkoa Holdings").acronym == "sjnh"
    assert normalise_name("Siemens").acronym == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.Siemens.com/de/about?x=1", "siemens.com"),
        ("WWW.SIEMENS.COM", "siemens.com"),
        ("jane.doe@Siemens.de", "siemens.de"),
        ("http://shop.siemens.de:8080", "shop.siemens.de"),
        ("bob@gmail.com", None),
        ("outlook.com", None),
        ("someone@hotmail.fr", None),
        ("yahoo.co.jp", None),
        ("x@qq.com", None),
        ("x@163.com", None),
        ("x@gmx.de", None),
        ("x@web.de", None),
        ("not a domain", None),
        ("", None),
        ("localhost", None),
    ],
)
def test_normalise_domain(value: str, expected: str | None) -> None:
    """URLs, domains and e-mail addresses reduce to a host; free e-mail and junk to None."""
    assert normalise_domain(value) == expected


def test_registrable_domain() -> None:
    """The registrable domain knows common two-level public suffixes."""
    assert registrable_domain("shop.siemens.de") == "siemens.de"
    assert registrable_domain("www.shop.acme.co.uk") == "acme.co.uk"
    assert registrable_domain("ir.bhp.com.au") == "bhp.com.au"
    assert registrable_domain("global.toyota.co.jp") == "toyota.co.jp"


def test_normalise_vat() -> None:
    """VAT ids lose spaces and punctuation and keep their country prefix."""
    assert normalise_vat("de 129 274-202") == "DE129274202"
    assert normalise_vat("GB 123.456.789") == "GB123456789"
    assert normalise_vat("n/a") is None
    assert normalise_vat(None) is None


# --- matching ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "country", "expected"),
    [
        ("Siemens Aktiengesellschaft", "DE", "siemens"),
        ("Siemens AG (Germany)", "DE", "siemens"),
        ("SIEMENS", "DE", "siemens"),
        ("Rennesas Electronics", "JP", "renesas"),  # typo
        ("Renesas Electrnics Corp", "JP", "renesas"),  # typo in a generic word
        ("Hunt Transport Services JB", "US", "hunt"),  # word order
        ("JB Hunt Transport Services", "US", "hunt"),
        ("Alpha & Omega Semiconductor", "US", "aos"),
        ("Bank of Hawaii", "US", "bank-hawaii"),
        ("JM Smucker Co.", "US", "smucker"),
        ("Duerr AG", "DE", "duerr"),
        ("Delta Air Lines", "US", "delta-air"),
    ],
)
def test_variants_match(index: CompanyIndex, query: str, country: str, expected: str) -> None:
    """Spelling variants of a registered company find it."""
    assert expected in ids(index.match(query, country=country))


def test_acronym_matches(index: CompanyIndex) -> None:
    """An acronym finds the company whose initials it is, with the reason "acronym"."""
    found = {m.record_id: m for m in index.match("AOS", country="US")}
    assert "aos" in found
    assert found["aos"].reasons == ["acronym"]


@pytest.mark.parametrize(
    ("query", "wrong"),
    [
        ("Delta Dental", "delta-air"),
        ("Delta Air Lines", "delta-dental"),
        ("TESSCO Technologies", "esco"),
        ("PROS Holdings, Inc.", "post"),
        ("Acme Werkzeuge Holding GmbH", "bank-hawaii"),
    ],
)
def test_look_alikes_do_not_match(index: CompanyIndex, query: str, wrong: str) -> None:
    """Different companies with similar names are not conflicts."""
    assert wrong not in ids(index.match(query, country="US"))


def test_generic_words_weigh_less(index: CompanyIndex) -> None:
    """Rarity weights come from the index: generic words weigh less than distinctive ones."""
    assert index.weight("holdings") < index.weight("renesas")
    assert index.weight("technologies") < index.weight("esco")
    idx = CompanyIndex()
    idx.add_many(background(500))
    idx.add("p1", "Pelzora Capital Partners LLC", country="US")
    assert "p1" not in ids(idx.match("Brivenka Capital Partners", country="US"))
    assert "p1" in ids(idx.match("Pelzora Capital", country="US"))


def test_name_needs_same_country(index: CompanyIndex) -> None:
    """A name match counts only in the same country."""
    assert "siemens" in ids(index.match("Siemens", country="DE"))
    assert "siemens" not in ids(index.match("Siemens", country="FR"))
    assert "nestle" not in ids(index.match("Nestle", country="FR"))


def test_domain_and_vat_count_across_countries(index: CompanyIndex) -> None:
    """A shared domain or VAT id is a conflict in any country, with its reason."""
    by_domain = {m.record_id: m for m in index.match("Some Reseller", domain="jane@siemens.com", country="FR")}
    assert by_domain["siemens"].reasons == ["domain"]
    by_subdomain = {m.record_id: m for m in index.match("Whatever", domain="https://shop.siemens.com/x")}
    assert "siemens" in by_subdomain
    by_vat = {m.record_id: m for m in index.match("Other Name", vat="DE129274202", country="US")}
    assert by_vat["siemens"].reasons == ["vat"]
    both = {m.record_id: m for m in index.match("Siemens AG", domain="www.siemens.com", country="DE")}
    assert both["siemens"].reasons == ["domain", "name"]
    assert both["siemens"].score == 1.0


def test_free_email_domains_never_count() -> None:
    """Two companies registered with the same free e-mail domain do not conflict."""
    idx = CompanyIndex()
    idx.add("a", "Kalomira Tools", domain="kalo@gmail.com", country="US")
    assert idx.match("Zopelvenra Foods", domain="zo@gmail.com", country="US") == []
    idx.add("b", "Bravo Widgets", domain="https://www.bravo-widgets.com", country="US")
    assert ids(idx.match("Totally Different", domain="sales@bravo-widgets.com", country="GB")) == ["b"]


def test_scores_are_sorted_and_above_threshold(index: CompanyIndex) -> None:
    """match() returns only matches at or above the threshold, best first."""
    found = index.match("Siemens AG", domain="siemens.com", country="DE")
    assert found
    assert all(MATCH_THRESHOLD <= m.score <= 1.0 for m in found)
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)


def test_remove_and_replace() -> None:
    """A removed record is no longer found; adding an id again replaces it."""
    idx = CompanyIndex()
    idx.add_many(background(200))
    idx.add("x", "Quavendra Robotics GmbH", country="DE", domain="quavendra.de")
    assert "x" in ids(idx.match("Quavendra Robotics", country="DE"))
    assert idx.remove("x") is True
    assert idx.remove("x") is False
    assert "x" not in ids(idx.match("Quavendra Robotics", country="DE", domain="quavendra.de"))
    idx.add("y", "Silkaro Bikes", country="FR")
    idx.add("y", "Pelzodra Bikes", country="FR")
    assert "y" not in ids(idx.match("Silkaro Bikes", country="FR"))
    assert "y" in ids(idx.match("Pelzodra Bikes", country="FR"))
    assert len(idx) == 201


def test_candidate_retrieval_is_bounded() -> None:
    """A check scores a small blocked set of records, not the whole index."""
    idx = CompanyIndex()
    idx.add_many(background(10_000, seed=11))
    idx.add("target", "Kalomitor Drasil Technologies Inc", country="US")
    found = idx.match("Kalomitor Drasil Technologies", country="US")
    assert "target" in ids(found)
    assert 0 < idx.last_scored <= 100
    generic = idx.candidates("International Group Holdings", country="US")
    assert len(generic) <= 100
    assert len(idx) == 10_001


def test_a_name_written_all_in_brackets_keeps_its_words() -> None:
    """Brackets around the whole name are not a qualifier ("[ACME LIMITED] - [SENSORS]")."""
    key = normalise_name("[ROSEMOUNT AEROSPACE LIMITED] - [SENSORS - UK1]")
    assert key.base == "rosemount aerospace" and key.qualifiers == ("sensors", "uk1")
    assert normalise_name("Siemens AG (Germany)").base == "siemens"


def test_long_words_are_not_looked_up_for_typos() -> None:
    """Words longer than MAX_TYPO_LEN are not retrieved through a typo (their deletion variants would be costly)."""
    from opportunities.matching.search import MAX_TYPO_LEN

    long_word, short_word = "k" + "a" * MAX_TYPO_LEN, "kalomitorvex"
    idx = CompanyIndex()
    idx.add("long", long_word, country="DE")
    idx.add("short", short_word, country="DE")
    assert idx.candidates(long_word + "b", country="DE") == []
    assert idx.candidates(short_word + "b", country="DE") == ["short"]
