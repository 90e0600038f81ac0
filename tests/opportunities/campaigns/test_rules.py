"""Pure rules (targeting, descriptions, values), the campaign price step, results sources."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from catalog.services import pricing
from opportunities.campaigns import charts, richtext, targeting
from opportunities.campaigns.services import results, values
from opportunities.campaigns.services.pricing import campaign_discounts
from portal.extension_points import registry
from portal.money import Money
from tests.catalog.builders import build
from tests.opportunities.campaigns.builders import TODAY, approved_request, make_campaign


@pytest.mark.parametrize("tiers,regions,kinds,expected", [
    ([], [], [], True), (["silver"], [], [], True), (["gold"], [], [], False), ([], ["emea "], [], True),
    ([], ["NA"], [], False), ([], [], ["reseller"], True), ([], [], ["agent"], False),
    (["silver", "gold"], ["EMEA", "APAC"], ["reseller", "distributor"], True),
])
def test_targeting(tiers, regions, kinds, expected):
    assert targeting.targets(tiers, regions, kinds, tier="silver", region="EMEA", kind="reseller") is expected


def test_targeting_descriptions():
    assert targeting.describe([], [], []) == "All partners"
    assert targeting.describe(["platinum", "gold"], ["EMEA"], []) == "Gold and platinum partners in EMEA"
    assert targeting.describe([], ["NA", "LATAM"], ["agent", "reseller"]) == "Resellers and agents in NA and LATAM"


def test_values():
    errors: dict[str, str] = {}
    assert values.amount("12.5", "JPY", "a", errors, positive=True) is None and "0 decimal places" in errors["a"]
    assert values.amount("1E+3", "EUR", "b", errors, positive=False) == Money(100000, "EUR")
    assert values.percent("12.345", "p", errors) is None and errors["p"] == "At most 2 decimal places."
    assert values.percent("", "q", errors) is None and "q" not in errors
    assert values.day("2026-02-30", "d", errors) is None and errors["d"] == "Use a date in the form YYYY-MM-DD."
    assert values.percent_text(Decimal("12.50")) == "12.5"


def test_rich_descriptions_are_sanitised():
    html = str(richtext.render("# Title\n\n**bold** <img src=x onerror=alert(1)> [x](javascript:alert(1)) "
                               "[ok](https://example.com)"))
    assert "<strong>bold</strong>" in html and "<img" not in html and "javascript" not in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">ok</a>' in html
    assert "<h1>" not in html
    assert richtext.summary("word " * 100, 20).endswith("…")
    assert richtext.summary("Before.\n\n- one offer\n- two offers\n\nAfter") == "Before. one offer · two offers After"


def test_chart_escapes_labels():
    svg = str(charts.bar_chart([charts.Bar("<b>x</b>", 5, "5"), charts.Bar("y", 10, "10")], title="T & co"))
    assert "&lt;b&gt;x&lt;/b&gt;" in svg and 'aria-label="T &amp; co"' in svg and svg.count("<rect") == 4
    assert "Nothing to show yet." in str(charts.bar_chart([], title="empty"))


def test_campaign_price_is_a_waterfall_step_during_the_campaign_only(two_partners):
    build()
    campaign = make_campaign(two_partners.admin, products=["SRV"], price_rule_percent="10", tiers=["silver"])
    make_campaign(two_partners.admin, name="Smaller", products=["SRV"], price_rule_percent="4")
    lines = pricing.lines_from([{"sku": "SRV", "quantity": 1, "options": ["CPU-8", "RAM-32"]}])
    during = pricing.price_lines(two_partners.a, lines).lines[0]
    steps = {s.step: s for s in during.waterfall}
    assert steps["campaign"].label == "Campaign discount 10% (Spring push)"
    # 1300.00 list, less 5% silver hardware = 1235.00, less 10% campaign = 1111.50
    assert during.unit_net == Money(111150, "EUR") and steps["campaign"].amount == Money(-12350, "EUR")
    after = pricing.price_lines(two_partners.a, lines, on=campaign.ends_on + timedelta(days=1)).lines[0]
    assert "campaign" not in {s.step for s in after.waterfall} and after.unit_net == Money(123500, "EUR")
    gold = pricing.price_lines(two_partners.b, lines).lines[0]  # not targeted by the 10%: the 4% one
    assert {s.step: s.label for s in gold.waterfall}["campaign"] == "Campaign discount 4% (Smaller)"
    assert campaign_discounts(two_partners.a, TODAY, ["LIC"]) == {}
    campaign.status = "draft"
    assert campaign_discounts(two_partners.a, TODAY, ["SRV"]) == {"SRV": (Decimal("4.00"), "Smaller")}


def test_another_feature_adds_results_figures(two_partners, monkeypatch):
    campaign = make_campaign(two_partners.admin)
    approved_request(two_partners, campaign, "1500.00")

    def pipeline(c):
        return {two_partners.b.id: {"pipeline": Money(500000, "USD")}, two_partners.a.id: {"pipeline": Money(9900, "EUR")}}

    figure = results.Figure("pipeline", "Pipeline", "money")
    sources = registry().campaign_results
    monkeypatch.setattr(registry(), "campaign_results", [*sources, results.ResultSource((figure,), pipeline)])
    res = results.campaign_results(campaign)
    assert [f.key for f in res.figures][-1] == "pipeline" and res.enrolled == 1
    assert [r.partner.name for r in res.rows] == ["Alpha Partners", "Bravo Partners"]
    assert res.totals["pipeline"] == [Money(9900, "EUR"), Money(500000, "USD")]
    assert res.totals["mdf_approved"] == [Money(150000, "EUR")] and res.totals["mdf_requests"] == 1
    assert res.mdf("mdf_paid") == Money(0, "EUR")
    assert "pipeline,pipeline_currency" in results.results_csv(res).splitlines()[0]


def test_the_cart_and_the_configurator_show_the_campaign_price_too(two_partners):
    from catalog.services import carts

    build()
    make_campaign(two_partners.admin, products=["SRV"], price_rule_percent="10", tiers=["silver"])
    carts.add_line(two_partners.a, two_partners.a_user, "SRV", 1, ["CPU-8", "RAM-32"])
    item, = carts.price_cart(two_partners.a, two_partners.a_user).items
    assert item.price.unit_net == Money(111150, "EUR")
    assert "campaign" in {s.step for s in item.price.waterfall}
