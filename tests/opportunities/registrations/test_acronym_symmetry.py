"""A conflict does not depend on who registered first: a long name finds a registration under its initials even
when the registry also holds its exact twin (bug found in review: the demo's "Bayerische Motoren Werke
Aktiengesellschaft" missed Andes' "BMW" because Northwind's own "Bayerische Motoren Werke AG" matched exactly)."""
from __future__ import annotations

from opportunities.matching import CompanyIndex
from opportunities.registrations.services.decisions import approve_registration
from tests.opportunities.registrations.helpers import register


def test_the_long_form_finds_the_initials_next_to_its_exact_twin_in_memory():
    index = CompanyIndex()
    index.add("long", "Bayerische Motoren Werke AG", "bmw.de", "DE")
    index.add("short", "BMW", None, "DE")
    found = {m.record_id: m.reasons for m in index.match("Bayerische Motoren Werke Aktiengesellschaft", None, "DE")}
    assert found == {"long": ["name"], "short": ["acronym"]}
    # the short form still does not expand initials when the registry holds that very name
    assert [m.record_id for m in index.match("BMW", None, "DE")] == ["short"]
    # and initials shared by two companies of the country never count
    index.add("other", "Bremer Maschinen Werk GmbH", None, "DE")
    found = {m.record_id for m in index.match("Bayerische Motoren Werke Aktiengesellschaft", None, "DE")}
    assert found == {"long"}


def test_the_long_form_conflicts_with_another_partners_initials(two_partners):
    first = register(two_partners.a, two_partners.a_admin, "Bayerische Motoren Werke AG", domain="bmw.de",
                     families=("software",))
    initials = register(two_partners.b, two_partners.b_admin, "BMW", domain="purchasing@bmw.de",
                        families=("software",))
    assert initials.status == "in_review" and [c.other_id for c in initials.conflicts] == [first.id]
    again = register(two_partners.a, two_partners.a_user, "Bayerische Motoren Werke Aktiengesellschaft",
                     families=("software", "services"))
    links = {c.other_id: (c.own, c.reasons) for c in again.conflicts}
    assert links == {first.id: (True, ["name"]), initials.id: (False, ["acronym"])}
    assert again.status == "in_review"
    # so approving the other partner's registration blocks this one, as it should
    approve_registration(two_partners.manager, initials, reject_ids=[first.id])
    from opportunities.registrations.services.decisions import blocking

    assert blocking(again) == initials
