"""The registry: how registrations and house accounts are stored and indexed for conflict search
(`index`: keys, locks and the search; `store`: the SQL behind `opportunities.matching`; `bulk`:
bulk writes; `models`: the index tables). It knows registrations' models, never their use cases."""
