"""References between features (docs/architecture.md): the ids one feature keeps of another's rows
are foreign keys, ON DELETE SET NULL; the metadata with its cycles creates and drops cleanly; the
migration sets dangling references to NULL and keeps every row (SQLite rebuilds the tables)."""
from __future__ import annotations

from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, func, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opportunities.leads.models import Lead
from opportunities.registrations.models import Registration, RegistrationEvent
from orders.models import Order, OrderLine
from orders.quotes.models import Quote, QuoteRevision
from portal.extensions import db
from portal.models import Partner
from tests.opportunities.registrations.helpers import register
from tests.test_migrations import _fresh_database

REFERENCES = {  # (table, column): referred table
    ("orders", "quote_id"): "quotes",
    ("orders", "opportunity_id"): "registrations",
    ("quotes", "opportunity_id"): "registrations",
    ("quotes", "order_id"): "orders",
    ("quote_revisions", "opportunity_id"): "registrations",
    ("leads", "opportunity_id"): "registrations",
    ("registrations", "lead_id"): "leads",
    ("registrations", "won_order_id"): "orders",
}
BEFORE = "c4a7e2d19f3b"  # the revision before the foreign keys
MISSING = 987_654


def test_the_references_are_nullable_foreign_keys_that_set_null():
    for (table, column), referred in REFERENCES.items():
        col = db.metadata.tables[table].c[column]
        (fk,) = col.foreign_keys
        assert (fk.column.table.name, fk.column.name, fk.ondelete, col.nullable) == (referred, "id", "SET NULL", True)
        assert fk.constraint.name == f"fk_{table}_{column}_{referred}"
    # One side of each cycle is added after the tables (quotes<->orders, registrations<->orders,
    # registrations<->leads), so the metadata sorts without an unresolvable cycle.
    late = {(fk.parent.table.name, fk.parent.name) for t in db.metadata.tables.values()
            for fk in t.foreign_keys if fk.use_alter}
    assert {("quotes", "order_id"), ("registrations", "won_order_id"), ("leads", "opportunity_id")} <= late
    assert [t.name for t in db.metadata.sorted_tables]  # SAWarnings are errors (pyproject)


def test_the_metadata_creates_and_drops_with_its_cycles(app, tmp_path):
    engine, admin, name = _fresh_database(tmp_path)
    try:
        db.metadata.create_all(engine)
        assert set(db.metadata.tables) <= set(inspect(engine).get_table_names())
        db.metadata.drop_all(engine)
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            admin.dispose()


def _order(partner: Partner, **extra) -> Order:
    order = Order(partner_id=partner.id, status="submitted", payment_method="on_account", po_number="PO-REF",
                  currency="EUR", total_minor=100_00, ship_to={}, **extra)
    db.session.add(order)
    db.session.flush()
    return order


def test_deleting_a_referenced_row_sets_the_references_to_null(two_partners):
    reg = register(two_partners.a, two_partners.a_user)
    order = _order(two_partners.a, opportunity_id=reg.id)
    quote = Quote(partner_id=two_partners.a.id, number="Q-REF-1", currency="EUR", opportunity_id=reg.id,
                  order_id=order.id)
    db.session.add(quote)
    db.session.flush()
    order.quote_id, reg.won_order_id = quote.id, order.id
    db.session.flush()

    db.session.execute(delete(Order).where(Order.id == order.id))
    db.session.expire_all()
    assert db.session.get(Quote, quote.id).order_id is None
    assert db.session.get(Registration, reg.id).won_order_id is None

    other = _order(two_partners.a, quote_id=quote.id)
    db.session.execute(delete(Quote).where(Quote.id == quote.id))
    db.session.expire_all()
    assert db.session.get(Order, other.id).quote_id is None


@pytest.mark.parametrize("model, column", [
    (Order, "quote_id"), (Order, "opportunity_id"), (Quote, "order_id"), (Registration, "won_order_id"),
    (Registration, "lead_id"), (Lead, "opportunity_id")])
