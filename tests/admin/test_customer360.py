"""The end-customer 360: a company found by name or domain across every partner's registrations, the
leads, house accounts and orders, grouped with the conflict-detection matcher (reasons and scores)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest

from admin.backoffice.company_groups import Record, group_records
from admin.backoffice.customers import name_patterns, parse_search
from catalog.services.pricing import LineInput
from opportunities.leads.services import distribution
from opportunities.registrations.models import Registration
from opportunities.registrations.services.decisions import approve_registration, reject_registration
from opportunities.registrations.services.house_accounts import create_house_account
from orders.models import Order
from orders.services import addresses, placing
from portal.extensions import db
from tests import factories
from tests.catalog.builders import build
from tests.opportunities.leads.helpers import lead_data
from tests.opportunities.registrations.helpers import register
from tests.queries import count_queries


@dataclass
class Customers:
    p: factories.TwoPartners
    c: Any  # a third partner
    ours: Registration  # A, approved, with an order
    theirs: Registration  # B, the same company without a domain: in review
    rejected: Registration  # C, the same company, rejected long ago
    sister: Registration  # C, only the web domain in common ("QR Holding")
    foods: Registration  # a look-alike name: another company
    american: Registration  # the same name in another country: another company
    order: Order
    lead: Any


@pytest.fixture
def data(two_partners) -> Customers:
    p = two_partners
    c = factories.make_partner(name="Charlie Channel", country="DE")
    c_user = factories.make_user(c, "partner_admin")
    build()
    ours = register(p.a, p.a_user, "Quavendra Robotics GmbH", domain="https://www.quavendra.example/en",
                    families=("hardware", "software"), city="Stuttgart")
    approve_registration(p.manager, ours, 90, "3")
    addresses.add_address(p.a, {"label": "Main", "recipient": "Alpha", "street": "Hauptstr. 1",
                                "postal_code": "10115", "city": "Berlin", "country": "DE"})
    order = placing.place_lines(p.a, p.a_user, placing.OrderInput("PO-QUAV-1", "on_account", opportunity_id=ours.id),
                                [LineInput("LIC", 2)])
    theirs = register(p.b, p.b_user, "QUAVENDRA ROBOTICS", country="DE", families=("hardware",))
    rejected = register(c, c_user, "Quavendra Robotcs GmbH", families=("services",))  # a typo
    reject_registration(p.admin, rejected, "Not a real project.")
    sister = register(c, c_user, "QR Holding", domain="sales@quavendra.example", families=("services",))
    foods = register(c, c_user, "Quavendra Foods AG", domain="quavendra-foods.example")
    american = register(p.b, p.b_user, "Quavendra Robotics Inc.", country="US", domain="quavendra-us.example")
    lead = distribution.create_lead(p.admin, lead_data(company={"name": "Quavendra Robotics", "country": "DE",
                                                                "domain": "quavendra.example", "city": "Stuttgart"},
                                                       partner_id=c.id))
    db.session.flush()
    return Customers(p, c, ours, theirs, rejected, sister, foods, american, order, lead)


def get(client: Any, q: str = "", country: str = "", code: int = 200) -> str:
    response = client.get(f"/admin/customers?q={quote(q)}&country={country}")
    assert response.status_code == code, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


def groups(html: str) -> list[str]:
    """Each matching company's card, in order."""
    return re.split(r'<div class="card mb-4 customer-group" data-testid="company">', html)[1:]


def ids(card: str, table: str) -> set[int]:
    part = re.search(rf'data-testid="{table}">(.*?)</table>', card, re.S)
    return {int(i) for i in re.findall(r'<tr data-id="(\d+)"', part.group(1))} if part else set()


def test_a_name_finds_every_record_of_the_company_across_partners(client, login, data):
    d = data
    login(d.p.manager)
    html = get(client, "Quavendra Robotics", "DE")
    cards = groups(html)
    assert len(cards) == 1
    card = cards[0]
    assert ids(card, "registrations") == {d.ours.id, d.theirs.id, d.rejected.id, d.sister.id}
    assert ids(card, "leads") == {d.lead.id}
    assert d.order.number in card and "PO-QUAV-1" not in card  # the order, shown by its number
    assert re.search(rf'href="/admin/registrations/{d.ours.id}">#{d.ours.id}</a>', card)
    assert "Alpha Partners" in card and "Bravo Partners" in card and "Charlie Channel" in card
    assert "quavendra.example" in card and "4 registrations by 3 partners · 1 lead · 1 order" in card
    assert "yours" in card  # Alpha is the manager's partner
    # each record says why it belongs: its score and reasons against the search, or the record that brought it in
    row = re.search(rf'<tr data-id="{d.sister.id}">.*?</tr>', card, re.S).group(0)
    assert re.search(r"0\.9\d</span> <span class=\"small\">web domain of (registration|lead) #\d+", row)
    row = re.search(rf'<tr data-id="{d.ours.id}">.*?</tr>', card, re.S).group(0)
    assert '1.00</span> <span class="small">name' in row
    others = html.split('data-testid="others"')[1]
    assert "Quavendra Foods AG" in others and "similar name" in others
    assert "Quavendra Robotics Inc." in others and "same name, other country" in others


def test_a_web_domain_finds_the_same_company_and_the_records_linked_to_it_by_name(client, login, data):
    d = data
    login(d.p.admin)
    cards = groups(get(client, "www.QUAVENDRA.example"))
    assert len(cards) == 1
    assert ids(cards[0], "registrations") == {d.ours.id, d.theirs.id, d.rejected.id, d.sister.id}
    assert "0.98</span> <span class=\"small\">web domain" in cards[0]
    assert re.search(r"name of (registration|lead) #\d+", cards[0])  # the ones without the domain


