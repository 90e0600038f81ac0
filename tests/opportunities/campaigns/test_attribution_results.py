"""Campaign results of attributed registrations and leads, checked against data built here: per partner
and in total, on the staff results page (figures, chart, CSV, API), in the staff campaign report, and a
query count that does not grow with the number of registrations."""
from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from admin.reports import campaigns as campaign_report
from admin.reports.filters import Filters
from opportunities.campaigns.models import Campaign
from opportunities.campaigns.services import results
from opportunities.leads.models import Lead
from opportunities.registrations.models import Registration
from orders.models import Order
from portal.extensions import db
from portal.money import Money
from tests.factories import make_partner
from tests.opportunities.campaigns.builders import TODAY, make_campaign
from tests.queries import count_queries

_n = itertools.count(1)
NOW = datetime.now(timezone.utc)


def eur(amount: str) -> Money:
    return Money.from_decimal(amount, "EUR")


def order(partner: Any, total_minor: int, currency: str | None = None) -> Order:
    o = Order(partner_id=partner.id, status="closed", payment_method="on_account", po_number=f"PO-{next(_n)}",
              currency=currency or partner.currency, total_minor=total_minor, created_at=NOW, updated_at=NOW)
    db.session.add(o)
    db.session.flush()
    return o


def reg(partner: Any, campaign: Campaign | None, status: str, amount_minor: int, currency: str = "EUR",
        won_order: Order | None = None) -> Registration:
    item = Registration(partner_id=partner.id, customer_name=f"Customer {next(_n)}", customer_country="DE",
                        families=["hardware"], amount_minor=amount_minor, currency=currency, status=status,
                        submitted_at=NOW, campaign_id=campaign.id if campaign else None,
                        won_order_id=won_order.id if won_order else None)
    db.session.add(item)
    db.session.flush()
    return item


def lead(partner: Any | None, campaign: Campaign | None, status: str) -> Lead:
    name = f"Lead company {next(_n)}"
    item = Lead(company_name=name, company_key=name.lower(), company_country="DE", region="EMEA",
                families=["hardware"], status=status, owner_partner_id=partner.id if partner else None,
                due_at=NOW + timedelta(days=5) if status in ("assigned", "claimed") else None,
                campaign_id=campaign.id if campaign else None)
    db.session.add(item)
    db.session.flush()
    return item


@dataclass
class World:
    campaign: Campaign
    other: Campaign
    t: Any


@pytest.fixture
def world(two_partners) -> World:
    t = two_partners
    t.b.manager_id = None
    campaign = make_campaign(t.admin, name="Spring Push", mdf_budget="10000.00")
    other = make_campaign(t.admin, name="Other Push")
    # Alpha: 8 attributed, pipeline 1000 + 2000 + 3000, won 4500 (its order's total, not the 4000 estimated) + 1500
    reg(t.a, campaign, "submitted", 100_000)
    reg(t.a, campaign, "in_review", 200_000)
    reg(t.a, campaign, "approved", 300_000)
    reg(t.a, campaign, "won", 400_000, won_order=order(t.a, 450_000))
    reg(t.a, campaign, "won", 150_000)
    for status in ("lost", "rejected", "expired"):
        reg(t.a, campaign, status, 999_900)
    reg(t.a, None, "approved", 1_234_500)  # not attributed
    reg(t.a, other, "approved", 1_234_500)  # another campaign's
    # Bravo: 3 attributed; one open in USD and one won with a USD order are counted apart
    reg(t.b, campaign, "approved", 250_000)
    reg(t.b, campaign, "submitted", 80_000, currency="USD")
    reg(t.b, campaign, "won", 70_000, won_order=order(t.b, 90_000, "USD"))
    lead(t.a, campaign, "claimed")
    lead(t.a, campaign, "converted")
    lead(t.b, campaign, "assigned")
    lead(None, campaign, "pool")  # nobody's yet: not per partner
    lead(t.a, other, "claimed")
    return World(campaign, other, t)


def test_figures_per_partner_and_in_total(world):
    res = results.campaign_results(world.campaign)
    rows = {r.partner.name: r.values for r in res.rows}
    assert set(rows) == {"Alpha Partners", "Bravo Partners"}  # not enrolled, but they have figures
    a, b = rows["Alpha Partners"], rows["Bravo Partners"]
    assert (a["registrations"], a["pipeline"], a["won"], a["other_currency"]) == (8, eur("6000"), eur("6000"), 0)
    assert (a["leads"], a["leads_converted"]) == (2, 1)
    assert (b["registrations"], b["pipeline"], b["won"], b["other_currency"]) == (3, eur("2500"), eur("0"), 2)
    assert (b["leads"], b["leads_converted"]) == (1, 0)
    assert res.totals["registrations"] == 11 and res.totals["other_currency"] == 2
    assert res.totals["pipeline"] == [eur("8500")] and res.totals["won"] == [eur("6000")]
    assert (res.totals["leads"], res.totals["leads_converted"]) == (3, 1)
    assert res.mdf("pipeline") == eur("8500")
    other = {r.partner.name: r.values for r in results.campaign_results(world.other).rows}
    assert other["Alpha Partners"]["registrations"] == 1 and other["Alpha Partners"]["leads"] == 1


