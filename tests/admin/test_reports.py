"""Reports: every figure checked against data built here, CSV exports, filters, scope and
permissions (partner users refused, a manager sees only its partners), and no N+1 queries."""
from __future__ import annotations

import csv
import io
import itertools
import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from random import Random
from typing import Any

import pytest
from sqlalchemy import Float, func, insert, literal, select, union_all

from admin.reports import REPORTS, approvals, campaigns, conversion, pipeline, products, sales
from admin.reports.filters import Filters
from admin.reports.sql import percentiles
from opportunities.campaigns.models import Campaign, CampaignEnrolment, MdfClaim, MdfRequest
from opportunities.campaigns.services import results
from opportunities.leads.models import Lead, LeadOwnership
from opportunities.registrations.models import Registration, RegistrationEvent
from orders.models import Order, OrderLine
from portal.extensions import db
from portal.money import Money
from tests.factories import make_partner, make_user
from tests.queries import count_queries

UTC = timezone.utc
FROM, TO = "2026-03-01", "2026-04-30"
RANGE = {"from": FROM, "to": TO}
_hash = itertools.count(1)


def at(month: int, day: int, hour: float = 0) -> datetime:
    return datetime(2026, month, day, tzinfo=UTC) + timedelta(hours=hour)


def order(partner: Any, when: datetime, status: str, lines: list[tuple[str, int, int]]) -> Order:
    """An order with (sku, quantity, unit price in minor units) lines."""
    o = Order(partner_id=partner.id, status=status, payment_method="on_account", po_number="PO", currency=partner.currency,
              total_minor=sum(q * p for _, q, p in lines), created_at=when, updated_at=when)
    for i, (sku, qty, price) in enumerate(lines):
        o.lines.append(OrderLine(partner_id=partner.id, position=i, sku=sku, name=f"Product {sku}", family="hardware",
                                 quantity=qty, unit_list_minor=price, unit_net_minor=price, line_total_minor=qty * price))
    db.session.add(o)
    db.session.flush()
    return o


def registration(partner: Any, submitted: datetime, status: str, amount: int, *, approved_after: float | None = None,
                 rejected: bool = False, won_order: Order | None = None, lead: Lead | None = None) -> Registration:
    reg = Registration(partner_id=partner.id, customer_name=f"Customer {next(_hash)}", customer_country="DE",
                       families=["hardware"], amount_minor=amount, currency=partner.currency, status=status,
                       submitted_at=submitted, won_order_id=won_order.id if won_order else None,
                       lead_id=lead.id if lead else None)
    db.session.add(reg)
    db.session.flush()
    event(reg, "submitted", submitted)
    if approved_after is not None:
        event(reg, "approved", submitted + timedelta(hours=approved_after))
    if rejected:
        event(reg, "rejected", submitted + timedelta(hours=5))
    return reg


def event(reg: Registration, name: str, when: datetime) -> None:
    seq = (db.session.scalar(select(func.max(RegistrationEvent.seq))) or 0) + 1
    n = next(_hash)
    db.session.execute(insert(RegistrationEvent).values(
        seq=seq, registration_id=reg.id, partner_id=reg.partner_id, event=name, actor_label="test", at=when, data={},
        prev_hash=f"p{n:063d}", hash=f"h{n:063d}"))


def lead(partner: Any, claimed: datetime, outcome: str | None, status: str | None = None) -> Lead:
    name = f"Lead company {next(_hash)}"
    held = status or ("converted" if outcome == "converted" else "pool")
    item = Lead(company_name=name, company_key=name.lower(), company_country="DE", region=partner.region,
                families=["hardware"], status=held, owner_partner_id=partner.id if held != "pool" else None,
                due_at=claimed + timedelta(days=7) if held in ("claimed", "assigned") else None)
    db.session.add(item)
    db.session.flush()
    db.session.add(LeadOwnership(lead_id=item.id, partner_id=partner.id, via="claim", started_at=claimed,
                                 outcome=outcome, ended_at=claimed + timedelta(days=2) if outcome else None))
    db.session.flush()
    return item


@dataclass
class World:
    a: Any
    b: Any
    c: Any
    manager: Any  # manages A
    manager2: Any  # manages C
    admin: Any
    ops: Any
    partner_user: Any
    spring: Campaign