def test_the_same_name_in_another_country_is_another_company(client, login, data):
    d = data
    login(d.p.admin)
    cards = groups(get(client, "Quavendra Robotics"))  # no country: tried in each candidate's country
    assert len(cards) == 2
    assert {d.american.id} in (ids(c, "registrations") for c in cards)
    html = get(client, "Quavendra Robotics", "US")
    assert len(groups(html)) == 1 and ids(groups(html)[0], "registrations") == {d.american.id}
    assert "same name, other country" in html


def test_similar_names_of_different_companies_are_kept_apart(client, login, two_partners):
    p = two_partners
    air = register(p.a, p.a_user, "Delta Air Lines, Inc.", country="US", domain="delta.com")
    air2 = register(p.b, p.b_user, "DELTA AIRLINES", country="US")
    dental = register(p.b, p.b_user, "Delta Dental of California", country="US", domain="deltadentalins.com")
    login(p.admin)
    html = get(client, "Delta Air Lines")
    cards = groups(html)
    assert len(cards) == 1 and ids(cards[0], "registrations") == {air.id, air2.id}
    assert "Delta Dental of California" in html.split('data-testid="others"')[1]
    assert dental.id not in ids(cards[0], "registrations")
    only_delta = get(client, "Delta")
    assert groups(only_delta) == [] and "No company is the same as “Delta”" in only_delta


def test_a_house_account_shows_with_its_registrations(client, login, two_partners):
    p = two_partners
    create_house_account(p.admin, {"name": "Initech GmbH", "domain": "initech.de", "country": "DE",
                                   "vat_id": "DE811907980"})
    reg = register(p.a, p.a_user, "INITECH Deutschland", vat="DE 811 907 980")
    login(p.manager)
    cards = groups(get(client, "initech.de"))
    assert len(cards) == 1 and "house account" in cards[0] and "Initech GmbH" in cards[0]
    assert ids(cards[0], "registrations") == {reg.id} and "VAT id" in cards[0]


def test_searches_that_cannot_name_a_company(client, login, two_partners):
    login(two_partners.admin)
    assert "Find every deal registration" in get(client)
    assert "free e-mail provider" in get(client, "someone@gmail.com")
    assert "letters or digits" in get(client, "!!! ---")
    assert "No registration, lead or house account names this company." in get(client, "Zyxwvut Nothing")


def test_only_staff_reach_the_customer_360(client, login, data):
    d = data
    for user in (d.p.a_admin, d.p.a_user, d.p.b_user):
        login(user)
        assert client.get("/admin/customers?q=Quavendra").status_code == 403
    for user in (d.p.admin, d.p.manager, d.p.ops):
        login(user)
        assert client.get("/admin/customers?q=Quavendra").status_code == 200
    assert client.application.test_client().get("/admin/customers").status_code == 302


def test_a_search_costs_the_same_queries_whatever_it_finds(client, login, data):
    d = data
    login(d.p.admin)
    get(client, "Quavendra Robotics", "DE")  # warm-up
    with count_queries() as few:
        get(client, "Quavendra Robotics", "DE")
    for n in range(6):
        register(d.p.a, d.p.a_user, "Quavendra Robotics GmbH", families=(f"fam{n}",))
        distribution.create_lead(d.p.admin, lead_data(company={"name": f"Quavendra Robotics Plant {n}",
                                                               "country": "DE", "domain": "quavendra.example"},
                                                      families=[f"fam{n}"]))
    db.session.flush()
    with count_queries() as many:
        html = get(client, "Quavendra Robotics", "DE")
    assert len(ids(groups(html)[0], "registrations")) == 10
    assert len(many) == len(few), "\n\n".join(many)
    assert len(many) <= 12, len(many)


# --- the pure parts --------------------------------------------------------------------------------

def test_parse_search_tells_names_from_domains():
    assert parse_search("bmw.de").domain == "bmw.de"
    assert parse_search("purchasing@BMW.de").domain == "bmw.de"
    assert parse_search("https://www.siemens.com/de").domain == "siemens.com"
    assert parse_search("Siemens AG", "de").name == "Siemens AG" and parse_search("Siemens AG", "de").country == "DE"
    assert parse_search("gmail.com").problem and parse_search("").empty


def test_name_patterns_keep_the_distinctive_words():
    assert name_patterns("Quavendra Robotics GmbH") == ["quaven", "roboti"]  # long words: their first letters
    assert name_patterns("The Global Systems Group") == ["global", "systems", "group"]  # all generic: keep them
    assert "müller" in name_patterns("Müller Maschinenbau AG")


def test_group_records_uses_the_conflict_matcher():
    records = [
        Record(("r", 1), "Siemens Aktiengesellschaft", "siemens.com", "DE"),
        Record(("r", 2), "SIEMENS AG (Germany)", None, "DE"),
        Record(("r", 3), "Siemens Healthcare Diagnostics Inc.", "siemens-healthineers.com", "US"),
        Record(("l", 4), "Sie Mens Catering", None, "DE"),
        Record(("h", 5), "Acme Corp", "siemens.com", "US"),
    ]
    found = group_records(records, "Siemens", None, "DE")
    first = found[0]
    assert first.matched and {m.key for m in first.members} == {("r", 1), ("r", 2), ("h", 5)}
    assert first.links[("r", 1)].via is None and first.links[("r", 1)].reasons == ("name",)
    assert first.links[("h", 5)].via == ("r", 1) and first.links[("h", 5)].reasons == ("domain",)
    assert all(not g.matched for g in found[1:])
    assert {("l", 4)} in ({m.key for m in g.members} for g in found[1:])
