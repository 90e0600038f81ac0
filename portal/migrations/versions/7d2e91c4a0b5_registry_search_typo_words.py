"""registry search with typo words: the one-round-trip conflict search (PostgreSQL) also picks the
postings of registered words one typo away from the query's unknown words, as the Python search does

Revision ID: 7d2e91c4a0b5
Revises: be571ec96f9d
Create Date: 2026-11-22 21:40:00

"""
import importlib.util
from pathlib import Path

from alembic import op

# revision identifiers, used by Alembic.
revision = '7d2e91c4a0b5'
down_revision = 'be571ec96f9d'
branch_labels = None
depends_on = None

OLD_SIGNATURE = "registry_search(text[], bool[], text, float8, int, int, text[], text[])"
NEW_SIGNATURE = "registry_search(text[], bool[], text, float8, int, int, text[], text[], float8, text[])"

# A conflict search in one round trip (PostgreSQL), mirroring opportunities.matching.search: the counts of
# the query's words; the live words one typo away from its unknown long words (same first letter, one
# insertion, deletion, substitution or swap: registry_one_edit is similarity.within_one_edit); their weights
# and the postings chosen within the budget (select_postings); the best candidates with their owners; and
# the candidates' word frequencies. Rows: (0, candidate as a JSON array), (1, [token, typo word, frequency,
# posting size]), (2, stats). PL/pgSQL keeps the plan per session; the SET clause makes it a generic plan
# (planning this query costs more than running it).
ONE_EDIT_FUNCTION = """
CREATE OR REPLACE FUNCTION registry_one_edit(p_a text, p_b text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $fn$
DECLARE a text := p_a; b text := p_b; la int := length(p_a); lb int := length(p_b); i int := 1;
BEGIN
    IF abs(la - lb) > 1 THEN RETURN false; END IF;
    IF la > lb THEN a := p_b; b := p_a; la := length(a); lb := length(b); END IF;
    WHILE i <= la AND substr(a, i, 1) = substr(b, i, 1) LOOP i := i + 1; END LOOP;
    IF i > la THEN RETURN true; END IF;
    IF la = lb THEN
        IF substr(a, i + 1) = substr(b, i + 1) THEN RETURN true; END IF;
        RETURN i < la AND substr(a, i, 1) = substr(b, i + 1, 1) AND substr(a, i + 1, 1) = substr(b, i, 1)
            AND substr(a, i + 2) = substr(b, i + 2);
    END IF;
    RETURN substr(a, i) = substr(b, i + 1);
END
$fn$
"""
SEARCH_FUNCTION = """
CREATE OR REPLACE FUNCTION registry_search(
    p_tokens text[], p_generic bool[], p_country text, p_generic_factor float8, p_budget int, p_limit int,
    p_exact text[], p_typo_tokens text[], p_typo_weight float8, p_generic_typos text[])
    RETURNS TABLE (kind int, payload text)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
RETURN QUERY
WITH q AS (SELECT u.t, u.g FROM unnest(p_tokens, p_generic) AS u(t, g)),
s AS (SELECT q.t, q.g, coalesce(cw.n, 0) AS df, coalesce(ct.n, 0) AS size FROM q
      LEFT JOIN registry_counts cw ON cw.key = 'w' || chr(9) || q.t AND cw.n > 0
      LEFT JOIN registry_counts ct ON ct.key = 't' || p_country || chr(9) || q.t AND ct.n > 0),
tot AS (SELECT coalesce((SELECT c.n FROM registry_counts c WHERE c.key = '#'), 0)::float8 AS n),
typo AS (SELECT DISTINCT u.t AS token, ty.word, cw.n AS df, coalesce(ct.n, 0) AS size FROM s u
         CROSS JOIN LATERAL (SELECT u.t UNION ALL SELECT left(u.t, i - 1) || substr(u.t, i + 1)
                             FROM generate_series(1, length(u.t)) AS i) AS d(v)
         JOIN registry_typos ty ON ty.variant = d.v
         JOIN registry_counts cw ON cw.key = 'w' || chr(9) || ty.word AND cw.n > 0
         LEFT JOIN registry_counts ct ON ct.key = 't' || p_country || chr(9) || ty.word
         WHERE u.df = 0 AND u.t = ANY(p_typo_tokens) AND ty.word <> u.t AND left(ty.word, 1) = left(u.t, 1)
               AND registry_one_edit(ty.word, u.t)),
lists AS (SELECT 't' || p_country || chr(9) || s.t AS key, s.size,
                 (ln((tot.n + 1) / (s.df + 1)) + 1) / (ln(tot.n + 1) + 1)
                 * CASE WHEN s.g THEN p_generic_factor ELSE 1 END AS w
          FROM s CROSS JOIN tot WHERE s.size > 0
          UNION ALL
          SELECT 't' || p_country || chr(9) || typo.word, typo.size,
                 p_typo_weight * (ln((tot.n + 1) / (typo.df + 1)) + 1) / (ln(tot.n + 1) + 1)
                 * CASE WHEN typo.word = ANY(p_generic_typos) THEN p_generic_factor ELSE 1 END
          FROM typo CROSS JOIN tot WHERE typo.size > 0),
l AS (SELECT lists.key, lists.size, lists.w,
             sum(lists.size) OVER (ORDER BY lists.size, lists.key COLLATE "C" ROWS UNBOUNDED PRECEDING) AS cum,
             row_number() OVER (ORDER BY lists.size, lists.key COLLATE "C") AS rn FROM lists),
pick AS (SELECT l.key, sum(l.w) AS w FROM l WHERE l.cum <= p_budget GROUP BY l.key),
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
         LEFT JOIN house_accounts h ON h.id = e.house_account_id WHERE e.id IN (SELECT ids.entry_id FROM ids))
SELECT 0, json_build_array(cand.registration_id, cand.house_account_id, cand.tokens, cand.compact, cand.acronym,
                           cand.place_tail, cand.country, cand.host, cand.domain, cand.vat, cand.partner_id,
                           cand.status, cand.protected_until, cand.families, cand.external_ref, cand.active)::text
FROM cand
UNION ALL SELECT 1, json_build_array(typo.token, typo.word, typo.df, typo.size)::text FROM typo
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



def _previous_search_function() -> str:
    """The search function of the deal registrations migration (restored on downgrade)."""
    path = Path(__file__).with_name("6475998a9d32_deal_registrations.py")
    spec = importlib.util.spec_from_file_location("deal_registrations_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SEARCH_FUNCTION


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {OLD_SIGNATURE}")
        op.execute(ONE_EDIT_FUNCTION)
        op.execute(SEARCH_FUNCTION)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {NEW_SIGNATURE}")
        op.execute("DROP FUNCTION IF EXISTS registry_one_edit(text, text)")
        op.execute(_previous_search_function())
