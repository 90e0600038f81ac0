"""references between features: the ids one feature keeps of another feature's rows become foreign
keys (ON DELETE SET NULL); references to rows that no longer exist are set to NULL first

Revision ID: 1604fa9c1c09
Revises: c4a7e2d19f3b
Create Date: 2026-11-22 22:30:00

"""
import logging

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '1604fa9c1c09'
down_revision = 'c4a7e2d19f3b'
branch_labels = None
depends_on = None

log = logging.getLogger('alembic.runtime.migration')

# (table, column, referred table): every one nullable, ON DELETE SET NULL. The models declare
# quotes.order_id, registrations.won_order_id and leads.opportunity_id with use_alter=True (they
# close the cycles quotes<->orders, registrations<->orders, registrations<->leads).
REFERENCES = (
    ('orders', 'quote_id', 'quotes'),
    ('orders', 'opportunity_id', 'registrations'),
    ('quotes', 'opportunity_id', 'registrations'),
    ('quotes', 'order_id', 'orders'),
    ('quote_revisions', 'opportunity_id', 'registrations'),
    ('leads', 'opportunity_id', 'registrations'),
    ('registrations', 'lead_id', 'leads'),
    ('registrations', 'won_order_id', 'orders'),
)
TABLES = tuple(dict.fromkeys(table for table, _, _ in REFERENCES))


def _by_table(table):
    return [(column, referred) for t, column, referred in REFERENCES if t == table]


def _null_dangling(table, column, referred):
    """Set to NULL the references to rows that do not exist (before there was a constraint)."""
    rows, targets = sa.table(table, sa.column(column)), sa.table(referred, sa.column('id'))
    update = (rows.update()
              .where(rows.c[column].is_not(None), rows.c[column].not_in(sa.select(targets.c.id)))
              .values({column: None}))
    if op.get_context().as_sql:  # offline (--sql): only the statement is written out
        op.execute(update)
        return
    result = op.get_bind().execute(update)
    if result.rowcount:
        log.warning('%s.%s: %d reference(s) to missing %s rows set to NULL',
                    table, column, result.rowcount, referred)


def upgrade():
    # SQLite rebuilds each table to add its constraints; env.py turns foreign key enforcement off
    # while migrating, so the rebuild's DROP TABLE leaves the referencing rows alone.
    for table, column, referred in REFERENCES:
        _null_dangling(table, column, referred)
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, referred in _by_table(table):
                batch_op.create_foreign_key(batch_op.f(f'fk_{table}_{column}_{referred}'), referred,
                                            [column], ['id'], ondelete='SET NULL')


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, referred in _by_table(table):
                batch_op.drop_constraint(batch_op.f(f'fk_{table}_{column}_{referred}'), type_='foreignkey')
