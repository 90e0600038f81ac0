"""catalog and audit rules: one price book per currency and start date (issue 14)

Two books of one currency that start on the same day made the book in force depend on which was
created last. The pair becomes unique; the unique index replaces the plain (currency, valid_from)
index, which served the same look-ups. Existing duplicates stop the upgrade with their ids: an
administrator decides which one moves (nothing is changed silently).

Revision ID: e14a00000004
Revises: e14a00000002
Create Date: 2026-12-07 21:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e14a00000004'
down_revision = 'e14a00000002'
branch_labels = None
depends_on = None


def _refuse_duplicates():
    rows = op.get_bind().execute(sa.text(
        "SELECT currency, valid_from, COUNT(*) AS n, MIN(id) AS first_id, MAX(id) AS last_id FROM price_books "
        "GROUP BY currency, valid_from HAVING COUNT(*) > 1 ORDER BY currency, valid_from")).all()
    if rows:
        listed = "; ".join(f"{r.currency} from {r.valid_from}: {r.n} books (ids {r.first_id}..{r.last_id})"
                           for r in rows[:20])
        raise RuntimeError(
            "Price books of the same currency start on the same day, so which one applies is arbitrary: "
            f"{listed}. Change the start date of all but one of each group (or delete the unused one), "
            "then run the upgrade again.")


def upgrade():
    _refuse_duplicates()
    with op.batch_alter_table('price_books', schema=None) as batch_op:
        batch_op.drop_index('ix_price_books_currency_valid_from')
        batch_op.create_unique_constraint('uq_price_books_currency_valid_from', ['currency', 'valid_from'])


def downgrade():
    with op.batch_alter_table('price_books', schema=None) as batch_op:
        batch_op.drop_constraint('uq_price_books_currency_valid_from', type_='unique')
        batch_op.create_index('ix_price_books_currency_valid_from', ['currency', 'valid_from'], unique=False)
