"""A NUL character in any text (PostgreSQL cannot store it) is never a 500: over HTTP the portal refuses it
with a 400 before any view runs (portal.errors.refuse_nul_characters); the services also refuse it field by
field (422), for callers outside a request such as the CLI import."""
from __future__ import annotations

from opportunities.registrations.models import HouseAccount, Registration
from portal.extensions import db
from tests.opportunities.registrations.helpers import CLOSE, payload, register


def test_nul_characters_are_refused_in_the_api(two_partners, api):
    client = api(two_partners.a_user)
    cases = [(payload(name="Acme\u0000Corp"), "customer.name"),
             (payload(customer_city="Ki\u0000el"), "customer.city"),
             (payload(customer_domain="a\u0000.com"), "customer.domain"), (payload(notes="x\u0000"), "notes"),
             (payload(customer_vat_id="DE1\u00002"), "customer.vat_id"),
             (payload(contact={"name": "P\u0000"}), "contact.name"), (payload(families=None, skus=["A\u0000"]), "skus")]
    for body, field in cases:
        r = client.post("/opportunities", body)
        assert r.status_code == 400 and r.json["error"]["code"] == "nul_character", (field, r.json)
    assert db.session.query(Registration).count() == 0
    reg = register(two_partners.a, two_partners.a_user)
    r = client.post(f"/opportunities/{reg.id}/outcome", {"result": "lost", "reason": "gone\u0000"})
    assert r.status_code == 400 and "NUL" in r.json["error"]["message"]
    staff = api(two_partners.manager)
    r = staff.post(f"/opportunities/{reg.id}/reject", {"reason": "no\u0000"})
    assert r.status_code == 400
    r = staff.post("/house-accounts", {"name": "Globex", "country": "US", "notes": "\u0000"})
    assert r.status_code == 400
    assert db.session.get(Registration, reg.id).status == "submitted" and db.session.query(HouseAccount).count() == 0


def test_nul_characters_are_refused_on_the_form(client, login, two_partners):
    login(two_partners.a_user)
    r = client.post("/opportunities/new", data={"customer_name": "Acme\x00Corp", "customer_country": "DE",
                                                "families": ["hardware"], "amount": "5", "currency": "EUR",
                                                "expected_close": CLOSE})
    assert r.status_code == 400 and b"NUL characters" in r.data
    assert db.session.query(Registration).count() == 0


def test_the_service_names_each_field_with_a_nul_character():
    """Outside a request (CLI, imports) the service refuses NUL field by field."""
    from datetime import date

    import pytest

    from opportunities.registrations.services.inputs import CustomerInput, RegistrationError, RegistrationInput, clean_registration

    data = RegistrationInput(customer=CustomerInput(name="Acme\x00Corp", country="DE", city="Ki\x00el"),
                             families=["hardware"], amount="5", currency="EUR", expected_close="2099-01-01",
                             notes="x\x00")
    with pytest.raises(RegistrationError) as caught:
        clean_registration(data, date(2026, 11, 22))
    assert {"customer.name", "customer.city", "notes"} <= set(caught.value.fields)
    assert caught.value.fields["customer.name"] == "Contains a NUL character."