def test_a_reference_to_a_missing_row_is_refused(two_partners, model, column):
    reg = register(two_partners.a, two_partners.a_user)
    order = _order(two_partners.a)
    lead = Lead(company_name="Refco", company_key="refco", company_country="DE", region="EMEA")
    db.session.add(lead)
    db.session.flush()
    row = {Order: order, Registration: reg, Lead: lead}.get(model)
    if row is None:
        row = Quote(partner_id=two_partners.a.id, number="Q-REF-2", currency="EUR")
        db.session.add(row)
        db.session.flush()
    with pytest.raises(IntegrityError):
        with db.session.begin_nested():
            setattr(row, column, MISSING)
            db.session.flush()


def _seed(session: Session) -> dict[str, int]:
    """Rows at the revision before the foreign keys: references to missing rows, and rows that
    reference the tables the migration rebuilds (they must all survive)."""
    partner = Partner(name="Seed", kind="reseller", tier="silver", country="DE", region="EMEA", currency="EUR",
                      credit_limit_minor=0, payment_terms_days=30, status="active")
    session.add(partner)
    session.flush()
    lead = Lead(company_name="Seedco", company_key="seedco", company_country="DE", region="EMEA",
                opportunity_id=MISSING)
    reg = Registration(partner_id=partner.id, customer_name="Seedco", currency="EUR", lead_id=MISSING,
                       won_order_id=MISSING)
    session.add_all([lead, reg])
    session.flush()
    order = Order(partner_id=partner.id, status="submitted", payment_method="on_account", po_number="PO-S",
                  currency="EUR", total_minor=100, ship_to={}, quote_id=MISSING, opportunity_id=reg.id)
    quote = Quote(partner_id=partner.id, number="Q-SEED-1", currency="EUR", opportunity_id=MISSING,
                  order_id=MISSING)
    session.add_all([order, quote])
    session.flush()
    session.add_all([
        OrderLine(partner_id=partner.id, order_id=order.id, sku="S", name="S", family="f", quantity=1,
                  unit_list_minor=100, unit_net_minor=100, line_total_minor=100),
        QuoteRevision(partner_id=partner.id, quote_id=quote.id, currency="EUR", priced_on=date(2026, 1, 1),
                      opportunity_id=reg.id),
        RegistrationEvent(seq=1, registration_id=reg.id, partner_id=partner.id, event="submitted",
                          actor_label="seed", prev_hash="0" * 64, hash="1" * 64),
    ])
    lead.opportunity_id = reg.id  # a good reference stays
    session.commit()
    return {"lead": lead.id, "reg": reg.id, "order": order.id, "quote": quote.id}


def _counts(session: Session) -> dict[str, int]:
    return {m.__tablename__: session.scalar(select(func.count()).select_from(m))
            for m in (Lead, Registration, Order, Quote, OrderLine, QuoteRevision, RegistrationEvent)}


def test_the_migration_nulls_dangling_references_and_keeps_every_row(app, tmp_path):
    engine, admin, name = _fresh_database(tmp_path)
    engines = db.engines
    saved = engines[None]
    engines[None] = engine
    try:
        upgrade(revision=BEFORE)
        with Session(engine) as session:
            ids = _seed(session)
            before = _counts(session)
        upgrade(revision="head")
        assert {fk["name"] for fk in inspect(engine).get_foreign_keys("registrations")} >= {
            "fk_registrations_lead_id_leads", "fk_registrations_won_order_id_orders"}
        with Session(engine) as session:
            assert _counts(session) == before
            lead, reg = session.get(Lead, ids["lead"]), session.get(Registration, ids["reg"])
            order, quote = session.get(Order, ids["order"]), session.get(Quote, ids["quote"])
            assert (lead.opportunity_id, reg.lead_id, reg.won_order_id) == (ids["reg"], None, None)
            assert (order.quote_id, order.opportunity_id) == (None, ids["reg"])
            assert (quote.opportunity_id, quote.order_id) == (None, None)
            assert session.scalar(select(QuoteRevision.opportunity_id)) == ids["reg"]
        downgrade(revision=BEFORE)
        assert "fk_registrations_lead_id_leads" not in {
            fk["name"] for fk in inspect(engine).get_foreign_keys("registrations")}
        with Session(engine) as session:
            assert _counts(session) == before
        upgrade(revision="head")
        with Session(engine) as session:
            assert _counts(session) == before
        if engine.dialect.name == "sqlite":  # enforcement is back on for the pooled connection
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engines[None] = saved
        engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            admin.dispose()
