"""Countries, regions and currencies (docs/security.md "Countries, regions, currencies"): HTML forms
offer select fields, APIs take the code in any case and store it upper case, an unknown code is a
4xx on the field and nothing is written. Regions come from the `REGIONS` setting (the older
`APPLICATION_REGIONS` is its alias), currencies are the current ISO 4217 ones (or `CURRENCIES`)."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from opportunities.leads.models import Lead, LeadImport
from orders.models import Order, ShipToAddress
from portal import choices
from portal.config import load_config
from portal.extensions import db
from portal.models import Partner
from tests.opportunities.leads.helpers import make_lead
from tests.orders.conftest import catalog  # noqa: F401
from tests.orders.test_order_pages import checkout_data, fill_cart

PARTNER = {"name": "Delta Distribution", "kind": "distributor", "tier": "gold", "country": "NL", "region": "EMEA",
           "currency": "EUR", "credit_limit": "75000.00", "payment_terms_days": "30", "status": "active",
           "manager_id": ""}
API_PARTNER = {"name": "Gamma GmbH", "kind": "distributor", "tier": "gold", "country": "de", "region": "emea",
               "currency": "eur", "credit_limit": "1000.00", "payment_terms_days": 30}
LEAD = {"company": {"name": "Kappa Kitchens GmbH", "country": "de"}, "families": ["hardware"], "region": "emea"}


def options_of(html: str, name: str) -> list[tuple[str, str]]:
    """The (value, label) options of the <select name=...> in a page."""
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no select named {name}"
    return re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', match.group(1))


def invalid_feedback(html: str, name: str) -> str:
    """The error text shown under a field."""
    match = re.search(rf'name="{name}".*?<div class="invalid-feedback[^"]*"[^>]*>(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


# --- partners -----------------------------------------------------------------------------------

def test_the_partner_form_offers_countries_regions_and_currencies_as_selects(client, two_partners, login):
    login(two_partners.admin)
    html = client.get("/admin/partners/new").get_data(as_text=True)
    countries = options_of(html, "country")[1:]
    assert ("DE", "Germany (DE)") in countries and len(countries) == len(choices.countries())
    labels = [label for _, label in countries]
    assert labels == sorted(labels)  # by name
    assert [v for v, _ in options_of(html, "region")] == ["", "APAC", "EMEA", "LATAM", "NA"]
    currencies = dict(options_of(html, "currency"))
    assert currencies["EUR"] == "EUR · Euro" and "JPY" in currencies and "XAU" not in currencies


def test_unknown_codes_in_the_partner_form_are_shown_next_to_the_fields(client, two_partners, login):
    login(two_partners.admin)
    r = client.post("/admin/partners/new", data=dict(PARTNER, country="XX", region="MARS", currency="XAU"))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "not an ISO 3166 alpha-2 country code" in invalid_feedback(html, "country")
    assert "not a sales region" in invalid_feedback(html, "region")
    assert "not a supported ISO 4217 currency" in invalid_feedback(html, "currency")
    assert 'value="Delta Distribution"' in html  # the input is kept
    assert db.session.scalar(select(func.count()).select_from(Partner)) == 2


def test_editing_a_partner_to_a_free_text_region_is_refused(client, two_partners, login):
    login(two_partners.manager)
    r = client.post(f"/admin/partners/{two_partners.b.id}/edit",
                    data=dict(PARTNER, name="Bravo Partners", country="FR", region="Western Europe"))
    assert r.status_code == 422 and "not a sales region" in r.get_data(as_text=True)
    db.session.refresh(two_partners.b)
    assert two_partners.b.region == "EMEA"


def test_the_partner_api_normalises_codes_and_refuses_unknown_ones(two_partners, api):
    client = api(two_partners.admin)
    created = client.post("/partners", API_PARTNER)
    assert created.status_code == 201
    assert (created.json["country"], created.json["region"], created.json["currency"]) == ("DE", "EMEA", "EUR")
    bad = client.post("/partners", dict(API_PARTNER, name="Zeta", country="Germany", region="Mars", currency="ABC"))
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) >= {"country", "region", "currency"}
    assert "not a sales region" in bad.json["error"]["fields"]["region"]
    partner_id = created.json["id"]
    assert client.patch(f"/partners/{partner_id}", {"region": "dach"}).status_code == 422
    assert client.patch(f"/partners/{partner_id}", {"currency": "XTS"}).status_code == 422
    patched = client.patch(f"/partners/{partner_id}", {"region": " apac ", "currency": "jpy"})
    assert patched.status_code == 200 and patched.json["region"] == "APAC" and patched.json["currency"] == "JPY"
    assert db.session.scalar(select(func.count()).select_from(Partner).where(Partner.name == "Zeta")) == 0


def test_wrong_types_for_codes_are_a_4xx(two_partners, api):
    for body in ({"country": 49}, {"region": ["EMEA"]}, {"currency": {"code": "EUR"}}):
        r = api(two_partners.admin).post("/partners", dict(API_PARTNER, **body))
        assert r.status_code in (400, 422) and r.json["error"]["fields"]


# --- leads --------------------------------------------------------------------------------------

def test_the_lead_api_takes_configured_regions_only(two_partners, api):
    client = api(two_partners.manager)
    r = client.post("/leads", LEAD)
    assert r.status_code == 201
    lead = db.session.get(Lead, r.json["id"])
    assert (lead.company_country, lead.region) == ("DE", "EMEA")
    bad = client.post("/leads", dict(LEAD, region="Atlantis", company={"name": "Lambda", "country": "zz"}))
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) >= {"region", "company.country"}
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 1


def test_the_pool_api_takes_configured_regions_only(two_partners, api):
    lead = make_lead(two_partners.manager)
    client = api(two_partners.manager)
    bad = client.post(f"/leads/{lead.id}/pool", {"region": "Mars"})
    assert bad.status_code == 422 and "not a sales region" in bad.json["error"]["fields"]["region"]
    db.session.refresh(lead)
    assert lead.region == "EMEA"
    ok = client.post(f"/leads/{lead.id}/pool", {"region": "latam"})
    assert ok.status_code == 200 and ok.json["region"] == "LATAM"


def test_the_staff_lead_form_has_selects_and_refuses_unknown_regions(client, login, two_partners):
    login(two_partners.manager)
    html = client.get("/admin/leads/new").get_data(as_text=True)
    assert [v for v, _ in options_of(html, "region")] == ["", "APAC", "EMEA", "LATAM", "NA"]
    assert ("FR", "France (FR)") in options_of(html, "company_country")
    r = client.post("/admin/leads/new", data={"company_name": "Formed Foods", "company_country": "DE",
                                               "families": "hardware", "region": "Nowhere"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "not a sales region" in html and 'value="Formed Foods"' in html
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 0


def test_putting_a_lead_in_an_unknown_regions_pool_is_refused(client, login, two_partners):
    login(two_partners.manager)
    lead = make_lead(two_partners.manager)
    r = client.post(f"/admin/leads/{lead.id}/pool", data={"region": "MOON", "reason": "x"})
    assert r.status_code == 422 and "not a sales region" in r.get_data(as_text=True)
    db.session.refresh(lead)
    assert lead.region == "EMEA"
    r = client.post(f"/admin/leads/{lead.id}/pool", data={"region": "apac", "reason": "x"})
    assert r.status_code == 302
    db.session.refresh(lead)
    assert lead.region == "APAC"


def test_lead_import_rows_with_unknown_regions_or_countries_are_problems(client, login, two_partners):
    login(two_partners.manager)
    csv = ("Company;Country;Region;Families\n"
           "Good GmbH;de;emea;hardware\n"
           "Bad Region SA;FR;Western Europe;software\n"
           "Bad Country Ltd;England;EMEA;hardware\n").encode()
    r = client.post("/admin/leads/import", data={"file": (io.BytesIO(csv), "leads.csv")},
                    content_type="multipart/form-data")
    job = db.session.query(LeadImport).one()
    assert r.status_code in (302, 422) and job.status != "ready"
    html = client.get(f"/admin/leads/imports/{job.id}").get_data(as_text=True)
    assert "not a sales region" in html and "not an ISO 3166" in html
    assert db.session.scalar(select(func.count()).select_from(Lead)) == 0


# --- ship-to addresses --------------------------------------------------------------------------

def test_the_checkout_and_address_book_offer_a_country_select(client, login, two_partners, catalog):
    login(two_partners.a_user)
    fill_cart(two_partners.a, two_partners.a_user)
    html = client.get("/checkout").get_data(as_text=True)
    assert ("DE", "Germany (DE)") in options_of(html, "country")
    html = client.get("/orders/addresses").get_data(as_text=True)
    assert ("JP", "Japan (JP)") in options_of(html, "country")


def test_an_unknown_ship_to_country_is_refused_and_nothing_is_ordered(client, login, two_partners, catalog):
    login(two_partners.a_user)
    fill_cart(two_partners.a, two_partners.a_user)
    r = client.post("/checkout/review", data=checkout_data("new", recipient="Depot", street="Rue 1", city="Paris",
                                                           country="FX"))
    assert r.status_code == 422 and "ISO 3166" in r.get_data(as_text=True) and 'value="Depot"' in r.get_data(
        as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    before = db.session.scalar(select(func.count()).select_from(ShipToAddress))
    r = client.post("/orders/addresses", data={"label": "Depot", "recipient": "Depot", "street": "Rue 1",
                                               "city": "Paris", "country": "France"})
    assert r.status_code == 422 and "ISO 3166" in invalid_feedback(r.get_data(as_text=True), "country")
    assert db.session.scalar(select(func.count()).select_from(ShipToAddress)) == before
    r = client.post("/orders/addresses", data={"label": "Depot", "recipient": "Depot", "street": "Rue 1",
                                               "city": "Paris", "country": "FR"})
    assert r.status_code == 302


# --- settings and demo data ---------------------------------------------------------------------

def test_regions_come_from_REGIONS_and_APPLICATION_REGIONS_stays_an_alias(tmp_path):
    default = load_config(str(tmp_path), {"SECRET_KEY": "x"})
    assert default["REGIONS"] == default["APPLICATION_REGIONS"] == ("APAC", "EMEA", "LATAM", "NA")
    old = load_config(str(tmp_path), {"SECRET_KEY": "x", "APPLICATION_REGIONS": ("EU", "US")})
    assert old["REGIONS"] == old["APPLICATION_REGIONS"] == ("EU", "US")
    new = load_config(str(tmp_path), {"SECRET_KEY": "x", "REGIONS": ("DACH", "NORDICS")})
    assert new["REGIONS"] == new["APPLICATION_REGIONS"] == ("DACH", "NORDICS")


def test_the_REGIONS_and_CURRENCIES_settings_apply_to_the_api(app, two_partners, api):
    saved = {k: app.config[k] for k in ("REGIONS", "CURRENCIES")}
    app.config.update(REGIONS=("DACH", "NORDICS"), CURRENCIES=("EUR", "CHF"))
    try:
        client = api(two_partners.admin)
        assert client.post("/partners", dict(API_PARTNER, region="emea")).status_code == 422
        assert client.post("/partners", dict(API_PARTNER, region="dach", currency="usd")).status_code == 422
        ok = client.post("/partners", dict(API_PARTNER, region="dach", currency="chf"))
        assert ok.status_code == 201 and (ok.json["region"], ok.json["currency"]) == ("DACH", "CHF")
    finally:
        app.config.update(saved)


@pytest.mark.parametrize("code", ["XAU", "XXX", "XTS", "DEM", "BOV"])
def test_metals_test_codes_old_and_fund_currencies_are_not_supported(app, code):
    with pytest.raises(ValueError):
        choices.check_currency(code)


def test_the_demo_data_uses_valid_codes(app):
    from opportunities.leads import demo as lead_demo
    from orders import demo as orders_demo
    from portal import demo

    for _, _, _, country, region, currency, *_ in demo.PARTNERS:
        assert choices.check_country(country) == country and choices.check_region(region) == region
        assert choices.check_currency(currency) == currency
    for _, _, country, _, _, _, region in lead_demo.LEADS:
        assert choices.check_country(country) and choices.check_region(region)
    for address in re.findall(r'"country": "([A-Z]{2})"', open(orders_demo.__file__).read()):
        assert choices.check_country(address)