@pytest.fixture
def world(two_partners) -> World:
    t = two_partners
    t.b.manager_id = None
    manager2 = make_user(role="partner_manager")
    c = make_partner(name="Charlie Corp", region="NA", tier="gold", country="US", currency="USD", manager_id=manager2.id)
    a1 = order(t.a, at(3, 5), "closed", [("SKU-A", 2, 10000), ("SKU-B", 1, 5000)])
    order(t.a, at(3, 20), "submitted", [("SKU-A", 1, 10000)])
    order(t.a, at(4, 2), "cancelled", [("SKU-A", 10, 10000)])
    order(t.a, at(4, 3), "pending_payment", [("SKU-A", 10, 10000)])
    order(t.b, at(4, 10), "shipped", [("SKU-B", 4, 5000)])
    c1 = order(c, at(3, 15), "invoiced", [("SKU-A", 3, 12000), ("SKU-C", 1, 100000)])
    order(c, at(5, 1), "closed", [("SKU-C", 5, 100000)])
    l1 = lead(t.a, at(3, 4), "converted")
    lead(t.a, at(3, 6), "released")
    l3 = lead(c, at(4, 3), "converted")
    l4 = lead(c, at(2, 1), "converted")
    lead(t.b, at(3, 20), None, status="claimed")
    registration(t.a, at(3, 2, 9), "approved", 1_000_000, approved_after=1)
    registration(t.a, at(3, 3), "won", 2_000_000, approved_after=2, won_order=a1, lead=l1)
    registration(t.a, at(3, 10), "rejected", 500_000, rejected=True)
    registration(t.b, at(3, 5), "lost", 700_000, approved_after=3)
    registration(c, at(4, 1), "expired", 3_000_000, approved_after=4)
    registration(c, at(4, 2), "won", 4_000_000, approved_after=10, won_order=c1, lead=l4)
    registration(c, at(4, 20), "in_review", 100_000, lead=l3)
    registration(t.a, at(2, 15), "approved", 900_000, approved_after=14 * 24)  # approved on 1 March
    registration(c, at(5, 1), "approved", 900_000, approved_after=96)  # after the range
    spring = Campaign(name="Spring Push", starts_on=date(2026, 3, 1), ends_on=date(2026, 4, 30), status="published",
                      currency="EUR", mdf_budget_minor=1_000_000, mdf_reserved_minor=150_000)
    draft = Campaign(name="Draft idea", starts_on=date(2026, 3, 1), ends_on=date(2026, 4, 30), status="draft",
                     currency="EUR")
    old = Campaign(name="Old one", starts_on=date(2025, 3, 1), ends_on=date(2025, 4, 30), status="published",
                   currency="USD")
    db.session.add_all([spring, draft, old])
    db.session.flush()
    db.session.add_all([CampaignEnrolment(campaign_id=spring.id, partner_id=p.id) for p in (t.a, t.b, c)]
                       + [CampaignEnrolment(campaign_id=old.id, partner_id=c.id)])

    def mdf(partner: Any, requested: int, status: str, approved: int | None = None) -> MdfRequest:
        req = MdfRequest(campaign_id=spring.id, partner_id=partner.id, activity="Event", plan="Plan",
                         starts_on=date(2026, 3, 10), ends_on=date(2026, 3, 11), currency="EUR",
                         requested_minor=requested, approved_minor=approved, status=status)
        db.session.add(req)
        db.session.flush()
        return req

    paid = mdf(t.a, 200_000, "paid", 150_000)
    mdf(t.b, 100_000, "rejected")
    mdf(c, 50_000, "cancelled")
    db.session.add(MdfClaim(request_id=paid.id, partner_id=t.a.id, currency="EUR", amount_minor=150_000,
                            approved_minor=150_000, status="paid"))
    db.session.flush()
    return World(t.a, t.b, c, t.manager, manager2, t.admin, t.ops, t.a_admin, spring)


def filters(**changes: Any) -> Filters:
    return Filters(date(2026, 3, 1), date(2026, 4, 30), **changes)


def eur(amount: str) -> Money:
    return Money.from_decimal(amount, "EUR")


def usd(amount: str) -> Money:
    return Money.from_decimal(amount, "USD")


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


# --- each report's numbers --------------------------------------------------------------

