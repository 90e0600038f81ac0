"""campaign attribution: registrations and leads may name the channel campaign they belong to

Revision ID: c4a7e2d19f3b
Revises: 7d2e91c4a0b5
Create Date: 2026-11-23 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4a7e2d19f3b'
down_revision = '7d2e91c4a0b5'
branch_labels = None
depends_on = None

TABLES = ('registrations', 'leads')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_campaign_id'), ['campaign_id'], unique=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_campaign_id_campaigns'), 'campaigns',
                                        ['campaign_id'], ['id'], ondelete='SET NULL')


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_campaign_id_campaigns'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_campaign_id'))
            batch_op.drop_column('campaign_id')
