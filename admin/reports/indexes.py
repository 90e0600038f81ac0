"""Indexes the reports need on other features' tables, declared on those tables' metadata (so
models and migrations stay in step) and created by this feature's migration."""
from __future__ import annotations

from sqlalchemy import Index

from opportunities.leads.models import LeadOwnership
from opportunities.models import RegistrationEvent
from orders.models import Order, OrderLine

REPORT_INDEXES = (
    # orders by date: the orders report and the join of top products
    Index("ix_orders_report_created", Order.created_at, Order.status),
    # top products: an index-only scan of the lines of the orders in range
    Index("ix_order_lines_report", OrderLine.order_id, OrderLine.sku, OrderLine.quantity, OrderLine.line_total_minor),
    # approval time: the `approved` entries of the event log in range
    Index("ix_registration_events_report", RegistrationEvent.event, RegistrationEvent.at),
    # conversion: lead ownerships that started in range
    Index("ix_lead_ownerships_started", LeadOwnership.started_at),
)