def test_pipeline_by_stage_and_partner_per_currency(world):
    rows = pipeline.aggregate(filters())
    stages = {(r["status"], r["currency"]): (r["registrations"], r["amount"]) for r in pipeline.by_stage(rows)}
    assert stages == {("approved", "EUR"): (1, eur("10000")), ("won", "EUR"): (1, eur("20000")),
                      ("rejected", "EUR"): (1, eur("5000")), ("lost", "EUR"): (1, eur("7000")),
                      ("in_review", "USD"): (1, usd("1000")), ("expired", "USD"): (1, usd("30000")),
                      ("won", "USD"): (1, usd("40000"))}
    partners = {r["partner"]: r for r in pipeline.by_partner(rows)}
    a = partners["Alpha Partners"]
    assert (a["approved"], a["won"], a["rejected"], a["total"]) == (1, 1, 1, 3)
    assert (a["open_amount"], a["won_amount"], a["total_amount"]) == (eur("10000"), eur("20000"), eur("35000"))
    c = partners["Charlie Corp"]
    assert (c["in_review"], c["total"], c["open_amount"]) == (1, 3, usd("1000"))
    assert pipeline.top_partners(rows)[0] == ("Alpha Partners", [("submitted", 0), ("in_review", 0), ("approved", 1),
                                                                 ("won", 1), ("lost", 0), ("rejected", 1), ("expired", 0)])
    page = pipeline.build(filters(), {})
    assert [s.value for s in page.summary][:3] == ["7", "2", "2"]
    assert page.summary[3].value == "€10,000.00 · $1,000.00"  # never summed across currencies


def test_orders_by_month_and_partner_per_currency(world):
    months = {(r["month"], r["currency"]): (r["orders"], r["revenue"]) for r in sales.by_month(filters())}
    assert months == {("2026-03", "EUR"): (2, eur("350")), ("2026-03", "USD"): (1, usd("1360")),
                      ("2026-04", "EUR"): (1, eur("200"))}
    rows = sorted((r.month, r.partner, r.currency, r.orders, Money(r.revenue, r.currency))
                  for r in db.session.execute(sales.partner_months(filters())))
    assert rows == [("2026-03", "Alpha Partners", "EUR", 2, eur("350")), ("2026-03", "Charlie Corp", "USD", 1, usd("1360")),
                    ("2026-04", "Bravo Partners", "EUR", 1, eur("200"))]
    # the end date is included, the day after is not
    assert sales.by_month(Filters(date(2026, 5, 1), date(2026, 5, 1)))[0]["orders"] == 1
    assert sales.by_month(Filters(date(2026, 4, 11), date(2026, 4, 30))) == []
    page = sales.build(filters(), {"sort": "-revenue"})
    assert [(r["partner"], r["currency"]) for r in page.tables[1].page.items] == \
        [("Alpha Partners", "EUR"), ("Bravo Partners", "EUR"), ("Charlie Corp", "USD")]
    assert [(r["month"], r["orders"], r.get("revenue_EUR")) for r in page.tables[0].page.items] == \
        [("2026-04", 1, eur("200")), ("2026-03", 3, eur("350"))]
    page = sales.build(filters(), {"per_page": "2", "page": "2"})
    assert (page.tables[1].page.total, [r["partner"] for r in page.tables[1].page.items]) == (3, ["Charlie Corp"])
    assert sales.build(filters(), {"page": "9"}).tables[1].page.total == 3


def test_approval_time_median_and_p90_from_the_event_log(world):
    hours = [1, 2, 336, 3, 4, 10]  # the approvals made in March and April
    found = approvals.figures(filters())
    total = found.overall
    assert total["n"] == 6
    assert total["p50"] == pytest.approx(statistics.median(hours) * 3600)
    p90 = statistics.quantiles(hours, n=10, method="inclusive")[8]
    assert total["p90"] == pytest.approx(p90 * 3600) and p90 == pytest.approx(173)
    months = found.months
    assert months["2026-03"]["n"] == 4 and months["2026-03"]["p50"] == pytest.approx(2.5 * 3600)
    assert months["2026-04"]["p90"] == pytest.approx(9.4 * 3600)
    rows = {r["partner"]: r for r in found.partners}
    assert (rows["Alpha Partners"]["n"], rows["Alpha Partners"]["p50"]) == (3, pytest.approx(7200))
    assert rows["Charlie Corp"]["p50"] == pytest.approx(7 * 3600) and rows["Charlie Corp"]["p90"] == pytest.approx(9.4 * 3600)
    portable = approvals._figures_portable(approvals.approvals(filters()))  # SQLite's way, on every database
    assert portable.overall == pytest.approx(total) and portable.months["2026-04"] == pytest.approx(months["2026-04"])
    assert sorted(portable.partners, key=lambda r: r["partner_id"]) == \
        [pytest.approx(r) for r in sorted(found.partners, key=lambda r: r["partner_id"])]


