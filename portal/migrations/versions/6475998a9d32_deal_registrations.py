"""deal registrations: registrations, conflicts, house accounts, registry index, hash-chained event log

Revision ID: 6475998a9d32
Revises: 4bccc0574094
Create Date: 2026-11-22 19:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.db


# revision identifiers, used by Alembic.
revision = '6475998a9d32'
down_revision = '4bccc0574094'
branch_labels = None
depends_on = None

APPEND_ONLY_PG = """
CREATE OR REPLACE FUNCTION registration_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'registration_events is append-only: entries cannot be changed or deleted';
END;
$$ LANGUAGE plpgsql
"""

# A conflict search in one round trip (PostgreSQL): the counts of the query's words, their weights and the
# postings chosen within the budget (as opportunities.matching.search.select_postings does), the best
# candidates with their owners, the typo candidates of unknown long words and the candidates' word
# frequencies. Rows: (0, candidate as a JSON array), (1, [variant, word, frequency, size]), (2, stats).
# PL/pgSQL keeps the plan per session; the SET clause makes it a generic plan (planning this query costs
# more than running it).
SEARCH_FUNCTION = """
CREATE OR REPLACE FUNCTION registry_search(
    p_tokens text[], p_generic bool[], p_country text, p_generic_factor float8, p_budget int, p_limit int,
    p_exact text[], p_typo_tokens text[]) RETURNS TABLE (kind int, payload text)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
RETURN QUERY
WITH q AS (SELECT u.t, u.g FROM unnest(p_tokens, p_generic) AS u(t, g)),
s AS (SELECT q.t, q.g, coalesce(cw.n, 0) AS df, coalesce(ct.n, 0) AS size FROM q
      LEFT JOIN registry_counts cw ON cw.key = 'w' || chr(9) || q.t AND cw.n > 0
      LEFT JOIN registry_counts ct ON ct.key = 't' || p_country || chr(9) || q.t AND ct.n > 0),
tot AS (SELECT coalesce((SELECT c.n FROM registry_counts c WHERE c.key = '#'), 0)::float8 AS n),
l AS (SELECT 't' || p_country || chr(9) || s.t AS key, s.size,
             (ln((tot.n + 1) / (s.df + 1)) + 1) / (ln(tot.n + 1) + 1)
             * CASE WHEN s.g THEN p_generic_factor ELSE 1 END AS w,
             sum(s.size) OVER (ORDER BY s.size, s.t COLLATE "C" ROWS UNBOUNDED PRECEDING) AS cum,
             row_number() OVER (ORDER BY s.size, s.t COLLATE "C") AS rn
      FROM s CROSS JOIN tot WHERE s.size > 0),
pick AS (SELECT l.key, l.w FROM l WHERE l.cum <= p_budget),
big AS (SELECT l.key FROM l WHERE l.rn = 1 AND l.size > p_budget),
ids AS ((SELECT k.entry_id FROM registry_keys k JOIN pick ON pick.key = k.key GROUP BY k.entry_id
         ORDER BY sum(pick.w) DESC, k.entry_id LIMIT p_limit)
        UNION (SELECT k.entry_id FROM registry_keys k WHERE k.key = (SELECT big.key FROM big)
               ORDER BY k.entry_id LIMIT p_limit)
        UNION (SELECT k.entry_id FROM registry_keys k WHERE k.key = ANY(p_exact))),
cand AS (SELECT e.registration_id, e.house_account_id, e.tokens, e.compact, e.acronym, e.place_tail,
                e.country, e.host, e.domain, e.vat, r.partner_id, r.status, r.protected_until, r.families,
                r.external_ref, h.active
         FROM registry_entries e LEFT JOIN registrations r ON r.id = e.registration_id
         LEFT JOIN house_accounts h ON h.id = e.house_account_id WHERE e.id IN (SELECT ids.entry_id FROM ids)),
typo AS (SELECT d.v, ty.word, cw.n AS df, coalesce(ct.n, 0) AS size FROM s u
         CROSS JOIN LATERAL (SELECT u.t UNION ALL SELECT left(u.t, i - 1) || substr(u.t, i + 1)
                             FROM generate_series(1, length(u.t)) AS i) AS d(v)
         JOIN registry_typos ty ON ty.variant = d.v
         JOIN registry_counts cw ON cw.key = 'w' || chr(9) || ty.word AND cw.n > 0
         LEFT JOIN registry_counts ct ON ct.key = 't' || p_country || chr(9) || ty.word
         WHERE u.df = 0 AND u.t = ANY(p_typo_tokens))
SELECT 0, json_build_array(cand.registration_id, cand.house_account_id, cand.tokens, cand.compact, cand.acronym,
                           cand.place_tail, cand.country, cand.host, cand.domain, cand.vat, cand.partner_id,
                           cand.status, cand.protected_until, cand.families, cand.external_ref, cand.active)::text
