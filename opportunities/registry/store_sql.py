"""The PostgreSQL statements of the registry store: fixed texts with array parameters, so the driver
prepares them once. The two heavy reads are functions created by the deal registrations migration."""
from __future__ import annotations

PG = {
    # The counters asked for, and (speculatively, saving a round trip) the live words one deletion-variant
    # away from the query's words, with their frequency and posting size in the country.
    "stats": ("SELECT 0, key, n, NULL::varchar, NULL::int FROM registry_counts WHERE key = ANY(%(keys)s::text[]) "
              "AND n > 0 UNION ALL SELECT 1, d.v, cw.n, ty.word, ct.n FROM unnest(%(typo_tokens)s::text[]) AS u(t) "
              "CROSS JOIN LATERAL (SELECT u.t UNION ALL SELECT left(u.t, i - 1) || substr(u.t, i + 1) "
              "FROM generate_series(1, length(u.t)) AS i) AS d(v) "
              "JOIN registry_typos ty ON ty.variant = d.v "
              "JOIN registry_counts cw ON cw.key = 'w' || chr(9) || ty.word AND cw.n > 0 "
              "LEFT JOIN registry_counts ct ON ct.key = 't' || %(country)s || chr(9) || ty.word "
              "WHERE NOT EXISTS (SELECT 1 FROM registry_counts k WHERE k.key = 'w' || chr(9) || u.t AND k.n > 0)"),
    "counts": "SELECT key, n FROM registry_counts WHERE key = ANY(%(keys)s::text[]) AND n > 0",
    "fetch": ("SELECT kind, payload FROM registry_fetch(%(keys)s::text[], %(weights)s::float8[], %(first)s, "
              "%(limit)s, %(exact)s::text[])"),
    "acronym": ("SELECT e.compact FROM registry_keys k JOIN registry_entries e ON e.id = k.entry_id "
                "WHERE k.key = %(key)s LIMIT %(limit)s"),
}

# One round trip for a whole search: the function `registry_search` (created by the deal registrations
# migration, where its SQL lives; PL/pgSQL with a generic plan, since planning that query costs more
# than running it). It mirrors `select_postings`; `SqlStore.fetch` uses its candidates only when the
# postings it chose are the ones `search` chooses.
PG["search"] = ("SELECT kind, payload FROM registry_search(%(tokens)s::text[], %(generic)s::bool[], %(country)s, "
                "%(generic_factor)s, %(budget)s, %(limit)s, %(exact)s::text[], %(typo_tokens)s::text[], "
                "%(typo_weight)s, %(generic_typos)s::text[])")