@pytest.mark.parametrize("seed", range(6))
def test_percentiles_in_sql_match_linear_interpolation(app, seed):
    rng = Random(seed)
    values = [rng.randint(0, 10_000) / 7 for _ in range(rng.randint(1, 40))]
    selects = [select(literal(v, Float).label("v")) for v in values]
    source = (union_all(*selects) if len(selects) > 1 else selects[0]).subquery()
    row = db.session.execute(percentiles(source, "v", [], (50, 90))).one()
    expected = statistics.quantiles(values, n=10, method="inclusive")[8] if len(values) > 1 else values[0]
    assert row.n == len(values) and row.p50 == pytest.approx(statistics.median(values))
    assert row.p90 == pytest.approx(expected)


def test_conversion_from_leads_to_registrations_to_orders(world):
    rows = {r["partner"]: r for r in conversion.rows_of(filters())}
    figures = ("leads", "converted", "leads_won", "registrations", "won")
    assert tuple(rows["Alpha Partners"][k] for k in figures) == (2, 1, 1, 3, 1)
    assert tuple(rows["Bravo Partners"][k] for k in figures) == (1, 0, 0, 1, 0)
    assert tuple(rows["Charlie Corp"][k] for k in figures) == (1, 1, 0, 3, 1)
    total = conversion.totals(list(rows.values()))
    assert (total["leads"], total["converted"], total["leads_won"], total["registrations"], total["won"]) == (4, 2, 1, 7, 2)
    assert (total["conversion_rate"], total["lead_win_rate"], total["win_rate"]) == \
        (Decimal("50.0"), Decimal("50.0"), Decimal("28.6"))


def test_top_products_by_quantity_and_revenue_per_currency(world):
    rows = {(r["sku"], r["currency"]): (r["quantity"], r["revenue"], r["lines"]) for r in products.aggregate(filters())}
    assert rows == {("SKU-A", "EUR"): (3, eur("300"), 2), ("SKU-B", "EUR"): (5, eur("250"), 2),
                    ("SKU-A", "USD"): (3, usd("360"), 1), ("SKU-C", "USD"): (1, usd("1000"), 1)}
    by_revenue, _ = products.sort_products(products.aggregate(filters()), "-revenue")
    assert [(r["sku"], r["currency"]) for r in by_revenue] == [("SKU-A", "EUR"), ("SKU-B", "EUR"),
                                                                ("SKU-C", "USD"), ("SKU-A", "USD")]
    page = products.build(filters(), {})
    assert page.summary[0].value == "3" and page.summary[1].value == "12"
    assert page.summary[2].value == "€550.00 · $1,360.00"
    assert [c.title for c in page.charts] == ["By quantity", "By revenue in EUR", "By revenue in USD"]


def test_campaign_results_match_the_campaigns_results_service(world):
    rows = [campaigns._row(r) for r in db.session.execute(campaigns.campaign_rows(filters()))]
    assert [r["campaign"] for r in rows] == ["Spring Push"]  # not the draft, not last year's
    row = rows[0]
    service = results.campaign_results(world.spring)
    assert row["enrolled"] == service.enrolled == 3
    for key in ("requested", "approved", "claimed", "paid"):
        assert [row[key]] == service.totals[f"mdf_{key}"]
    assert (row["requested"], row["approved"], row["paid"], row["used"]) == \
        (eur("3000"), eur("1500"), eur("1500"), Decimal("15.0"))
    mine = campaigns._row(db.session.execute(campaigns.campaign_rows(filters(manager_id=world.manager.id))).one())
    assert (mine["enrolled"], mine["requested"], mine["approved"]) == (1, eur("2000"), eur("1500"))
    table = campaigns.drill_down(filters(manager_id=world.manager.id), world.spring)
    assert [r["partner"] for r in table.page.items] == ["Alpha Partners"]
    assert table.footer["mdf_paid"] == eur("1500")


# --- filters -------------------------------------------------------------------------------