FROM cand
UNION ALL SELECT 1, json_build_array(typo.v, typo.word, typo.df, typo.size)::text FROM typo
UNION ALL SELECT 2, json_build_object(
    'total', (SELECT tot.n FROM tot)::bigint,
    'df', (SELECT json_object_agg(s.t, s.df) FROM s WHERE s.df > 0),
    'size', (SELECT json_object_agg(s.t, s.size) FROM s WHERE s.size > 0),
    'pick', (SELECT json_agg(pick.key) FROM pick), 'big', (SELECT big.key FROM big),
    'freqs', (SELECT json_object_agg(c.key, c.n) FROM registry_counts c WHERE c.n > 0 AND c.key = ANY(ARRAY(
        SELECT DISTINCT 'w' || chr(9) || w FROM cand, unnest(string_to_array(cand.tokens, ' ')) AS w))))::text;
END
$fn$
"""

# The candidates of chosen postings (when a typo word changed the choice): the best-weighted entries of
# `p_keys` (or the first ones of posting `p_first`) plus every entry of the `p_exact` postings, with their
# owners and the frequencies of their words. Same row format as registry_search.
FETCH_FUNCTION = """
CREATE OR REPLACE FUNCTION registry_fetch(
    p_keys text[], p_weights float8[], p_first text, p_limit int, p_exact text[])
    RETURNS TABLE (kind int, payload text)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
RETURN QUERY
WITH pick AS (SELECT u.key, u.w FROM unnest(p_keys, p_weights) AS u(key, w)),
ids AS ((SELECT k.entry_id FROM registry_keys k JOIN pick ON pick.key = k.key GROUP BY k.entry_id
         ORDER BY sum(pick.w) DESC, k.entry_id LIMIT p_limit)
        UNION (SELECT k.entry_id FROM registry_keys k WHERE k.key = p_first ORDER BY k.entry_id LIMIT p_limit)
        UNION (SELECT k.entry_id FROM registry_keys k WHERE k.key = ANY(p_exact))),
cand AS (SELECT e.registration_id, e.house_account_id, e.tokens, e.compact, e.acronym, e.place_tail,
                e.country, e.host, e.domain, e.vat, r.partner_id, r.status, r.protected_until, r.families,
                r.external_ref, h.active
         FROM registry_entries e LEFT JOIN registrations r ON r.id = e.registration_id
         LEFT JOIN house_accounts h ON h.id = e.house_account_id WHERE e.id IN (SELECT ids.entry_id FROM ids))
SELECT 0, json_build_array(cand.registration_id, cand.house_account_id, cand.tokens, cand.compact, cand.acronym,
                           cand.place_tail, cand.country, cand.host, cand.domain, cand.vat, cand.partner_id,
                           cand.status, cand.protected_until, cand.families, cand.external_ref, cand.active)::text
FROM cand
UNION ALL SELECT 2, json_build_object(
    'freqs', (SELECT json_object_agg(c.key, c.n) FROM registry_counts c WHERE c.n > 0 AND c.key = ANY(ARRAY(
        SELECT DISTINCT 'w' || chr(9) || w FROM cand, unnest(string_to_array(cand.tokens, ' ')) AS w))))::text;
END
$fn$
"""


def _append_only():
    """The event log refuses UPDATE and DELETE at the database (the application never issues them)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_PG)
        op.execute("CREATE TRIGGER registration_events_no_change BEFORE UPDATE OR DELETE ON registration_events "
                   "FOR EACH ROW EXECUTE FUNCTION registration_events_append_only()")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER registration_events_no_{action.lower()} BEFORE {action} ON registration_events "
                       "BEGIN SELECT RAISE(ABORT, 'registration_events is append-only'); END")


def _search_functions():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(SEARCH_FUNCTION)
        op.execute(FETCH_FUNCTION)