def test_results_page_shows_pipeline_and_won_with_a_chart(client, login, world):
    login(world.t.manager)
    page = client.get(f"/admin/campaigns/{world.campaign.id}/results").get_data(as_text=True)
    assert 'data-testid="deal-figures"' in page
    assert "€8,500.00" in page and "€6,000.00" in page and "2 in another currency" in page
    assert 'aria-label="Pipeline and won revenue in EUR"' in page
    assert "Alpha Partners, Pipeline: €6,000.00" in page and "Alpha Partners, Won revenue: €6,000.00" in page
    for label in ("Registrations", "Pipeline", "Won revenue", "Leads converted"):
        assert f">{label}</th>" in page


def test_results_csv_and_api_carry_the_figures(client, login, api, world):
    login(world.t.admin)
    response = client.get(f"/admin/campaigns/{world.campaign.id}/results.csv")
    rows = {r["partner"]: r for r in csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")))}
    alpha = rows["Alpha Partners"]
    assert (alpha["registrations"], alpha["pipeline"], alpha["pipeline_currency"], alpha["won"]) == \
        ("8", "6000.00", "EUR", "6000.00")
    assert (alpha["leads"], alpha["leads_converted"], rows["Bravo Partners"]["other_currency"]) == ("2", "1", "2")
    body = api(world.t.admin).get(f"/campaigns/{world.campaign.id}/results").json
    assert body["totals"]["pipeline"] == "8500.00" and body["totals"]["won"] == "6000.00"
    assert body["totals"]["registrations"] == 11


def test_the_results_page_costs_the_same_queries_whatever_the_number_of_deals(client, login, world):
    login(world.t.admin)
    url = f"/admin/campaigns/{world.campaign.id}/results"

    def count() -> int:
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    before = count()
    for i in range(6):
        partner = make_partner(name=f"Extra {i}")
        reg(partner, world.campaign, "approved", 10_000)
        reg(partner, world.campaign, "won", 10_000, won_order=order(partner, 20_000))
        lead(partner, world.campaign, "claimed")
    assert count() == before


# --- the staff campaign report ------------------------------------------------------------------------------------

def _filters(**changes: Any) -> Filters:
    return Filters(TODAY - timedelta(days=30), TODAY, **changes)


def test_the_campaign_report_has_the_attribution_columns(world):
    rows = {r.campaign: campaign_report._row(r) for r in db.session.execute(campaign_report.campaign_rows(_filters()))}
    spring = rows["Spring Push"]
    res = results.campaign_results(world.campaign)
    assert (spring["registrations"], spring["other_currency"], spring["leads"], spring["leads_converted"]) == (11, 2, 3, 1)
    assert [spring["pipeline"]] == res.totals["pipeline"] and [spring["won"]] == res.totals["won"]
    mine = {r.campaign: campaign_report._row(r)
            for r in db.session.execute(campaign_report.campaign_rows(_filters(manager_id=world.t.manager.id)))}
    assert (mine["Spring Push"]["registrations"], mine["Spring Push"]["pipeline"]) == (8, eur("6000"))  # Alpha only
    page = campaign_report.build(_filters(), {})
    assert {"Registrations attributed", "Pipeline attributed", "Won revenue"} <= {s.label for s in page.summary}
    assert [t.title for t in page.tables] == ["Campaigns", "Attributed deals"]
    assert {"registrations", "pipeline", "won", "other_currency", "leads", "leads_converted"} <= \
        {c.key for c in page.tables[1].columns}
    drill = campaign_report.build(_filters(campaign_id=world.campaign.id), {})
    assert [t.title for t in drill.tables[:2]] == ["Spring Push: by partner", "Spring Push: attributed deals by partner"]
    assert drill.tables[1].footer["pipeline"] == eur("8500") and drill.tables[1].footer["registrations"] == 11


def test_the_campaign_report_csv_and_page(client, login, world):
    login(world.t.manager)  # Alpha's manager: Bravo's deals are not in scope
    response = client.get("/admin/reports/campaigns.csv")
    rows = {r["campaign"]: r for r in csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")))}
    assert (rows["Spring Push"]["registrations"], rows["Spring Push"]["pipeline"], rows["Spring Push"]["won"],
            rows["Spring Push"]["leads"], rows["Spring Push"]["currency"]) == ("8", "6000.00", "6000.00", "2", "EUR")
    page = client.get("/admin/reports/campaigns", query_string={"campaign": world.campaign.id}).get_data(as_text=True)
    assert "Pipeline attributed" in page and "Spring Push: by partner" in page and "Won revenue" in page