def test_filters_narrow_every_report_by_partner_attributes(world):
    only_na = filters(region="NA")
    assert {r["currency"] for r in sales.by_month(only_na)} == {"USD"}
    assert approvals.figures(filters(tier="gold")).overall["n"] == 3  # Bravo (gold) and Charlie (gold)
    assert approvals.figures(filters(manager_id=world.manager.id)).overall["n"] == 3
    assert approvals.figures(filters(partner_id=world.b.id)).overall["n"] == 1
    assert {r["sku"] for r in products.aggregate(filters(q="charl"))} == {"SKU-A", "SKU-C"}
    assert {r["currency"] for r in products.aggregate(filters(currency="USD"))} == {"USD"}
    assert {r["currency"] for r in pipeline.aggregate(filters(currency="EUR"))} == {"EUR"}
    assert conversion.totals(conversion.rows_of(filters(region="NA")))["leads"] == 1
    assert approvals.figures(filters(q="100%_")).overall["n"] == 0  # wildcards are literal


def test_report_pages_apply_query_string_filters_and_keep_them(client, login, world):
    login(world.admin)
    html = client.get("/admin/reports/orders", query_string={**RANGE, "region": "NA"}).get_data(as_text=True)
    assert "Charlie Corp" in html and "Alpha Partners" not in html
    assert 'value="NA" selected' in html and 'value="2026-03-01"' in html
    html = client.get("/admin/reports/pipeline", query_string={**RANGE, "partner": world.a.id}).get_data(as_text=True)
    assert "Only partner <strong>Alpha Partners</strong>" in html and "Charlie Corp" not in html


@pytest.mark.parametrize("args,field", [({"from": "2026-13-01"}, "Give a date as YYYY-MM-DD."),
                                        ({"from": "2026-05-01", "to": "2026-04-01"}, "The end date is before"),
                                        ({"from": "1990-01-01"}, "at most ten years"),
                                        ({"tier": "diamond"}, "Choose one of"), ({"manager": "x"}, "Choose a partner manager"),
                                        ({"currency": "EURO"}, "ISO 4217")])
def test_bad_filters_are_a_400_with_the_reason_next_to_the_field(client, login, world, args, field):
    login(world.admin)
    response = client.get("/admin/reports/pipeline", query_string=args)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert field in html and "is-invalid" in html and "By partner" not in html
    for key, value in args.items():
        assert f'value="{value}"' in html or key in ("tier", "manager", "currency")
    csv_response = client.get("/admin/reports/pipeline.csv", query_string=args)
    assert csv_response.status_code == 400 and field in csv_response.get_data(as_text=True)


def test_unknown_report_and_bad_page_numbers(client, login, world):
    login(world.admin)
    assert client.get("/admin/reports/nope").status_code == 404
    assert client.get("/admin/reports/nope.csv").status_code == 404
    assert client.get("/admin/reports/orders", query_string={"page": "zero"}).status_code == 400
    assert client.get("/admin/reports/orders", query_string={"sort": "drop table"}).status_code == 200


# --- who sees what ---------------------------------------------------------------------------

def report_urls() -> list[str]:
    return ["/admin/reports"] + [f"/admin/reports/{slug}{suffix}" for slug in REPORTS for suffix in ("", ".csv")]


def test_partner_users_are_refused_every_report(client, login, world, two_partners):
    for user in (two_partners.a_admin, two_partners.a_user):
        login(user)
        for url in report_urls():
            assert client.get(url).status_code == 403, url


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get("/admin/reports/pipeline")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_partner_manager_sees_only_its_partners_whatever_it_asks(client, login, world):
    login(world.manager)
    for args in (RANGE, {**RANGE, "manager": world.manager2.id}, {**RANGE, "partner": world.c.id}):
        rows = read_csv(client.get("/admin/reports/orders.csv", query_string=args))
        assert {r["partner"] for r in rows} <= {"Alpha Partners"}
    html = client.get("/admin/reports/approval-time", query_string=RANGE).get_data(as_text=True)
    assert "Figures of the partners you manage." in html and 'name="manager"' not in html
    assert "Charlie Corp" not in html and "Alpha Partners" in html
    rows = read_csv(client.get("/admin/reports/conversion.csv", query_string=RANGE))
    assert [r["partner"] for r in rows] == ["Alpha Partners"]


@pytest.mark.parametrize("role", ["admin", "ops"])
def test_admins_and_sales_ops_see_every_partner_and_filter_by_manager(client, login, world, role):
    login(getattr(world, role))
    rows = read_csv(client.get("/admin/reports/orders.csv", query_string=RANGE))
    assert {r["partner"] for r in rows} == {"Alpha Partners", "Bravo Partners", "Charlie Corp"}
    rows = read_csv(client.get("/admin/reports/orders.csv", query_string={**RANGE, "manager": world.manager2.id}))
    assert {r["partner"] for r in rows} == {"Charlie Corp"}
    assert 'name="manager"' in client.get("/admin/reports/orders").get_data(as_text=True)


