"""Pricing against the database: book selection, discounts, errors and a fixed query count."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from catalog.services import pricebooks, pricing
from catalog.services.pricing import LineInput, PricingFailed
from portal.extension_points import registry
from portal.extensions import db
from tests.catalog.builders import TODAY, build
from tests.queries import count_queries
from tests.factories import make_partner


def test_silver_partner_prices_with_tier_discount_and_volume_tier(app, two_partners):
    build()
    a = two_partners.a  # silver, EUR
    doc = pricing.price_lines(a, [LineInput("SRV", 10, ("CPU-8", "RAM-32")), LineInput("LIC", 1)])
    server, lic = doc.lines
    # list 1000+200+100 = 1300; volume tier 900 -> 1200; silver hardware 5% -> 1140.00
    assert server.unit_list.as_str() == "1300.00" and server.unit_net.as_str() == "1140.00"
    assert server.line_total.as_str() == "11400.00"
    assert lic.unit_net.as_str() == "99.99"  # no silver software discount
    assert doc.total.as_str() == "11499.99"
    steps = [s.step for s in server.waterfall]
    assert steps == ["list", "volume_tier", "tier_discount", "net"]


def test_contract_price_is_one_partners_only(app, two_partners):
    build()
    pricebooks.set_contract_prices(two_partners.a, None, [{"code": "LIC", "unit_price": "50.00"}])
    b = two_partners.b
    b.currency = "EUR"
    assert pricing.list_prices(two_partners.a, [_lic()])["LIC"].as_str() == "50.00"
    assert pricing.list_prices(b, [_lic()])["LIC"].as_str() == "79.99"  # gold software 20%: 79.992


def _lic():
    from catalog.services.products import get_by_sku

    return get_by_sku("LIC")


def test_expired_contract_price_falls_back_to_the_book(app, two_partners):
    build()
    pricebooks.set_contract_prices(two_partners.a, None, [
        {"code": "LIC", "unit_price": "50.00", "valid_to": (TODAY - timedelta(days=1)).isoformat()}])
    assert pricing.list_prices(two_partners.a, [_lic()])["LIC"].as_str() == "99.99"


def test_assigned_book_and_future_book(app, two_partners):
    build()
    pricebooks.create_price_book(None, {"name": "Next", "currency": "EUR",
                                                 "valid_from": TODAY + timedelta(days=10),
                                                 "entries": [{"code": "LIC", "unit_price": "120.00"}]})
    a = two_partners.a
    assert pricing.list_prices(a, [_lic()])["LIC"].as_str() == "99.99"
    assert pricing.list_prices(a, [_lic()], on=TODAY + timedelta(days=10))["LIC"].as_str() == "120.00"
    special = pricebooks.create_price_book(None, {"name": "Special", "currency": "EUR", "valid_from": TODAY,
                                                  "entries": [{"code": "LIC", "unit_price": "60.00"}]})
    a.price_book_id = special.id
    db.session.flush()
    assert pricing.list_prices(a, [_lic()])["LIC"].as_str() == "60.00"


def test_no_price_book_in_the_currency_is_a_clear_error(app, two_partners):
    build()
    partner = make_partner(currency="CHF")
    with pytest.raises(PricingFailed) as exc:
        pricing.price_lines(partner, [LineInput("LIC", 1)])
    assert "No price book in CHF" in exc.value.message
    assert pricing.list_prices(partner, [_lic()]) == {"LIC": None}


def test_every_bad_line_is_reported(app, two_partners):
    build()
    from catalog.services.products import get_by_sku

    get_by_sku("LIC").active = False
    with pytest.raises(PricingFailed) as exc:
        pricing.price_lines(two_partners.a, [
            LineInput("NOPE", 1), LineInput("LIC", 1), LineInput("SRV", 0, ("CPU-8", "RAM-32")),
            LineInput("SRV", 2, ("CPU-16", "RAM-32")), LineInput("SRV", 10**9, ("CPU-8", "RAM-32")),
            LineInput("SRV", "two", ("CPU-8", "RAM-32")), LineInput("SRV", 1, ("RAM-32",)),
        ])
    fields = exc.value.fields
    assert fields["lines.0.sku"] == "Unknown SKU NOPE."
    assert "no longer available" in fields["lines.1.sku"]
    assert fields["lines.2.quantity"] == "The quantity must be at least 1."
    assert "requires" in fields["lines.3.options"] and "PSU-HI" in fields["lines.3.options"]
    assert "at most" in fields["lines.4.quantity"]
    assert "whole number" in fields["lines.5.quantity"]
    assert "Choose at least 1 of Processor" in fields["lines.6.options"]


def test_code_without_price_is_reported_on_its_line(app, two_partners):
    build()
    from catalog.services import products

    products.create_product(None, {"sku": "NEW", "name": "Unpriced", "family": "hardware"})
    with pytest.raises(PricingFailed) as exc:
        pricing.price_lines(two_partners.a, [LineInput("LIC", 1), LineInput("NEW", 1)])
    assert "NEW" in exc.value.fields["lines.1.sku"]


@pytest.mark.parametrize("n", [1, 200])
def test_pricing_a_cart_takes_a_fixed_number_of_queries(app, two_partners, n):
    build(extra_products=200)
    lines = [LineInput(f"ACC-{i:04d}", i) for i in range(1, n + 1)]
    lines[0] = LineInput("SRV", 3, ("CPU-16", "RAM-64", "PSU-HI"))
    db.session.expire_all()
    partner = two_partners.a
    partner.name  # loaded outside the count
    with count_queries() as statements:
        doc = pricing.price_lines(partner, lines)
    assert len(doc.lines) == n
    # products + rules, books with tier discounts, entries with contract prices, and one per
    # registered campaign price rule provider (the campaigns feature adds one)
    assert len(statements) == 4 + len(registry().campaign_discounts), statements


def test_campaign_price_rules_from_the_hook_are_their_own_step(app, two_partners, monkeypatch):
    build()
    a = two_partners.a
    seen = []

    def provider(partner, on, skus, cached=False):
        seen.append((partner.id, on, set(skus)))
        return {"SRV": (Decimal("10"), "Spring servers")} if on == TODAY else {}

    monkeypatch.setattr(registry(), "campaign_discounts", [provider])
    doc = pricing.price_lines(a, [LineInput("SRV", 10, ("CPU-8", "RAM-32")), LineInput("LIC", 1)], on=TODAY)
    server, lic = doc.lines
    assert [s.step for s in server.waterfall] == ["list", "volume_tier", "tier_discount", "campaign", "net"]
    assert server.unit_net.as_str() == "1026.00"  # 1140.00 less 10%
    assert "Spring servers" in server.waterfall[3].label
    assert [s.step for s in lic.waterfall] == ["list", "net"]
    assert seen[0] == (a.id, TODAY, {"SRV", "LIC"})
    later = pricing.price_lines(a, [LineInput("SRV", 10, ("CPU-8", "RAM-32"))], on=TODAY + timedelta(days=1))
    assert "campaign" not in [s.step for s in later.lines[0].waterfall]
    assert pricing.list_prices(a, [_srv()], on=TODAY)["SRV"] < pricing.list_prices(
        a, [_srv()], on=TODAY + timedelta(days=1))["SRV"]


def _srv():
    from catalog.services.products import get_by_sku

    return get_by_sku("SRV")


def test_the_pricer_reads_the_inputs_once_and_prices_like_every_adapter(app, two_partners):
    build()
    a = two_partners.a
    doc = pricing.price_lines(a, [LineInput("SRV", 10, ("CPU-8", "RAM-32")), LineInput("LIC", 1)])
    a.name  # loaded outside the count
    with count_queries() as statements:
        pricer = pricing.Pricer.load(a, {"SRV", "CPU-8", "RAM-32", "LIC"}, TODAY, skus={"SRV", "LIC"})
    assert len(statements) == 2 + len(registry().campaign_discounts)
    with count_queries() as statements:
        server, lic = pricer.line("SRV", "hardware", 10, ("CPU-8", "RAM-32")), pricer.line("LIC", "software", 1)
    assert statements == []  # pricing a line is pure
    assert (server, lic) == doc.lines and pricer.currency == "EUR"
    assert pricing.list_prices(a, [_lic()])["LIC"] == pricer.line("LIC", "software", 1).unit_net