def upgrade():
    op.create_table('house_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=400), nullable=False),
    sa.Column('domain', sa.String(length=254), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('vat_id', sa.String(length=40), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_house_accounts'))
    )
    with op.batch_alter_table('house_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_house_accounts_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_house_accounts_name'), ['name'], unique=False)

    op.create_table('registry_counts',
    sa.Column('key', sa.String(length=460), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_registry_counts'))
    )
    op.create_table('registry_typos',
    sa.Column('variant', sa.String(length=60), nullable=False),
    sa.Column('word', sa.String(length=60), nullable=False),
    sa.PrimaryKeyConstraint('variant', 'word', name=op.f('pk_registry_typos'))
    )
    op.create_table('registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('external_ref', sa.String(length=100), nullable=True),
    sa.Column('customer_name', sa.String(length=400), nullable=False),
    sa.Column('customer_domain', sa.String(length=254), nullable=True),
    sa.Column('customer_country', sa.String(length=2), nullable=False),
    sa.Column('customer_city', sa.String(length=100), nullable=True),
    sa.Column('customer_vat', sa.String(length=40), nullable=True),
    sa.Column('contact_name', sa.String(length=200), nullable=True),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('families', sa.JSON(), nullable=False),
    sa.Column('skus', sa.JSON(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('expected_close', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('submitted_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('protection_days', sa.Integer(), nullable=True),
    sa.Column('protected_until', sa.Date(), nullable=True),
    sa.Column('discount_percent', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('extended_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminder_sent_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('won_order_id', sa.Integer(), nullable=True),
    sa.Column('lost_reason', sa.Text(), nullable=True),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('submitted', 'in_review', 'approved', 'rejected', 'expired', 'won', 'lost')", name=op.f('ck_registrations_status_known')),
    sa.CheckConstraint('amount_minor >= 0', name=op.f('ck_registrations_amount_not_negative')),
    sa.CheckConstraint('discount_percent IS NULL OR (discount_percent >= 0 AND discount_percent <= 100)', name=op.f('ck_registrations_discount_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_registrations_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_registrations_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_registrations_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations')),
    sa.UniqueConstraint('external_ref', name=op.f('uq_registrations_external_ref'))
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registrations_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_lead_id'), ['lead_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index('ix_registrations_partner_status', ['partner_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_status'), ['status'], unique=False)
        batch_op.create_index('ix_registrations_status_protected', ['status', 'protected_until'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_submitted_at'), ['submitted_at'], unique=False)

    op.create_table('registration_conflicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('other_id', sa.Integer(), nullable=True),
    sa.Column('house_account_id', sa.Integer(), nullable=True),
    sa.Column('own', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(other_id IS NULL) <> (house_account_id IS NULL)', name=op.f('ck_registration_conflicts_one_other_side')),
    sa.ForeignKeyConstraint(['house_account_id'], ['house_accounts.id'], name=op.f('fk_registration_conflicts_house_account_id_house_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['other_id'], ['registrations.id'], name=op.f('fk_registration_conflicts_other_id_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_registration_conflicts_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_conflicts'))
    )
    with op.batch_alter_table('registration_conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_conflicts_house_account_id'), ['house_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_conflicts_other_id'), ['other_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_conflicts_registration_id'), ['registration_id'], unique=False)

    op.create_table('registration_events',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=30), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_label', sa.String(length=254), nullable=False),
    sa.Column('at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_registration_events_partner_id_partners')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_registration_events_registration_id_registrations')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_registration_events')),
    sa.UniqueConstraint('hash', name=op.f('uq_registration_events_hash')),
    sa.UniqueConstraint('prev_hash', name=op.f('uq_registration_events_prev_hash'))
    )
    with op.batch_alter_table('registration_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_events_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_events_registration_id'), ['registration_id'], unique=False)

    op.create_table('registry_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('house_account_id', sa.Integer(), nullable=True),
    sa.Column('tokens', sa.String(length=600), nullable=False),
    sa.Column('compact', sa.String(length=450), nullable=False),
    sa.Column('acronym', sa.String(length=60), nullable=False),
    sa.Column('place_tail', sa.SmallInteger(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('host', sa.String(length=254), nullable=True),
    sa.Column('domain', sa.String(length=254), nullable=True),
    sa.Column('vat', sa.String(length=40), nullable=True),
    sa.CheckConstraint('(registration_id IS NULL) <> (house_account_id IS NULL)', name=op.f('ck_registry_entries_one_owner')),
    sa.ForeignKeyConstraint(['house_account_id'], ['house_accounts.id'], name=op.f('fk_registry_entries_house_account_id_house_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_registry_entries_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_entries')),
    sa.UniqueConstraint('house_account_id', name=op.f('uq_registry_entries_house_account_id')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_registry_entries_registration_id'))
    )
    op.create_table('registry_keys',
    sa.Column('key', sa.String(length=460), nullable=False),
    sa.Column('entry_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('key', 'entry_id', name=op.f('pk_registry_keys'))
    )
    _append_only()
    _search_functions()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS registry_search(text[], bool[], text, float8, int, int, text[], text[])")
        op.execute("DROP FUNCTION IF EXISTS registry_fetch(text[], float8[], text, int, text[])")
        op.execute("DROP TRIGGER IF EXISTS registration_events_no_change ON registration_events")
        op.execute("DROP FUNCTION IF EXISTS registration_events_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS registration_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS registration_events_no_delete")
    op.drop_table('registry_keys')
    op.drop_table('registry_entries')
    with op.batch_alter_table('registration_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_events_registration_id'))
        batch_op.drop_index(batch_op.f('ix_registration_events_partner_id'))

    op.drop_table('registration_events')
    with op.batch_alter_table('registration_conflicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_conflicts_registration_id'))
        batch_op.drop_index(batch_op.f('ix_registration_conflicts_other_id'))
        batch_op.drop_index(batch_op.f('ix_registration_conflicts_house_account_id'))

    op.drop_table('registration_conflicts')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registrations_submitted_at'))
        batch_op.drop_index('ix_registrations_status_protected')
        batch_op.drop_index(batch_op.f('ix_registrations_status'))
        batch_op.drop_index('ix_registrations_partner_status')
        batch_op.drop_index(batch_op.f('ix_registrations_partner_id'))
        batch_op.drop_index(batch_op.f('ix_registrations_lead_id'))
        batch_op.drop_index(batch_op.f('ix_registrations_created_by_id'))

    op.drop_table('registrations')
    op.drop_table('registry_typos')
    op.drop_table('registry_counts')
    with op.batch_alter_table('house_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_house_accounts_name'))
        batch_op.drop_index(batch_op.f('ix_house_accounts_active'))

    op.drop_table('house_accounts')
    