# --- CSV exports -----------------------------------------------------------------------------

def test_csv_exports_carry_every_row_with_money_next_to_its_currency(client, login, world):
    login(world.admin)
    rows = read_csv(client.get("/admin/reports/orders.csv", query_string=RANGE))
    assert rows[0] == {"month": "2026-03", "partner": "Alpha Partners", "region": "EMEA", "tier": "silver",
                       "currency": "EUR", "orders": "2", "revenue": "350.00"}
    assert len(rows) == 3
    rows = read_csv(client.get("/admin/reports/pipeline.csv", query_string=RANGE))
    alpha = next(r for r in rows if r["partner"] == "Alpha Partners")
    assert (alpha["won"], alpha["won_amount"], alpha["total"], alpha["total_amount"]) == ("1", "20000.00", "3", "35000.00")
    rows = read_csv(client.get("/admin/reports/approval-time.csv", query_string=RANGE))
    assert rows[0] == {"scope": "all", "name": "All partners", "approvals": "6", "median_hours": "3.50",
                       "p90_hours": "173.00", "average_hours": "59.33"}
    assert [r["name"] for r in rows if r["scope"] == "month"] == ["2026-03", "2026-04"]
    rows = read_csv(client.get("/admin/reports/products.csv", query_string={**RANGE, "currency": "USD"}))
    assert [(r["sku"], r["quantity"], r["revenue"], r["currency"]) for r in rows] == \
        [("SKU-A", "3", "360.00", "USD"), ("SKU-C", "1", "1000.00", "USD")]
    rows = read_csv(client.get("/admin/reports/campaigns.csv", query_string=RANGE))
    assert [(r["campaign"], r["enrolled"], r["approved"], r["paid"], r["used"]) for r in rows] == \
        [("Spring Push", "3", "1500.00", "1500.00", "15.0")]
    rows = read_csv(client.get("/admin/reports/conversion.csv", query_string=RANGE))
    assert [(r["partner"], r["leads"], r["won"], r["win_rate"]) for r in rows][0] == ("Alpha Partners", "2", "1", "33.3")


# --- pages and query counts ------------------------------------------------------------------

def test_every_report_page_shows_charts_tables_and_a_csv_link(client, login, world):
    login(world.admin)
    html = client.get("/admin/reports", query_string=RANGE).get_data(as_text=True)
    for report in REPORTS.values():
        assert report.title in html
    for slug in REPORTS:
        response = client.get(f"/admin/reports/{slug}", query_string={**RANGE, "campaign": world.spring.id})
        html = response.get_data(as_text=True)
        assert response.status_code == 200, slug
        assert "<svg" in html and 'role="img"' in html and f"/admin/reports/{slug}.csv?" in html
    html = client.get("/admin/reports/campaigns", query_string={**RANGE, "campaign": world.spring.id}).get_data(as_text=True)
    assert "Spring Push: by partner" in html and "MDF paid" in html


def _more_data(world: World, n: int) -> None:
    for i in range(n):
        p = make_partner(name=f"Extra {i}", manager_id=world.manager.id, region="APAC", currency="JPY")
        o = order(p, at(3, 7 + i), "closed", [("SKU-X", 1, 1000), ("SKU-Y", 2, 500)])
        registration(p, at(3, 8 + i), "won", 1000, approved_after=5, won_order=o, lead=lead(p, at(3, 1 + i), "converted"))
        db.session.add(CampaignEnrolment(campaign_id=world.spring.id, partner_id=p.id))
    db.session.flush()


def test_no_n_plus_one_whatever_the_number_of_partners(client, login, world):
    login(world.admin)
    urls = [f"/admin/reports/{slug}?from={FROM}&to={TO}&campaign={world.spring.id}" for slug in REPORTS]
    urls += [f"/admin/reports/{slug}.csv?from={FROM}&to={TO}" for slug in REPORTS]

    def counts() -> list[int]:
        out = []
        for url in urls:
            with count_queries() as statements:
                assert client.get(url).status_code == 200
            out.append(len(statements))
        return out

    before = counts()
    _more_data(world, 6)
    after = counts()
    assert after == before
    assert max(before) <= 14, dict(zip(urls, before))
    print(dict(zip(urls, before)))
