"""bounded text columns (issue 14; filled in by the bounds work)

Revision ID: e14a00000003
Revises: e14a00000002
Create Date: 2026-12-07 21:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e14a00000003'
down_revision = 'e14a00000002'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
