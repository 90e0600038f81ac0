"""report indexes: on existing tables only (orders, order_lines, registrations,
registration_events, lead_ownerships), declared in admin/reports/indexes.py

Revision ID: be571ec96f9d
Revises: 28335e026448
Create Date: 2026-11-22 19:44:05.355440

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'be571ec96f9d'
# Branches from 472370e747c8 like every feature, but the indexes need the tables of the orders
# (4bccc0574094), shared leads (ee20d65480d0) and deal registration (6475998a9d32) migrations:
# so it merges those three heads (alembic's depends_on with three siblings breaks its bookkeeping).
down_revision = '28335e026448'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_orders_report_created', 'orders', ['created_at', 'status'], unique=False,
                    postgresql_include=['partner_id', 'currency', 'total_minor', 'id'])
    op.create_index('ix_order_lines_report', 'order_lines', ['order_id', 'sku', 'quantity', 'line_total_minor'],
                    unique=False)
    op.create_index('ix_registration_events_report', 'registration_events', ['event', 'at'], unique=False,
                    postgresql_include=['registration_id', 'partner_id'])
    op.create_index('ix_registrations_report', 'registrations', ['submitted_at', 'status'], unique=False,
                    postgresql_include=['partner_id', 'currency', 'amount_minor', 'won_order_id', 'id'])
    op.create_index('ix_lead_ownerships_started', 'lead_ownerships', ['started_at'], unique=False)


def downgrade():
    op.drop_index('ix_lead_ownerships_started', table_name='lead_ownerships')
    op.drop_index('ix_registrations_report', table_name='registrations')
    op.drop_index('ix_registration_events_report', table_name='registration_events')
    op.drop_index('ix_order_lines_report', table_name='order_lines')
    op.drop_index('ix_orders_report_created', table_name='orders')
