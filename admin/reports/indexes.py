"""Indexes the reports need on other features' tables, declared on those tables' metadata (so
models and migrations stay in step) and created by this feature's migration. On PostgreSQL most
cover the columns the reports read (INCLUDE), so the reports scan indexes, not wide rows."""
from __future__ import annotations

from sqlalchemy import Index

from opportunities.leads.models import LeadOwnership
from opportunities.registrations.models import Registration, RegistrationEvent
from orders.models import Order, OrderLine

REPORT_INDEXES = (
    # orders by date, covering what the orders report and the join of top products read (an
    # index-only scan on PostgreSQL: the rows themselves are wide, with the ship-to address)
    Index("ix_orders_report_created", Order.created_at, Order.status,
          postgresql_include=["partner_id", "currency", "total_minor", "id"]),
    # top products: an index-only scan of the lines of the orders in range
    Index("ix_order_lines_report", OrderLine.order_id, OrderLine.sku, OrderLine.quantity, OrderLine.line_total_minor),
    # approval time: the `approved` entries of the event log in range
    Index("ix_registration_events_report", RegistrationEvent.event, RegistrationEvent.at,
          postgresql_include=["registration_id", "partner_id"]),
    # pipeline and conversion: the registrations submitted in range, without reading the (wide) rows
    Index("ix_registrations_report", Registration.submitted_at, Registration.status,
          postgresql_include=["partner_id", "currency", "amount_minor", "won_order_id", "id"]),
    # conversion: lead ownerships that started in range
    Index("ix_lead_ownerships_started", LeadOwnership.started_at),
)
